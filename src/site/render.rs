//! Renders a loaded [`Site`] into files (through a [`Sink`]) and an [`Output`] record of
//! every link and anchor, pages in parallel.

use std::cell::OnceCell;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::{Arc, OnceLock};

use rayon::prelude::*;
use serde_json::Value;
use tera::Context;

use super::nav::{resolve_sidebar_url, SidebarValues};
use super::sidebar::SidebarItem;
use super::view::{
    Body, LayoutPage, ListedPage, PageView, ServiceView, SiteView, SwitcherEntry, TagIndexEntry, TagPageView, TagPages,
};
use super::{tag_file, Site};
use crate::content::includes::{self, IncludeCall};
use crate::content::{Page, Scope};
use crate::diagnostics::{Diagnostic, Diagnostics, Kind, Location};
use crate::documents::{Documents, Kept};
use crate::markdown::{self, Highlighter, Hooks, LinkKind};
use crate::output::{
    AnchorRecord, Anchors, LinkOrigin, LinkRecord, Links, Output, PageAnchors, PageLinks, PageRecord, Reads, Sink,
};
use crate::spill::Spill;
use crate::theme::StaticSource;

/// What a command asks of the render, beside the loaded site: options travel with the
/// [`Site`], never written into it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RenderOptions {
    /// A search page, and the search box linking to it, when the theme has search;
    /// `--no-search` turns it off.
    pub search: bool,
    /// Each page's text kept in its record for the search index; `check` reads only the
    /// links and anchors, and saves the copy.
    pub index_text: bool,
    /// Each page's Markdown written out as HTML. `check` reads only what the render
    /// records (links, anchors, headings); its layouts get [`UNWRITTEN`] as the content.
    pub page_html: bool,
}

/// The content a layout gets when the page's HTML is not written (`check`): no link or
/// anchor, and the layout's own links are found around it as around the real content.
pub const UNWRITTEN: &str = "<!-- the page's content: not written by `signpost check` -->";

impl RenderOptions {
    /// What `build` and `serve` render: everything, text for the index included.
    pub const BUILD: RenderOptions = RenderOptions { search: true, index_text: true, page_html: true };
    /// What `check` renders: the pages' layouts as built (search box and all), without
    /// their text or the HTML of their Markdown.
    pub const CHECK: RenderOptions = RenderOptions { search: true, index_text: false, page_html: false };

    /// Whether pages link to a search page and the render writes one.
    pub fn search(&self, site: &Site) -> bool {
        self.search && site.has_search()
    }

    /// Whether pages keep their text and a search index is made of it.
    pub fn indexes(&self, site: &Site) -> bool {
        self.search(site) && self.index_text
    }
}

impl Default for RenderOptions {
    fn default() -> Self {
        RenderOptions::BUILD
    }
}

/// Renders every page and generated file into `sink`. With `aside`, each page's search
/// document is set aside there as the page renders, not kept in its record; with
/// `link_file`, each page's links.
pub fn render(
    site: &Site,
    options: RenderOptions,
    sink: &dyn Sink,
    highlighter: &Highlighter,
    aside: Option<Arc<Documents>>,
    link_file: Option<Arc<Spill>>,
) -> (Output, Diagnostics) {
    let renderer = Renderer { aside, link_file, ..Renderer::new(site, options) };
    let all: Vec<usize> = (0..site.content.pages.len()).collect();
    let ((mut output, mut diagnostics), (generated, generated_diagnostics)) =
        rayon::join(|| renderer.pages(&all, sink, highlighter), || renderer.generated(sink));
    // What the pages shared lists every page once per tag, as template values: freeing it
    // took 6 ms of a check of 10,000 pages on one thread, with the others waiting.
    crate::pipeline::free_aside(renderer.into_shared());
    output.paths.extend(generated.paths);
    output.sidebar_links = generated.sidebar_links;
    diagnostics.extend(generated_diagnostics);
    diagnostics.sort();
    (output, diagnostics)
}

/// The most pages one thread renders without another able to take some of them.
const PAGES_A_PIECE: usize = 8;

/// What rendering a page gives: its record and its warnings, or its errors.
type PageResult = Result<(PageRecord, Vec<Diagnostic>), Vec<Diagnostic>>;

/// Renders parts of a site: some pages, or the generated files. `serve` uses it to
/// re-render only what an edit touched; [`render`] renders everything.
pub struct Renderer<'s> {
    site: &'s Site,
    options: RenderOptions,
    shared: Shared,
    /// Made again by every renderer: a sidebar file may change where nothing [`Shared`]
    /// reads does.
    sidebars: SidebarValues<'s>,
    /// Where pages' search documents go as they render; in their records without it.
    aside: Option<Arc<Documents>>,
    /// Where pages' links go as they render; in their records without it.
    link_file: Option<Arc<Spill>>,
}

impl<'s> Renderer<'s> {
    pub fn new(site: &'s Site, options: RenderOptions) -> Self {
        Renderer::reusing(site, options, Shared::new(site, options))
    }

    /// A renderer that reuses what another computed for the whole site: `serve` passes
    /// it when an edit changed no configuration and no page's front matter, permalink or
    /// presence, which is all [`Shared`] reads, and the options are the same.
    pub fn reusing(site: &'s Site, options: RenderOptions, shared: Shared) -> Self {
        Renderer { site, options, shared, sidebars: SidebarValues::new(site), aside: None, link_file: None }
    }

    /// Pages' search documents go to `aside` as they render, not into their records.
    pub fn with_aside(self, aside: Option<Arc<Documents>>) -> Self {
        Renderer { aside, ..self }
    }

