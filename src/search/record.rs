//! What the index holds for each page: a [`Record`] written from the page's
//! [`Document`], not the rendered page, so the index holds the title, summary,
//! keywords, sections and stages and nothing of the header, sidebar or footer. Each
//! part keeps its heading's id, so a result can land on a section.

use std::collections::{BTreeMap, HashMap};
use std::io;

use super::{Document, StageEntry};
use crate::documents::Kept;
use crate::site::urls::page_key;

/// How much a word counts where it stands: a match in the page title outranks one in a
/// heading, which outranks one in the body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Field {
    Body = 1,
    Summary = 2,
    Stage = 3,
    Heading = 4,
    Keyword = 5,
    Title = 8,
}

/// One page as the index receives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Record {
    pub url: String,
    pub title: String,
    /// The service id, for the filter.
    pub service: Option<String>,
    /// The top of the page (no anchor) first when it has anything, then each section.
    pub parts: Vec<Part>,
}

/// A landing place of a page: its top or one section.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Part {
    pub anchor: Option<String>,
    /// The section's heading, or the page title for the top.
    pub title: String,
    /// The text indexed for the part, in reading order, each piece with its weight.
    pub pieces: Vec<(Field, String)>,
}

impl Part {
    /// The part's text for excerpts: its pieces after the heading, joined; a stage's
    /// title runs into its summary ("Go-live: The go-lives take place.").
    pub(super) fn text(&self) -> String {
        let mut text = String::new();
        let mut after_stage = false;
        for (field, piece) in self.pieces.iter().filter(|(f, _)| !matches!(f, Field::Title | Field::Heading)) {
            if !text.is_empty() {
                text.push_str(if after_stage { ": " } else { " " });
            }
            text.push_str(piece);
            after_stage = *field == Field::Stage;
        }
        text
    }
}

/// Where a stage lands in the index: a page (by position) and a section (`None`: the top).
type Landing = (usize, Option<String>);

/// The records of some documents, each stage placed in the section its link lands on,
/// made one at a time: the index reads each (from the file a build set it aside in)
/// and lets it go, so the text of every page is never held at once.
pub(super) struct Records<'d> {
    documents: &'d [&'d Kept],
    landings: BTreeMap<Landing, Vec<&'d StageEntry>>,
}

impl<'d> Records<'d> {
    pub(super) fn new(documents: &'d [&'d Kept]) -> io::Result<Self> {
        Ok(Records { documents, landings: land_stages(documents)? })
    }

    pub(super) fn len(&self) -> usize {
        self.documents.len()
    }

    /// A digest of what the record of document `i` is made from: its document, its URL
    /// and the stages that land on it. `None` for a document held in memory.
    pub(super) fn key(&self, i: usize) -> Option<u64> {
        use std::hash::{Hash, Hasher};
        let document = self.documents[i];
        let mut hasher = rustc_hash::FxHasher::default();
        document.digest()?.hash(&mut hasher);
        document.url().hash(&mut hasher);
        for (landing, stages) in self.landings.range((i, None)..(i + 1, None)) {
            landing.hash(&mut hasher);
            stages.hash(&mut hasher);
        }
        Some(hasher.finish())
    }

    /// The record of document `i`.
    pub(super) fn get(&self, i: usize) -> io::Result<Record> {
        Ok(record(i, &*self.documents[i].document()?, &self.landings))
    }
}

#[cfg(test)]
fn records(documents: &[&Document]) -> Vec<Record> {
    let kept: Vec<Kept> = documents.iter().map(|d| Kept::held((*d).clone())).collect();
    let kept: Vec<&Kept> = kept.iter().collect();
    let records = Records::new(&kept).unwrap();
    (0..records.len()).map(|i| records.get(i).unwrap()).collect()
}

