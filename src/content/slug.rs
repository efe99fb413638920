//! Heading ids exactly as kramdown (GFM input, auto_ids) makes them, so deep links into
//! today's Jekyll portals keep working.

use rustc_hash::FxHashMap;

/// kramdown-GFM's id for a heading's text: lower-case; keep Unicode letters and digits,
/// underscore, hyphen, space and tab; drop everything else; each space or tab becomes a
/// hyphen (`## 1.<tab>Overview` is `1-overview`).
pub fn slugify(text: &str) -> String {
    if text.is_ascii() {
        // The same rules, byte by byte: most headings are ASCII, whose lower case is one
        // character and never a combining mark. Kept bytes move down in place.
        let mut out = text.as_bytes().to_vec();
        let mut kept = 0;
        for i in 0..out.len() {
            let b = ASCII_SLUG[usize::from(out[i])];
            if b != 0 {
                out[kept] = b;
                kept += 1;
            }
        }
        out.truncate(kept);
        return String::from_utf8(out).expect("ASCII bytes of ASCII text");
    }
    let mut out = String::with_capacity(text.len());
    for c in text.chars().flat_map(char::to_lowercase) {
        if c == ' ' || c == '\t' {
            out.push('-');
        } else if c.is_alphanumeric() || c == '_' || c == '-' || is_combining_mark(c) {
            out.push(c);
        }
    }
    out
}

/// What [`slugify`] makes of each ASCII byte: its lower case if a letter or digit, `_` and
/// `-` as they are, `-` for a space or a tab, 0 for a byte it drops.
const ASCII_SLUG: [u8; 256] = {
    let mut map = [0; 256];
    let mut b = 0u8;
    while b < 128 {
        map[b as usize] = match b {
            b' ' | b'\t' => b'-',
            b'_' | b'-' => b,
            _ if b.is_ascii_alphanumeric() => b.to_ascii_lowercase(),
            _ => 0,
        };
        b += 1;
    }
    map
};

/// kramdown keeps `\p{Word}`, which includes combining marks (as in decomposed accents).
fn is_combining_mark(c: char) -> bool {
    matches!(c as u32, 0x0300..=0x036F | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF | 0x20D0..=0x20FF | 0xFE20..=0xFE2F)
}

/// Hands out unique ids within one page: the second `x` is `x-1`, the third `x-2`.
#[derive(Debug, Default)]
pub struct IdSet {
    // Hashed by Fx, not SipHash: a page's own heading ids, a few short keys.
    counts: FxHashMap<String, usize>,
}

impl IdSet {
    /// The id for a heading with this text.
    pub fn unique(&mut self, base: String) -> String {
        match self.counts.get_mut(&base) {
            None => {
                self.counts.insert(base.clone(), 0);
                base
            }
            Some(n) => {
                *n += 1;
                format!("{base}-{n}")
            }
        }
    }

    /// Records an id written by hand (`{#id}`), so generated ones do not take it.
    pub fn reserve(&mut self, id: &str) {
        self.counts.entry(id.to_string()).or_insert(0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_issue_examples() {
        assert_eq!(slugify("Design, build and self test"), "design-build-and-self-test");
        assert_eq!(slugify("requested_scope claim"), "requested_scope-claim");
        assert_eq!(slugify("3.4 Format"), "34-format");
        assert_eq!(slugify("1.\tOverview"), "1-overview");
    }

    #[test]
    fn ascii_headings_slug_as_any_other() {
        // Every ASCII character, by the ASCII path and (with a letter beyond ASCII after
        // them) by the general one.
        let all: String = (0u8..128).map(char::from).collect();
        assert_eq!(slugify(&all) + "é", slugify(&(all + "é")));
    }

    #[test]
    fn unicode_letters_are_kept() {
        assert_eq!(slugify("Café Über"), "café-über");
        assert_eq!(slugify("Émission – 2"), "émission--2");
    }

    #[test]
    fn duplicates_are_numbered() {
        let mut ids = IdSet::default();
        assert_eq!(ids.unique(slugify("Overview")), "overview");
        assert_eq!(ids.unique(slugify("Overview")), "overview-1");
        assert_eq!(ids.unique(slugify("Overview")), "overview-2");
    }
}