    /// What this renderer computed for the whole site, for [`Renderer::reusing`].
    pub fn into_shared(self) -> Shared {
        self.shared
    }

    /// Renders the pages at these indices of `site.content.pages`, in parallel.
    pub fn pages(&self, indices: &[usize], sink: &dyn Sink, highlighter: &Highlighter) -> (Output, Diagnostics) {
        let site = self.site;
        // In pieces of at most a few pages: rayon halves a range until each thread has a
        // piece, and again only where a piece is stolen, so one thread could be left with
        // a long run of pages (up to a quarter of them) to render while the others waited.
        let results: Vec<PageResult> = indices
            .par_iter()
            .with_max_len(PAGES_A_PIECE)
            .map(|&i| self.page(&site.content.pages[i], sink, highlighter))
            .collect();
        let mut output = Output::default();
        let mut diagnostics = Diagnostics::default();
        // Collected in place, in the results' own allocation: a list of records beside
        // the results was 40 MB more at the end of rendering 100,000 pages.
        output.pages = results
            .into_iter()
            .filter_map(|result| match result {
                Ok((record, warnings)) => {
                    diagnostics.extend(warnings);
                    Some(record)
                }
                Err(errors) => {
                    diagnostics.extend(errors);
                    None
                }
            })
            .collect();
        output.pages.sort_by(|a, b| a.file.cmp(&b.file));
        output.paths.extend(output.pages.iter().map(|record| record.file.clone()));
        (output, diagnostics)
    }

    /// Tag pages, the tags index, 404, sitemap, stylesheets and copied files.
    pub fn generated(&self, sink: &dyn Sink) -> (Output, Diagnostics) {
        let site = self.site;
        let shared = &self.shared;
        let mut output = Output::default();
        let mut diagnostics = Diagnostics::default();
        let mut generated: Vec<(String, Result<String, Diagnostic>)> =
            generated_pages(site, shared, self.options.search(site));
        generated.push(("assets/highlight.css".into(), Ok(markdown::highlight::stylesheet().to_string())));
        generated.push(("assets/diagram.css".into(), Ok(crate::process::DIAGRAM_CSS.to_string())));
        generated.push(("assets/diagram.js".into(), Ok(crate::process::DIAGRAM_JS.to_string())));
        generated.push(("sitemap.xml".into(), Ok(sitemap(site))));
        for (path, result) in generated {
            let written = result.and_then(|text| {
                sink.put(&path, text.into_bytes())
                    .map_err(|e| Diagnostic::error(Kind::Io, format!("cannot write {path}: {e}")))
            });
            match written {
                Ok(()) => {
                    output.paths.insert(path);
                }
                Err(d) => diagnostics.push(d),
            }
        }
        let theme_files = site.theme.static_files.iter().map(|(src, out)| (src, out.as_str()));
        let assets = site.content.assets.iter().map(|a| (StaticSource::Disk(a.source.clone()), a.output.as_str()));
        let assets: Vec<_> = assets.collect();
        for (source, out) in theme_files.chain(assets.iter().map(|(s, o)| (s, *o))) {
            let copied = match source {
                StaticSource::Disk(path) => sink.copy(out, &site.root.join(path)),
                StaticSource::Embedded(bytes) => sink.put(out, bytes.to_vec()),
            };
            match copied {
                Ok(()) => {
                    output.paths.insert(out.to_string());
                }
                Err(e) => diagnostics.push(Diagnostic::error(Kind::Io, format!("cannot copy {out}: {e}"))),
            }
        }
        output.sidebar_links = sidebar_links(site);
        (output, diagnostics)
    }
}

/// What every page shares, computed once per build.
pub struct Shared {
    /// `site` ([`SiteView`]) converted for templates once per build: a page's context then
    /// holds a reference-counted copy instead of a fresh conversion of every page of the
    /// site. `service` is one of its `services`.
    site: tera::Value,
    /// Whether the site has a search page, to make the same view again for the forms below.
    search: bool,
    /// `site` as JSON, as `{{ site.* }}` in a page's Markdown reads it; as Jekyll's Liquid
    /// sees it (`_config.yml` keys at the top); and each service as JSON, for `service`.
    /// Each made once, when a Liquid block or site include first needs it, and borrowed by
    /// the rest: `tag_pages` lists every page once per tag, most of the value on a large
    /// site, and a site without Liquid never lists them again.
    json: OnceLock<Value>,
    liquid: OnceLock<Value>,
    services: OnceLock<Vec<Value>>,
    /// Output files of pages, to find the same page in another service.
    files: BTreeSet<String>,
}

impl Shared {
    fn new(site: &Site, options: RenderOptions) -> Shared {
        let search = options.search(site);
        // `tag_pages` lists every page once per tag: most of the value on a large site, so
        // each page's entry is converted for templates once, in parallel, and shared by
        // its tags' lists (a template value's map is reference-counted, and converting the
        // view keeps the lists already converted, by reference).
        let entries: Vec<Option<tera::Value>> = site
            .content
            .pages
            .par_iter()
            .map(|p| (!p.front.tags.is_empty()).then(|| tera::Value::from_serializable(&ListedPage::of(site, p))))
            .collect();
        let tag_pages: BTreeMap<&str, tera::Value> = site
            .tags
            .iter()
            .map(|(tag, pages)| {
                let listed = pages.iter().filter_map(|&i| entries[i].clone());
                (tag.as_str(), tera::Value::from(listed.collect::<Vec<_>>()))
            })
            .collect();
        drop(entries);
        let files = site.content.pages.iter().map(|p| p.permalink.file().to_string()).collect();
        Shared {
            site: tera::Value::from_serializable(&SiteView::of(site, search, tag_pages)),
            search,
            json: OnceLock::new(),
            liquid: OnceLock::new(),
            services: OnceLock::new(),
            files,
        }
    }

