//! Database clients (`db_client`) and accesses (`db_access`): Supabase (tables, storage,
//! RPC), Prisma, Drizzle, node-postgres / postgres.js / mysql2 raw SQL, Mongoose.

use std::sync::LazyLock;

use lm_core::fact::{DbAccess, DbClient, DbFilter, FactData, Provenance};
use regex::Regex;
use tree_sitter::Node;

use super::model::{Client, JsFile};
use super::{provenance, syntax};

/// Supabase client constructors and the kind they give when the key does not say.
const SUPABASE_CTORS: &[(&str, &str)] = &[
    ("createClient", "unknown"),
    ("createServerClient", "user"),
    ("createRouteHandlerClient", "user"),
    ("createServerComponentClient", "user"),
    ("createServerActionClient", "user"),
    ("createMiddlewareClient", "user"),
    ("createPagesServerClient", "user"),
    ("createServerSupabaseClient", "user"),
    ("createBrowserClient", "anon"),
    ("createBrowserSupabaseClient", "anon"),
    ("createPagesBrowserClient", "anon"),
    ("createClientComponentClient", "anon"),
];

/// Helper names (imported from elsewhere) that return a service-role client.
static ADMIN_HELPER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(admin|service_?role|service)(_?client|_?supabase)?$|^(get|create)_?(supabase_?)?(admin|service)")
        .expect("regex compiles")
});

/// Whether `name`, called (or constructed with `new` when `is_new`), names a helper that
/// returns a service-role client. Predicates (`isSuperAdmin(profile)`,
/// `checkAdmin(user)`) answer a role question, and a class constructed with `new` whose
/// name only ends in `Service` (`new CategoryService()`) is an app's data-access layer,
/// not a client.
fn admin_helper(name: &str, is_new: bool) -> bool {
    if !ADMIN_HELPER.is_match(name) || PREDICATE.is_match(name) {
        return false;
    }
    let l = name.to_ascii_lowercase();
    !is_new || l.contains("supabase") || l.contains("client") || l.contains("role")
}

/// Names of functions that answer a yes/no question.
static PREDICATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(is|has|can|check|should|must|require|ensure|verify|assert|validate)([A-Z_]|$)")
        .expect("regex compiles")
});

/// Helper names (imported from elsewhere) that return a client carrying the caller's JWT.
static USER_HELPER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(for_?user|user_?client|user_?supabase|authed|authenticated_?client|for_?request|server_?supabase|supabase_?server|create_?server_?client)")
        .expect("regex compiles")
});

const PRISMA_OPS: &[&str] = &[
    "findUnique",
    "findUniqueOrThrow",
    "findFirst",
    "findFirstOrThrow",
    "findMany",
    "create",
    "createMany",
    "createManyAndReturn",
    "update",
    "updateMany",
    "upsert",
    "delete",
    "deleteMany",
    "count",
    "aggregate",
    "groupBy",
];

const MONGOOSE_OPS: &[&str] = &[
    "find",
    "findOne",
    "findById",
    "findByIdAndUpdate",
    "findByIdAndDelete",
    "findByIdAndRemove",
    "findOneAndUpdate",
    "findOneAndDelete",
    "updateOne",
    "updateMany",
    "deleteOne",
    "deleteMany",
    "countDocuments",
    "insertMany",
    "replaceOne",
];

const SUPABASE_FILTERS: &[&str] = &[
    "eq",
    "neq",
    "gt",
    "gte",
    "lt",
    "lte",
    "like",
    "ilike",
    "is",
    "in",
    "contains",
    "containedBy",
    "match",
    "filter",
    "not",
    "or",
    "textSearch",
    "overlaps",
];

/// True for Prisma model method names.
pub fn is_prisma_method(name: &str) -> bool {
    PRISMA_OPS.contains(&name)
}

/// The environment variable a value is read from (`process.env.X`, `Deno.env.get('X')`,
/// `import.meta.env.X`), following one or two simple bindings.
pub fn env_name(file: &JsFile<'_>, n: Node<'_>) -> Option<String> {
    env_name_depth(file, n, 0)
}

fn env_name_depth(file: &JsFile<'_>, n: Node<'_>, depth: u32) -> Option<String> {
    if depth > 3 {
        return None;
    }
    let n = syntax::unwrap(n);
    let mut found = None;
    syntax::descendants(n, true, |x| {
        if found.is_some() {
            return;
        }
        match x.kind() {
            "member_expression" => {
                let t = file.text(x);
                for pre in ["process.env.", "import.meta.env."] {
                    if let Some(rest) = t.strip_prefix(pre) {
                        if rest.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                            found = Some(rest.to_string());
                        }
                    }
                }
            }
            "subscript_expression" if file.text(x).starts_with("process.env[") => {
                found = x
                    .child_by_field_name("index")
                    .and_then(|i| syntax::string_value(file.src, i))
                    .map(String::from);
            }
            "call_expression" if file.text(x).starts_with("Deno.env.get(") => {
                found = syntax::arg(x, 0)
                    .and_then(|a| syntax::string_value(file.src, a))
                    .map(String::from);
            }
            _ => {}
        }
    });
    if found.is_some() {
        return found;
    }
    if n.kind() == "identifier" {
        let name = file.text(n);
        match provenance::binding(file, name, n) {
            Some(provenance::Binding::Value(v)) => return env_name_depth(file, v, depth + 1),
            Some(provenance::Binding::Env) => return Some(name.to_string()),
            _ => {}
        }
        // Module-level constants declared after use, or shared names.
        if name
            .chars()
            .all(|c| c.is_ascii_uppercase() || c == '_' || c.is_ascii_digit())
        {
            return Some(name.to_string());
        }
    }
    None
}

