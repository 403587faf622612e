//! What a file is for in the app (`role`), from framework conventions, with a short
//! `role_reason`.
//!
//! The decision is a table ([`RULES`]) read top to bottom; the first rule whose pattern
//! matches the path wins. Order encodes precedence: installed dependencies, then build
//! output, tests, lockfiles, manifests, migrations, configuration, docs, then the
//! server/client conventions of Next.js, Supabase, SvelteKit, Remix, Express-style
//! backends, Python web frameworks and Vite/CRA, then fallbacks.
//!
//! Two things beyond the path feed the decision, both cheap:
//!
//! * the framework of the project the file belongs to (the nearest ancestor directory
//!   with a `package.json`: Next.js when it depends on `next`, or holds a `next.config.*`
//!   and no `vite.config.*`;
//!   a browser bundle when it holds `vite.config.*`, `index.html` or `public/index.html`
//!   or depends on `vite` / `react-scripts`; a Node server when it depends on Express,
//!   Fastify, Hono, Koa, NestJS or hapi), asked through [`ProjectProbe`] only by the
//!   rules that need it;
//! * the module's `"use client"` / `"use server"` directive, applied by
//!   [`Verdict::with_directive`] to the rules marked `directives`: the Next.js modules
//!   whose side is not fixed by their path (app router pages and layouts, and other
//!   modules of a Next.js project). Elsewhere the directives mean nothing and are not
//!   read.

use lm_core::Role;

use crate::sniff::Directive;

/// The framework of a JavaScript project, as far as the role rules care.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Framework {
    /// Next.js (`next.config.*`).
    Next,
    /// A browser bundle built from `src/` (Vite, CRA and the like: `vite.config.*`,
    /// `index.html`, `public/index.html`, or `vite` / `react-scripts` dependencies).
    BrowserBundle,
    /// A Node.js server (an `express`, `fastify`, `hono`, `koa`, `@nestjs/core` or
    /// `@hapi/hapi` dependency, and none of the above).
    NodeServer,
    /// Anything else, or no `package.json` at all.
    Unknown,
}

/// Answers questions about the project around a path.
pub trait ProjectProbe {
    /// The framework of the project that holds `dir` (relative to the scan root,
    /// `/`-separated, `""` for the root).
    fn framework(&self, dir: &str) -> Framework;
}

/// A probe that knows of no project (every framework is unknown).
pub struct NoProject;

impl ProjectProbe for NoProject {
    fn framework(&self, _dir: &str) -> Framework {
        Framework::Unknown
    }
}

/// The outcome of [`classify`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verdict {
    /// The role.
    pub role: Role,
    /// Why, in a few words.
    pub reason: &'static str,
    /// True when a `"use client"` / `"use server"` directive in the file decides instead.
    pub directives: bool,
}

impl Verdict {
    /// Applies a module directive when the rule allows it.
    pub fn with_directive(self, directive: Option<Directive>) -> Verdict {
        if !self.directives {
            return self;
        }
        match directive {
            Some(Directive::UseClient) => Verdict {
                role: Role::Client,
                reason: "\"use client\" directive",
                directives: false,
            },
            Some(Directive::UseServer) => Verdict {
                role: Role::Server,
                reason: "\"use server\" directive (server actions)",
                directives: false,
            },
            None => self,
        }
    }
}

/// A path split for matching.
#[derive(Debug)]
pub struct PathView<'a> {
    /// The whole relative path.
    pub path: &'a str,
    /// Directory segments, outermost first.
    pub dirs: Vec<&'a str>,
    /// The file name.
    pub name: &'a str,
    /// The lower-case extension, without the dot.
    pub ext: Option<String>,
    /// The framework of the file's project, asked of the probe at most once.
    framework: std::cell::OnceCell<Framework>,
}

