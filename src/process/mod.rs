//! Process diagrams: a process written as data in `diagrams/ID.yaml`, validated once
//! ([`model`]), laid out deterministically ([`layout`], [`route`]), and drawn as an
//! accessible, clickable inline SVG ([`svg`]) with a text alternative ([`html`]).
//! [`drawio`] turns a draw.io drawing into such a process (for `signpost import`).
//! `docs/process-format.md` describes the format and the drawing.

mod crossing;
pub mod drawio;
pub mod export;
pub mod fit;
pub mod grid;
pub mod html;
pub mod layout;
pub mod linear;
pub mod model;
mod order;
pub mod quality;
pub mod route;
pub mod svg;
pub mod text;
pub mod variants;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::diagnostics::{Diagnostics, Location};

pub use export::{export_png, export_png_in, export_size, export_svg, export_svg_in};
pub use html::{place, Placement, StageLink};

/// The stylesheet for diagrams placed in pages; the theme includes it.
/// Where a site keeps its processes (`ID.yaml`) and draw.io drawings (`ID.drawio`).
pub const DIAGRAMS_DIR: &str = "diagrams";

pub const DIAGRAM_CSS: &str = include_str!("diagram.css");

/// The diagram's small script (focus back on the stage, the stage being read marked);
/// the theme includes it, and a diagram works fully without it.
pub const DIAGRAM_JS: &str = include_str!("diagram.js");

/// A validated process: every reference resolved, every id unique.
#[derive(Debug, Clone, PartialEq)]
pub struct Process {
    pub id: String,
    /// Where the id is written in `source`.
    pub id_at: Location,
    pub title: String,
    pub description: String,
    pub direction: Direction,
    /// Only extended by other processes (`abstract: true`), never placed itself.
    pub is_abstract: bool,
    pub lanes: Vec<Lane>,
    /// In the order written.
    pub stages: Vec<Stage>,
    pub groups: Vec<Group>,
    /// The file it came from, relative to the site root, such as `diagrams/booking.yaml`.
    pub source: PathBuf,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lane {
    pub id: String,
    /// Who acts in this lane, such as "Supplier".
    pub title: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stage {
    pub id: String,
    pub title: String,
    pub lane: String,
    pub summary: Option<String>,
    /// As written; `None` means the heading of the embedding page named like the stage.
    pub link: Option<String>,
    pub next: Vec<String>,
    pub kind: StageKind,
    pub icon: Option<Icon>,
    /// The layout hint: the stage goes in this column or, if the flow demands, later.
    pub column: Option<usize>,
    /// Where the stage starts in the YAML.
    pub location: Location,
    pub link_location: Option<Location>,
    pub(crate) lane_ix: usize,
    pub(crate) next_ix: Vec<usize>,
    pub(crate) group_ix: Option<usize>,
    /// Who acts (and the group), written above the title when the drawing has no lane
    /// bands to say it: set only in [`Process::in_one_lane`]'s copy.
    pub(crate) caption: Option<String>,
}

impl Process {
    /// Who acts in stage `s`, and its group: what a drawing without lane bands writes on
    /// the stage instead.
    pub(crate) fn caption(&self, s: usize) -> String {
        let stage = &self.stages[s];
        let lane = &self.lanes[stage.lane_ix].title;
        match stage.group_ix {
            // The separator ends the lane's line when the caption wraps.
            Some(g) => format!("{lane}\u{a0}· {}", self.groups[g].title),
            None => lane.clone(),
        }
    }

    /// This process laid out as if it had one lane and no groups, each stage captioned
    /// with its own lane and group ([`Process::caption`]): what `fit` tries when the
    /// bands make a drawing too tall to be seen whole. The stages keep their places, so a
    /// layout of this copy draws the original.
    pub(crate) fn in_one_lane(&self) -> Process {
        let mut one = self.clone();
        for (s, stage) in one.stages.iter_mut().enumerate() {
            stage.caption = Some(self.caption(s));
            stage.lane_ix = 0;
            stage.group_ix = None;
        }
        one.lanes = vec![Lane { id: String::new(), title: String::new() }];
        one.groups = Vec::new();
        one
    }

    /// Whether this is [`Process::in_one_lane`]'s copy, drawn without bands.
    pub(crate) fn lanes_in_captions(&self) -> bool {
        self.stages.iter().any(|s| s.caption.is_some())
    }
}

impl Stage {
    /// The link as written, or `#<slug of the title>`, also in place of a link that
    /// would run script (reported when the process loads; a warning if so configured).
    pub fn href(&self) -> String {
        match &self.link {
            Some(link) if crate::link_scheme::refusal(link, false).is_none() => link.clone(),
            _ => model::default_href(&self.title),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    pub id: String,
    pub title: String,
    pub stages: Vec<String>,
    pub(crate) stage_ix: Vec<usize>,
}

/// What a stage is; each kind has its own shape, so colour is never the only cue.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StageKind {
    Start,
    #[default]
    Stage,
    Milestone,
    End,
}

impl StageKind {
    pub fn name(self) -> &'static str {
        match self {
            StageKind::Start => "start",
            StageKind::Stage => "stage",
            StageKind::Milestone => "milestone",
            StageKind::End => "end",
        }
    }
}

/// Which way the flow runs: `right` draws lanes as horizontal bands, `down` as columns.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    #[default]
    Right,
    Down,
}

/// A small pictogram drawn in the corner of a stage, from a fixed set drawn inline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Icon {
    Document,
    Certificate,
    People,
    Code,
    Test,
    Search,
    Settings,
    Flag,
}

/// Parses and validates one process; `source` is the path shown in messages.
pub fn parse(text: &str, source: &Path) -> Result<Process, Diagnostics> {
    let file = model::parse_file(text, source).map_err(Diagnostics::from)?;
    model::validate(file, source)
}

/// Reads every `diagrams/*.yaml` under `root`, keyed by process id. A file with errors is
/// left out and its problems reported; the others still load.
pub fn load_all(root: &Path) -> (BTreeMap<String, Process>, Diagnostics) {
    let mut processes = BTreeMap::new();
    let mut problems = Diagnostics::default();
    let dir = root.join(DIAGRAMS_DIR);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return (processes, problems);
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "yaml") && p.is_file())
        .collect();
    files.sort();
    let mut written_files = BTreeMap::new();
    for path in files {
        let shown = path.strip_prefix(root).unwrap_or(&path).to_path_buf();
        let text = match crate::diagnostics::read_text(&path, &shown) {
            Ok(text) => text,
            Err(found) => {
                let at = found.location.clone().unwrap_or_else(|| Location::new(&shown, 1, 1));
                problems.push(found.at(at));
                continue;
            }
        };
        let stem = path.file_stem().map(|s| s.to_string_lossy().to_string()).unwrap_or_default();
        match variants::parse_written(&text, &shown) {
            Ok(written) => {
                written_files.insert(stem, (shown, written));
            }
            Err(found) => problems.push(found),
        }
    }
    let (resolved, found) = variants::resolve(&written_files);
    processes.extend(resolved);
    problems.extend(found);
    problems.sort();
    (processes, problems)
}
