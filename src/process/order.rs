//! The order across the flow that crosses the fewest arrows, as `dot` orders the nodes
//! within its clusters: within each tier of a wrapped flow the lane bands may change
//! places, and within each band its rows; then an arrow that turns along a channel
//! between rows may take another, beside its target rather than its source; and an
//! arrow that still crosses others may go round the outside of the drawing, turning
//! across the flow once or twice. Each arrangement is judged by routing it and counting
//! the crossings ([`route::crossings`]), and kept only if it crosses strictly fewer
//! arrows than the best so far, so the order as written wins every tie. Only the parts
//! where arrows cross are tried, within a fixed amount of routing, so the result is
//! deterministic and quick.

use super::grid::Grid;
use super::layout::channel_size;
use super::route::{self, Turn, Way};
use super::Process;

/// Sweeps over all the tiers and bands; a sweep that finds nothing better ends the search.
const SWEEPS: usize = 3;
/// Rounds of reordering, rechannelling and going round: a change of one may open a
/// better choice of another.
const ROUNDS: usize = 2;
/// Arrows routed at most, over all the arrangements tried for one layout: the search
/// stays within a few milliseconds however long the process.
const WORK: usize = 4_000;
/// Up to this many bands or rows are tried in every order; more, by swapping neighbours.
const EVERY_ORDER: usize = 4;

/// What may change places: the bands of a tier, or the rows of a band.
#[derive(Debug, Clone, Copy)]
enum Unit {
    Tier(usize),
    /// The band of this lane in this tier.
    Band {
        tier: usize,
        lane: usize,
    },
}

/// An order across the flow, and the way chosen for each arrow that turns.
pub(crate) struct Arranged {
    pub grid: Grid,
    pub via: Vec<Option<Way>>,
}

/// How much larger than the order written an arrangement may make the drawing, in
/// pixels: across the flow (the channels between rows) and along it (between columns).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Room {
    pub across: i32,
    pub along: i32,
}

/// The grid with its bands (when `bands_move`, in a wrapped flow) and rows reordered,
/// then each arrow that turns along a row channel moved to another beside its source
/// or its target, and last each arrow that still crosses others sent round the far
/// side of the drawing, wherever that crosses fewer arrows; the three again, while a
/// round finds something better. With `room`, an arrangement whose channels take more
/// room than that beyond the order written is passed over.
pub(crate) fn arrange(process: &Process, grid: Grid, bands_move: bool, room: Option<Room>) -> Arranged {
    let edges: usize = process.stages.iter().map(|s| s.next_ix.len()).sum();
    let first = route::route(process, &grid);
    let mut search = Search {
        process,
        budget: WORK / edges.max(1),
        room: room.map(|room| (room, channels_size(&first))),
        least: route::crossings(&grid, &first),
        via: vec![None; first.routes.len()],
        best: grid,
    };
    let mut units = Vec::new();
    for band in &search.best.bands {
        if bands_move && !units.iter().any(|u| matches!(u, Unit::Tier(t) if *t == band.tier)) {
            units.push(Unit::Tier(band.tier));
        }
        units.push(Unit::Band { tier: band.tier, lane: band.lane });
    }
    for _ in 0..ROUNDS {
        let before = search.least;
        search.reorder(&units);
        search.rechannel();
        search.go_round();
        if search.least == before || search.is_done() {
            break;
        }
    }
    Arranged { grid: search.best, via: search.via }
}

/// The room the channels between rows and between columns take, in pixels.
fn channels_size(routes: &route::Routes) -> (i32, i32) {
    let sum = |tracks: &[usize], between_rows| {
        let last = tracks.len().saturating_sub(1);
        tracks.iter().enumerate().map(|(i, &t)| channel_size(t, i == 0 || i == last, between_rows)).sum::<i32>()
    };
    (sum(&routes.row_tracks, true), sum(&routes.column_tracks, false))
}

/// The best arrangement so far, and what is left of the routing allowed.
struct Search<'a> {
    process: &'a Process,
    budget: usize,
    /// The room allowed beyond the order written, and the room that order's channels take.
    room: Option<(Room, (i32, i32))>,
    least: usize,
    best: Grid,
    via: Vec<Option<Way>>,
}

