//! Pagefind bundles. Pagefind indexes one page at a time and compresses everything at
//! its best level, so a large site is split into shards of about [`SHARD_PAGES`] pages
//! (by a hash of the URL, so a page stays in its shard): the shards are indexed in
//! parallel, each is cached under `.signpost-cache/search/` by a hash of what it holds,
//! and only a shard whose pages changed is indexed again. In the browser the first
//! shard is the primary index and the others are merged into it (Pagefind's
//! `mergeIndex`), listed in [`MANIFEST`].

use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime};

use pagefind::api::PagefindIndex;
use pagefind::options::PagefindServiceConfig;
use rayon::prelude::*;
use sha2::{Digest, Sha256};

use super::record::Record;
use super::SearchError;

/// Pages per shard, at most about: small sites have one shard.
pub(super) const SHARD_PAGES: usize = 2000;

/// Lists the shards search.js merges into the primary index: `{"shards": ["shard-1/"]}`.
pub(super) const MANIFEST: &str = "signpost-shards.json";

/// Changes whenever a cached shard would differ for the same records: the Pagefind
/// version and the way Signpost drives it.
const CACHE_FORMAT: &str = "pagefind 1.6.0; signpost search 1";

/// Cached shards unused for this long are removed.
const CACHE_KEEP: Duration = Duration::from_secs(24 * 60 * 60);

/// The loader, the worker and the WASM: only the primary shard ships them.
fn is_runtime(file: &str) -> bool {
    file == "pagefind.js" || file == "pagefind-worker.js" || file.starts_with("wasm.")
}

/// Pagefind's own interfaces, which the theme does not use.
fn is_unused_ui(file: &str) -> bool {
    file.starts_with("pagefind-ui.")
        || file.starts_with("pagefind-modular-ui.")
        || file.starts_with("pagefind-component-ui.")
        || file == "pagefind-highlight.js"
}

const GENERIC_WASM: &str = "wasm.unknown.pagefind";

/// Files of a bundle: (path, bytes).
pub type Files = Vec<(String, Vec<u8>)>;

/// How a bundle was made, for `--verbose` and benchmarks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BundleStats {
    pub shards: usize,
    /// Shards taken from the cache rather than indexed.
    pub cached: usize,
}

/// Indexes `records` (in a stable order) into the files of the bundle, relative to its
/// folder and sorted by path.
pub(super) fn bundle(
    records: Vec<Record>,
    language: &str,
    cache: Option<&Path>,
) -> Result<(Files, BundleStats), SearchError> {
    let count = records.len().div_ceil(SHARD_PAGES).max(1);
    let mut shards: Vec<Vec<Record>> = vec![Vec::new(); count];
    for record in records {
        let shard = (fnv1a(&record.url) % count as u64) as usize;
        shards[shard].push(record);
    }
    let built: Vec<Result<(Files, bool), SearchError>> = shards
        .into_par_iter()
        .map(|records| {
            let key = cache_key(&records, language);
            if let Some(files) = cache.and_then(|dir| read_cached(&dir.join(&key))) {
                return Ok((files, true));
            }
            let files = index(records, language)?;
            if let Some(dir) = cache {
                // A cache that cannot be written only makes the next build slower.
                let _ = write_cached(dir, &key, &files);
            }
            Ok((files, false))
        })
        .collect();
    let mut files = Vec::new();
    let mut stats = BundleStats { shards: count, cached: 0 };
    let mut merged = Vec::new();
    for (i, shard) in built.into_iter().enumerate() {
        let (shard_files, cached) = shard?;
        stats.cached += usize::from(cached);
        if i == 0 {
            files.extend(shard_files);
            continue;
        }
        let dir = format!("shard-{i}/");
        files.extend(shard_files.into_iter().filter(|(n, _)| !is_runtime(n)).map(|(n, b)| (format!("{dir}{n}"), b)));
        merged.push(dir);
    }
    let manifest = serde_json::json!({ "shards": merged });
    files.push((MANIFEST.to_string(), manifest.to_string().into_bytes()));
    files.sort_by(|a, b| a.0.cmp(&b.0));
    if let Some(dir) = cache {
        prune(dir);
    }
    Ok((files, stats))
}

/// Runs Pagefind over one shard.
fn index(records: Vec<Record>, language: &str) -> Result<Files, SearchError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| SearchError::Pagefind(e.to_string()))?;
    let fail = |e: anyhow::Error| SearchError::Pagefind(format!("{e:#}"));
    runtime.block_on(async {
        let options =
            PagefindServiceConfig::builder().keep_index_url(true).force_language(language.to_string()).build();
        let mut index = PagefindIndex::new(Some(options)).map_err(fail)?;
        for record in records {
            index.add_html_file(None, Some(record.url), record.html).await.map_err(fail)?;
        }
        let files = index.get_files().await.map_err(fail)?;
        let mut files: Files = files
            .into_iter()
            .map(|f| (crate::content::to_slash(&f.filename), f.contents))
            .filter(|(name, _)| !is_unused_ui(name))
            .collect();
        // The language-neutral WASM is only loaded when the language has none of its own.
        let has_language_wasm = files.iter().any(|(n, _)| n.starts_with("wasm.") && n != GENERIC_WASM);
        files.retain(|(n, _)| !(has_language_wasm && n == GENERIC_WASM));
        files.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(files)
    })
}

