//! `lm-files`: see the `lm_files` crate.

fn main() -> std::process::ExitCode {
    lm_files::cli::main()
}
