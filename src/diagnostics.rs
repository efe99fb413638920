//! Errors and warnings a user can cause, each pointing at a file, line and column,
//! rendered like a compiler's (annotate-snippets) or as plain data for JSON and overlays.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// A place in a source file. `line` and `column` are 1-based; the column counts characters.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Location {
    /// Path as the user sees it: relative to the site root where possible. Shared: a
    /// large site records hundreds of thousands of link positions in a few thousand files.
    #[serde(serialize_with = "serialize_path", deserialize_with = "deserialize_path")]
    pub file: Arc<Path>,
    pub line: usize,
    pub column: usize,
}

impl Location {
    pub fn new(file: impl SourceFile, line: usize, column: usize) -> Self {
        Location { file: file.into_file(), line: line.max(1), column: column.max(1) }
    }

    /// The location of a byte offset in `text`, which starts at `first_line` of `file`.
    pub fn at_offset(file: &Path, text: &str, offset: usize, first_line: usize) -> Self {
        let (line, column) = line_col(text, offset);
        Location::new(file, line + first_line - 1, column)
    }
}

/// What a [`Location`] can name its file with: an `Arc<Path>` is shared, not copied.
pub trait SourceFile {
    fn into_file(self) -> Arc<Path>;
}

impl SourceFile for Arc<Path> {
    fn into_file(self) -> Arc<Path> {
        self
    }
}

impl SourceFile for &Arc<Path> {
    fn into_file(self) -> Arc<Path> {
        Arc::clone(self)
    }
}

impl SourceFile for PathBuf {
    fn into_file(self) -> Arc<Path> {
        self.into()
    }
}

impl SourceFile for &PathBuf {
    fn into_file(self) -> Arc<Path> {
        self.as_path().into()
    }
}

impl SourceFile for &Path {
    fn into_file(self) -> Arc<Path> {
        self.into()
    }
}

impl SourceFile for &str {
    fn into_file(self) -> Arc<Path> {
        Path::new(self).into()
    }
}

impl SourceFile for &String {
    fn into_file(self) -> Arc<Path> {
        Path::new(self).into()
    }
}

impl SourceFile for String {
    fn into_file(self) -> Arc<Path> {
        PathBuf::from(self).into()
    }
}

fn serialize_path<S: serde::Serializer>(path: &Arc<Path>, serializer: S) -> Result<S::Ok, S::Error> {
    path.serialize(serializer)
}

fn deserialize_path<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Arc<Path>, D::Error> {
    PathBuf::deserialize(deserializer).map(Arc::from)
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file.display(), self.line, self.column)
    }
}

/// Reads a text file of the site. Bytes that are not UTF-8, and NUL, are an `encoding`
/// error at their line and column in `shown` (the path as the user sees it) that says how
/// to fix it, rather than an I/O error; a byte-order mark is dropped.
pub fn read_text(path: &Path, shown: &Path) -> Result<String, Diagnostic> {
    let bytes = std::fs::read(path)
        .map_err(|e| Diagnostic::error(Kind::Io, format!("cannot read {}: {e}", shown.display())))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let offset = e.utf8_error().valid_up_to();
        let text = String::from_utf8_lossy(e.as_bytes());
        Diagnostic::error(Kind::Encoding, "the file is not valid UTF-8")
            .at(Location::at_offset(shown, &text, offset, 1))
            .hint("save the file as UTF-8")
    })?;
    // CommonMark would show a NUL as a replacement character; in YAML or a template it
    // reaches the HTML as it is. Either way the file is most likely not text.
    if let Some(offset) = memchr::memchr(0, text.as_bytes()) {
        return Err(Diagnostic::error(Kind::Encoding, "the file holds a NUL character")
            .at(Location::at_offset(shown, &text, offset, 1))
            .hint("remove it: a text file has no NUL bytes (is this a binary file saved with a text extension?)"));
    }
    Ok(match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_string(),
        None => text,
    })
}