/// A stable hash for assigning pages to shards (not the std hasher, which is seeded).
fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

fn cache_key(records: &[Record], language: &str) -> String {
    let mut hash = Sha256::new();
    for part in [CACHE_FORMAT, language] {
        hash.update((part.len() as u64).to_le_bytes());
        hash.update(part);
    }
    for record in records {
        for part in [&record.url, &record.html] {
            hash.update((part.len() as u64).to_le_bytes());
            hash.update(part);
        }
    }
    format!("{}.shard", hex::encode(hash.finalize()))
}

/// A cached shard: for each file, its path's length (u32), the path, the length of its
/// bytes (u64) and the bytes. A file that cannot be read whole is a miss.
fn read_cached(path: &Path) -> Option<Files> {
    let bytes = std::fs::read(path).ok()?;
    let mut rest = &bytes[..];
    let mut files = Vec::new();
    while !rest.is_empty() {
        let mut len = [0u8; 4];
        rest.read_exact(&mut len).ok()?;
        let mut name = vec![0u8; u32::from_le_bytes(len) as usize];
        rest.read_exact(&mut name).ok()?;
        let mut len = [0u8; 8];
        rest.read_exact(&mut len).ok()?;
        let size = usize::try_from(u64::from_le_bytes(len)).ok()?;
        if size > rest.len() {
            return None;
        }
        let (data, tail) = rest.split_at(size);
        files.push((String::from_utf8(name).ok()?, data.to_vec()));
        rest = tail;
    }
    // Mark it used, so pruning keeps it.
    if let Ok(file) = std::fs::File::options().append(true).open(path) {
        let _ = file.set_modified(SystemTime::now());
    }
    Some(files)
}

fn write_cached(dir: &Path, key: &str, files: &[(String, Vec<u8>)]) -> io::Result<()> {
    std::fs::create_dir_all(dir)?;
    // Unique per writer: two builds, or two threads of one, may write the same shard.
    static WRITERS: AtomicUsize = AtomicUsize::new(0);
    let writer = WRITERS.fetch_add(1, Ordering::Relaxed);
    let tmp: PathBuf = dir.join(format!("{key}.{}-{writer}.tmp", std::process::id()));
    let mut out = io::BufWriter::new(std::fs::File::create(&tmp)?);
    for (name, data) in files {
        out.write_all(&(name.len() as u32).to_le_bytes())?;
        out.write_all(name.as_bytes())?;
        out.write_all(&(data.len() as u64).to_le_bytes())?;
        out.write_all(data)?;
    }
    out.into_inner().map_err(|e| e.into_error())?.sync_all()?;
    std::fs::rename(&tmp, dir.join(key))
}

/// Removes cached shards no build has used for [`CACHE_KEEP`].
fn prune(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let now = SystemTime::now();
    for entry in entries.flatten() {
        let stale = entry
            .metadata()
            .and_then(|m| m.modified())
            .is_ok_and(|t| now.duration_since(t).unwrap_or_default() > CACHE_KEEP);
        if stale {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(i: usize) -> Record {
        Record {
            url: format!("/p{i}.html"),
            html: format!("<html lang=\"en\"><body><h1>Page {i}</h1><p>kangaroo number {i}</p></body></html>"),
        }
    }

    #[test]
    fn a_shard_is_cached_and_read_back_whole() {
        let dir = tempfile::tempdir().unwrap();
        let records: Vec<Record> = (0..3).map(record).collect();
        let (first, stats) = bundle(records.clone(), "en", Some(dir.path())).unwrap();
        assert_eq!(stats, BundleStats { shards: 1, cached: 0 });
        let (second, stats) = bundle(records, "en", Some(dir.path())).unwrap();
        assert_eq!(stats, BundleStats { shards: 1, cached: 1 });
        assert_eq!(first, second, "the cached shard is the same bundle");
        let names: Vec<&str> = first.iter().map(|(n, _)| n.as_str()).collect();
        assert!(names.contains(&"pagefind.js") && names.contains(&MANIFEST), "{names:?}");
    }

    #[test]
    fn large_sites_are_split_into_shards_only_the_first_with_the_runtime() {
        let records: Vec<Record> = (0..SHARD_PAGES + 1).map(record).collect();
        let (files, stats) = bundle(records, "en", None).unwrap();
        assert_eq!(stats.shards, 2);
        let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
        assert!(names.contains(&"shard-1/pagefind-entry.json"));
        assert!(!names.iter().any(|n| n.starts_with("shard-1/") && is_runtime(&n["shard-1/".len()..])));
        let manifest = &files.iter().find(|(n, _)| n == MANIFEST).unwrap().1;
        assert_eq!(std::str::from_utf8(manifest).unwrap(), r#"{"shards":["shard-1/"]}"#);
    }

    #[test]
    fn a_damaged_cache_file_is_a_miss() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("x.shard"), [1, 0, 0, 0, b'a', 9]).unwrap();
        assert_eq!(read_cached(&dir.path().join("x.shard")), None);
    }
}
