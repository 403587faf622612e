//! What each finding category means and how to fix it, for rule descriptions (SARIF
//! `fullDescription` and `help`) and the markdown report.

use lm_core::Category;

/// A category's explanation and fix guidance.
#[derive(Debug, Clone, Copy)]
pub struct CategoryHelp {
    /// What the category means, one or two sentences.
    pub description: &'static str,
    /// How to fix a finding of the category, in plain text.
    pub fix: &'static str,
}

/// The explanation and fix guidance of `category`.
pub fn for_category(category: Category) -> CategoryHelp {
    let (description, fix) = match category {
        Category::SecretHardcoded => (
            "A real-looking credential is written into source code, configuration or a committed env file. Anyone with read access to the repository (or its history) can use it.",
            "Revoke and rotate the credential at its provider first: removing it from the file does not remove it from git history. Then load it at run time from an environment variable or a secret manager, keep env files out of version control (.gitignore), and commit only a placeholder example file.",
        ),
        Category::SecretClientExposed => (
            "A server-only credential (a service-role key, a secret API key) is reachable by browser code: it is used in client code, named with a public prefix (NEXT_PUBLIC_, VITE_, EXPO_PUBLIC_, REACT_APP_) that bundlers inline into the page, or present in a built bundle. Every visitor can read it.",
            "Rotate the key, since it has already shipped to browsers. Move the call that needs it to server code (an API route, server action or edge function) and read the key there from a server-only environment variable without a public prefix. The browser should only ever hold publishable or anon keys, with row-level security or server checks doing the authorization.",
        ),
        Category::AuthnMissing => (
            "A server route, API handler, server action or edge function reads or changes non-public data without authenticating the caller. Anyone who finds the URL can call it.",
            "Authenticate at the top of the handler before touching data: verify the session or JWT with your auth provider's server-side API (for example supabase.auth.getUser(), auth() from Clerk or NextAuth) and return 401 when it is missing or invalid. Do not trust user ids sent in the request body or headers; take the identity from the verified session.",
        ),
        Category::AuthzMissingRole => (
            "A privileged action (admin, billing, user management, bulk delete) checks that the caller is signed in but not that the caller is allowed to perform it. Any signed-in user can do it.",
            "Check the caller's role or permission on the server before the action, from a trusted source (a roles table or verified token claims, never a flag the client sends), and return 403 when it is missing. Centralise the check in one helper or middleware so every privileged route uses it.",
        ),
        Category::AuthzBola => (
            "An object is read or changed by an id the client supplies, with no check that it belongs to the caller or the caller's tenant (broken object-level authorization, also known as IDOR). A user can access another user's data by changing the id.",
            "Scope the query to the caller: add the owner or tenant condition from the verified session to the query itself (for example .eq('user_id', user.id)), or enforce it with row-level security policies, and return 404 when nothing matches. Never rely on ids being hard to guess.",
        ),
        Category::AuthzServiceRoleMisuse => (
            "A service-role or admin database client, which bypasses row-level security, is used in client code or in a request handler that does no authorization of its own. Every request then runs with full database privileges.",
            "Use a client bound to the caller's session (the anon key plus the user's JWT) so row-level security applies. Keep the service-role client for trusted back-office jobs, and where a handler must use it, authenticate and authorize the caller explicitly first and restrict the query to the caller's rows.",
        ),
        Category::DbRlsDisabled => (
            "A table in an exposed schema (Supabase public) is created without row-level security enabled. With the public anon key, anyone can read and write every row through the auto-generated API.",
            "Enable row-level security on the table (ALTER TABLE ... ENABLE ROW LEVEL SECURITY) in a new migration and add policies that grant each role only the rows it needs, typically using auth.uid() = user_id. If the table must not be reachable from the API at all, move it to a schema that is not exposed.",
        ),
        Category::DbRlsPermissive => (
            "Row-level security is enabled but a policy lets anyone through (USING (true) or WITH CHECK (true) for anon, authenticated or public on non-public data), or writes are expected on a table with no policy. The protection exists only on paper.",
            "Replace the always-true condition with one that ties rows to the caller, such as auth.uid() = user_id or a membership check, and split policies per operation (select, insert, update, delete) so each grants only what is needed. Reserve USING (true) for data that is truly public and read-only.",
        ),
        Category::WebhookUnverified => (
            "A webhook endpoint acts on its payload without verifying the provider's signature (Stripe, Svix/Clerk, GitHub, Lemon Squeezy, generic HMAC). Anyone can forge events, for example to mark an order as paid.",
            "Verify the signature over the raw request body before parsing or acting on it, with the provider's SDK (stripe.webhooks.constructEvent, svix Webhook.verify) or an HMAC computed with the endpoint secret and compared in constant time. Reject requests whose signature or timestamp is invalid with 400.",
        ),
        Category::WebhookNotIdempotent => (
            "A verified webhook performs side effects (granting credits, sending email, creating records) without de-duplicating on the event id. Providers retry deliveries, so the side effect can happen more than once.",
            "Record each processed event id in a table with a unique constraint and skip events already recorded, ideally in the same transaction as the side effect, or make the side effect itself idempotent (upsert keyed by the event or object id).",
        ),
        Category::RatelimitMissing => (
            "A login, sign-up, password-reset, OTP or paid-API proxy endpoint has no rate limiting. It can be used for credential stuffing, OTP brute force, email bombing or running up your API bill.",
            "Add a rate limit keyed by client IP and, where known, by account or email (for example a sliding window in Redis or your platform's rate-limit middleware), return 429 when it is exceeded, and add a CAPTCHA or exponential back-off for repeated failures.",
        ),
        Category::InjectXss => (
            "Untrusted data reaches an HTML sink (dangerouslySetInnerHTML, innerHTML, v-html, a |safe template filter) without sanitisation. An attacker can run script in other users' browsers.",
            "Render the data as text instead (React and Vue escape text by default). When HTML is really needed, sanitise it with a maintained sanitiser such as DOMPurify right before the sink, and consider a Content-Security-Policy as a second line of defence.",
        ),
        Category::InjectSql => (
            "A SQL statement is built by string concatenation or interpolation with untrusted data. An attacker can change the query to read or modify any data the connection can reach.",
            "Pass values as bound parameters ($1, ?, named parameters) or use the query builder's methods, never string formatting. Identifiers such as column names or sort orders must come from a fixed allow-list.",
        ),
        Category::InjectLog => (
            "Untrusted data is written to a log line without sanitisation. Embedded newlines or control characters let an attacker forge log entries or hide activity.",
            "Log untrusted values as structured fields (JSON logging) or strip CR, LF and other control characters before logging, and avoid logging secrets or personal data at all.",
        ),
        Category::CorsPermissive => (
            "CORS reflects any request origin, or allows * together with credentials. Any website can make authenticated requests to the API from a visitor's browser and read the responses.",
            "Allow only an explicit list of trusted origins, compare the Origin header against it exactly, and never combine a wildcard or reflected origin with Access-Control-Allow-Credentials: true.",
        ),
        Category::DepVulnerable => (
            "A locked dependency version has a known security advisory.",
            "Upgrade the package to a version that fixes the advisory (see the advisory for the fixed range), regenerate the lockfile, and check the advisory to see whether the vulnerable code path is reachable in the meantime.",
        ),
        Category::DepConflict => (
            "Incompatible versions of one package are required together, or a peer dependency is unmet. The app may build but fail or misbehave at run time.",
            "Align the version ranges so one version satisfies every dependent (upgrade or downgrade the package or its dependents), install the missing peer dependency, and regenerate the lockfile rather than forcing the install.",
        ),
        Category::DepLockfile => (
            "A manifest has no lockfile, or the lockfile is out of sync with it. Builds are not reproducible and can silently pick up new, possibly compromised, versions.",
            "Generate the lockfile with the project's package manager (npm install, pnpm install, yarn, poetry lock, cargo generate-lockfile), commit it, and install with the frozen-lockfile mode in CI (npm ci, pnpm install --frozen-lockfile).",
        ),
        Category::DepUnknownPackage => (
            "A dependency does not exist in its registry (a hallucinated name) or is a likely typosquat of a popular package. Someone can register the name and ship malicious code to you.",
            "Check the name against the package you meant to use and its official documentation, fix the spelling or remove the dependency, and never install a package you cannot trace to a known project.",
        ),
        Category::DepUnpinned => (
            "A dependency has no version bound, uses * or latest, or comes from a git or URL source with no fixed revision. Every install can fetch different code.",
            "Declare a version range with an upper bound (or an exact version) and commit the lockfile; pin git dependencies to a commit hash rather than a branch.",
        ),
        Category::DepInstallScript => (
            "A dependency runs an install script (preinstall, install, postinstall), which executes arbitrary code on every machine that installs it, including CI.",
            "Check that the package really needs the script and comes from a trusted publisher. Prefer installing with scripts disabled (npm ci --ignore-scripts, pnpm's onlyBuiltDependencies allow-list) and allow scripts only for the packages that need them.",
        ),
    };
    CategoryHelp { description, fix }
}

