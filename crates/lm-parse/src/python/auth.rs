//! Auth and role checks in Python: FastAPI dependencies (`Depends(get_current_user)`,
//! `Security(...)`, auth schemes), decorators (`@login_required`, `@jwt_required()`,
//! `@admin_required`, `@roles_required("admin")`), calls in handlers (`jwt.decode`,
//! `supabase.auth.get_user`, `get_jwt_identity`, `verify_id_token`, helpers such as
//! `require_user`), `current_user.is_authenticated` guards, secret-header comparisons,
//! and role comparisons (`user.role == "admin"`, `current_user.is_admin`, `has_role`).

use std::sync::LazyLock;

use lm_core::fact::{AuthCheck, Cors, FactData, Provenance, RateLimit, RoleCheck};
use regex::Regex;
use tree_sitter::Node;

use super::model::{
    guarded_if, keyword, last_segment, positional, stops, string_list, string_value, Binding,
    PyFile,
};
use super::{fact_in_scope, Handlers};
use crate::Extraction;

/// Names of dependencies and helpers that authenticate (`get_current_user`,
/// `verify_token`, `require_admin`...), minus services and repositories named after users.
static AUTH_NAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(^|_)(current_?user|user|auth|authenticated?|authorize[d]?|token|jwt|login|verify|principal|api_?key|bearer|credentials?|oauth2?|claims|identity|admin|superuser|permissions?|roles?)($|_)",
    )
    .expect("valid regex")
});
static NOT_AUTH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(service|repo|repository|crud|manager|store|client|_db|db_|dao|cache|_by_|_list|_count|_create|_update|_delete|_model|schema|settings)")
        .expect("valid regex")
});
/// Role and permission names.
static ROLE_NAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(admin|superuser|staff|roles?|permissions?|moderator|privilege)")
        .expect("valid regex")
});
/// Operands that read a role or permission: `user.role`, `user["role"]`,
/// `meta.get("role")`, `current_user.is_admin`.
static ROLE_OPERAND: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?i)(\.|\[\s*["']|get\(\s*["'])(role|roles|user_role|user_type|account_type|permissions?|is_admin|is_superuser|is_staff|is_moderator)\b"#,
    )
    .expect("valid regex")
});
/// In-body helper calls that authenticate or yield the authenticated user.
static AUTH_CALL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^(get_)?(current_(active_)?user|user_from_(token|request|jwt|header|session)|authenticated_user|auth_user|logged_in_user|session_user)$|^(require|verify|validate|check|authenticate|ensure|decode)_?(auth|user|token|jwt|login|session|api_?key|access_token|admin|bearer|credentials|signed_in|logged_in)",
    )
    .expect("valid regex")
});

/// True when a dependency target names an authentication step.
pub fn is_auth_dependency(file: &PyFile<'_>, target: Option<Node<'_>>, name: &str) -> bool {
    if let Some(t) = target {
        if matches!(file.binding_of(t), Some(Binding::AuthScheme)) {
            return true;
        }
        if t.kind() == "call" {
            if matches!(file.classify(t), Some(Binding::AuthScheme)) {
                return true; // `Depends(HTTPBearer())`
            }
            let callee = t
                .child_by_field_name("function")
                .map(|f| file.ctx.text(f))
                .unwrap_or("");
            return is_auth_name(last_segment(callee)) || is_role_name(last_segment(callee));
        }
    }
    is_auth_name(last_segment(name))
}

/// True for names of auth helpers, dependencies and decorators.
pub fn is_auth_name(name: &str) -> bool {
    let name = snake(name);
    AUTH_NAME.is_match(&name) && !NOT_AUTH.is_match(&name)
}

/// True for names that check a role or permission.
pub fn is_role_name(name: &str) -> bool {
    let name = snake(name);
    ROLE_NAME.is_match(&name) && !NOT_AUTH.is_match(&name)
}

