//! A build after an edit: when the only files changed since the last build into the same
//! folder are the bodies of existing pages, `build` renders those pages again, checks
//! the site and makes the search index from what the last build recorded of every other
//! page, and writes into the folder only the files whose bytes changed. The result is
//! byte for byte what a whole build writes (the tests compare the two).
//!
//! What the last build recorded is its [`State`], kept beside its record in
//! `.signpost-cache/builds/`: each file read and its digest, and for each page its
//! output file, URL, links and anchors (packed, as the check reads them), what it read
//! besides its source, its warnings, and where its search document is in a file of
//! documents kept beside the state; each page as loading left it (so pages not edited
//! are not read again); what the search index keeps; and what the check found on each
//! page (`check::PageCheck`: a page without findings whose links look for no anchor on
//! an edited page is not checked again). The record names the state with its length and
//! CRC-32, and a state that does not match is not read.
//!
//! The edit is taken in place only when nothing else can have changed:
//! - every changed file is a Markdown page under content/ that was there before and is
//!   still there (not a file of `_data`, `_shared` or another `_` folder);
//! - each is one page, not one a service overrides, with the same output file, service
//!   and front matter (front matter is what other pages and the generated files list);
//! - the site has the same pages, at the same output files, as before;
//! - the output folder is as the last build left it.
//!
//! Anything else, and any failure before a file is written (an error in the page, a
//! state that does not read), is a whole build, which reports errors as it always has.
//! The pages that splice a changed file with `include_relative` render again too. Before
//! the first file is written the record is removed, so a build stopped halfway is
//! followed by a whole one.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use serde::{Deserialize, Serialize};

use super::unchanged::{self, Inputs, Kept};
use super::{Again, BuildError, BuildOptions, BuildReport, CACHE_DIR};
use crate::check::PageCheck;
use crate::content::{self, Page};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::documents::{Documents, Place};
use crate::markdown::Highlighter;
use crate::output::{Anchors, LinkRecord, Links, MemorySink, Output, PageRecord, Reads, SavedPacked, SavedPackedRef};
use crate::pipeline::{self, Failed};
use crate::search::Memory;
use crate::site::Site;

/// Bump when the state's shape changes.
const FORMAT: u32 = 3;

/// How the record names the state it goes with: its length and CRC-32 (a state cut
/// short or damaged is not read).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct StateRef {
    len: u64,
    hash: u64,
}

/// What a build recorded, for the next one. Written as [`StateOut`], which borrows
/// what it writes (the build's records), and read back as this.
#[derive(Deserialize)]
struct State {
    format: u32,
    /// [`Inputs::setting`]: the binary and the options.
    setting: String,
    /// [`Inputs::files`].
    files: Vec<(PathBuf, [u8; 32])>,
    /// The file of search documents (its name, beside the state) and its length.
    documents: Option<(String, u64)>,
    pages: Vec<SavedPage>,
    /// Each page as loading left it, for loading again without reading it.
    loaded: Vec<LoadedPage>,
    /// What the search index kept.
    index: Option<Memory>,
    /// What the check found on each page.
    checks: Option<Vec<PageCheck>>,
    /// Every output path but the pages' and the search index's.
    generated: Vec<String>,
    sidebar_links: Vec<LinkRecord>,
}

/// A [`PageRecord`] as it is kept.
#[derive(Deserialize)]
struct SavedPage {
    file: String,
    url: String,
    source: PathBuf,
    service: Option<String>,
    shared: bool,
    links: SavedPacked,
    anchors: SavedPacked,
    reads: Reads,
    warnings: Vec<Diagnostic>,
    search: Option<Place>,
}