impl Search<'_> {
    fn is_done(&self) -> bool {
        self.least == 0 || self.budget == 0
    }

    /// Takes `grid` and `via` if they cross fewer arrows than the best so far (and keep
    /// within the room allowed).
    fn try_better(&mut self, grid: Option<Grid>, via: Vec<Option<Way>>) -> bool {
        self.budget = self.budget.saturating_sub(1);
        let routes = route::route_via(self.process, grid.as_ref().unwrap_or(&self.best), &via);
        if let Some((room, (across, along))) = self.room {
            let (a, b) = channels_size(&routes);
            if a - across > room.across || b - along > room.along {
                return false;
            }
        }
        let crossings = route::crossings(grid.as_ref().unwrap_or(&self.best), &routes);
        if crossings >= self.least {
            return false;
        }
        self.least = crossings;
        self.via = via;
        if let Some(grid) = grid {
            self.best = grid;
        }
        true
    }

    /// Rounds of `round` while a round crosses fewer arrows than the one before (at most
    /// [`SWEEPS`]) and the budget lasts; each round is given the best drawing's routes and
    /// how many times each of them crosses another. A round that finds the search done
    /// returns, and no further round starts.
    fn sweep(&mut self, mut round: impl FnMut(&mut Self, &route::Routes, &[usize])) {
        for _ in 0..SWEEPS {
            if self.is_done() {
                return;
            }
            let before = self.least;
            let routes = route::route_via(self.process, &self.best, &self.via);
            let crossed = route::crossed(&self.best, &routes);
            round(self, &routes, &crossed);
            if self.least == before {
                break;
            }
        }
    }

    /// The bands of each tier, and the rows of each band, in other orders.
    fn reorder(&mut self, units: &[Unit]) {
        self.sweep(|search, routes, crossed| {
            // Only where arrows cross is there anything to gain.
            let mut crossing_rows = vec![false; search.best.rows];
            for (route, _) in routes.routes.iter().zip(crossed).filter(|(_, c)| **c > 0) {
                let (a, b) = (search.best.row[route.from], search.best.row[route.to]);
                crossing_rows[a.min(b)..=a.max(b)].iter_mut().for_each(|r| *r = true);
            }
            for &unit in units {
                let Some(blocks) = blocks(search.process, &search.best, unit) else { continue };
                if !blocks.iter().flatten().any(|&r| crossing_rows[r]) {
                    continue;
                }
                for order in orders(blocks.len()) {
                    if search.is_done() {
                        return;
                    }
                    let candidate = search.best.with_rows(&placing(&search.best, &blocks, &order));
                    // The blocks moved with it: on to the next unit.
                    if search.try_better(Some(candidate), search.via.clone()) {
                        break;
                    }
                }
            }
        });
    }

    /// The row channel of each arrow that turns along one, and of all those leaving one
    /// stage together (they may share their tracks): beside its source or its target.
    fn rechannel(&mut self) {
        if self.is_done() {
            return;
        }
        let routes = route::route(self.process, &self.best);
        let usual: Vec<Option<Way>> = routes.routes.iter().map(|r| Way::usual(&self.best, r.from, r.to)).collect();
        let turning: Vec<(usize, usize)> =
            routes.routes.iter().enumerate().filter(|(r, _)| usual[*r].is_some()).map(|(r, o)| (r, o.from)).collect();
        let mut movers: Vec<Vec<usize>> = turning.iter().map(|&(r, _)| vec![r]).collect();
        for &(_, from) in &turning {
            let together: Vec<usize> = turning.iter().filter(|t| t.1 == from).map(|t| t.0).collect();
            if together.len() > 1 && !movers.contains(&together) {
                movers.push(together);
            }
        }
        self.sweep(|search, _, crossed| {
            for mover in movers.iter().filter(|m| m.iter().any(|&r| crossed[r] > 0)) {
                let ends = |r: usize| [search.best.row[routes.routes[r].from], search.best.row[routes.routes[r].to]];
                let mut choices: Vec<usize> =
                    mover.iter().flat_map(|&r| ends(r)).flat_map(|row| [row, row + 1]).collect();
                choices.sort_unstable();
                choices.dedup();
                for k in choices {
                    if search.is_done() {
                        return;
                    }
                    let mut moved = search.via.clone();
                    mover.iter().for_each(|&r| moved[r] = usual[r].map(|w| Way { along: k, ..w }));
                    if moved != search.via {
                        search.try_better(None, moved);
                    }
                }
            }
        });
    }

    /// Round the outside: an arrow that still crosses others may leave its source by
    /// the channel at the far end of the flow, or enter its target by the one at the
    /// start, running along a row channel beside either end or along the drawing's edge;
    /// or turn across the flow twice, along a row channel beside its source to the
    /// channel at either end of the flow, along that, and along a row channel beside its
    /// target, so that it reaches its target from the side other arrows leave open. The
    /// ways in three legs are tried first: on a tie, the one with fewer bends stays.
    fn go_round(&mut self) {
        if self.is_done() {
            return;
        }
        self.sweep(|search, routes, crossed| {
            for (r, route) in routes.routes.iter().enumerate().filter(|(r, _)| crossed[*r] > 0) {
                let grid = &search.best;
                let (from, to) = (route.from, route.to);
                let now = search.via[r].or(Way::usual(grid, from, to));
                let mut alongs: Vec<usize> =
                    [grid.row[from], grid.row[to]].into_iter().flat_map(|k| [k, k + 1]).collect();
                alongs.extend([0, grid.rows]);
                alongs.sort_unstable();
                alongs.dedup();
                let mut outs = vec![grid.column[from] + 1, grid.columns];
                let mut intos = vec![grid.column[to], 0];
                outs.dedup();
                intos.dedup();
                let mut ways = Vec::new();
                for &out in &outs {
                    for &into in &intos {
                        ways.extend(alongs.iter().map(|&along| Way { out, along, turn: None, into }));
                    }
                }
                let beside = |s: usize| [grid.row[s], grid.row[s] + 1];
                let turns: Vec<Turn> =
                    [0, grid.columns].into_iter().flat_map(|by| beside(to).map(|along| Turn { by, along })).collect();
                for &out in &outs {
                    for &into in &intos {
                        for along in beside(from) {
                            ways.extend(turns.iter().map(|&turn| Way { out, along, turn: Some(turn), into }));
                        }
                    }
                }
                ways.retain(|way| now != Some(*way) && way.is_open(grid, from, to));
                for way in ways {
                    if search.is_done() {
                        return;
                    }
                    let mut moved = search.via.clone();
                    moved[r] = Some(way);
                    search.try_better(None, moved);
                }
            }
        });
    }
}