impl<'a> PathView<'a> {
    /// Splits a `/`-separated relative path.
    pub fn new(path: &'a str) -> PathView<'a> {
        let mut dirs: Vec<&str> = path
            .split('/')
            .filter(|s| !s.is_empty() && *s != ".")
            .collect();
        let name = dirs.pop().unwrap_or("");
        PathView {
            path,
            dirs,
            name,
            ext: crate::language::extension(name),
            framework: std::cell::OnceCell::new(),
        }
    }

    /// The framework of the project holding the file (asked of `probe` once).
    fn framework(&self, probe: &dyn ProjectProbe) -> Framework {
        *self
            .framework
            .get_or_init(|| probe.framework(&self.parent()))
    }

    fn has_dir(&self, d: &str) -> bool {
        self.dirs.contains(&d)
    }

    fn has_dirs(&self, seq: &[&str]) -> bool {
        !seq.is_empty() && self.dirs.windows(seq.len()).any(|w| w == seq)
    }

    fn ext_in(&self, exts: &[&str]) -> bool {
        self.ext.as_deref().is_some_and(|e| exts.contains(&e))
    }

    /// The name without its last extension (`route.ts` → `route`).
    fn stem(&self) -> &str {
        match self.name.rfind('.') {
            Some(i) if i > 0 => &self.name[..i],
            _ => self.name,
        }
    }

    /// The directory holding the file, `/`-separated.
    fn parent(&self) -> String {
        self.dirs.join("/")
    }
}

/// A pattern over a [`PathView`].
#[derive(Debug)]
pub enum Match {
    /// The file name is one of these.
    Name(&'static [&'static str]),
    /// The file name starts with this.
    NamePrefix(&'static str),
    /// The file name ends with this.
    NameSuffix(&'static str),
    /// The file name contains this.
    NameContains(&'static str),
    /// The extension (lower-case) is one of these.
    Ext(&'static [&'static str]),
    /// A directory segment anywhere in the path has this name.
    Dir(&'static str),
    /// These directory segments appear in a row anywhere in the path.
    Dirs(&'static [&'static str]),
    /// Every pattern matches.
    All(&'static [Match]),
    /// Some pattern matches.
    Any(&'static [Match]),
    /// The pattern does not match.
    Not(&'static Match),
    /// A check that needs code (or the [`ProjectProbe`]).
    Check(fn(&PathView<'_>, &dyn ProjectProbe) -> bool),
}

impl Match {
    fn matches(&self, p: &PathView<'_>, probe: &dyn ProjectProbe) -> bool {
        match self {
            Match::Name(names) => names.contains(&p.name),
            Match::NamePrefix(s) => p.name.starts_with(s),
            Match::NameSuffix(s) => p.name.ends_with(s),
            Match::NameContains(s) => p.name.contains(s),
            Match::Ext(exts) => p.ext_in(exts),
            Match::Dir(d) => p.has_dir(d),
            Match::Dirs(seq) => p.has_dirs(seq),
            Match::All(ms) => ms.iter().all(|m| m.matches(p, probe)),
            Match::Any(ms) => ms.iter().any(|m| m.matches(p, probe)),
            Match::Not(m) => !m.matches(p, probe),
            Match::Check(f) => f(p, probe),
        }
    }
}

/// One row of the table.
#[derive(Debug)]
pub struct Rule {
    /// When the rule applies.
    pub when: Match,
    /// The role it gives.
    pub role: Role,
    /// The `role_reason` it gives.
    pub reason: &'static str,
    /// Whether a module directive overrides it.
    pub directives: bool,
}

const fn rule(when: Match, role: Role, reason: &'static str) -> Rule {
    Rule {
        when,
        role,
        reason,
        directives: false,
    }
}

const fn rule_d(when: Match, role: Role, reason: &'static str) -> Rule {
    Rule {
        when,
        role,
        reason,
        directives: true,
    }
}

/// JavaScript and TypeScript extensions.
const JS: &[&str] = &["js", "jsx", "ts", "tsx", "mjs", "cjs", "mts", "cts"];

const LOCKFILES: &[&str] = &[
    "package-lock.json",
    "npm-shrinkwrap.json",
    "yarn.lock",
    "pnpm-lock.yaml",
    "bun.lock",
    "bun.lockb",
    "deno.lock",
    "poetry.lock",
    "uv.lock",
    "Pipfile.lock",
    "pdm.lock",
    "Cargo.lock",
    "go.sum",
    "Gemfile.lock",
    "composer.lock",
];

const MANIFESTS: &[&str] = &[
    "package.json",
    "pyproject.toml",
    "Pipfile",
    "setup.py",
    "setup.cfg",
    "Cargo.toml",
    "go.mod",
    "Gemfile",
    "composer.json",
    "deno.json",
    "deno.jsonc",
];

fn next_route_handler(p: &PathView<'_>, _: &dyn ProjectProbe) -> bool {
    p.has_dir("app") && p.stem() == "route" && p.ext_in(JS)
}

fn next_app_page(p: &PathView<'_>, _: &dyn ProjectProbe) -> bool {
    const FILES: &[&str] = &[
        "page",
        "layout",
        "template",
        "loading",
        "not-found",
        "default",
        "opengraph-image",
        "twitter-image",
        "sitemap",
        "robots",
    ];
    p.has_dir("app") && p.ext_in(JS) && FILES.contains(&p.stem())
}

fn next_project_module(p: &PathView<'_>, probe: &dyn ProjectProbe) -> bool {
    p.ext_in(JS) && p.framework(probe) == Framework::Next
}

fn node_server_module(p: &PathView<'_>, probe: &dyn ProjectProbe) -> bool {
    p.ext_in(JS) && p.framework(probe) == Framework::NodeServer
}

fn browser_bundle_src(p: &PathView<'_>, probe: &dyn ProjectProbe) -> bool {
    p.ext_in(JS) && p.has_dir("src") && p.framework(probe) == Framework::BrowserBundle
}

/// `middleware.ts` at a project root or in `src/` (Next.js middleware), not files inside
/// a `middleware/` folder (caught by other rules) nor `src/middleware.ts` of a Vite/CRA
/// app (bundled for the browser like the rest of `src/`).
fn root_middleware(p: &PathView<'_>, probe: &dyn ProjectProbe) -> bool {
    p.stem() == "middleware"
        && p.ext_in(JS)
        && matches!(p.dirs.last(), None | Some(&"src"))
        && p.framework(probe) != Framework::BrowserBundle
}

/// `api/` as a deployment folder (Vercel functions), not `src/api/` (browser-side API
/// clients in Vite apps) nor `src/**/api/`.
fn serverless_api_dir(p: &PathView<'_>, _: &dyn ProjectProbe) -> bool {
    match p.dirs.iter().position(|d| *d == "api") {
        Some(i) => !p.dirs[..i].contains(&"src"),
        None => false,
    }
}

/// The table. First match wins.
pub static RULES: &[Rule] = &[
    // Installed and vendored dependencies.
    rule(
        Match::Dir("node_modules"),
        Role::Other,
        "installed dependency (node_modules/)",
    ),
    rule(
        Match::Any(&[
            Match::Dir("bower_components"),
            Match::Dir("vendor"),
            Match::Dir(".venv"),
            Match::Dir("venv"),
            Match::Dir("site-packages"),
        ]),
        Role::Other,
        "vendored dependency",
    ),
    // Build output.
    rule(
        Match::Dirs(&[".next", "static"]),
        Role::BuildOutput,
        "Next.js static build output (.next/static/)",
    ),
    rule(
        Match::Dir(".next"),
        Role::BuildOutput,
        "Next.js build output (.next/)",
    ),
    rule(
        Match::Dir("dist"),
        Role::BuildOutput,
        "build output (dist/)",
    ),
    rule(
        Match::Dir("build"),
        Role::BuildOutput,
        "build output (build/)",
    ),
    rule(
        Match::Any(&[
            Match::Dir("out"),
            Match::Dir(".output"),
            Match::Dir(".nuxt"),
            Match::Dir(".svelte-kit"),
            Match::Dir(".vercel"),
            Match::Dir(".netlify"),
            Match::Dir(".turbo"),
            Match::Dir("storybook-static"),
        ]),
        Role::BuildOutput,
        "framework build output",
    ),
    rule(
        Match::Any(&[
            Match::NameSuffix(".min.js"),
            Match::NameSuffix(".min.mjs"),
            Match::NameSuffix(".min.css"),
            Match::NameSuffix(".bundle.js"),
        ]),
        Role::BuildOutput,
        "minified bundle",
    ),
    rule(Match::Ext(&["map"]), Role::BuildOutput, "source map"),
    rule(
        Match::Dir("coverage"),
        Role::Test,
        "coverage report (coverage/)",
    ),
    // Tests.
    rule(
        Match::Any(&[
            Match::Dir("__tests__"),
            Match::Dir("__mocks__"),
            Match::Dir("__fixtures__"),
            Match::Dir("__snapshots__"),
        ]),
        Role::Test,
        "Jest-style test folder (__tests__/, __mocks__/...)",
    ),
    rule(
        Match::Any(&[
            Match::NameContains(".test."),
            Match::NameContains(".spec."),
            Match::NameContains(".e2e."),
            Match::NameSuffix("_test.go"),
            Match::NameSuffix("_test.py"),
            Match::All(&[Match::NamePrefix("test_"), Match::Ext(&["py"])]),
            Match::Name(&["conftest.py"]),
        ]),
        Role::Test,
        "test file name (*.test.*, *.spec.*, test_*.py)",
    ),
    rule(
        Match::Any(&[
            Match::Dir("test"),
            Match::Dir("tests"),
            Match::Dir("spec"),
            Match::Dir("e2e"),
            Match::Dir("cypress"),
            Match::Dir("playwright"),
            Match::Dir("testdata"),
            Match::Dir("fixtures"),
        ]),
        Role::Test,
        "test folder (test/, tests/, e2e/, fixtures/...)",
    ),
    rule(
        Match::Any(&[
            Match::NameContains(".stories."),
            Match::Name(&[
                "setupTests.ts",
                "setupTests.js",
                "jest.setup.js",
                "jest.setup.ts",
                "vitest.setup.ts",
            ]),
        ]),
        Role::Test,
        "test setup or Storybook story (development only)",
    ),
    // Dependencies.
    rule(
        Match::Name(LOCKFILES),
        Role::Lockfile,
        "dependency lockfile",
    ),
    rule(
        Match::Name(MANIFESTS),
        Role::Manifest,
        "dependency manifest",
    ),
    rule(
        Match::All(&[
            Match::Any(&[
                Match::NamePrefix("requirements"),
                Match::Dir("requirements"),
            ]),
            Match::Ext(&["txt", "in"]),
        ]),
        Role::Manifest,
        "pip requirements file",
    ),
    // Database migrations and schemas.
    rule(
        Match::Dirs(&["supabase", "migrations"]),
        Role::Migration,
        "Supabase migration (supabase/migrations/)",
    ),
    rule(
        Match::All(&[Match::Dir("supabase"), Match::Ext(&["sql"])]),
        Role::Migration,
        "Supabase SQL (schema or seed)",
    ),
    rule(
        Match::Dirs(&["prisma", "migrations"]),
        Role::Migration,
        "Prisma migration",
    ),
    rule(
        Match::Any(&[
            Match::Dirs(&["db", "migrate"]),
            Match::Dirs(&["alembic", "versions"]),
            Match::All(&[
                Match::Dir("migrations"),
                Match::Ext(&["sql", "py", "ts", "js", "mjs", "cjs"]),
            ]),
            Match::All(&[Match::Dir("drizzle"), Match::Ext(&["sql"])]),
        ]),
        Role::Migration,
        "database migration folder",
    ),
    rule(
        Match::Any(&[
            Match::Name(&["schema.sql", "schema.prisma"]),
            Match::Ext(&["prisma"]),
        ]),
        Role::Migration,
        "database schema",
    ),
    // Configuration.
    rule(
        Match::All(&[Match::Dir("supabase"), Match::Name(&["config.toml"])]),
        Role::Config,
        "Supabase project config (supabase/config.toml)",
    ),
    rule(
        Match::Any(&[
            Match::Name(&[".env", ".dev.vars"]),
            Match::NamePrefix(".env."),
        ]),
        Role::Config,
        "environment file (.env*)",
    ),
    rule(
        Match::NamePrefix("next.config."),
        Role::Config,
        "Next.js config",
    ),
    rule(
        Match::NamePrefix("vite.config."),
        Role::Config,
        "Vite config",
    ),
    rule(
        Match::Any(&[
            Match::All(&[Match::NamePrefix("tsconfig"), Match::Ext(&["json"])]),
            Match::Name(&["jsconfig.json"]),
        ]),
        Role::Config,
        "TypeScript/JavaScript compiler config",
    ),
    rule(
        Match::Any(&[
            Match::Name(&[
                "vercel.json",
                "netlify.toml",
                "wrangler.toml",
                "wrangler.json",
                "wrangler.jsonc",
                "firebase.json",
                ".firebaserc",
                "fly.toml",
                "render.yaml",
                "railway.json",
                "nixpacks.toml",
                "app.yaml",
                "Procfile",
                ".gitlab-ci.yml",
            ]),
            Match::Dirs(&[".github", "workflows"]),
        ]),
        Role::Config,
        "deployment or CI config",
    ),
    rule(
        Match::Any(&[
            Match::Name(&["Dockerfile", "Containerfile", ".dockerignore"]),
            Match::NamePrefix("Dockerfile."),
            Match::NameSuffix(".Dockerfile"),
            Match::NamePrefix("docker-compose"),
            Match::Name(&["compose.yml", "compose.yaml"]),
        ]),
        Role::Config,
        "container config (Dockerfile, compose)",
    ),
    rule(
        Match::Any(&[
            Match::Name(&[
                "Makefile",
                "GNUmakefile",
                ".npmrc",
                ".yarnrc",
                ".yarnrc.yml",
                ".nvmrc",
                "components.json",
            ]),
            Match::NamePrefix(".eslintrc"),
            Match::NamePrefix(".prettierrc"),
            Match::NamePrefix(".babelrc"),
            Match::NamePrefix(".stylelintrc"),
            Match::All(&[
                Match::NameContains(".config."),
                Match::Ext(&["js", "ts", "mjs", "cjs", "mts", "cts", "json"]),
            ]),
        ]),
        Role::Config,
        "tool config",
    ),
    // Documentation.
    rule(
        Match::Any(&[
            Match::Ext(&["md", "markdown", "rst", "adoc"]),
            Match::NamePrefix("README"),
            Match::NamePrefix("LICENSE"),
            Match::NamePrefix("LICENCE"),
            Match::NamePrefix("CHANGELOG"),
            Match::Dir("docs"),
        ]),
        Role::Docs,
        "documentation",
    ),
    // Server side.
    rule(
        Match::Dirs(&["supabase", "functions"]),
        Role::Server,
        "Supabase Edge Function (supabase/functions/)",
    ),
    rule(
        Match::Check(next_route_handler),
        Role::Server,
        "Next.js route handler (app/**/route)",
    ),
    rule(
        Match::Dirs(&["pages", "api"]),
        Role::Server,
        "Next.js API route (pages/api/)",
    ),
    rule(
        Match::Check(root_middleware),
        Role::Server,
        "Next.js middleware (runs on the server)",
    ),
    rule(
        Match::All(&[Match::NamePrefix("instrumentation."), Match::Ext(JS)]),
        Role::Server,
        "Next.js instrumentation hook",
    ),
    rule(
        Match::Any(&[
            Match::NameContains(".server."),
            Match::NamePrefix("+server."),
        ]),
        Role::Server,
        "server-only module (*.server.*, +server)",
    ),
    rule(Match::Dir("server"), Role::Server, "server/ directory"),
    rule(Match::Dir("backend"), Role::Server, "backend/ directory"),
    rule(
        Match::Any(&[
            Match::Dirs(&["netlify", "functions"]),
            Match::Dirs(&["functions", "src"]),
        ]),
        Role::Server,
        "serverless functions (Netlify/Firebase)",
    ),
    rule(
        Match::Check(serverless_api_dir),
        Role::Server,
        "api/ directory (serverless functions)",
    ),
    rule(
        Match::All(&[
            Match::Name(&[
                "server.js",
                "server.ts",
                "server.mjs",
                "server.cjs",
                "app.js",
                "app.ts",
            ]),
            Match::Check(|p, _| p.dirs.is_empty()),
        ]),
        Role::Server,
        "Node server entry at the project root",
    ),
    rule(
        Match::Name(&[
            "manage.py",
            "wsgi.py",
            "asgi.py",
            "settings.py",
            "urls.py",
            "views.py",
            "models.py",
        ]),
        Role::Server,
        "Django/WSGI application module",
    ),
    rule(
        Match::Ext(&["py"]),
        Role::Server,
        "Python code (FastAPI/Flask/Django run server-side)",
    ),
    rule(
        Match::Ext(&["go", "rb", "php", "java", "kt", "cs"]),
        Role::Server,
        "backend source",
    ),
    // Developer tooling.
    rule(
        Match::Dir("scripts"),
        Role::Other,
        "scripts/ (developer tooling)",
    ),
    rule(
        Match::Dir("public"),
        Role::Client,
        "public/ (served as-is to browsers)",
    ),
    // Next.js modules (server components by default).
    rule_d(
        Match::Check(next_app_page),
        Role::Server,
        "Next.js app router server component",
    ),
    rule_d(
        Match::All(&[Match::Dir("pages"), Match::Check(next_project_module)]),
        Role::Shared,
        "Next.js page (rendered on the server, hydrated in the browser)",
    ),
    rule_d(
        Match::Check(next_project_module),
        Role::Shared,
        "Next.js module (server unless imported by client code)",
    ),
    // Client side.
    rule(
        Match::Ext(&["css", "scss", "sass", "less"]),
        Role::Client,
        "stylesheet",
    ),
    rule(
        Match::Ext(&["html", "htm", "vue", "svelte"]),
        Role::Client,
        "browser page or component",
    ),
    rule(
        Match::Check(browser_bundle_src),
        Role::Client,
        "src/ of a Vite/CRA app (browser bundle)",
    ),
    rule(
        Match::Check(node_server_module),
        Role::Server,
        "module of a Node server project (Express/Fastify/Hono...)",
    ),
    rule(
        Match::All(&[
            Match::Any(&[Match::Dir("components"), Match::Dir("hooks")]),
            Match::Ext(JS),
        ]),
        Role::Client,
        "UI components/hooks",
    ),
    // Fallbacks.
    rule(
        Match::Ext(JS),
        Role::Shared,
        "source with no framework convention",
    ),
    rule(
        Match::Ext(&["astro"]),
        Role::Shared,
        "Astro component (server-rendered, may ship scripts)",
    ),
    rule(
        Match::Ext(&["sql"]),
        Role::Migration,
        "SQL script outside a migrations folder (schema changes applied by hand)",
    ),
];

/// Classifies a `/`-separated path relative to the scan root.
pub fn classify(path: &str, probe: &dyn ProjectProbe) -> Verdict {
    let view = PathView::new(path);
    for r in RULES {
        if r.when.matches(&view, probe) {
            return Verdict {
                role: r.role,
                reason: r.reason,
                directives: r.directives,
            };
        }
    }
    Verdict {
        role: Role::Other,
        reason: "no convention matched",
        directives: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A probe with projects of one framework at fixed directories.
    struct Projects(Framework, &'static [&'static str]);
    impl ProjectProbe for Projects {
        fn framework(&self, dir: &str) -> Framework {
            let inside = self.1.iter().any(|base| {
                base.is_empty() || dir == *base || dir.starts_with(&format!("{base}/"))
            });
            if inside {
                self.0
            } else {
                Framework::Unknown
            }
        }
    }

    #[allow(non_snake_case)]
    fn Next(bases: &'static [&'static str]) -> Projects {
        Projects(Framework::Next, bases)
    }

    fn vite_role(path: &str) -> Role {
        classify(path, &Projects(Framework::BrowserBundle, &[""])).role
    }

    fn role(path: &str) -> (Role, &'static str) {
        let v = classify(path, &NoProject);
        (v.role, v.reason)
    }

    fn role_in_next(path: &str) -> Role {
        classify(path, &Next(&[""])).role
    }

    fn check(cases: &[(&str, Role)]) {
        for (path, want) in cases {
            let (got, reason) = role(path);
            assert_eq!(got, *want, "{path}: got {got:?} ({reason})");
        }
    }

    #[test]
    fn next_app_router() {
        check(&[
            ("app/api/checkout/route.ts", Role::Server),
            ("src/app/api/webhooks/stripe/route.ts", Role::Server),
            ("app/(marketing)/feed.xml/route.js", Role::Server),
            ("apps/web/app/api/users/[id]/route.tsx", Role::Server),
            ("app/dashboard/page.tsx", Role::Server),
            ("app/layout.tsx", Role::Server),
            ("pages/api/stripe-webhook.ts", Role::Server),
            ("src/pages/api/auth/[...nextauth].ts", Role::Server),
            ("middleware.ts", Role::Server),
            ("src/middleware.ts", Role::Server),
            ("instrumentation.ts", Role::Server),
        ]);
        // look-alikes: a folder named route, a component called RouteCard, an Express
        // middleware folder
        assert_ne!(role("app/route/helpers.md").0, Role::Server);
        assert_eq!(vite_role("src/components/RouteCard.tsx"), Role::Client);
        assert_eq!(role("server/middleware/auth.ts").0, Role::Server);
    }

    #[test]
    fn directives_decide_app_router_modules() {
        let v = classify("app/dashboard/page.tsx", &NoProject);
        assert_eq!(
            v.with_directive(Some(Directive::UseClient)).role,
            Role::Client
        );
        assert_eq!(v.with_directive(None).role, Role::Server);
        let v = classify("app/actions.ts", &Next(&[""]));
        assert_eq!(v.role, Role::Shared);
        let v = v.with_directive(Some(Directive::UseServer));
        assert_eq!(v.role, Role::Server);
        assert!(v.reason.contains("use server"));
        // A route handler's role is fixed by its path.
        let v = classify("app/api/x/route.ts", &NoProject);
        assert_eq!(
            v.with_directive(Some(Directive::UseClient)).role,
            Role::Server
        );
        // So is a Supabase function's.
        let v = classify("supabase/functions/pay/index.ts", &NoProject);
        assert_eq!(
            v.with_directive(Some(Directive::UseClient)).role,
            Role::Server
        );
    }

    #[test]
    fn next_project_modules_are_shared_not_client() {
        assert_eq!(role_in_next("src/lib/db.ts"), Role::Shared);
        assert_eq!(role_in_next("components/Navbar.tsx"), Role::Shared);
        assert_eq!(role_in_next("lib/stripe.ts"), Role::Shared);
        assert_eq!(role_in_next("pages/index.tsx"), Role::Shared);
        // With a Vite/CRA project the browser-bundle convention applies; with no known
        // framework, src/ is not assumed to be browser code.
        assert_eq!(vite_role("src/lib/db.ts"), Role::Client);
        assert_eq!(role("src/lib/db.ts").0, Role::Shared);
        // A monorepo: only apps/web is a Next.js project.
        let probe = Next(&["apps/web"]);
        assert_eq!(classify("apps/web/lib/auth.ts", &probe).role, Role::Shared);
        assert_eq!(
            classify("apps/web/src/lib/auth.ts", &probe).role,
            Role::Shared
        );
        let probe = Projects(Framework::BrowserBundle, &["apps/admin"]);
        assert_eq!(
            classify("apps/admin/src/lib/auth.ts", &probe).role,
            Role::Client
        );
        assert_eq!(
            classify("apps/worker/src/lib/auth.ts", &probe).role,
            Role::Shared
        );
    }

    #[test]
    fn vite_and_cra() {
        for (path, want) in [
            ("src/main.tsx", Role::Client),
            ("src/App.jsx", Role::Client),
            ("src/integrations/supabase/client.ts", Role::Client),
            ("src/api/projects.ts", Role::Client),
            ("src/index.css", Role::Client),
            ("index.html", Role::Client),
            ("public/config.js", Role::Client),
            ("public/robots.txt", Role::Client),
            ("src/components/ui/button.tsx", Role::Client),
        ] {
            assert_eq!(vite_role(path), want, "{path}");
        }
        // src/middleware.ts of a Vite app is bundled for the browser, not Next.js middleware.
        assert_eq!(vite_role("src/middleware.ts"), Role::Client);
        // An Express backend laid out in src/ (no index.html, no bundler config) is not
        // browser code; with its dependency known, it is server code.
        let express = Projects(Framework::NodeServer, &[""]);
        assert_eq!(classify("src/routes/users.ts", &express).role, Role::Server);
        assert_eq!(classify("middleware/auth.js", &express).role, Role::Server);
        assert_eq!(classify("public/app.js", &express).role, Role::Client);
        assert_eq!(role("src/routes/users.ts").0, Role::Shared);
        assert_eq!(role("src/middleware/auth.ts").0, Role::Shared);
    }

    #[test]
    fn supabase() {
        check(&[
            ("supabase/functions/stripe-webhook/index.ts", Role::Server),
            ("supabase/functions/_shared/cors.ts", Role::Server),
            (
                "supabase/migrations/20240101000000_init.sql",
                Role::Migration,
            ),
            ("supabase/seed.sql", Role::Migration),
            ("supabase/config.toml", Role::Config),
            ("supabase/functions/deno.json", Role::Manifest),
        ]);
    }

    #[test]
    fn node_backends() {
        check(&[
            ("server/index.ts", Role::Server),
            ("server/routes/users.js", Role::Server),
            ("backend/src/app.ts", Role::Server),
            ("api/checkout.ts", Role::Server),
            ("apps/api/src/routes/orders.ts", Role::Server),
            ("server.js", Role::Server),
            ("server.ts", Role::Server),
            ("src/server/trpc.ts", Role::Server),
            ("netlify/functions/hello.ts", Role::Server),
            ("functions/src/index.ts", Role::Server),
            ("app/routes/dashboard.server.ts", Role::Server),
            ("src/routes/api/+server.ts", Role::Server),
            ("src/hooks.server.ts", Role::Server),
        ]);
    }

    #[test]
    fn python_apps() {
        check(&[
            ("main.py", Role::Server),
            ("app/main.py", Role::Server),
            ("app/routers/items.py", Role::Server),
            ("myproject/settings.py", Role::Server),
            ("shop/views.py", Role::Server),
            ("shop/migrations/0001_initial.py", Role::Migration),
            ("alembic/versions/1a2b_add_users.py", Role::Migration),
            ("tests/test_api.py", Role::Test),
            ("app/test_models.py", Role::Test),
            ("conftest.py", Role::Test),
        ]);
    }

    #[test]
    fn build_output() {
        check(&[
            ("dist/assets/index-4f3a2b.js", Role::BuildOutput),
            ("build/static/js/main.8c1d.js", Role::BuildOutput),
            (".next/static/chunks/app/page-1234.js", Role::BuildOutput),
            (".next/server/app/page.js", Role::BuildOutput),
            ("out/index.html", Role::BuildOutput),
            ("public/vendor.min.js", Role::BuildOutput),
            ("assets/app.js.map", Role::BuildOutput),
        ]);
        assert_eq!(
            role(".next/static/chunks/main.js").1,
            "Next.js static build output (.next/static/)"
        );
        // look-alikes: names that merely contain the words
        assert_eq!(vite_role("src/utils/distance.ts"), Role::Client);
        assert_eq!(vite_role("src/builders/query.ts"), Role::Client);
    }

    #[test]
    fn tests_and_fixtures() {
        check(&[
            ("src/lib/utils.test.ts", Role::Test),
            ("src/components/Button.spec.tsx", Role::Test),
            ("src/__tests__/auth.ts", Role::Test),
            ("tests/fixtures/package.json", Role::Test),
            ("e2e/login.ts", Role::Test),
            ("cypress/support/commands.js", Role::Test),
            ("pkg/handler_test.go", Role::Test),
            ("src/components/Button.stories.tsx", Role::Test),
            ("src/setupTests.ts", Role::Test),
        ]);
        // look-alikes
        assert_eq!(vite_role("src/lib/testimonials.ts"), Role::Client);
        assert_eq!(vite_role("src/pages/Contest.tsx"), Role::Client);
        assert_eq!(vite_role("src/lib/latest.ts"), Role::Client);
    }

    #[test]
    fn manifests_and_lockfiles() {
        check(&[
            ("package.json", Role::Manifest),
            ("apps/web/package.json", Role::Manifest),
            ("pyproject.toml", Role::Manifest),
            ("requirements.txt", Role::Manifest),
            ("requirements-dev.txt", Role::Manifest),
            ("requirements/base.txt", Role::Manifest),
            ("Pipfile", Role::Manifest),
            ("Cargo.toml", Role::Manifest),
            ("go.mod", Role::Manifest),
            ("package-lock.json", Role::Lockfile),
            ("npm-shrinkwrap.json", Role::Lockfile),
            ("yarn.lock", Role::Lockfile),
            ("pnpm-lock.yaml", Role::Lockfile),
            ("bun.lock", Role::Lockfile),
            ("bun.lockb", Role::Lockfile),
            ("poetry.lock", Role::Lockfile),
            ("uv.lock", Role::Lockfile),
            ("Pipfile.lock", Role::Lockfile),
            ("Cargo.lock", Role::Lockfile),
            ("go.sum", Role::Lockfile),
        ]);
        // look-alikes
        assert_eq!(vite_role("src/data/package.json.ts"), Role::Client);
        assert_ne!(role("docs/requirements.md").0, Role::Manifest);
    }

    #[test]
    fn config_files() {
        check(&[
            ("next.config.mjs", Role::Config),
            ("next.config.ts", Role::Config),
            ("vite.config.ts", Role::Config),
            ("tailwind.config.ts", Role::Config),
            ("postcss.config.js", Role::Config),
            ("eslint.config.js", Role::Config),
            ("tsconfig.json", Role::Config),
            ("tsconfig.app.json", Role::Config),
            (".env", Role::Config),
            (".env.local", Role::Config),
            (".env.production", Role::Config),
            ("vercel.json", Role::Config),
            ("Dockerfile", Role::Config),
            ("docker-compose.yml", Role::Config),
            (".github/workflows/ci.yml", Role::Config),
            ("components.json", Role::Config),
            ("Makefile", Role::Config),
        ]);
        // look-alikes
        assert_eq!(vite_role("src/config.ts"), Role::Client);
        assert_eq!(vite_role("src/lib/env.ts"), Role::Client);
        assert_ne!(role("environment.md").0, Role::Config);
    }

    #[test]
    fn docs_and_others() {
        check(&[
            ("README.md", Role::Docs),
            ("docs/setup.mdx", Role::Docs),
            ("LICENSE", Role::Docs),
            ("CHANGELOG.md", Role::Docs),
            ("scripts/seed.ts", Role::Other),
            ("assets/logo.png", Role::Other),
            ("node_modules/react/index.js", Role::Other),
            ("lib/helpers.js", Role::Shared),
            ("queries/report.sql", Role::Migration),
            ("FIX_RLS_POLICIES.sql", Role::Migration),
        ]);
    }

    #[test]
    fn every_rule_is_reachable() {
        // A rule hidden behind an earlier, broader one would be dead table weight.
        let examples = [
            "node_modules/a.js",
            "vendor/a.js",
            ".next/static/a.js",
            ".next/a.js",
            "dist/a.js",
            "build/a.js",
            ".svelte-kit/a.js",
            "a.min.js",
            "a.js.map",
            "coverage/a.json",
            "__tests__/a.js",
            "a.test.js",
            "tests/a.js",
            "a.stories.tsx",
            "yarn.lock",
            "package.json",
            "requirements.txt",
            "supabase/migrations/1.sql",
            "supabase/seed.sql",
            "prisma/migrations/1/migration.sql",
            "migrations/1.sql",
            "schema.prisma",
            "supabase/config.toml",
            ".env",
            "next.config.js",
            "vite.config.ts",
            "tsconfig.json",
            "vercel.json",
            "Dockerfile",
            "Makefile",
            "README.md",
            "supabase/functions/a/index.ts",
            "app/api/route.ts",
            "pages/api/a.ts",
            "middleware.ts",
            "instrumentation.ts",
            "a.server.ts",
            "server/a.ts",
            "backend/a.ts",
            "netlify/functions/a.ts",
            "api/a.ts",
            "server.js",
            "manage.py",
            "a.py",
            "a.go",
            "scripts/a.ts",
            "app/page.tsx",
            "public/a.txt",
            "a.css",
            "a.html",
            "components/a.tsx",
            "lib/a.ts",
            "a.astro",
            "a.sql",
        ];
        let mut hit = vec![false; RULES.len()];
        for path in examples {
            let view = PathView::new(path);
            if let Some(i) = RULES.iter().position(|r| r.when.matches(&view, &NoProject)) {
                hit[i] = true;
            }
        }
        let next = Next(&[""]);
        let vite = Projects(Framework::BrowserBundle, &[""]);
        let node = Projects(Framework::NodeServer, &[""]);
        let probed: [(&str, &dyn ProjectProbe); 4] = [
            ("pages/index.tsx", &next),
            ("lib/x.ts", &next),
            ("src/main.ts", &vite),
            ("routes/x.ts", &node),
        ];
        for (path, probe) in probed {
            let view = PathView::new(path);
            if let Some(i) = RULES.iter().position(|r| r.when.matches(&view, probe)) {
                hit[i] = true;
            }
        }
        for (i, r) in RULES.iter().enumerate() {
            assert!(hit[i], "rule {i} ({}) has no example", r.reason);
        }
    }
}
