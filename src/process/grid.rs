//! The abstract layout: the process order, each stage's column along the flow and its
//! row across it. Lanes own consecutive rows; a lane has more than one row only where
//! stages share a column or a group needs room of its own.

use super::Process;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grid {
    /// Stage indices in process order: as written, except that a stage never comes
    /// before the stages that lead to it (cycles are broken at the earliest-written stage).
    pub order: Vec<usize>,
    /// Each stage's column, counted along the flow.
    pub column: Vec<usize>,
    /// Each stage's row, counted across the flow over all lanes.
    pub row: Vec<usize>,
    /// The lane bands across the flow, in the order drawn: each lane once, or, when a
    /// long flow is wrapped into tiers, each lane once per tier it has stages in.
    pub bands: Vec<Band>,
    /// Each stage's column along the whole flow, before any wrapping: an arrow is drawn
    /// against the flow (closing a loop) by this column, not by where it wrapped to.
    pub flow_column: Vec<usize>,
    pub columns: usize,
    pub rows: usize,
    /// `cell[row][column]`: the stage drawn there, if any.
    pub cell: Vec<Vec<Option<usize>>>,
}

/// One lane's consecutive rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Band {
    pub lane: usize,
    pub first: usize,
    pub last: usize,
    /// The tier (0 unless the flow is wrapped).
    pub tier: usize,
}

impl Grid {
    pub fn new(process: &Process) -> Grid {
        let order = process_order(process);
        let column = columns(process, &order);
        let columns = column.iter().max().map_or(1, |c| c + 1);
        Grid::build(process, order, column.clone(), column, &[0, columns], true)
    }

    /// The same flow wrapped into tiers of at most `per_tier` columns, drawn one below the
    /// other like lines of text (as the draw.io originals snake). A tier ends where no
    /// group would be cut in two, if there is such a place; each tier holds a band only
    /// for the lanes with stages in it.
    pub fn wrapped(process: &Process, per_tier: usize) -> Grid {
        let order = process_order(process);
        let flow_column = columns(process, &order);
        let columns = flow_column.iter().max().map_or(1, |c| c + 1);
        let per_tier = per_tier.max(1);
        // A break before column c cuts a group when the group has stages on both sides.
        let cuts = |c: usize| {
            process.groups.iter().any(|g| {
                g.stage_ix.iter().any(|&s| flow_column[s] < c) && g.stage_ix.iter().any(|&s| flow_column[s] >= c)
            })
        };
        let mut starts = vec![0];
        let mut start = 0;
        while start + per_tier < columns {
            let latest = start + per_tier;
            let at = (start + 1..=latest).rev().find(|&c| !cuts(c)).unwrap_or(latest);
            starts.push(at);
            start = at;
        }
        starts.push(columns);
        let tier_of = |c: usize| starts.iter().rposition(|&s| s <= c).unwrap_or(0).min(starts.len() - 2);
        let column = flow_column.iter().map(|&c| c - starts[tier_of(c)]).collect();
        Grid::build(process, order, column, flow_column, &starts, false)
    }

    /// Rows for every lane of every tier; `starts` holds each tier's first flow column and,
    /// last, the number of flow columns. A single tier keeps a band for every lane.
    fn build(
        process: &Process,
        order: Vec<usize>,
        column: Vec<usize>,
        flow_column: Vec<usize>,
        starts: &[usize],
        keep_empty: bool,
    ) -> Grid {
        let columns = column.iter().max().map_or(1, |c| c + 1);
        let mut row = vec![0; process.stages.len()];
        let mut bands = Vec::new();
        let mut next_row = 0;
        for tier in 0..starts.len() - 1 {
            let in_tier = |s: usize| (starts[tier]..starts[tier + 1]).contains(&flow_column[s]);
            for lane in 0..process.lanes.len() {
                let in_lane = lane_rows_for(process, &order, &column, lane, columns, &in_tier);
                if in_lane.is_empty() && !keep_empty {
                    continue;
                }
                let used = in_lane.iter().map(|&(_, r)| r + 1).max().unwrap_or(1);
                for (stage, r) in in_lane {
                    row[stage] = next_row + r;
                }
                bands.push(Band { lane, first: next_row, last: next_row + used - 1, tier });
                next_row += used;
            }
        }
        let rows = next_row.max(1);
        let mut cell = vec![vec![None; columns]; rows];
        for s in 0..process.stages.len() {
            cell[row[s]][column[s]] = Some(s);
        }
        Grid { order, column, row, bands, flow_column, columns, rows, cell }
    }

