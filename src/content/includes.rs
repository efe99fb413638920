//! The Jekyll tags pages use, expanded before Markdown as Jekyll does: `{% include %}`,
//! `{% include_relative %}`, `{% raw %}` and `{% comment %}` here, by hand, because they
//! need source positions kept through the expansion and the output of each include is
//! recorded so links found in it point at the include tag. Liquid's blocks (`if`, `for`,
//! `case`, `capture`..., and Jekyll's `highlight`), `assign` and filtered `{{ x | f }}`
//! are handed whole to [`Tags::liquid`] (Signpost's Liquid engine, `crate::liquid`,
//! through `crate::jekyll::liquid`); their output maps back to the block's opening tag.

use std::ops::Range;

use crate::liquid::closing_quote;

/// One `{% include NAME key="value" %}` in a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncludeCall {
    pub name: String,
    pub params: Vec<(String, String)>,
    /// Byte range of the whole tag in the page body.
    pub span: Range<usize>,
}

/// A problem in the tags themselves, at a byte offset of the body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagError {
    pub message: String,
    pub offset: usize,
    pub hint: &'static str,
}

/// The body with tags expanded, and where each part of it came from.
#[derive(Debug, Default)]
pub struct Expanded {
    pub text: String,
    pub map: SourceMap,
}

/// Maps byte offsets of expanded text back to offsets of the source.
#[derive(Debug, Default, Clone)]
pub struct SourceMap {
    /// (start in expanded text, start in source, copied verbatim?)
    segments: Vec<(usize, usize, bool)>,
}

impl SourceMap {
    fn copied(&mut self, out: usize, src: usize) {
        self.segments.push((out, src, true));
    }

    fn generated(&mut self, out: usize, src: usize) {
        self.segments.push((out, src, false));
    }

    /// The source offset for an expanded offset; text an include produced maps to its tag.
    pub fn source_offset(&self, out: usize) -> usize {
        let i = self.segments.partition_point(|s| s.0 <= out);
        if i == 0 {
            return out;
        }
        let (out_start, src_start, copied) = self.segments[i - 1];
        if copied {
            src_start + (out - out_start)
        } else {
            src_start
        }
    }

    /// Whether the expanded offset lies in text an include produced.
    pub fn is_generated(&self, out: usize) -> bool {
        let i = self.segments.partition_point(|s| s.0 <= out);
        i > 0 && !self.segments[i - 1].2
    }
}

/// Renders what tags ask for: an include's HTML, or a variable's value.
pub trait Tags {
    type Error;
    fn include(&mut self, call: &IncludeCall) -> Result<String, Self::Error>;
    /// `{{ service.title }}`: the value, `Ok(None)` to leave the text as written.
    fn variable(&mut self, expression: &str, span: Range<usize>) -> Result<Option<String>, Self::Error>;
    /// `{% include_relative FILE %}`: the file's text, `Ok(None)` to leave the tag as written.
    fn include_relative(&mut self, _file: &str, _span: Range<usize>) -> Result<Option<String>, Self::Error> {
        Ok(None)
    }
    /// A Liquid template (a block, or an expression with filters), preceded by the page's
    /// earlier `assign`s: its output, `Ok(None)` to leave the text as written.
    fn liquid(&mut self, _template: &str, _span: Range<usize>) -> Result<Option<String>, Self::Error> {
        Ok(None)
    }
}

/// Liquid's block tags, each closed by `end` + its name.
/// `highlight` is Jekyll's: its body is Liquid too (`{% include examples/a.xml %}`).
const LIQUID_BLOCKS: &[&str] = &["if", "unless", "for", "case", "capture", "tablerow", "ifchanged", "highlight"];

/// Only includes, through a closure; variables are left as written.
pub struct IncludesOnly<F>(pub F);

impl<E, F: FnMut(&IncludeCall) -> Result<String, E>> Tags for IncludesOnly<F> {
    type Error = E;
    fn include(&mut self, call: &IncludeCall) -> Result<String, E> {
        (self.0)(call)
    }
    fn variable(&mut self, _: &str, _: Range<usize>) -> Result<Option<String>, E> {
        Ok(None)
    }
}

