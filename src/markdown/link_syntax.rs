//! kramdown's link syntax where CommonMark reads it differently, rewritten line by line
//! (see `kramdown.rs`): a URL may hold spaces and parentheses that do not balance, both in
//! an inline link and in a definition, and of two definitions of one label the last wins
//! (kramdown 2.4 `lib/kramdown/parser/kramdown/link.rb`); white space may stand between a
//! reference link's text and its id.

use super::trim_start;

/// `[text](with spaces.html)`, `![alt](images/a b.png 'title')`: kramdown takes a link's
/// URL up to its closing parenthesis or a title in quotes, spaces and all (link.rb);
/// CommonMark takes spaces (and parentheses that do not balance) only inside `<…>`, so such a URL is put in angle brackets. A
/// link kramdown does not take (an empty title) is made text.
pub(super) fn spaced_link_urls(line: &str) -> Option<String> {
    if !line.contains("](") {
        return None;
    }
    let mut out = String::new();
    let mut copied = 0;
    let mut code = false;
    let mut opened = false;
    // The end of the last link's URL: a `](` inside a URL is part of it, not a new link.
    let mut resume = 0;
    let bytes = line.as_bytes();
    // Only these three bytes matter here.
    for i in memchr::memchr3_iter(b'`', b'[', b']', bytes) {
        if i < resume {
            continue;
        }
        match bytes[i] {
            b'`' => code = !code,
            b'[' if !code && (i == 0 || bytes[i - 1] != b'\\') => opened = true,
            b']' if !code && opened && bytes.get(i + 1) == Some(&b'(') => {
                let start = i + 2;
                let link = inline_link(&line[start..]);
                if let Some(InlineLink::Url(url)) = &link {
                    resume = start + url.end;
                }
                match link {
                    // Parentheses that do not balance are in the URL too.
                    Some(InlineLink::Url(url))
                        if line[start..][url.clone()].bytes().any(|b| matches!(b, b' ' | b'\t' | b'(' | b')')) =>
                    {
                        let (from, to) = (start + url.start, start + url.end);
                        out.push_str(&line[copied..from]);
                        out.push('<');
                        out.push_str(&line[from..to].replace('<', "\\<").replace('>', "\\>"));
                        out.push('>');
                        copied = to;
                    }
                    Some(InlineLink::Text) => {
                        out.push_str(&line[copied..=i]);
                        out.push('\\');
                        copied = i + 1;
                    }
                    _ => {}
                }
            }
            _ => {}
        }
    }
    if copied == 0 {
        return None;
    }
    out.push_str(&line[copied..]);
    Some(out)
}

/// `[label]: url`: the label of a link definition.
pub(super) fn definition_label(t: &str) -> Option<&str> {
    let rest = t.strip_prefix('[')?;
    let close = rest.find(']')?;
    (close > 0 && rest[close + 1..].starts_with(':') && !rest.starts_with('^')).then(|| &rest[..close])
}

pub(super) fn is_definition(line: &str) -> bool {
    let t = trim_start(line);
    // Asked of every line: most do not start with `[`, and are not trimmed at their end.
    t.starts_with('[') && line.len() - t.len() <= 3 && definition_label(t.trim_end()).is_some()
}

/// Labels match ignoring case and how white space runs (kramdown's normalize_link_id).
pub(super) fn same_label(a: &str, b: &str) -> bool {
    a.split_whitespace().map(str::to_lowercase).eq(b.split_whitespace().map(str::to_lowercase))
}

