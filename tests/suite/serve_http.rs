//! What `serve` answers over HTTP: output files from memory with their content types,
//! the live script in served pages only, the site's 404 page for misses, relative
//! redirects, a base_url sub-path, and 404 for every path that is not plainly inside the
//! output, without touching any file outside it.

use crate::common;
use crate::serve_support;

use common::Fixture;
use serve_support::{request, Served};

fn basic() -> Served {
    let fixture = Fixture::copy_of("basic");
    fixture.write("content/guide/index.md", "---\ntitle: Guide\n---\nThe guide.\n");
    fixture.write("secret.txt", "TOP-SECRET-42\n");
    Served::start(fixture)
}

#[test]
fn serves_output_files_with_their_types() {
    let s = basic();
    for (path, kind) in [
        ("/", "text/html; charset=utf-8"),
        ("/overview.html", "text/html; charset=utf-8"),
        ("/assets/signpost.css", "text/css; charset=utf-8"),
        ("/img/pixel.png", "image/png"),
        ("/sitemap.xml", "xml"),
        ("/assets/favicon.svg", "image/svg+xml"),
        ("/__signpost/live.js", "javascript"),
    ] {
        let r = s.get(path);
        assert_eq!(r.status, 200, "{path}");
        assert!(r.header("content-type").is_some_and(|t| t.contains(kind)), "{path}: {:?}", r.header("content-type"));
        assert_eq!(r.header("cache-control"), Some("no-store"), "{path}");
    }
    let head = request(s.addr, "HEAD", "/overview.html");
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
    assert_eq!(request(s.addr, "POST", "/overview.html").status, 405);
}

#[test]
fn the_live_script_is_in_served_pages_only() {
    let s = basic();
    let page = s.get("/guide/setup.html").body;
    assert!(
        page.contains("<script src=\"../__signpost/live.js\" data-file=\"guide/setup.html\""),
        "the script, relative to the page: {page}"
    );
    assert!(page.trim_end().ends_with("</html>"), "added inside the body");
    let built = s.server().snapshot();
    let bytes = &built.files["guide/setup.html"].bytes;
    assert!(!String::from_utf8_lossy(bytes).contains("__signpost"), "the built page has no script");
    assert!(!s.get("/assets/signpost.css").body.contains("__signpost"));
}

#[test]
fn misses_get_the_sites_404_page() {
    let s = basic();
    let r = s.get("/no/such/page.html");
    assert_eq!(r.status, 404);
    assert!(r.body.contains("Page not found"), "{}", r.body);
    assert!(r.body.contains("data-file=\"no/such/page.html\" data-v=\"0\""), "it waits for the page to exist");
}

#[test]
fn folders_redirect_relatively() {
    let s = basic();
    let r = s.get("/guide");
    assert_eq!(r.status, 308);
    assert_eq!(r.header("location"), Some("guide/"));
    let r = s.get("/guide/");
    assert_eq!(r.status, 200);
    assert!(r.body.contains("The guide."));
}

#[test]
fn paths_outside_the_output_are_404_and_read_nothing() {
    let s = basic();
    for target in [
        "/../secret.txt",
        "/..%2fsecret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E%2Fsecret.txt",
        "/guide/../../secret.txt",
        "/guide/%2e%2e/%2e%2e/secret.txt",
        "//etc/passwd",
        "/..\\secret.txt",
        "/%5c..%5csecret.txt",
        "/C:/Windows/win.ini",
        "/secret.txt",
        "/site.yaml",
        "/content/overview.md",
        "/%00",
        "/%ff%fe",
        "/etc/passwd",
        "http://localhost/../secret.txt",
    ] {
        let r = request(s.addr, "GET", target);
        assert_eq!(r.status, 404, "{target}: {}", r.status);
        assert!(!r.body.contains("TOP-SECRET") && !r.body.contains("root:x:0"), "{target} leaked a file");
    }
    assert_eq!(request(s.addr, "GET", "*").status / 100, 4, "an asterisk target is refused");
}

#[test]
fn a_base_url_sub_path_is_served_and_the_root_redirects_to_it() {
    let fixture = Fixture::copy_of("basic");
    let config = std::fs::read_to_string(fixture.root.join("site.yaml")).unwrap();
    fixture.write("site.yaml", &config.replace("base_url: /", "base_url: https://example.org/portal/"));
    let s = Served::start(fixture);
    assert!(s.server().url().ends_with("/portal/"), "{}", s.server().url());
    let r = s.get("/portal/guide/setup.html");
    assert_eq!(r.status, 200);
    assert!(r.body.contains("href=\"/portal/overview.html\""), "links stay on the preview");
    assert!(r.body.contains("<script src=\"../__signpost/live.js\""));
    assert_eq!(s.get("/portal/__signpost/live.js").status, 200);
    let root = s.get("/");
    assert_eq!((root.status, root.header("location")), (308, Some("portal/")));
    let bare = s.get("/portal");
    assert_eq!((bare.status, bare.header("location")), (308, Some("portal/")));
    assert_eq!(s.get("/overview.html").status, 404, "nothing outside the base");
}
