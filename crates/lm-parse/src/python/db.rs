//! Database clients and accesses in Python.
//!
//! * supabase-py: `create_client(url, key)` (the key's variable decides `service_role` /
//!   `anon`), and `client.table("t").select(...).eq("id", x).execute()` chains
//!   (`from_`, `insert`/`update`/`upsert` values, `match`, `filter`, `rpc`).
//! * SQLAlchemy / Flask-SQLAlchemy / SQLModel: engines, sessions and `SQLAlchemy(app)`
//!   (`server`); `session.query(M).filter(M.id == x)`, `.filter_by(id=x)`,
//!   `session.get(M, id)`, `M.query.get_or_404(id)`, `select(M).where(...)`,
//!   `update(M)`/`delete(M)`, `session.add(M(...))`, `session.delete(obj)`.
//! * psycopg / asyncpg connections (`server`).
//! * Raw SQL (`raw-sql`): `cur.execute("select ... where id = %s", (x,))`,
//!   `session.execute(text("... where id = :id"), {"id": x})`, asyncpg
//!   `conn.fetchrow("... where id = $1", x)` and f-strings: operation, table, and each
//!   `column = placeholder` filter with the provenance of the bound value.

use lm_core::fact::{DbAccess, DbClient, DbFilter, FactData};
use tree_sitter::Node;

use super::model::{keyword, last_segment, positional, string_value, Binding, PyFile};
use super::{handler_of, provenance, Handlers};
use crate::Extraction;

