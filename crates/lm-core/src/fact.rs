//! `fact` records: what `lm-parse` learned about the code.
//!
//! A fact is a flat object: the common location fields of [`Fact`] plus the fields of one
//! [`FactData`] variant, selected by `kind`. Every fact kind is documented in
//! `docs/records.md`. New optional fields may be added to a kind (minor schema version);
//! consumers must ignore fields they do not know.
//!
//! Facts inside a function carry a `scope`: the id of the outermost enclosing function
//! (`L<start>-L<end>`, 1-based lines of that function). A `route` names its handler's
//! scope in `handler_scope`, so consumers group facts by `(path, scope)` to see what one
//! handler does, without parsing again.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A `fact` record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Fact {
    /// Path relative to the scanned root, `/`-separated.
    pub path: String,
    /// Base64 of the path's exact bytes, when the name is not valid UTF-8.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path_bytes: Option<String>,
    /// 1-based first line.
    pub line: u64,
    /// 1-based last line.
    pub end_line: u64,
    /// 1-based column of the first character.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<u64>,
    /// Outermost enclosing function, `L<start>-L<end>`; absent at module level.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// The kind-specific payload (`kind` tag plus its fields).
    #[serde(flatten)]
    pub data: FactData,
}

impl Fact {
    /// The `kind` tag of this fact.
    pub fn kind(&self) -> &'static str {
        self.data.kind()
    }
}

/// Builds the scope id of a function spanning lines `start..=end` (1-based).
pub fn scope_id(start: u64, end: u64) -> String {
    format!("L{start}-L{end}")
}

/// The kind-specific part of a fact.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FactData {
    /// An HTTP route, server action or edge function entry point.
    Route(Route),
    /// A middleware that runs before routes (Next.js `middleware.ts`, Express `app.use`).
    Middleware(Middleware),
    /// A function definition (lets consumers follow same-file helpers).
    Function(Function),
    /// A call or guard that authenticates the caller.
    AuthCheck(AuthCheck),
    /// A role or permission check.
    RoleCheck(RoleCheck),
    /// A database client being created.
    DbClient(DbClient),
    /// A database read or write.
    DbAccess(DbAccess),
    /// A request-derived value.
    Input(Input),
    /// An environment variable read.
    EnvRead(EnvRead),
    /// A dangerous sink (HTML, SQL, log, redirect, outgoing fetch...).
    Sink(Sink),
    /// Webhook handling in a handler.
    Webhook(Webhook),
    /// A privileged call to an external service (email, payments, paid AI APIs).
    ExternalCall(ExternalCall),
    /// A rate limit applied on a path.
    RateLimit(RateLimit),
    /// CORS configuration.
    Cors(Cors),
    /// Per-function configuration (`supabase/config.toml` `[functions.NAME]`).
    EdgeFunctionConfig(EdgeFunctionConfig),
    /// `create table`.
    SqlTable(SqlTable),
    /// `alter table ... enable/disable/force row level security`.
    SqlRls(SqlRls),
    /// `create/alter/drop policy`.
    SqlPolicy(SqlPolicy),
    /// `create view`.
    SqlView(SqlView),
    /// `create function`.
    SqlFunction(SqlFunction),
    /// `grant` / `revoke`.
    SqlGrant(SqlGrant),
}

impl FactData {
    /// The `kind` tag.
    pub fn kind(&self) -> &'static str {
        match self {
            FactData::Route(_) => "route",
            FactData::Middleware(_) => "middleware",
            FactData::Function(_) => "function",
            FactData::AuthCheck(_) => "auth_check",
            FactData::RoleCheck(_) => "role_check",
            FactData::DbClient(_) => "db_client",
            FactData::DbAccess(_) => "db_access",
            FactData::Input(_) => "input",
            FactData::EnvRead(_) => "env_read",
            FactData::Sink(_) => "sink",
            FactData::Webhook(_) => "webhook",
            FactData::ExternalCall(_) => "external_call",
            FactData::RateLimit(_) => "rate_limit",
            FactData::Cors(_) => "cors",
            FactData::EdgeFunctionConfig(_) => "edge_function_config",
            FactData::SqlTable(_) => "sql_table",
            FactData::SqlRls(_) => "sql_rls",
            FactData::SqlPolicy(_) => "sql_policy",
            FactData::SqlView(_) => "sql_view",
            FactData::SqlFunction(_) => "sql_function",
            FactData::SqlGrant(_) => "sql_grant",
        }
    }
}

/// Where a value comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Provenance {
    /// A literal or constant.
    Literal,
    /// Request input (params, query, body, headers, cookies, form data, path segments,
    /// server-action arguments, URL state in the browser).
    Request,
    /// The authenticated user (id, email, claims) from an auth check.
    User,
    /// Read back from the database (stored data users may have written).
    Database,
    /// An environment variable or server configuration.
    Env,
    /// Request data that passed a sanitiser or escaping function.
    Sanitized,
    /// Request data that passed a strict validation or conversion (`parseInt`, zod...).
    Validated,
    /// Could not be decided.
    Unknown,
}

