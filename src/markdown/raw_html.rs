//! Raw HTML as kramdown writes it back.
//!
//! kramdown does not copy raw HTML through: it parses it (parser/html.rb, with the tag
//! patterns of REXML) and writes the elements it found, escaping the rest as text. So what
//! a browser would forgive shows on a Jekyll page as written: an end tag that does not
//! close the innermost open element (`</p>` after a paragraph already closed, `</tr>` after
//! a `<td>` left open), a `<` that starts no tag
//! (`<http://example.com>` inside a `<div>`, `<!DOCTYPE …>`), and a `&` that starts no
//! character reference (`&quot` without its `;`, which a browser would read as `"`).
//! Comments, processing instructions (`<?xml …?>`, which show nothing) and the content of
//! `<script>` and `<style>` are kept as they are. Inside text (a paragraph, heading or list
//! item) a block element's tag is text too, and an element the text opened and left open
//! closes where the text ends.

/// What the HTML read so far on a page leaves open.
#[derive(Debug, Default)]
pub(super) struct RawHtml {
    /// The elements open, innermost last, by lower-case name.
    open: Vec<String>,
    /// Inside `<!-- … -->`, `<script>` or `<style>`: what ends it.
    until: Option<&'static str>,
}

/// Elements that have no content and no end tag (kramdown's HTML_ELEMENTS_WITHOUT_BODY).
const VOID: &[&str] = &[
    "area", "base", "br", "col", "command", "embed", "hr", "img", "input", "keygen", "link", "meta", "param", "source",
    "track", "wbr",
];

/// kramdown's HTML_BLOCK_ELEMENTS, whose tags inside text are text.
const BLOCK_ELEMENTS: &[&str] = &[
    "address",
    "applet",
    "article",
    "aside",
    "blockquote",
    "body",
    "dd",
    "details",
    "div",
    "dl",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "head",
    "header",
    "hgroup",
    "hr",
    "html",
    "iframe",
    "legend",
    "li",
    "map",
    "menu",
    "nav",
    "ol",
    "optgroup",
    "p",
    "pre",
    "section",
    "summary",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "ul",
];

impl RawHtml {
    /// How many elements are open: a paragraph, heading or table cell closes those opened
    /// inside it, as kramdown closes a span element at the end of its text.
    pub(super) fn depth(&self) -> usize {
        self.open.len()
    }

    /// Closes the elements opened since [`RawHtml::depth`] was `depth`.
    pub(super) fn close_to(&mut self, depth: usize) {
        self.open.truncate(depth);
    }

    /// `html` (raw HTML of the page, in the order written) as kramdown writes it.
    pub(super) fn rewrite(&mut self, html: &str) -> String {
        self.rewrite_in(html, None)
    }

    /// [`RawHtml::rewrite`] for HTML inside text (a paragraph, heading or list item) that
    /// started with `depth` elements open: there kramdown shows a block element's tag as
    /// text (html.rb, `parse_span_html`), and an end tag closes only an element the text
    /// itself opened.
    pub(super) fn rewrite_span(&mut self, html: &str, depth: usize) -> String {
        self.rewrite_in(html, Some(depth))
    }

    fn rewrite_in(&mut self, html: &str, span: Option<usize>) -> String {
        let mut out = String::with_capacity(html.len() + 16);
        let mut rest = html;
        while !rest.is_empty() {
            if let Some(end) = self.until {
                let Some(at) = find_ignoring_case(rest, end) else {
                    out.push_str(rest);
                    break;
                };
                out.push_str(&rest[..at + end.len()]);
                rest = &rest[at + end.len()..];
                self.until = None;
                continue;
            }
            let Some(at) = rest.find(['<', '&']) else {
                out.push_str(rest);
                break;
            };
            out.push_str(&rest[..at]);
            rest = &rest[at..];
            let taken = if rest.starts_with('&') { self.reference(rest) } else { self.markup(rest, span) };
            match taken {
                Some(len) => {
                    out.push_str(&rest[..len]);
                    rest = &rest[len..];
                }
                None => {
                    out.push_str(if rest.starts_with('<') { "&lt;" } else { "&amp;" });
                    rest = &rest[1..];
                }
            }
        }
        out
    }

