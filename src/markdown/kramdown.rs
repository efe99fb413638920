//! kramdown syntax that CommonMark reads differently, rewritten before parsing.
//!
//! Jekyll renders pages with kramdown (`input: GFM`); Signpost parses them with
//! pulldown-cmark. Writing a second, kramdown, block parser would mean two Markdown
//! dialects to keep in step for every page; instead the few block rules where the two
//! disagree are edited into the CommonMark that means the same, line by line, and the
//! renderer handles what remains inside paragraphs (span attribute lists). Hand-written:
//! no crate reads kramdown. The rules, from kramdown 2.4 `lib/kramdown/parser/kramdown/`:
//!
//! - `^` alone on a line ends a block (eob.rb) and shows nothing;
//! - `{:name: .class}` defines attributes (ALD, extensions.rb) and shows nothing;
//! - `{: .class}` on its own line (block IAL) ends the paragraph above it;
//! - `*[ABBR]: text` defines an abbreviation (abbreviation.rb) and shows nothing;
//! - `{::comment}…{:/comment}`, `{::nomarkdown}…{:/}` and `{::options … /}` (extensions.rb),
//!   as blocks and inside a line;
//! - `<tag markdown="1">` reads its content as Markdown (html.rb), though CommonMark would
//!   keep it raw up to the next blank line; raw HTML blocks run to their end tag, across
//!   blank lines, where CommonMark stops at the first blank line;
//! - `{:toc}` after a one-item list makes it the table of contents (converter/html.rb);
//! - `$$…$$` is math (math.rb), kept for MathJax as `\[…\]` or `\(…\)`;
//! - a heading may follow an HTML line directly (GFM's paragraph end rules);
//! - a link's URL may hold spaces (`![a](images/a b.png)`, `[id]: a b.html`), and the
//!   last definition of a label wins (link.rb; in `link_syntax.rs`);
//! - `<?xml …?>` outside raw HTML is text (html.rb reads no instruction there), and an
//!   element CommonMark has no HTML block for (`<svg>`) is raw up to its end tag;
//! - a fence without its closing fence is text (the GFM parser's code block pattern);
//! - `markdown="span"` content starts no blocks;
//! - indentation counts from the content of the list item a line is in.

use super::link_syntax::{
    definition_label, definition_labels, is_definition, reference_id_on_next_line, same_label, spaced_definition_url,
    spaced_link_urls, spaced_reference_ids,
};
use super::raw_html::RawHtml;
use super::tables::Edit;
use super::trim_start;

/// Everything the rewriting found: the edits, and the raw HTML of `{::nomarkdown}`
/// blocks, which the text now holds as `<!--kd-raw-N-->` placeholders.
#[derive(Debug, Default)]
pub(super) struct Found {
    pub edits: Vec<Edit>,
    pub raw: Vec<String>,
}

/// Where `{:toc}` followed a list: the renderer puts the table of contents there.
pub(super) const TOC_MARK: &str = "<!--kd-toc-->";

/// The placeholder for raw chunk `n`.
pub(super) fn placeholder(n: usize) -> String {
    format!("<!--kd-raw-{n}-->")
}

/// The placeholder for raw chunk `n` inside a line of text: not HTML, which at the start
/// of a line would make the whole line raw; private-use characters no text has.
fn inline_placeholder(n: usize) -> String {
    format!("\u{e000}{n}\u{e001}")
}

/// `text` without inline placeholders, for the plain text of headings and search.
pub(super) fn without_placeholders(text: &str) -> std::borrow::Cow<'_, str> {
    // The first byte of U+E000 in UTF-8, looked for as a byte: cheaper than as a character.
    if memchr::memchr(0xee, text.as_bytes()).is_none() {
        return text.into();
    }
    let mut out = String::with_capacity(text.len());
    let mut inside = false;
    for c in text.chars() {
        match c {
            '\u{e000}' => inside = true,
            '\u{e001}' => inside = false,
            c if !inside => out.push(c),
            _ => {}
        }
    }
    out.into()
}

/// Puts the raw chunks back in place of their placeholders.
pub(super) fn restore_raw(html: &str, raw: &[String]) -> String {
    let mut out = html.to_string();
    for (n, chunk) in raw.iter().enumerate() {
        out = out.replace(&placeholder(n), chunk).replace(&inline_placeholder(n), chunk);
    }
    out
}

/// Block-level HTML elements (kramdown's HTML_BLOCK_ELEMENTS that pages use) whose raw
/// content kramdown keeps up to the matching end tag.
const BLOCK_TAGS: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "body",
    "dd",
    "details",
    "dl",
    "div",
    "dt",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "header",
    "hgroup",
    "iframe",
    "li",
    "main",
    "nav",
    "ol",
    "p",
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
    "video",
];

/// The tags that start an HTML block in CommonMark wherever they are (its kind 6), which
/// only a blank line ends.
const COMMONMARK_BLOCK_TAGS: &[&str] = &[
    "address",
    "article",
    "aside",
    "base",
    "basefont",
    "blockquote",
    "body",
    "caption",
    "center",
    "col",
    "colgroup",
    "dd",
    "details",
    "dialog",
    "dir",
    "div",
    "dl",
    "dt",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "frame",
    "frameset",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "head",
    "header",
    "hr",
    "html",
    "iframe",
    "legend",
    "li",
    "link",
    "main",
    "menu",
    "menuitem",
    "nav",
    "noframes",
    "ol",
    "optgroup",
    "option",
    "p",
    "param",
    "search",
    "section",
    "summary",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "title",
    "tr",
    "track",
    "ul",
];

/// Elements whose content kramdown reads as text (its HTML_CONTENT_MODEL_SPAN).
const SPAN_TAGS: &[&str] = &["dt", "h1", "h2", "h3", "h4", "h5", "h6", "p", "span", "th", "summary"];

