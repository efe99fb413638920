//! Process variants: a process that `extends:` another and changes it by id — stage
//! fields overridden, stages removed (their predecessors joined to their successors) or
//! inserted before or after a named stage, lanes and groups added, renamed or removed.
//! Chains of `extends` resolve in order; a cycle is an error naming the chain. The merged
//! process is validated like any other.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::model::{self, GroupFile, LaneFile, ProcessFile, StageFile};
use super::{Direction, Icon, Process, StageKind};
use crate::diagnostics::{Diagnostic, Diagnostics, Kind, Location};
use crate::yaml::{self, Spanned};

/// A process file as written: a whole process, or changes to another.
#[derive(Debug, Clone)]
pub enum Written {
    Base(ProcessFile),
    Variant(VariantFile),
}

/// `diagrams/ID.yaml` with `extends:`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VariantFile {
    pub id: Spanned<String>,
    pub extends: Spanned<String>,
    #[serde(default)]
    pub title: Option<Spanned<String>>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub direction: Option<Direction>,
    /// Only extended, never placed on a page itself.
    #[serde(default, rename = "abstract")]
    pub r#abstract: bool,
    #[serde(default)]
    pub lanes: LaneChanges,
    #[serde(default)]
    pub stages: StageChanges,
    #[serde(default)]
    pub groups: GroupChanges,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LaneChanges {
    #[serde(default)]
    pub add: Vec<LaneFile>,
    /// Lane id -> new title.
    #[serde(default)]
    pub rename: BTreeMap<String, Spanned<String>>,
    #[serde(default)]
    pub remove: Vec<Spanned<String>>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StageChanges {
    /// Stage id -> the fields to change.
    #[serde(default, rename = "override")]
    pub overrides: BTreeMap<String, Spanned<StagePatch>>,
    #[serde(default)]
    pub remove: Vec<Spanned<String>>,
    #[serde(default)]
    pub insert: Vec<Spanned<Insert>>,
    /// New stages with the edges they list, and no others (for a branch of the flow).
    #[serde(default)]
    pub add: Vec<Spanned<StageFile>>,
}

/// The fields of a stage a variant may change; the others stay as the base has them.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StagePatch {
    #[serde(default)]
    pub title: Option<Spanned<String>>,
    #[serde(default)]
    pub lane: Option<Spanned<String>>,
    #[serde(default)]
    pub kind: Option<StageKind>,
    #[serde(default)]
    pub summary: Option<String>,
    #[serde(default)]
    pub link: Option<Spanned<String>>,
    #[serde(default)]
    pub next: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    pub column: Option<Spanned<usize>>,
    #[serde(default)]
    pub icon: Option<Icon>,
}

