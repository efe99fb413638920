//! The search index: what it holds for the bundled portal and for small fixtures, read
//! back from the files the browser reads (the entry, and a file per page: URL, title,
//! service, and each part's anchor, heading and text, in order).

use crate::common;

use std::path::Path;

use common::Fixture;
use serde_json::Value;
use signpost::build::build_in_memory;
use signpost::content::Scope;
use signpost::search::{self, Index};
use signpost::site::LoadOptions;

/// One page of the index as the browser receives it.
#[derive(Debug)]
struct Fragment {
    url: String,
    title: String,
    /// The service id, from the entry's filter list.
    service: Option<String>,
    /// (anchor id, word position), in page order.
    anchors: Vec<(String, usize)>,
    words: Vec<String>,
}

impl Fragment {
    fn text(&self) -> String {
        self.words.join(" ")
    }

    /// The anchor whose section holds the first occurrence of `phrase`.
    fn section_of(&self, phrase: &str) -> Option<String> {
        let wanted: Vec<&str> = phrase.split_whitespace().collect();
        let at = self.words.windows(wanted.len()).position(|w| w.iter().zip(&wanted).all(|(a, b)| a == b))?;
        Some(self.anchors.iter().rev().find(|(_, loc)| *loc <= at).map(|(id, _)| id.clone()).unwrap_or_default())
    }
}

fn json(index: &Index, path: &str) -> Value {
    let (_, bytes) = index.files.iter().find(|(p, _)| p == path).unwrap_or_else(|| panic!("the index has {path}"));
    serde_json::from_slice(bytes).unwrap()
}

fn fragments(index: &Index) -> Vec<Fragment> {
    let entry = json(index, "search-index/index.json");
    let services = entry["services"].as_array().unwrap();
    // [service, pages] runs, in page order.
    let service_of: Vec<i64> = entry["page_services"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|run| std::iter::repeat_n(run[0].as_i64().unwrap(), run[1].as_u64().unwrap() as usize))
        .collect();
    let mut out = Vec::new();
    for n in 0.. {
        let path = format!("search-index/pages/{n}.json");
        if !index.files.iter().any(|(p, _)| p == &path) {
            break;
        }
        let page = json(index, &path);
        let service = *service_of.get(n).expect("the service runs cover every page");
        let mut fragment = Fragment {
            url: page["url"].as_str().unwrap().to_string(),
            title: page["title"].as_str().unwrap().to_string(),
            service: (service >= 0).then(|| services[service as usize][0].as_str().unwrap().to_string()),
            anchors: Vec::new(),
            words: Vec::new(),
        };
        for part in page["parts"].as_array().unwrap() {
            if let Some(anchor) = part[0].as_str() {
                fragment.anchors.push((anchor.to_string(), fragment.words.len()));
            }
            for text in [&part[1], &part[2]] {
                fragment.words.extend(text.as_str().unwrap().split_whitespace().map(str::to_string));
            }
        }
        out.push(fragment);
    }
    assert_eq!(out.len(), service_of.len(), "the service runs cover every page");
    assert_eq!(out.len(), entry["pages"].as_u64().unwrap() as usize, "the entry counts every page");
    out.sort_by(|a, b| a.url.cmp(&b.url));
    out
}

fn index_of(load: &LoadOptions) -> (Index, Vec<Fragment>, usize) {
    let (site, output, _sink, _warnings) = build_in_memory(load).expect("the site builds");
    let index = search::build_index(&site.config, &output);
    let frags = fragments(&index);
    (index, frags, output.pages.len())
}

fn hex(text: &str) -> String {
    text.bytes().map(|b| format!("{b:02x}")).collect()
}

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn the_portal_index_holds_every_page_its_sections_and_the_booking_stages() {
    let (index, pages, built) = index_of(&LoadOptions::new(repo()));
    assert_eq!(pages.len(), built, "every page of the portal is indexed");
    assert_eq!(index.stats.pages, built);

    let booking =
        pages.iter().find(|p| p.url == "/booking/assurance_overview.html").expect("the Booking assurance page");
    assert_eq!(booking.title, "Assurance overview");
    assert_eq!(booking.service.as_deref(), Some("booking"));
    let anchors: Vec<&str> = booking.anchors.iter().map(|(id, _)| id.as_str()).collect();
    for id in ["assurance-principles", "integration-testing", "technical-conformance-certificate", "go-live"] {
        assert!(anchors.contains(&id), "heading #{id} is a landing place: {anchors:?}");
    }
    // Stage summaries (written only in diagrams/booking.yaml) sit in their stage's section.
    for (summary, section) in [
        ("NHS Digital Solutions Assurance issues a certificate", "technical-conformance-certificate"),
        ("The technical and business go-lives take place.", "go-live"),
        ("Both parties check live Spine", "technical-prep"),
    ] {
        assert_eq!(booking.section_of(summary).as_deref(), Some(section), "`{summary}` lands on #{section}");
    }

    let home = pages.iter().find(|p| p.url == "/").or_else(|| pages.iter().find(|p| p.url == "/index.html"));
    let home = home.expect("the portal home page");
    assert_eq!(home.service, None, "the portal home belongs to no service");
    for service in ["smsp", "nrls", "booking"] {
        assert!(
            pages
                .iter()
                .filter(|p| p.url.starts_with(&format!("/{service}/")))
                .all(|p| p.service.as_deref() == Some(service)),
            "every {service} page carries its service filter"
        );
    }
    let files: Vec<&str> = index.files.iter().map(|(p, _)| p.as_str()).collect();
    for needed in ["search-index/engine.js", "search-index/index.json", "search-index/pages/0.json"] {
        assert!(files.contains(&needed), "the index has {needed}: {files:?}");
    }
    // Booking's stage names are findable: the file of "certificate" holds the word.
    let entry = json(&index, "search-index/index.json");
    let key =
        entry["keys"].as_array().unwrap().iter().filter_map(Value::as_str).filter(|k| "certificate".starts_with(k));
    let key = key.max_by_key(|k| k.len()).expect("a key for the word");
    let shard = json(&index, &format!("search-index/words/{}.json", hex(key)));
    assert!(shard["words"].get("certificate").is_some(), "{shard}");
}

