//! The one place YAML is parsed (serde-saphyr), so every YAML error in the program
//! reports the same way: the file, the YAML's own line and column, and what to do.

use std::collections::BTreeMap;
use std::path::Path;

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::diagnostics::{Diagnostic, Kind, Location, SourceFile};

pub use serde_saphyr::Spanned;

use serde_saphyr::granit_parser::{Event, Parser};

mod plain;

/// A value of front matter and where it is written: the 1-based line and column of the
/// YAML text, as serde-saphyr places it (`0, 0` when it does not).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Placed {
    pub(crate) value: Value,
    pub(crate) line: u32,
    pub(crate) column: u32,
}

impl Placed {
    /// Where the value is written, shifted to the file's own lines.
    pub(crate) fn location(&self, file: impl SourceFile, first_line: usize) -> Option<Location> {
        shifted(file, self.line as usize, self.column as usize, first_line)
    }
}

impl From<Spanned<Value>> for Placed {
    fn from(spanned: Spanned<Value>) -> Placed {
        let at = spanned.referenced;
        Placed { value: spanned.value, line: at.line() as u32, column: at.column() as u32 }
    }
}

/// Front matter's top-level keys, read as [`parse_jekyll`] reads them. Plain front matter,
/// which nearly every page has, is read by a reader of our own that gives the same values
/// and places; anything else goes to serde-saphyr.
pub(crate) fn parse_front_matter(
    text: &str,
    file: &Path,
    first_line: usize,
    warnings: &mut Vec<Diagnostic>,
) -> Result<BTreeMap<String, Placed>, Diagnostic> {
    if let Some(map) = plain::read(text) {
        return Ok(map);
    }
    let map = parse_jekyll::<Option<BTreeMap<String, Spanned<Value>>>>(text, file, first_line, warnings)?;
    Ok(map.unwrap_or_default().into_iter().map(|(key, value)| (key, Placed::from(value))).collect())
}

/// Parses `text`, which starts at line `first_line` of `file` (front matter starts at 2).
pub fn parse<T: DeserializeOwned>(text: &str, file: &Path, first_line: usize) -> Result<T, Diagnostic> {
    // YAML 1.2 booleans only: a tag or keyword written `y` or `on` stays a word.
    let mut options = serde_saphyr::Options::default();
    options.strict_booleans = true;
    serde_saphyr::from_str_with_options(text, options).map_err(|err| diagnostic(&err, file, first_line))
}

/// Parses YAML written for Jekyll, as Psych (Ruby's YAML) reads it: a key written twice
/// keeps its last value, and each repeat is a warning in `warnings` naming both lines.
/// Signpost's own files (site.yaml, diagrams) use [`parse`], where a repeat is an error.
pub fn parse_jekyll<T: DeserializeOwned>(
    text: &str,
    file: &Path,
    first_line: usize,
    warnings: &mut Vec<Diagnostic>,
) -> Result<T, Diagnostic> {
    let mut options = serde_saphyr::Options::default();
    options.strict_booleans = true;
    options.duplicate_keys = serde_saphyr::DuplicateKeyPolicy::LastWins;
    let mut text = std::borrow::Cow::Borrowed(text);
    let value = loop {
        match serde_saphyr::from_str_with_options(&text, options.clone()) {
            Ok(value) => break value,
            Err(err) => {
                let line = err.location().map_or(0, |l| l.line() as usize);
                match indent_quoted_continuation(&text, line, &err.to_string()) {
                    Some(fixed) => text = std::borrow::Cow::Owned(fixed),
                    None => return Err(diagnostic(&err, file, first_line)),
                }
            }
        }
    };
    let repeats = if keys_plainly_distinct(&text) { Vec::new() } else { repeated_keys(&text) };
    for repeat in repeats {
        let shift = first_line - 1;
        warnings.push(
            Diagnostic::warning(
                Kind::DuplicateKey,
                format!(
                    "`{}` is set twice, on lines {} and {}; the last value is used, as in Jekyll",
                    repeat.key,
                    repeat.first_line + shift,
                    repeat.line + shift
                ),
            )
            .at(Location::new(file, repeat.line + shift, repeat.column))
            .spanning(repeat.key.chars().count().max(1))
            .hint(format!("remove one of the two `{}` lines", repeat.key)),
        );
    }
    Ok(value)
}

fn diagnostic(err: &serde_saphyr::Error, file: &Path, first_line: usize) -> Diagnostic {
    let location = err
        .location()
        .filter(|l| l.line() > 0)
        .map(|l| Location::new(file, l.line() as usize + first_line - 1, l.column() as usize));
    let message = clean_message(&err.without_snippet().to_string());
    Diagnostic::error(Kind::Yaml, message).at_opt(location).hint(hint_for(&err.to_string()))
}

