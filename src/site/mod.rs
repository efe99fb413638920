//! The site as one plain data model: configuration, pages, sidebars, tags, theme.
//! `build`, `serve` and `check` all load it the same way and render it the same way.

mod nav;
pub mod render;
mod reserved;
pub mod sidebar;
mod stages;
pub mod urls;
pub(crate) mod view;

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::config::SiteConfig;
use crate::content::{self, Content, Scope};
use crate::diagnostics::{Diagnostic, Diagnostics, Kind};
use crate::theme::Theme;
pub use sidebar::Sidebar;
pub use urls::Urls;

/// The folders under a site's root that a build reads, besides site.yaml: what `serve`
/// watches, what an unchanged build compares, and what an output folder may not be in.
pub const SOURCE_FOLDERS: [&str; 4] =
    [content::CONTENT_DIR, crate::process::DIAGRAMS_DIR, crate::theme::THEMES_DIR, crate::jekyll::INCLUDES_DIR];

/// What to load: the site root, which pages, and under which URL.
#[derive(Debug, Clone)]
pub struct LoadOptions {
    pub root: PathBuf,
    pub scope: Scope,
    /// Overrides `base_url` from site.yaml.
    pub base_url: Option<String>,
    /// Whether pages' Markdown is kept from loading or read again when they render.
    pub bodies: content::Bodies,
}

impl LoadOptions {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        LoadOptions { root: root.into(), scope: Scope::Portal, base_url: None, bodies: content::Bodies::OnDisk }
    }
}

/// The loaded site. What a command asks of it (`--no-search`, whether to keep text for
/// an index) travels beside it, in [`render::RenderOptions`].
pub struct Site {
    pub root: PathBuf,
    pub config: SiteConfig,
    pub scope: Scope,
    pub urls: Urls,
    pub content: Content,
    pub sidebars: BTreeMap<String, Sidebar>,
    pub theme: Theme,
    /// Processes from `diagrams/`, by id.
    pub processes: BTreeMap<String, crate::process::Process>,
    /// Tag name -> indices into `content.pages`, in page order.
    pub tags: BTreeMap<String, Vec<usize>>,
    /// `content/_data/**` as `site.data`, as Jekyll reads `_data` (see `crate::jekyll::data`).
    pub data: serde_json::Value,
}

impl Site {
    /// Loads everything, reporting every problem found, not just the first.
    /// On success, the warnings come back beside the site.
    pub fn load(options: &LoadOptions) -> Result<(Site, Diagnostics), Diagnostics> {
        Site::load_reusing(options, &|_, _| None)
    }

    /// [`Site::load`], taking the pages `reuse` hands back instead of reading their files
    /// (`content::load_reusing`): a build after an edit reads only the edited pages.
    pub fn load_reusing(options: &LoadOptions, reuse: &content::Reuse) -> Result<(Site, Diagnostics), Diagnostics> {
        let root = options.root.clone();
        let config = SiteConfig::load(&root)?;
        if let Scope::Service(id) = &options.scope {
            if config.service(id).is_none() {
                let known: Vec<_> = config.services.iter().map(|s| s.id.as_str()).collect();
                return Err(Diagnostic::error(Kind::Usage, format!("no service `{id}` in site.yaml"))
                    .hint(if known.is_empty() {
                        "site.yaml lists no services".to_string()
                    } else {
                        format!("choose one of: {}", known.join(", "))
                    })
                    .into());
            }
        }
        let mut diagnostics = Diagnostics::default();
        let theme = match Theme::load(&root, &config.theme) {
            Ok(t) => Some(t),
            Err(d) => {
                diagnostics.extend(d);
                None
            }
        };
        let (content, content_diagnostics) =
            content::load_reusing(&root, &config, &options.scope, options.bodies, reuse);
        diagnostics.extend(content_diagnostics);
        let (sidebars, sidebar_diagnostics) = sidebar::load_all(&root);
        diagnostics.extend(sidebar_diagnostics);
        let (data, data_diagnostics) = crate::jekyll::data::load(&root);
        diagnostics.extend(data_diagnostics);
        let (processes, process_diagnostics) = crate::process::load_all(&root);
        diagnostics.extend(process_diagnostics);
        if diagnostics.has_errors() {
            diagnostics.sort();
            return Err(diagnostics);
        }
        let base = crate::config::normalise_base_url(options.base_url.as_deref().unwrap_or(&config.base_url));
        let portal =
            config.portal_url.as_deref().map(crate::config::normalise_base_url).unwrap_or_else(|| base.clone());
        let urls = Urls {
            base,
            scope: options.scope.clone(),
            services: config.services.iter().map(|s| s.id.clone()).collect(),
            portal,
        };
        let tags = tags_of(&content.pages);
        let theme = theme.expect("no errors means the theme loaded");
        let site =
            Site { root, config, scope: options.scope.clone(), urls, content, sidebars, theme, processes, tags, data };
        diagnostics.extend(site.missing_sidebars());
        let clashes = site.permalink_clashes();
        if !clashes.is_empty() {
            diagnostics.extend(clashes);
            diagnostics.sort();
            return Err(diagnostics);
        }
        Ok((site, diagnostics))
    }

