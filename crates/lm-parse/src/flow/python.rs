//! The taint engine for Python (FastAPI, Flask, Django views, plain DB-API code).

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use aho_corasick::AhoCorasick;
use lm_core::fact::Provenance;
use lm_core::Fact;
use tree_sitter::Node;

use super::summary::{marked_param, Summaries, Summarizer};
use super::taint::{kinds, sanitized_any, stringify, SinkKind, Taint, Val};
use super::walk::{left_right, Scopes, Seg, Walk};
use super::{looks_like_sql, sanitizer_mask, Facts};
use crate::ctx::Ctx;
use crate::python::jinja;

static SINK_WORDS: LazyLock<AhoCorasick> = LazyLock::new(|| {
    AhoCorasick::new([
        "execute",
        "text(",
        "raw(",
        "RawSQL",
        "render_template",
        "TemplateResponse",
        "Markup",
        "mark_safe",
        "Template(",
        "from_string",
        "HTMLResponse",
        "make_response",
        "return ",
        "logging",
        "logger",
        "log.",
    ])
    .expect("static patterns")
});

static SOURCE_WORDS: LazyLock<AhoCorasick> = LazyLock::new(|| {
    AhoCorasick::new([
        "request",
        "route(",
        ".get(",
        ".post(",
        ".put(",
        ".patch(",
        ".delete(",
        "api_route",
        "fetchone",
        "fetchall",
        "fetchmany",
        ".query",
        ".table(",
        ".scalars(",
    ])
    .expect("static patterns")
});

/// True when the file may hold a source and a sink (cheap byte scan).
pub fn prefilter(src: &str) -> bool {
    SINK_WORDS.is_match(src) && SOURCE_WORDS.is_match(src)
}

/// Runs the engine over a parsed Python file.
pub fn analyze(ctx: &Ctx<'_>) -> Vec<Fact> {
    let root = ctx.tree.root_node();
    let mut e = Engine::new(ctx);
    e.collect_decls(root);
    e.scopes.push();
    e.visit(root);
    e.scopes.pop();
    e.facts.into_facts()
}

/// The kind of route a function is registered as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RouteKind {
    None,
    FastApi,
    Flask,
}

struct Engine<'c, 'a> {
    ctx: &'c Ctx<'a>,
    facts: Facts<'c, 'a>,
    scopes: Scopes,
    funcs: HashMap<&'a str, Node<'a>>,
    /// Module-level names bound to a string literal (inline templates).
    consts: HashMap<&'a str, Node<'a>>,
    /// Pydantic / dataclass models: name → strictly typed fields.
    models: HashMap<&'a str, Vec<String>>,
    enums: HashSet<&'a str>,
    /// Helper summaries; `active` while summarising one (no facts, returns collected).
    summary: Summaries,
    returns: Vec<Val>,
    route: Vec<RouteKind>,
    depth: u32,
    fastapi: bool,
}

impl<'c, 'a> Engine<'c, 'a> {
    fn new(ctx: &'c Ctx<'a>) -> Self {
        Engine {
            ctx,
            facts: Facts::new(ctx),
            scopes: Scopes::default(),
            funcs: HashMap::new(),
            consts: HashMap::new(),
            models: HashMap::new(),
            enums: HashSet::new(),
            summary: Summaries::default(),
            returns: Vec::new(),
            route: Vec::new(),
            depth: 0,
            fastapi: ctx.src.contains("fastapi"),
        }
    }