/// Client kind implied by the name of the environment variable holding the key.
pub fn kind_of_key(env: &str) -> Option<&'static str> {
    let u = env.to_ascii_uppercase();
    if u.contains("SERVICE_ROLE")
        || u.contains("SERVICE_KEY")
        || u.contains("SECRET")
        || u.contains("SERVICE")
        || u.contains("ADMIN")
    {
        Some("service_role")
    } else if u.contains("ANON") || u.contains("PUBLISHABLE") || u.contains("PUBLIC") {
        Some("anon")
    } else {
        None
    }
}

/// Where a created client is bound: `(name, is_helper_function)`.
fn binding_of_creation<'a>(file: &JsFile<'a>, call: Node<'a>) -> (Option<String>, bool) {
    let mut cur = call;
    while let Some(p) = cur.parent() {
        match p.kind() {
            "await_expression"
            | "parenthesized_expression"
            | "non_null_expression"
            | "as_expression"
            | "satisfies_expression"
            | "ternary_expression" => cur = p,
            "binary_expression" => cur = p,
            "member_expression" | "call_expression"
                if p.child_by_field_name("object") == Some(cur)
                    || p.child_by_field_name("function") == Some(cur) =>
            {
                cur = p
            }
            "variable_declarator" => {
                let name = p
                    .child_by_field_name("name")
                    .filter(|n| n.kind() == "identifier")
                    .map(|n| file.text(n).to_string());
                // A top-level `const createX = () => createClient(...)` is a helper.
                if let Some(f) = syntax::enclosing_function(call) {
                    if let Some(h) = helper_name(file, f, name.as_deref()) {
                        return (Some(h), true);
                    }
                }
                return (name, false);
            }
            "assignment_expression" => {
                let name = p
                    .child_by_field_name("left")
                    .map(|n| file.text(n).to_string());
                if let Some(f) = syntax::enclosing_function(call) {
                    if let Some(h) = helper_name(file, f, name.as_deref()) {
                        return (Some(h), true);
                    }
                }
                return (name, false);
            }
            "return_statement" => {
                let f = syntax::enclosing_function(call);
                return (f.and_then(|f| function_name(file, f)), true);
            }
            "arrow_function" if p.child_by_field_name("body") == Some(cur) => {
                return (function_name(file, p), true);
            }
            _ => return (None, false),
        }
    }
    (None, false)
}

fn function_name(file: &JsFile<'_>, f: Node<'_>) -> Option<String> {
    if let Some(n) = f.child_by_field_name("name") {
        return Some(file.text(n).to_string());
    }
    let p = f.parent()?;
    if p.kind() == "variable_declarator" {
        return p
            .child_by_field_name("name")
            .map(|n| file.text(n).to_string());
    }
    None
}

/// The name of function `f` when it returns the variable `var`.
fn helper_name(file: &JsFile<'_>, f: Node<'_>, var: Option<&str>) -> Option<String> {
    let var = var?;
    let body = syntax::body(f)?;
    let mut returns = false;
    syntax::descendants(body, true, |n| {
        if n.kind() == "return_statement" {
            if let Some(v) = n.named_child(0) {
                if file.text(syntax::unwrap(v)) == var {
                    returns = true;
                }
            }
        }
    });
    if returns {
        function_name(file, f)
    } else {
        None
    }
}

fn is_local_source(s: &str) -> bool {
    s.starts_with('.')
        || s.starts_with("@/")
        || s.starts_with("~/")
        || s.starts_with('#')
        || s.starts_with("src/")
        || s.starts_with("$lib")
}

/// Kind of a client obtained from a local module, from the module path and name.
fn kind_from_local(source: &str, name: &str) -> &'static str {
    let s = source.to_ascii_lowercase();
    if ADMIN_HELPER.is_match(name) || s.contains("admin") || s.contains("service") {
        "service_role"
    } else if s.contains("server") || s.contains("middleware") {
        "user"
    } else if s.contains("client") || s.contains("browser") || s.contains("integrations/supabase") {
        "anon"
    } else {
        "unknown"
    }
}

