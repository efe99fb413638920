//! Escaping text for HTML as templates and Liquid's `escape` filter do: `& < > " '`, so
//! the result is safe in text and inside either kind of quoted attribute (the same set
//! as Tera's own `escape_html` and Ruby's `CGI.escapeHTML`).

use std::io::{self, Write};

/// `input` escaped, written a run of plain text at a time: writing each byte on its own
/// (as Tera's does) was a tenth of rendering pages with an 80-entry sidebar.
pub(crate) fn escape_html_to(input: &str, out: &mut dyn Write) -> io::Result<()> {
    let mut result = Ok(());
    for_each_part(input, |part| {
        if result.is_ok() {
            result = out.write_all(part.as_bytes());
        }
    });
    result
}

/// `input` escaped, as a string.
pub(crate) fn escape_html(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    push_escaped(&mut out, input);
    out
}

/// `input` escaped, added to `out`.
pub(crate) fn push_escaped(out: &mut String, input: &str) {
    for_each_part(input, |part| out.push_str(part));
}

/// Calls `part` with the runs of `input` and the entities that replace the characters
/// between them, in order.
fn for_each_part(input: &str, mut part: impl FnMut(&str)) {
    let mut start = 0;
    for (i, byte) in input.bytes().enumerate() {
        let entity = match byte {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#39;",
            _ => continue,
        };
        // The escaped characters are ASCII, so `i` is a character boundary.
        part(&input[start..i]);
        part(entity);
        start = i + 1;
    }
    part(&input[start..]);
}

/// HTML as plain text: entities decoded, tags gone (line breaks and blocks become spaces).
/// For draw.io labels, and headings that hold markup; here, below both `content` and
/// `process`, so neither reaches into the other for it.
pub fn plain_text(label: &str) -> String {
    let mut text = String::with_capacity(label.len());
    let mut rest = label;
    while let Some(open) = rest.find('<') {
        text.push_str(&rest[..open]);
        let Some(close) = rest[open..].find('>') else {
            rest = &rest[open..];
            break;
        };
        let tag = rest[open + 1..open + close].trim_start_matches('/').trim();
        let name: String = tag.chars().take_while(char::is_ascii_alphanumeric).collect::<String>().to_ascii_lowercase();
        if matches!(name.as_str(), "br" | "div" | "p" | "li" | "tr" | "td" | "th" | "ul" | "ol" | "table" | "hr")
            || name.starts_with('h') && name.len() == 2
        {
            text.push(' ');
        }
        rest = &rest[open + close + 1..];
    }
    text.push_str(rest);
    let decoded = html_escape::decode_html_entities(&text);
    decoded.split(|c: char| c.is_whitespace() || c == '\u{a0}').filter(|w| !w.is_empty()).collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_matches_teras_own() {
        for text in ["", "plain", "a & b", "<a href=\"x\">it's</a>", "&&<<>>\"\"''", "é & ü ' \u{1F600} <"] {
            let (mut ours, mut teras) = (Vec::new(), Vec::new());
            escape_html_to(text, &mut ours).unwrap();
            tera::escape_html(text, &mut teras).unwrap();
            let teras = String::from_utf8(teras).unwrap();
            assert_eq!(String::from_utf8(ours).unwrap(), teras, "{text}");
            assert_eq!(escape_html(text), teras, "{text}");
        }
    }
}
