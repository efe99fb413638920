//! Liquid expressions, parsed leniently as Ruby Liquid's lax mode does: literals, ranges,
//! variable lookups (`a.b[0]["c"]`), filter chains and `and`/`or` conditions. Text that
//! fits no rule is skipped, as Liquid 4 skips it.

use serde_json::Value;

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Expr {
    Literal(Value),
    /// `blank` and `empty`, which compare specially.
    Blank,
    Empty,
    Range(Box<Expr>, Box<Expr>),
    Lookup(Lookup),
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Lookup {
    /// The first name, or a bracketed expression (`[key]`).
    pub root: Key,
    pub path: Vec<Key>,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Key {
    Name(String),
    Index(Box<Expr>),
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct FilterCall {
    pub name: String,
    pub args: Vec<Expr>,
    pub keywords: Vec<(String, Expr)>,
}

/// An expression and the filters applied to it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Filtered {
    pub expr: Expr,
    pub filters: Vec<FilterCall>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    Eq,
    Ne,
    Lt,
    Gt,
    Le,
    Ge,
    Contains,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Condition {
    /// `a`, or `a OP b`; an unknown operator is kept to fail when evaluated, as Liquid does.
    Compare(Expr, Option<(Result<Op, String>, Expr)>),
    And(Box<Condition>, Box<Condition>),
    Or(Box<Condition>, Box<Condition>),
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Tok {
    Ident(String),
    Str(String),
    Int(i64),
    Float(f64),
    Dot,
    DotDot,
    LBracket,
    RBracket,
    LParen,
    RParen,
    Pipe,
    Colon,
    Comma,
    Compare(String),
    Other(char),
}

pub(crate) fn tokenize(markup: &str) -> Vec<Tok> {
    let chars: Vec<char> = markup.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            c if c.is_whitespace() => i += 1,
            '\'' | '"' => {
                let close = chars[i + 1..].iter().position(|&d| d == c);
                match close {
                    Some(n) => {
                        out.push(Tok::Str(chars[i + 1..i + 1 + n].iter().collect()));
                        i += n + 2;
                    }
                    None => {
                        // An unclosed quote: Liquid's lax regexes see nothing there.
                        out.push(Tok::Other(c));
                        i += 1;
                    }
                }
            }
            '.' if chars.get(i + 1) == Some(&'.') => {
                out.push(Tok::DotDot);
                i += 2;
            }
            '.' => {
                out.push(Tok::Dot);
                i += 1;
            }
            '[' => {
                out.push(Tok::LBracket);
                i += 1;
            }
            ']' => {
                out.push(Tok::RBracket);
                i += 1;
            }
            '(' => {
                out.push(Tok::LParen);
                i += 1;
            }
            ')' => {
                out.push(Tok::RParen);
                i += 1;
            }
            '|' => {
                out.push(Tok::Pipe);
                i += 1;
            }
            ':' => {
                out.push(Tok::Colon);
                i += 1;
            }
            ',' => {
                out.push(Tok::Comma);
                i += 1;
            }
            '=' | '!' | '<' | '>' => {
                let mut j = i;
                while j < chars.len() && matches!(chars[j], '=' | '!' | '<' | '>') {
                    j += 1;
                }
                out.push(Tok::Compare(chars[i..j].iter().collect()));
                i = j;
            }
            c if c.is_ascii_digit() && {
                // `123foo` is a name in lax Liquid.
                let end = chars[i..].iter().position(|d| !d.is_ascii_digit()).map_or(chars.len(), |n| i + n);
                chars.get(end).is_some_and(|d| d.is_alphabetic() || *d == '_')
            } =>
            {
                let mut j = i + 1;
                while j < chars.len() && (chars[j].is_alphanumeric() || chars[j] == '_' || chars[j] == '-') {
                    j += 1;
                }
                out.push(Tok::Ident(chars[i..j].iter().collect()));
                i = j;
            }
            c if c.is_ascii_digit() || (c == '-' && chars.get(i + 1).is_some_and(|d| d.is_ascii_digit())) => {
                let mut j = i + 1;
                while j < chars.len() && chars[j].is_ascii_digit() {
                    j += 1;
                }
                let mut float = false;
                if chars.get(j) == Some(&'.') && chars.get(j + 1).is_some_and(|d| d.is_ascii_digit()) {
                    float = true;
                    j += 1;
                    while j < chars.len() && (chars[j].is_ascii_digit() || chars[j] == '.') {
                        if chars[j] == '.' && chars.get(j + 1) == Some(&'.') {
                            break;
                        }
                        j += 1;
                    }
                }
                let text: String = chars[i..j].iter().collect();
                if float {
                    // `1.2.3` reads as its leading number, as Ruby's `to_f` would.
                    let head: String = text.splitn(3, '.').take(2).collect::<Vec<_>>().join(".");
                    out.push(Tok::Float(head.parse().unwrap_or(0.0)));
                } else {
                    match text.parse::<i64>() {
                        Ok(n) => out.push(Tok::Int(n)),
                        Err(_) => out.push(Tok::Float(text.parse().unwrap_or(0.0))),
                    }
                }
                i = j;
            }
            c if c.is_alphanumeric() || c == '_' => {
                let mut j = i + 1;
                while j < chars.len() && (chars[j].is_alphanumeric() || chars[j] == '_' || chars[j] == '-') {
                    j += 1;
                }
                if chars.get(j) == Some(&'?') {
                    j += 1;
                }
                out.push(Tok::Ident(chars[i..j].iter().collect()));
                i = j;
            }
            c => {
                out.push(Tok::Other(c));
                i += 1;
            }
        }
    }
    out
}

/// A cursor over tokens.
pub(crate) struct Parser {
    toks: Vec<Tok>,
    pos: usize,
    depth: usize,
}

const MAX_EXPRESSION_DEPTH: usize = 50;

impl Parser {
    pub(crate) fn new(markup: &str) -> Parser {
        Parser { toks: tokenize(markup), pos: 0, depth: 0 }
    }

    pub(crate) fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos)
    }

    fn peek_at(&self, n: usize) -> Option<&Tok> {
        self.toks.get(self.pos + n)
    }

    pub(crate) fn next(&mut self) -> Option<Tok> {
        let t = self.toks.get(self.pos).cloned();
        if t.is_some() {
            self.pos += 1;
        }
        t
    }

    pub(crate) fn at_end(&self) -> bool {
        self.pos >= self.toks.len()
    }

    pub(crate) fn eat(&mut self, tok: &Tok) -> bool {
        if self.peek() == Some(tok) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    pub(crate) fn eat_ident(&mut self, word: &str) -> bool {
        if matches!(self.peek(), Some(Tok::Ident(w)) if w == word) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    /// One expression, or `None` when the next token cannot start one.
    pub(crate) fn expr(&mut self) -> Option<Expr> {
        match self.peek()? {
            Tok::Str(s) => {
                let s = s.clone();
                self.pos += 1;
                Some(Expr::Literal(Value::String(s)))
            }
            Tok::Int(n) => {
                let n = *n;
                self.pos += 1;
                Some(Expr::Literal(Value::from(n)))
            }
            Tok::Float(f) => {
                let f = *f;
                self.pos += 1;
                Some(Expr::Literal(serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)))
            }
            Tok::LParen => {
                // `(a..b)`
                if self.depth >= MAX_EXPRESSION_DEPTH {
                    return None;
                }
                let save = self.pos;
                self.pos += 1;
                self.depth += 1;
                let start = self.expr();
                let range = match start {
                    Some(start) if self.eat(&Tok::DotDot) => {
                        while self.eat(&Tok::Dot) {}
                        self.expr().map(|end| Expr::Range(Box::new(start), Box::new(end)))
                    }
                    _ => None,
                };
                self.depth -= 1;
                match range {
                    Some(r) => {
                        self.eat(&Tok::RParen);
                        Some(r)
                    }
                    None => {
                        self.pos = save;
                        None
                    }
                }
            }
            Tok::Ident(word) => {
                let word = word.clone();
                let literal = match word.as_str() {
                    "nil" | "null" => Some(Expr::Literal(Value::Null)),
                    "true" => Some(Expr::Literal(Value::Bool(true))),
                    "false" => Some(Expr::Literal(Value::Bool(false))),
                    "blank" => Some(Expr::Blank),
                    "empty" => Some(Expr::Empty),
                    _ => None,
                };
                self.pos += 1;
                // `empty.size` and the like are lookups, not literals.
                if let Some(literal) = literal {
                    if !matches!(self.peek(), Some(Tok::Dot | Tok::LBracket)) {
                        return Some(literal);
                    }
                }
                let path = self.path()?;
                Some(Expr::Lookup(Lookup { root: Key::Name(word), path }))
            }
            Tok::LBracket => {
                if self.depth >= MAX_EXPRESSION_DEPTH {
                    return None;
                }
                self.pos += 1;
                self.depth += 1;
                let key = self.expr();
                self.depth -= 1;
                let key = key?;
                self.eat(&Tok::RBracket);
                let path = self.path()?;
                Some(Expr::Lookup(Lookup { root: Key::Index(Box::new(key)), path }))
            }
            _ => None,
        }
    }

    fn path(&mut self) -> Option<Vec<Key>> {
        let mut path = Vec::new();
        loop {
            match self.peek() {
                Some(Tok::Dot) => match self.peek_at(1) {
                    Some(Tok::Ident(name)) => {
                        path.push(Key::Name(name.clone()));
                        self.pos += 2;
                    }
                    Some(Tok::Int(n)) => {
                        // `a.0`
                        path.push(Key::Index(Box::new(Expr::Literal(Value::from(*n)))));
                        self.pos += 2;
                    }
                    _ => {
                        self.pos += 1;
                    }
                },
                Some(Tok::LBracket) => {
                    if self.depth >= MAX_EXPRESSION_DEPTH {
                        return None;
                    }
                    self.pos += 1;
                    self.depth += 1;
                    let key = self.expr();
                    self.depth -= 1;
                    if let Some(key) = key {
                        path.push(Key::Index(Box::new(key)));
                    }
                    self.eat(&Tok::RBracket);
                }
                // `a.b.` and `a[0].`: a float token after an identifier means `.digits`.
                _ => return Some(path),
            }
        }
    }

    /// Filters after the expression: `| name: arg, key: value | other`.
    pub(crate) fn filters(&mut self) -> Vec<FilterCall> {
        let mut filters = Vec::new();
        // Lax: anything before the first `|` that is not an expression is ignored.
        while !self.at_end() && self.peek() != Some(&Tok::Pipe) {
            self.pos += 1;
        }
        while self.eat(&Tok::Pipe) {
            let Some(Tok::Ident(name)) = self.peek().cloned() else { continue };
            self.pos += 1;
            let mut call = FilterCall { name, args: Vec::new(), keywords: Vec::new() };
            if self.eat(&Tok::Colon) {
                loop {
                    if let (Some(Tok::Ident(key)), Some(Tok::Colon)) = (self.peek().cloned(), self.peek_at(1)) {
                        self.pos += 2;
                        if let Some(value) = self.expr() {
                            call.keywords.push((key, value));
                        }
                    } else if let Some(arg) = self.expr() {
                        call.args.push(arg);
                    } else if self.peek().is_some_and(|t| !matches!(t, Tok::Pipe | Tok::Comma)) {
                        self.pos += 1;
                        continue;
                    }
                    if !self.eat(&Tok::Comma) {
                        break;
                    }
                }
            }
            while !self.at_end() && self.peek() != Some(&Tok::Pipe) {
                self.pos += 1;
            }
            filters.push(call);
        }
        filters
    }

    /// `a == b and c or d`: `and`/`or` bind from the right, as in Liquid.
    pub(crate) fn condition(&mut self) -> Option<Condition> {
        let left = self.comparison()?;
        if self.eat_ident("and") {
            let right = self.condition()?;
            return Some(Condition::And(Box::new(left), Box::new(right)));
        }
        if self.eat_ident("or") {
            let right = self.condition()?;
            return Some(Condition::Or(Box::new(left), Box::new(right)));
        }
        Some(left)
    }

    fn comparison(&mut self) -> Option<Condition> {
        // Lax: parentheses that are not a range are ignored.
        while self.peek() == Some(&Tok::LParen) {
            let save = self.pos;
            if self.expr().is_some() {
                self.pos = save;
                break;
            }
            self.pos = save + 1;
        }
        let left = self.expr()?;
        while self.eat(&Tok::RParen) {}
        let op = match self.peek() {
            Some(Tok::Compare(op)) => {
                let op = op.clone();
                self.pos += 1;
                Some(match op.as_str() {
                    "==" => Ok(Op::Eq),
                    "!=" | "<>" => Ok(Op::Ne),
                    "<" => Ok(Op::Lt),
                    ">" => Ok(Op::Gt),
                    "<=" => Ok(Op::Le),
                    ">=" => Ok(Op::Ge),
                    _ => Err(op),
                })
            }
            Some(Tok::Ident(w)) if w == "contains" => {
                self.pos += 1;
                Some(Ok(Op::Contains))
            }
            Some(Tok::Ident(w)) if w != "and" && w != "or" => {
                let w = w.clone();
                self.pos += 1;
                Some(Err(w))
            }
            _ => None,
        };
        match op {
            None => Some(Condition::Compare(left, None)),
            Some(op) => {
                while self.peek() == Some(&Tok::LParen) {
                    let save = self.pos;
                    if self.expr().is_some() {
                        self.pos = save;
                        break;
                    }
                    self.pos = save + 1;
                }
                let right = self.expr().unwrap_or(Expr::Literal(Value::Null));
                while self.eat(&Tok::RParen) {}
                Some(Condition::Compare(left, Some((op, right))))
            }
        }
    }
}

/// `{{ markup }}` and `assign x = markup`: an expression and its filters (lax).
pub(crate) fn filtered(markup: &str) -> Filtered {
    let mut p = Parser::new(markup);
    let expr = p.expr().unwrap_or(Expr::Literal(Value::Null));
    let filters = p.filters();
    Filtered { expr, filters }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookups_and_filters() {
        let f = filtered("a.b[0]['c d'] | append: 'x', y: 2 | size");
        let Expr::Lookup(l) = &f.expr else { panic!() };
        assert_eq!(l.path.len(), 3);
        assert_eq!(f.filters.len(), 2);
        assert_eq!(f.filters[0].keywords[0].0, "y");
    }

    #[test]
    fn conditions_bind_right() {
        let c = Parser::new("a and b or c").condition().unwrap();
        assert!(matches!(c, Condition::And(_, r) if matches!(*r, Condition::Or(..))));
    }

    #[test]
    fn deep_brackets_do_not_overflow() {
        let markup = "[".repeat(100_000);
        let _ = filtered(&markup);
        let markup = "(".repeat(100_000);
        let _ = filtered(&markup);
    }
}
