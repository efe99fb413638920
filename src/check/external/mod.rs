//! `signpost check --external`: fetches the http(s) links the render recorded (each
//! with the place it is written), once per URL, and reports the dead, the redirected and
//! the missing `#fragment`s at those places. Results that worked are cached (see
//! [`cache`]) so a CI run does not ask every host again.
//!
//! docs/check.md describes the kinds, the `check: external:` settings and the cache.

mod cache;
mod fetch;
pub mod settings;

use std::collections::{BTreeMap, HashSet};
use std::path::Path;
use std::time::{Duration, Instant};

use reqwest::Url;

use super::resolve::{Resolver, Target};
use super::{nearest, Finding, Kind};
use crate::diagnostics::{self, Diagnostic, Diagnostics};
use crate::output::{LinkOrigin, LinkRecord, Output, PageRecord};
use fetch::{Dead, Outcome};
pub use settings::{parse_duration, ExternalConfig, ExternalSettings};

/// What the command line asks of the external check, beside site.yaml's settings.
#[derive(Debug, Clone, Default)]
pub struct ExternalRequest {
    /// Look for `#fragment`s in fetched pages even if site.yaml does not ask.
    pub anchors: bool,
    /// Overrides `max_age:`; zero fetches every URL again.
    pub max_age: Option<Duration>,
}

/// How much the external check looked at, for the summary.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExternalSummary {
    /// http(s) links, each place it is written counted once.
    pub links: usize,
    /// Distinct URLs (without fragment) checked: fetched or found in the cache.
    pub urls: usize,
    pub fetched: usize,
    pub cached: usize,
    /// URLs left out by `include:` or `exclude:`.
    pub excluded: usize,
    /// Links of other schemes (`mailto:`, `tel:`), not followed.
    pub not_http: usize,
    /// HTTP requests sent, retries included.
    pub requests: usize,
    pub max_age: Duration,
    pub took: Duration,
}

/// One place an external link is written.
struct Place<'a> {
    link: &'a LinkRecord,
    page: Option<&'a PageRecord>,
    fragment: Option<String>,
}

/// A URL without its fragment, and every place that links to it.
struct Linked<'a> {
    url: Url,
    places: Vec<Place<'a>>,
}

impl Linked<'_> {
    /// The fragments to look for: not empty, `#top`, a text fragment or a script's route.
    fn fragments(&self) -> Vec<&str> {
        let mut all: Vec<&str> =
            self.places.iter().filter_map(|p| p.fragment.as_deref()).filter(|f| is_anchor(f)).collect();
        all.sort_unstable();
        all.dedup();
        all
    }
}

fn is_anchor(fragment: &str) -> bool {
    !(fragment.is_empty()
        || fragment.eq_ignore_ascii_case("top")
        || fragment.starts_with(":~:")
        || fragment.starts_with(['/', '!']))
}

