//! What one Python file declares, read once and shared by the extractors: imports,
//! bindings, applications and routers, database and service clients, and every call.

use std::collections::HashMap;

use tree_sitter::{Node, QueryCursor, StreamingIterator};

use crate::ctx::Ctx;

use super::query;

/// What a binding holds, when it is something the extractors care about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Binding {
    /// `FastAPI(...)` or `APIRouter(...)`.
    FastApi {
        /// True for `APIRouter`.
        router: bool,
    },
    /// `Flask(...)` or `Blueprint(...)`.
    Flask {
        /// True for `Blueprint`.
        blueprint: bool,
    },
    /// A slowapi / flask-limiter `Limiter`.
    Limiter,
    /// A database client or session factory.
    Db {
        /// Library (`supabase`, `sqlalchemy`, `psycopg`...).
        library: &'static str,
        /// Client kind.
        kind: String,
        /// Environment variable of the key, when read from one.
        key_env: Option<String>,
    },
    /// A client of an external service (`OpenAI()`, `Anthropic()`...).
    Service(&'static str),
    /// An auth scheme object (`HTTPBearer()`, `OAuth2PasswordBearer(...)`).
    AuthScheme,
}

/// One call site.
#[derive(Debug, Clone, Copy)]
pub struct Call<'a> {
    /// The `call` node.
    pub node: Node<'a>,
    /// Its callee.
    pub callee: Node<'a>,
    /// Its `argument_list`.
    pub args: Node<'a>,
}

