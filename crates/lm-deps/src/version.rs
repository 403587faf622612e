//! Per-ecosystem version parsing, ordering and requirement matching.
//!
//! * npm: `nodejs-semver` (npm's semver rules: pre-releases, `^`, `~`, x-ranges, `||`,
//!   hyphen ranges).
//! * crates.io: `semver` (Cargo's requirement rules).
//! * Go: module versions are semantic versions with a `v` prefix; pseudo-versions are
//!   pre-releases and `+incompatible` is build metadata, so they map onto `semver`.
//! * PyPI: `pep440_rs` (PEP 440 ordering and specifiers). Poetry's `^` and `~`
//!   constraints are rewritten to PEP 440 first ([`poetry_to_pep440`]).

use std::cmp::Ordering;
use std::str::FromStr;

use crate::model::Ecosystem;

/// A parsed version of some ecosystem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Version {
    /// npm.
    Npm(nodejs_semver::Version),
    /// crates.io and Go.
    Semver(semver::Version),
    /// PyPI.
    Pep440(pep440_rs::Version),
}

impl Version {
    /// Parses `s` by the rules of `eco`; `None` when it is not a version there.
    pub fn parse(eco: Ecosystem, s: &str) -> Option<Version> {
        let s = s.trim();
        if s.is_empty() {
            return None;
        }
        match eco {
            Ecosystem::Npm => nodejs_semver::Version::parse(s).ok().map(Version::Npm),
            Ecosystem::Cargo => semver::Version::parse(s).ok().map(Version::Semver),
            Ecosystem::Go => {
                let t = s.strip_prefix('v').unwrap_or(s);
                let t = t.strip_suffix("+incompatible").unwrap_or(t);
                semver::Version::parse(t).ok().map(Version::Semver)
            }
            Ecosystem::PyPI => pep440_rs::Version::from_str(s).ok().map(Version::Pep440),
        }
    }

    /// Orders two versions of the same ecosystem (`None` across kinds).
    pub fn compare(&self, other: &Version) -> Option<Ordering> {
        match (self, other) {
            (Version::Npm(a), Version::Npm(b)) => Some(a.cmp(b)),
            (Version::Semver(a), Version::Semver(b)) => Some(cmp_semver_no_build(a, b)),
            (Version::Pep440(a), Version::Pep440(b)) => Some(a.cmp(b)),
            _ => None,
        }
    }

    /// The major version number (PEP 440: the first release segment).
    pub fn major(&self) -> u64 {
        match self {
            Version::Npm(v) => v.major,
            Version::Semver(v) => v.major,
            Version::Pep440(v) => v.release().first().copied().unwrap_or(0),
        }
    }

    /// The (major, minor) pair.
    pub fn major_minor(&self) -> (u64, u64) {
        match self {
            Version::Npm(v) => (v.major, v.minor),
            Version::Semver(v) => (v.major, v.minor),
            Version::Pep440(v) => (
                v.release().first().copied().unwrap_or(0),
                v.release().get(1).copied().unwrap_or(0),
            ),
        }
    }
}

/// SemVer precedence ignores build metadata; the `semver` crate's `Ord` does not.
fn cmp_semver_no_build(a: &semver::Version, b: &semver::Version) -> Ordering {
    (a.major, a.minor, a.patch)
        .cmp(&(b.major, b.minor, b.patch))
        .then_with(|| match (a.pre.is_empty(), b.pre.is_empty()) {
            (true, true) => Ordering::Equal,
            (true, false) => Ordering::Greater,
            (false, true) => Ordering::Less,
            (false, false) => a.pre.cmp(&b.pre),
        })
}

/// Compares two version strings of `eco`; `None` when either does not parse.
pub fn compare_str(eco: Ecosystem, a: &str, b: &str) -> Option<Ordering> {
    Version::parse(eco, a)?.compare(&Version::parse(eco, b)?)
}

