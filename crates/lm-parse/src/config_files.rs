//! Configuration files that change what code means.
//!
//! `supabase/config.toml`: every `[functions.NAME]` table yields an
//! `edge_function_config` fact with the `verify_jwt` in force (Supabase's default is
//! `true` when the key is absent), located at the `verify_jwt` line, else at the table
//! header.
//!
//! `vercel.json` (`headers[].headers[]`) and `netlify.toml` (`[[headers]]` `values`):
//! an `Access-Control-Allow-Origin` header set for a path yields a `cors` fact
//! (mechanism `config`), with `credentials` from `Access-Control-Allow-Credentials`.

use lm_core::fact::{Cors, EdgeFunctionConfig, FactData};
use lm_core::{Diagnostic, DiagnosticLevel, Fact, FileRecord};

use crate::Extraction;

/// True for configuration files this module reads.
pub fn wants(file: &FileRecord) -> bool {
    is_supabase_config(&file.path) || host_config(&file.path).is_some()
}

/// `vercel.json` or `netlify.toml` at any depth.
fn host_config(path: &str) -> Option<&'static str> {
    let name = path.rsplit('/').next().unwrap_or(path);
    match name {
        "vercel.json" => Some("vercel"),
        "netlify.toml" => Some("netlify"),
        _ => None,
    }
}

fn is_supabase_config(path: &str) -> bool {
    path == "supabase/config.toml" || path.ends_with("/supabase/config.toml")
}

/// Facts of one configuration file.
pub fn extract(file: &FileRecord, text: &str, out: &mut Extraction) {
    if is_supabase_config(&file.path) {
        supabase_config(file, text, out);
    }
    match host_config(&file.path) {
        Some("vercel") => {
            let Ok(v) = serde_json::from_str::<serde_json::Value>(text) else {
                out.diagnostics.push(
                    Diagnostic::new(
                        DiagnosticLevel::Warning,
                        "lm-parse",
                        "parse-error",
                        "vercel.json is not valid JSON",
                    )
                    .with_path(&file.path),
                );
                return;
            };
            let groups = v.get("headers").and_then(|h| h.as_array());
            let pairs = groups.into_iter().flatten().map(|g| {
                g.get("headers")
                    .and_then(|h| h.as_array())
                    .into_iter()
                    .flatten()
                    .filter_map(|h| {
                        Some((
                            h.get("key")?.as_str()?.to_string(),
                            h.get("value")?.as_str()?.to_string(),
                        ))
                    })
                    .collect::<Vec<_>>()
            });
            header_groups(file, text, pairs.collect(), out);
        }
        Some("netlify") => {
            let Ok(t) = text.parse::<toml::Table>() else {
                return;
            };
            let groups = t.get("headers").and_then(|h| h.as_array());
            let pairs = groups.into_iter().flatten().map(|g| {
                g.get("values")
                    .and_then(|v| v.as_table())
                    .into_iter()
                    .flatten()
                    .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                    .collect::<Vec<_>>()
            });
            header_groups(file, text, pairs.collect(), out);
        }
        _ => {}
    }
}

/// One `cors` fact per header group that sets `Access-Control-Allow-Origin`, located at
/// the n-th mention of that header in the file.
fn header_groups(
    file: &FileRecord,
    text: &str,
    groups: Vec<Vec<(String, String)>>,
    out: &mut Extraction,
) {
    let lower = text.to_ascii_lowercase();
    let mentions: Vec<usize> = lower
        .match_indices("access-control-allow-origin")
        .map(|(i, _)| i)
        .collect();
    let mut seen = 0usize;
    for pairs in groups {
        let get = |name: &str| {
            pairs
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.trim().to_string())
        };
        let Some(origin) = get("access-control-allow-origin") else {
            continue;
        };
        let credentials =
            get("access-control-allow-credentials").is_some_and(|v| v.eq_ignore_ascii_case("true"));
        let at = mentions.get(seen).copied().unwrap_or(0);
        seen += 1;
        let line = text[..at].matches('\n').count() as u64 + 1;
        out.facts.push(Fact {
            path: file.path.clone(),
            path_bytes: file.path_bytes.clone(),
            line,
            end_line: line,
            column: None,
            scope: None,
            data: FactData::Cors(Cors {
                allow_origin: origin,
                credentials,
                mechanism: "config".into(),
            }),
        });
    }
}

