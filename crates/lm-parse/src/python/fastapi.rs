//! FastAPI routes: `@app.get("/x")`, `@router.post(...)`, `@app.api_route(...)`, with the
//! prefixes and dependencies of `APIRouter(prefix=..., dependencies=[...])`,
//! `app.include_router(router, prefix=..., dependencies=[...])` (same file) and
//! `FastAPI(dependencies=[...])`, and what each handler parameter carries.
//!
//! Decorators above the route decorator are not applied to the registered endpoint, so
//! only those below it count as middleware.

use lm_core::fact::{FactData, Function, Middleware, Route};
use tree_sitter::Node;

use super::model::{
    keyword, last_segment, method_call, positional, string_list, string_value, Binding, PyFile,
};
use super::{auth, public_reason, HandlerInfo, Handlers};
use crate::Extraction;

const METHODS: &[&str] = &[
    "get",
    "post",
    "put",
    "patch",
    "delete",
    "options",
    "head",
    "trace",
    "api_route",
    "websocket",
];

/// Whether a decorator receiver is a FastAPI app or router.
fn is_fastapi_owner(file: &PyFile<'_>, obj: Node<'_>) -> bool {
    match file.binding_of(obj) {
        Some(Binding::FastApi { .. }) => true,
        Some(_) => false,
        None => file.imports_module("fastapi") && !file.imports_module("flask"),
    }
}

/// The prefix and dependency nodes that apply to routes of `var`: from the apps and
/// routers it is included into (outermost first), then its own.
pub fn mount_chain<'a>(file: &PyFile<'a>, var: &str, depth: u32) -> (String, Vec<Node<'a>>) {
    let ctx = file.ctx;
    let mut prefix = String::new();
    let mut deps = Vec::new();
    if depth < 4 {
        let include = file.calls.iter().find(|c| {
            last_segment(ctx.text(c.callee)) == "include_router"
                && positional(c.args, 0).is_some_and(|a| ctx.text(a) == var)
        });
        if let Some(c) = include {
            if let Some(parent) = c.callee.child_by_field_name("object") {
                let (p, d) = mount_chain(file, ctx.text(parent), depth + 1);
                prefix.push_str(&p);
                deps.extend(d);
            }
            if let Some(p) = keyword(ctx, c.args, "prefix").and_then(|p| string_value(ctx, p)) {
                prefix.push_str(&p);
            }
            if let Some(d) = keyword(ctx, c.args, "dependencies") {
                deps.extend(list_items(d));
            }
        }
    }
    if let Some((Binding::FastApi { .. }, value)) = file.bindings.get(var) {
        if let Some(args) = value.child_by_field_name("arguments") {
            if let Some(p) = keyword(ctx, args, "prefix").and_then(|p| string_value(ctx, p)) {
                prefix.push_str(&p);
            }
            if let Some(d) = keyword(ctx, args, "dependencies") {
                deps.extend(list_items(d));
            }
        }
    }
    (prefix, deps)
}

