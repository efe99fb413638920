//! The one flow every command runs: load -> render -> `Output` -> check -> index.
//!
//! `build` runs it whole into an atomic folder (or, after an edit to the text of pages,
//! renders only those again over what the last build recorded: [`run_again`]), `check`
//! without the index and with its
//! own report, `serve` step by step (it renders again only what changed, checks what it
//! serves, and makes the index on a thread of its own); the tests call it as they do.
//! What a command asks (`--no-search`, `--no-check`) travels in [`Options`], beside the
//! loaded [`Site`], never written into it.
//!
//! This module sits above `site`, `check` and `search`, which do not know of one another's
//! steps: the dependencies run one way.

use std::sync::Arc;
use std::time::Instant;

use crate::check::external::ExternalRequest;
use crate::check::{Earlier, PageCheck};
use crate::diagnostics::Diagnostics;
use crate::documents::Documents;
use crate::markdown::Highlighter;
use crate::output::{Output, Sink};
use crate::search::{IndexStats, Memory};
use crate::site::render::{self, RenderOptions};
use crate::site::{LoadOptions, Site};

/// What a command asks of the pipeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    pub render: RenderOptions,
    /// Run the checks of `signpost check` after rendering; their errors fail the run.
    pub check: bool,
}

impl Options {
    /// `signpost build`: everything, checked, with a search index.
    pub const BUILD: Options = Options { render: RenderOptions::BUILD, check: true };
}

/// A site that went through the pipeline.
pub struct Run {
    pub site: Site,
    pub output: Output,
    /// The warnings of every step (a run with errors fails).
    pub diagnostics: Diagnostics,
    /// The search index written, when the site has search and the options ask for it.
    pub search: Option<IndexStats>,
    /// What the index keeps for the next build (`run_again`).
    pub index_memory: Option<Memory>,
    /// What the check found on each page, for the next build (`run_again`), when it ran.
    pub checks: Option<Vec<PageCheck>>,
}

