//! Flask routes: `@app.route("/x", methods=[...])`, `@bp.get(...)` (Flask 2), blueprints
//! with `url_prefix` (from `Blueprint(...)` or a same-file `register_blueprint`),
//! `app.add_url_rule(rule, view_func=f)`, class-based views (Flask-RESTful
//! `api.add_resource(Resource, "/x")`, Flask-RESTX `@ns.route("/x")` on a `Resource`,
//! `MethodView.as_view`), and `before_request` hooks as middleware.
//!
//! Decorators above the route decorator are not applied to the registered view (a
//! classic mistake: `@login_required` written above `@app.route` protects nothing), so
//! only those below it count as middleware.

use lm_core::fact::{FactData, Middleware, Route};
use tree_sitter::Node;

use super::fastapi::decorator_exprs;
use super::model::{
    keyword, last_segment, method_call, positional, string_list, string_value, Binding, PyFile,
};
use super::{auth, public_reason, HandlerInfo, Handlers};
use crate::Extraction;

const METHODS: &[&str] = &["route", "get", "post", "put", "patch", "delete"];

fn is_flask_owner(file: &PyFile<'_>, obj: Node<'_>) -> bool {
    match file.binding_of(obj) {
        Some(Binding::Flask { .. }) => true,
        Some(_) => false,
        None => file.imports_module("flask") && !file.imports_module("fastapi"),
    }
}

/// URL prefix of a blueprint (the same-file `register_blueprint` one wins, as in Flask).
fn prefix_of(file: &PyFile<'_>, var: &str) -> String {
    let ctx = file.ctx;
    let registered = file.calls.iter().find_map(|c| {
        (last_segment(ctx.text(c.callee)) == "register_blueprint"
            && positional(c.args, 0).is_some_and(|a| ctx.text(a) == var))
        .then(|| keyword(ctx, c.args, "url_prefix").and_then(|p| string_value(ctx, p)))
        .flatten()
    });
    if let Some(p) = registered {
        return p;
    }
    if let Some((Binding::Flask { blueprint: true }, value)) = file.bindings.get(var) {
        if let Some(args) = value.child_by_field_name("arguments") {
            if let Some(p) = keyword(ctx, args, "url_prefix").and_then(|p| string_value(ctx, p)) {
                return p;
            }
        }
    }
    String::new()
}

/// Names of `<converter:name>` parameters in a Flask rule.
pub fn path_params(rule: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = rule;
    while let Some(start) = rest.find('<') {
        let Some(end) = rest[start..].find('>') else {
            break;
        };
        let inner = &rest[start + 1..start + end];
        let name = inner.rsplit(':').next().unwrap_or(inner).trim();
        if !name.is_empty() {
            out.push(name.to_string());
        }
        rest = &rest[start + end + 1..];
    }
    out
}

fn join(prefix: &str, rule: &str) -> String {
    if prefix.is_empty() {
        return rule.to_string();
    }
    format!(
        "{}/{}",
        prefix.trim_end_matches('/'),
        rule.trim_start_matches('/')
    )
    .trim_end_matches('/')
    .to_string()
}

/// `app.register_blueprint(users_bp, url_prefix="/users")` of a blueprint defined in
/// another file: a `middleware` fact naming it, with the prefix as its matcher.
fn foreign_mounts(file: &PyFile<'_>, out: &mut Extraction) {
    let ctx = file.ctx;
    for c in &file.calls {
        if last_segment(ctx.text(c.callee)) != "register_blueprint" {
            continue;
        }
        let Some(bp) = positional(c.args, 0) else {
            continue;
        };
        if matches!(file.binding_of(bp), Some(Binding::Flask { .. })) {
            continue;
        }
        let Some(prefix) = keyword(ctx, c.args, "url_prefix").and_then(|p| string_value(ctx, p))
        else {
            continue;
        };
        out.facts.push(ctx.fact(
            c.node,
            FactData::Middleware(Middleware {
                framework: "flask".into(),
                matcher: vec![prefix],
                names: vec![ctx.short(bp, 80)],
                authenticates: false,
                rate_limits: false,
                order: super::services::line_order(c.node),
                router_module: Some(file.origin(ctx.text(bp))),
                ..Default::default()
            }),
        ));
    }
}