/// Expands the tags of `body`.
pub fn expand<T: Tags>(body: &str, tags: &mut T) -> Result<Expanded, Vec<Error<T::Error>>> {
    let mut out = Expanded::default();
    let mut errors = Vec::new();
    let mut pos = 0;
    // The page's `assign`s so far, run before each later block so it sees their values.
    let mut prelude = String::new();
    while let Some(found) = next_tag(&body[pos..]) {
        let start = pos + found;
        copy(&mut out, body, pos..start);
        if body[start..].starts_with("{{") {
            let Some(close) = body[start..].find("}}").map(|e| start + e + 2) else {
                copy(&mut out, body, start..start + 2);
                pos = start + 2;
                continue;
            };
            let expression = body[start + 2..close - 2].trim_matches('-').trim();
            let mut result = tags.variable(expression, start..close);
            // Jekyll renders a missing variable (`site.*`, `page.*` or any other) as nothing;
            // only Signpost's own `service.*` is strict.
            let lax = result.is_err() && !expression.starts_with("service");
            if lax || matches!(result, Ok(None)) {
                result = tags.liquid(&format!("{prelude}{{{{ {expression} }}}}"), start..close);
            }
            match result {
                Ok(Some(value)) => {
                    out.map.generated(out.text.len(), start);
                    out.text.push_str(&value);
                }
                Ok(None) => copy(&mut out, body, start..close),
                Err(e) => errors.push(Error::Include(e)),
            }
            pos = close;
            continue;
        }
        let Some(tag) = Tag::parse(body, start) else {
            errors.push(Error::Tag(TagError {
                message: "`{%` is not closed by `%}`".into(),
                offset: start,
                hint: "close the tag with `%}`, or wrap literal text in {% raw %}...{% endraw %}",
            }));
            copy(&mut out, body, start..body.len());
            pos = body.len();
            break;
        };
        match tag.name {
            "raw" => {
                let Some((inner, end)) = block(body, tag.end, "endraw") else {
                    errors.push(unclosed(start, "raw", "endraw"));
                    pos = tag.end;
                    continue;
                };
                copy(&mut out, body, inner);
                pos = end;
            }
            "comment" => match block(body, tag.end, "endcomment") {
                Some((_, end)) => pos = end,
                None => {
                    errors.push(unclosed(start, "comment", "endcomment"));
                    pos = tag.end;
                }
            },
            // `content=note`: an unquoted value is a variable, which Liquid evaluates.
            "include" if has_variable_params(tag.args) => {
                let statement = &body[start..tag.end];
                match tags.liquid(&format!("{prelude}{statement}"), start..tag.end) {
                    Ok(Some(text)) => {
                        out.map.generated(out.text.len(), start);
                        out.text.push_str(&indent_continuation(&text, body, start));
                    }
                    Ok(None) => copy(&mut out, body, start..tag.end),
                    Err(e) => errors.push(Error::Include(e)),
                }
                pos = tag.end;
            }
            "include" => {
                match parse_include(tag.args, start..tag.end) {
                    Ok(call) => match tags.include(&call) {
                        Ok(html) => {
                            out.map.generated(out.text.len(), start);
                            out.text.push_str(&indent_continuation(&html, body, start));
                        }
                        Err(e) => errors.push(Error::Include(e)),
                    },
                    Err(message) => errors.push(Error::Tag(TagError {
                        message,
                        offset: start,
                        hint: "write includes as {% include NAME.html key=\"value\" %}",
                    })),
                }
                pos = tag.end;
            }
            "include_relative" => {
                match tags.include_relative(tag.args, start..tag.end) {
                    Ok(Some(text)) => {
                        out.map.generated(out.text.len(), start);
                        out.text.push_str(&indent_continuation(text.trim_end_matches('\n'), body, start));
                    }
                    Ok(None) => copy(&mut out, body, start..tag.end),
                    Err(e) => errors.push(Error::Include(e)),
                }
                pos = tag.end;
            }
            "assign" => {
                let statement = &body[start..tag.end];
                match tags.liquid(&format!("{prelude}{statement}"), start..tag.end) {
                    Ok(Some(_)) => prelude.push_str(statement),
                    Ok(None) => copy(&mut out, body, start..tag.end),
                    Err(e) => errors.push(Error::Include(e)),
                }
                pos = tag.end;
            }
            name if LIQUID_BLOCKS.contains(&name) => {
                let Some(end) = matching_end(body, start, name) else {
                    errors.push(unclosed(start, name, &format!("end{name}")));
                    copy(&mut out, body, start..tag.end);
                    pos = tag.end;
                    continue;
                };
                let whole = &body[start..end];
                match tags.liquid(&format!("{prelude}{whole}"), start..end) {
                    Ok(Some(text)) => {
                        if name == "capture" {
                            prelude.push_str(whole);
                        } else {
                            out.map.generated(out.text.len(), start);
                            out.text.push_str(&text);
                        }
                    }
                    Ok(None) => copy(&mut out, body, start..end),
                    Err(e) => errors.push(Error::Include(e)),
                }
                pos = end;
            }
            // Other Liquid is left as it is, so the page still shows it.
            _ => {
                copy(&mut out, body, start..tag.end);
                pos = tag.end;
            }
        }
    }
    copy(&mut out, body, pos..body.len());
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// Text spliced where a tag stands indented (in a list item, in an indented fence) gets
/// the same indentation on its following lines, so it stays inside that block.
fn indent_continuation(text: &str, body: &str, tag_start: usize) -> String {
    let line_start = body[..tag_start].rfind('\n').map_or(0, |i| i + 1);
    let indent = &body[line_start..tag_start];
    if indent.is_empty() || !indent.chars().all(|c| c == ' ' || c == '\t') || !text.contains('\n') {
        return text.to_string();
    }
    text.replace('\n', &format!("\n{indent}"))
}

/// Whether an include passes a variable (`key=page.x`) rather than only literals.
fn has_variable_params(args: &str) -> bool {
    let Ok(call) = parse_include(args, 0..0) else { return false };
    let mut rest = args;
    call.params.iter().any(|(key, _)| {
        let Some(at) = rest.find(&format!("{key}=")) else { return false };
        rest = &rest[at + key.len() + 1..];
        let value = rest.trim_start();
        !value.starts_with(['"', '\'']) && value.chars().next().is_some_and(|c| c.is_alphabetic() || c == '_')
    })
}

/// The offset after the `{% endNAME %}` closing the block opened at `start`, counting
/// nested blocks of the same name and skipping `raw` sections.
fn matching_end(body: &str, start: usize, name: &str) -> Option<usize> {
    let end_name = format!("end{name}");
    let mut depth = 0usize;
    let mut pos = start;
    while let Some(found) = body[pos..].find("{%") {
        let at = pos + found;
        let tag = Tag::parse(body, at)?;
        if tag.name == "raw" {
            pos = block(body, tag.end, "endraw").map_or(tag.end, |(_, e)| e);
            continue;
        }
        if tag.name == name {
            depth += 1;
        } else if tag.name == end_name {
            depth -= 1;
            if depth == 0 {
                return Some(tag.end);
            }
        }
        pos = tag.end;
    }
    None
}

#[derive(Debug)]
pub enum Error<E> {
    Tag(TagError),
    Include(E),
}

/// The next `{%` or `{{`.
fn next_tag(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    memchr::memchr_iter(b'{', bytes).find(|&i| matches!(bytes.get(i + 1), Some(b'%' | b'{')))
}

fn unclosed<E>(offset: usize, tag: &str, end: &str) -> Error<E> {
    Error::Tag(TagError {
        message: format!("`{{% {tag} %}}` has no `{{% {end} %}}`"),
        offset,
        hint: "add the closing tag",
    })
}

fn copy(out: &mut Expanded, body: &str, range: Range<usize>) {
    if range.is_empty() {
        return;
    }
    out.map.copied(out.text.len(), range.start);
    out.text.push_str(&body[range]);
}

struct Tag<'a> {
    name: &'a str,
    args: &'a str,
    end: usize,
}

