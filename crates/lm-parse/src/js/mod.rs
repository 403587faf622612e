//! JavaScript / TypeScript extractors (routes, auth, data access, webhooks...).

use crate::ctx::Ctx;
use crate::Extraction;

/// Runs every JS/TS extractor over one file.
pub fn extract(_ctx: &Ctx<'_>, _out: &mut Extraction) {}
