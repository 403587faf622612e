//! Rule tests on facts built directly: each vulnerable shape next to the safe
//! look-alikes that trip naive scanners.

use std::collections::HashMap;

use lm_core::fact::*;
use lm_core::{Finding, Role};

use crate::config::{AuthzSection, Settings};

/// A small app under construction.
#[derive(Default)]
struct App {
    facts: Vec<Fact>,
    roles: HashMap<String, Role>,
    settings: Settings,
}

fn at(path: &str, line: u64, end: u64, scope: Option<&str>, data: FactData) -> Fact {
    Fact {
        path: path.into(),
        path_bytes: None,
        line,
        end_line: end,
        column: Some(1),
        scope: scope.map(String::from),
        data,
    }
}

fn scope(a: u64, b: u64) -> String {
    scope_id(a, b)
}

impl App {
    fn new() -> App {
        App::default()
    }

    fn role(mut self, path: &str, role: Role) -> App {
        self.roles.insert(path.into(), role);
        self
    }

    fn fact(mut self, f: Fact) -> App {
        self.facts.push(f);
        self
    }

    /// A route whose handler spans `a..=b` in `path`, with a function fact calling `calls`.
    fn route(self, path: &str, fw: &str, method: &str, pattern: &str, a: u64, b: u64) -> App {
        self.route_with(path, fw, method, pattern, a, b, &[], &[])
    }

    #[allow(clippy::too_many_arguments)]
    fn route_with(
        self,
        path: &str,
        fw: &str,
        method: &str,
        pattern: &str,
        a: u64,
        b: u64,
        middleware: &[&str],
        calls: &[&str],
    ) -> App {
        let s = scope(a, b);
        self.fact(at(
            path,
            a,
            b,
            None,
            FactData::Route(Route {
                framework: fw.into(),
                methods: vec![method.into()],
                pattern: pattern.into(),
                handler: Some(method.into()),
                handler_scope: Some(s.clone()),
                middleware: middleware.iter().map(|m| m.to_string()).collect(),
                ..Default::default()
            }),
        ))
        .fact(at(
            path,
            a,
            b,
            Some(&s),
            FactData::Function(Function {
                name: method.into(),
                exported: true,
                calls: calls.iter().map(|c| c.to_string()).collect(),
            }),
        ))
    }

    /// A fact inside the handler spanning `a..=b`.
    fn inside(self, path: &str, a: u64, b: u64, line: u64, data: FactData) -> App {
        let s = scope(a, b);
        self.fact(at(path, line, line, Some(&s), data))
    }

    fn function(self, path: &str, name: &str, exported: bool, a: u64, b: u64) -> App {
        let s = scope(a, b);
        self.fact(at(
            path,
            a,
            b,
            Some(&s),
            FactData::Function(Function {
                name: name.into(),
                exported,
                calls: Vec::new(),
            }),
        ))
    }

    fn module(self, path: &str, line: u64, data: FactData) -> App {
        self.fact(at(path, line, line, None, data))
    }

    fn settings(mut self, toml: &str) -> App {
        let cfg = lm_core::config::Config::parse(toml, None).unwrap();
        let section: AuthzSection = cfg.section("authz").unwrap();
        self.settings = Settings::new(&section, &cfg.paths().unwrap().exclude).unwrap();
        self
    }

    fn run(&self) -> Vec<Finding> {
        crate::analyze(self.facts.clone(), self.roles.clone(), &self.settings)
    }
}

fn rules(f: &[Finding]) -> Vec<String> {
    f.iter().map(|x| x.rule.clone()).collect()
}

fn has(f: &[Finding], rule: &str) -> bool {
    f.iter().any(|x| x.rule == rule)
}

fn get<'a>(f: &'a [Finding], rule: &str) -> &'a Finding {
    f.iter()
        .find(|x| x.rule == rule)
        .unwrap_or_else(|| panic!("no {rule} in {:?}", rules(f)))
}

fn auth(method: &str, enforced: bool) -> FactData {
    FactData::AuthCheck(AuthCheck {
        method: method.into(),
        provider: "supabase".into(),
        user_var: Some("user".into()),
        enforced,
    })
}

fn filter(column: &str, source: Provenance, expr: &str) -> DbFilter {
    DbFilter {
        column: column.into(),
        op: "eq".into(),
        source,
        expr: expr.into(),
    }
}

fn db(lib: &str, kind: &str, op: &str, table: &str, filters: Vec<DbFilter>) -> FactData {
    FactData::DbAccess(DbAccess {
        library: lib.into(),
        client_kind: kind.into(),
        client_var: None,
        operation: op.into(),
        table: Some(table.into()),
        filters,
        values: Vec::new(),
    })
}

fn db_values(lib: &str, kind: &str, op: &str, table: &str, values: Vec<DbFilter>) -> FactData {
    FactData::DbAccess(DbAccess {
        library: lib.into(),
        client_kind: kind.into(),
        client_var: None,
        operation: op.into(),
        table: Some(table.into()),
        filters: Vec::new(),
        values,
    })
}

fn next_mw(matcher: &[&str], authenticates: bool) -> FactData {
    FactData::Middleware(Middleware {
        framework: "nextjs".into(),
        matcher: matcher.iter().map(|m| m.to_string()).collect(),
        names: vec!["middleware".into()],
        authenticates,
        rate_limits: false,
        order: 0,
        ..Default::default()
    })
}

const ORDERS: &str = "app/api/orders/route.ts";

fn orders_route() -> App {
    App::new()
        .route(ORDERS, "nextjs-app", "GET", "/api/orders", 5, 12)
        .inside(
            ORDERS,
            5,
            12,
            7,
            db("supabase", "service_role", "select", "orders", vec![]),
        )
}

// ---------------------------------------------------------------- authn.missing

#[test]
fn unauthenticated_service_role_read_is_reported_with_route_and_fix() {
    let f = orders_route().run();
    let x = get(&f, "authz.unauthenticated-route");
    assert_eq!(x.category, lm_core::Category::AuthnMissing);
    assert_eq!(x.severity, lm_core::Severity::High);
    assert!(x.message.contains("GET /api/orders"), "{}", x.message);
    assert!(x.message.contains("`orders`"), "{}", x.message);
    assert!(x.message.contains("service-role"), "{}", x.message);
    assert_eq!(x.line, 5);
}

#[test]
fn unauthenticated_service_role_write_is_critical() {
    let f = App::new()
        .route(ORDERS, "nextjs-app", "POST", "/api/orders", 5, 12)
        .inside(
            ORDERS,
            5,
            12,
            7,
            db("supabase", "service_role", "insert", "orders", vec![]),
        )
        .run();
    assert_eq!(
        get(&f, "authz.unauthenticated-route").severity,
        lm_core::Severity::Critical
    );
}

#[test]
fn auth_in_handler_wrapper_helper_or_middleware_is_safe() {
    // in the handler
    let f = orders_route()
        .inside(ORDERS, 5, 12, 6, auth("supabase.auth.getUser", true))
        .run();
    assert!(!has(&f, "authz.unauthenticated-route"), "{:?}", rules(&f));
    // in a shared wrapper defined in another file
    let f = App::new()
        .route_with(
            ORDERS,
            "nextjs-app",
            "GET",
            "/api/orders",
            5,
            12,
            &["withAuth"],
            &[],
        )
        .inside(
            ORDERS,
            5,
            12,
            7,
            db("supabase", "service_role", "select", "orders", vec![]),
        )
        .function("lib/with-auth.ts", "withAuth", true, 3, 15)
        .inside("lib/with-auth.ts", 3, 15, 5, auth("getServerSession", true))
        .run();
    assert!(!has(&f, "authz.unauthenticated-route"), "{:?}", rules(&f));
    // a same-file helper the handler calls
    let f = App::new()
        .route_with(
            ORDERS,
            "nextjs-app",
            "GET",
            "/api/orders",
            5,
            12,
            &[],
            &["loadUser"],
        )
        .inside(
            ORDERS,
            5,
            12,
            7,
            db("supabase", "service_role", "select", "orders", vec![]),
        )
        .function(ORDERS, "loadUser", false, 14, 20)
        .inside(ORDERS, 14, 20, 15, auth("supabase.auth.getUser", true))
        .run();
    assert!(!has(&f, "authz.unauthenticated-route"), "{:?}", rules(&f));
    // middleware.ts covering /api
    let f = orders_route()
        .module("middleware.ts", 3, next_mw(&["/api/:path*"], true))
        .run();
    assert!(!has(&f, "authz.unauthenticated-route"), "{:?}", rules(&f));
}

