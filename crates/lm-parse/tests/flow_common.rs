//! Shared helpers of the flow tests (included with `#[path]`).

#![allow(dead_code)]

use lm_core::fact::{Provenance, Sink};
use lm_core::{Fact, FactData, FileRecord, Role};

/// Facts lm-parse extracts from `src` as the file `path`.
pub fn facts(path: &str, src: &str) -> Vec<Fact> {
    let file = FileRecord {
        path: path.to_string(),
        path_bytes: None,
        root: ".".into(),
        language: None,
        size: src.len() as u64,
        binary: false,
        role: Role::Server,
        role_reason: String::new(),
    };
    let mut out = lm_parse::Extraction::default();
    lm_parse::extract_source(&file, src, &mut out);
    out.facts
}

/// The sink facts, with their lines.
pub fn sinks(path: &str, src: &str) -> Vec<(u64, Sink)> {
    facts(path, src)
        .into_iter()
        .filter_map(|f| match f.data {
            FactData::Sink(s) => Some((f.line, s)),
            _ => None,
        })
        .collect()
}

/// Sinks of one family whose source is request or database data (what lm-inject
/// reports on).
pub fn dangerous(path: &str, src: &str, family: &str) -> Vec<(u64, Sink)> {
    sinks(path, src)
        .into_iter()
        .filter(|(_, s)| {
            s.sink == family && matches!(s.source, Some(Provenance::Request | Provenance::Database))
        })
        .collect()
}

/// Input facts as `(source, name)`.
pub fn inputs(path: &str, src: &str) -> Vec<(String, Option<String>, Option<String>)> {
    facts(path, src)
        .into_iter()
        .filter_map(|f| match f.data {
            FactData::Input(i) => Some((i.source, i.name, i.var)),
            _ => None,
        })
        .collect()
}
