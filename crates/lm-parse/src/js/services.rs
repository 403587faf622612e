//! External calls (`external_call`: paid AI APIs, payments, email, Supabase admin),
//! rate limits (`rate_limit`) and CORS configuration (`cors`).

use lm_core::fact::{Cors, ExternalCall, FactData, RateLimit};
use tree_sitter::Node;

use super::model::JsFile;
use super::{provenance, syntax};

/// AI API hosts called with `fetch`.
const AI_HOSTS: &[(&str, &str)] = &[
    ("api.openai.com", "openai"),
    ("api.anthropic.com", "anthropic"),
    ("generativelanguage.googleapis.com", "google-ai"),
    ("aiplatform.googleapis.com", "google-ai"),
    ("api.groq.com", "groq"),
    ("api.replicate.com", "replicate"),
    ("openrouter.ai", "openrouter"),
    ("api.mistral.ai", "mistral"),
    ("api.deepseek.com", "deepseek"),
    ("api.perplexity.ai", "perplexity"),
    ("api.together.xyz", "together"),
    ("api.elevenlabs.io", "elevenlabs"),
    ("api.cohere.ai", "cohere"),
    ("api.fireworks.ai", "fireworks"),
    ("ai.gateway.lovable.dev", "lovable-ai"),
    ("api.x.ai", "xai"),
];

/// Other paid or privileged hosts called with `fetch`.
const SERVICE_HOSTS: &[(&str, &str, bool)] = &[
    ("api.stripe.com", "stripe", true),
    ("api.resend.com", "resend", false),
    ("api.sendgrid.com", "sendgrid", false),
    ("api.twilio.com", "twilio", false),
    ("api.postmarkapp.com", "email", false),
    ("api.mailgun.net", "email", false),
];

/// Recognises an external call: `(service, api, paid_ai, privileged)`.
fn classify(file: &JsFile<'_>, call: Node<'_>) -> Option<(String, String, bool, bool)> {
    let callee = syntax::callee(call)?;
    let text = syntax::callee_text(file.src, callee);
    if text.len() > 100 {
        return None;
    }
    let last = syntax::last_name(file.src, callee);
    let lower = text.to_ascii_lowercase();
    let root = text.split('.').next().unwrap_or("").to_ascii_lowercase();
    let imported = |pkg: &str| file.imports_from(pkg);
    // fetch('https://api.openai.com/...')
    if matches!(
        text.as_str(),
        "fetch" | "axios.post" | "axios" | "ky.post" | "$fetch"
    ) {
        let url = syntax::arg(call, 0)?;
        let mut t = file.text(url).to_string();
        if url.kind() == "identifier" {
            if let Some(v) = provenance::value_of(file, file.text(url), url) {
                t = file.text(v).to_string();
            }
        }
        for (host, service) in AI_HOSTS {
            if t.contains(host) {
                return Some((
                    service.to_string(),
                    t.chars().take(80).collect(),
                    true,
                    false,
                ));
            }
        }
        for (host, service, privileged) in SERVICE_HOSTS {
            if t.contains(host) {
                return Some((
                    service.to_string(),
                    t.chars().take(80).collect(),
                    false,
                    *privileged,
                ));
            }
        }
        return None;
    }
    // Supabase admin API.
    if lower.contains(".auth.admin.") {
        return Some(("supabase-admin".into(), text, false, true));
    }
    // AI SDKs.
    let ai_method = matches!(
        last,
        "create"
            | "generate"
            | "generateContent"
            | "generateContentStream"
            | "stream"
            | "run"
            | "sendMessage"
            | "sendMessageStream"
            | "embedContent"
            | "predictions"
    );
    if ai_method {
        let service = if root.contains("openai")
            || lower.contains("chat.completions") && imported("openai")
        {
            Some("openai")
        } else if root.contains("anthropic")
            || root == "claude"
            || lower.contains("messages.create") && imported("@anthropic-ai")
        {
            Some("anthropic")
        } else if root.contains("groq") {
            Some("groq")
        } else if root.contains("replicate") && last == "run" || lower.starts_with("replicate.") {
            Some("replicate")
        } else if matches!(
            last,
            "generateContent"
                | "generateContentStream"
                | "sendMessage"
                | "sendMessageStream"
                | "embedContent"
        ) && (imported("@google/generative-ai")
            || imported("@google/genai")
            || root.contains("model")
            || root.contains("genai")
            || root.contains("gemini"))
        {
            Some("google-ai")
        } else if lower.contains("chat.completions.create")
            || lower.contains("completions.create")
            || lower.contains("embeddings.create")
            || lower.contains("images.generate")
            || lower.contains("responses.create")
        {
            if imported("openai") {
                Some("openai")
            } else if imported("groq-sdk") {
                Some("groq")
            } else {
                None
            }
        } else {
            None
        };
        if let Some(s) = service {
            if last == "run" && s != "replicate" {
                return None;
            }
            return Some((s.into(), text, true, false));
        }
    }
    // Vercel AI SDK.
    if callee.kind() == "identifier"
        && matches!(
            last,
            "generateText"
                | "streamText"
                | "generateObject"
                | "streamObject"
                | "embed"
                | "embedMany"
                | "generateImage"
        )
        && imported("ai")
    {
        return Some(("ai-sdk".into(), text, true, false));
    }
    // Stripe.
    if root == "stripe"
        || file
            .import_of(text.split('.').next().unwrap_or(""))
            .is_some_and(|i| i.source == "stripe")
    {
        let parts: Vec<&str> = text.split('.').collect();
        if parts.len() >= 3 && !lower.contains("webhooks") {
            let resource = parts[1];
            let privileged = matches!(
                resource,
                "charges" | "refunds" | "payouts" | "transfers" | "accounts" | "topups" | "balance"
            ) || matches!(
                resource,
                "customers" | "subscriptions" | "paymentIntents" | "invoices"
            ) && matches!(
                last,
                "update" | "del" | "cancel" | "capture" | "pay" | "delete" | "create"
            ) && resource != "customers"
                || resource == "customers" && matches!(last, "update" | "del" | "delete");
            return Some(("stripe".into(), text, false, privileged));
        }
        return None;
    }
    // Email and messaging.
    if lower.ends_with("emails.send") || lower.ends_with("batch.send") && root.contains("resend") {
        return Some(("resend".into(), text, false, false));
    }
    if (root == "sgmail" || root.contains("sendgrid")) && matches!(last, "send" | "sendMultiple") {
        return Some(("sendgrid".into(), text, false, false));
    }
    if last == "sendMail" {
        return Some(("email".into(), text, false, false));
    }
    if lower.ends_with("messages.create") && (root.contains("twilio") || imported("twilio")) {
        return Some(("twilio".into(), text, false, false));
    }
    None
}

