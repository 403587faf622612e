//! The `[authz]` section of `.lm.toml`.
//!
//! ```toml
//! [authz]
//! # functions, decorators or middleware names that authenticate the caller
//! auth_helpers = ["requireTeamMember", "verify_api_token"]
//! # names that check a role, permission or ownership
//! role_helpers = ["assertProjectOwner"]
//! # names that apply a rate limit
//! rate_limit_helpers = ["throttleByIp"]
//! # route patterns that are public by design (globs over the pattern as written)
//! public_routes = ["/api/public/**", "/api/og/*"]
//! # columns that tie a row to a user or tenant (added to user_id, owner_id, org_id...)
//! tenant_columns = ["workspace_id"]
//! # tables whose rows anyone may read (added to products, plans, categories...)
//! public_tables = ["listings"]
//! # rule ids not to report
//! disable = ["authz.cors-wildcard-edge-function"]
//! ```

use globset::{Glob, GlobSet, GlobSetBuilder};
use serde::Deserialize;

/// The raw `[authz]` section.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AuthzSection {
    /// Extra authentication helper names.
    pub auth_helpers: Vec<String>,
    /// Extra role / permission / ownership helper names.
    pub role_helpers: Vec<String>,
    /// Extra rate-limit helper names.
    pub rate_limit_helpers: Vec<String>,
    /// Globs of route patterns that are public by design.
    pub public_routes: Vec<String>,
    /// Extra columns that tie a row to its user or tenant.
    pub tenant_columns: Vec<String>,
    /// Extra tables that are public by design (catalogs).
    pub public_tables: Vec<String>,
    /// Rule ids not to report.
    pub disable: Vec<String>,
}

/// The settings rules consult, compiled from [`AuthzSection`] and `[paths] exclude`.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// Extra authentication helper names (lower-cased).
    pub auth_helpers: Vec<String>,
    /// Extra role helper names (lower-cased).
    pub role_helpers: Vec<String>,
    /// Extra rate-limit helper names (lower-cased).
    pub rate_limit_helpers: Vec<String>,
    /// Public route globs.
    pub public_routes: Option<GlobSet>,
    /// Extra tenant columns (lower-cased).
    pub tenant_columns: Vec<String>,
    /// Extra public tables (lower-cased).
    pub public_tables: Vec<String>,
    /// Disabled rule ids.
    pub disable: Vec<String>,
    /// Paths in which no finding is reported.
    pub exclude: Option<GlobSet>,
}

/// An invalid glob in the configuration.
#[derive(Debug, thiserror::Error)]
#[error("invalid glob `{glob}` in {section}: {reason}")]
pub struct GlobError {
    /// The glob as written.
    pub glob: String,
    /// `[authz] public_routes` or `[paths] exclude`.
    pub section: String,
    /// Why it is invalid.
    pub reason: String,
}

fn globset(globs: &[String], section: &str) -> Result<Option<GlobSet>, GlobError> {
    if globs.is_empty() {
        return Ok(None);
    }
    let mut b = GlobSetBuilder::new();
    for g in globs {
        let glob = Glob::new(g).map_err(|e| GlobError {
            glob: g.clone(),
            section: section.into(),
            reason: e.to_string(),
        })?;
        b.add(glob);
    }
    b.build().map(Some).map_err(|e| GlobError {
        glob: globs.join(", "),
        section: section.into(),
        reason: e.to_string(),
    })
}

fn lower(v: &[String]) -> Vec<String> {
    v.iter().map(|s| s.to_ascii_lowercase()).collect()
}

impl Settings {
    /// Compiles a section and the shared exclude globs.
    pub fn new(section: &AuthzSection, exclude: &[String]) -> Result<Settings, GlobError> {
        Ok(Settings {
            auth_helpers: lower(&section.auth_helpers),
            role_helpers: lower(&section.role_helpers),
            rate_limit_helpers: lower(&section.rate_limit_helpers),
            public_routes: globset(&section.public_routes, "[authz] public_routes")?,
            tenant_columns: lower(&section.tenant_columns),
            public_tables: lower(&section.public_tables),
            disable: section.disable.clone(),
            exclude: globset(exclude, "[paths] exclude")?,
        })
    }

    /// Loads the settings from a configuration file.
    pub fn from_config(config: &lm_core::config::Config) -> anyhow::Result<Settings> {
        let section: AuthzSection = config.section("authz")?;
        let paths = config.paths()?;
        Ok(Settings::new(&section, &paths.exclude)?)
    }

    /// True when `pattern` matches a configured public route glob.
    pub fn public_route(&self, pattern: &str) -> bool {
        self.public_routes
            .as_ref()
            .is_some_and(|g| g.is_match(pattern) || g.is_match(pattern.trim_start_matches('/')))
    }

    /// True when findings in `path` are not to be reported.
    pub fn excluded(&self, path: &str) -> bool {
        self.exclude.as_ref().is_some_and(|g| g.is_match(path))
    }

    /// True when rule `id` is disabled.
    pub fn disabled(&self, id: &str) -> bool {
        self.disable.iter().any(|d| d == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn section_parses_and_globs_match() {
        let cfg = lm_core::config::Config::parse(
            "[authz]\npublic_routes = [\"/api/public/**\"]\nauth_helpers = [\"RequireTeam\"]\n[paths]\nexclude = [\"examples/**\"]\n",
            None,
        )
        .unwrap();
        let s = Settings::from_config(&cfg).unwrap();
        assert!(s.public_route("/api/public/feed"));
        assert!(!s.public_route("/api/private/feed"));
        assert_eq!(s.auth_helpers, vec!["requireteam"]);
        assert!(s.excluded("examples/app/route.ts"));
        assert!(!s.excluded("app/route.ts"));
    }

    #[test]
    fn unknown_keys_and_bad_globs_are_errors() {
        let cfg = lm_core::config::Config::parse("[authz]\npublic = 1\n", None).unwrap();
        assert!(Settings::from_config(&cfg).is_err());
        let cfg =
            lm_core::config::Config::parse("[authz]\npublic_routes = [\"/a/[\"]\n", None).unwrap();
        let err = Settings::from_config(&cfg).unwrap_err().to_string();
        assert!(err.contains("public_routes"), "{err}");
    }
}
