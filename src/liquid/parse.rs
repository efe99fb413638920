//! Tags into a tree of [`Node`]s, each keeping the byte offset of its tag.

use super::expr::{self, Condition, Expr, Filtered, Parser, Tok};
use super::lexer::{Lexer, Token};
use super::{Dialect, Error, Limits};

#[derive(Debug, Clone)]
pub(crate) enum Node {
    Text(String),
    Output {
        value: Filtered,
        offset: usize,
    },
    Assign {
        name: String,
        value: Filtered,
        offset: usize,
    },
    Capture {
        name: String,
        body: Vec<Node>,
        offset: usize,
    },
    Counter {
        name: String,
        step: i64,
        offset: usize,
    },
    If {
        branches: Vec<(Condition, Vec<Node>)>,
        otherwise: Option<Vec<Node>>,
        offset: usize,
    },
    Unless {
        condition: Condition,
        body: Vec<Node>,
        branches: Vec<(Condition, Vec<Node>)>,
        otherwise: Option<Vec<Node>>,
        offset: usize,
    },
    Case {
        subject: Expr,
        blocks: Vec<(Option<Vec<Expr>>, Vec<Node>)>,
        offset: usize,
    },
    For(Box<ForLoop>),
    Tablerow(Box<ForLoop>),
    Break,
    Continue,
    Cycle {
        group: Option<Expr>,
        key: String,
        values: Vec<Expr>,
        offset: usize,
    },
    IfChanged {
        body: Vec<Node>,
        offset: usize,
    },
    Include(Box<Include>),
    /// Jekyll's `{% highlight lang %}`: its body is rendered as Liquid, as Jekyll's
    /// `Highlight` block does, and the result becomes a code block.
    Highlight {
        lang: String,
        body: Vec<Node>,
        offset: usize,
    },
    /// A tag this engine does not run (a Jekyll plugin's): left as written.
    Verbatim(String),
}

#[derive(Debug, Clone)]
pub(crate) struct ForLoop {
    pub var: String,
    pub collection: Expr,
    /// `var-collection`, Liquid's key for `offset: continue`.
    pub key: String,
    pub reversed: bool,
    pub limit: Option<Expr>,
    /// `None`, a number, or `continue`.
    pub offset_expr: Option<Expr>,
    pub offset_continue: bool,
    pub cols: Option<Expr>,
    pub body: Vec<Node>,
    pub otherwise: Option<Vec<Node>>,
    pub offset: usize,
}

#[derive(Debug, Clone)]
pub(crate) struct Include {
    /// Liquid: an expression naming the partial. Jekyll: a name, which may hold `{{ }}`.
    pub name: IncludeName,
    pub with: Option<Expr>,
    pub for_each: bool,
    pub alias: Option<String>,
    pub params: Vec<(String, Expr)>,
    pub relative: bool,
    pub offset: usize,
    pub len: usize,
}

#[derive(Debug, Clone)]
pub(crate) enum IncludeName {
    Expr(Expr),
    Template(Vec<Node>),
}

pub(crate) struct TreeParser<'s> {
    lexer: Lexer<'s>,
    dialect: Dialect,
    limits: &'s Limits,
    depth: usize,
}

/// A tag that ends a block body: its name, its markup and its offset.
type EndTag<'s> = (&'s str, &'s str, usize);

/// How a block body ended: at the end of input, or at a tag the caller must handle.
struct Ended<'s> {
    tag: Option<EndTag<'s>>,
}

