//! Next.js: app-router route handlers (`app/**/route.ts`), pages-router API routes
//! (`pages/api/**`), server actions (`"use server"` files and inline) and
//! `middleware.ts` with its `config.matcher`.

use std::sync::LazyLock;

use lm_core::fact::{AuthCheck, FactData, Middleware, Route};
use regex::Regex;
use tree_sitter::Node;

use super::model::{JsFile, RouteOut};
use super::{auth, services, syntax};

/// A negated user, session or token in a condition (`!user`, `!session?.user`, `!token`).
static NEGATED_USER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"!\s*\(?\s*([A-Za-z_$][\w$]*\??\.)*(user|session|token|userId|currentUser|authUser|isAuthenticated|isLoggedIn|isSignedIn|isAuthed)\b")
        .expect("regex compiles")
});

const METHODS: &[&str] = &["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];
const ROUTE_FILES: &[&str] = &[
    "route.ts",
    "route.js",
    "route.tsx",
    "route.jsx",
    "route.mjs",
];
const MIDDLEWARE_FILES: &[&str] = &[
    "middleware.ts",
    "middleware.js",
    "middleware.mjs",
    "proxy.ts",
    "proxy.js",
];

/// The URL pattern of an app-router route file (`app/api/projects/[id]/route.ts` →
/// `/api/projects/[id]`), with route groups `(x)`, parallel slots `@x` and private
/// folders `_x` dropped. None when the path is not a route file.
pub fn app_route_pattern(path: &str) -> Option<String> {
    let segs: Vec<&str> = path.split('/').collect();
    let (file, dirs) = segs.split_last()?;
    if !ROUTE_FILES.contains(file) {
        return None;
    }
    let app = dirs.iter().rposition(|s| *s == "app")?;
    if dirs[..app]
        .iter()
        .any(|s| *s == "node_modules" || *s == "pages")
    {
        return None;
    }
    let mut pattern = String::new();
    for s in &dirs[app + 1..] {
        if s.starts_with('(') && s.ends_with(')') || s.starts_with('@') {
            continue;
        }
        if s.starts_with('_') {
            return None;
        }
        pattern.push('/');
        pattern.push_str(s);
    }
    if pattern.is_empty() {
        pattern.push('/');
    }
    Some(pattern)
}

/// The URL pattern of a pages-router API file (`pages/api/users/[id].ts` →
/// `/api/users/[id]`, `index` dropped).
pub fn pages_api_pattern(path: &str) -> Option<String> {
    let idx = path.rfind("pages/api/")?;
    if path[..idx].contains("node_modules/") {
        return None;
    }
    let rest = &path[idx + "pages/".len()..];
    let stem = rest.rsplit_once('.').map(|(s, _)| s).unwrap_or(rest);
    let stem = stem.strip_suffix("/index").unwrap_or(stem);
    Some(format!("/{stem}"))
}

/// True for a Next.js `middleware.ts` (or `proxy.ts`) path: at the project root, in
/// `src/`, or at the root of an app in a monorepo (`apps/web/middleware.ts`).
pub fn is_middleware_file(path: &str) -> bool {
    let segs: Vec<&str> = path.split('/').collect();
    let Some((file, dirs)) = segs.split_last() else {
        return false;
    };
    if !MIDDLEWARE_FILES.contains(file) || dirs.contains(&"node_modules") {
        return false;
    }
    matches!(
        dirs,
        [] | ["src"] | [.., "apps" | "packages", _] | [.., "apps" | "packages", _, "src"]
    )
}

/// Why a route is public by convention, when it is. Cron routes are not: they need a
/// secret check.
pub fn public_reason(pattern: &str) -> Option<&'static str> {
    let p = pattern.to_ascii_lowercase();
    let segs: Vec<&str> = p.split('/').filter(|s| !s.is_empty()).collect();
    let last = segs.last().copied().unwrap_or("");
    if segs.iter().any(|s| {
        matches!(
            *s,
            "health"
                | "healthz"
                | "healthcheck"
                | "health-check"
                | "ping"
                | "livez"
                | "readyz"
                | "liveness"
                | "readiness"
        )
    }) {
        return Some("health check");
    }
    if p.contains("[...nextauth]")
        || p.contains("/auth/callback")
        || p.contains("/auth/confirm")
        || p.contains("oauth") && last.contains("callback")
        || last == "callback" && segs.iter().any(|s| s.contains("auth"))
    {
        return Some("auth callback");
    }
    if p.contains("webhook") {
        return Some("webhook (signature verification expected)");
    }
    if matches!(
        last,
        "og" | "opengraph-image" | "twitter-image" | "sitemap.xml" | "robots.txt" | "icon"
    ) {
        return Some("metadata or OG image");
    }
    if segs.iter().any(|s| s.contains("auth"))
        && matches!(
            last,
            "login"
                | "signin"
                | "sign-in"
                | "signup"
                | "sign-up"
                | "register"
                | "logout"
                | "signout"
                | "sign-out"
                | "forgot-password"
                | "reset-password"
                | "magic-link"
                | "otp"
                | "verify-otp"
        )
        || matches!(
            last,
            "login" | "signin" | "sign-in" | "signup" | "sign-up" | "register"
        )
    {
        return Some("sign-in or sign-up endpoint");
    }
    None
}

