//! External calls, rate limits, CORS, env reads and function facts.

mod js_support;

use js_support::*;
use lm_core::Role;

#[test]
fn paid_ai_calls_and_rate_limits() {
    let src = r#"
import OpenAI from "openai";
import { Ratelimit } from "@upstash/ratelimit";
import { Redis } from "@upstash/redis";

const openai = new OpenAI({ apiKey: process.env.OPENAI_API_KEY });
const ratelimit = new Ratelimit({ redis: Redis.fromEnv(), limiter: Ratelimit.slidingWindow(10, "10 s") });

export async function POST(req: Request) {
  const ip = req.headers.get("x-forwarded-for") ?? "anon";
  const { success } = await ratelimit.limit(ip);
  if (!success) return new Response("slow down", { status: 429 });
  const { prompt } = await req.json();
  const completion = await openai.chat.completions.create({ model: "gpt-4o", messages: [{ role: "user", content: prompt }] });
  return Response.json(completion);
}
"#;
    let f = facts("app/api/chat/route.ts", src);
    let (_, r) = route(&f, "/api/chat", "POST");
    let scope = r.handler_scope.clone().unwrap();
    let (xf, x) = external_calls(&f)[0];
    assert_eq!(x.service, "openai");
    assert_eq!(x.api, "openai.chat.completions.create");
    assert!(x.paid_ai);
    assert_eq!(xf.scope.as_deref(), Some(scope.as_str()));
    let (rf, rl) = rate_limits(&f)[0];
    assert_eq!(rl.method, "ratelimit.limit");
    assert_eq!(rf.scope.as_deref(), Some(scope.as_str()));
    // `role: "user"` in a chat message is not a role check.
    assert!(role_checks(&f).is_empty(), "{:#?}", role_checks(&f));
}

#[test]
fn fetch_to_ai_gateways_email_and_stripe() {
    let src = r#"
import Stripe from "stripe";
import { Resend } from "resend";
const stripe = new Stripe(Deno.env.get("STRIPE_SECRET_KEY")!);
const resend = new Resend(Deno.env.get("RESEND_API_KEY"));
Deno.serve(async (req) => {
  const r = await fetch("https://ai.gateway.lovable.dev/v1/chat/completions", { method: "POST" });
  await stripe.refunds.create({ payment_intent: "pi_1" });
  await stripe.checkout.sessions.create({ mode: "payment" });
  await resend.emails.send({ from: "a@b.c", to: "x@y.z", subject: "hi", html: "<p>hi</p>" });
  await fetch("https://example.com/api");
  return new Response("ok");
});
"#;
    let f = facts("supabase/functions/pay/index.ts", src);
    let calls: Vec<_> = external_calls(&f)
        .into_iter()
        .map(|(_, x)| x.clone())
        .collect();
    let lovable = calls.iter().find(|x| x.service == "lovable-ai").unwrap();
    assert!(lovable.paid_ai);
    let refund = calls
        .iter()
        .find(|x| x.api == "stripe.refunds.create")
        .unwrap();
    assert!(refund.privileged);
    let checkout = calls
        .iter()
        .find(|x| x.api == "stripe.checkout.sessions.create")
        .unwrap();
    assert!(!checkout.privileged);
    assert!(calls.iter().any(|x| x.service == "resend"));
    assert_eq!(calls.len(), 4, "{calls:#?}");
}

