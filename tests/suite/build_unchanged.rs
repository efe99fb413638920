//! A build when nothing has changed: it writes nothing, says so, and reports what the last
//! build reported; any change to what a build reads, to its options or to the output
//! folder itself makes it build again.

use std::path::Path;
use std::time::SystemTime;

use crate::common::{tree, Fixture};

/// Every file of the output with its modification time: what an unchanged build must leave.
fn stamps(out: &Path) -> Vec<(String, SystemTime)> {
    walkdir::WalkDir::new(out)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| (e.path().strip_prefix(out).unwrap().display().to_string(), e.metadata().unwrap().modified().unwrap()))
        .collect()
}

fn built(site: &Fixture) -> bool {
    let run = site.build();
    assert_eq!(run.status, 0, "{}", run.stderr);
    run.stdout.starts_with("Built ")
}

#[test]
fn a_second_build_of_an_unchanged_site_writes_nothing_and_says_so() {
    let site = Fixture::copy_of("basic");
    assert!(built(&site));
    let out = site.root.join("public");
    let before = stamps(&out);
    let run = site.build();
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(run.stdout.starts_with("Nothing changed since the last build:"), "{}", run.stdout);
    assert!(run.stdout.contains("is up to date (3 pages,"), "{}", run.stdout);
    assert_eq!(stamps(&out), before, "no file of the output was written again");

    // What it left is what a build from scratch writes.
    let kept = tree(&out);
    let forced = site.run(&["build", "--force"]);
    assert!(forced.stdout.starts_with("Built 3 pages"), "{}", forced.stdout);
    assert_eq!(tree(&out), kept);
}

#[test]
fn an_edit_to_any_source_is_built_even_at_the_same_size_and_instant() {
    let site = Fixture::copy_of("basic");
    assert!(built(&site));
    // Same length, written at once after the build: a modification time alone could
    // not tell these apart.
    let page = std::fs::read_to_string(site.root.join("content/overview.md")).unwrap();
    let edited = page.replacen("Overview", "Ovxrview", 1);
    assert_eq!(edited.len(), page.len());
    site.write("content/overview.md", &edited);
    assert!(built(&site), "a page edit");
    assert!(site.out("overview.html").contains("Ovxrview"));
    assert!(!built(&site));

    for (file, text) in [
        ("content/new-page.md", "---\ntitle: New page\n---\nLinked from nowhere.\n"),
        ("_includes/note.html", "<p>a site include</p>\n"),
        ("diagrams/flow.yaml", "id: flow\ntitle: Flow\nlanes:\n  - id: team\n    title: Team\nstages:\n  - id: only\n    title: Only\n    lane: team\n"),
        ("themes/other/templates/page.html", "a theme the site does not use\n"),
    ] {
        site.write(file, text);
        let run = site.build();
        assert!(run.stdout.starts_with("Built "), "{file}: {}{}", run.stdout, run.stderr);
        assert!(!site.build().stdout.starts_with("Built "), "{file}, built once, is then up to date");
    }
    let site_yaml = std::fs::read_to_string(site.root.join("site.yaml")).unwrap();
    site.write("site.yaml", &format!("{site_yaml}\n# a comment\n"));
    assert!(built(&site), "site.yaml");
}

#[test]
fn files_beside_the_sources_change_nothing() {
    let site = Fixture::copy_of("basic");
    assert!(built(&site));
    site.write("README.md", "notes for the team\n");
    site.write("scripts/deploy.sh", "echo\n");
    site.write(".git/HEAD", "ref: refs/heads/main\n");
    assert!(!built(&site));
}

#[test]
fn other_options_or_another_folder_build_again() {
    let site = Fixture::copy_of("basic");
    assert!(built(&site));
    let run = site.run(&["build", "--no-search"]);
    assert!(run.stdout.starts_with("Built "), "{}", run.stdout);
    assert!(!site.out_exists("search-index"), "the folder is the --no-search build's");
    let run = site.run(&["build", "--no-search"]);
    assert!(run.stdout.starts_with("Nothing changed"), "{}", run.stdout);
    assert!(built(&site), "back to the default");
    assert!(site.out_exists("search-index"));

    let run = site.run(&["build", "--out", "elsewhere"]);
    assert!(run.stdout.starts_with("Built "), "{}", run.stdout);
    assert!(site.run(&["build", "--out", "elsewhere"]).stdout.starts_with("Nothing changed"));
    assert!(!built(&site), "each folder keeps its own record");
}

#[test]
fn an_output_file_deleted_or_edited_is_written_again() {
    let site = Fixture::copy_of("basic");
    assert!(built(&site));
    let out = site.root.join("public");
    let whole = tree(&out);
    std::fs::remove_file(out.join("guide/setup.html")).unwrap();
    assert!(built(&site), "a deleted page");
    assert_eq!(tree(&out), whole);

    std::fs::write(out.join("overview.html"), "tampered").unwrap();
    assert!(built(&site), "an edited page");
    assert_eq!(tree(&out), whole);

    std::fs::write(out.join("extra.html"), "not ours").unwrap();
    assert!(built(&site), "a file added to the output");
    assert_eq!(tree(&out), whole);
}

#[test]
fn an_unchanged_build_reports_the_warnings_and_pages_again() {
    let site = Fixture::copy_of("basic");
    // A page no link reaches is a warning.
    site.write("content/orphan.md", "---\ntitle: Orphan\n---\nNothing links here.\n");
    let first = site.run(&["build", "--verbose"]);
    assert_eq!(first.status, 0, "{}", first.stderr);
    assert!(first.stderr.contains("warning[orphan-page]"), "{}", first.stderr);
    let again = site.run(&["build", "--verbose"]);
    assert!(again.stdout.contains("Nothing changed"), "{}", again.stdout);
    assert_eq!(again.stderr, first.stderr, "the same warnings, rendered the same way");
    assert!(again.stdout.contains("orphan.html <- content/orphan.md"), "{}", again.stdout);
    assert!(again.stdout.trim_end().ends_with("s), 1 warning"), "{}", again.stdout);
}

#[test]
fn after_a_failed_build_the_kept_output_is_still_known() {
    let site = Fixture::copy_of("basic");
    assert!(built(&site));
    let page = std::fs::read_to_string(site.root.join("content/overview.md")).unwrap();
    site.write("content/overview.md", &format!("{page}\n[broken](missing.html)\n"));
    let failed = site.build();
    assert_eq!(failed.status, 1, "{}", failed.stdout);
    // Put back, the site is what the output folder was built from.
    site.write("content/overview.md", &page);
    assert!(!built(&site));
}

#[test]
fn the_site_named_from_another_folder_is_the_same_build() {
    let site = Fixture::copy_of("basic");
    assert!(built(&site), "from the site's folder, with no --root");
    let parent = site.root.parent().unwrap();
    let name = site.root.file_name().unwrap().to_str().unwrap();
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_signpost"))
        .args(["build", "--root", name])
        .current_dir(parent)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(stdout.starts_with("Nothing changed"), "--root from beside it: {stdout}");
}
