//! The record contract through real pipes, for every stage at once: pass-through of
//! unknown records, malformed input, broken pipes, and the full pipeline on the bundled
//! example.

mod common;

use common::*;

const UNKNOWN: &str = r#"{"type":"x-custom-note","weird":[1,2,{"a":"\u00e9"}],  "spaced" : true}"#;

#[test]
fn every_filter_passes_unknown_records_through_unchanged_and_in_order() {
    let input = format!(
        "{UNKNOWN}\n{{\"type\":\"summary\",\"stage\":\"upstream\",\"counts\":{{}}}}\n{UNKNOWN}\n"
    );
    for stage in FILTERS {
        let out = sh(&repo_root(), stage, input.as_bytes());
        assert!(
            out.status.success(),
            "{stage} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8(out.stdout).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines.len() >= 3, "{stage}: {text}");
        assert_eq!(lines[0], UNKNOWN, "{stage} changed an unknown record");
        assert!(lines[1].contains("\"stage\":\"upstream\""), "{stage}");
        assert_eq!(lines[2], UNKNOWN, "{stage} changed an unknown record");
    }
}

#[test]
fn malformed_input_names_the_line_and_exits_2() {
    let input = format!("{UNKNOWN}\n{{\"type\":\"file\",\n");
    for stage in FILTERS.iter().chain(std::iter::once(&"lm-report")) {
        let out = sh(&repo_root(), stage, input.as_bytes());
        assert_eq!(out.status.code(), Some(2), "{stage}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("<stdin>:2:"), "{stage}: {err}");
    }
}

#[test]
fn lenient_mode_skips_bad_lines_and_says_how_many() {
    let input = format!("not json\n{UNKNOWN}\n[1]\n");
    for stage in FILTERS {
        let out = sh(
            &repo_root(),
            &format!("{stage} --lenient"),
            input.as_bytes(),
        );
        assert!(out.status.success(), "{stage}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("skipped 2 malformed"), "{stage}: {err}");
        let records = json_lines(&out.stdout);
        assert!(records.iter().any(|r| r["type"] == "diagnostic"
            && r["code"] == "skipped-lines"
            && r["stage"] == *stage));
        assert!(records.iter().any(|r| r["type"] == "x-custom-note"));
    }
}

#[test]
fn a_closed_downstream_pipe_ends_quietly() {
    let dir = tempfile::tempdir().unwrap();
    for i in 0..3000 {
        std::fs::write(dir.path().join(format!("f{i}.ts")), "export const a = 1;\n").unwrap();
    }
    let out = sh(
        dir.path(),
        "lm-files . | lm-parse | lm-secrets | lm-authz | lm-inject | lm-deps | head -n 1; echo \"status=${PIPESTATUS:-ok}\"",
        b"",
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.is_empty(), "stderr should be empty, got: {err}");
    assert!(out.status.success());
    let first = String::from_utf8_lossy(&out.stdout);
    assert!(first.starts_with("{\"type\":\"file\""), "{first}");
}