impl<'s> TreeParser<'s> {
    pub(crate) fn new(source: &'s str, dialect: Dialect, limits: &'s Limits) -> TreeParser<'s> {
        TreeParser { lexer: Lexer::new(source), dialect, limits, depth: 0 }
    }

    pub(crate) fn document(mut self) -> Result<Vec<Node>, Error> {
        let (nodes, ended) = self.body(&[])?;
        if let Some((name, _, offset)) = ended.tag {
            return Err(Error::syntax(format!("Unknown tag '{name}'"), offset));
        }
        Ok(nodes)
    }

    /// Nodes up to one of the tags in `stops` (or the end of input).
    fn body(&mut self, stops: &[&str]) -> Result<(Vec<Node>, Ended<'s>), Error> {
        let mut nodes = Vec::new();
        while let Some(token) = self.lexer.next_token()? {
            match token {
                Token::Text(text) => {
                    if !text.is_empty() {
                        nodes.push(Node::Text(text.to_string()));
                    }
                }
                Token::Output { markup, offset } => {
                    nodes.push(Node::Output { value: expr::filtered(markup), offset });
                }
                Token::Tag { name, markup, offset, len } => {
                    if stops.contains(&name) {
                        return Ok((nodes, Ended { tag: Some((name, markup, offset)) }));
                    }
                    if let Some(node) = self.tag(name, markup, offset, len)? {
                        nodes.push(node);
                    }
                }
            }
        }
        Ok((nodes, Ended { tag: None }))
    }

    fn block(&mut self, open: &str, offset: usize, stops: &[&str]) -> Result<(Vec<Node>, EndTag<'s>), Error> {
        self.depth += 1;
        if self.depth > self.limits.max_depth {
            return Err(Error::limit(
                format!("Nesting too deep: more than {} blocks inside one another", self.limits.max_depth),
                offset,
            ));
        }
        let (nodes, ended) = self.body(stops)?;
        self.depth -= 1;
        match ended.tag {
            Some(tag) => Ok((nodes, tag)),
            None => Err(Error::syntax(format!("'{open}' tag was never closed"), offset)),
        }
    }

    fn tag(&mut self, name: &'s str, markup: &'s str, offset: usize, len: usize) -> Result<Option<Node>, Error> {
        let node = self.tag_node(name, markup, offset, len)?;
        Ok(node.map(|mut node| {
            // As Liquid: a block whose bodies hold only whitespace and silent tags outputs nothing.
            if !matches!(node, Node::Text(_)) && is_blank(&node) {
                strip_whitespace(&mut node);
            }
            node
        }))
    }

    fn tag_node(&mut self, name: &'s str, markup: &'s str, offset: usize, len: usize) -> Result<Option<Node>, Error> {
        Ok(Some(match name {
            "assign" => {
                let Some((var, value)) = markup.split_once('=') else {
                    return Err(Error::syntax(
                        "Syntax Error in 'assign' - Valid syntax: assign [var] = [source]",
                        offset,
                    ));
                };
                let var = var.trim();
                if var.is_empty() {
                    return Err(Error::syntax(
                        "Syntax Error in 'assign' - Valid syntax: assign [var] = [source]",
                        offset,
                    ));
                }
                Node::Assign { name: var.to_string(), value: expr::filtered(value), offset }
            }
            "capture" => {
                let var = first_word(markup)
                    .ok_or_else(|| Error::syntax("Syntax Error in 'capture' - Valid syntax: capture [var]", offset))?;
                let (body, _) = self.block("capture", offset, &["endcapture"])?;
                Node::Capture { name: var, body, offset }
            }
            "increment" | "decrement" => Node::Counter {
                name: first_word(markup).unwrap_or_default(),
                step: if name == "increment" { 1 } else { -1 },
                offset,
            },
            "if" => self.if_tag(markup, offset)?,
            "unless" => {
                let condition = condition(markup, offset, "unless")?;
                let (body, mut end) = self.block("unless", offset, &["elsif", "else", "endunless"])?;
                let mut branches = Vec::new();
                let mut otherwise = None;
                loop {
                    match end.0 {
                        "elsif" => {
                            let c = condition_of(end.1, end.2, "elsif")?;
                            let (b, e) = self.block("unless", offset, &["elsif", "else", "endunless"])?;
                            branches.push((c, b));
                            end = e;
                        }
                        "else" => {
                            let (b, e) = self.block("unless", offset, &["endunless", "else", "elsif"])?;
                            otherwise.get_or_insert(b);
                            end = e;
                        }
                        _ => break,
                    }
                }
                Node::Unless { condition, body, branches, otherwise, offset }
            }
            "case" => self.case_tag(markup, offset)?,
            "for" | "tablerow" => {
                let mut parsed = for_markup(markup, name, offset)?;
                let end_name = if name == "for" { "endfor" } else { "endtablerow" };
                let stops: &[&str] = if name == "for" { &["else", "endfor"] } else { &["endtablerow"] };
                let (body, end) = self.block(name, offset, stops)?;
                parsed.body = body;
                if end.0 == "else" {
                    let (otherwise, _) = self.block(name, offset, &[end_name])?;
                    parsed.otherwise = Some(otherwise);
                }
                if name == "for" {
                    Node::For(Box::new(parsed))
                } else {
                    Node::Tablerow(Box::new(parsed))
                }
            }
            // Liquid 5's inline comment; harmless to accept.
            "#" => return Ok(None),
            "break" => Node::Break,
            "continue" => Node::Continue,
            "cycle" => cycle(markup, offset)?,
            "ifchanged" => {
                let (body, _) = self.block("ifchanged", offset, &["endifchanged"])?;
                Node::IfChanged { body, offset }
            }
            "raw" => match self.lexer.raw_until("raw", "endraw", false) {
                Some(text) => Node::Text(text.to_string()),
                None => return Err(Error::syntax("'raw' tag was never closed", offset)),
            },
            "comment" => match self.lexer.raw_until("comment", "endcomment", true) {
                Some(_) => return Ok(None),
                None => return Err(Error::syntax("'comment' tag was never closed", offset)),
            },
            "highlight" if self.dialect == Dialect::Jekyll => {
                let (body, _) = self.block("highlight", offset, &["endhighlight"])?;
                Node::Highlight { lang: markup.split_whitespace().next().unwrap_or("").to_string(), body, offset }
            }
            "include" => Node::Include(Box::new(self.include(markup, offset, len, false)?)),
            "include_relative" if self.dialect == Dialect::Jekyll => {
                Node::Include(Box::new(self.include(markup, offset, len, true)?))
            }
            _ if self.dialect == Dialect::Jekyll => Node::Verbatim(format!("{{% {name} {markup} %}}")),
            _ => return Err(Error::syntax(format!("Unknown tag '{name}'"), offset)),
        }))
    }

    fn if_tag(&mut self, markup: &str, offset: usize) -> Result<Node, Error> {
        let mut branches = vec![];
        let mut otherwise = None;
        let mut current = condition(markup, offset, "if")?;
        loop {
            let (body, end) = self.block("if", offset, &["elsif", "else", "endif"])?;
            match end.0 {
                "elsif" => {
                    branches.push((current, body));
                    current = condition_of(end.1, end.2, "elsif")?;
                }
                "else" => {
                    branches.push((current, body));
                    // Liquid ignores anything after a first `else` up to `endif`.
                    let (b, mut e) = self.block("if", offset, &["endif", "else", "elsif"])?;
                    otherwise = Some(b);
                    while e.0 != "endif" {
                        e = self.block("if", offset, &["endif", "else", "elsif"])?.1;
                    }
                    break;
                }
                _ => {
                    branches.push((current, body));
                    break;
                }
            }
        }
        Ok(Node::If { branches, otherwise, offset })
    }

    fn case_tag(&mut self, markup: &str, offset: usize) -> Result<Node, Error> {
        let subject = Parser::new(markup)
            .expr()
            .ok_or_else(|| Error::syntax("Syntax Error in 'case' - Valid syntax: case [condition]", offset))?;
        // Text before the first `when` is dropped.
        let (_, mut end) = self.block("case", offset, &["when", "else", "endcase"])?;
        let mut blocks = Vec::new();
        loop {
            match end.0 {
                "when" => {
                    let values = when_values(end.1);
                    let (body, e) = self.block("case", offset, &["when", "else", "endcase"])?;
                    blocks.push((Some(values), body));
                    end = e;
                }
                "else" => {
                    let (body, e) = self.block("case", offset, &["when", "else", "endcase"])?;
                    blocks.push((None, body));
                    end = e;
                }
                _ => break,
            }
        }
        Ok(Node::Case { subject, blocks, offset })
    }

    fn include(&mut self, markup: &str, offset: usize, len: usize, relative: bool) -> Result<Include, Error> {
        let mut include = Include {
            name: IncludeName::Expr(Expr::Literal(serde_json::Value::Null)),
            with: None,
            for_each: false,
            alias: None,
            params: vec![],
            relative,
            offset,
            len,
        };
        if self.dialect == Dialect::Jekyll {
            return jekyll_include(markup, include, self.limits);
        }
        let mut p = Parser::new(markup);
        include.name = IncludeName::Expr(p.expr().ok_or_else(|| {
            Error::syntax(
                "Syntax Error in 'include' - Valid syntax: include '[template]' (with|for) [object|collection]",
                offset,
            )
        })?);
        if p.eat_ident("with") || {
            let f = p.eat_ident("for");
            include.for_each = f;
            f
        } {
            include.with = p.expr();
        }
        if p.eat_ident("as") {
            if let Some(Tok::Ident(alias)) = p.next() {
                include.alias = Some(alias);
            }
        }
        loop {
            p.eat(&Tok::Comma);
            match (p.next(), p.peek()) {
                (Some(Tok::Ident(key)), Some(Tok::Colon)) => {
                    p.next();
                    if let Some(value) = p.expr() {
                        include.params.push((key, value));
                    }
                }
                (None, _) => break,
                _ => {}
            }
        }
        Ok(include)
    }
}

