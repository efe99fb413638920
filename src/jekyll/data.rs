//! `content/_data/**/*.yml` (and `.yaml`, `.json`) as `site.data`, as Jekyll reads `_data`:
//! `_data/glossary.yml` is `site.data.glossary`, `_data/sidebars/main.yml` is
//! `site.data.sidebars.main`.

use std::path::Path;

use serde_json::{Map, Value};

use crate::diagnostics::{Diagnostic, Diagnostics, Kind, Location};

pub(crate) const DATA_DIR: &str = "content/_data";

/// Every data file under `ROOT/content/_data`, as one object; files that do not parse are
/// reported and left out.
pub(crate) fn load(root: &Path) -> (Value, Diagnostics) {
    let mut data = Map::new();
    let mut diagnostics = Diagnostics::default();
    let dir = root.join(DATA_DIR);
    for entry in walkdir::WalkDir::new(&dir).sort_by_file_name().into_iter().filter_map(Result::ok) {
        let path = entry.path();
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        if !entry.file_type().is_file() || !matches!(ext, "yml" | "yaml" | "json") {
            continue;
        }
        let rel = path.strip_prefix(root).unwrap_or(path).to_path_buf();
        let text = match crate::diagnostics::read_text(path, &rel) {
            Ok(t) => crate::content::normalise_text(t),
            Err(d) => {
                diagnostics.push(d);
                continue;
            }
        };
        let value: Result<Option<Value>, Diagnostic> = if ext == "json" {
            serde_json::from_str(&text).map_err(|e| {
                Diagnostic::error(Kind::Data, format!("not valid JSON: {e}")).at(Location::new(
                    &rel,
                    e.line(),
                    e.column(),
                ))
            })
        } else {
            let mut warnings = Vec::new();
            let value = crate::yaml::parse_jekyll(&text, &rel, 1, &mut warnings);
            diagnostics.extend(warnings);
            value
        };
        let value = match value {
            Ok(v) => v.unwrap_or(Value::Null),
            Err(d) => {
                diagnostics.push(d);
                continue;
            }
        };
        let inner = path.strip_prefix(&dir).unwrap_or(path).with_extension("");
        let keys: Vec<String> = inner.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
        insert(&mut data, &keys, value);
    }
    (Value::Object(data), diagnostics)
}

fn insert(map: &mut Map<String, Value>, keys: &[String], value: Value) {
    match keys {
        [] => {}
        [last] => {
            map.insert(last.clone(), value);
        }
        [first, rest @ ..] => {
            let entry = map.entry(first.clone()).or_insert_with(|| Value::Object(Map::new()));
            if !entry.is_object() {
                *entry = Value::Object(Map::new());
            }
            if let Value::Object(inner) = entry {
                insert(inner, rest, value);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_files_become_nested_keys() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join(DATA_DIR);
        std::fs::create_dir_all(data.join("sidebars")).unwrap();
        std::fs::write(data.join("glossary.yml"), "\u{feff}- title: A\r\n  value: a\r\n").unwrap();
        std::fs::write(data.join("sidebars/main.yml"), "entries: []\n").unwrap();
        std::fs::write(data.join("bad.yml"), "a: [\n").unwrap();
        let (value, problems) = load(dir.path());
        assert_eq!(value["glossary"][0]["title"], "A");
        assert!(value["sidebars"]["main"]["entries"].is_array());
        assert_eq!(problems.iter().count(), 1);
    }
}