/// True for calls that apply a rate limit.
pub fn is_rate_limit_call(file: &JsFile<'_>, call: Node<'_>) -> bool {
    let Some(callee) = syntax::callee(call) else {
        return false;
    };
    let last = syntax::last_name(file.src, callee);
    let text = file.text(callee);
    if text.len() > 80 {
        return false;
    }
    let lower = text.to_ascii_lowercase();
    match last {
        "limit" | "consume" | "check" | "blockEmail" => {
            lower.contains("ratelimit") || lower.contains("limiter") || lower.contains("rate_limit")
        }
        _ => {
            let l = last.to_ascii_lowercase();
            matches!(
                l.as_str(),
                "ratelimit"
                    | "ratelimiter"
                    | "slowdown"
                    | "checkratelimit"
                    | "applyratelimit"
                    | "withratelimit"
                    | "enforceratelimit"
                    | "ratelimitmiddleware"
                    | "limitrequests"
            ) || l.contains("ratelimit") && callee.kind() == "identifier"
        }
    }
}

/// Emits `external_call`, `rate_limit` and `cors` facts.
pub fn extract(file: &mut JsFile<'_>) {
    let calls = file.calls.clone();
    for call in calls {
        if let Some((service, api, paid_ai, privileged)) = classify(file, call) {
            file.push(
                call,
                FactData::ExternalCall(ExternalCall {
                    service,
                    api,
                    paid_ai,
                    privileged,
                }),
            );
        }
        if is_rate_limit_call(file, call) {
            let callee = syntax::callee(call).expect("checked");
            let method = syntax::callee_text(file.src, callee);
            file.push(call, FactData::RateLimit(RateLimit { method }));
        }
        if let Some(c) = cors_call(file, call) {
            file.push(call, FactData::Cors(c));
        }
    }
    let pairs = file.cors_pairs.clone();
    for p in pairs {
        let Some(v) = p.child_by_field_name("value") else {
            continue;
        };
        let allow_origin = origin_value(file, v);
        let credentials = p.parent().is_some_and(|obj| {
            syntax::object_props(file.src, obj).iter().any(|(k, v)| {
                k.eq_ignore_ascii_case("access-control-allow-credentials")
                    && file.text(*v).contains("true")
            })
        });
        file.push(
            p,
            FactData::Cors(Cors {
                allow_origin,
                credentials,
                mechanism: "header".into(),
            }),
        );
    }
}

