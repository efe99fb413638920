//! Every error a process file can hold, each reported at its YAML line and column.

use std::path::Path;

use signpost::process;

const LANES: &str = "id: t\ntitle: T\nlanes:\n  - id: a\n    title: A\n  - id: b\n    title: B\n";

/// Parses `diagrams/t.yaml` and returns its errors as (kind, message, line, column).
fn errors(text: &str) -> Vec<(&'static str, String, usize, usize)> {
    let problems = process::parse(text, Path::new("diagrams/t.yaml")).expect_err("should fail");
    problems
        .iter()
        .map(|d| {
            let loc = d.location.as_ref().expect("every error has a location");
            assert_eq!(&*loc.file, Path::new("diagrams/t.yaml"));
            assert!(d.hint.is_some(), "every error says what to do: {d}");
            (d.kind.name(), d.message.clone(), loc.line, loc.column)
        })
        .collect()
}

fn one(text: &str, kind: &str, message: &str, line: usize, column: usize) {
    let found = errors(text);
    assert_eq!(found.len(), 1, "{found:?}");
    let (k, m, l, c) = &found[0];
    assert_eq!((*k, *l, *c), (kind, line, column), "{m}");
    assert!(m.contains(message), "`{m}` should contain `{message}`");
}

fn with_stages(stages: &str) -> String {
    format!("{LANES}stages:\n{stages}")
}

#[test]
fn unknown_top_level_key() {
    one(&format!("{LANES}colour: red\nstages:\n  - id: x\n    title: X\n    lane: a\n"), "yaml", "colour", 8, 1);
}

#[test]
fn unknown_stage_key() {
    one(&with_stages("  - id: x\n    title: X\n    lane: a\n    colour: red\n"), "yaml", "colour", 12, 5);
}

#[test]
fn missing_stage_lane() {
    let found = errors(&with_stages("  - id: x\n    title: X\n"));
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].1.contains("lane"), "{found:?}");
    assert!(found[0].2 >= 9, "{found:?}");
}

#[test]
fn unknown_kind() {
    one(&with_stages("  - id: x\n    title: X\n    lane: a\n    kind: finish\n"), "yaml", "finish", 12, 11);
}

#[test]
fn unknown_direction() {
    one(&format!("direction: left\n{}", with_stages("  - id: x\n    title: X\n    lane: a\n")), "yaml", "left", 1, 12);
}

#[test]
fn unknown_icon() {
    one(&with_stages("  - id: x\n    title: X\n    lane: a\n    icon: rocket\n"), "yaml", "rocket", 12, 11);
}

#[test]
fn unknown_lane() {
    one(&with_stages("  - id: x\n    title: X\n    lane: c\n"), "process-ref", "unknown lane `c`", 11, 11);
}

#[test]
fn unknown_next_stage_suggests_the_nearest() {
    let text = with_stages("  - id: design\n    title: X\n    lane: a\n    next: [integratoin]\n  - id: integration\n    title: Y\n    lane: b\n");
    one(&text, "unknown-stage", "unknown stage `integratoin`", 12, 12);
    let problems = process::parse(&text, Path::new("diagrams/t.yaml")).unwrap_err();
    assert!(problems.iter().next().unwrap().hint.as_ref().unwrap().contains("did you mean `integration`"));
}

#[test]
fn next_lists_the_stage_itself() {
    one(&with_stages("  - id: x\n    title: X\n    lane: a\n    next: [x]\n"), "process-ref", "lists itself", 12, 12);
}

#[test]
fn next_lists_a_stage_twice() {
    let text =
        with_stages("  - id: x\n    title: X\n    lane: a\n    next: [y, y]\n  - id: y\n    title: Y\n    lane: a\n");
    one(&text, "process-ref", "listed twice", 12, 15);
}

#[test]
fn duplicate_stage_id() {
    let text = with_stages("  - id: x\n    title: X\n    lane: a\n  - id: x\n    title: Y\n    lane: a\n");
    one(&text, "process-duplicate", "duplicate stage id `x`", 12, 9);
}

#[test]
fn duplicate_lane_id() {
    let text = "id: t\ntitle: T\nlanes:\n  - id: a\n    title: A\n  - id: a\n    title: B\nstages:\n  - id: x\n    title: X\n    lane: a\n";
    one(text, "process-duplicate", "duplicate lane id `a`", 6, 9);
}

#[test]
fn duplicate_group_id() {
    let text = format!(
        "{}groups:\n  - id: g\n    title: G\n    stages: [x]\n  - id: g\n    title: H\n    stages: [y]\n",
        with_stages("  - id: x\n    title: X\n    lane: a\n  - id: y\n    title: Y\n    lane: a\n")
    );
    one(&text, "process-duplicate", "duplicate group id `g`", 19, 9);
}

#[test]
fn unknown_group_stage() {
    let text = format!(
        "{}groups:\n  - id: g\n    title: G\n    stages: [x, z]\n",
        with_stages("  - id: x\n    title: X\n    lane: a\n")
    );
    one(&text, "unknown-stage", "unknown stage `z`", 15, 17);
}

