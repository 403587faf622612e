//! Schema rules: `db.rls-disabled`, `db.rls-permissive`.

use lm_core::fact::FactData;
use lm_core::{Category, Severity};

use super::{finding, rls_governed, with_details, Ctx};
use crate::names;
use crate::schema::{self, Openness, Table};

/// Runs the schema rules (only for Supabase apps: elsewhere the database is not exposed
/// to browsers and RLS is not the access control).
pub fn check(ctx: &mut Ctx<'_>) {
    if !ctx.schema.seen || !ctx.supabase {
        return;
    }
    let tables: Vec<Table> = ctx.schema.tables.values().cloned().collect();
    for t in &tables {
        if t.schema != "public" {
            continue;
        }
        if !t.rls {
            rls_disabled(ctx, t);
        } else {
            no_policy_with_writes(ctx, t);
            permissive(ctx, t);
        }
    }
    views(ctx);
    functions(ctx);
}

fn exposed(revoked: &[String]) -> bool {
    let r = |x: &str| revoked.iter().any(|y| y == x);
    !(r("anon") && r("authenticated"))
}

fn rls_disabled(ctx: &mut Ctx<'_>, t: &Table) {
    if !exposed(&t.revoked) {
        return;
    }
    // A schema listing outside migrations that never mentions RLS says nothing about
    // the deployed tables' RLS.
    if !ctx.schema.from_migrations && !ctx.schema.rls_managed {
        return;
    }
    let Some(at) = t.rls_stmt.or(t.created) else {
        return;
    };
    let fact = &ctx.ix.facts[at];
    let disabled_later = t.rls_stmt.is_some();
    let sensitive = names::is_sensitive_table(&t.name)
        || t.columns.iter().any(|c| names::is_sensitive_column(c));
    let severity = if sensitive {
        Severity::Critical
    } else {
        Severity::High
    };
    let what = if disabled_later {
        "has row-level security disabled"
    } else {
        "is created without row-level security"
    };
    let catalog = ctx.public_table(&t.name);
    let exposure = if catalog.is_some() {
        "anyone holding the public anon key can insert, change or delete its rows (reading it may be intended, writing is not)"
    } else {
        "anyone holding the public anon key can read and change every row through the API"
    };
    let message = format!(
        "Table `public.{}` {what}: {exposure}; add `alter table public.{} enable row level security;` with policies scoped to `auth.uid()`.",
        t.name, t.name
    );
    let mut f = finding(
        "authz.rls-disabled",
        Category::DbRlsDisabled,
        severity,
        fact,
        message,
        &[&t.name],
    );
    f.evidence = Some(format!("public.{}", t.name));
    ctx.emit(with_details(f, &[("table", format!("public.{}", t.name))]));
}

fn no_policy_with_writes(ctx: &mut Ctx<'_>, t: &Table) {
    if !t.policies.is_empty() {
        return;
    }
    let write = ctx.ix.facts.iter().find(|f| match &f.data {
        FactData::DbAccess(d) => {
            rls_governed(d)
                && d.library == "supabase"
                && matches!(
                    d.operation.as_str(),
                    "insert" | "update" | "upsert" | "delete"
                )
                && d.table
                    .as_deref()
                    .is_some_and(|x| names::table_name(x).eq_ignore_ascii_case(&t.name))
        }
        _ => false,
    });
    let (Some(w), Some(at)) = (write, t.rls_stmt.or(t.created)) else {
        return;
    };
    let FactData::DbAccess(d) = &w.data else {
        return;
    };
    let fact = &ctx.ix.facts[at];
    let message = format!(
        "Table `public.{}` has RLS enabled but no policy, while {}:{} writes to it ({}) with a user/anon client: every such write is denied; add a policy scoped to the owner (e.g. `with check (auth.uid() = user_id)`) rather than disabling RLS or switching to the service role.",
        t.name, w.path, w.line, d.operation
    );
    let mut f = finding(
        "authz.rls-no-policy",
        Category::DbRlsPermissive,
        Severity::Low,
        fact,
        message,
        &[&t.name],
    );
    f.evidence = Some(format!("{} on {} at {}", d.operation, t.name, w.path));
    ctx.emit(with_details(f, &[("table", format!("public.{}", t.name))]));
}

