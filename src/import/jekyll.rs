//! A Jekyll site's `_config.yml`, as far as importing it needs: which files are pages
//! (`include`, `exclude`, collections), front matter `defaults` by path and type, and the
//! settings that become site.yaml.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

use crate::diagnostics::{Diagnostic, Kind};

pub const CONFIG_FILE: &str = "_config.yml";

/// Whether `root` looks like a Jekyll site rather than a Signpost one.
pub fn is_jekyll_site(root: &Path) -> bool {
    root.join(CONFIG_FILE).is_file() && !root.join(crate::config::FILE_NAME).is_file()
}

#[derive(Debug, Clone, Default)]
pub struct JekyllConfig {
    pub values: BTreeMap<String, Value>,
    pub include: Vec<String>,
    pub exclude: Vec<String>,
    pub defaults: Vec<Default>,
    /// Collection name -> whether its documents are written as pages.
    pub collections: BTreeMap<String, bool>,
}

#[derive(Debug, Clone)]
pub struct Default {
    pub path: String,
    pub kind: Option<String>,
    pub values: BTreeMap<String, Value>,
}

/// What a file is to Jekyll.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Role {
    Page,
    Post,
    /// A document of a collection; `output: false` collections are data.
    Document {
        collection: String,
        output: bool,
    },
    /// Copied as it is (images, PDFs).
    Static,
    /// Not part of the site (`_site`, `exclude`, dot files, `_` folders not included).
    Skipped,
}

impl JekyllConfig {
    /// Reads `_config.yml`; the warnings are what Jekyll accepts but an author should fix.
    pub fn load(root: &Path) -> Result<(JekyllConfig, Vec<Diagnostic>), Diagnostic> {
        let path = root.join(CONFIG_FILE);
        let text = std::fs::read_to_string(&path)
            .map_err(|e| Diagnostic::error(Kind::Io, format!("cannot read {}: {e}", path.display())))?;
        let text = crate::content::normalise_text(text);
        let mut warnings = Vec::new();
        let values: Option<BTreeMap<String, Value>> =
            crate::yaml::parse_jekyll(&text, Path::new(CONFIG_FILE), 1, &mut warnings)?;
        Ok((JekyllConfig::from_values(values.unwrap_or_default()), warnings))
    }

    pub fn from_values(values: BTreeMap<String, Value>) -> JekyllConfig {
        let strings = |key: &str| -> Vec<String> {
            match values.get(key) {
                Some(Value::Array(items)) => items.iter().filter_map(|v| v.as_str().map(str::to_string)).collect(),
                Some(Value::String(s)) => vec![s.clone()],
                _ => Vec::new(),
            }
        };
        let include = strings("include");
        let exclude = strings("exclude");
        let mut defaults = Vec::new();
        if let Some(Value::Array(items)) = values.get("defaults") {
            for item in items {
                let scope = item.get("scope");
                let path = scope.and_then(|s| s.get("path")).and_then(Value::as_str).unwrap_or("").to_string();
                let kind = scope.and_then(|s| s.get("type")).and_then(Value::as_str).map(str::to_string);
                let values = item
                    .get("values")
                    .and_then(Value::as_object)
                    .map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
                    .unwrap_or_default();
                defaults.push(Default { path, kind, values });
            }
        }
        let mut collections = BTreeMap::new();
        match values.get("collections") {
            Some(Value::Object(map)) => {
                for (name, settings) in map {
                    collections.insert(name.clone(), settings.get("output").and_then(Value::as_bool).unwrap_or(false));
                }
            }
            Some(Value::Array(names)) => {
                for name in names.iter().filter_map(Value::as_str) {
                    collections.insert(name.to_string(), false);
                }
            }
            _ => {}
        }
        JekyllConfig { values, include, exclude, defaults, collections }
    }

    pub fn string(&self, key: &str) -> Option<&str> {
        self.values.get(key).and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty())
    }

    /// What Jekyll makes of the file at `rel` (relative to the site root, `/` separated).
    pub fn role(&self, rel: &str, has_front_matter: bool) -> Role {
        let first = rel.split('/').next().unwrap_or(rel);
        if self.is_excluded(rel) || first == "_site" || first == "node_modules" || first == "vendor" {
            return Role::Skipped;
        }
        let hidden_part = rel.split('/').any(|part| part.starts_with('.'));
        if let Some(name) = first.strip_prefix('_') {
            let included = self.include.iter().any(|i| i.trim_matches('/') == first);
            if let Some(&output) = self.collections.get(name) {
                return if is_markdown(rel) && rel.contains('/') {
                    Role::Document { collection: name.to_string(), output }
                } else {
                    Role::Skipped
                };
            }
            if first == "_posts" && is_markdown(rel) {
                return Role::Post;
            }
            if !included {
                return Role::Skipped;
            }
        }
        if hidden_part && !self.include.iter().any(|i| rel.starts_with(i.trim_matches('/'))) {
            return Role::Skipped;
        }
        // An HTML file with front matter is a page too (Liquid and layout, no Markdown).
        if (is_markdown(rel) || is_html(rel)) && has_front_matter {
            Role::Page
        } else if is_markdown(rel) || (!rel.contains('/') && is_site_file(rel)) {
            Role::Skipped
        } else {
            Role::Static
        }
    }

    fn is_excluded(&self, rel: &str) -> bool {
        self.exclude.iter().any(|pattern| {
            let pattern = pattern.trim_end_matches('/');
            rel == pattern || rel.starts_with(&format!("{pattern}/")) || glob_match(pattern, rel)
        })
    }

    /// Front matter `defaults` that apply to a file, later and more specific scopes winning.
    pub fn defaults_for(&self, rel: &str, kind: &str) -> BTreeMap<String, Value> {
        let mut applicable: Vec<&Default> = self
            .defaults
            .iter()
            .filter(|d| {
                let path = d.path.trim_matches('/');
                (path.is_empty() || rel == path || rel.starts_with(&format!("{path}/")) || glob_match(path, rel))
                    && d.kind.as_deref().is_none_or(|k| k == kind)
            })
            .collect();
        applicable.sort_by_key(|d| (d.path.trim_matches('/').len(), d.kind.is_some()));
        let mut values = BTreeMap::new();
        for d in applicable {
            values.extend(d.values.clone());
        }
        values
    }
}

