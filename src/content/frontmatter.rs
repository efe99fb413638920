//! Front matter: the YAML between the `---` lines at the top of a page.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;
use serde_json::Value;

use crate::diagnostics::{Diagnostic, Kind, Location};
use crate::yaml::{self, Placed};

/// The keys authors already use in the NHS Jekyll portals, typed; other keys in `extra`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FrontMatter {
    pub title: String,
    pub summary: Option<String>,
    pub keywords: Vec<String>,
    pub tags: Vec<String>,
    pub sidebar: Option<String>,
    pub permalink: Option<String>,
    /// Where `permalink` was written, for errors about it.
    #[serde(skip)]
    pub permalink_at: Option<Location>,
    pub toc: bool,
    pub folder: Option<String>,
    pub layout: Option<String>,
    pub published: bool,
    /// `search: exclude` (or `search: false`) keeps the page out of the search index.
    pub search: bool,
    pub extra: BTreeMap<String, Value>,
    /// Where each of [`PLACED`]'s values is written (line, column; `(0, 0)` when it is
    /// not), for errors about it found after loading. Every page of a site keeps these, so
    /// three pairs in place: a list of every key's place was about 350 bytes a page.
    #[serde(skip)]
    pub places: [(u32, u32); PLACED.len()],
    /// What Jekyll accepts but an author should fix (a key written twice), for the loader
    /// to report.
    #[serde(skip)]
    pub warnings: Vec<Diagnostic>,
}

/// The keys whose place [`FrontMatter::position`] gives: a title or summary naming a
/// service value that does not exist, a sidebar that does not.
pub const PLACED: [&str; 3] = ["title", "summary", "sidebar"];

/// A page's text split into its front matter and its Markdown body.
pub struct Split<'a> {
    /// The YAML, or `None` when the page has no front matter.
    pub yaml: Option<&'a str>,
    pub body: &'a str,
    /// 1-based line of the file where the body starts.
    pub body_line: usize,
    /// The file opens front matter with `---` and never closes it; it is then read as
    /// Markdown, and [`check_page_text`] makes it an error.
    pub unclosed: bool,
}

/// Splits on the `---` lines by reading lines, not with a pattern: the closing line is
/// `---` or `...` alone, and a `---` inside the body (a thematic break) is left alone.
pub fn split(text: &str) -> Split<'_> {
    let mut lines = text.split_inclusive('\n');
    let first = lines.next().unwrap_or("");
    if first.trim_end() != "---" {
        return Split { yaml: None, body: text, body_line: 1, unclosed: false };
    }
    let yaml_start = first.len();
    let mut offset = yaml_start;
    let mut line_no = 1;
    for line in lines {
        line_no += 1;
        let trimmed = line.trim_end();
        if trimmed == "---" || trimmed == "..." {
            let body_start = offset + line.len();
            let yaml = Some(&text[yaml_start..offset]);
            return Split { yaml, body: &text[body_start..], body_line: line_no + 1, unclosed: false };
        }
        offset += line.len();
    }
    // An opening `---` with no closing one: the whole file is Markdown, for `import`.
    Split { yaml: None, body: text, body_line: 1, unclosed: true }
}

/// A page must say something: an empty file, or front matter opened and never closed
/// (which would show the YAML as text, under a title made from the file name), is an error.
pub fn check_page_text(text: &str, split: &Split<'_>, file: &Path) -> Result<(), Diagnostic> {
    if text.trim().is_empty() {
        return Err(Diagnostic::error(Kind::FrontMatter, "the page is empty").at(Location::new(file, 1, 1)).hint(
            "write front matter with a `title` (`---`, `title: ...`, `---`) and the page's text, or delete the file",
        ));
    }
    if split.unclosed {
        return Err(Diagnostic::error(Kind::FrontMatter, "the front matter opened here is never closed")
            .at(Location::new(file, 1, 1))
            .spanning(3)
            .hint("end the front matter with a line holding only `---`"));
    }
    Ok(())
}

