//! The two real NHS Jekyll sites (../shared/corpus) imported with `signpost import` and
//! built: every page builds, no error comes from unsupported syntax, every draw.io diagram
//! converts. Prints the measured report that docs/jekyll.md records. Skips with a printed
//! reason when ../shared is absent, as on a user's machine.

use crate::common;

use std::collections::BTreeMap;
use std::path::Path;

use signpost::content::Scope;
use signpost::diagnostics::Kind;
use signpost::site::LoadOptions;

/// Each page's links and anchors as a run recorded them, by output file.
macro_rules! records {
    ($output:expr) => {
        $output
            .pages
            .iter()
            .map(|page| {
                let links: Vec<String> = page.links.held().unwrap().iter().map(|l| format!("{l:?}")).collect();
                let anchors: Vec<String> = page.anchors.held().unwrap().iter().map(|a| format!("{a:?}")).collect();
                (page.file.clone(), (links, anchors))
            })
            .collect::<BTreeMap<String, (Vec<String>, Vec<String>)>>()
    };
}

struct Measured {
    pages_found: usize,
    pages_built: usize,
    diagrams: (usize, usize),
    /// Each built page's HTML, by output file.
    html: BTreeMap<String, String>,
}

fn import_and_build(name: &str) -> Option<Measured> {
    let shared = common::shared_or_skip("the NHS corpus")?;
    let jekyll = shared.join("corpus").join(name);
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    let report = signpost::import::import(&jekyll, &site).expect("the import runs");
    // The import builds what it wrote and reports each include file the corpus did not
    // copy (below, they get stand-ins); any other error is a failure.
    let missing_include = |d: &&signpost::diagnostics::Diagnostic| {
        d.kind == Kind::UnknownInclude && d.message.starts_with("the imported site does not build")
    };
    let mut import_kinds: BTreeMap<&str, usize> = BTreeMap::new();
    for d in report.diagnostics.iter().filter(|d| !missing_include(d)) {
        *import_kinds.entry(d.kind.name()).or_default() += 1;
    }
    let errors: Vec<String> =
        report.diagnostics.iter().filter(|d| d.is_error() && !missing_include(d)).map(ToString::to_string).collect();
    assert!(errors.is_empty(), "import errors: {errors:?}");

    // The corpus copied no `_includes/`: the site's own include files are missing, which is
    // not unsupported syntax. Stand-ins are written for them, and counted.
    let options = LoadOptions { root: site.clone(), scope: Scope::Portal, base_url: None, bodies: Default::default() };
    let mut missing_files: BTreeMap<String, usize> = BTreeMap::new();
    for _ in 0..3 {
        let Err(errors) = signpost::build::build_in_memory(&options) else { break };
        for d in errors.iter().filter(|d| d.is_error()) {
            match d.kind {
                Kind::UnknownInclude => {
                    let include = d.message.split('`').nth(1).unwrap().to_string();
                    write(&site.join("_includes").join(&include), "");
                    *missing_files.entry(include).or_default() += 1;
                }
                other => panic!("{name}: unexpected error: {other}: {d}"),
            }
        }
    }
    let (_, output, sink, warnings) = match signpost::build::build_in_memory(&options) {
        Ok(built) => built,
        Err(d) => panic!("{name} still fails: {:#?}", d.iter().map(ToString::to_string).collect::<Vec<_>>()),
    };
    let files = sink.files.lock().unwrap();
    let mut liquid_left: BTreeMap<&str, usize> = BTreeMap::new();
    let mut separators_left: BTreeMap<&str, usize> = BTreeMap::new();
    let mut pages = BTreeMap::new();
    for page in &output.pages {
        let html = String::from_utf8_lossy(&files[&page.file]).into_owned();
        assert!(html.contains("</html>"), "{} is a whole page", page.file);
        assert!(!html.contains("data-mxgraph"), "{}: a draw.io diagram is left", page.file);
        for tag in ["{% for", "{% assign", "{% highlight", "{% if", "{% include", "{{ item"] {
            *liquid_left.entry(tag).or_default() += html.matches(tag).count();
        }
        let separators = separator_lines_shown(&html);
        if separators > 0 {
            separators_left.insert(&page.file, separators);
        }
        pages.insert(page.file.clone(), html);
    }
    liquid_left.retain(|_, n| *n > 0);
    let mut warning_kinds: BTreeMap<&str, usize> = BTreeMap::new();
    for d in warnings.iter() {
        *warning_kinds.entry(d.kind.name()).or_default() += 1;
    }

    // What `signpost check` finds (the Jekyll site's own broken links, as warnings).
    let (checked, _) = signpost::pipeline::check_site(&options);
    let checked = checked.expect("the imported site checks");
    let mut check_kinds: BTreeMap<&str, usize> = BTreeMap::new();
    for finding in &checked.findings {
        *check_kinds.entry(finding.kind.name()).or_default() += 1;
    }
    records_match_the_build(name, &options, records!(output));

    println!(
        "== {name}: {} pages found, {} published, {} built",
        report.pages_found,
        report.pages_published,
        output.pages.len()
    );
    println!("   diagrams: {} of {} converted", report.diagrams_converted(), report.diagrams.len());
    println!("   import warnings by kind: {import_kinds:?}");
    println!("   build warnings by kind: {warning_kinds:?}");
    println!("   check: {} links checked; findings by kind: {check_kinds:?}", checked.links);
    println!("   not carried over: {:?}", report.unsupported);
    println!(
        "   include files missing from the corpus: {} names, {} calls",
        missing_files.len(),
        missing_files.values().sum::<usize>()
    );
    println!("   Liquid left as text: {liquid_left:?}");
    println!("   kramdown table separator lines shown as text: {separators_left:?}");
    assert!(liquid_left.is_empty(), "{name}: Liquid left in the output: {liquid_left:?}");
    assert!(separators_left.is_empty(), "{name}: table separator lines in the output: {separators_left:?}");
    Some(Measured {
        pages_found: report.pages_found,
        pages_built: output.pages.len(),
        diagrams: (report.diagrams_converted(), report.diagrams.len()),
        html: pages,
    })
}

