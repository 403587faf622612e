//! Ownership checks after a fetch: a loaded row's owner compared with the signed-in user.

mod js_support;

use js_support::*;

fn owner_checks(f: &[lm_core::Fact]) -> Vec<String> {
    role_checks(f)
        .into_iter()
        .filter(|(_, r)| r.role.as_deref() == Some("owner"))
        .inspect(|(_, r)| assert!(r.enforced))
        .map(|(_, r)| r.expr.clone())
        .collect()
}

#[test]
fn prisma_row_checked_against_session() {
    let src = r#"
import { getServerSession } from "next-auth";
import { prisma } from "@/lib/prisma";
import { authOptions } from "@/lib/auth";

export async function DELETE(req: Request, { params }: { params: { id: string } }) {
  const session = await getServerSession(authOptions);
  if (!session) return new Response("Unauthorized", { status: 401 });
  const project = await prisma.project.findUnique({ where: { id: params.id } });
  if (!project || project.userId !== session.user.id) {
    return new Response("Forbidden", { status: 403 });
  }
  await prisma.project.delete({ where: { id: params.id } });
  return new Response(null, { status: 204 });
}
"#;
    let f = facts("app/api/projects/[id]/route.ts", src);
    assert_eq!(
        owner_checks(&f),
        vec!["project.userId !== session.user.id".to_string()]
    );
}

#[test]
fn supabase_row_checked_against_user() {
    let src = r#"
import { createClient } from "@supabase/supabase-js";
const supabase = createClient(process.env.SUPABASE_URL!, process.env.SUPABASE_SERVICE_ROLE_KEY!);

export default async function handler(req, res) {
  const { data: { user } } = await supabase.auth.getUser(req.headers.authorization);
  if (!user) return res.status(401).end();
  const { data: doc } = await supabase.from("docs").select().eq("id", req.query.id).single();
  if (doc.owner_id !== user.id) return res.status(403).json({ error: "forbidden" });
  res.json(doc);
}
"#;
    let f = facts("pages/api/docs.ts", src);
    assert_eq!(
        owner_checks(&f),
        vec!["doc.owner_id !== user.id".to_string()]
    );
}

#[test]
fn look_alikes_are_not_owner_checks() {
    let src = r#"
import { getServerSession } from "next-auth";
import { prisma } from "@/lib/prisma";

export async function POST(req: Request, { params }: { params: { id: string } }) {
  const session = await getServerSession();
  if (!session) return new Response("Unauthorized", { status: 401 });
  const body = await req.json();
  const item = await prisma.item.findUnique({ where: { id: params.id } });
  // Compared with request data, not the caller.
  if (item.ownerId !== body.ownerId) return new Response("Bad", { status: 400 });
  // Does not stop the handler.
  if (item.ownerId !== session.user.id) {
    console.log("foreign item", item.id);
  }
  // Two request values.
  if (body.userId !== params.id) return new Response("Bad", { status: 400 });
  return Response.json(item);
}
"#;
    let f = facts("app/api/items/[id]/route.ts", src);
    assert!(owner_checks(&f).is_empty(), "{:#?}", role_checks(&f));
}
