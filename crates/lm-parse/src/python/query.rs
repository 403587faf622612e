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

/// Index of every capture the extractors read, in the combined query.
#[derive(Debug, Clone, Copy)]
pub struct Captures {
    /// `@decorated` (definitions.scm).
    pub decorated: u32,
    /// `@decorated.function`.
    pub decorated_function: u32,
    /// `@function`.
    pub function: u32,
    /// `@decorated_class`.
    pub decorated_class: u32,
    /// `@decorated_class.class`.
    pub decorated_class_class: u32,
    /// `@call` (calls.scm).
    pub call: u32,
    /// `@callee`.
    pub callee: u32,
    /// `@args`.
    pub args: u32,
    /// `@left` (assignments.scm).
    pub left: u32,
    /// `@right`.
    pub right: u32,
    /// `@import` (imports.scm).
    pub import: u32,
    /// `@import_from`.
    pub import_from: u32,
    /// `@name` (env.scm).
    pub env_name: u32,
    /// `@subscript_read`.
    pub subscript_read: u32,
    /// `@get_read`.
    pub get_read: u32,
    /// `@getenv_read`.
    pub getenv_read: u32,
}

/// The compiled Python queries: the `.scm` files concatenated into one query, so one
/// pass over the tree serves every extractor.
pub struct PyQueries {
    /// The combined query.
    pub all: Query,
    /// Its capture indices.
    pub captures: Captures,
}

fn compile() -> Option<PyQueries> {
    let src = [
        DEFINITIONS_SCM,
        CALLS_SCM,
        ASSIGNMENTS_SCM,
        IMPORTS_SCM,
        ENV_SCM,
    ]
    .join("\n");
    let all = Query::new(&PYTHON, &src).ok()?;
    let c = |name: &str| all.capture_index_for_name(name);
    let captures = Captures {
        decorated: c("decorated")?,
        decorated_function: c("decorated.function")?,
        function: c("function")?,
        decorated_class: c("decorated_class")?,
        decorated_class_class: c("decorated_class.class")?,
        call: c("call")?,
        callee: c("callee")?,
        args: c("args")?,
        left: c("left")?,
        right: c("right")?,
        import: c("import")?,
        import_from: c("import_from")?,
        env_name: c("name")?,
        subscript_read: c("subscript_read")?,
        get_read: c("get_read")?,
        getenv_read: c("getenv_read")?,
    };
    Some(PyQueries { all, captures })
}

static QUERIES: LazyLock<Option<PyQueries>> = LazyLock::new(compile);

/// The compiled queries (None only if a query does not compile, which a test rules out).
pub fn get() -> Option<&'static PyQueries> {
    QUERIES.as_ref()
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
        assert!(
            get().is_some(),
            "the combined query compiles with every capture"
        );
    }
}
