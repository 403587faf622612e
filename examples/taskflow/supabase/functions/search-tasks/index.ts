import postgres from "https://deno.land/x/postgresjs@v3.4.4/mod.js";
import { createClient } from "https://esm.sh/@supabase/supabase-js@2.45.0";
import { corsHeaders } from "../_shared/cors.ts";

const sql = postgres(Deno.env.get("SUPABASE_DB_URL")!);

Deno.serve(async (req) => {
  if (req.method === "OPTIONS") {
    return new Response("ok", { headers: corsHeaders });
  }
  const supabase = createClient(
    Deno.env.get("SUPABASE_URL")!,
    Deno.env.get("SUPABASE_ANON_KEY")!,
    { global: { headers: { Authorization: req.headers.get("Authorization")! } } },
  );
  const { data: { user } } = await supabase.auth.getUser();
  if (!user) {
    return new Response("Unauthorized", { status: 401, headers: corsHeaders });
  }

  const url = new URL(req.url);
  const term = url.searchParams.get("q") ?? "";
  const sort = url.searchParams.get("sort") ?? "created_at";

  // Parameterised: safe.
  const mine = await sql`select id, title from tasks where user_id = ${user.id} and title ilike ${"%" + term + "%"}`;
  // Built by hand: the sort column comes straight from the query string.
  const ordered = await sql.unsafe(`select id, title from tasks where user_id = '${user.id}' order by ${sort}`);

  return new Response(JSON.stringify({ mine, ordered }), {
    headers: { ...corsHeaders, "Content-Type": "application/json" },
  });
});
