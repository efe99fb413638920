//! Pages and files under `content/`: front matter, permalinks, slugs and includes.

pub mod frontmatter;
pub mod headings;
pub mod includes;
pub mod permalink;
pub mod slug;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use crate::config::SiteConfig;
use crate::diagnostics::{Diagnostic, Diagnostics, Kind, Location};
pub use frontmatter::FrontMatter;
pub use permalink::{Permalink, PermalinkError};

pub const CONTENT_DIR: &str = "content";
/// Pages every service gets, each service building them as its own.
pub const SHARED_DIR: &str = "_shared";

/// One Markdown page, read and validated.
#[derive(Debug, Clone)]
pub struct Page {
    /// Path relative to the site root, as errors show it: `content/booking/overview.md`.
    pub source: PathBuf,
    pub front: FrontMatter,
    /// The Markdown after the front matter: [`Page::body`] gives it.
    pub body: Body,
    /// Line of the source file where `body` starts.
    pub body_line: usize,
    /// Where the page is written and linked, relative to the output root.
    pub permalink: Permalink,
    /// The service the page belongs to, if any.
    pub service: Option<String>,
    /// Built from `content/_shared` for its service.
    pub shared: bool,
}

/// Where a page's Markdown is between loading and rendering.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Body {
    /// Read again from the page's file when it renders: a build holds the front matter of
    /// every page, not the text (most of a large site's size), until it is needed. `front`
    /// is a digest of the text before the body as it was loaded: a file saved between
    /// loading and rendering is refused rather than built with the old front matter (and
    /// line numbers) on the new text.
    OnDisk { front: u64 },
    /// Kept from loading, with `\n` line ends: `serve` renders a page's last good version
    /// while its file has errors.
    Held(String),
}

/// Which of [`Body`]'s two ways loading takes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Bodies {
    #[default]
    OnDisk,
    Held,
    /// Held while the bodies kept so far come to less than this many bytes, on disk
    /// beyond: `check` reads a site of ordinary size once (each page read again was a
    /// twentieth of its time), and its memory still stops growing on a very large one.
    HeldUpTo(usize),
}

/// What a load has left of [`Bodies::HeldUpTo`]'s bytes, shared by the threads reading.
enum Hold {
    OnDisk,
    All,
    Within(std::sync::atomic::AtomicUsize),
}

impl Hold {
    fn new(bodies: Bodies) -> Hold {
        match bodies {
            Bodies::OnDisk => Hold::OnDisk,
            Bodies::Held => Hold::All,
            Bodies::HeldUpTo(bytes) => Hold::Within(bytes.into()),
        }
    }

    /// Whether a body of `len` bytes is kept (and then counted).
    fn keeps(&self, len: usize) -> bool {
        use std::sync::atomic::Ordering::Relaxed;
        match self {
            Hold::OnDisk => false,
            Hold::All => true,
            Hold::Within(left) => left.fetch_update(Relaxed, Relaxed, |left| left.checked_sub(len)).is_ok(),
        }
    }
}

impl Page {
    /// The Markdown after the front matter, with `\n` line ends, read again from the page's
    /// file under `root` unless it was kept.
    pub fn body(&self, root: &Path) -> Result<std::borrow::Cow<'_, str>, Diagnostic> {
        match &self.body {
            Body::Held(text) => Ok(text.as_str().into()),
            Body::OnDisk { front } => {
                let mut text = normalise_text(crate::diagnostics::read_text(&root.join(&self.source), &self.source)?);
                let start = text.len() - frontmatter::split(&text).body.len();
                if digest(&text[..start]) != *front {
                    return Err(Diagnostic::error(
                        Kind::Io,
                        format!("{} changed while the build was reading it", self.source.display()),
                    )
                    .at(Location::new(self.source.clone(), 1, 1))
                    .hint("build again once the file is saved; the previous output is kept"));
                }
                text.replace_range(..start, "");
                Ok(text.into())
            }
        }
    }
}

/// A digest of a page's front matter text, to notice it changed (not a defence against
/// anyone choosing a collision: it only tells a later save from the text loaded).
fn digest(text: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    text.hash(&mut hasher);
    hasher.finish()
}

/// A file copied to the output as it is (images, PDFs, downloads).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Asset {
    pub source: PathBuf,
    pub output: String,
}

