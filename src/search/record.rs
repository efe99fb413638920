//! What Pagefind indexes for each page: a small HTML document written from the page's
//! [`Document`], not the rendered page, so the index holds the title, summary,
//! keywords, sections and stages and nothing of the header, sidebar or footer. Headings
//! keep the page's ids, so a result can land on a section.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

use rayon::prelude::*;

use super::{Document, StageEntry};
use crate::markdown::escape_attr;

/// One page as Pagefind receives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Record {
    pub url: String,
    pub html: String,
}

/// Where a stage lands in the index: a page (by position) and a section (`None`: the top).
type Landing = (usize, Option<String>);

/// The records of `documents`, each stage placed in the section its link lands on.
pub(super) fn records(documents: &[&Document], services: &BTreeMap<&str, &str>, language: &str) -> Vec<Record> {
    let landings = land_stages(documents);
    documents
        .par_iter()
        .enumerate()
        .map(|(i, doc)| Record { url: doc.url.clone(), html: html(i, doc, &landings, services, language) })
        .collect()
}

/// Stages grouped by where they land. A stage whose target is not a section of an
/// indexed page (another site, an excluded page, an id written in raw HTML) lands on
/// the diagram itself, in a section of the placing page named after the process.
fn land_stages<'d>(documents: &[&'d Document]) -> BTreeMap<Landing, Vec<&'d StageEntry>> {
    let by_url: HashMap<&str, usize> = documents.iter().enumerate().map(|(i, d)| (page_key(&d.url), i)).collect();
    let mut landings: BTreeMap<Landing, Vec<&StageEntry>> = BTreeMap::new();
    for (i, doc) in documents.iter().enumerate() {
        for stage in &doc.stages {
            let target = stage.target.as_deref().and_then(|t| {
                let (page, anchor) = match t.split_once('#') {
                    Some((p, a)) if !a.is_empty() => (p, Some(a)),
                    Some((p, _)) => (p, None),
                    None => (t, None),
                };
                let page = if page.is_empty() { i } else { *by_url.get(page_key(page))? };
                let known =
                    anchor.is_none_or(|a| documents[page].sections.iter().any(|s| s.anchor.as_deref() == Some(a)));
                known.then(|| (page, anchor.map(str::to_string)))
            });
            let landing = target.unwrap_or_else(|| (i, Some(stage.wrapper.clone())));
            landings.entry(landing).or_default().push(stage);
        }
    }
    landings
}

/// `guide/` and `guide/index.html` are one page.
fn page_key(url: &str) -> &str {
    url.strip_suffix("index.html").unwrap_or(url)
}

fn html(
    i: usize,
    doc: &Document,
    landings: &BTreeMap<Landing, Vec<&StageEntry>>,
    services: &BTreeMap<&str, &str>,
    language: &str,
) -> String {
    let mut out =
        String::with_capacity(256 + doc.sections.iter().map(|s| s.text.len() + s.title.len() + 32).sum::<usize>());
    let _ = write!(out, "<html lang=\"{}\"><body>", escape_attr(language));
    let _ = write!(out, "<h1 data-pagefind-meta=\"title\">{}</h1>", escape_attr(&doc.title));
    if let Some(service) = &doc.service {
        let name = services.get(service.as_str()).copied().unwrap_or(service);
        let _ = write!(
            out,
            "<span data-pagefind-filter=\"service:{}\" data-pagefind-meta=\"service:{}\"></span>",
            escape_attr(service),
            escape_attr(name)
        );
    }
    if let Some(summary) = &doc.summary {
        let _ = write!(out, "<p>{}</p>", escape_attr(summary));
    }
    let mut terms: Vec<&str> = Vec::new();
    for term in doc.keywords.iter().chain(&doc.tags) {
        if !terms.iter().any(|t| t.eq_ignore_ascii_case(term)) {
            terms.push(term);
        }
    }
    if !terms.is_empty() {
        let _ = write!(out, "<p data-pagefind-weight=\"2\">{}</p>", escape_attr(&terms.join(", ")));
    }
    let top = landings.get(&(i, None));
    if doc.sections.first().is_none_or(|s| s.anchor.is_some()) {
        stage_paragraphs(&mut out, top.map_or(&[][..], Vec::as_slice), &doc.title);
    }
    for section in &doc.sections {
        if let Some(anchor) = &section.anchor {
            let _ = write!(out, "<h2 id=\"{}\">{}</h2>", escape_attr(anchor), escape_attr(&section.title));
        }
        if !section.text.trim().is_empty() {
            let _ = write!(out, "<p>{}</p>", escape_attr(section.text.trim()));
        }
        if let Some(stages) = landings.get(&(i, section.anchor.clone())) {
            stage_paragraphs(&mut out, stages, &section.title);
        }
    }
    // Stages that land on a diagram of this page rather than on a section of it.
    for ((_, anchor), stages) in landings.range((i, None)..(i + 1, None)) {
        let Some(anchor) = anchor else { continue };
        if doc.sections.iter().any(|s| s.anchor.as_ref() == Some(anchor)) {
            continue;
        }
        let process = stages.first().map(|s| s.process.as_str()).unwrap_or_default();
        let _ = write!(out, "<h2 id=\"{}\">{}</h2>", escape_attr(anchor), escape_attr(process));
        stage_paragraphs(&mut out, stages, process);
    }
    out.push_str("</body></html>");
    out
}

