//! Themes: Tera templates (`themes/NAME/templates`), includes pages call
//! (`themes/NAME/includes`) and static files (`themes/NAME/static`, copied to the output root).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use tera::{Context, Kwargs, State, Tera, Value};

use crate::diagnostics::{Diagnostic, Diagnostics, Kind, Location};
use crate::markdown::{self, Highlighter, Hooks};

pub(crate) const THEMES_DIR: &str = "themes";

/// The default theme, built into the binary: used when a site has no `themes/default`
/// folder, and written out by `signpost new`.
pub(crate) static DEFAULT_THEME: include_dir::Dir<'static> =
    include_dir::include_dir!("$CARGO_MANIFEST_DIR/themes/default");

/// A file the theme copies into the output.
pub enum StaticSource {
    /// Relative to the site root.
    Disk(PathBuf),
    Embedded(&'static [u8]),
}

pub struct Theme {
    pub name: String,
    /// The theme folder relative to the site root, as errors show it.
    pub dir: PathBuf,
    tera: Tera,
    includes: BTreeSet<String>,
    /// Files copied to the output: (source, output path).
    pub static_files: Vec<(StaticSource, String)>,
    /// Every `href` and `src` the templates write, for pointing at a broken one.
    links: Vec<TemplateLink>,
    /// `link_source` of the first links seen: a layout writes the same links on every
    /// page. Bounded ([`KNOWN_SOURCES`]): links made of a page's own values (its URL, its
    /// headings' ids) are seen once each, and on a large site would fill it.
    sources: std::sync::RwLock<rustc_hash::FxHashMap<String, LinkSource>>,
    /// Whether every template that writes the page's content writes it as it is given.
    content_verbatim: bool,
}

/// How many links' sources [`Theme::link_source`] keeps: far more than a theme writes.
const KNOWN_SOURCES: usize = 4096;

/// A link attribute written in a template: `href="{{ site.base_url }}tags.html"`.
#[derive(Debug, Clone)]
struct TemplateLink {
    location: Location,
    len: usize,
    /// The value's literal text between template expressions, in order; the rendered
    /// link must contain them in that order, with anything in place of each expression.
    literals: Vec<String>,
    starts_literal: bool,
    ends_literal: bool,
}

impl TemplateLink {
    fn new(location: Location, value: &str) -> TemplateLink {
        let mut literals = Vec::new();
        let mut current = String::new();
        for piece in pieces(value) {
            match piece {
                Piece::Text(text) => current.push_str(text),
                Piece::Tag(_) => literals.push(std::mem::take(&mut current)),
            }
        }
        literals.push(current);
        let starts_literal = !literals[0].is_empty();
        let ends_literal = literals.len() == 1 || !literals.last().is_some_and(String::is_empty);
        let literals: Vec<String> = literals.into_iter().filter(|l| !l.is_empty()).collect();
        TemplateLink { location, len: value.chars().count().max(1), literals, starts_literal, ends_literal }
    }

    /// How much literal text of the template a rendered link matches, or `None`.
    fn matches(&self, href: &str) -> Option<usize> {
        let mut rest = href;
        for (i, literal) in self.literals.iter().enumerate() {
            let first = i == 0 && self.starts_literal;
            let last = i + 1 == self.literals.len() && self.ends_literal;
            if first {
                rest = rest.strip_prefix(literal.as_str())?;
            } else if last {
                if !rest.ends_with(literal.as_str()) {
                    return None;
                }
                rest = "";
            } else {
                let at = rest.find(literal.as_str())?;
                rest = &rest[at + literal.len()..];
            }
        }
        if self.literals.is_empty() || !self.ends_literal || rest.is_empty() {
            Some(self.literals.iter().map(String::len).sum())
        } else {
            None
        }
    }
}

/// Where the theme writes a link: the template attribute it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkSource {
    /// A template writes it with literal text of its own (`{{ site.base_url }}tags.html`).
    Written { location: Location, len: usize },
    /// Only from values (`{{ item.url }}`): sidebar entries, page URLs, tags, which are
    /// checked where they are written.
    Values,
    /// No template attribute matches (a macro or filter wrote it).
    Unknown,
}

