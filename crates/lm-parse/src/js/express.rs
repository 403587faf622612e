//! Express (and the Express-shaped part of Hono): `app.get/post/...(path, ...middleware,
//! handler)`, `router.route('/x').get(...)`, `app.use(...)` middleware in order, and
//! routers mounted with a prefix (`app.use('/api', router)`) in the same file.

use lm_core::fact::{FactData, Middleware, Route};
use tree_sitter::Node;

use super::model::{JsFile, RouteOut};
use super::{auth, nextjs, services, syntax};

/// HTTP verbs registered as methods of an app or router.
pub const VERBS: &[&str] = &[
    "get", "post", "put", "patch", "delete", "all", "options", "head",
];

/// Which framework a registration belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    /// Express (and Express-compatible routers).
    Express,
    /// Hono.
    Hono,
}

impl Flavor {
    fn name(self) -> &'static str {
        match self {
            Flavor::Express => "express",
            Flavor::Hono => "hono",
        }
    }
}

/// An app or router variable created in this file, with the base path set on creation.
#[derive(Debug, Clone)]
pub struct AppVar {
    /// Variable name.
    pub name: String,
    /// Base path set on creation (`new Hono().basePath('/api')`).
    pub base: String,
}

/// A registration (`app.get(...)`, `app.use(...)`) in source order.
struct Reg<'a> {
    call: Node<'a>,
    receiver: String,
    verb: String,
    path: Option<String>,
    fns: Vec<Node<'a>>,
}

/// App and router variables created in this file for a flavor.
pub fn app_vars(file: &JsFile<'_>, flavor: Flavor) -> Vec<AppVar> {
    let mut out = Vec::new();
    let creators: Vec<Node<'_>> = file.calls.iter().chain(file.news.iter()).copied().collect();
    for c in creators {
        let Some(callee) = syntax::callee(c) else {
            continue;
        };
        let text = file.text(callee);
        let is_app = match flavor {
            Flavor::Express => {
                let src = file
                    .import_of(text.split('.').next().unwrap_or(""))
                    .map(|i| i.source.as_str());
                (text == "express"
                    || text == "express.Router"
                    || text == "Router"
                    || text == "require('express')")
                    && (src == Some("express") || file.src.contains("express"))
                    || text == "Router" && src == Some("express")
            }
            Flavor::Hono => {
                c.kind() == "new_expression" && (text == "Hono" || text == "OpenAPIHono")
            }
        };
        if !is_app {
            continue;
        }
        // Walk up chained `.basePath('/x')` and find the declarator.
        let mut base = String::new();
        let mut cur = c;
        while let Some(p) = cur.parent() {
            match p.kind() {
                "member_expression" if p.child_by_field_name("object") == Some(cur) => {
                    let prop = p
                        .child_by_field_name("property")
                        .map(|x| file.text(x))
                        .unwrap_or("");
                    let Some(call) = p.parent().filter(|g| g.kind() == "call_expression") else {
                        break;
                    };
                    if prop == "basePath" {
                        if let Some(s) =
                            syntax::arg(call, 0).and_then(|a| syntax::string_value(file.src, a))
                        {
                            base.push_str(s);
                        }
                    }
                    cur = call;
                }
                "parenthesized_expression" | "await_expression" => cur = p,
                "variable_declarator" => {
                    if let Some(n) = p
                        .child_by_field_name("name")
                        .filter(|n| n.kind() == "identifier")
                    {
                        out.push(AppVar {
                            name: file.text(n).to_string(),
                            base: base.trim_end_matches('/').to_string(),
                        });
                    }
                    break;
                }
                _ => break,
            }
        }
    }
    out
}

fn path_value(file: &JsFile<'_>, n: Node<'_>) -> Option<String> {
    let n = syntax::unwrap(n);
    if let Some(s) = syntax::string_value(file.src, n) {
        return Some(s.to_string());
    }
    if n.kind() == "array" {
        let mut cur = n.walk();
        let parts: Vec<String> = n
            .named_children(&mut cur)
            .filter_map(|x| syntax::string_value(file.src, x).map(String::from))
            .collect();
        if !parts.is_empty() {
            return Some(parts.join("|"));
        }
    }
    if n.kind() == "regex" {
        return Some(file.text(n).to_string());
    }
    None
}

fn join(prefix: &str, path: &str) -> String {
    if prefix.is_empty() {
        return if path.is_empty() {
            "/".into()
        } else {
            path.to_string()
        };
    }
    let p = prefix.trim_end_matches('/');
    if path == "/" || path.is_empty() {
        return p.to_string();
    }
    format!(
        "{p}{}",
        if path.starts_with('/') {
            path.to_string()
        } else {
            format!("/{path}")
        }
    )
}

