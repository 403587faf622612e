//! Webhook handlers: verification, payload use before it, failing open, idempotency.

mod js_support;

use js_support::*;

#[test]
fn stripe_verified_and_idempotent() {
    let src = r#"
import Stripe from "stripe";
import { headers } from "next/headers";
import { createClient } from "@supabase/supabase-js";

const stripe = new Stripe(process.env.STRIPE_SECRET_KEY!);
const supabaseAdmin = createClient(process.env.NEXT_PUBLIC_SUPABASE_URL!, process.env.SUPABASE_SERVICE_ROLE_KEY!);

export async function POST(req: Request) {
  const body = await req.text();
  const sig = (await headers()).get("stripe-signature")!;
  let event: Stripe.Event;
  try {
    event = stripe.webhooks.constructEvent(body, sig, process.env.STRIPE_WEBHOOK_SECRET!);
  } catch (err) {
    return new Response("bad signature", { status: 400 });
  }
  const { error: dupe } = await supabaseAdmin.from("stripe_events").insert({ id: event.id });
  if (dupe) return new Response("duplicate", { status: 200 });
  if (event.type === "checkout.session.completed") {
    const session = event.data.object as Stripe.Checkout.Session;
    await supabaseAdmin.from("subscriptions").upsert({ user_id: session.client_reference_id, status: "active" });
  }
  return new Response("ok");
}
"#;
    let f = facts("app/api/webhooks/stripe/route.ts", src);
    let (_, r) = route(&f, "/api/webhooks/stripe", "POST");
    assert!(r.public);
    let w = webhooks(&f);
    assert_eq!(w.len(), 1);
    let (wf, w) = w[0];
    assert_eq!(wf.scope, r.handler_scope);
    assert_eq!(w.provider, "stripe");
    assert!(w.verified);
    assert_eq!(
        w.verify_method.as_deref(),
        Some("stripe.webhooks.constructEvent")
    );
    assert_eq!(w.verify_line, Some(14));
    assert!(!w.payload_used_before_verify);
    assert!(!w.fails_open);
    assert!(w.side_effects);
    assert!(w.idempotent, "{w:#?}");
    assert!(w
        .idempotency_evidence
        .as_deref()
        .unwrap()
        .contains("stripe_events"));
}

#[test]
fn stripe_parsed_before_verification_and_not_idempotent() {
    let src = r#"
import Stripe from "stripe";
const stripe = new Stripe(process.env.STRIPE_SECRET_KEY);
export default async function handler(req, res) {
  const event = req.body;
  if (event.type === "invoice.paid") {
    await prisma.user.update({ where: { stripeCustomerId: event.data.object.customer }, data: { plan: "pro" } });
  }
  res.json({ received: true });
}
"#;
    let f = facts("pages/api/stripe-webhook.js", src);
    let (_, w) = webhooks(&f)[0];
    assert_eq!(w.provider, "stripe");
    assert!(!w.verified);
    assert!(w.side_effects);
    assert!(!w.idempotent);
}

#[test]
fn json_before_verify_and_fail_open_secret() {
    let src = r#"
import { Webhook } from "svix";
export async function POST(req: Request) {
  const payload = await req.json();
  await db.insert(users).values({ clerkId: payload.data.id });
  const secret = process.env.CLERK_WEBHOOK_SECRET;
  if (secret) {
    const wh = new Webhook(secret);
    wh.verify(JSON.stringify(payload), Object.fromEntries(req.headers));
  }
  return new Response("ok");
}
"#;
    let f = facts("app/api/webhooks/clerk/route.ts", src);
    let (_, w) = webhooks(&f)[0];
    assert_eq!(w.provider, "clerk");
    assert!(w.verified);
    assert_eq!(w.verify_method.as_deref(), Some("wh.verify"));
    assert!(w.payload_used_before_verify);
    assert!(w.fails_open);
}

#[test]
fn hand_written_hmac_timing() {
    let unsafe_cmp = r#"
import crypto from "crypto";
export async function POST(req: Request) {
  const raw = await req.text();
  const signature = req.headers.get("x-signature") ?? "";
  const digest = crypto.createHmac("sha256", process.env.LEMONSQUEEZY_WEBHOOK_SECRET!).update(raw).digest("hex");
  if (digest !== signature) {
    return new Response("invalid", { status: 401 });
  }
  const event = JSON.parse(raw);
  await supabase.from("orders").insert({ id: event.data.id });
  return new Response("ok");
}
"#;
    let f = facts("app/api/lemonsqueezy/webhook/route.ts", unsafe_cmp);
    let (_, w) = webhooks(&f)[0];
    assert_eq!(w.provider, "lemonsqueezy");
    assert!(w.verified);
    assert_eq!(w.timing_safe, Some(false));
    assert!(!w.payload_used_before_verify);
    let safe = unsafe_cmp.replace(
        "if (digest !== signature) {",
        "if (!crypto.timingSafeEqual(Buffer.from(digest), Buffer.from(signature))) {",
    );
    let f = facts("app/api/lemonsqueezy/webhook/route.ts", &safe);
    let (_, w) = webhooks(&f)[0];
    assert_eq!(w.timing_safe, Some(true));
    assert_eq!(w.verify_method.as_deref(), Some("crypto.timingSafeEqual"));
}

