//! Where a value comes from, within one function: request input, the authenticated
//! user, the database, the environment, a literal.
//!
//! Bindings are followed through simple same-function declarations and destructuring
//! (`const { id } = params`, `const body = await req.json()`, `{ params }: { params:
//! { id: string } }`, `await params`). Conversions (`Number(x)`, `parseInt`, `String`,
//! zod `schema.parse(x)`) keep the provenance of their argument: a converted id is still
//! chosen by the caller.

use lm_core::fact::Provenance;
use tree_sitter::Node;

use super::model::JsFile;
use super::syntax;

/// Names that hold request data when they are not bound otherwise in the function.
const REQUEST_NAMES: &[&str] = &[
    "req",
    "request",
    "params",
    "searchParams",
    "query",
    "body",
    "formData",
    "headers",
    "cookies",
    "input",
    "payload",
];

/// Identifiers and member properties that read a request.
const REQUEST_MEMBERS: &[&str] = &[
    "params",
    "query",
    "body",
    "searchParams",
    "headers",
    "cookies",
    "nextUrl",
    "url",
];

/// Methods that read data out of a request object.
const REQUEST_READERS: &[&str] = &[
    "json",
    "formData",
    "text",
    "get",
    "getAll",
    "param",
    "param",
    "valid",
    "header",
    "arrayBuffer",
    "blob",
    "parseBody",
];

/// Conversions that keep their argument's provenance.
const CONVERSIONS: &[&str] = &[
    "Number",
    "parseInt",
    "parseFloat",
    "String",
    "BigInt",
    "decodeURIComponent",
    "parse",
    "safeParse",
    "parseAsync",
    "trim",
    "toString",
    "toLowerCase",
    "toUpperCase",
    "Boolean",
    "validate",
];

/// Calls that yield the authenticated user without being checks themselves.
const USER_SOURCES: &[&str] = &["auth", "useAuth", "useUser", "useSession", "currentUser"];

/// Provenance of the value of `n`.
pub fn of(file: &JsFile<'_>, n: Node<'_>) -> Provenance {
    classify(file, n, 0)
}

fn merge(a: Provenance, b: Provenance) -> Provenance {
    use Provenance::*;
    for p in [Request, User, Database, Env, Unknown] {
        if a == p || b == p {
            return p;
        }
    }
    Literal
}

fn classify(file: &JsFile<'_>, n: Node<'_>, depth: u32) -> Provenance {
    if depth > 8 {
        return Provenance::Unknown;
    }
    let n = syntax::unwrap(n);
    match n.kind() {
        "string" | "number" | "true" | "false" | "null" | "undefined" | "regex" => {
            Provenance::Literal
        }
        "template_string" => {
            let mut p = Provenance::Literal;
            let mut cur = n.walk();
            for c in n.named_children(&mut cur) {
                if c.kind() == "template_substitution" {
                    if let Some(e) = c.named_child(0) {
                        p = merge(p, classify(file, e, depth + 1));
                    }
                }
            }
            p
        }
        "binary_expression" => {
            let op = n
                .child_by_field_name("operator")
                .map(|o| file.text(o))
                .unwrap_or("");
            let l = n
                .child_by_field_name("left")
                .map(|x| classify(file, x, depth + 1))
                .unwrap_or(Provenance::Unknown);
            if matches!(op, "??" | "||") {
                // `params.id ?? 'default'`
                return l;
            }
            let r = n
                .child_by_field_name("right")
                .map(|x| classify(file, x, depth + 1))
                .unwrap_or(Provenance::Unknown);
            merge(l, r)
        }
        "identifier" | "shorthand_property_identifier" => identifier(file, n, depth),
        "member_expression" | "subscript_expression" => member(file, n, depth),
        "call_expression" => call(file, n, depth),
        "new_expression" => {
            // `new URL(req.url)`, `new URLSearchParams(await req.text())`
            let ctor = n
                .child_by_field_name("constructor")
                .map(|c| file.text(c))
                .unwrap_or("");
            match (ctor, syntax::arg(n, 0)) {
                ("URL" | "URLSearchParams" | "Request" | "Headers", Some(a)) => {
                    classify(file, a, depth + 1)
                }
                _ => Provenance::Unknown,
            }
        }
        "array" => {
            let mut p = Provenance::Literal;
            let mut cur = n.walk();
            for c in n.named_children(&mut cur) {
                p = merge(p, classify(file, c, depth + 1));
            }
            p
        }
        "ternary_expression" => {
            let a = n
                .child_by_field_name("consequence")
                .map(|x| classify(file, x, depth + 1))
                .unwrap_or(Provenance::Unknown);
            let b = n
                .child_by_field_name("alternative")
                .map(|x| classify(file, x, depth + 1))
                .unwrap_or(Provenance::Unknown);
            merge(a, b)
        }
        _ => Provenance::Unknown,
    }
}