fn permissive(ctx: &mut Ctx<'_>, t: &Table) {
    let catalog = ctx.public_table(&t.name);
    let sensitive_cols: Vec<&String> = t
        .columns
        .iter()
        .filter(|c| names::is_sensitive_column(c))
        .collect();
    for (name, pol) in &t.policies {
        let p = &pol.p;
        if !p.permissive {
            continue;
        }
        let fact = &ctx.ix.facts[pol.fact];
        let Some(who) = schema::applies_to_clients(p) else {
            continue;
        };
        let exprs: Vec<&String> = [&p.using, &p.with_check].into_iter().flatten().collect();
        // user_metadata is writable by the user through `auth.updateUser`.
        if exprs.iter().any(|e| schema::trusts_user_metadata(e)) {
            let message = format!(
                "Policy \"{name}\" on `public.{}` trusts `user_metadata`, which every user can change with `supabase.auth.updateUser()`; read roles from `app_metadata` or a table users cannot write.",
                t.name
            );
            let mut f = finding(
                "authz.rls-trusts-user-metadata",
                Category::DbRlsPermissive,
                Severity::High,
                fact,
                message,
                &[&t.name, name],
            );
            f.evidence = exprs.first().map(|e| e.to_string());
            ctx.emit(with_details(
                f,
                &[
                    ("table", format!("public.{}", t.name)),
                    ("policy", name.clone()),
                ],
            ));
            continue;
        }
        let cmd = p.command.as_str();
        let open = |e: &Option<String>| e.as_deref().map(schema::openness);
        // The expression that decides this command.
        let decisive = match cmd {
            "insert" => open(&p.with_check),
            "select" | "delete" => open(&p.using),
            _ => match (open(&p.using), open(&p.with_check)) {
                (Some(Openness::Scoped), _) | (_, Some(Openness::Scoped)) => Some(Openness::Scoped),
                (Some(a), _) => Some(a),
                (None, b) => b,
            },
        };
        let Some(level) = decisive else { continue };
        if level == Openness::Scoped {
            continue;
        }
        let anyone = level == Openness::Anyone && who != "authenticated";
        let audience = if anyone {
            "anyone with the public anon key"
        } else {
            "any signed-in user"
        };
        let expr = exprs
            .first()
            .map(|e| e.trim().to_string())
            .unwrap_or_default();
        if cmd == "select" {
            if let Some(reason) = &catalog {
                let _ = reason; // public by design: reading is the point
                continue;
            }
            let owner_col = t
                .columns
                .iter()
                .find(|c| names::is_tenant_column(c, ctx.settings));
            if looks_intended(name) && !t.columns.is_empty() && sensitive_cols.is_empty() {
                continue; // "Public profiles are viewable by everyone" with public columns
            }
            if sensitive_cols.is_empty()
                && !names::is_sensitive_table(&t.name)
                && owner_col.is_none()
            {
                continue;
            }
            let cols = if sensitive_cols.is_empty() {
                match owner_col {
                    Some(c) => format!(" (per-user rows, owned through `{c}`)"),
                    None => String::new(),
                }
            } else {
                format!(
                    " including {}",
                    sensitive_cols
                        .iter()
                        .take(3)
                        .map(|c| format!("`{c}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            };
            let severity = if anyone {
                Severity::High
            } else {
                Severity::Medium
            };
            let message = format!(
                "Policy \"{name}\" lets {audience} read every row of `public.{}`{cols} (`using ({expr})`), and it is not a public catalog by its name or columns; scope it to the owner (e.g. `using (auth.uid() = user_id)`) or expose only public columns through a view.",
                t.name
            );
            let mut f = finding(
                "authz.rls-permissive-read",
                Category::DbRlsPermissive,
                severity,
                fact,
                message,
                &[&t.name, name],
            );
            f.evidence = Some(format!("for select using ({expr})"));
            ctx.emit(with_details(
                f,
                &[
                    ("table", format!("public.{}", t.name)),
                    ("policy", name.clone()),
                ],
            ));
            continue;
        }
        if cmd == "insert" && names::is_submission_table(&t.name) {
            continue; // sign-ups, contact forms: anyone may submit by design
        }
        let severity = match (anyone, names::is_sensitive_table(&t.name)) {
            (true, _) => Severity::Critical,
            (false, true) => Severity::High,
            (false, false) => Severity::High,
        };
        let verb = match cmd {
            "insert" => "insert rows into",
            "update" => "change every row of",
            "delete" => "delete every row of",
            _ => "read and change every row of",
        };
        let clause = if cmd == "insert" {
            "with check"
        } else {
            "using"
        };
        let message = format!(
            "Policy \"{name}\" lets {audience} {verb} `public.{}` (`{clause} ({expr})` for {cmd}){}; tie it to the row's owner (e.g. `auth.uid() = user_id`).",
            t.name,
            if catalog.is_some() { ", a table meant to be read publicly, not written" } else { "" }
        );
        let mut f = finding(
            "authz.rls-permissive-write",
            Category::DbRlsPermissive,
            severity,
            fact,
            message,
            &[&t.name, name],
        );
        f.evidence = Some(format!("for {cmd} {clause} ({expr})"));
        ctx.emit(with_details(
            f,
            &[
                ("table", format!("public.{}", t.name)),
                ("policy", name.clone()),
            ],
        ));
    }
}

/// A policy name that says reading is meant to be public ("Public profiles are viewable
/// by everyone").
fn looks_intended(policy: &str) -> bool {
    let ws = names::words(policy);
    ws.iter().any(|w| {
        matches!(
            w.as_str(),
            "public" | "everyone" | "anyone" | "anonymous" | "publicly"
        )
    })
}

fn views(ctx: &mut Ctx<'_>) {
    let views: Vec<schema::View> = ctx.schema.views.values().cloned().collect();
    for v in &views {
        if v.schema != "public" || v.security_invoker || !exposed(&v.revoked) {
            continue;
        }
        let mut protected: Vec<String> = Vec::new();
        let mut auth_users = false;
        for tname in &v.tables {
            let (s, n) = schema::split_qualified(tname);
            if s == "auth" {
                auth_users = true;
                protected.push(format!("{s}.{n}"));
                continue;
            }
            if let Some(t) = ctx.schema.tables.get(&schema::key(&s, &n)) {
                if t.rls && ctx.public_table(&t.name).is_none() {
                    protected.push(format!("{}.{}", t.schema, t.name));
                }
            }
        }
        if protected.is_empty() {
            continue;
        }
        let fact = &ctx.ix.facts[v.fact];
        let severity = if auth_users {
            Severity::Critical
        } else {
            Severity::High
        };
        let message = format!(
            "View `public.{}` reads {} without `security_invoker`, so it runs with its owner's rights and returns rows their RLS policies would hide from anyone with the anon key; recreate it `with (security_invoker = true)` or revoke select from anon and authenticated.",
            v.name,
            protected.iter().map(|t| format!("`{t}`")).collect::<Vec<_>>().join(", ")
        );
        let mut f = finding(
            "authz.view-bypasses-rls",
            Category::DbRlsPermissive,
            severity,
            fact,
            message,
            &[&v.name],
        );
        f.evidence = Some(format!(
            "view public.{} over {}",
            v.name,
            protected.join(", ")
        ));
        ctx.emit(with_details(f, &[("view", format!("public.{}", v.name))]));
    }
}

fn functions(ctx: &mut Ctx<'_>) {
    let funcs: Vec<schema::Func> = ctx.schema.functions.values().cloned().collect();
    for func in &funcs {
        if func.schema != "public" || !func.security_definer || func.fact == usize::MAX {
            continue;
        }
        let revoked = |r: &str| func.revoked.iter().any(|x| x == r);
        if revoked("anon") || (revoked("public") && !func.granted.iter().any(|g| g == "anon")) {
            continue;
        }
        if func
            .returns
            .as_deref()
            .is_some_and(|r| r.to_ascii_lowercase().contains("trigger"))
            || looks_like_trigger(&func.name)
        {
            continue;
        }
        if schema::used_in_policies(&ctx.schema, &func.name) || is_predicate(&func.name) {
            continue; // a policy helper such as is_admin(): reading a boolean is harmless
        }
        let fact = &ctx.ix.facts[func.fact];
        // The body reads `auth.uid()`: it acts for the signed-in caller, and anon callers
        // have no id.
        let acts_for_caller = ctx
            .ix
            .of_kind("auth_check")
            .any(|(_, a)| a.path == fact.path && fact.line <= a.line && a.line <= fact.end_line);
        if acts_for_caller {
            continue;
        }
        let risky = names::words(&func.name).iter().any(|w| {
            matches!(
                w.as_str(),
                "admin"
                    | "delete"
                    | "grant"
                    | "role"
                    | "credit"
                    | "credits"
                    | "balance"
                    | "set"
                    | "update"
                    | "promote"
                    | "transfer"
                    | "refund"
                    | "reset"
                    | "purge"
            )
        });
        let severity = if risky {
            Severity::High
        } else {
            Severity::Medium
        };
        let path_note = if func.search_path_set {
            ""
        } else {
            " It also does not pin `search_path`."
        };
        let message = format!(
            "Function `public.{}` is `security definer` and anon can call it through `/rest/v1/rpc/{}` (execute was never revoked), so it runs with its owner's rights for anyone holding the public anon key; `revoke execute on function public.{} from public, anon;` and check `auth.uid()` inside it.{path_note}",
            func.name, func.name, func.name
        );
        let mut f = finding(
            "authz.security-definer-exposed",
            Category::DbRlsPermissive,
            severity,
            fact,
            message,
            &[&func.name],
        );
        f.evidence = Some(format!("security definer function public.{}", func.name));
        ctx.emit(with_details(
            f,
            &[("function", format!("public.{}", func.name))],
        ));
    }
}

/// Predicate helpers (`is_admin`, `has_role`, `can_edit`) answer a question about the
/// caller; calling them grants nothing.
fn is_predicate(name: &str) -> bool {
    matches!(
        names::words(name).first().map(String::as_str),
        Some("is" | "has" | "can" | "am")
    )
}

fn looks_like_trigger(name: &str) -> bool {
    let ws = names::words(name);
    let first = ws.first().map(String::as_str).unwrap_or("");
    matches!(first, "handle" | "on" | "trg" | "tg" | "trigger")
        || ws.iter().any(|w| w == "trigger")
        || name == "update_updated_at_column"
        || (ws.iter().any(|w| w == "updated") && ws.iter().any(|w| w == "at"))
}
