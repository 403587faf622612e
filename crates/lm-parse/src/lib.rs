//! `lm-parse`: turns source files into `fact` records.
//!
//! The stage reads `file` records, parses each source file once with tree-sitter (SQL
//! migrations and configuration files with their own readers), and runs the extractors
//! for its language over the tree:
//!
//! * [`js`]: routes, middleware, auth and role checks, database clients and accesses,
//!   webhooks, external calls, rate limits, CORS and env reads in JavaScript/TypeScript
//!   (Next.js, Express, Fastify, Hono, Supabase Edge Functions).
//! * [`python`]: the same for FastAPI and Flask.
//! * [`flow`]: request inputs and the sinks they reach (HTML, SQL, logs, redirects,
//!   outgoing fetches), with the provenance of each sink's argument.
//! * [`sql`]: Postgres/Supabase migrations (tables, RLS, policies, views, functions,
//!   grants).
//! * [`config_files`]: `supabase/config.toml` and framework configuration.
//!
//! Extractors share a [`ctx::Ctx`]: the file, its text, the tree, and the scope rules
//! (see [`ctx::Ctx::scope_of`]).

pub mod cli;
pub mod config_files;
pub mod ctx;
pub mod flow;
pub mod js;
pub mod lang;
pub mod python;
pub mod sql;
pub mod vue;

use lm_core::{Diagnostic, DiagnosticLevel, Fact, FileRecord, Role};

/// Files larger than this are not parsed (a `diagnostic` says so).
pub const DEFAULT_MAX_PARSE_BYTES: u64 = 2 * 1024 * 1024;

/// What the extractors produced for one file.
#[derive(Debug, Default)]
pub struct Extraction {
    /// Facts, in source order.
    pub facts: Vec<Fact>,
    /// Problems with the input (parse errors, unreadable file...).
    pub diagnostics: Vec<Diagnostic>,
}

/// Whether `lm-parse` looks at this file at all.
pub fn wants(file: &FileRecord) -> bool {
    if file.binary || matches!(file.role, Role::BuildOutput | Role::Docs) {
        return false;
    }
    lang::Lang::of(file).is_some() || config_files::wants(file)
}

/// Reads and extracts one file. Never panics on bad input: problems become diagnostics.
pub fn extract_file(file: &FileRecord, max_bytes: u64) -> Extraction {
    let mut out = Extraction::default();
    if !wants(file) {
        return out;
    }
    if file.size > max_bytes {
        out.diagnostics.push(
            Diagnostic::new(
                DiagnosticLevel::Info,
                "lm-parse",
                "too-large",
                format!(
                    "not parsed: {} bytes is over the {} byte limit (--max-parse-size)",
                    file.size, max_bytes
                ),
            )
            .with_path(&file.path),
        );
        return out;
    }
    let bytes = match std::fs::read(file.fs_path()) {
        Ok(b) => b,
        Err(e) => {
            out.diagnostics.push(
                Diagnostic::new(
                    DiagnosticLevel::Warning,
                    "lm-parse",
                    "unreadable",
                    format!("cannot read {}: {e}", file.fs_path().display()),
                )
                .with_path(&file.path),
            );
            return out;
        }
    };
    let text = match String::from_utf8(bytes) {
        Ok(s) => s,
        Err(e) => {
            out.diagnostics.push(
                Diagnostic::new(
                    DiagnosticLevel::Info,
                    "lm-parse",
                    "invalid-utf8",
                    "file is not valid UTF-8; invalid bytes were replaced before parsing",
                )
                .with_path(&file.path),
            );
            String::from_utf8_lossy(e.as_bytes()).into_owned()
        }
    };
    extract_source(file, &text, &mut out);
    out
}

/// Extracts facts from `text`, the contents of `file`.
pub fn extract_source(file: &FileRecord, text: &str, out: &mut Extraction) {
    if config_files::wants(file) {
        config_files::extract(file, text, out);
    }
    let Some(lang) = lang::Lang::of(file) else {
        return;
    };
    if lang == lang::Lang::Sql {
        sql::extract(file, text, out);
    } else if lang.is_component() {
        let flavor = if lang == lang::Lang::Svelte {
            vue::Flavor::Svelte
        } else {
            vue::Flavor::Vue
        };
        vue::extract(file, text, flavor, out);
    } else {
        // Most JavaScript (dependency code above all) holds nothing any extractor looks
        // for: byte prefilters skip parsing it.
        if lang.is_js_family() && !js::worth_parsing(&file.path, text) && !flow::js::prefilter(text)
        {
            out.facts.sort_by_key(|f| (f.line, f.column, f.end_line));
            return;
        }
        let Some(tree) = lang::parse(lang, text) else {
            out.diagnostics.push(
                Diagnostic::new(
                    DiagnosticLevel::Warning,
                    "lm-parse",
                    "parse-error",
                    "tree-sitter could not parse the file",
                )
                .with_path(&file.path),
            );
            return;
        };
        let ctx = ctx::Ctx::new(file, text, &tree, lang);
        if tree.root_node().has_error() {
            if let Some(line) = ctx::first_error_line(&tree) {
                out.diagnostics.push(
                    Diagnostic::new(
                        DiagnosticLevel::Info,
                        "lm-parse",
                        "parse-error",
                        "syntax errors; facts were extracted from what could be recovered",
                    )
                    .with_path(&file.path)
                    .with_line(line),
                );
            }
        }
        if lang.is_python() {
            python::extract(&ctx, out);
            flow::extract_python(&ctx, out);
        } else {
            js::extract(&ctx, out);
            flow::extract_js(&ctx, out);
        }
    }
    out.facts.sort_by_key(|f| (f.line, f.column, f.end_line));
}
