//! Orthogonal edge routing on the grid. Edges run only through the channels between
//! columns and between rows, never through a cell, so they cannot cross a stage box. A
//! channel holds as many parallel tracks as the edges passing along it need at once.

use super::crossing::{self, Polyline};
use super::grid::Grid;
use super::Process;

/// A position along the flow: the side of a stage, or a track in the channel before a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Along {
    /// Where the edge leaves a stage (its downstream side).
    Exit(usize),
    /// Where the edge enters a stage (its upstream side).
    Entry(usize),
    /// Channel `c` (before column `c`; the last is after the last column), track `t`.
    Channel(usize, usize),
}

/// A position across the flow: the middle of a row, or a track in the channel before a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Across {
    Middle(usize),
    Channel(usize, usize),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    pub from: usize,
    pub to: usize,
    /// Corner points, first on the source's side, last on the target's.
    pub points: Vec<(Along, Across)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Routes {
    pub routes: Vec<Route>,
    /// How many tracks each channel between columns needs (`columns + 1` channels).
    pub column_tracks: Vec<usize>,
    /// How many tracks each channel between rows needs (`rows + 1` channels).
    pub row_tracks: Vec<usize>,
}

/// Which edges a segment may share a track with: those leaving the same stage or
/// entering the same stage, where overlapping reads as a fork or a merge. A segment is
/// anchored at the source or the target it touches (the single leg of an edge between
/// neighbouring columns touches both).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Share {
    from: Option<usize>,
    to: Option<usize>,
}

impl Share {
    fn with(self, other: Share) -> bool {
        (self.from.is_some() && self.from == other.from) || (self.to.is_some() && self.to == other.to)
    }
}

/// A segment waiting for a track: its channel, its extent in half-cells, its sharing key.
struct Leg {
    route: usize,
    point: usize,
    channel: usize,
    lo: usize,
    hi: usize,
    share: Share,
    /// The row whose middle the leg leaves a stage at, and the row it enters one at: a
    /// stub from the channel's near side and one to its far side.
    exit: Option<usize>,
    entry: Option<usize>,
    track: usize,
}

pub fn route(process: &Process, grid: &Grid) -> Routes {
    route_via(process, grid, &[])
}

/// How an arrow that leaves the row of its source runs: out of its source into one
/// channel between columns, along a channel between rows, and down another channel
/// between columns into its target. By default it leaves by the channel just after its
/// source, runs along the row channel beside its source on the side of its target, and
/// enters by the channel just before its target; an arrow that crosses others may go
/// round instead, out by the channel at the far end of the flow or in by the one at its
/// start, where its source's or its target's row is clear of stages up to there, and
/// may turn across the flow twice ([`Turn`]), reaching its target's channel from the
/// side the arrows between them do not take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Way {
    /// The channel between columns it leaves its source by.
    pub out: usize,
    /// The channel between rows it runs along.
    pub along: usize,
    /// A second turn across the flow, between `along` and `into`.
    pub turn: Option<Turn>,
    /// The channel between columns it enters its target by.
    pub into: usize,
}

/// The second turn of an arrow in five legs: from its first row channel down (or up) the
/// channel between columns `by` to the row channel `along`, which takes it to the
/// channel it enters its target by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Turn {
    pub by: usize,
    pub along: usize,
}

impl Way {
    /// The way an arrow runs unless told otherwise; `None` for one that runs straight
    /// along its row, or in one leg between neighbouring columns.
    pub(crate) fn usual(grid: &Grid, from: usize, to: usize) -> Option<Way> {
        let (fa, ra, fb, rb) = (grid.column[from], grid.row[from], grid.column[to], grid.row[to]);
        if (ra == rb && fb > fa && (fa + 1..fb).all(|c| grid.cell[ra][c].is_none())) || fb == fa + 1 {
            return None;
        }
        Some(Way { out: fa + 1, along: if rb < ra { ra } else { ra + 1 }, turn: None, into: fb })
    }

