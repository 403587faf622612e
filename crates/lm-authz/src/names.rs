//! Judgements made from names: helper names, route patterns, table and column names.
//!
//! Names are split into lower-case words (`requireAuth` → `require auth`,
//! `get_current_user` → `get current user`) and matched word-wise, so `author_id` is not
//! an auth helper and `oauth_tokens` is not `auth`.

use crate::config::Settings;

/// Splits an identifier or dotted call into lower-case words.
pub fn words(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            if c.is_ascii_uppercase() && prev_lower && !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
            cur.push(c.to_ascii_lowercase());
        } else {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            prev_lower = false;
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// The callee name without `Depends(...)`, `Security(...)`, `@`, arguments, or `await`.
pub fn callee(name: &str) -> &str {
    let mut s = name.trim().trim_start_matches('@').trim();
    s = s.strip_prefix("await ").unwrap_or(s).trim();
    for wrapper in ["Depends(", "Security(", "Depends (", "Security ("] {
        if let Some(rest) = s.strip_prefix(wrapper) {
            s = rest.trim_end_matches(')').trim();
        }
    }
    match s.find('(') {
        Some(i) if i > 0 => &s[..i],
        _ => s,
    }
}

/// The last segment of a dotted call (`auth.requireUser` → `requireUser`).
pub fn last_segment(name: &str) -> &str {
    let c = callee(name);
    c.rsplit('.').next().unwrap_or(c)
}

fn has_any(ws: &[String], set: &[&str]) -> bool {
    ws.iter().any(|w| set.contains(&w.as_str()))
}

/// Words that mark a router or a route module rather than a guard (`authRouter`).
const NOT_GUARD: &[&str] = &[
    "router",
    "routes",
    "route",
    "controller",
    "callback",
    "page",
    "pages",
    "provider",
    "context",
    "form",
    "modal",
    "button",
    "view",
    "screen",
    "store",
    "client",
    "routers",
];

/// True for names of helpers that authenticate the caller (`requireAuth`, `withAuth`,
/// `login_required`, `get_current_user`, `verifyToken`, `passport.authenticate`...).
pub fn is_auth_helper(name: &str, settings: &Settings) -> bool {
    let c = callee(name);
    let lc = c.to_ascii_lowercase();
    let last = last_segment(name).to_ascii_lowercase();
    if settings.auth_helpers.iter().any(|h| *h == lc || *h == last) {
        return true;
    }
    let ws = words(c);
    if ws.is_empty() || has_any(&ws, NOT_GUARD) {
        return false;
    }
    let auth_word = has_any(
        &ws,
        &[
            "auth",
            "authenticate",
            "authenticated",
            "authentication",
            "authorize",
            "authorized",
            "authed",
            "jwt",
            "loggedin",
            "signedin",
        ],
    );
    let joined = ws.join("_");
    auth_word
        || [
            "login_required",
            "logged_in",
            "signed_in",
            "require_user",
            "require_login",
            "require_session",
            "current_user",
            "current_active_user",
            "verify_token",
            "verify_id_token",
            "verify_access_token",
            "validate_token",
            "check_token",
            "api_key",
            "protect",
            "protected",
            "require_api_key",
            "ensure_user",
            "get_user_or_throw",
            "user_or_throw",
            "with_session",
            "require_member",
        ]
        .iter()
        .any(|p| joined == *p || joined.contains(p))
        || ws
            .first()
            .is_some_and(|w| w == "protect" || w == "protected")
}

/// True for names that check a role, permission or ownership (`requireAdmin`,
/// `isAdmin`, `admin_required`, `hasRole`, `checkPermission`, `assertOwner`...).
pub fn is_role_helper(name: &str, settings: &Settings) -> bool {
    let c = callee(name);
    let lc = c.to_ascii_lowercase();
    let last = last_segment(name).to_ascii_lowercase();
    if settings.role_helpers.iter().any(|h| *h == lc || *h == last) {
        return true;
    }
    let ws = words(c);
    if ws.is_empty() || has_any(&ws, NOT_GUARD) {
        return false;
    }
    has_any(
        &ws,
        &[
            "admin",
            "admins",
            "role",
            "roles",
            "permission",
            "permissions",
            "superuser",
            "staff",
            "owner",
            "ownership",
            "can",
            "ability",
            "rbac",
            "acl",
            "policy",
            "scope",
            "scopes",
        ],
    ) && !ws.iter().any(|w| w == "supabase" || w == "client")
}

/// True for names that apply a rate limit (`rateLimit`, `limiter`, `throttle`...).
pub fn is_rate_limit_helper(name: &str, settings: &Settings) -> bool {
    let c = callee(name);
    let lc = c.to_ascii_lowercase();
    let last = last_segment(name).to_ascii_lowercase();
    if settings
        .rate_limit_helpers
        .iter()
        .any(|h| *h == lc || *h == last)
    {
        return true;
    }
    let ws = words(c);
    let joined = ws.join("");
    has_any(
        &ws,
        &[
            "ratelimit",
            "ratelimiter",
            "limiter",
            "throttle",
            "throttler",
            "throttled",
            "slowdown",
        ],
    ) || joined.contains("ratelimit")
        || (has_any(&ws, &["rate"]) && has_any(&ws, &["limit", "limited", "limits"]))
}

/// Why a route pattern is public by design, if it is.
pub fn public_route_reason(pattern: &str, settings: &Settings) -> Option<&'static str> {
    if settings.public_route(pattern) {
        return Some("listed in [authz] public_routes");
    }
    let ws = words(pattern);
    let segs: Vec<String> = pattern
        .split('/')
        .filter(|s| !s.is_empty())
        .map(|s| s.to_ascii_lowercase())
        .collect();
    let has_seg = |names: &[&str]| segs.iter().any(|s| names.contains(&s.as_str()));
    if has_seg(&[
        "health",
        "healthz",
        "healthcheck",
        "health-check",
        "ping",
        "status",
        "ready",
        "readyz",
        "livez",
        "version",
    ]) {
        return Some("health check");
    }
    if has_seg(&[
        "robots.txt",
        "sitemap.xml",
        "sitemap",
        "manifest.json",
        "favicon.ico",
        "opengraph-image",
        "twitter-image",
        "og",
        "og-image",
        "rss",
        "feed.xml",
    ]) {
        return Some("public asset or metadata");
    }
    if has_any(&ws, &["callback", "oauth"]) || has_seg(&["[...nextauth]", "[...auth]", "[...all]"])
    {
        return Some("authentication callback");
    }
    if has_any(&ws, &["public"]) {
        return Some("public by its path");
    }
    None
}

