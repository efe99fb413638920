//! Shopify's liquid-spec (`../shared/specs/liquid/specs`, read at run time) through
//! Signpost's Liquid engine, in lax mode as Jekyll runs Liquid. Prints the pass rate of
//! each folder and the cases that do not apply, by reason, and holds the pass rates
//! reached as a floor.
//!
//! Not applicable: what arrived in Liquid 5 (`render`, `liquid`, `echo`, `doc`, `{%#`),
//! cases only for strict parsing (Jekyll parses lax), and Ruby drops (objects with Ruby
//! methods, `instantiate:...`) that a JSON value cannot be.

use crate::common;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use serde_json::Value;
use signpost::liquid::{self, Dialect, ErrorKind, Globals, Host, IncludeRequest, Included, Options};

/// Folders and the share of applicable cases that must pass (what the engine reaches, rounded down).
const FLOORS: &[(&str, f64)] = &[("basics", 0.98), ("liquid_ruby", 0.94), ("liquid_ruby_lax", 0.92), ("partials", 1.0)];

#[test]
fn liquid_spec_conformance() {
    let Some(shared) = common::shared_or_skip("liquid-spec (specs/liquid)") else {
        return;
    };
    let root = shared.join("specs/liquid/specs");
    let mut report = String::new();
    let mut failures = Vec::new();
    for (folder, floor) in FLOORS {
        let mut tally = Tally::default();
        for file in yaml_files(&root.join(folder)) {
            for case in cases(&file, &mut tally) {
                run_case(&case, &mut tally, &mut failures, folder);
            }
        }
        let applicable = tally.passed + tally.failed;
        let rate = if applicable == 0 { 0.0 } else { tally.passed as f64 / applicable as f64 };
        report.push_str(&format!(
            "{folder:>16}: {:>4} of {:>4} applicable cases pass ({:.1}%); {} not applicable\n",
            tally.passed,
            applicable,
            rate * 100.0,
            tally.not_applicable.values().sum::<usize>()
        ));
        for (reason, n) in &tally.not_applicable {
            report.push_str(&format!("{:>18}{n:>4} {reason}\n", ""));
        }
        assert!(rate >= *floor, "{folder}: {:.1}% is below the floor of {:.1}%\n{report}", rate * 100.0, floor * 100.0);
    }
    eprintln!("\nliquid-spec, lax mode:\n{report}");
    if std::env::var("LIQUID_SPEC_SHOW").is_ok() {
        for f in &failures {
            eprintln!("{f}\n");
        }
    }
}

#[derive(Default)]
struct Tally {
    passed: usize,
    failed: usize,
    not_applicable: BTreeMap<String, usize>,
}

fn yaml_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> =
        std::fs::read_dir(dir).map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect()).unwrap_or_default();
    files.retain(|p| p.extension().is_some_and(|e| e == "yml") && !p.ends_with("suite.yml"));
    files.sort();
    files
}

/// The cases of one file. serde-saphyr refuses a file whose environments use non-string
/// keys (Ruby objects as hash keys); then each case is read on its own and the ones it
/// still refuses are counted as not applicable.
fn cases(file: &Path, tally: &mut Tally) -> Vec<Value> {
    let text = std::fs::read_to_string(file).unwrap();
    if let Ok(value) = signpost::yaml::parse::<Value>(&text, file, 1) {
        return match value {
            Value::Array(items) => items,
            Value::Object(mut map) => match map.remove("specs") {
                Some(Value::Array(items)) => items,
                _ => vec![],
            },
            _ => vec![],
        };
    }
    let mut out = Vec::new();
    let body = text.split_once("\nspecs:\n").map_or(text.as_str(), |(_, b)| b);
    let mut chunk = String::new();
    let mut flush = |chunk: &str, out: &mut Vec<Value>| {
        if chunk.trim().is_empty() {
            return;
        }
        match signpost::yaml::parse::<Value>(chunk, file, 1) {
            Ok(Value::Array(items)) => out.extend(items),
            _ => {
                *tally.not_applicable.entry("YAML that serde-saphyr refuses (non-string keys)".into()).or_default() += 1
            }
        }
    };
    for line in body.lines() {
        if line.starts_with("- ") && !chunk.is_empty() {
            flush(&chunk, &mut out);
            chunk.clear();
        }
        chunk.push_str(line);
        chunk.push('\n');
    }
    flush(&chunk, &mut out);
    out
}

