//! Links in pages and sidebars: does the file exist, and the anchor in it?

use std::borrow::Cow;
use std::collections::HashSet;

use rustc_hash::FxHashMap;

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

#[derive(Clone)]
enum Outcome {
    External,
    /// The page the link reaches (its index in `Output::pages`), unless it stays on the
    /// page or reaches a file that is not a page.
    Fine(Option<usize>),
    Broken(Problem),
}

/// A link's outcome, and the page of its file when it looked in that page's anchors.
#[derive(Clone)]
struct Looked {
    outcome: Outcome,
    anchors_of: Option<usize>,
}

impl Looked {
    fn just(outcome: Outcome) -> Looked {
        Looked { outcome, anchors_of: None }
    }
}

/// The outcomes of the links a layout writes, by href, kept from page to page: the
/// layout writes the same links on every page (stylesheets, scripts, the home page), and
/// each was resolved and looked up again on each. Only an outcome that is the same from
/// every page is kept ([`Resolver::resolve_noting`](super::resolve::Resolver::resolve_noting)).
/// Kept by the href's bytes, which need not be read as UTF-8 to be found.
#[derive(Default)]
pub(super) struct Seen {
    outcomes: FxHashMap<Box<[u8]>, Looked>,
}

impl Seen {
    fn look(&mut self, cx: &Context, link: &LinkView, on: On) -> Looked {
        if let Some(looked) = self.outcomes.get(link.href_bytes()) {
            return looked.clone();
        }
        let (looked, same_from_every_page) = look(cx, link.href(), Some(on));
        if same_from_every_page {
            self.outcomes.insert(link.href_bytes().into(), looked.clone());
        }
        looked
    }
}

/// Checks every link a page records; stage links go to [`stages`] for their wording.
pub(super) fn check_page(cx: &Context, page: &PageRecord, seen: &mut Seen, found: &mut Vec<Finding>) -> Counts {
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
    let stage_hrefs: HashSet<&[u8]> =
        links.iter().filter(|l| l.origin == LinkOrigin::Stage).map(|l| l.href_bytes()).collect();
    let on = On { page, index: cx.pages.get(page.file.as_str()).copied() };
    for link in &links {
        if link.origin == LinkOrigin::Include && stage_hrefs.contains(link.href_bytes()) {
            continue;
        }
        // Only the layout's links are kept: a page's own mostly lead where no other page
        // of the few dozen checked in turn leads, and keeping each costs more than it saves.
        let looked = match link.origin {
            LinkOrigin::Template => seen.look(cx, link, on),
            _ => look(cx, link.href(), Some(on)).0,
        };
        let problem = match outcome(cx, looked, Some(on), &mut counts.anchored) {
            Outcome::External => {
                counts.external += 1;
                continue;
            }
            Outcome::Fine(reached) => {
                counts.reached.extend(reached);
                None
            }
            Outcome::Broken(problem) => Some(problem),
        };
        counts.internal += 1;
        if link.origin == LinkOrigin::Stage {
            stages::check_stage_link(cx, page, &link.record(), problem.as_ref(), found);
        } else if let Some(problem) = problem {
            // A template's broken link is on every page it lays out: said once.
            let on = (link.origin != LinkOrigin::Template || !link.href().starts_with('/')).then_some(page);
            found.push(describe(cx, &link.record(), on, &problem));
        }
    }
    counts
}

/// Checks the links written in sidebar files, once each.
pub(super) fn check_sidebars(cx: &Context, found: &mut Vec<Finding>) -> Counts {
    let mut counts = Counts::default();
    for link in &cx.output.sidebar_links {
        match outcome(cx, look(cx, &link.href, None).0, None, &mut counts.anchored) {
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

/// The page a link is on, and its index in `Output::pages` (found by its file).
#[derive(Clone, Copy)]
struct On<'p> {
    page: &'p PageRecord,
    index: Option<usize>,
}

/// A link's outcome on `page` (none, for sidebars): another page whose anchors it looked
/// in is added to `anchored`.
fn outcome(cx: &Context, looked: Looked, page: Option<On>, anchored: &mut Vec<usize>) -> Outcome {
    // The link's own page is not another: told by its file, that of `anchors_of`.
    let other = |&i: &usize| page.is_none_or(|on| on.page.file != cx.output.pages[i].file);
    anchored.extend(looked.anchors_of.filter(other));
    looked.outcome
}

/// Resolves `href` from `page` (or from the site root, for sidebars) and looks it up;
/// and whether the answer is the same from every page.
fn look(cx: &Context, href: &str, page: Option<On>) -> (Looked, bool) {
    let from = page.map_or("", |on| on.page.file.as_str());
    let (target, same_from_every_page) = cx.resolver.resolve_noting(href, from);
    let looked = match target {
        Target::External => Looked::just(Outcome::External),
        Target::OutsideSite => Looked::just(Outcome::Broken(Problem::OutsideSite)),
        Target::SamePage { anchor } => Looked::just(match (page, anchor) {
            (Some(on), Some(anchor)) => anchor_outcome(cx, &on.page.file, on.index, anchor, None),
            _ => Outcome::Fine(None),
        }),
        Target::Internal { path, anchor } if path.exists => {
            let index = cx.pages.get(path.file.as_ref()).copied();
            match anchor {
                Some(anchor) => {
                    Looked { outcome: anchor_outcome(cx, &path.file, index, anchor, index), anchors_of: index }
                }
                None => Looked::just(Outcome::Fine(index)),
            }
        }
        Target::Internal { path, .. } => {
            let suggestion = nearest_file(cx, &path.file);
            Looked::just(Outcome::Broken(Problem::MissingFile { file: path.file.into_owned(), suggestion }))
        }
    };
    (looked, same_from_every_page)
}

/// Anchors are checked in pages only (`index`, the page of `file`): other files (tag
/// pages, assets) record none.
fn anchor_outcome(cx: &Context, file: &str, index: Option<usize>, anchor: Cow<str>, reached: Option<usize>) -> Outcome {
    let Some(ids) = index.map(|i| cx.anchors(i)) else { return Outcome::Fine(reached) };
    // The empty fragment and `#top` scroll to the top of any page (HTML standard);
    // text fragments (`#:~:text=`) are for the browser to find.
    if anchor.is_empty() || anchor.eq_ignore_ascii_case("top") || anchor.starts_with(":~:") || ids.contains(&anchor) {
        return Outcome::Fine(reached);
    }
    let suggestion = ids
        .iter()
        .filter(|id| id.to_lowercase() == anchor.to_lowercase())
        .min()
        .or_else(|| nearest(&anchor, ids.iter()))
        .map(String::from);
    Outcome::Broken(Problem::MissingAnchor { file: file.to_string(), anchor: anchor.into_owned(), suggestion })
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
