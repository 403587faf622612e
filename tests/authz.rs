//! End to end: `lm-files APP | lm-parse | lm-authz` over small realistic apps under
//! `tests/fixtures/authz/`, one per framework, with vulnerable handlers next to the safe
//! look-alikes that trip naive scanners.

mod common;

use std::collections::BTreeSet;
use std::path::PathBuf;

use common::*;
use serde_json::Value;

fn app(name: &str) -> PathBuf {
    repo_root().join("tests/fixtures/authz").join(name)
}

/// Runs the pipeline on an app; returns every output record.
fn scan(name: &str, extra: &str) -> Vec<Value> {
    let out = sh(
        &repo_root(),
        &format!(
            "lm-files '{}' | lm-parse | lm-authz {extra}",
            app(name).display()
        ),
        b"",
    );
    assert!(
        out.status.success(),
        "pipeline failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    json_lines(&out.stdout)
}

fn findings(records: &[Value]) -> Vec<&Value> {
    records.iter().filter(|r| r["type"] == "finding").collect()
}

/// `(rule, path)` of every finding.
fn keys(records: &[Value]) -> BTreeSet<(String, String)> {
    findings(records)
        .into_iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["path"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn set(items: &[(&str, &str)]) -> BTreeSet<(String, String)> {
    items
        .iter()
        .map(|(r, p)| (r.to_string(), p.to_string()))
        .collect()
}

fn find<'a>(records: &'a [Value], rule: &str, path: &str) -> &'a Value {
    findings(records)
        .into_iter()
        .find(|f| f["rule"] == rule && f["path"] == path)
        .unwrap_or_else(|| panic!("no {rule} at {path} in {:?}", keys(records)))
}

fn message<'a>(records: &'a [Value], rule: &str, path: &str) -> &'a str {
    find(records, rule, path)["message"].as_str().unwrap()
}

#[test]
fn nextjs_app_router_routes() {
    let recs = scan("nextjs-app", "");
    assert_eq!(
        keys(&recs),
        set(&[
            ("authz.bola", "app/api/projects/[id]/route.ts"),
            ("authz.missing-role", "app/api/admin/users/route.ts"),
            ("authz.unauthenticated-route", "app/api/invoices/route.ts"),
            ("authz.ratelimit-paid-ai", "app/api/chat/route.ts"),
        ])
    );
    let bola = find(&recs, "authz.bola", "app/api/projects/[id]/route.ts");
    assert_eq!(bola["category"], "authz.bola");
    assert_eq!(bola["cwe"], 639);
    let m = bola["message"].as_str().unwrap();
    assert!(
        m.contains("GET /api/projects/[id]") && m.contains("params.id"),
        "{m}"
    );
    assert!(m.contains(".eq('user_id', user.id)"), "{m}");
    // the auth middleware only covers /dashboard, and the message says so
    let m = message(
        &recs,
        "authz.unauthenticated-route",
        "app/api/invoices/route.ts",
    );
    assert!(m.contains("/dashboard/:path*"), "{m}");
    let role = find(&recs, "authz.missing-role", "app/api/admin/users/route.ts");
    assert_eq!(role["severity"], "critical");
}

#[test]
fn nextjs_middleware_covering_api_and_user_scoped_clients_are_safe() {
    let recs = scan("nextjs-middleware", "");
    assert!(findings(&recs).is_empty(), "{:?}", keys(&recs));
    let summary = recs
        .iter()
        .find(|r| r["type"] == "summary" && r["stage"] == "lm-authz")
        .expect("lm-authz summary");
    assert_eq!(summary["counts"]["routes"], 2);
}

#[test]
fn without_its_middleware_the_same_route_is_reported() {
    // The safe look-alike above is safe because of middleware.ts, not by accident.
    let dir = tempfile::tempdir().unwrap();
    let cp = std::process::Command::new("cp")
        .arg("-r")
        .arg(format!("{}/.", app("nextjs-middleware").display()))
        .arg(dir.path())
        .status()
        .unwrap();
    assert!(cp.success());
    std::fs::remove_file(dir.path().join("src/middleware.ts")).unwrap();
    let out = sh(dir.path(), "lm-files . | lm-parse | lm-authz", b"");
    assert!(out.status.success());
    let recs = json_lines(&out.stdout);
    assert_eq!(
        keys(&recs),
        set(&[(
            "authz.unauthenticated-route",
            "src/app/api/invoices/route.ts"
        )])
    );
}