#[derive(Debug, Default)]
pub struct Content {
    pub pages: Vec<Page>,
    pub assets: Vec<Asset>,
    /// Pages left out because they say `published: false`.
    pub unpublished: usize,
    /// Shared pages a service replaced with its own: (service page, shared page).
    pub overrides: Vec<(PathBuf, PathBuf)>,
}

/// Which pages a build takes: the whole portal, or one service at the root.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Scope {
    #[default]
    Portal,
    Service(String),
}

/// A file under content/ and the service it belongs to.
struct Found {
    relative: PathBuf,
    shared: bool,
    service: Option<String>,
    /// Path inside the service folder (or content/), with `/` separators.
    local: String,
}

/// Reads every page and asset under `ROOT/content`, in parallel, reporting all problems.
pub fn load(root: &Path, config: &SiteConfig, scope: &Scope, bodies: Bodies) -> (Content, Diagnostics) {
    load_reusing(root, config, scope, bodies, &|_, _| None)
}

/// What `reuse(source, service)` hands back instead of reading the file again: a page
/// read before, or `Some(None)` to leave the file out. `None` reads it.
pub type Reuse<'a> = dyn Fn(&Path, Option<&str>) -> Option<Option<Page>> + Sync + 'a;

/// As [`load`], but pages `reuse` hands back are not read again: `serve` re-reads only
/// the files that changed, while every rule of loading (order, `_shared`, overrides,
/// duplicates) stays here.
pub fn load_reusing(
    root: &Path,
    config: &SiteConfig,
    scope: &Scope,
    bodies: Bodies,
    reuse: &Reuse,
) -> (Content, Diagnostics) {
    let content_root = root.join(CONTENT_DIR);
    let mut diagnostics = Diagnostics::default();
    let mut found = Vec::new();
    for entry in walk(&content_root) {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                diagnostics.push(Diagnostic::error(Kind::Io, format!("cannot read {}: {e}", content_root.display())));
                continue;
            }
        };
        if !entry.file_type().is_file() {
            continue;
        }
        let rel_to_content = entry.path().strip_prefix(&content_root).unwrap_or(entry.path());
        let rel_str = to_slash(rel_to_content);
        let (service, local) = service_of(config, &rel_str);
        match (scope, &service) {
            (Scope::Service(want), Some(s)) if want != s => continue,
            (Scope::Service(_), None) => continue,
            _ => {}
        }
        found.push(Found { relative: Path::new(CONTENT_DIR).join(rel_to_content), shared: false, service, local });
    }
    found.extend(shared_files(&content_root, config, scope, &mut diagnostics));

    let prefix_for = |service: &Option<String>| match (scope, service) {
        (Scope::Portal, Some(id)) => id.clone(),
        _ => String::new(),
    };

    let (markdown, other): (Vec<Found>, Vec<Found>) =
        found.into_iter().partition(|f| is_markdown(&f.relative) || is_html_page(&root.join(&f.relative)));
    let assets = other
        .into_iter()
        .map(|f| {
            let prefix = prefix_for(&f.service);
            let output = if prefix.is_empty() { f.local } else { format!("{prefix}/{}", f.local) };
            Asset { source: f.relative, output }
        })
        .collect();

    // (page, whether it was read now): a page handed back was read, and its warnings
    // reported, by an earlier load.
    type Loaded = (Result<Option<Page>, Vec<Diagnostic>>, bool);
    // In pieces of a few pages, so that no thread reads a long run alone at the end (see
    // `Renderer::pages`).
    let hold = Hold::new(bodies);
    let results: Vec<Loaded> = markdown
        .par_iter()
        .with_max_len(16)
        .map(|f| match reuse(&f.relative, f.service.as_deref()) {
            Some(page) => (Ok(page), false),
            None => (read_page(root, config, f, &prefix_for(&f.service), &hold), true),
        })
        .collect();
    // Collected in place, in the results' own allocation: pushed into a new list, every
    // page was copied into memory touched for the first time, about 10 ms of a check of
    // 10,000 pages on one thread while the others waited.
    let mut unpublished = 0;
    let pages = results
        .into_iter()
        .filter_map(|(result, read_now)| match result {
            Ok(Some(page)) => {
                if read_now {
                    diagnostics.extend(page.front.warnings.iter().cloned());
                }
                Some(page)
            }
            Ok(None) => {
                unpublished += 1;
                None
            }
            Err(errs) => {
                diagnostics.extend(errs);
                None
            }
        })
        .collect();
    let mut content = Content { pages, assets, unpublished, overrides: Vec::new() };
    apply_overrides(&mut content);
    diagnostics.extend(duplicate_permalinks(&content.pages));
    (content, diagnostics)
}

