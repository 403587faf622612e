//! `lm-authz` (being built).

pub mod cli;
