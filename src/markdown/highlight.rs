//! Code highlighting at build time with syntect: loaded once, CSS classes rather than
//! inline styles, and a content-addressed cache on disk so an unchanged rebuild reuses
//! every highlighted block (syntect costs about 0.7 ms a block).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use sha2::{Digest, Sha256};
use syntect::highlighting::ThemeSet;
use syntect::html::{css_for_theme_with_class_style, ClassStyle, ClassedHTMLGenerator};
use syntect::parsing::{SyntaxDefinition, SyntaxReference, SyntaxSet};
use syntect::util::LinesWithEndings;

const CLASS_STYLE: ClassStyle = ClassStyle::SpacedPrefixed { prefix: "hl-" };
const CACHE_FILE: &str = "highlight-v1.bin";

/// HTTP messages are in most API pages and syntect has no grammar for them.
const HTTP_SYNTAX: &str = include_str!("http.sublime-syntax");

/// The syntaxes, parsed once per process and shared by every build (read-only).
fn syntaxes() -> &'static SyntaxSet {
    static SET: OnceLock<SyntaxSet> = OnceLock::new();
    SET.get_or_init(|| {
        let mut builder = SyntaxSet::load_defaults_newlines().into_builder();
        if let Ok(http) = SyntaxDefinition::load_from_str(HTTP_SYNTAX, true, Some("http")) {
            builder.add(http);
        }
        builder.build()
    })
}

/// Names authors write after the fence, mapped to the grammar's own token.
fn find_syntax<'s>(set: &'s SyntaxSet, lang: &str) -> Option<&'s SyntaxReference> {
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
    set.find_syntax_by_token(token)
}

/// Highlights code blocks, with a cache keyed by the language and the code.
pub struct Highlighter {
    cache_path: Option<PathBuf>,
    loaded: HashMap<[u8; 32], Arc<str>>,
    /// Entries used by this build, written back at the end.
    used: Mutex<HashMap<[u8; 32], Arc<str>>>,
}

impl Highlighter {
    /// A highlighter whose cache lives in `cache_dir` (or none when `None`).
    pub fn new(cache_dir: Option<&Path>) -> Highlighter {
        let cache_path = cache_dir.map(|d| d.join(CACHE_FILE));
        let loaded = cache_path.as_deref().and_then(|p| std::fs::read(p).ok()).map(decode).unwrap_or_default();
        Highlighter { cache_path, loaded, used: Mutex::new(HashMap::new()) }
    }

    /// The `<code>` contents for `code` in `lang`; `None` when the language is unknown,
    /// so the caller prints escaped plain code.
    pub fn highlight(&self, lang: &str, code: &str) -> Option<Arc<str>> {
        if lang.is_empty() {
            return None;
        }
        let key: [u8; 32] = {
            let mut h = Sha256::new();
            h.update(lang.as_bytes());
            h.update([0]);
            h.update(code.as_bytes());
            h.finalize().into()
        };
        if let Some(html) = self.loaded.get(&key) {
            self.used.lock().expect("cache lock").insert(key, html.clone());
            return Some(html.clone());
        }
        if let Some(html) = self.used.lock().expect("cache lock").get(&key) {
            return Some(html.clone());
        }
        let set = syntaxes();
        let syntax = find_syntax(set, lang)?;
        let mut generator = ClassedHTMLGenerator::new_with_class_style(syntax, set, CLASS_STYLE);
        for line in LinesWithEndings::from(code) {
            if generator.parse_html_for_line_which_includes_newline(line).is_err() {
                return None;
            }
        }
        let html: Arc<str> = generator.finalize().into();
        self.used.lock().expect("cache lock").insert(key, html.clone());
        Some(html)
    }

    /// Writes the entries this build used, so the cache never grows past one site's blocks.
    pub fn save(&self) -> std::io::Result<()> {
        let Some(path) = &self.cache_path else { return Ok(()) };
        let used = self.used.lock().expect("cache lock");
        if used.len() == self.loaded.len() && used.keys().all(|k| self.loaded.contains_key(k)) {
            return Ok(());
        }
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let mut keys: Vec<_> = used.keys().collect();
        keys.sort();
        let mut bytes = Vec::new();
        for key in keys {
            let html = &used[key];
            bytes.extend_from_slice(key);
            bytes.extend_from_slice(&(html.len() as u32).to_le_bytes());
            bytes.extend_from_slice(html.as_bytes());
        }
        let tmp = path.with_extension("tmp");
        std::fs::write(&tmp, bytes)?;
        std::fs::rename(tmp, path)
    }
}

fn decode(bytes: Vec<u8>) -> HashMap<[u8; 32], Arc<str>> {
    let mut map = HashMap::new();
    let mut rest = bytes.as_slice();
    while rest.len() >= 36 {
        let key: [u8; 32] = rest[..32].try_into().expect("32 bytes");
        let len = u32::from_le_bytes(rest[32..36].try_into().expect("4 bytes")) as usize;
        let Some(html) = rest.get(36..36 + len).and_then(|b| std::str::from_utf8(b).ok()) else {
            break; // A damaged cache is ignored from here on, never trusted.
        };
        map.insert(key, Arc::from(html));
        rest = &rest[36 + len..];
    }
    map
}

/// The stylesheet for highlighted code: a light theme, and a dark one for dark mode.
pub fn stylesheet() -> String {
    let themes = ThemeSet::load_defaults();
    let light = css_for_theme_with_class_style(&themes.themes["InspiredGitHub"], CLASS_STYLE).unwrap_or_default();
    let dark = css_for_theme_with_class_style(&themes.themes["base16-ocean.dark"], CLASS_STYLE).unwrap_or_default();
    format!(
        "/* Generated by Signpost from syntect's InspiredGitHub and base16-ocean.dark themes. */\n{light}\n@media (prefers-color-scheme: dark) {{\n{dark}\n}}\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn languages_the_portals_use() {
        let h = Highlighter::new(None);
        for lang in ["json", "xml", "http", "bash", "shell", "yaml", "rust", "java", "c#", "javascript", "sql"] {
            let html = h.highlight(lang, "x = 1\n").unwrap_or_else(|| panic!("{lang} not highlighted"));
            assert!(html.contains("hl-"), "{lang}: {html}");
        }
        assert!(h.highlight("klingon", "x").is_none());
    }

    #[test]
    fn cache_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let h = Highlighter::new(Some(dir.path()));
        let first = h.highlight("json", "{\"a\": 1}\n").unwrap();
        h.save().unwrap();
        let again = Highlighter::new(Some(dir.path()));
        assert_eq!(again.loaded.len(), 1);
        assert_eq!(again.highlight("json", "{\"a\": 1}\n").unwrap(), first);
    }
}