/// The edits `text` needs (outside code fences), given its lines with their offsets.
pub(super) fn rewrite(text: &str, lines: &[(usize, &str)]) -> Found {
    let mut found = Found::default();
    let mut fence: Option<String> = None;
    let mut in_comment = false;
    // CommonMark is inside an HTML block that only a blank line ends (its kinds 6 and 7),
    // and the lines before `raw_until` belong to an HTML element kramdown keeps raw.
    let mut html_block = false;
    let mut raw_until = 0;
    let mut items = ListItems::default();
    let labels = definition_labels(lines);
    // Each line's neighbours ask whether it is blank: trimmed once, not three times.
    let blank: Vec<bool> = lines.iter().map(|(_, l)| trim_start(l).is_empty()).collect();
    let mut i = 0;
    while i < lines.len() {
        let (at, line) = lines[i];
        if blank[i] {
            // A blank line only ends CommonMark's HTML block: no rule below takes one (each
            // needs a byte that is not white space), and none ends a comment or a fence.
            if fence.is_none() {
                html_block = false;
            }
            i += 1;
            continue;
        }
        if let Some(mark) = &fence {
            // The closing fence, trimmed: a mark holds no white space, so the line starts
            // with it whether or not its end is trimmed too.
            let t = trim_start(line);
            if t.starts_with(mark.as_str())
                && t.trim_end().trim_start_matches(mark.chars().next().unwrap_or('`')).is_empty()
            {
                fence = None;
            }
            i += 1;
            continue;
        }
        let body = without_line_end(line);
        let start = trim_start(body);
        let indent = body.len() - start.len();
        let trimmed = start.trim_end();
        let prev_blank = i == 0 || blank[i - 1];
        let next_blank = blank.get(i + 1).is_none_or(|&b| b);
        // Indentation counts from the content of the list item the line is in (not blank).
        let cols = columns(body);
        let rel = cols.saturating_sub(items.container(cols, start, prev_blank));
        if html_block
            && !in_comment
            && (at >= raw_until || trimmed.starts_with("```") || trimmed.starts_with("~~~"))
            && rel <= 3
            && !trimmed.starts_with('<')
        {
            // kramdown reads Markdown again right after an HTML element ends; CommonMark
            // would keep this line in the HTML block, up to a blank line. A fence inside raw
            // HTML is code too: it stands for `{% highlight %}`, which Jekyll writes as HTML.
            found.edits.push(Edit { at, removed: 0, inserted: "\n".into() });
            html_block = false;
        }
        // Inside an HTML comment nothing is Markdown, nor HTML to read.
        if in_comment {
            in_comment = !body.contains("-->");
            i += 1;
            continue;
        }
        // (Most lines hold no `<`: looked for first, as a search for `<!--` costs more; by
        // the memchr crate, which the standard library's search of a short line is not.)
        if memchr::memchr(b'<', body.as_bytes()).is_some()
            && body.rfind("<!--").is_some_and(|p| !body[p..].contains("-->"))
        {
            in_comment = true;
            i += 1;
            continue;
        }
        if rel <= 3 && (trimmed.starts_with("```") || trimmed.starts_with("~~~")) {
            let c = trimmed.chars().next().unwrap_or('`');
            let mark: String = trimmed.chars().take_while(|&x| x == c).collect();
            // (As a closing fence is recognised above: no white space in a mark.)
            let closed = lines[i + 1..].iter().any(|(_, l)| {
                let l = trim_start(l);
                l.starts_with(mark.as_str()) && l.trim_end().trim_start_matches(c).is_empty()
            });
            if closed {
                fence = Some(mark);
            } else {
                // kramdown's fenced code block needs its closing fence; without one it is text.
                found.edits.push(Edit { at: at + indent, removed: 0, inserted: "\\".into() });
            }
            i += 1;
            continue;
        }
        if rel > 3 {
            i += 1;
            continue;
        }
        let outside_html = !html_block && at >= raw_until;
        let blank_line =
            |found: &mut Found| found.edits.push(Edit { at, removed: body.len(), inserted: String::new() });
        if !RULE_STARTS[usize::from(trimmed.as_bytes()[0])] {
            // Most lines are text (a letter first): no rule before the last takes them.
            text_line(&mut found, lines, i, body, prev_blank, outside_html, &labels);
        } else if trimmed == "^" && indent == 0 || is_ald(trimmed) || is_abbreviation(trimmed) {
            blank_line(&mut found);
        } else if let Some(list) = block_ial(trimmed) {
            if list.trim() == "toc" && !prev_blank {
                // The list above becomes the table of contents (see `TOC_MARK`).
                found.edits.push(Edit { at, removed: body.len(), inserted: format!("\n{TOC_MARK}") });
            } else if let Some(heading_line) = heading_before(lines, i) {
                // `## Title` then `{:#id .class}`: the heading takes them, as `{#id .class}`.
                let (h_at, h) = lines[heading_line];
                let h_body = without_line_end(h);
                let keep: Vec<&str> =
                    list.split_whitespace().filter(|t| t.starts_with('#') || t.starts_with('.')).collect();
                if !keep.is_empty() {
                    let end = h_at + h_body.trim_end().trim_end_matches('#').trim_end().len();
                    found.edits.push(Edit { at: end, removed: 0, inserted: format!(" {{{}}}", keep.join(" ")) });
                }
                blank_line(&mut found);
            } else if !prev_blank {
                // It ends the paragraph above and belongs to it.
                found.edits.push(Edit { at, removed: 0, inserted: "\n".into() });
                if !next_blank {
                    found.edits.push(Edit { at: at + body.len(), removed: 0, inserted: "\n".into() });
                }
            }
        } else if let Some(end) = block_math(text, lines, i, prev_blank, &mut found) {
            i = end;
            continue;
        } else if let Some(end) = block_extension(text, lines, i, trimmed, &mut found) {
            i = end;
            continue;
        } else if trimmed.starts_with('<') && !(trimmed.starts_with("<?") && outside_html) {
            if let Some(end) = foreign_element(text, lines, i, at + indent, &mut found) {
                i = end;
                continue;
            }
            let tag = start_tag(&text[at + indent..]).or_else(|| start_tag(&trimmed.replacen("</", "<", 1)));
            match tag {
                Some((name, _)) if COMMONMARK_BLOCK_TAGS.contains(&name.as_str()) => html_block = true,
                Some((_, len)) if prev_blank && !trimmed.starts_with("<!") => {
                    let alone = len + usize::from(trimmed.starts_with("</")) == trimmed.len();
                    let text_follows =
                        lines.get(i + 1).is_some_and(|(_, l)| !l.trim().is_empty() && !l.trim_start().starts_with('<'));
                    if alone && text_follows {
                        // `<img src="x">` alone on its line starts an HTML block in CommonMark;
                        // to kramdown it is text, and the paragraph goes on below it.
                        found.raw.push(String::new());
                        let mark = inline_placeholder(found.raw.len() - 1);
                        found.edits.push(Edit { at: at + body.len(), removed: 0, inserted: mark });
                    } else {
                        html_block = alone;
                    }
                }
                _ => {}
            }
            if let Some((name, len)) = start_tag(&text[at + indent..]) {
                let raw = markdown_attr(&text[at + indent..at + indent + len]).is_none_or(|(v, _, _)| v == "0");
                if raw && BLOCK_TAGS.contains(&name.as_str()) {
                    let end = matching_end(text, at + indent, &name).unwrap_or(text.len());
                    let after = lines.iter().find(|(l_at, _)| *l_at > end).map_or(text.len(), |(l_at, _)| *l_at);
                    raw_until = raw_until.max(after);
                }
            }
            if let Some(end) = html_element(text, lines, i, true, &mut found) {
                i = end;
                continue;
            }
        } else if is_atx_heading(trimmed) && !prev_blank && lines[i - 1].1.trim_start().starts_with('<') {
            found.edits.push(Edit { at, removed: 0, inserted: "\n".into() });
        } else if is_ordered_item(trimmed) && !prev_blank && is_plain_line(lines[i - 1].1) {
            // In kramdown-GFM any list item ends a paragraph; in CommonMark only `1.` does.
            found.edits.push(Edit { at, removed: 0, inserted: "\n".into() });
        } else if let Some(label) = definition_label(trimmed).filter(|_| prev_blank || is_definition(lines[i - 1].1)) {
            // kramdown keeps the last definition of a label, CommonMark the first.
            let later = lines[i + 1..].iter().any(|(_, l)| {
                l.len() - l.trim_start().len() <= 3 && definition_label(l.trim()).is_some_and(|o| same_label(o, label))
            });
            if later {
                blank_line(&mut found);
            } else if let Some(rewritten) = spaced_definition_url(body) {
                found.edits.push(Edit { at, removed: body.len(), inserted: rewritten });
            }
        } else {
            text_line(&mut found, lines, i, body, prev_blank, outside_html, &labels);
        }
        i += 1;
    }
    found
}

