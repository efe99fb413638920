//! Liquid blocks (`if`, `for`, `assign`, `case`, `capture`...) and filtered expressions in
//! pages, run by Signpost's own engine (`crate::liquid`) as Jekyll runs them. Everything
//! else in a page goes through the expander in `content::includes`, which keeps source
//! positions; it hands this module one block at a time. An include a block asks for goes
//! through the caller (Signpost's include path: the theme's includes, or the site's own
//! `_includes`, which come back as Liquid to render in place).

use crate::liquid::{self, Dialect, Globals, Host, Included, Limits, Options};

/// An include a block asked for, with its parameters evaluated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct IncludeRequest {
    pub name: String,
    pub params: Vec<(String, String)>,
    /// `include_relative` rather than `include`.
    pub relative: bool,
}

#[derive(Debug, thiserror::Error)]
pub(crate) enum BlockError<E> {
    #[error("{0}")]
    Liquid(liquid::Error),
    #[error("include failed")]
    Include(E),
}

/// How Signpost runs Liquid: Jekyll's dialect, within the site's limits.
pub(crate) fn options(limits: &Limits) -> Options {
    Options { dialect: Dialect::Jekyll, limits: limits.clone(), ..Options::default() }
}

/// Renders `template` with `globals` (`site`, `page`, ...); `include` gives each include
/// the template asks for, as finished text or as Liquid to render in place.
pub(crate) fn render<E>(
    template: &str,
    globals: &Globals<'_>,
    limits: &Limits,
    include: impl FnMut(&IncludeRequest) -> Result<Included, E>,
) -> Result<String, BlockError<E>> {
    let mut host = PageHost { include, failed: None };
    let options = options(limits);
    let rendered = liquid::render(template, globals, &mut host, &options);
    match (rendered, host.failed) {
        (_, Some(e)) => Err(BlockError::Include(e)),
        (Ok(text), None) => Ok(text),
        (Err(e), None) => Err(BlockError::Liquid(e)),
    }
}

struct PageHost<F, E> {
    include: F,
    /// The caller's error for an include, kept to hand back whole.
    failed: Option<E>,
}

impl<E, F: FnMut(&IncludeRequest) -> Result<Included, E>> Host for PageHost<F, E> {
    fn include(&mut self, request: &liquid::IncludeRequest<'_>) -> Result<Included, String> {
        let request = IncludeRequest {
            name: request.name.to_string(),
            params: request.params.iter().map(|(k, v)| (k.clone(), liquid::to_text(v))).collect(),
            relative: request.relative,
        };
        (self.include)(&request).map_err(|e| {
            self.failed.get_or_insert(e);
            format!("include `{}` failed", request.name)
        })
    }

    fn markdownify(&mut self, text: &str) -> String {
        let highlighter = crate::markdown::Highlighter::new(None);
        crate::markdown::render(text, &highlighter, &crate::markdown::Hooks::none()).html
    }

    /// Jekyll's highlight tag writes HTML, so a code example shows wherever the tag stands:
    /// inside a `<div>` or a table cell as well as between paragraphs. The block is made
    /// one line (its line breaks as `&#10;`), so Markdown takes it whole wherever it lands:
    /// no blank line in the code ends an HTML block, no indentation makes it a list's.
    fn highlight(&mut self, lang: &str, code: &str) -> String {
        let highlighter = crate::markdown::Highlighter::new(None);
        let html = crate::markdown::code_block(lang, &format!("{code}\n"), &highlighter);
        html.trim_end().replace('\n', "&#10;")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run(template: &str, vars: serde_json::Value) -> String {
        let mut globals = Globals::new();
        globals.borrow_all(&vars);
        render(template, &globals, &Limits::default(), |r: &IncludeRequest| {
            Ok::<_, ()>(Included::Text(format!(
                "[{}{}]",
                r.name,
                r.params.iter().map(|(k, v)| format!(" {k}={v}")).collect::<String>()
            )))
        })
        .unwrap()
    }

    #[test]
    fn assign_sort_and_for_over_data() {
        let site =
            json!({"site": {"data": {"glossary": [{"title": "B", "value": "bee"}, {"title": "A", "value": "ay"}]}}});
        let out = run(
            "{% assign g = site.data.glossary | sort: 'title' %}{% for i in g %}### {{ i.title }}\n{% endfor %}",
            site,
        );
        assert_eq!(out, "### A\n### B\n");
    }

    #[test]
    fn filters_the_pages_use() {
        let g = json!({"page": {"title": "Hello World"}, "items": [{"k": "a"}, {"k": "b"}, {"k": "a"}]});
        assert_eq!(run("{{ page.title | slugify }}", g.clone()), "hello-world");
        assert_eq!(run("{{ '<b>x</b>' | strip_html }}", g.clone()), "x");
        assert_eq!(run("{{ page.title | truncate: 8 }}", g.clone()), "Hello...");
        assert_eq!(run("{{ items | where: 'k', 'a' | size }}", g.clone()), "2");
        assert_eq!(run("{{ '**b**' | markdownify }}", g.clone()), "<p><strong>b</strong></p>\n");
        assert_eq!(run("{% for n in (1..3) %}{{ n }}{% endfor %}", g.clone()), "123");
        assert_eq!(run("{% if page.title contains 'World' %}yes{% else %}no{% endif %}", g), "yes");
    }

    #[test]
    fn missing_names_render_as_nothing_as_in_jekyll() {
        let g = json!({"items": [{"title": "A"}]});
        assert_eq!(run("{% for i in items %}[{{ i.title }}|{{ i.html }}]{% endfor %}{{ nope }}", g), "[A|]");
    }

    #[test]
    fn includes_inside_blocks_go_through_the_caller() {
        let out = run("{% for n in (1..2) %}{% include note.html content=n %}{% endfor %}", json!({}));
        assert_eq!(out, "[note.html content=1][note.html content=2]");
    }

    #[test]
    fn site_includes_render_in_place_with_include_params() {
        let mut globals = Globals::new();
        let site = json!({"title": "Portal"});
        globals.borrow("site", &site);
        let limits = Limits::default();
        let out = render("{% assign x = 'a' %}{% include box.html t=x %}", &globals, &limits, |r: &IncludeRequest| {
            assert_eq!(r.name, "box.html");
            Ok::<_, ()>(Included::Liquid("<{{ include.t }}|{{ x }}|{{ site.title }}>".into()))
        })
        .unwrap();
        assert_eq!(out, "<a|a|Portal>");
    }

    #[test]
    fn highlight_renders_its_body_into_one_line_of_html_and_errors_are_reported() {
        let out = run("<div>\n  {% highlight example %}\n  {% include a.json n=1 %}\n  [2]\n  {% endhighlight %}\n</div>", json!({}));
        let (line, rest) = out.strip_prefix("<div>\n  ").unwrap().split_once('\n').unwrap();
        assert_eq!(rest, "</div>");
        assert!(line.starts_with("<pre class=\"code\" data-lang=\"example\""), "{line}");
        assert!(line.contains("a.json n=1"), "the include inside was rendered: {line}");
        assert!(line.contains("&#10;"), "the code keeps its line break: {line}");
        assert!(!line.contains("&#10;  "), "the indentation of the tag is not code: {line}");
        let none = |_: &IncludeRequest| Ok::<_, ()>(Included::Text(String::new()));
        let err = render("{% if %}", &Globals::new(), &Limits::default(), none)
            .unwrap_err();
        assert!(matches!(err, BlockError::Liquid(_)));
    }
}
