//! `signpost check` on links that look tricky but work, and on the bundled portal.

use crate::common;

use std::path::Path;

use common::{copy_tree, Fixture};

#[test]
fn tricky_links_that_work_check_clean() {
    // Root-relative links through base_url, folder indexes, percent-encoded and
    // mixed-case anchors, query strings, #top, mailto:/tel:, and links inside code. Each page also
    // links the theme's three scripts (signpost.js, diagram.js, search.js).
    let site = Fixture::copy_of("check_clean");
    let run = site.run(&["check"]);
    assert_eq!(run.status, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(run.stdout, "checked 4 pages and 48 links (4 external, not followed): no problems\n");
    assert!(site.run(&["check", "--quiet"]).stdout.is_empty(), "quiet when clean");
}

#[test]
fn anchors_are_case_sensitive() {
    let site = Fixture::copy_of("check_clean");
    let home = std::fs::read_to_string(site.root.join("content/svc/index.md")).unwrap();
    site.write("content/svc/index.md", &home.replace("#MixedCase", "#mixedcase"));
    let run = site.run(&["check"]);
    assert_eq!(run.status, 1, "{}", run.stdout);
    assert!(run.stdout.contains("error[broken-anchor]: #mixedcase not found in svc/reference.html"), "{}", run.stdout);
    assert!(run.stdout.contains("--> content/svc/index.md:6:42"), "{}", run.stdout);
    assert!(run.stdout.contains("anchors are case-sensitive: did you mean #MixedCase?"), "{}", run.stdout);
}

#[test]
fn links_in_kramdown_tables_are_reported_where_they_are_written() {
    // This table is rewritten before parsing (its separator lines dropped, an empty header
    // added); a broken link in it must still name its own line and column.
    let site = Fixture::copy_of("check_clean");
    site.write(
        "content/svc/extra.md",
        "---\ntitle: Extra\n---\n\n|---|---|\n| a | [gone](gone.html) |\n| b | c |\n|---|---|\n| d | [lost](lost.html) |\n",
    );
    let run = site.run(&["check"]);
    assert_eq!(run.status, 1, "{}", run.stdout);
    assert!(run.stdout.contains("--> content/svc/extra.md:6:14"), "{}", run.stdout);
    assert!(run.stdout.contains("--> content/svc/extra.md:9:14"), "{}", run.stdout);
}

#[test]
fn root_relative_links_are_checked_where_they_lead() {
    // In a service, `/x.html` is the service's x.html: the hint says where it led.
    let site = Fixture::copy_of("check_clean");
    site.write(
        "content/svc/extra.md",
        "---\ntitle: Extra\n---\n\nSee [the portal home](/index.html) and [the glossary](/glossary.html).\n",
    );
    let run = site.run(&["check", "--format", "json"]);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let findings = report["findings"].as_array().unwrap();
    let glossary = findings.iter().find(|f| f["target"] == "/glossary.html").expect("glossary");
    assert_eq!(glossary["kind"], "broken-link");
    assert!(glossary["hint"].as_str().unwrap().contains("here it leads to /portal/svc/glossary.html"), "{glossary}");
    let orphan = findings.iter().find(|f| f["kind"] == "orphan-page").expect("extra.md is linked from nowhere");
    assert_eq!(orphan["file"], "content/svc/extra.md");
}

#[test]
fn a_service_built_alone_reports_links_that_leave_it() {
    let site = Fixture::copy_of("check_clean");
    let run = site.run(&["check", "--service", "svc", "--format", "json"]);
    assert_eq!(run.status, 1);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let got: Vec<(String, String)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["kind"].as_str().unwrap().into(), f["target"].as_str().unwrap().into()))
        .collect();
    assert_eq!(
        got,
        [("missing-image".to_string(), "../../img/pixel.png".to_string()), ("broken-link".into(), "../".into())]
    );
}

#[test]
fn the_bundled_portal_checks_clean() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let site = Fixture::empty();
    std::fs::copy(repo.join("site.yaml"), site.root.join("site.yaml")).unwrap();
    for dir in ["content", "diagrams", "themes"] {
        if repo.join(dir).is_dir() {
            copy_tree(&repo.join(dir), &site.root.join(dir));
        }
    }
    let run = site.run(&["check"]);
    assert_eq!(run.status, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.ends_with(": no problems\n"), "{}", run.stdout);
}