/// Stages grouped by where they land. A stage whose target is not a section of an
/// indexed page (another site, an excluded page, an id written in raw HTML) lands on
/// the diagram itself, in a section of the placing page named after the process.
/// A target's page is read only for a stage that names one of its sections.
fn land_stages<'d>(documents: &[&'d Kept]) -> io::Result<BTreeMap<Landing, Vec<&'d StageEntry>>> {
    let by_url: HashMap<&str, usize> = documents.iter().enumerate().map(|(i, d)| (page_key(d.url()), i)).collect();
    let mut landings: BTreeMap<Landing, Vec<&StageEntry>> = BTreeMap::new();
    for (i, doc) in documents.iter().enumerate() {
        for stage in doc.stages() {
            let target = stage.target.as_deref().and_then(|t| {
                let (page, anchor) = match t.split_once('#') {
                    Some((p, a)) if !a.is_empty() => (p, Some(a)),
                    Some((p, _)) => (p, None),
                    None => (t, None),
                };
                let page = if page.is_empty() { i } else { *by_url.get(page_key(page))? };
                Some((page, anchor))
            });
            let known = match target {
                Some((_, None)) => true,
                Some((page, Some(anchor))) => {
                    documents[page].document()?.sections.iter().any(|s| s.anchor.as_deref() == Some(anchor))
                }
                None => false,
            };
            let landing = match target {
                Some((page, anchor)) if known => (page, anchor.map(str::to_string)),
                _ => (i, Some(stage.wrapper.clone())),
            };
            landings.entry(landing).or_default().push(stage);
        }
    }
    Ok(landings)
}

fn record(i: usize, doc: &Document, landings: &BTreeMap<Landing, Vec<&StageEntry>>) -> Record {
    let mut top = Part { anchor: None, title: doc.title.clone(), pieces: vec![(Field::Title, doc.title.clone())] };
    if let Some(summary) = &doc.summary {
        top.pieces.push((Field::Summary, summary.clone()));
    }
    let mut terms: Vec<&str> = Vec::new();
    for term in doc.keywords.iter().chain(&doc.tags) {
        if !terms.iter().any(|t| t.eq_ignore_ascii_case(term)) {
            terms.push(term);
        }
    }
    if !terms.is_empty() {
        top.pieces.push((Field::Keyword, terms.join(", ")));
    }
    if doc.sections.first().is_none_or(|s| s.anchor.is_some()) {
        add_stages(&mut top, landings.get(&(i, None)).map_or(&[][..], Vec::as_slice), &doc.title);
    }
    let mut parts = vec![top];
    for section in &doc.sections {
        let part = match &section.anchor {
            Some(anchor) => {
                let title = section.title.clone();
                parts.push(Part { anchor: Some(anchor.clone()), pieces: vec![(Field::Heading, title.clone())], title });
                parts.last_mut().expect("just pushed")
            }
            None => &mut parts[0],
        };
        if !section.text.trim().is_empty() {
            part.pieces.push((Field::Body, section.text.trim().to_string()));
        }
        if let Some(stages) = landings.get(&(i, section.anchor.clone())) {
            let heading = part.title.clone();
            add_stages(part, stages, &heading);
        }
    }
    // Stages that land on a diagram of this page rather than on a section of it.
    for ((_, anchor), stages) in landings.range((i, None)..(i + 1, None)) {
        let Some(anchor) = anchor else { continue };
        if doc.sections.iter().any(|s| s.anchor.as_ref() == Some(anchor)) {
            continue;
        }
        let process = stages.first().map(|s| s.process.clone()).unwrap_or_default();
        let mut part =
            Part { anchor: Some(anchor.clone()), pieces: vec![(Field::Heading, process.clone())], title: process };
        let heading = part.title.clone();
        add_stages(&mut part, stages, &heading);
        parts.push(part);
    }
    Record { url: doc.url.clone(), title: doc.title.clone(), service: doc.service.clone(), parts }
}