/// Jekyll's include: `NAME key="value" key=variable`, where NAME may hold `{{ }}`.
fn jekyll_include(markup: &str, mut include: Include, limits: &Limits) -> Result<Include, Error> {
    let offset = include.offset;
    let markup = markup.trim();
    let name_end = if markup.starts_with("{{") {
        markup.find("}}").map_or(markup.len(), |i| {
            let after = &markup[i + 2..];
            i + 2 + after.find(char::is_whitespace).unwrap_or(after.len())
        })
    } else {
        markup.find(char::is_whitespace).unwrap_or(markup.len())
    };
    let name = &markup[..name_end];
    if name.is_empty() {
        return Err(Error::syntax("the include names no file", offset));
    }
    let nodes = TreeParser::new(name, Dialect::Liquid, limits).document()?;
    include.name = IncludeName::Template(nodes);
    let mut rest = markup[name_end..].trim_start();
    while !rest.is_empty() {
        let Some(eq) = rest.find('=') else {
            return Err(Error::syntax(format!("include parameter `{rest}` has no `=value`"), offset));
        };
        let key = rest[..eq].trim();
        if key.is_empty() || key.contains(char::is_whitespace) {
            return Err(Error::syntax(format!("include parameter name `{key}` is not a single word"), offset));
        }
        let after = rest[eq + 1..].trim_start();
        let (value, remaining) = match after.chars().next() {
            Some(q @ ('"' | '\'')) => {
                let close = closing_quote(&after[1..], q)
                    .ok_or_else(|| Error::syntax(format!("the value of `{key}` has no closing {q}"), offset))?;
                let text = after[1..close + 1].replace(&format!("\\{q}"), &q.to_string());
                (Expr::Literal(serde_json::Value::String(text)), &after[close + 2..])
            }
            _ => {
                let end = after.find(char::is_whitespace).unwrap_or(after.len());
                (Parser::new(&after[..end]).expr().unwrap_or(Expr::Literal(serde_json::Value::Null)), &after[end..])
            }
        };
        include.params.push((key.to_string(), value));
        rest = remaining.trim_start();
    }
    Ok(include)
}

