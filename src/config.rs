//! `site.yaml`: the settings every page of the site shares.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::diagnostics::{Diagnostic, Kind, Location};
use crate::yaml::{self, Spanned};

pub const FILE_NAME: &str = "site.yaml";

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SiteConfig {
    pub title: String,
    #[serde(default)]
    pub description: Option<String>,
    /// Where the site is published: a path (`/portal/`) or a full URL. Links are made under it.
    #[serde(default = "default_base_url")]
    pub base_url: String,
    /// The address the site is published at (`https://developer.example.org`: scheme and
    /// host, the path is `base_url`'s), which the sitemap needs: its `<loc>` values must be
    /// full URLs.
    #[serde(default)]
    pub url: Option<String>,
    /// The portal's public address, used for links into other services from a standalone build.
    #[serde(default)]
    pub portal_url: Option<String>,
    #[serde(default = "default_theme")]
    pub theme: String,
    /// The sidebar of pages that name none.
    #[serde(default)]
    pub sidebar: Option<String>,
    #[serde(default = "default_language")]
    pub language: String,
    #[serde(default)]
    pub footer: Option<String>,
    #[serde(default)]
    pub services: Vec<ServiceConfig>,
    /// How each kind of link problem is treated (`error`, `warning` or `ignore`), and
    /// how external links are fetched (`external:`).
    #[serde(default)]
    pub check: CheckConfig,
    /// Anything else templates need, as `site.extra`.
    #[serde(default)]
    pub extra: BTreeMap<String, serde_json::Value>,
    /// Bounds on what a page's Liquid may do (nesting, loop steps, output, includes), for
    /// a site that needs more than the defaults.
    #[serde(default)]
    pub liquid: crate::liquid::Limits,
}

/// site.yaml's `check:` map as written, in file order: each kind's name and level with
/// where they are written, so a bad entry is reported at its line without reading the
/// file again. `check` gives the names and levels their meaning.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CheckLevels(pub Vec<CheckLevel>);

#[derive(Debug, Clone, PartialEq)]
pub struct CheckLevel {
    pub kind: Spanned<String>,
    pub level: Spanned<String>,
}

impl CheckLevel {
    /// Where the kind's name is written in site.yaml.
    pub fn kind_at(&self) -> Location {
        yaml::location_of(&self.kind, Path::new(FILE_NAME), 1).unwrap_or_else(|| Location::new(FILE_NAME, 1, 1))
    }
}

/// `check: external:` as written in site.yaml; `check::external::ExternalSettings`
/// validates it.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ExternalConfig {
    /// Only URLs matching one of these are fetched (all, when empty).
    #[serde(default)]
    pub include: Vec<Spanned<String>>,
    /// URLs matching one of these are never fetched.
    #[serde(default)]
    pub exclude: Vec<Spanned<String>>,
    /// How long a cached result is reused: `12h`, `7d`, `90s`, or seconds.
    #[serde(default)]
    pub max_age: Option<Spanned<String>>,
    /// How long one request may take.
    #[serde(default)]
    pub timeout: Option<Spanned<String>>,
    /// How many requests one host gets at a time.
    #[serde(default)]
    pub per_host: Option<Spanned<usize>>,
    /// How many times a request that timed out, failed to connect or was asked to wait
    /// (408, 429, 502, 503, 504) is tried again.
    #[serde(default)]
    pub retries: Option<Spanned<u32>>,
    /// Also look for `#fragment`s in the HTML fetched.
    #[serde(default)]
    pub anchors: Option<bool>,
    /// The cache file, relative to the site root.
    #[serde(default)]
    pub cache: Option<Spanned<String>>,
    /// HTTP statuses that count as working (such as 403 from hosts that refuse robots).
    #[serde(default)]
    pub accept: Vec<Spanned<u16>>,
}

/// `check:` in site.yaml: a level for each kind of finding, and `external:`, a map of
/// its own (src/check/external/settings.rs).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CheckConfig {
    pub levels: CheckLevels,
    pub external: Option<ExternalConfig>,
}

impl<'de> Deserialize<'de> for CheckConfig {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Entries;
        impl<'de> serde::de::Visitor<'de> for Entries {
            type Value = CheckConfig;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a map of kinds to levels (error, warning or ignore), and `external:`")
            }
            fn visit_unit<E: serde::de::Error>(self) -> Result<CheckConfig, E> {
                Ok(CheckConfig::default())
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<CheckConfig, A::Error> {
                let mut check = CheckConfig::default();
                while let Some(kind) = map.next_key::<Spanned<String>>()? {
                    if kind.value == "external" {
                        check.external = Some(map.next_value()?);
                    } else {
                        let level = map.next_value()?;
                        check.levels.0.push(CheckLevel { kind, level });
                    }
                }
                Ok(check)
            }
        }
        deserializer.deserialize_any(Entries)
    }
}