fn is_html(rel: &str) -> bool {
    rel.ends_with(".html") || rel.ends_with(".htm")
}

fn is_markdown(rel: &str) -> bool {
    rel.ends_with(".md") || rel.ends_with(".markdown")
}

/// Files at the root of a Jekyll site that belong to its tooling, not its pages.
fn is_site_file(rel: &str) -> bool {
    matches!(rel, "Gemfile" | "Gemfile.lock" | "LICENSE" | "CNAME" | "Rakefile" | "_config.yml")
}

/// `*` matches within one path segment, as in Jekyll's `exclude` patterns.
fn glob_match(pattern: &str, text: &str) -> bool {
    if !pattern.contains('*') {
        return false;
    }
    let (p, t): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    let mut memo = vec![vec![None; t.len() + 1]; p.len() + 1];
    fn go(p: &[char], t: &[char], i: usize, j: usize, memo: &mut Vec<Vec<Option<bool>>>) -> bool {
        if let Some(v) = memo[i][j] {
            return v;
        }
        let v = match p.get(i) {
            None => j == t.len(),
            Some('*') => go(p, t, i + 1, j, memo) || (j < t.len() && t[j] != '/' && go(p, t, i, j + 1, memo)),
            Some(c) => j < t.len() && t[j] == *c && go(p, t, i + 1, j + 1, memo),
        };
        memo[i][j] = Some(v);
        v
    }
    go(&p, &t, 0, 0, &mut memo)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(yaml: &str) -> JekyllConfig {
        JekyllConfig::from_values(crate::yaml::parse(yaml, Path::new("_config.yml"), 1).unwrap())
    }

    #[test]
    fn roles_follow_include_exclude_and_collections() {
        let c = config(
            "include: [\"_pages\"]\nexclude: [pages/old.md, \"*.tmp\"]\ncollections:\n  journey:\n    output: false\n  examples:\n    output: true\n",
        );
        assert_eq!(c.role("_pages/a/b.md", true), Role::Page);
        assert_eq!(c.role("_drafts/x.md", true), Role::Skipped);
        assert_eq!(c.role("pages/old.md", true), Role::Skipped);
        assert_eq!(c.role("notes.tmp", false), Role::Skipped);
        assert_eq!(c.role("_journey/a.md", true), Role::Document { collection: "journey".into(), output: false });
        assert_eq!(c.role("_examples/a.md", true), Role::Document { collection: "examples".into(), output: true });
        assert_eq!(c.role("_posts/2016-01-01-x.md", true), Role::Post);
        assert_eq!(c.role("README.md", false), Role::Skipped);
        assert_eq!(c.role("images/a.png", false), Role::Static);
        assert_eq!(c.role("js/scroll.html", true), Role::Page);
        assert_eq!(c.role("js/plain.html", false), Role::Static);
        assert_eq!(c.role(".github/x.yml", false), Role::Skipped);
    }

    #[test]
    fn defaults_by_path_and_type() {
        let c = config(
            "defaults:\n  - scope: {path: \"\", type: pages}\n    values: {sidebar: main, layout: page}\n  - scope: {path: guides}\n    values: {sidebar: guide}\n  - scope: {path: \"\", type: posts}\n    values: {sidebar: news}\n",
        );
        assert_eq!(c.defaults_for("index.md", "pages")["sidebar"], "main");
        assert_eq!(c.defaults_for("guides/a.md", "pages")["sidebar"], "guide");
        assert_eq!(c.defaults_for("guides/a.md", "pages")["layout"], "page");
        assert_eq!(c.defaults_for("_posts/a.md", "posts")["sidebar"], "news");
    }

    #[test]
    fn globs_stay_in_one_segment() {
        assert!(glob_match("*.tmp", "a.tmp"));
        assert!(!glob_match("*.tmp", "dir/a.tmp"));
    }
}
