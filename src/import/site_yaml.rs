//! site.yaml for an imported site, from `_config.yml`; and collections written as data.

use std::fmt::Write as _;

use serde_json::Value;

use super::jekyll::JekyllConfig;
use super::pages::yaml_value;
use crate::process::drawio::write::scalar;

/// The sidebar the `defaults` give every page, else the first of `sidebars`.
pub(super) fn default_sidebar(config: &JekyllConfig) -> Option<String> {
    config.defaults_for("index.md", "pages").get("sidebar").and_then(Value::as_str).map(str::to_string).or_else(|| {
        match config.values.get("sidebars") {
            Some(Value::Array(names)) => names.first().and_then(Value::as_str).map(str::to_string),
            _ => None,
        }
    })
}

/// site.yaml's text and the site title.
pub(super) fn site_yaml(config: &JekyllConfig, sidebar: Option<&str>) -> (String, String) {
    let title = ["site_title", "title", "topnav_title"]
        .iter()
        .find_map(|k| config.string(k))
        .map(crate::escape::plain_text)
        .unwrap_or_else(|| "Imported site".to_string());
    let mut y = String::new();
    let _ =
        writeln!(y, "# Imported from a Jekyll site by `signpost import`; docs/jekyll.md says what was carried over.");
    let _ = writeln!(y, "title: {}", scalar(&title));
    if let Some(description) = config.string("description") {
        let _ = writeln!(y, "description: {}", scalar(description));
    }
    if let Some(base) = config.string("baseurl") {
        let _ = writeln!(y, "base_url: {}", scalar(base));
    }
    if let Some(company) = config.string("company_name") {
        let _ = writeln!(y, "footer: {}", scalar(&format!("© {company}")));
    }
    if let Some(sidebar) = sidebar {
        let _ = writeln!(y, "sidebar: {}", scalar(sidebar));
    }
    let _ = writeln!(
        y,
        "# The Jekyll site's broken links are warnings until they are fixed; remove these lines to make them errors."
    );
    let _ = writeln!(y, "check:");
    for kind in [
        "broken-link",
        "broken-anchor",
        "missing-image",
        "missing-file",
        "duplicate-id",
        "broken-stage-link",
        "stage-without-section",
        "broken-sidebar-link",
    ] {
        let _ = writeln!(y, "  {kind}: warning");
    }
    // Every top-level key, as Jekyll gives each to Liquid as `site.KEY` (crate::jekyll::site_key).
    if !config.values.is_empty() {
        let _ = writeln!(y, "# Every key of _config.yml, as Jekyll pages and includes read it: `site.KEY`.");
        let _ = writeln!(y, "extra:");
        for (key, value) in &config.values {
            let _ = writeln!(y, "  {}: {}", scalar(key), yaml_value(value));
        }
    }
    (y, title)
}

/// A collection with `output: false` as a data file: one item per document, its front
/// matter and its text as `content`.
pub(super) fn collection_yaml(name: &str, docs: &[Value]) -> String {
    let mut y = format!("# The `{name}` collection of the Jekyll site, as data (site.data.{name}).\n");
    for doc in docs {
        let Some(map) = doc.as_object() else { continue };
        let mut first = true;
        for (key, value) in map {
            let _ = writeln!(y, "{} {}: {}", if first { "-" } else { " " }, scalar(key), yaml_value(value));
            first = false;
        }
    }
    y
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collections_read_back() {
        let docs = vec![serde_json::json!({"name": "Assure", "coord": "1,2,3,4", "content": "text: with colon"})];
        let text = collection_yaml("journey", &docs);
        let back: Value = crate::yaml::parse(&text, std::path::Path::new("x.yml"), 1).unwrap();
        assert_eq!(back, Value::Array(docs));
    }
}