    /// The length of the character reference `&…;` that starts `rest`, if it is one.
    fn reference(&self, rest: &str) -> Option<usize> {
        let body = &rest[1..];
        // A numeric reference needs at least one digit: `&#;` and `&#x;` are text.
        let len = if let Some(hex) = body.strip_prefix("#x").or_else(|| body.strip_prefix("#X")) {
            let digits = hex.chars().take_while(char::is_ascii_hexdigit).count();
            if digits == 0 {
                return None;
            }
            2 + digits
        } else if let Some(digits) = body.strip_prefix('#') {
            let digits = digits.chars().take_while(char::is_ascii_digit).count();
            if digits == 0 {
                return None;
            }
            1 + digits
        } else {
            name_len(body)
        };
        (len > 0 && body[len..].starts_with(';')).then_some(len + 2)
    }

    /// The length of the comment, instruction or tag that starts `rest` (at its `<`), if it
    /// is one kramdown keeps; the elements it opens and closes are followed.
    fn markup(&mut self, rest: &str, span: Option<usize>) -> Option<usize> {
        if rest.starts_with("<!--") {
            self.until = Some("-->");
            return Some(4);
        }
        if rest.starts_with("<?") {
            return rest.find("?>").map(|end| end + 2).or_else(|| {
                self.until = Some("?>");
                Some(2)
            });
        }
        if let Some(after) = rest.strip_prefix("</") {
            let name_end = name_len(after);
            let tail = &after[name_end..];
            let close = tail.len() - tail.trim_start().len();
            if name_end == 0 || !tail[close..].starts_with('>') {
                return None;
            }
            // Only the innermost element's end tag closes it; any other is text to kramdown.
            let name = after[..name_end].to_ascii_lowercase();
            if self.open.last() != Some(&name) || span.is_some_and(|depth| self.open.len() <= depth) {
                return None;
            }
            self.open.pop();
            return Some(2 + name_end + close + 1);
        }
        let (name, len, closed) = start_tag(rest)?;
        if span.is_some() && BLOCK_ELEMENTS.contains(&name.as_str()) {
            return None;
        }
        if !closed && !VOID.contains(&name.as_str()) {
            match name.as_str() {
                "script" => self.until = Some("</script"),
                "style" => self.until = Some("</style"),
                _ => self.open.push(name),
            }
        }
        Some(len)
    }
}

/// The length of the XML name (REXML's NAME: a letter or `_` or `:`, then also digits,
/// `-` and `.`) that starts `text`.
fn name_len(text: &str) -> usize {
    let mut chars = text.char_indices();
    match chars.next() {
        Some((_, c)) if c.is_alphabetic() || c == '_' || c == ':' => {}
        _ => return 0,
    }
    chars.find(|&(_, c)| !(c.is_alphanumeric() || matches!(c, '_' | ':' | '-' | '.'))).map_or(text.len(), |(i, _)| i)
}

/// A start tag as kramdown's HTML_TAG_RE reads it at the start of `t`: a name, attributes
/// whose values are quoted, word characters or absent, then `>` or `/>`. Its lower-case name, length and
/// whether it closes itself.
fn start_tag(t: &str) -> Option<(String, usize, bool)> {
    let after = t.strip_prefix('<')?;
    let name_end = name_len(after);
    if name_end == 0 || after.starts_with(':') {
        return None;
    }
    let mut i = 1 + name_end;
    loop {
        let rest = &t[i..];
        let space = rest.len() - rest.trim_start().len();
        let rest = &rest[space..];
        if rest.starts_with('>') {
            return Some((after[..name_end].to_ascii_lowercase(), i + space + 1, false));
        }
        if rest.starts_with("/>") {
            return Some((after[..name_end].to_ascii_lowercase(), i + space + 2, true));
        }
        let attr = name_len(rest);
        if space == 0 || attr == 0 {
            return None;
        }
        i += space + attr;
        let value = &t[i..];
        let before_eq = value.len() - value.trim_start().len();
        if let Some(v) = value[before_eq..].strip_prefix('=') {
            let v_space = v.len() - v.trim_start().len();
            let v = &v[v_space..];
            let len = match v.chars().next().filter(|c| matches!(c, '"' | '\'')) {
                Some(quote) => v[1..].find(quote)? + 2,
                // Unquoted, a value is word characters only.
                None => v.find(|c: char| !(c.is_alphanumeric() || c == '_')).unwrap_or(v.len()),
            };
            if len == 0 {
                return None;
            }
            i += before_eq + 1 + v_space + len;
        }
    }
}