/// Runs the pipeline on `nextjs-middleware` with its `middleware.ts` replaced.
fn scan_with_next_middleware(middleware: &str) -> Vec<Value> {
    scan_with_next_files(&[("src/middleware.ts", middleware)])
}

/// Runs the pipeline on `nextjs-middleware` with `files` (path, text) written over it.
fn scan_with_next_files(files: &[(&str, &str)]) -> Vec<Value> {
    let dir = tempfile::tempdir().unwrap();
    let cp = std::process::Command::new("cp")
        .arg("-r")
        .arg(format!("{}/.", app("nextjs-middleware").display()))
        .arg(dir.path())
        .status()
        .unwrap();
    assert!(cp.success());
    for (path, text) in files {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    let out = sh(dir.path(), "lm-files . | lm-parse | lm-authz", b"");
    assert!(out.status.success());
    json_lines(&out.stdout)
}

/// Supabase's `updateSession` helper as `@supabase/ssr` guides write it: it refreshes the
/// cookie and returns the user, and leaves the decision to its caller.
const UPDATE_SESSION: &str = r#"import { createServerClient } from "@supabase/ssr";
import { NextResponse, type NextRequest } from "next/server";

export async function updateSession(request: NextRequest) {
  let response = NextResponse.next({ request });
  const supabase = createServerClient(
    process.env.NEXT_PUBLIC_SUPABASE_URL!,
    process.env.NEXT_PUBLIC_SUPABASE_ANON_KEY!,
    {
      cookies: {
        getAll: () => request.cookies.getAll(),
        setAll: (cookies) => {
          response = NextResponse.next({ request });
          cookies.forEach(({ name, value, options }) =>
            response.cookies.set(name, value, options),
          );
        },
      },
    },
  );
  const {
    data: { user },
  } = await supabase.auth.getUser();
  return { response, supabase, user };
}
"#;

/// A middleware that takes the user from `updateSession`, lets the nightly sync in with a
/// shared secret, then runs `decide`.
fn helper_middleware(decide: &str) -> String {
    format!(
        r#"import {{ NextResponse, type NextRequest }} from "next/server";
import {{ updateSession }} from "@/lib/supabase/middleware";

export async function middleware(request: NextRequest) {{
  const {{ response, user }} = await updateSession(request);
  const path = request.nextUrl.pathname;

  // The nightly sync calls in with a shared secret instead of a session.
  const isCron =
    path.startsWith("/api/cron/") &&
    request.headers.get("x-cron-secret") === process.env.CRON_SECRET;
  if (isCron || path === "/login") {{
    return response;
  }}
  {decide}
  return response;
}}

export const config = {{
  matcher: ["/((?!_next/static|_next/image|favicon.ico).*)"],
}};
"#
    )
}

#[test]
fn a_middleware_guard_on_the_helpers_user_protects_despite_a_cron_secret_check() {
    // The cron secret comparison is a check that does not stop anything by itself; the
    // `!user` guard further down does, so the API is protected.
    for decide in [
        "if (path.startsWith(\"/api/\") && !user) {\n    return NextResponse.json({ error: \"Unauthorized\" }, { status: 401 });\n  }",
        "if (!user) {\n    const url = request.nextUrl.clone();\n    url.pathname = \"/login\";\n    return NextResponse.redirect(url);\n  }",
    ] {
        let recs = scan_with_next_files(&[
            ("src/lib/supabase/middleware.ts", UPDATE_SESSION),
            ("src/middleware.ts", &helper_middleware(decide)),
        ]);
        assert!(findings(&recs).is_empty(), "{decide}: {:?}", keys(&recs));
    }
}

#[test]
fn a_middleware_that_only_refreshes_the_helpers_session_does_not_protect() {
    // Look-alike: the same helper and cron check, and the user only read, never required.
    let recs = scan_with_next_files(&[
        ("src/lib/supabase/middleware.ts", UPDATE_SESSION),
        (
            "src/middleware.ts",
            &helper_middleware(
                "if (user) {\n    response.headers.set(\"x-user-id\", user.id);\n  }",
            ),
        ),
    ]);
    assert_eq!(
        keys(&recs),
        set(&[(
            "authz.unauthenticated-route",
            "src/app/api/invoices/route.ts"
        )])
    );
}

/// A Supabase session middleware whose body starts with `early` (before the check) and
/// ends with `late` (after it).
fn session_middleware(early: &str, late: &str) -> String {
    format!(
        r#"import {{ NextResponse, type NextRequest }} from "next/server";
import {{ createServerClient }} from "@supabase/ssr";

export async function middleware(request: NextRequest) {{
  const {{ pathname }} = request.nextUrl;
  {early}
  const response = NextResponse.next({{ request }});
  const supabase = createServerClient(
    process.env.NEXT_PUBLIC_SUPABASE_URL!,
    process.env.NEXT_PUBLIC_SUPABASE_ANON_KEY!,
    {{ cookies: {{ getAll: () => request.cookies.getAll(), setAll: () => {{}} }} }}
  );
  const {{
    data: {{ user }},
  }} = await supabase.auth.getUser();
  if (!user) {{
    return NextResponse.redirect(new URL("/login", request.url));
  }}
  {late}
  return response;
}}

export const config = {{
  matcher: ["/((?!_next/static|_next/image|favicon.ico).*)"],
}};
"#
    )
}

#[test]
fn next_middleware_that_returns_early_for_api_paths_does_not_protect_them() {
    for early in [
        "if (pathname.startsWith(\"/api\")) return NextResponse.next();",
        "if (pathname === \"/api/invoices\" || pathname.startsWith(\"/webhooks\")) {\n    return NextResponse.next();\n  }",
        "if (/^\\/api\\//.test(pathname)) return;",
    ] {
        let recs = scan_with_next_middleware(&session_middleware(early, ""));
        assert_eq!(
            keys(&recs),
            set(&[(
                "authz.unauthenticated-route",
                "src/app/api/invoices/route.ts"
            )]),
            "{early}"
        );
        let f = find(&recs, "authz.unauthenticated-route", "src/app/api/invoices/route.ts");
        assert_eq!(f["category"], "authn.missing");
        assert!(
            f["message"].as_str().unwrap().contains("returns early"),
            "{}",
            f["message"]
        );
    }
}

#[test]
fn next_middleware_skips_for_assets_public_pages_or_after_the_check_still_protect() {
    for (early, late) in [
        // static assets and public pages let through: the API is still checked
        (
            "if (pathname.startsWith(\"/_next\") || pathname === \"/login\") return NextResponse.next();",
            "",
        ),
        // a rejection, not a pass-through
        (
            "if (pathname.startsWith(\"/api/admin\")) return NextResponse.json({ error: \"no\" }, { status: 403 });",
            "",
        ),
        // the early return comes after the auth check
        ("", "if (pathname.startsWith(\"/api\")) return NextResponse.next();"),
    ] {
        let recs = scan_with_next_middleware(&session_middleware(early, late));
        assert!(findings(&recs).is_empty(), "{early}{late}: {:?}", keys(&recs));
    }
}

#[test]
fn nextjs_pages_router_bola_webhook_and_login() {
    let recs = scan("nextjs-pages", "");
    let k = keys(&recs);
    assert!(k.contains(&("authz.bola".into(), "pages/api/notes/[id].ts".into())));
    assert!(k.contains(&(
        "authz.webhook-unverified".into(),
        "pages/api/webhooks/stripe.ts".into()
    )));
    assert!(k.contains(&("authz.ratelimit-auth".into(), "pages/api/login.ts".into())));
    // the owner-scoped list and create are safe
    assert!(
        !k.iter().any(|(_, p)| p == "pages/api/notes/index.ts"),
        "{k:?}"
    );
    let w = find(
        &recs,
        "authz.webhook-unverified",
        "pages/api/webhooks/stripe.ts",
    );
    assert_eq!(w["category"], "webhook.unverified");
    assert_eq!(w["severity"], "critical");
}

#[test]
fn server_actions_without_a_session_check() {
    let recs = scan("nextjs-actions", "");
    let k = keys(&recs);
    assert_eq!(
        findings(&recs)
            .iter()
            .filter(|f| f["path"] == "app/projects/actions.ts")
            .count(),
        2,
        "{k:?}"
    );
    assert!(
        !k.iter().any(|(_, p)| p == "app/projects/safe-actions.ts"),
        "{k:?}"
    );
    let m = message(
        &recs,
        "authz.unauthenticated-route",
        "app/projects/actions.ts",
    );
    assert!(m.contains("server action"), "{m}");
}

#[test]
fn express_middleware_order_router_mounts_and_cors() {
    let recs = scan("express", "");
    assert_eq!(
        keys(&recs),
        set(&[
            ("authz.bola", "routes/orders.js"),
            ("authz.cors-reflected-credentials", "server.js"),
            ("authz.ratelimit-auth", "server.js"),
            ("authz.unauthenticated-route", "server.js"),
        ])
    );
    // the router mounted behind requireAuth is authenticated: its by-id read is BOLA
    // and its owner-scoped list is safe
    let b = find(&recs, "authz.bola", "routes/orders.js");
    // the route is named with the path `server.js` mounts its router at
    assert!(b["message"]
        .as_str()
        .unwrap()
        .contains("GET /api/orders/:id"));
    assert_eq!(
        findings(&recs)
            .iter()
            .filter(|f| f["path"] == "routes/orders.js")
            .count(),
        1
    );
    let m = message(&recs, "authz.unauthenticated-route", "server.js");
    assert!(
        m.contains("/api/export") && m.contains("registered after"),
        "{m}"
    );
}

#[test]
fn express_routers_imported_from_other_files() {
    let recs = scan("express-routers", "");
    // projects: `requireAuth` before the router in the same call; reports: `requireAuth`
    // registered on the mount path first; reports lives in `routes/reports/index.ts`.
    assert_eq!(
        keys(&recs),
        set(&[
            ("authz.unauthenticated-route", "src/routes/exports.ts"),
            ("authz.unauthenticated-route", "src/routes/invoices.ts"),
        ])
    );
    let f = find(
        &recs,
        "authz.unauthenticated-route",
        "src/routes/invoices.ts",
    );
    assert_eq!(f["category"], "authn.missing");
    assert_eq!(f["details"]["route"], "GET /api/invoices/all");
    // `requireAuth` listed after the router does not run before its routes
    let e = find(
        &recs,
        "authz.unauthenticated-route",
        "src/routes/exports.ts",
    );
    assert_eq!(e["details"]["route"], "GET /api/exports/csv");
}

#[test]
fn hono_jwt_middleware_bola_and_webhook_compare() {
    let recs = scan("hono", "");
    assert_eq!(
        keys(&recs),
        set(&[
            ("authz.bola", "src/index.ts"),
            ("authz.webhook-timing-unsafe", "src/index.ts"),
        ])
    );
    let b = find(&recs, "authz.bola", "src/index.ts");
    assert!(b["message"].as_str().unwrap().contains("/api/notes/:id"));
}

#[test]
fn supabase_migrations_edge_functions_and_client_code() {
    let recs = scan("supabase-app", "");
    let init = "supabase/migrations/20240301090000_init.sql";
    let admin = "supabase/migrations/20240315120000_admin.sql";
    assert_eq!(
        keys(&recs),
        set(&[
            ("authz.rls-disabled", init),
            ("authz.rls-permissive-read", init),
            ("authz.rls-no-policy", admin),
            ("authz.rls-trusts-user-metadata", admin),
            ("authz.rls-permissive-write", admin),
            ("authz.view-bypasses-rls", admin),
            ("authz.security-definer-exposed", admin),
            (
                "authz.unauthenticated-edge-function",
                "supabase/functions/send-invite/index.ts"
            ),
            (
                "authz.service-role-edge-function",
                "supabase/functions/get-todos/index.ts"
            ),
            (
                "authz.cors-wildcard-edge-function",
                "supabase/functions/_shared/cors.ts"
            ),
            ("authz.service-role-in-client", "src/lib/supabaseAdmin.ts"),
        ])
    );
    // points at the create table statement of the table without RLS
    let d = find(&recs, "authz.rls-disabled", init);
    assert_eq!(d["line"], 36);
    assert!(d["message"].as_str().unwrap().contains("public.messages"));
    // public catalog read, waitlist insert and owner policies are not reported, and the
    // judgement on profiles names the personal columns
    let m = message(&recs, "authz.rls-permissive-read", init);
    assert!(
        m.contains("public.profiles") && m.contains("`email`"),
        "{m}"
    );
    let w = find(&recs, "authz.rls-permissive-write", admin);
    assert!(w["message"].as_str().unwrap().contains("public.products"));
    let e = find(
        &recs,
        "authz.unauthenticated-edge-function",
        "supabase/functions/send-invite/index.ts",
    );
    assert_eq!(e["severity"], "critical");
    assert_eq!(
        find(
            &recs,
            "authz.cors-wildcard-edge-function",
            "supabase/functions/_shared/cors.ts"
        )["severity"],
        "low"
    );
}

#[test]
fn fastapi_dependencies() {
    let recs = scan("fastapi", "");
    assert_eq!(
        keys(&recs),
        set(&[
            ("authz.unauthenticated-route", "app/main.py"),
            ("authz.bola", "app/main.py"),
            ("authz.ratelimit-paid-ai", "app/main.py"),
        ])
    );
    let u = message(&recs, "authz.unauthenticated-route", "app/main.py");
    assert!(u.contains("GET /invoices/{invoice_id}"), "{u}");
    let b = message(&recs, "authz.bola", "app/main.py");
    assert!(b.contains("/me/invoices/{invoice_id}"), "{b}");
}

#[test]
fn fastapi_routers_mounted_from_another_file() {
    let recs = scan("fastapi-routers", "");
    // `routers/invoices.py` is included with `dependencies=[Depends(get_current_user)]`:
    // protected; `routers/reports.py` is included with a prefix and nothing else.
    assert_eq!(
        keys(&recs),
        set(&[("authz.unauthenticated-route", "app/routers/reports.py")])
    );
    let f = find(
        &recs,
        "authz.unauthenticated-route",
        "app/routers/reports.py",
    );
    assert_eq!(f["category"], "authn.missing");
    // the route is named with the prefix of its `include_router`
    assert_eq!(f["details"]["route"], "GET /reports/revenue");

    // `routers/billing.py` is included by `api.py`'s router, itself included behind
    // `get_current_user`: without that dependency it is reported, with both prefixes.
    let dir = tempfile::tempdir().unwrap();
    let cp = std::process::Command::new("cp")
        .arg("-r")
        .arg(format!("{}/.", app("fastapi-routers").display()))
        .arg(dir.path())
        .status()
        .unwrap();
    assert!(cp.success());
    let main = dir.path().join("app/main.py");
    let src = std::fs::read_to_string(&main).unwrap();
    let open = src.replace(
        "app.include_router(api_router, prefix=\"/api\", dependencies=[Depends(get_current_user)])",
        "app.include_router(api_router, prefix=\"/api\")",
    );
    assert_ne!(src, open);
    std::fs::write(&main, open).unwrap();
    let out = sh(dir.path(), "lm-files . | lm-parse | lm-authz", b"");
    assert!(out.status.success());
    let recs = json_lines(&out.stdout);
    assert_eq!(
        keys(&recs),
        set(&[
            ("authz.unauthenticated-route", "app/routers/billing.py"),
            ("authz.unauthenticated-route", "app/routers/reports.py"),
        ])
    );
    let b = find(
        &recs,
        "authz.unauthenticated-route",
        "app/routers/billing.py",
    );
    assert_eq!(b["details"]["route"], "GET /api/billing/totals");
}

#[test]
fn fastapi_dependency_aliases_defined_in_another_module() {
    // `CurrentUser = Annotated[User, Depends(get_current_user)]` in `app/api/deps.py`:
    // handlers taking `current_user: CurrentUser` are authenticated; the one taking only
    // `session: SessionDep` is not.
    let recs = scan("fastapi-deps-alias", "");
    assert_eq!(
        keys(&recs),
        set(&[("authz.unauthenticated-route", "app/api/routes/items.py")])
    );
    let f = find(
        &recs,
        "authz.unauthenticated-route",
        "app/api/routes/items.py",
    );
    assert_eq!(f["category"], "authn.missing");
    assert_eq!(f["details"]["route"], "GET /api/v1/items/export/all");

    // The alias counts through its definition, never its name: a `CurrentUser` whose
    // dependency only opens a session leaves every route unauthenticated.
    let dir = tempfile::tempdir().unwrap();
    let cp = std::process::Command::new("cp")
        .arg("-r")
        .arg(format!("{}/.", app("fastapi-deps-alias").display()))
        .arg(dir.path())
        .status()
        .unwrap();
    assert!(cp.success());
    let deps = dir.path().join("app/api/deps.py");
    let src = std::fs::read_to_string(&deps).unwrap();
    let weak = src.replace(
        "CurrentUser = Annotated[User, Depends(get_current_user)]",
        "CurrentUser = Annotated[Session, Depends(get_db)]",
    );
    assert_ne!(src, weak);
    std::fs::write(&deps, weak).unwrap();
    let out = sh(dir.path(), "lm-files . | lm-parse | lm-authz", b"");
    assert!(out.status.success());
    let recs = json_lines(&out.stdout);
    let routes: BTreeSet<String> = findings(&recs)
        .into_iter()
        .filter(|f| f["category"] == "authn.missing")
        .map(|f| f["details"]["route"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        routes,
        [
            "DELETE /api/v1/items/{item_id}",
            "GET /api/v1/items/",
            "GET /api/v1/items/export/all"
        ]
        .into_iter()
        .map(String::from)
        .collect()
    );
}

#[test]
fn flask_login_required() {
    let recs = scan("flask", "");
    assert_eq!(
        keys(&recs),
        set(&[
            ("authz.ratelimit-auth", "app.py"),
            ("authz.bola", "app.py"),
            ("authz.missing-role", "app.py"),
        ])
    );
    let b = message(&recs, "authz.bola", "app.py");
    assert!(b.contains("/notes/<int:note_id>"), "{b}");
    assert!(!b.contains("/my/notes"), "{b}");
}

#[test]
fn every_record_passes_through_and_findings_are_complete() {
    let tmp = tempfile::tempdir().unwrap();
    let out = sh(
        tmp.path(),
        &format!(
            "lm-files '{}' | lm-parse > parsed.jsonl && lm-authz -i parsed.jsonl",
            app("supabase-app").display()
        ),
        b"",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let parsed = sh(
        &repo_root(),
        &format!("lm-files '{}' | lm-parse", app("supabase-app").display()),
        b"",
    );
    let input = String::from_utf8(parsed.stdout).unwrap();
    let output = String::from_utf8(out.stdout).unwrap();
    let in_lines: Vec<&str> = input.lines().collect();
    let out_lines: Vec<&str> = output.lines().collect();
    assert_eq!(&out_lines[..in_lines.len()], &in_lines[..]);
    for f in findings(&json_lines(output.as_bytes())) {
        for key in [
            "rule",
            "category",
            "severity",
            "message",
            "path",
            "line",
            "end_line",
            "cwe",
            "fingerprint",
        ] {
            assert!(f.get(key).is_some(), "missing {key} in {f}");
        }
        assert_eq!(f["fingerprint"].as_str().unwrap().len(), 16);
    }
}

#[test]
fn config_at_the_scanned_root_is_honoured() {
    let dir = tempfile::tempdir().unwrap();
    let src = app("nextjs-app");
    let cp = std::process::Command::new("cp")
        .arg("-r")
        .arg(format!("{}/.", src.display()))
        .arg(dir.path())
        .status()
        .unwrap();
    assert!(cp.success());
    std::fs::write(
        dir.path().join(".lm.toml"),
        "[authz]\npublic_routes = [\"/api/invoices\"]\ndisable = [\"authz.ratelimit-paid-ai\"]\n",
    )
    .unwrap();
    let out = sh(dir.path(), "lm-files . | lm-parse | lm-authz", b"");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let recs = json_lines(&out.stdout);
    let k = keys(&recs);
    assert!(
        !k.iter().any(|(r, _)| r == "authz.ratelimit-paid-ai"),
        "{k:?}"
    );
    assert!(
        !k.iter().any(|(_, p)| p == "app/api/invoices/route.ts"),
        "{k:?}"
    );
    assert!(k.iter().any(|(r, _)| r == "authz.bola"), "{k:?}");
    // a bad section is an error (exit 2) naming it
    std::fs::write(dir.path().join(".lm.toml"), "[authz]\npublic_routes = 3\n").unwrap();
    let out = sh(dir.path(), "lm-files . | lm-parse | lm-authz", b"");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("[authz]"));
}

#[test]
fn malformed_facts_become_diagnostics_and_unknown_kinds_are_ignored() {
    let input = concat!(
        "{\"type\":\"fact\",\"path\":\"a.ts\",\"line\":1,\"end_line\":1,\"kind\":\"route\"}\n",
        "{\"type\":\"fact\",\"path\":\"a.ts\",\"line\":1,\"end_line\":1,\"kind\":\"hologram\",\"x\":1}\n",
        "{\"type\":\"other\",\"x\":1}\n",
    );
    let out = sh(&repo_root(), "lm-authz", input.as_bytes());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let recs = json_lines(&out.stdout);
    assert_eq!(recs.len(), 5, "{recs:?}");
    assert_eq!(recs[1]["type"], "diagnostic");
    assert_eq!(recs[1]["code"], "malformed-input");
    assert_eq!(recs[1]["line"], 1);
    assert_eq!(recs[2]["kind"], "hologram");
    assert_eq!(recs[4]["type"], "summary");
}

#[test]
fn ownership_checked_after_the_fetch_is_not_bola() {
    let recs = scan("owner-check", "");
    assert_eq!(
        keys(&recs),
        set(&[
            ("authz.bola", "app/api/notes/[id]/route.ts"),
            ("authz.bola", "api/main.py"),
        ])
    );
    let b = message(&recs, "authz.bola", "api/main.py");
    assert!(b.contains("/notes/{id}"), "{b}");
    assert!(!b.contains("/items/{id}"), "{b}");
}

#[test]
fn one_bola_finding_per_handler_and_request_id() {
    let recs = scan("bola-grouped", "");
    let deals = "app/api/deals/[id]/route.ts";
    let org = "app/api/orgs/[orgId]/members/[memberId]/route.ts";
    let bola: Vec<(String, u64)> = findings(&recs)
        .into_iter()
        .filter(|f| f["rule"] == "authz.bola")
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
            )
        })
        .collect();
    // GET and PATCH on deals are two handlers; the organization and the member are two
    // ids of one handler; the Python ticket thread is one handler and one id.
    assert_eq!(
        bola,
        [
            ("api/main.py".to_string(), 13),
            (deals.to_string(), 11),
            (deals.to_string(), 35),
            (org.to_string(), 11),
            (org.to_string(), 19),
        ],
        "{bola:?}"
    );
    let get = findings(&recs)
        .into_iter()
        .find(|f| f["rule"] == "authz.bola" && f["path"] == deals && f["line"] == 11)
        .unwrap();
    assert_eq!(
        get["details"]["tables"],
        serde_json::json!(["deals", "meetings", "deal_tasks"])
    );
    assert_eq!(get["details"]["accesses"][2]["line"], 20);
    let m = get["message"].as_str().unwrap();
    assert!(m.contains("`meetings` by `deal_id` (line 16)"), "{m}");
    // the select then the update of one deal: the update's severity
    let patch = findings(&recs)
        .into_iter()
        .find(|f| f["rule"] == "authz.bola" && f["path"] == deals && f["line"] == 35)
        .unwrap();
    assert_eq!(patch["severity"], "high");
    let py = message(&recs, "authz.bola", "api/main.py");
    assert!(py.contains("`ticket_files`"), "{py}");
    assert!(findings(&recs)
        .into_iter()
        .filter(|f| f["path"] == org)
        .all(|f| f["details"].get("accesses").is_none()));
}

