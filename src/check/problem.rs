//! What is wrong with a link, and its wording for the place the link is written: a page,
//! a sidebar or a stage of a process ([`super::links`] and [`super::stages`] both word
//! their findings here).

use super::{Context, Finding, Kind};
use crate::output::{LinkOrigin, LinkRecord, PageRecord};

/// What is wrong with a link, before it is worded for its origin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Problem {
    /// No output file at `file`; `suggestion` is the nearest that exists.
    MissingFile { file: String, suggestion: Option<String> },
    /// The page `file` has no element with this id.
    MissingAnchor { file: String, anchor: String, suggestion: Option<String> },
    /// Above the output root, or a root-relative path outside base_url.
    OutsideSite,
}

pub(super) fn extension(path: &str) -> Option<&str> {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.rsplit_once('.').map(|(_, e)| e).filter(|e| !e.is_empty())
}

fn is_image(path: &str) -> bool {
    extension(path).is_some_and(|e| {
        matches!(
            e.to_ascii_lowercase().as_str(),
            "png" | "jpg" | "jpeg" | "gif" | "svg" | "webp" | "avif" | "ico" | "bmp"
        )
    })
}

/// Words a problem for the place the link is written: the kind, message and hint.
pub(super) fn describe(cx: &Context, link: &LinkRecord, page: Option<&PageRecord>, problem: &Problem) -> Finding {
    let written = link.written.as_str();
    let finding = |kind: Kind, message: String| {
        let f = Finding::new(kind, link.location.clone(), written, message).spanning(link.len);
        match page {
            Some(p) => f.on_page(&p.file),
            None => f,
        }
    };
    let sidebar = link.origin == LinkOrigin::Sidebar;
    match problem {
        Problem::OutsideSite => finding(missing_kind(link, &link.href).0, format!("{written} points outside the site"))
            .hint(format!(
                "links starting with / are under base_url ({}); `..` cannot climb above the output folder",
                cx.site.urls.base
            )),
        Problem::MissingFile { file, suggestion } => {
            let (kind, what) = missing_kind(link, file);
            let mut f = finding(kind, format!("{written} not found: no {what} is built at {file}"))
                .suggest(suggestion.as_ref().map(|s| written_form(written, file, s, page)));
            if f.hint.is_none() {
                f = f.hint(missing_hint(link, what));
            }
            f
        }
        Problem::MissingAnchor { file, anchor, suggestion } => {
            let kind = if sidebar { Kind::BrokenSidebarLink } else { Kind::BrokenAnchor };
            let base = written.split_once('#').map_or(written, |(b, _)| b);
            let f = finding(kind, format!("#{anchor} not found in {file}"));
            match suggestion {
                Some(s) if s.to_lowercase() == anchor.to_lowercase() => f
                    .suggest(Some(format!("{base}#{s}")))
                    .hint(format!("anchors are case-sensitive: did you mean #{s}?")),
                Some(s) => f.suggest(Some(format!("{base}#{s}"))).hint(format!("did you mean #{s}?")),
                None => f.hint(format!(
                    "{file} has no heading or element with id `{anchor}`; a heading's id is its text in lower case, \
                     spaces as -, punctuation dropped, or set with {{#id}}"
                )),
            }
        }
    }
}

/// The kind of a link to nothing, and what it should have reached.
fn missing_kind(link: &LinkRecord, file: &str) -> (Kind, &'static str) {
    let file = file.split(['?', '#']).next().unwrap_or(file);
    if link.origin == LinkOrigin::Sidebar {
        (Kind::BrokenSidebarLink, "page")
    } else if link.origin == LinkOrigin::Image || is_image(file) {
        (Kind::MissingImage, "image")
    } else if extension(file).is_some_and(|e| !matches!(e, "html" | "htm")) {
        (Kind::MissingFile, "file")
    } else {
        (Kind::BrokenLink, "page")
    }
}

fn missing_hint(link: &LinkRecord, what: &str) -> String {
    let mut hint = match what {
        "page" => "check the file name, or the `permalink:` of the page you mean".to_string(),
        _ => "put the file under content/ (it is copied to the same path), or correct the path".to_string(),
    };
    if link.written.starts_with('/') && link.href != link.written && link.origin != LinkOrigin::Sidebar {
        hint.push_str(&format!(
            "; a link starting with / starts at the site's or the service's root: here it leads to {}",
            link.href
        ));
    }
    hint
}

/// The suggestion as the author would write it: the written link with its last segment
/// replaced when the nearest file is in the same folder, else a path from the page.
fn written_form(written: &str, missing: &str, nearest: &str, page: Option<&PageRecord>) -> String {
    let cut = written.find(['?', '#']).unwrap_or(written.len());
    let (path, rest) = written.split_at(cut);
    let dir = |p: &str| p.rfind('/').map_or(String::new(), |i| p[..=i].to_string());
    if dir(missing) == dir(nearest) && !path.ends_with('/') {
        let name = nearest.rsplit('/').next().unwrap_or(nearest);
        return format!("{}{name}{rest}", dir(path));
    }
    match page {
        Some(page) => format!("{}{rest}", relative_path(&page.file, nearest)),
        None => format!("/{nearest}{rest}"),
    }
}

/// A relative link from the page at `from` to the output file `to`.
fn relative_path(from: &str, to: &str) -> String {
    let from_dirs: Vec<&str> = from.split('/').collect::<Vec<_>>().split_last().map_or(vec![], |(_, d)| d.to_vec());
    let to_parts: Vec<&str> = to.split('/').collect();
    let common = from_dirs.iter().zip(&to_parts).take_while(|(a, b)| a == b).count();
    let common = common.min(to_parts.len() - 1);
    let mut out = "../".repeat(from_dirs.len() - common);
    out.push_str(&to_parts[common..].join("/"));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions_keep_the_written_form() {
        assert_eq!(
            written_form("../a/overveiw.html#x", "a/overveiw.html", "a/overview.html", None),
            "../a/overview.html#x"
        );
        assert_eq!(relative_path("nrls/x.html", "smsp/y.html"), "../smsp/y.html");
        assert_eq!(relative_path("nrls/x.html", "nrls/y.html"), "y.html");
        assert_eq!(relative_path("index.html", "nrls/y.html"), "nrls/y.html");
        assert_eq!(relative_path("a/b/c.html", "a/d.html"), "../d.html");
    }

    #[test]
    fn file_types() {
        assert!(is_image("img/A.PNG"));
        assert!(!is_image("a.png/x"));
        assert_eq!(extension("a.b/c"), None);
        assert_eq!(extension("files/spec.pdf"), Some("pdf"));
    }
}