/// The blocks of rows a unit reorders, top to bottom, or `None` if it has fewer than two
/// or a group would be torn apart (a group box must hold only its own stages).
fn blocks(process: &Process, grid: &Grid, unit: Unit) -> Option<Vec<Vec<usize>>> {
    let blocks: Vec<Vec<usize>> = match unit {
        Unit::Tier(tier) => {
            grid.bands.iter().filter(|b| b.tier == tier).map(|b| (b.first..=b.last).collect()).collect()
        }
        Unit::Band { tier, lane } => {
            let band = grid.bands.iter().find(|b| b.tier == tier && b.lane == lane)?;
            (band.first..=band.last).map(|r| vec![r]).collect()
        }
    };
    if blocks.len() < 2 {
        return None;
    }
    let (top, bottom) = (blocks[0][0], *blocks[blocks.len() - 1].last()?);
    let block_of = |s: usize| blocks.iter().position(|b| b.contains(&grid.row[s]));
    let tier = match unit {
        Unit::Tier(tier) | Unit::Band { tier, .. } => tier,
    };
    let in_tier = |s: usize| grid.bands[grid.band_of(s)].tier == tier;
    for group in &process.groups {
        let mut held = group.stage_ix.iter().filter_map(|&s| block_of(s));
        let Some(first) = held.next() else { continue };
        // A group box across two blocks would take in whatever came between them.
        let torn = held.any(|b| b != first)
            || group.stage_ix.iter().any(|&s| in_tier(s) && !(top..=bottom).contains(&grid.row[s]));
        if torn {
            return None;
        }
    }
    Some(blocks)
}

/// Where each row goes when the blocks are laid top to bottom in `order`.
fn placing(grid: &Grid, blocks: &[Vec<usize>], order: &[usize]) -> Vec<usize> {
    let mut to: Vec<usize> = (0..grid.rows).collect();
    let mut next = blocks[0][0];
    for &b in order {
        for &r in &blocks[b] {
            to[r] = next;
            next += 1;
        }
    }
    to
}

/// The orders to try for `n` blocks, the present one (0, 1, ..., n-1) left out: every
/// order for a few, each swap of two neighbours for more.
fn orders(n: usize) -> Vec<Vec<usize>> {
    if n > EVERY_ORDER {
        return (0..n - 1)
            .map(|i| {
                let mut o: Vec<usize> = (0..n).collect();
                o.swap(i, i + 1);
                o
            })
            .collect();
    }
    let mut all: Vec<Vec<usize>> = vec![Vec::new()];
    for _ in 0..n {
        let mut longer = Vec::new();
        for o in &all {
            longer.extend((0..n).filter(|i| !o.contains(i)).map(|i| [o.as_slice(), &[i]].concat()));
        }
        all = longer;
    }
    all.retain(|o| o.iter().enumerate().any(|(i, &b)| i != b));
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orders_leave_out_the_present_one() {
        assert_eq!(orders(2), [vec![1, 0]]);
        assert_eq!(orders(3).len(), 5);
        assert_eq!(orders(6).len(), 5);
    }
}
