//! Jekyll's filters (`Jekyll::Filters`, 4.3), added to Liquid's when a template runs as a
//! Jekyll page, and the filter dispatch.

use serde_json::{Map, Value};

use super::expr::Parser;
use super::filters::{self, array, prop, sort, where_filter, Args, Keywords};
use super::render::{int_of, Renderer};
use super::value::{inspect, to_text};
use super::Dialect;

impl Renderer<'_, '_> {
    /// Applies filter `name`; `Ok(None)` when there is no such filter (Liquid leaves the
    /// value as it is, as with `strict_filters: false`).
    pub(crate) fn filter(
        &mut self,
        name: &str,
        input: &Value,
        args: Args,
        keywords: Keywords,
    ) -> Result<Option<Value>, String> {
        if self.options.dialect == Dialect::Jekyll {
            if let Some(result) = self.jekyll_filter(name, input, args)? {
                return Ok(Some(result));
            }
        }
        filters::standard(name, input, args, keywords).transpose()
    }

    fn jekyll_filter(&mut self, name: &str, input: &Value, args: Args) -> Result<Option<Value>, String> {
        let arg = |i: usize| args.get(i).cloned().unwrap_or(Value::Null);
        let s = |v: String| Ok(Some(Value::String(v)));
        match name {
            "where" => where_filter(input, &arg(0), Some(&arg(1)), true).map(Some),
            "find" => {
                let Value::Array(found) = where_filter(input, &arg(0), Some(&arg(1)), true)? else { return Ok(None) };
                Ok(Some(found.into_iter().next().unwrap_or(Value::Null)))
            }
            "where_exp" | "find_exp" => {
                let var = to_text(&arg(0));
                let Some(condition) = Parser::new(&to_text(&arg(1))).condition() else {
                    return Ok(Some(input.clone()));
                };
                let mut out = Vec::new();
                for item in jekyll_items(input) {
                    let keep = self
                        .with_variable(&var, item.clone(), |r| r.condition(&condition, 0))
                        .map_err(|e| e.message)?;
                    if keep {
                        if name == "find_exp" {
                            return Ok(Some(item));
                        }
                        out.push(item);
                    }
                }
                Ok(Some(if name == "find_exp" { Value::Null } else { Value::Array(out) }))
            }
            "group_by" => Ok(Some(group(jekyll_items(input), |item| Ok(to_text(&prop(item, &arg(0)))))?)),
            "group_by_exp" => {
                let var = to_text(&arg(0));
                let expression = super::expr::filtered(&to_text(&arg(1)));
                let items = jekyll_items(input);
                let mut names = Vec::with_capacity(items.len());
                for item in &items {
                    let v = self
                        .with_variable(&var, item.clone(), |r| r.filtered(&expression, 0).map(|v| v.into_owned()))
                        .map_err(|e| e.message)?;
                    names.push(to_text(&v));
                }
                let mut i = 0;
                Ok(Some(group(items, |_| {
                    i += 1;
                    Ok(names[i - 1].clone())
                })?))
            }
            "sort" => {
                if input.is_null() {
                    return Err("Cannot sort a null object.".into());
                }
                let nils_last = to_text(&arg(1)) == "last";
                let sorted = sort(input, args.first(), false)?;
                if args.is_empty() || nils_last {
                    return Ok(Some(sorted));
                }
                // Jekyll puts items without the property first unless told `"last"`.
                let Value::Array(items) = sorted else { return Ok(Some(sorted)) };
                let (nil, rest): (Vec<Value>, Vec<Value>) = items.into_iter().partition(|i| prop(i, &arg(0)).is_null());
                Ok(Some(Value::Array(nil.into_iter().chain(rest).collect())))
            }
            "jsonify" => s(serde_json::to_string(input).unwrap_or_default()),
            "slugify" => s(slugify_text(&to_text(input), &to_text(&arg(0)))),
            "xml_escape" => match input {
                Value::Null => Ok(Some(Value::Null)),
                _ => s(xml_escape(&to_text(input))),
            },
            "cgi_escape" => s(filters::url_encode(&to_text(input))),
            "uri_escape" => s(uri_escape(&to_text(input))),
            "number_of_words" => Ok(Some(Value::from(to_text(input).split_whitespace().count()))),
            "array_to_sentence_string" => {
                let connector = if args.is_empty() { "and".to_string() } else { to_text(&arg(0)) };
                let items: Vec<String> = array(input).iter().map(to_text).collect();
                s(match items.len() {
                    0 => String::new(),
                    1 => items[0].clone(),
                    2 => format!("{} {connector} {}", items[0], items[1]),
                    n => format!("{}, {connector} {}", items[..n - 1].join(", "), items[n - 1]),
                })
            }
            "markdownify" => s(self.host.markdownify(&to_text(input))),
            "smartify" => s(to_text(input)),
            "relative_url" => Ok(Some(self.relative_url(input))),
            "absolute_url" => {
                if input.is_null() {
                    return Ok(Some(Value::Null));
                }
                let text = to_text(input);
                if has_scheme(&text) {
                    return s(text);
                }
                let site_url = to_text(&self.variable_path("site", "url"));
                let relative = to_text(&self.relative_url(input));
                s(format!("{}{relative}", site_url.trim_end_matches('/')))
            }
            "date_to_string" | "date_to_long_string" => {
                let Some(d) = super::date::parse(input) else { return Ok(Some(input.clone())) };
                let month = if name == "date_to_string" { "%b" } else { "%B" };
                if to_text(&arg(0)) == "ordinal" {
                    let day = ordinal(d.day());
                    if to_text(&arg(1)) == "US" {
                        return s(super::date::strftime(&d, &format!("{month} {day}, %Y")));
                    }
                    return s(super::date::strftime(&d, &format!("{day} {month} %Y")));
                }
                s(super::date::strftime(&d, &format!("%d {month} %Y")))
            }
            "date_to_xmlschema" => match super::date::parse(input) {
                Some(d) => {
                    let z = super::date::strftime(&d, "%z");
                    s(format!("{}{}:{}", super::date::strftime(&d, "%Y-%m-%dT%H:%M:%S"), &z[..3], &z[3..]))
                }
                None => Ok(Some(input.clone())),
            },
            "date_to_rfc822" => match super::date::parse(input) {
                Some(d) => s(super::date::strftime(&d, "%a, %d %b %Y %H:%M:%S %z")),
                None => Ok(Some(input.clone())),
            },
            "normalize_whitespace" => s(to_text(input).split_whitespace().collect::<Vec<_>>().join(" ")),
            "push" => {
                let mut items = array(input);
                items.push(arg(0));
                Ok(Some(Value::Array(items)))
            }
            "unshift" => {
                let mut items = array(input);
                items.insert(0, arg(0));
                Ok(Some(Value::Array(items)))
            }
            "pop" | "shift" => {
                let mut items = array(input);
                let n = if args.is_empty() { 1 } else { int_of(&arg(0)).max(0) as usize }.min(items.len());
                if name == "pop" {
                    items.truncate(items.len() - n);
                } else {
                    items.drain(..n);
                }
                Ok(Some(Value::Array(items)))
            }
            // Jekyll picks at random; Signpost takes the first, so builds stay reproducible.
            "sample" => {
                let items = array(input);
                if args.is_empty() {
                    return Ok(Some(items.into_iter().next().unwrap_or(Value::Null)));
                }
                Ok(Some(Value::Array(items.into_iter().take(int_of(&arg(0)).max(0) as usize).collect())))
            }
            "to_integer" => Ok(Some(match input {
                Value::Bool(b) => Value::from(i64::from(*b)),
                other => Value::from(int_of(other)),
            })),
            "inspect" => s(xml_escape(&inspect(input))),
            _ => Ok(None),
        }
    }