/// Every entry under `content_root` (hidden and special ones left out) in walkdir's
/// order, sorted by name, with each top-level folder walked on a thread of its own:
/// walking the 10,000-page corpus took 10 ms on one thread while the others waited.
/// A folder's own walk gives what the whole walk gives for it, the folder first, and
/// a link to a folder is not followed in either.
fn walk(content_root: &Path) -> Vec<walkdir::Result<walkdir::DirEntry>> {
    let sorted = |root: &Path| walkdir::WalkDir::new(root).sort_by_file_name();
    let shown = |e: &walkdir::DirEntry| e.depth() == 0 || !is_hidden_or_special(e.file_name());
    let top: Vec<_> = sorted(content_root).max_depth(1).into_iter().filter_entry(shown).collect();
    top.into_par_iter()
        .flat_map_iter(|entry| match entry {
            Ok(folder) if folder.depth() == 1 && folder.file_type().is_dir() => {
                sorted(folder.path()).into_iter().filter_entry(shown).collect()
            }
            entry => vec![entry],
        })
        .collect()
}

/// Reads the page at `relative` (under content/, outside `_shared`) as [`load`] reads
/// it, for `serve` to read again a page whose file changed. `Ok(None)`: the page is
/// unpublished, or of a service outside `scope`.
pub fn read_one(
    root: &Path,
    config: &SiteConfig,
    scope: &Scope,
    bodies: Bodies,
    relative: &Path,
) -> Result<Option<Page>, Vec<Diagnostic>> {
    let local_path = relative.strip_prefix(CONTENT_DIR).unwrap_or(relative);
    let (service, local) = service_of(config, &to_slash(local_path));
    let prefix = match (scope, &service) {
        (Scope::Service(want), Some(s)) if want != s => return Ok(None),
        (Scope::Service(_), None) => return Ok(None),
        (Scope::Portal, Some(id)) => id.clone(),
        _ => String::new(),
    };
    let found = Found { relative: relative.to_path_buf(), shared: false, service, local };
    read_page(root, config, &found, &prefix, &Hold::new(bodies))
}

/// Reads a page: its front matter keeps the warnings its parsing gave (a key written
/// twice), which loading reports, and its service's values are filled into its title
/// and summary.
fn read_page(
    root: &Path,
    config: &SiteConfig,
    found: &Found,
    prefix: &str,
    hold: &Hold,
) -> Result<Option<Page>, Vec<Diagnostic>> {
    let file = &found.relative;
    let text = crate::diagnostics::read_text(&root.join(file), file).map_err(|d| vec![d])?;
    let text = normalise_text(text);
    let split = frontmatter::split(&text);
    frontmatter::check_page_text(&text, &split, file).map_err(|d| vec![d])?;
    let front = match split.yaml {
        Some(yaml) => FrontMatter::parse(yaml, file)?,
        None => FrontMatter::untitled(file),
    };
    if !front.published {
        return Ok(None);
    }
    let local = match &front.permalink {
        Some(raw) => Permalink::parse(raw).map_err(|e| {
            vec![Diagnostic::error(Kind::Permalink, e.to_string())
                .at_opt(front.permalink_at.clone())
                .spanning(raw.chars().count())
                .hint("a permalink is a path inside the site, such as `guide/setup.html`")]
        })?,
        None => Permalink::from_source_path(&found.local),
    };
    let mut page = Page {
        shared: found.shared,
        source: file.clone(),
        body: if hold.keeps(split.body.len()) {
            Body::Held(split.body.to_string())
        } else {
            Body::OnDisk { front: digest(&text[..text.len() - split.body.len()]) }
        },
        body_line: split.body_line,
        front,
        permalink: local.under(prefix),
        service: found.service.clone(),
    };
    service_values_in_front_matter(&mut page, config).map_err(|d| vec![d])?;
    Ok(Some(page))
}

