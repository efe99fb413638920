//! Files a build writes besides pages: the 404 page, the sitemap, tag pages, the search
//! page and index, theme and content assets. A page whose permalink names one of them is
//! an error at its permalink; otherwise one file silently replaces the other, and which
//! one wins depends on which thread writes last.

use std::collections::BTreeMap;

use super::Site;
use crate::diagnostics::{Diagnostic, Kind, Location};

/// Output path -> what the build writes there, for every file that is not a page.
/// Folders the build owns whole (the search index) end in `/`.
pub(crate) fn generated_files(site: &Site) -> BTreeMap<String, String> {
    let mut files = BTreeMap::new();
    let mut add = |path: String, what: &str| {
        files.entry(path).or_insert_with(|| what.to_string());
    };
    add("404.html".into(), "the 404 page");
    add("sitemap.xml".into(), "the sitemap");
    add("assets/highlight.css".into(), "the code highlighting stylesheet");
    add("assets/diagram.css".into(), "the diagram stylesheet");
    // Whether or not this build writes the index (`--no-search`), so that every build
    // of one site agrees on which pages are errors.
    if site.has_search() {
        add(crate::output::SEARCH_PAGE.into(), "the search page");
        add(format!("{}/", crate::output::SEARCH_INDEX_DIR), "the search index");
    }
    if !site.tags.is_empty() {
        add("tags/index.html".into(), "the tags page");
    }
    for tag in site.tags.keys() {
        add(super::tag_file(tag), &format!("the page of tag `{tag}`"));
    }
    for (_, out) in &site.theme.static_files {
        add(out.clone(), "a file of the theme");
    }
    for asset in &site.content.assets {
        add(asset.output.clone(), &format!("the file {}", crate::content::to_slash(&asset.source)));
    }
    files
}

/// An error for every page whose output file is one the build generates.
pub(crate) fn permalink_clashes(site: &Site) -> Vec<Diagnostic> {
    let generated = generated_files(site);
    let folders: Vec<(&String, &String)> = generated.iter().filter(|(path, _)| path.ends_with('/')).collect();
    let owner = |file: &str| {
        generated
            .get(file)
            .or_else(|| folders.iter().find(|(folder, _)| file.starts_with(folder.as_str())).map(|f| f.1))
    };
    let mut errors = Vec::new();
    for page in &site.content.pages {
        let file = page.permalink.file();
        let Some(what) = owner(file) else { continue };
        let written = page.front.permalink.as_deref();
        errors.push(
            Diagnostic::error(
                Kind::Permalink,
                format!("the page would be written to {file}, where the build writes {what}"),
            )
            .at(page.front.permalink_at.clone().unwrap_or_else(|| Location::new(&page.source, 1, 1)))
            .spanning(written.map_or(3, |p| p.chars().count()))
            .hint("give the page another permalink (or rename its file)"),
        );
    }
    errors
}