/// Sets `public`/`public_reason` from the pattern.
pub fn mark_public(route: &mut Route) {
    if let Some(r) = public_reason(&route.pattern) {
        route.public = true;
        route.public_reason = Some(r.to_string());
    }
}

/// Runs the Next.js extractors.
pub fn extract(file: &mut JsFile<'_>) {
    let path = file.path.to_string();
    if let Some(pattern) = app_route_pattern(&path) {
        let routes = app_routes(file, &pattern);
        file.emit_routes(routes);
    } else if let Some(pattern) = pages_api_pattern(&path) {
        let routes = pages_routes(file, &pattern);
        file.emit_routes(routes);
    }
    server_actions(file);
    if is_middleware_file(&path)
        && (file.imports_from("next")
            || file.imports_from("@clerk")
            || file.imports_from("@supabase")
            || file.src.contains("matcher"))
    {
        middleware(file);
    }
}

fn exported_decls<'a>(file: &JsFile<'a>) -> Vec<(String, Node<'a>, Option<Node<'a>>)> {
    // (exported name, node to point at, value: function / call / identifier)
    let mut out = Vec::new();
    let mut cur = file.root.walk();
    for c in file.root.named_children(&mut cur) {
        if c.kind() != "export_statement" {
            continue;
        }
        if let Some(d) = c.child_by_field_name("declaration") {
            match d.kind() {
                "function_declaration" | "generator_function_declaration" => {
                    if let Some(n) = d.child_by_field_name("name") {
                        out.push((file.text(n).to_string(), c, Some(d)));
                    }
                }
                "lexical_declaration" | "variable_declaration" => {
                    let mut c2 = d.walk();
                    for v in d.named_children(&mut c2) {
                        if v.kind() != "variable_declarator" {
                            continue;
                        }
                        let Some(n) = v.child_by_field_name("name") else {
                            continue;
                        };
                        if n.kind() == "identifier" {
                            out.push((file.text(n).to_string(), c, v.child_by_field_name("value")));
                        } else {
                            // `export const { GET, POST } = handlers` (NextAuth v5)
                            let mut names = Vec::new();
                            syntax::pattern_names(file.src, n, &mut names);
                            for name in names {
                                out.push((name.to_string(), c, None));
                            }
                        }
                    }
                }
                _ => {}
            }
            continue;
        }
        if let Some(v) = c.child_by_field_name("value") {
            out.push(("default".to_string(), c, Some(v)));
            continue;
        }
        // export { handler as GET, POST } (from '...')?
        let mut c2 = c.walk();
        for clause in c.named_children(&mut c2) {
            if clause.kind() != "export_clause" {
                continue;
            }
            let mut c3 = clause.walk();
            for spec in clause.named_children(&mut c3) {
                if spec.kind() != "export_specifier" {
                    continue;
                }
                let name = spec.child_by_field_name("name");
                let alias = spec.child_by_field_name("alias").or(name);
                if let (Some(name), Some(alias)) = (name, alias) {
                    out.push((file.text(alias).to_string(), c, Some(name)));
                }
            }
        }
        // `export default function () {}` without a name is parsed as a declaration
        // in some grammars; handled above.
    }
    out
}