/// `route`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
pub struct Route {
    /// `nextjs-app`, `nextjs-pages`, `server-action`, `express`, `fastify`, `hono`,
    /// `supabase-edge`, `fastapi`, `flask`.
    pub framework: String,
    /// Upper-case HTTP methods (`GET`, `POST`...); `*` for any; `ACTION` for server actions.
    pub methods: Vec<String>,
    /// URL pattern as the framework writes it (`/api/projects/[id]`, `/users/:id`).
    pub pattern: String,
    /// Handler function name, when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handler: Option<String>,
    /// Scope id of the handler function (matches `scope` of facts inside it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handler_scope: Option<String>,
    /// Names applied before the handler, in order: Express middleware, wrappers such as
    /// `withAuth(...)`, Python decorators, FastAPI dependencies (route and router level).
    #[serde(default)]
    pub middleware: Vec<String>,
    /// Public by convention (health checks, auth callbacks, webhooks, OG images...).
    #[serde(default)]
    pub public: bool,
    /// Why it is public, when it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_reason: Option<String>,
    /// Supabase edge functions: the `verify_jwt` setting in force (default true).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verify_jwt: Option<bool>,
}

/// `middleware`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
pub struct Middleware {
    /// `nextjs`, `express`, `fastify`, `hono`, `fastapi`, `flask`.
    pub framework: String,
    /// Path patterns it covers (Next.js `matcher`, Express mount path); empty = all.
    #[serde(default)]
    pub matcher: Vec<String>,
    /// Names of the middleware functions applied.
    #[serde(default)]
    pub names: Vec<String>,
    /// True when it authenticates (calls an auth check, redirects or rejects when absent).
    #[serde(default)]
    pub authenticates: bool,
    /// True when it applies a rate limit.
    #[serde(default)]
    pub rate_limits: bool,
    /// Line order among the file's route registrations (Express: `app.use` order matters).
    #[serde(default)]
    pub order: u32,
    /// Paths the middleware lets through before its auth check (Next.js: an early
    /// `return NextResponse.next()` when `pathname.startsWith('/api')`): `/api*` for a
    /// prefix test, `/login` for an exact comparison. Routes there are not protected by
    /// it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skip_paths: Vec<String>,
    /// A router mounted from another module (`app.use('/api/projects', projectsRouter)`,
    /// `app.include_router(users.router, ...)`): the module it is imported from, as
    /// written (`./routes/projects`, `app.routers.users.router`). The mount fact and the
    /// mount-level middleware facts of the same call carry it; they apply only to the
    /// routes of that module.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub router_module: Option<String>,
}

/// `function`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
pub struct Function {
    /// Function name (for arrow functions, the variable it is assigned to).
    pub name: String,
    /// True when exported from the module.
    #[serde(default)]
    pub exported: bool,
    /// Names of functions it calls (simple identifiers and member calls as written).
    #[serde(default)]
    pub calls: Vec<String>,
}

/// `auth_check`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
pub struct AuthCheck {
    /// The call or guard as written (`supabase.auth.getUser`, `getServerSession`,
    /// `jwt.verify`, `login_required`, `Depends(get_current_user)`, `requireUser`...).
    pub method: String,
    /// `supabase`, `nextauth`, `clerk`, `jwt`, `passport`, `fastapi`, `flask-login`,
    /// `secret-header`, `custom`.
    pub provider: String,
    /// Variable holding the user (or user id) it yields.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_var: Option<String>,
    /// True when a failed check stops the handler (throw, early return, redirect, 401).
    #[serde(default)]
    pub enforced: bool,
}

/// `role_check`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
pub struct RoleCheck {
    /// The comparison or call as written (shortened).
    pub expr: String,
    /// Role or permission named, when one is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// True when a failed check stops the handler.
    #[serde(default)]
    pub enforced: bool,
}

/// `db_client`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
pub struct DbClient {
    /// `supabase`, `prisma`, `drizzle`, `pg`, `postgres`, `mysql2`, `mongoose`,
    /// `sqlalchemy`, `knex`...
    pub library: String,
    /// `anon`, `user` (carries the caller's JWT), `service_role`, `server` (a direct
    /// database connection, no RLS), `unknown`.
    pub client_kind: String,
    /// Variable (or helper function) the client is bound to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub var: Option<String>,
    /// Environment variable holding the key or URL, when read from one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_env: Option<String>,
}

