//! `lm-files` (being built).

pub mod cli;
