//! The JSON and JSON Lines formats.

use std::io::{self, Write};

use lm_core::{Diagnostic, Finding, Record, Severity};
use serde::Serialize;
use serde_json::{json, Map, Value};

use super::RenderOptions;
use crate::model::Report;

/// The JSON document's `tool` object.
pub fn tool() -> Value {
    json!({ "name": "lm", "component": "lm-report", "version": env!("CARGO_PKG_VERSION") })
}

/// A shown finding: the record's fields (without `type`) and, when records were merged,
/// `duplicates`.
#[derive(Serialize)]
struct ShownFinding<'a> {
    #[serde(flatten)]
    finding: &'a Finding,
    #[serde(skip_serializing_if = "Option::is_none")]
    duplicates: Option<u64>,
}

#[derive(Serialize)]
struct Document<'a> {
    schema_version: &'static str,
    tool: Value,
    findings: Vec<ShownFinding<'a>>,
    suppressed: u64,
    baselined: u64,
    below_min_severity: u64,
    duplicates: u64,
    min_severity: Severity,
    diagnostics: &'a [Diagnostic],
    totals: Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    fail_on: Option<Severity>,
    #[serde(skip_serializing_if = "Option::is_none")]
    failing: Option<usize>,
}

fn build<'a>(report: &'a Report, opts: &RenderOptions) -> Document<'a> {
    let t = report.totals();
    let by_severity: Map<String, Value> = Severity::ALL
        .iter()
        .rev()
        .map(|s| (s.as_str().to_string(), json!(t.by_severity[s])))
        .collect();
    let by_category: Map<String, Value> = t
        .by_category
        .iter()
        .map(|(c, n)| (c.as_str().to_string(), json!(n)))
        .collect();
    Document {
        schema_version: lm_core::SCHEMA_VERSION,
        tool: tool(),
        findings: report
            .shown()
            .map(|e| ShownFinding {
                finding: &e.finding,
                duplicates: (e.duplicates > 0).then_some(e.duplicates),
            })
            .collect(),
        suppressed: t.suppressed,
        baselined: t.baselined,
        below_min_severity: t.below_min_severity,
        duplicates: t.duplicates,
        min_severity: report.options.min_severity,
        diagnostics: &report.diagnostics,
        totals: json!({
            "findings": t.shown,
            "files": t.files,
            "by_severity": by_severity,
            "by_category": by_category,
        }),
        fail_on: opts.fail_on,
        failing: opts.fail_on.map(|th| report.failing(th)),
    }
}

/// Builds the JSON document: `schema_version`, `tool`, `findings` (the shown findings, as
/// in their records without `type`), the `suppressed`, `baselined`, `below_min_severity`
/// and `duplicates` counts, `min_severity`, `diagnostics`, `totals` and, with `--fail-on`,
/// `fail_on` and `failing` (how many findings are at or above it).
pub fn document(report: &Report, opts: &RenderOptions) -> Value {
    serde_json::to_value(build(report, opts)).expect("report serialises")
}

/// Writes the JSON document, pretty-printed.
pub fn render(report: &Report, opts: &RenderOptions, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &build(report, opts)).map_err(io::Error::from)?;
    writeln!(out)
}

/// Writes the shown findings as `finding` records, one per line, so the output can be fed
/// to `lm-report` again.
pub fn render_lines(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    for e in report.shown() {
        serde_json::to_writer(&mut *out, &Record::Finding(e.finding.clone()))
            .map_err(io::Error::from)?;
        writeln!(out)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::collect::Stream;
    use crate::model::Options;
    use crate::source::Sources;
    use lm_core::{Category, Diagnostic, DiagnosticLevel, Finding};

    fn report(min: Severity) -> Report {
        let mut a = Finding::new(
            "authz.bola-id",
            Category::AuthzBola,
            Severity::High,
            "api/doc.ts",
            7,
            "Check ownership.",
        );
        a.fingerprint = "f1".into();
        let mut b = Finding::new(
            "deps.lock",
            Category::DepLockfile,
            Severity::Low,
            "package.json",
            1,
            "Commit a lockfile.",
        );
        b.fingerprint = "f2".into();
        let stream = Stream {
            findings: vec![a.clone(), b, a],
            diagnostics: vec![Diagnostic::new(
                DiagnosticLevel::Error,
                "lm-files",
                "unreadable",
                "denied",
            )
            .with_path("x")],
            ..Stream::default()
        };
        let dir = tempfile::tempdir().unwrap();
        let mut s = Sources::new(&stream.files, dir.path());
        Report::build(&stream, &mut s, None, Options { min_severity: min })
    }

    #[test]
    fn document_shape() {
        let doc = document(
            &report(Severity::Medium),
            &RenderOptions {
                color: false,
                fail_on: Some(Severity::High),
            },
        );
        assert_eq!(doc["schema_version"], lm_core::SCHEMA_VERSION);
        assert_eq!(doc["tool"]["name"], "lm");
        let findings = doc["findings"].as_array().unwrap();
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0]["rule"], "authz.bola-id");
        assert_eq!(findings[0]["cwe"], 639);
        assert_eq!(findings[0]["duplicates"], 1);
        assert!(findings[0].get("type").is_none());
        assert_eq!(doc["suppressed"], 0);
        assert_eq!(doc["below_min_severity"], 1);
        assert_eq!(doc["duplicates"], 1);
        assert_eq!(doc["totals"]["findings"], 1);
        assert_eq!(doc["totals"]["by_severity"]["high"], 1);
        assert_eq!(doc["totals"]["by_severity"]["low"], 0);
        assert_eq!(doc["totals"]["by_category"]["authz.bola"], 1);
        assert_eq!(doc["diagnostics"][0]["code"], "unreadable");
        assert_eq!(doc["fail_on"], "high");
        assert_eq!(doc["failing"], 1);
    }

    #[test]
    fn jsonl_is_finding_records_that_read_back() {
        let mut out = Vec::new();
        render_lines(&report(Severity::Info), &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2);
        for l in lines {
            assert!(l.starts_with(r#"{"type":"finding","#), "{l}");
            let r: Record = serde_json::from_str(l).unwrap();
            assert!(matches!(r, Record::Finding(_)));
        }
    }
}
