//! Parsers for every manifest and lockfile format `lm-deps` reads, and the dispatch
//! from a file name to its parser. Every parser returns problems as [`ParseIssue`]s
//! (with a line where known) and never panics on malformed input.

pub mod bun;
pub mod cargo;
pub mod go;
pub mod npm;
pub mod pnpm;
pub mod python;
pub mod yarn;

use crate::model::{Lockfile, Manifest, ParseIssue};

/// A file format `lm-deps` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// `package.json`.
    PackageJson,
    /// `package-lock.json`.
    NpmLock,
    /// `npm-shrinkwrap.json`.
    NpmShrinkwrap,
    /// `pnpm-lock.yaml`.
    PnpmLock,
    /// `yarn.lock`.
    YarnLock,
    /// `bun.lock`.
    BunLock,
    /// `bun.lockb` (binary, not read).
    BunLockb,
    /// `requirements*.txt`.
    Requirements,
    /// `pyproject.toml`.
    Pyproject,
    /// `poetry.lock`.
    PoetryLock,
    /// `uv.lock`.
    UvLock,
    /// `Pipfile`.
    Pipfile,
    /// `Pipfile.lock`.
    PipfileLock,
    /// `Cargo.toml`.
    CargoToml,
    /// `Cargo.lock`.
    CargoLock,
    /// `go.mod`.
    GoMod,
    /// `go.sum`.
    GoSum,
}

impl Format {
    /// The format of a path (by its file name), if `lm-deps` reads it.
    pub fn detect(path: &str) -> Option<Format> {
        let name = path.rsplit('/').next().unwrap_or(path);
        Some(match name {
            "package.json" => Format::PackageJson,
            "package-lock.json" => Format::NpmLock,
            "npm-shrinkwrap.json" => Format::NpmShrinkwrap,
            "pnpm-lock.yaml" => Format::PnpmLock,
            "yarn.lock" => Format::YarnLock,
            "bun.lock" => Format::BunLock,
            "bun.lockb" => Format::BunLockb,
            "pyproject.toml" => Format::Pyproject,
            "poetry.lock" => Format::PoetryLock,
            "uv.lock" => Format::UvLock,
            "Pipfile" => Format::Pipfile,
            "Pipfile.lock" => Format::PipfileLock,
            "Cargo.toml" => Format::CargoToml,
            "Cargo.lock" => Format::CargoLock,
            "go.mod" => Format::GoMod,
            "go.sum" => Format::GoSum,
            n if n.ends_with(".txt")
                && (n.starts_with("requirements")
                    || path
                        .split('/')
                        .rev()
                        .nth(1)
                        .is_some_and(|d| d == "requirements")) =>
            {
                Format::Requirements
            }
            _ => return None,
        })
    }

    /// True for lockfiles.
    pub fn is_lockfile(self) -> bool {
        matches!(
            self,
            Format::NpmLock
                | Format::NpmShrinkwrap
                | Format::PnpmLock
                | Format::YarnLock
                | Format::BunLock
                | Format::BunLockb
                | Format::PoetryLock
                | Format::UvLock
                | Format::PipfileLock
                | Format::CargoLock
                | Format::GoSum
        )
    }
}

/// What parsing one file produced.
#[derive(Debug, Default)]
pub struct Parsed {
    /// Manifests (a requirements file with includes yields several).
    pub manifests: Vec<Manifest>,
    /// Lockfiles (go.mod yields its own resolved versions).
    pub lockfiles: Vec<Lockfile>,
    /// Problems, by file path.
    pub issues: Vec<(String, ParseIssue)>,
}

