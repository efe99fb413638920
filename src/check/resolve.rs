//! Where a link in the output leads: another output file (with an anchor), the same
//! page, or somewhere outside the site that an offline check does not follow.

use std::borrow::Cow;
use std::collections::BTreeSet;

use percent_encoding::percent_decode_str;
use rustc_hash::FxHashSet;

/// What a link's `href` points at, seen from the page it is on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// Another host, another scheme (`mailto:`, `tel:`, `data:`), or a protocol-relative URL.
    External,
    /// `#anchor` (or an empty fragment) on the page itself.
    SamePage { anchor: Option<String> },
    /// A path under the site's base_url.
    Internal { path: Path, anchor: Option<String> },
    /// A root-relative path outside base_url, or `..` above the output root.
    OutsideSite,
}

/// A path inside the output, decoded, and whether a file is there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Path {
    /// The output file a server would send: `guide/` means `guide/index.html`.
    pub file: String,
    pub exists: bool,
}

/// Resolves hrefs against the output of one build.
pub struct Resolver<'o> {
    /// The path part of base_url: `/` or `/portal/`.
    base_path: String,
    /// base_url when it is a full URL (`https://host/portal/`), whose links are internal.
    base_full: Option<String>,
    /// The output's files, hashed: a link is looked up once or twice.
    files: FxHashSet<&'o str>,
}

impl<'o> Resolver<'o> {
    pub fn new(base_url: &str, files: &'o BTreeSet<String>) -> Self {
        let (base_path, base_full) = match base_url.split_once("://") {
            Some((_, rest)) => {
                let path = rest.find('/').map_or("/", |i| &rest[i..]);
                (path.to_string(), Some(base_url.to_string()))
            }
            None => (base_url.to_string(), None),
        };
        Resolver { base_path, base_full, files: files.iter().map(String::as_str).collect() }
    }

    /// Resolves `href` as written in the output of the page at `page_file`.
    pub fn resolve(&self, href: &str, page_file: &str) -> Target {
        let href = href.trim();
        if href.starts_with("//") {
            return Target::External;
        }
        let href = match &self.base_full {
            Some(full) if href.starts_with(full.as_str()) => {
                Cow::Owned(format!("{}{}", self.base_path, &href[full.len()..]))
            }
            _ if has_scheme(href) => return Target::External,
            _ => Cow::Borrowed(href),
        };
        let (before, anchor) = match memchr::memchr(b'#', href.as_bytes()) {
            Some(hash) => (&href[..hash], Some(decode(&href[hash + 1..]).into_owned())),
            None => (href.as_ref(), None),
        };
        let path = memchr::memchr(b'?', before.as_bytes()).map_or(before, |q| &before[..q]);
        if path.is_empty() {
            return Target::SamePage { anchor };
        }
        let (dir, relative) = if let Some(rooted) = path.strip_prefix('/') {
            let base = self.base_path.trim_start_matches('/');
            match rooted.strip_prefix(base) {
                Some(rest) => ("", rest),
                None if rooted.len() + 1 == base.len() && base.starts_with(rooted) => ("", ""),
                None => return Target::OutsideSite,
            }
        } else {
            (page_file.rfind('/').map_or("", |i| &page_file[..=i]), path)
        };
        match normalise(dir, relative) {
            Some(file) => Target::Internal { path: self.lookup(file), anchor },
            None => Target::OutsideSite,
        }
    }

    /// A folder is served by its `index.html`, with or without the trailing slash.
    fn lookup(&self, file: String) -> Path {
        if self.files.contains(file.as_str()) {
            return Path { file, exists: true };
        }
        if !file.ends_with("index.html") {
            let index = format!("{file}/index.html");
            if self.files.contains(index.as_str()) {
                return Path { file: index, exists: true };
            }
        }
        Path { file, exists: false }
    }
}

/// `mailto:`, `https:`, `data:`: a scheme is letters, digits, `+`, `-`, `.` before `:`,
/// starting with a letter (so `a/b:c` and `12:30` are paths).
fn has_scheme(href: &str) -> bool {
    let Some(colon) = memchr::memchr(b':', href.as_bytes()) else { return false };
    let scheme = &href[..colon];
    scheme.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && scheme.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

fn decode(text: &str) -> Cow<'_, str> {
    // Without a `%` (most links) there is nothing to decode and the text is UTF-8 already;
    // decoding anyway checked every path segment and anchor of every link as UTF-8 again.
    if memchr::memchr(b'%', text.as_bytes()).is_none() {
        return Cow::Borrowed(text);
    }
    percent_decode_str(text).decode_utf8_lossy()
}