    /// Whether an arrow from `from` to `to` can run this way: its stubs along the rows
    /// of its ends pass no stage.
    pub(crate) fn is_open(&self, grid: &Grid, from: usize, to: usize) -> bool {
        let (fa, ra, fb, rb) = (grid.column[from], grid.row[from], grid.column[to], grid.row[to]);
        self.out > fa
            && self.out <= grid.columns
            && self.into <= fb
            && self.along <= grid.rows
            && self.out != self.into
            && self.turn.is_none_or(|t| {
                t.by <= grid.columns
                    && t.by != self.out
                    && t.by != self.into
                    && t.along <= grid.rows
                    && t.along != self.along
            })
            && (fa + 1..self.out).all(|c| grid.cell[ra][c].is_none())
            && (self.into..fb).all(|c| grid.cell[rb][c].is_none())
    }
}

/// The routes, each arrow `r` that turns running the way `via[r]` when it is given (and
/// open), and otherwise the usual way ([`Way::usual`]).
pub(crate) fn route_via(process: &Process, grid: &Grid, via: &[Option<Way>]) -> Routes {
    let mut routes = Vec::new();
    let mut column_legs: Vec<Leg> = Vec::new();
    let mut row_legs: Vec<Leg> = Vec::new();
    for &from in &grid.order {
        for &to in &process.stages[from].next_ix {
            let r = routes.len();
            let (fa, ra, fb, rb) = (grid.column[from], grid.row[from], grid.column[to], grid.row[to]);
            let mut points = vec![(Along::Exit(from), Across::Middle(ra))];
            let usual = Way::usual(grid, from, to);
            let way = via.get(r).copied().flatten().filter(|w| w.is_open(grid, from, to)).or(usual);
            if let Some(way) = way {
                // Out into a channel after the source, along a row channel (turning
                // twice: down another channel between columns, along another row
                // channel), then down the channel before the target: the legs run in
                // `channels` between columns, from one of `rows` to the next.
                let (start, first) = (Across::Middle(ra), Across::Channel(way.along, 0));
                let (channels, rows): (&[usize], &[Across]) = match way.turn {
                    None => (&[way.out, way.into], &[start, first, Across::Middle(rb)]),
                    Some(turn) => (
                        &[way.out, turn.by, way.into],
                        &[start, first, Across::Channel(turn.along, 0), Across::Middle(rb)],
                    ),
                };
                // A row, or a channel between rows, in half-cells.
                let half = |a: Across| match a {
                    Across::Middle(r) => 2 * r + 1,
                    Across::Channel(k, _) => 2 * k,
                };
                let last = channels.len() - 1;
                for (i, &c) in channels.iter().enumerate() {
                    // The legs beside the source run with its other arrows, those beside
                    // the target with its other arrows; a middle leg with none.
                    let (near_source, near_target) = (i == 0, i == last);
                    let (a, b) = (half(rows[i]), half(rows[i + 1]));
                    column_legs.push(Leg {
                        route: r,
                        point: 1 + 2 * i,
                        channel: c,
                        lo: a.min(b),
                        hi: a.max(b),
                        share: Share { from: near_source.then_some(from), to: near_target.then_some(to) },
                        exit: near_source.then_some(ra),
                        entry: near_target.then_some(rb),
                        track: 0,
                    });
                    points.push((Along::Channel(c, 0), rows[i]));
                    points.push((Along::Channel(c, 0), rows[i + 1]));
                    if let (Across::Channel(k, _), Some(&next)) = (rows[i + 1], channels.get(i + 1)) {
                        row_legs.push(Leg {
                            route: r,
                            point: 2 + 2 * i,
                            channel: k,
                            lo: (2 * c).min(2 * next),
                            hi: (2 * c).max(2 * next),
                            share: Share { from: near_source.then_some(from), to: (!near_source).then_some(to) },
                            exit: None,
                            entry: None,
                            track: 0,
                        });
                    }
                }
            } else if fb == fa + 1 && ra != rb {
                column_legs.push(Leg {
                    route: r,
                    point: 1,
                    channel: fb,
                    lo: 2 * ra.min(rb) + 1,
                    hi: 2 * ra.max(rb) + 1,
                    share: Share { from: Some(from), to: Some(to) },
                    exit: Some(ra),
                    entry: Some(rb),
                    track: 0,
                });
                points.push((Along::Channel(fb, 0), Across::Middle(ra)));
                points.push((Along::Channel(fb, 0), Across::Middle(rb)));
            }
            points.push((Along::Entry(to), Across::Middle(rb)));
            routes.push(Route { from, to, points });
        }
    }
    let column_tracks = assign(&mut column_legs, grid.columns + 1);
    let row_tracks = assign(&mut row_legs, grid.rows + 1);
    for leg in &column_legs {
        let t = leg.track;
        let points = &mut routes[leg.route].points;
        // A column leg is vertical (in a right-running process): both its ends share the track.
        for p in [leg.point, leg.point + 1] {
            if let Along::Channel(c, _) = points[p].0 {
                points[p].0 = Along::Channel(c, t);
            }
        }
    }
    for leg in &row_legs {
        let t = leg.track;
        let points = &mut routes[leg.route].points;
        for p in [leg.point, leg.point + 1] {
            if let Across::Channel(k, _) = points[p].1 {
                points[p].1 = Across::Channel(k, t);
            }
        }
    }
    Routes { routes, column_tracks, row_tracks }
}