/// Runs the Flask route extractor.
pub fn extract(file: &PyFile<'_>, handlers: &mut Handlers, out: &mut Extraction) {
    let ctx = file.ctx;
    foreign_mounts(file, out);
    for &(decorated, func) in &file.decorated {
        let decorators = decorator_exprs(decorated);
        for (i, &expr) in decorators.iter().enumerate() {
            // `@app.before_request` (no call) marks a hook that runs before every route.
            if expr.kind() == "attribute" {
                let attr = expr
                    .child_by_field_name("attribute")
                    .map(|a| ctx.text(a))
                    .unwrap_or("");
                let obj = expr.child_by_field_name("object");
                if matches!(attr, "before_request" | "before_app_request")
                    && obj.is_some_and(|o| is_flask_owner(file, o))
                {
                    let var = obj.map(|o| ctx.text(o)).unwrap_or("");
                    let prefix = if attr == "before_request" {
                        prefix_of(file, var)
                    } else {
                        String::new()
                    };
                    out.facts.push(
                        ctx.fact(
                            decorated,
                            FactData::Middleware(Middleware {
                                framework: "flask".into(),
                                matcher: if prefix.is_empty() {
                                    Vec::new()
                                } else {
                                    vec![format!("{prefix}/*")]
                                },
                                names: func
                                    .child_by_field_name("name")
                                    .map(|n| vec![ctx.text(n).to_string()])
                                    .unwrap_or_default(),
                                authenticates: auth::function_authenticates(file, func),
                                rate_limits: false,
                                order: super::services::line_order(decorated),
                                ..Default::default()
                            }),
                        ),
                    );
                }
                continue;
            }
            let Some((obj, method, args)) = method_call(ctx, expr) else {
                continue;
            };
            if !METHODS.contains(&method) || !is_flask_owner(file, obj) {
                continue;
            }
            let Some(rule) = positional(args, 0)
                .or_else(|| keyword(ctx, args, "rule"))
                .and_then(|p| string_value(ctx, p))
            else {
                continue;
            };
            let methods = if method == "route" {
                let m: Vec<String> = keyword(ctx, args, "methods")
                    .map(|m| string_list(ctx, m))
                    .unwrap_or_default()
                    .into_iter()
                    .map(|m| m.to_ascii_uppercase())
                    .collect();
                if m.is_empty() {
                    vec!["GET".into()]
                } else {
                    m
                }
            } else {
                vec![method.to_ascii_uppercase()]
            };
            let below = &decorators[i + 1..];
            register(
                file,
                handlers,
                out,
                RouteSite {
                    at: decorated,
                    func,
                    pattern: join(&prefix_of(file, ctx.text(obj)), &rule),
                    methods,
                    decorators: below,
                },
            );
            break;
        }
    }
    class_views(file, handlers, out);
    // `app.add_url_rule("/x", view_func=f, methods=[...])`
    for c in &file.calls {
        if last_segment(ctx.text(c.callee)) != "add_url_rule" {
            continue;
        }
        let Some(obj) = c.callee.child_by_field_name("object") else {
            continue;
        };
        if !is_flask_owner(file, obj) {
            continue;
        }
        let Some(rule) = positional(c.args, 0).and_then(|r| string_value(ctx, r)) else {
            continue;
        };
        let Some(view) = keyword(ctx, c.args, "view_func").or_else(|| positional(c.args, 2)) else {
            continue;
        };
        let view_name = ctx.text(view);
        let Some(func) = file.functions.iter().copied().find(|f| {
            f.child_by_field_name("name")
                .is_some_and(|n| ctx.text(n) == view_name)
        }) else {
            continue;
        };
        if handlers.contains_key(&func.start_byte()) {
            continue;
        }
        let methods: Vec<String> = keyword(ctx, c.args, "methods")
            .map(|m| string_list(ctx, m))
            .unwrap_or_default()
            .into_iter()
            .map(|m| m.to_ascii_uppercase())
            .collect();
        let decorated = func.parent().filter(|p| p.kind() == "decorated_definition");
        let decorators = decorated.map(decorator_exprs).unwrap_or_default();
        register(
            file,
            handlers,
            out,
            RouteSite {
                at: c.node,
                func,
                pattern: join(&prefix_of(file, ctx.text(obj)), &rule),
                methods: if methods.is_empty() {
                    vec!["GET".into()]
                } else {
                    methods
                },
                decorators: &decorators,
            },
        );
    }
}

const VERBS: &[&str] = &["get", "post", "put", "patch", "delete"];

