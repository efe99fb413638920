//! `signpost check --external` against a server of its own on 127.0.0.1 (no other
//! network): live, gone (404), failing (500), slow (past the timeout), redirecting,
//! rate-limiting (429 then 200) and anchor pages. The server counts every request, so
//! the tests can see what the check asked, how often, and how many at once.

use super::common;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::{Html, IntoResponse, Redirect, Response};
use common::Fixture;
use serde_json::Value;

/// What the server saw.
#[derive(Default)]
struct Seen {
    /// Requests by path.
    requests: Mutex<BTreeMap<String, usize>>,
    in_flight: AtomicUsize,
    most_in_flight: AtomicUsize,
}

impl Seen {
    fn count(&self, path: &str) -> usize {
        self.requests.lock().unwrap().get(path).copied().unwrap_or(0)
    }

    fn total(&self) -> usize {
        self.requests.lock().unwrap().values().sum()
    }
}

/// Counts a request out when its handler ends, also when the client gave up on it.
struct InFlight(Arc<Seen>);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

const LIVE: &str = r#"<!doctype html><title>Live</title>
<h1 id="top-heading">Live</h1><h2 id="setup">Set up</h2><a name="legacy"></a><p id="x&amp;y">z</p>"#;

async fn respond(State(seen): State<Arc<Seen>>, uri: Uri) -> Response {
    let path = uri.path().to_string();
    let nth = {
        let mut requests = seen.requests.lock().unwrap();
        let n = requests.entry(path.clone()).or_default();
        *n += 1;
        *n
    };
    let now = seen.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
    seen.most_in_flight.fetch_max(now, Ordering::SeqCst);
    let _in_flight = InFlight(Arc::clone(&seen));
    match path.as_str() {
        "/live" => Html(LIVE).into_response(),
        "/gone" => (StatusCode::NOT_FOUND, "no such page").into_response(),
        "/broken" => (StatusCode::INTERNAL_SERVER_ERROR, "oops").into_response(),
        "/slow" => {
            tokio::time::sleep(Duration::from_secs(30)).await;
            Html("late").into_response()
        }
        "/old" => Redirect::permanent("/live").into_response(),
        "/busy" if nth == 1 => (StatusCode::TOO_MANY_REQUESTS, [("retry-after", "1")], "slow down").into_response(),
        "/busy" => Html("<p>fine now</p>").into_response(),
        "/patient" => (StatusCode::TOO_MANY_REQUESTS, [("retry-after", "3600")], "come back tomorrow").into_response(),
        p if p.starts_with("/hold/") => {
            tokio::time::sleep(Duration::from_millis(300)).await;
            Html("<p>held</p>").into_response()
        }
        _ => (StatusCode::NOT_FOUND, "unknown").into_response(),
    }
}

/// Starts the server on a free port of 127.0.0.1; it lives as long as the test process.
fn serve() -> (SocketAddr, Arc<Seen>) {
    let seen = Arc::new(Seen::default());
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let address = listener.local_addr().unwrap();
    let state = Arc::clone(&seen);
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            let app = axum::Router::new().fallback(respond).with_state(state);
            axum::serve(listener, app).await.unwrap();
        });
    });
    (address, seen)
}

/// The page of the site under test; `HOST` becomes the server's address.
const PAGE: &str = "---
title: Links out
---