#[test]
fn middleware_whose_matcher_excludes_the_route_does_not_protect_it() {
    let f = orders_route()
        .module(
            "middleware.ts",
            3,
            next_mw(&["/((?!api|_next/static|_next/image|favicon.ico).*)"], true),
        )
        .run();
    let x = get(&f, "authz.unauthenticated-route");
    assert!(x.message.contains("does not cover"), "{}", x.message);
    // a middleware in another app of a monorepo does not cover this one
    let f = orders_route()
        .module("apps/admin/middleware.ts", 3, next_mw(&[], true))
        .run();
    assert!(has(&f, "authz.unauthenticated-route"));
}

#[test]
fn unenforced_session_read_is_reported_unless_queries_are_user_scoped() {
    let f = orders_route()
        .inside(ORDERS, 5, 12, 6, auth("supabase.auth.getUser", false))
        .run();
    assert!(has(&f, "authz.unenforced-auth-check"), "{:?}", rules(&f));
    let f = App::new()
        .route(ORDERS, "nextjs-app", "GET", "/api/orders", 5, 12)
        .inside(ORDERS, 5, 12, 6, auth("supabase.auth.getUser", false))
        .inside(
            ORDERS,
            5,
            12,
            7,
            db(
                "supabase",
                "service_role",
                "select",
                "orders",
                vec![filter("user_id", Provenance::User, "user.id")],
            ),
        )
        .run();
    assert!(!has(&f, "authz.unenforced-auth-check"), "{:?}", rules(&f));
}

#[test]
fn public_catalog_reads_rls_clients_health_and_cron_are_not_findings() {
    let p = "app/api/products/route.ts";
    let f = App::new()
        .route(p, "nextjs-app", "GET", "/api/products", 1, 9)
        .inside(
            p,
            1,
            9,
            3,
            db("prisma", "server", "select", "products", vec![]),
        )
        .run();
    assert!(f.is_empty(), "{:?}", rules(&f));
    let f = App::new()
        .route(ORDERS, "nextjs-app", "GET", "/api/orders", 5, 12)
        .inside(
            ORDERS,
            5,
            12,
            7,
            db("supabase", "user", "select", "orders", vec![]),
        )
        .run();
    assert!(f.is_empty(), "{:?}", rules(&f));
    let h = "app/api/health/route.ts";
    let f = App::new()
        .route(h, "nextjs-app", "GET", "/api/health", 1, 5)
        .inside(h, 1, 5, 2, db("pg", "server", "raw", "", vec![]))
        .run();
    assert!(f.is_empty(), "{:?}", rules(&f));
    let c = "app/api/cron/cleanup/route.ts";
    let f = App::new()
        .route(c, "nextjs-app", "GET", "/api/cron/cleanup", 1, 9)
        .inside(
            c,
            1,
            9,
            2,
            FactData::AuthCheck(AuthCheck {
                method: "authorization === `Bearer ${process.env.CRON_SECRET}`".into(),
                provider: "secret-header".into(),
                user_var: None,
                enforced: true,
            }),
        )
        .inside(
            c,
            1,
            9,
            4,
            db("supabase", "service_role", "delete", "sessions", vec![]),
        )
        .run();
    assert!(f.is_empty(), "{:?}", rules(&f));
}

#[test]
fn express_middleware_order_and_mounts() {
    let auth_mw = FactData::Middleware(Middleware {
        framework: "express".into(),
        matcher: vec!["/api".into()],
        names: vec!["requireAuth".into()],
        authenticates: true,
        rate_limits: false,
        order: 2,
        ..Default::default()
    });
    let app = |route_line: u64| {
        App::new()
            .module("server.js", 10, auth_mw.clone())
            .route(
                "server.js",
                "express",
                "GET",
                "/api/orders",
                route_line,
                route_line + 5,
            )
            .inside(
                "server.js",
                route_line,
                route_line + 5,
                route_line + 1,
                db(
                    "pg",
                    "server",
                    "select",
                    "orders",
                    vec![filter("user_id", Provenance::User, "req.user.id")],
                ),
            )
    };
    let f = app(20).run();
    assert!(f.is_empty(), "{:?}", f);
    assert!(has(&app(4).run(), "authz.unauthenticated-route"));
    // a router file mounted under /api by the app entry
    let f = App::new()
        .module("server.js", 10, auth_mw.clone())
        .route("routes/orders.js", "express", "GET", "/api/orders", 3, 9)
        .inside(
            "routes/orders.js",
            3,
            9,
            4,
            db(
                "mongoose",
                "server",
                "select",
                "Order",
                vec![filter("user", Provenance::User, "req.user.id")],
            ),
        )
        .run();
    assert!(f.is_empty(), "{:?}", rules(&f));
    // a router mounted on another prefix before the auth middleware is not covered
    let f = App::new()
        .module(
            "server.js",
            5,
            FactData::Middleware(Middleware {
                framework: "express".into(),
                matcher: vec!["/internal".into()],
                names: vec!["adminRouter".into()],
                authenticates: false,
                rate_limits: false,
                order: 1,
                ..Default::default()
            }),
        )
        .module("server.js", 10, auth_mw)
        .route("routes/admin.js", "express", "GET", "/orders", 3, 9)
        .inside(
            "routes/admin.js",
            3,
            9,
            4,
            db("mongoose", "server", "select", "Order", vec![]),
        )
        .run();
    assert!(has(&f, "authz.unauthenticated-route"));
}

#[test]
fn fastapi_dependency_and_flask_decorator_authenticate() {
    let p = "app/main.py";
    let base = |mw: &[&str]| {
        App::new()
            .route_with(p, "fastapi", "GET", "/items/{item_id}", 10, 20, mw, &[])
            .inside(
                p,
                10,
                20,
                12,
                db("sqlalchemy", "server", "select", "items", vec![]),
            )
            .run()
    };
    assert!(has(&base(&[]), "authz.unauthenticated-route"));
    assert!(!has(
        &base(&["Depends(get_current_user)"]),
        "authz.unauthenticated-route"
    ));
    let f = App::new()
        .route_with(
            "app.py",
            "flask",
            "POST",
            "/notes",
            5,
            15,
            &["login_required"],
            &[],
        )
        .inside(
            "app.py",
            5,
            15,
            7,
            db("sqlalchemy", "server", "insert", "notes", vec![]),
        )
        .run();
    assert!(!has(&f, "authz.unauthenticated-route"), "{:?}", rules(&f));
}

#[test]
fn edge_functions_verify_jwt_and_service_role() {
    let p = "supabase/functions/delete-account/index.ts";
    let app = || {
        App::new()
            .route(p, "supabase-edge", "POST", "/delete-account", 3, 30)
            .inside(
                p,
                3,
                30,
                10,
                db(
                    "supabase",
                    "service_role",
                    "delete",
                    "profiles",
                    vec![filter("id", Provenance::Request, "body.userId")],
                ),
            )
    };
    // verify_jwt default (on), no user check: the anon key passes verify_jwt.
    let f = app().run();
    let x = get(&f, "authz.service-role-edge-function");
    assert_eq!(x.severity, lm_core::Severity::Critical);
    assert!(!has(&f, "authz.unauthenticated-edge-function"));
    // verify_jwt = false in config.toml: unauthenticated.
    let f = app()
        .module(
            "supabase/config.toml",
            12,
            FactData::EdgeFunctionConfig(EdgeFunctionConfig {
                function: "delete-account".into(),
                verify_jwt: false,
            }),
        )
        .run();
    assert!(
        has(&f, "authz.unauthenticated-edge-function"),
        "{:?}",
        rules(&f)
    );
    // checking the user inside the function is enough for both.
    let f = app()
        .inside(p, 3, 30, 5, auth("supabase.auth.getUser", true))
        .run();
    assert!(
        !has(&f, "authz.service-role-edge-function"),
        "{:?}",
        rules(&f)
    );
    // a user-scoped client (RLS) without a check is fine.
    let f = App::new()
        .route(p, "supabase-edge", "POST", "/delete-account", 3, 30)
        .inside(
            p,
            3,
            30,
            10,
            db("supabase", "user", "select", "todos", vec![]),
        )
        .run();
    assert!(f.is_empty(), "{:?}", rules(&f));
}

