//! `lm-core`: the pieces every `lm-*` stage shares.
//!
//! * [`record`]: the record types of the JSON Lines contract (`file`, `fact`, `finding`,
//!   `diagnostic`, `summary`) and their enums (severity, category, role).
//! * [`fact`]: the typed payloads of `fact` records that `lm-parse` emits.
//! * [`relpath`]: lossless, `/`-separated relative paths (non-UTF-8 names included).
//! * [`jsonl`]: a streaming reader that keeps every line's raw text and number, and a
//!   writer that turns a closed downstream pipe into a quiet stop.
//! * [`filter`]: the driver every filter stage runs on (pass-through, ordered parallel work).
//! * [`cli`]: command-line pieces shared by the binaries (input, `--lenient`, `--color`,
//!   exit codes).
//! * [`config`]: `.lm.toml`, one file with a section per stage.
//! * [`fingerprint`]: stable finding fingerprints.
//! * [`schema`]: the JSON Schema of the whole record contract.

pub mod cli;
pub mod config;
pub mod error;
pub mod fact;
pub mod filter;
pub mod fingerprint;
pub mod jsonl;
pub mod record;
pub mod relpath;
pub mod schema;

pub use error::{Error, Result};
pub use fact::{Fact, FactData};
pub use record::{
    Category, Diagnostic, DiagnosticLevel, FileRecord, Finding, Record, RecordType, Role, Severity,
    Summary,
};
pub use relpath::RelPath;

/// Version of the record schema documented in `docs/records.md`.
///
/// Bumped in its minor part when fields or record kinds are added, in its major part when
/// anything is renamed or removed (which the finding contract forbids for its fields).
pub const SCHEMA_VERSION: &str = "1.0";
