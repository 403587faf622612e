//! Expected findings: the full pipeline over the bundled example and every fixture app
//! must report exactly the reviewed set of (rule, path, line) in `tests/expected/`.
//! Any change in detection shows up here, in review. After reviewing a change, run
//! `LM_BLESS=1 cargo test --test expected` to update the snapshots.

mod common;

use std::path::{Path, PathBuf};

use common::*;

/// The apps scanned: the bundled example plus every directory directly under a
/// `tests/fixtures/<stage>/` folder that holds an app.
fn apps() -> Vec<(String, PathBuf)> {
    let root = repo_root();
    let mut apps = vec![(
        "example-taskflow".to_string(),
        root.join("examples/taskflow"),
    )];
    let fixtures = root.join("tests/fixtures");
    let Ok(stages) = std::fs::read_dir(&fixtures) else {
        return apps;
    };
    let mut stage_dirs: Vec<PathBuf> = stages.flatten().map(|e| e.path()).collect();
    stage_dirs.sort();
    for stage in stage_dirs {
        let Some(stage_name) = stage
            .file_name()
            .and_then(|n| n.to_str())
            .map(str::to_string)
        else {
            continue;
        };
        let Ok(entries) = std::fs::read_dir(&stage) else {
            continue;
        };
        let mut dirs: Vec<PathBuf> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.is_dir() && looks_like_an_app(p, 0))
            .collect();
        dirs.sort();
        for dir in dirs {
            let name = dir.file_name().unwrap().to_string_lossy().to_string();
            apps.push((format!("{stage_name}-{name}"), dir));
        }
    }
    apps
}

/// True when a directory holds source code or a manifest (data-only fixture folders,
/// such as a set of advisories, are not apps).
fn looks_like_an_app(dir: &Path, depth: usize) -> bool {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return false;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            if depth < 4 && looks_like_an_app(&path, depth + 1) {
                return true;
            }
            continue;
        }
        let name = entry.file_name().to_string_lossy().to_string();
        let manifest = matches!(
            name.as_str(),
            "package.json" | "pyproject.toml" | "Cargo.toml" | "go.mod" | "Pipfile"
        ) || name.starts_with("requirements");
        let source = [".ts", ".tsx", ".js", ".jsx", ".mjs", ".py", ".sql", ".env"]
            .iter()
            .any(|ext| name.ends_with(ext));
        if manifest || source {
            return true;
        }
    }
    false
}

fn findings_of(app: &Path) -> String {
    let out = sh(
        &repo_root(),
        &format!(
            "lm-files --hidden '{}' | lm-parse | lm-secrets | lm-authz | lm-inject | lm-deps --db examples/osv | lm-report --format jsonl --fail-on none",
            app.display()
        ),
        b"",
    );
    assert!(
        out.status.success(),
        "pipeline failed on {}: {}",
        app.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    let mut rows: Vec<String> = json_lines(&out.stdout)
        .into_iter()
        .filter(|r| r["type"] == "finding" || r.get("rule").is_some())
        .map(|r| {
            format!(
                "{} {}:{} {}",
                r["rule"].as_str().unwrap_or("?"),
                r["path"].as_str().unwrap_or("?"),
                r["line"],
                r["severity"].as_str().unwrap_or("?")
            )
        })
        .collect();
    rows.sort();
    rows.dedup();
    rows.join("\n") + "\n"
}

#[test]
fn every_app_reports_exactly_the_reviewed_findings() {
    let bless = std::env::var_os("LM_BLESS").is_some();
    let dir = repo_root().join("tests/expected");
    let mut mismatches = Vec::new();
    for (name, app) in apps() {
        let got = findings_of(&app);
        let file = dir.join(format!("{name}.txt"));
        let want = std::fs::read_to_string(&file).unwrap_or_default();
        if got != want {
            if bless {
                std::fs::create_dir_all(&dir).unwrap();
                std::fs::write(&file, &got).unwrap();
            } else {
                mismatches.push(format!(
                    "== {name} ({})\n-- expected\n{want}-- got\n{got}",
                    app.display()
                ));
            }
        }
    }
    assert!(
        mismatches.is_empty(),
        "findings changed (review, then `LM_BLESS=1 cargo test --test expected`):\n{}",
        mismatches.join("\n")
    );
}
