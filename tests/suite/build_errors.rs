//! Every error a user can cause: the message, file, line and column, the exit status,
//! and the previous output left intact.

use crate::common;

use common::Fixture;

/// Builds once cleanly, breaks the site with `change`, builds again and returns stderr.
fn broken_build(change: impl FnOnce(&Fixture), status: i32) -> (Fixture, String) {
    let site = Fixture::copy_of("basic");
    assert_eq!(site.build().status, 0);
    let before = site.out("overview.html");
    change(&site);
    let run = site.build();
    assert_eq!(run.status, status, "stdout: {}\nstderr: {}", run.stdout, run.stderr);
    assert_eq!(site.out("overview.html"), before, "the previous output is intact");
    assert!(run.stderr.contains("the previous output is unchanged"), "{}", run.stderr);
    let leftovers: Vec<_> = std::fs::read_dir(&site.root)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with(".public"))
        .collect();
    assert!(leftovers.is_empty(), "temporary output folders are removed");
    (site, run.stderr)
}

fn assert_at(stderr: &str, place: &str) {
    assert!(stderr.contains(&format!("--> {place}")), "expected --> {place} in:\n{stderr}");
}

#[test]
fn unknown_site_yaml_key() {
    let (_, err) = broken_build(
        |s| {
            s.write("site.yaml", "title: Fixture portal\nsidebar: guide_sidebar\ncolour: blue\n");
        },
        1,
    );
    assert!(err.contains("error[yaml]") && err.contains("colour"), "{err}");
    assert_at(&err, "site.yaml:3:1");
}

#[test]
fn front_matter_syntax_error() {
    let (_, err) = broken_build(
        |s| {
            s.write("content/bad.md", "---\ntitle: Bad\ntags: [a, b\n---\nbody\n");
        },
        1,
    );
    assert!(err.contains("error[yaml]"), "{err}");
    assert!(err.contains("--> content/bad.md:"), "{err}");
    assert!(err.contains("front matter is YAML"), "the hint says what to do: {err}");
}

#[test]
fn missing_title() {
    let (_, err) = broken_build(
        |s| {
            s.write("content/untitled.md", "---\nsummary: no title\n---\nbody\n");
        },
        1,
    );
    assert!(err.contains("the page has no `title`"), "{err}");
    assert_at(&err, "content/untitled.md:1:1");
}

#[test]
fn front_matter_value_of_the_wrong_type() {
    let (_, err) = broken_build(
        |s| {
            s.write("content/typed.md", "---\ntitle: T\ntoc: sometimes\n---\nbody\n");
        },
        1,
    );
    assert!(err.contains("`toc` should be true or false"), "{err}");
    assert_at(&err, "content/typed.md:3:6");
}

#[test]
fn duplicate_permalink_names_both_files() {
    let (_, err) = broken_build(
        |s| {
            s.write("content/copy.md", "---\ntitle: Copy\npermalink: /overview.html\n---\nbody\n");
        },
        1,
    );
    assert!(err.contains("error[duplicate-permalink]"), "{err}");
    assert!(err.contains("content/copy.md") && err.contains("content/overview.md"), "{err}");
    assert!(err.contains("content/copy.md:3:12") || err.contains("content/overview.md:6:12"), "{err}");
}

#[test]
fn permalink_that_climbs_out() {
    let (_, err) = broken_build(
        |s| {
            s.write("content/climb.md", "---\ntitle: Climb\npermalink: a/../../x.html\n---\nbody\n");
        },
        1,
    );
    assert!(err.contains("climbs out of the output folder"), "{err}");
    assert_at(&err, "content/climb.md:3:12");
}

#[test]
fn permalink_with_a_backslash() {
    let (_, err) = broken_build(
        |s| {
            s.write("content/bs.md", "---\ntitle: Back\npermalink: 'a\\b.html'\n---\nbody\n");
        },
        1,
    );
    assert!(err.contains("holds a backslash"), "{err}");
    assert_at(&err, "content/bs.md:3:12");
}

#[test]
fn unknown_include_names_the_include_and_folder() {
    let (_, err) = broken_build(
        |s| {
            s.write("content/inc.md", "---\ntitle: Inc\n---\n\nText\n\n  {% include nonesuch.html x=\"1\" %}\n");
        },
        1,
    );
    assert!(err.contains("error[unknown-include]: no include named `nonesuch.html`"), "{err}");
    assert!(err.contains("themes/default/includes"), "names the folder searched: {err}");
    assert_at(&err, "content/inc.md:7:3");
}

