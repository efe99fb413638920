//! What a batch of changes touches, and the incremental rebuild that redoes only that.
//!
//! What depends on what:
//! - a page: that page; when its front matter, permalink or presence changed, also the
//!   generated files (tag pages, tags index, sitemap: they list titles and URLs) and
//!   the pages of other services with the same file name (the service switcher);
//! - a file under content/ that is no page: the generated files (it is copied), and the
//!   pages that splice it with `include_relative`;
//! - an include: the pages that call it (every page, if a template mentions it);
//! - a template: every page; a theme's static file: the generated files;
//! - a process or a drawing: the pages that place it;
//! - site.yaml, content/_data (sidebars, `site.data`), or anything else: a full build
//!   ([`Plan::full`]).
//!
//! Which page calls, places or lists what is what its last render recorded
//! (`PageRecord::reads`), not a search of its text. Generated files read front matter
//! and permalinks, never bodies: an edit of a body alone re-renders one page. Whoever
//! makes a generated file or a page read more of other pages must extend this list;
//! `tests/suite/serve_incremental.rs` fails until they do.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::files::Files;
use super::model::{Model, Step, SEARCH_PREFIX};
use super::reread;
use super::watch::{classify, ChangeKind};
use crate::content;
use crate::diagnostics::Diagnostics;
use crate::output::{MemorySink, Output, Reads, Sink};
use crate::site::render::Renderer;
use crate::theme::Theme;

/// The changed paths of a batch, sorted by what depends on them.
#[derive(Debug, Default)]
pub(super) struct Plan {
    pub full: bool,
    /// Files and folders under content/, as changed paths relative to the root.
    pub content: Vec<PathBuf>,
    pub templates: bool,
    /// Include names, such as `note.html`.
    pub includes: Vec<String>,
    pub statics: Vec<PathBuf>,
    pub diagrams: bool,
}

impl Plan {
    pub(super) fn of(paths: &[PathBuf], theme: &str) -> Plan {
        let mut plan = Plan::default();
        for path in paths {
            match classify(path, theme) {
                None => {}
                Some(ChangeKind::Content) => plan.content.push(path.clone()),
                Some(ChangeKind::Template) => plan.templates = true,
                Some(ChangeKind::Include) => {
                    let name: Vec<String> =
                        path.components().skip(3).map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
                    plan.includes.push(name.join("/"));
                }
                Some(ChangeKind::Static) => plan.statics.push(path.clone()),
                Some(ChangeKind::Diagram) => plan.diagrams = true,
                Some(ChangeKind::Config) => plan.full = true,
            }
        }
        plan
    }

    pub(super) fn is_empty(&self) -> bool {
        !self.full
            && self.content.is_empty()
            && !self.templates
            && self.includes.is_empty()
            && self.statics.is_empty()
            && !self.diagrams
    }

    fn theme(&self) -> bool {
        self.templates || !self.includes.is_empty() || !self.statics.is_empty()
    }

    /// Whether a file was changed by this batch (itself or a folder holding it).
    fn touches(&self, root: &Path, file: &Path) -> bool {
        let relative = file.strip_prefix(root).unwrap_or(file);
        self.content.iter().chain(&self.statics).any(|c| relative.starts_with(c))
    }
}

/// What an incremental rebuild produced, for [`Preview`] to put in place.
pub(super) struct Changes {
    /// Output path -> bytes of every file rendered or copied again.
    pub rendered: BTreeMap<String, Vec<u8>>,
    /// Every output path, when the set of paths may have changed.
    pub expected: Option<BTreeSet<String>>,
    pub pages_rendered: usize,
    pub warnings: Diagnostics,
}

/// What has to be rendered again, gathered while the model is brought up to date.
#[derive(Default)]
struct Dirty {
    all: bool,
    /// (source, service) of pages read again.
    fresh: BTreeSet<(PathBuf, Option<String>)>,
    /// Includes, processes, drawings and files spliced by `include_relative` that
    /// changed: the pages whose last render read one of them (`PageRecord::reads`)
    /// render again.
    includes: BTreeSet<String>,
    /// Changed paths under content/ (files or folders), from the root.
    content: Vec<PathBuf>,
    processes: BTreeSet<String>,
    drawings: bool,
    /// File names of pages added or removed, for the service switcher.
    file_names: BTreeSet<String>,
    /// Titles, summaries, tags or URLs changed: what lists pages renders again.
    listing: bool,
    generated: bool,
    /// Nothing the renderer computes for the whole site changed: it is reused.
    reuse_shared: bool,
}

