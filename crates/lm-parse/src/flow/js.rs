//! The taint engine for JavaScript, TypeScript and their JSX dialects.

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

static SINK_WORDS: LazyLock<AhoCorasick> = LazyLock::new(|| {
    AhoCorasick::new([
        "innerHTML",
        "outerHTML",
        "insertAdjacentHTML",
        "document.write",
        "dangerouslySetInnerHTML",
        "srcdoc",
        "srcDoc",
        "href",
        "query",
        "execute",
        "$queryRaw",
        "$executeRaw",
        "raw(",
        "Raw(",
        "unsafe(",
        "console.",
        "log.",
        "logger",
        ".rpc(",
        ".or(",
        "html",
        "redirect",
        "fetch(",
        "axios",
        ".send(",
        ".write(",
        ".end(",
    ])
    .expect("static patterns")
});

static SOURCE_WORDS: LazyLock<AhoCorasick> = LazyLock::new(|| {
    AhoCorasick::new([
        "req.",
        "req,",
        "req)",
        "req:",
        "request",
        "params",
        "searchParams",
        "location",
        "URLSearchParams",
        "useSearchParams",
        "useParams",
        "useRouter",
        "useRoute",
        "$route",
        "$page",
        "formData",
        "use server",
        ".from(",
        "find",
        "document.",
        "window.name",
        "cookies(",
        "headers(",
        "event.",
        "ctx.",
        "c.req",
        "context",
        "props",
    ])
    .expect("static patterns")
});

/// True when the file may hold a source and a sink (cheap byte scan).
pub fn prefilter(src: &str) -> bool {
    SINK_WORDS.is_match(src) && SOURCE_WORDS.is_match(src)
}

/// Runs the engine over a parsed JS/TS file.
pub fn analyze(ctx: &Ctx<'_>) -> Vec<Fact> {
    let root = ctx.tree.root_node();
    let mut e = Engine::new(ctx);
    e.use_server_file = has_directive(ctx, root, "use server");
    e.collect_decls(root);
    e.scopes.push();
    e.visit(root);
    e.scopes.pop();
    // Components that received tainted props: analyse them again with those props.
    let mut props: Vec<(&str, Vec<(String, Val)>)> = e.props.drain().collect();
    props.sort_by_key(|(n, _)| *n);
    for (name, values) in props {
        if let Some(&f) = e.funcs.get(name) {
            e.component_props = Some(values);
            e.scopes.push();
            e.visit_function(f, None);
            e.scopes.pop();
        }
    }
    e.facts.into_facts()
}

fn has_directive(ctx: &Ctx<'_>, body: Node<'_>, directive: &str) -> bool {
    let mut cur = body.walk();
    for child in body.named_children(&mut cur) {
        match child.kind() {
            "comment" => continue,
            "expression_statement" => {
                let Some(s) = child.named_child(0) else {
                    return false;
                };
                if s.kind() != "string" {
                    return false;
                }
                let t = ctx.text(s);
                if t.len() >= 2 && &t[1..t.len() - 1] == directive {
                    return true;
                }
            }
            _ => return false,
        }
    }
    false
}

/// A zod schema seen in the file.
#[derive(Debug, Clone)]
struct Schema {
    strict: bool,
    strict_fields: Vec<String>,
}

struct Engine<'c, 'a> {
    ctx: &'c Ctx<'a>,
    facts: Facts<'c, 'a>,
    scopes: Scopes,
    funcs: HashMap<&'a str, Node<'a>>,
    schemas: HashMap<String, Schema>,
    setters: HashMap<String, String>,
    /// Vue reactive refs (`ref(x)`, `computed(() => x)`): `name.value` is `name`.
    vue_refs: HashSet<String>,
    /// Variables holding the Vue Router route (`const route = useRoute()`).
    route_vars: HashSet<String>,
    props: HashMap<&'a str, Vec<(String, Val)>>,
    component_props: Option<Vec<(String, Val)>>,
    use_server_file: bool,
    /// Helper summaries; `active` while summarising one (no facts, returns collected).
    summary: Summaries,
    returns: Vec<Val>,
    depth: u32,
}

/// Scope marker: this function made its response plain text or JSON.
const PLAIN_RESPONSE: &str = "\u{0}plain-response";

impl<'c, 'a> Engine<'c, 'a> {
    fn new(ctx: &'c Ctx<'a>) -> Self {
        Engine {
            ctx,
            facts: Facts::new(ctx),
            scopes: Scopes::default(),
            funcs: HashMap::new(),
            schemas: HashMap::new(),
            setters: HashMap::new(),
            vue_refs: HashSet::new(),
            route_vars: HashSet::new(),
            props: HashMap::new(),
            component_props: None,
            use_server_file: false,
            summary: Summaries::default(),
            returns: Vec::new(),
            depth: 0,
        }
    }

    fn text(&self, n: Node<'_>) -> &'a str {
        self.ctx.text(n)
    }

    // ----- declarations collected up front -----

    /// Same-file functions (by name) and zod schemas, from top-level statements.
    fn collect_decls(&mut self, root: Node<'a>) {
        let mut cur = root.walk();
        for stmt in root.named_children(&mut cur) {
            let stmt = if stmt.kind() == "export_statement" {
                match stmt
                    .child_by_field_name("declaration")
                    .or_else(|| stmt.child_by_field_name("value"))
                {
                    Some(d) => d,
                    None => continue,
                }
            } else {
                stmt
            };
            match stmt.kind() {
                "function_declaration" | "generator_function_declaration" => {
                    if let Some(n) = stmt.child_by_field_name("name") {
                        self.funcs.insert(self.text(n), stmt);
                    }
                }
                "lexical_declaration" | "variable_declaration" => {
                    let mut c2 = stmt.walk();
                    for d in stmt.named_children(&mut c2) {
                        if d.kind() != "variable_declarator" {
                            continue;
                        }
                        let (Some(n), Some(v)) = (
                            d.child_by_field_name("name"),
                            d.child_by_field_name("value"),
                        ) else {
                            continue;
                        };
                        if n.kind() != "identifier" {
                            continue;
                        }
                        let v = strip_wrappers(v);
                        match v.kind() {
                            "arrow_function" | "function_expression" | "function" => {
                                self.funcs.insert(self.text(n), v);
                            }
                            "call_expression" | "member_expression" => {
                                let t = self.text(v);
                                if t.starts_with("z.") || t.starts_with("zod.") {
                                    let s = zod_schema(self, v);
                                    self.schemas.insert(self.text(n).to_string(), s);
                                }
                            }
                            _ => {}
                        }
                    }
                }
                _ => {}
            }
        }
    }

    // ----- the walk -----

    fn visit_inner(&mut self, node: Node<'a>) {
        match node.kind() {
            "function_declaration"
            | "generator_function_declaration"
            | "function_expression"
            | "function"
            | "generator_function"
            | "arrow_function"
            | "method_definition" => {
                self.scopes.push();
                self.visit_function(node, None);
                self.scopes.pop();
            }
            "variable_declarator" => {
                let Some(value) = node.child_by_field_name("value") else {
                    return;
                };
                self.visit(value);
                let Some(pattern) = node.child_by_field_name("name") else {
                    return;
                };
                self.declarator(pattern, value);
            }
            "assignment_expression" => {
                let Some((left, right)) = left_right(node) else {
                    return;
                };
                self.visit(right);
                let val = self.eval(right);
                self.assignment_sink(node, left, right, &val);
                match left.kind() {
                    "identifier" => {
                        let name = self.text(left);
                        let mut val = val.via("assignment");
                        // `else { body = {} }`, `catch { body = {} }`: the branch before
                        // may have run instead, so its request data may still be there.
                        // (The scope lookup first: walking up parents is the costly part.)
                        if !val.is_tainted() {
                            if let Some(old) = self.scopes.lookup(name).filter(|v| v.is_tainted()) {
                                if alternative_branch(node, name, self.ctx.src) {
                                    val = old.clone();
                                }
                            }
                        }
                        self.scopes.assign(name, val);
                    }
                    "member_expression" => {
                        if let Some(r) = self.vue_ref_of(left) {
                            // `comments.value = data` (often in a callback): the ref
                            // may hold either value afterwards.
                            let old = self.scopes.lookup(r).cloned().unwrap_or(Val::Const);
                            self.scopes.assign(r, old.join(val.via("assignment")));
                        } else if let Some(path) = self.dotted(left) {
                            self.scopes.assign(&path, val.via("assignment"));
                        }
                    }
                    "object_pattern" | "array_pattern" => self.bind(left, val, true),
                    _ => {}
                }
            }
            "augmented_assignment_expression" => {
                let Some((left, right)) = left_right(node) else {
                    return;
                };
                self.visit(right);
                let rv = self.eval(right);
                let lv = self.eval(left);
                let val = lv.join(rv).via("concatenation");
                self.assignment_sink(node, left, right, &val);
                if left.kind() == "identifier" {
                    self.scopes.assign(self.text(left), val);
                }
            }
            "call_expression" => {
                self.visit_call_children(node);
                self.call_sink(node);
                self.setter_call(node);
                self.scheme_check_call(node);
                self.helper_call_statement(node);
            }
            "binary_expression" => {
                self.visit_children(node);
                self.scheme_check_comparison(node);
            }
            "new_expression" => {
                self.visit_children(node);
                self.new_sink(node);
            }
            "jsx_attribute" => {
                self.visit_children(node);
                self.jsx_attribute_sink(node);
            }
            "jsx_opening_element" | "jsx_self_closing_element" => {
                self.visit_children(node);
                self.record_props(node);
            }
            "return_statement" => {
                self.visit_children(node);
                if self.summary.active {
                    if let Some(e) = node.named_child(0) {
                        let v = self.eval(e);
                        self.returns.push(v);
                    }
                }
            }
            "for_in_statement" => {
                // `for (const row of rows)`: the loop variable holds the elements.
                if let Some((left, right)) = left_right(node) {
                    self.visit(right);
                    let v = self.eval(right).via("loop");
                    self.bind(left, v, false);
                }
                if let Some(body) = node.child_by_field_name("body") {
                    self.visit(body);
                }
            }
            "class_declaration" | "class" => self.visit_children(node),
            _ => self.visit_children(node),
        }
    }

    /// Visits a call's children; array callbacks get their element as first parameter.
    fn visit_call_children(&mut self, call: Node<'a>) {
        let func = call.child_by_field_name("function");
        let args = call.child_by_field_name("arguments");
        let mut seed: Option<Val> = None;
        if let Some(f) = func {
            self.visit(f);
            if f.kind() == "member_expression" {
                let method = f
                    .child_by_field_name("property")
                    .map(|p| self.text(p))
                    .unwrap_or("");
                if matches!(
                    method,
                    "map"
                        | "forEach"
                        | "filter"
                        | "find"
                        | "flatMap"
                        | "some"
                        | "every"
                        | "then"
                        | "findLast"
                        | "sort"
                ) {
                    if let Some(obj) = f.child_by_field_name("object") {
                        let v = self.eval(obj);
                        if v != Val::Unknown {
                            seed = Some(v.via("callback"));
                        }
                    }
                }
            }
        }
        if let Some(args) = args {
            let mut cur = args.walk();
            let children: Vec<Node<'a>> = args.named_children(&mut cur).collect();
            for (i, a) in children.into_iter().enumerate() {
                if i == 0 && seed.is_some() && is_function_kind(a.kind()) {
                    self.scopes.push();
                    self.visit_function(a, seed.take());
                    self.scopes.pop();
                } else {
                    self.visit(a);
                }
            }
        }
    }

    /// Binds parameters and walks a function body (the caller pushed a scope).
    fn visit_function(&mut self, f: Node<'a>, seed: Option<Val>) {
        let params = f
            .child_by_field_name("parameters")
            .or_else(|| f.child_by_field_name("parameter"));
        let body = f.child_by_field_name("body");
        let action = self.is_server_action(f, body);
        let props = self.component_props.take();
        if let Some(params) = params {
            let list: Vec<Node<'a>> = if params.kind() == "formal_parameters" {
                let mut cur = params.walk();
                params.named_children(&mut cur).collect()
            } else {
                vec![params]
            };
            let mut seed = seed;
            for (i, p) in list.into_iter().enumerate() {
                if matches!(p.kind(), "comment" | "this") {
                    continue;
                }
                let pattern = param_pattern(p);
                if i == 0 {
                    if let Some(s) = seed.take() {
                        self.bind(pattern, s, false);
                        continue;
                    }
                    if let Some(props) = &props {
                        self.bind_props(pattern, props);
                        continue;
                    }
                }
                if action {
                    let name = self.text(pattern).to_string();
                    if !self.summary.active {
                        self.facts
                            .input(pattern, "action_arg", None, Some(name.clone()));
                    }
                    let t = Taint::source(Provenance::Request, name);
                    self.bind(pattern, Val::taint(t), false);
                    continue;
                }
                self.bind_param(pattern);
            }
        }
        let Some(body) = body else { return };
        if body.kind() == "statement_block" {
            self.visit(body);
        } else {
            self.visit(body);
            if self.summary.active {
                let v = self.eval(body);
                self.returns.push(v);
            }
        }
    }