#[test]
fn open_edge_functions_forwarding_the_service_role_key_are_unauthenticated() {
    let p = "supabase/functions/run-billing/index.ts";
    let env = |name: &str| {
        FactData::EnvRead(EnvRead {
            name: name.into(),
            context: "server".into(),
            accessor: "Deno.env.get".into(),
        })
    };
    let open = || {
        App::new()
            .module(
                "supabase/config.toml",
                4,
                FactData::EdgeFunctionConfig(EdgeFunctionConfig {
                    function: "run-billing".into(),
                    verify_jwt: false,
                }),
            )
            .route(p, "supabase-edge", "*", "/functions/v1/run-billing", 3, 30)
            .inside(p, 3, 30, 8, env("SUPABASE_URL"))
    };
    // calls another function with `Authorization: Bearer <service-role key>`
    let f = open()
        .inside(p, 3, 30, 11, env("SUPABASE_SERVICE_ROLE_KEY"))
        .run();
    let x = get(&f, "authz.unauthenticated-edge-function");
    assert_eq!(x.severity, lm_core::Severity::High);
    assert!(
        x.message.contains("SUPABASE_SERVICE_ROLE_KEY"),
        "{}",
        x.message
    );
    // the same call behind a shared-secret check (a scheduler's bearer token)
    let f = open()
        .inside(
            p,
            3,
            30,
            5,
            FactData::AuthCheck(AuthCheck {
                method: "req.headers.get(\"Authorization\") !== expected".into(),
                provider: "secret-header".into(),
                user_var: None,
                enforced: true,
            }),
        )
        .inside(p, 3, 30, 11, env("SUPABASE_SERVICE_ROLE_KEY"))
        .run();
    assert!(f.is_empty(), "{:?}", rules(&f));
    // the key builds a client in the handler that is never used; the anon key goes out
    let f = open()
        .inside(p, 3, 30, 9, env("SUPABASE_SERVICE_ROLE_KEY"))
        .inside(
            p,
            3,
            30,
            10,
            FactData::DbClient(DbClient {
                library: "supabase".into(),
                client_kind: "service_role".into(),
                var: Some("admin".into()),
                key_env: Some("SUPABASE_SERVICE_ROLE_KEY".into()),
            }),
        )
        .inside(p, 3, 30, 12, env("SUPABASE_ANON_KEY"))
        .run();
    assert!(f.is_empty(), "{:?}", rules(&f));
}

#[test]
fn helpers_handed_the_files_client_use_its_kind() {
    let p = "supabase/functions/sync-prices/index.ts";
    let client = |kind: &str, line: u64| {
        at(
            p,
            line,
            line,
            Some(&scope(40, 70)),
            FactData::DbClient(DbClient {
                library: "supabase".into(),
                client_kind: kind.into(),
                var: Some("supabase".into()),
                key_env: None,
            }),
        )
    };
    // `savePrices(supabase, rows)` defined above the handler, writing through its parameter
    let app = |kinds: &[&str]| {
        let mut app = App::new()
            .function(p, "savePrices", false, 5, 20)
            .inside(
                p,
                5,
                20,
                12,
                FactData::DbAccess(DbAccess {
                    library: "supabase".into(),
                    client_kind: "unknown".into(),
                    client_var: Some("supabase".into()),
                    operation: "upsert".into(),
                    table: Some("prices".into()),
                    filters: Vec::new(),
                    values: Vec::new(),
                }),
            )
            .route_with(
                p,
                "supabase-edge",
                "POST",
                "/sync-prices",
                40,
                70,
                &[],
                &["savePrices"],
            );
        for (i, k) in kinds.iter().enumerate() {
            app = app.fact(client(k, 45 + i as u64));
        }
        app.run()
    };
    let f = app(&["service_role"]);
    let x = get(&f, "authz.service-role-edge-function");
    assert!(x.message.contains("`prices`"), "{}", x.message);
    // the handler's client carries the caller's JWT: RLS applies
    let f = app(&["user"]);
    assert!(f.is_empty(), "{:?}", rules(&f));
    // two clients of that name with different rights: unknown which one is passed
    let f = app(&["user", "service_role"]);
    assert!(
        !has(&f, "authz.service-role-edge-function"),
        "{:?}",
        rules(&f)
    );
}

// ---------------------------------------------------------------- authz.missing-role

#[test]
fn admin_actions_need_a_role_check() {
    let p = "app/api/admin/users/route.ts";
    let app = || {
        App::new()
            .route(p, "nextjs-app", "DELETE", "/api/admin/users", 3, 20)
            .inside(p, 3, 20, 4, auth("supabase.auth.getUser", true))
            .inside(
                p,
                3,
                20,
                8,
                FactData::ExternalCall(ExternalCall {
                    service: "supabase-admin".into(),
                    api: "supabaseAdmin.auth.admin.deleteUser".into(),
                    paid_ai: false,
                    privileged: true,
                }),
            )
    };
    let f = app().run();
    let x = get(&f, "authz.missing-role");
    assert_eq!(x.severity, lm_core::Severity::Critical);
    assert!(x.message.contains("auth.admin.deleteUser"), "{}", x.message);
    let f = app()
        .inside(
            p,
            3,
            20,
            6,
            FactData::RoleCheck(RoleCheck {
                expr: "profile.role !== 'admin'".into(),
                role: Some("admin".into()),
                enforced: true,
            }),
        )
        .run();
    assert!(f.is_empty(), "{:?}", rules(&f));
    // a role guard wrapper also counts
    let f = App::new()
        .route_with(
            p,
            "nextjs-app",
            "GET",
            "/api/admin/users",
            3,
            20,
            &["withAdmin"],
            &[],
        )
        .inside(
            p,
            3,
            20,
            8,
            db("supabase", "service_role", "select", "users", vec![]),
        )
        .run();
    assert!(f.is_empty(), "{:?}", rules(&f));
}

#[test]
fn changing_a_role_from_request_data_is_privileged() {
    let p = "app/api/profile/route.ts";
    let f = App::new()
        .route(p, "nextjs-app", "PATCH", "/api/profile", 3, 20)
        .inside(p, 3, 20, 4, auth("supabase.auth.getUser", true))
        .inside(
            p,
            3,
            20,
            8,
            FactData::DbAccess(DbAccess {
                library: "supabase".into(),
                client_kind: "user".into(),
                client_var: None,
                operation: "update".into(),
                table: Some("profiles".into()),
                filters: vec![filter("id", Provenance::User, "user.id")],
                values: vec![filter("role", Provenance::Request, "body.role")],
            }),
        )
        .run();
    assert!(has(&f, "authz.missing-role"), "{:?}", rules(&f));
    // updating one's own display name is not
    let f = App::new()
        .route(p, "nextjs-app", "PATCH", "/api/profile", 3, 20)
        .inside(p, 3, 20, 4, auth("supabase.auth.getUser", true))
        .inside(
            p,
            3,
            20,
            8,
            FactData::DbAccess(DbAccess {
                library: "supabase".into(),
                client_kind: "user".into(),
                client_var: None,
                operation: "update".into(),
                table: Some("profiles".into()),
                filters: vec![filter("id", Provenance::User, "user.id")],
                values: vec![filter("full_name", Provenance::Request, "body.name")],
            }),
        )
        .run();
    assert!(f.is_empty(), "{:?}", rules(&f));
}

// ---------------------------------------------------------------- authz.bola

const PROJECT: &str = "app/api/projects/[id]/route.ts";

fn project_route(filters: Vec<DbFilter>, lib: &str, kind: &str) -> App {
    App::new()
        .route(PROJECT, "nextjs-app", "GET", "/api/projects/[id]", 3, 20)
        .inside(PROJECT, 3, 20, 4, auth("getServerSession", true))
        .inside(
            PROJECT,
            3,
            20,
            8,
            db(lib, kind, "select", "projects", filters),
        )
}

#[test]
fn object_by_request_id_without_owner_filter_is_bola() {
    let f = project_route(
        vec![filter("id", Provenance::Request, "params.id")],
        "prisma",
        "server",
    )
    .run();
    let x = get(&f, "authz.bola");
    assert!(
        x.message.contains("GET /api/projects/[id]"),
        "{}",
        x.message
    );
    assert!(x.message.contains("params.id"), "{}", x.message);
    assert!(x.message.contains("userId"), "{}", x.message);
    assert_eq!(x.line, 8);
    // validated (parseInt / zod) is still attacker-chosen
    let f = project_route(
        vec![filter("id", Provenance::Validated, "Number(params.id)")],
        "supabase",
        "service_role",
    )
    .run();
    assert!(has(&f, "authz.bola"));
}

