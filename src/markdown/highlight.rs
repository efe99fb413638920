//! Code highlighting at build time with syntect: loaded once, CSS classes rather than
//! inline styles, and a content-addressed cache on disk so an unchanged rebuild reuses
//! every highlighted block (syntect costs about 0.7 ms a block).

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use rustc_hash::FxHashMap;
use sha2::{Digest, Sha256};
use syntect::highlighting::ThemeSet;
use syntect::html::{css_for_theme_with_class_style, ClassStyle};
use syntect::parsing::{
    BasicScopeStackOp, ParseState, Scope, ScopeStack, ScopeStackOp, SyntaxDefinition, SyntaxReference, SyntaxSet,
};
use syntect::util::LinesWithEndings;

const CLASS_STYLE: ClassStyle = ClassStyle::SpacedPrefixed { prefix: "hl-" };
/// Version 2: spans carry only the classes a selector can match (`class_of`).
const CACHE_FILE: &str = "highlight-v2.bin";
/// What earlier versions left in the cache folder, removed when the cache is saved.
const OLD_CACHE_FILES: [&str; 1] = ["highlight-v1.bin"];

/// HTTP messages are in most API pages and syntect has no grammar for them.
const HTTP_SYNTAX: &str = include_str!("http.sublime-syntax");

/// The grammars syntect ships, loaded from its packaged dump as they are, once per
/// process and shared by every build (read-only).
fn default_syntaxes() -> &'static SyntaxSet {
    static SET: OnceLock<SyntaxSet> = OnceLock::new();
    SET.get_or_init(SyntaxSet::load_defaults_newlines)
}

/// The HTTP grammar, in a set of its own: added to the default set, it made syntect
/// rebuild every default grammar at start (961M instructions, against under 10M for the dump
/// alone). It refers to no other grammar, so it needs none beside it.
fn http_syntaxes() -> &'static SyntaxSet {
    static SET: OnceLock<SyntaxSet> = OnceLock::new();
    SET.get_or_init(|| {
        let mut builder = SyntaxSet::new().into_builder();
        if let Ok(http) = SyntaxDefinition::load_from_str(HTTP_SYNTAX, true, Some("http")) {
            builder.add(http);
        }
        builder.build()
    })
}

/// The grammar for a fence's language and the set it belongs to. HTTP is looked up
/// first, as it was when it was the last grammar added to one set.
fn find_syntax(lang: &str) -> Option<(&'static SyntaxSet, &'static SyntaxReference)> {
    let token = language_token(lang);
    [http_syntaxes(), default_syntaxes()]
        .into_iter()
        .find_map(|set| set.find_syntax_by_token(&token).map(|syntax| (set, syntax)))
}

/// Names authors write after the fence, mapped to the grammar's own token.
fn language_token(lang: &str) -> String {
    let lang = lang.to_ascii_lowercase();
    let token = match lang.as_str() {
        "shell" | "sh" | "console" | "zsh" | "curl" => "bash",
        "c#" | "csharp" | "cs" => "cs",
        "js" | "javascript" | "node" => "js",
        "yml" => "yaml",
        "xml" | "html+xml" | "xsd" | "wsdl" | "soap" => "xml",
        "json" | "jsonc" | "fhir+json" => "json",
        "https" => "http",
        "ps" | "powershell" => "ps1",
        other => other,
    };
    token.to_string()
}

/// Highlights code blocks, with a cache keyed by the language and the code.
///
/// The cache is one file of entries (32-byte key, length, HTML). Only an index of the
/// previous file is held in memory; hits are read from it on demand, and the entries this
/// build used are streamed to a new file that replaces the old one at [`Highlighter::save`].
/// So the cache never holds a site's highlighted HTML in memory, and never grows past the
/// blocks one build uses.
pub struct Highlighter {
    cache: Option<Cache>,
    /// False for a render whose code blocks nobody reads (`signpost check`).
    enabled: bool,
}

struct Cache {
    path: PathBuf,
    old: Option<std::fs::File>,
    /// Key -> (offset, length) of the HTML in the old file.
    index: HashMap<[u8; 32], (u64, u32)>,
    state: Mutex<CacheState>,
}

