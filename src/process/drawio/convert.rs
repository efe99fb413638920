//! A drawing as a process: which cells are stages, what they are called, and how the
//! arrows join them. `arrange` then finds lanes, groups and columns, and `write` the YAML.
//!
//! The rules, in order (docs/jekyll.md explains them with examples):
//! 1. Candidates are the visible cells with a link, and the labelled shapes (not text,
//!    lines, swimlanes or draw.io's invisible groups).
//! 2. An unlinked candidate holding other candidates is a box (a group or a lane), not a stage.
//! 3. A linked cell absorbs the unlinked candidates under it: an "Interactive" layer of
//!    transparent rectangles over ellipses gives one stage per rectangle.
//! 4. Every other shape lying inside a stage (icons, the ellipse under a link) belongs to it,
//!    so arrows drawn to them join that stage; arrows through shapes that are not stages
//!    (an icon between two stages, a decision diamond) pass through them.
//! 5. Where three or more stages are joined by arrows, unlinked shapes joined to nothing
//!    (a legend, a note) are left out.
//! 6. A stage's title is its own label, else the text inside it, else the label of what it
//!    absorbed, else the nearest text label (label-sized text first), else its link's anchor.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use super::graph::{Cell, Graph, Rect};

/// How far (in drawing units) a text may sit from a stage and still be its label.
const LABEL_REACH: f64 = 60.0;

/// A stage found in the drawing, before lanes and groups.
#[derive(Debug, Clone)]
pub struct FoundStage {
    /// Index of the stage's own cell in the graph.
    pub cell: usize,
    pub bounds: Rect,
    pub title: String,
    pub summary: Option<String>,
    pub link: Option<String>,
    /// Stages that follow (indices into the stage list), in stage order.
    pub next: Vec<usize>,
    pub incoming: usize,
}

/// The stages of a drawing, with what was left out.
#[derive(Debug, Default)]
pub struct Found {
    pub stages: Vec<FoundStage>,
    /// Cells that are boxes around stages: candidates for groups and lane containers.
    pub boxes: Vec<usize>,
    /// Text cells no stage took as its title or summary.
    pub free_texts: BTreeSet<usize>,
    pub notes: Vec<String>,
}

fn is_text(c: &Cell) -> bool {
    c.style.is("text") || c.style.is("edgeLabel")
}

fn is_swimlane(c: &Cell) -> bool {
    c.style.is("swimlane") || c.style.is("umlFrame")
}

/// draw.io's invisible grouping cell, and drawn lines, are neither stages nor boxes.
fn is_structural(c: &Cell) -> bool {
    c.style.names.iter().any(|n| n == "group") || c.style.is("line")
}

fn visible_vertex(c: &Cell) -> Option<Rect> {
    (c.vertex && !c.hidden && !c.layer).then_some(c.bounds).flatten()
}

