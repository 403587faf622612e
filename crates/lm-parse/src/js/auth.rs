//! Authentication checks (`auth_check`) and role checks (`role_check`).

use std::sync::LazyLock;

use lm_core::fact::{AuthCheck, FactData, Provenance, RoleCheck};
use regex::Regex;
use tree_sitter::Node;

use super::model::{JsFile, UserVar};
use super::{provenance, syntax};

/// Custom helper names that authenticate the caller (`requireUser`, `getCurrentUser`,
/// `withAuth`, `ensureAuthenticated`, `verifyToken`...).
static CUSTOM_AUTH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^(require|ensure|assert|verify|validate|check|with|get|fetch|load|protect|resolve)_?(current_?|authenticated_?|auth_?|logged_?in_?|session_?|[a-z0-9]+_?)?(auth|authenticated|authentication|user|session|login|logged_?in|token|jwt|api_?key|id_?token|access_?token|bearer)(_?id)?(_?or_?(throw|redirect|401|fail))?$|^(require|ensure|assert|with)_?(admin|role|roles|permission|permissions)$|^(authenticate|authenticated|authenticate_?request|authenticate_?user|is_?authenticated|protect_?route|auth_?guard|auth_?required|login_?required)$",
    )
    .expect("regex compiles")
});

/// Role-ish names compared in role checks.
static ROLE_NAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^(role|roles|user_?role|app_?role|account_?role|member_?role|org_?role|is_?admin|is_?super_?admin|is_?owner|is_?staff|is_?moderator|permission|permissions|access_?level|admin|user_?type|account_?type)$",
    )
    .expect("regex compiles")
});

/// Role-check helpers (`isAdmin(user)`, `requireRole('admin')`, `hasPermission`...).
/// Allowlists of privileged users (`ADMIN_EMAILS`, `superAdminIds`, `STAFF_USERS`):
/// membership of the signed-in user is a role check.
static ADMIN_LIST: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^(super_?)?(admin|admins|staff|moderator|moderators)_?(emails?|ids?|users?|user_?ids?|list|allowlist|whitelist)$",
    )
    .expect("regex compiles")
});

static ROLE_CALL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^(is_?admin|is_?super_?admin|require_?admin|require_?role|require_?roles|check_?role|has_?role|has_?any_?role|has_?permission|check_?permission|require_?permission|ensure_?admin|assert_?admin|ensure_?role|authorize|authorize_?role|with_?admin|with_?role|admin_?only|is_?owner|check_?admin)$",
    )
    .expect("regex compiles")
});

/// Recognises a call that authenticates: `(method as written, provider)`.
pub fn classify_call(file: &JsFile<'_>, call: Node<'_>) -> Option<(String, &'static str)> {
    let callee = syntax::callee(call)?;
    let text = syntax::callee_text(file.src, callee);
    let last = syntax::last_name(file.src, callee);
    if text.len() > 120 {
        return None;
    }
    let from = |name: &str| {
        file.import_of(name)
            .map(|i| i.source.as_str())
            .unwrap_or("")
    };
    let provider = match last {
        "getUser" | "getSession" | "getClaims" if text.ends_with(&format!("auth.{last}")) => {
            "supabase"
        }
        "getServerSession" | "unstable_getServerSession" => "nextauth",
        "getToken" if from("getToken").starts_with("next-auth") => "nextauth",
        "auth" if callee.kind() == "identifier" => {
            let src = from("auth");
            if src.starts_with("@clerk") {
                "clerk"
            } else if !src.is_empty() || file.src.contains("NextAuth") {
                "nextauth"
            } else {
                return None;
            }
        }
        "protect" if text.ends_with("auth.protect") || text.ends_with("auth().protect") => "clerk",
        "currentUser" | "getAuth" if from(last).starts_with("@clerk") => "clerk",
        "currentUser" if callee.kind() == "identifier" => "custom",
        "verify" if matches!(text.as_str(), "jwt.verify" | "jsonwebtoken.verify") => "jwt",
        "jwtVerify" => "jwt",
        "verifyIdToken" | "verifySessionCookie" => "firebase",
        "authenticate" if text.starts_with("passport.") => "passport",
        "isAuthenticated" if text.starts_with("req.") || text.starts_with("request.") => "passport",
        "isAuthenticated" | "isSignedIn" | "isLoggedIn"
            if matches!(
                text.split('.').next(),
                Some("ctx" | "context" | "c" | "locals" | "event" | "auth")
            ) =>
        {
            "custom"
        }
        "verifyToken" if from("verifyToken").starts_with("@clerk") => "clerk",
        _ => {
            if !CUSTOM_AUTH.is_match(last) {
                return None;
            }
            // Custom helpers: bare calls, or methods of an auth service.
            let obj_ok = callee.kind() == "identifier"
                || syntax::callee_object(call)
                    .map(|o| file.text(o).to_ascii_lowercase())
                    .is_some_and(|o| o.contains("auth") || o == "this");
            if !obj_ok || last.eq_ignore_ascii_case("getuser") && text.contains("admin") {
                return None;
            }
            let lower = last.to_ascii_lowercase();
            // Getters that take an id are lookups, not checks; getters of tokens and keys
            // fetch credentials for outgoing calls.
            if lower.starts_with("get")
                || lower.starts_with("fetch")
                || lower.starts_with("load")
                || lower.starts_with("resolve")
            {
                if ["token", "jwt", "apikey", "api_key", "bearer"]
                    .iter()
                    .any(|w| lower.ends_with(w))
                {
                    return None;
                }
                let args = syntax::args(call);
                let ok = args.iter().all(|a| {
                    let t = file.text(*a);
                    matches!(
                        t,
                        "req"
                            | "request"
                            | "event"
                            | "ctx"
                            | "c"
                            | "context"
                            | "authOptions"
                            | "cookies()"
                            | "headers()"
                            | "supabase"
                            | "res"
                    ) || t.starts_with("await cookies")
                        || t.starts_with("{")
                });
                if !ok {
                    return None;
                }
            }
            "custom"
        }
    };
    Some((text, provider))
}

