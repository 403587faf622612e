//! JavaScript / TypeScript extractors: routes, middleware, functions, auth and role
//! checks, database clients and accesses, webhooks, external calls, rate limits, CORS and
//! environment reads, for Next.js (app router, pages router, server actions,
//! `middleware.ts`), Express, Fastify, Hono and Supabase Edge Functions.
//!
//! A byte prefilter ([`prefilter`]) decides whether a file is worth parsing at all and
//! which extractors run. One query pass ([`query`]) collects the calls, constructor calls
//! and comparisons every extractor reads. Route extractors run first and register their
//! handlers with [`Ctx::add_handler`], so every later fact gets the scope of the handler
//! it lies in.

pub mod auth;
pub mod db;
pub mod edge;
pub mod env;
pub mod express;
pub mod fastify;
pub mod functions;
pub mod hono;
pub mod model;
pub mod nextjs;
pub mod prefilter;
pub mod provenance;
pub mod query;
pub mod services;
pub mod syntax;
pub mod webhook;

use crate::ctx::Ctx;
use crate::Extraction;

pub use model::JsFile;
use prefilter::Features;

/// True when a JavaScript/TypeScript file may hold anything the JS or flow extractors
/// look for; files for which this is false are not parsed.
pub fn worth_parsing(path: &str, text: &str) -> bool {
    !prefilter::scan(path, text).is_empty()
}

/// Runs every JS/TS extractor over one file.
pub fn extract(ctx: &Ctx<'_>, out: &mut Extraction) {
    if !ctx.lang.is_js_family() {
        return;
    }
    if let Some(e) = query::error(ctx.lang) {
        out.diagnostics.push(
            lm_core::Diagnostic::new(
                lm_core::DiagnosticLevel::Error,
                "lm-parse",
                "query-error",
                format!("internal query does not compile: {e}"),
            )
            .with_path(&ctx.file.path),
        );
        return;
    }
    let feats = prefilter::scan(&ctx.file.path, ctx.src);
    if !feats.has(Features::APP) {
        if feats.has(Features::ENV) {
            env::extract(ctx, out);
        }
        return;
    }
    let Some(mut file) = JsFile::new(ctx) else {
        return;
    };
    // Entry points first: they register handler scopes.
    nextjs::extract(&mut file);
    express::extract(&mut file);
    fastify::extract(&mut file);
    hono::extract(&mut file);
    edge::extract(&mut file);
    if feats.has(Features::ENV) {
        env::extract(ctx, out);
    }
    // Then what the handlers do.
    auth::extract(&mut file);
    db::extract_clients(&mut file);
    db::extract_access(&mut file);
    services::extract(&mut file);
    webhook::extract(&mut file);
    let interesting = !file.facts.is_empty();
    if interesting {
        functions::extract(&mut file);
    }
    out.facts.append(&mut file.facts);
}
