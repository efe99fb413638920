//! How Liquid (as Ruby runs it) reads a value: truthiness, text, comparison, numbers.

use std::cmp::Ordering;

use serde_json::{Number, Value};

pub(crate) fn truthy(value: &Value) -> bool {
    !matches!(value, Value::Null | Value::Bool(false))
}

/// Ruby's `blank?`: nil, false, whitespace, an empty collection.
pub(crate) fn is_blank(value: &Value) -> bool {
    match value {
        Value::Null | Value::Bool(false) => true,
        Value::String(s) => s.trim().is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    }
}

pub(crate) fn is_empty(value: &Value) -> bool {
    match value {
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    }
}

/// The text Liquid outputs for a value.
pub fn to_text(value: &Value) -> String {
    let mut out = String::new();
    write_text(&mut out, value);
    out
}

pub(crate) fn write_text(out: &mut String, value: &Value) {
    match value {
        Value::Null => {}
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&number_text(n)),
        Value::String(s) => out.push_str(s),
        // Ruby's Array#join: nested arrays flatten, nil is empty.
        Value::Array(items) => items.iter().for_each(|v| write_text(out, v)),
        Value::Object(_) => out.push_str(&inspect(value)),
    }
}

pub(crate) fn number_text(n: &Number) -> String {
    if let Some(i) = n.as_i64() {
        return i.to_string();
    }
    if let Some(u) = n.as_u64() {
        return u.to_string();
    }
    float_text(n.as_f64().unwrap_or(0.0))
}

/// Ruby's `Float#to_s`: `1.0`, `0.1`, `1.0e+20`, `1.0e-05`.
pub(crate) fn float_text(f: f64) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "Infinity".into() } else { "-Infinity".into() };
    }
    let abs = f.abs();
    if abs != 0.0 && !(1e-4..1e16).contains(&abs) {
        let s = format!("{f:e}");
        let (mantissa, exp) = s.split_once('e').unwrap_or((&s, "0"));
        let mantissa = if mantissa.contains('.') { mantissa.to_string() } else { format!("{mantissa}.0") };
        let exp: i32 = exp.parse().unwrap_or(0);
        let sign = if exp < 0 { '-' } else { '+' };
        return format!("{mantissa}e{sign}{:02}", exp.abs());
    }
    let s = format!("{f}");
    if s.contains('.') {
        s
    } else {
        format!("{s}.0")
    }
}

/// Ruby's `to_s`, which string filters apply to their input: arrays and hashes as
/// `inspect` shows them, unlike output, which joins an array's items.
pub(crate) fn to_s(value: &Value) -> String {
    match value {
        Value::Array(_) | Value::Object(_) => inspect(value),
        other => to_text(other),
    }
}

/// A hash key as Ruby shows it: YAML's `1:` and `:name:` keys are an integer and a symbol.
fn inspect_key(key: &str) -> String {
    let symbol =
        key.strip_prefix(':').is_some_and(|k| !k.is_empty() && k.chars().all(|c| c.is_alphanumeric() || c == '_'));
    if symbol || (!key.is_empty() && key.parse::<i64>().is_ok()) {
        key.to_string()
    } else {
        format!("{key:?}")
    }
}

/// Ruby's `inspect`, which Liquid uses for hashes.
pub(crate) fn inspect(value: &Value) -> String {
    match value {
        Value::Null => "nil".into(),
        Value::String(s) => format!("{s:?}"),
        Value::Array(items) => format!("[{}]", items.iter().map(inspect).collect::<Vec<_>>().join(", ")),
        Value::Object(map) => {
            let pairs: Vec<String> = map.iter().map(|(k, v)| format!("{}=>{}", inspect_key(k), inspect(v))).collect();
            format!("{{{}}}", pairs.join(", "))
        }
        other => to_text(other),
    }
}

/// A number as Liquid reads one: numbers as they are, strings by their leading digits.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Num {
    Int(i64),
    Float(f64),
}

impl Num {
    pub(crate) fn of(value: &Value) -> Num {
        match value {
            Value::Number(n) => match n.as_i64() {
                Some(i) => Num::Int(i),
                None => Num::Float(n.as_f64().unwrap_or(0.0)),
            },
            Value::String(s) => Num::parse(s),
            _ => Num::Int(0),
        }
    }