    fn is_server_action(&self, f: Node<'a>, body: Option<Node<'a>>) -> bool {
        if let Some(b) = body {
            if b.kind() == "statement_block" && has_directive(self.ctx, b, "use server") {
                return true;
            }
        }
        if !self.use_server_file {
            return false;
        }
        // Exported: `export async function a()`, `export const a = async () => {}`.
        let mut p = f.parent();
        for _ in 0..3 {
            match p {
                Some(n) if n.kind() == "export_statement" => return true,
                Some(n)
                    if matches!(
                        n.kind(),
                        "variable_declarator" | "lexical_declaration" | "variable_declaration"
                    ) =>
                {
                    p = n.parent()
                }
                _ => return false,
            }
        }
        false
    }

    /// The key and binding target of an object-pattern entry (`{ a }`, `{ a: b }`,
    /// `{ a = 1 }`): `None` for other entries (`...rest`), `Some(None)` for an
    /// incomplete keyed one.
    fn pattern_entry(&self, c: Node<'a>) -> Option<Option<(&'a str, Node<'a>)>> {
        Some(match c.kind() {
            "shorthand_property_identifier_pattern" => Some((self.text(c), c)),
            "pair_pattern" => {
                match (c.child_by_field_name("key"), c.child_by_field_name("value")) {
                    (Some(k), Some(v)) => Some((self.text(k), v)),
                    _ => None,
                }
            }
            "object_assignment_pattern" => c.child_by_field_name("left").map(|l| (self.text(l), l)),
            _ => return None,
        })
    }

    /// Binds a plain parameter: Next.js `{ params, searchParams }` are request input,
    /// anything else shadows outer names.
    fn bind_param(&mut self, pattern: Node<'a>) {
        if pattern.kind() == "object_pattern" {
            let mut cur = pattern.walk();
            for c in pattern.named_children(&mut cur) {
                let (key, target) = match self.pattern_entry(c) {
                    Some(Some(entry)) => entry,
                    Some(None) => continue,
                    None => {
                        self.bind(c, Val::Unknown, false);
                        continue;
                    }
                };
                let source = match key {
                    "params" => Some("params"),
                    "searchParams" => Some("search_params"),
                    _ => None,
                };
                match source {
                    Some(s) => {
                        if !self.summary.active {
                            self.facts.input(c, s, None, Some(key.to_string()));
                        }
                        let t = Taint::source(Provenance::Request, key);
                        self.bind(target, Val::taint(t), false);
                    }
                    None => self.bind(target, Val::Unknown, false),
                }
            }
        } else {
            self.bind(pattern, Val::Unknown, false);
        }
    }

    fn bind_props(&mut self, pattern: Node<'a>, props: &[(String, Val)]) {
        match pattern.kind() {
            "identifier" => {
                let base = self.text(pattern).to_string();
                self.scopes.declare(&base, Val::Unknown);
                for (k, v) in props {
                    self.scopes
                        .declare(&format!("{base}.{k}"), v.clone().via("prop"));
                }
            }
            "object_pattern" => {
                let mut cur = pattern.walk();
                for c in pattern.named_children(&mut cur) {
                    let Some(Some((key, target))) = self.pattern_entry(c) else {
                        continue;
                    };
                    let v = props
                        .iter()
                        .find(|(k, _)| k == key)
                        .map(|(_, v)| v.clone().via("prop"))
                        .unwrap_or(Val::Unknown);
                    self.bind(target, v, false);
                }
            }
            _ => {}
        }
    }

    fn declarator(&mut self, pattern: Node<'a>, value: Node<'a>) {
        let stripped = strip_wrappers(value);
        // `const [html, setHtml] = useState(x)`
        if pattern.kind() == "array_pattern" && stripped.kind() == "call_expression" {
            let callee = stripped
                .child_by_field_name("function")
                .map(|f| self.text(f))
                .unwrap_or("");
            if callee == "useState" || callee == "React.useState" {
                let mut cur = pattern.walk();
                let names: Vec<Node<'a>> = pattern.named_children(&mut cur).collect();
                let init = first_arg(stripped)
                    .map(|a| self.eval(a))
                    .unwrap_or(Val::Const);
                if let Some(state) = names.first().filter(|n| n.kind() == "identifier") {
                    self.scopes.declare(self.text(*state), init);
                    if let Some(setter) = names.get(1).filter(|n| n.kind() == "identifier") {
                        self.setters.insert(
                            self.text(*setter).to_string(),
                            self.text(*state).to_string(),
                        );
                    }
                }
                return;
            }
        }
        if pattern.kind() == "identifier" && stripped.kind() == "call_expression" {
            if let Some(v) = self.vue_reactive(stripped) {
                let name = self.text(pattern);
                self.vue_refs.insert(name.to_string());
                self.scopes.declare(name, v);
                return;
            }
            if self.text(stripped).replace(char::is_whitespace, "") == "useRoute()" {
                self.route_vars.insert(self.text(pattern).to_string());
            }
        }
        let val = self.eval(value);
        if pattern.kind() == "identifier" {
            let name = self.text(pattern);
            self.facts.name_input_var(stripped, name);
            if stripped.kind() == "object" {
                self.bind_object_fields(name, stripped);
            }
            self.scopes.declare(name, val.via("assignment"));
        } else {
            self.bind(pattern, val, false);
        }
    }

    /// `const o = { a: x }`: remembers `o.a` separately (object field flow).
    fn bind_object_fields(&mut self, base: &str, obj: Node<'a>) {
        let mut cur = obj.walk();
        for c in obj.named_children(&mut cur) {
            match c.kind() {
                "pair" => {
                    let (Some(k), Some(v)) =
                        (c.child_by_field_name("key"), c.child_by_field_name("value"))
                    else {
                        continue;
                    };
                    let key = unquote(self.text(k));
                    let val = self.eval(v);
                    self.scopes.declare(&format!("{base}.{key}"), val);
                }
                "shorthand_property_identifier" => {
                    let key = self.text(c);
                    let val = self.scopes.lookup(key).cloned().unwrap_or_default();
                    self.scopes.declare(&format!("{base}.{key}"), val);
                }
                _ => {}
            }
        }
    }

    /// Binds every name in a pattern to (fields of) `val`.
    fn bind(&mut self, pattern: Node<'a>, val: Val, assign: bool) {
        match pattern.kind() {
            "identifier" | "shorthand_property_identifier_pattern" => {
                let name = self.text(pattern);
                let v = if pattern.kind() == "shorthand_property_identifier_pattern" {
                    val
                } else {
                    val.via("assignment")
                };
                if assign {
                    self.scopes.assign(name, v);
                } else {
                    self.scopes.declare(name, v);
                }
            }
            "object_pattern" => {
                let mut cur = pattern.walk();
                for c in pattern.named_children(&mut cur) {
                    match c.kind() {
                        "shorthand_property_identifier_pattern" => {
                            let key = self.text(c);
                            let v = val.clone().field(key).via("destructuring");
                            self.bind(c, v, assign);
                        }
                        "pair_pattern" => {
                            let (Some(k), Some(v)) =
                                (c.child_by_field_name("key"), c.child_by_field_name("value"))
                            else {
                                continue;
                            };
                            let key = unquote(self.text(k));
                            let fv = val.clone().field(key).via("destructuring");
                            self.bind(v, fv, assign);
                        }
                        "object_assignment_pattern" => {
                            let Some(l) = c.child_by_field_name("left") else {
                                continue;
                            };
                            let key = self.text(l);
                            let dv = c
                                .child_by_field_name("right")
                                .map(|r| self.eval(r))
                                .unwrap_or(Val::Const);
                            let fv = val.clone().field(key).via("destructuring").join(dv);
                            self.bind(l, fv, assign);
                        }
                        "rest_pattern" => {
                            if let Some(inner) = c.named_child(0) {
                                self.bind(inner, val.clone(), assign);
                            }
                        }
                        _ => {}
                    }
                }
            }
            "array_pattern" => {
                let mut cur = pattern.walk();
                let items: Vec<Node<'a>> = pattern.named_children(&mut cur).collect();
                for c in items {
                    self.bind(c, val.clone().via("destructuring"), assign);
                }
            }
            "assignment_pattern" => {
                let Some(l) = pattern.child_by_field_name("left") else {
                    return;
                };
                let dv = pattern
                    .child_by_field_name("right")
                    .map(|r| self.eval(r))
                    .unwrap_or(Val::Const);
                self.bind(l, val.join(dv), assign);
            }
            "rest_pattern" => {
                if let Some(inner) = pattern.named_child(0) {
                    self.bind(inner, val, assign);
                }
            }
            "required_parameter" | "optional_parameter" => {
                let p = param_pattern(pattern);
                if p != pattern {
                    self.bind(p, val, assign);
                }
            }
            _ => {}
        }
    }

    /// `a.b.c` as a dotted name, when it is one (identifiers and `this`).
    fn dotted(&self, node: Node<'a>) -> Option<String> {
        match node.kind() {
            "identifier" | "this" => Some(self.text(node).to_string()),
            "member_expression" => {
                let obj = node.child_by_field_name("object")?;
                let prop = node.child_by_field_name("property")?;
                let mut s = self.dotted(obj)?;
                s.push('.');
                s.push_str(self.text(prop));
                Some(s)
            }
            _ => None,
        }
    }

    // ----- evaluation -----

