//! Webhook handlers (`webhook`): provider, signature verification and where it happens,
//! payload use before it, timing-safe comparison, failing open when the secret is
//! unset, side effects and idempotency.

use std::sync::LazyLock;

use lm_core::fact::{FactData, Webhook};
use regex::Regex;
use tree_sitter::Node;

use super::model::JsFile;
use super::syntax;

/// Hand-written verification helpers (`verifySignature`, `verifyAircallSignature`,
/// `isValidWebhook`, `validateHmac`...).
static CUSTOM_VERIFY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^(verify|validate|check|is_?valid)_?\w*?(signature|hmac|sig)$|^(verify|validate|is_?valid)_?\w*?webhook(_?(signature|request|payload|event))?$|^validateRequest$",
    )
        .expect("regex compiles")
});

/// A signature header read (`headers.get('x-signature')`, `req.headers['stripe-signature']`).
static SIGNATURE_HEADER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)headers(\.get\(\s*|\[\s*|\.)['"`]?[\w-]*(signature|hmac)[\w-]*"#)
        .expect("regex compiles")
});

/// True when a route path (or the file path) names a webhook receiver: `webhook` in it,
/// and not an endpoint that manages webhooks (`/webhook/subscribe`, `/webhook-status`).
fn receiver_path(pattern: &str, path: &str) -> bool {
    let p = pattern.to_ascii_lowercase();
    let f = path.to_ascii_lowercase();
    if !p.contains("webhook") && !p.contains("/hooks") && !f.contains("webhook") {
        return false;
    }
    let last = p
        .split('/')
        .rev()
        .find(|s| !s.is_empty() && !s.starts_with('[') && !s.starts_with(':'))
        .unwrap_or("");
    !(last.contains("status")
        || last.contains("subscribe")
        || matches!(
            last,
            "settings" | "register" | "test" | "list" | "config" | "setup" | "manage" | "logs"
        ))
}

fn verify_kind(file: &JsFile<'_>, call: Node<'_>) -> Option<&'static str> {
    let callee = syntax::callee(call)?;
    let text = syntax::callee_text(file.src, callee);
    let last = syntax::last_name(file.src, callee);
    match last {
        "constructEvent" | "constructEventAsync" => Some("stripe"),
        "verify" if text.contains("webhooks") || text.contains("Webhooks") => Some("github"),
        "verifyAndReceive" => Some("github"),
        "verify" => {
            let obj = syntax::callee_object(call)
                .map(|o| file.text(o))
                .unwrap_or("");
            let l = obj.to_ascii_lowercase();
            if obj.starts_with("new Webhook")
                || l == "wh"
                || l.contains("webhook")
                || l.contains("svix")
            {
                Some("svix")
            } else if text == "crypto.subtle.verify" {
                Some("hmac")
            } else {
                None
            }
        }
        "timingSafeEqual" => Some("hmac"),
        _ if CUSTOM_VERIFY.is_match(last) => Some("custom"),
        _ => None,
    }
}

fn provider_of(file: &JsFile<'_>, scope_text: &str, kinds: &[&str]) -> String {
    let l = scope_text.to_ascii_lowercase();
    let p = file.path.to_ascii_lowercase();
    if kinds.contains(&"stripe") || l.contains("stripe-signature") || p.contains("stripe") {
        "stripe"
    } else if kinds.contains(&"svix") || l.contains("svix-") {
        if p.contains("clerk") || l.contains("clerk") || l.contains("user.created") {
            "clerk"
        } else if p.contains("resend") {
            "resend"
        } else {
            "svix"
        }
    } else if p.contains("meta")
        || p.contains("facebook")
        || p.contains("whatsapp")
        || p.contains("instagram")
    {
        "meta"
    } else if kinds.contains(&"github") || l.contains("x-hub-signature") {
        "github"
    } else if l.contains("x-shopify-hmac") || p.contains("shopify") {
        "shopify"
    } else if p.contains("lemon") || l.contains("lemonsqueezy") || l.contains("lemon_squeezy") {
        "lemonsqueezy"
    } else if p.contains("paddle") || l.contains("paddle-signature") {
        "paddle"
    } else if p.contains("clerk") {
        "clerk"
    } else if p.contains("resend") {
        "resend"
    } else {
        "generic"
    }
    .to_string()
}

