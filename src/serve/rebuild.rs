//! The preview's state and its rebuilds: a full build at the start (and after site.yaml
//! changes), then, for each batch of changes, only what depends on them. Either way the
//! served files equal what `signpost build` writes for the same sources (`index.rs` adds
//! the search index); the tests in `tests/suite/serve_incremental.rs` compare the two after
//! series of edits.
//!
//! A rebuild that fails keeps the last good files and reports its errors; the next batch
//! tries again whatever failed (pages that did not read or render, batches not applied).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::files::{self, Files, Snapshot};
use super::model::{Errors, Model, Step, SEARCH_PREFIX};
use super::plan::{self, Plan};
use super::watch::Batch;
use crate::build::CACHE_DIR;
use crate::config::SiteConfig;
use crate::diagnostics::Diagnostics;
use crate::markdown::Highlighter;
use crate::output::{MemorySink, Output, PageRecord};
use crate::site::render::{RenderOptions, Renderer};
use crate::site::LoadOptions;

/// What one rebuild did, for the terminal.
#[derive(Debug, Default)]
pub struct Report {
    /// The changed paths, or why the whole site was built.
    pub cause: String,
    pub full: bool,
    pub pages_rendered: usize,
    /// Output files whose bytes changed (added, changed or removed).
    pub files_changed: usize,
    pub elapsed: Duration,
    /// Every error the preview has now; empty when the served pages are up to date.
    pub errors: Diagnostics,
    /// Warnings about what this rebuild read.
    pub warnings: Diagnostics,
    /// What the checks `signpost build` runs before it writes find in the pages served
    /// now (errors it would refuse the site for, and warnings); empty while `errors`
    /// stand, as build stops before checking then.
    pub findings: Diagnostics,
}

/// The preview: the model of the site, the files served, and what is still to redo.
pub struct Preview {
    options: LoadOptions,
    highlighter: Highlighter,
    pub(super) model: Option<Model>,
    files: Files,
    version: u64,
    /// The path the site is served under, from the last good full build.
    base: String,
    /// Errors standing, and the pages to read or render again.
    errors: Errors,
    /// Paths of batches that could not be applied; tried again with the next one.
    pending: Vec<PathBuf>,
    /// What the last check of the served pages found.
    findings: Diagnostics,
    /// The theme has search: the preview keeps an index (see `index.rs`).
    pub(super) indexes: bool,
    /// Pages changed since the search index was made.
    pub(super) index_stale: bool,
}

impl Preview {
    pub fn new(options: LoadOptions) -> Preview {
        let highlighter = Highlighter::new(Some(&options.root.join(CACHE_DIR)));
        Preview {
            options,
            highlighter,
            model: None,
            files: Files::new(),
            version: 0,
            base: "/".into(),
            errors: Errors::default(),
            pending: Vec::new(),
            findings: Diagnostics::default(),
            indexes: false,
            index_stale: false,
        }
    }

    pub fn root(&self) -> &Path {
        &self.options.root
    }

    /// The options the preview loads the site with: a full-URL base_url is served at its
    /// path, so links stay on the preview server, and pages' Markdown is kept, so a page
    /// whose file has errors renders as it last loaded.
    pub fn load_options(&self) -> LoadOptions {
        let mut options = self.options.clone();
        options.bodies = crate::content::Bodies::Held;
        if options.base_url.is_none() {
            if let Ok(config) = SiteConfig::load(&options.root) {
                options.base_url = local_base(&config.base_url);
            }
        }
        options
    }

    /// The files served now, path -> bytes.
    pub fn files(&self) -> BTreeMap<String, Vec<u8>> {
        self.files.iter().map(|(k, v)| (k.to_string(), v.bytes.to_vec())).collect()
    }

    /// The record of the last good render, as a full build returns it.
    pub fn output(&self) -> Option<Output> {
        Some(self.model.as_ref()?.output(true))
    }

    /// Saves the highlighting cache, so the next start is quick.
    pub fn save_cache(&self) {
        let _ = self.highlighter.save();
    }

    /// The state to publish to the server.
    pub fn snapshot(&self) -> Snapshot {
        let root = self.options.root.clone();
        Snapshot {
            version: self.version,
            base: self.base.clone(),
            files: Arc::new(self.files.clone()),
            errors: Arc::new(files::shown(&self.errors.all(), &self.findings, &root)),
            warnings: Arc::new(files::shown_warnings(&self.findings, &root)),
        }
    }

    /// Runs the checks of `signpost build` on the pages now served, unless other errors
    /// stand (build stops before checking then, so its report would not have them).
    fn check(&mut self) {
        self.findings = Diagnostics::default();
        let Some(model) = self.model.as_ref().filter(|_| self.errors.all().is_empty()) else { return };
        // The record without the search text, which the check does not read.
        self.findings = crate::pipeline::check(&model.site, &model.output(false));
    }

    /// What serve renders: what `build` renders.
    pub(super) fn render_options(&self) -> RenderOptions {
        RenderOptions::BUILD
    }

    /// What every report ends with: the errors standing, the check, the time taken.
    fn finish(&mut self, mut report: Report, start: Instant) -> Report {
        self.check();
        report.errors = self.errors.all();
        report.findings = self.findings.clone();
        report.elapsed = start.elapsed();
        report
    }

