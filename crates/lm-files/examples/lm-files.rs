//! The `lm-files` binary's main, buildable from this crate alone
//! (`cargo build --release -p lm-files --example lm-files`), for benchmarks run while the
//! workspace's other stages are being changed.

fn main() -> std::process::ExitCode {
    lm_files::cli::main()
}