struct CacheState {
    /// The new file, written as blocks are highlighted; `None` if it could not be created.
    new: Option<std::io::BufWriter<std::fs::File>>,
    /// Keys written to the new file.
    written: HashSet<[u8; 32]>,
    /// Whether anything was highlighted that the old file did not have.
    changed: bool,
}

impl Highlighter {
    /// A highlighter whose cache lives in `cache_dir` (or none when `None`).
    pub fn new(cache_dir: Option<&Path>) -> Highlighter {
        Highlighter { cache: cache_dir.map(Cache::open), enabled: true }
    }

    /// A highlighter that leaves all code plain. `signpost check` renders with it: code
    /// blocks hold no links or anchors, and highlighting them (reading and rewriting the
    /// cache) was a fifth of the time a check of 10,000 pages took.
    pub fn off() -> Highlighter {
        Highlighter { cache: None, enabled: false }
    }

    /// The `<code>` contents for `code` in `lang`; `None` when the language is unknown,
    /// so the caller prints escaped plain code.
    pub fn highlight(&self, lang: &str, code: &str) -> Option<String> {
        if lang.is_empty() || !self.enabled {
            return None;
        }
        let key: [u8; 32] = {
            let mut h = Sha256::new();
            h.update(lang.as_bytes());
            h.update([0]);
            h.update(code.as_bytes());
            h.finalize().into()
        };
        if let Some(html) = self.cache.as_ref().and_then(|c| c.get(&key)) {
            return Some(html);
        }
        let (set, syntax) = find_syntax(lang)?;
        let html = LINES.with(|lines| lines.borrow_mut().highlight(set, syntax, code))?;
        if let Some(cache) = &self.cache {
            cache.put(key, &html, true);
        }
        Some(html)
    }

    /// Replaces the cache file with the entries this build used (when they changed).
    pub fn save(&self) -> std::io::Result<()> {
        match &self.cache {
            Some(cache) => cache.save(),
            None => Ok(()),
        }
    }
}

impl Cache {
    fn open(dir: &Path) -> Cache {
        let path = dir.join(CACHE_FILE);
        let old = std::fs::File::open(&path).ok();
        let index = old.as_ref().map(read_index).unwrap_or_default();
        let new = std::fs::create_dir_all(dir)
            .and_then(|_| std::fs::File::create(path.with_extension("new")))
            .ok()
            .map(std::io::BufWriter::new);
        Cache { path, old, index, state: Mutex::new(CacheState { new, written: HashSet::new(), changed: false }) }
    }

    fn get(&self, key: &[u8; 32]) -> Option<String> {
        use std::os::unix::fs::FileExt;
        let &(offset, len) = self.index.get(key)?;
        let mut bytes = vec![0; len as usize];
        self.old.as_ref()?.read_exact_at(&mut bytes, offset).ok()?;
        let html = String::from_utf8(bytes).ok()?;
        self.put(*key, &html, false);
        Some(html)
    }

    fn put(&self, key: [u8; 32], html: &str, new_entry: bool) {
        use std::io::Write;
        let mut state = self.state.lock().expect("cache lock");
        state.changed |= new_entry;
        if !state.written.insert(key) {
            return;
        }
        let failed = match state.new.as_mut() {
            Some(w) => w
                .write_all(&key)
                .and_then(|_| w.write_all(&(html.len() as u32).to_le_bytes()))
                .and_then(|_| w.write_all(html.as_bytes()))
                .is_err(),
            None => false,
        };
        if failed {
            state.new = None;
        }
    }

    fn save(&self) -> std::io::Result<()> {
        let mut state = self.state.lock().expect("cache lock");
        let tmp = self.path.with_extension("new");
        let Some(writer) = state.new.take() else { return Ok(()) };
        let unchanged = !state.changed && state.written.len() == self.index.len();
        writer.into_inner().map_err(|e| e.into_error())?.sync_data().ok();
        if unchanged {
            return std::fs::remove_file(tmp);
        }
        // The first file of this version replaces what earlier versions left.
        if let Some(dir) = self.path.parent() {
            for old in OLD_CACHE_FILES {
                let _ = std::fs::remove_file(dir.join(old));
            }
        }
        std::fs::rename(tmp, &self.path)
    }
}

