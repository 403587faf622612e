//! End-to-end tests of `lm-secrets` through real pipes.

use std::path::Path;

use assert_cmd::Command;
use lm_secrets::examples::expand;
use lm_secrets::rules::Check;

fn file_record(root: &Path, path: &str, role: &str) -> String {
    let size = std::fs::metadata(root.join(path))
        .map(|m| m.len())
        .unwrap_or(0);
    serde_json::json!({
        "type": "file",
        "path": path,
        "root": root.to_str().unwrap(),
        "size": size,
        "binary": false,
        "role": role,
        "role_reason": "test",
    })
    .to_string()
}

fn write(root: &Path, path: &str, text: &str) {
    let p = root.join(path);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

fn records(stdout: &[u8]) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn passes_everything_through_and_adds_findings_after_their_file() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let svc = expand("{{jwt:service_role}}", "e2e-svc");
    write(root, ".env", &format!("SUPABASE_SERVICE_ROLE_KEY={svc}\n"));
    write(
        root,
        "src/lib/ai.ts",
        "export const openai = new OpenAI({ apiKey: import.meta.env.VITE_OPENAI_API_KEY, dangerouslyAllowBrowser: true });\n",
    );
    write(
        root,
        "src/server/ok.ts",
        "export const key = process.env.STRIPE_SECRET_KEY;\n",
    );
    let input = [
        file_record(root, ".env", "config"),
        r#"{"type":"fact","kind":"something","x":1}"#.to_string(),
        file_record(root, "src/lib/ai.ts", "client"),
        r#"{"type":"future-kind","payload":[1,2,3]}"#.to_string(),
        file_record(root, "src/server/ok.ts", "server"),
    ]
    .join("\n")
        + "\n";
    let out = Command::cargo_bin("lm-secrets")
        .unwrap()
        .write_stdin(input.clone())
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out.clone()).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    // input lines come back unchanged and in order, findings right after their file
    let inputs: Vec<&str> = input.lines().collect();
    assert_eq!(lines[0], inputs[0]);
    assert!(
        lines[1].contains("\"secrets.supabase-service-role-key\""),
        "{}",
        lines[1]
    );
    assert_eq!(lines[2], inputs[1]);
    assert_eq!(lines[3], inputs[2]);
    assert!(
        lines[4].contains("\"secrets.client-exposed-secret-name\""),
        "{}",
        lines[4]
    );
    assert_eq!(lines[5], inputs[3]);
    assert_eq!(lines[6], inputs[4]);
    assert!(
        lines[7].starts_with("{\"type\":\"summary\""),
        "{}",
        lines[7]
    );
    assert_eq!(lines.len(), 8);
    let recs = records(&out);
    let f = &recs[1];
    assert_eq!(f["category"], "secret.hardcoded");
    assert_eq!(f["severity"], "critical");
    assert_eq!(f["cwe"], 798);
    assert_eq!(f["line"], 1);
    assert_eq!(f["column"], 27);
    assert!(f["message"]
        .as_str()
        .unwrap()
        .contains("should not be committed"));
    assert!(!text.contains(&svc));
    let g = &recs[4];
    assert_eq!(g["category"], "secret.client-exposed");
    assert_eq!(g["cwe"], 522);
    assert_eq!(recs[7]["counts"]["findings"], 2);
}

#[test]
fn no_output_ever_holds_a_full_secret() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let rules = lm_secrets::rules::builtin().unwrap();
    let mut input = String::new();
    let mut secrets = Vec::new();
    for rule in &rules {
        if rule.spec.check == Check::PublicName {
            continue;
        }
        for (i, tpl) in rule.spec.positive.iter().enumerate() {
            let text = expand(tpl, &format!("{}#{i}", rule.spec.id));
            let (name, body) = match text.strip_prefix('[').and_then(|r| r.split_once("] ")) {
                Some((p, b)) => (format!("{}/{i}/{p}", rule.spec.id), b.to_string()),
                None => (format!("{}/{i}/src/config.ts", rule.spec.id), text.clone()),
            };
            for s in rule.raw_secrets(body.as_bytes()) {
                secrets.push(String::from_utf8(s).unwrap());
            }
            write(root, &name, &body);
            input.push_str(&file_record(root, &name, "client"));
            input.push('\n');
        }
    }
    let output = Command::cargo_bin("lm-secrets")
        .unwrap()
        .write_stdin(input.clone())
        .output()
        .unwrap();
    assert!(output.status.success());
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let findings = stdout
        .lines()
        .filter(|l| l.contains("\"type\":\"finding\""))
        .count();
    assert!(findings >= secrets.len() / 2, "only {findings} findings");
    for s in &secrets {
        assert!(s.len() >= 8);
        assert!(!stdout.contains(s.as_str()), "stdout holds a full secret");
        assert!(!stderr.contains(s.as_str()), "stderr holds a full secret");
    }
}