/// A shared page's title and summary may name its service's values, as its body may:
/// `summary: How {{ service.short_name }} assures products`.
fn service_values_in_front_matter(page: &mut Page, config: &SiteConfig) -> Result<(), Diagnostic> {
    let Some(service) = page.service.as_deref().and_then(|id| config.service(id)) else { return Ok(()) };
    let service = crate::site::view::ServiceView::of(service, None);
    let values = serde_json::json!({"service": service, "site": {"title": config.title}});
    let at = [page.front.position("title", &page.source), page.front.position("summary", &page.source)];
    let fields = [("title", &mut page.front.title), ("summary", page.front.summary.get_or_insert_with(String::new))];
    for ((key, text), at) in fields.into_iter().zip(at) {
        if !text.contains("{{") {
            continue;
        }
        match expand_values(text, &values) {
            Ok(expanded) => *text = expanded,
            Err(unknown) => {
                return Err(Diagnostic::error(
                    Kind::UnknownVariable,
                    format!("`{}` in the {key} is not defined", unknown.path),
                )
                .at(Location::new(&page.source, at.line, 1))
                .hint(unknown.hint()));
            }
        }
    }
    if page.front.summary.as_deref() == Some("") {
        page.front.summary = None;
    }
    Ok(())
}

/// Replaces each `{{ path }}` with its value in `values`; the first unknown one is the error.
fn expand_values(text: &str, values: &serde_json::Value) -> Result<String, UnknownValue> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let Some(end) = rest[start..].find("}}") else { break };
        out.push_str(&rest[..start]);
        out.push_str(&value_text(values, rest[start + 2..start + end].trim())?);
        rest = &rest[start + end + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

/// A dotted path that names nothing: how far it got, and what was there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownValue {
    pub path: String,
    pub found: String,
    pub keys: Vec<String>,
}

impl UnknownValue {
    pub fn hint(&self) -> String {
        if self.keys.is_empty() {
            format!("`{}` has no keys", self.found)
        } else {
            format!("`{}` has: {}", self.found, self.keys.join(", "))
        }
    }
}

/// The value at a dotted path (`service.values.contact`) of `values`, as page text:
/// lists joined with commas, null as nothing. The one lookup for `{{ ... }}` in pages.
pub fn value_text(values: &serde_json::Value, path: &str) -> Result<String, UnknownValue> {
    value_text_under(None, values, path)
}

/// As [`value_text`], for `root.path` when `root`'s value is already at hand.
pub fn value_text_under(root: Option<&str>, values: &serde_json::Value, path: &str) -> Result<String, UnknownValue> {
    let mut value = values;
    let mut found: Vec<&str> = root.into_iter().collect();
    for key in path.split('.').filter(|k| !k.is_empty()) {
        match value.get(key) {
            Some(v) => value = v,
            None => {
                // Sorted for the reader, whatever order the value keeps them in.
                let mut keys: Vec<String> = value.as_object().map(|m| m.keys().cloned().collect()).unwrap_or_default();
                keys.sort();
                let found = if found.is_empty() { "the page".to_string() } else { found.join(".") };
                let path = root.map_or_else(|| path.to_string(), |r| format!("{r}.{path}"));
                return Err(UnknownValue { path, found, keys });
            }
        }
        found.push(key);
    }
    Ok(match value {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => String::new(),
        serde_json::Value::Array(items) => items
            .iter()
            .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string))
            .collect::<Vec<_>>()
            .join(", "),
        other => other.to_string(),
    })
}

/// Every file under `content/_shared`, once for each service in scope.
fn shared_files(content_root: &Path, config: &SiteConfig, scope: &Scope, diagnostics: &mut Diagnostics) -> Vec<Found> {
    let dir = content_root.join(SHARED_DIR);
    if !dir.is_dir() {
        return Vec::new();
    }
    let services: Vec<&str> = config
        .services
        .iter()
        .map(|s| s.id.as_str())
        .filter(|id| match scope {
            Scope::Portal => true,
            Scope::Service(want) => want == id,
        })
        .collect();
    if services.is_empty() {
        diagnostics.push(
            Diagnostic::warning(
                Kind::SharedWithoutServices,
                "content/_shared has pages but site.yaml lists no services",
            )
            .at(Location::new(crate::config::FILE_NAME, 1, 1))
            .hint("list the services under `services:` in site.yaml"),
        );
    }
    let mut found = Vec::new();
    for entry in walkdir::WalkDir::new(&dir)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !is_hidden_or_special(e.file_name()))
    {
        let Ok(entry) = entry else { continue };
        if !entry.file_type().is_file() {
            continue;
        }
        let rel = entry.path().strip_prefix(content_root).unwrap_or(entry.path());
        let local = to_slash(entry.path().strip_prefix(&dir).unwrap_or(entry.path()));
        for service in &services {
            found.push(Found {
                relative: Path::new(CONTENT_DIR).join(rel),
                shared: true,
                service: Some(service.to_string()),
                local: local.clone(),
            });
        }
    }
    found
}