    /// `site` as JSON. `serve` reuses a `Shared` only while nothing it reads changed, so
    /// the listings made later are those of the site it was made for.
    fn site_value(&self, site: &Site) -> &Value {
        self.json.get_or_init(|| json(&SiteView::of(site, self.search, TagPages(site))))
    }

    fn liquid_site(&self, site: &Site) -> &Value {
        self.liquid.get_or_init(|| crate::jekyll::liquid_site(self.site_value(site)))
    }

    /// The page's service as JSON, for Liquid and `{{ service.X }}`.
    fn service_value(&self, site: &Site, service: Option<&str>) -> Option<&Value> {
        let services = self.services.get_or_init(|| ServiceView::all(site).iter().map(json).collect());
        services.get(service_index(site, service)?)
    }

    /// The page's service as templates read it: one of `site.services`, shared.
    fn service_template(&self, site: &Site, service: Option<&str>) -> tera::Value {
        let services = self.site.as_map().and_then(|m| m.get(&"services".into())).and_then(tera::Value::as_array);
        service_index(site, service)
            .and_then(|i| services?.get(i))
            .cloned()
            .unwrap_or_else(|| tera::Value::from_serializable(&()))
    }

    /// `site.tag_pages[tag]`, as converted for templates once per build.
    fn tag_pages(&self, tag: &str) -> tera::Value {
        let tags = self.site.as_map().and_then(|m| m.get(&"tag_pages".into())).and_then(tera::Value::as_map);
        tags.and_then(|t| t.get(&tag.to_string().into()))
            .cloned()
            .unwrap_or_else(|| tera::Value::from(Vec::<tera::Value>::new()))
    }
}

/// Where a service is in site.yaml's list, as `site.services` lists them.
fn service_index(site: &Site, service: Option<&str>) -> Option<usize> {
    site.config.services.iter().position(|s| Some(s.id.as_str()) == service)
}

/// A view as JSON. Views have only string keys, which is all that could fail.
fn json(view: &impl serde::Serialize) -> Value {
    serde_json::to_value(view).unwrap_or_default()
}

impl Renderer<'_> {
    fn page(
        &self,
        page: &Page,
        sink: &dyn Sink,
        highlighter: &Highlighter,
    ) -> Result<(PageRecord, Vec<Diagnostic>), Vec<Diagnostic>> {
        render_page(self, page, sink, highlighter)
    }
}