fn not_applicable(case: &Value) -> Option<&'static str> {
    let template = case["template"].as_str().unwrap_or("");
    let tags = ["render", "liquid", "echo", "doc"];
    let uses_tag = |t: &str| {
        template.match_indices("{%").any(|(i, _)| {
            let rest = template[i + 2..].trim_start_matches('-').trim_start();
            rest.starts_with(t) && !rest[t.len()..].starts_with(|c: char| c.is_alphanumeric() || c == '_')
        })
    };
    if tags.iter().any(|t| uses_tag(t)) || uses_tag("#") || template.contains("{%#") || template.contains("{%-#") {
        return Some("Liquid 5 tags (render, liquid, echo, doc, inline comments)");
    }
    let partials = case["filesystem"].to_string();
    if ["{% render", "{%- render", "{% liquid", "{% echo"].iter().any(|t| partials.contains(t)) {
        return Some("Liquid 5 tags (render, liquid, echo, doc, inline comments)");
    }
    if case.to_string().contains("instantiate:") {
        return Some("Ruby drops (objects with Ruby methods)");
    }
    let features = case["features"].to_string();
    if ["ruby_drops", "drop_class_output", "binary_data", "template_factory", "shopify"]
        .iter()
        .any(|f| features.contains(f))
    {
        return Some("Ruby-only features (drops, binary strings, template factories)");
    }
    if !case["resource_limits"].is_null() {
        return Some("Shopify's render-score limits");
    }
    if !case["expected_pattern"].is_null() && case["expected"].is_null() {
        return Some("expected output given only as a Ruby regexp");
    }
    let mode = case["error_mode"].to_string();
    if (mode.contains("strict") || mode.contains("warn")) && !mode.contains("lax") {
        return Some("strict parsing only (Jekyll parses lax)");
    }
    None
}

struct Files(HashMap<String, String>);

impl Host for Files {
    fn include(&mut self, request: &IncludeRequest<'_>) -> Result<Included, String> {
        let name = request.name;
        self.0
            .get(name)
            .or_else(|| self.0.get(&format!("{name}.liquid")))
            .map(|s| Included::Liquid(s.clone()))
            .ok_or_else(|| format!("Could not find asset {name}"))
    }
}

fn run_case(case: &Value, tally: &mut Tally, failures: &mut Vec<String>, folder: &str) {
    if let Some(reason) = not_applicable(case) {
        *tally.not_applicable.entry(reason.into()).or_default() += 1;
        return;
    }
    let template = case["template"].as_str().unwrap_or("");
    let environment = match &case["environment"] {
        Value::Object(_) => case["environment"].clone(),
        _ => Value::Object(Default::default()),
    };
    let mut globals = Globals::new();
    globals.borrow_all(&environment);
    let mut files = HashMap::new();
    if let Value::Object(fs) = &case["filesystem"] {
        for (k, v) in fs {
            files.insert(k.clone(), v.as_str().map_or_else(|| v.to_string(), str::to_string));
        }
    }
    let options = Options {
        dialect: Dialect::Liquid,
        inline_errors: case["render_errors"].as_bool().unwrap_or(false),
        ..Options::default()
    };
    // Ruby Liquid puts the line into the message; the engine gives the offset, so the
    // harness writes the message as Ruby would.
    let result = liquid::render(template, &globals, &mut Files(files), &options).map_err(|mut e| {
        let line = template[..e.offset.min(template.len())].matches('\n').count() + 1;
        let kind = if e.kind == ErrorKind::Syntax { "Liquid syntax error" } else { "Liquid error" };
        e.message = format!("{kind} (line {line}): {}", e.message);
        e
    });
    let passed = match (&case["expected"], &case["errors"]) {
        (Value::String(expected), _) => result.as_ref().is_ok_and(|out| out == expected),
        (_, Value::Object(errors)) => errors.iter().all(|(kind, needles)| {
            let needles: Vec<String> = needles
                .as_array()
                .map(|a| a.iter().map(|n| n.as_str().unwrap_or("").to_lowercase()).collect())
                .unwrap_or_default();
            let text = match (&result, kind.as_str()) {
                (Err(e), "parse_error") if e.kind != ErrorKind::Render => e.message.to_lowercase(),
                (Err(e), "render_error") if e.kind != ErrorKind::Syntax => e.message.to_lowercase(),
                (Ok(out), "output") => out.to_lowercase(),
                _ => return false,
            };
            needles.iter().all(|n| text.contains(n.as_str()))
        }),
        _ => false,
    };
    if passed {
        tally.passed += 1;
    } else {
        tally.failed += 1;
        failures.push(format!(
            "[{folder}] {}\n  template: {template:?}\n  expected: {}\n  got: {:?}",
            case["name"].as_str().unwrap_or("?"),
            if case["expected"].is_null() { case["errors"].to_string() } else { format!("{:?}", case["expected"]) },
            result.map_err(|e| format!("{:?}: {}", e.kind, e.message))
        ));
    }
}
