//! End to end: `.lm.toml` through the whole pipeline.
//!
//! A small Next.js + Supabase app (`tests/fixtures/config/app/`) is copied to a temporary
//! root, and the credentials it needs are written at run time (so no secret-looking
//! literal lives in the repository). Each test runs the pipeline once without
//! configuration, checks the finding is there, then again with a section that should
//! change it, so the configuration is what made the difference. Bad values must stop the
//! stage that owns the section (exit 2) with a message naming the file and the section.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Output;

use common::*;
use serde_json::Value;

/// A scratch copy of the fixture app.
struct App {
    dir: tempfile::TempDir,
}

/// A Stripe live secret key shape, assembled so the source holds no such literal.
fn stripe_key() -> String {
    format!(
        "{}_{}_{}",
        "sk", "live", "51Nq3xQaZ8rT0kLmP2vW9yHcJ4dF6gB1sE7uR5tY"
    )
}

/// A token of the project's own format (found by the generic rule, or by a custom one).
fn acme_token() -> String {
    format!("{}_{}", "acme_svc", "7f3k9q2m8x1v5b6n4c0z7p2w9r3t8y1u")
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let dest = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &dest);
        } else {
            std::fs::copy(entry.path(), dest).unwrap();
        }
    }
}

impl App {
    fn new() -> App {
        let dir = tempfile::tempdir().unwrap();
        copy_dir(&repo_root().join("tests/fixtures/config/app"), dir.path());
        let app = App { dir };
        let stripe = format!(
            "import Stripe from \"stripe\";\n\nexport const stripe = new Stripe(\"{}\", {{ apiVersion: \"2024-06-20\" }});\n",
            stripe_key()
        );
        app.write("lib/stripe.ts", &stripe);
        app.write("scripts/seed.ts", &stripe);
        app.write(
            "lib/billing.ts",
            &format!(
                "const BILLING_TOKEN = \"{}\";\n\nexport async function syncInvoices() {{\n  return fetch(\"https://billing.internal.example/v1/sync\", {{\n    headers: {{ authorization: `Bearer ${{BILLING_TOKEN}}` }},\n  }});\n}}\n",
                acme_token()
            ),
        );
        app
    }

    fn root(&self) -> &Path {
        self.dir.path()
    }

    fn config_path(&self) -> PathBuf {
        self.root().join(".lm.toml")
    }