#[test]
fn unclosed_raw_tag() {
    let (_, err) = broken_build(
        |s| {
            s.write("content/raw.md", "---\ntitle: Raw\n---\nline\n{% raw %} never closed\n");
        },
        1,
    );
    assert!(err.contains("has no `{% endraw %}`"), "{err}");
    assert_at(&err, "content/raw.md:5:1");
}

#[test]
fn template_syntax_error() {
    let (_, err) = broken_build(
        |s| {
            s.write("site.yaml", "title: Fixture portal\nsidebar: guide_sidebar\ntheme: broken\n");
            s.write("themes/broken/templates/page.html", "<html>\n<body>{{ page.title </body>\n");
        },
        1,
    );
    assert!(err.contains("error[template]"), "{err}");
    assert_at(&err, "themes/broken/templates/page.html:2:");
}

#[test]
fn invalid_utf8() {
    let (_, err) = broken_build(
        |s| {
            std::fs::write(s.root.join("content/latin1.md"), b"---\ntitle: T\n---\ncaf\xe9\n").unwrap();
        },
        1,
    );
    assert!(err.contains("not valid UTF-8"), "{err}");
    assert_at(&err, "content/latin1.md:4:4");
}

#[test]
fn all_errors_are_reported_not_just_the_first() {
    let (_, err) = broken_build(
        |s| {
            s.write("content/one.md", "---\nsummary: x\n---\n");
            s.write("content/two.md", "---\ntitle: Two\npermalink: ../two.html\n---\n");
        },
        1,
    );
    assert!(err.contains("content/one.md") && err.contains("content/two.md"), "{err}");
    assert!(err.contains("Build failed: 2 errors"), "{err}");
}

#[test]
fn missing_site_yaml_is_a_usage_error() {
    let site = Fixture::empty();
    let run = site.build();
    assert_eq!(run.status, 2, "{}", run.stderr);
    assert!(run.stderr.contains("site.yaml") && run.stderr.contains("signpost new"), "{}", run.stderr);
}

#[test]
fn unknown_service_is_a_usage_error() {
    let site = Fixture::copy_of("basic");
    let run = site.run(&["build", "--service", "nope"]);
    assert_eq!(run.status, 2, "{}", run.stderr);
    assert!(run.stderr.contains("no service `nope`"), "{}", run.stderr);
}

#[test]
fn bad_command_line_is_a_usage_error() {
    let site = Fixture::copy_of("basic");
    assert_eq!(site.run(&["build", "--no-such-flag"]).status, 2);
}

#[test]
fn missing_sidebar_is_a_warning_and_the_page_still_builds() {
    let site = Fixture::copy_of("basic");
    site.write("content/lonely.md", "---\ntitle: Lonely\nsidebar: nowhere_sidebar\n---\nText\n");
    let run = site.build();
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(run.stderr.contains("warning[missing-sidebar]"), "{}", run.stderr);
    assert_at(&run.stderr, "content/lonely.md:3:10");
    assert!(run.stdout.contains("warning"), "{}", run.stdout);
    assert!(site.out_exists("lonely.html"));
}

#[test]
fn an_output_folder_over_the_sources_is_refused_and_nothing_is_lost() {
    for out in [".", "content", "content/guide", "themes", "..", "diagrams/out"] {
        let site = Fixture::copy_of("basic");
        let before = common::tree(&site.root.join("content"));
        let run = site.run(&["build", "--out", out]);
        assert_eq!(run.status, 2, "--out {out}: {}", run.stderr);
        assert!(run.stderr.contains("will not write the site into"), "--out {out}: {}", run.stderr);
        assert_eq!(common::tree(&site.root.join("content")), before, "--out {out} left the sources alone");
        assert!(site.root.join("site.yaml").exists());
    }
    let site = Fixture::copy_of("basic");
    assert_eq!(site.run(&["build", "--out", "elsewhere/public"]).status, 0, "a folder of its own is fine");
}

#[test]
fn a_template_extending_a_missing_parent_names_its_extends_line() {
    let (_, err) = broken_build(
        |s| {
            s.write("site.yaml", "title: Fixture portal\nsidebar: guide_sidebar\ntheme: broken\n");
            s.write("themes/broken/templates/page.html", "{# a page #}\n{% extends \"nobase.html\" %}\n");
        },
        1,
    );
    assert!(err.contains("nobase.html"), "{err}");
    assert_at(&err, "themes/broken/templates/page.html:2:4");
}
