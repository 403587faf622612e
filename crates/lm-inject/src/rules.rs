//! Which sink facts become findings, and how they read.
//!
//! | rule | category | when |
//! |---|---|---|
//! | `inject.sql` | `inject.sql` | request (or stored) data in SQL text (`pool.query`, `$queryRawUnsafe`, `knex.raw`, `cursor.execute`, `text()`...) |
//! | `inject.sql-filter` | `inject.sql` | request data in a Supabase/PostgREST filter string (`.or(...)`) |
//! | `inject.xss` | `inject.xss` | request or URL-state data in an HTML sink (`dangerouslySetInnerHTML`, `innerHTML`, Vue `v-html`, Svelte `{@html}`, `res.send`, `Markup`...) |
//! | `inject.xss-stored` | `inject.xss` | database data rendered as raw HTML |
//! | `inject.xss-url` | `inject.xss` | user data as a link target (`href={x}`) or navigation target (`location.href = x`): `javascript:` URLs run script |
//! | `inject.xss-email` | `inject.xss` | user data in an HTML email body |
//! | `inject.ssti` | `inject.xss` | user data compiled as a template (`render_template_string`) |
//! | `inject.log` | `inject.log` | request strings in a log line with CR/LF not neutralised (not the browser console, not Supabase Edge Functions, whose runtime stores each log call as one event) |
//!
//! Literal, validated (`parseInt`, strict zod schemas, typed FastAPI parameters),
//! sanitised (`DOMPurify.sanitize`, `escapeHtml`, `bleach.clean`, `JSON.stringify` for
//! logs) and unknown values are never reported.

use lm_core::fact::{Provenance, Sink};
use lm_core::{fingerprint, Category, Fact, Finding, Severity};
use serde_json::json;

use crate::settings::InjectSettings;

/// What the judge knows about the sink's surroundings.
#[derive(Debug, Clone, Copy, Default)]
pub struct Context<'a> {
    /// The sink is inside a function registered as a route handler.
    pub in_handler: bool,
    /// The file runs in the browser.
    pub client: bool,
    /// The file is a test (findings are lowered to `info` when tests are included).
    pub test: bool,
    /// Settings.
    pub settings: Option<&'a InjectSettings>,
}