/// A readable name for a rule id: the part after the first `.`, with `-` and `_` as spaces
/// (`secrets.stripe-live-secret-key` becomes `stripe live secret key`).
pub fn rule_words(rule: &str) -> String {
    let tail = rule.split_once('.').map_or(rule, |(_, t)| t);
    let tail = if tail.is_empty() { rule } else { tail };
    tail.replace(['-', '_', '.'], " ").trim().to_string()
}

/// The one-line description of a rule: the category's title and the rule's name.
pub fn short_description(rule: &str, category: Category) -> String {
    let words = rule_words(rule);
    if words.is_empty() || words.eq_ignore_ascii_case(category.title()) {
        category.title().to_string()
    } else {
        format!("{}: {words}", category.title())
    }
}

/// The plain-text help of a rule.
pub fn help_text(rule: &str, category: Category) -> String {
    let h = for_category(category);
    let cwe = category
        .cwe()
        .map(|n| format!(" (CWE-{n})"))
        .unwrap_or_default();
    format!(
        "{title}{cwe}\n\n{desc}\n\nHow to fix: {fix}\n\nIf this finding is a false positive, add the comment `lm-ignore: {rule} <reason>` on the line above it, or record it in a baseline file (lm-report --write-baseline).",
        title = category.title(),
        desc = h.description,
        fix = h.fix,
    )
}

