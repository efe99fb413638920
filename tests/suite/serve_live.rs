//! The watch server end to end: files edited, created, renamed and deleted on disk are
//! picked up by the watcher, the served pages change, and each open page's reload stream
//! says `reload` once the rebuild is served; a broken edit shows its error and keeps the
//! old page until it is fixed; a stylesheet is swapped without a reload.

use crate::common;
use crate::serve_support;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use common::{copy_tree, Fixture};
use serve_support::{eventually, save_atomically, Served};

/// The basic fixture with the default theme on disk, so its files can be edited.
fn site() -> Fixture {
    let fixture = Fixture::copy_of("basic");
    let theme = Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default");
    copy_tree(&theme, &fixture.root.join("themes/default"));
    fixture
}

#[test]
fn edits_creations_renames_and_deletions_reload_the_page() {
    let s = Served::start(site());
    let mut open = s.listen("guide/setup.html");
    s.save("content/guide/setup.md", |t| t.replace("## Request access", "## Request access\n\nEdited on disk."));
    open.wait_for("reload");
    assert!(s.get("/guide/setup.html").body.contains("Edited on disk."), "served before the reload is sent");

    let mut waiting = s.listen("guide/new.html");
    std::fs::write(s.fixture.root.join("content/guide/new.md"), "---\ntitle: New\n---\nBrand new page.\n").unwrap();
    waiting.wait_for("reload");
    assert!(s.get("/guide/new.html").body.contains("Brand new page."));

    let mut moved = s.listen("guide/new.html");
    std::fs::rename(s.fixture.root.join("content/guide/new.md"), s.fixture.root.join("content/guide/newer.md"))
        .unwrap();
    moved.wait_for("reload");
    assert_eq!(s.get("/guide/new.html").status, 404);
    assert!(s.get("/guide/newer.html").body.contains("Brand new page."));

    let mut deleted = s.listen("guide/newer.html");
    std::fs::remove_file(s.fixture.root.join("content/guide/newer.md")).unwrap();
    deleted.wait_for("reload");
    assert_eq!(s.get("/guide/newer.html").status, 404);

    let mut nested = s.listen("deep/er/page.html");
    s.fixture.write("content/deep/er/page.md", "---\ntitle: Deep\n---\nIn a new folder.\n");
    nested.wait_for("reload");
    assert!(s.get("/deep/er/page.html").body.contains("In a new folder."));
}

#[test]
fn other_pages_are_not_reloaded() {
    let s = Served::start(site());
    let mut other = s.listen("overview.html");
    s.edit("content/guide/setup.md", |t| t + "\nMore.\n");
    other.wait_for("built");
    assert!(!other.seen.iter().any(|(name, _)| name == "reload"), "{:?}", other.seen);
}

#[test]
fn a_broken_edit_shows_its_error_and_keeps_the_page_until_fixed() {
    let s = Served::start(site());
    let page = s.fixture.root.join("content/guide/setup.md");
    let good = std::fs::read_to_string(&page).unwrap();
    let before = built(&s, "guide/setup.html");
    let mut open = s.listen("guide/setup.html");
    assert!(open.seen.iter().any(|(name, data)| name == "errors" && data == "[]"), "no errors at first");

    save_atomically(&page, &good.replace("title: Set up", "title: [Set up"));
    let errors = open.wait_for("errors");
    assert!(errors.contains("\"file\":\"content/guide/setup.md\""), "{errors}");
    assert!(errors.contains("\"line\":") && errors.contains("\"column\":"), "{errors}");
    assert!(errors.contains("--> content/guide/setup.md:"), "the compiler-style text: {errors}");
    assert_eq!(built(&s, "guide/setup.html"), before, "the last good page stays");

    save_atomically(&page, &good.replace("## Request access", "## Request access\n\nFixed."));
    assert_eq!(open.wait_for("errors"), "[]");
    open.wait_for("reload");
    assert!(s.get("/guide/setup.html").body.contains("Fixed."));
}

/// An output file as served now, without the live script.
fn built(s: &Served, file: &str) -> Vec<u8> {
    s.server().snapshot().files[file].bytes.to_vec()
}

#[test]
fn a_stylesheet_change_swaps_it_without_a_reload() {
    let s = Served::start(site());
    let mut open = s.listen("overview.html");
    s.save("themes/default/static/assets/signpost.css", |t| t + "\n.sp-edited { color: red }\n");
    let swap = open.wait_for("css");
    assert!(swap.contains("assets/signpost.css"), "{swap}");
    open.wait_for("built");
    assert!(!open.seen.iter().any(|(name, _)| name == "reload"), "{:?}", open.seen);
    assert!(s.get("/assets/signpost.css").body.contains(".sp-edited"));
}