/// `[id]: some spaces.html 'title'`: kramdown takes the URL up to a title in quotes at
/// the end of the line, spaces and all; CommonMark only inside `<…>`. Where a quote after
/// a space starts no title, the line is text to kramdown.
pub(super) fn spaced_definition_url(line: &str) -> Option<String> {
    let colon = line.find("]:")? + 2;
    let rest = &line[colon..];
    let url_at = colon + (rest.len() - rest.trim_start().len());
    let value = line[url_at..].trim_end();
    if value.starts_with('<') {
        return None;
    }
    let title_at = ['"', '\''].iter().find_map(|&q| {
        let body = value.strip_suffix(q)?;
        let open = body.rfind(q)?;
        (open > 0 && body[..open].ends_with([' ', '\t'])).then_some(open)
    });
    let url = value[..title_at.unwrap_or(value.len())].trim_end();
    if !url.contains([' ', '\t']) {
        return None;
    }
    if url.contains(" \"") || url.contains(" '") || url.contains("\t\"") || url.contains("\t'") {
        // A title kramdown cannot read (`'title"`): no definition, but text.
        let bracket = line.find('[')?;
        return Some(format!("{}\\{}", &line[..bracket], &line[bracket..]));
    }
    let after = &line[url_at + url.len()..];
    Some(format!("{}<{}>{after}", &line[..url_at], url.replace('<', "\\<").replace('>', "\\>")))
}

/// What kramdown makes of `(…` after a link's text.
enum InlineLink {
    /// A link to the URL at this range (without the spaces around it).
    Url(std::ops::Range<usize>),
    /// Not a link: the brackets and parentheses are text.
    Text,
}

/// The inline link whose `(` opened just before `rest`, as kramdown reads it (link.rb): its
/// URL runs to the parenthesis that balances the opening one, or to white space before a
/// quoted title, which must not be empty and which a `)` closes. `None` when it does not
/// close on this line or its URL is already in angle brackets.
fn inline_link(rest: &str) -> Option<InlineLink> {
    if rest.trim_start().starts_with('<') {
        return None;
    }
    let url = |i: usize| {
        let url = &rest[..i];
        let (from, to) = (url.len() - url.trim_start().len(), url.trim_end().len());
        // White space alone (`[a]( )`) is an empty URL.
        InlineLink::Url(from.min(to)..to)
    };
    let bytes = rest.as_bytes();
    let mut depth = 1;
    let mut i = 0;
    // Only parentheses and white space matter: the bytes between them (printable ASCII,
    // the inside of a character) are skipped by a table, not decoded one by one.
    while let Some(n) = bytes[i..].iter().position(|&b| STOPS[usize::from(b)]) {
        i += n;
        let c = match bytes[i] {
            b'(' => {
                depth += 1;
                i += 1;
                continue;
            }
            b')' => {
                depth -= 1;
                if depth == 0 {
                    return Some(url(i));
                }
                i += 1;
                continue;
            }
            _ => rest[i..].chars().next().expect("a character starts at a byte in STOPS"),
        };
        if c.is_whitespace() && rest[i + c.len_utf8()..].starts_with(['"', '\'']) {
            let title = &rest[i + c.len_utf8()..];
            let quote = title.chars().next()?;
            let closed =
                title.match_indices(quote).skip(1).any(|(q, _)| q > 1 && title[q + 1..].trim_start().starts_with(')'));
            let empty = title[1..].starts_with(quote) && title[2..].trim_start().starts_with(')');
            return match (closed, empty) {
                (true, _) => Some(url(i)),
                (false, true) => Some(InlineLink::Text),
                (false, false) => None,
            };
        }
        i += c.len_utf8();
    }
    None
}

/// The bytes [`inline_link`] stops at: parentheses, and those that may start white space
/// (ASCII controls, space and DEL, and the first byte of a character beyond ASCII).
const STOPS: [bool; 256] = {
    let mut stops = [false; 256];
    let mut b = 0;
    while b < 256 {
        stops[b] = b <= 0x20 || b == 0x7f || b >= 0xc0 || b == b'(' as usize || b == b')' as usize;
        b += 1;
    }
    stops
};

/// The labels of the link definitions in `lines` (each with its offset).
pub(super) fn definition_labels<'t>(lines: &[(usize, &'t str)]) -> Vec<&'t str> {
    lines.iter().filter(|(_, l)| is_definition(l)).filter_map(|(_, l)| definition_label(l.trim())).collect()
}

