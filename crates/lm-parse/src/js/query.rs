//! The tree-sitter queries of the JavaScript/TypeScript extractors (`queries/js/*.scm`),
//! compiled once per grammar and shared by every thread.

use std::sync::LazyLock;

use tree_sitter::{Language, Query};

use crate::lang::{Lang, JAVASCRIPT, TSX, TYPESCRIPT};

/// Source of the scan query: calls, constructor calls, CORS header pairs, comparisons.
pub const SCAN_SCM: &str = include_str!("../../queries/js/scan.scm");
/// Source of the top-level function query.
pub const FUNCTIONS_SCM: &str = include_str!("../../queries/js/functions.scm");
/// Source of the environment-read query.
pub const ENV_SCM: &str = include_str!("../../queries/js/env.scm");

/// The compiled queries of one grammar.
pub struct JsQueries {
    /// See [`SCAN_SCM`].
    pub scan: Query,
    /// See [`FUNCTIONS_SCM`].
    pub functions: Query,
    /// See [`ENV_SCM`].
    pub env: Query,
}

impl JsQueries {
    fn compile(lang: &Language) -> Result<JsQueries, String> {
        let q =
            |name: &str, src: &str| Query::new(lang, src).map_err(|e| format!("{name}.scm: {e}"));
        Ok(JsQueries {
            scan: q("scan", SCAN_SCM)?,
            functions: q("functions", FUNCTIONS_SCM)?,
            env: q("env", ENV_SCM)?,
        })
    }
}

type Compiled = LazyLock<Result<JsQueries, String>>;

static JS_Q: Compiled = LazyLock::new(|| JsQueries::compile(&JAVASCRIPT));
static TS_Q: Compiled = LazyLock::new(|| JsQueries::compile(&TYPESCRIPT));
static TSX_Q: Compiled = LazyLock::new(|| JsQueries::compile(&TSX));

fn compiled(lang: Lang) -> Option<&'static Result<JsQueries, String>> {
    match lang {
        Lang::JavaScript | Lang::Jsx => Some(&JS_Q),
        Lang::TypeScript => Some(&TS_Q),
        Lang::Tsx => Some(&TSX_Q),
        _ => None,
    }
}

/// The queries for a JavaScript-family language (None for others, or if a query does
/// not compile, which the tests rule out and [`error`] reports).
pub fn for_lang(lang: Lang) -> Option<&'static JsQueries> {
    compiled(lang)?.as_ref().ok()
}

/// Why the queries of a language did not compile, if they did not.
pub fn error(lang: Lang) -> Option<&'static str> {
    compiled(lang)?.as_ref().err().map(String::as_str)
}

/// Index of a capture name in a query (panics only on a programming error, caught by tests).
pub fn capture(q: &Query, name: &str) -> u32 {
    q.capture_index_for_name(name)
        .unwrap_or_else(|| panic!("query has no capture @{name}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_compile_for_every_grammar() {
        for (name, lang) in [("js", &*JAVASCRIPT), ("ts", &*TYPESCRIPT), ("tsx", &*TSX)] {
            for (q, src) in [
                ("scan", SCAN_SCM),
                ("functions", FUNCTIONS_SCM),
                ("env", ENV_SCM),
            ] {
                if let Err(e) = Query::new(lang, src) {
                    panic!("{q}.scm does not compile for {name}: {e}");
                }
            }
        }
    }
}
