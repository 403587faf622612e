//! `lm-deps`: an offline dependency audit.
//!
//! Reads `file` records of manifests and lockfiles, parses them ([`parse`]), pairs
//! each manifest with the lockfile that governs it, and reports known advisories from
//! a local OSV database ([`osv`]), lockfile problems, unpinned and unknown packages,
//! install scripts and version conflicts ([`audit`]).

pub mod audit;
pub mod cli;
pub mod config;
pub mod cvss;
pub mod model;
pub mod online;
pub mod osv;
pub mod parse;
pub mod popular;
pub mod text;
pub mod version;