/// Brings `model` up to date with `plan`. On `Err` (errors that cannot be pinned on a
/// changed page) nothing has changed.
pub(super) fn apply(step: &mut Step<'_>, model: &mut Model, plan: &Plan) -> Result<Changes, Diagnostics> {
    let root = step.root.to_path_buf();
    let mut dirty = Dirty { generated: !plan.statics.is_empty(), content: plan.content.clone(), ..Dirty::default() };
    let mut warnings = Diagnostics::default();
    let old_files = update_pages(step, model, plan, &mut dirty, &mut warnings)?;
    reload_parts(step, model, plan, &mut dirty, &mut warnings);
    if dirty.listing {
        listing_readers(&root, &model.site.theme, &mut dirty);
    }
    dirty.reuse_shared &= !plan.theme() && !plan.diagrams;
    let indices = pages_to_render(step, model, &dirty);

    let options = step.render;
    let renderer = match model.shared.take() {
        Some(shared) if dirty.reuse_shared => Renderer::reusing(&model.site, options, shared),
        _ => Renderer::new(&model.site, options),
    };
    let sink = MemorySink::default();
    let results: Vec<(usize, Output, Diagnostics)> = indices
        .par_iter()
        .map(|&i| {
            let (output, diagnostics) = renderer.pages(&[i], &sink, step.highlighter);
            (i, output, diagnostics)
        })
        .collect();
    let mut generated = None;
    if dirty.generated || dirty.all || dirty.listing {
        let changed = |file: &Path| plan.templates || plan.touches(&root, file);
        let reusing = Reusing { fresh: &sink, old: step.served, changed: &changed };
        generated = Some(renderer.generated(&reusing));
    }
    let shared = renderer.into_shared();
    model.shared = Some(shared);

    let (pages_rendered, pruned) = put_records(step, model, results, &old_files, &mut warnings);
    if let Some((mut output, diagnostics)) = generated {
        if diagnostics.has_errors() {
            output.paths.extend(model.generated.paths.iter().cloned());
            step.errors.part_failed("generated", diagnostics);
        } else {
            step.errors.part_ok("generated");
            warnings.extend(diagnostics);
        }
        // The search index is made after the pages are served (`Preview::index_search`).
        output.paths.extend(model.generated.paths.iter().filter(|p| p.starts_with(SEARCH_PREFIX)).cloned());
        model.generated = output;
        dirty.generated = true;
    }
    let expected = (dirty.generated || pruned || !old_files.removed.is_empty() || old_files.moved).then(|| {
        let mut all: BTreeSet<String> = model.generated.paths.clone();
        all.extend(model.pages.keys().cloned());
        all
    });
    let rendered = std::mem::take(&mut *sink.files.lock().expect("memory sink"));
    warnings.sort();
    Ok(Changes { rendered, expected, pages_rendered, warnings })
}

/// Output files of pages before the batch, where they may have changed.
#[derive(Default)]
struct OldFiles {
    /// (source, service) of a page read again -> its output file before.
    read_again: HashMap<(PathBuf, Option<String>), String>,
    /// Output files of pages that are gone.
    removed: Vec<String>,
    /// Some page's output file changed.
    moved: bool,
}

