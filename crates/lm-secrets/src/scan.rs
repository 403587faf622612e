//! From a `file` record to the records written after it.

use std::collections::BTreeMap;
use std::fs::File;

use lm_core::{Diagnostic, DiagnosticLevel, FileRecord, Record};

use crate::engine::{Engine, FileContext};

/// The stage name used in diagnostics and the summary.
pub const STAGE: &str = "lm-secrets";

/// Counters kept across a run.
#[derive(Debug, Clone, Default)]
pub struct Counts {
    /// `file` records seen.
    pub files: u64,
    /// Files scanned.
    pub scanned: u64,
    /// Files skipped as binary.
    pub binary: u64,
    /// Files excluded by configuration.
    pub excluded: u64,
    /// Files that could not be read.
    pub unreadable: u64,
    /// Findings written.
    pub findings: u64,
    /// Bytes scanned.
    pub bytes: u64,
}

impl Counts {
    /// Adds another set of counts.
    pub fn add(&mut self, o: &Counts) {
        self.files += o.files;
        self.scanned += o.scanned;
        self.binary += o.binary;
        self.excluded += o.excluded;
        self.unreadable += o.unreadable;
        self.findings += o.findings;
        self.bytes += o.bytes;
    }

    /// As the summary's named counts.
    pub fn to_map(&self) -> BTreeMap<String, u64> {
        [
            ("files", self.files),
            ("scanned", self.scanned),
            ("skipped_binary", self.binary),
            ("excluded", self.excluded),
            ("unreadable", self.unreadable),
            ("findings", self.findings),
            ("bytes", self.bytes),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect()
    }
}

/// Scans the file a record names and returns the records to write after it.
pub fn scan_record(engine: &Engine, rec: &FileRecord) -> (Vec<Record>, Counts) {
    let mut counts = Counts {
        files: 1,
        ..Counts::default()
    };
    if rec.binary {
        counts.binary = 1;
        return (Vec::new(), counts);
    }
    if engine.path_excluded(&rec.path) {
        counts.excluded = 1;
        return (Vec::new(), counts);
    }
    let ctx = FileContext::new(&rec.path, rec.role, rec.language.as_deref());
    let path = rec.fs_path();
    let result = File::open(&path).and_then(|f| engine.scan_reader(&ctx, f));
    match result {
        Ok(outcome) => {
            if outcome.binary {
                counts.binary = 1;
                return (Vec::new(), counts);
            }
            counts.scanned = 1;
            counts.bytes = outcome.bytes;
            counts.findings = outcome.detections.len() as u64;
            let truncated = outcome.truncated;
            let mut records: Vec<Record> = outcome
                .detections
                .into_iter()
                .map(|d| {
                    let mut f = d.finding;
                    f.path_bytes = rec.path_bytes.clone();
                    Record::Finding(f)
                })
                .collect();
            // A dump among test fixtures is test data.
            if engine.reports_dumps()
                && crate::dump::wanted(&rec.path)
                && rec.role != lm_core::Role::Test
                && !crate::engine::looks_like_test_path(&rec.path.to_ascii_lowercase())
            {
                let dump = File::open(&path)
                    .ok()
                    .and_then(|f| crate::dump::read(std::io::BufReader::new(f)));
                if let Some(mut f) = dump.and_then(|d| crate::dump::finding(&rec.path, &d)) {
                    f.path_bytes = rec.path_bytes.clone();
                    counts.findings += 1;
                    records.push(Record::Finding(f));
                }
            }
            if truncated {
                records.push(Record::Diagnostic(
                    Diagnostic::new(
                        DiagnosticLevel::Info,
                        STAGE,
                        "too-many-findings",
                        format!(
                            "more than {} findings in this file; only the first {} are reported",
                            crate::engine::MAX_FINDINGS_PER_FILE,
                            crate::engine::MAX_FINDINGS_PER_FILE
                        ),
                    )
                    .with_path(rec.path.clone()),
                ));
            }
            (records, counts)
        }
        Err(e) => {
            counts.unreadable = 1;
            let d = Diagnostic::new(
                DiagnosticLevel::Warning,
                STAGE,
                "unreadable",
                format!("cannot read {}: {e}", path.display()),
            )
            .with_path(rec.path.clone());
            (vec![Record::Diagnostic(d)], counts)
        }
    }
}
