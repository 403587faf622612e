//! `lm-deps` through its real binary: file records in, findings out, everything passed
//! through.

use std::path::PathBuf;

use assert_cmd::Command;
use serde_json::Value;

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/deps")
}

fn file_record(rel: &str, role: &str) -> String {
    format!(
        "{{\"type\":\"file\",\"path\":\"{rel}\",\"root\":\"{}\",\"size\":1,\"binary\":false,\"role\":\"{role}\",\"role_reason\":\"t\"}}\n",
        fixtures().display()
    )
}

fn records(out: &[u8]) -> Vec<Value> {
    String::from_utf8_lossy(out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn reports_advisories_from_an_offline_database_and_passes_records_through() {
    let input = format!(
        "{}{}{{\"type\":\"x-other\",\"k\":1}}\n",
        file_record("npm-app/package.json", "manifest"),
        file_record("npm-app/package-lock.json", "lockfile")
    );
    let out = Command::cargo_bin("lm-deps")
        .unwrap()
        .env_remove("LM_OSV_DB")
        .args(["--db", fixtures().join("osv").to_str().unwrap()])
        .write_stdin(input.clone())
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out.clone()).unwrap();
    assert!(
        text.starts_with(&input),
        "records must pass through first, unchanged"
    );
    let recs = records(&out);
    let vulns: Vec<&Value> = recs
        .iter()
        .filter(|v| v["category"] == "dep.vulnerable")
        .collect();
    assert_eq!(vulns.len(), 3);
    for v in &vulns {
        assert!(v["package"].is_string());
        assert_eq!(v["cwe"], 1395);
    }
    let summary = recs.last().unwrap();
    assert_eq!(summary["type"], "summary");
    assert_eq!(summary["stage"], "lm-deps");
}

#[test]
fn database_from_the_environment_and_a_note_without_one() {
    let input = file_record("rust-app/Cargo.lock", "lockfile")
        + &file_record("rust-app/Cargo.toml", "manifest");
    let out = Command::cargo_bin("lm-deps")
        .unwrap()
        .env("LM_OSV_DB", fixtures().join("osv"))
        .write_stdin(input.clone())
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert!(records(&out)
        .iter()
        .any(|v| v["details"]["advisory"] == "RUSTSEC-2016-0001"));
    let out = Command::cargo_bin("lm-deps")
        .unwrap()
        .env("LM_OSV_DB", "")
        .write_stdin(input)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let recs = records(&out);
    assert!(!recs.iter().any(|v| v["category"] == "dep.vulnerable"));
    assert!(recs
        .iter()
        .any(|v| v["type"] == "diagnostic" && v["code"] == "no-advisory-db"));
}

#[test]
fn a_missing_database_is_a_diagnostic_not_a_crash() {
    let out = Command::cargo_bin("lm-deps")
        .unwrap()
        .args(["--db", "/nonexistent/osv"])
        .write_stdin(file_record("npm-app/package-lock.json", "lockfile"))
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert!(records(&out)
        .iter()
        .any(|v| v["type"] == "diagnostic" && v["code"] == "osv-db"));
}

#[test]
fn malformed_input_lines_fail_unless_lenient() {
    Command::cargo_bin("lm-deps")
        .unwrap()
        .write_stdin("not json\n")
        .assert()
        .code(2);
    Command::cargo_bin("lm-deps")
        .unwrap()
        .arg("--lenient")
        .write_stdin("not json\n")
        .assert()
        .success();
}
