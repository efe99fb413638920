//! `signpost import` on a small Jekyll site written for these tests (tests/fixtures/jekyll_site),
//! with draw.io diagrams made by Signpost's own encoder from tests/fixtures/jekyll_drawio;
//! then `signpost build` on what it wrote.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::Command;

use signpost::process::drawio::decode::encode_attribute;

fn drawio_div(model: &str, viewer: &str) -> String {
    let xml =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/jekyll_drawio").join(model))
            .unwrap();
    format!(
        "<div class=\"mxgraph\" style=\"max-width:100%;\" data-mxgraph=\"{}\"></div>\n<script type=\"text/javascript\" src=\"{viewer}\"></script>",
        encode_attribute(&xml)
    )
}

/// The fixture with a page of two diagrams and a page whose diagram is broken.
fn jekyll_site() -> common::Fixture {
    let site = common::Fixture::copy_of("jekyll_site");
    let page = format!(
        "---\ntitle: Approval process\npermalink: process.html\n---\n\n## The process\n\n{}\n\n## Applicant\n\n### Apply\n\nFill in the form.\n\n### Review\n\nWe check it.\n\n## Publishing team\n\n### Approve\n\nSigned off.\n\n### Publish\n\nOut it goes.\n\n## Ordering\n\n{}\n",
        drawio_div("rows.xml", "https://viewer.diagrams.net/js/viewer-static.min.js"),
        drawio_div("swimlanes.xml", "https://www.draw.io/js/viewer.min.js"),
    );
    site.write("_pages/process.md", &page);
    site.write(
        "_pages/broken.md",
        "---\ntitle: Broken diagram\npermalink: broken.html\n---\n\nIntro.\n\n<div class=\"mxgraph\" data-mxgraph=\"{&quot;xml&quot;:&quot;&lt;mxfile&gt;&lt;diagram&gt;%%%not-base64&lt;/diagram&gt;&lt;/mxfile&gt;&quot;}\"></div>\n",
    );
    site
}