fn app_routes<'a>(file: &JsFile<'a>, pattern: &str) -> Vec<RouteOut<'a>> {
    let mut out = Vec::new();
    for (name, at, value) in exported_decls(file) {
        if !METHODS.contains(&name.as_str()) {
            continue;
        }
        let mut middleware = Vec::new();
        let mut handler_name = Some(name.clone());
        let handler = value.and_then(|v| {
            let v = syntax::unwrap(v);
            if v.kind() == "identifier" {
                handler_name = Some(file.text(v).to_string());
            }
            file.resolve_handler(v, &mut middleware)
        });
        let mut route = Route {
            framework: "nextjs-app".into(),
            methods: vec![name.clone()],
            pattern: pattern.to_string(),
            handler: handler_name,
            middleware,
            ..Default::default()
        };
        mark_public(&mut route);
        out.push(RouteOut { at, handler, route });
    }
    out
}

fn pages_routes<'a>(file: &JsFile<'a>, pattern: &str) -> Vec<RouteOut<'a>> {
    let mut out = Vec::new();
    for (name, at, value) in exported_decls(file) {
        if name != "default" {
            continue;
        }
        let Some(v) = value else { continue };
        let v = syntax::unwrap(v);
        let mut middleware = Vec::new();
        let handler = file.resolve_handler(v, &mut middleware);
        let handler_name = match v.kind() {
            "identifier" => Some(file.text(v).to_string()),
            "function_declaration" | "function_expression" => v
                .child_by_field_name("name")
                .map(|n| file.text(n).to_string()),
            _ => handler.and_then(|h| {
                h.child_by_field_name("name")
                    .map(|n| file.text(n).to_string())
            }),
        };
        let methods = handler
            .map(|h| request_methods(file, h))
            .unwrap_or_default();
        let mut route = Route {
            framework: "nextjs-pages".into(),
            methods: if methods.is_empty() {
                vec!["*".into()]
            } else {
                methods
            },
            pattern: pattern.to_string(),
            handler: handler_name,
            middleware,
            ..Default::default()
        };
        mark_public(&mut route);
        out.push(RouteOut { at, handler, route });
    }
    // `export default function handler` is an export_statement whose declaration is
    // the function: exported_decls names it after the function, not `default`.
    if out.is_empty() {
        let mut cur = file.root.walk();
        for c in file.root.named_children(&mut cur) {
            if c.kind() != "export_statement" || !file.text(c).starts_with("export default") {
                continue;
            }
            let Some(d) = c.child_by_field_name("declaration") else {
                continue;
            };
            if !syntax::is_function(d) && d.kind() != "function_declaration" {
                continue;
            }
            let methods = request_methods(file, d);
            let mut route = Route {
                framework: "nextjs-pages".into(),
                methods: if methods.is_empty() {
                    vec!["*".into()]
                } else {
                    methods
                },
                pattern: pattern.to_string(),
                handler: d
                    .child_by_field_name("name")
                    .map(|n| file.text(n).to_string()),
                ..Default::default()
            };
            mark_public(&mut route);
            out.push(RouteOut {
                at: c,
                handler: Some(d),
                route,
            });
        }
    }
    out
}

/// HTTP methods a handler accepts, from `req.method === 'POST'`, `!==` guards and
/// `switch (req.method) { case 'GET': ... }`. Empty when it does not check.
pub fn request_methods(file: &JsFile<'_>, handler: Node<'_>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut add = |s: &str| {
        let up = s.to_ascii_uppercase();
        if METHODS.contains(&up.as_str()) && up != "OPTIONS" && !out.contains(&up) {
            out.push(up);
        }
    };
    let src = file.src;
    syntax::descendants(handler, false, |n| match n.kind() {
        "binary_expression" => {
            let (Some(l), Some(r)) = (
                n.child_by_field_name("left"),
                n.child_by_field_name("right"),
            ) else {
                return;
            };
            let (m, s) = if is_method_expr(src, l) {
                (l, r)
            } else if is_method_expr(src, r) {
                (r, l)
            } else {
                return;
            };
            let _ = m;
            if let Some(v) = syntax::string_value(src, s) {
                add(v);
            }
        }
        "switch_statement" => {
            let Some(v) = n.child_by_field_name("value") else {
                return;
            };
            if !is_method_expr(src, syntax::unwrap(v)) {
                return;
            }
            if let Some(b) = n.child_by_field_name("body") {
                let mut cur = b.walk();
                for case in b.named_children(&mut cur) {
                    if let Some(v) = case.child_by_field_name("value") {
                        if let Some(s) = syntax::string_value(src, v) {
                            add(s);
                        }
                    }
                }
            }
        }
        _ => {}
    });
    out
}

