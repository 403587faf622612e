//! Helpers for the JavaScript/TypeScript extractor tests: run the extractors over a
//! snippet as if it were the file at `path`, and pick facts out of the result.
#![allow(dead_code)]

use lm_core::fact::*;
use lm_core::{Fact, FileRecord, Role};

/// Facts extracted from `src` as the file `path` (language from the extension).
pub fn facts(path: &str, src: &str) -> Vec<Fact> {
    facts_with_role(path, src, Role::Server)
}

/// Same, with a file role.
pub fn facts_with_role(path: &str, src: &str, role: Role) -> Vec<Fact> {
    let file = FileRecord {
        path: path.into(),
        path_bytes: None,
        root: ".".into(),
        language: None,
        size: src.len() as u64,
        binary: false,
        role,
        role_reason: String::new(),
    };
    let mut out = lm_parse::Extraction::default();
    lm_parse::extract_source(&file, src, &mut out);
    out.facts
}

/// The routes.
pub fn routes(f: &[Fact]) -> Vec<(&Fact, &Route)> {
    f.iter()
        .filter_map(|x| match &x.data {
            FactData::Route(r) => Some((x, r)),
            _ => None,
        })
        .collect()
}

/// The route with this pattern and method.
pub fn route<'a>(f: &'a [Fact], pattern: &str, method: &str) -> (&'a Fact, &'a Route) {
    routes(f)
        .into_iter()
        .find(|(_, r)| r.pattern == pattern && r.methods.iter().any(|m| m == method))
        .unwrap_or_else(|| panic!("no route {method} {pattern} in {:#?}", routes(f)))
}

/// Auth checks.
pub fn auth_checks(f: &[Fact]) -> Vec<(&Fact, &AuthCheck)> {
    f.iter()
        .filter_map(|x| match &x.data {
            FactData::AuthCheck(r) => Some((x, r)),
            _ => None,
        })
        .collect()
}

/// Role checks.
pub fn role_checks(f: &[Fact]) -> Vec<(&Fact, &RoleCheck)> {
    f.iter()
        .filter_map(|x| match &x.data {
            FactData::RoleCheck(r) => Some((x, r)),
            _ => None,
        })
        .collect()
}

/// Database accesses.
pub fn db_accesses(f: &[Fact]) -> Vec<(&Fact, &DbAccess)> {
    f.iter()
        .filter_map(|x| match &x.data {
            FactData::DbAccess(r) => Some((x, r)),
            _ => None,
        })
        .collect()
}

/// Database clients.
pub fn db_clients(f: &[Fact]) -> Vec<(&Fact, &DbClient)> {
    f.iter()
        .filter_map(|x| match &x.data {
            FactData::DbClient(r) => Some((x, r)),
            _ => None,
        })
        .collect()
}

/// Middleware.
pub fn middlewares(f: &[Fact]) -> Vec<(&Fact, &Middleware)> {
    f.iter()
        .filter_map(|x| match &x.data {
            FactData::Middleware(r) => Some((x, r)),
            _ => None,
        })
        .collect()
}

/// Webhooks.
pub fn webhooks(f: &[Fact]) -> Vec<(&Fact, &Webhook)> {
    f.iter()
        .filter_map(|x| match &x.data {
            FactData::Webhook(r) => Some((x, r)),
            _ => None,
        })
        .collect()
}

/// External calls.
pub fn external_calls(f: &[Fact]) -> Vec<(&Fact, &ExternalCall)> {
    f.iter()
        .filter_map(|x| match &x.data {
            FactData::ExternalCall(r) => Some((x, r)),
            _ => None,
        })
        .collect()
}

/// Rate limits.
pub fn rate_limits(f: &[Fact]) -> Vec<(&Fact, &RateLimit)> {
    f.iter()
        .filter_map(|x| match &x.data {
            FactData::RateLimit(r) => Some((x, r)),
            _ => None,
        })
        .collect()
}

/// CORS facts.
pub fn cors(f: &[Fact]) -> Vec<(&Fact, &Cors)> {
    f.iter()
        .filter_map(|x| match &x.data {
            FactData::Cors(r) => Some((x, r)),
            _ => None,
        })
        .collect()
}

/// Env reads.
pub fn env_reads(f: &[Fact]) -> Vec<(&Fact, &EnvRead)> {
    f.iter()
        .filter_map(|x| match &x.data {
            FactData::EnvRead(r) => Some((x, r)),
            _ => None,
        })
        .collect()
}

/// Function facts.
pub fn functions(f: &[Fact]) -> Vec<(&Fact, &Function)> {
    f.iter()
        .filter_map(|x| match &x.data {
            FactData::Function(r) => Some((x, r)),
            _ => None,
        })
        .collect()
}

/// Facts of any kind in a scope.
pub fn in_scope<'a>(f: &'a [Fact], scope: &str) -> Vec<&'a Fact> {
    f.iter()
        .filter(|x| x.scope.as_deref() == Some(scope))
        .collect()
}

/// The filter on `column` of an access.
pub fn filter<'a>(a: &'a DbAccess, column: &str) -> &'a DbFilter {
    a.filters
        .iter()
        .find(|x| x.column == column)
        .unwrap_or_else(|| panic!("no filter on {column} in {a:#?}"))
}
