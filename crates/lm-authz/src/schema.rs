//! The database schema the migrations leave behind.
//!
//! `sql_*` facts are replayed in migration order (path, then statement order) into a model
//! of tables, row-level security, policies, views, functions and grants; rules judge the
//! final state and point at the statement responsible for it.

use std::collections::BTreeMap;

use lm_core::fact::{FactData, SqlPolicy};

use crate::index::Index;

/// Where a statement is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Loc {
    /// Fact index.
    pub fact: usize,
}

/// A table's final state.
#[derive(Debug, Clone, Default)]
pub struct Table {
    /// Schema.
    pub schema: String,
    /// Name.
    pub name: String,
    /// Columns, when the `create table` was seen.
    pub columns: Vec<String>,
    /// The `create table` statement.
    pub created: Option<usize>,
    /// Row-level security is enabled.
    pub rls: bool,
    /// The statement that last changed RLS.
    pub rls_stmt: Option<usize>,
    /// Policies by name.
    pub policies: BTreeMap<String, Policy>,
    /// Roles whose table privileges were revoked (lower-cased).
    pub revoked: Vec<String>,
}

/// A policy's final state.
#[derive(Debug, Clone)]
pub struct Policy {
    /// The statement that created (or last altered) it.
    pub fact: usize,
    /// The policy as replayed.
    pub p: SqlPolicy,
}

/// A view.
#[derive(Debug, Clone, Default)]
pub struct View {
    /// Schema.
    pub schema: String,
    /// Name.
    pub name: String,
    /// `security_invoker` is on.
    pub security_invoker: bool,
    /// Tables it reads.
    pub tables: Vec<String>,
    /// The `create view` statement.
    pub fact: usize,
    /// Roles whose privileges on the view were revoked.
    pub revoked: Vec<String>,
}

/// A function.
#[derive(Debug, Clone, Default)]
pub struct Func {
    /// Schema.
    pub schema: String,
    /// Name.
    pub name: String,
    /// `security definer`.
    pub security_definer: bool,
    /// `search_path` pinned.
    pub search_path_set: bool,
    /// Declared return type, when known.
    pub returns: Option<String>,
    /// The `create function` statement.
    pub fact: usize,
    /// Roles `execute` was revoked from (lower-cased).
    pub revoked: Vec<String>,
    /// Roles `execute` was granted to after a revoke.
    pub granted: Vec<String>,
}

/// The replayed schema.
#[derive(Debug, Default)]
pub struct Schema {
    /// Tables by `schema.name`.
    pub tables: BTreeMap<String, Table>,
    /// Views by `schema.name`.
    pub views: BTreeMap<String, View>,
    /// Functions by `schema.name`.
    pub functions: BTreeMap<String, Func>,
    /// True when any `sql_*` fact was seen.
    pub seen: bool,
    /// True when the replayed statements come from migration directories.
    pub from_migrations: bool,
    /// True when the SQL enables RLS or writes policies anywhere (so a table without
    /// them is a decision, not a file that does not manage security).
    pub rls_managed: bool,
}

/// `schema.name`, lower-cased, with `public` for an empty schema.
pub fn key(schema: &str, name: &str) -> String {
    let s = if schema.is_empty() { "public" } else { schema };
    format!("{}.{}", s.to_ascii_lowercase(), name.to_ascii_lowercase())
}

/// Splits a possibly qualified object name as written (`public.f`, `"public"."f"`).
pub fn split_qualified(object: &str) -> (String, String) {
    let clean: String = object.chars().filter(|c| *c != '"').collect();
    let clean = clean.split('(').next().unwrap_or("").trim().to_string();
    match clean.rsplit_once('.') {
        Some((s, n)) => (s.to_string(), n.to_string()),
        None => ("public".to_string(), clean),
    }
}

fn order_of(d: &FactData) -> u32 {
    match d {
        FactData::SqlTable(t) => t.order,
        FactData::SqlRls(t) => t.order,
        FactData::SqlPolicy(t) => t.order,
        FactData::SqlView(t) => t.order,
        FactData::SqlFunction(t) => t.order,
        FactData::SqlGrant(t) => t.order,
        _ => 0,
    }
}

fn is_drop(action: &str) -> bool {
    action == "drop"
}

fn is_alter(action: &str) -> bool {
    action == "alter"
}