/// Runs the database extractors.
pub fn extract(file: &PyFile<'_>, handlers: &Handlers, out: &mut Extraction) {
    clients(file, out);
    let ctx = file.ctx;
    let mut seen: Vec<usize> = Vec::new();
    for c in &file.calls {
        if c.callee.kind() != "attribute" {
            // `select(M)`, `update(M)`, `delete(M)` from SQLAlchemy / SQLModel.
            let name = ctx.text(c.callee);
            if matches!(name, "select" | "update" | "delete" | "insert")
                && (file.origin(name).starts_with("sqlalchemy")
                    || file.origin(name).starts_with("sqlmodel"))
            {
                if let Some(model) = positional(c.args, 0).filter(|m| is_model(ctx.text(*m))) {
                    let access = DbAccess {
                        library: "sqlalchemy".into(),
                        client_kind: "server".into(),
                        client_var: None,
                        operation: name.into(),
                        table: Some(ctx.text(model).to_string()),
                        ..Default::default()
                    };
                    emit_chain(file, handlers, c.node, access, &mut seen, out);
                }
            }
            continue;
        }
        let Some(obj) = c.callee.child_by_field_name("object") else {
            continue;
        };
        let method = c
            .callee
            .child_by_field_name("attribute")
            .map(|a| ctx.text(a))
            .unwrap_or("");
        if matches!(
            method,
            "execute" | "executemany" | "fetch" | "fetchrow" | "fetchval" | "exec_driver_sql"
        ) {
            if let Some(access) = raw_sql(file, handlers, c.node, obj, c.args) {
                out.facts.push(ctx.fact(c.node, FactData::DbAccess(access)));
                continue;
            }
        }
        match method {
            "table" | "from_" => {
                let obj_text = ctx.text(obj);
                if obj_text.ends_with("storage")
                    || obj_text.ends_with("postgrest") && method == "from_"
                {
                    continue;
                }
                let Some(table) = positional(c.args, 0)
                    .and_then(|a| string_value(ctx, a).or_else(|| Some(ctx.text(a).to_string())))
                else {
                    continue;
                };
                let (library, kind) = client_of(file, handlers, obj);
                if library != "supabase" && !chain_has_supabase_verb(file, c.node) {
                    continue;
                }
                let access = DbAccess {
                    library: "supabase".into(),
                    client_kind: kind,
                    client_var: Some(ctx.short(obj, 60)),
                    operation: "select".into(),
                    table: Some(table),
                    ..Default::default()
                };
                emit_chain(file, handlers, c.node, access, &mut seen, out);
            }
            "rpc" => {
                let (library, kind) = client_of(file, handlers, obj);
                if library != "supabase" && !ctx.text(obj).to_ascii_lowercase().contains("supabase")
                {
                    continue;
                }
                let Some(name) = positional(c.args, 0).and_then(|a| string_value(ctx, a)) else {
                    continue;
                };
                let mut filters = Vec::new();
                if let Some(a) = positional(c.args, 1).or_else(|| keyword(ctx, c.args, "params")) {
                    dict_filters(file, handlers, a, "arg", &mut filters);
                }
                let access = DbAccess {
                    library: "supabase".into(),
                    client_kind: kind,
                    client_var: Some(ctx.short(obj, 60)),
                    operation: "rpc".into(),
                    table: Some(name),
                    filters,
                    values: Vec::new(),
                };
                emit_chain(file, handlers, c.node, access, &mut seen, out);
            }
            "select" | "update" | "delete" | "insert"
                if is_session(file, handlers, obj)
                    && positional(c.args, 0).is_some_and(|m| is_model(ctx.text(m))) =>
            {
                // Flask-SQLAlchemy `db.select(User).where(...)`.
                let access = DbAccess {
                    library: "sqlalchemy".into(),
                    client_kind: "server".into(),
                    client_var: Some(ctx.short(obj, 60)),
                    operation: method.into(),
                    table: positional(c.args, 0).map(|m| ctx.text(m).to_string()),
                    ..Default::default()
                };
                emit_chain(file, handlers, c.node, access, &mut seen, out);
            }
            "query" if is_session(file, handlers, obj) => {
                let Some(model) = positional(c.args, 0) else {
                    continue;
                };
                let table = model_name(ctx.text(model));
                let access = DbAccess {
                    library: "sqlalchemy".into(),
                    client_kind: "server".into(),
                    client_var: Some(ctx.short(obj, 60)),
                    operation: "select".into(),
                    table,
                    ..Default::default()
                };
                emit_chain(file, handlers, c.node, access, &mut seen, out);
            }
            "get" | "get_or_404" | "first_or_404" | "one_or_404"
                if is_session(file, handlers, obj)
                    && positional(c.args, 0).is_some_and(|m| is_model(ctx.text(m))) =>
            {
                let model = positional(c.args, 0).map(|m| ctx.text(m).to_string());
                let mut filters = Vec::new();
                if let Some(id) = positional(c.args, 1) {
                    filters.push(filter(file, handlers, "id", "get", id));
                }
                let access = DbAccess {
                    library: "sqlalchemy".into(),
                    client_kind: "server".into(),
                    client_var: Some(ctx.short(obj, 60)),
                    operation: "select".into(),
                    table: model,
                    filters,
                    values: Vec::new(),
                };
                emit_chain(file, handlers, c.node, access, &mut seen, out);
            }
            "add" | "delete" | "merge" if is_session(file, handlers, obj) => {
                let Some(arg) = positional(c.args, 0) else {
                    continue;
                };
                let (table, values) = constructed(file, handlers, arg);
                let access = DbAccess {
                    library: "sqlalchemy".into(),
                    client_kind: "server".into(),
                    client_var: Some(ctx.short(obj, 60)),
                    operation: if method == "delete" {
                        "delete".into()
                    } else if method == "merge" {
                        "upsert".into()
                    } else {
                        "insert".into()
                    },
                    table,
                    filters: Vec::new(),
                    values,
                };
                out.facts.push(ctx.fact(c.node, FactData::DbAccess(access)));
            }
            _ => {
                // Flask-SQLAlchemy `Model.query.filter_by(...)`: the chain starts at `M.query`.
                if obj.kind() == "attribute"
                    && obj
                        .child_by_field_name("attribute")
                        .is_some_and(|a| ctx.text(a) == "query")
                {
                    let Some(model) = obj.child_by_field_name("object") else {
                        continue;
                    };
                    if model.kind() != "identifier" || !is_model(ctx.text(model)) {
                        continue;
                    }
                    let access = DbAccess {
                        library: "sqlalchemy".into(),
                        client_kind: "server".into(),
                        client_var: Some(ctx.short(obj, 60)),
                        operation: "select".into(),
                        table: Some(ctx.text(model).to_string()),
                        ..Default::default()
                    };
                    // Read the chain from this first call (it includes `method`).
                    let mut access = access;
                    apply_method(file, handlers, method, c.node, &mut access);
                    emit_chain(file, handlers, c.node, access, &mut seen, out);
                }
            }
        }
    }
}