/// [`State`] as it is written: field for field the same, borrowed (postcard writes
/// fields in order, without names, so the two must not drift apart; a test reads one
/// back as the other).
/// The pages and loaded pages are any sequence of [`SavedPageOut`] and [`LoadedPageOut`]:
/// a build writes them as they are made ([`Each`]), so that they are not all held beside
/// the build at once (45 MB at 100,000 pages).
#[derive(Serialize)]
struct StateOut<'a, P: Serialize, L: Serialize> {
    format: u32,
    setting: &'a str,
    files: Vec<(&'a Path, &'a [u8; 32])>,
    documents: Option<(String, u64)>,
    pages: P,
    loaded: L,
    index: Option<&'a Memory>,
    checks: Option<&'a [PageCheck]>,
    generated: Vec<&'a str>,
    sidebar_links: &'a [LinkRecord],
}

/// Writes each of a slice's items as `write` makes it, as a sequence; an item it cannot
/// make (`None`) stops the writing with an error.
struct Each<'a, T, F>(&'a [T], F);

impl<'a, T, F, O> Each<'a, T, F>
where
    F: Fn(&'a T) -> Option<O>,
{
    fn new(items: &'a [T], write: F) -> Self {
        Each(items, write)
    }
}

impl<'a, T, F, O> Serialize for Each<'a, T, F>
where
    F: Fn(&'a T) -> Option<O>,
    O: Serialize,
{
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{Error, SerializeSeq};
        let mut seq = serializer.serialize_seq(Some(self.0.len()))?;
        for item in self.0 {
            seq.serialize_element(&(self.1)(item).ok_or_else(|| S::Error::custom("an item that cannot be kept"))?)?;
        }
        seq.end()
    }
}

#[derive(Serialize)]
struct SavedPageOut<'a> {
    file: &'a str,
    url: &'a str,
    source: &'a Path,
    service: Option<&'a str>,
    shared: bool,
    links: SavedPackedRef<'a>,
    anchors: SavedPackedRef<'a>,
    reads: &'a Reads,
    warnings: &'a [Diagnostic],
    search: Option<&'a Place>,
}

/// A loaded page ([`Page`]) as it is kept: front matter whole (its other keys as JSON,
/// which postcard cannot read back as values, and the warnings its parsing gave).
#[derive(Deserialize)]
struct LoadedPage {
    source: PathBuf,
    service: Option<String>,
    shared: bool,
    body: crate::content::Body,
    body_line: usize,
    permalink: crate::content::Permalink,
    title: String,
    summary: Option<String>,
    keywords: Vec<String>,
    tags: Vec<String>,
    sidebar: Option<String>,
    front_permalink: Option<String>,
    permalink_at: Option<crate::diagnostics::Location>,
    toc: bool,
    folder: Option<String>,
    layout: Option<String>,
    published: bool,
    search: bool,
    extra: String,
    places: [(u32, u32); crate::content::frontmatter::PLACED.len()],
    warnings: Vec<Diagnostic>,
}

/// [`LoadedPage`] as it is written, borrowing the page (field for field the same).
#[derive(Serialize)]
struct LoadedPageOut<'a> {
    source: &'a Path,
    service: Option<&'a str>,
    shared: bool,
    body: &'a crate::content::Body,
    body_line: usize,
    permalink: &'a crate::content::Permalink,
    title: &'a str,
    summary: Option<&'a str>,
    keywords: &'a [String],
    tags: &'a [String],
    sidebar: Option<&'a str>,
    front_permalink: Option<&'a str>,
    permalink_at: Option<&'a crate::diagnostics::Location>,
    toc: bool,
    folder: Option<&'a str>,
    layout: Option<&'a str>,
    published: bool,
    search: bool,
    extra: String,
    places: [(u32, u32); crate::content::frontmatter::PLACED.len()],
    warnings: &'a [Diagnostic],
}

