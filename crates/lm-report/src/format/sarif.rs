//! The SARIF 2.1.0 format (GitHub code scanning and other SARIF viewers), via `serde-sarif`.
//!
//! One run whose driver is `lm`, with one rule per rule id reported; each result carries
//! its rule id and index, level, message, a location relative to `%SRCROOT%` (the scanned
//! root), and `partialFingerprints["lmFingerprint/v1"]`. Findings suppressed inline are
//! included with `suppressions: [{kind: "inSource"}]`; baselined findings and findings
//! below `--min-severity` are left out. The stream's diagnostics become the invocation's
//! tool execution notifications. No source text is included.

use std::collections::BTreeMap;
use std::io::{self, Write};

use lm_core::{Category, Diagnostic, DiagnosticLevel, Finding, Severity};
use serde_json::json;
use serde_sarif::sarif::{
    ArtifactLocation, Invocation, Location, Message, MultiformatMessageString, Notification,
    PhysicalLocation, PropertyBag, Region, ReportingConfiguration, ReportingDescriptor,
    ReportingDescriptorReference, Result as SarifResult, ResultLevel, Run, Sarif, Suppression,
    Tool, ToolComponent,
};

use crate::help;
use crate::model::{Entry, Report, Status};
use serde::Serialize;

/// The `$schema` written into the log: the OASIS schema of SARIF 2.1.0 (errata 01).
pub const SCHEMA_URI: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/// The key of `partialFingerprints` holding the finding's fingerprint.
pub const FINGERPRINT_KEY: &str = "lmFingerprint/v1";

/// The base id every artifact location is relative to.
pub const SRCROOT: &str = "%SRCROOT%";

/// SARIF level of a severity: critical and high are errors, medium a warning, low and info
/// notes.
pub fn level(s: Severity) -> ResultLevel {
    match s {
        Severity::Critical | Severity::High => ResultLevel::Error,
        Severity::Medium => ResultLevel::Warning,
        Severity::Low | Severity::Info => ResultLevel::Note,
    }
}

fn level_str(s: Severity) -> &'static str {
    match level(s) {
        ResultLevel::Error => "error",
        ResultLevel::Warning => "warning",
        _ => "note",
    }
}

/// `security-severity` as GitHub expects it: a string holding a number, one decimal.
pub fn security_severity(s: Severity) -> String {
    format!("{:.1}", s.security_severity())
}

