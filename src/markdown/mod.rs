//! Markdown to HTML with pulldown-cmark, parsed once per page: the same pass yields the
//! HTML, the headings (ids, table of contents), every link and anchor with its offset,
//! and the plain text of each section for search.

pub mod highlight;
pub mod html_scan;
mod kramdown;
mod link_syntax;
mod raw_html;
mod tables;

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

use pulldown_cmark::{CodeBlockKind, CowStr, Event, LinkType, Options, Parser, Tag, TagEnd};
use pulldown_cmark_escape::{escape_href, escape_html, escape_html_body_text};
use serde::Serialize;

use crate::content::slug::{slugify, IdSet};
pub use highlight::Highlighter;

/// A heading of the page, for the table of contents, anchors and search.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Heading {
    pub level: u8,
    pub id: String,
    /// The heading as plain text.
    pub title: String,
    /// Byte offset of the heading in the Markdown.
    #[serde(skip)]
    pub offset: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LinkKind {
    /// `[text](url)`, a reference link or an autolink.
    Link,
    /// `![alt](src)`.
    Image,
    /// `href` or `src` in raw HTML.
    Html,
}

/// A link as written, with where it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundLink {
    /// As written.
    pub target: String,
    /// As the output links it, after [`Hooks::rewrite`].
    pub href: String,
    pub kind: LinkKind,
    /// Byte offset of the target (or of the link) in the Markdown, and its length.
    pub offset: usize,
    pub len: usize,
}

/// An id a link can point at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundAnchor {
    pub id: String,
    pub offset: usize,
}

/// Plain text under one heading (or before the first), for the search index.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Section {
    pub anchor: Option<String>,
    pub title: String,
    pub text: String,
}

#[derive(Debug, Default)]
pub struct Rendered {
    pub html: String,
    /// Whether the HTML is (or, not written, would be) empty.
    pub blank: bool,
    pub headings: Vec<Heading>,
    pub links: Vec<FoundLink>,
    pub anchors: Vec<FoundAnchor>,
    pub sections: Vec<Section>,
}

/// What the page around the Markdown adds to its rendering.
pub struct Hooks<'a> {
    /// Maps a link target as written to the one to output (`None`: unchanged).
    pub rewrite: &'a dyn Fn(&str) -> Option<String>,
    /// Sections (by heading id) that end with a link back to a diagram (by wrapper id).
    pub back_links: &'a BTreeMap<String, String>,
    /// Whether the plain text of each section is gathered ([`Rendered::sections`]): only
    /// a search index reads it.
    pub sections: bool,
    /// Whether the HTML is written. `check` reads only what the render records (links,
    /// anchors, headings), which comes from the events, not from the HTML.
    pub html: bool,
}

fn unchanged(_: &str) -> Option<String> {
    None
}

static NO_BACK_LINKS: BTreeMap<String, String> = BTreeMap::new();

impl Hooks<'static> {
    /// Plain Markdown: no diagrams, links as written.
    pub fn none() -> Hooks<'static> {
        Hooks { rewrite: &unchanged, back_links: &NO_BACK_LINKS, sections: true, html: true }
    }
}

/// `line` without the white space it starts with (as `str::trim_start`): most lines start
/// with a byte that is not, and are not decoded. Here, as the pre-pass, the tables and the
/// link syntax all trim so.
fn trim_start(line: &str) -> &str {
    match line.as_bytes().first() {
        Some(&b) if b.is_ascii() && !(b as char).is_whitespace() => line,
        _ => line.trim_start(),
    }
}

pub fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_SMART_PUNCTUATION
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_DEFINITION_LIST
}

/// Renders `text` (Markdown whose tags are already expanded).
pub fn render(text: &str, highlighter: &Highlighter, hooks: &Hooks) -> Rendered {
    let lines = tables::lines_with_offsets(text);
    let found = kramdown::rewrite(text, &lines);
    let mut edits = found.edits;
    edits.extend(tables::kramdown_tables(&lines));
    if edits.is_empty() {
        return render_text(text, highlighter, hooks);
    }
    let (parsed, edits) = tables::apply(text, edits);
    let mut rendered = render_text(&parsed, highlighter, hooks);
    // Offsets point into the text as written, not into the text rewritten for parsing.
    for link in &mut rendered.links {
        link.offset = edits.original(link.offset);
    }
    for anchor in &mut rendered.anchors {
        anchor.offset = edits.original(anchor.offset);
    }
    for heading in &mut rendered.headings {
        heading.offset = edits.original(heading.offset);
    }
    if !hooks.html {
        return rendered;
    }
    rendered.html = tables::drop_empty_headers(&rendered.html);
    if !found.raw.is_empty() {
        rendered.html = kramdown::restore_raw(&rendered.html, &found.raw);
    }
    rendered.blank = rendered.html.is_empty();
    rendered
}

