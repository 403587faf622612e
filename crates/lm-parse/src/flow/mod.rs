//! Request inputs and the sinks they reach.
//!
//! An intra-procedural taint engine per language walks each file's tree once, in source
//! order, keeping an abstract value ([`taint::Val`]) for every variable: constant,
//! unknown, or tainted with its origin (request input, database read...), the path it
//! took (assignment, template literal, concatenation, helper call...) and the
//! sanitisers or validators applied. It emits:
//!
//! * `input` facts where request-derived values are read (Express `req.query.q`, Next.js
//!   `searchParams`, `request.json()`, server-action arguments, Hono `c.req.param()`,
//!   FastAPI parameters, Flask `request.args`...), and
//! * `sink` facts where a value reaches an HTML, SQL, log, template, redirect or fetch
//!   sink, with the provenance the sink sees.
//!
//! Flow follows assignments, destructuring, object fields, template literals and string
//! building, array callbacks (`rows.map(r => ...)`), React state setters, one level of
//! same-file helper calls (a helper returning its parameter, escaped or not) and props
//! passed to a component defined in the same file. Files with no sink keyword or no
//! source keyword skip the engine (a byte prefilter).

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use lm_core::fact::{FactData, Input, Provenance, Sink};
use lm_core::Fact;
use tree_sitter::Node;

use crate::ctx::Ctx;
use crate::Extraction;

pub mod js;
pub mod python;
mod summary;
pub mod taint;
mod walk;

use taint::{SinkKind, Val};

/// Input and sink facts for a JS/TS file.
pub fn extract_js(ctx: &Ctx<'_>, out: &mut Extraction) {
    if !js::prefilter(ctx.src) {
        return;
    }
    let facts = js::analyze(ctx);
    out.facts.extend(facts);
}

/// Input and sink facts for a Python file.
pub fn extract_python(ctx: &Ctx<'_>, out: &mut Extraction) {
    if !python::prefilter(ctx.src) {
        return;
    }
    let facts = python::analyze(ctx);
    out.facts.extend(facts);
}

/// Maximum length of expressions quoted in facts.
const EXPR_MAX: usize = 120;

/// Collects the facts of one file, one per location: a sink seen twice (a component
/// analysed again with its props) keeps its most dangerous value.
pub(crate) struct Facts<'c, 'a> {
    ctx: &'c Ctx<'a>,
    facts: Vec<Fact>,
    sink_at: HashMap<(usize, &'static str), (usize, u8)>,
    input_at: HashSet<usize>,
}

impl<'c, 'a> Facts<'c, 'a> {
    pub(crate) fn new(ctx: &'c Ctx<'a>) -> Self {
        Facts {
            ctx,
            facts: Vec::new(),
            sink_at: HashMap::new(),
            input_at: HashSet::new(),
        }
    }

    /// Records an `input` fact at `node` (once per node).
    pub(crate) fn input(
        &mut self,
        node: Node<'_>,
        source: &str,
        name: Option<String>,
        var: Option<String>,
    ) {
        if !self.input_at.insert(node.start_byte()) {
            return;
        }
        let expr = self.ctx.short(node, EXPR_MAX);
        self.facts.push(self.ctx.fact(
            node,
            FactData::Input(Input {
                source: source.to_string(),
                name,
                var,
                expr,
            }),
        ));
    }

    /// Names the variable an input at `node` was bound to, when the input fact exists.
    pub(crate) fn name_input_var(&mut self, node: Node<'_>, var: &str) {
        if !self.input_at.contains(&node.start_byte()) {
            return;
        }
        let line = node.start_position().row as u64 + 1;
        let col = node.start_position().column as u64 + 1;
        for f in self.facts.iter_mut().rev() {
            if let FactData::Input(i) = &mut f.data {
                if f.line == line && f.column == Some(col) {
                    if i.var.is_none() {
                        i.var = Some(var.to_string());
                    }
                    return;
                }
            }
        }
    }

    /// Records a `sink` fact at `at` for the value `val` of the argument `arg`.
    pub(crate) fn sink(
        &mut self,
        at: Node<'_>,
        kind: SinkKind,
        api: &str,
        val: &Val,
        arg: Node<'_>,
    ) {
        let (source, source_expr, via, sanitizer, rank) = match val {
            Val::Const => (Provenance::Literal, None, Vec::new(), None, 0u8),
            Val::Unknown => (Provenance::Unknown, None, Vec::new(), None, 1),
            Val::Tainted(t) => {
                let (p, s) = t.effective(kind);
                let rank = match p {
                    Provenance::Request | Provenance::Database => 4,
                    Provenance::Sanitized | Provenance::Validated => 2,
                    _ => 3,
                };
                let expr = Some(compact(&t.source_expr)).filter(|e| !e.is_empty());
                (p, expr, t.via.clone(), s, rank)
            }
        };
        let data = FactData::Sink(Sink {
            sink: kind.as_str().to_string(),
            api: api.to_string(),
            source: Some(source),
            source_expr,
            via,
            sanitizer,
            expr: self.ctx.short(arg, EXPR_MAX),
        });
        let key = (at.start_byte(), kind.as_str());
        if let Some(&(idx, old_rank)) = self.sink_at.get(&key) {
            if rank > old_rank {
                self.facts[idx] = self.ctx.fact(at, data);
                self.sink_at.insert(key, (idx, rank));
            }
            return;
        }
        self.sink_at.insert(key, (self.facts.len(), rank));
        self.facts.push(self.ctx.fact(at, data));
    }