/// `check` renders no page's Markdown to HTML; what it checks (each page's links and
/// anchors, where they were written) must still be what the build recorded.
fn records_match_the_build(name: &str, options: &LoadOptions, built: BTreeMap<String, (Vec<String>, Vec<String>)>) {
    let (_, output, _) = signpost::pipeline::render_for_check(options)
        .unwrap_or_else(|d| panic!("{name}: the check's render fails: {d:?}"));
    let checked = records!(output);
    assert_eq!(checked.keys().collect::<Vec<_>>(), built.keys().collect::<Vec<_>>(), "{name}: the pages");
    for (file, records) in &built {
        assert_eq!(&checked[file], records, "{name}: the links and anchors of {file}");
    }
    let links: usize = built.values().map(|(l, _)| l.len()).sum();
    let anchors: usize = built.values().map(|(_, a)| a.len()).sum();
    assert!(links > 1000 && anchors > 1000, "{name}: the pages have links ({links}) and anchors ({anchors})");
}

/// A kramdown `|---|` line that came out as text rather than being read as part of its
/// table: a paragraph starting `|` made only of dashes, or a table row whose cells are only
/// dashes. Smart punctuation has turned `---` into em dashes by then.
fn separator_lines_shown(html: &str) -> usize {
    let dashes =
        |s: &str| s.contains(['-', '\u{2013}', '\u{2014}']) && s.chars().all(|c| "-\u{2013}\u{2014}:| ".contains(c));
    let paragraphs =
        html.split("<p>").skip(1).filter(|p| p.starts_with('|') && p.split("</p>").next().is_some_and(dashes)).count();
    let rows = html
        .split("<tr>")
        .skip(1)
        .filter_map(|row| row.split("</tr>").next())
        .filter(|row| {
            let cells: Vec<&str> = row.split("</td>").filter_map(|c| c.split_once('>').map(|(_, text)| text)).collect();
            !cells.is_empty() && cells.iter().all(|c| dashes(c))
        })
        .count();
    paragraphs + rows
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

#[test]
fn nhs_booking_standard_imports_and_builds() {
    let Some(m) = import_and_build("docs-uec-appts") else { return };
    // 146 pages (404.md is the theme's); one of the two release_notes.html pages loses.
    assert_eq!(m.pages_found, 146);
    assert_eq!(m.pages_built, 145);
    assert_eq!(m.diagrams, (23, 23), "every diagram converts");
}

#[test]
fn gp_connect_imports_and_builds() {
    let Some(m) = import_and_build("gpconnect") else { return };
    assert_eq!(m.pages_built, m.pages_found, "every page builds");
    assert_eq!(m.diagrams, (0, 0));
    // Tables that open with a `|---|` line: kramdown skips it, takes the row above the next
    // separator for the header, and reads any later separator as a split between bodies.
    for (page, header) in [
        ("accessrecord_structured_development_version_compatibility.html", "Specification version"),
        ("accessrecord_structured_get_the_fhir_capability_statement.html", "Error encountered"),
        ("accessrecord_structured_development_retrieve_patient_record.html", "Error encountered"),
        ("foundations_use_case_register_a_patient.html", "Error encountered"),
    ] {
        let html = m.html.iter().find(|(file, _)| file.ends_with(page)).map(|(_, html)| html);
        let html = html.unwrap_or_else(|| panic!("{page} is built"));
        assert!(
            html.contains(&format!("<thead><tr><th>{header}</th>")) || html.contains(&format!("\">{header}</th>")),
            "{page}: no table headed {header}"
        );
    }
}
