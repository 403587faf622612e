//! The `[secrets]` section of `.lm.toml`.
//!
//! ```toml
//! [paths]
//! exclude = ["vendor/**"]          # shared by every stage: no findings here
//!
//! [secrets]
//! disable = ["generic-secret-assignment"]   # rule ids, with or without `secrets.`
//!
//! [secrets.allow]
//! paths = ["docs/examples/**"]     # globs: no secret findings in these files
//! values = ["^dev-[a-z0-9]+$"]     # regexes matched against the secret value
//! stopwords = ["internal-demo"]    # case-insensitive substrings of the value
//!
//! [[secrets.rules]]                # extra rules, same format as the built-in ones
//! id = "acme-api-key"
//! provider = "Acme"
//! description = "Acme API key"
//! keywords = ["acme_"]
//! regex = '\b(acme_[a-z0-9]{32})\b'
//! severity = "high"
//! ```

use globset::{Glob, GlobSet, GlobSetBuilder};
use regex::bytes::Regex;
use serde::Deserialize;

use crate::error::SettingsError;
use crate::rules::{self, Rule, RuleSpec};

/// `[secrets]` as written.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SecretsSection {
    /// Extra rules.
    pub rules: Vec<RuleSpec>,
    /// Rule ids to turn off.
    pub disable: Vec<String>,
    /// Allowlists.
    pub allow: AllowSection,
}

/// `[secrets.allow]` as written.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AllowSection {
    /// Path globs in which no secret is reported.
    pub paths: Vec<String>,
    /// Regexes; a secret value matching one is not reported.
    pub values: Vec<String>,
    /// Substrings (case-insensitive); a secret value containing one is not reported.
    pub stopwords: Vec<String>,
}

/// The allowlists, compiled.
#[derive(Debug, Clone, Default)]
pub struct Allow {
    /// `[secrets.allow] paths` plus `[paths] exclude`.
    pub paths: Option<GlobSet>,
    /// Value regexes.
    pub values: Vec<Regex>,
    /// Lower-cased stopwords.
    pub stopwords: Vec<String>,
}

impl Allow {
    /// True when no finding may be reported in `path`.
    pub fn path_excluded(&self, path: &str) -> bool {
        self.paths.as_ref().is_some_and(|g| g.is_match(path))
    }

    /// True when the value is allowlisted.
    pub fn value_allowed(&self, value: &[u8]) -> bool {
        if self.values.iter().any(|r| r.is_match(value)) {
            return true;
        }
        if self.stopwords.is_empty() {
            return false;
        }
        let lower = String::from_utf8_lossy(value).to_ascii_lowercase();
        self.stopwords.iter().any(|w| lower.contains(w.as_str()))
    }
}

/// Everything the scanner needs from the configuration.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The rules in force (built-in minus disabled, plus extra).
    pub rules: Vec<Rule>,
    /// The allowlists.
    pub allow: Allow,
    /// Whether committed database dumps are reported ([`crate::dump`]).
    pub dumps: bool,
}

impl Settings {
    /// Built-in rules, no allowlists.
    pub fn builtin() -> Result<Settings, SettingsError> {
        Settings::from_sections(&SecretsSection::default(), &[])
    }

    /// Builds settings from the `[secrets]` section and the shared `[paths] exclude`.
    pub fn from_sections(
        section: &SecretsSection,
        exclude: &[String],
    ) -> Result<Settings, SettingsError> {
        let mut specs = rules::builtin_specs()?;
        let disabled: Vec<String> = section
            .disable
            .iter()
            .map(|d| d.strip_prefix("secrets.").unwrap_or(d).to_string())
            .collect();
        for d in &disabled {
            if d != crate::dump::RULE
                && !specs.iter().any(|s| &s.id == d)
                && !section.rules.iter().any(|s| &s.id == d)
            {
                return Err(SettingsError::UnknownRule(d.clone()));
            }
        }
        specs.extend(section.rules.iter().cloned());
        specs.retain(|s| !disabled.contains(&s.id));
        let rules = rules::compile_all(specs)?;

        let globs: Vec<&String> = section.allow.paths.iter().chain(exclude.iter()).collect();
        let paths = if globs.is_empty() {
            None
        } else {
            let mut b = GlobSetBuilder::new();
            for g in globs {
                b.add(Glob::new(g).map_err(|e| SettingsError::Glob {
                    glob: g.clone(),
                    reason: e.to_string(),
                })?);
            }
            Some(b.build().map_err(|e| SettingsError::Glob {
                glob: String::new(),
                reason: e.to_string(),
            })?)
        };
        let values = section
            .allow
            .values
            .iter()
            .map(|v| {
                Regex::new(v).map_err(|e| SettingsError::Regex {
                    regex: v.clone(),
                    reason: e.to_string(),
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Settings {
            rules,
            dumps: !disabled.iter().any(|d| d == crate::dump::RULE),
            allow: Allow {
                paths,
                values,
                stopwords: section
                    .allow
                    .stopwords
                    .iter()
                    .map(|s| s.to_ascii_lowercase())
                    .collect(),
            },
        })
    }

    /// Loads settings from a parsed `.lm.toml`.
    pub fn from_config(config: &lm_core::config::Config) -> anyhow::Result<Settings> {
        let section: SecretsSection = config.section("secrets")?;
        let paths = config.paths()?;
        Ok(Settings::from_sections(&section, &paths.exclude)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Settings, String> {
        let c = lm_core::config::Config::parse(text, None).map_err(|e| e.to_string())?;
        Settings::from_config(&c).map_err(|e| format!("{e:#}"))
    }

    #[test]
    fn disable_extra_rules_and_allowlists() {
        let s = parse(
            r#"
[paths]
exclude = ["vendor/**"]
[secrets]
disable = ["secrets.github-pat"]
[secrets.allow]
paths = ["fixtures/**"]
values = ["^dev-"]
stopwords = ["Internal"]
[[secrets.rules]]
id = "acme-key"
provider = "Acme"
description = "Acme API key"
keywords = ["acme_"]
regex = '\b(acme_[a-z0-9]{32})\b'
severity = "high"
"#,
        )
        .unwrap();
        assert!(!s.rules.iter().any(|r| r.spec.id == "github-pat"));
        assert!(s.rules.iter().any(|r| r.full_id == "secrets.acme-key"));
        assert!(s.allow.path_excluded("vendor/a.js"));
        assert!(s.allow.path_excluded("fixtures/x/y.env"));
        assert!(!s.allow.path_excluded("src/a.js"));
        assert!(s.allow.value_allowed(b"dev-123"));
        assert!(s.allow.value_allowed(b"xxINTERNALxx"));
        assert!(!s.allow.value_allowed(b"prod-123"));
    }

    #[test]
    fn errors_name_what_is_wrong() {
        let e = parse("[secrets]\ndisable = [\"no-such-rule\"]\n").unwrap_err();
        assert!(e.contains("no-such-rule"), "{e}");
        let e = parse("[secrets.allow]\nvalues = [\"(\"]\n").unwrap_err();
        assert!(e.contains("allow.values"), "{e}");
        let e = parse("[secrets]\nbogus = 1\n").unwrap_err();
        assert!(e.contains("bogus"), "{e}");
    }
}