#[test]
fn owner_filters_ownership_checks_and_rls_make_it_safe() {
    let safe = [
        project_route(
            vec![
                filter("id", Provenance::Request, "params.id"),
                filter("userId", Provenance::User, "session.user.id"),
            ],
            "prisma",
            "server",
        ),
        // tenant column from the database (membership lookup)
        project_route(
            vec![
                filter("id", Provenance::Request, "params.id"),
                filter("org_id", Provenance::Database, "membership.org_id"),
            ],
            "drizzle",
            "server",
        ),
        // user-scoped Supabase client: RLS decides
        project_route(
            vec![filter("id", Provenance::Request, "params.id")],
            "supabase",
            "user",
        ),
        // prior ownership check
        project_route(
            vec![filter("id", Provenance::Request, "params.id")],
            "prisma",
            "server",
        )
        .inside(
            PROJECT,
            3,
            20,
            10,
            FactData::RoleCheck(RoleCheck {
                expr: "project.ownerId !== session.user.id".into(),
                role: None,
                enforced: true,
            }),
        ),
    ];
    for app in safe {
        let f = app.run();
        assert!(!has(&f, "authz.bola"), "{:?}", rules(&f));
    }
    // configured tenant column
    let f = project_route(
        vec![
            filter("id", Provenance::Request, "params.id"),
            filter("space_ref", Provenance::User, "ctx.space"),
        ],
        "prisma",
        "server",
    )
    .settings("[authz]\ntenant_columns = [\"space_ref\"]\n")
    .run();
    assert!(!has(&f, "authz.bola"));
}

fn owner_check(line: u64, enforced: bool) -> Fact {
    at(
        PROJECT,
        line,
        line,
        Some(&scope(3, 20)),
        FactData::RoleCheck(RoleCheck {
            expr: "project.userId !== session.user.id".into(),
            role: Some("owner".into()),
            enforced,
        }),
    )
}

#[test]
fn owner_check_after_the_fetch_clears_bola_only_when_it_stops_and_follows() {
    let base = || {
        project_route(
            vec![filter("id", Provenance::Request, "params.id")],
            "prisma",
            "server",
        )
    };
    let f = base().fact(owner_check(9, true)).run();
    assert!(!has(&f, "authz.bola"), "{:?}", rules(&f));
    // a check that does not stop the handler
    let f = base().fact(owner_check(9, false)).run();
    assert!(has(&f, "authz.bola"), "{:?}", rules(&f));
    // a check before the row is loaded is about some other value
    let f = base().fact(owner_check(6, true)).run();
    assert!(has(&f, "authz.bola"), "{:?}", rules(&f));
    // a check in another function of the file
    let mut other = owner_check(30, true);
    other.scope = Some(scope(25, 40));
    let f = base().fact(other).run();
    assert!(has(&f, "authz.bola"), "{:?}", rules(&f));
}

#[test]
fn rows_reached_through_an_id_already_checked_against_the_caller_are_not_bola() {
    let del = |line: u64, table: &str, column: &str, expr: &str| {
        (
            line,
            db(
                "supabase",
                "service_role",
                "delete",
                table,
                vec![filter(column, Provenance::Request, expr)],
            ),
        )
    };
    let run = |first: Vec<DbFilter>, check: bool, later: (u64, FactData)| {
        let mut app = project_route(first, "supabase", "service_role");
        if check {
            app = app.fact(owner_check(9, true));
        }
        app.inside(PROJECT, 3, 20, later.0, later.1).run()
    };
    let by_id = || vec![filter("id", Provenance::Request, "params.id")];
    // the project's owner was checked: its tasks and the project itself may go
    let f = run(by_id(), true, del(12, "tasks", "project_id", "params.id"));
    assert!(!has(&f, "authz.bola"), "{:?}", rules(&f));
    let f = run(by_id(), true, del(14, "projects", "id", "params.id"));
    assert!(!has(&f, "authz.bola"), "{:?}", rules(&f));
    // looked up together with the caller's id
    let scoped = vec![
        filter("id", Provenance::Request, "params.id"),
        filter("owner_id", Provenance::User, "user.id"),
    ];
    let f = run(scoped, false, del(12, "tasks", "project_id", "params.id"));
    assert!(!has(&f, "authz.bola"), "{:?}", rules(&f));
    // another id from the request was never checked
    let f = run(by_id(), true, del(12, "tasks", "id", "body.taskId"));
    assert!(has(&f, "authz.bola"), "{:?}", rules(&f));
    // no check at all
    let f = run(by_id(), false, del(12, "tasks", "project_id", "params.id"));
    assert!(has(&f, "authz.bola"), "{:?}", rules(&f));
}

fn by(column: &str, expr: &str) -> Vec<DbFilter> {
    vec![filter(column, Provenance::Request, expr)]
}

fn bolas(f: &[Finding]) -> Vec<&Finding> {
    f.iter().filter(|x| x.rule == "authz.bola").collect()
}

#[test]
fn one_handler_reading_several_tables_by_one_id_is_one_bola_finding() {
    let p = "app/api/deals/[id]/route.ts";
    let sr = |op: &str, table: &str, column: &str| {
        db(
            "supabase",
            "service_role",
            op,
            table,
            by(column, "params.id"),
        )
    };
    let app = || {
        App::new()
            .route(p, "nextjs-app", "GET", "/api/deals/[id]", 3, 40)
            .inside(p, 3, 40, 4, auth("supabase.auth.getUser", true))
            .inside(p, 3, 40, 8, sr("select", "deals", "id"))
    };
    // the fingerprint of the first access alone, before anything else is added
    let alone = get(&app().run(), "authz.bola").fingerprint.clone();
    let f = app()
        .inside(p, 3, 40, 14, sr("select", "meetings", "deal_id"))
        .inside(p, 3, 40, 20, sr("update", "deal_notes", "deal_id"))
        .run();
    let b = bolas(&f);
    assert_eq!(b.len(), 1, "{b:?}");
    let x = b[0];
    assert_eq!(x.line, 8);
    assert_eq!(x.fingerprint, alone);
    // the highest severity of the group (the update)
    assert_eq!(x.severity, lm_core::Severity::High);
    assert!(x.message.contains("`meetings`"), "{}", x.message);
    assert!(
        x.message.contains("`deal_notes` by `deal_id` (line 20)"),
        "{}",
        x.message
    );
    let acc = x.details["accesses"].as_array().unwrap();
    let tables: Vec<&str> = acc.iter().map(|a| a["table"].as_str().unwrap()).collect();
    assert_eq!(tables, ["deals", "meetings", "deal_notes"]);
    assert_eq!(acc[1]["line"], 14);
    // the same shape in a Python handler
    let py = "api/main.py";
    let pr = |table: &str, column: &str| {
        db(
            "supabase",
            "service_role",
            "select",
            table,
            by(column, "ticket_id"),
        )
    };
    let f = App::new()
        .route(py, "fastapi", "GET", "/tickets/{ticket_id}", 10, 30)
        .inside(py, 10, 30, 11, auth("get_current_user", true))
        .inside(py, 10, 30, 12, pr("tickets", "id"))
        .inside(py, 10, 30, 15, pr("ticket_replies", "ticket_id"))
        .run();
    let b = bolas(&f);
    assert_eq!(b.len(), 1, "{b:?}");
    assert_eq!(b[0].line, 12);
    assert!(
        b[0].message.contains("`ticket_replies`"),
        "{}",
        b[0].message
    );
}

#[test]
fn separate_handlers_and_separate_ids_stay_separate_bola_findings() {
    let p = "app/api/deals/[id]/route.ts";
    let sr = |op: &str, table: &str, expr: &str| {
        db("supabase", "service_role", op, table, by("id", expr))
    };
    // two handlers of one file, each reading by the route's id
    let f = App::new()
        .route(p, "nextjs-app", "GET", "/api/deals/[id]", 3, 12)
        .inside(p, 3, 12, 4, auth("supabase.auth.getUser", true))
        .inside(p, 3, 12, 6, sr("select", "deals", "params.id"))
        .route(p, "nextjs-app", "DELETE", "/api/deals/[id]", 14, 24)
        .inside(p, 14, 24, 15, auth("supabase.auth.getUser", true))
        .inside(p, 14, 24, 17, sr("delete", "deals", "params.id"))
        .run();
    let b = bolas(&f);
    assert_eq!(b.len(), 2, "{b:?}");
    // two ids in one handler: the organization and the member are two questions
    let q = "app/api/orgs/[orgId]/members/[memberId]/route.ts";
    let f = App::new()
        .route(
            q,
            "nextjs-app",
            "DELETE",
            "/api/orgs/[orgId]/members/[memberId]",
            3,
            20,
        )
        .inside(q, 3, 20, 4, auth("supabase.auth.getUser", true))
        .inside(q, 3, 20, 6, sr("select", "organizations", "params.orgId"))
        .inside(q, 3, 20, 9, sr("delete", "memberships", "params.memberId"))
        .run();
    let b = bolas(&f);
    assert_eq!(b.len(), 2, "{b:?}");
    assert!(
        b.iter().all(|x| !x.details.contains_key("accesses")),
        "{b:?}"
    );
    let lines: Vec<u64> = b.iter().map(|x| x.line).collect();
    assert_eq!(lines, [6, 9]);
}