fn render_page(
    renderer: &Renderer<'_>,
    page: &Page,
    sink: &dyn Sink,
    highlighter: &Highlighter,
) -> Result<(PageRecord, Vec<Diagnostic>), Vec<Diagnostic>> {
    let (site, options, shared, sidebars) = (renderer.site, renderer.options, &renderer.shared, &renderer.sidebars);
    let body = page.body(&site.root).map_err(|d| vec![d])?;
    let lines = LineIndex::new(&body);
    // Every position recorded in the page shares this one copy of its path.
    let source: std::sync::Arc<Path> = page.source.as_path().into();
    let at = |offset: usize| lines.location(&source, offset, page.body_line);
    let service = page.service.as_deref();
    // What every template, include and Liquid block of the page sees as `page`; Liquid's
    // shape of it is made only for a page whose tags read it.
    let view = PageView::of(site, page);
    let liquid_page = OnceCell::new();
    let page_url = view.url.clone();

    let mut tags = PageTags {
        site,
        shared,
        page,
        view: &view,
        liquid_page: &liquid_page,
        at: &at,
        placements: Vec::new(),
        warnings: Vec::new(),
        reads: Reads::default(),
    };
    let expanded = includes::expand(&body, &mut tags).map_err(|errors| {
        errors
            .into_iter()
            .map(|e| match e {
                includes::Error::Include(d) => d,
                includes::Error::Tag(t) => {
                    Diagnostic::error(Kind::Liquid, t.message).at(at(t.offset)).spanning(2).hint(t.hint)
                }
            })
            .collect::<Vec<_>>()
    })?;

    let rewrite = |t: &str| site.urls.link(t, service);
    let placements = std::mem::take(&mut tags.placements);
    let reads = std::mem::take(&mut tags.reads);
    let back_links = back_links(page, &placements);
    // Only kept when an index will be written: it is a copy of the page's text.
    let indexed = page.front.search && options.indexes(site);
    // `check` needs only what the render records, not the page's HTML, when the theme
    // writes the content as it is given (then the links and anchors are the same).
    let html = options.page_html || !site.theme.writes_content_verbatim();
    let hooks = Hooks { rewrite: &rewrite, back_links: &back_links, sections: indexed, html };
    let mut md = if is_html(page) {
        html_content(&expanded.text)
    } else {
        markdown::render(&expanded.text, highlighter, &hooks)
    };
    // An HTML page's content is its text, there either way. Blank stays blank, for a
    // layout's `{% if page.content %}`.
    if !html && !is_html(page) && !md.blank {
        md.html = UNWRITTEN.to_string();
    }
    // Nothing inside an HTML comment is shown, so nothing there is a link or an anchor;
    // the Markdown renderer sees a comment's lines one at a time, so they are dropped here.
    let comments = crate::content::html_comments(&expanded.text);
    let in_comment = |offset: usize| comments.iter().any(|c| c.contains(&offset));
    if !comments.is_empty() {
        md.links.retain(|l| !in_comment(l.offset));
        md.anchors.retain(|a| !in_comment(a.offset));
    }

    let source_at = |offset: usize| at(expanded.map.source_offset(offset));
    let links = std::mem::take(&mut md.links)
        .into_iter()
        .map(|l| {
            let origin = if expanded.map.is_generated(l.offset) {
                LinkOrigin::Include
            } else {
                match l.kind {
                    LinkKind::Link => LinkOrigin::Markdown,
                    LinkKind::Image => LinkOrigin::Image,
                    LinkKind::Html => LinkOrigin::Html,
                }
            };
            LinkRecord {
                len: if origin == LinkOrigin::Include { 2 } else { l.target.chars().count().max(1) },
                written: l.target,
                href: l.href,
                origin,
                location: source_at(l.offset),
            }
        })
        .collect();
    let mut links: Vec<LinkRecord> = links;
    let mut anchors: Vec<AnchorRecord> = Vec::new();
    // The diagram's wrapper id comes from scanning its HTML, like any id an include writes.
    for placed in &placements {
        for stage in &placed.placement.stage_links {
            links.push(LinkRecord {
                written: stage.href.clone(),
                href: site.urls.link(&stage.href, service).unwrap_or_else(|| stage.href.clone()),
                origin: LinkOrigin::Stage,
                location: stage.location.clone(),
                len: stage.href.chars().count(),
            });
        }
    }
    anchors.extend(
        std::mem::take(&mut md.anchors)
            .into_iter()
            .map(|a| AnchorRecord { location: Some(source_at(a.offset)), id: a.id }),
    );

    let document = indexed.then(|| crate::output::Document {
        url: page_url.clone(),
        service: page.service.clone(),
        title: page.front.title.clone(),
        summary: page.front.summary.clone(),
        keywords: page.front.keywords.clone(),
        tags: page.front.tags.clone(),
        sections: std::mem::take(&mut md.sections),
        stages: placements.iter().flat_map(|p| p.stages.iter().cloned()).collect(),
    });
    let search = match (document, &renderer.aside) {
        (Some(document), Some(aside)) => Some(aside.set_aside(document).map_err(|e| {
            vec![Diagnostic::error(
                Kind::Io,
                format!("cannot set aside the search text of {}: {e}", page.source.display()),
            )]
        })?),
        (document, None) => document.map(Kept::held),
        (None, _) => None,
    };
    let layout_page = LayoutPage { view: &view, body: Body::new(&md.html, &md.headings) };
    let mut warnings = std::mem::take(&mut tags.warnings);
    let sidebar = sidebars.for_page(site.sidebar_name(page), service, &page_url);
    let mut ctx = Context::new();
    ctx.insert_value("site", shared.site.clone());
    ctx.insert_value("service", shared.service_template(site, service));
    ctx.insert("page", &layout_page);
    ctx.insert_value("sidebar", sidebar);
    ctx.insert("switcher", &switcher(site, shared, page));
    let template = layout_template(site, page.front.layout.as_deref(), &mut warnings, page);
    let html = site.theme.render(&template, &ctx).map_err(|d| vec![d])?;
    let content = layout_page.body.content;
    let layout = Layout { site, template: &template };
    layout.links(&html, content, &mut links, &mut anchors);
    sink.put(page.permalink.file(), html.into_bytes())
        .map_err(|e| vec![Diagnostic::error(Kind::Io, format!("cannot write {}: {e}", page.permalink.file()))])?;
    // Records stay until the site is checked and indexed: packed into bytes, not kept
    // as structs of two strings each (most of a 100,000-page build's memory).
    let record = PageRecord {
        file: page.permalink.file().to_string(),
        url: page_url,
        source: page.source.clone(),
        service: page.service.clone(),
        shared: page.shared,
        links: PageLinks::new(Links::pack(&links), renderer.link_file.as_ref()),
        anchors: PageAnchors::new(Anchors::pack(&anchors), renderer.link_file.as_ref()),
        search,
        reads: reads.into(),
        warnings: warnings.clone(),
    };
    Ok((record, warnings))
}

/// A page written in HTML (`guide.html` with front matter): Liquid has run, Markdown does
/// not, as in Jekyll. Its ids are anchors like any other.
fn is_html(page: &Page) -> bool {
    !crate::content::is_markdown(&page.source)
}

fn html_content(html: &str) -> markdown::Rendered {
    let anchors = crate::markdown::html_scan::attributes(html)
        .into_iter()
        .filter(|attr| attr.name == "id" || (attr.name == "name" && attr.in_tag("a")))
        .map(|attr| markdown::FoundAnchor { id: crate::markdown::decode_entities(attr.value), offset: attr.offset })
        .filter(|a| !a.id.is_empty())
        .collect();
    markdown::Rendered {
        html: html.to_string(),
        blank: html.is_empty(),
        headings: Vec::new(),
        links: Vec::new(),
        anchors,
        sections: Vec::new(),
    }
}

/// The layout a page was rendered with.
struct Layout<'a> {
    site: &'a Site,
    template: &'a str,
}

