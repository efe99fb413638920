//! What the fuzz targets (fuzz/fuzz_targets/) and the property tests (tests/suite/robustness.rs)
//! drive: each entry point takes any bytes, as a user's file could hold them, and must
//! return, never panic, and keep the invariants it checks. One definition for both, so
//! the short run in `cargo test` exercises exactly what the fuzzers do.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use signpost::content::frontmatter::{self, FrontMatter};
use signpost::markdown::{self, html_scan, Highlighter, Hooks};
use signpost::process::{self, drawio, variants};

/// Larger inputs only make the fuzzers slower; the bad-input tests cover size.
const MAX_INPUT: usize = 64 * 1024;

fn text(data: &[u8]) -> Option<&str> {
    (data.len() <= MAX_INPUT).then(|| std::str::from_utf8(data).ok()).flatten()
}

/// A page: split into front matter and body, checked, and its YAML read.
pub fn front_matter(data: &[u8]) {
    let Some(text) = text(data) else { return };
    // As a page is read: BOM dropped, line ends made `\n`.
    let text = &signpost::content::normalise_text(text.to_string());
    let file = Path::new("content/fuzz.md");
    let split = frontmatter::split(text);
    assert!(split.body_line >= 1);
    assert!(text.ends_with(split.body), "the body is the end of the page");
    let _ = frontmatter::check_page_text(text, &split, file);
    if let Some(yaml) = split.yaml {
        if let Err(errors) = FrontMatter::parse(yaml, file) {
            assert!(!errors.is_empty());
            for e in errors {
                if let Some(at) = e.location {
                    assert!(
                        at.line >= 1 && at.line <= text.lines().count() + 2,
                        "{at} in a page of {} lines",
                        text.lines().count()
                    );
                }
            }
        }
    }
    let _ = signpost::yaml::parse::<serde_json::Value>(text, Path::new("site.yaml"), 1);
}

/// Markdown as a page's body, with code highlighting and every extension on.
pub fn markdown(data: &[u8]) {
    let Some(text) = text(data) else { return };
    // Loading syntect's syntax set takes milliseconds; once per process, not per input,
    // or the target runs at a few dozen inputs a second.
    static HIGHLIGHTER: std::sync::OnceLock<Highlighter> = std::sync::OnceLock::new();
    let highlighter = HIGHLIGHTER.get_or_init(|| Highlighter::new(None));
    let rendered = markdown::render(text, highlighter, &Hooks::none());
    for link in &rendered.links {
        assert!(link.offset <= text.len(), "a link's offset lies inside the text");
    }
    for heading in &rendered.headings {
        assert!(heading.offset <= text.len(), "a heading's offset lies inside the text");
    }
}

/// Two process files, the second usually a variant of the first (`extends: flow`),
/// separated by a line `====`; what validates is laid out and drawn.
pub fn process_yaml(data: &[u8]) {
    let Some(text) = text(data) else { return };
    let (base, variant) = text.split_once("\n====\n").unwrap_or((text, "extends: flow\n"));
    let mut files: BTreeMap<String, (PathBuf, variants::Written)> = BTreeMap::new();
    for (id, yaml) in [("flow", base), ("variant", variant)] {
        let source = PathBuf::from(format!("diagrams/{id}.yaml"));
        if let Ok(written) = variants::parse_written(yaml, &source) {
            files.insert(id.to_string(), (source, written));
        }
    }
    let (processes, _problems) = variants::resolve(&files);
    for process in processes.values() {
        if process.stages.len() <= 200 {
            let placed = process::place(process);
            assert!(placed.html.starts_with("<div class=\"sp-process\""));
        }
    }
}

/// A draw.io `data-mxgraph` attribute, or a drawing's XML, decoded and converted.
pub fn drawio(data: &[u8]) {
    let Some(text) = text(data) else { return };
    let page = drawio::PageContext { headings: &[], own_file: "page.html", title: "Fuzzed", source: "content/page.md" };
    let _ = drawio::convert(text, "fuzzed", &page);
    let _ = drawio::decode::decode_drawing(text);
    let _ = drawio::find_embedded(text);
}

/// Raw HTML as pages write it: every attribute found is where it says it is.
pub fn html_scan(data: &[u8]) {
    let Some(text) = text(data) else { return };
    for attr in html_scan::attributes(text) {
        let end = attr.offset + attr.value.len();
        assert_eq!(text.get(attr.offset..end), Some(attr.value), "the value is at its offset");
    }
}

/// A Liquid template, in both dialects, with a `site` and `page` to read, includes that
/// come back as Liquid (the template itself, so includes nest up to the limit) and small
/// limits, so a runaway loop is cut short rather than slowing the fuzzer to a crawl.
pub fn liquid(data: &[u8]) {
    use signpost::liquid::{self as lq, Dialect, Globals, Host, IncludeRequest, Included, Limits, Options};

    struct Echo<'t>(&'t str);
    impl Host for Echo<'_> {
        fn include(&mut self, request: &IncludeRequest<'_>) -> Result<Included, String> {
            match request.name {
                name if name.starts_with("self") => Ok(Included::Liquid(self.0.to_string())),
                name if name.starts_with("missing") => Err(format!("no include {name}")),
                name => Ok(Included::Text(format!("[{name}]"))),
            }
        }
    }

    let Some(text) = text(data) else { return };
    let site = serde_json::json!({
        "title": "Fuzzed", "data": {"list": [1, 2, 3], "map": {"a": "x", "b": null}},
        "pages": [{"title": "One", "url": "/one.html", "tags": ["a", "b"]}, {"title": "Two", "url": "/two.html"}],
    });
    let page = serde_json::json!({"title": "Page", "tags": ["a"], "keywords": "k1, k2", "toc": false});
    let mut globals = Globals::new();
    globals.borrow("site", &site).borrow("page", &page);
    let limits = Limits { max_depth: 50, max_iterations: 20_000, max_output: 1 << 20, max_include_depth: 8 };
    for dialect in [Dialect::Liquid, Dialect::Jekyll] {
        for inline_errors in [false, true] {
            let options = Options { dialect, limits: limits.clone(), inline_errors };
            match lq::render(text, &globals, &mut Echo(text), &options) {
                Ok(out) => assert!(out.len() <= limits.max_output, "the output stays within max_output"),
                Err(e) => assert!(e.offset <= text.len(), "an error is at a place in the template"),
            }
        }
    }
}
