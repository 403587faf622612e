//! What protects each route: authentication, role checks and rate limits found in the
//! handler, its helpers, its wrappers, and the middleware that covers it.

use std::collections::HashMap;

use lm_core::fact::{AuthCheck, DbAccess, Fact, FactData, Middleware, Provenance, Route};

use crate::config::Settings;
use crate::index::{Index, Reach, ALIAS_PREFIX};
use crate::matcher::{next_covers, sample_path, MountMatcher, NextMatcher};
use crate::names;

/// How a route authenticates its caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Auth {
    /// Nothing authenticates it.
    None,
    /// A check runs but a failure does not stop the handler.
    Unenforced(String),
    /// A check stops unauthenticated callers.
    Enforced(String),
    /// A shared secret in a header (cron jobs, machine callers).
    Secret(String),
}

impl Auth {
    fn rank(&self) -> u8 {
        match self {
            Auth::None => 0,
            Auth::Unenforced(_) => 1,
            Auth::Enforced(_) => 2,
            Auth::Secret(_) => 3,
        }
    }

    fn raise(&mut self, other: Auth) {
        if other.rank() > self.rank() {
            *self = other;
        }
    }

    /// True when a signed-in user is required (enforced or not).
    pub fn identifies_user(&self) -> bool {
        matches!(self, Auth::Enforced(_) | Auth::Unenforced(_))
    }
}

/// A compiled middleware fact.
#[derive(Debug)]
pub struct Mw<'a> {
    /// Fact index.
    pub idx: usize,
    /// The fact.
    pub fact: &'a Fact,
    /// Its payload.
    pub mw: &'a Middleware,
    /// True when it stops unauthenticated requests: it is marked authenticating and, when
    /// its body holds auth checks, at least one of them is enforced (a middleware that
    /// only refreshes the session does not count).
    pub enforces: bool,
    next: Vec<NextMatcher>,
    mounts: Vec<MountMatcher>,
    family: &'static str,
    /// Indices (in the middleware list) of the middleware registered in the same file.
    siblings: Vec<usize>,
    /// For a router mount (`app.use('/api/orders', ordersRouter)`): the router name's
    /// words, to match the module it comes from.
    router_words: Vec<Vec<String>>,
}

impl Mw<'_> {
    /// True when its mount paths cover `path` (no mount path: every path).
    pub fn mounted_on(&self, path: &str) -> bool {
        self.mounts.is_empty() || self.mounts.iter().any(|m| m.covers(path))
    }

    /// The `skip_paths` entry that lets `path` through before the auth check, if any
    /// (`/api*` is a prefix, anything else an exact path).
    pub fn skipped(&self, path: &str) -> Option<&str> {
        let path = path.to_ascii_lowercase();
        self.mw
            .skip_paths
            .iter()
            .find(|p| match p.strip_suffix('*') {
                Some(prefix) => path.starts_with(&prefix.to_ascii_lowercase()),
                None => {
                    path == p.to_ascii_lowercase() || path == format!("{}/", p.to_ascii_lowercase())
                }
            })
            .map(String::as_str)
    }

    fn is_next(&self) -> bool {
        self.mw.framework.starts_with("next")
    }

    /// The app directory a Next.js middleware belongs to (`apps/web/` for
    /// `apps/web/src/middleware.ts`), empty at the repository root.
    fn next_root(&self) -> String {
        let p = &self.fact.path;
        let dir = p.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
        let dir = dir
            .strip_suffix("/src")
            .unwrap_or(if dir == "src" { "" } else { dir });
        if dir.is_empty() {
            String::new()
        } else {
            format!("{dir}/")
        }
    }

    /// A readable description (`middleware.ts (matcher /api/:path*)`).
    pub fn describe(&self) -> String {
        let names = if self.mw.names.is_empty() {
            String::new()
        } else {
            format!(" `{}`", self.mw.names.join(", "))
        };
        if self.mw.matcher.is_empty() {
            format!("{}{names}", self.fact.path)
        } else {
            format!(
                "{}{names} (matcher {})",
                self.fact.path,
                self.mw.matcher.join(", ")
            )
        }
    }
}