#[test]
fn editor_temporary_files_and_the_output_folder_are_ignored() {
    let s = Served::start(site());
    let mut open = s.listen("overview.html");
    let root = &s.fixture.root;
    std::fs::write(root.join("content/.overview.md.swp"), "x").unwrap();
    std::fs::write(root.join("content/overview.md~"), "x").unwrap();
    std::fs::write(root.join("content/4913"), "x").unwrap();
    std::fs::write(root.join("content/.#overview.md"), "x").unwrap();
    std::fs::create_dir_all(root.join("public")).unwrap();
    std::fs::write(root.join("public/index.html"), "x").unwrap();
    let events = open.drain(Duration::from_millis(600));
    assert!(events.is_empty(), "no rebuild: {events:?}");
    assert_eq!(s.get("/4913").status, 404);
}

#[test]
fn polling_sees_changes_too() {
    let s = Served::start_with(site(), true);
    let mut open = s.listen("overview.html");
    s.edit("content/overview.md", |t| t + "\nPolled.\n");
    open.wait_for("reload");
    assert!(s.get("/overview.html").body.contains("Polled."));
}

#[test]
fn site_yaml_rebuilds_everything() {
    let s = Served::start(site());
    let mut open = s.listen("guide/setup.html");
    s.save("site.yaml", |t| t.replace("title: Fixture portal", "title: Renamed portal"));
    open.wait_for("reload");
    eventually("the new title", || s.get("/guide/setup.html").body.contains("Renamed portal"));
}

#[test]
fn a_source_folder_made_after_the_start_is_watched() {
    let s = Served::start(site());
    let mut open = s.listen("overview.html");
    s.fixture.write("diagrams/flow.yaml", "id: flow\ntitle: Flow\n");
    open.wait_for("built");
    // Seen only if the new folder is watched itself, not just noticed in the root.
    s.edit("diagrams/flow.yaml", |t| t.replace("title: Flow", "title: Flow edited"));
    open.wait_for("built");
}

