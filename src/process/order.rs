//! The order across the flow that crosses the fewest arrows, as `dot` orders the nodes
//! within its clusters: within each tier of a wrapped flow the lane bands may change
//! places, and within each band its rows; then an arrow that turns along a channel
//! between rows may take another, beside its target rather than its source. Each
//! arrangement is judged by routing it and counting the crossings ([`route::crossings`]),
//! and kept only if it crosses strictly fewer arrows than the best so far, so the order
//! as written wins every tie. Only the parts where arrows cross are tried, within a fixed
//! amount of routing, so the result is deterministic and quick.

use super::grid::Grid;
use super::{route, Process};

/// Sweeps over all the tiers and bands; a sweep that finds nothing better ends the search.
const SWEEPS: usize = 3;
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

/// An order across the flow, and the row channel chosen for each arrow that turns along one.
pub(crate) struct Arranged {
    pub grid: Grid,
    pub via: Vec<Option<usize>>,
}

/// The grid with its bands (when `bands_move`, in a wrapped flow) and rows reordered,
/// and then each arrow that turns along a row channel moved to another beside its source
/// or its target, wherever that crosses fewer arrows.
/// With `no_taller`, an arrangement that needs more tracks in all (a taller or wider
/// drawing) is passed over.
pub(crate) fn arrange(process: &Process, grid: Grid, bands_move: bool, no_taller: bool) -> Arranged {
    let edges: usize = process.stages.iter().map(|s| s.next_ix.len()).sum();
    let budget = std::cell::Cell::new(WORK / edges.max(1));
    // Tracks across the flow make a drawing taller, and along it wider (or, flowing down, the reverse).
    let tracks = |routes: &route::Routes| routes.row_tracks.iter().chain(&routes.column_tracks).sum::<usize>();
    let first = route::route(process, &grid);
    let most_tracks = if no_taller { tracks(&first) } else { usize::MAX };
    let cost = |g: &Grid, via: &[Option<usize>]| {
        budget.set(budget.get().saturating_sub(1));
        let routes = route::route_via(process, g, via);
        if tracks(&routes) > most_tracks {
            usize::MAX
        } else {
            route::crossings(g, &routes)
        }
    };
    let mut least = route::crossings(&grid, &first);
    let mut best = grid;
    let mut units = Vec::new();
    for band in &best.bands {
        if bands_move && !units.iter().any(|u| matches!(u, Unit::Tier(t) if *t == band.tier)) {
            units.push(Unit::Tier(band.tier));
        }
        units.push(Unit::Band { tier: band.tier, lane: band.lane });
    }
    'sweeps: for _ in 0..SWEEPS {
        let before = least;
        // Only where arrows cross is there anything to gain.
        let routes = route::route(process, &best);
        let mut crossing_rows = vec![false; best.rows];
        for (route, _) in routes.routes.iter().zip(route::crossed(&best, &routes)).filter(|(_, c)| *c > 0) {
            let (a, b) = (best.row[route.from], best.row[route.to]);
            crossing_rows[a.min(b)..=a.max(b)].iter_mut().for_each(|r| *r = true);
        }
        for &unit in &units {
            let Some(blocks) = blocks(process, &best, unit) else { continue };
            if !blocks.iter().flatten().any(|&r| crossing_rows[r]) {
                continue;
            }
            for order in orders(blocks.len()) {
                if least == 0 || budget.get() == 0 {
                    break 'sweeps;
                }
                let candidate = best.with_rows(&placing(&best, &blocks, &order));
                let crossings = cost(&candidate, &[]);
                if crossings < least {
                    (best, least) = (candidate, crossings);
                    // The blocks moved with it: on to the next unit.
                    break;
                }
            }
        }
        if least == before {
            break;
        }
    }

    // Then the row channel of each arrow that turns along one, and of all those leaving
    // one stage together (they may share their tracks).
    let routes = route::route(process, &best);
    let turning: Vec<(usize, usize)> = routes
        .routes
        .iter()
        .enumerate()
        .filter(|(_, r)| r.points.iter().any(|p| matches!(p.1, route::Across::Channel(..))))
        .map(|(r, route)| (r, route.from))
        .collect();
    let mut movers: Vec<Vec<usize>> = turning.iter().map(|&(r, _)| vec![r]).collect();
    for &(_, from) in &turning {
        let together: Vec<usize> = turning.iter().filter(|t| t.1 == from).map(|t| t.0).collect();
        if together.len() > 1 && !movers.contains(&together) {
            movers.push(together);
        }
    }
    let mut via: Vec<Option<usize>> = vec![None; routes.routes.len()];
    for _ in 0..SWEEPS {
        let before = least;
        let crossed = route::crossed(&best, &route::route_via(process, &best, &via));
        for mover in movers.iter().filter(|m| m.iter().any(|&r| crossed[r] > 0)) {
            let ends = |r: usize| [best.row[routes.routes[r].from], best.row[routes.routes[r].to]];
            let mut choices: Vec<usize> = mover.iter().flat_map(|&r| ends(r)).flat_map(|row| [row, row + 1]).collect();
            choices.sort_unstable();
            choices.dedup();
            for k in choices {
                if least == 0 || budget.get() == 0 {
                    return Arranged { grid: best, via };
                }
                let mut moved = via.clone();
                mover.iter().for_each(|&r| moved[r] = Some(k));
                if moved == via {
                    continue;
                }
                let crossings = cost(&best, &moved);
                if crossings < least {
                    (via, least) = (moved, crossings);
                }
            }
        }
        if least == before {
            break;
        }
    }
    Arranged { grid: best, via }
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