#[test]
fn refusing_the_callers_own_row_clears_reads_by_id_never_writes() {
    let p = "app/api/listings/buy/route.ts";
    let refuse = at(
        p,
        12,
        12,
        Some(&scope(3, 30)),
        FactData::RoleCheck(RoleCheck {
            expr: "listing.seller_id === user.id".into(),
            role: Some("not-owner".into()),
            enforced: true,
        }),
    );
    let app = |op: &str| {
        App::new()
            .route(p, "nextjs-app", "POST", "/api/listings/buy", 3, 30)
            .inside(p, 3, 30, 4, auth("supabase.auth.getUser", true))
            .inside(
                p,
                3,
                30,
                8,
                db(
                    "supabase",
                    "service_role",
                    op,
                    "listings",
                    by("id", "listingId"),
                ),
            )
    };
    // buying someone else's listing is the point of the route, and it is not a role
    let f = app("select").fact(refuse.clone()).run();
    assert!(!has(&f, "authz.bola"), "{:?}", rules(&f));
    assert!(!has(&f, "authz.missing-role"), "{:?}", rules(&f));
    // without the refusal the read is still reported
    assert!(has(&app("select").run(), "authz.bola"));
    // "you cannot remove yourself" before deleting any row by id is no ownership check
    let f = app("delete").fact(refuse).run();
    assert!(has(&f, "authz.bola"), "{:?}", rules(&f));
}

#[test]
fn owner_check_is_not_a_role() {
    let p = "app/api/admin/users/route.ts";
    let f = App::new()
        .route(p, "nextjs-app", "DELETE", "/api/admin/users", 3, 20)
        .inside(p, 3, 20, 4, auth("supabase.auth.getUser", true))
        .inside(
            p,
            3,
            20,
            6,
            FactData::RoleCheck(RoleCheck {
                expr: "org.ownerId !== user.id".into(),
                role: Some("owner".into()),
                enforced: true,
            }),
        )
        .inside(
            p,
            3,
            20,
            8,
            FactData::ExternalCall(ExternalCall {
                service: "supabase-admin".into(),
                api: "supabaseAdmin.auth.admin.deleteUser".into(),
                paid_ai: false,
                privileged: true,
            }),
        )
        .run();
    assert!(has(&f, "authz.missing-role"), "{:?}", rules(&f));
}

#[test]
fn owner_taken_from_the_request_body_is_reported() {
    let p = "app/api/posts/route.ts";
    let f = App::new()
        .route(p, "nextjs-app", "POST", "/api/posts", 3, 20)
        .inside(p, 3, 20, 4, auth("auth", true))
        .inside(
            p,
            3,
            20,
            8,
            db_values(
                "prisma",
                "server",
                "insert",
                "notes",
                vec![
                    filter("title", Provenance::Request, "body.title"),
                    filter("userId", Provenance::Request, "body.userId"),
                ],
            ),
        )
        .run();
    assert!(has(&f, "authz.owner-from-request"), "{:?}", rules(&f));
    let f = App::new()
        .route(p, "nextjs-app", "POST", "/api/posts", 3, 20)
        .inside(p, 3, 20, 4, auth("auth", true))
        .inside(
            p,
            3,
            20,
            8,
            db_values(
                "prisma",
                "server",
                "insert",
                "notes",
                vec![
                    filter("title", Provenance::Request, "body.title"),
                    filter("userId", Provenance::User, "session.user.id"),
                ],
            ),
        )
        .run();
    assert!(f.is_empty(), "{:?}", rules(&f));
}

// ---------------------------------------------------------------- service role in client

#[test]
fn service_role_client_in_browser_code() {
    let client = FactData::DbClient(DbClient {
        library: "supabase".into(),
        client_kind: "service_role".into(),
        var: Some("supabaseAdmin".into()),
        key_env: Some("VITE_SUPABASE_SERVICE_ROLE_KEY".into()),
    });
    let f = App::new()
        .role("src/lib/admin.ts", Role::Client)
        .module("src/lib/admin.ts", 4, client.clone())
        .run();
    let x = get(&f, "authz.service-role-in-client");
    assert_eq!(x.severity, lm_core::Severity::Critical);
    let f = App::new()
        .role("src/lib/admin.ts", Role::Server)
        .module("src/lib/admin.ts", 4, client)
        .run();
    assert!(f.is_empty(), "{:?}", rules(&f));
}

// ---------------------------------------------------------------- db.*

const M1: &str = "supabase/migrations/20240101000000_init.sql";
const M2: &str = "supabase/migrations/20240201000000_rls.sql";

fn table(name: &str, cols: &[&str], order: u32) -> FactData {
    FactData::SqlTable(SqlTable {
        schema: "public".into(),
        name: name.into(),
        columns: cols.iter().map(|c| c.to_string()).collect(),
        if_not_exists: false,
        action: "create".into(),
        order,
    })
}

fn rls(name: &str, order: u32) -> FactData {
    FactData::SqlRls(SqlRls {
        schema: "public".into(),
        table: name.into(),
        action: "enable".into(),
        order,
    })
}

fn policy(
    table: &str,
    name: &str,
    cmd: &str,
    roles: &[&str],
    using: Option<&str>,
    check: Option<&str>,
    order: u32,
) -> FactData {
    FactData::SqlPolicy(SqlPolicy {
        schema: "public".into(),
        table: table.into(),
        name: name.into(),
        action: "create".into(),
        command: cmd.into(),
        roles: roles.iter().map(|r| r.to_string()).collect(),
        using: using.map(String::from),
        with_check: check.map(String::from),
        permissive: true,
        order,
    })
}

#[test]
fn table_without_rls_is_reported_unless_a_later_migration_enables_it() {
    let app = App::new().module(M1, 3, table("todos", &["id", "user_id", "title"], 0));
    let f = app.run();
    let x = get(&f, "authz.rls-disabled");
    assert_eq!(x.path, M1);
    assert!(x.message.contains("public.todos"));
    let f = App::new()
        .module(M1, 3, table("todos", &["id", "user_id", "title"], 0))
        .module(M2, 1, rls("todos", 0))
        .module(
            M2,
            2,
            policy(
                "todos",
                "own",
                "all",
                &["authenticated"],
                Some("auth.uid() = user_id"),
                None,
                1,
            ),
        )
        .run();
    assert!(f.is_empty(), "{:?}", rules(&f));
}

#[test]
fn non_supabase_migrations_are_not_judged_for_rls() {
    let f = App::new()
        .module(
            "prisma/migrations/001/migration.sql",
            3,
            table("todos", &["id"], 0),
        )
        .run();
    assert!(f.is_empty(), "{:?}", rules(&f));
}

#[test]
fn permissive_policies_judged_by_command_audience_and_table() {
    let base = || {
        App::new()
            .module(M1, 1, table("todos", &["id", "user_id", "title"], 0))
            .module(M1, 2, rls("todos", 1))
            .module(M1, 3, table("waitlist", &["id", "email"], 2))
            .module(M1, 4, rls("waitlist", 3))
            .module(M1, 5, table("products", &["id", "name", "price"], 4))
            .module(M1, 6, rls("products", 5))
    };
    let f = base()
        .module(
            M1,
            10,
            policy(
                "todos",
                "anyone writes",
                "insert",
                &["anon"],
                None,
                Some("true"),
                6,
            ),
        )
        .run();
    let x = get(&f, "authz.rls-permissive-write");
    assert_eq!(x.severity, lm_core::Severity::Critical);
    assert_eq!(x.line, 10);
    // insert-only waitlist and public catalog reads are by design
    let f = base()
        .module(
            M1,
            10,
            policy(
                "waitlist",
                "join",
                "insert",
                &["anon"],
                None,
                Some("true"),
                6,
            ),
        )
        .module(
            M1,
            11,
            policy("products", "read", "select", &[], Some("true"), None, 7),
        )
        .run();
    assert!(f.is_empty(), "{:?}", rules(&f));
    // "any signed-in user" on update
    let f = base()
        .module(
            M1,
            10,
            policy(
                "todos",
                "auth update",
                "update",
                &["authenticated"],
                Some("auth.role() = 'authenticated'"),
                None,
                6,
            ),
        )
        .run();
    let x = get(&f, "authz.rls-permissive-write");
    assert!(x.message.contains("any signed-in user"), "{}", x.message);
}

