//! `function` facts: every top-level function and `const f = (...) => ...`, with what
//! it calls, so consumers can follow same-file helpers (auth wrappers, client factories).

use lm_core::fact::{FactData, Function};
use tree_sitter::{QueryCursor, StreamingIterator};

use super::model::JsFile;
use super::{query, syntax};

/// Most calls listed per function.
const MAX_CALLS: usize = 64;

/// Emits `function` facts.
pub fn extract(file: &mut JsFile<'_>) {
    let Some(q) = query::for_lang(file.ctx.lang) else {
        return;
    };
    let q = &q.functions;
    let (c_name, c_fn, c_export) = (
        query::capture(q, "name"),
        query::capture(q, "function"),
        query::capture(q, "export"),
    );
    let mut found = Vec::new();
    let mut cursor = QueryCursor::new();
    let mut it = cursor.matches(q, file.root, file.src.as_bytes());
    while let Some(m) = it.next() {
        let mut name = None;
        let mut func = None;
        let mut exported = false;
        for c in m.captures {
            if c.index == c_name {
                name = Some(c.node);
            } else if c.index == c_fn {
                func = Some(c.node);
            } else if c.index == c_export {
                exported = true;
            }
        }
        if let (Some(n), Some(f)) = (name, func) {
            found.push((n, f, exported));
        }
    }
    // `export { a, b }` and `export default name` mark functions exported too.
    let mut exported_names = Vec::new();
    let mut cur = file.root.walk();
    for c in file.root.named_children(&mut cur) {
        if c.kind() != "export_statement" {
            continue;
        }
        if let Some(v) = c.child_by_field_name("value") {
            exported_names.push(file.text(v));
        }
        let mut c2 = c.walk();
        for clause in c.named_children(&mut c2) {
            if clause.kind() == "export_clause" {
                let mut c3 = clause.walk();
                for spec in clause.named_children(&mut c3) {
                    if let Some(n) = spec.child_by_field_name("name") {
                        exported_names.push(file.text(n));
                    }
                }
            }
        }
    }
    for (n, f, exported) in found {
        let name = file.text(n).to_string();
        let exported = exported || exported_names.contains(&name.as_str());
        let mut calls: Vec<String> = Vec::new();
        let range = f.byte_range();
        for c in file.calls_in(&range) {
            if calls.len() >= MAX_CALLS {
                break;
            }
            let Some(callee) = syntax::callee(c) else {
                continue;
            };
            // Chains are listed by their first call (`supabase.from`).
            if syntax::callee_object(c)
                .is_some_and(|o| syntax::unwrap(o).kind() == "call_expression")
            {
                continue;
            }
            let t = syntax::callee_text(file.src, callee);
            if t.is_empty() || t.starts_with('…') || t.len() > 80 || calls.contains(&t) {
                continue;
            }
            calls.push(t);
        }
        file.push(
            f,
            FactData::Function(Function {
                name,
                exported,
                calls,
            }),
        );
    }
}