pub fn find_stages(graph: &Graph) -> Found {
    let mut found = Found::default();
    let cells = &graph.cells;
    let vertices: Vec<usize> = (0..cells.len()).filter(|&i| visible_vertex(&cells[i]).is_some()).collect();
    let bounds = |i: usize| cells[i].bounds.expect("visible vertices have bounds");

    let mut candidates: Vec<usize> = vertices
        .iter()
        .copied()
        .filter(|&i| {
            let c = &cells[i];
            !is_text(c) && !is_structural(c) && !is_swimlane(c) && (c.link.is_some() || !c.label.is_empty())
        })
        .collect();

    if candidates.is_empty() {
        // A picture of containers holding only images: the innermost labelled swimlanes.
        let labelled_lane = |i: usize| is_swimlane(&cells[i]) && !cells[i].label.is_empty();
        let holds_lane = |i: usize| {
            vertices.iter().any(|&o| {
                o != i
                    && labelled_lane(o)
                    && bounds(i).contains(bounds(o).centre(), 0.0)
                    && bounds(o).area() < bounds(i).area()
            })
        };
        candidates = vertices.iter().copied().filter(|&i| labelled_lane(i) && !holds_lane(i)).collect();
    }
    // 2. Boxes: unlinked candidates around other candidates.
    let holds = |outer: usize, inner: usize| {
        outer != inner
            && bounds(outer).contains(bounds(inner).centre(), 0.0)
            && bounds(inner).area() < bounds(outer).area()
    };
    let boxes: BTreeSet<usize> = candidates
        .iter()
        .copied()
        .filter(|&o| cells[o].link.is_none() && candidates.iter().any(|&i| holds(o, i)))
        .collect();
    candidates.retain(|c| !boxes.contains(c));

    // 3. Linked cells absorb the unlinked candidates under them.
    let mut absorbed: BTreeMap<usize, usize> = BTreeMap::new();
    let mut linked: Vec<usize> = candidates.iter().copied().filter(|&i| cells[i].link.is_some()).collect();
    linked.sort_by(|&a, &b| bounds(a).area().total_cmp(&bounds(b).area()));
    for &c in &candidates {
        if cells[c].link.is_some() {
            continue;
        }
        if let Some(&l) = linked.iter().find(|&&l| holds(l, c)) {
            absorbed.insert(c, l);
        }
    }
    candidates.retain(|c| !absorbed.contains_key(c));

    // 4. What lies inside each stage belongs to it.
    let stage_of_cell: BTreeMap<usize, usize> = candidates.iter().enumerate().map(|(s, &c)| (c, s)).collect();
    let mut belongs: BTreeMap<usize, usize> = BTreeMap::new();
    for &v in &vertices {
        if stage_of_cell.contains_key(&v) || is_text(&cells[v]) || is_swimlane(&cells[v]) {
            continue;
        }
        if let Some(&l) = absorbed.get(&v) {
            belongs.insert(v, stage_of_cell[&l]);
            continue;
        }
        let inside = candidates
            .iter()
            .enumerate()
            .filter(|(_, &s)| bounds(s).contains(bounds(v).centre(), 0.0) && bounds(v).area() <= bounds(s).area())
            .min_by(|a, b| bounds(*a.1).area().total_cmp(&bounds(*b.1).area()));
        if let Some((s, _)) = inside {
            belongs.insert(v, s);
        }
    }

    let (adjacency, edge_notes) = flow(graph, &candidates, &stage_of_cell, &belongs);
    found.notes.extend(edge_notes);

    // 5. Leave out shapes joined to nothing when the rest is a flow.
    let joined: BTreeSet<usize> =
        adjacency.iter().flat_map(|(from, to)| std::iter::once(*from).chain(to.iter().copied())).collect();
    let keep: Vec<bool> = (0..candidates.len())
        .map(|s| joined.len() < 3 || joined.contains(&s) || cells[candidates[s]].link.is_some())
        .collect();
    let left_out: Vec<String> =
        (0..candidates.len()).filter(|&s| !keep[s]).map(|s| format!("“{}”", cells[candidates[s]].label)).collect();
    if !left_out.is_empty() {
        found.notes.push(format!(
            "left out {} shape{} joined to no arrow (a legend or a note): {}",
            left_out.len(),
            if left_out.len() == 1 { "" } else { "s" },
            left_out.join(", ")
        ));
    }
    let renumber: BTreeMap<usize, usize> =
        (0..candidates.len()).filter(|&s| keep[s]).enumerate().map(|(new, old)| (old, new)).collect();
    for (&old, &new) in &renumber {
        let c = candidates[old];
        let mut next: Vec<usize> =
            adjacency.get(&old).into_iter().flatten().filter_map(|t| renumber.get(t).copied()).collect();
        next.sort_unstable();
        next.dedup();
        debug_assert_eq!(new, found.stages.len());
        found.stages.push(FoundStage {
            cell: c,
            bounds: bounds(c),
            title: String::new(),
            summary: None,
            link: cells[c].link.clone(),
            next,
            incoming: 0,
        });
    }
    for s in 0..found.stages.len() {
        for t in found.stages[s].next.clone() {
            found.stages[t].incoming += 1;
        }
    }

    found.boxes = vertices
        .iter()
        .copied()
        .filter(|&v| {
            let c = &cells[v];
            !is_text(c)
                && !is_structural(c)
                && !stage_of_cell.contains_key(&v)
                && found
                    .stages
                    .iter()
                    .any(|s| bounds(v).contains(s.bounds.centre(), 0.0) && bounds(v).area() > s.bounds.area())
        })
        .collect();
    found.free_texts = vertices.iter().copied().filter(|&v| is_text(&cells[v]) && !cells[v].label.is_empty()).collect();
    let absorbed_labels: BTreeMap<usize, String> = absorbed
        .iter()
        .filter(|(c, _)| !cells[**c].label.is_empty())
        .filter_map(|(c, l)| stage_of_cell.get(l).and_then(|s| renumber.get(s)).map(|s| (*s, cells[*c].label.clone())))
        .collect();
    name_stages(graph, &mut found, &absorbed_labels);
    found
}

