//! Renders a parsed template over borrowed values: a variable read from `site` is a
//! reference into the caller's tree, never a copy of it.

use std::borrow::Cow;
use std::collections::HashMap;
use std::rc::Rc;

use serde_json::{Map, Value};

use super::expr::{Condition, Expr, Filtered, Key, Lookup, Op};
use super::parse::{ForLoop, Include, IncludeName, Node, TreeParser};
use super::value::{self, equal, is_blank, is_empty, property, truthy, Num, Prop};
use super::{Dialect, Error, ErrorKind, Globals, Host, IncludeRequest, Included, Options};

/// What one value of an array takes in memory at least, counted against `max_output`.
const ELEMENT_SIZE: usize = std::mem::size_of::<Value>();

type Scope<'g> = HashMap<String, Cow<'g, Value>>;

/// What a body asks of the loop around it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Flow {
    Normal,
    Break,
    Continue,
}

pub(crate) struct Renderer<'g, 'h> {
    pub(crate) globals: &'h Globals<'g>,
    scopes: Vec<Scope<'g>>,
    counters: HashMap<String, i64>,
    cycles: HashMap<String, usize>,
    for_offsets: HashMap<String, usize>,
    ifchanged: Option<String>,
    forloops: Vec<Value>,
    pub(crate) host: &'h mut dyn Host,
    pub(crate) options: &'h Options,
    iterations: usize,
    depth: usize,
    include_depth: usize,
    partials: HashMap<String, Rc<Vec<Node>>>,
    /// The source, for line numbers in inline errors.
    source: &'h str,
}

impl<'g, 'h> Renderer<'g, 'h> {
    pub(crate) fn new(globals: &'h Globals<'g>, host: &'h mut dyn Host, options: &'h Options, source: &'h str) -> Self {
        Renderer {
            globals,
            scopes: vec![Scope::new()],
            counters: HashMap::new(),
            cycles: HashMap::new(),
            for_offsets: HashMap::new(),
            ifchanged: None,
            forloops: Vec::new(),
            host,
            options,
            iterations: 0,
            depth: 0,
            include_depth: 0,
            partials: HashMap::new(),
            source,
        }
    }

    /// Sets a variable in the outermost scope, as `assign` does.
    pub(crate) fn assign(&mut self, name: &str, value: Cow<'g, Value>) {
        self.scopes[0].insert(name.to_string(), value);
    }

    /// Runs `f` with `name` set in a scope of its own (`where_exp` and friends).
    pub(crate) fn with_variable<T>(
        &mut self,
        name: &str,
        value: Value,
        f: impl FnOnce(&mut Self) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let mut scope = Scope::new();
        scope.insert(name.to_string(), Cow::Owned(value));
        self.scopes.push(scope);
        let result = f(self);
        self.scopes.pop();
        result
    }

    pub(crate) fn render(&mut self, nodes: &[Node], out: &mut String) -> Result<(), Error> {
        self.body(nodes, out).map(|_| ())
    }

    fn body(&mut self, nodes: &[Node], out: &mut String) -> Result<Flow, Error> {
        for node in nodes {
            let flow = match self.node(node, out) {
                Ok(flow) => flow,
                Err(e) if self.options.inline_errors && e.kind == ErrorKind::Render => {
                    let line = self.source[..e.offset.min(self.source.len())].matches('\n').count() + 1;
                    out.push_str(&format!("Liquid error (line {line}): {}", e.message));
                    Flow::Normal
                }
                Err(e) => return Err(e),
            };
            if out.len() > self.options.limits.max_output {
                return Err(Error::limit(
                    format!(
                        "the output passed {} bytes, the most one page may produce",
                        self.options.limits.max_output
                    ),
                    node_offset(node),
                ));
            }
            if flow != Flow::Normal {
                return Ok(flow);
            }
        }
        Ok(Flow::Normal)
    }

    fn enter(&mut self, offset: usize) -> Result<(), Error> {
        self.depth += 1;
        if self.depth > self.options.limits.max_depth {
            return Err(Error::limit(
                format!(
                    "Nesting too deep: more than {} blocks and includes inside one another",
                    self.options.limits.max_depth
                ),
                offset,
            ));
        }
        Ok(())
    }

