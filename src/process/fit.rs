//! Choosing the arrangement of a process for the space a page gives it: every candidate
//! [`layout`](super::layout) can draw, judged by what a reader sees ([`super::quality`]).
//! Apart from `layout` so that the drawing does not depend on its own measures.

use super::grid::Grid;
use super::layout::{
    arranged, fits, layout_on, plain_grid, shown_height, widest_fitting, Layout, Options, BOX_W, CAPTION_LINE,
    MAX_BOX_W, MIN_BOX_H, MIN_BOX_W, NARROW_BOX_W, TALL,
};
use super::order::Room;
use super::{quality, route, Direction, Process};

/// The arrangement that suits a column `width` pixels wide: flowing down with the lanes
/// side by side and the stages as wide as the column allows, or in two or three tiers
/// side by side; or flowing right, wrapped into as many tiers as it takes, with the lane
/// titles above or beside their bands. Of those that fit the width, a drawing that can be
/// seen whole (at most [`TALL`] high on screen) wins, then the author's direction, then
/// the fewest crossings (with the bands and rows ordered to cross fewest, [`super::order`]),
/// then the fewest tiers, then the lower; if none can be seen whole, the lowest. When
/// nothing fits, the narrowest.
///
/// A process whose lane bands make every arrangement too tall to be seen whole is drawn
/// without them, if that can be seen whole: one flow wrapped into rows, each stage naming
/// its lane (and group) above its title, as the phone drawing does.
pub fn fitted(process: &Process, width: i32) -> Layout {
    let banded = arranged_in_bands(process, width);
    let seen_whole = |l: &Layout| fits(l, width) && shown_height(l, width) <= TALL;
    // However it is arranged, no more stages than this fit in the height without bands:
    // a row of the narrowest stages, each a caption and a line of title, at a time.
    let most = (widest_fitting(width) / NARROW_BOX_W) * (TALL / (MIN_BOX_H + CAPTION_LINE));
    if process.lanes.len() < 2 || seen_whole(&banded) || process.stages.len() as i32 > most {
        return banded;
    }
    // Seen whole at its natural size too (never taller than on screen), as a column
    // wider than `width` shows it.
    let captioned = arranged_in_bands(&process.in_one_lane(), width);
    if fits(&captioned, width) && captioned.height <= TALL && quality::is_clean(&captioned) {
        captioned
    } else {
        banded
    }
}