/// One filter of a database access.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct DbFilter {
    /// Column or field name.
    pub column: String,
    /// Operator (`eq`, `in`, `match`, `where`...).
    #[serde(default)]
    pub op: String,
    /// Where the compared value comes from.
    pub source: Provenance,
    /// The value expression as written (shortened).
    #[serde(default)]
    pub expr: String,
}

/// `db_access`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
pub struct DbAccess {
    /// Client library (see [`DbClient::library`]); `raw-sql` for SQL strings.
    pub library: String,
    /// Client kind (see [`DbClient::client_kind`]).
    pub client_kind: String,
    /// The client variable as written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_var: Option<String>,
    /// `select`, `insert`, `update`, `delete`, `upsert`, `rpc`, `raw`.
    pub operation: String,
    /// Table, model or RPC name, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub table: Option<String>,
    /// Row filters, in call order.
    #[serde(default)]
    pub filters: Vec<DbFilter>,
    /// Where written values come from (insert/update/upsert), one entry per field.
    #[serde(default)]
    pub values: Vec<DbFilter>,
}

/// `input`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
pub struct Input {
    /// `params`, `query`, `search_params`, `body`, `json`, `form`, `headers`, `cookies`,
    /// `path`, `action_arg`, `url` (browser URL state).
    pub source: String,
    /// Field name read (`id`, `q`), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Variable it was bound to, when bound.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub var: Option<String>,
    /// The expression as written (shortened).
    pub expr: String,
}

/// `env_read`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
pub struct EnvRead {
    /// Variable name.
    pub name: String,
    /// `client`, `server` or `shared`: where the reading code runs.
    pub context: String,
    /// `process.env`, `import.meta.env`, `Deno.env.get`, `os.environ`, `os.getenv`...
    pub accessor: String,
}

/// `sink`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
pub struct Sink {
    /// `html`, `sql`, `log`, `redirect`, `fetch`, `template`.
    pub sink: String,
    /// The API as written (`dangerouslySetInnerHTML`, `innerHTML`, `pool.query`,
    /// `$queryRawUnsafe`, `console.log`, `render_template_string`...).
    pub api: String,
    /// Where the dangerous argument comes from.
    pub source: Option<Provenance>,
    /// The source expression (`req.query.q`), when traced to one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_expr: Option<String>,
    /// How the value was built on its way (`template literal`, `concatenation`,
    /// `f-string`, `assignment to html`...).
    #[serde(default)]
    pub via: Vec<String>,
    /// Sanitiser or validator on the path, when one was seen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sanitizer: Option<String>,
    /// The argument expression as written (shortened).
    #[serde(default)]
    pub expr: String,
}

/// `webhook`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
pub struct Webhook {
    /// `stripe`, `svix`, `clerk`, `github`, `lemonsqueezy`, `paddle`, `generic`.
    pub provider: String,
    /// True when a signature verification call was found.
    #[serde(default)]
    pub verified: bool,
    /// The verification call (`stripe.webhooks.constructEvent`, `wh.verify`...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verify_method: Option<String>,
    /// Line of the verification call.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verify_line: Option<u64>,
    /// True when the payload is used (parsed and acted on) before verification.
    #[serde(default)]
    pub payload_used_before_verify: bool,
    /// False when a hand-written signature comparison is not timing-safe.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timing_safe: Option<bool>,
    /// True when verification is skipped if the secret is missing.
    #[serde(default)]
    pub fails_open: bool,
    /// True when the handler writes, charges or sends.
    #[serde(default)]
    pub side_effects: bool,
    /// True when the event id is checked or recorded (unique insert, upsert on it...).
    #[serde(default)]
    pub idempotent: bool,
    /// What showed idempotency, when something did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idempotency_evidence: Option<String>,
}

/// `external_call`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
pub struct ExternalCall {
    /// `openai`, `anthropic`, `google-ai`, `groq`, `replicate`, `stripe`, `resend`,
    /// `sendgrid`, `twilio`, `email`, `supabase-admin`...
    pub service: String,
    /// The call as written (`openai.chat.completions.create`).
    pub api: String,
    /// True for paid AI APIs called with the server's key.
    #[serde(default)]
    pub paid_ai: bool,
    /// True for actions that charge, refund, pay out or change users (admin APIs).
    #[serde(default)]
    pub privileged: bool,
}

/// `rate_limit`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
pub struct RateLimit {
    /// The limiter as written (`ratelimit.limit`, `rateLimit(...)`, `@limiter.limit`).
    pub method: String,
}

/// `cors`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
pub struct Cors {
    /// `*`, `reflect` (echoes the request origin), or the literal origin(s).
    pub allow_origin: String,
    /// True when credentials are allowed.
    #[serde(default)]
    pub credentials: bool,
    /// `header`, `cors-package`, `fastapi-middleware`, `flask-cors`, `hono`, `config`.
    #[serde(default)]
    pub mechanism: String,
}