/// `db_client` facts for client creations bound to a variable or returned by a helper.
fn clients(file: &PyFile<'_>, out: &mut Extraction) {
    let ctx = file.ctx;
    for c in &file.calls {
        let Some(Binding::Db {
            library,
            kind,
            key_env,
        }) = file.classify(c.node)
        else {
            continue;
        };
        let var = super::auth::bound_var(file, c.node).or_else(|| {
            // `self.client = create_client(...)`
            let p = c.node.parent()?;
            if p.kind() == "assignment" {
                return p
                    .child_by_field_name("left")
                    .map(|l| ctx.text(l).to_string());
            }
            // `return create_client(...)` in a helper: the helper's name.
            let mut cur = p;
            while cur.kind() == "await" {
                cur = cur.parent()?;
            }
            if cur.kind() == "return_statement" {
                let f = file.enclosing_fn(cur)?;
                return f
                    .child_by_field_name("name")
                    .map(|n| format!("{}()", ctx.text(n)));
            }
            None
        });
        out.facts.push(ctx.fact(
            c.node,
            FactData::DbClient(DbClient {
                library: library.into(),
                client_kind: kind,
                var,
                key_env,
            }),
        ));
    }
}

/// Library and client kind of a receiver.
fn client_of(file: &PyFile<'_>, handlers: &Handlers, obj: Node<'_>) -> (String, String) {
    if let Some(Binding::Db { library, kind, .. }) = file.binding_of(obj) {
        return (library.to_string(), kind.clone());
    }
    if let Some(h) = handler_of(handlers, obj) {
        if let Some(Binding::Db { library, kind, .. }) = h.param_bindings.get(file.ctx.text(obj)) {
            return (library.to_string(), kind.clone());
        }
    }
    let t = file.ctx.text(obj).to_ascii_lowercase();
    if t.contains("supabase") {
        ("supabase".into(), "unknown".into())
    } else {
        (String::new(), "unknown".into())
    }
}

/// True when a `.table("t")` call is followed by supabase-py verbs.
fn chain_has_supabase_verb(file: &PyFile<'_>, call: Node<'_>) -> bool {
    chain_after(file, call).iter().any(|(m, _)| {
        matches!(
            m.as_str(),
            "select" | "insert" | "update" | "upsert" | "delete" | "execute" | "eq"
        )
    })
}

/// True for a SQLAlchemy session-like receiver.
fn is_session(file: &PyFile<'_>, handlers: &Handlers, obj: Node<'_>) -> bool {
    if let Some(Binding::Db {
        library: "sqlalchemy",
        ..
    }) = file.binding_of(obj)
    {
        return true;
    }
    let t = file.ctx.text(obj);
    if let Some(h) = handler_of(handlers, obj) {
        if matches!(
            h.param_bindings.get(t),
            Some(Binding::Db {
                library: "sqlalchemy",
                ..
            })
        ) {
            return true;
        }
    }
    let last = last_segment(t);
    (matches!(
        last,
        "session" | "db" | "db_session" | "sess" | "Session" | "async_session"
    ) && (file.imports_module("sqlalchemy")
        || file.imports_module("flask_sqlalchemy")
        || file.imports_module("sqlmodel")
        || t == "db.session"))
        || t == "db.session"
}

/// Model class names: `User`, `models.User`.
fn is_model(t: &str) -> bool {
    last_segment(t)
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_uppercase())
        && !t.contains('(')
}

fn model_name(t: &str) -> Option<String> {
    // `session.query(User.id, User.email)` reads `User`.
    let head = t.split(['.', ',']).next().unwrap_or(t).trim();
    let name = if is_model(head) { head } else { t };
    Some(name.to_string())
}

