//! The driver every filter stage runs on.
//!
//! A filter reads records, writes every one of them back unchanged and in order, and adds
//! its own records. [`run`] reads the input in batches; the [`Handler`] sees each batch
//! (and may process it in parallel, see [`par_map`]) and returns, for each line, the
//! records to write right after it. At the end [`Handler::finish`] may add more (stages
//! that need the whole stream, such as `lm-authz`, emit there).

use std::io::{BufRead, Write};

use rayon::prelude::*;

use crate::error::Result;
use crate::jsonl::{Line, RecordReader, RecordWriter};
use crate::record::{Diagnostic, DiagnosticLevel, Record};

/// A filter's logic.
pub trait Handler {
    /// Processes a batch of lines (in input order) and returns, for each, the records to
    /// write after it. The returned vector must have one entry per line (or be empty when
    /// nothing is to be added to any of them).
    fn batch(&mut self, input: &str, lines: &[Line]) -> Result<Vec<Vec<Record>>>;

    /// Called once after the last line; returns records to write at the end.
    fn finish(&mut self) -> Result<Vec<Record>> {
        Ok(Vec::new())
    }
}

/// Options of [`run`].
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// The stage's name, used in diagnostics (`lm-secrets`).
    pub stage: String,
    /// Lines per batch.
    pub batch_size: usize,
}

impl RunOptions {
    /// Defaults for a stage.
    pub fn new(stage: impl Into<String>) -> Self {
        RunOptions {
            stage: stage.into(),
            batch_size: 256,
        }
    }
}

/// Runs `handler` over `reader`, writing to `writer`. Malformed lines are errors unless
/// the reader is lenient, in which case their count is reported on stderr and as a
/// `diagnostic` record at the end.
pub fn run<R: BufRead, W: Write>(
    reader: &mut RecordReader<R>,
    writer: &mut RecordWriter<W>,
    opts: &RunOptions,
    handler: &mut dyn Handler,
) -> Result<()> {
    let input = reader.name().to_string();
    let mut batch: Vec<Line> = Vec::with_capacity(opts.batch_size);
    loop {
        let next = reader.next_line()?;
        let done = next.is_none();
        if let Some(line) = next {
            batch.push(line);
        }
        if batch.len() >= opts.batch_size || (done && !batch.is_empty()) {
            let outputs = handler.batch(&input, &batch)?;
            for (i, line) in batch.iter().enumerate() {
                writer.write_raw(&line.text)?;
                if let Some(records) = outputs.get(i) {
                    for r in records {
                        writer.write(r)?;
                    }
                }
            }
            batch.clear();
            writer.flush()?;
        }
        if done {
            break;
        }
    }
    for r in handler.finish()? {
        writer.write(&r)?;
    }
    if let Some(d) = skipped_diagnostic(reader, &opts.stage) {
        eprintln!("{}: {}", opts.stage, d.message);
        writer.write(&Record::Diagnostic(d))?;
    }
    writer.flush()
}

/// The `skipped-lines` diagnostic for a lenient reader that skipped lines, if it did.
pub fn skipped_diagnostic<R: BufRead>(reader: &RecordReader<R>, stage: &str) -> Option<Diagnostic> {
    let skipped = reader.skipped();
    if skipped == 0 {
        return None;
    }
    let (first, reason) = reader.first_skipped().cloned().unwrap_or_default();
    Some(Diagnostic {
        level: DiagnosticLevel::Warning,
        stage: stage.to_string(),
        code: "skipped-lines".into(),
        message: format!(
            "skipped {skipped} malformed input line(s) in {}; first at line {first}: {reason}",
            reader.name()
        ),
        path: None,
        line: Some(first),
    })
}

/// Maps `f` over the lines in parallel, keeping input order. Handy inside
/// [`Handler::batch`] for per-file work.
pub fn par_map<F>(lines: &[Line], f: F) -> Vec<Vec<Record>>
where
    F: Fn(&Line) -> Vec<Record> + Sync + Send,
{
    lines.par_iter().map(f).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{RecordType, Summary};

    struct CountFiles(u64);
    impl Handler for CountFiles {
        fn batch(&mut self, _input: &str, lines: &[Line]) -> Result<Vec<Vec<Record>>> {
            Ok(lines
                .iter()
                .map(|l| {
                    if l.rtype == RecordType::File {
                        self.0 += 1;
                    }
                    Vec::new()
                })
                .collect())
        }
        fn finish(&mut self) -> Result<Vec<Record>> {
            Ok(vec![Record::Summary(Summary {
                stage: "t".into(),
                counts: [("files".to_string(), self.0)].into_iter().collect(),
                elapsed_ms: None,
            })])
        }
    }

    #[test]
    fn passes_everything_through_in_order_and_appends() {
        let input = "{\"type\":\"file\",\"path\":\"a\"}\n{\"type\":\"zzz\",\"x\":[1]}\n{\"type\":\"file\"}\n";
        let mut reader = RecordReader::new(input.as_bytes(), "<t>", false);
        let mut out = Vec::new();
        {
            let mut writer = RecordWriter::new(&mut out);
            let mut opts = RunOptions::new("t");
            opts.batch_size = 2;
            run(&mut reader, &mut writer, &opts, &mut CountFiles(0)).unwrap();
        }
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(&lines[..3], &input.lines().collect::<Vec<_>>()[..]);
        assert!(lines[3].contains("\"files\":2"));
    }

    #[test]
    fn lenient_run_reports_skipped_lines_as_a_diagnostic() {
        let input = "{\"type\":\"file\"}\nbroken\n";
        let mut reader = RecordReader::new(input.as_bytes(), "<t>", true);
        let mut out = Vec::new();
        {
            let mut writer = RecordWriter::new(&mut out);
            run(
                &mut reader,
                &mut writer,
                &RunOptions::new("t"),
                &mut CountFiles(0),
            )
            .unwrap();
        }
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("\"code\":\"skipped-lines\""), "{text}");
        assert!(text.contains("first at line 2"));
    }
}
