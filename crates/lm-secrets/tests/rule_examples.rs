//! Runs every rule's positive and negative examples through the whole engine, and checks
//! that no finding ever carries a positive example's secret in full.

use lm_core::{Record, Role};
use lm_secrets::examples::expand;
use lm_secrets::rules::Check;
use lm_secrets::{Engine, FileContext, Settings};

/// An example is `text`, or `[path] text` to scan it as that file.
fn context_and_text(example: &str) -> (FileContext, String) {
    if let Some(rest) = example.strip_prefix('[') {
        if let Some((path, text)) = rest.split_once("] ") {
            let lang = match path.rsplit('.').next() {
                Some("yml" | "yaml") => Some("yaml"),
                Some("ts") => Some("typescript"),
                Some("py") => Some("python"),
                Some("ipynb") => Some("json"),
                Some("tf") => Some("hcl"),
                Some("sh") => Some("shell"),
                _ if path.ends_with("Dockerfile") => Some("dockerfile"),
                _ => None,
            };
            let role = if path.ends_with(".md") {
                Role::Docs
            } else {
                Role::Server
            };
            return (FileContext::new(path, role, lang), text.to_string());
        }
    }
    (
        FileContext::new("src/lib/server/config.ts", Role::Server, Some("typescript")),
        example.to_string(),
    )
}

#[test]
fn every_rule_example_behaves() {
    let engine = Engine::new(Settings::builtin().unwrap());
    let mut failures = Vec::new();
    let mut checked = 0;
    for rule in engine.rules() {
        for (i, tpl) in rule.spec.positive.iter().enumerate() {
            let (ctx, text) = context_and_text(&expand(tpl, &format!("{}#{i}", rule.spec.id)));
            let found = engine.scan_bytes(&ctx, text.as_bytes());
            if !found.iter().any(|d| d.finding.rule == rule.full_id) {
                let got: Vec<&str> = found.iter().map(|d| d.finding.rule.as_str()).collect();
                failures.push(format!(
                    "{}: positive #{i} not found (got {got:?}): {text}",
                    rule.spec.id
                ));
            }
            checked += 1;
        }
        for (i, tpl) in rule.spec.negative.iter().enumerate() {
            let (ctx, text) = context_and_text(&expand(tpl, &format!("{}#n{i}", rule.spec.id)));
            let found = engine.scan_bytes(&ctx, text.as_bytes());
            if found.iter().any(|d| d.finding.rule == rule.full_id) {
                failures.push(format!("{}: negative #{i} matched: {text}", rule.spec.id));
            }
            checked += 1;
        }
    }
    assert!(checked > 600, "only {checked} examples");
    assert!(
        failures.is_empty(),
        "{} failing examples:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn no_finding_ever_holds_a_full_secret() {
    let engine = Engine::new(Settings::builtin().unwrap());
    let mut leaks = Vec::new();
    for rule in engine.rules() {
        if rule.spec.check == Check::PublicName {
            continue; // its "secret" is a variable name, shown on purpose
        }
        for (i, tpl) in rule.spec.positive.iter().enumerate() {
            let (ctx, text) = context_and_text(&expand(tpl, &format!("{}#{i}", rule.spec.id)));
            let secrets = rule.raw_secrets(text.as_bytes());
            assert!(
                !secrets.is_empty(),
                "{}: positive #{i} captures nothing",
                rule.spec.id
            );
            let out: String = engine
                .scan_bytes(&ctx, text.as_bytes())
                .into_iter()
                .map(|d| serde_json::to_string(&Record::Finding(d.finding)).unwrap())
                .collect();
            for s in secrets {
                let s = String::from_utf8_lossy(&s);
                if out.contains(s.as_ref()) {
                    leaks.push(format!("{}: output holds the full secret", rule.spec.id));
                }
                // nor any 8-character run of its random second half (prefixes such as
                // `rubygems_` may legitimately appear in messages)
                let tail = &s.as_bytes()[s.len() / 2..];
                for w in tail.windows(8) {
                    if out.contains(std::str::from_utf8(w).unwrap_or("\u{0}")) {
                        leaks.push(format!("{}: output holds part of the secret", rule.spec.id));
                        break;
                    }
                }
            }
        }
    }
    assert!(leaks.is_empty(), "{}", leaks.join("\n"));
}
