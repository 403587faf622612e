//! Fastify: `fastify.get(path, [opts], handler)`, `fastify.route({ method, url, handler,
//! preHandler, onRequest })`, `fastify.addHook('onRequest' | 'preHandler', fn)`.

use lm_core::fact::{FactData, Middleware, Route};
use tree_sitter::Node;

use super::express::{self, middleware_name, VERBS};
use super::model::{JsFile, RouteOut};
use super::{nextjs, syntax};

const HOOKS: &[&str] = &["onRequest", "preParsing", "preValidation", "preHandler"];

fn hook_names(file: &JsFile<'_>, opts: Node<'_>) -> Vec<String> {
    let mut out = Vec::new();
    for h in HOOKS {
        if let Some(v) = syntax::object_prop(file.src, opts, h) {
            let v = syntax::unwrap(v);
            if v.kind() == "array" {
                let mut cur = v.walk();
                for x in v.named_children(&mut cur) {
                    out.push(middleware_name(file, x));
                }
            } else {
                out.push(middleware_name(file, v));
            }
        }
    }
    out
}

/// Runs the Fastify extractor.
pub fn extract(file: &mut JsFile<'_>) {
    if !file.imports_from("fastify")
        && !file.imports_from("@fastify")
        && !file.src.contains("fastify")
    {
        return;
    }
    let receiver_ok = |r: &str| {
        matches!(r, "fastify" | "app" | "server" | "instance" | "api" | "f")
            || r.ends_with("fastify")
    };
    // Plugins registered with a prefix: `fastify.register(plugin, { prefix: '/api' })`.
    let mut prefixes: Vec<(std::ops::Range<usize>, String)> = Vec::new();
    for c in &file.calls {
        let Some(callee) = syntax::callee(*c) else {
            continue;
        };
        if syntax::last_name(file.src, callee) != "register" {
            continue;
        }
        let args = syntax::args(*c);
        let prefix = args
            .get(1)
            .map(|o| syntax::unwrap(*o))
            .filter(|o| o.kind() == "object")
            .and_then(|o| syntax::object_prop(file.src, o, "prefix"))
            .and_then(|p| syntax::string_value(file.src, p));
        let (Some(plugin), Some(prefix)) = (args.first(), prefix) else {
            continue;
        };
        let plugin = syntax::unwrap(*plugin);
        let def = if syntax::is_function(plugin) {
            Some(plugin)
        } else if plugin.kind() == "identifier" {
            file.top_level_function(file.text(plugin))
                .filter(|f| syntax::is_function(*f))
        } else {
            None
        };
        if let Some(d) = def {
            prefixes.push((d.byte_range(), prefix.trim_end_matches('/').to_string()));
        }
    }
    let prefix_of = |n: Node<'_>| -> String {
        let mut ps: Vec<&(std::ops::Range<usize>, String)> = prefixes
            .iter()
            .filter(|(r, _)| r.start <= n.start_byte() && n.end_byte() <= r.end)
            .collect();
        ps.sort_by_key(|(r, _)| std::cmp::Reverse(r.len()));
        ps.iter().map(|(_, p)| p.as_str()).collect()
    };
    let mut routes = Vec::new();
    let mut hooks: Vec<(Node<'_>, String, Vec<String>, bool)> = Vec::new();
    for c in file.calls.clone() {
        let Some(callee) = syntax::callee(c) else {
            continue;
        };
        if callee.kind() != "member_expression" {
            continue;
        }
        let verb = syntax::last_name(file.src, callee);
        let Some(obj) = syntax::callee_object(c) else {
            continue;
        };
        let recv = file.text(obj);
        if !receiver_ok(recv) {
            continue;
        }
        let args = syntax::args(c);
        if verb == "addHook" {
            let Some(kind) = args
                .first()
                .and_then(|a| syntax::string_value(file.src, *a))
            else {
                continue;
            };
            if !HOOKS.contains(&kind) {
                continue;
            }
            if let Some(f) = args.get(1) {
                let fu = syntax::unwrap(*f);
                if syntax::is_function(fu) {
                    file.ctx.add_handler(fu);
                    file.add_request_function(fu);
                }
                let auth = express::authenticates(file, *f);
                hooks.push((c, recv.to_string(), vec![middleware_name(file, *f)], auth));
            }
            continue;
        }
        let (methods, url, opts, handler_arg) = if verb == "route" {
            let Some(o) = args
                .first()
                .map(|a| syntax::unwrap(*a))
                .filter(|o| o.kind() == "object")
            else {
                continue;
            };
            let m = syntax::object_prop(file.src, o, "method").map(|m| {
                let m = syntax::unwrap(m);
                if let Some(s) = syntax::string_value(file.src, m) {
                    vec![s.to_ascii_uppercase()]
                } else {
                    let mut cur = m.walk();
                    m.named_children(&mut cur)
                        .filter_map(|x| {
                            syntax::string_value(file.src, x).map(|s| s.to_ascii_uppercase())
                        })
                        .collect()
                }
            });
            let url = syntax::object_prop(file.src, o, "url")
                .or_else(|| syntax::object_prop(file.src, o, "path"))
                .and_then(|u| syntax::string_value(file.src, u))
                .map(String::from);
            let h = syntax::object_prop(file.src, o, "handler");
            (m.unwrap_or_else(|| vec!["*".into()]), url, Some(o), h)
        } else if VERBS.contains(&verb) {
            let Some(url) = args
                .first()
                .and_then(|a| syntax::string_value(file.src, *a))
            else {
                continue;
            };
            if args.len() < 2 {
                continue;
            }
            let opts = args
                .get(1)
                .map(|a| syntax::unwrap(*a))
                .filter(|o| o.kind() == "object" && args.len() >= 3);
            let opts_h = opts.and_then(|o| syntax::object_prop(file.src, o, "handler"));
            let method = if verb == "all" {
                "*".to_string()
            } else {
                verb.to_ascii_uppercase()
            };
            (
                vec![method],
                Some(url.to_string()),
                opts,
                opts_h.or_else(|| args.last().copied()),
            )
        } else {
            continue;
        };
        let Some(url) = url else { continue };
        let mut middleware = opts.map(|o| hook_names(file, o)).unwrap_or_default();
        let mut wrappers = Vec::new();
        let handler = handler_arg.and_then(|h| file.resolve_handler(h, &mut wrappers));
        middleware.extend(wrappers);
        let handler_name = handler_arg
            .map(syntax::unwrap)
            .filter(|h| matches!(h.kind(), "identifier" | "member_expression"))
            .map(|h| file.text(h).to_string());
        let pattern = format!("{}{}", prefix_of(c), url);
        let mut route = Route {
            framework: "fastify".into(),
            methods,
            pattern,
            handler: handler_name,
            middleware,
            ..Default::default()
        };
        nextjs::mark_public(&mut route);
        routes.push((
            recv.to_string(),
            RouteOut {
                at: c,
                handler,
                route,
            },
        ));
    }
    // Hooks apply to every route of the same instance.
    let mut out = Vec::new();
    for (recv, mut r) in routes {
        let mut names: Vec<String> = hooks
            .iter()
            .filter(|(_, hr, _, _)| *hr == recv)
            .flat_map(|(_, _, n, _)| n.clone())
            .collect();
        names.append(&mut r.route.middleware);
        r.route.middleware = names;
        out.push(r);
    }
    file.emit_routes(out);
    for (order, (n, _, names, auth)) in hooks.into_iter().enumerate() {
        file.push(
            n,
            FactData::Middleware(Middleware {
                framework: "fastify".into(),
                matcher: Vec::new(),
                names,
                authenticates: auth,
                rate_limits: false,
                order: order as u32,
                ..Default::default()
            }),
        );
    }
}
