//! The data model every parser produces: manifests (what a project asks for) and
//! lockfiles (what was resolved), independent of the package manager.

use std::collections::BTreeMap;

/// A package ecosystem, named as OSV names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Ecosystem {
    /// npm (and yarn, pnpm, bun).
    Npm,
    /// The Python Package Index.
    PyPI,
    /// crates.io.
    Cargo,
    /// Go modules.
    Go,
}

impl Ecosystem {
    /// The OSV ecosystem name (`npm`, `PyPI`, `crates.io`, `Go`).
    pub fn osv_name(self) -> &'static str {
        match self {
            Ecosystem::Npm => "npm",
            Ecosystem::PyPI => "PyPI",
            Ecosystem::Cargo => "crates.io",
            Ecosystem::Go => "Go",
        }
    }

    /// The ecosystem for an OSV ecosystem name (`npm`, `PyPI`, `crates.io`, `Go`; a
    /// `:suffix` such as `Debian:11` is ignored).
    pub fn from_osv(name: &str) -> Option<Ecosystem> {
        match name.split(':').next().unwrap_or("") {
            "npm" => Some(Ecosystem::Npm),
            "PyPI" => Some(Ecosystem::PyPI),
            "crates.io" => Some(Ecosystem::Cargo),
            "Go" => Some(Ecosystem::Go),
            _ => None,
        }
    }

    /// Normalises a package name the way the ecosystem compares names (PEP 503 for
    /// PyPI; npm, crates.io and Go names are kept as written).
    pub fn normalise(self, name: &str) -> String {
        match self {
            Ecosystem::PyPI => normalise_pypi(name),
            _ => name.to_string(),
        }
    }
}

/// PEP 503 name normalisation: lower case, runs of `-`, `_`, `.` become one `-`.
pub fn normalise_pypi(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut sep = false;
    for c in name.trim().chars() {
        if matches!(c, '-' | '_' | '.') {
            sep = true;
        } else {
            if sep && !out.is_empty() {
                out.push('-');
            }
            sep = false;
            out.push(c.to_ascii_lowercase());
        }
    }
    out
}

/// Which dependency list a manifest entry is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DepKind {
    /// Needed at run time.
    Normal,
    /// Development or test only.
    Dev,
    /// Optional (npm `optionalDependencies`, Python extras, Cargo `optional`).
    Optional,
    /// npm `peerDependencies`.
    Peer,
    /// Build only (Cargo `build-dependencies`).
    Build,
}

impl DepKind {
    /// Lower-case name used in details.
    pub fn as_str(self) -> &'static str {
        match self {
            DepKind::Normal => "normal",
            DepKind::Dev => "dev",
            DepKind::Optional => "optional",
            DepKind::Peer => "peer",
            DepKind::Build => "build",
        }
    }
}

/// Where a manifest entry comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// The ecosystem's registry, constrained by the entry's `spec`.
    Registry,
    /// A git repository; `pinned` when a full commit is named.
    Git {
        /// The repository URL as written.
        url: String,
        /// True when a fixed commit (not a branch or tag) is named.
        pinned: bool,
    },
    /// A tarball or archive URL.
    Url(String),
    /// A local path (`file:`, `path =`, `link:`, editable installs).
    Path(String),
    /// A workspace sibling (`workspace:*`, `{ workspace = true }`).
    Workspace,
}

/// One dependency as a manifest declares it.
#[derive(Debug, Clone, PartialEq)]
pub struct ManifestDep {
    /// Package name as written (for npm aliases: the alias).
    pub name: String,
    /// The registry package actually meant (npm `npm:real@range` aliases), else `name`.
    pub real_name: String,
    /// The version requirement as written (may be empty).
    pub spec: String,
    /// Which list it is in.
    pub kind: DepKind,
    /// Where it comes from.
    pub source: Source,
    /// 1-based line of the entry.
    pub line: u64,
}

