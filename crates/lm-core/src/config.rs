//! `.lm.toml`: one configuration file for every stage.
//!
//! The file lives at the scanned root (or is named with `--config`). Each stage reads its
//! own section (`[secrets]`, `[authz]`, `[inject]`, `[deps]`, `[report]`) into its own
//! type; the `[paths]` section is shared:
//!
//! ```toml
//! [paths]
//! # globs (relative to the root) no stage reports findings in
//! exclude = ["examples/**", "**/*.stories.tsx"]
//! ```
//!
//! Unknown sections are left alone, so a newer file works with an older stage.

use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use serde::Deserialize;

use crate::error::{Error, Result};

/// The file name looked for at a scan root.
pub const FILE_NAME: &str = ".lm.toml";

/// A loaded configuration (empty when there is no file).
#[derive(Debug, Clone, Default)]
pub struct Config {
    table: toml::Table,
    path: Option<PathBuf>,
}

/// The shared `[paths]` section.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PathsSection {
    /// Globs of paths in which no finding is reported.
    pub exclude: Vec<String>,
}

impl Config {
    /// Loads `explicit` when given (it must exist), else `<root>/.lm.toml` when present,
    /// else an empty configuration.
    pub fn load(explicit: Option<&Path>, root: Option<&Path>) -> Result<Config> {
        let path = match explicit {
            Some(p) => Some(p.to_path_buf()),
            None => root.map(|r| r.join(FILE_NAME)).filter(|p| p.is_file()),
        };
        match path {
            None => Ok(Config::default()),
            Some(p) => {
                let text = std::fs::read_to_string(&p).map_err(|e| Error::Config {
                    path: p.clone(),
                    reason: e.to_string(),
                })?;
                Config::parse(&text, Some(p))
            }
        }
    }

    /// Parses configuration text; `path` is used in error messages.
    pub fn parse(text: &str, path: Option<PathBuf>) -> Result<Config> {
        let table: toml::Table = toml::from_str(text).map_err(|e| Error::Config {
            path: path.clone().unwrap_or_else(|| PathBuf::from(FILE_NAME)),
            reason: e.to_string(),
        })?;
        Ok(Config { table, path })
    }

    /// The file this configuration came from, if any.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// Deserialises section `name` into `T` (its default when the section is absent).
    pub fn section<T: DeserializeOwned + Default>(&self, name: &str) -> Result<T> {
        match self.table.get(name) {
            None => Ok(T::default()),
            Some(v) => v
                .clone()
                .try_into()
                .map_err(|e: toml::de::Error| Error::Config {
                    path: self
                        .path
                        .clone()
                        .unwrap_or_else(|| PathBuf::from(FILE_NAME)),
                    reason: format!("[{name}]: {e}"),
                }),
        }
    }

    /// The shared `[paths]` section.
    pub fn paths(&self) -> Result<PathsSection> {
        self.section("paths")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Default, Deserialize)]
    #[serde(default)]
    struct Demo {
        disabled: Vec<String>,
    }

    #[test]
    fn sections_default_when_absent_and_errors_name_the_section() {
        let c = Config::parse("[demo]\ndisabled = [\"a\"]\n[other]\nx = 1\n", None).unwrap();
        let d: Demo = c.section("demo").unwrap();
        assert_eq!(d.disabled, vec!["a"]);
        let none: Demo = c.section("missing").unwrap();
        assert!(none.disabled.is_empty());
        let bad = Config::parse("[demo]\ndisabled = 3\n", None).unwrap();
        let err = bad.section::<Demo>("demo").unwrap_err().to_string();
        assert!(err.contains("[demo]"), "{err}");
    }

    #[test]
    fn missing_root_file_is_empty_config() {
        let dir = tempfile::tempdir().unwrap();
        let c = Config::load(None, Some(dir.path())).unwrap();
        assert!(c.path().is_none());
        assert!(c.paths().unwrap().exclude.is_empty());
    }
}
