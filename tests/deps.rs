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

fn advisories_in(dir: &str) -> Vec<Value> {
    let input = format!(
        "{}{}",
        file_record(&format!("{dir}/package.json"), "manifest"),
        file_record(&format!("{dir}/package-lock.json"), "lockfile")
    );
    let out = Command::cargo_bin("lm-deps")
        .unwrap()
        .env_remove("LM_OSV_DB")
        .args([
            "--db",
            fixtures().join("release-lines/osv").to_str().unwrap(),
        ])
        .write_stdin(input)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    records(&out)
        .into_iter()
        .filter(|v| v["rule"] == "deps.known-advisory")
        .collect()
}

#[test]
fn an_advisory_fixed_per_release_line_reports_the_direct_copy_and_names_the_nested_one() {
    // form-data@4.0.2 (direct) sits in the advisory's third `affected` block and a nested
    // form-data@2.3.3 in its first: both are affected, the direct copy leads.
    let found = advisories_in("release-lines/affected");
    assert_eq!(found.len(), 1, "{found:#?}");
    let f = &found[0];
    assert_eq!(f["details"]["version"], "4.0.2");
    assert_eq!(f["details"]["direct"], true);
    assert_eq!(f["details"]["fixed"], "4.0.4");
    assert_eq!(f["severity"], "critical");
    let also = f["details"]["also_affected"].as_array().unwrap();
    assert_eq!(also.len(), 1);
    assert_eq!(also[0]["version"], "2.3.3");
    assert_eq!(also[0]["fixed"], "2.5.4");
    let msg = f["message"].as_str().unwrap();
    assert!(msg.contains("form-data@4.0.2 (direct dependency)"), "{msg}");
    assert!(msg.contains("also installs affected copy 2.3.3"), "{msg}");
}

#[test]
fn a_direct_copy_on_a_fixed_release_line_is_not_reported() {
    // The direct form-data@4.0.4 carries the fix; only the nested 2.3.3 copy is affected.
    let found = advisories_in("release-lines/fixed");
    assert_eq!(found.len(), 1, "{found:#?}");
    let f = &found[0];
    assert_eq!(f["details"]["version"], "2.3.3");
    assert_eq!(f["details"]["direct"], false);
    assert!(f["details"]["also_affected"].as_array().unwrap().is_empty());
    assert!(!f["message"].as_str().unwrap().contains("also installs"));
}