    fn text(&self, n: Node<'_>) -> &'a str {
        self.ctx.text(n)
    }

    fn collect_decls(&mut self, root: Node<'a>) {
        let mut cur = root.walk();
        for stmt in root.named_children(&mut cur) {
            let def = if stmt.kind() == "decorated_definition" {
                match stmt.child_by_field_name("definition") {
                    Some(d) => d,
                    None => continue,
                }
            } else {
                stmt
            };
            match def.kind() {
                "function_definition" => {
                    if let Some(n) = def.child_by_field_name("name") {
                        self.funcs.insert(self.text(n), def);
                    }
                }
                "class_definition" => self.collect_class(def),
                "expression_statement" => {
                    let Some(a) = def.named_child(0).filter(|a| a.kind() == "assignment") else {
                        continue;
                    };
                    if let (Some(l), Some(r)) = (
                        a.child_by_field_name("left"),
                        a.child_by_field_name("right"),
                    ) {
                        if l.kind() == "identifier" && r.kind() == "string" {
                            self.consts.insert(self.text(l), r);
                        }
                    }
                }
                _ => {}
            }
        }
    }

    fn collect_class(&mut self, class: Node<'a>) {
        let Some(name) = class.child_by_field_name("name") else {
            return;
        };
        let supers = class
            .child_by_field_name("superclasses")
            .map(|s| self.text(s))
            .unwrap_or("");
        if supers.contains("Enum") {
            self.enums.insert(self.text(name));
            return;
        }
        if !(supers.contains("BaseModel")
            || supers.contains("SQLModel")
            || supers.contains("Schema")
            || supers.contains("TypedDict"))
        {
            return;
        }
        let mut strict = Vec::new();
        if let Some(body) = class.child_by_field_name("body") {
            let mut cur = body.walk();
            for st in body.named_children(&mut cur) {
                if st.kind() != "expression_statement" {
                    continue;
                }
                let Some(a) = st.named_child(0).filter(|a| a.kind() == "assignment") else {
                    continue;
                };
                let (Some(l), Some(t)) =
                    (a.child_by_field_name("left"), a.child_by_field_name("type"))
                else {
                    continue;
                };
                if self.strict_type(self.text(t)) {
                    strict.push(self.text(l).to_string());
                }
            }
        }
        self.models.insert(self.text(name), strict);
    }

    /// A type annotation that only admits safe values (numbers, UUIDs, dates, enums).
    fn strict_type(&self, t: &str) -> bool {
        let t = t.trim();
        let t = t
            .strip_prefix("Optional[")
            .and_then(|x| x.strip_suffix(']'))
            .unwrap_or(t);
        let t = t.strip_suffix("| None").map(str::trim).unwrap_or(t);
        if let Some(inner) = t.strip_prefix("Annotated[") {
            let first = inner.split(',').next().unwrap_or("");
            return self.strict_type(first);
        }
        matches!(
            t,
            "int"
                | "float"
                | "bool"
                | "UUID"
                | "uuid.UUID"
                | "UUID4"
                | "datetime"
                | "date"
                | "datetime.datetime"
                | "datetime.date"
                | "Decimal"
                | "PositiveInt"
                | "NonNegativeInt"
                | "conint"
                | "StrictInt"
                | "StrictBool"
        ) || t.starts_with("conint(")
            || t.starts_with("Literal[")
            || self.enums.contains(t)
    }

    // ----- walk -----

    fn visit_inner(&mut self, node: Node<'a>) {
        match node.kind() {
            "decorated_definition" => {
                let Some(def) = node.child_by_field_name("definition") else {
                    return;
                };
                if def.kind() != "function_definition" {
                    self.visit(def);
                    return;
                }
                let (kind, converters) = self.route_kind(node);
                self.scopes.push();
                self.visit_function(def, kind, &converters);
                self.scopes.pop();
            }
            "function_definition" => {
                self.scopes.push();
                self.visit_function(node, RouteKind::None, &[]);
                self.scopes.pop();
            }
            "class_definition" => self.visit_children(node),
            "assignment" => {
                let Some(right) = node.child_by_field_name("right") else {
                    return;
                };
                self.visit(right);
                let Some(left) = node.child_by_field_name("left") else {
                    return;
                };
                let val = self.eval(right);
                if left.kind() == "identifier" {
                    self.facts.name_input_var(strip(right), self.text(left));
                    if right.kind() == "dictionary" {
                        self.bind_dict_fields(self.text(left), right);
                    }
                }
                self.bind(left, val.via("assignment"));
            }
            "augmented_assignment" => {
                let Some((left, right)) = left_right(node) else {
                    return;
                };
                self.visit(right);
                let lv = self.eval(left);
                let rv = self.eval(right);
                if left.kind() == "identifier" {
                    let v = stringify(lv.join(rv)).via("concatenation");
                    self.scopes.declare(self.text(left), v);
                }
            }
            "for_statement" => {
                if let Some((left, right)) = left_right(node) {
                    self.visit(right);
                    let v = self.eval(right).via("loop");
                    self.bind(left, v);
                }
                if let Some(b) = node.child_by_field_name("body") {
                    self.visit(b);
                }
                if let Some(b) = node.child_by_field_name("alternative") {
                    self.visit(b);
                }
            }
            "call" => {
                self.visit_children(node);
                self.call_sink(node);
                // A same-file helper: evaluating the call reports the sinks inside it
                // that the arguments reach.
                if !self.summary.active {
                    if let Some(f) = node.child_by_field_name("function") {
                        if f.kind() == "identifier" && self.funcs.contains_key(self.text(f)) {
                            let _ = self.eval(node);
                        }
                    }
                }
            }
            "return_statement" => {
                self.visit_children(node);
                let Some(e) = node.named_child(0) else { return };
                if self.summary.active {
                    let v = self.eval(e);
                    self.returns.push(v);
                } else if self.route.last() == Some(&RouteKind::Flask) {
                    self.flask_return(node, e);
                }
            }
            _ => self.visit_children(node),
        }
    }

    /// The framework a decorated function is a route of, and the Flask path converters
    /// that make parameters safe (`<int:id>`).
    fn route_kind(&self, decorated: Node<'a>) -> (RouteKind, Vec<String>) {
        let mut cur = decorated.walk();
        let mut kind = RouteKind::None;
        let mut safe = Vec::new();
        for d in decorated.named_children(&mut cur) {
            if d.kind() != "decorator" {
                continue;
            }
            let Some(expr) = d.named_child(0) else {
                continue;
            };
            if expr.kind() != "call" {
                continue;
            }
            let Some(func) = expr.child_by_field_name("function") else {
                continue;
            };
            if func.kind() != "attribute" {
                continue;
            }
            let method = func
                .child_by_field_name("attribute")
                .map(|a| self.text(a))
                .unwrap_or("");
            let args = expr
                .child_by_field_name("arguments")
                .map(|a| self.text(a))
                .unwrap_or("");
            match method {
                "route" => kind = RouteKind::Flask,
                "get" | "post" | "put" | "patch" | "delete" | "api_route" | "websocket" => {
                    kind = if self.fastapi {
                        RouteKind::FastApi
                    } else {
                        RouteKind::Flask
                    };
                }
                _ => continue,
            }
            // <int:id>, <float:x>, <uuid:x>
            let mut rest = args;
            while let Some(i) = rest.find('<') {
                rest = &rest[i + 1..];
                let Some(end) = rest.find('>') else { break };
                let inner = &rest[..end];
                if let Some((conv, name)) = inner.split_once(':') {
                    if matches!(conv, "int" | "float" | "uuid") {
                        safe.push(name.to_string());
                    }
                }
                rest = &rest[end..];
            }
        }
        (kind, safe)
    }

    fn visit_function(&mut self, f: Node<'a>, kind: RouteKind, safe: &[String]) {
        self.route.push(kind);
        if let Some(params) = f.child_by_field_name("parameters") {
            let mut cur = params.walk();
            let list: Vec<Node<'a>> = params.named_children(&mut cur).collect();
            for p in list {
                let (name_node, ty, default) = param_parts(p);
                let Some(name_node) = name_node else { continue };
                let name = self.text(name_node);
                let ty = ty.map(|t| self.text(t)).unwrap_or("");
                let default = default.map(|d| self.text(d)).unwrap_or("");
                let val = if kind == RouteKind::None
                    || matches!(name, "self" | "cls" | "request" | "req" | "db" | "session")
                    || default.starts_with("Depends(")
                    || default.starts_with("Security(")
                    || ty.contains("Depends(")
                    || matches!(
                        ty,
                        "Request" | "Session" | "AsyncSession" | "BackgroundTasks" | "Response"
                    ) {
                    Val::Unknown
                } else {
                    let source = if kind == RouteKind::Flask || default.starts_with("Path(") {
                        "path"
                    } else if default.starts_with("Body(") || self.models.contains_key(ty) {
                        "body"
                    } else if default.starts_with("Form(") {
                        "form"
                    } else if default.starts_with("Header(") {
                        "headers"
                    } else if default.starts_with("Cookie(") {
                        "cookies"
                    } else {
                        "query"
                    };
                    if !self.summary.active {
                        self.facts.input(
                            name_node,
                            source,
                            Some(name.to_string()),
                            Some(name.to_string()),
                        );
                    }
                    let mut t = Taint::source(Provenance::Request, name);
                    if safe.iter().any(|s| s == name) || self.strict_type(ty) {
                        t = t.validated_by(if ty.is_empty() { "path converter" } else { ty });
                    } else if let Some(fields) = self.models.get(ty) {
                        t.strict_fields = fields.clone();
                        t.whole = true;
                    }
                    Val::taint(t)
                };
                self.scopes.declare(name, val);
            }
        }
        if let Some(body) = f.child_by_field_name("body") {
            self.visit(body);
        }
        self.route.pop();
    }

    fn bind(&mut self, pattern: Node<'a>, val: Val) {
        match pattern.kind() {
            "identifier" => self.scopes.declare(self.text(pattern), val),
            "pattern_list" | "tuple_pattern" | "list_pattern" | "expression_list" => {
                let mut cur = pattern.walk();
                let items: Vec<Node<'a>> = pattern.named_children(&mut cur).collect();
                for i in items {
                    self.bind(i, val.clone().via("destructuring"));
                }
            }
            "attribute" | "subscript" => {
                if let Some(d) = self.dotted(pattern) {
                    self.scopes.declare(&d, val);
                }
            }
            _ => {}
        }
    }

    fn bind_dict_fields(&mut self, base: &str, dict: Node<'a>) {
        let mut cur = dict.walk();
        for p in dict.named_children(&mut cur) {
            if p.kind() != "pair" {
                continue;
            }
            let (Some(k), Some(v)) = (p.child_by_field_name("key"), p.child_by_field_name("value"))
            else {
                continue;
            };
            if k.kind() != "string" {
                continue;
            }
            let key = unquote(self.text(k));
            let val = self.eval(v);
            self.scopes.declare(&format!("{base}[{key}]"), val);
        }
    }

    fn dotted(&self, n: Node<'a>) -> Option<String> {
        match n.kind() {
            "identifier" => Some(self.text(n).to_string()),
            "attribute" => {
                let mut s = self.dotted(n.child_by_field_name("object")?)?;
                s.push('.');
                s.push_str(self.text(n.child_by_field_name("attribute")?));
                Some(s)
            }
            "subscript" => {
                let sub = n.child_by_field_name("subscript")?;
                if sub.kind() != "string" {
                    return None;
                }
                let mut s = self.dotted(n.child_by_field_name("value")?)?;
                s.push('[');
                s.push_str(unquote(self.text(sub)));
                s.push(']');
                Some(s)
            }
            _ => None,
        }
    }

    // ----- evaluation -----

    fn eval_inner(&mut self, node: Node<'a>) -> Val {
        match node.kind() {
            "integer" | "float" | "true" | "false" | "none" | "ellipsis" => Val::Const,
            "string" => {
                let mut acc = Val::Const;
                let mut any = false;
                let mut cur = node.walk();
                let parts: Vec<Node<'a>> = node
                    .named_children(&mut cur)
                    .filter(|c| c.kind() == "interpolation")
                    .collect();
                for i in parts {
                    any = true;
                    let Some(e) = i
                        .child_by_field_name("expression")
                        .or_else(|| i.named_child(0))
                    else {
                        continue;
                    };
                    let mut v = self.eval(e);
                    let conv = i
                        .child_by_field_name("type_conversion")
                        .map(|c| self.text(c))
                        .unwrap_or("");
                    if conv == "!r" {
                        v = v.sanitize("!r", kinds::LOG);
                    }
                    acc = acc.join(v);
                }
                if any {
                    stringify(acc).via("f-string")
                } else {
                    Val::Const
                }
            }
            "concatenated_string" => self.eval_children(node),
            "identifier" => self
                .scopes
                .lookup(self.text(node))
                .cloned()
                .unwrap_or_default(),
            "attribute" => {
                if let Some(v) = self.source_or_path(node) {
                    return v;
                }
                let attr = node
                    .child_by_field_name("attribute")
                    .map(|a| self.text(a))
                    .unwrap_or("");
                match node.child_by_field_name("object") {
                    Some(o) => self.eval(o).field(attr),
                    None => Val::Unknown,
                }
            }
            "subscript" => {
                if let Some(v) = self.source_or_path(node) {
                    return v;
                }
                let key = node
                    .child_by_field_name("subscript")
                    .filter(|s| s.kind() == "string")
                    .map(|s| unquote(self.text(s)).to_string())
                    .unwrap_or_default();
                match node.child_by_field_name("value") {
                    Some(o) => self.eval(o).field(&key),
                    None => Val::Unknown,
                }
            }
            "call" => self.eval_call(node),
            "await" | "parenthesized_expression" => match node.named_child(0) {
                Some(e) => self.eval(e),
                None => Val::Unknown,
            },
            "binary_operator" => {
                let op = node
                    .child_by_field_name("operator")
                    .map(|o| self.text(o))
                    .unwrap_or("");
                let l = node.child_by_field_name("left");
                let r = node.child_by_field_name("right");
                match op {
                    "+" | "%" => {
                        let lv = l.map(|n| self.eval(n)).unwrap_or_default();
                        let rv = r.map(|n| self.eval(n)).unwrap_or_default();
                        let step = if op == "+" {
                            "concatenation"
                        } else {
                            "% formatting"
                        };
                        stringify(lv.join(rv)).via(step)
                    }
                    _ => Val::Const,
                }
            }
            "boolean_operator" => {
                let op = node
                    .child_by_field_name("operator")
                    .map(|o| self.text(o))
                    .unwrap_or("");
                let r = node
                    .child_by_field_name("right")
                    .map(|n| self.eval(n))
                    .unwrap_or_default();
                if op == "and" {
                    r
                } else {
                    let l = node
                        .child_by_field_name("left")
                        .map(|n| self.eval(n))
                        .unwrap_or_default();
                    l.join(r)
                }
            }
            "conditional_expression" => {
                let mut cur = node.walk();
                let parts: Vec<Node<'a>> = node.named_children(&mut cur).collect();
                let a = parts.first().map(|n| self.eval(*n)).unwrap_or_default();
                let b = parts.get(2).map(|n| self.eval(*n)).unwrap_or_default();
                a.join(b)
            }
            "comparison_operator" | "not_operator" | "unary_operator" => Val::Const,
            "list" | "tuple" | "set" | "expression_list" => self.eval_children(node),
            "dictionary" => {
                let mut acc = Val::Const;
                let mut cur = node.walk();
                let items: Vec<Node<'a>> = node.named_children(&mut cur).collect();
                for c in items {
                    let v = match c.kind() {
                        "pair" => c
                            .child_by_field_name("value")
                            .map(|v| self.eval(v))
                            .unwrap_or_default(),
                        _ => self.eval(c),
                    };
                    acc = acc.join(v);
                }
                acc
            }
            "list_comprehension" | "generator_expression" | "set_comprehension" => {
                let body = node.child_by_field_name("body");
                let mut cur = node.walk();
                let clause = node
                    .named_children(&mut cur)
                    .find(|c| c.kind() == "for_in_clause");
                self.scopes.push();
                if let Some(c) = clause {
                    if let (Some(l), Some(r)) = (
                        c.child_by_field_name("left"),
                        c.child_by_field_name("right"),
                    ) {
                        let v = self.eval(r);
                        self.bind(l, v);
                    }
                }
                let v = body.map(|b| self.eval(b)).unwrap_or_default();
                self.scopes.pop();
                v
            }
            "lambda" => Val::Const,
            _ => Val::Unknown,
        }
    }

    fn args(&self, call: Node<'a>) -> (Vec<Node<'a>>, Vec<(&'a str, Node<'a>)>) {
        let mut pos = Vec::new();
        let mut kw = Vec::new();
        if let Some(a) = call.child_by_field_name("arguments") {
            let mut cur = a.walk();
            for c in a.named_children(&mut cur) {
                match c.kind() {
                    "keyword_argument" => {
                        if let (Some(n), Some(v)) = (
                            c.child_by_field_name("name"),
                            c.child_by_field_name("value"),
                        ) {
                            kw.push((self.text(n), v));
                        }
                    }
                    "comment" => {}
                    _ => pos.push(c),
                }
            }
        }
        (pos, kw)
    }

    fn eval_call(&mut self, node: Node<'a>) -> Val {
        let Some(func) = node.child_by_field_name("function") else {
            return Val::Unknown;
        };
        if let Some(v) = self.source(node) {
            return v;
        }
        let callee = self.text(func);
        let (pos, kw) = self.args(node);
        let method = if func.kind() == "attribute" {
            func.child_by_field_name("attribute").map(|a| self.text(a))
        } else {
            None
        };
        let first = |e: &mut Self| pos.first().map(|a| e.eval(*a)).unwrap_or_default();
        match callee {
            "int"
            | "float"
            | "bool"
            | "uuid.UUID"
            | "UUID"
            | "Decimal"
            | "len"
            | "abs"
            | "round"
            | "datetime.fromisoformat"
            | "date.fromisoformat" => {
                let v = first(self);
                return v.validate(callee);
            }
            "json.dumps" | "repr" => {
                let v = first(self);
                return v.sanitize(callee, kinds::LOG);
            }
            // The sink is the text() call itself (reported in call_sink).
            "text" | "sqlalchemy.text" | "sa.text" => return Val::Const,
            "str"
            | "urllib.parse.unquote"
            | "unquote"
            | "html.unescape"
            | "base64.b64decode"
            | "markdown.markdown"
            | "markdown"
            | "dict"
            | "list"
            | "tuple"
            | "json.loads" => {
                return self.eval_join(&pos).via(&format!("call {callee}"));
            }
            _ => {}
        }
        if let Some(mask) = sanitizer_mask(callee) {
            let v = first(self);
            return sanitized_any(v, callee, mask);
        }
        if callee == "re.sub" {
            let pat = pos.first().map(|p| self.text(*p)).unwrap_or("");
            let v = pos.get(2).map(|a| self.eval(*a)).unwrap_or_default();
            if pat.contains("\\n") || pat.contains("\\r") || pat.contains("\\s") {
                return stringify(v).sanitize("re.sub(newlines)", kinds::LOG);
            }
            return stringify(v);
        }
        // Pydantic models built from request data.
        let model_name = callee
            .strip_suffix(".model_validate")
            .or_else(|| callee.strip_suffix(".parse_obj"))
            .unwrap_or(callee);
        if let Some(fields) = self.models.get(model_name).cloned() {
            let mut acc = Val::Const;
            for a in &pos {
                let v = self.eval(*a);
                acc = acc.join(v);
            }
            for (_, v) in &kw {
                let v = self.eval(*v);
                acc = acc.join(v);
            }
            return match acc {
                Val::Tainted(mut t) => {
                    t.strict_fields = fields;
                    t.whole = true;
                    Val::Tainted(t)
                }
                v => v,
            };
        }
        if func.kind() == "identifier" && !self.summary.active {
            if let Some(&f) = self.funcs.get(callee) {
                return self.apply_summary(f, callee, &pos);
            }
        }
        if let Some(m) = method {
            let Some(obj) = func.child_by_field_name("object") else {
                return Val::Unknown;
            };
            let rv = self.eval(obj);
            if m == "format" {
                let mut acc = rv;
                for a in &pos {
                    let v = self.eval(*a);
                    acc = acc.join(v);
                }
                for (_, a) in &kw {
                    let v = self.eval(*a);
                    acc = acc.join(v);
                }
                return stringify(acc).via(".format()");
            }
            if m == "join" {
                let v = first(self);
                return stringify(rv.join(v));
            }
            if m == "replace" {
                let pat = pos.first().map(|p| self.text(*p)).unwrap_or("");
                if pat.contains("\\n") || pat.contains("\\r") {
                    return stringify(rv).sanitize("replace(newlines)", kinds::LOG);
                }
                // The replacement text flows into the result.
                let with = pos.get(1).map(|a| self.eval(*a)).unwrap_or(Val::Const);
                return stringify(rv.join(with.via("replace")));
            }
            if matches!(
                m,
                "startswith"
                    | "endswith"
                    | "isdigit"
                    | "isalnum"
                    | "isnumeric"
                    | "isalpha"
                    | "count"
                    | "find"
                    | "index"
                    | "exists"
            ) {
                return Val::Const;
            }
            if let Val::Tainted(mut t) = rv {
                if matches!(m, "get" | "getlist" | "get_json" | "dict" | "model_dump") {
                    if m == "get" || m == "getlist" {
                        if t.whole {
                            t.source_expr = self.ctx.short(node, 80);
                        }
                        t.whole = false;
                        if let Some(k) = pos.first().filter(|k| k.kind() == "string") {
                            let key = unquote(self.text(*k)).to_string();
                            return Val::taint(*t).field(&key);
                        }
                    }
                    return Val::Tainted(t);
                }
                if matches!(
                    m,
                    "strip"
                        | "lower"
                        | "upper"
                        | "title"
                        | "lstrip"
                        | "rstrip"
                        | "decode"
                        | "encode"
                        | "split"
                ) {
                    t.whole = false;
                }
                return Val::Tainted(t);
            }
            return if rv == Val::Const {
                Val::Const
            } else {
                Val::Unknown
            };
        }
        Val::Unknown
    }

    // ----- sources -----

    /// The value of an attribute or subscript that is a source or a tracked dotted path
    /// (`self.x`, `data["k"]`).
    fn source_or_path(&mut self, node: Node<'a>) -> Option<Val> {
        if let Some(v) = self.source(node) {
            return Some(v);
        }
        let d = self.dotted(node)?;
        self.scopes.lookup(&d).cloned()
    }

    fn source(&mut self, node: Node<'a>) -> Option<Val> {
        let chain = self.chain(node)?;
        let (kind, name, origin, whole) = match_source(&chain)?;
        if origin == Provenance::Database && self.reads_schema_catalog(node, &chain) {
            // Table DDL or column names from `sqlite_master` / `information_schema`: the
            // schema the script itself created, not data a user wrote.
            return None;
        }
        if !self.summary.active && origin == Provenance::Request {
            self.facts.input(node, kind, name.clone(), None);
        }
        let mut t = Taint::source(origin, self.ctx.short(node, 80));
        t.whole = whole && name.is_none();
        if kind == "headers" {
            // HTTP servers reject CR/LF in header values: they cannot forge log lines.
            t = t.sanitized("header value (no CR/LF)", kinds::LOG);
        }
        if kind == "url" {
            // A request URL is percent-encoded: it cannot carry CR/LF into a log line.
            t = t.sanitized("percent-encoded URL", kinds::LOG);
        }
        Some(Val::taint(t))
    }

    /// True when a DB-API fetch (`cur.fetchone()`) reads the result of a query on the
    /// schema catalog: the query is in the chain (`conn.execute("... sqlite_master
    /// ...").fetchone()`) or is the last `cur.execute("...")` on the same cursor before it
    /// in the enclosing function.
    fn reads_schema_catalog(&self, node: Node<'a>, chain: &[Seg<'a>]) -> bool {
        let n = chain.len();
        if n < 2
            || !matches!(
                chain[n - 2],
                Seg::Name("fetchone" | "fetchall" | "fetchmany")
            )
        {
            return false;
        }
        if chain[..n - 2]
            .iter()
            .any(|s| matches!(s, Seg::Call(Some(q)) if names_schema_catalog(q)))
        {
            return true;
        }
        // The fetch call and its receiver (`cur` in `cur.fetchone()[0]`).
        let mut call = node;
        while call.kind() != "call" {
            match call.kind() {
                "subscript" => match call.child_by_field_name("value") {
                    Some(v) => call = v,
                    None => return false,
                },
                "await" | "parenthesized_expression" => match call.named_child(0) {
                    Some(v) => call = v,
                    None => return false,
                },
                _ => return false,
            }
        }
        let Some(recv) = call
            .child_by_field_name("function")
            .filter(|f| f.kind() == "attribute")
            .and_then(|f| f.child_by_field_name("object"))
            .map(|o| self.text(o))
        else {
            return false;
        };
        let mut scope = node;
        while let Some(p) = scope.parent() {
            scope = p;
            if p.kind() == "function_definition" {
                break;
            }
        }
        let mut last: Option<&'a str> = None;
        let mut stack = vec![scope];
        while let Some(cur) = stack.pop() {
            if cur.start_byte() >= call.start_byte() {
                continue;
            }
            if cur.kind() == "call" {
                let f = cur.child_by_field_name("function");
                let is_exec = f.is_some_and(|f| {
                    f.kind() == "attribute"
                        && f.child_by_field_name("attribute")
                            .is_some_and(|a| self.text(a) == "execute")
                        && f.child_by_field_name("object")
                            .is_some_and(|o| self.text(o) == recv)
                });
                if is_exec && cur.end_byte() <= call.start_byte() {
                    let q = cur
                        .child_by_field_name("arguments")
                        .and_then(|a| a.named_child(0))
                        .map(|a| self.text(a));
                    // Children are pushed in reverse, so calls pop in source order.
                    last = Some(q.unwrap_or(""));
                }
            }
            let mut w = cur.walk();
            let kids: Vec<Node<'a>> = cur.named_children(&mut w).collect();
            stack.extend(kids.into_iter().rev());
        }
        last.is_some_and(|q| {
            (q.starts_with('"')
                || q.starts_with('\'')
                || q.starts_with("f\"")
                || q.starts_with("f'"))
                && names_schema_catalog(q)
        })
    }

