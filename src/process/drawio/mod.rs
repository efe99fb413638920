//! draw.io diagrams embedded in Jekyll pages (`<div class="mxgraph" data-mxgraph="...">`
//! and the viewer script) turned into Signpost processes.

pub mod arrange;
pub mod convert;
pub mod decode;
pub mod graph;
pub mod picture;
pub mod write;

use std::collections::BTreeSet;
use std::ops::Range;

pub use decode::DecodeError;

/// One embedded diagram in a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Embedded {
    /// The `<div>` and the viewer `<script>` after it, if any: what the include replaces.
    pub span: Range<usize>,
    /// The `data-mxgraph` attribute as written (HTML-escaped JSON).
    pub attribute: String,
    /// Where the viewer script comes from, if the page loads one.
    pub viewer: Option<String>,
}

/// Every embedded diagram of a page, in order.
pub fn find_embedded(page: &str) -> Vec<Embedded> {
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(start) = page[from..].find("<div").map(|i| from + i) {
        let Some(tag_end) = page[start..].find('>').map(|i| start + i + 1) else { break };
        let tag = &page[start..tag_end];
        from = tag_end;
        let Some(payload) = attribute(tag, "data-mxgraph") else { continue };
        if !attribute(tag, "class").is_some_and(|c| c.split_whitespace().any(|c| c == "mxgraph")) {
            continue;
        }
        let mut end = match page[tag_end..].find("</div>") {
            Some(i) => tag_end + i + "</div>".len(),
            None => tag_end,
        };
        let mut viewer = None;
        let after = &page[end..];
        let gap = after.len() - after.trim_start().len();
        if after.trim_start().starts_with("<script") {
            let script_start = end + gap;
            if let Some(close) = page[script_start..].find("</script>") {
                let script = &page[script_start..script_start + close];
                let src = attribute(script, "src").unwrap_or_default();
                if src.contains("viewer") && (src.contains("draw.io") || src.contains("diagrams.net")) {
                    viewer = Some(src.to_string());
                    end = script_start + close + "</script>".len();
                }
            }
        }
        found.push(Embedded { span: start..end, attribute: payload.to_string(), viewer });
        from = end;
    }
    found
}

fn attribute<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let key = format!(" {name}=\"");
    let start = tag.find(&key)? + key.len();
    let end = tag[start..].find('"')? + start;
    Some(&tag[start..end])
}

/// Where the diagram sits: the page's headings, its own file name, a title to fall back on.
pub struct PageContext<'a> {
    pub headings: &'a [crate::content::headings::Heading],
    /// The page's output file name (`assurance_overview.html`), to know its own links.
    pub own_file: &'a str,
    /// Used when the drawing names no process: the heading above the diagram, or the page title.
    pub title: &'a str,
    /// Shown in the YAML's header comment.
    pub source: &'a str,
}

/// Why `{% include drawing.html id="..." %}` could not draw its drawing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DrawingError {
    #[error("`{0}` is not a drawing id (letters, digits, `-` and `_`)")]
    BadId(String),
    #[error("no drawing `diagrams/{0}.drawio`")]
    Missing(String),
    #[error("diagrams/{id}.drawio cannot be read: {why}")]
    Unreadable { id: String, why: String },
}

/// The HTML of a draw.io drawing placed in a page: `diagrams/ID.drawio` (as draw.io saves
/// it, compressed or not) drawn as SVG from its own geometry (see [`picture`]).
pub fn drawing_html(root: &std::path::Path, id: &str, title: Option<&str>) -> Result<String, DrawingError> {
    if id.is_empty() || !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        return Err(DrawingError::BadId(id.to_string()));
    }
    let path = root.join(crate::process::DIAGRAMS_DIR).join(format!("{id}.drawio"));
    if !path.is_file() {
        return Err(DrawingError::Missing(id.to_string()));
    }
    let unreadable = |why: String| DrawingError::Unreadable { id: id.to_string(), why };
    let shown = std::path::PathBuf::from(format!("diagrams/{id}.drawio"));
    let text = crate::diagnostics::read_text(&path, &shown).map_err(|d| unreadable(d.message.clone()))?;
    let pages = decode::decode_drawing(&text).map_err(|e| unreadable(e.to_string()))?;
    let graph = graph::Graph::parse(&pages[0].model).map_err(|e| unreadable(e.to_string()))?;
    let title = title.or(pages[0].name.as_deref()).unwrap_or(id);
    let picture = picture::render(&graph, title, &format!("drawing-{id}"));
    Ok(format!(
        "<figure class=\"sp-drawing\" id=\"drawing-{id}\" style=\"--sp-drawing-width: {:.0}px\">\n{}\n</figure>",
        picture.width, picture.svg
    ))
}