#[test]
fn stage_in_two_groups() {
    let text = format!(
        "{}groups:\n  - id: g\n    title: G\n    stages: [x]\n  - id: h\n    title: H\n    stages: [x]\n",
        with_stages("  - id: x\n    title: X\n    lane: a\n")
    );
    one(&text, "process-group", "already in group `g`", 18, 14);
}

#[test]
fn stage_twice_in_one_group() {
    let text = format!(
        "{}groups:\n  - id: g\n    title: G\n    stages: [x, x]\n",
        with_stages("  - id: x\n    title: X\n    lane: a\n")
    );
    one(&text, "process-group", "listed twice in group", 15, 17);
}

#[test]
fn empty_group() {
    let text = format!(
        "{}groups:\n  - id: g\n    title: G\n    stages: []\n",
        with_stages("  - id: x\n    title: X\n    lane: a\n")
    );
    one(&text, "process-group", "has no stages", 15, 13);
}

#[test]
fn invalid_id() {
    one(&with_stages("  - id: Explore It\n    title: X\n    lane: a\n"), "process-id", "not a valid id", 9, 9);
}

#[test]
fn id_differs_from_file_name() {
    let text = with_stages("  - id: x\n    title: X\n    lane: a\n").replacen("id: t\n", "id: booking\n", 1);
    one(&text, "process-id", "does not match its file name", 1, 5);
}

#[test]
fn empty_title() {
    one(&with_stages("  - id: x\n    title: \"\"\n    lane: a\n"), "process-text", "stage title is empty", 10, 12);
}

#[test]
fn no_lanes_and_no_stages() {
    let found = errors("id: t\ntitle: T\nlanes: []\nstages: []\n");
    let kinds: Vec<_> = found.iter().map(|f| (f.0, f.2, f.3)).collect();
    assert_eq!(kinds, [("process-lanes", 3, 8), ("process-stages", 4, 9)]);
}

#[test]
fn bad_links() {
    one(
        &with_stages("  - id: x\n    title: X\n    lane: a\n    link: \"page one.html\"\n"),
        "process-link",
        "spaces",
        12,
        11,
    );
    one(
        &with_stages("  - id: x\n    title: X\n    lane: a\n    link: \"javascript:alert(1)\"\n"),
        "process-link",
        "script",
        12,
        11,
    );
    one(
        &with_stages("  - id: x\n    title: X\n    lane: a\n    link: \"page.html#\"\n"),
        "process-link",
        "no anchor",
        12,
        11,
    );
}

#[test]
fn column_hint_too_large() {
    one(
        &with_stages("  - id: x\n    title: X\n    lane: a\n    column: 5000\n"),
        "process-column",
        "too large",
        12,
        13,
    );
}

#[test]
fn load_all_reports_each_file_and_keeps_the_good_ones() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("diagrams")).unwrap();
    std::fs::write(
        dir.path().join("diagrams/good.yaml"),
        "id: good\ntitle: G\nlanes:\n  - id: a\n    title: A\nstages:\n  - id: x\n    title: X\n    lane: a\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("diagrams/bad.yaml"),
        "id: bad\ntitle: B\nlanes:\n  - id: a\n    title: A\nstages:\n  - id: x\n    title: X\n    lane: q\n",
    )
    .unwrap();
    let (processes, problems) = process::load_all(dir.path());
    assert_eq!(processes.keys().collect::<Vec<_>>(), ["good"]);
    assert_eq!(processes["good"].source, Path::new("diagrams/good.yaml"));
    let found: Vec<String> = problems.iter().map(ToString::to_string).collect();
    assert_eq!(found, ["error[process-ref]: unknown lane `q` at diagrams/bad.yaml:9:11"]);
}

#[test]
fn the_bundled_processes_load() {
    let (processes, problems) = process::load_all(Path::new(env!("CARGO_MANIFEST_DIR")));
    assert!(problems.is_empty(), "{problems:?}");
    assert!(processes.contains_key("booking"));
}

#[test]
fn the_documented_example_is_valid() {
    let doc = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/process-format.md")).unwrap();
    let start = doc.find("```yaml\n").expect("a yaml example") + "```yaml\n".len();
    let example = &doc[start..start + doc[start..].find("```").unwrap()];
    let p = process::parse(example, Path::new("diagrams/booking.yaml")).unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!((p.lanes.len(), p.stages.len(), p.groups.len()), (2, 5, 1));
    let placed = process::place(&p);
    assert_eq!(placed.wrapper_id, "process-booking");
    let design = placed.stage_links.iter().find(|l| l.stage_id == "design").unwrap();
    assert_eq!(design.href, "#design-build-and-self-test");
    let line_of = |needle: &str| example.lines().position(|l| l.contains(needle)).unwrap() + 1;
    assert_eq!(
        (design.location.line, design.location.column),
        (line_of("- id: design"), 5),
        "a default link points at its stage"
    );
    let certificate = placed.stage_links.iter().find(|l| l.stage_id == "certificate").unwrap();
    assert_eq!((certificate.location.line, certificate.location.column), (line_of("link: scal.html"), 11));
}