    /// The same grid with each row `r` drawn as row `to[r]`: a permutation that keeps
    /// every band's rows together, and each band in its tier.
    pub(crate) fn with_rows(&self, to: &[usize]) -> Grid {
        let row: Vec<usize> = self.row.iter().map(|&r| to[r]).collect();
        let mut bands: Vec<Band> = self
            .bands
            .iter()
            .map(|b| {
                let rows = (b.first..=b.last).map(|r| to[r]);
                Band { first: rows.clone().min().unwrap_or(0), last: rows.max().unwrap_or(0), ..*b }
            })
            .collect();
        bands.sort_by_key(|b| b.first);
        let mut cell = vec![vec![None; self.columns]; self.rows];
        for (s, &r) in row.iter().enumerate() {
            cell[r][self.column[s]] = Some(s);
        }
        Grid {
            order: self.order.clone(),
            column: self.column.clone(),
            row,
            bands,
            flow_column: self.flow_column.clone(),
            columns: self.columns,
            rows: self.rows,
            cell,
        }
    }

    /// Whether an edge is drawn against the flow (it closes a cycle).
    pub fn is_back_edge(&self, from: usize, to: usize) -> bool {
        self.flow_column[to] <= self.flow_column[from]
    }

    /// The band a stage is drawn in.
    pub fn band_of(&self, stage: usize) -> usize {
        let r = self.row[stage];
        self.bands.iter().position(|b| b.first <= r && r <= b.last).unwrap_or(0)
    }
}

/// Kahn's algorithm taking the earliest-written ready stage first. When only cycles are
/// left, the loop is entered where the flow reaches it: the earliest-written remaining
/// stage that a placed stage leads to (or, for a cycle nothing leads into, the
/// earliest-written remaining stage); its edges from the rest of the cycle become back edges.
fn process_order(process: &Process) -> Vec<usize> {
    let n = process.stages.len();
    let mut indegree = vec![0usize; n];
    for s in &process.stages {
        for &t in &s.next_ix {
            indegree[t] += 1;
        }
    }
    let mut done = vec![false; n];
    let mut reached = vec![false; n];
    let mut order = Vec::with_capacity(n);
    let mut ready: std::collections::BTreeSet<usize> = (0..n).filter(|&i| indegree[i] == 0).collect();
    while order.len() < n {
        let next = match ready.pop_first() {
            Some(i) => i,
            None => (0..n)
                .find(|&i| !done[i] && reached[i])
                .or_else(|| (0..n).find(|&i| !done[i]))
                .expect("a stage is left"),
        };
        if done[next] {
            continue;
        }
        done[next] = true;
        order.push(next);
        for &t in &process.stages[next].next_ix {
            reached[t] = true;
            indegree[t] = indegree[t].saturating_sub(1);
            if indegree[t] == 0 && !done[t] {
                ready.insert(t);
            }
        }
    }
    order
}

/// Longest path over the forward edges, raised to each stage's column hint.
fn columns(process: &Process, order: &[usize]) -> Vec<usize> {
    let n = process.stages.len();
    let mut position = vec![0; n];
    for (p, &s) in order.iter().enumerate() {
        position[s] = p;
    }
    let mut column: Vec<usize> = process.stages.iter().map(|s| s.column.unwrap_or(0)).collect();
    for &s in order {
        for &t in &process.stages[s].next_ix {
            if position[t] > position[s] {
                column[t] = column[t].max(column[s] + 1);
            }
        }
    }
    column
}

