//! The output formats and what they share: code frames and severity labels.

pub mod json;
pub mod markdown;
pub mod sarif;
pub mod text;

use lm_core::{Finding, Severity};

use crate::redact;
use crate::source::Sources;

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    /// For people at a terminal: findings grouped by file with code frames, then totals.
    #[default]
    Text,
    /// A pull-request comment: a severity table and collapsible details per finding.
    Markdown,
    /// One JSON document: findings, counts and diagnostics.
    Json,
    /// The shown findings only, one `finding` record per line.
    Jsonl,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.
    Sarif,
}

/// What every renderer gets besides the report.
#[derive(Debug, Clone, Copy, Default)]
pub struct RenderOptions {
    /// Colour terminal output (text format only).
    pub color: bool,
    /// The `--fail-on` threshold, if any, for the verdict line.
    pub fail_on: Option<Severity>,
}

/// Widest source line printed in a code frame, in characters.
pub const FRAME_WIDTH: usize = 160;

/// One line of a code frame, safe to print.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrameLine {
    /// 1-based line number.
    pub number: u64,
    /// The text, with secrets masked, long lines clipped and control characters replaced.
    pub text: String,
    /// True for the finding's own lines.
    pub marked: bool,
}

/// Placeholder for a finding line of a secret whose exact span is not known.
pub const HIDDEN_SECRET_LINE: &str = "‹line hidden: it holds a secret›";

/// The three-line code frame of a finding (the line before, the finding's line, the line
/// after), or `None` when the file cannot be read or the line is not in it.
///
/// Long key-like tokens are masked in every frame ([`redact::mask_long_tokens`]). For
/// `secret.*` findings no secret is ever printed: the finding's line shows with the
/// reported span masked (and any other credential-looking token masked too) when the
/// finding gives a one-line span, and is replaced by [`HIDDEN_SECRET_LINE`] otherwise; the
/// neighbouring lines have credential-looking tokens masked.
pub fn code_frame(finding: &Finding, sources: &mut Sources<'_>) -> Option<Vec<FrameLine>> {
    let lines = sources.lines(finding)?;
    let line = finding.line;
    if line == 0 || line > lines.len() as u64 {
        return None;
    }
    let end_line = finding.end_line.max(line);
    let secret = finding.category.as_str().starts_with("secret.");
    let first = line.saturating_sub(1).max(1);
    let last = (line + 1).min(lines.len() as u64);
    let mut out = Vec::new();
    for number in first..=last {
        let raw = &lines[(number - 1) as usize];
        let marked = number >= line && number <= end_line;
        let column = if number == line { finding.column } else { None };
        let text = if !secret {
            redact::mask_long_tokens(raw)
        } else if !marked {
            redact::mask_tokens(raw)
        } else {
            match (finding.column, secret_end_column(finding)) {
                (Some(c), Some(e)) if line == end_line && e > c => redact::mask_span(raw, c, e),
                _ if names_only(finding, raw) => redact::mask_tokens(raw),
                _ => {
                    out.push(FrameLine {
                        number,
                        text: HIDDEN_SECRET_LINE.to_string(),
                        marked,
                    });
                    continue;
                }
            }
        };
        out.push(FrameLine {
            number,
            text: redact::sanitize(&redact::clip(&text, column, FRAME_WIDTH)),
            marked,
        });
    }
    // A trailing empty line after the last newline is not worth showing.
    if out
        .last()
        .is_some_and(|l| !l.marked && l.text.is_empty() && l.number as usize == lines.len())
    {
        out.pop();
    }
    Some(out)
}

/// True when a secret finding's evidence is given in full and appears on the line: the
/// stage reported a name (a public-prefixed variable holding a server secret), not a
/// value, so the line can be shown with credential-looking tokens masked.
fn names_only(finding: &Finding, raw: &str) -> bool {
    match &finding.evidence {
        Some(ev) => {
            ev.len() >= 4
                && !ev.contains(['*', '…'])
                && raw.contains(ev.as_str())
                && redact::mask_tokens(ev) == *ev
        }
        None => false,
    }
}

/// Where a secret's span ends on its line: `end_column` when the stage gives it, else
/// `column` plus the `secret_length` detail (in characters) that `lm-secrets` records.
fn secret_end_column(finding: &Finding) -> Option<u64> {
    finding.end_column.or_else(|| {
        let len = finding.details.get("secret_length")?.as_u64()?;
        Some(finding.column? + len)
    })
}

/// A finding's evidence as printed in the text and markdown reports: stages already
/// redact it; for `secret.*` findings, anything that still looks like a credential is
/// masked again, in case a stage did not.
pub fn printable_evidence(finding: &Finding) -> Option<String> {
    let ev = finding.evidence.as_deref()?;
    Some(if finding.category.as_str().starts_with("secret.") {
        redact::mask_tokens(ev)
    } else {
        redact::mask_long_tokens(ev)
    })
}