/// Emits `db_client` facts and records every client the file creates or imports.
pub fn extract_clients(file: &mut JsFile<'_>) {
    // Imported clients (no fact: the creating file has it).
    let imports = file.imports.clone();
    for imp in &imports {
        let local = imp.local.as_str();
        if local.is_empty() {
            continue;
        }
        let l = local.to_ascii_lowercase();
        if !is_local_source(&imp.source) {
            continue;
        }
        let src = imp.source.to_ascii_lowercase();
        let (library, kind) =
            if l.contains("supabase") || src.contains("supabase") && !l.starts_with("create") {
                ("supabase", kind_from_local(&imp.source, local))
            } else if l.contains("prisma") || src.contains("prisma") {
                ("prisma", "server")
            } else if l == "db"
                && (src.ends_with("/db") || src.contains("drizzle") || src.contains("database"))
            {
                (
                    if file.src.contains("drizzle") {
                        "drizzle"
                    } else {
                        "unknown"
                    },
                    "server",
                )
            } else if l == "pool" || l == "pg" || l == "sql" && src.contains("db") {
                ("pg", "server")
            } else {
                continue;
            };
        file.clients.push(Client {
            var: local.to_string(),
            scope: None,
            library: library.into(),
            kind: kind.into(),
            helper: false,
        });
    }
    let mut facts: Vec<(Node<'_>, DbClient, Client)> = Vec::new();
    let creations: Vec<Node<'_>> = file.calls.iter().chain(file.news.iter()).copied().collect();
    for call in creations {
        let Some(callee) = syntax::callee(call) else {
            continue;
        };
        let last = syntax::last_name(file.src, callee);
        let ctext = file.text(callee);
        let mut key_env = None;
        let (library, kind): (&str, String) = if let Some((_, default_kind)) =
            SUPABASE_CTORS.iter().find(|(n, _)| *n == last)
        {
            let src = file
                .import_of(ctext)
                .map(|i| i.source.clone())
                .unwrap_or_default();
            let supabase_pkg = src.contains("supabase");
            let local = is_local_source(&src);
            if !supabase_pkg && !local && !src.is_empty() {
                continue; // redis, sanity, contentful... createClient
            }
            if src.is_empty() && !file.src.contains("supabase") {
                continue;
            }
            let args = syntax::args(call);
            if local && args.len() < 2 {
                // `await createClient()` from `@/utils/supabase/server`.
                ("supabase", kind_from_local(&src, ctext).to_string())
            } else {
                key_env = args.get(1).and_then(|k| env_name(file, *k));
                let mut kind = key_env
                    .as_deref()
                    .and_then(kind_of_key)
                    .unwrap_or(default_kind)
                    .to_string();
                if args.len() < 2 && !local && *default_kind != "unknown" {
                    kind = default_kind.to_string();
                }
                let forwards_jwt = args.get(2).is_some_and(|o| {
                    let t = file.text(*o);
                    t.contains("Authorization")
                        || t.contains("authorization")
                        || t.contains("accessToken")
                });
                if forwards_jwt
                    && (kind != "service_role"
                        || key_env.as_deref().is_some_and(|e| e.contains("ANON")))
                {
                    kind = "user".into();
                }
                ("supabase", kind)
            }
        } else if call.kind() == "new_expression" && last == "PrismaClient" {
            ("prisma", "server".into())
        } else if last == "drizzle"
            && callee.kind() == "identifier"
            && file.imports_from("drizzle-orm")
        {
            ("drizzle", "server".into())
        } else if call.kind() == "new_expression"
            && matches!(last, "Pool" | "Client")
            && (file.imports_from("pg") || file.import_of(ctext).is_some_and(|i| i.source == "pg"))
        {
            ("pg", "server".into())
        } else if callee.kind() == "identifier"
            && file
                .import_of(ctext)
                .is_some_and(|i| i.source == "postgres")
        {
            ("postgres", "server".into())
        } else if matches!(last, "createPool" | "createConnection") && file.imports_from("mysql") {
            ("mysql2", "server".into())
        } else if ctext == "mongoose.connect" || ctext == "mongoose.createConnection" {
            ("mongoose", "server".into())
        } else if call.kind() == "new_expression" && last == "MongoClient" {
            ("mongodb", "server".into())
        } else if last == "neon" && file.imports_from("@neondatabase") {
            ("neon", "server".into())
        } else if callee.kind() == "identifier"
            && USER_HELPER.is_match(last)
            && file
                .import_of(last)
                .is_some_and(|i| is_local_source(&i.source))
            && file.src.contains("supabase")
        {
            // `supabaseForUser(ctx)`, `createServerSupabase()`, `getUserClient(req)`.
            ("supabase", "user".into())
        } else if callee.kind() == "identifier"
            && admin_helper(last, call.kind() == "new_expression")
            && file
                .import_of(last)
                .is_some_and(|i| is_local_source(&i.source))
            && (last.to_ascii_lowercase().contains("supabase")
                || last.to_ascii_lowercase().contains("client")
                || file.src.contains("supabase"))
        {
            // `const supabase = createAdminClient()` with the helper in another file.
            ("supabase", "service_role".into())
        } else if callee.kind() == "identifier" {
            // A same-file helper that returns a client.
            let Some(h) = file
                .clients
                .iter()
                .find(|c| c.helper && c.var == last)
                .cloned()
            else {
                continue;
            };
            (
                match h.library.as_str() {
                    "supabase" => "supabase",
                    "prisma" => "prisma",
                    "drizzle" => "drizzle",
                    "pg" => "pg",
                    "postgres" => "postgres",
                    "mysql2" => "mysql2",
                    "mongoose" => "mongoose",
                    _ => "unknown",
                },
                h.kind.clone(),
            )
        } else {
            continue;
        };
        let (var, helper) = binding_of_creation(file, call);
        let scope = if helper {
            None
        } else {
            syntax::enclosing_function(call).map(|_| file.scope_range(call))
        };
        let client = Client {
            var: var.clone().unwrap_or_default(),
            scope,
            library: library.into(),
            kind: kind.clone(),
            helper,
        };
        file.clients.push(client.clone());
        facts.push((
            call,
            DbClient {
                library: library.into(),
                client_kind: kind,
                var,
                key_env,
            },
            client,
        ));
    }
    for (n, f, _) in facts {
        file.push(n, FactData::DbClient(f));
    }
}

/// The library and kind of the client named by `obj` at `at`.
fn client_of(file: &JsFile<'_>, obj: Node<'_>) -> (String, String, Option<String>) {
    let obj = syntax::unwrap(obj);
    let text = file.text(obj);
    let name = text.trim_start_matches("this.").to_string();
    let at = obj.start_byte();
    let found = file
        .clients
        .iter()
        .filter(|c| !c.helper && c.var == name)
        .filter(|c| {
            c.scope
                .as_ref()
                .is_none_or(|s| s.start <= at && at <= s.end)
        })
        .max_by_key(|c| c.scope.as_ref().map(|s| s.start).unwrap_or(0));
    if let Some(c) = found {
        return (c.library.clone(), c.kind.clone(), Some(text.to_string()));
    }
    // `(await createClient()).from(...)`, `getSupabaseAdmin().from(...)`
    if obj.kind() == "call_expression" {
        if let Some(callee) = syntax::callee(obj) {
            let last = syntax::last_name(file.src, callee);
            if let Some(h) = file.clients.iter().find(|c| c.helper && c.var == last) {
                return (h.library.clone(), h.kind.clone(), Some(text.to_string()));
            }
            if let Some(i) = file.import_of(last) {
                if is_local_source(&i.source) {
                    return (
                        "supabase".into(),
                        kind_from_local(&i.source, last).into(),
                        Some(text.to_string()),
                    );
                }
            }
        }
    }
    let l = name.to_ascii_lowercase();
    let kind = if l.contains("admin") || l.contains("service") {
        "service_role"
    } else {
        "unknown"
    };
    ("supabase".into(), kind.into(), Some(text.to_string()))
}

fn filter(file: &JsFile<'_>, column: &str, op: &str, value: Node<'_>) -> DbFilter {
    DbFilter {
        column: column.to_string(),
        op: op.to_string(),
        source: provenance::of(file, value),
        expr: file.short(value, 80),
    }
}

/// Filters or values from an object literal (`{ id, user_id: user.id }`), following one
/// level of nesting (`{ id_userId: { id, userId } }`, `{ id: { equals: x } }`, `AND: [...]`).
fn object_filters(file: &JsFile<'_>, obj: Node<'_>, op: &str, out: &mut Vec<DbFilter>, depth: u32) {
    let obj = syntax::unwrap(obj);
    if depth > 3 {
        return;
    }
    if obj.kind() == "identifier" {
        if let Some(v) = provenance::value_of(file, file.text(obj), obj) {
            if syntax::unwrap(v).kind() == "object" {
                return object_filters(file, v, op, out, depth + 1);
            }
        }
        out.push(filter(file, "*", op, obj));
        return;
    }
    if obj.kind() == "array" {
        let mut cur = obj.walk();
        let items: Vec<Node<'_>> = obj.named_children(&mut cur).collect();
        for i in items.into_iter().take(4) {
            object_filters(file, i, op, out, depth + 1);
        }
        return;
    }
    if obj.kind() != "object" {
        return;
    }
    for (k, v) in syntax::object_props(file.src, obj) {
        let v = syntax::unwrap(v);
        if matches!(k, "AND" | "OR" | "NOT") {
            object_filters(file, v, op, out, depth + 1);
            continue;
        }
        if v.kind() == "object" {
            let props = syntax::object_props(file.src, v);
            let cmp = props.iter().find(|(pk, _)| {
                matches!(
                    *pk,
                    "equals"
                        | "in"
                        | "not"
                        | "contains"
                        | "lt"
                        | "gt"
                        | "lte"
                        | "gte"
                        | "$eq"
                        | "$in"
                        | "startsWith"
                )
            });
            if let Some((_, cv)) = cmp {
                out.push(filter(file, k, op, *cv));
            } else if op == "where" || op == "match" {
                object_filters(file, v, op, out, depth + 1);
            } else {
                out.push(filter(file, k, op, v));
            }
            continue;
        }
        if v.kind() == "spread_element" {
            continue;
        }
        out.push(filter(file, k, op, v));
    }
}

/// Emits `db_access` facts.
pub fn extract_access(file: &mut JsFile<'_>) {
    let mut found: Vec<(Node<'_>, DbAccess)> = Vec::new();
    let calls = file.calls.clone();
    let has_mongoose = file.imports_from("mongoose");
    let has_drizzle =
        file.imports_from("drizzle-orm") || file.clients.iter().any(|c| c.library == "drizzle");
    for call in calls {
        let Some(callee) = syntax::callee(call) else {
            continue;
        };
        if callee.kind() != "member_expression" {
            if callee.kind() == "identifier" && file.text(callee) == "sql" {
                if let Some(a) = sql_tag(file, call) {
                    found.push(a);
                }
            }
            continue;
        }
        let last = syntax::last_name(file.src, callee);
        let obj = callee.child_by_field_name("object");
        match last {
            "from" => {
                if let Some(a) = supabase_chain(file, call) {
                    found.push(a);
                }
            }
            "rpc" => {
                let Some(name) =
                    syntax::arg(call, 0).and_then(|a| syntax::string_value(file.src, a))
                else {
                    continue;
                };
                let Some(obj) = obj else { continue };
                let (library, kind, var) = client_of(file, obj);
                let mut filters = Vec::new();
                if let Some(a) = syntax::arg(call, 1) {
                    object_filters(file, a, "arg", &mut filters, 0);
                }
                found.push((
                    outer_chain(call),
                    DbAccess {
                        library,
                        client_kind: kind,
                        client_var: var,
                        operation: "rpc".into(),
                        table: Some(name.to_string()),
                        filters,
                        values: Vec::new(),
                    },
                ));
            }
            "select" | "insert" | "update" | "delete" | "selectDistinct" if has_drizzle => {
                if let Some(a) = drizzle_chain(file, call) {
                    found.push(a);
                }
            }
            "query" | "execute" => {
                if let Some(a) = raw_query(file, call) {
                    found.push(a);
                }
            }
            "$queryRaw" | "$executeRaw" | "$queryRawUnsafe" | "$executeRawUnsafe" => {
                let Some(obj) = obj else { continue };
                found.push((
                    call,
                    DbAccess {
                        library: "prisma".into(),
                        client_kind: "server".into(),
                        client_var: Some(file.text(obj).to_string()),
                        operation: syntax::arg(call, 0)
                            .map_or("raw", |a| sql_operation(file.text(a)))
                            .into(),
                        table: syntax::arg(call, 0).and_then(|a| sql_table(file.text(a))),
                        ..Default::default()
                    },
                ));
            }
            _ if PRISMA_OPS.contains(&last) || MONGOOSE_OPS.contains(&last) => {
                let Some(obj) = obj else { continue };
                if let Some(a) = model_call(file, call, obj, last, has_mongoose) {
                    found.push(a);
                }
            }
            _ => {}
        }
    }
    // Prisma `$queryRaw` tagged templates: `prisma.$queryRaw`...``
    found.sort_by_key(|(n, _)| n.start_byte());
    found.dedup_by_key(|(n, _)| n.start_byte());
    for (n, a) in found {
        file.push(n, FactData::DbAccess(a));
    }
}

/// The outermost call of a method chain that starts at `call`.
fn outer_chain(call: Node<'_>) -> Node<'_> {
    let mut cur = call;
    loop {
        let Some(m) = cur.parent().filter(|p| {
            p.kind() == "member_expression" && p.child_by_field_name("object") == Some(cur)
        }) else {
            return cur;
        };
        let Some(c) = m.parent().filter(|p| {
            p.kind() == "call_expression" && p.child_by_field_name("function") == Some(m)
        }) else {
            return cur;
        };
        cur = c;
    }
}

/// The method calls chained after `call`: `(name, call)`.
fn chain_after<'a>(file: &JsFile<'a>, call: Node<'a>) -> Vec<(&'a str, Node<'a>)> {
    let mut out = Vec::new();
    let mut cur = call;
    while let Some(m) = cur
        .parent()
        .filter(|p| p.kind() == "member_expression" && p.child_by_field_name("object") == Some(cur))
    {
        let name = m
            .child_by_field_name("property")
            .map(|p| file.text(p))
            .unwrap_or("");
        let Some(c) = m.parent().filter(|p| {
            p.kind() == "call_expression" && p.child_by_field_name("function") == Some(m)
        }) else {
            break;
        };
        out.push((name, c));
        cur = c;
    }
    out
}

fn supabase_chain<'a>(file: &JsFile<'a>, from: Node<'a>) -> Option<(Node<'a>, DbAccess)> {
    let table = syntax::arg(from, 0).and_then(|a| syntax::string_value(file.src, a))?;
    let obj = syntax::callee_object(from)?;
    let obj_text = file.text(obj);
    if matches!(
        obj_text,
        "Array" | "Buffer" | "Object" | "Uint8Array" | "Rx" | "Observable"
    ) {
        return None;
    }
    let storage = obj_text.ends_with(".storage") || obj_text == "storage";
    let chain = chain_after(file, from);
    let mut operation = None;
    let mut filters = Vec::new();
    let mut values = Vec::new();
    for (name, c) in &chain {
        let op = if storage {
            match *name {
                "upload" => Some("insert"),
                "update" | "move" | "copy" => Some("update"),
                "remove" => Some("delete"),
                "download" | "list" | "createSignedUrl" | "createSignedUrls" | "getPublicUrl" => {
                    Some("select")
                }
                _ => None,
            }
        } else {
            match *name {
                "select" | "insert" | "update" | "delete" | "upsert" => Some(*name),
                _ => None,
            }
        };
        if let Some(op) = op {
            if operation.is_none() {
                operation = Some(op);
                if matches!(op, "insert" | "update" | "upsert") && !storage {
                    if let Some(v) = syntax::arg(*c, 0) {
                        object_filters(file, v, op, &mut values, 0);
                    }
                }
                if storage {
                    if let Some(v) = syntax::arg(*c, 0) {
                        filters.push(filter(file, "path", name, v));
                    }
                }
            }
            continue;
        }
        supabase_filter(file, name, *c, &mut filters);
    }
    // Query builders filtered later: `let q = supabase.from(t).select(); if (x) q = q.eq(...)`.
    if let Some(var) = builder_var(file, outer_chain(from)) {
        let scope = syntax::enclosing_function(from)
            .map(|f| f.byte_range())
            .unwrap_or(0..file.src.len());
        let after = outer_chain(from).end_byte();
        for c in file.calls_in(&scope) {
            if c.start_byte() < after {
                continue;
            }
            let Some(o) = syntax::callee_object(c) else {
                continue;
            };
            if file.text(syntax::unwrap(o)) != var {
                continue;
            }
            let Some(callee) = syntax::callee(c) else {
                continue;
            };
            let first = syntax::last_name(file.src, callee);
            supabase_filter(file, first, c, &mut filters);
            for (name, c2) in chain_after(file, c) {
                supabase_filter(file, name, c2, &mut filters);
            }
        }
    }
    let operation = operation?;
    let (mut library, kind, var) = client_of(
        file,
        if storage {
            obj.child_by_field_name("object").unwrap_or(obj)
        } else {
            obj
        },
    );
    if storage {
        library = "supabase-storage".into();
    }
    Some((
        outer_chain(from),
        DbAccess {
            library,
            client_kind: kind,
            client_var: var,
            operation: operation.into(),
            table: Some(table.to_string()),
            filters,
            values,
        },
    ))
}

/// The variable a query builder is bound to (`let query = supabase.from(...)...`).
fn builder_var<'a>(file: &JsFile<'a>, chain: Node<'a>) -> Option<&'a str> {
    let mut cur = chain;
    while let Some(p) = cur.parent() {
        match p.kind() {
            "parenthesized_expression" | "non_null_expression" | "as_expression" => cur = p,
            "variable_declarator" => {
                let n = p.child_by_field_name("name")?;
                return (n.kind() == "identifier").then(|| file.text(n));
            }
            _ => return None,
        }
    }
    None
}

/// Adds the filter a chained Supabase call applies (`.eq(col, v)`, `.match({...})`...).
fn supabase_filter(file: &JsFile<'_>, name: &str, c: Node<'_>, filters: &mut Vec<DbFilter>) {
    if !SUPABASE_FILTERS.contains(&name) {
        return;
    }
    match name {
        "match" => {
            if let Some(a) = syntax::arg(c, 0) {
                object_filters(file, a, "match", filters, 0);
            }
        }
        "or" | "not" if syntax::args(c).len() == 1 => {
            if let Some(a) = syntax::arg(c, 0) {
                filters.push(filter(file, "or", name, a));
            }
        }
        _ => {
            let args = syntax::args(c);
            let col = args
                .first()
                .and_then(|a| syntax::string_value(file.src, *a))
                .unwrap_or("?");
            let val = if name == "filter" || name == "not" {
                args.get(2)
            } else {
                args.get(1)
            };
            if let Some(v) = val {
                filters.push(filter(file, col, name, *v));
            }
        }
    }
}

fn drizzle_chain<'a>(file: &JsFile<'a>, call: Node<'a>) -> Option<(Node<'a>, DbAccess)> {
    let obj = syntax::callee_object(call)?;
    let obj_text = file.text(obj);
    // Only the start of a chain on a client (`db.select()`), not `.select()` further on.
    if obj.kind() == "call_expression" || obj_text.contains('(') {
        return None;
    }
    let known = file
        .clients
        .iter()
        .any(|c| c.var == obj_text && matches!(c.library.as_str(), "drizzle" | "unknown"))
        || matches!(obj_text, "db" | "tx" | "ctx.db" | "database");
    if !known {
        return None;
    }
    let callee = syntax::callee(call)?;
    let first = syntax::last_name(file.src, callee);
    let operation = match first {
        "selectDistinct" => "select",
        x => x,
    };
    let mut table = syntax::arg(call, 0)
        .filter(|_| operation != "select")
        .map(|a| file.text(a).to_string());
    let mut filters = Vec::new();
    let mut values = Vec::new();
    for (name, c) in chain_after(file, call) {
        match name {
            "from" => table = syntax::arg(c, 0).map(|a| file.text(a).to_string()),
            "where" => {
                if let Some(a) = syntax::arg(c, 0) {
                    drizzle_conditions(file, a, &mut filters, 0);
                }
            }
            "set" | "values" => {
                if let Some(a) = syntax::arg(c, 0) {
                    object_filters(file, a, operation, &mut values, 0);
                }
            }
            _ => {}
        }
    }
    Some((
        outer_chain(call),
        DbAccess {
            library: "drizzle".into(),
            client_kind: "server".into(),
            client_var: Some(obj_text.to_string()),
            operation: operation.into(),
            table,
            filters,
            values,
        },
    ))
}

