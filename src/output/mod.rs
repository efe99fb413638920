//! What a build produces: files (path -> bytes), and every link and anchor seen while
//! rendering, with its source position, for `check`. Written atomically, or kept in memory.

use std::collections::{BTreeMap, BTreeSet};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use crate::diagnostics::Location;
use crate::markdown::Section;

mod packed;
#[cfg(test)]
pub(crate) use packed::SetAside;
pub(crate) use packed::{Anchors, LinkView, Links, PageAnchors, PageLinks, SavedPacked, SavedPackedRef};

/// Where a link was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LinkOrigin {
    Markdown,
    Image,
    Html,
    Include,
    Sidebar,
    Template,
    Stage,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkRecord {
    /// The target as the author wrote it.
    pub written: String,
    /// The target as the output links it (root-relative links mapped under base_url).
    pub href: String,
    pub origin: LinkOrigin,
    pub location: Location,
    /// How many characters of the source the link covers, for underlining.
    pub len: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AnchorRecord {
    pub id: String,
    pub location: Option<Location>,
}

/// One rendered page: where it went and what it links to and defines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PageRecord {
    /// Output file, relative to the output root.
    pub file: String,
    /// The URL the page is linked by, with base_url.
    pub url: String,
    pub source: PathBuf,
    pub service: Option<String>,
    /// Built from `content/_shared` for its service.
    pub shared: bool,
    pub links: PageLinks,
    pub anchors: PageAnchors,
    /// What the search index holds for the page; `None` for `search: exclude`.
    #[serde(skip)]
    pub search: Option<crate::documents::Kept>,
    /// What the page read while rendering, besides its own source: `serve` renders it
    /// again when one of these changes.
    #[serde(skip)]
    pub reads: PageReads,
    /// The warnings rendering the page gave (also in the render's diagnostics): a build
    /// that does not render the page again reports them again.
    #[serde(skip)]
    pub warnings: Vec<crate::diagnostics::Diagnostic>,
}

/// What the search index holds for one page, made while rendering it (the index, made
/// after every page rendered, reads only these).
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

/// One stage of a process placed on a page.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct StageEntry {
    pub title: String,
    pub summary: Option<String>,
    /// The title of the process, shown beside the stage.
    pub process: String,
    /// Where the stage's link lands, with base_url (`/booking/index.html#scal`), or
    /// `None` when it leads off the site.
    pub target: Option<String>,
    /// The id of the diagram's wrapper on the placing page: where the stage lands in the
    /// index when its target is not a section of an indexed page.
    pub wrapper: String,
}

/// Where the search index is written, under the output root; `search.js` finds it at
/// `BASE/search-index/`.
pub const SEARCH_INDEX_DIR: &str = "search-index";

/// The search page: full results with JavaScript, and what to do instead without it.
pub const SEARCH_PAGE: &str = "search.html";

/// A page record's [`Reads`]: nothing held when the page read nothing, as most pages do
/// (the sets take 104 bytes a page, 10 MB of a 100,000-page build's records).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PageReads(Option<Box<Reads>>);

impl From<Reads> for PageReads {
    fn from(reads: Reads) -> PageReads {
        PageReads((reads != Reads::default()).then(|| Box::new(reads)))
    }
}

impl std::ops::Deref for PageReads {
    type Target = Reads;

    fn deref(&self) -> &Reads {
        static NOTHING: Reads = Reads {
            includes: std::collections::BTreeSet::new(),
            processes: std::collections::BTreeSet::new(),
            drawings: std::collections::BTreeSet::new(),
            listings: false,
            relative: std::collections::BTreeSet::new(),
        };
        self.0.as_deref().unwrap_or(&NOTHING)
    }
}

/// What rendering a page read besides its own source (its layout template and the
/// site-wide values every page shows are not listed: a change there renders every page).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reads {
    /// Includes the page's body called, by name (`tip.html`).
    pub includes: std::collections::BTreeSet<String>,
    /// Processes placed, by id.
    pub processes: std::collections::BTreeSet<String>,
    /// draw.io drawings placed, by id.
    pub drawings: std::collections::BTreeSet<String>,
    /// Values that list other pages (`site.tag_pages`), read directly or perhaps by the
    /// page's Liquid or a site include.
    pub listings: bool,
    /// Files spliced by `include_relative`, from the site root (`content/api/example.json`).
    pub relative: std::collections::BTreeSet<PathBuf>,
}

