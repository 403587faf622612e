//! Command line of `lm-report`.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use clap::builder::{PossibleValuesParser, TypedValueParser};
use clap::{CommandFactory, Parser};
use lm_core::cli::{ColorChoice, InputArgs, EXIT_ERROR, EXIT_FINDINGS, EXIT_OK};
use lm_core::config::Config;
use lm_core::Severity;

use crate::baseline::{self, Baseline};
use crate::collect::Stream;
use crate::error::Error;
use crate::format::{self, Format, RenderOptions};
use crate::model::{Options, Report, Status};
use crate::settings::ReportSettings;
use crate::source::Sources;

const SEVERITIES: [&str; 5] = ["critical", "high", "medium", "low", "info"];

fn severity_parser() -> impl TypedValueParser<Value = Severity> {
    PossibleValuesParser::new(SEVERITIES).map(|s| s.parse::<Severity>().expect("listed value"))
}

/// The `--fail-on` threshold: a severity, or `none` (never fail).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FailOn(pub Option<Severity>);

fn fail_on_parser() -> impl TypedValueParser<Value = FailOn> {
    let mut values = SEVERITIES.to_vec();
    values.push("none");
    PossibleValuesParser::new(values)
        .map(|s| FailOn((s != "none").then(|| s.parse().expect("listed value"))))
}

/// Reads an lm record stream and writes one report.
#[derive(Debug, Parser)]
#[command(
    name = "lm-report",
    version,
    about = "Read an lm record stream and write one report (text, markdown, JSON, JSON Lines or SARIF)",
    long_about = "Reads the whole record stream of an lm pipeline (finding, diagnostic and file \
records; other records are ignored) and writes one report of the findings.\n\n\
Findings are de-duplicated (same rule, path, line and fingerprint), matched against inline \
suppressions and an optional baseline, and sorted by path and line. Suppressed and \
baselined findings are counted but not shown; SARIF lists suppressed findings with an \
inSource suppression.\n\n\
Inline suppression: a comment `lm-ignore: <id>[,<id>...] <reason>` at the end of the \
finding's line, or alone on the line above it, in any comment syntax (//, #, --, /* */, \
<!-- -->, {/* */}). An id is a rule id, a category id, or a prefix ending in `.` \
(`secrets.`). A suppression without a reason still applies and is listed as a diagnostic.",
    after_help = "Exit status: 0 when no unsuppressed, un-baselined finding is at or above \
--fail-on (whatever --min-severity hides), 1 when one is, 2 on error (bad usage, \
malformed input, unreadable baseline).\n\n\
Example:\n  lm-files . | lm-parse | lm-secrets | lm-report --format sarif -o lm.sarif"
)]
pub struct Args {
    #[command(flatten)]
    input: InputArgs,

    /// Report format.
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Text)]
    format: Format,

    /// Write the report to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,

    /// Exit with status 1 when an unsuppressed, un-baselined finding is at or above this
    /// severity, counting findings hidden by --min-severity too; `none` never fails.
    /// [default: `fail_on` of [report] in .lm.toml, else high]
    #[arg(long, value_name = "SEVERITY", value_parser = fail_on_parser())]
    fail_on: Option<FailOn>,

    /// Show only findings at or above this severity (the rest are counted as hidden).
    /// [default: `min_severity` of [report] in .lm.toml, else info]
    #[arg(long, value_name = "SEVERITY", value_parser = severity_parser())]
    min_severity: Option<Severity>,

    /// Hide findings whose fingerprint is in this baseline file (they do not fail the run).
    /// [default: `baseline` of [report] in .lm.toml, relative to that file]
    #[arg(long, value_name = "FILE")]
    baseline: Option<PathBuf>,

    /// Write every current unsuppressed finding (all severities, plus those already in
    /// --baseline) to this baseline file; this run then treats them as baselined.
    #[arg(long, value_name = "FILE")]
    write_baseline: Option<PathBuf>,

    /// Directory that finding paths are relative to when the stream has no `file` record
    /// for them (used for code frames and inline suppressions), and where .lm.toml is
    /// looked for. [default: the `root` of the stream's first `file` record, else .]
    #[arg(long, value_name = "DIR")]
    root: Option<PathBuf>,

    /// Read configuration from FILE instead of `<root>/.lm.toml` (section [report]).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,

    /// When to colour the text report (`auto`: when writing to a terminal and NO_COLOR is
    /// unset).
    #[arg(long, value_enum, value_name = "WHEN", default_value_t = ColorChoice::Auto)]
    color: ColorChoice,
}

/// The clap command (for completions and man pages).
pub fn command() -> clap::Command {
    Args::command()
}

