//! `signpost check`: every link, anchor and stage link of a rendered site, checked
//! against what the render recorded (links and anchors with their source positions),
//! never by re-reading the HTML. `build` runs the same checks before it writes.
//!
//! `docs/check.md` lists the kinds of finding, their default severities and the JSON
//! schema of `signpost check --format json`.

pub mod external;
mod links;
mod pages;
mod problem;
pub mod report;
pub mod resolve;
mod stages;

use std::collections::BTreeMap;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};

use crate::config::CheckConfig;
use crate::diagnostics::{self, Diagnostic, Diagnostics, Location, Severity};
use crate::output::{Anchors, Output};
use crate::site::Site;
use resolve::Resolver;
use std::borrow::Cow;

/// What a finding is about. The kebab-case names are stable: they are the `kind` of the
/// JSON output and the keys of `check:` in site.yaml.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    BrokenLink,
    BrokenAnchor,
    MissingImage,
    MissingFile,
    DuplicateId,
    BrokenStageLink,
    StageWithoutSection,
    UnknownStage,
    BrokenSidebarLink,
    OrphanPage,
    UnplacedProcess,
    DeadLink,
    RedirectedLink,
    BrokenExternalAnchor,
    UncheckedLink,
}

impl Kind {
    pub const ALL: [Kind; 15] = [
        Kind::BrokenLink,
        Kind::BrokenAnchor,
        Kind::MissingImage,
        Kind::MissingFile,
        Kind::DuplicateId,
        Kind::BrokenStageLink,
        Kind::StageWithoutSection,
        Kind::UnknownStage,
        Kind::BrokenSidebarLink,
        Kind::OrphanPage,
        Kind::UnplacedProcess,
        Kind::DeadLink,
        Kind::RedirectedLink,
        Kind::BrokenExternalAnchor,
        Kind::UncheckedLink,
    ];

    /// The kind of the diagnostic a finding of this kind becomes, which names it.
    pub fn diagnostic(self) -> diagnostics::Kind {
        match self {
            Kind::BrokenLink => diagnostics::Kind::BrokenLink,
            Kind::BrokenAnchor => diagnostics::Kind::BrokenAnchor,
            Kind::MissingImage => diagnostics::Kind::MissingImage,
            Kind::MissingFile => diagnostics::Kind::MissingFile,
            Kind::DuplicateId => diagnostics::Kind::DuplicateId,
            Kind::BrokenStageLink => diagnostics::Kind::BrokenStageLink,
            Kind::StageWithoutSection => diagnostics::Kind::StageWithoutSection,
            Kind::UnknownStage => diagnostics::Kind::UnknownStage,
            Kind::BrokenSidebarLink => diagnostics::Kind::BrokenSidebarLink,
            Kind::OrphanPage => diagnostics::Kind::OrphanPage,
            Kind::UnplacedProcess => diagnostics::Kind::UnplacedProcess,
            Kind::DeadLink => diagnostics::Kind::DeadLink,
            Kind::RedirectedLink => diagnostics::Kind::RedirectedLink,
            Kind::BrokenExternalAnchor => diagnostics::Kind::BrokenExternalAnchor,
            Kind::UncheckedLink => diagnostics::Kind::UncheckedLink,
        }
    }

    pub fn name(self) -> &'static str {
        self.diagnostic().name()
    }

    pub fn from_name(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.name() == name)
    }

    /// Pages nothing reaches and processes placed nowhere still build a working site; a
    /// redirect still leads somewhere, and a host that would not answer is not a broken link.
    pub fn default_level(self) -> Level {
        match self {
            Kind::OrphanPage | Kind::UnplacedProcess | Kind::RedirectedLink | Kind::UncheckedLink => Level::Warning,
            _ => Level::Error,
        }
    }
}

/// How a kind of finding is treated, as set in site.yaml's `check:`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    Error,
    Warning,
    Ignore,
}