/// Module-level (or decorated) class definitions named `name`.
fn find_class<'a>(file: &PyFile<'a>, name: &str) -> Option<Node<'a>> {
    let ctx = file.ctx;
    let root = ctx.tree.root_node();
    let mut c = root.walk();
    let found = root.named_children(&mut c).find_map(|n| {
        let class = match n.kind() {
            "class_definition" => n,
            "decorated_definition" => n.child_by_field_name("definition")?,
            _ => return None,
        };
        (class.kind() == "class_definition"
            && class
                .child_by_field_name("name")
                .is_some_and(|x| ctx.text(x) == name))
        .then_some(class)
    });
    found
}

/// Class-level `decorators = [...]` / `method_decorators = [...]` of a view class.
fn class_decorators<'a>(file: &PyFile<'a>, class: Node<'a>) -> Vec<Node<'a>> {
    let ctx = file.ctx;
    let Some(body) = class.child_by_field_name("body") else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut c = body.walk();
    for stmt in body.named_children(&mut c) {
        let Some(assign) = stmt.named_child(0).filter(|a| a.kind() == "assignment") else {
            continue;
        };
        let (Some(l), Some(r)) = (
            assign.child_by_field_name("left"),
            assign.child_by_field_name("right"),
        ) else {
            continue;
        };
        if matches!(ctx.text(l), "decorators" | "method_decorators") {
            out.extend(super::fastapi::list_items(r));
        }
    }
    out
}

/// Routes for the HTTP-verb methods of a view class mounted at `patterns`.
fn class_routes(
    file: &PyFile<'_>,
    handlers: &mut Handlers,
    out: &mut Extraction,
    at: Node<'_>,
    class: Node<'_>,
    patterns: &[String],
) {
    let ctx = file.ctx;
    let shared = class_decorators(file, class);
    let Some(body) = class.child_by_field_name("body") else {
        return;
    };
    let mut c = body.walk();
    for item in body.named_children(&mut c) {
        let (func, own) = match item.kind() {
            "function_definition" => (item, Vec::new()),
            "decorated_definition" => match item.child_by_field_name("definition") {
                Some(f) if f.kind() == "function_definition" => (f, decorator_exprs(item)),
                _ => continue,
            },
            _ => continue,
        };
        let Some(name) = func.child_by_field_name("name").map(|n| ctx.text(n)) else {
            continue;
        };
        if !VERBS.contains(&name) || handlers.contains_key(&func.start_byte()) {
            continue;
        }
        let decorators: Vec<Node<'_>> = shared.iter().copied().chain(own).collect();
        for pattern in patterns {
            register(
                file,
                handlers,
                out,
                RouteSite {
                    at,
                    func,
                    pattern: pattern.clone(),
                    methods: vec![name.to_ascii_uppercase()],
                    decorators: &decorators,
                },
            );
        }
    }
}

/// Flask-RESTful / Flask-RESTX / MethodView registrations.
fn class_views(file: &PyFile<'_>, handlers: &mut Handlers, out: &mut Extraction) {
    let ctx = file.ctx;
    let restful = file.imports_module("flask_restful")
        || file.imports_module("flask_restx")
        || file.imports_module("flask_restplus");
    for c in &file.calls {
        let callee = ctx.text(c.callee);
        match last_segment(callee) {
            "add_resource" if restful => {
                let Some(cls) = positional(c.args, 0) else {
                    continue;
                };
                let patterns: Vec<String> = {
                    let mut cur = c.args.walk();
                    let items: Vec<String> = c
                        .args
                        .named_children(&mut cur)
                        .skip(1)
                        .filter_map(|a| string_value(ctx, a))
                        .collect();
                    items
                };
                if let Some(class) = find_class(file, ctx.text(cls)) {
                    class_routes(file, handlers, out, c.node, class, &patterns);
                }
            }
            "add_url_rule" => {
                // `view_func=UserAPI.as_view("user")`
                let Some(view) =
                    keyword(ctx, c.args, "view_func").or_else(|| positional(c.args, 2))
                else {
                    continue;
                };
                if view.kind() != "call" {
                    continue;
                }
                let vt = ctx.text(view);
                let Some((cls, _)) = vt.split_once(".as_view") else {
                    continue;
                };
                let Some(rule) = positional(c.args, 0).and_then(|r| string_value(ctx, r)) else {
                    continue;
                };
                let prefix = c
                    .callee
                    .child_by_field_name("object")
                    .map(|o| prefix_of(file, ctx.text(o)))
                    .unwrap_or_default();
                if let Some(class) = find_class(file, cls.trim()) {
                    class_routes(file, handlers, out, c.node, class, &[join(&prefix, &rule)]);
                }
            }
            _ => {}
        }
    }
    if !restful {
        return;
    }
    // `@ns.route("/todos/<int:id>")` on a Resource class.
    for &(decorated, class) in &file.decorated_classes {
        for expr in decorator_exprs(decorated) {
            if expr.kind() != "call" {
                continue;
            }
            let Some(callee) = expr.child_by_field_name("function") else {
                continue;
            };
            if last_segment(ctx.text(callee)) != "route" {
                continue;
            }
            let Some(args) = expr.child_by_field_name("arguments") else {
                continue;
            };
            let Some(path) = positional(args, 0).and_then(|p| string_value(ctx, p)) else {
                continue;
            };
            let prefix = callee
                .child_by_field_name("object")
                .map(|o| namespace_prefix(file, ctx.text(o)))
                .unwrap_or_default();
            class_routes(
                file,
                handlers,
                out,
                decorated,
                class,
                &[join(&prefix, &path)],
            );
        }
    }
}

