//! End-to-end tests of `lm-report` through the built binary: every format, exit codes,
//! baselines, inline suppressions, de-duplication, colour and secret masking.
//!
//! The fixture `tests/fixtures/report/stream.jsonl` is a record stream over the small app
//! in `tests/fixtures/report/app` (see the README there).

mod common;

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use common::*;
use serde_json::Value;

/// The fixture key (not a credential of any provider); it must never be printed whole.
const SECRET_TAIL: &str = "9f8e7d6c5b4a39281706f5e4d3c2b1a0";
const OTHER_TOKEN_TAIL: &str = "7Qm2Lx9Rt4Vb8Nc1";

fn fixtures() -> PathBuf {
    repo_root().join("tests/fixtures/report")
}

fn stream_text() -> String {
    std::fs::read_to_string(fixtures().join("stream.jsonl")).unwrap()
}

/// `lm-report` run in the fixture directory over the fixture app, reading `stdin`.
fn report(args: &[&str], stdin: &str) -> std::process::Output {
    Command::cargo_bin("lm-report")
        .unwrap()
        .current_dir(fixtures())
        .env_remove("NO_COLOR")
        .args(["--root", "app"])
        .args(args)
        .write_stdin(stdin.to_string())
        .output()
        .unwrap()
}

fn stdout(o: &std::process::Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn json(o: &std::process::Output) -> Value {
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&o.stdout)))
}

fn sarif_validator() -> jsonschema::Validator {
    let text = std::fs::read_to_string(repo_root().join("tests/fixtures/sarif-schema-2.1.0.json"))
        .expect("the SARIF schema fixture is present");
    let schema: Value = serde_json::from_str(&text).unwrap();
    jsonschema::validator_for(&schema).expect("the SARIF schema compiles")
}

fn assert_valid_sarif(log: &Value) {
    let errors: Vec<String> = sarif_validator()
        .iter_errors(log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "SARIF violates the 2.1.0 schema: {errors:#?}"
    );
}

/// Only the findings whose rule is listed, plus the non-finding records.
fn only_rules(rules: &[&str]) -> String {
    stream_text()
        .lines()
        .filter(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            v["type"] != "finding" || rules.contains(&v["rule"].as_str().unwrap())
        })
        .map(|l| format!("{l}\n"))
        .collect()
}