impl Theme {
    /// Loads `ROOT/themes/NAME`, reporting every template that does not parse.
    pub fn load(root: &Path, name: &str) -> Result<Theme, Diagnostics> {
        let dir = Path::new(THEMES_DIR).join(name);
        let abs = root.join(&dir);
        if !abs.is_dir() && name == "default" {
            return Theme::embedded();
        }
        if !abs.is_dir() {
            return Err(Diagnostic::error(
                Kind::Theme,
                format!("theme `{name}` not found: {} is not a folder", dir.display()),
            )
            .at(Location::new(crate::config::FILE_NAME, 1, 1))
            .hint("set `theme:` in site.yaml to a folder under themes/, or run `signpost new` to get the default theme")
            .into());
        }
        let mut diagnostics = Diagnostics::default();
        let mut templates = Vec::new();
        let mut includes = BTreeSet::new();
        for (sub, prefix) in [("templates", ""), ("includes", "includes/")] {
            for file in files_under(&abs.join(sub)) {
                let rel = file.strip_prefix(abs.join(sub)).unwrap_or(&file);
                let name = format!("{prefix}{}", crate::content::to_slash(rel));
                match crate::diagnostics::read_text(&file, &dir.join(sub).join(rel)) {
                    Ok(text) => {
                        if !prefix.is_empty() {
                            includes.insert(name.trim_start_matches(prefix).to_string());
                        }
                        templates.push((name, text));
                    }
                    Err(d) => diagnostics.push(d),
                }
            }
        }
        let static_dir = abs.join("static");
        let static_files = files_under(&static_dir)
            .into_iter()
            .map(|f| {
                let out = crate::content::to_slash(f.strip_prefix(&static_dir).unwrap_or(&f));
                (StaticSource::Disk(dir.join("static").join(&out)), out)
            })
            .collect();
        Theme::of(name, dir, includes, static_files, &templates, diagnostics)
    }

    /// The theme of `templates` (name, text), after the `diagnostics` of reading them.
    fn of(
        name: &str,
        dir: PathBuf,
        includes: BTreeSet<String>,
        static_files: Vec<(StaticSource, String)>,
        templates: &[(String, String)],
        mut diagnostics: Diagnostics,
    ) -> Result<Theme, Diagnostics> {
        let mut tera = engine();
        add_templates(&mut tera, templates, &dir, &mut diagnostics);
        if diagnostics.has_errors() {
            return Err(diagnostics);
        }
        Ok(Theme {
            name: name.to_string(),
            links: template_links(templates, &dir),
            content_verbatim: content_written_verbatim(templates),
            dir,
            tera,
            includes,
            static_files,
            sources: Default::default(),
        })
    }

    /// The built-in default theme.
    pub fn embedded() -> Result<Theme, Diagnostics> {
        let mut includes = BTreeSet::new();
        let mut static_files = Vec::new();
        let dir = Path::new(THEMES_DIR).join("default");
        let mut templates = Vec::new();
        for file in embedded_files(&DEFAULT_THEME) {
            let path = crate::content::to_slash(file.path());
            if let Some(out) = path.strip_prefix("static/") {
                static_files.push((StaticSource::Embedded(file.contents()), out.to_string()));
                continue;
            }
            let name = match (path.strip_prefix("templates/"), path.strip_prefix("includes/")) {
                (Some(t), _) => t.to_string(),
                (_, Some(i)) => {
                    includes.insert(i.to_string());
                    path.clone()
                }
                _ => continue,
            };
            templates.push((name, file.contents_utf8().unwrap_or("").to_string()));
        }
        Theme::of("default", dir, includes, static_files, &templates, Diagnostics::default())
    }

    /// Whether the templates write `page.content` only as `{{ page.content | safe }}`, at
    /// most once in a file, and read it only to ask whether it is blank. Then what a
    /// layout adds to a page is the same whatever the content, and the content is one
    /// piece of the output.
    pub fn writes_content_verbatim(&self) -> bool {
        self.content_verbatim
    }