/// Path of a Flask-RESTX namespace: `api.namespace("todos", path="/todos")` or
/// `Namespace("todos")` (mounted at `/todos` unless `add_namespace(ns, path=...)`).
fn namespace_prefix(file: &PyFile<'_>, var: &str) -> String {
    let ctx = file.ctx;
    let added = file.calls.iter().find_map(|c| {
        (last_segment(ctx.text(c.callee)) == "add_namespace"
            && positional(c.args, 0).is_some_and(|a| ctx.text(a) == var))
        .then(|| keyword(ctx, c.args, "path").and_then(|p| string_value(ctx, p)))
        .flatten()
    });
    if let Some(p) = added {
        return p;
    }
    let value = file
        .assignments
        .iter()
        .rev()
        .find(|(l, _)| ctx.text(*l) == var)
        .map(|(_, r)| *r)
        .filter(|r| r.kind() == "call");
    let Some(value) = value else {
        return String::new();
    };
    let callee = value
        .child_by_field_name("function")
        .map(|f| ctx.text(f))
        .unwrap_or("");
    if !matches!(last_segment(callee), "namespace" | "Namespace") {
        return String::new();
    }
    let Some(args) = value.child_by_field_name("arguments") else {
        return String::new();
    };
    if let Some(p) = keyword(ctx, args, "path").and_then(|p| string_value(ctx, p)) {
        return p;
    }
    positional(args, 0)
        .and_then(|n| string_value(ctx, n))
        .map(|n| format!("/{n}"))
        .unwrap_or_default()
}

struct RouteSite<'a, 'd> {
    at: Node<'a>,
    func: Node<'a>,
    pattern: String,
    methods: Vec<String>,
    decorators: &'d [Node<'a>],
}

fn register(
    file: &PyFile<'_>,
    handlers: &mut Handlers,
    out: &mut Extraction,
    site: RouteSite<'_, '_>,
) {
    let ctx = file.ctx;
    let func = site.func;
    ctx.add_handler(func);
    let scope = ctx.scope_for_function(func);
    let mut route = Route {
        framework: "flask".into(),
        methods: site.methods,
        pattern: site.pattern.clone(),
        handler: func
            .child_by_field_name("name")
            .map(|n| ctx.text(n).to_string()),
        handler_scope: Some(scope.clone()),
        middleware: site.decorators.iter().map(|d| ctx.short(*d, 80)).collect(),
        ..Default::default()
    };
    if let Some(r) = public_reason(&site.pattern) {
        route.public = true;
        route.public_reason = Some(r.into());
    }
    out.facts.push(ctx.fact(site.at, FactData::Route(route)));
    for d in site.decorators {
        auth::decorator_facts(file, *d, &scope, out);
    }
    handlers.insert(
        func.start_byte(),
        HandlerInfo {
            framework: "flask",
            scope,
            request_params: path_params(&site.pattern),
            pattern: site.pattern,
            ..Default::default()
        },
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_parameters_and_prefixes() {
        assert_eq!(
            path_params("/users/<int:user_id>/posts/<slug>"),
            vec!["user_id", "slug"]
        );
        assert_eq!(join("/api/", "/items"), "/api/items");
        assert_eq!(join("/api", "/"), "/api");
        assert_eq!(join("", "/x"), "/x");
    }
}