/// The finding a sink fact deserves, if any (fingerprint not yet made unique).
pub fn judge(fact: &Fact, sink: &Sink, cx: &Context<'_>) -> Option<Finding> {
    let origin = sink.source?;
    if origin == Provenance::Unknown && cx.settings.is_some_and(|s| s.audit) {
        return audit(fact, sink, cx);
    }
    if !matches!(origin, Provenance::Request | Provenance::Database) {
        return None;
    }
    let stored = origin == Provenance::Database;
    let python = fact.path.ends_with(".py");
    // A value a Jinja template prints raw (`{{ x|safe }}`, autoescape off), reported at
    // the call that renders it.
    let template = python
        && ["render_template", "TemplateResponse"]
            .iter()
            .any(|t| sink.api.starts_with(t) || sink.api.contains(&format!(".{t}")));
    let (rule, category, severity, fix) = match sink.sink.as_str() {
        "sql" => {
            if sink.api.contains(".or()") {
                if stored {
                    return None;
                }
                (
                    "inject.sql-filter",
                    Category::InjectSql,
                    Severity::Medium,
                    "pass values through typed filter methods (`.ilike('title', value)`) \
                     or strip PostgREST reserved characters (`,()`) first",
                )
            } else {
                let sev = match (stored, cx.in_handler) {
                    (false, true) => Severity::Critical,
                    (false, false) => Severity::High,
                    // Second-order: stored values written by users, read back.
                    (true, _) => Severity::Low,
                };
                let fix = if sink.api.contains("Unsafe") {
                    "use `$queryRaw` as a tagged template (or pass values as parameters)"
                } else if python {
                    "use bound parameters (`cursor.execute(sql, params)`, `text(\":id\")` with values)"
                } else {
                    "use a parameterised query (placeholders plus a values array, or a tagged `sql` template)"
                };
                ("inject.sql", Category::InjectSql, sev, fix)
            }
        }
        "template" => (
            "inject.ssti",
            Category::InjectXss,
            if stored {
                Severity::High
            } else {
                Severity::Critical
            },
            "render a fixed template and pass user data as variables",
        ),
        "html" => {
            if sink.api == "href" {
                (
                    "inject.xss-url",
                    Category::InjectXss,
                    if stored { Severity::Low } else { Severity::Medium },
                    "allow only http(s) URLs (check `new URL(x).protocol`) or build the link from a fixed path",
                )
            } else if sink.api.ends_with(" html") {
                (
                    "inject.xss-email",
                    Category::InjectXss,
                    if stored {
                        Severity::Low
                    } else {
                        Severity::Medium
                    },
                    "escape user data before putting it in the HTML body",
                )
            } else if stored {
                (
                    "inject.xss-stored",
                    Category::InjectXss,
                    Severity::Medium,
                    if template {
                        "drop `|safe` so Jinja escapes it, or clean it with `bleach.clean` first"
                    } else {
                        "render it as text, or sanitise it (DOMPurify, bleach) before inserting HTML"
                    },
                )
            } else {
                (
                    "inject.xss",
                    Category::InjectXss,
                    Severity::High,
                    if template {
                        "drop `|safe` so Jinja escapes it, or clean it with `bleach.clean` first"
                    } else if python {
                        "render it through an autoescaping template, or escape it (`markupsafe.escape`)"
                    } else {
                        "render it as text, or sanitise it with DOMPurify before inserting HTML"
                    },
                )
            }
        }
        // Navigating the page to a user-chosen URL runs `javascript:` URLs.
        "redirect"
            if sink.api.starts_with("location")
                || sink.api.starts_with("window.location")
                || sink.api == "window.open" =>
        {
            (
                "inject.xss-url",
                Category::InjectXss,
                if stored { Severity::Low } else { Severity::Medium },
                "allow only http(s) URLs or same-site paths (check `new URL(x, location.origin)`) before navigating",
            )
        }
        "log" => {
            // Stored data was checked when written; the browser console is not a log;
            // a Supabase Edge Function's log call is one structured log event, so a
            // CR/LF in it cannot forge another entry.
            if stored || cx.client || edge_function(&fact.path) {
                return None;
            }
            (
                "inject.log",
                Category::InjectLog,
                Severity::Low,
                if python {
                    "strip CR/LF (`.replace('\\n', '')`) or log it as a structured field"
                } else {
                    "strip CR/LF (`.replace(/[\\r\\n]/g, '')`) or log it as a structured field"
                },
            )
        }
        _ => return None,
    };
    let settings = cx.settings;
    if settings.is_some_and(|s| s.disabled(rule, category.as_str())) {
        return None;
    }
    if settings.is_some_and(|s| s.sanitizer_on_path(&sink.via).is_some()) {
        return None;
    }
    let source_expr = sink.source_expr.clone().unwrap_or_default();
    let what = if source_expr.is_empty() {
        match origin {
            Provenance::Database => "Stored data".to_string(),
            _ => "Request data".to_string(),
        }
    } else {
        format!("`{}`", one_line(&source_expr))
    };
    let kind = match origin {
        Provenance::Database => " (read from the database)",
        _ => "",
    };
    let path = if sink.via.is_empty() {
        "directly".to_string()
    } else {
        format!("by {}", sink.via.join(", "))
    };
    let message = format!(
        "{what}{kind} reaches `{}` {path} at line {}; {fix}.",
        one_line(&sink.api),
        fact.line
    );
    let severity = if cx.test { Severity::Info } else { severity };
    let mut f = Finding::new(rule, category, severity, &fact.path, fact.line, message);
    f.end_line = fact.end_line.max(fact.line);
    f.column = fact.column;
    f.path_bytes = fact.path_bytes.clone();
    f.evidence = Some(one_line(&sink.expr));
    f.fingerprint = fingerprint::fingerprint(&[rule, &fact.path, &sink.api, &source_expr]);
    f.details.insert("sink".into(), json!(sink.sink));
    f.details.insert("api".into(), json!(sink.api));
    f.details.insert("source".into(), json!(origin));
    if !source_expr.is_empty() {
        f.details.insert("source_expr".into(), json!(source_expr));
    }
    f.details.insert("via".into(), json!(sink.via));
    if let Some(scope) = &fact.scope {
        f.details.insert("scope".into(), json!(scope));
    }
    if cx.client {
        f.details.insert("context".into(), json!("client"));
    }
    Some(f)
}

