//! The report: findings de-duplicated, matched against inline suppressions and the
//! baseline, sorted, and counted.

use std::collections::{BTreeMap, HashMap};

use lm_core::{Category, Diagnostic, DiagnosticLevel, Finding, Severity};

use crate::baseline::Baseline;
use crate::collect::{Stream, STAGE};
use crate::source::Sources;
use crate::suppress;

/// What happens to a finding in the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    /// Reported, and counts for `--fail-on`.
    Active,
    /// Suppressed by an `lm-ignore:` comment.
    Suppressed {
        /// The comment's reason, when it gives one.
        reason: Option<String>,
        /// 1-based line of the comment.
        line: u64,
    },
    /// Its fingerprint is in the baseline.
    Baselined,
}

/// One finding of the report.
#[derive(Debug, Clone)]
pub struct Entry {
    /// The finding (its fingerprint filled in when the stage left it empty).
    pub finding: Finding,
    /// What happens to it.
    pub status: Status,
    /// How many more records reported the same rule, path, line and fingerprint.
    pub duplicates: u64,
}

impl Entry {
    /// True when the finding is neither suppressed nor baselined.
    pub fn is_active(&self) -> bool {
        self.status == Status::Active
    }
}

/// Options that shape a report.
#[derive(Debug, Clone)]
pub struct Options {
    /// Findings below this severity are not shown (they still count for `--fail-on`).
    pub min_severity: Severity,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            min_severity: Severity::Info,
        }
    }
}

/// Counts over a report.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Totals {
    /// Shown findings (active, at or above the minimum severity).
    pub shown: u64,
    /// Shown findings by severity (every severity present, zeros included).
    pub by_severity: BTreeMap<Severity, u64>,
    /// Shown findings by category.
    pub by_category: BTreeMap<Category, u64>,
    /// Active findings below the minimum severity.
    pub below_min_severity: u64,
    /// Findings suppressed inline.
    pub suppressed: u64,
    /// Findings in the baseline.
    pub baselined: u64,
    /// Duplicate records merged into another.
    pub duplicates: u64,
    /// Files with shown findings.
    pub files: u64,
}

/// A built report.
#[derive(Debug, Clone)]
pub struct Report {
    /// Every distinct finding, sorted by path, line, column and rule.
    pub entries: Vec<Entry>,
    /// Diagnostics of the stream and of the report itself.
    pub diagnostics: Vec<Diagnostic>,
    /// The options it was built with.
    pub options: Options,
}

impl Report {
    /// Builds the report of `stream`. `sources` reads files for inline suppressions.
    pub fn build(
        stream: &Stream,
        sources: &mut Sources<'_>,
        baseline: Option<&Baseline>,
        options: Options,
    ) -> Report {
        Report::from_parts(
            stream.findings.clone(),
            stream.diagnostics.clone(),
            sources,
            baseline,
            options,
        )
    }

    /// Builds the report of `findings` and `diagnostics` (taken out of a [`Stream`], so
    /// that large streams are not held twice).
    pub fn from_parts(
        findings: Vec<Finding>,
        diagnostics: Vec<Diagnostic>,
        sources: &mut Sources<'_>,
        baseline: Option<&Baseline>,
        options: Options,
    ) -> Report {
        let mut entries: Vec<Entry> = Vec::with_capacity(findings.len());
        let mut seen: HashMap<(String, String, u64, String), usize> = HashMap::new();
        for mut f in findings {
            if f.fingerprint.is_empty() {
                f.fingerprint = fallback_fingerprint(&f);
            }
            let key = (
                f.rule.clone(),
                f.path.clone(),
                f.line,
                f.fingerprint.clone(),
            );
            match seen.get(&key) {
                Some(&i) => {
                    let e = &mut entries[i];
                    e.duplicates += 1;
                    if f.severity > e.finding.severity {
                        e.finding = f;
                    }
                }
                None => {
                    seen.insert(key, entries.len());
                    entries.push(Entry {
                        finding: f,
                        status: Status::Active,
                        duplicates: 0,
                    });
                }
            }
        }
        let mut diagnostics = diagnostics;
        let mut unread: std::collections::BTreeSet<String> = std::collections::BTreeSet::new();
        for e in &mut entries {
            let lines = sources.lines(&e.finding);
            if lines.is_none() {
                unread.insert(e.finding.path.clone());
            }
            if let Some(lines) = lines {
                let f = &e.finding;
                if let Some((d, at)) = suppress::find(&lines, f.line, &f.rule, f.category.as_str())
                {
                    if d.reason.is_none() {
                        diagnostics.push(
                            Diagnostic::new(
                                DiagnosticLevel::Info,
                                STAGE,
                                "suppression-without-reason",
                                format!("`lm-ignore: {}` gives no reason; say why the finding does not apply", d.ids.join(",")),
                            )
                            .with_path(f.path.clone())
                            .with_line(at),
                        );
                    }
                    e.status = Status::Suppressed {
                        reason: d.reason,
                        line: at,
                    };
                    continue;
                }
            }
            if baseline.is_some_and(|b| b.contains(&e.finding.fingerprint)) {
                e.status = Status::Baselined;
            }
        }
        if let Some(first) = unread.first() {
            diagnostics.push(
                Diagnostic::new(
                    DiagnosticLevel::Warning,
                    STAGE,
                    "source-unreadable",
                    format!(
                        "could not read {} file(s) that findings point at (first: {first}) under {}: their code frames and lm-ignore comments are not applied; is --root the scanned directory?",
                        unread.len(),
                        sources.root().display()
                    ),
                )
                .with_path(first.clone()),
            );
        }
        entries.sort_by(|a, b| {
            let (a, b) = (&a.finding, &b.finding);
            (&a.path, a.line, a.column, &a.rule).cmp(&(&b.path, b.line, b.column, &b.rule))
        });
        Report {
            entries,
            diagnostics,
            options,
        }
    }