/// A stage's summary under the heading it lands on, with its title when the heading
/// does not already say it.
fn stage_paragraphs(out: &mut String, stages: &[&StageEntry], heading: &str) {
    for stage in stages {
        let title = (!stage.title.eq_ignore_ascii_case(heading.trim())).then_some(stage.title.as_str());
        let text = match (title, &stage.summary) {
            (Some(title), Some(summary)) => format!("{title}: {summary}"),
            (Some(title), None) => title.to_string(),
            (None, Some(summary)) => summary.clone(),
            (None, None) => continue,
        };
        let weight = if title.is_some() { " data-pagefind-weight=\"2\"" } else { "" };
        let _ = write!(out, "<p{weight}>{}</p>", escape_attr(&text));
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
        Document { url: url.into(), title: "Guide & <notes>".into(), sections, stages, ..Document::default() }
    }

    #[test]
    fn a_page_is_its_title_filter_sections_and_landed_stages_in_order() {
        let mut a = page(
            "/a.html",
            vec![section(None, "", "Intro."), section(Some("apply"), "Apply", "How to apply.")],
            vec![
                stage("Apply", "Send the form.", Some("/a.html#apply")),
                stage("Sign", "Sign it.", Some("/b.html#sign")),
            ],
        );
        a.service = Some("nrls".into());
        a.keywords = vec!["forms".into(), "Forms".into()];
        a.tags = vec!["onboarding".into()];
        let b = page("/b.html", vec![section(Some("sign"), "Signing", "Sign here.")], vec![]);
        let services = BTreeMap::from([("nrls", "NRLS")]);
        let records = records(&[&a, &b], &services, "en");
        assert_eq!(
            records[0].html,
            "<html lang=\"en\"><body><h1 data-pagefind-meta=\"title\">Guide &amp; &lt;notes&gt;</h1>\
             <span data-pagefind-filter=\"service:nrls\" data-pagefind-meta=\"service:NRLS\"></span>\
             <p data-pagefind-weight=\"2\">forms, onboarding</p><p>Intro.</p>\
             <h2 id=\"apply\">Apply</h2><p>How to apply.</p><p>Send the form.</p></body></html>"
        );
        assert!(
            records[1].html.contains(
                "<h2 id=\"sign\">Signing</h2><p>Sign here.</p><p data-pagefind-weight=\"2\">Sign: Sign it.</p>"
            ),
            "a stage lands on another page's section, with its title: {}",
            records[1].html
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
        let html = &records(&[&a], &BTreeMap::new(), "en")[0].html;
        assert!(html.contains("<p data-pagefind-weight=\"2\">Top: The page itself.</p><h2 id=\"intro\">"), "{html}");
        assert!(
            html.ends_with(
                "<h2 id=\"process-journey\">Journey</h2><p data-pagefind-weight=\"2\">Audit: Auditors check.</p>\
                 <p data-pagefind-weight=\"2\">Hidden: Excluded page.</p></body></html>"
            ),
            "{html}"
        );
    }
}
