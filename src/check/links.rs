//! Links in pages and sidebars: does the file exist, and the anchor in it?

use std::collections::HashSet;

use super::problem::{describe, extension, Problem};
use super::resolve::Target;
use super::{nearest, stages, Context, Finding};
use crate::output::{LinkOrigin, LinkView, PageRecord};

/// How many links a check looked at, and the pages they lead to.
#[derive(Debug, Clone, Default)]
pub(super) struct Counts {
    pub internal: usize,
    pub external: usize,
    /// Pages the links reach (indices into `Output::pages`), for finding orphans.
    pub reached: Vec<usize>,
    /// Other pages whose anchors the links look for.
    pub anchored: Vec<usize>,
}

enum Outcome {
    External,
    /// The file the link reaches, unless it stays on the page.
    Fine(Option<String>),
    Broken(Problem),
}

/// Checks every link a page records; stage links go to [`stages`] for their wording.
pub(super) fn check_page(cx: &Context, page: &PageRecord, found: &mut Vec<Finding>) -> Counts {
    let mut counts = Counts::default();
    let held = match page.links.held() {
        Ok(held) => held,
        Err(e) => {
            let _ = cx.unread.set(e);
            return counts;
        }
    };
    let links: Vec<LinkView> = held.views().collect();
    // A placed diagram's HTML repeats its stage links, recorded as the include's links:
    // each is checked once, as a stage link, which says which stage to correct.
    let stage_hrefs: HashSet<&str> = links.iter().filter(|l| l.origin == LinkOrigin::Stage).map(|l| l.href).collect();
    for link in &links {
        if link.origin == LinkOrigin::Include && stage_hrefs.contains(link.href) {
            continue;
        }
        let problem = match outcome(cx, link.href, Some(page), &mut counts.anchored) {
            Outcome::External => {
                counts.external += 1;
                continue;
            }
            Outcome::Fine(reached) => {
                counts.reached.extend(reached.and_then(|file| cx.pages.get(file.as_str()).copied()));
                None
            }
            Outcome::Broken(problem) => Some(problem),
        };
        counts.internal += 1;
        if link.origin == LinkOrigin::Stage {
            stages::check_stage_link(cx, page, &link.record(), problem.as_ref(), found);
        } else if let Some(problem) = problem {
            // A template's broken link is on every page it lays out: said once.
            let on = (link.origin != LinkOrigin::Template || !link.href.starts_with('/')).then_some(page);
            found.push(describe(cx, &link.record(), on, &problem));
        }
    }
    counts
}

/// Checks the links written in sidebar files, once each.
pub(super) fn check_sidebars(cx: &Context, found: &mut Vec<Finding>) -> Counts {
    let mut counts = Counts::default();
    for link in &cx.output.sidebar_links {
        match outcome(cx, &link.href, None, &mut counts.anchored) {
            Outcome::External => counts.external += 1,
            Outcome::Fine(_) => counts.internal += 1,
            Outcome::Broken(problem) => {
                counts.internal += 1;
                found.push(describe(cx, link, None, &problem));
            }
        }
    }
    counts
}

/// Resolves `href` from `page` (or from the site root, for sidebars) and looks it up;
/// another page whose anchors it looks for is added to `anchored`.
fn outcome(cx: &Context, href: &str, page: Option<&PageRecord>, anchored: &mut Vec<usize>) -> Outcome {
    let from = page.map_or("", |p| p.file.as_str());
    match cx.resolver.resolve(href, from) {
        Target::External => Outcome::External,
        Target::OutsideSite => Outcome::Broken(Problem::OutsideSite),
        Target::SamePage { anchor } => match (page, anchor) {
            (Some(page), Some(anchor)) => anchor_outcome(cx, &page.file, anchor, None),
            _ => Outcome::Fine(None),
        },
        Target::Internal { path, anchor } if path.exists => match anchor {
            Some(anchor) => {
                anchored.extend(cx.pages.get(path.file.as_str()).filter(|_| page.is_none_or(|p| p.file != path.file)));
                anchor_outcome(cx, &path.file, anchor, Some(path.file.clone()))
            }
            None => Outcome::Fine(Some(path.file)),
        },
        Target::Internal { path, .. } => {
            let suggestion = nearest_file(cx, &path.file);
            Outcome::Broken(Problem::MissingFile { file: path.file, suggestion })
        }
    }
}

/// Anchors are checked in pages only: other files (tag pages, assets) record none.
fn anchor_outcome(cx: &Context, file: &str, anchor: String, reached: Option<String>) -> Outcome {
    let Some(ids) = cx.pages.get(file).map(|&i| cx.anchors(i)) else { return Outcome::Fine(reached) };
    // The empty fragment and `#top` scroll to the top of any page (HTML standard);
    // text fragments (`#:~:text=`) are for the browser to find.
    if anchor.is_empty()
        || anchor.eq_ignore_ascii_case("top")
        || anchor.starts_with(":~:")
        || ids.contains(anchor.as_str())
    {
        return Outcome::Fine(reached);
    }
    let suggestion = ids
        .iter()
        .filter(|id| id.to_lowercase() == anchor.to_lowercase())
        .min()
        .or_else(|| nearest(&anchor, ids.iter()))
        .map(String::from);
    Outcome::Broken(Problem::MissingAnchor { file: file.to_string(), anchor, suggestion })
}

/// The output file nearest a missing one: `x` for `x.html`, else by edit distance
/// among files of the same type.
fn nearest_file(cx: &Context, missing: &str) -> Option<String> {
    let paths = &cx.output.paths;
    let with_html = format!("{missing}.html");
    if extension(missing).is_none() && paths.contains(&with_html) {
        return Some(with_html);
    }
    let ext = extension(missing);
    nearest(missing, paths.iter().map(String::as_str).filter(|p| extension(p) == ext)).map(String::from)
}
