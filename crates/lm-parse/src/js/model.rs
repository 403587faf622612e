//! What the extractors know about one JavaScript/TypeScript file while they run.

use std::ops::Range;

use lm_core::fact::{FactData, Route};
use lm_core::Fact;
use tree_sitter::{Node, QueryCursor, StreamingIterator};

use super::query::{self, capture};
use super::syntax;
use crate::ctx::Ctx;

/// One import binding: `import { a as b } from 'x'` gives local `b`, imported `a`.
#[derive(Debug, Clone)]
pub struct Import {
    /// Local name.
    pub local: String,
    /// Imported name (`default` for default imports, `*` for namespaces and `require`).
    pub imported: String,
    /// Module specifier.
    pub source: String,
}

/// A variable known to hold the authenticated user (or its id, session, claims).
#[derive(Debug, Clone)]
pub struct UserVar {
    /// Byte range of the function it is bound in (whole file for module level).
    pub scope: Range<usize>,
    /// Variable name.
    pub name: String,
}

/// A database client the file creates or imports.
#[derive(Debug, Clone)]
pub struct Client {
    /// Variable or helper function name.
    pub var: String,
    /// Byte range of the function it is bound in (None: module level or helper).
    pub scope: Option<Range<usize>>,
    /// Library (`supabase`, `prisma`...).
    pub library: String,
    /// Client kind (`anon`, `user`, `service_role`, `server`, `unknown`).
    pub kind: String,
    /// True when `var` names a helper function that returns the client.
    pub helper: bool,
}

/// A route found by a framework extractor, before it becomes a fact.
pub struct RouteOut<'a> {
    /// Node the fact points at.
    pub at: Node<'a>,
    /// Handler function, when it is in this file.
    pub handler: Option<Node<'a>>,
    /// The fact payload (handler_scope is filled in when emitted).
    pub route: Route,
}

/// The per-file state shared by the JS extractors.
pub struct JsFile<'a> {
    /// Shared extractor context.
    pub ctx: &'a Ctx<'a>,
    /// Source text.
    pub src: &'a str,
    /// Path of the file.
    pub path: &'a str,
    /// Root node.
    pub root: Node<'a>,
    /// Every call expression, in source order.
    pub calls: Vec<Node<'a>>,
    /// Every `new` expression, in source order.
    pub news: Vec<Node<'a>>,
    /// Object pairs setting `Access-Control-Allow-Origin`.
    pub cors_pairs: Vec<Node<'a>>,
    /// Every binary expression, in source order.
    pub binaries: Vec<Node<'a>>,
    /// Imports and top-level requires.
    pub imports: Vec<Import>,
    /// The file starts with `"use server"`.
    pub use_server: bool,
    /// The file starts with `"use client"`.
    pub use_client: bool,
    /// Handler (and inline middleware) functions: their parameters carry request data.
    pub handlers: Vec<Range<usize>>,
    /// Server-action functions: every parameter is caller-controlled.
    pub actions: Vec<Range<usize>>,
    /// Variables holding the authenticated user.
    pub user_vars: Vec<UserVar>,
    /// Database clients.
    pub clients: Vec<Client>,
    /// Route handlers with their URL patterns and methods, in emission order.
    pub routes: Vec<(Node<'a>, String, Vec<String>)>,
    /// Facts produced so far.
    pub facts: Vec<Fact>,
}

