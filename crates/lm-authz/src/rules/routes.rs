//! Route rules: `authn.missing`, `authz.missing-role`, `authz.bola`,
//! `authz.service-role-misuse`.

use lm_core::fact::{DbAccess, DbFilter, ExternalCall, Fact, FactData, Provenance};
use lm_core::{Category, Severity};

use super::{access_desc, client_desc, finding, is_write, rls_governed, with_details, Ctx};
use crate::analysis::{Auth, RouteView};
use crate::names;

/// Runs the route rules.
pub fn check(ctx: &mut Ctx<'_>) {
    service_role_in_client(ctx);
    let n = ctx.views.len();
    for i in 0..n {
        authn_missing(ctx, i);
        edge_service_role(ctx, i);
        missing_role(ctx, i);
        bola(ctx, i);
    }
}

/// One thing a handler does that needs a signed-in caller.
struct Sensitive<'a> {
    fact: &'a Fact,
    what: String,
    severity: Severity,
}

fn request_like(p: Provenance) -> bool {
    matches!(
        p,
        Provenance::Request | Provenance::Validated | Provenance::Sanitized
    )
}

/// What in the route's reach touches non-public data or costs money.
fn sensitive<'a>(ctx: &Ctx<'a>, v: &RouteView<'a>) -> Vec<Sensitive<'a>> {
    let mut out = Vec::new();
    let submission_route = names::words(&v.pattern).iter().any(|w| {
        matches!(
            w.as_str(),
            "contact" | "newsletter" | "waitlist" | "subscribe" | "feedback" | "lead" | "leads"
        )
    });
    let has_access = v
        .facts(ctx.ix)
        .any(|(_, f)| matches!(f.data, FactData::DbAccess(_)));
    if !has_access {
        // Accesses the facts missed (a client imported from another module): read them
        // from call names such as `db.project.delete` on a known server client.
        for (table, op) in inferred_accesses(ctx, v) {
            if op == "select" && ctx.public_table(&table).is_some() {
                continue;
            }
            let write = is_write(op);
            out.push(Sensitive {
                fact: v.fact,
                what: format!("calls `{table}.{op}` on a server database client"),
                severity: if write {
                    Severity::Critical
                } else {
                    Severity::High
                },
            });
        }
    }
    for (_, f) in v.facts(ctx.ix) {
        match &f.data {
            FactData::DbAccess(d) => {
                if rls_governed(d) {
                    continue;
                }
                let table = d.table.clone().unwrap_or_default();
                if d.operation == "select" && ctx.public_table(&table).is_some() {
                    continue;
                }
                if d.operation == "insert" && names::is_submission_table(&table) {
                    continue;
                }
                let write = is_write(&d.operation);
                let severity = match (write, d.client_kind.as_str()) {
                    (true, "service_role") | (true, "server") => Severity::Critical,
                    (true, _) => Severity::High,
                    _ if names::is_sensitive_table(&table)
                        || table.is_empty()
                        || owner_column_hint(ctx, &table).is_some() =>
                    {
                        Severity::High
                    }
                    _ => Severity::Medium,
                };
                out.push(Sensitive {
                    fact: f,
                    what: format!("{} with {}", access_desc(d), client_desc(d)),
                    severity,
                });
            }
            FactData::ExternalCall(e) => {
                if !(e.privileged || e.paid_ai) {
                    continue;
                }
                if submission_route && is_email(e) {
                    continue;
                }
                let severity = if names::is_admin_api(&e.api) {
                    Severity::Critical
                } else if e.privileged {
                    Severity::High
                } else {
                    Severity::Medium
                };
                let what = if e.paid_ai && !e.privileged {
                    format!(
                        "calls the paid `{}` API (`{}`) with the server key",
                        e.service, e.api
                    )
                } else {
                    format!("calls `{}`", e.api)
                };
                out.push(Sensitive {
                    fact: f,
                    what,
                    severity,
                });
            }
            _ => {}
        }
    }
    // Nothing else: the service-role key read in the handler but not to build a client
    // there goes out with a request (`Authorization: Bearer <key>` to another function or
    // to the REST API), which then runs with full rights for whoever called this route.
    let handler_keys: Vec<&str> = v
        .facts(ctx.ix)
        .filter_map(|(_, f)| match &f.data {
            FactData::DbClient(c) => c.key_env.as_deref(),
            _ => None,
        })
        .collect();
    let forwarded = v.facts(ctx.ix).find(|(_, f)| match &f.data {
        FactData::EnvRead(e) => {
            names::is_service_role_key(&e.name) && !handler_keys.contains(&e.name.as_str())
        }
        _ => false,
    });
    if let Some((_, f)) = forwarded.filter(|_| out.is_empty()) {
        if let FactData::EnvRead(e) = &f.data {
            out.push(Sensitive {
                fact: f,
                what: format!(
                    "sends the service-role key `{}` with an outgoing request",
                    e.name
                ),
                severity: Severity::High,
            });
        }
    }
    out
}

