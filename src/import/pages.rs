//! One Jekyll page as a Signpost page: its front matter completed from `defaults`, its
//! permalink kept, and each embedded draw.io diagram replaced by the process include.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde_json::Value;

use super::page::{headings, Heading};
use crate::content::frontmatter;
use crate::process::drawio::{self, Converted, PageContext};

/// A page read from the Jekyll site, not yet written.
#[derive(Debug, Clone)]
pub struct PageDraft {
    /// Relative to the Jekyll root, as messages show it.
    pub source: PathBuf,
    /// Relative to the new site's `content/`.
    pub dest: String,
    pub text: String,
    /// The output path, as Jekyll writes it (`release_notes.html`, `guide/index.html`).
    pub permalink: String,
    pub front: BTreeMap<String, Value>,
    /// 1-based line where `permalink:` is written, if it is.
    pub permalink_line: Option<usize>,
    /// Lines to add to the front matter.
    pub added: Vec<String>,
    /// Byte ranges of the text to replace, with their replacements.
    pub edits: Vec<(std::ops::Range<usize>, String)>,
}

impl PageDraft {
    pub fn read(source: PathBuf, dest: String, text: String, derived_permalink: String) -> PageDraft {
        let normalised = crate::content::normalise_text(text.clone());
        let split = frontmatter::split(&normalised);
        let front: BTreeMap<String, Value> = split
            .yaml
            .and_then(|y| {
                // The build reports what is wrong with front matter; the import only reads it.
                let mut warnings = Vec::new();
                crate::yaml::parse_jekyll::<Option<BTreeMap<String, Value>>>(y, &source, 2, &mut warnings)
                    .ok()
                    .flatten()
            })
            .unwrap_or_default();
        let written = front.get("permalink").and_then(Value::as_str).map(str::trim).filter(|p| !p.is_empty());
        let permalink = written.map_or(derived_permalink, output_path);
        let permalink_line = normalised.lines().position(|l| l.starts_with("permalink:")).map(|i| i + 1);
        PageDraft { source, dest, text, permalink, front, permalink_line, added: Vec::new(), edits: Vec::new() }
    }

    pub fn title(&self) -> String {
        self.front.get("title").and_then(Value::as_str).unwrap_or("").trim().to_string()
    }

    /// The file name the page's own links use (`assurance_overview.html`).
    pub fn own_file(&self) -> &str {
        self.permalink.rsplit('/').next().unwrap_or(&self.permalink)
    }

    /// Adds `key: value` to the front matter, unless the page sets the key itself.
    pub fn add_default(&mut self, key: &str, value: &Value) -> bool {
        if self.front.contains_key(key) || (key == "summary" && self.front.contains_key("Summary")) {
            return false;
        }
        self.added.push(format!("{key}: {}", yaml_value(value)));
        true
    }

    /// Finds the page's draw.io diagrams and converts each; `next_id` hands out process ids.
    pub fn convert_diagrams(&mut self, mut next_id: impl FnMut(&str) -> String) -> Vec<DiagramResult> {
        let embedded = drawio::find_embedded(&self.text);
        if embedded.is_empty() {
            return Vec::new();
        }
        let page_headings = headings(&crate::content::normalise_text(self.text.clone()));
        let stem = self.source.file_stem().map(|s| s.to_string_lossy().to_string()).unwrap_or_default();
        let title = self.title();
        let source = crate::content::to_slash(&self.source);
        let mut results = Vec::new();
        for diagram in embedded {
            let line = line_of(&self.text, diagram.span.start);
            let id = next_id(&stem);
            let above = heading_above(&page_headings, line).unwrap_or(&title).to_string();
            let context =
                PageContext { headings: &page_headings, own_file: self.own_file(), title: &above, source: &source };
            let outcome = drawio::convert(&diagram.attribute, &id, &context);
            if outcome.is_ok() {
                self.edits.push((diagram.span.clone(), format!("{{% include process.html id=\"{id}\" %}}")));
            }
            results.push(DiagramResult {
                line,
                id,
                viewer: diagram.viewer,
                outcome: outcome.map_err(|e| e.to_string()),
            });
        }
        results
    }

    /// The page as written into the new site.
    pub fn output(&self) -> String {
        let mut text = self.text.clone();
        let mut edits = self.edits.clone();
        edits.sort_by_key(|(range, _)| std::cmp::Reverse(range.start));
        for (range, replacement) in edits {
            text.replace_range(range, &replacement);
        }
        if self.added.is_empty() {
            return text;
        }
        let newline = if text.contains("\r\n") { "\r\n" } else { "\n" };
        let bom = if text.starts_with('\u{feff}') { "\u{feff}" } else { "" };
        let rest = &text[bom.len()..];
        let first_end = rest.find('\n').map_or(rest.len(), |i| i + 1);
        let added: String = self.added.iter().map(|l| format!("{l}{newline}")).collect();
        if rest[..first_end].trim_end() == "---" {
            format!("{bom}{}{added}{}", &rest[..first_end], &rest[first_end..])
        } else {
            format!("{bom}---{newline}{added}---{newline}{rest}")
        }
    }
}

#[derive(Debug)]
pub struct DiagramResult {
    pub line: usize,
    pub id: String,
    pub viewer: Option<String>,
    pub outcome: Result<Converted, String>,
}

/// `/a/b/` -> `a/b/index.html`; `/x.html` -> `x.html`; `x` stays `x`.
pub fn output_path(permalink: &str) -> String {
    let trimmed = permalink.trim().trim_start_matches('/');
    if trimmed.is_empty() {
        "index.html".into()
    } else if trimmed.ends_with('/') {
        format!("{trimmed}index.html")
    } else {
        trimmed.to_string()
    }
}

pub fn line_of(text: &str, offset: usize) -> usize {
    text[..offset].matches('\n').count() + 1
}

fn heading_above(headings: &[Heading], line: usize) -> Option<&str> {
    headings.iter().rev().find(|h| h.line < line).map(|h| h.title.as_str())
}

/// A front matter value on one line: plain or quoted strings, JSON-style (flow) for the rest.
pub fn yaml_value(value: &Value) -> String {
    match value {
        Value::String(s) => drawio::write::scalar(s),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft(text: &str) -> PageDraft {
        PageDraft::read("p.md".into(), "p.md".into(), text.into(), "p.html".into())
    }

    #[test]
    fn adds_front_matter_keeping_line_endings() {
        let mut d = draft("---\r\ntitle: T\r\n---\r\nbody\r\n");
        assert!(d.add_default("sidebar", &Value::String("side".into())));
        assert!(!d.add_default("title", &Value::String("x".into())));
        assert_eq!(d.output(), "---\r\nsidebar: side\r\ntitle: T\r\n---\r\nbody\r\n");
    }

    #[test]
    fn permalinks_as_jekyll_writes_them() {
        assert_eq!(draft("---\ntitle: T\npermalink: /guide/\n---\n").permalink, "guide/index.html");
        assert_eq!(draft("---\ntitle: T\n---\n").permalink, "p.html");
        assert_eq!(draft("---\ntitle: T\npermalink: x.html\n---\n").permalink_line, Some(3));
    }
}
