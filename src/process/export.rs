//! A diagram on its own, for `signpost diagram`: an SVG file with its own stylesheet, or
//! a PNG drawn by resvg with the system's fonts. It is the drawing a page shows in its
//! content column (`fit::fitted`), so a document and the portal agree.

use std::collections::BTreeMap;
use std::path::Path;

use super::{fit, layout, svg, Process, DIAGRAM_CSS};
use crate::diagnostics::{Diagnostic, Kind};

/// PNGs are drawn at twice the natural size, sharp on high-density screens and in print.
const PNG_SCALE: f32 = 2.0;
/// The largest PNG drawn, in pixels a side and in pixels all told (about 160 MB while
/// drawing); past it `signpost diagram` says so and suggests SVG, which has no limit.
pub const MAX_PNG_SIDE: u32 = 16_384;
pub const MAX_PNG_PIXELS: u64 = 40_000_000;

/// A standalone SVG document whose `<style>` is the diagram stylesheet with its light
/// colours filled in (SVG renderers outside browsers do not know custom properties).
pub fn export_svg(process: &Process) -> String {
    export_svg_in(process, None)
}

/// The same in a service's colour (`primary`, such as `#007f3b`) instead of NHS blue.
pub fn export_svg_in(process: &Process, primary: Option<&str>) -> String {
    let layout = fit::fitted(process, layout::COLUMN);
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&svg::draw(process, &layout, svg::Mode::Standalone(&standalone_css_in(primary))));
    out
}

/// The size of the exported drawing in CSS pixels, title included.
pub fn export_size(process: &Process) -> (u32, u32) {
    let layout = fit::fitted(process, layout::COLUMN);
    (layout.width.max(0) as u32, (layout.height + svg::TITLE_BAND).max(0) as u32)
}

/// Draws the diagram into a PNG at `path`.
pub fn export_png(process: &Process, path: &Path) -> Result<(), Diagnostic> {
    export_png_in(process, path, None)
}

/// Draws the diagram in a service's colour into a PNG at `path`.
pub fn export_png_in(process: &Process, path: &Path, primary: Option<&str>) -> Result<(), Diagnostic> {
    let png = render_png_in(process, primary)?;
    std::fs::write(path, png).map_err(|err| {
        Diagnostic::error(Kind::Io, format!("cannot write {}: {err}", path.display()))
            .hint("check that the folder exists and is writable")
    })
}

/// The PNG bytes of a process on a white background.
pub fn render_png(process: &Process) -> Result<Vec<u8>, Diagnostic> {
    render_png_in(process, None)
}

/// The PNG bytes in a service's colour; a drawing past the size limit is refused before
/// anything is allocated for it.
pub fn render_png_in(process: &Process, primary: Option<&str>) -> Result<Vec<u8>, Diagnostic> {
    use resvg::{tiny_skia, usvg};
    let failed = |what: String| {
        Diagnostic::error(Kind::DiagramExport, format!("cannot draw process `{}` as PNG: {what}", process.id))
    };
    let (w, h) = export_size(process);
    let (pw, ph) = ((w as f32 * PNG_SCALE) as u64, (h as f32 * PNG_SCALE) as u64);
    if pw > u64::from(MAX_PNG_SIDE) || ph > u64::from(MAX_PNG_SIDE) || pw * ph > MAX_PNG_PIXELS {
        return Err(failed(format!(
            "it would be {pw} x {ph} pixels ({} stages), over the limit of {MAX_PNG_SIDE} pixels a side and {} million pixels",
            process.stages.len(),
            MAX_PNG_PIXELS / 1_000_000
        ))
        .hint("export it as SVG (--format svg), which has no size limit, or split the process"));
    }
    let mut options = usvg::Options::default();
    options.fontdb_mut().load_system_fonts();
    let tree = usvg::Tree::from_str(&export_svg_in(process, primary), &options).map_err(|e| failed(e.to_string()))?;
    let size = tree.size().to_int_size().scale_by(PNG_SCALE).ok_or_else(|| failed("the drawing is empty".into()))?;
    let mut pixmap =
        tiny_skia::Pixmap::new(size.width(), size.height()).ok_or_else(|| failed("the drawing is too large".into()))?;
    pixmap.fill(tiny_skia::Color::WHITE);
    resvg::render(&tree, tiny_skia::Transform::from_scale(PNG_SCALE, PNG_SCALE), &mut pixmap.as_mut());
    pixmap.encode_png().map_err(|e| failed(e.to_string()))
}