/// A stage's summary under the heading it lands on, with its title when the heading
/// does not already say it.
fn add_stages(part: &mut Part, stages: &[&StageEntry], heading: &str) {
    for stage in stages {
        if !stage.title.eq_ignore_ascii_case(heading.trim()) {
            part.pieces.push((Field::Stage, stage.title.clone()));
        }
        if let Some(summary) = &stage.summary {
            part.pieces.push((Field::Body, summary.clone()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markdown::Section;

    fn section(anchor: Option<&str>, title: &str, text: &str) -> Section {
        Section { anchor: anchor.map(str::to_string), title: title.into(), text: text.into() }
    }

    fn stage(title: &str, summary: &str, target: Option<&str>) -> StageEntry {
        StageEntry {
            title: title.into(),
            summary: Some(summary.into()),
            process: "Journey".into(),
            target: target.map(str::to_string),
            wrapper: "process-journey".into(),
        }
    }

    fn page(url: &str, sections: Vec<Section>, stages: Vec<StageEntry>) -> Document {
        Document { url: url.into(), title: "Guide".into(), sections, stages, ..Document::default() }
    }

    fn pieces(part: &Part) -> Vec<(Field, &str)> {
        part.pieces.iter().map(|(f, t)| (*f, t.as_str())).collect()
    }

    #[test]
    fn a_page_is_its_title_terms_sections_and_landed_stages_in_order() {
        let mut a = page(
            "/a.html",
            vec![section(None, "", "Intro."), section(Some("apply"), "Apply", "How to apply.")],
            vec![
                stage("Apply", "Send the form.", Some("/a.html#apply")),
                stage("Sign", "Sign it.", Some("/b.html#sign")),
            ],
        );
        a.service = Some("nrls".into());
        a.summary = Some("All about it.".into());
        a.keywords = vec!["forms".into(), "Forms".into()];
        a.tags = vec!["onboarding".into()];
        let b = page("/b.html", vec![section(Some("sign"), "Signing", "Sign here.")], vec![]);
        let records = records(&[&a, &b]);
        let top = &records[0].parts[0];
        assert_eq!(top.anchor, None);
        assert_eq!(
            pieces(top),
            [
                (Field::Title, "Guide"),
                (Field::Summary, "All about it."),
                (Field::Keyword, "forms, onboarding"),
                (Field::Body, "Intro.")
            ]
        );
        assert_eq!(top.text(), "All about it. forms, onboarding Intro.");
        let apply = &records[0].parts[1];
        assert_eq!(apply.anchor.as_deref(), Some("apply"));
        assert_eq!(
            pieces(apply),
            [(Field::Heading, "Apply"), (Field::Body, "How to apply."), (Field::Body, "Send the form.")],
            "a stage under its own heading adds its summary, not its title again"
        );
        assert_eq!(records[0].service.as_deref(), Some("nrls"));
        assert_eq!(
            pieces(&records[1].parts[1]),
            [
                (Field::Heading, "Signing"),
                (Field::Body, "Sign here."),
                (Field::Stage, "Sign"),
                (Field::Body, "Sign it.")
            ],
            "a stage lands on another page's section, with its title"
        );
    }

    #[test]
    fn stages_without_an_indexed_target_land_on_the_diagram() {
        let a = page(
            "/guide/",
            vec![section(Some("intro"), "Intro", "Text.")],
            vec![
                stage("Audit", "Auditors check.", Some("https://example.org/")),
                stage("Hidden", "Excluded page.", Some("/secret.html#x")),
                stage("Top", "The page itself.", Some("/guide/index.html")),
            ],
        );
        let record = &records(&[&a])[0];
        assert_eq!(pieces(&record.parts[0])[1..], [(Field::Stage, "Top"), (Field::Body, "The page itself.")]);
        let diagram = record.parts.last().unwrap();
        assert_eq!(diagram.anchor.as_deref(), Some("process-journey"));
        assert_eq!(diagram.title, "Journey");
        assert_eq!(
            pieces(diagram)[1..],
            [
                (Field::Stage, "Audit"),
                (Field::Body, "Auditors check."),
                (Field::Stage, "Hidden"),
                (Field::Body, "Excluded page.")
            ]
        );
    }
}
