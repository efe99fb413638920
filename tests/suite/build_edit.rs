//! A build after an edit to the bodies of pages: it renders those pages again, rewrites
//! only the files whose bytes changed, and leaves the folder exactly as a whole build
//! would, with the same report. Any other change builds the whole site.

use crate::common::{tree, Fixture, Run};

/// Builds with `args`, and then again with `--force` into a second folder: the two must
/// hold the same files and report the same warnings. Returns the first run.
fn build_as_whole(site: &Fixture, args: &[&str]) -> Run {
    let run = site.run(&[&["build"], args].concat());
    assert_eq!(run.status, 0, "{}{}", run.stdout, run.stderr);
    let whole = site.run(&[&["build", "--force", "--out", "whole"], args].concat());
    assert_eq!(whole.status, 0, "{}", whole.stderr);
    assert_eq!(tree(&site.root.join("public")), tree(&site.root.join("whole")), "the folder is a whole build's");
    assert_eq!(run.stderr, whole.stderr, "the same warnings");
    run
}

fn again(run: &Run) -> bool {
    run.stdout.contains("rendered again")
}

#[test]
fn an_edited_body_renders_one_page_and_the_folder_is_a_whole_builds() {
    for args in [&[][..], &["--no-search"][..]] {
        let site = Fixture::copy_of("basic");
        // A page no link reaches: its warning is kept through builds that do not render it.
        site.write("content/orphan.md", "---\ntitle: Orphan\n---\nNothing links here.\n");
        assert!(!again(&build_as_whole(&site, args)), "the first build is a whole one");
        let page = std::fs::read_to_string(site.root.join("content/guide/setup.md")).unwrap();
        // A new section, a link to an anchor of another page, and a word to search for.
        let edited =
            format!("{page}\n## Renew a certificate\n\nSee [the format](../overview.html#34-format): zanzibar.\n");
        site.write("content/guide/setup.md", &edited);
        let run = build_as_whole(&site, args);
        assert!(run.stdout.contains("(1 page rendered again, "), "{args:?}: {}", run.stdout);
        assert!(run.stderr.contains("warning[orphan-page]"), "{}", run.stderr);
        assert!(site.out("guide/setup.html").contains("id=\"renew-a-certificate\""));
        assert!(site.run(&[&["build"], args].concat()).stdout.starts_with("Nothing changed"), "then up to date");

        // The other page's anchor is checked from what the first build recorded of it.
        site.write("content/guide/setup.md", &format!("{page}\nSee [nothing](../overview.html#no-such-part).\n"));
        let failed = site.run(&[&["build"], args].concat());
        assert_eq!(failed.status, 1, "{}", failed.stdout);
        assert!(failed.stderr.contains("no-such-part"), "{}", failed.stderr);
        assert!(site.out("guide/setup.html").contains("id=\"renew-a-certificate\""), "the output is kept");
        site.write("content/guide/setup.md", &page);
        assert!(again(&build_as_whole(&site, args)), "{args:?}: back to the first text");
    }
}

#[test]
fn an_edit_is_checked_against_the_pages_not_rendered_again() {
    let site = Fixture::copy_of("basic");
    site.write("content/extra.md", "---\ntitle: Extra\n---\nOnly the home page links here.\n");
    let home = std::fs::read_to_string(site.root.join("content/index.md")).unwrap();
    site.write("content/index.md", &format!("{home}\nAlso [extra](extra.html).\n"));
    build_as_whole(&site, &[]);

    // A heading gone from one page breaks the link another page has to it.
    let overview = std::fs::read_to_string(site.root.join("content/overview.md")).unwrap();
    site.write("content/overview.md", &overview.replace("## Design, build and self test", "## Design and build"));
    let failed = site.run(&["build"]);
    assert_eq!(failed.status, 1, "{}", failed.stdout);
    assert!(failed.stderr.contains("content/index.md:8:"), "{}", failed.stderr);
    let whole = site.run(&["build", "--force", "--out", "whole"]);
    assert_eq!(failed.stderr, whole.stderr, "as a whole build reports it");
    site.write("content/overview.md", &overview);
    build_as_whole(&site, &[]);

    // The only link to a page removed: it is an orphan, found by the edit build.
    site.write("content/index.md", &home);
    let run = build_as_whole(&site, &[]);
    assert!(again(&run), "{}", run.stdout);
    assert!(run.stderr.contains("warning[orphan-page]") && run.stderr.contains("extra"), "{}", run.stderr);
    // And linked again: the warning goes.
    site.write("content/index.md", &format!("{home}\nAlso [extra](extra.html).\n"));
    let run = build_as_whole(&site, &[]);
    assert!(again(&run) && !run.stderr.contains("orphan-page"), "{}{}", run.stdout, run.stderr);
}

#[test]
fn the_search_index_finds_the_edited_words_and_loses_the_removed_ones() {
    let site = Fixture::copy_of("basic");
    build_as_whole(&site, &[]);
    let index = |site: &Fixture| tree(&site.root.join("public/search-index"));
    let before = index(&site);
    let page = std::fs::read_to_string(site.root.join("content/guide/setup.md")).unwrap();
    site.write("content/guide/setup.md", &format!("{page}\nQuixotic zeppelins.\n"));
    assert!(again(&build_as_whole(&site, &[])));
    let words: String = index(&site)
        .iter()
        .filter(|(p, _)| p.starts_with("words/"))
        .map(|(_, t)| String::from_utf8_lossy(t).into_owned())
        .collect();
    assert!(words.contains("\"quixotic\"") && words.contains("zeppelin"), "{words}");
    site.write("content/guide/setup.md", &page);
    assert!(again(&build_as_whole(&site, &[])));
    assert_eq!(index(&site), before, "as it was before the words were added");
}