    /// `"3.5"` is a float; otherwise the leading integer, as Ruby's `to_i`.
    pub(crate) fn parse(s: &str) -> Num {
        let t = s.trim();
        let bytes = t.as_bytes();
        let mut end = usize::from(bytes.first().is_some_and(|b| *b == b'-' || *b == b'+'));
        let digits_start = end;
        while end < bytes.len() && bytes[end].is_ascii_digit() {
            end += 1;
        }
        if end > digits_start && end + 1 < bytes.len() && bytes[end] == b'.' && bytes[end + 1].is_ascii_digit() {
            let mut f_end = end + 1;
            while f_end < bytes.len() && bytes[f_end].is_ascii_digit() {
                f_end += 1;
            }
            return Num::Float(t[..f_end].parse().unwrap_or(0.0));
        }
        if end == digits_start {
            return Num::Int(0);
        }
        match t[..end].parse::<i64>() {
            Ok(i) => Num::Int(i),
            Err(_) => Num::Float(t[..end].parse().unwrap_or(0.0)),
        }
    }

    pub(crate) fn as_f64(self) -> f64 {
        match self {
            Num::Int(i) => i as f64,
            Num::Float(f) => f,
        }
    }

    pub(crate) fn to_value(self) -> Value {
        match self {
            Num::Int(i) => Value::from(i),
            Num::Float(f) => float_value(f),
        }
    }
}

/// A float as a value; infinities and NaN, which JSON cannot hold, as their Ruby text.
pub(crate) fn float_value(f: f64) -> Value {
    Number::from_f64(f).map_or_else(|| Value::String(float_text(f)), Value::Number)
}

/// Ruby's `==`: numbers compare by value (1 == 1.0), everything else structurally.
pub(crate) fn equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            Num::of(a).as_f64() == Num::of(b).as_f64() && (x.is_f64() || y.is_f64() || x == y)
        }
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(p, q)| equal(p, q)),
        _ => a == b,
    }
}

/// Ruby's `<=>` for the pairs it defines (numbers, strings, arrays of those).
pub(crate) fn compare(a: &Value, b: &Value) -> Option<Ordering> {
    match (a, b) {
        (Value::Number(_), Value::Number(_)) => Num::of(a).as_f64().partial_cmp(&Num::of(b).as_f64()),
        (Value::String(x), Value::String(y)) => Some(x.cmp(y)),
        (Value::Array(x), Value::Array(y)) => {
            for (p, q) in x.iter().zip(y) {
                match compare(p, q)? {
                    Ordering::Equal => continue,
                    other => return Some(other),
                }
            }
            Some(x.len().cmp(&y.len()))
        }
        _ => None,
    }
}

/// The Ruby class name Liquid's messages use.
pub(crate) fn class_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "NilClass",
        Value::Bool(true) => "TrueClass",
        Value::Bool(false) => "FalseClass",
        Value::Number(n) if n.is_f64() => "Float",
        Value::Number(_) => "Integer",
        Value::String(_) => "String",
        Value::Array(_) => "Array",
        Value::Object(_) => "Hash",
    }
}

/// Property access as Liquid does it: keys of hashes, indexes of arrays, and `size`,
/// `first`, `last` on collections.
pub(crate) fn property<'v>(value: &'v Value, key: &Value) -> Prop<'v> {
    match (value, key) {
        (Value::Object(map), Value::String(k)) => match map.get(k) {
            Some(v) => Prop::Ref(v),
            None if k == "size" => Prop::Owned(Value::from(map.len())),
            // Ruby's Hash#first: the first pair, in the order the hash keeps.
            None if k == "first" => map
                .iter()
                .next()
                .map_or(Prop::Missing, |(k, v)| Prop::Owned(Value::Array(vec![Value::String(k.clone()), v.clone()]))),
            None => Prop::Missing,
        },
        (Value::Object(map), other) => map.get(&to_text(other)).map_or(Prop::Missing, Prop::Ref),
        (Value::Array(items), Value::Number(_)) => {
            let Num::Int(i) = Num::of(key) else { return Prop::Missing };
            let index = if i < 0 { items.len() as i64 + i } else { i };
            usize::try_from(index).ok().and_then(|i| items.get(i)).map_or(Prop::Missing, Prop::Ref)
        }
        (Value::Array(items), Value::String(k)) => match k.as_str() {
            "size" => Prop::Owned(Value::from(items.len())),
            "first" => items.first().map_or(Prop::Missing, Prop::Ref),
            "last" => items.last().map_or(Prop::Missing, Prop::Ref),
            _ => Prop::Missing,
        },
        (Value::String(s), Value::String(k)) => match k.as_str() {
            "size" => Prop::Owned(Value::from(s.chars().count())),
            "first" => Prop::Owned(s.chars().next().map_or(Value::Null, |c| Value::String(c.to_string()))),
            "last" => Prop::Owned(s.chars().last().map_or(Value::Null, |c| Value::String(c.to_string()))),
            _ => Prop::Missing,
        },
        (Value::Number(n), Value::String(k)) if k == "size" && !n.is_f64() => Prop::Owned(Value::from(8)),
        _ => Prop::Missing,
    }
}

pub(crate) enum Prop<'v> {
    Ref(&'v Value),
    Owned(Value),
    Missing,
}
