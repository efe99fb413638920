//! Reads again the pages a batch touched, reusing every other page of the model, with
//! `content::load_reusing` so the rules of loading stay in one place.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use super::model::Step;
use crate::content::{self, Content, Page};
use crate::diagnostics::Diagnostics;
use crate::site::Site;

/// The pages after a batch.
pub(super) struct Reloaded {
    pub content: Content,
    /// (source, service) of the pages read again, which have to be rendered again.
    pub fresh: BTreeSet<(PathBuf, Option<String>)>,
    pub warnings: Diagnostics,
}

/// The common edit: pages that exist saved again under the same paths. Reads only them;
/// `None` for any other batch (and for a page that does not read cleanly or whose
/// permalink, service or publication changed), which [`pages`] then handles.
pub(super) fn in_place(step: &Step<'_>, site: &Site, changed: &[PathBuf]) -> Option<Vec<(usize, Page)>> {
    if !step.errors.unread_pages().is_empty() || changed.is_empty() {
        return None;
    }
    let root = step.root;
    let mut edited = Vec::new();
    for path in changed {
        if !content::is_markdown(path) || !root.join(path).is_file() {
            return None;
        }
        let mut same = site.content.pages.iter().enumerate().filter(|(_, p)| p.source == *path);
        let (i, old) = same.next()?;
        let overridden = site.content.overrides.iter().any(|(own, shared)| own == path || shared == path);
        if same.next().is_some() || old.shared || overridden {
            return None;
        }
        let page = content::read_one(root, &site.config, &site.scope, content::Bodies::Held, path).ok()??;
        if page.permalink.file() != old.permalink.file() || page.service != old.service {
            return None;
        }
        edited.push((i, page));
    }
    Some(edited)
}

/// Reads the pages under `changed` (and those that failed before). A page whose new
/// version has errors keeps its last good version and its errors are recorded; `Err`
/// when errors cannot be pinned on a changed file, and then nothing is applied.
pub(super) fn pages(step: &mut Step<'_>, site: &Site, changed: &[PathBuf]) -> Result<Reloaded, Diagnostics> {
    let root = step.root.to_path_buf();
    let old: HashMap<(&Path, Option<&str>), &Page> =
        site.content.pages.iter().map(|p| ((p.source.as_path(), p.service.as_deref()), p)).collect();
    let broken_before = step.errors.unread_pages().clone();
    let reread = |source: &Path| broken_before.contains(source) || changed.iter().any(|c| source.starts_with(c));
    let load = |keep_old: &BTreeSet<PathBuf>| {
        content::load_reusing(&root, &site.config, &site.scope, content::Bodies::Held, &|source, service| {
            let previous = || old.get(&(source, service)).map(|p| (*p).clone());
            if keep_old.contains(source) {
                Some(previous())
            } else if reread(source) {
                None
            } else {
                previous().map(Some)
            }
        })
    };
    let (mut content, mut diagnostics) = load(&BTreeSet::new());
    let mut broken: BTreeMap<PathBuf, Diagnostics> = BTreeMap::new();
    for error in diagnostics.iter().filter(|d| d.is_error()) {
        match error.location.as_ref().map(|l| l.file.to_path_buf()) {
            Some(file) if reread(&file) => broken.entry(file).or_default().push(error.clone()),
            _ => return Err(diagnostics.clone()),
        }
    }
    if !broken.is_empty() {
        (content, diagnostics) = load(&broken.keys().cloned().collect());
        if diagnostics.has_errors() {
            diagnostics.extend(broken.into_values().flatten());
            diagnostics.sort();
            return Err(diagnostics);
        }
    }
    let fresh = content
        .pages
        .iter()
        .filter(|p| {
            let new = !old.contains_key(&(p.source.as_path(), p.service.as_deref()));
            new || (reread(&p.source) && !broken.contains_key(&p.source))
        })
        .map(|p| (p.source.clone(), p.service.clone()))
        .collect();
    step.errors.pages_read(&reread, broken);
    diagnostics.0.retain(|d| !d.is_error());
    Ok(Reloaded { content, fresh, warnings: diagnostics })
}

/// How the list of pages changed, which generated files and the switcher show.
#[derive(Default)]
pub(super) struct Listing {
    /// Front matter, permalinks, or the set of pages changed.
    pub changed: bool,
    /// File names of pages added, removed or moved.
    pub file_names: BTreeSet<String>,
}

pub(super) fn compare(old: &Content, new: &Content) -> Listing {
    let key = |p: &Page| (p.source.clone(), p.service.clone());
    let before: BTreeMap<_, &Page> = old.pages.iter().map(|p| (key(p), p)).collect();
    let after: BTreeMap<_, &Page> = new.pages.iter().map(|p| (key(p), p)).collect();
    let mut listing = Listing::default();
    for (k, page) in &after {
        match before.get(k) {
            Some(old) if old.permalink.file() == page.permalink.file() => {
                listing.changed |= old.front != page.front || old.shared != page.shared;
            }
            Some(old) => {
                listing.file_names.insert(file_name(old).to_string());
                listing.file_names.insert(file_name(page).to_string());
            }
            None => {
                listing.file_names.insert(file_name(page).to_string());
            }
        }
    }
    for (k, page) in &before {
        if !after.contains_key(k) {
            listing.file_names.insert(file_name(page).to_string());
        }
    }
    listing.changed |= !listing.file_names.is_empty() || old.unpublished != new.unpublished;
    listing
}

/// The last segment of a page's output path.
pub(super) fn file_name(page: &Page) -> &str {
    page.permalink.file().rsplit('/').next().unwrap_or("")
}