/// `edge_function_config`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
pub struct EdgeFunctionConfig {
    /// Function name (`supabase/functions/<name>`).
    pub function: String,
    /// The `verify_jwt` setting.
    pub verify_jwt: bool,
}

/// `sql_table`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
pub struct SqlTable {
    /// Schema (`public` when not written).
    pub schema: String,
    /// Table name, unquoted.
    pub name: String,
    /// Column names.
    #[serde(default)]
    pub columns: Vec<String>,
    /// `if not exists` was written.
    #[serde(default)]
    pub if_not_exists: bool,
    /// `create` (default), `alter` or `drop`. For `alter`, only what the statement
    /// changes is set; a consumer merges it into the earlier state.
    #[serde(default = "create_action")]
    pub action: String,
    /// Statement index within the file (replay order is path, then order).
    pub order: u32,
}

/// `sql_rls`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
pub struct SqlRls {
    /// Schema.
    pub schema: String,
    /// Table name.
    pub table: String,
    /// `enable`, `disable`, `force`, `no_force`.
    pub action: String,
    /// Statement index within the file.
    pub order: u32,
}

/// `sql_policy`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
pub struct SqlPolicy {
    /// Schema of the table.
    pub schema: String,
    /// Table name.
    pub table: String,
    /// Policy name.
    pub name: String,
    /// `create`, `alter` or `drop`.
    pub action: String,
    /// `all`, `select`, `insert`, `update`, `delete`.
    #[serde(default)]
    pub command: String,
    /// Roles from `to ...` (empty = public).
    #[serde(default)]
    pub roles: Vec<String>,
    /// The `using (...)` expression.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub using: Option<String>,
    /// The `with check (...)` expression.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub with_check: Option<String>,
    /// False for `as restrictive`.
    #[serde(default = "yes")]
    pub permissive: bool,
    /// Statement index within the file.
    pub order: u32,
}

fn yes() -> bool {
    true
}

fn create_action() -> String {
    "create".into()
}

/// `sql_view`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
pub struct SqlView {
    /// Schema.
    pub schema: String,
    /// View name.
    pub name: String,
    /// `with (security_invoker = true)` is set.
    #[serde(default)]
    pub security_invoker: bool,
    /// Tables it reads.
    #[serde(default)]
    pub tables: Vec<String>,
    /// `create` (default), `alter` or `drop`. For `alter`, only what the statement
    /// changes is set; a consumer merges it into the earlier state.
    #[serde(default = "create_action")]
    pub action: String,
    /// Statement index within the file.
    pub order: u32,
}

/// `sql_function`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
pub struct SqlFunction {
    /// Schema.
    pub schema: String,
    /// Function name.
    pub name: String,
    /// `security definer` is set.
    #[serde(default)]
    pub security_definer: bool,
    /// `set search_path` is pinned.
    #[serde(default)]
    pub search_path_set: bool,
    /// The declared return type as written, lower-cased (`trigger`, `boolean`,
    /// `setof public.todos`), when known. Trigger functions cannot be called over the API.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub returns: Option<String>,
    /// `create` (default), `alter` or `drop`. For `alter`, only what the statement
    /// changes is set; a consumer merges it into the earlier state.
    #[serde(default = "create_action")]
    pub action: String,
    /// Statement index within the file.
    pub order: u32,
}

/// `sql_grant`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
pub struct SqlGrant {
    /// True for `grant`, false for `revoke`.
    pub grant: bool,
    /// Privileges (`select`, `insert`, `execute`, `all`...).
    #[serde(default)]
    pub privileges: Vec<String>,
    /// `table`, `function`, `schema`, `sequence`, `all_tables`...
    pub object_kind: String,
    /// Object name (schema-qualified as written).
    pub object: String,
    /// Grantee roles.
    #[serde(default)]
    pub roles: Vec<String>,
    /// Statement index within the file.
    pub order: u32,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::Record;

    #[test]
    fn facts_are_flat_and_round_trip() {
        let fact = Fact {
            path: "app/api/x/route.ts".into(),
            path_bytes: None,
            line: 3,
            end_line: 9,
            column: Some(1),
            scope: Some(scope_id(3, 9)),
            data: FactData::Route(Route {
                framework: "nextjs-app".into(),
                methods: vec!["GET".into()],
                pattern: "/api/x".into(),
                ..Default::default()
            }),
        };
        let line = serde_json::to_string(&Record::Fact(fact.clone())).unwrap();
        assert!(line.starts_with(r#"{"type":"fact","path":"#), "{line}");
        assert!(line.contains(r#""kind":"route""#));
        assert!(line.contains(r#""framework":"nextjs-app""#));
        let back: Record = serde_json::from_str(&line).unwrap();
        assert_eq!(back, Record::Fact(fact));
    }
}