/// Where `needle` (ASCII, lower case) first occurs in `haystack`, ignoring ASCII case.
fn find_ignoring_case(haystack: &str, needle: &str) -> Option<usize> {
    haystack.as_bytes().windows(needle.len()).position(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rewritten(parts: &[&str]) -> String {
        let mut raw = RawHtml::default();
        parts.iter().map(|p| raw.rewrite(p)).collect()
    }

    #[test]
    fn tags_comments_and_references_are_kept() {
        let html = "<div class=\"a\" hidden><!-- <x & --><?pi?><br><img src='a&amp;b'/>&lt; &#160; &#x2014;</div>";
        assert_eq!(rewritten(&[html]), html);
    }

    #[test]
    fn what_starts_no_tag_or_reference_is_text() {
        assert_eq!(rewritten(&["<div>&quot;a&quot b & c</div>"]), "<div>&quot;a&amp;quot b &amp; c</div>");
        assert_eq!(rewritten(&["<div>\n<http://example.com>\n</div>"]), "<div>\n&lt;http://example.com>\n</div>");
        assert_eq!(rewritten(&["<!DOCTYPE html>"]), "&lt;!DOCTYPE html>");
        assert_eq!(rewritten(&["<td width=50%>x</td>"]), "&lt;td width=50%>x&lt;/td>");
        assert_eq!(rewritten(&["<p lang=en class>x</p>"]), "<p lang=en class>x</p>");
    }

    #[test]
    fn a_numeric_reference_without_digits_is_text_even_at_the_end() {
        // Found by the markdown fuzz target: `&#` ending the HTML was measured as a
        // reference one digit long, past the end of the text.
        for (html, text) in [("&#", "&amp;#"), ("&#x", "&amp;#x"), ("&#;", "&amp;#;"), ("&#X;", "&amp;#X;")] {
            assert_eq!(rewritten(&[&format!("<div>{html}")]), format!("<div>{text}"));
        }
        assert_eq!(rewritten(&["<div>&#9;&#x9;"]), "<div>&#9;&#x9;");
    }

    #[test]
    fn an_end_tag_of_an_element_not_open_is_text() {
        assert_eq!(rewritten(&["<div>\n</p>\n</div>"]), "<div>\n&lt;/p>\n</div>");
        assert_eq!(rewritten(&["<div>", "a", "</DIV>", "</div>"]), "<div>a</DIV>&lt;/div>");
        assert_eq!(rewritten(&["<tr><td>a/td>\n</tr>"]), "<tr><td>a/td>\n&lt;/tr>");
    }

    #[test]
    fn inside_text_a_block_tag_and_an_end_tag_it_did_not_open_are_text() {
        let mut raw = RawHtml::default();
        assert_eq!(raw.rewrite("<div>"), "<div>");
        let depth = raw.depth();
        let text: String =
            ["<span>", "</span>", "<hR>", "<p>", "</p>", "</div>"].iter().map(|t| raw.rewrite_span(t, depth)).collect();
        assert_eq!(text, "<span></span>&lt;hR>&lt;p>&lt;/p>&lt;/div>");
        assert_eq!(raw.rewrite("</div>"), "</div>");
    }

    #[test]
    fn scripts_styles_and_comments_run_across_parts() {
        assert_eq!(rewritten(&["<script>if (a && b <c) {", "}</script>&"]), "<script>if (a && b <c) {}</script>&amp;");
        assert_eq!(rewritten(&["<!-- a &", "b --> &"]), "<!-- a &b --> &amp;");
    }
}
