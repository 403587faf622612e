//! Reading the whole record stream into the pieces a report needs.

use std::collections::HashMap;
use std::io::BufRead;

use lm_core::filter::skipped_diagnostic;
use lm_core::jsonl::{Line, RecordReader};
use lm_core::{Diagnostic, DiagnosticLevel, FileRecord, Finding, RecordType};

use crate::error::Result;

/// The stage name used in the diagnostics this crate writes.
pub const STAGE: &str = "lm-report";

/// Everything a report is built from.
#[derive(Debug, Default, Clone)]
pub struct Stream {
    /// `finding` records, in input order.
    pub findings: Vec<Finding>,
    /// `diagnostic` records, in input order, followed by the report's own.
    pub diagnostics: Vec<Diagnostic>,
    /// `file` records by path (the first record wins when a path appears twice).
    pub files: HashMap<String, FileRecord>,
    /// How many record lines were read, of every type.
    pub records: u64,
    /// The `root` of the first `file` record, if any.
    pub first_root: Option<String>,
}

impl Stream {
    /// Reads `reader` to its end. A line that is not a record, or a `finding`, `diagnostic`
    /// or `file` record that does not match its schema, is an error naming the line; with
    /// `lenient` it is skipped and reported as a `diagnostic` instead (and on stderr).
    pub fn read<R: BufRead>(reader: &mut RecordReader<R>, lenient: bool) -> Result<Stream> {
        let input = reader.name().to_string();
        let mut stream = Stream::default();
        let mut bad_typed: Vec<Diagnostic> = Vec::new();
        while let Some(line) = reader.next_line()? {
            stream.records += 1;
            if let Err(e) = stream.take(&input, &line) {
                if !lenient {
                    return Err(e.into());
                }
                bad_typed.push(
                    Diagnostic::new(
                        DiagnosticLevel::Warning,
                        STAGE,
                        "malformed-input",
                        e.to_string(),
                    )
                    .with_line(line.number),
                );
            }
        }
        if let Some(d) = skipped_diagnostic(reader, STAGE) {
            eprintln!("{STAGE}: {}", d.message);
            stream.diagnostics.push(d);
        }
        for d in bad_typed {
            eprintln!("{STAGE}: skipped: {}", d.message);
            stream.diagnostics.push(d);
        }
        Ok(stream)
    }

    fn take(&mut self, input: &str, line: &Line) -> lm_core::Result<()> {
        match line.rtype {
            RecordType::Finding => self.findings.push(line.parse(input)?),
            RecordType::Diagnostic => self.diagnostics.push(line.parse(input)?),
            RecordType::File => {
                let f: FileRecord = line.parse(input)?;
                if self.first_root.is_none() {
                    self.first_root = Some(f.root.clone());
                }
                self.files.entry(f.path.clone()).or_insert(f);
            }
            _ => {}
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FINDING: &str = r#"{"type":"finding","rule":"r.x","category":"inject.sql","severity":"high","message":"m","path":"a.js","line":2,"end_line":2,"cwe":89,"fingerprint":"f1"}"#;
    const FILE: &str = r#"{"type":"file","path":"a.js","root":"app","size":3,"role":"server"}"#;

    fn read(input: &str, lenient: bool) -> Result<Stream> {
        let mut r = RecordReader::new(input.as_bytes(), "<in>", lenient);
        Stream::read(&mut r, lenient)
    }

    #[test]
    fn collects_findings_files_and_diagnostics_and_ignores_the_rest() {
        let diag = r#"{"type":"diagnostic","level":"warning","stage":"lm-files","code":"too-large","message":"big","path":"x.bin"}"#;
        let s = read(
            &format!("{FILE}\n{{\"type\":\"fact\",\"x\":1}}\n{FINDING}\n{diag}\n{{\"type\":\"future\"}}\n"),
            false,
        )
        .unwrap();
        assert_eq!(s.records, 5);
        assert_eq!(s.findings.len(), 1);
        assert_eq!(s.findings[0].fingerprint, "f1");
        assert_eq!(s.files["a.js"].root, "app");
        assert_eq!(s.first_root.as_deref(), Some("app"));
        assert_eq!(s.diagnostics[0].code, "too-large");
    }

    #[test]
    fn malformed_lines_name_the_line_unless_lenient() {
        let bad_finding = r#"{"type":"finding","rule":"r","category":"not.a.category"}"#;
        let input = format!("{FINDING}\n{bad_finding}\nnot json\n");
        let err = read(&input, false).unwrap_err().to_string();
        assert!(err.starts_with("<in>:2: malformed record"), "{err}");
        let s = read(&input, true).unwrap();
        assert_eq!(s.findings.len(), 1);
        let codes: Vec<_> = s
            .diagnostics
            .iter()
            .map(|d| (d.code.as_str(), d.line))
            .collect();
        assert!(codes.contains(&("skipped-lines", Some(3))), "{codes:?}");
        assert!(codes.contains(&("malformed-input", Some(2))), "{codes:?}");
    }
}
