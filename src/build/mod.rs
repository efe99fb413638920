//! `signpost build`: the whole pipeline (`crate::pipeline`), written atomically; nothing
//! at all when nothing has changed since the last build ([`unchanged`]); or, when only
//! the bodies of pages changed, those pages rendered again and the files that changed
//! replaced ([`edit`]).

mod edit;
mod unchanged;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::diagnostics::{Diagnostic, Diagnostics, Kind};
use crate::markdown::Highlighter;
use crate::output::{write_atomically, MemorySink, Output};
use crate::pipeline::{self, Failed};
use crate::site::render::RenderOptions;
use crate::site::{LoadOptions, Site};

pub use unchanged::Listed;

/// Highlighted code blocks are cached here, under the site root.
pub const CACHE_DIR: &str = ".signpost-cache";

#[derive(Debug, Clone)]
pub struct BuildOptions {
    pub load: LoadOptions,
    /// Output folder; `ROOT/public` by default.
    pub out: Option<PathBuf>,
    /// Run the checks of `signpost check` and write nothing if they find errors.
    pub check: bool,
    /// Write the search index (when the theme has search).
    pub search: bool,
    /// Build even when nothing has changed since the last build into the same folder.
    pub force: bool,
}

impl BuildOptions {
    pub fn out_dir(&self) -> PathBuf {
        self.out.clone().unwrap_or_else(|| self.load.root.join("public"))
    }

    /// What the pipeline is asked.
    fn pipeline(&self) -> pipeline::Options {
        pipeline::Options { render: RenderOptions { search: self.search, ..RenderOptions::BUILD }, check: self.check }
    }
}

#[derive(Debug)]
pub struct BuildReport {
    pub pages: usize,
    pub files: usize,
    /// What the build rendered; `None` when nothing had changed since the last build into
    /// the same folder, which already holds what this one would write ([`Self::unchanged`]).
    pub output: Option<Output>,
    /// Each page's output path and source.
    pub listing: Vec<Listed>,
    /// Shared pages a service replaced with its own: (service page, shared page).
    pub overrides: Vec<(PathBuf, PathBuf)>,
    /// Warnings (a successful build has no errors).
    pub diagnostics: Diagnostics,
    pub elapsed: Duration,
    /// The search index written, when the theme has search.
    pub search: Option<crate::search::IndexStats>,
    /// When only some pages changed: what was rendered and written again ([`edit`]).
    pub again: Option<Again>,
}

/// A build after an edit: the pages rendered again, and the files of the folder written
/// or removed (the others already held what the build made).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Again {
    pub pages: usize,
    pub written: usize,
    pub removed: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// Problems in the site's files: exit status 1.
    #[error("the site has errors")]
    Content(Diagnostics),
    /// The output could not be written: exit status 2.
    #[error("cannot write the output: {0}")]
    Io(#[from] std::io::Error),
}

impl BuildError {
    pub fn diagnostics(&self) -> Diagnostics {
        match self {
            BuildError::Content(d) => d.clone(),
            BuildError::Io(e) => Diagnostic::error(Kind::Io, e.to_string()).into(),
        }
    }
}

/// Builds the site into its output folder; the previous output survives any failure.
pub fn build(options: &BuildOptions) -> Result<BuildReport, BuildError> {
    let start = Instant::now();
    let out = options.out_dir();
    // Taken before the site is read: a file saved during the build makes the next one
    // build again, never the other way round.
    let known = unchanged::Known::read(&options.load.root, &out);
    let inputs = unchanged::Inputs::of(options, &known).ok();
    drop(known);
    if let Some(inputs) = inputs.as_ref().filter(|_| !options.force) {
        if let Some(kept) = unchanged::unchanged(&options.load.root, &out, inputs) {
            // Files saved just before the last build are trusted from now on.
            unchanged::Known::write(&options.load.root, &out, inputs);
            return Ok(BuildReport::from_kept(kept, start.elapsed()));
        }
        if let Some(built) = edit::build(options, inputs, start) {
            return built;
        }
    }
    let (site, loaded) = pipeline::load(&options.load).map_err(BuildError::Content)?;
    let run_options = options.pipeline();
    let highlighter = Highlighter::new(Some(&site.root.join(CACHE_DIR)));
    safe_output_dir(&site.root, &out).map_err(|d| BuildError::Content(d.into()))?;
    crate::output::replaceable(&out).map_err(|refused| {
        let hint = refused.hint();
        BuildError::Content(
            Diagnostic::error(Kind::Usage, format!("will not replace {}: {refused}", out.display())).hint(hint).into(),
        )
    })?;
    // The pages' search documents are kept for the next build (`edit`).
    let documents = match (&inputs, run_options.render.indexes(&site)) {
        (Some(_), true) => edit::new_documents(&site.root, &out),
        _ => None,
    };
    let aside = documents.as_ref().map(|(d, _)| Arc::clone(d));
    let run = write_atomically(&out, |sink| {
        let run = match aside {
            Some(aside) => pipeline::run_aside(site, loaded, &run_options, &highlighter, sink, Some(aside)),
            None => pipeline::run(site, loaded, &run_options, &highlighter, sink),
        };
        run.map_err(|failed| match failed {
            Failed::Site(d) => BuildError::Content(d),
            Failed::Io(e) => BuildError::Io(e),
            // Only `run_again` gives this; a whole run renders every page.
            new @ Failed::NewPage(_) => BuildError::Io(std::io::Error::other(new.to_string())),
        })
    })?;
    // A cache that cannot be written only makes the next build slower.
    let _ = highlighter.save();
    let kept = unchanged::Kept::of(&run);
    if let Some(inputs) = inputs {
        let documents = documents.as_ref().map(|(d, path)| (&**d, path.as_path()));
        let root = &options.load.root;
        // The folder is listed while the state is written: each takes a few hundredths
        // of a second for 10,000 pages.
        let (state, listing) =
            rayon::join(|| edit::save(root, &out, &inputs, &run, documents), || unchanged::listing(&out));
        if let Ok(listing) = listing {
            unchanged::remember(root, &out, &inputs, &kept, state, listing);
        }
    } else if let Some((_, path)) = documents {
        let _ = std::fs::remove_file(path);
    }
    let pipeline::Run { site, output, index_memory, checks, .. } = run;
    pipeline::free_aside((site, index_memory, checks));
    Ok(BuildReport { output: Some(output), ..BuildReport::from_kept(kept, start.elapsed()) })
}