fn signpost(args: &[&str], dir: &Path) -> common::Run {
    let out = Command::new(env!("CARGO_BIN_EXE_signpost")).args(args).current_dir(dir).output().unwrap();
    common::Run {
        status: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn imported() -> (common::Fixture, PathBuf, common::Run) {
    let site = jekyll_site();
    let out = site.root.parent().unwrap().join("imported");
    let run = signpost(&["import", ".", out.to_str().unwrap()], &site.root);
    (site, out, run)
}

fn read(root: &Path, path: &str) -> String {
    std::fs::read_to_string(root.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn import_writes_a_signpost_site_and_reports_what_it_could_not_carry_over() {
    let (_site, out, run) = imported();
    // The broken diagram is an error naming its page and line; the import still finishes.
    assert_eq!(run.status, 1, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("error[drawio]"), "{}", run.stderr);
    assert!(run.stderr.contains("_pages/broken.md:8:1"), "{}", run.stderr);
    assert!(run.stderr.contains("not valid base64"), "{}", run.stderr);
    assert!(run.stdout.contains("2 of 3 diagrams converted"), "{}", run.stdout);

    let site_yaml = read(&out, "site.yaml");
    assert!(site_yaml.contains("title: Widget API\n"), "{site_yaml}");
    assert!(site_yaml.contains("sidebar: main_sidebar\n"), "{site_yaml}");
    assert!(site_yaml.contains("footer: \"© Example Trust\""), "{site_yaml}");
    assert!(site_yaml.contains("fhir_specification_url: \"https://fhir.example.org/widget/\""), "{site_yaml}");

    // Pages: `_pages` loses its underscore; excluded files, README and 404 stay behind.
    assert!(out.join("content/pages/index.md").is_file());
    assert!(out.join("content/pages/guide/3.1 Use case v1.md").is_file());
    assert!(out.join("content/pages/guide/example.json").is_file());
    assert!(out.join("content/images/pixel.png").is_file());
    assert!(!out.join("content/drafts").exists() && !out.join("content/notes.txt").exists());
    assert!(!out.join("content/README.md").exists() && !out.join("content/404.md").exists());
    assert!(out.join("_includes/custom.html").is_file());
    // Data, sidebars, and the `output: false` collection as data.
    assert!(out.join("content/_data/sidebars/main_sidebar.yml").is_file());
    let journey = read(&out, "content/_data/journey.yml");
    assert!(journey.contains("  name: Build") && journey.contains("coord: 1,2,3,4"), "{journey}");

    // Defaults by path, permalinks for pages that had none, and the duplicate permalink.
    let setup = read(&out, "content/pages/guide/setup.md");
    assert!(setup.starts_with("---\ntoc: false\n"), "{setup}");
    let spaces = read(&out, "content/pages/guide/3.1 Use case v1.md");
    assert!(spaces.contains("permalink: \"_pages/guide/3.1 Use case v1.html\""), "{spaces}");
    let old = read(&out, "content/pages/guide/release_notes.md");
    assert!(old.contains("published: false"), "{old}");
    assert!(run.stderr.contains("warning[duplicate-permalink]"), "{}", run.stderr);
    assert!(run.stderr.contains("_pages/release_notes.md wins"), "{}", run.stderr);
    assert!(run.stderr.contains("tag `gadgets` is not in _data/tags.yml"), "{}", run.stderr);
    let windows = std::fs::read(out.join("content/pages/windows.md")).unwrap();
    assert!(windows.starts_with("\u{feff}---\r\n".as_bytes()), "BOM and CRLF are kept");

    // The diagrams: the div and viewer script become the process include.
    let process = read(&out, "content/pages/process.md");
    assert!(!process.contains("mxgraph") && !process.contains("<script"), "{process}");
    assert!(process.contains("{% include process.html id=\"process\" %}"), "{process}");
    assert!(process.contains("{% include process.html id=\"process-2\" %}"), "{process}");
    assert!(out.join("diagrams/process.drawio").is_file());
    let broken = read(&out, "content/pages/broken.md");
    assert!(broken.contains("data-mxgraph"), "a diagram that fails is left as it was");
}

#[test]
fn diagrams_become_processes_with_lanes_groups_and_links() {
    let (_site, out, _run) = imported();
    let rows =
        signpost::process::parse(&read(&out, "diagrams/process.yaml"), Path::new("diagrams/process.yaml")).unwrap();
    let titles: Vec<&str> = rows.stages.iter().map(|s| s.title.as_str()).collect();
    assert_eq!(titles, ["Apply", "Review", "Publish", "Approve"]);
    let lanes: Vec<&str> = rows.lanes.iter().map(|l| l.title.as_str()).collect();
    assert_eq!(lanes, ["Applicant", "Publishing team"], "a row named by the page's section, a row by its box");
    assert_eq!(rows.groups.len(), 1);
    assert_eq!((rows.groups[0].title.as_str(), rows.groups[0].stages.clone()), ("Checks", vec!["review".to_string()]));
    let stage = |id: &str| rows.stages.iter().find(|s| s.id == id).unwrap();
    assert_eq!(stage("apply").next, ["review"], "through the icon between them");
    assert_eq!(stage("approve").next, ["publish"], "an arrow drawn between points");
    assert_eq!(stage("apply").link.as_deref(), Some("process.html#apply"));
    assert_eq!(stage("publish").link, None, "a data: link gives way to the heading named like the stage");

    let lanes =
        signpost::process::parse(&read(&out, "diagrams/process-2.yaml"), Path::new("diagrams/process-2.yaml")).unwrap();
    assert_eq!(lanes.title, "Ordering");
    assert_eq!(lanes.direction, signpost::process::Direction::Down, "swimlanes side by side");
    let lane_titles: Vec<&str> = lanes.lanes.iter().map(|l| l.title.as_str()).collect();
    assert_eq!(lane_titles, ["Customer", "Shop"]);
    let check = lanes.stages.iter().find(|s| s.title == "Check stock").unwrap();
    assert_eq!(check.next, ["ship", "refund"], "through the decision diamond");
    assert!(lanes.stages.iter().all(|s| s.title != "Key"), "the legend is left out");
    assert_eq!(check.link.as_deref(), Some("#process-process-2"), "no link and no heading: the diagram itself");
}

#[test]
fn the_imported_site_builds() {
    let (_site, out, _run) = imported();
    let run = signpost(&["build", "--root", out.to_str().unwrap()], &out);
    assert_eq!(run.status, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("warning[missing-sidebar]"), "{}", run.stderr);
    let page = |p: &str| read(&out.join("public"), p);

    let index = page("index.html");
    assert!(index.contains("How to use the Widget API."), "Summary: is read");
    assert!(index.contains("href=\"https://fhir.example.org/widget/widget.html\""), "FHIRSpecificationLink");
    assert!(index.contains("sp-callout--roadmap") && index.contains("<strong>planned</strong>"));
    assert!(index.contains("<p class=\"custom\">Hello, Widget API (FIRST)</p>"), "the site's own Liquid include");
    assert!(index.contains("target=\"_blank\""));
    assert!(
        index.contains(
            "<section class=\"sp-infocard\"><h4 class=\"sp-infocard-title\">Today</h4><p>One <i>widget</i></p>"
        ),
        "{index}"
    );
    assert!(!index.contains("authors only"), "comments are dropped");
    assert!(index.contains("<dt>Widget</dt>"));
    assert!(index.contains("<div class=\"panel\">") && index.contains("id=\"inside-a-panel\""));

    let glossary = page("glossary.html");
    assert!(glossary.contains("<h3 id=\"api\""), "{glossary}");
    assert!(glossary.find("id=\"api\"") < glossary.find("id=\"widget\""), "sorted by title");
    assert!(glossary.contains("See the <a href=\"index.html\">home page</a>"));
    assert!(glossary.contains("Liquid such as {{ page.title }} is shown as written."));
    assert!(glossary.contains("There are 2 terms. The first is api."), "{glossary}");

    let setup = page("setup.html");
    assert!(setup.contains("data-lang=\"json\""), "highlight is a code block");
    assert!(setup.contains("example"), "include_relative inside a fence");
    assert!(setup.contains("<p class=\"center-image\"><img"), "{setup}");
    assert!(setup.contains("<div class=\"table-wrap fields\" "), "{setup}");

    assert!(page("windows.html").contains("Written with CRLF line endings"));
    assert!(page("_pages/guide/3.1 Use case v1.html").contains("Its file name has spaces."));
    assert!(page("release_notes.html").contains("Current notes."));
    assert!(page("first-post/index.html").contains("News."));

    let process = page("process.html");
    assert!(process.contains("<svg") && process.contains("id=\"process-process\""));
    assert!(process.contains("href=\"process.html#apply\""));
    assert!(process.contains("Back to the process"));
    assert!(!process.contains("viewer.min.js"));
}

#[test]
fn building_a_jekyll_site_as_it_is_says_to_import_it() {
    let site = jekyll_site();
    let run = site.run(&["build"]);
    assert_eq!(run.status, 2);
    assert!(run.stderr.contains("is a Jekyll site") && run.stderr.contains("signpost import"), "{}", run.stderr);
}

#[test]
fn import_refuses_a_folder_that_is_not_empty() {
    let site = jekyll_site();
    let run = site.run(&["import", ".", "."]);
    assert_eq!(run.status, 2, "{}", run.stderr);
    assert!(run.stderr.contains("not empty"), "{}", run.stderr);
    let run = site.run(&["import", "_pages", "../x"]);
    assert_eq!(run.status, 2);
    assert!(run.stderr.contains("not a Jekyll site"), "{}", run.stderr);
}

#[test]
fn jekyll_semantics_come_over_and_what_will_not_build_is_reported_at_import() {
    let site = common::Fixture::copy_of("jekyll_site");
    // Jekyll accepts all of these: a repeated key (the last wins), the site's own include
    // before the theme's, `site.KEY` from _config.yml, an HTML page with front matter,
    // a leading-slash include and a plugin tag.
    let config = read(&site.root, "_config.yml");
    site.write("_config.yml", &format!("{config}\nportal_name: First\nportal_name: Second Portal\n"));
    site.write("_includes/note.html", "<div class=\"own-note\">Own: {{ include.content }}</div>\n");
    site.write("_includes/examples/a.xml", "<a>example</a>\n");
    site.write(
        "_pages/semantics.md",
        "---\ntitle: Semantics\npermalink: semantics.html\n---\n\n{{ site.portal_name }}\n\n{% include note.html content=\"hello\" %}\n\n```xml\n{% include /examples/a.xml %}\n```\n\n{% gist abc123 %}\n",
    );
    site.write(
        "_pages/news.html",
        "---\ntitle: News\npermalink: news.html\n---\n<p id=\"latest\">{{ page.title }}    indented</p>\n",
    );
    let out = site.root.parent().unwrap().join("imported");
    let run = signpost(&["import", ".", out.to_str().unwrap()], &site.root);
    assert_eq!(run.status, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("`portal_name` is set twice"), "{}", run.stderr);
    assert!(
        run.stderr.contains("warning[plugin-tag]") && run.stderr.contains("_pages/semantics.md:14:1"),
        "{}",
        run.stderr
    );

    let built = signpost(&["build", "--out", "public"], &out);
    assert_eq!(built.status, 0, "{}{}", built.stdout, built.stderr);
    let page = read(&out, "public/semantics.html");
    assert!(page.contains("Second Portal"), "site.KEY from _config.yml, last value");
    assert!(page.contains("class=\"own-note\">Own: hello"), "the site's own include wins");
    assert!(page.contains("</span>example<span"), "the leading-slash include, highlighted as XML");
    assert!(page.contains("https://gist.github.com/abc123"), "the placeholder links to the gist");
    let news = read(&out, "public/news.html");
    assert!(news.contains("<p id=\"latest\">News    indented</p>"), "an HTML page: Liquid, no Markdown");

    // A page calling an include that exists nowhere: the import says the site will not build.
    let broken = common::Fixture::copy_of("jekyll_site");
    broken.write("_pages/missing.md", "---\ntitle: Missing\n---\n\n{% include nowhere.html %}\n");
    let out = broken.root.parent().unwrap().join("imported");
    let run = signpost(&["import", ".", out.to_str().unwrap()], &broken.root);
    assert_eq!(run.status, 1, "{}{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("the imported site does not build: no include named `nowhere.html`"), "{}", run.stderr);
}

#[test]
fn files_in_an_included_underscore_folder_stay_where_pages_point() {
    let site = jekyll_site();
    site.write("_pages/guide/img/shot one.png", "not really a png");
    site.write("_pages/guide/img/shot(2).png", "not really a png");
    site.write(
        "_pages/shots.md",
        "---\ntitle: Shots\npermalink: shots.html\n---\n\n<img src=\"_pages/guide/img/shot one.png\">\n\n<img src='_pages/guide/img/shot(2).png'>\n\n![Shot](/_pages/guide/img/shot%20one.png)\n\n<img src=\"_pages/guide/img/gone.png\">\n",
    );
    let out = site.root.parent().unwrap().join("imported");
    let run = signpost(&["import", ".", out.to_str().unwrap()], &site.root);
    assert!(run.stdout.contains("3 references to files moved out of `_` folders updated"), "{}", run.stdout);
    let text = read(&out, "content/pages/shots.md");
    assert!(text.contains("<img src=\"pages/guide/img/shot one.png\">"), "{text}");
    assert!(text.contains("![Shot](/pages/guide/img/shot%20one.png)"), "{text}");
    assert!(text.contains("<img src='pages/guide/img/shot(2).png'>"), "{text}");
    assert!(text.contains("<img src=\"_pages/guide/img/gone.png\">"), "a file that is not there is left as written");

    let build = signpost(&["build", "--root", out.to_str().unwrap()], &out);
    assert_eq!(build.status, 0, "{}", build.stderr);
    assert!(out.join("public/pages/guide/img/shot one.png").is_file());
    assert!(read(&out.join("public"), "shots.html").contains("src=\"pages/guide/img/shot one.png\""));
}

/// Jekyll writes every page, so of two with one permalink the one written last is what the
/// published site shows: pages sorted by file name, and a folder's subfolders read before
/// its own files.
#[test]
fn of_two_pages_with_one_permalink_the_one_jekyll_writes_last_is_published() {
    let site = jekyll_site();
    site.write("_pages/overview/index.md", "---\ntitle: Old home\npermalink: start.html\n---\n\nOld home.\n");
    site.write("_pages/index.md", "---\ntitle: New home\npermalink: start.html\n---\n\nNew home.\n");
    site.write("_pages/b_guide.md", "---\ntitle: Guide B\npermalink: guide.html\n---\n\nGuide B.\n");
    site.write("_pages/later/a_guide.md", "---\ntitle: Guide A\npermalink: guide.html\n---\n\nGuide A.\n");
    let out = site.root.parent().unwrap().join("imported");
    let run = signpost(&["import", ".", out.to_str().unwrap()], &site.root);
    assert!(run.stderr.contains("_pages/index.md wins, as in Jekyll"), "{}", run.stderr);
    assert!(run.stderr.contains("_pages/b_guide.md wins, as in Jekyll"), "{}", run.stderr);
    assert!(read(&out, "content/pages/overview/index.md").contains("published: false"));
    assert!(read(&out, "content/pages/later/a_guide.md").contains("published: false"));

    let build = signpost(&["build", "--root", out.to_str().unwrap()], &out);
    assert_eq!(build.status, 0, "{}", build.stderr);
    assert!(read(&out.join("public"), "start.html").contains("New home."));
    assert!(read(&out.join("public"), "guide.html").contains("Guide B."));
}
