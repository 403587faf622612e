//! Command line of `lm-authz`.

use clap::{CommandFactory, Parser};
use lm_core::cli::InputArgs;
use lm_core::filter::Handler;
use lm_core::jsonl::Line;
use lm_core::Record;

/// Placeholder: passes every record through.
#[derive(Debug, Parser)]
#[command(name = "lm-authz", version, about = "lm-authz (being built)")]
pub struct Args {
    #[command(flatten)]
    input: InputArgs,
}

/// The clap command (for completions and man pages).
pub fn command() -> clap::Command {
    Args::command()
}

struct PassThrough;
impl Handler for PassThrough {
    fn batch(&mut self, _input: &str, _lines: &[Line]) -> lm_core::Result<Vec<Vec<Record>>> {
        Ok(Vec::new())
    }
}

/// Entry point of the binary.
pub fn main() -> std::process::ExitCode {
    lm_core::cli::main_wrapper("lm-authz", || {
        let args = Args::parse();
        lm_core::cli::run_filter("lm-authz", &args.input, &mut PassThrough)?;
        Ok(lm_core::cli::EXIT_OK)
    })
}