/// True for helper names that throw or redirect themselves when the caller is not
/// authenticated.
fn self_enforcing(method: &str, provider: &str) -> bool {
    let last = method
        .rsplit('.')
        .next()
        .unwrap_or(method)
        .to_ascii_lowercase();
    last.starts_with("require")
        || last.starts_with("ensure")
        || last.starts_with("assert")
        || last.starts_with("protect")
        || last.starts_with("with")
        || last.ends_with("orthrow")
        || last.ends_with("orredirect")
        || last == "authenticate"
        || provider == "passport" && last == "authenticate"
        || provider == "jwt"
        || provider == "firebase"
}

/// Preferred names when a check's result is destructured.
const USER_NAMES: &[&str] = &[
    "user",
    "session",
    "claims",
    "userId",
    "currentUser",
    "authUser",
    "payload",
    "decoded",
    "token",
    "data",
];

/// The declarator pattern and the names it binds, when `call` initialises a variable.
fn bound_names<'a>(file: &JsFile<'a>, call: Node<'a>) -> (Option<Node<'a>>, Vec<&'a str>) {
    let mut cur = call;
    while let Some(p) = cur.parent() {
        match p.kind() {
            "await_expression"
            | "parenthesized_expression"
            | "non_null_expression"
            | "as_expression" => cur = p,
            "variable_declarator" => {
                let mut names = Vec::new();
                if let Some(pat) = p.child_by_field_name("name") {
                    syntax::pattern_names(file.src, pat, &mut names);
                    return (Some(pat), names);
                }
                return (None, names);
            }
            "assignment_expression" => {
                let mut names = Vec::new();
                if let Some(l) = p.child_by_field_name("left") {
                    syntax::pattern_names(file.src, l, &mut names);
                    return (Some(l), names);
                }
                return (None, names);
            }
            _ => return (None, Vec::new()),
        }
    }
    (None, Vec::new())
}

fn pick_user_var<'a>(names: &[&'a str]) -> Option<&'a str> {
    USER_NAMES
        .iter()
        .find_map(|u| names.iter().find(|n| *n == u).copied())
        .or_else(|| names.first().copied())
}

/// True when `word` occurs in `text` as a whole identifier.
fn mentions(text: &str, word: &str) -> bool {
    if word.is_empty() {
        return false;
    }
    let bytes = text.as_bytes();
    let mut start = 0;
    while let Some(i) = text[start..].find(word) {
        let a = start + i;
        let b = a + word.len();
        let ok_l = a == 0 || !is_ident(bytes[a - 1]);
        let ok_r = b >= bytes.len() || !is_ident(bytes[b]);
        if ok_l && ok_r {
            return true;
        }
        start = a + 1;
    }
    false
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$'
}

/// True when `n` is in the condition of an `if` whose branch exits, or the check
/// gates what follows; or one of `names` is tested by such an `if` in the next few
/// statements.
pub fn guarded(file: &JsFile<'_>, n: Node<'_>, names: &[&str]) -> bool {
    // In an if condition directly.
    let mut cur = n;
    while let Some(p) = cur.parent() {
        if p.kind() == "if_statement" {
            if p.child_by_field_name("condition")
                .is_some_and(|c| syntax::contains(c, n))
            {
                return true;
            }
            break;
        }
        if matches!(
            p.kind(),
            "statement_block" | "program" | "expression_statement" | "lexical_declaration"
        ) || syntax::is_function(p)
        {
            break;
        }
        cur = p;
    }
    // In a try whose catch exits (`try { jwt.verify(...) } catch { return 401 }`).
    let mut cur = n.parent();
    while let Some(p) = cur {
        if syntax::is_function(p) {
            break;
        }
        if p.kind() == "try_statement" {
            if let Some(h) = p.child_by_field_name("handler") {
                if !syntax::contains(h, n) && syntax::exits(file.src, h) {
                    return true;
                }
            }
        }
        cur = p.parent();
    }
    if names.is_empty() {
        return false;
    }
    // Followed by `if (!user) return/throw/redirect`.
    let stmt = syntax::statement_of(n);
    let mut names: Vec<String> = names.iter().map(|s| s.to_string()).collect();
    let mut next = stmt.next_named_sibling();
    let mut seen = 0;
    while let Some(s) = next {
        if seen >= 6 {
            break;
        }
        if s.kind() != "comment" {
            seen += 1;
        }
        match s.kind() {
            "if_statement" => {
                let cond = s
                    .child_by_field_name("condition")
                    .map(|c| file.text(c))
                    .unwrap_or("");
                if names.iter().any(|nm| mentions(cond, nm)) {
                    let cons = s.child_by_field_name("consequence");
                    if cons.is_some_and(|c| syntax::exits(file.src, c)) {
                        return true;
                    }
                }
            }
            "lexical_declaration" | "variable_declaration" => {
                // `const user = data.user` / `const userId = session?.user?.id`
                let t = file.text(s);
                if names.iter().any(|nm| mentions(t, nm)) {
                    let mut c = s.walk();
                    for d in s.named_children(&mut c) {
                        if let Some(p) = d.child_by_field_name("name") {
                            let mut v = Vec::new();
                            syntax::pattern_names(file.src, p, &mut v);
                            names.extend(v.into_iter().map(String::from));
                        }
                    }
                }
            }
            "return_statement" | "throw_statement" => break,
            _ => {}
        }
        next = s.next_named_sibling();
    }
    false
}

