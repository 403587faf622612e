//! Next.js middleware: a `!user` guard on a user from a helper is an enforced check, and
//! its record never carries the rest of the condition.

mod js_support;

use js_support::*;

const GUARDED: &str = r#"
import { NextResponse, type NextRequest } from "next/server";
import { updateSession } from "@/lib/supabase/middleware";

export async function middleware(request: NextRequest) {
  const { response, user } = await updateSession(request);
  const isCron =
    request.nextUrl.pathname.startsWith("/api/cron/") &&
    request.headers.get("x-cron-secret") === process.env.CRON_SECRET;
  if (isCron) return response;
  if (request.nextUrl.pathname.startsWith("/api/") && !user) {
    return NextResponse.json({ error: "Unauthorized" }, { status: 401 });
  }
  return response;
}
"#;

#[test]
fn a_user_guard_is_an_enforced_auth_check_beside_the_cron_secret() {
    let f = facts("middleware.ts", GUARDED);
    let checks = auth_checks(&f);
    let guard = checks
        .iter()
        .find(|(_, c)| c.provider == "custom")
        .expect("the guard is an auth_check");
    assert!(guard.1.enforced);
    assert_eq!(guard.1.method, "if (!user) exits");
    assert_eq!(guard.1.user_var.as_deref(), Some("user"));
    // The secret comparison is still there, and still does not stop anything by itself.
    assert!(checks
        .iter()
        .any(|(_, c)| c.provider == "secret-header" && !c.enforced));
    assert!(middlewares(&f)[0].1.authenticates);
}

#[test]
fn a_guard_record_names_the_negation_only_never_a_literal() {
    let src = r#"
import { NextResponse, type NextRequest } from "next/server";

export async function middleware(request: NextRequest) {
  const token = request.headers.get("authorization");
  if (!token || token !== "Bearer abcdefghijklmnopqrstuvwxyz0123456789") {
    return NextResponse.json({ error: "no" }, { status: 401 });
  }
  return NextResponse.next();
}
"#;
    let f = facts("middleware.ts", src);
    let checks = auth_checks(&f);
    assert_eq!(checks.len(), 1, "{checks:?}");
    assert_eq!(checks[0].1.method, "if (!token) exits");
    let json = serde_json::to_string(&f).unwrap();
    assert!(!json.contains("abcdefghijklmnop"), "{json}");
}

#[test]
fn a_middleware_that_only_reads_the_user_has_no_guard() {
    let src = GUARDED.replace(
        r#"if (request.nextUrl.pathname.startsWith("/api/") && !user) {
    return NextResponse.json({ error: "Unauthorized" }, { status: 401 });
  }"#,
        r#"if (user) {
    response.headers.set("x-user-id", user.id);
  }"#,
    );
    assert_ne!(src, GUARDED);
    let f = facts("middleware.ts", &src);
    assert!(auth_checks(&f).iter().all(|(_, c)| c.provider != "custom"));
}