/// What kind of sign-in flow a route implements, judged from its pattern or handler name.
pub fn auth_flow(text: &str) -> Option<&'static str> {
    let ws = words(text);
    // single words and adjacent pairs/triples joined (`sign up` → `signup`)
    let mut grams: Vec<String> = ws.clone();
    for i in 0..ws.len() {
        if i + 1 < ws.len() {
            grams.push(format!("{}{}", ws[i], ws[i + 1]));
        }
        if i + 2 < ws.len() {
            grams.push(format!("{}{}{}", ws[i], ws[i + 1], ws[i + 2]));
        }
    }
    let pairs: &[(&[&str], &str)] = &[
        (&["login", "signin", "logon", "authenticate"], "login"),
        (
            &["signup", "register", "registration", "createaccount"],
            "sign-up",
        ),
        (
            &[
                "forgotpassword",
                "resetpassword",
                "passwordreset",
                "recoverpassword",
            ],
            "password reset",
        ),
        (
            &[
                "otp",
                "verifyotp",
                "sendotp",
                "magiclink",
                "sendcode",
                "verifycode",
                "twofactor",
                "2fa",
                "mfa",
            ],
            "one-time code",
        ),
    ];
    for (keys, kind) in pairs {
        if grams.iter().any(|g| keys.contains(&g.as_str())) {
            return Some(kind);
        }
    }
    None
}

/// True for a table or function that records or answers lockout after failed attempts:
/// `is_two_factor_locked`, `account_lockouts`, `failed_login_attempts`,
/// `check_login_throttle`.
pub fn is_lockout(name: &str) -> bool {
    words(name).iter().any(|w| {
        matches!(
            w.as_str(),
            "locked" | "lockout" | "lockouts" | "attempts" | "throttle" | "throttled"
        )
    })
}

/// True for an environment variable holding a Supabase service-role key
/// (`SUPABASE_SERVICE_ROLE_KEY`, `SERVICE_ROLE_KEY`, `SUPABASE_SERVICE_KEY`).
pub fn is_service_role_key(env: &str) -> bool {
    let u = env.to_ascii_uppercase();
    u.contains("SERVICE_ROLE") || (u.contains("SUPABASE") && u.contains("SERVICE_KEY"))
}

/// True when a route, path or handler name marks an admin surface.
pub fn is_admin_text(text: &str) -> bool {
    let ws = words(text);
    has_any(
        &ws,
        &[
            "admin",
            "admins",
            "superadmin",
            "backoffice",
            "staff",
            "moderator",
            "moderation",
        ],
    )
}

/// True for external APIs that manage users or move money on the operator's behalf.
pub fn is_admin_api(api: &str) -> bool {
    let a = api.to_ascii_lowercase();
    [
        "auth.admin.",
        "admin.",
        "refunds.",
        "payouts.",
        "transfers.",
        "deleteuser",
        "updateuserbyid",
        "setcustomuserclaims",
        "setcustomclaims",
        "inviteuserbyemail",
        "generatelink",
        "customers.del",
        "users.delete",
        "users.update",
        "credit_notes.",
        "balance_transactions.",
    ]
    .iter()
    .any(|p| a.contains(p))
}

