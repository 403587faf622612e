//! Command line of `lm-secrets`.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Instant;

use clap::{CommandFactory, Parser};
use lm_core::cli::InputArgs;
use lm_core::config::Config;
use lm_core::filter::{par_map, Handler, RunOptions};
use lm_core::jsonl::Line;
use lm_core::{Diagnostic, DiagnosticLevel, FileRecord, Record, RecordType, Summary};

use crate::engine::Engine;
use crate::scan::{scan_record, Counts, STAGE};
use crate::settings::Settings;

/// Finds hard-coded secrets in the files listed by `lm-files`, and secrets the browser can
/// reach. Reads `file` records, passes every record through, adds `finding` records.
#[derive(Debug, Parser)]
#[command(
    name = "lm-secrets",
    version,
    about = "Find hard-coded secrets and server secrets exposed to the browser",
    after_help = "Example:\n  lm-files . | lm-secrets | lm-report\n\nConfiguration: the [secrets] section of .lm.toml at the scanned root (or --config)."
)]
pub struct Args {
    #[command(flatten)]
    input: InputArgs,

    /// Read configuration from FILE instead of `<root>/.lm.toml`.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,

    /// Print the rules in force (id, severity, provider, description) and exit.
    #[arg(long)]
    list_rules: bool,

    /// Print every prefilter keyword, one per line, and exit.
    #[arg(long)]
    list_keywords: bool,
}

/// The clap command (for completions and man pages).
pub fn command() -> clap::Command {
    Args::command()
}

struct SecretsHandler {
    config: Option<PathBuf>,
    engine: Option<Engine>,
    counts: Counts,
    started: Instant,
}

impl SecretsHandler {
    fn engine_for(&mut self, root: Option<&Path>) -> anyhow::Result<&Engine> {
        if self.engine.is_none() {
            let config = Config::load(self.config.as_deref(), root)?;
            self.engine = Some(Engine::new(Settings::from_config(&config)?));
        }
        Ok(self.engine.as_ref().expect("just built"))
    }
}

impl Handler for SecretsHandler {
    fn batch(&mut self, input: &str, lines: &[Line]) -> lm_core::Result<Vec<Vec<Record>>> {
        if self.engine.is_none() {
            let root = lines
                .iter()
                .filter(|l| l.rtype == RecordType::File)
                .find_map(|l| l.parse::<FileRecord>(input).ok())
                .map(|r| PathBuf::from(r.root));
            if let Err(e) = self.engine_for(root.as_deref()) {
                return Err(lm_core::Error::Config {
                    path: self
                        .config
                        .clone()
                        .unwrap_or_else(|| PathBuf::from(".lm.toml")),
                    reason: format!("{e:#}"),
                });
            }
        }
        let engine = self.engine.as_ref().expect("built above");
        let totals = Mutex::new(Counts::default());
        let out = par_map(lines, |line| {
            if line.rtype != RecordType::File {
                return Vec::new();
            }
            match line.parse::<FileRecord>(input) {
                Ok(rec) => {
                    let (records, counts) = scan_record(engine, &rec);
                    totals.lock().expect("no panics while held").add(&counts);
                    records
                }
                Err(e) => vec![Record::Diagnostic(
                    Diagnostic::new(
                        DiagnosticLevel::Warning,
                        STAGE,
                        "malformed-input",
                        format!("{e}; record passed through unscanned"),
                    )
                    .with_line(line.number),
                )],
            }
        });
        self.counts
            .add(&totals.into_inner().expect("no panics while held"));
        Ok(out)
    }

    fn finish(&mut self) -> lm_core::Result<Vec<Record>> {
        Ok(vec![Record::Summary(Summary {
            stage: STAGE.to_string(),
            counts: self.counts.to_map(),
            elapsed_ms: Some(self.started.elapsed().as_millis() as u64),
        })])
    }
}

/// Entry point of the binary.
pub fn main() -> std::process::ExitCode {
    lm_core::cli::main_wrapper(STAGE, || {
        let args = Args::parse();
        if args.list_rules || args.list_keywords {
            let config = Config::load(args.config.as_deref(), Some(Path::new(".")))?;
            let engine = Engine::new(Settings::from_config(&config)?);
            let mut out = String::new();
            if args.list_rules {
                for r in engine.rules() {
                    out.push_str(&format!(
                        "{}\t{}\t{}\t{}\n",
                        r.full_id, r.spec.severity, r.spec.provider, r.spec.description
                    ));
                }
                if engine.reports_dumps() {
                    out.push_str(&format!(
                        "secrets.{}\thigh\tDatabase\tCommitted database dump with personal or secret rows\n",
                        crate::dump::RULE
                    ));
                }
            } else {
                for k in engine.keywords() {
                    out.push_str(&k);
                    out.push('\n');
                }
            }
            use std::io::Write;
            let mut stdout = std::io::stdout().lock();
            if let Err(e) = stdout.write_all(out.as_bytes()) {
                if e.kind() != std::io::ErrorKind::BrokenPipe {
                    return Err(e.into());
                }
            }
            return Ok(lm_core::cli::EXIT_OK);
        }
        let mut handler = SecretsHandler {
            config: args.config.clone(),
            engine: None,
            counts: Counts::default(),
            started: Instant::now(),
        };
        // larger batches than the default keep both cores busy between flushes
        let mut reader = args.input.open()?;
        let mut writer = lm_core::cli::stdout_writer();
        let opts = RunOptions {
            stage: STAGE.to_string(),
            batch_size: 1024,
        };
        lm_core::filter::run(&mut reader, &mut writer, &opts, &mut handler)?;
        Ok(lm_core::cli::EXIT_OK)
    })
}