#[test]
fn cors_reflection_and_allowlists() {
    let src = r#"
export async function OPTIONS(req: Request) {
  const origin = req.headers.get("origin") ?? "";
  return new Response(null, {
    headers: {
      "Access-Control-Allow-Origin": origin,
      "Access-Control-Allow-Credentials": "true",
    },
  });
}
"#;
    let f = facts("app/api/data/route.ts", src);
    let (_, c) = cors(&f)[0];
    assert_eq!(c.allow_origin, "reflect");
    assert!(c.credentials);
    let allow = r#"
const ALLOWED = ["https://app.example.com"];
app.use((req, res, next) => {
  const origin = req.headers.origin;
  if (ALLOWED.includes(origin)) res.setHeader("Access-Control-Allow-Origin", origin);
  next();
});
"#;
    let f = facts("server.js", allow);
    let (_, c) = cors(&f)[0];
    assert_eq!(c.allow_origin, "reflect");
    let lit =
        r#"const corsHeaders = { "Access-Control-Allow-Origin": "https://app.example.com" };"#;
    let f = facts("supabase/functions/_shared/cors.ts", lit);
    assert_eq!(cors(&f)[0].1.allow_origin, "https://app.example.com");
}

#[test]
fn env_reads_and_their_context() {
    let client = r#"
"use client";
const url = process.env.NEXT_PUBLIC_SUPABASE_URL;
const key = process.env["NEXT_PUBLIC_SUPABASE_ANON_KEY"];
"#;
    let f = facts_with_role("components/Login.tsx", client, Role::Shared);
    let e = env_reads(&f);
    assert_eq!(e.len(), 2);
    assert!(e.iter().all(|(_, e)| e.context == "client"));
    let vite = "export const url = import.meta.env.VITE_SUPABASE_URL;";
    let f = facts_with_role("src/lib/supabase.ts", vite, Role::Client);
    let (_, e) = env_reads(&f)[0];
    assert_eq!(
        (e.name.as_str(), e.accessor.as_str(), e.context.as_str()),
        ("VITE_SUPABASE_URL", "import.meta.env", "client")
    );
    let destructured = "const { STRIPE_SECRET_KEY, DATABASE_URL: db } = process.env;";
    let f = facts_with_role("lib/config.ts", destructured, Role::Shared);
    let names: Vec<_> = env_reads(&f)
        .into_iter()
        .map(|(_, e)| e.name.clone())
        .collect();
    assert_eq!(names, vec!["STRIPE_SECRET_KEY", "DATABASE_URL"]);
    assert!(env_reads(&f).iter().all(|(_, e)| e.context == "shared"));
}

#[test]
fn functions_list_calls_for_helpers() {
    let src = r#"
import { createClient } from "@supabase/supabase-js";
export function createAdminClient() {
  return createClient(process.env.SUPABASE_URL!, process.env.SUPABASE_SERVICE_ROLE_KEY!);
}
export async function requireAdmin() {
  const supabase = createAdminClient();
  const { data } = await supabase.auth.getUser();
  return data.user;
}
const helper = () => 1;
"#;
    let f = facts("lib/supabase/admin.ts", src);
    let fns = functions(&f);
    let names: Vec<_> = fns.iter().map(|(_, x)| x.name.as_str()).collect();
    assert_eq!(names, vec!["createAdminClient", "requireAdmin", "helper"]);
    assert!(fns[0].1.exported && !fns[2].1.exported);
    assert!(fns[1].1.calls.contains(&"createAdminClient".to_string()));
    let (_, c) = db_clients(&f)
        .into_iter()
        .find(|(_, c)| c.var.as_deref() == Some("createAdminClient"))
        .unwrap();
    assert_eq!(c.client_kind, "service_role");
    // The helper's client flows into `supabase` inside requireAdmin.
    let (cf, c2) = db_clients(&f)
        .into_iter()
        .find(|(_, c)| c.var.as_deref() == Some("supabase"))
        .unwrap();
    assert_eq!(c2.client_kind, "service_role");
    assert_eq!(cf.scope, Some(fns[1].0.scope.clone().unwrap()));
}

#[test]
fn dependency_code_without_keywords_yields_nothing() {
    let src = "module.exports = function chunk(a, n) { var out = []; for (var i = 0; i < a.length; i += n) out.push(a.slice(i, i + n)); return out; };";
    let f = facts_with_role("node_modules/lodash/chunk.js", src, Role::Other);
    assert!(f.is_empty());
}