impl Level {
    fn parse(text: &str) -> Option<Level> {
        match text.trim() {
            "error" => Some(Level::Error),
            "warning" => Some(Level::Warning),
            "ignore" => Some(Level::Ignore),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CheckOptions {
    /// Kinds whose level site.yaml changes; the others keep [`Kind::default_level`].
    pub levels: BTreeMap<Kind, Level>,
    /// `check: external:`, used by `check --external` only.
    pub external: external::ExternalSettings,
}

impl CheckOptions {
    /// The levels set in site.yaml's `check:` map; a kind or level that does not exist
    /// is an error pointing at where it is written.
    pub fn from_config(check: &CheckConfig) -> Result<CheckOptions, Diagnostics> {
        let mut options = CheckOptions::default();
        let mut problems = Diagnostics::default();
        if let Some(external) = &check.external {
            match external::ExternalSettings::from_config(external) {
                Ok(settings) => options.external = settings,
                Err(p) => problems.extend(p),
            }
        }
        for entry in &check.levels.0 {
            let (key, value) = (entry.kind.value.as_str(), entry.level.value.as_str());
            let Some(kind) = Kind::from_name(key) else {
                let names: Vec<&str> = Kind::ALL.iter().map(|k| k.name()).collect();
                let hint = match nearest(key, names.iter().copied()) {
                    Some(near) => {
                        format!("did you mean `{near}`? the kinds are: {} (and `external:`)", names.join(", "))
                    }
                    None => format!("the kinds are: {} (and `external:`)", names.join(", ")),
                };
                problems.push(
                    Diagnostic::error(diagnostics::Kind::Config, format!("`check:` names no kind `{key}`"))
                        .at(entry.kind_at())
                        .hint(hint),
                );
                continue;
            };
            match Level::parse(value) {
                Some(level) if kind == Kind::UnknownStage && level != Level::Error => problems.push(
                    Diagnostic::error(
                        diagnostics::Kind::Config,
                        "unknown-stage is always an error: the diagram cannot be drawn",
                    )
                    .at(entry.kind_at())
                    .hint("remove this line, and correct the stage ids in `next:` or `groups:` instead"),
                ),
                Some(level) => {
                    options.levels.insert(kind, level);
                }
                None => problems.push(
                    Diagnostic::error(
                        diagnostics::Kind::Config,
                        format!("`check: {key}` must be error, warning or ignore, not `{value}`"),
                    )
                    .at(entry.kind_at())
                    .hint(format!("write `{key}: warning`, for example")),
                ),
            }
        }
        if problems.is_empty() {
            Ok(options)
        } else {
            Err(problems)
        }
    }

    /// The options of a loaded site.
    pub fn for_site(site: &Site) -> Result<CheckOptions, Diagnostics> {
        CheckOptions::from_config(&site.config.check)
    }

    pub fn level(&self, kind: Kind) -> Level {
        self.levels.get(&kind).copied().unwrap_or_else(|| kind.default_level())
    }
}

/// One problem found, with what the JSON output needs beyond a [`Diagnostic`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub kind: Kind,
    pub severity: Severity,
    /// Where the link, anchor, stage or page is written.
    pub location: Location,
    /// How many characters from `location` to underline.
    pub len: usize,
    /// The link as written, or the id, page or process the finding is about.
    pub target: String,
    /// The output page the link is on, when there is one.
    pub page: Option<String>,
    pub message: String,
    /// The corrected target, as the author would write it, when one is close.
    pub suggestion: Option<String>,
    pub hint: Option<String>,
}

impl Finding {
    fn new(kind: Kind, location: Location, target: impl Into<String>, message: impl Into<String>) -> Finding {
        Finding {
            kind,
            severity: Severity::Error,
            location,
            len: 1,
            target: target.into(),
            page: None,
            message: message.into(),
            suggestion: None,
            hint: None,
        }
    }

    fn spanning(mut self, len: usize) -> Self {
        self.len = len.max(1);
        self
    }

    fn on_page(mut self, page: &str) -> Self {
        self.page = Some(page.to_string());
        self
    }

    fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// The suggestion becomes the hint `did you mean X?` unless a hint says more.
    fn suggest(mut self, suggestion: Option<String>) -> Self {
        if let Some(s) = &suggestion {
            self.hint.get_or_insert_with(|| format!("did you mean {s}?"));
        }
        self.suggestion = suggestion;
        self
    }

    pub fn diagnostic(&self) -> Diagnostic {
        let d = match self.severity {
            Severity::Error => Diagnostic::error(self.kind.diagnostic(), self.message.clone()),
            Severity::Warning => Diagnostic::warning(self.kind.diagnostic(), self.message.clone()),
        };
        let d = d.at(self.location.clone()).spanning(self.len);
        match &self.hint {
            Some(h) => d.hint(h.clone()),
            None => d,
        }
    }
}

/// Everything one check found, and how much it looked at.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Sorted by file, line, column, kind.
    pub findings: Vec<Finding>,
    pub pages: usize,
    /// Links checked (inside the site).
    pub links: usize,
    /// Links to other hosts or schemes, not followed.
    pub external: usize,
    /// How long loading and rendering took (when `pipeline::check_site` did it), and the check.
    pub rendered: Duration,
    pub checked: Duration,
    /// What `--external` fetched, when it was asked for.
    pub external_checked: Option<external::ExternalSummary>,
}

impl Report {
    pub fn errors(&self) -> usize {
        self.findings.iter().filter(|f| f.severity == Severity::Error).count()
    }