/// Emits one `webhook` fact per webhook handler (by path or by what it calls).
pub fn extract(file: &mut JsFile<'_>) {
    let mut routes = file.routes.clone();
    // Shared receivers (`receiveZoomWebhook(request)` in `lib/`): top-level functions that
    // verify a signature, so a route handing its request to them can be followed there.
    for f in top_level_functions(file) {
        if !routes.iter().any(|(h, _, _)| h.id() == f.id()) {
            routes.push((f, String::new(), Vec::new()));
        }
    }
    let mut seen = Vec::new();
    for (h, pattern, methods) in routes {
        if seen.contains(&h.id()) {
            continue;
        }
        seen.push(h.id());
        let range = h.byte_range();
        let scope_text = file.text(h);
        let calls: Vec<Node<'_>> = file.calls_in(&range).collect();
        let verifies: Vec<(Node<'_>, &str)> = calls
            .iter()
            .filter_map(|c| verify_kind(file, *c).map(|k| (*c, k)))
            .collect();
        let hmac = calls.iter().any(|c| {
            let t = file.text(*c);
            t.starts_with("crypto.createHmac")
                || t.starts_with("createHmac")
                || t.contains("subtle.sign")
                || t.contains("subtle.importKey")
        });
        let reads_only = !methods.is_empty()
            && methods
                .iter()
                .all(|m| matches!(m.as_str(), "GET" | "HEAD" | "OPTIONS"));
        let by_path = !pattern.is_empty() && receiver_path(&pattern, file.path) && !reads_only;
        let by_calls = verifies.iter().any(|(_, k)| *k != "custom" && *k != "hmac")
            || hmac && SIGNATURE_HEADER.is_match(scope_text);
        if !by_path && !by_calls {
            continue;
        }
        if !by_calls && verifies.is_empty() && !hmac && user_authenticated(file, h) {
            // `dispatch-webhook`, `/api/webhooks/settings`: a signed-in user's endpoint
            // about webhooks, not one that receives them.
            unmark_public(file, h);
            continue;
        }
        let kinds: Vec<&str> = verifies.iter().map(|(_, k)| *k).collect();
        let provider = provider_of(file, scope_text, &kinds);
        // The verification point: a library call, or the signature comparison.
        let mut verify: Option<(Node<'_>, String)> =
            verifies.iter().find(|(_, k)| *k != "hmac").map(|(c, _)| {
                (
                    *c,
                    syntax::callee_text(file.src, syntax::callee(*c).expect("call")),
                )
            });
        let mut timing_safe = None;
        if hmac || kinds.contains(&"hmac") {
            let safe = verifies.iter().find(|(_, k)| *k == "hmac");
            if let Some((c, _)) = safe {
                timing_safe = Some(true);
                if verify.is_none() {
                    verify = Some((
                        *c,
                        syntax::callee_text(file.src, syntax::callee(*c).expect("call")),
                    ));
                }
            } else {
                let cmp = file.binaries.iter().find(|b| {
                    syntax::contains(h, **b)
                        && b.child_by_field_name("operator")
                            .is_some_and(|o| matches!(file.text(o), "===" | "!==" | "==" | "!="))
                        && {
                            let t = file.text(**b).to_ascii_lowercase();
                            t.contains("sig")
                                || t.contains("hmac")
                                || t.contains("digest")
                                || t.contains("hash")
                        }
                });
                if let Some(b) = cmp {
                    timing_safe = Some(false);
                    if verify.is_none() {
                        verify = Some((*b, "signature comparison".into()));
                    }
                }
            }
        }
        if timing_safe.is_none() {
            // A same-file helper doing the comparison (`verifyAircallSignature`).
            if let Some((c, _)) = verifies.iter().find(|(_, k)| *k == "custom") {
                let name = syntax::callee(*c).map(|x| file.text(x)).unwrap_or("");
                if let Some(def) = file.top_level_function(name) {
                    timing_safe = helper_timing(file, def);
                }
            }
        }
        let verify_start = verify.as_ref().map(|(n, _)| n.start_byte());
        let payload_used_before_verify = verify.as_ref().is_some_and(|(v, _)| {
            payload_uses(file, h)
                .into_iter()
                .any(|u| u.start_byte() < v.start_byte() && !syntax::contains(*v, u))
        });
        let fails_open = verify.as_ref().is_some_and(|(v, _)| fails_open(file, *v));
        let scope = file.ctx.scope_for_function(h);
        let mut side_effects = false;
        let mut idempotent = false;
        let mut evidence = None;
        for f in &file.facts {
            if f.scope.as_deref() != Some(scope.as_str()) {
                continue;
            }
            match &f.data {
                FactData::DbAccess(a) => {
                    if a.operation != "select" {
                        side_effects = true;
                    }
                    let table = a.table.as_deref().unwrap_or("").to_ascii_lowercase();
                    let key_cols = a.filters.iter().chain(a.values.iter()).find(|x| {
                        let c = x.column.to_ascii_lowercase();
                        let e = x.expr.to_ascii_lowercase();
                        c.contains("event_id")
                            || c.contains("eventid")
                            || c.contains("webhook_id")
                            || c.contains("svix_id")
                            || c.contains("idempotency")
                            || e.contains("event.id")
                            || e.contains("evt.id")
                            || e.contains("eventid")
                            || e.contains("svix-id")
                            || e.contains("svix_id")
                    });
                    if evidence.is_none() {
                        if table.contains("event")
                            || table.contains("webhook")
                            || table.contains("processed")
                            || table.contains("idempot")
                        {
                            idempotent = true;
                            evidence = Some(format!(
                                "{} on `{}`",
                                a.operation,
                                a.table.as_deref().unwrap_or("")
                            ));
                        } else if let Some(k) = key_cols {
                            idempotent = true;
                            evidence = Some(format!(
                                "{} on `{}` keyed by {} = {}",
                                a.operation,
                                a.table.as_deref().unwrap_or(""),
                                k.column,
                                k.expr
                            ));
                        }
                    }
                }
                FactData::ExternalCall(_) => side_effects = true,
                _ => {}
            }
        }
        if !idempotent {
            for c in &calls {
                let t = file.text(*c);
                if t.contains("onConflict") && (t.contains("event") || t.contains("stripe_")) {
                    idempotent = true;
                    evidence = Some("upsert with onConflict on the event id".into());
                    break;
                }
            }
        }
        if !side_effects {
            side_effects = calls.iter().any(|c| {
                let l = syntax::callee(*c)
                    .map(|x| syntax::last_name(file.src, x).to_ascii_lowercase())
                    .unwrap_or_default();
                l.starts_with("send")
                    || l.starts_with("grant")
                    || l.starts_with("update")
                    || l.starts_with("create")
                        && !l.contains("hmac")
                        && !l.contains("client")
                        && !l.contains("response")
                    || l.starts_with("delete")
                    || l.starts_with("fulfill")
                    || l.starts_with("provision")
            });
        }
        file.push(
            h,
            FactData::Webhook(Webhook {
                provider,
                verified: verify.is_some(),
                verify_method: verify.as_ref().map(|(_, m)| m.clone()),
                verify_line: verify_start.map(|b| file.ctx.line_of_byte(b)),
                payload_used_before_verify,
                timing_safe,
                fails_open,
                side_effects,
                idempotent,
                idempotency_evidence: evidence,
            }),
        );
    }
}

/// Places where the handler reads the parsed payload: `req.json()`, `request.json()`,
/// `req.body.x`, `const { type } = req.body`.
fn payload_uses<'a>(file: &JsFile<'a>, h: Node<'a>) -> Vec<Node<'a>> {
    let mut out = Vec::new();
    syntax::descendants(h, false, |n| match n.kind() {
        "call_expression" => {
            let t = syntax::callee(n)
                .map(|c| syntax::callee_text(file.src, c))
                .unwrap_or_default();
            if matches!(
                t.as_str(),
                "req.json" | "request.json" | "c.req.json" | "ctx.request.json" | "event.json"
            ) || t == "JSON.parse"
                && syntax::arg(n, 0).is_some_and(|a| {
                    let at = file.text(a);
                    at.contains("body") || at.contains("payload") || at.contains("raw")
                })
            {
                out.push(n);
            }
        }
        "member_expression" => {
            let t = file.text(n);
            let field =
                (t.starts_with("req.body.") || t.starts_with("request.body.")) && t.len() > 9;
            let destructured = (t == "req.body" || t == "request.body")
                && n.parent()
                    .is_some_and(|p| p.kind() == "variable_declarator");
            if field || destructured {
                out.push(n);
            }
        }
        _ => {}
    });
    out
}

/// True when the verification only runs if a secret is set (or is skipped otherwise)
/// and the other branch goes on without failing.
fn fails_open(file: &JsFile<'_>, verify: Node<'_>) -> bool {
    let mut child = verify;
    let mut cur = verify.parent();
    while let Some(p) = cur {
        if syntax::is_function(p) {
            return false;
        }
        if p.kind() == "if_statement" {
            let cond = p
                .child_by_field_name("condition")
                .map(|c| file.text(c))
                .unwrap_or("");
            let lc = cond.to_ascii_lowercase();
            let about_secret = lc.contains("secret")
                || lc.contains("token")
                || lc.contains("env")
                || lc.contains("key")
                || lc.contains("signature")
                || lc.contains("sig");
            if about_secret
                && !syntax::contains(p.child_by_field_name("condition").unwrap_or(p), verify)
            {
                let in_cons = p
                    .child_by_field_name("consequence")
                    .is_some_and(|c| syntax::contains(c, child));
                let other = if in_cons {
                    p.child_by_field_name("alternative")
                } else {
                    p.child_by_field_name("consequence")
                };
                let fails = other.is_some_and(|o| {
                    let t = file.text(o);
                    t.contains("throw")
                        || t.contains("40")
                        || t.contains("50")
                        || t.contains("error") && syntax::exits(file.src, o)
                });
                return !fails;
            }
        }
        child = p;
        cur = p.parent();
    }
    false
}

/// Timing safety of a same-file verification helper: true when it uses
/// `timingSafeEqual` / `crypto.subtle.verify`, false when it compares with `===`.
fn helper_timing(file: &JsFile<'_>, def: Node<'_>) -> Option<bool> {
    let t = file.text(def);
    if t.contains("timingSafeEqual") || t.contains("subtle.verify") || t.contains("timingSafe") {
        return Some(true);
    }
    let mut unsafe_cmp = false;
    syntax::descendants(def, false, |n| {
        if n.kind() == "binary_expression"
            && n.child_by_field_name("operator")
                .is_some_and(|o| matches!(file.text(o), "===" | "!==" | "==" | "!="))
        {
            let b = file.text(n).to_ascii_lowercase();
            if b.contains("sig") || b.contains("hmac") || b.contains("digest") || b.contains("hash")
            {
                unsafe_cmp = true;
            }
        }
    });
    unsafe_cmp.then_some(false)
}

/// True when the handler has an enforced user authentication check.
fn user_authenticated(file: &JsFile<'_>, h: Node<'_>) -> bool {
    let scope = file.ctx.scope_for_function(h);
    file.facts.iter().any(|f| {
        f.scope.as_deref() == Some(scope.as_str())
            && matches!(&f.data, FactData::AuthCheck(a) if a.enforced && a.provider != "secret-header")
    })
}

/// Clears the webhook `public` marking of the route whose handler is `h`.
fn unmark_public(file: &mut JsFile<'_>, h: Node<'_>) {
    let scope = file.ctx.scope_for_function(h);
    for f in &mut file.facts {
        if let FactData::Route(r) = &mut f.data {
            if r.handler_scope.as_deref() == Some(scope.as_str())
                && r.public_reason
                    .as_deref()
                    .is_some_and(|p| p.starts_with("webhook"))
            {
                r.public = false;
                r.public_reason = None;
            }
        }
    }
}

/// Top-level functions (declarations and `const f = (...) => ...`), exported or not.
fn top_level_functions<'a>(file: &JsFile<'a>) -> Vec<Node<'a>> {
    let mut out = Vec::new();
    let mut cur = file.root.walk();
    for c in file.root.named_children(&mut cur) {
        let d = if c.kind() == "export_statement" {
            match c.child_by_field_name("declaration") {
                Some(d) => d,
                None => continue,
            }
        } else {
            c
        };
        match d.kind() {
            "function_declaration" => out.push(d),
            "lexical_declaration" | "variable_declaration" => {
                let mut c2 = d.walk();
                for v in d.named_children(&mut c2) {
                    if let Some(val) = v.child_by_field_name("value").map(syntax::unwrap) {
                        if syntax::is_function(val) {
                            out.push(val);
                        }
                    }
                }
            }
            _ => {}
        }
    }
    out
}