#[test]
fn a_standalone_service_build_indexes_only_that_service() {
    let mut load = LoadOptions::new(repo());
    load.scope = Scope::Service("nrls".into());
    let (_, pages, built) = index_of(&load);
    assert_eq!(pages.len(), built);
    assert!(pages.iter().all(|p| !p.url.starts_with("/nrls/") && p.service.as_deref() == Some("nrls")), "{pages:#?}");
    assert!(pages.iter().any(|p| p.title == "Pointer model" || p.text().contains("pointer")));
    assert!(!pages.iter().any(|p| p.text().contains("Authority to Proceed")), "no SMSP text");
}

#[test]
fn the_index_is_the_same_on_every_build() {
    let (first, _, _) = index_of(&LoadOptions::new(repo()));
    let (second, _, _) = index_of(&LoadOptions::new(repo()));
    assert_eq!(first.files, second.files);
}

const PROCESS: &str = r##"id: journey
title: Supplier journey
lanes:
  - id: supplier
    title: Supplier
stages:
  - id: request
    title: Request access
    lane: supplier
    summary: Quokka applications go to the service desk.
    link: guide/setup.html#request-access
    next: [certify]
  - id: certify
    title: Certification
    lane: supplier
    summary: Wombat auditors certify the product.
    link: https://example.org/certify
    next: [here]
  - id: here
    title: Design, build and self test
    lane: supplier
    summary: Numbat builders test locally.
"##;

#[test]
fn stages_land_on_their_target_section_on_any_page_or_on_the_diagram() {
    let site = Fixture::copy_of("basic");
    site.write("diagrams/journey.yaml", PROCESS);
    let overview = std::fs::read_to_string(site.root.join("content/overview.md")).unwrap();
    site.write("content/overview.md", &format!("{overview}\n\n{{% include process.html id=\"journey\" %}}\n"));
    let (_, pages, _) = index_of(&LoadOptions::new(&site.root));
    let setup = pages.iter().find(|p| p.url == "/guide/setup.html").expect("the setup page");
    let overview = pages.iter().find(|p| p.url == "/overview.html").expect("the overview page");
    assert_eq!(setup.section_of("Quokka applications").as_deref(), Some("request-access"), "another page's section");
    assert_eq!(
        overview.section_of("Numbat builders").as_deref(),
        Some("design-build-and-self-test"),
        "the default link: the placing page's heading named like the stage"
    );
    assert_eq!(overview.section_of("Wombat auditors").as_deref(), Some("process-journey"), "off the site: the diagram");
    assert!(overview.text().contains("Certification: Wombat auditors"), "the stage's title goes with it");
}

#[test]
fn pages_marked_search_exclude_are_left_out() {
    let site = Fixture::copy_of("basic");
    site.write("content/secret.md", "---\ntitle: Internal notes\nsearch: exclude\n---\n\nPlatypus rota.\n");
    site.write("content/open.md", "---\ntitle: Open notes\n---\n\nEchidna rota.\n");
    let (_, pages, built) = index_of(&LoadOptions::new(&site.root));
    assert_eq!(pages.len(), built - 1, "one page fewer than built");
    assert!(pages.iter().any(|p| p.text().contains("Echidna")));
    assert!(!pages.iter().any(|p| p.url.contains("secret") || p.text().contains("Platypus")));
}

#[test]
fn a_build_writes_the_index_and_search_page_under_the_base_url() {
    let site = Fixture::copy_of("basic");
    let run = site.run(&["build", "--base-url", "/portal/", "--out", "out"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let out = site.root.join("out");
    assert!(out.join("search-index/engine.js").is_file());
    assert!(out.join("search-index/index.json").is_file());
    assert!(out.join("assets/search.js").is_file());
    let page = std::fs::read_to_string(out.join("overview.html")).unwrap();
    assert!(page.contains(r#"action="/portal/search.html""#), "the form opens the search page");
    assert!(page.contains(r#"data-index="/portal/search-index/""#), "search.js finds the index under the base URL");
    assert!(page.contains(r#"<script src="/portal/assets/search.js" defer>"#));
    let search = std::fs::read_to_string(out.join("search.html")).unwrap();
    assert!(search.contains("needs JavaScript"), "without JavaScript the search page says what to do");
}

#[test]
fn a_theme_without_a_search_page_has_no_search() {
    let site = Fixture::copy_of("basic");
    let run = site.run(&["new", "starter"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let theme = site.root.join("starter/themes/default");
    std::fs::remove_file(theme.join("templates/search.html")).unwrap();
    let run = site.run(&["build", "--root", "starter", "--out", "out"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let out = site.root.join("out");
    assert!(!out.join("search-index").exists(), "no index");
    assert!(!out.join("search.html").exists());
    let home = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(!home.contains("sp-search"), "no search form in the header");
}