impl<'a> LoadedPageOut<'a> {
    /// `page` as loading left it.
    fn of(page: &'a Page) -> Option<LoadedPageOut<'a>> {
        let front = &page.front;
        Some(LoadedPageOut {
            source: &page.source,
            service: page.service.as_deref(),
            shared: page.shared,
            body: &page.body,
            body_line: page.body_line,
            permalink: &page.permalink,
            title: &front.title,
            summary: front.summary.as_deref(),
            keywords: &front.keywords,
            tags: &front.tags,
            sidebar: front.sidebar.as_deref(),
            front_permalink: front.permalink.as_deref(),
            permalink_at: front.permalink_at.as_ref(),
            toc: front.toc,
            folder: front.folder.as_deref(),
            layout: front.layout.as_deref(),
            published: front.published,
            search: front.search,
            extra: serde_json::to_string(&front.extra).ok()?,
            places: front.places,
            warnings: &front.warnings,
        })
    }
}

impl LoadedPage {
    fn page(&self) -> Option<Page> {
        let front = crate::content::FrontMatter {
            title: self.title.clone(),
            summary: self.summary.clone(),
            keywords: self.keywords.clone(),
            tags: self.tags.clone(),
            sidebar: self.sidebar.clone(),
            permalink: self.front_permalink.clone(),
            permalink_at: self.permalink_at.clone(),
            toc: self.toc,
            folder: self.folder.clone(),
            layout: self.layout.clone(),
            published: self.published,
            search: self.search,
            extra: serde_json::from_str(&self.extra).ok()?,
            places: self.places,
            warnings: self.warnings.clone(),
        };
        Some(Page {
            source: self.source.clone(),
            front,
            body: self.body.clone(),
            body_line: self.body_line,
            permalink: self.permalink.clone(),
            service: self.service.clone(),
            shared: self.shared,
        })
    }
}

/// The state's file, beside the record.
fn state_path(root: &Path, out: &Path) -> PathBuf {
    unchanged::record_path(root, out).with_extension("state")
}

/// A new file of search documents for a whole build into `out`; its name is new, so that
/// the last build's file stays whole until this build is recorded.
pub(super) fn new_documents(root: &Path, out: &Path) -> Option<(Arc<Documents>, PathBuf)> {
    let record = unchanged::record_path(root, out);
    let dir = record.parent()?;
    std::fs::create_dir_all(dir).ok()?;
    let stem = record.file_stem()?.to_string_lossy().into_owned();
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    let path = dir.join(format!("{stem}.{}-{nanos}.documents", std::process::id()));
    Documents::create(&path).ok().map(|documents| (documents, path))
}

/// Keeps what a whole build recorded, and removes the files of documents no state names
/// any more. Returns what the record names it by; `None` when it could not be written,
/// and then the next build is a whole one.
pub(super) fn save(
    root: &Path,
    out: &Path,
    inputs: &Inputs,
    run: &pipeline::Run,
    documents: Option<(&Documents, &Path)>,
) -> Option<StateRef> {
    let (site, output, index) = (&run.site, &run.output, run.index_memory.as_ref());
    let documents = match documents {
        Some((file, path)) => Some((path.file_name()?.to_string_lossy().into_owned(), file.flush().ok()?)),
        None => None,
    };
    let pages = Each::new(&output.pages, |record| {
        Some(SavedPageOut {
            file: &record.file,
            url: &record.url,
            source: &record.source,
            service: record.service.as_deref(),
            shared: record.shared,
            links: record.links.saved().ok()?,
            anchors: record.anchors.saved().ok()?,
            reads: &record.reads,
            warnings: &record.warnings,
            search: match &record.search {
                Some(kept) => Some(kept.place()?),
                None => None,
            },
        })
    });
    let page_files: BTreeSet<&str> = output.pages.iter().map(|p| p.file.as_str()).collect();
    let generated =
        output.paths.iter().filter(|p| !page_files.contains(p.as_str()) && !is_index(p)).map(String::as_str).collect();
    let loaded = Each::new(&site.content.pages, LoadedPageOut::of);
    let state = StateOut {
        format: FORMAT,
        setting: &inputs.setting,
        files: inputs.files().collect(),
        documents,
        pages,
        loaded,
        index,
        checks: run.checks.as_deref(),
        generated,
        sidebar_links: &output.sidebar_links,
    };
    let saved = write_state(root, out, &state)?;
    remove_other_documents(root, out, state.documents.as_ref().map(|(name, _)| name.as_str()));
    Some(saved)
}

fn is_index(path: &str) -> bool {
    path.strip_prefix(crate::output::SEARCH_INDEX_DIR).is_some_and(|rest| rest.starts_with('/'))
}

/// Writes the state beside the record, streamed (it is tens of megabytes for 10,000
/// pages) with its length and checksum counted on the way.
fn write_state(root: &Path, out: &Path, state: &StateOut<impl Serialize, impl Serialize>) -> Option<StateRef> {
    let path = state_path(root, out);
    std::fs::create_dir_all(path.parent()?).ok()?;
    let tmp = path.with_extension(format!("state.{}", std::process::id()));
    let written = std::fs::File::create(&tmp).and_then(|file| {
        let inner = io::BufWriter::with_capacity(1 << 20, file);
        let mut counted = Counted { inner, len: 0, crc: crc32fast::Hasher::new() };
        postcard::to_io(state, &mut counted).map_err(io::Error::other)?;
        counted.inner.into_inner().map_err(io::IntoInnerError::into_error)?;
        std::fs::rename(&tmp, &path)?;
        Ok(StateRef { len: counted.len, hash: u64::from(counted.crc.finalize()) })
    });
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written.ok()
}

/// Counts the bytes written through it, and their CRC-32.
struct Counted<W> {
    inner: W,
    len: u64,
    crc: crc32fast::Hasher,
}

impl<W: io::Write> io::Write for Counted<W> {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(bytes)?;
        self.crc.update(&bytes[..n]);
        self.len += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

fn read_state(root: &Path, out: &Path, named: StateRef) -> Option<State> {
    let bytes = std::fs::read(state_path(root, out)).ok()?;
    if bytes.len() as u64 != named.len || u64::from(crc32fast::hash(&bytes)) != named.hash {
        return None;
    }
    let state: State = postcard::from_bytes(&bytes).ok()?;
    (state.format == FORMAT).then_some(state)
}

/// Removes the files of documents beside the record but `keep`: those of earlier builds,
/// and of builds that stopped before they were recorded.
fn remove_other_documents(root: &Path, out: &Path, keep: Option<&str>) {
    let record = unchanged::record_path(root, out);
    let (Some(dir), Some(stem)) = (record.parent(), record.file_stem()) else { return };
    let prefix = format!("{}.", stem.to_string_lossy());
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with(&prefix) && name.ends_with(".documents") && Some(name.as_str()) != keep {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// The build after an edit, when it can be one (see the module's comment). `None`: build
/// the whole site. Errors are those of writing the folder.
pub(super) fn build(
    options: &BuildOptions,
    inputs: &Inputs,
    start: Instant,
) -> Option<Result<BuildReport, BuildError>> {
    let root = &options.load.root;
    let out = options.out_dir();
    let record = unchanged::read_record(root, &out)?;
    // A folder removed or replaced since: its state (about 6 KB a page) is not read for
    // nothing.
    if !unchanged::marker_as_recorded(&out, &record.output) {
        return None;
    }
    // The folder is listed while the state is read and the site loaded: each takes a few
    // hundredths of a second for 10,000 pages.
    let (listing, loaded) = rayon::join(|| unchanged::listing(&out), || load(options, inputs, record.state));
    let (mut state, site, loaded, again) = loaded?;
    if listing.ok()? != record.output {
        return None;
    }
    let documents = match &state.documents {
        Some((name, len)) => {
            let path = unchanged::record_path(root, &out).with_file_name(name);
            Some((Documents::reopen(&path, *len).ok()?, path))
        }
        None => None,
    };
    let (index, checks) = (state.index.take(), state.checks.take());
    let before = pipeline::Before { output: recorded(state, documents.as_ref().map(|(d, _)| d))?, index, checks };
    let run_options = options.pipeline();
    let highlighter = Highlighter::new(Some(&site.root.join(CACHE_DIR)));
    let sink = MemorySink::default();
    let aside = documents.as_ref().map(|(d, _)| Arc::clone(d));
    let run = match pipeline::run_again(site, loaded, before, &again, &run_options, &highlighter, &sink, aside) {
        Ok(run) => run,
        // The whole build reports the errors, with every page's warnings beside them.
        Err(Failed::Site(_) | Failed::Io(_) | Failed::NewPage(_)) => return None,
    };
    let _ = highlighter.save();
    let files = sink.files.into_inner().ok()?;
    Some(finish(root, &out, inputs, run, files, record.output, documents, again.len(), start))
}

/// The last build's state, and the site loaded with every page but the edited ones
/// taken from it, with the warnings of loading and the pages to render again (see
/// [`pages_again`]); `None` when the change is not one an edit build makes.
fn load(
    options: &BuildOptions,
    inputs: &Inputs,
    state: Option<StateRef>,
) -> Option<(State, Site, Diagnostics, Vec<usize>)> {
    let (root, out) = (&options.load.root, options.out_dir());
    let state = read_state(root, &out, state?)?;
    if state.setting != inputs.setting {
        return None;
    }
    let changed = edited_pages(&state.files, inputs.files())?;
    // Every page but the edited ones is as the last build loaded it.
    let kept: HashMap<(&Path, Option<&str>), &LoadedPage> = state
        .loaded
        .iter()
        .filter(|page| !changed.contains(&page.source))
        .map(|page| ((page.source.as_path(), page.service.as_deref()), page))
        .collect();
    let reuse = |source: &Path, service: Option<&str>| kept.get(&(source, service)).and_then(|p| p.page()).map(Some);
    let (site, mut loaded) = pipeline::load_reusing(&options.load, &reuse).ok()?;
    // Loading reports the warnings of the pages it read; those it was handed are
    // reported here, as a whole build reports them.
    let reused =
        site.content.pages.iter().filter(|page| kept.contains_key(&(page.source.as_path(), page.service.as_deref())));
    loaded.extend(reused.flat_map(|page| page.front.warnings.iter().cloned()));
    let again = pages_again(&site, &state, &changed)?;
    drop(kept);
    Some((state, site, loaded, again))
}

/// Writes what changed, and records the build.
#[allow(clippy::too_many_arguments)]
fn finish(
    root: &Path,
    out: &Path,
    inputs: &Inputs,
    run: pipeline::Run,
    files: BTreeMap<String, Vec<u8>>,
    before: Vec<unchanged::Written>,
    documents: Option<(Arc<Documents>, PathBuf)>,
    pages_again: usize,
    start: Instant,
) -> Result<BuildReport, BuildError> {
    unchanged::forget(root, out)?;
    let output = &run.output;
    // The state is saved while the files are written: each takes a tenth of a second
    // for 10,000 pages.
    let (state, written) = rayon::join(
        || {
            let documents = documents.as_ref().map(|(d, path)| (&**d, path.as_path()));
            save(root, out, inputs, &run, documents)
        },
        || write_changes(out, &files, &before, output),
    );
    let (again, changed) = written?;
    let kept = Kept::of(&run);
    let pipeline::Run { site, output, index_memory, checks, .. } = run;
    pipeline::free_aside((site, index_memory, checks, files));
    // Not listed, the folder is not recorded, and the next build is a whole one.
    if let Ok(listing) = unchanged::relisted(out, before, &changed) {
        unchanged::remember(root, out, inputs, &kept, state, listing);
    }
    let again = Again { pages: pages_again, ..again };
    Ok(BuildReport { output: Some(output), again: Some(again), ..BuildReport::from_kept(kept, start.elapsed()) })
}

/// Writes the files that changed and removes those the output no longer has (the index
/// can have fewer files after an edit). Returns their count and paths.
fn write_changes(
    out: &Path,
    files: &BTreeMap<String, Vec<u8>>,
    before: &[unchanged::Written],
    output: &Output,
) -> io::Result<(Again, Vec<String>)> {
    let gone: Vec<String> = before
        .iter()
        .filter(|w| w.path != crate::output::MARKER && !output.paths.contains(&w.path))
        .map(|w| w.path.clone())
        .collect();
    let (written, removed) = crate::output::replace_in_place(out, files, &gone)?;
    let again = Again { pages: 0, written: written.len(), removed: removed.len() };
    Ok((again, written.into_iter().chain(removed).collect()))
}

/// The files whose bytes changed, when each is the Markdown of a page that was there
/// before and still is; `None` for any other change.
fn edited_pages<'a>(
    before: &[(PathBuf, [u8; 32])],
    now: impl ExactSizeIterator<Item = (&'a Path, &'a [u8; 32])>,
) -> Option<Vec<PathBuf>> {
    if before.len() != now.len() {
        return None;
    }
    let mut changed = Vec::new();
    for ((path, old), (same, new)) in before.iter().zip(now) {
        if path != same {
            return None;
        }
        if old != new {
            let mut parts = path.components().map(|c| c.as_os_str().to_string_lossy());
            let in_content = parts.next().is_some_and(|first| first == "content");
            if !in_content || parts.any(|part| part.starts_with('_')) || !content::is_markdown(path) {
                return None;
            }
            changed.push(path.clone());
        }
    }
    Some(changed)
}

/// Indices of the pages to render again: those of the changed files, when each is one
/// page whose output file, service and front matter are as before, and the pages that
/// splice a changed file; `None` when the site's pages are not those of the state.
fn pages_again(site: &Site, state: &State, changed: &[PathBuf]) -> Option<Vec<usize>> {
    let pages = &site.content.pages;
    if pages.len() != state.pages.len() {
        return None;
    }
    let saved: HashMap<&str, &SavedPage> = state.pages.iter().map(|p| (p.file.as_str(), p)).collect();
    let mut index_of = HashMap::with_capacity(pages.len());
    for (i, page) in pages.iter().enumerate() {
        let before = saved.get(page.permalink.file())?;
        if before.source != page.source || before.service != page.service || before.shared != page.shared {
            return None;
        }
        index_of.insert(page.permalink.file(), i);
    }
    let overridden = |path: &Path| site.content.overrides.iter().any(|(own, shared)| own == path || shared == path);
    let mut again = BTreeSet::new();
    for path in changed {
        let mut same = pages.iter().enumerate().filter(|(_, p)| p.source == *path);
        let (i, page) = same.next()?;
        if same.next().is_some() || page.shared || overridden(path) {
            return None;
        }
        // Front matter is what other pages and the generated files read of a page.
        let before = state.loaded.iter().find(|p| p.source == page.source && p.service == page.service)?;
        if serde_json::to_value(&before.page()?.front).ok()? != serde_json::to_value(&page.front).ok()? {
            return None;
        }
        again.insert(i);
    }
    for before in &state.pages {
        if before.reads.relative.iter().any(|read| changed.iter().any(|c| read.starts_with(c))) {
            again.insert(*index_of.get(before.file.as_str())?);
        }
    }
    Some(again.into_iter().collect())
}

/// The output the state records, its pages' documents in `documents`.
fn recorded(state: State, documents: Option<&Arc<Documents>>) -> Option<Output> {
    let mut output = Output { sidebar_links: state.sidebar_links, ..Output::default() };
    output.paths.extend(state.generated);
    output.pages.reserve_exact(state.pages.len());
    for page in state.pages {
        output.paths.insert(page.file.clone());
        let search = match page.search {
            Some(place) => Some(documents?.kept(place)),
            None => None,
        };
        output.pages.push(PageRecord {
            file: page.file,
            url: page.url,
            source: page.source,
            service: page.service,
            shared: page.shared,
            links: Links::from_saved(page.links).into(),
            anchors: Anchors::from_saved(page.anchors).into(),
            search,
            reads: page.reads.into(),
            warnings: page.warnings,
        });
    }
    Some(output)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::{Kind, Location};
    use crate::output::{AnchorRecord, LinkOrigin, PageAnchors, PageLinks, SetAside};

    #[test]
    fn a_state_written_borrowed_reads_back_whole() {
        let at = Location::new(Path::new("content/a.md"), 3, 7);
        let link = LinkRecord {
            written: "b.html#c".into(),
            href: "/b.html#c".into(),
            origin: LinkOrigin::Markdown,
            location: at.clone(),
            len: 8,
        };
        let links = Links::pack(std::slice::from_ref(&link));
        let anchors = Anchors::pack(&[AnchorRecord { id: "intro".into(), location: Some(at.clone()) }]);
        // Set aside as a whole build's are until the check, then written from their file.
        let file = Arc::new(crate::spill::Spill::temporary().unwrap());
        let aside_links = PageLinks::new(links.clone(), Some(&file));
        let aside_anchors = PageAnchors::new(anchors.clone(), Some(&file));
        assert!(matches!(aside_links, SetAside::Aside { .. }), "set aside");
        let reads = Reads { listings: true, ..Reads::default() };
        let warnings = vec![Diagnostic::warning(Kind::OrphanPage, "alone").at(at)];
        let files = vec![(PathBuf::from("content/a.md"), [7; 32])];
        let front = crate::content::FrontMatter::parse(
            "title: A\nsummary: S\ntags: [x]\nowner: {name: Team, since: 2.5}\nowner: again\n",
            Path::new("content/a.md"),
        )
        .unwrap();
        let page = Page {
            source: PathBuf::from("content/a.md"),
            front,
            body: crate::content::Body::OnDisk { front: 9 },
            body_line: 7,
            permalink: crate::content::Permalink::parse("guide/a.html").unwrap(),
            service: Some("nrls".into()),
            shared: true,
        };
        let checks = [PageCheck::default()];
        let out = StateOut {
            format: FORMAT,
            setting: "abc",
            files: files.iter().map(|(p, d)| (p.as_path(), d)).collect(),
            documents: Some(("x.documents".into(), 12)),
            pages: vec![SavedPageOut {
                file: "a.html",
                url: "/a.html",
                source: Path::new("content/a.md"),
                service: Some("nrls"),
                shared: false,
                links: aside_links.saved().unwrap(),
                anchors: aside_anchors.saved().unwrap(),
                reads: &reads,
                warnings: &warnings,
                search: None,
            }],
            loaded: vec![LoadedPageOut::of(&page).unwrap()],
            index: None,
            checks: Some(&checks),
            generated: vec!["sitemap.xml"],
            sidebar_links: std::slice::from_ref(&link),
        };
        let bytes = postcard::to_stdvec(&out).unwrap();
        let back: State = postcard::from_bytes(&bytes).unwrap();
        assert_eq!((back.format, back.setting.as_str(), &back.files), (FORMAT, "abc", &files));
        assert_eq!(back.documents, Some(("x.documents".to_string(), 12)));
        assert_eq!((back.generated, back.sidebar_links), (vec!["sitemap.xml".to_string()], vec![link]));
        assert_eq!(back.checks.as_deref(), Some(&checks[..]));
        let loaded = back.loaded[0].page().unwrap();
        assert_eq!(format!("{loaded:?}"), format!("{page:?}"), "a loaded page, warnings and all");
        assert_eq!(loaded.front, page.front);
        assert!(!page.front.warnings.is_empty(), "the key written twice");
        let page = back.pages.into_iter().next().unwrap();
        assert_eq!(
            (page.file.as_str(), page.url.as_str(), page.service.as_deref()),
            ("a.html", "/a.html", Some("nrls"))
        );
        assert_eq!((page.source, page.reads, page.warnings), (PathBuf::from("content/a.md"), reads, warnings));
        assert_eq!(Links::from_saved(page.links), links);
        assert_eq!(Anchors::from_saved(page.anchors), anchors);
    }
}