    pub fn warnings(&self) -> usize {
        self.findings.len() - self.errors()
    }

    pub fn diagnostics(&self) -> Diagnostics {
        let mut d = Diagnostics(self.findings.iter().map(Finding::diagnostic).collect());
        d.sort();
        d
    }
}

/// The report of `signpost check` on a rendered site (the pipeline loads and renders it,
/// `crate::pipeline::check_site`), after the `warnings` of loading and rendering, which
/// took `rendered`; with `external`, the links to other hosts are fetched too. Without
/// a report, the site's `check:` settings are wrong; the diagnostics say why.
pub fn full_report(
    site: &Site,
    output: &Output,
    warnings: Diagnostics,
    rendered: Duration,
    external: Option<&external::ExternalRequest>,
) -> (Option<Report>, Diagnostics) {
    match CheckOptions::for_site(site) {
        Ok(options) => {
            let mut report = match run(site, output, &options) {
                Ok(report) => report,
                Err(e) => return (None, unreadable(e).into()),
            };
            let mut warnings = warnings;
            if let Some(request) = external {
                let settings = &options.external;
                let (found, summary, problems) =
                    external::check(&site.root, &site.urls.base, output, settings, request);
                let mut all = std::mem::take(&mut report.findings);
                all.extend(found);
                report.findings = with_levels(all, &options);
                report.external_checked = Some(summary);
                warnings.extend(problems);
            }
            (Some(Report { rendered, ..report }), warnings)
        }
        Err(mut problems) => {
            problems.extend(warnings);
            problems.sort();
            (None, problems)
        }
    }
}

/// Checks a rendered site; what `build` calls before it writes.
pub fn check(site: &Site, output: &Output, options: &CheckOptions) -> Diagnostics {
    match run(site, output, options) {
        Ok(report) => report.diagnostics(),
        Err(e) => unreadable(e).into(),
    }
}

/// The error of a check that could not read back the links and anchors a build set aside.
pub fn unreadable(e: std::io::Error) -> Diagnostic {
    Diagnostic::error(
        diagnostics::Kind::Io,
        format!("cannot read back the links and anchors set aside for the check: {e}"),
    )
    .hint("build again; if it happens again, check the space left in the temporary folder ($TMPDIR)")
}

/// What the check of one page found that a later check of the same site reuses while
/// the page and the pages whose anchors its links read are as they were (`build::edit`):
/// only a page without findings, so that nothing needs to be kept but what the report
/// counts and the search for orphans reads.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PageCheck {
    /// Links checked, and links to other hosts.
    internal: u32,
    external: u32,
    /// Pages its links reach (positions in `Output::pages`).
    reached: Vec<u32>,
    /// Other pages whose anchors its links looked for.
    anchored: Vec<u32>,
    /// Whether the page had no findings, at any level.
    clean: bool,
}

impl PageCheck {
    fn of(counts: &links::Counts, clean: bool) -> PageCheck {
        let numbers = |pages: &[usize]| pages.iter().map(|&p| p as u32).collect();
        let mut anchored: Vec<u32> = numbers(&counts.anchored);
        anchored.sort_unstable();
        anchored.dedup();
        PageCheck {
            internal: counts.internal as u32,
            external: counts.external as u32,
            reached: numbers(&counts.reached),
            anchored,
            clean,
        }
    }

    /// The counts of a check of the page that found what this one did.
    fn counts(&self) -> links::Counts {
        let numbers = |pages: &[u32]| pages.iter().map(|&p| p as usize).collect();
        links::Counts {
            internal: self.internal as usize,
            external: self.external as usize,
            reached: numbers(&self.reached),
            anchored: numbers(&self.anchored),
        }
    }
}

