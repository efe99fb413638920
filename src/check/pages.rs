//! Whole-page checks: ids defined twice in a page, and pages no reader can reach.

use rustc_hash::{FxHashMap, FxHashSet};

use super::resolve::Target;
use super::{Context, Finding, Kind};
use crate::content::Scope;
use crate::diagnostics::Location;
use crate::output::{AnchorRecord, Anchors, PageRecord};

/// An id defined twice in a page: links reach only the first.
pub(super) fn duplicate_ids(page: &PageRecord, anchors: &Anchors, found: &mut Vec<Finding>) {
    // Most pages write each id once: nothing to report, and no need to unpack and sort
    // their anchors to find out.
    let mut ids = FxHashSet::with_capacity_and_hasher(anchors.len(), Default::default());
    if anchors.id_bytes().all(|id| ids.insert(id)) {
        return;
    }
    let recorded: Vec<AnchorRecord> = anchors.iter().collect();
    let mut anchors: Vec<&AnchorRecord> = recorded.iter().collect();
    anchors.sort_by(|a, b| (&a.location, &a.id).cmp(&(&b.location, &b.id)));
    // The same id recorded twice at the same place is one element seen twice (a placed
    // diagram's wrapper is recorded by the render and again in the include's HTML).
    anchors.dedup();
    let mut first: FxHashMap<&str, &AnchorRecord> = FxHashMap::default();
    for anchor in anchors {
        let Some(earlier) = first.get(anchor.id.as_str()) else {
            first.insert(&anchor.id, anchor);
            continue;
        };
        let at = anchor.location.clone().unwrap_or_else(|| Location::new(&page.source, 1, 1));
        let where_first = earlier.location.as_ref().map_or_else(|| "earlier".to_string(), |l| format!("at {l}"));
        found.push(
            Finding::new(
                Kind::DuplicateId,
                at,
                &anchor.id,
                format!("id `{}` is defined twice in {}", anchor.id, page.file),
            )
            .spanning(anchor.id.chars().count())
            .on_page(&page.file)
            .hint(format!(
                "it is first defined {where_first}, and #{} reaches only that one; give one of them another id",
                anchor.id
            )),
        );
    }
}

/// Pages that no sidebar, and no link from a page readers reach, leads to. Readers start
/// at the home pages and the sidebars; the theme also links every page to its tags'
/// pages (which list the pages with that tag) and to the same page in other services.
pub(super) fn orphans(cx: &Context, reached_from: &[Vec<usize>], found: &mut Vec<Finding>) {
    let site = cx.site;
    let index = |file: &str| cx.pages.get(file).copied();
    let mut queue: Vec<usize> = Vec::new();
    queue.extend(index("index.html"));
    if site.scope == Scope::Portal {
        queue.extend(site.config.services.iter().filter_map(|s| index(&format!("{}/index.html", s.id))));
    }
    for link in &cx.output.sidebar_links {
        if let Target::Internal { path, .. } = cx.resolver.resolve(&link.href, "") {
            queue.extend(index(&path.file));
        }
    }
    // A page reached reaches its tags' pages (through the tag links the layout writes).
    // Tags and pages are numbered here, so the walk below looks nothing up by name.
    let by_tag: Vec<Vec<usize>> = site
        .tags
        .values()
        .map(|pages| pages.iter().filter_map(|&p| index(site.content.pages[p].permalink.file())).collect())
        .collect();
    let mut tags_of: Vec<Vec<usize>> = vec![Vec::new(); cx.output.pages.len()];
    for (tag, pages) in by_tag.iter().enumerate() {
        for &page in pages {
            tags_of[page].push(tag);
        }
    }
    let mut seen = vec![false; cx.output.pages.len()];
    let mut visited_tags = vec![false; by_tag.len()];
    while let Some(page) = queue.pop() {
        if std::mem::replace(&mut seen[page], true) {
            continue;
        }
        let elsewhere = same_page_elsewhere(cx, &cx.output.pages[page].file);
        queue.extend(elsewhere.iter().filter_map(|f| index(f)));
        queue.extend(reached_from[page].iter().filter(|&&i| !seen[i]));
        for &tag in &tags_of[page] {
            if !std::mem::replace(&mut visited_tags[tag], true) {
                queue.extend(by_tag[tag].iter().filter(|&&i| !seen[i]));
            }
        }
    }
    for (page, _) in cx.output.pages.iter().zip(seen).filter(|(_, seen)| !seen) {
        found.push(
            Finding::new(
                Kind::OrphanPage,
                Location::new(&page.source, 1, 1),
                &page.file,
                format!("{} is reached by no sidebar and no link from a page readers reach", page.file),
            )
            .spanning(3)
            .on_page(&page.file)
            .hint("add it to a sidebar under content/_data/sidebars/, or link to it from another page"),
        );
    }
}

/// The service switcher links a service's page to the same page in the other services.
fn same_page_elsewhere(cx: &Context, file: &str) -> Vec<String> {
    if cx.site.scope != Scope::Portal {
        return Vec::new();
    }
    let services = &cx.site.config.services;
    let Some(local) = services.iter().find_map(|s| file.strip_prefix(&format!("{}/", s.id))) else {
        return Vec::new();
    };
    services.iter().map(|s| format!("{}/{local}", s.id)).filter(|f| f != file).collect()
}
