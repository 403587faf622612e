//! `lm-deps` (being built).

pub mod cli;
