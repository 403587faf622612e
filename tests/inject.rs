//! End to end: `lm-files APP | lm-parse | lm-inject` over small realistic apps under
//! `tests/fixtures/inject/`, each with vulnerable code and safe look-alikes next to it.

mod common;

use std::collections::BTreeSet;
use std::path::PathBuf;

use common::*;
use serde_json::Value;

fn app(name: &str) -> PathBuf {
    repo_root().join("tests/fixtures/inject").join(name)
}

/// Runs the pipeline on an app; returns every output record.
fn scan(name: &str, extra: &str) -> Vec<Value> {
    let out = sh(
        &repo_root(),
        &format!(
            "lm-files '{}' | lm-parse | lm-inject {extra}",
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

/// `(rule, path, line)` of every finding.
fn keys(records: &[Value]) -> BTreeSet<(String, String, u64)> {
    findings(records)
        .into_iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["path"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
            )
        })
        .collect()
}

fn set(items: &[(&str, &str, u64)]) -> BTreeSet<(String, String, u64)> {
    items
        .iter()
        .map(|(r, p, l)| (r.to_string(), p.to_string(), *l))
        .collect()
}

#[test]
fn express_app_sql_xss_and_log_injection() {
    let recs = scan("express-notes", "");
    assert_eq!(
        keys(&recs),
        set(&[
            ("inject.sql", "src/server.js", 19),
            ("inject.xss", "src/server.js", 43),
            // one log finding per function and source (line 52 logs `email` again)
            ("inject.log", "src/server.js", 48),
        ])
    );
    let sql = findings(&recs)
        .into_iter()
        .find(|f| f["rule"] == "inject.sql")
        .unwrap();
    assert_eq!(sql["category"], "inject.sql");
    assert_eq!(sql["cwe"], 89);
    assert!(matches!(
        sql["severity"].as_str(),
        Some("critical" | "high")
    ));
    let msg = sql["message"].as_str().unwrap();
    assert!(
        msg.starts_with("`req.query.q` reaches `pool.query` by assignment, template literal"),
        "{msg}"
    );
    assert!(
        msg.contains("at line 19; use a parameterised query"),
        "{msg}"
    );
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
        assert!(sql.get(key).is_some(), "missing {key}");
    }
}

#[test]
fn next_app_reflected_stored_sql_and_email() {
    let recs = scan("next-blog", "");
    assert_eq!(
        keys(&recs),
        set(&[
            ("inject.xss", "app/search/page.tsx", 12),
            ("inject.sql", "app/api/posts/route.ts", 12),
            ("inject.log", "app/api/posts/route.ts", 30),
            ("inject.xss-stored", "components/CommentList.tsx", 10),
            ("inject.xss-email", "app/posts/actions.ts", 15),
        ])
    );
    let stored = findings(&recs)
        .into_iter()
        .find(|f| f["rule"] == "inject.xss-stored")
        .unwrap();
    assert_eq!(stored["severity"], "medium");
    assert!(stored["message"]
        .as_str()
        .unwrap()
        .contains("(read from the database)"));
}

#[test]
fn flask_app_sql_ssti_xss_and_log_injection() {
    let recs = scan("flask-shop", "");
    assert_eq!(
        keys(&recs),
        set(&[
            ("inject.sql", "shop.py", 23),
            ("inject.log", "shop.py", 43),
            ("inject.ssti", "shop.py", 56),
            ("inject.xss", "shop.py", 65),
            ("inject.xss-stored", "shop.py", 75),
        ])
    );
    let ssti = findings(&recs)
        .into_iter()
        .find(|f| f["rule"] == "inject.ssti")
        .unwrap();
    assert_eq!(ssti["category"], "inject.xss");
    let msg = ssti["message"].as_str().unwrap();
    assert!(msg.contains("reaches `render_template_string` by"), "{msg}");
}

#[test]
fn fastapi_app_typed_parameters_are_safe() {
    let recs = scan("fastapi-notes", "");
    assert_eq!(
        keys(&recs),
        set(&[
            ("inject.sql", "app/main.py", 25),
            ("inject.log", "app/main.py", 40),
            ("inject.xss", "app/main.py", 52),
        ])
    );
    let sql = findings(&recs)
        .into_iter()
        .find(|f| f["rule"] == "inject.sql")
        .unwrap();
    assert_eq!(sql["details"]["source_expr"], "q");
    assert!(sql["message"]
        .as_str()
        .unwrap()
        .contains("use bound parameters"));
}