/// 1-based line and character column of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = floor_char_boundary(text, offset.min(text.len()));
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// What a diagnostic is about. The kebab-case names are stable: `error[NAME]` in the text
/// output, the `kind` of `signpost check --format json`, and for the kinds of
/// [`crate::check::Kind`] the keys of `check:` in site.yaml. Each is its variant's name
/// in kebab-case, which is how serde writes and reads one (a test holds the two the same).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// A file or folder cannot be read or written.
    Io,
    /// The command line asks for something impossible.
    Usage,
    /// A text file is not UTF-8 text.
    Encoding,
    /// YAML that does not parse or has the wrong shape.
    Yaml,
    /// Site.yaml holds a setting that cannot be used.
    Config,
    /// A page's front matter has a wrong key or value.
    FrontMatter,
    /// A YAML key written twice.
    DuplicateKey,
    /// A permalink that cannot be a path in the site.
    Permalink,
    /// Two pages want the same output path.
    DuplicatePermalink,
    /// Content/_shared without services to share it.
    SharedWithoutServices,
    /// A page names a sidebar that does not exist.
    MissingSidebar,
    /// A sidebar entry that cannot be a link.
    SidebarLink,
    /// A file of content/_data that cannot be read.
    Data,
    /// The theme cannot be used.
    Theme,
    /// A template that does not parse or render.
    Template,
    /// A page names a layout the theme does not have.
    Layout,
    /// An include that does not render.
    Include,
    /// An include the theme does not have.
    UnknownInclude,
    /// An include_relative that cannot be read.
    IncludeRelative,
    /// A site's include replaced by the theme's of the same name.
    IncludeFallback,
    /// A value a page names that is not defined.
    UnknownVariable,
    /// Liquid that does not parse or render.
    Liquid,
    /// A Liquid tag a Signpost page may not use.
    TagNotAllowed,
    /// A Jekyll plugin's tag Signpost does not run.
    PluginTag,
    /// A page places a process that does not exist.
    UnknownProcess,
    /// A page places a draw.io drawing that does not exist.
    UnknownDrawing,
    /// A process, lane, stage or group id outside the safe alphabet.
    ProcessId,
    /// An id used twice in one process.
    ProcessDuplicate,
    /// An empty title in a process.
    ProcessText,
    /// A process without lanes.
    ProcessLanes,
    /// A process without stages.
    ProcessStages,
    /// A lane or group that names something the process lacks.
    ProcessRef,
    /// A group that cannot be drawn.
    ProcessGroup,
    /// A stage's column that cannot be kept.
    ProcessColumn,
    /// A stage link that would run script.
    ProcessLink,
    /// A process that extends one it cannot.
    ProcessExtends,
    /// A variant's change that does not apply.
    ProcessVariant,
    /// A diagram that cannot be exported.
    DiagramExport,
    /// A draw.io diagram that cannot be converted.
    Drawio,
    /// A draw.io diagram converted in part.
    DrawioPartial,
    /// Something of a Jekyll site import does not carry over.
    ImportSkipped,
    /// A link to a page or file that is not built.
    BrokenLink,
    /// A link to an anchor the page does not have.
    BrokenAnchor,
    /// An image that is not built.
    MissingImage,
    /// A file link to a file that is not built.
    MissingFile,
    /// An id used twice in one page.
    DuplicateId,
    /// A stage link that points at nothing.
    BrokenStageLink,
    /// A stage with no section of its page to link to.
    StageWithoutSection,
    /// A stage id that names no stage.
    UnknownStage,
    /// A sidebar entry that points at nothing.
    BrokenSidebarLink,
    /// A page no link, sidebar or listing reaches.
    OrphanPage,
    /// A process placed on no page.
    UnplacedProcess,
    /// An external link that does not answer, or answers with an error (`check --external`).
    DeadLink,
    /// An external link that redirects elsewhere.
    RedirectedLink,
    /// An external link to an anchor its page does not have.
    BrokenExternalAnchor,
    /// An external link that could not be checked (the host kept refusing to answer).
    UncheckedLink,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Io => "io",
            Kind::Usage => "usage",
            Kind::Encoding => "encoding",
            Kind::Yaml => "yaml",
            Kind::Config => "config",
            Kind::FrontMatter => "front-matter",
            Kind::DuplicateKey => "duplicate-key",
            Kind::Permalink => "permalink",
            Kind::DuplicatePermalink => "duplicate-permalink",
            Kind::SharedWithoutServices => "shared-without-services",
            Kind::MissingSidebar => "missing-sidebar",
            Kind::SidebarLink => "sidebar-link",
            Kind::Data => "data",
            Kind::Theme => "theme",
            Kind::Template => "template",
            Kind::Layout => "layout",
            Kind::Include => "include",
            Kind::UnknownInclude => "unknown-include",
            Kind::IncludeRelative => "include-relative",
            Kind::IncludeFallback => "include-fallback",
            Kind::UnknownVariable => "unknown-variable",
            Kind::Liquid => "liquid",
            Kind::TagNotAllowed => "tag-not-allowed",
            Kind::PluginTag => "plugin-tag",
            Kind::UnknownProcess => "unknown-process",
            Kind::UnknownDrawing => "unknown-drawing",
            Kind::ProcessId => "process-id",
            Kind::ProcessDuplicate => "process-duplicate",
            Kind::ProcessText => "process-text",
            Kind::ProcessLanes => "process-lanes",
            Kind::ProcessStages => "process-stages",
            Kind::ProcessRef => "process-ref",
            Kind::ProcessGroup => "process-group",
            Kind::ProcessColumn => "process-column",
            Kind::ProcessLink => "process-link",
            Kind::ProcessExtends => "process-extends",
            Kind::ProcessVariant => "process-variant",
            Kind::DiagramExport => "diagram-export",
            Kind::Drawio => "drawio",
            Kind::DrawioPartial => "drawio-partial",
            Kind::ImportSkipped => "import-skipped",
            Kind::BrokenLink => "broken-link",
            Kind::BrokenAnchor => "broken-anchor",
            Kind::MissingImage => "missing-image",
            Kind::MissingFile => "missing-file",
            Kind::DuplicateId => "duplicate-id",
            Kind::BrokenStageLink => "broken-stage-link",
            Kind::StageWithoutSection => "stage-without-section",
            Kind::UnknownStage => "unknown-stage",
            Kind::BrokenSidebarLink => "broken-sidebar-link",
            Kind::OrphanPage => "orphan-page",
            Kind::UnplacedProcess => "unplaced-process",
            Kind::DeadLink => "dead-link",
            Kind::RedirectedLink => "redirected-link",
            Kind::BrokenExternalAnchor => "broken-external-anchor",
            Kind::UncheckedLink => "unchecked-link",
        }
    }

    /// What a run that fails with this kind of error exits with.
    pub fn exit(self) -> Exit {
        match self {
            Kind::Io | Kind::Usage => Exit::UsageOrIo,
            _ => Exit::SiteErrors,
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What a failed run exits with: the categories of the README's "Exit status".
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Exit {
    /// 1: the site has errors, or `check` found broken links.
    SiteErrors,
    /// 2: a usage or I/O problem (bad arguments, no site.yaml, output not writable).
    UsageOrIo,
}

impl Exit {
    pub fn code(self) -> u8 {
        match self {
            Exit::SiteErrors => 1,
            Exit::UsageOrIo => 2,
        }
    }

    /// The exit of a failed run with these errors: usage or I/O if any is, else site errors.
    pub fn of<'a>(errors: impl IntoIterator<Item = &'a Diagnostic>) -> Exit {
        errors.into_iter().map(|d| d.kind.exit()).max().unwrap_or(Exit::SiteErrors)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnostic {
    pub severity: Severity,
    /// The kind of problem, such as [`Kind::BrokenAnchor`].
    pub kind: Kind,
    pub message: String,
    pub location: Option<Location>,
    /// How many characters from `location` the underline covers (at least one).
    pub length: usize,
    /// What to do about it.
    pub hint: Option<String>,
}

impl Diagnostic {
    pub fn error(kind: Kind, message: impl Into<String>) -> Self {
        Diagnostic { severity: Severity::Error, kind, message: message.into(), location: None, length: 1, hint: None }
    }

    pub fn warning(kind: Kind, message: impl Into<String>) -> Self {
        Diagnostic { severity: Severity::Warning, ..Diagnostic::error(kind, message) }
    }

    pub fn at(mut self, location: Location) -> Self {
        self.location = Some(location);
        self
    }

    pub fn at_opt(mut self, location: Option<Location>) -> Self {
        self.location = location;
        self
    }

    pub fn spanning(mut self, length: usize) -> Self {
        self.length = length.max(1);
        self
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// Renders like a compiler, with the source line underlined when `root` holds the file.
    pub fn render(&self, root: &Path, color: bool) -> String {
        let level = match self.severity {
            Severity::Error => Level::ERROR,
            Severity::Warning => Level::WARNING,
        };
        let source =
            self.location.as_ref().and_then(|loc| std::fs::read_to_string(root.join(&loc.file)).ok().map(|s| (loc, s)));
        let title = level.primary_title(self.message.as_str()).id(self.kind.name());
        let mut report: Vec<Group> = Vec::new();
        match &source {
            Some((loc, text)) if loc.line <= text.lines().count().max(1) => {
                let (start, len) = line_span(text, loc.line);
                let line_text = &text[start..start + len];
                let col_byte: usize = line_text.chars().take(loc.column - 1).map(char::len_utf8).sum();
                let span_end: usize =
                    line_text[col_byte.min(len)..].chars().take(self.length).map(char::len_utf8).sum::<usize>()
                        + col_byte;
                let span = if span_end > col_byte { col_byte..span_end } else { col_byte..col_byte };
                let path = loc.file.display().to_string();
                report.push(
                    title.element(
                        Snippet::source(line_text.to_string())
                            .line_start(loc.line)
                            .path(path)
                            .annotation(AnnotationKind::Primary.span(span)),
                    ),
                );
            }
            _ => match &self.location {
                Some(loc) => report.push(
                    title.element(
                        annotate_snippets::Origin::path(loc.file.display().to_string())
                            .line(loc.line)
                            .char_column(loc.column),
                    ),
                ),
                None => report.push(Group::with_title(title)),
            },
        }
        if let Some(hint) = &self.hint {
            report.push(Group::with_title(Level::HELP.secondary_title(hint.as_str())));
        }
        let renderer = if color { Renderer::styled() } else { Renderer::plain() };
        renderer.render(&report).to_string()
    }
}

/// Byte start and length (without the line break) of 1-based `line`.
fn line_span(text: &str, line: usize) -> (usize, usize) {
    let mut start = 0;
    for _ in 1..line {
        match text[start..].find('\n') {
            Some(i) => start += i + 1,
            None => break,
        }
    }
    let rest = &text[start..];
    let len = rest.find('\n').unwrap_or(rest.len());
    let len = if rest[..len].ends_with('\r') { len - 1 } else { len };
    (start, len)
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let word = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{word}[{}]: {}", self.kind, self.message)?;
        if let Some(loc) = &self.location {
            write!(f, " at {loc}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostic {}

/// The problems found by one run, errors and warnings together, in a stable order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    pub fn push(&mut self, d: Diagnostic) {
        self.0.push(d);
    }

    pub fn extend(&mut self, other: impl IntoIterator<Item = Diagnostic>) {
        self.0.extend(other);
    }

    pub fn has_errors(&self) -> bool {
        self.0.iter().any(Diagnostic::is_error)
    }

    pub fn errors(&self) -> usize {
        self.0.iter().filter(|d| d.is_error()).count()
    }

    pub fn warnings(&self) -> usize {
        self.0.len() - self.errors()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Sorts by file, line, column so output does not depend on thread scheduling (then by
    /// the kind's name, as the order was before kinds were typed).
    pub fn sort(&mut self) {
        self.0.sort_by(|a, b| {
            (&a.location, a.severity, a.kind.name(), &a.message).cmp(&(
                &b.location,
                b.severity,
                b.kind.name(),
                &b.message,
            ))
        });
        self.0.dedup();
    }

    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter()
    }
}

impl IntoIterator for Diagnostics {
    type Item = Diagnostic;
    type IntoIter = std::vec::IntoIter<Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl From<Diagnostic> for Diagnostics {
    fn from(d: Diagnostic) -> Self {
        Diagnostics(vec![d])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_is_written_and_read_by_its_name() {
        // `name()` matches every variant (the compiler holds it whole); serde's kebab-case
        // must give the same names, or `check --format json` would change its words.
        let source = include_str!("diagnostics.rs");
        let arms: Vec<&str> = source
            .lines()
            .filter_map(|l| l.trim().strip_prefix("Kind::")?.split_once(" => \"")?.1.strip_suffix("\","))
            .collect();
        assert!(arms.len() > 50, "the arms of name() are found: {arms:?}");
        for name in arms {
            let kind: Kind = serde_json::from_str(&format!("\"{name}\"")).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(kind.name(), name);
            assert_eq!(serde_json::to_string(&kind).unwrap(), format!("\"{name}\""));
        }
    }

    #[test]
    fn a_diagnostic_reads_back_as_it_was_written() {
        // `build` keeps its warnings to print them again on an unchanged rebuild.
        let kinds = crate::check::Kind::ALL.map(crate::check::Kind::diagnostic).into_iter().chain([
            Kind::Io,
            Kind::FrontMatter,
            Kind::DuplicatePermalink,
            Kind::IncludeRelative,
            Kind::DrawioPartial,
            Kind::ProcessExtends,
        ]);
        for kind in kinds {
            let written = Diagnostics(vec![
                Diagnostic::warning(kind, "a message")
                    .at(Location::new("content/a b.md", 3, 7))
                    .spanning(4)
                    .hint("do this"),
                Diagnostic::error(kind, "another"),
            ]);
            let json = serde_json::to_string(&written).unwrap();
            assert!(json.contains(&format!("\"{}\"", kind.name())), "{json}");
            assert_eq!(serde_json::from_str::<Diagnostics>(&json).unwrap(), written, "{json}");
        }
    }

    #[test]
    fn line_col_counts_characters() {
        let text = "ab\ncdé f\n";
        assert_eq!(line_col(text, 0), (1, 1));
        assert_eq!(line_col(text, 3), (2, 1));
        assert_eq!(line_col(text, text.find('f').unwrap()), (2, 5));
    }

    #[test]
    fn renders_the_source_line() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.md"), "one\ntwo [x](y.html)\n").unwrap();
        let d = Diagnostic::error(Kind::BrokenLink, "y.html not found")
            .at(Location::new("a.md", 2, 5))
            .spanning(12)
            .hint("check the permalink");
        let text = d.render(dir.path(), false);
        assert!(text.contains("error[broken-link]: y.html not found"), "{text}");
        assert!(text.contains("a.md:2:5"), "{text}");
        assert!(text.contains("two [x](y.html)"), "{text}");
        assert!(text.contains("check the permalink"), "{text}");
    }
}
