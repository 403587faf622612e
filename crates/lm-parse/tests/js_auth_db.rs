//! Auth checks, role checks, database clients and accesses across libraries.

mod js_support;

use js_support::*;
use lm_core::fact::Provenance;

#[test]
fn clerk_and_custom_helpers() {
    let src = r#"
import { auth, currentUser } from "@clerk/nextjs/server";
import { requireUser } from "@/lib/auth";

export async function GET() {
  const { userId } = await auth();
  if (!userId) return new Response("Unauthorized", { status: 401 });
  const items = await prisma.item.findMany({ where: { ownerId: userId } });
  return Response.json(items);
}

export async function POST(req: Request) {
  const user = await requireUser();
  const me = await currentUser();
  return Response.json({ id: user.id, me });
}
"#;
    let f = facts("app/api/items/route.ts", src);
    let checks = auth_checks(&f);
    let clerk = checks.iter().find(|(_, a)| a.method == "auth").unwrap().1;
    assert_eq!(clerk.provider, "clerk");
    assert_eq!(clerk.user_var.as_deref(), Some("userId"));
    assert!(clerk.enforced);
    let custom = checks
        .iter()
        .find(|(_, a)| a.method == "requireUser")
        .unwrap()
        .1;
    assert_eq!(custom.provider, "custom");
    assert!(custom.enforced);
    let cu = checks
        .iter()
        .find(|(_, a)| a.method == "currentUser")
        .unwrap()
        .1;
    assert_eq!(cu.provider, "clerk");
    assert!(!cu.enforced);
    let (_, d) = db_accesses(&f)[0];
    assert_eq!(filter(d, "ownerId").source, Provenance::User);
}

#[test]
fn unenforced_session_read_is_reported_as_such() {
    let src = r#"
import { getServerSession } from "next-auth";
export async function GET() {
  const session = await getServerSession(authOptions);
  const posts = await prisma.post.findMany({ where: { authorId: session?.user?.id } });
  return Response.json(posts);
}
"#;
    let f = facts("app/api/posts/route.ts", src);
    let (_, a) = auth_checks(&f)[0];
    assert!(!a.enforced);
    let (_, d) = db_accesses(&f)[0];
    assert_eq!(filter(d, "authorId").source, Provenance::User);
}

#[test]
fn lookups_named_like_auth_helpers_are_not_checks() {
    let src = r#"
export async function GET(req, { params }) {
  const user = await getUser(params.id);
  const token = getToken(messaging);
  return Response.json(user);
}
"#;
    let f = facts("app/api/users/[id]/route.ts", src);
    assert!(auth_checks(&f).is_empty(), "{:#?}", auth_checks(&f));
}

#[test]
fn role_checks_metadata_and_rpc() {
    let src = r#"
export async function DELETE(req: Request, { params }: { params: { id: string } }) {
  const supabase = await createClient();
  const { data: { user } } = await supabase.auth.getUser();
  if (!user) return new Response("unauthorized", { status: 401 });
  if (user.user_metadata.role !== "admin") {
    return new Response("forbidden", { status: 403 });
  }
  const { data: isAdmin } = await supabase.rpc("is_admin", { uid: user.id });
  if (!isAdmin) return new Response("forbidden", { status: 403 });
  const { data: profile } = await supabase.from("profiles").select("role").eq("id", user.id).single();
  const canDelete = profile?.role === "owner";
  if (!canDelete) throw new Error("no");
  await supabase.from("projects").delete().eq("id", params.id);
  return new Response(null, { status: 204 });
}
"#;
    let f = facts("app/api/admin/projects/[id]/route.ts", src);
    let roles = role_checks(&f);
    assert_eq!(roles.len(), 3, "{roles:#?}");
    let meta = roles
        .iter()
        .find(|(_, r)| r.expr.contains("user_metadata"))
        .unwrap()
        .1;
    assert_eq!(meta.role.as_deref(), Some("admin"));
    assert!(meta.enforced);
    let rpc = roles
        .iter()
        .find(|(_, r)| r.expr.contains("rpc"))
        .unwrap()
        .1;
    assert_eq!(rpc.role.as_deref(), Some("is_admin"));
    assert!(rpc.enforced);
    let owner = roles
        .iter()
        .find(|(_, r)| r.role.as_deref() == Some("owner"))
        .unwrap()
        .1;
    assert!(owner.enforced);
    let rpc_access = db_accesses(&f)
        .into_iter()
        .find(|(_, a)| a.operation == "rpc")
        .unwrap()
        .1;
    assert_eq!(rpc_access.table.as_deref(), Some("is_admin"));
    assert_eq!(filter(rpc_access, "uid").source, Provenance::User);
}