    /// Pages whose output file is one the build generates (the sitemap, a tag page, a
    /// theme asset...): errors at the page's permalink. `load` refuses such a site, and
    /// `serve` checks again whenever pages or their front matter change.
    pub fn permalink_clashes(&self) -> Vec<Diagnostic> {
        reserved::permalink_clashes(self)
    }

    /// Recomputes what is derived from the pages after `serve` replaced some of them
    /// (or the sidebars), returning the warnings [`Site::load`] gives about them.
    pub fn reindex(&mut self) -> Diagnostics {
        self.tags = tags_of(&self.content.pages);
        Diagnostics(self.missing_sidebars())
    }

    /// The sidebar a page shows: its own, its service's, or the site's default.
    pub fn sidebar_name<'a>(&'a self, page: &'a content::Page) -> Option<&'a str> {
        page.front
            .sidebar
            .as_deref()
            .or_else(|| page.service.as_deref().and_then(|s| self.config.service(s)).and_then(|s| s.sidebar.as_deref()))
            .or(self.config.sidebar.as_deref())
    }

    /// A page naming a sidebar that does not exist is shown without one, with a warning.
    fn missing_sidebars(&self) -> Vec<Diagnostic> {
        let mut warnings = Vec::new();
        for page in &self.content.pages {
            if let Some(name) = page.front.sidebar.as_deref() {
                if !self.sidebars.contains_key(name) {
                    warnings.push(
                        Diagnostic::warning(Kind::MissingSidebar, format!("sidebar `{name}` does not exist"))
                            .at(page.front.position("sidebar", &page.source))
                            .hint(format!("create {}/{name}.yml or name another sidebar", sidebar::SIDEBAR_DIR)),
                    );
                }
            }
        }
        warnings
    }

    /// Whether the theme has a search page (`templates/search.html`): a site without one
    /// has no search, whatever the command asks.
    pub fn has_search(&self) -> bool {
        self.theme.has_template(SEARCH_TEMPLATE)
    }

    pub fn service(&self, id: Option<&str>) -> Option<&crate::config::ServiceConfig> {
        id.and_then(|id| self.config.service(id))
    }
}

/// The output file of a tag's page.
pub(crate) fn tag_file(tag: &str) -> String {
    format!("tags/{}.html", tag_slug(tag))
}

fn tag_slug(tag: &str) -> String {
    let slug = content::slug::slugify(tag);
    if slug.is_empty() {
        "tag".into()
    } else {
        slug
    }
}

/// The theme template of the search page.
const SEARCH_TEMPLATE: &str = "search.html";

/// Tag name -> indices of the pages carrying it, in page order.
fn tags_of(pages: &[content::Page]) -> BTreeMap<String, Vec<usize>> {
    let mut tags: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, page) in pages.iter().enumerate() {
        for tag in &page.front.tags {
            match tags.get_mut(tag.as_str()) {
                Some(pages) => pages.push(i),
                None => {
                    tags.insert(tag.clone(), vec![i]);
                }
            }
        }
    }
    tags
}