/// Reads the keys and positions of a cache file; a damaged tail is ignored, never trusted.
fn read_index(file: &std::fs::File) -> HashMap<[u8; 32], (u64, u32)> {
    use std::io::{Read, Seek, SeekFrom};
    let mut index = HashMap::new();
    let mut reader = std::io::BufReader::new(file);
    let mut header = [0u8; 36];
    let mut offset = 0u64;
    while reader.read_exact(&mut header).is_ok() {
        let key: [u8; 32] = header[..32].try_into().expect("32 bytes");
        let len = u32::from_le_bytes(header[32..36].try_into().expect("4 bytes"));
        offset += 36;
        if reader.seek(SeekFrom::Current(i64::from(len))).is_err() {
            break;
        }
        index.insert(key, (offset, len));
        offset += u64::from(len);
    }
    if let Ok(end) = reader.seek(SeekFrom::End(0)) {
        index.retain(|_, (o, l)| *o + u64::from(*l) <= end);
    }
    index
}

thread_local! {
    /// Each render thread's lines already highlighted.
    static LINES: RefCell<LineCache> = RefCell::new(LineCache::default());
}

/// Lines kept per thread before the cache starts again. A line costs its text, its HTML
/// (often a few hundred bytes of classes) and two numbers, the states being kept once
/// each. On the 10,000-page corpus 4,096 lines added about 5 MB to the peak and 16,384
/// about 30 MB, for 2% fewer lines parsed.
const LINES_KEPT: usize = 4_096;

/// The HTML of lines already highlighted, by their text and the state they start in.
/// Code blocks repeat lines (`{`, `set -euo pipefail`, an XML declaration, a field of the
/// same struct), and syntect's result for a line depends only on the line and the state
/// it starts in, so a line met again in the same state is not parsed again. The states
/// are kept once each and named by number: a line holds two numbers, not two copies of
/// syntect's parse stack, so a cache of thousands of lines stays small.
#[derive(Default)]
struct LineCache {
    /// Lines by their text; each text with the states it was met in.
    lines: FxHashMap<Box<str>, Vec<Line>>,
    kept: usize,
    states: States,
    /// Each scope's classes, as `classed_spans` writes them: a few hundred scopes at most.
    classes: FxHashMap<Scope, Option<Box<str>>>,
}

/// One line highlighted: the state it started in, the state it left, and its HTML.
struct Line {
    before: StateId,
    after: StateId,
    html: Box<str>,
    /// Spans opened (or, negative, closed) by the line.
    spans: isize,
}

type StateId = u32;

/// syntect's states (the parse stack and the scopes open), each kept once, with the
/// grammar set it belongs to. syntect's states have no hash, so they are found by a
/// hash of the scopes open and compared whole among those.
#[derive(Default)]
struct States {
    all: Vec<(&'static SyntaxSet, ParseState, ScopeStack)>,
    by_scopes: FxHashMap<u64, Vec<StateId>>,
    /// The state each grammar starts in.
    starts: FxHashMap<(usize, usize), StateId>,
}

impl States {
    fn start(&mut self, set: &'static SyntaxSet, syntax: &SyntaxReference) -> StateId {
        let key = (std::ptr::from_ref(set) as usize, std::ptr::from_ref(syntax) as usize);
        if let Some(&id) = self.starts.get(&key) {
            return id;
        }
        let id = self.id(set, ParseState::new(syntax), ScopeStack::new());
        self.starts.insert(key, id);
        id
    }

    /// The number of the state, kept now if it is new.
    fn id(&mut self, set: &'static SyntaxSet, parse: ParseState, scopes: ScopeStack) -> StateId {
        use std::hash::{BuildHasher, Hash, Hasher};
        let mut hasher = rustc_hash::FxBuildHasher.build_hasher();
        (std::ptr::from_ref(set) as usize).hash(&mut hasher);
        scopes.as_slice().hash(&mut hasher);
        let same_scopes = self.by_scopes.entry(hasher.finish()).or_default();
        let all = &mut self.all;
        if let Some(&id) = same_scopes.iter().find(|&&id| {
            let (s, p, c) = &all[id as usize];
            std::ptr::eq(*s, set) && *p == parse && *c == scopes
        }) {
            return id;
        }
        let id = all.len() as StateId;
        all.push((set, parse, scopes));
        same_scopes.push(id);
        id
    }