/// Compiles every middleware fact.
pub fn middlewares(ix: &Index) -> Vec<Mw<'_>> {
    let mut list: Vec<Mw<'_>> = ix
        .of_kind("middleware")
        .filter_map(|(i, f)| match &f.data {
            FactData::Middleware(m) => Some(Mw {
                idx: i,
                fact: f,
                mw: m,
                enforces: m.authenticates && {
                    let checks: Vec<bool> = ix
                        .of_kind("auth_check")
                        .filter(|(_, a)| {
                            a.path == f.path && a.line >= f.line && a.end_line <= f.end_line
                        })
                        .filter_map(|(_, a)| match &a.data {
                            FactData::AuthCheck(c) => Some(c.enforced),
                            _ => None,
                        })
                        .collect();
                    checks.is_empty() || checks.iter().any(|e| *e)
                },
                next: if m.framework.starts_with("next") {
                    m.matcher.iter().map(|s| NextMatcher::new(s)).collect()
                } else {
                    Vec::new()
                },
                mounts: if m.framework.starts_with("next") {
                    Vec::new()
                } else {
                    m.matcher.iter().map(|s| MountMatcher::new(s)).collect()
                },
                siblings: Vec::new(),
                family: family(&m.framework),
                router_words: if !m.authenticates && (m.matcher.len() == 1 || is_router_mount(m)) {
                    m.names
                        .iter()
                        .map(|n| router_name_words(names::callee(n)))
                        .collect()
                } else {
                    Vec::new()
                },
            }),
            _ => None,
        })
        .collect();
    let mut by_path: HashMap<&str, Vec<usize>> = HashMap::new();
    for (k, m) in list.iter().enumerate() {
        by_path.entry(m.fact.path.as_str()).or_default().push(k);
    }
    let sib: Vec<Vec<usize>> = list
        .iter()
        .map(|m| {
            by_path
                .get(m.fact.path.as_str())
                .cloned()
                .unwrap_or_default()
        })
        .collect();
    for (m, s) in list.iter_mut().zip(sib) {
        m.siblings = s;
    }
    list
}

fn router_name_words(name: &str) -> Vec<String> {
    names::words(name)
        .into_iter()
        .filter(|w| {
            !matches!(
                w.as_str(),
                "router" | "routes" | "route" | "api" | "controller" | "bp" | "blueprint"
            )
        })
        .collect()
}

fn same_family(route_fw: &str, mw_fw: &str) -> bool {
    family(route_fw) == family(mw_fw)
}

/// The framework family a route or middleware belongs to.
fn family(s: &str) -> &'static str {
    {
        match s {
            "nextjs" | "nextjs-app" | "nextjs-pages" | "server-action" | "next" => "next",
            "express" | "connect" => "express",
            "fastapi" | "starlette" => "fastapi",
            "flask" => "flask",
            "hono" => "hono",
            "fastify" => "fastify",
            _ => "other",
        }
    }
}

/// Where a router module is mounted: the mount middleware fact (in another file) whose
/// router name matches the route file (`app.use('/api/orders', ordersRouter)` for
/// `routes/orders.js`).
#[derive(Debug, Clone)]
pub struct Mount {
    /// The mount path.
    pub prefix: String,
    /// File of the mount.
    pub path: String,
    /// Line of the mount.
    pub line: u64,
    /// Column of the mount (the router argument for Express-style mounts).
    pub column: Option<u64>,
    /// Every mount on the way, innermost first (`path`, `line`, `column`): a router
    /// mounted on a router mounted on the app (`api_router.include_router(users.router)`
    /// then `app.include_router(api_router, prefix="/api")`).
    pub sites: Vec<(String, u64, Option<u64>)>,
}

impl Mount {
    /// The mount site in file `path`, if the chain passes through it.
    fn site_in(&self, path: &str) -> Option<(u64, Option<u64>)> {
        self.sites
            .iter()
            .find(|(p, _, _)| p == path)
            .map(|(_, l, c)| (*l, *c))
    }
}

fn stem_words(path: &str) -> Vec<String> {
    let mut parts: Vec<&str> = path.split('/').collect();
    let file = parts.pop().unwrap_or("");
    let stem = file.split('.').next().unwrap_or(file);
    let stem = if matches!(stem, "index" | "router" | "routes") {
        parts.pop().unwrap_or(stem)
    } else {
        stem
    };
    names::words(stem)
        .into_iter()
        .filter(|w| {
            !matches!(
                w.as_str(),
                "router" | "routes" | "route" | "api" | "controller" | "bp" | "blueprint"
            )
        })
        .collect()
}

