//! End-to-end runs of the stage over the fixture projects in the repository's
//! `tests/fixtures/deps/`, through the same driver the binary uses.

use std::path::PathBuf;

use serde_json::Value;

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/deps")
}

/// `file` records for the given paths (relative to the fixtures folder).
fn records(files: &[(&str, &str)]) -> String {
    let root = fixtures();
    files
        .iter()
        .map(|(p, role)| {
            format!(
                "{{\"type\":\"file\",\"path\":\"{p}\",\"root\":\"{}\",\"size\":1,\"binary\":false,\"role\":\"{role}\",\"role_reason\":\"t\"}}\n",
                root.display()
            )
        })
        .collect()
}

fn run(files: &[(&str, &str)], extra: &[&str]) -> Vec<Value> {
    let input = records(files);
    let db = fixtures().join("osv");
    let mut args = vec![
        "lm-deps".to_string(),
        "--db".into(),
        db.display().to_string(),
    ];
    args.extend(extra.iter().map(|s| s.to_string()));
    let mut out = Vec::new();
    lm_deps::cli::run_stream(args, input.as_bytes(), &mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    // Everything passes through first, in order.
    let lines: Vec<&str> = text.lines().collect();
    for (i, l) in input.lines().enumerate() {
        assert_eq!(lines[i], l);
    }
    lines
        .iter()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn findings<'a>(out: &'a [Value], rule: &str) -> Vec<&'a Value> {
    out.iter()
        .filter(|v| v["type"] == "finding" && v["rule"] == rule)
        .collect()
}

fn has(out: &[Value], rule: &str, package: &str) -> bool {
    findings(out, rule).iter().any(|f| f["package"] == package)
}

#[test]
fn npm_app_advisories_conflicts_scripts_drift_typos() {
    let out = run(
        &[
            ("npm-app/package.json", "manifest"),
            ("npm-app/package-lock.json", "lockfile"),
        ],
        &[],
    );
    let vulns = findings(&out, "deps.known-advisory");
    let ids: Vec<(&str, &str)> = vulns
        .iter()
        .map(|f| {
            (
                f["package"].as_str().unwrap(),
                f["details"]["advisory"].as_str().unwrap(),
            )
        })
        .collect();
    // lodash 4.17.20 < 4.17.21; next 13.4.19 < 13.4.20-canary.13; elliptic 6.5.6 == last_affected.
    assert!(ids.contains(&("lodash", "GHSA-35jh-r3h4-6jhm")), "{ids:?}");
    assert!(ids.contains(&("next", "GHSA-c59h-r6p8-q9wc")), "{ids:?}");
    assert!(
        ids.contains(&("elliptic", "GHSA-49q7-c7j4-3p7m")),
        "{ids:?}"
    );
    // lodash 4.17.20 is past GHSA-x5rq's fix (4.17.11): not reported.
    assert!(!ids.contains(&("lodash", "GHSA-x5rq-j2xg-h7qm")));
    assert_eq!(vulns.len(), 3);
    let next = vulns.iter().find(|f| f["package"] == "next").unwrap();
    assert_eq!(next["details"]["fixed"], "13.4.20-canary.13");
    assert_eq!(next["details"]["direct"], true);
    assert_eq!(next["severity"], "high"); // CVSS 7.5
    assert_eq!(next["path"], "npm-app/package-lock.json");
    assert_eq!(next["line"], 62);
    let ell = vulns.iter().find(|f| f["package"] == "elliptic").unwrap();
    assert_eq!(ell["details"]["dev"], true);
    assert_eq!(ell["details"]["direct"], false);
    assert_eq!(ell["severity"], "low"); // CVSS 5.3 (medium), lowered one step: dev only
    assert!(ell["details"]["fixed"].is_null());

    // Conflicts: two majors of react; some-ui-kit's peer react@^17 unmet by 18.2.0.
    assert!(has(&out, "deps.duplicate-singleton", "react"));
    assert!(has(&out, "deps.unmet-peer", "some-ui-kit"));
    // next's peers are met; its optional sass peer is not required.
    assert!(!has(&out, "deps.unmet-peer", "next"));
    assert!(!has(&out, "deps.unmet-peer", "react-dom"));
    // Install scripts: esbuild (dev → info).
    let s = findings(&out, "deps.install-script");
    assert_eq!(s.len(), 1);
    assert_eq!(s[0]["package"], "esbuild");
    assert_eq!(s[0]["severity"], "info");
    // Drift: axios declared but not locked.
    assert!(has(&out, "deps.lockfile-drift", "axios"));
    assert!(!has(&out, "deps.lockfile-drift", "lodash"));
    // Typosquat of express; not of react.
    assert!(has(&out, "deps.typosquat", "expresss"));
    assert_eq!(findings(&out, "deps.typosquat").len(), 1);
    // Unpinned dist-tag.
    assert!(has(&out, "deps.unpinned", "some-ui-kit"));
    assert!(!has(&out, "deps.unpinned", "react"));
    for f in out.iter().filter(|v| v["type"] == "finding") {
        assert!(f["package"].is_string(), "{f}");
        assert_eq!(f["fingerprint"].as_str().unwrap().len(), 16);
    }
}