/// The first bytes of the lines the block rules of [`rewrite`] may take: `^`, `{` (an
/// attribute list or an extension), `*[` (an abbreviation), `$$`, `<`, `#` (a heading), a
/// digit (an ordered item) and `[` (a definition).
const RULE_STARTS: [bool; 256] = {
    let mut starts = [false; 256];
    let mut b = b'0';
    while b <= b'9' {
        starts[b as usize] = true;
        b += 1;
    }
    let mut k = 0;
    let others = b"^{*$<#[";
    while k < others.len() {
        starts[others[k] as usize] = true;
        k += 1;
    }
    starts
};

/// The rewrites of line `i` (`body`, without its line ending) as a line of text, which
/// none of the block rules took.
fn text_line(
    found: &mut Found,
    lines: &[(usize, &str)],
    i: usize,
    body: &str,
    prev_blank: bool,
    outside_html: bool,
    labels: &[&str],
) {
    let at = lines[i].0;
    if let Some(brace) = invalid_header_id(lines, i) {
        // Not an id to kramdown: the text shows, so pulldown-cmark must not read it
        // (it takes `{…}` ending a heading even after a backslash).
        found.edits.push(Edit { at: at + brace, removed: 1, inserted: "&#123;".into() });
    }
    // Each rewrite below needs one of a few bytes in the line as it stands (see
    // `Marks`); most lines have few of them, so most rewrites are not tried.
    let mut line = paren_item(body);
    let mut marks = Marks::of(line.as_deref().unwrap_or(body));
    let marked = marks.0 != 0;
    let mut then = |needs: u8, rewrite: &mut dyn FnMut(&str) -> Option<String>| {
        if !marks.has(needs) {
            return;
        }
        if let Some(rewritten) = rewrite(line.as_deref().unwrap_or(body)) {
            marks = Marks::of(&rewritten);
            line = Some(rewritten);
        }
    };
    if marked {
        then(Marks::BRACE, &mut |l| span_extensions(l, &mut found.raw));
        then(Marks::BRACE, &mut ial_markup);
        then(Marks::ANGLE, &mut guillemets);
        then(Marks::DOLLAR, &mut |l| inline_math(l, &mut found.raw, prev_blank));
        then(Marks::BRACKET, &mut spaced_link_urls);
        then(Marks::BRACKET, &mut |l| spaced_reference_ids(l, labels));
    }
    if lines.get(i + 1).is_some_and(|(_, next)| reference_id_on_next_line(body, next, labels)) {
        // `[text]` then `[id]` on the next line: one link, so the line break goes.
        found.edits.push(Edit { at: at + body.len(), removed: line_end_len(lines[i].1), inserted: String::new() });
    }
    if outside_html && marks.has(Marks::ANGLE) {
        line = processing_instructions(line.as_deref().unwrap_or(body)).or(line);
    }
    if let Some(rewritten) = line {
        found.edits.push(Edit { at, removed: body.len(), inserted: rewritten });
    }
}

/// Which of the bytes that the rewrites of a line of text look for (`{`, `<` or `>`, `$`,
/// `]`) the line holds, found in one pass: looking for each rewrite's own marker (`{::`,
/// `<<`, `$$`, `](`...) scanned every line of text seven times.
#[derive(Debug, Clone, Copy)]
struct Marks(u8);

impl Marks {
    const BRACE: u8 = 1;
    const ANGLE: u8 = 2;
    const DOLLAR: u8 = 4;
    const BRACKET: u8 = 8;

    fn of(line: &str) -> Marks {
        const BITS: [u8; 256] = {
            let mut bits = [0; 256];
            bits[b'{' as usize] = Marks::BRACE;
            bits[b'<' as usize] = Marks::ANGLE;
            bits[b'>' as usize] = Marks::ANGLE;
            bits[b'$' as usize] = Marks::DOLLAR;
            bits[b']' as usize] = Marks::BRACKET;
            bits
        };
        Marks(line.bytes().fold(0, |marks, b| marks | BITS[b as usize]))
    }

    fn has(self, mark: u8) -> bool {
        self.0 & mark != 0
    }
}

/// `line` without its line ending (as `trim_end_matches(['\n', '\r'])`, byte by byte).
fn without_line_end(line: &str) -> &str {
    let ending = line.bytes().rev().take_while(|&b| b == b'\n' || b == b'\r').count();
    &line[..line.len() - ending]
}

/// The length of the line ending of `line` (`\n`, `\r\n` or none).
fn line_end_len(line: &str) -> usize {
    line.len() - without_line_end(line).len()
}

/// The list items around the line being read, by the column their content starts at: a
/// line after a blank one that is indented less than an item's content is out of it.
#[derive(Debug, Default)]
struct ListItems(Vec<usize>);

impl ListItems {
    /// Follows a line that is not blank (its [`columns`] of indentation and the rest,
    /// `start`) and returns the column where the content
    /// of the list item it is in starts (0 outside lists); 4 columns more make code.
    fn container(&mut self, cols: usize, start: &str, prev_blank: bool) -> usize {
        let marker = list_marker(start);
        if prev_blank || marker.is_some() {
            while self.0.last().is_some_and(|&c| cols < c) {
                self.0.pop();
            }
        }
        let base = self.0.last().copied().unwrap_or(0);
        if let Some(width) = marker.filter(|_| cols < base + 4) {
            self.0.push(cols + width);
        }
        base
    }
}

/// The columns of white space that `line` starts with, a tab going to the next multiple of 4.
fn columns(line: &str) -> usize {
    if !line.starts_with([' ', '\t']) {
        return 0;
    }
    line.chars()
        .map_while(|c| match c {
            ' ' => Some(1),
            '\t' => Some(4),
            _ => None,
        })
        .fold(0, |col, w| if w == 4 { col + 4 - col % 4 } else { col + 1 })
}

/// The width of the list item marker starting `t` (`- `, `* `, `12. `) with the spaces after
/// it, which is where the item's content starts.
fn list_marker(t: &str) -> Option<usize> {
    let mark = match t.as_bytes().first()? {
        b'-' | b'*' | b'+' => 1,
        b'0'..=b'9' => {
            let digits = t.bytes().take_while(u8::is_ascii_digit).count();
            if !t[digits..].starts_with('.') {
                return None;
            }
            digits + 1
        }
        _ => return None,
    };
    let spaces = t[mark..].chars().take_while(|&c| c == ' ').count();
    match spaces {
        0 if t[mark..].starts_with('\t') => Some(mark + 1),
        0 => None,
        // Code after the marker: the content starts one space after it.
        5.. => Some(mark + 1),
        n => Some(mark + n),
    }
}

