//! The cells of an `<mxGraphModel>`: layers, vertices and edges, with labels as plain
//! text, styles as maps, and every vertex's bounds in absolute coordinates.

use std::collections::{BTreeMap, HashMap};

use super::decode::{parse_xml, DecodeError};
pub use crate::escape::plain_text;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rect {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

impl Rect {
    pub fn centre(&self) -> (f64, f64) {
        (self.x + self.w / 2.0, self.y + self.h / 2.0)
    }

    pub fn area(&self) -> f64 {
        self.w * self.h
    }

    pub fn contains(&self, (px, py): (f64, f64), margin: f64) -> bool {
        px >= self.x - margin
            && px <= self.x + self.w + margin
            && py >= self.y - margin
            && py <= self.y + self.h + margin
    }

    /// The distance between the two boxes' edges; 0 when they touch or overlap.
    pub fn gap(&self, other: &Rect) -> f64 {
        let dx = (other.x - (self.x + self.w)).max(self.x - (other.x + other.w)).max(0.0);
        let dy = (other.y - (self.y + self.h)).max(self.y - (other.y + other.h)).max(0.0);
        dx.hypot(dy)
    }
}

/// A cell's `style`: `ellipse;whiteSpace=wrap;fillColor=none` as bare names and keys.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Style {
    pub names: Vec<String>,
    pub keys: BTreeMap<String, String>,
}

impl Style {
    pub fn parse(style: &str) -> Style {
        let mut parsed = Style::default();
        for part in style.split(';').map(str::trim).filter(|p| !p.is_empty()) {
            match part.split_once('=') {
                Some((k, v)) => {
                    parsed.keys.insert(k.trim().to_string(), v.trim().to_string());
                }
                None => parsed.names.push(part.to_string()),
            }
        }
        parsed
    }