    fn nested(&mut self, nodes: &[Node], offset: usize, out: &mut String) -> Result<Flow, Error> {
        self.enter(offset)?;
        let flow = self.body(nodes, out);
        self.depth -= 1;
        flow
    }

    fn node(&mut self, node: &Node, out: &mut String) -> Result<Flow, Error> {
        match node {
            Node::Text(text) => out.push_str(text),
            Node::Verbatim(text) => out.push_str(text),
            Node::Output { value, offset } => {
                if let (Expr::Range(a, b), true) = (&value.expr, value.filters.is_empty()) {
                    // A range outputs as Ruby shows one.
                    let (a, b) = (int_of(&*self.eval(a, *offset)?), int_of(&*self.eval(b, *offset)?));
                    out.push_str(&format!("{a}..{b}"));
                    return Ok(Flow::Normal);
                }
                let v = self.filtered(value, *offset)?;
                value::write_text(out, &v);
            }
            Node::Assign { name, value, offset } => {
                let v = self.filtered(value, *offset)?;
                self.assign(name, v);
            }
            Node::Capture { name, body, offset } => {
                let mut captured = String::new();
                let flow = self.nested(body, *offset, &mut captured)?;
                self.assign(name, Cow::Owned(Value::String(captured)));
                return Ok(flow);
            }
            Node::Counter { name, step, .. } => {
                let start = self.counters.get(name).copied().unwrap_or_else(|| match self.globals.get(name) {
                    Some(v) if v.is_i64() => v.as_i64().unwrap_or(0),
                    _ => 0,
                });
                let (shown, next) = if *step > 0 { (start, start + 1) } else { (start - 1, start - 1) };
                self.counters.insert(name.clone(), next);
                out.push_str(&shown.to_string());
            }
            Node::If { branches, otherwise, offset } => {
                for (condition, body) in branches {
                    if self.condition(condition, *offset)? {
                        return self.nested(body, *offset, out);
                    }
                }
                if let Some(body) = otherwise {
                    return self.nested(body, *offset, out);
                }
            }
            Node::Unless { condition, body, branches, otherwise, offset } => {
                if !self.condition(condition, *offset)? {
                    return self.nested(body, *offset, out);
                }
                for (condition, body) in branches {
                    if self.condition(condition, *offset)? {
                        return self.nested(body, *offset, out);
                    }
                }
                if let Some(body) = otherwise {
                    return self.nested(body, *offset, out);
                }
            }
            Node::Case { subject, blocks, offset } => {
                let subject = self.eval(subject, *offset)?.into_owned();
                let mut run_else = true;
                for (values, body) in blocks {
                    match values {
                        None if run_else => {
                            let flow = self.nested(body, *offset, out)?;
                            if flow != Flow::Normal {
                                return Ok(flow);
                            }
                        }
                        None => {}
                        // As Ruby Liquid: each matching value renders the body once more.
                        Some(values) => {
                            for v in values {
                                if self.compare_eq(&subject, v, *offset)? {
                                    run_else = false;
                                    let flow = self.nested(body, *offset, out)?;
                                    if flow != Flow::Normal {
                                        return Ok(flow);
                                    }
                                }
                            }
                        }
                    }
                }
            }
            Node::For(l) => return self.for_loop(l, out),
            Node::Tablerow(l) => self.tablerow(l, out)?,
            Node::Break => return Ok(Flow::Break),
            Node::Continue => return Ok(Flow::Continue),
            Node::Cycle { group, key, values, offset } => {
                let key = match group {
                    Some(g) => value::to_text(&*self.eval(g, *offset)?),
                    None => key.clone(),
                };
                if values.is_empty() {
                    return Ok(Flow::Normal);
                }
                let i = self.cycles.get(&key).copied().unwrap_or(0) % values.len();
                let v = self.eval(&values[i], *offset)?;
                value::write_text(out, &v);
                self.cycles.insert(key, i + 1);
            }
            Node::IfChanged { body, offset } => {
                let mut text = String::new();
                let flow = self.nested(body, *offset, &mut text)?;
                if self.ifchanged.as_deref() != Some(text.as_str()) {
                    out.push_str(&text);
                    self.ifchanged = Some(text);
                }
                return Ok(flow);
            }
            Node::Include(include) => return self.include(include, out),
            Node::Highlight { lang, body, offset } => {
                let mut code = String::new();
                let flow = self.nested(body, *offset, &mut code)?;
                let code = self.highlighted_code(&code, *offset);
                out.push_str(&self.host.highlight(lang, &code));
                return Ok(flow);
            }
        }
        Ok(Flow::Normal)
    }