impl Schema {
    /// Replays every `sql_*` fact of the index.
    pub fn replay(ix: &Index) -> Schema {
        let mut stmts: Vec<usize> = Vec::new();
        for kind in [
            "sql_table",
            "sql_rls",
            "sql_policy",
            "sql_view",
            "sql_function",
            "sql_grant",
        ] {
            stmts.extend(ix.of_kind(kind).map(|(i, _)| i));
        }
        // Migrations are the history of the schema; when there are any, other SQL files
        // (dumps, seeds, "run this in the SQL editor" scripts) are not replayed into it.
        let in_migrations = |p: &str| p.starts_with("migrations/") || p.contains("/migrations/");
        if stmts.iter().any(|&i| in_migrations(&ix.facts[i].path)) {
            stmts.retain(|&i| in_migrations(&ix.facts[i].path));
        }
        stmts.sort_by(|&a, &b| {
            let (fa, fb) = (&ix.facts[a], &ix.facts[b]);
            fa.path
                .cmp(&fb.path)
                .then(order_of(&fa.data).cmp(&order_of(&fb.data)))
                .then(fa.line.cmp(&fb.line))
                .then(a.cmp(&b))
        });
        let mut s = Schema {
            seen: !stmts.is_empty(),
            from_migrations: stmts.iter().any(|&i| in_migrations(&ix.facts[i].path)),
            rls_managed: stmts.iter().any(|&i| {
                matches!(
                    ix.facts[i].data,
                    FactData::SqlRls(_) | FactData::SqlPolicy(_)
                )
            }),
            ..Default::default()
        };
        for i in stmts {
            s.apply(i, &ix.facts[i].data);
        }
        s
    }

    fn table_mut(&mut self, schema: &str, name: &str) -> &mut Table {
        self.tables
            .entry(key(schema, name))
            .or_insert_with(|| Table {
                schema: if schema.is_empty() {
                    "public".into()
                } else {
                    schema.to_ascii_lowercase()
                },
                name: name.to_ascii_lowercase(),
                ..Default::default()
            })
    }