A [live page](http://HOST/live) and [its setup](http://HOST/live#setup).
A [gone page](http://HOST/gone).
A [broken server](http://HOST/broken).
A [slow page](http://HOST/slow).
An [old address](http://HOST/old).
A [busy host](http://HOST/busy).
A [missing section](http://HOST/live#set-up) and [an old anchor](http://HOST/live#legacy).
[Write to us](mailto:team@example.org), or see [the private wiki](https://wiki.example.invalid/team).
";

const SITE: &str = "title: External links
check:
  orphan-page: ignore
  external:
    timeout: 1s
    retries: 1
    per_host: 2
    exclude: ['*.example.invalid']
";

fn site(address: SocketAddr) -> Fixture {
    let site = Fixture::empty();
    site.write("site.yaml", SITE);
    site.write("content/index.md", &PAGE.replace("HOST", &address.to_string()));
    site
}

/// (severity, kind, line, column, suggestion) of each finding of the JSON report.
fn findings(report: &Value) -> Vec<(String, String, u64, u64, Option<String>)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            assert_eq!(f["file"], "content/index.md", "{f}");
            (
                f["severity"].as_str().unwrap().to_string(),
                f["kind"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
                f["column"].as_u64().unwrap(),
                f["suggestion"].as_str().map(String::from),
            )
        })
        .collect()
}

/// The column (1-based) of `text` in line `line` of the page.
fn column(address: SocketAddr, line: usize, text: &str) -> u64 {
    let page = PAGE.replace("HOST", &address.to_string());
    let text = text.replace("HOST", &address.to_string());
    let l = page.lines().nth(line - 1).unwrap();
    l.find(&text).unwrap_or_else(|| panic!("{text} not in {l}")) as u64 + 1
}

/// A page holding `body` from its line 5.
fn page(body: &str) -> String {
    format!("---\ntitle: Links out\n---\n\n{body}")
}

fn json(run: &common::Run) -> Value {
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}{}", run.stdout, run.stderr))
}

#[test]
fn dead_redirected_and_rate_limited_links_are_reported_where_written() {
    let (address, seen) = serve();
    let site = site(address);
    let run = site.run(&["check", "--external", "--format", "json"]);
    assert_eq!(run.status, 1, "dead links are errors: {}{}", run.stdout, run.stderr);
    let report = json(&run);
    let at = |line, text| column(address, line, text);
    let live = format!("http://{address}/live");
    assert_eq!(
        findings(&report),
        [
            ("error".into(), "dead-link".into(), 6, at(6, "http://HOST/gone"), None),
            ("error".into(), "dead-link".into(), 7, at(7, "http://HOST/broken"), None),
            ("error".into(), "dead-link".into(), 8, at(8, "http://HOST/slow"), None),
            ("warning".into(), "redirected-link".into(), 9, at(9, "http://HOST/old"), Some(live.clone())),
        ]
    );
    let messages: Vec<&str> =
        report["findings"].as_array().unwrap().iter().map(|f| f["message"].as_str().unwrap()).collect();
    assert!(messages[0].ends_with("/gone answered 404 Not Found"), "{}", messages[0]);
    assert!(messages[1].ends_with("/broken answered 500 Internal Server Error"), "{}", messages[1]);
    assert!(messages[2].ends_with("/slow did not answer in time (2 tries)"), "{}", messages[2]);
    assert_eq!(messages[3], format!("http://{address}/old redirects to {live}"));

    // 429 with Retry-After: 1, then 200: waited for and working. 404 and 500 are not
    // tried again; the timeout is, once (`retries: 1`).
    assert_eq!(seen.count("/busy"), 2);
    assert_eq!((seen.count("/gone"), seen.count("/broken"), seen.count("/slow")), (1, 1, 2));
    // The live page once, though three links lead to it (its fragments are not looked
    // for without --external-anchors); the excluded host never.
    assert_eq!(seen.count("/live"), 2, "once for the live links, once at the end of the redirect");

    let summary = &report["summary"];
    assert_eq!(summary["external_checked"]["links"], 10, "the excluded one counted too");
    assert_eq!(summary["external_checked"]["urls"], 6);
    assert_eq!(summary["external_checked"]["fetched"], 6);
    assert_eq!(summary["external_checked"]["cached"], 0);
    assert_eq!(summary["external_checked"]["excluded"], 1);
    assert_eq!(summary["external_checked"]["not_http"], 1);
    assert_eq!(summary["errors"], 3);

    // The text report: like a compiler, the source line underlined, a hint, the summary.
    let text = site.run(&["check", "--external", "--max-age", "0"]);
    assert_eq!(text.status, 1);
    let gone = format!("error[dead-link]: http://{address}/gone answered 404 Not Found");
    assert!(text.stdout.contains(&gone), "{}", text.stdout);
    assert!(text.stdout.contains(&format!("--> content/index.md:6:{}", at(6, "http://HOST/gone"))), "{}", text.stdout);
    assert!(text.stdout.contains("6 | A [gone page]"), "{}", text.stdout);
    assert!(text.stdout.contains("help: the page is gone"), "{}", text.stdout);
    assert!(text.stdout.contains(&format!("help: link to {live} directly")), "{}", text.stdout);
    assert!(
        text.stdout.ends_with(
            "links, and 10 external links to 6 URLs (6 fetched, 0 from the cache of the last 0s; \
             1 URL excluded; 1 link not http(s), not followed): 3 errors (dead-link: 3), 1 warning (redirected-link: 1)\n"
        ),
        "{}",
        text.stdout
    );
}

#[test]
fn working_results_are_cached_and_reused() {
    let (address, seen) = serve();
    let site = site(address);
    assert_eq!(site.run(&["check", "--external"]).status, 1);
    let cache = site.root.join(".signpost-cache/external.json");
    let saved: Value = serde_json::from_str(&std::fs::read_to_string(&cache).unwrap()).unwrap();
    let mut urls: Vec<&String> = saved["entries"].as_object().unwrap().keys().collect();
    urls.sort();
    let url = |p: &str| format!("http://{address}{p}");
    assert_eq!(urls, [&url("/busy"), &url("/live"), &url("/old")], "only working links are kept");
    assert_eq!(saved["entries"][url("/old")]["redirect"], url("/live"));

    let before = seen.total();
    let again = site.run(&["check", "--external", "--format", "json"]);
    assert_eq!(again.status, 1);
    let report = json(&again);
    assert_eq!(report["summary"]["external_checked"]["cached"], 3);
    assert_eq!(report["summary"]["external_checked"]["fetched"], 3);
    // No request for what the cache holds; the broken links are asked again.
    assert_eq!((seen.count("/live"), seen.count("/old"), seen.count("/busy")), (2, 1, 2));
    assert_eq!(seen.total() - before, 1 + 1 + 2, "/gone, /broken and /slow twice");
    assert_eq!(findings(&report).len(), 4, "a cached redirect is still reported");

    // A site whose links all work makes no request at all the second time.
    site.write(
        "content/index.md",
        &page(&format!("[live](http://{address}/live) and [moved](http://{address}/old)\n")),
    );
    let before = seen.total();
    let clean = site.run(&["check", "--external"]);
    assert_eq!(clean.status, 0, "a redirect is a warning: {}", clean.stdout);
    assert_eq!(seen.total(), before, "{}", clean.stdout);
    assert!(clean.stdout.contains("(0 fetched, 2 from the cache of the last 1d)"), "{}", clean.stdout);

    // --max-age 0 fetches everything again.
    assert_eq!(site.run(&["check", "--external", "--max-age", "0"]).status, 0);
    assert_eq!(seen.total(), before + 3, "/live, and /old with the /live it leads to");
}

#[test]
fn one_host_gets_at_most_per_host_requests_at_once() {
    let (address, seen) = serve();
    let site = site(address);
    let links: String = (0..8).map(|i| format!("- [held {i}](http://{address}/hold/{i})\n")).collect();
    site.write("content/index.md", &page(&links));
    let run = site.run(&["check", "--external"]);
    assert_eq!(run.status, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(seen.total(), 8);
    // per_host: 2 in site.yaml: two at a time, never more.
    assert_eq!(seen.most_in_flight.load(Ordering::SeqCst), 2);
}

#[test]
fn fragments_are_looked_for_in_the_fetched_page_when_asked() {
    let (address, seen) = serve();
    let site = site(address);
    let body = format!(
        "[setup](http://{address}/live#setup), [set up](http://{address}/live#set-up), \
         [legacy](http://{address}/live#legacy), [entity](http://{address}/live#x&y), [top](http://{address}/live#top)\n"
    );
    site.write("content/index.md", &page(&body));
    let run = site.run(&["check", "--external", "--external-anchors", "--format", "json"]);
    assert_eq!(run.status, 1, "{}", run.stdout);
    let report = json(&run);
    let column = body.find(&format!("http://{address}/live#set-up")).unwrap() as u64 + 1;
    assert_eq!(
        findings(&report),
        [("error".into(), "broken-external-anchor".into(), 5, column, Some(format!("http://{address}/live#setup")))]
    );
    assert_eq!(report["findings"][0]["hint"], "did you mean #setup?");
    assert_eq!(seen.count("/live"), 1);

    // Without the flag, site.yaml can ask; the fragments found are cached, so only the
    // missing one makes the page be fetched again.
    site.write("site.yaml", &SITE.replace("    per_host: 2\n", "    per_host: 2\n    anchors: true\n"));
    assert_eq!(site.run(&["check", "--external"]).status, 1);
    assert_eq!(seen.count("/live"), 2);
    site.write("content/index.md", &page(&body.replace("#set-up", "#setup")));
    assert_eq!(site.run(&["check", "--external"]).status, 0);
    assert_eq!(seen.count("/live"), 2, "every fragment was found before: the cache answers");
}

#[test]
fn a_host_asking_to_wait_too_long_is_not_waited_for() {
    let (address, seen) = serve();
    let site = site(address);
    site.write("content/index.md", &page(&format!("[patient](http://{address}/patient)\n")));
    let run = site.run(&["check", "--external"]);
    assert_eq!(run.status, 0, "unchecked is a warning: {}", run.stdout);
    assert!(run.stdout.contains("warning[unchecked-link]"), "{}", run.stdout);
    assert!(run.stdout.contains("asked to wait 3600 s, more than the 60 s the check waits"), "{}", run.stdout);
    assert_eq!(seen.count("/patient"), 1);
}

#[test]
fn bad_external_settings_are_errors_at_their_place() {
    let site = Fixture::empty();
    site.write("content/index.md", "---\ntitle: Home\n---\n\n[x](https://example.invalid/)\n");
    let cases: &[(&str, &str, (u64, u64))] = &[
        ("    timeout: soon\n", "`timeout:` `soon` is not a duration", (4, 14)),
        ("    max_age: 3 weeks\n", "`max_age:` `3 weeks` has an unknown unit `weeks`", (4, 14)),
        ("    per_host: 0\n", "`per_host:` must be at least 1", (4, 15)),
        ("    exclude: [example.org/private]\n", "`exclude:` pattern `example.org/private` is neither", (4, 15)),
        ("    accept: [999]\n", "`accept:` 999 is not an HTTP status", (4, 14)),
        ("    retry: 3\n", "unknown field `retry`", (4, 5)),
    ];
    for (line, message, (l, c)) in cases {
        site.write("site.yaml", &format!("title: T\ncheck:\n  external:\n{line}"));
        let run = site.run(&["check", "--external", "--format", "json"]);
        assert_eq!(run.status, 1, "{line}: {}{}", run.stdout, run.stderr);
        let report = json(&run);
        let f = &report["findings"][0];
        assert!(f["message"].as_str().unwrap().contains(message), "{line}: {f}");
        assert_eq!(
            (f["file"].as_str(), f["line"].as_u64(), f["column"].as_u64()),
            (Some("site.yaml"), Some(*l), Some(*c)),
            "{line}: {f}"
        );
        // The same settings are read, and refused, by a build.
        assert_eq!(site.run(&["build"]).status, 1, "{line}");
    }
}