fn supabase_config(file: &FileRecord, text: &str, out: &mut Extraction) {
    let table: toml::Table = match text.parse() {
        Ok(t) => t,
        Err(e) => {
            let line = e
                .span()
                .map(|s| text[..s.start.min(text.len())].matches('\n').count() as u64 + 1);
            let mut d = Diagnostic::new(
                DiagnosticLevel::Warning,
                "lm-parse",
                "parse-error",
                format!("supabase/config.toml is not valid TOML: {}", e.message()),
            )
            .with_path(&file.path);
            if let Some(l) = line {
                d = d.with_line(l);
            }
            out.diagnostics.push(d);
            return;
        }
    };
    let Some(functions) = table.get("functions").and_then(|f| f.as_table()) else {
        return;
    };
    for (name, settings) in functions {
        let Some(settings) = settings.as_table() else {
            continue;
        };
        let verify_jwt = settings
            .get("verify_jwt")
            .and_then(|v| v.as_bool())
            .unwrap_or(true);
        let (line, column) = locate(text, name, settings.contains_key("verify_jwt"));
        out.facts.push(Fact {
            path: file.path.clone(),
            path_bytes: file.path_bytes.clone(),
            line,
            end_line: line,
            column: Some(column),
            scope: None,
            data: FactData::EdgeFunctionConfig(EdgeFunctionConfig {
                function: name.clone(),
                verify_jwt,
            }),
        });
    }
}

