//! `lm-report` (being built).

pub mod cli;
