//! Python extractors (FastAPI, Flask).
//!
//! [`model::PyFile`] reads the file once (imports, bindings, calls, functions; queries in
//! `queries/python/*.scm`). Then, in order:
//!
//! 1. [`fastapi`] and [`flask`] find routes, register each handler with
//!    [`Ctx::add_handler`] and record what the handler's parameters are (path and query
//!    parameters, dependencies that yield the user, database sessions).
//! 2. [`auth`] finds auth and role checks (decorators, dependencies, calls, guards).
//! 3. [`db`] finds database clients and accesses, with the provenance of each filter
//!    value ([`provenance`]).
//! 4. [`services`] finds env reads, webhooks, external calls, rate limits, CORS and
//!    app-wide middleware.
//!
//! `input` and `sink` facts for Python come from [`crate::flow`]; [`jinja`] tells it which
//! context variables a rendered template prints without escaping.

pub mod auth;
pub mod db;
pub mod fastapi;
pub mod flask;
pub mod jinja;
pub mod model;
pub mod provenance;
pub mod query;
pub mod services;

use std::collections::HashMap;

use lm_core::fact::{FactData, Function};
use tree_sitter::Node;

use crate::ctx::Ctx;
use crate::Extraction;
use model::{Binding, PyFile};

/// What the extractors know about one route handler.
#[derive(Debug, Clone, Default)]
pub struct HandlerInfo {
    /// `fastapi` or `flask`.
    pub framework: &'static str,
    /// Scope id of the handler.
    pub scope: String,
    /// Parameters that carry request data (path, query, body).
    pub request_params: Vec<String>,
    /// Parameters that carry the authenticated user (auth dependencies).
    pub user_params: Vec<String>,
    /// Parameters bound to a database client or session by a dependency.
    pub param_bindings: HashMap<String, Binding>,
    /// Route pattern (for webhook detection).
    pub pattern: String,
}

/// Handlers by the start byte of their function node.
pub type Handlers = HashMap<usize, HandlerInfo>;

/// Runs every Python extractor over one file.
pub fn extract(ctx: &Ctx<'_>, out: &mut Extraction) {
    let Some(file) = PyFile::new(ctx) else {
        return;
    };
    let mut handlers = Handlers::new();
    fastapi::extract(&file, &mut handlers, out);
    flask::extract(&file, &mut handlers, out);
    functions(&file, out);
    auth::extract(&file, &handlers, out);
    db::extract(&file, &handlers, out);
    services::extract(&file, &handlers, out);
}

/// The handler a node belongs to: its innermost enclosing function registered as one.
pub fn handler_of<'h>(handlers: &'h Handlers, n: Node<'_>) -> Option<&'h HandlerInfo> {
    let mut cur = Some(n);
    while let Some(c) = cur {
        if c.kind() == "function_definition" {
            if let Some(h) = handlers.get(&c.start_byte()) {
                return Some(h);
            }
        }
        cur = c.parent();
    }
    None
}

/// A fact whose scope is forced to a handler's (for decorators and dependencies that
/// sit outside the handler's body but guard it).
pub fn fact_in_scope(ctx: &Ctx<'_>, n: Node<'_>, scope: &str, data: FactData) -> lm_core::Fact {
    let mut f = ctx.fact(n, data);
    f.scope = Some(scope.to_string());
    f
}

/// `function` facts for module-level functions and methods, with the calls they make.
fn functions(file: &PyFile<'_>, out: &mut Extraction) {
    let ctx = file.ctx;
    for &f in &file.functions {
        if file.enclosing_fn(f).is_some() {
            continue;
        }
        let Some(name) = f.child_by_field_name("name") else {
            continue;
        };
        let name = ctx.text(name).to_string();
        let mut calls: Vec<String> = Vec::new();
        for c in file.calls_in(f) {
            let t = ctx.text(c.callee);
            if t.len() <= 80 && !t.contains(['\n', '(']) && !calls.iter().any(|x| x == t) {
                calls.push(t.to_string());
            }
            if calls.len() >= 64 {
                break;
            }
        }
        out.facts.push(ctx.fact(
            f,
            FactData::Function(Function {
                exported: !name.starts_with('_'),
                name,
                calls,
            }),
        ));
    }
}

/// Why a route is public by convention, when it is. Patterns use the framework's own
/// syntax (`{id}`, `<int:id>`); only literal segments are compared.
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
    if p.contains("/auth/callback") || last == "callback" && segs.iter().any(|s| s.contains("auth"))
    {
        return Some("auth callback");
    }
    if p.contains("webhook") {
        return Some("webhook (signature verification expected)");
    }
    let auth_last = matches!(
        last,
        "login"
            | "signin"
            | "sign-in"
            | "signup"
            | "sign-up"
            | "register"
            | "token"
            | "forgot-password"
            | "reset-password"
            | "magic-link"
            | "otp"
            | "verify-otp"
    );
    if auth_last
        && (segs.len() == 1
            || segs
                .iter()
                .any(|s| s.contains("auth") || matches!(*s, "login" | "signup" | "register"))
            || matches!(last, "login" | "signin" | "signup" | "register"))
    {
        return Some("sign-in or sign-up endpoint");
    }
    if matches!(
        last,
        "docs" | "openapi.json" | "redoc" | "robots.txt" | "favicon.ico"
    ) {
        return Some("documentation or static metadata");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::public_reason;

    #[test]
    fn public_by_convention() {
        assert_eq!(public_reason("/health"), Some("health check"));
        assert_eq!(public_reason("/api/v1/healthz"), Some("health check"));
        assert_eq!(
            public_reason("/api/auth/login"),
            Some("sign-in or sign-up endpoint")
        );
        assert_eq!(public_reason("/token"), Some("sign-in or sign-up endpoint"));
        assert_eq!(
            public_reason("/stripe/webhook"),
            Some("webhook (signature verification expected)")
        );
        assert_eq!(public_reason("/api/users/{user_id}"), None);
        assert_eq!(public_reason("/admin/tokens"), None);
        assert_eq!(public_reason("/healthy-recipes/<int:id>"), None);
    }
}