/// A dependency manifest.
#[derive(Debug, Clone, Default)]
pub struct Manifest {
    /// Path relative to the scan root.
    pub path: String,
    /// Its ecosystem.
    pub ecosystem: Option<Ecosystem>,
    /// The kind of file (`package.json`, `pyproject.toml`...).
    pub format: &'static str,
    /// Its package name, if it declares one.
    pub name: Option<String>,
    /// Declared dependencies.
    pub deps: Vec<ManifestDep>,
    /// Workspace member globs it declares (npm/yarn/pnpm workspaces, Cargo members).
    pub workspaces: Vec<String>,
    /// True when the manifest is a workspace root (`[workspace]` in Cargo.toml,
    /// `workspaces` in package.json, `[tool.uv.workspace]`).
    pub workspace_root: bool,
    /// True when the file pins exact versions itself (requirements with `==`, go.mod),
    /// so its entries are also checked against advisories.
    pub self_locking: bool,
}

/// One resolved package in a lockfile.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LockedPackage {
    /// Registry name.
    pub name: String,
    /// Resolved version.
    pub version: String,
    /// 1-based line of the entry.
    pub line: u64,
    /// Installed where (npm `node_modules/...` path), when the format says.
    pub install_path: Option<String>,
    /// A direct dependency of a workspace root or member.
    pub direct: bool,
    /// Only needed for development (npm `dev`, or reachable only from dev deps).
    pub dev: bool,
    /// The lockfile says it runs an install script (npm `hasInstallScript`, pnpm
    /// `requiresBuild`).
    pub install_script: bool,
    /// Declared peer dependencies (name → range), optional peers excluded.
    pub peers: BTreeMap<String, String>,
    /// Dependencies (name → range or version), when the format records them.
    pub deps: BTreeMap<String, String>,
    /// False for entries that are not registry packages (git, path, workspace links).
    pub registry: bool,
}

/// A lockfile.
#[derive(Debug, Clone, Default)]
pub struct Lockfile {
    /// Path relative to the scan root.
    pub path: String,
    /// Its ecosystem.
    pub ecosystem: Option<Ecosystem>,
    /// Which manager wrote it (`npm`, `pnpm`, `yarn`, `bun`, `poetry`, `uv`, `pipenv`,
    /// `cargo`, `go`).
    pub manager: &'static str,
    /// The format version, where it has one.
    pub format_version: Option<String>,
    /// Resolved packages.
    pub packages: Vec<LockedPackage>,
    /// Direct dependencies per importer (workspace member directory relative to the
    /// lockfile, `""` or `.` for the root), when the lockfile records them:
    /// name → (spec, kind).
    pub importers: BTreeMap<String, BTreeMap<String, (String, DepKind)>>,
    /// True when the lockfile records dev-ness per package (npm `dev` flags).
    pub knows_dev: bool,
}

/// A parse problem to report as a diagnostic.
#[derive(Debug, Clone, PartialEq)]
pub struct ParseIssue {
    /// 1-based line, when known.
    pub line: Option<u64>,
    /// What went wrong.
    pub message: String,
}

impl ParseIssue {
    /// An issue at a line.
    pub fn at(line: Option<u64>, message: impl Into<String>) -> ParseIssue {
        ParseIssue {
            line,
            message: message.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pep503_normalisation() {
        assert_eq!(
            normalise_pypi("Django_REST.framework"),
            "django-rest-framework"
        );
        assert_eq!(normalise_pypi("a--b__c"), "a-b-c");
        assert_eq!(normalise_pypi("requests"), "requests");
    }

    #[test]
    fn osv_names_round_trip() {
        for e in [
            Ecosystem::Npm,
            Ecosystem::PyPI,
            Ecosystem::Cargo,
            Ecosystem::Go,
        ] {
            assert_eq!(Ecosystem::from_osv(e.osv_name()), Some(e));
        }
        assert_eq!(Ecosystem::from_osv("Debian:11"), None);
    }
}