#[test]
fn front_matter_new_pages_and_other_files_build_the_whole_site() {
    let site = Fixture::copy_of("basic");
    build_as_whole(&site, &[]);
    let page = std::fs::read_to_string(site.root.join("content/guide/setup.md")).unwrap();
    // The title is listed on tag pages and in the sidebar of others.
    site.write("content/guide/setup.md", &page.replacen("title: Set up", "title: Set it up", 1));
    assert!(!again(&build_as_whole(&site, &[])), "front matter");
    site.write("content/guide/renew.md", "---\ntitle: Renew\n---\nRenewing.\n");
    assert!(!again(&build_as_whole(&site, &[])), "a new page");
    std::fs::remove_file(site.root.join("content/guide/renew.md")).unwrap();
    assert!(!again(&build_as_whole(&site, &[])), "a page removed");
    site.write("content/_data/sidebars/guide_sidebar.yml", "entries: []\n");
    let run = site.run(&["build"]);
    assert!(!again(&run), "a sidebar: {}{}", run.stdout, run.stderr);
}

#[test]
fn a_page_splicing_an_edited_page_renders_again() {
    let site = Fixture::copy_of("basic");
    site.write("content/parts/steps.md", "---\ntitle: Steps\n---\nFirst step.\n");
    site.write("content/spliced.md", "---\ntitle: Spliced\n---\n{% include_relative parts/steps.md %}\n");
    build_as_whole(&site, &[]);
    site.write("content/parts/steps.md", "---\ntitle: Steps\n---\nSecond step.\n");
    let run = build_as_whole(&site, &[]);
    assert!(run.stdout.contains("(2 pages rendered again, "), "{}", run.stdout);
    assert!(site.out("spliced.html").contains("Second step."));
}

#[test]
fn a_damaged_record_of_the_last_build_means_a_whole_build() {
    let site = Fixture::copy_of("basic");
    build_as_whole(&site, &[]);
    let builds = site.root.join(".signpost-cache/builds");
    // One byte changed in the middle of each state (this folder's and the whole build's).
    for entry in std::fs::read_dir(&builds).unwrap() {
        let state = entry.unwrap().path();
        if state.extension().is_some_and(|e| e == "state") {
            let mut bytes = std::fs::read(&state).unwrap();
            let middle = bytes.len() / 2;
            bytes[middle] ^= 0x55;
            std::fs::write(&state, bytes).unwrap();
        }
    }
    let page = std::fs::read_to_string(site.root.join("content/guide/setup.md")).unwrap();
    site.write("content/guide/setup.md", &format!("{page}\nOne more line.\n"));
    assert!(!again(&build_as_whole(&site, &[])), "a whole build");
    site.write("content/guide/setup.md", &page);
    assert!(again(&build_as_whole(&site, &[])), "and the next edit is one again");

    // The documents the index is made from, cut short.
    for entry in std::fs::read_dir(&builds).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "documents") {
            let len = std::fs::metadata(&path).unwrap().len();
            std::fs::OpenOptions::new().write(true).open(&path).unwrap().set_len(len / 2).unwrap();
        }
    }
    site.write("content/guide/setup.md", &format!("{page}\nOne more line.\n"));
    assert!(!again(&build_as_whole(&site, &[])), "a whole build");
}

#[test]
fn pages_loaded_from_the_last_build_are_those_loading_gives() {
    // Services, a shared page with service values in its title, a service's own page
    // replacing the shared one, and a key written twice (a warning of loading).
    let site = Fixture::copy_of("services");
    let guide = std::fs::read_to_string(site.root.join("content/beta/guide.md")).unwrap();
    site.write("content/beta/guide.md", &guide.replacen("---\n", "---\nowner: one\nowner: two\n", 1));
    let first = build_as_whole(&site, &[]);
    assert!(first.stderr.contains("warning[duplicate-key]"), "{}", first.stderr);
    let index = std::fs::read_to_string(site.root.join("content/index.md")).unwrap();
    site.write("content/index.md", &format!("{index}\nOne more line on the portal's front page.\n"));
    let run = build_as_whole(&site, &[]);
    assert!(run.stdout.contains("(1 page rendered again, "), "{}", run.stdout);
    assert!(run.stderr.contains("warning[duplicate-key]"), "the warning of a page not read again: {}", run.stderr);
    assert!(site.out("beta/principles.html").contains("Principles for"), "shared pages as before");
}

#[test]
fn an_output_folder_removed_or_replaced_means_a_whole_build() {
    let site = Fixture::copy_of("basic");
    build_as_whole(&site, &[]);
    let page = std::fs::read_to_string(site.root.join("content/guide/setup.md")).unwrap();
    let public = site.root.join("public");

    // Removed: the edit is built whole, every file back.
    std::fs::remove_dir_all(&public).unwrap();
    site.write("content/guide/setup.md", &format!("{page}\nOne more line.\n"));
    assert!(!again(&build_as_whole(&site, &[])), "a whole build");
    assert!(site.out("guide/setup.html").contains("One more line."));

    // Replaced by another build's folder (the `--force` one, same files but a marker
    // written at another time): whole again, then edits build as edits once more.
    std::fs::remove_dir_all(&public).unwrap();
    std::fs::rename(site.root.join("whole"), &public).unwrap();
    site.write("content/guide/setup.md", &page);
    assert!(!again(&build_as_whole(&site, &[])), "a whole build");
    site.write("content/guide/setup.md", &format!("{page}\nAnother line.\n"));
    assert!(again(&build_as_whole(&site, &[])), "and the next edit is one again");
}
