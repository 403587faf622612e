//! End to end: `lm-files APP | lm-parse` over a small app built from the Python, SQL and
//! Supabase fixtures in `crates/lm-parse/tests/fixtures/`, through the real binaries and
//! a real pipe.

mod common;

use std::fs;
use std::path::Path;

use common::*;
use serde_json::Value;

fn fixture(rel: &str) -> Vec<u8> {
    fs::read(repo_root().join("crates/lm-parse/tests/fixtures").join(rel)).unwrap()
}

/// A FastAPI + Flask + Supabase app in a temporary directory.
fn make_app(dir: &Path) {
    let put = |rel: &str, bytes: &[u8]| {
        let p = dir.join(rel);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, bytes).unwrap();
    };
    put("api/main.py", &fixture("python/fastapi_app.py"));
    put("web/app.py", &fixture("python/flask_app.py"));
    put(
        "supabase/migrations/20240101000000_init.sql",
        &fixture("sql/20240101000000_init.sql"),
    );
    put(
        "supabase/migrations/20240201000000_changes.sql",
        &fixture("sql/20240201000000_changes.sql"),
    );
    put(
        "supabase/config.toml",
        b"project_id = \"demo\"\n\n[functions.stripe-webhook]\nverify_jwt = false\n",
    );
    // Broken inputs: a Python file with invalid UTF-8 and a syntax error, a migration
    // with an unterminated dollar quote.
    put(
        "api/broken.py",
        b"from fastapi import FastAPI\napp = FastAPI()\n# caf\xe9\n@app.get('/x')\ndef x(:\n    return 1\n",
    );
    put(
        "supabase/migrations/20240301000000_broken.sql",
        b"alter table public.notes enable row level security;\ncreate function f() returns void as $$ begin\n",
    );
}

fn scan(dir: &Path) -> Vec<Value> {
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
    json_lines(&out.stdout)
}

fn facts<'a>(records: &'a [Value], kind: &str, path: &str) -> Vec<&'a Value> {
    records
        .iter()
        .filter(|r| r["type"] == "fact" && r["kind"] == kind && r["path"] == path)
        .collect()
}

#[test]
fn python_sql_and_config_facts_through_the_pipeline() {
    let tmp = tempfile::tempdir().unwrap();
    make_app(tmp.path());
    let records = scan(tmp.path());

    // Every file record passes through, each followed by its facts.
    let files: Vec<&str> = records
        .iter()
        .filter(|r| r["type"] == "file")
        .filter_map(|r| r["path"].as_str())
        .collect();
    assert!(files.contains(&"api/main.py") && files.contains(&"supabase/config.toml"));
    let mut current = String::new();
    for r in &records {
        match r["type"].as_str() {
            Some("file") => current = r["path"].as_str().unwrap().to_string(),
            Some("fact") => assert_eq!(r["path"], current.as_str(), "fact after its file"),
            _ => {}
        }
    }

    let routes = facts(&records, "route", "api/main.py");
    assert_eq!(routes.len(), 6);
    assert!(routes
        .iter()
        .any(|r| r["pattern"] == "/api/projects/{project_id}"
            && r["middleware"][0] == "Depends(get_current_user)"));
    let flask_routes = facts(&records, "route", "web/app.py");
    assert_eq!(flask_routes.len(), 8);

    let access = facts(&records, "db_access", "api/main.py");
    assert!(access.iter().any(|a| a["client_kind"] == "service_role"
        && a["filters"][0]["source"] == "request"
        && a["filters"][1]["source"] == "user"));

    let cfg = facts(&records, "edge_function_config", "supabase/config.toml");
    assert_eq!(cfg.len(), 1);
    assert_eq!(cfg[0]["function"], "stripe-webhook");
    assert_eq!(cfg[0]["verify_jwt"], false);
    assert_eq!(cfg[0]["line"], 4);

    let init = "supabase/migrations/20240101000000_init.sql";
    let policies = facts(&records, "sql_policy", init);
    assert_eq!(policies.len(), 6);
    assert!(policies.iter().all(|p| p["order"].is_u64()));
    assert_eq!(facts(&records, "sql_rls", init).len(), 3);
    let drops = facts(
        &records,
        "sql_policy",
        "supabase/migrations/20240201000000_changes.sql",
    );
    assert_eq!(drops[0]["action"], "drop");
}

#[test]
fn broken_inputs_give_diagnostics_and_keep_facts() {
    let tmp = tempfile::tempdir().unwrap();
    make_app(tmp.path());
    let records = scan(tmp.path());
    let diags: Vec<&Value> = records
        .iter()
        .filter(|r| r["type"] == "diagnostic")
        .collect();
    let broken_py: Vec<&&Value> = diags
        .iter()
        .filter(|d| d["path"] == "api/broken.py")
        .collect();
    assert!(broken_py.iter().any(|d| d["code"] == "invalid-utf8"));
    assert!(broken_py.iter().any(|d| d["code"] == "parse-error"));
    // The route before the syntax error is still read.
    assert_eq!(facts(&records, "route", "api/broken.py").len(), 1);

    let broken_sql = "supabase/migrations/20240301000000_broken.sql";
    assert!(diags
        .iter()
        .any(|d| d["path"] == broken_sql && d["code"] == "parse-error" && d["line"] == 2));
    assert_eq!(facts(&records, "sql_rls", broken_sql).len(), 1);
}

#[test]
fn output_is_deterministic() {
    let tmp = tempfile::tempdir().unwrap();
    make_app(tmp.path());
    let a = scan(tmp.path());
    let b = scan(tmp.path());
    assert_eq!(a, b);
}
