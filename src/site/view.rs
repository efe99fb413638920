//! What every template sees, made in one place each. The page: one [`PageView`], read by
//! the layout (with the rendered [`Body`]), by theme includes, by `{{ page.X }}` in a
//! page's Markdown, by Liquid (as Jekyll shapes `page`, [`PageView::liquid`]) and by the
//! pages the build generates (tag pages, the tags index, 404, search). The site: one
//! [`SiteView`], with its services as [`ServiceView`]s and other pages listed as
//! [`ListedPage`]s. A new front-matter key, site key or listing field for templates is one
//! field here, documented in docs/theme.md.

use std::collections::BTreeMap;

use serde::{Serialize, Serializer};
use serde_json::Value;

use super::Site;
use crate::config::{Colours, ServiceConfig};
use crate::content::{Page, Scope};
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

/// What templates see as `site`, the same for every page of a build. `tag_pages` is held
/// as `L`: Tera's copy is converted once per build with each page's [`ListedPage`] shared
/// between its tags' lists; JSON and Liquid list them as they serialise ([`TagPages`]).
#[derive(Debug, Clone, Serialize)]
pub(crate) struct SiteView<'a, L> {
    pub title: &'a str,
    pub description: Option<&'a str>,
    pub language: &'a str,
    pub footer: Option<&'a str>,
    pub base_url: &'a str,
    /// The home page of what is built: the portal's, or the one service's.
    pub home_url: String,
    pub assets_url: String,
    /// Empty when there is no search page.
    pub search_url: String,
    /// site.yaml's `extra:` (an imported site's `_config.yml` keys).
    pub extra: &'a BTreeMap<String, Value>,
    /// `content/_data`, as Jekyll's `site.data`.
    pub data: &'a Value,
    /// Empty when no page has tags.
    pub tags_url: String,
    pub services: Vec<ServiceView<'a>>,
    pub mode: &'static str,
    /// Each tag's pages: `{TAG: [ListedPage, ..]}`.
    pub tag_pages: L,
}

impl<'a, L> SiteView<'a, L> {
    /// The view of `site`; `search` says whether it has a search page.
    pub(crate) fn of(site: &'a Site, search: bool, tag_pages: L) -> SiteView<'a, L> {
        let (c, urls) = (&site.config, &site.urls);
        SiteView {
            title: &c.title,
            description: c.description.as_deref(),
            language: &c.language,
            footer: c.footer.as_deref(),
            base_url: &urls.base,
            home_url: match site.scope {
                Scope::Portal => urls.base.clone(),
                Scope::Service(_) => urls.service_home(None),
            },
            assets_url: urls.file("assets/"),
            search_url: if search { urls.file(crate::output::SEARCH_PAGE) } else { String::new() },
            extra: &c.extra,
            data: &site.data,
            tags_url: if site.tags.is_empty() { String::new() } else { urls.file("tags/index.html") },
            services: ServiceView::all(site),
            mode: match site.scope {
                Scope::Portal => "portal",
                Scope::Service(_) => "service",
            },
            tag_pages,
        }
    }
}

/// `site.tag_pages` listed as it is serialised, each entry made as it is written: what the
/// JSON and Liquid forms of the site hold.
pub(crate) struct TagPages<'a>(pub &'a Site);

impl Serialize for TagPages<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let site = self.0;
        serializer.collect_map(site.tags.iter().map(|(tag, pages)| (tag, Listing { site, pages })))
    }
}

/// One tag's pages, as [`TagPages`] lists them.
struct Listing<'a> {
    site: &'a Site,
    pages: &'a [usize],
}

impl Serialize for Listing<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let site = self.site;
        serializer.collect_seq(self.pages.iter().map(|&i| ListedPage::of(site, &site.content.pages[i])))
    }
}

/// Another page as a listing shows it (`site.tag_pages[TAG]`, `tag.pages`): only these
/// three, as a whole view per entry made a 3,000-page site's build take 40% more memory.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ListedPage<'a> {
    pub title: &'a str,
    pub url: String,
    pub summary: Option<&'a str>,
}