fn is_method_expr(src: &str, n: Node<'_>) -> bool {
    let n = syntax::unwrap(n);
    n.kind() == "member_expression"
        && n.child_by_field_name("property")
            .is_some_and(|p| src.get(p.byte_range()) == Some("method"))
        || n.kind() == "identifier" && src.get(n.byte_range()) == Some("method")
}

fn has_use_server_directive(file: &JsFile<'_>, f: Node<'_>) -> bool {
    let Some(b) = syntax::body(f) else {
        return false;
    };
    if b.kind() != "statement_block" {
        return false;
    }
    let mut cur = b.walk();
    let first = b.named_children(&mut cur).find(|c| c.kind() != "comment");
    first.is_some_and(|s| {
        s.kind() == "expression_statement"
            && s.named_child(0)
                .and_then(|x| syntax::string_value(file.src, x))
                == Some("use server")
    })
}

fn function_name<'a>(file: &JsFile<'a>, f: Node<'a>) -> Option<String> {
    if let Some(n) = f.child_by_field_name("name") {
        return Some(file.text(n).to_string());
    }
    let p = f.parent()?;
    if p.kind() == "variable_declarator" {
        return p
            .child_by_field_name("name")
            .map(|n| file.text(n).to_string());
    }
    if p.kind() == "pair" {
        return p
            .child_by_field_name("key")
            .map(|n| file.text(n).to_string());
    }
    None
}

fn server_actions(file: &mut JsFile<'_>) {
    let mut routes = Vec::new();
    if file.use_server {
        for (name, at, value) in exported_decls(file) {
            let Some(v) = value else { continue };
            let mut middleware = Vec::new();
            let Some(h) = file.resolve_handler(v, &mut middleware) else {
                continue;
            };
            let name = if name == "default" {
                function_name(file, h).unwrap_or(name)
            } else {
                name
            };
            routes.push(action_route(file, at, h, name, middleware));
        }
    } else if file.src.contains("use server") {
        let mut found = Vec::new();
        syntax::descendants(file.root, false, |n| {
            if syntax::is_function(n) && has_use_server_directive(file, n) {
                found.push(n);
            }
        });
        for h in found {
            let name = function_name(file, h).unwrap_or_else(|| "action".into());
            routes.push(action_route(file, h, h, name, Vec::new()));
        }
    }
    for r in &routes {
        if let Some(h) = r.handler {
            file.actions.push(h.byte_range());
        }
    }
    file.emit_routes(routes);
}

fn action_route<'a>(
    file: &JsFile<'a>,
    at: Node<'a>,
    h: Node<'a>,
    name: String,
    middleware: Vec<String>,
) -> RouteOut<'a> {
    RouteOut {
        at,
        handler: Some(h),
        route: Route {
            framework: "server-action".into(),
            methods: vec!["ACTION".into()],
            pattern: format!("{}#{}", file.path, name),
            handler: Some(name),
            middleware,
            ..Default::default()
        },
    }
}