    fn eval_inner(&mut self, node: Node<'a>) -> Val {
        match node.kind() {
            "string"
            | "number"
            | "true"
            | "false"
            | "null"
            | "undefined"
            | "regex"
            | "template_literal_type" => Val::Const,
            "template_string" => {
                let mut acc = Val::Const;
                let mut cur = node.walk();
                let subs: Vec<Node<'a>> = node
                    .named_children(&mut cur)
                    .filter(|c| c.kind() == "template_substitution")
                    .collect();
                let literal_start = {
                    let t = self.text(node);
                    let inner = t.strip_prefix('`').unwrap_or(t);
                    !inner.starts_with("${") && !inner.starts_with('`')
                };
                let mut leading: Option<Val> = None;
                for s in subs {
                    if let Some(e) = s.named_child(0) {
                        let v = self.eval(e);
                        if leading.is_none() {
                            leading = Some(v.clone());
                        }
                        acc = acc.join(v);
                    }
                }
                let fixed = literal_start || leading.is_none_or(|v| !url_controlled(&v));
                fix_url_prefix(stringify(acc).via("template literal"), fixed)
            }
            "identifier" => {
                let name = self.text(node);
                if name == "undefined" || name == "NaN" {
                    return Val::Const;
                }
                self.scopes.lookup(name).cloned().unwrap_or_default()
            }
            "member_expression" => self.eval_member(node),
            "subscript_expression" => {
                if let Some(v) = self.source(node) {
                    return v;
                }
                let Some(obj) = node.child_by_field_name("object") else {
                    return Val::Unknown;
                };
                let key = node
                    .child_by_field_name("index")
                    .filter(|i| i.kind() == "string")
                    .map(|i| unquote(self.text(i)).to_string());
                if let (Some(k), Some(base)) = (&key, self.dotted(obj)) {
                    if let Some(v) = self.scopes.lookup(&format!("{base}.{k}")) {
                        return v.clone();
                    }
                }
                let v = self.eval(obj);
                v.field(key.as_deref().unwrap_or(""))
            }
            "call_expression" => self.eval_call(node),
            "new_expression" => self.eval_new(node),
            "await_expression"
            | "parenthesized_expression"
            | "as_expression"
            | "non_null_expression"
            | "satisfies_expression"
            | "type_assertion"
            | "spread_element" => match last_named(node) {
                Some(e) => self.eval(e),
                None => Val::Unknown,
            },
            "binary_expression" => {
                let op = node
                    .child_by_field_name("operator")
                    .map(|o| self.text(o))
                    .unwrap_or("");
                let l = node.child_by_field_name("left");
                let r = node.child_by_field_name("right");
                match op {
                    "+" => {
                        let lv = l.map(|n| self.eval(n)).unwrap_or_default();
                        let rv = r.map(|n| self.eval(n)).unwrap_or_default();
                        // The left operand decides a URL's scheme.
                        let fixed = !url_controlled(&lv);
                        fix_url_prefix(stringify(lv.join(rv)).via("concatenation"), fixed)
                    }
                    "||" | "??" => {
                        let lv = l.map(|n| self.eval(n)).unwrap_or_default();
                        let rv = r.map(|n| self.eval(n)).unwrap_or_default();
                        lv.join(rv)
                    }
                    "&&" => r.map(|n| self.eval(n)).unwrap_or_default(),
                    _ => Val::Const,
                }
            }
            "ternary_expression" => {
                let cons = node.child_by_field_name("consequence");
                let alt = node.child_by_field_name("alternative");
                // `ALLOWED.includes(sort) ? sort : 'name'` (or the negated form): the
                // branch taken on membership is one of the allow list's own values.
                let member = node
                    .child_by_field_name("condition")
                    .and_then(|c| self.allow_list_test(c))
                    .and_then(|(negated, tested)| {
                        let branch = if negated { alt } else { cons }?;
                        (self.text(strip_wrappers(branch)) == tested).then_some(branch)
                    });
                let a = cons.map(|n| self.eval(n)).unwrap_or_default();
                let b = alt.map(|n| self.eval(n)).unwrap_or_default();
                match member {
                    Some(m) if Some(m) == cons => a.validate("allow-list membership").join(b),
                    Some(_) => a.join(b.validate("allow-list membership")),
                    None => a.join(b),
                }
            }
            "unary_expression" => {
                let op = node
                    .child_by_field_name("operator")
                    .map(|o| self.text(o))
                    .unwrap_or("");
                if op == "+" || op == "-" || op == "~" {
                    let v = node
                        .child_by_field_name("argument")
                        .map(|a| self.eval(a))
                        .unwrap_or_default();
                    v.validate("Number")
                } else {
                    Val::Const
                }
            }
            "update_expression" => Val::Const,
            "object" => {
                let mut acc = Val::Const;
                let mut cur = node.walk();
                let items: Vec<Node<'a>> = node.named_children(&mut cur).collect();
                for c in items {
                    let v = match c.kind() {
                        "pair" => c
                            .child_by_field_name("value")
                            .map(|v| self.eval(v))
                            .unwrap_or_default(),
                        "shorthand_property_identifier" => self
                            .scopes
                            .lookup(self.text(c))
                            .cloned()
                            .unwrap_or_default(),
                        "spread_element" => self.eval(c),
                        _ => Val::Const,
                    };
                    acc = acc.join(v);
                }
                acc
            }
            "array" => self.eval_children(node),
            "arrow_function" | "function_expression" | "function" | "class" => Val::Const,
            "assignment_expression" => match node.child_by_field_name("right") {
                Some(r) => self.eval(r),
                None => Val::Unknown,
            },
            "sequence_expression" => match last_named(node) {
                Some(e) => self.eval(e),
                None => Val::Unknown,
            },
            _ => Val::Unknown,
        }
    }

    fn eval_member(&mut self, node: Node<'a>) -> Val {
        let prop = node
            .child_by_field_name("property")
            .map(|p| self.text(p))
            .unwrap_or("");
        if matches!(prop, "length" | "size" | "byteLength") {
            return Val::Const;
        }
        if let Some(r) = self.vue_ref_of(node) {
            return self.scopes.lookup(r).cloned().unwrap_or_default();
        }
        if let Some(v) = self.source(node) {
            return v;
        }
        if let Some(path) = self.dotted(node) {
            if let Some(v) = self.scopes.lookup(&path) {
                return v.clone();
            }
        }
        let Some(obj) = node.child_by_field_name("object") else {
            return Val::Unknown;
        };
        let v = self.eval(obj);
        // The server's own origin in `new URL(req.url)` is not attacker data worth
        // reporting (it comes from the Host the attacker sends to themselves).
        if matches!(prop, "origin" | "protocol" | "host" | "hostname" | "port")
            && v.as_taint()
                .is_some_and(|t| t.source_expr.starts_with("new URL("))
        {
            return Val::Unknown;
        }
        // The serialised parts of `new URL(req.url)` are percent-encoded: no CR/LF.
        if matches!(prop, "pathname" | "href" | "search" | "hash")
            && v.as_taint()
                .is_some_and(|t| t.whole && t.source_expr.starts_with("new URL("))
        {
            return v.field(prop).sanitize(NO_CRLF_URL, kinds::LOG);
        }
        v.field(prop)
    }

    fn eval_new(&mut self, node: Node<'a>) -> Val {
        let ctor = node
            .child_by_field_name("constructor")
            .map(|c| self.text(c))
            .unwrap_or("");
        let arg = node
            .child_by_field_name("arguments")
            .and_then(|a| a.named_child(0));
        match ctor {
            "URL" | "URLSearchParams" => {
                let Some(a) = arg else { return Val::Const };
                let t = self.text(a);
                if ctor == "URL" && is_request_url(t) {
                    if !self.summary.active {
                        self.facts.input(node, "search_params", None, None);
                    }
                    let mut taint = Taint::source(Provenance::Request, self.ctx.short(node, 80));
                    taint.whole = true;
                    return Val::taint(taint);
                }
                self.eval(a)
            }
            "String" | "Date" => arg.map(|a| self.eval(a)).unwrap_or(Val::Const),
            _ => Val::Unknown,
        }
    }

    fn eval_call(&mut self, node: Node<'a>) -> Val {
        let Some(func) = node.child_by_field_name("function") else {
            return Val::Unknown;
        };
        let args = node.child_by_field_name("arguments");
        if args.is_some_and(|a| a.kind() == "template_string") {
            // Tagged template: the tag receives the values separately (sql`...`).
            return Val::Const;
        }
        if let Some(v) = self.source(node) {
            return v;
        }
        let callee = self.text(func);
        let arg_nodes: Vec<Node<'a>> = match args {
            Some(a) => {
                let mut cur = a.walk();
                a.named_children(&mut cur)
                    .filter(|c| c.kind() != "comment")
                    .collect()
            }
            None => Vec::new(),
        };
        let method = if func.kind() == "member_expression" {
            func.child_by_field_name("property").map(|p| self.text(p))
        } else {
            None
        };
        let last = method.unwrap_or(callee);

