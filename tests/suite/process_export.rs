//! Exports: a standalone SVG and a PNG whose text really renders.

use std::path::Path;

use resvg::tiny_skia::Pixmap;
use signpost::process;

fn fixture(name: &str) -> process::Process {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("tests/fixtures/process/{name}.yaml"));
    let text = std::fs::read_to_string(&path).expect("fixture");
    process::parse(&text, Path::new(&format!("{name}.yaml"))).expect("valid fixture")
}

#[test]
fn png_has_text_pixels_inside_a_titled_stage() {
    let process = fixture("small");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("small.png");
    process::export_png(&process, &path).unwrap();
    let pixmap = Pixmap::load_png(&path).unwrap();
    let layout = process::fit::fitted(&process, process::layout::COLUMN);
    let scale = pixmap.width() as f32 / layout.width as f32;
    for stage in &layout.stages {
        // The middle of the box, away from its outline, holds only the title.
        let r = &stage.rect;
        let (x0, x1) = (((r.x + 12) as f32 * scale) as u32, ((r.right() - 12) as f32 * scale) as u32);
        // The process title sits in a band above the drawing.
        let top = process::svg::TITLE_BAND;
        let (y0, y1) = (((r.y + top + 6) as f32 * scale) as u32, ((r.bottom() + top - 6) as f32 * scale) as u32);
        let colours: std::collections::BTreeSet<(u8, u8, u8)> = (y0..y1)
            .flat_map(|y| (x0..x1).map(move |x| (x, y)))
            .map(|(x, y)| {
                let p = pixmap.pixel(x, y).unwrap();
                (p.red(), p.green(), p.blue())
            })
            .collect();
        let dark = colours.iter().filter(|(r, g, b)| u32::from(*r) + u32::from(*g) + u32::from(*b) < 200).count();
        assert!(colours.len() > 10 && dark > 0, "stage at {r:?} has no text: {colours:?}");
    }
}

#[test]
fn standalone_svg_is_a_document_with_its_own_style() {
    let svg = process::export_svg(&fixture("small"));
    assert!(svg.starts_with("<?xml"));
    assert!(svg.contains(r#"xmlns="http://www.w3.org/2000/svg""#));
    assert!(svg.contains("<style>") && !svg.contains("var(--"));
    let options = resvg::usvg::Options::default();
    resvg::usvg::Tree::from_str(&svg, &options).expect("parses as SVG");
}

/// Writes PNG, SVG and HTML previews of every process under `diagrams/` (of the crate, or
/// of `$PROCESS_PREVIEW_ROOT`) to target/process-preview, for a person to look at:
/// `cargo test --test suite process_export -- --ignored`.
#[test]
#[ignore]
fn write_previews() {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let root = std::env::var_os("PROCESS_PREVIEW_ROOT").map_or(manifest.to_path_buf(), Into::into);
    let out = manifest.join("target/process-preview");
    std::fs::create_dir_all(&out).unwrap();
    let (processes, problems) = process::load_all(&root);
    assert!(problems.is_empty(), "{problems:?}");
    for (id, p) in &processes {
        process::export_png(p, &out.join(format!("{id}.png"))).unwrap();
        std::fs::write(out.join(format!("{id}.svg")), process::export_svg(p)).unwrap();
        let page = format!(
            "<!doctype html><html lang=en><meta charset=utf-8><meta name=viewport content=\"width=device-width\"><title>{id}</title><style>{}</style><body style=\"font-family:Arial;max-width:960px;margin:auto\"><h1>{id}</h1>{}</body></html>",
            process::DIAGRAM_CSS,
            process::place(p).html
        );
        std::fs::write(out.join(format!("{id}.html")), page).unwrap();
    }
}

#[test]
fn a_png_past_the_limit_is_refused_with_a_reason() {
    // A chain of 2,000 stages flowing right is about 380,000 px wide.
    let mut yaml = String::from("id: long\ntitle: Long\nlanes:\n  - id: a\n    title: A\nstages:\n");
    for i in 0..2000 {
        yaml.push_str(&format!("  - id: s{i}\n    title: Stage {i}\n    lane: a\n    next: [s{}]\n", i + 1));
    }
    yaml.push_str("  - id: s2000\n    title: Last\n    lane: a\n");
    let process = process::parse(&yaml, Path::new("long.yaml")).unwrap();
    let err = process::export::render_png(&process).unwrap_err();
    assert_eq!(err.kind, signpost::diagnostics::Kind::DiagramExport);
    assert!(err.message.contains("over the limit"), "{}", err.message);
    // SVG has no limit.
    assert!(process::export_svg(&process).contains("data-stage=\"s2000\""));
}

#[test]
fn the_export_is_in_the_service_colour_with_the_title() {
    let process = fixture("small");
    let svg = process::export_svg_in(&process, Some("#007f3b"));
    assert!(svg.contains("stroke: #007f3b"), "the service colour replaces NHS blue");
    assert!(!svg.contains("#005eb8"));
    assert!(svg.contains(&format!(">{}</text>", process.title)), "the title is drawn");
}
