//! `signpost check` on a fixture with one planted problem of every kind: the exact
//! findings, in text and in JSON, and how `build` and site.yaml use the same checks.

use crate::common;

use common::Fixture;
use serde_json::Value;

/// (severity, kind, file, line, column) of every planted problem, in report order.
const PLANTED: &[(&str, &str, &str, usize, usize)] = &[
    ("error", "broken-sidebar-link", "content/_data/sidebars/main.yml", 18, 12),
    ("error", "broken-link", "content/guide.md", 7, 25),
    ("error", "broken-anchor", "content/guide.md", 9, 28),
    ("error", "broken-anchor", "content/guide.md", 9, 86),
    ("error", "missing-image", "content/guide.md", 11, 13),
    ("error", "missing-file", "content/guide.md", 13, 18),
    ("error", "duplicate-id", "content/guide.md", 19, 8),
    ("warning", "orphan-page", "content/orphan.md", 1, 1),
    ("error", "broken-stage-link", "diagrams/flow.yaml", 18, 11),
    ("error", "stage-without-section", "diagrams/flow.yaml", 20, 5),
    ("warning", "unplaced-process", "diagrams/spare.yaml", 1, 1),
];

/// The `severity[kind]` line and the `--> file:line:col` line after it, for each finding.
fn text_findings(stdout: &str) -> Vec<(String, String, String, usize, usize)> {
    let lines: Vec<&str> = stdout.lines().collect();
    let mut found = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let Some((severity, rest)) = line.split_once('[') else { continue };
        if !matches!(severity, "error" | "warning") {
            continue;
        }
        let kind = rest.split(']').next().unwrap().to_string();
        let arrow = lines[i + 1].trim().strip_prefix("--> ").expect("a location line");
        let mut parts = arrow.rsplitn(3, ':');
        let column = parts.next().unwrap().parse().unwrap();
        let line_no = parts.next().unwrap().parse().unwrap();
        found.push((severity.to_string(), kind, parts.next().unwrap().to_string(), line_no, column));
    }
    found
}

fn planted() -> Vec<(String, String, String, usize, usize)> {
    PLANTED.iter().map(|&(s, k, f, l, c)| (s.into(), k.into(), f.into(), l, c)).collect()
}

#[test]
fn text_report_has_every_planted_problem() {
    let site = Fixture::copy_of("check");
    let run = site.run(&["check"]);
    assert_eq!(run.status, 1, "{}{}", run.stdout, run.stderr);
    assert_eq!(text_findings(&run.stdout), planted(), "{}", run.stdout);
    assert_eq!(
        run.stdout.lines().last().unwrap(),
        "checked 6 pages and 67 links (0 external, not followed): 9 errors (broken-anchor: 2, broken-link: 1, \
         broken-sidebar-link: 1, broken-stage-link: 1, duplicate-id: 1, missing-file: 1, missing-image: 1, \
         stage-without-section: 1), 2 warnings (orphan-page: 1, unplaced-process: 1)"
    );
    assert!(!site.root.join("public").exists(), "check writes no output");
    // Nor a highlighting cache: check renders code plain, as code holds no links.
    assert!(!site.root.join(".signpost-cache").exists(), "check leaves the site as it found it");
}

#[test]
fn text_report_reads_like_a_compiler() {
    let site = Fixture::copy_of("check");
    let run = site.run(&["check"]);
    insta::assert_snapshot!("check_fixture_text", run.stdout);
}