#[test]
fn python_requirements_with_includes() {
    let out = run(&[("py-app/requirements.txt", "manifest")], &[]);
    let vulns = findings(&out, "deps.known-advisory");
    let pk: Vec<&str> = vulns
        .iter()
        .map(|f| f["package"].as_str().unwrap())
        .collect();
    // django 1.2.3 is in [1.2, 1.2.5) of PYSEC-2011-10; rdiffweb 2.4.3 is the fix; the
    // loguru advisory is withdrawn.
    assert_eq!(pk, vec!["django"], "{vulns:?}");
    assert_eq!(vulns[0]["details"]["fixed"], "1.2.5");
    assert_eq!(vulns[0]["line"], 3);
    assert!(has(&out, "deps.typosquat", "reqeusts"));
    assert!(has(&out, "deps.unpinned", "flask"));
    let g = findings(&out, "deps.unpinned")
        .into_iter()
        .find(|f| f["package"] == "gunicorn")
        .unwrap();
    assert_eq!(g["path"], "py-app/requirements/base.txt");
    assert!(!has(&out, "deps.unpinned", "django"));
}

#[test]
fn cargo_app_rustsec() {
    let out = run(
        &[
            ("rust-app/Cargo.toml", "manifest"),
            ("rust-app/Cargo.lock", "lockfile"),
        ],
        &[],
    );
    let vulns = findings(&out, "deps.known-advisory");
    let ids: Vec<&str> = vulns
        .iter()
        .map(|f| f["details"]["advisory"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"RUSTSEC-2016-0001"));
    assert!(ids.contains(&"RUSTSEC-2021-0145"));
    assert!(
        !ids.contains(&"RUSTSEC-2020-0053"),
        "withdrawn advisory reported"
    );
    let ossl = vulns.iter().find(|f| f["package"] == "openssl").unwrap();
    assert_eq!(ossl["severity"], "high"); // CVSS:3.0 .../AC:H/... = 8.1
    assert_eq!(ossl["details"]["fixed"], "0.9.0");
    assert_eq!(ossl["line"], 17);
    let atty = vulns.iter().find(|f| f["package"] == "atty").unwrap();
    assert_eq!(atty["severity"], "low");
    assert_eq!(atty["details"]["informational"], "unsound");
    assert!(has(&out, "deps.unpinned", "dirs"));
    assert!(!has(&out, "deps.unpinned", "openssl"));
}

#[test]
fn side_by_side_and_missing_lockfiles() {
    let out = run(
        &[
            ("mixed/package.json", "manifest"),
            ("mixed/package-lock.json", "lockfile"),
            ("mixed/yarn.lock", "lockfile"),
            ("nolock/package.json", "manifest"),
        ],
        &[],
    );
    let m = findings(&out, "deps.multiple-lockfiles");
    assert_eq!(m.len(), 1);
    assert_eq!(m[0]["package"], "mixed");
    let n = findings(&out, "deps.no-lockfile");
    assert_eq!(n.len(), 1);
    assert_eq!(n[0]["path"], "nolock/package.json");
    assert!(has(&out, "deps.unpinned", "lucide-react"));
    assert!(!has(&out, "deps.lockfile-drift", "zod"));
}

