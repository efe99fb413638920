//! Search: a static index readers query in the browser, with no server.
//!
//! Rendering a page yields its [`Document`] (title, summary, keywords, tags, the plain
//! text of each section, and the stages of the processes it places) beside its
//! [`PageRecord`](crate::output::PageRecord). After the pages render, [`build_index`]
//! turns the documents into a [Pagefind](https://pagefind.app) bundle under
//! `BASE/pagefind/`: the index, its JavaScript and its WASM, all from the pagefind crate,
//! nothing fetched. Large sites are indexed in shards, in parallel, each cached until its
//! pages change ([`bundle`]). The theme's `search.js` queries it from the header.
//! `docs/search.md` describes the whole.

mod bundle;
mod record;
mod stages;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use crate::diagnostics::Diagnostic;
use crate::markdown::Section;
use crate::output::{Output, Sink};
use crate::site::Site;

pub use bundle::{BundleStats, Files};
pub use stages::{placed_stages, StageEntry};

/// The folder of the index under the output root; `search.js` finds it at `BASE/pagefind/`.
pub const BUNDLE_DIR: &str = "pagefind";

/// The search page: full results with JavaScript, and what to do instead without it.
pub const SEARCH_PAGE: &str = "search.html";

/// The theme template of the search page; a theme without one has no search.
const SEARCH_TEMPLATE: &str = "search.html";

/// What the index holds for one page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Document {
    /// The page's URL, with base_url: where a result lands.
    pub url: String,
    /// The service the page belongs to, for the service filter.
    pub service: Option<String>,
    pub title: String,
    pub summary: Option<String>,
    pub keywords: Vec<String>,
    pub tags: Vec<String>,
    /// The plain text under each heading, from the page's one Markdown pass.
    pub sections: Vec<Section>,
    /// The stages of the processes the page places; each is indexed in the section its
    /// link lands on, on whichever page that is.
    pub stages: Vec<StageEntry>,
}

/// Whether the site gets a search index: its theme has a search page.
pub fn enabled(site: &Site) -> bool {
    site.search && site.theme.has_template(SEARCH_TEMPLATE)
}

/// `site.search_url` for templates: the search page, or empty when search is off.
pub fn url(site: &Site) -> String {
    if enabled(site) {
        site.urls.file(SEARCH_PAGE)
    } else {
        String::new()
    }
}

/// A built index: files relative to the output root (`pagefind/...`), sorted by path.
#[derive(Debug, Clone, Default)]
pub struct Index {
    pub files: Files,
    /// Pages indexed.
    pub pages: usize,
    pub bundle: BundleStats,
    pub elapsed: Duration,
}

impl Index {
    /// Total size of the bundle in bytes.
    pub fn bytes(&self) -> usize {
        self.files.iter().map(|(_, b)| b.len()).sum()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("the search index could not be built: {0}")]
    Pagefind(String),
    #[error("cannot write {path}: {source}")]
    Io { path: String, source: std::io::Error },
}

impl SearchError {
    pub fn diagnostic(&self) -> Diagnostic {
        let hint = match self {
            SearchError::Pagefind(_) => {
                "this is a bug in Signpost or Pagefind; pages with `search: exclude` are left out"
            }
            SearchError::Io { .. } => "check that the output folder is writable and the disk is not full",
        };
        Diagnostic::error("search", self.to_string()).hint(hint)
    }
}

/// Builds the index of every page in `output` that has a search document. It reads only
/// the records, so `serve` can rebuild it after swapping in re-rendered pages; shards
/// whose pages did not change come from the cache under the site root.
pub fn build_index(site: &Site, output: &Output) -> Result<Index, SearchError> {
    build_index_for(&site.root, &site.config, output)
}

/// As [`build_index`], from the parts of the site it reads: `serve` builds the index on
/// another thread than the one that keeps the site.
pub fn build_index_for(
    root: &std::path::Path,
    config: &crate::config::SiteConfig,
    output: &Output,
) -> Result<Index, SearchError> {
    let start = Instant::now();
    let documents: Vec<&Document> = output.pages.iter().filter_map(|p| p.search.as_ref()).collect();
    let services: BTreeMap<&str, &str> = config.services.iter().map(|s| (s.id.as_str(), s.short())).collect();
    let language = index_language(&config.language);
    let records = record::records(&documents, &services, &language);
    let pages = records.len();
    let cache = root.join(crate::build::CACHE_DIR).join("search");
    let (files, bundle) = bundle::bundle(records, &language, Some(&cache))?;
    let files = files.into_iter().map(|(path, bytes)| (format!("{BUNDLE_DIR}/{path}"), bytes)).collect();
    Ok(Index { files, pages, bundle, elapsed: start.elapsed() })
}

/// What a written index holds, for `--verbose` and benchmarks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct IndexStats {
    pub pages: usize,
    pub shards: usize,
    /// Shards taken from the cache rather than indexed again.
    pub cached: usize,
    pub files: usize,
    pub bytes: usize,
    pub elapsed: Duration,
}

/// Builds the index and writes it through `sink`, adding its files to `output.paths`.
/// Does nothing when the theme has no search page.
pub fn write_index(site: &Site, output: &mut Output, sink: &dyn Sink) -> Result<Option<IndexStats>, SearchError> {
    if !enabled(site) {
        return Ok(None);
    }
    let index = build_index(site, output)?;
    let stats = IndexStats {
        pages: index.pages,
        shards: index.bundle.shards,
        cached: index.bundle.cached,
        files: index.files.len(),
        bytes: index.bytes(),
        elapsed: index.elapsed,
    };
    for (path, bytes) in index.files {
        sink.put(&path, bytes).map_err(|source| SearchError::Io { path: path.clone(), source })?;
        output.paths.insert(path);
    }
    Ok(Some(stats))
}

/// Pagefind stems by the primary language subtag (`en-GB` -> `en`).
fn index_language(language: &str) -> String {
    let primary = language.split(['-', '_']).next().unwrap_or("").trim().to_ascii_lowercase();
    if primary.is_empty() {
        "en".into()
    } else {
        primary
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_is_the_primary_subtag() {
        assert_eq!(index_language("en-GB"), "en");
        assert_eq!(index_language("cy"), "cy");
        assert_eq!(index_language(""), "en");
    }
}
