//! Geometry: turns the grid and the routes into pixel positions. One axis runs along the
//! flow (x when the process runs right, y when it runs down) and one across it; each is a
//! run of cells (stage boxes) separated by channels sized for the edges they carry.

use super::grid::Grid;
use super::route::{self, Across, Along, Routes};
use super::text::{self, Weight};
use super::{Direction, Process, StageKind};

/// Sizes in CSS pixels at the drawing's natural size.
pub const MARGIN: i32 = 8;
pub const BOX_W: i32 = 150;
pub const FONT: f64 = 14.0;
pub const LINE: i32 = 17;
const BOX_PAD_Y: i32 = 10;
/// How far a group box reaches beyond its stages.
pub const GROUP_PAD: i32 = 10;
pub const GROUP_FONT: f64 = 13.0;
const GROUP_LINE: i32 = 16;
pub const LANE_FONT: f64 = 15.0;
const LANE_LINE: i32 = 18;
const TRACK: i32 = 8;
const TRACK_MARGIN: i32 = 8;
/// Room an icon takes at the left of a stage.
pub const ICON: i32 = 18;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Rect {
    pub x: i32,
    pub y: i32,
    pub w: i32,
    pub h: i32,
}

impl Rect {
    pub fn right(&self) -> i32 {
        self.x + self.w
    }
    pub fn bottom(&self) -> i32 {
        self.y + self.h
    }
    pub fn contains(&self, other: &Rect) -> bool {
        other.x >= self.x && other.y >= self.y && other.right() <= self.right() && other.bottom() <= self.bottom()
    }
    pub fn overlaps(&self, other: &Rect) -> bool {
        self.x < other.right() && other.x < self.right() && self.y < other.bottom() && other.y < self.bottom()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Anchor {
    Start,
    Middle,
}

/// Lines of text; `y` is the first line's baseline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    pub lines: Vec<String>,
    pub x: i32,
    pub y: i32,
    pub line_height: i32,
    pub anchor: Anchor,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LaneBand {
    pub rect: Rect,
    pub label: Label,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupBox {
    pub rect: Rect,
    pub label: Label,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StageBox {
    pub rect: Rect,
    pub label: Label,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edge {
    pub from: usize,
    pub to: usize,
    /// Corners from the source's border to the target's border.
    pub points: Vec<(i32, i32)>,
    /// Drawn against the flow, closing a cycle.
    pub back: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    pub width: i32,
    pub height: i32,
    pub direction: Direction,
    pub lanes: Vec<LaneBand>,
    pub groups: Vec<GroupBox>,
    /// In the order the stages are written.
    pub stages: Vec<StageBox>,
    pub edges: Vec<Edge>,
    /// Stage indices in process order.
    pub order: Vec<usize>,
}

/// Positions along one axis: channel, cell, channel, ..., cell, channel.
struct Axis {
    channel_start: Vec<i32>,
    box_start: Vec<i32>,
    cell_start: Vec<i32>,
    box_size: i32,
    end: i32,
}

/// Room for the group outlines on either side and for `tracks` parallel edges between;
/// an outer channel without edges only needs room for one outline.
fn channel_size(tracks: usize, outer: bool) -> i32 {
    match (tracks, outer) {
        (0, true) => GROUP_PAD + 6,
        (0, false) => 2 * GROUP_PAD + 12,
        (t, _) => 2 * GROUP_PAD + 2 * TRACK_MARGIN + TRACK * t as i32,
    }
}

impl Axis {
    fn new(tracks: &[usize], head: &[i32], box_size: i32) -> Axis {
        let cells = tracks.len() - 1;
        let mut pos = MARGIN;
        let (mut channel_start, mut box_start, mut cell_start) = (Vec::new(), Vec::new(), Vec::new());
        for (i, &t) in tracks.iter().enumerate() {
            channel_start.push(pos);
            pos += channel_size(t, i == 0 || i == cells);
            if i < cells {
                cell_start.push(pos);
                pos += head[i];
                box_start.push(pos);
                pos += box_size;
            }
        }
        Axis { channel_start, box_start, cell_start, box_size, end: pos }
    }

    fn track(&self, channel: usize, track: usize) -> i32 {
        self.channel_start[channel] + GROUP_PAD + TRACK_MARGIN + TRACK * track as i32 + TRACK / 2
    }

    /// Where one lane's band gives way to the next, inside the channel before `row`.
    fn boundary(&self, row: usize) -> i32 {
        if row == 0 {
            MARGIN
        } else if row == self.box_start.len() {
            self.end
        } else {
            self.channel_start[row] + GROUP_PAD + 2
        }
    }
}

/// The inner width for a stage's title, by shape (the rounded and pointed ends take room).
fn text_width(kind: StageKind, icon: bool) -> f64 {
    let pad = match kind {
        StageKind::Stage => 10,
        StageKind::Start | StageKind::End => 16,
        StageKind::Milestone => 20,
    };
    f64::from(BOX_W - 2 * pad - if icon { ICON } else { 0 })
}

pub fn layout(process: &Process) -> Layout {
    let grid = Grid::new(process);
    let routes = route::route(process, &grid);
    let titles: Vec<Vec<String>> = process
        .stages
        .iter()
        .map(|s| text::wrap(&s.title, FONT, Weight::Regular, text_width(s.kind, s.icon.is_some())))
        .collect();
    let box_h = titles.iter().map(Vec::len).max().unwrap_or(1).max(2) as i32 * LINE + 2 * BOX_PAD_Y;
    let right = process.direction == Direction::Right;

    // x never depends on the heads (extra room above a cell for lane and group titles),
    // so it comes first and gives the widths those titles wrap to.
    let (x_tracks, y_tracks) =
        if right { (&routes.column_tracks, &routes.row_tracks) } else { (&routes.row_tracks, &routes.column_tracks) };
    let x = Axis::new(x_tracks, &vec![0; x_tracks.len() - 1], BOX_W);
    let y_cells = y_tracks.len() - 1;
    let y_of = |s: usize| if right { grid.row[s] } else { grid.column[s] };
    let x_of = |s: usize| if right { grid.column[s] } else { grid.row[s] };

    let lane_x = |lane: usize| -> (i32, i32) {
        if right {
            (MARGIN, x.end)
        } else {
            let (first, last) = grid.lane_rows[lane];
            (x.boundary(first), x.boundary(last + 1))
        }
    };
    let lane_lines: Vec<Vec<String>> = process
        .lanes
        .iter()
        .enumerate()
        .map(|(i, lane)| {
            let (x0, x1) = lane_x(i);
            text::wrap(&lane.title, LANE_FONT, Weight::Bold, f64::from(x1 - x0 - 2 * GROUP_PAD))
        })
        .collect();
    let lane_head = |lines: usize| lines.max(1) as i32 * LANE_LINE + 10;
    let mut lane_band = vec![0; y_cells];
    if right {
        for (i, lines) in lane_lines.iter().enumerate() {
            lane_band[grid.lane_rows[i].0] = lane_head(lines.len());
        }
    } else {
        lane_band[0] = lane_lines.iter().map(|l| lane_head(l.len())).max().unwrap_or(0);
    }

    let group_x: Vec<(i32, i32)> = process
        .groups
        .iter()
        .map(|g| {
            let first = g.stage_ix.iter().map(|&s| x_of(s)).min().unwrap_or(0);
            let last = g.stage_ix.iter().map(|&s| x_of(s)).max().unwrap_or(0);
            (x.box_start[first] - GROUP_PAD, x.box_start[last] + BOX_W + GROUP_PAD)
        })
        .collect();
    let group_lines: Vec<Vec<String>> =
        process.groups.iter().zip(&group_x).map(|(g, &(x0, x1))| group_label_lines(&g.title, x0, x1, right)).collect();
    let group_top = |g: &super::Group| g.stage_ix.iter().map(|&s| y_of(s)).min().unwrap_or(0);
    let mut band = vec![0; y_cells];
    for (g, lines) in process.groups.iter().zip(&group_lines) {
        let cell = group_top(g);
        band[cell] = band[cell].max(GROUP_PAD + lines.len() as i32 * GROUP_LINE + 6);
    }
    // A lane title and the group titles of the lane's first row sit side by side when
    // they do not meet, one above the other when they do.
    let lane_title_end: Vec<i32> = lane_lines
        .iter()
        .map(|lines| {
            MARGIN
                + GROUP_PAD
                + lines.iter().map(|l| text::width(l, LANE_FONT, Weight::Bold).ceil() as i32).max().unwrap_or(0)
        })
        .collect();
    let head: Vec<i32> = (0..y_cells)
        .map(|cell| {
            let side_by_side = right
                && grid.lane_rows.iter().zip(&lane_title_end).all(|(&(first, _), &end)| {
                    first != cell
                        || process.groups.iter().zip(&group_x).all(|(g, &(x0, _))| group_top(g) != cell || x0 > end + 8)
                });
            if side_by_side {
                lane_band[cell].max(band[cell])
            } else {
                lane_band[cell] + band[cell]
            }
        })
        .collect();
    let y = Axis::new(y_tracks, &head, box_h);

    let stage_rect = |s: usize| Rect { x: x.box_start[x_of(s)], y: y.box_start[y_of(s)], w: BOX_W, h: box_h };
    let stages = titles
        .into_iter()
        .enumerate()
        .map(|(s, lines)| {
            let rect = stage_rect(s);
            let shift = if process.stages[s].icon.is_some() { ICON / 2 } else { 0 };
            let first = rect.y + (box_h - lines.len() as i32 * LINE) / 2 + 13;
            StageBox {
                rect,
                label: Label {
                    lines,
                    x: rect.x + BOX_W / 2 + shift,
                    y: first,
                    line_height: LINE,
                    anchor: Anchor::Middle,
                },
            }
        })
        .collect();

    let lanes = (0..process.lanes.len())
        .map(|i| {
            let (first, last) = grid.lane_rows[i];
            let lines = lane_lines[i].clone();
            if right {
                let rect = Rect {
                    x: MARGIN,
                    y: y.boundary(first),
                    w: x.end - MARGIN,
                    h: y.boundary(last + 1) - y.boundary(first),
                };
                let label = Label {
                    lines,
                    x: MARGIN + GROUP_PAD,
                    y: y.cell_start[first] + 18,
                    line_height: LANE_LINE,
                    anchor: Anchor::Start,
                };
                LaneBand { rect, label }
            } else {
                let (x0, x1) = lane_x(i);
                let rect = Rect { x: x0, y: MARGIN, w: x1 - x0, h: y.end - MARGIN };
                let label = Label {
                    lines,
                    x: (x0 + x1) / 2,
                    y: y.cell_start[0] + 18,
                    line_height: LANE_LINE,
                    anchor: Anchor::Middle,
                };
                LaneBand { rect, label }
            }
        })
        .collect();

    let groups = process
        .groups
        .iter()
        .zip(group_x)
        .zip(group_lines)
        .map(|((g, (x0, x1)), lines)| {
            let top_cell = group_top(g);
            let bottom_cell = g.stage_ix.iter().map(|&s| y_of(s)).max().unwrap_or(0);
            let top = y.box_start[top_cell] - band[top_cell];
            let rect = Rect { x: x0, y: top, w: x1 - x0, h: y.box_start[bottom_cell] + box_h + GROUP_PAD - top };
            let label = Label { lines, x: x0 + GROUP_PAD, y: top + 17, line_height: GROUP_LINE, anchor: Anchor::Start };
            GroupBox { rect, label }
        })
        .collect();

    let edges = edges(&grid, &routes, right, &x, &y);
    Layout {
        width: x.end + MARGIN,
        height: y.end + MARGIN,
        direction: process.direction,
        lanes,
        groups,
        stages,
        edges,
        order: grid.order,
    }
}

fn edges(grid: &Grid, routes: &Routes, right: bool, x: &Axis, y: &Axis) -> Vec<Edge> {
    let (flow, cross) = if right { (x, y) } else { (y, x) };
    let flow_of = |s: usize| flow.box_start[grid.column[s]];
    let along = |a: Along| match a {
        Along::Exit(s) => flow_of(s) + flow.box_size,
        Along::Entry(s) => flow_of(s),
        Along::Channel(c, t) => flow.track(c, t),
    };
    let across = |a: Across| match a {
        Across::Middle(r) => cross.box_start[r] + cross.box_size / 2,
        Across::Channel(k, t) => cross.track(k, t),
    };
    routes
        .routes
        .iter()
        .map(|r| {
            let mut points: Vec<(i32, i32)> = Vec::with_capacity(r.points.len());
            for &(a, c) in &r.points {
                let (f, c) = (along(a), across(c));
                let p = if right { (f, c) } else { (c, f) };
                if points.last() == Some(&p) {
                    continue;
                }
                // A corner between two segments on one line is no corner.
                if let [.., a, b] = points[..] {
                    if (a.0 == b.0 && b.0 == p.0) || (a.1 == b.1 && b.1 == p.1) {
                        points.pop();
                    }
                }
                points.push(p);
            }
            Edge { from: r.from, to: r.to, points, back: grid.is_back_edge(r.from, r.to) }
        })
        .collect()
}

/// A group title wraps to the group's width; when the flow runs down, edges enter the
/// group's first stage through the middle of the title's band, so the title keeps to the
/// left half if its words fit there.
fn group_label_lines(title: &str, x0: i32, x1: i32, right: bool) -> Vec<String> {
    let full = f64::from(x1 - x0 - 2 * GROUP_PAD);
    if !right {
        let half = f64::from((x1 - x0) / 2 - GROUP_PAD - 8);
        let fits = title.split_whitespace().all(|w| text::width(w, GROUP_FONT, Weight::Bold) <= half);
        if fits {
            return text::wrap(title, GROUP_FONT, Weight::Bold, half);
        }
    }
    text::wrap(title, GROUP_FONT, Weight::Bold, full)
}
