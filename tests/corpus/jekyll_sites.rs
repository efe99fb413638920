//! The six real NHS Jekyll portals in ../shared/sites, each beside what Jekyll 4.3 made of
//! it: `signpost import`, then `signpost build`, then every page's visible text compared
//! with Jekyll's (`../shared/tools/fidelity/pagetext.py compare --json`, the same figures
//! `measure.sh` prints). Each test holds the figures reached so far; a change that loses
//! text, pages or heading ids fails here. Issue 13's goal on every site is 0 missing pages,
//! text kept >= 99.5%, >= 97% identical pages, 0 heading ids missing and 0 pages showing
//! syntax as text; the floors below rise towards it as the work lands.
//!
//! Without ../shared (or python3) the tests say so and pass, unless
//! SIGNPOST_REQUIRE_CORPUS=1, as in CI, where they fail.
//!
//! Where Signpost differs from Jekyll on purpose (docs/jekyll.md, "Deliberate
//! differences"): a page with no title is titled from its file name at import; when
//! Signpost's Liquid cannot run a site's own include, the theme's include of the same name
//! stands in, with a warning. Neither changes the compared text of these sites. One does:
//! booking-standard's 9 draw.io processes are drawn as Signpost processes, whose stage list
//! and "Back to the process" links are text Jekyll's script viewer does not have, so those
//! 9 of its 125 pages are not identical by design (116 are).

use crate::common;

use std::path::{Path, PathBuf};
use std::process::Command;

/// What one site must at least reach.
struct Floor {
    site: &'static str,
    /// Pages of Jekyll's output that Signpost does not write.
    missing_pages: u64,
    /// Share of Jekyll's text lines found on Signpost's page.
    text_kept: f64,
    identical_pages: u64,
    heading_ids_missing: u64,
    /// Pages showing Markdown, HTML or Liquid syntax as text that Jekyll rendered.
    syntax_as_text_pages: u64,
}

/// Measured on 2026-12-05 with kramdown's link, raw HTML and fence rules (docs/jekyll.md).
const FLOORS: &[Floor] = &[
    Floor {
        site: "booking-standard",
        missing_pages: 0,
        text_kept: 1.0,
        identical_pages: 116,
        heading_ids_missing: 0,
        syntax_as_text_pages: 0,
    },
    Floor {
        site: "gpconnect",
        missing_pages: 0,
        text_kept: 1.0,
        identical_pages: 138,
        heading_ids_missing: 0,
        syntax_as_text_pages: 0,
    },
    Floor {
        site: "itk3",
        missing_pages: 0,
        text_kept: 1.0,
        identical_pages: 52,
        heading_ids_missing: 0,
        syntax_as_text_pages: 0,
    },
    Floor {
        site: "cds",
        missing_pages: 0,
        text_kept: 1.0,
        identical_pages: 54,
        heading_ids_missing: 0,
        syntax_as_text_pages: 0,
    },
    Floor {
        site: "end-of-life",
        missing_pages: 0,
        text_kept: 1.0,
        identical_pages: 29,
        heading_ids_missing: 0,
        syntax_as_text_pages: 0,
    },
    Floor {
        site: "booking-api",
        missing_pages: 0,
        text_kept: 0.999,
        identical_pages: 27,
        heading_ids_missing: 0,
        syntax_as_text_pages: 0,
    },
];

fn skip(reason: &str) {
    common::skip("SIGNPOST_REQUIRE_CORPUS", reason);
}

fn signpost(args: &[&std::ffi::OsStr]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_signpost")).args(args).output().expect("run signpost");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.code().unwrap_or(-1), text)
}

fn measure(floor: &Floor) {
    let Some(shared) = common::shared_or_skip("the NHS sites") else {
        return;
    };
    let jekyll = shared.join("sites").join(floor.site);
    let reference = shared.join("sites").join(format!("{}.reference.json", floor.site));
    let compare = shared.join("tools/fidelity/pagetext.py");
    if !jekyll.is_dir() || !reference.is_file() || !compare.is_file() {
        return skip(&format!("../shared/sites/{} or its reference is absent", floor.site));
    }
    if Command::new("python3").arg("--version").output().is_err() {
        return skip("python3 is not installed, so pages cannot be compared with Jekyll's");
    }
    let dir = tempfile::tempdir().unwrap();
    let (site, out): (PathBuf, PathBuf) = (dir.path().join("site"), dir.path().join("out"));

    let (status, log) = signpost(&["import".as_ref(), jekyll.as_os_str(), site.as_os_str()]);
    assert_eq!(status, 0, "{}: import failed:\n{log}", floor.site);
    let (status, log) = signpost(&[
        "build".as_ref(),
        "--root".as_ref(),
        site.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
        "--quiet".as_ref(),
    ]);
    assert_eq!(status, 0, "{}: build failed:\n{log}", floor.site);

    let summary = compare_with_jekyll(&compare, &reference, &out);
    let number = |key: &str| summary[key].as_u64().unwrap_or_else(|| panic!("no `{key}` in {summary}"));
    let text_kept = summary["text_kept"].as_f64().expect("text_kept");
    println!("{}: {summary}", floor.site);
    let name = floor.site;
    assert!(number("missing_pages") <= floor.missing_pages, "{name}: pages missing: {summary}");
    assert!(text_kept >= floor.text_kept, "{name}: text kept fell below {}: {summary}", floor.text_kept);
    assert!(number("identical_pages") >= floor.identical_pages, "{name}: fewer identical pages: {summary}");
    assert!(number("heading_ids_missing") <= floor.heading_ids_missing, "{name}: heading ids lost: {summary}");
    assert!(number("residue_pages") <= floor.syntax_as_text_pages, "{name}: more syntax as text: {summary}");
}

/// pagetext.py's summary: reference_pages, missing_pages, identical_pages, text_kept, ...
fn compare_with_jekyll(script: &Path, reference: &Path, out: &Path) -> serde_json::Value {
    let run = Command::new("python3").arg(script).arg("compare").arg(reference).arg(out).arg("--json").output();
    let run = run.expect("run pagetext.py");
    assert!(run.status.success(), "pagetext.py failed: {}", String::from_utf8_lossy(&run.stderr));
    let mut whole: serde_json::Value = serde_json::from_slice(&run.stdout).expect("pagetext.py prints JSON");
    whole["summary"].take()
}

fn floor(site: &str) -> &'static Floor {
    FLOORS.iter().find(|f| f.site == site).expect("a floor for each site")
}

#[test]
fn booking_standard_reads_as_jekyll_rendered_it() {
    measure(floor("booking-standard"));
}

#[test]
fn gpconnect_reads_as_jekyll_rendered_it() {
    measure(floor("gpconnect"));
}

#[test]
fn itk3_reads_as_jekyll_rendered_it() {
    measure(floor("itk3"));
}

#[test]
fn cds_reads_as_jekyll_rendered_it() {
    measure(floor("cds"));
}

#[test]
fn end_of_life_reads_as_jekyll_rendered_it() {
    measure(floor("end-of-life"));
}

#[test]
fn booking_api_reads_as_jekyll_rendered_it() {
    measure(floor("booking-api"));
}