#[test]
fn ignores_apply_until_they_expire() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("lm.toml");
    std::fs::write(&cfg, "[deps]\nignore = [\n { id = \"CVE-2021-23337\", reason = \"template not used\" },\n { id = \"GHSA-c59h-r6p8-q9wc\", reason = \"old\", expires = \"2020-01-01\" },\n]\n").unwrap();
    let out = run(
        &[
            ("npm-app/package.json", "manifest"),
            ("npm-app/package-lock.json", "lockfile"),
        ],
        &["--config", cfg.to_str().unwrap()],
    );
    // GHSA-35jh-r3h4-6jhm is CVE-2021-23337: ignored by alias.
    assert!(!findings(&out, "deps.known-advisory")
        .iter()
        .any(|f| f["package"] == "lodash"));
    let next = findings(&out, "deps.known-advisory")
        .into_iter()
        .find(|f| f["package"] == "next")
        .unwrap();
    assert!(next["details"]["expired_ignore"].is_array());
    let summary = out.iter().find(|v| v["type"] == "summary").unwrap();
    assert_eq!(summary["counts"]["ignored"], 1);
}

#[test]
fn fingerprints_survive_inserted_lines() {
    let dir = tempfile::tempdir().unwrap();
    let src = fixtures().join("rust-app");
    std::fs::copy(src.join("Cargo.toml"), dir.path().join("Cargo.toml")).unwrap();
    let lock = std::fs::read_to_string(src.join("Cargo.lock")).unwrap();
    let run_in = |lock_text: &str| {
        std::fs::write(dir.path().join("Cargo.lock"), lock_text).unwrap();
        let input = format!(
            "{{\"type\":\"file\",\"path\":\"Cargo.toml\",\"root\":\"{0}\",\"size\":1,\"role\":\"manifest\"}}\n{{\"type\":\"file\",\"path\":\"Cargo.lock\",\"root\":\"{0}\",\"size\":1,\"role\":\"lockfile\"}}\n",
            dir.path().display()
        );
        let mut out = Vec::new();
        let db = fixtures().join("osv");
        lm_deps::cli::run_stream(
            ["lm-deps", "--db", db.to_str().unwrap()],
            input.as_bytes(),
            &mut out,
        )
        .unwrap();
        String::from_utf8(out)
            .unwrap()
            .lines()
            .filter_map(|l| serde_json::from_str::<Value>(l).ok())
            .filter(|v| v["type"] == "finding")
            .map(|v| {
                (
                    v["fingerprint"].as_str().unwrap().to_string(),
                    v["line"].as_u64().unwrap(),
                )
            })
            .collect::<Vec<_>>()
    };
    let a = run_in(&lock);
    let b = run_in(&format!("# extra\n# lines\n{lock}"));
    assert!(!a.is_empty());
    let fa: Vec<&String> = a.iter().map(|x| &x.0).collect();
    let fb: Vec<&String> = b.iter().map(|x| &x.0).collect();
    assert_eq!(fa, fb);
    assert_ne!(
        a.iter().map(|x| x.1).collect::<Vec<_>>(),
        b.iter().map(|x| x.1).collect::<Vec<_>>()
    );
}

#[test]
fn malformed_files_become_diagnostics() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("package.json"),
        "{\"dependencies\": {\"a\": \"1\"}\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("package-lock.json"), [0xffu8, 0xfe, b'{']).unwrap();
    let input = format!(
        "{{\"type\":\"file\",\"path\":\"package.json\",\"root\":\"{0}\",\"size\":1,\"role\":\"manifest\"}}\n{{\"type\":\"file\",\"path\":\"package-lock.json\",\"root\":\"{0}\",\"size\":1,\"role\":\"lockfile\"}}\n{{\"type\":\"file\",\"path\":\"gone/yarn.lock\",\"root\":\"{0}\",\"size\":1,\"role\":\"lockfile\"}}\n",
        dir.path().display()
    );
    let mut out = Vec::new();
    lm_deps::cli::run_stream(["lm-deps"], input.as_bytes(), &mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    let diags: Vec<Value> = text
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|v| v["type"] == "diagnostic")
        .collect();
    let codes: Vec<&str> = diags.iter().map(|d| d["code"].as_str().unwrap()).collect();
    assert!(codes.contains(&"parse-error"), "{codes:?}");
    assert!(codes.contains(&"unreadable"), "{codes:?}");
    assert!(codes.contains(&"invalid-utf8"), "{codes:?}");
    assert!(codes.contains(&"no-advisory-db"), "{codes:?}");
    let pe = diags
        .iter()
        .find(|d| d["code"] == "parse-error" && d["path"] == "package.json")
        .unwrap();
    assert_eq!(pe["line"], 2);
}

