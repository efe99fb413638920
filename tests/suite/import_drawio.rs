//! draw.io diagrams to processes, from payloads draw.io itself wrote: the decoder beside an
//! independent decoding by Python's standard library, the seed page and every diagram of
//! the NHS Booking Standard corpus (skipped with a printed reason when ../shared is absent,
//! failing when SIGNPOST_REQUIRE_CORPUS=1).

use crate::common;

use std::collections::BTreeSet;

use signpost::content::headings::headings;
use signpost::process::drawio::{self, decode, PageContext};

fn convert_page(page: &str, index: usize, id: &str) -> Result<drawio::Converted, drawio::ConvertError> {
    let found = drawio::find_embedded(page);
    let hs = headings(page);
    let context = PageContext { headings: &hs, own_file: "page.html", title: "Fallback title", source: "page.md" };
    drawio::convert(&found[index].attribute, id, &context)
}

/// Every `link="..."` of a drawing's visible cells, decoded independently of the converter.
fn links_in_model(attribute: &str) -> Vec<String> {
    let model = &decode::decode_attribute(attribute).unwrap()[0].model;
    let doc = roxmltree::Document::parse(model).unwrap();
    doc.descendants().filter_map(|n| n.attribute("link")).map(str::to_string).collect()
}

/// What draw.io's "embed HTML" writes, undone with Python's standard library alone (HTML
/// entities, JSON, XML, base64, raw deflate, URL encoding): an oracle that shares no code
/// with the decoder. Prints one `[name, model]` pair per `<diagram>`, as JSON.
const PYTHON_DECODER: &str = r#"
import base64, html, json, sys, urllib.parse, zlib, xml.etree.ElementTree as ET
mxfile = ET.fromstring(json.loads(html.unescape(sys.stdin.read()))["xml"])
pages = []
for diagram in mxfile.findall("diagram"):
    text = zlib.decompress(base64.b64decode("".join(diagram.text.split())), -15).decode()
    pages.append([diagram.get("name"), text if text.startswith("<") else urllib.parse.unquote(text)])
print(json.dumps(pages))
"#;

#[test]
fn payloads_draw_io_wrote_decode_as_an_independent_decoder_reads_them() {
    let Some(shared) = common::shared_or_skip("the Booking Standard's draw.io diagrams") else { return };
    if std::process::Command::new("python3").arg("--version").output().is_err() {
        return common::skip("SIGNPOST_REQUIRE_CORPUS", "python3 is not installed, so there is no second decoder");
    }
    let page = std::fs::read_to_string(shared.join("sites/booking-standard/_pages/overview/getting_started.md"))
        .expect("the Booking Standard's getting-started page");
    let embedded = drawio::find_embedded(&page);
    assert_eq!(embedded.len(), 2, "the page embeds two drawings");
    for drawing in &embedded {
        let ours: Vec<(Option<String>, String)> =
            decode::decode_attribute(&drawing.attribute).unwrap().into_iter().map(|p| (p.name, p.model)).collect();
        let theirs: Vec<(Option<String>, String)> =
            serde_json::from_str(&python(PYTHON_DECODER, &drawing.attribute)).expect("the Python decoder prints JSON");
        assert_eq!(ours, theirs);
        for (_, model) in &ours {
            let doc = roxmltree::Document::parse(model).unwrap();
            assert!(doc.root_element().has_tag_name("mxGraphModel"));
            assert!(doc.descendants().filter(|n| n.has_tag_name("mxCell")).count() > 5, "a real drawing");
        }
    }
}

fn python(script: &str, stdin: &str) -> String {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut child = Command::new("python3")
        .args(["-c", script])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("run python3");
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "python3 failed");
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn seed_001_becomes_a_fourteen_stage_three_lane_process() {
    let Some(shared) = common::shared_or_skip("seed 001") else { return };
    let page = std::fs::read_to_string(shared.join("seeds/001_582c26b81fe49e18.txt")).unwrap();
    let embedded = drawio::find_embedded(&page);
    assert_eq!(embedded.len(), 1);
    let hs = headings(&page);
    let context =
        PageContext { headings: &hs, own_file: "assurance_overview.html", title: "Assurance", source: "001.txt" };
    let converted = drawio::convert(&embedded[0].attribute, "assurance-overview", &context).unwrap();
    println!("{}", converted.yaml);
    for note in &converted.notes {
        println!("note: {note}");
    }
    assert_eq!(converted.stages, 14);
    assert_eq!(converted.lanes, 3);
    let links: BTreeSet<String> = converted.links.iter().cloned().collect();
    let drawn: BTreeSet<String> = links_in_model(&embedded[0].attribute).into_iter().collect();
    assert_eq!(drawn.len(), 14);
    assert_eq!(links, drawn, "the stage links are the drawing's links");
}

