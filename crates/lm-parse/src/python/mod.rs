//! Python extractors (FastAPI, Flask).

use crate::ctx::Ctx;
use crate::Extraction;

/// Runs every Python extractor over one file.
pub fn extract(_ctx: &Ctx<'_>, _out: &mut Extraction) {}
