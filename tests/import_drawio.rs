//! draw.io diagrams to processes: self-made payloads (encoded by Signpost's own encoder),
//! then the seed page and every diagram of the NHS Booking Standard corpus (skipped with a
//! printed reason when ../shared is absent).

mod common;

use std::collections::BTreeSet;

use signpost::import::page::headings;
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