#[test]
fn osv_scanner_zip_layout_gives_the_same_answers() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    for eco in ["npm", "PyPI", "crates.io"] {
        std::fs::create_dir_all(dir.path().join(eco)).unwrap();
        let f = std::fs::File::create(dir.path().join(eco).join("all.zip")).unwrap();
        let mut z = zip::ZipWriter::new(f);
        for e in std::fs::read_dir(fixtures().join("osv").join(eco)).unwrap() {
            let p = e.unwrap().path();
            z.start_file(
                p.file_name().unwrap().to_str().unwrap(),
                zip::write::SimpleFileOptions::default(),
            )
            .unwrap();
            z.write_all(&std::fs::read(&p).unwrap()).unwrap();
        }
        z.finish().unwrap();
    }
    let input = records(&[
        ("rust-app/Cargo.toml", "manifest"),
        ("rust-app/Cargo.lock", "lockfile"),
    ]);
    let mut out = Vec::new();
    lm_deps::cli::run_stream(
        ["lm-deps", "--db", dir.path().to_str().unwrap()],
        input.as_bytes(),
        &mut out,
    )
    .unwrap();
    let text = String::from_utf8(out).unwrap();
    assert!(text.contains("RUSTSEC-2016-0001"));
    assert!(!text.contains("RUSTSEC-2020-0053\""));
}

#[test]
fn full_shared_database_when_present() {
    let shared = fixtures().join("../../../../shared/osv");
    if !shared.is_dir() {
        eprintln!("skipped: ../shared/osv is not present");
        return;
    }
    let input = records(&[
        ("npm-app/package.json", "manifest"),
        ("npm-app/package-lock.json", "lockfile"),
    ]);
    let mut out = Vec::new();
    lm_deps::cli::run_stream(
        ["lm-deps", "--db", shared.to_str().unwrap()],
        input.as_bytes(),
        &mut out,
    )
    .unwrap();
    let text = String::from_utf8(out).unwrap();
    let vulns: Vec<Value> = text
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|v| v["rule"] == "deps.known-advisory")
        .collect();
    // The full set has more lodash and next advisories for these old versions.
    assert!(vulns.iter().filter(|v| v["package"] == "lodash").count() >= 2);
    assert!(vulns.iter().filter(|v| v["package"] == "next").count() >= 3);
}

#[test]
fn online_check_against_a_local_stub_registry() {
    use std::io::{BufRead, BufReader, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let server = std::thread::spawn(move || {
        // Answers a bounded number of requests: 200 for names it knows, 404 otherwise.
        let mut paths = Vec::new();
        for stream in listener.incoming().take(3) {
            let mut s = stream.unwrap();
            let mut r = BufReader::new(s.try_clone().unwrap());
            let mut first = String::new();
            r.read_line(&mut first).unwrap();
            let mut h = String::new();
            while r.read_line(&mut h).unwrap() > 2 {
                h.clear();
            }
            let path = first.split_whitespace().nth(1).unwrap_or("").to_string();
            let known = ["/react", "/zod"].contains(&path.as_str());
            let status = if known { "200 OK" } else { "404 Not Found" };
            write!(
                s,
                "HTTP/1.1 {status}\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{{}}"
            )
            .unwrap();
            paths.push(path);
        }
        paths
    });
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("package.json"),
        r#"{"dependencies":{"react":"^18.2.0","zod":"^3.22.0","shadcn-ui-form-helpers":"^1.0.0"}}"#,
    )
    .unwrap();
    let input = format!(
        "{{\"type\":\"file\",\"path\":\"package.json\",\"root\":\"{}\",\"size\":1,\"role\":\"manifest\"}}\n",
        dir.path().display()
    );
    std::env::set_var("LM_NPM_REGISTRY", &base);
    let cache = dir.path().join("cache.json");
    let mut out = Vec::new();
    lm_deps::cli::run_stream(
        ["lm-deps", "--online", "--cache", cache.to_str().unwrap()],
        input.as_bytes(),
        &mut out,
    )
    .unwrap();
    let paths = server.join().unwrap();
    assert_eq!(paths.len(), 3);
    let recs: Vec<Value> = String::from_utf8(out)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let missing: Vec<&Value> = recs
        .iter()
        .filter(|v| v["rule"] == "deps.not-in-registry")
        .collect();
    assert_eq!(missing.len(), 1);
    assert_eq!(missing[0]["package"], "shadcn-ui-form-helpers");
    assert_eq!(missing[0]["category"], "dep.unknown-package");
    assert!(cache.is_file());
    // Second run: answered from the cache, no server.
    let mut out = Vec::new();
    lm_deps::cli::run_stream(
        ["lm-deps", "--online", "--cache", cache.to_str().unwrap()],
        input.as_bytes(),
        &mut out,
    )
    .unwrap();
    let text = String::from_utf8(out).unwrap();
    assert!(text.contains("\"registry_cached\":3"), "{text}");
    assert!(text.contains("deps.not-in-registry"));
}