/// `(model, operation)` of ORM calls on server clients (`db.project.delete`), for
/// handlers whose `db_access` facts are missing.
fn inferred_accesses(ctx: &Ctx<'_>, v: &RouteView<'_>) -> Vec<(String, &'static str)> {
    let vars: Vec<&str> = ctx
        .ix
        .of_kind("db_client")
        .filter_map(|(_, f)| match &f.data {
            FactData::DbClient(c) if c.library == "prisma" && c.client_kind != "anon" => {
                c.var.as_deref()
            }
            _ => None,
        })
        .collect();
    let mut out = Vec::new();
    for call in &v.reach.calls {
        let parts: Vec<&str> = call.split('.').collect();
        let [var, model, method] = parts.as_slice() else {
            continue;
        };
        if !vars.contains(var) {
            continue;
        }
        let op = match *method {
            "findUnique" | "findUniqueOrThrow" | "findFirst" | "findFirstOrThrow" | "findMany"
            | "count" | "aggregate" | "groupBy" => "select",
            "create" | "createMany" | "createManyAndReturn" => "insert",
            "update" | "updateMany" => "update",
            "delete" | "deleteMany" => "delete",
            "upsert" => "upsert",
            _ => continue,
        };
        let item = (model.to_string(), op);
        if !out.contains(&item) {
            out.push(item);
        }
    }
    out
}

fn is_email(e: &ExternalCall) -> bool {
    matches!(
        e.service.as_str(),
        "resend" | "sendgrid" | "email" | "nodemailer" | "postmark" | "mailgun" | "ses"
    )
}

