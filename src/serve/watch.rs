//! Watches the site's sources and hands over batches of changed paths, each classified
//! into a [`ChangeKind`] that says what has to be rebuilt.
//!
//! Folders are watched, not files, so an editor's atomic save (write a temporary file,
//! rename it over the page) is seen; new folders are picked up by the recursive watch.
//! Events are debounced, then the paths are read again from disk by the rebuild: which
//! event it was (create, rename, remove) never matters, only where.

use std::path::{Component, Path, PathBuf};
use std::time::Duration;

use notify::event::{AccessKind, AccessMode};
use notify::{EventKind, PollWatcher, RecommendedWatcher, RecursiveMode};
use notify_debouncer_full::{new_debouncer_opt, DebounceEventResult, Debouncer, FileIdMap, RecommendedCache};

use crate::content::CONTENT_DIR;
use crate::jekyll::INCLUDES_DIR;
use crate::process::DIAGRAMS_DIR;
use crate::site::SOURCE_FOLDERS;
use crate::theme::THEMES_DIR;

/// Events for one path closer together than this are one change. Short, because the
/// author is waiting; an editor's save takes well under a millisecond.
const DEBOUNCE: Duration = Duration::from_millis(20);
const TICK: Duration = Duration::from_millis(5);
/// How often `--poll` looks at the files. It compares their contents, as modification
/// times count whole seconds there and an edit within the second would go unseen.
const POLL_INTERVAL: Duration = Duration::from_millis(500);

/// What a changed path is, which decides what depends on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ChangeKind {
    /// A page or a file copied as it is, under content/ (or a folder of them).
    Content,
    /// An include of the site's theme: the pages that call it.
    Include,
    /// A template of the site's theme: every page.
    Template,
    /// A static file of the site's theme, copied to the output (stylesheets, scripts).
    Static,
    /// A process under diagrams/: the pages that place it.
    Diagram,
    /// site.yaml, content/_data (sidebars and `site.data`, which every page and
    /// template may read), a whole source folder, or anything else: a full rebuild.
    Config,
}

/// One debounced batch from the watcher: paths relative to the site root.
#[derive(Debug, Default)]
pub struct Batch {
    pub paths: Vec<PathBuf>,
    /// The watcher lost events (queue overflow): only a full rebuild is safe.
    pub rescan: bool,
    pub errors: Vec<String>,
}

/// Classifies a path relative to the site root; `None` for what no build reads (editor
/// temporaries, hidden files, the output folder, other themes).
pub fn classify(relative: &Path, theme: &str) -> Option<ChangeKind> {
    let parts: Vec<&str> = relative
        .components()
        .map(|c| match c {
            Component::Normal(s) => s.to_str(),
            _ => None,
        })
        .collect::<Option<_>>()?;
    let (first, rest) = parts.split_first()?;
    if parts.iter().any(|p| is_ignored(p)) {
        return None;
    }
    match (*first, rest) {
        (crate::config::FILE_NAME, []) => Some(ChangeKind::Config),
        (CONTENT_DIR, []) | (DIAGRAMS_DIR, []) | (THEMES_DIR, []) => Some(ChangeKind::Config),
        // A Jekyll site's own includes (which win over the theme's): read by any page, and
        // looked for before the theme's, so a new one can change pages that never saw it.
        (INCLUDES_DIR, _) => Some(ChangeKind::Config),
        (CONTENT_DIR, rest) => Some(classify_content(rest)),
        (DIAGRAMS_DIR, _) => Some(ChangeKind::Diagram),
        (THEMES_DIR, [name, ..]) if *name != theme => None,
        (THEMES_DIR, [_, "templates", ..]) => Some(ChangeKind::Template),
        (THEMES_DIR, [_, "includes", _, ..]) => Some(ChangeKind::Include),
        (THEMES_DIR, [_, "static", _, ..]) => Some(ChangeKind::Static),
        (THEMES_DIR, _) => Some(ChangeKind::Template),
        _ => None,
    }
}

fn classify_content(rest: &[&str]) -> ChangeKind {
    match rest {
        [shared, ..] if *shared == crate::content::SHARED_DIR => ChangeKind::Content,
        // `_data` and other `_` folders are no pages; whatever reads them is rebuilt in full.
        [special, ..] if special.starts_with('_') => ChangeKind::Config,
        _ => ChangeKind::Content,
    }
}

/// Editors' temporary and backup files, and hidden files, which no build reads.
pub fn is_ignored(name: &str) -> bool {
    name.starts_with('.')
        || name.ends_with('~')
        || name == "4913"
        || (name.starts_with('#') && name.ends_with('#'))
        || [".swp", ".swx", ".swo", ".tmp", "___jb_tmp___", "___jb_old___", ".crswap"].iter().any(|s| name.ends_with(s))
}

/// The running watcher; dropping it stops watching.
pub struct Watcher {
    root: PathBuf,
    inner: Inner,
}

enum Inner {
    Native(Debouncer<RecommendedWatcher, RecommendedCache>),
    Poll(Debouncer<PollWatcher, FileIdMap>),
}

