//! The tree-sitter queries of the Python extractors (`queries/python/*.scm`), compiled
//! once and shared by every thread.

use std::sync::LazyLock;

use tree_sitter::Query;

use crate::lang::PYTHON;

/// Function definitions, plain and decorated.
pub const DEFINITIONS_SCM: &str = include_str!("../../queries/python/definitions.scm");
/// Every call with its callee and arguments.
pub const CALLS_SCM: &str = include_str!("../../queries/python/calls.scm");
/// Assignments.
pub const ASSIGNMENTS_SCM: &str = include_str!("../../queries/python/assignments.scm");
/// Import statements.
pub const IMPORTS_SCM: &str = include_str!("../../queries/python/imports.scm");
/// Environment variable reads.
pub const ENV_SCM: &str = include_str!("../../queries/python/env.scm");

/// The compiled Python queries.
pub struct PyQueries {
    /// See [`DEFINITIONS_SCM`].
    pub definitions: Query,
    /// See [`CALLS_SCM`].
    pub calls: Query,
    /// See [`ASSIGNMENTS_SCM`].
    pub assignments: Query,
    /// See [`IMPORTS_SCM`].
    pub imports: Query,
    /// See [`ENV_SCM`].
    pub env: Query,
}

static QUERIES: LazyLock<Option<PyQueries>> = LazyLock::new(|| {
    Some(PyQueries {
        definitions: Query::new(&PYTHON, DEFINITIONS_SCM).ok()?,
        calls: Query::new(&PYTHON, CALLS_SCM).ok()?,
        assignments: Query::new(&PYTHON, ASSIGNMENTS_SCM).ok()?,
        imports: Query::new(&PYTHON, IMPORTS_SCM).ok()?,
        env: Query::new(&PYTHON, ENV_SCM).ok()?,
    })
});

/// The compiled queries (None only if a query does not compile, which a test rules out).
pub fn get() -> Option<&'static PyQueries> {
    QUERIES.as_ref()
}

/// Index of a capture name in a query.
pub fn capture(q: &Query, name: &str) -> Option<u32> {
    q.capture_index_for_name(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_compile() {
        for (name, src) in [
            ("definitions", DEFINITIONS_SCM),
            ("calls", CALLS_SCM),
            ("assignments", ASSIGNMENTS_SCM),
            ("imports", IMPORTS_SCM),
            ("env", ENV_SCM),
        ] {
            if let Err(e) = Query::new(&PYTHON, src) {
                panic!("{name}.scm does not compile: {e}");
            }
        }
    }
}