/// True for the fact of a router mount itself (`app.include_router(users.router)`,
/// `app.use('/api/x', xRouter)`) rather than a middleware applied at the mount.
fn is_router_mount(m: &Middleware) -> bool {
    m.router_module.is_some() && !m.authenticates && m.names.len() == 1 && !m.names[0].contains('(')
}

/// The files a module specifier may name, relative to the scanned root: `./routes/x`
/// (JavaScript, from `from_file`) → `routes/x.ts`, `routes/x/index.js`...;
/// `app.routers.users` or `.routers.users` (Python) → `app/routers/users.py`,
/// `app/routers/users/__init__.py`. Absolute Python modules are matched as path
/// suffixes (the package may sit under `backend/`), so they are returned as written with
/// a leading `/` marker.
fn module_files(module: &str, from_file: &str, python: bool) -> Vec<String> {
    let dir: Vec<&str> = from_file
        .rsplit_once('/')
        .map(|(d, _)| d.split('/').collect())
        .unwrap_or_default();
    let mut out = Vec::new();
    if python {
        let dots = module.chars().take_while(|c| *c == '.').count();
        let rest = &module[dots..];
        let segs: Vec<&str> = rest.split('.').filter(|x| !x.is_empty()).collect();
        // The module itself, or the module holding the named router (`users.router`).
        for take in [segs.len(), segs.len().saturating_sub(1)] {
            if take == 0 {
                continue;
            }
            let rel = segs[..take].join("/");
            let base = if dots == 0 {
                "/".to_string()
            } else {
                if dots - 1 > dir.len() {
                    continue;
                }
                let d = dir[..dir.len() - (dots - 1)].join("/");
                if d.is_empty() {
                    String::new()
                } else {
                    format!("{d}/")
                }
            };
            out.push(format!("{base}{rel}.py"));
            out.push(format!("{base}{rel}/__init__.py"));
        }
        return out;
    }
    let spec = module.trim();
    let joined: Option<String> = if spec.starts_with("./") || spec.starts_with("../") {
        let mut parts: Vec<&str> = dir.clone();
        for seg in spec.split('/') {
            match seg {
                "." | "" => {}
                ".." => {
                    if parts.pop().is_none() {
                        return out;
                    }
                }
                s => parts.push(s),
            }
        }
        Some(parts.join("/"))
    } else {
        spec.strip_prefix("@/")
            .or_else(|| spec.strip_prefix("~/"))
            .map(|r| format!("src/{r}"))
    };
    let Some(base) = joined else {
        return out;
    };
    let stem = ["js", "ts", "mjs", "cjs", "jsx", "tsx"]
        .iter()
        .find_map(|e| base.strip_suffix(&format!(".{e}")))
        .unwrap_or(&base)
        .to_string();
    out.push(base.clone());
    for e in ["ts", "js", "mjs", "cjs", "tsx", "jsx"] {
        out.push(format!("{stem}.{e}"));
    }
    for e in ["ts", "js", "mjs", "cjs"] {
        out.push(format!("{stem}/index.{e}"));
    }
    out
}

/// True when `route_file` is the module a mount imports its router from.
fn mount_names_file(m: &Mw<'_>, route_file: &str) -> bool {
    let Some(module) = m.mw.router_module.as_deref() else {
        return false;
    };
    let python = matches!(m.family, "fastapi" | "flask");
    module_files(module, &m.fact.path, python)
        .iter()
        .any(|c| match c.strip_prefix('/') {
            Some(suffix) => route_file == suffix || route_file.ends_with(&format!("/{suffix}")),
            None => route_file == c,
        })
}