impl<'a> ListedPage<'a> {
    pub(crate) fn of(site: &Site, page: &'a Page) -> ListedPage<'a> {
        ListedPage {
            title: &page.front.title,
            url: site.urls.page(&page.permalink),
            summary: page.front.summary.as_deref(),
        }
    }
}

/// A service as templates see it (`service`, and each of `site.services`), and as a
/// shared page's title and summary name it while pages load.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ServiceView<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub short_name: &'a str,
    pub summary: Option<&'a str>,
    pub colours: &'a Colours,
    pub values: &'a BTreeMap<String, Value>,
    pub process: Option<&'a str>,
    /// Its home page: not there while pages load, before the site's URLs are known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

impl<'a> ServiceView<'a> {
    pub(crate) fn of(service: &'a ServiceConfig, url: Option<String>) -> ServiceView<'a> {
        ServiceView {
            id: &service.id,
            title: &service.title,
            short_name: service.short(),
            summary: service.summary.as_deref(),
            colours: &service.colours,
            values: &service.values,
            process: service.process.as_deref(),
            url,
        }
    }

    /// Every service of the site, in site.yaml's order, each with its home page.
    pub(crate) fn all(site: &'a Site) -> Vec<ServiceView<'a>> {
        let services = site.config.services.iter();
        services.map(|s| ServiceView::of(s, Some(site.urls.service_home(Some(&s.id))))).collect()
    }
}

/// A tag as the tags index lists it (`tags.html`'s `tags`).
#[derive(Debug, Clone, Serialize)]
pub(crate) struct TagIndexEntry<'a> {
    pub name: &'a str,
    pub slug: String,
    pub url: String,
    pub count: usize,
}

/// A tag as its own page sees it (`tag.html`'s `tag`), its pages held as `site.tag_pages`
/// holds them.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct TagPageView<'a, L> {
    pub name: &'a str,
    pub slug: String,
    pub url: String,
    pub pages: L,
}

/// The page in one service (`switcher`): the same page there if it exists, else that
/// service's home.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct SwitcherEntry<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub short_name: &'a str,
    pub url: String,
    /// Whether it is the page's own service.
    pub current: bool,
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

    /// The keys of a JSON object, in order.
    fn keys(value: &Value) -> Vec<&str> {
        value.as_object().map_or(Vec::new(), |o| o.keys().map(String::as_str).collect())
    }

    #[test]
    fn templates_and_liquid_see_every_site_key_and_listings_of_title_url_and_summary() {
        let root = env!("CARGO_MANIFEST_DIR");
        let (site, _) = Site::load(&super::super::LoadOptions::new(root)).expect("the bundled portal loads");
        let json = serde_json::to_value(SiteView::of(&site, true, TagPages(&site))).unwrap();
        let site_keys = [
            "title",
            "description",
            "language",
            "footer",
            "base_url",
            "home_url",
            "assets_url",
            "search_url",
            "extra",
            "data",
            "tags_url",
            "services",
            "mode",
            "tag_pages",
        ];
        assert_eq!(keys(&json), site_keys);
        assert_eq!(json["mode"], "portal");
        assert_eq!(json["search_url"], "/search.html");
        let service_keys = ["id", "title", "short_name", "summary", "colours", "values", "process", "url"];
        assert_eq!(keys(&json["services"][0]), service_keys);
        assert_eq!(json["services"][0]["url"], "/smsp/");
        // While pages load a service has no home yet, and no `url`.
        let loading = serde_json::to_value(ServiceView::of(&site.config.services[0], None)).unwrap();
        assert_eq!(keys(&loading), service_keys[..7]);

        let tags = json["tag_pages"].as_object().expect("tag_pages is a map");
        assert!(!tags.is_empty(), "the portal's pages have tags");
        for (tag, pages) in tags {
            let pages = pages.as_array().expect("a tag's pages are a list");
            assert_eq!(pages.len(), site.tags[tag].len(), "{tag}");
            for page in pages {
                assert_eq!(keys(page), ["title", "url", "summary"], "{tag}: {page}");
            }
        }

        // Tera sees the same keys (the same view); Liquid sees the same values (the portal
        // has no `extra:` keys to lift to the top).
        let tera = tera::Value::from_serializable(&SiteView::of(&site, true, TagPages(&site)));
        let tera_keys = tera.as_map().expect("site is a map").keys().filter_map(|k| k.as_str());
        assert_eq!(tera_keys.collect::<std::collections::BTreeSet<_>>(), site_keys.into());
        let liquid = crate::jekyll::liquid_site(&json);
        assert_eq!(liquid, json);
    }
}
