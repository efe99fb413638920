//! The process format as written (`ProcessFile`, straight from serde) and its validation
//! into a [`Process`]. Validation is a function over the whole written model, so variants
//! (`extends:`) can merge files first and validate the merged result once.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::Deserialize;

use super::{Direction, Group, Icon, Lane, Process, Stage, StageKind};
use crate::content::slug::slugify;
use crate::diagnostics::{Diagnostic, Diagnostics, Kind, Location};
use crate::yaml::{self, Spanned};

/// One `diagrams/ID.yaml` exactly as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProcessFile {
    pub id: Spanned<String>,
    pub title: Spanned<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub direction: Option<Direction>,
    /// Only extended by other processes, never placed on a page itself.
    #[serde(default, rename = "abstract")]
    pub r#abstract: bool,
    pub lanes: Spanned<Vec<LaneFile>>,
    pub stages: Spanned<Vec<Spanned<StageFile>>>,
    #[serde(default)]
    pub groups: Vec<GroupFile>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LaneFile {
    pub id: Spanned<String>,
    pub title: Spanned<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StageFile {
    pub id: Spanned<String>,
    pub title: Spanned<String>,
    pub lane: Spanned<String>,
    #[serde(default)]
    pub kind: StageKind,
    #[serde(default)]
    pub summary: Option<String>,
    #[serde(default)]
    pub link: Option<Spanned<String>>,
    #[serde(default)]
    pub next: Vec<Spanned<String>>,
    #[serde(default)]
    pub column: Option<Spanned<usize>>,
    #[serde(default)]
    pub icon: Option<Icon>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupFile {
    pub id: Spanned<String>,
    pub title: Spanned<String>,
    pub stages: Spanned<Vec<Spanned<String>>>,
}

/// A column hint larger than this is a typing slip, not a layout.
const MAX_COLUMN: usize = 200;

/// Parses one process file; `source` is the path shown in messages (relative to the root).
pub fn parse_file(text: &str, source: &Path) -> Result<ProcessFile, Diagnostic> {
    yaml::parse::<ProcessFile>(text, source, 1)
}

/// Checks a written process and builds the model the layout trusts: every id unique and
/// well formed, every reference resolved, every stage in at most one group.
pub fn validate(file: ProcessFile, source: &Path) -> Result<Process, Diagnostics> {
    let mut v = Validator { source, problems: Diagnostics::default() };
    let at = |s: &Spanned<String>| v_loc(source, s);

    v.check_id(&file.id, "process");
    if let Some(stem) = source.file_stem().and_then(|s| s.to_str()) {
        if file.id.value != stem {
            v.error(
                Kind::ProcessId,
                format!("process id `{}` does not match its file name `{stem}.yaml`", file.id.value),
                at(&file.id),
                format!("write `id: {stem}` or rename the file to `{}.yaml`", file.id.value),
            );
        }
    }
    v.check_text(&file.title, "process title");

    if file.lanes.value.is_empty() {
        v.error(
            Kind::ProcessLanes,
            "a process needs at least one lane",
            v_loc(source, &file.lanes),
            "add a lane under `lanes:`",
        );
    }
    let mut lane_index = BTreeMap::new();
    for (i, lane) in file.lanes.value.iter().enumerate() {
        v.check_id(&lane.id, "lane");
        v.check_text(&lane.title, "lane title");
        if lane_index.insert(lane.id.value.clone(), i).is_some() {
            v.duplicate("lane", &lane.id);
        }
    }

    let stages = &file.stages.value;
    if stages.is_empty() {
        v.error(
            Kind::ProcessStages,
            "a process needs at least one stage",
            v_loc(source, &file.stages),
            "add a stage under `stages:`",
        );
    }
    let mut stage_index = BTreeMap::new();
    for (i, stage) in stages.iter().enumerate() {
        v.check_id(&stage.value.id, "stage");
        if stage_index.insert(stage.value.id.value.clone(), i).is_some() {
            v.duplicate("stage", &stage.value.id);
        }
    }

    let mut built = Vec::with_capacity(stages.len());
    for spanned in stages {
        let s = &spanned.value;
        v.check_text(&s.title, "stage title");
        let lane_ix = v.resolve(&lane_index, &s.lane, "lane", "lanes");
        let mut next_ix = Vec::with_capacity(s.next.len());
        let mut seen = BTreeSet::new();
        for n in &s.next {
            if n.value == s.id.value {
                v.error(
                    Kind::ProcessRef,
                    format!("stage `{}` lists itself in `next`", n.value),
                    at(n),
                    "remove it: a stage cannot lead to itself",
                );
            } else if !seen.insert(n.value.as_str()) {
                v.error(
                    Kind::ProcessRef,
                    format!("stage `{}` is listed twice in `next`", n.value),
                    at(n),
                    "list each next stage once",
                );
            } else if let Some(ix) = v.resolve(&stage_index, n, "stage", "stages") {
                next_ix.push(ix);
            }
        }
        if let Some(link) = &s.link {
            v.check_link(link);
        }
        let column = s.column.as_ref().map(|c| {
            if c.value > MAX_COLUMN {
                v.error(
                    Kind::ProcessColumn,
                    format!("column {} is too large (at most {MAX_COLUMN})", c.value),
                    v_loc(source, c),
                    "column is a hint counted from 0; remove it to let the layout decide",
                );
            }
            c.value.min(MAX_COLUMN)
        });
        let location = v_loc(source, spanned);
        let link_location = s.link.as_ref().map(at);
        built.push(Stage {
            id: s.id.value.clone(),
            title: s.title.value.trim().to_string(),
            lane: s.lane.value.clone(),
            summary: s.summary.as_ref().map(|t| t.trim().to_string()).filter(|t| !t.is_empty()),
            link: s.link.as_ref().map(|l| l.value.trim().to_string()),
            next: s.next.iter().map(|n| n.value.clone()).collect(),
            kind: s.kind,
            icon: s.icon,
            column,
            location,
            link_location,
            lane_ix: lane_ix.unwrap_or(0),
            next_ix,
            group_ix: None,
            caption: None,
        });
    }

    let mut groups = Vec::with_capacity(file.groups.len());
    let mut group_ids = BTreeSet::new();
    for (gi, g) in file.groups.iter().enumerate() {
        v.check_id(&g.id, "group");
        v.check_text(&g.title, "group title");
        if !group_ids.insert(g.id.value.as_str()) {
            v.duplicate("group", &g.id);
        }
        if g.stages.value.is_empty() {
            v.error(
                Kind::ProcessGroup,
                format!("group `{}` has no stages", g.id.value),
                v_loc(source, &g.stages),
                "list the ids of the stages the group surrounds",
            );
        }
        let mut stage_ix = Vec::new();
        for s in &g.stages.value {
            let Some(ix) = v.resolve(&stage_index, s, "stage", "stages") else { continue };
            match built[ix].group_ix {
                Some(other) if other == gi => {
                    v.error(
                        Kind::ProcessGroup,
                        format!("stage `{}` is listed twice in group `{}`", s.value, g.id.value),
                        at(s),
                        "list each stage once",
                    );
                }
                Some(other) => v.error(
                    Kind::ProcessGroup,
                    format!("stage `{}` is already in group `{}`", s.value, file.groups[other].id.value),
                    at(s),
                    "a stage belongs to at most one group; remove it from one of them",
                ),
                None => {
                    built[ix].group_ix = Some(gi);
                    stage_ix.push(ix);
                }
            }
        }
        groups.push(Group {
            id: g.id.value.clone(),
            title: g.title.value.trim().to_string(),
            stages: stage_ix.iter().map(|&i| built[i].id.clone()).collect(),
            stage_ix,
        });
    }

    if v.problems.has_errors() {
        v.problems.sort();
        return Err(v.problems);
    }
    Ok(Process {
        id_at: v_loc(source, &file.id),
        id: file.id.value,
        title: file.title.value.trim().to_string(),
        description: file.description.map(|d| d.trim().to_string()).unwrap_or_default(),
        direction: file.direction.unwrap_or_default(),
        is_abstract: file.r#abstract,
        lanes: file
            .lanes
            .value
            .into_iter()
            .map(|l| Lane { id: l.id.value, title: l.title.value.trim().to_string() })
            .collect(),
        stages: built,
        groups,
        source: source.to_path_buf(),
    })
}

/// The href a stage's link points at: as written, or the heading of the embedding page
/// whose id is the slug of the stage title.
pub fn default_href(title: &str) -> String {
    format!("#{}", slugify(title))
}

fn v_loc<T>(source: &Path, s: &Spanned<T>) -> Location {
    yaml::location_of(s, source, 1).unwrap_or_else(|| Location::new(source, 1, 1))
}

struct Validator<'a> {
    source: &'a Path,
    problems: Diagnostics,
}

impl Validator<'_> {
    fn error(&mut self, kind: Kind, message: impl Into<String>, at: Location, hint: impl Into<String>) {
        self.problems.push(Diagnostic::error(kind, message).at(at).hint(hint));
    }

    fn loc<T>(&self, s: &Spanned<T>) -> Location {
        v_loc(self.source, s)
    }

    /// Ids become HTML ids and file names, so they are kept to a safe alphabet.
    fn check_id(&mut self, id: &Spanned<String>, what: &str) {
        let ok = id.value.chars().next().is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
            && id.value.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
        if !ok {
            let at = self.loc(id);
            let suggestion = slugify(&id.value);
            self.error(
                Kind::ProcessId,
                format!("{what} id `{}` is not a valid id", id.value),
                at,
                format!(
                    "use lower-case letters, digits, `-` and `_`, such as `{}`",
                    if suggestion.is_empty() { "stage-1" } else { &suggestion }
                ),
            );
        }
    }

    fn check_text(&mut self, text: &Spanned<String>, what: &str) {
        if text.value.trim().is_empty() {
            let at = self.loc(text);
            self.error(Kind::ProcessText, format!("the {what} is empty"), at, "write a short title");
        }
    }

    fn duplicate(&mut self, what: &str, id: &Spanned<String>) {
        let at = self.loc(id);
        self.error(
            Kind::ProcessDuplicate,
            format!("duplicate {what} id `{}`", id.value),
            at,
            format!("give each {what} its own id"),
        );
    }

    fn resolve(
        &mut self,
        index: &BTreeMap<String, usize>,
        r: &Spanned<String>,
        what: &str,
        list: &str,
    ) -> Option<usize> {
        let found = index.get(&r.value).copied();
        if found.is_none() {
            let at = self.loc(r);
            let known: Vec<&str> = index.keys().map(String::as_str).collect();
            let hint = match closest(&r.value, &known) {
                Some(near) => format!("did you mean `{near}`? the {list} of this process are: {}", known.join(", ")),
                None => format!("the {list} of this process are: {}", known.join(", ")),
            };
            // `unknown-stage` is also the name `signpost check` reports it under.
            let kind = if what == "stage" { Kind::UnknownStage } else { Kind::ProcessRef };
            self.error(kind, format!("unknown {what} `{}`", r.value), at, hint);
        }
        found
    }

    fn check_link(&mut self, link: &Spanned<String>) {
        let href = link.value.trim();
        let problem = if href.is_empty() {
            Some("the link is empty")
        } else if let Some(refused) = crate::link_scheme::refusal(&link.value, false) {
            Some(refused)
        } else if href.chars().any(char::is_whitespace) {
            Some("a link cannot contain spaces")
        } else if href == "#" || href.ends_with('#') {
            Some("the link has no anchor after `#`")
        } else {
            None
        };
        if let Some(problem) = problem {
            let at = self.loc(link);
            self.error(
                Kind::ProcessLink,
                format!("{problem}: `{href}`"),
                at,
                "write `page.html#anchor`, `#anchor` or an https:// address, or remove `link` to point at the heading named like the stage",
            );
        }
    }
}

/// The known name nearest to a misspelt one, if it is close enough to be a likely slip.
fn closest<'a>(wrong: &str, known: &[&'a str]) -> Option<&'a str> {
    known.iter().map(|k| (edit_distance(wrong, k), *k)).filter(|(d, k)| *d <= 2.max(k.len() / 4)).min().map(|(_, k)| k)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn near_misses_are_suggested() {
        assert_eq!(closest("integratoin", &["design", "integration"]), Some("integration"));
        assert_eq!(closest("zzz", &["design", "integration"]), None);
    }
}
