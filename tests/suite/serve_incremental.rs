//! `serve` rebuilds only what a change touches, and the result equals a full build: after
//! every step of a series of edits (pages, folders, files, data, includes,
//! templates, stylesheets, processes, site.yaml), the served files and the rendering
//! record are compared with what `signpost build` itself writes from the same sources
//! (`build::build`, the checks off so that a step may leave a link broken).

use crate::common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::{copy_tree, Fixture};
use signpost::build::{build, BuildOptions};
use signpost::diagnostics::Kind;
use signpost::serve::watch::Batch;
use signpost::serve::{Preview, Report};
use signpost::site::LoadOptions;

/// The bundled portal (three services, sidebars, processes, tags) with its theme.
fn portal() -> Fixture {
    let fixture = Fixture::empty();
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    for folder in ["content", "diagrams", "themes"] {
        copy_tree(&repo.join(folder), &fixture.root.join(folder));
    }
    std::fs::copy(repo.join("site.yaml"), fixture.root.join("site.yaml")).unwrap();
    fixture
}

struct Session {
    fixture: Fixture,
    preview: Preview,
}

impl Session {
    fn start(fixture: Fixture) -> Session {
        let mut preview = Preview::new(LoadOptions::new(&fixture.root));
        let report = preview.full("start");
        assert!(report.errors.is_empty(), "{:?}", report.errors);
        preview.index_search();
        let session = Session { fixture, preview };
        session.assert_full_build("start");
        session
    }

    fn path(&self, path: &str) -> PathBuf {
        self.fixture.root.join(path)
    }

    fn read(&self, path: &str) -> String {
        std::fs::read_to_string(self.path(path)).unwrap()
    }

    fn write(&self, path: &str, text: &str) {
        self.fixture.write(path, text);
    }

    fn replace(&self, path: &str, from: &str, to: &str) {
        let text = self.read(path);
        assert!(text.contains(from), "{path} has no {from:?}");
        self.write(path, &text.replacen(from, to, 1));
    }

    /// Tells the preview that `paths` changed, as the watcher would.
    fn changed(&mut self, paths: &[&str]) -> Report {
        let batch = Batch { paths: paths.iter().map(PathBuf::from).collect(), ..Batch::default() };
        let report = self.preview.rebuild(&batch).expect("the change is read by the build");
        self.preview.index_search();
        report
    }

    /// Edits, tells, and checks the result against a full build.
    fn step(&mut self, what: &str, paths: &[&str]) -> Report {
        let report = self.changed(paths);
        assert!(report.errors.is_empty(), "{what}: {:?}", report.errors);
        self.assert_full_build(what);
        report
    }

    fn served(&self, file: &str) -> String {
        String::from_utf8(self.preview.files().remove(file).unwrap_or_default()).unwrap()
    }

    fn assert_full_build(&self, what: &str) {
        let out = self.fixture.root.parent().unwrap().join("built");
        let options = BuildOptions {
            load: self.preview.load_options(),
            out: Some(out.clone()),
            check: false,
            search: true,
            force: true,
        };
        let report = build(&options).unwrap_or_else(|e| panic!("{what}: the full build failed: {:?}", e.diagnostics()));
        let output = report.output.expect("a forced build renders");
        let full = files_under(&out);
        let served = self.preview.files();
        let only_full: Vec<_> = full.keys().filter(|k| !served.contains_key(*k)).collect();
        let only_served: Vec<_> = served.keys().filter(|k| !full.contains_key(*k)).collect();
        let differ: Vec<_> =
            full.iter().filter(|(k, v)| served.get(*k).is_some_and(|s| s != *v)).map(|(k, _)| k).collect();
        assert!(
            only_full.is_empty() && only_served.is_empty() && differ.is_empty(),
            "{what}: the served files differ from a full build\n  missing: {only_full:?}\n  extra: {only_served:?}\n  different: {differ:?}"
        );
        let record = self.preview.output().expect("a model");
        assert_eq!(record.paths, output.paths, "{what}: output paths");
        assert_eq!(record.pages, output.pages, "{what}: page records");
        assert_eq!(record.sidebar_links, output.sidebar_links, "{what}: sidebar links");
    }
}

/// Every file `signpost build` wrote, path -> bytes (without the mark it leaves to know
/// its own output folder again).
fn files_under(out: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    for entry in walkdir::WalkDir::new(out).into_iter().map(Result::unwrap) {
        let path = entry.path().strip_prefix(out).unwrap().to_string_lossy().replace('\\', "/");
        if entry.file_type().is_file() && path != ".signpost-output" {
            files.insert(path, std::fs::read(entry.path()).unwrap());
        }
    }
    files
}