    fn relative_url(&self, input: &Value) -> Value {
        if input.is_null() {
            return Value::Null;
        }
        let text = to_text(input);
        if has_scheme(&text) {
            return Value::String(text);
        }
        let base = to_text(&self.variable_path("site", "baseurl"));
        let base = base.trim_end_matches('/');
        let mut url = String::new();
        if !base.is_empty() {
            if !base.starts_with('/') {
                url.push('/');
            }
            url.push_str(base);
        }
        if !text.starts_with('/') {
            url.push('/');
        }
        url.push_str(&text);
        Value::String(uri_escape(&url))
    }

    fn variable_path(&self, root: &str, key: &str) -> Value {
        match &*self.variable(root) {
            Value::Object(map) => map.get(key).cloned().unwrap_or(Value::Null),
            _ => Value::Null,
        }
    }
}

/// What Jekyll's collection filters walk: an array's items, a hash's values.
fn jekyll_items(input: &Value) -> Vec<Value> {
    match input {
        Value::Object(map) => map.values().cloned().collect(),
        other => array(other),
    }
}

/// Jekyll's `group_by`: `{name, items, size}` per distinct name, in order of first appearance.
fn group(items: Vec<Value>, mut name_of: impl FnMut(&Value) -> Result<String, String>) -> Result<Value, String> {
    let mut groups: Vec<(String, Vec<Value>)> = Vec::new();
    for item in items {
        let name = name_of(&item)?;
        match groups.iter_mut().find(|(n, _)| *n == name) {
            Some((_, list)) => list.push(item),
            None => groups.push((name, vec![item])),
        }
    }
    Ok(Value::Array(
        groups
            .into_iter()
            .map(|(name, items)| {
                let mut map = Map::new();
                map.insert("name".into(), Value::String(name));
                map.insert("size".into(), Value::from(items.len()));
                map.insert("items".into(), Value::Array(items));
                Value::Object(map)
            })
            .collect(),
    ))
}

fn has_scheme(text: &str) -> bool {
    let Some(colon) = text.find(':') else { return false };
    let scheme = &text[..colon];
    !scheme.is_empty()
        && scheme.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && scheme.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

fn ordinal(day: u8) -> String {
    let suffix = match (day % 10, day % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{day}{suffix}")
}

/// Jekyll's `xml_escape`: `&`, `<`, `>` and `"`.
fn xml_escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// Percent-encodes what may not stand in a URL, keeping its reserved characters.
fn uri_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii_alphanumeric() || "-._~:/?#[]@!$&'()*+,;=%".contains(c) {
            out.push(c);
        } else {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        }
    }
    out
}

/// Jekyll's `slugify`: modes `default`, `raw`, `pretty`, `ascii`, `latin` and `none`.
pub(crate) fn slugify_text(text: &str, mode: &str) -> String {
    let keep = |c: char| -> bool {
        match mode {
            "raw" => !c.is_whitespace(),
            "pretty" => c.is_alphanumeric() || "._~!$&'()+,;=@".contains(c),
            "ascii" | "latin" => c.is_ascii_alphanumeric(),
            _ => c.is_alphanumeric(),
        }
    };
    if mode == "none" {
        return text.to_string();
    }
    let mut slug = String::with_capacity(text.len());
    let mut dash = false;
    for c in text.chars() {
        if keep(c) {
            if dash && !slug.is_empty() {
                slug.push('-');
            }
            dash = false;
            slug.push(c);
        } else {
            dash = true;
        }
    }
    slug.to_lowercase()
}
