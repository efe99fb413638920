//! A draw.io drawing that is not a process (an architecture picture, a data-flow sketch)
//! drawn as SVG from its own geometry: its boxes, ellipses and diamonds where the author
//! put them, its arrows through their waypoints with their labels, its text where it was
//! written. Nothing is laid out again; what draw.io's viewer would need a script and a
//! third-party host for is drawn at build time.
//!
//! HTML labels become plain text wrapped to the shape's width. Images hosted elsewhere are
//! drawn as labelled outlines (a page must not fetch from another host).

use std::fmt::Write as _;

use super::graph::{Cell, Graph, Rect, Style};
use crate::markdown::escape_attr;
use crate::process::text::{self, Weight};

/// Space around the drawing, in drawing units.
const MARGIN: f64 = 8.0;
const LINE_HEIGHT: f64 = 1.2;
/// draw.io's default swimlane header height.
const SWIMLANE_HEADER: f64 = 23.0;

/// A drawing rendered as SVG.
#[derive(Debug, Clone, PartialEq)]
pub struct Picture {
    pub svg: String,
    pub width: f64,
    pub height: f64,
    /// Every label, in drawing order: what a screen reader is told the picture says.
    pub labels: Vec<String>,
}

/// Draws `graph`; `id` makes the SVG's element ids unique in the page.
pub fn render(graph: &Graph, title: &str, id: &str) -> Picture {
    let mut drawing = Drawing::default();
    for (i, cell) in graph.cells.iter().enumerate() {
        if cell.hidden || cell.layer || cell.style.names.iter().any(|n| n == "group") {
            continue;
        }
        if cell.edge {
            drawing.edge(graph, i);
        } else if cell.vertex {
            if let Some(bounds) = cell.bounds {
                drawing.vertex(cell, bounds);
            }
        }
    }
    drawing.finish(title, id)
}

#[derive(Default)]
struct Drawing {
    body: String,
    labels: Vec<String>,
    /// Extent of everything drawn: (min x, min y, max x, max y).
    extent: Option<(f64, f64, f64, f64)>,
    markers: bool,
}

/// A colour from a style, `none` as `None`; anything that is not a plain colour is the default.
fn colour(style: &Style, key: &str, default: &str) -> Option<String> {
    match style.get(key) {
        Some("none") => None,
        Some(c) if is_colour(c) => Some(c.to_string()),
        _ => Some(default.to_string()),
    }
}

fn is_colour(value: &str) -> bool {
    let hex =
        value.strip_prefix('#').is_some_and(|h| matches!(h.len(), 3 | 6) && h.chars().all(|c| c.is_ascii_hexdigit()));
    hex || (value.len() <= 20 && value.chars().all(|c| c.is_ascii_alphabetic()))
}

fn number(style: &Style, key: &str) -> Option<f64> {
    style.get(key).and_then(|v| v.parse::<f64>().ok()).filter(|v| v.is_finite())
}

fn flag(style: &Style, key: &str) -> bool {
    style.get(key) == Some("1")
}

impl Drawing {
    fn grow(&mut self, x0: f64, y0: f64, x1: f64, y1: f64) {
        let e = self.extent.get_or_insert((x0, y0, x1, y1));
        *e = (e.0.min(x0), e.1.min(y0), e.2.max(x1), e.3.max(y1));
    }

