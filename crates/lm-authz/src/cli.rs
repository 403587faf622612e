//! Command line of `lm-authz`.

use std::path::PathBuf;

use clap::{CommandFactory, Parser};
use lm_core::cli::InputArgs;

use crate::engine::{AuthzHandler, STAGE};

/// Judges routes, tables, webhooks and CORS from `lm-parse` facts: missing
/// authentication, missing role checks, broken object-level authorization, service-role
/// misuse, RLS gaps, unverified webhooks, missing rate limits. Passes every record
/// through and adds `finding` records at the end.
#[derive(Debug, Parser)]
#[command(
    name = "lm-authz",
    version,
    about = "Find missing authentication, authorization and RLS gaps from lm-parse facts",
    after_help = "Example:\n  lm-files . | lm-parse | lm-authz | lm-report\n\nConfiguration: the [authz] section of .lm.toml at the scanned root (or --config):\nauth_helpers, role_helpers, rate_limit_helpers, public_routes, tenant_columns,\npublic_tables, disable."
)]
pub struct Args {
    #[command(flatten)]
    input: InputArgs,

    /// Read configuration from FILE instead of `<root>/.lm.toml`.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,

    /// Print, on standard error, how each route was judged: its authentication, role
    /// check, rate limit and public-by-design reason.
    #[arg(long)]
    explain: bool,
}

/// The clap command (for completions and man pages).
pub fn command() -> clap::Command {
    Args::command()
}

/// Entry point of the binary.
pub fn main() -> std::process::ExitCode {
    lm_core::cli::main_wrapper(STAGE, || {
        let args = Args::parse();
        let mut handler = AuthzHandler::new(args.config.clone());
        handler.explain = args.explain;
        lm_core::cli::run_filter(STAGE, &args.input, &mut handler)?;
        Ok(lm_core::cli::EXIT_OK)
    })
}