#[test]
fn json_report_has_the_same_findings() {
    let site = Fixture::copy_of("check");
    let run = site.run(&["check", "--format", "json"]);
    assert_eq!(run.status, 1, "{}", run.stderr);
    let report: Value = serde_json::from_str(&run.stdout).expect("one JSON document");
    assert_eq!(report["version"], 1);
    let findings = report["findings"].as_array().unwrap();
    let got: Vec<_> = findings
        .iter()
        .map(|f| {
            (
                f["severity"].as_str().unwrap().to_string(),
                f["kind"].as_str().unwrap().to_string(),
                f["file"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap() as usize,
                f["column"].as_u64().unwrap() as usize,
            )
        })
        .collect();
    assert_eq!(got, planted());
    let by_target =
        |target: &str| findings.iter().find(|f| f["target"] == target).unwrap_or_else(|| panic!("{target}"));
    assert_eq!(by_target("setpu.html")["suggestion"], "setup.html");
    assert_eq!(by_target("overview.html#local-assurances")["suggestion"], "overview.html#local-assurance");
    assert_eq!(by_target("overview.html#local-assurances")["message"], "#local-assurances not found in overview.html");
    assert_eq!(by_target("overview.html#Design")["suggestion"], "overview.html#design");
    assert_eq!(by_target("files/term.pdf")["suggestion"], "files/terms.pdf");
    assert_eq!(by_target("img/flow.png")["suggestion"], Value::Null);
    assert_eq!(by_target("#sign-off")["kind"], "stage-without-section");
    assert_eq!(by_target("#sign-off")["page"], "assurance.html");
    let summary = &report["summary"];
    assert_eq!((summary["errors"].as_u64(), summary["warnings"].as_u64()), (Some(9), Some(2)));
    assert_eq!(summary["complete"], true);
    assert_eq!(summary["by_kind"]["broken-anchor"]["errors"], 2);
}

#[test]
fn build_runs_the_checks_and_keeps_the_previous_output() {
    let site = Fixture::copy_of("check");
    site.write("site.yaml", "title: Check fixture\nsidebar: main\ncheck:\n  broken-link: ignore\n  broken-anchor: ignore\n  broken-sidebar-link: ignore\n  broken-stage-link: ignore\n  missing-image: ignore\n  missing-file: ignore\n  duplicate-id: ignore\n  stage-without-section: ignore\n");
    let first = site.build();
    assert_eq!(first.status, 0, "{}", first.stderr);
    assert!(first.stdout.contains("2 warnings"), "orphans and unplaced processes warn: {}", first.stdout);
    let before = site.out("guide.html");

    site.remove("site.yaml");
    site.write("site.yaml", "title: Check fixture\nsidebar: main\n");
    site.write(
        "content/guide.md",
        &std::fs::read_to_string(site.root.join("content/guide.md")).unwrap().replace("## Links", "## Links again"),
    );
    let failed = site.build();
    assert_eq!(failed.status, 1, "{}", failed.stderr);
    assert!(
        failed.stderr.contains("error[broken-anchor]: #local-assurances not found in overview.html"),
        "{}",
        failed.stderr
    );
    assert!(failed.stderr.contains("Build failed: 9 errors, 2 warnings"), "{}", failed.stderr);
    assert_eq!(site.out("guide.html"), before, "a failed check leaves the previous output");

    let unchecked = site.run(&["build", "--no-check"]);
    assert_eq!(unchecked.status, 0, "{}", unchecked.stderr);
    assert!(site.out("guide.html").contains("Links again"));
}

#[test]
fn site_yaml_sets_the_level_of_each_kind() {
    let site = Fixture::copy_of("check");
    site.write(
        "site.yaml",
        "title: Check fixture\nsidebar: main\ncheck:\n  orphan-page: error\n  duplicate-id: ignore\n  broken-link: warning\n",
    );
    let run = site.run(&["check", "--format", "json"]);
    let report: Value = serde_json::from_str(&run.stdout).unwrap();
    let level = |kind: &str| -> Vec<String> {
        let found = report["findings"].as_array().unwrap().iter().filter(|f| f["kind"] == kind);
        found.map(|f| f["severity"].as_str().unwrap().to_string()).collect()
    };
    assert_eq!(level("orphan-page"), ["error"]);
    assert_eq!(level("duplicate-id"), Vec::<String>::new());
    assert_eq!(level("broken-link"), ["warning"]);
    assert_eq!(run.status, 1);
}

#[test]
fn a_misspelt_kind_in_site_yaml_is_an_error() {
    let site = Fixture::copy_of("check");
    site.write(
        "site.yaml",
        "title: Check fixture\nsidebar: main\ncheck:\n  orphan-pages: warning\n  broken-link: fatal\n",
    );
    let run = site.run(&["check"]);
    assert_eq!(run.status, 1);
    assert!(run.stdout.contains("error[config]: `check:` names no kind `orphan-pages`"), "{}", run.stdout);
    assert!(run.stdout.contains("--> site.yaml:4:3"), "{}", run.stdout);
    assert!(run.stdout.contains("did you mean `orphan-page`?"), "{}", run.stdout);
    assert!(
        run.stdout.contains("`check: broken-link` must be error, warning or ignore, not `fatal`"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("the site did not load, so its links were not checked"), "{}", run.stdout);
}

#[test]
fn an_edge_to_an_undefined_stage_stops_the_check_at_the_yaml() {
    let site = Fixture::copy_of("check");
    let flow = std::fs::read_to_string(site.root.join("diagrams/flow.yaml")).unwrap();
    site.write("diagrams/flow.yaml", &flow.replace("next: [review]", "next: [reveiw]"));
    let run = site.run(&["check", "--format", "json"]);
    assert_eq!(run.status, 1, "{}", run.stderr);
    let report: Value = serde_json::from_str(&run.stdout).unwrap();
    let f = &report["findings"][0];
    assert_eq!(
        (f["kind"].as_str(), f["file"].as_str(), f["line"].as_u64(), f["column"].as_u64()),
        (Some("unknown-stage"), Some("diagrams/flow.yaml"), Some(14), Some(12))
    );
    assert!(f["hint"].as_str().unwrap().contains("did you mean `review`?"), "{f}");
    assert_eq!(report["summary"]["complete"], false);
}

#[test]
fn usage_and_io_problems_exit_2() {
    let site = Fixture::copy_of("check");
    let external = site.run(&["check", "--external"]);
    assert_eq!(external.status, 2);
    assert!(external.stderr.contains("--external is not implemented yet"), "{}", external.stderr);
    let empty = Fixture::empty();
    let run = empty.run(&["check"]);
    assert_eq!(run.status, 2, "{}", run.stdout);
    assert!(run.stdout.contains("error[io]"), "{}", run.stdout);
    assert_eq!(site.run(&["check", "--format", "xml"]).status, 2);
}