/// Copies the default theme into `site`, to be edited there: the path of its template
/// `name` and the template's text.
fn own_default_template(site: &Fixture, name: &str) -> (std::path::PathBuf, String) {
    copy_tree(&Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default"), &site.root.join("themes/default"));
    let path = site.root.join("themes/default/templates").join(name);
    let text = std::fs::read_to_string(&path).unwrap();
    (path, text)
}

#[test]
fn a_broken_link_in_a_template_is_reported_once_at_the_template_line() {
    let site = Fixture::copy_of("check_clean");
    let (base, text) = own_default_template(&site, "base.html");
    let marker = "<nav class=\"sp-footer-links\" aria-label=\"Site\">\n";
    assert!(text.contains(marker), "the default theme's footer");
    let line = text[..text.find(marker).unwrap()].lines().count() + 2;
    std::fs::write(
        &base,
        text.replacen(marker, &format!("{marker}<a href=\"{{{{ site.base_url }}}}contact.html\">Contact</a>\n"), 1),
    )
    .unwrap();

    let run = site.run(&["check", "--format", "json"]);
    assert_eq!(run.status, 1, "{}{}", run.stdout, run.stderr);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let findings = report["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "one finding for the template, not one per page: {findings:#?}");
    let f = &findings[0];
    assert_eq!(f["kind"], "broken-link");
    assert_eq!(f["file"], "themes/default/templates/base.html");
    assert_eq!((f["line"].as_u64().unwrap() as usize, f["column"].as_u64().unwrap()), (line, 10));
    assert_eq!(f["target"], "/portal/contact.html", "as the page links it, under base_url");

    // The theme's own links (stylesheet, skip link to #sp-main, home, tags) all resolve.
    std::fs::write(&base, text).unwrap();
    let run = site.run(&["check"]);
    assert_eq!(run.status, 0, "{}{}", run.stdout, run.stderr);
}

#[test]
fn nothing_inside_an_html_comment_is_a_link_or_an_anchor() {
    // A raw HTML comment over several lines, and an include inside a comment, hold links
    // and ids a reader never sees: Jekyll's output has them only inside `<!-- -->`.
    let site = Fixture::copy_of("check_clean");
    site.write("_includes/old-links.html", "<a href=\"retired.html\">Retired</a> <span id=\"old\"></span>\n");
    site.write(
        "content/svc/commented.md",
        "---\ntitle: Commented\n---\n\nText.\n\n<!--\n<a href=\"gone.html\">gone</a>\n<p id=\"dup\">x</p>\n-->\n\n<!-- {% include old-links.html %} -->\n\n[back](#old)\n",
    );
    let run = site.run(&["check"]);
    assert_eq!(run.status, 1, "the link to #old is broken: its id is inside a comment\n{}", run.stdout);
    assert!(!run.stdout.contains("gone.html"), "{}", run.stdout);
    assert!(!run.stdout.contains("retired.html"), "{}", run.stdout);
    assert!(run.stdout.contains("#old not found"), "{}", run.stdout);
}

#[test]
fn a_layout_that_filters_the_content_is_checked_as_it_is_built() {
    // The content is no longer one piece of the page: the page is scanned whole, and each
    // link and id of the content counts once, not again as the layout's.
    let site = Fixture::copy_of("check_clean");
    let (page, text) = own_default_template(&site, "page.html");
    assert!(text.contains("{{ page.content | safe }}"), "the default theme writes the content whole");
    let filtered = "{{ page.content | replace(from=\"<p>\", to=\"<p class=\\\"x\\\">\") | safe }}";
    std::fs::write(&page, text.replace("{{ page.content | safe }}", filtered)).unwrap();
    let run = site.run(&["check"]);
    assert_eq!(run.status, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(run.stdout, "checked 4 pages and 48 links (4 external, not followed): no problems\n");
    let run = site.run(&["build"]);
    assert_eq!(run.status, 0, "{}{}", run.stdout, run.stderr);
    let built = std::fs::read_to_string(site.root.join("public/svc/index.html")).unwrap();
    assert!(built.contains("<p class=\"x\">"), "the filter ran");

    site.write("content/svc/extra.md", "---\ntitle: Extra\n---\n\n## Extra\n\nSee [gone](gone.html).\n");
    let run = site.run(&["check", "--format", "json"]);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let kinds: Vec<(&str, &str)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["kind"].as_str().unwrap(), f["file"].as_str().unwrap()))
        .collect();
    assert_eq!(kinds, [("orphan-page", "content/svc/extra.md"), ("broken-link", "content/svc/extra.md")]);

    // An id of the content that the layout writes too is defined twice, filtered or not.
    site.remove("content/svc/extra.md");
    let index = std::fs::read_to_string(site.root.join("content/svc/index.md")).unwrap();
    site.write("content/svc/index.md", &format!("{index}\n<div id=\"sp-main\">Main</div>\n"));
    for template in [text.replace("{{ page.content | safe }}", filtered), text.clone()] {
        std::fs::write(&page, template).unwrap();
        let run = site.run(&["check", "--format", "json"]);
        let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
        let findings: Vec<(&str, &str, &str)> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| (f["kind"].as_str().unwrap(), f["file"].as_str().unwrap(), f["target"].as_str().unwrap_or("")))
            .collect();
        assert_eq!(findings, [("duplicate-id", "content/svc/index.md", "sp-main")], "{}", run.stdout);
    }
}

#[test]
fn a_page_of_one_code_block_is_content_to_its_layout_in_check_as_in_build() {
    // `check` writes no page HTML; a layout's `{% if page.content %}` must still see a
    // page whose only content is code, as the build does.
    let site = Fixture::copy_of("check_clean");
    let (page, text) = own_default_template(&site, "page.html");
    let guarded =
        "{% if page.content %}{% else %}<a href=\"only-when-blank.html\">x</a>{% endif %}\n<div class=\"sp-content\">";
    std::fs::write(&page, text.replace("<div class=\"sp-content\">", guarded)).unwrap();
    let broken = |command: &str| {
        let run = site.run(&[command, "--format", "json"]);
        let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
        let broken: Vec<String> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["kind"] == "broken-link")
            .map(|f| format!("{} {}", f["page"].as_str().unwrap(), f["target"].as_str().unwrap()))
            .collect();
        broken
    };
    site.write("content/svc/code.md", "---\ntitle: Code\n---\n\n```json\n{\"a\": 1}\n```\n");
    assert_eq!(broken("check"), Vec::<String>::new());
    let run = site.run(&["build"]);
    assert_eq!(run.status, 0, "{}{}", run.stdout, run.stderr);
    // A page with no content at all is blank to both.
    site.write("content/svc/empty.md", "---\ntitle: Empty\n---\n");
    assert_eq!(broken("check"), ["svc/empty.html only-when-blank.html"]);
    let run = site.run(&["build"]);
    assert_ne!(run.status, 0, "{}{}", run.stdout, run.stderr);
}
