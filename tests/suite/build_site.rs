//! `signpost build` end to end on fixture sites: the pages a reader gets, byte for byte.

use crate::common;

use common::{links_in, main_of, tree, Fixture};

#[test]
fn builds_the_fixture_site() {
    let site = Fixture::copy_of("basic");
    let run = site.build();
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(run.stdout.starts_with("Built 3 pages"), "one summary line: {}", run.stdout);
    assert_eq!(run.stdout.lines().count(), 1);
    for file in [
        "index.html",
        "overview.html",
        "guide/setup.html",
        "img/pixel.png",
        "404.html",
        "sitemap.xml",
        "tags/index.html",
        "tags/assurance.html",
        "tags/testing.html",
        "assets/highlight.css",
    ] {
        assert!(site.out_exists(file), "{file} missing");
    }
    assert!(!site.out_exists("draft.html"), "unpublished pages are skipped");
}

/// The content of each page (its `<main>`), byte for byte: what Markdown, includes and
/// diagrams made of the page. The header, sidebar and footer around it are the theme's,
/// tested by what they must hold rather than snapshotted, so a theme change does not
/// churn every snapshot.
#[test]
fn page_contents_match_their_snapshots() {
    let site = Fixture::copy_of("basic");
    assert_eq!(site.build().status, 0);
    insta::assert_snapshot!("overview_page", main_of(&site.out("overview.html")));
    insta::assert_snapshot!("setup_page", main_of(&site.out("guide/setup.html")));
    insta::assert_snapshot!("sitemap", site.out("sitemap.xml"));
}

#[test]
fn page_features_render() {
    let site = Fixture::copy_of("basic");
    assert_eq!(site.build().status, 0);
    let html = site.out("overview.html");
    for id in ["design-build-and-self-test", "requested_scope-claim", "34-format", "34-format-1", "custom-id"] {
        assert!(html.contains(&format!("id=\"{id}\"")), "heading id {id}");
    }
    assert!(html.contains("target=\"_blank\""), "kramdown span attributes apply");
    assert!(!html.contains("{:target"), "and are not printed");
    assert!(html.contains("<li id=\"fn:1\""), "footnote ids are prefixed, as kramdown writes them");
    assert!(html.contains("<strong>Markdown</strong>"), "include parameters hold Markdown");
    assert!(html.contains("{% include not-expanded.html %}"), "raw blocks are kept as written");
    assert!(!html.contains("This is hidden"), "comments are dropped");
    assert!(html.contains("hl-"), "code is highlighted with classes");
    assert!(html.contains("&lt;not highlighted&gt;"), "unknown languages are escaped");
    assert!(
        html.contains("name=\"keywords\"") && html.contains("overview, fixture") || html.contains("overview,fixture")
    );
    let home = site.out("index.html");
    assert!(home.contains("Welcome."), "BOM and CRLF pages build");
}

#[test]
fn sidebar_marks_the_current_page_and_drops_non_web_items() {
    let site = Fixture::copy_of("basic");
    assert_eq!(site.build().status, 0);
    let html = site.out("guide/setup.html");
    assert!(html.contains("<a href=\"/guide/setup.html\" aria-current=\"page\">Set up</a>"), "current page marked");
    assert_eq!(html.matches("aria-current=\"page\"").count(), 1, "only the current page is marked");
    assert!(html.contains("<details class=\"sp-nav-folder\" open>\n<summary>Guide</summary>"), "its folder is open");
    assert!(html.contains("<details class=\"sp-nav-folder\">\n<summary>Start</summary>"), "other folders are closed");
    // Each page marks its own entry in the same sidebar, not the one rendered before it.
    let home = site.out("index.html");
    assert!(home.contains("<a href=\"/index.html\" aria-current=\"page\">Home</a>"), "{home}");
    assert_eq!(home.matches("aria-current=\"page\"").count(), 1);
    assert!(home.contains("<details class=\"sp-nav-folder\" open>\n<summary>Start</summary>"));
    assert!(home.contains("<details class=\"sp-nav-folder\">\n<summary>Guide</summary>"));
    assert!(!html.contains("Print only"), "items not output to web are left out");
    assert!(html.contains("https://example.org/spec"), "external links kept");
}