/// Finds the mount of a router module route: the mount that imports the route's file
/// (`router_module`), else the one whose router name matches the file name; then the
/// mounts of the file holding that mount, and so on (prefixes joined outermost first).
pub fn mount_of(all: &[Mw<'_>], rf: &Fact, r: &Route) -> Option<Mount> {
    if !matches!(
        r.framework.as_str(),
        "express" | "hono" | "fastify" | "fastapi" | "flask"
    ) {
        return None;
    }
    let first = direct_mount(all, &rf.path, &r.framework, true)?;
    let mut prefix = first.mw.matcher.first().cloned().unwrap_or_default();
    let mut sites = vec![(first.fact.path.clone(), first.fact.line, first.fact.column)];
    let mut cur = first.fact.path.as_str();
    // Outer mounts are only followed by module (never by name), a few levels deep.
    while sites.len() < 5 {
        let Some(o) = direct_mount(all, cur, &r.framework, false) else {
            break;
        };
        if sites.iter().any(|(p, _, _)| *p == o.fact.path) || o.fact.path == rf.path {
            break;
        }
        let outer = o.mw.matcher.first().cloned().unwrap_or_default();
        prefix = if prefix.is_empty() {
            outer
        } else {
            join_pattern(&outer, &prefix)
        };
        sites.push((o.fact.path.clone(), o.fact.line, o.fact.column));
        cur = o.fact.path.as_str();
    }
    Some(Mount {
        prefix,
        path: first.fact.path.clone(),
        line: first.fact.line,
        column: first.fact.column,
        sites,
    })
}

/// The one mount (in another file) of the router module at `file`.
fn direct_mount<'m, 'a>(
    all: &'m [Mw<'a>],
    file: &str,
    framework: &str,
    by_name: bool,
) -> Option<&'m Mw<'a>> {
    let candidates = || {
        all.iter()
            .filter(|o| o.fact.path != file && same_family(framework, &o.mw.framework))
    };
    let mut found: Vec<&Mw<'_>> = candidates()
        .filter(|o| is_router_mount(o.mw) && mount_names_file(o, file))
        .collect();
    if found.is_empty() && by_name {
        let want = stem_words(file);
        if want.is_empty() {
            return None;
        }
        found = candidates()
            .filter(|o| {
                o.router_words
                    .iter()
                    .any(|ws| !ws.is_empty() && *ws == want)
            })
            .collect();
    }
    (found.len() == 1).then(|| found[0])
}

/// Joins a mount prefix and a route pattern (`/api/orders` + `/:id`).
pub fn join_pattern(prefix: &str, pattern: &str) -> String {
    let p = prefix.trim_end_matches('/');
    let q = pattern.trim_start_matches('/');
    if q.is_empty() {
        if p.is_empty() {
            "/".into()
        } else {
            p.to_string()
        }
    } else {
        format!("{p}/{q}")
    }
}

