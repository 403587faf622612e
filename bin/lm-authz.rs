//! `lm-authz`: see the `lm_authz` crate.

fn main() -> std::process::ExitCode {
    lm_authz::cli::main()
}