/// Columns that say who may change a row's privileges.
pub fn is_role_column(column: &str) -> bool {
    let ws = words(column);
    let j = ws.join("_");
    matches!(
        j.as_str(),
        "role"
            | "roles"
            | "is_admin"
            | "admin"
            | "is_superuser"
            | "superuser"
            | "user_role"
            | "permissions"
            | "is_staff"
            | "access_level"
            | "plan"
            | "tier"
            | "is_pro"
            | "subscription_status"
            | "credits"
            | "balance"
            | "is_verified"
    )
}

/// Built-in owner / tenant columns.
const TENANT_COLUMNS: &[&str] = &[
    "user_id",
    "userid",
    "owner_id",
    "ownerid",
    "owner",
    "author_id",
    "authorid",
    "created_by",
    "createdby",
    "creator_id",
    "creatorid",
    "profile_id",
    "profileid",
    "account_id",
    "accountid",
    "org_id",
    "orgid",
    "organization_id",
    "organizationid",
    "organisation_id",
    "tenant_id",
    "tenantid",
    "team_id",
    "teamid",
    "workspace_id",
    "workspaceid",
    "company_id",
    "companyid",
    "member_id",
    "memberid",
    "customer_id",
    "customerid",
    "uid",
    "user",
    "owner_email",
    "user_email",
];

/// True for columns that tie a row to its user or tenant.
pub fn is_tenant_column(column: &str, settings: &Settings) -> bool {
    let c = column_name(column).to_ascii_lowercase();
    TENANT_COLUMNS.contains(&c.as_str()) || settings.tenant_columns.contains(&c)
}

/// Columns that name the owning user (a subset of tenant columns).
pub fn is_owner_column(column: &str) -> bool {
    let c = column_name(column).to_ascii_lowercase();
    matches!(
        c.as_str(),
        "user_id"
            | "userid"
            | "owner_id"
            | "ownerid"
            | "author_id"
            | "authorid"
            | "created_by"
            | "createdby"
            | "creator_id"
            | "creatorid"
            | "profile_id"
            | "profileid"
            | "uid"
    )
}

/// The column part of `table.column` or `t."column"`.
pub fn column_name(column: &str) -> &str {
    column
        .rsplit('.')
        .next()
        .unwrap_or(column)
        .trim_matches('"')
        .trim_matches('`')
}

/// True for columns that select one object by identifier.
pub fn is_id_column(column: &str) -> bool {
    let c = column_name(column);
    let lc = c.to_ascii_lowercase();
    lc == "id"
        || lc == "_id"
        || lc == "uuid"
        || lc.ends_with("_id")
        || lc.ends_with("_uuid")
        || (c.ends_with("Id") && c.len() > 2)
        || (c.ends_with("ID") && c.len() > 2)
}

/// Why a table is public by design (a catalog anyone may read), if it is.
pub fn public_table_reason(table: &str, settings: &Settings) -> Option<&'static str> {
    let t = table_name(table).to_ascii_lowercase();
    if settings.public_tables.contains(&t) {
        return Some("listed in [authz] public_tables");
    }
    const CATALOG: &[&str] = &[
        "products",
        "product",
        "product_variants",
        "product_images",
        "plans",
        "pricing",
        "pricing_plans",
        "prices",
        "price",
        "categories",
        "category",
        "tags",
        "posts",
        "blog_posts",
        "articles",
        "faqs",
        "faq",
        "testimonials",
        "features",
        "public_profiles",
        "countries",
        "currencies",
        "languages",
        "locales",
        "cities",
        "regions",
        "announcements",
        "changelog",
        "menu_items",
        "menu",
        "services",
        "portfolio",
        "courses",
        "lessons",
        "reviews",
        "site_settings",
        "pages",
        "collections",
        "brands",
        "templates",
    ];
    if CATALOG.contains(&t.as_str()) {
        return Some("a public catalog by its name");
    }
    if t.starts_with("public_") || t.ends_with("_public") {
        return Some("public by its name");
    }
    None
}

/// Tables people submit to without an account (insert-only by design).
pub fn is_submission_table(table: &str) -> bool {
    let ws = words(table_name(table));
    has_any(
        &ws,
        &[
            "waitlist",
            "newsletter",
            "subscribers",
            "contact",
            "contacts",
            "leads",
            "inquiries",
            "enquiries",
            "feedback",
            "signups",
            "submissions",
            "analytics",
            "pageviews",
            "events",
        ],
    )
}

