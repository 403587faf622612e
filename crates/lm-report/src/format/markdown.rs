//! The markdown format: a pull-request comment with a severity table and one collapsible
//! `<details>` block per finding.

use std::io::{self, Write};

use lm_core::{DiagnosticLevel, Severity};

use super::{code_frame, severity_title, RenderOptions};
use crate::help;
use crate::model::Report;
use crate::source::Sources;

/// At most this many findings get a details block; the rest are counted.
pub const MAX_DETAILS: usize = 50;

/// Details blocks stop before the comment grows past this many bytes (a GitHub comment
/// holds 65,536 characters).
pub const MAX_COMMENT_BYTES: usize = 60_000;

/// Escapes text for HTML contexts (`<summary>`, `<code>`).
pub fn html_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\n' | '\r' => out.push(' '),
            c if c.is_control() => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// Escapes text for markdown paragraphs and table cells: ASCII punctuation that markdown
/// or HTML would interpret is backslash-escaped, line breaks become spaces.
pub fn md_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#' | '!' | '~' | '&' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            c if c.is_control() => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// A finding message as markdown: its backtick-quoted parts become code spans (stages
/// quote code that way), the rest is escaped. Unbalanced backticks are escaped too.
pub fn md_message(text: &str) -> String {
    let parts: Vec<&str> = text.split('`').collect();
    if parts.len() & 1 == 0 {
        return md_escape(text);
    }
    parts
        .iter()
        .enumerate()
        .map(|(i, p)| {
            if i & 1 == 0 {
                md_escape(p)
            } else if p.trim().is_empty() {
                md_escape(&format!("`{p}`"))
            } else {
                code_span(p)
            }
        })
        .collect()
}