/// `[text] [id]`: kramdown lets white space stand between a link's text and the id of its
/// definition (link.rb, LINK_INLINE_ID_RE); CommonMark would read two links. The space goes
/// where `id` is defined.
pub(super) fn spaced_reference_ids(line: &str, labels: &[&str]) -> Option<String> {
    if labels.is_empty() || !line.contains("] ") && !line.contains("]\t") {
        return None;
    }
    let mut out = String::with_capacity(line.len());
    let mut copied = 0;
    let mut code = false;
    let mut opened = false;
    for (i, c) in line.char_indices() {
        match c {
            '`' => code = !code,
            '[' if !code => opened = true,
            ']' if !code && opened => {
                let after = &line[i + 1..];
                let gap = after.len() - after.trim_start_matches([' ', '\t']).len();
                if gap > 0 && reference_id(&after[gap..], labels) {
                    out.push_str(&line[copied..=i]);
                    copied = i + 1 + gap;
                }
            }
            _ => {}
        }
    }
    (copied > 0).then(|| out + &line[copied..])
}

/// Whether `line` (not blank) ends a link's text and `next` starts with the id of a
/// definition, which kramdown reads as one reference link across the line break.
pub(super) fn reference_id_on_next_line(line: &str, next: &str, labels: &[&str]) -> bool {
    // Without definitions there is no id to find (most pages): asked first.
    if labels.is_empty() || !line.trim_end().ends_with(']') || !line.contains('[') {
        return false;
    }
    let next = next.trim_start();
    !is_definition(next) && reference_id(next, labels)
}

/// Whether `text` starts with `[id]` for a defined `id` (not a definition itself).
fn reference_id(text: &str, labels: &[&str]) -> bool {
    let Some(rest) = text.strip_prefix('[') else { return false };
    let Some(close) = rest.find(']') else { return false };
    !rest[close + 1..].starts_with(':') && labels.iter().any(|l| same_label(l, &rest[..close]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_inline_link_is_read_by_its_bytes_as_by_its_characters() {
        // `inline_link` decodes only bytes that are not printable ASCII: a URL beyond
        // ASCII, and white space beyond it before a title, read as before.
        let cases = [
            ("[a](café/b c.html)", Some("[a](<café/b c.html>)")),
            ("[a](b c\u{2003}\"t\")", Some("[a](<b c>\u{2003}\"t\")")),
            ("[a](b\u{a0}c.html)", None),
            ("[a](b\u{a0}\"t\")", None),
            ("[a](x(y)z w)", Some("[a](<x(y)z w>)")),
            ("[a](x.html\t'')", Some("[a]\\(x.html\t'')")),
            ("[a](é(b)", None),
            ("[a](b\u{b}\"t\" )", None),
        ];
        for (line, rewritten) in cases {
            assert_eq!(spaced_link_urls(line).as_deref(), rewritten, "{line:?}");
        }
        assert!(matches!(inline_link("b\u{2003}\"t\") x"), Some(InlineLink::Url(r)) if r == (0..1)));
        assert!(matches!(inline_link("b\u{b}\"t\" ) x"), Some(InlineLink::Url(r)) if r == (0..1)));
    }

    #[test]
    fn a_reference_id_on_the_next_line_needs_a_definition() {
        assert!(reference_id_on_next_line("see [text]\n", "  [id] more", &["id"]));
        assert!(!reference_id_on_next_line("see [text]\n", "[id] more", &[]));
        assert!(!reference_id_on_next_line("see [text]\n", "[id]: a.html", &["id"]));
        assert!(!reference_id_on_next_line("see text]\n", "[id] more", &["id"]));
    }

    #[test]
    fn a_definition_is_indented_less_than_code_and_is_not_a_footnote() {
        for line in ["[a]: b.html\n", "   [a b]: c.html  \r\n", "\t[a]: b", "[a]:"] {
            assert!(is_definition(line), "{line:?}");
        }
        for line in ["    [a]: b.html\n", "[^a]: note\n", "[]: b", "[a] : b", "x [a]: b", "", " \n"] {
            assert!(!is_definition(line), "{line:?}");
        }
    }
}