impl<'a> JsFile<'a> {
    /// Collects the nodes of one file (None when the grammar has no queries).
    pub fn new(ctx: &'a Ctx<'a>) -> Option<JsFile<'a>> {
        let q = query::for_lang(ctx.lang)?;
        let root = ctx.tree.root_node();
        let mut file = JsFile {
            ctx,
            src: ctx.src,
            path: &ctx.file.path,
            root,
            calls: Vec::new(),
            news: Vec::new(),
            cors_pairs: Vec::new(),
            binaries: Vec::new(),
            imports: Vec::new(),
            use_server: false,
            use_client: false,
            handlers: Vec::new(),
            actions: Vec::new(),
            user_vars: Vec::new(),
            clients: Vec::new(),
            routes: Vec::new(),
            facts: Vec::new(),
        };
        let (c_call, c_new, c_cors, c_bin) = (
            capture(&q.scan, "call"),
            capture(&q.scan, "new"),
            capture(&q.scan, "cors.pair"),
            capture(&q.scan, "binary"),
        );
        let mut cursor = QueryCursor::new();
        let mut it = cursor.matches(&q.scan, root, ctx.src.as_bytes());
        while let Some(m) = it.next() {
            for c in m.captures {
                if c.index == c_call {
                    file.calls.push(c.node);
                } else if c.index == c_new {
                    file.news.push(c.node);
                } else if c.index == c_cors {
                    file.cors_pairs.push(c.node);
                } else if c.index == c_bin {
                    file.binaries.push(c.node);
                }
            }
        }
        for v in [&mut file.calls, &mut file.news, &mut file.binaries] {
            v.sort_by_key(|n| n.start_byte());
        }
        file.read_header();
        Some(file)
    }

    fn read_header(&mut self) {
        let mut cur = self.root.walk();
        let mut prologue = true;
        let children: Vec<Node<'a>> = self.root.named_children(&mut cur).collect();
        for c in children {
            match c.kind() {
                "expression_statement" if prologue => {
                    let s = c
                        .named_child(0)
                        .and_then(|s| syntax::string_value(self.src, s));
                    match s {
                        Some("use server") => self.use_server = true,
                        Some("use client") => self.use_client = true,
                        Some(_) => {}
                        None => prologue = false,
                    }
                }
                "comment" => {}
                "import_statement" => {
                    prologue = false;
                    self.read_import(c);
                }
                "lexical_declaration" | "variable_declaration" => {
                    prologue = false;
                    self.read_require(c);
                }
                _ => prologue = false,
            }
        }
    }

    fn read_import(&mut self, imp: Node<'a>) {
        let Some(source) = imp
            .child_by_field_name("source")
            .and_then(|s| syntax::string_value(self.src, s))
        else {
            return;
        };
        let mut cur = imp.walk();
        for clause in imp.named_children(&mut cur) {
            if clause.kind() != "import_clause" {
                continue;
            }
            let mut c2 = clause.walk();
            for part in clause.named_children(&mut c2) {
                match part.kind() {
                    "identifier" => self.push_import(self.text(part), "default", source),
                    "namespace_import" => {
                        if let Some(id) = part.named_child(0) {
                            self.push_import(self.text(id), "*", source);
                        }
                    }
                    "named_imports" => {
                        let mut c3 = part.walk();
                        for spec in part.named_children(&mut c3) {
                            if spec.kind() != "import_specifier" {
                                continue;
                            }
                            let name = spec.child_by_field_name("name").map(|n| self.text(n));
                            let alias = spec.child_by_field_name("alias").map(|n| self.text(n));
                            if let Some(name) = name {
                                self.push_import(alias.unwrap_or(name), name, source);
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
        // `import 'x'` side-effect imports still tell which framework is in use.
        if imp.named_child_count() == 1 {
            self.push_import("", "", source);
        }
    }

    fn read_require(&mut self, decl: Node<'a>) {
        let mut cur = decl.walk();
        for d in decl.named_children(&mut cur) {
            if d.kind() != "variable_declarator" {
                continue;
            }
            let (Some(name), Some(value)) = (
                d.child_by_field_name("name"),
                d.child_by_field_name("value"),
            ) else {
                continue;
            };
            let value = syntax::unwrap(value);
            let call = if value.kind() == "call_expression" {
                value
            } else {
                continue;
            };
            let req = match syntax::callee(call) {
                Some(c) if self.text(c) == "require" => call,
                _ => continue,
            };
            let Some(source) = syntax::arg(req, 0).and_then(|a| syntax::string_value(self.src, a))
            else {
                continue;
            };
            let mut names = Vec::new();
            syntax::pattern_names(self.src, name, &mut names);
            let imported = if name.kind() == "identifier" { "*" } else { "" };
            for n in names {
                let imp = if imported.is_empty() { n } else { imported };
                self.push_import(n, imp, source);
            }
        }
    }

    fn push_import(&mut self, local: &str, imported: &str, source: &str) {
        self.imports.push(Import {
            local: local.to_string(),
            imported: imported.to_string(),
            source: source.to_string(),
        });
    }

    /// Source text of a node.
    pub fn text(&self, n: Node<'_>) -> &'a str {
        self.src.get(n.byte_range()).unwrap_or("")
    }

    /// Shortened text of a node for facts.
    pub fn short(&self, n: Node<'_>, max: usize) -> String {
        crate::ctx::shorten(self.text(n), max)
    }

    /// True when the file imports a module whose specifier starts with `prefix`.
    pub fn imports_from(&self, prefix: &str) -> bool {
        self.imports.iter().any(|i| i.source.starts_with(prefix))
    }

    /// The import binding a local name comes from.
    pub fn import_of(&self, local: &str) -> Option<&Import> {
        self.imports.iter().find(|i| i.local == local)
    }

    /// Pushes a fact located at `node`.
    pub fn push(&mut self, node: Node<'_>, data: FactData) {
        let f = self.ctx.fact(node, data);
        self.facts.push(f);
    }

    /// Emits the routes a framework extractor found: registers each handler's scope
    /// first, then pushes the route facts.
    pub fn emit_routes(&mut self, routes: Vec<RouteOut<'a>>) {
        for r in &routes {
            if let Some(h) = r.handler {
                self.ctx.add_handler(h);
                self.handlers.push(h.byte_range());
            }
        }
        for mut r in routes {
            if let Some(h) = r.handler {
                r.route.handler_scope = Some(self.ctx.scope_for_function(h));
                self.routes
                    .push((h, r.route.pattern.clone(), r.route.methods.clone()));
            }
            self.push(r.at, FactData::Route(r.route));
        }
    }

    /// Marks a function whose parameters carry request data (inline middleware).
    pub fn add_request_function(&mut self, f: Node<'a>) {
        self.handlers.push(f.byte_range());
    }

    /// Resolves a handler argument to a function node: an inline function, a wrapper
    /// call's inner function (`withAuth(async (req) => ...)`, collecting wrapper names),
    /// or an identifier naming a function declared in this file.
    pub fn resolve_handler(&self, n: Node<'a>, wrappers: &mut Vec<String>) -> Option<Node<'a>> {
        self.resolve_handler_depth(n, wrappers, 0)
    }

    fn resolve_handler_depth(
        &self,
        n: Node<'a>,
        wrappers: &mut Vec<String>,
        depth: u32,
    ) -> Option<Node<'a>> {
        if depth > 4 {
            return None;
        }
        let n = syntax::unwrap(n);
        if syntax::is_function(n) {
            return Some(n);
        }
        match n.kind() {
            "identifier" => {
                let name = self.text(n);
                let f = self.top_level_function(name)?;
                if syntax::is_function(f) {
                    Some(f)
                } else {
                    self.resolve_handler_depth(f, wrappers, depth + 1)
                }
            }
            "call_expression" => {
                let callee = syntax::callee(n)?;
                wrappers.push(syntax::callee_text(self.src, callee));
                // The handler is the last function-like argument.
                let args = syntax::args(n);
                for a in args.iter().rev() {
                    let a2 = syntax::unwrap(*a);
                    if syntax::is_function(a2) {
                        return Some(a2);
                    }
                }
                for a in args.iter().rev() {
                    if matches!(a.kind(), "identifier" | "call_expression") {
                        if let Some(f) = self.resolve_handler_depth(*a, wrappers, depth + 1) {
                            return Some(f);
                        }
                    }
                }
                None
            }
            _ => None,
        }
    }

    /// A top-level function (or the value of a top-level `const`) named `name`.
    pub fn top_level_function(&self, name: &str) -> Option<Node<'a>> {
        let mut cur = self.root.walk();
        for c in self.root.named_children(&mut cur) {
            let decl = if c.kind() == "export_statement" {
                match c.child_by_field_name("declaration") {
                    Some(d) => d,
                    None => continue,
                }
            } else {
                c
            };
            match decl.kind() {
                "function_declaration" | "generator_function_declaration"
                    if decl
                        .child_by_field_name("name")
                        .is_some_and(|n| self.text(n) == name) =>
                {
                    return Some(decl);
                }
                "lexical_declaration" | "variable_declaration" => {
                    let mut c2 = decl.walk();
                    for d in decl.named_children(&mut c2) {
                        if d.kind() == "variable_declarator"
                            && d.child_by_field_name("name")
                                .is_some_and(|n| self.text(n) == name)
                        {
                            return d.child_by_field_name("value").map(syntax::unwrap);
                        }
                    }
                }
                _ => {}
            }
        }
        None
    }

    /// The registered handler or action containing `n`, innermost first.
    pub fn handler_of(&self, n: Node<'_>) -> Option<Range<usize>> {
        let r = n.byte_range();
        self.handlers
            .iter()
            .chain(self.actions.iter())
            .filter(|h| h.start <= r.start && r.end <= h.end)
            .min_by_key(|h| h.len())
            .cloned()
    }

    /// True when `n` is inside a server action.
    pub fn in_action(&self, n: Node<'_>) -> bool {
        let r = n.byte_range();
        self.actions
            .iter()
            .any(|h| h.start <= r.start && r.end <= h.end)
    }

    /// The byte range facts inside `n` are grouped by: its handler, else its outermost
    /// function, else the whole file.
    pub fn scope_range(&self, n: Node<'_>) -> Range<usize> {
        if let Some(h) = self.handler_of(n) {
            return h;
        }
        syntax::outermost_function(n)
            .map(|f| f.byte_range())
            .unwrap_or(0..self.src.len())
    }

    /// Calls inside a byte range (the calls are sorted by start: a binary search finds
    /// the first).
    pub fn calls_in(&self, r: &Range<usize>) -> impl Iterator<Item = Node<'a>> + '_ {
        let end = r.end;
        let first = self.calls.partition_point(|c| c.start_byte() < r.start);
        self.calls[first..]
            .iter()
            .copied()
            .take_while(move |c| c.start_byte() < end)
            .filter(move |c| c.end_byte() <= end)
    }
}
