//! Supabase Edge Functions.

mod js_support;

use js_support::*;
use lm_core::fact::Provenance;

const ADMIN_FN: &str = r#"
import { serve } from "https://deno.land/std@0.168.0/http/server.ts";
import { createClient } from "https://esm.sh/@supabase/supabase-js@2";

const corsHeaders = {
  "Access-Control-Allow-Origin": "*",
  "Access-Control-Allow-Headers": "authorization, x-client-info, apikey, content-type",
};

serve(async (req) => {
  if (req.method === "OPTIONS") {
    return new Response(null, { headers: corsHeaders });
  }
  try {
    const supabaseAdmin = createClient(
      Deno.env.get("SUPABASE_URL") ?? "",
      Deno.env.get("SUPABASE_SERVICE_ROLE_KEY") ?? ""
    );
    const { userId, role } = await req.json();
    await supabaseAdmin.from("user_roles").update({ role }).eq("user_id", userId);
    await supabaseAdmin.auth.admin.deleteUser(userId);
    return new Response(JSON.stringify({ ok: true }), {
      headers: { ...corsHeaders, "Content-Type": "application/json" },
    });
  } catch (e) {
    return new Response(JSON.stringify({ error: e.message }), { status: 500, headers: corsHeaders });
  }
});
"#;

#[test]
fn edge_function_with_service_role_and_no_check() {
    let f = facts("supabase/functions/admin-update-role/index.ts", ADMIN_FN);
    let (_, r) = route(&f, "/functions/v1/admin-update-role", "*");
    assert_eq!(r.framework, "supabase-edge");
    assert_eq!(r.verify_jwt, None);
    let scope = r.handler_scope.clone().unwrap();
    let (cf, c) = db_clients(&f)[0];
    assert_eq!(c.client_kind, "service_role");
    assert_eq!(c.key_env.as_deref(), Some("SUPABASE_SERVICE_ROLE_KEY"));
    assert_eq!(c.var.as_deref(), Some("supabaseAdmin"));
    assert_eq!(cf.scope.as_deref(), Some(scope.as_str()));
    let (_, a) = db_accesses(&f)[0];
    assert_eq!(a.client_kind, "service_role");
    assert_eq!(filter(a, "user_id").source, Provenance::Request);
    assert_eq!(a.values[0].column, "role");
    assert_eq!(a.values[0].source, Provenance::Request);
    assert!(auth_checks(&f).is_empty());
    let (_, x) = external_calls(&f)[0];
    assert_eq!(x.service, "supabase-admin");
    assert!(x.privileged);
    let (_, c) = cors(&f)[0];
    assert_eq!(c.allow_origin, "*");
    assert!(!c.credentials);
    let envs: Vec<_> = env_reads(&f)
        .into_iter()
        .map(|(_, e)| e.name.clone())
        .collect();
    assert!(envs.contains(&"SUPABASE_SERVICE_ROLE_KEY".to_string()));
    assert!(env_reads(&f).iter().all(|(_, e)| e.context == "server"));
}

#[test]
fn edge_function_checking_the_caller_with_a_user_scoped_client() {
    let src = r#"
import { createClient } from "npm:@supabase/supabase-js@2";

Deno.serve(async (req: Request) => {
  const authHeader = req.headers.get("Authorization")!;
  const supabase = createClient(
    Deno.env.get("SUPABASE_URL")!,
    Deno.env.get("SUPABASE_ANON_KEY")!,
    { global: { headers: { Authorization: authHeader } } }
  );
  const { data: { user }, error } = await supabase.auth.getUser();
  if (error || !user) {
    return new Response("Unauthorized", { status: 401 });
  }
  const { data } = await supabase.from("notes").select("*").eq("owner", user.id);
  return Response.json(data);
});
"#;
    let f = facts("supabase/functions/list-notes/index.ts", src);
    let (_, r) = route(&f, "/functions/v1/list-notes", "*");
    let scope = r.handler_scope.clone().unwrap();
    let (_, c) = db_clients(&f)[0];
    assert_eq!(c.client_kind, "user");
    let (af, a) = auth_checks(&f)[0];
    assert!(a.enforced);
    assert_eq!(af.scope.as_deref(), Some(scope.as_str()));
    let (_, d) = db_accesses(&f)[0];
    assert_eq!(d.client_kind, "user");
    assert_eq!(filter(d, "owner").source, Provenance::User);
}

#[test]
fn shared_helpers_are_not_functions_endpoints() {
    let src = r#"
export const corsHeaders = { 'Access-Control-Allow-Origin': '*' };
export function serve() {}
"#;
    let f = facts("supabase/functions/_shared/cors.ts", src);
    assert!(routes(&f).is_empty());
    assert_eq!(cors(&f).len(), 1);
}

#[test]
fn named_handler_and_secret_header_check() {
    let src = r#"
const handler = async (req: Request): Promise<Response> => {
  const auth = req.headers.get("authorization");
  if (auth !== `Bearer ${Deno.env.get("CRON_SECRET")}`) {
    return new Response("forbidden", { status: 403 });
  }
  return new Response("ok");
};
Deno.serve(handler);
"#;
    let f = facts("supabase/functions/nightly-job/index.ts", src);
    let (_, r) = route(&f, "/functions/v1/nightly-job", "*");
    assert_eq!(r.handler.as_deref(), Some("handler"));
    let scope = r.handler_scope.clone().unwrap();
    let (af, a) = auth_checks(&f)[0];
    assert_eq!(a.provider, "secret-header");
    assert!(a.enforced);
    assert_eq!(af.scope.as_deref(), Some(scope.as_str()));
}
