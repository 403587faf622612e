//! The text format: findings grouped by file, with code frames, then totals.

use std::io::{self, Write};

use lm_core::{DiagnosticLevel, Severity};

use super::{code_frame, RenderOptions};
use crate::model::Report;
use crate::redact::sanitize;
use crate::source::Sources;

/// How many diagnostics are listed before "and N more".
pub const MAX_DIAGNOSTICS_LISTED: usize = 10;

struct Paint(bool);

impl Paint {
    fn paint(&self, sgr: &str, text: &str) -> String {
        if self.0 {
            format!("\x1b[{sgr}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }

    fn severity(&self, s: Severity, text: &str) -> String {
        let sgr = match s {
            Severity::Critical => "1;97;41",
            Severity::High => "1;31",
            Severity::Medium => "33",
            Severity::Low => "36",
            Severity::Info => "2",
        };
        self.paint(sgr, text)
    }
}

fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Writes the text report.
pub fn render(
    report: &Report,
    sources: &mut Sources<'_>,
    opts: &RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    let p = Paint(opts.color);
    // A finding about a whole file (line 0) shows `-` for its position.
    let loc_of = |f: &lm_core::Finding| match (f.line, f.column) {
        (0, _) => "-".to_string(),
        (l, Some(c)) if c > 0 => format!("{l}:{c}"),
        (l, _) => l.to_string(),
    };
    let loc_width = report
        .shown()
        .map(|e| loc_of(&e.finding).len())
        .max()
        .unwrap_or(1);
    let indent = " ".repeat(loc_width + 4);
    let mut current: Option<&str> = None;
    for e in report.shown() {
        let f = &e.finding;
        if current != Some(f.path.as_str()) {
            if current.is_some() {
                writeln!(out)?;
            }
            writeln!(out, "{}", p.paint("1;4", &sanitize(&f.path)))?;
            current = Some(f.path.as_str());
        }
        let loc = loc_of(f);
        writeln!(
            out,
            "  {}  {}  {}  {}",
            p.paint("2", &format!("{loc:>loc_width$}")),
            p.severity(f.severity, f.severity.as_str()),
            p.paint("1", f.category.title()),
            p.paint("2", &format!("[{}]", sanitize(&f.rule))),
        )?;
        writeln!(out, "{indent}{}", sanitize(&f.message))?;
        if let Some(frame) = code_frame(f, sources) {
            let width = frame
                .iter()
                .map(|l| l.number.to_string().len())
                .max()
                .unwrap_or(1);
            for l in frame {
                let gutter = format!(
                    "{} {:>width$} │",
                    if l.marked { ">" } else { " " },
                    l.number
                );
                if l.marked {
                    writeln!(out, "{indent}{} {}", p.paint("1", &gutter), l.text)?;
                } else {
                    writeln!(
                        out,
                        "{indent}{} {}",
                        p.paint("2", &gutter),
                        p.paint("2", &l.text)
                    )?;
                }
            }
        }
        let mut meta = Vec::new();
        if let Some(cwe) = f.cwe {
            meta.push(format!("CWE-{cwe}"));
        }
        if let Some(pkg) = &f.package {
            meta.push(format!("package {}", sanitize(pkg)));
        }
        if let Some(ev) = super::printable_evidence(f) {
            meta.push(format!(
                "evidence: {}",
                sanitize(&crate::redact::clip(&ev, None, 80))
            ));
        }
        if e.duplicates > 0 {
            meta.push(format!("reported {} times", e.duplicates + 1));
        }
        meta.push(format!("fingerprint {}", f.fingerprint));
        writeln!(out, "{indent}{}", p.paint("2", &meta.join(" · ")))?;
    }
    summary(report, &p, opts, out)
}

fn summary(
    report: &Report,
    p: &Paint,
    opts: &RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    let t = report.totals();
    if t.shown > 0 {
        writeln!(out)?;
    }
    let min = report.options.min_severity;
    if t.shown == 0 {
        let scope = if min > Severity::Info {
            format!(" at or above {min}")
        } else {
            String::new()
        };
        writeln!(out, "{}", p.paint("1;32", &format!("No findings{scope}.")))?;
    } else {
        let sev: Vec<String> = Severity::ALL
            .iter()
            .rev()
            .filter(|s| t.by_severity[s] > 0)
            .map(|s| p.severity(*s, &format!("{} {s}", t.by_severity[s])))
            .collect();
        writeln!(
            out,
            "{} in {}: {}",
            p.paint("1", &plural(t.shown, "finding", "findings")),
            plural(t.files, "file", "files"),
            sev.join(", ")
        )?;
        let cats: Vec<String> = t
            .by_category
            .iter()
            .map(|(c, n)| format!("{c} {n}"))
            .collect();
        writeln!(out, "By category: {}", cats.join(", "))?;
    }
    let mut hidden = Vec::new();
    if t.suppressed > 0 {
        hidden.push(format!("{} suppressed inline", t.suppressed));
    }
    if t.baselined > 0 {
        hidden.push(format!("{} baselined", t.baselined));
    }
    if t.below_min_severity > 0 {
        hidden.push(format!(
            "{} below --min-severity {min}",
            t.below_min_severity
        ));
    }
    if t.duplicates > 0 {
        hidden.push(plural(
            t.duplicates,
            "duplicate merged",
            "duplicates merged",
        ));
    }
    if !hidden.is_empty() {
        writeln!(out, "Not shown: {}", hidden.join(", "))?;
    }
    let diags = &report.diagnostics;
    if !diags.is_empty() {
        let count = |l| diags.iter().filter(|d| d.level == l).count() as u64;
        writeln!(
            out,
            "Diagnostics: {}, {}, {}",
            plural(count(DiagnosticLevel::Error), "error", "errors"),
            plural(count(DiagnosticLevel::Warning), "warning", "warnings"),
            plural(count(DiagnosticLevel::Info), "info", "info"),
        )?;
        let mut sorted: Vec<_> = diags.iter().collect();
        sorted.sort_by_key(|d| std::cmp::Reverse(d.level));
        for d in sorted.iter().take(MAX_DIAGNOSTICS_LISTED) {
            let level = match d.level {
                DiagnosticLevel::Error => p.paint("31", "error"),
                DiagnosticLevel::Warning => p.paint("33", "warning"),
                DiagnosticLevel::Info => p.paint("2", "info"),
            };
            let place = match (&d.path, d.line) {
                (Some(path), Some(line)) => format!("{}:{line}: ", sanitize(path)),
                (Some(path), None) => format!("{}: ", sanitize(path)),
                (None, Some(line)) => format!("line {line}: "),
                (None, None) => String::new(),
            };
            writeln!(
                out,
                "  {level} {} {}: {place}{}",
                sanitize(&d.stage),
                sanitize(&d.code),
                sanitize(&d.message)
            )?;
        }
        if diags.len() > MAX_DIAGNOSTICS_LISTED {
            writeln!(
                out,
                "  … and {} more (all are in --format json)",
                diags.len() - MAX_DIAGNOSTICS_LISTED
            )?;
        }
    }
    if let Some(threshold) = opts.fail_on {
        let failing = report.failing(threshold);
        if failing > 0 {
            let hidden_note = if threshold < min {
                format!(" (some below --min-severity {min}, not listed)")
            } else {
                String::new()
            };
            writeln!(
                out,
                "{}",
                p.paint(
                    "1;31",
                    &format!(
                        "Failing: {} at or above --fail-on {threshold}{hidden_note}.",
                        plural(failing as u64, "finding", "findings")
                    )
                )
            )?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::collect::Stream;
    use crate::model::{Options, Report};
    use lm_core::{Category, Diagnostic, Finding};

    fn render_str(
        stream: &Stream,
        root: &std::path::Path,
        opts: RenderOptions,
        min: Severity,
    ) -> String {
        let mut sources = Sources::new(&stream.files, root);
        let report = Report::build(stream, &mut sources, None, Options { min_severity: min });
        let mut out = Vec::new();
        render(&report, &mut sources, &opts, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    fn stream() -> (tempfile::TempDir, Stream) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("api")).unwrap();
        std::fs::write(
            dir.path().join("api/login.ts"),
            "export async function POST(req) {}\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("api/users.ts"),
            "export async function GET(req) {\n  const id = req.query.id;\n  return db.query(`select * from users where id = ${id}`);\n}\n",
        )
        .unwrap();
        let mut sql = Finding::new(
            "inject.sql-template",
            Category::InjectSql,
            Severity::High,
            "api/users.ts",
            3,
            "SQL built from the request's `id`; pass it as a bound parameter.",
        );
        sql.column = Some(10);
        sql.fingerprint = "aaaa".into();
        let low = Finding::new(
            "ratelimit.login",
            Category::RatelimitMissing,
            Severity::Low,
            "api/login.ts",
            1,
            "Add a rate limit.",
        );
        let mut diag = Diagnostic::new(
            lm_core::DiagnosticLevel::Warning,
            "lm-parse",
            "parse-error",
            "could not parse",
        );
        diag.path = Some("web/broken.tsx".into());
        let s = Stream {
            findings: vec![low, sql],
            diagnostics: vec![diag],
            ..Stream::default()
        };
        (dir, s)
    }

    #[test]
    fn groups_by_file_with_frames_and_totals() {
        let (dir, s) = stream();
        let text = render_str(
            &s,
            dir.path(),
            RenderOptions {
                color: false,
                fail_on: Some(Severity::High),
            },
            Severity::Info,
        );
        assert!(!text.contains('\x1b'), "no colour when disabled");
        let login = text.find("api/login.ts\n").unwrap();
        let users = text.find("api/users.ts\n").unwrap();
        assert!(login < users, "files sorted");
        assert!(
            text.contains("  3:10  high  SQL injection  [inject.sql-template]\n        SQL built"),
            "{text}"
        );
        assert!(
            text.contains("> 3 │   return db.query(`select * from users where id = ${id}`);"),
            "{text}"
        );
        assert!(text.contains("  2 │   const id = req.query.id;"), "{text}");
        assert!(text.contains("CWE-89 · fingerprint aaaa"), "{text}");
        assert!(
            text.contains("2 findings in 2 files: 1 high, 1 low"),
            "{text}"
        );
        assert!(
            text.contains("By category: ratelimit.missing 1, inject.sql 1"),
            "{text}"
        );
        assert!(
            text.contains("Diagnostics: 0 errors, 1 warning, 0 info"),
            "{text}"
        );
        assert!(
            text.contains("warning lm-parse parse-error: web/broken.tsx: could not parse"),
            "{text}"
        );
        assert!(
            text.contains("Failing: 1 finding at or above --fail-on high."),
            "{text}"
        );
    }

    #[test]
    fn colour_and_min_severity() {
        let (dir, s) = stream();
        let text = render_str(
            &s,
            dir.path(),
            RenderOptions {
                color: true,
                fail_on: Some(Severity::Low),
            },
            Severity::High,
        );
        assert!(text.contains("\x1b[1;31mhigh"), "{text:?}");
        assert!(!text.contains("api/login.ts"), "{text}");
        assert!(
            text.contains("Not shown: 1 below --min-severity high"),
            "{text}"
        );
        assert!(text.contains("Failing: 2 findings at or above --fail-on low (some below --min-severity high, not listed)."), "{text}");
    }

    #[test]
    fn empty_report_says_so() {
        let dir = tempfile::tempdir().unwrap();
        let text = render_str(
            &Stream::default(),
            dir.path(),
            RenderOptions::default(),
            Severity::Info,
        );
        assert_eq!(text, "No findings.\n");
    }
}
