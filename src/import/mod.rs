//! `signpost import JEKYLL_SITE OUT_DIR`: a Jekyll documentation site as a Signpost site.
//!
//! Pages keep their text, front matter and Liquid (Signpost's page pipeline runs the Liquid
//! these sites use); `_config.yml` becomes site.yaml; `_data` comes along as it is; each
//! embedded draw.io diagram becomes a process in `diagrams/` placed with
//! `{% include process.html id="..." %}`. What could not be carried over is reported per
//! page and line, and the import goes on. docs/jekyll.md describes it all.

pub mod jekyll;
pub mod pages;
mod site_yaml;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::diagnostics::{Diagnostic, Diagnostics, Kind, Location};
use crate::process::drawio;
use jekyll::{JekyllConfig, Role};
use pages::{DiagramResult, PageDraft};

/// Default values Signpost has no use for (they configure the Jekyll theme).
const UNUSED_DEFAULTS: &[&str] = &["comments"];

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// A problem with the arguments: exit status 2.
    #[error("{0}")]
    Usage(String),
    #[error("{0}")]
    Config(Diagnostic),
    #[error("cannot write {path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
}

/// One diagram of the import and what became of it.
#[derive(Debug)]
pub struct DiagramReport {
    pub page: PathBuf,
    pub result: DiagramResult,
}

#[derive(Debug, Default)]
pub struct Report {
    pub title: String,
    /// Markdown files Jekyll renders as pages (posts and output collections included).
    pub pages_found: usize,
    /// Pages written published (a page losing a shared permalink is written unpublished).
    pub pages_published: usize,
    pub static_files: usize,
    pub data_files: usize,
    pub diagrams: Vec<DiagramReport>,
    /// Warnings and errors, each at its file and line in the Jekyll site.
    pub diagnostics: Diagnostics,
    /// Counts of what the default theme or Signpost does not do, by name.
    pub unsupported: BTreeMap<String, usize>,
    /// Pages whose references to files in an included `_` folder were pointed at the
    /// files' new place (the folder loses its `_`), with how many.
    pub relinked: BTreeMap<PathBuf, usize>,
}

impl Report {
    pub fn diagrams_converted(&self) -> usize {
        self.diagrams.iter().filter(|d| d.result.outcome.is_ok()).count()
    }

    /// The one-line summary `signpost import` prints.
    pub fn summary(&self, out: &Path) -> String {
        let warnings = self.diagnostics.warnings();
        let errors = self.diagnostics.errors();
        format!(
            "Imported “{}” into {}: {} of {} pages published, {} of {} diagrams converted, {} files, {} data files{}{}{}",
            self.title,
            out.display(),
            self.pages_published,
            self.pages_found,
            self.diagrams_converted(),
            self.diagrams.len(),
            self.static_files,
            self.data_files,
            match self.relinked.values().sum::<usize>() {
                0 => String::new(),
                n => format!(", {n} references to files moved out of `_` folders updated"),
            },
            match warnings {
                0 => String::new(),
                1 => ", 1 warning".into(),
                n => format!(", {n} warnings"),
            },
            match errors {
                0 => String::new(),
                1 => ", 1 error".into(),
                n => format!(", {n} errors"),
            },
        )
    }
}