/// Whether `version` satisfies the requirement `spec` as the ecosystem's manager reads
/// it; `None` when either cannot be understood (the caller then stays silent).
pub fn satisfies(eco: Ecosystem, version: &str, spec: &str) -> Option<bool> {
    let spec = spec.trim();
    match eco {
        Ecosystem::Npm => {
            let v = nodejs_semver::Version::parse(version.trim()).ok()?;
            let r = nodejs_semver::Range::parse(if spec.is_empty() { "*" } else { spec }).ok()?;
            // npm lets a pre-release satisfy a range only when the range names a
            // pre-release of the same version; the lockfile is what npm chose, so accept
            // pre-releases the range could have produced.
            Some(r.satisfies(&v) || (v.is_prerelease() && r.satisfies_with_prerelease(&v, true)))
        }
        Ecosystem::Cargo => {
            let v = semver::Version::parse(version.trim()).ok()?;
            let r = semver::VersionReq::parse(if spec.is_empty() { "*" } else { spec }).ok()?;
            Some(r.matches(&v))
        }
        Ecosystem::Go => Some(version.trim() == spec),
        Ecosystem::PyPI => {
            let v = pep440_rs::Version::from_str(version.trim()).ok()?;
            if spec.is_empty() || spec == "*" {
                return Some(true);
            }
            let pep = poetry_to_pep440(spec)?;
            let specs = pep440_rs::VersionSpecifiers::from_str(&pep).ok()?;
            Some(specs.contains(&v))
        }
    }
}

/// Rewrites a Poetry/Pipfile constraint (`^1.2`, `~1.2`, `1.2.*`, `*`, bare `1.2.3`,
/// comma- or space-separated clauses) to a PEP 440 specifier set. PEP 440 input passes
/// through unchanged. `None` for `||` alternatives, which PEP 440 cannot express.
pub fn poetry_to_pep440(spec: &str) -> Option<String> {
    let spec = spec.trim();
    if spec.contains("||") || spec.contains('|') {
        return None;
    }
    if spec.is_empty() || spec == "*" {
        return Some(String::new());
    }
    let mut out: Vec<String> = Vec::new();
    for clause in spec.split(',') {
        let c = clause.trim();
        if c.is_empty() {
            continue;
        }
        if let Some(v) = c.strip_prefix('^') {
            let (lo, hi) = caret_bounds(v.trim())?;
            out.push(format!(">={lo}"));
            out.push(format!("<{hi}"));
        } else if let Some(v) = c.strip_prefix("~=") {
            out.push(format!("~={}", v.trim()));
        } else if let Some(v) = c.strip_prefix('~') {
            let (lo, hi) = tilde_bounds(v.trim())?;
            out.push(format!(">={lo}"));
            out.push(format!("<{hi}"));
        } else if c.starts_with(|ch: char| ch.is_ascii_digit()) {
            out.push(format!("=={c}"));
        } else if c.starts_with('=') && !c.starts_with("==") {
            out.push(format!("={c}"));
        } else {
            out.push(c.to_string());
        }
    }
    Some(out.join(","))
}

fn release_parts(v: &str) -> Option<Vec<u64>> {
    let core: &str = v
        .split(|c: char| !(c.is_ascii_digit() || c == '.'))
        .next()?;
    let parts: Vec<u64> = core
        .split('.')
        .filter(|p| !p.is_empty())
        .map(|p| p.parse().ok())
        .collect::<Option<_>>()?;
    (!parts.is_empty()).then_some(parts)
}

fn caret_bounds(v: &str) -> Option<(String, String)> {
    let p = release_parts(v)?;
    let first_nonzero = p.iter().position(|&x| x != 0).unwrap_or(p.len() - 1);
    let mut hi: Vec<u64> = p[..=first_nonzero].to_vec();
    *hi.last_mut()? += 1;
    Some((v.to_string(), join(&hi)))
}

fn tilde_bounds(v: &str) -> Option<(String, String)> {
    let p = release_parts(v)?;
    let hi = if p.len() == 1 {
        vec![p[0] + 1]
    } else {
        vec![p[0], p[1] + 1]
    };
    Some((v.to_string(), join(&hi)))
}