/// The byte index of the first `quote` in `text` not escaped by a backslash (also how
/// `content::includes` reads an include's quoted values).
pub(crate) fn closing_quote(text: &str, quote: char) -> Option<usize> {
    let mut escaped = false;
    for (i, c) in text.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            c if c == quote => return Some(i),
            _ => {}
        }
    }
    None
}

fn first_word(markup: &str) -> Option<String> {
    let word: String = markup
        .trim()
        .trim_matches(['"', '\''])
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '-')
        .collect();
    (!word.is_empty()).then_some(word)
}

fn condition(markup: &str, offset: usize, tag: &str) -> Result<Condition, Error> {
    condition_of(markup, offset, tag)
}

fn condition_of(markup: &str, offset: usize, tag: &str) -> Result<Condition, Error> {
    Parser::new(markup)
        .condition()
        .ok_or_else(|| Error::syntax(format!("Syntax Error in tag '{tag}' - Valid syntax: {tag} [expression]"), offset))
}

/// `when a, b or c`.
fn when_values(markup: &str) -> Vec<Expr> {
    let mut p = Parser::new(markup);
    let mut values = Vec::new();
    loop {
        match p.expr() {
            Some(e) => values.push(e),
            None => {
                if p.next().is_none() {
                    break;
                }
                continue;
            }
        }
        if !(p.eat(&Tok::Comma) || p.eat_ident("or")) {
            if p.at_end() {
                break;
            }
            p.next();
        }
    }
    values
}

