//! Helpers shared by the Python fact tests.
#![allow(dead_code)]

use lm_core::fact::FactData;
use lm_core::{Fact, FileRecord, Role};
use lm_parse::Extraction;

/// Extracts facts from Python `text` as if it were at `path`.
pub fn extract(path: &str, text: &str) -> Extraction {
    let file = FileRecord {
        path: path.into(),
        path_bytes: None,
        root: ".".into(),
        language: Some("python".into()),
        size: text.len() as u64,
        binary: false,
        role: Role::Server,
        role_reason: String::new(),
    };
    let mut out = Extraction::default();
    lm_parse::extract_source(&file, text, &mut out);
    out
}

/// Facts of a snippet.
pub fn facts(text: &str) -> Vec<Fact> {
    extract("app/main.py", text).facts
}

/// Facts of a fixture under `tests/fixtures/python`.
pub fn facts_of(name: &str) -> Vec<Fact> {
    let path = format!(
        "{}/tests/fixtures/python/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(path).unwrap();
    extract(&format!("app/{name}"), &text).facts
}

/// Facts of one kind.
pub fn of_kind<'a>(facts: &'a [Fact], kind: &str) -> Vec<&'a Fact> {
    facts.iter().filter(|f| f.kind() == kind).collect()
}

/// The route with this pattern and method.
pub fn route<'a>(
    facts: &'a [Fact],
    method: &str,
    pattern: &str,
) -> (&'a Fact, &'a lm_core::fact::Route) {
    facts
        .iter()
        .find_map(|f| match &f.data {
            FactData::Route(r) if r.pattern == pattern && r.methods.iter().any(|m| m == method) => {
                Some((f, r))
            }
            _ => None,
        })
        .unwrap_or_else(|| panic!("no route {method} {pattern}"))
}

/// Facts in a scope.
pub fn in_scope<'a>(facts: &'a [Fact], scope: &str) -> Vec<&'a Fact> {
    facts
        .iter()
        .filter(|f| f.scope.as_deref() == Some(scope))
        .collect()
}