/// Where a heading on line `i` ends with `{#…}` that kramdown does not take for an id
/// (no space before it, or not a name): the offset of its `{` in the line.
fn invalid_header_id(lines: &[(usize, &str)], i: usize) -> Option<usize> {
    let line = lines[i].1.trim_end();
    // Most lines do not end in `}`: asked first, as it is the cheapest question.
    if !line.ends_with('}') {
        return None;
    }
    let next = lines.get(i + 1).map_or("", |(_, l)| l.trim());
    let setext = !next.is_empty() && (next.chars().all(|c| c == '=') || next.chars().all(|c| c == '-'));
    if !(is_atx_heading(line.trim_start()) || setext) {
        return None;
    }
    let brace = line.rfind("{#")?;
    // Signpost also takes classes after the id (`{#id .wide}`), as pulldown-cmark does.
    let id = line[brace + 2..line.len() - 1].split_whitespace().next().unwrap_or("");
    let spaced = line[..brace].ends_with([' ', '\t']);
    let name = id.starts_with(|c: char| c.is_ascii_alphabetic())
        && id.chars().all(|c| c.is_alphanumeric() || matches!(c, '_' | ':' | '-'));
    (!(spaced && name)).then_some(brace)
}

/// `{:target="_blank"}_` after a link: kramdown reads the attribute list before any
/// emphasis, so its `_` and `*` are escaped for CommonMark.
fn ial_markup(line: &str) -> Option<String> {
    if !line.contains("{:") || line.contains('`') {
        return None;
    }
    let mut out = String::with_capacity(line.len() + 8);
    let mut rest = line;
    while let Some(open) = rest.find("{:") {
        let Some(close) = rest[open..].find('}').map(|c| open + c) else { break };
        let inner = &rest[open + 2..close];
        out.push_str(&rest[..open + 2]);
        if inner.starts_with([':', '/']) {
            out.push_str(inner);
        } else {
            for c in inner.chars() {
                if matches!(c, '_' | '*') {
                    out.push('\\');
                }
                out.push(c);
            }
        }
        out.push('}');
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    (out != line).then_some(out)
}

/// `<?xml version="1.0"?>` outside raw HTML: kramdown reads no processing instruction
/// there (its HTML block and span patterns start with a tag name, `!--` or `/`), so it is
/// text; CommonMark would make it raw HTML, which shows nothing.
fn processing_instructions(line: &str) -> Option<String> {
    if !line.contains("<?") {
        return None;
    }
    let mut out = String::with_capacity(line.len() + 8);
    let mut code = false;
    let mut rest = line;
    while let Some(at) = rest.find(['`', '<']) {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        if rest.starts_with('`') {
            code = !code;
        } else if !code && rest.starts_with("<?") {
            out.push_str("&lt;");
            rest = &rest[1..];
            continue;
        }
        out.push_str(&rest[..1]);
        rest = &rest[1..];
    }
    out.push_str(rest);
    (out != line).then_some(out)
}

/// kramdown's typographic `<<` and `>>` (outside code spans, not a quote's `>>`).
fn guillemets(line: &str) -> Option<String> {
    if !line.contains("<<") && !line.contains(">>") || line.trim_start().starts_with('>') {
        return None;
    }
    let mut out = String::with_capacity(line.len());
    let mut code = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '`' => {
                code = !code;
                out.push(c);
            }
            '<' | '>' if !code && chars.peek() == Some(&c) => {
                chars.next();
                out.push(if c == '<' { '\u{ab}' } else { '\u{bb}' });
            }
            c => out.push(c),
        }
    }
    (out != line).then_some(out)
}

/// `$$…$$` alone as a paragraph, from line `i`: kramdown's display math, which MathJax
/// reads as `\[…\]`. Returns the line after it.
fn block_math(text: &str, lines: &[(usize, &str)], i: usize, prev_blank: bool, found: &mut Found) -> Option<usize> {
    if !prev_blank || !trim_start(lines[i].1).starts_with("$$") {
        return None;
    }
    let end = (i..lines.len()).find(|&j| lines[j].1.trim().is_empty()).unwrap_or(lines.len());
    let last = lines[end - 1];
    let last_body = last.1.trim_end();
    let start = lines[i].0 + lines[i].1.find("$$")?;
    let stop = last.0 + last_body.len();
    let inner = text.get(start + 2..stop.checked_sub(2)?)?;
    if !last_body.ends_with("$$") || stop < start + 4 || inner.contains("$$") {
        return None;
    }
    found.raw.push(format!("\\[{}\\]", escape(inner)));
    found.edits.push(Edit { at: lines[i].0, removed: stop - lines[i].0, inserted: placeholder(found.raw.len() - 1) });
    Some(end)
}

/// `$$…$$` inside a line of text: kramdown's inline math, `\(…\)` for MathJax.
/// At the start of a paragraph, `\$$…$$` is inline math: the backslash only keeps it from
/// being display math (math.rb).
fn inline_math(line: &str, raw: &mut Vec<String>, paragraph_start: bool) -> Option<String> {
    if !line.contains("$$") || line.contains('`') {
        return None;
    }
    let mut out = String::with_capacity(line.len());
    let indent = line.len() - line.trim_start().len();
    let mut rest = line;
    if paragraph_start && line[indent..].starts_with("\\$$") && line[indent + 3..].contains("$$") {
        out.push_str(&line[..indent]);
        rest = &line[indent + 1..];
    }
    while let Some(open) = rest.find("$$") {
        if rest[..open].ends_with('\\') {
            out.push_str(&rest[..open + 2]);
            rest = &rest[open + 2..];
            continue;
        }
        let Some(close) = rest[open + 2..].find("$$") else { break };
        out.push_str(&rest[..open]);
        raw.push(format!("\\({}\\)", escape(rest[open + 2..open + 2 + close].trim())));
        out.push_str(&inline_placeholder(raw.len() - 1));
        rest = &rest[open + 2 + close + 2..];
    }
    out.push_str(rest);
    (out != line).then_some(out)
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let _ = pulldown_cmark_escape::escape_html_body_text(&mut out, text);
    out
}

/// `12. text`: an ordered list item.
fn is_ordered_item(t: &str) -> bool {
    let digits = t.chars().take_while(char::is_ascii_digit).count();
    digits > 0 && t[digits..].starts_with(". ") && !t[digits + 2..].trim().is_empty()
}

/// `1) text`: a list item to CommonMark, text to kramdown, whose ordered lists take only
/// `1.`; the parenthesis is escaped.
fn paren_item(line: &str) -> Option<String> {
    let t = trim_start(line);
    let digits = t.chars().take_while(char::is_ascii_digit).count();
    let after = &t[digits..];
    if digits == 0 || digits > 9 || !after.starts_with(')') || !after[1..].starts_with([' ', '\t']) {
        return None;
    }
    let at = line.len() - t.len() + digits;
    Some(format!("{}\\{}", &line[..at], &line[at..]))
}