/// An earlier check of the same site, for [`run_reusing`]: what it found on each page,
/// and the pages (positions in `Output::pages`) rendered again since, in order.
pub struct Earlier<'a> {
    pub pages: &'a [PageCheck],
    pub changed: &'a [usize],
}

impl Earlier<'_> {
    /// What the check of page `i` found before, when it stands.
    fn of(&self, i: usize) -> Option<&PageCheck> {
        let changed = |page: &u32| self.changed.binary_search(&(*page as usize)).is_ok();
        let earlier = self.pages.get(i)?;
        let stands = earlier.clean && !changed(&(i as u32)) && !earlier.anchored.iter().any(changed);
        stands.then_some(earlier)
    }
}

/// Checks a rendered site and keeps everything the report of `signpost check` shows;
/// fails only when a page's links set aside by the build cannot be read back.
pub fn run(site: &Site, output: &Output, options: &CheckOptions) -> std::io::Result<Report> {
    run_reusing(site, output, options, None, false).map(|(report, _)| report)
}

/// [`run`], with what an `earlier` check of the same site found on the pages that stand
/// as they were taken as it was (the pages, their files and the site's other files are
/// the caller's to compare); with `keep`, also what each page's check found, for a
/// later one.
pub fn run_reusing(
    site: &Site,
    output: &Output,
    options: &CheckOptions,
    earlier: Option<Earlier>,
    keep: bool,
) -> std::io::Result<(Report, Option<Vec<PageCheck>>)> {
    let start = Instant::now();
    // A build sets the pages' anchors aside until now (`output::SetAside`); every page's
    // are read back, as any link may look into any page.
    let held: Vec<Cow<Anchors>> =
        output.pages.par_iter().with_max_len(64).map(|p| p.anchors.held()).collect::<std::io::Result<_>>()?;
    let cx = Context::new(site, output, &held);
    let earlier = earlier.filter(|e| e.pages.len() == output.pages.len());
    // In pieces of a few dozen pages, so that no thread checks a long run alone at the
    // end (see `Renderer::pages`); each piece keeps the outcomes of the layout's links
    // from page to page (`links::Seen`).
    let per_page: Vec<(Vec<Finding>, links::Counts)> = output
        .pages
        .par_iter()
        .with_max_len(64)
        .enumerate()
        .map_init(links::Seen::default, |seen, (i, page)| {
            if let Some(earlier) = earlier.as_ref().and_then(|e| e.of(i)) {
                return (Vec::new(), earlier.counts());
            }
            let mut found = Vec::new();
            let counts = links::check_page(&cx, page, seen, &mut found);
            pages::duplicate_ids(page, &held[i], &mut found);
            (found, counts)
        })
        .collect();
    let mut cx = cx;
    if let Some(unread) = cx.unread.take() {
        return Err(unread);
    }
    let mut report = Report { pages: output.pages.len(), ..Report::default() };
    let mut found = Vec::new();
    let mut reached_from = Vec::with_capacity(output.pages.len());
    let mut checks = Vec::with_capacity(if keep { output.pages.len() } else { 0 });
    for (page_found, counts) in per_page {
        if keep {
            checks.push(PageCheck::of(&counts, page_found.is_empty()));
        }
        found.extend(page_found);
        report.links += counts.internal;
        report.external += counts.external;
        reached_from.push(counts.reached);
    }
    let counts = links::check_sidebars(&cx, &mut found);
    report.links += counts.internal;
    report.external += counts.external;
    pages::orphans(&cx, &reached_from, &mut found);
    stages::unplaced(&cx, &mut found);

    report.findings = with_levels(found, options);
    report.checked = start.elapsed();
    Ok((report, keep.then_some(checks)))
}

/// The findings at the levels site.yaml sets (ignored ones left out), sorted by place.
fn with_levels(found: Vec<Finding>, options: &CheckOptions) -> Vec<Finding> {
    let mut findings: Vec<Finding> = found
        .into_iter()
        .filter_map(|mut f| {
            f.severity = match options.level(f.kind) {
                Level::Error => Severity::Error,
                Level::Warning => Severity::Warning,
                Level::Ignore => return None,
            };
            Some(f)
        })
        .collect();
    findings
        .sort_by(|a, b| (&a.location, a.kind, &a.page, &a.message).cmp(&(&b.location, b.kind, &b.page, &b.message)));
    findings.dedup();
    findings
}