/// True when `name` is recorded as the authenticated user's variable at `n`.
pub fn is_user_var(file: &JsFile<'_>, name: &str, n: Node<'_>) -> bool {
    let at = n.start_byte();
    file.user_vars
        .iter()
        .any(|u| u.name == name && u.scope.start <= at && at <= u.scope.end)
}

fn identifier(file: &JsFile<'_>, n: Node<'_>, depth: u32) -> Provenance {
    let name = file.text(n);
    if is_user_var(file, name, n) {
        return Provenance::User;
    }
    match binding(file, name, n) {
        Some(Binding::Value(v)) => classify(file, v, depth + 1),
        Some(Binding::Param(f)) => {
            let r = f.byte_range();
            if matches!(
                name,
                "user" | "session" | "currentUser" | "authUser" | "userId" | "claims"
            ) {
                // `withAuth(async (req, user) => ...)`: wrappers pass the checked user.
                return Provenance::User;
            }
            if file.in_action(f)
                || file
                    .handlers
                    .iter()
                    .any(|h| h.start == r.start && h.end == r.end)
            {
                Provenance::Request
            } else if REQUEST_NAMES.contains(&name) || name == "ctx" || name == "c" {
                // Parameters named like request objects in helper functions.
                if name == "ctx" || name == "c" {
                    Provenance::Unknown
                } else {
                    Provenance::Request
                }
            } else {
                Provenance::Unknown
            }
        }
        Some(Binding::Env) => Provenance::Env,
        None => {
            if REQUEST_NAMES.contains(&name) {
                Provenance::Request
            } else {
                Provenance::Unknown
            }
        }
    }
}

fn member(file: &JsFile<'_>, n: Node<'_>, depth: u32) -> Provenance {
    let text = file.text(n);
    if text.starts_with("process.env") || text.starts_with("import.meta.env") {
        return Provenance::Env;
    }
    // user.id, session.user.id, ctx.session.user.id, locals.user.id
    let compact: String = text
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '?')
        .collect();
    let root = syntax::root_of(n);
    let root_name = file.text(root);
    if root.kind() == "identifier" && is_user_var(file, root_name, n) {
        return Provenance::User;
    }
    // c.req.param('id'), ctx.params.id, event.queryStringParameters
    if let Some(obj) = n.child_by_field_name("object") {
        let prop = n
            .child_by_field_name("property")
            .map(|p| file.text(p))
            .unwrap_or("");
        let obj_u = syntax::unwrap(obj);
        if REQUEST_MEMBERS.contains(&prop) {
            let objp = classify(file, obj_u, depth + 1);
            if objp == Provenance::Request
                || matches!(
                    file.text(obj_u),
                    "req" | "request" | "c.req" | "ctx.request" | "ctx"
                )
            {
                return Provenance::Request;
            }
        }
        if user_path(&compact) {
            // `req.user.id` / `req.auth.userId` / `res.locals.user` are set by auth
            // middleware; `body.user.id` parsed from the request is not.
            let segs: Vec<&str> = compact.split('.').collect();
            let server_set = segs.len() >= 2
                && matches!(segs[0], "req" | "request" | "ctx" | "res" | "event" | "c")
                && matches!(segs[1], "user" | "auth" | "session" | "locals");
            if server_set || classify(file, obj_u, depth + 1) != Provenance::Request {
                return Provenance::User;
            }
        }
        return classify(file, obj_u, depth + 1);
    }
    Provenance::Unknown
}

/// `user.id`, `session.user.id`, `ctx.session.user.id`, `auth().userId`...
fn user_path(compact: &str) -> bool {
    let segs: Vec<&str> = compact.split('.').collect();
    segs.windows(2).any(|w| {
        matches!(
            w[0],
            "user" | "currentUser" | "authUser" | "session" | "claims" | "auth"
        ) && matches!(
            w[1],
            "id" | "sub" | "email" | "userId" | "user_id" | "user" | "_id" | "uid"
        )
    }) || segs.last().is_some_and(|l| *l == "userId") && segs.iter().any(|s| s.contains("auth"))
}