impl Serialize for CheckConfig {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(None)?;
        for entry in &self.levels.0 {
            map.serialize_entry(&entry.kind.value, &entry.level.value)?;
        }
        if let Some(external) = &self.external {
            map.serialize_entry("external", external)?;
        }
        map.end()
    }
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ServiceConfig {
    pub id: String,
    pub title: String,
    #[serde(default)]
    pub short_name: Option<String>,
    #[serde(default)]
    pub summary: Option<String>,
    /// Folder under content/ holding the service's pages; defaults to the id.
    #[serde(default)]
    pub content: Option<String>,
    #[serde(default)]
    pub sidebar: Option<String>,
    #[serde(default)]
    pub process: Option<String>,
    #[serde(default)]
    pub colours: Colours,
    /// Values pages and includes may use as `service.values.NAME`.
    #[serde(default)]
    pub values: BTreeMap<String, serde_json::Value>,
}

impl ServiceConfig {
    pub fn content_dir(&self) -> &str {
        self.content.as_deref().unwrap_or(&self.id)
    }

    pub fn short(&self) -> &str {
        self.short_name.as_deref().unwrap_or(&self.title)
    }
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Colours {
    #[serde(default = "default_primary")]
    pub primary: String,
    #[serde(default = "default_accent")]
    pub accent: String,
}

impl Default for Colours {
    fn default() -> Self {
        Colours { primary: default_primary(), accent: default_accent() }
    }
}

fn default_primary() -> String {
    "#005eb8".into()
}
fn default_accent() -> String {
    "#003087".into()
}
fn default_base_url() -> String {
    "/".into()
}
fn default_theme() -> String {
    "default".into()
}
fn default_language() -> String {
    "en".into()
}

impl SiteConfig {
    /// Reads `ROOT/site.yaml`. A missing file is an error that says how to start a site.
    pub fn load(root: &Path) -> Result<SiteConfig, Diagnostic> {
        let path = root.join(FILE_NAME);
        if !path.exists() {
            return Err(Diagnostic::error(Kind::Io, format!("cannot read {}: there is no such file", path.display()))
                .hint("run `signpost new DIR` to create a site, or pass --root to point at one"));
        }
        let text = crate::diagnostics::read_text(&path, Path::new(FILE_NAME))?;
        let text = text.as_str();
        let mut config: SiteConfig = yaml::parse(text, Path::new(FILE_NAME), 1)?;
        config.base_url = normalise_base_url(&config.base_url);
        config.validate(text)?;
        Ok(config)
    }

    fn validate(&self, text: &str) -> Result<(), Diagnostic> {
        if let Some((name, why)) = self.liquid.problem() {
            return Err(Diagnostic::error(Kind::Config, format!("liquid `{name}` {why}"))
                .at_opt(find_line(text, &format!("{name}:")))
                .hint("docs/jekyll.md lists the Liquid limits and their defaults"));
        }
        let mut seen = std::collections::BTreeSet::new();
        for service in &self.services {
            let ok =
                !service.id.is_empty() && service.id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
            if !ok || !seen.insert(service.id.clone()) {
                let what = if ok { "is listed twice" } else { "must be letters, digits, - or _" };
                return Err(Diagnostic::error(Kind::Config, format!("service id `{}` {what}", service.id))
                    .at_opt(find_line(text, &format!("id: {}", service.id)))
                    .hint("give each service a unique id such as `nrls`"));
            }
            for (key, value) in [("primary", &service.colours.primary), ("accent", &service.colours.accent)] {
                if !is_css_colour(value) {
                    return Err(Diagnostic::error(
                        Kind::Config,
                        format!("`{key}` colour `{value}` is not a CSS colour"),
                    )
                    .at_opt(find_line(text, value))
                    .hint("write a colour as #005eb8, a name such as navy, or rgb(0, 94, 184)"));
                }
            }
            if let Some(dir) = &service.content {
                if let Err(why) = check_content_dir(dir) {
                    return Err(Diagnostic::error(Kind::Config, format!("service content folder `{dir}` {why}"))
                        .at_opt(find_line(text, &format!("content: {dir}")))
                        .hint("name a folder under content/, such as `nrls` for content/nrls"));
                }
            }
        }
        Ok(())
    }

