//! How `signpost check` reports: like a compiler (text), or as the stable JSON schema
//! documented in docs/check.md.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::{json, Value};

use super::{Finding, Report};
use crate::diagnostics::{Diagnostic, Diagnostics, Severity};

/// Version of the JSON schema: fields may be added within a version, never removed or renamed.
pub const JSON_VERSION: u32 = 1;

/// One line of the report: a finding of the check, or a problem met while loading and
/// rendering the site (a YAML error, a missing sidebar), which has no target.
#[derive(Debug, Clone)]
pub struct Entry {
    pub diagnostic: Diagnostic,
    pub target: Option<String>,
    pub suggestion: Option<String>,
    pub page: Option<String>,
}

impl From<&Finding> for Entry {
    fn from(f: &Finding) -> Self {
        Entry {
            diagnostic: f.diagnostic(),
            target: Some(f.target.clone()),
            suggestion: f.suggestion.clone(),
            page: f.page.clone(),
        }
    }
}

/// Everything to report, in file, line, column order.
pub fn entries(report: Option<&Report>, others: &Diagnostics) -> Vec<Entry> {
    let mut all: Vec<Entry> =
        others.iter().map(|d| Entry { diagnostic: d.clone(), target: None, suggestion: None, page: None }).collect();
    all.extend(report.into_iter().flat_map(|r| r.findings.iter().map(Entry::from)));
    all.sort_by(|a, b| {
        let key = |e: &Entry| (e.diagnostic.location.clone(), e.diagnostic.kind.name(), e.diagnostic.message.clone());
        key(a).cmp(&key(b))
    });
    all
}

/// Each entry rendered with its source line, then the summary line.
pub fn text(entries: &[Entry], report: Option<&Report>, root: &Path, color: bool) -> String {
    let mut out = String::new();
    for e in entries {
        out.push_str(&e.diagnostic.render(root, color));
        out.push('\n');
    }
    out.push_str(&summary(entries, report));
    out.push('\n');
    out
}

/// `checked 35 pages and 412 links (58 external, not followed): 2 errors (broken-anchor: 1,
/// broken-link: 1), 1 warning (orphan-page: 1)`.
pub fn summary(entries: &[Entry], report: Option<&Report>) -> String {
    let mut line = match report {
        Some(r) => format!(
            "checked {} page{} and {} link{} ({} external, not followed)",
            r.pages,
            plural(r.pages),
            r.links,
            plural(r.links),
            r.external
        ),
        None => "the site did not load, so its links were not checked".to_string(),
    };
    let counts = by_kind(entries);
    let errors: usize = counts.values().map(|c| c.0).sum();
    let warnings: usize = counts.values().map(|c| c.1).sum();
    if errors + warnings == 0 {
        line.push_str(": no problems");
        return line;
    }
    let list = |pick: fn(&(usize, usize)) -> usize| {
        counts
            .iter()
            .filter(|(_, c)| pick(c) > 0)
            .map(|(k, c)| format!("{k}: {}", pick(c)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    line.push(':');
    if errors > 0 {
        line.push_str(&format!(" {errors} error{} ({})", plural(errors), list(|c| c.0)));
    }
    if warnings > 0 {
        line.push_str(if errors > 0 { "," } else { "" });
        line.push_str(&format!(" {warnings} warning{} ({})", plural(warnings), list(|c| c.1)));
    }
    line
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// Kind -> (errors, warnings).
fn by_kind(entries: &[Entry]) -> BTreeMap<&'static str, (usize, usize)> {
    let mut counts: BTreeMap<&'static str, (usize, usize)> = BTreeMap::new();
    for e in entries {
        let c = counts.entry(e.diagnostic.kind.name()).or_default();
        match e.diagnostic.severity {
            Severity::Error => c.0 += 1,
            Severity::Warning => c.1 += 1,
        }
    }
    counts
}

/// The JSON report: `{"version": 1, "findings": [...], "summary": {...}}`.
pub fn json(entries: &[Entry], report: Option<&Report>) -> Value {
    let findings: Vec<Value> = entries.iter().map(entry_json).collect();
    let counts = by_kind(entries);
    let by_kind: serde_json::Map<String, Value> =
        counts.iter().map(|(k, (e, w))| (k.to_string(), json!({"errors": e, "warnings": w}))).collect();
    json!({
        "version": JSON_VERSION,
        "findings": findings,
        "summary": {
            "complete": report.is_some(),
            "errors": counts.values().map(|c| c.0).sum::<usize>(),
            "warnings": counts.values().map(|c| c.1).sum::<usize>(),
            "pages": report.map_or(0, |r| r.pages),
            "links": report.map_or(0, |r| r.links),
            "external": report.map_or(0, |r| r.external),
            "by_kind": by_kind,
        },
    })
}

fn entry_json(e: &Entry) -> Value {
    let d = &e.diagnostic;
    let loc = d.location.as_ref();
    json!({
        "kind": d.kind,
        "severity": d.severity,
        "file": loc.map(|l| crate::content::to_slash(&l.file)),
        "line": loc.map(|l| l.line),
        "column": loc.map(|l| l.column),
        "target": e.target,
        "message": d.message,
        "suggestion": e.suggestion,
        "hint": d.hint,
        "page": e.page,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::{Kind, Location};

    fn entry(kind: Kind, warning: bool) -> Entry {
        let d = if warning { Diagnostic::warning(kind, "m") } else { Diagnostic::error(kind, "m") };
        Entry {
            diagnostic: d.at(Location::new("content/a.md", 3, 7)),
            target: Some("x.html".into()),
            suggestion: None,
            page: None,
        }
    }

    #[test]
    fn summary_counts_by_kind() {
        let report = Report { pages: 2, links: 1, external: 0, ..Report::default() };
        let all = [
            entry(Kind::BrokenLink, false),
            entry(Kind::BrokenAnchor, false),
            entry(Kind::OrphanPage, true),
            entry(Kind::BrokenLink, false),
        ];
        assert_eq!(
            summary(&all, Some(&report)),
            "checked 2 pages and 1 link (0 external, not followed): 3 errors (broken-anchor: 1, broken-link: 2), 1 warning (orphan-page: 1)"
        );
        assert_eq!(summary(&[], Some(&report)), "checked 2 pages and 1 link (0 external, not followed): no problems");
    }

    #[test]
    fn json_has_the_documented_fields() {
        let v = json(&[entry(Kind::BrokenLink, false)], None);
        assert_eq!(v["version"], 1);
        let f = &v["findings"][0];
        for key in ["kind", "severity", "file", "line", "column", "target", "message", "suggestion", "hint", "page"] {
            assert!(f.get(key).is_some(), "{key}");
        }
        assert_eq!(
            (f["file"].as_str(), f["line"].as_u64(), f["column"].as_u64()),
            (Some("content/a.md"), Some(3), Some(7))
        );
        assert_eq!(v["summary"]["by_kind"]["broken-link"]["errors"], 1);
        assert_eq!(v["summary"]["complete"], false);
    }
}
