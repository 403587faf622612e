//! Fuzzes the poetry.lock, uv.lock, Pipfile, Pipfile.lock and pyproject.toml parser: any input must parse or fail with an issue, never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use lm_deps::parse::{parse, Format};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    for f in [
        Format::PoetryLock,
        Format::UvLock,
        Format::PipfileLock,
        Format::Pipfile,
        Format::Pyproject,
    ] {
        let _ = parse(f, "fuzz/input", &text, &mut |_| None);
    }
});