        // Validators and conversions.
        if matches!(
            callee,
            "parseInt"
                | "parseFloat"
                | "Number"
                | "Number.parseInt"
                | "Number.parseFloat"
                | "Boolean"
                | "BigInt"
                | "Math.floor"
                | "Math.round"
                | "Math.ceil"
                | "Math.abs"
                | "Math.min"
                | "Math.max"
                | "Date.parse"
                | "isNaN"
                | "Number.isInteger"
                | "Number.isFinite"
        ) {
            let v = arg_nodes.first().map(|a| self.eval(*a)).unwrap_or_default();
            return v.validate(callee);
        }
        if matches!(
            last,
            "parse" | "parseAsync" | "safeParse" | "safeParseAsync"
        ) {
            if let Some(schema) = self.schema_of(func) {
                let v = arg_nodes.first().map(|a| self.eval(*a)).unwrap_or_default();
                return if schema.strict {
                    v.validate("zod schema")
                } else {
                    match v {
                        Val::Tainted(mut t) => {
                            t.strict_fields = schema.strict_fields.clone();
                            t.whole = true;
                            Val::Tainted(t)
                        }
                        other => other,
                    }
                };
            }
        }
        if callee == "JSON.stringify" {
            let v = arg_nodes.first().map(|a| self.eval(*a)).unwrap_or_default();
            return v.sanitize("JSON.stringify", kinds::LOG);
        }
        if let Some(mask) = sanitizer_mask(callee) {
            let v = arg_nodes.first().map(|a| self.eval(*a)).unwrap_or_default();
            return sanitized_any(v, callee, mask);
        }
        // Same-file helpers (one level).
        if func.kind() == "identifier" {
            if let Some(&f) = self.funcs.get(callee) {
                if !self.summary.active {
                    return self.apply_summary(f, callee, &arg_nodes);
                }
            }
        }
        // Decoding brings back the CR/LF that encoding kept out.
        if matches!(callee, "decodeURIComponent" | "decodeURI" | "unescape") {
            return match self.eval_join(&arg_nodes) {
                Val::Tainted(mut t) => {
                    t.sanitizers
                        .retain(|(n, _)| n != NO_CRLF_URL && n != NO_CRLF_HEADER);
                    Val::taint(t.with_via(&format!("call {callee}")))
                }
                v => v,
            };
        }
        // Known string-to-string functions.
        if matches!(
            callee,
            "String"
                | "decodeURIComponent"
                | "decodeURI"
                | "unescape"
                | "atob"
                | "marked"
                | "marked.parse"
                | "md.render"
                | "markdown.toHTML"
                | "converter.makeHtml"
                | "util.format"
                | "format"
                | "path.join"
                | "Buffer.from"
                | "Object.assign"
                | "Object.values"
                | "Object.entries"
                | "Object.keys"
                | "Array.from"
                | "JSON.parse"
                | "structuredClone"
                | "String.raw"
        ) {
            return self.eval_join(&arg_nodes).via(&format!("call {callee}"));
        }
        // Methods: the receiver's value flows through.
        if let Some(m) = method {
            let Some(obj) = func.child_by_field_name("object") else {
                return Val::Unknown;
            };
            let rv = self.eval(obj);
            // `xs.map(x => Number(x))`: the callback's result is what flows on.
            if matches!(m, "map" | "flatMap") && rv.is_tainted() {
                if let Some(cb) = arg_nodes.first().filter(|a| a.kind() == "arrow_function") {
                    if let Some(body) = cb
                        .child_by_field_name("body")
                        .filter(|b| b.kind() != "statement_block")
                    {
                        let param = cb
                            .child_by_field_name("parameters")
                            .and_then(|p| p.named_child(0))
                            .or_else(|| cb.child_by_field_name("parameter"));
                        self.scopes.push();
                        if let Some(p) = param {
                            self.bind(param_pattern(p), rv.clone().via("callback"), false);
                        }
                        let r = self.eval(body);
                        self.scopes.pop();
                        return r;
                    }
                }
            }
            if matches!(
                m,
                "length"
                    | "indexOf"
                    | "lastIndexOf"
                    | "includes"
                    | "startsWith"
                    | "endsWith"
                    | "test"
                    | "has"
                    | "some"
                    | "every"
                    | "findIndex"
                    | "localeCompare"
                    | "charCodeAt"
                    | "getTime"
                    | "count"
                    | "isValid"
                    | "toFixed"
            ) {
                return Val::Const;
            }
            if m == "concat" {
                let mut acc = rv;
                for a in &arg_nodes {
                    let v = self.eval(*a);
                    acc = acc.join(v);
                }
                return stringify(acc).via("concatenation");
            }
            if matches!(m, "replace" | "replaceAll") {
                // `s.replace(/[^0-9]/g, '')`: only the kept characters remain.
                if let (Some(pat), Some(with)) = (arg_nodes.first(), arg_nodes.get(1)) {
                    if pat.kind() == "regex" && with.kind() == "string" {
                        let kept = unquote(self.text(*with));
                        if let Some(mask) = allow_list_mask(self.text(*pat), kept) {
                            let v = stringify(rv);
                            return if mask == 0 {
                                v
                            } else {
                                v.sanitize("replace(allow-list)", mask)
                            };
                        }
                    }
                }
                if let (Some(pat), Some(with)) = (arg_nodes.first(), arg_nodes.get(1)) {
                    if with.kind() == "string" && strips_commas(self.text(*pat), self.text(*with)) {
                        return stringify(rv).sanitize("replace(,)", kinds::FILTER);
                    }
                }
                if let Some(pat) = arg_nodes.first() {
                    let p = self.text(*pat);
                    if p.contains("\\n") || p.contains("\\r") || p.contains("\\s") {
                        return stringify(rv).sanitize("replace(newlines)", kinds::LOG);
                    }
                    if p.contains('<') && p.contains('>') {
                        return stringify(rv).sanitize("replace(<>)", kinds::HTML);
                    }
                }
                // The replacement text flows into the result.
                let with = match arg_nodes.get(1) {
                    Some(a) if !is_function_kind(a.kind()) => self.eval(*a),
                    _ => Val::Const,
                };
                return stringify(rv.join(with.via("replace")));
            }
            if let Val::Tainted(mut t) = rv {
                if m == "get" || m == "getAll" {
                    if t.whole {
                        t.source_expr = self.ctx.short(node, 80);
                    }
                    t.whole = false;
                    t.strict_fields.clear();
                    return Val::Tainted(t);
                }
                if matches!(
                    m,
                    "toString"
                        | "trim"
                        | "toLowerCase"
                        | "toUpperCase"
                        | "slice"
                        | "substring"
                        | "substr"
                        | "join"
                        | "split"
                        | "padStart"
                        | "padEnd"
                        | "trimStart"
                        | "trimEnd"
                        | "normalize"
                        | "at"
                        | "charAt"
                ) {
                    t.whole = false;
                }
                return Val::Tainted(t);
            }
            return if rv == Val::Const && m != "then" {
                Val::Const
            } else {
                Val::Unknown
            };
        }
        Val::Unknown
    }

    fn schema_of(&self, func: Node<'a>) -> Option<Schema> {
        let obj = func.child_by_field_name("object")?;
        if obj.kind() == "identifier" {
            return self.schemas.get(self.text(obj)).cloned();
        }
        let t = self.text(obj);
        if t.starts_with("z.") {
            return Some(zod_schema(self, obj));
        }
        None
    }

    /// A call to a same-file helper whose result is not used (`runQuery(sql)`):
    /// evaluating it reports the sinks inside the helper that the arguments reach.
    fn helper_call_statement(&mut self, call: Node<'a>) {
        if self.summary.active {
            return;
        }
        let Some(f) = call.child_by_field_name("function") else {
            return;
        };
        if f.kind() == "identifier" && self.funcs.contains_key(self.text(f)) {
            let _ = self.eval(call);
        }
    }

    // ----- Vue -----

    /// `ref(x)`, `shallowRef(x)`: x; `computed(() => x)`: x. None for other calls.
    fn vue_reactive(&mut self, call: Node<'a>) -> Option<Val> {
        let callee = call
            .child_by_field_name("function")
            .map(|f| self.text(f))
            .unwrap_or("");
        // Vue's take one argument (`ref(db, 'path')` is Firebase's).
        let args = call.child_by_field_name("arguments")?;
        if args.named_child_count() > 1 {
            return None;
        }
        match callee {
            "ref" | "shallowRef" => {
                Some(first_arg(call).map(|a| self.eval(a)).unwrap_or(Val::Const))
            }
            "computed" => {
                let f = first_arg(call).filter(|a| is_function_kind(a.kind()))?;
                let body = f.child_by_field_name("body")?;
                if body.kind() == "statement_block" {
                    // A getter with statements: only a lone `return x` is followed.
                    let mut cur = body.walk();
                    let stmts: Vec<Node<'a>> = body.named_children(&mut cur).collect();
                    return Some(match stmts.as_slice() {
                        [r] if r.kind() == "return_statement" => {
                            r.named_child(0).map(|e| self.eval(e)).unwrap_or(Val::Const)
                        }
                        _ => Val::Unknown,
                    });
                }
                Some(self.eval(body))
            }
            _ => None,
        }
    }

    /// The ref a `name.value` expression reads, when `name` is a Vue ref.
    fn vue_ref_of(&self, node: Node<'a>) -> Option<&'a str> {
        if node.kind() != "member_expression" {
            return None;
        }
        let prop = node.child_by_field_name("property")?;
        let obj = node.child_by_field_name("object")?;
        (obj.kind() == "identifier" && self.text(prop) == "value")
            .then(|| self.text(obj))
            .filter(|n| self.vue_refs.contains(*n))
    }

    // ----- sources -----

    /// Recognises a request, URL-state or database source at `node` (a member,
    /// subscript or call expression) and records its `input` fact.
    fn source(&mut self, node: Node<'a>) -> Option<Val> {
        let mut chain = self.chain(node)?;
        // Vue Router: `route.query.q` (route = useRoute()), `useRoute().query.q`,
        // `this.$route.query.q` all read `$route`.
        match chain.as_slice() {
            [Seg::Name(r), ..] if self.route_vars.contains(*r) => {
                chain[0] = Seg::Name("$route");
            }
            [Seg::Name("this"), Seg::Name("$route"), ..] => {
                chain.remove(0);
            }
            [Seg::Name("useRoute"), Seg::Call(None), ..] => {
                chain.splice(0..2, [Seg::Name("$route")]);
            }
            _ => {}
        }
        let hit = match_source(&chain)?;
        if !self.summary.active && hit.origin == Provenance::Request {
            self.facts.input(node, hit.kind, hit.name.clone(), None);
        }
        let mut t = Taint::source(hit.origin, self.ctx.short(node, 80));
        t.whole = hit.name.is_none() && hit.whole;
        if hit.kind == "url" && hit.same_origin_url {
            // The page's own URL is http(s): navigating to it cannot run script.
            t = t.sanitized("same-origin URL", kinds::URL);
        }
        if hit.kind == "headers" {
            // HTTP servers reject CR/LF in header values: they cannot forge log lines.
            t = t.sanitized(NO_CRLF_HEADER, kinds::LOG);
        }
        let hook = matches!(
            chain.first(),
            Some(Seg::Name(
                "useSearchParams" | "useParams" | "useRouter" | "$route" | "$page"
            ))
        );
        if hit.kind == "url" || hook {
            // Only a browser has these: its console is not a server log, and a
            // PostgREST filter built from them runs with the visitor's own rights (who
            // can send any filter anyway).
            t = t.sanitized(BROWSER_ONLY, kinds::LOG | kinds::FILTER);
        }
        Some(Val::taint(t))
    }

    /// The access chain of an expression: root identifier then properties, string
    /// subscripts and calls (`c.req.param('id')` → c, req, param, call(id)).
    fn chain(&self, node: Node<'a>) -> Option<Vec<Seg<'a>>> {
        let mut segs = Vec::new();
        let mut cur = node;
        for _ in 0..12 {
            match cur.kind() {
                "identifier" | "this" => {
                    segs.push(Seg::Name(self.text(cur)));
                    segs.reverse();
                    return Some(segs);
                }
                "member_expression" => {
                    let p = cur.child_by_field_name("property")?;
                    segs.push(Seg::Name(self.text(p)));
                    cur = cur.child_by_field_name("object")?;
                }
                "subscript_expression" => {
                    let i = cur.child_by_field_name("index")?;
                    if i.kind() == "string" {
                        segs.push(Seg::Name(unquote(self.text(i))));
                    } else {
                        segs.push(Seg::Index);
                    }
                    cur = cur.child_by_field_name("object")?;
                }
                "call_expression" => {
                    let args = cur.child_by_field_name("arguments")?;
                    let first = args
                        .named_child(0)
                        .filter(|a| a.kind() == "string")
                        .map(|a| unquote(self.text(a)));
                    segs.push(Seg::Call(first));
                    cur = cur.child_by_field_name("function")?;
                }
                "await_expression" | "parenthesized_expression" | "non_null_expression" => {
                    cur = last_named(cur)?;
                }
                _ => return None,
            }
        }
        None
    }

    // ----- sinks -----

    fn assignment_sink(&mut self, node: Node<'a>, left: Node<'a>, right: Node<'a>, val: &Val) {
        if left.kind() != "member_expression" {
            if left.kind() == "identifier" && self.text(left) == "location" && val.is_tainted() {
                self.sink(node, SinkKind::Redirect, "location", val, right);
            }
            return;
        }
        let prop = left
            .child_by_field_name("property")
            .map(|p| self.text(p))
            .unwrap_or("");
        match prop {
            "innerHTML" | "outerHTML" | "srcdoc" if *val != Val::Const => {
                self.sink(node, SinkKind::Html, prop, val, right);
            }
            "href" | "location" => {
                let t = self.text(left);
                if (t.ends_with("location.href") || t.ends_with(".location"))
                    && val.is_tainted()
                    && !has_literal_prefix(self, right)
                {
                    self.sink(node, SinkKind::Redirect, "location.href", val, right);
                }
            }
            _ => {}
        }
    }

    fn call_sink(&mut self, node: Node<'a>) {
        let Some(func) = node.child_by_field_name("function") else {
            return;
        };
        let Some(args) = node.child_by_field_name("arguments") else {
            return;
        };
        if args.kind() == "template_string" {
            return;
        }
        let mut cur = args.walk();
        let arg_nodes: Vec<Node<'a>> = args
            .named_children(&mut cur)
            .filter(|c| c.kind() != "comment")
            .collect();
        if arg_nodes.is_empty() {
            return;
        }
        let callee = self.text(func);
        let (obj, method) = if func.kind() == "member_expression" {
            (
                func.child_by_field_name("object"),
                func.child_by_field_name("property")
                    .map(|p| self.text(p))
                    .unwrap_or(""),
            )
        } else {
            (None, callee)
        };
        let obj_text = obj.map(|o| self.text(o)).unwrap_or("");

        // HTML
        if method == "insertAdjacentHTML" && arg_nodes.len() >= 2 {
            let v = self.eval(arg_nodes[1]);
            if v != Val::Const {
                self.sink(node, SinkKind::Html, "insertAdjacentHTML", &v, arg_nodes[1]);
            }
            return;
        }
        if matches!(
            callee,
            "location.assign"
                | "location.replace"
                | "window.location.assign"
                | "window.location.replace"
                | "window.open"
        ) {
            let a = arg_nodes[0];
            let v = self.eval(a);
            if v.is_tainted() && !has_literal_prefix(self, a) {
                self.sink(node, SinkKind::Redirect, callee, &v, a);
            }
            return;
        }
        if matches!(callee, "document.write" | "document.writeln") {
            let v = self.eval(arg_nodes[0]);
            if v != Val::Const {
                self.sink(node, SinkKind::Html, callee, &v, arg_nodes[0]);
            }
            return;
        }
        if method == "html" && arg_nodes.len() == 1 && is_jquery(self, obj) {
            let v = self.eval(arg_nodes[0]);
            if v.is_tainted() {
                self.sink(node, SinkKind::Html, "$().html", &v, arg_nodes[0]);
            }
            return;
        }
        // `res.type('text/plain')`, `res.set('Content-Type', 'application/json')`: the
        // response is not HTML any more.
        if matches!(
            method,
            "set" | "setHeader" | "header" | "type" | "contentType"
        ) && is_response_object(obj_text)
        {
            let t = self.text(args).to_ascii_lowercase();
            if (method != "type" && method != "contentType" && !t.contains("content-type"))
                || t.contains("html")
            {
                return;
            }
            if t.contains("text/plain") || t.contains("json") || t.contains("'text'") {
                self.scopes.declare(PLAIN_RESPONSE, Val::Const);
            }
            return;
        }
        // Express responses: strings are sent as text/html.
        if matches!(method, "send" | "write" | "end")
            && is_response_object(obj_text)
            && self.scopes.lookup(PLAIN_RESPONSE).is_none()
        {
            let a = arg_nodes[0];
            if a.kind() != "object" && a.kind() != "array" {
                let v = self.eval(a);
                if let Some(t) = v.as_taint() {
                    if !t.whole && t.origin == Provenance::Request {
                        let api = format!("res.{method}");
                        self.sink(node, SinkKind::Html, &api, &v, a);
                    }
                }
            }
            return;
        }
        // HTML email bodies.
        if arg_nodes[0].kind() == "object" && is_mail_call(callee) {
            if let Some((html, _)) = object_value(self, arg_nodes[0], &["html", "htmlBody"]) {
                let v = self.eval(html);
                if v.is_tainted() {
                    let api = format!("{} html", shorten_callee(callee));
                    self.sink(node, SinkKind::Html, &api, &v, html);
                }
            }
            return;
        }
        // Redirects and fetches.
        if matches!(callee, "redirect" | "permanentRedirect")
            || (method == "redirect"
                && matches!(
                    obj_text,
                    "res" | "response" | "reply" | "NextResponse" | "Response" | "c" | "ctx"
                ))
        {
            let a = *arg_nodes.last().unwrap_or(&arg_nodes[0]);
            let v = self.eval(a);
            if v.is_tainted() && !has_literal_prefix(self, a) {
                self.sink(node, SinkKind::Redirect, shorten_callee(callee), &v, a);
            }
            return;
        }
        if callee == "fetch"
            || callee == "axios"
            || (matches!(obj_text, "axios" | "got" | "ky" | "superagent")
                && matches!(
                    method,
                    "get" | "post" | "put" | "delete" | "patch" | "request"
                ))
        {
            let v = self.eval(arg_nodes[0]);
            if v.is_tainted() && !has_literal_prefix(self, arg_nodes[0]) {
                self.sink(node, SinkKind::Fetch, callee, &v, arg_nodes[0]);
            }
            return;
        }
        // SQL
        if let Some(api) = self.sql_api(func, obj, method, arg_nodes[0]) {
            let a = arg_nodes[0];
            let v = self.eval(a);
            let built = is_built_string(a);
            let report = match &v {
                Val::Const => false,
                Val::Unknown => built,
                Val::Tainted(_) => true,
            };
            if report {
                self.sink(node, SinkKind::Sql, &api, &v, a);
            }
            return;
        }
        if method == "rpc" && arg_nodes.len() >= 2 && arg_nodes[1].kind() == "object" {
            let keys = ["sql", "query", "sql_query", "statement", "stmt", "raw_sql"];
            if let Some((value, _)) = object_value(self, arg_nodes[1], &keys) {
                let v = self.eval(value);
                if v.is_tainted() {
                    self.sink(node, SinkKind::Sql, ".rpc", &v, value);
                }
            }
            return;
        }
        if method == "or" && (obj_text.contains(".from(") || self.holds_query(obj_text)) {
            let a = arg_nodes[0];
            if a.kind() == "template_string" || a.kind() == "binary_expression" {
                let mut v = self.eval(a);
                // Sanitised for filters (commas stripped, or a browser-only value whose
                // filter runs with the visitor's own rights).
                let filter_safe = v.as_taint().and_then(|t| {
                    t.sanitizers
                        .iter()
                        .find(|(_, m)| m & kinds::FILTER != 0)
                        .map(|(n, _)| n.clone())
                });
                if let Some(name) = filter_safe {
                    v = v.sanitize(&name, kinds::SQL);
                }
                if v.is_tainted() {
                    self.sink(node, SinkKind::Sql, "supabase .or() filter", &v, a);
                }
            }
            return;
        }
        // Logs
        if is_log_call(obj_text, method) {
            let mut acc = Val::Const;
            let mut at = arg_nodes[0];
            for a in &arg_nodes {
                let v = if matches!(a.kind(), "object" | "array") {
                    // Structured fields are serialised (quoted, newlines escaped).
                    self.eval(*a).sanitize("structured log field", kinds::LOG)
                } else {
                    self.eval(*a)
                };
                if v.is_tainted() && !acc.is_tainted() {
                    at = *a;
                }
                acc = acc.join(v);
            }
            if let Val::Tainted(t) = &acc {
                let mut t = (**t).clone();
                if t.whole
                    && !t
                        .via
                        .iter()
                        .any(|v| v == "template literal" || v == "concatenation")
                {
                    // A whole request object is printed with util.inspect / JSON.
                    t = t.sanitized("object serialisation", kinds::LOG);
                }
                let api = shorten_callee(callee).to_string();
                self.sink(node, SinkKind::Log, &api, &Val::taint(t), at);
            }
        }
    }

    /// True when the variable `name` is assigned a Supabase query builder somewhere in
    /// the file (`let query = supabase.from('t').select()` then `query = query.or(...)`).
    fn holds_query(&self, name: &str) -> bool {
        if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            return false;
        }
        let pat = format!(r"\b{name}\s*(?::[^=;]+)?=\s*(?:await\s+)?[\w$.]+\s*\.from\(\s*['`\x22]");
        regex::Regex::new(&pat).is_ok_and(|re| re.is_match(self.ctx.src))
    }

    /// The SQL API a call is, when it is one and its first argument is a query string.
    fn sql_api(
        &self,
        func: Node<'a>,
        obj: Option<Node<'a>>,
        method: &str,
        first: Node<'a>,
    ) -> Option<String> {
        let obj = obj?;
        let _ = func;
        let obj_text = self.text(obj);
        let recv = obj_text.rsplit('.').next().unwrap_or(obj_text);
        match method {
            "$queryRawUnsafe" | "$executeRawUnsafe" | "$queryRaw" | "$executeRaw" => {
                Some(method.to_string())
            }
            "unsafe" if is_db_name(recv) => Some(format!("{recv}.unsafe")),
            "raw" | "whereRaw" | "orWhereRaw" | "havingRaw" | "orderByRaw" | "joinRaw"
            | "groupByRaw" | "selectRaw" => {
                if is_db_name(recv) || obj.kind() == "call_expression" || method != "raw" {
                    Some(format!("{}.{method}", short_recv(obj_text)))
                } else {
                    None
                }
            }
            "query" | "execute" | "exec" | "all" | "get" | "run" | "prepare" => {
                if matches!(method, "all" | "get" | "run" | "exec" | "prepare")
                    && !recv.to_ascii_lowercase().contains("db")
                    && !looks_like_sql(self.sql_text(first))
                {
                    return None;
                }
                if matches!(recv, "req" | "request" | "router" | "graphql" | "apollo") {
                    return None;
                }
                if is_db_name(recv) || looks_like_sql(self.sql_text(first)) {
                    Some(format!("{}.{method}", short_recv(obj_text)))
                } else {
                    None
                }
            }
            _ => None,
        }
    }

    /// The literal text of a query argument, following a variable to its string parts.
    fn sql_text(&self, n: Node<'a>) -> &'a str {
        self.text(n)
    }

    fn new_sink(&mut self, node: Node<'a>) {
        let ctor = node
            .child_by_field_name("constructor")
            .map(|c| self.text(c))
            .unwrap_or("");
        if !matches!(ctor, "Response" | "NextResponse") {
            return;
        }
        let Some(args) = node.child_by_field_name("arguments") else {
            return;
        };
        let (Some(body), Some(init)) = (args.named_child(0), args.named_child(1)) else {
            return;
        };
        if !self.text(init).contains("text/html") {
            return;
        }
        let v = self.eval(body);
        if v.is_tainted() {
            self.sink(node, SinkKind::Html, "new Response(text/html)", &v, body);
        }
    }

    fn jsx_attribute_sink(&mut self, attr: Node<'a>) {
        let Some(name) = attr.named_child(0) else {
            return;
        };
        let name = self.text(name);
        let Some(value) = attr.named_child(1) else {
            return;
        };
        if value.kind() != "jsx_expression" {
            return;
        }
        let Some(expr) = value.named_child(0) else {
            return;
        };
        match name {
            "dangerouslySetInnerHTML" => {
                let (target, v) = if expr.kind() == "object" {
                    match object_value(self, expr, &["__html"]) {
                        Some((n, _)) => (n, self.eval(n)),
                        None => return,
                    }
                } else {
                    (expr, self.eval(expr).field("__html"))
                };
                if v != Val::Const {
                    self.sink(attr, SinkKind::Html, "dangerouslySetInnerHTML", &v, target);
                }
            }
            "srcDoc" | "srcdoc" => {
                let v = self.eval(expr);
                if v != Val::Const {
                    self.sink(attr, SinkKind::Html, "srcdoc", &v, expr);
                }
            }
            "href" => {
                let v = self.eval(expr);
                if url_controlled(&v) && !has_literal_prefix(self, expr) {
                    self.sink(attr, SinkKind::Html, "href", &v, expr);
                }
            }
            _ => {}
        }
    }

    /// `<Comment body={c.body} />` for a component defined in this file: remembers the
    /// props that carry tainted values.
    fn record_props(&mut self, el: Node<'a>) {
        if self.summary.active {
            return;
        }
        let Some(name) = el.child_by_field_name("name") else {
            return;
        };
        let name = self.text(name);
        if !name.starts_with(|c: char| c.is_ascii_uppercase()) {
            return;
        }
        if !self.funcs.contains_key(name) {
            return;
        }
        let mut cur = el.walk();
        let attrs: Vec<Node<'a>> = el
            .children_by_field_name("attribute", &mut cur)
            .collect::<Vec<_>>();
        let attrs = if attrs.is_empty() {
            let mut c2 = el.walk();
            el.named_children(&mut c2)
                .filter(|c| c.kind() == "jsx_attribute")
                .collect()
        } else {
            attrs
        };
        for a in attrs {
            if a.kind() != "jsx_attribute" {
                continue;
            }
            let (Some(k), Some(v)) = (a.named_child(0), a.named_child(1)) else {
                continue;
            };
            if v.kind() != "jsx_expression" {
                continue;
            }
            let Some(e) = v.named_child(0) else { continue };
            let val = self.eval(e);
            if !val.is_tainted() {
                continue;
            }
            let key = self.text(k).to_string();
            let fname: &'a str = self.funcs.get_key_value(name).map(|(k, _)| *k).unwrap();
            let list = self.props.entry(fname).or_default();
            match list.iter_mut().find(|(k, _)| *k == key) {
                Some(slot) => slot.1 = std::mem::take(&mut slot.1).join(val),
                None => list.push((key, val)),
            }
        }
    }

    /// `url.protocol === 'https:'`: the variable's scheme was checked, so it no longer
    /// reaches navigation sinks as attacker-chosen (flow-insensitive, precision first).
    fn scheme_check_comparison(&mut self, node: Node<'a>) {
        let op = node
            .child_by_field_name("operator")
            .map(|o| self.text(o))
            .unwrap_or("");
        if !matches!(op, "===" | "==" | "!==" | "!=") {
            return;
        }
        for side in ["left", "right"] {
            let Some(m) = node.child_by_field_name(side) else {
                continue;
            };
            if m.kind() != "member_expression" {
                continue;
            }
            let prop = m.child_by_field_name("property").map(|p| self.text(p));
            if prop != Some("protocol") {
                continue;
            }
            if let Some(obj) = m
                .child_by_field_name("object")
                .filter(|o| o.kind() == "identifier")
            {
                self.mark_scheme_checked(self.text(obj));
            }
        }
    }

    /// `next.startsWith('/')`, `url.startsWith('https://')`: a scheme or path check.
    fn scheme_check_call(&mut self, node: Node<'a>) {
        let Some(f) = node.child_by_field_name("function") else {
            return;
        };
        if f.kind() != "member_expression" {
            return;
        }
        if f.child_by_field_name("property").map(|p| self.text(p)) != Some("startsWith") {
            return;
        }
        let Some(obj) = f
            .child_by_field_name("object")
            .filter(|o| o.kind() == "identifier")
        else {
            return;
        };
        let Some(arg) = first_arg(node).filter(|a| a.kind() == "string") else {
            return;
        };
        let prefix = unquote(self.text(arg));
        if prefix.starts_with("http") || prefix.starts_with('/') {
            self.mark_scheme_checked(self.text(obj));
        }
    }

    fn mark_scheme_checked(&mut self, name: &str) {
        if let Some(v) = self.scopes.lookup(name).cloned() {
            if v.is_tainted() {
                self.scopes
                    .assign(name, v.sanitize("scheme check", kinds::URL));
            }
        }
    }

    fn setter_call(&mut self, node: Node<'a>) {
        let Some(func) = node.child_by_field_name("function") else {
            return;
        };
        if func.kind() != "identifier" {
            return;
        }
        let Some(state) = self.setters.get(self.text(func)).cloned() else {
            return;
        };
        let Some(arg) = first_arg(node) else { return };
        if is_function_kind(arg.kind()) {
            return;
        }
        let v = self.eval(arg);
        if v.is_tainted() {
            let old = self.scopes.lookup(&state).cloned().unwrap_or(Val::Const);
            self.scopes.assign(&state, old.join(v.via("state")));
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
                    .filter(|p| p.kind() != "comment")
                    .map(param_pattern)
                    .collect()
            }
            None => f.child_by_field_name("parameter").into_iter().collect(),
        }
    }

    /// The values a helper returns with parameter `marked` tainted by a marker.
    fn summarize_once(&mut self, f: Node<'a>, params: &[Node<'a>], marked: usize) -> Vec<Val> {
        let saved_scopes = std::mem::take(&mut self.scopes);
        let saved_returns = std::mem::take(&mut self.returns);
        let saved_setters = self.setters.clone();
        self.summary.active = true;
        self.scopes.push();
        for (i, p) in params.iter().enumerate() {
            let v = if i == marked {
                marked_param(i)
            } else {
                Val::Unknown
            };
            self.bind(*p, v, false);
        }
        if let Some(body) = f.child_by_field_name("body") {
            self.visit(body);
            if body.kind() != "statement_block" {
                let v = self.eval(body);
                self.returns.push(v);
            }
        }
        self.summary.active = false;
        self.scopes = saved_scopes;
        self.setters = saved_setters;
        std::mem::replace(&mut self.returns, saved_returns)
    }

    fn summaries(&mut self) -> &mut Summaries {
        &mut self.summary
    }

    fn emit_sink(&mut self, at: Node<'a>, kind: SinkKind, api: &str, val: &Val, arg: Node<'a>) {
        self.facts.sink(at, kind, api, val, arg);
    }
}