fn fix_for(v: &RouteView<'_>) -> &'static str {
    match v.route.framework.as_str() {
        "nextjs-app" | "nextjs-pages" => {
            "verify the session at the top of the handler (e.g. `supabase.auth.getUser()` or `getServerSession()`) and return 401 when it is missing, or cover the path in `middleware.ts`"
        }
        "server-action" => {
            "server actions are public POST endpoints: verify the session inside the action and stop when it is missing"
        }
        "express" | "hono" | "fastify" => {
            "add the authentication middleware to this route (or mount it before the router)"
        }
        "fastapi" => "add a dependency such as `Depends(get_current_user)` to the route or its router",
        "flask" => "add `@login_required` (or your auth decorator) to the view",
        "supabase-edge" => {
            "set `verify_jwt = true` for it in `supabase/config.toml` or verify the caller with `supabase.auth.getUser(token)` and return 401"
        }
        _ => "authenticate the caller before touching data",
    }
}

fn authn_missing(ctx: &mut Ctx<'_>, i: usize) {
    let v = &ctx.views[i];
    if v.public.is_some() || matches!(v.auth, Auth::Enforced(_) | Auth::Secret(_)) {
        return;
    }
    let has_webhook = v
        .facts(ctx.ix)
        .any(|(_, f)| matches!(f.data, FactData::Webhook(_)));
    if has_webhook {
        return;
    }
    if names::auth_flow(&v.pattern).is_some()
        || v.route
            .handler
            .as_deref()
            .and_then(names::auth_flow)
            .is_some()
    {
        return;
    }
    if v.is_edge() && v.verify_jwt != Some(false) {
        return;
    }
    let items = sensitive(ctx, v);
    if items.is_empty() {
        return;
    }
    // A session read whose result filters every query: no user, no rows.
    if let Auth::Unenforced(_) = &v.auth {
        let all_scoped = items.iter().all(|s| match &s.fact.data {
            FactData::DbAccess(d) => d
                .filters
                .iter()
                .chain(d.values.iter())
                .any(|x| v.user_tied(x.source, &x.expr)),
            _ => false,
        });
        if all_scoped {
            return;
        }
    }
    let mut severity = items
        .iter()
        .map(|s| s.severity)
        .max()
        .unwrap_or(Severity::High);
    let mut whats: Vec<String> = Vec::new();
    for s in &items {
        if !whats.contains(&s.what) {
            whats.push(s.what.clone());
        }
    }
    let shown = if whats.len() > 2 {
        format!("{}, {} and {} more", whats[0], whats[1], whats.len() - 2)
    } else {
        whats.join(" and ")
    };
    let (rule, why) = match (&v.auth, v.is_edge()) {
        (Auth::Unenforced(how), _) => {
            severity = severity.lowered();
            (
                "authz.unenforced-auth-check",
                format!("reads the session with {how} but does not stop when no user is signed in"),
            )
        }
        (_, true) => (
            "authz.unauthenticated-edge-function",
            "has `verify_jwt = false` and never verifies the caller".to_string(),
        ),
        _ => {
            let mut why = "has no authentication check on its path".to_string();
            if let Some(mw) = &v.uncovered_auth_mw {
                why.push_str(&format!(" ({mw})"));
            }
            ("authz.unauthenticated-route", why)
        }
    };
    let message = format!("{} {shown} but {why}; {}.", v.label, fix_for(v));
    let f = finding(
        rule,
        Category::AuthnMissing,
        severity,
        v.fact,
        message,
        &[&v.pattern, &v.route.methods.join(",")],
    );
    let f = with_details(
        f,
        &[
            ("route", v.label.clone()),
            ("framework", v.route.framework.clone()),
            ("evidence", whats.join("; ")),
        ],
    );
    let mut f = f;
    f.evidence = Some(whats.join("; "));
    ctx.emit(f);
}

/// Edge functions behind `verify_jwt` that use the service role without checking who
/// is calling: the public anon key passes `verify_jwt`.
fn edge_service_role(ctx: &mut Ctx<'_>, i: usize) {
    let v = &ctx.views[i];
    if !v.is_edge() || v.verify_jwt != Some(true) || v.auth != Auth::None || v.public.is_some() {
        return;
    }
    if v.facts(ctx.ix)
        .any(|(_, f)| matches!(f.data, FactData::Webhook(_)))
    {
        return;
    }
    let accesses: Vec<(&Fact, &DbAccess)> = v
        .db_accesses(ctx.ix)
        .filter(|(_, _, d)| d.client_kind == "service_role")
        .filter(|(_, _, d)| {
            !(d.operation == "select"
                && ctx.public_table(d.table.as_deref().unwrap_or("")).is_some())
        })
        .map(|(_, f, d)| (f, d))
        .collect();
    let admin_call = v.facts(ctx.ix).find_map(|(_, f)| match &f.data {
        FactData::ExternalCall(e) if names::is_admin_api(&e.api) => Some((f, e.api.clone())),
        _ => None,
    });
    let first_write = accesses
        .iter()
        .find(|(_, d)| is_write(&d.operation))
        .copied();
    // The headline: an admin API call, else a write, else the first read.
    let (at, what, key) = match (&admin_call, first_write, accesses.first()) {
        (Some((f, api)), _, _) => (*f, format!("calls `{api}`"), api.clone()),
        (None, Some((f, d)), _) | (None, None, Some(&(f, d))) => (
            f,
            format!("{} with the service-role client", access_desc(d)),
            d.table.clone().unwrap_or_default(),
        ),
        _ => return,
    };
    let severity = if admin_call.is_some() || first_write.is_some() {
        Severity::Critical
    } else {
        Severity::High
    };
    let message = format!(
        "{} {what} but never checks who is calling; `verify_jwt` only proves a JWT was sent and the public anon key passes it — verify the user with `supabase.auth.getUser(token)` and scope the work to them, or use a client created with the caller's `Authorization` header so RLS applies.",
        v.label
    );
    let mut f = finding(
        "authz.service-role-edge-function",
        Category::AuthzServiceRoleMisuse,
        severity,
        v.fact,
        message,
        &[&v.pattern, &key],
    );
    f.evidence = Some(format!("{what} at {}:{}", at.path, at.line));
    let f = with_details(f, &[("route", v.label.clone())]);
    ctx.emit(f);
}

/// A service-role client created or used in code the browser runs.
fn service_role_in_client(ctx: &mut Ctx<'_>) {
    let mut hits: Vec<lm_core::Finding> = Vec::new();
    let mut seen_paths: Vec<String> = Vec::new();
    for f in ctx.ix.facts.iter() {
        let (kind, var) = match &f.data {
            FactData::DbClient(c) if c.client_kind == "service_role" => {
                ("creates", c.var.clone().or(c.key_env.clone()))
            }
            FactData::DbAccess(d) if d.client_kind == "service_role" => {
                ("uses", d.client_var.clone())
            }
            _ => continue,
        };
        let Some(role) = ctx.ix.role(&f.path) else {
            continue;
        };
        let public_env = |name: &str| {
            [
                "VITE_",
                "NEXT_PUBLIC_",
                "EXPO_PUBLIC_",
                "REACT_APP_",
                "PUBLIC_",
            ]
            .iter()
            .any(|p| name.starts_with(p))
        };
        // Shared code that reads its key from a bundler-public variable runs in the
        // browser too.
        let bundled = role == lm_core::Role::Shared
            && match &f.data {
                FactData::DbClient(c) => c.key_env.as_deref().is_some_and(public_env),
                _ => false,
            };
        if !(role.browser_visible() || bundled) || seen_paths.contains(&f.path) {
            continue;
        }
        seen_paths.push(f.path.clone());
        let var = var.map(|v| format!(" `{v}`")).unwrap_or_default();
        let message = format!(
            "{} {kind} a service-role Supabase client{var} in browser code ({}): it bypasses every RLS policy and its key ships to every visitor — move the privileged work to a server route or edge function and use the anon key with RLS here.",
            f.path,
            if bundled {
                "its key comes from a bundler-public variable".to_string()
            } else {
                format!("{} file", role.as_str())
            }
        );
        let mut fd = finding(
            "authz.service-role-in-client",
            Category::AuthzServiceRoleMisuse,
            Severity::Critical,
            f,
            message,
            &[],
        );
        fd.evidence = Some(format!("service_role client{var}"));
        hits.push(fd);
    }
    for h in hits {
        ctx.emit(h);
    }
}

/// Why an action is privileged, if it is.
fn privileged_action(ctx: &Ctx<'_>, v: &RouteView<'_>) -> Option<(String, Severity, String)> {
    for (_, f) in v.facts(ctx.ix) {
        if let FactData::ExternalCall(e) = &f.data {
            if names::is_admin_api(&e.api) {
                return Some((
                    format!("calls `{}`", e.api),
                    Severity::Critical,
                    e.api.clone(),
                ));
            }
        }
    }
    for (_, _, d) in v.db_accesses(ctx.ix) {
        let table = d.table.clone().unwrap_or_default();
        // Changing roles, plans or credits from request data.
        if matches!(d.operation.as_str(), "update" | "upsert" | "insert") {
            if let Some(col) = d
                .values
                .iter()
                .find(|x| names::is_role_column(&x.column) && x.source != Provenance::Literal)
            {
                if !v.user_tied(col.source, &col.expr) {
                    return Some((
                        format!(
                            "sets `{}` on `{table}` from `{}`",
                            col.column,
                            if col.expr.is_empty() {
                                "request data"
                            } else {
                                &col.expr
                            }
                        ),
                        Severity::Critical,
                        format!("{table}.{}", col.column),
                    ));
                }
            }
        }
        if rls_governed(d) {
            continue;
        }
        let user_table = names::is_sensitive_table(&table)
            && names::words(&table).iter().any(|w| {
                matches!(
                    w.as_str(),
                    "users" | "user" | "profiles" | "profile" | "accounts" | "roles" | "members"
                )
            });
        let by_request_id = d
            .filters
            .iter()
            .any(|x| request_like(x.source) && names::is_id_column(&x.column));
        let tied = d.filters.iter().any(|x| v.user_tied(x.source, &x.expr));
        if matches!(d.operation.as_str(), "delete" | "update")
            && user_table
            && by_request_id
            && !tied
        {
            return Some((
                format!(
                    "{} another user's row by a request id",
                    op_word(&d.operation)
                ),
                Severity::High,
                format!("{table}.{}", d.operation),
            ));
        }
        if d.operation == "delete" && d.filters.is_empty() && !table.is_empty() {
            return Some((
                format!("deletes every row of `{table}`"),
                Severity::High,
                format!("{table}.delete-all"),
            ));
        }
        // Raw SQL filters may not be visible in facts: only judge query builders.
        let structured = !matches!(
            d.library.as_str(),
            "pg" | "postgres"
                | "mysql2"
                | "mysql"
                | "raw-sql"
                | "sqlite3"
                | "better-sqlite3"
                | "sqlalchemy"
                | "psycopg"
                | "psycopg2"
                | "asyncpg"
                | "knex"
                | "sql"
        );
        if d.operation == "select"
            && structured
            && d.filters.is_empty()
            && names::is_sensitive_table(&table)
            && ctx.public_table(&table).is_none()
        {
            return Some((
                format!("lists every row of `{table}` with {}", client_desc(d)),
                Severity::High,
                format!("{table}.list-all"),
            ));
        }
    }
    let admin_surface = names::is_admin_text(&v.pattern)
        || v.route.handler.as_deref().is_some_and(names::is_admin_text)
        || names::is_admin_text(&v.fact.path);
    if admin_surface {
        let touched = v.facts(ctx.ix).find_map(|(_, f)| match &f.data {
            FactData::DbAccess(d) if !rls_governed(d) => {
                Some(format!("{} with {}", access_desc(d), client_desc(d)))
            }
            FactData::ExternalCall(e) if e.privileged => Some(format!("calls `{}`", e.api)),
            _ => None,
        });
        if let Some(t) = touched {
            return Some((
                format!("is an admin endpoint that {t}"),
                Severity::High,
                "admin".into(),
            ));
        }
    }
    None
}

fn op_word(op: &str) -> &'static str {
    if op == "delete" {
        "deletes"
    } else {
        "updates"
    }
}