/// Arrows between stages, through any shapes that are not stages.
fn flow(
    graph: &Graph,
    stages: &[usize],
    stage_of_cell: &BTreeMap<usize, usize>,
    belongs: &BTreeMap<usize, usize>,
) -> (BTreeMap<usize, Vec<usize>>, Vec<String>) {
    #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
    enum Node {
        Stage(usize),
        Shape(usize),
    }
    let cells = &graph.cells;
    let node_of_cell = |i: usize| match stage_of_cell.get(&i).or(belongs.get(&i)) {
        Some(&s) => Some(Node::Stage(s)),
        None => (cells[i].vertex && !cells[i].hidden).then_some(Node::Shape(i)),
    };
    let node_at = |p: (f64, f64)| {
        let stage = stages
            .iter()
            .enumerate()
            .filter(|(_, &c)| cells[c].bounds.is_some_and(|b| b.contains(p, 4.0)))
            .min_by(|a, b| area(&cells[*a.1]).total_cmp(&area(&cells[*b.1])));
        if let Some((s, _)) = stage {
            return Some(Node::Stage(s));
        }
        (0..cells.len())
            .filter(|&i| !is_text(&cells[i]) && visible_vertex(&cells[i]).is_some_and(|b| b.contains(p, 4.0)))
            .min_by(|&a, &b| area(&cells[a]).total_cmp(&area(&cells[b])))
            .and_then(node_of_cell)
    };
    let end = |id: &Option<String>, point: Option<(f64, f64)>| match id.as_deref().and_then(|id| graph.position(id)) {
        Some(i) => node_of_cell(i),
        None => point.and_then(node_at),
    };

    let mut arrows: BTreeMap<Node, BTreeSet<Node>> = BTreeMap::new();
    let mut notes = Vec::new();
    let mut labels = 0;
    for cell in cells {
        if cell.hidden {
            continue;
        }
        if cell.vertex && is_text(cell) && cell.bounds.is_none() && !cell.label.is_empty() {
            labels += 1; // a label sitting on an arrow
        }
        if !cell.edge {
            continue;
        }
        if !cell.label.is_empty() {
            labels += 1;
        }
        if let Some(link) = &cell.link {
            notes.push(format!("an arrow links to `{link}`; arrows carry no links in a process, so it is not kept"));
        }
        let (Some(from), Some(to)) = (end(&cell.source, cell.source_point), end(&cell.target, cell.target_point))
        else {
            continue;
        };
        if from != to {
            arrows.entry(from).or_default().insert(to);
        }
    }
    if labels > 0 {
        notes.push(format!(
            "{labels} label{} on arrows not kept (a process's arrows have no labels)",
            if labels == 1 { "" } else { "s" }
        ));
    }

    let mut next: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for s in 0..stages.len() {
        let mut seen = BTreeSet::from([Node::Stage(s)]);
        let mut queue = VecDeque::from([Node::Stage(s)]);
        while let Some(node) = queue.pop_front() {
            for &to in arrows.get(&node).into_iter().flatten() {
                if !seen.insert(to) {
                    continue;
                }
                match to {
                    Node::Stage(t) => next.entry(s).or_default().push(t),
                    Node::Shape(_) => queue.push_back(to),
                }
            }
        }
    }
    (next, notes)
}

fn area(c: &Cell) -> f64 {
    c.bounds.map_or(f64::MAX, |b| b.area())
}

