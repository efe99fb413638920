//! Geometry: turns the grid and the routes into pixel positions. One axis runs along the
//! flow (x when the process runs right, y when it runs down) and one across it; each is a
//! run of cells (stage boxes) separated by channels sized for the edges they carry.

use super::grid::Grid;
use super::order;
use super::route::{self, Across, Along, Routes};
use super::text::{self, Weight};
use super::{Direction, Process, StageKind};

/// Sizes in CSS pixels at the drawing's natural size.
pub const MARGIN: i32 = 8;
/// A stage's width when nothing asks for another.
pub const BOX_W: i32 = 150;
/// The narrowest and widest a stage is made to fit the width available.
pub(super) const MIN_BOX_W: i32 = 120;
pub(super) const MAX_BOX_W: i32 = 230;
/// Narrower still, for a flow wrapped into tiers: titles take more lines, tiers more columns.
pub(super) const NARROW_BOX_W: i32 = 104;
pub const FONT: f64 = 14.0;
pub const LINE: i32 = 17;
/// A stage's lane (and group), written above its title where no band says it.
pub const CAPTION_FONT: f64 = 13.0;
pub const CAPTION_LINE: i32 = 16;
const BOX_PAD_Y: i32 = 8;
/// A stage with a one-line title: still a comfortable target to click or tap.
pub(super) const MIN_BOX_H: i32 = 40;
/// How far a group box reaches beyond its stages.
pub const GROUP_PAD: i32 = 8;
pub const GROUP_FONT: f64 = 13.0;
const GROUP_LINE: i32 = 16;
pub const LANE_FONT: f64 = 15.0;
const LANE_LINE: i32 = 18;
const BESIDE_LANE_FONT: f64 = 13.0;
const BESIDE_LANE_LINE: i32 = 16;
/// Parallel arrows in a channel are this far apart.
pub const TRACK: i32 = 12;
const TRACK_MARGIN: i32 = 4;
/// Room between a channel's arrows and a stage or a group outline.
const GAP: i32 = 8;
/// Room an icon takes at the left of a stage.
pub const ICON: i32 = 18;
/// The width of the page's content column that a placed diagram is fitted to.
pub const COLUMN: i32 = 640;
/// A process of up to this many stages should be seen whole on a laptop screen.
pub const TALL: i32 = 800;
/// The column at the left of a right-running drawing that holds the lane titles, when
/// they are written beside their bands rather than above them: as wide as the longest
/// word of a lane title, within these bounds.
const LANE_COLUMN: (i32, i32) = (64, 150);
const LANE_COLUMN_PAD: i32 = 6;

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
    /// The lane's index in the process.
    pub lane: usize,
    pub rect: Rect,
    pub label: Label,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupBox {
    /// The group's index in the process.
    pub group: usize,
    pub rect: Rect,
    pub label: Label,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StageBox {
    pub rect: Rect,
    pub label: Label,
    /// Who acts (and the group), written in the box when the drawing has no lane bands.
    pub caption: Option<Label>,
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
    /// How many cells run across the flow (lanes and their extra rows).
    pub across: usize,
    /// Tiers the flow is wrapped into (1 if it is not).
    pub tiers: usize,
    /// The lane titles are written in a column beside their bands, smaller, where
    /// room is short.
    pub lane_titles_beside: bool,
    /// No lane bands: each stage names its lane (and group) above its title
    /// ([`Process::in_one_lane`]).
    pub lanes_in_captions: bool,
}

impl Layout {
    pub fn lane_font(&self) -> f64 {
        if self.lane_titles_beside {
            BESIDE_LANE_FONT
        } else {
            LANE_FONT
        }
    }
}

/// How to draw a process: which way it flows, how wide its stages are, and whether a
/// long flow wraps into tiers of at most this many columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    pub direction: Direction,
    pub box_w: i32,
    pub wrap: Option<usize>,
    /// Flowing right, each lane's title in a column at the left of its band rather than
    /// above its first row: the drawing is wider and every band lower.
    pub titles_beside: bool,
}