/// Emits `auth_check` and `role_check` facts and records the user variables.
pub fn extract(file: &mut JsFile<'_>) {
    let calls = file.calls.clone();
    for call in calls {
        let Some((method, provider)) = classify_call(file, call) else {
            continue;
        };
        // Skip the definition site of NextAuth's `auth` and Clerk's middleware.
        let (_, names) = bound_names(file, call);
        let user_var = pick_user_var(&names).map(String::from);
        let mut guard_names: Vec<&str> = names.clone();
        if let Some(u) = user_var.as_deref() {
            if !guard_names.contains(&u) {
                guard_names.push(u);
            }
        }
        let enforced = self_enforcing(&method, provider) || guarded(file, call, &guard_names);
        let scope = file.scope_range(call);
        for n in &names {
            if matches!(*n, "error" | "authError" | "err") {
                continue;
            }
            file.user_vars.push(UserVar {
                scope: scope.clone(),
                name: n.to_string(),
            });
        }
        file.push(
            call,
            FactData::AuthCheck(AuthCheck {
                method,
                provider: provider.to_string(),
                user_var,
                enforced,
            }),
        );
    }
    // Hooks and wrappers that yield the user without checking (`useAuth()`): user
    // provenance only.
    let calls = file.calls.clone();
    for call in calls {
        let Some(c) = syntax::callee(call) else {
            continue;
        };
        let name = file.text(c);
        if matches!(
            name,
            "useAuth" | "useUser" | "useSession" | "useSupabaseUser"
        ) {
            let (_, names) = bound_names(file, call);
            let scope = file.scope_range(call);
            for n in names {
                file.user_vars.push(UserVar {
                    scope: scope.clone(),
                    name: n.to_string(),
                });
            }
        }
    }
    secret_headers(file);
    role_checks(file);
}

fn is_headerish(t: &str) -> bool {
    let l = t.to_ascii_lowercase();
    l.contains("headers")
        || l.contains("authorization")
        || l.contains("x-api-key")
        || l.contains("x-cron-secret")
        || l.contains("bearer")
}

fn is_secretish(t: &str) -> bool {
    t.contains("process.env")
        || t.contains("Deno.env")
        || t.contains("import.meta.env")
        || t.contains("SECRET")
        || t.contains("API_KEY")
        || t.contains("TOKEN")
}

fn resolved_text(file: &JsFile<'_>, n: Node<'_>) -> String {
    let n = syntax::unwrap(n);
    let mut t = file.text(n).to_string();
    let mut ids = Vec::new();
    syntax::descendants(n, true, |x| {
        if x.kind() == "identifier" {
            ids.push(x);
        }
    });
    for id in ids.into_iter().take(4) {
        if let Some(v) = provenance::value_of(file, file.text(id), id) {
            t.push(' ');
            t.push_str(file.text(v));
            // One more level: `const expected = `Bearer ${secret}``.
            let mut inner = Vec::new();
            syntax::descendants(v, true, |x| {
                if x.kind() == "identifier" {
                    inner.push(x);
                }
            });
            for id2 in inner.into_iter().take(3) {
                if let Some(v2) = provenance::value_of(file, file.text(id2), id2) {
                    t.push(' ');
                    t.push_str(file.text(v2));
                }
            }
        }
    }
    t
}

fn secret_headers(file: &mut JsFile<'_>) {
    let mut found = Vec::new();
    for b in &file.binaries {
        let op = b
            .child_by_field_name("operator")
            .map(|o| file.text(o))
            .unwrap_or("");
        if !matches!(op, "===" | "!==" | "==" | "!=") {
            continue;
        }
        let (Some(l), Some(r)) = (
            b.child_by_field_name("left"),
            b.child_by_field_name("right"),
        ) else {
            continue;
        };
        if syntax::string_value(file.src, l).is_some()
            && syntax::string_value(file.src, r).is_none()
            && !file.text(r).contains("env")
        {
            continue;
        }
        // Cheap look at the written text before resolving bindings.
        let raw = file.text(*b).to_ascii_lowercase();
        if ![
            "header", "author", "secret", "token", "key", "env", "bearer", "cron",
        ]
        .iter()
        .any(|w| raw.contains(w))
        {
            continue;
        }
        let (lt, rt) = (resolved_text(file, l), resolved_text(file, r));
        let ok = is_headerish(&lt) && is_secretish(&rt) || is_headerish(&rt) && is_secretish(&lt);
        // Webhook signatures are compared the same way; the webhook extractor reads them.
        let sig = (lt.contains("signature") || rt.contains("signature")) && !lt.contains("CRON");
        if ok && !sig {
            found.push(*b);
        }
    }
    for c in file.calls.clone() {
        let Some(callee) = syntax::callee(c) else {
            continue;
        };
        if syntax::last_name(file.src, callee) != "timingSafeEqual" {
            continue;
        }
        let t = resolved_text(file, c);
        if is_headerish(&t)
            && is_secretish(&t)
            && !t.contains("signature")
            && !t.contains("hmac")
            && !t.contains("Hmac")
        {
            found.push(c);
        }
    }
    for n in found {
        let enforced = guarded(file, n, &[]);
        let method = file.short(n, 100);
        file.push(
            n,
            FactData::AuthCheck(AuthCheck {
                method,
                provider: "secret-header".into(),
                user_var: None,
                enforced,
            }),
        );
    }
}