/// Line and column of a function's `verify_jwt` key (or of its table header).
fn locate(text: &str, function: &str, has_key: bool) -> (u64, u64) {
    let header_names = [
        format!("functions.{function}"),
        format!("functions.\"{function}\""),
        format!("functions.'{function}'"),
    ];
    let dotted_keys = [
        format!("{function}.verify_jwt"),
        format!("\"{function}\".verify_jwt"),
        format!("'{function}'.verify_jwt"),
    ];
    let mut header: Option<u64> = None;
    let mut section = String::new();
    for (n, raw) in text.lines().enumerate() {
        let line_no = n as u64 + 1;
        let trimmed = raw.trim_start();
        let col = (raw.len() - trimmed.len()) as u64 + 1;
        let code = trimmed.split('#').next().unwrap_or("").trim();
        if let Some(h) = code.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
            section = h.split_whitespace().collect::<Vec<_>>().join("");
            if header_names.contains(&section) {
                header = Some(line_no);
                if !has_key {
                    return (line_no, col);
                }
            }
            continue;
        }
        let key = code
            .split('=')
            .next()
            .unwrap_or("")
            .replace([' ', '\t'], "");
        if header_names.contains(&section) && key == "verify_jwt" {
            return (line_no, col);
        }
        let inline = key == function || key == format!("\"{function}\"");
        if section == "functions" && (dotted_keys.contains(&key) || inline) {
            return (line_no, col);
        }
        // `functions.NAME.verify_jwt = false` at the top level.
        if section.is_empty() && dotted_keys.iter().any(|d| key == format!("functions.{d}")) {
            return (line_no, col);
        }
    }
    (header.unwrap_or(1), 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use lm_core::Role;

    fn run(text: &str) -> Extraction {
        let file = FileRecord {
            path: "supabase/config.toml".into(),
            path_bytes: None,
            root: ".".into(),
            language: Some("toml".into()),
            size: text.len() as u64,
            binary: false,
            role: Role::Config,
            role_reason: String::new(),
        };
        let mut out = Extraction::default();
        extract(&file, text, &mut out);
        out
    }

    fn configs(out: &Extraction) -> Vec<(String, bool, u64)> {
        out.facts
            .iter()
            .map(|f| match &f.data {
                FactData::EdgeFunctionConfig(c) => (c.function.clone(), c.verify_jwt, f.line),
                _ => unreachable!(),
            })
            .collect()
    }

    #[test]
    fn function_tables_give_verify_jwt_with_lines() {
        let text = r#"project_id = "abc"

[api]
enabled = true
port = 54321

[functions.stripe-webhook]
# Stripe cannot send a Supabase JWT.
verify_jwt = false

[functions."send-email"]
enabled = true

[functions.admin-tools]
verify_jwt = true # checked again in code
"#;
        let out = run(text);
        assert!(out.diagnostics.is_empty());
        let mut got = configs(&out);
        got.sort();
        assert_eq!(
            got,
            vec![
                ("admin-tools".to_string(), true, 15),
                ("send-email".to_string(), true, 11),
                ("stripe-webhook".to_string(), false, 9),
            ]
        );
    }

    #[test]
    fn dotted_keys_and_inline_tables() {
        let text = "[functions]\nhello.verify_jwt = false\nother = { verify_jwt = false }\n";
        let mut got = configs(&run(text));
        got.sort();
        assert_eq!(
            got,
            vec![
                ("hello".to_string(), false, 2),
                ("other".to_string(), false, 3),
            ]
        );
    }

    #[test]
    fn commented_out_settings_are_not_read() {
        let text = "[functions.hello]\n# verify_jwt = false\n";
        assert_eq!(configs(&run(text)), vec![("hello".to_string(), true, 1)]);
    }

    fn run_at(path: &str, text: &str) -> Extraction {
        let file = FileRecord {
            path: path.into(),
            path_bytes: None,
            root: ".".into(),
            language: None,
            size: text.len() as u64,
            binary: false,
            role: Role::Config,
            role_reason: String::new(),
        };
        let mut out = Extraction::default();
        extract(&file, text, &mut out);
        out
    }

    fn cors(out: &Extraction) -> Vec<(String, bool, u64)> {
        out.facts
            .iter()
            .map(|f| match &f.data {
                FactData::Cors(c) => (c.allow_origin.clone(), c.credentials, f.line),
                _ => unreachable!(),
            })
            .collect()
    }

    #[test]
    fn vercel_json_cors_headers() {
        let text = r#"{
  "rewrites": [{ "source": "/(.*)", "destination": "/" }],
  "headers": [
    {
      "source": "/api/(.*)",
      "headers": [
        { "key": "Access-Control-Allow-Credentials", "value": "true" },
        { "key": "Access-Control-Allow-Origin", "value": "*" }
      ]
    },
    {
      "source": "/(.*)",
      "headers": [{ "key": "X-Frame-Options", "value": "DENY" }]
    },
    {
      "source": "/public/(.*)",
      "headers": [{ "key": "access-control-allow-origin", "value": "https://example.com" }]
    }
  ]
}"#;
        let out = run_at("vercel.json", text);
        assert_eq!(
            cors(&out),
            vec![
                ("*".to_string(), true, 8),
                ("https://example.com".to_string(), false, 17)
            ]
        );
        assert!(run_at("web/vercel.json", "{\"rewrites\": []}")
            .facts
            .is_empty());
        assert_eq!(run_at("vercel.json", "{ nope").diagnostics.len(), 1);
    }

    #[test]
    fn netlify_toml_cors_headers() {
        let text = "[build]\ncommand = \"npm run build\"\n\n[[headers]]\n  for = \"/api/*\"\n  [headers.values]\n    Access-Control-Allow-Origin = \"*\"\n";
        assert_eq!(
            cors(&run_at("netlify.toml", text)),
            vec![("*".to_string(), false, 7)]
        );
    }

    #[test]
    fn no_functions_no_facts_and_bad_toml_is_a_diagnostic() {
        assert!(run("[api]\nport = 1\n").facts.is_empty());
        let out = run("[functions.x]\nverify_jwt = \n");
        assert!(out.facts.is_empty());
        assert_eq!(out.diagnostics.len(), 1);
        assert_eq!(out.diagnostics[0].line, Some(2));
    }
}
