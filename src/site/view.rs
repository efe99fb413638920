//! The page as every template sees it: one [`PageView`], made in one place, read by the
//! layout (with the rendered [`Body`]), by theme includes, by `{{ page.X }}` in a page's
//! Markdown, by Liquid (as Jekyll shapes `page`, [`PageView::liquid`]) and by the pages
//! the build generates (tag pages, the tags index, 404, search). A new front-matter key
//! for templates is one field here, documented in docs/theme.md.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use super::Site;
use crate::content::Page;
use crate::markdown::Heading;

/// What templates see as `page`. Serialised as it stands for Tera; Liquid sees it in
/// Jekyll's shape ([`PageView::liquid`]).
#[derive(Debug, Clone, Serialize)]
pub(crate) struct PageView<'a> {
    pub title: &'a str,
    /// The page's URL, with base_url.
    pub url: String,
    pub summary: Option<&'a str>,
    pub keywords: &'a [String],
    /// Each tag with the URL of its page.
    pub tags: Vec<TagView<'a>>,
    /// The source file (`content/booking/overview.md`); `None` for generated pages.
    pub source: Option<String>,
    pub layout: Option<&'a str>,
    pub folder: Option<&'a str>,
    pub sidebar: Option<&'a str>,
    pub permalink: Option<&'a str>,
    pub toc: bool,
    /// Every other front-matter key, as written.
    pub extra: &'a BTreeMap<String, Value>,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct TagView<'a> {
    pub name: &'a str,
    pub url: String,
}

/// No tags, keywords or other keys: what a generated page has.
const NONE: &[String] = &[];

impl<'a> PageView<'a> {
    /// The view of a page of the site.
    pub(crate) fn of(site: &Site, page: &'a Page) -> PageView<'a> {
        let front = &page.front;
        PageView {
            title: &front.title,
            url: site.urls.page(&page.permalink),
            summary: front.summary.as_deref(),
            keywords: &front.keywords,
            tags: front.tags.iter().map(|t| TagView { name: t, url: site.urls.file(&super::tag_file(t)) }).collect(),
            source: Some(crate::content::to_slash(&page.source)),
            layout: front.layout.as_deref(),
            folder: front.folder.as_deref(),
            sidebar: front.sidebar.as_deref(),
            permalink: front.permalink.as_deref(),
            toc: front.toc,
            extra: &front.extra,
        }
    }

    /// The view of a page the build generates, at `url`: a title and nothing else. Its
    /// layout is `page` (a theme's `page.layout | default(value='page')` gave that when
    /// generated pages had no `layout` at all).
    pub(crate) fn generated(title: &'a str, url: String, extra: &'a BTreeMap<String, Value>) -> PageView<'a> {
        PageView {
            title,
            url,
            summary: None,
            keywords: NONE,
            tags: Vec::new(),
            source: None,
            layout: Some("page"),
            folder: None,
            sidebar: None,
            permalink: None,
            toc: false,
            extra,
        }
    }

    /// `page` as Jekyll's Liquid sees it: every front-matter key at the top (as written),
    /// then the view's fields, with `tags` as their names and `keywords` as the one string
    /// Jekyll sites write (`a, b`).
    pub(crate) fn liquid(&self) -> Value {
        let mut page: serde_json::Map<String, Value> = self.extra.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
        if let Ok(Value::Object(fields)) = serde_json::to_value(self) {
            page.extend(fields);
        }
        page.insert("tags".into(), self.tags.iter().map(|t| Value::from(t.name)).collect());
        page.insert("keywords".into(), Value::from(self.keywords.join(", ")));
        Value::Object(page)
    }
}

/// What a layout sees as `page`: the view and what rendering the page made.
#[derive(Serialize)]
pub(crate) struct LayoutPage<'a> {
    #[serde(flatten)]
    pub view: &'a PageView<'a>,
    #[serde(flatten)]
    pub body: Body<'a>,
}

/// The rendered page: there only once its Markdown has rendered, so only layouts see it.
#[derive(Serialize)]
pub(crate) struct Body<'a> {
    /// The page's HTML.
    pub content: &'a str,
    /// The h2 and h3 headings, in page order.
    pub headings: Vec<&'a Heading>,
    /// The same, nested for a table of contents.
    pub contents: Vec<ContentsEntry<'a>>,
}

impl<'a> Body<'a> {
    pub(crate) fn new(content: &'a str, headings: &'a [Heading]) -> Body<'a> {
        let headings: Vec<&Heading> = headings.iter().filter(|h| h.level == 2 || h.level == 3).collect();
        Body { content, contents: contents(&headings), headings }
    }

    /// A generated page's: nothing.
    pub(crate) fn empty() -> Body<'static> {
        Body { content: "", headings: Vec::new(), contents: Vec::new() }
    }
}

/// An entry of the table of contents: an h2 with the h3s under it, or an h3 that comes
/// before any h2. Nested here, in one pass, so a theme need not work the nesting out
/// from the flat list (which took quadratic time: 12 s for 10,000 headings).
#[derive(Serialize)]
pub(crate) struct ContentsEntry<'a> {
    id: &'a str,
    title: &'a str,
    children: Vec<ContentsEntry<'a>>,
}

fn contents<'a>(headings: &[&'a Heading]) -> Vec<ContentsEntry<'a>> {
    let mut entries: Vec<ContentsEntry<'a>> = Vec::new();
    let mut seen_h2 = false;
    for h in headings {
        let entry = ContentsEntry { id: &h.id, title: &h.title, children: Vec::new() };
        match entries.last_mut() {
            Some(parent) if h.level > 2 && seen_h2 => parent.children.push(entry),
            _ => entries.push(entry),
        }
        seen_h2 |= h.level == 2;
    }
    entries
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn liquid_sees_jekyll_shapes_and_front_matter_keys_at_the_top() {
        let extra: BTreeMap<String, Value> = [("tagName".to_string(), Value::from("fhir"))].into();
        let keywords = ["a".to_string(), "b".to_string()];
        let view = PageView {
            keywords: &keywords,
            tags: vec![TagView { name: "fhir", url: "/tags/fhir.html".into() }],
            ..PageView::generated("Guide", "/guide.html".into(), &extra)
        };
        let liquid = view.liquid();
        assert_eq!(liquid["tagName"], "fhir");
        assert_eq!(liquid["extra"]["tagName"], "fhir");
        assert_eq!(liquid["tags"], serde_json::json!(["fhir"]));
        assert_eq!(liquid["keywords"], "a, b");
        assert_eq!(liquid["title"], "Guide");
        let tera = serde_json::to_value(&view).unwrap();
        assert_eq!(tera["tags"], serde_json::json!([{"name": "fhir", "url": "/tags/fhir.html"}]));
        assert_eq!(tera["keywords"], serde_json::json!(["a", "b"]));
    }
}