/// Writes `files` under a temporary root and runs the stage on them.
fn run_tree(files: &[(&str, &str)]) -> Vec<Value> {
    let dir = tempfile::tempdir().unwrap();
    let mut input = String::new();
    for (path, text) in files {
        let p = dir.path().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, text).unwrap();
        let role = if path.ends_with(".lock")
            || path.ends_with("lock.json")
            || path.ends_with("lock.yaml")
            || path.ends_with("go.sum")
        {
            "lockfile"
        } else {
            "manifest"
        };
        input.push_str(&format!(
            "{{\"type\":\"file\",\"path\":\"{path}\",\"root\":\"{}\",\"size\":1,\"role\":\"{role}\"}}\n",
            dir.path().display()
        ));
    }
    let db = fixtures().join("osv");
    let mut out = Vec::new();
    lm_deps::cli::run_stream(
        ["lm-deps", "--db", db.to_str().unwrap()],
        input.as_bytes(),
        &mut out,
    )
    .unwrap();
    String::from_utf8(out)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn pnpm_workspace_members_use_their_importer() {
    let lock = "lockfileVersion: '9.0'

importers:

  .:
    devDependencies:
      typescript:
        specifier: ^5.4.0
        version: 5.4.5

  apps/web:
    dependencies:
      lodash:
        specifier: ^4.17.0
        version: 4.17.20
      next:
        specifier: 13.4.19
        version: 13.4.19

packages:

  lodash@4.17.20:
    resolution: {integrity: sha512-a}

  next@13.4.19:
    resolution: {integrity: sha512-b}

  typescript@5.4.5:
    resolution: {integrity: sha512-c}

snapshots:

  lodash@4.17.20: {}

  next@13.4.19: {}

  typescript@5.4.5: {}
";
    let out = run_tree(&[
        ("pnpm-lock.yaml", lock),
        (
            "package.json",
            r#"{"name":"mono","private":true,"devDependencies":{"typescript":"^5.4.0"}}"#,
        ),
        ("pnpm-workspace.yaml", "packages:\n  - apps/*\n"),
        (
            "apps/web/package.json",
            r#"{"name":"web","dependencies":{"lodash":"^4.17.0","next":"13.4.19","zod":"^3.22.0"}}"#,
        ),
    ]);
    // zod was added to the member's package.json without re-locking.
    let drift: Vec<&Value> = findings(&out, "deps.lockfile-drift");
    assert_eq!(drift.len(), 1, "{drift:?}");
    assert_eq!(drift[0]["package"], "zod");
    assert_eq!(drift[0]["path"], "apps/web/package.json");
    assert!(findings(&out, "deps.no-lockfile").is_empty());
    let vulns: Vec<&str> = findings(&out, "deps.known-advisory")
        .iter()
        .map(|f| f["package"].as_str().unwrap())
        .collect();
    assert!(
        vulns.contains(&"lodash") && vulns.contains(&"next"),
        "{vulns:?}"
    );
    let lodash = findings(&out, "deps.known-advisory")
        .into_iter()
        .find(|f| f["package"] == "lodash")
        .unwrap();
    assert_eq!(lodash["details"]["direct"], true);
    assert_eq!(lodash["line"], 22);
}