/// Positions along one axis: channel, cell, channel, ..., cell, channel.
struct Axis {
    /// Where each channel's arrows begin (after a group outline and a gap).
    channel_lead: Vec<i32>,
    box_start: Vec<i32>,
    cell_start: Vec<i32>,
    /// Each cell's box size: stages of one row (or rank) share a height.
    box_size: Vec<i32>,
    end: i32,
}

/// What a channel holds: arrows, and the outlines of groups ending before it or starting after it.
#[derive(Debug, Clone, Copy, Default)]
struct Channel {
    tracks: usize,
    /// Between rows (across the flow) rather than between columns.
    between_rows: bool,
    after_group: bool,
    before_group: bool,
}

impl Axis {
    fn new(start: i32, channels: &[Channel], head: &[i32], box_size: &[i32]) -> Axis {
        let cells = channels.len() - 1;
        let mut pos = start;
        let (mut channel_lead, mut box_start, mut cell_start) = (Vec::new(), Vec::new(), Vec::new());
        for (i, ch) in channels.iter().enumerate() {
            let outer = i == 0 || i == cells;
            let side = |group: bool, open: bool| match (group, open) {
                (true, _) => GROUP_PAD + GAP,
                (false, true) => 2,
                (false, false) => GAP,
            };
            let lead = side(ch.after_group, i == 0);
            let trail = side(ch.before_group, i == cells);
            let middle = channel_size(ch.tracks, outer, ch.between_rows);
            channel_lead.push(pos + lead);
            pos += lead + middle + trail;
            if i < cells {
                cell_start.push(pos);
                pos += head[i];
                box_start.push(pos);
                pos += box_size[i];
            }
        }
        Axis { channel_lead, box_start, cell_start, box_size: box_size.to_vec(), end: pos }
    }

    fn track(&self, channel: usize, track: usize) -> i32 {
        self.channel_lead[channel] + TRACK_MARGIN + TRACK * track as i32 + TRACK / 2
    }

    /// Where one lane's band gives way to the next: in the channel before `row`, halfway
    /// between a group outline above and the arrows below.
    fn boundary(&self, row: usize) -> i32 {
        if row == 0 {
            MARGIN
        } else if row == self.box_start.len() {
            self.end
        } else {
            self.channel_lead[row] - GAP / 2
        }
    }
}

/// The room a channel's arrows take across it, between its sides. A channel that no
/// arrow runs along takes none, but between two columns, where the arrows from one
/// stage to its neighbour run straight across it and want room for their heads; between
/// rows arrows only cross it, and the gaps at its sides part the stages enough.
pub(super) fn channel_size(tracks: usize, outer: bool, between_rows: bool) -> i32 {
    match tracks {
        0 if outer || between_rows => 0,
        0 => 4,
        t => 2 * TRACK_MARGIN + TRACK * t as i32,
    }
}

/// The inner width for a stage's title, by shape (the rounded and pointed ends take room).
fn text_width(kind: StageKind, icon: bool, box_w: i32) -> f64 {
    let pad = match kind {
        StageKind::Stage => 10,
        StageKind::Start | StageKind::End => 16,
        StageKind::Milestone => 20,
    };
    f64::from(box_w - 2 * pad - if icon { ICON } else { 0 })
}

fn lane_column(process: &Process) -> i32 {
    let word = process
        .lanes
        .iter()
        .flat_map(|l| l.title.split_whitespace())
        .map(|w| text::width(w, BESIDE_LANE_FONT, Weight::Bold))
        .fold(0.0, f64::max);
    (word.ceil() as i32 + 2 * LANE_COLUMN_PAD).clamp(LANE_COLUMN.0, LANE_COLUMN.1)
}