#[test]
fn pages_edited_created_moved_and_deleted() {
    let mut s = Session::start(portal());
    let page = "content/booking/getting_started.md";

    s.replace(page, "\n## ", "\nA new sentence in the body.\n\n## ");
    let report = s.step("body edit", &[page]);
    assert_eq!(report.pages_rendered, 1, "a body edit renders one page");
    assert!(s.served("booking/getting_started.html").contains("A new sentence in the body."));

    s.write(
        "content/booking/onboarding.md",
        "---\ntitle: Onboarding pages\ntagName: onboarding\n---\n{% include taglogic.html %}\n",
    );
    s.step("a page listing the pages of a tag", &["content/booking/onboarding.md"]);
    s.replace(page, "title: ", "title: Renamed ");
    s.step("title edit", &[page]);
    assert!(s.served("booking/onboarding.html").contains("Renamed "), "the tag list shows the new title");
    s.replace(page, "tags: [", "tags: [brand-new-tag, ");
    s.step("new tag", &[page]);
    assert!(s.preview.files().contains_key("tags/brand-new-tag.html"));

    s.write("content/booking/new_page.md", "---\ntitle: New page\ntags: [fhir]\n---\n\nFresh text.\n");
    s.step("new page", &["content/booking/new_page.md"]);
    assert!(s.served("booking/new_page.html").contains("Fresh text."));

    std::fs::rename(s.path("content/booking/new_page.md"), s.path("content/booking/moved.md")).unwrap();
    s.step("renamed page", &["content/booking/new_page.md", "content/booking/moved.md"]);
    assert!(!s.preview.files().contains_key("booking/new_page.html"));

    std::fs::remove_file(s.path("content/booking/moved.md")).unwrap();
    s.step("deleted page", &["content/booking/moved.md"]);

    s.write("content/nrls/extra/deep/one.md", "---\ntitle: Deep one\n---\nOne.\n");
    s.write("content/nrls/extra/two.md", "---\ntitle: Two\n---\nTwo.\n");
    s.step("new folder", &["content/nrls/extra"]);
    std::fs::rename(s.path("content/nrls/extra"), s.path("content/nrls/more")).unwrap();
    s.step("renamed folder", &["content/nrls/extra", "content/nrls/more"]);
    assert!(s.preview.files().contains_key("nrls/more/deep/one.html"));
    std::fs::remove_dir_all(s.path("content/nrls/more")).unwrap();
    s.step("deleted folder", &["content/nrls/more"]);

    s.replace("content/smsp/test_tools.md", "permalink: test_tools.html", "permalink: tools.html");
    s.step("permalink", &["content/smsp/test_tools.md"]);
    s.replace("content/smsp/test_tools.md", "title:", "published: false\ntitle:");
    s.step("unpublished", &["content/smsp/test_tools.md"]);
    s.replace("content/smsp/test_tools.md", "published: false\n", "");
    s.step("published again", &["content/smsp/test_tools.md"]);
}

#[test]
fn shared_pages_and_files() {
    let mut s = Session::start(portal());
    s.write("content/_shared/terms.md", "---\ntitle: Terms\ntags: [legal]\n---\nShared terms.\n");
    s.step("new shared page", &["content/_shared/terms.md"]);
    assert!(s.preview.files().contains_key("nrls/terms.html"));
    s.write("content/nrls/terms.md", "---\ntitle: NRLS terms\n---\nOwn terms.\n");
    s.step("service page overrides the shared one", &["content/nrls/terms.md"]);
    std::fs::remove_file(s.path("content/nrls/terms.md")).unwrap();
    s.step("override removed", &["content/nrls/terms.md"]);
    s.replace("content/_shared/terms.md", "Shared terms.", "Shared terms, changed.");
    s.step("shared page edited", &["content/_shared/terms.md"]);

    s.write("content/booking/files/guide.txt", "version one\n");
    s.step("new file", &["content/booking/files/guide.txt"]);
    s.write("content/booking/files/guide.txt", "version two\n");
    s.step("changed file", &["content/booking/files/guide.txt"]);
    assert_eq!(s.served("booking/files/guide.txt"), "version two\n");
    std::fs::remove_file(s.path("content/booking/files/guide.txt")).unwrap();
    s.step("deleted file", &["content/booking/files/guide.txt"]);

    // A page that splices a file renders again when the file changes.
    s.write("content/booking/files/request.json", "{\"version\": \"first\"}\n");
    s.write(
        "content/booking/request.md",
        "---\ntitle: Request\n---\n```json\n{% include_relative files/request.json %}\n```\n",
    );
    s.step("page splicing a file", &["content/booking/files/request.json", "content/booking/request.md"]);
    s.write("content/booking/files/request.json", "{\"version\": \"second\"}\n");
    s.step("spliced file changed", &["content/booking/files/request.json"]);
    assert!(s.served("booking/request.html").contains("second"));
}