fn drizzle_conditions(file: &JsFile<'_>, n: Node<'_>, out: &mut Vec<DbFilter>, depth: u32) {
    let n = syntax::unwrap(n);
    if depth > 4 || n.kind() != "call_expression" {
        return;
    }
    let Some(callee) = syntax::callee(n) else {
        return;
    };
    let name = syntax::last_name(file.src, callee);
    match name {
        "and" | "or" | "not" => {
            for a in syntax::args(n) {
                drizzle_conditions(file, a, out, depth + 1);
            }
        }
        "eq" | "ne" | "gt" | "gte" | "lt" | "lte" | "inArray" | "like" | "ilike" | "notInArray" => {
            let args = syntax::args(n);
            let col = args
                .first()
                .map(|c| {
                    let c = syntax::unwrap(*c);
                    if c.kind() == "member_expression" {
                        c.child_by_field_name("property")
                            .map(|p| file.text(p))
                            .unwrap_or("?")
                    } else {
                        file.text(c)
                    }
                })
                .unwrap_or("?");
            if let Some(v) = args.get(1) {
                out.push(filter(file, col, name, *v));
            }
        }
        _ => {}
    }
}

static SQL_TABLE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)\b(?:from|into|update|join)\s+"?([A-Za-z_][\w.]*)"?"#)
        .expect("regex compiles")
});
static SQL_PARAM: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)"?([A-Za-z_][\w]*)"?\s*(=|<>|!=|\bin\b|\blike\b)\s*\(?\s*(\$(\d+)|\?)"#)
        .expect("regex compiles")
});
static SQL_START: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?is)^\s*(select|insert|update|delete|with|upsert|merge)\b")
        .expect("regex compiles")
});