/// Psych (libyaml) lets a double-quoted scalar go on at column 0, as front matter
/// `summary: "..."` often does; YAML 1.2 wants its continuation lines indented. Continuation
/// lines fold their leading spaces away, so indenting them (from the 1-based `line` the
/// parser stopped at to the line closing the quote) changes nothing but the parse.
fn indent_quoted_continuation(text: &str, line: usize, message: &str) -> Option<String> {
    if !message.contains("indentation in multiline quoted scalar") || line < 2 {
        return None;
    }
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let above = lines.get(line - 2)?;
    let indent = " ".repeat(above.len() - above.trim_start().len() + 2);
    let mut fixed = String::with_capacity(text.len() + 64);
    let mut closed = false;
    for (i, l) in lines.iter().enumerate() {
        if i + 1 >= line && !closed && !l.trim().is_empty() {
            fixed.push_str(&indent);
            closed = l.contains('"');
        }
        fixed.push_str(l);
    }
    Some(fixed)
}

/// A mapping key written a second time.
#[derive(Debug, PartialEq)]
struct RepeatedKey {
    key: String,
    first_line: usize,
    line: usize,
    column: usize,
}

/// Whether `text` is `key: value` lines only, each key plain and at column 0 and each value
/// on its own line with no mapping in it, and no key written twice: then [`repeated_keys`]
/// has nothing to find. Most front matter is like that, and parsing it a second time to
/// look was a twentieth of `signpost check`'s work on the benchmark corpus. Any other line
/// (indented, a list item, a quoted key, a continuation) leaves the question to the parser.
fn keys_plainly_distinct(text: &str) -> bool {
    let mut keys = rustc_hash::FxHashSet::default();
    for line in text.lines() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((key, value)) = line.split_once(':') else { return false };
        let plain_key = !key.is_empty() && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        let plain_value = (value.is_empty() || value.starts_with(' ')) && !value.contains('{');
        if !plain_key || !plain_value || !keys.insert(key) {
            return false;
        }
    }
    true
}

/// Every scalar key repeated within one mapping, read from the parser's events (the
/// deserialiser keeps the last value silently). Text that does not parse has none: its
/// error comes from the deserialiser.
fn repeated_keys(text: &str) -> Vec<RepeatedKey> {
    enum Frame {
        Mapping { keys: std::collections::HashMap<String, usize>, at_key: bool },
        Sequence,
    }
    let mut stack: Vec<Frame> = Vec::new();
    let mut found = Vec::new();
    for event in Parser::new_from_str(text) {
        let Ok((event, span)) = event else { break };
        let is_node =
            matches!(event, Event::Scalar(..) | Event::MappingStart(..) | Event::SequenceStart(..) | Event::Alias(_));
        if is_node {
            if let Some(Frame::Mapping { keys, at_key }) = stack.last_mut() {
                if *at_key {
                    if let Event::Scalar(key, ..) = &event {
                        let line = span.start.line();
                        if let Some(&first_line) = keys.get(key.as_ref()) {
                            found.push(RepeatedKey {
                                key: key.to_string(),
                                first_line,
                                line,
                                column: span.start.col() + 1,
                            });
                        }
                        keys.insert(key.to_string(), line);
                    }
                }
                *at_key = !*at_key;
            }
        }
        match event {
            Event::MappingStart(..) => stack.push(Frame::Mapping { keys: Default::default(), at_key: true }),
            Event::SequenceStart(..) => stack.push(Frame::Sequence),
            Event::MappingEnd | Event::SequenceEnd => {
                stack.pop();
            }
            _ => {}
        }
    }
    found
}

/// For `#[serde(deserialize_with)]`: an empty value (`subfolders:`), which YAML reads as
/// null, is the type's default, as Jekyll's templates treat it.
pub fn null_as_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de> + Default,
{
    Ok(<Option<T> as serde::Deserialize>::deserialize(deserializer)?.unwrap_or_default())
}

/// The location of a spanned value, shifted to the file's own lines.
pub fn location_of<T>(value: &Spanned<T>, file: impl SourceFile, first_line: usize) -> Option<Location> {
    let l = value.referenced;
    shifted(file, l.line() as usize, l.column() as usize, first_line)
}

