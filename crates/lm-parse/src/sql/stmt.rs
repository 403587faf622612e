//! Readers for the statements that matter to access control. Each reads one statement's
//! tokens and returns its facts (without location), or nothing when the statement is
//! of another kind or has a shape it does not know.

use lm_core::fact::{FactData, SqlFunction, SqlGrant, SqlPolicy, SqlRls, SqlTable, SqlView};

use super::lex::{Tok, TokKind};

/// A cursor over one statement's tokens.
pub struct Cur<'a> {
    /// The text the token spans point into.
    pub src: &'a str,
    /// The statement's tokens.
    pub toks: &'a [Tok],
    /// Current position.
    pub i: usize,
}

/// A possibly schema-qualified name, unquoted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QName {
    /// Schema, when written.
    pub schema: Option<String>,
    /// The object name.
    pub name: String,
}

impl QName {
    /// Schema, `public` when not written.
    pub fn schema_or_public(&self) -> String {
        self.schema.clone().unwrap_or_else(|| "public".into())
    }

    /// As written: `schema.name` or `name`.
    pub fn written(&self) -> String {
        match &self.schema {
            Some(s) => format!("{s}.{}", self.name),
            None => self.name.clone(),
        }
    }
}

impl<'a> Cur<'a> {
    /// A cursor at the first token.
    pub fn new(src: &'a str, toks: &'a [Tok]) -> Self {
        Cur { src, toks, i: 0 }
    }