fn missing_role(ctx: &mut Ctx<'_>, i: usize) {
    let v = &ctx.views[i];
    if !v.auth.identifies_user() || v.role.is_some() || v.public.is_some() {
        return;
    }
    let Some((what, severity, key)) = privileged_action(ctx, v) else {
        return;
    };
    let how = match &v.auth {
        Auth::Enforced(h) | Auth::Unenforced(h) => h.clone(),
        _ => String::new(),
    };
    let message = format!(
        "{} {what} for any signed-in user: it authenticates with {how} but checks no role or permission; verify the caller's role (e.g. an `is_admin` flag read from the database or `app_metadata`) before acting.",
        v.label
    );
    let mut f = finding(
        "authz.missing-role",
        Category::AuthzMissingRole,
        severity,
        v.fact,
        message,
        &[&v.pattern, &key],
    );
    f.evidence = Some(what);
    let f = with_details(f, &[("route", v.label.clone())]);
    ctx.emit(f);
}

fn filter_desc(x: &DbFilter) -> String {
    if x.expr.is_empty() {
        format!("request value for `{}`", x.column)
    } else {
        format!("`{}`", x.expr)
    }
}

fn bola(ctx: &mut Ctx<'_>, i: usize) {
    let v = &ctx.views[i];
    if !v.auth.identifies_user() || v.role.is_some() || v.public.is_some() {
        return;
    }
    // Admin and user-management routes are judged by the missing-role rule.
    if privileged_action(ctx, v).is_some() {
        return;
    }
    let verified = verified_ids(ctx, v);
    let mut found: Vec<lm_core::Finding> = Vec::new();
    let mut hits: Vec<BolaHit> = Vec::new();
    for (_, f, d) in v.db_accesses(ctx.ix) {
        if rls_governed(d) {
            continue;
        }
        let table = d.table.clone().unwrap_or_default();
        if ctx.public_table(&table).is_some() {
            continue;
        }
        let tied = d
            .filters
            .iter()
            .any(|x| v.user_tied(x.source, &x.expr) || tenant_tied(ctx, x));
        let owner_col = owner_column_hint(ctx, &table);
        if matches!(d.operation.as_str(), "insert" | "upsert") {
            // The owner of a new row taken from the request.
            let spoofed = d
                .values
                .iter()
                .find(|x| names::is_owner_column(&x.column) && request_like(x.source));
            let any_user = d.values.iter().any(|x| v.user_tied(x.source, &x.expr));
            if let Some(x) = spoofed {
                if !any_user {
                    let message = format!(
                        "{} inserts into `{table}` with `{}` taken from {} instead of the signed-in user, so a caller can create rows owned by anyone; set `{}` from the session (e.g. `user.id`).",
                        v.label,
                        x.column,
                        filter_desc(x),
                        x.column
                    );
                    let mut fd = finding(
                        "authz.owner-from-request",
                        Category::AuthzBola,
                        Severity::Medium,
                        f,
                        message,
                        &[&table, &x.column],
                    );
                    fd.evidence = Some(format!("{}: {}", x.column, x.expr));
                    found.push(with_details(
                        fd,
                        &[("route", v.label.clone()), ("table", table.clone())],
                    ));
                }
            }
            if d.operation == "insert" {
                continue;
            }
        }
        let Some(sel) = d
            .filters
            .iter()
            .find(|x| request_like(x.source) && names::is_id_column(&x.column))
        else {
            continue;
        };
        if tied || owner_checked_after(ctx, v, f) {
            continue;
        }
        // The same id already loaded a row whose owner was checked against the caller:
        // the rows hanging off it (`listing_id = listingId`) are the caller's too.
        if verified.iter().any(|(expr, path, scope, after)| {
            *expr == sel.expr && *path == f.path && *scope == f.scope && f.line > *after
        }) {
            continue;
        }
        // Admin / user-management changes are reported as missing roles.
        if matches!(d.operation.as_str(), "delete" | "update")
            && names::words(&table).iter().any(|w| {
                matches!(
                    w.as_str(),
                    "users" | "user" | "profiles" | "profile" | "accounts"
                )
            })
        {
            continue;
        }
        let severity = if is_write(&d.operation) || names::is_sensitive_table(&table) {
            Severity::High
        } else {
            Severity::Medium
        };
        let owner = owner_col.unwrap_or_else(|| "user_id".to_string());
        let selector = if names::is_tenant_column(&sel.column, ctx.settings) {
            format!("by `{}` taken from {}", sel.column, filter_desc(sel))
        } else {
            format!("by {}", filter_desc(sel))
        };
        let fix = if d.library == "supabase" {
            format!("add `.eq('{owner}', user.id)` or use the user's Supabase client so an RLS policy applies")
        } else if d.library == "prisma" {
            format!("add the owner to the `where` (e.g. `{}: session.user.id`) or check the row's owner before acting", camel(&owner))
        } else {
            format!("add the owner (`{owner}`) compared with the signed-in user to the query, or check the row's owner before acting")
        };
        let message = format!(
            "{} {} {selector} with {} and no `{owner}` filter, so any signed-in user can reach other users' rows; {fix}.",
            v.label,
            access_desc(d),
            client_desc(d)
        );
        let mut fd = finding(
            "authz.bola",
            Category::AuthzBola,
            severity,
            f,
            message,
            &[&table, &d.operation, &sel.column],
        );
        fd.evidence = Some(format!(
            "{} `{table}` where {} = {}",
            d.operation, sel.column, sel.expr
        ));
        hits.push(BolaHit {
            key: sel.expr.split_whitespace().collect::<String>(),
            expr: sel.expr.clone(),
            what: format!("{} by `{}`", access_desc(d), sel.column),
            table: table.clone(),
            operation: d.operation.clone(),
            column: sel.column.clone(),
            finding: with_details(fd, &[("route", v.label.clone()), ("table", table.clone())]),
        });
    }
    for f in found {
        ctx.emit(f);
    }
    for f in group_bola(hits, &ctx.seen) {
        ctx.emit(f);
    }
}

