//! A byte-level prefilter: which JavaScript/TypeScript files can hold anything the
//! extractors of this module look for (the flow extractor has its own; a file is parsed
//! when either wants it). Most dependency code holds none of it and is never parsed.

use std::sync::LazyLock;

use aho_corasick::AhoCorasick;

/// What a file may contain, as bits.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Features(u8);

impl Features {
    /// Environment reads (`process.env`, `import.meta.env`, `Deno.env`).
    pub const ENV: Features = Features(1);
    /// Application code: servers, routes, auth, databases, webhooks, paid APIs, CORS.
    pub const APP: Features = Features(2);

    /// True when every bit of `other` is set.
    pub fn has(self, other: Features) -> bool {
        self.0 & other.0 == other.0
    }

    /// True when no bit is set.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// Both sets of bits.
    pub fn with(self, other: Features) -> Features {
        Features(self.0 | other.0)
    }
}

const ENV_WORDS: &[&str] = &["process.env", "import.meta.env", "Deno.env"];

const APP_WORDS: &[&str] = &[
    // servers and routes
    "express",
    "fastify",
    "hono",
    "Hono",
    "Deno.serve",
    "serve(",
    "NextResponse",
    "NextRequest",
    "next/server",
    "use server",
    "req.method",
    "Router(",
    // databases
    "createClient",
    "createServerClient",
    "createBrowserClient",
    "RouteHandlerClient",
    "ServerComponentClient",
    "ServerActionClient",
    "supabase",
    "Supabase",
    "prisma",
    "Prisma",
    "drizzle",
    "'pg'",
    "\"pg\"",
    "postgres",
    "mongoose",
    "mysql",
    // authentication
    ".auth.",
    "getServerSession",
    "currentUser",
    "getAuth",
    "jwtVerify",
    "jwt.verify",
    "passport",
    "isAuthenticated",
    "authorization",
    "Authorization",
    "getUser",
    "getSession",
    "requireAuth",
    "requireUser",
    "withAuth",
    "clerk",
    "Clerk",
    "next-auth",
    "NextAuth",
    // webhooks and paid services
    "webhook",
    "Webhook",
    "constructEvent",
    "createHmac",
    "openai",
    "OpenAI",
    "anthropic",
    "Anthropic",
    "stripe",
    "Stripe",
    "resend",
    "Resend",
    "sendMail",
    "sgMail",
    "generateContent",
    "GoogleGenerativeAI",
    "groq",
    "Groq",
    "replicate",
    "Replicate",
    "generateText",
    "streamText",
    "lovable.dev",
    "twilio",
    // rate limits and CORS
    "ratelimit",
    "Ratelimit",
    "rateLimit",
    "RateLimit",
    "limiter",
    "Limiter",
    "ccess-Control-Allow-Origin",
    "ccess-control-allow-origin",
    "cors(",
];

static MATCHER: LazyLock<AhoCorasick> = LazyLock::new(|| {
    AhoCorasick::new(ENV_WORDS.iter().chain(APP_WORDS)).expect("prefilter keywords compile")
});

fn bit_of(pattern: usize) -> Features {
    if pattern < ENV_WORDS.len() {
        Features::ENV
    } else {
        Features::APP
    }
}

/// True for paths whose role alone makes them application entry points (Next.js route
/// files, API pages, middleware, server actions, edge functions).
pub fn is_entry_path(path: &str) -> bool {
    let p = path.trim_start_matches("./");
    p.contains("supabase/functions/")
        || p.contains("pages/api/")
        || crate::js::nextjs::app_route_pattern(p).is_some()
        || crate::js::nextjs::is_middleware_file(p)
}

/// The features a file's text may hold.
pub fn scan(path: &str, text: &str) -> Features {
    let mut f = Features::default();
    if is_entry_path(path) {
        f = f.with(Features::APP);
    }
    for m in MATCHER.find_iter(text) {
        f = f.with(bit_of(m.pattern().as_usize()));
        if f.has(Features::ENV.with(Features::APP)) {
            break;
        }
    }
    f
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_library_code_is_skipped() {
        let f = scan(
            "pkgs/lodash/chunk.js",
            "function chunk(a, n) { return a.slice(0, n); }",
        );
        assert!(f.is_empty());
    }

    #[test]
    fn env_only_and_app_code_are_told_apart() {
        let f = scan("pkgs/x/index.js", "if (process.env.NODE_ENV) {}");
        assert!(f.has(Features::ENV) && !f.has(Features::APP));
        let f = scan("src/server.ts", "import express from 'express'");
        assert!(f.has(Features::APP));
        let f = scan("app/api/x/route.ts", "export function GET() {}");
        assert!(f.has(Features::APP));
    }
}
