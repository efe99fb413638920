//! Draws a laid-out process as SVG. Colours come from CSS classes (see `diagram.css`);
//! the markup carries only geometry, so the theme, dark mode and print restyle it.

use std::fmt::Write;

use super::layout::{self, Anchor, Label, Layout, Rect};
use super::{Icon, Process, StageKind};
use crate::markdown::escape_attr;

/// Arrowhead length and half-width.
const ARROW: i32 = 8;
const ARROW_HALF: i32 = 5;

/// Which drawing of a process: the one for a page's content column, the one for a
/// phone (a page holds both and shows one, so its ids differ), or a file of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode<'a> {
    Wide,
    Narrow,
    /// With this stylesheet inside, and the process title drawn above the diagram.
    Standalone(&'a str),
}

/// The ids the SVG's parts carry, so a page can hold several diagrams.
pub struct Ids {
    pub title: String,
    pub desc: String,
    /// Put before `stage-` in each stage's id.
    stage_prefix: &'static str,
}

impl Ids {
    pub fn for_process(process: &Process, mode: Mode) -> Ids {
        let (extra, stage_prefix) = if mode == Mode::Narrow { ("-narrow", "narrow-") } else { ("", "") };
        Ids {
            title: format!("process-{}{extra}-title", process.id),
            desc: format!("process-{}{extra}-desc", process.id),
            stage_prefix,
        }
    }

    /// The `id` of a stage's link inside the diagram.
    pub fn stage(&self, process: &Process, stage: &super::Stage) -> String {
        format!("{}stage-{}-{}", self.stage_prefix, process.id, stage.id)
    }
}

/// Room above a standalone drawing for the process title.
pub const TITLE_BAND: i32 = 36;

