//! Fuzzes the requirements-file parser, includes included (every `-r` reads the input again).
#![no_main]

use libfuzzer_sys::fuzz_target;
use lm_deps::parse::{parse, Format};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data).into_owned();
    let again = text.clone();
    let _ = parse(
        Format::Requirements,
        "a/requirements.txt",
        &text,
        &mut |_| Some(again.clone()),
    );
});
