//! Environment variable reads (`env_read`): `process.env.X`, `process.env['X']`,
//! `import.meta.env.X`, `Deno.env.get('X')`, `const { X } = process.env`.

use lm_core::fact::{EnvRead, FactData};
use lm_core::Role;
use tree_sitter::{QueryCursor, StreamingIterator};

use super::{query, syntax};
use crate::ctx::Ctx;
use crate::Extraction;

/// Where code in this file runs: `client`, `server` or `shared`.
pub fn context(ctx: &Ctx<'_>) -> &'static str {
    let head = ctx.src.get(..ctx.src.len().min(400)).unwrap_or("");
    let p = &ctx.file.path;
    if head.contains("\"use client\"") || head.contains("'use client'") {
        return "client";
    }
    if head.contains("\"use server\"")
        || head.contains("'use server'")
        || p.contains("supabase/functions/")
        || super::prefilter::is_entry_path(p)
        || head.contains("import 'server-only'")
        || head.contains("import \"server-only\"")
    {
        return "server";
    }
    match ctx.file.role {
        Role::Client => "client",
        Role::Server => "server",
        _ => "shared",
    }
}

/// Emits `env_read` facts.
pub fn extract(ctx: &Ctx<'_>, out: &mut Extraction) {
    let Some(q) = query::for_lang(ctx.lang) else {
        return;
    };
    let q = &q.env;
    let c_name = query::capture(q, "name");
    let kinds = [
        (query::capture(q, "process_env"), "process.env"),
        (query::capture(q, "import_meta_env"), "import.meta.env"),
        (query::capture(q, "deno_env"), "Deno.env.get"),
    ];
    let context = context(ctx);
    let mut cursor = QueryCursor::new();
    let mut it = cursor.matches(q, ctx.tree.root_node(), ctx.src.as_bytes());
    while let Some(m) = it.next() {
        let name = m
            .captures
            .iter()
            .find(|c| c.index == c_name)
            .map(|c| ctx.text(c.node));
        let Some(name) = name else { continue };
        for c in m.captures {
            if let Some((_, accessor)) = kinds.iter().find(|(i, _)| *i == c.index) {
                out.facts.push(ctx.fact(
                    c.node,
                    FactData::EnvRead(EnvRead {
                        name: name.to_string(),
                        context: context.to_string(),
                        accessor: accessor.to_string(),
                    }),
                ));
            }
        }
    }
    // `const { A, B: b } = process.env`
    if ctx.src.contains("} = process.env") {
        syntax::descendants(ctx.tree.root_node(), false, |n| {
            if n.kind() != "variable_declarator" {
                return;
            }
            let (Some(pat), Some(v)) = (
                n.child_by_field_name("name"),
                n.child_by_field_name("value"),
            ) else {
                return;
            };
            if pat.kind() != "object_pattern" || ctx.text(syntax::unwrap(v)) != "process.env" {
                return;
            }
            let mut cur = pat.walk();
            for p in pat.named_children(&mut cur) {
                let key = match p.kind() {
                    "shorthand_property_identifier_pattern" => Some(p),
                    "pair_pattern" => p.child_by_field_name("key"),
                    "object_assignment_pattern" => p.child_by_field_name("left"),
                    _ => None,
                };
                if let Some(k) = key {
                    out.facts.push(ctx.fact(
                        p,
                        FactData::EnvRead(EnvRead {
                            name: ctx.text(k).trim_matches(['"', '\'']).to_string(),
                            context: context.to_string(),
                            accessor: "process.env".into(),
                        }),
                    ));
                }
            }
        });
    }
}