    /// `ellipse` or `shape=ellipse`; `mxgraph.flowchart.start` also matches `start`.
    pub fn is(&self, name: &str) -> bool {
        self.names.iter().any(|n| n == name)
            || self.keys.get("shape").is_some_and(|s| s == name || s.rsplit('.').next() == Some(name))
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.keys.get(key).map(String::as_str)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    pub id: String,
    pub parent: Option<String>,
    /// The label as plain text, whitespace collapsed.
    pub label: String,
    /// The label's lines as written (line breaks, `<br>`, `<div>` and `<p>` kept).
    pub lines: Vec<String>,
    pub link: Option<String>,
    pub style: Style,
    pub vertex: bool,
    pub edge: bool,
    pub source: Option<String>,
    pub target: Option<String>,
    pub source_point: Option<(f64, f64)>,
    pub target_point: Option<(f64, f64)>,
    /// An edge's waypoints (`<Array as="points">`), absolute.
    pub points: Vec<(f64, f64)>,
    /// A label's offset from where its geometry places it (`<mxPoint as="offset">`).
    pub offset: Option<(f64, f64)>,
    /// Geometry as written: relative to the parent vertex, if any. For a label on an
    /// edge (`relative="1"`), `x` runs from -1 (the source end) to 1 (the target end).
    pub geometry: Option<Rect>,
    pub relative: bool,
    visible: bool,
    /// Absolute bounds of a vertex (not of edge labels, which sit on their edge).
    pub bounds: Option<Rect>,
    /// Hidden by its own `visible="0"` or a hidden layer or parent.
    pub hidden: bool,
    pub font_size: f64,
    /// A layer: a child of the root cell.
    pub layer: bool,
    /// The layer's name (for layers) or the name of the layer the cell is in.
    pub layer_name: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct Graph {
    pub cells: Vec<Cell>,
    index: HashMap<String, usize>,
}

impl Graph {
    pub fn parse(model: &str) -> Result<Graph, DecodeError> {
        let doc = parse_xml(model)?;
        let root = doc
            .root_element()
            .children()
            .find(|n| n.has_tag_name("root"))
            .ok_or_else(|| DecodeError::Xml("<mxGraphModel> has no <root>".into()))?;
        let mut graph = Graph::default();
        for node in root.children().filter(|n| n.is_element()) {
            let (wrapper, cell) = match node.tag_name().name() {
                "mxCell" => (None, node),
                _ => match node.children().find(|c| c.has_tag_name("mxCell")) {
                    Some(cell) => (Some(node), cell),
                    None => continue,
                },
            };
            let id = wrapper.and_then(|w| w.attribute("id")).or(cell.attribute("id")).unwrap_or("").to_string();
            let raw_label =
                wrapper.and_then(|w| w.attribute("label")).or(cell.attribute("value")).unwrap_or("").to_string();
            let style = Style::parse(cell.attribute("style").unwrap_or(""));
            let geometry_node = cell.children().find(|c| c.has_tag_name("mxGeometry"));
            let number = |n: roxmltree::Node, a: &str| n.attribute(a).and_then(|v| v.parse::<f64>().ok());
            let point = |role: &str| {
                geometry_node
                    .and_then(|g| g.children().find(|p| p.has_tag_name("mxPoint") && p.attribute("as") == Some(role)))
                    .map(|p| (number(p, "x").unwrap_or(0.0), number(p, "y").unwrap_or(0.0)))
            };
            let number_point = |p: roxmltree::Node| (number(p, "x").unwrap_or(0.0), number(p, "y").unwrap_or(0.0));
            let points = geometry_node
                .and_then(|g| g.children().find(|a| a.has_tag_name("Array") && a.attribute("as") == Some("points")))
                .map(|a| a.children().filter(|p| p.has_tag_name("mxPoint")).map(number_point).collect())
                .unwrap_or_default();
            let geometry = geometry_node.map(|g| Rect {
                x: number(g, "x").unwrap_or(0.0),
                y: number(g, "y").unwrap_or(0.0),
                w: number(g, "width").unwrap_or(0.0),
                h: number(g, "height").unwrap_or(0.0),
            });
            let font_size = style.get("fontSize").and_then(|v| v.parse().ok()).or_else(|| html_font_size(&raw_label));
            graph.push(Cell {
                id,
                parent: cell.attribute("parent").map(str::to_string),
                label: plain_text(&raw_label),
                lines: plain_lines(&raw_label),
                link: wrapper.and_then(|w| w.attribute("link")).filter(|l| !l.trim().is_empty()).map(str::to_string),
                vertex: cell.attribute("vertex") == Some("1"),
                edge: cell.attribute("edge") == Some("1"),
                source: cell.attribute("source").map(str::to_string),
                target: cell.attribute("target").map(str::to_string),
                source_point: point("sourcePoint"),
                target_point: point("targetPoint"),
                points,
                offset: point("offset"),
                relative: geometry_node.and_then(|g| g.attribute("relative")) == Some("1"),
                visible: cell.attribute("visible") != Some("0"),
                geometry,
                bounds: None,
                hidden: false,
                font_size: font_size.unwrap_or(12.0),
                style,
                layer: false,
                layer_name: None,
            });
        }
        graph.resolve();
        Ok(graph)
    }

    fn push(&mut self, cell: Cell) {
        self.index.insert(cell.id.clone(), self.cells.len());
        self.cells.push(cell);
    }

    pub fn get(&self, id: &str) -> Option<&Cell> {
        self.index.get(id).map(|&i| &self.cells[i])
    }

    pub fn position(&self, id: &str) -> Option<usize> {
        self.index.get(id).copied()
    }

    /// Absolute bounds, layers, and visibility, walking up each cell's parents.
    fn resolve(&mut self) {
        let root_ids: Vec<String> = self.cells.iter().filter(|c| c.parent.is_none()).map(|c| c.id.clone()).collect();
        for i in 0..self.cells.len() {
            let is_layer = self.cells[i].parent.as_ref().is_some_and(|p| root_ids.contains(p));
            let mut hidden = !self.cells[i].visible;
            let mut origin = (0.0, 0.0);
            let mut on_edge = false;
            let mut layer_name = None;
            let mut parent = self.cells[i].parent.clone();
            // Parents form a tree; the depth bound guards against a malformed cycle.
            for _ in 0..64 {
                let Some(p) = parent.as_deref().and_then(|p| self.index.get(p)).copied() else { break };
                let up = &self.cells[p];
                hidden |= !up.visible;
                if up.edge {
                    on_edge = true;
                }
                if up.vertex && !up.relative {
                    if let Some(g) = up.geometry {
                        origin.0 += g.x;
                        origin.1 += g.y;
                    }
                }
                if up.parent.as_ref().is_some_and(|pp| root_ids.contains(pp)) {
                    layer_name = Some(up.label.clone());
                }
                parent = up.parent.clone();
            }
            let cell = &mut self.cells[i];
            cell.layer = is_layer;
            cell.hidden = hidden;
            cell.layer_name = if is_layer { Some(cell.label.clone()) } else { layer_name };
            if cell.vertex && !cell.relative && !on_edge {
                cell.bounds = cell.geometry.map(|g| Rect { x: g.x + origin.0, y: g.y + origin.1, ..g });
            }
            if cell.edge {
                cell.source_point = cell.source_point.map(|(x, y)| (x + origin.0, y + origin.1));
                cell.target_point = cell.target_point.map(|(x, y)| (x + origin.0, y + origin.1));
                for point in &mut cell.points {
                    *point = (point.0 + origin.0, point.1 + origin.1);
                }
            }
        }
    }
}

/// A label's lines as plain text: a line ends at a line break, `<br>`, or where a
/// `<div>`, `<p>` or `<li>` starts or ends (draw.io's editor writes `<div>` per line).
pub fn plain_lines(label: &str) -> Vec<String> {
    let mut marked = String::with_capacity(label.len());
    let mut rest = label;
    while let Some(open) = rest.find('<') {
        marked.push_str(&rest[..open]);
        let Some(close) = rest[open..].find('>') else {
            rest = &rest[open..];
            break;
        };
        let tag = rest[open + 1..open + close].trim_start_matches('/').trim();
        let name = tag.chars().take_while(char::is_ascii_alphanumeric).collect::<String>().to_ascii_lowercase();
        marked.push_str(if matches!(name.as_str(), "br" | "div" | "p" | "li" | "tr") { "\n" } else { " " });
        rest = &rest[open + close + 1..];
    }
    marked.push_str(rest);
    marked.split('\n').map(plain_text).filter(|l| !l.is_empty()).collect()
}

/// The largest `font-size: Npx` in an HTML label.
fn html_font_size(label: &str) -> Option<f64> {
    let decoded = html_escape::decode_html_entities(label);
    decoded
        .match_indices("font-size:")
        .filter_map(|(i, m)| {
            let rest = decoded[i + m.len()..].trim_start();
            let end = rest.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(rest.len());
            rest[..end].parse::<f64>().ok()
        })
        .reduce(f64::max)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_become_plain_text() {
        assert_eq!(plain_text("<font color=\"#fff\" style=\"font-size: 16px\">Go-<b>live</b></font>"), "Go-live");
        assert_eq!(plain_text("a &amp;lt; b"), "a &lt; b");
        assert_eq!(plain_text("<font color=\"#fff\">Design,<br>build</font>"), "Design, build");
        assert_eq!(plain_text("User\n(patient&nbsp;or carer)"), "User (patient or carer)");
        assert_eq!(
            plain_lines("Request Headers<br>..other..<div>X-Id: &lt;1&gt;</div>"),
            ["Request Headers", "..other..", "X-Id: <1>"]
        );
        assert_eq!(plain_lines("one\ntwo <b>bold</b>"), ["one", "two bold"]);
        assert_eq!(html_font_size("<font style=\"font-size: 24px\">x</font>"), Some(24.0));
    }

    #[test]
    fn bounds_are_absolute_and_layers_named() {
        let g = Graph::parse(
            r#"<mxGraphModel><root><mxCell id="0"/><mxCell id="1" value="Main" parent="0"/>
            <mxCell id="lane" value="Lane" style="swimlane" parent="1" vertex="1"><mxGeometry x="100" y="50" width="300" height="200" as="geometry"/></mxCell>
            <UserObject label="A" link="p.html#a" id="a"><mxCell style="rounded=1" parent="lane" vertex="1"><mxGeometry x="10" y="20" width="80" height="40" as="geometry"/></mxCell></UserObject>
            <mxCell id="h" value="Hidden" parent="0" visible="0"/>
            <mxCell id="b" value="B" parent="h" vertex="1"><mxGeometry x="1" y="1" width="1" height="1" as="geometry"/></mxCell>
            </root></mxGraphModel>"#,
        )
        .unwrap();
        let a = g.get("a").unwrap();
        assert_eq!(a.bounds, Some(Rect { x: 110.0, y: 70.0, w: 80.0, h: 40.0 }));
        assert_eq!(a.link.as_deref(), Some("p.html#a"));
        assert_eq!(a.layer_name.as_deref(), Some("Main"));
        assert!(g.get("lane").unwrap().style.is("swimlane"));
        assert!(g.get("b").unwrap().hidden);
        assert!(g.get("1").unwrap().layer);
    }
}
