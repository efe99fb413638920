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
//!
//! A file is read and its digest taken again only when it may have changed, as git
//! decides for its index: beside the record is each file's digest with its size,
//! modification and status-change times and inode when it was read ([`Known`]). A file
//! whose four are the same, and whose modification time is older than the build that
//! read it by more than [`RACY`] (a save in the same clock tick as that read could
//! leave the time unchanged), has the same bytes. Setting a file's modification time
//! back does not change its status-change time, which no program can set.

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
const FORMAT: u32 = 2;

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

impl Kept {
    /// What a build that ran `run` reports.
    pub(super) fn of(run: &crate::pipeline::Run) -> Kept {
        let output = &run.output;
        Kept {
            files: output.paths.len(),
            listing: output
                .pages
                .iter()
                .map(|page| Listed { file: page.file.clone(), source: page.source.clone(), shared: page.shared })
                .collect(),
            overrides: run.site.content.overrides.clone(),
            diagnostics: run.diagnostics.clone(),
            search: run.search,
        }
    }
}

/// One page of the output, as `--verbose` lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Listed {
    pub file: String,
    pub source: PathBuf,
    pub shared: bool,
}

#[derive(Serialize, Deserialize)]
pub(super) struct Record {
    format: u32,
    inputs: String,
    pub(super) output: Vec<Written>,
    report: Kept,
    /// What the build recorded of each page, for a build after an edit (`super::edit`).
    pub(super) state: Option<super::edit::StateRef>,
}

/// [`Record`] as it is written, borrowing what it writes.
#[derive(Serialize)]
struct RecordOut<'a> {
    format: u32,
    inputs: &'a str,
    output: &'a [Written],
    report: &'a Kept,
    state: Option<super::edit::StateRef>,
}

/// A file of the output folder as the build left it.
#[derive(Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct Written {
    pub(super) path: String,
    len: u64,
    /// Nanoseconds since 1970.
    modified: u128,
}

/// The digest of everything a build with `options` reads, taken before it starts.
pub(super) struct Inputs {
    all: String,
    /// Of everything but the files: the binary, its version and the options.
    pub(super) setting: String,
    /// Each file read (from the root), sorted, with its stamp and digest.
    known: Known,
}

/// How recent a file's modification may be, before the build that last read it, for its
/// time to say nothing: a clock tick of the file system (coarse kernel clocks tick every
/// few milliseconds; some file systems keep two seconds).
const RACY: u128 = 3_000_000_000;

/// What the last build knew of each file it read: (size, modified, changed, inode) when
/// it read it, and its digest; and when it began reading.
#[derive(Default, Serialize, Deserialize)]
pub(super) struct Known {
    taken: u128,
    files: Vec<(PathBuf, Stamp, [u8; 32])>,
}

/// A file's size, modification and status-change times (nanoseconds) and inode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
struct Stamp(u64, u128, u128, u64);

impl Stamp {
    fn of(meta: &std::fs::Metadata) -> Stamp {
        #[cfg(unix)]
        let (changed, inode) = {
            use std::os::unix::fs::MetadataExt;
            (meta.ctime() as i128 as u128 * 1_000_000_000 + meta.ctime_nsec() as u128, meta.ino())
        };
        // Elsewhere a file is trusted only by its size and modification time.
        #[cfg(not(unix))]
        let (changed, inode) = (0, 0);
        Stamp(meta.len(), nanos(meta), changed, inode)
    }
}

impl Known {
    fn path(root: &Path, out: &Path) -> PathBuf {
        record_path(root, out).with_extension("inputs")
    }

    /// What the last build into `out` knew; nothing when it cannot be read.
    pub(super) fn read(root: &Path, out: &Path) -> Known {
        std::fs::read(Known::path(root, out))
            .ok()
            .and_then(|bytes| postcard::from_bytes(&bytes).ok())
            .unwrap_or_default()
    }

    /// Keeps what a build read, for the next one. Not written, it only makes the next
    /// build read every file.
    pub(super) fn write(root: &Path, out: &Path, inputs: &Inputs) {
        write_beside(&Known::path(root, out), |w| {
            postcard::to_io(&inputs.known, w).map(drop).map_err(io::Error::other)
        });
    }
}

