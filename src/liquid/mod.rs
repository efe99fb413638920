//! Liquid as Jekyll runs it: Shopify Liquid 4 in lax mode, with Jekyll's filters and its
//! `include`, `include_relative` and `highlight` tags.
//!
//! Written here rather than taken from a crate because no Rust crate implements Liquid 4's
//! lax mode (an undefined variable renders empty; odd syntax is read as Ruby Liquid reads
//! it) or Jekyll's filters and include semantics. Other reasons it is our own:
//! - values are read where they lie: `site.data` is borrowed, never copied per block;
//! - every node keeps the byte offset of its tag, so errors point at file:line:col;
//! - [`Limits`] bound nesting, loop iterations, output size and include depth, so no
//!   template can overflow the stack, loop for ever or fill memory.
//!
//! [`Template::parse`] then [`Template::render`] with [`Globals`] and a [`Host`] (which
//! finds includes and runs `markdownify`).

mod date;
mod expr;
mod filters;
mod jekyll;
mod lexer;
mod parse;
mod render;
mod value;

pub(crate) use parse::closing_quote;

use std::borrow::Cow;
use std::collections::HashMap;

use serde_json::Value;

pub use value::to_text;

/// Bounds on what one render may do; hitting one is an error at the tag that did.
/// A site that needs more sets them under `liquid:` in site.yaml.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    /// Blocks (and includes) inside one another.
    pub max_depth: usize,
    /// Loop iterations (`for`, `tablerow`), all loops of the render together.
    pub max_iterations: usize,
    /// Bytes of output, and of any one value a filter or `capture` makes.
    pub max_output: usize,
    /// Includes inside one another.
    pub max_include_depth: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_depth: 100, max_iterations: 1_000_000, max_output: 64 * 1024 * 1024, max_include_depth: 50 }
    }
}

impl Limits {
    /// The most blocks or includes inside one another a site may allow: each level is a
    /// frame of the parser's and the renderer's recursion, and a page renders on a worker
    /// thread's stack.
    pub const DEEPEST: usize = 1000;

    /// The first limit that cannot work, as (name, why).
    pub fn problem(&self) -> Option<(&'static str, String)> {
        let checks = [
            ("max_depth", self.max_depth, Limits::DEEPEST),
            ("max_include_depth", self.max_include_depth, Limits::DEEPEST),
            ("max_iterations", self.max_iterations, usize::MAX),
            ("max_output", self.max_output, usize::MAX),
        ];
        checks.into_iter().find_map(|(name, value, most)| match value {
            0 => Some((name, "must be at least 1".to_string())),
            v if v > most => Some((name, format!("must be at most {most}"))),
            _ => None,
        })
    }
}

/// Which `include` (and which extra tags and filters) a template gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Dialect {
    /// Shopify Liquid: `{% include 'name' with x %}`, unknown tags are errors.
    #[default]
    Liquid,
    /// Jekyll: `{% include name.html key=value %}`, `include_relative`, `highlight`,
    /// Jekyll's filters; tags of plugins Signpost does not run are left as written.
    Jekyll,
}

#[derive(Debug, Clone, Default)]
pub struct Options {
    pub dialect: Dialect,
    pub limits: Limits,
    /// Render errors are written into the output (`Liquid error (line N): ...`), as Liquid
    /// does without `render!`; otherwise the first one stops the render.
    pub inline_errors: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    Syntax,
    Render,
    Limit,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct Error {
    pub kind: ErrorKind,
    pub message: String,
    /// Byte offset of the tag in the template (for an error inside an include, of the
    /// include tag; `partial` then says where inside it).
    pub offset: usize,
    /// The include the error happened in, and the offset there.
    pub partial: Option<(String, usize)>,
}

impl Error {
    pub(crate) fn syntax(message: impl Into<String>, offset: usize) -> Error {
        Error { kind: ErrorKind::Syntax, message: message.into(), offset, partial: None }
    }
    pub(crate) fn render(message: impl Into<String>, offset: usize) -> Error {
        Error { kind: ErrorKind::Render, message: message.into(), offset, partial: None }
    }
    pub(crate) fn limit(message: impl Into<String>, offset: usize) -> Error {
        Error { kind: ErrorKind::Limit, message: message.into(), offset, partial: None }
    }
}

/// The variables a template sees: borrowed where they already exist (`site`), owned
/// where they are made for the render (`page`, `include`).
#[derive(Debug, Default, Clone)]
pub struct Globals<'g> {
    vars: HashMap<String, Cow<'g, Value>>,
}