impl FrontMatter {
    /// Parses the YAML of `file`, which starts at line 2. All problems are returned together.
    pub fn parse(yaml_text: &str, file: &Path) -> Result<FrontMatter, Vec<Diagnostic>> {
        let mut warnings = Vec::new();
        let map: BTreeMap<String, Placed> = if yaml_text.trim().is_empty() {
            BTreeMap::new()
        } else {
            match yaml::parse_front_matter(yaml_text, file, 2, &mut warnings) {
                Ok(m) => m,
                Err(d) => return Err(vec![d.hint("front matter is YAML between two `---` lines")]),
            }
        };
        let mut reader = Reader { file, errors: Vec::new() };
        let mut fm = FrontMatter {
            title: String::new(),
            summary: None,
            keywords: Vec::new(),
            tags: Vec::new(),
            sidebar: None,
            permalink: None,
            permalink_at: None,
            toc: true,
            folder: None,
            layout: None,
            published: true,
            search: true,
            extra: BTreeMap::new(),
            places: [(0, 0); PLACED.len()],
            warnings,
        };
        let mut has_title = false;
        let shared_file: std::sync::Arc<Path> = file.into();
        for (key, value) in map {
            if let Some(i) = PLACED.iter().position(|placed| *placed == key) {
                if let Some(at) = value.location(&shared_file, 2) {
                    fm.places[i] = (at.line as u32, at.column as u32);
                }
            }
            match key.as_str() {
                "title" => {
                    if let Some(t) = reader.string(&key, &value) {
                        fm.title = t;
                        has_title = true;
                    }
                }
                // Several NHS pages write `Summary:`; Jekyll's theme never showed them.
                "summary" | "Summary" => fm.summary = reader.string(&key, &value),
                "keywords" => fm.keywords = reader.list(&key, &value, true),
                "tags" => fm.tags = reader.list(&key, &value, false),
                "sidebar" => fm.sidebar = reader.string(&key, &value),
                "permalink" => {
                    fm.permalink = reader.string(&key, &value);
                    fm.permalink_at = value.location(&shared_file, 2);
                }
                "toc" => fm.toc = reader.boolean(&key, &value).unwrap_or(true),
                "folder" => fm.folder = reader.string(&key, &value),
                "layout" => fm.layout = reader.string(&key, &value),
                "published" => fm.published = reader.boolean(&key, &value).unwrap_or(true),
                "search" => {
                    fm.search = !matches!(&value.value, Value::String(s) if s == "exclude")
                        && !matches!(value.value, Value::Bool(false))
                }
                _ => {
                    fm.extra.insert(key, value.value);
                }
            }
        }
        if !has_title && reader.errors.is_empty() {
            reader.errors.push(
                Diagnostic::error(Kind::FrontMatter, "the page has no `title`")
                    .at(Location::new(file, 1, 1))
                    .spanning(3)
                    .hint("add `title: ...` to the front matter"),
            );
        }
        if reader.errors.is_empty() {
            Ok(fm)
        } else {
            Err(reader.errors)
        }
    }

    /// Where `key`'s value is written in `file` (for a key of [`PLACED`]), or the file's
    /// first line when the key is not.
    pub fn position(&self, key: &str, file: &Path) -> Location {
        let place = PLACED.iter().position(|placed| *placed == key).map(|i| self.places[i]);
        match place {
            Some((line, column)) if line > 0 => Location::new(file, line as usize, column as usize),
            _ => Location::new(file, 1, 1),
        }
    }

    /// Front matter for a Markdown file that has none: its title is its file name.
    pub fn untitled(file: &Path) -> FrontMatter {
        let title = file.file_stem().map(|s| s.to_string_lossy().replace(['_', '-'], " ")).unwrap_or_default();
        let mut fm = FrontMatter::parse("title: x", file).expect("static front matter parses");
        fm.title = title;
        fm
    }
}

