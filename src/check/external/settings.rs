//! `check: external:` in site.yaml: which external links are fetched, how patiently, and
//! where their results are kept. Read as written (with positions), then validated once
//! into [`ExternalSettings`], so a bad value is an error at its line and column.

use std::path::{Path, PathBuf};
use std::time::Duration;

pub use crate::config::ExternalConfig;
use crate::diagnostics::{Diagnostic, Diagnostics, Kind, Location};
use crate::yaml::{self, Spanned};

/// The external check's settings, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExternalSettings {
    pub include: Vec<Pattern>,
    pub exclude: Vec<Pattern>,
    pub max_age: Duration,
    pub timeout: Duration,
    pub per_host: usize,
    pub retries: u32,
    pub anchors: bool,
    /// Relative to the site root unless absolute.
    pub cache: PathBuf,
    pub accept: Vec<u16>,
}

pub const DEFAULT_CACHE: &str = ".signpost-cache/external.json";

impl Default for ExternalSettings {
    fn default() -> Self {
        ExternalSettings {
            include: Vec::new(),
            exclude: Vec::new(),
            max_age: Duration::from_secs(24 * 3600),
            timeout: Duration::from_secs(20),
            per_host: 4,
            retries: 2,
            anchors: false,
            cache: PathBuf::from(DEFAULT_CACHE),
            accept: Vec::new(),
        }
    }
}

impl ExternalSettings {
    /// Validates what site.yaml says; every bad value is an error at its place.
    pub fn from_config(config: &ExternalConfig) -> Result<ExternalSettings, Diagnostics> {
        let mut settings = ExternalSettings::default();
        let mut problems = Diagnostics::default();
        let file = Path::new(crate::config::FILE_NAME);
        let at = |s: &dyn Fn() -> Option<Location>| s().unwrap_or_else(|| Location::new(file, 1, 1));
        let mut patterns = |list: &[Spanned<String>], into: &mut Vec<Pattern>, key: &str| {
            for written in list {
                match Pattern::parse(&written.value) {
                    Ok(p) => into.push(p),
                    Err(why) => problems.push(
                        Diagnostic::error(Kind::Config, format!("`{key}:` pattern `{}` {why}", written.value))
                            .at(at(&|| yaml::location_of(written, file, 1)))
                            .hint("write a host (`example.org`, `*.example.org`) or the start of a URL (`https://example.org/docs/`); * matches any characters"),
                    ),
                }
            }
        };
        patterns(&config.include, &mut settings.include, "include");
        patterns(&config.exclude, &mut settings.exclude, "exclude");
        for (key, written, into) in
            [("max_age", &config.max_age, &mut settings.max_age), ("timeout", &config.timeout, &mut settings.timeout)]
        {
            let Some(written) = written else { continue };
            match parse_duration(&written.value) {
                Ok(d) if key == "timeout" && d.is_zero() => problems.push(
                    Diagnostic::error(Kind::Config, "`timeout:` must be longer than 0 s")
                        .at(at(&|| yaml::location_of(written, file, 1)))
                        .hint("write `timeout: 20s`, for example"),
                ),
                Ok(d) => *into = d,
                Err(why) => problems.push(
                    Diagnostic::error(Kind::Config, format!("`{key}:` {why}"))
                        .at(at(&|| yaml::location_of(written, file, 1)))
                        .hint(format!("write `{key}: 12h`, for example (s, m, h or d; a number alone is seconds)")),
                ),
            }
        }
        if let Some(per_host) = &config.per_host {
            if per_host.value == 0 {
                problems.push(
                    Diagnostic::error(Kind::Config, "`per_host:` must be at least 1")
                        .at(at(&|| yaml::location_of(per_host, file, 1)))
                        .hint("write `per_host: 4`, for example: the requests one host gets at a time"),
                );
            }
            settings.per_host = per_host.value.max(1);
        }
        if let Some(retries) = &config.retries {
            settings.retries = retries.value;
        }
        settings.anchors = config.anchors.unwrap_or(false);
        if let Some(cache) = &config.cache {
            if cache.value.trim().is_empty() {
                problems.push(
                    Diagnostic::error(Kind::Config, "`cache:` is empty")
                        .at(at(&|| yaml::location_of(cache, file, 1)))
                        .hint(format!("name a file, such as `{DEFAULT_CACHE}` (relative to the site root)")),
                );
            }
            settings.cache = PathBuf::from(&cache.value);
        }
        for status in &config.accept {
            if !(100..=599).contains(&status.value) {
                problems.push(
                    Diagnostic::error(Kind::Config, format!("`accept:` {} is not an HTTP status", status.value))
                        .at(at(&|| yaml::location_of(status, file, 1)))
                        .hint("list statuses from 100 to 599, such as `accept: [403]`"),
                );
            }
            settings.accept.push(status.value);
        }
        if problems.is_empty() {
            Ok(settings)
        } else {
            Err(problems)
        }
    }

