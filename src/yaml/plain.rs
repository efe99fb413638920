//! A reader for plain front matter, the kind nearly every page has: `key: value` lines at
//! column 0 whose values are plain or quoted scalars on one line, flow lists `[a, b]` and
//! block lists `- a`. serde-saphyr took about 135,000 instructions for eight such lines,
//! an eighth of `signpost check`; this reader takes about a tenth of that.
//!
//! It gives exactly serde-saphyr's values and places (the value's line and column, which
//! diagnostics and later steps use), or `None` for anything outside that subset, which the
//! caller then gives to serde-saphyr: comments, tags, anchors, nested mappings, multi-line
//! scalars, escapes other than `\\` and `\"`, numbers other than plain integers, a key
//! written twice, tabs, CR and other characters YAML treats specially. When in doubt it
//! says `None`: a wrong guess here would change a page, a `None` only costs time.
//! `tests.rs` compares the two readers on every front matter block of ../shared.

use std::collections::BTreeMap;

use serde_json::Value;

use super::Placed;

/// Longer front matter goes to serde-saphyr, whose budget (events, nodes, a key's
/// look-ahead of 1,024 characters) a text of this size cannot reach.
const MAX_TEXT: usize = 64 * 1024;
const MAX_KEY: usize = 128;

/// The top-level keys of `text` and their values, or `None` when `text` is not plain.
pub(super) fn read(text: &str) -> Option<BTreeMap<String, Placed>> {
    let printable_ascii = text.bytes().all(|b| b == b'\n' || (b' '..=b'~').contains(&b));
    if text.len() > MAX_TEXT || !(printable_ascii || text.chars().all(plain_char)) {
        return None;
    }
    let lines: Vec<&str> = text.split('\n').collect();
    let mut map = BTreeMap::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        if is_blank(line) {
            i += 1;
            continue;
        }
        let (key, after_colon) = key_of(line)?;
        let value = after_colon.trim_start_matches(' ');
        let column = line.len() - value.len() + 1;
        let placed = if value.is_empty() {
            match block_list(&lines, i + 1)? {
                Some((list, next)) => {
                    i = next;
                    list
                }
                // An empty value is null, placed at its key's colon.
                None => {
                    i += 1;
                    at(Value::Null, i, key.len() + 1)
                }
            }
        } else {
            i += 1;
            let parsed = if value.starts_with('[') { flow_list(value)? } else { block_scalar(value)? };
            at(parsed, i, column)
        };
        if map.insert(key.to_string(), placed).is_some() {
            return None;
        }
    }
    Some(map)
}

fn at(value: Value, line: usize, column: usize) -> Placed {
    Placed { value, line: line as u32, column: column as u32 }
}

/// Printable characters YAML reads as themselves in every context; anything else (tab, CR,
/// control characters, NEL, the Unicode line and paragraph separators, a byte-order mark)
/// goes to serde-saphyr.
fn plain_char(c: char) -> bool {
    matches!(c, '\n' | ' '..='~')
        || (c >= '\u{A0}' && !matches!(c, '\u{2028}' | '\u{2029}' | '\u{FEFF}' | '\u{FFFE}' | '\u{FFFF}'))
}

fn is_blank(line: &str) -> bool {
    line.bytes().all(|b| b == b' ')
}

/// `key:` at column 0, with a key of letters, digits, `_` and `-` (starting with a letter
/// or `_`) that YAML could read as nothing but that string; returns the key and the rest
/// of the line after the colon, which is empty or starts with a space.
fn key_of(line: &str) -> Option<(&str, &str)> {
    let end = line.bytes().position(|b| !(b.is_ascii_alphanumeric() || b == b'_' || b == b'-'))?;
    let (key, rest) = line.split_at(end);
    let first = *key.as_bytes().first()?;
    if !(first.is_ascii_alphabetic() || first == b'_') || key.len() > MAX_KEY || scalar_keyword(key).is_some() {
        return None;
    }
    let after_colon = rest.strip_prefix(':')?;
    (after_colon.is_empty() || after_colon.starts_with(' ')).then_some((key, after_colon))
}

/// A block list under a key whose line ends at its colon: `- item` lines from line index
/// `from` on, all at one indentation. Returns the list placed as serde-saphyr places it,
/// and the index of the line after it; `Some(None)` when no list follows (the value is
/// null), `None` when the list is not plain. Lines after the list that do not belong to
/// it are left to the caller, which takes only a key at column 0.
fn block_list(lines: &[&str], from: usize) -> Option<Option<(Placed, usize)>> {
    let Some(first) = (from..lines.len()).find(|&j| !is_blank(lines[j])) else { return Some(None) };
    let indent = lines[first].len() - lines[first].trim_start_matches(' ').len();
    let mut items = Vec::new();
    let mut place = None;
    let mut j = first;
    while j < lines.len() {
        if is_blank(lines[j]) {
            j += 1;
            continue;
        }
        let line = lines[j];
        let item = line.trim_start_matches(' ');
        let rest = match item.strip_prefix('-') {
            Some(rest) if line.len() - item.len() == indent && (rest.is_empty() || rest.starts_with(' ')) => rest,
            _ => break,
        };
        let value = rest.trim_start_matches(' ');
        if value.is_empty() || value.starts_with('[') {
            return None;
        }
        // An indented list is placed at its first `-`; a list at column 0 (an "indentless"
        // sequence) at its first item's value.
        let column = if indent > 0 { indent + 1 } else { line.len() - value.len() + 1 };
        place.get_or_insert((j + 1, column));
        items.push(block_scalar(value)?);
        j += 1;
    }
    let Some((line, column)) = place else { return Some(None) };
    Some(Some((at(Value::Array(items), line, column), j)))
}

