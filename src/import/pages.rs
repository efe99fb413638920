//! One Jekyll page as a Signpost page: its front matter completed from `defaults`, its
//! permalink kept, and each embedded draw.io diagram replaced by the process include.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde_json::Value;

use crate::content::headings::{headings, Heading};
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
            match &outcome {
                Ok(converted) if converted.picture => {
                    // A Liquid string has no escapes: quote with what the title does not hold.
                    let title = if above.contains('"') {
                        format!("'{}'", above.replace('\'', "’"))
                    } else {
                        format!("\"{above}\"")
                    };
                    self.edits.push((
                        diagram.span.clone(),
                        format!("{{% include drawing.html id=\"{id}\" title={title} %}}"),
                    ));
                }
                Ok(_) => {
                    self.edits.push((diagram.span.clone(), format!("{{% include process.html id=\"{id}\" %}}")));
                }
                Err(_) => {}
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

/// Liquid's tags and Jekyll's own: what Signpost's page pipeline runs (or, for `link`
/// and `post_url`, at least keeps). Any other tag comes from a plugin.
const KNOWN_TAGS: &[&str] = &[
    "assign",
    "capture",
    "endcapture",
    "case",
    "when",
    "endcase",
    "comment",
    "endcomment",
    "cycle",
    "decrement",
    "increment",
    "for",
    "endfor",
    "break",
    "continue",
    "if",
    "elsif",
    "else",
    "endif",
    "unless",
    "endunless",
    "ifchanged",
    "endifchanged",
    "include",
    "include_relative",
    "raw",
    "endraw",
    "tablerow",
    "endtablerow",
    "highlight",
    "endhighlight",
    "link",
    "post_url",
    "liquid",
    "echo",
    "render",
];

/// A plugin tag Signpost cannot run, replaced by a placeholder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownTag {
    pub name: String,
    /// The tag as written.
    pub written: String,
    pub line: usize,
    pub column: usize,
    /// Where what the tag fetched comes from, when the tag says.
    pub source: Option<String>,
}

impl PageDraft {
    /// Points the page's references to files Jekyll published from an included `_`
    /// folder (`<img src="_pages/x/img/a.png">`) at where the import put those files
    /// (`pages/x/img/a.png`), so they resolve as they did under Jekyll. `moved` holds the
    /// files' paths in the Jekyll site; the count of references changed is returned.
    pub fn relink_moved_files(&mut self, moved: &std::collections::BTreeSet<String>) -> usize {
        let folders: std::collections::BTreeSet<&str> =
            moved.iter().filter_map(|f| f.split_once('/').map(|(folder, _)| folder)).collect();
        let text = &self.text;
        let mut changed = 0;
        for folder in folders {
            let needle = format!("{folder}/");
            for (at, _) in text.match_indices(&needle) {
                let starts_reference = at == 0 || text[..at].ends_with(['"', '\'', '(', '/', '=', ' ', '\t', '\n']);
                // In a quoted attribute only the quote ends the path (names may hold `)`).
                let quote = text[..at].chars().next_back().filter(|c| matches!(c, '"' | '\''));
                let ends: &[char] = match quote {
                    Some('"') => &['"', '?', '#', '\n'],
                    Some(_) => &['\'', '?', '#', '\n'],
                    None => &[')', '>', '?', '#', '\n'],
                };
                let path_end = text[at..].find(ends).map_or(text.len(), |e| at + e);
                let path = percent_decoded(text[at..path_end].trim_end());
                let inside_edit = self.edits.iter().any(|(range, _)| range.contains(&at));
                if starts_reference && !inside_edit && moved.contains(&path) {
                    self.edits.push((at..at + 1, String::new()));
                    changed += 1;
                }
            }
        }
        changed
    }