#[test]
fn ordinary_routes_are_not_webhooks() {
    let src = r#"
export async function POST(req: Request) {
  const body = await req.json();
  await prisma.post.create({ data: { title: body.title } });
  return Response.json({ ok: true });
}
"#;
    let f = facts("app/api/posts/route.ts", src);
    assert!(webhooks(&f).is_empty());
}

#[test]
fn same_file_verify_helper_skipped_without_token() {
    let src = r#"
async function verifyAircallSignature(body: string, signature: string | null, token: string) {
  if (!signature) return false;
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(token), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const sig = await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(body));
  const expectedSignature = Array.from(new Uint8Array(sig)).map((b) => b.toString(16).padStart(2, "0")).join("");
  return expectedSignature === signature;
}
Deno.serve(async (req) => {
  const rawBody = await req.text();
  const signature = req.headers.get("x-aircall-signature");
  const aircallToken = Deno.env.get("AIRCALL_WEBHOOK_TOKEN");
  if (aircallToken) {
    const ok = await verifyAircallSignature(rawBody, signature, aircallToken);
    if (!ok) return new Response("invalid", { status: 401 });
  } else {
    console.warn("token not configured - skipping verification");
  }
  return new Response("ok");
});
"#;
    let f = facts("supabase/functions/call-events-webhook/index.ts", src);
    let (_, w) = webhooks(&f)[0];
    assert!(w.verified);
    assert_eq!(w.verify_method.as_deref(), Some("verifyAircallSignature"));
    assert_eq!(w.timing_safe, Some(false));
    assert!(w.fails_open);
    let closed = src.replace(
        "console.warn(\"token not configured - skipping verification\");",
        "return new Response(\"server misconfigured\", { status: 500 });",
    );
    let f = facts("supabase/functions/call-events-webhook/index.ts", &closed);
    assert!(!webhooks(&f)[0].1.fails_open);
}

#[test]
fn signed_in_endpoints_about_webhooks_are_not_receivers() {
    let src = r#"
import { requireUser } from "../_shared/auth.ts";
Deno.serve(async (req) => {
  const user = await requireUser(req);
  const { url } = await req.json();
  await fetch(url, { method: "POST", body: JSON.stringify({ by: user.id }) });
  return new Response("sent");
});
"#;
    let f = facts("supabase/functions/dispatch-webhook/index.ts", src);
    assert!(webhooks(&f).is_empty());
    let (_, r) = route(&f, "/functions/v1/dispatch-webhook", "*");
    assert!(!r.public);
}

#[test]
fn shared_receivers_and_management_endpoints() {
    let route_src = r#"
import { NextResponse } from "next/server";
import { receiveZoomWebhook } from "@/lib/zoom/webhook-receiver";
export async function POST(request: Request) {
  return receiveZoomWebhook(request, { secret: process.env.ZOOM_WEBHOOK_SECRET_TOKEN });
}
export async function GET() {
  return NextResponse.json({ status: "active" });
}
"#;
    let f = facts("app/api/zoom/webhook/route.ts", route_src);
    // Only the POST receiver: the GET status probe is not a webhook.
    let hooks = webhooks(&f);
    assert_eq!(hooks.len(), 1);
    assert!(!hooks[0].1.verified);
    let post = functions(&f)
        .into_iter()
        .find(|(_, x)| x.name == "POST")
        .unwrap()
        .1;
    assert!(post.calls.contains(&"receiveZoomWebhook".to_string()));
    // The shared receiver, where the verification lives, has its own webhook fact.
    let helper_src = r#"
import crypto from "crypto";
export async function receiveZoomWebhook(request: Request, opts: { secret: string }) {
  const body = await request.text();
  const ts = request.headers.get("x-zm-request-timestamp");
  const sig = request.headers.get("x-zm-signature") ?? "";
  const expected = "v0=" + crypto.createHmac("sha256", opts.secret).update(`v0:${ts}:${body}`).digest("hex");
  if (!crypto.timingSafeEqual(Buffer.from(sig), Buffer.from(expected))) {
    return new Response("bad signature", { status: 401 });
  }
  return new Response("ok");
}
export function formatMeeting(m) { return m.topic; }
"#;
    let f = facts("lib/zoom/webhook-receiver.ts", helper_src);
    let hooks = webhooks(&f);
    assert_eq!(hooks.len(), 1);
    let (wf, w) = hooks[0];
    assert!(w.verified);
    assert_eq!(w.timing_safe, Some(true));
    let recv = functions(&f)
        .into_iter()
        .find(|(_, x)| x.name == "receiveZoomWebhook")
        .unwrap()
        .0;
    assert_eq!(wf.scope, recv.scope);
    // Management endpoints under a webhook path are not receivers.
    let f = facts(
        "app/api/calendly/webhook/subscribe/route.ts",
        "export async function POST(req) { await prisma.sub.create({ data: {} }); return Response.json({}) }",
    );
    assert!(webhooks(&f).is_empty());
}
