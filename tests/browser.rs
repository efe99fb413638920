//! Runs the real-browser tests in tests/browser (node's test runner, playwright-core,
//! Debian's Chromium) against the `signpost` binary this build made. Skips, saying so
//! on the terminal, when Chromium or the node packages are missing, unless
//! SIGNPOST_REQUIRE_BROWSER=1 (as in CI), when that is a failure. A browser test that
//! needs ../shared skips itself in node's report, or fails when SIGNPOST_REQUIRE_CORPUS=1.

mod common;

use std::path::Path;
use std::process::Command;

#[test]
fn browser_tests() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser");
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    let mut missing = Vec::new();
    if !Path::new(&chromium).exists() {
        missing.push(format!("{chromium} (apt-get install chromium)"));
    }
    if !dir.join("node_modules/playwright-core").exists() {
        missing.push("tests/browser/node_modules (cd tests/browser && npm ci)".into());
    }
    if Command::new("node").arg("--version").output().is_err() {
        missing.push("node".into());
    }
    if !missing.is_empty() {
        common::skip("SIGNPOST_REQUIRE_BROWSER", &format!("the browser tests need {}", missing.join(", ")));
        return;
    }
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().ends_with(".test.mjs"))
        .collect();
    files.sort();
    let status = Command::new("node")
        .arg("--test")
        .arg("--test-concurrency=1")
        .args(&files)
        .current_dir(&dir)
        .env("SIGNPOST_BIN", env!("CARGO_BIN_EXE_signpost"))
        .env("CHROMIUM", &chromium)
        .status()
        .expect("run node");
    assert!(status.success(), "browser tests failed (see the output above)");
}