fn join(p: &[u64]) -> String {
    p.iter().map(u64::to_string).collect::<Vec<_>>().join(".")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn npm_order_with_prereleases() {
        use Ordering::*;
        assert_eq!(
            compare_str(Ecosystem::Npm, "1.0.0-alpha", "1.0.0"),
            Some(Less)
        );
        assert_eq!(
            compare_str(Ecosystem::Npm, "1.0.0-alpha.2", "1.0.0-alpha.10"),
            Some(Less)
        );
        assert_eq!(
            compare_str(Ecosystem::Npm, "13.4.20-canary.13", "13.4.19"),
            Some(Greater)
        );
        assert_eq!(compare_str(Ecosystem::Npm, "2.0.0", "10.0.0"), Some(Less));
        assert_eq!(compare_str(Ecosystem::Npm, "x", "1.0.0"), None);
    }

    #[test]
    fn pep440_order() {
        use Ordering::*;
        assert_eq!(compare_str(Ecosystem::PyPI, "1.0a1", "1.0"), Some(Less));
        assert_eq!(
            compare_str(Ecosystem::PyPI, "1.0.post1", "1.0"),
            Some(Greater)
        );
        assert_eq!(compare_str(Ecosystem::PyPI, "1.10", "1.9"), Some(Greater));
        assert_eq!(
            compare_str(Ecosystem::PyPI, "2.0.dev1", "2.0a1"),
            Some(Less)
        );
        assert_eq!(compare_str(Ecosystem::PyPI, "1.0", "1.0.0"), Some(Equal));
    }

    #[test]
    fn go_versions() {
        use Ordering::*;
        assert_eq!(compare_str(Ecosystem::Go, "v1.2.3", "v1.10.0"), Some(Less));
        assert_eq!(
            compare_str(
                Ecosystem::Go,
                "v0.0.0-20210101000000-abcdef123456",
                "v0.0.1"
            ),
            Some(Less)
        );
        assert_eq!(
            compare_str(Ecosystem::Go, "v2.0.0+incompatible", "v2.0.0"),
            Some(Equal)
        );
    }

    #[test]
    fn requirement_matching() {
        assert_eq!(satisfies(Ecosystem::Npm, "18.2.0", "^18.0.0"), Some(true));
        assert_eq!(satisfies(Ecosystem::Npm, "19.0.0", "^18.0.0"), Some(false));
        assert_eq!(
            satisfies(Ecosystem::Npm, "1.2.3", ">=1 <2 || 3.x"),
            Some(true)
        );
        assert_eq!(satisfies(Ecosystem::Npm, "1.2.3", "github:a/b"), None);
        assert_eq!(satisfies(Ecosystem::Cargo, "1.0.200", "1.0"), Some(true));
        assert_eq!(satisfies(Ecosystem::Cargo, "0.3.0", "0.2"), Some(false));
        assert_eq!(
            satisfies(Ecosystem::PyPI, "2.31.0", ">=2.28,<3"),
            Some(true)
        );
        assert_eq!(satisfies(Ecosystem::PyPI, "3.0.0", "^2.28"), Some(false));
        assert_eq!(satisfies(Ecosystem::PyPI, "0.4.9", "^0.4.2"), Some(true));
        assert_eq!(satisfies(Ecosystem::PyPI, "0.5.0", "^0.4.2"), Some(false));
        assert_eq!(satisfies(Ecosystem::PyPI, "1.4.0", "~1.3"), Some(false));
        assert_eq!(satisfies(Ecosystem::PyPI, "1.3.9", "~1.3"), Some(true));
        assert_eq!(satisfies(Ecosystem::PyPI, "1.3.9", "*"), Some(true));
    }

    #[test]
    fn poetry_constraints_rewrite() {
        assert_eq!(poetry_to_pep440("^1.2.3").unwrap(), ">=1.2.3,<2");
        assert_eq!(poetry_to_pep440("^0.0.3").unwrap(), ">=0.0.3,<0.0.4");
        assert_eq!(poetry_to_pep440("1.2.3").unwrap(), "==1.2.3");
        assert_eq!(poetry_to_pep440(">=1,<2").unwrap(), ">=1,<2");
        assert!(poetry_to_pep440("^1 || ^2").is_none());
    }
}
