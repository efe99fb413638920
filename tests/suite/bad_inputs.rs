//! A catalogue of hostile and broken inputs (issue 15). Every case runs the real binary
//! on a small site, under a bound on time and memory enforced by the kernel and by
//! killing the child (not by timing assertions), and asserts the diagnostic's kind, its
//! file:line:col, the exit status, and that the previous output is untouched.

use crate::common;

use std::collections::BTreeMap;
use std::io::Read;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::Fixture;

/// A debug build on a busy machine: generous, but a hang or a quadratic blow-up on
/// these inputs (tens of seconds in a release build) still ends here.
const TIME_LIMIT: Duration = Duration::from_secs(120);
/// Address space for the child (RLIMIT_AS): a runaway allocation aborts instead of
/// taking the machine. Virtual, so it leaves room for thread stacks and malloc arenas.
const MEMORY_LIMIT: u64 = 3 << 30;

struct Run {
    /// The exit status; `None` when a signal ended the child.
    status: Option<i32>,
    stdout: String,
    stderr: String,
}

/// Runs `signpost ARGS` in `dir` under [`TIME_LIMIT`] and [`MEMORY_LIMIT`].
fn run_bounded(dir: &Path, args: &[&str]) -> Run {
    let mut command = Command::new(env!("CARGO_BIN_EXE_signpost"));
    command.args(args).current_dir(dir).stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
    // SAFETY: setrlimit is async-signal-safe; nothing else runs between fork and exec.
    unsafe {
        command.pre_exec(|| {
            let limit = libc::rlimit { rlim_cur: MEMORY_LIMIT, rlim_max: MEMORY_LIMIT };
            if libc::setrlimit(libc::RLIMIT_AS, &limit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let mut child = command.spawn().expect("run signpost");
    let mut out_pipe = child.stdout.take().unwrap();
    let mut err_pipe = child.stderr.take().unwrap();
    let out_reader = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = out_pipe.read_to_end(&mut s);
        s
    });
    let err_reader = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = err_pipe.read_to_end(&mut s);
        s
    });
    let deadline = Instant::now() + TIME_LIMIT;
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for signpost") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("signpost {args:?} was still running after {TIME_LIMIT:?} and was killed");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let stdout = String::from_utf8_lossy(&out_reader.join().unwrap()).into_owned();
    let stderr = String::from_utf8_lossy(&err_reader.join().unwrap()).into_owned();
    Run { status: status.code(), stdout, stderr }
}

/// A small site with a page of headings, a tag, a sidebar and a process diagram.
fn site() -> Fixture {
    let site = Fixture::empty();
    site.write("site.yaml", "title: Hostile inputs\nsidebar: main\n");
    site.write(
        "content/_data/sidebars/main.yml",
        "entries:\n- title: sidebar\n  folders:\n  - title: Start\n    folderitems:\n    - title: Home\n      url: /index.html\n",
    );
    site.write("content/index.md", "---\ntitle: Home\ntags: [alpha]\n---\nWelcome. Read the [guide](guide.html).\n");
    site.write(
        "content/guide.md",
        "---\ntitle: Guide\n---\n## Apply\n\n{% include process.html id=\"flow\" %}\n\n### Details\n\n## Review\n\nText.\n",
    );
    site.write("content/notes.txt", "Notes beside the guide.\n");
    site.write(
        "diagrams/flow.yaml",
        "id: flow\ntitle: Application\nlanes:\n  - id: team\n    title: Team\nstages:\n  - id: apply\n    title: Apply\n    lane: team\n    next: [review]\n  - id: review\n    title: Review\n    lane: team\n",
    );
    site
}

/// `Fixture::write` for a closure that returns nothing.
fn put(site: &Fixture, path: &str, text: &str) {
    site.write(path, text);
}

fn write_bytes(site: &Fixture, path: &str, bytes: &[u8]) {
    let p = site.root.join(path);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, bytes).unwrap();
}

/// Output folder of the site's default build, relative path -> bytes.
fn output(site: &Fixture) -> BTreeMap<String, Vec<u8>> {
    common::tree(&site.root.join("public"))
}

/// Builds the site cleanly, applies `change`, builds again under the bounds and asserts
/// the failure: exit `status`, `kind` in the message, `at` (file:line:col) as the place,
/// the previous output byte for byte, and no temporary folder left behind.
fn refused(change: impl FnOnce(&Fixture), kind: &str, at: &str, status: i32) -> String {
    refused_in(site(), change, kind, at, status)
}

