//! `lm-deps`: see the `lm_deps` crate.

fn main() -> std::process::ExitCode {
    lm_deps::cli::main()
}
