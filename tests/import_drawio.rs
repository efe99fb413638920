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
