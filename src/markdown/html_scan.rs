//! Finds the links and ids in raw HTML that pages and includes write by hand.
//! Hand-written: only start tags and four attributes matter, and each needs its byte
//! offset for error positions, which HTML parsing crates do not report for fragments.

/// An attribute of interest in a start tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attr<'a> {
    /// The tag's name as written (compare with [`Attr::in_tag`]).
    pub tag: &'a str,
    /// `href`, `src`, `id` or `name`, in lower case whatever the case written.
    pub name: &'static str,
    pub value: &'a str,
    /// Byte offset of the value in the scanned text.
    pub offset: usize,
}

impl Attr<'_> {
    /// Whether the attribute is on a `tag` element (tag names ignore case).
    pub fn in_tag(&self, tag: &str) -> bool {
        self.tag.eq_ignore_ascii_case(tag)
    }
}

/// The attributes [`attributes`] reports, by their lower-case names.
const NAMES: [&str; 4] = ["href", "src", "id", "name"];

/// Every `href`, `src`, `id` and `name` attribute of the start tags in `html`.
pub fn attributes(html: &str) -> Vec<Attr<'_>> {
    let mut found = Vec::new();
    let bytes = html.as_bytes();
    let mut i = 0;
    while let Some(lt) = memchr::memchr(b'<', &bytes[i..]) {
        i += lt + 1;
        if html[i..].starts_with("!--") {
            i = memchr::memmem::find(&bytes[i..], b"-->").map_or(html.len(), |e| i + e + 3);
            continue;
        }
        let name_len = html[i..].bytes().take_while(|b| b.is_ascii_alphanumeric()).count();
        if name_len == 0 || !bytes[i].is_ascii_alphabetic() {
            continue;
        }
        let tag = &html[i..i + name_len];
        i += name_len;
        // Attributes until `>`.
        loop {
            while i < bytes.len() && bytes[i].is_ascii_whitespace() {
                i += 1;
            }
            if i >= bytes.len() || bytes[i] == b'>' || bytes[i] == b'<' {
                break;
            }
            if bytes[i] == b'/' {
                i += 1;
                continue;
            }
            let name_start = i;
            while i < bytes.len() && !bytes[i].is_ascii_whitespace() && !matches!(bytes[i], b'=' | b'>' | b'/') {
                i += 1;
            }
            let name = &html[name_start..i];
            while i < bytes.len() && bytes[i].is_ascii_whitespace() {
                i += 1;
            }
            if i >= bytes.len() || bytes[i] != b'=' {
                continue;
            }
            i += 1;
            while i < bytes.len() && bytes[i].is_ascii_whitespace() {
                i += 1;
            }
            let (start, end) = match bytes.get(i) {
                Some(&q @ (b'"' | b'\'')) => {
                    let start = i + 1;
                    let end = memchr::memchr(q, &bytes[start..]).map_or(html.len(), |e| start + e);
                    i = (end + 1).min(html.len());
                    (start, end)
                }
                _ => {
                    let start = i;
                    while i < bytes.len() && !bytes[i].is_ascii_whitespace() && bytes[i] != b'>' {
                        i += 1;
                    }
                    (start, i)
                }
            };
            if let Some(name) = NAMES.into_iter().find(|n| n.eq_ignore_ascii_case(name)) {
                found.push(Attr { tag, name, value: &html[start..end], offset: start });
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_links_and_ids() {
        let html = r#"<p id="top"><a href="x.html#y" class=c>x</a><!-- <a href="no"> --><img src='i.png'/><a name=old></a></p>"#;
        let attrs = attributes(html);
        let got: Vec<_> = attrs.iter().map(|a| (a.tag, a.name, a.value)).collect();
        assert_eq!(got, [("p", "id", "top"), ("a", "href", "x.html#y"), ("img", "src", "i.png"), ("a", "name", "old")]);
        assert!(attrs[3].in_tag("a") && !attrs[0].in_tag("a"));
        // Names ignore case, as HTML's do.
        let upper = attributes("<A NAME=Old HREF='x.html'></A>");
        assert_eq!(upper.iter().map(|a| (a.name, a.value)).collect::<Vec<_>>(), [("name", "Old"), ("href", "x.html")]);
        assert!(upper[0].in_tag("a"));
        assert_eq!(&html[attrs[1].offset..attrs[1].offset + 8], "x.html#y");
    }

    #[test]
    fn survives_broken_html() {
        assert!(attributes("<a href=\"unclosed").len() == 1);
        assert!(attributes("< notatag <").is_empty());
        assert!(attributes("<<<").is_empty());
    }
}
