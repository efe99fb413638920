//! An unchanged rebuild: `build` notices that nothing it reads has changed since it last
//! wrote the output folder, and that the folder is as it left it, and then writes nothing.
//!
//! What a build reads is the site's source folders (site.yaml, content/, diagrams/,
//! themes/, _includes/), the signpost binary itself and the command's options. Their
//! digest (SHA-256 of every file's bytes, not modification times, which a save within the
//! same clock tick leaves unchanged) is kept after each successful build in
//! `.signpost-cache/builds/`, one record per output folder, with a listing of the files
//! the build wrote (size and modification time: the output is ours, and a file deleted
//! or edited there is seen). When the next build finds both the same, the folder already
//! holds what a build would write, byte for byte. The record also keeps the report (page
//! counts, warnings, the index's figures), which the unchanged build prints again.
//!
//! Anything unreadable (no record, another version's record, a file that cannot be
//! read) counts as a change: the worst a wrong answer here can cost is a full build.

use std::io;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{BuildOptions, CACHE_DIR};
use crate::diagnostics::Diagnostics;
use crate::search::IndexStats;

/// Bump when the record's shape or what the digest covers changes.
const FORMAT: u32 = 1;

/// What a build reported, kept to be reported again when nothing has changed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(super) struct Kept {
    pub(super) files: usize,
    /// Each page's output path and source, for `--verbose`.
    pub(super) listing: Vec<Listed>,
    /// Shared pages a service replaced with its own: (service page, shared page).
    pub(super) overrides: Vec<(PathBuf, PathBuf)>,
    /// The build's warnings.
    pub(super) diagnostics: Diagnostics,
    pub(super) search: Option<IndexStats>,
}

/// One page of the output, as `--verbose` lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Listed {
    pub file: String,
    pub source: PathBuf,
    pub shared: bool,
}

#[derive(Serialize, Deserialize)]
struct Record {
    format: u32,
    inputs: String,
    output: Vec<Written>,
    report: Kept,
}

/// A file of the output folder as the build left it.
#[derive(Debug, PartialEq, Eq, Serialize, Deserialize)]
struct Written {
    path: String,
    len: u64,
    /// Nanoseconds since 1970.
    modified: u128,
}

/// The digest of everything a build with `options` reads, taken before it starts.
pub(super) struct Inputs(String);

impl Inputs {
    pub(super) fn of(options: &BuildOptions) -> io::Result<Inputs> {
        let root = &options.load.root;
        let mut files = Vec::new();
        // Everything else under the root (the output, the cache, `.git`, a repository's
        // other files) cannot change what a build writes.
        let sources = std::iter::once(crate::config::FILE_NAME).chain(crate::site::SOURCE_FOLDERS);
        for source in sources {
            let path = root.join(source);
            if path.is_file() {
                files.push(PathBuf::from(source));
            } else if path.is_dir() {
                for entry in walkdir::WalkDir::new(&path).follow_links(true).sort_by_file_name() {
                    let entry = entry.map_err(io::Error::from)?;
                    if !entry.file_type().is_dir() {
                        let relative = entry.path().strip_prefix(root).unwrap_or(entry.path());
                        files.push(relative.to_path_buf());
                    }
                }
            }
        }
        let digests: Vec<[u8; 32]> = files
            .par_iter()
            .map(|file| std::fs::read(root.join(file)).map(|bytes| Sha256::digest(&bytes).into()))
            .collect::<io::Result<_>>()?;
        let mut all = Sha256::new();
        let exe = std::env::current_exe().and_then(std::fs::metadata)?;
        let out = std::path::absolute(options.out_dir())?;
        // The options as a whole: a new field is part of the digest without a change here.
        all.update(format!(
            "{FORMAT}\n{}\n{}\n{:?}\n{:?}\n",
            env!("CARGO_PKG_VERSION"),
            out.display(),
            options.load,
            (options.check, options.search)
        ));
        all.update(format!("{} {}\n", exe.len(), nanos(&exe)));
        for (file, digest) in files.iter().zip(&digests) {
            all.update(file.to_string_lossy().as_bytes());
            all.update([0]);
            all.update(digest);
        }
        Ok(Inputs(hex::encode(all.finalize())))
    }
}

/// Where the record of the last build into `out` is kept.
fn record_path(root: &Path, out: &Path) -> PathBuf {
    let out = std::path::absolute(out).unwrap_or_else(|_| out.to_path_buf());
    let name = hex::encode(&Sha256::digest(out.as_os_str().as_encoded_bytes())[..8]);
    root.join(CACHE_DIR).join("builds").join(format!("{name}.json"))
}

/// The report of the last build into `out`, when its inputs were `inputs` and the output
/// folder is still as that build left it.
pub(super) fn unchanged(root: &Path, out: &Path, inputs: &Inputs) -> Option<Kept> {
    let text = std::fs::read(record_path(root, out)).ok()?;
    let record: Record = serde_json::from_slice(&text).ok()?;
    if record.format != FORMAT || record.inputs != inputs.0 {
        return None;
    }
    (listing(out).ok()? == record.output).then_some(record.report)
}

/// Records a successful build into `out`. A record that cannot be written only makes the
/// next build a full one, so failure is not reported.
pub(super) fn remember(root: &Path, out: &Path, inputs: Inputs, report: Kept) {
    let Ok(output) = listing(out) else { return };
    let path = record_path(root, out);
    let record = Record { format: FORMAT, inputs: inputs.0, output, report };
    let Ok(json) = serde_json::to_vec(&record) else { return };
    if let Some(dir) = path.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    // Written beside and renamed, so a build killed meanwhile leaves no half record.
    let tmp = path.with_extension(format!("json.{}", std::process::id()));
    if std::fs::write(&tmp, json).is_ok() && std::fs::rename(&tmp, &path).is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
}

/// Every file under `out`, sorted, with its size and modification time.
fn listing(out: &Path) -> io::Result<Vec<Written>> {
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(out).sort_by_file_name() {
        let entry = entry.map_err(io::Error::from)?;
        if entry.file_type().is_dir() {
            continue;
        }
        let meta = entry.metadata().map_err(io::Error::from)?;
        let path = entry.path().strip_prefix(out).unwrap_or(entry.path()).to_string_lossy().into_owned();
        files.push(Written { path, len: meta.len(), modified: nanos(&meta) });
    }
    Ok(files)
}

fn nanos(meta: &std::fs::Metadata) -> u128 {
    meta.modified().ok().and_then(|t| t.duration_since(UNIX_EPOCH).ok()).map_or(0, |d| d.as_nanos())
}