/// Gives each leg the lowest track of its channel that no overlapping leg holds, unless
/// that leg shares its source or target; returns how many tracks each channel needs.
/// Where one leg leaves a stage and another enters the next stage at the same row, the
/// leaving one keeps to the near side of the channel, so their stubs along that row do
/// not run over each other: legs that leave go first, and a leg that enters takes a
/// track beyond theirs.
fn assign(legs: &mut [Leg], channels: usize) -> Vec<usize> {
    let mut order: Vec<usize> = (0..legs.len()).collect();
    let kind = |l: &Leg| match (l.exit, l.entry) {
        (Some(_), None) => 0,
        (Some(_), Some(_)) => 1,
        _ => 2,
    };
    order.sort_by_key(|&i| (legs[i].channel, kind(&legs[i]), legs[i].lo, legs[i].hi, i));
    let mut held: Vec<Vec<Vec<usize>>> = vec![Vec::new(); channels];
    for i in order {
        let tracks = &held[legs[i].channel];
        let free = |track: &Vec<usize>| {
            track
                .iter()
                .all(|&o| legs[o].share.with(legs[i].share) || legs[o].hi < legs[i].lo || legs[i].hi < legs[o].lo)
        };
        // Stubs on one row: beyond every leg leaving at the row this one enters, short
        // of every leg entering at the row this one leaves.
        let facing = |o: usize| !legs[o].share.with(legs[i].share);
        let placed = || tracks.iter().enumerate().flat_map(|(t, held)| held.iter().map(move |&o| (t, o)));
        let beyond = placed()
            .filter(|&(_, o)| facing(o) && legs[i].entry.is_some() && legs[o].exit == legs[i].entry)
            .map(|(t, _)| t + 1)
            .max()
            .unwrap_or(0);
        let short_of = placed()
            .filter(|&(_, o)| facing(o) && legs[i].exit.is_some() && legs[o].entry == legs[i].exit)
            .map(|(t, _)| t)
            .min()
            .unwrap_or(usize::MAX);
        let found = (beyond..tracks.len().min(short_of)).find(|&t| free(&tracks[t]));
        let tracks = &mut held[legs[i].channel];
        match found {
            Some(t) => tracks[t].push(i),
            // A new track between the two, keeping every other leg's order.
            None if beyond <= short_of && short_of < tracks.len() => tracks.insert(short_of, vec![i]),
            None if beyond <= short_of => {
                tracks.resize_with(beyond.max(tracks.len()), Vec::new);
                tracks.push(vec![i]);
            }
            // No order satisfies both: the lowest free track.
            None => match tracks.iter().position(|t| {
                t.iter()
                    .all(|&o| legs[o].share.with(legs[i].share) || legs[o].hi < legs[i].lo || legs[i].hi < legs[o].lo)
            }) {
                Some(t) => tracks[t].push(i),
                None => tracks.push(vec![i]),
            },
        }
    }
    for tracks in &held {
        for (t, track) in tracks.iter().enumerate() {
            for &i in track {
                legs[i].track = t;
            }
        }
    }
    held.iter().map(Vec::len).collect()
}

