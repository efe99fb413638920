//! A page's Markdown headings and their ids (as kramdown makes them), found by reading
//! lines, outside fenced code: what `import` and the draw.io converter match stage links
//! and titles against, before any rendering.

use crate::content::slug::{slugify, IdSet};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heading {
    pub level: u8,
    pub id: String,
    pub title: String,
    /// 1-based line in the text scanned.
    pub line: usize,
}

/// ATX headings (`## Title`, `## Title ##`, `## Title {#id}`) with kramdown's ids.
pub fn headings(markdown: &str) -> Vec<Heading> {
    let mut ids = IdSet::default();
    let mut found = Vec::new();
    let mut fence: Option<&str> = None;
    for (i, line) in markdown.lines().enumerate() {
        let trimmed = line.trim_start();
        for marker in ["```", "~~~"] {
            if trimmed.starts_with(marker) {
                fence = match fence {
                    Some(open) if open == marker => None,
                    None => Some(marker),
                    other => other,
                };
            }
        }
        if fence.is_some() || line.starts_with("    ") {
            continue;
        }
        let level = trimmed.chars().take_while(|&c| c == '#').count();
        if !(1..=6).contains(&level) {
            continue;
        }
        let rest = &trimmed[level..];
        if !rest.is_empty() && !rest.starts_with([' ', '\t']) {
            continue;
        }
        let mut title = rest.trim().trim_end_matches('#').trim().to_string();
        let mut explicit = None;
        if let Some(open) = title.rfind("{#") {
            if title.ends_with('}') {
                explicit = title[open + 2..title.len() - 1].split_whitespace().next().map(str::to_string);
                title = title[..open].trim().to_string();
            }
        }
        let plain = crate::escape::plain_text(&title);
        let id = match explicit {
            Some(id) => {
                ids.reserve(&id);
                id
            }
            None => ids.unique(slugify(&plain)),
        };
        found.push(Heading { level: level as u8, id, title: plain, line: i + 1 });
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_as_kramdown_makes_them() {
        let h = headings("# Top\n\n## Design, build and self test ##\n```\n# not\n```\n## Top\n### Own {#mine}\n");
        let ids: Vec<&str> = h.iter().map(|h| h.id.as_str()).collect();
        assert_eq!(ids, ["top", "design-build-and-self-test", "top-1", "mine"]);
        assert_eq!(h[1].title, "Design, build and self test");
        assert_eq!(h[3].line, 8);
    }
}