/// The methods called on the result of `call`, outward: `[("select", args), ("eq", args)]`.
fn chain_after<'a>(file: &PyFile<'a>, call: Node<'a>) -> Vec<(String, Node<'a>)> {
    let mut out = Vec::new();
    let mut cur = call;
    while let Some(p) = cur.parent() {
        if p.kind() != "attribute" {
            break;
        }
        let Some(gp) = p.parent().filter(|g| g.kind() == "call") else {
            break;
        };
        let (Some(attr), Some(args)) = (
            p.child_by_field_name("attribute"),
            gp.child_by_field_name("arguments"),
        ) else {
            break;
        };
        out.push((file.ctx.text(attr).to_string(), args));
        cur = gp;
    }
    out
}

/// The outermost call of the chain that starts at `call`.
fn outer_call(call: Node<'_>) -> Node<'_> {
    let mut cur = call;
    while let Some(p) = cur.parent() {
        if p.kind() != "attribute" {
            break;
        }
        match p.parent().filter(|g| g.kind() == "call") {
            Some(gp) => cur = gp,
            None => break,
        }
    }
    cur
}

fn emit_chain(
    file: &PyFile<'_>,
    handlers: &Handlers,
    call: Node<'_>,
    mut access: DbAccess,
    seen: &mut Vec<usize>,
    out: &mut Extraction,
) {
    let outer = outer_call(call);
    if seen.contains(&outer.start_byte()) {
        return;
    }
    seen.push(outer.start_byte());
    for (method, args) in chain_after(file, call) {
        apply_method_args(file, handlers, &method, args, &mut access);
    }
    // A query built in steps: `q = sb.table("t").select("*")`, then `q = q.eq(...)`.
    if let Some(var) = super::auth::bound_var(file, outer) {
        let func = file.enclosing_fn(outer).map(|f| f.id());
        for c in &file.calls {
            if c.node.start_byte() <= outer.end_byte()
                || file.enclosing_fn(c.node).map(|f| f.id()) != func
            {
                continue;
            }
            let (Some(obj), Some(attr)) = (
                c.callee.child_by_field_name("object"),
                c.callee.child_by_field_name("attribute"),
            ) else {
                continue;
            };
            if obj.kind() != "identifier" || file.ctx.text(obj) != var {
                continue;
            }
            apply_method(file, handlers, file.ctx.text(attr), c.node, &mut access);
            for (method, args) in chain_after(file, c.node) {
                apply_method_args(file, handlers, &method, args, &mut access);
            }
            seen.push(outer_call(c.node).start_byte());
        }
    }
    out.facts
        .push(file.ctx.fact(outer, FactData::DbAccess(access)));
}

fn apply_method(
    file: &PyFile<'_>,
    handlers: &Handlers,
    method: &str,
    call: Node<'_>,
    access: &mut DbAccess,
) {
    if let Some(args) = call.child_by_field_name("arguments") {
        apply_method_args(file, handlers, method, args, access);
    }
}

/// Applies one chained method to the access being built.
fn apply_method_args(
    file: &PyFile<'_>,
    handlers: &Handlers,
    method: &str,
    args: Node<'_>,
    access: &mut DbAccess,
) {
    let ctx = file.ctx;
    match method {
        "insert" | "update" | "upsert" | "delete" => {
            if access.operation != "rpc" {
                access.operation = method.into();
            }
            if let Some(v) = positional(args, 0) {
                if method != "delete" {
                    let mut values = Vec::new();
                    dict_filters(file, handlers, v, "set", &mut values);
                    access.values.extend(values);
                }
            }
        }
        "values" => {
            let mut c = args.walk();
            for a in args.named_children(&mut c) {
                if a.kind() == "keyword_argument" {
                    if let (Some(k), Some(v)) = (
                        a.child_by_field_name("name"),
                        a.child_by_field_name("value"),
                    ) {
                        access
                            .values
                            .push(filter(file, handlers, ctx.text(k), "set", v));
                    }
                } else {
                    dict_filters(file, handlers, a, "set", &mut access.values);
                }
            }
        }
        "eq" | "neq" | "gt" | "gte" | "lt" | "lte" | "like" | "ilike" | "is_" | "in_"
        | "contains" | "contained_by" | "not_" => {
            if let (Some(col), Some(v)) = (
                positional(args, 0).and_then(|a| string_value(ctx, a)),
                positional(args, 1),
            ) {
                access.filters.push(filter(
                    file,
                    handlers,
                    &col,
                    method.trim_end_matches('_'),
                    v,
                ));
            }
        }
        "filter" if access.library == "supabase" => {
            if let (Some(col), Some(v)) = (
                positional(args, 0).and_then(|a| string_value(ctx, a)),
                positional(args, 2),
            ) {
                access
                    .filters
                    .push(filter(file, handlers, &col, "filter", v));
            }
        }
        "match" => {
            if let Some(d) = positional(args, 0) {
                dict_filters(file, handlers, d, "eq", &mut access.filters);
            }
        }
        "filter_by" => {
            let mut c = args.walk();
            for a in args.named_children(&mut c) {
                if a.kind() == "keyword_argument" {
                    if let (Some(k), Some(v)) = (
                        a.child_by_field_name("name"),
                        a.child_by_field_name("value"),
                    ) {
                        access
                            .filters
                            .push(filter(file, handlers, ctx.text(k), "eq", v));
                    }
                }
            }
        }
        "filter" | "where" => {
            let mut c = args.walk();
            for a in args.named_children(&mut c) {
                conditions(file, handlers, a, &mut access.filters, 0);
            }
        }
        "get" | "get_or_404" if access.library == "sqlalchemy" => {
            if let Some(v) = positional(args, 0) {
                access.filters.push(filter(file, handlers, "id", "get", v));
            }
        }
        _ => {}
    }
}

/// Filters from SQLAlchemy conditions: `M.col == x`, `M.col.in_(xs)`, `and_(...)`.
fn conditions(
    file: &PyFile<'_>,
    handlers: &Handlers,
    n: Node<'_>,
    out: &mut Vec<DbFilter>,
    depth: u32,
) {
    if depth > 4 {
        return;
    }
    let ctx = file.ctx;
    match n.kind() {
        "comparison_operator" => {
            let mut c = n.walk();
            let ops: Vec<Node<'_>> = n.named_children(&mut c).collect();
            if ops.len() != 2 {
                return;
            }
            let op_text = ctx
                .src
                .get(ops[0].end_byte()..ops[1].start_byte())
                .unwrap_or("")
                .trim()
                .to_string();
            let op = match op_text.as_str() {
                "==" => "eq",
                "!=" => "neq",
                "in" => "in",
                _ => "cmp",
            };
            let (col, val) = if is_column(ctx.text(ops[0])) {
                (ops[0], ops[1])
            } else {
                (ops[1], ops[0])
            };
            let name = last_segment(ctx.text(col)).to_string();
            out.push(filter(file, handlers, &name, op, val));
        }
        "call" => {
            let Some(callee) = n.child_by_field_name("function") else {
                return;
            };
            let ct = ctx.text(callee);
            let Some(args) = n.child_by_field_name("arguments") else {
                return;
            };
            if matches!(last_segment(ct), "and_" | "or_") {
                let mut c = args.walk();
                for a in args.named_children(&mut c) {
                    conditions(file, handlers, a, out, depth + 1);
                }
            } else if matches!(
                last_segment(ct),
                "in_" | "like" | "ilike" | "contains" | "startswith"
            ) {
                if let (Some(col), Some(v)) =
                    (callee.child_by_field_name("object"), positional(args, 0))
                {
                    out.push(filter(
                        file,
                        handlers,
                        last_segment(ctx.text(col)),
                        last_segment(ct).trim_end_matches('_'),
                        v,
                    ));
                }
            }
        }
        "boolean_operator" | "binary_operator" | "parenthesized_expression" => {
            let mut c = n.walk();
            for a in n.named_children(&mut c) {
                conditions(file, handlers, a, out, depth + 1);
            }
        }
        _ => {}
    }
}

/// `User.id`, `models.User.owner_id`: a model column.
fn is_column(t: &str) -> bool {
    let mut parts = t.split('.');
    let n = t.split('.').count();
    n >= 2 && parts.any(|p| p.chars().next().is_some_and(|c| c.is_ascii_uppercase()))
}

fn filter(
    file: &PyFile<'_>,
    handlers: &Handlers,
    column: &str,
    op: &str,
    value: Node<'_>,
) -> DbFilter {
    DbFilter {
        column: column.to_string(),
        op: op.to_string(),
        source: provenance::of(file, handlers, value),
        expr: file.ctx.short(value, 60),
    }
}

/// One filter per key of a dict literal (resolved through a local variable); a single
/// `*` entry for any other value.
fn dict_filters(
    file: &PyFile<'_>,
    handlers: &Handlers,
    n: Node<'_>,
    op: &str,
    out: &mut Vec<DbFilter>,
) {
    let ctx = file.ctx;
    let mut n = n;
    if n.kind() == "identifier" {
        let func = file.enclosing_fn(n);
        if let Some((_, r)) = file.assignments.iter().rev().find(|(l, _)| {
            l.start_byte() < n.start_byte()
                && ctx.text(*l) == ctx.text(n)
                && file.enclosing_fn(*l).map(|f| f.id()) == func.map(|f| f.id())
        }) {
            if r.kind() == "dictionary" {
                n = *r;
            }
        }
    }
    // `insert([{...}, {...}])`: the first row stands for all (one level only).
    if n.kind() == "list" {
        if let Some(first) = n.named_child(0).filter(|f| f.kind() == "dictionary") {
            n = first;
        }
    }
    if n.kind() != "dictionary" {
        out.push(filter(file, handlers, "*", op, n));
        return;
    }
    let mut c = n.walk();
    for pair in n.named_children(&mut c) {
        if pair.kind() != "pair" {
            if pair.kind() == "dictionary_splat" {
                if let Some(v) = pair.named_child(0) {
                    out.push(filter(file, handlers, "*", op, v));
                }
            }
            continue;
        }
        let (Some(k), Some(v)) = (
            pair.child_by_field_name("key"),
            pair.child_by_field_name("value"),
        ) else {
            continue;
        };
        let key = string_value(ctx, k).unwrap_or_else(|| ctx.text(k).to_string());
        out.push(filter(file, handlers, &key, op, v));
    }
}

/// For `session.add(x)`: the model and keyword values of `x = Model(a=..., b=...)`.
fn constructed(
    file: &PyFile<'_>,
    handlers: &Handlers,
    arg: Node<'_>,
) -> (Option<String>, Vec<DbFilter>) {
    let ctx = file.ctx;
    let mut call = arg;
    if arg.kind() == "identifier" {
        let func = file.enclosing_fn(arg);
        if let Some((_, r)) = file.assignments.iter().rev().find(|(l, _)| {
            l.start_byte() < arg.start_byte()
                && ctx.text(*l) == ctx.text(arg)
                && file.enclosing_fn(*l).map(|f| f.id()) == func.map(|f| f.id())
        }) {
            call = *r;
        }
    }
    if call.kind() != "call" {
        return (None, Vec::new());
    }
    let Some(callee) = call.child_by_field_name("function") else {
        return (None, Vec::new());
    };
    if !is_model(ctx.text(callee)) {
        return (None, Vec::new());
    }
    let mut values = Vec::new();
    if let Some(args) = call.child_by_field_name("arguments") {
        let mut c = args.walk();
        for a in args.named_children(&mut c) {
            match a.kind() {
                "keyword_argument" => {
                    if let (Some(k), Some(v)) = (
                        a.child_by_field_name("name"),
                        a.child_by_field_name("value"),
                    ) {
                        values.push(filter(file, handlers, ctx.text(k), "set", v));
                    }
                }
                "dictionary_splat" => {
                    if let Some(v) = a.named_child(0) {
                        values.push(filter(file, handlers, "*", "set", v));
                    }
                }
                _ => {}
            }
        }
    }
    (Some(ctx.text(callee).to_string()), values)
}

/// Placeholders in SQL text: `%s`, `?`, `%(name)s`, `:name`, `$1`, and f-string holes
/// (marked `\x01N\x01`).
static PLACEHOLDER: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    regex::Regex::new(r"%s|\?|%\((\w+)\)s|:(\w+)|\$(\d+)|\x01(\d+)\x01").expect("valid regex")
});
/// `column <op> placeholder` comparisons.
static COMPARISON: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    regex::Regex::new(
        r#"(?i)([\w."]+)\s*(=|!=|<>|>=|<=|\bin\b|\blike\b|\bilike\b)\s*\(?\s*(%s|\?|%\(\w+\)s|:\w+|\$\d+|\x01\d+\x01)"#,
    )
    .expect("valid regex")
});
static TABLE: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    regex::Regex::new(r#"(?i)\b(from|into|update)\s+([\w."]+)"#).expect("valid regex")
});