/// One row a handler reaches by a request id with no owner filter.
struct BolaHit {
    /// The request id as written, whitespace removed: what groups the hits.
    key: String,
    expr: String,
    /// `reads `meetings` by `deal_id``.
    what: String,
    table: String,
    operation: String,
    column: String,
    finding: lm_core::Finding,
}

/// Folds the hits of one handler that share a request id into one finding: the first
/// access leads (its line, fingerprint and fix), the others are named in the message
/// and listed in `details.accesses`, and the group takes the highest severity. Hits
/// with different ids stay apart.
fn group_bola(
    hits: Vec<BolaHit>,
    seen: &std::collections::HashSet<String>,
) -> Vec<lm_core::Finding> {
    let mut groups: Vec<Vec<BolaHit>> = Vec::new();
    for h in hits {
        match groups.iter_mut().find(|g| g[0].key == h.key) {
            Some(g) => g.push(h),
            None => groups.push(vec![h]),
        }
    }
    let mut out = Vec::new();
    for mut g in groups {
        // The fingerprint of an access already reported for another handler (a shared
        // helper, or the same query in a sibling handler of the file) is taken: the
        // group goes under the first one still free, as that access did when each was
        // reported on its own.
        let Some(free) = g
            .iter()
            .position(|h| !seen.contains(&h.finding.fingerprint))
        else {
            continue;
        };
        let fingerprint = g[free].finding.fingerprint.clone();
        let accesses: Vec<serde_json::Value> = g
            .iter()
            .map(|h| {
                serde_json::json!({
                    "table": h.table,
                    "operation": h.operation,
                    "column": h.column,
                    "path": h.finding.path,
                    "line": h.finding.line,
                    "severity": h.finding.severity,
                })
            })
            .collect();
        let severity = g
            .iter()
            .map(|h| h.finding.severity)
            .max()
            .unwrap_or(Severity::Medium);
        let mut rest = g.drain(..);
        let Some(first) = rest.next() else {
            continue;
        };
        let mut f = first.finding;
        f.fingerprint = fingerprint;
        let others: Vec<String> = rest
            .map(|h| {
                if h.finding.path == f.path {
                    format!("{} (line {})", h.what, h.finding.line)
                } else {
                    format!("{} ({}:{})", h.what, h.finding.path, h.finding.line)
                }
            })
            .collect();
        if !others.is_empty() {
            f.message = format!(
                "{} The same id (`{}`) also {}.",
                f.message,
                first.expr,
                others.join(", ")
            );
            f.severity = severity;
            let mut tables: Vec<String> = Vec::new();
            for a in &accesses {
                let t = a["table"].as_str().unwrap_or_default().to_string();
                if !t.is_empty() && !tables.contains(&t) {
                    tables.push(t);
                }
            }
            f.details.insert("tables".into(), serde_json::json!(tables));
            f.details
                .insert("accesses".into(), serde_json::Value::Array(accesses));
        }
        out.push(f);
    }
    out
}