/// Joins `dir` (empty or ending in `/`) and `path`, resolving `.` and `..` and decoding
/// each segment; `None` if it climbs above the root. A path ending in `/` (or naming a
/// folder by `.` or `..`) becomes its `index.html`.
fn normalise(dir: &str, path: &str) -> Option<String> {
    let mut file = String::with_capacity(dir.len() + path.len() + 10);
    // Where each segment of `file` starts, to drop it again for `..`.
    let mut starts: Vec<usize> = Vec::with_capacity(8);
    for segment in segments(dir).chain(segments(path)) {
        match segment {
            "" | "." => {}
            ".." => file.truncate(starts.pop()?.saturating_sub(1)),
            s => {
                if !file.is_empty() {
                    file.push('/');
                }
                starts.push(file.len());
                file.push_str(&decode(s));
            }
        }
    }
    let last = memchr::memrchr(b'/', path.as_bytes()).map_or(path, |slash| &path[slash + 1..]);
    if matches!(last, "" | "." | "..") {
        if !file.is_empty() {
            file.push('/');
        }
        file.push_str("index.html");
    }
    Some(file)
}

/// `text`'s parts between slashes, as `str::split('/')` gives them (`a//b/` is `a`, ``,
/// `b`, ``), found with memchr: splitting with the standard library's char search was a
/// fifth of resolving a link.
fn segments(text: &str) -> impl Iterator<Item = &str> {
    let mut start = 0;
    let ends = memchr::memchr_iter(b'/', text.as_bytes()).chain(std::iter::once(text.len()));
    ends.map(move |end| {
        let segment = &text[start..end];
        start = end + 1;
        segment
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files() -> BTreeSet<String> {
        ["index.html", "nrls/index.html", "nrls/a b.html", "nrls/x.html", "img/p.png", "guide/index.html"]
            .into_iter()
            .map(String::from)
            .collect()
    }

    fn found(file: &str, anchor: Option<&str>) -> Target {
        Target::Internal { path: Path { file: file.into(), exists: true }, anchor: anchor.map(String::from) }
    }

    #[test]
    fn segments_split_as_str_split() {
        for text in ["", "/", "a", "a/", "/a", "a//b/", "./../x.html", "é/ü//"] {
            assert_eq!(segments(text).collect::<Vec<_>>(), text.split('/').collect::<Vec<_>>(), "{text:?}");
        }
    }

    #[test]
    fn relative_and_root_relative_links() {
        let files = files();
        let r = Resolver::new("/portal/", &files);
        assert_eq!(r.resolve("x.html#a", "nrls/index.html"), found("nrls/x.html", Some("a")));
        assert_eq!(r.resolve("../img/p.png", "nrls/x.html"), found("img/p.png", None));
        assert_eq!(r.resolve("/portal/nrls/x.html?v=1#a", "index.html"), found("nrls/x.html", Some("a")));
        assert_eq!(r.resolve("/portal/", "nrls/x.html"), found("index.html", None));
        assert_eq!(r.resolve("/portal", "nrls/x.html"), found("index.html", None));
        assert_eq!(r.resolve("/elsewhere/x.html", "index.html"), Target::OutsideSite);
        assert_eq!(r.resolve("../../x.html", "nrls/x.html"), Target::OutsideSite);
    }

    #[test]
    fn folders_are_served_by_their_index() {
        let files = files();
        let r = Resolver::new("/", &files);
        assert_eq!(r.resolve("guide/", "index.html"), found("guide/index.html", None));
        assert_eq!(r.resolve("guide", "index.html"), found("guide/index.html", None));
        assert_eq!(r.resolve("./", "nrls/x.html"), found("nrls/index.html", None));
        assert_eq!(r.resolve("..", "nrls/x.html"), found("index.html", None));
        let missing = r.resolve("nope/", "index.html");
        assert_eq!(
            missing,
            Target::Internal { path: Path { file: "nope/index.html".into(), exists: false }, anchor: None }
        );
    }

    #[test]
    fn decodes_paths_and_anchors() {
        let files = files();
        let r = Resolver::new("/", &files);
        assert_eq!(r.resolve("a%20b.html#caf%C3%A9", "nrls/x.html"), found("nrls/a b.html", Some("café")));
        assert_eq!(r.resolve("#Upper%20Case", "x.html"), Target::SamePage { anchor: Some("Upper Case".into()) });
        assert_eq!(r.resolve("?page=2", "x.html"), Target::SamePage { anchor: None });
    }

    #[test]
    fn schemes_are_external_unless_they_are_the_base() {
        let files = files();
        let r = Resolver::new("https://portal.example/p/", &files);
        for href in
            ["mailto:a@b.org", "tel:+441234", "https://nhs.uk/x.html", "//cdn.example/x.js", "data:image/png;base64,"]
        {
            assert_eq!(r.resolve(href, "index.html"), Target::External, "{href}");
        }
        assert_eq!(r.resolve("https://portal.example/p/nrls/x.html", "index.html"), found("nrls/x.html", None));
        assert_eq!(r.resolve("/p/nrls/x.html", "index.html"), found("nrls/x.html", None));
        assert_eq!(
            r.resolve("12:30.html", "nrls/x.html").clone(),
            Target::Internal { path: Path { file: "nrls/12:30.html".into(), exists: false }, anchor: None }
        );
    }
}