/// An inline code span holding `text` whatever backticks it contains.
fn code_span(text: &str) -> String {
    let text: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let longest = longest_run(&text, '`');
    let ticks = "`".repeat(longest + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{ticks}{pad}{text}{pad}{ticks}")
}

fn longest_run(text: &str, ch: char) -> usize {
    let (mut best, mut cur) = (0, 0);
    for c in text.chars() {
        cur = if c == ch { cur + 1 } else { 0 };
        best = best.max(cur);
    }
    best
}

/// Writes the markdown report.
pub fn render(
    report: &Report,
    sources: &mut Sources<'_>,
    opts: &RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut doc: Vec<u8> = Vec::new();
    let t = report.totals();
    let min = report.options.min_severity;
    writeln!(doc, "## lm report\n")?;
    let mut headline = if t.shown == 0 {
        if min > Severity::Info {
            format!("**No findings** at or above {min}.")
        } else {
            "**No findings.**".to_string()
        }
    } else {
        format!(
            "**{} finding{}** in {} file{}.",
            t.shown,
            if t.shown == 1 { "" } else { "s" },
            t.files,
            if t.files == 1 { "" } else { "s" }
        )
    };
    if let Some(threshold) = opts.fail_on {
        let failing = report.failing(threshold);
        if failing > 0 {
            headline.push_str(&format!(
                " :x: {failing} at or above `{threshold}` (fails the check)."
            ));
        } else {
            headline.push_str(&format!(
                " :white_check_mark: none at or above `{threshold}`."
            ));
        }
    }
    writeln!(doc, "{headline}\n")?;
    writeln!(doc, "| Severity | Findings |\n|:--|--:|")?;
    for s in Severity::ALL.iter().rev() {
        writeln!(doc, "| {} | {} |", severity_title(*s), t.by_severity[s])?;
    }
    writeln!(doc)?;
    if !t.by_category.is_empty() {
        let cats: Vec<String> = t
            .by_category
            .iter()
            .map(|(c, n)| format!("`{c}` {n}"))
            .collect();
        writeln!(doc, "By category: {}\n", cats.join(" · "))?;
    }
    let mut hidden = Vec::new();
    if t.suppressed > 0 {
        hidden.push(format!("{} suppressed inline", t.suppressed));
    }
    if t.baselined > 0 {
        hidden.push(format!("{} baselined", t.baselined));
    }
    if t.below_min_severity > 0 {
        hidden.push(format!("{} below `{min}`", t.below_min_severity));
    }
    if t.duplicates > 0 {
        hidden.push(format!(
            "{} duplicate{} merged",
            t.duplicates,
            if t.duplicates == 1 { "" } else { "s" }
        ));
    }
    if !hidden.is_empty() {
        writeln!(doc, "<sub>Not shown: {}.</sub>\n", hidden.join(" · "))?;
    }
    if t.shown > 0 {
        writeln!(doc, "### Findings\n")?;
    }
    let mut shown: Vec<_> = report.shown().collect();
    shown.sort_by_key(|e| std::cmp::Reverse(e.finding.severity));
    let mut detailed = 0usize;
    for e in shown {
        let mut block: Vec<u8> = Vec::new();
        let f = &e.finding;
        writeln!(
            block,
            "<details>\n<summary><b>{}</b> {} in <code>{}:{}</code></summary>\n",
            severity_title(f.severity),
            html_escape(f.category.title()),
            html_escape(&f.path),
            f.line
        )?;
        let mut meta = vec![
            format!("Rule {}", code_span(&f.rule)),
            format!("category `{}`", f.category),
        ];
        if let Some(cwe) = f.cwe {
            meta.push(format!(
                "[CWE-{cwe}](https://cwe.mitre.org/data/definitions/{cwe}.html)"
            ));
        }
        if let Some(pkg) = &f.package {
            meta.push(format!("package {}", code_span(pkg)));
        }
        writeln!(block, "{}\n", meta.join(" · "))?;
        writeln!(block, "{}\n", md_message(&f.message))?;
        if let Some(frame) = code_frame(f, sources) {
            let width = frame
                .iter()
                .map(|l| l.number.to_string().len())
                .max()
                .unwrap_or(1);
            let body: Vec<String> = frame
                .iter()
                .map(|l| {
                    format!(
                        "{} {:>width$} | {}",
                        if l.marked { ">" } else { " " },
                        l.number,
                        l.text
                    )
                })
                .collect();
            let body = body.join("\n");
            let fence = "`".repeat(longest_run(&body, '`').max(2) + 1);
            writeln!(block, "{fence}\n{body}\n{fence}\n")?;
        } else if let Some(ev) = super::printable_evidence(f) {
            writeln!(block, "Evidence: {}\n", code_span(&ev))?;
        }
        writeln!(
            block,
            "**How to fix:** {}\n",
            md_escape(help::for_category(f.category).fix)
        )?;
        writeln!(block, "</details>\n")?;
        if detailed >= MAX_DETAILS || doc.len() + block.len() > MAX_COMMENT_BYTES {
            break;
        }
        doc.extend_from_slice(&block);
        detailed += 1;
    }
    out.write_all(&doc)?;
    if t.shown as usize > detailed {
        writeln!(
            out,
            "… and {} more findings; the full list is in the SARIF or JSON report.\n",
            t.shown as usize - detailed
        )?;
    }
    let diags = &report.diagnostics;
    if !diags.is_empty() {
        let count = |l| diags.iter().filter(|d| d.level == l).count();
        writeln!(
            out,
            "<sub>Diagnostics: {} error(s), {} warning(s), {} info; see the JSON report.</sub>",
            count(DiagnosticLevel::Error),
            count(DiagnosticLevel::Warning),
            count(DiagnosticLevel::Info)
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::collect::Stream;
    use crate::model::Options;
    use lm_core::{Category, Finding};

    #[test]
    fn escapes_and_code_spans() {
        assert_eq!(html_escape("<b>&'\""), "&lt;b&gt;&amp;&#39;&quot;");
        assert_eq!(md_escape("a|b *c* <x>"), "a\\|b \\*c\\* \\<x\\>");
        assert_eq!(code_span("a`b"), "``a`b``");
        assert_eq!(code_span("`x"), "`` `x ``");
        assert_eq!(
            md_message("Use `db.query($1, [id])` not <b>`${id}`</b> | x"),
            "Use `db.query($1, [id])` not \\<b\\>`${id}`\\</b\\> \\| x"
        );
        assert_eq!(md_message("odd ` tick"), "odd \\` tick");
    }

    #[test]
    fn summary_table_and_details() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.sql"), "create table notes (id int);\n").unwrap();
        let mut f = Finding::new(
            "db.rls-disabled",
            Category::DbRlsDisabled,
            Severity::High,
            "a.sql",
            1,
            "Table `notes` has no row-level security | enable it.",
        );
        f.fingerprint = "ff".into();
        let stream = Stream {
            findings: vec![f.clone(), f],
            ..Stream::default()
        };
        let mut sources = Sources::new(&stream.files, dir.path());
        let report = Report::build(&stream, &mut sources, None, Options::default());
        let mut out = Vec::new();
        let opts = RenderOptions {
            color: true,
            fail_on: Some(Severity::High),
        };
        render(&report, &mut sources, &opts, &mut out).unwrap();
        let md = String::from_utf8(out).unwrap();
        assert!(md.starts_with("## lm report\n\n**1 finding** in 1 file. :x: 1 at or above `high` (fails the check).\n"), "{md}");
        assert!(md.contains("| Severity | Findings |\n|:--|--:|\n| Critical | 0 |\n| High | 1 |\n| Medium | 0 |\n| Low | 0 |\n| Info | 0 |\n"), "{md}");
        assert!(md.contains("<summary><b>High</b> Row-level security disabled in <code>a.sql:1</code></summary>"), "{md}");
        assert!(
            md.contains("Table `notes` has no row-level security \\| enable it."),
            "{md}"
        );
        assert!(
            md.contains("```\n> 1 | create table notes (id int);\n```"),
            "{md}"
        );
        assert!(
            md.contains("**How to fix:** Enable row-level security"),
            "{md}"
        );
        assert!(md.contains("1 duplicate merged"), "{md}");
        assert!(!md.contains('\x1b'));
        assert_eq!(
            md.matches("<details>").count(),
            md.matches("</details>").count()
        );
    }

    #[test]
    fn long_reports_are_capped_for_a_comment() {
        let findings: Vec<Finding> = (1..=80)
            .map(|i| {
                let mut f = Finding::new(
                    format!("inject.xss-{i}"),
                    Category::InjectXss,
                    Severity::Medium,
                    format!("src/p{i}.tsx"),
                    1,
                    "x".repeat(2000),
                );
                f.fingerprint = format!("{i:016x}");
                f
            })
            .collect();
        let stream = Stream {
            findings,
            ..Stream::default()
        };
        let dir = tempfile::tempdir().unwrap();
        let mut sources = Sources::new(&stream.files, dir.path());
        let report = Report::build(&stream, &mut sources, None, Options::default());
        let mut out = Vec::new();
        render(&report, &mut sources, &RenderOptions::default(), &mut out).unwrap();
        let md = String::from_utf8(out).unwrap();
        let shown = md.matches("<details>").count();
        assert!(shown > 0 && shown < 50, "{shown}");
        assert!(md.len() < 65_536, "{}", md.len());
        assert!(md.contains(&format!("… and {} more findings", 80 - shown)));
    }
}