    fn clear(&mut self) {
        self.all.clear();
        self.by_scopes.clear();
        self.starts.clear();
    }
}

impl LineCache {
    /// The `<code>` contents of `code`, as syntect's `ClassedHTMLGenerator` makes them;
    /// `None` if syntect fails on a line.
    fn highlight(&mut self, set: &'static SyntaxSet, syntax: &SyntaxReference, code: &str) -> Option<String> {
        if self.kept >= LINES_KEPT {
            self.lines.clear();
            self.states.clear();
            self.kept = 0;
        }
        let mut state = self.states.start(set, syntax);
        let mut html = String::with_capacity(code.len() * 2);
        let mut open_spans = 0;
        for text in LinesWithEndings::from(code) {
            let line = match self.find(state, text) {
                Some(line) => line,
                None => self.add(state, text)?,
            };
            html.push_str(&line.html);
            open_spans += line.spans;
            state = line.after;
        }
        for _ in 0..open_spans {
            html.push_str("</span>");
        }
        Some(html)
    }

    fn find(&self, state: StateId, text: &str) -> Option<&Line> {
        self.lines.get(text)?.iter().find(|line| line.before == state)
    }

    fn add(&mut self, state: StateId, text: &str) -> Option<&Line> {
        let (set, mut parse, mut scopes) = self.states.all[state as usize].clone();
        let ops = parse.parse_line(text, set).ok()?;
        let (html, spans) = classed_spans(text, &ops, &mut scopes, &mut self.classes).ok()?;
        let after = self.states.id(set, parse, scopes);
        self.kept += 1;
        let line = Line { before: state, after, html: html.into(), spans };
        let same_text = self.lines.entry(text.into()).or_default();
        same_text.push(line);
        same_text.last()
    }
}

/// A line's HTML as syntect's `line_tokens_to_classed_spans` writes it, with each
/// scope's span given only the classes a selector of the stylesheets can match
/// (`class_of`), and no span for a scope left with none. The pages look the same
/// (`selectors`). A token of an XML example had four to six classes (`hl-punctuation
/// hl-definition hl-string hl-begin hl-xml`) in three or four nested spans, most of which
/// no rule reads: code blocks' HTML is a third smaller on the NHS portals and on the
/// generated corpus. Each scope's classes are made once, where syntect took a lock on its
/// scope names and spelled them out for every span.
/// Returns the HTML and the spans it leaves open (negative: closes).
fn classed_spans(
    line: &str,
    ops: &[(usize, ScopeStackOp)],
    scopes: &mut ScopeStack,
    classes: &mut FxHashMap<Scope, Option<Box<str>>>,
) -> Result<(String, isize), syntect::parsing::ScopeError> {
    let mut html = String::with_capacity(line.len() + ops.len() * 8);
    // Whether each scope open has a span, outermost first, as syntect's hook says only
    // that a scope was popped, not which.
    let mut open: Vec<bool> = scopes.as_slice().iter().map(|&scope| class_of(scope, classes).is_some()).collect();
    let mut at = 0;
    let mut delta = 0;
    // syntect's rule: a span closed with nothing written since it opened is taken out.
    let mut empty = false;
    let mut start = 0;
    for &(i, ref op) in ops {
        if i > at {
            empty = false;
            crate::escape::push_escaped(&mut html, &line[at..i]);
            at = i;
        }
        scopes.apply_with_hook(op, |basic, _| match basic {
            BasicScopeStackOp::Push(scope) => {
                let class = class_of(scope, classes);
                open.push(class.is_some());
                if let Some(class) = class {
                    start = html.len();
                    empty = true;
                    html.push_str("<span class=\"");
                    html.push_str(class);
                    html.push_str("\">");
                    delta += 1;
                }
            }
            BasicScopeStackOp::Pop => {
                if open.pop().unwrap_or(false) {
                    if empty {
                        html.truncate(start);
                    } else {
                        html.push_str("</span>");
                    }
                    delta -= 1;
                }
                empty = false;
            }
        })?;
    }
    crate::escape::push_escaped(&mut html, &line[at..]);
    Ok((html, delta))
}

/// The classes of a scope's span, or `None` when it needs none: of the scope's atoms
/// (`entity.name.tag.localname.xml`), those of each compound selector of the stylesheets
/// that all of them satisfy (`.hl-entity.hl-name.hl-tag`), in the scope's order. A
/// compound matches the span with these classes exactly when it matched the span with all
/// of them, so every rule applies to the same tokens.
fn class_of(scope: Scope, classes: &mut FxHashMap<Scope, Option<Box<str>>>) -> Option<&str> {
    classes
        .entry(scope)
        .or_insert_with(|| {
            let name = scope.build_string();
            let atoms: HashSet<&str> = name.split('.').collect();
            let matched: Vec<&HashSet<String>> =
                selectors().iter().filter(|compound| compound.iter().all(|a| atoms.contains(a.as_str()))).collect();
            let kept: Vec<String> = name
                .split('.')
                .filter(|atom| matched.iter().any(|compound| compound.contains(*atom)))
                .map(|atom| format!("hl-{atom}"))
                .collect();
            (!kept.is_empty()).then(|| kept.join(" ").into())
        })
        .as_deref()
}

/// The `hl-` part of each compound selector (`.hl-string.hl-regexp`, as a set of atoms)
/// of the highlighting stylesheet and of the default theme's stylesheets: what decides
/// which tokens a rule colours. The selectors that name `hl-` classes use only classes,
/// the descendant combinator and `:is()` (a test holds them to it), so a span whose
/// classes satisfy no compound can go, and its text inherits what it did. A fixed set: a
/// theme of one's own colours these classes (docs/theme.md).
fn selectors() -> &'static [HashSet<String>] {
    static COMPOUNDS: OnceLock<Vec<HashSet<String>>> = OnceLock::new();
    COMPOUNDS.get_or_init(|| {
        let mut compounds: Vec<HashSet<String>> = Vec::new();
        for css in stylesheets() {
            let mut rest = css;
            while let Some(at) = rest.find(".hl-") {
                rest = &rest[at..];
                let mut compound = HashSet::new();
                while let Some(after) = rest.strip_prefix(".hl-") {
                    let len = after
                        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
                        .unwrap_or(after.len());
                    compound.insert(after[..len].to_string());
                    rest = &after[len..];
                }
                if !compounds.contains(&compound) {
                    compounds.push(compound);
                }
            }
        }
        compounds
    })
}

