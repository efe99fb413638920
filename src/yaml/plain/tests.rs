//! The plain reader against serde-saphyr: wherever it reads a text, both must give the same
//! keys, values and places, and serde-saphyr no warning.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use proptest::prelude::*;
use serde_json::{json, Value};

use super::read;
use crate::yaml::{parse_jekyll, Placed, Spanned};

/// serde-saphyr's reading of `text`, as front matter reads it.
fn saphyr(text: &str) -> Result<(BTreeMap<String, Placed>, usize), String> {
    let mut warnings = Vec::new();
    let map = parse_jekyll::<Option<BTreeMap<String, Spanned<Value>>>>(text, Path::new("p.md"), 2, &mut warnings)
        .map_err(|d| d.message)?;
    let map = map.unwrap_or_default().into_iter().map(|(k, v)| (k, Placed::from(v))).collect();
    Ok((map, warnings.len()))
}

/// Whether the plain reader read `text`; fails when it read it otherwise than serde-saphyr.
fn agrees(text: &str) -> bool {
    let Some(plain) = read(text) else { return false };
    match saphyr(text) {
        Ok((map, 0)) => assert_eq!(plain, map, "the readers differ on {text:?}"),
        Ok((_, warnings)) => panic!("serde-saphyr warns {warnings} times on {text:?}, which the plain reader read"),
        Err(message) => panic!("serde-saphyr refuses {text:?} ({message}), which the plain reader read"),
    }
    true
}

fn place(value: Value, line: u32, column: u32) -> Placed {
    Placed { value, line, column }
}

#[test]
fn reads_plain_front_matter_with_its_places() {
    let text = "title: \"Patch peer trigger\"\nkeywords: index, listener\ntags: [storage, tutorial]\n\
                empty:\ntoc: true\norder: 12\nlist:\n  - a\n  - 'b'\n";
    let map = read(text).expect("plain");
    assert!(agrees(text));
    assert_eq!(map["title"], place(json!("Patch peer trigger"), 1, 8));
    assert_eq!(map["tags"], place(json!(["storage", "tutorial"]), 3, 7));
    assert_eq!(map["empty"], place(Value::Null, 4, 6));
    assert_eq!(map["order"], place(json!(12), 6, 8));
    assert_eq!(map["list"], place(json!(["a", "b"]), 8, 3));
}

/// Texts the plain reader reads, each as serde-saphyr does.
#[test]
fn tricky_texts_it_reads_agree() {
    for text in [
        "a: yes\nb: on\nc: y\nd: No\ne: off\n",
        "a: true\nb: True\nc: TRUE\nd: false\ne: False\nf: FALSE\n",
        "a: ~\nb: null\nc: Null\nd: NULL\ne: nULL\n",
        "a: 0\nb: 12\nc: 18446744073709551615\n",
        "a: inf\nb: nan\nc: Infinity\nd: e3\ne: x1\n",
        "a: 10 minutes\nb: 1 2\nc: 2024-01-05 noon\nd: 3/4\n",
        "a: http://example.com/x?y=1#top\nb: C#\nc: a:b\n",
        "a: x  \nb: \"x\"  \nc: 'x'   \nd: [x]  \n",
        "a: \"\"\nb: ''\nc: \" spaced \"\nd: ' spaced '\n",
        "a: \"say \\\"hi\\\" \\\\ there\"\nb: 'it''s'\nc: '\"q\"'\nd: \"it's\"\n",
        "a: [a, 'b c', \"d\", 1, true, ~, null, ]\nb: []\nc: [ ]\nd: [ a , \"b\" ]\n",
        "a: café\nb: – dash\nc: \"日本\"\nd: [é, ü]\ne: a\u{A0}b\n",
        "a: x, y, z\nb: a [b] {c}\nc: x & y\nd: x * y\ne: 50%\nf: a!b\n",
        "tags:\n- a\n- b\nnext: 1\n",
        "tags:\n-   a\n",
        "tags:\n    - a\n    -   b\n",
        "tags:\n - a\n",
        "tags:\n\n\n  - a\n\n  - b\n\nx: 1\n",
        "tags:\n- \"a\"\n- 'b'\n- 1\n- true\n- ~\n",
        "a:\nb:\n",
        "a:   \nb: 1\n",
        "\n\ntitle: x\n\n",
        "_under: x\nwith-dash: y\nCaps: z\nk9: w\n",
        "a: x\n   \nb: y\n",
        "a: x\n",
        "a: x",
        "tags:\n- a",
    ] {
        assert!(agrees(text), "the plain reader should read {text:?}");
    }
}

