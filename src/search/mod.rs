//! Search: a static index readers query in the browser, with no server.
//!
//! Rendering a page yields its [`Document`] (title, summary, keywords, tags, the plain
//! text of each section, and the stages of the processes it places) in its
//! [`PageRecord`](crate::output::PageRecord) (`build` sets its text aside in a temporary
//! file, `crate::documents`). After the pages render, [`build_index`]
//! turns the documents into an index under `BASE/search-index/`: word shards, postings,
//! one file per page and `engine.js`, which queries them in the browser ([`index`]). The theme's
//! `search.js` drives it from the header. `docs/search.md` describes the whole.
//!
//! The index is the last step of the pipeline and reads only the render's record: this
//! module depends on `output` and `config`, and nothing that renders depends on it.

mod index;
mod record;
mod words;

use std::time::{Duration, Instant};

use crate::config::SiteConfig;
use crate::documents::Kept;
use crate::output::{Output, Sink};

pub use crate::output::{Document, StageEntry, SEARCH_INDEX_DIR as BUNDLE_DIR, SEARCH_PAGE};
pub use index::{Files, Memory};

/// A built index: files relative to the output root (`search-index/...`), sorted by path.
#[derive(Debug, Clone, Default)]
pub struct Index {
    pub files: Files,
    pub stats: IndexStats,
}

/// Builds the index of every page in `output` that has a search document, in memory.
/// It reads only the records and the site's configuration (not the site), so `serve`
/// can rebuild it on another thread after swapping in re-rendered pages.
pub fn build_index(config: &SiteConfig, output: &Output) -> Index {
    let files = std::sync::Mutex::new(Files::new());
    let put = |path: String, bytes: Vec<u8>| {
        files.lock().expect("index files").push((format!("{BUNDLE_DIR}/{path}"), bytes));
        Ok(())
    };
    // Only documents set aside in a build's file are read, which does not fail short of
    // a broken disk; `serve` holds its documents in memory.
    let (stats, _) = index_with(config, output, &put, None, false).expect("the pages' search documents read back");
    let mut files = files.into_inner().expect("index files");
    files.sort_by(|a, b| a.0.cmp(&b.0));
    Index { files, stats }
}

/// Makes the index of `output`'s pages, handing each file to `put` as it is made. With
/// `last`, only the pages whose records changed since the build that kept it are read
/// (`index::build`). Returns the paths of files kept as they were, and with `remember`
/// what to keep for the next build.
fn index_with(
    config: &SiteConfig,
    output: &Output,
    put: &index::Put,
    last: Option<Memory>,
    remember: bool,
) -> std::io::Result<(IndexStats, index::Built)> {
    let start = Instant::now();
    let documents: Vec<&Kept> = output.pages.iter().filter_map(|p| p.search.as_ref()).collect();
    let services: Vec<(String, String)> =
        config.services.iter().map(|s| (s.id.clone(), s.short().to_string())).collect();
    let records = record::Records::new(&documents)?;
    let pages = index::Pages { count: records.len(), record: &|i| records.get(i), key: &|i| records.key(i) };
    let built = index::build(&pages, &services, &index_language(&config.language), put, last, remember)?;
    let shape = built.shape;
    let stats = IndexStats {
        pages: records.len(),
        words: shape.words,
        shards: shape.shards,
        files: shape.files,
        bytes: shape.bytes,
        elapsed: start.elapsed(),
    };
    Ok((stats, built))
}

/// What a written index holds, for `--verbose` and benchmarks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct IndexStats {
    pub pages: usize,
    /// Distinct words indexed, and the shards they are kept in.
    pub words: usize,
    pub shards: usize,
    pub files: usize,
    pub bytes: usize,
    pub elapsed: Duration,
}

/// Makes the index and writes it through `sink` as it goes, adding its files to
/// `output.paths`. Whether a site gets one is the pipeline's decision
/// (`RenderOptions::indexes`). With `last`, what an earlier build of the same site kept,
/// the page files of pages whose records did not change are not written again (they
/// are in the output folder already) but are in `output.paths` all the same. Returns
/// what to keep for the next build.
pub fn write_index(
    config: &SiteConfig,
    output: &mut Output,
    sink: &dyn Sink,
    last: Option<Memory>,
) -> std::io::Result<(IndexStats, Memory)> {
    let paths = std::sync::Mutex::new(Vec::new());
    let put = |path: String, bytes: Vec<u8>| {
        let path = format!("{BUNDLE_DIR}/{path}");
        sink.put(&path, bytes)?;
        paths.lock().expect("index paths").push(path);
        Ok(())
    };
    let (stats, built) = index_with(config, output, &put, last, true)?;
    output.paths.extend(paths.into_inner().expect("index paths"));
    output.paths.extend(built.kept.iter().map(|path| format!("{BUNDLE_DIR}/{path}")));
    Ok((stats, built.memory.unwrap_or_default()))
}

/// Words are stemmed by the primary language subtag (`en-GB` -> `en`).
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
