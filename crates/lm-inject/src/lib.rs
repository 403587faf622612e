//! `lm-inject` (being built).

pub mod cli;