fn origin_value(file: &JsFile<'_>, v: Node<'_>) -> String {
    let v = syntax::unwrap(v);
    if let Some(s) = syntax::string_value(file.src, v) {
        return s.to_string();
    }
    let t = file.text(v).to_ascii_lowercase();
    let resolved = if v.kind() == "identifier" {
        provenance::value_of(file, file.text(v), v)
            .map(|x| file.text(x).to_ascii_lowercase())
            .unwrap_or_default()
    } else {
        String::new()
    };
    let all = format!("{t} {resolved}");
    if all.contains("origin")
        && (all.contains("headers") || all.contains("req") || all.contains("request"))
    {
        if all.contains("includes(")
            || all.contains("indexof(")
            || all.contains("allowed")
            || all.contains("===")
            || all.contains("has(")
        {
            return "allowlist".into();
        }
        return "reflect".into();
    }
    if all.contains("'*'") || all.contains("\"*\"") {
        return "*".into();
    }
    crate::ctx::shorten(file.text(v), 60)
}

fn cors_call(file: &JsFile<'_>, call: Node<'_>) -> Option<Cors> {
    let callee = syntax::callee(call)?;
    let text = file.text(callee);
    let last = syntax::last_name(file.src, callee);
    // res.setHeader('Access-Control-Allow-Origin', x), headers.set(...), c.header(...)
    if matches!(last, "setHeader" | "set" | "header" | "append") {
        let name = syntax::arg(call, 0).and_then(|a| syntax::string_value(file.src, a))?;
        if !name.eq_ignore_ascii_case("access-control-allow-origin") {
            return None;
        }
        let v = syntax::arg(call, 1)?;
        let credentials = file
            .src
            .contains("Access-Control-Allow-Credentials', 'true'")
            || file
                .src
                .contains("Access-Control-Allow-Credentials\", \"true\"")
            || file
                .src
                .to_ascii_lowercase()
                .contains("access-control-allow-credentials");
        return Some(Cors {
            allow_origin: origin_value(file, v),
            credentials,
            mechanism: "header".into(),
        });
    }
    if callee.kind() != "identifier" || !matches!(text, "cors" | "fastifyCors") {
        return None;
    }
    let src = file
        .import_of(text)
        .map(|i| i.source.as_str())
        .unwrap_or("");
    let mechanism = if src.contains("hono") {
        "hono"
    } else if src == "cors"
        || src.contains("fastify")
        || src.contains("@koa")
        || src.is_empty() && file.src.contains("cors")
    {
        "cors-package"
    } else {
        return None;
    };
    let opts = syntax::arg(call, 0).map(syntax::unwrap);
    let (allow_origin, credentials) = match opts.filter(|o| o.kind() == "object") {
        None => ("*".to_string(), false),
        Some(o) => {
            let origin = syntax::object_prop(file.src, o, "origin").map(syntax::unwrap);
            let creds = syntax::object_prop(file.src, o, "credentials")
                .is_some_and(|c| file.text(c) == "true");
            let origin = match origin {
                None => "*".to_string(),
                Some(x) if file.text(x) == "true" => "reflect".into(),
                Some(x) if syntax::is_function(x) => {
                    let body = file.text(x);
                    if body.contains("includes(")
                        || body.contains("indexOf(")
                        || body.contains("===")
                        || body.contains("test(")
                        || body.contains(".has(")
                    {
                        "allowlist".into()
                    } else {
                        "reflect".into()
                    }
                }
                Some(x) => {
                    if let Some(s) = syntax::string_value(file.src, x) {
                        s.to_string()
                    } else if x.kind() == "array" {
                        let mut cur = x.walk();
                        let items: Vec<String> = x
                            .named_children(&mut cur)
                            .map(|i| {
                                syntax::string_value(file.src, i)
                                    .map(String::from)
                                    .unwrap_or_else(|| file.short(i, 40))
                            })
                            .collect();
                        items.join(",")
                    } else {
                        origin_value(file, x)
                    }
                }
            };
            (origin, creds)
        }
    };
    Some(Cors {
        allow_origin,
        credentials,
        mechanism: mechanism.into(),
    })
}