/// The narrowest stage in which each title's (and caption's) longest word fits on a line
/// of its own.
fn widest_word_box(process: &Process) -> i32 {
    process
        .stages
        .iter()
        .map(|s| {
            let longest = |text: &str, font: f64, weight| {
                text.split_whitespace().map(|w| text::width(w, font, weight)).fold(0.0, f64::max)
            };
            let caption = s.caption.as_deref().unwrap_or_default();
            let word = longest(&s.title, FONT, Weight::Regular).max(longest(caption, CAPTION_FONT, Weight::Bold));
            let room = text_width(s.kind, s.icon.is_some(), 0);
            (word - room).ceil() as i32 + 1
        })
        .max()
        .unwrap_or(0)
}

impl Options {
    /// The process as its author wrote it: its own direction, stages of the usual width.
    pub fn natural(process: &Process) -> Options {
        Options { direction: process.direction, box_w: BOX_W, wrap: None, titles_beside: false }
    }
}

/// The process as written, at its natural size (for export, and as the starting point).
pub fn layout(process: &Process) -> Layout {
    layout_with(process, &Options::natural(process))
}

/// Whether a drawing fits `width` with its text at 13 px or more (14 px at natural size).
pub fn fits(layout: &Layout, width: i32) -> bool {
    layout.width <= widest_fitting(width)
}

/// The widest drawing that fits `width`: scaled down to it, 14 px text is still 13 px.
pub fn widest_fitting(width: i32) -> i32 {
    (i64::from(width) * 14 / 13) as i32
}

/// How tall a drawing is on screen once scaled down to `width`.
pub fn shown_height(layout: &Layout, width: i32) -> i32 {
    if layout.width > width {
        (i64::from(layout.height) * i64::from(width) / i64::from(layout.width)) as i32
    } else {
        layout.height
    }
}

/// The grid for these options, with the rows in the order written.
pub(super) fn plain_grid(process: &Process, options: &Options) -> Grid {
    match options.wrap {
        Some(per_tier) => Grid::wrapped(process, per_tier),
        None => Grid::new(process),
    }
}

/// The process drawn with these options, its bands and rows ordered to cross the fewest
/// arrows: when it is wrapped, each tier's bands may change places; always, each band's rows.
pub fn layout_with(process: &Process, options: &Options) -> Layout {
    arranged(process, options, None)
}

/// The same; with `room`, no arrangement whose arrows take more room than that beyond
/// the order written.
pub(super) fn arranged(process: &Process, options: &Options, room: Option<order::Room>) -> Layout {
    let arranged = order::arrange(process, plain_grid(process, options), options.wrap.is_some(), room);
    let routes = route::route_via(process, &arranged.grid, &arranged.via);
    layout_on(process, options, arranged.grid, routes)
}