fn render_text(text: &str, highlighter: &Highlighter, hooks: &Hooks) -> Rendered {
    let mut r = Renderer {
        text,
        highlighter,
        hooks,
        // About an event for every 8 bytes of Markdown, so the list rarely grows.
        out: Vec::with_capacity(text.len() / 8 + 16),
        result: Rendered::default(),
        ids: IdSet::default(),
        footnotes: HashMap::new(),
        heading: None,
        image: None,
        code: None,
        pending_attrs: None,
        section: Section::default(),
        footnote_defs: Vec::new(),
        pending_ial: None,
        custom_paragraph: false,
        block_starts: Vec::new(),
        last_block: None,
        open_back_links: Vec::new(),
        toc_at: None,
        no_toc: Vec::new(),
        raw_html: raw_html::RawHtml::default(),
        html_block: None,
        span_depths: Vec::new(),
    };
    // Adjacent text joined (smart punctuation and emphasis delimiters split it), so kramdown
    // attribute lists are seen whole: after text, the parser is read one event ahead. (A
    // loop here, not an iterator: each event, as large as a link's three strings, is moved
    // once less.)
    let mut events = Parser::new_ext(text, options()).into_offset_iter();
    let mut ahead = None;
    // (pulldown-cmark's events end with `None` however often they are asked for.)
    while let Some((mut event, mut range)) = ahead.take().or_else(|| events.next()) {
        if let Event::Text(text) = &mut event {
            ahead = events.next();
            if matches!(ahead, Some((Event::Text(_), _))) {
                // One string for the whole run, not one for each piece joined.
                let mut joined = String::from(&**text);
                while let Some((Event::Text(more), more_range)) = &ahead {
                    joined.push_str(more);
                    range.end = more_range.end;
                    ahead = events.next();
                }
                *text = CowStr::from(joined);
            }
        }
        r.event(event, range);
    }
    r.finish()
}

struct OpenHeading {
    out_index: usize,
    level: u8,
    id: Option<String>,
    classes: Vec<String>,
    title: String,
    offset: usize,
}

/// Markers of a footnote definition's events, which [`Renderer::collect_footnotes`] moves.
const FOOTNOTE_START: &str = "\u{1}footnote-start";
const FOOTNOTE_BACK: &str = "\u{1}footnote-back";
const FOOTNOTE_END: &str = "\u{1}footnote-end";

/// A footnote's list item: its events, with its back links (one for each reference) in
/// place of the marker.
fn footnote_item<'t>(id: &str, references: usize, events: Vec<Event<'t>>) -> Vec<Event<'t>> {
    let mut back = format!("&nbsp;<a href=\"#fnref:{id}\" class=\"reversefootnote\" role=\"doc-backlink\">&#8617;</a>");
    for k in 1..references {
        let _ = write!(
            back,
            " <a href=\"#fnref:{id}:{k}\" class=\"reversefootnote\" role=\"doc-backlink\">&#8617;<sup>{}</sup></a>",
            k + 1
        );
    }
    let mut item = vec![Event::Html(CowStr::from(format!("<li id=\"fn:{id}\">\n")))];
    for event in events {
        match event {
            Event::Html(h) if *h == *FOOTNOTE_BACK => item.push(Event::Html(CowStr::from(back.clone()))),
            e => item.push(e),
        }
    }
    item.push(Event::Html(CowStr::Borrowed("</li>\n")));
    item
}

/// What stands for a heading's tags when its HTML is not written.
const HEADING_UNWRITTEN: &str = "</h>";

/// What stands for a code block when its HTML is not written.
const CODE_UNWRITTEN: &str = "</pre>";

/// A heading's opening tag and what closes it (its anchor link and end tag), escaped
/// as they are written.
fn heading_tags(level: u8, id: &str, classes: &[String], title: &str) -> (String, String) {
    let mut open = format!("<h{level} id=\"");
    let _ = escape_html(&mut open, id);
    open.push('"');
    if !classes.is_empty() {
        open.push_str(" class=\"");
        let _ = escape_html(&mut open, &classes.join(" "));
        open.push('"');
    }
    open.push('>');
    let mut close = String::with_capacity(80 + 2 * id.len() + title.len());
    close.push_str(" <a class=\"heading-anchor\" href=\"#");
    let _ = escape_html(&mut close, id);
    close.push_str("\" aria-label=\"Link to this section: ");
    let _ = escape_html(&mut close, title);
    let _ = writeln!(close, "\">#</a></h{level}>");
    (open, close)
}

struct OpenImage {
    src: String,
    title: String,
    alt: String,
}

struct OpenCode {
    info: String,
    code: String,
}