    /// What Jekyll's `highlight` gives its highlighter: the body without the line breaks
    /// around it. Where the tag stands indented in the page (in a list item), the code's
    /// lines lose that indentation too, as kramdown takes it off the item's lines.
    fn highlighted_code(&self, code: &str, offset: usize) -> String {
        let code = code.trim_start_matches(['\n', '\r']).trim_end();
        let line_start = self.source[..offset.min(self.source.len())].rfind('\n').map_or(0, |i| i + 1);
        let indent = self.source.get(line_start..offset).unwrap_or("");
        if self.include_depth > 0 || indent.is_empty() || !indent.chars().all(|c| c == ' ' || c == '\t') {
            return code.to_string();
        }
        let lines: Vec<&str> = code.lines().map(|l| l.strip_prefix(indent).unwrap_or(l)).collect();
        lines.join("\n")
    }

    fn count_iteration(&mut self, offset: usize) -> Result<(), Error> {
        self.iterations += 1;
        if self.iterations > self.options.limits.max_iterations {
            return Err(Error::limit(
                format!("more than {} loop iterations in one render", self.options.limits.max_iterations),
                offset,
            ));
        }
        Ok(())
    }

    /// The items a `for` or `tablerow` walks, after `offset`, `limit` and `reversed`.
    fn segment(&mut self, l: &ForLoop, continues: bool) -> Result<Vec<Cow<'g, Value>>, Error> {
        let from = if l.offset_continue && continues {
            self.for_offsets.get(&l.key).copied().unwrap_or(0)
        } else {
            match &l.offset_expr {
                Some(e) => int_of(&*self.eval(e, l.offset)?).max(0) as usize,
                None => 0,
            }
        };
        let limit = match &l.limit {
            Some(e) => Some(int_of(&*self.eval(e, l.offset)?).max(0) as usize),
            None => None,
        };
        let take = limit.unwrap_or(usize::MAX);
        let mut items: Vec<Cow<'g, Value>> = Vec::new();
        let max = self.options.limits.max_iterations;
        if let Expr::Range(a, b) = &l.collection {
            let start = int_of(&*self.eval(a, l.offset)?);
            let end = int_of(&*self.eval(b, l.offset)?);
            let first = start.saturating_add(from as i64);
            let mut n = first;
            while n <= end && items.len() < take {
                if items.len() >= max {
                    return Err(Error::limit(format!("more than {max} loop iterations in one render"), l.offset));
                }
                items.push(Cow::Owned(Value::from(n)));
                n += 1;
            }
        } else {
            let collection = self.eval(&l.collection, l.offset)?;
            match collection {
                Cow::Borrowed(v) => collect_items(v, from, take, &mut items),
                Cow::Owned(v) => {
                    let mut owned = Vec::new();
                    collect_items(&v, from, take, &mut owned);
                    items.extend(owned.into_iter().map(|c| Cow::Owned(c.into_owned())));
                }
            }
        }
        if l.offset_continue || continues {
            self.for_offsets.insert(l.key.clone(), from + items.len());
        }
        if l.reversed {
            items.reverse();
        }
        Ok(items)
    }

    fn for_loop(&mut self, l: &ForLoop, out: &mut String) -> Result<Flow, Error> {
        let items = self.segment(l, true)?;
        if items.is_empty() {
            if let Some(otherwise) = &l.otherwise {
                return self.nested(otherwise, l.offset, out);
            }
            return Ok(Flow::Normal);
        }
        self.enter(l.offset)?;
        let length = items.len();
        let parent = self.forloops.last().cloned().unwrap_or(Value::Null);
        self.scopes.push(Scope::new());
        let mut result = Ok(Flow::Normal);
        for (i, item) in items.into_iter().enumerate() {
            if let Err(e) = self.count_iteration(l.offset) {
                result = Err(e);
                break;
            }
            let forloop = serde_json::json!({
                "name": l.key, "length": length, "index": i + 1, "index0": i,
                "rindex": length - i, "rindex0": length - i - 1,
                "first": i == 0, "last": i + 1 == length, "parentloop": parent,
            });
            let scope = self.scopes.last_mut().expect("pushed above");
            scope.insert(l.var.clone(), item);
            scope.insert("forloop".into(), Cow::Owned(forloop.clone()));
            self.forloops.push(forloop);
            let flow = self.body(&l.body, out);
            self.forloops.pop();
            match flow {
                Ok(Flow::Break) => break,
                Ok(_) => {}
                Err(e) => {
                    result = Err(e);
                    break;
                }
            }
        }
        self.scopes.pop();
        self.depth -= 1;
        result.map(|_| Flow::Normal)
    }

    fn tablerow(&mut self, l: &ForLoop, out: &mut String) -> Result<(), Error> {
        let items = self.segment(l, false)?;
        let cols = match &l.cols {
            Some(e) => {
                let v = self.eval(e, l.offset)?;
                if v.is_null() {
                    None
                } else {
                    Some(int_of(&v).max(0) as usize)
                }
            }
            None => None,
        };
        let length = items.len();
        let cols = cols.filter(|c| *c > 0).unwrap_or(length.max(1));
        self.enter(l.offset)?;
        self.scopes.push(Scope::new());
        out.push_str("<tr class=\"row1\">\n");
        let mut result = Ok(());
        for (i, item) in items.into_iter().enumerate() {
            if let Err(e) = self.count_iteration(l.offset) {
                result = Err(e);
                break;
            }
            let col0 = i % cols;
            let row = i / cols + 1;
            let tablerowloop = serde_json::json!({
                "length": length, "index": i + 1, "index0": i, "rindex": length - i, "rindex0": length - i - 1,
                "first": i == 0, "last": i + 1 == length, "col": col0 + 1, "col0": col0,
                "col_first": col0 == 0, "col_last": col0 + 1 == cols, "row": row,
            });
            let scope = self.scopes.last_mut().expect("pushed above");
            scope.insert(l.var.clone(), item);
            scope.insert("tablerowloop".into(), Cow::Owned(tablerowloop));
            out.push_str(&format!("<td class=\"col{}\">", col0 + 1));
            let flow = self.body(&l.body, out);
            out.push_str("</td>");
            match flow {
                Ok(Flow::Break) => break,
                Ok(_) => {}
                Err(e) => {
                    result = Err(e);
                    break;
                }
            }
            if col0 + 1 == cols && i + 1 != length {
                out.push_str(&format!("</tr>\n<tr class=\"row{}\">", row + 1));
            }
        }
        out.push_str("</tr>\n");
        self.scopes.pop();
        self.depth -= 1;
        result
    }

    fn include(&mut self, include: &Include, out: &mut String) -> Result<Flow, Error> {
        let offset = include.offset;
        let name = match &include.name {
            IncludeName::Expr(e) => {
                let v = self.eval(e, offset)?;
                match &*v {
                    Value::String(s) if !s.is_empty() => s.clone(),
                    Value::String(_) => return Err(Error::render("Could not find asset ", offset)),
                    _ => return Err(Error::render("Argument error in tag 'include' - Illegal template name", offset)),
                }
            }
            IncludeName::Template(nodes) => {
                let mut name = String::new();
                self.body(nodes, &mut name)?;
                name.trim().to_string()
            }
        };
        let mut params = Vec::with_capacity(include.params.len());
        for (key, e) in &include.params {
            params.push((key.clone(), self.eval(e, offset)?.into_owned()));
        }
        let request =
            IncludeRequest { name: &name, params: &params, relative: include.relative, offset, len: include.len };
        let included = self.host.include(&request).map_err(|m| Error::render(m, offset))?;
        let source = match included {
            Included::Text(text) => {
                out.push_str(&text);
                return Ok(Flow::Normal);
            }
            Included::Liquid(source) => source,
        };
        self.include_depth += 1;
        if self.include_depth > self.options.limits.max_include_depth {
            self.include_depth -= 1;
            return Err(Error::limit(
                format!(
                    "Nesting too deep: more than {} includes inside one another",
                    self.options.limits.max_include_depth
                ),
                offset,
            ));
        }
        let result = self.render_partial(include, &name, &source, params, out);
        self.include_depth -= 1;
        result.map_err(|mut e| {
            if e.partial.is_none() {
                e.partial = Some((name.clone(), e.offset));
                e.offset = offset;
            }
            e
        })
    }

    fn render_partial(
        &mut self,
        include: &Include,
        name: &str,
        source: &str,
        params: Vec<(String, Value)>,
        out: &mut String,
    ) -> Result<Flow, Error> {
        let nodes = match self.partials.get(name) {
            Some(nodes) => nodes.clone(),
            None => {
                let nodes = Rc::new(TreeParser::new(source, self.options.dialect, &self.options.limits).document()?);
                self.partials.insert(name.to_string(), nodes.clone());
                nodes
            }
        };
        self.enter(include.offset)?;
        let mut scope = Scope::new();
        if self.options.dialect == Dialect::Jekyll {
            let map: Map<String, Value> = params.into_iter().collect();
            scope.insert("include".into(), Cow::Owned(Value::Object(map)));
            self.scopes.push(scope);
            let result = self.body(&nodes, out);
            self.scopes.pop();
            self.depth -= 1;
            return result;
        }
        for (k, v) in params {
            scope.insert(k, Cow::Owned(v));
        }
        let alias = include.alias.clone().unwrap_or_else(|| name.rsplit('/').next().unwrap_or(name).to_string());
        let variable = match &include.with {
            Some(e) => Some(self.eval(e, include.offset)?),
            None => None,
        };
        self.scopes.push(scope);
        let result = match variable {
            Some(Cow::Borrowed(Value::Array(items))) if include.for_each => {
                let mut r = Ok(Flow::Normal);
                for item in items {
                    self.scopes.last_mut().expect("pushed").insert(alias.clone(), Cow::Borrowed(item));
                    r = self.body(&nodes, out);
                    if !matches!(r, Ok(Flow::Normal | Flow::Continue)) {
                        break;
                    }
                }
                r
            }
            Some(Cow::Owned(Value::Array(items))) if include.for_each => {
                let mut r = Ok(Flow::Normal);
                for item in items {
                    self.scopes.last_mut().expect("pushed").insert(alias.clone(), Cow::Owned(item));
                    r = self.body(&nodes, out);
                    if !matches!(r, Ok(Flow::Normal | Flow::Continue)) {
                        break;
                    }
                }
                r
            }
            Some(v) => {
                self.scopes.last_mut().expect("pushed").insert(alias.clone(), v);
                self.body(&nodes, out)
            }
            None => {
                let v = self.variable(&alias);
                if !v.is_null() {
                    self.scopes.last_mut().expect("pushed").insert(alias.clone(), v);
                }
                self.body(&nodes, out)
            }
        };
        self.scopes.pop();
        self.depth -= 1;
        result
    }

    // ---- expressions ----

    pub(crate) fn filtered(&mut self, f: &Filtered, offset: usize) -> Result<Cow<'g, Value>, Error> {
        let mut v = self.eval(&f.expr, offset)?;
        for call in &f.filters {
            let mut args = Vec::with_capacity(call.args.len());
            for a in &call.args {
                args.push(self.eval(a, offset)?.into_owned());
            }
            let mut keywords = Vec::with_capacity(call.keywords.len());
            for (k, a) in &call.keywords {
                keywords.push((k.clone(), self.eval(a, offset)?.into_owned()));
            }
            // `split` turns each byte of a string into a value of its own, 50 or more bytes
            // in memory: a string within the limit could become gigabytes. Refused before
            // the parts are made.
            if let (Value::String(text), "split", Some(Value::String(pattern))) =
                (&*v, call.name.as_str(), args.first())
            {
                let parts = if pattern.is_empty() { text.len() } else { text.matches(pattern.as_str()).count() + 1 };
                if parts.saturating_mul(ELEMENT_SIZE) > self.options.limits.max_output {
                    return Err(Error::limit(
                        format!(
                            "`split` would make {parts} values, more than {} bytes",
                            self.options.limits.max_output
                        ),
                        offset,
                    ));
                }
            }
            let result = self.filter(&call.name, &v, &args, &keywords).map_err(|m| Error::render(m, offset))?;
            if let Some(result) = result {
                let size = match &result {
                    Value::String(s) => s.len(),
                    Value::Array(a) => a.len().saturating_mul(ELEMENT_SIZE),
                    _ => 0,
                };
                if size > self.options.limits.max_output {
                    return Err(Error::limit(
                        format!("`{}` made a value of more than {} bytes", call.name, self.options.limits.max_output),
                        offset,
                    ));
                }
                v = Cow::Owned(result);
            }
        }
        Ok(v)
    }

    pub(crate) fn eval(&mut self, e: &Expr, offset: usize) -> Result<Cow<'g, Value>, Error> {
        Ok(match e {
            Expr::Literal(v) => Cow::Owned(v.clone()),
            Expr::Blank | Expr::Empty => Cow::Owned(Value::String(String::new())),
            Expr::Range(a, b) => {
                let start = int_of(&*self.eval(a, offset)?);
                let end = int_of(&*self.eval(b, offset)?);
                let len = (end as i128 - start as i128 + 1).max(0) as u128;
                if len > self.options.limits.max_iterations as u128 {
                    return Err(Error::limit(
                        format!(
                            "the range ({start}..{end}) has more than {} items",
                            self.options.limits.max_iterations
                        ),
                        offset,
                    ));
                }
                Cow::Owned(Value::Array((start..=end).map(Value::from).collect()))
            }
            Expr::Lookup(l) => self.lookup(l, offset)?,
        })
    }

    fn lookup(&mut self, l: &Lookup, offset: usize) -> Result<Cow<'g, Value>, Error> {
        let root = match &l.root {
            Key::Name(n) => n.clone(),
            Key::Index(e) => value::to_text(&*self.eval(e, offset)?),
        };
        let mut keys = Vec::with_capacity(l.path.len());
        for k in &l.path {
            keys.push(match k {
                Key::Name(n) => (Value::String(n.clone()), false),
                Key::Index(e) => (self.eval(e, offset)?.into_owned(), true),
            });
        }
        Ok(self.resolve(&root, &keys))
    }

    /// A variable by name: the innermost scope first, then counters, then the globals.
    pub(crate) fn variable(&self, name: &str) -> Cow<'g, Value> {
        self.resolve(name, &[])
    }

    fn resolve(&self, root: &str, keys: &[(Value, bool)]) -> Cow<'g, Value> {
        for scope in self.scopes.iter().rev() {
            if let Some(v) = scope.get(root) {
                return match v {
                    Cow::Borrowed(r) => walk(r, keys),
                    Cow::Owned(v) => Cow::Owned(walk(v, keys).into_owned()),
                };
            }
        }
        if let Some(n) = self.counters.get(root) {
            return Cow::Owned(walk(&Value::from(*n), keys).into_owned());
        }
        match self.globals.vars.get(root) {
            Some(Cow::Borrowed(r)) => walk(r, keys),
            Some(Cow::Owned(v)) => Cow::Owned(walk(v, keys).into_owned()),
            None => Cow::Owned(Value::Null),
        }
    }

    pub(crate) fn condition(&mut self, c: &Condition, offset: usize) -> Result<bool, Error> {
        match c {
            Condition::And(a, b) => Ok(self.condition(a, offset)? && self.condition(b, offset)?),
            Condition::Or(a, b) => Ok(self.condition(a, offset)? || self.condition(b, offset)?),
            Condition::Compare(left, None) => match left {
                Expr::Blank | Expr::Empty => Ok(true),
                _ => Ok(truthy(&*self.eval(left, offset)?)),
            },
            Condition::Compare(left, Some((op, right))) => {
                let op = op.clone().map_err(|o| Error::render(format!("Unknown operator {o}"), offset))?;
                match op {
                    Op::Eq => self.equal_exprs(left, right, offset),
                    Op::Ne => Ok(!self.equal_exprs(left, right, offset)?),
                    _ => {
                        let a = self.eval(left, offset)?;
                        let b = self.eval(right, offset)?;
                        compare_op(&a, op, &b).map_err(|m| Error::render(m, offset))
                    }
                }
            }
        }
    }

    fn equal_exprs(&mut self, left: &Expr, right: &Expr, offset: usize) -> Result<bool, Error> {
        match (left, right) {
            // Two of Liquid's method literals never compare equal.
            (Expr::Blank | Expr::Empty, Expr::Blank | Expr::Empty) => Ok(false),
            (Expr::Blank, other) | (other, Expr::Blank) => Ok(is_blank(&*self.eval(other, offset)?)),
            (Expr::Empty, other) | (other, Expr::Empty) => Ok(is_empty(&*self.eval(other, offset)?)),
            _ => {
                let a = self.eval(left, offset)?;
                let b = self.eval(right, offset)?;
                Ok(equal(&a, &b))
            }
        }
    }

    fn compare_eq(&mut self, subject: &Value, e: &Expr, offset: usize) -> Result<bool, Error> {
        Ok(match e {
            Expr::Blank => is_blank(subject),
            Expr::Empty => is_empty(subject),
            _ => equal(subject, &*self.eval(e, offset)?),
        })
    }
}