/// Imports the Jekyll site at `from` into a new Signpost site at `to` (which must not
/// exist or be empty). Problems in single pages or diagrams are reported, not fatal.
pub fn import(from: &Path, to: &Path) -> Result<Report, ImportError> {
    if !from.join(jekyll::CONFIG_FILE).is_file() {
        return Err(ImportError::Usage(format!(
            "{} is not a Jekyll site: it has no {}",
            from.display(),
            jekyll::CONFIG_FILE
        )));
    }
    if to.exists() && std::fs::read_dir(to).map(|mut d| d.next().is_some()).unwrap_or(true) {
        return Err(ImportError::Usage(format!("{} exists and is not empty; choose a new folder", to.display())));
    }
    let (config, config_warnings) = JekyllConfig::load(from).map_err(ImportError::Config)?;
    let mut report = Report::default();
    report.diagnostics.extend(config_warnings);
    let mut out = Writer { root: to.to_path_buf() };

    let mut drafts = Vec::new();
    // Files Jekyll published from an included `_` folder, which the import moves.
    let mut moved = BTreeSet::new();
    let mut collections: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for entry in walkdir::WalkDir::new(from).sort_by_file_name().into_iter().filter_map(Result::ok) {
        if !entry.file_type().is_file() {
            continue;
        }
        let rel = crate::content::to_slash(entry.path().strip_prefix(from).unwrap_or(entry.path()));
        if rel.starts_with("_data/") {
            out.copy(entry.path(), &format!("content/{rel}"))?;
            report.data_files += 1;
            continue;
        }
        if rel.starts_with("_includes/") {
            out.copy(entry.path(), &rel)?;
            continue;
        }
        let bytes =
            std::fs::read(entry.path()).map_err(|e| ImportError::Io { path: entry.path().into(), source: e })?;
        let text = String::from_utf8(bytes);
        let has_front = text.as_ref().is_ok_and(|t| crate::content::normalise_text(t.clone()).starts_with("---"));
        match config.role(&rel, has_front) {
            Role::Skipped => {}
            Role::Static => {
                if content_path(&rel) != rel {
                    moved.insert(rel.clone());
                }
                out.copy(entry.path(), &format!("content/{}", content_path(&rel)))?;
                report.static_files += 1;
            }
            Role::Document { collection, output: false } => {
                let draft = PageDraft::read(rel.clone().into(), String::new(), text.unwrap_or_default(), String::new());
                let mut doc: serde_json::Map<String, Value> = draft.front.into_iter().collect();
                let body = crate::content::normalise_text(draft.text.clone());
                doc.insert("content".into(), Value::String(frontmatter_body(&body).trim().to_string()));
                collections.entry(collection).or_default().push(Value::Object(doc));
            }
            role => {
                let Ok(text) = text else {
                    report.diagnostics.push(
                        Diagnostic::error(Kind::Encoding, "the file is not valid UTF-8; not imported")
                            .at(Location::new(&rel, 1, 1))
                            .hint("save the file as UTF-8 and import again"),
                    );
                    continue;
                };
                if rel == "404.md" || rel == "404.html" {
                    report.diagnostics.push(
                        Diagnostic::warning(
                            Kind::ImportSkipped,
                            format!("the theme makes the 404 page; {rel} is not imported"),
                        )
                        .at(Location::new(&rel, 1, 1)),
                    );
                    continue;
                }
                let dest = content_path(&rel);
                let derived = derived_permalink(&config, &rel, &role);
                let mut draft = PageDraft::read(rel.clone().into(), dest, text, derived.clone());
                // Signpost would place the page by its new path; keep Jekyll's URL instead.
                let signpost_path =
                    draft.dest.rsplit_once('.').map_or(draft.dest.clone(), |(stem, _)| format!("{stem}.html"));
                if !draft.front.contains_key("permalink") && derived != signpost_path {
                    draft.add_default("permalink", &Value::String(derived));
                }
                // Jekyll needs no title; Signpost's layout shows one, so the file name stands in.
                if !draft.front.contains_key("title") {
                    let stem = Path::new(&rel).file_stem().map(|s| s.to_string_lossy().replace(['_', '-'], " "));
                    draft.add_default("title", &Value::String(stem.unwrap_or_default()));
                }
                drafts.push((draft, role));
            }
        }
    }
    report.pages_found = drafts.len();

    let default_sidebar = site_yaml::default_sidebar(&config);
    for (draft, role) in &mut drafts {
        apply_defaults(&config, draft, role, default_sidebar.as_deref(), &mut report);
    }
    resolve_duplicates(&mut drafts, &mut report);
    check_tags(from, &drafts, &mut report);

    for (draft, _) in &mut drafts {
        for tag in draft.replace_unknown_tags() {
            *report.unsupported.entry(format!("plugin tag `{}`", tag.name)).or_default() += 1;
            report.diagnostics.push(
                Diagnostic::warning(
                    Kind::PluginTag,
                    format!(
                        "`{}` is a Jekyll plugin tag Signpost cannot run; a placeholder{} stands in for it",
                        tag.written,
                        if tag.source.is_some() { " linking to its source" } else { "" }
                    ),
                )
                .at(Location::new(&draft.source, tag.line, tag.column))
                .spanning(tag.written.chars().count())
                .hint("replace the placeholder with what the tag fetched (for code, a fenced block)"),
            );
        }
    }

    let mut used_ids = BTreeSet::new();
    for (draft, _) in &mut drafts {
        let results = draft.convert_diagrams(|stem| {
            let base = drawio::write::id_from(stem, "diagram");
            let mut id = base.clone();
            let mut n = 2;
            while !used_ids.insert(id.clone()) {
                id = format!("{base}-{n}");
                n += 1;
            }
            id
        });
        for result in results {
            diagram_diagnostics(&draft.source, &result, &mut report.diagnostics);
            if let Ok(converted) = &result.outcome {
                if !converted.picture {
                    out.write(&format!("diagrams/{}.yaml", result.id), &converted.yaml)?;
                }
                out.write(&format!("diagrams/{}.drawio", result.id), &converted.drawio)?;
            }
            report.diagrams.push(DiagramReport { page: draft.source.clone(), result });
        }
    }
    for (draft, _) in &mut drafts {
        let relinked = draft.relink_moved_files(&moved);
        if relinked > 0 {
            *report.relinked.entry(draft.source.clone()).or_default() += relinked;
        }
    }
    for (draft, _) in &drafts {
        out.write(&format!("content/{}", draft.dest), &draft.output())?;
        if !draft.front.get("published").is_some_and(|p| p == &Value::Bool(false))
            && !draft.added.iter().any(|l| l.starts_with("published: false"))
        {
            report.pages_published += 1;
        }
    }
    for (name, docs) in &collections {
        out.write(&format!("content/_data/{name}.yml"), &site_yaml::collection_yaml(name, docs))?;
        report.data_files += 1;
    }
    let (yaml, title) = site_yaml::site_yaml(&config, default_sidebar.as_deref());
    report.title = title;
    out.write(crate::config::FILE_NAME, &yaml)?;
    // A site that will not build is reported now, at the files of the new site, not
    // left for the first `signpost build` to find.
    report.diagnostics.extend(build_errors(to));
    report.diagnostics.sort();
    Ok(report)
}