    fn text_of(&self, t: &Tok) -> &'a str {
        self.src.get(t.span.clone()).unwrap_or("")
    }

    fn peek(&self) -> Option<&'a Tok> {
        self.toks.get(self.i)
    }

    fn at_end(&self) -> bool {
        self.i >= self.toks.len()
    }

    /// True when the token at `i` is the keyword `w` (case-insensitive).
    fn kw_at(&self, i: usize, w: &str) -> bool {
        self.toks
            .get(i)
            .is_some_and(|t| t.kind == TokKind::Word && self.text_of(t).eq_ignore_ascii_case(w))
    }

    fn is_kw(&self, w: &str) -> bool {
        self.kw_at(self.i, w)
    }

    fn eat_kw(&mut self, w: &str) -> bool {
        if self.is_kw(w) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    /// Eats a sequence of keywords, all or nothing.
    fn eat_seq(&mut self, ws: &[&str]) -> bool {
        if ws
            .iter()
            .enumerate()
            .all(|(k, w)| self.kw_at(self.i + k, w))
        {
            self.i += ws.len();
            true
        } else {
            false
        }
    }

    fn is_punct(&self, p: &str) -> bool {
        self.peek()
            .is_some_and(|t| t.kind == TokKind::Punct && self.text_of(t) == p)
    }

    fn eat_punct(&mut self, p: &str) -> bool {
        if self.is_punct(p) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    /// Lower-cased keyword at the cursor.
    fn word(&self) -> Option<String> {
        self.peek()
            .filter(|t| t.kind == TokKind::Word)
            .map(|t| self.text_of(t).to_ascii_lowercase())
    }

    /// One identifier: unquoted (folded to lower case, as Postgres does) or quoted.
    pub fn ident(&mut self) -> Option<String> {
        let t = self.peek()?;
        let s = match t.kind {
            TokKind::Word => self.text_of(t).to_lowercase(),
            TokKind::QuotedIdent => unquote(self.text_of(t), '"'),
            // `grant ... to 'role'` is not valid, but strings appear as names in some
            // tools' output; do not accept them.
            _ => return None,
        };
        self.i += 1;
        Some(s)
    }

    /// A dotted name; the last part is the name, the one before it the schema.
    pub fn qname(&mut self) -> Option<QName> {
        let mut parts = vec![self.ident()?];
        while self.is_punct(".") {
            self.i += 1;
            match self.ident() {
                Some(p) => parts.push(p),
                None => break,
            }
        }
        let name = parts.pop()?;
        Some(QName {
            schema: parts.pop(),
            name,
        })
    }

    /// Index of the `)` matching the `(` at `open`, or the end.
    fn close_of(&self, open: usize) -> usize {
        let mut depth = 0i32;
        for k in open..self.toks.len() {
            if self.toks[k].kind == TokKind::Punct {
                match self.text_of(&self.toks[k]) {
                    "(" | "[" => depth += 1,
                    ")" | "]" => {
                        depth -= 1;
                        if depth == 0 {
                            return k;
                        }
                    }
                    _ => {}
                }
            }
        }
        self.toks.len()
    }

    /// At a `(`: returns the token range inside the parentheses and moves past them.
    fn paren_group(&mut self) -> Option<std::ops::Range<usize>> {
        if !self.is_punct("(") {
            return None;
        }
        let open = self.i;
        let close = self.close_of(open);
        self.i = (close + 1).min(self.toks.len());
        Some(open + 1..close.min(self.toks.len()))
    }

    /// Skips one balanced group if the cursor is at `(`, else one token.
    fn skip_one(&mut self) {
        if self.paren_group().is_none() {
            self.i += 1;
        }
    }

    /// The source text of tokens `r`, comments dropped and whitespace collapsed.
    pub fn text_range(&self, r: std::ops::Range<usize>) -> String {
        let mut out = String::new();
        let mut prev_end: Option<usize> = None;
        for t in self.toks.get(r).unwrap_or(&[]) {
            if let Some(pe) = prev_end {
                if t.span.start > pe {
                    out.push(' ');
                }
            }
            out.push_str(self.text_of(t));
            prev_end = Some(t.span.end);
        }
        out
    }

    /// Comma-separated role names up to a keyword that is not a role.
    fn roles(&mut self) -> Vec<String> {
        let mut roles = Vec::new();
        loop {
            self.eat_kw("group");
            match self.ident() {
                Some(r) => roles.push(r),
                None => break,
            }
            if !self.eat_punct(",") {
                break;
            }
        }
        roles
    }
}

/// Removes the quotes of `"x"` / `'x'` and undoubles inner quotes.
pub fn unquote(s: &str, q: char) -> String {
    let inner = s
        .strip_prefix(q)
        .map(|r| r.strip_suffix(q).unwrap_or(r))
        .unwrap_or(s);
    let doubled: String = [q, q].iter().collect();
    inner.replace(&doubled, &q.to_string())
}

/// What a statement is about, for statements that are read further elsewhere.
#[derive(Debug, PartialEq, Eq)]
pub enum Shape {
    /// A `DO` block: the index of its body token.
    Do(usize),
    /// Anything else.
    Other,
}

/// Reads one statement. `order` is stamped on every fact.
pub fn read(src: &str, toks: &[Tok], order: u32) -> (Vec<FactData>, Shape) {
    let mut c = Cur::new(src, toks);
    let facts = match c.word().as_deref() {
        Some("create") => {
            c.i += 1;
            create(&mut c, order)
        }
        Some("alter") => {
            c.i += 1;
            alter(&mut c, order)
        }
        Some("drop") => {
            c.i += 1;
            drop(&mut c, order)
        }
        Some("grant") => {
            c.i += 1;
            grant(&mut c, true, order)
        }
        Some("revoke") => {
            c.i += 1;
            grant(&mut c, false, order)
        }
        Some("do") => {
            let body = toks.iter().position(|t| t.kind == TokKind::DollarStr);
            let lang_ok = !toks.iter().enumerate().any(|(k, _)| {
                c.kw_at(k, "language") && c.word_at(k + 1).is_some_and(|l| l != "plpgsql")
            });
            return match body {
                Some(b) if lang_ok => (Vec::new(), Shape::Do(b)),
                _ => (Vec::new(), Shape::Other),
            };
        }
        _ => Vec::new(),
    };
    (facts, Shape::Other)
}

impl Cur<'_> {
    fn word_at(&self, i: usize) -> Option<String> {
        self.toks
            .get(i)
            .filter(|t| t.kind == TokKind::Word)
            .map(|t| self.text_of(t).to_ascii_lowercase())
    }
}