fn last_segment<'a>(file: &JsFile<'a>, n: Node<'_>) -> Option<&'a str> {
    let n = syntax::unwrap(n);
    match n.kind() {
        "member_expression" => n.child_by_field_name("property").map(|p| file.text(p)),
        "subscript_expression" => n
            .child_by_field_name("index")
            .and_then(|i| syntax::string_value(file.src, i)),
        "identifier" => Some(file.text(n)),
        _ => None,
    }
}

fn role_guarded(file: &JsFile<'_>, n: Node<'_>) -> bool {
    if guarded(file, n, &[]) {
        return true;
    }
    // `const isAdmin = profile.role === 'admin'` then `if (!isAdmin) return`.
    let (_, names) = bound_names_of_expr(file, n);
    !names.is_empty() && guarded(file, n, &names)
}

fn bound_names_of_expr<'a>(file: &JsFile<'a>, n: Node<'a>) -> (Option<Node<'a>>, Vec<&'a str>) {
    let mut cur = n;
    while let Some(p) = cur.parent() {
        match p.kind() {
            "variable_declarator" => {
                let mut names = Vec::new();
                if let Some(pat) = p.child_by_field_name("name") {
                    syntax::pattern_names(file.src, pat, &mut names);
                }
                return (Some(p), names);
            }
            "parenthesized_expression"
            | "binary_expression"
            | "unary_expression"
            | "await_expression"
            | "member_expression"
            | "call_expression"
            | "arguments" => cur = p,
            _ => return (None, Vec::new()),
        }
    }
    (None, Vec::new())
}

/// Chat message roles and browser permission states compared like roles.
fn not_a_role(subject: &str, value: &str) -> bool {
    let v = value.to_ascii_lowercase();
    if matches!(
        v.as_str(),
        "assistant"
            | "system"
            | "tool"
            | "function"
            | "model"
            | "developer"
            | "granted"
            | "denied"
            | "prompt"
            | "default"
    ) {
        return true;
    }
    let s = subject.to_ascii_lowercase();
    v == "user"
        && [
            "msg", "message", "turn", "chat", "delta", "choice", "part", "entry", "history",
        ]
        .iter()
        .any(|w| s.contains(w))
}