struct Renderer<'a, 't> {
    text: &'t str,
    highlighter: &'a Highlighter,
    hooks: &'a Hooks<'a>,
    out: Vec<Event<'t>>,
    result: Rendered,
    ids: IdSet,
    /// Each note's number and how many references it has.
    footnotes: HashMap<String, (usize, usize)>,
    heading: Option<OpenHeading>,
    image: Option<OpenImage>,
    code: Option<OpenCode>,
    /// The output index of the opening tag of the link or image just closed, whose
    /// attributes a following `{:...}` may set.
    pending_attrs: Option<(usize, AttrTarget)>,
    section: Section,
    /// The footnote definitions so far: id and source offset.
    footnote_defs: Vec<(String, usize)>,
    /// A kramdown block attribute list (`{: .class}`) that opened a paragraph: it applies to
    /// the block before it when it stands alone, else to the paragraph it opens.
    pending_ial: Option<Vec<(String, String)>>,
    /// The open paragraph was written as HTML (with attributes), so is its end.
    custom_paragraph: bool,
    /// Output indices of the open paragraphs, lists, block quotes and tables.
    block_starts: Vec<usize>,
    /// The block that closed last: what a following `{: .class}` applies to.
    last_block: Option<(Block, usize, usize)>,
    /// Sections still open that end with a back link: (heading level, wrapper id).
    open_back_links: Vec<(u8, String)>,
    /// The list that `{:toc}` turns into the table of contents (its first and last event).
    toc_at: Option<(usize, usize)>,
    /// Ids of the headings with the class `no_toc`, which the table of contents leaves out.
    no_toc: Vec<String>,
    /// The raw HTML so far, which kramdown writes back as it parsed it.
    raw_html: raw_html::RawHtml,
    /// The HTML block being read, whole, since a tag may span its lines.
    html_block: Option<String>,
    /// For each open paragraph, heading or list item, how many HTML elements were open
    /// where it started. (Not table cells: kramdown reads `<code>a | b</code>` as one.)
    span_depths: Vec<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Block {
    Paragraph,
    List(Option<u64>),
    Quote,
    Table,
    Heading,
}

enum AttrTarget {
    /// The link's `Start` event, whose URL and title its attributes are written with.
    Link,
    Image,
}

impl<'a, 't> Renderer<'a, 't> {
    fn event(&mut self, event: Event<'t>, range: std::ops::Range<usize>) {
        if let Some(code) = &mut self.code {
            match event {
                // Read only by the search text and the HTML.
                Event::Text(t) if self.hooks.sections || self.hooks.html => code.code.push_str(&t),
                Event::End(TagEnd::CodeBlock) => self.end_code(),
                _ => {}
            }
            return;
        }
        if let Some(image) = &mut self.image {
            match event {
                Event::Text(t) | Event::Code(t) => image.alt.push_str(&t),
                Event::End(TagEnd::Image) => self.end_image(),
                _ => {}
            }
            return;
        }
        // kramdown closes a span element left open where the text around it ends.
        match &event {
            Event::Start(Tag::Paragraph | Tag::Heading { .. } | Tag::Item) => {
                self.span_depths.push(self.raw_html.depth());
            }
            Event::End(TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::Item) => {
                if let Some(depth) = self.span_depths.pop() {
                    self.raw_html.close_to(depth);
                }
            }
            _ => {}
        }
        if let Some(attrs) = self.pending_ial.take() {
            match event {
                Event::End(TagEnd::Paragraph) => {
                    // `{: .class}` alone: it belongs to the block before it.
                    if let Some(block) = self.last_block {
                        self.apply_block_attrs(block, &attrs);
                    }
                    return;
                }
                Event::SoftBreak => {
                    self.out.push(Event::Html(CowStr::from(format!("<p{}>", attr_string(&attrs)))));
                    self.custom_paragraph = true;
                    return;
                }
                _ => {
                    self.out.push(Event::Html(CowStr::from(format!("<p{}>", attr_string(&attrs)))));
                    self.custom_paragraph = true;
                }
            }
        }
        let pending = self.pending_attrs.take();
        let inline = matches!(event, Event::InlineHtml(_));
        match event {
            Event::Text(t) => {
                let mut t = t;
                if let Some((index, target)) = pending {
                    if let Some((attrs, rest)) = parse_span_ial(&t) {
                        self.apply_attrs(index, target, &attrs);
                        t = CowStr::from(rest.to_string());
                    }
                }
                if matches!(self.out.last(), Some(Event::Start(Tag::Paragraph))) && is_block_ial(&t) {
                    // A kramdown block attribute list opening a paragraph: not shown.
                    self.out.pop();
                    self.block_starts.pop();
                    let inner = t.trim().trim_start_matches("{:").trim_end_matches('}');
                    self.pending_ial = Some(parse_attr_list(inner).unwrap_or_default());
                    return;
                }
                while t.starts_with("{:") {
                    match parse_span_ial(&t) {
                        Some((attrs, rest)) if self.apply_span_attrs(&attrs) => t = CowStr::from(rest.to_string()),
                        _ => break,
                    }
                }
                // (An attribute list starts with `{:`: asked first, as most text does not.)
                if t.starts_with("{:") && self.at_item_start() {
                    // `* {:.cls} text`: the item's attribute list, not shown.
                    if let Some((_, rest)) = parse_span_ial(&t) {
                        t = CowStr::from(rest.trim_start().to_string());
                    }
                }
                self.push_text(&t);
                self.out.push(Event::Text(t));
            }
            Event::Code(t) => {
                self.push_text(&t);
                self.out.push(Event::Code(t));
            }
            Event::Start(Tag::Heading { level, id, classes, .. }) => {
                self.close_back_links(level as u8);
                self.heading = Some(OpenHeading {
                    out_index: self.out.len(),
                    level: level as u8,
                    id: id.map(|s| s.to_string()),
                    classes: classes.into_iter().map(|c| c.to_string()).collect(),
                    title: String::new(),
                    offset: range.start,
                });
                self.out.push(Event::Html(CowStr::Borrowed("")));
            }
            Event::End(TagEnd::Heading(_)) => self.end_heading(),
            Event::Start(Tag::CodeBlock(kind)) => {
                let info = match kind {
                    CodeBlockKind::Fenced(info) if self.hooks.html => info.to_string(),
                    _ => String::new(),
                };
                self.code = Some(OpenCode { info, code: String::new() });
            }
            Event::Start(Tag::Link { link_type, dest_url, title, .. }) => {
                let dest_url = match link_type {
                    LinkType::Email if !dest_url.starts_with("mailto:") => CowStr::from(format!("mailto:{dest_url}")),
                    _ => dest_url,
                };
                self.record_link(&dest_url, LinkKind::Link, &range);
                // Only the HTML reads the URL the link is written with.
                let dest_url = match self.result.links.last() {
                    Some(link) if self.hooks.html => CowStr::from(link.href.clone()),
                    _ => dest_url,
                };
                self.out.push(Event::Start(Tag::Link { link_type, dest_url, title, id: CowStr::Borrowed("") }));
            }
            Event::End(TagEnd::Link) => {
                let index = (0..self.out.len()).rev().find(|&i| matches!(self.out[i], Event::Start(Tag::Link { .. })));
                if let Some(i) = index {
                    self.pending_attrs = Some((i, AttrTarget::Link));
                }
                self.out.push(Event::End(TagEnd::Link));
            }
            Event::Start(Tag::Image { dest_url, title, .. }) => {
                self.record_link(&dest_url, LinkKind::Image, &range);
                let src = self.result.links.last().map(|l| l.href.clone()).unwrap_or_default();
                self.image = Some(OpenImage { src, title: title.to_string(), alt: String::new() });
            }
            Event::Html(html) if html.trim() == kramdown::TOC_MARK => {
                if let Some((Block::List(_), start, end)) = self.last_block {
                    self.toc_at = Some((start, end));
                }
            }
            Event::Html(html) | Event::InlineHtml(html) => {
                let html = match self.scan_html(&html, range.start) {
                    Some(rewritten) => CowStr::from(rewritten),
                    None => html,
                };
                // kramdown's `markdown="1"` asks for Markdown inside the HTML block, which
                // CommonMark gives after a blank line anyway; the attribute itself goes.
                let html = if html.contains(" markdown=") { CowStr::from(strip_markdown_attr(&html)) } else { html };
                match (&mut self.html_block, self.span_depths.last()) {
                    (Some(block), _) => block.push_str(&html),
                    (None, Some(&depth)) if inline => {
                        self.out.push(Event::Html(CowStr::from(self.raw_html.rewrite_span(&html, depth))));
                    }
                    (None, _) => self.out.push(Event::Html(CowStr::from(self.raw_html.rewrite(&html)))),
                }
            }
            Event::Start(Tag::HtmlBlock) => self.html_block = Some(String::new()),
            Event::End(TagEnd::HtmlBlock) => {
                if let Some(block) = self.html_block.take().filter(|b| !b.is_empty()) {
                    self.out.push(Event::Html(CowStr::from(self.raw_html.rewrite(&block))));
                }
            }
            Event::FootnoteReference(label) => {
                let id = slugify(&label);
                let (n, seen) = self.footnote_reference(&id);
                // As kramdown: the second reference to a note is `fnref:x:1`, the third `fnref:x:2`.
                let ref_id = if seen == 0 { format!("fnref:{id}") } else { format!("fnref:{id}:{seen}") };
                let html = format!(
                    "<sup id=\"{ref_id}\" role=\"doc-noteref\"><a href=\"#fn:{id}\" class=\"footnote\" rel=\"footnote\">{n}</a></sup>"
                );
                self.result.anchors.push(FoundAnchor { id: ref_id, offset: range.start });
                self.out.push(Event::Html(CowStr::from(html)));
            }
            Event::Start(Tag::FootnoteDefinition(label)) => {
                self.footnote_defs.push((slugify(&label), range.start));
                self.out.push(Event::Html(CowStr::Borrowed(FOOTNOTE_START)));
            }
            Event::End(TagEnd::FootnoteDefinition) => {
                // The back links go at the end of the note's last paragraph, else in a
                // paragraph of their own; they are written once the references are counted.
                if matches!(self.out.last(), Some(Event::End(TagEnd::Paragraph))) {
                    let end = self.out.pop().expect("checked");
                    self.out.push(Event::Html(CowStr::Borrowed(FOOTNOTE_BACK)));
                    self.out.push(end);
                } else {
                    self.out.push(Event::Start(Tag::Paragraph));
                    self.out.push(Event::Html(CowStr::Borrowed(FOOTNOTE_BACK)));
                    self.out.push(Event::End(TagEnd::Paragraph));
                }
                self.out.push(Event::Html(CowStr::Borrowed(FOOTNOTE_END)));
            }
            Event::Start(Tag::Paragraph) | Event::Start(Tag::List(_)) | Event::Start(Tag::BlockQuote(_)) => {
                self.block_starts.push(self.out.len());
                self.out.push(event);
            }
            Event::End(end @ (TagEnd::Paragraph | TagEnd::List(_) | TagEnd::BlockQuote(_))) => {
                self.push_text(" ");
                let custom = end == TagEnd::Paragraph && std::mem::take(&mut self.custom_paragraph);
                let start = if custom { None } else { self.block_starts.pop() };
                if let Some(start) = start {
                    let block = match &self.out[start] {
                        Event::Start(Tag::List(first)) => Block::List(*first),
                        Event::Start(Tag::BlockQuote(_)) => Block::Quote,
                        _ => Block::Paragraph,
                    };
                    self.last_block = Some((block, start, self.out.len()));
                }
                if custom {
                    self.out.push(Event::Html(CowStr::Borrowed("</p>\n")));
                } else {
                    self.out.push(Event::End(end));
                }
            }
            // Wide tables scroll inside a wrapper, keeping their table semantics; a keyboard
            // scrolls it once it has the focus, and a screen reader names it there.
            Event::Start(Tag::Table(align)) => {
                self.out.push(Event::Html(CowStr::Borrowed(
                    "<div class=\"table-wrap\" tabindex=\"0\" role=\"region\" aria-label=\"Table\">",
                )));
                self.block_starts.push(self.out.len());
                self.out.push(Event::Start(Tag::Table(align)));
            }
            Event::End(TagEnd::Table) => {
                if let Some(start) = self.block_starts.pop() {
                    self.last_block = Some((Block::Table, start, self.out.len()));
                }
                self.out.push(Event::End(TagEnd::Table));
                self.out.push(Event::Html(CowStr::Borrowed("</div>\n")));
            }
            // A task's box shows its state and cannot be changed; it still needs a name.
            Event::TaskListMarker(done) => {
                let checked = if done { " checked=\"\"" } else { "" };
                self.out.push(Event::InlineHtml(CowStr::from(format!(
                    "<input type=\"checkbox\" disabled=\"\"{checked} aria-label=\"Task\" />\n"
                ))));
            }
            Event::SoftBreak | Event::HardBreak => {
                self.push_text(" ");
                self.out.push(event);
            }
            // Blocks end with a space in the search text, so words of two paragraphs,
            // list items or cells do not run together.
            Event::End(end @ (TagEnd::Item | TagEnd::TableCell | TagEnd::DefinitionListDefinition)) => {
                self.push_text(" ");
                self.out.push(Event::End(end));
            }
            other => self.out.push(other),
        }
    }
}

impl<'a, 't> Renderer<'a, 't> {
    /// Adds `t` to the title of the open heading, or else to the section's search text.
    #[inline(always)]
    fn push_text(&mut self, t: &str) {
        // Outside a heading only the search text reads it, which `check` does not gather.
        if self.heading.is_some() || self.hooks.sections {
            self.gather_text(t);
        }
    }