#[test]
fn data_includes_templates_stylesheets_processes_and_config() {
    let mut s = Session::start(portal());
    s.replace("content/_data/sidebars/booking_sidebar.yml", "title: ", "title: Renamed ");
    assert!(s.step("sidebar", &["content/_data/sidebars/booking_sidebar.yml"]).full, "site.data: a full build");

    s.replace("themes/default/includes/tip.html", ">", " data-edited>");
    let report = s.step("include", &["themes/default/includes/tip.html"]);
    let callers = report.pages_rendered;
    assert!(callers > 0 && callers < s.preview.output().unwrap().pages.len(), "only pages calling the include");
    // What a page calls is what its render recorded: naming the include in prose is not
    // calling it, and a call inside a Liquid block is one.
    s.write("content/nrls/prose.md", "---\ntitle: Prose\n---\nThe tip.html include draws a box.\n");
    s.write(
        "content/nrls/in_block.md",
        "---\ntitle: In a block\n---\n{% if true %}{% include tip.html content=\"Inside.\" %}{% endif %}\n",
    );
    s.step("pages naming and calling the include", &["content/nrls/prose.md", "content/nrls/in_block.md"]);
    s.replace("themes/default/includes/tip.html", " data-edited>", " data-edited-again>");
    let report = s.step("include again", &["themes/default/includes/tip.html"]);
    assert_eq!(report.pages_rendered, callers + 1, "the callers and the page calling it in a block");

    // A site's own include (ROOT/_includes, as an imported Jekyll site has them).
    s.write("_includes/site-note.html", "<p class=\"site-note\">First words</p>\n");
    s.write("content/nrls/site_include.md", "---\ntitle: Site include\n---\n{% include site-note.html %}\n");
    s.step("a page calling a site include", &["_includes/site-note.html", "content/nrls/site_include.md"]);
    s.write("_includes/site-note.html", "<p class=\"site-note\">Edited words</p>\n");
    s.step("the site include edited", &["_includes/site-note.html"]);
    assert!(s.served("nrls/site_include.html").contains("Edited words"));

    s.replace("themes/default/templates/page.html", "{%", "{# edited #}{%");
    s.step("template", &["themes/default/templates/page.html"]);

    let css = "themes/default/static/assets/signpost.css";
    s.write(css, &format!("{}\n.edited {{ color: red }}\n", s.read(css)));
    let report = s.step("stylesheet", &[css]);
    assert_eq!(report.pages_rendered, 0, "a stylesheet renders no page");
    assert!(s.served("assets/signpost.css").contains(".edited"));

    s.replace("diagrams/booking.yaml", "\ntitle: ", "\ntitle: Edited ");
    s.step("process", &["diagrams/booking.yaml"]);
    s.replace("diagrams/onboarding.yaml", "    title: ", "    title: Edited ");
    s.step("the process others extend", &["diagrams/onboarding.yaml"]);

    // A draw.io drawing placed in a page: adding it, then editing it in draw.io.
    let box_cell = |label: &str| {
        format!(
            r#"<mxfile><diagram name="Flow"><mxGraphModel><root><mxCell id="0"/><mxCell id="1" parent="0"/><mxCell id="a" value="{label}" style="rounded=1" vertex="1" parent="1"><mxGeometry x="0" y="0" width="120" height="60" as="geometry"/></mxCell></root></mxGraphModel></diagram></mxfile>"#
        )
    };
    s.write("diagrams/flow.drawio", &box_cell("First drawing"));
    s.write("content/nrls/drawn.md", "---\ntitle: Drawn\n---\n{% include drawing.html id=\"flow\" %}\n");
    s.step("a page placing a drawing", &["diagrams/flow.drawio", "content/nrls/drawn.md"]);
    assert!(s.served("nrls/drawn.html").contains(">First drawing</tspan>"));
    s.write("diagrams/flow.drawio", &box_cell("Edited drawing"));
    s.step("the drawing edited", &["diagrams/flow.drawio"]);
    assert!(s.served("nrls/drawn.html").contains(">Edited drawing</tspan>"));

    s.replace("site.yaml", "title: NHS API developer portal", "title: NHS API portal, edited");
    let report = s.step("site.yaml", &["site.yaml"]);
    assert!(report.full);
}