/// An enforced ownership comparison (`if item.owner_id != user.id: raise`) in the same
/// function as the access, at or after it: the loaded row is checked before use.
/// Request ids whose row was loaded and then checked against the caller, or looked up
/// together with the caller's id (`.eq('offer_id', offerId).eq('buyer_id', user.id)`):
/// the id as written, the file and scope, and the line from which it counts as checked.
fn verified_ids<'a>(
    ctx: &Ctx<'a>,
    v: &RouteView<'a>,
) -> Vec<(String, String, Option<String>, u64)> {
    let mut out = Vec::new();
    for (_, f, d) in v.db_accesses(ctx.ix) {
        if d.operation != "select" {
            continue;
        }
        let check = v
            .facts(ctx.ix)
            .filter(|(_, c)| {
                matches!(&c.data, FactData::RoleCheck(rc)
                    if rc.enforced && rc.role.as_deref() == Some("owner"))
                    && c.path == f.path
                    && c.scope == f.scope
                    && c.line >= f.line
            })
            .map(|(_, c)| c.line)
            .min();
        let scoped = d.filters.iter().any(|x| v.user_tied(x.source, &x.expr));
        let Some(line) = check.or(scoped.then_some(f.line)) else {
            continue;
        };
        for x in &d.filters {
            if request_like(x.source) && names::is_id_column(&x.column) {
                out.push((x.expr.clone(), f.path.clone(), f.scope.clone(), line));
            }
        }
    }
    out
}

