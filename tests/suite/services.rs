//! Per-service variants of one source: the whole portal, or one service alone.

use crate::common;

use common::Fixture;

fn switcher_href(html: &str, service_title: &str) -> String {
    let nav = &html[html.find("class=\"sp-switcher\"").expect("a service switcher")..];
    let at = nav.find(&format!("title=\"{service_title}\"")).expect("the service is in the switcher");
    let start = nav[..at].rfind("href=\"").unwrap() + 6;
    nav[start..].split('"').next().unwrap().to_string()
}

#[test]
fn the_portal_builds_every_service_under_its_id() {
    let site = Fixture::copy_of("services");
    let run = site.run(&["build", "--explain"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    for file in [
        "index.html",
        "alpha/index.html",
        "alpha/principles.html",
        "beta/index.html",
        "beta/guide.html",
        "beta/principles.html",
    ] {
        assert!(site.out_exists(file), "{file}");
    }
    let home = site.out("index.html");
    assert!(home.contains("Alpha Service") && home.contains("href=\"/alpha/\""), "the home page presents the services");
    assert!(run.stdout.contains("beta/principles.html <- content/_shared/principles.md (shared)"), "{}", run.stdout);
    assert!(
        run.stdout.contains("content/alpha/principles.md replaces content/_shared/principles.md"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_shared_page_takes_each_services_values_and_an_override_wins_only_where_made() {
    let site = Fixture::copy_of("services");
    assert_eq!(site.build().status, 0);
    let beta = site.out("beta/principles.html");
    assert!(beta.contains("<h1>Principles for Beta</h1>"), "the title uses the service's values");
    assert!(beta.contains("Write to beta@example.org about Beta Service."));
    assert!(beta.contains("How Beta Service assures products."), "and so does the summary");
    assert!(
        beta.contains("--sp-primary: #00703c") || beta.contains("--sp-primary:#00703c"),
        "in the service's colours"
    );
    let alpha = site.out("alpha/principles.html");
    assert!(alpha.contains("Alpha writes its principles itself."));
    assert!(!alpha.contains("Write to"), "the override replaced the shared page for Alpha only");
}

#[test]
fn one_service_alone_has_its_pages_at_the_root() {
    let site = Fixture::copy_of("services");
    let run = site.run(&["build", "--service", "beta"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    for file in ["index.html", "guide.html", "principles.html"] {
        assert!(site.out_exists(file), "{file}");
    }
    assert!(!site.out_exists("alpha") && !site.out_exists("beta"), "no other service, no prefix");
    assert!(site.out("index.html").contains("Beta. Back to"), "the service's home is the site's home");
    assert!(site.out("principles.html").contains("beta@example.org"));
    assert!(
        site.out("guide.html").contains("href=\"/principles.html\""),
        "its own root-relative links stay at the root"
    );
}

#[test]
fn links_between_services_resolve_in_both_modes() {
    let site = Fixture::copy_of("services");
    assert_eq!(site.build().status, 0);
    assert!(site.out("alpha/index.html").contains("href=\"/beta/guide.html\""));
    assert!(site.out("beta/guide.html").contains("href=\"/beta/principles.html\""), "/x.html is the service's root");

    assert_eq!(site.run(&["build", "--service", "alpha"]).status, 0);
    assert!(
        site.out("index.html").contains("href=\"https://portal.example.org/beta/guide.html\""),
        "from a service alone, another service's page is an absolute link into the portal"
    );
}

#[test]
fn a_link_to_a_page_no_service_has_is_an_error() {
    let site = Fixture::copy_of("services");
    site.write(
        "content/alpha/index.md",
        "---\ntitle: Alpha home\npermalink: index.html\n---\nSee [Beta's nothing](/beta/nothing.html).\n",
    );
    let run = site.build();
    assert_eq!(run.status, 1, "{}", run.stderr);
    assert!(run.stderr.contains("nothing.html"), "{}", run.stderr);
    assert!(run.stderr.contains("--> content/alpha/index.md:5:"), "{}", run.stderr);
}

#[test]
fn the_switcher_lands_on_the_same_page_or_the_services_home() {
    let site = Fixture::copy_of("services");
    assert_eq!(site.build().status, 0);
    let principles = site.out("beta/principles.html");
    assert_eq!(switcher_href(&principles, "Alpha Service"), "/alpha/principles.html");
    assert_eq!(switcher_href(&principles, "Beta Service"), "/beta/principles.html");
    let guide = site.out("beta/guide.html");
    assert_eq!(switcher_href(&guide, "Alpha Service"), "/alpha/", "Alpha has no guide: its home");

    assert_eq!(site.run(&["build", "--service", "beta"]).status, 0);
    let alone = site.out("principles.html");
    assert_eq!(switcher_href(&alone, "Alpha Service"), "https://portal.example.org/alpha/principles.html");
    assert_eq!(switcher_href(&alone, "Beta Service"), "/principles.html");
}

#[test]
fn the_bundled_portal_builds_each_service_alone() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    for service in ["smsp", "nrls", "booking"] {
        let out = tempfile::tempdir().unwrap();
        let run = std::process::Command::new(env!("CARGO_BIN_EXE_signpost"))
            .args(["build", "--quiet", "--service", service, "--root"])
            .arg(root)
            .arg("--out")
            .arg(out.path())
            .output()
            .unwrap();
        assert!(run.status.success(), "{service}: {}", String::from_utf8_lossy(&run.stderr));
        let principles = std::fs::read_to_string(out.path().join("assurance_principles.html")).unwrap();
        assert!(principles.contains(&format!("process-{service}")) || principles.contains("Assurance principles"));
        let overview = std::fs::read_to_string(out.path().join("assurance_overview.html")).unwrap();
        assert!(overview.contains(&format!("id=\"process-{service}\"")), "{service} places its own process");
    }
}