    pub(crate) fn into_facts(self) -> Vec<Fact> {
        self.facts
    }
}

/// An expression on one line without the spaces of method chains
/// (`supabase .from('t') .select()` → `supabase.from('t').select()`).
fn compact(expr: &str) -> String {
    let mut out = String::with_capacity(expr.len());
    for part in expr.split_whitespace() {
        if !out.is_empty() && !part.starts_with('.') && !part.starts_with('?') {
            out.push(' ');
        }
        out.push_str(part);
    }
    out
}

/// Text that reads like an SQL statement (`SELECT ... FROM`, `INSERT INTO`...).
pub(crate) fn looks_like_sql(t: &str) -> bool {
    static RE: LazyLock<regex::Regex> = LazyLock::new(|| {
        regex::Regex::new(
            r"(?i)\b(select\s.+\sfrom|insert\s+into|update\s+\S+\s+set|delete\s+from|create\s+table|drop\s+table|alter\s+table)\b",
        )
        .expect("static regex")
    });
    RE.is_match(t)
}

/// Sanitiser family of a function name that reads like one (`escapeHtml`,
/// `sanitizeInput`, `DOMPurify.sanitize`, `bleach.clean`...), if it does.
pub(crate) fn sanitizer_mask(callee: &str) -> Option<u8> {
    use taint::kinds::*;
    let last = callee.rsplit('.').next().unwrap_or(callee);
    let lower = last.to_ascii_lowercase();
    let full = callee.to_ascii_lowercase();
    if lower.starts_with("unescape") || lower.contains("unsanit") || lower.contains("decode") {
        return None;
    }
    if lower == "encodeuricomponent" || lower == "quote_plus" || lower == "quote" {
        return Some(ALL);
    }
    if lower == "encodeuri" {
        return Some(HTML | LOG);
    }
    if lower.contains("newline") || lower.contains("crlf") {
        return Some(LOG);
    }
    let sql_ctx = full.contains("sql")
        || full.contains("pool")
        || full.contains("conn")
        || full.contains("mysql")
        || full.contains("client.")
        || full.contains("db.");
    if lower.contains("escape") || lower.contains("quote") {
        if lower.contains("html") || lower.contains("xml") || full.starts_with("he.") {
            return Some(HTML | TEMPLATE);
        }
        if lower.contains("literal") || lower.contains("identifier") || lower.contains("sql") {
            return Some(SQL);
        }
        if lower == "escape" && sql_ctx {
            return Some(SQL);
        }
        if lower.contains("regexp") || lower.contains("regex") || lower.contains("shell") {
            return None;
        }
        return Some(ALL);
    }
    if lower.contains("sanitiz")
        || lower.contains("sanitis")
        || lower == "purify"
        || lower == "xss"
        || lower == "filterxss"
        || lower == "clean" && (full.starts_with("bleach") || full.contains("purif"))
        || lower == "clean_html"
        || lower == "strip_tags"
        || lower == "striptags"
    {
        return Some(HTML | TEMPLATE);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use taint::kinds::*;

    #[test]
    fn compacts_method_chains() {
        assert_eq!(
            compact("supabase\n  .from('t')\n  .select('*')"),
            "supabase.from('t').select('*')"
        );
        assert_eq!(compact("a + b"), "a + b");
    }

    #[test]
    fn sanitizer_names() {
        assert_eq!(sanitizer_mask("DOMPurify.sanitize"), Some(HTML | TEMPLATE));
        assert_eq!(sanitizer_mask("escapeHtml"), Some(HTML | TEMPLATE));
        assert_eq!(sanitizer_mask("connection.escape"), Some(SQL));
        assert_eq!(sanitizer_mask("unescape"), None);
        assert_eq!(sanitizer_mask("escapeRegExp"), None);
        assert_eq!(sanitizer_mask("bleach.clean"), Some(HTML | TEMPLATE));
        assert_eq!(sanitizer_mask("cleanup"), None);
        assert_eq!(sanitizer_mask("encodeURIComponent"), Some(ALL));
        assert_eq!(sanitizer_mask("decodeURIComponent"), None);
    }
}