/// Checks every external link of a rendered site. Problems with the cache file are
/// warnings: the check itself is complete without it.
pub(super) fn check(
    root: &Path,
    base_url: &str,
    output: &Output,
    settings: &ExternalSettings,
    request: &ExternalRequest,
) -> (Vec<Finding>, ExternalSummary, Diagnostics) {
    let start = Instant::now();
    let max_age = request.max_age.unwrap_or(settings.max_age);
    let anchors = request.anchors || settings.anchors;
    let mut summary = ExternalSummary { max_age, ..ExternalSummary::default() };
    let mut found = Vec::new();
    let mut problems = Diagnostics::default();

    let resolver = Resolver::new(base_url, &output.paths);
    let mut by_url: BTreeMap<String, Linked> = BTreeMap::new();
    // `signpost check` keeps the pages' links in memory; links a build set aside and
    // cannot read back fail the check rather than go unchecked.
    let links: Vec<Vec<LinkRecord>> =
        match output.pages.iter().map(|p| p.links.held().map(|l| l.iter().collect())).collect() {
            Ok(links) => links,
            Err(e) => {
                problems.push(super::unreadable(e));
                return (found, summary, problems);
            }
        };
    for place in places(&resolver, output, &links) {
        let Some(url) = http_url(&place.link.href) else {
            summary.not_http += 1;
            continue;
        };
        summary.links += 1;
        let url = match Url::parse(&url) {
            Ok(url) => url,
            Err(e) => {
                let f = finding(Kind::DeadLink, &place, format!("{} is not a valid URL: {e}", place.link.written));
                found.push(f.hint("correct the address: a space or a stray character breaks it"));
                continue;
            }
        };
        let mut key = url.clone();
        key.set_fragment(None);
        let fragment = url.fragment().map(|f| percent_encoding::percent_decode_str(f).decode_utf8_lossy().into_owned());
        let place = Place { fragment, ..place };
        by_url.entry(key.to_string()).or_insert_with(|| Linked { url: key, places: Vec::new() }).places.push(place);
    }
    by_url.retain(|_, linked| {
        let wanted = settings.wants(&linked.url);
        summary.excluded += usize::from(!wanted);
        wanted
    });
    summary.urls = by_url.len();

    let cache_path = root.join(&settings.cache);
    let mut cache = cache::Cache::open(&cache_path);
    // Each URL's outcome, and whether it was fetched now (only those go into the cache:
    // a cached result keeps the age it has).
    let mut outcomes: Vec<Option<(Outcome, bool)>> = Vec::with_capacity(by_url.len());
    let mut to_fetch = Vec::new();
    for (key, linked) in &by_url {
        let fragments = if anchors { linked.fragments() } else { Vec::new() };
        let cached = cache.fresh(key, max_age).filter(|entry| {
            fragments.is_empty()
                || entry.anchors.as_ref().is_some_and(|a| fragments.iter().all(|f| a.iter().any(|x| x == f)))
        });
        match cached {
            Some(entry) => {
                summary.cached += 1;
                let ids = entry.anchors.as_ref().map(|a| a.iter().cloned().collect());
                outcomes.push(Some((
                    Outcome::Working { status: entry.status, redirect: entry.redirect.clone(), ids },
                    false,
                )));
            }
            None => {
                to_fetch.push((
                    outcomes.len(),
                    fetch::Request { url: linked.url.clone(), read_ids: !fragments.is_empty() },
                ));
                outcomes.push(None);
            }
        }
    }
    summary.fetched = to_fetch.len();
    let (slots, requests): (Vec<usize>, Vec<fetch::Request>) = to_fetch.into_iter().unzip();
    match fetch::fetch_all(requests, settings) {
        Ok(fetched) => {
            for (slot, fetched) in slots.into_iter().zip(fetched) {
                summary.requests += fetched.requests;
                outcomes[slot] = Some((fetched.outcome, true));
            }
        }
        Err(why) => {
            problems.push(Diagnostic::error(diagnostics::Kind::Io, why).hint("the external links were not checked"))
        }
    }

    for ((key, linked), outcome) in by_url.iter().zip(&outcomes) {
        let Some((outcome, fetched_now)) = outcome else { continue };
        report(linked, outcome, anchors, &mut found);
        if let (Outcome::Working { status, redirect, ids }, true) = (outcome, *fetched_now) {
            let asked = if anchors { linked.fragments() } else { Vec::new() };
            let anchors =
                ids.as_ref().map(|ids| asked.iter().filter(|f| has_anchor(ids, f)).map(|f| f.to_string()).collect());
            cache.put(key.clone(), cache::Entry { checked: 0, status: *status, redirect: redirect.clone(), anchors });
        }
    }
    if let Err(e) = cache.save(max_age) {
        problems.push(
            Diagnostic::warning(diagnostics::Kind::Io, format!("cannot write the cache {}: {e}", cache_path.display()))
                .hint("the next run fetches every link again; set `check: external: cache:` to a writable file"),
        );
    }
    summary.took = start.elapsed();
    (found, summary, problems)
}

/// Every place an external link is written, once per place: a shared page built for
/// several services, or a template on every page, writes one link many times over.
/// `links`: each page's links, unpacked, by its index in `output.pages`.
fn places<'a>(resolver: &Resolver, output: &'a Output, links: &'a [Vec<LinkRecord>]) -> Vec<Place<'a>> {
    let mut seen = HashSet::new();
    let mut all = Vec::new();
    let mut add = |link: &'a LinkRecord, page: Option<&'a PageRecord>| {
        if resolver.resolve(&link.href, page.map_or("", |p| p.file.as_str())) == Target::External
            && seen.insert((&link.location, link.href.as_str()))
        {
            let page = page.filter(|_| link.origin != LinkOrigin::Template);
            all.push(Place { link, page, fragment: None });
        }
    };
    for (page, links) in output.pages.iter().zip(links) {
        // A placed diagram repeats its stage links as the include's: each is reported
        // once, at the stage.
        let stages: HashSet<&str> =
            links.iter().filter(|l| l.origin == LinkOrigin::Stage).map(|l| l.href.as_str()).collect();
        for link in links {
            if link.origin != LinkOrigin::Include || !stages.contains(link.href.as_str()) {
                add(link, Some(page));
            }
        }
    }
    for link in &output.sidebar_links {
        add(link, None);
    }
    all
}

/// The link as an http(s) URL (`//host/x` as https), or `None` for other schemes.
fn http_url(href: &str) -> Option<String> {
    let href = href.trim();
    if let Some(rest) = href.strip_prefix("//") {
        return Some(format!("https://{rest}"));
    }
    let scheme = href.split_once(':').map(|(s, _)| s.to_ascii_lowercase())?;
    matches!(scheme.as_str(), "http" | "https").then(|| href.to_string())
}