    fn apply(&mut self, i: usize, d: &FactData) {
        match d {
            FactData::SqlTable(t) => {
                let k = key(&t.schema, &t.name);
                if is_drop(&t.action) {
                    self.tables.remove(&k);
                } else if is_alter(&t.action) {
                    let tb = self.table_mut(&t.schema, &t.name);
                    for c in &t.columns {
                        if !tb.columns.contains(c) {
                            tb.columns.push(c.clone());
                        }
                    }
                } else {
                    let exists = self.tables.get(&k).is_some_and(|tb| tb.created.is_some());
                    if exists && t.if_not_exists {
                        return;
                    }
                    let tb = self.table_mut(&t.schema, &t.name);
                    tb.created = Some(i);
                    tb.columns = t.columns.clone();
                }
            }
            FactData::SqlRls(r) => {
                let tb = self.table_mut(&r.schema, &r.table);
                match r.action.as_str() {
                    "enable" | "force" => {
                        tb.rls = true;
                        tb.rls_stmt = Some(i);
                    }
                    "disable" => {
                        tb.rls = false;
                        tb.rls_stmt = Some(i);
                    }
                    _ => {}
                }
            }
            FactData::SqlPolicy(p) => {
                let tb = self.table_mut(&p.schema, &p.table);
                let name = p.name.clone();
                match p.action.as_str() {
                    "drop" => {
                        tb.policies.remove(&name);
                    }
                    "alter" => {
                        if let Some(old) = tb.policies.get_mut(&name) {
                            if !p.roles.is_empty() {
                                old.p.roles = p.roles.clone();
                            }
                            if p.using.is_some() {
                                old.p.using = p.using.clone();
                            }
                            if p.with_check.is_some() {
                                old.p.with_check = p.with_check.clone();
                            }
                            old.fact = i;
                        }
                    }
                    _ => {
                        let mut p = p.clone();
                        if p.command.is_empty() {
                            p.command = "all".into();
                        }
                        tb.policies.insert(name, Policy { fact: i, p });
                    }
                }
            }
            FactData::SqlView(v) => {
                let k = key(&v.schema, &v.name);
                if is_drop(&v.action) {
                    self.views.remove(&k);
                } else if is_alter(&v.action) {
                    if let Some(old) = self.views.get_mut(&k) {
                        old.security_invoker = v.security_invoker;
                    }
                } else {
                    self.views.insert(
                        k,
                        View {
                            schema: v.schema.to_ascii_lowercase(),
                            name: v.name.to_ascii_lowercase(),
                            security_invoker: v.security_invoker,
                            tables: v.tables.clone(),
                            fact: i,
                            revoked: Vec::new(),
                        },
                    );
                }
            }
            FactData::SqlFunction(f) => {
                let k = key(&f.schema, &f.name);
                if is_drop(&f.action) {
                    self.functions.remove(&k);
                } else if is_alter(&f.action) {
                    if let Some(old) = self.functions.get_mut(&k) {
                        old.security_definer = f.security_definer;
                        old.search_path_set |= f.search_path_set;
                    }
                } else {
                    let (revoked, granted) = self
                        .functions
                        .get(&k)
                        .map(|o| (o.revoked.clone(), o.granted.clone()))
                        .unwrap_or_default();
                    self.functions.insert(
                        k,
                        Func {
                            schema: f.schema.to_ascii_lowercase(),
                            name: f.name.to_ascii_lowercase(),
                            security_definer: f.security_definer,
                            search_path_set: f.search_path_set,
                            returns: f.returns.clone(),
                            fact: i,
                            revoked,
                            granted,
                        },
                    );
                }
            }
            FactData::SqlGrant(g) => {
                let roles: Vec<String> = g.roles.iter().map(|r| r.to_ascii_lowercase()).collect();
                let privs: Vec<String> = g
                    .privileges
                    .iter()
                    .map(|p| p.to_ascii_lowercase())
                    .collect();
                let (schema, name) = split_qualified(&g.object);
                let k = key(&schema, &name);
                match g.object_kind.as_str() {
                    "function" => {
                        if !privs.iter().any(|p| p == "execute" || p == "all") {
                            return;
                        }
                        if let Some(f) = self.functions.get_mut(&k) {
                            update_acl(&mut f.revoked, &mut f.granted, g.grant, &roles);
                        } else {
                            // revoke before create (some dumps): remember on a stub
                            let f = self.functions.entry(k).or_insert_with(|| Func {
                                schema,
                                name,
                                fact: usize::MAX,
                                ..Default::default()
                            });
                            update_acl(&mut f.revoked, &mut f.granted, g.grant, &roles);
                        }
                    }
                    "table" => {
                        if !privs.iter().any(|p| p == "select" || p == "all") {
                            return;
                        }
                        let mut dummy = Vec::new();
                        if let Some(v) = self.views.get_mut(&k) {
                            update_acl(&mut v.revoked, &mut dummy, g.grant, &roles);
                        } else if let Some(t) = self.tables.get_mut(&k) {
                            update_acl(&mut t.revoked, &mut dummy, g.grant, &roles);
                        }
                    }
                    "all_functions" | "all_tables" => {
                        let wanted = if g.object_kind == "all_functions" {
                            "execute"
                        } else {
                            "select"
                        };
                        if !privs.iter().any(|p| p == wanted || p == "all") {
                            return;
                        }
                        let schema = g.object.trim_matches('"').to_ascii_lowercase();
                        let in_schema = |s: &str| schema.is_empty() || s == schema;
                        let mut dummy = Vec::new();
                        if g.object_kind == "all_functions" {
                            for f in self.functions.values_mut().filter(|f| in_schema(&f.schema)) {
                                update_acl(&mut f.revoked, &mut f.granted, g.grant, &roles);
                            }
                        } else {
                            for t in self.tables.values_mut().filter(|t| in_schema(&t.schema)) {
                                update_acl(&mut t.revoked, &mut dummy, g.grant, &roles);
                            }
                        }
                    }
                    _ => {}
                }
            }
            _ => {}
        }
    }

    /// The table an access names (`todos`, `public.todos`), when the migrations define it.
    pub fn table(&self, name: &str) -> Option<&Table> {
        let (schema, n) = split_qualified(name);
        self.tables.get(&key(&schema, &n))
    }
}

fn update_acl(revoked: &mut Vec<String>, granted: &mut Vec<String>, grant: bool, roles: &[String]) {
    for r in roles {
        if grant {
            revoked.retain(|x| x != r);
            if !granted.contains(r) {
                granted.push(r.clone());
            }
        } else {
            granted.retain(|x| x != r);
            if !revoked.contains(r) {
                revoked.push(r.clone());
            }
        }
    }
}

/// How far a policy expression lets callers through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Openness {
    /// Always true (`true`, `1 = 1`).
    Anyone,
    /// True for any signed-in user (`auth.role() = 'authenticated'`, `auth.uid() is not null`).
    AnySignedIn,
    /// Depends on the row or the caller.
    Scoped,
}

/// Normalises an SQL expression for comparison: lower case, no whitespace or parens.
fn squash(expr: &str) -> String {
    expr.chars()
        .filter(|c| !c.is_whitespace() && *c != '(' && *c != ')')
        .flat_map(|c| c.to_lowercase())
        .collect()
}