/// A line of paragraph text at the margin: not a list item, quote, table, HTML or heading.
fn is_plain_line(line: &str) -> bool {
    let bullet = line.starts_with(['-', '*', '+']) && line[1..].starts_with([' ', '\t']);
    !line.starts_with([' ', '\t', '|', '<', '>', '#']) && !bullet && !is_ordered_item(line.trim_end())
}

/// `{:name: attributes}`: an attribute list definition.
fn is_ald(t: &str) -> bool {
    let Some(rest) = t.strip_prefix("{:").and_then(|r| r.strip_suffix('}')) else { return false };
    // In bytes: a name may hold letters beyond ASCII.
    let name_len = rest.find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-')).unwrap_or(rest.len());
    name_len > 0 && rest[name_len..].starts_with(':') && rest.chars().next().is_some_and(|c| c.is_alphanumeric())
}

/// `*[ABBR]: definition`.
fn is_abbreviation(t: &str) -> bool {
    t.strip_prefix("*[").and_then(|r| r.find("]:")).is_some_and(|end| !t[2..2 + end].contains(']'))
}

/// A line that is only `{: attributes}` (not `{::extension}` nor `{:/…}`): its list.
fn block_ial(t: &str) -> Option<&str> {
    let inner = t.strip_prefix("{:")?.strip_suffix('}')?;
    if inner.starts_with(':') || inner.starts_with('/') || inner.contains('}') && !inner.contains("\\}") {
        return None;
    }
    Some(inner)
}

fn is_atx_heading(t: &str) -> bool {
    let hashes = t.chars().take_while(|&c| c == '#').count();
    (1..=6).contains(&hashes) && t[hashes..].starts_with([' ', '\t'])
}

/// The heading line an attribute list on line `i` directly follows, if any.
fn heading_before(lines: &[(usize, &str)], i: usize) -> Option<usize> {
    let prev = lines.get(i.checked_sub(1)?)?.1.trim();
    if is_atx_heading(prev) {
        return Some(i - 1);
    }
    let underline = !prev.is_empty() && (prev.chars().all(|c| c == '=') || prev.chars().all(|c| c == '-'));
    let text = lines.get(i.checked_sub(2)?)?.1.trim();
    (underline && !text.is_empty() && !prev.starts_with("--") || underline && prev.starts_with('=') && !text.is_empty())
        .then_some(i - 2)
}

/// `{::comment}`, `{::nomarkdown}` or `{::options /}` opening line `i`: the edits, and
/// the line after the extension. An extension without its end tag is text. `t` is the
/// line trimmed, as the caller has it: most lines are not one, and are not trimmed again.
fn block_extension(text: &str, lines: &[(usize, &str)], i: usize, t: &str, found: &mut Found) -> Option<usize> {
    let (at, line) = lines[i];
    let inner = t.strip_prefix("{::")?.strip_suffix('}')?;
    let name_len = inner.chars().take_while(|c| c.is_ascii_alphanumeric()).count();
    let (name, rest) = inner.split_at(name_len);
    let unquoted: String = rest.split(['"', '\'']).step_by(2).collect();
    if !matches!(name, "comment" | "nomarkdown" | "options") || unquoted.contains('}') {
        return None;
    }
    if rest.ends_with('/') {
        found.edits.push(Edit { at, removed: without_line_end(line).len(), inserted: String::new() });
        return Some(i + 1);
    }
    if name == "options" {
        return None;
    }
    let end = (i + 1..lines.len()).find(|&j| {
        let l = lines[j].1.trim();
        l == "{:/}" || l == format!("{{:/{name}}}")
    })?;
    let content = &text[lines[i + 1.min(end)].0..lines[end].0];
    let end_line = without_line_end(lines[end].1);
    let html_type = !rest.contains("type") || rest.contains("html");
    let inserted = if name == "nomarkdown" && html_type {
        found.raw.push(content.to_string());
        placeholder(found.raw.len() - 1)
    } else {
        String::new()
    };
    found.edits.push(Edit { at, removed: lines[end].0 + end_line.len() - at, inserted });
    Some(end + 1)
}

/// Span extensions in one line of text: comments go, `nomarkdown` becomes a raw chunk.
/// `None` when the line has none.
fn span_extensions(line: &str, raw: &mut Vec<String>) -> Option<String> {
    // A line that quotes the syntax in a code span is left alone.
    if !line.contains("{::") || line.contains('`') {
        return None;
    }
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    let mut changed = false;
    while let Some(start) = rest.find("{::") {
        out.push_str(&rest[..start]);
        let tag = &rest[start..];
        let Some(close) = tag.find('}') else { break };
        let inner = &tag[3..close];
        let name: String = inner.chars().take_while(|c| c.is_ascii_alphanumeric()).collect();
        let known = matches!(name.as_str(), "comment" | "nomarkdown" | "options");
        if !known {
            out.push_str(&tag[..close + 1]);
            rest = &tag[close + 1..];
            continue;
        }
        if inner.ends_with('/') {
            changed = true;
            rest = &tag[close + 1..];
            continue;
        }
        let after = &tag[close + 1..];
        let end = [format!("{{:/{name}}}"), "{:/}".to_string()]
            .iter()
            .filter_map(|e| after.find(e.as_str()).map(|p| (p, e.len())))
            .min();
        let Some((p, len)) = end.filter(|_| name != "options") else {
            out.push_str(&tag[..close + 1]);
            rest = after;
            continue;
        };
        changed = true;
        if name == "nomarkdown" {
            raw.push(after[..p].to_string());
            out.push_str(&inline_placeholder(raw.len() - 1));
        }
        rest = &after[p + len..];
    }
    out.push_str(rest);
    changed.then_some(out)
}

/// The name of the HTML start tag at the start of `t`, and the end of the tag.
fn start_tag(t: &str) -> Option<(String, usize)> {
    let rest = t.strip_prefix('<')?;
    let name: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric()).collect();
    if name.is_empty() || !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return None;
    }
    let end = tag_end(t)?;
    Some((name.to_ascii_lowercase(), end))
}

/// The offset just past the `>` that ends the tag opening `t`, skipping quoted values.
fn tag_end(t: &str) -> Option<usize> {
    let mut quote: Option<char> = None;
    for (i, c) in t.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '>') => return Some(i + 1),
            _ => {}
        }
    }
    None
}

/// The `markdown="…"` attribute of a start tag: its value and where it is.
fn markdown_attr(tag: &str) -> Option<(&str, usize, usize)> {
    let lower = tag.to_ascii_lowercase();
    let at = lower.find(" markdown=")?;
    let v = &tag[at + 10..];
    let (value, len) = match v.chars().next()? {
        q @ ('"' | '\'') => {
            let close = v[1..].find(q)? + 1;
            (&v[1..close], close + 1)
        }
        _ => {
            let end = v.find(|c: char| c.is_whitespace() || c == '>' || c == '/').unwrap_or(v.len());
            (&v[..end], end)
        }
    };
    Some((value, at, 10 + len))
}