#[test]
fn the_command_prints_its_address_and_refuses_a_busy_port() {
    let fixture = site();
    let mut child = Command::new(env!("CARGO_BIN_EXE_signpost"))
        .args(["serve", "--port", "0", "--root"])
        .arg(&fixture.root)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    while !line.starts_with("Serving ") {
        line.clear();
        assert!(std::io::BufRead::read_line(&mut out, &mut line).unwrap() > 0, "no address printed");
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(line.starts_with("Serving http://127.0.0.1:"), "{line}");

    let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = busy.local_addr().unwrap().port().to_string();
    let run = Command::new(env!("CARGO_BIN_EXE_signpost"))
        .args(["serve", "--port", &port, "--root"])
        .arg(&fixture.root)
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(stderr.contains(&format!("port {port} on 127.0.0.1 is in use")), "{stderr}");
}

#[test]
fn the_search_index_is_made_when_the_author_pauses() {
    let s = Served::start(site());
    eventually("the search index", || s.get("/search-index/index.json").status == 200);
    let index_files = |s: &Served| {
        let snapshot = s.server().snapshot();
        snapshot.files.iter().filter(|(p, _)| p.starts_with("search-index/")).map(|(_, f)| f.version).max()
    };
    let before = index_files(&s);
    s.edit("content/overview.md", |t| t + "\nA word to find: zanzibar.\n");
    eventually("the index made again", || index_files(&s) > before);
}

/// The basic site with a process placed on the overview, whose stage links to a section.
fn site_with_process() -> Fixture {
    let fixture = site();
    fixture.write(
        "diagrams/flow.yaml",
        "id: flow\ntitle: Flow\nlanes:\n  - id: you\n    title: You\nstages:\n  - id: ask\n    title: Ask\n    lane: you\n    link: guide/setup.html#request-access\n",
    );
    let overview = std::fs::read_to_string(fixture.root.join("content/overview.md")).unwrap();
    fixture.write("content/overview.md", &format!("{overview}\n{{% include process.html id=\"flow\" %}}\n"));
    fixture
}

#[test]
fn what_build_would_refuse_is_shown_as_soon_as_it_is_saved_and_cleared_when_fixed() {
    let s = Served::start(site_with_process());
    let mut open = s.listen("overview.html");
    assert!(open.seen.iter().any(|(name, data)| name == "errors" && data == "[]"), "no errors at first");

    s.save("diagrams/flow.yaml", |t| t.replace("#request-access", "#request-acess"));
    let errors = open.wait_for("errors");
    assert!(errors.contains("\"kind\":\"broken-stage-link\""), "{errors}");
    assert!(errors.contains("\"file\":\"diagrams/flow.yaml\""), "{errors}");
    assert!(errors.contains("\"stale\":false"), "the pages are up to date: {errors}");
    assert!(errors.contains("did you mean"), "the hint: {errors}");
    s.save("diagrams/flow.yaml", |t| t.replace("#request-acess", "#request-access"));
    assert_eq!(open.wait_for("errors"), "[]");

    s.save("content/overview.md", |t| t + "\nSee the [call](scall.html).\n");
    let errors = open.wait_for("errors");
    assert!(errors.contains("\"kind\":\"broken-link\""), "{errors}");
    assert!(errors.contains("\"file\":\"content/overview.md\""), "{errors}");
    assert!(errors.contains("scall.html"), "{errors}");
    open.wait_for("reload");
    assert!(s.get("/overview.html").body.contains("scall.html"), "the edit is served");
    s.save("content/overview.md", |t| t.replace("[call](scall.html)", "[call](guide/setup.html)"));
    assert_eq!(open.wait_for("errors"), "[]");
}

#[test]
fn the_check_warnings_are_sent_beside_the_errors() {
    let s = Served::start(site());
    let mut open = s.listen("overview.html");
    s.fixture.write("content/lonely.md", "---\ntitle: Lonely\n---\nNothing links here.\n");
    let mut warnings = open.wait_for("warnings");
    while !warnings.contains("lonely") {
        warnings = open.wait_for("warnings");
    }
    assert!(warnings.contains("\"kind\":\"orphan-page\""), "{warnings}");
    s.fixture.remove("content/lonely.md");
    while warnings.contains("lonely") {
        warnings = open.wait_for("warnings");
    }
}

#[test]
fn the_terminal_shows_what_build_would_refuse_and_says_when_it_is_fixed() {
    let fixture = site_with_process();
    let mut child = Command::new(env!("CARGO_BIN_EXE_signpost"))
        .args(["serve", "--port", "0", "--root"])
        .arg(&fixture.root)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (send, lines) = std::sync::mpsc::channel::<String>();
    for stream in [
        Box::new(child.stdout.take().unwrap()) as Box<dyn std::io::Read + Send>,
        Box::new(child.stderr.take().unwrap()),
    ] {
        let send = send.clone();
        std::thread::spawn(move || {
            for line in std::io::BufRead::lines(std::io::BufReader::new(stream)).map_while(Result::ok) {
                let _ = send.send(line);
            }
        });
    }
    let mut seen = String::new();
    let mut wait_for = |needle: &str| {
        let deadline = std::time::Instant::now() + serve_support::PATIENCE;
        while !seen.contains(needle) {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            match lines.recv_timeout(left) {
                Ok(line) => {
                    seen.push_str(&line);
                    seen.push('\n');
                }
                Err(_) => panic!("`{needle}` not printed; printed:\n{seen}"),
            }
        }
        std::mem::take(&mut seen)
    };
    wait_for("Serving ");
    let page = fixture.root.join("content/overview.md");
    let good = std::fs::read_to_string(&page).unwrap();
    save_atomically(&page, &format!("{good}\nSee the [call](scall.html).\n"));
    let printed = wait_for("that `signpost build` would refuse the site for");
    assert!(printed.contains("error[broken-link]"), "{printed}");
    assert!(printed.contains("--> content/overview.md:"), "{printed}");
    assert!(printed.contains("1 error that"), "{printed}");
    save_atomically(&page, &good);
    wait_for("Fixed: `signpost build` would accept the site now.");
    let _ = child.kill();
    let _ = child.wait();
}

/// On a machine without a desktop `xdg-open` tries browser after browser and complains
/// about each; `serve --open` says one line instead.
#[cfg(unix)]
#[test]
fn open_without_a_desktop_says_one_line() {
    use std::os::unix::fs::PermissionsExt;
    let fixture = site();
    let bin = fixture.root.join("../bin");
    std::fs::create_dir_all(&bin).unwrap();
    let opener = bin.join("xdg-open");
    std::fs::write(&opener, "#!/bin/sh\necho 'xdg-open: no method available for opening' >&2\necho noise\nexit 3\n")
        .unwrap();
    std::fs::set_permissions(&opener, std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default());
    let mut child = Command::new(env!("CARGO_BIN_EXE_signpost"))
        .args(["serve", "--open", "--port", "0", "--root"])
        .arg(&fixture.root)
        .env("PATH", path)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (send, lines) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufRead::lines(std::io::BufReader::new(stderr)).map_while(Result::ok) {
            let _ = send.send(line);
        }
    });
    let first = lines.recv_timeout(serve_support::PATIENCE).expect("a line about the browser");
    // Anything else the opener might have let through arrives within a moment.
    let more: Vec<String> = std::iter::from_fn(|| lines.recv_timeout(Duration::from_millis(500)).ok()).collect();
    let _ = child.kill();
    let _ = child.wait();
    assert!(first.starts_with("Could not open a browser (xdg-open exit status: 3); open http://127.0.0.1:"), "{first}");
    assert!(more.is_empty(), "one line only: {more:?}");
}
