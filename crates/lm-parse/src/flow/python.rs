//! The taint engine for Python (FastAPI, Flask, Django views).

use lm_core::Fact;

use crate::ctx::Ctx;

/// True when the file may hold a source and a sink (cheap byte scan).
pub fn prefilter(_src: &str) -> bool {
    false
}

/// Runs the engine over a parsed Python file.
pub fn analyze(_ctx: &Ctx<'_>) -> Vec<Fact> {
    Vec::new()
}
