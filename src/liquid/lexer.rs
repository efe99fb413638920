//! Splits a template into text, `{{ output }}` and `{% tag %}` tokens, keeping the byte
//! offset of each, and applies whitespace control (`{{-`, `-%}`) as Liquid does.

use super::Error;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Token<'s> {
    Text(&'s str),
    /// The markup inside `{{ }}`.
    Output {
        markup: &'s str,
        offset: usize,
    },
    /// `{% name markup %}`; `len` is the length of the whole tag.
    Tag {
        name: &'s str,
        markup: &'s str,
        offset: usize,
        len: usize,
    },
}

const WHITESPACE: &[char] = &[' ', '\t', '\n', '\r', '\x0b', '\x0c'];

/// Liquid's tokenizer: lazy, so `raw` and `comment` can take their bodies as plain text.
pub(crate) struct Lexer<'s> {
    source: &'s str,
    pos: usize,
    /// The previous tag ended with `-%}` / `-}}`: strip leading whitespace of the next text.
    trim_next: bool,
    /// A token read ahead (the tag after a text, when that tag trims the text before it).
    pending: Option<Token<'s>>,
}

impl<'s> Lexer<'s> {
    pub(crate) fn new(source: &'s str) -> Lexer<'s> {
        Lexer { source, pos: 0, trim_next: false, pending: None }
    }

    pub(crate) fn next_token(&mut self) -> Result<Option<Token<'s>>, Error> {
        if let Some(token) = self.pending.take() {
            return Ok(Some(token));
        }
        if self.pos >= self.source.len() {
            return Ok(None);
        }
        let rest = &self.source[self.pos..];
        let Some(found) = find_open(rest) else {
            let text = self.take_text(self.source.len(), false);
            return Ok(Some(Token::Text(text)));
        };
        let start = self.pos + found;
        if found > 0 {
            // Read the tag first: its `{%-` trims this text.
            let save = self.pos;
            let trim_next = self.trim_next;
            self.pos = start;
            let tag = self.read_tag()?;
            let trims = self.source.as_bytes().get(start + 2) == Some(&b'-');
            let after = self.pos;
            let after_trim = self.trim_next;
            self.pos = save;
            self.trim_next = trim_next;
            let text = self.take_text(start, trims);
            self.pos = after;
            self.trim_next = after_trim;
            self.pending = Some(tag);
            return Ok(Some(Token::Text(text)));
        }
        self.read_tag().map(Some)
    }