#[test]
fn malformed_input_fails_or_is_skipped_with_a_diagnostic() {
    let input = "{\"type\":\"file\",\"path\":\"a\"\nnot json\n";
    let out = Command::cargo_bin("lm-secrets")
        .unwrap()
        .write_stdin(input)
        .assert()
        .code(2)
        .get_output()
        .stderr
        .clone();
    let err = String::from_utf8_lossy(&out);
    assert!(err.contains("line 1"), "{err}");

    let out = Command::cargo_bin("lm-secrets")
        .unwrap()
        .arg("--lenient")
        .write_stdin("{\"type\":\"fact\"}\nnot json\n")
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let recs = records(&out);
    assert!(recs
        .iter()
        .any(|r| r["type"] == "diagnostic" && r["code"] == "skipped-lines"));
}

#[test]
fn unreadable_binary_and_bad_file_records_do_not_stop_the_stage() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let key = expand("ghp_{{a:36}}", "bin");
    std::fs::write(
        root.join("blob.bin"),
        [&[0u8, 1, 2][..], key.as_bytes()].concat(),
    )
    .unwrap();
    write(root, "real.ts", &format!("const t = \"{key}\";\n"));
    let mut flagged =
        serde_json::from_str::<serde_json::Value>(&file_record(root, "real.ts", "server")).unwrap();
    flagged["binary"] = true.into();
    let input = [
        file_record(root, "missing.ts", "server"),
        file_record(root, "blob.bin", "other"),
        flagged.to_string(),
        r#"{"type":"file","path":3}"#.to_string(),
        file_record(root, "real.ts", "server"),
    ]
    .join("\n");
    let out = Command::cargo_bin("lm-secrets")
        .unwrap()
        .write_stdin(input)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let recs = records(&out);
    let diags: Vec<&serde_json::Value> =
        recs.iter().filter(|r| r["type"] == "diagnostic").collect();
    assert_eq!(diags.len(), 2, "{diags:?}");
    assert_eq!(diags[0]["code"], "unreadable");
    assert_eq!(diags[0]["path"], "missing.ts");
    assert_eq!(diags[1]["code"], "malformed-input");
    let findings: Vec<&serde_json::Value> =
        recs.iter().filter(|r| r["type"] == "finding").collect();
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0]["path"], "real.ts");
    let summary = recs.last().unwrap();
    assert_eq!(summary["counts"]["skipped_binary"], 2);
    assert_eq!(summary["counts"]["unreadable"], 1);
}