pub(super) fn layout_on(process: &Process, options: &Options, grid: Grid, routes: Routes) -> Layout {
    // Never so narrow that a word is split between lines.
    let box_w = options.box_w.max(widest_word_box(process));
    let titles: Vec<Vec<String>> = process
        .stages
        .iter()
        .map(|s| text::wrap(&s.title, FONT, Weight::Regular, text_width(s.kind, s.icon.is_some(), box_w)))
        .collect();
    let captions: Vec<Vec<String>> = process
        .stages
        .iter()
        .map(|s| match &s.caption {
            Some(c) => text::wrap(c, CAPTION_FONT, Weight::Bold, text_width(s.kind, s.icon.is_some(), box_w)),
            None => Vec::new(),
        })
        .collect();
    let text_height = |s: usize| titles[s].len() as i32 * LINE + captions[s].len() as i32 * CAPTION_LINE;
    let banded = !process.lanes_in_captions();
    let right = options.direction == Direction::Right;
    let y_of = |s: usize| if right { grid.row[s] } else { grid.column[s] };
    let y_cell_count = if right { grid.rows } else { grid.columns };
    // A row of stages (a rank, when the flow runs down) is as tall as its longest title.
    let mut box_h = vec![MIN_BOX_H; y_cell_count];
    for s in 0..titles.len() {
        let h = &mut box_h[y_of(s)];
        *h = (*h).max(text_height(s) + 2 * BOX_PAD_Y);
    }
    let x_of = |s: usize| if right { grid.column[s] } else { grid.row[s] };

    // Each group is drawn as one box per tier it reaches.
    let grid_ref = &grid;
    let parts: Vec<(usize, Vec<usize>)> = process
        .groups
        .iter()
        .enumerate()
        .flat_map(|(g, group)| {
            let tier_of = move |s: usize| grid_ref.bands[grid_ref.band_of(s)].tier;
            let mut tiers: Vec<usize> = group.stage_ix.iter().map(|&s| tier_of(s)).collect();
            tiers.sort_unstable();
            tiers.dedup();
            tiers.into_iter().map(move |t| (g, group.stage_ix.iter().copied().filter(|&s| tier_of(s) == t).collect()))
        })
        .collect();
    let span = |stages: &[usize], of: &dyn Fn(usize) -> usize| {
        (stages.iter().map(|&s| of(s)).min().unwrap_or(0), stages.iter().map(|&s| of(s)).max().unwrap_or(0))
    };

    // x never depends on the heads (extra room above a cell for lane and group titles),
    // so it comes first and gives the widths those titles wrap to.
    let (x_tracks, y_tracks) =
        if right { (&routes.column_tracks, &routes.row_tracks) } else { (&routes.row_tracks, &routes.column_tracks) };
    let mut x_channels: Vec<Channel> =
        x_tracks.iter().map(|&tracks| Channel { tracks, between_rows: !right, ..Channel::default() }).collect();
    let mut y_channels: Vec<Channel> =
        y_tracks.iter().map(|&tracks| Channel { tracks, between_rows: right, ..Channel::default() }).collect();
    for (_, stages) in &parts {
        let (x0, x1) = span(stages, &x_of);
        x_channels[x0].before_group = true;
        x_channels[x1 + 1].after_group = true;
        let (_, y1) = span(stages, &y_of);
        y_channels[y1 + 1].after_group = true;
    }
    let x_cells = x_channels.len() - 1;
    let beside = right && options.titles_beside;
    let lane_column = if beside { lane_column(process) } else { 0 };
    let (lane_font, lane_line) = if beside { (BESIDE_LANE_FONT, BESIDE_LANE_LINE) } else { (LANE_FONT, LANE_LINE) };
    let x_start = MARGIN + lane_column;
    let x = Axis::new(x_start, &x_channels, &vec![0; x_cells], &vec![box_w; x_cells]);
    let y_cells = y_channels.len() - 1;

    // Lane bands across the flow: rows of all columns (right), or columns of all rows (down).
    let band_x = |b: usize| -> (i32, i32) {
        if right {
            (MARGIN, x.end)
        } else {
            let band = &grid.bands[b];
            (x.boundary(band.first), x.boundary(band.last + 1))
        }
    };
    let lane_lines: Vec<Vec<String>> = grid
        .bands
        .iter()
        .enumerate()
        .map(|(b, band)| {
            let (x0, x1) = band_x(b);
            // Flowing right, the title keeps above the first column's boxes, where no
            // arrow runs (arrows run only in the channels between columns).
            let room = match (right, beside) {
                (true, true) => lane_column - 2 * LANE_COLUMN_PAD,
                (true, false) => box_w,
                (false, _) => x1 - x0 - 2 * GROUP_PAD,
            };
            text::wrap(&process.lanes[band.lane].title, lane_font, Weight::Bold, f64::from(room))
        })
        .collect();
    let lane_head = |lines: usize| lines.max(1) as i32 * LANE_LINE + 10;
    let mut lane_band = vec![0; y_cells];
    let mut title_strip = 0;
    if beside {
        // Beside its band, a title needs room above the first row only if it is taller
        // than the band's rows (and the channels between them).
        for (band, lines) in grid.bands.iter().zip(&lane_lines) {
            let rows: i32 = box_h[band.first..=band.last].iter().sum::<i32>() + 24 * (band.last - band.first) as i32;
            let over = lines.len() as i32 * lane_line + 8 - rows;
            lane_band[band.first] = lane_band[band.first].max(over.max(0));
        }
    } else if !banded {
        // The stages name their lanes: no band has a title.
    } else if right {
        for (band, lines) in grid.bands.iter().zip(&lane_lines) {
            lane_band[band.first] = lane_band[band.first].max(lane_head(lines.len()));
        }
    } else {
        // Flowing down, the lane titles head the drawing, above the first channel: an
        // arrow into a first stage (from an earlier tier) runs below them.
        title_strip = lane_lines.iter().map(|l| lane_head(l.len())).max().unwrap_or(0);
    }

    let group_x: Vec<(i32, i32)> = parts
        .iter()
        .map(|(_, stages)| {
            let (first, last) = span(stages, &x_of);
            (x.box_start[first] - GROUP_PAD, x.box_start[last] + box_w + GROUP_PAD)
        })
        .collect();
    let group_lines: Vec<Vec<String>> = parts
        .iter()
        .zip(&group_x)
        .map(|((g, _), &(x0, x1))| group_label_lines(&process.groups[*g].title, x0, x1, right, box_w))
        .collect();
    let mut band = vec![0; y_cells];
    for ((_, stages), lines) in parts.iter().zip(&group_lines) {
        let cell = span(stages, &y_of).0;
        band[cell] = band[cell].max(GROUP_PAD + lines.len() as i32 * GROUP_LINE + 6);
    }
    // A lane title and the group titles of the lane's first row sit side by side when
    // they do not meet, one above the other when they do.
    let lane_title_end: Vec<i32> = lane_lines
        .iter()
        .map(|lines| {
            x.box_start[0]
                + lines.iter().map(|l| text::width(l, LANE_FONT, Weight::Bold).ceil() as i32).max().unwrap_or(0)
        })
        .collect();
    let head: Vec<i32> = (0..y_cells)
        .map(|cell| {
            let side_by_side = beside
                || right
                    && grid.bands.iter().zip(&lane_title_end).all(|(b, &end)| {
                        b.first != cell
                            || parts
                                .iter()
                                .zip(&group_x)
                                .all(|((_, st), &(x0, _))| span(st, &y_of).0 != cell || x0 > end + 8)
                    });
            if side_by_side {
                lane_band[cell].max(band[cell])
            } else {
                lane_band[cell] + band[cell]
            }
        })
        .collect();
    let y = Axis::new(MARGIN + title_strip, &y_channels, &head, &box_h);

    let stage_rect = |s: usize| Rect { x: x.box_start[x_of(s)], y: y.box_start[y_of(s)], w: box_w, h: box_h[y_of(s)] };
    let stages = titles
        .iter()
        .zip(&captions)
        .enumerate()
        .map(|(s, (lines, caption))| {
            let rect = stage_rect(s);
            let shift = if process.stages[s].icon.is_some() { ICON / 2 } else { 0 };
            let x = rect.x + box_w / 2 + shift;
            // The caption above the title, the two centred together in the box.
            let top = rect.y + (rect.h - text_height(s)) / 2;
            let first = top + caption.len() as i32 * CAPTION_LINE + 13;
            let caption = (!caption.is_empty()).then(|| Label {
                lines: caption.clone(),
                x,
                y: top + 12,
                line_height: CAPTION_LINE,
                anchor: Anchor::Middle,
            });
            StageBox {
                rect,
                label: Label { lines: lines.clone(), x, y: first, line_height: LINE, anchor: Anchor::Middle },
                caption,
            }
        })
        .collect();

    let lanes = grid
        .bands
        .iter()
        .enumerate()
        .filter(|_| banded)
        .map(|(b, band)| {
            let lines = lane_lines[b].clone();
            if right {
                let rect = Rect {
                    x: MARGIN,
                    y: y.boundary(band.first),
                    w: x.end - MARGIN,
                    h: y.boundary(band.last + 1) - y.boundary(band.first),
                };
                // Clear of the arrows in the channel before the first column; beside the
                // band, in the middle of its rows.
                let label = if beside {
                    let bottom = y.box_start[band.last] + box_h[band.last];
                    let middle = (y.cell_start[band.first] + bottom) / 2;
                    Label {
                        y: middle - lines.len() as i32 * lane_line / 2 + 12,
                        lines,
                        x: MARGIN + LANE_COLUMN_PAD,
                        line_height: lane_line,
                        anchor: Anchor::Start,
                    }
                } else {
                    Label {
                        lines,
                        x: x.box_start[0],
                        y: y.cell_start[band.first] + 18,
                        line_height: LANE_LINE,
                        anchor: Anchor::Start,
                    }
                };
                LaneBand { lane: band.lane, rect, label }
            } else {
                let (x0, x1) = band_x(b);
                let rect = Rect { x: x0, y: MARGIN, w: x1 - x0, h: y.end - MARGIN };
                let label =
                    Label { lines, x: (x0 + x1) / 2, y: MARGIN + 18, line_height: LANE_LINE, anchor: Anchor::Middle };
                LaneBand { lane: band.lane, rect, label }
            }
        })
        .collect();

    let groups = parts
        .iter()
        .zip(group_x)
        .zip(group_lines)
        .map(|(((g, stages), (x0, x1)), lines)| {
            let (top_cell, bottom_cell) = span(stages, &y_of);
            let top = y.box_start[top_cell] - band[top_cell];
            let rect =
                Rect { x: x0, y: top, w: x1 - x0, h: y.box_start[bottom_cell] + box_h[bottom_cell] + GROUP_PAD - top };
            let label = Label { lines, x: x0 + GROUP_PAD, y: top + 17, line_height: GROUP_LINE, anchor: Anchor::Start };
            GroupBox { group: *g, rect, label }
        })
        .collect();

    let edges = edges(&grid, &routes, right, &x, &y);
    Layout {
        width: x.end + MARGIN,
        height: y.end + MARGIN,
        direction: options.direction,
        lanes,
        groups,
        stages,
        edges,
        order: grid.order,
        across: if right { grid.rows } else { x_cells },
        tiers: grid.bands.last().map_or(1, |b| b.tier + 1),
        lane_titles_beside: beside,
        lanes_in_captions: !banded,
    }
}