/// The errors building the imported site at `root` gives, located in its files.
fn build_errors(root: &Path) -> Vec<Diagnostic> {
    let options = crate::site::LoadOptions {
        root: root.to_path_buf(),
        scope: Default::default(),
        base_url: None,
        bodies: Default::default(),
    };
    let highlighter = crate::markdown::Highlighter::new(None);
    let Err(problems) = crate::build::build_in_memory_with(&options, &highlighter) else { return Vec::new() };
    problems
        .into_iter()
        .filter(Diagnostic::is_error)
        .map(|d| Diagnostic {
            message: format!("the imported site does not build: {}", d.message),
            location: d.location.clone().map(|l| Location { file: root.join(&*l.file).into(), ..l }),
            hint: Some(d.hint.clone().map_or_else(
                || "correct it in the imported site, then run signpost build".to_string(),
                |hint| format!("{hint} (in the imported site)"),
            )),
            ..d
        })
        .collect()
}

/// Jekyll ignores folders starting with `_` unless told; Signpost's content/ does too, so
/// included ones (`_pages`) lose the underscore.
fn content_path(rel: &str) -> String {
    match rel.strip_prefix('_') {
        Some(rest) => rest.to_string(),
        None => rel.to_string(),
    }
}

/// Where Jekyll writes a page that sets no permalink.
fn derived_permalink(config: &JekyllConfig, rel: &str, role: &Role) -> String {
    let without_ext = rel.rsplit_once('.').map_or(rel, |(stem, _)| stem);
    match role {
        Role::Post => {
            let name = without_ext.rsplit('/').next().unwrap_or(without_ext);
            let title = name.splitn(4, '-').nth(3).unwrap_or(name);
            match config.string("permalink") {
                Some(pattern) if pattern.contains(":title") => pages::output_path(&pattern.replace(":title", title)),
                _ => format!("{}.html", name.replacen('-', "/", 3)),
            }
        }
        _ => format!("{without_ext}.html"),
    }
}

fn frontmatter_body(text: &str) -> &str {
    crate::content::frontmatter::split(text).body
}

fn apply_defaults(
    config: &JekyllConfig,
    draft: &mut PageDraft,
    role: &Role,
    site_sidebar: Option<&str>,
    report: &mut Report,
) {
    let kind = match role {
        Role::Post => "posts".to_string(),
        Role::Document { collection, .. } => collection.clone(),
        _ => "pages".to_string(),
    };
    let rel = crate::content::to_slash(&draft.source);
    for (key, value) in config.defaults_for(&rel, &kind) {
        let redundant = match key.as_str() {
            "sidebar" => value.as_str() == site_sidebar,
            "search" => value == Value::Bool(true),
            _ => false,
        };
        if redundant || draft.front.contains_key(&key) {
            continue;
        }
        if key == "layout" && matches!(value.as_str(), Some("page" | "default" | "post")) {
            continue;
        }
        if UNUSED_DEFAULTS.contains(&key.as_str()) {
            *report.unsupported.entry(format!("front matter default `{key}`")).or_default() += 1;
            continue;
        }
        draft.add_default(&key, &value);
    }
}

/// Two pages with one permalink: the one Jekyll writes last wins; the others are imported
/// unpublished, with a warning saying so.
fn resolve_duplicates(drafts: &mut [(PageDraft, Role)], report: &mut Report) {
    let mut by_path: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, (draft, _)) in drafts.iter().enumerate() {
        if draft.front.get("published") != Some(&Value::Bool(false)) {
            by_path.entry(draft.permalink.clone()).or_default().push(i);
        }
    }
    for (permalink, mut pages) in by_path.into_iter().filter(|(_, p)| p.len() > 1) {
        pages.sort_by(|&a, &b| jekyll_write_order(&drafts[a].0.source, &drafts[b].0.source));
        let winner = *pages.last().expect("two or more");
        let winner_source = drafts[winner].0.source.display().to_string();
        for &loser in &pages[..pages.len() - 1] {
            let draft = &mut drafts[loser].0;
            draft.added.push("published: false  # signpost import: another page has this permalink".into());
            report.diagnostics.push(
                Diagnostic::warning(
                    Kind::DuplicatePermalink,
                    format!(
                        "{} and {winner_source} are both written to {permalink}; {winner_source} wins, as in Jekyll",
                        draft.source.display()
                    ),
                )
                .at(Location::new(&draft.source, draft.permalink_line.unwrap_or(1), 1))
                .hint("this page is imported with `published: false`; give it its own permalink to publish it"),
            );
        }
    }
}