/// Texts outside the subset, or where the reader would have to guess: serde-saphyr's.
#[test]
fn texts_outside_the_subset_go_to_serde_saphyr() {
    for text in [
        "a: 1e3\n",
        "a: 0x10\n",
        "a: .5\n",
        "a: 007\n",
        "a: 1_000\n",
        "a: +1\n",
        "a: -1\n",
        "a: 1.0\n",
        "a: 2024-01-05\n",
        "a: 18446744073709551616\n",
        "a: .inf\n",
        "a: value # comment\n",
        "# comment\na: 1\n",
        "a: [x] # comment\n",
        "a: \"x\" # comment\n",
        "a: x: y\n",
        "a: x:\n",
        "a: &anchor x\nb: *anchor\n",
        "a: !tag x\n",
        "a: |\n  block\n",
        "a: >\n  folded\n",
        "a: x\n  continued\n",
        "a: \"x\n  y\"\n",
        "a: 'x\n  y'\n",
        "a: [x,\n  y]\n",
        "a:\n  b: c\n",
        "a: {b: c}\n",
        "a: [[x]]\n",
        "a: [x, , y]\n",
        "a: [,]\n",
        "a: [x]y\n",
        "a: \"x\"y\n",
        "a: \"tab\\there\"\n",
        "a: \"\\u00e9\"\n",
        "a: x\tb\n",
        "a: x\r\nb: y\r\n",
        "a: x\nb: y\na: z\n",
        "\"a\": x\n",
        " a: x\n",
        "a:x\n",
        "true: x\n",
        "null: x\n",
        "a b: x\n",
        "a.b: x\n",
        "<<: x\n",
        "? a\n: b\n",
        "a: - x\n",
        "a: ? x\n",
        "a: @x\n",
        "a: `x`\n",
        "a: %x\n",
        "tags:\n-\n- b\n",
        "tags:\n- a: 1\n",
        "tags:\n- [a]\n",
        "tags:\n- - a\n",
        "tags:\n  - a\n- b\n",
        "tags:\n- a\n - b\n",
        "tags:\n  - a\n    b\n",
        "tags:\n  - a\n  # c\n",
        "\u{FEFF}a: x\n",
        "a: x\u{85}y\n",
        "a: x\u{2028}y\n",
        "%YAML 1.2\na: x\n",
    ] {
        assert!(read(text).is_none(), "the plain reader should leave {text:?} to serde-saphyr");
        // serde-saphyr may refuse it; either way it was not read here.
        let _ = saphyr(text);
    }
}

