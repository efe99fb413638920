//! Measures of a drawn process that a reader notices: arrows that cross, bend, run
//! through text or a stage they do not join, or run so close beside another arrow that
//! the two read as one. `benches/layout_quality.rs` reports them over many processes
//! next to Graphviz `dot`; `tests/process_layout.rs` holds the invariants.

pub use super::crossing::{crossings, Polyline};
use super::layout::CAPTION_FONT;
use super::layout::{Label, Layout, Rect, FONT, GROUP_FONT};
use super::text::{self, Weight};

/// Two parallel arrows closer than this read as one.
pub const MIN_PARALLEL_GAP: i32 = 12;

#[derive(Debug, Clone, PartialEq)]
pub struct Quality {
    pub crossings: usize,
    pub bends: usize,
    /// Each arrow segment that runs through a title or through a stage it does not join.
    pub through: Vec<String>,
    /// The closest two parallel, overlapping segments of different arrows come, unless
    /// they leave or enter the same stage (sharing a track there reads as a fork or a
    /// merge). `None` when no two run side by side.
    pub closest_parallel: Option<i32>,
    pub width: i32,
    pub height: i32,
}

pub fn measure(layout: &Layout) -> Quality {
    Quality {
        crossings: drawn_crossings(layout),
        bends: layout.edges.iter().map(|e| e.points.len().saturating_sub(2)).sum(),
        through: through(layout),
        closest_parallel: closest_parallel(layout),
        width: layout.width,
        height: layout.height,
    }
}

/// Points where two unrelated arrows of a drawing properly cross.
pub(crate) fn drawn_crossings(layout: &Layout) -> usize {
    let lines: Vec<Polyline> = layout
        .edges
        .iter()
        .map(|e| Polyline {
            from: e.from,
            to: e.to,
            points: e.points.iter().map(|&(x, y)| (f64::from(x), f64::from(y))).collect(),
        })
        .collect();
    crossings(&lines)
}

/// No arrow runs through text or a stage it does not join, and no two parallel arrows
/// run closer than [`MIN_PARALLEL_GAP`].
pub(crate) fn is_clean(layout: &Layout) -> bool {
    closest_parallel(layout).is_none_or(|g| g >= MIN_PARALLEL_GAP) && through(layout).is_empty()
}

/// The box a label's text takes, as a browser measures it.
fn text_box(label: &Label, size: f64, weight: Weight) -> Rect {
    let width = label.lines.iter().map(|l| text::width(l, size, weight)).fold(0.0, f64::max).ceil() as i32;
    let x = match label.anchor {
        super::layout::Anchor::Start => label.x,
        super::layout::Anchor::Middle => label.x - width / 2,
    };
    let ascent = (size * 0.9).round() as i32;
    let descent = (size * 0.25).round() as i32;
    let h = ascent + descent + (label.lines.len().max(1) as i32 - 1) * label.line_height;
    Rect { x, y: label.y - ascent, w: width, h }
}

fn through(layout: &Layout) -> Vec<String> {
    // What an arrow must not run through, and the stage it belongs to.
    let mut boxes: Vec<(String, Rect, Option<usize>, bool)> = Vec::new();
    for band in &layout.lanes {
        boxes.push((
            format!("lane title {:?}", band.label.lines),
            text_box(&band.label, layout.lane_font(), Weight::Bold),
            None,
            false,
        ));
    }
    for group in &layout.groups {
        let what = format!("group title {:?}", group.label.lines);
        boxes.push((what, text_box(&group.label, GROUP_FONT, Weight::Bold), None, false));
    }
    for (s, stage) in layout.stages.iter().enumerate() {
        boxes.push((format!("stage {s} title"), text_box(&stage.label, FONT, Weight::Regular), Some(s), false));
        if let Some(caption) = &stage.caption {
            boxes.push((format!("stage {s} caption"), text_box(caption, CAPTION_FONT, Weight::Bold), Some(s), false));
        }
        boxes.push((format!("stage {s}"), stage.rect, Some(s), true));
    }
    let mut found = Vec::new();
    for edge in &layout.edges {
        for seg in edge.points.windows(2) {
            let (x0, x1) = (seg[0].0.min(seg[1].0), seg[0].0.max(seg[1].0));
            let (y0, y1) = (seg[0].1.min(seg[1].1), seg[0].1.max(seg[1].1));
            for (what, b, stage, shape) in &boxes {
                // An arrow may touch the stages it joins, not run inside them.
                let own = *stage == Some(edge.from) || *stage == Some(edge.to);
                let m = if *shape && own { 1 } else { 0 };
                if x0 < b.right() - m && x1 > b.x + m && y0 < b.bottom() - m && y1 > b.y + m {
                    found.push(format!("{}→{} through {what}", edge.from, edge.to));
                }
            }
        }
    }
    found
}

fn closest_parallel(layout: &Layout) -> Option<i32> {
    // (edge, horizontal, the fixed coordinate, the span along it)
    let mut segments: Vec<(usize, bool, i32, i32, i32)> = Vec::new();
    for (e, edge) in layout.edges.iter().enumerate() {
        for seg in edge.points.windows(2) {
            let (a, b) = (seg[0], seg[1]);
            if a.1 == b.1 {
                segments.push((e, true, a.1, a.0.min(b.0), a.0.max(b.0)));
            } else if a.0 == b.0 {
                segments.push((e, false, a.0, a.1.min(b.1), a.1.max(b.1)));
            }
        }
    }
    segments.sort_by_key(|s| (s.1, s.2));
    let mut closest: Option<i32> = None;
    for (i, a) in segments.iter().enumerate() {
        for b in &segments[i + 1..] {
            if b.1 != a.1 || closest.is_some_and(|c| b.2 - a.2 >= c) {
                break;
            }
            let (ea, eb) = (&layout.edges[a.0], &layout.edges[b.0]);
            if a.0 == b.0 || ea.from == eb.from || ea.to == eb.to {
                continue;
            }
            if a.3.max(b.3) < a.4.min(b.4) {
                let gap = b.2 - a.2;
                closest = Some(closest.map_or(gap, |c| c.min(gap)));
            }
        }
    }
    closest
}