/// Rows within one lane, from 0. Each group's stages in the lane form a block whose
/// column span no other stage of the lane shares, so a group box never holds a stranger;
/// blocks and loose stages take the first rows free, in column order.
fn lane_rows_for(
    process: &Process,
    order: &[usize],
    column: &[usize],
    lane: usize,
    columns: usize,
    wanted: &dyn Fn(usize) -> bool,
) -> Vec<(usize, usize)> {
    // A block: the stages it holds, each with its row inside the block.
    struct Block {
        first: usize,
        last: usize,
        stages: Vec<(usize, usize)>,
        height: usize,
        seq: usize,
    }
    let mut blocks: Vec<Block> = Vec::new();
    let mut group_block: Vec<Option<usize>> = vec![None; process.groups.len()];
    for (seq, &s) in order.iter().enumerate() {
        let stage = &process.stages[s];
        if stage.lane_ix != lane || !wanted(s) {
            continue;
        }
        let c = column[s];
        let target = match stage.group_ix {
            Some(g) => match group_block[g] {
                Some(b) => b,
                None => {
                    group_block[g] = Some(blocks.len());
                    blocks.push(Block { first: c, last: c, stages: Vec::new(), height: 0, seq });
                    blocks.len() - 1
                }
            },
            None => {
                blocks.push(Block { first: c, last: c, stages: Vec::new(), height: 0, seq });
                blocks.len() - 1
            }
        };
        let block = &mut blocks[target];
        let r = (0..).find(|r| !block.stages.iter().any(|&(o, or)| or == *r && column[o] == c)).unwrap_or(0);
        block.stages.push((s, r));
        block.height = block.height.max(r + 1);
        block.first = block.first.min(c);
        block.last = block.last.max(c);
    }
    blocks.sort_by_key(|b| (b.first, b.seq));

    let mut taken: Vec<Vec<bool>> = Vec::new();
    let mut placed = Vec::new();
    for block in &blocks {
        let fits = |taken: &Vec<Vec<bool>>, base: usize| {
            (base..base + block.height)
                .all(|r| taken.get(r).is_none_or(|row| !row[block.first..=block.last].iter().any(|&t| t)))
        };
        let base = (0..).find(|&b| fits(&taken, b)).unwrap_or(0);
        while taken.len() < base + block.height {
            taken.push(vec![false; columns]);
        }
        for row in &mut taken[base..base + block.height] {
            row[block.first..=block.last].iter_mut().for_each(|t| *t = true);
        }
        placed.extend(block.stages.iter().map(|&(s, r)| (s, base + r)));
    }
    placed
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    fn grid(stages: &str, groups: &str) -> (Process, Grid) {
        let text = format!(
            "id: t\ntitle: T\nlanes:\n  - id: a\n    title: A\n  - id: b\n    title: B\nstages:\n{stages}{groups}"
        );
        let process = crate::process::parse(&text, Path::new("t.yaml")).unwrap();
        let grid = Grid::new(&process);
        (process, grid)
    }

    fn stage(id: &str, lane: &str, next: &str) -> String {
        format!("  - id: {id}\n    title: {id}\n    lane: {lane}\n    next: [{next}]\n")
    }

    #[test]
    fn a_loop_is_entered_where_the_flow_reaches_it() {
        let stages = [
            stage("draft", "a", "review"),
            stage("revise", "a", "review"),
            stage("review", "b", "revise, publish"),
            stage("publish", "b", ""),
        ]
        .concat();
        let (_, g) = grid(&stages, "");
        assert_eq!(g.order, [0, 2, 1, 3]);
        assert_eq!(g.column, [0, 2, 1, 2]);
        assert!(g.is_back_edge(1, 2), "revise -> review closes the loop");
    }

    #[test]
    fn columns_follow_the_longest_path_and_the_hints() {
        let stages = [
            stage("x", "a", "y, z"),
            stage("y", "a", "z"),
            stage("z", "b", ""),
            "  - id: w\n    title: W\n    lane: b\n    column: 4\n".to_string(),
        ]
        .concat();
        let (_, g) = grid(&stages, "");
        assert_eq!(g.column, [0, 1, 2, 4]);
        assert_eq!((g.columns, g.rows), (5, 2));
    }

    #[test]
    fn stages_sharing_a_column_get_rows_of_their_own() {
        let stages = [stage("x", "a", "y, z"), stage("y", "a", ""), stage("z", "a", ""), stage("q", "b", "")].concat();
        let (_, g) = grid(&stages, "");
        assert_eq!(g.row, [0, 0, 1, 2]);
        let rows: Vec<(usize, usize)> = g.bands.iter().map(|b| (b.first, b.last)).collect();
        assert_eq!(rows, [(0, 1), (2, 2)]);
    }

    #[test]
    fn a_group_keeps_its_columns_to_itself() {
        // x -> y -> z in one lane with y and z grouped; w sits in y's column but outside the group.
        let stages = [stage("x", "a", "y, w"), stage("y", "a", "z"), stage("z", "a", ""), stage("w", "a", "")].concat();
        let groups = "groups:\n  - id: g\n    title: G\n    stages: [y, z]\n";
        let (_, g) = grid(&stages, groups);
        assert_eq!(g.column, [0, 1, 2, 1]);
        assert_ne!(g.row[3], g.row[1], "w is not drawn inside the group's rows");
    }
}