struct Hit {
    kind: &'static str,
    name: Option<String>,
    origin: Provenance,
    whole: bool,
    /// `location.href`, `location.pathname`, `document.URL`: an http(s) URL.
    same_origin_url: bool,
}

fn name_at(chain: &[Seg<'_>], i: usize) -> Option<String> {
    match chain.get(i) {
        Some(Seg::Name(n)) => Some(n.to_string()),
        Some(Seg::Call(Some(a))) => Some(a.to_string()),
        _ => None,
    }
}

fn req_field(p: &str) -> Option<&'static str> {
    Some(match p {
        "params" | "pathParameters" => "params",
        "query" | "queryStringParameters" => "query",
        "body" | "files" | "file" => "body",
        "headers" => "headers",
        "cookies" | "signedCookies" => "cookies",
        _ => return None,
    })
}

fn match_source(chain: &[Seg<'_>]) -> Option<Hit> {
    use Seg::*;
    let req = |kind: &'static str, name: Option<String>| Hit {
        kind,
        name,
        origin: Provenance::Request,
        whole: true,
        same_origin_url: false,
    };
    let db = Hit {
        kind: "database",
        name: None,
        origin: Provenance::Database,
        whole: false,
        same_origin_url: false,
    };
    let root = match chain.first() {
        Some(Name(r)) => *r,
        _ => return None,
    };
    let at = |i: usize| chain.get(i).copied();
    // A field read followed by a call (`req.body.ids.map(...)`) is left to the method
    // rules: the source is the field read inside it.
    let call_after = |i: usize| chain.iter().skip(i).any(|s| matches!(s, Call(_)));
    let is_req_root = matches!(root, "req" | "request" | "_req" | "_request");
    // Express / Fastify / Next pages: req.query.q, req.body, req.headers['x']...
    if is_req_root {
        if let Some(Name(p)) = at(1) {
            if let Some(kind) = req_field(p) {
                // request.headers.get('x-user')
                if at(2) == Some(Name("get")) && matches!(at(3), Some(Call(_))) && chain.len() == 4
                {
                    let mut h = req(kind, name_at(chain, 3));
                    h.whole = false;
                    return Some(h);
                }
                if call_after(2) {
                    return None;
                }
                return Some(req(kind, name_at(chain, 2)));
            }
            if p == "nextUrl" && at(2) == Some(Name("searchParams")) {
                if at(3) == Some(Name("get")) && matches!(at(4), Some(Call(_))) && chain.len() == 5
                {
                    let mut h = req("search_params", name_at(chain, 4));
                    h.whole = false;
                    return Some(h);
                }
                if !call_after(3) {
                    return Some(req("search_params", None));
                }
            }
            if matches!(at(2), Some(Call(_))) && chain.len() == 3 {
                match p {
                    "json" | "text" => return Some(req("json", None)),
                    "formData" | "parseBody" => return Some(req("form", None)),
                    "param" => return Some(req("params", name_at(chain, 2))),
                    "get" | "header" => return Some(req("headers", name_at(chain, 2))),
                    _ => {}
                }
            }
        }
        return None;
    }
    // Hono / Koa: c.req.param('id'), c.req.query('q'), c.req.json(), ctx.request.body.
    if matches!(root, "c" | "ctx" | "context") {
        if let (Some(Name(r)), Some(Name(m))) = (at(1), at(2)) {
            if r == "req" && matches!(at(3), Some(Call(_))) && !call_after(4) {
                let kind = match m {
                    "param" => "params",
                    "query" | "queries" => "query",
                    "header" => "headers",
                    "json" | "text" | "valid" => "json",
                    "parseBody" | "formData" => "form",
                    _ => return None,
                };
                return Some(req(kind, name_at(chain, 3)));
            }
            if r == "request" && !call_after(3) {
                if let Some(kind) = req_field(m) {
                    return Some(req(kind, name_at(chain, 3)));
                }
            }
        }
        if let (Some(Name(p)), false) = (at(1), call_after(2)) {
            if matches!(p, "params" | "query" | "searchParams") {
                let kind = if p == "searchParams" {
                    "search_params"
                } else {
                    req_field(p)?
                };
                return Some(req(kind, name_at(chain, 2)));
            }
        }
        return None;
    }
    if root == "props" {
        if let (Some(Name(p)), false) = (at(1), call_after(2)) {
            if matches!(p, "params" | "searchParams") {
                let kind = if p == "params" {
                    "params"
                } else {
                    "search_params"
                };
                return Some(req(kind, name_at(chain, 2)));
            }
        }
        return None;
    }
    if root == "event" {
        if let (Some(Name(p)), false) = (at(1), call_after(2)) {
            if matches!(p, "queryStringParameters" | "pathParameters") {
                return Some(req(req_field(p)?, name_at(chain, 2)));
            }
        }
        return None;
    }
    // Browser URL state.
    let url_at = |i: usize| -> Option<Hit> {
        match at(i) {
            Some(Name(part @ ("hash" | "search" | "href" | "pathname"))) if !call_after(i + 1) => {
                let mut h = req("url", None);
                h.whole = false;
                h.same_origin_url = matches!(part, "href" | "pathname");
                Some(h)
            }
            _ => None,
        }
    };
    match root {
        "location" => return url_at(1),
        // Vue Router's current route (decoded query and path parameters, hash).
        "$route" => {
            return match at(1) {
                Some(Name(p @ ("query" | "params"))) if !call_after(2) => {
                    Some(req(req_field(p)?, name_at(chain, 2)))
                }
                Some(Name("hash" | "fullPath")) if !call_after(2) => {
                    let mut h = req("url", None);
                    h.whole = false;
                    Some(h)
                }
                _ => None,
            };
        }
        // SvelteKit's page store: `$page.url.searchParams.get('q')`, `$page.params.slug`.
        "$page" => {
            return match at(1) {
                Some(Name("params")) if !call_after(2) => Some(req("params", name_at(chain, 2))),
                Some(Name("url")) => {
                    if at(2) == Some(Name("searchParams"))
                        && at(3) == Some(Name("get"))
                        && matches!(at(4), Some(Call(_)))
                        && chain.len() == 5
                    {
                        let mut h = req("search_params", name_at(chain, 4));
                        h.whole = false;
                        return Some(h);
                    }
                    url_at(2)
                }
                _ => None,
            };
        }
        "window" | "document" | "globalThis" | "self" => {
            if at(1) == Some(Name("location")) {
                return url_at(2);
            }
            if root == "document" && matches!(at(1), Some(Name("URL" | "documentURI" | "referrer")))
            {
                let mut h = req("url", None);
                h.whole = false;
                h.same_origin_url = at(1) != Some(Name("referrer"));
                return Some(h);
            }
            if root == "window" && at(1) == Some(Name("name")) {
                let mut h = req("url", None);
                h.whole = false;
                return Some(h);
            }
            return None;
        }
        "useSearchParams" if matches!(at(1), Some(Call(_))) && chain.len() == 2 => {
            return Some(req("search_params", None));
        }
        "useParams" if matches!(at(1), Some(Call(_))) && chain.len() == 2 => {
            return Some(req("params", None));
        }
        "useRouter" if matches!(at(1), Some(Call(_))) && at(2) == Some(Name("query")) => {
            return Some(req("query", name_at(chain, 3)));
        }
        "cookies" | "headers" if matches!(at(1), Some(Call(None))) => {
            if matches!(at(2), Some(Name("get"))) && matches!(at(3), Some(Call(_))) {
                let kind = if root == "cookies" {
                    "cookies"
                } else {
                    "headers"
                };
                let mut h = req(kind, name_at(chain, 3));
                h.whole = false;
                return Some(h);
            }
            return None;
        }
        _ => {}
    }
    // Database reads: supabase.from('t').select(), prisma.m.findMany(), db.select().from(t).
    let n = chain.len();
    if n >= 2 {
        if let (Some(Name(m)), Some(Call(_))) = (at(n - 2), at(n - 1)) {
            match m {
                "findMany" | "findUnique" | "findFirst" | "findUniqueOrThrow"
                | "findFirstOrThrow" | "findAll" | "findOne" | "findByPk" => return Some(db),
                "select" if chain[..n - 2].contains(&Name("from")) => return Some(db),
                "from" if chain[..n - 2].contains(&Name("select")) => return Some(db),
                _ => {}
            }
        }
    }
    None
}

