//! The `[inject]` section of `.lm.toml`.
//!
//! ```toml
//! [inject]
//! # helper functions (same-file helpers lm-parse followed) that neutralise data
//! sanitizers = ["cleanHtml", "safeSql"]
//! # rule ids or categories not to report
//! disable = ["inject.log"]
//! # report in test files too (skipped by default)
//! include_tests = false
//! # also report SQL and HTML sinks built from values of unknown origin (as `info`)
//! audit = false
//! ```

use serde::Deserialize;

/// Settings of `lm-inject`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct InjectSettings {
    /// Names of project helpers that sanitise their argument. A sink whose value went
    /// through one of them (`helper NAME` or `call NAME` on its path) is not reported.
    pub sanitizers: Vec<String>,
    /// Rule ids (`inject.log`, `inject.xss-url`) or categories (`inject.xss`) to skip.
    pub disable: Vec<String>,
    /// Report in test files as well.
    pub include_tests: bool,
    /// Also report SQL text and HTML built from values whose origin was not traced
    /// (function parameters, imported helpers), as `info` findings (`inject.sql-audit`,
    /// `inject.xss-audit`).
    pub audit: bool,
}

impl InjectSettings {
    /// True when `rule` (in `category`) is disabled.
    pub fn disabled(&self, rule: &str, category: &str) -> bool {
        self.disable.iter().any(|d| d == rule || d == category)
    }

    /// The configured sanitiser that appears on a path, if one does.
    pub fn sanitizer_on_path<'a>(&self, via: &'a [String]) -> Option<&'a str> {
        via.iter().find_map(|step| {
            let name = step
                .strip_prefix("helper ")
                .or_else(|| step.strip_prefix("call "))?;
            let last = name.rsplit('.').next().unwrap_or(name);
            self.sanitizers
                .iter()
                .any(|s| s == name || s == last)
                .then_some(step.as_str())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_matches() {
        let c = lm_core::config::Config::parse(
            "[inject]\nsanitizers = [\"cleanHtml\"]\ndisable = [\"inject.log\"]\n",
            None,
        )
        .unwrap();
        let s: InjectSettings = c.section("inject").unwrap();
        assert!(s.disabled("inject.log", "inject.log"));
        assert!(!s.disabled("inject.sql", "inject.sql"));
        let via = vec!["assignment".to_string(), "helper cleanHtml".to_string()];
        assert_eq!(s.sanitizer_on_path(&via), Some("helper cleanHtml"));
        assert_eq!(s.sanitizer_on_path(&via[..1]), None);
    }

    #[test]
    fn unknown_keys_are_errors() {
        let c = lm_core::config::Config::parse("[inject]\nsanitiser = []\n", None).unwrap();
        assert!(c.section::<InjectSettings>("inject").is_err());
    }
}