/// Line `line` of YAML text that starts at line `first_line` of `file`; `None` for line
/// 0, serde-saphyr's "no place".
fn shifted(file: impl SourceFile, line: usize, column: usize, first_line: usize) -> Option<Location> {
    (line > 0).then(|| Location::new(file, line + first_line - 1, column))
}

/// serde-saphyr appends "at line L column C" to some messages; we print the location ourselves.
fn clean_message(message: &str) -> String {
    let message = message.lines().next().unwrap_or(message).trim();
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

fn hint_for(message: &str) -> String {
    if message.contains("unknown field") {
        "remove the key or correct its spelling; the README lists every key".into()
    } else if message.contains("missing field") {
        "add the missing key".into()
    } else {
        "check the YAML syntax at this position (indentation, quotes, a missing colon)".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Conf {
        title: String,
        #[serde(default)]
        count: u32,
    }

    #[test]
    fn unknown_key_names_line_and_column() {
        let err = parse::<Conf>("title: x\n  \ncolour: red\n", Path::new("site.yaml"), 1).unwrap_err();
        assert!(err.message.contains("colour"), "{}", err.message);
        let loc = err.location.expect("location");
        assert_eq!((loc.line, loc.column), (3, 1));
    }

    #[test]
    fn front_matter_lines_are_shifted() {
        let err = parse::<Conf>("title: x\ncount: [\n", Path::new("a.md"), 2).unwrap_err();
        let loc = err.location.expect("location");
        assert!(loc.line >= 3, "{loc}");
    }

    #[test]
    fn jekyll_yaml_keeps_the_last_of_a_repeated_key_and_warns_naming_both_lines() {
        let text = "title: A\nexclude: [a]\nnested:\n  output: pdf\n  output: web\nexclude: [vendor]\n";
        let mut warnings = Vec::new();
        let value: serde_json::Value = parse_jekyll(text, Path::new("_config.yml"), 1, &mut warnings).unwrap();
        assert_eq!(value["exclude"], serde_json::json!(["vendor"]));
        assert_eq!(value["nested"]["output"], "web");
        let messages: Vec<String> = warnings.iter().map(|w| w.message.clone()).collect();
        assert_eq!(messages.len(), 2, "{messages:?}");
        assert!(messages[0].contains("`output`") && messages[0].contains("lines 4 and 5"), "{messages:?}");
        assert!(messages[1].contains("`exclude`") && messages[1].contains("lines 2 and 6"), "{messages:?}");
        let at = warnings[0].location.as_ref().unwrap();
        assert_eq!((at.line, at.column), (5, 3));
        // The strict reader refuses the same text.
        assert!(parse::<serde_json::Value>(text, Path::new("site.yaml"), 1).is_err());
    }

    #[test]
    fn plain_distinct_keys_are_told_without_parsing_again() {
        assert!(keys_plainly_distinct("title: \"A: b\"\ntags: [a, b]\n# note\n\ntoc: true\nempty:\n"));
        for text in [
            "title: A\ntitle: B\n",
            "nested:\n  output: pdf\n  output: web\n",
            "flow: {a: 1, a: 2}\n",
            "- a: 1\n",
            "\"title\": A\n",
            "<<: *base\n",
            "url:http\n",
        ] {
            assert!(!keys_plainly_distinct(text), "{text}");
        }
        // Whatever the answer, it is the one the parser gives; a line inside a quoted value
        // may look like a key, which can only make the answer "ask the parser".
        for text in ["a: 1\nb: 2\n", "a: 1\nb: 2\na: 3\n", "a: {x: 1, x: 2}\n", "s: \"one\nlong: line\"\n"] {
            assert_eq!(keys_plainly_distinct(text), repeated_keys(text).is_empty(), "{text}");
        }
    }

    #[test]
    fn jekyll_yaml_as_psych_reads_it() {
        let mut warnings = Vec::new();
        // An empty value is null; a double-quoted scalar may continue at column 0.
        let text = "subfolders:\nsummary: \"one\ntwo\"\nlist:\n- a\n- a\n";
        let value: serde_json::Value = parse_jekyll(text, Path::new("a.md"), 2, &mut warnings).unwrap();
        assert_eq!(value["subfolders"], serde_json::Value::Null);
        assert_eq!(value["summary"], "one two");
        assert_eq!(value["list"], serde_json::json!(["a", "a"]));
        assert!(warnings.is_empty(), "{warnings:?}");
    }

    #[test]
    fn type_error_has_location() {
        let err = parse::<Conf>("title: x\ncount: lots\n", Path::new("a.md"), 1).unwrap_err();
        let loc = err.location.expect("location");
        assert_eq!(loc.line, 2);
    }
}