/// The order in which Jekyll writes two pages: its reader reads a folder's subfolders before
/// the folder's own files (`Reader#read_directories`), then sorts the pages by file name
/// (`sort_files!`), so the page with the later name, or with the same name nearer the top,
/// is written last.
fn jekyll_write_order(a: &Path, b: &Path) -> std::cmp::Ordering {
    let name = |p: &Path| p.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name(a).cmp(&name(b)).then_with(|| read_order(a, b))
}

/// Jekyll's reading order: at the first folder where two paths part, a subfolder's pages come
/// before the folder's own files; otherwise by name.
fn read_order(a: &Path, b: &Path) -> std::cmp::Ordering {
    let (a, b): (Vec<_>, Vec<_>) = (a.components().collect(), b.components().collect());
    for (i, (x, y)) in a.iter().zip(&b).enumerate() {
        if x != y {
            let (x_is_folder, y_is_folder) = (i + 1 < a.len(), i + 1 < b.len());
            return y_is_folder.cmp(&x_is_folder).then_with(|| x.cmp(y));
        }
    }
    a.len().cmp(&b.len())
}

/// The Jekyll theme warns about tags missing from `_data/tags.yml`'s `allowed-tags`.
fn check_tags(from: &Path, drafts: &[(PageDraft, Role)], report: &mut Report) {
    let Ok(text) = std::fs::read_to_string(from.join("_data/tags.yml")) else { return };
    let Ok(Some(tags)) = crate::yaml::parse::<Option<BTreeMap<String, Value>>>(&text, Path::new("_data/tags.yml"), 1)
    else {
        return;
    };
    let Some(Value::Array(allowed)) = tags.get("allowed-tags") else { return };
    let allowed: BTreeSet<&str> = allowed.iter().filter_map(Value::as_str).collect();
    for (draft, _) in drafts {
        let page_tags: Vec<&str> = match draft.front.get("tags") {
            Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).collect(),
            Some(Value::String(s)) => s.split_whitespace().collect(),
            _ => Vec::new(),
        };
        for tag in page_tags.into_iter().filter(|t| !allowed.contains(t)) {
            let line = draft.text.lines().position(|l| l.starts_with("tags:")).map_or(1, |i| i + 1);
            report.diagnostics.push(
                Diagnostic::warning(
                    Kind::TagNotAllowed,
                    format!("tag `{tag}` is not in _data/tags.yml's allowed-tags"),
                )
                .at(Location::new(&draft.source, line, 1))
                .hint("add it to allowed-tags or correct the tag"),
            );
        }
    }
}

fn diagram_diagnostics(page: &Path, result: &DiagramResult, diagnostics: &mut Diagnostics) {
    let at = Location::new(page, result.line, 1);
    match &result.outcome {
        Ok(converted) => {
            for note in &converted.notes {
                diagnostics.push(
                    Diagnostic::warning(Kind::DrawioPartial, format!("diagram `{}`: {note}", result.id))
                        .at(at.clone())
                        .hint(format!(
                            "check diagrams/{}.{}",
                            result.id,
                            if converted.picture { "drawio" } else { "yaml" }
                        )),
                );
            }
        }
        Err(message) => diagnostics.push(
            Diagnostic::error(Kind::Drawio, format!("the draw.io diagram could not be converted: {message}"))
                .at(at.clone())
                .hint("the diagram is left in the page as it was; redraw it as a process (docs/process-format.md)"),
        ),
    }
}

/// Writes files under the new site's root, creating folders.
struct Writer {
    root: PathBuf,
}

impl Writer {
    fn write(&mut self, rel: &str, text: &str) -> Result<(), ImportError> {
        let path = self.root.join(rel);
        let io = |e| ImportError::Io { path: path.clone(), source: e };
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(io)?;
        }
        std::fs::write(&path, text).map_err(io)
    }

    fn copy(&mut self, from: &Path, rel: &str) -> Result<(), ImportError> {
        let path = self.root.join(rel);
        let io = |e| ImportError::Io { path: path.clone(), source: e };
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(io)?;
        }
        std::fs::copy(from, &path).map(|_| ()).map_err(io)
    }
}
