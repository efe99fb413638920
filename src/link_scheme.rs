//! Links that would run script or carry a document of their own, judged as a browser
//! reads them: it drops leading and trailing control characters and spaces and every tab
//! and line break before it looks for the scheme, so `"\x01java\nscript:alert(1)"` is a
//! `javascript:` link (WHATWG URL Standard, "basic URL parser").

/// Why a link must not be written as it is, or `None` when it is safe.
pub(crate) fn refusal(href: &str, image: bool) -> Option<&'static str> {
    if href.chars().any(|c| c.is_control() || c == '\u{7f}') {
        return Some("a link cannot contain control characters");
    }
    match scheme(href).as_deref() {
        Some("javascript") | Some("vbscript") => Some("a link cannot run script"),
        Some("data") if !(image && data_image(href)) => Some("a link cannot carry a document of its own (`data:`)"),
        _ => None,
    }
}

/// The scheme, lower-cased, as a browser finds it; `None` for a relative link.
pub(crate) fn scheme(href: &str) -> Option<String> {
    let trimmed = href.trim_matches(|c: char| c <= ' ');
    let cleaned: String = trimmed.chars().filter(|c| !matches!(c, '\t' | '\n' | '\r')).collect();
    let (scheme, _) = cleaned.split_once(':')?;
    let mut chars = scheme.chars();
    let valid = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    valid.then(|| scheme.to_ascii_lowercase())
}

/// `data:image/png;...` and the like, which an `<img>` shows and never runs; SVG is left
/// out, as it may hold script when opened on its own.
fn data_image(href: &str) -> bool {
    let lower = href.trim().to_ascii_lowercase();
    lower.starts_with("data:image/") && !lower.starts_with("data:image/svg")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_is_found_however_it_is_disguised() {
        for href in [
            "javascript:alert(1)",
            " JavaScript:x",
            "java\tscript:x",
            "\u{1}javascript:x",
            "vbscript:msgbox",
            "java\nscript:x",
        ] {
            assert!(refusal(href, false).is_some(), "{href:?}");
        }
        assert_eq!(scheme("\u{1}javascript:alert(1)").as_deref(), Some("javascript"));
    }

    #[test]
    fn data_links_only_as_images() {
        assert!(refusal("data:text/html,<script>", false).is_some());
        assert!(refusal("data:image/png;base64,AAAA", false).is_some());
        assert!(refusal("data:image/png;base64,AAAA", true).is_none());
        assert!(refusal("data:image/svg+xml,<svg onload=x>", true).is_some());
    }

    #[test]
    fn ordinary_links_pass() {
        for href in ["https://x.org/a", "page.html#a", "#a", "mailto:a@b.org", "a:b/c.html", "../x.html", "tel:+44"] {
            assert!(refusal(href, false).is_none(), "{href}");
        }
    }
}