/// Judges a `using` / `with check` expression.
pub fn openness(expr: &str) -> Openness {
    let s = squash(expr);
    if matches!(s.as_str(), "true" | "1=1" | "'t'" | "true=true") {
        return Openness::Anyone;
    }
    const SIGNED_IN: &[&str] = &[
        "auth.role='authenticated'",
        "auth.role='authenticated'::text",
        "auth.uidisnotnull",
        "selectauth.uidisnotnull",
        "selectauth.roleisnotnull",
        "auth.jwtisnotnull",
        "auth.role<>'anon'",
        "auth.role!='anon'",
        "selectauth.role='authenticated'",
        "selectauth.role='authenticated'::text",
    ];
    if SIGNED_IN.contains(&s.as_str()) {
        return Openness::AnySignedIn;
    }
    Openness::Scoped
}

/// True when an expression trusts `user_metadata`, which users can change themselves.
pub fn trusts_user_metadata(expr: &str) -> bool {
    let s = squash(expr);
    s.contains("user_metadata") || s.contains("raw_user_meta_data")
}

/// True when a policy applies to callers holding the public anon key or any user.
pub fn applies_to_clients(p: &SqlPolicy) -> Option<&'static str> {
    if p.roles.is_empty() {
        return Some("public");
    }
    let mut best = None;
    for r in &p.roles {
        match r.to_ascii_lowercase().as_str() {
            "public" => return Some("public"),
            "anon" => return Some("anon"),
            "authenticated" => best = Some("authenticated"),
            _ => {}
        }
    }
    best
}

/// True when `name` is called in any policy expression (a policy helper like `is_admin()`).
pub fn used_in_policies(schema: &Schema, name: &str) -> bool {
    let needle = format!("{}(", name.to_ascii_lowercase());
    schema.tables.values().any(|t| {
        t.policies.values().any(|p| {
            [&p.p.using, &p.p.with_check]
                .into_iter()
                .flatten()
                .any(|e| e.to_ascii_lowercase().replace(' ', "").contains(&needle))
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use lm_core::fact::{Fact, SqlGrant, SqlRls, SqlTable};
    use std::collections::HashMap;

    fn f(path: &str, data: FactData) -> Fact {
        Fact {
            path: path.into(),
            path_bytes: None,
            line: 1,
            end_line: 1,
            column: None,
            scope: None,
            data,
        }
    }

    #[test]
    fn replay_follows_migration_order_and_drops() {
        let facts = vec![
            f(
                "supabase/migrations/002_fix.sql",
                FactData::SqlRls(SqlRls {
                    schema: "public".into(),
                    table: "todos".into(),
                    action: "enable".into(),
                    order: 0,
                }),
            ),
            f(
                "supabase/migrations/002_fix.sql",
                FactData::SqlPolicy(SqlPolicy {
                    schema: "public".into(),
                    table: "todos".into(),
                    name: "open".into(),
                    action: "drop".into(),
                    order: 1,
                    permissive: true,
                    ..Default::default()
                }),
            ),
            f(
                "supabase/migrations/001_init.sql",
                FactData::SqlTable(SqlTable {
                    schema: "public".into(),
                    name: "todos".into(),
                    columns: vec!["id".into(), "user_id".into()],
                    order: 0,
                    ..Default::default()
                }),
            ),
            f(
                "supabase/migrations/001_init.sql",
                FactData::SqlPolicy(SqlPolicy {
                    schema: "public".into(),
                    table: "todos".into(),
                    name: "open".into(),
                    action: "create".into(),
                    using: Some("true".into()),
                    order: 1,
                    permissive: true,
                    ..Default::default()
                }),
            ),
            f(
                "supabase/migrations/001_init.sql",
                FactData::SqlGrant(SqlGrant {
                    grant: false,
                    privileges: vec!["execute".into()],
                    object_kind: "function".into(),
                    object: "public.f".into(),
                    roles: vec!["anon".into()],
                    order: 2,
                }),
            ),
        ];
        let ix = Index::new(facts, HashMap::new());
        let s = Schema::replay(&ix);
        let t = s.table("todos").unwrap();
        assert!(t.rls);
        assert!(t.policies.is_empty());
        assert_eq!(t.created, Some(2));
        assert_eq!(s.functions["public.f"].revoked, vec!["anon"]);
    }

    #[test]
    fn openness_of_expressions() {
        assert_eq!(openness("true"), Openness::Anyone);
        assert_eq!(openness(" ( true ) "), Openness::Anyone);
        assert_eq!(
            openness("auth.role() = 'authenticated'"),
            Openness::AnySignedIn
        );
        assert_eq!(
            openness("(select auth.uid()) is not null"),
            Openness::AnySignedIn
        );
        assert_eq!(openness("auth.uid() = user_id"), Openness::Scoped);
        assert!(trusts_user_metadata(
            "(auth.jwt() -> 'user_metadata' ->> 'role') = 'admin'"
        ));
        assert!(!trusts_user_metadata(
            "(auth.jwt() -> 'app_metadata' ->> 'role') = 'admin'"
        ));
    }
}