fn role_checks(file: &mut JsFile<'_>) {
    let mut found: Vec<(Node<'_>, Option<String>)> = Vec::new();
    for b in &file.binaries {
        let op = b
            .child_by_field_name("operator")
            .map(|o| file.text(o))
            .unwrap_or("");
        if !matches!(op, "===" | "!==" | "==" | "!=") {
            continue;
        }
        let (Some(l), Some(r)) = (
            b.child_by_field_name("left"),
            b.child_by_field_name("right"),
        ) else {
            continue;
        };
        let (side, other) = if last_segment(file, l).is_some_and(|s| ROLE_NAME.is_match(s)) {
            (l, r)
        } else if last_segment(file, r).is_some_and(|s| ROLE_NAME.is_match(s)) {
            (r, l)
        } else {
            continue;
        };
        // `req.method`-like noise and comparisons against undefined are not role checks.
        let o = syntax::unwrap(other);
        if matches!(o.kind(), "undefined" | "null") {
            continue;
        }
        let role = syntax::string_value(file.src, o).map(String::from);
        if role
            .as_deref()
            .is_some_and(|r| not_a_role(file.text(side), r))
        {
            continue;
        }
        found.push((*b, role));
    }
    for c in &file.calls {
        let Some(callee) = syntax::callee(*c) else {
            continue;
        };
        let last = syntax::last_name(file.src, callee);
        match last {
            "includes" | "some" | "has" => {
                let obj = syntax::callee_object(*c);
                let objname = obj.and_then(|o| last_segment(file, o));
                let arg0 = syntax::arg(*c, 0);
                if last == "has" && (obj.is_none() || file.text(callee) == "has") {
                    // Clerk `has({ role: 'org:admin' })`
                    if let Some(a) = arg0.filter(|a| a.kind() == "object") {
                        let role = syntax::object_prop(file.src, a, "role")
                            .or_else(|| syntax::object_prop(file.src, a, "permission"))
                            .and_then(|v| syntax::string_value(file.src, v));
                        if let Some(r) = role {
                            found.push((*c, Some(r.to_string())));
                        }
                    }
                    continue;
                }
                if objname.is_some_and(|s| ADMIN_LIST.is_match(s))
                    && arg0.is_some_and(|a| provenance::of(file, a) == Provenance::User)
                {
                    found.push((*c, Some("admin".into())));
                    continue;
                }
                if objname.is_some_and(|s| ROLE_NAME.is_match(s)) {
                    let role = arg0
                        .and_then(|a| syntax::string_value(file.src, a))
                        .map(String::from);
                    found.push((*c, role));
                }
            }
            "rpc" => {
                let name = syntax::arg(*c, 0).and_then(|a| syntax::string_value(file.src, a));
                if let Some(n) = name {
                    let l = n.to_ascii_lowercase();
                    if l.contains("admin") || l.contains("role") || l.contains("permission") {
                        found.push((*c, Some(n.to_string())));
                    }
                }
            }
            _ => {
                if callee.kind() == "identifier" && ROLE_CALL.is_match(last) {
                    let role = syntax::args(*c)
                        .iter()
                        .find_map(|a| syntax::string_value(file.src, *a))
                        .map(String::from);
                    found.push((*c, role));
                }
            }
        }
    }
    // `if (!profile?.is_admin)` / `if (user.isAdmin)` without a comparison.
    let mut flags = Vec::new();
    syntax::descendants(file.root, false, |n| {
        if n.kind() != "if_statement" {
            return;
        }
        let Some(cond) = n.child_by_field_name("condition") else {
            return;
        };
        syntax::descendants(cond, true, |m| {
            if m.kind() == "member_expression"
                && m.parent().is_none_or(|p| {
                    !matches!(
                        p.kind(),
                        "binary_expression" | "member_expression" | "call_expression"
                    ) || p.kind() == "binary_expression"
                        && p.child_by_field_name("operator")
                            .is_some_and(|o| matches!(file.text(o), "&&" | "||"))
                })
            {
                let prop = m
                    .child_by_field_name("property")
                    .map(|p| file.text(p))
                    .unwrap_or("");
                let l = prop.to_ascii_lowercase().replace('_', "");
                if matches!(
                    l.as_str(),
                    "isadmin" | "issuperadmin" | "isowner" | "isstaff" | "ismoderator" | "admin"
                ) {
                    flags.push(m);
                }
            }
        });
    });
    for m in flags {
        found.push((m, Some("admin".into())));
    }
    found.sort_by_key(|(n, _)| n.start_byte());
    found.dedup_by_key(|(n, _)| n.start_byte());
    let owner_checks: Vec<(Node<'_>, &str)> = file
        .binaries
        .iter()
        .filter_map(|b| owner_check(file, *b).map(|k| (*b, k)))
        .collect();
    for (n, kind) in owner_checks {
        let expr = file.short(n, 100);
        file.push(
            n,
            FactData::RoleCheck(RoleCheck {
                expr,
                role: Some(kind.into()),
                enforced: true,
            }),
        );
    }
    for (n, role) in found {
        let enforced = role_guarded(file, n);
        let expr = file.short(n, 100);
        file.push(
            n,
            FactData::RoleCheck(RoleCheck {
                expr,
                role,
                enforced,
            }),
        );
    }
}

/// Fields that tie a row to its owner or tenant (`owner_id`, `userId`, `org_id`...).
pub fn is_owner_field(name: &str) -> bool {
    let l = name.to_ascii_lowercase().replace('_', "");
    matches!(
        l.as_str(),
        "userid"
            | "ownerid"
            | "authorid"
            | "createdby"
            | "creatorid"
            | "profileid"
            | "orgid"
            | "organizationid"
            | "tenantid"
            | "teamid"
            | "accountid"
            | "workspaceid"
    )
}

/// A field of a loaded row that, compared with the signed-in user's id, says who the row
/// belongs to: the usual owner fields, and any id column (`seller_id`, `hostId`,
/// `profile.id`) since the other side of the comparison is the caller.
pub fn is_row_owner_field(name: &str) -> bool {
    let l = name.to_ascii_lowercase();
    is_owner_field(name) || l == "id" || l.ends_with("_id") || name.ends_with("Id")
}

/// `row.owner_id === user.id` (`Some(false)`) or `!==` (`Some(true)`): a field of a
/// loaded row compared with the signed-in user.
fn owner_comparison(file: &JsFile<'_>, b: Node<'_>) -> Option<bool> {
    let op = b
        .child_by_field_name("operator")
        .map(|o| file.text(o))
        .unwrap_or("");
    let negative = match op {
        "!==" | "!=" => true,
        "===" | "==" => false,
        _ => return None,
    };
    let l = b.child_by_field_name("left")?;
    let r = b.child_by_field_name("right")?;
    let owner_side = |n: Node<'_>| {
        let n = syntax::unwrap(n);
        matches!(n.kind(), "member_expression" | "subscript_expression")
            && last_segment(file, n).is_some_and(is_row_owner_field)
            && !matches!(
                provenance::of(file, n),
                Provenance::User | Provenance::Request
            )
    };
    let user_side = |n: Node<'_>| provenance::of(file, n) == Provenance::User;
    let caller = |n: Node<'_>| caller_row_field(file, n);
    let direct = (owner_side(l) && user_side(r)) || (owner_side(r) && user_side(l));
    // `profile.organization_id !== connection.organization_id`, the profile loaded by
    // the caller's id: the row's tenant compared with the caller's.
    let tenant =
        (owner_side(l) && !caller(l) && caller(r)) || (owner_side(r) && !caller(r) && caller(l));
    (direct || tenant).then_some(negative)
}

/// `profile.organization_id` where `profile` was loaded by the signed-in user's id
/// (`.from('profiles').select('organization_id').eq('id', user.id)`): the caller's own
/// owner or tenant field.
fn caller_row_field(file: &JsFile<'_>, n: Node<'_>) -> bool {
    let n = syntax::unwrap(n);
    if n.kind() != "member_expression" || !last_segment(file, n).is_some_and(is_owner_field) {
        return false;
    }
    let mut root = n;
    while let Some(o) = root.child_by_field_name("object") {
        root = syntax::unwrap(o);
    }
    if root.kind() != "identifier" {
        return false;
    }
    let Some(provenance::Binding::Value(v)) = provenance::binding(file, file.text(root), n) else {
        return false;
    };
    let mut found = false;
    syntax::descendants(v, true, |c| {
        if found || c.kind() != "call_expression" {
            return;
        }
        found = syntax::callee(c).is_some_and(|cl| {
            syntax::last_name(file.src, cl) == "eq"
                && syntax::callee_text(file.src, cl).contains(".from(")
        }) && syntax::arg(c, 1)
            .is_some_and(|a| provenance::of(file, a) == Provenance::User);
    });
    found
}

/// `const isBuyer = payment.buyer_id === user.id;` followed in the same function by
/// `if (!isBuyer && !isSeller) return 403`: the flag is an ownership check.
fn owner_flag_checked(file: &JsFile<'_>, b: Node<'_>) -> bool {
    let mut cur = b;
    while let Some(p) = cur.parent() {
        if p.kind() == "parenthesized_expression" {
            cur = p;
        } else {
            break;
        }
    }
    let Some(decl) = cur.parent().filter(|p| p.kind() == "variable_declarator") else {
        return false;
    };
    let Some(name) = decl
        .child_by_field_name("name")
        .filter(|n| n.kind() == "identifier")
        .map(|n| file.text(n))
    else {
        return false;
    };
    let Some(body) = syntax::enclosing_function(b).and_then(syntax::body) else {
        return false;
    };
    // `!flag`, or `!a && !b` chains where every operand is a negated name.
    fn negated_names<'t>(file: &JsFile<'t>, n: Node<'t>, out: &mut Vec<&'t str>) -> bool {
        let n = syntax::unwrap(n);
        match n.kind() {
            "unary_expression" => {
                let op = n.child_by_field_name("operator").map(|o| file.text(o));
                let arg = n.child_by_field_name("argument").map(syntax::unwrap);
                match (op, arg) {
                    (Some("!"), Some(a)) if a.kind() == "identifier" => {
                        out.push(file.text(a));
                        true
                    }
                    _ => false,
                }
            }
            "binary_expression"
                if n.child_by_field_name("operator")
                    .is_some_and(|o| file.text(o) == "&&") =>
            {
                let (Some(l), Some(r)) = (
                    n.child_by_field_name("left"),
                    n.child_by_field_name("right"),
                ) else {
                    return false;
                };
                negated_names(file, l, out) && negated_names(file, r, out)
            }
            _ => false,
        }
    }
    let mut found = false;
    syntax::descendants(body, true, |n| {
        if found || n.kind() != "if_statement" || n.start_byte() < b.end_byte() {
            return;
        }
        let Some(cond) = n.child_by_field_name("condition") else {
            return;
        };
        let mut names = Vec::new();
        if negated_names(file, cond, &mut names)
            && names.contains(&name)
            && n.child_by_field_name("consequence")
                .is_some_and(|c| syntax::exits(file.src, c))
        {
            found = true;
        }
    });
    found
}