    /// The findings to show: active and at or above the minimum severity.
    pub fn shown(&self) -> impl Iterator<Item = &Entry> {
        self.entries
            .iter()
            .filter(|e| e.is_active() && e.finding.severity >= self.options.min_severity)
    }

    /// Active (unsuppressed, un-baselined) findings at or above `threshold`, whatever the
    /// minimum severity shown.
    pub fn failing(&self, threshold: Severity) -> usize {
        self.entries
            .iter()
            .filter(|e| e.is_active() && e.finding.severity >= threshold)
            .count()
    }

    /// Marks every active finding as baselined (after `--write-baseline`).
    pub fn baseline_all_active(&mut self) {
        for e in &mut self.entries {
            if e.is_active() {
                e.status = Status::Baselined;
            }
        }
    }

    /// Counts.
    pub fn totals(&self) -> Totals {
        let mut t = Totals {
            by_severity: Severity::ALL.iter().map(|s| (*s, 0)).collect(),
            ..Totals::default()
        };
        let mut files = std::collections::BTreeSet::new();
        for e in &self.entries {
            t.duplicates += e.duplicates;
            match e.status {
                Status::Suppressed { .. } => t.suppressed += 1,
                Status::Baselined => t.baselined += 1,
                Status::Active if e.finding.severity < self.options.min_severity => {
                    t.below_min_severity += 1
                }
                Status::Active => {
                    t.shown += 1;
                    *t.by_severity.entry(e.finding.severity).or_default() += 1;
                    *t.by_category.entry(e.finding.category).or_default() += 1;
                    files.insert(e.finding.path.as_str());
                }
            }
        }
        t.files = files.len() as u64;
        t
    }
}

