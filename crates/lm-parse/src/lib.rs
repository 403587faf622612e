//! `lm-parse` (being built).

pub mod cli;