/// Receives the files of a build as they are rendered, from many threads.
pub trait Sink: Sync {
    fn put(&self, path: &str, bytes: Vec<u8>) -> io::Result<()>;
    fn copy(&self, path: &str, from: &Path) -> io::Result<()> {
        self.put(path, std::fs::read(from)?)
    }
}

/// Writes files under a folder (the temporary folder of an atomic build).
pub(crate) struct DiskSink {
    pub dir: PathBuf,
    /// Folders made so far: a site's pages share a few hundred folders, and asking for
    /// each page's again was two system calls a file (`mkdir`, then `stat` on "exists").
    made: Mutex<std::collections::HashSet<PathBuf>>,
}

impl DiskSink {
    pub(crate) fn new(dir: PathBuf) -> DiskSink {
        DiskSink { dir, made: Mutex::default() }
    }

    /// The path of `path` under the folder, its parent folder made.
    fn place(&self, path: &str) -> io::Result<PathBuf> {
        let target = self.dir.join(path);
        if let Some(parent) = target.parent() {
            if !self.made.lock().expect("made folders").contains(parent) {
                std::fs::create_dir_all(parent)?;
                self.made.lock().expect("made folders").insert(parent.to_path_buf());
            }
        }
        Ok(target)
    }
}

impl Sink for DiskSink {
    fn put(&self, path: &str, bytes: Vec<u8>) -> io::Result<()> {
        std::fs::write(self.place(path)?, bytes)
    }

    fn copy(&self, path: &str, from: &Path) -> io::Result<()> {
        std::fs::copy(from, self.place(path)?).map(|_| ())
    }
}

/// Keeps files in memory, for `serve` and `check`.
#[derive(Default)]
pub struct MemorySink {
    pub files: Mutex<BTreeMap<String, Vec<u8>>>,
}

impl Sink for MemorySink {
    fn put(&self, path: &str, bytes: Vec<u8>) -> io::Result<()> {
        self.files.lock().expect("memory sink").insert(path.to_string(), bytes);
        Ok(())
    }
}

/// Everything a build produced except the bytes, which went to the sink.
#[derive(Debug, Default, Clone, Serialize)]
pub struct Output {
    /// Every output file path, pages and assets alike.
    pub paths: BTreeSet<String>,
    pub pages: Vec<PageRecord>,
    /// Links written outside pages (sidebar files), checked once each.
    pub sidebar_links: Vec<LinkRecord>,
}

/// The file every build writes at the top of its output: `--out` replaces only a folder
/// holding it (or an empty one), so a mistyped `--out ~/work` cannot delete a user's files.
pub(crate) const MARKER: &str = ".signpost-output";

const MARKER_TEXT: &str = "This folder was written by `signpost build`, which replaces it whole on every build.\n";

/// Why `out` may not be replaced by a build: it holds something Signpost did not write.
#[derive(Debug, thiserror::Error)]
pub(crate) enum OutputRefused {
    #[error("{} is a file, not a folder", .0.display())]
    File(PathBuf),
    #[error("{} is a symbolic link", .0.display())]
    Link(PathBuf),
    #[error("{} holds files that signpost did not write (it has no {MARKER} file)", .0.display())]
    Foreign(PathBuf),
}

impl OutputRefused {
    /// What the user can do about it.
    pub(crate) fn hint(&self) -> String {
        match self {
            OutputRefused::File(p) | OutputRefused::Link(p) => {
                format!("the build writes a folder there; choose another --out, or move {} away first", p.display())
            }
            OutputRefused::Foreign(p) => format!(
                "the build replaces its output folder whole; choose an empty or new folder for --out, \
                 or empty {} yourself if its files can go",
                p.display()
            ),
        }
    }
}

/// Whether a build may replace `out`: it is absent, an empty folder, or a folder an
/// earlier build wrote (it holds [`MARKER`]).
pub(crate) fn replaceable(out: &Path) -> Result<(), OutputRefused> {
    let meta = match std::fs::symlink_metadata(out) {
        Ok(meta) => meta,
        Err(_) => return Ok(()),
    };
    if meta.file_type().is_symlink() {
        return Err(OutputRefused::Link(out.to_path_buf()));
    }
    if !meta.is_dir() {
        return Err(OutputRefused::File(out.to_path_buf()));
    }
    let marked = std::fs::symlink_metadata(out.join(MARKER)).is_ok_and(|m| m.is_file());
    let empty = std::fs::read_dir(out).map(|mut d| d.next().is_none()).unwrap_or(false);
    if marked || empty {
        Ok(())
    } else {
        Err(OutputRefused::Foreign(out.to_path_buf()))
    }
}