/// A service's own page with a shared page's permalink replaces it, for that service only.
fn apply_overrides(content: &mut Content) {
    // Only a shared page gives way; most sites have none.
    if !content.pages.iter().any(|p| p.shared) {
        return;
    }
    let own: BTreeMap<&str, &Page> =
        content.pages.iter().filter(|p| !p.shared).map(|p| (p.permalink.file(), p)).collect();
    let mut overrides = Vec::new();
    let mut keep = Vec::with_capacity(content.pages.len());
    for (i, page) in content.pages.iter().enumerate() {
        match own.get(page.permalink.file()) {
            Some(winner) if page.shared && winner.service == page.service => {
                overrides.push((winner.source.clone(), page.source.clone()))
            }
            _ => keep.push(i),
        }
    }
    let mut pages: Vec<Option<Page>> = std::mem::take(&mut content.pages).into_iter().map(Some).collect();
    content.pages = keep.into_iter().filter_map(|i| pages[i].take()).collect();
    content.overrides = overrides;
}

/// Drops a UTF-8 byte order mark and turns CRLF, and a CR alone (old Mac files), into LF:
/// YAML and CommonMark both end a line at a lone CR, so positions counted by `\n` agree
/// with theirs. Lines and columns are as an editor shows them.
pub fn normalise_text(text: String) -> String {
    let text = match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_string(),
        None => text,
    };
    if memchr::memchr(b'\r', text.as_bytes()).is_some() {
        text.replace("\r\n", "\n").replace('\r', "\n")
    } else {
        text
    }
}

fn duplicate_permalinks(pages: &[Page]) -> Vec<Diagnostic> {
    let mut first: FxHashMap<&str, &Page> = FxHashMap::default();
    first.reserve(pages.len());
    let mut errors = Vec::new();
    for page in pages {
        if let Some(other) = first.insert(page.permalink.file(), page) {
            first.insert(page.permalink.file(), other);
            errors.push(
                Diagnostic::error(
                    Kind::DuplicatePermalink,
                    format!(
                        "{} and {} are both written to {}",
                        other.source.display(),
                        page.source.display(),
                        page.permalink.file()
                    ),
                )
                .at(page.front.permalink_at.clone().unwrap_or_else(|| Location::new(&page.source, 1, 1)))
                .spanning(page.front.permalink.as_deref().map_or(3, |p| p.chars().count()))
                .hint("give one of the pages another permalink"),
            );
        }
    }
    errors
}

fn service_of(config: &SiteConfig, rel: &str) -> (Option<String>, String) {
    for service in &config.services {
        let dir = service.content_dir().trim_matches('/');
        if let Some(rest) = rel.strip_prefix(dir).and_then(|r| r.strip_prefix('/')) {
            return (Some(service.id.clone()), rest.to_string());
        }
    }
    (None, rel.to_string())
}

/// `_data`, `_shared` and other `_` folders are not pages; dot files are editors' and tools'.
fn is_hidden_or_special(name: &std::ffi::OsStr) -> bool {
    let name = name.to_string_lossy();
    name.starts_with('.') || name.starts_with('_') || name.ends_with('~')
}

pub fn is_markdown(path: &Path) -> bool {
    matches!(path.extension().and_then(|e| e.to_str()), Some("md" | "markdown"))
}

/// An `.html` file that starts with front matter is a page, as in Jekyll: its Liquid runs
/// and its layout wraps it, but it is not Markdown. Without front matter it is copied.
pub fn is_html_page(path: &Path) -> bool {
    use std::io::Read;
    if !matches!(path.extension().and_then(|e| e.to_str()), Some("html" | "htm")) {
        return false;
    }
    let mut start = [0u8; 8];
    let Ok(n) = std::fs::File::open(path).and_then(|mut f| f.read(&mut start)) else { return false };
    let start = &start[..n];
    let start = start.strip_prefix("\u{feff}".as_bytes()).unwrap_or(start);
    start.starts_with(b"---\n") || start.starts_with(b"---\r\n")
}