fn refused_in(site: Fixture, change: impl FnOnce(&Fixture), kind: &str, at: &str, status: i32) -> String {
    let first = run_bounded(&site.root, &["build"]);
    assert_eq!(first.status, Some(0), "the site builds before the change:\n{}", first.stderr);
    let before = output(&site);
    change(&site);
    let run = run_bounded(&site.root, &["build"]);
    assert_eq!(run.status, Some(status), "exit status; stdout:\n{}\nstderr:\n{}", run.stdout, run.stderr);
    assert!(run.stderr.contains(&format!("error[{kind}]")), "expected error[{kind}] in:\n{}", run.stderr);
    assert!(run.stderr.contains(&format!("--> {at}")), "expected --> {at} in:\n{}", run.stderr);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    assert_eq!(output(&site), before, "the previous output is untouched");
    assert_eq!(leftovers(&site.root), Vec::<String>::new(), "no temporary folders are left");
    run.stderr
}

/// Builds the site after `change` and asserts it builds (within the bounds).
fn builds(change: impl FnOnce(&Fixture)) -> Fixture {
    let site = site();
    change(&site);
    let run = run_bounded(&site.root, &["build", "--quiet"]);
    assert_eq!(run.status, Some(0), "stderr:\n{}", run.stderr);
    site
}

fn leftovers(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".building-") || n.contains(".old-"))
        .collect()
}

fn symlink(target: &Path, link: &Path) {
    std::fs::create_dir_all(link.parent().unwrap()).unwrap();
    std::os::unix::fs::symlink(target, link).unwrap();
}

/// A file outside the site standing in for `/etc/shadow`.
fn secret_outside(site: &Fixture) -> PathBuf {
    let secret = site.root.parent().unwrap().join("secret.txt");
    std::fs::write(&secret, "TOP-SECRET-LINE\n").unwrap();
    secret
}

fn page(site: &Fixture, name: &str, front: &str, body: &str) {
    site.write(&format!("content/{name}"), &format!("---\n{front}---\n{body}"));
}

// --- The output folder ---------------------------------------------------------------

#[test]
fn out_folder_of_someone_elses_files_is_refused_and_kept() {
    let site = site();
    site.write("work/thesis.txt", "years of work\n");
    let run = run_bounded(&site.root, &["build", "--out", "work"]);
    assert_eq!(run.status, Some(2), "{}", run.stderr);
    assert!(run.stderr.contains("error[usage]") && run.stderr.contains("did not write"), "{}", run.stderr);
    assert!(run.stderr.contains("choose an empty or new folder"), "says how to proceed: {}", run.stderr);
    assert_eq!(std::fs::read_to_string(site.root.join("work/thesis.txt")).unwrap(), "years of work\n");
    assert_eq!(leftovers(&site.root), Vec::<String>::new());
}

#[test]
fn out_file_is_refused_and_kept() {
    let site = site();
    site.write("report.pdf", "not a folder\n");
    let run = run_bounded(&site.root, &["build", "--out", "report.pdf"]);
    assert_eq!(run.status, Some(2), "{}", run.stderr);
    assert!(run.stderr.contains("error[usage]") && run.stderr.contains("is a file"), "{}", run.stderr);
    assert_eq!(std::fs::read_to_string(site.root.join("report.pdf")).unwrap(), "not a folder\n");
    assert_eq!(leftovers(&site.root), Vec::<String>::new(), "no .report.pdf.old-PID");
}

#[test]
fn out_symlink_is_refused_and_its_target_kept() {
    let site = site();
    site.write("elsewhere/keep.txt", "kept\n");
    symlink(&site.root.join("elsewhere"), &site.root.join("linked"));
    let run = run_bounded(&site.root, &["build", "--out", "linked"]);
    assert_eq!(run.status, Some(2), "{}", run.stderr);
    assert!(run.stderr.contains("symbolic link"), "{}", run.stderr);
    assert!(site.root.join("linked/keep.txt").exists());
}

#[test]
fn out_folder_empty_or_written_by_signpost_is_replaced() {
    let site = site();
    std::fs::create_dir_all(site.root.join("empty")).unwrap();
    assert_eq!(run_bounded(&site.root, &["build", "--out", "empty"]).status, Some(0));
    assert!(site.root.join("empty/index.html").exists());
    assert!(site.root.join("empty/.signpost-output").exists(), "the build marks its output");
    let again = run_bounded(&site.root, &["build", "--out", "empty"]);
    assert_eq!(again.status, Some(0), "a folder an earlier build wrote is replaced: {}", again.stderr);
}