    fn gather_text(&mut self, t: &str) {
        if let Some(h) = &mut self.heading {
            h.title.push_str(&kramdown::without_placeholders(t));
        } else if self.image.is_none() && self.hooks.sections {
            self.section.text.push_str(&kramdown::without_placeholders(t));
        }
    }

    /// Records a link, with the target to output.
    fn record_link(&mut self, target: &str, kind: LinkKind, range: &std::ops::Range<usize>) {
        let written = &self.text[range.clone()];
        // Point at the target itself where it is written inside the link.
        // Usually `[text](target)`: the target just before the closing parenthesis.
        let at = written.strip_suffix(')').filter(|w| w.ends_with(target)).map(|w| w.len() - target.len());
        let (offset, len) = match at.or_else(|| written.rfind(target)).filter(|_| !target.is_empty()) {
            Some(i) => (range.start + i, target.len()),
            None => (range.start, written.len()),
        };
        let href = (self.hooks.rewrite)(target).unwrap_or_else(|| target.to_string());
        self.result.links.push(FoundLink { target: target.to_string(), href, kind, offset, len });
    }

    /// Records the links and ids of raw HTML; returns the HTML again if a link was rewritten.
    fn scan_html(&mut self, html: &str, start: usize) -> Option<String> {
        let mut rewritten: Option<String> = None;
        let mut shift: isize = 0;
        for attr in html_scan::attributes(html) {
            let offset = start + attr.offset;
            match attr.name {
                "href" | "src" => {
                    let target = decode_entities(attr.value);
                    let href = (self.hooks.rewrite)(&target);
                    if let Some(new) = &href {
                        let s = rewritten.get_or_insert_with(|| html.to_string());
                        let at = (attr.offset as isize + shift) as usize;
                        s.replace_range(at..at + attr.value.len(), &escape_attr(new));
                        shift += escape_attr(new).len() as isize - attr.value.len() as isize;
                    }
                    self.result.links.push(FoundLink {
                        href: href.unwrap_or_else(|| target.clone()),
                        target,
                        kind: LinkKind::Html,
                        offset,
                        len: attr.value.len(),
                    })
                }
                "id" => self.result.anchors.push(FoundAnchor { id: attr.value.to_string(), offset }),
                "name" if attr.in_tag("a") => {
                    self.result.anchors.push(FoundAnchor { id: attr.value.to_string(), offset })
                }
                _ => {}
            }
        }
        rewritten
    }

