import { createClient } from "https://esm.sh/@supabase/supabase-js@2.45.0";

const supabase = createClient(
  Deno.env.get("SUPABASE_URL")!,
  Deno.env.get("SUPABASE_SERVICE_ROLE_KEY")!,
);

Deno.serve(async (req) => {
  const event = await req.json();

  if (event.type === "customer.subscription.updated") {
    const subscription = event.data.object;
    await supabase
      .from("subscriptions")
      .update({ status: subscription.status, updated_at: new Date().toISOString() })
      .eq("stripe_subscription_id", subscription.id);
  }

  return new Response(JSON.stringify({ received: true }), {
    headers: { "Content-Type": "application/json" },
  });
});
