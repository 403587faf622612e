//! End to end: `lm-files APP | lm-parse` over the JavaScript/TypeScript fixture apps in
//! `crates/lm-parse/tests/fixtures/js/`, through the real binaries and a real pipe.

mod common;

use std::path::PathBuf;

use common::*;
use serde_json::Value;

fn app(name: &str) -> PathBuf {
    repo_root()
        .join("crates/lm-parse/tests/fixtures/js")
        .join(name)
}

fn scan(dir: &std::path::Path) -> (Vec<Value>, Vec<u8>) {
    let out = sh(
        &repo_root(),
        &format!("lm-files '{}' | lm-parse", dir.display()),
        b"",
    );
    assert!(
        out.status.success(),
        "pipeline failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (json_lines(&out.stdout), out.stdout)
}

fn facts<'a>(records: &'a [Value], kind: &str) -> Vec<&'a Value> {
    records
        .iter()
        .filter(|r| r["type"] == "fact" && r["kind"] == kind)
        .collect()
}

#[test]
fn next_supabase_app_routes_scopes_and_passthrough() {
    let (records, _) = scan(&app("next-supabase"));
    // Every file record passes through, each followed by its facts.
    let files: Vec<&str> = records
        .iter()
        .filter(|r| r["type"] == "file")
        .map(|r| r["path"].as_str().unwrap())
        .collect();
    assert!(files.contains(&"package.json"));
    assert!(files.contains(&"middleware.ts"));
    let mut current = "";
    for r in &records {
        match r["type"].as_str() {
            Some("file") => current = r["path"].as_str().unwrap(),
            Some("fact") => assert_eq!(r["path"], current, "fact out of place: {r}"),
            _ => {}
        }
    }

    let routes = facts(&records, "route");
    let del = routes
        .iter()
        .find(|r| r["pattern"] == "/api/projects/[id]" && r["methods"][0] == "DELETE")
        .expect("DELETE route");
    let scope = del["handler_scope"].as_str().unwrap();
    // The service-role delete by a request id lies in the DELETE handler, with no auth
    // check there: what lm-authz needs to see, without parsing again.
    let in_delete: Vec<&Value> = records
        .iter()
        .filter(|r| r["type"] == "fact" && r["path"] == del["path"] && r["scope"] == scope)
        .collect();
    let access = in_delete
        .iter()
        .find(|r| r["kind"] == "db_access")
        .expect("db_access in DELETE");
    assert_eq!(access["client_kind"], "service_role");
    assert_eq!(access["filters"][0]["source"], "request");
    assert!(in_delete.iter().all(|r| r["kind"] != "auth_check"));

    let get = routes
        .iter()
        .find(|r| r["pattern"] == "/api/projects/[id]" && r["methods"][0] == "GET")
        .unwrap();
    let gscope = get["handler_scope"].as_str().unwrap();
    let check = facts(&records, "auth_check")
        .into_iter()
        .find(|r| r["path"] == get["path"] && r["scope"] == gscope)
        .expect("auth check in GET");
    assert_eq!(check["enforced"], true);

    // Server action, edge function, webhook, middleware and its helper.
    assert!(routes.iter().any(|r| r["framework"] == "server-action"));
    let edge = routes
        .iter()
        .find(|r| r["framework"] == "supabase-edge")
        .unwrap();
    assert_eq!(edge["pattern"], "/functions/v1/send-email");
    let hook = &facts(&records, "webhook")[0];
    assert_eq!(hook["verified"], true);
    assert_eq!(hook["idempotent"], false);
    let mw = &facts(&records, "middleware")[0];
    assert_eq!(mw["framework"], "nextjs");
    assert!(mw["names"]
        .as_array()
        .unwrap()
        .iter()
        .any(|n| n == "updateSession"));
    let helper = facts(&records, "function")
        .into_iter()
        .find(|f| f["name"] == "updateSession")
        .expect("helper function fact");
    assert_eq!(helper["exported"], true);

    // The file with a syntax error still yields facts, and a diagnostic says so.
    assert!(records.iter().any(|r| r["type"] == "diagnostic"
        && r["path"] == "src/broken.ts"
        && r["code"] == "parse-error"));
    assert!(facts(&records, "db_access")
        .iter()
        .any(|r| r["path"] == "src/broken.ts"));
}

#[test]
fn output_is_deterministic() {
    let (_, a) = scan(&app("next-supabase"));
    let (_, b) = scan(&app("next-supabase"));
    assert_eq!(a, b);
}

#[test]
fn express_app_through_the_pipe() {
    let (records, _) = scan(&app("express-api"));
    let routes = facts(&records, "route");
    let orders = routes
        .iter()
        .find(|r| r["pattern"] == "/api/orders/:id")
        .expect("mounted router route");
    let mw: Vec<&str> = orders["middleware"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m.as_str().unwrap())
        .collect();
    assert!(mw.contains(&"requireAuth"), "{mw:?}");
    let uses = facts(&records, "middleware");
    assert!(uses.iter().any(|m| m["rate_limits"] == true));
    assert!(facts(&records, "cors")
        .iter()
        .any(|c| c["allow_origin"] == "reflect" && c["credentials"] == true));
}

#[test]
fn bad_input_becomes_diagnostics_not_crashes() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("app/api/x")).unwrap();
    // Invalid UTF-8 inside a route file.
    let mut bytes =
        b"export async function GET() { const k = process.env.API_KEY; return new Response('"
            .to_vec();
    bytes.extend_from_slice(&[0xff, 0xfe, b'\'', b')', b' ', b'}', b'\n']);
    std::fs::write(dir.path().join("app/api/x/route.ts"), bytes).unwrap();
    // Garbage that is not JavaScript at all.
    std::fs::write(dir.path().join("junk.js"), "}{ process.env. ((( =>").unwrap();
    let (records, _) = scan(dir.path());
    assert!(records
        .iter()
        .any(|r| r["type"] == "diagnostic" && r["code"] == "invalid-utf8"));
    assert!(facts(&records, "route")
        .iter()
        .any(|r| r["pattern"] == "/api/x"));
    assert!(facts(&records, "env_read")
        .iter()
        .any(|r| r["name"] == "API_KEY"));
}