/// A scalar that is the rest of a line in block context: quoted, or plain.
fn block_scalar(text: &str) -> Option<Value> {
    let (value, rest) = match text.as_bytes()[0] {
        b'"' => double_quoted(text)?,
        b'\'' => single_quoted(text)?,
        first if is_indicator(first) => return None,
        _ => {
            // `: ` or a final `:` would make a mapping; ` #` starts a comment. (The first
            // byte is neither `:` nor `#`.)
            let bytes = text.as_bytes();
            for (i, &b) in bytes.iter().enumerate().skip(1) {
                match b {
                    b':' if matches!(bytes.get(i + 1), None | Some(b' ')) => return None,
                    b'#' if bytes[i - 1] == b' ' => return None,
                    _ => {}
                }
            }
            return plain_scalar(text.trim_end_matches(' '));
        }
    };
    is_blank(rest).then_some(value)
}

/// `[a, "b", 'c']` on one line, ending the line (trailing spaces aside).
fn flow_list(text: &str) -> Option<Value> {
    let mut rest = text.strip_prefix('[')?.trim_start_matches(' ');
    let mut items = Vec::new();
    loop {
        if let Some(after) = rest.strip_prefix(']') {
            return is_blank(after).then_some(Value::Array(items));
        }
        let (item, after) = match rest.as_bytes().first()? {
            b'"' => double_quoted(rest)?,
            b'\'' => single_quoted(rest)?,
            &first if is_indicator(first) => return None,
            _ => {
                let end = rest.find([',', ']'])?;
                let item = &rest[..end];
                if item.contains(['[', '{', '}', ':', '#']) {
                    return None;
                }
                (plain_scalar(item.trim_end_matches(' '))?, &rest[end..])
            }
        };
        items.push(item);
        rest = after.trim_start_matches(' ');
        if let Some(after) = rest.strip_prefix(',') {
            rest = after.trim_start_matches(' ');
            if rest.starts_with(',') {
                return None;
            }
        } else if !rest.starts_with(']') {
            return None;
        }
    }
}

/// `"..."` at the start of `text`, with no escape but `\\` and `\"`; its value and what
/// follows the closing quote.
fn double_quoted(text: &str) -> Option<(Value, &str)> {
    let mut rest = &text[1..];
    let mut value = String::new();
    loop {
        let stop = memchr::memchr2(b'"', b'\\', rest.as_bytes())?;
        value.push_str(&rest[..stop]);
        if rest.as_bytes()[stop] == b'"' {
            return Some((Value::String(value), &rest[stop + 1..]));
        }
        match rest.as_bytes().get(stop + 1)? {
            escaped @ (b'\\' | b'"') => value.push(char::from(*escaped)),
            _ => return None,
        }
        rest = &rest[stop + 2..];
    }
}

/// `'...'` at the start of `text`, where `''` is a quote; its value and what follows.
fn single_quoted(text: &str) -> Option<(Value, &str)> {
    let body = &text[1..];
    let mut value = String::with_capacity(body.len());
    let mut rest = body;
    loop {
        let quote = rest.find('\'')?;
        value.push_str(&rest[..quote]);
        rest = &rest[quote + 1..];
        match rest.strip_prefix('\'') {
            Some(after) => {
                value.push('\'');
                rest = after;
            }
            None => return Some((Value::String(value), rest)),
        }
    }
}

/// The characters that cannot start a plain scalar, or start something else.
fn is_indicator(b: u8) -> bool {
    b"-?:,[]{}#&*!|>'\"%@`".contains(&b)
}

/// What serde-saphyr makes of a plain scalar (YAML 1.2 booleans, as `strict_booleans`):
/// null, a boolean, an integer written plainly, or a string. Whatever could be another
/// number (`1e3`, `0x10`, `.5`, `007`, `1_000`, `+1`, `1.0`) or a date is left to it.
fn plain_scalar(text: &str) -> Option<Value> {
    if let Some(value) = scalar_keyword(text) {
        return Some(value);
    }
    let bytes = text.as_bytes();
    let first = *bytes.first()?;
    if bytes.iter().all(u8::is_ascii_digit) {
        if first == b'0' && bytes.len() > 1 {
            return None;
        }
        return text.parse::<u64>().ok().map(Value::from);
    }
    // Every spelling of a number serde-saphyr reads is made of these bytes; a text that
    // starts like a number and holds only them may be one.
    let number_like = |b: &u8| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'+' | b'-');
    if (first.is_ascii_digit() || matches!(first, b'.' | b'+' | b'-')) && bytes.iter().all(number_like) {
        return None;
    }
    Some(Value::String(text.to_string()))
}

/// The plain scalars YAML 1.2's core schema reads as null or a boolean.
fn scalar_keyword(text: &str) -> Option<Value> {
    match text {
        "~" | "null" | "Null" | "NULL" => Some(Value::Null),
        "true" | "True" | "TRUE" => Some(Value::Bool(true)),
        "false" | "False" | "FALSE" => Some(Value::Bool(false)),
        _ => None,
    }
}

#[cfg(test)]
mod tests;