/// Writes `bytes` beside `path` and renames them over it, so that a build killed
/// meanwhile leaves no half file; on failure nothing is left beside, and the next build
/// only does more.
///
/// `write` streams the file: the record of a 100,000-page build is tens of megabytes,
/// which a build held in memory whole at its end.
fn write_beside(path: &Path, write: impl FnOnce(&mut io::BufWriter<std::fs::File>) -> io::Result<()>) {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(format!(".{}", std::process::id()));
    let tmp = PathBuf::from(tmp);
    let written = std::fs::File::create(&tmp).and_then(|file| {
        let mut writer = io::BufWriter::with_capacity(1 << 16, file);
        write(&mut writer)?;
        writer.into_inner().map_err(io::IntoInnerError::into_error)?;
        std::fs::rename(&tmp, path)
    });
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
}

impl Inputs {
    /// Each file read (from the root) and its digest, sorted.
    pub(super) fn files(&self) -> impl ExactSizeIterator<Item = (&Path, &[u8; 32])> {
        self.known.files.iter().map(|(path, _, digest)| (path.as_path(), digest))
    }

    /// The digest of what a build with `options` reads; a file `known` says has not
    /// changed is not read.
    pub(super) fn of(options: &BuildOptions, known: &Known) -> io::Result<Inputs> {
        let taken = std::time::SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos());
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
        let trusted: std::collections::HashMap<&Path, (Stamp, [u8; 32])> = known
            .files
            .iter()
            .filter(|(_, stamp, _)| stamp.1.saturating_add(RACY) < known.taken)
            .map(|(path, stamp, digest)| (path.as_path(), (*stamp, *digest)))
            .collect();
        let stamped: Vec<(Stamp, [u8; 32])> = files
            .par_iter()
            .map(|file| {
                let path = root.join(file);
                let stamp = Stamp::of(&std::fs::metadata(&path)?);
                match trusted.get(file.as_path()) {
                    Some((known, digest)) if *known == stamp => Ok((stamp, *digest)),
                    _ => {
                        let bytes = std::fs::read(&path)?;
                        // Stamped before it was read: a save meanwhile changes it again.
                        Ok((stamp, Sha256::digest(&bytes).into()))
                    }
                }
            })
            .collect::<io::Result<_>>()?;
        let known = Known {
            taken,
            files: files.into_iter().zip(stamped).map(|(file, (stamp, digest))| (file, stamp, digest)).collect(),
        };
        let exe = std::env::current_exe().and_then(std::fs::metadata)?;
        let out = std::path::absolute(options.out_dir())?;
        // The options as a whole: a new field is part of the digest without a change here.
        // The root as a full path: `build` in the site's folder and `build --root SITE`
        // from beside it are the same build.
        let load = crate::site::LoadOptions { root: std::path::absolute(root)?, ..options.load.clone() };
        let setting = format!(
            "{FORMAT}\n{}\n{}\n{:?}\n{:?}\n{} {}\n",
            env!("CARGO_PKG_VERSION"),
            out.display(),
            load,
            (options.check, options.search),
            exe.len(),
            nanos(&exe)
        );
        let setting = hex::encode(Sha256::digest(setting.as_bytes()));
        let mut all = Sha256::new();
        all.update(setting.as_bytes());
        for (file, _, digest) in &known.files {
            all.update(file.to_string_lossy().as_bytes());
            all.update([0]);
            all.update(digest);
        }
        Ok(Inputs { all: hex::encode(all.finalize()), setting, known })
    }
}

/// Where the records of builds into `out` are kept: `FOLDER/NAME.json` is the record,
/// and [`super::edit`] keeps its files beside it, named `NAME.` and something.
pub(super) fn record_path(root: &Path, out: &Path) -> PathBuf {
    let out = std::path::absolute(out).unwrap_or_else(|_| out.to_path_buf());
    let name = hex::encode(&Sha256::digest(out.as_os_str().as_encoded_bytes())[..8]);
    root.join(CACHE_DIR).join("builds").join(format!("{name}.json"))
}

/// The record of the last build into `out`, when this binary wrote it.
pub(super) fn read_record(root: &Path, out: &Path) -> Option<Record> {
    let text = std::fs::read(record_path(root, out)).ok()?;
    let record: Record = serde_json::from_slice(&text).ok()?;
    (record.format == FORMAT).then_some(record)
}

/// The report of the last build into `out`, when its inputs were `inputs` and the output
/// folder is still as that build left it.
pub(super) fn unchanged(root: &Path, out: &Path, inputs: &Inputs) -> Option<Kept> {
    let record = read_record(root, out)?;
    if record.inputs != inputs.all {
        return None;
    }
    (listing(out).ok()? == record.output).then_some(record.report)
}

/// Forgets the last build into `out`: the next build is a whole one. Done before a build
/// changes the folder in place, so that one stopped halfway is not taken as finished.
pub(super) fn forget(root: &Path, out: &Path) -> io::Result<()> {
    let path = record_path(root, out);
    match std::fs::remove_file(&path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(crate::output::with_path(e, &path)),
        _ => Ok(()),
    }
}