/// Builds into a temporary folder beside `out` and swaps it in only when `build`
/// succeeds; on failure the previous output is untouched and the temporary folder removed.
/// The caller checks [`replaceable`] first. Temporary folders a killed build left beside
/// `out` are removed.
pub(crate) fn write_atomically<T, E: From<io::Error>>(
    out: &Path,
    build: impl FnOnce(&DiskSink) -> Result<T, E>,
) -> Result<T, E> {
    let parent = out.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).map_err(|e| with_path(e, parent))?;
    let name = out.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_else(|| "public".into());
    remove_leftovers(parent, &name);
    let tmp = parent.join(format!(".{name}.building-{}", std::process::id()));
    let old = parent.join(format!(".{name}.old-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(&tmp).map_err(|e| with_path(e, &tmp))?;
    let sink = DiskSink::new(tmp.clone());
    let built = build(&sink).and_then(|value| {
        std::fs::write(tmp.join(MARKER), MARKER_TEXT).map_err(|e| with_path(e, &tmp))?;
        Ok(value)
    });
    match built {
        Ok(value) => {
            let had_old = out.exists();
            if had_old {
                std::fs::rename(out, &old).map_err(|e| with_path(e, out))?;
            }
            if let Err(e) = std::fs::rename(&tmp, out) {
                if had_old {
                    let _ = std::fs::rename(&old, out);
                }
                let _ = std::fs::remove_dir_all(&tmp);
                return Err(with_path(e, out).into());
            }
            if had_old {
                remove_tree(&old);
            }
            Ok(value)
        }
        Err(e) => {
            let _ = std::fs::remove_dir_all(&tmp);
            Err(e)
        }
    }
}

/// Changes an output folder a build wrote in place: writes each of `files` (path ->
/// bytes) whose bytes differ from the file there, and removes `gone`. Every new file is
/// first written beside its old one, so a failure to write any (a full disk) removes
/// them and leaves the folder as it was; then each is renamed over its old one, which
/// a reader never sees half done. Returns the paths written and removed.
pub(crate) fn replace_in_place(
    out: &Path,
    files: &BTreeMap<String, Vec<u8>>,
    gone: &[String],
) -> io::Result<(Vec<String>, Vec<String>)> {
    let changed: Vec<(&String, PathBuf)> = files
        .iter()
        .filter(|(path, bytes)| std::fs::read(out.join(path)).map_or(true, |old| old != **bytes))
        .map(|(path, _)| {
            let target = out.join(path);
            let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            (path, target.with_file_name(format!(".{name}.replacing-{}", std::process::id())))
        })
        .collect();
    let mut staged: Vec<&PathBuf> = Vec::with_capacity(changed.len());
    for (path, tmp) in &changed {
        let written =
            tmp.parent().map_or(Ok(()), std::fs::create_dir_all).and_then(|()| std::fs::write(tmp, &files[*path]));
        if let Err(e) = written {
            for tmp in staged.into_iter().chain([tmp]) {
                let _ = std::fs::remove_file(tmp);
            }
            return Err(with_path(e, &out.join(path)));
        }
        staged.push(tmp);
    }
    for (n, (path, tmp)) in changed.iter().enumerate() {
        if let Err(e) = std::fs::rename(tmp, out.join(path)) {
            // The rest are not left beside (the caller's record is gone, so the next
            // build replaces the whole folder).
            for (_, tmp) in &changed[n..] {
                let _ = std::fs::remove_file(tmp);
            }
            return Err(with_path(e, &out.join(path)));
        }
    }
    for path in gone {
        std::fs::remove_file(out.join(path)).map_err(|e| with_path(e, &out.join(path)))?;
    }
    Ok((changed.into_iter().map(|(path, _)| path.clone()).collect(), gone.to_vec()))
}

/// Removes a replaced output folder, its files in parallel: on tmpfs, 20,000 files of a
/// 10,000-page build (with the search index) took 0.16-0.18 s on one thread, 0.10-0.18 s
/// on two.
fn remove_tree(dir: &Path) {
    use rayon::prelude::*;
    let files: Vec<PathBuf> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| !e.file_type().is_dir())
        .map(walkdir::DirEntry::into_path)
        .collect();
    files.par_iter().for_each(|f| {
        let _ = std::fs::remove_file(f);
    });
    // The folders, and anything the walk could not read.
    let _ = std::fs::remove_dir_all(dir);
}

