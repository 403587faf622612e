//! `lm-report`: reads the whole record stream of an `lm` pipeline and writes one report.
//!
//! * [`collect`]: reads `finding`, `diagnostic` and `file` records (others are ignored).
//! * [`model`]: de-duplication, inline suppressions, baselines, sorting and totals.
//! * [`suppress`]: `lm-ignore: <rule-or-category> <reason>` comments.
//! * [`baseline`]: baseline files of accepted fingerprints.
//! * [`source`]: reading scanned files for code frames and suppressions.
//! * [`redact`]: masking secrets in code frames, neutralising control characters.
//! * [`format`]: text, markdown, JSON, JSON Lines and SARIF 2.1.0 output.
//! * [`help`]: per-category explanations and fix guidance (SARIF rule help).
//! * [`settings`]: the `[report]` section of `.lm.toml` (defaults for `--fail-on`,
//!   `--min-severity` and `--baseline`).
//! * [`cli`]: the command line.
//!
//! Defaults and decisions:
//!
//! * `--format text` whether or not standard output is a terminal (colour only on a
//!   terminal, never with `NO_COLOR`, unless `--color always`).
//! * `--fail-on high`: exit 1 when an unsuppressed, un-baselined finding is at or above
//!   it, counting findings that `--min-severity` hides (hiding is about display, not
//!   about what is accepted); `--fail-on none` never fails.
//! * A suppression comment without a reason still suppresses; the report adds an
//!   informational `suppression-without-reason` diagnostic naming the comment.
//! * SARIF includes inline-suppressed findings (with an `inSource` suppression) but not
//!   baselined ones, nor findings below `--min-severity`.
//! * `--write-baseline` writes every unsuppressed finding (all severities) and the run
//!   then treats them as baselined, so it exits 0 unless an error occurs.
//! * Duplicates (same rule, path, line and fingerprint) are reported once, keeping the
//!   highest severity. Findings of one rule on one line with different fingerprints (two
//!   advisories of one package, two secrets on one line) are distinct and all reported.
//! * A finding whose stage left `fingerprint` empty gets one from its rule, path and
//!   evidence (or message), never its line.
//! * Files are read (for code frames and `lm-ignore` comments) through the stream's
//!   `file` records, else under `--root` (default: the first `file` record's root, else
//!   `.`); an unreadable file gives a `source-unreadable` warning, since its findings'
//!   suppressions cannot apply. Paths that leave the root are never opened.
//! * `.lm.toml` (at the root, or `--config`) `[report]` gives defaults for `fail_on`,
//!   `min_severity` and `baseline`; flags override it.
//! * No report prints a secret: `secret.*` code frames mask the reported span (or hide
//!   the line when the span is unknown) and credential-looking tokens around it, every
//!   frame masks long key-like tokens, and control characters from scanned files are
//!   neutralised. SARIF carries no source text.

pub mod baseline;
pub mod cli;
pub mod collect;
pub mod error;
pub mod format;
pub mod help;
pub mod model;
pub mod redact;
pub mod settings;
pub mod source;
pub mod suppress;

pub use error::{Error, Result};