/// New stages placed before or after a stage of the base, in the order written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Insert {
    #[serde(default)]
    pub before: Option<Spanned<String>>,
    #[serde(default)]
    pub after: Option<Spanned<String>>,
    pub stages: Vec<Spanned<StageFile>>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupChanges {
    #[serde(default)]
    pub add: Vec<GroupFile>,
    #[serde(default)]
    pub rename: BTreeMap<String, Spanned<String>>,
    #[serde(default)]
    pub remove: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
struct Probe {
    #[serde(default)]
    extends: Option<serde_json::Value>,
}

/// Parses a process file, whole or variant.
pub fn parse_written(text: &str, source: &Path) -> Result<Written, Diagnostic> {
    let probe: Probe = yaml::parse(text, source, 1)?;
    if probe.extends.is_some() {
        yaml::parse::<VariantFile>(text, source, 1).map(Written::Variant)
    } else {
        model::parse_file(text, source).map(Written::Base)
    }
}

/// Which file each stage (and its link) came from, so positions name the right file.
#[derive(Debug, Clone, Default)]
struct Origins {
    stage: BTreeMap<String, PathBuf>,
    link: BTreeMap<String, PathBuf>,
}

/// Resolves every file (id -> source path and contents) into validated processes.
pub fn resolve(files: &BTreeMap<String, (PathBuf, Written)>) -> (BTreeMap<String, Process>, Diagnostics) {
    let mut processes = BTreeMap::new();
    let mut problems = Diagnostics::default();
    for id in files.keys() {
        match merged(id, files, &mut Vec::new()) {
            Ok((file, origins)) => {
                let source = &files[id].0;
                match model::validate(file, source) {
                    Ok(mut process) => {
                        fix_origins(&mut process, &origins);
                        processes.insert(id.clone(), process);
                    }
                    Err(found) => problems.extend(found),
                }
            }
            Err(found) => problems.extend(found),
        }
    }
    problems.sort();
    (processes, problems)
}

/// The whole written process for `id`, with its variants applied; `chain` holds the ids
/// being resolved, to find cycles.
fn merged(
    id: &str,
    files: &BTreeMap<String, (PathBuf, Written)>,
    chain: &mut Vec<String>,
) -> Result<(ProcessFile, Origins), Diagnostics> {
    let (source, written) = &files[id];
    match written {
        Written::Base(file) => {
            let mut origins = Origins::default();
            for s in &file.stages.value {
                origins.stage.insert(s.value.id.value.clone(), source.clone());
                origins.link.insert(s.value.id.value.clone(), source.clone());
            }
            Ok((file.clone(), origins))
        }
        Written::Variant(variant) => {
            let at = |s: &Spanned<String>| loc(source, s);
            let parent = &variant.extends.value;
            if chain.iter().any(|c| c == id) || parent == id {
                let mut names: Vec<&str> = chain.iter().map(String::as_str).skip_while(|c| *c != id).collect();
                names.push(id);
                return Err(Diagnostic::error(
                    Kind::ProcessExtends,
                    format!("`extends` goes round in a circle: {}", names.join(" -> ")),
                )
                .at(at(&variant.extends))
                .hint("one process in the chain must be a whole process, not a variant")
                .into());
            }
            if !files.contains_key(parent) {
                let known: Vec<&str> = files.keys().map(String::as_str).filter(|k| *k != id).collect();
                return Err(Diagnostic::error(
                    Kind::ProcessExtends,
                    format!("`{id}` extends `{parent}`, which is not in diagrams/"),
                )
                .at(at(&variant.extends))
                .hint(format!("extend one of: {}", known.join(", ")))
                .into());
            }
            chain.push(id.to_string());
            let result = merged(parent, files, chain);
            chain.pop();
            let (base, origins) = result.map_err(|inner| {
                if inner.iter().any(|d| d.kind == Kind::ProcessExtends) {
                    inner
                } else {
                    Diagnostic::error(
                        Kind::ProcessExtends,
                        format!("`{parent}` has errors, so `{id}` cannot extend it"),
                    )
                    .at(at(&variant.extends))
                    .hint(format!("fix diagrams/{parent}.yaml first"))
                    .into()
                }
            })?;
            // A base with errors of its own is reported once, for the base.
            if files[parent].1.is_base() && model::validate(base.clone(), &files[parent].0).is_err() {
                return Err(Diagnostic::error(
                    Kind::ProcessExtends,
                    format!("`{parent}` has errors, so `{id}` cannot extend it"),
                )
                .at(at(&variant.extends))
                .hint(format!("fix diagrams/{parent}.yaml first"))
                .into());
            }
            apply(base, origins, variant, source)
        }
    }
}

impl Written {
    fn is_base(&self) -> bool {
        matches!(self, Written::Base(_))
    }
}

/// Applies a variant's changes to its base: lanes, then stages, then groups.
fn apply(
    mut file: ProcessFile,
    mut origins: Origins,
    v: &VariantFile,
    source: &Path,
) -> Result<(ProcessFile, Origins), Diagnostics> {
    let mut problems = Diagnostics::default();
    let missing = |what: &str, id: &str, at: Location, hint: String| {
        Diagnostic::error(Kind::ProcessVariant, format!("the base has no {what} `{id}`")).at(at).hint(hint)
    };
    file.id = v.id.clone();
    if let Some(title) = &v.title {
        file.title = title.clone();
    }
    if v.description.is_some() {
        file.description = v.description.clone();
    }
    if v.direction.is_some() {
        file.direction = v.direction;
    }
    // A variant is placed on pages even when its base is only there to be extended.
    file.r#abstract = v.r#abstract;
    let lane_ids = |f: &ProcessFile| f.lanes.value.iter().map(|l| l.id.value.clone()).collect::<Vec<_>>().join(", ");
    let stage_ids =
        |f: &ProcessFile| f.stages.value.iter().map(|s| s.value.id.value.clone()).collect::<Vec<_>>().join(", ");

    // Lanes.
    for (id, title) in &v.lanes.rename {
        match file.lanes.value.iter_mut().find(|l| &l.id.value == id) {
            Some(lane) => lane.title = title.clone(),
            None => {
                problems.push(missing("lane", id, loc(source, title), format!("the lanes are: {}", lane_ids(&file))))
            }
        }
    }
    for id in &v.lanes.remove {
        let before = file.lanes.value.len();
        file.lanes.value.retain(|l| l.id.value != id.value);
        if file.lanes.value.len() == before {
            problems.push(missing("lane", &id.value, loc(source, id), format!("the lanes are: {}", lane_ids(&file))));
        }
    }
    file.lanes.value.extend(v.lanes.add.iter().cloned());

    // Stages: overrides first (they name stages of the base), then removals, then inserts.
    for (id, patch) in &v.stages.overrides {
        let Some(stage) = file.stages.value.iter_mut().find(|s| &s.value.id.value == id) else {
            problems.push(missing("stage", id, loc(source, patch), format!("the stages are: {}", stage_ids(&file))));
            continue;
        };
        let p = &patch.value;
        let s = &mut stage.value;
        if let Some(t) = &p.title {
            s.title = t.clone();
        }
        if let Some(l) = &p.lane {
            s.lane = l.clone();
        }
        if let Some(k) = p.kind {
            s.kind = k;
        }
        if p.summary.is_some() {
            s.summary = p.summary.clone();
        }
        if let Some(link) = &p.link {
            s.link = Some(link.clone());
            origins.link.insert(id.clone(), source.to_path_buf());
        }
        if let Some(next) = &p.next {
            s.next = next.clone();
        }
        if p.column.is_some() {
            s.column = p.column.clone();
        }
        if p.icon.is_some() {
            s.icon = p.icon;
        }
        if p.title.is_some() || p.lane.is_some() || p.next.is_some() {
            origins.stage.insert(id.clone(), source.to_path_buf());
        }
    }
    for id in &v.stages.remove {
        if remove_stage(&mut file, &id.value).is_none() {
            problems.push(missing(
                "stage",
                &id.value,
                loc(source, id),
                format!("the stages are: {}", stage_ids(&file)),
            ));
        }
    }
    for insert in &v.stages.insert {
        let i = &insert.value;
        let (anchor, after) = match (&i.before, &i.after) {
            (Some(b), None) => (b, false),
            (None, Some(a)) => (a, true),
            _ => {
                problems.push(
                    Diagnostic::error(Kind::ProcessVariant, "an insert needs exactly one of `before` and `after`")
                        .at(loc(source, insert))
                        .hint("write `before: STAGE` or `after: STAGE`"),
                );
                continue;
            }
        };
        if !file.stages.value.iter().any(|s| s.value.id.value == anchor.value) {
            problems.push(missing(
                "stage",
                &anchor.value,
                loc(source, anchor),
                format!("the stages are: {}", stage_ids(&file)),
            ));
            continue;
        }
        for s in &i.stages {
            origins.stage.insert(s.value.id.value.clone(), source.to_path_buf());
            origins.link.insert(s.value.id.value.clone(), source.to_path_buf());
        }
        insert_stages(&mut file, &anchor.value, after, &i.stages);
    }

    for s in &v.stages.add {
        origins.stage.insert(s.value.id.value.clone(), source.to_path_buf());
        origins.link.insert(s.value.id.value.clone(), source.to_path_buf());
        file.stages.value.push(s.clone());
    }

    // Groups.
    for (id, title) in &v.groups.rename {
        match file.groups.iter_mut().find(|g| &g.id.value == id) {
            Some(group) => group.title = title.clone(),
            None => problems.push(missing("group", id, loc(source, title), "check the group ids of the base".into())),
        }
    }
    for id in &v.groups.remove {
        let before = file.groups.len();
        file.groups.retain(|g| g.id.value != id.value);
        if file.groups.len() == before {
            problems.push(missing("group", &id.value, loc(source, id), "check the group ids of the base".into()));
        }
    }
    file.groups.extend(v.groups.add.iter().cloned());

    if problems.has_errors() {
        Err(problems)
    } else {
        Ok((file, origins))
    }
}

/// Removes a stage; every stage that led to it now leads where it led. `None` if absent.
fn remove_stage(file: &mut ProcessFile, id: &str) -> Option<()> {
    let index = file.stages.value.iter().position(|s| s.value.id.value == id)?;
    let removed = file.stages.value.remove(index).value;
    for stage in &mut file.stages.value {
        let s = &mut stage.value;
        if let Some(at) = s.next.iter().position(|n| n.value == id) {
            s.next.remove(at);
            for (offset, successor) in removed.next.iter().enumerate() {
                if successor.value != s.id.value && !s.next.iter().any(|n| n.value == successor.value) {
                    s.next.insert((at + offset).min(s.next.len()), successor.clone());
                }
            }
        }
    }
    for group in &mut file.groups {
        group.stages.value.retain(|s| s.value != id);
    }
    file.groups.retain(|g| !g.stages.value.is_empty());
    Some(())
}

/// Inserts a run of stages before or after `anchor`, chained in order. After: the anchor
/// leads to the first and the last leads where the anchor led. Before: whatever led to the
/// anchor leads to the first, and the last leads to the anchor. A new stage that lists
/// its own `next` keeps it.
fn insert_stages(file: &mut ProcessFile, anchor: &str, after: bool, new: &[Spanned<StageFile>]) {
    let Some(first) = new.first() else { return };
    let last = new.last().expect("not empty");
    let mut run: Vec<Spanned<StageFile>> = new.to_vec();
    let link = |from: &Spanned<StageFile>, to: &Spanned<String>| {
        let mut id = to.clone();
        id.referenced = from.referenced;
        id.defined = from.defined;
        id
    };
    for i in 0..run.len().saturating_sub(1) {
        if run[i].value.next.is_empty() {
            let to = run[i + 1].value.id.clone();
            let to = link(&run[i], &to);
            run[i].value.next.push(to);
        }
    }
    let position = file.stages.value.iter().position(|s| s.value.id.value == anchor).expect("checked");
    if after {
        let anchor_stage = &mut file.stages.value[position].value;
        let old_next = std::mem::replace(&mut anchor_stage.next, vec![link(first, &first.value.id)]);
        let end = run.len() - 1;
        if run[end].value.next.is_empty() {
            run[end].value.next = old_next;
        }
        file.stages.value.splice(position + 1..position + 1, run);
    } else {
        for stage in &mut file.stages.value {
            for n in &mut stage.value.next {
                if n.value == anchor {
                    n.value = first.value.id.value.clone();
                }
            }
        }
        let end = run.len() - 1;
        if run[end].value.next.is_empty() {
            let to = file.stages.value[position].value.id.clone();
            let to = link(last, &to);
            run[end].value.next.push(to);
        }
        file.stages.value.splice(position..position, run);
    }
}

/// Points each stage's positions at the file that wrote it.
fn fix_origins(process: &mut Process, origins: &Origins) {
    for stage in &mut process.stages {
        if let Some(file) = origins.stage.get(&stage.id) {
            stage.location.file = file.as_path().into();
        }
        if let (Some(link), Some(file)) = (&mut stage.link_location, origins.link.get(&stage.id)) {
            link.file = file.as_path().into();
        }
    }
}

fn loc<T>(source: &Path, s: &Spanned<T>) -> Location {
    yaml::location_of(s, source, 1).unwrap_or_else(|| Location::new(source, 1, 1))
}