    pub fn service(&self, id: &str) -> Option<&ServiceConfig> {
        self.services.iter().find(|s| s.id == id)
    }
}

/// A colour as CSS writes it: `#rgb`, `#rrggbb` (with or without alpha), a name, or a
/// colour function such as `rgb(0 94 184 / 50%)`. Colours go into a `<style>` element, so
/// anything else could end the rule and start another.
fn is_css_colour(value: &str) -> bool {
    let value = value.trim();
    if let Some(hex) = value.strip_prefix('#') {
        return matches!(hex.len(), 3 | 4 | 6 | 8) && hex.chars().all(|c| c.is_ascii_hexdigit());
    }
    if !value.is_empty() && value.chars().all(|c| c.is_ascii_alphabetic()) {
        return true;
    }
    let Some((name, args)) = value.strip_suffix(')').and_then(|v| v.split_once('(')) else { return false };
    let functions = ["rgb", "rgba", "hsl", "hsla", "hwb", "lab", "lch", "oklab", "oklch"];
    functions.contains(&name.to_ascii_lowercase().as_str())
        && args.chars().all(|c| c.is_ascii_alphanumeric() || " .,%/+-".contains(c))
}

/// A service's `content:` folder must be a folder under content/.
fn check_content_dir(dir: &str) -> Result<(), &'static str> {
    if dir.trim().is_empty() {
        return Err("is empty");
    }
    if dir.contains('\\') || dir.chars().any(char::is_control) {
        return Err("holds a backslash or a control character");
    }
    if dir.starts_with('/') || dir.contains(':') {
        return Err("must be a path relative to content/");
    }
    if dir.split('/').any(|part| part == ".." || part == ".") {
        return Err("must stay inside content/ (no `.` or `..`)");
    }
    Ok(())
}

/// `portal`, `/portal`, `/portal/` all mean `/portal/`; full URLs keep their host.
pub fn normalise_base_url(url: &str) -> String {
    let url = url.trim();
    if url.is_empty() || url == "/" {
        return "/".into();
    }
    let mut url = url.to_string();
    if !url.contains("://") && !url.starts_with('/') {
        url.insert(0, '/');
    }
    if !url.ends_with('/') {
        url.push('/');
    }
    url
}

fn find_line(text: &str, needle: &str) -> Option<Location> {
    text.lines().enumerate().find_map(|(i, line)| {
        line.find(needle).map(|col| Location::new(FILE_NAME, i + 1, line[..col].chars().count() + 1))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_url_forms() {
        assert_eq!(normalise_base_url(""), "/");
        assert_eq!(normalise_base_url("portal"), "/portal/");
        assert_eq!(normalise_base_url("/portal"), "/portal/");
        assert_eq!(normalise_base_url("https://x.org/p"), "https://x.org/p/");
    }

    #[test]
    fn colours_are_css_colours() {
        for ok in ["#005eb8", "#abc", "#AABBCCDD", "navy", "rgb(0, 94, 184)", "hsl(210deg 100% 36% / 50%)"] {
            assert!(is_css_colour(ok), "{ok}");
        }
        for bad in ["red;}body{display:none", "#12", "#ggg", "rgb(0,0,0);x", "url(x)", "red</style><script>", ""] {
            assert!(!is_css_colour(bad), "{bad}");
        }
    }

    #[test]
    fn content_folders_stay_inside() {
        assert!(check_content_dir("nrls").is_ok() && check_content_dir("services/nrls").is_ok());
        for bad in ["../x", "/etc", "a/../../b", "", "C:/x", "a\\b"] {
            assert!(check_content_dir(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn liquid_limits_are_read_and_checked() {
        let dir = tempfile::tempdir().unwrap();
        let write = |text: &str| std::fs::write(dir.path().join(FILE_NAME), text).unwrap();
        write("title: P\nliquid:\n  max_iterations: 5000000\n");
        let config = SiteConfig::load(dir.path()).unwrap();
        assert_eq!(config.liquid.max_iterations, 5_000_000);
        assert_eq!(config.liquid.max_depth, crate::liquid::Limits::default().max_depth);
        write("title: P\nliquid:\n  max_depth: 0\n");
        let err = SiteConfig::load(dir.path()).unwrap_err();
        assert!(err.message.contains("max_depth") && err.message.contains("at least 1"), "{}", err.message);
        let loc = err.location.unwrap();
        assert_eq!((loc.line, loc.column), (3, 3));
        write("title: P\nliquid:\n  max_depht: 10\n");
        let err = SiteConfig::load(dir.path()).unwrap_err();
        assert_eq!(err.location.map(|l| l.line), Some(3), "{}", err.message);
    }

    #[test]
    fn unknown_key_is_an_error_with_position() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(FILE_NAME), "title: P\nthem: dark\n").unwrap();
        let err = SiteConfig::load(dir.path()).unwrap_err();
        let loc = err.location.unwrap();
        assert_eq!((loc.line, loc.column), (2, 1));
        assert!(err.message.contains("them"));
    }
}