fn sql_table(sql: &str) -> Option<String> {
    SQL_TABLE
        .captures(sql)
        .and_then(|c| c.get(1))
        .map(|m| m.as_str().to_string())
}

/// The operation of a SQL statement by its first keyword, as the Python extractor reads
/// it (`with` counts as a read); `raw` when it is none of these.
fn sql_operation(sql: &str) -> &'static str {
    let l = sql
        .trim_start_matches(|c: char| c == '`' || c == '\'' || c == '"' || c.is_whitespace())
        .to_ascii_lowercase();
    let first = l
        .split(|c: char| !c.is_ascii_alphabetic())
        .next()
        .unwrap_or("");
    match first {
        "select" | "with" => "select",
        "insert" if l.contains("on conflict") => "upsert",
        "insert" => "insert",
        "update" => "update",
        "delete" => "delete",
        _ => "raw",
    }
}

fn raw_query<'a>(file: &JsFile<'a>, call: Node<'a>) -> Option<(Node<'a>, DbAccess)> {
    let obj = syntax::callee_object(call)?;
    let obj_text = file.text(obj);
    let sql = syntax::arg(call, 0)?;
    let sql_u = syntax::unwrap(sql);
    let sql_text = match sql_u.kind() {
        "string" | "template_string" => file.text(sql_u),
        "identifier" => provenance::value_of(file, file.text(sql_u), sql_u)
            .map(|v| file.text(v))
            .unwrap_or(""),
        _ => "",
    };
    let body = sql_text.trim_start_matches(['`', '\'', '"']);
    let client = file.clients.iter().find(|c| c.var == obj_text).cloned();
    let lib_known = client
        .as_ref()
        .is_some_and(|c| matches!(c.library.as_str(), "pg" | "mysql2" | "postgres" | "neon"));
    if !lib_known && !SQL_START.is_match(body) {
        return None;
    }
    let plausible = file.imports_from("pg")
        || file.imports_from("mysql")
        || file.imports_from("@vercel/postgres")
        || matches!(
            obj_text,
            "pool" | "client" | "db" | "pg" | "conn" | "connection" | "sql"
        );
    if !lib_known && !plausible {
        return None;
    }
    let library = client
        .as_ref()
        .map(|c| c.library.clone())
        .unwrap_or_else(|| {
            if file.imports_from("mysql") {
                "mysql2".into()
            } else {
                "pg".into()
            }
        });
    let params: Vec<Node<'_>> = syntax::arg(call, 1)
        .map(syntax::unwrap)
        .filter(|a| a.kind() == "array")
        .map(|a| {
            let mut cur = a.walk();
            a.named_children(&mut cur).collect()
        })
        .unwrap_or_default();
    let mut filters = Vec::new();
    let mut qmark = 0usize;
    for cap in SQL_PARAM.captures_iter(body) {
        let col = cap.get(1).map(|m| m.as_str()).unwrap_or("?");
        let idx = match cap.get(4) {
            Some(d) => d.as_str().parse::<usize>().unwrap_or(1).saturating_sub(1),
            None => {
                qmark += 1;
                qmark - 1
            }
        };
        if let Some(p) = params.get(idx) {
            filters.push(filter(file, col, "=", *p));
        }
    }
    template_filters(file, sql_u, &mut filters);
    Some((
        call,
        DbAccess {
            library,
            client_kind: "server".into(),
            client_var: Some(obj_text.to_string()),
            operation: sql_operation(body).into(),
            table: sql_table(body),
            filters,
            values: Vec::new(),
        },
    ))
}