/// Percent-encodes a relative path for an artifact URI (`/` kept, everything outside the
/// unreserved set encoded, the exact bytes used for non-UTF-8 names).
pub fn path_to_uri(path: &str, path_bytes: Option<&str>) -> String {
    let raw = lm_core::relpath::to_path_buf(path, path_bytes);
    let bytes = path_bytes_of(&raw, path);
    let mut out = String::with_capacity(bytes.len());
    for b in bytes {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(unix)]
fn path_bytes_of(p: &std::path::Path, _fallback: &str) -> Vec<u8> {
    use std::os::unix::ffi::OsStrExt;
    p.as_os_str().as_bytes().to_vec()
}

#[cfg(not(unix))]
fn path_bytes_of(_p: &std::path::Path, fallback: &str) -> Vec<u8> {
    fallback.as_bytes().to_vec()
}

struct RuleInfo {
    category: Category,
    severity: Severity,
}

fn rule_descriptor(id: &str, info: &RuleInfo) -> ReportingDescriptor {
    let c = info.category;
    let mut tags = vec!["security".to_string(), c.as_str().to_string()];
    if let Some(cwe) = c.cwe() {
        tags.push(format!("external/cwe/cwe-{cwe}"));
    }
    let mut extra = BTreeMap::new();
    extra.insert(
        "security-severity".to_string(),
        json!(security_severity(info.severity)),
    );
    extra.insert("precision".to_string(), json!("high"));
    ReportingDescriptor::builder()
        .id(id)
        .name(rule_name(id))
        .short_description(
            MultiformatMessageString::builder()
                .text(help::short_description(id, c))
                .build(),
        )
        .full_description(
            MultiformatMessageString::builder()
                .text(help::for_category(c).description)
                .build(),
        )
        .help(
            MultiformatMessageString::builder()
                .text(help::help_text(id, c))
                .markdown(help::help_markdown(id, c))
                .build(),
        )
        .default_configuration(
            ReportingConfiguration::builder()
                .level(json!(level_str(info.severity)))
                .build(),
        )
        .properties(
            PropertyBag::builder()
                .tags(tags)
                .additional_properties(extra)
                .build(),
        )
        .build()
}

/// A PascalCase name for a rule id (`secrets.stripe-live-key` → `SecretsStripeLiveKey`).
fn rule_name(id: &str) -> String {
    id.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut cs = w.chars();
            cs.next()
                .map(|c| c.to_ascii_uppercase().to_string() + cs.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// A 1-based position as SARIF's integer, when it is one (0 and out-of-range values are
/// "unknown").
fn pos(n: u64) -> Option<i64> {
    i64::try_from(n).ok().filter(|n| *n >= 1)
}

fn location(f: &Finding) -> Location {
    let artifact = ArtifactLocation::builder()
        .uri(path_to_uri(&f.path, f.path_bytes.as_deref()))
        .uri_base_id(SRCROOT)
        .build();
    let physical = match pos(f.line) {
        Some(line) => {
            let end_line = pos(f.end_line).unwrap_or(line).max(line);
            let start_col = f.column.and_then(pos);
            let end_col = f
                .end_column
                .and_then(pos)
                .filter(|e| end_line > line || start_col.is_some_and(|c| *e > c));
            let region = match (start_col, end_col) {
                (Some(c), Some(e)) => Region::builder()
                    .start_line(line)
                    .end_line(end_line)
                    .start_column(c)
                    .end_column(e)
                    .build(),
                (Some(c), None) => Region::builder()
                    .start_line(line)
                    .end_line(end_line)
                    .start_column(c)
                    .build(),
                _ => Region::builder()
                    .start_line(line)
                    .end_line(end_line)
                    .build(),
            };
            PhysicalLocation::builder()
                .artifact_location(artifact)
                .region(region)
                .build()
        }
        None => PhysicalLocation::builder()
            .artifact_location(artifact)
            .build(),
    };
    Location::builder().physical_location(physical).build()
}

fn notification(d: &Diagnostic) -> Notification {
    let level = match d.level {
        DiagnosticLevel::Error => "error",
        DiagnosticLevel::Warning => "warning",
        DiagnosticLevel::Info => "note",
    };
    let message = Message::builder()
        .text(format!("{}: {}", d.stage, d.message))
        .build();
    let descriptor = ReportingDescriptorReference::builder()
        .id(d.code.clone())
        .build();
    match &d.path {
        Some(path) => {
            let artifact = ArtifactLocation::builder()
                .uri(path_to_uri(path, None))
                .uri_base_id(SRCROOT)
                .build();
            let physical = match d.line.and_then(pos) {
                Some(line) => PhysicalLocation::builder()
                    .artifact_location(artifact)
                    .region(Region::builder().start_line(line).build())
                    .build(),
                None => PhysicalLocation::builder()
                    .artifact_location(artifact)
                    .build(),
            };
            Notification::builder()
                .level(json!(level))
                .message(message)
                .descriptor(descriptor)
                .locations(vec![Location::builder()
                    .physical_location(physical)
                    .build()])
                .build()
        }
        None => Notification::builder()
            .level(json!(level))
            .message(message)
            .descriptor(descriptor)
            .build(),
    }
}

/// The findings a SARIF log holds, and its rules with their indexes.
struct Plan<'a> {
    included: Vec<&'a Entry>,
    rules: BTreeMap<&'a str, RuleInfo>,
    index: BTreeMap<&'a str, usize>,
}

impl<'a> Plan<'a> {
    fn new(report: &'a Report) -> Plan<'a> {
        let min = report.options.min_severity;
        let included: Vec<&Entry> = report
            .entries
            .iter()
            .filter(|e| !matches!(e.status, Status::Baselined) && e.finding.severity >= min)
            .collect();
        let mut rules: BTreeMap<&str, RuleInfo> = BTreeMap::new();
        for e in &included {
            let f = &e.finding;
            rules
                .entry(f.rule.as_str())
                .and_modify(|r| r.severity = r.severity.max(f.severity))
                .or_insert(RuleInfo {
                    category: f.category,
                    severity: f.severity,
                });
        }
        let index = rules.keys().enumerate().map(|(i, id)| (*id, i)).collect();
        Plan {
            included,
            rules,
            index,
        }
    }

    fn result(&self, e: &Entry) -> SarifResult {
        let f = &e.finding;
        let mut fingerprints = BTreeMap::new();
        fingerprints.insert(FINGERPRINT_KEY.to_string(), f.fingerprint.clone());
        let mut props = BTreeMap::new();
        props.insert("category".to_string(), json!(f.category));
        props.insert("severity".to_string(), json!(f.severity));
        if let Some(p) = &f.package {
            props.insert("package".to_string(), json!(p));
        }
        let properties = PropertyBag::builder().additional_properties(props).build();
        let base = SarifResult::builder()
            .rule_id(f.rule.clone())
            .rule_index(self.index[f.rule.as_str()] as i64)
            .level(level(f.severity))
            .message(Message::builder().text(f.message.clone()).build())
            .locations(vec![location(f)])
            .partial_fingerprints(fingerprints)
            .properties(properties);
        match &e.status {
            Status::Suppressed { reason, .. } => {
                let s = match reason {
                    Some(r) => Suppression::builder()
                        .kind(json!("inSource"))
                        .justification(r.clone())
                        .build(),
                    None => Suppression::builder().kind(json!("inSource")).build(),
                };
                base.suppressions(vec![s]).build()
            }
            _ => base.build(),
        }
    }

    /// The run without its results.
    fn run(&self, report: &Report) -> Run {
        let driver = ToolComponent::builder()
            .name("lm")
            .full_name(format!("lm {}", env!("CARGO_PKG_VERSION")))
            .version(env!("CARGO_PKG_VERSION"))
            .semantic_version(env!("CARGO_PKG_VERSION"))
            .rules(
                self.rules
                    .iter()
                    .map(|(id, info)| rule_descriptor(id, info))
                    .collect::<Vec<_>>(),
            )
            .build();
        let notifications: Vec<Notification> =
            report.diagnostics.iter().map(notification).collect();
        let invocation = if notifications.is_empty() {
            Invocation::builder().execution_successful(true).build()
        } else {
            Invocation::builder()
                .execution_successful(true)
                .tool_execution_notifications(notifications)
                .build()
        };
        Run::builder()
            .tool(Tool::builder().driver(driver).build())
            .invocations(vec![invocation])
            .column_kind(json!("unicodeCodePoints"))
            .build()
    }
}

/// Builds the SARIF log of a report.
pub fn log(report: &Report) -> Sarif {
    let plan = Plan::new(report);
    let mut run = plan.run(report);
    run.results = Some(plan.included.iter().map(|e| plan.result(e)).collect());
    Sarif::builder()
        .schema(SCHEMA_URI)
        .version(json!("2.1.0"))
        .runs(vec![run])
        .build()
}

/// Serialises the results one at a time, so a large report is never held as SARIF
/// objects all at once.
struct LazyResults<'a>(&'a Plan<'a>);

impl Serialize for LazyResults<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_seq(self.0.included.iter().map(|e| self.0.result(e)))
    }
}

#[derive(Serialize)]
struct LazyRun<'a> {
    #[serde(flatten)]
    run: Run,
    results: LazyResults<'a>,
}