#[test]
fn broken_edits_keep_the_last_good_pages_until_fixed() {
    let mut s = Session::start(portal());
    let page = "content/nrls/pointer_model.md";
    let good = s.read(page);
    let before = s.served("nrls/pointer_model.html");

    s.write(page, &good.replacen("title: ", "title: [unclosed ", 1));
    s.write("content/nrls/other.md", "---\ntitle: Other\n---\nOther text.\n");
    let report = s.changed(&[page, "content/nrls/other.md"]);
    let error = report.errors.iter().next().expect("an error");
    assert_eq!(&*error.location.as_ref().unwrap().file, Path::new(page));
    assert_eq!(s.served("nrls/pointer_model.html"), before, "the last good page stays");
    assert!(s.served("nrls/other.html").contains("Other text."), "other edits still apply");

    s.write(page, &good.replacen("\n## ", "\nFixed now.\n\n## ", 1));
    let report = s.changed(&[page]);
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert!(s.served("nrls/pointer_model.html").contains("Fixed now."));
    s.assert_full_build("fixed front matter");

    s.replace(page, "Fixed now.", "{% include nowhere.html %}");
    let report = s.changed(&[page]);
    assert_eq!(report.errors.iter().next().unwrap().kind, Kind::UnknownInclude);
    assert!(s.served("nrls/pointer_model.html").contains("Fixed now."));
    s.replace(page, "{% include nowhere.html %}", "Fixed again.");
    s.step("fixed include", &[page]);

    s.replace(page, "permalink: pointer_model.html", "permalink: pointers.html");
    s.replace(page, "Fixed again.", "{% include nowhere.html %}");
    let report = s.changed(&[page]);
    assert!(report.errors.has_errors(), "a moved page that does not render");
    s.replace(page, "{% include nowhere.html %}", "Fixed once more.");
    s.step("moved page fixed", &[page]);
    assert!(!s.preview.files().contains_key("nrls/pointer_model.html"));

    s.write("content/nrls/twin.md", "---\ntitle: Twin\npermalink: other.html\n---\nTwin.\n");
    let report = s.changed(&["content/nrls/twin.md"]);
    assert!(report.errors.iter().any(|d| d.kind == Kind::DuplicatePermalink), "{:?}", report.errors);
    assert!(s.served("nrls/other.html").contains("Other text."));
    std::fs::remove_file(s.path("content/nrls/twin.md")).unwrap();
    s.step("duplicate removed", &["content/nrls/twin.md"]);

    // A page moved onto a file the build generates is refused, as `build` refuses it.
    let sitemap = s.served("sitemap.xml");
    s.write("content/clash.md", "---\ntitle: Clash\npermalink: sitemap.xml\n---\nNot a sitemap.\n");
    let report = s.changed(&["content/clash.md"]);
    let clash = report.errors.iter().find(|d| d.kind == Kind::Permalink).expect("a permalink clash");
    assert_eq!(&*clash.location.as_ref().unwrap().file, Path::new("content/clash.md"));
    assert_eq!(s.served("sitemap.xml"), sitemap, "the sitemap stays");
    s.write("content/clash.md", "---\ntitle: Clash\npermalink: clash.html\n---\nA page.\n");
    s.step("clash moved away", &["content/clash.md"]);
    s.write("content/clash.md", "---\ntitle: Clash\npermalink: 404.html\n---\nA page.\n");
    let report = s.changed(&["content/clash.md"]);
    assert!(report.errors.iter().any(|d| d.kind == Kind::Permalink), "{:?}", report.errors);
    std::fs::remove_file(s.path("content/clash.md")).unwrap();
    s.step("clash removed", &["content/clash.md"]);

    s.replace("themes/default/templates/page.html", "{%", "{% if %}{%");
    let report = s.changed(&["themes/default/templates/page.html"]);
    assert!(report.errors.iter().any(|d| d.kind == Kind::Template), "{:?}", report.errors);
    s.replace("themes/default/templates/page.html", "{% if %}{%", "{%");
    s.step("fixed template", &["themes/default/templates/page.html"]);

    s.replace("site.yaml", "title:", "title: [unclosed");
    let report = s.changed(&["site.yaml"]);
    assert!(report.errors.has_errors());
    assert!(!s.preview.files().is_empty(), "the last good files stay served");
    s.replace("site.yaml", "title: [unclosed", "title:");
    s.step("fixed site.yaml", &["site.yaml"]);
}

#[test]
fn paths_no_build_reads_change_nothing() {
    let mut s = Session::start(portal());
    for path in ["content/.notes.md.swp", "content/booking/index.md~", "public/index.html", "notes.txt"] {
        s.write(path, "x");
        assert!(s.preview.rebuild(&Batch { paths: vec![path.into()], ..Batch::default() }).is_none(), "{path}");
    }
}

#[test]
fn a_service_page_saved_again_gets_its_services_values_as_the_build_does() {
    let mut s = Session::start(Fixture::copy_of("services"));
    s.replace("content/beta/guide.md", "title: Beta guide", "title: Guide to {{ service.title }}");
    s.step("a service value in a service page's title", &["content/beta/guide.md"]);
    assert!(!s.served("beta/guide.html").contains("{{"), "{}", s.served("beta/guide.html"));
}
