//! Command line of `lm-parse`.

use clap::{CommandFactory, Parser};
use lm_core::cli::InputArgs;
use lm_core::filter::{par_map, Handler};
use lm_core::jsonl::Line;
use lm_core::{FileRecord, Record, RecordType};

/// Parse source files and emit facts: routes, auth and role checks, database accesses,
/// webhooks, env reads, sinks, SQL DDL and policies.
///
/// Reads `file` records (from lm-files) on standard input, writes every input record
/// back unchanged, each followed by the `fact` and `diagnostic` records of its file.
#[derive(Debug, Parser)]
#[command(name = "lm-parse", version, about, long_about = None)]
pub struct Args {
    #[command(flatten)]
    input: InputArgs,

    /// Do not parse files larger than this many bytes (a diagnostic says so).
    #[arg(long, value_name = "BYTES", default_value_t = crate::DEFAULT_MAX_PARSE_BYTES)]
    max_parse_size: u64,
}

/// The clap command (for completions and man pages).
pub fn command() -> clap::Command {
    Args::command()
}

struct ParseHandler {
    max_bytes: u64,
}

impl Handler for ParseHandler {
    fn batch(&mut self, input: &str, lines: &[Line]) -> lm_core::Result<Vec<Vec<Record>>> {
        let max = self.max_bytes;
        Ok(par_map(lines, |line| {
            if line.rtype != RecordType::File {
                return Vec::new();
            }
            let file: FileRecord = match line.parse(input) {
                Ok(f) => f,
                Err(e) => {
                    return vec![Record::Diagnostic(
                        lm_core::Diagnostic::new(
                            lm_core::DiagnosticLevel::Error,
                            "lm-parse",
                            "malformed-input",
                            e.to_string(),
                        )
                        .with_line(line.number),
                    )]
                }
            };
            let ex = crate::extract_file(&file, max);
            ex.facts
                .into_iter()
                .map(Record::Fact)
                .chain(ex.diagnostics.into_iter().map(Record::Diagnostic))
                .collect()
        }))
    }
}

/// Entry point of the binary.
pub fn main() -> std::process::ExitCode {
    lm_core::cli::main_wrapper("lm-parse", || {
        let args = Args::parse();
        let mut handler = ParseHandler {
            max_bytes: args.max_parse_size,
        };
        lm_core::cli::run_filter("lm-parse", &args.input, &mut handler)?;
        Ok(lm_core::cli::EXIT_OK)
    })
}