fn edges(grid: &Grid, routes: &Routes, right: bool, x: &Axis, y: &Axis) -> Vec<Edge> {
    let (flow, cross) = if right { (x, y) } else { (y, x) };
    let flow_of = |s: usize| flow.box_start[grid.column[s]];
    let along = |a: Along| match a {
        Along::Exit(s) => flow_of(s) + flow.box_size[grid.column[s]],
        Along::Entry(s) => flow_of(s),
        Along::Channel(c, t) => flow.track(c, t),
    };
    let across = |a: Across| match a {
        Across::Middle(r) => cross.box_start[r] + cross.box_size[r] / 2,
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

/// A group title keeps clear of arrows. Flowing right, it wraps above the group's first
/// column, where no arrow runs; flowing down, edges enter the group's first stage through
/// the middle of the title's band, so the title keeps to the left half if its words fit.
fn group_label_lines(title: &str, x0: i32, x1: i32, right: bool, box_w: i32) -> Vec<String> {
    let full = f64::from(x1 - x0 - 2 * GROUP_PAD);
    if right {
        return text::wrap(title, GROUP_FONT, Weight::Bold, full.min(f64::from(box_w)));
    }
    if !right {
        let half = f64::from((x1 - x0) / 2 - GROUP_PAD - 8);
        let fits = title.split_whitespace().all(|w| text::width(w, GROUP_FONT, Weight::Bold) <= half);
        if fits {
            return text::wrap(title, GROUP_FONT, Weight::Bold, half);
        }
    }
    text::wrap(title, GROUP_FONT, Weight::Bold, full)
}
