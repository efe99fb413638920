//! A page's output path, validated once so nothing downstream re-checks it.

use std::fmt;

/// The longest file name most file systems take, in bytes; a folder index adds nothing,
/// as `index.html` is a name of its own.
const MAX_SEGMENT: usize = 255;

/// The path of a page inside the output folder, without a leading slash:
/// `assurance_overview.html`, `guide/index.html`. It never climbs out of the output.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
pub struct Permalink {
    /// Where the file is written: always names a file.
    file: String,
    /// How it is linked: `guide/` for a folder index written as `guide/`, else the file.
    url: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PermalinkError {
    #[error("permalink `{0}` climbs out of the output folder")]
    Climbs(String),
    #[error("permalink `{0}` holds a backslash")]
    Backslash(String),
    #[error("permalink `{0}` holds a NUL character")]
    Nul(String),
    #[error("permalink {0:?} holds a control character (a line break or tab)")]
    Control(String),
    #[error("permalink part `{0}` is {1} bytes long; file systems allow at most {MAX_SEGMENT}")]
    TooLong(String, usize),
    #[error("permalink is empty")]
    Empty,
}

impl Permalink {
    /// `x.html` and `/x.html` both mean the site root; `a/./b/../c.html` is `a/c.html`;
    /// `guide/` is written to `guide/index.html` and linked as `guide/`.
    pub fn parse(raw: &str) -> Result<Permalink, PermalinkError> {
        let raw_trimmed = raw.trim();
        if raw_trimmed.contains('\\') {
            return Err(PermalinkError::Backslash(raw.into()));
        }
        if raw_trimmed.contains('\0') {
            return Err(PermalinkError::Nul(raw.into()));
        }
        // A line break would make a file name with a line break in it, and a sitemap
        // entry split over two lines.
        if raw_trimmed.chars().any(char::is_control) {
            return Err(PermalinkError::Control(raw.into()));
        }
        let mut parts: Vec<&str> = Vec::new();
        for segment in raw_trimmed.split('/') {
            match segment {
                "" | "." => {}
                ".." => {
                    if parts.pop().is_none() {
                        return Err(PermalinkError::Climbs(raw.into()));
                    }
                }
                s => parts.push(s),
            }
        }
        let is_dir = raw_trimmed.ends_with('/') || raw_trimmed.ends_with("/.") || parts.is_empty();
        if parts.is_empty() && !raw_trimmed.starts_with('/') && raw_trimmed.is_empty() {
            return Err(PermalinkError::Empty);
        }
        if let Some(long) = parts.iter().find(|p| p.len() > MAX_SEGMENT) {
            let shown: String = long.chars().take(40).collect();
            return Err(PermalinkError::TooLong(format!("{shown}..."), long.len()));
        }
        let joined = parts.join("/");
        Ok(if is_dir {
            let file = if joined.is_empty() { "index.html".to_string() } else { format!("{joined}/index.html") };
            let url = if joined.is_empty() { String::new() } else { format!("{joined}/") };
            Permalink { file, url }
        } else {
            Permalink { file: joined.clone(), url: joined }
        })
    }

    /// The permalink a page gets from its file path: `guide/setup.md` -> `guide/setup.html`.
    pub fn from_source_path(relative: &str) -> Permalink {
        let stem = relative.rsplit_once('.').map_or(relative, |(s, _)| s);
        let file = format!("{stem}.html");
        Permalink { url: file.clone(), file }
    }

    /// The same permalink under a folder: `booking/` + `x.html`.
    pub fn under(&self, prefix: &str) -> Permalink {
        let prefix = prefix.trim_matches('/');
        if prefix.is_empty() {
            return self.clone();
        }
        let url = if self.url.is_empty() { format!("{prefix}/") } else { format!("{prefix}/{}", self.url) };
        Permalink { file: format!("{prefix}/{}", self.file), url }
    }

    /// Output file path, relative to the output folder.
    pub fn file(&self) -> &str {
        &self.file
    }

    /// Link path relative to the site root (no leading slash; empty for the home page).
    pub fn url(&self) -> &str {
        &self.url
    }
}

impl fmt::Display for Permalink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.url)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_forms_agree() {
        assert_eq!(Permalink::parse("x.html").unwrap(), Permalink::parse("/x.html").unwrap());
        assert_eq!(Permalink::parse("/x.html").unwrap().file(), "x.html");
    }

    #[test]
    fn folders_get_an_index() {
        let p = Permalink::parse("/guide/").unwrap();
        assert_eq!(p.file(), "guide/index.html");
        assert_eq!(p.url(), "guide/");
        assert_eq!(Permalink::parse("/").unwrap().file(), "index.html");
    }

    #[test]
    fn dots_resolve_inside() {
        assert_eq!(Permalink::parse("a/./b/../c.html").unwrap().file(), "a/c.html");
    }

    #[test]
    fn climbing_out_is_refused() {
        assert!(matches!(Permalink::parse("../x.html"), Err(PermalinkError::Climbs(_))));
        assert!(matches!(Permalink::parse("a/../../x"), Err(PermalinkError::Climbs(_))));
        assert!(matches!(Permalink::parse("a\\b.html"), Err(PermalinkError::Backslash(_))));
        assert!(matches!(Permalink::parse("a\0b.html"), Err(PermalinkError::Nul(_))));
        assert!(matches!(Permalink::parse("a\nb.html"), Err(PermalinkError::Control(_))));
        assert!(matches!(Permalink::parse(&"x".repeat(300)), Err(PermalinkError::TooLong(_, 300))));
        assert!(Permalink::parse(&format!("{}/{}", "x".repeat(200), "y".repeat(200))).is_ok());
    }

    #[test]
    fn under_a_service() {
        let p = Permalink::parse("x.html").unwrap().under("nrls");
        assert_eq!((p.file(), p.url()), ("nrls/x.html", "nrls/x.html"));
        let home = Permalink::parse("/").unwrap().under("nrls");
        assert_eq!((home.file(), home.url()), ("nrls/index.html", "nrls/"));
    }
}