struct Reader<'a> {
    file: &'a Path,
    errors: Vec<Diagnostic>,
}

impl Reader<'_> {
    fn wrong_type(&mut self, key: &str, value: &Placed, wanted: &str) {
        self.errors.push(
            Diagnostic::error(Kind::FrontMatter, format!("`{key}` should be {wanted}"))
                .at_opt(value.location(self.file, 2))
                .hint(format!("write `{key}` as {wanted}")),
        );
    }

    fn string(&mut self, key: &str, value: &Placed) -> Option<String> {
        match &value.value {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            Value::Null => None,
            _ => {
                self.wrong_type(key, value, "a single line of text");
                None
            }
        }
    }

    fn boolean(&mut self, key: &str, value: &Placed) -> Option<bool> {
        match &value.value {
            Value::Bool(b) => Some(*b),
            Value::String(s) if matches!(s.as_str(), "true" | "false" | "yes" | "no") => {
                Some(s == "true" || s == "yes")
            }
            Value::Null => None,
            _ => {
                self.wrong_type(key, value, "true or false");
                None
            }
        }
    }

    /// A list, or one string; `split_commas` splits `a, b` as Jekyll's keywords are written.
    fn list(&mut self, key: &str, value: &Placed, split_commas: bool) -> Vec<String> {
        let scalar = |v: &Value| match v {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        };
        let items: Vec<String> = match &value.value {
            Value::Null => Vec::new(),
            Value::Array(items) => {
                let strings: Option<Vec<String>> = items.iter().map(scalar).collect();
                match strings {
                    Some(s) => s,
                    None => {
                        self.wrong_type(key, value, "a list of words");
                        return Vec::new();
                    }
                }
            }
            v => match scalar(v) {
                Some(s) if split_commas => s.split(',').map(str::to_string).collect(),
                Some(s) => s.split_whitespace().map(str::to_string).collect(),
                None => {
                    self.wrong_type(key, value, "a list of words");
                    return Vec::new();
                }
            },
        };
        items.into_iter().map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_front_matter() {
        let s = split("---\ntitle: A\n---\n# Body\n---\nmore\n");
        assert_eq!(s.yaml, Some("title: A\n"));
        assert_eq!(s.body, "# Body\n---\nmore\n");
        assert_eq!(s.body_line, 4);
    }

    #[test]
    fn no_front_matter() {
        let s = split("# Just markdown\n");
        assert!(s.yaml.is_none());
        assert_eq!(s.body_line, 1);
    }

    #[test]
    fn reads_known_keys_and_keeps_the_rest() {
        let fm = FrontMatter::parse(
            "title: T\nkeywords: a, b\ntags: [x, y]\ntoc: false\nSummary: S\nowner: me\n",
            Path::new("p.md"),
        )
        .unwrap();
        assert_eq!(fm.title, "T");
        assert_eq!(fm.keywords, ["a", "b"]);
        assert_eq!(fm.tags, ["x", "y"]);
        assert!(!fm.toc);
        assert_eq!(fm.summary.as_deref(), Some("S"));
        assert_eq!(fm.extra["owner"], Value::String("me".into()));
    }

    #[test]
    fn missing_title_is_an_error() {
        let errs = FrontMatter::parse("summary: s\n", Path::new("p.md")).unwrap_err();
        assert!(errs[0].message.contains("title"));
    }

    #[test]
    fn wrong_type_points_at_the_value() {
        let errs = FrontMatter::parse("title: T\ntags:\n  a: b\n", Path::new("p.md")).unwrap_err();
        let loc = errs[0].location.clone().unwrap();
        assert_eq!(loc.line, 4, "{loc}");
    }

    #[test]
    fn permalink_position_is_kept() {
        let fm = FrontMatter::parse("title: T\npermalink: ../x.html\n", Path::new("p.md")).unwrap();
        let loc = fm.permalink_at.unwrap();
        assert_eq!((loc.line, loc.column), (3, 12));
    }
}