impl Layout<'_> {
    /// The links and ids the layout writes around the page's content: each link is
    /// checked like any other, at the template attribute that wrote it
    /// (`Theme::link_source`). Links made only of values (sidebar entries, page and tag
    /// URLs) are checked where those are written, so they are not recorded again here.
    fn links(&self, html: &str, content: &str, links: &mut Vec<LinkRecord>, anchors: &mut Vec<AnchorRecord>) {
        // The content is one piece of the page; a layout that changes it on the way in
        // (a filter) is scanned whole, without the links the content already recorded.
        let at = find_whole(html, content);
        let parts = match at {
            Some(at) => [&html[..at], &html[at + content.len()..]],
            None => [html, ""],
        };
        let recorded: std::collections::HashSet<String> =
            if at.is_none() { links.iter().map(|l| l.href.clone()).collect() } else { Default::default() };
        // So are its ids, which would otherwise each be found twice: each as many times as
        // the content has it, so an id the layout writes again is still a duplicate.
        let mut recorded_ids: std::collections::HashMap<String, usize> = Default::default();
        if at.is_none() {
            for a in anchors.iter() {
                *recorded_ids.entry(a.id.clone()).or_default() += 1;
            }
        }
        let mut already_recorded = |id: &str| match recorded_ids.get_mut(id) {
            Some(n) if *n > 0 => {
                *n -= 1;
                true
            }
            _ => false,
        };
        for part in parts {
            for attr in crate::markdown::html_scan::attributes(part) {
                let value = html_escape::decode_html_entities(attr.value);
                match attr.name {
                    // `name` is an anchor on `<a>` only (`<meta name>` is not one).
                    "id" | "name"
                        if (attr.name == "id" || attr.in_tag("a"))
                            && !value.is_empty()
                            && !already_recorded(&value) =>
                    {
                        anchors.push(AnchorRecord { id: value.into_owned(), location: None })
                    }
                    "href" | "src" if !value.is_empty() && !recorded.contains(value.as_ref()) => {
                        let (location, len) = match self.site.theme.link_source(&value) {
                            crate::theme::LinkSource::Values => continue,
                            crate::theme::LinkSource::Written { location, len } => (location, len),
                            crate::theme::LinkSource::Unknown => {
                                (Location::new(self.site.theme.dir.join("templates").join(self.template), 1, 1), 1)
                            }
                        };
                        links.push(LinkRecord {
                            written: value.to_string(),
                            href: value.into_owned(),
                            origin: LinkOrigin::Template,
                            location,
                            len,
                        });
                    }
                    _ => {}
                }
            }
        }
    }
}

/// Where `needle` occurs whole in `haystack`: found by its first few bytes and then
/// compared, as preparing a search for the whole of a long needle costs more than the
/// search (a tenth of `check` on 10,000 pages).
fn find_whole(haystack: &str, needle: &str) -> Option<usize> {
    if needle.is_empty() {
        return None;
    }
    let mut head = needle.len().min(64);
    while !needle.is_char_boundary(head) {
        head -= 1;
    }
    memchr::memmem::find_iter(haystack.as_bytes(), &needle.as_bytes()[..head])
        .find(|&at| haystack[at..].starts_with(needle))
}

fn layout_template(site: &Site, layout: Option<&str>, warnings: &mut Vec<Diagnostic>, page: &Page) -> String {
    match layout {
        None | Some("page" | "default" | "") => "page.html".into(),
        Some(name) => {
            let template = format!("{name}.html");
            if site.theme.has_template(&template) {
                template
            } else {
                warnings.push(
                    Diagnostic::warning(Kind::Layout, format!("layout `{name}` not found; using page.html"))
                        .at(Location::new(&page.source, 1, 1))
                        .hint(format!("add {}/templates/{template} or remove `layout:`", site.theme.dir.display())),
                );
                "page.html".into()
            }
        }
    }
}

/// What the tags of one page render to: includes from the theme, and `{{ site.X }}`,
/// `{{ page.X }}` and `{{ service.X }}` values.
struct PageTags<'a> {
    site: &'a Site,
    shared: &'a Shared,
    page: &'a Page,
    view: &'a PageView<'a>,
    /// `view` in Jekyll's shape, for Liquid and `{{ page.X }}`, made when first read.
    liquid_page: &'a OnceCell<Value>,
    at: &'a dyn Fn(usize) -> Location,
    /// Diagrams the page places, with the offset of their include tags.
    placements: Vec<Placed>,
    /// What the page's tags could not do as Jekyll would, reported with the page.
    warnings: Vec<Diagnostic>,
    /// What the tags read, for `serve` to know when to render the page again.
    reads: Reads,
}

struct Placed {
    placement: crate::process::Placement,
    /// The stages as the search index holds them.
    stages: Vec<crate::output::StageEntry>,
}

/// Whether Liquid code names the variable `site` (as a word: `site.x`, `site["x"]`,
/// `site | jsonify`, not `website`). Only through it can a page read the listings.
fn mentions_site(code: &str) -> bool {
    code.match_indices("site").any(|(i, _)| {
        let word = |c: char| c.is_alphanumeric() || c == '_' || c == '-';
        let before = code[..i].chars().next_back().is_none_or(|c| !word(c) && c != '.');
        let after = code[i + 4..].chars().next().is_none_or(|c| !word(c));
        before && after
    })
}

/// Sections a placed diagram's stages link to on this page end with a link back to it.
fn back_links(page: &Page, placements: &[Placed]) -> BTreeMap<String, String> {
    let own_file = page.permalink.file().rsplit('/').next().unwrap_or("");
    let mut map = BTreeMap::new();
    for placed in placements {
        for stage in &placed.placement.stage_links {
            let (path, anchor) = stage.href.split_once('#').unwrap_or((&stage.href, ""));
            let same_page = path.is_empty() || path == own_file;
            if same_page && !anchor.is_empty() {
                map.entry(anchor.to_string()).or_insert_with(|| placed.placement.wrapper_id.clone());
            }
        }
    }
    map
}

