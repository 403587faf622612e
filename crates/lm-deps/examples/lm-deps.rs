//! Same as the `lm-deps` binary; lets the stage run while other crates are being built.

fn main() -> std::process::ExitCode {
    lm_deps::cli::main()
}
