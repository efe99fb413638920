//! kramdown's own test inputs (../shared/specs/kramdown-gfm, 232 cases, with what kramdown
//! made of each as Jekyll configures it) rendered by Signpost's Markdown renderer and
//! compared as a reader sees them: visible text, line by line, by the fidelity tools'
//! `pagetext.py` (run with python3). Prints the pass rate by group and fails below the
//! floor this renderer reached. Without ../shared (or python3) it says so and passes,
//! unless SIGNPOST_REQUIRE_CORPUS=1.

use crate::common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use signpost::markdown::{render, Highlighter, Hooks};

/// Cases whose visible text must match kramdown's; raise it as the renderer improves.
const FLOOR: usize = 218;

fn skip(reason: &str) {
    common::skip("SIGNPOST_REQUIRE_CORPUS", reason);
}

/// `block--04_header--atx_header` is in `block--04_header`, `span--01_link--inline` in
/// `span--01_link`; kramdown-parser-gfm's own cases are `gfm`.
fn group(name: &str) -> String {
    let parts: Vec<&str> = name.split("--").collect();
    match parts.as_slice() {
        [kind @ ("block" | "span"), group, ..] => format!("{kind}--{group}"),
        _ => "gfm".to_string(),
    }
}

fn write_page(dir: &Path, name: &str, class: &str, body: &str) {
    let html = format!("<html><body><div class=\"{class}\">\n{body}</div></body></html>\n");
    std::fs::write(dir.join(format!("{name}.html")), html).unwrap();
}

#[test]
fn kramdown_cases_read_as_kramdown_renders_them() {
    let Some(shared) = common::shared_or_skip("the kramdown cases") else {
        return;
    };
    let cases = shared.join("specs/kramdown-gfm");
    let script = shared.join("tools/fidelity/pagetext.py");
    if Command::new("python3").arg("--version").output().is_err() {
        return skip("python3 is not installed, so pagetext.py cannot compare the pages");
    }
    let dir = tempfile::tempdir().unwrap();
    let (reference, ours) = (dir.path().join("reference"), dir.path().join("ours"));
    std::fs::create_dir_all(&reference).unwrap();
    std::fs::create_dir_all(&ours).unwrap();
    let highlighter = Highlighter::new(None);
    let mut names = Vec::new();
    for entry in std::fs::read_dir(&cases).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "md") {
            let name = path.file_stem().unwrap().to_string_lossy().into_owned();
            let markdown = std::fs::read_to_string(&path).unwrap();
            let expected = std::fs::read_to_string(cases.join(format!("{name}.html"))).unwrap();
            write_page(&reference, &name, "post-content", &expected);
            write_page(&ours, &name, "sp-content", &render(&markdown, &highlighter, &Hooks::none()).html);
            names.push(name);
        }
    }
    assert!(names.len() >= 200, "expected the 232 kramdown cases in {}, found {}", cases.display(), names.len());

    let extract = Command::new("python3")
        .arg(&script)
        .args(["extract", reference.to_str().unwrap(), "--exclude", ""])
        .output()
        .unwrap();
    assert!(extract.status.success(), "pagetext.py extract: {}", String::from_utf8_lossy(&extract.stderr));
    let reference_json = dir.path().join("reference.json");
    std::fs::write(&reference_json, &extract.stdout).unwrap();
    let compare = Command::new("python3")
        .arg(&script)
        .args(["compare", reference_json.to_str().unwrap(), ours.to_str().unwrap(), "--json"])
        .output()
        .unwrap();
    assert!(compare.status.success(), "pagetext.py compare: {}", String::from_utf8_lossy(&compare.stderr));
    let result: serde_json::Value = serde_json::from_slice(&compare.stdout).unwrap();

    let mut by_group: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut failing = Vec::new();
    for name in &names {
        let page = &result["pages"][format!("{name}.html")];
        let same = page["identical"].as_bool().unwrap_or(false);
        let entry = by_group.entry(group(name)).or_default();
        entry.1 += 1;
        if same {
            entry.0 += 1;
        } else {
            failing.push(name.as_str());
        }
    }
    let passed: usize = by_group.values().map(|(p, _)| p).sum();
    println!("kramdown cases with kramdown's visible text: {passed} of {}", names.len());
    for (group, (p, n)) in &by_group {
        println!("  {group:<32} {p:>3} of {n:<3} {:>5.1}%", 100.0 * *p as f64 / *n as f64);
    }
    failing.sort();
    println!("still different: {}", failing.join(", "));
    assert!(
        passed >= FLOOR,
        "{passed} of {} kramdown cases read as kramdown renders them; the floor is {FLOOR}",
        names.len()
    );
}