fn has_anchor(ids: &HashSet<String>, fragment: &str) -> bool {
    // GitHub prefixes the ids of rendered Markdown; its script scrolls to them.
    ids.contains(fragment) || ids.contains(&format!("user-content-{fragment}"))
}

fn finding(kind: Kind, place: &Place, message: String) -> Finding {
    let f =
        Finding::new(kind, place.link.location.clone(), place.link.written.as_str(), message).spanning(place.link.len);
    match place.page {
        Some(page) => f.on_page(&page.file),
        None => f,
    }
}

/// The findings of one URL, at each place it is written.
fn report(linked: &Linked, outcome: &Outcome, anchors: bool, found: &mut Vec<Finding>) {
    for place in &linked.places {
        let written = place.link.written.as_str();
        match outcome {
            Outcome::Working { redirect, ids, .. } => {
                if let Some(to) = redirect {
                    let to_written = match &place.fragment {
                        Some(f) if !f.is_empty() => format!("{}#{}", to.split('#').next().unwrap_or(to), f),
                        _ => to.clone(),
                    };
                    found.push(
                        finding(Kind::RedirectedLink, place, format!("{written} redirects to {to}"))
                            .suggest(Some(to_written.clone()))
                            .hint(format!("link to {to_written} directly: a redirect may move again or go")),
                    );
                }
                let (Some(ids), Some(fragment)) = (ids.as_ref().filter(|_| anchors), place.fragment.as_deref()) else {
                    continue;
                };
                if !is_anchor(fragment) || has_anchor(ids, fragment) {
                    continue;
                }
                let base = written.split_once('#').map_or(written, |(b, _)| b);
                let f = finding(Kind::BrokenExternalAnchor, place, format!("#{fragment} not found in {}", linked.url));
                found.push(match nearest(fragment, ids.iter().map(String::as_str)) {
                    Some(near) => f.suggest(Some(format!("{base}#{near}"))).hint(format!("did you mean #{near}?")),
                    None => f.hint(format!(
                        "the page has no element with id `{fragment}`; open it and copy the link of the section you mean"
                    )),
                });
            }
            Outcome::Dead(dead) => found.push(dead_finding(place, dead)),
            Outcome::Unchecked(why) => found.push(
                finding(Kind::UncheckedLink, place, format!("{written} could not be checked: {why}"))
                    .hint("run the check again later, or add the host to `check: external: exclude:`"),
            ),
        }
    }
}

fn dead_finding(place: &Place, dead: &Dead) -> Finding {
    let written = place.link.written.as_str();
    let (message, hint) = match dead {
        Dead::Status { status, redirect } => {
            let reason = reqwest::StatusCode::from_u16(*status).ok().and_then(|s| s.canonical_reason()).unwrap_or("");
            let after = redirect.as_ref().map_or(String::new(), |to| format!(" (after redirecting to {to})"));
            let hint = match status {
                404 | 410 => "the page is gone: link to where it moved, or remove the link".to_string(),
                401 | 403 => "the host refuses the check: if the page works in a browser, add the status to `check: external: accept:`".to_string(),
                500..=599 => "the server failed: if it works in a browser, try again later, or add the URL to `check: external: exclude:`".to_string(),
                _ => "correct the link, or remove it".to_string(),
            };
            (format!("{written} answered {status} {reason}{after}").trim_end().to_string(), hint)
        }
        Dead::TimedOut { tries } => (
            format!("{written} did not answer in time ({tries} tr{})", if *tries == 1 { "y" } else { "ies" }),
            "the host may be down or slow: try again later, or raise `check: external: timeout:`".to_string(),
        ),
        Dead::Connection(why) => (
            format!("{written} cannot be reached: {why}"),
            "check the host name; if it is right, the host is down or gone".to_string(),
        ),
        Dead::Other(why) => (format!("{written} failed: {why}"), "correct the link, or remove it".to_string()),
    };
    finding(Kind::DeadLink, place, message).hint(hint)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_links_only() {
        assert_eq!(http_url("//example.org/x").as_deref(), Some("https://example.org/x"));
        assert_eq!(http_url("HTTPS://example.org").as_deref(), Some("HTTPS://example.org"));
        assert_eq!(http_url("mailto:a@b.c"), None);
        assert_eq!(http_url("tel:123"), None);
    }

    #[test]
    fn fragments_worth_looking_for() {
        assert!(is_anchor("section-2"));
        for skipped in ["", "top", ":~:text=x", "/route", "!/route"] {
            assert!(!is_anchor(skipped), "{skipped}");
        }
        let ids: HashSet<String> = ["user-content-setup".to_string()].into();
        assert!(has_anchor(&ids, "setup"));
    }
}
