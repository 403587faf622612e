//! Supabase Edge Functions: `Deno.serve(handler)` / `serve(handler)` (std/http) in
//! `supabase/functions/<name>/`, served at `/functions/v1/<name>`. `verify_jwt` comes
//! from `supabase/config.toml` (an `edge_function_config` fact) and is left unset here.

use lm_core::fact::Route;

use super::model::{JsFile, RouteOut};
use super::{nextjs, syntax};

/// The function name of a path under `supabase/functions/` (None for `_shared` and
/// other underscore folders).
pub fn function_name(path: &str) -> Option<&str> {
    let idx = path.find("supabase/functions/")?;
    let rest = &path[idx + "supabase/functions/".len()..];
    let (name, file) = rest.split_once('/')?;
    if name.starts_with('_') || name.starts_with('.') || file.contains("test") {
        return None;
    }
    Some(name)
}

/// Runs the edge-function extractor.
pub fn extract(file: &mut JsFile<'_>) {
    let Some(name) = function_name(file.path) else {
        return;
    };
    let name = name.to_string();
    let mut routes = Vec::new();
    for c in file.calls.clone() {
        let Some(callee) = syntax::callee(c) else {
            continue;
        };
        let text = file.text(callee);
        let ok = text == "Deno.serve"
            || text == "serve"
                && (file.import_of("serve").is_some() || !file.src.contains("function serve"));
        if !ok {
            continue;
        }
        let args = syntax::args(c);
        let Some(last) = args.last() else { continue };
        let mut wrappers = Vec::new();
        let handler = file.resolve_handler(*last, &mut wrappers);
        let lu = syntax::unwrap(*last);
        let handler_name = match lu.kind() {
            "identifier" | "member_expression" => Some(file.text(lu).to_string()),
            _ => None,
        };
        let methods = handler
            .map(|h| nextjs::request_methods(file, h))
            .filter(|m| !m.is_empty())
            .unwrap_or_else(|| vec!["*".into()]);
        let mut route = Route {
            framework: "supabase-edge".into(),
            methods,
            pattern: format!("/functions/v1/{name}"),
            handler: handler_name,
            middleware: wrappers,
            ..Default::default()
        };
        nextjs::mark_public(&mut route);
        routes.push(RouteOut {
            at: c,
            handler,
            route,
        });
    }
    file.emit_routes(routes);
}