/// A display name for a middleware argument; inline functions are named by their scope.
pub fn middleware_name(file: &JsFile<'_>, n: Node<'_>) -> String {
    let n = syntax::unwrap(n);
    if syntax::is_function(n) {
        return format!("inline:{}", file.ctx.scope_for_function(n));
    }
    if n.kind() == "call_expression" {
        if let Some(c) = syntax::callee(n) {
            return syntax::callee_text(file.src, c);
        }
    }
    if n.kind() == "array" {
        let mut cur = n.walk();
        return n
            .named_children(&mut cur)
            .map(|x| middleware_name(file, x))
            .collect::<Vec<_>>()
            .join(",");
    }
    crate::ctx::shorten(file.text(n), 60)
}

/// True for a router mounted from another module (`app.use('/users', userRoutes)`):
/// named like one, or imported from a `routes`/`router` module.
fn is_router_name(file: &JsFile<'_>, name: &str) -> bool {
    let l = name.to_ascii_lowercase();
    if !l
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
    {
        return false;
    }
    l.ends_with("routes")
        || l.ends_with("router")
        || l.ends_with("routers")
        || file.import_of(name).is_some_and(|i| {
            let s = i.source.to_ascii_lowercase();
            s.contains("route") || s.contains("router") || s.contains("controller")
        })
}

/// True when a middleware name or its same-file definition authenticates.
pub fn authenticates(file: &JsFile<'_>, n: Node<'_>) -> bool {
    let n = syntax::unwrap(n);
    let name = middleware_name(file, n).to_ascii_lowercase();
    let bare = name.rsplit('.').next().unwrap_or(&name).to_string();
    if bare.ends_with("router")
        || bare.ends_with("routes")
        || bare.ends_with("controller")
        || name.starts_with("inline:") && !syntax::is_function(n)
    {
        return false;
    }
    let by_name = bare.contains("auth") && !bare.contains("oauth")
        || bare.contains("jwt")
        || bare.contains("verifytoken")
        || bare == "protect"
        || bare.contains("loggedin")
        || bare.contains("requirelogin")
        || bare.contains("requireuser")
        || bare.contains("bearer")
        || bare.contains("apikey");
    if by_name && !syntax::is_function(n) {
        return true;
    }
    let def = match n.kind() {
        "identifier" => file.top_level_function(file.text(n)),
        _ if syntax::is_function(n) => Some(n),
        _ => None,
    };
    def.is_some_and(|f| {
        let r = f.byte_range();
        file.calls_in(&r)
            .any(|c| auth::classify_call(file, c).is_some())
    })
}

/// True when a middleware argument applies a rate limit.
pub fn rate_limits(file: &JsFile<'_>, n: Node<'_>) -> bool {
    let n = syntax::unwrap(n);
    if n.kind() == "call_expression" && services::is_rate_limit_call(file, n) {
        return true;
    }
    let name = middleware_name(file, n).to_ascii_lowercase();
    if name.contains("limit") || name.contains("slowdown") || name.contains("throttle") {
        return true;
    }
    if n.kind() == "identifier" {
        if let Some(v) = super::provenance::value_of(file, file.text(n), n) {
            let v = syntax::unwrap(v);
            return v.kind() == "call_expression" && services::is_rate_limit_call(file, v);
        }
    }
    false
}

/// Runs the Express extractor.
pub fn extract(file: &mut JsFile<'_>) {
    if !file.imports_from("express") && !file.src.contains("express") {
        return;
    }
    run(file, Flavor::Express);
}

