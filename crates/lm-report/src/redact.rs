//! Making source lines safe to print: masking secrets in code frames and neutralising
//! control characters (a scanned file must not be able to drive the terminal).

use std::sync::OnceLock;

use regex::Regex;

/// What replaces the hidden part of a secret.
const STARS: &str = "********";

/// Masks a credential-looking value, keeping at most a 4-character prefix (less for short
/// values) so a reader can tell which key it is without seeing it.
pub fn mask_value(value: &str) -> String {
    let n = value.chars().count();
    let keep = match n {
        16.. => 4,
        8..=15 => 2,
        _ => 0,
    };
    let prefix: String = value.chars().take(keep).collect();
    format!("{prefix}{STARS}")
}

/// Masks the characters from 1-based `column` up to (not including) `end_column` of `line`,
/// then masks anything else on the line that looks like a credential ([`mask_tokens`]).
pub fn mask_span(line: &str, column: u64, end_column: u64) -> String {
    let start = usize::try_from(column.saturating_sub(1)).unwrap_or(usize::MAX);
    let end = usize::try_from(end_column.saturating_sub(1)).unwrap_or(usize::MAX);
    let chars: Vec<char> = line.chars().collect();
    let start = start.min(chars.len());
    let end = end.clamp(start, chars.len());
    let mut out: String = chars[..start].iter().collect();
    let span: String = chars[start..end].iter().collect();
    if !span.is_empty() {
        out.push_str(&mask_value(&span));
    }
    out.extend(&chars[end..]);
    mask_tokens(&out)
}

fn token_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r"[A-Za-z0-9_\-+/.~]{16,}={0,2}").expect("valid regex"))
}

fn assign_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r#"(?i)(secret|token|passw(?:or)?d|pwd|api[_-]?key|private[_-]?key|credential|auth|dsn|conn(?:ection)?[_-]?str)[A-Za-z0-9_\-]*["'`]?\s*(?::|=|=>|:=)\s*"#,
        )
        .expect("valid regex")
    })
}

fn value_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r#"[^\s"'`,;()\[\]{}]{4,}"#).expect("valid regex"))
}

/// True for code that reads a value from the environment (`process.env.X`,
/// `import.meta.env.X`, `Deno.env.get`, `os.environ`, `getenv`): a name, not a value.
fn is_env_reference(v: &str) -> bool {
    v.contains("env.") || v.contains("env[") || v.contains("environ") || v.contains("getenv")
}

/// Masks what looks like a credential anywhere in `line`: long tokens mixing letters and
/// digits, and the value of an assignment to a name such as `secret`, `token`, `password`
/// or `api_key`. Used on every printed line of a `secret.*` finding's code frame.
pub fn mask_tokens(line: &str) -> String {
    let line = match assign_re().find(line) {
        Some(m) => {
            let value = &line[m.end()..];
            let masked = value_re().replace_all(value, |c: &regex::Captures<'_>| {
                let v = &c[0];
                if v.contains(STARS) || is_env_reference(v) {
                    v.to_string()
                } else {
                    mask_value(v)
                }
            });
            format!("{}{}", &line[..m.end()], masked)
        }
        None => line.to_string(),
    };
    token_re()
        .replace_all(&line, |c: &regex::Captures<'_>| {
            let t = &c[0];
            let letters = t.chars().any(|c| c.is_ascii_alphabetic());
            let digits = t.chars().any(|c| c.is_ascii_digit());
            if letters && digits && !t.contains(STARS) && !is_env_reference(t) {
                mask_value(t)
            } else {
                t.to_string()
            }
        })
        .into_owned()
}

fn long_token_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r"[A-Za-z0-9_\-+/]{24,}={0,2}").expect("valid regex"))
}

/// Masks long key-like tokens (24 or more characters of a key alphabet, with at least three
/// letters and three digits): a secret that happens to sit next to a non-secret finding is
/// not printed either. Ordinary code, paths and URLs (split by `.` and `:`) are left alone.
pub fn mask_long_tokens(line: &str) -> String {
    long_token_re()
        .replace_all(line, |c: &regex::Captures<'_>| {
            let t = &c[0];
            let letters = t.chars().filter(|c| c.is_ascii_alphabetic()).count();
            let digits = t.chars().filter(|c| c.is_ascii_digit()).count();
            if letters >= 3 && digits >= 3 {
                mask_value(t)
            } else {
                t.to_string()
            }
        })
        .into_owned()
}