/// A check refusing the caller's own row (`if (listing.seller_id === user.id) return
/// 400`) says the handler reads other users' rows by design (buying, messaging, following
/// them): it clears reads at or before it, never a write (a "you cannot remove yourself"
/// guard before deleting any member by id).
fn owner_checked_after(ctx: &Ctx<'_>, v: &RouteView<'_>, access: &Fact) -> bool {
    let read = matches!(&access.data, FactData::DbAccess(d) if d.operation == "select");
    v.facts(ctx.ix).any(|(_, f)| {
        matches!(&f.data, FactData::RoleCheck(rc)
            if rc.enforced && (rc.role.as_deref() == Some("owner")
                || read && rc.role.as_deref() == Some("not-owner")))
            && f.path == access.path
            && f.scope == access.scope
            && f.line >= access.line
    })
}

/// A tenant column compared with something that is not request input.
fn tenant_tied(ctx: &Ctx<'_>, x: &DbFilter) -> bool {
    names::is_tenant_column(&x.column, ctx.settings)
        && matches!(
            x.source,
            Provenance::User | Provenance::Database | Provenance::Env
        )
}

/// The owner column of a table, from its migration columns.
fn owner_column_hint(ctx: &Ctx<'_>, table: &str) -> Option<String> {
    let t = ctx.schema.table(table)?;
    t.columns
        .iter()
        .find(|c| names::is_tenant_column(c, ctx.settings))
        .cloned()
}

fn camel(snake: &str) -> String {
    let mut out = String::new();
    let mut up = false;
    for c in snake.chars() {
        if c == '_' {
            up = true;
        } else if up {
            out.push(c.to_ascii_uppercase());
            up = false;
        } else {
            out.push(c);
        }
    }
    out
}