/// Records a successful build into `out`, whose files are `output`. A record that cannot
/// be written only makes the next build a full one, so failure is not reported.
pub(super) fn remember(
    root: &Path,
    out: &Path,
    inputs: &Inputs,
    report: &Kept,
    state: Option<super::edit::StateRef>,
    output: Vec<Written>,
) {
    let path = record_path(root, out);
    let record = RecordOut { format: FORMAT, inputs: &inputs.all, output: &output, report, state };
    if let Some(dir) = path.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    Known::write(root, out, inputs);
    write_beside(&path, |w| serde_json::to_writer(w, &record).map_err(io::Error::other));
}

/// Every file under `out`, sorted, with its size and modification time. The files are
/// looked at in parallel: a 10,000-page output has 20,000.
pub(super) fn listing(out: &Path) -> io::Result<Vec<Written>> {
    // Paths relative to `out` from the start, as the listing keeps them: the whole paths
    // beside them were 20 MB more at the end of a 100,000-page build.
    let mut paths = Vec::new();
    for entry in walkdir::WalkDir::new(out).sort_by_file_name() {
        let entry = entry.map_err(io::Error::from)?;
        if !entry.file_type().is_dir() {
            paths.push(relative(out, entry.path()));
        }
    }
    paths.into_par_iter().map(|path| stamped(out, path)).collect()
}

/// Whether the folder's marker file is as `recorded` (a listing) has it: a quick test, before
/// a whole listing, that `out` is still the folder the last build wrote (not removed, not
/// replaced). The marker is written into each new folder, so a new folder has a new one.
pub(super) fn marker_as_recorded(out: &Path, recorded: &[Written]) -> bool {
    let marker = crate::output::MARKER;
    let Some(recorded) = recorded.iter().find(|w| w.path == marker) else { return false };
    stamped(out, marker.to_string()).is_ok_and(|now| now == *recorded)
}

fn written(out: &Path, path: &Path) -> io::Result<Written> {
    stamped(out, relative(out, path))
}

fn relative(out: &Path, path: &Path) -> String {
    path.strip_prefix(out).unwrap_or(path).to_string_lossy().into_owned()
}

/// The file at `path` under `out`, with its size and modification time.
fn stamped(out: &Path, path: String) -> io::Result<Written> {
    let meta = std::fs::symlink_metadata(out.join(&path))?;
    Ok(Written { path, len: meta.len(), modified: nanos(&meta) })
}

/// The listing of `out` after the files `changed` (relative paths) were written or
/// removed, from the listing before: only those are looked at again.
pub(super) fn relisted(out: &Path, before: Vec<Written>, changed: &[String]) -> io::Result<Vec<Written>> {
    let mut files: std::collections::BTreeMap<String, Written> =
        before.into_iter().map(|w| (w.path.clone(), w)).collect();
    for path in changed {
        match written(out, &out.join(path)) {
            Ok(w) => files.insert(path.clone(), w),
            Err(e) if e.kind() == io::ErrorKind::NotFound => files.remove(path),
            Err(e) => return Err(e),
        };
    }
    // In the order of the walk in [`listing`]: by name within each folder, a folder's
    // files right after its name.
    let mut files: Vec<Written> = files.into_values().collect();
    files.sort_by(|a, b| Path::new(&a.path).components().cmp(Path::new(&b.path).components()));
    Ok(files)
}

fn nanos(meta: &std::fs::Metadata) -> u128 {
    meta.modified().ok().and_then(|t| t.duration_since(UNIX_EPOCH).ok()).map_or(0, |d| d.as_nanos())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_listing_brought_up_to_date_is_the_listing_made_again() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path();
        for file in ["a.html", "a/b.html", "a/c/d.html", "a-b.html", "z.html", "search-index/pages/10.json"] {
            std::fs::create_dir_all(out.join(file).parent().unwrap()).unwrap();
            std::fs::write(out.join(file), file).unwrap();
        }
        let before = listing(out).unwrap();
        std::fs::write(out.join("a/b.html"), "longer than before").unwrap();
        std::fs::remove_file(out.join("z.html")).unwrap();
        std::fs::write(out.join("a/c/a.html"), "new").unwrap();
        std::fs::write(out.join("search-index/pages/9.json"), "new").unwrap();
        let changed: Vec<String> =
            ["a/b.html", "z.html", "a/c/a.html", "search-index/pages/9.json"].map(String::from).into();
        assert_eq!(relisted(out, before, &changed).unwrap(), listing(out).unwrap());
    }
}