/// Replaces control characters (ANSI escapes, carriage returns, bidi overrides...) with
/// visible placeholders and tabs with spaces, so untrusted text prints as inert text.
pub fn sanitize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\t' => out.push_str("    "),
            c if c.is_control() => out.push('\u{fffd}'),
            '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' => {
                out.push('\u{fffd}')
            }
            c => out.push(c),
        }
    }
    out
}

/// Shortens a long line to about `width` characters around 1-based `column`, marking cuts
/// with `…` (minified bundles have lines of megabytes).
pub fn clip(line: &str, column: Option<u64>, width: usize) -> String {
    let n = line.chars().count();
    if n <= width {
        return line.to_string();
    }
    let col = column
        .and_then(|c| usize::try_from(c).ok())
        .unwrap_or(1)
        .saturating_sub(1);
    let start = col.saturating_sub(width / 3).min(n - width);
    let mut out = String::new();
    if start > 0 {
        out.push('…');
    }
    out.extend(line.chars().skip(start).take(width));
    if start + width < n {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "sk_live_51HqLyjWDarjtT1zdp7dcXaMpl3Q";

    #[test]
    fn span_masking_hides_the_secret_and_keeps_the_code() {
        let line = format!("const stripe = new Stripe(\"{KEY}\");");
        let col = line.find(KEY).unwrap() as u64 + 1;
        let masked = mask_span(&line, col, col + KEY.len() as u64);
        assert!(!masked.contains(&KEY[8..]), "{masked}");
        assert!(
            masked.starts_with("const stripe = new Stripe(\"sk_l"),
            "{masked}"
        );
        assert!(masked.ends_with("\");"));
    }

    #[test]
    fn a_wrong_span_still_does_not_leak_a_long_token() {
        let line = format!("x = \"{KEY}\"");
        let masked = mask_span(&line, 1, 2);
        assert!(!masked.contains(&KEY[8..]), "{masked}");
        let masked = mask_span(&line, 500, 900);
        assert!(!masked.contains(&KEY[8..]), "{masked}");
    }

    #[test]
    fn assignments_to_secret_names_are_masked_but_ordinary_code_is_not() {
        let m = mask_tokens("DB_PASSWORD=hunter2hunter");
        assert!(
            !m.contains("hunter2hunter") && m.starts_with("DB_PASSWORD="),
            "{m}"
        );
        let m = mask_tokens(r#"  "apiKey": "abcd efgh","#);
        assert!(!m.contains("abcd") && !m.contains("efgh"), "{m}");
        let env = "    const secret = import.meta.env.VITE_N8N_SECRET || '';";
        assert_eq!(mask_tokens(env), env);
        let code = "export default function App() { return <Layout title=\"Home\" />; }";
        assert_eq!(mask_tokens(code), code);
        let path = "import { createClient } from '@supabase/supabase-js';";
        assert_eq!(mask_tokens(path), path);
    }

    #[test]
    fn long_tokens_are_masked_in_any_frame_but_code_is_not() {
        let m = mask_long_tokens(&format!("fetch(url, {{ key: \"{KEY}\" }})"));
        assert!(!m.contains(&KEY[8..]), "{m}");
        for code in [
            "import Button from \"@/components/ui/button-group-horizontal\";",
            "const resolved = \"https://registry.npmjs.org/axios/-/axios-1.5.0.tgz\";",
            "const token = req.headers.authorization?.replace(\"Bearer \", \"\");",
            "className=\"grid grid-cols-1 md:grid-cols-2 lg:grid-cols-3\"",
        ] {
            assert_eq!(mask_long_tokens(code), code);
        }
    }

    #[test]
    fn control_characters_are_neutralised() {
        assert_eq!(
            sanitize("a\x1b[31mred\tb\r"),
            "a\u{fffd}[31mred    b\u{fffd}"
        );
        assert_eq!(sanitize("x\u{202e}y"), "x\u{fffd}y");
    }

    #[test]
    fn clipping_keeps_the_column_in_view() {
        let line = format!("{}TARGET{}", "a".repeat(500), "b".repeat(500));
        let c = clip(&line, Some(501), 60);
        assert!(
            c.contains("TARGET") && c.starts_with('…') && c.ends_with('…'),
            "{c}"
        );
        assert_eq!(clip("short", None, 60), "short");
    }
}