/// The SQL text of an argument (plain string, `text("...")`, a local or module constant,
/// or an f-string with its holes marked), with the f-string hole expressions.
fn sql_text<'a>(file: &PyFile<'a>, n: Node<'a>, depth: u32) -> Option<(String, Vec<Node<'a>>)> {
    let ctx = file.ctx;
    if depth > 3 {
        return None;
    }
    match n.kind() {
        "string" => {
            let mut text = String::new();
            let mut holes = Vec::new();
            let mut c = n.walk();
            for ch in n.named_children(&mut c) {
                match ch.kind() {
                    "string_content" | "escape_sequence" => text.push_str(ctx.text(ch)),
                    "interpolation" => {
                        if let Some(e) = ch.named_child(0) {
                            text.push_str(&format!("\x01{}\x01", holes.len()));
                            holes.push(e);
                        }
                    }
                    _ => {}
                }
            }
            Some((text, holes))
        }
        "concatenated_string" => {
            let mut text = String::new();
            let mut holes = Vec::new();
            let mut c = n.walk();
            for part in n.named_children(&mut c) {
                let (t, h) = sql_text(file, part, depth + 1)?;
                // Renumber the holes of later parts.
                let base = holes.len();
                let t = PLACEHOLDER.replace_all(&t, |caps: &regex::Captures<'_>| {
                    match caps.get(4).and_then(|m| m.as_str().parse::<usize>().ok()) {
                        Some(i) => format!("\x01{}\x01", i + base),
                        None => caps[0].to_string(),
                    }
                });
                text.push_str(&t);
                holes.extend(h);
            }
            Some((text, holes))
        }
        "call" => {
            let callee = ctx.text(n.child_by_field_name("function")?);
            if last_segment(callee) != "text" {
                return None;
            }
            sql_text(
                file,
                positional(n.child_by_field_name("arguments")?, 0)?,
                depth + 1,
            )
        }
        "identifier" => {
            let name = ctx.text(n);
            let func = file.enclosing_fn(n).map(|f| f.id());
            let local = file.assignments.iter().rev().find(|(l, _)| {
                l.start_byte() < n.start_byte()
                    && ctx.text(*l) == name
                    && file.enclosing_fn(*l).map(|f| f.id()) == func
            });
            let v = local
                .map(|(_, r)| *r)
                .or_else(|| file.module_values.get(name).copied())?;
            sql_text(file, v, depth + 1)
        }
        _ => None,
    }
}

