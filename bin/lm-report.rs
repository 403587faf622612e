//! `lm-report`: see the `lm_report` crate.

fn main() -> std::process::ExitCode {
    lm_report::cli::main()
}