/// Reads the changed pages again: in place when only existing pages changed and kept
/// their permalinks (the common edit), else through `content::load_reusing`.
fn update_pages(
    step: &mut Step<'_>,
    model: &mut Model,
    plan: &Plan,
    dirty: &mut Dirty,
    warnings: &mut Diagnostics,
) -> Result<OldFiles, Diagnostics> {
    let mut old_files = OldFiles::default();
    if plan.content.is_empty() && step.errors.unread_pages().is_empty() {
        dirty.reuse_shared = true;
        return Ok(old_files);
    }
    if let Some(edited) = reread::in_place(step, &model.site, &plan.content) {
        dirty.reuse_shared = true;
        let mut replaced = Vec::new();
        for (i, page) in edited {
            let old = std::mem::replace(&mut model.site.content.pages[i], page);
            let page = &model.site.content.pages[i];
            if old.front != page.front {
                dirty.listing = true;
                dirty.reuse_shared = false;
            }
            step.errors.page_ok(&page.source);
            dirty.fresh.insert((page.source.clone(), page.service.clone()));
            old_files.read_again.insert((page.source.clone(), page.service.clone()), old.permalink.file().to_string());
            replaced.push((i, old));
        }
        if dirty.listing {
            warnings.extend(model.site.reindex());
            let clashes = model.site.permalink_clashes();
            if !clashes.is_empty() {
                for (i, old) in replaced {
                    model.site.content.pages[i] = old;
                }
                model.site.reindex();
                return Err(Diagnostics(clashes));
            }
        }
        return Ok(old_files);
    }
    let reloaded = reread::pages(step, &model.site, &plan.content)?;
    warnings.extend(reloaded.warnings);
    let listing = reread::compare(&model.site.content, &reloaded.content);
    dirty.listing = listing.changed;
    dirty.file_names = listing.file_names;
    dirty.generated |=
        plan.content.iter().any(|p| !content::is_markdown(p)) || model.site.content.assets != reloaded.content.assets;
    let old = std::mem::replace(&mut model.site.content, reloaded.content);
    model.site.reindex();
    // A page moved onto a file the build generates: refused, as `build` refuses it.
    let clashes = model.site.permalink_clashes();
    if !clashes.is_empty() {
        model.site.content = old;
        model.site.reindex();
        return Err(Diagnostics(clashes));
    }
    let new_keys: BTreeSet<(&Path, Option<&str>)> =
        model.site.content.pages.iter().map(|p| (p.source.as_path(), p.service.as_deref())).collect();
    for page in &old.pages {
        let key = (page.source.clone(), page.service.clone());
        if !new_keys.contains(&(page.source.as_path(), page.service.as_deref())) {
            old_files.removed.push(page.permalink.file().to_string());
        } else if reloaded.fresh.contains(&key) {
            old_files.read_again.insert(key, page.permalink.file().to_string());
        }
    }
    old_files.moved = !dirty.file_names.is_empty();
    dirty.fresh = reloaded.fresh;
    warnings.extend(model.site.reindex());
    Ok(old_files)
}

/// Puts the records of the pages rendered again in place of their old ones, and notes
/// pages that did not render (their last good output stays). Returns how many rendered,
/// and whether records of pages that failed before were dropped.
fn put_records(
    step: &mut Step<'_>,
    model: &mut Model,
    results: Vec<(usize, Output, Diagnostics)>,
    old_files: &OldFiles,
    warnings: &mut Diagnostics,
) -> (usize, bool) {
    let mut records = Vec::new();
    let mut page_errors: BTreeMap<PathBuf, Diagnostics> = BTreeMap::new();
    for (i, output, diagnostics) in results {
        let page = &model.site.content.pages[i];
        let (errors, page_warnings): (Vec<_>, Vec<_>) = diagnostics.into_iter().partition(|d| d.is_error());
        warnings.extend(page_warnings);
        match output.pages.into_iter().next() {
            Some(record) if errors.is_empty() => records.push(((page.source.clone(), page.service.clone()), record)),
            _ => page_errors.entry(page.source.clone()).or_default().extend(errors),
        }
    }
    for file in &old_files.removed {
        model.pages.remove(file);
    }
    for (key, _) in &records {
        if let Some(file) = old_files.read_again.get(key) {
            model.pages.remove(file);
        }
    }
    let rendered = records.len();
    let mut pruned = false;
    for ((source, service), record) in records {
        if step.errors.page_rendered(&source) {
            // A page that failed kept its last good record, maybe under another permalink.
            model.pages.retain(|_, r| r.source != source || r.service != service);
            pruned = true;
        }
        model.pages.insert(record.file.clone(), record);
    }
    for (source, errors) in page_errors {
        step.errors.page_unrendered(source, errors);
    }
    (rendered, pruned)
}

/// Reloads the theme and processes where the batch changed them; a part that
/// does not load keeps its last good version and reports why.
fn reload_parts(step: &mut Step<'_>, model: &mut Model, plan: &Plan, dirty: &mut Dirty, warnings: &mut Diagnostics) {
    let root = step.root.to_path_buf();
    let site = &mut model.site;
    if plan.theme() {
        match Theme::load(&root, &site.config.theme) {
            Ok(theme) => {
                site.theme = theme;
                step.errors.part_ok("theme");
                dirty.all |= plan.templates;
                for name in &plan.includes {
                    dirty.all |= theme_mentions(&root, &site.theme, name);
                    dirty.includes.insert(name.clone());
                }
            }
            Err(diagnostics) => {
                step.errors.part_failed("theme", diagnostics);
            }
        }
    }
    if plan.diagrams {
        // Drawings (`diagrams/*.drawio`) are read when a page places them.
        dirty.drawings = true;
        let (processes, diagnostics) = crate::process::load_all(&root);
        if diagnostics.has_errors() {
            step.errors.part_failed("processes", diagnostics);
        } else {
            step.errors.part_ok("processes");
            warnings.extend(diagnostics);
            let ids: BTreeSet<&String> = processes.keys().chain(site.processes.keys()).collect();
            dirty.processes.extend(ids.into_iter().filter(|id| processes.get(*id) != site.processes.get(*id)).cloned());
            site.processes = processes;
        }
    }
}