    /// Builds everything, as `signpost build` does, keeping the last good files on failure.
    pub fn full(&mut self, cause: &str) -> Report {
        let start = Instant::now();
        self.version += 1;
        let mut report = Report { cause: cause.to_string(), full: true, ..Report::default() };
        let sink = MemorySink::default();
        let loaded = crate::pipeline::load(&self.load_options()).and_then(|(site, loaded)| {
            crate::pipeline::render(site, loaded, self.render_options(), &self.highlighter, &sink)
        });
        match loaded {
            Ok((site, output, warnings)) => {
                self.indexes = self.render_options().indexes(&site);
                let rendered = std::mem::take(&mut *sink.files.lock().expect("memory sink"));
                report.pages_rendered = output.pages.len();
                report.files_changed = self.replace_files(rendered);
                let mut generated = Output { sidebar_links: output.sidebar_links, ..Output::default() };
                let pages: BTreeMap<String, PageRecord> =
                    output.pages.into_iter().map(|p| (p.file.clone(), p)).collect();
                generated.paths = output.paths.into_iter().filter(|p| !pages.contains_key(p)).collect();
                generated
                    .paths
                    .extend(self.files.keys().filter(|p| p.starts_with(SEARCH_PREFIX)).map(|p| p.to_string()));
                self.base = local_base(&site.urls.base).unwrap_or_else(|| site.urls.base.clone());
                let shared = Some(Renderer::new(&site, self.render_options()).into_shared());
                self.model = Some(Model { site, pages, generated, shared });
                self.errors = Errors::default();
                self.pending.clear();
                self.index_stale = self.indexes;
                report.warnings = warnings;
            }
            Err(diagnostics) => {
                self.errors.site = diagnostics;
                // The files stay; the model goes, so the next batch builds in full again.
                self.model = None;
            }
        }
        self.finish(report, start)
    }

    /// Applies a batch of changes, rebuilding only what depends on them; `None` when no
    /// build reads what changed.
    pub fn rebuild(&mut self, batch: &Batch) -> Option<Report> {
        let mut paths = std::mem::take(&mut self.pending);
        paths.extend(batch.paths.iter().cloned());
        let cause = describe(&batch.paths);
        if batch.rescan || self.model.is_none() {
            return Some(self.full(&cause));
        }
        let theme = self.model.as_ref().map_or("default", |m| m.site.config.theme.as_str()).to_string();
        let plan = Plan::of(&paths, &theme);
        if plan.full {
            return Some(self.full(&cause));
        }
        if plan.is_empty() {
            return None;
        }
        let start = Instant::now();
        self.version += 1;
        let mut report = Report { cause, ..Report::default() };
        let mut model = self.model.take().expect("a model, or a full build above");
        let mut step = Step {
            root: &self.options.root,
            highlighter: &self.highlighter,
            served: &self.files,
            render: self.render_options(),
            errors: &mut self.errors,
        };
        let applied = plan::apply(&mut step, &mut model, &plan);
        self.model = Some(model);
        match applied {
            Ok(changes) => {
                report.pages_rendered = changes.pages_rendered;
                report.warnings = changes.warnings;
                report.files_changed = self.apply_files(changes.rendered, changes.expected.as_ref());
                self.index_stale |= self.indexes && report.files_changed > 0;
                self.errors.site = Diagnostics::default();
            }
            Err(diagnostics) => {
                self.errors.site = diagnostics;
                self.pending = paths;
            }
        }
        Some(self.finish(report, start))
    }

    /// Starts a rebuild's changes: the version its changed files get.
    pub(super) fn next_version(&mut self) -> u64 {
        self.version += 1;
        self.version
    }

    pub(super) fn findings(&self) -> &Diagnostics {
        &self.findings
    }

    /// Every error standing, for a report.
    pub(super) fn errors(&self) -> Diagnostics {
        self.errors.all()
    }

    /// Replaces every file but the search index, which stays until its successor is
    /// made; returns how many changed.
    fn replace_files(&mut self, rendered: BTreeMap<String, Vec<u8>>) -> usize {
        let before = self.files.len();
        let indexes = self.indexes;
        self.files.retain(|path, _| rendered.contains_key(&**path) || (indexes && path.starts_with(SEARCH_PREFIX)));
        let mut changed = before - self.files.len();
        for (path, bytes) in rendered {
            changed += usize::from(files::put(&mut self.files, &path, bytes, self.version));
        }
        changed
    }

    /// Puts re-rendered files in, and removes files no longer in `expected` (when given).
    pub(super) fn apply_files(
        &mut self,
        rendered: BTreeMap<String, Vec<u8>>,
        expected: Option<&BTreeSet<String>>,
    ) -> usize {
        let mut changed = 0;
        if let Some(expected) = expected {
            let before = self.files.len();
            self.files.retain(|path, _| expected.contains(&**path));
            changed += before - self.files.len();
        }
        for (path, bytes) in rendered {
            changed += usize::from(files::put(&mut self.files, &path, bytes, self.version));
        }
        changed
    }
}

/// `https://host/portal/` -> `/portal/`; `None` for a base that is a path already.
fn local_base(base: &str) -> Option<String> {
    let (_, rest) = base.split_once("://")?;
    Some(rest.find('/').map_or_else(|| "/".to_string(), |i| rest[i..].to_string()))
}

/// `content/a.md`, or `content/a.md and 3 more`.
fn describe(paths: &[PathBuf]) -> String {
    match paths {
        [] => "a rescan".into(),
        [one] => crate::content::to_slash(one),
        [first, rest @ ..] => format!("{} and {} more", crate::content::to_slash(first), rest.len()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_url_bases_are_served_at_their_path() {
        assert_eq!(local_base("https://digital.nhs.uk/developer/"), Some("/developer/".into()));
        assert_eq!(local_base("https://example.org"), Some("/".into()));
        assert_eq!(local_base("/portal/"), None);
    }
}