#[test]
fn every_corpus_diagram_converts() {
    let Some(shared) = common::shared_or_skip("the corpus") else { return };
    let root = shared.join("corpus/docs-uec-appts");
    let mut converted = 0;
    let mut failed = Vec::new();
    for entry in walkdir::WalkDir::new(&root).sort_by_file_name().into_iter().filter_map(Result::ok) {
        if entry.path().extension().is_none_or(|e| e != "md") {
            continue;
        }
        let page = std::fs::read_to_string(entry.path()).unwrap();
        for i in 0..drawio::find_embedded(&page).len() {
            let name = entry.path().strip_prefix(&root).unwrap().display().to_string();
            match convert_page(&page, i, &format!("d{converted}")) {
                Ok(c) => {
                    converted += 1;
                    println!(
                        "{name} #{i}: {} stages, {} lanes, {} groups, {} arrows; {} notes",
                        c.stages,
                        c.lanes,
                        c.groups,
                        c.arrows,
                        c.notes.len()
                    );
                    for note in &c.notes {
                        println!("    {note}");
                    }
                }
                Err(e) => failed.push(format!("{name} #{i}: {e}")),
            }
        }
    }
    assert!(failed.is_empty(), "{failed:#?}");
    assert_eq!(converted, 23);
}

/// Labels of the drawing's arrows and of the labels sitting on them, read from the
/// decoded XML independently of the renderer.
fn arrow_labels(model: &str) -> Vec<String> {
    let doc = roxmltree::Document::parse(model).unwrap();
    let edges: BTreeSet<&str> =
        doc.descendants().filter(|n| n.attribute("edge") == Some("1")).filter_map(|n| n.attribute("id")).collect();
    doc.descendants()
        .filter(|n| n.has_tag_name("mxCell"))
        .filter(|n| n.attribute("edge") == Some("1") || n.attribute("parent").is_some_and(|p| edges.contains(p)))
        .filter_map(|n| n.attribute("value"))
        .map(drawio::graph::plain_text)
        .filter(|v| !v.is_empty())
        .collect()
}

#[test]
fn a_drawing_that_links_nowhere_is_placed_as_a_picture_with_its_arrow_labels() {
    let Some(shared) = common::shared_or_skip("the NHS sites") else { return };
    let source = shared.join("sites/booking-standard/_pages/implementation/demonstrator/demo_architecture.md");
    let page = std::fs::read_to_string(source).unwrap();
    let attribute = &drawio::find_embedded(&page)[0].attribute;
    let model = &decode::decode_attribute(attribute).unwrap()[0].model;
    let labels = arrow_labels(model);
    assert!(labels.len() >= 4, "the architecture drawing labels its arrows: {labels:?}");

    let converted = convert_page(&page, 0, "demo-architecture").unwrap();
    assert!(converted.picture, "no shape links to a section: a picture, not a process");
    assert!(converted.yaml.is_empty());

    // Placed in a site, it is drawn with every box, arrow and arrow label.
    let site = common::Fixture::copy_of("basic");
    site.write("diagrams/demo-architecture.drawio", &converted.drawio);
    site.write(
        "content/architecture.md",
        "---\ntitle: Architecture\n---\n# Architecture\n\n{% include drawing.html id=\"demo-architecture\" title=\"How the demonstrator is deployed\" %}\n",
    );
    let run = site.build();
    assert_eq!(run.status, 0, "{}", run.stderr);
    let html = site.out("architecture.html");
    assert!(html.contains(r#"<figure class="sp-drawing" id="drawing-demo-architecture""#), "{html}");
    assert!(html.contains(">How the demonstrator is deployed</title>"));
    for label in &labels {
        assert!(html.contains(&format!(">{label}</tspan>")), "arrow label {label:?} is drawn");
    }
    let edges =
        roxmltree::Document::parse(model).unwrap().descendants().filter(|n| n.attribute("edge") == Some("1")).count();
    // One of the drawing's lines has no length (it starts where it ends) and is not drawn.
    let drawn = html.matches(r#"class="sp-drawing-edge""#).count();
    assert_eq!(drawn, edges - 1, "every arrow is drawn");
    assert!(!html.contains("viewer"), "no draw.io viewer script");
}

#[test]
fn a_missing_drawing_is_an_error_at_its_include() {
    let site = common::Fixture::copy_of("basic");
    site.write(
        "content/architecture.md",
        "---\ntitle: Architecture\n---\nText.\n\n{% include drawing.html id=\"nowhere\" %}\n",
    );
    let run = site.build();
    assert_eq!(run.status, 1, "{}", run.stderr);
    assert!(run.stderr.contains("no drawing `diagrams/nowhere.drawio`"), "{}", run.stderr);
    assert!(run.stderr.contains("content/architecture.md:6:1"), "{}", run.stderr);
}
