//! Sidebars in the shape the NHS Jekyll sites use (`_data/sidebars/NAME.yml`):
//! entries -> folders -> folderitems -> subfolders -> subfolderitems.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::diagnostics::{Diagnostic, Diagnostics, Kind, Location};
use crate::yaml::{self, Spanned};

pub const SIDEBAR_DIR: &str = "content/_data/sidebars";

/// A sidebar, reduced to a tree of titled links; items not published to `web` are gone.
#[derive(Debug, Clone, PartialEq)]
pub struct Sidebar {
    pub name: String,
    pub source: PathBuf,
    pub product: Option<String>,
    pub version: Option<String>,
    pub items: Vec<SidebarItem>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SidebarItem {
    pub title: String,
    /// The link as written (`/overview.html`), if the item is a link.
    pub url: Option<String>,
    pub external: bool,
    /// Where the link is written in the sidebar file.
    pub location: Location,
    pub children: Vec<SidebarItem>,
}

#[derive(Deserialize)]
struct File {
    #[serde(default, deserialize_with = "yaml::null_as_default")]
    entries: Vec<Entry>,
}

#[derive(Deserialize)]
struct Entry {
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    product: Option<String>,
    #[serde(default)]
    version: Option<String>,
    #[serde(default, deserialize_with = "yaml::null_as_default")]
    folders: Vec<Node>,
}

/// Folders, items, subfolders and subfolder items share one shape.
#[derive(Deserialize)]
struct Node {
    /// Some Jekyll sidebars leave a title empty (`- title:`), usually on `output: pdf` items.
    title: Spanned<Option<String>>,
    #[serde(default)]
    url: Option<Spanned<String>>,
    #[serde(default)]
    external_url: Option<Spanned<String>>,
    #[serde(default)]
    output: Option<String>,
    #[serde(default, deserialize_with = "yaml::null_as_default")]
    folderitems: Vec<Node>,
    #[serde(default, deserialize_with = "yaml::null_as_default")]
    subfolders: Vec<Node>,
    #[serde(default, deserialize_with = "yaml::null_as_default")]
    subfolderitems: Vec<Node>,
}

/// Reads every `*.yml` directly under `ROOT/content/_data/sidebars`.
pub fn load_all(root: &Path) -> (BTreeMap<String, Sidebar>, Diagnostics) {
    let mut sidebars = BTreeMap::new();
    let mut diagnostics = Diagnostics::default();
    let dir = root.join(SIDEBAR_DIR);
    let Ok(entries) = std::fs::read_dir(&dir) else { return (sidebars, diagnostics) };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        if !matches!(path.extension().and_then(|e| e.to_str()), Some("yml" | "yaml")) || !path.is_file() {
            continue;
        }
        let name = path.file_stem().unwrap_or_default().to_string_lossy().to_string();
        let source = Path::new(SIDEBAR_DIR).join(path.file_name().unwrap_or_default());
        match crate::diagnostics::read_text(&path, &source) {
            Ok(text) => match parse(&name, &source, &crate::content::normalise_text(text), &mut diagnostics) {
                Ok(sidebar) => {
                    sidebars.insert(name, sidebar);
                }
                Err(d) => diagnostics.push(d),
            },
            Err(d) => diagnostics.push(d),
        }
    }
    (sidebars, diagnostics)
}

/// Reads one sidebar; what Jekyll accepts but an author should fix goes to `warnings`.
pub fn parse(name: &str, source: &Path, text: &str, warnings: &mut Diagnostics) -> Result<Sidebar, Diagnostic> {
    let mut found = Vec::new();
    let file: File = yaml::parse_jekyll(text, source, 1, &mut found)?;
    warnings.extend(found);
    let mut sidebar = Sidebar {
        name: name.to_string(),
        source: source.to_path_buf(),
        product: None,
        version: None,
        items: Vec::new(),
    };
    for entry in file.entries {
        sidebar.product = sidebar.product.or(entry.product.filter(|p| !p.is_empty())).or(entry.title);
        sidebar.version = sidebar.version.or(entry.version);
        sidebar.items.extend(entry.folders.into_iter().filter_map(|n| convert(n, source)));
    }
    // Every page shows its sidebar: a link that runs script would be on all of them.
    if let Some((item, why)) = refused_link(&sidebar.items) {
        let url = item.url.as_deref().unwrap_or_default();
        return Err(Diagnostic::error(Kind::SidebarLink, format!("{why}: {url:?}"))
            .at(item.location.clone())
            .hint("write a page path such as /overview.html, or an https:// address"));
    }
    Ok(sidebar)
}