#[test]
fn yarn_berry_and_bun_and_pipenv_projects() {
    let berry = "__metadata:\n  version: 8\n  cacheKey: 10c0\n\n\"app@workspace:.\":\n  version: 0.0.0-use.local\n  resolution: \"app@workspace:.\"\n  dependencies:\n    lodash: \"npm:^4.17.0\"\n  languageName: unknown\n  linkType: soft\n\n\"lodash@npm:^4.17.0\":\n  version: 4.17.20\n  resolution: \"lodash@npm:4.17.20\"\n  checksum: 10c0/abc\n  languageName: node\n  linkType: hard\n";
    let out = run_tree(&[
        (
            "y/package.json",
            r#"{"name":"app","dependencies":{"lodash":"^4.17.0"}}"#,
        ),
        ("y/yarn.lock", berry),
    ]);
    let v = findings(&out, "deps.known-advisory");
    assert_eq!(v.len(), 1);
    assert_eq!(
        (v[0]["package"].as_str(), v[0]["line"].as_u64()),
        (Some("lodash"), Some(13))
    );
    assert!(findings(&out, "deps.lockfile-drift").is_empty());

    let bun = "{\n  \"lockfileVersion\": 1,\n  \"workspaces\": {\n    \"\": {\n      \"name\": \"b\",\n      \"dependencies\": { \"next\": \"13.4.19\", },\n    },\n  },\n  \"packages\": {\n    \"next\": [\"next@13.4.19\", \"\", {}, \"sha512-x\"],\n  },\n}\n";
    let out = run_tree(&[
        (
            "b/package.json",
            r#"{"name":"b","dependencies":{"next":"13.4.19"}}"#,
        ),
        ("b/bun.lock", bun),
    ]);
    let v = findings(&out, "deps.known-advisory");
    assert!(v.iter().all(|f| f["package"] == "next" && f["line"] == 10));
    assert!(!v.is_empty());

    let pipfile = "[packages]\ndjango = \"==1.2.3\"\n\n[dev-packages]\npytest = \"*\"\n";
    let lock = "{\n    \"_meta\": {\"pipfile-spec\": 6},\n    \"default\": {\n        \"django\": {\n            \"version\": \"==1.2.3\"\n        }\n    },\n    \"develop\": {\n        \"pytest\": {\n            \"version\": \"==8.0.0\"\n        }\n    }\n}\n";
    let out = run_tree(&[("p/Pipfile", pipfile), ("p/Pipfile.lock", lock)]);
    let v = findings(&out, "deps.known-advisory");
    assert_eq!(v.len(), 1);
    assert_eq!(v[0]["path"], "p/Pipfile.lock");
    assert_eq!(v[0]["line"], 4);
    // `*` in a Pipfile with a lockfile: reported, lowered (dev and locked).
    let u = findings(&out, "deps.unpinned");
    assert_eq!(u.len(), 1);
    assert_eq!(u[0]["severity"], "info");
    let out = run_tree(&[("q/Pipfile", pipfile)]);
    assert_eq!(findings(&out, "deps.no-lockfile").len(), 1);
}

