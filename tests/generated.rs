//! Man pages, shell completions and the record JSON Schema are generated from the code.
//! This test fails when a checked-in copy is out of date; run
//! `LM_BLESS=1 cargo test --test generated` to regenerate them.

mod common;

use std::path::Path;

use clap_complete::Shell;

fn commands() -> Vec<clap::Command> {
    vec![
        lm_files::cli::command(),
        lm_parse::cli::command(),
        lm_secrets::cli::command(),
        lm_authz::cli::command(),
        lm_inject::cli::command(),
        lm_deps::cli::command(),
        lm_report::cli::command(),
    ]
}

fn check(path: &Path, expected: &[u8], stale: &mut Vec<String>) {
    let bless = std::env::var_os("LM_BLESS").is_some();
    let current = std::fs::read(path).ok();
    if current.as_deref() == Some(expected) {
        return;
    }
    if bless {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, expected).unwrap();
    } else {
        stale.push(path.display().to_string());
    }
}

#[test]
fn man_pages_completions_and_schema_are_current() {
    let root = common::repo_root();
    let mut stale = Vec::new();
    for cmd in commands() {
        let name = cmd.get_name().to_string();
        let mut man = Vec::new();
        clap_mangen::Man::new(cmd.clone())
            .render(&mut man)
            .expect("man page renders");
        check(
            &root.join("man").join(format!("{name}.1")),
            &man,
            &mut stale,
        );
        for (shell, dir, file) in [
            (Shell::Bash, "bash", name.clone()),
            (Shell::Zsh, "zsh", format!("_{name}")),
            (Shell::Fish, "fish", format!("{name}.fish")),
        ] {
            let mut buf = Vec::new();
            let mut c = cmd.clone();
            clap_complete::generate(shell, &mut c, name.clone(), &mut buf);
            check(
                &root.join("completions").join(dir).join(file),
                &buf,
                &mut stale,
            );
        }
    }
    let schema = serde_json::to_string_pretty(&lm_core::schema::record_schema()).unwrap() + "\n";
    check(
        &root.join("docs").join("record.schema.json"),
        schema.as_bytes(),
        &mut stale,
    );
    assert!(
        stale.is_empty(),
        "out of date (run `LM_BLESS=1 cargo test --test generated`): {stale:?}"
    );
}