    pub fn has_template(&self, name: &str) -> bool {
        self.tera.contains_template(name)
    }

    pub fn has_include(&self, name: &str) -> bool {
        self.includes.contains(name)
    }

    /// The template attribute that wrote `href` into a page: the one matching it with
    /// the most literal text.
    pub fn link_source(&self, href: &str) -> LinkSource {
        if let Some(known) = self.sources.read().ok().and_then(|s| s.get(href).cloned()) {
            return known;
        }
        let source = self.trace(href);
        if let Ok(mut sources) = self.sources.write() {
            if sources.len() < KNOWN_SOURCES {
                sources.insert(href.to_string(), source.clone());
            }
        }
        source
    }

    fn trace(&self, href: &str) -> LinkSource {
        let best = self.links.iter().filter_map(|l| l.matches(href).map(|n| (n, l))).max_by_key(|(n, _)| *n);
        match best {
            // `#{{ heading.id }}`: a table of contents of ids Signpost made.
            Some((0 | 1, _)) => LinkSource::Values,
            Some((_, link)) => LinkSource::Written { location: link.location.clone(), len: link.len },
            None => LinkSource::Unknown,
        }
    }

    pub fn include_dir(&self) -> PathBuf {
        self.dir.join("includes")
    }

    pub fn render(&self, template: &str, context: &Context) -> Result<String, Diagnostic> {
        self.tera.render(template, context).map_err(|e| template_error(&self.dir, &e))
    }

    pub fn render_include(&self, name: &str, context: &Context) -> Result<String, Diagnostic> {
        self.render(&format!("includes/{name}"), context)
    }
}

/// The `href` and `src` attributes of every template, with where each is written.
fn template_links(templates: &[(String, String)], dir: &Path) -> Vec<TemplateLink> {
    let mut links = Vec::new();
    for (name, text) in templates {
        let file = if name.starts_with("includes/") { dir.join(name) } else { dir.join("templates").join(name) };
        for attr in crate::markdown::html_scan::attributes(text) {
            if attr.name == "href" || attr.name == "src" {
                links.push(TemplateLink::new(Location::at_offset(&file, text, attr.offset, 1), attr.value));
            }
        }
    }
    links
}

/// Adds the templates together, so each may extend or include any other; when that
/// fails, adds them one by one to a scratch engine so every syntax error names its file.
fn add_templates(tera: &mut Tera, templates: &[(String, String)], dir: &Path, diagnostics: &mut Diagnostics) {
    let Err(error) = tera.add_raw_templates(templates.iter().map(|(n, t)| (n.as_str(), t.as_str()))) else {
        return;
    };
    let before = diagnostics.0.len();
    for (name, text) in templates {
        let mut scratch = Tera::new();
        if let Err(e) = scratch.add_raw_template(name, text) {
            if matches!(e.kind(), tera::ErrorKind::SyntaxError(_)) {
                diagnostics.push(template_error(dir, &e));
            }
        }
    }
    if diagnostics.0.len() == before {
        let mut d = template_error(dir, &error);
        // Errors between templates (a missing or circular parent) name the template
        // but carry no position: point at its `extends` line.
        let named = match error.kind() {
            tera::ErrorKind::MissingParent { current, .. } => Some(current.as_str()),
            tera::ErrorKind::CircularExtend { tpl, .. } | tera::ErrorKind::CircularInclude { tpl, .. } => {
                Some(tpl.as_str())
            }
            _ => None,
        };
        if let (None, Some(name)) = (&d.location, named) {
            let text = templates.iter().find(|(n, _)| n == name).map_or("", |(_, t)| t.as_str());
            let (line, column) = text
                .lines()
                .enumerate()
                .find_map(|(i, l)| l.find("extends").or_else(|| l.find("include")).map(|c| (i + 1, c + 1)))
                .unwrap_or((1, 1));
            d = d.at(Location::new(template_path(dir, name), line, column));
        }
        diagnostics.push(d);
    }
}