fn call(file: &JsFile<'_>, n: Node<'_>, depth: u32) -> Provenance {
    let Some(callee) = syntax::callee(n) else {
        return Provenance::Unknown;
    };
    let last = syntax::last_name(file.src, callee);
    if callee.kind() == "identifier" && USER_SOURCES.contains(&last) {
        return Provenance::User;
    }
    if callee.kind() == "identifier"
        && matches!(
            last,
            "useParams" | "useSearchParams" | "useLocalSearchParams" | "useRouter" | "useLocation"
        )
    {
        // Browser URL state: whoever opens the page chooses it.
        return Provenance::Request;
    }
    if matches!(last, "get" | "var")
        && matches!(file.text(callee), "c.get" | "ctx.get" | "c.var")
        && syntax::arg(n, 0)
            .and_then(|a| syntax::string_value(file.src, a))
            .is_some_and(|k| matches!(k, "user" | "jwtPayload" | "session" | "userId" | "auth"))
    {
        // Hono context variables set by auth middleware.
        return Provenance::User;
    }
    if callee.kind() == "identifier" && last.to_ascii_lowercase().contains("user") {
        // `getUserId(authId)`: a lookup keyed by the authenticated user stays theirs.
        let args = syntax::args(n);
        if !args.is_empty()
            && args
                .iter()
                .any(|a| classify(file, *a, depth + 1) == Provenance::User)
        {
            return Provenance::User;
        }
    }
    if CONVERSIONS.contains(&last) {
        if let Some(a) = syntax::arg(n, 0) {
            return classify(file, a, depth + 1);
        }
        if let Some(o) = syntax::callee_object(n) {
            return classify(file, o, depth + 1);
        }
    }
    if callee.kind() == "member_expression" {
        let obj = callee.child_by_field_name("object");
        if let Some(obj) = obj {
            let objp = classify(file, obj, depth + 1);
            if REQUEST_READERS.contains(&last) && objp == Provenance::Request {
                return Provenance::Request;
            }
            if objp == Provenance::Request && last == "then" {
                return Provenance::Request;
            }
            // Database reads: supabase chains, prisma model calls.
            let t = syntax::callee_text(file.src, callee);
            if t.contains(".from().")
                || super::db::is_prisma_method(last) && t.matches('.').count() >= 2
            {
                return Provenance::Database;
            }
        }
    }
    Provenance::Unknown
}

/// What a name is bound to at a point.
pub enum Binding<'t> {
    /// A declarator's value (the whole value, even for destructuring).
    Value(Node<'t>),
    /// A parameter of this function.
    Param(Node<'t>),
    /// A destructuring of `process.env`.
    Env,
}

/// Finds the binding of `name` visible at `at`: declarations before it in enclosing
/// blocks, then parameters of enclosing functions, then module-level declarations.
pub fn binding<'t>(file: &JsFile<'t>, name: &str, at: Node<'t>) -> Option<Binding<'t>> {
    let mut cur = at.parent();
    let mut child = at;
    while let Some(p) = cur {
        match p.kind() {
            "statement_block" | "program" | "switch_case" | "class_body" => {
                let mut c = p.walk();
                for s in p.named_children(&mut c) {
                    if s.start_byte() >= child.start_byte() && p.kind() != "program" {
                        break;
                    }
                    if let Some(b) = declared_in(file, s, name) {
                        return Some(b);
                    }
                }
            }
            "for_in_statement"
                if p.child_by_field_name("left")
                    .is_some_and(|l| syntax::pattern_binds(file.src, l, name)) =>
            {
                return p.child_by_field_name("right").map(Binding::Value);
            }
            "catch_clause"
                if p.child_by_field_name("parameter")
                    .is_some_and(|l| syntax::pattern_binds(file.src, l, name)) =>
            {
                return None;
            }
            _ => {}
        }
        if syntax::is_function(p) {
            for param in syntax::params(p) {
                if syntax::pattern_binds(file.src, param, name) {
                    return Some(Binding::Param(p));
                }
            }
        }
        child = p;
        cur = p.parent();
    }
    None
}

fn declared_in<'t>(file: &JsFile<'t>, stmt: Node<'t>, name: &str) -> Option<Binding<'t>> {
    let decl = match stmt.kind() {
        "lexical_declaration" | "variable_declaration" => stmt,
        "export_statement" => stmt.child_by_field_name("declaration")?,
        _ => return None,
    };
    if !matches!(decl.kind(), "lexical_declaration" | "variable_declaration") {
        return None;
    }
    let mut c = decl.walk();
    for d in decl.named_children(&mut c) {
        if d.kind() != "variable_declarator" {
            continue;
        }
        let Some(pat) = d.child_by_field_name("name") else {
            continue;
        };
        if syntax::pattern_binds(file.src, pat, name) {
            let v = d.child_by_field_name("value")?;
            if pat.kind() == "object_pattern" && file.text(syntax::unwrap(v)) == "process.env" {
                return Some(Binding::Env);
            }
            // `const { data: project } = await supabase.from(...)`: the data is the row.
            return Some(Binding::Value(v));
        }
    }
    None
}

/// The value a name is bound to at `at`, when it is a plain declaration.
pub fn value_of<'t>(file: &JsFile<'t>, name: &str, at: Node<'t>) -> Option<Node<'t>> {
    match binding(file, name, at)? {
        Binding::Value(v) => Some(v),
        _ => None,
    }
}
