//! Where a link in the output leads: another output file (with an anchor), the same
//! page, or somewhere outside the site that an offline check does not follow.

use std::borrow::Cow;
use std::collections::BTreeSet;

use percent_encoding::percent_decode_str;
use rustc_hash::FxHashMap;

/// What a link's `href` points at, seen from the page it is on. Its strings borrow from
/// the href or the output's file names where they can: most links need no new string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target<'a> {
    /// Another host, another scheme (`mailto:`, `tel:`, `data:`), or a protocol-relative URL.
    External,
    /// `#anchor` (or an empty fragment) on the page itself.
    SamePage { anchor: Option<Cow<'a, str>> },
    /// A path under the site's base_url.
    Internal { path: Path<'a>, anchor: Option<Cow<'a, str>> },
    /// A root-relative path outside base_url, or `..` above the output root.
    OutsideSite,
}

impl Target<'_> {
    fn into_owned(self) -> Target<'static> {
        let own = |anchor: Option<Cow<str>>| anchor.map(|a| Cow::Owned(a.into_owned()));
        match self {
            Target::External => Target::External,
            Target::OutsideSite => Target::OutsideSite,
            Target::SamePage { anchor } => Target::SamePage { anchor: own(anchor) },
            Target::Internal { path, anchor } => Target::Internal {
                path: Path { file: Cow::Owned(path.file.into_owned()), exists: path.exists },
                anchor: own(anchor),
            },
        }
    }
}

/// A path inside the output, decoded, and whether a file is there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Path<'a> {
    /// The output file a server would send: `guide/` means `guide/index.html`.
    pub file: Cow<'a, str>,
    pub exists: bool,
}

/// Resolves hrefs against the output of one build.
pub struct Resolver<'o> {
    /// The path part of base_url: `/` or `/portal/`.
    base_path: String,
    /// base_url when it is a full URL (`https://host/portal/`), whose links are internal.
    base_full: Option<String>,
    /// The output's files, hashed: a link is looked up once or twice. With each, whether
    /// it is [`is_plain`]: a path equal to a plain one is its own normal form, and found.
    files: FxHashMap<&'o str, bool>,
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
        let files = files.iter().map(|f| (f.as_str(), is_plain(f))).collect();
        Resolver { base_path, base_full, files }
    }

    /// Resolves `href` as written in the output of the page at `page_file`.
    pub fn resolve<'a>(&'a self, href: &'a str, page_file: &str) -> Target<'a> {
        self.resolve_noting(href, page_file).0
    }

    /// [`Resolver::resolve`], and whether the answer is the same from every page: it is
    /// unless the href is relative to the page (a relative path, or only a fragment or
    /// query). Which it is depends on the href alone.
    pub(crate) fn resolve_noting<'a>(&'a self, href: &'a str, page_file: &str) -> (Target<'a>, bool) {
        let href = href.trim();
        if href.starts_with("//") {
            return (Target::External, true);
        }
        match &self.base_full {
            Some(full) if href.starts_with(full.as_str()) => {
                // Made root-relative, which no page changes.
                let rooted = format!("{}{}", self.base_path, &href[full.len()..]);
                let (target, _) = self.within(&rooted, page_file);
                (target.into_owned(), true)
            }
            _ if has_scheme(href) => (Target::External, true),
            _ => self.within(href, page_file),
        }
    }

    /// Resolves a link inside the site: a path, a fragment, a query.
    fn within<'a>(&'a self, href: &'a str, page_file: &str) -> (Target<'a>, bool) {
        // The path ends at the first `?` or `#`; the anchor starts after the first `#`.
        let (path, anchor) = match memchr::memchr2(b'#', b'?', href.as_bytes()) {
            None => (href, None),
            Some(end) => {
                let hash = match href.as_bytes()[end] {
                    b'#' => Some(end),
                    _ => memchr::memchr(b'#', &href.as_bytes()[end + 1..]).map(|h| end + 1 + h),
                };
                (&href[..end], hash.map(|hash| decode(&href[hash + 1..])))
            }
        };
        if path.is_empty() {
            return (Target::SamePage { anchor }, false);
        }
        let (dir, relative, same_from_every_page) = if let Some(rooted) = path.strip_prefix('/') {
            let base = self.base_path.trim_start_matches('/');
            match rooted.strip_prefix(base) {
                Some(rest) => ("", rest, true),
                None if rooted.len() + 1 == base.len() && base.starts_with(rooted) => ("", "", true),
                None => return (Target::OutsideSite, true),
            }
        } else {
            (page_file.rfind('/').map_or("", |i| &page_file[..=i]), path, false)
        };
        // Most links name a file that exists by its own normal form (a root-relative link
        // as the layout and Markdown links write them): found as it is, no string made.
        let plain = if dir.is_empty() { self.files.get_key_value(relative) } else { None };
        if let Some((&known, &true)) = plain {
            let path = Path { file: Cow::Borrowed(known), exists: true };
            return (Target::Internal { path, anchor }, same_from_every_page);
        }
        let target = match normalise(dir, relative) {
            Some(file) => Target::Internal { path: self.lookup(file), anchor },
            None => Target::OutsideSite,
        };
        (target, same_from_every_page)
    }

    /// A folder is served by its `index.html`, with or without the trailing slash.
    fn lookup(&self, file: String) -> Path<'_> {
        if let Some((&known, _)) = self.files.get_key_value(file.as_str()) {
            return Path { file: Cow::Borrowed(known), exists: true };
        }
        if !file.ends_with("index.html") {
            let index = format!("{file}/index.html");
            if let Some((&known, _)) = self.files.get_key_value(index.as_str()) {
                return Path { file: Cow::Borrowed(known), exists: true };
            }
        }
        Path { file: Cow::Owned(file), exists: false }
    }
}