/// An I/O error that names the path it concerns: "Permission denied" alone says nothing.
pub(crate) fn with_path(e: io::Error, path: &Path) -> io::Error {
    io::Error::new(e.kind(), format!("{}: {e}", path.display()))
}

/// Removes `.NAME.building-PID` and `.NAME.old-PID` folders whose build is no longer
/// running (it was killed): they hold nothing but an unfinished or replaced output.
fn remove_leftovers(parent: &Path, name: &str) {
    let Ok(entries) = std::fs::read_dir(parent) else { return };
    let prefix = format!(".{name}.");
    for entry in entries.flatten() {
        let file_name = entry.file_name().to_string_lossy().to_string();
        let Some(rest) = file_name.strip_prefix(&prefix) else { continue };
        let pid = rest.strip_prefix("building-").or_else(|| rest.strip_prefix("old-"));
        let Some(pid) = pid.and_then(|p| p.parse::<u32>().ok()) else { continue };
        if pid != std::process::id() && !process_running(pid) {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

#[cfg(target_os = "linux")]
fn process_running(pid: u32) -> bool {
    Path::new("/proc").join(pid.to_string()).exists()
}

/// Without /proc a leftover is kept: another build may still be writing it.
#[cfg(not(target_os = "linux"))]
fn process_running(_pid: u32) -> bool {
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_replaced_in_place_are_only_those_that_changed() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path();
        std::fs::write(out.join("same.html"), "same").unwrap();
        std::fs::write(out.join("old.html"), "old").unwrap();
        std::fs::write(out.join("gone.html"), "gone").unwrap();
        let files: BTreeMap<String, Vec<u8>> = [("same.html", "same"), ("old.html", "new"), ("sub/new.html", "added")]
            .map(|(p, b)| (p.to_string(), b.into()))
            .into();
        let (written, removed) = replace_in_place(out, &files, &["gone.html".to_string()]).unwrap();
        assert_eq!(written, ["old.html", "sub/new.html"]);
        assert_eq!(removed, ["gone.html"]);
        assert_eq!(std::fs::read_to_string(out.join("old.html")).unwrap(), "new");
        assert!(!out.join("gone.html").exists());
        let names: Vec<_> = std::fs::read_dir(out).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names.len(), 3, "no file left beside: {names:?}");
    }

    #[test]
    fn a_file_that_cannot_be_written_leaves_the_folder_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path();
        std::fs::write(out.join("a.html"), "old").unwrap();
        // A file where a folder must be made: `blocked/b.html` cannot be written.
        std::fs::write(out.join("blocked"), "a file").unwrap();
        let files: BTreeMap<String, Vec<u8>> =
            [("a.html", "new"), ("blocked/b.html", "new")].map(|(p, b)| (p.to_string(), b.into())).into();
        let err = replace_in_place(out, &files, &[]).unwrap_err();
        assert!(err.to_string().contains("blocked/b.html"), "names the file: {err}");
        assert_eq!(std::fs::read_to_string(out.join("a.html")).unwrap(), "old");
        let names: Vec<_> = std::fs::read_dir(out).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names.len(), 2, "nothing left beside: {names:?}");
    }

    #[test]
    fn failure_keeps_the_old_output() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        write_atomically::<_, io::Error>(&out, |s| s.put("a.html", b"one".to_vec())).unwrap();
        let r = write_atomically::<(), io::Error>(&out, |s| {
            s.put("a.html", b"two".to_vec())?;
            Err(io::Error::other("boom"))
        });
        assert!(r.is_err());
        assert_eq!(std::fs::read(out.join("a.html")).unwrap(), b"one");
        let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "temporary folders are removed");
        write_atomically::<_, io::Error>(&out, |s| s.put("b.html", b"new".to_vec())).unwrap();
        assert!(!out.join("a.html").exists(), "a new build replaces the old one whole");
    }
}