#[test]
fn sarif_validates_against_the_official_schema_and_carries_rules_and_suppressions() {
    let out = report(&["--format", "sarif"], &stream_text());
    assert_eq!(
        out.status.code(),
        Some(1),
        "critical and high findings fail by default"
    );
    let log = json(&out);
    assert_valid_sarif(&log);
    let run = &log["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert!(ids.contains(&"authz.bola-find-unique"), "{ids:?}");
    for rule in rules {
        let tags = rule["properties"]["tags"].as_array().unwrap();
        assert!(tags.contains(&Value::from("security")), "{rule}");
        assert!(
            rule["properties"]["security-severity"].is_string(),
            "{rule}"
        );
        assert!(rule["help"]["text"].as_str().unwrap().len() > 100);
        assert!(rule["help"]["markdown"]
            .as_str()
            .unwrap()
            .contains("**How to fix**"));
        assert!(rule["fullDescription"]["text"].is_string());
    }
    let secret_rule = rules
        .iter()
        .find(|r| r["id"] == "secrets.generic-api-key")
        .unwrap();
    assert_eq!(secret_rule["properties"]["security-severity"], "9.5");
    assert_eq!(secret_rule["defaultConfiguration"]["level"], "error");
    assert!(secret_rule["properties"]["tags"]
        .as_array()
        .unwrap()
        .contains(&Value::from("external/cwe/cwe-798")));
    let results = run["results"].as_array().unwrap();
    assert_eq!(
        results.len(),
        6,
        "5 shown + 1 suppressed; the duplicate is merged"
    );
    for r in results {
        let idx = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(
            rules[idx]["id"], r["ruleId"],
            "ruleIndex points at the rule"
        );
        let loc = &r["locations"][0]["physicalLocation"];
        assert_eq!(loc["artifactLocation"]["uriBaseId"], "%SRCROOT%");
        assert!(!loc["artifactLocation"]["uri"]
            .as_str()
            .unwrap()
            .starts_with('/'));
        assert!(r["partialFingerprints"]["lmFingerprint/v1"].is_string());
    }
    let bola = results
        .iter()
        .find(|r| r["ruleId"] == "authz.bola-find-unique")
        .unwrap();
    assert_eq!(bola["suppressions"][0]["kind"], "inSource");
    assert_eq!(
        bola["suppressions"][0]["justification"],
        "notes are public announcements by design"
    );
    let sql = results
        .iter()
        .find(|r| r["ruleId"] == "inject.sql-template")
        .unwrap();
    assert_eq!(sql["level"], "error");
    assert_eq!(
        sql["locations"][0]["physicalLocation"]["region"],
        serde_json::json!({"startLine": 9, "endLine": 9, "startColumn": 5})
    );
    let cors = results
        .iter()
        .find(|r| r["ruleId"] == "cors.reflect-any-origin")
        .unwrap();
    assert_eq!(cors["level"], "warning");
    let notes = run["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .unwrap();
    assert_eq!(notes[0]["descriptor"]["id"], "parse-error");
}

#[test]
fn sarif_of_the_example_app_pipeline_validates() {
    let out = sh(
        &repo_root(),
        "lm-files examples/taskflow | lm-parse | lm-secrets | lm-authz | lm-inject \
         | lm-deps --db examples/osv | lm-report --format sarif --fail-on none --root examples/taskflow",
        b"",
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let log: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_valid_sarif(&log);
    let run = &log["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "lm");
    // `sh` has no pipefail: an upstream failure would leave an empty stream, so require the
    // example's known gaps to be there.
    let results = run["results"].as_array().unwrap();
    assert!(
        !results.is_empty(),
        "no results; stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    for r in results {
        let idx = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[idx]["id"], r["ruleId"]);
    }
}

#[test]
fn fail_on_sets_the_exit_status() {
    let all = stream_text();
    assert_eq!(report(&[], &all).status.code(), Some(1));
    assert_eq!(report(&["--fail-on", "none"], &all).status.code(), Some(0));
    assert_eq!(
        report(&["--fail-on", "critical"], &all).status.code(),
        Some(1)
    );
    let mild = only_rules(&["cors.reflect-any-origin", "inject.log-concat"]);
    assert_eq!(report(&[], &mild).status.code(), Some(0));
    assert_eq!(
        report(&["--fail-on", "medium"], &mild).status.code(),
        Some(1)
    );
    assert_eq!(report(&["--fail-on", "low"], &mild).status.code(), Some(1));
    // Hidden by --min-severity still fails: hiding is display only.
    let out = report(&["--min-severity", "high", "--fail-on", "medium"], &mild);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(text.contains("No findings at or above high."), "{text}");
    assert!(
        text.contains("Failing: 1 finding at or above --fail-on medium"),
        "{text}"
    );
    // A suppressed high finding does not fail.
    let suppressed = only_rules(&["authz.bola-find-unique"]);
    assert_eq!(
        report(&["--fail-on", "info"], &suppressed).status.code(),
        Some(0)
    );
    // Usage errors are status 2.
    assert_eq!(report(&["--fail-on", "urgent"], "").status.code(), Some(2));
}

#[test]
fn malformed_input_names_the_line_unless_lenient() {
    let mut input = only_rules(&["cors.reflect-any-origin"]);
    input.insert_str(0, "{\"type\":\"file\"\n");
    let out = report(&["--format", "json"], &input);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("<stdin>:1: malformed record"), "{err}");
    assert!(out.stdout.is_empty(), "no partial report");
    let out = report(&["--format", "json", "--lenient"], &input);
    assert_eq!(out.status.code(), Some(0));
    let doc = json(&out);
    assert_eq!(
        doc["totals"]["findings"], 1,
        "the rest of the stream is kept"
    );
    let codes: Vec<&str> = doc["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"skipped-lines"), "{codes:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("skipped 1 malformed input line"));
}

fn copy_dir(from: &Path, to: &Path, prepend: &str) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let dest = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&dest).unwrap();
            copy_dir(&entry.path(), &dest, prepend);
        } else {
            let text = std::fs::read_to_string(entry.path()).unwrap();
            std::fs::write(dest, format!("{prepend}{text}")).unwrap();
        }
    }
}