/// The markdown help of a rule.
pub fn help_markdown(rule: &str, category: Category) -> String {
    let h = for_category(category);
    let cwe = category
        .cwe()
        .map(|n| format!(" ([CWE-{n}](https://cwe.mitre.org/data/definitions/{n}.html))"))
        .unwrap_or_default();
    format!(
        "**{title}**{cwe}\n\n{desc}\n\n**How to fix**\n\n{fix}\n\nIf this finding is a false positive, add the comment `lm-ignore: {rule} <reason>` on the line above it, or record it in a baseline file (`lm-report --write-baseline`).",
        title = category.title(),
        desc = h.description,
        fix = h.fix,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_category_has_substantial_help() {
        for c in Category::ALL {
            let h = for_category(*c);
            assert!(h.description.len() > 40, "{c}");
            assert!(h.fix.len() > 60, "{c}");
            let md = help_markdown("x.y", *c);
            assert!(md.contains(c.title()));
            if let Some(n) = c.cwe() {
                assert!(md.contains(&format!("CWE-{n}")), "{c}");
                assert!(help_text("x.y", *c).contains(&format!("CWE-{n}")));
            }
        }
    }

    #[test]
    fn short_descriptions_read_naturally() {
        assert_eq!(
            short_description("secrets.stripe-live-secret-key", Category::SecretHardcoded),
            "Hard-coded secret: stripe live secret key"
        );
        assert_eq!(rule_words("plain"), "plain");
        assert_eq!(rule_words("a."), "a");
    }
}