    /// Ends the back-linked sections a heading of `level` closes.
    fn close_back_links(&mut self, level: u8) {
        while let Some((open, _)) = self.open_back_links.last() {
            if *open < level {
                break;
            }
            let (_, wrapper) = self.open_back_links.pop().expect("checked");
            self.out.push(Event::Html(CowStr::from(format!(
                "<p class=\"back-to-process\"><a href=\"#{}\">Back to the process</a></p>\n",
                escape_attr(&wrapper)
            ))));
        }
    }

    /// The number of the note `id` (numbered in order of first reference) and how many
    /// references to it came before this one.
    fn footnote_reference(&mut self, id: &str) -> (usize, usize) {
        let next = self.footnotes.len() + 1;
        let entry = self.footnotes.entry(id.to_string()).or_insert((next, 0));
        entry.1 += 1;
        (entry.0, entry.1 - 1)
    }

    /// Moves the referenced footnote definitions, in the order of their numbers, to a list
    /// at the end of the page, as kramdown does; unreferenced ones are left out.
    fn collect_footnotes(&mut self) {
        if self.footnote_defs.is_empty() {
            return;
        }
        let mut defs = std::mem::take(&mut self.footnote_defs).into_iter();
        let mut notes: Vec<(usize, Vec<Event<'t>>)> = Vec::new();
        let mut kept = Vec::with_capacity(self.out.len());
        let mut body: Option<Vec<Event<'t>>> = None;
        for event in std::mem::take(&mut self.out) {
            match (&event, body.as_mut()) {
                (Event::Html(h), None) if *h == CowStr::Borrowed(FOOTNOTE_START) => body = Some(Vec::new()),
                (Event::Html(h), Some(_)) if *h == CowStr::Borrowed(FOOTNOTE_END) => {
                    let events = body.take().expect("matched");
                    let Some((id, offset)) = defs.next() else { continue };
                    let Some(&(n, count)) = self.footnotes.get(&id) else { continue };
                    if notes.iter().any(|(m, _)| *m == n) {
                        continue;
                    }
                    notes.push((n, footnote_item(&id, count, events)));
                    self.result.anchors.push(FoundAnchor { id: format!("fn:{id}"), offset });
                }
                (_, Some(events)) => events.push(event),
                (_, None) => kept.push(event),
            }
        }
        self.out = kept;
        if notes.is_empty() {
            return;
        }
        notes.sort_by_key(|(n, _)| *n);
        self.out.push(Event::Html(CowStr::Borrowed("<div class=\"footnotes\" role=\"doc-endnotes\">\n<ol>\n")));
        for (_, body) in notes {
            self.out.extend(body);
        }
        self.out.push(Event::Html(CowStr::Borrowed("</ol>\n</div>\n")));
    }

    fn apply_attrs(&mut self, index: usize, target: AttrTarget, attrs: &[(String, String)]) {
        let extra: String = attrs.iter().fold(String::new(), |mut s, (k, v)| {
            let _ = write!(s, " {}=\"{}\"", k, escape_attr(v));
            s
        });
        match target {
            AttrTarget::Link => {
                // Still the link's start: the attributes come with the next event.
                let Event::Start(Tag::Link { dest_url: href, title, .. }) = &self.out[index] else { return };
                let mut open = String::from("<a href=\"");
                let _ = escape_href(&mut open, href);
                open.push('"');
                if !title.is_empty() {
                    let _ = write!(open, " title=\"{}\"", escape_attr(title));
                }
                open.push_str(&extra);
                if attrs.iter().any(|(k, v)| k == "target" && v == "_blank") {
                    open.push_str(" rel=\"noopener\"");
                }
                open.push('>');
                self.out[index] = Event::Html(CowStr::from(open));
                if let Some(end) = (index..self.out.len()).find(|&i| matches!(self.out[i], Event::End(TagEnd::Link))) {
                    self.out[end] = Event::Html(CowStr::Borrowed("</a>"));
                }
            }
            AttrTarget::Image => {
                if let Event::Html(html) = &self.out[index] {
                    let patched = html.trim_end_matches(" />").to_string() + &extra + " />";
                    self.out[index] = Event::Html(CowStr::from(patched));
                }
            }
        }
    }

    /// Whether text here opens a list item or a definition list entry.
    fn at_item_start(&self) -> bool {
        let n = self.out.len();
        let opens =
            |e: &Event| matches!(e, Event::Start(Tag::Item | Tag::DefinitionListTitle | Tag::DefinitionListDefinition));
        match self.out.last() {
            Some(e) if opens(e) => true,
            Some(Event::Start(Tag::Paragraph)) => n >= 2 && opens(&self.out[n - 2]),
            // Each line of a definition list's terms is a term to kramdown.
            Some(Event::SoftBreak) => {
                self.out.iter().rev().find_map(|e| match e {
                    Event::Start(Tag::DefinitionListTitle) => Some(true),
                    Event::End(TagEnd::DefinitionListTitle) | Event::Start(_) | Event::End(_) => Some(false),
                    _ => None,
                }) == Some(true)
            }
            _ => false,
        }
    }

    /// `*text*{:.class}`, `` `code`{:.class} ``: the emphasis or code just before gets the
    /// attributes. Whether there was one.
    fn apply_span_attrs(&mut self, attrs: &[(String, String)]) -> bool {
        let all = attr_string(attrs);
        match self.out.last() {
            Some(Event::Code(code)) => {
                let mut html = format!("<code{all}>");
                let _ = escape_html_body_text(&mut html, code);
                html.push_str("</code>");
                *self.out.last_mut().expect("checked") = Event::Html(CowStr::from(html));
                true
            }
            Some(Event::End(end @ (TagEnd::Emphasis | TagEnd::Strong | TagEnd::Strikethrough))) => {
                let (tag, end) = match end {
                    TagEnd::Emphasis => ("em", *end),
                    TagEnd::Strong => ("strong", *end),
                    _ => ("del", *end),
                };
                let mut depth = 0;
                let start = (0..self.out.len() - 1).rev().find(|&i| match &self.out[i] {
                    Event::End(e) if *e == end => {
                        depth += 1;
                        false
                    }
                    Event::Start(t) if t.to_end() == end => {
                        if depth == 0 {
                            true
                        } else {
                            depth -= 1;
                            false
                        }
                    }
                    _ => false,
                });
                let Some(start) = start else { return false };
                self.out[start] = Event::Html(CowStr::from(format!("<{tag}{all}>")));
                *self.out.last_mut().expect("checked") = Event::Html(CowStr::from(format!("</{tag}>")));
                true
            }
            // A second list after the first (`{: .a}{: .b}`): kramdown merges them; the
            // attributes of the first stand.
            Some(Event::Html(h)) => {
                ["</code>", "</em>", "</strong>", "</del>", "</a>", " />"].iter().any(|e| h.ends_with(e))
            }
            _ => false,
        }
    }

    /// kramdown's `{: .class key="v"}` after a block: the block gets the attributes.
    fn apply_block_attrs(&mut self, (block, start, end): (Block, usize, usize), attrs: &[(String, String)]) {
        let all = attr_string(attrs);
        let classes: Vec<&str> = attrs.iter().filter(|(k, _)| k == "class").map(|(_, v)| v.as_str()).collect();
        let others = attr_string(&attrs.iter().filter(|(k, _)| k != "class" && k != "id").cloned().collect::<Vec<_>>());
        let (open, close) = match block {
            Block::Paragraph => (format!("<p{all}>"), "</p>\n".to_string()),
            Block::Quote => (format!("<blockquote{all}>\n"), "</blockquote>\n".to_string()),
            Block::List(None) => (format!("<ul{all}>\n"), "</ul>\n".to_string()),
            Block::List(Some(first)) => {
                let start_attr = if first == 1 { String::new() } else { format!(" start=\"{first}\"") };
                (format!("<ol{start_attr}{all}>\n"), "</ol>\n".to_string())
            }
            Block::Table | Block::Heading => {
                // The table's wrapper, or the heading's own tag, takes the classes.
                let at = if block == Block::Table { start.saturating_sub(1) } else { start };
                if let Event::Html(html) = &self.out[at] {
                    let mut tag = html.to_string();
                    let gt = tag.find('>').unwrap_or(tag.len());
                    let mut insert = others.clone();
                    if !classes.is_empty() {
                        let joined = escape_attr(&classes.join(" "));
                        let existing =
                            tag[..gt].find("class=\"").and_then(|c| tag[c + 7..].find('"').map(|q| c + 7 + q));
                        match existing {
                            Some(q) => tag.insert_str(q, &format!(" {joined}")),
                            None => insert.insert_str(0, &format!(" class=\"{joined}\"")),
                        }
                    }
                    let gt = tag.find('>').unwrap_or(tag.len());
                    tag.insert_str(gt, &insert);
                    self.out[at] = Event::Html(CowStr::from(tag));
                }
                return;
            }
        };
        self.out[start] = Event::Html(CowStr::from(open));
        self.out[end] = Event::Html(CowStr::from(close));
    }

    fn end_heading(&mut self) {
        let Some(h) = self.heading.take() else { return };
        let mut title = h.title;
        if title.trim().len() != title.len() {
            title = title.trim().to_string();
        }
        let id = match h.id {
            Some(id) => {
                self.ids.reserve(&id);
                id
            }
            None => {
                let slug = slugify(&title);
                self.ids.unique(if slug.is_empty() { "section".into() } else { slug })
            }
        };
        if self.hooks.html {
            let (open, close) = heading_tags(h.level, &id, &h.classes, &title);
            self.out[h.out_index] = Event::Html(CowStr::from(open));
            self.out.push(Event::Html(CowStr::from(close)));
        } else {
            // Not written (`check`), so not built; it still writes something, which
            // `Rendered::blank` counts.
            self.out.push(Event::Html(CowStr::Borrowed(HEADING_UNWRITTEN)));
        }
        self.last_block = Some((Block::Heading, h.out_index, self.out.len() - 1));
        if h.classes.iter().any(|c| c == "no_toc") {
            self.no_toc.push(id.clone());
        }
        self.result.anchors.push(FoundAnchor { id: id.clone(), offset: h.offset });
        if let Some(wrapper) = self.hooks.back_links.get(&id) {
            self.open_back_links.push((h.level, wrapper.clone()));
        }
        if self.hooks.sections {
            let finished = std::mem::replace(
                &mut self.section,
                Section { anchor: Some(id.clone()), title: title.clone(), text: String::new() },
            );
            if !finished.text.trim().is_empty() || finished.anchor.is_some() {
                self.result.sections.push(finished);
            }
        }
        self.result.headings.push(Heading { level: h.level, id, title, offset: h.offset });
    }

    fn end_code(&mut self) {
        let Some(code) = self.code.take() else { return };
        let lang = code.info.split_whitespace().next().unwrap_or("");
        if self.hooks.sections {
            self.section.text.push_str(&code.code);
        }
        if self.hooks.html {
            let html = code_block(lang, &code.code, self.highlighter);
            self.out.push(Event::Html(CowStr::from(html)));
        } else {
            // Not written (`check`); a code block still writes something, which
            // `Rendered::blank` counts: a page of one code block is not blank to its layout.
            self.out.push(Event::Html(CowStr::Borrowed(CODE_UNWRITTEN)));
        }
    }

    fn end_image(&mut self) {
        let Some(image) = self.image.take() else { return };
        self.pending_attrs = Some((self.out.len(), AttrTarget::Image));
        if !self.hooks.html {
            // Not written: only that it writes something counts (`Rendered::blank`), and that
            // it ends as an image does, for an attribute list after it.
            self.out.push(Event::Html(CowStr::Borrowed("<img />")));
            return;
        }
        let mut html = String::from("<img src=\"");
        let _ = escape_href(&mut html, &image.src);
        let _ = write!(html, "\" alt=\"{}\"", escape_attr(&image.alt));
        if !image.title.is_empty() {
            let _ = write!(html, " title=\"{}\"", escape_attr(&image.title));
        }
        html.push_str(" />");
        self.out.push(Event::Html(CowStr::from(html)));
    }

    fn finish(mut self) -> Rendered {
        self.close_back_links(0);
        if let Some((start, end)) = self.toc_at {
            let listed: Vec<&Heading> = self.result.headings.iter().filter(|h| !self.no_toc.contains(&h.id)).collect();
            self.out[start] = Event::Html(CowStr::from(toc_html(&listed)));
            for e in &mut self.out[start + 1..=end] {
                *e = Event::Html(CowStr::Borrowed(""));
            }
        }
        self.collect_footnotes();
        if !self.section.text.trim().is_empty() || self.section.anchor.is_some() {
            self.result.sections.push(std::mem::take(&mut self.section));
        }
        if self.hooks.html {
            let mut html = String::with_capacity(self.text.len() * 3 / 2);
            pulldown_cmark::html::push_html(&mut html, self.out.into_iter());
            self.result.blank = html.is_empty();
            self.result.html = html;
        } else {
            // The events that write nothing.
            self.result.blank = self
                .out
                .iter()
                .all(|e| matches!(e, Event::Html(t) | Event::InlineHtml(t) | Event::Text(t) if t.is_empty()));
        }
        self.result
    }
}

/// The HTML of a code block in `lang` (highlighted when the language is known), as a
/// fenced block and Jekyll's `{% highlight %}` tag make it.
pub fn code_block(lang: &str, code: &str, highlighter: &Highlighter) -> String {
    let mut html = String::with_capacity(code.len() * 2);
    // Long lines scroll sideways: focusable, so a keyboard can scroll them, and named.
    if lang.is_empty() {
        html.push_str("<pre class=\"code\" tabindex=\"0\" role=\"region\" aria-label=\"Code\"><code>");
    } else {
        let _ = write!(
            html,
            "<pre class=\"code\" data-lang=\"{0}\" tabindex=\"0\" role=\"region\" aria-label=\"Code ({0})\"><code class=\"language-{0}\">",
            escape_attr(lang)
        );
    }
    match highlighter.highlight(lang, code) {
        Some(h) => html.push_str(&h),
        None => {
            let _ = escape_html_body_text(&mut html, code);
        }
    }
    html.push_str("</code></pre>\n");
    html
}

/// `{:target="_blank" .class #id}` at the start of `text`: its attributes and what follows.
fn parse_span_ial(text: &str) -> Option<(Vec<(String, String)>, &str)> {
    let rest = text.strip_prefix("{:")?;
    let end = rest.find('}')?;
    let attrs = parse_attr_list(&rest[..end])?;
    Some((attrs, &rest[end + 1..]))
}

/// A paragraph that is only `{: .class}` (kramdown's block attribute list).
fn is_block_ial(text: &str) -> bool {
    // Most text starts with a character that is neither `{` nor white space: no trimming.
    if text.as_bytes().first().is_some_and(|&b| b != b'{' && b.is_ascii() && !(b as char).is_whitespace()) {
        return false;
    }
    let t = text.trim();
    t.starts_with("{:")
        && !t[2..].starts_with([':', '/'])
        && t.ends_with('}')
        && !t[2..t.len() - 1].contains('}')
        && parse_attr_list(&t[2..t.len() - 1]).is_some()
}

/// `key="value" .class #id`, with straight or (after smart punctuation) curly quotes.
/// As in kramdown, what is not an attribute (a reference to a definition, a stray word)
/// is left out; `None` only for an unclosed quote.
fn parse_attr_list(list: &str) -> Option<Vec<(String, String)>> {
    let list: String = list
        .chars()
        .map(|c| match c {
            '\u{201c}' | '\u{201d}' => '"',
            '\u{2018}' | '\u{2019}' => '\'',
            c => c,
        })
        .collect();
    let mut attrs = Vec::new();
    let mut classes = Vec::new();
    let mut rest = list.trim();
    let name_end = |r: &str| r.find(|c: char| c.is_whitespace() || c == '.' || c == '#').unwrap_or(r.len());
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix('.') {
            let end = name_end(r);
            if end > 0 {
                classes.push(r[..end].to_string());
            }
            rest = r[end..].trim_start();
        } else if let Some(r) = rest.strip_prefix('#') {
            let end = name_end(r);
            if end > 0 {
                attrs.retain(|(k, _): &(String, String)| k != "id");
                attrs.push(("id".to_string(), r[..end].to_string()));
            }
            rest = r[end..].trim_start();
        } else {
            let word_end = rest.find(|c: char| c.is_whitespace() || c == '=').unwrap_or(rest.len());
            let key = rest[..word_end].to_string();
            let after = &rest[word_end..];
            let Some(after) = after.strip_prefix('=') else {
                // A reference to an attribute list definition, or a stray word.
                rest = after.trim_start();
                continue;
            };
            let (value, remaining) = match after.chars().next() {
                Some(q @ ('"' | '\'')) => {
                    let mut value = String::new();
                    let mut close = None;
                    let mut chars = after[1..].char_indices();
                    while let Some((i, c)) = chars.next() {
                        match c {
                            '\\' => {
                                if let Some((_, n)) = chars.next() {
                                    value.push(n);
                                }
                            }
                            c if c == q => {
                                close = Some(i + 1);
                                break;
                            }
                            c => value.push(c),
                        }
                    }
                    let close = close?;
                    (value, &after[close + 1..])
                }
                _ => {
                    let end = after.find(char::is_whitespace).unwrap_or(after.len());
                    (after[..end].to_string(), &after[end..])
                }
            };
            if !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == ':') {
                attrs.push((key, value));
            }
            rest = remaining.trim_start();
        }
    }
    if !classes.is_empty() {
        attrs.push(("class".to_string(), classes.join(" ")));
    }
    Some(attrs)
}

