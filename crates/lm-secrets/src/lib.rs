//! `lm-secrets` (being built).

pub mod cli;