/// The front matter block of each page under `dir` (Markdown and HTML files).
fn front_matter_blocks(dir: &Path, out: &mut Vec<(PathBuf, String)>) {
    for entry in walkdir::WalkDir::new(dir).into_iter().filter_map(Result::ok) {
        let path = entry.path();
        let page = matches!(path.extension().and_then(|e| e.to_str()), Some("md" | "markdown" | "html"));
        if !page || !entry.file_type().is_file() {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(path) else { continue };
        if let Some(yaml) = crate::content::frontmatter::split(&text).yaml {
            out.push((path.to_path_buf(), yaml.to_string()));
        }
    }
}

/// Says that the test is skipped and why, where the test run is read, or fails it when
/// SIGNPOST_REQUIRE_CORPUS=1, as in CI (the same rule as tests/common's `skip`).
fn skip(why: &str) {
    let required = std::env::var("SIGNPOST_REQUIRE_CORPUS").is_ok_and(|v| v == "1");
    assert!(!required, "cannot run: {why}; SIGNPOST_REQUIRE_CORPUS=1 asks that it does");
    use std::io::Write;
    let test = std::thread::current().name().unwrap_or("a test").to_string();
    let _ = writeln!(std::io::stderr().lock(), "SKIPPED {test}: {why} (with SIGNPOST_REQUIRE_CORPUS=1 this fails)");
}

/// Every front matter block of ../shared: the NHS portals (sites), the Jekyll corpus
/// (corpus), and the benchmark corpus that ../shared/bench/gen_corpus.py writes, in each of
/// its formats. The benchmark corpus must be read here whole.
#[test]
fn both_readers_agree_on_every_front_matter_of_shared() {
    let shared = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared");
    if !shared.is_dir() {
        return skip("../shared is absent, so its front matter cannot be read");
    }
    for part in ["sites", "corpus"] {
        let mut blocks = Vec::new();
        front_matter_blocks(&shared.join(part), &mut blocks);
        assert!(!blocks.is_empty(), "no front matter under ../shared/{part}");
        let read_here = blocks.iter().filter(|(_, yaml)| agrees(yaml)).count();
        // CRLF line ends are always serde-saphyr's.
        assert!(blocks.iter().all(|(_, yaml)| !yaml.contains('\n') || read(&yaml.replace('\n', "\r\n")).is_none()));
        eprintln!("../shared/{part}: {} front matter blocks, {read_here} read by the plain reader", blocks.len());
    }

    let gen = shared.join("bench/gen_corpus.py");
    let dir = tempfile::tempdir().unwrap();
    for format in ["plain", "jekyll", "hugo"] {
        let out = dir.path().join(format);
        let status = std::process::Command::new("python3")
            .arg(&gen)
            .args(["--pages", "300", "--format", format, "--out"])
            .arg(&out)
            .stdout(std::process::Stdio::null())
            .status();
        if !status.is_ok_and(|s| s.success()) {
            return skip(&format!("python3 {} did not run", gen.display()));
        }
        let mut blocks = Vec::new();
        front_matter_blocks(&out, &mut blocks);
        let read_here = blocks.iter().filter(|(_, yaml)| agrees(yaml)).count();
        eprintln!("gen_corpus.py --format {format}: {} front matter blocks, {read_here} read", blocks.len());
        if format == "plain" {
            assert!(blocks.len() >= 300 && read_here == blocks.len(), "{read_here} of {}", blocks.len());
        }
    }
}

/// Front matter made of the pieces it is made of, put together at random: `key: value`
/// lines, list items and lines of anything, most pieces plain and some not. Wherever the
/// plain reader reads one, serde-saphyr reads it the same.
fn line() -> impl Strategy<Value = String> {
    let plain = prop::sample::select(vec!["x", "word", " ", "1", "0", "12", "é", "true", "null", "~", "- ", "[a, b]"]);
    let special = prop::sample::select(vec![
        "  ", "-", ":", ": ", "[", "]", ", ", ",", "\"", "'", "''", "\\", "\\\"", "#", " #", ".", "e", "False",
        "\u{A0}", "&", "*", "!", "|", ">", "{", "}", "?", "%", "@", "\t", "\r",
    ]);
    let piece = prop_oneof![3 => plain, 1 => special];
    let value = prop::collection::vec(piece, 0..5).prop_map(|p| p.concat());
    // `{n}` becomes the line's number, so that most keys are distinct.
    let key = prop::sample::select(vec!["title{n}", "tags{n}", "a{n}", "_k{n}", "k-{n}", "true", "title"]);
    prop_oneof![
        4 => (key.clone(), value.clone()).prop_map(|(k, v)| format!("{k}: {v}")),
        1 => key.prop_map(|k| format!("{k}:")),
        2 => (prop::sample::select(vec!["", " ", "  ", "    "]), value.clone()).prop_map(|(i, v)| format!("{i}- {v}")),
        1 => value,
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 20000, ..ProptestConfig::default() })]
    #[test]
    fn pieces_of_front_matter_read_alike(lines in prop::collection::vec(line(), 1..6)) {
        let lines: Vec<String> = lines.iter().enumerate().map(|(n, l)| l.replace("{n}", &n.to_string())).collect();
        agrees(&lines.join("\n"));
    }
}
