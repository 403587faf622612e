//! Command-line pieces shared by the `lm-*` binaries.
//!
//! Exit codes, the same for every stage:
//!
//! | code | meaning |
//! |---|---|
//! | 0 | success (also when the downstream pipe closed early) |
//! | 1 | `lm-report` only: a finding at or above `--fail-on` |
//! | 2 | error: bad usage, malformed input, unreadable input or configuration |

use std::io::{BufRead, BufReader, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use crate::error::Error;
use crate::filter::{self, Handler, RunOptions};
use crate::jsonl::{RecordReader, RecordWriter};

/// Exit status: success.
pub const EXIT_OK: u8 = 0;
/// Exit status: findings at or above the failure threshold (`lm-report`).
pub const EXIT_FINDINGS: u8 = 1;
/// Exit status: an error.
pub const EXIT_ERROR: u8 = 2;

/// Input options every stage that reads records shares.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct InputArgs {
    /// Read records from FILE instead of standard input ("-" means standard input).
    #[arg(long, short = 'i', value_name = "FILE")]
    pub input: Option<PathBuf>,

    /// Skip malformed input lines instead of stopping; their count is reported on stderr
    /// and as a `diagnostic` record.
    #[arg(long)]
    pub lenient: bool,
}

impl InputArgs {
    /// Opens the input as a record reader.
    pub fn open(&self) -> crate::Result<RecordReader<Box<dyn BufRead>>> {
        match &self.input {
            Some(p) if p.as_os_str() != "-" => {
                let f = std::fs::File::open(p)
                    .map_err(|e| Error::io(format!("opening {}", p.display()), e))?;
                Ok(RecordReader::new(
                    Box::new(BufReader::with_capacity(256 * 1024, f)),
                    p.display().to_string(),
                    self.lenient,
                ))
            }
            _ => Ok(RecordReader::new(
                Box::new(BufReader::with_capacity(256 * 1024, std::io::stdin())),
                "<stdin>",
                self.lenient,
            )),
        }
    }
}

/// When to colour terminal output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ColorChoice {
    /// Colour when stdout is a terminal and `NO_COLOR` is not set.
    #[default]
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

impl ColorChoice {
    /// Resolves `auto` against the environment and whether stdout is a terminal.
    pub fn enabled(self) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                    && std::io::stdout().is_terminal()
            }
        }
    }
}

/// A standard output writer for records.
pub fn stdout_writer() -> RecordWriter<std::io::StdoutLock<'static>> {
    RecordWriter::new(std::io::stdout().lock())
}

/// Runs a filter stage: reads `input`, passes everything through, writes to stdout.
pub fn run_filter(stage: &str, input: &InputArgs, handler: &mut dyn Handler) -> anyhow::Result<()> {
    let mut reader = input.open()?;
    let mut writer = stdout_writer();
    filter::run(&mut reader, &mut writer, &RunOptions::new(stage), handler)?;
    Ok(())
}

/// Runs a binary's body and turns its outcome into an exit code: errors are printed as
/// `stage: message` (with their causes) and exit 2; a closed downstream pipe exits 0
/// quietly.
pub fn main_wrapper(stage: &str, body: impl FnOnce() -> anyhow::Result<u8>) -> ExitCode {
    match body() {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            if is_broken_pipe(&err) {
                return ExitCode::from(EXIT_OK);
            }
            let mut stderr = std::io::stderr().lock();
            let _ = write!(stderr, "{stage}: error: {err}");
            for cause in err.chain().skip(1) {
                let _ = write!(stderr, ": {cause}");
            }
            let _ = writeln!(stderr);
            ExitCode::from(EXIT_ERROR)
        }
    }
}

/// True when the error (or any cause) is a closed downstream pipe.
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|c| {
        if let Some(e) = c.downcast_ref::<Error>() {
            return e.is_broken_pipe();
        }
        if let Some(e) = c.downcast_ref::<std::io::Error>() {
            return e.kind() == std::io::ErrorKind::BrokenPipe;
        }
        false
    })
}