fn create(c: &mut Cur<'_>, order: u32) -> Vec<FactData> {
    c.eat_seq(&["or", "replace"]);
    let mut temporary = false;
    loop {
        if c.eat_kw("temp") || c.eat_kw("temporary") {
            temporary = true;
            continue;
        }
        let other = ["global", "local", "unlogged", "recursive", "materialized"];
        if !other.iter().any(|w| c.eat_kw(w)) {
            break;
        }
    }
    match c.word().as_deref() {
        Some("table") if !temporary => {
            c.i += 1;
            create_table(c, order)
        }
        Some("policy") => {
            c.i += 1;
            policy(c, "create", order)
        }
        Some("view") if !temporary => {
            c.i += 1;
            create_view(c, order)
        }
        Some("function") | Some("procedure") => {
            c.i += 1;
            function(c, "create", order)
        }
        _ => Vec::new(),
    }
}

fn create_table(c: &mut Cur<'_>, order: u32) -> Vec<FactData> {
    let if_not_exists = c.eat_seq(&["if", "not", "exists"]);
    let Some(name) = c.qname() else {
        return Vec::new();
    };
    let mut columns = Vec::new();
    if let Some(r) = c.paren_group() {
        // Split the element list at top-level commas.
        let mut start = r.start;
        let mut k = r.start;
        while k <= r.end {
            let at_comma =
                k < r.end && c.toks[k].kind == TokKind::Punct && c.text_of(&c.toks[k]) == ",";
            if k == r.end || at_comma {
                if start < k {
                    let mut e = Cur {
                        src: c.src,
                        toks: &c.toks[start..k],
                        i: 0,
                    };
                    let constraint = [
                        "constraint",
                        "primary",
                        "unique",
                        "foreign",
                        "check",
                        "exclude",
                        "like",
                    ]
                    .iter()
                    .any(|w| e.is_kw(w));
                    if !constraint {
                        if let Some(col) = e.ident() {
                            columns.push(col);
                        }
                    }
                }
                start = k + 1;
                k += 1;
            } else if c.toks[k].kind == TokKind::Punct && c.text_of(&c.toks[k]) == "(" {
                k = c.close_of(k) + 1;
            } else {
                k += 1;
            }
        }
    }
    vec![FactData::SqlTable(SqlTable {
        schema: name.schema_or_public(),
        name: name.name,
        columns,
        if_not_exists,
        action: "create".into(),
        order,
    })]
}

fn policy(c: &mut Cur<'_>, action: &str, order: u32) -> Vec<FactData> {
    let if_exists = action == "drop" && c.eat_seq(&["if", "exists"]);
    let _ = if_exists;
    let Some(name) = c.ident() else {
        return Vec::new();
    };
    if !c.eat_kw("on") {
        return Vec::new();
    }
    let Some(table) = c.qname() else {
        return Vec::new();
    };
    let mut p = SqlPolicy {
        schema: table.schema_or_public(),
        table: table.name,
        name,
        action: action.into(),
        command: if action == "create" {
            "all".into()
        } else {
            String::new()
        },
        permissive: true,
        order,
        ..Default::default()
    };
    if action == "alter" && c.eat_seq(&["rename", "to"]) {
        // A rename does not change what the policy allows; nothing to replay but its name.
        return Vec::new();
    }
    while !c.at_end() {
        if c.eat_kw("as") {
            if c.eat_kw("restrictive") {
                p.permissive = false;
            } else {
                c.eat_kw("permissive");
            }
        } else if c.eat_kw("for") {
            if let Some(w) = c.word() {
                p.command = w;
                c.i += 1;
            }
        } else if c.eat_kw("to") {
            p.roles = c.roles();
        } else if c.eat_kw("using") {
            if let Some(r) = c.paren_group() {
                p.using = Some(c.text_range(r));
            }
        } else if c.eat_seq(&["with", "check"]) {
            if let Some(r) = c.paren_group() {
                p.with_check = Some(c.text_range(r));
            }
        } else {
            c.skip_one();
        }
    }
    vec![FactData::SqlPolicy(p)]
}

