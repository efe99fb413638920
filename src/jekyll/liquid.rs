//! Liquid blocks (`if`, `for`, `assign`, `case`, `capture`...) and filtered expressions in
//! pages, evaluated with the `liquid` crate. Everything else in a page goes through the
//! hand-written expander in `content::includes`, which keeps source positions; it hands
//! this module one block at a time. Includes inside a block still render through
//! Signpost's own include path (the theme's includes): the Liquid `include` tag here only
//! evaluates its parameters and leaves a placeholder, which the caller fills.

use std::io::Write;
use std::sync::{Arc, Mutex};

use liquid_core::error::ResultLiquidReplaceExt;
use liquid_core::parser::TryMatchToken;
use liquid_core::{
    BlockReflection, Expression, Language, ParseBlock, ParseTag, Renderable, Runtime, TagBlock, TagReflection,
    TagTokenIter, ValueView,
};
use liquid_core::{Display_filter, Filter, FilterReflection, ParseFilter};

/// An include a block asked for, with its parameters evaluated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncludeRequest {
    pub name: String,
    pub params: Vec<(String, String)>,
    /// `include_relative` rather than `include`.
    pub relative: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum BlockError<E> {
    #[error("{0}")]
    Liquid(String),
    #[error("include failed")]
    Include(E),
}

const MARK: char = '\u{1}';