#[test]
fn open_reads_depend_on_columns_and_intent() {
    let profiles = |cols: &[&str], name: &str| {
        App::new()
            .module(M1, 1, table("profiles", cols, 0))
            .module(M1, 2, rls("profiles", 1))
            .module(
                M1,
                3,
                policy("profiles", name, "select", &[], Some("true"), None, 2),
            )
            .run()
    };
    // Supabase's quickstart: public profile columns, intent in the name.
    let f = profiles(
        &["id", "username", "full_name", "avatar_url", "website"],
        "Public profiles are viewable by everyone.",
    );
    assert!(f.is_empty(), "{:?}", rules(&f));
    // personal columns: reported, naming them
    let f = profiles(
        &["id", "username", "email", "phone"],
        "Public profiles are viewable by everyone.",
    );
    let x = get(&f, "authz.rls-permissive-read");
    assert!(x.message.contains("`email`"), "{}", x.message);
    // per-user rows behind the dashboard's generic template name
    let f = App::new()
        .module(M1, 1, table("todos", &["id", "user_id", "title"], 0))
        .module(M1, 2, rls("todos", 1))
        .module(
            M1,
            3,
            policy(
                "todos",
                "Enable read access for all users",
                "select",
                &[],
                Some("true"),
                None,
                2,
            ),
        )
        .run();
    assert!(has(&f, "authz.rls-permissive-read"), "{:?}", rules(&f));
}

#[test]
fn security_definer_functions_reading_the_callers_id_act_for_the_caller() {
    let m = "supabase/migrations/20240601000000_members.sql";
    let func = |name: &str, line: u64, end: u64, order: u32| {
        at(
            m,
            line,
            end,
            None,
            FactData::SqlFunction(SqlFunction {
                schema: "public".into(),
                name: name.into(),
                security_definer: true,
                search_path_set: true,
                returns: Some("void".into()),
                action: "create".into(),
                order,
            }),
        )
    };
    let uid = |line: u64, a: u64, b: u64| {
        at(
            m,
            line,
            line,
            Some(&scope(a, b)),
            FactData::AuthCheck(AuthCheck {
                method: "auth.uid()".into(),
                provider: "supabase".into(),
                user_var: None,
                enforced: false,
            }),
        )
    };
    // `leave_team` deletes only the caller's membership; `remove_member` deletes anyone's.
    let f = App::new()
        .fact(func("leave_team", 1, 12, 0))
        .fact(uid(8, 1, 12))
        .fact(func("remove_member", 14, 24, 1))
        .run();
    let exposed: Vec<&Finding> = f
        .iter()
        .filter(|x| x.rule == "authz.security-definer-exposed")
        .collect();
    assert_eq!(exposed.len(), 1, "{:?}", rules(&f));
    assert!(exposed[0].message.contains("remove_member"));
    // the same check in another file says nothing about this one
    let f = App::new()
        .fact(func("leave_team", 1, 12, 0))
        .fact(at(
            "supabase/migrations/20240701000000_other.sql",
            8,
            8,
            Some(&scope(1, 12)),
            FactData::AuthCheck(AuthCheck {
                method: "auth.uid()".into(),
                provider: "supabase".into(),
                user_var: None,
                enforced: false,
            }),
        ))
        .run();
    assert!(has(&f, "authz.security-definer-exposed"), "{:?}", rules(&f));
}

#[test]
fn user_metadata_views_and_security_definer_functions() {
    let f = App::new()
        .module(M1, 1, table("docs", &["id", "owner"], 0))
        .module(M1, 2, rls("docs", 1))
        .module(
            M1,
            3,
            policy(
                "docs",
                "admins",
                "all",
                &["authenticated"],
                Some("(auth.jwt() -> 'user_metadata' ->> 'role') = 'admin'"),
                None,
                2,
            ),
        )
        .module(
            M1,
            10,
            FactData::SqlView(SqlView {
                schema: "public".into(),
                name: "docs_summary".into(),
                security_invoker: false,
                tables: vec!["public.docs".into()],
                action: "create".into(),
                order: 3,
            }),
        )
        .module(
            M1,
            20,
            FactData::SqlFunction(SqlFunction {
                schema: "public".into(),
                name: "grant_credits".into(),
                security_definer: true,
                search_path_set: false,
                returns: None,
                action: "create".into(),
                order: 4,
            }),
        )
        .module(
            M1,
            30,
            FactData::SqlFunction(SqlFunction {
                schema: "public".into(),
                name: "handle_new_user".into(),
                security_definer: true,
                search_path_set: true,
                returns: Some("trigger".into()),
                action: "create".into(),
                order: 5,
            }),
        )
        .run();
    assert!(has(&f, "authz.rls-trusts-user-metadata"), "{:?}", rules(&f));
    assert!(has(&f, "authz.view-bypasses-rls"));
    let x = get(&f, "authz.security-definer-exposed");
    assert!(x.message.contains("grant_credits"));
    assert_eq!(
        f.iter()
            .filter(|x| x.rule == "authz.security-definer-exposed")
            .count(),
        1
    );
    // safe: invoker view, revoked function
    let f = App::new()
        .module(M1, 1, table("docs", &["id", "owner"], 0))
        .module(M1, 2, rls("docs", 1))
        .module(
            M1,
            3,
            policy(
                "docs",
                "own",
                "all",
                &["authenticated"],
                Some("auth.uid() = owner"),
                None,
                2,
            ),
        )
        .module(
            M1,
            10,
            FactData::SqlView(SqlView {
                schema: "public".into(),
                name: "docs_summary".into(),
                security_invoker: true,
                tables: vec!["public.docs".into()],
                action: "create".into(),
                order: 3,
            }),
        )
        .module(
            M1,
            20,
            FactData::SqlFunction(SqlFunction {
                schema: "public".into(),
                name: "grant_credits".into(),
                security_definer: true,
                search_path_set: true,
                returns: None,
                action: "create".into(),
                order: 4,
            }),
        )
        .module(
            M1,
            21,
            FactData::SqlGrant(SqlGrant {
                grant: false,
                privileges: vec!["execute".into()],
                object_kind: "function".into(),
                object: "public.grant_credits".into(),
                roles: vec!["public".into(), "anon".into()],
                order: 5,
            }),
        )
        .run();
    assert!(f.is_empty(), "{:?}", rules(&f));
}

#[test]
fn rls_without_policy_matters_only_when_clients_write() {
    let base = || {
        App::new()
            .module(M1, 1, table("audit_log", &["id", "user_id"], 0))
            .module(M1, 2, rls("audit_log", 1))
    };
    assert!(base().run().is_empty());
    let f = base()
        .role("src/pages/Log.tsx", Role::Client)
        .module(
            "src/pages/Log.tsx",
            9,
            db("supabase", "anon", "insert", "audit_log", vec![]),
        )
        .run();
    assert!(has(&f, "authz.rls-no-policy"), "{:?}", rules(&f));
    let f = base()
        .module(
            "supabase/functions/log/index.ts",
            9,
            db("supabase", "service_role", "insert", "audit_log", vec![]),
        )
        .run();
    assert!(!has(&f, "authz.rls-no-policy"), "{:?}", rules(&f));
}

// ---------------------------------------------------------------- webhooks

fn hook(verified: bool, side: bool, idem: bool) -> FactData {
    FactData::Webhook(Webhook {
        provider: "stripe".into(),
        verified,
        verify_method: verified.then(|| "stripe.webhooks.constructEvent".into()),
        verify_line: None,
        payload_used_before_verify: false,
        timing_safe: None,
        fails_open: false,
        side_effects: side,
        idempotent: idem,
        idempotency_evidence: None,
    })
}

#[test]
fn webhooks_unverified_flawed_and_not_idempotent() {
    let p = "app/api/webhooks/stripe/route.ts";
    let app = |w: FactData| {
        App::new()
            .route(p, "nextjs-app", "POST", "/api/webhooks/stripe", 3, 40)
            .inside(p, 3, 40, 5, w)
            .inside(
                p,
                3,
                40,
                20,
                db(
                    "supabase",
                    "service_role",
                    "update",
                    "subscriptions",
                    vec![],
                ),
            )
            .run()
    };
    let f = app(hook(false, true, false));
    let x = get(&f, "authz.webhook-unverified");
    assert_eq!(x.severity, lm_core::Severity::Critical);
    assert!(
        x.message.contains("POST /api/webhooks/stripe"),
        "{}",
        x.message
    );
    // webhook routes are judged by the webhook rules, not as unauthenticated routes
    assert!(!has(&f, "authz.unauthenticated-route"));
    let f = app(hook(true, true, false));
    assert_eq!(rules(&f), vec!["authz.webhook-not-idempotent"]);
    let f = app(hook(true, true, true));
    assert!(f.is_empty(), "{:?}", rules(&f));
    let mut w = hook(true, true, true);
    if let FactData::Webhook(ref mut x) = w {
        x.timing_safe = Some(false);
        x.fails_open = true;
    }
    let f = app(w);
    assert!(has(&f, "authz.webhook-timing-unsafe"));
    assert!(has(&f, "authz.webhook-fails-open"));
}