impl Watcher {
    /// Watches the root (for site.yaml and new source folders) and each source folder.
    pub fn start(root: &Path, poll: bool, on_batch: impl Fn(Batch) + Send + 'static) -> notify::Result<Watcher> {
        let root = std::path::absolute(root).unwrap_or_else(|_| root.to_path_buf());
        let strip = root.clone();
        let handler = move |result: DebounceEventResult| {
            let batch = to_batch(&strip, result);
            if !batch.paths.is_empty() || batch.rescan || !batch.errors.is_empty() {
                on_batch(batch);
            }
        };
        let inner = if poll {
            let config = notify::Config::default().with_poll_interval(POLL_INTERVAL).with_compare_contents(true);
            Inner::Poll(new_debouncer_opt(DEBOUNCE, Some(TICK), handler, FileIdMap::new(), config)?)
        } else {
            let config = notify::Config::default();
            Inner::Native(new_debouncer_opt(DEBOUNCE, Some(TICK), handler, RecommendedCache::new(), config)?)
        };
        let mut watcher = Watcher { root, inner };
        watcher.watch(&watcher.root.clone(), RecursiveMode::NonRecursive)?;
        for name in SOURCE_FOLDERS {
            let dir = watcher.root.join(name);
            if dir.is_dir() {
                watcher.watch(&dir, RecursiveMode::Recursive)?;
            }
        }
        Ok(watcher)
    }

    /// Starts watching the source folders among `paths` (created, or deleted and made
    /// again, since). Others are left alone: watching again would forget what a polling
    /// watcher has seen, and miss a change made meanwhile.
    pub fn watch_new_folders(&mut self, paths: &[PathBuf]) {
        for name in SOURCE_FOLDERS {
            let dir = self.root.join(name);
            if paths.iter().any(|p| p == Path::new(name)) && dir.is_dir() {
                let _ = self.watch(&dir, RecursiveMode::Recursive);
            }
        }
    }

    fn watch(&mut self, path: &Path, mode: RecursiveMode) -> notify::Result<()> {
        match &mut self.inner {
            Inner::Native(d) => d.watch(path, mode),
            Inner::Poll(d) => d.watch(path, mode),
        }
    }
}

fn to_batch(root: &Path, result: DebounceEventResult) -> Batch {
    let mut batch = Batch::default();
    match result {
        Ok(events) => {
            for event in events {
                // Reading a file is no change (and a build reads them all).
                if matches!(event.kind, EventKind::Access(kind) if kind != AccessKind::Close(AccessMode::Write)) {
                    continue;
                }
                batch.rescan |= event.need_rescan();
                for path in &event.paths {
                    if let Ok(relative) = path.strip_prefix(root) {
                        if !relative.as_os_str().is_empty() && !batch.paths.iter().any(|p| p == relative) {
                            batch.paths.push(relative.to_path_buf());
                        }
                    }
                }
            }
        }
        Err(errors) => batch.errors = errors.iter().map(ToString::to_string).collect(),
    }
    batch
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(path: &str) -> Option<ChangeKind> {
        classify(Path::new(path), "default")
    }

    #[test]
    fn classifies_what_depends_on_a_path() {
        assert_eq!(kind("site.yaml"), Some(ChangeKind::Config));
        assert_eq!(kind("content/guide/setup.md"), Some(ChangeKind::Content));
        assert_eq!(kind("content/guide"), Some(ChangeKind::Content));
        assert_eq!(kind("content/img/pixel.png"), Some(ChangeKind::Content));
        assert_eq!(kind("content/_shared/terms.md"), Some(ChangeKind::Content));
        assert_eq!(kind("content/_data/sidebars/guide.yml"), Some(ChangeKind::Config));
        assert_eq!(kind("content/_data"), Some(ChangeKind::Config));
        assert_eq!(kind("content/_other/x.yml"), Some(ChangeKind::Config));
        assert_eq!(kind("themes/default/templates/page.html"), Some(ChangeKind::Template));
        assert_eq!(kind("themes/default/includes/note.html"), Some(ChangeKind::Include));
        assert_eq!(kind("themes/default/static/assets/signpost.css"), Some(ChangeKind::Static));
        assert_eq!(kind("themes/default"), Some(ChangeKind::Template));
        assert_eq!(kind("themes/other/templates/page.html"), None);
        assert_eq!(kind("diagrams/booking.yaml"), Some(ChangeKind::Diagram));
        assert_eq!(kind("content"), Some(ChangeKind::Config));
        assert_eq!(kind("_includes/examples/a.xml"), Some(ChangeKind::Config));
        assert_eq!(kind("_layouts/page.html"), None, "an imported site's layouts are the theme's now");
    }

    #[test]
    fn ignores_editor_files_and_the_output() {
        for path in [
            "content/setup.md~",
            "content/.setup.md.swp",
            "content/setup.md.swp",
            "content/4913",
            "content/.#setup.md",
            "content/#setup.md#",
            "content/.git/index",
            "public/index.html",
            ".signpost-cache/highlight-v1.bin",
            "notes.txt",
        ] {
            assert_eq!(kind(path), None, "{path}");
        }
    }
}