    fn chain(&self, node: Node<'a>) -> Option<Vec<Seg<'a>>> {
        let mut segs = Vec::new();
        let mut cur = node;
        for _ in 0..12 {
            match cur.kind() {
                "identifier" => {
                    segs.push(Seg::Name(self.text(cur)));
                    segs.reverse();
                    return Some(segs);
                }
                "attribute" => {
                    segs.push(Seg::Name(self.text(cur.child_by_field_name("attribute")?)));
                    cur = cur.child_by_field_name("object")?;
                }
                "subscript" => {
                    let s = cur.child_by_field_name("subscript")?;
                    if s.kind() == "string" {
                        segs.push(Seg::Name(unquote(self.text(s))));
                    } else {
                        segs.push(Seg::Index);
                    }
                    cur = cur.child_by_field_name("value")?;
                }
                "call" => {
                    let first = cur
                        .child_by_field_name("arguments")
                        .and_then(|a| a.named_child(0))
                        .filter(|a| a.kind() == "string")
                        .map(|a| unquote(self.text(a)));
                    segs.push(Seg::Call(first));
                    cur = cur.child_by_field_name("function")?;
                }
                "await" | "parenthesized_expression" => cur = cur.named_child(0)?,
                _ => return None,
            }
        }
        None
    }

    // ----- sinks -----

    fn call_sink(&mut self, node: Node<'a>) {
        let Some(func) = node.child_by_field_name("function") else {
            return;
        };
        let callee = self.text(func);
        let (pos, kw) = self.args(node);
        let (obj, method) = if func.kind() == "attribute" {
            (
                func.child_by_field_name("object").map(|o| self.text(o)),
                func.child_by_field_name("attribute")
                    .map(|a| self.text(a))
                    .unwrap_or(""),
            )
        } else {
            (None, callee)
        };
        let first = pos.first().copied();
        let kwarg = |names: &[&str]| kw.iter().find(|(k, _)| names.contains(k)).map(|(_, v)| *v);

        // SQL
        let sql_arg = match method {
            "text" if matches!(obj, None | Some("sqlalchemy" | "sa" | "db")) => first,
            "execute" | "executemany" | "executescript" | "exec_driver_sql" | "mogrify" => {
                let a = first.or_else(|| kwarg(&["sql", "query", "operation", "statement"]));
                a.filter(|a| obj.is_some_and(is_db_receiver) || looks_like_sql(self.text(*a)))
            }
            "raw" if obj.is_some_and(|o| o.ends_with("objects")) => first,
            "RawSQL" => first,
            _ => None,
        };
        if let Some(a) = sql_arg {
            if a.kind() == "call"
                && a.child_by_field_name("function")
                    .is_some_and(|f| matches!(self.text(f), "text" | "sqlalchemy.text" | "sa.text"))
            {
                return; // reported at text()
            }
            let v = self.eval(a);
            let report = match &v {
                Val::Const => false,
                Val::Unknown => is_built(a, self.ctx.src),
                Val::Tainted(_) => true,
            };
            if report {
                let api = if method == "text" {
                    callee.to_string()
                } else {
                    format!("{}.{method}", short(obj.unwrap_or("")))
                };
                self.sink(node, SinkKind::Sql, &api, &v, a);
            }
            return;
        }
        // Named templates: context values the template prints raw.
        if (method == "render_template" && matches!(obj, None | Some("flask" | "quart")))
            || method == "TemplateResponse"
        {
            self.template_sinks(method, &pos, &kw);
            return;
        }
        // Templates (SSTI)
        if matches!(
            method,
            "render_template_string" | "from_string" | "Template"
        ) && (method != "Template" || matches!(obj, None | Some("jinja2")))
        {
            if let Some(a) = first.or_else(|| kwarg(&["source"])) {
                let v = self.eval(a);
                if v.is_tainted() {
                    self.sink(node, SinkKind::Template, callee, &v, a);
                } else if method == "render_template_string" {
                    self.inline_template_sinks(method, a, &pos, &kw);
                }
            }
            return;
        }
        // HTML
        if matches!(
            method,
            "Markup" | "mark_safe" | "HTMLResponse" | "make_response"
        ) {
            if let Some(a) = first.or_else(|| kwarg(&["content"])) {
                let v = self.eval(a);
                let report = if method == "make_response" {
                    v.as_taint().is_some_and(|t| !t.whole) && a.kind() != "dictionary"
                } else {
                    v.is_tainted()
                };
                if report {
                    self.sink(node, SinkKind::Html, callee, &v, a);
                }
            }
            return;
        }
        // Logs
        if is_log_call(obj, method) {
            // `log.info("user %r", name)`: lazy %r formatting quotes and escapes.
            let repr_only = first.is_some_and(|f| {
                let t = self.text(f);
                f.kind() == "string" && t.contains("%r") && !t.contains("%s")
            });
            let mut acc = Val::Const;
            let mut at = first;
            for (i, a) in pos.iter().enumerate() {
                let mut v = self.eval(*a);
                if repr_only && i > 0 {
                    v = v.sanitize("%r", kinds::LOG);
                }
                if v.is_tainted() && !acc.is_tainted() {
                    at = Some(*a);
                }
                acc = acc.join(v);
            }
            if let (Val::Tainted(t), Some(at)) = (&acc, at) {
                let mut t = (**t).clone();
                if t.whole && !t.via.iter().any(|v| v != "assignment") {
                    t = t.sanitized("object serialisation", kinds::LOG);
                }
                self.sink(node, SinkKind::Log, short(callee), &Val::taint(t), at);
            }
        }
    }

    /// `render_template("page.html", comment=...)` (Flask, Quart) and
    /// `templates.TemplateResponse("page.html", {"comment": ...})` (Starlette): an HTML
    /// sink for each context value the template prints raw (`{{ comment|safe }}`), at the
    /// argument that passes it.
    fn template_sinks(&mut self, method: &str, pos: &[Node<'a>], kw: &[(&'a str, Node<'a>)]) {
        let literal = |n: &Node<'a>| n.kind() == "string" && !is_built(*n, self.ctx.src);
        let named = kw
            .iter()
            .find(|(k, _)| matches!(*k, "template_name_or_list" | "name"))
            .map(|(_, v)| *v);
        let Some(name_node) = pos.iter().copied().find(literal).or(named) else {
            return;
        };
        if !literal(&name_node) {
            return;
        }
        let name = unquote(self.text(name_node));
        let flask = method == "render_template";
        let outs = jinja::raw_outputs(self.ctx.file, self.ctx.src, name, flask);
        self.context_sinks(method, outs, pos, kw, flask, name_node);
    }

    /// `render_template_string(TEMPLATE, comment=...)` with a constant template (a literal
    /// or a module-level string): HTML sinks for the context values it prints raw.
    fn inline_template_sinks(
        &mut self,
        method: &str,
        arg: Node<'a>,
        pos: &[Node<'a>],
        kw: &[(&'a str, Node<'a>)],
    ) {
        let tpl = match arg.kind() {
            "identifier" => match self.consts.get(self.text(arg)) {
                Some(n) => *n,
                None => return,
            },
            _ => arg,
        };
        if tpl.kind() != "string" || is_built(tpl, self.ctx.src) {
            return;
        }
        let text = unquote(self.text(tpl));
        let first_line = tpl.start_position().row as u64 + 1;
        let outs = jinja::parse(text, true)
            .outputs
            .into_iter()
            .map(|o| jinja::RawOutput {
                var: o.var,
                attr: o.attr,
                template: self.ctx.file.path.clone(),
                line: first_line + o.line - 1,
                text: o.text,
            })
            .collect();
        self.context_sinks(method, outs, pos, kw, true, arg);
    }

    /// Reports the context values passed in `pos` / `kw` that `outs` print raw, and the
    /// request fields the template reads itself (`{{ request.args.q|safe }}`, reported
    /// at the template argument `tpl`).
    fn context_sinks(
        &mut self,
        method: &str,
        outs: Vec<jinja::RawOutput>,
        pos: &[Node<'a>],
        kw: &[(&'a str, Node<'a>)],
        flask: bool,
        tpl: Node<'a>,
    ) {
        if outs.is_empty() {
            return;
        }
        // Context entries (key, value, node the sink is reported at) and dictionaries
        // passed whole (`**ctx`, `context=ctx`; `**locals()` reads the locals).
        let mut entries: Vec<(&'a str, Node<'a>, Node<'a>)> = Vec::new();
        let mut dicts: Vec<(Option<&'a str>, Node<'a>)> = Vec::new();
        let mut add_dict =
            |e: &mut Self, d: Node<'a>, at: Node<'a>, entries: &mut Vec<_>| match d.kind() {
                "dictionary" => {
                    let mut cur = d.walk();
                    for p in d.named_children(&mut cur) {
                        let (Some(k), Some(v)) =
                            (p.child_by_field_name("key"), p.child_by_field_name("value"))
                        else {
                            continue;
                        };
                        if p.kind() == "pair" && k.kind() == "string" {
                            entries.push((unquote(e.text(k)), v, p));
                        }
                    }
                }
                "identifier" => dicts.push((Some(e.text(d)), at)),
                "call" if e.text(d).starts_with("locals(") => dicts.push((None, at)),
                _ => {}
            };
        if flask {
            for (k, v) in kw {
                entries.push((k, *v, v.parent().unwrap_or(*v)));
            }
            for a in pos {
                if a.kind() == "dictionary_splat" {
                    if let Some(d) = a.named_child(0) {
                        add_dict(self, d, *a, &mut entries);
                    }
                }
            }
        } else {
            let after = pos.iter().skip_while(|a| a.id() != tpl.id()).nth(1);
            let context = after
                .copied()
                .or_else(|| kw.iter().find(|(k, _)| *k == "context").map(|(_, v)| *v));
            if let Some(c) = context {
                add_dict(self, c, c, &mut entries);
            }
        }
        for o in outs {
            if o.var == "request" {
                let field = o.attr.as_deref().unwrap_or("");
                if matches!(
                    field,
                    "args"
                        | "form"
                        | "values"
                        | "cookies"
                        | "headers"
                        | "json"
                        | "data"
                        | "query_params"
                        | "path_params"
                        | "view_args"
                        | "query_string"
                ) {
                    let expr = o.text.trim_matches(['{', '}', ' ']).to_string();
                    let t = Taint::source(Provenance::Request, expr).with_via("template");
                    let api = format!("{method} {}:{} {}", o.template, o.line, o.text);
                    self.sink(tpl, SinkKind::Html, &api, &Val::taint(t), tpl);
                }
                continue;
            }
            let found = entries
                .iter()
                .find(|(k, _, _)| *k == o.var)
                .map(|(_, v, at)| (Some(*v), *at));
            let (val, arg, at) = match found {
                Some((Some(v), at)) => {
                    if v.kind() == "call"
                        && v.child_by_field_name("function").is_some_and(|f| {
                            matches!(self.text(f), "Markup" | "markupsafe.Markup" | "mark_safe")
                        })
                    {
                        continue; // reported at Markup()
                    }
                    (self.eval(v), v, at)
                }
                _ => {
                    let mut hit = None;
                    for (d, at) in &dicts {
                        let key = match d {
                            Some(d) => format!("{d}[{}]", o.var),
                            None => o.var.clone(),
                        };
                        if let Some(v) = self.scopes.lookup(&key) {
                            hit = Some((v.clone(), *at, *at));
                            break;
                        }
                    }
                    match hit {
                        Some(h) => h,
                        None => continue,
                    }
                }
            };
            let val = match &o.attr {
                Some(a) => val.field(a),
                None => val,
            };
            if val.is_tainted() {
                let api = format!("{method} {}:{} {}", o.template, o.line, o.text);
                self.sink(at, SinkKind::Html, &api, &val, arg);
            }
        }
    }

    /// A Flask view returning a string built from request data: served as text/html.
    fn flask_return(&mut self, ret: Node<'a>, e: Node<'a>) {
        let e = strip(e);
        let target = if e.kind() == "expression_list" {
            match e.named_child(0) {
                Some(f) => f,
                None => return,
            }
        } else {
            e
        };
        if matches!(target.kind(), "dictionary" | "call" | "list")
            && !self.text(target).contains(".format(")
        {
            return;
        }
        let v = self.eval(target);
        if let Some(t) = v.as_taint() {
            if !t.whole {
                self.sink(ret, SinkKind::Html, "return (text/html)", &v, target);
            }
        }
    }
}

impl<'a> Walk<'a> for Engine<'_, 'a> {
    fn depth(&mut self) -> &mut u32 {
        &mut self.depth
    }

    fn visit_node(&mut self, node: Node<'a>) {
        self.visit_inner(node);
    }

    fn eval_node(&mut self, node: Node<'a>) -> Val {
        self.eval_inner(node)
    }
}

impl<'a> Summarizer<'a> for Engine<'_, 'a> {
    fn helper_params(&self, f: Node<'a>) -> Vec<Node<'a>> {
        match f.child_by_field_name("parameters") {
            Some(ps) => {
                let mut cur = ps.walk();
                ps.named_children(&mut cur)
                    .filter_map(|p| param_parts(p).0)
                    .collect()
            }
            None => Vec::new(),
        }
    }

    fn summarize_once(&mut self, f: Node<'a>, params: &[Node<'a>], marked: usize) -> Vec<Val> {
        let saved = std::mem::take(&mut self.scopes);
        let saved_returns = std::mem::take(&mut self.returns);
        self.summary.active = true;
        self.scopes.push();
        for (i, n) in params.iter().enumerate() {
            let v = if i == marked {
                marked_param(i)
            } else {
                Val::Unknown
            };
            self.scopes.declare(self.text(*n), v);
        }
        self.route.push(RouteKind::None);
        if let Some(b) = f.child_by_field_name("body") {
            self.visit(b);
        }
        self.route.pop();
        self.summary.active = false;
        self.scopes = saved;
        std::mem::replace(&mut self.returns, saved_returns)
    }

    fn summaries(&mut self) -> &mut Summaries {
        &mut self.summary
    }

    fn emit_sink(&mut self, at: Node<'a>, kind: SinkKind, api: &str, val: &Val, arg: Node<'a>) {
        self.facts.sink(at, kind, api, val, arg);
    }
}

fn match_source(chain: &[Seg<'_>]) -> Option<(&'static str, Option<String>, Provenance, bool)> {
    use Seg::*;
    let at = |i: usize| chain.get(i).copied();
    let name_at = |i: usize| match at(i) {
        Some(Name(n)) => Some(n.to_string()),
        Some(Call(Some(a))) => Some(a.to_string()),
        _ => None,
    };
    // `flask.request.args` reads like `request.args`.
    if at(0) == Some(Name("flask")) && at(1) == Some(Name("request")) {
        return match_source(&chain[1..]);
    }
    let root = match at(0) {
        Some(Name(r)) => r,
        _ => return None,
    };
    let calls_after = |i: usize| chain.iter().skip(i).any(|s| matches!(s, Call(_)));
    let req = Provenance::Request;
    if matches!(root, "request" | "req" | "flask_request") {
        let Some(Name(p)) = at(1) else { return None };
        let field = match p {
            "args" | "query_params" | "GET" | "values" => Some("query"),
            "form" | "POST" | "files" => Some("form"),
            "json" => Some("json"),
            "data" | "body" => Some("body"),
            "cookies" | "COOKIES" => Some("cookies"),
            "headers" | "META" => Some("headers"),
            "view_args" | "path_params" => Some("params"),
            _ => None,
        };
        if let Some(kind) = field {
            if p == "json" && matches!(at(2), Some(Call(_))) {
                // FastAPI/Starlette `await request.json()`
                return (!calls_after(3)).then_some(("json", None, req, true));
            }
            if p == "body" && matches!(at(2), Some(Call(_))) {
                return (!calls_after(3)).then_some(("body", None, req, true));
            }
            if matches!(at(2), Some(Name("get" | "getlist")))
                && matches!(at(3), Some(Call(_)))
                && chain.len() == 4
            {
                return Some((kind, name_at(3), req, false));
            }
            if calls_after(2) {
                return None;
            }
            return Some((kind, name_at(2), req, true));
        }
        if matches!(
            p,
            "url" | "full_path" | "path" | "base_url" | "url_root" | "host_url"
        ) && !calls_after(2)
            && chain.len() == 2
        {
            return Some(("url", None, req, false));
        }
        if matches!(at(2), Some(Call(_))) && !calls_after(3) {
            return match p {
                "get_json" => Some(("json", None, req, true)),
                "get_data" => Some(("body", None, req, false)),
                "form" => Some(("form", None, req, true)),
                _ => None,
            };
        }
        return None;
    }
    // Database reads.
    let n = chain.len();
    if n >= 2 {
        if let (Some(Name(m)), Some(Call(_))) = (at(n - 2), at(n - 1)) {
            let db = Provenance::Database;
            match m {
                "fetchone" | "fetchall" | "fetchmany" => {
                    return Some(("database", None, db, false))
                }
                "first" | "all" | "one" | "one_or_none" | "scalar_one" | "scalar"
                    if chain[..n - 2]
                        .iter()
                        .any(|s| matches!(s, Name("query" | "scalars" | "execute"))) =>
                {
                    return Some(("database", None, db, false));
                }
                "execute"
                    if chain[..n - 2].contains(&Name("table"))
                        && chain[..n - 2].contains(&Name("select")) =>
                {
                    return Some(("database", None, db, false));
                }
                _ => {}
            }
        }
    }
    None
}

/// True when a query reads the schema catalog (table DDL, column lists), not user data.
fn names_schema_catalog(q: &str) -> bool {
    let l = q.to_ascii_lowercase();
    [
        "sqlite_master",
        "sqlite_schema",
        "sqlite_temp_master",
        "information_schema.",
        "pg_catalog.",
        "pg_tables",
        "pg_indexes",
        "pg_class",
        "pg_attribute",
        "pragma table_info",
        "pragma index_list",
    ]
    .iter()
    .any(|c| l.contains(c))
}

fn param_parts(p: Node<'_>) -> (Option<Node<'_>>, Option<Node<'_>>, Option<Node<'_>>) {
    match p.kind() {
        "identifier" => (Some(p), None, None),
        "typed_parameter" => {
            let name = p.named_child(0).filter(|n| n.kind() == "identifier");
            (name, p.child_by_field_name("type"), None)
        }
        "default_parameter" => (
            p.child_by_field_name("name"),
            None,
            p.child_by_field_name("value"),
        ),
        "typed_default_parameter" => (
            p.child_by_field_name("name"),
            p.child_by_field_name("type"),
            p.child_by_field_name("value"),
        ),
        _ => (None, None, None),
    }
}

fn strip(mut n: Node<'_>) -> Node<'_> {
    for _ in 0..4 {
        if matches!(n.kind(), "await" | "parenthesized_expression") {
            match n.named_child(0) {
                Some(c) => n = c,
                None => return n,
            }
        } else {
            return n;
        }
    }
    n
}

fn unquote(s: &str) -> &str {
    let s = s.trim_start_matches(['r', 'b', 'u', 'R', 'B', 'U']);
    for q in ["\"\"\"", "'''", "\"", "'"] {
        if s.len() >= 2 * q.len() && s.starts_with(q) && s.ends_with(q) {
            return &s[q.len()..s.len() - q.len()];
        }
    }
    s
}

/// A string built at runtime: an f-string with fields, `%`, `+` or `.format()`.
fn is_built(n: Node<'_>, src: &str) -> bool {
    match n.kind() {
        "string" => {
            let mut cur = n.walk();
            let found = n
                .named_children(&mut cur)
                .any(|c| c.kind() == "interpolation");
            found
        }
        "binary_operator" => true,
        "call" => n
            .child_by_field_name("function")
            .and_then(|f| src.get(f.byte_range()))
            .is_some_and(|t| t.ends_with(".format")),
        _ => false,
    }
}

fn is_db_receiver(obj: &str) -> bool {
    let last = obj.rsplit('.').next().unwrap_or(obj).to_ascii_lowercase();
    let last = last.trim_end_matches("()");
    [
        "cursor",
        "cur",
        "conn",
        "connection",
        "db",
        "session",
        "engine",
        "c",
        "con",
        "cnx",
        "database",
        "tx",
        "sqlite",
        "pool",
    ]
    .iter()
    .any(|k| last == *k || last.ends_with(k) || last.starts_with(k))
}

fn is_log_call(obj: Option<&str>, method: &str) -> bool {
    if !matches!(
        method,
        "debug"
            | "info"
            | "warning"
            | "warn"
            | "error"
            | "exception"
            | "critical"
            | "fatal"
            | "log"
    ) {
        return false;
    }
    let Some(obj) = obj else { return false };
    let last = obj.rsplit('.').next().unwrap_or(obj).to_ascii_lowercase();
    matches!(
        last.as_str(),
        "logging" | "logger" | "log" | "_logger" | "_log" | "applogger"
    )
}

fn short(s: &str) -> &str {
    if s.len() <= 48 && !s.contains('\n') {
        s
    } else {
        s.rsplit('.').next().unwrap_or(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefilter_needs_both() {
        assert!(prefilter("cursor.execute(f'select {request.args[\"q\"]}')"));
        assert!(!prefilter("def add(a, b):\n    return a + b\n"));
    }

    #[test]
    fn unquotes_python_strings() {
        assert_eq!(unquote("'q'"), "q");
        assert_eq!(unquote("\"\"\"x\"\"\""), "x");
        assert_eq!(unquote("r'x'"), "x");
    }
}