/// The fixture stream with every finding moved down by `by` lines.
fn shifted(by: u64) -> String {
    stream_text()
        .lines()
        .map(|l| {
            let mut v: Value = serde_json::from_str(l).unwrap();
            if v["type"] == "finding" {
                for key in ["line", "end_line"] {
                    v[key] = Value::from(v[key].as_u64().unwrap() + by);
                }
            }
            format!("{v}\n")
        })
        .collect()
}

#[test]
fn baseline_round_trip_survives_lines_inserted_above() {
    let dir = tempfile::tempdir().unwrap();
    let baseline = dir.path().join("lm-baseline.json");
    let b = baseline.to_str().unwrap();
    let out = report(&["--write-baseline", b], &stream_text());
    assert_eq!(
        out.status.code(),
        Some(0),
        "a written baseline accepts the current findings"
    );
    let file: Value = serde_json::from_str(&std::fs::read_to_string(&baseline).unwrap()).unwrap();
    assert_eq!(file["version"], 1);
    let entries = file["findings"].as_array().unwrap();
    assert_eq!(
        entries.len(),
        5,
        "unsuppressed, de-duplicated findings: {file}"
    );
    let fps: Vec<&str> = entries
        .iter()
        .map(|e| e["fingerprint"].as_str().unwrap())
        .collect();
    let mut sorted = fps.clone();
    sorted.sort();
    assert_eq!(fps, sorted, "sorted by fingerprint");
    assert!(entries
        .iter()
        .all(|e| e["rule"].is_string() && e["path"].is_string()));

    let out = report(&["--baseline", b], &stream_text());
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    assert!(text.starts_with("No findings."), "{text}");
    assert!(
        text.contains("1 suppressed inline, 5 baselined, 1 duplicate merged"),
        "{text}"
    );

    // Three unrelated lines inserted at the top of every file: the stages report the same
    // findings three lines lower, with the same fingerprints.
    let app = dir.path().join("app");
    std::fs::create_dir_all(&app).unwrap();
    copy_dir(&fixtures().join("app"), &app, "// a\n// b\n// c\n");
    let out = Command::cargo_bin("lm-report")
        .unwrap()
        .args([
            "--root",
            app.to_str().unwrap(),
            "--baseline",
            b,
            "--format",
            "json",
        ])
        .write_stdin(shifted(3))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let doc = json(&out);
    assert_eq!(doc["findings"].as_array().unwrap().len(), 0, "{doc}");
    assert_eq!(doc["baselined"], 5);
    assert_eq!(doc["suppressed"], 1, "the comment moved with its line");

    // A new finding is reported and fails the run.
    let new = r#"{"type":"finding","rule":"inject.xss-inner-html","category":"inject.xss","severity":"high","message":"m","path":"server/app.js","line":5,"end_line":5,"cwe":79,"fingerprint":"00aa11bb22cc33dd"}"#;
    let out = report(
        &["--baseline", b, "--format", "jsonl"],
        &format!("{}{new}\n", stream_text()),
    );
    assert_eq!(out.status.code(), Some(1));
    let lines = json_lines(&out.stdout);
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["fingerprint"], "00aa11bb22cc33dd");

    // A broken baseline is an error, not an empty baseline.
    std::fs::write(&baseline, "{").unwrap();
    let out = report(&["--baseline", b], &stream_text());
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("lm-baseline.json"));
}