impl<'g> Globals<'g> {
    pub fn new() -> Self {
        Globals::default()
    }

    pub fn borrow(&mut self, name: &str, value: &'g Value) -> &mut Self {
        self.vars.insert(name.to_string(), Cow::Borrowed(value));
        self
    }

    pub fn set(&mut self, name: &str, value: Value) -> &mut Self {
        self.vars.insert(name.to_string(), Cow::Owned(value));
        self
    }

    /// Every top-level key of an object, borrowed.
    pub fn borrow_all(&mut self, object: &'g Value) -> &mut Self {
        if let Value::Object(map) = object {
            for (k, v) in map {
                self.vars.insert(k.clone(), Cow::Borrowed(v));
            }
        }
        self
    }

    pub(crate) fn get(&self, name: &str) -> Option<&Value> {
        self.vars.get(name).map(|v| &**v)
    }
}

/// An include a template asks for, with its parameters evaluated.
#[derive(Debug)]
pub struct IncludeRequest<'a> {
    pub name: &'a str,
    pub params: &'a [(String, Value)],
    /// `include_relative` rather than `include`.
    pub relative: bool,
    /// Where the tag is in the template, and its length.
    pub offset: usize,
    pub len: usize,
}

/// What an include gives back.
pub enum Included {
    /// Liquid source, rendered in place with the caller's variables (and `include.*`).
    Liquid(String),
    /// Finished text, spliced as it is.
    Text(String),
}

/// What a template needs from the program around it.
pub trait Host {
    /// The partial an `include` names, or a message saying why there is none.
    fn include(&mut self, request: &IncludeRequest<'_>) -> Result<Included, String>;
    /// Jekyll's `markdownify`.
    fn markdownify(&mut self, text: &str) -> String {
        text.to_string()
    }
    /// Jekyll's `{% highlight lang %}` around `code` (its body, rendered): a fenced code
    /// block unless the host makes the HTML itself.
    fn highlight(&mut self, lang: &str, code: &str) -> String {
        fence(lang, code)
    }
}

/// A host with no includes.
pub struct NoIncludes;

impl Host for NoIncludes {
    fn include(&mut self, request: &IncludeRequest<'_>) -> Result<Included, String> {
        Err(format!("Could not find asset {}", request.name))
    }
}

/// A parsed template.
#[derive(Debug, Clone)]
pub struct Template {
    nodes: Vec<parse::Node>,
    source: String,
}

impl Template {
    pub fn parse(source: &str, options: &Options) -> Result<Template, Error> {
        let nodes = parse::TreeParser::new(source, options.dialect, &options.limits).document()?;
        Ok(Template { nodes, source: source.to_string() })
    }

    pub fn render(&self, globals: &Globals<'_>, host: &mut dyn Host, options: &Options) -> Result<String, Error> {
        let mut out = String::new();
        let mut renderer = render::Renderer::new(globals, host, options, &self.source);
        renderer.render(&self.nodes, &mut out)?;
        Ok(out)
    }
}

/// Parses and renders in one step.
pub fn render(source: &str, globals: &Globals<'_>, host: &mut dyn Host, options: &Options) -> Result<String, Error> {
    Template::parse(source, options)?.render(globals, host, options)
}

/// A fenced code block for `code` (a fence longer than any backtick run inside it): what
/// `{% highlight lang %}` becomes before Markdown.
pub fn fence(lang: &str, code: &str) -> String {
    let code = code.strip_prefix("\r\n").or_else(|| code.strip_prefix('\n')).unwrap_or(code);
    let code = code.trim_end_matches([' ', '\t']);
    let longest = code.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let ticks = "`".repeat(longest.max(2) + 1);
    let newline = if code.ends_with('\n') { "" } else { "\n" };
    format!("{ticks}{lang}\n{code}{newline}{ticks}")
}

#[cfg(test)]
mod tests;