/// kramdown's table of contents: nested lists of links to the headings.
fn toc_html(headings: &[&Heading]) -> String {
    let mut html = String::from("<ul id=\"markdown-toc\">\n");
    let mut levels: Vec<u8> = Vec::new();
    for h in headings {
        match levels.last() {
            None => levels.push(h.level),
            Some(&top) if h.level > top => {
                html.push_str("\n<ul>\n");
                levels.push(h.level);
            }
            Some(_) => {
                while levels.len() > 1 && h.level < *levels.last().expect("non-empty") {
                    html.push_str("</li>\n</ul>\n");
                    levels.pop();
                }
                html.push_str("</li>\n");
            }
        }
        let id = escape_attr(&h.id);
        let _ = write!(html, "<li><a href=\"#{id}\" id=\"markdown-toc-{id}\">{}</a>", escape_attr(&h.title));
    }
    if !levels.is_empty() {
        html.push_str("</li>\n");
    }
    for _ in 1..levels.len() {
        html.push_str("</ul>\n</li>\n");
    }
    html.push_str("</ul>\n");
    html
}

/// ` key="value"` for each attribute.
fn attr_string(attrs: &[(String, String)]) -> String {
    attrs.iter().fold(String::new(), |mut s, (k, v)| {
        let _ = write!(s, " {}=\"{}\"", k, escape_attr(v));
        s
    })
}

/// Drops a `markdown="1"` (or `"block"`, `"span"`, `'1'`) attribute from an HTML tag.
fn strip_markdown_attr(html: &str) -> String {
    let mut out = html.to_string();
    for value in ["\"1\"", "\"block\"", "\"span\"", "'1'", "1"] {
        out = out.replace(&format!(" markdown={value}"), "");
    }
    out
}

pub fn escape_attr(text: &str) -> String {
    let mut s = String::with_capacity(text.len());
    let _ = escape_html(&mut s, text);
    s
}

/// An attribute value as the browser reads it: every character reference decoded.
pub(crate) fn decode_entities(value: &str) -> String {
    html_escape::decode_html_entities(value).into_owned()
}

#[cfg(test)]
mod tests;