/// `mailto:`, `https:`, `data:`: a scheme is letters, digits, `+`, `-`, `.` before `:`,
/// starting with a letter (so `a/b:c` and `12:30` are paths). The first byte that cannot
/// be in a scheme is the first `:` when there is a scheme, so the search stops there
/// (at once, for a path).
fn has_scheme(href: &str) -> bool {
    let bytes = href.as_bytes();
    let name = bytes.iter().take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.')).count();
    name > 0 && bytes[0].is_ascii_alphabetic() && bytes.get(name) == Some(&b':')
}

fn decode(text: &str) -> Cow<'_, str> {
    // Without a `%` (most links) there is nothing to decode and the text is UTF-8 already;
    // decoding anyway checked every path segment and anchor of every link as UTF-8 again.
    if !text.as_bytes().contains(&b'%') {
        return Cow::Borrowed(text);
    }
    percent_decode_str(text).decode_utf8_lossy()
}

/// Whether [`normalise`] gives `path` back unchanged from the root: a path with no
/// `%` to decode and no segment that is empty or starts with `.` (so none is `.` or `..`).
fn is_plain(path: &str) -> bool {
    let bytes = path.as_bytes();
    // A segment starts at the start and after each `/`.
    let starts_well = |at: usize| bytes.get(at).is_some_and(|b| !matches!(b, b'/' | b'.'));
    starts_well(0)
        && memchr::memchr_iter(b'/', bytes).all(|slash| starts_well(slash + 1))
        && memchr::memchr(b'%', bytes).is_none()
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

    fn found(file: &'static str, anchor: Option<&'static str>) -> Target<'static> {
        Target::Internal { path: Path { file: file.into(), exists: true }, anchor: anchor.map(Cow::from) }
    }

    #[test]
    fn segments_split_as_str_split() {
        for text in ["", "/", "a", "a/", "/a", "a//b/", "./../x.html", "é/ü//"] {
            assert_eq!(segments(text).collect::<Vec<_>>(), text.split('/').collect::<Vec<_>>(), "{text:?}");
        }
    }

    #[test]
    fn plain_paths_are_their_own_normal_form() {
        for path in
            ["a", "a/b.html", "a.b/c", "x/.hidden", "a/./b", "a/../b", "./a", "/a", "a//b", "a/", "", "a%20b", "é/ü"]
        {
            if is_plain(path) {
                assert_eq!(normalise("", path).as_deref(), Some(path), "{path:?}");
            }
        }
        assert!(is_plain("part-01/ch-02/x.html") && is_plain("a") && !is_plain("a/") && !is_plain("a/.b"));
    }

    /// The scheme test as it was, by the first `:`, which the one that stops early must match.
    fn has_scheme_by_colon(href: &str) -> bool {
        let Some(colon) = href.find(':') else { return false };
        let scheme = &href[..colon];
        scheme.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
            && scheme.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 5000, ..Default::default() })]
        #[test]
        fn fast_paths_answer_as_the_slow_ones(href in "([/.#?%:a+é ]|20|p/|https://portal.example/p/)*") {
            proptest::prop_assert_eq!(has_scheme(&href), has_scheme_by_colon(&href));
            if is_plain(&href) {
                proptest::prop_assert_eq!(normalise("", &href), Some(href.clone()));
            }
            // An answer said to be the same from every page is.
            let files = files();
            for base in ["/", "/p/", "https://portal.example/p/"] {
                let r = Resolver::new(base, &files);
                let (from_root, same) = r.resolve_noting(&href, "index.html");
                if same {
                    for page in ["nrls/x.html", "a/b/c.html", ""] {
                        proptest::prop_assert_eq!(&r.resolve(&href, page), &from_root);
                    }
                }
            }
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
