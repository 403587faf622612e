//! Environment reads, webhooks, external calls, CORS and app-wide middleware in Python.

use lm_core::fact::{Cors, EnvRead, ExternalCall, FactData, Middleware, Webhook};
use tree_sitter::Node;

use super::auth::{is_auth_name, origin_value};
use super::fastapi::decorator_exprs;
use super::model::{keyword, last_segment, positional, string_list, string_value, Binding, PyFile};
use super::{handler_of, Handlers};
use crate::Extraction;

/// Runs the service extractors.
pub fn extract(file: &PyFile<'_>, handlers: &Handlers, out: &mut Extraction) {
    env_reads(file, out);
    external_calls(file, out);
    cors_and_middleware(file, out);
    webhooks(file, handlers, out);
}

fn env_reads(file: &PyFile<'_>, out: &mut Extraction) {
    let ctx = file.ctx;
    for &(node, name, accessor) in &file.env_reads {
        let Some(name) = string_value(ctx, name) else {
            continue;
        };
        // `x.environ[...]` for some other `x` is not the process environment.
        let head = ctx.text(node).split(['.', '[', '(']).next().unwrap_or("");
        let ok = head == "os"
            || (head == "environ" || head == "getenv") && file.origin(head).starts_with("os");
        if !ok {
            continue;
        }
        out.facts.push(ctx.fact(
            node,
            FactData::EnvRead(EnvRead {
                name,
                context: "server".into(),
                accessor: accessor.into(),
            }),
        ));
    }
}

const PAID_AI: &[&str] = &[
    "openai",
    "anthropic",
    "google-ai",
    "groq",
    "replicate",
    "mistral",
    "cohere",
    "litellm",
];

const AI_VERBS: &[&str] = &[
    "create",
    "generate_content",
    "generate_content_async",
    "stream",
    "chat",
    "complete",
    "completion",
    "acompletion",
    "embed",
    "generate",
    "predict",
    "run",
    "send_message",
    "parse",
];

/// The service and flags of a call, when it is an external call worth a fact.
fn service_of(file: &PyFile<'_>, callee: Node<'_>) -> Option<(&'static str, bool)> {
    let ctx = file.ctx;
    let text = ctx.text(callee);
    let last = last_segment(text);
    let root = text.split(['.', '(']).next().unwrap_or("");
    let root_origin = file.origin(root);
    // Receivers bound to a client: walk to the innermost object of the chain.
    let mut obj = callee.child_by_field_name("object");
    while let Some(o) = obj {
        if let Some(Binding::Service(s)) = file.binding_of(o) {
            let s: &'static str = s;
            if s == "sendgrid" || s == "twilio" {
                return matches!(last, "send" | "create").then_some((s, true));
            }
            return AI_VERBS.contains(&last).then_some((s, false));
        }
        if o.kind() == "call" {
            // `OpenAI().chat.completions.create(...)`
            if let Some(Binding::Service(s)) = file.classify(o) {
                return AI_VERBS.contains(&last).then_some((s, false));
            }
            obj = o.child_by_field_name("function");
            continue;
        }
        obj = o.child_by_field_name("object");
    }
    if root_origin == "openai" && AI_VERBS.contains(&last) {
        return Some(("openai", false));
    }
    if root_origin == "anthropic" && AI_VERBS.contains(&last) && text.contains("messages") {
        return Some(("anthropic", false));
    }
    if root_origin == "litellm" && matches!(last, "completion" | "acompletion") {
        return Some(("litellm", false));
    }
    if root_origin == "replicate" && matches!(last, "run" | "create" | "async_run") {
        return Some(("replicate", false));
    }
    if root_origin == "stripe" {
        let resource = text.split('.').nth(1).unwrap_or("");
        let privileged = matches!(
            resource,
            "Refund"
                | "Payout"
                | "Transfer"
                | "Charge"
                | "PaymentIntent"
                | "Subscription"
                | "Invoice"
                | "Account"
                | "Customer"
                | "checkout"
        ) && matches!(
            last,
            "create" | "modify" | "delete" | "cancel" | "capture" | "confirm" | "pay"
        );
        return (privileged || matches!(last, "create" | "modify" | "delete" | "cancel"))
            .then_some(("stripe", privileged));
    }
    if root_origin == "resend" && last == "send" {
        return Some(("resend", true));
    }
    if text.contains("auth.admin.") {
        return Some(("supabase-admin", true));
    }
    if matches!(last, "sendmail" | "send_message") && file.imports_module("smtplib") {
        return Some(("email", true));
    }
    None
}