#[test]
fn every_input_record_passes_through_in_order() {
    let app_dir = app("express-notes");
    let parsed = sh(
        &repo_root(),
        &format!("lm-files '{}' | lm-parse", app_dir.display()),
        b"",
    );
    let injected = sh(&repo_root(), "lm-inject", &parsed.stdout);
    assert!(injected.status.success());
    let before = String::from_utf8(parsed.stdout).unwrap();
    let after = String::from_utf8(injected.stdout).unwrap();
    let kept: Vec<&str> = after
        .lines()
        .filter(|l| !l.contains("\"type\":\"finding\"") && !l.contains("\"stage\":\"lm-inject\""))
        .collect();
    assert_eq!(kept, before.lines().collect::<Vec<_>>());
}

#[test]
fn fingerprints_survive_inserted_lines() {
    let dir = tempfile::tempdir().unwrap();
    let src = app("express-notes").join("src/server.js");
    let text = std::fs::read_to_string(&src).unwrap();
    std::fs::create_dir_all(dir.path().join("src")).unwrap();
    std::fs::write(dir.path().join("src/server.js"), &text).unwrap();
    let run = |d: &std::path::Path| {
        let out = sh(
            &repo_root(),
            &format!("lm-files '{}' | lm-parse | lm-inject", d.display()),
            b"",
        );
        json_lines(&out.stdout)
            .into_iter()
            .filter(|r| r["type"] == "finding")
            .map(|r| {
                (
                    r["fingerprint"].as_str().unwrap().to_string(),
                    r["line"].as_u64().unwrap(),
                )
            })
            .collect::<Vec<_>>()
    };
    let first = run(dir.path());
    std::fs::write(
        dir.path().join("src/server.js"),
        format!("// header\n// another line\n{text}"),
    )
    .unwrap();
    let second = run(dir.path());
    assert_eq!(first.len(), 3);
    assert_eq!(
        first.iter().map(|f| &f.0).collect::<Vec<_>>(),
        second.iter().map(|f| &f.0).collect::<Vec<_>>()
    );
    assert_eq!(second[0].1, first[0].1 + 2);
}

#[test]
fn config_disables_rules_and_adds_sanitizers() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("app.js"),
        "function clean(s) { return s; }\n\
         app.get('/x', (req, res) => {\n\
         \x20 console.log(`q=${req.query.q}`);\n\
         \x20 res.send(`<p>${clean(req.query.q)}</p>`);\n\
         \x20 res.send(`<p>${req.query.q}</p>`);\n\
         });\n",
    )
    .unwrap();
    let run = || {
        let out = sh(
            &repo_root(),
            &format!("lm-files '{}' | lm-parse | lm-inject", dir.path().display()),
            b"",
        );
        keys(&json_lines(&out.stdout))
            .into_iter()
            .map(|(r, _, l)| (r, l))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        run(),
        vec![
            ("inject.log".to_string(), 3),
            ("inject.xss".to_string(), 4),
            ("inject.xss".to_string(), 5)
        ]
    );
    std::fs::write(
        dir.path().join(".lm.toml"),
        "[inject]\nsanitizers = [\"clean\"]\ndisable = [\"inject.log\"]\n",
    )
    .unwrap();
    assert_eq!(run(), vec![("inject.xss".to_string(), 5)]);
}

#[test]
fn malformed_lines_are_reported_not_fatal_with_lenient() {
    let out = sh(
        &repo_root(),
        "lm-inject --lenient",
        b"not json\n{\"type\":\"fact\",\"kind\":\"sink\",\"path\":1}\n",
    );
    assert!(out.status.success());
    let recs = json_lines(&out.stdout);
    assert!(recs.iter().any(|r| r["type"] == "diagnostic"));
    let strict = sh(&repo_root(), "lm-inject", b"not json\n");
    assert_eq!(strict.status.code(), Some(2));
}

/// The safe look-alikes are not missed: lm-parse sees their sinks and records why they
/// are safe (validated, sanitised), and lm-inject reports nothing there.
#[test]
fn safe_look_alikes_are_seen_and_cleared() {
    let recs = scan("express-notes", "");
    let sink_at = |line: u64| {
        recs.iter()
            .find(|r| r["kind"] == "sink" && r["line"] == line)
            .unwrap_or_else(|| panic!("no sink fact at line {line}"))
    };
    // `parseInt(req.params.id)` in a template literal
    assert_eq!(sink_at(34)["source"], "validated");
    assert_eq!(sink_at(34)["sanitizer"], "parseInt");
    // `escapeHtml(req.params.id)` sent as HTML
    assert_eq!(sink_at(36)["source"], "sanitized");
    // structured log field
    assert_eq!(sink_at(49)["source"], "sanitized");
    let next = scan("next-blog", "");
    let bio = next
        .iter()
        .find(|r| {
            r["kind"] == "sink" && r["path"] == "components/CommentList.tsx" && r["line"] == 14
        })
        .expect("AuthorBio sink");
    assert_eq!(bio["sanitizer"], "DOMPurify.sanitize");
    assert!(findings(&next)
        .iter()
        .all(|f| f["line"] != 14 && f["line"] != 21));
}