/// Runs `lm-report` with parsed arguments, writing the report to `stdout` unless
/// `--output` names a file. Returns the exit status.
pub fn run(args: &Args, stdout: &mut dyn Write) -> anyhow::Result<u8> {
    let from_stdin = args
        .input
        .input
        .as_ref()
        .is_none_or(|p| p.as_os_str() == "-");
    if from_stdin && std::io::stdin().is_terminal() {
        anyhow::bail!(
            "no input: pipe an lm pipeline into lm-report (lm-files . | lm-parse | ... | lm-report) or name a records file with --input"
        );
    }
    let mut reader = args.input.open()?;
    let mut stream = Stream::read(&mut reader, args.input.lenient)?;
    let root = args
        .root
        .clone()
        .or_else(|| stream.first_root.as_ref().map(PathBuf::from))
        .unwrap_or_else(|| PathBuf::from("."));
    let config = Config::load(args.config.as_deref(), Some(&root))?;
    let settings = ReportSettings::from_config(&config)?;
    let fail_on = args
        .fail_on
        .map(|f| f.0)
        .or(settings.fail_on)
        .unwrap_or(Some(Severity::High));
    let min_severity = args
        .min_severity
        .or(settings.min_severity)
        .unwrap_or(Severity::Info);
    let baseline_path = args.baseline.clone().or(settings.baseline);
    let loaded = match &baseline_path {
        // A configured baseline that does not exist yet is being created.
        Some(p) if args.write_baseline.as_deref() == Some(p.as_path()) && !p.exists() => None,
        Some(p) => Some(Baseline::load(p)?),
        None => None,
    };
    let findings = std::mem::take(&mut stream.findings);
    let diagnostics = std::mem::take(&mut stream.diagnostics);
    let mut sources = Sources::new(&stream.files, &root);
    let mut report = Report::from_parts(
        findings,
        diagnostics,
        &mut sources,
        loaded.as_ref(),
        Options { min_severity },
    );
    if let Some(path) = &args.write_baseline {
        let entries = report
            .entries
            .iter()
            .filter(|e| matches!(e.status, Status::Active | Status::Baselined))
            .map(|e| baseline::Entry {
                fingerprint: e.finding.fingerprint.clone(),
                rule: e.finding.rule.clone(),
                path: e.finding.path.clone(),
            });
        baseline::write(path, entries)?;
        report.baseline_all_active();
    }
    let color = match (&args.output, args.color) {
        (Some(_), ColorChoice::Auto) => false,
        (_, choice) => choice.enabled(),
    };
    let opts = RenderOptions {
        color: color && args.format == Format::Text,
        fail_on,
    };
    match &args.output {
        Some(path) => {
            let file = std::fs::File::create(path)
                .map_err(|e| Error::io(format!("creating {}", path.display()), e))?;
            let mut w = std::io::BufWriter::new(file);
            write_report(&report, &mut sources, args.format, &opts, &mut w)
                .and_then(|_| w.flush())
                .map_err(|e| Error::io(format!("writing {}", path.display()), e))?;
        }
        None => {
            let mut w = std::io::BufWriter::new(stdout);
            write_report(&report, &mut sources, args.format, &opts, &mut w)
                .and_then(|_| w.flush())
                .map_err(|e| Error::io("writing the report", e))?;
        }
    }
    let failed = fail_on.is_some_and(|t| report.failing(t) > 0);
    Ok(if failed { EXIT_FINDINGS } else { EXIT_OK })
}

fn write_report(
    report: &Report,
    sources: &mut Sources<'_>,
    fmt: Format,
    opts: &RenderOptions,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    match fmt {
        Format::Text => format::text::render(report, sources, opts, out),
        Format::Markdown => format::markdown::render(report, sources, opts, out),
        Format::Json => format::json::render(report, opts, out),
        Format::Jsonl => format::json::render_lines(report, out),
        Format::Sarif => format::sarif::render(report, out),
    }
}

/// Entry point of the binary.
pub fn main() -> std::process::ExitCode {
    lm_core::cli::main_wrapper("lm-report", || {
        let args = match Args::try_parse() {
            Ok(a) => a,
            Err(e) => {
                let _ = e.print();
                return Ok(if e.use_stderr() { EXIT_ERROR } else { EXIT_OK });
            }
        };
        let stdout = std::io::stdout();
        let mut lock = stdout.lock();
        run(&args, &mut lock)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_is_well_formed() {
        command().debug_assert();
    }

    #[test]
    fn fail_on_accepts_none_and_severities_only() {
        let a = Args::try_parse_from(["lm-report", "--fail-on", "none"]).unwrap();
        assert_eq!(a.fail_on, Some(FailOn(None)));
        let a = Args::try_parse_from(["lm-report", "--fail-on", "medium"]).unwrap();
        assert_eq!(a.fail_on, Some(FailOn(Some(Severity::Medium))));
        let a = Args::try_parse_from(["lm-report"]).unwrap();
        assert_eq!(
            a.fail_on, None,
            "the default comes from .lm.toml, else high"
        );
        assert_eq!(a.min_severity, None);
        assert_eq!(a.format, Format::Text);
        assert!(Args::try_parse_from(["lm-report", "--fail-on", "urgent"]).is_err());
        assert!(Args::try_parse_from(["lm-report", "--min-severity", "none"]).is_err());
    }
}
