//! `lm-parse`: see the `lm_parse` crate.

fn main() -> std::process::ExitCode {
    lm_parse::cli::main()
}