    /// Whether a URL is fetched: it matches an `include` pattern (or there are none) and
    /// no `exclude` pattern.
    pub fn wants(&self, url: &reqwest::Url) -> bool {
        (self.include.is_empty() || self.include.iter().any(|p| p.matches(url)))
            && !self.exclude.iter().any(|p| p.matches(url))
    }
}

/// `90`, `90s`, `15m`, `12h`, `7d`.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let digits = text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len());
    let (number, unit) = text.split_at(digits);
    let Ok(number) = number.parse::<u64>() else {
        return Err(format!("`{text}` is not a duration"));
    };
    let seconds = match unit.trim() {
        "" | "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 24 * 3600,
        other => return Err(format!("`{text}` has an unknown unit `{other}`")),
    };
    Ok(Duration::from_secs(number.saturating_mul(seconds)))
}

/// A duration as site.yaml would write it: `1d`, `90s`.
pub fn show_duration(d: Duration) -> String {
    let s = d.as_secs();
    match s {
        0 => "0s".to_string(),
        _ if s.is_multiple_of(24 * 3600) => format!("{}d", s / (24 * 3600)),
        _ if s.is_multiple_of(3600) => format!("{}h", s / 3600),
        _ if s.is_multiple_of(60) => format!("{}m", s / 60),
        _ => format!("{s}s"),
    }
}

/// A host (`example.org`, `*.example.org`) or the start of a URL
/// (`https://example.org/private/`); `*` matches any characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    glob: String,
    host: bool,
}

impl Pattern {
    pub fn parse(text: &str) -> Result<Pattern, &'static str> {
        let text = text.trim();
        if text.is_empty() {
            return Err("is empty");
        }
        if text.chars().any(char::is_whitespace) {
            return Err("holds a space");
        }
        if text.contains("://") {
            return Ok(Pattern { glob: text.to_string(), host: false });
        }
        if text.contains(['/', '?', '#']) {
            return Err("is neither a host nor a URL starting with a scheme (https://)");
        }
        Ok(Pattern { glob: text.to_ascii_lowercase(), host: true })
    }

    pub fn matches(&self, url: &reqwest::Url) -> bool {
        if self.host {
            url.host_str().is_some_and(|host| glob(&self.glob, &host.to_ascii_lowercase(), false))
        } else {
            let mut url = url.clone();
            url.set_fragment(None);
            glob(&self.glob, url.as_str(), true)
        }
    }
}

/// `*` matches any run of characters; with `prefix`, the pattern need only match the
/// start of `text`.
fn glob(pattern: &str, text: &str, prefix: bool) -> bool {
    let mut parts = pattern.split('*');
    let first = parts.next().unwrap_or("");
    let Some(mut rest) = text.strip_prefix(first) else { return false };
    let parts: Vec<&str> = parts.collect();
    for (i, part) in parts.iter().enumerate() {
        let last = i + 1 == parts.len();
        if last && !prefix {
            return rest.ends_with(part);
        }
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    prefix || rest.is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(text: &str) -> reqwest::Url {
        reqwest::Url::parse(text).unwrap()
    }

    #[test]
    fn patterns_match_hosts_and_url_starts() {
        let host = Pattern::parse("*.example.org").unwrap();
        assert!(host.matches(&url("https://docs.example.org/a")));
        assert!(!host.matches(&url("https://example.org/a")));
        let exact = Pattern::parse("Example.org").unwrap();
        assert!(exact.matches(&url("http://example.org/")));
        assert!(!exact.matches(&url("http://example.org.evil/")));
        let start = Pattern::parse("https://example.org/private/").unwrap();
        assert!(start.matches(&url("https://example.org/private/x.html#a")));
        assert!(!start.matches(&url("https://example.org/public/")));
        let middle = Pattern::parse("https://*/login").unwrap();
        assert!(middle.matches(&url("https://a.b/login?next=1")));
        assert!(Pattern::parse("example.org/x").is_err());
        assert!(Pattern::parse(" ").is_err());
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("90"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("7d"), Ok(Duration::from_secs(7 * 86400)));
        assert_eq!(parse_duration("12h"), Ok(Duration::from_secs(12 * 3600)));
        assert!(parse_duration("12 weeks").is_err());
        assert!(parse_duration("soon").is_err());
        assert_eq!(show_duration(Duration::from_secs(86400)), "1d");
        assert_eq!(show_duration(Duration::from_secs(90)), "90s");
    }

    #[test]
    fn include_then_exclude() {
        let settings = ExternalSettings {
            include: vec![Pattern::parse("*.nhs.uk").unwrap()],
            exclude: vec![Pattern::parse("https://digital.nhs.uk/private").unwrap()],
            ..ExternalSettings::default()
        };
        assert!(settings.wants(&url("https://digital.nhs.uk/developer")));
        assert!(!settings.wants(&url("https://digital.nhs.uk/private/x")));
        assert!(!settings.wants(&url("https://example.org/")));
    }
}