fn middleware(file: &mut JsFile<'_>) {
    let decls = exported_decls(file);
    let matcher = decls
        .iter()
        .find(|(n, _, _)| n == "config")
        .and_then(|(_, _, v)| *v)
        .map(|v| matcher_of(file, syntax::unwrap(v)))
        .unwrap_or_default();
    let entry = decls
        .iter()
        .find(|(n, _, _)| n == "default" || n == "middleware" || n == "proxy")
        .cloned();
    let Some((name, at, value)) = entry.clone() else {
        return;
    };
    let mut names = Vec::new();
    let mut handler = None;
    let mut reexport_auth = false;
    if let Some(v) = value {
        let v = syntax::unwrap(v);
        // `export { default } from "next-auth/middleware"`, `export { auth as middleware }`
        if v.kind() == "identifier" && at.child_by_field_name("source").is_some() {
            let src = at
                .child_by_field_name("source")
                .and_then(|s| syntax::string_value(file.src, s))
                .unwrap_or("");
            names.push(format!("{}:{}", src, file.text(v)));
            reexport_auth = src.contains("next-auth") || file.text(v) == "auth";
        } else {
            handler = file.resolve_handler(v, &mut names);
            if v.kind() == "identifier" {
                names.push(file.text(v).to_string());
            }
        }
    }
    if names.is_empty() {
        names.push(name.to_string());
    }
    if let Some(h) = handler {
        file.ctx.add_handler(h);
        file.add_request_function(h);
        // Helpers it delegates to (`return updateSession(request)`): consumers follow
        // them to their `function` facts in other files.
        let r = h.byte_range();
        for c in file.calls_in(&r) {
            let Some(callee) = syntax::callee(c) else {
                continue;
            };
            if callee.kind() != "identifier" {
                continue;
            }
            let name = file.text(callee);
            let local = file.import_of(name).is_some_and(|i| {
                i.source.starts_with('.')
                    || i.source.starts_with("@/")
                    || i.source.starts_with("~/")
            });
            if local && !names.iter().any(|n| n == name) {
                names.push(name.to_string());
            }
        }
    }
    let auth_calls = file
        .calls
        .iter()
        .any(|c| auth::classify_call(file, *c).is_some());
    let wrapper_auth = names.iter().any(|n| {
        let l = n.to_ascii_lowercase();
        l == "authmiddleware" || l == "withauth" || l == "auth" || l.ends_with("nextauth")
    });
    let clerk_protects =
        names.iter().any(|n| n == "clerkMiddleware") && file.src.contains("protect(");
    let redirects_to_login = file.calls.iter().any(|c| redirects_to_login_call(file, *c));
    // `if (!user) return NextResponse.redirect(...)` / `... 401` on a user from a helper.
    let guard = handler.and_then(|h| {
        let mut found = None;
        syntax::descendants(h, false, |n| {
            if found.is_some() || n.kind() != "if_statement" {
                return;
            }
            let cond = n
                .child_by_field_name("condition")
                .map(|c| file.text(c))
                .unwrap_or("");
            if NEGATED_USER.is_match(cond)
                && n.child_by_field_name("consequence")
                    .is_some_and(|c| syntax::exits(file.src, c))
            {
                found = Some(n);
            }
        });
        found
    });
    let guard_at = guard.map(|g| g.start_byte());
    let guards_user = guard.is_some();
    // The guard is the middleware's own enforced check: other checks in its body (a
    // shared secret that only lets a cron call skip the guard) do not make it one that
    // lets unauthenticated requests through.
    if let Some(g) = guard {
        // Only the negated name goes into the record, never the rest of the condition,
        // which may compare against a literal secret.
        let cond = g
            .child_by_field_name("condition")
            .map(|c| file.text(c))
            .unwrap_or("");
        let negated = NEGATED_USER.captures(cond);
        let negation = negated
            .as_ref()
            .and_then(|c| c.get(0))
            .map_or("!user", |m| m.as_str());
        let negation: String = negation.split_whitespace().collect();
        let user_var = negated
            .and_then(|c| c.get(2))
            .map(|m| m.as_str().to_string());
        file.push(
            g,
            FactData::AuthCheck(AuthCheck {
                method: format!("if ({negation}) exits"),
                provider: "custom".into(),
                user_var,
                enforced: true,
            }),
        );
    }
    // Where the handler first checks the caller: early returns before it let requests
    // through unchecked.
    let skip_paths = handler
        .map(|h| {
            let r = h.byte_range();
            let first_check = file
                .calls_in(&r)
                .filter(|c| {
                    auth::classify_call(file, *c).is_some() || redirects_to_login_call(file, *c)
                })
                .map(|c| c.start_byte())
                .chain(guard_at)
                .min();
            // Checked by a wrapper before the handler runs: nothing escapes it.
            let wrapped = wrapper_auth || reexport_auth;
            match first_check {
                Some(at) => early_skips(file, h, at),
                None if !wrapped => early_skips(file, h, usize::MAX),
                None => Vec::new(),
            }
        })
        .unwrap_or_default();
    let rate_limits = file
        .calls
        .iter()
        .any(|c| services::is_rate_limit_call(file, *c));
    let order = 0;
    file.push(
        at,
        FactData::Middleware(Middleware {
            framework: "nextjs".into(),
            matcher,
            names,
            authenticates: guards_user
                || auth_calls
                || wrapper_auth
                || clerk_protects
                || reexport_auth
                || redirects_to_login && file.src.contains("user"),
            rate_limits,
            order,
            skip_paths,
            ..Default::default()
        }),
    );
}