/// How many times unrelated arrows properly cross, counted before any pixel is placed:
/// channels, tracks, cells and rows keep their order in the drawing, so a crossing of
/// the routes is a crossing of the drawn arrows. This is what [`super::order`] minimises.
pub(crate) fn crossings(grid: &Grid, routes: &Routes) -> usize {
    crossed(grid, routes).iter().sum::<usize>() / 2
}

/// How many times each route crosses another.
pub(crate) fn crossed(grid: &Grid, routes: &Routes) -> Vec<usize> {
    // Each channel and cell a span of positions, far wider than any channel's tracks.
    const SPAN: f64 = 1e6;
    let along = |a: Along| match a {
        Along::Channel(c, t) => 2.0 * SPAN * c as f64 + 1.0 + t as f64,
        Along::Entry(s) => SPAN * (2 * grid.column[s] + 1) as f64,
        Along::Exit(s) => SPAN * (2 * grid.column[s] + 1) as f64 + SPAN / 2.0,
    };
    let across = |a: Across| match a {
        Across::Channel(k, t) => 2.0 * SPAN * k as f64 + 1.0 + t as f64,
        Across::Middle(r) => SPAN * (2 * r + 1) as f64 + SPAN / 2.0,
    };
    let lines: Vec<Polyline> = routes
        .routes
        .iter()
        .map(|r| Polyline {
            from: r.from,
            to: r.to,
            points: r.points.iter().map(|&(a, c)| (along(a), across(c))).collect(),
        })
        .collect();
    crossing::crossed(&lines)
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    /// `start` leads along lane a to `end`, and to `target` below `end` in lane b.
    fn fork() -> (Process, Grid) {
        let text = "id: t\ntitle: T\nlanes:\n  - id: a\n    title: A\n  - id: b\n    title: B\nstages:\n\
            \x20 - id: start\n    title: Start\n    lane: a\n    next: [middle, target]\n\
            \x20 - id: middle\n    title: Middle\n    lane: a\n    next: [end]\n\
            \x20 - id: end\n    title: End\n    lane: a\n\
            \x20 - id: target\n    title: Target\n    lane: b\n    column: 2\n";
        let process = crate::process::parse(text, Path::new("t.yaml")).unwrap();
        let grid = Grid::new(&process);
        (process, grid)
    }

    #[test]
    fn an_arrow_in_five_legs_turns_twice_across_the_flow() {
        let (process, grid) = fork();
        assert_eq!((grid.columns, grid.rows, grid.column[3], grid.row[3]), (3, 2, 2, 1));
        // Over the top, down the far end, and back under the target.
        let way = Way { out: 1, along: 0, turn: Some(Turn { by: 3, along: 2 }), into: 2 };
        assert!(way.is_open(&grid, 0, 3));
        let routes = route_via(&process, &grid, &[None, Some(way), None]);
        let route = &routes.routes[1];
        assert_eq!((route.from, route.to), (0, 3));
        assert_eq!(
            route.points,
            [
                (Along::Exit(0), Across::Middle(0)),
                (Along::Channel(1, 0), Across::Middle(0)),
                (Along::Channel(1, 0), Across::Channel(0, 0)),
                (Along::Channel(3, 0), Across::Channel(0, 0)),
                (Along::Channel(3, 0), Across::Channel(2, 0)),
                (Along::Channel(2, 0), Across::Channel(2, 0)),
                (Along::Channel(2, 0), Across::Middle(1)),
                (Along::Entry(3), Across::Middle(1)),
            ]
        );
        assert_eq!((&routes.column_tracks[..], &routes.row_tracks[..]), (&[0, 1, 1, 1][..], &[1, 0, 1][..]));
        assert_eq!(crossings(&grid, &routes), 0);
    }

    #[test]
    fn a_second_turn_is_a_turn() {
        let (_, grid) = fork();
        let turning = |by, along| Way { out: 1, along: 0, turn: Some(Turn { by, along }), into: 2 };
        assert!(!turning(1, 2).is_open(&grid, 0, 3), "down the channel it left by");
        assert!(!turning(2, 2).is_open(&grid, 0, 3), "down the channel it enters by");
        assert!(!turning(3, 0).is_open(&grid, 0, 3), "back along the same row channel");
        assert!(!turning(4, 2).is_open(&grid, 0, 3), "beyond the drawing");
    }
}