    fn paint(style: &Style, text_like: bool) -> String {
        let (fill_default, stroke_default) = if text_like { ("none", "none") } else { ("#ffffff", "#000000") };
        let fill = if text_like && style.get("fillColor").is_none() {
            None
        } else {
            colour(style, "fillColor", fill_default).filter(|c| c != "none")
        };
        let stroke = if text_like && style.get("strokeColor").is_none() {
            None
        } else {
            colour(style, "strokeColor", stroke_default).filter(|c| c != "none")
        };
        let mut paint = format!(
            r#" fill="{}" stroke="{}""#,
            fill.as_deref().unwrap_or("none"),
            stroke.as_deref().unwrap_or("none")
        );
        if let Some(width) = number(style, "strokeWidth") {
            let _ = write!(paint, r#" stroke-width="{}""#, width.clamp(0.0, 20.0));
        }
        if flag(style, "dashed") {
            paint.push_str(r#" stroke-dasharray="6 4""#);
        }
        if let Some(opacity) = number(style, "opacity") {
            let _ = write!(paint, r#" opacity="{}""#, (opacity / 100.0).clamp(0.0, 1.0));
        }
        paint
    }

    fn vertex(&mut self, cell: &Cell, b: Rect) {
        let style = &cell.style;
        let text_like = style.is("text") || style.is("edgeLabel");
        // Images and draw.io's stencil libraries (icons, signs, mock-ups) are not drawn:
        // a dashed outline keeps their place and label.
        let stencil =
            style.get("shape").is_some_and(|s| s.starts_with("mxgraph.") && !s.starts_with("mxgraph.flowchart."));
        let image = style.is("image") || style.get("image").is_some() || stencil;
        let paint = if image {
            r##" fill="none" stroke="#8c8c8c" stroke-dasharray="3 3""##.to_string()
        } else {
            Self::paint(style, text_like)
        };
        let (x, y, w, h) = (b.x, b.y, b.w, b.h);
        let mut label_box = b;
        let shape = if text_like {
            String::new()
        } else if style.is("ellipse") || style.is("doubleEllipse") {
            format!(r#"<ellipse cx="{}" cy="{}" rx="{}" ry="{}"{paint}/>"#, x + w / 2.0, y + h / 2.0, w / 2.0, h / 2.0)
        } else if style.is("rhombus") || style.is("decision") {
            let (cx, cy) = (x + w / 2.0, y + h / 2.0);
            format!(r#"<path d="M{cx} {y}L{} {cy}L{cx} {}L{x} {cy}Z"{paint}/>"#, x + w, y + h)
        } else if style.is("swimlane") {
            let header = number(style, "startSize").unwrap_or(SWIMLANE_HEADER).clamp(0.0, h);
            let horizontal = style.get("horizontal") != Some("0");
            let divider = if horizontal {
                label_box = Rect { h: header, ..b };
                format!(r#"<path d="M{x} {}H{}"{paint}/>"#, y + header, x + w)
            } else {
                label_box = Rect { w: header, ..b };
                format!(r#"<path d="M{} {y}V{}"{paint}/>"#, x + header, y + h)
            };
            format!(r#"<rect x="{x}" y="{y}" width="{w}" height="{h}"{paint}/>{divider}"#)
        } else {
            let rounded = flag(style, "rounded") || style.is("rounded");
            let radius = if rounded {
                (w.min(h) * number(style, "arcSize").unwrap_or(15.0) / 100.0).min(w.min(h) / 2.0)
            } else {
                0.0
            };
            format!(r#"<rect x="{x}" y="{y}" width="{w}" height="{h}" rx="{radius}"{paint}/>"#)
        };
        self.body.push_str(&shape);
        self.grow(x, y, x + w, y + h);
        if !cell.lines.is_empty() {
            self.label(&cell.lines, style, label_box);
        }
        self.body.push('\n');
    }

    /// A vertex's label inside (or, with `labelPosition`, beside) its box.
    fn label(&mut self, written: &[String], style: &Style, b: Rect) {
        let size = number(style, "fontSize").unwrap_or(11.0).clamp(4.0, 96.0);
        let weight = if number(style, "fontStyle").is_some_and(|s| (s as i64) & 1 == 1) {
            Weight::Bold
        } else {
            Weight::Regular
        };
        let padding = 2.0;
        // Outside positions: the label's box is the neighbouring box of the same size.
        let mut area = b;
        match style.get("labelPosition") {
            Some("left") => area.x -= b.w,
            Some("right") => area.x += b.w,
            _ => {}
        }
        match style.get("verticalLabelPosition") {
            Some("top") => area.y -= b.h,
            Some("bottom") => area.y += b.h,
            _ => {}
        }
        let wrap = style.get("whiteSpace") == Some("wrap");
        let lines = if wrap { wrap_words(written, size, weight, area.w - 2.0 * padding) } else { written.to_vec() };
        let line_height = size * LINE_HEIGHT;
        let block = line_height * lines.len() as f64;
        let valign = style.get("verticalAlign").unwrap_or("middle");
        let top = match valign {
            "top" => area.y + padding,
            "bottom" => area.y + area.h - padding - block,
            _ => area.y + (area.h - block) / 2.0,
        };
        let (anchor, tx) = match style.get("align") {
            Some("left") => ("start", area.x + padding),
            Some("right") => ("end", area.x + area.w - padding),
            _ => ("middle", area.x + area.w / 2.0),
        };
        let fill = colour(style, "fontColor", "#000000").unwrap_or_else(|| "#000000".into());
        let bold = if weight == Weight::Bold { r#" font-weight="bold""# } else { "" };
        let _ = write!(self.body, r#"<text x="{tx}" font-size="{size}" text-anchor="{anchor}" fill="{fill}"{bold}>"#);
        let mut widest: f64 = 0.0;
        for (n, line) in lines.iter().enumerate() {
            // The baseline sits about 0.8 em below the line's top.
            let baseline = top + line_height * n as f64 + size * 0.95;
            let _ = write!(self.body, r#"<tspan x="{tx}" y="{baseline:.1}">{}</tspan>"#, escape_attr(line));
            widest = widest.max(text::width(line, size, weight));
        }
        self.body.push_str("</text>");
        let left = match anchor {
            "start" => tx,
            "end" => tx - widest,
            _ => tx - widest / 2.0,
        };
        self.grow(left, top, left + widest, top + block);
        self.labels.push(written.join(" "));
    }

    fn edge(&mut self, graph: &Graph, index: usize) {
        let cell = &graph.cells[index];
        let end_box = |id: Option<&String>| id.and_then(|id| graph.get(id)).and_then(|c| c.bounds);
        let (source, target) = (end_box(cell.source.as_ref()), end_box(cell.target.as_ref()));
        let style = &cell.style;
        let constraint = |b: Option<Rect>, kx: &str, ky: &str| {
            let b = b?;
            let (fx, fy) = (number(style, kx)?, number(style, ky)?);
            Some((b.x + b.w * fx.clamp(0.0, 1.0), b.y + b.h * fy.clamp(0.0, 1.0)))
        };
        let exit = constraint(source, "exitX", "exitY");
        let entry = constraint(target, "entryX", "entryY");
        let start = exit.or_else(|| source.map(|b| b.centre())).or(cell.source_point);
        let end = entry.or_else(|| target.map(|b| b.centre())).or(cell.target_point);
        let (Some(start), Some(end)) = (start, end) else { return };
        let mut points = vec![start];
        points.extend(cell.points.iter().copied());
        points.push(end);
        if style.get("edgeStyle").is_some_and(|s| s.contains("orthogonal") || s.contains("elbow")) {
            points = orthogonal(&points, exit_direction(style, "exitX", "exitY"));
        }
        // Ends at a shape's centre are cut back to its outline.
        if exit.is_none() {
            if let (Some(b), Some(&next)) = (source, points.get(1)) {
                points[0] = clip(b, next, points[0]);
            }
        }
        if entry.is_none() {
            let n = points.len();
            if let (Some(b), Some(&before)) = (target, points.get(n.wrapping_sub(2))) {
                points[n - 1] = clip(b, before, points[n - 1]);
            }
        }
        points.dedup_by(|a, b| (a.0 - b.0).abs() < 0.01 && (a.1 - b.1).abs() < 0.01);
        if points.len() < 2 {
            return;
        }
        let stroke = colour(style, "strokeColor", "#000000").unwrap_or_else(|| "none".into());
        let mut d = String::new();
        for (n, (x, y)) in points.iter().enumerate() {
            let _ = write!(d, "{}{x:.1} {y:.1}", if n == 0 { 'M' } else { 'L' });
            self.grow(*x, *y, *x, *y);
        }
        let arrow = |key: &str, default: &str| style.get(key).unwrap_or(default) != "none";
        let mut markers = String::new();
        if arrow("endArrow", "classic") {
            markers.push_str(r#" marker-end="url(#ARROW)""#);
        }
        if arrow("startArrow", "none") {
            markers.push_str(r#" marker-start="url(#ARROW)""#);
        }
        self.markers |= !markers.is_empty();
        let dash = if flag(style, "dashed") { r#" stroke-dasharray="6 4""# } else { "" };
        let width = number(style, "strokeWidth")
            .map_or(String::new(), |w| format!(r#" stroke-width="{}""#, w.clamp(0.0, 20.0)));
        let _ = writeln!(
            self.body,
            r#"<path class="sp-drawing-edge" d="{d}" fill="none" stroke="{stroke}" color="{stroke}"{width}{dash}{markers}/>"#
        );
        // The edge's own label sits at its middle; label cells on it where they say.
        if !cell.lines.is_empty() {
            self.edge_label(&cell.lines, style, along(&points, 0.5));
        }
        for label in graph.cells.iter().filter(|c| c.parent.as_deref() == Some(cell.id.as_str()) && !c.hidden) {
            if label.lines.is_empty() {
                continue;
            }
            let fraction = label.geometry.map_or(0.0, |g| g.x).clamp(-1.0, 1.0);
            let (mut x, mut y) = along(&points, (fraction + 1.0) / 2.0);
            if let Some((dx, dy)) = label.offset {
                x += dx;
                y += dy;
            }
            self.edge_label(&label.lines, &label.style, (x, y));
        }
    }

    /// A label on an arrow, on a background that hides the line under it.
    fn edge_label(&mut self, written: &[String], style: &Style, (x, y): (f64, f64)) {
        let size = number(style, "fontSize").unwrap_or(11.0).clamp(4.0, 96.0);
        let lines = written.to_vec();
        let line_height = size * LINE_HEIGHT;
        let block = line_height * lines.len() as f64;
        let widest = lines.iter().map(|l| text::width(l, size, Weight::Regular)).fold(0.0, f64::max);
        let background = colour(style, "labelBackgroundColor", "#ffffff").unwrap_or_else(|| "none".into());
        let top = y - block / 2.0;
        let _ = write!(
            self.body,
            r#"<rect x="{:.1}" y="{top:.1}" width="{:.1}" height="{block:.1}" fill="{background}"/>"#,
            x - widest / 2.0 - 1.0,
            widest + 2.0
        );
        let fill = colour(style, "fontColor", "#000000").unwrap_or_else(|| "#000000".into());
        let _ = write!(self.body, r#"<text x="{x:.1}" font-size="{size}" text-anchor="middle" fill="{fill}">"#);
        for (n, line) in lines.iter().enumerate() {
            let baseline = top + line_height * n as f64 + size * 0.95;
            let _ = write!(self.body, r#"<tspan x="{x:.1}" y="{baseline:.1}">{}</tspan>"#, escape_attr(line));
        }
        self.body.push_str("</text>\n");
        self.grow(x - widest / 2.0, top, x + widest / 2.0, top + block);
        self.labels.push(written.join(" "));
    }

    fn finish(mut self, title: &str, id: &str) -> Picture {
        let (x0, y0, x1, y1) = self.extent.unwrap_or((0.0, 0.0, 0.0, 0.0));
        let (x0, y0) = (x0 - MARGIN, y0 - MARGIN);
        let (width, height) = (x1 - x0 + MARGIN, y1 - y0 + MARGIN);
        let marker_id = format!("{id}-arrow");
        let title_id = format!("{id}-title");
        let desc_id = format!("{id}-desc");
        let mut svg = String::new();
        let _ = writeln!(
            svg,
            r#"<svg class="sp-drawing-svg" xmlns="http://www.w3.org/2000/svg" viewBox="{x0:.1} {y0:.1} {width:.1} {height:.1}" width="{width:.0}" height="{height:.0}" role="img" aria-labelledby="{title_id} {desc_id}" font-family="Helvetica, Arial, 'Liberation Sans', sans-serif">"#
        );
        let _ = writeln!(svg, r#"<title id="{title_id}">{}</title>"#, escape_attr(title));
        let _ = writeln!(svg, r#"<desc id="{desc_id}">{}</desc>"#, escape_attr(&self.labels.join("; ")));
        if self.markers {
            let _ = writeln!(
                svg,
                r#"<defs><marker id="{marker_id}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0 0L10 5L0 10z" fill="context-stroke"/></marker></defs>"#
            );
        }
        svg.push_str(&self.body.replace("url(#ARROW)", &format!("url(#{marker_id})")));
        svg.push_str("</svg>");
        Picture { svg, width, height, labels: std::mem::take(&mut self.labels) }
    }
}

/// Each written line broken at spaces to fit `max`, as draw.io wraps (`whiteSpace=wrap`):
/// a word longer than the line stays whole and runs over, rather than being split.
fn wrap_words(written: &[String], size: f64, weight: Weight, max: f64) -> Vec<String> {
    let mut lines = Vec::new();
    for line in written {
        let mut current = String::new();
        for word in line.split(' ').filter(|w| !w.is_empty()) {
            let candidate = if current.is_empty() { word.to_string() } else { format!("{current} {word}") };
            if current.is_empty() || text::width(&candidate, size, weight) <= max {
                current = candidate;
            } else {
                lines.push(std::mem::replace(&mut current, word.to_string()));
            }
        }
        if !current.is_empty() {
            lines.push(current);
        }
    }
    lines
}

/// Which way an arrow leaves its source when the style pins its exit to a side.
fn exit_direction(style: &Style, kx: &str, ky: &str) -> Option<bool> {
    let (x, y) = (number(style, kx)?, number(style, ky)?);
    // true: horizontal (leaves through the left or right side).
    Some(x <= 0.0 || x >= 1.0 || !(y <= 0.0 || y >= 1.0))
}

/// Right angles between consecutive points, as draw.io's orthogonal edge style draws them.
fn orthogonal(points: &[(f64, f64)], first_horizontal: Option<bool>) -> Vec<(f64, f64)> {
    let mut out = vec![points[0]];
    for (n, pair) in points.windows(2).enumerate() {
        let ((ax, ay), (bx, by)) = (pair[0], pair[1]);
        if (ax - bx).abs() < 0.5 || (ay - by).abs() < 0.5 {
            out.push((bx, by));
            continue;
        }
        let horizontal = match (n, first_horizontal) {
            (0, Some(h)) => h,
            _ => (bx - ax).abs() >= (by - ay).abs(),
        };
        if horizontal {
            let mx = (ax + bx) / 2.0;
            out.extend([(mx, ay), (mx, by), (bx, by)]);
        } else {
            let my = (ay + by) / 2.0;
            out.extend([(ax, my), (bx, my), (bx, by)]);
        }
    }
    out
}

/// Where the segment from `outside` to `inside` (a point in `b`) crosses `b`'s outline.
fn clip(b: Rect, outside: (f64, f64), inside: (f64, f64)) -> (f64, f64) {
    let (dx, dy) = (outside.0 - inside.0, outside.1 - inside.1);
    let mut t: f64 = 1.0;
    if dx.abs() > f64::EPSILON {
        let edge = if dx > 0.0 { b.x + b.w } else { b.x };
        t = t.min((edge - inside.0) / dx);
    }
    if dy.abs() > f64::EPSILON {
        let edge = if dy > 0.0 { b.y + b.h } else { b.y };
        t = t.min((edge - inside.1) / dy);
    }
    let t = t.clamp(0.0, 1.0);
    (inside.0 + dx * t, inside.1 + dy * t)
}

/// The point `fraction` of the way along a polyline.
fn along(points: &[(f64, f64)], fraction: f64) -> (f64, f64) {
    let lengths: Vec<f64> = points.windows(2).map(|p| (p[1].0 - p[0].0).hypot(p[1].1 - p[0].1)).collect();
    let total: f64 = lengths.iter().sum();
    let mut left = total * fraction.clamp(0.0, 1.0);
    for (pair, length) in points.windows(2).zip(&lengths) {
        if left <= *length && *length > 0.0 {
            let t = left / length;
            return (pair[0].0 + (pair[1].0 - pair[0].0) * t, pair[0].1 + (pair[1].1 - pair[0].1) * t);
        }
        left -= length;
    }
    *points.last().expect("an edge has two points")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draw(cells: &str) -> Picture {
        let model =
            format!(r#"<mxGraphModel><root><mxCell id="0"/><mxCell id="1" parent="0"/>{cells}</root></mxGraphModel>"#);
        render(&Graph::parse(&model).unwrap(), "Architecture", "d1")
    }

    #[test]
    fn boxes_arrows_and_arrow_labels_are_drawn_where_the_drawing_puts_them() {
        let p = draw(
            r##"<mxCell id="a" value="Client" style="rounded=1;whiteSpace=wrap;fillColor=#dae8fc;strokeColor=#6c8ebf;" vertex="1" parent="1"><mxGeometry x="0" y="0" width="120" height="60" as="geometry"/></mxCell>
            <mxCell id="b" value="&lt;b&gt;Server&lt;/b&gt;" style="ellipse;" vertex="1" parent="1"><mxGeometry x="300" y="0" width="120" height="60" as="geometry"/></mxCell>
            <mxCell id="e" value="HTTPS" style="edgeStyle=orthogonalEdgeStyle;" edge="1" parent="1" source="a" target="b"><mxGeometry relative="1" as="geometry"/></mxCell>
            <mxCell id="l" value="port 443" style="edgeLabel;" vertex="1" connectable="0" parent="e"><mxGeometry x="-0.5" relative="1" as="geometry"><mxPoint y="10" as="offset"/></mxGeometry></mxCell>"##,
        );
        assert!(
            p.svg.contains(r##"<rect x="0" y="0" width="120" height="60" rx="9" fill="#dae8fc" stroke="#6c8ebf"/>"##),
            "{}",
            p.svg
        );
        assert!(p.svg.contains(r#"<ellipse cx="360" cy="30" rx="60" ry="30""#));
        // The arrow runs from the client's right side to the server's left, with a head.
        assert!(p.svg.contains(r#"d="M120.0 30.0L300.0 30.0""#), "{}", p.svg);
        assert!(p.svg.contains(r#"marker-end="url(#d1-arrow)""#));
        assert!(p.svg.contains(">HTTPS</tspan>") && p.svg.contains(">port 443</tspan>"));
        // "port 443" sits a quarter of the way along, 10 below the line.
        assert!(p.svg.contains(r#"<text x="165.0""#), "{}", p.svg);
        assert_eq!(p.labels, ["Client", "Server", "HTTPS", "port 443"]);
        assert!(p.svg.contains(r#"role="img" aria-labelledby="d1-title d1-desc""#));
    }

    #[test]
    fn waypoints_are_followed_and_hidden_layers_left_out() {
        let p = draw(
            r#"<mxCell id="a" value="A" style="" vertex="1" parent="1"><mxGeometry x="0" y="0" width="40" height="40" as="geometry"/></mxCell>
            <mxCell id="b" value="B" style="" vertex="1" parent="1"><mxGeometry x="0" y="200" width="40" height="40" as="geometry"/></mxCell>
            <mxCell id="e" style="endArrow=none;" edge="1" parent="1" source="a" target="b"><mxGeometry relative="1" as="geometry"><Array as="points"><mxPoint x="100" y="20"/><mxPoint x="100" y="220"/></Array></mxGeometry></mxCell>
            <mxCell id="h" value="Hidden" parent="0" visible="0"/>
            <mxCell id="c" value="Secret" style="" vertex="1" parent="h"><mxGeometry x="500" y="500" width="40" height="40" as="geometry"/></mxCell>"#,
        );
        assert!(p.svg.contains(r#"d="M40.0 20.0L100.0 20.0L100.0 220.0L40.0 220.0""#), "{}", p.svg);
        assert!(!p.svg.contains("marker"), "endArrow=none draws no head");
        assert!(!p.svg.contains("Secret"));
        assert!(p.width < 200.0 && p.height < 260.0, "{} x {}", p.width, p.height);
    }

    #[test]
    fn styles_cannot_inject_markup() {
        let p = draw(
            r#"<mxCell id="a" value="&lt;script&gt;x&lt;/script&gt;a &amp;lt; b" style="fillColor=red&quot;/&gt;&lt;script&gt;;fontColor=url(javascript:x)" vertex="1" parent="1"><mxGeometry x="0" y="0" width="80" height="40" as="geometry"/></mxCell>"#,
        );
        assert!(!p.svg.contains("<script"), "{}", p.svg);
        assert!(!p.svg.contains("javascript"), "{}", p.svg);
        assert!(p.svg.contains(">x a &lt; b</tspan>"), "{}", p.svg);
    }
}