/// `if (!project || project.userId !== session.user.id) return 403`: a field of a loaded
/// row compared with the signed-in user, where a mismatch stops the handler (`owner`);
/// `if (listing.seller_id === user.id) return 400` refuses the caller's own row, so the
/// route acts on other users' rows by design (`not-owner`).
fn owner_check(file: &JsFile<'_>, b: Node<'_>) -> Option<&'static str> {
    let negative = owner_comparison(file, b)?;
    if !negative && owner_flag_checked(file, b) {
        return Some("owner");
    }
    // The comparison is the `if` condition, or a part of it joined by `||` / `&&`.
    let mut cur = b;
    while let Some(p) = cur.parent() {
        match p.kind() {
            "parenthesized_expression" => cur = p,
            "binary_expression"
                if p.child_by_field_name("operator")
                    .is_some_and(|o| matches!(file.text(o), "||" | "&&")) =>
            {
                cur = p
            }
            "if_statement" => {
                if p.child_by_field_name("condition") != Some(cur) {
                    return None;
                }
                let consequence = p.child_by_field_name("consequence");
                if negative {
                    return consequence
                        .is_some_and(|x| syntax::exits(file.src, x))
                        .then_some("owner");
                }
                if p.child_by_field_name("alternative")
                    .is_some_and(|x| syntax::exits(file.src, x))
                {
                    return Some("owner");
                }
                return consequence
                    .is_some_and(|x| refuses(file, x))
                    .then_some("not-owner");
            }
            _ => return None,
        }
    }
    None
}

/// True when a block refuses the request: it throws, calls `notFound()` / `forbidden()`
/// / `unauthorized()`, or answers with a 4xx status.
fn refuses(file: &JsFile<'_>, block: Node<'_>) -> bool {
    let mut found = false;
    syntax::descendants(block, true, |n| {
        found = found
            || match n.kind() {
                "throw_statement" => true,
                "number" => file
                    .text(n)
                    .parse::<u32>()
                    .is_ok_and(|c| (400..500).contains(&c)),
                "call_expression" => syntax::callee(n).is_some_and(|c| {
                    matches!(
                        syntax::last_name(file.src, c),
                        "notFound" | "forbidden" | "unauthorized"
                    )
                }),
                _ => false,
            };
    });
    found
}

#[cfg(test)]
mod tests {
    use lm_core::fact::FactData;
    use lm_core::{FileRecord, Role};

    /// Owner checks (`role_check` with role `owner`) found in `src` as the file `path`.
    pub(crate) fn owner_checks(path: &str, src: &str) -> Vec<String> {
        let file = FileRecord {
            path: path.into(),
            path_bytes: None,
            root: ".".into(),
            language: None,
            size: src.len() as u64,
            binary: false,
            role: Role::Server,
            role_reason: String::new(),
        };
        let mut out = crate::Extraction::default();
        crate::extract_source(&file, src, &mut out);
        out.facts
            .iter()
            .filter_map(|f| match &f.data {
                FactData::RoleCheck(r) if r.role.as_deref() == Some("owner") => {
                    Some(r.expr.clone())
                }
                _ => None,
            })
            .collect()
    }