/// Renders `template` with `globals` (`site`, `page`, ...); `include` renders each include
/// the template asks for.
pub fn render<E>(
    template: &str,
    globals: &serde_json::Value,
    mut include: impl FnMut(&IncludeRequest) -> Result<String, E>,
) -> Result<String, BlockError<E>> {
    let requests: Arc<Mutex<Vec<IncludeRequest>>> = Arc::default();
    let parser = liquid::ParserBuilder::with_stdlib()
        .tag(IncludeTag { requests: requests.clone(), relative: false })
        .tag(IncludeTag { requests: requests.clone(), relative: true })
        .block(HighlightBlock)
        .filter(liquid_lib::jekyll::Slugify)
        .filter(Markdownify)
        .filter(Jsonify)
        .build()
        .map_err(|e| BlockError::Liquid(e.to_string()))?;
    let template = parser.parse(template).map_err(|e| BlockError::Liquid(tidy(&e.to_string())))?;
    // Jekyll renders a missing variable or key as nothing; the `liquid` crate stops with an
    // error naming it. So each missing name is added as nil and the block rendered again.
    let mut globals = globals.clone();
    let mut rendered = None;
    for _ in 0..MAX_MISSING {
        requests.lock().expect("not poisoned").clear();
        let object = liquid::to_object(&globals).map_err(|e| BlockError::Liquid(e.to_string()))?;
        match template.render(&object) {
            Ok(text) => {
                rendered = Some(text);
                break;
            }
            Err(e) => {
                let message = e.to_string();
                if !add_missing(&mut globals, &message) {
                    return Err(BlockError::Liquid(tidy(&message)));
                }
            }
        }
    }
    let rendered = rendered.ok_or_else(|| BlockError::Liquid("too many missing variables".into()))?;
    let requests = std::mem::take(&mut *requests.lock().expect("not poisoned"));
    if requests.is_empty() {
        return Ok(rendered);
    }
    let mut out = String::with_capacity(rendered.len());
    let mut rest = rendered.as_str();
    while let Some(start) = rest.find(MARK) {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        let Some(end) = after.find(MARK) else { break };
        let index: usize = after[..end].parse().unwrap_or(usize::MAX);
        if let Some(request) = requests.get(index) {
            out.push_str(&include(request).map_err(BlockError::Include)?);
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// How many missing names one block may meet before it is an error.
const MAX_MISSING: usize = 32;

/// Adds the variable or key a liquid error says is missing, as nil; false if the error is
/// about something else.
fn add_missing(globals: &mut serde_json::Value, message: &str) -> bool {
    let field = |name: &str| message.lines().find_map(|l| l.trim().strip_prefix(name).map(|v| v.trim().to_string()));
    if let Some(index) = field("requested index=") {
        let mut added = false;
        add_key(globals, &index, &mut added);
        return added;
    }
    match (field("requested variable="), globals.as_object_mut()) {
        (Some(name), Some(map)) if !map.contains_key(&name) => {
            map.insert(name, serde_json::Value::Null);
            true
        }
        _ => false,
    }
}

/// Gives every object under `value` the key, as null, where it is missing.
fn add_key(value: &mut serde_json::Value, key: &str, added: &mut bool) {
    match value {
        serde_json::Value::Object(map) => {
            if !map.contains_key(key) {
                map.insert(key.to_string(), serde_json::Value::Null);
                *added = true;
            }
            map.values_mut().for_each(|v| add_key(v, key, added));
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(|v| add_key(v, key, added)),
        _ => {}
    }
}

/// liquid's messages span several lines with a backtrace of tags; the first line says it.
fn tidy(message: &str) -> String {
    message.lines().map(str::trim).filter(|l| !l.is_empty()).take(2).collect::<Vec<_>>().join(": ")
}

#[derive(Clone)]
struct IncludeTag {
    requests: Arc<Mutex<Vec<IncludeRequest>>>,
    relative: bool,
}

impl TagReflection for IncludeTag {
    fn tag(&self) -> &'static str {
        if self.relative {
            "include_relative"
        } else {
            "include"
        }
    }
    fn description(&self) -> &'static str {
        "Signpost's include: the theme's include, with parameters"
    }
}

impl ParseTag for IncludeTag {
    fn parse(&self, mut arguments: TagTokenIter<'_>, _options: &Language) -> liquid_core::Result<Box<dyn Renderable>> {
        let name = arguments.expect_next("an include name is expected")?;
        let name = match name.expect_identifier() {
            TryMatchToken::Matches(name) => name.to_string(),
            TryMatchToken::Fails(name) => name.as_str().trim_matches(['"', '\'']).to_string(),
        };
        let mut params = Vec::new();
        while let Ok(key) = arguments.expect_next("") {
            let key = key.expect_identifier().into_result()?.to_string();
            arguments.expect_next("`=` expected")?.expect_str("=").into_result_custom_msg("expected `=`")?;
            let value = arguments.expect_next("a value expected")?.expect_value().into_result()?;
            params.push((key, value));
        }
        arguments.expect_nothing()?;
        Ok(Box::new(Include { name, params, relative: self.relative, requests: self.requests.clone() }))
    }
    fn reflection(&self) -> &dyn TagReflection {
        self
    }
}

#[derive(Debug)]
struct Include {
    name: String,
    params: Vec<(String, Expression)>,
    relative: bool,
    requests: Arc<Mutex<Vec<IncludeRequest>>>,
}

impl Renderable for Include {
    fn render_to(&self, writer: &mut dyn Write, runtime: &dyn Runtime) -> liquid_core::Result<()> {
        let mut params = Vec::with_capacity(self.params.len());
        for (key, value) in &self.params {
            params.push((key.clone(), value.evaluate(runtime)?.render().to_string()));
        }
        let mut requests = self.requests.lock().expect("not poisoned");
        requests.push(IncludeRequest { name: self.name.clone(), params, relative: self.relative });
        write!(writer, "{MARK}{}{MARK}", requests.len() - 1).replace("cannot write")?;
        Ok(())
    }
}

/// `{% highlight json %}...{% endhighlight %}` becomes a fenced block, highlighted like any other.
#[derive(Clone, Copy)]
struct HighlightBlock;

impl BlockReflection for HighlightBlock {
    fn start_tag(&self) -> &str {
        "highlight"
    }
    fn end_tag(&self) -> &str {
        "endhighlight"
    }
    fn description(&self) -> &str {
        "a code block"
    }
}

impl ParseBlock for HighlightBlock {
    fn parse(
        &self,
        mut arguments: TagTokenIter<'_>,
        mut tokens: TagBlock<'_, '_>,
        _options: &Language,
    ) -> liquid_core::Result<Box<dyn Renderable>> {
        let lang = arguments.expect_next("a language is expected").map(|t| t.as_str().to_string()).unwrap_or_default();
        while arguments.expect_next("").is_ok() {} // `linenos` and the like
        let code = tokens.escape_liquid(false)?.to_string();
        tokens.assert_empty();
        Ok(Box::new(Fence(fence(&lang, &code))))
    }
    fn reflection(&self) -> &dyn BlockReflection {
        self
    }
}

#[derive(Debug)]
struct Fence(String);

impl Renderable for Fence {
    fn render_to(&self, writer: &mut dyn Write, _runtime: &dyn Runtime) -> liquid_core::Result<()> {
        writer.write_all(self.0.as_bytes()).replace("cannot write")
    }
}

/// A fenced code block for `code` (a fence longer than any backtick run inside it).
pub fn fence(lang: &str, code: &str) -> String {
    let code = code.strip_prefix("\r\n").or_else(|| code.strip_prefix('\n')).unwrap_or(code);
    let code = code.trim_end_matches([' ', '\t']);
    let longest = code.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let ticks = "`".repeat(longest.max(2) + 1);
    let newline = if code.ends_with('\n') { "" } else { "\n" };
    format!("{ticks}{lang}\n{code}{newline}{ticks}")
}

#[derive(Clone, ParseFilter, FilterReflection)]
#[filter(name = "markdownify", description = "Renders Markdown as HTML.", parsed(MarkdownifyFilter))]
struct Markdownify;

#[derive(Debug, Default, Display_filter)]
#[name = "markdownify"]
struct MarkdownifyFilter;

impl Filter for MarkdownifyFilter {
    fn evaluate(&self, input: &dyn ValueView, _runtime: &dyn Runtime) -> liquid_core::Result<liquid_core::Value> {
        let highlighter = crate::markdown::Highlighter::new(None);
        let rendered = crate::markdown::render(&input.to_kstr(), &highlighter, &crate::markdown::Hooks::none());
        Ok(liquid_core::Value::scalar(rendered.html))
    }
}

#[derive(Clone, ParseFilter, FilterReflection)]
#[filter(name = "jsonify", description = "The value as JSON.", parsed(JsonifyFilter))]
struct Jsonify;

#[derive(Debug, Default, Display_filter)]
#[name = "jsonify"]
struct JsonifyFilter;

impl Filter for JsonifyFilter {
    fn evaluate(&self, input: &dyn ValueView, _runtime: &dyn Runtime) -> liquid_core::Result<liquid_core::Value> {
        let value = input.to_value();
        let json = serde_json::to_string(&value).unwrap_or_default();
        Ok(liquid_core::Value::scalar(json))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run(template: &str, globals: serde_json::Value) -> String {
        render(template, &globals, |r: &IncludeRequest| {
            Ok::<_, ()>(format!(
                "[{}{}]",
                r.name,
                r.params.iter().map(|(k, v)| format!(" {k}={v}")).collect::<String>()
            ))
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
    fn highlight_becomes_a_fence_and_errors_are_reported() {
        assert_eq!(run("{% highlight json %}\n{\"a\": 1}\n{% endhighlight %}", json!({})), "```json\n{\"a\": 1}\n```");
        let err = render("{% if %}", &json!({}), |_: &IncludeRequest| Ok::<_, ()>(String::new())).unwrap_err();
        assert!(matches!(err, BlockError::Liquid(_)));
    }
}