/// True for values Postgres reads as boolean true in `with (...)` options.
fn truthy(v: &str) -> bool {
    matches!(
        v.trim_matches('\'').to_ascii_lowercase().as_str(),
        "true" | "on" | "yes" | "1"
    )
}

/// Reads `(name [= value], ...)` options and returns the value of `key`: `Some(true)`
/// when set true (or written without a value), `Some(false)` when set false.
fn option_value(c: &mut Cur<'_>, key: &str) -> Option<bool> {
    let r = c.paren_group()?;
    let mut found = None;
    let mut k = r.start;
    while k < r.end {
        let is_key =
            c.toks[k].kind == TokKind::Word && c.text_of(&c.toks[k]).eq_ignore_ascii_case(key);
        if is_key {
            let has_eq = k + 1 < r.end && c.text_of(&c.toks[k + 1]) == "=";
            found = Some(if has_eq && k + 2 < r.end {
                truthy(c.text_of(&c.toks[k + 2]))
            } else {
                true
            });
        }
        k += 1;
    }
    found
}

fn create_view(c: &mut Cur<'_>, order: u32) -> Vec<FactData> {
    c.eat_seq(&["if", "not", "exists"]);
    let Some(name) = c.qname() else {
        return Vec::new();
    };
    if c.is_punct("(") {
        c.paren_group();
    }
    let mut security_invoker = false;
    if c.eat_kw("with") && c.is_punct("(") {
        security_invoker = option_value(c, "security_invoker").unwrap_or(false);
    }
    let tables = if c.eat_kw("as") {
        query_tables(c, c.i..c.toks.len())
    } else {
        Vec::new()
    };
    vec![FactData::SqlView(SqlView {
        schema: name.schema_or_public(),
        name: name.name,
        security_invoker,
        tables,
        action: "create".into(),
        order,
    })]
}

/// Tables (and views) a query reads: names after `from` and `join`, and after the
/// commas of a `from a, b` list; CTE names are left out.
fn query_tables(c: &Cur<'_>, r: std::ops::Range<usize>) -> Vec<String> {
    let mut ctes: Vec<String> = Vec::new();
    let mut out: Vec<String> = Vec::new();
    let mut k = r.start;
    let mut in_from_list = false;
    let mut depth_at_from = 0i32;
    let mut depth = 0i32;
    while k < r.end {
        let t = &c.toks[k];
        let text = c.text_of(t);
        if t.kind == TokKind::Punct {
            match text {
                "(" => depth += 1,
                ")" => {
                    depth -= 1;
                    if depth < depth_at_from {
                        in_from_list = false;
                    }
                }
                "," if in_from_list && depth == depth_at_from => {
                    if let Some((q, next)) = name_at(c, k + 1) {
                        push_unique(&mut out, q.written());
                        k = next;
                        continue;
                    }
                }
                _ => {}
            }
            k += 1;
            continue;
        }
        if t.kind == TokKind::Word {
            let w = text.to_ascii_lowercase();
            match w.as_str() {
                "from" | "join" => {
                    in_from_list = w == "from";
                    depth_at_from = depth;
                    if let Some((q, next)) = name_at(c, k + 1) {
                        push_unique(&mut out, q.written());
                        k = next;
                        continue;
                    }
                }
                "where" | "group" | "order" | "limit" | "having" | "union" | "on" | "window"
                | "except" | "intersect" | "returning"
                    if depth == depth_at_from =>
                {
                    in_from_list = false;
                }
                // `with name as (` : remember CTE names.
                "as" if k >= 1 && c.toks.get(k + 1).is_some_and(|n| c.text_of(n) == "(") => {
                    let prev = &c.toks[k - 1];
                    if matches!(prev.kind, TokKind::Word | TokKind::QuotedIdent) {
                        let mut pc = Cur {
                            src: c.src,
                            toks: c.toks,
                            i: k - 1,
                        };
                        if let Some(n) = pc.ident() {
                            ctes.push(n);
                        }
                    }
                }
                _ => {}
            }
        }
        k += 1;
    }
    out.retain(|t| !ctes.contains(t));
    out
}