/// Every file of an embedded folder, in path order.
pub(crate) fn embedded_files(dir: &'static include_dir::Dir<'static>) -> Vec<&'static include_dir::File<'static>> {
    let mut files = Vec::new();
    let mut stack = vec![dir];
    while let Some(d) = stack.pop() {
        files.extend(d.files());
        stack.extend(d.dirs());
    }
    files.sort_by_key(|f| f.path());
    files
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file() && !e.file_name().to_string_lossy().starts_with('.'))
        .map(|e| e.into_path())
        .collect();
    files.sort();
    files
}

/// A Tera error as a diagnostic at the template's file, line and column.
fn template_error(theme_dir: &Path, error: &tera::Error) -> Diagnostic {
    use std::error::Error as _;
    let (message, location) = match error.kind() {
        tera::ErrorKind::SyntaxError(report) | tera::ErrorKind::RenderingError(report) => {
            let span = report.span();
            let file = template_path(theme_dir, report.filename());
            (report.message().to_string(), Some(Location::new(file, span.start_line, span.start_col + 1)))
        }
        // Unknown filters, tests, functions and includes come as one message holding
        // Tera's rendered reports, which name the template, not the theme's file.
        tera::ErrorKind::Msg(text) if reported_position(text).is_some() => {
            let (message, name, line, column) = reported_position(text).expect("checked");
            (message, Some(Location::new(template_path(theme_dir, &name), line, column)))
        }
        _ => {
            let mut message = error.to_string();
            let mut source = error.source();
            while let Some(s) = source {
                message.push_str(": ");
                message.push_str(&s.to_string());
                source = s.source();
            }
            (message, None)
        }
    };
    Diagnostic::error(Kind::Template, message)
        .at_opt(location)
        .hint("fix the template; Tera's syntax is at https://keats.github.io/tera/")
}

/// The first report in a message of Tera's rendered reports (`error: MESSAGE` then
/// `--> NAME:LINE:COL`): its message, template name, line and column.
fn reported_position(text: &str) -> Option<(String, String, usize, usize)> {
    let mut lines = text.lines().map(str::trim);
    let message = lines.find_map(|l| l.strip_prefix("error: "))?.to_string();
    let place = lines.find_map(|l| l.strip_prefix("--> "))?;
    let (rest, column) = place.rsplit_once(':')?;
    let (name, line) = rest.rsplit_once(':')?;
    Some((message, name.to_string(), line.parse().ok()?, column.parse().ok()?))
}

fn template_path(theme_dir: &Path, name: &str) -> PathBuf {
    match name.strip_prefix("includes/") {
        Some(include) => theme_dir.join("includes").join(include),
        None => theme_dir.join("templates").join(name),
    }
}

/// A template engine as every theme gets it: HTML, XML and SVG escaped, Signpost's filters.
fn engine() -> Tera {
    let mut tera = Tera::new();
    tera.autoescape_on(vec![".html", ".xml", ".svg"]);
    tera.set_escape_fn(crate::escape::escape_html_to);
    register_filters(&mut tera);
    tera
}

fn register_filters(tera: &mut Tera) {
    // Include parameters may hold Markdown: `{{ include.content | markdown(inline=true) }}`.
    tera.register_filter("markdown", |text: &str, kwargs: Kwargs, _: &State| {
        let inline = kwargs.get::<bool>("inline").ok().flatten().unwrap_or(false);
        let rendered = markdown::render(text, &Highlighter::new(None), &Hooks::none());
        let html = rendered.html.trim();
        let html = if inline {
            html.strip_prefix("<p>").and_then(|h| h.strip_suffix("</p>")).filter(|h| !h.contains("<p>")).unwrap_or(html)
        } else {
            html
        };
        Value::safe_string(html)
    });
    tera.register_filter("slugify", |text: &str, _: Kwargs, _: &State| crate::content::slug::slugify(text));
}

