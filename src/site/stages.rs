//! The stages of a placed process, as the search index holds them: each lands where its
//! link in the diagram lands, so a reader who searches for a stage reaches the section
//! that explains it. Worked out while rendering, into the page's record; the index only
//! reads the record.

use super::Urls;
use crate::output::StageEntry;
use crate::process::{Placement, Process};

/// The stages of `process` as placed on the page at `page_url` (of `service`), in the
/// diagram's order.
pub(crate) fn placed_stages(
    process: &Process,
    placement: &Placement,
    page_url: &str,
    urls: &Urls,
    service: Option<&str>,
) -> Vec<StageEntry> {
    placement
        .stage_links
        .iter()
        .filter_map(|link| {
            let stage = process.stages.iter().find(|s| s.id == link.stage_id)?;
            Some(StageEntry {
                title: stage.title.clone(),
                summary: stage.summary.clone(),
                process: process.title.clone(),
                target: resolve(&link.href, page_url, urls, service),
                wrapper: placement.wrapper_id.clone(),
            })
        })
        .collect()
}

/// The URL a link written on the page at `page_url` leads to, or `None` off the site.
fn resolve(href: &str, page_url: &str, urls: &Urls, service: Option<&str>) -> Option<String> {
    if href.starts_with("//") || href.contains("://") || href.starts_with("mailto:") {
        return None;
    }
    if href.starts_with('/') {
        return urls.link(href, service);
    }
    let page = page_url.split('#').next().unwrap_or(page_url);
    if href.starts_with('#') {
        return Some(format!("{page}{href}"));
    }
    let dir = &page[..page.rfind('/').map_or(0, |i| i + 1)];
    Some(normalise(&format!("{dir}{href}")))
}

/// Removes `.` and `..` segments from a URL path, keeping any fragment.
fn normalise(url: &str) -> String {
    let (path, fragment) = match url.split_once('#') {
        Some((p, f)) => (p, Some(f)),
        None => (url, None),
    };
    let mut parts: Vec<&str> = Vec::new();
    for segment in path.split('/') {
        match segment {
            "." => {}
            ".." if parts.len() > 1 => {
                parts.pop();
            }
            ".." => {}
            s => parts.push(s),
        }
    }
    let mut out = parts.join("/");
    if path.ends_with("/.") || path.ends_with("/..") {
        out.push('/');
    }
    if let Some(f) = fragment {
        out.push('#');
        out.push_str(f);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::Scope;

    fn urls() -> Urls {
        Urls {
            base: "/portal/".into(),
            scope: Scope::Portal,
            services: vec!["booking".into()],
            portal: "/portal/".into(),
        }
    }

    #[test]
    fn links_resolve_from_the_page() {
        let u = urls();
        let page = "/portal/booking/index.html";
        assert_eq!(resolve("#scal", page, &u, Some("booking")).unwrap(), "/portal/booking/index.html#scal");
        assert_eq!(resolve("scal.html#a", page, &u, Some("booking")).unwrap(), "/portal/booking/scal.html#a");
        assert_eq!(resolve("../x.html", page, &u, Some("booking")).unwrap(), "/portal/x.html");
        assert_eq!(resolve("/scal.html", page, &u, Some("booking")).unwrap(), "/portal/booking/scal.html");
        assert_eq!(resolve("https://example.org/x", page, &u, Some("booking")), None);
    }
}