    #[test]
    fn any_id_column_compared_with_the_caller_is_an_owner_check() {
        let src = r#"
import { NextResponse } from "next/server";
import { createClient } from "@/lib/supabase/server";
import { createAdminClient } from "@/lib/supabase/admin";

export async function POST(req: Request) {
  const supabase = await createClient();
  const { data: { user } } = await supabase.auth.getUser();
  if (!user) return NextResponse.json({ error: "unauthorized" }, { status: 401 });
  const { bookingId } = await req.json();
  const admin = createAdminClient();
  const { data: booking } = await admin.from("bookings").select("id, host_id").eq("id", bookingId).single();
  if (!booking || booking.host_id !== user.id) {
    return NextResponse.json({ error: "forbidden" }, { status: 403 });
  }
  await admin.from("bookings").update({ status: "confirmed" }).eq("id", bookingId);
  return NextResponse.json({ ok: true });
}
"#;
        assert_eq!(
            owner_checks("app/api/bookings/confirm/route.ts", src),
            vec!["booking.host_id !== user.id".to_string()]
        );
    }

    fn role_checks(path: &str, src: &str) -> Vec<(String, bool)> {
        let file = FileRecord {
            path: path.into(),
            path_bytes: None,
            root: ".".into(),
            language: None,
            size: src.len() as u64,
            binary: false,
            role: Role::Server,
            role_reason: String::new(),
        };
        let mut out = crate::Extraction::default();
        crate::extract_source(&file, src, &mut out);
        out.facts
            .iter()
            .filter_map(|f| match &f.data {
                FactData::RoleCheck(r) if r.role.as_deref() == Some("admin") => {
                    Some((r.expr.clone(), r.enforced))
                }
                _ => None,
            })
            .collect()
    }

    #[test]
    fn admin_email_allowlists_checked_against_the_caller_are_role_checks() {
        let src = r#"
import { NextResponse } from "next/server";
import { createClient } from "@/lib/supabase/server";
import { createAdminClient } from "@/lib/supabase/admin";

const ADMIN_EMAILS = ["ops@example.com", "founder@example.com"];

export async function POST(req: Request) {
  const supabase = await createClient();
  const { data: { user } } = await supabase.auth.getUser();
  if (!user) return NextResponse.json({ error: "unauthorized" }, { status: 401 });
  const email = user.email?.toLowerCase() ?? "";
  if (!ADMIN_EMAILS.includes(email)) {
    return NextResponse.json({ error: "forbidden" }, { status: 403 });
  }
  const { vendorId } = await req.json();
  await createAdminClient().from("vendors").update({ approved: true }).eq("id", vendorId);
  return NextResponse.json({ ok: true });
}
"#;
        assert_eq!(
            role_checks("app/api/admin/vendors/approve/route.ts", src),
            vec![("ADMIN_EMAILS.includes(email)".to_string(), true)]
        );
    }

    #[test]
    fn admin_allowlists_asked_about_someone_else_are_not() {
        let src = r#"
import { NextResponse } from "next/server";
import { createClient } from "@/lib/supabase/server";

const ADMIN_EMAILS = ["ops@example.com", "founder@example.com"];

export async function POST(req: Request) {
  const supabase = await createClient();
  const { data: { user } } = await supabase.auth.getUser();
  if (!user) return NextResponse.json({ error: "unauthorized" }, { status: 401 });
  const { inviteEmail } = await req.json();
  if (ADMIN_EMAILS.includes(inviteEmail)) {
    return NextResponse.json({ error: "that address is reserved" }, { status: 400 });
  }
  await supabase.from("invites").insert({ email: inviteEmail, invited_by: user.id });
  return NextResponse.json({ ok: true });
}
"#;
        assert!(role_checks("app/api/invites/route.ts", src).is_empty());
    }

    #[test]
    fn ownership_flags_that_stop_the_handler_are_owner_checks() {
        let src = r#"
import { NextResponse } from "next/server";
import { createClient } from "@/lib/supabase/server";
import { createAdminClient } from "@/lib/supabase/admin";

export async function POST(req: Request) {
  const supabase = await createClient();
  const { data: { user } } = await supabase.auth.getUser();
  if (!user) return NextResponse.json({ error: "unauthorized" }, { status: 401 });
  const { orderId, message } = await req.json();
  const admin = createAdminClient();
  const { data: order } = await admin.from("orders").select("id, buyer_id, seller_id").eq("id", orderId).single();
  if (!order) return NextResponse.json({ error: "not found" }, { status: 404 });
  const isBuyer = order.buyer_id === user.id;
  const isSeller = order.seller_id === user.id;
  if (!isBuyer && !isSeller) {
    return NextResponse.json({ error: "forbidden" }, { status: 403 });
  }
  await admin.from("order_messages").insert({ order_id: orderId, author_id: user.id, body: message });
  return NextResponse.json({ ok: true });
}
"#;
        assert_eq!(
            owner_checks("app/api/orders/message/route.ts", src),
            vec![
                "order.buyer_id === user.id".to_string(),
                "order.seller_id === user.id".to_string()
            ]
        );
    }

    #[test]
    fn ownership_flags_that_only_pick_a_value_are_not() {
        let src = r#"
import { NextResponse } from "next/server";
import { createClient } from "@/lib/supabase/server";
import { createAdminClient } from "@/lib/supabase/admin";

export async function POST(req: Request) {
  const supabase = await createClient();
  const { data: { user } } = await supabase.auth.getUser();
  if (!user) return NextResponse.json({ error: "unauthorized" }, { status: 401 });
  const { orderId } = await req.json();
  const admin = createAdminClient();
  const { data: order } = await admin.from("orders").select("id, buyer_id, seller_id").eq("id", orderId).single();
  const isBuyer = order.buyer_id === user.id;
  const counterpart = isBuyer ? order.seller_id : order.buyer_id;
  if (!counterpart || !isBuyer) {
    console.info("order viewed by its seller or a stranger", orderId);
  }
  return NextResponse.json({ order, counterpart });
}
"#;
        assert!(owner_checks("app/api/orders/view/route.ts", src).is_empty());
    }