/// Extracts routes and middleware for an Express-shaped framework.
pub fn run(file: &mut JsFile<'_>, flavor: Flavor) {
    let apps = app_vars(file, flavor);
    let known = |r: &str| apps.iter().any(|a| a.name == r);
    let conventional = |r: &str| match flavor {
        Flavor::Express => {
            matches!(r, "app" | "router" | "server" | "api" | "routes")
                || r.ends_with("Router")
                || r.ends_with("router")
        }
        Flavor::Hono => {
            matches!(r, "app" | "api" | "routes") || r.ends_with("App") || r.ends_with("Router")
        }
    };
    let mut regs: Vec<Reg<'_>> = Vec::new();
    for c in &file.calls {
        let Some(callee) = syntax::callee(*c) else {
            continue;
        };
        if callee.kind() != "member_expression" {
            continue;
        }
        let verb = syntax::last_name(file.src, callee).to_string();
        let is_verb = VERBS.contains(&verb.as_str())
            || verb == "use"
            || flavor == Flavor::Hono && verb == "on";
        if !is_verb {
            continue;
        }
        let Some(obj) = callee.child_by_field_name("object") else {
            continue;
        };
        let obj = syntax::unwrap(obj);
        let args = syntax::args(*c);
        // router.route('/x').get(...)
        let (receiver, path, fns) = if obj.kind() == "call_expression"
            && syntax::callee(obj).is_some_and(|oc| syntax::last_name(file.src, oc) == "route")
        {
            let Some(inner) = syntax::callee_object(obj) else {
                continue;
            };
            let r = file.text(syntax::unwrap(inner)).to_string();
            let p = syntax::arg(obj, 0).and_then(|a| path_value(file, a));
            (r, p, args)
        } else {
            let r = file.text(obj).to_string();
            if verb == "on" {
                // app.on('GET' | ['GET','POST'], '/x', handler)
                let p = args.get(1).and_then(|a| path_value(file, *a));
                let methods = args
                    .first()
                    .map(|m| file.text(*m).to_uppercase())
                    .unwrap_or_default();
                let fns = args.iter().skip(2).copied().collect();
                regs.push(Reg {
                    call: *c,
                    receiver: r,
                    verb: format!("on:{methods}"),
                    path: p,
                    fns,
                });
                continue;
            }
            let p = args.first().and_then(|a| path_value(file, *a));
            let fns = if p.is_some() {
                args[1..].to_vec()
            } else {
                args
            };
            (r, p, fns)
        };
        if !(known(&receiver) || conventional(&receiver)) {
            continue;
        }
        if verb != "use" {
            // `app.get('env')` is a setting, not a route.
            if path.is_none() || fns.is_empty() {
                continue;
            }
            let p = path.as_deref().unwrap_or("");
            if !(p.starts_with('/') || p == "*" || p.starts_with('|') || p.contains("|/")) {
                continue;
            }
        }
        if fns.is_empty() {
            continue;
        }
        regs.push(Reg {
            call: *c,
            receiver,
            verb,
            path,
            fns,
        });
    }
    if regs.is_empty() {
        return;
    }
    regs.sort_by_key(|r| r.call.start_byte());
    // Mounts: app.use('/api', router) / app.route('/api', sub) (hono).
    let mut mounts: Vec<(String, String, String, usize)> = Vec::new(); // (child, parent, prefix, at)
    for r in &regs {
        if r.verb == "use" {
            if let Some(p) = &r.path {
                for f in &r.fns {
                    let t = file.text(syntax::unwrap(*f));
                    if apps.iter().any(|a| a.name == t) {
                        mounts.push((
                            t.to_string(),
                            r.receiver.clone(),
                            p.clone(),
                            r.call.start_byte(),
                        ));
                    }
                }
            }
        }
    }
    if flavor == Flavor::Hono {
        for c in &file.calls {
            let Some(callee) = syntax::callee(*c) else {
                continue;
            };
            if syntax::last_name(file.src, callee) != "route" {
                continue;
            }
            let args = syntax::args(*c);
            let (Some(p), Some(child)) =
                (args.first().and_then(|a| path_value(file, *a)), args.get(1))
            else {
                continue;
            };
            let parent = syntax::callee_object(*c)
                .map(|o| file.text(o).to_string())
                .unwrap_or_default();
            mounts.push((file.text(*child).to_string(), parent, p, c.start_byte()));
        }
    }
    let base_of = |name: &str| {
        apps.iter()
            .find(|a| a.name == name)
            .map(|a| a.base.clone())
            .unwrap_or_default()
    };
    // Prefix and parent-level middleware for a receiver.
    let prefix_of = |recv: &str| -> (String, Option<(String, usize)>) {
        let own = base_of(recv);
        if let Some((_, parent, p, at)) = mounts.iter().find(|(c, _, _, _)| c == recv) {
            let pb = base_of(parent);
            (join(&join(&pb, p), &own), Some((parent.clone(), *at)))
        } else {
            (own, None)
        }
    };
    let uses_before = |recv: &str, before: usize, path: &str| -> Vec<String> {
        let mut names = Vec::new();
        for r in &regs {
            if r.verb != "use" || r.receiver != recv || r.call.start_byte() >= before {
                continue;
            }
            let covers = match &r.path {
                None => true,
                Some(p) => {
                    let p = p.trim_end_matches('*').trim_end_matches('/');
                    p.is_empty() || path.starts_with(p)
                }
            };
            if !covers {
                continue;
            }
            for f in &r.fns {
                let t = file.text(syntax::unwrap(*f));
                if apps.iter().any(|a| a.name == t) || is_router_name(file, t) {
                    continue; // a mounted router, not middleware
                }
                names.push(middleware_name(file, *f));
            }
        }
        names
    };
    let mut routes = Vec::new();
    let mut middleware_facts = Vec::new();
    let mut mount_facts = Vec::new();
    let mut inline_fns = Vec::new();
    for (order, r) in regs.iter().enumerate() {
        let (prefix, parent) = prefix_of(&r.receiver);
        if r.verb == "use" {
            let mut names = Vec::new();
            let mut auth_ = false;
            let mut rl = false;
            for (k, f) in r.fns.iter().enumerate() {
                let t = file.text(syntax::unwrap(*f));
                if apps.iter().any(|a| a.name == t) {
                    continue;
                }
                if is_router_name(file, t) {
                    // Middleware listed after the router does not run before its
                    // routes: then the mount sits at the call, not after it.
                    let later_mw = r.fns[k + 1..].iter().any(|g| {
                        let u = file.text(syntax::unwrap(*g));
                        !apps.iter().any(|a| a.name == u) && !is_router_name(file, u)
                    });
                    let at = if later_mw { r.call } else { syntax::unwrap(*f) };
                    // A router imported from a local module: a mount fact naming the
                    // module, at the router argument (middleware listed before it in
                    // the same call run first).
                    if let Some(source) = file.import_of(t).map(|i| i.source.clone()).filter(|s| {
                        s.starts_with('.') || s.starts_with("@/") || s.starts_with("~/")
                    }) {
                        let matcher = match &r.path {
                            Some(p) => vec![join(&prefix, p)],
                            None if !prefix.is_empty() => vec![prefix.clone()],
                            None => Vec::new(),
                        };
                        mount_facts.push((
                            at,
                            Middleware {
                                framework: flavor.name().into(),
                                matcher,
                                names: vec![t.to_string()],
                                order: order as u32,
                                router_module: Some(source),
                                ..Default::default()
                            },
                        ));
                    }
                    continue;
                }
                let fu = syntax::unwrap(*f);
                if syntax::is_function(fu) {
                    inline_fns.push(fu);
                }
                names.push(middleware_name(file, *f));
                auth_ |= authenticates(file, *f);
                rl |= rate_limits(file, *f);
            }
            if names.is_empty() {
                continue; // pure mount
            }
            let matcher = match &r.path {
                Some(p) => vec![join(&prefix, p)],
                None if !prefix.is_empty() => vec![format!("{prefix}/*")],
                None => Vec::new(),
            };
            middleware_facts.push((
                r.call,
                Middleware {
                    framework: flavor.name().into(),
                    matcher,
                    names,
                    authenticates: auth_,
                    rate_limits: rl,
                    order: order as u32,
                    ..Default::default()
                },
            ));
            continue;
        }
        let path = r.path.clone().unwrap_or_default();
        let full = join(&prefix, &path);
        let mut middleware = Vec::new();
        if let Some((parent, at)) = &parent {
            middleware.extend(uses_before(parent, *at, &full));
        }
        middleware.extend(uses_before(&r.receiver, r.call.start_byte(), &path));
        let (last, before) = r.fns.split_last().expect("non-empty");
        for m in before {
            let mu = syntax::unwrap(*m);
            if syntax::is_function(mu) {
                inline_fns.push(mu);
            }
            middleware.push(middleware_name(file, *m));
        }
        let mut wrappers = Vec::new();
        let handler = file.resolve_handler(*last, &mut wrappers);
        middleware.extend(wrappers);
        let lu = syntax::unwrap(*last);
        let handler_name = match lu.kind() {
            "identifier" | "member_expression" => Some(file.text(lu).to_string()),
            _ => handler
                .and_then(|h| h.child_by_field_name("name"))
                .map(|n| file.text(n).to_string()),
        };
        let methods = if let Some(m) = r.verb.strip_prefix("on:") {
            m.split(|c: char| !c.is_ascii_alphabetic())
                .filter(|s| !s.is_empty())
                .map(String::from)
                .collect()
        } else if r.verb == "all" {
            vec!["*".to_string()]
        } else {
            vec![r.verb.to_ascii_uppercase()]
        };
        let mut route = Route {
            framework: flavor.name().into(),
            methods,
            pattern: full,
            handler: handler_name,
            middleware,
            ..Default::default()
        };
        nextjs::mark_public(&mut route);
        routes.push(RouteOut {
            at: r.call,
            handler,
            route,
        });
    }
    for f in inline_fns {
        file.ctx.add_handler(f);
        file.add_request_function(f);
    }
    file.emit_routes(routes);
    for (n, m) in middleware_facts.into_iter().chain(mount_facts) {
        file.push(n, FactData::Middleware(m));
    }
}
