//! Lanes, groups and column hints for the stages found in a drawing.
//!
//! Lanes are the drawing's swimlanes when it has them (side by side: the process runs
//! down), else its rows of stages. A row's lane is named by a box drawn around exactly
//! that row, else by the page section most of its stages link into, else "Lane N".
//! Groups are titled boxes around some of the stages. Stages that nothing leads to get a
//! column hint from their place in the drawing, so a drawing without arrows keeps its shape.

use std::collections::{BTreeMap, BTreeSet};

use super::convert::Found;
use super::graph::{Graph, Rect};
use crate::content::headings::Heading;

#[derive(Debug, Clone, PartialEq)]
pub struct Arranged {
    pub title: Option<String>,
    pub down: bool,
    pub lanes: Vec<String>,
    /// For each stage: its lane (index into `lanes`).
    pub lane_of: Vec<usize>,
    /// (title, stage indices).
    pub groups: Vec<(String, Vec<usize>)>,
    pub columns: Vec<Option<usize>>,
    /// The stages in reading order: lane by lane, along the flow, then across it.
    pub order: Vec<usize>,
}

pub fn arrange(graph: &Graph, found: &mut Found, headings: &[Heading], own_file: &str) -> Arranged {
    let swimlanes: Vec<usize> = found.boxes.iter().copied().filter(|&b| is_lane_box(graph, b)).collect();
    let innermost = |r: &Rect| {
        swimlanes
            .iter()
            .copied()
            .filter(|&l| bounds(graph, l).contains(r.centre(), 0.0))
            .min_by(|&a, &b| bounds(graph, a).area().total_cmp(&bounds(graph, b).area()))
    };
    let lane_cells: Vec<Option<usize>> = found.stages.iter().map(|s| innermost(&s.bounds)).collect();
    let mut arranged = if lane_cells.iter().any(Option::is_some) {
        by_swimlanes(graph, found, &lane_cells)
    } else {
        by_rows(graph, found, headings, own_file)
    };
    arranged.order = reading_order(found, &arranged);
    arranged.groups = groups(graph, found, &arranged);
    arranged.columns = columns(found, arranged.down);
    arranged
}

fn bounds(graph: &Graph, cell: usize) -> Rect {
    graph.cells[cell].bounds.expect("boxes are visible vertices")
}

fn is_lane_box(graph: &Graph, cell: usize) -> bool {
    let style = &graph.cells[cell].style;
    style.is("swimlane")
}

fn by_swimlanes(graph: &Graph, found: &Found, lane_cells: &[Option<usize>]) -> Arranged {
    let used: BTreeSet<usize> = lane_cells.iter().flatten().copied().collect();
    let rects: Vec<Rect> = used.iter().map(|&l| bounds(graph, l)).collect();
    let spread = |f: fn(&Rect) -> f64| {
        let values: Vec<f64> = rects.iter().map(f).collect();
        values.iter().copied().fold(f64::MIN, f64::max) - values.iter().copied().fold(f64::MAX, f64::min)
    };
    let down = rects.len() > 1 && spread(|r| r.centre().0) > spread(|r| r.centre().1);
    let mut order: Vec<usize> = used.iter().copied().collect();
    order.sort_by(|&a, &b| {
        let (ra, rb) = (bounds(graph, a), bounds(graph, b));
        if down {
            ra.x.total_cmp(&rb.x)
        } else {
            ra.y.total_cmp(&rb.y)
        }
    });
    let mut lanes: Vec<String> = order
        .iter()
        .enumerate()
        .map(|(i, &l)| non_empty(&graph.cells[l].label).unwrap_or_else(|| format!("Lane {}", i + 1)))
        .collect();
    let other = lanes.len();
    if lane_cells.iter().any(Option::is_none) {
        lanes.push("Other".into());
    }
    let lane_of = lane_cells
        .iter()
        .map(|l| l.map_or(other, |l| order.iter().position(|&o| o == l).expect("used lane")))
        .collect();
    // A swimlane or frame around all the lanes names the process.
    let all: Vec<Rect> = rects;
    let title = found
        .boxes
        .iter()
        .copied()
        .filter(|&b| !used.contains(&b) && all.iter().all(|r| bounds(graph, b).contains(r.centre(), 0.0)))
        .min_by(|&a, &b| bounds(graph, a).area().total_cmp(&bounds(graph, b).area()))
        .and_then(|b| non_empty(&graph.cells[b].label));
    Arranged { title, down, lanes, lane_of, groups: Vec::new(), columns: Vec::new(), order: Vec::new() }
}