fn zod_schema(e: &Engine<'_, '_>, node: Node<'_>) -> Schema {
    let text = e.text(node);
    // z.object({...}) possibly followed by .strict() etc.
    if let Some(obj) = find_zod_object(node) {
        let mut fields = Vec::new();
        let mut all = true;
        let mut cur = obj.walk();
        for p in obj.named_children(&mut cur) {
            if p.kind() != "pair" {
                continue;
            }
            let (Some(k), Some(v)) = (p.child_by_field_name("key"), p.child_by_field_name("value"))
            else {
                continue;
            };
            let vt = e.text(v);
            let strict = if v.kind() == "identifier" {
                e.schemas.get(vt).is_some_and(|s| s.strict)
            } else {
                zod_leaf_strict(vt)
            };
            if strict {
                fields.push(unquote(e.text(k)).to_string());
            } else {
                all = false;
            }
        }
        return Schema {
            strict: all && !fields.is_empty(),
            strict_fields: fields,
        };
    }
    Schema {
        strict: zod_leaf_strict(text),
        strict_fields: Vec::new(),
    }
}

fn find_zod_object(node: Node<'_>) -> Option<Node<'_>> {
    let mut cur = node;
    for _ in 0..8 {
        if cur.kind() != "call_expression" {
            return None;
        }
        let f = cur.child_by_field_name("function")?;
        let args = cur.child_by_field_name("arguments")?;
        if let Some(a) = args.named_child(0) {
            if a.kind() == "object" && f.kind() == "member_expression" {
                let obj = f.child_by_field_name("object")?;
                if obj.kind() == "identifier" {
                    return Some(a);
                }
            }
        }
        cur = f.child_by_field_name("object")?;
    }
    None
}

fn zod_leaf_strict(t: &str) -> bool {
    let t = t.trim();
    if t.contains("z.string()") || t.contains("z.coerce.string()") {
        return [
            ".uuid(",
            ".cuid(",
            ".cuid2(",
            ".ulid(",
            ".datetime(",
            ".date(",
            ".ip(",
            ".base64(",
            ".nanoid(",
        ]
        .iter()
        .any(|s| t.contains(s))
            || (t.contains(".regex(/^") && t.contains("$/"));
    }
    t.starts_with("z.number(")
        || t.starts_with("z.coerce.number(")
        || t.starts_with("z.boolean(")
        || t.starts_with("z.coerce.boolean(")
        || t.starts_with("z.enum(")
        || t.starts_with("z.nativeEnum(")
        || t.starts_with("z.literal(")
        || t.starts_with("z.date(")
        || t.starts_with("z.coerce.date(")
        || t.starts_with("z.bigint(")
        || t.starts_with("z.string().uuid(")
}

/// True when the value is tainted and may choose a URL's scheme (no fixed prefix, no
/// URL-safe origin).
fn url_controlled(v: &Val) -> bool {
    v.as_taint().is_some_and(|t| {
        t.validated.is_none() && !t.sanitizers.iter().any(|(_, m)| m & kinds::URL != 0)
    })
}

/// Marks a built string whose first part is fixed: as a URL, its scheme is not the
/// attacker's.
fn fix_url_prefix(v: Val, fixed: bool) -> Val {
    if fixed && url_controlled(&v) {
        v.sanitize("fixed URL prefix", kinds::URL)
    } else {
        v
    }
}

/// True when `node` runs in an `else` or `catch` branch (within its function) that does
/// not declare `name` itself: an alternative to code that may have assigned it.
fn alternative_branch(node: Node<'_>, name: &str, src: &str) -> bool {
    let mut cur = node;
    while let Some(p) = cur.parent() {
        let k = p.kind();
        if is_function_kind(k)
            || matches!(
                k,
                "function_declaration" | "method_definition" | "generator_function_declaration"
            )
        {
            return false;
        }
        if matches!(k, "else_clause" | "catch_clause") {
            return !declares(p, name, src);
        }
        cur = p;
    }
    false
}

/// True when a `let`/`const`/`var` under `node` declares `name`.
fn declares(node: Node<'_>, name: &str, src: &str) -> bool {
    let mut stack = vec![node];
    while let Some(n) = stack.pop() {
        if n.kind() == "variable_declarator" {
            if let Some(id) = n.child_by_field_name("name") {
                if id.kind() == "identifier" && id.utf8_text(src.as_bytes()) == Ok(name) {
                    return true;
                }
            }
        }
        let mut c = n.walk();
        stack.extend(
            n.named_children(&mut c)
                .filter(|c| !is_function_kind(c.kind())),
        );
    }
    false
}

fn is_function_kind(k: &str) -> bool {
    matches!(
        k,
        "arrow_function" | "function_expression" | "function" | "generator_function"
    )
}

fn param_pattern(p: Node<'_>) -> Node<'_> {
    match p.kind() {
        "required_parameter" | "optional_parameter" => {
            p.child_by_field_name("pattern").unwrap_or(p)
        }
        _ => p,
    }
}

impl<'a> Engine<'_, 'a> {
    /// `LIST.includes(x)` / `SET.has(x)` / their negation, where the list is an array
    /// literal of literals or an untainted binding: `(negated, text of x)`.
    fn allow_list_test(&mut self, cond: Node<'a>) -> Option<(bool, &'a str)> {
        let mut c = strip_wrappers(cond);
        let mut negated = false;
        while c.kind() == "unary_expression"
            && c.child_by_field_name("operator")
                .is_some_and(|o| self.text(o) == "!")
        {
            negated = !negated;
            c = strip_wrappers(c.child_by_field_name("argument")?);
        }
        if c.kind() != "call_expression" {
            return None;
        }
        let f = c.child_by_field_name("function")?;
        if f.kind() != "member_expression" {
            return None;
        }
        let prop = self.text(f.child_by_field_name("property")?);
        if prop != "includes" && prop != "has" {
            return None;
        }
        let list = strip_wrappers(f.child_by_field_name("object")?);
        let fixed = match list.kind() {
            "array" => {
                let mut w = list.walk();
                let all_literals = list
                    .named_children(&mut w)
                    .all(|e| matches!(e.kind(), "string" | "number"));
                all_literals
            }
            "identifier" | "member_expression" => !self.eval(list).is_tainted(),
            _ => false,
        };
        if !fixed {
            return None;
        }
        let arg = c.child_by_field_name("arguments")?.named_child(0)?;
        Some((negated, self.text(strip_wrappers(arg))))
    }
}

fn strip_wrappers(mut n: Node<'_>) -> Node<'_> {
    for _ in 0..6 {
        match n.kind() {
            "await_expression"
            | "parenthesized_expression"
            | "as_expression"
            | "non_null_expression"
            | "satisfies_expression" => match n.named_child(0) {
                Some(c) => n = c,
                None => return n,
            },
            _ => return n,
        }
    }
    n
}

fn last_named(n: Node<'_>) -> Option<Node<'_>> {
    let c = n.named_child_count();
    if c == 0 {
        return None;
    }
    // For `as` / `satisfies`, the expression is the first child.
    if matches!(n.kind(), "as_expression" | "satisfies_expression") {
        return n.named_child(0);
    }
    if n.kind() == "type_assertion" {
        return n.named_child(c - 1);
    }
    n.named_child(if n.kind() == "sequence_expression" {
        c - 1
    } else {
        0
    })
}

fn first_arg(call: Node<'_>) -> Option<Node<'_>> {
    call.child_by_field_name("arguments")?.named_child(0)
}

/// The sink families a global `replace` that deletes every character outside an allow
/// list neutralises (`/[^0-9]/g`, `/\\W+/g`, `/[^a-z0-9-]/gi` with `''` or `'-'`), or
/// `None` when the pattern is not such an allow list. `Some(0)`: an allow list that
/// keeps something dangerous (`/[^\\w\\s]/g` keeps newlines).
fn allow_list_mask(regex: &str, replacement: &str) -> Option<u8> {
    use kinds::*;
    let body_end = regex.rfind('/').filter(|&i| i > 0)?;
    let (body, flags) = (&regex[1..body_end], &regex[body_end + 1..]);
    if !regex.starts_with('/') || !flags.contains('g') {
        return None;
    }
    let body = body.strip_suffix('+').unwrap_or(body);
    let class = match body {
        "\\D" => "\\d",
        "\\W" => "\\w",
        _ => body.strip_prefix("[^")?.strip_suffix(']')?,
    };
    // Kept ASCII characters; `wide` when the class names non-ASCII sets we cannot list.
    let mut kept = [false; 128];
    let mut wide = false;
    let mut add = |c: char, kept: &mut [bool; 128]| match c {
        c if c.is_ascii() => kept[c as usize] = true,
        _ => wide = true,
    };
    let chars: Vec<char> = class.chars().collect();
    let mut i = 0;
    let mut prev: Option<char> = None;
    while i < chars.len() {
        let c = chars[i];
        if c == '\\' {
            let e = *chars.get(i + 1)?;
            i += 2;
            prev = None;
            match e {
                'd' => ('0'..='9').for_each(|c| add(c, &mut kept)),
                'w' => ('0'..='9')
                    .chain('a'..='z')
                    .chain('A'..='Z')
                    .chain(['_'])
                    .for_each(|c| add(c, &mut kept)),
                's' => [' ', '\t', '\n', '\r', '\x0b', '\x0c']
                    .into_iter()
                    .for_each(|c| add(c, &mut kept)),
                'n' => add('\n', &mut kept),
                'r' => add('\r', &mut kept),
                't' => add('\t', &mut kept),
                'p' | 'u' | 'x' | 'D' | 'W' | 'S' | 'P' => return Some(0),
                e => {
                    add(e, &mut kept);
                    prev = Some(e);
                }
            }
            continue;
        }
        if c == '-' {
            if let (Some(lo), Some(&hi)) = (prev, chars.get(i + 1)) {
                if hi != '\\' && hi != ']' {
                    if !(lo.is_ascii() && hi.is_ascii()) {
                        return Some(0);
                    }
                    (lo..=hi).for_each(|c| add(c, &mut kept));
                    i += 2;
                    prev = None;
                    continue;
                }
            }
        }
        add(c, &mut kept);
        prev = Some(c);
        i += 1;
    }
    replacement.chars().for_each(|c| add(c, &mut kept));
    if wide {
        return Some(0);
    }
    let has = |c: char| kept[c as usize];
    let plain = |c: u8| c.is_ascii_alphanumeric() || b"_.@+-".contains(&c);
    if (0u8..128).all(|c| !kept[c as usize] || plain(c)) {
        return Some(ALL);
    }
    let mut mask = 0;
    if !has('\n') && !has('\r') {
        mask |= LOG;
    }
    if !has('<') && !has('>') {
        mask |= HTML;
    }
    if !has(',') {
        mask |= FILTER;
    }
    Some(mask)
}

/// True when a global `replace` deletes (or replaces without one) every comma:
/// `/[%,()]/g`, `/,/g`.
fn strips_commas(regex: &str, replacement: &str) -> bool {
    let Some(end) = regex.rfind('/').filter(|&i| i > 0) else {
        return false;
    };
    let (body, flags) = (&regex[1..end], &regex[end + 1..]);
    if !regex.starts_with('/') || !flags.contains('g') || unquote(replacement).contains(',') {
        return false;
    }
    let body = body.strip_suffix('+').unwrap_or(body);
    if body == "," || body == "\\," {
        return true;
    }
    body.strip_prefix('[')
        .and_then(|b| b.strip_suffix(']'))
        .is_some_and(|class| !class.starts_with('^') && class.contains(','))
}

fn unquote(s: &str) -> &str {
    let b = s.as_bytes();
    if b.len() >= 2 && matches!(b[0], b'"' | b'\'' | b'`') && b[b.len() - 1] == b[0] {
        &s[1..s.len() - 1]
    } else {
        s
    }
}

fn object_value<'a>(
    e: &Engine<'_, 'a>,
    obj: Node<'a>,
    keys: &[&str],
) -> Option<(Node<'a>, &'a str)> {
    let mut cur = obj.walk();
    for p in obj.named_children(&mut cur) {
        match p.kind() {
            "pair" => {
                let k = p.child_by_field_name("key")?;
                let key = unquote(e.text(k));
                if keys.contains(&key) {
                    return Some((p.child_by_field_name("value")?, key));
                }
            }
            "shorthand_property_identifier" => {
                let key = e.text(p);
                if keys.contains(&key) {
                    return Some((p, key));
                }
            }
            _ => {}
        }
    }
    None
}

/// A string built at runtime: a template literal with substitutions or a concatenation.
fn is_built_string(n: Node<'_>) -> bool {
    match n.kind() {
        "template_string" => {
            let mut cur = n.walk();
            let found = n
                .named_children(&mut cur)
                .any(|c| c.kind() == "template_substitution");
            found
        }
        "binary_expression" => true,
        _ => false,
    }
}

/// `/users/${id}` or `"/x?q=" + q`: a literal prefix fixes the URL scheme.
fn has_literal_prefix(e: &Engine<'_, '_>, n: Node<'_>) -> bool {
    match n.kind() {
        "template_string" => {
            let t = e.text(n);
            let inner = t.trim_start_matches('`');
            !inner.starts_with("${") && !inner.is_empty()
        }
        "binary_expression" => n
            .child_by_field_name("left")
            .is_some_and(|l| l.kind() == "string" || has_literal_prefix(e, l)),
        _ => false,
    }
}

fn is_request_url(t: &str) -> bool {
    matches!(
        t,
        "req.url" | "request.url" | "c.req.url" | "ctx.req.url" | "_req.url" | "event.request.url"
    )
}

fn is_jquery(e: &Engine<'_, '_>, obj: Option<Node<'_>>) -> bool {
    let Some(o) = obj else { return false };
    o.kind() == "call_expression"
        && o.child_by_field_name("function")
            .is_some_and(|f| matches!(e.text(f), "$" | "jQuery"))
}

fn is_response_object(obj: &str) -> bool {
    let root = obj.split(['.', '(']).next().unwrap_or(obj);
    matches!(root, "res" | "response" | "resp")
}

fn is_mail_call(callee: &str) -> bool {
    let l = callee.to_ascii_lowercase();
    (l.contains("send") || l.contains("mail"))
        && (l.contains("email")
            || l.contains("mail")
            || l.contains("resend")
            || l.contains("sg")
            || l.contains("postmark"))
}

/// Sanitiser name of values only a browser has (page URL, router hooks).
const BROWSER_ONLY: &str = "browser-only value";

/// Sanitiser names of values that cannot hold CR/LF until decoded.
const NO_CRLF_URL: &str = "URL-encoded (no CR/LF)";
const NO_CRLF_HEADER: &str = "header value (no CR/LF)";

fn is_log_call(obj: &str, method: &str) -> bool {
    if !matches!(
        method,
        "log" | "info" | "warn" | "error" | "debug" | "trace" | "fatal" | "verbose" | "silly"
    ) {
        return false;
    }
    let last = obj.rsplit('.').next().unwrap_or(obj);
    matches!(
        last.to_ascii_lowercase().as_str(),
        "console" | "logger" | "log" | "winston" | "pino" | "bunyan" | "_logger" | "applogger"
    )
}

fn is_db_name(recv: &str) -> bool {
    let l = recv.to_ascii_lowercase();
    [
        "pool",
        "client",
        "db",
        "conn",
        "connection",
        "database",
        "sql",
        "pg",
        "mysql",
        "knex",
        "sequelize",
        "tx",
        "trx",
        "sqlite",
        "prisma",
        "postgres",
        "pgclient",
        "mssql",
    ]
    .iter()
    .any(|k| l == *k || l.ends_with(k) || l.starts_with(k))
}

fn short_recv(obj: &str) -> &str {
    if obj.len() <= 40 && !obj.contains('(') {
        obj
    } else {
        obj.rsplit('.').next().unwrap_or(obj)
    }
}

fn shorten_callee(c: &str) -> &str {
    if c.len() <= 48 && !c.contains('\n') {
        c
    } else {
        c.rsplit('.').next().unwrap_or(c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lm_core::{FactData, FileRecord, Role};

    /// `(line, sink family, provenance)` of every sink lm-parse sees in `src`.
    fn sinks(path: &str, src: &str) -> Vec<(u64, String, Provenance)> {
        let file = FileRecord {
            path: path.to_string(),
            path_bytes: None,
            root: ".".into(),
            language: None,
            size: src.len() as u64,
            binary: false,
            role: Role::Server,
            role_reason: String::new(),
        };
        let mut out = crate::Extraction::default();
        crate::extract_source(&file, src, &mut out);
        out.facts
            .into_iter()
            .filter_map(|f| match f.data {
                FactData::Sink(s) => Some((f.line, s.sink, s.source?)),
                _ => None,
            })
            .collect()
    }

    fn logs(path: &str, src: &str) -> Vec<(u64, Provenance)> {
        sinks(path, src)
            .into_iter()
            .filter(|(_, k, _)| k == "log")
            .map(|(l, _, p)| (l, p))
            .collect()
    }

    #[test]
    fn browser_only_values_do_not_reach_a_server_log() {
        // A shared module (hooks, error boundaries) logging the page URL or route
        // params: only a browser runs it.
        let src = "export function useTrack(feature: string, req: Request) {\n\
                   \x20 const page = window.location.href;\n\
                   \x20 const params = useSearchParams();\n\
                   \x20 console.log('viewed', { page });\n\
                   \x20 console.log(`viewed ${page}`);\n\
                   \x20 console.log(`tab ${params.get('tab')}`);\n\
                   \x20 console.log(`from ${new URL(req.url).searchParams.get('ref')}`);\n\
                   }\n";
        let got = logs("src/hooks/useTrack.ts", src);
        assert_eq!(
            got,
            vec![
                (4, Provenance::Sanitized),
                (5, Provenance::Sanitized),
                (6, Provenance::Sanitized),
                (7, Provenance::Request),
            ]
        );
    }

    #[test]
    fn encoded_request_url_parts_hold_no_newlines_until_decoded() {
        let src = "export async function GET(req: Request) {\n\
                   \x20 const url = new URL(req.url);\n\
                   \x20 const path = url.pathname;\n\
                   \x20 console.log(`GET ${path}`);\n\
                   \x20 const slug = decodeURIComponent(url.pathname.split('/').pop());\n\
                   \x20 console.log(`slug ${slug}`);\n\
                   \x20 const tag = url.searchParams.get('tag');\n\
                   \x20 console.log(`tag ${tag}`);\n\
                   \x20 const who = decodeURIComponent(req.headers.get('x-user-name'));\n\
                   \x20 console.log(`by ${who}`);\n\
                   \x20 return new Response('ok');\n\
                   }\n";
        let got = logs("app/api/tags/route.ts", src);
        assert_eq!(
            got,
            vec![
                (4, Provenance::Sanitized),
                (6, Provenance::Request),
                (8, Provenance::Request),
                (10, Provenance::Request),
            ]
        );
    }

    #[test]
    fn prefilter_needs_a_source_and_a_sink() {
        assert!(prefilter(
            "app.get('/', (req, res) => console.log(req.query.q))"
        ));
        assert!(!prefilter("export const x = 1 + 2;"));
        assert!(!prefilter("console.log('hi')"));
    }

    #[test]
    fn zod_strictness() {
        assert!(zod_leaf_strict("z.string().uuid()"));
        assert!(zod_leaf_strict("z.coerce.number().int()"));
        assert!(zod_leaf_strict("z.enum(['a','b'])"));
        assert!(!zod_leaf_strict("z.string().min(1)"));
        assert!(!zod_leaf_strict("z.string().email()"));
        assert!(zod_leaf_strict("z.string().regex(/^[a-z]+$/)"));
    }

    #[test]
    fn allow_list_replacements() {
        use kinds::*;
        assert_eq!(allow_list_mask("/[^0-9]/g", ""), Some(ALL));
        assert_eq!(allow_list_mask("/\\D/g", ""), Some(ALL));
        assert_eq!(allow_list_mask("/[^\\d]/g", ""), Some(ALL));
        assert_eq!(allow_list_mask("/[^a-z0-9-]+/gi", "-"), Some(ALL));
        assert_eq!(allow_list_mask("/[^\\w.@+-]/g", ""), Some(ALL));
        // Keeps newlines, or the PostgREST separators, or quotes.
        assert_eq!(allow_list_mask("/[^\\w\\s]/g", ""), Some(HTML | FILTER));
        assert_eq!(allow_list_mask("/[^a-z0-9 ,()]/gi", ""), Some(LOG | HTML));
        assert_eq!(allow_list_mask("/[^a-z']/g", ""), Some(LOG | HTML | FILTER));
        assert_eq!(allow_list_mask("/[^\\p{L}]/gu", ""), Some(0));
        // The replacement text is kept too; a non-global replace only strips once.
        assert_eq!(allow_list_mask("/[^0-9]/g", "<br>"), Some(LOG | FILTER));
        assert_eq!(allow_list_mask("/[^0-9]/", ""), None);
        assert_eq!(allow_list_mask("/[0-9]/g", ""), None);
    }

    #[test]
    fn allow_list_replace_clears_filters_but_not_what_it_keeps() {
        let src = "const digits = (p: string) => p.replace(/[^\\d]/g, '');\n\
                   Deno.serve(async (req) => {\n\
                   \x20 const { from, q } = await req.json();\n\
                   \x20 const phone = digits(from);\n\
                   \x20 await supabase.from('contacts').select('id').or(`phone.eq.${phone},alt_phone.eq.${phone}`);\n\
                   \x20 const words = q.replace(/[^\\w\\s,]/g, '');\n\
                   \x20 await supabase.from('posts').select('id').or(`title.ilike.%${words}%,body.ilike.%${words}%`);\n\
                   \x20 const note = q.replace(/[^\\w\\s]/g, '');\n\
                   \x20 logger.info(`search ${note}`);\n\
                   \x20 return new Response('ok');\n\
                   });\n";
        let got: Vec<_> = sinks("supabase/functions/lookup/index.ts", src)
            .into_iter()
            .filter(|(_, k, _)| k == "sql" || k == "log")
            .collect();
        assert_eq!(
            got,
            vec![
                (5, "sql".into(), Provenance::Sanitized),
                (7, "sql".into(), Provenance::Request),
                (9, "log".into(), Provenance::Request),
            ]
        );
    }

    #[test]
    fn else_and_catch_assignments_do_not_erase_the_other_branch() {
        let src = "Deno.serve(async (req) => {\n\
                   \x20 const raw = await req.text();\n\
                   \x20 let body: Record<string, unknown> = {};\n\
                   \x20 if (raw.trim().startsWith('{')) {\n\
                   \x20   body = JSON.parse(raw);\n\
                   \x20 } else {\n\
                   \x20   body = {};\n\
                   \x20 }\n\
                   \x20 await supabase.from('leads').select('id').or(`email.eq.${body.email},phone.eq.${body.phone}`);\n\
                   \x20 let ref;\n\
                   \x20 try { ref = JSON.parse(raw).ref; } catch { ref = 'direct'; }\n\
                   \x20 await supabase.from('visits').select('id').or(`ref.eq.${ref},campaign.eq.${ref}`);\n\
                   \x20 let sort = String(body.sort);\n\
                   \x20 if (!['name', 'created_at'].includes(sort)) sort = 'created_at';\n\
                   \x20 await pool.query(`SELECT id FROM leads ORDER BY ${sort}`);\n\
                   \x20 if (raw) { console.log('x'); } else { let sort = 'name'; sort = 'id'; }\n\
                   \x20 let tag = String(body.tag);\n\
                   \x20 if (tag.length > 20) { tag = tag.slice(0, 20); } else { tag = escapeSql(tag); }\n\
                   \x20 await pool.query(`SELECT id FROM leads WHERE tag = '${tag}'`);\n\
                   \x20 return new Response('ok');\n\
                   });\n";
        let got: Vec<_> = sinks("supabase/functions/capture-lead/index.ts", src)
            .into_iter()
            .filter(|(_, k, _)| k == "sql")
            .map(|(l, _, p)| (l, p))
            .collect();
        assert_eq!(
            got,
            vec![
                (9, Provenance::Request),
                (12, Provenance::Request),
                // (line 15: an allow-list reset without an `else` still overwrites,
                // so no request data reaches that query)
                // A sanitised value in the else branch replaces the raw one.
                (19, Provenance::Sanitized),
            ]
        );
    }

    #[test]
    fn or_filters_on_a_query_builder_variable() {
        let src = "Deno.serve(async (req) => {\n\
                   \x20 const url = new URL(req.url);\n\
                   \x20 const team = url.searchParams.get('team');\n\
                   \x20 let query = supabase\n\
                   \x20   .from('roles')\n\
                   \x20   .select('*');\n\
                   \x20 if (url.searchParams.get('shared') === '1') {\n\
                   \x20   query = query.or(`team_id.eq.${team},team_id.is.null`);\n\
                   \x20 }\n\
                   \x20 const filters = [];\n\
                   \x20 const rule = filters.or(`a.${team}`);\n\
                   \x20 const owner = Number(team);\n\
                   \x20 query = query.or(`owner_id.eq.${owner}`);\n\
                   \x20 return Response.json(await query);\n\
                   });\n";
        let got: Vec<_> = sinks("supabase/functions/roles/index.ts", src)
            .into_iter()
            .filter(|(_, k, _)| k == "sql")
            .map(|(l, _, p)| (l, p))
            .collect();
        // `filters` is not a query builder; `Number` validates the second filter.
        assert_eq!(
            got,
            vec![(8, Provenance::Request), (13, Provenance::Validated)]
        );
    }

    #[test]
    fn or_filters_from_the_page_url_run_with_the_visitors_rights() {
        let src = "export default function Tenants() {\n\
                   \x20 const [params] = useSearchParams();\n\
                   \x20 const term = params.get('q') || '';\n\
                   \x20 useEffect(() => {\n\
                   \x20   supabase.from('tenants').select('*').or(`name.ilike.%${term}%,slug.ilike.%${term}%`);\n\
                   \x20   supabase.rpc('run_report', { sql: `select * from tenants where name like '%${term}%'` });\n\
                   \x20 }, [term]);\n\
                   \x20 return null;\n\
                   }\n";
        let got: Vec<_> = sinks("src/pages/Tenants.tsx", src)
            .into_iter()
            .filter(|(_, k, _)| k == "sql")
            .map(|(l, _, p)| (l, p))
            .collect();
        // Raw SQL from a crafted link still runs as whoever opens it.
        assert_eq!(
            got,
            vec![(5, Provenance::Sanitized), (6, Provenance::Request)]
        );
    }

    #[test]
    fn stripping_commas_keeps_a_value_inside_its_filter_condition() {
        assert!(strips_commas("/[%,()]/g", "' '"));
        assert!(strips_commas("/,/g", "''"));
        assert!(!strips_commas("/[%,]/", "''"));
        assert!(!strips_commas("/[^,]/g", "''"));
        assert!(!strips_commas("/[;]/g", "','"));
        let src = "export async function GET(req: Request) {\n\
                   \x20 const q = new URL(req.url).searchParams.get('q') ?? '';\n\
                   \x20 const term = q.replace(/[%,()]/g, ' ');\n\
                   \x20 await supabase.from('deals').select('id').or(`title.ilike.%${term}%,notes.ilike.%${term}%`);\n\
                   \x20 const like = q.replace(/[%_]/g, (m) => `\\\\${m}`);\n\
                   \x20 await supabase.from('deals').select('id').or(`title.ilike.%${like}%,notes.ilike.%${like}%`);\n\
                   \x20 await pool.query(`SELECT id FROM deals WHERE title = '${term}'`);\n\
                   \x20 return Response.json({});\n\
                   }\n";
        let got: Vec<_> = sinks("app/api/deals/route.ts", src)
            .into_iter()
            .filter(|(_, k, _)| k == "sql")
            .map(|(l, _, p)| (l, p))
            .collect();
        // Raw SQL is not made safe by removing commas.
        assert_eq!(
            got,
            vec![
                (4, Provenance::Sanitized),
                (6, Provenance::Request),
                (7, Provenance::Request)
            ]
        );
    }

    #[test]
    fn sql_shapes() {
        assert!(looks_like_sql("`SELECT * FROM users WHERE id = ${id}`"));
        assert!(looks_like_sql("'delete from t where x=' + y"));
        assert!(!looks_like_sql("'select an option'"));
    }
}