/// The file model.
pub struct PyFile<'a> {
    /// The shared context.
    pub ctx: &'a Ctx<'a>,
    /// Imported names: local name → dotted module path it comes from (`Depends` →
    /// `fastapi.Depends`, `np` → `numpy`).
    pub imports: HashMap<String, String>,
    /// Bindings by name, with their value node: the last module-level one, else the
    /// first one inside a function.
    pub bindings: HashMap<String, (Binding, Node<'a>)>,
    /// Every binding inside a function, by name, in source order (a name such as
    /// `client` often holds different clients in different functions).
    pub local_bindings: HashMap<String, Vec<(Binding, Node<'a>)>>,
    /// Module-level `NAME = <expr>` values (for constants and key variables).
    pub module_values: HashMap<String, Node<'a>>,
    /// Every call, in source order.
    pub calls: Vec<Call<'a>>,
    /// Every function definition, in source order.
    pub functions: Vec<Node<'a>>,
    /// For each of `functions`, the index of the function that encloses it.
    fn_parent: Vec<Option<usize>>,
    /// Decorated functions: (decorated_definition, function_definition).
    pub decorated: Vec<(Node<'a>, Node<'a>)>,
    /// Decorated classes: (decorated_definition, class_definition).
    pub decorated_classes: Vec<(Node<'a>, Node<'a>)>,
    /// Environment reads: (read expression, name string node, accessor).
    pub env_reads: Vec<(Node<'a>, Node<'a>, &'static str)>,
    /// Every assignment (left, right), in source order.
    pub assignments: Vec<(Node<'a>, Node<'a>)>,
}

impl<'a> PyFile<'a> {
    /// Reads the model of one parsed file.
    pub fn new(ctx: &'a Ctx<'a>) -> Option<Self> {
        let q = query::get()?;
        let root = ctx.tree.root_node();
        let src = ctx.src.as_bytes();
        let mut file = PyFile {
            ctx,
            imports: HashMap::new(),
            bindings: HashMap::new(),
            local_bindings: HashMap::new(),
            module_values: HashMap::new(),
            calls: Vec::new(),
            functions: Vec::new(),
            fn_parent: Vec::new(),
            decorated: Vec::new(),
            decorated_classes: Vec::new(),
            assignments: Vec::new(),
            env_reads: Vec::new(),
        };

        let k = q.captures;
        let mut cursor = QueryCursor::new();
        let mut it = cursor.matches(&q.all, root, src);
        while let Some(m) = it.next() {
            let get = |i: u32| m.captures.iter().find(|c| c.index == i).map(|c| c.node);
            if let Some(n) = get(k.import) {
                file.read_import(n);
            } else if let Some(n) = get(k.import_from) {
                file.read_import_from(n);
            } else if let (Some(node), Some(callee), Some(args)) =
                (get(k.call), get(k.callee), get(k.args))
            {
                file.calls.push(Call { node, callee, args });
            } else if let (Some(l), Some(r)) = (get(k.left), get(k.right)) {
                file.assignments.push((l, r));
            } else if let (Some(d), Some(f)) = (get(k.decorated), get(k.decorated_function)) {
                file.decorated.push((d, f));
            } else if let Some(f) = get(k.function) {
                file.functions.push(f);
            } else if let (Some(d), Some(c)) =
                (get(k.decorated_class), get(k.decorated_class_class))
            {
                file.decorated_classes.push((d, c));
            } else if let Some(name) = get(k.env_name) {
                let reads = [
                    (k.subscript_read, "os.environ"),
                    (k.get_read, "os.environ.get"),
                    (k.getenv_read, "os.getenv"),
                ];
                if let Some((node, accessor)) =
                    reads.iter().find_map(|(i, a)| get(*i).map(|n| (n, *a)))
                {
                    file.env_reads.push((node, name, accessor));
                }
            }
        }
        // Imports are read in one pass with everything else; names bound later in the
        // file still resolve because classification happens below.
        file.calls.sort_by_key(|c| c.node.start_byte());
        file.functions.sort_by_key(|f| f.start_byte());
        file.decorated.sort_by_key(|(d, _)| d.start_byte());
        // Nesting of functions, from their (properly nested) byte ranges.
        let mut open: Vec<usize> = Vec::new();
        for (i, f) in file.functions.iter().enumerate() {
            while open
                .last()
                .is_some_and(|&j| file.functions[j].end_byte() < f.end_byte())
            {
                open.pop();
            }
            file.fn_parent.push(open.last().copied());
            open.push(i);
        }
        file.assignments.sort_by_key(|(l, _)| l.start_byte());
        for (l, r) in file.assignments.clone() {
            let name = ctx.text(l).to_string();
            if is_simple_target(l) && file.enclosing_fn(l).is_none() {
                file.module_values.insert(name.clone(), r);
            }
            if is_simple_target(l) {
                if let Some(b) = file.classify(r) {
                    if file.enclosing_fn(l).is_none() {
                        file.bindings.insert(name, (b, r));
                    } else {
                        file.local_bindings
                            .entry(name.clone())
                            .or_default()
                            .push((b.clone(), r));
                        file.bindings.entry(name).or_insert((b, r));
                    }
                }
            }
        }
        // Helper functions that return a client: `def get_supabase(): return create_client(...)`.
        for f in file.functions.clone() {
            if let Some(name) = f.child_by_field_name("name") {
                if let Some(ret) = returned_call(f) {
                    if let Some(b @ Binding::Db { .. }) = file.classify(ret) {
                        file.bindings
                            .entry(format!("{}()", ctx.text(name)))
                            .or_insert((b, ret));
                    }
                }
            }
        }
        Some(file)
    }

    fn read_import(&mut self, n: Node<'a>) {
        let mut c = n.walk();
        for name in n.children_by_field_name("name", &mut c) {
            match name.kind() {
                "dotted_name" => {
                    let t = self.ctx.text(name).to_string();
                    let first = t.split('.').next().unwrap_or("").to_string();
                    self.imports.insert(first.clone(), first);
                }
                "aliased_import" => {
                    let (Some(orig), Some(alias)) = (
                        name.child_by_field_name("name"),
                        name.child_by_field_name("alias"),
                    ) else {
                        continue;
                    };
                    self.imports
                        .insert(self.ctx.text(alias).into(), self.ctx.text(orig).into());
                }
                _ => {}
            }
        }
    }

    fn read_import_from(&mut self, n: Node<'a>) {
        let Some(module) = n.child_by_field_name("module_name") else {
            return;
        };
        let module = self.ctx.text(module).to_string();
        let mut c = n.walk();
        for name in n.children_by_field_name("name", &mut c) {
            let (orig, local) = match name.kind() {
                "aliased_import" => match (
                    name.child_by_field_name("name"),
                    name.child_by_field_name("alias"),
                ) {
                    (Some(o), Some(a)) => (self.ctx.text(o), self.ctx.text(a)),
                    _ => continue,
                },
                _ => (self.ctx.text(name), self.ctx.text(name)),
            };
            // `from . import users` → `.users`, not `..users`.
            let sep = if module.chars().all(|c| c == '.') {
                ""
            } else {
                "."
            };
            self.imports
                .insert(local.to_string(), format!("{module}{sep}{orig}"));
        }
    }

    /// The calls inside `n`, in source order (calls are sorted by start byte).
    pub fn calls_in(&self, n: Node<'_>) -> &[Call<'a>] {
        let (start, end) = (n.start_byte(), n.end_byte());
        let from = self.calls.partition_point(|c| c.node.start_byte() < start);
        let to = self.calls.partition_point(|c| c.node.start_byte() < end);
        &self.calls[from..to.max(from)]
    }

    /// The innermost function definition containing `n` (not `n` itself): like
    /// [`enclosing_function`], without walking up the tree (`Node::parent` walks down
    /// from the root each time).
    pub fn enclosing_fn(&self, n: Node<'a>) -> Option<Node<'a>> {
        let (s, e) = (n.start_byte(), n.end_byte());
        let mut i = self.functions.partition_point(|f| f.start_byte() <= s);
        let mut cur = i.checked_sub(1);
        i = 0;
        while let Some(j) = cur {
            let f = self.functions[j];
            if f.end_byte() >= e && f.id() != n.id() {
                return Some(f);
            }
            cur = self.fn_parent[j];
            i += 1;
            if i > 256 {
                break;
            }
        }
        None
    }

    /// True when the file imports from `module` (or a submodule of it).
    pub fn imports_module(&self, module: &str) -> bool {
        self.imports
            .values()
            .any(|m| m == module || m.starts_with(&format!("{module}.")))
    }

    /// The dotted origin of a local name: `Depends` → `fastapi.Depends`; the name itself
    /// when not imported.
    pub fn origin(&self, name: &str) -> String {
        let (head, rest) = match name.split_once('.') {
            Some((h, r)) => (h, Some(r)),
            None => (name, None),
        };
        match (self.imports.get(head), rest) {
            (Some(m), Some(r)) => format!("{m}.{r}"),
            (Some(m), None) => m.clone(),
            (None, _) => name.to_string(),
        }
    }

    /// What a value expression creates, when it is one of the known constructors.
    pub fn classify(&self, value: Node<'a>) -> Option<Binding> {
        let value = unwrap_await(value);
        if value.kind() != "call" {
            return None;
        }
        let callee = self.ctx.text(value.child_by_field_name("function")?);
        let origin = self.origin(callee);
        let last = callee.rsplit('.').next().unwrap_or(callee);
        let args = value.child_by_field_name("arguments")?;
        Some(match last {
            "FastAPI" => Binding::FastApi { router: false },
            "APIRouter" => Binding::FastApi { router: true },
            "Flask" if origin.starts_with("flask") || self.imports_module("flask") => {
                Binding::Flask { blueprint: false }
            }
            "Blueprint" => Binding::Flask { blueprint: true },
            "Limiter" => Binding::Limiter,
            "create_client" | "acreate_client" | "create_async_client"
                if origin.starts_with("supabase") || callee.starts_with("supabase.") =>
            {
                let key = positional(args, 1).or_else(|| keyword(self.ctx, args, "supabase_key"));
                let key_env = key.and_then(|k| self.env_name(k, 0));
                let mut kind = key_env
                    .as_deref()
                    .and_then(kind_of_key)
                    .unwrap_or("unknown")
                    .to_string();
                if keyword(self.ctx, args, "options").is_some_and(|o| {
                    let t = self.ctx.text(o);
                    t.contains("Authorization") || t.contains("access_token")
                }) {
                    kind = "user".into();
                }
                Binding::Db {
                    library: "supabase",
                    kind,
                    key_env,
                }
            }
            "create_engine"
            | "create_async_engine"
            | "sessionmaker"
            | "async_sessionmaker"
            | "scoped_session"
            | "Session"
            | "AsyncSession"
                if origin.starts_with("sqlalchemy") || self.imports_module("sqlalchemy") =>
            {
                let key_env = positional(args, 0).and_then(|k| self.env_name(k, 0));
                Binding::Db {
                    library: "sqlalchemy",
                    kind: "server".into(),
                    key_env,
                }
            }
            "SQLAlchemy" if origin.starts_with("flask_sqlalchemy") => Binding::Db {
                library: "sqlalchemy",
                kind: "server".into(),
                key_env: None,
            },
            "connect" | "create_pool" | "ConnectionPool" | "AsyncConnectionPool"
                if ["psycopg2", "psycopg", "asyncpg", "psycopg_pool"]
                    .iter()
                    .any(|m| origin.starts_with(m)) =>
            {
                let key_env = positional(args, 0).and_then(|k| self.env_name(k, 0));
                Binding::Db {
                    library: if origin.starts_with("asyncpg") {
                        "asyncpg"
                    } else {
                        "psycopg"
                    },
                    kind: "server".into(),
                    key_env,
                }
            }
            "OpenAI" | "AsyncOpenAI" | "AzureOpenAI" | "AsyncAzureOpenAI" => {
                Binding::Service("openai")
            }
            "Anthropic" | "AsyncAnthropic" | "AnthropicBedrock" | "AnthropicVertex" => {
                Binding::Service("anthropic")
            }
            "Groq" | "AsyncGroq" => Binding::Service("groq"),
            "GenerativeModel" => Binding::Service("google-ai"),
            "Client" if origin.starts_with("google.genai") || callee == "genai.Client" => {
                Binding::Service("google-ai")
            }
            "Mistral" | "MistralClient" => Binding::Service("mistral"),
            "Client" | "ClientV2" if origin.starts_with("cohere") => Binding::Service("cohere"),
            "Client" if origin.starts_with("twilio") => Binding::Service("twilio"),
            "Client" if origin.starts_with("replicate") => Binding::Service("replicate"),
            "SendGridAPIClient" => Binding::Service("sendgrid"),
            "HTTPBearer"
            | "OAuth2PasswordBearer"
            | "OAuth2AuthorizationCodeBearer"
            | "APIKeyHeader"
            | "APIKeyCookie"
            | "APIKeyQuery"
            | "HTTPBasic" => Binding::AuthScheme,
            _ => return None,
        })
    }

    /// The environment variable an expression reads, following module constants and
    /// `os.environ[...]`, `os.getenv(...)`, `os.environ.get(...)`, `settings.X`.
    pub fn env_name(&self, n: Node<'a>, depth: u32) -> Option<String> {
        if depth > 3 {
            return None;
        }
        match n.kind() {
            "subscript" => {
                let v = self.ctx.text(n.child_by_field_name("value")?);
                if v == "os.environ" || v == "environ" {
                    return string_value(self.ctx, n.child_by_field_name("subscript")?);
                }
                None
            }
            "call" => {
                let callee = self.ctx.text(n.child_by_field_name("function")?);
                if matches!(
                    callee,
                    "os.getenv" | "getenv" | "os.environ.get" | "environ.get"
                ) {
                    let a = positional(n.child_by_field_name("arguments")?, 0)?;
                    return string_value(self.ctx, a);
                }
                None
            }
            "identifier" => {
                let name = self.ctx.text(n);
                if let Some(v) = self.module_values.get(name) {
                    return self.env_name(*v, depth + 1);
                }
                // A bare constant named like the variable it usually holds.
                (name
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c == '_' || c.is_ascii_digit())
                    && name.contains("KEY"))
                .then(|| name.to_string())
            }
            "attribute" => {
                // `settings.SUPABASE_SERVICE_ROLE_KEY`
                let attr = self.ctx.text(n.child_by_field_name("attribute")?);
                (attr.to_ascii_uppercase().contains("KEY")).then(|| attr.to_ascii_uppercase())
            }
            "boolean_operator" => self.env_name(n.child_by_field_name("left")?, depth + 1),
            _ => None,
        }
    }

    /// The binding a receiver expression names (`supabase`, `self.client`, `get_db()`).
    pub fn binding_of(&self, receiver: Node<'a>) -> Option<&Binding> {
        let t = self.ctx.text(receiver);
        // The last binding of the name earlier in the same function.
        if let Some(locals) = self.local_bindings.get(t) {
            let func = self.enclosing_fn(receiver).map(|f| f.id());
            let found = locals.iter().rev().find(|(_, v)| {
                v.start_byte() < receiver.start_byte()
                    && self.enclosing_fn(*v).map(|f| f.id()) == func
            });
            if let Some((b, _)) = found {
                return Some(b);
            }
        }
        if let Some((b, v)) = self.bindings.get(t) {
            // A binding local to another function does not reach here.
            let local_elsewhere = self
                .enclosing_fn(*v)
                .is_some_and(|f| !f.byte_range().contains(&receiver.start_byte()));
            if !local_elsewhere {
                return Some(b);
            }
        }
        if receiver.kind() == "attribute" {
            let attr = self.ctx.text(receiver.child_by_field_name("attribute")?);
            if let Some((b, _)) = self.bindings.get(attr) {
                return Some(b);
            }
            let self_attr = format!("self.{attr}");
            if let Some((b, _)) = self.bindings.get(&self_attr) {
                return Some(b);
            }
        }
        if receiver.kind() == "call" {
            let callee = self.ctx.text(receiver.child_by_field_name("function")?);
            if let Some((b, _)) = self.bindings.get(&format!("{callee}()")) {
                return Some(b);
            }
        }
        None
    }
}

/// Client kind implied by the name of the environment variable holding a key.
pub fn kind_of_key(env: &str) -> Option<&'static str> {
    let u = env.to_ascii_uppercase();
    if u.contains("SERVICE") || u.contains("SECRET") || u.contains("ADMIN") {
        Some("service_role")
    } else if u.contains("ANON") || u.contains("PUBLISHABLE") || u.contains("PUBLIC") {
        Some("anon")
    } else {
        None
    }
}

/// `x = ...`, `self.x = ...` and `x: T = ...` targets.
fn is_simple_target(n: Node<'_>) -> bool {
    match n.kind() {
        "identifier" => true,
        "attribute" => n
            .child_by_field_name("object")
            .is_some_and(|o| o.kind() == "identifier"),
        _ => false,
    }
}

/// The call a function returns directly, when its body is `return f(...)` (possibly
/// after other statements).
fn returned_call(f: Node<'_>) -> Option<Node<'_>> {
    let body = f.child_by_field_name("body")?;
    let mut c = body.walk();
    let found = body.named_children(&mut c).find_map(|s| {
        (s.kind() == "return_statement")
            .then(|| s.named_child(0))
            .flatten()
            .map(unwrap_await)
            .filter(|v| v.kind() == "call")
    });
    found
}

/// Strips `await`.
pub fn unwrap_await(n: Node<'_>) -> Node<'_> {
    if n.kind() == "await" {
        if let Some(inner) = n.named_child(0) {
            return inner;
        }
    }
    n
}

/// The innermost function definition containing `n` (not `n` itself).
pub fn enclosing_function(n: Node<'_>) -> Option<Node<'_>> {
    let mut cur = n.parent();
    while let Some(p) = cur {
        if p.kind() == "function_definition" {
            return Some(p);
        }
        cur = p.parent();
    }
    None
}

/// Splits a call `obj.method(args)` into its object node, method name and argument list;
/// None for any other expression (plain calls, bare names, subscripts...).
pub fn method_call<'a, 'c>(ctx: &Ctx<'c>, expr: Node<'a>) -> Option<(Node<'a>, &'c str, Node<'a>)> {
    if expr.kind() != "call" {
        return None;
    }
    let callee = expr.child_by_field_name("function")?;
    if callee.kind() != "attribute" {
        return None;
    }
    let obj = callee.child_by_field_name("object")?;
    let method = ctx.text(callee.child_by_field_name("attribute")?);
    let args = expr.child_by_field_name("arguments")?;
    Some((obj, method, args))
}

/// The `i`-th positional argument of an `argument_list`.
pub fn positional(args: Node<'_>, i: usize) -> Option<Node<'_>> {
    let mut c = args.walk();
    let found = args
        .named_children(&mut c)
        .filter(|a| {
            !matches!(
                a.kind(),
                "keyword_argument"
                    | "comment"
                    | "list_splat"
                    | "dictionary_splat"
                    | "parenthesized_list_splat"
            )
        })
        .nth(i);
    found
}

/// The value of keyword argument `name`.
pub fn keyword<'a>(ctx: &Ctx<'_>, args: Node<'a>, name: &str) -> Option<Node<'a>> {
    let mut c = args.walk();
    let found = args.named_children(&mut c).find_map(|a| {
        (a.kind() == "keyword_argument"
            && a.child_by_field_name("name")
                .is_some_and(|n| ctx.text(n) == name))
        .then(|| a.child_by_field_name("value"))
        .flatten()
    });
    found
}

/// The value of a plain string literal (no interpolation), without quotes and prefix.
pub fn string_value(ctx: &Ctx<'_>, n: Node<'_>) -> Option<String> {
    if n.kind() != "string" {
        return None;
    }
    let mut c = n.walk();
    let mut out = String::new();
    for ch in n.named_children(&mut c) {
        match ch.kind() {
            "string_content" | "escape_sequence" => out.push_str(ctx.text(ch)),
            "interpolation" => return None,
            _ => {}
        }
    }
    Some(out)
}

/// String values of a literal list/tuple/set (or a single string).
pub fn string_list(ctx: &Ctx<'_>, n: Node<'_>) -> Vec<String> {
    if let Some(s) = string_value(ctx, n) {
        return vec![s];
    }
    if !matches!(n.kind(), "list" | "tuple" | "set") {
        return Vec::new();
    }
    let mut c = n.walk();
    let items: Vec<String> = n
        .named_children(&mut c)
        .filter_map(|i| string_value(ctx, i))
        .collect();
    items
}

/// Last segment of a dotted name.
pub fn last_segment(s: &str) -> &str {
    s.rsplit('.').next().unwrap_or(s)
}

/// True when a block stops the function on its path: `raise`, `return`, `abort(...)`,
/// `redirect(...)`, `HTTPException`.
pub fn stops(ctx: &Ctx<'_>, block: Node<'_>) -> bool {
    let mut stack = vec![block];
    while let Some(n) = stack.pop() {
        match n.kind() {
            "raise_statement" | "return_statement" => return true,
            "call" => {
                let callee = n
                    .child_by_field_name("function")
                    .map(|f| ctx.text(f))
                    .unwrap_or("");
                if matches!(last_segment(callee), "abort" | "redirect" | "exit") {
                    return true;
                }
            }
            "function_definition" | "class_definition" => continue,
            _ => {}
        }
        let mut c = n.walk();
        stack.extend(n.named_children(&mut c));
    }
    false
}

/// For a node inside an `if` condition, the `if` statement when a failed check stops the
/// handler: the consequence stops (for negative checks) or the alternative does.
pub fn guarded_if<'a>(ctx: &Ctx<'_>, n: Node<'a>) -> Option<(Node<'a>, bool)> {
    let mut cur = n;
    while let Some(p) = cur.parent() {
        match p.kind() {
            "if_statement" | "elif_clause" => {
                let cond = p.child_by_field_name("condition")?;
                if cond.byte_range().contains(&n.start_byte()) {
                    let cons = p.child_by_field_name("consequence");
                    let stops_cons = cons.is_some_and(|b| stops(ctx, b));
                    let alt = p.child_by_field_name("alternative");
                    let stops_alt = alt.is_some_and(|b| stops(ctx, b));
                    return Some((p, stops_cons || stops_alt));
                }
                return None;
            }
            "function_definition" | "block" | "module" => return None,
            _ => cur = p,
        }
    }
    None
}