// ---------------------------------------------------------------- rate limits

#[test]
fn signup_named_routes_that_require_a_session_are_not_signup_flows() {
    let p = "supabase/functions/send-signup-invite/index.ts";
    let invite = || {
        App::new()
            .route(p, "supabase-edge", "POST", "/send-signup-invite", 3, 40)
            .inside(
                p,
                3,
                40,
                20,
                db("supabase", "service_role", "insert", "invitations", vec![]),
            )
    };
    // nobody signed in: a sign-up endpoint that anyone can hammer
    let f = invite().run();
    assert!(has(&f, "authz.ratelimit-auth"), "{:?}", rules(&f));
    // the handler verifies the caller first: an invite sent by a signed-in user
    let f = invite()
        .inside(p, 3, 40, 6, auth("supabase.auth.getUser", true))
        .run();
    assert!(!has(&f, "authz.ratelimit-auth"), "{:?}", rules(&f));
    // a second factor is checked for a signed-in user and still needs a limit
    let q = "supabase/functions/verify-otp/index.ts";
    let f = App::new()
        .route(q, "supabase-edge", "POST", "/verify-otp", 3, 40)
        .inside(q, 3, 40, 6, auth("supabase.auth.getUser", true))
        .inside(
            q,
            3,
            40,
            12,
            db(
                "supabase",
                "service_role",
                "select",
                "user_totp_secrets",
                vec![],
            ),
        )
        .run();
    assert!(has(&f, "authz.ratelimit-auth"), "{:?}", rules(&f));
}

#[test]
fn code_checks_that_read_their_own_lockout_state_are_throttled() {
    let p = "supabase/functions/verify-2fa-code/index.ts";
    let verify = || {
        App::new()
            .route(p, "supabase-edge", "POST", "/verify-2fa-code", 3, 60)
            .inside(p, 3, 60, 6, auth("supabase.auth.getUser", true))
            .inside(
                p,
                3,
                60,
                20,
                db(
                    "supabase",
                    "service_role",
                    "select",
                    "user_totp_secrets",
                    vec![],
                ),
            )
            .inside(
                p,
                3,
                60,
                30,
                db("supabase", "service_role", "insert", "mfa_attempts", vec![]),
            )
    };
    // logging attempts alone does not stop guessing
    let f = verify().run();
    assert!(has(&f, "authz.ratelimit-auth"), "{:?}", rules(&f));
    // asking whether the account is locked before checking the code does
    let f = verify()
        .inside(
            p,
            3,
            60,
            12,
            db("supabase", "service_role", "rpc", "is_mfa_locked", vec![]),
        )
        .run();
    assert!(!has(&f, "authz.ratelimit-auth"), "{:?}", rules(&f));
    // so does counting recent failures
    let f = verify()
        .inside(
            p,
            3,
            60,
            12,
            db("supabase", "service_role", "select", "mfa_attempts", vec![]),
        )
        .run();
    assert!(!has(&f, "authz.ratelimit-auth"), "{:?}", rules(&f));
}

#[test]
fn login_and_paid_ai_routes_need_rate_limits() {
    let p = "app/api/auth/login/route.ts";
    let login = || {
        App::new()
            .route(p, "nextjs-app", "POST", "/api/auth/login", 3, 20)
            .inside(
                p,
                3,
                20,
                6,
                FactData::ExternalCall(ExternalCall {
                    service: "supabase".into(),
                    api: "supabase.auth.signInWithPassword".into(),
                    paid_ai: false,
                    privileged: false,
                }),
            )
    };
    let f = login().run();
    assert_eq!(rules(&f), vec!["authz.ratelimit-auth"]);
    let f = login()
        .inside(
            p,
            3,
            20,
            4,
            FactData::RateLimit(RateLimit {
                method: "ratelimit.limit".into(),
            }),
        )
        .run();
    assert!(f.is_empty(), "{:?}", rules(&f));
    // a limiter in middleware covering the route
    let f = login()
        .module(
            "middleware.ts",
            2,
            FactData::Middleware(Middleware {
                framework: "nextjs".into(),
                matcher: vec!["/api/auth/:path*".into()],
                names: vec!["middleware".into()],
                authenticates: false,
                rate_limits: true,
                order: 0,
                ..Default::default()
            }),
        )
        .run();
    assert!(f.is_empty(), "{:?}", rules(&f));
    let c = "app/api/chat/route.ts";
    let chat = |limited: bool| {
        let app = App::new()
            .route(c, "nextjs-app", "POST", "/api/chat", 3, 20)
            .inside(c, 3, 20, 4, auth("auth", true))
            .inside(
                c,
                3,
                20,
                9,
                FactData::ExternalCall(ExternalCall {
                    service: "openai".into(),
                    api: "openai.chat.completions.create".into(),
                    paid_ai: true,
                    privileged: false,
                }),
            );
        let app = if limited {
            app.inside(
                c,
                3,
                20,
                5,
                FactData::RateLimit(RateLimit {
                    method: "ratelimit.limit".into(),
                }),
            )
        } else {
            app
        };
        app.run()
    };
    assert_eq!(rules(&chat(false)), vec!["authz.ratelimit-paid-ai"]);
    assert!(chat(true).is_empty());
    // OAuth callbacks are not sign-in forms
    let cb = "app/auth/callback/route.ts";
    let f = App::new()
        .route(cb, "nextjs-app", "GET", "/auth/callback", 1, 9)
        .inside(
            cb,
            1,
            9,
            3,
            FactData::ExternalCall(ExternalCall {
                service: "supabase".into(),
                api: "supabase.auth.exchangeCodeForSession".into(),
                paid_ai: false,
                privileged: false,
            }),
        )
        .run();
    assert!(f.is_empty(), "{:?}", rules(&f));
}

// ---------------------------------------------------------------- CORS

fn cors(origin: &str, credentials: bool) -> FactData {
    FactData::Cors(Cors {
        allow_origin: origin.into(),
        credentials,
        mechanism: "header".into(),
    })
}

#[test]
fn cors_reflection_credentials_and_edge_wildcards() {
    let f = App::new()
        .module("server.js", 5, cors("reflect", true))
        .run();
    assert_eq!(
        get(&f, "authz.cors-reflected-credentials").severity,
        lm_core::Severity::High
    );
    assert!(App::new()
        .module("server.js", 5, cors("*", false))
        .run()
        .is_empty());
    assert!(App::new()
        .module("server.js", 5, cors("https://app.example.com", true))
        .run()
        .is_empty());
    let p = "supabase/functions/get-notes/index.ts";
    let edge = |data: bool| {
        let app = App::new()
            .module(p, 1, cors("*", false))
            .route(p, "supabase-edge", "POST", "/get-notes", 5, 30)
            .inside(p, 5, 30, 8, auth("supabase.auth.getUser", true));
        let app = if data {
            app.inside(
                p,
                5,
                30,
                12,
                db("supabase", "user", "select", "notes", vec![]),
            )
        } else {
            app
        };
        app.run()
    };
    let f = edge(true);
    assert_eq!(
        get(&f, "authz.cors-wildcard-edge-function").severity,
        lm_core::Severity::Low
    );
    assert!(edge(false).is_empty());
    // behind `verify_jwt` only, with no user check: the anon key already opens it to
    // every site, the wildcard changes nothing
    let f = App::new()
        .module(p, 1, cors("*", false))
        .route(p, "supabase-edge", "POST", "/get-notes", 5, 30)
        .inside(
            p,
            5,
            30,
            12,
            db("supabase", "user", "select", "notes", vec![]),
        )
        .run();
    assert!(
        !has(&f, "authz.cors-wildcard-edge-function"),
        "{:?}",
        rules(&f)
    );
}

// ---------------------------------------------------------------- config, fingerprints

