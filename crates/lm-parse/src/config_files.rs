//! Configuration files that change what code means.
//!
//! `supabase/config.toml`: every `[functions.NAME]` table yields an
//! `edge_function_config` fact with the `verify_jwt` in force (Supabase's default is
//! `true` when the key is absent), located at the `verify_jwt` line, else at the table
//! header.

use lm_core::fact::{EdgeFunctionConfig, FactData};
use lm_core::{Diagnostic, DiagnosticLevel, Fact, FileRecord};

use crate::Extraction;

/// True for configuration files this module reads.
pub fn wants(file: &FileRecord) -> bool {
    is_supabase_config(&file.path)
}

fn is_supabase_config(path: &str) -> bool {
    path == "supabase/config.toml" || path.ends_with("/supabase/config.toml")
}

/// Facts of one configuration file.
pub fn extract(file: &FileRecord, text: &str, out: &mut Extraction) {
    if is_supabase_config(&file.path) {
        supabase_config(file, text, out);
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

    #[test]
    fn no_functions_no_facts_and_bad_toml_is_a_diagnostic() {
        assert!(run("[api]\nport = 1\n").facts.is_empty());
        let out = run("[functions.x]\nverify_jwt = \n");
        assert!(out.facts.is_empty());
        assert_eq!(out.diagnostics.len(), 1);
        assert_eq!(out.diagnostics[0].line, Some(2));
    }
}