fn external_calls(file: &PyFile<'_>, out: &mut Extraction) {
    let ctx = file.ctx;
    for c in &file.calls {
        let Some((service, privileged)) = service_of(file, c.callee) else {
            continue;
        };
        out.facts.push(ctx.fact(
            c.node,
            FactData::ExternalCall(ExternalCall {
                service: service.into(),
                api: ctx.short(c.callee, 80),
                paid_ai: PAID_AI.contains(&service),
                privileged,
            }),
        ));
    }
}

fn cors_and_middleware(file: &PyFile<'_>, out: &mut Extraction) {
    let ctx = file.ctx;
    for c in &file.calls {
        let callee = ctx.text(c.callee);
        let last = last_segment(callee);
        if last == "add_middleware" {
            let Some(cls) = positional(c.args, 0) else {
                continue;
            };
            let name = ctx.text(cls);
            if last_segment(name) == "CORSMiddleware" {
                let origins = keyword(ctx, c.args, "allow_origins")
                    .map(|o| resolve_list(file, o))
                    .unwrap_or_default();
                let regex =
                    keyword(ctx, c.args, "allow_origin_regex").and_then(|r| string_value(ctx, r));
                let allow_origin = match regex {
                    Some(r) if matches!(r.as_str(), ".*" | "https?://.*" | ".+" | "^.*$") => {
                        "reflect".to_string()
                    }
                    Some(r) if origins.is_empty() => r,
                    _ if origins.is_empty() => {
                        // No origin allowed (or a value not known here).
                        match keyword(ctx, c.args, "allow_origins") {
                            Some(o) => ctx.short(o, 60),
                            None => continue,
                        }
                    }
                    _ => origin_value(&origins),
                };
                let credentials = keyword(ctx, c.args, "allow_credentials")
                    .is_some_and(|v| ctx.text(v) == "True");
                out.facts.push(ctx.fact(
                    c.node,
                    FactData::Cors(Cors {
                        allow_origin,
                        credentials,
                        mechanism: "fastapi-middleware".into(),
                    }),
                ));
                continue;
            }
            out.facts.push(ctx.fact(
                c.node,
                FactData::Middleware(Middleware {
                    framework: "fastapi".into(),
                    matcher: Vec::new(),
                    names: vec![name.to_string()],
                    authenticates: is_auth_name(last_segment(name))
                        || name.contains("Authentication"),
                    rate_limits: name.contains("SlowAPI") || name.contains("RateLimit"),
                    order: line_order(c.node),
                    ..Default::default()
                }),
            ));
        } else if last == "CORS" && file.origin(callee).starts_with("flask_cors") {
            let mut origins = keyword(ctx, c.args, "origins")
                .map(|o| resolve_list(file, o))
                .unwrap_or_default();
            if let Some(res) = keyword(ctx, c.args, "resources") {
                // `resources={r"/api/*": {"origins": "*"}}`
                let t = ctx.text(res);
                if t.contains("\"*\"") || t.contains("'*'") {
                    origins.push("*".into());
                }
            }
            let credentials =
                keyword(ctx, c.args, "supports_credentials").is_some_and(|v| ctx.text(v) == "True");
            out.facts.push(ctx.fact(
                c.node,
                FactData::Cors(Cors {
                    allow_origin: origin_value(&origins),
                    credentials,
                    mechanism: "flask-cors".into(),
                }),
            ));
        } else if last == "Limiter" {
            let defaults = keyword(ctx, c.args, "default_limits")
                .or_else(|| keyword(ctx, c.args, "application_limits"));
            if defaults.is_some_and(|d| !string_list(ctx, d).is_empty()) {
                out.facts.push(ctx.fact(
                    c.node,
                    FactData::Middleware(Middleware {
                        framework: if file.imports_module("slowapi") {
                            "fastapi".into()
                        } else {
                            "flask".into()
                        },
                        matcher: Vec::new(),
                        names: vec!["Limiter".into()],
                        authenticates: false,
                        rate_limits: true,
                        order: line_order(c.node),
                        ..Default::default()
                    }),
                ));
            }
        }
    }
    // `@app.middleware("http")` functions.
    for &(decorated, func) in &file.decorated {
        for expr in decorator_exprs(decorated) {
            let t = ctx.text(expr);
            if expr.kind() == "call" && t.ends_with(".middleware(\"http\")")
                || t.ends_with(".middleware('http')")
            {
                out.facts.push(
                    ctx.fact(
                        decorated,
                        FactData::Middleware(Middleware {
                            framework: "fastapi".into(),
                            matcher: Vec::new(),
                            names: func
                                .child_by_field_name("name")
                                .map(|n| vec![ctx.text(n).to_string()])
                                .unwrap_or_default(),
                            authenticates: super::auth::function_authenticates(file, func),
                            rate_limits: false,
                            order: line_order(decorated),
                            ..Default::default()
                        }),
                    ),
                );
            }
        }
    }
    // `response.headers["Access-Control-Allow-Origin"] = ...`
    for (l, r) in &file.assignments {
        if l.kind() != "subscript" {
            continue;
        }
        let Some(key) = l
            .child_by_field_name("subscript")
            .and_then(|k| string_value(ctx, k))
        else {
            continue;
        };
        if !key.eq_ignore_ascii_case("access-control-allow-origin") {
            continue;
        }
        let value = ctx.text(*r);
        let allow_origin = match string_value(ctx, *r) {
            Some(v) => v,
            None if value.to_ascii_lowercase().contains("origin") => "reflect".into(),
            None => ctx.short(*r, 60),
        };
        let func = file.enclosing_fn(*l);
        let credentials = file.assignments.iter().any(|(l2, r2)| {
            file.enclosing_fn(*l2).map(|f| f.id()) == func.map(|f| f.id())
                && l2
                    .child_by_field_name("subscript")
                    .and_then(|k| string_value(ctx, k))
                    .is_some_and(|k| k.eq_ignore_ascii_case("access-control-allow-credentials"))
                && string_value(ctx, *r2).is_some_and(|v| v.eq_ignore_ascii_case("true"))
        });
        out.facts.push(ctx.fact(
            *l,
            FactData::Cors(Cors {
                allow_origin,
                credentials,
                mechanism: "header".into(),
            }),
        ));
    }
}

