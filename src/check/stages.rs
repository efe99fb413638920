//! Stage links of placed process diagrams, and processes no page places.

use super::problem::{describe, Problem};
use super::{Context, Finding, Kind};
use crate::content::Scope;
use crate::diagnostics::Location;
use crate::output::{LinkRecord, PageRecord};
use crate::process::{Process, Stage};

/// Words a broken stage link. A stage without `link:` points at the heading named like
/// it on the page that places the diagram: when that heading is missing, the page lacks
/// the stage's section, which is its own kind of finding.
pub(super) fn check_stage_link(
    cx: &Context,
    page: &PageRecord,
    link: &LinkRecord,
    problem: Option<&Problem>,
    found: &mut Vec<Finding>,
) {
    let Some(problem) = problem else { return };
    let stage = stage_of(cx, link);
    if let (Some((process, stage)), Problem::MissingAnchor { file, anchor, .. }) = (stage, problem) {
        if stage.link.is_none() && *file == page.file {
            found.push(
                Finding::new(
                    Kind::StageWithoutSection,
                    link.location.clone(),
                    &link.written,
                    format!("stage `{}` of process `{}` has no section on {}", stage.id, process.id, page.file),
                )
                // The link is the stage's default, so it points at the stage's `id: ...`.
                .spanning(stage.id.chars().count() + 4)
                .on_page(&page.file)
                .hint(format!(
                    "add a heading \u{201c}{}\u{201d} (id #{anchor}) to {}, or give the stage a `link:`",
                    stage.title,
                    page.source.display()
                )),
            );
            return;
        }
    }
    let mut finding = describe(cx, link, Some(page), problem);
    finding.kind = Kind::BrokenStageLink;
    finding.message = match stage {
        Some((process, stage)) => format!("stage `{}` of process `{}`: {}", stage.id, process.id, finding.message),
        None => format!("stage link: {}", finding.message),
    };
    found.push(finding);
}

/// The stage a recorded stage link came from: its link's position in the YAML, or the
/// stage's own when the link is the default.
fn stage_of<'s>(cx: &Context<'s>, link: &LinkRecord) -> Option<(&'s Process, &'s Stage)> {
    let process = cx.site.processes.values().find(|p| *p.source == *link.location.file)?;
    let stage = process.stages.iter().find(|s| {
        s.link_location.as_ref() == Some(&link.location) || (s.link.is_none() && s.location == link.location)
    })?;
    Some((process, stage))
}

/// Processes whose diagram no page places. A service built alone does not place the
/// processes other services name, so those are not reported.
pub(super) fn unplaced(cx: &Context, found: &mut Vec<Finding>) {
    for process in cx.site.processes.values().filter(|p| !p.is_abstract) {
        // A placed diagram leaves its wrapper's id on the page; a variant's stages may
        // point at its base's file, so their links cannot tell which process was placed.
        let wrapper = crate::process::html::wrapper_id(process);
        let placed = cx.held.iter().flat_map(|a| a.ids()).any(|id| id == wrapper);
        let elsewhere = match &cx.site.scope {
            Scope::Service(own) => cx
                .site
                .config
                .services
                .iter()
                .any(|s| s.id != *own && s.process.as_deref() == Some(process.id.as_str())),
            Scope::Portal => false,
        };
        if placed || elsewhere {
            continue;
        }
        // The whole `id: ...` line is underlined, from its first column.
        let location = Location::new(&process.source, process.id_at.line, 1);
        found.push(
            Finding::new(
                Kind::UnplacedProcess,
                location,
                &process.id,
                format!("process `{}` is placed on no page", process.id),
            )
            .spanning(process.id.chars().count() + 4)
            .hint(format!(
                "place it in a page with {{% include process.html id=\"{}\" %}}, or remove {}",
                process.id,
                process.source.display()
            )),
        );
    }
}