/// Audit mode: SQL text or HTML built from a value of unknown origin.
fn audit(fact: &Fact, sink: &Sink, cx: &Context<'_>) -> Option<Finding> {
    let (rule, category, what) = match sink.sink.as_str() {
        "sql" if !sink.api.contains(".or()") => {
            ("inject.sql-audit", Category::InjectSql, "SQL text is built")
        }
        "html" if sink.api != "href" => ("inject.xss-audit", Category::InjectXss, "HTML is built"),
        _ => return None,
    };
    if cx
        .settings
        .is_some_and(|s| s.disabled(rule, category.as_str()))
    {
        return None;
    }
    let message = format!(
        "{what} from `{}`, whose origin was not traced, and reaches `{}` at line {}; \
         check it cannot hold user data, or parameterise / escape it.",
        one_line(&sink.expr),
        one_line(&sink.api),
        fact.line
    );
    let mut f = Finding::new(
        rule,
        category,
        Severity::Info,
        &fact.path,
        fact.line,
        message,
    );
    f.end_line = fact.end_line.max(fact.line);
    f.column = fact.column;
    f.path_bytes = fact.path_bytes.clone();
    f.evidence = Some(one_line(&sink.expr));
    f.fingerprint = fingerprint::fingerprint(&[rule, &fact.path, &sink.api, &sink.expr]);
    f.details.insert("sink".into(), json!(sink.sink));
    f.details.insert("api".into(), json!(sink.api));
    f.details
        .insert("source".into(), json!(Provenance::Unknown));
    Some(f)
}

/// A Supabase Edge Function (`supabase/functions/<name>/...`): its only log is the
/// runtime's console capture, which records each call (direct, or through a logger
/// wrapper or a helper) as one event with the text as its message.
fn edge_function(path: &str) -> bool {
    path.starts_with("supabase/functions/") || path.contains("/supabase/functions/")
}

