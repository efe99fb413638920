//! Fixture sites for end-to-end tests: copy one into a temporary folder, change it,
//! run the real `signpost` binary on it and read what it wrote.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

pub struct Fixture {
    _dir: tempfile::TempDir,
    pub root: PathBuf,
}

pub struct Run {
    pub status: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Fixture {
    /// A copy of `tests/fixtures/NAME`.
    pub fn copy_of(name: &str) -> Fixture {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path().join("site");
        copy_tree(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name), &root);
        Fixture { _dir: dir, root }
    }

    /// An empty site folder.
    pub fn empty() -> Fixture {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path().join("site");
        std::fs::create_dir_all(&root).unwrap();
        Fixture { _dir: dir, root }
    }

    pub fn write(&self, path: &str, text: &str) -> &Self {
        let p = self.root.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
        self
    }

    pub fn remove(&self, path: &str) {
        std::fs::remove_file(self.root.join(path)).unwrap();
    }

    /// Runs `signpost ARGS` in the site folder.
    pub fn run(&self, args: &[&str]) -> Run {
        let out = Command::new(env!("CARGO_BIN_EXE_signpost"))
            .args(args)
            .current_dir(&self.root)
            .output()
            .expect("run signpost");
        Run {
            status: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    pub fn build(&self) -> Run {
        self.run(&["build"])
    }

    pub fn out(&self, path: &str) -> String {
        std::fs::read_to_string(self.root.join("public").join(path)).unwrap_or_else(|e| panic!("public/{path}: {e}"))
    }

    pub fn out_exists(&self, path: &str) -> bool {
        self.root.join("public").join(path).exists()
    }
}

pub fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let target = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Every file under `dir`, relative path -> bytes.
pub fn tree(dir: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(dir).unwrap().to_string_lossy().replace('\\', "/");
            (rel, std::fs::read(e.path()).unwrap())
        })
        .collect()
}

/// `../shared` beside the repository, when it is there.
pub fn shared_dir() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared");
    p.is_dir().then_some(p)
}

/// `../shared` for a test that reads it; when it is absent, the test is skipped (and says
/// so where the test run is read), or fails when SIGNPOST_REQUIRE_CORPUS=1, as in CI.
pub fn shared_or_skip(what: &str) -> Option<PathBuf> {
    let shared = shared_dir();
    if shared.is_none() {
        skip("SIGNPOST_REQUIRE_CORPUS", &format!("../shared is absent, so {what} cannot be read"));
    }
    shared
}

/// Says that the running test is skipped and why, or fails it when the environment
/// variable `require` is `1`. The line goes straight to the terminal: the test harness
/// holds back what a passing test prints, and a skip nobody sees is a pass nobody earned.
pub fn skip(require: &str, why: &str) {
    let test = std::thread::current().name().unwrap_or("a test").to_string();
    assert!(
        std::env::var(require).map_or(true, |v| v != "1"),
        "{test} cannot run: {why}; {require}=1 asks that it does"
    );
    use std::io::Write;
    let _ = writeln!(std::io::stderr().lock(), "SKIPPED {test}: {why} (with {require}=1 this fails)");
}

/// A page's `<main>` element, from its start tag to its end tag.
pub fn main_of(html: &str) -> &str {
    let start = html.find("<main").unwrap_or_else(|| panic!("no <main> in {html}"));
    let end = html[start..].find("</main>").map(|i| start + i + "</main>".len()).expect("</main> closes <main>");
    &html[start..end]
}

/// Every `href="..."` and `src="..."` value in an HTML text.
pub fn links_in(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    for attr in ["href=\"", "src=\""] {
        let mut rest = html;
        while let Some(i) = rest.find(attr) {
            rest = &rest[i + attr.len()..];
            if let Some(end) = rest.find('"') {
                out.push(rest[..end].replace("&amp;", "&"));
            }
        }
    }
    out
}