/// A drawing converted to a process.
#[derive(Debug, Clone)]
pub struct Converted {
    /// The process; empty for a picture.
    pub yaml: String,
    /// The drawing links to no section: it is a picture (an architecture diagram, a
    /// sketch), placed with `drawing.html` and drawn from its own geometry, not a process.
    pub picture: bool,
    /// The drawing as an uncompressed `.drawio` file: kept for reference beside a process,
    /// the source of a picture.
    pub drawio: String,
    pub stages: usize,
    pub lanes: usize,
    pub groups: usize,
    pub arrows: usize,
    /// Stage links as written in the YAML (the drawing's, where they could be kept).
    pub links: Vec<String>,
    /// What could not be carried over, in words.
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConvertError {
    #[error(transparent)]
    Decode(#[from] DecodeError),
    #[error("the drawing has no shapes that could be stages")]
    NoStages,
    #[error("the converted process does not validate: {0}")]
    Invalid(String),
}

/// Decodes a `data-mxgraph` attribute and converts its first page into process `id`.
pub fn convert(attribute: &str, id: &str, page: &PageContext) -> Result<Converted, ConvertError> {
    let pages = decode::decode_attribute(attribute)?;
    let mut notes = Vec::new();
    if pages.len() > 1 {
        notes.push(format!("the drawing has {} pages; only the first is converted", pages.len()));
    }
    let model = &pages[0].model;
    let graph = graph::Graph::parse(model)?;
    let hidden_layers: Vec<&str> =
        graph.cells.iter().filter(|c| c.layer && c.hidden).map(|c| c.label.as_str()).collect();
    if !hidden_layers.is_empty() {
        notes.push(format!("hidden layers left out: {}", hidden_layers.join(", ")));
    }
    let drawio = format!("<mxfile host=\"signpost import\"><diagram name=\"Page-1\">{model}</diagram></mxfile>\n");
    let drawn = |c: &graph::Cell| !c.hidden && !c.layer && (c.vertex || c.edge);
    if !graph.cells.iter().any(|c| drawn(c) && c.link.is_some()) && graph.cells.iter().any(drawn) {
        // Stages of a process are links to the sections that explain them; a drawing
        // with none is a picture, kept as the author drew it.
        return Ok(Converted {
            yaml: String::new(),
            picture: true,
            drawio,
            stages: 0,
            lanes: 0,
            groups: 0,
            arrows: 0,
            links: Vec::new(),
            notes,
        });
    }
    let mut found = convert::find_stages(&graph);
    if found.stages.is_empty() {
        return Err(ConvertError::NoStages);
    }
    let arranged = arrange::arrange(&graph, &mut found, page.headings, page.own_file);
    let mut arranged = arranged;
    let title = arranged.title.clone().unwrap_or_else(|| page.title.to_string());
    for lane in arranged.lanes.iter_mut().filter(|l| l.is_empty()) {
        lane.clone_from(&title);
    }
    let anchors: BTreeSet<String> = page.headings.iter().map(|h| h.id.clone()).collect();
    let written = write::process_yaml(id, &title, page.source, &found, &arranged, &anchors);
    notes.extend(std::mem::take(&mut found.notes));
    notes.extend(written.notes);
    if arranged.lanes.len() > 1 {
        let untitled = arranged.lanes.iter().filter(|l| l.starts_with("Lane ")).count();
        if untitled > 0 {
            notes.push(format!("{untitled} lane(s) have no title in the drawing or the page; named “Lane N”"));
        }
    }
    let process = crate::process::parse(&written.yaml, std::path::Path::new(&format!("diagrams/{id}.yaml")))
        .map_err(|d| ConvertError::Invalid(d.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ")))?;
    Ok(Converted {
        yaml: written.yaml,
        picture: false,
        drawio,
        stages: process.stages.len(),
        lanes: process.lanes.len(),
        groups: process.groups.len(),
        arrows: process.stages.iter().map(|s| s.next.len()).sum(),
        links: process.stages.iter().map(|s| s.href()).collect(),
        notes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_div_and_its_viewer_script() {
        let page = "a\n<div class=\"mxgraph\" style=\"x\" data-mxgraph=\"{&quot;xml&quot;:1}\"></div>\n<script type=\"text/javascript\" src=\"https://viewer.diagrams.net/js/viewer-static.min.js\"></script>\nb";
        let found = find_embedded(page);
        assert_eq!(found.len(), 1);
        assert_eq!(&page[found[0].span.clone()][..4], "<div");
        assert!(page[found[0].span.clone()].ends_with("</script>"));
        assert_eq!(found[0].attribute, "{&quot;xml&quot;:1}");
        assert!(find_embedded("<div class=\"other\" data-mxgraph=\"x\"></div>").is_empty());
    }
}