#[test]
fn role_names_in_ui_filters_are_not_enforced() {
    let src = r#"
"use client";
export default function Members({ members }) {
  const admins = members.filter((m) => m.role === "admin");
  return <ul>{admins.map((a) => <li key={a.id}>{a.name}</li>)}</ul>;
}
"#;
    let f = facts("components/Members.tsx", src);
    for (_, r) in role_checks(&f) {
        assert!(!r.enforced, "{r:#?}");
    }
}

#[test]
fn client_kinds_from_keys_helpers_and_imports() {
    let src = r#"
import { createClient } from "@supabase/supabase-js";
import { supabase } from "@/integrations/supabase/client";
import { createAdminClient } from "@/lib/supabase/admin";

const anon = createClient(import.meta.env.VITE_SUPABASE_URL, import.meta.env.VITE_SUPABASE_ANON_KEY);
const svcKey = process.env.SUPABASE_SERVICE_KEY;
const admin = createClient(process.env.SUPABASE_URL, svcKey);

export async function loadAll() {
  const a = await supabase.from("profiles").select("*");
  const b = await admin.from("profiles").select("*");
  const c = await anon.from("profiles").select("*");
  const helper = createAdminClient();
  const d = await helper.from("audit").insert({ at: Date.now() });
  return [a, b, c, d];
}
"#;
    let f = facts("src/lib/data.ts", src);
    let kinds: Vec<(String, String)> = db_accesses(&f)
        .into_iter()
        .map(|(_, a)| (a.client_var.clone().unwrap(), a.client_kind.clone()))
        .collect();
    assert_eq!(
        kinds,
        vec![
            ("supabase".to_string(), "anon".to_string()),
            ("admin".to_string(), "service_role".to_string()),
            ("anon".to_string(), "anon".to_string()),
            ("helper".to_string(), "service_role".to_string()),
        ]
    );
    let (_, c) = db_clients(&f)
        .into_iter()
        .find(|(_, c)| c.var.as_deref() == Some("admin"))
        .unwrap();
    assert_eq!(c.key_env.as_deref(), Some("SUPABASE_SERVICE_KEY"));
}

#[test]
fn other_libraries() {
    let src = r#"
import { PrismaClient } from "@prisma/client";
import { Pool } from "pg";
import postgres from "postgres";
import mongoose from "mongoose";
const prisma = new PrismaClient();
const pool = new Pool({ connectionString: process.env.DATABASE_URL });
const sql = postgres(process.env.DATABASE_URL);
export async function handler(req, res) {
  await prisma.note.deleteMany({ where: { id: { in: req.body.ids } } });
  await pool.query(`UPDATE notes SET title = $1 WHERE id = $2`, [req.body.title, req.query.id]);
  await mongoose.connect(process.env.MONGO_URL);
}
"#;
    let f = facts("lib/db.ts", src);
    let libs: Vec<(String, String)> = db_clients(&f)
        .into_iter()
        .map(|(_, c)| (c.library.clone(), c.client_kind.clone()))
        .collect();
    assert!(libs.contains(&("prisma".into(), "server".into())));
    assert!(libs.contains(&("pg".into(), "server".into())));
    assert!(libs.contains(&("postgres".into(), "server".into())));
    assert!(libs.contains(&("mongoose".into(), "server".into())));
    let acc = db_accesses(&f);
    let del = acc.iter().find(|(_, a)| a.library == "prisma").unwrap().1;
    assert_eq!(del.operation, "delete");
    assert_eq!(filter(del, "id").source, Provenance::Request);
    let raw = acc.iter().find(|(_, a)| a.library == "pg").unwrap().1;
    assert_eq!(raw.table.as_deref(), Some("notes"));
    assert_eq!(filter(raw, "id").source, Provenance::Request);
}

#[test]
fn array_from_and_buffer_from_are_not_tables() {
    let src = r#"
import { createClient } from "@supabase/supabase-js";
export function f(x) {
  const a = Array.from("abc").map((c) => c);
  const b = Buffer.from("x").toString("base64");
  const c = rxjs.from("x").select;
  return [a, b, c];
}
"#;
    let f = facts("lib/util.ts", src);
    assert!(db_accesses(&f).is_empty(), "{:#?}", db_accesses(&f));
}

#[test]
fn query_builders_filtered_later_and_url_search_params() {
    let src = r#"
import { createClient } from "https://esm.sh/@supabase/supabase-js@2";
Deno.serve(async (req) => {
  const supabase = createClient(Deno.env.get("SUPABASE_URL")!, Deno.env.get("SUPABASE_SERVICE_ROLE_KEY")!);
  const url = new URL(req.url);
  const taskId = url.searchParams.get("id");
  let query = supabase.from("tasks").select("*").order("created_at");
  if (taskId) {
    query = query.eq("id", taskId);
  }
  query = query.eq("archived", false).limit(10);
  const { data } = await query;
  return Response.json(data);
});
"#;
    let f = facts("supabase/functions/tasks/index.ts", src);
    let (_, a) = db_accesses(&f)[0];
    assert_eq!(a.client_kind, "service_role");
    assert_eq!(filter(a, "id").source, Provenance::Request);
    assert_eq!(filter(a, "archived").source, Provenance::Literal);
}