impl PageTags<'_> {
    /// `{% include process.html id="booking" %}` draws the process `diagrams/booking.yaml`.
    fn place_process(&mut self, call: &IncludeCall) -> Result<String, Diagnostic> {
        let at = (self.at)(call.span.start);
        let Some(id) = call.params.iter().find(|(k, _)| k == "id").map(|(_, v)| v.as_str()) else {
            return Err(Diagnostic::error(Kind::UnknownProcess, "the process include names no process")
                .at(at)
                .spanning(call.span.len())
                .hint("write {% include process.html id=\"ID\" %} with the id of a file in diagrams/"));
        };
        self.reads.processes.insert(id.to_string());
        let Some(process) = self.site.processes.get(id) else {
            let known: Vec<&str> = self.site.processes.keys().map(String::as_str).collect();
            return Err(Diagnostic::error(Kind::UnknownProcess, format!("no process `{id}` in diagrams/"))
                .at(at)
                .spanning(call.span.len())
                .hint(if known.is_empty() {
                    format!("create diagrams/{id}.yaml")
                } else {
                    format!("the processes are: {}", known.join(", "))
                }));
        };
        let placement = crate::process::place(process);
        let html = placement.html.clone();
        let page_url = self.site.urls.page(&self.page.permalink);
        let stages =
            super::stages::placed_stages(process, &placement, &page_url, &self.site.urls, self.page.service.as_deref());
        self.placements.push(Placed { placement, stages });
        Ok(html)
    }
}

impl PageTags<'_> {
    /// `{% include drawing.html id="architecture" %}` draws `diagrams/architecture.drawio`
    /// as SVG from its own geometry (a picture, not a process).
    fn place_drawing(&mut self, call: &IncludeCall) -> Result<String, Diagnostic> {
        let param = |name: &str| call.params.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
        let id = param("id").unwrap_or_default();
        self.reads.drawings.insert(id.to_string());
        crate::process::drawio::drawing_html(&self.site.root, id, param("title")).map_err(|e| {
            let hint = match &e {
                crate::process::drawio::DrawingError::Unreadable { .. } => {
                    "open the file in draw.io and save it again, or remove the include".to_string()
                }
                _ => "write {% include drawing.html id=\"ID\" %} with the name of a .drawio file in diagrams/".into(),
            };
            Diagnostic::error(Kind::UnknownDrawing, e.to_string())
                .at((self.at)(call.span.start))
                .spanning(call.span.len())
                .hint(hint)
        })
    }
}

impl<'a> PageTags<'a> {
    fn liquid_page(&self) -> &'a Value {
        let view = self.view;
        self.liquid_page.get_or_init(|| view.liquid())
    }
}

impl includes::Tags for PageTags<'_> {
    type Error = Diagnostic;

    fn include(&mut self, call: &IncludeCall) -> Result<String, Diagnostic> {
        self.reads.includes.insert(call.name.trim_start_matches('/').to_string());
        if call.name == "process.html" && !self.site.theme.has_include("process.html") {
            return self.place_process(call);
        }
        if call.name == "drawing.html" && !self.site.theme.has_include("drawing.html") {
            return self.place_drawing(call);
        }
        // A site include runs Liquid with every site value in reach.
        if self.site.root.join(crate::jekyll::INCLUDES_DIR).join(call.name.trim_start_matches('/')).is_file() {
            self.reads.listings = true;
        }
        let page = IncludePage { page: self.page, view: self.view, liquid: self.liquid_page() };
        render_include(self.site, self.shared, &page, call, self.at, &mut self.warnings)
    }

    fn include_relative(&mut self, file: &str, span: std::ops::Range<usize>) -> Result<Option<String>, Diagnostic> {
        if let Ok(path) = crate::jekyll::relative_path(&self.page.source, file) {
            self.reads.relative.insert(path);
        }
        let at = (self.at)(span.start);
        crate::jekyll::include_relative_tag(&self.site.root, &self.page.source, file, at, span.len()).map(Some)
    }

    /// Liquid blocks and filters (Jekyll pages): see `crate::jekyll`.
    fn liquid(&mut self, template: &str, span: std::ops::Range<usize>) -> Result<Option<String>, Diagnostic> {
        // Listings are reached through `site` (or an include, recorded above): Liquid
        // that never names it reads none.
        self.reads.listings |= mentions_site(template) || template.contains("include");
        let service = self.shared.service_value(self.site, self.page.service.as_deref());
        let globals = crate::jekyll::page_globals(self.shared.liquid_site(self.site), self.liquid_page(), service);
        let at = (self.at)(span.start);
        let site = self.site;
        crate::jekyll::render_liquid(self, template, &globals, span, at, &site.config.liquid)
    }

    fn variable(&mut self, expression: &str, span: std::ops::Range<usize>) -> Result<Option<String>, Diagnostic> {
        self.reads.listings |= mentions_site(expression);
        let mut path = expression.split('.');
        let root = match path.next() {
            Some("site") => self.shared.site_value(self.site),
            Some("page") => self.liquid_page(),
            Some("service") => match self.shared.service_value(self.site, self.page.service.as_deref()) {
                Some(service) => service,
                None => {
                    return Err(Diagnostic::error(
                        Kind::UnknownVariable,
                        format!("`{expression}`: this page has no service"),
                    )
                    .at((self.at)(span.start))
                    .spanning(span.len())
                    .hint("only pages in a service's folder or in content/_shared have `service`"));
                }
            },
            // Other Liquid (loop variables, filters) is not Signpost's: leave it as written.
            _ => return Ok(None),
        };
        if expression.contains(['|', ' ', '[']) {
            return Ok(None);
        }
        let (mut name, mut rest) = expression.split_once('.').unwrap_or((expression, ""));
        let mut root = root;
        // `site.KEY` is a `_config.yml` key first, as in Jekyll (see `crate::jekyll::site_key`).
        if name == "site" {
            let (key, after) = rest.split_once('.').unwrap_or((rest, ""));
            if let Some(value) = crate::jekyll::site_key(self.shared.site_value(self.site), key) {
                (root, rest) = (value, after);
                name = &expression[..name.len() + 1 + key.len()];
            }
        }
        crate::content::value_text_under(Some(name), root, rest).map(Some).map_err(|unknown| {
            Diagnostic::error(Kind::UnknownVariable, format!("`{expression}` is not defined"))
                .at((self.at)(span.start))
                .spanning(span.len())
                .hint(unknown.hint())
        })
    }
}