    fn take_text(&mut self, end: usize, trim_end: bool) -> &'s str {
        let mut text = &self.source[self.pos..end];
        if std::mem::take(&mut self.trim_next) {
            text = text.trim_start_matches(WHITESPACE);
        }
        if trim_end {
            text = text.trim_end_matches(WHITESPACE);
        }
        self.pos = end;
        text
    }

    /// The tag or output at `self.pos`.
    fn read_tag(&mut self) -> Result<Token<'s>, Error> {
        let start = self.pos;
        let bytes = self.source.as_bytes();
        let rest = &self.source[start..];
        if bytes[start + 1] == b'{' {
            // `{{ ... }}`: Liquid 4 ends the token at the first `}`, which must be doubled.
            let Some(close) = rest[2..].find('}').map(|i| i + 2) else {
                return Err(Error::syntax("Variable '{{' was not properly terminated with regexp: /\\}\\}/", start));
            };
            if rest.as_bytes().get(close + 1) != Some(&b'}') {
                return Err(Error::syntax(
                    format!("Variable '{}' was not properly terminated with regexp: /\\}}\\}}/", &rest[..close + 1]),
                    start,
                ));
            }
            let mut inner = &rest[2..close];
            if let Some(s) = inner.strip_prefix('-') {
                inner = s;
            }
            self.trim_next = inner.ends_with('-');
            if let Some(s) = inner.strip_suffix('-') {
                inner = s;
            }
            self.pos = start + close + 2;
            return Ok(Token::Output { markup: inner.trim(), offset: start });
        }
        let Some(close) = rest[2..].find("%}").map(|i| i + 2) else {
            return Err(Error::syntax("Tag '{%' was not properly terminated with regexp: /\\%\\}/", start));
        };
        let mut inner = &rest[2..close];
        if let Some(s) = inner.strip_prefix('-') {
            inner = s;
        }
        self.trim_next = inner.ends_with('-');
        if let Some(s) = inner.strip_suffix('-') {
            inner = s;
        }
        let inner = inner.trim_start_matches(WHITESPACE);
        let name_len = inner.find(|c: char| !(c.is_alphanumeric() || c == '_')).unwrap_or(inner.len());
        if name_len == 0 && !inner.starts_with('#') {
            return Err(Error::syntax(
                format!("Tag '{}' was not properly terminated with regexp: /\\%\\}}/", &rest[..close + 2]),
                start,
            ));
        }
        let (name, markup) = if name_len == 0 { inner.split_at(1) } else { inner.split_at(name_len) };
        self.pos = start + close + 2;
        Ok(Token::Tag { name, markup: markup.trim(), offset: start, len: close + 2 })
    }

    /// The raw text up to the `{% END %}` closing a `raw` or `comment` (counting nested
    /// `{% OPEN %}` when `nests`), and that closing tag; `None` when it never closes.
    pub(crate) fn raw_until(&mut self, open: &str, end: &str, nests: bool) -> Option<&'s str> {
        debug_assert!(self.pending.is_none());
        let mut depth = 0usize;
        let mut search = self.pos;
        // Every `{%` is a candidate, even inside an unclosed one, as Ruby's regexp sees it.
        while let Some(found) = self.source[search..].find("{%") {
            let at = search + found;
            search = at + 2;
            let inner = self.source[at + 2..].trim_start_matches('-').trim_start_matches(WHITESPACE);
            let name_len = inner.find(|c: char| !(c.is_alphanumeric() || c == '_')).unwrap_or(inner.len());
            let name = &inner[..name_len];
            if name != end && !(nests && name == open) {
                continue;
            }
            let after = inner[name_len..].trim_start_matches(WHITESPACE);
            let close = self.source[at + 2..].find("%}").map(|i| at + 2 + i)?;
            if nests && name == open {
                depth += 1;
                continue;
            }
            if !(after.starts_with("%}") || after.starts_with("-%}")) {
                continue;
            }
            if depth > 0 {
                depth -= 1;
                continue;
            }
            let mut body = &self.source[self.pos..at];
            if std::mem::take(&mut self.trim_next) {
                body = body.trim_start_matches(WHITESPACE);
            }
            if self.source.as_bytes().get(at + 2) == Some(&b'-') {
                body = body.trim_end_matches(WHITESPACE);
            }
            self.trim_next = self.source[..close].ends_with('-');
            self.pos = close + 2;
            return Some(body);
        }
        None
    }
}

fn find_open(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    memchr_brace(bytes)
}

fn memchr_brace(bytes: &[u8]) -> Option<usize> {
    let mut i = 0;
    while i + 1 < bytes.len() {
        if bytes[i] == b'{' && (bytes[i + 1] == b'{' || bytes[i + 1] == b'%') {
            return Some(i);
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(source: &str) -> Vec<Token<'_>> {
        let mut lexer = Lexer::new(source);
        let mut out = Vec::new();
        while let Some(t) = lexer.next_token().unwrap() {
            out.push(t);
        }
        out
    }

    #[test]
    fn whitespace_control_trims_neighbouring_text() {
        let t = tokens("a  {%- if x -%}\n b {{- y }}");
        assert_eq!(t[0], Token::Text("a"));
        assert!(matches!(t[1], Token::Tag { name: "if", markup: "x", offset: 3, .. }));
        assert_eq!(t[2], Token::Text("b"));
        assert!(matches!(t[3], Token::Output { markup: "y", .. }));
    }

    #[test]
    fn unterminated_tags_are_errors_not_panics() {
        for bad in ["{%}", "{%", "x {{", "{{ a }", "{% %}", "{%-%}"] {
            let mut lexer = Lexer::new(bad);
            let mut failed = false;
            for _ in 0..10 {
                match lexer.next_token() {
                    Err(_) => {
                        failed = true;
                        break;
                    }
                    Ok(None) => break,
                    Ok(Some(_)) => {}
                }
            }
            assert!(failed, "{bad}");
        }
    }
}
