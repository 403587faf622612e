//! `lm-secrets`: finds credentials in the files `lm-files` lists and tells which of them
//! the browser can reach.
//!
//! * [`rules`]: the rule format and the built-in rules (`rules/*.toml`, embedded).
//! * [`engine`]: the scanner (keyword prefilter, windowed reads, candidate checks).
//! * [`value`]: placeholder, randomness and shape checks on candidate values.
//! * [`jwt`]: Supabase legacy key decoding (`service_role` versus `anon`).
//! * [`exposure`]: public variable prefixes and env files.
//! * [`settings`]: the `[secrets]` section of `.lm.toml`.
//! * [`examples`]: synthetic example generation for rule tests.
//! * [`scan`]: turning `file` records into `finding` and `diagnostic` records.
//! * [`cli`]: the command line.

pub mod cli;
pub mod dump;
pub mod engine;
pub mod error;
pub mod examples;
pub mod exposure;
pub mod jwt;
pub mod rules;
pub mod scan;
pub mod settings;
pub mod value;

pub use engine::{Detection, Engine, FileContext};
pub use settings::Settings;
