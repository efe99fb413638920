//! Property tests over the fuzz targets' entry points (fuzz/entry_points.rs): a short
//! run in `cargo test` that keeps the fuzz targets from rotting, and every real input
//! we have (the bundled portal, ../shared/sites) run through them as a seed.

use crate::common;

use crate::entry_points;

use std::path::Path;

use proptest::prelude::*;

/// Text made of what the formats treat specially, so random cases reach the parsers'
/// corners rather than stopping at the first unknown character.
fn markup() -> impl Strategy<Value = String> {
    proptest::string::string_regex(
        "([-:\\[\\]{}#*>`|<>/=\"'&!?%.,_~ \t\n0-9a-z]|---\n|```|\\{%|%\\}|<a href=|\\x01|é|\u{feff}){0,120}",
    )
    .expect("a valid pattern")
}

/// A tag or output the page language reads, so random text lands inside real blocks.
fn liquid_tag() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "{% if page.title %}",
        "{% endif %}",
        "{% for p in site.pages %}{{ p.title | upcase }}",
        "{% endfor %}",
        "{% include self.html %}",
        "{% include missing.html %}",
        "{% capture x %}",
        "{% endcapture %}{{ x | size }}",
        "{% assign a = site.data.list | join: \",\" %}",
        "{{ page.tags | first | default: 'none' }}",
        "{% case page.title %}{% when 'Page' %}",
        "{% raw %}",
    ])
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn front_matter_never_panics(text in markup()) {
        entry_points::front_matter(format!("---\n{text}").as_bytes());
        entry_points::front_matter(text.as_bytes());
    }

    #[test]
    fn markdown_never_panics(text in markup()) {
        entry_points::markdown(text.as_bytes());
    }

    #[test]
    fn process_yaml_never_panics(text in markup(), lanes in 0usize..4, stages in 0usize..6) {
        // A valid skeleton with random text spliced into it reaches layout and drawing.
        let mut yaml = String::from("id: flow\ntitle: Fuzzed\nlanes:\n");
        for l in 0..lanes {
            yaml.push_str(&format!("  - id: l{l}\n    title: Lane {l}\n"));
        }
        yaml.push_str("stages:\n");
        for s in 0..stages {
            let next = if s + 1 < stages { format!("\n    next: [s{}]", s + 1) } else { String::new() };
            yaml.push_str(&format!("  - id: s{s}\n    title: {text:?}\n    lane: l{}{next}\n", s % lanes.max(1)));
        }
        entry_points::process_yaml(yaml.as_bytes());
        entry_points::process_yaml(format!("{yaml}\n====\nextends: flow\n{text}").as_bytes());
        entry_points::process_yaml(text.as_bytes());
    }

    #[test]
    fn drawio_never_panics(text in markup(), bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        entry_points::drawio(text.as_bytes());
        entry_points::drawio(format!("{{\"xml\":\"<mxfile><diagram>{}</diagram></mxfile>\"}}", hex::encode(&bytes)).as_bytes());
        entry_points::drawio(format!("<mxGraphModel><root>{text}</root></mxGraphModel>").as_bytes());
    }

    #[test]
    fn liquid_never_panics_and_stays_in_bounds(text in markup(), tag in liquid_tag()) {
        entry_points::liquid(text.as_bytes());
        entry_points::liquid(format!("{tag}{text}{tag}").as_bytes());
    }

    #[test]
    fn html_scan_finds_values_where_they_are(text in markup()) {
        entry_points::html_scan(text.as_bytes());
    }
}

/// Every entry point over every file of a tree whose extension it reads.
fn run_over(dir: &Path) -> usize {
    let mut seen = 0;
    for entry in walkdir::WalkDir::new(dir).into_iter().filter_map(Result::ok).filter(|e| e.file_type().is_file()) {
        let Ok(bytes) = std::fs::read(entry.path()) else { continue };
        let name = entry.path().to_string_lossy();
        match entry.path().extension().and_then(|e| e.to_str()) {
            Some("md") => {
                entry_points::liquid(&bytes);
                entry_points::front_matter(&bytes);
                entry_points::markdown(&bytes);
                entry_points::html_scan(&bytes);
            }
            Some("yaml" | "yml") if name.contains("diagrams") => entry_points::process_yaml(&bytes),
            Some("yaml" | "yml") => entry_points::front_matter(&bytes),
            Some("html") => {
                entry_points::liquid(&bytes);
                entry_points::html_scan(&bytes);
                entry_points::drawio(&bytes);
            }
            Some("drawio" | "xml") => entry_points::drawio(&bytes),
            _ => continue,
        }
        seen += 1;
    }
    seen
}

#[test]
fn the_bundled_portal_goes_through_every_entry_point() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let seen = run_over(&root.join("content")) + run_over(&root.join("diagrams"));
    assert!(seen > 10, "the bundled portal has pages and diagrams ({seen} files)");
}

#[test]
fn the_shared_sites_go_through_every_entry_point() {
    let Some(shared) = common::shared_or_skip("the shared sites") else {
        return;
    };
    let seen = run_over(&shared.join("sites"));
    assert!(seen > 100, "the shared sites hold many pages ({seen} files)");
}

/// Found by the `front_matter` fuzz target: YAML ends a line at a lone CR, so its error
/// positions pointed past the end of a page whose lines were counted by `\n`.
#[test]
fn a_lone_carriage_return_ends_a_line_for_every_reader() {
    let page = format!("---\ntitle: T\nsidebar: {}6\r\r\npermalink: [x\n---\n\n", "\r".repeat(20));
    // Asserts that every error of the front matter lies within the page's lines.
    entry_points::front_matter(page.as_bytes());
    let text = signpost::content::normalise_text(page);
    assert!(!text.contains('\r'), "{text:?}");
}
