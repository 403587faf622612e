//! The `[report]` section of `.lm.toml`.
//!
//! ```toml
//! [report]
//! fail_on = "medium"               # a severity or "none"; --fail-on overrides it
//! min_severity = "low"             # --min-severity overrides it
//! baseline = ".lm-baseline.json"   # relative to the configuration file; --baseline overrides it
//! ```

use std::path::{Path, PathBuf};

use lm_core::config::Config;
use lm_core::Severity;
use serde::Deserialize;

/// `[report]` as written.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ReportSection {
    /// Default `--fail-on`: a severity or `none`.
    pub fail_on: Option<String>,
    /// Default `--min-severity`.
    pub min_severity: Option<Severity>,
    /// Default `--baseline`, relative to the configuration file's directory.
    pub baseline: Option<PathBuf>,
}

/// The `[report]` settings, resolved.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReportSettings {
    /// `fail_on`: `Some(None)` for `"none"`.
    pub fail_on: Option<Option<Severity>>,
    /// `min_severity`.
    pub min_severity: Option<Severity>,
    /// `baseline`, joined to the configuration file's directory.
    pub baseline: Option<PathBuf>,
}

impl ReportSettings {
    /// Reads and checks the `[report]` section of `config`.
    pub fn from_config(config: &Config) -> lm_core::Result<ReportSettings> {
        let section: ReportSection = config.section("report")?;
        let bad = |reason: String| lm_core::Error::Config {
            path: config
                .path()
                .map(Path::to_path_buf)
                .unwrap_or_else(|| PathBuf::from(lm_core::config::FILE_NAME)),
            reason,
        };
        let fail_on = match section.fail_on.as_deref() {
            None => None,
            Some("none") => Some(None),
            Some(s) => {
                Some(Some(s.parse::<Severity>().map_err(|e| {
                    bad(format!("[report] fail_on: {e} or none"))
                })?))
            }
        };
        let dir = config
            .path()
            .and_then(Path::parent)
            .map(Path::to_path_buf)
            .unwrap_or_default();
        Ok(ReportSettings {
            fail_on,
            min_severity: section.min_severity,
            baseline: section.baseline.map(|b| dir.join(b)),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_section_relative_to_the_file() {
        let c = Config::parse(
            "[report]\nfail_on = \"none\"\nmin_severity = \"low\"\nbaseline = \"b.json\"\n",
            Some(PathBuf::from("repo/.lm.toml")),
        )
        .unwrap();
        let s = ReportSettings::from_config(&c).unwrap();
        assert_eq!(s.fail_on, Some(None));
        assert_eq!(s.min_severity, Some(Severity::Low));
        assert_eq!(s.baseline, Some(PathBuf::from("repo/b.json")));
        let empty = ReportSettings::from_config(&Config::default()).unwrap();
        assert_eq!(empty, ReportSettings::default());
    }

    #[test]
    fn bad_values_are_errors_naming_the_key() {
        for text in [
            "[report]\nfail_on = \"urgent\"\n",
            "[report]\nmin_severity = \"none\"\n",
            "[report]\nfailOn = \"high\"\n",
        ] {
            let c = Config::parse(text, None).unwrap();
            let e = ReportSettings::from_config(&c).unwrap_err().to_string();
            assert!(e.contains("report"), "{e}");
        }
    }
}