/// Filters from `${...}` substitutions in SQL template strings (`where id = ${id}`).
fn template_filters(file: &JsFile<'_>, tpl: Node<'_>, out: &mut Vec<DbFilter>) {
    if tpl.kind() != "template_string" {
        return;
    }
    let mut cur = tpl.walk();
    for c in tpl.named_children(&mut cur) {
        if c.kind() != "template_substitution" {
            continue;
        }
        let before = file.src.get(tpl.start_byte()..c.start_byte()).unwrap_or("");
        let tail: String = before
            .chars()
            .rev()
            .take(60)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        static COL: LazyLock<Regex> = LazyLock::new(|| {
            Regex::new(r#"(?i)"?([A-Za-z_]\w*)"?\s*(=|<>|!=|\bin\b|\blike\b)\s*\(?\s*'?$"#)
                .expect("regex compiles")
        });
        if let Some(col) = COL.captures(&tail).and_then(|m| m.get(1)) {
            if let Some(e) = c.named_child(0) {
                out.push(filter(file, col.as_str(), "=", e));
            }
        }
    }
}

fn sql_tag<'a>(file: &JsFile<'a>, call: Node<'a>) -> Option<(Node<'a>, DbAccess)> {
    let tpl = call.child_by_field_name("arguments")?;
    if tpl.kind() != "template_string" {
        return None;
    }
    let lib = file.import_of("sql").map(|i| i.source.clone())?;
    let library = if lib.contains("vercel") {
        "vercel-postgres"
    } else if lib.contains("neon") {
        "neon"
    } else if lib == "postgres" || is_local_source(&lib) {
        "postgres"
    } else if lib.contains("drizzle") {
        return None;
    } else {
        "postgres"
    };
    let body = file.text(tpl).trim_start_matches('`');
    if !SQL_START.is_match(body) {
        return None;
    }
    let mut filters = Vec::new();
    template_filters(file, tpl, &mut filters);
    Some((
        call,
        DbAccess {
            library: library.into(),
            client_kind: "server".into(),
            client_var: Some("sql".into()),
            operation: sql_operation(body).into(),
            table: sql_table(body),
            filters,
            values: Vec::new(),
        },
    ))
}