/// What every check reads: the output's pages by file, their anchors, the resolver.
struct Context<'a> {
    site: &'a Site,
    output: &'a Output,
    resolver: Resolver<'a>,
    /// Output file -> index in `output.pages`.
    pages: FxHashMap<&'a str, usize>,
    /// The anchors each page records, by the same index.
    held: &'a [Cow<'a, Anchors>],
    /// The ids each page defines, by the same index, gathered when first looked for.
    anchors: Vec<OnceLock<FxHashSet<&'a str>>>,
    /// The first page whose links could not be read back from where the build set them
    /// aside (`PageLinks`): the check fails rather than pass a page it did not read.
    unread: OnceLock<std::io::Error>,
}

impl<'a> Context<'a> {
    fn new(site: &'a Site, output: &'a Output, held: &'a [Cow<'a, Anchors>]) -> Self {
        let pages = output.pages.iter().enumerate().map(|(i, p)| (p.file.as_str(), i)).collect();
        let anchors = output.pages.iter().map(|_| OnceLock::new()).collect();
        let resolver = Resolver::new(&site.urls.base, &output.paths);
        Context { site, output, resolver, pages, held, anchors, unread: OnceLock::new() }
    }

    /// The ids page `i` defines.
    fn anchors(&self, i: usize) -> Ids<'_, 'a> {
        let anchors: &'a Anchors = &self.held[i];
        if anchors.len() <= FEW_IDS {
            return Ids::Few(anchors);
        }
        Ids::Many(self.anchors[i].get_or_init(|| anchors.ids().collect()))
    }
}

/// Up to this many ids, a page's are looked through in their packed bytes rather than
/// gathered into a set: most pages have a dozen, and a set for each page of a
/// 100,000-page build was 35 MB held through the check.
const FEW_IDS: usize = 32;

/// The ids a page defines, as [`Context::anchors`] gives them.
enum Ids<'c, 'a> {
    Few(&'a Anchors),
    Many(&'c FxHashSet<&'a str>),
}

impl<'a> Ids<'_, 'a> {
    fn contains(&self, id: &str) -> bool {
        match self {
            Ids::Few(anchors) => anchors.has_id(id),
            Ids::Many(set) => set.contains(id),
        }
    }

    fn iter(&self) -> Box<dyn Iterator<Item = &'a str> + '_> {
        match self {
            Ids::Few(anchors) => Box::new(anchors.ids()),
            Ids::Many(set) => Box::new(set.iter().copied()),
        }
    }
}

/// The candidate closest to `wrong` by edit distance, if close enough to be a slip.
fn nearest<'c>(wrong: &str, candidates: impl IntoIterator<Item = &'c str>) -> Option<&'c str> {
    let limit = (wrong.chars().count() / 4).max(2);
    candidates
        .into_iter()
        .filter(|c| c.len().abs_diff(wrong.len()) <= limit)
        .map(|c| (strsim::levenshtein(wrong, c), c))
        .filter(|(d, _)| *d <= limit)
        .min()
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_names_round_trip() {
        for kind in Kind::ALL {
            assert_eq!(Kind::from_name(kind.name()), Some(kind));
        }
    }

    #[test]
    fn levels_come_from_site_yaml() {
        let config =
            |yaml: &str| crate::yaml::parse::<crate::config::SiteConfig>(yaml, std::path::Path::new("site.yaml"), 1);
        let check = config("title: t\ncheck:\n  orphan-page: ignore\n").unwrap().check;
        let options = CheckOptions::from_config(&check).unwrap();
        assert_eq!(options.level(Kind::OrphanPage), Level::Ignore);
        assert_eq!(options.level(Kind::BrokenLink), Level::Error);

        let check = config("title: t\ncheck:\n  orphan-page: ignore\n  broken-ancor: warning\n").unwrap().check;
        let err = CheckOptions::from_config(&check).unwrap_err();
        let d = &err.0[0];
        assert_eq!(d.location.as_ref().map(|l| (l.line, l.column)), Some((4, 3)));
        assert!(d.hint.as_deref().unwrap().starts_with("did you mean `broken-anchor`?"), "{d:?}");
    }

    #[test]
    fn nearest_needs_to_be_near() {
        assert_eq!(nearest("local-assurances", ["overview", "local-assurance"]), Some("local-assurance"));
        assert_eq!(nearest("zzz", ["overview", "local-assurance"]), None);
    }
}