#[test]
fn leftovers_of_a_killed_build_are_cleaned_up() {
    let site = site();
    // No process has this id (above the kernel's pid_max).
    site.write(".public.building-4199999999/index.html", "half written\n");
    site.write(".public.old-4199999999/index.html", "old\n");
    assert_eq!(run_bounded(&site.root, &["build"]).status, Some(0));
    assert_eq!(leftovers(&site.root), Vec::<String>::new());
}

// --- Files from outside the site -------------------------------------------------------

#[test]
fn include_relative_through_a_symlink_out_of_the_site() {
    let err = refused(
        |s| {
            let secret = secret_outside(s);
            symlink(&secret, &s.root.join("content/leak.txt"));
            page(s, "leak.md", "title: Leak\n", "Before\n\n{% include_relative leak.txt %}\n");
        },
        "include-relative",
        "content/leak.md:6:1",
        1,
    );
    assert!(err.contains("outside content/") && !err.contains("TOP-SECRET"), "{err}");
}

#[test]
fn include_relative_through_a_symlinked_folder() {
    refused(
        |s| {
            let secret = secret_outside(s);
            symlink(secret.parent().unwrap(), &s.root.join("content/up"));
            page(s, "leak.md", "title: Leak\n", "{% include_relative up/secret.txt %}\n");
        },
        "include-relative",
        "content/leak.md:4:1",
        1,
    );
}

#[test]
fn include_relative_climbing_out() {
    refused(
        |s| page(s, "climb.md", "title: Climb\n", "{% include_relative ../../../../etc/passwd %}\n"),
        "include-relative",
        "content/climb.md:4:1",
        1,
    );
}

#[test]
fn site_include_through_a_symlink_out_of_the_site() {
    refused(
        |s| {
            let secret = secret_outside(s);
            symlink(&secret, &s.root.join("_includes/leak.html"));
            page(s, "leak.md", "title: Leak\n", "Text\n\n{% include leak.html %}\n");
        },
        "include",
        "content/leak.md:6:1",
        1,
    );
}

#[test]
fn include_climbing_out() {
    refused(
        |s| page(s, "climb.md", "title: Climb\n", "{% include ../../etc/passwd %}\n"),
        "unknown-include",
        "content/climb.md:4:1",
        1,
    );
}

#[test]
fn process_id_climbing_out() {
    refused(
        |s| page(s, "climb.md", "title: Climb\n", "{% include process.html id=\"../../etc/passwd\" %}\n"),
        "unknown-process",
        "content/climb.md:4:1",
        1,
    );
}

// --- Permalinks --------------------------------------------------------------------

fn permalink_clash(permalink: &str) -> String {
    refused(
        |s| page(s, "clash.md", &format!("title: Clash\npermalink: {permalink}\n"), "Text\n"),
        "permalink",
        "content/clash.md:3:12",
        1,
    )
}

#[test]
fn permalink_over_the_sitemap() {
    assert!(permalink_clash("/sitemap.xml").contains("the sitemap"));
}

#[test]
fn permalink_over_the_404_page() {
    assert!(permalink_clash("/404.html").contains("the 404 page"));
}

#[test]
fn permalink_over_a_theme_asset() {
    assert!(permalink_clash("/assets/diagram.css").contains("diagram stylesheet"));
}

#[test]
fn permalink_over_a_tag_page() {
    assert!(permalink_clash("/tags/alpha.html").contains("tag `alpha`"));
}

#[test]
fn permalink_over_the_search_page() {
    assert!(permalink_clash("/search.html").contains("the search page"));
}

#[test]
fn permalink_inside_the_search_index() {
    assert!(permalink_clash("/search-index/meta.json").contains("the search index"));
}

#[test]
fn permalink_over_a_content_file() {
    assert!(permalink_clash("/notes.txt").contains("content/notes.txt"));
}

#[test]
fn permalink_holding_a_line_break() {
    refused(
        |s| page(s, "nl.md", "title: NL\npermalink: \"a\\nb.html\"\n", "Text\n"),
        "permalink",
        "content/nl.md:3:12",
        1,
    );
}

#[test]
fn permalink_too_long_for_a_file_name() {
    let long = "x".repeat(300);
    let err = refused(
        |s| page(s, "long.md", &format!("title: Long\npermalink: /{long}.html\n"), "Text\n"),
        "permalink",
        "content/long.md:3:12",
        1,
    );
    assert!(err.contains("at most 255"), "{err}");
}

#[test]
fn permalink_climbing_out() {
    refused(
        |s| page(s, "up.md", "title: Up\npermalink: ../../up.html\n", "Text\n"),
        "permalink",
        "content/up.md:3:12",
        1,
    );
}