fn refused_link(items: &[SidebarItem]) -> Option<(&SidebarItem, &'static str)> {
    items.iter().find_map(|item| {
        let refused = item.url.as_deref().and_then(|url| crate::link_scheme::refusal(url, false));
        refused.map(|why| (item, why)).or_else(|| refused_link(&item.children))
    })
}

fn convert(node: Node, source: &Path) -> Option<SidebarItem> {
    let on_web = node.output.as_deref().is_none_or(|o| o.split(',').any(|p| p.trim() == "web"));
    if !on_web {
        return None;
    }
    let (url, external, at) = match (node.external_url, node.url) {
        (Some(u), _) if !u.value.trim().is_empty() => (Some(u.value.trim().to_string()), true, Some(u.referenced)),
        (_, Some(u)) if !u.value.trim().is_empty() => (Some(u.value.trim().to_string()), false, Some(u.referenced)),
        _ => (None, false, None),
    };
    let at = at.unwrap_or(node.title.referenced);
    let location = Location::new(source, at.line() as usize, at.column() as usize);
    let children = node
        .folderitems
        .into_iter()
        .chain(node.subfolders)
        .chain(node.subfolderitems)
        .filter_map(|n| convert(n, source))
        .collect();
    // Jekyll's theme writes a title into the HTML as it is (`FHIR&reg;`); the templates
    // escape text, so entities are decoded once here and not shown as `&amp;reg;`.
    let title = html_escape::decode_html_entities(&node.title.value.unwrap_or_default()).into_owned();
    Some(SidebarItem { title, url, external, location, children })
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "entries:\n- title: sidebar\n  product: Booking\n  folders:\n  - title: Intro\n    output: web\n    folderitems:\n    - title: Overview\n      url: /index.html\n      output: web, pdf\n    - title: PDF only\n      url: /pdf.html\n      output: pdf\n      subfolders:\n      - title: Hidden\n    - title: Spec\n      external_url: https://x.org\n";

    #[test]
    fn reads_the_jekyll_shape() {
        let s = parse("b", Path::new("b.yml"), TEXT, &mut Diagnostics::default()).unwrap();
        assert_eq!(s.product.as_deref(), Some("Booking"));
        let intro = &s.items[0];
        assert_eq!(intro.title, "Intro");
        let titles: Vec<_> = intro.children.iter().map(|c| c.title.as_str()).collect();
        assert_eq!(titles, ["Overview", "Spec"]);
        assert_eq!(intro.children[0].url.as_deref(), Some("/index.html"));
        assert_eq!((intro.children[0].location.line, intro.children[0].location.column), (9, 12));
        assert!(intro.children[1].external);
    }

    #[test]
    fn empty_lists_and_repeated_keys_are_read_as_jekyll_reads_them() {
        let text = "entries:\n- title: s\n  folders:\n  - title: A &amp; FHIR&reg;\n    output: pdf\n    output: web\n    subfolders:\n    folderitems:\n    - title: B\n      url: /b.html\n";
        let mut warnings = Diagnostics::default();
        let s = parse("s", Path::new("s.yml"), text, &mut warnings).unwrap();
        assert_eq!(s.items[0].title, "A & FHIR®", "the last `output` (web) is kept; entities decoded once");
        assert_eq!(s.items[0].children[0].url.as_deref(), Some("/b.html"));
        let warning = warnings.iter().next().expect("a warning for the repeated key");
        assert!(warning.message.contains("lines 5 and 6"), "{}", warning.message);
    }
}