/// A call that sends the caller to a sign-in page.
fn redirects_to_login_call(file: &JsFile<'_>, c: Node<'_>) -> bool {
    let t = file.text(c);
    (t.contains("redirect") || t.contains("NextResponse.redirect") || t.contains("new URL("))
        && (t.contains("/login")
            || t.contains("/signin")
            || t.contains("/sign-in")
            || t.contains("/auth"))
}

/// Paths a middleware handler lets through with an early return placed before `before`
/// (the byte of its first auth check): `if (pathname.startsWith('/api')) return
/// NextResponse.next()` → `/api*`; `if (pathname === '/login') return` → `/login`.
fn early_skips(file: &JsFile<'_>, h: Node<'_>, before: usize) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    syntax::descendants(h, true, |n| {
        if n.kind() != "if_statement" || n.start_byte() >= before {
            return;
        }
        let (Some(cond), Some(then)) = (
            n.child_by_field_name("condition"),
            n.child_by_field_name("consequence"),
        ) else {
            return;
        };
        if !passes_through(file, then) {
            return;
        }
        let mut paths = Vec::new();
        if path_tests(file, cond, &mut paths) {
            for p in paths {
                if !out.contains(&p) {
                    out.push(p);
                }
            }
        }
    });
    out
}

/// True when a branch returns without rejecting: `return NextResponse.next()`,
/// `return;`, `return response` (no redirect, no error status).
fn passes_through(file: &JsFile<'_>, then: Node<'_>) -> bool {
    let t = file.text(then);
    let returns = if then.kind() == "return_statement" {
        true
    } else {
        let mut cur = then.walk();
        let stmts: Vec<Node<'_>> = then.named_children(&mut cur).collect();
        stmts.last().is_some_and(|l| l.kind() == "return_statement")
    };
    let rejects = ["redirect", "401", "403", "rewrite", "Unauthorized", "throw"]
        .iter()
        .any(|w| t.contains(w));
    let bare_or_next = t.contains("NextResponse.next(")
        || t.contains("NextResponse.next ()")
        || t.replace(char::is_whitespace, "")
            .trim_end_matches('}')
            .ends_with("return;")
        || t.replace(char::is_whitespace, "").trim_end_matches('}') == "return"
        || t.replace(char::is_whitespace, "")
            .trim_end_matches('}')
            .ends_with("{return");
    returns && !rejects && bare_or_next
}

/// Collects the paths a condition tests the request path against, when it is only such
/// tests joined by `||`; false otherwise (`&&`, negations, other values).
fn path_tests(file: &JsFile<'_>, cond: Node<'_>, out: &mut Vec<String>) -> bool {
    let n = syntax::unwrap(cond);
    let n = if n.kind() == "parenthesized_expression" {
        match n.named_child(0) {
            Some(x) => x,
            None => return false,
        }
    } else {
        n
    };
    match n.kind() {
        "parenthesized_expression" => path_tests(file, n, out),
        "binary_expression" => {
            let op = n
                .child_by_field_name("operator")
                .map(|o| file.text(o))
                .unwrap_or("");
            let (Some(l), Some(r)) = (
                n.child_by_field_name("left"),
                n.child_by_field_name("right"),
            ) else {
                return false;
            };
            match op {
                "||" => path_tests(file, l, out) && path_tests(file, r, out),
                "===" | "==" => {
                    let (value, subject) = if syntax::string_value(file.src, r).is_some() {
                        (r, l)
                    } else {
                        (l, r)
                    };
                    match syntax::string_value(file.src, value) {
                        Some(v) if v.starts_with('/') && is_path_expr(file.text(subject)) => {
                            out.push(v.to_string());
                            true
                        }
                        _ => false,
                    }
                }
                _ => false,
            }
        }
        "call_expression" => {
            let Some(callee) = syntax::callee(n) else {
                return false;
            };
            let Some(obj) = callee.child_by_field_name("object") else {
                return false;
            };
            let method = syntax::last_name(file.src, callee);
            let arg = syntax::arg(n, 0);
            match method {
                "startsWith" if is_path_expr(file.text(obj)) => {
                    match arg.and_then(|a| syntax::string_value(file.src, a)) {
                        Some(v) if v.starts_with('/') => {
                            out.push(format!("{v}*"));
                            true
                        }
                        _ => false,
                    }
                }
                "test"
                    if obj.kind() == "regex" && arg.is_some_and(|a| is_path_expr(file.text(a))) =>
                {
                    let pattern = obj
                        .child_by_field_name("pattern")
                        .map(|p| file.text(p))
                        .unwrap_or("");
                    match regex_path(pattern) {
                        Some(p) => {
                            out.push(p);
                            true
                        }
                        None => false,
                    }
                }
                _ => false,
            }
        }
        _ => false,
    }
}