fn by_rows(graph: &Graph, found: &mut Found, headings: &[Heading], own_file: &str) -> Arranged {
    let centres: Vec<f64> = found.stages.iter().map(|s| s.bounds.centre().1).collect();
    let heights: Vec<f64> = found.stages.iter().map(|s| s.bounds.h).collect();
    let rows = clusters(&centres, (median(&heights) * 0.6).max(20.0));
    let row_count = rows.iter().copied().max().map_or(0, |m| m + 1);
    let mut titles = Vec::with_capacity(row_count);
    let texts_before = found.free_texts.clone();
    for row in 0..row_count {
        let members: BTreeSet<usize> = (0..found.stages.len()).filter(|&s| rows[s] == row).collect();
        titles
            .push(row_box_title(graph, found, &members).or_else(|| section_vote(found, &members, headings, own_file)));
    }
    // Rows are lanes when the drawing or the page names them; otherwise the drawing is one
    // lane and its rows come back as column hints and stacking.
    if titles.iter().filter(|t| t.is_some()).count() < 2 {
        found.free_texts = texts_before;
        let lane_of = vec![0; found.stages.len()];
        return Arranged {
            title: None,
            down: false,
            lanes: vec![String::new()],
            lane_of,
            groups: Vec::new(),
            columns: Vec::new(),
            order: Vec::new(),
        };
    }
    let lanes = titles.into_iter().enumerate().map(|(i, t)| t.unwrap_or_else(|| format!("Lane {}", i + 1))).collect();
    Arranged {
        title: None,
        down: false,
        lanes,
        lane_of: rows,
        groups: Vec::new(),
        columns: Vec::new(),
        order: Vec::new(),
    }
}

/// The title of a box drawn around exactly the stages of one row (and no others).
fn row_box_title(graph: &Graph, found: &mut Found, members: &BTreeSet<usize>) -> Option<String> {
    if members.len() == found.stages.len() {
        return None;
    }
    let inside = |b: usize| -> BTreeSet<usize> {
        (0..found.stages.len()).filter(|&s| bounds(graph, b).contains(found.stages[s].bounds.centre(), 0.0)).collect()
    };
    let b = found.boxes.iter().copied().find(|&b| inside(b) == *members)?;
    box_title(graph, found, b)
}

/// A box's own label, or the largest (then topmost) free text inside it, which it takes.
fn box_title(graph: &Graph, found: &mut Found, b: usize) -> Option<String> {
    if let Some(label) = non_empty(&graph.cells[b].label) {
        return Some(label);
    }
    let area = bounds(graph, b);
    let text = found.free_texts.iter().copied().filter(|&t| area.contains(bounds(graph, t).centre(), 0.0)).min_by(
        |&a, &c| {
            let (ca, cc) = (&graph.cells[a], &graph.cells[c]);
            cc.font_size.total_cmp(&ca.font_size).then(bounds(graph, a).y.total_cmp(&bounds(graph, c).y))
        },
    )?;
    found.free_texts.remove(&text);
    Some(graph.cells[text].label.clone())
}

/// The page section (at the level above the stages' own headings) most stages link into.
fn section_vote(found: &Found, members: &BTreeSet<usize>, headings: &[Heading], own_file: &str) -> Option<String> {
    let targets: Vec<usize> = members
        .iter()
        .filter_map(|&s| found.stages[s].link.as_deref())
        .filter_map(|link| {
            let (path, anchor) = link.split_once('#')?;
            (path.is_empty() || path == own_file).then_some(anchor)
        })
        .filter_map(|anchor| headings.iter().position(|h| h.id == anchor))
        .collect();
    if targets.len() < 2 {
        return None;
    }
    let levels: BTreeSet<u8> = targets.iter().map(|&t| headings[t].level).collect();
    let top = *levels.iter().next().expect("targets are not empty");
    let same_level = levels.len() == 1;
    let mut votes: BTreeMap<&str, usize> = BTreeMap::new();
    for &t in &targets {
        let section = (0..=t).rev().find(|&h| {
            let level = headings[h].level;
            if same_level {
                level < top
            } else {
                level <= top
            }
        });
        if let Some(h) = section {
            *votes.entry(headings[h].title.as_str()).or_default() += 1;
        }
    }
    let (title, count) = votes.into_iter().max_by_key(|(_, n)| *n)?;
    (count * 2 > targets.len()).then(|| title.to_string())
}