/// Renders `{% include NAME %}`: the site's own include (ROOT/_includes/NAME, as a Jekyll
/// site has them) if there is one, else the theme's. As in Jekyll, `/examples/a.xml` is
/// `examples/a.xml` under the includes folder.
fn render_include(
    site: &Site,
    shared: &Shared,
    IncludePage { page, view, liquid }: &IncludePage<'_>,
    call: &IncludeCall,
    at: &dyn Fn(usize) -> Location,
    warnings: &mut Vec<Diagnostic>,
) -> Result<String, Diagnostic> {
    let name = call.name.trim_start_matches('/');
    // Rendered with Liquid, borrowing the site's values.
    if site.root.join(crate::jekyll::INCLUDES_DIR).join(name).is_file() {
        let service = shared.service_value(site, page.service.as_deref());
        let globals = crate::jekyll::page_globals(shared.liquid_site(site), liquid, service);
        let own = IncludeCall { name: name.to_string(), params: call.params.clone(), span: call.span.clone() };
        let found = crate::jekyll::site_include(&site.root, &own, &globals, at(call.span.start), &site.config.liquid);
        if let Some(result) = found {
            // HTML (and SVG drawings, which are markup placed in the page) goes through
            // Markdown like any include; other files (JSON and XML examples, usually
            // inside a code fence) keep their lines as written.
            let html = name.ends_with(".html") || name.ends_with(".svg");
            match result {
                Ok(text) => return Ok(if html { splice_safe(&text) } else { text.trim_end().to_string() }),
                // Jekyll ran this include; where Signpost's Liquid cannot, the theme's
                // include of the same name stands in, with the reason as a warning.
                Err(d) if d.kind == Kind::Liquid && site.theme.has_include(name) => warnings.push(Diagnostic {
                    severity: crate::diagnostics::Severity::Warning,
                    kind: Kind::IncludeFallback,
                    hint: Some(format!(
                        "the theme's {name} is used instead of {}/{name}; correct the Liquid there",
                        crate::jekyll::INCLUDES_DIR
                    )),
                    ..d
                }),
                Err(d) => return Err(d),
            }
        }
    }
    if !site.theme.has_include(name) {
        return Err(Diagnostic::error(Kind::UnknownInclude, format!("no include named `{}`", call.name))
            .at(at(call.span.start))
            .spanning(call.span.len())
            .hint(format!(
                "looked in {} and {}; add {} there or correct the name",
                site.theme.include_dir().display(),
                crate::jekyll::INCLUDES_DIR,
                call.name
            )));
    }
    let params: serde_json::Map<String, Value> =
        call.params.iter().map(|(k, v)| (k.clone(), Value::String(v.clone()))).collect();
    let mut ctx = Context::new();
    ctx.insert("include", &params);
    ctx.insert("page", view);
    ctx.insert_value("site", shared.site.clone());
    ctx.insert_value("service", shared.service_template(site, page.service.as_deref()));
    let html = site.theme.render_include(name, &ctx)?;
    Ok(splice_safe(&html))
}

/// The page an include is called from, and its view in either shape.
struct IncludePage<'a> {
    page: &'a Page,
    view: &'a PageView<'a>,
    liquid: &'a Value,
}

/// Include output is spliced into Markdown before parsing: blank lines would end an HTML
/// block and indented lines would become code, so both go (unless the HTML holds `<pre>`).
fn splice_safe(html: &str) -> String {
    if html.contains("<pre") {
        return html.trim().to_string();
    }
    html.lines().map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>().join("\n")
}

/// The same page in each service where it exists, else that service's home.
fn switcher<'a>(site: &'a Site, shared: &Shared, page: &Page) -> Vec<SwitcherEntry<'a>> {
    let local = match (&site.scope, page.service.as_deref()) {
        (Scope::Portal, Some(s)) => {
            page.permalink.file().strip_prefix(&format!("{s}/")).unwrap_or(page.permalink.file())
        }
        _ => page.permalink.file(),
    };
    site.config
        .services
        .iter()
        .map(|s| {
            let url = match &site.scope {
                Scope::Portal if shared.files.contains(&format!("{}/{local}", s.id)) => {
                    site.urls.file(&format!("{}/{local}", s.id))
                }
                Scope::Service(own) if *own == s.id => site.urls.file(local),
                Scope::Service(_) => format!("{}{}/{local}", site.urls.portal, s.id),
                Scope::Portal => site.urls.service_home(Some(&s.id)),
            };
            let current = page.service.as_deref() == Some(s.id.as_str());
            SwitcherEntry { id: &s.id, title: &s.title, short_name: s.short(), url, current }
        })
        .collect()
}