/// [`fitted`], with the lanes as the process has them. Drawn without bands
/// ([`Process::in_one_lane`]), a drawing is seen whole only if it is at its natural size
/// too, and each wrapped arrangement is tried again with its stages widened into the
/// width it leaves, where titles and captions take fewer lines.
fn arranged_in_bands(process: &Process, width: i32) -> Layout {
    let one_lane = process.lanes_in_captions();
    let shown_height = |l: &Layout, width| if one_lane { l.height } else { shown_height(l, width) };
    // First each arrangement in the order written, which is quick to draw: ordering
    // rows to cross fewer arrows is left to the few that can win.
    let sketch = |options: Options| {
        let grid = plain_grid(process, &options);
        let routes = route::route(process, &grid);
        (options, layout_on(process, &options, grid, routes))
    };
    let mut candidates = Vec::new();
    let down = |box_w| sketch(Options { direction: Direction::Down, box_w, wrap: None, titles_beside: false });
    let trial = down(BOX_W);
    let spare = (width - trial.1.width) / trial.1.across.max(1) as i32;
    let box_w = (BOX_W + spare).clamp(MIN_BOX_W, MAX_BOX_W);
    candidates.push(if box_w == BOX_W { trial } else { down(box_w) });

    // Narrower stages fit more columns in a tier, and fewer tiers are lower.
    let columns = Grid::new(process).columns;
    // Flowing down in tiers side by side, each with the lanes it needs, like newspaper columns.
    for box_w in [BOX_W, MIN_BOX_W, NARROW_BOX_W] {
        let mut tried = Vec::new();
        for tiers in 2..=3 {
            let per_tier = columns.div_ceil(tiers);
            if per_tier < 2 || tried.contains(&per_tier) {
                continue;
            }
            tried.push(per_tier);
            let wrapped =
                sketch(Options { direction: Direction::Down, box_w, wrap: Some(per_tier), titles_beside: false });
            if fits(&wrapped.1, width) {
                candidates.push(wrapped);
            }
        }
    }
    // Without bands there are no lane titles to put beside them.
    for titles_beside in [false, true].into_iter().filter(|&beside| !(beside && one_lane)) {
        for box_w in [BOX_W, MIN_BOX_W, NARROW_BOX_W] {
            let right = |wrap| sketch(Options { direction: Direction::Right, box_w, wrap, titles_beside });
            let whole = right(None);
            if fits(&whole.1, width) {
                candidates.push(whole);
                continue;
            }
            // Columns are about equally wide: start from the share of them that fits.
            let estimate = (columns as i64 * i64::from(width) * 14 / 13 / i64::from(whole.1.width.max(1))) as usize + 1;
            for per_tier in (1..estimate.clamp(1, columns)).rev() {
                let wrapped = right(Some(per_tier));
                let done = fits(&wrapped.1, width);
                // Once it fits, one tier more too, if this is seen whole: it may cross fewer arrows.
                let one_more = done && per_tier > 1 && shown_height(&wrapped.1, width) <= TALL;
                candidates.push(wrapped);
                if one_more {
                    candidates.push(right(Some(per_tier - 1)));
                }
                if done {
                    break;
                }
            }
        }
    }
    if one_lane {
        let widened: Vec<_> = candidates
            .iter()
            .filter_map(|(options, l)| {
                let per_tier = options.wrap.filter(|_| options.direction == Direction::Right && fits(l, width))?;
                let spare = (widest_fitting(width) - l.width) / per_tier as i32;
                let box_w = (options.box_w + spare).min(MAX_BOX_W);
                (spare > 0 && box_w > options.box_w).then_some(Options { box_w, ..*options })
            })
            .collect();
        candidates.extend(widened.into_iter().map(sketch).filter(|(_, l)| fits(l, width)));
    }
    // Too tall to see whole: the lowest. Otherwise: the author's direction.
    let rank = |l: &Layout| {
        let fit = fits(l, width);
        let shown = shown_height(l, width);
        let tall = !fit || shown > TALL;
        (!fit, tall, if tall { shown } else { 0 }, l.direction != process.direction)
    };
    let rest = |l: &Layout| (l.tiers, if fits(l, width) { shown_height(l, width) } else { l.width });
    candidates.sort_by_cached_key(|(_, l)| (rank(l), rest(l)));
    // The first that no arrow spoils (through a title, or too close beside another).
    let clean = |l: &Layout| fits(l, width) && quality::is_clean(l);
    let first = candidates.iter().position(|(_, l)| clean(l)).unwrap_or(0);
    let best = rank(&candidates[first].1);
    // Its rivals, seen whole like it, ordered to cross fewest; if it is too tall to see
    // whole, the lowest alone.
    let rivals =
        candidates.iter().skip(first).filter(|(_, l)| rank(l) == best).take(if best.1 { 1 } else { usize::MAX });
    // A page whose column is wider than `width` shows a drawing at its natural size:
    // there too a rival seen whole is no taller than the limit, or than the first. One
    // that ordering made too tall competes as ordered within the height and width left
    // to it (and within less height, [`within`]), and as sketched.
    let cap = if best.1 { i32::MAX } else { TALL.max(candidates[first].1.height) };
    let widest = widest_fitting(width);
    let arranged = rivals
        .flat_map(|(options, sketched)| {
            let freely = arranged(process, options, None);
            let (taller, wider) = (cap - sketched.height, widest - sketched.width);
            let room = match options.direction {
                Direction::Right => Room { across: taller, along: wider },
                Direction::Down => Room { across: wider, along: taller },
            };
            let kept = if !best.1 && freely.height > cap {
                within(process, options, sketched, room, quality::drawn_crossings(&freely))
            } else {
                Vec::new()
            };
            std::iter::once(freely).chain(kept).chain([sketched.clone()])
        })
        .filter(|l| clean(l) && l.height <= cap)
        .min_by_key(|l| (quality::drawn_crossings(l), rest(l)));
    arranged.unwrap_or_else(|| candidates.swap_remove(first).1)
}

/// The ordering within `room` beyond the `sketched` drawing, tried again within less
/// height than each try took, while it crosses more arrows than the ordering given any
/// room (`least`): the ordering is greedy, and room it spends early on one change may
/// shut out a better one later.
fn within(process: &Process, options: &Options, sketched: &Layout, mut room: Room, least: usize) -> Vec<Layout> {
    const TRIES: usize = 4;
    let mut tries: Vec<Layout> = Vec::new();
    while tries.len() < TRIES && tries.last().is_none_or(|l| quality::drawn_crossings(l) > least) {
        let ordered = arranged(process, options, Some(room));
        let taller = match options.direction {
            Direction::Right => &mut room.across,
            Direction::Down => &mut room.along,
        };
        *taller = (ordered.height - sketched.height).min(*taller) - 1;
        tries.push(ordered);
        if *taller < 0 {
            break;
        }
    }
    tries
}