#[test]
fn duplicate_permalink() {
    refused(
        |s| page(s, "twin.md", "title: Twin\npermalink: guide.html\n", "Text\n"),
        "duplicate-permalink",
        "content/twin.md:3:12",
        1,
    );
}

// --- Stage links -------------------------------------------------------------------

fn stage_link(link: &str) -> String {
    refused(
        |s| {
            let flow = std::fs::read_to_string(s.root.join("diagrams/flow.yaml")).unwrap();
            s.write(
                "diagrams/flow.yaml",
                &flow.replace("    next: [review]\n", &format!("    next: [review]\n    link: {link}\n")),
            );
        },
        "process-link",
        "diagrams/flow.yaml:11:11",
        1,
    )
}

#[test]
fn stage_link_control_character_before_javascript() {
    stage_link("\"\\x01javascript:alert(1)\"");
}

#[test]
fn stage_link_javascript_split_by_a_tab() {
    stage_link("\"java\\tscript:alert(1)\"");
}

#[test]
fn stage_link_vbscript() {
    stage_link("\"VBScript:msgbox(1)\"");
}

#[test]
fn stage_link_data() {
    stage_link("\"data:text/html,<script>alert(1)</script>\"");
}

// --- Pages -------------------------------------------------------------------------

#[test]
fn front_matter_never_closed() {
    refused(|s| put(s, "content/open.md", "---\ntitle: Open\n\nBody text\n"), "front-matter", "content/open.md:1:1", 1);
}

#[test]
fn empty_page() {
    refused(|s| put(s, "content/empty.md", ""), "front-matter", "content/empty.md:1:1", 1);
}

#[test]
fn blank_page() {
    refused(|s| put(s, "content/blank.md", "\n  \n\t\n"), "front-matter", "content/blank.md:1:1", 1);
}

#[test]
fn missing_title() {
    refused(|s| page(s, "untitled.md", "summary: none\n", "Text\n"), "front-matter", "content/untitled.md:1:1", 1);
}

#[test]
fn title_of_the_wrong_type() {
    refused(|s| page(s, "typed.md", "title: [a, b]\n", "Text\n"), "front-matter", "content/typed.md:2:8", 1);
}

#[test]
fn nul_byte_in_a_page() {
    refused(
        |s| write_bytes(s, "content/nul.md", b"---\ntitle: Nul\n---\nab\0cd\n"),
        "encoding",
        "content/nul.md:4:3",
        1,
    );
}

#[test]
fn page_not_utf8() {
    refused(
        |s| write_bytes(s, "content/latin1.md", b"---\ntitle: Caf\xe9\n---\n"),
        "encoding",
        "content/latin1.md:2:11",
        1,
    );
}

#[test]
fn yaml_alias_bomb_in_front_matter() {
    let mut yaml = String::from("title: Bomb\na0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..12 {
        let p = i - 1;
        yaml.push_str(&format!("a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"));
    }
    refused(|s| page(s, "bomb.md", &yaml, "Text\n"), "yaml", "content/bomb.md:", 1);
}

#[test]
fn deeply_nested_yaml_in_front_matter() {
    let deep = format!("title: Deep\nx: {}{}\n", "[".repeat(100_000), "]".repeat(100_000));
    refused(|s| page(s, "deep.md", &deep, "Text\n"), "yaml", "content/deep.md:", 1);
}

#[test]
fn fifty_megabyte_page_builds_within_the_bounds() {
    let site = builds(|s| {
        let line = "A line of ordinary prose, repeated to make a very large page.\n\n";
        page(s, "huge.md", "title: Huge\nsearch: exclude\n", &line.repeat(50 * 1024 * 1024 / line.len()));
    });
    assert!(site.root.join("public/huge.html").metadata().unwrap().len() > 50_000_000);
}

#[test]
fn ten_thousand_headings_build_within_the_bounds() {
    let site = builds(|s| {
        let body: String = (0..10_000).map(|i| format!("## Part {i}\n\n### Detail {i}\n\n")).collect();
        page(s, "long.md", "title: Long\nsearch: exclude\n", &body);
    });
    let html = std::fs::read_to_string(site.root.join("public/long.html")).unwrap();
    assert!(
        html.contains("<li><a href=\"#part-9999\">Part 9999</a>\n<ol class=\"sp-toc-sublist\">"),
        "nested contents"
    );
}

#[test]
fn deeply_nested_markdown_builds() {
    builds(|s| page(s, "quotes.md", "title: Quotes\n", &format!("{}deep\n", "> ".repeat(5_000))));
}