/// A table name at token `k` (not a subquery, not a function call), with the index after.
fn name_at(c: &Cur<'_>, k: usize) -> Option<(QName, usize)> {
    let mut sub = Cur {
        src: c.src,
        toks: c.toks,
        i: k,
    };
    sub.eat_kw("only");
    sub.eat_kw("lateral");
    let reserved = ["select", "lateral", "unnest", "values", "rows"];
    if reserved.iter().any(|w| sub.is_kw(w)) {
        return None;
    }
    let q = sub.qname()?;
    if sub.is_punct("(") {
        // A set-returning function, not a table.
        return None;
    }
    Some((q, sub.i))
}

fn push_unique(v: &mut Vec<String>, s: String) {
    if !v.contains(&s) {
        v.push(s);
    }
}

/// Keywords that end a function's return type.
const FUNCTION_ATTRS: &[&str] = &[
    "language",
    "as",
    "security",
    "external",
    "set",
    "immutable",
    "stable",
    "volatile",
    "strict",
    "called",
    "cost",
    "rows",
    "parallel",
    "leakproof",
    "not",
    "window",
    "begin",
    "return",
    "transform",
    "support",
];

fn function(c: &mut Cur<'_>, action: &str, order: u32) -> Vec<FactData> {
    let Some(name) = c.qname() else {
        return Vec::new();
    };
    let mut f = SqlFunction {
        schema: name.schema_or_public(),
        name: name.name,
        action: action.into(),
        order,
        ..Default::default()
    };
    if action == "drop" {
        return vec![FactData::SqlFunction(f)];
    }
    c.paren_group();
    let mut touched = false;
    while !c.at_end() {
        if c.eat_seq(&["security", "definer"]) || c.eat_seq(&["external", "security", "definer"]) {
            f.security_definer = true;
            touched = true;
        } else if c.eat_seq(&["security", "invoker"])
            || c.eat_seq(&["external", "security", "invoker"])
        {
            f.security_definer = false;
            touched = true;
        } else if c.eat_kw("set") {
            if c.is_kw("search_path") {
                f.search_path_set = true;
                touched = true;
            }
            c.i += 1;
        } else if c.eat_kw("reset") {
            if c.is_kw("search_path") || c.is_kw("all") {
                touched = true;
            }
            c.i += 1;
        } else if c.eat_kw("returns") {
            // `returns null on null input` is an attribute, not the type.
            if c.is_kw("null") {
                continue;
            }
            // The type runs up to the next function attribute.
            let start = c.i;
            while !c.at_end() && !FUNCTION_ATTRS.iter().any(|w| c.is_kw(w)) {
                c.skip_one();
            }
            if c.i > start {
                f.returns = Some(c.text_range(start..c.i).to_ascii_lowercase());
            }
        } else {
            c.skip_one();
        }
    }
    if action == "alter" && !touched {
        return Vec::new();
    }
    vec![FactData::SqlFunction(f)]
}

fn alter(c: &mut Cur<'_>, order: u32) -> Vec<FactData> {
    match c.word().as_deref() {
        Some("table") => {
            c.i += 1;
            alter_table(c, order)
        }
        Some("policy") => {
            c.i += 1;
            policy(c, "alter", order)
        }
        Some("view") => {
            c.i += 1;
            alter_view(c, order)
        }
        Some("function") | Some("procedure") | Some("routine") => {
            c.i += 1;
            function(c, "alter", order)
        }
        Some("default") => {
            c.i += 1;
            default_privileges(c, order)
        }
        _ => Vec::new(),
    }
}