fn model_call<'a>(
    file: &JsFile<'a>,
    call: Node<'a>,
    obj: Node<'a>,
    op: &str,
    has_mongoose: bool,
) -> Option<(Node<'a>, DbAccess)> {
    let obj = syntax::unwrap(obj);
    // Prisma: client.model.op(...)
    if obj.kind() == "member_expression" && PRISMA_OPS.contains(&op) {
        let client = obj.child_by_field_name("object")?;
        let model = obj.child_by_field_name("property").map(|p| file.text(p))?;
        let client_text = file.text(client);
        let known = file
            .clients
            .iter()
            .find(|c| c.var == client_text.trim_start_matches("this."));
        let drizzle_query = client_text.ends_with(".query");
        let prismaish = known.is_some_and(|c| c.library == "prisma")
            || client_text.to_ascii_lowercase().contains("prisma")
            || matches!(client_text, "db" | "tx" | "ctx.db" | "database" | "client")
                && (file.src.contains("prisma") || file.src.contains("Prisma"));
        if !prismaish && !drizzle_query {
            return None;
        }
        if !model.chars().next().is_some_and(|c| c.is_ascii_lowercase()) {
            return None;
        }
        let operation = match op {
            o if o.starts_with("find") || matches!(o, "count" | "aggregate" | "groupBy") => {
                "select"
            }
            o if o.starts_with("create") => "insert",
            o if o.starts_with("update") => "update",
            o if o.starts_with("delete") => "delete",
            _ => "upsert",
        };
        let mut filters = Vec::new();
        let mut values = Vec::new();
        if let Some(a) = syntax::arg(call, 0).map(syntax::unwrap) {
            if a.kind() == "object" {
                if let Some(w) = syntax::object_prop(file.src, a, "where") {
                    if drizzle_query {
                        drizzle_conditions(file, w, &mut filters, 0);
                    } else {
                        object_filters(file, w, "where", &mut filters, 0);
                    }
                }
                for key in ["data", "create", "update"] {
                    if let Some(d) = syntax::object_prop(file.src, a, key) {
                        object_filters(file, d, operation, &mut values, 0);
                    }
                }
            }
        }
        return Some((
            call,
            DbAccess {
                library: if drizzle_query { "drizzle" } else { "prisma" }.into(),
                client_kind: "server".into(),
                client_var: Some(client_text.to_string()),
                operation: operation.into(),
                table: Some(model.to_string()),
                filters,
                values,
            },
        ));
    }
    // Mongoose: Model.op(...)
    if obj.kind() == "identifier" && MONGOOSE_OPS.contains(&op)
        || obj.kind() == "identifier" && op == "create"
    {
        let model = file.text(obj);
        if !model.chars().next().is_some_and(|c| c.is_ascii_uppercase()) {
            return None;
        }
        let imported_model = file
            .import_of(model)
            .is_some_and(|i| i.source.to_ascii_lowercase().contains("model"));
        if !has_mongoose && !imported_model {
            return None;
        }
        let operation = match op {
            o if o.starts_with("find") && !o.contains("And") || o == "countDocuments" => "select",
            o if o.contains("Delete") || o.contains("Remove") || o.starts_with("delete") => {
                "delete"
            }
            o if o.contains("Update") || o.starts_with("update") || o == "replaceOne" => "update",
            _ => "insert",
        };
        let mut filters = Vec::new();
        let mut values = Vec::new();
        let args = syntax::args(call);
        if op.starts_with("findById") {
            if let Some(a) = args.first() {
                filters.push(filter(file, "_id", "eq", *a));
            }
        } else if operation == "insert" {
            if let Some(a) = args.first() {
                object_filters(file, *a, "insert", &mut values, 0);
            }
        } else if let Some(a) = args.first() {
            object_filters(file, *a, "where", &mut filters, 0);
        }
        if operation == "update" {
            if let Some(a) = args.get(1) {
                object_filters(file, *a, "update", &mut values, 0);
            }
        }
        return Some((
            call,
            DbAccess {
                library: "mongoose".into(),
                client_kind: "server".into(),
                client_var: Some(model.to_string()),
                operation: operation.into(),
                table: Some(model.to_string()),
                filters,
                values,
            },
        ));
    }
    let _ = Provenance::Unknown;
    None
}

