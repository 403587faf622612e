//! Where a Python value comes from, within its function: request data (Flask `request`,
//! FastAPI path/query/body parameters and `Request`), the authenticated user
//! (`current_user`, auth dependencies, `get_jwt_identity()`, variables bound from auth
//! calls), literals, or unknown. Follows local assignments, subscripts, attributes,
//! `.get(...)` and conversions (`int(x)`, `UUID(x)`).

use lm_core::fact::Provenance;
use tree_sitter::Node;

use super::auth::yields_user;
use super::model::{last_segment, PyFile};
use super::{handler_of, Handlers};

/// The provenance of expression `n`.
pub fn of(file: &PyFile<'_>, handlers: &Handlers, n: Node<'_>) -> Provenance {
    resolve(file, handlers, n, 0)
}

fn resolve(file: &PyFile<'_>, handlers: &Handlers, n: Node<'_>, depth: u32) -> Provenance {
    if depth > 8 {
        return Provenance::Unknown;
    }
    let ctx = file.ctx;
    match n.kind() {
        "string" => {
            let mut c = n.walk();
            let interp: Vec<Node<'_>> = n
                .named_children(&mut c)
                .filter(|ch| ch.kind() == "interpolation")
                .collect();
            if interp.is_empty() {
                return Provenance::Literal;
            }
            combine(
                interp
                    .into_iter()
                    .filter_map(|i| i.named_child(0))
                    .map(|e| resolve(file, handlers, e, depth + 1)),
            )
        }
        "integer" | "float" | "true" | "false" | "none" | "concatenated_string" => {
            Provenance::Literal
        }
        "await" | "parenthesized_expression" => n
            .named_child(0)
            .map(|e| resolve(file, handlers, e, depth + 1))
            .unwrap_or(Provenance::Unknown),
        "boolean_operator" => n
            .child_by_field_name("left")
            .map(|e| resolve(file, handlers, e, depth + 1))
            .unwrap_or(Provenance::Unknown),
        "identifier" => identifier(file, handlers, n, depth),
        // Flask's signed session holds what the server put there at sign-in.
        "call" | "subscript" if super::auth::session_key(file, n).is_some() => Provenance::User,
        "attribute" => {
            let obj = n.child_by_field_name("object");
            let text = ctx.text(n);
            if text.starts_with("g.user") || text.starts_with("g.current_user") {
                return Provenance::User;
            }
            // Flask-RESTX `api.payload` / `ns.payload`.
            if text.ends_with(".payload")
                && (file.imports_module("flask_restx") || file.imports_module("flask_restplus"))
            {
                return Provenance::Request;
            }
            obj.map(|o| resolve(file, handlers, o, depth + 1))
                .unwrap_or(Provenance::Unknown)
        }
        "subscript" => n
            .child_by_field_name("value")
            .map(|o| resolve(file, handlers, o, depth + 1))
            .unwrap_or(Provenance::Unknown),
        "call" => {
            let Some(callee) = n.child_by_field_name("function") else {
                return Provenance::Unknown;
            };
            let ct = ctx.text(callee);
            if yields_user(ct) {
                return Provenance::User;
            }
            // Flask-RESTful `parser.parse_args()`, Flask-WTF/webargs style parsers.
            if matches!(
                last_segment(ct),
                "parse_args" | "get_json" | "validate_json"
            ) {
                return Provenance::Request;
            }
            let first_arg = n
                .child_by_field_name("arguments")
                .and_then(|a| a.named_child(0));
            if matches!(
                last_segment(ct),
                "int" | "str" | "UUID" | "float" | "uuid4" | "ObjectId" | "escape" | "strip"
            ) && callee.kind() == "identifier"
                || ct == "uuid.UUID"
            {
                return first_arg
                    .map(|a| resolve(file, handlers, a, depth + 1))
                    .unwrap_or(Provenance::Unknown);
            }
            if callee.kind() == "attribute" {
                // `request.args.get("id")`, `data.get("id")`, `request.get_json()`.
                if let Some(obj) = callee.child_by_field_name("object") {
                    let p = resolve(file, handlers, obj, depth + 1);
                    if matches!(p, Provenance::Request | Provenance::User) {
                        return p;
                    }
                }
            }
            Provenance::Unknown
        }
        _ => Provenance::Unknown,
    }
}

fn combine(it: impl Iterator<Item = Provenance>) -> Provenance {
    let mut best = Provenance::Literal;
    for p in it {
        best = match (best, p) {
            (_, Provenance::Request) | (Provenance::Request, _) => Provenance::Request,
            (_, Provenance::Unknown) | (Provenance::Unknown, _) => Provenance::Unknown,
            (_, Provenance::User) | (Provenance::User, _) => Provenance::User,
            (b, _) => b,
        };
    }
    best
}

fn identifier(file: &PyFile<'_>, handlers: &Handlers, n: Node<'_>, depth: u32) -> Provenance {
    let ctx = file.ctx;
    let name = ctx.text(n);
    if name == "request" && (file.imports_module("flask") || file.imports.contains_key("request")) {
        return Provenance::Request;
    }
    if name == "current_user" {
        return Provenance::User;
    }
    if let Some(h) = handler_of(handlers, n) {
        if h.user_params.iter().any(|p| p == name) {
            return Provenance::User;
        }
        if h.request_params.iter().any(|p| p == name) && !assigned_before(file, n, name) {
            return Provenance::Request;
        }
    }
    // The last assignment to `name` before `n` in the same function.
    let func = file.enclosing_fn(n);
    let found = file.assignments.iter().rev().find(|(l, _)| {
        l.start_byte() < n.start_byte()
            && l.kind() == "identifier"
            && ctx.text(*l) == name
            && file.enclosing_fn(*l).map(|f| f.id()) == func.map(|f| f.id())
    });
    if let Some((_, r)) = found {
        return resolve(file, handlers, *r, depth + 1);
    }
    if let Some(v) = file.module_values.get(name) {
        return resolve(file, handlers, *v, depth + 1);
    }
    Provenance::Unknown
}

fn assigned_before(file: &PyFile<'_>, n: Node<'_>, name: &str) -> bool {
    let func = file.enclosing_fn(n);
    file.assignments.iter().any(|(l, _)| {
        l.start_byte() < n.start_byte()
            && l.kind() == "identifier"
            && file.ctx.text(*l) == name
            && file.enclosing_fn(*l).map(|f| f.id()) == func.map(|f| f.id())
    })
}
