//! Postgres / Supabase migrations.

use lm_core::FileRecord;

use crate::Extraction;

/// SQL facts of one migration file.
pub fn extract(_file: &FileRecord, _text: &str, _out: &mut Extraction) {}
