//! Next.js: app-router handlers, pages-router API routes, server actions, middleware.

mod js_support;

use js_support::*;
use lm_core::fact::Provenance;

const PROJECT_ROUTE: &str = r#"
import { NextResponse } from "next/server";
import { createClient } from "@/lib/supabase/server";

export async function GET(
  req: Request,
  { params }: { params: { id: string } }
) {
  const supabase = await createClient();
  const { data: { user } } = await supabase.auth.getUser();
  if (!user) {
    return NextResponse.json({ error: "Unauthorized" }, { status: 401 });
  }
  const { data, error } = await supabase
    .from("projects")
    .select("*")
    .eq("id", params.id)
    .eq("user_id", user.id)
    .single();
  return NextResponse.json(data);
}

export async function DELETE(req: Request, { params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const supabase = await createClient();
  await supabase.from("projects").delete().eq("id", id);
  return NextResponse.json({ ok: true });
}
"#;

#[test]
fn app_router_route_auth_and_bola_shapes() {
    let f = facts("app/api/projects/[id]/route.ts", PROJECT_ROUTE);
    let (_, get) = route(&f, "/api/projects/[id]", "GET");
    assert_eq!(get.framework, "nextjs-app");
    assert!(!get.public);
    let scope = get.handler_scope.clone().expect("handler scope");
    let inside = in_scope(&f, &scope);
    // The auth check, enforced by the early return, yields `user`.
    let (_, a) = auth_checks(&f)
        .into_iter()
        .find(|(x, _)| x.scope.as_deref() == Some(scope.as_str()))
        .expect("auth check in GET");
    assert_eq!(a.provider, "supabase");
    assert_eq!(a.method, "supabase.auth.getUser");
    assert_eq!(a.user_var.as_deref(), Some("user"));
    assert!(a.enforced);
    // The select is filtered by a request id and by the user's id.
    let (_, sel) = db_accesses(&f)
        .into_iter()
        .find(|(x, a)| x.scope.as_deref() == Some(scope.as_str()) && a.operation == "select")
        .expect("select");
    assert_eq!(sel.table.as_deref(), Some("projects"));
    assert_eq!(sel.client_kind, "user");
    assert_eq!(filter(sel, "id").source, Provenance::Request);
    assert_eq!(filter(sel, "user_id").source, Provenance::User);
    assert!(inside.len() >= 3);

    // DELETE has no auth check; its filter comes from awaited, destructured params.
    let (_, del) = route(&f, "/api/projects/[id]", "DELETE");
    let dscope = del.handler_scope.clone().unwrap();
    assert!(auth_checks(&f)
        .iter()
        .all(|(x, _)| x.scope.as_deref() != Some(dscope.as_str())));
    let (_, d) = db_accesses(&f)
        .into_iter()
        .find(|(_, a)| a.operation == "delete")
        .unwrap();
    assert_eq!(filter(d, "id").source, Provenance::Request);
}

#[test]
fn pages_router_default_export_and_methods() {
    let src = r#"
import type { NextApiRequest, NextApiResponse } from "next";
import { prisma } from "@/lib/prisma";
import { getServerSession } from "next-auth/next";
import { authOptions } from "../auth/[...nextauth]";

export default async function handler(req: NextApiRequest, res: NextApiResponse) {
  if (req.method !== "PUT" && req.method !== "GET") {
    return res.status(405).end();
  }
  const session = await getServerSession(req, res, authOptions);
  if (!session) return res.status(401).json({ error: "unauthorized" });
  const { id } = req.query;
  const invoice = await prisma.invoice.findFirst({
    where: { id: String(id), userId: session.user.id },
  });
  res.json(invoice);
}
"#;
    let f = facts("pages/api/invoices/[id].ts", src);
    let (_, r) = route(&f, "/api/invoices/[id]", "PUT");
    assert_eq!(r.framework, "nextjs-pages");
    assert!(r.methods.contains(&"GET".to_string()));
    assert_eq!(r.handler.as_deref(), Some("handler"));
    let (_, a) = auth_checks(&f)[0];
    assert_eq!(a.provider, "nextauth");
    assert_eq!(a.user_var.as_deref(), Some("session"));
    assert!(a.enforced);
    let (_, d) = db_accesses(&f)[0];
    assert_eq!(d.library, "prisma");
    assert_eq!(d.client_kind, "server");
    assert_eq!(d.table.as_deref(), Some("invoice"));
    assert_eq!(filter(d, "id").source, Provenance::Request);
    assert_eq!(filter(d, "userId").source, Provenance::User);
}

#[test]
fn pages_router_wrapped_handler_without_method_checks() {
    let src = r#"
import { withAuth } from "../../lib/withAuth";
async function handler(req, res) {
  const rows = await db.query("select * from notes where owner = $1", [req.user.id]);
  res.json(rows);
}
export default withAuth(handler);
"#;
    let f = facts("src/pages/api/notes/index.js", src);
    let (_, r) = route(&f, "/api/notes", "*");
    assert_eq!(r.middleware, vec!["withAuth".to_string()]);
    assert_eq!(r.handler.as_deref(), Some("handler"));
    assert!(r.handler_scope.is_some());
}

#[test]
fn wrapped_app_route_and_reexported_nextauth_handler() {
    let src = r#"
import { withAuth } from "@/lib/auth";
export const POST = withAuth(async (req, user) => {
  const body = await req.json();
  await prisma.project.create({ data: { name: body.name, ownerId: user.id } });
  return Response.json({ ok: true });
});
"#;
    let f = facts("app/api/projects/route.ts", src);
    let (_, r) = route(&f, "/api/projects", "POST");
    assert_eq!(r.middleware, vec!["withAuth".to_string()]);
    let scope = r.handler_scope.clone().unwrap();
    let (x, d) = db_accesses(&f)[0];
    assert_eq!(x.scope.as_deref(), Some(scope.as_str()));
    assert_eq!(d.operation, "insert");
    let name = d.values.iter().find(|v| v.column == "name").unwrap();
    assert_eq!(name.source, Provenance::Request);
    let owner = d.values.iter().find(|v| v.column == "ownerId").unwrap();
    assert_eq!(owner.source, Provenance::User);

    let nextauth = r#"
import NextAuth from "next-auth";
import { authOptions } from "@/lib/auth";
const handler = NextAuth(authOptions);
export { handler as GET, handler as POST };
"#;
    let f = facts("app/api/auth/[...nextauth]/route.ts", nextauth);
    let (_, r) = route(&f, "/api/auth/[...nextauth]", "GET");
    assert!(r.public);
    assert_eq!(r.public_reason.as_deref(), Some("auth callback"));
    route(&f, "/api/auth/[...nextauth]", "POST");
}

#[test]
fn route_groups_are_dropped_and_health_is_public() {
    let f = facts(
        "src/app/(marketing)/api/health/route.ts",
        "export function GET() { return Response.json({ ok: true }) }",
    );
    let (_, r) = route(&f, "/api/health", "GET");
    assert!(r.public);
    // A cron route is not public by convention.
    let f = facts(
        "app/api/cron/cleanup/route.ts",
        "export async function GET(req) { return new Response('ok') }",
    );
    let (_, r) = route(&f, "/api/cron/cleanup", "GET");
    assert!(!r.public);
}

#[test]
fn server_actions_file_and_inline() {
    let src = r#"
"use server";
import { createClient } from "@/utils/supabase/server";
import { revalidatePath } from "next/cache";

export async function deleteProject(projectId: string) {
  const supabase = await createClient();
  await supabase.from("projects").delete().eq("id", projectId);
  revalidatePath("/projects");
}

export const renameProject = async (formData: FormData) => {
  const supabase = await createClient();
  const { data: { user } } = await supabase.auth.getUser();
  if (!user) throw new Error("not signed in");
  const id = formData.get("id") as string;
  await supabase.from("projects").update({ name: formData.get("name") }).eq("id", id).eq("owner_id", user.id);
};

function notAnAction() {}
"#;
    let f = facts("app/projects/actions.ts", src);
    let actions: Vec<_> = routes(&f)
        .into_iter()
        .filter(|(_, r)| r.framework == "server-action")
        .collect();
    assert_eq!(actions.len(), 2, "{actions:#?}");
    let (_, del) = actions
        .iter()
        .find(|(_, r)| r.handler.as_deref() == Some("deleteProject"))
        .unwrap();
    assert_eq!(del.methods, vec!["ACTION".to_string()]);
    let d = db_accesses(&f)
        .into_iter()
        .find(|(_, a)| a.operation == "delete")
        .unwrap()
        .1;
    assert_eq!(filter(d, "id").source, Provenance::Request);
    let u = db_accesses(&f)
        .into_iter()
        .find(|(_, a)| a.operation == "update")
        .unwrap()
        .1;
    assert_eq!(filter(u, "id").source, Provenance::Request);
    assert_eq!(filter(u, "owner_id").source, Provenance::User);

    let inline = r#"
export default function Page() {
  async function create(formData: FormData) {
    "use server";
    await db.insert(posts).values({ title: formData.get("title") });
  }
  return <form action={create}><button>Save</button></form>;
}
"#;
    let f = facts("app/posts/new/page.tsx", inline);
    let actions: Vec<_> = routes(&f)
        .into_iter()
        .filter(|(_, r)| r.framework == "server-action")
        .collect();
    assert_eq!(actions.len(), 1);
    assert_eq!(actions[0].1.handler.as_deref(), Some("create"));
}

#[test]
fn middleware_with_matcher_and_supabase_check() {
    let src = r#"
import { NextResponse, type NextRequest } from "next/server";
import { createServerClient } from "@supabase/ssr";

export async function middleware(request: NextRequest) {
  let response = NextResponse.next({ request });
  const supabase = createServerClient(
    process.env.NEXT_PUBLIC_SUPABASE_URL!,
    process.env.NEXT_PUBLIC_SUPABASE_ANON_KEY!,
    { cookies: { getAll: () => request.cookies.getAll(), setAll: () => {} } }
  );
  const { data: { user } } = await supabase.auth.getUser();
  if (!user && request.nextUrl.pathname.startsWith("/dashboard")) {
    return NextResponse.redirect(new URL("/login", request.url));
  }
  return response;
}

export const config = {
  matcher: ["/dashboard/:path*", "/api/:path*"],
};
"#;
    let f = facts("middleware.ts", src);
    let m = middlewares(&f);
    assert_eq!(m.len(), 1);
    let (_, m) = m[0];
    assert_eq!(m.framework, "nextjs");
    assert!(m.authenticates);
    assert_eq!(m.matcher, vec!["/dashboard/:path*", "/api/:path*"]);
    let (_, c) = db_clients(&f)[0];
    assert_eq!(c.client_kind, "anon");
    assert_eq!(c.key_env.as_deref(), Some("NEXT_PUBLIC_SUPABASE_ANON_KEY"));
}

#[test]
fn middleware_that_only_adds_headers_does_not_authenticate() {
    let src = r#"
import { NextResponse } from "next/server";
export function middleware(req) {
  const res = NextResponse.next();
  res.headers.set("x-frame-options", "DENY");
  return res;
}
export const config = { matcher: "/((?!_next/static).*)" };
"#;
    let f = facts("src/middleware.ts", src);
    let (_, m) = middlewares(&f)[0];
    assert!(!m.authenticates);
    assert_eq!(m.matcher, vec!["/((?!_next/static).*)"]);
}

#[test]
fn clerk_middleware_protecting_routes() {
    let src = r#"
import { clerkMiddleware, createRouteMatcher } from "@clerk/nextjs/server";
const isProtectedRoute = createRouteMatcher(["/dashboard(.*)", "/api/(.*)"]);
export default clerkMiddleware(async (auth, req) => {
  if (isProtectedRoute(req)) await auth.protect();
});
export const config = { matcher: ["/((?!.*\\..*|_next).*)", "/", "/(api|trpc)(.*)"] };
"#;
    let f = facts("middleware.ts", src);
    let (_, m) = middlewares(&f)[0];
    assert!(m.authenticates);
    assert!(m.names.contains(&"clerkMiddleware".to_string()));
    // A bare clerkMiddleware() protects nothing.
    let bare = r#"
import { clerkMiddleware } from "@clerk/nextjs/server";
export default clerkMiddleware();
export const config = { matcher: ["/(api|trpc)(.*)"] };
"#;
    let f = facts("middleware.ts", bare);
    let (_, m) = middlewares(&f)[0];
    assert!(!m.authenticates);
}

#[test]
fn middleware_guarding_a_user_from_a_helper() {
    let src = r#"
import { updateSession } from "@/lib/supabase/middleware";
import { NextResponse, type NextRequest } from "next/server";

export async function middleware(request: NextRequest) {
  const { supabaseResponse, user } = await updateSession(request);
  const isApiRoute = request.nextUrl.pathname.startsWith("/api");
  if (isApiRoute && !user) {
    return NextResponse.json({ error: "Unauthorized" }, { status: 401 });
  }
  return supabaseResponse;
}
export const config = { matcher: ["/api/:path*"] };
"#;
    let f = facts("middleware.ts", src);
    let (_, m) = middlewares(&f)[0];
    assert!(m.authenticates);
    assert_eq!(m.names, vec!["middleware", "updateSession"]);
    // Logging the user without stopping anyone is not authentication.
    let logging = src.replace(
        "return NextResponse.json({ error: \"Unauthorized\" }, { status: 401 });",
        "console.log(\"anonymous api call\");",
    );
    let f = facts("middleware.ts", &logging);
    assert!(!middlewares(&f)[0].1.authenticates);
}

#[test]
fn resolve_style_user_helpers_are_checks() {
    let src = r#"
import { resolveAlfredUser } from "@/lib/alfred/resolve-user";
export async function GET(req: NextRequest, ctx: { params: Promise<{ id: string }> }) {
  const { id } = await ctx.params;
  const currentUser = await resolveAlfredUser(req);
  if (!currentUser) return NextResponse.json({ error: "Unauthorized" }, { status: 401 });
  const { data } = await admin.from("conversations").select("*").eq("id", id).eq("owner_id", currentUser.id);
  return NextResponse.json(data);
}
"#;
    let f = facts("app/api/alfred/conversations/[id]/route.ts", src);
    let (_, a) = auth_checks(&f)[0];
    assert_eq!(a.method, "resolveAlfredUser");
    assert_eq!(a.user_var.as_deref(), Some("currentUser"));
    assert!(a.enforced);
    let (_, d) = db_accesses(&f)[0];
    assert_eq!(filter(d, "id").source, Provenance::Request);
    assert_eq!(filter(d, "owner_id").source, Provenance::User);
    assert_eq!(d.client_kind, "service_role");
}

#[test]
fn destructured_handler_exports() {
    let src = r#"
import { handlers } from "@/auth";
export const { GET, POST } = handlers;
"#;
    let f = facts("app/api/auth/[...nextauth]/route.ts", src);
    let (_, g) = route(&f, "/api/auth/[...nextauth]", "GET");
    assert!(g.public);
    assert!(g.handler_scope.is_none());
    route(&f, "/api/auth/[...nextauth]", "POST");
}

#[test]
fn middleware_early_returns_before_the_auth_check_are_skip_paths() {
    let src = r#"
import { NextResponse } from "next/server";
import { getToken } from "next-auth/jwt";

export async function middleware(req) {
  const { pathname } = req.nextUrl;
  if (pathname.startsWith("/api/public") || req.nextUrl.pathname === "/health") {
    return NextResponse.next();
  }
  if (/^\/webhooks\//.test(pathname)) return;
  if (pathname.startsWith("/api/admin")) {
    return NextResponse.json({ error: "forbidden" }, { status: 403 });
  }
  if (!pathname.startsWith("/dashboard")) return NextResponse.next();
  const token = await getToken({ req });
  if (!token) return NextResponse.redirect(new URL("/login", req.url));
  if (pathname.startsWith("/api/late")) return NextResponse.next();
  return NextResponse.next();
}
"#;
    let f = facts("middleware.ts", src);
    let (_, m) = middlewares(&f)[0];
    assert!(m.authenticates);
    // prefix tests end in `*`; the 403 branch rejects, the negated test is not a path
    // list, and the last early return comes after the check
    assert_eq!(m.skip_paths, vec!["/api/public*", "/health", "/webhooks/*"]);
}

#[test]
fn middleware_wrapped_by_an_auth_wrapper_skips_nothing() {
    let src = r#"
import { withAuth } from "next-auth/middleware";
import { NextResponse } from "next/server";

export default withAuth(function middleware(req) {
  if (req.nextUrl.pathname.startsWith("/api")) return NextResponse.next();
  return NextResponse.next();
});
"#;
    let f = facts("middleware.ts", src);
    let (_, m) = middlewares(&f)[0];
    assert!(m.skip_paths.is_empty(), "{:?}", m.skip_paths);
}