/// Does middleware `m` run before route `r` (at `rf`, served at `pattern`, mounted by
/// `mount` when it is a router module)?
pub fn covers(
    m: &Mw<'_>,
    all: &[Mw<'_>],
    rf: &Fact,
    r: &Route,
    path: &str,
    mount: Option<&Mount>,
) -> bool {
    if !same_family(&r.framework, &m.mw.framework) {
        return false;
    }
    if m.mw.router_module.is_some() {
        // A router mount, or middleware listed at it (`include_router(...,
        // dependencies=[...])`, `app.use('/api', requireAuth, router)`): it applies to
        // the routes of that router only.
        return mount
            .and_then(|mt| mt.site_in(&m.fact.path))
            .is_some_and(|(l, c)| {
                l == m.fact.line && (c == m.fact.column || m.family != "express")
            });
    }
    if m.is_next() {
        if !rf.path.starts_with(&m.next_root()) {
            return false;
        }
        if r.framework == "server-action" {
            // Server actions are POSTs to whatever page renders them; only a middleware
            // covering every page path reaches them all.
            return next_covers(&m.next, "/") && next_covers(&m.next, "/some-page");
        }
        return next_covers(&m.next, path) && m.skipped(path).is_none();
    }
    if !m.mounted_on(path) {
        // A route of a router module whose mount path the facts do not give
        // (`app.use('/api/orders', ordersRouter)` in the entry file, routes written as
        // `/:id`): it may sit under this middleware's mount path; do not claim otherwise.
        let unknown_mount = mount.is_none()
            && rf.path != m.fact.path
            && matches!(r.framework.as_str(), "express" | "hono" | "fastify")
            && !is_entry_file(&rf.path)
            && is_entry_file(&m.fact.path);
        if !unknown_mount {
            return false;
        }
    }
    let order_matters = matches!(m.mw.framework.as_str(), "express" | "connect" | "hono");
    if rf.path == m.fact.path {
        return !order_matters || rf.line > m.fact.line;
    }
    if let Some(site) = mount.and_then(|mt| mt.site_in(&m.fact.path)) {
        // Middleware in a file that mounts the router: it runs first when it is
        // registered before the mount.
        return !order_matters || (m.fact.line, m.fact.column) < site;
    }
    // Another file: a router module mounted from this file. A global middleware with no
    // mount path applies to it only when this file mounts routers (an app entry); a
    // router mounted on a covering path before the middleware escapes it.
    if m.mw.matcher.is_empty() {
        let entry = is_entry_file(&m.fact.path)
            || m.siblings
                .iter()
                .map(|&k| &all[k])
                .any(|o| !o.mw.matcher.is_empty() && !o.mw.authenticates);
        if !entry {
            return false;
        }
    }
    if order_matters {
        let escaped = m.siblings.iter().map(|&k| &all[k]).any(|o| {
            o.fact.line < m.fact.line
                && !o.mw.authenticates
                && !o.mw.matcher.is_empty()
                && o.mounted_on(path)
                && !o
                    .mw
                    .matcher
                    .iter()
                    .all(|x| x.trim().is_empty() || x.trim() == "/")
        });
        if escaped {
            return false;
        }
    }
    true
}

fn is_entry_file(path: &str) -> bool {
    let file = path.rsplit('/').next().unwrap_or(path);
    let stem = file.split('.').next().unwrap_or(file);
    matches!(stem, "server" | "app" | "index" | "main" | "api")
}

/// Everything the rules need to know about one route.
#[derive(Debug)]
pub struct RouteView<'a> {
    /// Index of the route fact.
    pub idx: usize,
    /// The route fact.
    pub fact: &'a Fact,
    /// Its payload.
    pub route: &'a Route,
    /// `GET /api/projects/[id]`, ``server action `deleteProject` ``...
    pub label: String,
    /// The URL pattern the route is served at (router mount prefix included).
    pub pattern: String,
    /// What the handler reaches.
    pub reach: Reach,
    /// Strongest authentication on the path.
    pub auth: Auth,
    /// A role / permission / ownership check on the path.
    pub role: Option<String>,
    /// A rate limit on the path.
    pub rate_limit: Option<String>,
    /// Why the route is public by design.
    pub public: Option<String>,
    /// Supabase edge functions: the `verify_jwt` in force.
    pub verify_jwt: Option<bool>,
    /// Authenticating middleware that exists but does not cover this route.
    pub uncovered_auth_mw: Option<String>,
    /// Variables holding the signed-in user.
    pub user_vars: Vec<String>,
}

impl<'a> RouteView<'a> {
    /// The facts this route reaches.
    pub fn facts<'b>(&'b self, ix: &'a Index) -> impl Iterator<Item = (usize, &'a Fact)> + 'b {
        self.reach.facts.iter().map(move |&i| (i, &ix.facts[i]))
    }

    /// The database accesses this route reaches.
    pub fn db_accesses<'b>(
        &'b self,
        ix: &'a Index,
    ) -> impl Iterator<Item = (usize, &'a Fact, &'a DbAccess)> + 'b {
        self.facts(ix).filter_map(|(i, f)| match &f.data {
            FactData::DbAccess(d) => Some((i, f, d)),
            _ => None,
        })
    }

    /// True for Supabase edge functions.
    pub fn is_edge(&self) -> bool {
        self.route.framework == "supabase-edge"
    }

    /// True when a filter or value expression is tied to the signed-in user.
    pub fn user_tied(&self, source: Provenance, expr: &str) -> bool {
        if source == Provenance::User {
            return true;
        }
        let e = expr.trim();
        !e.is_empty()
            && self.user_vars.iter().any(|v| {
                !v.is_empty()
                    && (e == v
                        || e.starts_with(&format!("{v}."))
                        || e.starts_with(&format!("{v}?.")))
            })
    }
}

/// A human label for a route.
pub fn label(f: &Fact, r: &Route) -> String {
    match r.framework.as_str() {
        "server-action" => {
            let name = r.handler.clone().unwrap_or_else(|| r.pattern.clone());
            format!("server action `{name}` ({})", f.path)
        }
        "supabase-edge" => format!(
            "edge function `{}`",
            edge_name(&f.path).unwrap_or(&r.pattern)
        ),
        _ => {
            let methods = if r.methods.is_empty() {
                "*".to_string()
            } else {
                r.methods.join("|")
            };
            format!("{methods} {}", r.pattern)
        }
    }
}