/// Whether every layout template writes the page's content only as
/// `{{ page.content | safe }}` (at most once a file) and mentions `content` in no other
/// tag than `{% if page.content %}` ([`Theme::writes_content_verbatim`]). Read from the
/// sources, as Tera does not show a template's expressions; any other mention, even a
/// harmless one, answers no.
fn content_written_verbatim(templates: &[(String, String)]) -> bool {
    // Includes are expanded into a page's text before its Markdown is read: their
    // `include.content` is a parameter, and their links are the page's own.
    templates.iter().filter(|(name, _)| !name.starts_with("includes/")).all(|(_, text)| {
        let mut written = 0;
        for piece in pieces(text) {
            let Piece::Tag(tag) = piece else { continue };
            if tag.starts_with("{#") {
                continue;
            }
            // `{{ page | values }}`, `{% for k, v in page %}`, `{% set p = page %}`:
            // the content read without being named.
            if reads_page_whole(tag) {
                return false;
            }
            if !mentions_content(tag) {
                continue;
            }
            let bare: String = tag.chars().filter(|c| !c.is_whitespace() && *c != '-').collect();
            match bare.as_str() {
                "{{page.content|safe}}" => written += 1,
                // The placeholder is blank exactly when the content is.
                "{%ifpage.content%}" => {}
                _ => return false,
            }
        }
        written <= 1
    })
}

/// A piece of a template's text: literal text, or a tag (`{{ … }}`, `{% … %}`,
/// `{# … #}`) whole, with its delimiters.
enum Piece<'t> {
    Text(&'t str),
    Tag(&'t str),
}

/// `text` in pieces, in order. A tag left open runs to the end (Tera has reported it).
fn pieces(text: &str) -> impl Iterator<Item = Piece<'_>> {
    let mut rest = text;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let opens = ["{{", "{%", "{#"].iter().filter_map(|o| rest.find(o).map(|at| (at, *o)));
        let Some((at, open)) = opens.min() else {
            return Some(Piece::Text(std::mem::take(&mut rest)));
        };
        if at > 0 {
            let (text, after) = rest.split_at(at);
            rest = after;
            return Some(Piece::Text(text));
        }
        let close = match open {
            "{{" => "}}",
            "{%" => "%}",
            _ => "#}",
        };
        let end = rest[2..].find(close).map_or(rest.len(), |e| e + 4);
        let (tag, after) = rest.split_at(end);
        rest = after;
        Some(Piece::Tag(tag))
    })
}

/// Whether `tag` names `page` other than to read one of its keys (`page.title`): the
/// page as a whole value, which holds the content. String literals are skipped
/// (`default(value='page')`), as is `page` after a dot (`site.page`).
fn reads_page_whole(tag: &str) -> bool {
    let bytes = tag.as_bytes();
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            q @ (b'"' | b'\'' | b'`') => {
                i = tag[i + 1..].find(q as char).map_or(bytes.len(), |end| i + 1 + end + 1);
                continue;
            }
            b'p' if tag[i..].starts_with("page")
                && (i == 0 || !(word(bytes[i - 1]) || bytes[i - 1] == b'.'))
                && !bytes.get(i + 4).is_some_and(|&b| word(b)) =>
            {
                if !tag[i + 4..].trim_start().starts_with('.') {
                    return true;
                }
                i += 4;
            }
            _ => i += 1,
        }
    }
    false
}