    /// Replaces each plugin tag (`{% gist ID %}`, `{% github_sample URL %}`) with a visible
    /// placeholder naming it and linking to its source, and returns them to report.
    pub fn replace_unknown_tags(&mut self) -> Vec<UnknownTag> {
        let mut found = Vec::new();
        let mut from = 0;
        let text = &self.text;
        while let Some(open) = text[from..].find("{%").map(|i| from + i) {
            let Some(close) = text[open..].find("%}").map(|i| open + i + 2) else { break };
            let inner = text[open + 2..close - 2].trim_matches('-').trim();
            let name = inner.split_whitespace().next().unwrap_or("");
            from = close;
            if name == "raw" {
                // Nothing up to `endraw` is Liquid.
                from = text[close..].find("endraw").map_or(text.len(), |i| close + i);
                continue;
            }
            if name.is_empty()
                || KNOWN_TAGS.contains(&name)
                || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
            {
                continue;
            }
            let args: Vec<&str> = inner.split_whitespace().skip(1).collect();
            let source = tag_source(name, &args);
            let (line, column) = crate::diagnostics::line_col(text, open);
            let placeholder = match &source {
                Some(url) => format!(
                    "[{name} {}: not rendered, Signpost cannot run this plugin tag; source: <{url}>]",
                    args.join(" ")
                ),
                None => format!("[{name} {}: not rendered, Signpost cannot run this plugin tag]", args.join(" ")),
            };
            self.edits.push((open..close, placeholder));
            found.push(UnknownTag {
                name: name.to_string(),
                written: text[open..close].to_string(),
                line,
                column,
                source,
            });
        }
        found
    }
}

/// The address a plugin tag fetches from: a gist's page, a GitHub file, or the first URL
/// among its arguments.
fn tag_source(name: &str, args: &[&str]) -> Option<String> {
    let first = args.first()?.trim_matches(['"', '\'']);
    match name {
        "gist" => Some(format!("https://gist.github.com/{first}")),
        _ if first.starts_with("http://") || first.starts_with("https://") => Some(first.to_string()),
        "github_sample" | "github_sample_ref" => Some(format!("https://github.com/{}", first.trim_start_matches('/'))),
        _ => args.iter().find(|a| a.starts_with("http://") || a.starts_with("https://")).map(|a| a.to_string()),
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
/// `%20` and other escapes in a written path, as a browser reads them.
fn percent_decoded(path: &str) -> String {
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

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
    fn plugin_tags_become_placeholders_that_link_to_their_source() {
        let mut d = draft("---\ntitle: T\n---\nA {% gist 5b15 %}\n{% raw %}{% gist no %}{% endraw %}\n{% github_sample /o/r/blob/x.json 0 5 %}\n{% if a %}{% endif %}{% seo %}\n");
        let tags = d.replace_unknown_tags();
        let named: Vec<(&str, usize, usize)> = tags.iter().map(|t| (t.name.as_str(), t.line, t.column)).collect();
        assert_eq!(named, [("gist", 4, 3), ("github_sample", 6, 1), ("seo", 7, 22)]);
        assert_eq!(tags[0].source.as_deref(), Some("https://gist.github.com/5b15"));
        assert_eq!(tags[1].source.as_deref(), Some("https://github.com/o/r/blob/x.json"));
        let out = d.output();
        assert!(out.contains("A [gist 5b15: not rendered, Signpost cannot run this plugin tag; source: <https://gist.github.com/5b15>]"), "{out}");
        assert!(out.contains("{% raw %}{% gist no %}{% endraw %}"), "{out}");
        assert!(out.contains("{% if a %}{% endif %}"), "{out}");
    }

    #[test]
    fn permalinks_as_jekyll_writes_them() {
        assert_eq!(draft("---\ntitle: T\npermalink: /guide/\n---\n").permalink, "guide/index.html");
        assert_eq!(draft("---\ntitle: T\n---\n").permalink, "p.html");
        assert_eq!(draft("---\ntitle: T\npermalink: x.html\n---\n").permalink_line, Some(3));
    }
}