/// Tag pages, the tags index and the 404 page.
fn generated_pages(site: &Site, shared: &Shared, search: bool) -> Vec<(String, Result<String, Diagnostic>)> {
    let render = |path: String, template: &str, title: &str, extra: Vec<(&'static str, tera::Value)>| {
        let mut ctx = Context::new();
        ctx.insert_value("site", shared.site.clone());
        ctx.insert("service", &Value::Null);
        ctx.insert("sidebar", &Value::Null);
        ctx.insert("switcher", &Vec::<SwitcherEntry>::new());
        let none = BTreeMap::new();
        let view = PageView::generated(title, site.urls.file(&path), &none);
        ctx.insert("page", &LayoutPage { view: &view, body: Body::empty() });
        for (k, v) in extra {
            ctx.insert_value(k, v);
        }
        let html = site.theme.render(template, &ctx);
        (path, html)
    };
    // One page per tag, each listing its pages: on a large site, as many entries as pages.
    let tags: Vec<(&String, &Vec<usize>)> = site.tags.iter().collect();
    let (mut out, index): (Vec<_>, Vec<TagIndexEntry>) = tags
        .par_iter()
        .map(|&(tag, pages)| {
            let (slug, url) = (super::tag_slug(tag), site.urls.file(&tag_file(tag)));
            // The page list is the one `site.tag_pages` holds, already converted, and shared.
            let view = TagPageView { name: tag, slug: slug.clone(), url: url.clone(), pages: shared.tag_pages(tag) };
            let entry = TagIndexEntry { name: tag, slug, url, count: pages.len() };
            let title = format!("Pages tagged “{tag}”");
            let extra = vec![("tag", tera::Value::from_serializable(&view))];
            (render(tag_file(tag), "tag.html", &title, extra), entry)
        })
        .unzip();
    if !site.tags.is_empty() {
        out.push(render(
            "tags/index.html".into(),
            "tags.html",
            "Tags",
            vec![("tags", tera::Value::from_serializable(&index))],
        ));
    }
    out.push(render("404.html".into(), "404.html", "Page not found", vec![]));
    if search {
        out.push(render(crate::output::SEARCH_PAGE.into(), "search.html", "Search", vec![]));
    }
    out
}

/// The sitemap protocol asks for full URLs: a page's URL under site.yaml's `url` (a
/// `base_url` that is a full URL gives them already). Without `url` it lists paths, and
/// `signpost build` says so.
fn sitemap(site: &Site) -> String {
    // Its scheme and host: the path is base_url's, which page URLs hold already.
    let host = site.config.url.as_deref().map_or("", |u| {
        let path = u.find("://").and_then(|s| u[s + 3..].find('/').map(|p| s + 3 + p));
        path.map_or(u, |p| &u[..p])
    });
    let absolute = |url: String| if url.contains("://") { url } else { format!("{host}{url}") };
    let mut urls: Vec<String> = site.content.pages.iter().map(|p| absolute(site.urls.page(&p.permalink))).collect();
    urls.sort();
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for url in urls {
        xml.push_str("  <url><loc>");
        xml.push_str(&markdown::escape_attr(&url));
        xml.push_str("</loc></url>\n");
    }
    xml.push_str("</urlset>\n");
    xml
}

/// Every link written in a sidebar file that some page shows, once each.
fn sidebar_links(site: &Site) -> Vec<LinkRecord> {
    let mut used: BTreeMap<&str, Option<&str>> = BTreeMap::new();
    for page in &site.content.pages {
        if let Some(name) = site.sidebar_name(page) {
            used.entry(name).or_insert(page.service.as_deref());
        }
    }
    let mut links = Vec::new();
    fn walk(site: &Site, items: &[SidebarItem], service: Option<&str>, links: &mut Vec<LinkRecord>) {
        for item in items {
            if let Some(url) = &item.url {
                links.push(LinkRecord {
                    written: url.clone(),
                    href: resolve_sidebar_url(site, url, item.external, service),
                    origin: LinkOrigin::Sidebar,
                    location: item.location.clone(),
                    len: url.chars().count(),
                });
            }
            walk(site, &item.children, service, links);
        }
    }
    for (name, service) in used {
        if let Some(sidebar) = site.sidebars.get(name) {
            walk(site, &sidebar.items, service, &mut links);
        }
    }
    links
}

/// Line starts of a page body, to turn byte offsets into line and column quickly.
struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    fn new(text: &'a str) -> Self {
        // Sized for lines of about 40 bytes, so a page's index rarely grows.
        let mut starts = Vec::with_capacity(text.len() / 40 + 1);
        starts.push(0);
        starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        LineIndex { text, starts }
    }

    fn location(&self, file: &std::sync::Arc<Path>, offset: usize, first_line: usize) -> Location {
        let offset = offset.min(self.text.len());
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        let start = self.starts[line];
        let column = self.text.get(start..offset).map_or(offset - start, |s| s.chars().count()) + 1;
        Location::new(file, line + first_line, column)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_and_liquid_read_the_same_site_and_services() {
        let root = env!("CARGO_MANIFEST_DIR");
        let (site, _) = Site::load(&super::super::LoadOptions::new(root)).expect("the bundled portal loads");
        let shared = Shared::new(&site, RenderOptions::BUILD);
        let tera = serde_json::to_value(&shared.site).expect("template values are JSON");
        assert_eq!(&tera, shared.site_value(&site));
        let service = shared.service_template(&site, Some("nrls"));
        assert_eq!(serde_json::to_value(&service).ok().as_ref(), shared.service_value(&site, Some("nrls")));
        assert_eq!(shared.service_value(&site, None), None);
        // `tag.pages` on a tag's page is the list `site.tag_pages` holds.
        let (tag, pages) = site.tags.iter().next().expect("the portal's pages have tags");
        assert_eq!(shared.tag_pages(tag).as_array().map(<[_]>::len), Some(pages.len()));
    }

    #[test]
    fn liquid_reads_site_values_only_by_naming_site() {
        for code in ["site.tag_pages", "site[\"tag_pages\"]", "for p in site.pages", "x | default: site"] {
            assert!(mentions_site(code), "{code}");
        }
        for code in ["page.title", "website.url", "page.site", "my_site", "site_title"] {
            assert!(!mentions_site(code), "{code}");
        }
    }
}
