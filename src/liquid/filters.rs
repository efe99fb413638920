//! Liquid's standard filters, as Ruby Liquid defines them.

use serde_json::Value;

use crate::escape::escape_html;

use super::value::{self, equal, float_value, to_s, to_text, truthy, Num};

pub(crate) type Args<'a> = &'a [Value];
pub(crate) type Keywords<'a> = &'a [(String, Value)];

/// A standard filter, or `None` when there is no filter of that name.
pub(crate) fn standard(name: &str, input: &Value, args: Args, keywords: Keywords) -> Option<Result<Value, String>> {
    let arg = |i: usize| args.get(i).cloned().unwrap_or(Value::Null);
    let text = || to_s(input);
    let s = |v: String| Ok(Value::String(v));
    Some(match name {
        "append" => s(text() + &to_s(&arg(0))),
        "prepend" => s(to_s(&arg(0)) + &text()),
        "downcase" => s(text().to_lowercase()),
        "upcase" => s(text().to_uppercase()),
        "capitalize" => {
            let t = text();
            let mut chars = t.chars();
            s(match chars.next() {
                Some(c) => c.to_uppercase().collect::<String>() + &chars.as_str().to_lowercase(),
                None => String::new(),
            })
        }
        "escape" | "h" => match input {
            Value::Null => Ok(Value::Null),
            _ => s(escape_html(&text())),
        },
        "escape_once" => s(escape_once(&text())),
        "url_encode" => match input {
            Value::Null => Ok(Value::Null),
            _ => s(url_encode(&text())),
        },
        "url_decode" => match input {
            Value::Null => Ok(Value::Null),
            _ => url_decode(&text()).map(Value::String),
        },
        "base64_encode" => s(base64_encode(&text(), false)),
        "base64_url_safe_encode" => s(base64_encode(&text(), true)),
        "base64_decode" => base64_decode(&text(), false).map(Value::String),
        "base64_url_safe_decode" => base64_decode(&text(), true).map(Value::String),
        "strip" => s(text().trim().to_string()),
        "lstrip" => s(text().trim_start().to_string()),
        "rstrip" => s(text().trim_end().to_string()),
        "strip_newlines" => s(text().replace(['\r', '\n'], "")),
        "newline_to_br" => s(text().replace("\r\n", "\n").replace('\n', "<br />\n")),
        "strip_html" => s(strip_html(&text())),
        "squish" => s(text().split_whitespace().collect::<Vec<_>>().join(" ")),
        "replace" => s(text().replace(&to_s(&arg(0)), &to_s(&arg(1)))),
        "replace_first" => s(text().replacen(&to_s(&arg(0)), &to_s(&arg(1)), 1)),
        "replace_last" => s(replace_last(&text(), &to_s(&arg(0)), &to_s(&arg(1)))),
        "remove" => s(text().replace(&to_s(&arg(0)), "")),
        "remove_first" => s(text().replacen(&to_s(&arg(0)), "", 1)),
        "remove_last" => s(replace_last(&text(), &to_s(&arg(0)), "")),
        "truncate" => truncate(input, args),
        "truncatewords" => truncatewords(input, args),
        "split" => s_split(&text(), &to_s(&arg(0))),
        "slice" => slice(input, args),
        "size" => Ok(Value::from(size(input))),
        "first" => Ok(match input {
            Value::Array(a) => a.first().cloned().unwrap_or(Value::Null),
            Value::Object(m) => {
                m.iter().next().map_or(Value::Null, |(k, v)| Value::Array(vec![Value::String(k.clone()), v.clone()]))
            }
            Value::String(t) => t.chars().next().map_or(Value::Null, |c| Value::String(c.to_string())),
            _ => Value::Null,
        }),
        "last" => Ok(match input {
            Value::Array(a) => a.last().cloned().unwrap_or(Value::Null),
            // A Ruby hash has `first` (from Enumerable) but no `last`.
            Value::String(t) => t.chars().last().map_or(Value::Null, |c| Value::String(c.to_string())),
            _ => Value::Null,
        }),
        "join" => {
            let sep = if args.is_empty() { " ".to_string() } else { to_s(&arg(0)) };
            match input {
                Value::Array(items) => s(items.iter().map(to_text).collect::<Vec<_>>().join(&sep)),
                other => s(to_s(other)),
            }
        }
        "reverse" => Ok(Value::Array(array(input).into_iter().rev().collect())),
        "compact" => compact(input, args.first()),
        "uniq" => uniq(input, args.first()),
        "concat" => match &arg(0) {
            Value::Array(more) => {
                let mut items = array(input);
                items.extend(more.iter().cloned());
                Ok(Value::Array(items))
            }
            _ => Err("concat filter requires an array argument".into()),
        },
        "map" => map(input, &arg(0)),
        "sort" => sort(input, args.first(), false),
        "sort_natural" => sort(input, args.first(), true),
        "where" => where_filter(input, &arg(0), args.get(1), false),
        "reject" => {
            let kept = match where_filter(input, &arg(0), args.get(1), false) {
                Ok(Value::Array(kept)) => kept,
                _ => vec![],
            };
            Ok(Value::Array(array(input).into_iter().filter(|i| !kept.contains(i)).collect()))
        }
        "find" | "find_index" | "has" => {
            let found = array(input).into_iter().enumerate().find(|(_, item)| {
                let v = prop(item, &arg(0));
                match args.get(1) {
                    Some(target) => equal(&v, target),
                    None => truthy(&v),
                }
            });
            Ok(match (name, found) {
                ("find", Some((_, item))) => item,
                ("find_index", Some((i, _))) => Value::from(i),
                ("has", found) => Value::Bool(found.is_some()),
                _ => Value::Null,
            })
        }
        "sum" => sum(input, args.first()),
        "abs" => Ok(match Num::of(input) {
            Num::Int(i) => Value::from(i.saturating_abs()),
            Num::Float(f) => float_value(f.abs()),
        }),
        "plus" => arithmetic(input, &arg(0), '+'),
        "minus" => arithmetic(input, &arg(0), '-'),
        "times" => arithmetic(input, &arg(0), '*'),
        "divided_by" => arithmetic(input, &arg(0), '/'),
        "modulo" => arithmetic(input, &arg(0), '%'),
        "at_least" => Ok(extreme(input, &arg(0), true)),
        "at_most" => Ok(extreme(input, &arg(0), false)),
        "ceil" => Ok(Value::from(Num::of(input).as_f64().ceil() as i64)),
        "floor" => Ok(Value::from(Num::of(input).as_f64().floor() as i64)),
        "round" => Ok(round(input, args.first())),
        "default" => {
            let allow_false = keywords.iter().any(|(k, v)| k == "allow_false" && truthy(v));
            let use_default = match input {
                Value::Bool(false) => !allow_false,
                Value::Null => true,
                other => value::is_empty(other),
            };
            Ok(if use_default { arg(0) } else { input.clone() })
        }
        "date" => super::date::date_filter(input, &arg(0)),
        _ => return None,
    })
}

