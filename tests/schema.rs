//! Real pipeline output validates against the generated record JSON Schema.

mod common;

use common::*;

#[test]
fn pipeline_output_on_the_example_validates_against_the_record_schema() {
    let schema = lm_core::schema::record_schema();
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    let example = repo_root().join("examples/taskflow");
    let out = sh(
        &repo_root(),
        &format!(
            "lm-files --hidden {} | lm-parse | lm-secrets | lm-authz | lm-inject | lm-deps --db examples/osv",
            example.display()
        ),
        b"",
    );
    assert!(
        out.status.success(),
        "pipeline failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let records = json_lines(&out.stdout);
    let mut kinds = std::collections::BTreeSet::new();
    for r in &records {
        kinds.insert(r["type"].as_str().unwrap_or("?").to_string());
        let errors: Vec<String> = validator.iter_errors(r).map(|e| e.to_string()).collect();
        assert!(
            errors.is_empty(),
            "record {r} violates the schema: {errors:?}"
        );
    }
    for expected in ["file", "fact", "finding"] {
        assert!(
            kinds.contains(expected),
            "no {expected} records in {kinds:?}"
        );
    }
}

#[test]
fn the_schema_rejects_a_finding_missing_contract_fields() {
    let schema = lm_core::schema::record_schema();
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    let bad = serde_json::json!({"type": "finding", "rule": "x", "category": "secret.hardcoded"});
    assert!(!validator.is_valid(&bad));
    let bad_category = serde_json::json!({
        "type": "finding", "rule": "x", "category": "not.a-category", "severity": "high",
        "message": "m", "path": "a", "line": 1, "end_line": 1, "cwe": null, "fingerprint": "f"
    });
    assert!(!validator.is_valid(&bad_category));
    let good = serde_json::json!({
        "type": "finding", "rule": "x", "category": "secret.hardcoded", "severity": "high",
        "message": "m", "path": "a", "line": 1, "end_line": 1, "cwe": 798, "fingerprint": "f"
    });
    assert!(validator.is_valid(&good));
}
