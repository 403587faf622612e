//! `lm-inject`: cross-site scripting, SQL injection and log injection from the taint
//! facts `lm-parse` emits.
//!
//! The stage reads records, passes every one through, and after each `sink` fact whose
//! value comes from request input or stored (database) data without a sanitiser or a
//! strict validation on the way, writes a `finding` in `inject.xss`, `inject.sql` or
//! `inject.log`. It never parses source code itself: `input` and `sink` facts carry the
//! source expression, the path the value took and the sanitiser seen.
//!
//! * [`rules`]: which sink facts become findings, their rule ids, severities and
//!   messages.
//! * [`settings`]: the `[inject]` section of `.lm.toml`.
//! * [`cli`]: the command line and the filter handler.

pub mod cli;
pub mod rules;
pub mod settings;