fn for_markup(markup: &str, tag: &str, offset: usize) -> Result<ForLoop, Error> {
    let invalid =
        || Error::syntax(format!("Syntax Error in '{tag} loop' - Valid syntax: {tag} [item] in [collection]"), offset);
    let mut p = Parser::new(markup);
    let Some(Tok::Ident(var)) = p.next() else { return Err(invalid()) };
    if !p.eat_ident("in") {
        return Err(invalid());
    }
    let collection = p.expr().ok_or_else(invalid)?;
    let key = format!("{var}-{}", markup.split_whitespace().nth(2).unwrap_or(""));
    let mut parsed = ForLoop {
        var,
        collection,
        key,
        reversed: false,
        limit: None,
        offset_expr: None,
        offset_continue: false,
        cols: None,
        body: vec![],
        otherwise: None,
        offset,
    };
    while let Some(tok) = p.next() {
        match tok {
            Tok::Ident(w) if w == "reversed" => parsed.reversed = true,
            Tok::Ident(w) if p.peek() == Some(&Tok::Colon) => {
                p.next();
                if w == "offset" && p.eat_ident("continue") {
                    parsed.offset_continue = true;
                    continue;
                }
                let value = p.expr();
                match w.as_str() {
                    "limit" => parsed.limit = value,
                    "offset" => parsed.offset_expr = value,
                    "cols" => parsed.cols = value,
                    _ => {}
                }
            }
            _ => {}
        }
    }
    Ok(parsed)
}

fn cycle(markup: &str, offset: usize) -> Result<Node, Error> {
    let mut p = Parser::new(markup);
    let first = p.expr().ok_or_else(|| {
        Error::syntax("Syntax Error in 'cycle' - Valid syntax: cycle [name :] var [, var2, var3 ...]", offset)
    })?;
    let (group, mut values) = if p.eat(&Tok::Colon) { (Some(first), vec![]) } else { (None, vec![first]) };
    loop {
        p.eat(&Tok::Comma);
        match p.expr() {
            Some(e) => values.push(e),
            None => {
                if p.next().is_none() {
                    break;
                }
            }
        }
    }
    // Unnamed cycles share a counter when their values are the same literals; with a
    // variable among them each tag counts on its own, as in Ruby Liquid.
    let key = match &group {
        Some(_) => String::new(),
        None if values.iter().any(|v| matches!(v, Expr::Lookup(_))) => format!("{values:?}@{offset}"),
        None => format!("{values:?}"),
    };
    Ok(Node::Cycle { group, key, values, offset })
}

/// Liquid's `blank?`: only whitespace text and tags that output nothing.
fn is_blank(node: &Node) -> bool {
    let all = |nodes: &[Node]| nodes.iter().all(is_blank);
    match node {
        Node::Text(t) => t.trim().is_empty(),
        Node::Assign { .. } | Node::Capture { .. } => true,
        Node::If { branches, otherwise, .. } => {
            branches.iter().all(|(_, b)| all(b)) && otherwise.as_deref().is_none_or(all)
        }
        Node::Unless { body, branches, otherwise, .. } => {
            all(body) && branches.iter().all(|(_, b)| all(b)) && otherwise.as_deref().is_none_or(all)
        }
        Node::Case { blocks, .. } => blocks.iter().all(|(_, b)| all(b)),
        Node::For(l) => all(&l.body) && l.otherwise.as_deref().is_none_or(all),
        _ => false,
    }
}

fn strip_whitespace(node: &mut Node) {
    let strip = |nodes: &mut Vec<Node>| nodes.retain(|n| !matches!(n, Node::Text(_)));
    match node {
        Node::If { branches, otherwise, .. } => {
            branches.iter_mut().for_each(|(_, b)| strip(b));
            otherwise.iter_mut().for_each(strip);
        }
        Node::Unless { body, branches, otherwise, .. } => {
            strip(body);
            branches.iter_mut().for_each(|(_, b)| strip(b));
            otherwise.iter_mut().for_each(strip);
        }
        Node::Case { blocks, .. } => blocks.iter_mut().for_each(|(_, b)| strip(b)),
        Node::For(l) => {
            strip(&mut l.body);
            l.otherwise.iter_mut().for_each(strip);
        }
        _ => {}
    }
}