/// The bound parameters of a raw query: positional values and named values.
fn params<'a>(file: &PyFile<'a>, n: Node<'a>) -> (Vec<Node<'a>>, Vec<(String, Node<'a>)>) {
    let ctx = file.ctx;
    let mut n = n;
    if n.kind() == "identifier" {
        let func = file.enclosing_fn(n).map(|f| f.id());
        if let Some((_, r)) = file.assignments.iter().rev().find(|(l, _)| {
            l.start_byte() < n.start_byte()
                && ctx.text(*l) == ctx.text(n)
                && file.enclosing_fn(*l).map(|f| f.id()) == func
        }) {
            n = *r;
        }
    }
    let mut c = n.walk();
    match n.kind() {
        "tuple" | "list" | "parenthesized_expression" => {
            (n.named_children(&mut c).collect(), Vec::new())
        }
        "dictionary" => {
            let named = n
                .named_children(&mut c)
                .filter(|p| p.kind() == "pair")
                .filter_map(|p| {
                    let k = p.child_by_field_name("key")?;
                    Some((string_value(ctx, k)?, p.child_by_field_name("value")?))
                })
                .collect();
            (Vec::new(), named)
        }
        _ => (Vec::new(), Vec::new()),
    }
}

/// A raw SQL query run by `execute`-like methods, when its first argument is SQL.
fn raw_sql(
    file: &PyFile<'_>,
    handlers: &Handlers,
    call: Node<'_>,
    obj: Node<'_>,
    args: Node<'_>,
) -> Option<DbAccess> {
    let ctx = file.ctx;
    let (sql, holes) = sql_text(file, positional(args, 0)?, 0)?;
    let lower = sql.trim_start().to_ascii_lowercase();
    let first = lower.split_whitespace().next().unwrap_or("");
    let operation = match first {
        "select" | "with" => "select",
        "insert" if lower.contains("on conflict") => "upsert",
        "insert" => "insert",
        "update" => "update",
        "delete" => "delete",
        _ => return None,
    };
    // `::` casts are not `:name` parameters.
    let sql = sql.replace("::", "  ");
    let table = TABLE.captures(&sql).map(|c| c[2].replace('"', ""));
    // Bound values: the second argument (DB-API, SQLAlchemy), or every later argument
    // (asyncpg).
    let method = last_segment(ctx.text(call.child_by_field_name("function")?));
    let (mut positional_values, named) = positional(args, 1)
        .map(|p| params(file, p))
        .unwrap_or_default();
    if matches!(method, "fetch" | "fetchrow" | "fetchval")
        || method == "execute" && sql.contains("$1")
    {
        let mut c = args.walk();
        positional_values = args
            .named_children(&mut c)
            .filter(|a| a.kind() != "keyword_argument")
            .skip(1)
            .collect();
    }
    // Positional index of every placeholder, by byte offset.
    let mut slots: Vec<(usize, Option<Node<'_>>)> = Vec::new();
    let mut next_positional = 0usize;
    for caps in PLACEHOLDER.captures_iter(&sql) {
        let at = caps.get(0).map(|m| m.start()).unwrap_or(0);
        let value = if let Some(name) = caps.get(1).or_else(|| caps.get(2)) {
            named
                .iter()
                .find(|(k, _)| k == name.as_str())
                .map(|(_, v)| *v)
        } else if let Some(n) = caps.get(3) {
            n.as_str()
                .parse::<usize>()
                .ok()
                .and_then(|i| positional_values.get(i.saturating_sub(1)).copied())
        } else if let Some(h) = caps.get(4) {
            h.as_str()
                .parse::<usize>()
                .ok()
                .and_then(|i| holes.get(i).copied())
        } else {
            let v = positional_values.get(next_positional).copied();
            next_positional += 1;
            v
        };
        slots.push((at, value));
    }
    let mut filters = Vec::new();
    let where_at = sql
        .to_ascii_lowercase()
        .find(" where ")
        .unwrap_or(usize::MAX);
    for caps in COMPARISON.captures_iter(&sql) {
        let Some(ph) = caps.get(3) else { continue };
        if ph.start() < where_at && operation != "select" {
            continue; // `set col = %s` is a value, not a filter
        }
        let column = last_segment(&caps[1].replace('"', "")).to_string();
        let op = match caps[2].to_ascii_lowercase().as_str() {
            "=" => "eq",
            "!=" | "<>" => "neq",
            "in" => "in",
            "like" | "ilike" => "like",
            _ => "cmp",
        }
        .to_string();
        let value = slots
            .iter()
            .find(|(at, _)| *at == ph.start())
            .and_then(|(_, v)| *v);
        filters.push(match value {
            Some(v) => filter(file, handlers, &column, &op, v),
            None => DbFilter {
                column,
                op,
                source: lm_core::fact::Provenance::Unknown,
                expr: ph.as_str().replace('\x01', "").to_string(),
            },
        });
    }
    let kind = match file.binding_of(obj) {
        Some(Binding::Db { kind, .. }) => kind.clone(),
        _ => "server".into(),
    };
    Some(DbAccess {
        library: "raw-sql".into(),
        client_kind: kind,
        client_var: Some(ctx.short(obj, 60)),
        operation: operation.into(),
        table,
        filters,
        values: Vec::new(),
    })
}