fn one_line(s: &str) -> String {
    let mut out: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if out.chars().count() > 100 {
        out = out.chars().take(99).collect::<String>() + "…";
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use lm_core::FactData;

    fn fact(sink: Sink) -> (Fact, Sink) {
        let f = Fact {
            path: "server/index.js".into(),
            path_bytes: None,
            line: 14,
            end_line: 14,
            column: Some(9),
            scope: Some("L5-L20".into()),
            data: FactData::Sink(sink.clone()),
        };
        (f, sink)
    }

    fn sql(source: Provenance) -> Sink {
        Sink {
            sink: "sql".into(),
            api: "pool.query".into(),
            source: Some(source),
            source_expr: Some("req.query.q".into()),
            via: vec!["assignment".into(), "template literal".into()],
            sanitizer: None,
            expr: "sql".into(),
        }
    }

    #[test]
    fn jinja_raw_output_gets_template_advice_and_markup_keeps_its_own() {
        let html = |api: &str| Sink {
            sink: "html".into(),
            api: api.into(),
            source: Some(Provenance::Request),
            source_expr: Some("request.args.get(\"q\")".into()),
            via: vec!["assignment".into()],
            sanitizer: None,
            expr: "query".into(),
        };
        let cx = Context {
            in_handler: true,
            ..Default::default()
        };
        let (mut f, s) = fact(html("render_template search.html:4 {{ query|safe }}"));
        f.path = "app.py".into();
        let finding = judge(&f, &s, &cx).unwrap();
        assert_eq!(finding.rule, "inject.xss");
        assert!(
            finding.message.contains("drop `|safe`"),
            "{}",
            finding.message
        );
        // `Markup(...)` in Python code is not a template: the escaping advice stays.
        let (mut f, s) = fact(html("Markup"));
        f.path = "app.py".into();
        let finding = judge(&f, &s, &cx).unwrap();
        assert!(!finding.message.contains("|safe"), "{}", finding.message);
        assert!(
            finding.message.contains("markupsafe.escape"),
            "{}",
            finding.message
        );
    }

    #[test]
    fn sql_from_request_in_a_handler_is_critical_with_a_clear_message() {
        let (f, s) = fact(sql(Provenance::Request));
        let cx = Context {
            in_handler: true,
            ..Default::default()
        };
        let finding = judge(&f, &s, &cx).unwrap();
        assert_eq!(finding.rule, "inject.sql");
        assert_eq!(finding.severity, Severity::Critical);
        assert_eq!(finding.cwe, Some(89));
        assert!(
            finding.message.starts_with(
                "`req.query.q` reaches `pool.query` by assignment, template literal at line 14; use a parameterised query"
            ),
            "{}",
            finding.message
        );
        let (mut f2, _) = fact(sql(Provenance::Request));
        f2.line = 40;
        let moved = judge(&f2, &s, &cx).unwrap();
        assert_eq!(moved.fingerprint, finding.fingerprint);
    }

    #[test]
    fn safe_provenances_are_not_reported() {
        for p in [
            Provenance::Literal,
            Provenance::Validated,
            Provenance::Sanitized,
            Provenance::Unknown,
            Provenance::Env,
            Provenance::User,
        ] {
            let (f, s) = fact(sql(p));
            assert!(judge(&f, &s, &Context::default()).is_none(), "{p:?}");
        }
    }

    #[test]
    fn stored_xss_is_medium_and_stored_logs_are_ignored() {
        let mut s = sql(Provenance::Database);
        s.sink = "html".into();
        s.api = "dangerouslySetInnerHTML".into();
        let (f, s) = fact(s);
        let finding = judge(&f, &s, &Context::default()).unwrap();
        assert_eq!(finding.rule, "inject.xss-stored");
        assert_eq!(finding.severity, Severity::Medium);
        let mut l = sql(Provenance::Database);
        l.sink = "log".into();
        let (f, l) = fact(l);
        assert!(judge(&f, &l, &Context::default()).is_none());
    }

    #[test]
    fn client_navigation_is_xss_url_and_client_logs_are_not_reported() {
        let mut s = sql(Provenance::Request);
        s.sink = "redirect".into();
        s.api = "location.href".into();
        let (f, s) = fact(s);
        let client = Context {
            client: true,
            ..Default::default()
        };
        let finding = judge(&f, &s, &client).unwrap();
        assert_eq!(finding.rule, "inject.xss-url");
        assert_eq!(finding.details["context"], "client");
        let mut r = sql(Provenance::Request);
        r.sink = "redirect".into();
        r.api = "res.redirect".into();
        let (f, r) = fact(r);
        assert!(judge(&f, &r, &Context::default()).is_none());
        let mut l = sql(Provenance::Request);
        l.sink = "log".into();
        let (f, l) = fact(l);
        assert!(judge(&f, &l, &client).is_none());
        assert_eq!(
            judge(&f, &l, &Context::default()).unwrap().rule,
            "inject.log"
        );
    }

    #[test]
    fn edge_function_logs_are_events_but_server_console_logs_are_lines() {
        let mut l = sql(Provenance::Request);
        l.sink = "log".into();
        l.api = "console.log".into();
        let (mut f, l) = fact(l);
        f.path = "supabase/functions/send-invite/index.ts".into();
        assert!(judge(&f, &l, &Context::default()).is_none());
        f.path = "apps/admin/supabase/functions/_shared/audit.ts".into();
        assert!(judge(&f, &l, &Context::default()).is_none());
        let mut w = l.clone();
        w.api = "notifyInvite() → logger.info".into();
        f.path = "supabase/functions/send-invite/index.ts".into();
        assert!(judge(&f, &w, &Context::default()).is_none());
        // A Node server's console and logger write lines: still reported.
        f.path = "server/functions/invite.ts".into();
        assert_eq!(
            judge(&f, &w, &Context::default()).unwrap().rule,
            "inject.log"
        );
        assert_eq!(
            judge(&f, &l, &Context::default()).unwrap().rule,
            "inject.log"
        );
    }

    #[test]
    fn audit_mode_reports_unknown_origins_as_info() {
        let (f, s) = fact(sql(Provenance::Unknown));
        assert!(judge(&f, &s, &Context::default()).is_none());
        let settings = InjectSettings {
            audit: true,
            ..Default::default()
        };
        let cx = Context {
            settings: Some(&settings),
            ..Default::default()
        };
        let finding = judge(&f, &s, &cx).unwrap();
        assert_eq!(finding.rule, "inject.sql-audit");
        assert_eq!(finding.severity, Severity::Info);
    }

    #[test]
    fn settings_disable_rules_and_name_sanitizers() {
        let settings = InjectSettings {
            sanitizers: vec!["cleanSql".into()],
            disable: vec!["inject.log".into()],
            ..Default::default()
        };
        let cx = Context {
            settings: Some(&settings),
            ..Default::default()
        };
        let mut s = sql(Provenance::Request);
        s.via.push("helper cleanSql".into());
        let (f, s) = fact(s);
        assert!(judge(&f, &s, &cx).is_none());
        let mut l = sql(Provenance::Request);
        l.sink = "log".into();
        let (f, l) = fact(l);
        assert!(judge(&f, &l, &cx).is_none());
    }
}