#[test]
fn config_public_routes_disable_and_exclude() {
    let f = orders_route()
        .settings("[authz]\npublic_routes = [\"/api/orders\"]\n")
        .run();
    assert!(f.is_empty());
    let f = orders_route()
        .settings("[authz]\ndisable = [\"authz.unauthenticated-route\"]\n")
        .run();
    assert!(f.is_empty());
    let f = orders_route()
        .settings("[paths]\nexclude = [\"app/api/**\"]\n")
        .run();
    assert!(f.is_empty());
    let f = orders_route()
        .route_with(
            ORDERS,
            "nextjs-app",
            "POST",
            "/api/orders2",
            30,
            40,
            &["guardTeam"],
            &[],
        )
        .inside(
            ORDERS,
            30,
            40,
            31,
            db("pg", "server", "insert", "orders", vec![]),
        )
        .settings("[authz]\nauth_helpers = [\"guardTeam\"]\n")
        .run();
    assert_eq!(f.len(), 1, "{:?}", rules(&f));
}

#[test]
fn fingerprints_survive_line_shifts_and_every_finding_is_complete() {
    let shift = |d: u64| {
        App::new()
            .route(ORDERS, "nextjs-app", "GET", "/api/orders", 5 + d, 12 + d)
            .inside(
                ORDERS,
                5 + d,
                12 + d,
                7 + d,
                db("supabase", "service_role", "select", "orders", vec![]),
            )
            .run()
    };
    let (a, b) = (shift(0), shift(10));
    assert_eq!(a[0].fingerprint, b[0].fingerprint);
    assert_ne!(a[0].line, b[0].line);
    for x in a {
        assert_eq!(x.fingerprint.len(), 16);
        assert!(x.cwe.is_some());
        assert!(x.end_line >= x.line);
        assert!(!x.message.is_empty());
    }
}

// ---------------------------------------------------------------- adaptations to real apps

#[test]
fn secret_token_lookups_authenticate_public_links() {
    let p = "supabase/functions/confirm/index.ts";
    let app = |column: &str| {
        App::new()
            .module(
                "supabase/config.toml",
                3,
                FactData::EdgeFunctionConfig(EdgeFunctionConfig {
                    function: "confirm".into(),
                    verify_jwt: false,
                }),
            )
            .route(p, "supabase-edge", "POST", "/confirm", 3, 40)
            .inside(
                p,
                3,
                40,
                8,
                db(
                    "supabase",
                    "service_role",
                    "select",
                    "confirmation_tokens",
                    vec![filter(column, Provenance::Request, "body.token")],
                ),
            )
            .inside(
                p,
                3,
                40,
                20,
                db("supabase", "service_role", "update", "appointments", vec![]),
            )
            .run()
    };
    assert!(app("token").is_empty(), "{:?}", rules(&app("token")));
    assert!(has(
        &app("appointment_id"),
        "authz.unauthenticated-edge-function"
    ));
}

#[test]
fn imported_clients_take_the_kind_of_their_definition_on_the_same_side() {
    let shared = "supabase/functions/_shared/client.ts";
    let p = "supabase/functions/nightly/index.ts";
    let app = App::new()
        .module(
            shared,
            3,
            FactData::DbClient(DbClient {
                library: "supabase".into(),
                client_kind: "service_role".into(),
                var: Some("supabase".into()),
                key_env: Some("SUPABASE_SERVICE_ROLE_KEY".into()),
            }),
        )
        // the browser app's anon client of the same name does not count
        .module(
            "src/lib/supabase.ts",
            3,
            FactData::DbClient(DbClient {
                library: "supabase".into(),
                client_kind: "anon".into(),
                var: Some("supabase".into()),
                key_env: Some("VITE_SUPABASE_ANON_KEY".into()),
            }),
        )
        .route(p, "supabase-edge", "POST", "/nightly", 3, 10)
        .function(p, "purge", false, 12, 20)
        .fact(at(
            p,
            14,
            14,
            Some(&scope(12, 20)),
            FactData::DbAccess(DbAccess {
                library: "supabase".into(),
                client_kind: "unknown".into(),
                client_var: Some("supabase".into()),
                operation: "delete".into(),
                table: Some("sessions".into()),
                filters: vec![],
                values: vec![],
            }),
        ));
    // The anonymous handler has no function fact: the file's single entry point
    // reaches its helpers.
    let mut app = app;
    app.facts.retain(|f| {
        !(f.path == p && matches!(f.data, FactData::Function(ref x) if x.name == "POST"))
    });
    let f = app.run();
    let x = get(&f, "authz.service-role-edge-function");
    assert_eq!(x.severity, lm_core::Severity::Critical);
}

#[test]
fn schema_listings_that_never_manage_rls_are_not_judged_for_it() {
    let f = App::new()
        .module(
            "supabase/schema.sql",
            1,
            table("children", &["id", "parent_id"], 0),
        )
        .run();
    assert!(f.is_empty(), "{:?}", rules(&f));
    let f = App::new()
        .module(
            "supabase/schema.sql",
            1,
            table("children", &["id", "parent_id"], 0),
        )
        .module(
            "supabase/schema.sql",
            5,
            table("notes", &["id", "user_id"], 1),
        )
        .module("supabase/schema.sql", 9, rls("notes", 2))
        .run();
    assert_eq!(rules(&f), vec!["authz.rls-disabled"]);
}

#[test]
fn service_role_in_shared_code_with_a_bundler_public_key() {
    let f = App::new()
        .role("src/lib/admin.ts", Role::Shared)
        .module(
            "src/lib/admin.ts",
            4,
            FactData::DbClient(DbClient {
                library: "supabase".into(),
                client_kind: "service_role".into(),
                var: Some("supabaseAdmin".into()),
                key_env: Some("VITE_SUPABASE_SERVICE_ROLE_KEY".into()),
            }),
        )
        .run();
    assert!(has(&f, "authz.service-role-in-client"));
    let f = App::new()
        .role("lib/admin.ts", Role::Shared)
        .module(
            "lib/admin.ts",
            4,
            FactData::DbClient(DbClient {
                library: "supabase".into(),
                client_kind: "service_role".into(),
                var: Some("supabaseAdmin".into()),
                key_env: Some("SUPABASE_SERVICE_ROLE_KEY".into()),
            }),
        )
        .run();
    assert!(f.is_empty(), "{:?}", rules(&f));
}

#[test]
fn middleware_that_only_refreshes_the_session_does_not_authenticate() {
    let app = |enforced: bool| {
        orders_route()
            .fact(at(
                "middleware.ts",
                4,
                30,
                None,
                next_mw(&["/((?!_next/static|favicon.ico).*)"], true),
            ))
            .fact(at(
                "middleware.ts",
                20,
                20,
                Some(&scope(4, 30)),
                auth("supabase.auth.getUser", enforced),
            ))
            .run()
    };
    let f = app(false);
    let x = get(&f, "authz.unauthenticated-route");
    assert!(
        x.message.contains("lets unauthenticated requests through"),
        "{}",
        x.message
    );
    assert!(
        !has(&app(true), "authz.unauthenticated-route"),
        "{:?}",
        rules(&app(true))
    );
}

#[test]
fn looking_the_caller_up_in_an_admins_table_is_a_role_check() {
    let p = "app/api/admin/shops/route.ts";
    let app = |lookup: bool| {
        let a = App::new()
            .route(p, "nextjs-app", "POST", "/api/admin/shops", 3, 30)
            .inside(p, 3, 30, 4, auth("supabase.auth.getUser", true))
            .inside(
                p,
                3,
                30,
                20,
                db(
                    "supabase",
                    "service_role",
                    "update",
                    "shops",
                    vec![filter("id", Provenance::Request, "shopId")],
                ),
            );
        if lookup {
            a.inside(
                p,
                3,
                30,
                10,
                db(
                    "supabase",
                    "service_role",
                    "select",
                    "admins",
                    vec![filter("user_id", Provenance::User, "user.id")],
                ),
            )
        } else {
            a
        }
    };
    assert!(has(&app(false).run(), "authz.missing-role"));
    let f = app(true).run();
    assert!(f.is_empty(), "{:?}", rules(&f));
}

#[test]
fn predicate_helpers_are_not_exposed_functions() {
    let f = App::new()
        .module(M1, 1, table("profiles", &["id", "role"], 0))
        .module(M1, 2, rls("profiles", 1))
        .module(
            M1,
            3,
            policy(
                "profiles",
                "own",
                "all",
                &["authenticated"],
                Some("auth.uid() = id"),
                None,
                2,
            ),
        )
        .module(
            M1,
            20,
            FactData::SqlFunction(SqlFunction {
                schema: "public".into(),
                name: "is_admin".into(),
                security_definer: true,
                search_path_set: true,
                returns: None,
                action: "create".into(),
                order: 3,
            }),
        )
        .run();
    assert!(f.is_empty(), "{:?}", rules(&f));
}