#[test]
fn configuration_from_the_root_or_the_flag() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let key = expand("ghp_{{a:36}}", "cfg");
    write(root, "src/a.ts", &format!("const t = \"{key}\";\n"));
    write(root, "vendor/b.ts", &format!("const t = \"{key}\";\n"));
    write(root, ".lm.toml", "[paths]\nexclude = [\"vendor/**\"]\n");
    let input = format!(
        "{}\n{}\n",
        file_record(root, "src/a.ts", "server"),
        file_record(root, "vendor/b.ts", "server")
    );
    let out = Command::cargo_bin("lm-secrets")
        .unwrap()
        .write_stdin(input.clone())
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let paths: Vec<String> = records(&out)
        .iter()
        .filter(|r| r["type"] == "finding")
        .map(|r| r["path"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(paths, vec!["src/a.ts"]);

    let other = root.join("other.toml");
    std::fs::write(&other, "[secrets]\ndisable = [\"secrets.github-pat\"]\n").unwrap();
    let out = Command::cargo_bin("lm-secrets")
        .unwrap()
        .arg("--config")
        .arg(&other)
        .write_stdin(input.clone())
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert!(!records(&out).iter().any(|r| r["type"] == "finding"));

    std::fs::write(&other, "[secrets]\ndisable = [\"no-such-rule\"]\n").unwrap();
    let err = Command::cargo_bin("lm-secrets")
        .unwrap()
        .arg("--config")
        .arg(&other)
        .write_stdin(input)
        .assert()
        .code(2)
        .get_output()
        .stderr
        .clone();
    assert!(String::from_utf8_lossy(&err).contains("no-such-rule"));
}

#[test]
fn lists_rules_and_keywords() {
    let out = Command::cargo_bin("lm-secrets")
        .unwrap()
        .arg("--list-rules")
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    assert!(text.lines().count() >= 200);
    assert!(text
        .lines()
        .all(|l| l.starts_with("secrets.") && l.split('\t').count() == 4));
    assert!(text
        .lines()
        .any(|l| l.starts_with("secrets.database-dump\t")));
    let out = Command::cargo_bin("lm-secrets")
        .unwrap()
        .arg("--list-keywords")
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert!(String::from_utf8(out)
        .unwrap()
        .lines()
        .any(|k| k == "sk_live_"));
}

#[test]
fn lm_files_into_lm_secrets_on_the_fixture_app() {
    let app = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/secrets/vite-app");
    let listing = Command::cargo_bin("lm-files")
        .unwrap()
        .arg(&app)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let out = Command::cargo_bin("lm-secrets")
        .unwrap()
        .write_stdin(listing.clone())
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    // every listed record comes back
    let listed = String::from_utf8(listing).unwrap();
    let text = String::from_utf8(out.clone()).unwrap();
    for line in listed.lines() {
        assert!(text.contains(line), "lost: {line}");
    }
    let findings: Vec<(String, String, String)> = records(&out)
        .iter()
        .filter(|r| r["type"] == "finding")
        .map(|r| {
            (
                r["rule"].as_str().unwrap().to_string(),
                r["path"].as_str().unwrap().to_string(),
                r["severity"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let expected = vec![
        (
            "secrets.client-exposed-secret-name".to_string(),
            ".env.example".to_string(),
            "high".to_string(),
        ),
        (
            "secrets.client-exposed-secret-name".to_string(),
            "src/lib/ai.ts".to_string(),
            "critical".to_string(),
        ),
    ];
    let mut sorted = findings.clone();
    sorted.sort();
    assert_eq!(sorted, expected, "{findings:?}");
}

#[test]
fn a_committed_database_dump_is_reported_once_without_its_data() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "backups/prod.sql",
        "--\n-- PostgreSQL database dump\n--\n\nCREATE TABLE public.profiles (id uuid, full_name text, email text);\n\nCOPY public.profiles (id, full_name, email) FROM stdin;\n6f1c0c0e-0000-4000-8000-000000000001\tMaria Souza\tmaria@example.net\n6f1c0c0e-0000-4000-8000-000000000002\tJoão Lima\tjoao@example.net\n\\.\n",
    );
    // Look-alikes: a seed with demo rows and a schema-only dump.
    write(
        root,
        "supabase/seed.sql",
        "insert into public.profiles (id, full_name, email) values ('6f1c0c0e-0000-4000-8000-000000000003', 'Demo User', 'demo@example.com');\n",
    );
    write(
        root,
        "supabase/schema.sql",
        "-- PostgreSQL database dump\nCREATE TABLE public.profiles (id uuid, email text);\n",
    );
    let input = [
        file_record(root, "backups/prod.sql", "other"),
        file_record(root, "supabase/seed.sql", "migration"),
        file_record(root, "supabase/schema.sql", "migration"),
    ]
    .join("\n");
    let out = Command::cargo_bin("lm-secrets")
        .unwrap()
        .write_stdin(input.clone())
        .output()
        .unwrap();
    assert!(out.status.success());
    let findings: Vec<_> = records(&out.stdout)
        .into_iter()
        .filter(|r| r["type"] == "finding")
        .collect();
    assert_eq!(findings.len(), 1, "{findings:?}");
    let f = &findings[0];
    assert_eq!(f["rule"], "secrets.database-dump");
    assert_eq!(f["path"], "backups/prod.sql");
    assert_eq!(f["line"], 7);
    assert_eq!(f["category"], "secret.hardcoded");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        !text.contains("Maria") && !text.contains("example.net"),
        "{text}"
    );

    // `[secrets] disable` turns it off.
    write(
        root,
        ".lm.toml",
        "[secrets]\ndisable = [\"database-dump\"]\n",
    );
    let out = Command::cargo_bin("lm-secrets")
        .unwrap()
        .args(["--config", root.join(".lm.toml").to_str().unwrap()])
        .write_stdin(input)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!String::from_utf8_lossy(&out.stdout).contains("\"type\":\"finding\""));
}