impl<'a> Tag<'a> {
    /// `{%- name args -%}` starting at `start`.
    fn parse(body: &'a str, start: usize) -> Option<Tag<'a>> {
        // From after the `{%`, so `{%}` is an unclosed tag rather than an empty one.
        let close = body[start + 2..].find("%}")? + start + 2;
        let inner = body[start + 2..close].trim_start_matches('-').trim_end_matches('-').trim();
        let (name, args) = inner.split_once(char::is_whitespace).unwrap_or((inner, ""));
        Some(Tag { name, args: args.trim(), end: close + 2 })
    }
}

/// The inside of a `{% name %}...{% endname %}` block and the offset after it.
fn block(body: &str, from: usize, end_name: &str) -> Option<(Range<usize>, usize)> {
    let mut pos = from;
    while let Some(found) = body[pos..].find("{%") {
        let start = pos + found;
        let tag = Tag::parse(body, start)?;
        if tag.name == end_name {
            return Some((from..start, tag.end));
        }
        pos = tag.end;
    }
    None
}

/// `note.html content="..." type='x' n=3`.
fn parse_include(args: &str, span: Range<usize>) -> Result<IncludeCall, String> {
    let args = args.trim();
    let name_end = args.find(char::is_whitespace).unwrap_or(args.len());
    let name = args[..name_end].to_string();
    if name.is_empty() {
        return Err("the include names no file".into());
    }
    let mut params = Vec::new();
    let mut rest = args[name_end..].trim_start();
    while !rest.is_empty() {
        let eq = rest.find('=').ok_or_else(|| format!("include parameter `{rest}` has no `=value`"))?;
        let key = rest[..eq].trim().to_string();
        if key.is_empty() || key.contains(char::is_whitespace) {
            return Err(format!("include parameter name `{key}` is not a single word"));
        }
        let after = rest[eq + 1..].trim_start();
        let (value, remaining) = match after.chars().next() {
            Some(q @ ('"' | '\'')) => {
                // As Jekyll: a backslash escapes the quote (`content="a \"b\" c"`).
                let close =
                    closing_quote(&after[1..], q).ok_or_else(|| format!("the value of `{key}` has no closing {q}"))?;
                let escaped = format!("\\{q}");
                (after[1..close + 1].replace(&escaped, &q.to_string()), &after[close + 2..])
            }
            _ => {
                let end = after.find(char::is_whitespace).unwrap_or(after.len());
                (after[..end].to_string(), &after[end..])
            }
        };
        params.push((key, value));
        rest = remaining.trim_start();
    }
    Ok(IncludeCall { name, params, span })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(body: &str) -> Expanded {
        expand(
            body,
            &mut IncludesOnly(|call: &IncludeCall| Ok::<_, ()>(format!("<{}:{}>", call.name, call.params.len()))),
        )
        .unwrap()
    }

    struct Vars;
    impl Tags for Vars {
        type Error = String;
        fn include(&mut self, _: &IncludeCall) -> Result<String, String> {
            Ok(String::new())
        }
        fn variable(&mut self, e: &str, _: Range<usize>) -> Result<Option<String>, String> {
            match e {
                "service.title" => Ok(Some("NRLS".into())),
                "service.nope" => Err("unknown".into()),
                _ => Ok(None),
            }
        }
    }

    #[test]
    fn variables() {
        let e = expand("For {{ service.title }} and {{ other }}.", &mut Vars).unwrap();
        assert_eq!(e.text, "For NRLS and {{ other }}.");
        assert!(expand("{{ service.nope }}", &mut Vars).is_err());
        let e = expand("{% raw %}{{ service.title }}{% endraw %}", &mut Vars).unwrap();
        assert_eq!(e.text, "{{ service.title }}");
    }

    #[test]
    fn include_with_params() {
        let e = run("a {% include note.html content=\"x 'y' z\" n=3 %} b");
        assert_eq!(e.text, "a <note.html:2> b");
        let mut seen = Vec::new();
        expand(
            "{% include tip.html content='it is \"ok\"' %}",
            &mut IncludesOnly(|c: &IncludeCall| {
                seen = c.params.clone();
                Ok::<_, ()>(String::new())
            }),
        )
        .unwrap();
        assert_eq!(seen, vec![("content".to_string(), "it is \"ok\"".to_string())]);
    }

    #[test]
    fn escaped_quotes_in_values() {
        let mut seen = Vec::new();
        expand(
            r#"{% include important.html content="a \"system\" user" %}"#,
            &mut IncludesOnly(|c: &IncludeCall| {
                seen = c.params.clone();
                Ok::<_, ()>(String::new())
            }),
        )
        .unwrap();
        assert_eq!(seen[0].1, "a \"system\" user");
    }

    #[test]
    fn raw_and_comment() {
        let e = run("x{% raw %}{% include a.html %}{% endraw %}y{% comment %}gone{% endcomment %}z");
        assert_eq!(e.text, "x{% include a.html %}yz");
    }

    #[test]
    fn source_map_points_back() {
        let body = "ab{% include n.html %}cd";
        let e = run(body);
        let c = e.text.rfind('c').unwrap();
        assert_eq!(e.map.source_offset(c), body.rfind('c').unwrap());
        let inside = e.text.find('n').unwrap();
        assert_eq!(e.map.source_offset(inside), 2);
        assert!(e.map.is_generated(inside));
    }

    /// Liquid through a stand-in that shows what it was given.
    struct Echo;
    impl Tags for Echo {
        type Error = ();
        fn include(&mut self, _: &IncludeCall) -> Result<String, ()> {
            Ok(String::new())
        }
        fn variable(&mut self, _: &str, _: Range<usize>) -> Result<Option<String>, ()> {
            Ok(None)
        }
        fn include_relative(&mut self, file: &str, _: Range<usize>) -> Result<Option<String>, ()> {
            Ok(Some(format!("<{file}>")))
        }
        fn liquid(&mut self, template: &str, _: Range<usize>) -> Result<Option<String>, ()> {
            Ok(Some(format!("[{template}]")))
        }
    }

    #[test]
    fn blocks_go_to_liquid_with_earlier_assigns() {
        let body = "{% assign g = site.data.x | sort %}\n{% for i in g %}{% if i %}{{ i }}{% endif %}{% endfor %}!";
        let e = expand(body, &mut Echo).unwrap();
        let assign = "{% assign g = site.data.x | sort %}";
        assert_eq!(
            e.text,
            format!("\n[{assign}{{% for i in g %}}{{% if i %}}{{{{ i }}}}{{% endif %}}{{% endfor %}}]!")
        );
        assert_eq!(e.map.source_offset(1), assign.len() + 1);
        let e = expand("{{ page.title | slugify }} {{ other }}", &mut Echo).unwrap();
        assert_eq!(e.text, "[{{ page.title | slugify }}] [{{ other }}]", "any other variable is Liquid's too");
    }

    #[test]
    fn highlight_goes_to_liquid_with_its_includes() {
        let body = "<div>\n{% highlight xml %}{% include examples/a.xml %}{% endhighlight %}\n</div>";
        let e = expand(body, &mut Echo).unwrap();
        assert_eq!(e.text, "<div>\n[{% highlight xml %}{% include examples/a.xml %}{% endhighlight %}]\n</div>");
    }

    #[test]
    fn include_relative_is_spliced() {
        let e = expand("```\n{% include_relative ex.json %}\n```", &mut Echo).unwrap();
        assert_eq!(e.text, "```\n<ex.json>\n```");
        let e = expand(
            "1. x\n\n   ```\n   {% include a.html %}\n   ```",
            &mut IncludesOnly(|_: &IncludeCall| Ok::<_, ()>("{\n  \"a\": 1\n}".to_string())),
        )
        .unwrap();
        assert_eq!(e.text, "1. x\n\n   ```\n   {\n     \"a\": 1\n   }\n   ```");
    }

    #[test]
    fn unclosed_tags_are_errors() {
        let none = |_: &IncludeCall| Ok::<_, ()>(String::new());
        let err = expand("a {% raw %} b", &mut IncludesOnly(none)).unwrap_err();
        assert!(matches!(&err[0], Error::Tag(t) if t.offset == 2));
        assert!(expand("a {% include", &mut IncludesOnly(none)).is_err());
        let err = expand("x {%} y", &mut IncludesOnly(none)).unwrap_err();
        assert!(matches!(&err[0], Error::Tag(t) if t.offset == 2));
    }
}