impl BuildReport {
    /// Nothing had changed, and nothing was written.
    pub fn unchanged(&self) -> bool {
        self.output.is_none()
    }

    fn from_kept(kept: unchanged::Kept, elapsed: Duration) -> BuildReport {
        BuildReport {
            pages: kept.listing.len(),
            files: kept.files,
            output: None,
            listing: kept.listing,
            overrides: kept.overrides,
            diagnostics: kept.diagnostics,
            elapsed,
            search: kept.search,
            again: None,
        }
    }
}

/// Folders of a site an output there would be swapped in over: its sources, and beside
/// them a Jekyll site's `_data` (moved into content/ by `import`), the cache and `.git`.
const KEPT_FOLDERS: [&str; 3] = ["_data", CACHE_DIR, ".git"];

/// The output folder is replaced whole on every build, so it must not be, hold or sit
/// inside the site's sources: `--out .` or `--out content` would delete them.
fn safe_output_dir(root: &Path, out: &Path) -> Result<(), Diagnostic> {
    let absolute = |p: &Path| -> PathBuf {
        // The output may not exist yet: resolve its nearest existing ancestor.
        let mut existing = p.to_path_buf();
        let mut rest = Vec::new();
        while !existing.exists() {
            match (existing.parent(), existing.file_name()) {
                (Some(parent), Some(name)) => {
                    rest.push(name.to_os_string());
                    existing = parent.to_path_buf();
                }
                _ => break,
            }
        }
        let base = if existing.as_os_str().is_empty() { PathBuf::from(".") } else { existing };
        let mut resolved = base.canonicalize().unwrap_or(base);
        resolved.extend(rest.iter().rev());
        resolved
    };
    let (root, out_abs) = (absolute(root), absolute(out));
    let refuse = |why: String| {
        Diagnostic::error(Kind::Usage, format!("will not write the site into {}: {why}", out.display()))
            .hint("choose an output folder of its own, such as ROOT/public (the default)")
    };
    if root.starts_with(&out_abs) {
        return Err(refuse("it holds the site itself, which the build would replace".into()));
    }
    if let Some(source) =
        crate::site::SOURCE_FOLDERS.iter().chain(&KEPT_FOLDERS).find(|d| out_abs.starts_with(root.join(d)))
    {
        return Err(refuse(format!("it is inside the site's {source}/ folder, which the build would replace")));
    }
    if out_abs.join(crate::config::FILE_NAME).exists() {
        return Err(refuse("it holds another site (a site.yaml)".into()));
    }
    Ok(())
}

/// Loads and renders in memory (no check, no index), for `serve` and `import`: nothing
/// is written.
pub fn build_in_memory(load: &LoadOptions) -> Result<(Site, Output, MemorySink, Diagnostics), Diagnostics> {
    let highlighter = Highlighter::new(Some(&load.root.join(CACHE_DIR)));
    let built = build_in_memory_with(load, &highlighter)?;
    let _ = highlighter.save();
    Ok(built)
}

/// As [`build_in_memory`], with a highlighter the caller keeps: `serve` loads its cache
/// once and rebuilds many times.
pub fn build_in_memory_with(
    load: &LoadOptions,
    highlighter: &Highlighter,
) -> Result<(Site, Output, MemorySink, Diagnostics), Diagnostics> {
    let sink = MemorySink::default();
    let (site, loaded) = pipeline::load(load)?;
    let (site, output, diagnostics) = pipeline::render(site, loaded, RenderOptions::BUILD, highlighter, &sink)?;
    Ok((site, output, sink, diagnostics))
}

/// Resolves `--root`, defaulting to the current folder.
pub fn root_or_current(root: Option<&Path>) -> PathBuf {
    root.map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from("."))
}