/// `a < b` and the like, or the message Ruby's comparison raises.
pub(crate) fn compare_op(a: &Value, op: Op, b: &Value) -> Result<bool, String> {
    if op == Op::Contains {
        return Ok(match (a, b) {
            (_, Value::Null) => false,
            (Value::String(s), other) => s.contains(&value::to_text(other)),
            (Value::Array(items), other) => items.iter().any(|i| equal(i, other)),
            (Value::Object(map), other) => map.contains_key(&value::to_text(other)),
            _ => false,
        });
    }
    let ordering = match (a, b) {
        (Value::Null, _) | (_, Value::Null) => return Ok(false),
        (Value::Number(_), Value::Number(_)) | (Value::String(_), Value::String(_)) => value::compare(a, b),
        (Value::Object(_), _) | (_, Value::Object(_)) | (Value::Array(_), _) | (Value::Bool(_), _) => return Ok(false),
        (Value::String(_), other) => {
            return Err(format!("comparison of String with {} failed", value::inspect(other)));
        }
        (left, right) => {
            return Err(format!("comparison of {} with {} failed", value::class_name(left), value::class_name(right)));
        }
    };
    let Some(ordering) = ordering else { return Ok(false) };
    Ok(match op {
        Op::Lt => ordering.is_lt(),
        Op::Gt => ordering.is_gt(),
        Op::Le => ordering.is_le(),
        Op::Ge => ordering.is_ge(),
        _ => false,
    })
}