/// `DIAGRAM_CSS` for a file of its own: the light defaults substituted for every `var()`,
/// without the media queries, the interactive states, the page-layout rules and the
/// rules for draw.io pictures.
pub fn standalone_css() -> String {
    standalone_css_in(None)
}

/// The standalone stylesheet with the service colour in place of `--sp-primary`.
pub fn standalone_css_in(primary: Option<&str>) -> String {
    let blocks = top_level_blocks(&strip_comments(DIAGRAM_CSS));
    let mut defaults = BTreeMap::new();
    // Only a plain colour is written into the stylesheet.
    if let Some(colour) = primary.filter(|c| c.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '#')) {
        defaults.insert("--sp-primary".to_string(), colour.to_string());
    }
    if let Some((_, body)) = blocks.first() {
        for declaration in body.split(';') {
            if let Some((name, value)) = declaration.split_once(':') {
                if name.trim().starts_with("--") {
                    defaults.insert(name.trim().to_string(), value.trim().to_string());
                }
            }
        }
    }
    let mut out = String::new();
    for (selector, body) in blocks.iter().skip(1) {
        let drawing_only = !selector.starts_with('@')
            && !selector.contains(':')
            && !selector.contains(".sp-process")
            && !selector.contains(".sp-drawing")
            && selector != ".sp-diagram";
        if drawing_only {
            out.push_str(&format!("{selector} {{{}}}\n", resolve(body, &defaults)));
        }
    }
    out
}

fn strip_comments(css: &str) -> String {
    let mut out = String::with_capacity(css.len());
    let mut rest = css;
    while let Some(start) = rest.find("/*") {
        out.push_str(&rest[..start]);
        rest = rest[start..].find("*/").map_or("", |end| &rest[start + end + 2..]);
    }
    out.push_str(rest);
    out
}

/// `(selector or at-rule, body)` for each top-level block.
fn top_level_blocks(css: &str) -> Vec<(String, String)> {
    let mut blocks = Vec::new();
    let (mut depth, mut start, mut open) = (0usize, 0usize, 0usize);
    for (i, c) in css.char_indices() {
        match c {
            '{' => {
                if depth == 0 {
                    open = i;
                }
                depth += 1;
            }
            '}' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    let selector = css[start..open].split_whitespace().collect::<Vec<_>>().join(" ");
                    blocks.push((selector, css[open + 1..i].to_string()));
                    start = i + 1;
                }
            }
            _ => {}
        }
    }
    blocks
}

/// Replaces `var(--name)` and `var(--name, fallback)` with the default or the fallback.
fn resolve(body: &str, defaults: &BTreeMap<String, String>) -> String {
    let mut text = body.split_whitespace().collect::<Vec<_>>().join(" ");
    while let Some(start) = text.find("var(") {
        let mut depth = 0;
        let mut end = text.len();
        for (i, c) in text[start..].char_indices() {
            match c {
                '(' => depth += 1,
                ')' => {
                    depth -= 1;
                    if depth == 0 {
                        end = start + i;
                        break;
                    }
                }
                _ => {}
            }
        }
        let inner = &text[start + 4..end];
        let (name, fallback) = match inner.split_once(',') {
            Some((n, f)) => (n.trim(), Some(f.trim())),
            None => (inner.trim(), None),
        };
        let value = defaults.get(name).map(String::as_str).or(fallback).unwrap_or("initial").to_string();
        text.replace_range(start..=end.min(text.len() - 1), &value);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_standalone_stylesheet_has_no_variables_or_states() {
        let css = standalone_css();
        assert!(!css.contains("var("), "{css}");
        assert!(!css.contains(":hover") && !css.contains("@media"), "{css}");
        assert!(css.contains(".sp-stage-shape {fill: #ffffff; stroke: #005eb8;"), "{css}");
    }

    #[test]
    fn nested_fallbacks_resolve() {
        let defaults = BTreeMap::from([("--a".to_string(), "var(--b, red)".to_string())]);
        assert_eq!(resolve("fill: var(--a);", &defaults), "fill: red;");
        assert_eq!(resolve("fill: var(--c, var(--a));", &defaults), "fill: red;");
    }
}