#[test]
fn inline_suppression_hides_the_finding_everywhere_but_sarif() {
    let input = only_rules(&["authz.bola-find-unique", "inject.log-concat"]);
    let text = stdout(&report(&[], &input));
    assert!(!text.contains("authz.bola-find-unique"), "{text}");
    assert!(text.contains("inject.log-concat"));
    assert!(text.contains("Not shown: 1 suppressed inline"), "{text}");
    let doc = json(&report(&["--format", "json"], &input));
    assert_eq!(doc["suppressed"], 1);
    assert_eq!(doc["findings"].as_array().unwrap().len(), 1);
    let md = stdout(&report(&["--format", "markdown"], &input));
    assert!(!md.contains("Broken object-level authorization"), "{md}");
    assert!(md.contains("1 suppressed inline"));
    let log = json(&report(&["--format", "sarif"], &input));
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 2);
    let suppressed: Vec<_> = results
        .iter()
        .filter(|r| r.get("suppressions").is_some())
        .collect();
    assert_eq!(suppressed.len(), 1);
    assert_eq!(suppressed[0]["ruleId"], "authz.bola-find-unique");
}

#[test]
fn duplicates_are_reported_once() {
    let input = only_rules(&["inject.sql-template"]);
    assert_eq!(input.matches("inject.sql-template").count(), 2);
    let doc = json(&report(&["--format", "json"], &input));
    assert_eq!(doc["findings"].as_array().unwrap().len(), 1);
    assert_eq!(doc["duplicates"], 1);
    let text = stdout(&report(&[], &input));
    assert_eq!(text.matches("[inject.sql-template]").count(), 1, "{text}");
    let log = json(&report(&["--format", "sarif"], &input));
    assert_eq!(log["runs"][0]["results"].as_array().unwrap().len(), 1);
}