/// The function name of a path under `supabase/functions/<name>/`.
pub fn edge_name(path: &str) -> Option<&str> {
    let i = path.find("supabase/functions/")?;
    let rest = &path[i + "supabase/functions/".len()..];
    let name = rest.split('/').next()?;
    (!name.is_empty() && rest.contains('/')).then_some(name)
}

/// Verb-based reading of an auth helper name: does a failure stop the request?
fn name_enforces(name: &str) -> bool {
    let ws = names::words(names::callee(name));
    ws.iter().any(|w| {
        matches!(
            w.as_str(),
            "require"
                | "required"
                | "ensure"
                | "assert"
                | "protect"
                | "protected"
                | "throw"
                | "redirect"
                | "with"
                | "verify"
                | "authenticate"
                | "must"
                | "guard"
                | "only"
                | "is"
                | "check"
                | "validate"
                | "middleware"
                | "depends"
        )
    }) || names::callee(name).starts_with("Depends")
}

/// Columns holding a secret a request can prove possession of.
fn is_secret_column(column: &str) -> bool {
    let ws = names::words(names::column_name(column));
    let j = ws.join("_");
    ws.last()
        .is_some_and(|w| w == "token" || w == "secret" || w == "hash")
        || matches!(
            j.as_str(),
            "api_key"
                | "apikey"
                | "invite_code"
                | "verification_code"
                | "confirmation_code"
                | "access_code"
                | "magic_code"
                | "share_code"
                | "share_id"
        )
}