#[derive(Serialize)]
struct LazyLog<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [LazyRun<'a>; 1],
}

/// Writes the SARIF log, pretty-printed (the same document as [`log`], streamed).
pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let plan = Plan::new(report);
    let doc = LazyLog {
        schema: SCHEMA_URI,
        version: "2.1.0",
        runs: [LazyRun {
            run: plan.run(report),
            results: LazyResults(&plan),
        }],
    };
    serde_json::to_writer_pretty(&mut *out, &doc).map_err(io::Error::from)?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::baseline::Baseline;
    use crate::collect::Stream;
    use crate::model::Options;
    use crate::source::Sources;

    #[test]
    fn streamed_output_equals_the_built_log() {
        let mut f = Finding::new(
            "r.x",
            Category::InjectXss,
            Severity::High,
            "a b.tsx",
            3,
            "m",
        );
        f.fingerprint = "ff".into();
        let stream = Stream {
            findings: vec![f],
            diagnostics: vec![Diagnostic::new(DiagnosticLevel::Info, "s", "c", "m")],
            ..Stream::default()
        };
        let dir = tempfile::tempdir().unwrap();
        let mut sources = Sources::new(&stream.files, dir.path());
        let report = Report::build(&stream, &mut sources, None, Options::default());
        let mut out = Vec::new();
        render(&report, &mut out).unwrap();
        let streamed: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(streamed, serde_json::to_value(log(&report)).unwrap());
        assert_eq!(streamed["runs"][0]["results"].as_array().unwrap().len(), 1);
    }

    #[test]
    fn file_level_findings_have_no_region() {
        let f = Finding::new(
            "deps.no-lock",
            Category::DepLockfile,
            Severity::Low,
            "package.json",
            0,
            "m",
        );
        let loc = serde_json::to_value(location(&f)).unwrap();
        assert!(loc["physicalLocation"].get("region").is_none(), "{loc}");
        let mut g = f.clone();
        g.line = 5;
        g.end_line = 2;
        let loc = serde_json::to_value(location(&g)).unwrap();
        assert_eq!(
            loc["physicalLocation"]["region"],
            json!({"startLine": 5, "endLine": 5})
        );
    }

    #[test]
    fn uris_are_percent_encoded() {
        assert_eq!(path_to_uri("src/app/page.tsx", None), "src/app/page.tsx");
        assert_eq!(
            path_to_uri("a b/[id]/#x%.ts", None),
            "a%20b/%5Bid%5D/%23x%25.ts"
        );
        assert_eq!(path_to_uri("caf\u{e9}.js", None), "caf%C3%A9.js");
        #[cfg(unix)]
        assert_eq!(
            path_to_uri("caf\u{fffd}.js", Some("Y2Fm6S5qcw==")),
            "caf%E9.js"
        );
    }

    #[test]
    fn levels_and_scores() {
        assert_eq!(level(Severity::Critical), ResultLevel::Error);
        assert_eq!(level(Severity::High), ResultLevel::Error);
        assert_eq!(level(Severity::Medium), ResultLevel::Warning);
        assert_eq!(level(Severity::Low), ResultLevel::Note);
        assert_eq!(level(Severity::Info), ResultLevel::Note);
        assert_eq!(security_severity(Severity::Critical), "9.5");
        assert_eq!(security_severity(Severity::Info), "0.0");
        assert_eq!(rule_name("secrets.stripe-live-key"), "SecretsStripeLiveKey");
    }

    #[test]
    fn log_shape() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("q.ts"),
            "// lm-ignore: inject.sql ids are integers\ndb.query(`x ${id}`)\ndb.query(`y ${id}`)\n",
        )
        .unwrap();
        let mk = |rule: &str, cat, sev, line, fp: &str| {
            let mut f = Finding::new(rule, cat, sev, "q.ts", line, "msg");
            f.fingerprint = fp.into();
            f
        };
        let mut active = mk(
            "inject.sql-template",
            Category::InjectSql,
            Severity::Medium,
            3,
            "fa",
        );
        active.column = Some(4);
        active.end_column = Some(20);
        let stream = Stream {
            findings: vec![
                mk(
                    "inject.sql-template",
                    Category::InjectSql,
                    Severity::High,
                    2,
                    "fs",
                ),
                active,
                mk("cors.any", Category::CorsPermissive, Severity::Low, 0, "fb"),
            ],
            diagnostics: vec![Diagnostic::new(
                DiagnosticLevel::Warning,
                "lm-parse",
                "parse-error",
                "bad",
            )
            .with_path("z.ts")
            .with_line(3)],
            ..Stream::default()
        };
        let dir_path = dir.path().to_path_buf();
        let mut sources = Sources::new(&stream.files, &dir_path);
        let bl_path = dir.path().join("b.json");
        crate::baseline::write(
            &bl_path,
            [crate::baseline::Entry {
                fingerprint: "fb".into(),
                rule: String::new(),
                path: String::new(),
            }],
        )
        .unwrap();
        let bl = Baseline::load(&bl_path).unwrap();
        let report = Report::build(&stream, &mut sources, Some(&bl), Options::default());
        let v = serde_json::to_value(log(&report)).unwrap();
        assert_eq!(v["version"], "2.1.0");
        let run = &v["runs"][0];
        let driver = &run["tool"]["driver"];
        assert_eq!(driver["name"], "lm");
        let rules = driver["rules"].as_array().unwrap();
        assert_eq!(rules.len(), 1, "baselined rule left out");
        let rule = &rules[0];
        assert_eq!(rule["id"], "inject.sql-template");
        assert_eq!(
            rule["shortDescription"]["text"],
            "SQL injection: sql template"
        );
        assert!(rule["help"]["markdown"]
            .as_str()
            .unwrap()
            .contains("**How to fix**"));
        assert_eq!(rule["defaultConfiguration"]["level"], "error");
        assert_eq!(rule["properties"]["security-severity"], "8.0");
        let tags = rule["properties"]["tags"].as_array().unwrap();
        assert!(tags.contains(&json!("security")) && tags.contains(&json!("external/cwe/cwe-89")));
        let results = run["results"].as_array().unwrap();
        assert_eq!(results.len(), 2);
        let suppressed = &results[0];
        assert_eq!(
            suppressed["suppressions"],
            json!([{"kind": "inSource", "justification": "ids are integers"}])
        );
        assert_eq!(suppressed["level"], "error");
        let r = &results[1];
        assert_eq!(r["ruleId"], "inject.sql-template");
        assert_eq!(r["ruleIndex"], 0);
        assert_eq!(r["level"], "warning");
        assert!(r.get("suppressions").is_none());
        assert_eq!(r["partialFingerprints"][FINGERPRINT_KEY], "fa");
        let loc = &r["locations"][0]["physicalLocation"];
        assert_eq!(
            loc["artifactLocation"],
            json!({"uri": "q.ts", "uriBaseId": "%SRCROOT%"})
        );
        assert_eq!(
            loc["region"],
            json!({"startLine": 3, "endLine": 3, "startColumn": 4, "endColumn": 20})
        );
        let n = &run["invocations"][0]["toolExecutionNotifications"][0];
        assert_eq!(n["level"], "warning");
        assert_eq!(n["descriptor"]["id"], "parse-error");
    }
}