/// The byte ranges of the HTML comments (`<!--` to `-->`) in a page's text. A `<!--` that
/// nothing closes is left out: it is more likely text about HTML than a comment.
pub fn html_comments(text: &str) -> Vec<std::ops::Range<usize>> {
    let mut found = Vec::new();
    let mut from = 0;
    let find = |from: usize, what: &str| memchr::memmem::find(&text.as_bytes()[from..], what.as_bytes());
    while let Some(open) = find(from, "<!--").map(|i| from + i) {
        let Some(close) = find(open + 4, "-->").map(|i| open + 4 + i + 3) else { break };
        found.push(open..close);
        from = close;
    }
    found
}

pub fn to_slash(path: &Path) -> String {
    path.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_comments_span_lines_and_unclosed_ones_are_not_comments() {
        let text = "a <!-- one\n<a href=\"x\">\n--> b <!--two--> c <!-- open";
        let ranges = html_comments(text);
        assert_eq!(ranges.len(), 2);
        assert!(ranges[0].contains(&text.find("href").unwrap()));
        assert_eq!(&text[ranges[1].clone()], "<!--two-->");
        assert!(!ranges.iter().any(|r| r.contains(&text.find(" c ").unwrap())));
    }

    #[test]
    fn values_by_dotted_path() {
        let values = serde_json::json!({"service": {"title": "NRLS", "tags": ["a", "b"], "none": null}});
        assert_eq!(value_text(&values, "service.title").unwrap(), "NRLS");
        assert_eq!(value_text(&values, "service.tags").unwrap(), "a, b");
        assert_eq!(value_text(&values, "service.none").unwrap(), "");
        let unknown = value_text(&values, "service.titel").unwrap_err();
        assert_eq!(unknown.hint(), "`service` has: none, tags, title");
        let under = value_text_under(Some("service"), &values["service"], "nope").unwrap_err();
        assert_eq!((under.path.as_str(), under.found.as_str()), ("service.nope", "service"));
    }

    #[test]
    fn bodies_are_held_up_to_the_bytes_given_and_read_again_beyond() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("site.yaml"), "title: Site\n").unwrap();
        std::fs::create_dir_all(dir.path().join("content")).unwrap();
        for name in ["a", "b", "c"] {
            std::fs::write(dir.path().join(format!("content/{name}.md")), "---\ntitle: T\n---\nTen bytes\n").unwrap();
        }
        let config = SiteConfig::load(dir.path()).unwrap();
        let held = |bodies| {
            let (content, _) = load(dir.path(), &config, &Scope::Portal, bodies);
            let held = content.pages.iter().filter(|p| matches!(p.body, Body::Held(_))).count();
            // Held or not, each page gives the same text.
            assert!(content.pages.iter().all(|p| p.body(dir.path()).unwrap() == "Ten bytes\n"));
            held
        };
        assert_eq!(held(Bodies::HeldUpTo(25)), 2);
        assert_eq!(held(Bodies::HeldUpTo(9)), 0);
        assert_eq!(held(Bodies::Held), 3);
        assert_eq!(held(Bodies::OnDisk), 0);
    }

    #[test]
    fn a_page_saved_between_loading_and_rendering_is_refused_not_mixed() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("content/page.md");
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(&file, "---\ntitle: One\n---\nFirst body.\n").unwrap();
        let found = Found { relative: "content/page.md".into(), shared: false, service: None, local: "page.md".into() };
        std::fs::write(dir.path().join("site.yaml"), "title: Site\n").unwrap();
        let config = SiteConfig::load(dir.path()).unwrap();
        let page = read_page(dir.path(), &config, &found, "", &Hold::OnDisk).unwrap().unwrap();
        assert_eq!(page.body(dir.path()).unwrap(), "First body.\n");
        // The body alone changed: the page is built with it, as the next build would be.
        std::fs::write(&file, "---\ntitle: One\n---\nSecond body.\n").unwrap();
        assert_eq!(page.body(dir.path()).unwrap(), "Second body.\n");
        // The front matter changed: its title and line numbers would no longer be the text's.
        std::fs::write(&file, "---\ntitle: Two\nsummary: longer now\n---\nSecond body.\n").unwrap();
        let refused = page.body(dir.path()).unwrap_err();
        assert_eq!(refused.kind, Kind::Io);
        assert!(refused.message.contains("changed while the build was reading it"), "{}", refused.message);
    }
}