    #[test]
    fn id_comparisons_that_do_not_stop_or_do_not_involve_the_caller_are_not() {
        let src = r#"
import { NextResponse } from "next/server";
import { createClient } from "@/lib/supabase/server";
import { createAdminClient } from "@/lib/supabase/admin";

export async function POST(req: Request) {
  const supabase = await createClient();
  const { data: { user } } = await supabase.auth.getUser();
  if (!user) return NextResponse.json({ error: "unauthorized" }, { status: 401 });
  const { bookingId, hostId } = await req.json();
  const admin = createAdminClient();
  const { data: booking } = await admin.from("bookings").select("id, host_id").eq("id", bookingId).single();
  // compared with a value the client sent
  if (booking.host_id !== hostId) {
    return NextResponse.json({ error: "mismatch" }, { status: 400 });
  }
  // compared with the caller but only logged
  if (booking.host_id !== user.id) {
    console.warn("confirming someone else's booking", bookingId);
  }
  await admin.from("bookings").update({ status: "confirmed" }).eq("id", bookingId);
  return NextResponse.json({ ok: true });
}
"#;
        assert!(owner_checks("app/api/bookings/confirm/route.ts", src).is_empty());
    }

    fn kinds(path: &str, src: &str) -> Vec<(String, String)> {
        let file = FileRecord {
            path: path.into(),
            path_bytes: None,
            root: ".".into(),
            language: None,
            size: src.len() as u64,
            binary: false,
            role: Role::Server,
            role_reason: String::new(),
        };
        let mut out = crate::Extraction::default();
        crate::extract_source(&file, src, &mut out);
        out.facts
            .iter()
            .filter_map(|f| match &f.data {
                FactData::RoleCheck(r) => {
                    Some((r.expr.clone(), r.role.clone().unwrap_or_default()))
                }
                _ => None,
            })
            .collect()
    }

    #[test]
    fn refusing_the_callers_own_row_is_a_not_owner_check() {
        let src = r#"
import { NextResponse } from "next/server";
import { createClient } from "@/lib/supabase/server";
import { createAdminClient } from "@/lib/supabase/admin";

export async function POST(req: Request) {
  const supabase = await createClient();
  const { data: { user } } = await supabase.auth.getUser();
  if (!user) return NextResponse.json({ error: "unauthorized" }, { status: 401 });
  const { gigId } = await req.json();
  const admin = createAdminClient();
  const { data: gig } = await admin.from("gigs").select("id, freelancer_id, rate").eq("id", gigId).single();
  if (!gig || gig.freelancer_id === user.id) {
    return NextResponse.json({ error: "you cannot hire yourself" }, { status: 400 });
  }
  await admin.from("hires").insert({ gig_id: gigId, client_id: user.id, rate: gig.rate });
  return NextResponse.json({ ok: true });
}
"#;
        assert_eq!(
            kinds("app/api/gigs/hire/route.ts", src),
            vec![(
                "gig.freelancer_id === user.id".to_string(),
                "not-owner".to_string()
            )]
        );
    }

    #[test]
    fn serving_the_callers_own_row_first_is_not_a_not_owner_check() {
        let src = r#"
import { NextResponse } from "next/server";
import { createClient } from "@/lib/supabase/server";
import { createAdminClient } from "@/lib/supabase/admin";

export async function GET(req: Request, { params }: { params: { id: string } }) {
  const supabase = await createClient();
  const { data: { user } } = await supabase.auth.getUser();
  if (!user) return NextResponse.json({ error: "unauthorized" }, { status: 401 });
  const admin = createAdminClient();
  const { data: draft } = await admin.from("drafts").select("*").eq("id", params.id).single();
  if (draft.author_id === user.id) {
    return NextResponse.json({ draft, editable: true });
  }
  let shared = false;
  if (draft.reviewer_id === user.id) {
    shared = true;
  }
  return NextResponse.json({ draft, editable: false, shared });
}
"#;
        assert!(kinds("app/api/drafts/[id]/route.ts", src).is_empty());
    }

    #[test]
    fn a_rows_tenant_compared_with_the_callers_profile_is_an_owner_check() {
        let src = r#"
import { createClient } from "npm:@supabase/supabase-js@2";

Deno.serve(async (req) => {
  const admin = createClient(Deno.env.get("SUPABASE_URL")!, Deno.env.get("SUPABASE_SERVICE_ROLE_KEY")!);
  const token = req.headers.get("Authorization")!.replace("Bearer ", "");
  const { data: { user } } = await admin.auth.getUser(token);
  if (!user) return new Response("unauthorized", { status: 401 });
  const { reportId, onBehalfOf } = await req.json();
  const { data: report } = await admin.from("reports").select("*").eq("id", reportId).single();
  const { data: me } = await admin.from("profiles").select("org_id").eq("id", user.id).single();
  if (!me || me.org_id !== report.org_id) {
    return new Response("forbidden", { status: 403 });
  }
  const { data: other } = await admin.from("profiles").select("org_id").eq("id", onBehalfOf).single();
  if (other.org_id !== report.org_id) {
    return new Response("forbidden", { status: 403 });
  }
  return new Response(JSON.stringify(report));
});
"#;
        // the second profile is whoever the request names: comparing with it proves nothing
        assert_eq!(
            owner_checks("supabase/functions/report/index.ts", src),
            vec!["me.org_id !== report.org_id".to_string()]
        );
    }
}