#[cfg(test)]
mod tests {
    use lm_core::fact::FactData;
    use lm_core::{FileRecord, Role};

    fn service_role_clients(path: &str, src: &str) -> Vec<Option<String>> {
        let file = FileRecord {
            path: path.into(),
            path_bytes: None,
            root: ".".into(),
            language: None,
            size: src.len() as u64,
            binary: false,
            role: Role::Client,
            role_reason: String::new(),
        };
        let mut out = crate::Extraction::default();
        crate::extract_source(&file, src, &mut out);
        out.facts
            .iter()
            .filter_map(|f| match &f.data {
                FactData::DbClient(c) if c.client_kind == "service_role" => Some(c.var.clone()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn imported_admin_factories_are_service_role_clients() {
        let src = r#"
import { supabase } from "@/integrations/supabase/client";
import { createAdminClient } from "@/lib/supabase/admin";
import { SupabaseAdminClient } from "@/lib/clients";

export async function purgeOrg(orgId: string) {
  const admin = createAdminClient();
  const legacy = new SupabaseAdminClient();
  await legacy.from("orgs").delete().eq("id", orgId);
  return admin.from("members").delete().eq("org_id", orgId);
}
"#;
        assert_eq!(
            service_role_clients("src/pages/Orgs.tsx", src),
            vec![Some("admin".to_string()), Some("legacy".to_string())]
        );
    }

    #[test]
    fn role_predicates_and_service_classes_are_not_clients() {
        let src = r#"
import { supabase } from "@/integrations/supabase/client";
import { isSuperAdmin, checkAdmin } from "@/lib/roles";
import { InvoiceService } from "@/modules/billing/InvoiceService";

export function InvoicesPage({ profile }: { profile: Profile }) {
  const isSuper = isSuperAdmin(profile);
  const canManage = checkAdmin(profile);
  const invoices = new InvoiceService();
  if (isSuper || canManage) {
    return invoices.listAll();
  }
  return supabase.from("invoices").select("*").eq("owner_id", profile.id);
}
"#;
        assert!(service_role_clients("src/pages/Invoices.tsx", src).is_empty());
    }
}
