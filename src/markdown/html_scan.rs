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

/// Byte classes, one table lookup each: the scan asks one question of most bytes.
/// `SPACE` is what `is_ascii_whitespace` takes for space.
const SPACE: u8 = 1;
/// Ends an attribute's name: space, `=`, `>` or `/`.
const NAME_END: u8 = 2;
/// Ends an unquoted value: space or `>`.
const VALUE_END: u8 = 4;
const ALNUM: u8 = 8;

static CLASSES: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let byte = b as u8;
        if byte.is_ascii_whitespace() {
            table[b] |= SPACE | NAME_END | VALUE_END;
        }
        if matches!(byte, b'=' | b'>' | b'/') {
            table[b] |= NAME_END;
        }
        if byte == b'>' {
            table[b] |= VALUE_END;
        }
        if byte.is_ascii_alphanumeric() {
            table[b] |= ALNUM;
        }
        b += 1;
    }
    table
};

fn is(byte: u8, class: u8) -> bool {
    CLASSES[byte as usize] & class != 0
}

/// The position of the first byte from `from` not of `class`, or the end.
fn skip(bytes: &[u8], from: usize, class: u8) -> usize {
    bytes[from..].iter().position(|&b| !is(b, class)).map_or(bytes.len(), |n| from + n)
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGH: u64 = 0x8080_8080_8080_8080;

/// Eight bytes from `at`, when there are eight.
fn word(bytes: &[u8], at: usize) -> Option<u64> {
    bytes.get(at..at + 8).map(|word| u64::from_le_bytes(word.try_into().expect("eight bytes")))
}

/// The high bit of each zero byte of `x` set, exactly for the lowest: a borrow can only
/// mark bytes above a zero byte. `x.wrapping_sub(ONES * n)` in place of `x - ONES` marks
/// the bytes below `n` alike.
fn below(x: u64, n: u8) -> u64 {
    x.wrapping_sub(ONES * u64::from(n)) & !x & HIGH
}

/// The end of an attribute's name from `from`: the first byte of [`NAME_END`], or the
/// end. Eight bytes at a time, a name being a few: the first byte below `!` or `=`, `>`,
/// `/` is found at once, and is the end unless it is a control byte that is no space.
#[inline(always)]
fn name_end(bytes: &[u8], from: usize) -> usize {
    let mut i = from;
    while let Some(x) = word(bytes, i) {
        let stop = below(x, b'!')
            | below(x ^ (ONES * u64::from(b'=')), 1)
            | below(x ^ (ONES * u64::from(b'>')), 1)
            | below(x ^ (ONES * u64::from(b'/')), 1);
        if stop != 0 {
            i += (stop.trailing_zeros() / 8) as usize;
            if is(bytes[i], NAME_END) {
                return i;
            }
            break;
        }
        i += 8;
    }
    bytes[i..].iter().position(|&b| is(b, NAME_END)).map_or(bytes.len(), |n| i + n)
}

/// Where `needle` next is from `from`. Most runs in markup are a few bytes (a line break
/// between tags, a short attribute value), where memchr's call and setup cost more than
/// the search: the first bytes are looked at eight at a time, the rest by memchr.
#[inline(always)]
fn find(bytes: &[u8], from: usize, needle: u8) -> Option<usize> {
    let mut i = from;
    while let Some(x) = word(bytes, i) {
        if i - from >= 32 {
            return memchr::memchr(needle, &bytes[i..]).map(|n| i + n);
        }
        let found = below(x ^ (ONES * u64::from(needle)), 1);
        if found != 0 {
            return Some(i + (found.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    bytes[i..].iter().position(|&b| b == needle).map(|n| i + n)
}

/// Which of `href`, `src`, `id` and `name` an attribute's name is, ignoring case. The
/// bytes that `b | 0x20` makes a lower-case letter are that letter in either case, as
/// with `to_ascii_lowercase`: comparing so is `eq_ignore_ascii_case`.
fn known_name(name: &[u8]) -> Option<&'static str> {
    let is_word = |word: &str| name.iter().zip(word.bytes()).all(|(&b, w)| b | 0x20 == w);
    let word = match name.len() {
        2 => "id",
        3 => "src",
        4 if name[0] | 0x20 == b'h' => "href",
        4 => "name",
        _ => return None,
    };
    is_word(word).then_some(word)
}

/// Every `href`, `src`, `id` and `name` attribute of the start tags in `html`.
pub fn attributes(html: &str) -> Vec<Attr<'_>> {
    let mut found = Vec::new();
    let bytes = html.as_bytes();
    let len = bytes.len();
    let mut i = 0;
    while let Some(lt) = find(bytes, i, b'<') {
        i = lt + 1;
        if bytes[i..].starts_with(b"!--") {
            i = memchr::memmem::find(&bytes[i..], b"-->").map_or(len, |e| i + e + 3);
            continue;
        }
        // A tag's name starts with a letter; `</p>`, `<3` and `< a` are no start tags.
        if !bytes.get(i).is_some_and(u8::is_ascii_alphabetic) {
            continue;
        }
        let tag_start = i;
        i = skip(bytes, i, ALNUM);
        let tag = &html[tag_start..i];
        // Attributes until `>`.
        loop {
            i = skip(bytes, i, SPACE);
            match bytes.get(i) {
                None | Some(b'>' | b'<') => break,
                Some(b'/') => {
                    i += 1;
                    continue;
                }
                Some(_) => {}
            }
            let name_start = i;
            i = name_end(bytes, i);
            let name = &bytes[name_start..i];
            // Spaces around `=` are rare: looked for only when `=` or a quote is not next.
            if bytes.get(i) != Some(&b'=') {
                i = skip(bytes, i, SPACE);
                if bytes.get(i) != Some(&b'=') {
                    continue;
                }
            }
            i += 1;
            if !matches!(bytes.get(i), Some(b'"' | b'\'')) {
                i = skip(bytes, i, SPACE);
            }
            let (start, end) = match bytes.get(i) {
                Some(&q @ (b'"' | b'\'')) => {
                    let start = i + 1;
                    let end = find(bytes, start, q).unwrap_or(len);
                    i = (end + 1).min(len);
                    (start, end)
                }
                _ => {
                    let start = i;
                    i = bytes[i..].iter().position(|&b| is(b, VALUE_END)).map_or(len, |n| i + n);
                    (start, i)
                }
            };
            if let Some(name) = known_name(name) {
                found.push(Attr { tag, name, value: &html[start..end], offset: start });
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The scanner as it was before its byte table and short searches: the fast one must
    /// find what this one finds, at the same offsets, in any text.
    fn reference(html: &str) -> Vec<Attr<'_>> {
        const NAMES: [&str; 4] = ["href", "src", "id", "name"];
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

    #[test]
    fn names_ignore_case_as_eq_ignore_ascii_case_does() {
        // Every byte in every place of a name of each length, against the plain comparison.
        for len in 1..=5 {
            for word in ["id", "src", "href", "name", "hrefx"].into_iter().filter(|w| w.len() == len) {
                for at in 0..len {
                    for b in 0..=255u8 {
                        let mut name = word.as_bytes().to_vec();
                        name[at] = b;
                        let plain = ["href", "src", "id", "name"]
                            .into_iter()
                            .find(|n| n.as_bytes().eq_ignore_ascii_case(&name));
                        assert_eq!(known_name(&name), plain, "{name:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn finds_what_the_plain_scan_finds_in_markup() {
        let long = "x".repeat(40);
        for html in [
            r#"<a href="x">"#.to_string(),
            format!(r#"<div class="{long}" id='{long}'>{long}<img SRC={long}>{long}<!-- {long} --></div>"#),
            format!("<a\nhref\n=\n\"{long}\"\n/><p/ id=a/b>< a href=x><3 id=y><a href='{long}"),
            "<a href=x id=\"y\" name=z src=w NAME=v Id=u hreff=t nam=s>".to_string(),
            "<a =x href= id".to_string(),
        ] {
            assert_eq!(attributes(&html), reference(&html), "{html}");
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 5000, ..Default::default() })]
        #[test]
        fn finds_what_the_plain_scan_finds(html in r#"([<>/='" \t\n\x0b\x01!-]|a|id|href|src|name|NAME|x{20}|é)*"#) {
            proptest::prop_assert_eq!(attributes(&html), reference(&html));
        }
    }

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