/// `(rule, path, package)` of every finding.
fn finding_keys(out: &[Value]) -> std::collections::BTreeSet<(String, String, String)> {
    out.iter()
        .filter(|v| v["type"] == "finding")
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["path"].as_str().unwrap().to_string(),
                f["package"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

#[test]
fn paths_exclude_drops_findings_in_excluded_manifests_and_lockfiles_only() {
    let files = [
        ("npm-app/package.json", "manifest"),
        ("npm-app/package-lock.json", "lockfile"),
        ("nolock/package.json", "manifest"),
    ];
    let before_out = run(&files, &[]);
    let before = finding_keys(&before_out);
    let in_lock = |k: &(String, String, String)| k.1 == "npm-app/package-lock.json";
    let in_nolock = |k: &(String, String, String)| k.1.starts_with("nolock/");
    assert!(before.iter().any(in_lock), "{before:?}");
    assert!(before.iter().any(in_nolock), "{before:?}");
    assert!(before.iter().any(|k| k.1 == "npm-app/package.json"));
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("lm.toml");
    std::fs::write(
        &cfg,
        "[paths]\nexclude = [\"npm-app/package-lock.json\", \"nolock/**\"]\n",
    )
    .unwrap();
    // `run` also checks every input record still passes through
    let out = run(&files, &["--config", cfg.to_str().unwrap()]);
    let after = finding_keys(&out);
    let expected: std::collections::BTreeSet<_> = before
        .iter()
        .filter(|k| !in_lock(k) && !in_nolock(k))
        .cloned()
        .collect();
    assert_eq!(after, expected);
    let summary = out.iter().find(|v| v["type"] == "summary").unwrap();
    let dropped = before_out
        .iter()
        .filter(|v| v["type"] == "finding")
        .filter(|v| {
            let p = v["path"].as_str().unwrap();
            p == "npm-app/package-lock.json" || p.starts_with("nolock/")
        })
        .count();
    assert!(dropped > 0);
    assert_eq!(
        summary["counts"]["excluded"].as_u64().unwrap() as usize,
        dropped
    );
    assert_eq!(
        summary["counts"]["findings"].as_u64().unwrap() as usize,
        after.len()
    );
}

/// Runs the stage over one manifest in a scratch root holding `.lm.toml` = `config`.
fn run_with_root_config(config: &str) -> (anyhow::Result<()>, Vec<u8>, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(".lm.toml"), config).unwrap();
    std::fs::write(
        dir.path().join("package.json"),
        "{\"dependencies\": {\"next\": \"*\"}}\n",
    )
    .unwrap();
    let input = format!(
        "{{\"type\":\"file\",\"path\":\"package.json\",\"root\":\"{}\",\"size\":1,\"role\":\"manifest\"}}\n",
        dir.path().display()
    );
    let mut out = Vec::new();
    let r = lm_deps::cli::run_stream(["lm-deps"], input.as_bytes(), &mut out);
    (r, out, dir)
}

#[test]
fn a_bad_configuration_stops_the_stage_naming_the_file_and_section() {
    for (config, says) in [
        ("[deps]\nignore = [{ id = \"GHSA-1\" }]\n", "[deps]"),
        (
            "[deps]\nignore = [{ id = \"GHSA-1\", reason = \"r\", expires = \"2026-31-12\" }]\n",
            "YYYY-MM-DD",
        ),
        (
            "[deps]\ndisable = [\"deps.typo-squat\"]\n",
            "deps.typosquat",
        ),
        ("[deps]\nfail_on = \"high\"\n", "[deps]"),
        ("[paths]\nexclude = \"scripts/**\"\n", "[paths]"),
        ("[paths]\nexclude = [\"scripts/[\"]\n", "[paths] exclude"),
        ("[deps\nignore = []\n", "TOML parse error"),
    ] {
        let (r, out, dir) = run_with_root_config(config);
        let e = format!("{:#}", r.expect_err(config));
        let file = dir.path().join(".lm.toml").display().to_string();
        assert!(e.contains(&file) && e.contains(says), "{config:?}: {e}");
        // stopped before passing anything on: no half-configured output downstream
        assert!(out.is_empty(), "{config:?}");
    }
    // the same file, fixed, takes effect (a rule id may leave out `deps.`)
    for (config, unpinned) in [("", true), ("[deps]\ndisable = [\"unpinned\"]\n", false)] {
        let (r, out, _dir) = run_with_root_config(config);
        r.unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("\"deps.no-lockfile\""), "{text}");
        assert_eq!(text.contains("\"deps.unpinned\""), unpinned, "{config:?}");
    }
}

#[test]
fn a_missing_config_file_is_an_error_even_without_input() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope.toml");
    let mut out = Vec::new();
    let e = lm_deps::cli::run_stream(
        ["lm-deps", "--config", missing.to_str().unwrap()],
        "".as_bytes(),
        &mut out,
    )
    .unwrap_err();
    assert!(format!("{e:#}").contains("nope.toml"), "{e:#}");
    assert!(out.is_empty());
}