/// `order` of a Python middleware fact: its 1-based line, which orders registrations
/// across the whole file.
pub fn line_order(n: Node<'_>) -> u32 {
    n.start_position().row as u32 + 1
}

/// String items of a list, following a module-level constant.
fn resolve_list(file: &PyFile<'_>, n: Node<'_>) -> Vec<String> {
    let ctx = file.ctx;
    if n.kind() == "identifier" {
        if let Some(v) = file.module_values.get(ctx.text(n)) {
            return string_list(ctx, *v);
        }
    }
    string_list(ctx, n)
}

/// Webhook handlers: routes or functions named for webhooks, and functions that verify
/// a webhook signature.
fn webhooks(file: &PyFile<'_>, handlers: &Handlers, out: &mut Extraction) {
    let ctx = file.ctx;
    for &func in &file.functions {
        if file.enclosing_fn(func).is_some() {
            continue;
        }
        let name = func
            .child_by_field_name("name")
            .map(|n| ctx.text(n).to_ascii_lowercase())
            .unwrap_or_default();
        let handler = handlers.get(&func.start_byte());
        let pattern = handler
            .map(|h| h.pattern.to_ascii_lowercase())
            .unwrap_or_default();
        let calls: Vec<_> = file.calls_in(func).iter().collect();
        let body_text = ctx.text(func);
        let lower = body_text.to_ascii_lowercase();

        // Verification calls.
        let mut verify: Option<(Node<'_>, String, Option<bool>)> = None;
        for c in &calls {
            let t = ctx.text(c.callee);
            let last = last_segment(t);
            if matches!(last, "construct_event" | "construct_event_async")
                || t.ends_with("Webhook.verify")
                || last == "verify" && (lower.contains("svix") || file.imports_module("svix"))
                || last == "verify_webhook"
                || last == "verify_signature" && lower.contains("webhook")
            {
                verify = Some((c.node, t.to_string(), None));
                break;
            }
            if last == "compare_digest" && (lower.contains("signature") || lower.contains("hmac")) {
                verify = Some((c.node, t.to_string(), Some(true)));
                break;
            }
        }
        if verify.is_none() && lower.contains("hmac.new") {
            // A hand-written `==` on the signature.
            if let Some(cmp) = find_signature_compare(file, func) {
                verify = Some((cmp, ctx.short(cmp, 60), Some(false)));
            }
        }
        let named = name.contains("webhook") || pattern.contains("webhook");
        if verify.is_none() && !named {
            continue;
        }
        if !named && handler.is_none() && verify.as_ref().is_some_and(|v| v.2.is_some()) {
            // A helper comparing digests: the handler that calls it is what matters.
            if !lower.contains("webhook") && !lower.contains("signature") {
                continue;
            }
        }
        let provider = if lower.contains("stripe") || pattern.contains("stripe") {
            "stripe"
        } else if lower.contains("clerk") || pattern.contains("clerk") {
            "clerk"
        } else if lower.contains("svix") {
            "svix"
        } else if lower.contains("x-hub-signature") || pattern.contains("github") {
            "github"
        } else if lower.contains("x-shopify-hmac") || pattern.contains("shopify") {
            "shopify"
        } else if lower.contains("lemon") || pattern.contains("lemon") {
            "lemonsqueezy"
        } else if lower.contains("paddle") {
            "paddle"
        } else if lower.contains("resend") {
            "resend"
        } else {
            "generic"
        };
        let verify_at = verify
            .as_ref()
            .map(|v| v.0.start_byte())
            .unwrap_or(usize::MAX);
        let payload_used_before_verify = verify.is_some()
            && calls.iter().any(|c| {
                c.node.start_byte() < verify_at && {
                    let t = ctx.text(c.callee);
                    t == "json.loads"
                        || t.ends_with("get_json")
                        || t == "request.json"
                        || t.ends_with(".json") && t.starts_with("request")
                }
            });
        let fails_open = verify.as_ref().is_some_and(|(n, _, _)| {
            let mut cur = n.parent();
            while let Some(p) = cur {
                if p.kind() == "if_statement" {
                    let cond = p
                        .child_by_field_name("condition")
                        .map(|c| ctx.text(c).to_ascii_lowercase())
                        .unwrap_or_default();
                    if cond.contains("secret") && !cond.starts_with("not ") {
                        return true;
                    }
                }
                if p.id() == func.id() {
                    break;
                }
                cur = p.parent();
            }
            false
        });
        let side_effects = calls.iter().any(|c| {
            let last = last_segment(ctx.text(c.callee));
            matches!(
                last,
                "insert"
                    | "update"
                    | "upsert"
                    | "delete"
                    | "add"
                    | "commit"
                    | "execute"
                    | "send"
                    | "create"
                    | "modify"
            )
        });
        let id_exprs = [
            "event[\"id\"]",
            "event['id']",
            "event.id",
            "event.get(\"id\")",
            "event.get('id')",
            "event_id",
            "svix-id",
            "webhook-id",
        ];
        let evidence = calls.iter().find_map(|c| {
            let t = ctx.text(c.node);
            let last = last_segment(ctx.text(c.callee));
            let writes_or_reads = matches!(
                last,
                "insert"
                    | "upsert"
                    | "add"
                    | "eq"
                    | "filter_by"
                    | "filter"
                    | "get"
                    | "exists"
                    | "execute"
                    | "select"
                    | "query"
            );
            (writes_or_reads && id_exprs.iter().any(|e| t.contains(e)))
                .then(|| ctx.short(c.node, 80))
        });
        let (verify_method, verify_line, timing_safe) = match &verify {
            Some((n, m, ts)) => (
                Some(m.clone()),
                Some(n.start_position().row as u64 + 1),
                *ts,
            ),
            None => (None, None, None),
        };
        let at = verify.as_ref().map(|v| v.0).unwrap_or(func);
        let fact_node = if handler_of(handlers, at).is_some() || verify.is_some() {
            at
        } else {
            func
        };
        out.facts.push(ctx.fact(
            fact_node,
            FactData::Webhook(Webhook {
                provider: provider.into(),
                verified: verify.is_some(),
                verify_method,
                verify_line,
                payload_used_before_verify,
                timing_safe,
                fails_open,
                side_effects,
                idempotent: evidence.is_some(),
                idempotency_evidence: evidence,
            }),
        ));
    }
}

/// A `==` / `!=` comparison of a signature inside `func`.
fn find_signature_compare<'a>(file: &PyFile<'a>, func: Node<'a>) -> Option<Node<'a>> {
    let mut stack = vec![func];
    while let Some(n) = stack.pop() {
        if n.kind() == "comparison_operator" {
            let t = file.ctx.text(n).to_ascii_lowercase();
            if (t.contains("==") || t.contains("!="))
                && (t.contains("sig") || t.contains("digest") || t.contains("hmac"))
            {
                return Some(n);
            }
        }
        let mut c = n.walk();
        stack.extend(n.named_children(&mut c));
    }
    None
}
