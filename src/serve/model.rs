//! What the preview keeps between rebuilds: the loaded site with what rendering it
//! recorded ([`Model`]), and the errors that keep the served pages behind the sources
//! ([`Errors`]). The rebuild steps (`plan.rs`, `reread.rs`) change these through their
//! methods, handed to them by the preview (`rebuild.rs`), which they do not know.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use super::files::Files;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::markdown::Highlighter;
use crate::output::{Output, PageRecord};
use crate::site::render::{RenderOptions, Shared};
use crate::site::Site;

/// Where the search index lives in the output.
pub(super) const SEARCH_PREFIX: &str = "search-index/";

/// The loaded site and what rendering it recorded, kept between rebuilds.
pub(super) struct Model {
    pub site: Site,
    /// The record of each rendered page, by output file.
    pub pages: BTreeMap<String, PageRecord>,
    /// What `Renderer::generated` produced last: its paths and the sidebar links.
    pub generated: Output,
    /// What the renderer computed for the whole site, reused while it stays the same.
    pub shared: Option<Shared>,
}

impl Model {
    /// The record of the render as one [`Output`]; `search`: with the pages' search text.
    pub(super) fn output(&self, search: bool) -> Output {
        let mut paths = self.generated.paths.clone();
        paths.extend(self.pages.keys().cloned());
        let pages = self
            .pages
            .values()
            .map(|p| match search {
                true => p.clone(),
                // Field by field: `..p.clone()` would copy the text only to drop it.
                false => PageRecord {
                    file: p.file.clone(),
                    url: p.url.clone(),
                    source: p.source.clone(),
                    service: p.service.clone(),
                    shared: p.shared,
                    links: p.links.clone(),
                    anchors: p.anchors.clone(),
                    search: None,
                    reads: p.reads.clone(),
                    warnings: p.warnings.clone(),
                },
            })
            .collect();
        Output { paths, pages, sidebar_links: self.generated.sidebar_links.clone() }
    }
}

/// Errors that keep the served pages behind the sources, by what has to change to clear
/// them, and the pages to try again with every batch.
#[derive(Default)]
pub(super) struct Errors {
    /// A failed full build, or a batch that could not be applied.
    pub site: Diagnostics,
    /// A theme, processes, generated files or the search index that did not load or render.
    parts: BTreeMap<&'static str, Diagnostics>,
    /// A page source that did not read or render.
    pages: BTreeMap<PathBuf, Diagnostics>,
    /// Page sources whose last read failed; read again with every batch.
    unread: BTreeSet<PathBuf>,
    /// Page sources whose last render failed; rendered again with every batch.
    unrendered: BTreeSet<PathBuf>,
}

impl Errors {
    /// Every error standing, sorted.
    pub(super) fn all(&self) -> Diagnostics {
        let mut all = self.site.clone();
        all.extend(self.parts.values().flat_map(|d| d.iter().cloned()));
        all.extend(self.pages.values().flat_map(|d| d.iter().cloned()));
        all.0.retain(Diagnostic::is_error);
        all.sort();
        all
    }

    /// Page sources whose last read failed.
    pub(super) fn unread_pages(&self) -> &BTreeSet<PathBuf> {
        &self.unread
    }

    /// After pages were read again (those `reread` names): their old errors go, and
    /// `unread` are the sources that did not read, with why.
    pub(super) fn pages_read(&mut self, reread: &dyn Fn(&Path) -> bool, unread: BTreeMap<PathBuf, Diagnostics>) {
        self.pages.retain(|source, _| !reread(source));
        self.unread = unread.keys().cloned().collect();
        self.pages.extend(unread);
    }

    /// A page read cleanly: its errors go.
    pub(super) fn page_ok(&mut self, source: &Path) {
        self.pages.remove(source);
    }

    /// A page rendered: its errors go. Returns whether its last render had failed.
    pub(super) fn page_rendered(&mut self, source: &Path) -> bool {
        self.pages.remove(source);
        self.unrendered.remove(source)
    }

    /// A page did not render: it keeps its last good output, and renders again with
    /// every batch until it does.
    pub(super) fn page_unrendered(&mut self, source: PathBuf, errors: Diagnostics) {
        self.unrendered.insert(source.clone());
        self.pages.entry(source).or_default().extend(errors);
    }

    pub(super) fn is_unrendered(&self, source: &Path) -> bool {
        self.unrendered.contains(source)
    }

    /// A part of the site (the theme, processes, generated files) failed to load or
    /// render: the last good one stays.
    pub(super) fn part_failed(&mut self, part: &'static str, diagnostics: Diagnostics) {
        self.parts.insert(part, diagnostics);
    }

    pub(super) fn part_ok(&mut self, part: &'static str) {
        self.parts.remove(part);
    }
}

/// What a rebuild step reads of the preview, and the errors it keeps up to date: handed
/// down by the preview, so the steps need not know it.
pub(super) struct Step<'a> {
    pub root: &'a Path,
    pub highlighter: &'a Highlighter,
    /// The files served now, for copies that did not change.
    pub served: &'a Files,
    pub render: RenderOptions,
    pub errors: &'a mut Errors,
}
