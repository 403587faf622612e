//! Rules at the app's edges: `webhook.unverified`, `webhook.not-idempotent`,
//! `ratelimit.missing`, `cors.permissive`.

use std::collections::HashMap;

use lm_core::fact::{Fact, FactData};
use lm_core::{Category, Severity};

use super::{finding, with_details, Ctx};
use crate::analysis::{edge_name, Auth};
use crate::names;

/// Runs the edge rules.
pub fn check(ctx: &mut Ctx<'_>) {
    webhooks(ctx);
    rate_limits(ctx);
    cors(ctx);
}

/// The label of the first route whose handler reaches fact `i`.
fn route_of(ctx: &Ctx<'_>) -> HashMap<usize, String> {
    let mut m = HashMap::new();
    for v in &ctx.views {
        for &i in &v.reach.facts {
            m.entry(i).or_insert_with(|| v.label.clone());
        }
    }
    m
}

fn payments(provider: &str) -> bool {
    matches!(
        provider,
        "stripe" | "lemonsqueezy" | "paddle" | "paypal" | "razorpay" | "polar" | "shopify"
    )
}

fn verify_hint(provider: &str) -> &'static str {
    match provider {
        "stripe" => "`stripe.webhooks.constructEvent(rawBody, signature, secret)`",
        "svix" | "clerk" | "resend" => "svix `new Webhook(secret).verify(rawBody, headers)`",
        "github" => "an HMAC-SHA256 of the raw body compared with `crypto.timingSafeEqual`",
        _ => "an HMAC of the raw body compared with `crypto.timingSafeEqual`",
    }
}

fn webhooks(ctx: &mut Ctx<'_>) {
    let routes = route_of(ctx);
    let hooks: Vec<(usize, &Fact)> = ctx.ix.of_kind("webhook").collect();
    let mut out = Vec::new();
    for (i, f) in hooks {
        let FactData::Webhook(w) = &f.data else {
            continue;
        };
        let where_ = routes
            .get(&i)
            .cloned()
            .unwrap_or_else(|| format!("The {} webhook handler", w.provider));
        let label = where_.clone();
        let pay = payments(&w.provider);
        let mk = |rule: &str, cat: Category, sev: Severity, msg: String, key: &str| {
            let mut fd = finding(rule, cat, sev, f, msg, &[&w.provider, key]);
            fd.evidence = w.verify_method.clone().or_else(|| Some(w.provider.clone()));
            with_details(
                fd,
                &[("route", label.clone()), ("provider", w.provider.clone())],
            )
        };
        if !w.verified {
            let sev = if w.side_effects && pay {
                Severity::Critical
            } else if w.side_effects {
                Severity::High
            } else {
                Severity::Medium
            };
            let effect = if w.side_effects {
                " and acts on it"
            } else {
                ""
            };
            out.push(mk(
                "authz.webhook-unverified",
                Category::WebhookUnverified,
                sev,
                format!(
                    "{where_} reads the {} webhook payload{effect} without verifying its signature, so anyone can forge events; verify it first with {}.",
                    w.provider,
                    verify_hint(&w.provider)
                ),
                "unverified",
            ));
            continue;
        }
        let mut flawed = false;
        if w.payload_used_before_verify {
            flawed = true;
            out.push(mk(
                "authz.webhook-used-before-verify",
                Category::WebhookUnverified,
                if w.side_effects { Severity::High } else { Severity::Medium },
                format!(
                    "{where_} uses the {} webhook payload before its signature check{}; verify the raw body first and act only on the verified event.",
                    w.provider,
                    w.verify_line.map(|l| format!(" (line {l})")).unwrap_or_default()
                ),
                "before-verify",
            ));
        }
        if w.fails_open {
            flawed = true;
            out.push(mk(
                "authz.webhook-fails-open",
                Category::WebhookUnverified,
                Severity::High,
                format!(
                    "{where_} skips the {} signature check when the webhook secret is not set, so a missing environment variable turns verification off; return 500 when the secret is missing instead.",
                    w.provider
                ),
                "fails-open",
            ));
        }
        if w.timing_safe == Some(false) {
            flawed = true;
            out.push(mk(
                "authz.webhook-timing-unsafe",
                Category::WebhookUnverified,
                Severity::Medium,
                format!(
                    "{where_} compares the {} webhook signature with `==`/`===`, which leaks how much of it matched through timing; use `crypto.timingSafeEqual` (Node) or `hmac.compare_digest` (Python).",
                    w.provider
                ),
                "timing",
            ));
        }
        if !flawed && w.side_effects && !w.idempotent {
            out.push(mk(
                "authz.webhook-not-idempotent",
                Category::WebhookNotIdempotent,
                if pay { Severity::Medium } else { Severity::Low },
                format!(
                    "{where_} verifies the {} webhook but performs its side effects without recording the event id, and providers retry deliveries; store `event.id` in a processed-events table with a unique constraint (or upsert on it) and skip duplicates.",
                    w.provider
                ),
                "idempotency",
            ));
        }
    }
    for f in out {
        ctx.emit(f);
    }
}