/// Whether `tag` holds the word `content` (not `contents` nor `content_type`).
fn mentions_content(tag: &str) -> bool {
    let word = |c: char| c.is_alphanumeric() || c == '_';
    tag.match_indices("content").any(|(at, _)| {
        !tag[..at].chars().next_back().is_some_and(word) && !tag[at + 7..].chars().next().is_some_and(word)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn theme_with(files: &[(&str, &str)]) -> (tempfile::TempDir, Result<Theme, Diagnostics>) {
        let dir = tempfile::tempdir().unwrap();
        for (path, text) in files {
            let p = dir.path().join("themes/t").join(path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        let theme = Theme::load(dir.path(), "t");
        (dir, theme)
    }

    #[test]
    fn syntax_error_names_template_line_and_column() {
        let (_d, theme) = theme_with(&[("templates/page.html", "<p>\n{{ page.title </p>\n")]);
        let errs = theme.err().expect("error");
        let loc = errs.0[0].location.clone().unwrap();
        assert!(loc.file.ends_with("templates/page.html"), "{loc}");
        assert_eq!(loc.line, 2);
    }

    #[test]
    fn markdown_filter_renders_inline() {
        let (_d, theme) =
            theme_with(&[("includes/note.html", "<div>{{ include.content | markdown(inline=true) }}</div>")]);
        let theme = theme.unwrap();
        let mut ctx = Context::new();
        ctx.insert("include", &serde_json::json!({"content": "**bold** & co"}));
        assert_eq!(theme.render_include("note.html", &ctx).unwrap(), "<div><strong>bold</strong> &amp; co</div>");
    }

    #[test]
    fn a_rendered_link_is_traced_to_the_template_attribute_with_most_literal_text() {
        let templates = vec![
            (
                "base.html".to_string(),
                "<a href=\"{{ site.base_url }}tags.html\">Tags</a>\n<a href=\"{{ item.url }}\">x</a>\n\
                 <a href=\"#{{ h.id }}\">y</a>\n<link href=\"{{ site.base_url }}assets/{{ name }}.css\">"
                    .to_string(),
            ),
            ("includes/note.html".to_string(), "\n  <img src=\"/img/note.svg\">".to_string()),
        ];
        let theme = Theme { links: template_links(&templates, Path::new("themes/t")), ..Theme::embedded().unwrap() };
        let written =
            |file: &str, line, column, len| LinkSource::Written { location: Location::new(file, line, column), len };
        assert_eq!(theme.link_source("/portal/tags.html"), written("themes/t/templates/base.html", 1, 10, 28));
        assert_eq!(theme.link_source("/portal/assets/site.css"), written("themes/t/templates/base.html", 4, 13, 40));
        assert_eq!(theme.link_source("/img/note.svg"), written("themes/t/includes/note.html", 2, 13, 13));
        assert_eq!(theme.link_source("/booking/scal.html"), LinkSource::Values, "a sidebar entry's URL");
        assert_eq!(theme.link_source("#go-live"), LinkSource::Values, "a table of contents entry");
    }

    #[test]
    fn content_is_verbatim_only_when_written_whole_and_asked_only_if_blank() {
        let verbatim = |page: &str| {
            let (_d, theme) = theme_with(&[
                ("templates/page.html", page),
                ("includes/note.html", "<div>{{ include.content | markdown }}</div>"),
            ]);
            theme.unwrap().writes_content_verbatim()
        };
        assert!(Theme::embedded().unwrap().writes_content_verbatim(), "the default theme");
        assert!(verbatim("<main>{{ page.content | safe }}</main>"));
        assert!(verbatim("{%- if page.content -%}<div>{{- page.content|safe -}}</div>{% endif %}"));
        assert!(verbatim("{# {{ page.content | upper }} #}{{ page.contents }}{{ page.content_type }}"));
        assert!(!verbatim("{{ page.content | replace(from='a', to='b') | safe }}"), "a filter");
        assert!(!verbatim("{{ page.content | safe }}<aside>{{ page.content | safe }}</aside>"), "twice");
        assert!(!verbatim("{% set body = page.content %}{{ body | safe }}"), "read another way");
        assert!(!verbatim("{{ page['content'] | safe }}"));
        assert!(!verbatim("{% if page.content | length > 10 %}long{% endif %}"));
        // The page as a whole value holds the content, named or not.
        assert!(!verbatim("{{ page.content | safe }}{% for value in page | values %}{{ value }}{% endfor %}"));
        assert!(!verbatim("{{ page.content | safe }}{{ page | get(key=\"content\") | safe }}"));
        assert!(!verbatim("{% set p = page %}{{ p | values | join(sep=' ') }}"));
        assert!(!verbatim(
            "{% component card(of) %}{{ of | values | join(sep=' ') }}{% endcomponent card %}{{ <card of={page} /> }}"
        ));
        assert!(verbatim("{{ page.layout | default(value='page') }}{{ site.page }}{{ pages }}{{ page .title }}"));
    }
}