/// Builds the view of one route.
pub fn view<'a>(
    ix: &'a Index,
    mws: &[Mw<'a>],
    settings: &Settings,
    idx: usize,
) -> Option<RouteView<'a>> {
    let fact = &ix.facts[idx];
    let FactData::Route(route) = &fact.data else {
        return None;
    };
    let scope = route.handler_scope.clone().or_else(|| {
        // No handler scope: a named handler defined in the same file.
        route.handler.as_ref().and_then(|h| {
            ix.resolve(&fact.path, h)
                .first()
                .map(|&fi| lm_core::fact::scope_id(ix.facts[fi].line, ix.facts[fi].end_line))
        })
    });
    let mut wrappers = route.middleware.clone();
    let has_fn = scope
        .as_deref()
        .is_some_and(|sc| ix.function_at(&fact.path, sc).is_some());
    if !has_fn && ix.routes_in(&fact.path) == 1 {
        // An anonymous handler (`Deno.serve(async (req) => ...)`) has no function fact
        // listing its calls; in a file with a single entry point, the file's helpers
        // are there to serve it.
        wrappers.extend(ix.function_names(&fact.path));
    }
    let reach = ix.reach(&fact.path, scope.as_deref(), &wrappers);
    let mount = mount_of(mws, fact, route);
    let pattern = match &mount {
        Some(mt) => join_pattern(&mt.prefix, &route.pattern),
        None => route.pattern.clone(),
    };
    let mut shown = route.clone();
    shown.pattern = pattern.clone();
    let mut v = RouteView {
        idx,
        fact,
        route,
        label: label(fact, &shown),
        pattern,
        reach,
        auth: Auth::None,
        role: None,
        rate_limit: None,
        public: None,
        verify_jwt: None,
        uncovered_auth_mw: None,
        user_vars: Vec::new(),
    };
    // Facts in the handler and its helpers.
    for &i in &v.reach.facts {
        let f = &ix.facts[i];
        match &f.data {
            FactData::AuthCheck(a) => {
                v.auth.raise(auth_of(a));
                if let Some(u) = &a.user_var {
                    v.user_vars.push(u.clone());
                }
            }
            // An ownership comparison is not a role: the bola rule reads it (`owner`, and
            // `not-owner` for a handler refusing the caller's own row).
            FactData::RoleCheck(rc)
                if matches!(rc.role.as_deref(), Some("owner" | "not-owner")) => {}
            FactData::RoleCheck(rc) if v.role.is_none() || rc.enforced => {
                v.role = Some(format!("`{}`", rc.expr));
            }
            FactData::RateLimit(rl) => {
                v.rate_limit
                    .get_or_insert_with(|| format!("`{}`", rl.method));
            }
            // A lookup by a secret token from the request (confirmation links, invite
            // codes, API keys) authenticates the request by capability; a lookup of the
            // caller in an admins / roles table is a role check.
            FactData::DbAccess(d) if d.operation == "select" => {
                let role_table = d.table.as_deref().is_some_and(|t| {
                    names::words(names::table_name(t)).iter().any(|w| {
                        matches!(
                            w.as_str(),
                            "admin"
                                | "admins"
                                | "role"
                                | "roles"
                                | "staff"
                                | "moderators"
                                | "permissions"
                                | "superusers"
                        )
                    })
                });
                if role_table
                    && d.filters.iter().any(|x| {
                        x.source == Provenance::User
                            || (names::is_owner_column(&x.column)
                                && !matches!(x.source, Provenance::Request | Provenance::Validated))
                    })
                {
                    v.role.get_or_insert_with(|| {
                        format!(
                            "a lookup of the caller in `{}`",
                            d.table.as_deref().unwrap_or("?")
                        )
                    });
                }
                if let Some(x) = d.filters.iter().find(|x| {
                    matches!(x.source, Provenance::Request | Provenance::Validated)
                        && is_secret_column(&x.column)
                }) {
                    v.auth.raise(Auth::Secret(format!(
                        "a lookup of `{}` by the request's `{}`",
                        d.table.as_deref().unwrap_or("?"),
                        x.column
                    )));
                }
            }
            _ => {}
        }
    }
    // Wrappers, decorators and dependencies named on the route. A dependency alias
    // (`current_user: CurrentUser`) counts only through the dependency it resolves to,
    // judged as `Depends(<dependency>)` would be.
    for m in &route.middleware {
        let Some(alias) = m.strip_prefix(ALIAS_PREFIX) else {
            apply_name(&mut v, m, settings, true);
            continue;
        };
        let func = ix
            .resolve_alias(&fact.path, alias)
            .and_then(|fi| match &ix.facts[fi].data {
                FactData::Function(f) => Some(f),
                _ => None,
            });
        for call in func.map(|f| f.calls.as_slice()).unwrap_or_default() {
            apply_name(&mut v, &format!("Depends({call})"), settings, true);
        }
    }
    // Calls in the handler and helpers that name guards.
    let calls = v.reach.calls.clone();
    for c in &calls {
        apply_name(&mut v, c, settings, false);
    }
    // Middleware that covers the route.
    let sample = sample_path(&v.pattern);
    let route_family = family(&route.framework);
    for m in mws {
        if m.family != route_family {
            continue;
        }
        let cov = covers(m, mws, fact, route, &sample, mount.as_ref());
        if m.mw.authenticates && !m.enforces {
            if cov {
                v.uncovered_auth_mw.get_or_insert_with(|| {
                    format!(
                        "{} reads the session but lets unauthenticated requests through",
                        m.describe()
                    )
                });
            }
        } else if m.mw.authenticates {
            if cov {
                v.auth
                    .raise(Auth::Enforced(format!("middleware {}", m.describe())));
            } else if v.uncovered_auth_mw.is_none() {
                let later =
                    m.fact.path == fact.path && m.fact.line > fact.line && m.mounted_on(&sample);
                let skip = m.skipped(&sample).filter(|_| next_covers(&m.next, &sample));
                let why = if let Some(p) = skip {
                    format!(
                        "the authenticating middleware {} returns early for `{p}` before its auth check",
                        m.describe()
                    )
                } else if later {
                    format!(
                        "the authenticating middleware {} is registered after it",
                        m.describe()
                    )
                } else {
                    format!(
                        "the authenticating middleware {} does not cover it",
                        m.describe()
                    )
                };
                v.uncovered_auth_mw.get_or_insert(why);
            }
        }
        if !cov {
            continue;
        }
        if m.mw.rate_limits {
            v.rate_limit
                .get_or_insert_with(|| format!("middleware {}", m.describe()));
        }
        for n in &m.mw.names {
            apply_name(&mut v, n, settings, true);
        }
    }
    // Edge functions: verify_jwt from the route or from supabase/config.toml.
    if v.is_edge() {
        let mut vj = route.verify_jwt;
        if let Some(name) = edge_name(&fact.path) {
            for (_, cf) in ix.of_kind("edge_function_config") {
                if let FactData::EdgeFunctionConfig(c) = &cf.data {
                    if c.function == name {
                        vj = Some(c.verify_jwt);
                    }
                }
            }
        }
        v.verify_jwt = Some(vj.unwrap_or(true));
    }
    if route.public {
        v.public = Some(
            route
                .public_reason
                .clone()
                .unwrap_or_else(|| "public by convention".into()),
        );
    } else if let Some(r) = names::public_route_reason(&v.pattern, settings) {
        if !(v.is_edge() && r == "public by its path") {
            v.public = Some(r.to_string());
        }
    }
    Some(v)
}

