//! The phone layout: every stage in process order, one below the other, each box as wide
//! as the screen and captioned with who acts (and its group), since a phone has no room
//! for lanes side by side. An arrow to the next stage runs straight down; any other
//! arrow runs along a track in the gutter on the left, nested so short arrows sit inside
//! long ones.

use super::grid::Grid;
use super::layout::{Anchor, Edge, Label, Layout, Rect, StageBox, CAPTION_FONT, CAPTION_LINE, FONT, ICON, LINE, TRACK};
use super::text::{self, Weight};
use super::{Direction, Process, StageKind};

/// The drawing's natural width; it scales with the screen.
pub const WIDTH: i32 = 320;
const MARGIN: i32 = 4;
/// Between one box and the next: room for an arrow.
const GAP: i32 = 24;
const PAD_Y: i32 = 8;
/// The boxes never get narrower than this, however many tracks the gutter holds.
const MIN_BOX_W: i32 = 200;

/// A gutter arrow waiting for a track: the span of process positions it covers.
struct Leg {
    edge: usize,
    lo: usize,
    hi: usize,
    from: usize,
    to: usize,
}

pub fn layout(process: &Process) -> Layout {
    let grid = Grid::new(process);
    let n = process.stages.len();
    let mut position = vec![0; n];
    for (p, &s) in grid.order.iter().enumerate() {
        position[s] = p;
    }
    let pairs: Vec<(usize, usize)> =
        grid.order.iter().flat_map(|&from| process.stages[from].next_ix.iter().map(move |&to| (from, to))).collect();

    // Tracks: the shortest spans first, each on the innermost track free along its span
    // (arrows leaving one stage, or entering one, may share a track).
    let mut legs: Vec<Leg> = pairs
        .iter()
        .enumerate()
        .filter(|(_, &(from, to))| position[to] != position[from] + 1)
        .map(|(edge, &(from, to))| Leg {
            edge,
            lo: position[from].min(position[to]),
            hi: position[from].max(position[to]),
            from,
            to,
        })
        .collect();
    legs.sort_by_key(|l| (l.hi - l.lo, l.lo, l.edge));
    let mut tracks: Vec<Vec<usize>> = Vec::new();
    let mut track_of = vec![0; pairs.len()];
    for (i, leg) in legs.iter().enumerate() {
        let free = |held: &Vec<usize>| {
            held.iter().all(|&o| {
                let other = &legs[o];
                other.from == leg.from || other.to == leg.to || other.hi < leg.lo || leg.hi < other.lo
            })
        };
        let t = match tracks.iter().position(free) {
            Some(t) => t,
            None => {
                tracks.push(Vec::new());
                tracks.len() - 1
            }
        };
        tracks[t].push(i);
        track_of[leg.edge] = t;
    }
    let spacing = if tracks.is_empty() {
        TRACK
    } else {
        TRACK.min((WIDTH - 2 * MARGIN - MIN_BOX_W - 8) / tracks.len() as i32).max(4)
    };
    let gutter = if tracks.is_empty() { 0 } else { spacing * tracks.len() as i32 + 8 };
    let box_x = MARGIN + gutter;
    let box_w = WIDTH - MARGIN - box_x;

    let mut boxes: Vec<Option<StageBox>> = vec![None; n];
    let mut y = MARGIN;
    for &s in &grid.order {
        let stage = &process.stages[s];
        let pad_x = match stage.kind {
            StageKind::Stage => 10,
            StageKind::Start | StageKind::End => 18,
            StageKind::Milestone => 22,
        };
        let icon = if stage.icon.is_some() { ICON } else { 0 };
        let inner = f64::from(box_w - 2 * pad_x - icon);
        let caption_lines = text::wrap(&process.caption(s), CAPTION_FONT, Weight::Bold, inner);
        let lines = text::wrap(&stage.title, FONT, Weight::Regular, inner);
        let h = (2 * PAD_Y + caption_lines.len() as i32 * CAPTION_LINE + lines.len() as i32 * LINE).max(48);
        let rect = Rect { x: box_x, y, w: box_w, h };
        let text_h = caption_lines.len() as i32 * CAPTION_LINE + lines.len() as i32 * LINE;
        let top = y + (h - text_h) / 2;
        let x = box_x + box_w / 2 + icon / 2;
        boxes[s] = Some(StageBox {
            rect,
            caption: Some(Label {
                lines: caption_lines,
                x,
                y: top + 12,
                line_height: CAPTION_LINE,
                anchor: Anchor::Middle,
            }),
            label: Label {
                x,
                y: top + text_h - lines.len() as i32 * LINE + 13,
                lines,
                line_height: LINE,
                anchor: Anchor::Middle,
            },
        });
        y += h + GAP;
    }
    let stages: Vec<StageBox> = boxes.into_iter().map(|b| b.expect("every stage is in the order")).collect();
    let height = y - GAP + MARGIN;

    let edges = pairs
        .iter()
        .enumerate()
        .map(|(e, &(from, to))| {
            let (a, b) = (&stages[from].rect, &stages[to].rect);
            let points = if position[to] == position[from] + 1 {
                let x = a.x + a.w / 2;
                vec![(x, a.bottom()), (x, b.y)]
            } else {
                // Out of the source's left side low, into the target's left side high,
                // so arrows leaving and arrows entering a stage never share a line.
                let tx = box_x - 6 - spacing * track_of[e] as i32 - spacing / 2;
                let out = a.y + a.h * 2 / 3;
                let into = b.y + b.h / 3;
                vec![(a.x, out), (tx, out), (tx, into), (b.x, into)]
            };
            Edge { from, to, points, back: grid.is_back_edge(from, to) }
        })
        .collect();

    Layout {
        width: WIDTH,
        height,
        direction: Direction::Down,
        lanes: Vec::new(),
        groups: Vec::new(),
        stages,
        edges,
        order: grid.order,
        across: 1,
        tiers: 1,
        lane_titles_beside: false,
        lanes_in_captions: true,
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    #[test]
    fn stages_stack_in_process_order_and_arrows_avoid_the_boxes() {
        let text = "id: t\ntitle: T\nlanes:\n  - id: a\n    title: Supplier\n  - id: b\n    title: Provider\nstages:\n  - id: x\n    title: Explore requirements and standards\n    lane: a\n    next: [y, z]\n  - id: y\n    title: Y\n    lane: b\n    next: [z]\n  - id: z\n    title: Z\n    lane: a\n    next: [x]\n";
        let process = crate::process::parse(text, Path::new("t.yaml")).unwrap();
        let l = layout(&process);
        let ys: Vec<i32> = l.order.iter().map(|&s| l.stages[s].rect.y).collect();
        assert!(ys.windows(2).all(|w| w[0] < w[1]), "{ys:?}");
        assert_eq!(l.stages[0].caption.as_ref().unwrap().lines, ["Supplier"]);
        for e in &l.edges {
            for w in e.points.windows(2) {
                assert!(w[0].0 == w[1].0 || w[0].1 == w[1].1, "orthogonal");
                let (x0, x1) = (w[0].0.min(w[1].0), w[0].0.max(w[1].0));
                let (y0, y1) = (w[0].1.min(w[1].1), w[0].1.max(w[1].1));
                for s in &l.stages {
                    let r = &s.rect;
                    assert!(!(x0 < r.right() && x1 > r.x && y0 < r.bottom() && y1 > r.y), "{e:?} crosses {r:?}");
                }
            }
        }
        assert!(l.edges.iter().any(|e| e.back), "z -> x closes the loop");
        assert!(l.width == WIDTH && l.stages.iter().all(|s| s.rect.w >= MIN_BOX_W));
    }
}