#[test]
fn colour_follows_color_and_no_color() {
    let input = stream_text();
    assert!(stdout(&report(&["--color", "always"], &input)).contains("\x1b["));
    assert!(!stdout(&report(&["--color", "never"], &input)).contains("\x1b["));
    assert!(
        !stdout(&report(&[], &input)).contains("\x1b["),
        "not a terminal"
    );
    // Under a pseudo-terminal, `auto` colours unless NO_COLOR is set.
    let script = Path::new("/usr/bin/script");
    if !script.exists() {
        eprintln!("skipping the terminal half: util-linux `script` is not installed");
        return;
    }
    let bin = assert_cmd::cargo::cargo_bin("lm-report");
    // The session transcript goes to a scratch file, never to /dev/null,
    // which some hosts provide as a plain file.
    let transcript = tempfile::NamedTempFile::new().unwrap();
    let run = |no_color: bool| {
        let cmd = format!(
            "{} --root app --input stream.jsonl --fail-on none",
            bin.display()
        );
        let mut c = std::process::Command::new(script);
        c.args(["-qec", &cmd])
            .arg(transcript.path())
            .current_dir(fixtures());
        if no_color {
            c.env("NO_COLOR", "1");
        } else {
            c.env_remove("NO_COLOR");
        }
        let out = c.output().unwrap();
        assert!(out.status.success(), "{out:?}");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    assert!(run(false).contains("\x1b["), "auto colours a terminal");
    let plain = run(true);
    assert!(
        !plain.contains("\x1b["),
        "NO_COLOR disables colour: {plain:?}"
    );
    assert!(plain.contains("SQL injection"));
}

#[test]
fn markdown_has_a_severity_table_and_collapsible_details() {
    let out = report(&["--format", "markdown"], &stream_text());
    assert_eq!(out.status.code(), Some(1));
    let md = stdout(&out);
    assert!(md.starts_with("## lm report\n"), "{md}");
    assert!(md.contains(
        "| Severity | Findings |\n|:--|--:|\n| Critical | 1 |\n| High | 1 |\n| Medium | 1 |\n| Low | 2 |\n| Info | 0 |\n"
    ), "{md}");
    assert_eq!(md.matches("<details>").count(), 5);
    assert_eq!(md.matches("</details>").count(), 5);
    let critical = md.find("<b>Critical</b>").unwrap();
    let low = md.find("<b>Low</b>").unwrap();
    assert!(critical < low, "most severe first");
    assert!(
        md.contains("2 at or above `high` (fails the check)"),
        "{md}"
    );
}

#[test]
fn json_document_shape() {
    let doc = json(&report(
        &["--format", "json", "--min-severity", "medium"],
        &stream_text(),
    ));
    for key in [
        "schema_version",
        "tool",
        "findings",
        "suppressed",
        "baselined",
        "below_min_severity",
        "duplicates",
        "diagnostics",
        "totals",
        "fail_on",
        "failing",
    ] {
        assert!(doc.get(key).is_some(), "missing {key}: {doc}");
    }
    assert_eq!(doc["tool"]["name"], "lm");
    let findings = doc["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 3);
    for f in findings {
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
            assert!(f.get(key).is_some(), "finding lacks {key}: {f}");
        }
    }
    assert_eq!(doc["below_min_severity"], 2);
    assert_eq!(doc["totals"]["by_severity"]["critical"], 1);
    assert_eq!(doc["totals"]["by_category"]["cors.permissive"], 1);
    assert_eq!(doc["diagnostics"][0]["stage"], "lm-parse");
    assert_eq!(doc["failing"], 2);
}

#[test]
fn jsonl_output_feeds_back_into_lm_report() {
    let out = report(&["--format", "jsonl", "--fail-on", "none"], &stream_text());
    let lines = json_lines(&out.stdout);
    assert_eq!(lines.len(), 5);
    assert!(lines.iter().all(|l| l["type"] == "finding"));
    let again = json(&report(&["--format", "json"], &stdout(&out)));
    assert_eq!(again["totals"]["findings"], 5);
}

#[test]
fn code_frames_mask_the_secret_in_every_format() {
    let input = stream_text();
    let text = stdout(&report(&[], &input));
    assert!(
        text.contains(r#"> 4 │ const FULFIL_API_SECRET = "lmfx********";"#),
        "{text}"
    );
    assert!(
        text.contains("  3 │ // Order fulfilment client."),
        "context is shown"
    );
    for format in ["text", "markdown", "json", "jsonl", "sarif"] {
        let out = stdout(&report(&["--format", format, "--color", "always"], &input));
        assert!(!out.contains(SECRET_TAIL), "{format} prints the secret");
        assert!(
            !out.contains(OTHER_TOKEN_TAIL),
            "{format} prints a neighbouring token"
        );
    }
    // Without a span, the secret's line is not printed at all.
    let no_span = only_rules(&["secrets.generic-api-key"])
        .replace(",\"column\":28", "")
        .replace(",\"end_column\":65", "");
    assert!(!no_span.contains("end_column"), "{no_span}");
    let text = stdout(&report(&[], &no_span));
    assert!(text.contains("‹line hidden: it holds a secret›"), "{text}");
    assert!(!text.contains("FULFIL_API_SECRET = "), "{text}");
}

#[test]
fn file_records_say_where_to_read_and_output_goes_to_a_file() {
    let app = fixtures().join("app");
    let file = serde_json::json!({
        "type": "file", "path": "server/app.js", "root": app.to_str().unwrap(),
        "language": "javascript", "size": 10, "role": "server", "role_reason": "server/"
    });
    let input = format!("{file}\n{}", only_rules(&["cors.reflect-any-origin"]));
    let dir = tempfile::tempdir().unwrap();
    let out = Command::cargo_bin("lm-report")
        .unwrap()
        .current_dir(dir.path())
        .args(["--output", "report.txt", "--color", "auto"])
        .write_stdin(input)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stdout.is_empty());
    let text = std::fs::read_to_string(dir.path().join("report.txt")).unwrap();
    assert!(
        text.contains("> 4 │ app.use(cors({ origin: true, credentials: true }));"),
        "{text}"
    );
    assert!(
        !text.contains('\x1b'),
        "no colour in a file with --color auto"
    );
}

#[test]
fn the_report_section_of_lm_toml_sets_defaults_that_flags_override() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixtures().join("app"), dir.path(), "");
    let root = dir.path().to_str().unwrap();
    let run = |args: &[&str], stdin: String| {
        Command::cargo_bin("lm-report")
            .unwrap()
            .args(["--root", root, "--format", "json"])
            .args(args)
            .write_stdin(stdin)
            .output()
            .unwrap()
    };
    let high_only = only_rules(&["inject.sql-template", "inject.log-concat"]);
    assert_eq!(run(&[], high_only.clone()).status.code(), Some(1));
    std::fs::write(
        dir.path().join(".lm.toml"),
        "[report]\nfail_on = \"critical\"\nmin_severity = \"medium\"\n",
    )
    .unwrap();
    let out = run(&[], high_only.clone());
    assert_eq!(out.status.code(), Some(0), "fail_on from .lm.toml");
    assert_eq!(
        json(&out)["below_min_severity"],
        1,
        "min_severity from .lm.toml"
    );
    assert_eq!(
        run(&["--fail-on", "high"], high_only.clone()).status.code(),
        Some(1)
    );
    let out = run(&["--min-severity", "info"], high_only.clone());
    assert_eq!(json(&out)["below_min_severity"], 0);
    // An explicit --config wins over the root's file; a bad one is an error.
    let other = dir.path().join("strict.toml");
    std::fs::write(&other, "[report]\nfail_on = \"low\"\n").unwrap();
    let strict = run(&["--config", other.to_str().unwrap()], high_only.clone());
    assert_eq!(strict.status.code(), Some(1));
    std::fs::write(&other, "[report]\nfail_on = \"urgent\"\n").unwrap();
    let out = run(&["--config", other.to_str().unwrap()], high_only);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("fail_on"));
}

