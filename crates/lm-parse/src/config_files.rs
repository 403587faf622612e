//! Configuration files that change what code means (`supabase/config.toml`...).

use lm_core::FileRecord;

use crate::Extraction;

/// True for configuration files this module reads.
pub fn wants(file: &FileRecord) -> bool {
    file.path == "supabase/config.toml" || file.path.ends_with("/supabase/config.toml")
}

/// Facts of one configuration file.
pub fn extract(_file: &FileRecord, _text: &str, _out: &mut Extraction) {}