/// Tables whose exposure is critical (accounts, money, messages, keys).
pub fn is_sensitive_table(table: &str) -> bool {
    let ws = words(table_name(table));
    has_any(
        &ws,
        &[
            "users",
            "user",
            "profiles",
            "profile",
            "accounts",
            "customers",
            "orders",
            "payments",
            "invoices",
            "subscriptions",
            "transactions",
            "messages",
            "conversations",
            "chats",
            "keys",
            "tokens",
            "secrets",
            "credentials",
            "sessions",
            "wallets",
            "billing",
            "documents",
            "files",
            "notes",
            "patients",
            "medical",
            "employees",
            "salaries",
            "addresses",
            "order",
            "payment",
            "invoice",
            "subscription",
            "transaction",
            "message",
            "account",
            "customer",
            "document",
            "note",
            "patient",
            "employee",
            "address",
            "credential",
            "wallet",
            "conversation",
            "chat",
        ],
    )
}

/// Columns that hold personal or secret data.
pub fn is_sensitive_column(column: &str) -> bool {
    let ws = words(column);
    let j = ws.join("_");
    has_any(
        &ws,
        &[
            "email",
            "phone",
            "address",
            "street",
            "birth",
            "dob",
            "ssn",
            "password",
            "token",
            "secret",
            "iban",
            "salary",
            "passport",
            "medical",
            "diagnosis",
            "stripe",
            "mobile",
            "postcode",
            "zip",
        ],
    ) || j.contains("api_key")
        || j.contains("ip_address")
        || j.contains("card")
        || j == "apikey"
}

/// The table name without schema or quotes.
pub fn table_name(table: &str) -> &str {
    table
        .rsplit('.')
        .next()
        .unwrap_or(table)
        .trim_matches('"')
        .trim_matches('`')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s() -> Settings {
        Settings::default()
    }

    #[test]
    fn words_split_camel_snake_and_dots() {
        assert_eq!(words("requireAuth"), vec!["require", "auth"]);
        assert_eq!(words("get_current_user"), vec!["get", "current", "user"]);
        assert_eq!(
            words("supabase.auth.getUser"),
            vec!["supabase", "auth", "get", "user"]
        );
        assert_eq!(
            words("/api/reset-password"),
            vec!["api", "reset", "password"]
        );
    }

    #[test]
    fn auth_helpers_are_recognised_word_wise() {
        for n in [
            "requireAuth",
            "withAuth",
            "login_required",
            "Depends(get_current_user)",
            "isAuthenticated",
            "passport.authenticate('jwt')",
            "verifyToken",
            "authMiddleware",
            "ensureLoggedIn",
            "jwt_required",
        ] {
            assert!(is_auth_helper(n, &s()), "{n}");
        }
        for n in [
            "author_id",
            "authRouter",
            "oauthCallback",
            "cors",
            "express.json",
            "helmet",
        ] {
            assert!(!is_auth_helper(n, &s()), "{n}");
        }
    }

    #[test]
    fn role_and_rate_limit_helpers() {
        assert!(is_role_helper("requireAdmin", &s()));
        assert!(is_role_helper("admin_required", &s()));
        assert!(is_role_helper("checkPermission", &s()));
        assert!(!is_role_helper("requireAuth", &s()));
        assert!(is_rate_limit_helper("rateLimit", &s()));
        assert!(is_rate_limit_helper("loginLimiter", &s()));
        assert!(is_rate_limit_helper("@limiter.limit(\"5/minute\")", &s()));
        assert!(!is_rate_limit_helper("limit", &s()));
    }

    #[test]
    fn columns_and_tables() {
        assert!(is_id_column("id"));
        assert!(is_id_column("projectId"));
        assert!(is_id_column("p.project_id"));
        assert!(!is_id_column("name"));
        assert!(is_tenant_column("user_id", &s()));
        assert!(is_tenant_column("orgId", &s()));
        assert!(!is_tenant_column("id", &s()));
        assert!(public_table_reason("public.products", &s()).is_some());
        assert!(public_table_reason("orders", &s()).is_none());
        assert!(is_sensitive_table("user_profiles"));
        assert!(is_sensitive_column("stripe_customer_id"));
        assert!(!is_sensitive_column("title"));
    }

    #[test]
    fn routes() {
        assert!(public_route_reason("/api/health", &s()).is_some());
        assert!(public_route_reason("/auth/callback", &s()).is_some());
        assert!(public_route_reason("/api/projects/[id]", &s()).is_none());
        assert_eq!(
            auth_flow("/api/auth/forgot-password"),
            Some("password reset")
        );
        assert_eq!(auth_flow("/api/login"), Some("login"));
        assert_eq!(auth_flow("/api/projects"), None);
        assert!(is_admin_text("/api/admin/users"));
        assert!(!is_admin_text("/api/administrative-areas"));
    }
}