/// The first start tag in `line` with a `markdown` attribute other than `"0"`: its offset
/// and element name. kramdown reads such an element's content as Markdown wherever it is,
/// also inside raw HTML (html.rb, `handle_kramdown_html_tag`).
fn markdown_element_in(line: &str) -> Option<(usize, String)> {
    line.match_indices('<').find_map(|(q, _)| {
        let (name, len) = start_tag(&line[q..])?;
        let (value, _, _) = markdown_attr(&line[q..q + len])?;
        (value != "0").then_some((q, name))
    })
}

/// Where the element whose start tag is at `from` ends: the offset of its matching end
/// tag, counting nested elements of the same name.
fn matching_end(text: &str, from: usize, name: &str) -> Option<usize> {
    // Counting starts after the start tag, and each nested start tag is skipped whole: an
    // end tag inside a quoted attribute value (`title="a</div>"`) is text, not a tag.
    let start = from + tag_end(&text[from..])?;
    let lower = text[start..].to_ascii_lowercase();
    let open = format!("<{name}");
    let close = format!("</{name}");
    let mut depth = 1usize;
    let mut i = 0;
    while let Some(p) = lower[i..].find('<') {
        let at = i + p;
        let rest = &lower[at..];
        if rest.starts_with("<!--") {
            // A tag inside a comment is not one.
            i = at + rest.find("-->").map_or(rest.len(), |e| e + 3);
            continue;
        }
        let boundary = |s: &str| s[..].chars().next().is_none_or(|c| !c.is_ascii_alphanumeric());
        if rest.starts_with(&close) && boundary(&rest[close.len()..]) {
            depth -= 1;
            if depth == 0 {
                return Some(start + at);
            }
        } else if rest.starts_with(&open) && boundary(&rest[open.len()..]) {
            depth += 1;
            i = at + tag_end(rest).unwrap_or(rest.len());
            continue;
        }
        i = at + 1;
    }
    None
}

/// kramdown's HTML_SPAN_ELEMENTS: a line starting with any other tag is block HTML.
const SPAN_ELEMENTS: &[&str] = &[
    "a", "abbr", "acronym", "b", "big", "bdo", "br", "button", "cite", "code", "del", "dfn", "em", "i", "img", "input",
    "ins", "kbd", "label", "option", "q", "rb", "rbc", "rp", "rt", "rtc", "ruby", "samp", "select", "small", "span",
    "strong", "sub", "sup", "textarea", "tt", "var",
];

/// An element that CommonMark has no HTML block for (an inline `<svg>` drawing, MathML,
/// XML), starting at `at` on line `i` and ending on a later line: kramdown keeps it raw up
/// to its end tag, as any block HTML, while CommonMark reads it as a paragraph when its
/// start tag spans lines. It is set aside whole as a raw chunk, written as kramdown writes
/// raw HTML. Returns the line after it.
fn foreign_element(text: &str, lines: &[(usize, &str)], i: usize, at: usize, found: &mut Found) -> Option<usize> {
    let (name, _) = start_tag(&text[at..])?;
    let known = [BLOCK_TAGS, COMMONMARK_BLOCK_TAGS, SPAN_ELEMENTS, &["script", "style", "pre"]];
    if known.iter().any(|names| names.contains(&name.as_str())) {
        return None;
    }
    let end = matching_end(text, at, &name)?;
    let close = end + tag_end(&text[end..])?;
    let last = lines.iter().rposition(|(l_at, _)| *l_at < close)?;
    let (l_at, l) = lines[last];
    if last == i || !text[close..l_at + l.len()].trim().is_empty() {
        return None;
    }
    found.raw.push(RawHtml::default().rewrite(&text[at..close]));
    let inserted = format!("\n{}\n", placeholder(found.raw.len() - 1));
    found.edits.push(Edit { at, removed: close - at, inserted });
    Some(last + 1)
}

/// An HTML element starting line `i`: with `markdown="1|block|span"`, its content is
/// set apart by blank lines so CommonMark reads it as Markdown (and the attribute goes);
/// without, blank lines inside it go, so it stays one raw block up to its end tag as in
/// kramdown. Returns the line after the part handled here, or `None` to go on as usual.
/// With `keep_indent`, the lines it splits off keep the element's indentation, so an
/// element indented under a list item stays in that item.
fn html_element(text: &str, lines: &[(usize, &str)], i: usize, keep_indent: bool, found: &mut Found) -> Option<usize> {
    let (line_at, line) = lines[i];
    let lead = line.len() - line.trim_start().len();
    let indent = if keep_indent { &line[..lead] } else { "" };
    element_at(text, lines, i, line_at + lead, indent, found)
}

/// [`html_element`] for the start tag at offset `at` of line `i` (at its start, or inside
/// raw HTML after other tags), whose split-off lines get `indent`.
fn element_at(
    text: &str,
    lines: &[(usize, &str)],
    i: usize,
    at: usize,
    indent: &str,
    found: &mut Found,
) -> Option<usize> {
    let (name, tag_len) = start_tag(&text[at..])?;
    if !BLOCK_TAGS.contains(&name.as_str()) {
        return None;
    }
    let tag = &text[at..at + tag_len];
    let end = matching_end(text, at, &name);
    match markdown_attr(tag) {
        Some((value, attr_at, attr_len)) if value != "0" => {
            let end = end?;
            found.edits.push(Edit { at: at + attr_at, removed: attr_len, inserted: String::new() });
            found.edits.push(Edit { at: end, removed: 0, inserted: format!("\n\n{indent}") });
            if !(value == "span" || SPAN_TAGS.contains(&name.as_str())) {
                found.edits.push(Edit { at: at + tag_len, removed: 0, inserted: format!("\n\n{indent}") });
                // Lines inside are looked at again: they may hold more of the same.
                return Some(i + 1);
            }
            // Text, not blocks: no line of it starts a block (a fence, a list, code by its
            // indentation, a blank line between paragraphs), so each starts with an empty
            // placeholder and without its indentation.
            found.raw.push(String::new());
            let mark = inline_placeholder(found.raw.len() - 1);
            let rest_of_line = text[at + tag_len..end].split('\n').next().unwrap_or("");
            let first = if rest_of_line.trim().is_empty() { "" } else { mark.as_str() };
            found.edits.push(Edit { at: at + tag_len, removed: 0, inserted: format!("\n\n{indent}{first}") });
            for &(l_at, l) in lines[i + 1..].iter().take_while(|(l_at, _)| *l_at < end) {
                let lead = (l.len() - l.trim_start_matches([' ', '\t']).len()).min(end - l_at);
                if l.trim().is_empty() {
                    found.edits.push(Edit { at: l_at, removed: l.len(), inserted: String::new() });
                } else if l_at + lead < end {
                    found.edits.push(Edit { at: l_at, removed: lead, inserted: mark.clone() });
                } else if lead > 0 {
                    found.edits.push(Edit { at: l_at, removed: lead, inserted: String::new() });
                }
            }
            // Nothing inside is a block: go on from its end tag.
            let end_line = lines.iter().rposition(|(l_at, _)| *l_at <= end).unwrap_or(i);
            Some(end_line.max(i + 1))
        }
        // `markdown="0"`: raw, as without the attribute, which stays (kramdown drops it).
        Some(_) => None,
        // Without its end tag, kramdown keeps the rest of the page raw.
        None => raw_element(text, lines, i, end.unwrap_or(text.len()), found),
    }
}