fn alter_table(c: &mut Cur<'_>, order: u32) -> Vec<FactData> {
    c.eat_seq(&["if", "exists"]);
    c.eat_kw("only");
    let Some(name) = c.qname() else {
        return Vec::new();
    };
    c.eat_punct("*");
    let mut out = Vec::new();
    let mut added: Vec<String> = Vec::new();
    let mut at_action_start = true;
    while !c.at_end() {
        if at_action_start {
            let action = if c.eat_seq(&["enable", "row", "level", "security"]) {
                Some("enable")
            } else if c.eat_seq(&["disable", "row", "level", "security"]) {
                Some("disable")
            } else if c.eat_seq(&["force", "row", "level", "security"]) {
                Some("force")
            } else if c.eat_seq(&["no", "force", "row", "level", "security"]) {
                Some("no_force")
            } else {
                None
            };
            if let Some(a) = action {
                out.push(FactData::SqlRls(SqlRls {
                    schema: name.schema_or_public(),
                    table: name.name.clone(),
                    action: a.into(),
                    order,
                }));
                continue;
            }
            if c.eat_kw("add") {
                let constraint = [
                    "constraint",
                    "primary",
                    "unique",
                    "foreign",
                    "check",
                    "exclude",
                ]
                .iter()
                .any(|w| c.is_kw(w));
                if !constraint {
                    c.eat_kw("column");
                    c.eat_seq(&["if", "not", "exists"]);
                    if let Some(col) = c.ident() {
                        added.push(col);
                    }
                }
                at_action_start = false;
                continue;
            }
        }
        at_action_start = c.is_punct(",");
        c.skip_one();
    }
    if !added.is_empty() {
        out.push(FactData::SqlTable(SqlTable {
            schema: name.schema_or_public(),
            name: name.name.clone(),
            columns: added,
            if_not_exists: false,
            action: "alter".into(),
            order,
        }));
    }
    out
}

fn alter_view(c: &mut Cur<'_>, order: u32) -> Vec<FactData> {
    c.eat_seq(&["if", "exists"]);
    let Some(name) = c.qname() else {
        return Vec::new();
    };
    let invoker = if c.eat_kw("set") {
        option_value(c, "security_invoker")
    } else if c.eat_kw("reset") {
        option_value(c, "security_invoker").map(|_| false)
    } else {
        None
    };
    match invoker {
        Some(v) => vec![FactData::SqlView(SqlView {
            schema: name.schema_or_public(),
            name: name.name,
            security_invoker: v,
            action: "alter".into(),
            order,
            ..Default::default()
        })],
        None => Vec::new(),
    }
}

fn drop(c: &mut Cur<'_>, order: u32) -> Vec<FactData> {
    let kind = c.word();
    match kind.as_deref() {
        Some("policy") => {
            c.i += 1;
            policy(c, "drop", order)
        }
        Some("table") | Some("view") | Some("function") | Some("procedure") => {
            c.i += 1;
            let kind = kind.unwrap_or_default();
            c.eat_seq(&["if", "exists"]);
            let mut out = Vec::new();
            while let Some(n) = c.qname() {
                let schema = n.schema_or_public();
                out.push(match kind.as_str() {
                    "table" => FactData::SqlTable(SqlTable {
                        schema,
                        name: n.name,
                        action: "drop".into(),
                        order,
                        ..Default::default()
                    }),
                    "view" => FactData::SqlView(SqlView {
                        schema,
                        name: n.name,
                        action: "drop".into(),
                        order,
                        ..Default::default()
                    }),
                    _ => FactData::SqlFunction(SqlFunction {
                        schema,
                        name: n.name,
                        action: "drop".into(),
                        order,
                        ..Default::default()
                    }),
                });
                c.paren_group();
                if !c.eat_punct(",") {
                    break;
                }
            }
            out
        }
        Some("materialized") if c.kw_at(c.i + 1, "view") => {
            c.i += 1;
            drop(c, order)
        }
        _ => Vec::new(),
    }
}

