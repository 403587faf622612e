//! Flask routes: `@app.route("/x", methods=[...])`, `@bp.get(...)` (Flask 2), blueprints
//! with `url_prefix` (from `Blueprint(...)` or a same-file `register_blueprint`),
//! `app.add_url_rule(rule, view_func=f)`, and `before_request` hooks as middleware.
//!
//! Decorators above the route decorator are not applied to the registered view (a
//! classic mistake: `@login_required` written above `@app.route` protects nothing), so
//! only those below it count as middleware.

use lm_core::fact::{FactData, Middleware, Route};
use tree_sitter::Node;

use super::fastapi::decorator_exprs;
use super::model::{keyword, last_segment, positional, string_list, string_value, Binding, PyFile};
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

/// Runs the Flask route extractor.
pub fn extract(file: &PyFile<'_>, handlers: &mut Handlers, out: &mut Extraction) {
    let ctx = file.ctx;
    let mut order = 0u32;
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
                    order += 1;
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
                                order,
                            }),
                        ),
                    );
                }
                continue;
            }
            if expr.kind() != "call" {
                continue;
            }
            let Some(callee) = expr.child_by_field_name("function") else {
                continue;
            };
            if callee.kind() != "attribute" {
                continue;
            }
            let (Some(obj), Some(method)) = (
                callee.child_by_field_name("object"),
                callee.child_by_field_name("attribute"),
            ) else {
                continue;
            };
            let method = ctx.text(method);
            if !METHODS.contains(&method) || !is_flask_owner(file, obj) {
                continue;
            }
            let Some(args) = expr.child_by_field_name("arguments") else {
                continue;
            };
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