/// Why a run stopped.
#[derive(Debug, thiserror::Error)]
pub enum Failed {
    /// Problems in the site's files (loading, rendering or checking).
    #[error("the site has errors")]
    Site(Diagnostics),
    /// A file could not be written.
    #[error("cannot write the output: {0}")]
    Io(#[from] std::io::Error),
    /// [`run_again`] rendered a page whose file no page had in the run before: the pages
    /// to render again were not those of an edit, and the whole site must be built.
    #[error("{0} is a new page: a whole build is needed")]
    NewPage(String),
}

/// Step one: the site as a model, with the warnings loading gave.
pub fn load(load: &LoadOptions) -> Result<(Site, Diagnostics), Diagnostics> {
    Site::load(load)
}

/// [`load`], with the pages `reuse` hands back taken as they are (`build::edit`).
pub fn load_reusing(load: &LoadOptions, reuse: &crate::content::Reuse) -> Result<(Site, Diagnostics), Diagnostics> {
    Site::load_reusing(load, reuse)
}

/// Step two: renders a loaded site into `sink`, after the `diagnostics` its loading
/// gave; fails when any is an error. The pages' search documents stay in their records
/// (`serve` keeps them there).
pub fn render(
    site: Site,
    diagnostics: Diagnostics,
    options: RenderOptions,
    highlighter: &Highlighter,
    sink: &dyn Sink,
) -> Result<(Site, Output, Diagnostics), Diagnostics> {
    render_aside(site, diagnostics, options, highlighter, sink, None, false)
}

/// [`render`], with each page's search document set aside in `aside` as it renders,
/// and with `links_aside` its links and anchors in a temporary file.
fn render_aside(
    site: Site,
    mut diagnostics: Diagnostics,
    options: RenderOptions,
    highlighter: &Highlighter,
    sink: &dyn Sink,
    aside: Option<Arc<Documents>>,
    links_aside: bool,
) -> Result<(Site, Output, Diagnostics), Diagnostics> {
    // A whole build's links and anchors wait for the check in a temporary file, as its
    // pages' search text waits for the index (`output::SetAside`); `check` keeps them in
    // memory, and so does a build that cannot make a temporary file.
    let link_file = links_aside.then(crate::spill::Spill::temporary).and_then(Result::ok).map(Arc::new);
    let (output, rendered) = render::render(&site, options, sink, highlighter, aside, link_file);
    diagnostics.extend(rendered);
    diagnostics.sort();
    if diagnostics.has_errors() {
        return Err(diagnostics);
    }
    Ok((site, output, diagnostics))
}

/// Step three: the checks `build` runs before it writes (the `check:` levels of
/// site.yaml applied), from what the render recorded.
pub fn check(site: &Site, output: &Output) -> Diagnostics {
    check_reusing(site, output, None, false).0
}

/// [`check`], taking what an `earlier` check found on the pages that stand as they
/// were; with `keep`, what it found on each page, for a later one (`None` when the
/// site's `check:` settings are wrong, which is then the one finding).
fn check_reusing(
    site: &Site,
    output: &Output,
    earlier: Option<Earlier>,
    keep: bool,
) -> (Diagnostics, Option<Vec<PageCheck>>) {
    match crate::check::CheckOptions::for_site(site) {
        Ok(options) => match crate::check::run_reusing(site, output, &options, earlier, keep) {
            Ok((report, checks)) => (report.diagnostics(), checks),
            Err(e) => (crate::check::unreadable(e).into(), None),
        },
        Err(problems) => (problems, None),
    }
}

/// Step four: the search index of the rendered pages, written through `sink`, when the
/// site has search and the options keep the pages' text.
pub fn index(
    site: &Site,
    options: RenderOptions,
    output: &mut Output,
    sink: &dyn Sink,
    last: Option<Memory>,
) -> std::io::Result<Option<(IndexStats, Memory)>> {
    if !options.indexes(site) {
        return Ok(None);
    }
    crate::search::write_index(&site.config, output, sink, last).map(Some)
}

/// Every step after loading, as `build` runs them: render, check (when asked), index.
pub fn run(
    site: Site,
    loaded: Diagnostics,
    options: &Options,
    highlighter: &Highlighter,
    sink: &dyn Sink,
) -> Result<Run, Failed> {
    // A build's pages set their search text aside in a temporary file until the index
    // reads it, so it is not held in memory all at once.
    let aside = if options.render.indexes(&site) { Some(Documents::new()?) } else { None };
    run_aside(site, loaded, options, highlighter, sink, aside)
}

/// [`run`], with the pages' search documents set aside in `aside` (when the site is
/// indexed): `build` keeps that file for the next build.
pub fn run_aside(
    site: Site,
    loaded: Diagnostics,
    options: &Options,
    highlighter: &Highlighter,
    sink: &dyn Sink,
    aside: Option<Arc<Documents>>,
) -> Result<Run, Failed> {
    let aside = aside.filter(|_| options.render.indexes(&site));
    let (site, output, diagnostics) =
        render_aside(site, loaded, options.render, highlighter, sink, aside, true).map_err(Failed::Site)?;
    check_and_index(site, output, diagnostics, options, sink, None, None)
}

/// The steps after rendering: check (when asked), then the index.
fn check_and_index(
    site: Site,
    mut output: Output,
    mut diagnostics: Diagnostics,
    options: &Options,
    sink: &dyn Sink,
    last: Option<Memory>,
    earlier: Option<Earlier>,
) -> Result<Run, Failed> {
    // The index is made before the check: each needs a hundred megabytes or so for a
    // while at 100,000 pages, and the check keeps less of its own than the index does.
    let (search, index_memory) = index(&site, options.render, &mut output, sink, last)?.unzip();
    let mut checks = None;
    if options.check {
        let (found, checked) = check_reusing(&site, &output, earlier, true);
        diagnostics.extend(found);
        diagnostics.sort();
        if diagnostics.has_errors() {
            return Err(Failed::Site(diagnostics));
        }
        checks = checked;
    }
    Ok(Run { site, output, diagnostics, search, index_memory, checks })
}

/// What an earlier run recorded, for [`run_again`].
pub struct Before {
    /// The render's record, the pages' search documents set aside.
    pub output: Output,
    /// What its index kept.
    pub index: Option<Memory>,
    /// What its check found on each page.
    pub checks: Option<Vec<PageCheck>>,
}

/// Every step after loading for a run that renders again only the pages at `again`
/// (indices into the site's pages): `before` is what an earlier run of the same options
/// recorded, whose other pages stand as they were, with their warnings. Only the pages
/// go through `sink`, and the index files that changed; the caller knows that nothing
/// else can have changed (`build::edit`). The generated files give no warnings (only
/// errors, which fail a run), so the warnings are those of loading, of the pages and of
/// the check, as in [`run`].
#[allow(clippy::too_many_arguments)]
pub fn run_again(
    site: Site,
    loaded: Diagnostics,
    before: Before,
    again: &[usize],
    options: &Options,
    highlighter: &Highlighter,
    sink: &dyn Sink,
    aside: Option<Arc<Documents>>,
) -> Result<Run, Failed> {
    let Before { output: mut before, index: last, checks } = before;
    let renderer = render::Renderer::new(&site, options.render).with_aside(aside);
    let (fresh, rendered) = renderer.pages(again, sink, highlighter);
    drop(renderer);
    let mut diagnostics = loaded;
    diagnostics.extend(rendered);
    if diagnostics.has_errors() {
        diagnostics.sort();
        return Err(Failed::Site(diagnostics));
    }
    let mut fresh: std::collections::HashMap<String, crate::output::PageRecord> =
        fresh.pages.into_iter().map(|record| (record.file.clone(), record)).collect();
    let mut changed = Vec::with_capacity(fresh.len());
    for (i, record) in before.pages.iter_mut().enumerate() {
        match fresh.remove(&record.file) {
            Some(new) => {
                *record = new;
                changed.push(i);
            }
            None => diagnostics.extend(record.warnings.iter().cloned()),
        }
    }
    // A page rendered again under a file no page had: the caller's promise was wrong.
    if let Some(file) = fresh.keys().next() {
        return Err(Failed::NewPage(file.clone()));
    }
    diagnostics.sort();
    let earlier = checks.as_deref().map(|pages| Earlier { pages, changed: &changed });
    check_and_index(site, before, diagnostics, options, sink, last, earlier)
}

/// `signpost check`: loads and renders the site in memory (nothing is written, no text
/// kept for an index) and checks it. Without a report, the site did not load or render;
/// the diagnostics say why.
pub fn check_site(load_options: &LoadOptions) -> (Option<crate::check::Report>, Diagnostics) {
    check_site_with(load_options, None)
}

/// [`check_site`], and with `external` the links to other hosts are fetched too.
pub fn check_site_with(
    load_options: &LoadOptions,
    external: Option<&ExternalRequest>,
) -> (Option<crate::check::Report>, Diagnostics) {
    let start = Instant::now();
    let (site, output, warnings) = match render_for_check(load_options) {
        Ok(rendered) => rendered,
        Err(problems) => return (None, problems),
    };
    let checked = crate::check::full_report(&site, &output, warnings, start.elapsed(), external);
    free_aside((site, output));
    checked
}

/// What `check` reads: the site loaded and rendered with [`RenderOptions::CHECK`],
/// nothing written. Its records hold the links and anchors a build records.
pub fn render_for_check(load_options: &LoadOptions) -> Result<(Site, Output, Diagnostics), Diagnostics> {
    let highlighter = Highlighter::off();
    // Pages are read once, not again to render, up to 64 MiB of text (about 18,000 pages
    // of the benchmark corpus): the second read was a twentieth of a check.
    let load_options = &LoadOptions { bodies: crate::content::Bodies::HeldUpTo(64 << 20), ..load_options.clone() };
    load(load_options).and_then(|(site, loaded)| render(site, loaded, RenderOptions::CHECK, &highlighter, &Discard))
}

/// Frees what a command no longer needs on a thread of its own: freeing every page and
/// record of a large site takes a while (about 0.07 s of 0.9 s for a check of 10,000
/// pages), which the command need not wait for, and a process that ends does not wait
/// for the thread. Freed here when no thread can be had.
pub(crate) fn free_aside<T: Send + 'static>(value: T) {
    let _ = std::thread::Builder::new().spawn(move || drop(value));
}

/// The check needs what the render recorded, not the bytes it made.
struct Discard;

impl Sink for Discard {
    fn put(&self, _: &str, _: Vec<u8>) -> std::io::Result<()> {
        Ok(())
    }

    fn copy(&self, _: &str, _: &std::path::Path) -> std::io::Result<()> {
        Ok(())
    }
}

/// Loads and runs every step, into any sink.
pub fn load_and_run(
    load_options: &LoadOptions,
    options: &Options,
    highlighter: &Highlighter,
    sink: &dyn Sink,
) -> Result<Run, Failed> {
    let (site, loaded) = load(load_options).map_err(Failed::Site)?;
    run(site, loaded, options, highlighter, sink)
}