/// A raw HTML element from line `i` to its end tag at `end`: as kramdown keeps it raw to
/// its end tag, its blank lines go (CommonMark would end the HTML there, and make the
/// indented HTML after a blank line a code block). Elements inside with `markdown="…"`
/// are Markdown again (see [`html_element`]); around them, the HTML's lines lose their
/// indentation for the same reason. Code or Liquid in the raw part leaves it all to
/// CommonMark. Returns the line after the element.
fn raw_element(text: &str, lines: &[(usize, &str)], i: usize, end: usize, found: &mut Found) -> Option<usize> {
    let last = lines.iter().rposition(|(l_at, _)| *l_at <= end)?;
    // Elements inside with `markdown="…"`: (line, last line, offset of the tag in the line).
    let mut nested: Vec<(usize, usize, usize)> = Vec::new();
    let mut raw = String::new();
    let mut j = i + 1;
    while j <= last {
        let (l_at, l) = lines[j];
        let inner = markdown_element_in(l).and_then(|(q, name)| {
            let inner_end = matching_end(text, l_at + q, &name).filter(|&e| e < end)?;
            Some((q, lines.iter().rposition(|(l_at, _)| *l_at <= inner_end)?))
        });
        if let Some((q, inner_last)) = inner {
            nested.push((j, inner_last, q));
            j = inner_last + 1;
            continue;
        }
        raw.push_str(l);
        j += 1;
    }
    let blank = raw.lines().any(|l| l.trim().is_empty());
    let keep = ["<textarea", "```", "~~~", "{%", " markdown="];
    if !blank && nested.is_empty() || keep.iter().any(|k| raw.contains(k)) {
        return None;
    }
    // Inside `<pre>` a blank line is content: it gets an empty comment, which keeps it
    // without ending CommonMark's HTML block.
    let mut pre = lines[i].1.to_ascii_lowercase().matches("<pre").count();
    pre = pre.saturating_sub(lines[i].1.to_ascii_lowercase().matches("</pre").count());
    let mut j = i + 1;
    while j <= last {
        if let Some(&(start, inner_last, q)) = nested.iter().find(|(start, _, _)| *start == j) {
            let (l_at, l) = lines[start];
            let lead = l.len() - l.trim_start().len();
            if lead > 0 {
                found.edits.push(Edit { at: l_at, removed: lead, inserted: String::new() });
            }
            if q > lead {
                // After other tags on its line (`<td><div markdown="span">`): on a line of its own.
                found.edits.push(Edit { at: l_at + q, removed: 0, inserted: "\n".into() });
            }
            element_at(text, lines, start, l_at + q, "", found);
            j = inner_last + 1;
            continue;
        }
        let (l_at, l) = lines[j];
        let t = l.trim_start();
        if l.trim().is_empty() && pre > 0 {
            let removed = without_line_end(l).len();
            found.edits.push(Edit { at: l_at, removed, inserted: "<!---->".into() });
        } else if l.trim().is_empty() {
            found.edits.push(Edit { at: l_at, removed: l.len(), inserted: String::new() });
        } else if !nested.is_empty() && t.starts_with('<') && t.len() < l.len() {
            found.edits.push(Edit { at: l_at, removed: l.len() - t.len(), inserted: String::new() });
        }
        let lower = l.to_ascii_lowercase();
        pre = (pre + lower.matches("<pre").count()).saturating_sub(lower.matches("</pre").count());
        j += 1;
    }
    Some(last + 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markdown::tables::{apply, lines_with_offsets};

    fn rewritten(text: &str) -> String {
        let found = rewrite(text, &lines_with_offsets(text));
        let (out, _) = apply(text, found.edits);
        restore_raw(&out, &found.raw)
    }

    /// `rewrite` sends a line that does not start with a byte of `RULE_STARTS` straight to
    /// `text_line`: no block rule before it may take such a line.
    #[test]
    fn only_lines_starting_with_a_rule_byte_can_be_block_rules() {
        let rests = [
            "",
            "^",
            ":",
            "::comment}",
            ":/}",
            ": .x}",
            ":name: .x}",
            "[A]: b",
            "$",
            "$x$$",
            "# h",
            "1. a",
            "[a]: b",
            "x",
        ];
        let mut firsts: Vec<char> = (0u8..128).map(char::from).collect();
        firsts.extend(['\u{a0}', '\u{2003}', 'é', '\u{e000}']);
        for first in firsts.into_iter().filter(|c| !c.is_whitespace()) {
            if c_is_rule_start(first) {
                continue;
            }
            for rest in rests {
                let t = format!("{first}{rest}");
                let t = t.trim_end();
                let ruled = t == "^"
                    || is_ald(t)
                    || is_abbreviation(t)
                    || block_ial(t).is_some()
                    || t.starts_with("$$")
                    || t.starts_with("{::")
                    || t.starts_with('<')
                    || is_atx_heading(t)
                    || is_ordered_item(t)
                    || definition_label(t).is_some();
                assert!(!ruled, "{t:?} starts with a byte that is not in RULE_STARTS");
            }
        }
        // And those that are, are.
        for t in ["^", "{:a: .x}", "*[A]: b", "{: .x}", "$$x$$", "{::comment}", "<div>", "# h", "1. a", "[a]: b"] {
            assert!(c_is_rule_start(t.chars().next().unwrap()), "{t:?}");
        }
    }

    fn c_is_rule_start(c: char) -> bool {
        c.is_ascii() && RULE_STARTS[c as usize]
    }

    #[test]
    fn lines_are_trimmed_as_the_standard_library_trims_them() {
        for line in ["", "a\n", "a\r\n", "a\n\r\n", "\n", "\r", "a", " a \n", "é\r\n"] {
            assert_eq!(without_line_end(line), line.trim_end_matches(['\n', '\r']), "{line:?}");
        }
        for (line, cols) in [("a", 0), ("  a", 2), ("\ta", 4), (" \ta", 4), ("     \ta", 8), ("\u{a0}a", 0)] {
            assert_eq!(columns(line), cols, "{line:?}");
        }
        let markers = [("- a", Some(2)), ("12. a", Some(4)), ("12) a", None), ("1.a", None), ("a", None), ("", None)];
        for (t, width) in markers {
            assert_eq!(list_marker(t), width, "{t:?}");
        }
    }

    #[test]
    fn blank_lines_and_fences_with_white_space_around_them() {
        // A fence closes with white space after it and a CRLF; blank lines inside it, and
        // blank lines of white space after HTML, change nothing.
        let text = "```\na\n \t\n```  \r\nb {::comment}x{:/} c\n";
        assert_eq!(rewritten(text), "```\na\n \t\n```  \r\nb  c\n");
        assert_eq!(rewritten("<div>a</div>\n \t\n- item\n"), "<div>a</div>\n \t\n- item\n");
        assert_eq!(rewritten("<!--\n\n<div>\n-->\n## H\n"), "<!--\n\n<div>\n-->\n## H\n");
    }

    /// Found by the markdown fuzz target: the name's length was counted in characters and
    /// used as a byte offset, which fell inside a letter beyond ASCII.
    #[test]
    fn an_attribute_list_definition_may_be_named_beyond_ascii() {
        assert!(is_ald("{:nĐ: .x}"));
        assert!(is_ald("{:Đ-é_1: #id}"));
        assert!(!is_ald("{:nĐ .x}"));
        assert_eq!(rewritten("{:nĐ>lcr<t]\n"), "{:nĐ>lcr<t]\n");
    }

    #[test]
    fn an_end_tag_inside_a_quoted_value_does_not_end_the_element() {
        // Found by the markdown fuzz target: the end tag in the title ended the element
        // before its start tag did, and the edits overlapped (a panic).
        let text = "<div markdown=\"1\" title=\"a</div>\">\n*x*\n</div>\n";
        let out = rewritten(text);
        assert!(out.starts_with("<div title=\"a</div>\">\n\n"), "{out:?}");
        assert!(
            out.contains("\n*x*\n") && out.ends_with("\n</div>\n"),
            "the Markdown inside is read as blocks: {out:?}"
        );
        let raw = "<div title='</div>'>\n*x*\n</div>\nafter\n";
        assert!(rewritten(raw).contains("</div>\n"), "a raw block still ends at its end tag");
    }

    #[test]
    fn end_of_block_marks_and_definitions_leave_blank_lines() {
        assert_eq!(rewritten("a\n^\nb\n"), "a\n\nb\n");
        assert_eq!(rewritten("{:ref: .x}\n*[HTML]: HyperText\ntext\n"), "\n\ntext\n");
    }

    #[test]
    fn an_attribute_list_ends_the_paragraph_above() {
        assert_eq!(rewritten("para\n{:.cls}\nnext\n"), "para\n\n{:.cls}\n\nnext\n");
        assert_eq!(rewritten("## Head\n{:#id .big}\n"), "## Head {#id .big}\n\n");
    }

    #[test]
    fn extensions() {
        assert_eq!(rewritten("a\n\n{::comment}\nhidden\n{:/comment}\n\nb\n"), "a\n\n\n\nb\n");
        assert_eq!(rewritten("x {::comment}gone{:/} y {::nomarkdown}*raw*{:/} z\n"), "x  y *raw* z\n");
        assert_eq!(rewritten("{::comment}\nno end\n"), "{::comment}\nno end\n");
        assert_eq!(rewritten("{::options key=\"{a: b}\" /}\ntext\n"), "\ntext\n");
    }

    #[test]
    fn markdown_after_html_and_attribute_lists_with_underscores() {
        assert_eq!(rewritten("<div>note</div>\n- item\n"), "<div>note</div>\n\n- item\n");
        let comment = "<!--\n<div>old</div>\n-->\n";
        assert_eq!(rewritten(comment), comment, "a comment is left whole");
        assert_eq!(rewritten("[a](b){:target=\"_blank\"}_ x\n"), "[a](b){:target=\"\\_blank\"}_ x\n");
    }

    #[test]
    fn typographic_symbols_and_header_ids() {
        assert_eq!(rewritten("a <<b>> `<<c>>`\n"), "a \u{ab}b\u{bb} `<<c>>`\n");
        assert_eq!(rewritten(">> quoted\n"), ">> quoted\n");
        assert_eq!(
            rewritten("## Head{#noid}\n## Head {#9ab}\n## Head {#ok}\n"),
            "## Head&#123;#noid}\n## Head &#123;#9ab}\n## Head {#ok}\n"
        );
        assert_eq!(rewritten("I read\n1984. It was\n"), "I read\n\n1984. It was\n");
    }

    #[test]
    fn markdown_right_after_html_ends_its_block() {
        // The element ends at its end tag; comments after it do not keep the heading raw.
        assert_eq!(rewritten("<div>a</div>\n<!--\nx\n-->\n## H\n"), "<div>a</div>\n<!--\nx\n-->\n\n## H\n");
        // An image alone on its line is text to kramdown: the fence below it is code.
        assert_eq!(rewritten("<img src=\"a.png\">\n```\nx\n```\n"), "<img src=\"a.png\">\n```\nx\n```\n");
        let details = "<details>\n  <summary>More</summary>\n  ```json\n  {}\n  ```\n</details>\n";
        assert_eq!(rewritten(details), "<details>\n  <summary>More</summary>\n\n  ```json\n  {}\n  ```\n</details>\n");
        assert_eq!(rewritten("1) one\n2) two\n"), "1\\) one\n2\\) two\n");
    }

    #[test]
    fn an_element_without_its_end_tag_keeps_the_rest_raw() {
        assert_eq!(
            rewritten("<p>\n\n<!-- <p -->\n      <table>\n</table>\n"),
            "<p>\n<!-- <p -->\n      <table>\n</table>\n"
        );
    }

    #[test]
    fn markdown_elements_inside_raw_html_lines() {
        let table = "<table>\n  <tr>\n    <td><div markdown=\"span\" class=\"x\">[a](b){:target=\"_blank\"}</div></td>\n  </tr>\n</table>\n";
        assert_eq!(
            rewritten(table),
            "<table>\n<tr>\n<td>\n<div class=\"x\">\n\n[a](b){:target=\"_blank\"}\n\n</div></td>\n</tr>\n</table>\n"
        );
    }

    #[test]
    fn markdown_inside_html() {
        assert_eq!(rewritten("<dd markdown=\"1\">See _this_.</dd>\n"), "<dd>\n\nSee _this_.\n\n</dd>\n");
        assert_eq!(rewritten("<div>\na\n\n\t<p>b</p>\n</div>\n"), "<div>\na\n\t<p>b</p>\n</div>\n");
        assert_eq!(
            rewritten("<div markdown=\"span\" class=\"x\">\n\t<b>Note:</b> text\n</div>\n"),
            "<div class=\"x\">\n\n\n<b>Note:</b> text\n\n\n</div>\n"
        );
        // Indented under a list item (as an include placed there writes it), it stays there.
        assert_eq!(
            rewritten("- a\n\n  <div markdown=\"span\" class=\"x\">b</div>\n\nc\n"),
            "- a\n\n  <div class=\"x\">\n\n  b\n\n  </div>\n\nc\n"
        );
        let nested = "<details>\n\n<div markdown=\"1\">\n\n### In\n</div>\n</details>\n";
        assert_eq!(rewritten(nested), "<details>\n<div>\n\n\n\n### In\n\n\n</div>\n</details>\n");
        let tabs =
            "<div>\n\t<div class=\"a\">\n\t\n\t\t<div markdown=\"span\">\n\t\t\t*x*\n\t\t</div>\n\t</div>\n</div>\n";
        assert_eq!(rewritten(tabs), "<div>\n<div class=\"a\">\n<div>\n\n\n*x*\n\n\n</div>\n</div>\n</div>\n");
    }
}