/// Site values that list other pages, in every page's context (`render::Shared`): what
/// reads them renders again when a title, summary, tag or URL changes.
const LISTINGS: [&str; 1] = ["tag_pages"];

/// Pages that read a listing: those whose render recorded it (`Reads::listings`), pages
/// calling a theme include that reads it, and every page when a template reads it (or
/// calls such an include). Templates and includes are the theme's code, read as text.
fn listing_readers(root: &Path, theme: &Theme, dirty: &mut Dirty) {
    let texts = theme_texts(root, theme);
    let reads = |text: &str| LISTINGS.iter().any(|l| text.contains(l));
    let includes: Vec<&str> = texts
        .iter()
        .filter(|(name, text)| name.starts_with("includes/") && reads(text))
        .map(|(n, _)| &n[9..])
        .collect();
    for (name, text) in &texts {
        if name.starts_with("templates/") && (reads(text) || includes.iter().any(|i| text.contains(i))) {
            dirty.all = true;
        }
    }
    dirty.includes.extend(includes.into_iter().map(str::to_string));
}

/// Whether a template or another include of the theme names `include`: then any page
/// may show it.
fn theme_mentions(root: &Path, theme: &Theme, include: &str) -> bool {
    let own = format!("includes/{include}");
    theme_texts(root, theme).iter().any(|(name, text)| *name != own && text.contains(include))
}

/// The templates and includes of the theme: (`templates/page.html`, text).
fn theme_texts(root: &Path, theme: &Theme) -> Vec<(String, String)> {
    let dir = root.join(&theme.dir);
    if !dir.is_dir() {
        return crate::theme::embedded_files(&crate::theme::DEFAULT_THEME)
            .into_iter()
            .filter_map(|f| Some((content::to_slash(f.path()), f.contents_utf8()?.to_string())))
            .filter(|(name, _)| !name.starts_with("static/"))
            .collect();
    }
    ["templates", "includes"]
        .iter()
        .flat_map(|sub| walkdir::WalkDir::new(dir.join(sub)).into_iter().filter_map(Result::ok))
        .filter(|e| e.file_type().is_file())
        .filter_map(|e| {
            let name = content::to_slash(e.path().strip_prefix(&dir).ok()?);
            Some((name, std::fs::read_to_string(e.path()).ok()?))
        })
        .collect()
}

/// Whether a page's last render read something that changed.
fn reads_changed(reads: &Reads, dirty: &Dirty) -> bool {
    (dirty.listing && reads.listings)
        || (dirty.drawings && !reads.drawings.is_empty())
        || reads.includes.iter().any(|i| dirty.includes.contains(i))
        || reads.processes.iter().any(|p| dirty.processes.contains(p))
        || reads.relative.iter().any(|file| dirty.content.iter().any(|c| file.starts_with(c)))
}

/// Indices of the pages to render again.
fn pages_to_render(step: &Step<'_>, model: &Model, dirty: &Dirty) -> Vec<usize> {
    let site = &model.site;
    let switcher = !site.config.services.is_empty() && !dirty.file_names.is_empty();
    let fresh: BTreeSet<(&Path, Option<&str>)> = dirty.fresh.iter().map(|(s, v)| (s.as_path(), v.as_deref())).collect();
    let pages = site.content.pages.iter().enumerate();
    pages
        .filter(|(_, p)| {
            dirty.all
                || fresh.contains(&(p.source.as_path(), p.service.as_deref()))
                || step.errors.is_unrendered(&p.source)
                || model.pages.get(p.permalink.file()).is_some_and(|record| reads_changed(&record.reads, dirty))
                || (switcher && dirty.file_names.contains(reread::file_name(p)))
        })
        .map(|(i, _)| i)
        .collect()
}

/// Copies only the files that changed; every other copied file is served as it was.
struct Reusing<'a> {
    fresh: &'a MemorySink,
    old: &'a Files,
    changed: &'a (dyn Fn(&Path) -> bool + Sync),
}

impl Sink for Reusing<'_> {
    fn put(&self, path: &str, bytes: Vec<u8>) -> std::io::Result<()> {
        self.fresh.put(path, bytes)
    }

    fn copy(&self, path: &str, from: &Path) -> std::io::Result<()> {
        if self.old.contains_key(path) && !(self.changed)(from) {
            return Ok(());
        }
        self.fresh.copy(path, from)
    }
}
