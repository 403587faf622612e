//! `lm-secrets`: see the `lm_secrets` crate.

fn main() -> std::process::ExitCode {
    lm_secrets::cli::main()
}