/// Supabase Edge Functions: the runtime keeps each log call as one event, so
/// request data in it is not log injection; the same line in a Node server is.
#[test]
fn edge_function_console_is_not_a_log_line() {
    let recs = scan("edge-functions", "");
    let logs: BTreeSet<_> = keys(&recs)
        .into_iter()
        .filter(|(r, _, _)| r == "inject.log")
        .collect();
    assert_eq!(logs, set(&[("inject.log", "server/index.js", 9)]));
    // The edge function's sinks (direct, and through a helper and a logger wrapper)
    // were seen with request data, then judged.
    for line in [25, 35] {
        assert!(
            recs.iter().any(|r| r["kind"] == "sink"
                && r["path"] == "supabase/functions/invite-member/index.ts"
                && r["line"] == line
                && r["source"] == "request"),
            "no request sink at line {line}"
        );
    }
}

#[test]
fn schema_catalog_reads_are_not_second_order_sql_sources() {
    let recs = scan("py-migrations", "");
    // Table DDL from sqlite_master / sqlite_schema and column names from
    // information_schema are the script's own schema: rebuilding from them is quiet.
    // Rows users saved (a report filter) still reach the SQL string, even when the same
    // cursor read the catalog first.
    assert_eq!(
        keys(&recs),
        set(&[
            ("inject.sql", "run_saved_reports.py", 12),
            ("inject.sql", "run_saved_reports.py", 20),
        ])
    );
    for f in findings(&recs) {
        assert!(
            f["message"]
                .as_str()
                .unwrap()
                .contains("read from the database"),
            "{f}"
        );
    }
}

#[test]
fn an_allow_list_ternary_clears_the_value_it_lets_through() {
    let recs = scan("express-sort-allowlist", "");
    // `LIST.includes(sort) ? sort : 'name'`, its negated form and `SET.has(x) ? x : ..`
    // only let list members into ORDER BY (lines 13 and 19 stay quiet). A check on one
    // value that returns another, or a "list" taken from the request, is still reported.
    assert_eq!(
        keys(&recs),
        set(&[
            ("inject.sql", "routes/catalog.js", 27),
            ("inject.sql", "routes/catalog.js", 35),
        ])
    );
}

/// Vue 3 + Supabase: `v-html` of stored comment bodies and of a `route.query` value is
/// reported at the template attribute; the DOMPurify-sanitised bindings, the literal
/// and `{{ }}` interpolation are not.
#[test]
fn vue_app_v_html_stored_and_reflected_xss() {
    let recs = scan("vue-comments", "");
    assert_eq!(
        keys(&recs),
        set(&[
            ("inject.xss-stored", "src/components/CommentThread.vue", 39),
            ("inject.xss", "src/views/SearchView.vue", 28),
        ])
    );
    let fs = findings(&recs);
    let stored = fs
        .iter()
        .find(|f| f["rule"] == "inject.xss-stored")
        .unwrap();
    assert_eq!(stored["severity"], "medium");
    assert_eq!(stored["column"], 33);
    assert_eq!(stored["details"]["api"], "v-html");
    assert_eq!(stored["evidence"], "comment.body_html");
    let reflected = fs.iter().find(|f| f["rule"] == "inject.xss").unwrap();
    assert_eq!(reflected["severity"], "high");
    assert_eq!(reflected["details"]["source_expr"], "route.query.msg");
    // The sanitised bindings are sinks that end the flow.
    for (path, line) in [
        ("src/components/CommentThread.vue", 42),
        ("src/views/SearchView.vue", 29),
    ] {
        let sink = recs
            .iter()
            .find(|r| r["kind"] == "sink" && r["path"] == path && r["line"] == line)
            .unwrap_or_else(|| panic!("no sink at {path}:{line}"));
        assert_eq!(sink["sanitizer"], "DOMPurify.sanitize");
    }
    // Script facts keep their own lines: the Supabase read in the component.
    assert!(recs.iter().any(|r| r["kind"] == "db_access"
        && r["path"] == "src/components/CommentThread.vue"
        && r["line"] == 18));
}