#[test]
fn two_builds_are_byte_identical() {
    let a = Fixture::copy_of("basic");
    let b = Fixture::copy_of("basic");
    assert_eq!(a.build().status, 0);
    assert_eq!(b.build().status, 0);
    let (ta, tb) = (tree(&a.root.join("public")), tree(&b.root.join("public")));
    assert_eq!(ta.keys().collect::<Vec<_>>(), tb.keys().collect::<Vec<_>>());
    for (path, bytes) in &ta {
        assert!(bytes == &tb[path], "{path} differs between builds");
    }
    // And a rebuild over the cache gives the same bytes again (forced: unchanged, the
    // build would write nothing).
    assert!(a.run(&["build", "--force"]).stdout.starts_with("Built "));
    assert_eq!(tree(&a.root.join("public")), ta);
}

#[test]
fn everything_resolves_under_a_base_url_sub_path() {
    let site = Fixture::copy_of("basic");
    let run = site.run(&["build", "--base-url", "/portal/"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let out = site.root.join("public");
    let mut checked = 0;
    for (path, bytes) in tree(&out) {
        if !path.ends_with(".html") {
            continue;
        }
        let html = String::from_utf8(bytes).unwrap();
        for link in links_in(&html) {
            if link.contains("://") || link.starts_with("mailto:") || link.starts_with('#') {
                continue;
            }
            let target = link.split('#').next().unwrap();
            let resolved = if let Some(rooted) = target.strip_prefix('/') {
                let under = rooted.strip_prefix("portal/").unwrap_or_else(|| panic!("{path}: {link} escapes /portal/"));
                out.join(under)
            } else {
                out.join(&path).parent().unwrap().join(target)
            };
            let resolved = if resolved.is_dir() { resolved.join("index.html") } else { resolved };
            assert!(resolved.exists(), "{path}: {link} does not resolve");
            checked += 1;
        }
    }
    assert!(checked > 20, "only {checked} links checked");
}

#[test]
fn new_creates_a_site_that_builds() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("starter");
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_signpost"))
        .args(["new", target.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(run.status.success());
    let build = std::process::Command::new(env!("CARGO_BIN_EXE_signpost"))
        .args(["build", "--root", target.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(build.status.success(), "{}", String::from_utf8_lossy(&build.stderr));
    let stderr = String::from_utf8_lossy(&build.stderr);
    assert!(!stderr.contains("warning"), "no warnings: {stderr}");
    assert!(stderr.contains("site.yaml has no `url`"), "the sitemap's paths are explained: {stderr}");
    let page = std::fs::read_to_string(target.join("public/getting_started.html")).unwrap();
    assert!(page.contains("<svg") && page.contains("Approve access"), "a process is placed on a page");
    assert!(page.contains("href=\"#make-a-first-request\""), "its stages lead to the page's sections");
    let home = std::fs::read_to_string(target.join("public/index.html")).unwrap();
    assert!(home.contains("href=\"accessibility.html\""), "the home page links to the statement");
    assert!(target.join("public/accessibility.html").exists());
    let diagram = std::process::Command::new(env!("CARGO_BIN_EXE_signpost"))
        .args(["diagram", "onboarding", "--output"])
        .arg(dir.path().join("onboarding.svg"))
        .arg("--root")
        .arg(&target)
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&diagram.stdout);
    assert!(said.starts_with("Wrote process `onboarding` (3 stages, 2 lanes) to "), "{said}");
    assert_eq!(said.lines().count(), 1, "one line: {said}");
    let again = std::process::Command::new(env!("CARGO_BIN_EXE_signpost"))
        .args(["new", target.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(2), "refuses a folder with files");
}

#[test]
fn the_sitemap_lists_full_urls_under_the_sites_url() {
    let site = Fixture::copy_of("basic");
    let yaml = std::fs::read_to_string(site.root.join("site.yaml")).unwrap();
    site.write("site.yaml", &format!("{yaml}url: https://developer.example.org/ignored/path\n"));
    let run = site.build();
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(!run.stderr.contains("has no `url`"), "{}", run.stderr);
    let sitemap = site.out("sitemap.xml");
    assert!(sitemap.contains("<loc>https://developer.example.org/guide/setup.html</loc>"), "{sitemap}");
    assert!(!sitemap.contains("<loc>/"), "no paths left: {sitemap}");
}