/// `JWTBearer` → `jwt_bearer`, `RoleChecker` → `role_checker`; snake_case unchanged.
pub fn snake(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::with_capacity(name.len() + 4);
    for (i, &c) in chars.iter().enumerate() {
        if c.is_ascii_uppercase() {
            let prev_lower =
                i > 0 && (chars[i - 1].is_ascii_lowercase() || chars[i - 1].is_ascii_digit());
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase());
            let prev_upper = i > 0 && chars[i - 1].is_ascii_uppercase();
            if i > 0 && chars[i - 1] != '_' && (prev_lower || prev_upper && next_lower) {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// True for calls that yield the authenticated user (used for provenance).
pub fn yields_user(callee: &str) -> bool {
    let last = last_segment(callee);
    matches!(
        last,
        "get_jwt_identity" | "get_jwt" | "get_current_user" | "verify_id_token"
    ) || callee.ends_with("auth.get_user")
        || (callee == "jwt.decode")
        || AUTH_CALL.is_match(last) && !NOT_AUTH.is_match(last)
}

fn provider_of(file: &PyFile<'_>, name: &str) -> &'static str {
    let origin = file.origin(name);
    if origin.starts_with("flask_login")
        || origin.starts_with("flask_security")
        || origin.starts_with("flask_user")
    {
        "flask-login"
    } else if origin.starts_with("flask_jwt") || name.to_ascii_lowercase().contains("jwt") {
        "jwt"
    } else {
        "custom"
    }
}

/// The role a check names: a string argument, a `scopes=[...]` entry, or `admin` from
/// the name itself.
fn role_from(file: &PyFile<'_>, call: Option<Node<'_>>, name: &str) -> Option<String> {
    if let Some(args) = call.and_then(|c| c.child_by_field_name("arguments")) {
        if let Some(s) =
            positional(args, 0).and_then(|a| string_list(file.ctx, a).into_iter().next())
        {
            return Some(s);
        }
        if let Some(s) = keyword(file.ctx, args, "scopes")
            .and_then(|a| string_list(file.ctx, a).into_iter().next())
        {
            return Some(s);
        }
    }
    let l = name.to_ascii_lowercase();
    ["superuser", "admin", "staff", "moderator", "owner"]
        .iter()
        .find(|r| l.contains(*r))
        .map(|r| r.to_string())
}

/// Facts for one FastAPI dependency (`Depends(x)` / `Security(x)` / `Depends(RateLimiter(...))`)
/// guarding the handler of `scope`.
pub fn dependency_facts(
    file: &PyFile<'_>,
    dep: Node<'_>,
    scope: &str,
    user_var: Option<String>,
    out: &mut Extraction,
) {
    let ctx = file.ctx;
    if dep.kind() != "call" {
        return;
    }
    let Some(args) = dep.child_by_field_name("arguments") else {
        return;
    };
    let target = positional(args, 0).or_else(|| keyword(ctx, args, "dependency"));
    let target_name = target.map(|t| {
        if t.kind() == "call" {
            t.child_by_field_name("function")
                .map(|f| ctx.text(f))
                .unwrap_or("")
        } else {
            ctx.text(t)
        }
    });
    let Some(name) = target_name else { return };
    let last = last_segment(name);
    if matches!(last, "RateLimiter" | "rate_limit" | "limiter" | "RateLimit") {
        out.facts.push(fact_in_scope(
            ctx,
            dep,
            scope,
            FactData::RateLimit(RateLimit {
                method: ctx.short(dep, 80),
            }),
        ));
        return;
    }
    if !is_auth_dependency(file, target, name) {
        return;
    }
    out.facts.push(fact_in_scope(
        ctx,
        dep,
        scope,
        FactData::AuthCheck(AuthCheck {
            method: ctx.short(dep, 80),
            provider: "fastapi".into(),
            user_var,
            enforced: true,
        }),
    ));
    let scopes = keyword(ctx, args, "scopes").is_some();
    if is_role_name(last) || scopes {
        let call = target.filter(|t| t.kind() == "call").or(Some(dep));
        out.facts.push(fact_in_scope(
            ctx,
            dep,
            scope,
            FactData::RoleCheck(RoleCheck {
                expr: ctx.short(dep, 80),
                role: role_from(file, call, last),
                enforced: true,
            }),
        ));
    }
}

/// Facts for a decorator applied to the handler of `scope`: auth and role decorators,
/// rate limits, `@cross_origin`.
pub fn decorator_facts(file: &PyFile<'_>, expr: Node<'_>, scope: &str, out: &mut Extraction) {
    let ctx = file.ctx;
    let (name_node, call) = if expr.kind() == "call" {
        (expr.child_by_field_name("function"), Some(expr))
    } else {
        (Some(expr), None)
    };
    let Some(name_node) = name_node else { return };
    let name = ctx.text(name_node);
    let last = last_segment(name);
    let lower = last.to_ascii_lowercase();
    // `@limiter.limit("5/minute")`, `@limiter.shared_limit(...)`.
    if matches!(last, "limit" | "shared_limit") && call.is_some() {
        let obj = name_node.child_by_field_name("object");
        let is_limiter = obj.is_some_and(|o| {
            matches!(file.binding_of(o), Some(Binding::Limiter))
                || ctx.text(o).to_ascii_lowercase().contains("limit")
        });
        if is_limiter {
            out.facts.push(fact_in_scope(
                ctx,
                expr,
                scope,
                FactData::RateLimit(RateLimit {
                    method: format!("@{name}"),
                }),
            ));
        }
        return;
    }
    if last == "cross_origin" {
        let args = call.and_then(|c| c.child_by_field_name("arguments"));
        let origins = args
            .and_then(|a| keyword(ctx, a, "origins").or_else(|| positional(a, 0)))
            .map(|o| string_list(ctx, o))
            .unwrap_or_default();
        let credentials = args
            .and_then(|a| keyword(ctx, a, "supports_credentials"))
            .is_some_and(|v| ctx.text(v) == "True");
        out.facts.push(fact_in_scope(
            ctx,
            expr,
            scope,
            FactData::Cors(Cors {
                allow_origin: origin_value(&origins),
                credentials,
                mechanism: "flask-cors".into(),
            }),
        ));
        return;
    }
    let is_role = is_role_name(last)
        && (lower.contains("require") || lower.contains("only") || lower.contains("accepted"));
    let is_auth = is_role
        || is_auth_name(last)
            && (lower.contains("require")
                || lower.contains("protected")
                || lower.starts_with("authenticated")
                || lower.starts_with("verify")
                || lower.ends_with("_auth")
                || lower == "auth");
    if is_auth {
        out.facts.push(fact_in_scope(
            ctx,
            expr,
            scope,
            FactData::AuthCheck(AuthCheck {
                method: name.to_string(),
                provider: provider_of(file, name).into(),
                user_var: None,
                enforced: true,
            }),
        ));
    }
    if is_role {
        out.facts.push(fact_in_scope(
            ctx,
            expr,
            scope,
            FactData::RoleCheck(RoleCheck {
                expr: ctx.short(expr, 80),
                role: role_from(file, call, last),
                enforced: true,
            }),
        ));
    }
}

/// The `allow_origin` value for a list of origins: `*` when any is `*`.
pub fn origin_value(origins: &[String]) -> String {
    if origins.is_empty() || origins.iter().any(|o| o == "*") {
        "*".into()
    } else {
        origins.join(",")
    }
}

/// True when a hook function checks authentication and stops the request when it fails.
pub fn function_authenticates(file: &PyFile<'_>, func: Node<'_>) -> bool {
    let ctx = file.ctx;
    let Some(body) = func.child_by_field_name("body") else {
        return false;
    };
    let text = ctx.text(body);
    let checks = text.contains("is_authenticated")
        || text.contains("verify_jwt_in_request")
        || file.calls.iter().any(|c| {
            c.node.start_byte() >= body.start_byte()
                && c.node.end_byte() <= body.end_byte()
                && yields_user(ctx.text(c.callee))
        })
        || text.contains("session.get(\"user")
        || text.contains("session.get('user");
    checks && stops(ctx, body)
}

/// True when, after `at`, the function tests `var` and stops when it is missing.
fn guarded_after(file: &PyFile<'_>, func: Node<'_>, var: &str, at: usize) -> bool {
    let ctx = file.ctx;
    let mut stack = vec![func];
    while let Some(n) = stack.pop() {
        if n.kind() == "if_statement" && n.start_byte() > at {
            if let Some(cond) = n.child_by_field_name("condition") {
                let t = ctx.text(cond);
                let negated =
                    t.starts_with("not ") || t.contains("is None") || t.contains("== None");
                if negated && t.contains(var) {
                    if let Some(c) = n.child_by_field_name("consequence") {
                        if stops(ctx, c) {
                            return true;
                        }
                    }
                }
            }
        }
        let mut c = n.walk();
        stack.extend(n.named_children(&mut c));
    }
    false
}

/// The variable an expression's value is bound to (`user = f()` → `user`).
pub fn bound_var(file: &PyFile<'_>, n: Node<'_>) -> Option<String> {
    let mut cur = n;
    while let Some(p) = cur.parent() {
        match p.kind() {
            "await" | "parenthesized_expression" => cur = p,
            "attribute" if cur == p.child_by_field_name("object").unwrap_or(p) => {
                // `user = supabase.auth.get_user(token).user`
                cur = p;
            }
            "assignment" => {
                let left = p.child_by_field_name("left")?;
                return (left.kind() == "identifier").then(|| file.ctx.text(left).to_string());
            }
            _ => return None,
        }
    }
    None
}

/// Auth and role checks inside function bodies.
pub fn extract(file: &PyFile<'_>, handlers: &Handlers, out: &mut Extraction) {
    let ctx = file.ctx;
    for c in &file.calls {
        let Some(func) = file.enclosing_fn(c.node) else {
            continue;
        };
        let callee = ctx.text(c.callee);
        let last = last_segment(callee);
        let (provider, enforced_by_call) = if callee == "jwt.decode" {
            let t = ctx.text(c.args);
            if t.contains("verify_signature") && t.contains("False") {
                continue;
            }
            ("jwt", true)
        } else if callee.ends_with("auth.get_user") || callee.ends_with("auth.get_claims") {
            ("supabase", true)
        } else if matches!(
            last,
            "get_jwt_identity" | "get_jwt" | "verify_jwt_in_request"
        ) && file.origin(last).starts_with("flask_jwt")
        {
            ("jwt", last == "verify_jwt_in_request")
        } else if last == "verify_id_token" {
            ("custom", true)
        } else if AUTH_CALL.is_match(last)
            && !NOT_AUTH.is_match(last)
            && !is_definition_of(func, ctx.text(c.callee), file)
        {
            let l = last.to_ascii_lowercase();
            let raises = [
                "require",
                "verify",
                "validate",
                "ensure",
                "authenticate",
                "check",
                "decode",
            ]
            .iter()
            .any(|p| l.starts_with(p));
            ("custom", raises)
        } else if matches!(
            last,
            "has_role"
                | "has_permission"
                | "has_roles"
                | "is_admin"
                | "require_role"
                | "check_role"
                | "check_permission"
                | "require_permission"
                | "is_superuser"
        ) {
            let enforced = guarded_if(ctx, c.node).is_some_and(|(_, s)| s)
                || last.starts_with("require")
                || last.starts_with("check");
            out.facts.push(ctx.fact(
                c.node,
                FactData::RoleCheck(RoleCheck {
                    expr: ctx.short(c.node, 80),
                    role: role_from(file, Some(c.node), last),
                    enforced,
                }),
            ));
            continue;
        } else {
            continue;
        };
        let user_var = bound_var(file, c.node);
        let enforced = enforced_by_call
            || guarded_if(ctx, c.node).is_some_and(|(_, s)| s)
            || user_var
                .as_deref()
                .is_some_and(|v| guarded_after(file, func, v, c.node.end_byte()));
        out.facts.push(ctx.fact(
            c.node,
            FactData::AuthCheck(AuthCheck {
                method: callee.to_string(),
                provider: provider.into(),
                user_var,
                enforced,
            }),
        ));
    }
    walk_guards(file, handlers, ctx.tree.root_node(), out);
}

/// True when `func` is itself the definition of the helper being called (recursion, or
/// the helper's own body calling a same-named method).
fn is_definition_of(func: Node<'_>, callee: &str, file: &PyFile<'_>) -> bool {
    func.child_by_field_name("name")
        .is_some_and(|n| file.ctx.text(n) == callee)
}

const ROLE_ATTRS: &[&str] = &[
    "is_admin",
    "is_superuser",
    "is_staff",
    "is_moderator",
    "is_owner",
];

/// `current_user.is_authenticated` guards, role comparisons and attributes, and
/// secret-header comparisons, inside functions.
fn walk_guards(file: &PyFile<'_>, handlers: &Handlers, root: Node<'_>, out: &mut Extraction) {
    let ctx = file.ctx;
    // (node, inside a function)
    let mut stack = vec![(root, false)];
    let mut cur = root.walk();
    while let Some((n, in_fn)) = stack.pop() {
        let child_in_fn = in_fn || n.kind() == "function_definition";
        let at = stack.len();
        stack.extend(n.named_children(&mut cur).map(|c| (c, child_in_fn)));
        stack[at..].reverse();
        if !in_fn {
            continue;
        }
        if matches!(n.kind(), "call" | "subscript" | "comparison_operator")
            && session_guard(file, n, out)
        {
            continue;
        }
        match n.kind() {
            "attribute" => {
                let attr = n
                    .child_by_field_name("attribute")
                    .map(|a| ctx.text(a))
                    .unwrap_or("");
                if !matches!(attr, "is_authenticated" | "is_anonymous")
                    && !ROLE_ATTRS.contains(&attr)
                {
                    continue;
                }
                let Some((_, enforced)) = guarded_if(ctx, n) else {
                    continue;
                };
                // Parts of a comparison are read with the comparison.
                if n.parent()
                    .is_some_and(|p| p.kind() == "comparison_operator")
                {
                    continue;
                }
                // `x.is_authenticated(...)` is some other API's method, not the
                // flask-login / Django property.
                let called = n.parent().is_some_and(|p| {
                    p.kind() == "call" && p.child_by_field_name("function") == Some(n)
                });
                if called {
                    continue;
                }
                if matches!(attr, "is_authenticated" | "is_anonymous") {
                    let obj = n
                        .child_by_field_name("object")
                        .map(|o| ctx.text(o))
                        .unwrap_or("");
                    out.facts.push(ctx.fact(
                        n,
                        FactData::AuthCheck(AuthCheck {
                            method: ctx.short(n, 80),
                            provider: if file.origin(obj).starts_with("flask_login")
                                || obj == "current_user"
                            {
                                "flask-login".into()
                            } else {
                                "custom".into()
                            },
                            user_var: Some(obj.to_string()),
                            enforced,
                        }),
                    ));
                } else if ROLE_ATTRS.contains(&attr) && !from_request(file, handlers, n) {
                    out.facts.push(ctx.fact(
                        n,
                        FactData::RoleCheck(RoleCheck {
                            expr: ctx.short(n, 80),
                            role: Some(attr.trim_start_matches("is_").to_string()),
                            enforced,
                        }),
                    ));
                }
            }
            // `current_user["is_admin"]`
            "subscript" => {
                let key = n
                    .child_by_field_name("subscript")
                    .and_then(|k| string_value(ctx, k))
                    .unwrap_or_default();
                if !ROLE_ATTRS.contains(&key.as_str())
                    || n.parent()
                        .is_some_and(|p| p.kind() == "comparison_operator")
                    || from_request(file, handlers, n)
                {
                    continue;
                }
                let Some((_, enforced)) = guarded_if(ctx, n) else {
                    continue;
                };
                out.facts.push(ctx.fact(
                    n,
                    FactData::RoleCheck(RoleCheck {
                        expr: ctx.short(n, 80),
                        role: Some(key.trim_start_matches("is_").to_string()),
                        enforced,
                    }),
                ));
            }
            "comparison_operator" => comparison(file, handlers, n, out),
            _ => {}
        }
    }
}

/// Flask `session` keys that hold the signed-in user.
static SESSION_KEY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(user|auth|logged|login|account|email|token|member)").expect("valid regex")
});

/// True when `session` is Flask's signed session.
pub fn is_flask_session(file: &PyFile<'_>, name: &str) -> bool {
    name == "session" && file.origin("session").starts_with("flask")
}

/// The session key a node reads: `session.get("user_id")`, `session["user_id"]`,
/// `"user_id" in session`.
pub fn session_key(file: &PyFile<'_>, n: Node<'_>) -> Option<String> {
    let ctx = file.ctx;
    match n.kind() {
        "call" => {
            let callee = n.child_by_field_name("function")?;
            let obj = callee.child_by_field_name("object")?;
            let attr = callee.child_by_field_name("attribute")?;
            if !is_flask_session(file, ctx.text(obj)) || ctx.text(attr) != "get" {
                return None;
            }
            string_value(ctx, positional(n.child_by_field_name("arguments")?, 0)?)
        }
        "subscript" => {
            let v = n.child_by_field_name("value")?;
            if !is_flask_session(file, ctx.text(v)) {
                return None;
            }
            string_value(ctx, n.child_by_field_name("subscript")?)
        }
        "comparison_operator" => {
            let (a, b) = (n.named_child(0)?, n.named_child(1)?);
            let t = ctx.text(n);
            if !(t.contains(" in ")) || !is_flask_session(file, ctx.text(b)) {
                return None;
            }
            string_value(ctx, a)
        }
        _ => None,
    }
}

/// `if not session.get("user_id"): return redirect(...)`: a session-based login check.
fn session_guard(file: &PyFile<'_>, n: Node<'_>, out: &mut Extraction) -> bool {
    let Some(key) = session_key(file, n) else {
        return false;
    };
    if !SESSION_KEY.is_match(&key) {
        return false;
    }
    let Some((_, enforced)) = guarded_if(file.ctx, n) else {
        return false;
    };
    out.facts.push(file.ctx.fact(
        n,
        FactData::AuthCheck(AuthCheck {
            method: file.ctx.short(n, 80),
            provider: "custom".into(),
            user_var: Some(format!("session[{key:?}]")),
            enforced,
        }),
    ));
    true
}

/// True when a role flag is read from request data (`body.is_admin` is what the
/// caller asks for, not who the caller is). For a comparison, its first operand.
fn from_request(file: &PyFile<'_>, handlers: &Handlers, n: Node<'_>) -> bool {
    let target = if n.kind() == "comparison_operator" {
        match n.named_child(0) {
            Some(c) => c,
            None => return false,
        }
    } else {
        n
    };
    let base = match target.kind() {
        "attribute" => target.child_by_field_name("object"),
        "subscript" => target.child_by_field_name("value"),
        _ => None,
    };
    base.is_some_and(|b| {
        super::provenance::of(file, handlers, b) == lm_core::fact::Provenance::Request
    })
}

fn comparison(file: &PyFile<'_>, handlers: &Handlers, n: Node<'_>, out: &mut Extraction) {
    let ctx = file.ctx;
    let text = ctx.text(n);
    let lower = text.to_ascii_lowercase();
    let guarded = guarded_if(ctx, n);
    let mut c = n.walk();
    let operands: Vec<Node<'_>> = n.named_children(&mut c).collect();
    let roleish = operands.iter().any(|o| ROLE_OPERAND.is_match(ctx.text(*o)));
    // `message["role"] == "assistant"`: chat message roles, not user roles.
    let chat_role = operands.iter().any(|o| {
        string_value(ctx, *o).is_some_and(|v| {
            matches!(
                v.as_str(),
                "user" | "assistant" | "system" | "tool" | "function" | "model" | "developer"
            )
        })
    });
    let roleish = roleish && !chat_role && !from_request(file, handlers, n);
    if let Some(kind) = owner_check(file, handlers, n, &operands) {
        out.facts.push(ctx.fact(
            n,
            FactData::RoleCheck(RoleCheck {
                expr: ctx.short(n, 80),
                role: Some(kind.into()),
                enforced: true,
            }),
        ));
        return;
    }
    if roleish {
        let role = operands.iter().find_map(|o| {
            string_value(ctx, *o).or_else(|| string_list(ctx, *o).into_iter().next())
        });
        out.facts.push(ctx.fact(
            n,
            FactData::RoleCheck(RoleCheck {
                expr: ctx.short(n, 80),
                role,
                enforced: guarded.is_some_and(|(_, s)| s),
            }),
        ));
        return;
    }
    // `request.headers.get("x-cron-secret") != os.environ["CRON_SECRET"]`
    let header_side = lower.contains("headers") || lower.contains("authorization");
    let secret_side = operands.iter().any(|o| {
        let t = ctx.text(*o);
        let u = t.to_ascii_uppercase();
        !t.to_ascii_lowercase().contains("headers")
            && (u.contains("SECRET") || u.contains("API_KEY") || u.contains("TOKEN"))
    });
    if header_side && secret_side && !lower.contains("signature") {
        if let Some((_, enforced)) = guarded {
            out.facts.push(ctx.fact(
                n,
                FactData::AuthCheck(AuthCheck {
                    method: ctx.short(n, 80),
                    provider: "secret-header".into(),
                    user_var: None,
                    enforced,
                }),
            ));
        }
    }
}

/// `if item.owner_id != current_user.id: raise HTTPException(403)`: a field of a loaded
/// row compared with the signed-in user, where a mismatch stops the handler.
/// `owner` for `if row.owner_id != user.id: raise` (a mismatch stops the handler);
/// `not-owner` for `if listing.seller_id == user.id: raise HTTPException(400)` (the
/// caller's own row is refused: the route acts on other users' rows by design).
fn owner_check(
    file: &PyFile<'_>,
    handlers: &Handlers,
    n: Node<'_>,
    operands: &[Node<'_>],
) -> Option<&'static str> {
    let ctx = file.ctx;
    let [l, r] = operands else {
        return None;
    };
    let op = n.child(1).map(|o| o.kind()).unwrap_or("");
    let negative = match op {
        "!=" | "is not" => true,
        "==" => false,
        _ => return None,
    };
    // `item.owner_id`, or `item.data["owner_id"]` on a row returned as a dict.
    let owner_side = |x: Node<'_>| {
        let field = match x.kind() {
            "attribute" => x
                .child_by_field_name("attribute")
                .map(|a| ctx.text(a).to_string()),
            "subscript" => x
                .child_by_field_name("subscript")
                .and_then(|k| string_value(ctx, k)),
            _ => None,
        };
        field.is_some_and(|f| crate::js::auth::is_row_owner_field(&f))
            && !matches!(
                super::provenance::of(file, handlers, x),
                Provenance::User | Provenance::Request
            )
    };
    let user_side = |x: Node<'_>| super::provenance::of(file, handlers, x) == Provenance::User;
    if !((owner_side(*l) && user_side(*r)) || (owner_side(*r) && user_side(*l))) {
        return None;
    }
    // The comparison is the `if` condition, or a part of it joined by `and` / `or`.
    let mut cur = n;
    while let Some(p) = cur.parent() {
        match p.kind() {
            "parenthesized_expression" | "boolean_operator" => cur = p,
            "if_statement" | "elif_clause" => {
                if p.child_by_field_name("condition") != Some(cur) {
                    return None;
                }
                let consequence = p.child_by_field_name("consequence");
                if negative {
                    return consequence
                        .is_some_and(|b| stops(ctx, b))
                        .then_some("owner");
                }
                if p.child_by_field_name("alternative")
                    .is_some_and(|b| stops(ctx, b))
                {
                    return Some("owner");
                }
                return consequence
                    .is_some_and(|b| refuses(ctx, b))
                    .then_some("not-owner");
            }
            _ => return None,
        }
    }
    None
}

/// True when a block refuses the request: it raises, aborts, or returns a 4xx status.
fn refuses(ctx: &crate::ctx::Ctx<'_>, block: Node<'_>) -> bool {
    let mut stack = vec![block];
    while let Some(n) = stack.pop() {
        match n.kind() {
            "raise_statement" => return true,
            "function_definition" | "class_definition" | "lambda" => continue,
            "integer"
                if ctx
                    .text(n)
                    .parse::<u32>()
                    .is_ok_and(|c| (400..500).contains(&c)) =>
            {
                return true
            }
            "attribute" if ctx.text(n).contains("HTTP_4") => return true,
            "call" => {
                let callee = n
                    .child_by_field_name("function")
                    .map(|f| ctx.text(f))
                    .unwrap_or("");
                if last_segment(callee) == "abort" {
                    return true;
                }
            }
            _ => {}
        }
        let mut c = n.walk();
        stack.extend(n.named_children(&mut c));
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn owner_checks(src: &str) -> Vec<String> {
        let file = lm_core::FileRecord {
            path: "app/routers/rentals.py".into(),
            path_bytes: None,
            root: ".".into(),
            language: None,
            size: src.len() as u64,
            binary: false,
            role: lm_core::Role::Server,
            role_reason: String::new(),
        };
        let mut out = crate::Extraction::default();
        crate::extract_source(&file, src, &mut out);
        out.facts
            .iter()
            .filter_map(|f| match &f.data {
                FactData::RoleCheck(r) if r.role.as_deref() == Some("owner") => {
                    Some(r.expr.clone())
                }
                _ => None,
            })
            .collect()
    }

    #[test]
    fn any_id_column_compared_with_the_caller_is_an_owner_check() {
        let src = r#"
from fastapi import APIRouter, Depends, HTTPException

router = APIRouter()

@router.post("/rentals/{rental_id}/cancel")
def cancel_rental(rental_id: int, current_user: User = Depends(get_current_user), db: Session = Depends(get_db)):
    rental = db.query(Rental).filter(Rental.id == rental_id).first()
    if rental is None or rental.renter_id != current_user.id:
        raise HTTPException(status_code=404)
    rental.status = "cancelled"
    db.commit()
    return rental

@router.post("/rentals/{rental_id}/note")
def note_rental(rental_id: int, renter_id: int, current_user: User = Depends(get_current_user), db: Session = Depends(get_db)):
    rental = db.query(Rental).filter(Rental.id == rental_id).first()
    if rental.renter_id != renter_id:
        raise HTTPException(status_code=400)
    if rental.renter_id != current_user.id:
        print("note on another renter's rental")
    return rental
"#;
        assert_eq!(
            owner_checks(src),
            vec!["rental.renter_id != current_user.id".to_string()]
        );
    }

    fn not_owner_checks(src: &str) -> Vec<String> {
        let file = lm_core::FileRecord {
            path: "app/routers/swaps.py".into(),
            path_bytes: None,
            root: ".".into(),
            language: None,
            size: src.len() as u64,
            binary: false,
            role: lm_core::Role::Server,
            role_reason: String::new(),
        };
        let mut out = crate::Extraction::default();
        crate::extract_source(&file, src, &mut out);
        out.facts
            .iter()
            .filter_map(|f| match &f.data {
                FactData::RoleCheck(r) if r.role.as_deref() == Some("not-owner") => {
                    Some(r.expr.clone())
                }
                _ => None,
            })
            .collect()
    }

    #[test]
    fn refusing_the_callers_own_row_is_a_not_owner_check() {
        let src = r#"
from fastapi import APIRouter, Depends, HTTPException, status

router = APIRouter()

@router.post("/swaps/{item_id}/request")
def request_swap(item_id: int, current_user: User = Depends(get_current_user), db: Session = Depends(get_db)):
    item = db.query(Item).filter(Item.id == item_id).first()
    if item is None or item.owner_id == current_user.id:
        raise HTTPException(status_code=status.HTTP_400_BAD_REQUEST)
    swap = SwapRequest(item_id=item.id, requester_id=current_user.id)
    db.add(swap)
    db.commit()
    return swap

@router.get("/swaps/{item_id}")
def view_item(item_id: int, current_user: User = Depends(get_current_user), db: Session = Depends(get_db)):
    item = db.query(Item).filter(Item.id == item_id).first()
    if item.owner_id == current_user.id:
        return {"item": item, "mine": True}
    return {"item": item, "mine": False}
"#;
        assert_eq!(
            not_owner_checks(src),
            vec!["item.owner_id == current_user.id".to_string()]
        );
    }

    #[test]
    fn owner_fields_of_rows_returned_as_dicts_are_compared_too() {
        let src = r#"
from fastapi import APIRouter, Depends, HTTPException, Request

router = APIRouter()

@router.delete("/notes/{note_id}")
def delete_note(note_id: str, user=Depends(get_current_user)):
    note = admin.table("notes").select("*").eq("id", note_id).single().execute()
    if note.data["author_id"] != user.id:
        raise HTTPException(status_code=403)
    admin.table("notes").delete().eq("id", note_id).execute()

@router.post("/notes/share")
async def share_note(request: Request, user=Depends(get_current_user)):
    body = await request.json()
    if body["owner_id"] != user.id:
        raise HTTPException(status_code=400)
    return body
"#;
        assert_eq!(
            owner_checks(src),
            vec!["note.data[\"author_id\"] != user.id".to_string()]
        );
    }

    #[test]
    fn names() {
        assert_eq!(snake("JWTBearer"), "jwt_bearer");
        assert_eq!(snake("RoleChecker"), "role_checker");
        assert_eq!(snake("get_current_user"), "get_current_user");
        assert!(is_auth_name("JWTBearer"));
        assert!(is_auth_name("get_current_active_user"));
        assert!(is_auth_name("verify_api_key"));
        assert!(is_role_name("RoleChecker"));
        assert!(!is_auth_name("get_db"));
        assert!(!is_auth_name("get_user_service"));
        assert!(!is_auth_name("UserRepository"));
        assert!(!is_auth_name("get_settings"));
        assert!(!is_auth_name("Pagination"));
    }
}