    fn write(&self, rel: &str, text: &str) {
        let p = self.root().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    /// Writes `.lm.toml` at the root (removes it for `None`).
    fn config(&self, text: Option<&str>) {
        match text {
            Some(t) => std::fs::write(self.config_path(), t).unwrap(),
            None => {
                let _ = std::fs::remove_file(self.config_path());
            }
        }
    }

    /// `lm-files ROOT | lm-parse | ... | <last>` (the filters, in pipeline order, up to
    /// and including `last`), run from the repository root so nothing depends on the
    /// working directory.
    fn pipeline(&self, last: &str, extra: &str) -> String {
        let osv = repo_root().join("examples/osv");
        let mut script = format!("lm-files '{}' | lm-parse", self.root().display());
        for stage in &FILTERS[1..] {
            let args = if *stage == "lm-deps" {
                format!(" --db '{}'", osv.display())
            } else {
                String::new()
            };
            let extra = if *stage == last { extra } else { "" };
            script.push_str(&format!(" | {stage}{args} {extra}"));
            if *stage == last {
                return script;
            }
        }
        assert_eq!(last, "lm-report", "unknown stage {last}");
        format!("{script} | lm-report {extra}")
    }

    /// `lm-files ROOT | lm-parse | stage`: only `stage` reads the configuration.
    fn stage_alone(&self, stage: &str) -> Output {
        let script = format!("lm-files '{}' | lm-parse | {stage}", self.root().display());
        sh(&repo_root(), &script, b"")
    }

    fn run(&self, last: &str, extra: &str) -> Output {
        sh(&repo_root(), &self.pipeline(last, extra), b"")
    }

    /// Every record after `last`, failing on any error.
    fn records(&self, last: &str) -> Vec<Value> {
        let out = self.run(last, "");
        assert!(
            out.status.success() && out.stderr.is_empty(),
            "pipeline failed ({:?}): {}",
            out.status.code(),
            String::from_utf8_lossy(&out.stderr)
        );
        let recs = json_lines(&out.stdout);
        let errors: Vec<&Value> = recs
            .iter()
            .filter(|r| r["type"] == "diagnostic" && r["level"] == "error")
            .collect();
        assert!(errors.is_empty(), "error diagnostics: {errors:?}");
        recs
    }

    /// `(rule, path)` of every finding after `last`.
    fn findings(&self, last: &str) -> BTreeSet<(String, String)> {
        keys(&self.records(last))
    }
}

fn keys(recs: &[Value]) -> BTreeSet<(String, String)> {
    recs.iter()
        .filter(|r| r["type"] == "finding")
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["path"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn has(found: &BTreeSet<(String, String)>, rule: &str, path: &str) -> bool {
    found.contains(&(rule.to_string(), path.to_string()))
}

/// Asserts `rule` at `path` is reported without configuration and not with `config`,
/// and that nothing else changed.
fn silenced_by(app: &App, stage: &str, config: &str, rule: &str, path: &str) {
    app.config(None);
    let before = app.findings(stage);
    assert!(
        has(&before, rule, path),
        "baseline lacks {rule} at {path}: {before:?}"
    );
    app.config(Some(config));
    let after = app.findings(stage);
    app.config(None);
    let mut expected = before.clone();
    expected.remove(&(rule.to_string(), path.to_string()));
    assert_eq!(after, expected, "with {config}");
}

/// The complete example of docs/config.md.
fn full_example() -> String {
    std::fs::read_to_string(repo_root().join("tests/fixtures/config/full.lm.toml")).unwrap()
}

#[test]
fn the_documented_example_is_the_tested_one() {
    let doc = std::fs::read_to_string(repo_root().join("docs/config.md")).unwrap();
    assert!(
        doc.contains(&full_example()),
        "docs/config.md must quote tests/fixtures/config/full.lm.toml verbatim"
    );
}

#[test]
fn a_file_with_every_section_is_accepted_by_the_whole_pipeline() {
    let app = App::new();
    app.config(Some(&full_example()));
    // the example names a baseline relative to itself
    app.write(
        ".lm-baseline.json",
        "{\"version\": 1, \"tool\": \"lm\", \"findings\": []}\n",
    );
    let out = app.run("lm-report", "--format json");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        matches!(out.status.code(), Some(0 | 1)) && stderr.is_empty(),
        "exit {:?}: {stderr}",
        out.status.code()
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["diagnostics"], serde_json::json!([]), "{report}");
    assert_eq!(report["min_severity"], "low");
    assert_eq!(report["fail_on"], "high");
    // every stage that sums up ran to its end (lm-parse writes no summary)
    let recs = app.records("lm-deps");
    for stage in ["lm-files", "lm-secrets", "lm-authz", "lm-inject", "lm-deps"] {
        assert!(
            recs.iter()
                .any(|r| r["type"] == "summary" && r["stage"] == *stage),
            "no summary from {stage}"
        );
    }
    // and every section took effect
    let found = keys(&recs);
    for (rule, path) in [
        ("secrets.acme-service-token", "lib/billing.ts"),
        ("inject.sql", "app/api/search/route.ts"),
        ("deps.known-advisory", "package-lock.json"),
    ] {
        assert!(has(&found, rule, path), "{rule} at {path}: {found:?}");
    }
    for (rule, path) in [
        ("secrets.generic-secret-assignment", "lib/billing.ts"),
        (
            "authz.unauthenticated-route",
            "app/api/partner/orders/route.ts",
        ),
        (
            "authz.unauthenticated-route",
            "app/api/embed/[slug]/route.ts",
        ),
        ("authz.unauthenticated-route", "app/api/changelog/route.ts"),
        ("inject.xss", "app/api/notes/preview/route.ts"),
        ("inject.log", "app/api/search/route.ts"),
    ] {
        assert!(!has(&found, rule, path), "{rule} at {path}: {found:?}");
    }
}

/// Runs `lm-files ROOT | lm-parse | stage` with `config` at the root and checks the stage
/// stops with exit 2 and a message naming the file and `section`.
fn rejects(app: &App, stage: &str, config: &str, section: &str) {
    app.config(Some(config));
    let out = app.stage_alone(stage);
    app.config(None);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(2),
        "{stage} with {config:?}: {stderr}"
    );
    assert!(stderr.starts_with(&format!("{stage}: error:")), "{stderr}");
    assert!(stderr.contains(section), "{stage}: {stderr}");
    assert!(stderr.contains(".lm.toml"), "{stage}: {stderr}");
}

#[test]
fn a_bad_value_stops_the_stage_that_owns_the_section() {
    let app = App::new();
    let file = app.config_path().display().to_string();
    // wrong types name the full path of the file
    for (stage, config, section) in [
        (
            "lm-secrets",
            "[secrets]\ndisable = \"generic-secret-assignment\"\n",
            "[secrets]",
        ),
        (
            "lm-authz",
            "[authz]\npublic_routes = \"/api/embed/**\"\n",
            "[authz]",
        ),
        (
            "lm-inject",
            "[inject]\ninclude_tests = \"yes\"\n",
            "[inject]",
        ),
        (
            "lm-report",
            "[report]\nmin_severity = \"urgent\"\n",
            "[report]",
        ),
        ("lm-deps", "[deps]\ndisable = \"deps.unpinned\"\n", "[deps]"),
    ] {
        rejects(&app, stage, config, section);
        app.config(Some(config));
        let stderr = String::from_utf8_lossy(&app.stage_alone(stage).stderr).to_string();
        app.config(None);
        assert!(stderr.contains(&file), "{stage}: {stderr}");
    }
    // values of the right type that mean nothing
    for (stage, config, section) in [
        (
            "lm-secrets",
            "[secrets]\ndisable = [\"no-such-rule\"]\n",
            "[secrets]",
        ),
        (
            "lm-secrets",
            "[secrets.allow]\nvalues = [\"(unclosed\"]\n",
            "[secrets]",
        ),
        ("lm-secrets", "[[secrets.rules]]\nid = \"x\"\n", "[secrets]"),
        (
            "lm-authz",
            "[authz]\npublic_routes = [\"/api/[\"]\n",
            "[authz]",
        ),
        ("lm-report", "[report]\nfail_on = \"urgent\"\n", "[report]"),
        // unknown keys are errors, not silently ignored
        (
            "lm-authz",
            "[authz]\npublic_route = [\"/api/embed/**\"]\n",
            "[authz]",
        ),
        (
            "lm-inject",
            "[inject]\nsanitiser = [\"clean\"]\n",
            "[inject]",
        ),
        ("lm-report", "[report]\nfailOn = \"high\"\n", "[report]"),
        ("lm-deps", "[deps]\nignored = []\n", "[deps]"),
    ] {
        rejects(&app, stage, config, section);
    }
    // the shared section stops every stage that reads it
    for stage in ["lm-secrets", "lm-authz", "lm-inject", "lm-deps"] {
        rejects(
            &app,
            stage,
            "[paths]\nexclude = \"scripts/**\"\n",
            "[paths]",
        );
    }
    // a file that is not TOML stops every stage that reads configuration
    for stage in [
        "lm-secrets",
        "lm-authz",
        "lm-inject",
        "lm-deps",
        "lm-report",
    ] {
        rejects(
            &app,
            stage,
            "[report\nfail_on = \"high\"\n",
            "TOML parse error",
        );
    }
    // unknown sections are left alone (a newer file with an older stage)
    app.config(Some("[future-stage]\nmode = \"strict\"\n"));
    app.records("lm-deps");
    let out = app.run("lm-report", "");
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_bad_deps_section_stops_lm_deps() {
    let app = App::new();
    for (config, says) in [
        // an ignore without its reason
        (
            "[deps]\nignore = [{ id = \"GHSA-f82v-jwr5-mffw\" }]\n",
            "missing field `reason`",
        ),
        // an expiry that is no date written YYYY-MM-DD, or no day of the calendar
        (
            "[deps]\nignore = [{ id = \"GHSA-f82v-jwr5-mffw\", reason = \"r\", expires = \"31/12/2026\" }]\n",
            "`31/12/2026` is not a date written YYYY-MM-DD",
        ),
        (
            "[deps]\nignore = [{ id = \"GHSA-f82v-jwr5-mffw\", reason = \"r\", expires = \"2026-6-30\" }]\n",
            "`2026-6-30` is not a date written YYYY-MM-DD",
        ),
        (
            "[deps]\nignore = [{ id = \"GHSA-f82v-jwr5-mffw\", reason = \"r\", expires = \"2026-02-30\" }]\n",
            "`2026-02-30` is not a date written YYYY-MM-DD",
        ),
        // a rule that does not exist, named with the ones that do
        (
            "[deps]\ndisable = [\"deps.install-scripts\"]\n",
            "[deps] disable: unknown rule `deps.install-scripts` (rules: deps.known-advisory,",
        ),
        (
            "[deps]\ndisabled = [\"known-advisories\"]\n",
            "unknown rule `known-advisories`",
        ),
    ] {
        rejects(&app, "lm-deps", config, "[deps]");
        app.config(Some(config));
        let out = app.stage_alone("lm-deps");
        app.config(None);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(says), "{config:?}: {stderr}");
        // it stopped before passing anything on
        assert!(out.stdout.is_empty(), "{config:?}");
    }
}

#[test]
fn secrets_section_changes_what_is_reported() {
    let app = App::new();
    // a disabled rule no longer fires (with or without the `secrets.` prefix)
    for id in ["stripe-live-secret-key", "secrets.stripe-live-secret-key"] {
        app.config(None);
        let before = app.findings("lm-secrets");
        assert!(has(
            &before,
            "secrets.stripe-live-secret-key",
            "lib/stripe.ts"
        ));
        app.config(Some(&format!("[secrets]\ndisable = [\"{id}\"]\n")));
        let after = app.findings("lm-secrets");
        assert!(
            !after
                .iter()
                .any(|(r, _)| r == "secrets.stripe-live-secret-key"),
            "{after:?}"
        );
        assert!(has(
            &after,
            "secrets.generic-secret-assignment",
            "lib/billing.ts"
        ));
    }
    // a project rule names the token precisely (it wins over the generic rule)
    app.config(None);
    let before = app.findings("lm-secrets");
    assert!(
        has(
            &before,
            "secrets.generic-secret-assignment",
            "lib/billing.ts"
        ),
        "{before:?}"
    );
    assert!(!has(
        &before,
        "secrets.acme-service-token",
        "lib/billing.ts"
    ));
    app.config(Some(concat!(
        "[[secrets.rules]]\n",
        "id = \"acme-service-token\"\n",
        "provider = \"Acme\"\n",
        "description = \"Acme internal service token\"\n",
        "keywords = [\"acme_svc_\"]\n",
        "regex = '\\b(?P<secret>acme_svc_[a-z0-9]{32})\\b'\n",
        "severity = \"high\"\n",
    )));
    let recs = app.records("lm-secrets");
    let after = keys(&recs);
    app.config(None);
    assert!(
        has(&after, "secrets.acme-service-token", "lib/billing.ts"),
        "{after:?}"
    );
    assert!(!has(
        &after,
        "secrets.generic-secret-assignment",
        "lib/billing.ts"
    ));
    let f = recs
        .iter()
        .find(|r| r["rule"] == "secrets.acme-service-token")
        .unwrap();
    assert_eq!(f["severity"], "high");
    // never the whole token
    assert!(!String::from_utf8_lossy(&serde_json::to_vec(&recs).unwrap()).contains(&acme_token()));
    // allowlists: by path, by value regex, by stopword
    silenced_by(
        &app,
        "lm-secrets",
        "[secrets.allow]\npaths = [\"scripts/**\"]\n",
        "secrets.stripe-live-secret-key",
        "scripts/seed.ts",
    );
    silenced_by(
        &app,
        "lm-secrets",
        "[secrets.allow]\nvalues = [\"^acme_svc_\"]\n",
        "secrets.generic-secret-assignment",
        "lib/billing.ts",
    );
    silenced_by(
        &app,
        "lm-secrets",
        "[secrets.allow]\nstopwords = [\"ACME_SVC\"]\n",
        "secrets.generic-secret-assignment",
        "lib/billing.ts",
    );
}

#[test]
fn authz_section_changes_what_is_reported() {
    let app = App::new();
    // a project authentication helper
    silenced_by(
        &app,
        "lm-authz",
        "[authz]\nauth_helpers = [\"checkPartnerKey\"]\n",
        "authz.unauthenticated-route",
        "app/api/partner/orders/route.ts",
    );
    // a public route glob
    silenced_by(
        &app,
        "lm-authz",
        "[authz]\npublic_routes = [\"/api/embed/**\"]\n",
        "authz.unauthenticated-route",
        "app/api/embed/[slug]/route.ts",
    );
    // a public table read without authentication
    silenced_by(
        &app,
        "lm-authz",
        "[authz]\npublic_tables = [\"changelog_entries\"]\n",
        "authz.unauthenticated-route",
        "app/api/changelog/route.ts",
    );
    // a disabled rule
    silenced_by(
        &app,
        "lm-authz",
        "[authz]\ndisable = [\"authz.rls-disabled\"]\n",
        "authz.rls-disabled",
        "supabase/migrations/20240610090000_init.sql",
    );
}

#[test]
fn inject_section_changes_what_is_reported() {
    let app = App::new();
    // a project sanitiser ends the flow
    silenced_by(
        &app,
        "lm-inject",
        "[inject]\nsanitizers = [\"markdownToSafeHtml\"]\n",
        "inject.xss",
        "app/api/notes/preview/route.ts",
    );
    // a disabled rule
    silenced_by(
        &app,
        "lm-inject",
        "[inject]\ndisable = [\"inject.log\"]\n",
        "inject.log",
        "app/api/search/route.ts",
    );
    // test files are skipped unless include_tests
    app.write(
        "app/api/search/route.test.ts",
        "import { pool } from \"@/lib/db\";\n\nexport async function GET(request: Request) {\n  const q = new URL(request.url).searchParams.get(\"q\");\n  return Response.json((await pool.query(`select * from documents where title = '${q}'`)).rows);\n}\n",
    );
    let before = app.findings("lm-inject");
    assert!(
        !before.iter().any(|(_, p)| p.ends_with(".test.ts")),
        "{before:?}"
    );
    app.config(Some("[inject]\ninclude_tests = true\n"));
    let after = app.findings("lm-inject");
    app.config(None);
    assert!(
        has(&after, "inject.sql", "app/api/search/route.test.ts"),
        "{after:?}"
    );
}

#[test]
fn deps_section_changes_what_is_reported() {
    let app = App::new();
    let advisories = |app: &App| -> BTreeSet<String> {
        app.records("lm-deps")
            .iter()
            .filter(|r| r["type"] == "finding" && r["rule"] == "deps.known-advisory")
            .map(|r| r["details"]["advisory"].as_str().unwrap().to_string())
            .collect()
    };
    let all = advisories(&app);
    // next 13.5.6 and axios 1.5.0 are affected by these examples/osv advisories
    for id in [
        "GHSA-f82v-jwr5-mffw",
        "GHSA-4hjh-wcwx-xvwj",
        "GHSA-wf5p-g6vw-rhxx",
    ] {
        assert!(all.contains(id), "{id}: {all:?}");
    }
    // ignored by advisory id (any case) and by alias
    for id in [
        "GHSA-f82v-jwr5-mffw",
        "ghsa-f82v-jwr5-mffw",
        "CVE-2025-29927",
    ] {
        app.config(Some(&format!(
            "[deps]\nignore = [{{ id = \"{id}\", reason = \"middleware only redirects\", expires = \"2999-12-31\" }}]\n"
        )));
        let mut expected = all.clone();
        expected.remove("GHSA-f82v-jwr5-mffw");
        assert_eq!(advisories(&app), expected, "ignore {id}");
    }
    // an expired ignore no longer hides the advisory, and says so
    app.config(Some(
        "[deps]\nignore = [{ id = \"GHSA-f82v-jwr5-mffw\", reason = \"until the upgrade\", expires = \"2020-01-01\" }]\n",
    ));
    let recs = app.records("lm-deps");
    let next = recs
        .iter()
        .find(|r| r["type"] == "finding" && r["details"]["advisory"] == "GHSA-f82v-jwr5-mffw")
        .expect("expired ignore does not hide");
    assert_eq!(next["details"]["expired_ignore"][0], "until the upgrade");
    // ... and compares days, not text: an ignore ending yesterday has expired, one
    // ending today or next year (or written as a TOML date) still applies
    let today = lm_deps::config::IsoDate::today().days();
    let day = |offset: i64| lm_deps::config::civil(today + offset);
    for (expires, applies) in [
        (format!("\"{}\"", day(-1)), false),
        (format!("\"{}\"", day(0)), true),
        (format!("\"{}\"", day(366)), true),
        (day(30), true),
    ] {
        app.config(Some(&format!(
            "[deps]\nignore = [{{ id = \"GHSA-f82v-jwr5-mffw\", reason = \"r\", expires = {expires} }}]\n"
        )));
        assert_eq!(
            !advisories(&app).contains("GHSA-f82v-jwr5-mffw"),
            applies,
            "expires = {expires}"
        );
    }
    // a disabled rule: `disable` as in the other sections, `disabled` as an alias, with
    // or without the `deps.` prefix
    for config in [
        "[deps]\ndisable = [\"deps.known-advisory\"]\n",
        "[deps]\ndisable = [\"known-advisory\"]\n",
        "[deps]\ndisabled = [\"deps.known-advisory\"]\n",
    ] {
        app.config(Some(config));
        assert!(advisories(&app).is_empty(), "{config}");
    }
    app.config(None);
}

#[test]
fn shared_paths_exclude_drops_deps_findings_in_excluded_manifests_and_lockfiles() {
    let app = App::new();
    // a second app in the repository, excluded as a whole
    for f in ["package.json", "package-lock.json"] {
        let text = std::fs::read_to_string(app.root().join(f)).unwrap();
        app.write(&format!("examples/legacy/{f}"), &text);
    }
    let deps = |recs: &[Value]| -> BTreeSet<(String, String)> {
        keys(recs)
            .into_iter()
            .filter(|(r, _)| r.starts_with("deps."))
            .collect()
    };
    let before_recs = app.records("lm-deps");
    let before = deps(&before_recs);
    for path in ["package-lock.json", "examples/legacy/package-lock.json"] {
        assert!(
            before
                .iter()
                .any(|(r, p)| r == "deps.known-advisory" && p == path),
            "{path}: {before:?}"
        );
    }
    app.config(Some("[paths]\nexclude = [\"examples/**\"]\n"));
    let recs = app.records("lm-deps");
    let after = deps(&recs);
    app.config(None);
    let expected: BTreeSet<(String, String)> = before
        .iter()
        .filter(|(_, p)| !p.starts_with("examples/"))
        .cloned()
        .collect();
    assert!(!expected.is_empty());
    assert_eq!(after, expected);
    // the excluded files' records still pass through
    assert!(recs
        .iter()
        .any(|r| r["type"] == "file" && r["path"] == "examples/legacy/package-lock.json"));
    let summary = recs
        .iter()
        .find(|r| r["type"] == "summary" && r["stage"] == "lm-deps")
        .unwrap();
    let in_examples = before_recs
        .iter()
        .filter(|r| r["type"] == "finding" && r["path"].as_str().unwrap().starts_with("examples/"))
        .count();
    assert_eq!(
        summary["counts"]["excluded"].as_u64().unwrap() as usize,
        in_examples
    );
}

#[test]
fn report_section_sets_the_exit_status_the_view_and_the_baseline() {
    let app = App::new();
    let report = |app: &App, extra: &str| -> (Option<i32>, Value) {
        let out = app.run("lm-report", &format!("--format json {extra}"));
        assert!(
            out.stderr.is_empty(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        (
            out.status.code(),
            serde_json::from_slice(&out.stdout).unwrap(),
        )
    };
    let (code, base) = report(&app, "");
    assert_eq!(code, Some(1), "high findings fail by default");
    assert_eq!(base["fail_on"], "high");
    let total = base["findings"].as_array().unwrap().len();
    assert!(total > 0);
    // fail_on
    app.config(Some("[report]\nfail_on = \"none\"\n"));
    assert_eq!(report(&app, "").0, Some(0));
    // a flag overrides the file
    assert_eq!(report(&app, "--fail-on critical").0, Some(1));
    // min_severity hides findings (they still count for fail_on)
    app.config(Some("[report]\nmin_severity = \"critical\"\n"));
    let (code, r) = report(&app, "");
    assert_eq!(code, Some(1));
    let shown = r["findings"].as_array().unwrap();
    assert!(!shown.is_empty() && shown.len() < total);
    assert!(shown.iter().all(|f| f["severity"] == "critical"));
    assert_eq!(
        r["below_min_severity"].as_u64().unwrap() as usize,
        total - shown.len()
    );
    // baseline, relative to the configuration file
    app.config(None);
    let accepted = app.root().join("accepted.json");
    let out = app.run(
        "lm-report",
        &format!("--write-baseline '{}' --format json", accepted.display()),
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(accepted.is_file());
    app.config(Some("[report]\nbaseline = \"accepted.json\"\n"));
    let (code, r) = report(&app, "");
    assert_eq!(code, Some(0));
    assert_eq!(r["baselined"].as_u64().unwrap() as usize, total);
    app.config(None);
}

#[test]
fn shared_paths_exclude_applies_to_every_stage_that_reports_source_findings() {
    let app = App::new();
    let before = app.findings("lm-deps");
    for (rule, path) in [
        ("secrets.stripe-live-secret-key", "scripts/seed.ts"),
        (
            "authz.unauthenticated-route",
            "app/api/partner/orders/route.ts",
        ),
        ("inject.sql", "app/api/search/route.ts"),
    ] {
        assert!(has(&before, rule, path), "{rule} at {path}: {before:?}");
    }
    app.config(Some(
        "[paths]\nexclude = [\"scripts/**\", \"app/api/partner/**\", \"app/api/search/*.ts\"]\n",
    ));
    let after = app.findings("lm-deps");
    app.config(None);
    let expected: BTreeSet<(String, String)> = before
        .iter()
        .filter(|(_, p)| {
            !p.starts_with("scripts/")
                && !p.starts_with("app/api/partner/")
                && !p.starts_with("app/api/search/")
        })
        .cloned()
        .collect();
    assert_eq!(after, expected);
}

#[test]
fn config_flag_names_the_file_for_every_stage() {
    let app = App::new();
    // the root's file would hide nothing; the named one disables a rule in each stage
    app.config(Some("[future-stage]\nx = 1\n"));
    let other = app.root().join("ci.lm.toml");
    std::fs::write(
        &other,
        concat!(
            "[secrets]\ndisable = [\"stripe-live-secret-key\"]\n",
            "[authz]\ndisable = [\"authz.rls-disabled\"]\n",
            "[inject]\ndisable = [\"inject.sql\"]\n",
            "[deps]\ndisable = [\"deps.known-advisory\"]\n",
            "[report]\nfail_on = \"none\"\n",
        ),
    )
    .unwrap();
    let flag = format!("--config '{}'", other.display());
    let osv = repo_root().join("examples/osv");
    let with = |flag: &str| {
        format!(
            "lm-files '{}' | lm-parse | lm-secrets {flag} | lm-authz {flag} | lm-inject {flag} | lm-deps --db '{}' {flag}",
            app.root().display(),
            osv.display()
        )
    };
    let rules = |script: &str| -> BTreeSet<String> {
        let out = sh(&repo_root(), script, b"");
        assert!(out.status.success() && out.stderr.is_empty());
        keys(&json_lines(&out.stdout))
            .into_iter()
            .map(|(r, _)| r)
            .collect()
    };
    let gone = [
        "secrets.stripe-live-secret-key",
        "authz.rls-disabled",
        "inject.sql",
        "deps.known-advisory",
    ];
    let before = rules(&with(""));
    let after = rules(&with(&flag));
    for rule in gone {
        assert!(before.contains(rule), "{rule}: {before:?}");
        assert!(!after.contains(rule), "{rule}: {after:?}");
    }
    let report = |flag: &str| {
        sh(
            &repo_root(),
            &format!("{} | lm-report {flag}", with("")),
            b"",
        )
        .status
        .code()
    };
    assert_eq!(report(""), Some(1));
    assert_eq!(report(&flag), Some(0));
    // a named file that does not exist is an error
    let missing = format!("--config '{}'", app.root().join("nope.toml").display());
    for stage in [
        "lm-secrets",
        "lm-authz",
        "lm-inject",
        "lm-deps",
        "lm-report",
    ] {
        let out = app.run(stage, &missing);
        assert_eq!(out.status.code(), Some(2), "{stage}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("nope.toml"),
            "{stage}"
        );
    }
}