/// A fingerprint for a finding whose stage left it empty: rule, path and the evidence (or
/// the message), never the line number.
pub fn fallback_fingerprint(f: &Finding) -> String {
    let what = f.evidence.as_deref().unwrap_or(&f.message);
    lm_core::fingerprint::for_evidence(&f.rule, &f.path, what)
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn finding(rule: &str, sev: Severity, path: &str, line: u64, fp: &str) -> Finding {
        let mut f = Finding::new(
            rule,
            Category::InjectSql,
            sev,
            path,
            line,
            "Use bound parameters.",
        );
        f.fingerprint = fp.into();
        f
    }

    fn build(findings: Vec<Finding>, baseline: Option<&Baseline>, min: Severity) -> Report {
        let stream = Stream {
            findings,
            ..Stream::default()
        };
        let dir = tempfile::tempdir().unwrap();
        let mut sources = Sources::new(&stream.files, dir.path());
        Report::build(
            &stream,
            &mut sources,
            baseline,
            Options { min_severity: min },
        )
    }

    #[test]
    fn duplicates_are_merged_keeping_the_highest_severity() {
        let r = build(
            vec![
                finding("r.a", Severity::Medium, "b.js", 3, "1"),
                finding("r.a", Severity::High, "b.js", 3, "1"),
                finding("r.a", Severity::High, "b.js", 4, "3"),
                finding("r.b", Severity::Low, "a.js", 3, "4"),
            ],
            None,
            Severity::Info,
        );
        assert_eq!(r.entries.len(), 3);
        assert_eq!(r.entries[0].finding.path, "a.js", "sorted by path");
        assert_eq!(r.entries[1].finding.severity, Severity::High);
        assert_eq!(r.entries[1].duplicates, 1);
        let t = r.totals();
        assert_eq!((t.shown, t.duplicates, t.files), (3, 1, 2));
        assert_eq!(t.by_severity[&Severity::High], 2);
        assert_eq!(t.by_severity[&Severity::Critical], 0);
    }

    #[test]
    fn same_line_findings_with_different_fingerprints_are_distinct() {
        // Two advisories of one package, reported on the package's lockfile line.
        let r = build(
            vec![
                finding(
                    "deps.known-advisory",
                    Severity::High,
                    "package-lock.json",
                    42,
                    "a1",
                ),
                finding(
                    "deps.known-advisory",
                    Severity::High,
                    "package-lock.json",
                    42,
                    "a2",
                ),
                finding(
                    "deps.known-advisory",
                    Severity::High,
                    "package-lock.json",
                    42,
                    "a2",
                ),
            ],
            None,
            Severity::Info,
        );
        assert_eq!(r.entries.len(), 2);
        assert_eq!(r.totals().duplicates, 1);
    }

    #[test]
    fn suppressions_apply_with_or_without_a_reason() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("q.py"),
            "# lm-ignore: inject.sql\ncur.execute(f\"select {x}\")\ncur.execute(f\"select {y}\")  # lm-ignore: inject. fixed table names\ncur.execute(f\"select {z}\")\n",
        )
        .unwrap();
        let stream = Stream {
            findings: (2..=4)
                .map(|l| {
                    finding(
                        "inject.sql-fstring",
                        Severity::High,
                        "q.py",
                        l,
                        &l.to_string(),
                    )
                })
                .collect(),
            ..Stream::default()
        };
        let mut sources = Sources::new(&stream.files, dir.path());
        let r = Report::build(&stream, &mut sources, None, Options::default());
        let statuses: Vec<_> = r.entries.iter().map(|e| e.status.clone()).collect();
        assert_eq!(
            statuses,
            vec![
                Status::Suppressed {
                    reason: None,
                    line: 1
                },
                Status::Suppressed {
                    reason: Some("fixed table names".into()),
                    line: 3
                },
                Status::Active,
            ]
        );
        let d: Vec<_> = r
            .diagnostics
            .iter()
            .map(|d| (d.code.as_str(), d.line))
            .collect();
        assert_eq!(d, vec![("suppression-without-reason", Some(1))]);
        assert_eq!(r.failing(Severity::High), 1);
        assert_eq!(r.totals().suppressed, 2);
    }

    #[test]
    fn unreadable_sources_are_reported_once() {
        let r = build(
            vec![
                finding("r.a", Severity::Low, "gone.js", 1, "1"),
                finding("r.b", Severity::Low, "gone.js", 2, "2"),
                finding("r.c", Severity::Low, "also-gone.js", 2, "3"),
            ],
            None,
            Severity::Info,
        );
        let d: Vec<_> = r
            .diagnostics
            .iter()
            .filter(|d| d.code == "source-unreadable")
            .collect();
        assert_eq!(d.len(), 1);
        assert!(
            d[0].message.contains("could not read 2 file(s)"),
            "{}",
            d[0].message
        );
        assert_eq!(d[0].path.as_deref(), Some("also-gone.js"));
    }

    #[test]
    fn min_severity_hides_but_still_fails() {
        let r = build(
            vec![
                finding("r.a", Severity::Low, "a.js", 1, "1"),
                finding("r.b", Severity::Critical, "a.js", 2, "2"),
            ],
            None,
            Severity::Critical,
        );
        assert_eq!(r.shown().count(), 1);
        assert_eq!(r.failing(Severity::Low), 2);
        assert_eq!(r.totals().below_min_severity, 1);
    }

    #[test]
    fn missing_fingerprints_get_a_line_independent_one() {
        let mut a = finding("r.a", Severity::Low, "a.js", 1, "");
        a.evidence = Some("query(`x ${id}`)".into());
        let mut b = a.clone();
        b.line = 40;
        b.end_line = 40;
        let ra = build(vec![a], None, Severity::Info);
        let rb = build(vec![b], None, Severity::Info);
        assert_eq!(ra.entries[0].finding.fingerprint.len(), 16);
        assert_eq!(
            ra.entries[0].finding.fingerprint,
            rb.entries[0].finding.fingerprint
        );
    }
}
