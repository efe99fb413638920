//! What a page holds where it places a process: a wrapper with a stable id, the inline
//! SVG and, next to it, a text alternative listing the stages by lane with the same links.

use std::fmt::Write;

use super::{fit, layout, linear, svg, Process, StageKind};
use crate::diagnostics::Location;
use crate::markdown::escape_attr;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placement {
    pub html: String,
    /// The wrapper's id, the target of "Back to the process" links.
    pub wrapper_id: String,
    /// Every stage's link in process order.
    pub stage_links: Vec<StageLink>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StageLink {
    pub stage_id: String,
    /// As written, or `#<slug of the title>`.
    pub href: String,
    /// The link's position in the YAML, or the stage's when the link is the default.
    pub location: Location,
}

/// The id of the element wrapping a placed process.
pub fn wrapper_id(process: &Process) -> String {
    format!("process-{}", process.id)
}

/// The process as a page holds it: a link to skip the drawing, the drawing fitted to the
/// content column and the phone drawing (the container's width picks one, with CSS
/// alone), the text alternative, and the place the skip link leads to.
pub fn place(process: &Process) -> Placement {
    let layout = fit::fitted(process, layout::COLUMN);
    let narrow = linear::layout(process);
    let wrapper_id = wrapper_id(process);
    let after = format!("{wrapper_id}-after");
    let mut html = String::with_capacity(8192 + 4000 * process.stages.len());
    let _ = writeln!(html, r#"<div class="sp-process" id="{wrapper_id}" data-process="{}">"#, escape_attr(&process.id));
    let _ = writeln!(
        html,
        r##"<a class="sp-process-skip" href="#{after}">Skip the diagram: {}</a>"##,
        escape_attr(&process.title)
    );
    html.push_str("<div class=\"sp-process-scroll\">\n");
    html.push_str(&svg::draw(process, &layout, svg::Mode::Wide));
    html.push_str(&svg::draw(process, &narrow, svg::Mode::Narrow));
    html.push_str("</div>\n");
    // Below this width the wide drawing's text would be under 13 px: show the phone one.
    let _ = writeln!(
        html,
        "<style>@container (max-width: {}px) {{ #{wrapper_id} .sp-diagram--wide {{ display: none; }} #{wrapper_id} .sp-diagram--narrow {{ display: block; }} }}</style>",
        layout.width * 13 / 14 - 1
    );
    current_stage_rules(&mut html, process);
    text_alternative(&mut html, process, &layout.order);
    let _ = writeln!(html, r#"<span class="sp-process-after" id="{after}" tabindex="-1"></span>"#);
    html.push_str("</div>\n");
    let stage_links = layout
        .order
        .iter()
        .map(|&s| {
            let stage = &process.stages[s];
            StageLink {
                stage_id: stage.id.clone(),
                href: stage.href(),
                location: stage.link_location.clone().unwrap_or_else(|| stage.location.clone()),
            }
        })
        .collect();
    Placement { html, wrapper_id, stage_links }
}

/// Marks the stage whose section is the page's target, with CSS alone: `:has()` finds
/// the target heading anywhere on the page. (The theme's script also sets aria-current.)
fn current_stage_rules(html: &mut String, process: &Process) {
    let rules: Vec<String> = process
        .stages
        .iter()
        .filter_map(|stage| {
            let anchor = stage.href().strip_prefix('#')?.to_string();
            // Only ids CSS can name without escaping; others rely on the script.
            let plain = !anchor.is_empty()
                && anchor.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
                && !anchor.starts_with(|c: char| c.is_ascii_digit() || c == '-');
            plain.then(|| {
                format!(
                    "body:has(#{anchor}:target) #process-{} [data-stage=\"{}\"] .sp-stage-shape",
                    process.id, stage.id
                )
            })
        })
        .collect();
    if rules.is_empty() {
        return;
    }
    let _ = writeln!(
        html,
        "<style>{} {{ fill: var(--sp-current-fill); stroke: var(--sp-current-stroke); stroke-width: 3px; }}</style>",
        rules.join(",\n")
    );
}

/// A collapsed list of lanes, each an ordered list of its stages in process order with
/// the diagram's links, the kind in words and what comes next.
fn text_alternative(html: &mut String, process: &Process, order: &[usize]) {
    let _ = writeln!(
        html,
        r#"<details class="sp-process-text"><summary>{} as a list</summary>"#,
        escape_attr(&process.title)
    );
    html.push_str("<ul class=\"sp-process-lanes\">\n");
    for (lane_ix, lane) in process.lanes.iter().enumerate() {
        let _ = writeln!(html, r#"<li><span class="sp-process-lane">{}</span>"#, escape_attr(&lane.title));
        html.push_str("<ol>\n");
        for &s in order.iter().filter(|&&s| process.stages[s].lane_ix == lane_ix) {
            let stage = &process.stages[s];
            let _ = write!(html, r#"<li><a href="{}">{}</a>"#, escape_attr(&stage.href()), escape_attr(&stage.title));
            if stage.kind != StageKind::Stage {
                let _ = write!(html, " ({})", stage.kind.name());
            }
            if let Some(summary) = &stage.summary {
                let stop = if summary.ends_with(['.', '!', '?']) { "" } else { "." };
                let _ = write!(html, ": {}{stop}", escape_attr(summary));
            }
            if !stage.next_ix.is_empty() {
                let next: Vec<String> = stage.next_ix.iter().map(|&n| escape_attr(&process.stages[n].title)).collect();
                let _ = write!(html, " Next: {}.", next.join("; "));
            }
            html.push_str("</li>\n");
        }
        html.push_str("</ol></li>\n");
    }
    html.push_str("</ul>\n</details>\n");
}
