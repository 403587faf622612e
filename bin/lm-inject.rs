//! `lm-inject`: see the `lm_inject` crate.

fn main() -> std::process::ExitCode {
    lm_inject::cli::main()
}