/// Elements of a list or tuple literal.
pub fn list_items(n: Node<'_>) -> Vec<Node<'_>> {
    if !matches!(n.kind(), "list" | "tuple") {
        return Vec::new();
    }
    let mut c = n.walk();
    let items: Vec<Node<'_>> = n
        .named_children(&mut c)
        .filter(|i| i.kind() != "comment")
        .collect();
    items
}

/// The decorators of a decorated definition, as their expressions, in order.
pub fn decorator_exprs(decorated: Node<'_>) -> Vec<Node<'_>> {
    let mut c = decorated.walk();
    let exprs: Vec<Node<'_>> = decorated
        .named_children(&mut c)
        .filter(|d| d.kind() == "decorator")
        .filter_map(|d| {
            let mut dc = d.walk();
            let e = d.named_children(&mut dc).find(|e| e.kind() != "comment");
            e
        })
        .collect();
    exprs
}

/// `app.include_router(users.router, prefix="/users", dependencies=[...])` of a router
/// defined in another file: a `middleware` fact naming the router with the prefix as
/// its matcher (the mount), and one naming the dependencies (`authenticates` when one
/// of them does), so a consumer can place that file's routes.
fn foreign_mounts(file: &PyFile<'_>, out: &mut Extraction) {
    let ctx = file.ctx;
    for c in &file.calls {
        if last_segment(ctx.text(c.callee)) != "include_router" {
            continue;
        }
        let Some(router) = positional(c.args, 0) else {
            continue;
        };
        if matches!(file.binding_of(router), Some(Binding::FastApi { .. })) {
            continue; // same file: already in the route patterns
        }
        let (parent_prefix, parent_deps) = c
            .callee
            .child_by_field_name("object")
            .map(|o| mount_chain(file, ctx.text(o), 0))
            .unwrap_or_default();
        let own = keyword(ctx, c.args, "prefix")
            .and_then(|p| string_value(ctx, p))
            .unwrap_or_default();
        let prefix = format!("{parent_prefix}{own}");
        let mut deps = parent_deps;
        if let Some(d) = keyword(ctx, c.args, "dependencies") {
            deps.extend(list_items(d));
        }
        let matcher = if prefix.is_empty() {
            Vec::new()
        } else {
            vec![prefix]
        };
        let order = super::services::line_order(c.node);
        let router_module = Some(file.origin(ctx.text(router)));
        out.facts.push(ctx.fact(
            c.node,
            FactData::Middleware(Middleware {
                framework: "fastapi".into(),
                matcher: matcher.clone(),
                names: vec![ctx.short(router, 80)],
                authenticates: false,
                rate_limits: false,
                order,
                router_module: router_module.clone(),
                ..Default::default()
            }),
        ));
        if deps.is_empty() {
            continue;
        }
        let authenticates = deps.iter().any(|d| {
            let target = d
                .child_by_field_name("arguments")
                .and_then(|a| positional(a, 0));
            let name = target.map(|t| ctx.text(t)).unwrap_or("");
            is_depends(file, *d) && auth::is_auth_dependency(file, target, name)
        });
        let rate_limits = deps.iter().any(|d| ctx.text(*d).contains("RateLimiter"));
        out.facts.push(ctx.fact(
            c.node,
            FactData::Middleware(Middleware {
                framework: "fastapi".into(),
                matcher,
                names: deps.iter().map(|d| ctx.short(*d, 80)).collect(),
                authenticates,
                rate_limits,
                order,
                router_module,
                ..Default::default()
            }),
        ));
    }
}

/// Runs the FastAPI route extractor.
pub fn extract(file: &PyFile<'_>, handlers: &mut Handlers, out: &mut Extraction) {
    let ctx = file.ctx;
    foreign_mounts(file, out);
    alias_functions(file, out);
    for &(decorated, func) in &file.decorated {
        let decorators = decorator_exprs(decorated);
        for (i, &expr) in decorators.iter().enumerate() {
            let Some((obj, method, args)) = method_call(ctx, expr) else {
                continue;
            };
            if !METHODS.contains(&method) || !is_fastapi_owner(file, obj) {
                continue;
            }
            let path = positional(args, 0)
                .or_else(|| keyword(ctx, args, "path"))
                .and_then(|p| string_value(ctx, p))
                .unwrap_or_default();
            let methods: Vec<String> = match method {
                "api_route" => {
                    let m: Vec<String> = keyword(ctx, args, "methods")
                        .map(|m| string_list(ctx, m))
                        .unwrap_or_default()
                        .into_iter()
                        .map(|m| m.to_ascii_uppercase())
                        .collect();
                    if m.is_empty() {
                        vec!["GET".into()]
                    } else {
                        m
                    }
                }
                "websocket" => vec!["GET".into()],
                m => vec![m.to_ascii_uppercase()],
            };
            let (prefix, mut deps) = mount_chain(file, ctx.text(obj), 0);
            if let Some(d) = keyword(ctx, args, "dependencies") {
                deps.extend(list_items(d));
            }
            let pattern = format!("{prefix}{path}");
            ctx.add_handler(func);
            let scope = ctx.scope_for_function(func);
            let mut middleware: Vec<String> = deps.iter().map(|d| ctx.short(*d, 80)).collect();
            for &below in &decorators[i + 1..] {
                middleware.push(ctx.short(below, 80));
            }
            middleware.extend(alias_middleware(file, func));
            let mut route = Route {
                framework: "fastapi".into(),
                methods,
                pattern: pattern.clone(),
                handler: func
                    .child_by_field_name("name")
                    .map(|n| ctx.text(n).to_string()),
                handler_scope: Some(scope.clone()),
                middleware,
                ..Default::default()
            };
            if let Some(r) = public_reason(&pattern) {
                route.public = true;
                route.public_reason = Some(r.into());
            }
            out.facts.push(ctx.fact(decorated, FactData::Route(route)));
            for d in &deps {
                auth::dependency_facts(file, *d, &scope, None, out);
            }
            for &below in &decorators[i + 1..] {
                auth::decorator_facts(file, below, &scope, out);
            }
            let mut info = HandlerInfo {
                framework: "fastapi",
                scope: scope.clone(),
                pattern,
                ..Default::default()
            };
            parameters(file, func, &scope, &mut info, out);
            handlers.insert(func.start_byte(), info);
            break;
        }
    }
}

/// Reads a FastAPI handler's parameters: dependencies (auth, database sessions) and
/// request parameters (path, query, body, `Request`).
fn parameters(
    file: &PyFile<'_>,
    func: Node<'_>,
    scope: &str,
    info: &mut HandlerInfo,
    out: &mut Extraction,
) {
    let ctx = file.ctx;
    let Some(params) = func.child_by_field_name("parameters") else {
        return;
    };
    let mut c = params.walk();
    for p in params.named_children(&mut c) {
        let (name, ty, value) = match p.kind() {
            "identifier" => (Some(p), None, None),
            "typed_parameter" => {
                let mut pc = p.walk();
                let name = p.named_children(&mut pc).find(|n| n.kind() == "identifier");
                (name, p.child_by_field_name("type"), None)
            }
            "default_parameter" => (
                p.child_by_field_name("name"),
                None,
                p.child_by_field_name("value"),
            ),
            "typed_default_parameter" => (
                p.child_by_field_name("name"),
                p.child_by_field_name("type"),
                p.child_by_field_name("value"),
            ),
            _ => continue,
        };
        let Some(name) = name else { continue };
        let name = ctx.text(name).to_string();
        if name == "self" || name == "cls" {
            continue;
        }
        let ty_text = ty.map(|t| ctx.text(t)).unwrap_or("");
        let ty_last = last_segment(ty_text.trim());
        if matches!(
            ty_last,
            "Response" | "BackgroundTasks" | "JSONResponse" | "StreamingResponse"
        ) {
            continue;
        }
        // `x = Depends(f)`, `x: Annotated[T, Depends(f)]`, `x: T = Security(f)`, and
        // `x: CurrentUser` with `CurrentUser = Annotated[T, Depends(f)]` in this file.
        let alias = ty.and_then(|t| dependency_alias(file, ctx.text(t).trim()));
        let depends = value
            .filter(|v| is_depends(file, *v))
            .or_else(|| ty.and_then(|t| find_depends(file, t)))
            .or_else(|| alias.map(|(_, d)| d));
        if let Some(dep) = depends {
            let target = dep
                .child_by_field_name("arguments")
                .and_then(|a| positional(a, 0).or_else(|| keyword(ctx, a, "dependency")));
            let target_name = target.map(|t| ctx.text(t).to_string()).unwrap_or_else(|| {
                // `Depends()` uses the annotation (the aliased type) as the dependency.
                alias
                    .and_then(|(a, _)| annotated_type(a))
                    .map(|t| ctx.text(t).to_string())
                    .unwrap_or_else(|| ty_text.to_string())
            });
            if auth::is_auth_dependency(file, target, &target_name) {
                info.user_params.push(name.clone());
                auth::dependency_facts(file, dep, scope, Some(name.clone()), out);
            } else if let Some(b) = target.and_then(|t| {
                file.bindings
                    .get(&format!("{}()", ctx.text(t)))
                    .map(|(b, _)| b.clone())
            }) {
                info.param_bindings.insert(name, b);
            } else if is_session_name(&target_name) || is_session_type(ty_last) {
                info.param_bindings.insert(
                    name,
                    Binding::Db {
                        library: if target_name.to_ascii_lowercase().contains("supabase") {
                            "supabase"
                        } else {
                            "sqlalchemy"
                        },
                        kind: if target_name.to_ascii_lowercase().contains("supabase") {
                            "unknown".into()
                        } else {
                            "server".into()
                        },
                        key_env: None,
                    },
                );
            } else if target.is_none() && ty_last.starts_with(|c: char| c.is_ascii_uppercase())
                || target.is_some_and(|t| {
                    t.kind() != "call"
                        && last_segment(ctx.text(t)).starts_with(|c: char| c.is_ascii_uppercase())
                })
            {
                // A class used as a dependency (`form: OAuth2PasswordRequestForm =
                // Depends()`, pagination params): it is built from the request.
                info.request_params.push(name);
            } else {
                auth::dependency_facts(file, dep, scope, None, out);
            }
            continue;
        }
        if is_session_type(ty_last) {
            info.param_bindings.insert(
                name,
                Binding::Db {
                    library: "sqlalchemy",
                    kind: "server".into(),
                    key_env: None,
                },
            );
            continue;
        }
        info.request_params.push(name);
    }
}

/// The `Annotated[...]` subscript of a module-level type alias carrying a dependency
/// (`CurrentUser = Annotated[User, Depends(get_current_user)]`), with its first
/// `Depends(...)` / `Security(...)` call.
fn dependency_alias<'a>(file: &PyFile<'a>, name: &str) -> Option<(Node<'a>, Node<'a>)> {
    if !is_identifier(name) {
        return None;
    }
    let value = *file.module_values.get(name)?;
    annotated_depends(file, value).map(|d| (value, d))
}

/// The first dependency call of an `Annotated[T, Depends(f), ...]` subscript.
fn annotated_depends<'a>(file: &PyFile<'a>, value: Node<'a>) -> Option<Node<'a>> {
    if value.kind() != "subscript" {
        return None;
    }
    let head = value.child_by_field_name("value")?;
    if last_segment(file.ctx.text(head)) != "Annotated" {
        return None;
    }
    let mut c = value.walk();
    let subs: Vec<Node<'a>> = value
        .children_by_field_name("subscript", &mut c)
        .skip(1)
        .collect();
    subs.into_iter().find_map(|s| find_depends(file, s))
}

/// `T` of `Annotated[T, ...]`.
fn annotated_type(value: Node<'_>) -> Option<Node<'_>> {
    let mut c = value.walk();
    let first = value.children_by_field_name("subscript", &mut c).next();
    first
}

fn is_identifier(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Modules whose exports are types, never dependency aliases of the app.
const LIBRARY_MODULES: &[&str] = &[
    "fastapi",
    "starlette",
    "pydantic",
    "pydantic_settings",
    "sqlmodel",
    "sqlalchemy",
    "typing",
    "typing_extensions",
    "collections",
    "datetime",
    "uuid",
    "decimal",
    "enum",
    "pathlib",
    "supabase",
    "redis",
    "httpx",
    "requests",
    "motor",
    "pymongo",
    "beanie",
    "bson",
    "odmantic",
    "tortoise",
    "databases",
    "asyncpg",
    "psycopg",
    "psycopg2",
    "jose",
    "jwt",
    "passlib",
];

/// Types a parameter may carry that are never dependency aliases.
fn is_plain_type(name: &str) -> bool {
    matches!(
        name,
        "Request"
            | "WebSocket"
            | "Response"
            | "BackgroundTasks"
            | "UploadFile"
            | "Session"
            | "AsyncSession"
            | "Connection"
            | "AsyncConnection"
            | "HTTPConnection"
            | "SecurityScopes"
            | "Any"
            | "UUID"
    )
}

/// `Annotated:<Name>` route middleware entries for handler parameters annotated with a
/// dependency alias: one defined in this file, or a CamelCase name imported from a
/// module of the app (`from app.api.deps import CurrentUser`), which a consumer resolves
/// to the `function` fact the defining module emits for it ([`alias_functions`]).
fn alias_middleware(file: &PyFile<'_>, func: Node<'_>) -> Vec<String> {
    let ctx = file.ctx;
    let mut out: Vec<String> = Vec::new();
    let Some(params) = func.child_by_field_name("parameters") else {
        return out;
    };
    let mut c = params.walk();
    for p in params.named_children(&mut c) {
        if !matches!(p.kind(), "typed_parameter" | "typed_default_parameter") {
            continue;
        }
        let Some(ty) = p.child_by_field_name("type") else {
            continue;
        };
        let ty = ctx.text(ty).trim();
        if !is_identifier(ty) || !ty.starts_with(|c: char| c.is_ascii_uppercase()) {
            continue;
        }
        let name = if dependency_alias(file, ty).is_some() {
            ty.to_string()
        } else if let Some(origin) = file.imports.get(ty) {
            let (module, orig) = origin.rsplit_once('.').unwrap_or(("", origin));
            let root = module.split('.').next().unwrap_or("");
            let local =
                module.starts_with('.') || !root.is_empty() && !LIBRARY_MODULES.contains(&root);
            // Request bodies come from models and schemas modules.
            let models = module.split('.').any(|m| {
                matches!(
                    m,
                    "models" | "model" | "schemas" | "schema" | "entities" | "dto" | "dtos"
                )
            });
            if !local || models || is_plain_type(orig) || !is_identifier(orig) {
                continue;
            }
            orig.to_string()
        } else {
            continue;
        };
        let entry = format!("Annotated:{name}");
        if !out.contains(&entry) {
            out.push(entry);
        }
    }
    out
}

/// A `function` fact for each module-level type alias that carries a dependency
/// (`CurrentUser = Annotated[User, Depends(get_current_user)]`), calling the dependency,
/// so that a handler in another file annotated with the alias reaches it.
fn alias_functions(file: &PyFile<'_>, out: &mut Extraction) {
    let ctx = file.ctx;
    let mut names: Vec<(&String, Node<'_>)> = file
        .module_values
        .iter()
        .map(|(n, v)| (n, *v))
        .filter(|(n, _)| is_identifier(n))
        .collect();
    names.sort_by_key(|(_, v)| v.start_byte());
    for (name, value) in names {
        let Some(dep) = annotated_depends(file, value) else {
            continue;
        };
        let target = dep
            .child_by_field_name("arguments")
            .and_then(|a| positional(a, 0).or_else(|| keyword(ctx, a, "dependency")));
        let callee = match target {
            Some(t) if t.kind() == "call" => t.child_by_field_name("function"),
            Some(t) => Some(t),
            None => annotated_type(value),
        };
        let Some(callee) = callee.map(|c| ctx.text(c)) else {
            continue;
        };
        if callee.len() > 80 || callee.contains(['\n', '(']) {
            continue;
        }
        let node = value.parent().unwrap_or(value);
        out.facts.push(ctx.fact(
            node,
            FactData::Function(Function {
                exported: !name.starts_with('_'),
                name: name.clone(),
                calls: vec![callee.to_string()],
            }),
        ));
    }
}

fn is_session_name(n: &str) -> bool {
    let l = last_segment(n).to_ascii_lowercase();
    l.contains("db") || l.contains("session") || l.contains("supabase") || l.contains("database")
}

fn is_session_type(t: &str) -> bool {
    matches!(
        t,
        "Session" | "AsyncSession" | "Connection" | "AsyncConnection"
    )
}

/// True for `Depends(...)` / `Security(...)` calls.
pub fn is_depends(file: &PyFile<'_>, n: Node<'_>) -> bool {
    n.kind() == "call"
        && n.child_by_field_name("function")
            .is_some_and(|f| matches!(last_segment(file.ctx.text(f)), "Depends" | "Security"))
}

/// The first `Depends(...)` call inside an annotation.
fn find_depends<'a>(file: &PyFile<'a>, n: Node<'a>) -> Option<Node<'a>> {
    if is_depends(file, n) {
        return Some(n);
    }
    let mut c = n.walk();
    let children: Vec<Node<'a>> = n.named_children(&mut c).collect();
    children.into_iter().find_map(|ch| find_depends(file, ch))
}