/// Supabase auth calls that sign in or send codes.
fn supabase_auth_flow(api: &str) -> Option<&'static str> {
    let last = api.rsplit('.').next().unwrap_or(api);
    match last {
        "signInWithPassword" | "signIn" => Some("login"),
        "signUp" => Some("sign-up"),
        "resetPasswordForEmail" => Some("password reset"),
        "signInWithOtp" | "verifyOtp" | "resend" => Some("one-time code"),
        _ => None,
    }
}

fn rate_limits(ctx: &mut Ctx<'_>) {
    let mut out = Vec::new();
    for v in &ctx.views {
        if v.rate_limit.is_some() {
            continue;
        }
        if v.public
            .as_deref()
            .is_some_and(|r| r.contains("callback") || r.contains("health") || r.contains("asset"))
        {
            continue;
        }
        let mut flow: Option<(&'static str, String)> = None;
        let mut ai: Option<String> = None;
        for (_, f) in v.facts(ctx.ix) {
            if let FactData::ExternalCall(e) = &f.data {
                if e.paid_ai && ai.is_none() {
                    ai = Some(format!("`{}`", e.api));
                }
                if let Some(k) = supabase_auth_flow(&e.api) {
                    flow.get_or_insert((k, format!("`{}`", e.api)));
                }
            }
        }
        for c in &v.reach.calls {
            if let Some(k) = supabase_auth_flow(c) {
                if c.contains("auth.") {
                    flow.get_or_insert((k, format!("`{c}`")));
                }
            }
        }
        let writes = v.route.methods.is_empty()
            || v.route
                .methods
                .iter()
                .any(|m| matches!(m.as_str(), "POST" | "PUT" | "PATCH" | "*" | "ACTION"));
        if flow.is_none() && writes {
            let by_name = names::auth_flow(&v.pattern)
                .or_else(|| v.route.handler.as_deref().and_then(names::auth_flow));
            let admin = names::is_admin_text(&v.pattern);
            // Signing in, signing up and resetting a password happen before there is a
            // session: a handler that requires one (an invite sent by a signed-in admin)
            // is not that flow. A second factor is checked for a signed-in user.
            let needs_session = |k: &str| {
                k != "one-time code" && matches!(v.auth, Auth::Enforced(_) | Auth::Secret(_))
            };
            if let Some(k) = by_name.filter(|k| !admin && !needs_session(k)) {
                // A sign-in route does something: a check, a lookup or an auth call.
                if !v.reach.facts.is_empty() || !v.reach.calls.is_empty() {
                    flow = Some((k, "its path".into()));
                }
            }
        }
        // A handler that reads its own lockout state (`is_account_locked`, a count of
        // recent `login_attempts`) throttles guesses itself.
        let locks_out = || {
            v.db_accesses(ctx.ix).any(|(_, _, d)| {
                matches!(d.operation.as_str(), "select" | "rpc")
                    && d.table.as_deref().is_some_and(names::is_lockout)
            })
        };
        if flow.is_some() && locks_out() {
            flow = None;
        }
        let (rule, what, sev) = if let Some((kind, ev)) = &flow {
            (
                "authz.ratelimit-auth",
                format!(
                    "is a {kind} endpoint ({ev}) with no rate limit on its path, so passwords or codes can be tried without limit"
                ),
                Severity::Medium,
            )
        } else if let Some(ev) = &ai {
            let sev = if v.auth == Auth::None {
                Severity::High
            } else {
                Severity::Medium
            };
            (
                "authz.ratelimit-paid-ai",
                format!(
                    "proxies a paid AI API ({ev}) with the server's key and no rate limit, so one caller can run up the bill"
                ),
                sev,
            )
        } else {
            continue;
        };
        let message = format!(
            "{} {what}; add a limiter keyed by IP and user (e.g. `@upstash/ratelimit` in the handler or middleware, `express-rate-limit`, `slowapi`).",
            v.label
        );
        let mut f = finding(
            rule,
            Category::RatelimitMissing,
            sev,
            v.fact,
            message,
            &[&v.pattern, &v.route.methods.join(",")],
        );
        f.evidence = flow.map(|(_, e)| e).or(ai);
        out.push(with_details(f, &[("route", v.label.clone())]));
    }
    for f in out {
        ctx.emit(f);
    }
}

fn cors(ctx: &mut Ctx<'_>) {
    // Edge functions that authenticate and return data, by function name.
    let mut edge_data: HashMap<String, (bool, bool)> = HashMap::new();
    for v in &ctx.views {
        if !v.is_edge() {
            continue;
        }
        let Some(name) = edge_name(&v.fact.path) else {
            continue;
        };
        // `verify_jwt` alone lets the public anon key through: such a function is open to
        // every site whatever its CORS headers say.
        let authed = v.auth.identifies_user();
        let data = v
            .facts(ctx.ix)
            .any(|(_, f)| matches!(f.data, FactData::DbAccess(_)));
        let e = edge_data.entry(name.to_string()).or_default();
        e.0 |= authed;
        e.1 |= data;
    }
    let mut out = Vec::new();
    let mut shared_reported = false;
    for (_, f) in ctx.ix.of_kind("cors") {
        let FactData::Cors(c) = &f.data else { continue };
        let origin = c.allow_origin.trim();
        let reflect = origin == "reflect" || origin == "true";
        let star = origin == "*";
        let (rule, sev, msg) = if reflect && c.credentials {
            (
                "authz.cors-reflected-credentials",
                Severity::High,
                "reflects any request `Origin` with credentials allowed, so any website can make signed-in requests and read the responses; allow a fixed list of origins".to_string(),
            )
        } else if star && c.credentials {
            (
                "authz.cors-wildcard-credentials",
                Severity::Medium,
                "allows origin `*` together with credentials; browsers refuse this pair and libraries often \"fix\" it by reflecting the origin — list the origins that may send credentials".to_string(),
            )
        } else if reflect {
            (
                "authz.cors-reflected-origin",
                Severity::Low,
                "reflects any request `Origin`; without credentials this equals `*`, but it becomes an account-takeover path as soon as credentials are enabled — allow a fixed list of origins".to_string(),
            )
        } else if star {
            let Some(name) = edge_name(&f.path) else {
                continue;
            };
            let shared = name.starts_with('_');
            let relevant = if shared {
                edge_data.values().any(|(a, d)| *a && *d)
            } else {
                edge_data.get(name).is_some_and(|(a, d)| *a && *d)
            };
            if !relevant || (shared && shared_reported) {
                continue;
            }
            shared_reported |= shared;
            let whom = if shared {
                "the shared edge-function CORS headers used by authenticated, data-returning functions".to_string()
            } else {
                format!("edge function `{name}`, which authenticates callers and returns data,")
            };
            (
                "authz.cors-wildcard-edge-function",
                Severity::Low,
                format!(
                    "{whom} sends `Access-Control-Allow-Origin: *`, so any website can call it with a token it obtained; list your app's origins instead"
                ),
            )
        } else {
            continue;
        };
        let message = format!("{}: CORS {msg}.", f.path);
        let mut fd = finding(
            rule,
            Category::CorsPermissive,
            sev,
            f,
            message,
            &[&c.allow_origin, &c.mechanism],
        );
        fd.evidence = Some(format!(
            "Access-Control-Allow-Origin: {}{}",
            c.allow_origin,
            if c.credentials { " (credentials)" } else { "" }
        ));
        out.push(with_details(fd, &[("mechanism", c.mechanism.clone())]));
    }
    for f in out {
        ctx.emit(f);
    }
}