// --- Configuration, sidebars, diagrams --------------------------------------------

#[test]
fn site_yaml_not_utf8() {
    refused(
        |s| write_bytes(s, "site.yaml", b"title: Hostile inputs\nsidebar: main\nfooter: \xff\n"),
        "encoding",
        "site.yaml:3:9",
        1,
    );
}

#[test]
fn sidebar_not_utf8() {
    refused(
        |s| write_bytes(s, "content/_data/sidebars/main.yml", b"entries:\n- title: \xfe\n"),
        "encoding",
        "content/_data/sidebars/main.yml:2:10",
        1,
    );
}

#[test]
fn diagram_not_utf8() {
    refused(
        |s| write_bytes(s, "diagrams/flow.yaml", b"id: flow\ntitle: \xc3\x28\n"),
        "encoding",
        "diagrams/flow.yaml:2:8",
        1,
    );
}

#[test]
fn unknown_site_yaml_key() {
    refused(|s| put(s, "site.yaml", "title: Hostile inputs\nsidebar: main\nthem: dark\n"), "yaml", "site.yaml:3:1", 1);
}

fn service_site(extra: &str) -> String {
    format!("title: Hostile inputs\nsidebar: main\nservices:\n  - id: svc\n    title: Service\n{extra}")
}

#[test]
fn colour_injecting_css() {
    refused(
        |s| put(s, "site.yaml", &service_site("    colours: { primary: \"red;}body{display:none\" }\n")),
        "config",
        "site.yaml:6:",
        1,
    );
}

#[test]
fn colour_closing_the_style_element() {
    refused(
        |s| {
            put(
                s,
                "site.yaml",
                &service_site("    colours:\n      accent: \"#fff</style><script>alert(1)</script>\"\n"),
            );
        },
        "config",
        "site.yaml:7:",
        1,
    );
}

#[test]
fn service_content_folder_climbing_out() {
    refused(|s| put(s, "site.yaml", &service_site("    content: ../../etc\n")), "config", "site.yaml:6:5", 1);
}

#[test]
fn service_content_folder_absolute() {
    refused(|s| put(s, "site.yaml", &service_site("    content: /etc\n")), "config", "site.yaml:6:5", 1);
}

#[test]
fn unknown_stage_in_the_process() {
    refused(
        |s| {
            let flow = std::fs::read_to_string(s.root.join("diagrams/flow.yaml")).unwrap();
            s.write("diagrams/flow.yaml", &flow.replace("next: [review]", "next: [reveiw]"));
        },
        "unknown-stage",
        "diagrams/flow.yaml:10:12",
        1,
    );
}

#[test]
fn missing_site_yaml_is_a_usage_error() {
    let site = site();
    std::fs::remove_file(site.root.join("site.yaml")).unwrap();
    let run = run_bounded(&site.root, &["build"]);
    assert_eq!(run.status, Some(2), "{}", run.stderr);
    assert!(run.stderr.contains("error[io]") && run.stderr.contains("signpost new"), "{}", run.stderr);
}

#[test]
fn theme_include_error_names_the_themes_file() {
    refused(
        |s| {
            put(s, "site.yaml", "title: Hostile inputs\nsidebar: main\ntheme: mini\n");
            put(s, "themes/mini/templates/page.html", "{% include \"bad.html\" %}\n");
            put(s, "themes/mini/includes/bad.html", "line one\n{{ page.title | nofilter }}\n");
        },
        "template",
        "themes/mini/includes/bad.html:2:17",
        1,
    );
}

#[test]
fn out_folder_that_cannot_be_made_names_its_path() {
    let site = site();
    site.write("report.pdf", "a file where a folder would go\n");
    let run = run_bounded(&site.root, &["build", "--out", "report.pdf/public"]);
    assert_eq!(run.status, Some(2), "{}", run.stderr);
    assert!(run.stderr.contains("error[io]") && run.stderr.contains("report.pdf"), "{}", run.stderr);
    assert_eq!(std::fs::read_to_string(site.root.join("report.pdf")).unwrap(), "a file where a folder would go\n");
}

#[test]
fn sidebar_link_running_script() {
    refused(
        |s| {
            let sidebar = std::fs::read_to_string(s.root.join("content/_data/sidebars/main.yml")).unwrap();
            put(s, "content/_data/sidebars/main.yml", &sidebar.replace("/index.html", "\" jaVa\\tscript:alert(1)\""));
        },
        "sidebar-link",
        "content/_data/sidebars/main.yml:7:12",
        1,
    );
}