/// An expression naming the request path (`pathname`, `req.nextUrl.pathname`).
fn is_path_expr(t: &str) -> bool {
    let last = t.rsplit(['.', '?']).next().unwrap_or(t).trim();
    matches!(last, "pathname" | "path")
}

/// The path an anchored regular expression tests: `^\/api` → `/api*`, `^\/login$` →
/// `/login`; None when it is not a plain literal prefix.
fn regex_path(pattern: &str) -> Option<String> {
    let rest = pattern.strip_prefix('^')?;
    let mut lit = String::new();
    let mut chars = rest.chars().peekable();
    let mut exact = false;
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(e @ ('/' | '.' | '-' | '_')) => lit.push(e),
                _ => break,
            },
            '$' if chars.peek().is_none() => {
                exact = true;
                break;
            }
            c if c.is_ascii_alphanumeric() || matches!(c, '/' | '-' | '_') => lit.push(c),
            _ => break,
        }
    }
    if !lit.starts_with('/') {
        return None;
    }
    Some(if exact { lit } else { format!("{lit}*") })
}

fn matcher_of(file: &JsFile<'_>, config: Node<'_>) -> Vec<String> {
    let Some(m) = syntax::object_prop(file.src, config, "matcher") else {
        return Vec::new();
    };
    let m = syntax::unwrap(m);
    if let Some(s) = syntax::string_value(file.src, m) {
        return vec![s.to_string()];
    }
    let mut out = Vec::new();
    if m.kind() == "array" {
        let mut cur = m.walk();
        for e in m.named_children(&mut cur) {
            if let Some(s) = syntax::string_value(file.src, e) {
                out.push(s.to_string());
            } else if e.kind() == "object" {
                if let Some(s) = syntax::object_prop(file.src, e, "source")
                    .and_then(|s| syntax::string_value(file.src, s))
                {
                    out.push(s.to_string());
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn app_route_patterns() {
        assert_eq!(
            app_route_pattern("app/api/projects/[id]/route.ts").as_deref(),
            Some("/api/projects/[id]")
        );
        assert_eq!(
            app_route_pattern("src/app/(dashboard)/api/x/route.js").as_deref(),
            Some("/api/x")
        );
        assert_eq!(app_route_pattern("app/route.ts").as_deref(), Some("/"));
        assert_eq!(app_route_pattern("app/api/x/handler.ts"), None);
        assert_eq!(app_route_pattern("lib/route.ts"), None);
    }

    #[test]
    fn pages_patterns_and_middleware_paths() {
        assert_eq!(
            pages_api_pattern("pages/api/users/[id].ts").as_deref(),
            Some("/api/users/[id]")
        );
        assert_eq!(
            pages_api_pattern("src/pages/api/index.js").as_deref(),
            Some("/api")
        );
        assert!(is_middleware_file("middleware.ts"));
        assert!(is_middleware_file("src/middleware.ts"));
        assert!(is_middleware_file("apps/web/middleware.ts"));
        assert!(!is_middleware_file("server/routes/middleware.ts"));
    }

    #[test]
    fn public_by_convention() {
        assert_eq!(public_reason("/api/health"), Some("health check"));
        assert_eq!(
            public_reason("/api/auth/[...nextauth]"),
            Some("auth callback")
        );
        assert_eq!(public_reason("/auth/callback"), Some("auth callback"));
        assert!(public_reason("/api/webhooks/stripe").is_some());
        assert_eq!(public_reason("/api/cron/cleanup"), None);
        assert_eq!(public_reason("/api/projects/[id]"), None);
        assert_eq!(public_reason("/api/status-report"), None);
    }
}