fn escape_once(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if c == '&' {
            let entity = rest[1..].find(';').filter(|&n| {
                let name = &rest[1..1 + n];
                !name.is_empty()
                    && (name.chars().all(|c| c.is_ascii_alphanumeric())
                        || (name.starts_with('#')
                            && name.len() > 1
                            && name[1..].chars().all(|c| c.is_ascii_alphanumeric())))
            });
            if let Some(n) = entity {
                out.push_str(&rest[..n + 2]);
                rest = &rest[n + 2..];
                continue;
            }
        }
        out.push_str(&escape_html(&c.to_string()));
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// Ruby's `CGI.escape`: spaces become `+`.
pub(crate) fn url_encode(text: &str) -> String {
    let mut out = String::new();
    for b in text.bytes() {
        match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'_' | b'.' | b'-' | b'~' => out.push(b as char),
            b' ' => out.push('+'),
            b => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

fn url_decode(text: &str) -> Result<String, String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() && text.is_char_boundary(i + 3) => {
                match u8::from_str_radix(&text[i + 1..i + 3], 16) {
                    Ok(b) => {
                        out.push(b);
                        i += 2;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).map_err(|_| format!("invalid byte sequence in UTF-8: {text}"))
}

fn base64_encode(text: &str, url_safe: bool) -> String {
    use base64::Engine;
    if url_safe {
        base64::engine::general_purpose::URL_SAFE.encode(text)
    } else {
        base64::engine::general_purpose::STANDARD.encode(text)
    }
}

fn base64_decode(text: &str, url_safe: bool) -> Result<String, String> {
    use base64::Engine;
    let engine =
        if url_safe { base64::engine::general_purpose::URL_SAFE } else { base64::engine::general_purpose::STANDARD };
    let bytes = engine
        .decode(text.trim_end_matches('=').to_string() + &"=".repeat((4 - text.trim_end_matches('=').len() % 4) % 4))
        .map_err(|_| "invalid base64 provided to base64_decode".to_string())?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

pub(crate) fn strip_html(text: &str) -> String {
    let mut out = text.to_string();
    for (open, close) in [("<script", "</script>"), ("<style", "</style>"), ("<!--", "-->")] {
        while let Some(start) = find_ci(&out, open) {
            let Some(end) = find_ci(&out[start..], close) else { break };
            out.replace_range(start..start + end + close.len(), "");
        }
    }
    let mut result = String::with_capacity(out.len());
    let mut in_tag = false;
    for c in out.chars() {
        match c {
            '<' if !in_tag => in_tag = true,
            '>' if in_tag => in_tag = false,
            c if !in_tag => result.push(c),
            _ => {}
        }
    }
    if in_tag {
        // An unclosed `<` is text, as Ruby's `/<.*?>/` leaves it.
        let at = out.rfind('<').unwrap_or(0);
        result.push_str(&out[at..]);
    }
    result
}

fn find_ci(hay: &str, needle: &str) -> Option<usize> {
    hay.to_ascii_lowercase().find(&needle.to_ascii_lowercase())
}

fn replace_last(text: &str, from: &str, to: &str) -> String {
    match text.rfind(from) {
        Some(i) => format!("{}{}{}", &text[..i], to, &text[i + from.len()..]),
        None => text.to_string(),
    }
}

fn int_arg(v: &Value, name: &str) -> Result<i64, String> {
    match v {
        Value::Number(_) => Ok(super::render::int_of(v)),
        Value::String(s) if s.trim().parse::<f64>().is_ok() => Ok(super::render::int_of(v)),
        Value::Null => Ok(0),
        _ => Err(format!("invalid integer for {name}")),
    }
}

fn truncate(input: &Value, args: Args) -> Result<Value, String> {
    if input.is_null() {
        return Ok(Value::Null);
    }
    let text = to_s(input);
    let length = match args.first() {
        Some(v) => int_arg(v, "truncate")?,
        None => 50,
    };
    let ellipsis = args.get(1).map_or("...".to_string(), to_text);
    let chars: Vec<char> = text.chars().collect();
    if chars.len() as i64 <= length {
        return Ok(Value::String(text));
    }
    let keep = length.saturating_sub(ellipsis.chars().count() as i64).max(0) as usize;
    Ok(Value::String(chars[..keep.min(chars.len())].iter().collect::<String>() + &ellipsis))
}

fn truncatewords(input: &Value, args: Args) -> Result<Value, String> {
    if input.is_null() {
        return Ok(Value::Null);
    }
    let text = to_s(input);
    let words = match args.first() {
        Some(v) => int_arg(v, "truncatewords")?,
        None => 15,
    }
    .max(1) as usize;
    let ellipsis = args.get(1).map_or("...".to_string(), to_text);
    let all: Vec<&str> = text.split_whitespace().collect();
    if all.len() <= words {
        return Ok(Value::String(text));
    }
    Ok(Value::String(all[..words].join(" ") + &ellipsis))
}

/// Ruby's `String#split`: a single space splits on runs of whitespace, an empty
/// pattern into characters, and trailing empty fields are dropped.
fn s_split(text: &str, pattern: &str) -> Result<Value, String> {
    let mut parts: Vec<String> = if pattern == " " {
        text.split_whitespace().map(str::to_string).collect()
    } else if pattern.is_empty() {
        text.chars().map(|c| c.to_string()).collect()
    } else {
        text.split(pattern).map(str::to_string).collect()
    };
    while parts.last().is_some_and(|p| p.is_empty()) {
        parts.pop();
    }
    Ok(Value::Array(parts.into_iter().map(Value::String).collect()))
}

fn slice(input: &Value, args: Args) -> Result<Value, String> {
    let start = int_arg(args.first().unwrap_or(&Value::Null), "slice")?;
    let len = match args.get(1) {
        Some(v) => int_arg(v, "slice")?,
        None => 1,
    };
    let pick = |n: usize| -> Option<(usize, usize)> {
        let start = if start < 0 { n as i64 + start } else { start };
        if start < 0 || start > n as i64 || len < 0 {
            return None;
        }
        let start = start as usize;
        Some((start, start.saturating_add(len as usize).min(n)))
    };
    Ok(match input {
        Value::Array(items) => match pick(items.len()) {
            Some((a, b)) => Value::Array(items[a..b].to_vec()),
            None => Value::Null,
        },
        Value::Null => Value::Null,
        other => {
            let chars: Vec<char> = to_s(other).chars().collect();
            match pick(chars.len()) {
                Some((a, b)) => Value::String(chars[a..b].iter().collect()),
                None => Value::Null,
            }
        }
    })
}

pub(crate) fn size(input: &Value) -> usize {
    match input {
        Value::String(s) => s.chars().count(),
        Value::Array(a) => a.len(),
        Value::Object(o) => o.get("size").and_then(Value::as_u64).map_or(o.len(), |n| n as usize),
        Value::Number(n) if !n.is_f64() => 8,
        _ => 0,
    }
}

pub(crate) fn array(input: &Value) -> Vec<Value> {
    match input {
        Value::Array(a) => a.clone(),
        Value::Null => vec![],
        other => vec![other.clone()],
    }
}

/// A hash's property, for filters that take one (`map`, `sort`, `where`...).
/// A dotted name (`title.content`) reads nested hashes.
pub(crate) fn prop(item: &Value, key: &Value) -> Value {
    let key = to_text(key);
    let Value::Object(map) = item else { return Value::Null };
    if let Some(v) = map.get(&key) {
        return v.clone();
    }
    let mut v = item;
    for part in key.split('.') {
        match v {
            Value::Object(m) => match m.get(part) {
                Some(next) => v = next,
                None => return Value::Null,
            },
            _ => return Value::Null,
        }
    }
    if key.contains('.') {
        v.clone()
    } else {
        Value::Null
    }
}

fn compact(input: &Value, key: Option<&Value>) -> Result<Value, String> {
    let items = array(input);
    Ok(Value::Array(
        items
            .into_iter()
            .filter(|i| match key {
                Some(k) => !prop(i, k).is_null(),
                None => !i.is_null(),
            })
            .collect(),
    ))
}

fn uniq(input: &Value, key: Option<&Value>) -> Result<Value, String> {
    let mut seen: Vec<Value> = Vec::new();
    let mut out = Vec::new();
    for item in array(input) {
        let k = match key {
            Some(k) => prop(&item, k),
            None => item.clone(),
        };
        if !seen.iter().any(|s| equal(s, &k)) {
            seen.push(k);
            out.push(item);
        }
    }
    Ok(Value::Array(out))
}

fn map(input: &Value, key: &Value) -> Result<Value, String> {
    let items = match input {
        Value::Array(items) => items.clone(),
        Value::Null => return Ok(Value::Array(vec![])),
        other => vec![other.clone()],
    };
    let mut out = Vec::new();
    for item in flatten(items) {
        match &item {
            Value::Object(_) => out.push(prop(&item, key)),
            Value::Null | Value::String(_) => out.push(Value::Null),
            Value::Number(_) | Value::Bool(_) => {
                return Err("cannot select the property".into());
            }
            Value::Array(_) => {}
        }
    }
    Ok(Value::Array(out))
}

fn flatten(items: Vec<Value>) -> Vec<Value> {
    let mut out = Vec::new();
    for item in items {
        match item {
            Value::Array(inner) => out.extend(flatten(inner)),
            other => out.push(other),
        }
    }
    out
}

pub(crate) fn sort(input: &Value, key: Option<&Value>, natural: bool) -> Result<Value, String> {
    let mut items = array(input);
    let sort_key = |v: &Value| -> Value {
        let v = match key {
            Some(k) => prop(v, k),
            None => v.clone(),
        };
        match (&v, natural) {
            (Value::String(s), true) => Value::String(s.to_lowercase()),
            _ => v,
        }
    };
    let mut failed = false;
    items.sort_by(|a, b| {
        let (ka, kb) = (sort_key(a), sort_key(b));
        match (&ka, &kb) {
            (Value::Null, Value::Null) => std::cmp::Ordering::Equal,
            (Value::Null, _) => std::cmp::Ordering::Greater,
            (_, Value::Null) => std::cmp::Ordering::Less,
            _ => value::compare(&ka, &kb).unwrap_or_else(|| {
                failed = true;
                std::cmp::Ordering::Equal
            }),
        }
    });
    if failed && key.is_none() && !natural {
        return Err(format!("comparison of {} failed", "values"));
    }
    Ok(Value::Array(items))
}

/// Liquid's `where`: items whose property equals the value, or is truthy with no value.
pub(crate) fn where_filter(input: &Value, key: &Value, target: Option<&Value>, jekyll: bool) -> Result<Value, String> {
    let items = match input {
        Value::Array(items) => items.clone(),
        Value::Object(map) if jekyll => map.values().cloned().collect(),
        Value::Null => vec![],
        other => vec![other.clone()],
    };
    let out = items
        .into_iter()
        .filter(|item| {
            let v = prop(item, key);
            match target {
                None => truthy(&v),
                Some(t) if jekyll => {
                    let t = to_text(t);
                    match &v {
                        Value::Array(list) => list.iter().any(|x| to_text(x) == t),
                        other => to_text(other) == t,
                    }
                }
                Some(t) => equal(&v, t),
            }
        })
        .collect();
    Ok(Value::Array(out))
}

fn sum(input: &Value, key: Option<&Value>) -> Result<Value, String> {
    let mut int: i64 = 0;
    let mut float = Num::Int(0);
    let mut is_float = false;
    for item in flatten(array(input)) {
        let v = match key {
            Some(k) => prop(&item, k),
            None => item,
        };
        match v {
            Value::Number(_) | Value::String(_) => match Num::of(&v) {
                Num::Int(i) => int = int.wrapping_add(i),
                Num::Float(f) => {
                    is_float = true;
                    float = Num::Float(decimal_op(float, Num::Float(f), '+').unwrap_or(float.as_f64() + f));
                }
            },
            _ => {}
        }
    }
    Ok(if is_float {
        float_value(decimal_op(float, Num::Int(int), '+').unwrap_or(float.as_f64() + int as f64))
    } else {
        Value::from(int)
    })
}

fn arithmetic(a: &Value, b: &Value, op: char) -> Result<Value, String> {
    let (x, y) = (Num::of(a), Num::of(b));
    match (x, y) {
        (Num::Int(x), Num::Int(y)) => {
            let r = match op {
                '+' => x.checked_add(y),
                '-' => x.checked_sub(y),
                '*' => x.checked_mul(y),
                '/' => {
                    if y == 0 {
                        return Err("divided by 0".into());
                    }
                    x.checked_div(y).map(|_| floor_div(x, y))
                }
                _ => {
                    if y == 0 {
                        return Err("divided by 0".into());
                    }
                    x.checked_rem(y).map(|_| x - y * floor_div(x, y))
                }
            };
            Ok(r.map_or_else(|| float_value(float_op(x as f64, y as f64, op)), Value::from))
        }
        _ => {
            // Ruby Liquid computes with BigDecimal: 0.0725 * 100 is 7.25, not 7.249999999999999.
            if let Some(exact) = decimal_op(x, y, op) {
                return Ok(float_value(exact));
            }
            if op == '%' && y.as_f64() == 0.0 {
                return Err("divided by 0".into());
            }
            if op == '/' && y.as_f64() == 0.0 && matches!(y, Num::Int(_)) && matches!(x, Num::Int(_)) {
                return Err("divided by 0".into());
            }
            Ok(float_value(float_op(x.as_f64(), y.as_f64(), op)))
        }
    }
}

/// `x OP y` for `+`, `-` and `*` in decimal, when both fit: each float read as the
/// shortest decimal that prints it.
fn decimal_op(x: Num, y: Num, op: char) -> Option<f64> {
    let (a, sa) = decimal(x)?;
    let (b, sb) = decimal(y)?;
    let (value, scale) = match op {
        '+' | '-' => {
            let scale = sa.max(sb);
            let a = a.checked_mul(10i128.checked_pow(scale - sa)?)?;
            let b = b.checked_mul(10i128.checked_pow(scale - sb)?)?;
            (if op == '+' { a.checked_add(b)? } else { a.checked_sub(b)? }, scale)
        }
        '*' => (a.checked_mul(b)?, sa + sb),
        _ => return None,
    };
    format!("{}e-{scale}", value).parse().ok()
}

/// A number as an integer and a count of decimal places.
fn decimal(n: Num) -> Option<(i128, u32)> {
    match n {
        Num::Int(i) => Some((i128::from(i), 0)),
        Num::Float(f) if f.is_finite() => {
            let text = format!("{f}");
            if text.contains('e') {
                return None;
            }
            let (whole, frac) = text.split_once('.').unwrap_or((&text, ""));
            let digits = format!("{whole}{frac}");
            Some((digits.parse().ok()?, u32::try_from(frac.len()).ok()?))
        }
        Num::Float(_) => None,
    }
}

fn floor_div(x: i64, y: i64) -> i64 {
    let q = x / y;
    if (x % y != 0) && ((x < 0) != (y < 0)) {
        q - 1
    } else {
        q
    }
}

fn float_op(x: f64, y: f64, op: char) -> f64 {
    match op {
        '+' => x + y,
        '-' => x - y,
        '*' => x * y,
        '/' => x / y,
        _ => x - y * (x / y).floor(),
    }
}

fn extreme(a: &Value, b: &Value, at_least: bool) -> Value {
    let (x, y) = (Num::of(a), Num::of(b));
    let pick_y = if at_least { y.as_f64() > x.as_f64() } else { y.as_f64() < x.as_f64() };
    if pick_y {
        y.to_value()
    } else {
        x.to_value()
    }
}

fn round(input: &Value, digits: Option<&Value>) -> Value {
    let n = Num::of(input);
    let digits = digits.map_or(0, super::render::int_of);
    match n {
        Num::Int(i) => Value::from(i),
        Num::Float(f) if digits <= 0 => {
            let r = f.round();
            if r.is_finite() {
                Value::from(r as i64)
            } else {
                float_value(r)
            }
        }
        Num::Float(f) => {
            let m = 10f64.powi(digits as i32);
            float_value((f * m).round() / m)
        }
    }
}
