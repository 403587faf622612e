//! Helpers shared by the end-to-end tests: the built binaries, pipelines through a real
//! shell, and the repository root.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// Every stage binary, in pipeline order.
pub const STAGES: &[&str] = &[
    "lm-files",
    "lm-parse",
    "lm-secrets",
    "lm-authz",
    "lm-inject",
    "lm-deps",
    "lm-report",
];

/// The filters (stages that read records and pass them through).
pub const FILTERS: &[&str] = &["lm-parse", "lm-secrets", "lm-authz", "lm-inject", "lm-deps"];

/// The directory holding the built binaries.
pub fn bin_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_lm-files"))
        .parent()
        .expect("binary has a parent directory")
        .to_path_buf()
}

/// Path of one built binary.
pub fn bin(name: &str) -> PathBuf {
    bin_dir().join(name)
}

/// The repository root.
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs `script` with `sh -c` in `dir`, the binaries first on PATH, feeding `stdin`.
pub fn sh(dir: &Path, script: &str, stdin: &[u8]) -> Output {
    let path = format!(
        "{}:{}",
        bin_dir().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(script)
        .current_dir(dir)
        .env("PATH", path)
        .env("NO_COLOR", "1")
        .env_remove("LM_OSV_DB")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("sh runs");
    {
        use std::io::Write;
        let mut input = child.stdin.take().expect("stdin");
        let _ = input.write_all(stdin);
    }
    child.wait_with_output().expect("sh finishes")
}

/// Parses JSON Lines output into values, failing the test on a bad line.
pub fn json_lines(out: &[u8]) -> Vec<serde_json::Value> {
    String::from_utf8(out.to_vec())
        .expect("output is UTF-8")
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad line {l:?}: {e}")))
        .collect()
}