#[test]
fn a_terminal_on_standard_input_is_an_error_not_a_hang() {
    let script = Path::new("/usr/bin/script");
    if !script.exists() {
        eprintln!("skipping: util-linux `script` is not installed");
        return;
    }
    let bin = assert_cmd::cargo::cargo_bin("lm-report");
    let transcript = tempfile::NamedTempFile::new().unwrap();
    let out = std::process::Command::new(script)
        .args(["-qec", &bin.display().to_string()])
        .arg(transcript.path())
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("no input: pipe an lm pipeline"));
}

#[test]
fn odd_but_valid_records_still_give_valid_sarif_and_inert_text() {
    let odd = [
        serde_json::json!({"type":"finding","rule":"deps.missing-lockfile","category":"dep.lockfile","severity":"info","message":"","path":"pkg/package.json","line":0,"end_line":0,"cwe":null,"fingerprint":"a1","package":"left-pad"}),
        serde_json::json!({"type":"finding","rule":"inject.xss-html","category":"inject.xss","severity":"medium","message":"evil \u{1b}[2J\u{1b}]0;title\u{7} message <script>","path":"web/[id] page #1%.tsx","line":18446744073709551615u64,"end_line":3,"column":0,"cwe":79,"fingerprint":"a2"}),
        serde_json::json!({"type":"finding","rule":"authz.bola-x","category":"authz.bola","severity":"high","message":"m","path":"caf\u{fffd}.js","path_bytes":"Y2Fm6S5qcw==","line":2,"end_line":1,"column":3,"end_column":1,"cwe":639,"fingerprint":"a3","details":{"route":"/api/x"}}),
    ];
    let input: String = odd.iter().map(|v| format!("{v}\n")).collect();
    let out = report(&["--format", "sarif", "--fail-on", "none"], &input);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let log = json(&out);
    assert_valid_sarif(&log);
    let uris: Vec<&str> = log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
        })
        .collect();
    assert!(
        uris.contains(&"web/%5Bid%5D%20page%20%231%25.tsx"),
        "{uris:?}"
    );
    assert!(uris.contains(&"caf%E9.js"), "{uris:?}");
    for format in ["text", "markdown"] {
        let text = stdout(&report(&["--format", format, "--fail-on", "none"], &input));
        assert!(
            !text.contains('\u{1b}') && !text.contains('\u{7}'),
            "{format}: {text:?}"
        );
        if format == "markdown" {
            assert!(!text.contains("<script>"), "{text}");
        }
    }
}