/// Capitalised severity name (`Critical`).
pub fn severity_title(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "Critical",
        Severity::High => "High",
        Severity::Medium => "Medium",
        Severity::Low => "Low",
        Severity::Info => "Info",
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use lm_core::Category;
    use std::collections::HashMap;

    pub(crate) const KEY: &str = "sk_live_51HqLyjWDarjtT1zdp7dcXaMpl3Q";

    #[test]
    fn frames_show_three_lines_and_mark_the_finding() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.js"), "one\ntwo\tx\nthree\x1b[2J\nfour\n").unwrap();
        let files = HashMap::new();
        let mut s = Sources::new(&files, dir.path());
        let f = Finding::new("r", Category::InjectSql, Severity::High, "a.js", 2, "m");
        let frame = code_frame(&f, &mut s).unwrap();
        let got: Vec<_> = frame
            .iter()
            .map(|l| (l.number, l.text.as_str(), l.marked))
            .collect();
        assert_eq!(
            got,
            vec![
                (1, "one", false),
                (2, "two    x", true),
                (3, "three\u{fffd}[2J", false)
            ]
        );
        let first = Finding::new("r", Category::InjectSql, Severity::High, "a.js", 1, "m");
        assert_eq!(code_frame(&first, &mut s).unwrap().len(), 2);
        let last = Finding::new("r", Category::InjectSql, Severity::High, "a.js", 4, "m");
        assert_eq!(
            code_frame(&last, &mut s).unwrap().len(),
            2,
            "no empty trailing line"
        );
        let beyond = Finding::new("r", Category::InjectSql, Severity::High, "a.js", 9, "m");
        assert!(code_frame(&beyond, &mut s).is_none());
    }

    #[test]
    fn evidence_is_masked_again_for_secrets() {
        let mut f = Finding::new("s", Category::SecretHardcoded, Severity::High, "a", 1, "m");
        f.evidence = Some(KEY.to_string());
        assert_eq!(printable_evidence(&f).unwrap(), "sk_l********");
        f.evidence = Some("sk_live_…".to_string());
        assert_eq!(printable_evidence(&f).unwrap(), "sk_live_…");
        f.evidence = None;
        assert!(printable_evidence(&f).is_none());
    }

    #[test]
    fn secret_frames_never_print_the_secret() {
        let dir = tempfile::tempdir().unwrap();
        let src =
            format!("// billing\nconst stripe = new Stripe(\"{KEY}\");\nSTRIPE_OTHER={KEY}x\n");
        std::fs::write(dir.path().join("pay.ts"), &src).unwrap();
        let files = HashMap::new();
        let mut s = Sources::new(&files, dir.path());
        let mut f = Finding::new(
            "secrets.stripe",
            Category::SecretHardcoded,
            Severity::Critical,
            "pay.ts",
            2,
            "m",
        );
        let joined = |frame: Vec<FrameLine>| {
            frame
                .iter()
                .map(|l| l.text.clone())
                .collect::<Vec<_>>()
                .join("\n")
        };
        // No span: the line is hidden.
        let text = joined(code_frame(&f, &mut s).unwrap());
        assert!(
            text.contains(HIDDEN_SECRET_LINE) && !text.contains(&KEY[6..]),
            "{text}"
        );
        // A span: the line shows, masked.
        let col = src.lines().nth(1).unwrap().find(KEY).unwrap() as u64 + 1;
        f.column = Some(col);
        f.end_column = Some(col + KEY.len() as u64);
        let text = joined(code_frame(&f, &mut s).unwrap());
        assert!(text.contains("new Stripe(\"sk_l********\")"), "{text}");
        assert!(!text.contains(&KEY[6..]), "{text}");
        // A variable name as evidence: the line shows, tokens masked.
        let mut named = Finding::new(
            "secrets.name",
            Category::SecretClientExposed,
            Severity::High,
            "pay.ts",
            3,
            "m",
        );
        named.evidence = Some("STRIPE_OTHER".into());
        let text = joined(code_frame(&named, &mut s).unwrap());
        assert!(text.contains("STRIPE_OTHER=sk_l********"), "{text}");
        named.evidence = Some("sk_l…".into());
        let text = joined(code_frame(&named, &mut s).unwrap());
        assert!(text.contains(HIDDEN_SECRET_LINE), "{text}");
        // The span from `lm-secrets`' `secret_length` detail.
        f.end_column = None;
        f.details
            .insert("secret_length".into(), (KEY.len() as u64).into());
        let text = joined(code_frame(&f, &mut s).unwrap());
        assert!(text.contains("new Stripe(\"sk_l********\")"), "{text}");
    }
}