fn groups(graph: &Graph, found: &mut Found, arranged: &Arranged) -> Vec<(String, Vec<usize>)> {
    let lane_sets: BTreeSet<BTreeSet<usize>> = (0..arranged.lanes.len())
        .map(|l| (0..found.stages.len()).filter(|&s| arranged.lane_of[s] == l).collect())
        .collect();
    let mut boxes: Vec<(usize, BTreeSet<usize>)> = found
        .boxes
        .iter()
        .copied()
        .filter(|&b| !is_lane_box(graph, b))
        .map(|b| {
            let inside = (0..found.stages.len())
                .filter(|&s| bounds(graph, b).contains(found.stages[s].bounds.centre(), 0.0))
                .collect();
            (b, inside)
        })
        .filter(|(_, inside): &(usize, BTreeSet<usize>)| {
            !inside.is_empty() && inside.len() < found.stages.len() && !lane_sets.contains(inside)
        })
        .collect();
    boxes.sort_by(|a, b| bounds(graph, a.0).area().total_cmp(&bounds(graph, b.0).area()));
    let mut taken: BTreeSet<usize> = BTreeSet::new();
    let mut seen: BTreeSet<BTreeSet<usize>> = BTreeSet::new();
    let mut groups = Vec::new();
    for (b, inside) in boxes {
        if !seen.insert(inside.clone()) {
            continue;
        }
        let free: Vec<usize> = inside.iter().copied().filter(|s| !taken.contains(s)).collect();
        if free.is_empty() {
            continue;
        }
        let Some(title) = box_title(graph, found, b) else { continue };
        taken.extend(free.iter().copied());
        groups.push((title, free));
    }
    let rank = |s: &usize| arranged.order.iter().position(|o| o == s);
    for (_, stages) in &mut groups {
        stages.sort_by_key(rank);
    }
    groups.sort_by_key(|(_, stages)| rank(&stages[0]));
    groups
}

fn reading_order(found: &Found, arranged: &Arranged) -> Vec<usize> {
    let along: Vec<f64> =
        found.stages.iter().map(|s| if arranged.down { s.bounds.centre().1 } else { s.bounds.centre().0 }).collect();
    let sizes: Vec<f64> = found.stages.iter().map(|s| if arranged.down { s.bounds.h } else { s.bounds.w }).collect();
    let ranks = clusters(&along, (median(&sizes) * 0.5).max(20.0));
    let across = |s: usize| {
        let c = found.stages[s].bounds.centre();
        if arranged.down {
            c.0
        } else {
            c.1
        }
    };
    let mut order: Vec<usize> = (0..found.stages.len()).collect();
    order.sort_by(|&a, &b| {
        (arranged.lane_of[a], ranks[a]).cmp(&(arranged.lane_of[b], ranks[b])).then(across(a).total_cmp(&across(b)))
    });
    order
}

/// Column hints for stages nothing leads to, from their place along the flow.
fn columns(found: &Found, down: bool) -> Vec<Option<usize>> {
    let along: Vec<f64> =
        found.stages.iter().map(|s| if down { s.bounds.centre().1 } else { s.bounds.centre().0 }).collect();
    let sizes: Vec<f64> = found.stages.iter().map(|s| if down { s.bounds.h } else { s.bounds.w }).collect();
    let ranks = clusters(&along, (median(&sizes) * 0.5).max(20.0));
    found.stages.iter().zip(ranks).map(|(s, rank)| (s.incoming == 0 && rank > 0).then_some(rank)).collect()
}

/// Groups positions into ordered clusters: a gap wider than `gap` starts the next one.
fn clusters(values: &[f64], gap: f64) -> Vec<usize> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
    let mut rank = vec![0; values.len()];
    let mut current = 0;
    for pair in order.windows(2) {
        if values[pair[1]] - values[pair[0]] > gap {
            current += 1;
        }
        rank[pair[1]] = current;
    }
    rank
}

fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted.get(sorted.len() / 2).copied().unwrap_or(0.0)
}

fn non_empty(label: &str) -> Option<String> {
    let label = label.trim();
    (!label.is_empty()).then(|| label.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clusters_split_on_gaps() {
        assert_eq!(clusters(&[192.0, 375.0, 195.0, 582.0, 374.0], 30.0), vec![0, 1, 0, 2, 1]);
        assert_eq!(clusters(&[], 30.0), Vec::<usize>::new());
    }
}
