//! Writes a converted drawing as a process file (docs/process-format.md).

use std::collections::BTreeSet;
use std::fmt::Write as _;

use super::arrange::Arranged;
use super::convert::Found;

/// What a stage's link becomes: kept as written, mended, or replaced, with a note why.
pub fn stage_link(
    link: Option<&str>,
    title_id: &str,
    anchors: &BTreeSet<String>,
    process_id: &str,
) -> (Option<String>, Option<String>) {
    let fallback = || {
        if anchors.contains(title_id) {
            None // the default link, the heading named like the stage, exists
        } else {
            Some(format!("#process-{process_id}"))
        }
    };
    let Some(link) = link.map(str::trim) else { return (fallback(), None) };
    if crate::link_scheme::refusal(link, false).is_some() {
        let shown: String = link.chars().take(60).collect();
        let note = format!(
            "a link to `{shown}` (a draw.io page or action) has no equivalent; the stage points at {}",
            fallback().map_or("its section".to_string(), |_| "the diagram".to_string())
        );
        return (fallback(), Some(note));
    }
    let mended = link.trim_end_matches('#').replace(' ', "%20");
    if mended.is_empty() {
        return (fallback(), None);
    }
    let note = (mended != link).then(|| format!("the link `{link}` was written as `{mended}`"));
    (Some(mended), note)
}

/// An id from a title: lower-case ASCII letters, digits and hyphens, at most ~40 characters.
pub fn id_from(title: &str, fallback: &str) -> String {
    let mut id = String::new();
    for c in title.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            id.push(c);
        } else if !id.ends_with('-') && !id.is_empty() {
            id.push('-');
        }
        if id.len() >= 40 && id.ends_with('-') {
            break;
        }
    }
    let id = id.trim_end_matches('-').to_string();
    if id.is_empty() {
        fallback.to_string()
    } else {
        id
    }
}

/// Unique ids for titles: the second "x" is "x-2".
pub fn unique_ids<'a>(titles: impl Iterator<Item = &'a str>, fallback: &str) -> Vec<String> {
    let mut used = BTreeSet::new();
    titles
        .map(|t| {
            let base = id_from(t, fallback);
            let mut id = base.clone();
            let mut n = 2;
            while !used.insert(id.clone()) {
                id = format!("{base}-{n}");
                n += 1;
            }
            id
        })
        .collect()
}

/// A YAML scalar: plain when that reads back as the same string, else double-quoted.
pub fn scalar(text: &str) -> String {
    let plain = !text.is_empty()
        && text.chars().next().is_some_and(|c| c.is_alphanumeric())
        && text.chars().all(|c| c.is_alphanumeric() || " ,.()/&'-_?".contains(c))
        && !text.ends_with(' ')
        && !matches!(
            text.to_ascii_lowercase().as_str(),
            "true" | "false" | "yes" | "no" | "on" | "off" | "null" | "y" | "n"
        )
        && text.parse::<f64>().is_err();
    if plain {
        text.to_string()
    } else {
        serde_json::to_string(text).expect("strings serialise")
    }
}

pub struct Written {
    pub yaml: String,
    pub notes: Vec<String>,
}

pub fn process_yaml(
    id: &str,
    title: &str,
    source: &str,
    found: &Found,
    arranged: &Arranged,
    anchors: &BTreeSet<String>,
) -> Written {
    let mut notes = Vec::new();
    let stage_ids = unique_ids(found.stages.iter().map(|s| s.title.as_str()), "stage");
    let lane_ids = unique_ids(arranged.lanes.iter().map(String::as_str), "lane");
    let group_ids = unique_ids(arranged.groups.iter().map(|(t, _)| t.as_str()), "group");
    let has_arrows = found.stages.iter().any(|s| !s.next.is_empty());

    let mut y = String::new();
    let _ = writeln!(y, "# Converted by `signpost import` from the draw.io diagram in {source}.");
    let _ = writeln!(y, "# The drawing itself is kept beside this file as {id}.drawio.");
    let _ = writeln!(y, "id: {id}");
    let _ = writeln!(y, "title: {}", scalar(title));
    if arranged.down {
        let _ = writeln!(y, "direction: down");
    }
    let _ = writeln!(y, "lanes:");
    for (lane, lane_id) in arranged.lanes.iter().zip(&lane_ids) {
        let _ = writeln!(y, "  - id: {lane_id}\n    title: {}", scalar(lane));
    }
    let _ = writeln!(y, "stages:");
    for &s in &arranged.order {
        let stage = &found.stages[s];
        let _ = writeln!(y, "  - id: {}", stage_ids[s]);
        let _ = writeln!(y, "    title: {}", scalar(&stage.title));
        let _ = writeln!(y, "    lane: {}", lane_ids[arranged.lane_of[s]]);
        let kind = match (has_arrows, stage.incoming, stage.next.is_empty()) {
            (true, 0, false) => Some("start"),
            (true, n, true) if n > 0 => Some("end"),
            _ => None,
        };
        if let Some(kind) = kind {
            let _ = writeln!(y, "    kind: {kind}");
        }
        if let Some(summary) = &stage.summary {
            let _ = writeln!(y, "    summary: {}", scalar(summary));
        }
        let title_id = crate::content::slug::slugify(&stage.title);
        let (link, note) = stage_link(stage.link.as_deref(), &title_id, anchors, id);
        if let Some(note) = note {
            notes.push(format!("stage “{}”: {note}", stage.title));
        }
        if let Some(link) = link {
            let _ = writeln!(y, "    link: {}", scalar(&link));
        }
        if !stage.next.is_empty() {
            let next: Vec<&str> = stage.next.iter().map(|&n| stage_ids[n].as_str()).collect();
            let _ = writeln!(y, "    next: [{}]", next.join(", "));
        }
        if let Some(column) = arranged.columns[s] {
            let _ = writeln!(y, "    column: {column}");
        }
    }
    if !arranged.groups.is_empty() {
        let _ = writeln!(y, "groups:");
        for ((title, stages), group_id) in arranged.groups.iter().zip(&group_ids) {
            let ids: Vec<&str> = stages.iter().map(|&s| stage_ids[s].as_str()).collect();
            let _ = writeln!(y, "  - id: {group_id}\n    title: {}\n    stages: [{}]", scalar(title), ids.join(", "));
        }
    }
    Written { yaml: y, notes }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_scalars() {
        assert_eq!(id_from("Design, build and self test", "s"), "design-build-and-self-test");
        assert_eq!(id_from("ÉÉ", "s"), "s");
        assert_eq!(unique_ids(["A b", "A-b", "x"].into_iter(), "s"), ["a-b", "a-b-2", "x"]);
        assert_eq!(scalar("Go-live"), "Go-live");
        assert_eq!(scalar("yes"), "\"yes\"");
        assert_eq!(scalar("a: b"), "\"a: b\"");
        assert_eq!(scalar("#process-x"), "\"#process-x\"");
    }

    #[test]
    fn links_kept_or_replaced() {
        let anchors: BTreeSet<String> = ["go-live".to_string()].into();
        assert_eq!(stage_link(Some("p.html#a"), "x", &anchors, "d"), (Some("p.html#a".into()), None));
        let (link, note) = stage_link(Some("data:page/id,abc"), "x", &anchors, "d");
        assert_eq!(link.as_deref(), Some("#process-d"));
        assert!(note.unwrap().contains("data:page/id,abc"));
        assert_eq!(stage_link(None, "go-live", &anchors, "d"), (None, None));
    }
}