/// `alter default privileges [for role r] [in schema s] grant|revoke ... on tables|functions|sequences ...`
fn default_privileges(c: &mut Cur<'_>, order: u32) -> Vec<FactData> {
    if !c.eat_kw("privileges") {
        return Vec::new();
    }
    let mut schemas = Vec::new();
    loop {
        if c.eat_kw("for") {
            c.eat_kw("role");
            c.eat_kw("user");
            c.roles();
        } else if c.eat_seq(&["in", "schema"]) {
            while let Some(s) = c.ident() {
                schemas.push(s);
                if !c.eat_punct(",") {
                    break;
                }
            }
        } else {
            break;
        }
    }
    let is_grant = if c.eat_kw("grant") {
        true
    } else if c.eat_kw("revoke") {
        false
    } else {
        return Vec::new();
    };
    let mut facts = grant(c, is_grant, order);
    let schema = if schemas.is_empty() {
        "*".to_string()
    } else {
        schemas.join(",")
    };
    for f in &mut facts {
        if let FactData::SqlGrant(g) = f {
            g.object_kind = format!("default_{}", g.object_kind.trim_start_matches("all_"));
            g.object = schema.clone();
        }
    }
    facts
}

const PRIVILEGES: &[&str] = &[
    "select",
    "insert",
    "update",
    "delete",
    "truncate",
    "references",
    "trigger",
    "usage",
    "execute",
    "create",
    "connect",
    "temporary",
    "temp",
    "all",
    "maintain",
];

fn grant(c: &mut Cur<'_>, is_grant: bool, order: u32) -> Vec<FactData> {
    if !is_grant {
        c.eat_seq(&["grant", "option", "for"]);
    }
    let mut privileges = Vec::new();
    loop {
        match c.word() {
            Some(w) if PRIVILEGES.contains(&w.as_str()) => {
                c.i += 1;
                let w = if w == "temp" { "temporary".into() } else { w };
                privileges.push(w);
                c.eat_kw("privileges");
                // Column privileges: `select (a, b)`.
                c.paren_group();
            }
            _ => break,
        }
        if !c.eat_punct(",") {
            break;
        }
    }
    // `grant role to role` (membership) has no `on`.
    if privileges.is_empty() || !c.eat_kw("on") {
        return Vec::new();
    }
    let mut objects: Vec<String> = Vec::new();
    let kind: String;
    if c.eat_kw("all") {
        let k = c.word().unwrap_or_default();
        c.i += 1;
        let k = match k.as_str() {
            "tables" | "functions" | "sequences" | "procedures" | "routines" => k,
            _ => return Vec::new(),
        };
        if !c.eat_seq(&["in", "schema"]) {
            // `on tables` in `alter default privileges`
            kind = format!("all_{k}");
        } else {
            kind = format!("all_{k}");
            while let Some(s) = c.ident() {
                objects.push(s);
                if !c.eat_punct(",") {
                    break;
                }
            }
        }
    } else {
        let explicit = c.word().filter(|w| {
            [
                "table",
                "function",
                "procedure",
                "routine",
                "schema",
                "sequence",
                "database",
                "type",
                "domain",
                "language",
                "tablespace",
                "foreign",
                "large",
                "tables",
                "functions",
                "sequences",
                "routines",
                "types",
                "schemas",
            ]
            .contains(&w.as_str())
        });
        let mut k = match explicit {
            Some(w) => {
                c.i += 1;
                w
            }
            None => "table".into(),
        };
        if k == "foreign" || k == "large" {
            return Vec::new();
        }
        // `alter default privileges ... on tables`
        if matches!(
            k.as_str(),
            "tables" | "functions" | "sequences" | "routines" | "types" | "schemas"
        ) {
            k = format!("all_{k}");
        } else {
            while let Some(q) = c.qname() {
                objects.push(q.written());
                c.paren_group();
                if !c.eat_punct(",") {
                    break;
                }
            }
        }
        kind = if k == "procedure" || k == "routine" {
            "function".into()
        } else {
            k
        };
    }
    let to_kw = if is_grant { "to" } else { "from" };
    while !c.at_end() && !c.is_kw(to_kw) {
        c.i += 1;
    }
    if !c.eat_kw(to_kw) {
        return Vec::new();
    }
    let roles = c.roles();
    if objects.is_empty() {
        objects.push(String::new());
    }
    objects
        .into_iter()
        .map(|object| {
            FactData::SqlGrant(SqlGrant {
                grant: is_grant,
                privileges: privileges.clone(),
                object_kind: kind.clone(),
                object,
                roles: roles.clone(),
                order,
            })
        })
        .collect()
}