/// Follows `keys` (each with whether it was written in brackets) from `v`.
fn walk<'v>(v: &'v Value, keys: &[(Value, bool)]) -> Cow<'v, Value> {
    let Some(((key, bracket), rest)) = keys.split_first() else { return Cow::Borrowed(v) };
    // `array["first"]` is not `array.first`: brackets only index.
    if *bracket && key.is_string() && !v.is_object() {
        return Cow::Owned(Value::Null);
    }
    match property(v, key) {
        Prop::Ref(x) => walk(x, rest),
        Prop::Owned(x) => Cow::Owned(walk(&x, rest).into_owned()),
        Prop::Missing => Cow::Owned(Value::Null),
    }
}

/// What `for` walks in a value: an array's items, a hash's `[key, value]` pairs, a
/// non-empty string once.
fn collect_items<'v>(v: &'v Value, from: usize, take: usize, out: &mut Vec<Cow<'v, Value>>) {
    match v {
        Value::Array(items) => out.extend(items.iter().skip(from).take(take).map(Cow::Borrowed)),
        Value::Object(map) => out.extend(
            map.iter()
                .skip(from)
                .take(take)
                .map(|(k, v)| Cow::Owned(Value::Array(vec![Value::String(k.clone()), v.clone()]))),
        ),
        Value::String(s) if !s.is_empty() && from == 0 && take > 0 => out.push(Cow::Borrowed(v)),
        _ => {}
    }
}

/// An integer as Liquid's `to_i` reads it.
pub(crate) fn int_of(v: &Value) -> i64 {
    match Num::of(v) {
        Num::Int(i) => i,
        Num::Float(f) => f as i64,
    }
}

fn node_offset(node: &Node) -> usize {
    match node {
        Node::Output { offset, .. }
        | Node::Assign { offset, .. }
        | Node::Capture { offset, .. }
        | Node::Counter { offset, .. }
        | Node::If { offset, .. }
        | Node::Unless { offset, .. }
        | Node::Case { offset, .. }
        | Node::Cycle { offset, .. }
        | Node::IfChanged { offset, .. }
        | Node::Highlight { offset, .. } => *offset,
        Node::For(l) | Node::Tablerow(l) => l.offset,
        Node::Include(i) => i.offset,
        _ => 0,
    }
}
