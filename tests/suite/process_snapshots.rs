//! Whole drawings as snapshots: the fixture processes and the three bundled ones, exactly
//! as a page receives them (inline SVG and text alternative). Review changes with
//! `cargo insta review`.

use std::path::Path;

use signpost::process;

fn load(relative: &str) -> process::Process {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(relative);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{relative}: {e}"));
    process::parse(&text, Path::new(relative)).unwrap_or_else(|e| panic!("{relative}: {e:?}"))
}

/// A bundled process as the site loads it: variants merged with their base.
fn bundled(id: &str) -> process::Process {
    let (mut all, problems) = process::load_all(Path::new(env!("CARGO_MANIFEST_DIR")));
    assert!(problems.is_empty(), "{problems:?}");
    all.remove(id).unwrap_or_else(|| panic!("no bundled process {id}"))
}

#[test]
fn small_fixture() {
    insta::assert_snapshot!(process::place(&load("tests/fixtures/process/small.yaml")).html);
}

#[test]
fn small_fixture_standalone() {
    insta::assert_snapshot!(process::export_svg(&load("tests/fixtures/process/small.yaml")));
}

#[test]
fn cycle_fixture() {
    insta::assert_snapshot!(process::place(&load("tests/fixtures/process/cycle.yaml")).html);
}

#[test]
fn down_fixture() {
    insta::assert_snapshot!(process::place(&load("tests/fixtures/process/down.yaml")).html);
}

#[test]
fn bundled_booking() {
    insta::assert_snapshot!(process::place(&bundled("booking")).html);
}

#[test]
fn bundled_nrls() {
    insta::assert_snapshot!(process::place(&bundled("nrls")).html);
}

#[test]
fn bundled_smsp() {
    insta::assert_snapshot!(process::place(&bundled("smsp")).html);
}