/// The highlighting stylesheet and the default theme's stylesheets.
fn stylesheets() -> Vec<&'static str> {
    let theme = crate::theme::embedded_files(&crate::theme::DEFAULT_THEME)
        .into_iter()
        .filter(|file| file.path().extension().is_some_and(|e| e == "css"))
        .filter_map(|file| file.contents_utf8());
    theme.chain([stylesheet()]).collect()
}

/// The stylesheet for highlighted code: a light theme, and a dark one for dark mode.
/// Made once per process: every build, check and preview rebuild writes it, and the
/// highlighter reads its selectors (`selectors`); syntect decompresses its themes to
/// make it.
pub fn stylesheet() -> &'static str {
    static CSS: OnceLock<String> = OnceLock::new();
    CSS.get_or_init(|| {
        let themes = ThemeSet::load_defaults();
        let light = css_for_theme_with_class_style(&themes.themes["InspiredGitHub"], CLASS_STYLE).unwrap_or_default();
        let dark = css_for_theme_with_class_style(&themes.themes["base16-ocean.dark"], CLASS_STYLE).unwrap_or_default();
        // Each half only where it applies: a light rule left unscoped would outrank the
        // dark one wherever it is more specific.
        format!(
            "/* Generated by Signpost from syntect's InspiredGitHub and base16-ocean.dark themes. */\n\
             @media not screen, (prefers-color-scheme: light) {{\n{light}\n}}\n\
             @media screen and (prefers-color-scheme: dark) {{\n{dark}\n}}\n"
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn languages_the_portals_use() {
        let h = Highlighter::new(None);
        for lang in ["json", "xml", "http", "bash", "shell", "yaml", "rust", "java", "c#", "javascript", "sql"] {
            // Something every grammar colours: a string, or in XML and HTTP a tag and a method.
            let code = match lang {
                "xml" => "<a/>\n",
                "http" => "GET / HTTP/1.1\n",
                _ => "x = \"1\"\n",
            };
            let html = h.highlight(lang, code).unwrap_or_else(|| panic!("{lang} not highlighted"));
            assert!(html.contains("hl-"), "{lang}: {html}");
        }
        assert!(h.highlight("klingon", "x").is_none());
    }

    #[test]
    fn lines_met_again_give_what_syntect_gives() {
        // Lines repeated in other states: a brace inside a string and outside it, a block twice.
        let json = "{\n  \"a\": \"{\n}\",\n  \"b\": [\n    {\n    }\n  ]\n}\n{\n}\n";
        let rust = "/// x\nfn a() {\n    let s = \"\n}\n\";\n}\n/// x\nfn a() {\n}\n";
        let http = "GET /a HTTP/1.1\nAccept: x\n\n{\"a\": true}\nGET /a HTTP/1.1\n";
        let h = Highlighter::new(None);
        for (lang, code) in [("json", json), ("rust", rust), ("http", http)] {
            let expected = syntect_named(lang, code);
            assert_eq!(h.highlight(lang, code).unwrap(), expected, "{lang}");
            let kept = LINES.with(|lines| lines.borrow().kept);
            assert_eq!(h.highlight(lang, code).unwrap(), expected, "{lang}, again");
            assert_eq!(LINES.with(|lines| lines.borrow().kept), kept, "{lang}: the second time is all cached");
        }
    }

    /// The selectors of the stylesheets that name `hl-` classes, comments left out.
    fn hl_selectors() -> Vec<String> {
        let mut found = Vec::new();
        for css in stylesheets() {
            let mut text = String::new();
            let mut rest = css;
            while let Some(at) = rest.find("/*") {
                text.push_str(&rest[..at]);
                rest = rest[at..].find("*/").map_or("", |end| &rest[at + end + 2..]);
            }
            text.push_str(rest);
            for rule in text.split('}') {
                let selector = rule.split('{').next().unwrap_or("");
                if selector.contains(".hl-") && rule.contains('{') {
                    found.push(selector.trim().to_string());
                }
            }
        }
        found
    }

    /// syntect's own HTML for `code`, every class on its spans, with each span's classes
    /// cut to those of the compound selectors its classes satisfy and the spans left
    /// without one unwrapped: what `classed_spans` promises to write, made here the long
    /// way round (compounds read by splitting each selector at spaces, commas and brackets).
    fn syntect_named(lang: &str, code: &str) -> String {
        let compounds: Vec<HashSet<String>> = hl_selectors()
            .iter()
            .flat_map(|selector| selector.split([' ', '\n', ',', '(', ')']).map(str::to_string).collect::<Vec<_>>())
            .map(|part| {
                part.split('.').filter_map(|c| c.strip_prefix("hl-")).map(str::to_string).collect::<HashSet<_>>()
            })
            .filter(|compound| !compound.is_empty())
            .collect();
        let (set, syntax) = find_syntax(lang).unwrap();
        let mut generator = syntect::html::ClassedHTMLGenerator::new_with_class_style(syntax, set, CLASS_STYLE);
        for line in LinesWithEndings::from(code) {
            generator.parse_html_for_line_which_includes_newline(line).unwrap();
        }
        let full = generator.finalize();
        let (mut out, mut open, mut rest) = (String::new(), Vec::new(), full.as_str());
        while !rest.is_empty() {
            if let Some(after) = rest.strip_prefix("<span class=\"") {
                let end = after.find("\">").unwrap();
                let atoms: Vec<&str> = after[..end].split(' ').map(|c| c.trim_start_matches("hl-")).collect();
                let satisfied: Vec<&HashSet<String>> =
                    compounds.iter().filter(|c| c.iter().all(|a| atoms.contains(&a.as_str()))).collect();
                let kept: Vec<String> = atoms
                    .iter()
                    .filter(|a| satisfied.iter().any(|c| c.contains(**a)))
                    .map(|a| format!("hl-{a}"))
                    .collect();
                open.push(!kept.is_empty());
                if !kept.is_empty() {
                    out.push_str(&format!("<span class=\"{}\">", kept.join(" ")));
                }
                rest = &after[end + 2..];
            } else if let Some(after) = rest.strip_prefix("</span>") {
                if open.pop().unwrap() {
                    out.push_str("</span>");
                }
                rest = after;
            } else {
                let end = rest.find('<').unwrap_or(rest.len());
                out.push_str(&rest[..end]);
                rest = &rest[end..];
            }
        }
        out
    }

    #[test]
    fn selectors_of_highlighted_code_read_only_classes() {
        // Dropping a class no compound needs, or a span with none, changes nothing only
        // while no selector of `hl-` classes looks at an element's place among others or
        // at a class it must not have.
        let selectors = hl_selectors();
        assert!(selectors.len() > 50, "{selectors:?}");
        for selector in &selectors {
            for banned in [">", "+", "~", ":not", ":has", ":nth", ":first", ":last", ":only", ":empty", "[class"] {
                assert!(!selector.contains(banned), "{selector}: {banned}");
            }
        }
        // The contrast rules of the default theme are among them.
        assert!(selectors.iter().any(|s| s.contains(".sp-content pre.code .hl-comment")));
    }

    #[test]
    fn spans_carry_only_the_classes_a_selector_can_match() {
        let samples = [
            ("xml", "<?xml version=\"1.0\"?>\n<a x=\"1\">\n  <!-- note -->\n  <b>t &amp; u</b>\n</a>\n"),
            ("json", "{\n  \"resourceType\": \"Slot\",\n  \"n\": [1, 2.5, true, null]\n}\n"),
            ("http", "POST /Slot HTTP/1.1\nContent-Type: application/fhir+json\n\n{\"a\": 1}\n"),
            ("bash", "#!/bin/sh\ncurl -H \"Accept: x\" \"$URL/Slot?status=free\" | jq '.entry[]' # all\n"),
            ("yaml", "title: \"Slots\"\ntags: [a, b]\nn: 3 # three\n"),
            ("java", "/** Doc. */\npublic class A extends B { int n = 1; String s = \"x\"; }\n"),
            ("c#", "using System;\n[Obsolete] class A { var s = $\"{n}\"; }\n"),
            ("javascript", "const re = /a[b-c]+/g; // re\nlet t = `x${1 + 2}`;\n"),
            ("python", "@decorator\ndef f(a, *b):\n    return f'{a!r}'  # c\n"),
            ("sql", "SELECT a, COUNT(*) FROM t WHERE b = 'x' -- c\n"),
            ("diff", "--- a\n+++ b\n@@ -1 +1 @@\n-old\n+new\n"),
        ];
        let h = Highlighter::new(None);
        for (lang, code) in samples {
            assert_eq!(h.highlight(lang, code).unwrap(), syntect_named(lang, code), "{lang}");
        }
        // No rule reads the grammar's name on XML spans, nor `meta.tag` alone; the tag's
        // name keeps what the themes colour it by.
        let xml = h.highlight("xml", samples[0].1).unwrap();
        assert!(!xml.contains("hl-xml") && !xml.contains("<span class=\"hl-meta hl-tag\">"), "{xml}");
        assert!(xml.contains("<span class=\"hl-entity hl-name hl-tag\">a</span>"), "{xml}");
        assert!(xml.contains("<span class=\"hl-comment"), "{xml}");
    }

    #[test]
    fn cache_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        // An earlier version's file, whose HTML this version does not write, goes.
        std::fs::write(dir.path().join(OLD_CACHE_FILES[0]), b"old").unwrap();
        let h = Highlighter::new(Some(dir.path()));
        let first = h.highlight("json", "{\"a\": 1}\n").unwrap();
        h.save().unwrap();
        assert!(!dir.path().join(OLD_CACHE_FILES[0]).exists());
        let again = Highlighter::new(Some(dir.path()));
        assert_eq!(again.cache.as_ref().unwrap().index.len(), 1);
        assert_eq!(again.highlight("json", "{\"a\": 1}\n").unwrap(), first);
        again.save().unwrap();
        // An unchanged rebuild leaves the file as it was, and a damaged file is ignored.
        let path = dir.path().join(CACHE_FILE);
        let bytes = std::fs::read(&path).unwrap();
        std::fs::write(&path, &bytes[..bytes.len() - 3]).unwrap();
        let damaged = Highlighter::new(Some(dir.path()));
        assert!(damaged.cache.as_ref().unwrap().index.is_empty());
        assert_eq!(damaged.highlight("json", "{\"a\": 1}\n").unwrap(), first);
    }
}
