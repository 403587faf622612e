//! Baseline files: fingerprints of accepted findings.
//!
//! ```json
//! {
//!   "version": 1,
//!   "tool": "lm",
//!   "findings": [
//!     { "fingerprint": "0f1e2d3c4b5a6978", "rule": "inject.sql-template", "path": "api/users.ts" }
//!   ]
//! }
//! ```
//!
//! Entries are sorted by fingerprint; `rule` and `path` are there for people reading the
//! file. Only fingerprints are matched, and fingerprints never include line numbers, so a
//! baselined finding stays baselined when lines are inserted above it.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// The baseline format version this crate reads and writes.
pub const VERSION: u32 = 1;

/// One accepted finding.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Entry {
    /// The finding's fingerprint (the only part that is matched).
    pub fingerprint: String,
    /// The finding's rule, for readers.
    #[serde(default)]
    pub rule: String,
    /// The finding's path, for readers.
    #[serde(default)]
    pub path: String,
}

/// The file format.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BaselineFile {
    /// Format version ([`VERSION`]).
    pub version: u32,
    /// The tool that wrote it (`lm`).
    #[serde(default)]
    pub tool: String,
    /// Accepted findings, sorted by fingerprint.
    pub findings: Vec<Entry>,
}

/// A loaded baseline: the set of accepted fingerprints.
#[derive(Debug, Clone, Default)]
pub struct Baseline {
    fingerprints: BTreeSet<String>,
}

impl Baseline {
    /// Reads a baseline file.
    pub fn load(path: &Path) -> Result<Baseline> {
        let err = |reason: String| Error::Baseline {
            path: path.to_path_buf(),
            reason,
        };
        let text = std::fs::read_to_string(path).map_err(|e| err(e.to_string()))?;
        let file: BaselineFile = serde_json::from_str(&text).map_err(|e| err(e.to_string()))?;
        if file.version != VERSION {
            return Err(err(format!(
                "unsupported version {} (this lm-report reads version {VERSION})",
                file.version
            )));
        }
        Ok(Baseline {
            fingerprints: file.findings.into_iter().map(|e| e.fingerprint).collect(),
        })
    }

    /// True when the fingerprint is accepted.
    pub fn contains(&self, fingerprint: &str) -> bool {
        self.fingerprints.contains(fingerprint)
    }

    /// How many fingerprints the baseline holds.
    pub fn len(&self) -> usize {
        self.fingerprints.len()
    }

    /// True when the baseline holds no fingerprint.
    pub fn is_empty(&self) -> bool {
        self.fingerprints.is_empty()
    }
}

/// Writes a baseline of `entries` (sorted, duplicates removed) to `path`, through a
/// temporary file in the same directory so a failed write never leaves half a file.
pub fn write(path: &Path, entries: impl IntoIterator<Item = Entry>) -> Result<()> {
    let mut findings: Vec<Entry> = entries.into_iter().collect();
    findings.sort();
    findings.dedup_by(|a, b| a.fingerprint == b.fingerprint);
    let file = BaselineFile {
        version: VERSION,
        tool: "lm".into(),
        findings,
    };
    let mut text = serde_json::to_string_pretty(&file).expect("baseline serialises");
    text.push('\n');
    let ctx = || format!("writing baseline {}", path.display());
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "baseline".into());
    let tmp = dir.join(format!(".{name}.tmp{}", std::process::id()));
    let result = std::fs::File::create(&tmp)
        .and_then(|mut f| f.write_all(text.as_bytes()).and_then(|_| f.sync_all()))
        .and_then(|_| std::fs::rename(&tmp, path));
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(Error::io(ctx(), e));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(fp: &str) -> Entry {
        Entry {
            fingerprint: fp.into(),
            rule: "r".into(),
            path: "p".into(),
        }
    }

    #[test]
    fn round_trips_sorted_and_deduplicated() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("lm-baseline.json");
        write(&path, [entry("bb"), entry("aa"), entry("bb")]).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["version"], 1);
        assert_eq!(v["findings"][0]["fingerprint"], "aa");
        assert_eq!(v["findings"][1]["rule"], "r");
        assert_eq!(v["findings"].as_array().unwrap().len(), 2);
        let b = Baseline::load(&path).unwrap();
        assert!(b.contains("aa") && b.contains("bb") && !b.contains("cc"));
        assert_eq!(b.len(), 2);
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "no temp file left"
        );
    }

    #[test]
    fn bad_files_are_errors_naming_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("b.json");
        std::fs::write(&path, r#"{"version": 9, "findings": []}"#).unwrap();
        let e = Baseline::load(&path).unwrap_err().to_string();
        assert!(e.contains("b.json") && e.contains("version 9"), "{e}");
        std::fs::write(&path, "[]").unwrap();
        assert!(Baseline::load(&path).is_err());
        assert!(Baseline::load(&dir.path().join("missing.json")).is_err());
    }
}