/// Rule 6: titles and summaries.
fn name_stages(graph: &Graph, found: &mut Found, absorbed_labels: &BTreeMap<usize, String>) {
    let cells = &graph.cells;
    let text_bounds = |t: usize| cells[t].bounds.expect("texts are visible vertices");
    let label_size = typical_font_size(found.free_texts.iter().map(|&t| cells[t].font_size));
    for (s, stage) in found.stages.iter_mut().enumerate() {
        stage.title = cells[stage.cell].label.clone();
        let mut inside: Vec<usize> =
            found.free_texts.iter().copied().filter(|&t| stage.bounds.contains(text_bounds(t).centre(), 0.0)).collect();
        inside.sort_by(|&a, &b| text_bounds(a).y.total_cmp(&text_bounds(b).y));
        for &t in &inside {
            found.free_texts.remove(&t);
        }
        let mut texts: Vec<String> = inside.iter().map(|&t| cells[t].label.clone()).collect();
        if stage.title.is_empty() && !texts.is_empty() {
            stage.title = texts.remove(0);
        }
        if stage.title.is_empty() {
            stage.title = absorbed_labels.get(&s).cloned().unwrap_or_default();
        }
        if !texts.is_empty() {
            stage.summary = Some(texts.join(" "));
        }
    }
    // The nearest free text, label-sized text first, each text to one stage.
    for label_sized_only in [true, false] {
        let mut pairs: Vec<(f64, f64, usize, usize)> = Vec::new();
        for (s, stage) in found.stages.iter().enumerate().filter(|(_, st)| st.title.is_empty()) {
            for &t in &found.free_texts {
                if label_sized_only && cells[t].font_size > label_size {
                    continue;
                }
                let b = text_bounds(t);
                let gap = stage.bounds.gap(&b);
                if gap <= LABEL_REACH {
                    let (cx, cy) = stage.bounds.centre();
                    let (tx, ty) = b.centre();
                    pairs.push((gap, (cx - tx).hypot(cy - ty), s, t));
                }
            }
        }
        pairs.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
        for (_, _, s, t) in pairs {
            if found.stages[s].title.is_empty() && found.free_texts.contains(&t) {
                found.stages[s].title = cells[t].label.clone();
                found.free_texts.remove(&t);
            }
        }
    }
    let mut untitled = 0;
    for stage in &mut found.stages {
        if stage.title.is_empty() {
            stage.title = stage.link.as_deref().and_then(title_from_link).unwrap_or_else(|| {
                untitled += 1;
                format!("Stage {untitled}")
            });
        }
    }
    if untitled > 0 {
        found.notes.push(format!("{untitled} stage(s) have no label in the drawing; named “Stage N”"));
    }
}

/// The most common font size of the text labels (the smaller one on a tie).
fn typical_font_size(sizes: impl Iterator<Item = f64>) -> f64 {
    let mut counts: BTreeMap<u64, usize> = BTreeMap::new();
    for size in sizes {
        *counts.entry((size * 10.0) as u64).or_default() += 1;
    }
    counts.iter().max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0))).map_or(f64::MAX, |(size, _)| *size as f64 / 10.0)
}

/// `page.html#design-build-and-self-test` -> "Design build and self test".
fn title_from_link(link: &str) -> Option<String> {
    let anchor = link.rsplit_once('#').map(|(_, a)| a)?;
    let words: Vec<&str> = anchor.split(['-', '_']).filter(|w| !w.is_empty()).collect();
    let mut title = words.join(" ");
    if let Some(first) = title.get(..1) {
        title = first.to_uppercase() + &title[1..];
    }
    (!title.is_empty()).then_some(title)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_from_anchors() {
        assert_eq!(title_from_link("p.html#design-build-and-self-test").as_deref(), Some("Design build and self test"));
        assert_eq!(title_from_link("p.html"), None);
    }

    #[test]
    fn typical_size_is_the_most_common() {
        assert_eq!(typical_font_size([16.0, 16.0, 24.0, 12.0].into_iter()), 16.0);
        assert_eq!(typical_font_size([24.0, 16.0].into_iter()), 16.0);
    }
}