/// The `<svg>` element. In a page it scales to the content column, never below 13/14 of
/// its natural size (the page swaps in the phone drawing before that); a standalone file
/// has its natural size, its own stylesheet and the process title above the drawing.
pub fn draw(process: &Process, layout: &Layout, mode: Mode) -> String {
    let ids = Ids::for_process(process, mode);
    let mut out = String::with_capacity(4096 + 1500 * process.stages.len());
    let (w, h) = (layout.width, layout.height);
    let variant = match (mode, layout.direction) {
        (Mode::Narrow, _) => "narrow sp-diagram--down",
        (Mode::Wide, super::Direction::Right) => "wide sp-diagram--right",
        (Mode::Wide, super::Direction::Down) => "wide sp-diagram--down",
        (_, super::Direction::Right) => "right",
        (_, super::Direction::Down) => "down",
    };
    let (size, view_y, view_h) = match mode {
        Mode::Wide => (format!(r#"width="100%" style="min-width:{}px;max-width:{w}px""#, w * 13 / 14), 0, h),
        Mode::Narrow => (r#"width="100%" style="max-width:440px""#.to_string(), 0, h),
        Mode::Standalone(_) => (
            format!(r#"xmlns="http://www.w3.org/2000/svg" width="{w}" height="{}""#, h + TITLE_BAND),
            -TITLE_BAND,
            h + TITLE_BAND,
        ),
    };
    let _ = writeln!(
        out,
        r#"<svg {size} class="sp-diagram sp-diagram--{variant}" viewBox="0 {view_y} {w} {view_h}" role="group" aria-labelledby="{t}" aria-describedby="{d}" font-family="Arial, 'Liberation Sans', Helvetica, 'DejaVu Sans', sans-serif" font-size="{fs}">"#,
        t = ids.title,
        d = ids.desc,
        fs = layout::FONT,
    );
    if let Mode::Standalone(style) = mode {
        let _ = writeln!(out, "<style>\n{style}</style>");
        let _ = writeln!(
            out,
            r#"<rect class="sp-export-background" x="0" y="{}" width="{w}" height="{}"/>"#,
            -TITLE_BAND,
            h + TITLE_BAND
        );
        let _ = writeln!(
            out,
            r#"<text class="sp-export-title" x="{}" y="{}" font-size="18">{}</text>"#,
            layout::MARGIN + 2,
            -TITLE_BAND + 24,
            escape_attr(&process.title)
        );
    }
    let _ = writeln!(out, r#"<title id="{}">{}</title>"#, ids.title, escape_attr(&process.title));
    let description = if process.description.is_empty() { &process.title } else { &process.description };
    let _ = writeln!(out, r#"<desc id="{}">{}</desc>"#, ids.desc, escape_attr(description));

    out.push_str("<g class=\"sp-lanes\">\n");
    for band in &layout.lanes {
        let lane = &process.lanes[band.lane];
        let _ = writeln!(out, r#"<g class="sp-lane" data-lane="{}">"#, escape_attr(&lane.id));
        let _ = writeln!(out, r#"<rect class="sp-lane-band" {}/>"#, rect_attrs(&band.rect));
        label(&mut out, "sp-lane-title", &band.label, layout.lane_font());
        out.push_str("</g>\n");
    }
    out.push_str("</g>\n<g class=\"sp-groups\">\n");
    for gbox in &layout.groups {
        let group = &process.groups[gbox.group];
        let _ = writeln!(out, r#"<g class="sp-group" data-group="{}">"#, escape_attr(&group.id));
        let _ = writeln!(out, r#"<rect class="sp-group-box" {} rx="8" fill="none"/>"#, rect_attrs(&gbox.rect));
        out.push_str("</g>\n");
    }
    out.push_str("</g>\n<g class=\"sp-edges\" aria-hidden=\"true\">\n");
    for edge in &layout.edges {
        let back = if edge.back { " sp-edge--back" } else { "" };
        let _ = writeln!(
            out,
            r#"<g class="sp-edge{back}" data-from="{}" data-to="{}">"#,
            process.stages[edge.from].id, process.stages[edge.to].id
        );
        let (line, head) = edge_paths(&edge.points);
        let _ = writeln!(out, r#"<path class="sp-edge-line" d="{line}" fill="none"/>"#);
        let _ = writeln!(out, r#"<path class="sp-edge-arrow" d="{head}"/>"#);
        out.push_str("</g>\n");
    }
    // Group titles go over the edges (with a halo in the group's colour), so an edge
    // entering a group passes under its title instead of striking it through.
    out.push_str("</g>\n<g class=\"sp-group-titles\">\n");
    for gbox in &layout.groups {
        label(&mut out, "sp-group-title", &gbox.label, layout::GROUP_FONT);
    }
    out.push_str("</g>\n<g class=\"sp-stages\">\n");
    for &s in &layout.order {
        stage(&mut out, process, s, layout, &ids);
    }
    out.push_str("</g>\n</svg>\n");
    out
}

fn stage(out: &mut String, process: &Process, s: usize, layout: &Layout, ids: &Ids) {
    let stage = &process.stages[s];
    let sbox = &layout.stages[s];
    let kind = stage.kind.name();
    let mut name = match stage.kind {
        StageKind::Stage => stage.title.clone(),
        other => format!("{} ({})", stage.title, other.name()),
    };
    // The phone drawing shows the stage's lane (and group) above its title, inside the
    // link: the link's name starts with that text too, so what a speech-input user reads
    // on screen is the name they can say (WCAG 2.5.3, axe's label-content-name-mismatch).
    if let Some(caption) = &layout.stages[s].caption {
        name = format!("{} {name}", caption.lines.join(" "));
    }
    let anchor = stage.href().rsplit_once('#').map(|(page, a)| (page.is_empty() || !page.contains(':'), a.to_string()));
    let anchor = match anchor {
        Some((true, a)) => format!(r#" data-anchor="{}""#, escape_attr(&a)),
        _ => String::new(),
    };
    let _ = writeln!(
        out,
        r#"<a class="sp-stage sp-stage--{kind}" id="{}" href="{}" data-stage="{}"{anchor} aria-label="{}">"#,
        escape_attr(&ids.stage(process, stage)),
        escape_attr(&stage.href()),
        escape_attr(&stage.id),
        escape_attr(&name),
    );
    if let Some(summary) = &stage.summary {
        let _ = writeln!(out, "<title>{}</title>", escape_attr(summary));
    }
    let r = &sbox.rect;
    match stage.kind {
        StageKind::Stage => {
            let _ = writeln!(out, r#"<rect class="sp-stage-shape" {} rx="6"/>"#, rect_attrs(r));
        }
        StageKind::Start => {
            let _ = writeln!(out, r#"<rect class="sp-stage-shape" {} rx="{}"/>"#, rect_attrs(r), r.h / 2);
        }
        StageKind::End => {
            let _ = writeln!(out, r#"<rect class="sp-stage-shape" {} rx="{}"/>"#, rect_attrs(r), r.h / 2);
            let inner = Rect { x: r.x + 4, y: r.y + 4, w: r.w - 8, h: r.h - 8 };
            let _ = writeln!(
                out,
                r#"<rect class="sp-stage-ring" {} rx="{}" fill="none"/>"#,
                rect_attrs(&inner),
                inner.h / 2
            );
        }
        StageKind::Milestone => {
            let (x0, x1, y0, y1, ym, d) = (r.x, r.right(), r.y, r.bottom(), r.y + r.h / 2, 14);
            let _ = writeln!(
                out,
                r#"<path class="sp-stage-shape" d="M{} {y0}H{}L{x1} {ym}L{} {y1}H{}L{x0} {ym}Z"/>"#,
                x0 + d,
                x1 - d,
                x1 - d,
                x0 + d
            );
        }
    }
    if let Some(icon) = stage.icon {
        let pad = match stage.kind {
            StageKind::Stage => 8,
            _ => 14,
        };
        draw_icon(out, icon, r.x + pad, r.y + r.h / 2 - 7);
    }
    if let Some(caption) = &sbox.caption {
        label(out, "sp-stage-lane", caption, layout::CAPTION_FONT);
    }
    label(out, "sp-stage-title", &sbox.label, layout::FONT);
    out.push_str("</a>\n");
}

fn rect_attrs(r: &Rect) -> String {
    format!(r#"x="{}" y="{}" width="{}" height="{}""#, r.x, r.y, r.w, r.h)
}

fn label(out: &mut String, class: &str, label: &Label, size: f64) {
    let anchor = match label.anchor {
        Anchor::Start => "start",
        Anchor::Middle => "middle",
    };
    let _ = write!(
        out,
        r#"<text class="{class}" x="{}" y="{}" text-anchor="{anchor}" font-size="{size}">"#,
        label.x, label.y
    );
    // Wrapped lines keep the space between their words, so the text read out (and
    // matched against the link's label) is the whole title, not words run together.
    let last = label.lines.len().saturating_sub(1);
    for (i, line) in label.lines.iter().enumerate() {
        let space = if i < last { " " } else { "" };
        let y = label.y + i as i32 * label.line_height;
        let _ = write!(out, r#"<tspan x="{}" y="{y}">{}{space}</tspan>"#, label.x, escape_attr(line));
    }
    out.push_str("</text>\n");
}

/// The line (stopping short of the target for the arrowhead) and the arrowhead.
fn edge_paths(points: &[(i32, i32)]) -> (String, String) {
    let n = points.len();
    let (tip, before) = (points[n - 1], points[n - 2]);
    let dir = ((tip.0 - before.0).signum(), (tip.1 - before.1).signum());
    let base = (tip.0 - dir.0 * ARROW, tip.1 - dir.1 * ARROW);
    let mut line = String::new();
    for (i, p) in points[..n - 1].iter().enumerate() {
        let _ = write!(line, "{}{} {}", if i == 0 { "M" } else { "L" }, p.0, p.1);
    }
    let _ = write!(line, "L{} {}", base.0, base.1);
    let (px, py) = (-dir.1 * ARROW_HALF, dir.0 * ARROW_HALF);
    let head = format!("M{} {}L{} {}L{} {}Z", tip.0, tip.1, base.0 + px, base.1 + py, base.0 - px, base.1 - py);
    (line, head)
}

/// 14-pixel pictograms drawn with strokes, from a fixed set so nothing is fetched.
fn draw_icon(out: &mut String, icon: Icon, x: i32, y: i32) {
    let d = match icon {
        Icon::Document => "M2 0h7l3 3v11h-10z M4 6h6 M4 9h6 M4 12h4",
        Icon::Certificate => "M7 1a4.5 4.5 0 1 0 0.01 0z M4.5 9l-1.5 5 4-2 4 2-1.5-5",
        Icon::People => {
            "M5 2a2 2 0 1 0 0.01 0z M1 12a4 4 0 0 1 8 0z M10 3a2 2 0 1 0 0.01 0z M10 8a3.5 3.5 0 0 1 3.5 3.5"
        }
        Icon::Code => "M4 3l-4 4 4 4 M10 3l4 4-4 4 M8 2l-2 10",
        Icon::Test => "M5 0v5l-4 8h12l-4-8v-5 M4 0h6 M3 9h8",
        Icon::Search => "M6 1a5 5 0 1 0 0.01 0z M9.5 9.5l4 4",
        Icon::Settings => {
            "M7 4a3 3 0 1 0 0.01 0z M7 0v3 M7 11v3 M0 7h3 M11 7h3 M2 2l2 2 M10 10l2 2 M12 2l-2 2 M2 12l2-2"
        }
        Icon::Flag => "M2 14v-14 M2 1h10l-2 3 2 3h-10",
    };
    let _ = writeln!(
        out,
        r#"<path class="sp-stage-icon" transform="translate({x} {y})" d="{d}" fill="none" aria-hidden="true"/>"#
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arrowhead_points_along_the_last_segment() {
        let (line, head) = edge_paths(&[(0, 10), (50, 10)]);
        assert_eq!(line, "M0 10L42 10");
        assert_eq!(head, "M50 10L42 15L42 5Z");
        let (line, head) = edge_paths(&[(10, 0), (10, 20), (30, 20), (30, 60)]);
        assert_eq!(line, "M10 0L10 20L30 20L30 52");
        assert_eq!(head, "M30 60L25 52L35 52Z");
    }
}