/// Parses `text` (the content of `path`) as `format`. `read` returns other files'
/// text by root-relative path (for requirements includes).
pub fn parse(
    format: Format,
    path: &str,
    text: &str,
    read: &mut dyn FnMut(&str) -> Option<String>,
) -> Parsed {
    let mut out = Parsed::default();
    let p = path.to_string();
    let one_lock = |r: Result<Lockfile, ParseIssue>, out: &mut Parsed| match r {
        Ok(l) => out.lockfiles.push(l),
        Err(e) => out.issues.push((p.clone(), e)),
    };
    match format {
        Format::PackageJson => match npm::parse_manifest(path, text) {
            Ok(m) => out.manifests.push(m),
            Err(e) => out.issues.push((path.into(), e)),
        },
        Format::NpmLock | Format::NpmShrinkwrap => {
            one_lock(npm::parse_lockfile(path, text), &mut out)
        }
        Format::PnpmLock => one_lock(pnpm::parse_lockfile(path, text), &mut out),
        Format::YarnLock => {
            let (l, issues) = yarn::parse_lockfile(path, text);
            out.lockfiles.push(l);
            out.issues
                .extend(issues.into_iter().map(|i| (path.to_string(), i)));
        }
        Format::BunLock => one_lock(bun::parse_lockfile(path, text), &mut out),
        Format::BunLockb => out.lockfiles.push(Lockfile {
            path: path.into(),
            ecosystem: Some(crate::model::Ecosystem::Npm),
            manager: "bun",
            format_version: Some("binary".into()),
            ..Lockfile::default()
        }),
        Format::Requirements => {
            let (ms, issues) = python::parse_requirements(path, text, read);
            out.manifests = ms;
            out.issues = issues;
        }
        Format::Pyproject => {
            let (m, issues) = python::parse_pyproject(path, text);
            out.manifests.extend(m);
            out.issues
                .extend(issues.into_iter().map(|i| (path.to_string(), i)));
        }
        Format::PoetryLock => one_lock(python::parse_poetry_lock(path, text), &mut out),
        Format::UvLock => one_lock(python::parse_uv_lock(path, text), &mut out),
        Format::Pipfile => match python::parse_pipfile(path, text) {
            Ok(m) => out.manifests.push(m),
            Err(e) => out.issues.push((path.into(), e)),
        },
        Format::PipfileLock => one_lock(python::parse_pipfile_lock(path, text), &mut out),
        Format::CargoToml => match cargo::parse_manifest(path, text) {
            Ok(m) => out.manifests.push(m),
            Err(e) => out.issues.push((path.into(), e)),
        },
        Format::CargoLock => one_lock(cargo::parse_lockfile(path, text), &mut out),
        Format::GoMod => {
            let (m, l, issues) = go::parse_go_mod(path, text);
            out.manifests.push(m);
            out.lockfiles.push(l);
            out.issues
                .extend(issues.into_iter().map(|i| (path.to_string(), i)));
        }
        Format::GoSum => {
            let (l, issues) = go::parse_go_sum(path, text);
            out.lockfiles.push(l);
            out.issues
                .extend(issues.into_iter().map(|i| (path.to_string(), i)));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_by_name() {
        assert_eq!(
            Format::detect("a/b/package.json"),
            Some(Format::PackageJson)
        );
        assert_eq!(
            Format::detect("requirements-dev.txt"),
            Some(Format::Requirements)
        );
        assert_eq!(
            Format::detect("requirements/base.txt"),
            Some(Format::Requirements)
        );
        assert_eq!(Format::detect("notes.txt"), None);
        assert!(Format::detect("x/go.sum").unwrap().is_lockfile());
        assert!(!Format::PackageJson.is_lockfile());
    }

    /// Arbitrary bytes never panic any parser.
    #[test]
    fn no_parser_panics_on_junk() {
        let junk = [
            "",
            "{",
            "[[",
            "\u{0}\u{1}",
            "a:\n  - [",
            "{\"packages\":{\"\":null,\"node_modules/\":{\"version\":1}}}",
            "lockfileVersion: 9\npackages:\n  '@': {}\n",
            "\"@\":\n  version\n",
            "require (\n",
            "[[package]]\nname = 1\n",
            "-r\n-e\n--hash\n",
        ];
        let formats = [
            Format::PackageJson,
            Format::NpmLock,
            Format::PnpmLock,
            Format::YarnLock,
            Format::BunLock,
            Format::Requirements,
            Format::Pyproject,
            Format::PoetryLock,
            Format::UvLock,
            Format::Pipfile,
            Format::PipfileLock,
            Format::CargoToml,
            Format::CargoLock,
            Format::GoMod,
            Format::GoSum,
        ];
        for f in formats {
            for j in junk {
                let _ = parse(f, "x", j, &mut |_| None);
            }
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 64, ..Default::default() })]

        /// Valid seeds with random splices never panic any parser.
        #[test]
        fn mutated_seeds_never_panic(cut in 0usize..4000, insert in ".{0,12}", pick in 0usize..6) {
            let seeds = [
                include_str!("../../../../tests/fixtures/deps/npm-app/package-lock.json"),
                include_str!("../../../../tests/fixtures/deps/mixed/yarn.lock"),
                include_str!("../../../../tests/fixtures/deps/rust-app/Cargo.lock"),
                include_str!("../../../../tests/fixtures/deps/py-app/requirements.txt"),
                include_str!("../../../../tests/fixtures/deps/npm-app/package.json"),
                "lockfileVersion: '9.0'\nimporters:\n  .:\n    dependencies:\n      a:\n        specifier: ^1\n        version: 1.0.0(b@2.0.0)\npackages:\n  a@1.0.0:\n    resolution: {integrity: x}\n",
            ];
            let seed = seeds[pick];
            let mut cut = cut.min(seed.len());
            while !seed.is_char_boundary(cut) {
                cut -= 1;
            }
            let text = format!("{}{}{}", &seed[..cut], insert, &seed[cut..]);
            for f in [Format::NpmLock, Format::YarnLock, Format::CargoLock, Format::Requirements, Format::PackageJson, Format::PnpmLock, Format::BunLock, Format::PoetryLock, Format::UvLock, Format::PipfileLock, Format::GoMod, Format::GoSum] {
                let _ = parse(f, "x/y", &text, &mut |_| None);
            }
        }
    }
}