fn auth_of(a: &AuthCheck) -> Auth {
    let m = format!("`{}`", a.method);
    if a.provider == "secret-header" {
        Auth::Secret(m)
    } else if a.enforced {
        Auth::Enforced(m)
    } else {
        Auth::Unenforced(m)
    }
}

/// Words of auth calls that do something rather than check the caller.
const AUTH_OPERATIONS: &[&str] = &[
    "sign", "signin", "signup", "signout", "logout", "login", "reset", "update", "create",
    "delete", "invite", "exchange", "refresh", "set", "link", "unlink", "resend", "admin",
    "change", "generate", "list", "on", "state", "otp", "password", "register",
];

/// Applies what a guard's name says (wrapper, decorator, dependency, middleware, call).
fn apply_name(v: &mut RouteView<'_>, name: &str, settings: &Settings, wrapper: bool) {
    let callee = names::callee(name);
    if callee.is_empty() {
        return;
    }
    if !wrapper {
        // A call: judge its own name (`auth.requireUser` → `requireUser`), and never
        // mistake an auth *operation* (`supabase.auth.admin.deleteUser`,
        // `signInWithPassword`) for a guard.
        let last = names::last_segment(name);
        let ws = names::words(callee);
        if ws.iter().any(|w| AUTH_OPERATIONS.contains(&w.as_str())) {
            return;
        }
        if last != callee {
            return apply_name(v, last, settings, false);
        }
    }
    if names::is_role_helper(name, settings) && (wrapper || name_enforces(name)) {
        v.role.get_or_insert_with(|| format!("`{callee}`"));
        // A role guard authenticates too (`requireAdmin`).
        if wrapper || name_enforces(name) {
            v.auth.raise(Auth::Enforced(format!("`{callee}`")));
        }
    }
    if names::is_auth_helper(name, settings) {
        let how = if wrapper { "wrapper" } else { "helper" };
        if wrapper || name_enforces(name) {
            v.auth.raise(Auth::Enforced(format!("{how} `{callee}`")));
        } else {
            v.auth.raise(Auth::Unenforced(format!("{how} `{callee}`")));
        }
    }
    if names::is_rate_limit_helper(name, settings) {
        v.rate_limit.get_or_insert_with(|| format!("`{callee}`"));
    }
}

/// Every route view of the index.
pub fn views<'a>(ix: &'a Index, mws: &[Mw<'a>], settings: &Settings) -> Vec<RouteView<'a>> {
    let idxs: Vec<usize> = ix.of_kind("route").map(|(i, _)| i).collect();
    idxs.into_iter()
        .filter_map(|i| view(ix, mws, settings, i))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::module_files;

    #[test]
    fn module_specifiers_name_files() {
        let py = module_files(".routers.users.router", "app/main.py", true);
        assert!(py.contains(&"app/routers/users.py".to_string()), "{py:?}");
        let up = module_files("..deps", "app/routers/x.py", true);
        assert!(up.contains(&"app/deps.py".to_string()), "{up:?}");
        let abs = module_files("app.routers.users", "main.py", true);
        assert!(
            abs.contains(&"/app/routers/users.py".to_string()),
            "{abs:?}"
        );
        let js = module_files("./routes/projects", "src/server.ts", false);
        assert!(js.contains(&"src/routes/projects.ts".to_string()), "{js:?}");
        assert!(
            js.contains(&"src/routes/projects/index.js".to_string()),
            "{js:?}"
        );
        let esm = module_files("../routes/projects.js", "src/app/index.ts", false);
        assert!(
            esm.contains(&"src/routes/projects.ts".to_string()),
            "{esm:?}"
        );
        assert!(module_files("express", "server.js", false).is_empty());
        assert!(module_files("../../x", "a.js", false).is_empty());
    }
}