#[test]
fn handlers_refusing_the_callers_own_row_read_other_rows_by_design() {
    let recs = scan("own-row-refused", "");
    // Buying or making an offer on someone else's listing reads it by id on purpose
    // (Next.js and FastAPI); refusing to remove yourself does not make deleting any
    // other member safe.
    assert_eq!(
        keys(&recs),
        set(&[(
            "authz.bola",
            "app/api/teams/[teamId]/members/[memberId]/route.ts"
        )])
    );
    let b = find(
        &recs,
        "authz.bola",
        "app/api/teams/[teamId]/members/[memberId]/route.ts",
    );
    assert_eq!(b["line"], 20);
    assert_eq!(b["severity"], "high");
}

#[test]
fn a_rows_tenant_checked_against_the_callers_profile_is_not_bola() {
    let recs = scan("tenant-check", "");
    let k = keys(&recs);
    // export-report loads the caller's profile by `user.id` and stops on another
    // organization's report; share-report compares the report with a colleague the
    // request names.
    assert!(
        !k.iter()
            .any(|(_, p)| p == "supabase/functions/export-report/index.ts"),
        "{k:?}"
    );
    let m = message(
        &recs,
        "authz.bola",
        "supabase/functions/share-report/index.ts",
    );
    assert!(m.contains("`reports` by `reportId`"), "{m}");
}
