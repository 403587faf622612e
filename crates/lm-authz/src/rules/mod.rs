//! The rules, and what they share: the judged context and how findings are built.

use std::collections::{BTreeMap, HashSet};

use lm_core::fact::{DbAccess, Fact, FactData};
use lm_core::fingerprint::fingerprint;
use lm_core::{Category, Finding, Severity};

use crate::analysis::{self, RouteView};
use crate::config::Settings;
use crate::index::Index;
use crate::names;
use crate::schema::{self, Openness, Schema};

pub mod db;
pub mod edges;
pub mod routes;

/// Everything the rules read, and the findings they write.
pub struct Ctx<'a> {
    /// The facts.
    pub ix: &'a Index,
    /// Settings from `.lm.toml`.
    pub settings: &'a Settings,
    /// The schema the migrations leave.
    pub schema: Schema,
    /// Every route, judged.
    pub views: Vec<RouteView<'a>>,
    /// True when the app uses Supabase (its `public` schema is exposed over the API).
    pub supabase: bool,
    out: Vec<Finding>,
    seen: HashSet<String>,
}

impl<'a> Ctx<'a> {
    /// Builds the context: replays the schema and judges every route.
    pub fn new(ix: &'a Index, settings: &'a Settings) -> Ctx<'a> {
        let schema = Schema::replay(ix);
        let mws = analysis::middlewares(ix);
        let views = analysis::views(ix, &mws, settings);
        let supabase = ix.facts.iter().any(|f| {
            f.path.starts_with("supabase/")
                || f.path.contains("/supabase/")
                || match &f.data {
                    FactData::DbClient(c) => c.library == "supabase",
                    FactData::DbAccess(d) => d.library == "supabase",
                    FactData::SqlPolicy(_) => true,
                    _ => false,
                }
        }) || ix
            .roles
            .keys()
            .any(|p| p.starts_with("supabase/") || p.contains("/supabase/"));
        Ctx {
            ix,
            settings,
            schema,
            views,
            supabase,
            out: Vec::new(),
            seen: HashSet::new(),
        }
    }

    /// Runs every rule and returns the findings, sorted by path, line and rule.
    pub fn run(mut self) -> Vec<Finding> {
        routes::check(&mut self);
        db::check(&mut self);
        edges::check(&mut self);
        let mut out = std::mem::take(&mut self.out);
        out.sort_by(|a, b| {
            a.path
                .cmp(&b.path)
                .then(a.line.cmp(&b.line))
                .then(a.rule.cmp(&b.rule))
        });
        out
    }

    /// Adds a finding unless its rule is disabled, its path excluded, or an identical
    /// fingerprint was already reported.
    pub fn emit(&mut self, f: Finding) {
        if self.settings.disabled(&f.rule) || self.settings.excluded(&f.path) {
            return;
        }
        if self.seen.insert(f.fingerprint.clone()) {
            self.out.push(f);
        }
    }

    /// Why a table's rows are public by design, if they are.
    pub fn public_table(&self, table: &str) -> Option<String> {
        if let Some(r) = names::public_table_reason(table, self.settings) {
            return Some(r.to_string());
        }
        let t = self.schema.table(table)?;
        let open_select = t.policies.values().any(|p| {
            matches!(p.p.command.as_str(), "select" | "all")
                && matches!(
                    schema::applies_to_clients(&p.p),
                    Some("public") | Some("anon")
                )
                && p.p.using.as_deref().map(schema::openness) == Some(Openness::Anyone)
        });
        let sensitive = t.columns.iter().any(|c| names::is_sensitive_column(c))
            || names::is_sensitive_table(&t.name);
        let per_user = t
            .columns
            .iter()
            .any(|c| names::is_tenant_column(c, self.settings));
        (t.rls && open_select && !sensitive && !per_user && !t.columns.is_empty()).then(|| {
            "its select policy is open to everyone and it has no personal or per-user columns"
                .to_string()
        })
    }
}

/// True when row-level security (or an equivalent) governs the access: a Supabase
/// client carrying the anon key or the user's JWT.
pub fn rls_governed(d: &DbAccess) -> bool {
    match d.client_kind.as_str() {
        "anon" | "user" => true,
        "service_role" | "server" => false,
        _ => d.library == "supabase",
    }
}

/// True for operations that change data.
pub fn is_write(op: &str) -> bool {
    matches!(
        op,
        "insert" | "update" | "delete" | "upsert" | "rpc" | "raw"
    )
}

/// `the service-role client`, `Prisma`, `a direct pg connection`...
pub fn client_desc(d: &DbAccess) -> String {
    match d.client_kind.as_str() {
        "service_role" => "the service-role client".into(),
        "server" if d.library == "supabase" => "a server Supabase client".into(),
        _ if d.library != "supabase" && !d.library.is_empty() => format!("`{}`", d.library),
        _ => "a direct database connection".into(),
    }
}

/// `select on `orders``, `rpc `grant_credits``.
pub fn access_desc(d: &DbAccess) -> String {
    match &d.table {
        Some(t) if d.operation == "rpc" => format!("calls RPC `{t}`"),
        Some(t) => format!("{} `{t}`", op_verb(&d.operation)),
        None => format!("runs a `{}` query", d.operation),
    }
}

fn op_verb(op: &str) -> &'static str {
    match op {
        "select" => "reads",
        "insert" => "inserts into",
        "update" => "updates",
        "delete" => "deletes from",
        "upsert" => "upserts into",
        _ => "queries",
    }
}

/// Builds a finding at a fact. `key` identifies it (never line numbers).
pub fn finding(
    rule: &str,
    category: Category,
    severity: Severity,
    at: &Fact,
    message: String,
    key: &[&str],
) -> Finding {
    let mut f = Finding::new(rule, category, severity, at.path.clone(), at.line, message);
    // A route spans its whole handler; its first line is where to look.
    f.end_line = if matches!(at.data, FactData::Route(_)) {
        at.line
    } else {
        at.end_line.max(at.line)
    };
    f.column = at.column;
    f.path_bytes = at.path_bytes.clone();
    let mut parts: Vec<&str> = vec![rule, &at.path];
    parts.extend_from_slice(key);
    f.fingerprint = fingerprint(&parts);
    f
}

/// Adds `details` entries.
pub fn with_details(mut f: Finding, details: &[(&str, String)]) -> Finding {
    let mut m: BTreeMap<String, serde_json::Value> = f.details.clone();
    for (k, v) in details {
        if !v.is_empty() {
            m.insert((*k).to_string(), serde_json::Value::String(v.clone()));
        }
    }
    f.details = m;
    f
}

#[cfg(test)]
mod tests;