#[test]
fn user_scoped_helper_clients_and_credential_getters() {
    let src = r#"
import { supabaseForUser } from "../supabase";
export const handler = async ({ conversation_id }, ctx) => {
  if (!ctx.isAuthenticated()) return { isError: true };
  const supabase = supabaseForUser(ctx);
  const token = await getAccessToken();
  return supabase.from("conversations").select("id").eq("id", conversation_id);
};
"#;
    let f = facts("src/lib/mcp/tools/get-conversation.ts", src);
    let (_, c) = db_clients(&f)[0];
    assert_eq!(c.client_kind, "user");
    let (_, a) = db_accesses(&f)[0];
    assert_eq!(a.client_kind, "user");
    let checks = auth_checks(&f);
    assert_eq!(checks.len(), 1, "{checks:#?}");
    assert_eq!(checks[0].1.method, "ctx.isAuthenticated");
    assert!(checks[0].1.enforced);
}

#[test]
fn admin_guards_are_auth_and_role_checks() {
    let src = r#"
import { requireAdmin } from "@/lib/auth";
export async function POST(req: Request) {
  const admin = await requireAdmin();
  const { userId } = await req.json();
  await supabaseAdmin.auth.admin.deleteUser(userId);
  return Response.json({ ok: true });
}
"#;
    let f = facts("app/api/admin/users/route.ts", src);
    let (_, a) = auth_checks(&f)[0];
    assert_eq!(a.method, "requireAdmin");
    assert!(a.enforced);
    let (_, r) = role_checks(&f)[0];
    assert!(r.expr.starts_with("requireAdmin"));
    let (_, x) = external_calls(&f)[0];
    assert_eq!(x.service, "supabase-admin");
}

#[test]
fn cron_secret_compared_with_bearer_header() {
    let src = r#"
export async function GET(request: Request) {
  const authHeader = request.headers.get("authorization");
  if (authHeader !== `Bearer ${process.env.CRON_SECRET}`) {
    return new Response("Unauthorized", { status: 401 });
  }
  await prisma.session.deleteMany({ where: { expires: { lt: new Date() } } });
  return Response.json({ ok: true });
}
"#;
    let f = facts("app/api/cron/cleanup/route.ts", src);
    let (_, a) = auth_checks(&f)[0];
    assert_eq!(a.provider, "secret-header");
    assert!(a.enforced);
    // Comparing two request fields is not a secret check.
    let src2 = r#"
export async function POST(request: Request) {
  const { password, confirm } = await request.json();
  if (password !== confirm) return new Response("mismatch", { status: 400 });
  return Response.json({ ok: true });
}
"#;
    let f = facts("app/api/signup/route.ts", src2);
    assert!(auth_checks(&f).is_empty());
}

#[test]
fn chat_message_roles_are_not_role_checks() {
    let src = r#"
export function lastUserTurn(messages) {
  for (const msg of messages) {
    if (msg.role === "assistant") continue;
    if (msg.role === "user") return msg.content;
  }
  if (Notification.permission === "granted") new Notification("hi");
}
export async function DELETE(req) {
  const { data: profile } = await supabase.from("profiles").select("role").single();
  if (profile.role !== "admin") return new Response("forbidden", { status: 403 });
}
"#;
    let f = facts("app/api/x/route.ts", src);
    let roles = role_checks(&f);
    assert_eq!(roles.len(), 1, "{roles:#?}");
    assert_eq!(roles[0].1.role.as_deref(), Some("admin"));
}

#[test]
fn client_side_queries_by_url_params() {
    let src = r#"
import { useParams } from "react-router-dom";
import { supabase } from "@/integrations/supabase/client";
import { useAuth } from "@/hooks/useAuth";
export default function ProjectPage() {
  const { id } = useParams();
  const { user } = useAuth();
  useEffect(() => {
    supabase.from("projects").select("*").eq("id", id).eq("owner_id", user.id).then(setProject);
  }, [id]);
  return null;
}
"#;
    let f = facts_with_role("src/pages/ProjectPage.tsx", src, lm_core::Role::Client);
    let (_, a) = db_accesses(&f)[0];
    assert_eq!(a.client_kind, "anon");
    assert_eq!(filter(a, "id").source, Provenance::Request);
    assert_eq!(filter(a, "owner_id").source, Provenance::User);
}
