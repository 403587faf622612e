//! Offline typosquat and hallucinated-name checks against bundled popularity lists.
//!
//! Data (names only, most popular first, sources in each file's header):
//! * `data/npm-popular.txt`: the npm package `npm-high-impact` 1.13.0 (MIT).
//! * `data/pypi-popular.txt`: `hugovk/top-pypi-packages`, 30-day download ranking.
//!
//! A name is suspicious when it is not itself on the list and lies within a small
//! Damerau-Levenshtein distance of one of the most popular names (1 edit for names of
//! 5 to 8 characters, 2 for longer names; shorter names are never judged, too many
//! legitimate short names are one edit apart), or when it is a popular name with a
//! separator swapped or a common decoration added (`-js`, `node-`, `py`, `python-`...)
//! that the real package does not use.

use std::collections::HashSet;
use std::sync::OnceLock;

use crate::model::{normalise_pypi, Ecosystem};

const NPM: &str = include_str!("../data/npm-popular.txt");
const PYPI: &str = include_str!("../data/pypi-popular.txt");

/// How many of the most popular names are typosquat targets.
const TARGETS: usize = 3000;

/// A popularity list.
pub struct Popular {
    /// Every listed name.
    pub all: HashSet<String>,
    /// The most popular names, in rank order (typosquat targets).
    pub targets: Vec<String>,
    /// Where the list comes from (first comment lines of the data file).
    pub source: String,
}

fn load(text: &str, eco: Ecosystem) -> Popular {
    let mut source = Vec::new();
    let mut names = Vec::new();
    for l in text.lines() {
        if let Some(c) = l.strip_prefix('#') {
            source.push(c.trim().to_string());
        } else if !l.trim().is_empty() {
            names.push(eco.normalise(l.trim()));
        }
    }
    Popular {
        all: names.iter().cloned().collect(),
        targets: names.into_iter().take(TARGETS).collect(),
        source: source.join(" "),
    }
}

/// The list for an ecosystem (npm and PyPI only).
pub fn list(eco: Ecosystem) -> Option<&'static Popular> {
    static NPM_LIST: OnceLock<Popular> = OnceLock::new();
    static PYPI_LIST: OnceLock<Popular> = OnceLock::new();
    match eco {
        Ecosystem::Npm => Some(NPM_LIST.get_or_init(|| load(NPM, Ecosystem::Npm))),
        Ecosystem::PyPI => Some(PYPI_LIST.get_or_init(|| load(PYPI, Ecosystem::PyPI))),
        _ => None,
    }
}

/// Why a name looks wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Suspicion {
    /// Within edit distance `distance` of the popular `target`.
    NearPopular {
        /// The popular name it resembles.
        target: String,
        /// Damerau-Levenshtein distance.
        distance: usize,
    },
    /// A popular name with a decoration or separator change.
    Decorated {
        /// The popular name it decorates.
        target: String,
    },
    /// A popular scoped package's name without its scope (`supabase-js` for
    /// `@supabase/supabase-js`): a common hallucination and squatting pattern.
    ScopeDropped {
        /// The scoped package.
        target: String,
    },
    /// A name publicly documented as hallucinated by code assistants.
    KnownHallucination {
        /// Where it was documented.
        source: &'static str,
    },
}

/// Names documented as invented by code assistants and then registered by others.
const KNOWN_HALLUCINATED: [(Ecosystem, &str, &str); 1] = [(
    Ecosystem::PyPI,
    "huggingface-cli",
    "Lasso Security research on package hallucination (2024): an invented name, registered afterwards",
)];

/// Checks a dependency name; `None` when it is listed or resembles nothing popular.
pub fn check(eco: Ecosystem, name: &str) -> Option<Suspicion> {
    let list = list(eco)?;
    let norm = eco.normalise(name);
    if let Some((_, _, source)) = KNOWN_HALLUCINATED
        .iter()
        .find(|(e, n, _)| *e == eco && *n == norm)
    {
        return Some(Suspicion::KnownHallucination { source });
    }
    if list.all.contains(&norm) {
        return None;
    }
    let bare = norm.rsplit('/').next().unwrap_or(&norm).to_string();
    if norm.starts_with('@') {
        // A typo in a popular scoped name (`@supabse/supabase-js`).
        let len = norm.chars().count();
        let max = if len >= 12 { 2 } else { 1 };
        return list
            .targets
            .iter()
            .filter(|t| t.starts_with('@') && t.len().abs_diff(norm.len()) <= max)
            .map(|t| (strsim::damerau_levenshtein(&norm, t), t))
            .filter(|(d, t)| *d > 0 && *d <= max && !differs_only_in_digits(&norm, t))
            .min_by_key(|(d, _)| *d)
            .map(|(d, t)| Suspicion::NearPopular {
                target: t.clone(),
                distance: d,
            });
    }
    if eco == Ecosystem::Npm && bare.len() >= 6 {
        if let Some(t) = list
            .targets
            .iter()
            .find(|t| t.starts_with('@') && t.rsplit('/').next() == Some(bare.as_str()))
        {
            return Some(Suspicion::ScopeDropped { target: t.clone() });
        }
    }
    if let Some(t) = decorated(eco, &bare, list) {
        return Some(Suspicion::Decorated { target: t });
    }
    let len = bare.chars().count();
    if len < 5 {
        return None;
    }
    let max = if len <= 8 { 1 } else { 2 };
    let mut best: Option<(usize, &String)> = None;
    for t in &list.targets {
        let tl = t.chars().count();
        if tl.abs_diff(len) > max || tl < 5 || t.starts_with('@') {
            continue;
        }
        let d = strsim::damerau_levenshtein(&bare, t);
        if d > 0 && d <= max && best.is_none_or(|(bd, _)| d < bd) {
            // Digit-only differences (`vue2` / `vue3`, `oauth1`/`oauth2`) are versions,
            // not typos.
            if differs_only_in_digits(&bare, t) {
                continue;
            }
            best = Some((d, t));
        }
    }
    best.map(|(d, t)| Suspicion::NearPopular {
        target: t.clone(),
        distance: d,
    })
}

fn differs_only_in_digits(a: &str, b: &str) -> bool {
    let strip = |s: &str| {
        s.chars()
            .filter(|c| !c.is_ascii_digit())
            .collect::<String>()
    };
    strip(a) == strip(b)
}

fn decorated(eco: Ecosystem, name: &str, list: &Popular) -> Option<String> {
    let (prefixes, suffixes): (&[&str], &[&str]) = match eco {
        Ecosystem::Npm => (
            &["node-", "js-", "npm-"],
            &["-js", ".js", "js", "-node", "-npm", "-official", "-sdk"],
        ),
        _ => (
            &["python-", "py-", "py"],
            &["-python", "-py", "py", "-official", "-sdk"],
        ),
    };
    let top = &list.targets[..list.targets.len().min(1000)];
    let is_top = |s: &str| s.len() >= 4 && top.iter().any(|t| t == s);
    for p in prefixes {
        if let Some(rest) = name.strip_prefix(p) {
            if is_top(rest) {
                return Some(rest.to_string());
            }
        }
    }
    for s in suffixes {
        if let Some(rest) = name.strip_suffix(s) {
            if is_top(rest) {
                return Some(rest.to_string());
            }
        }
    }
    if eco == Ecosystem::Npm {
        for (a, b) in [('-', '_'), ('_', '-'), ('-', '.'), ('.', '-')] {
            let swapped = name.replace(a, &b.to_string());
            if swapped != name && is_top(&swapped) {
                return Some(swapped);
            }
        }
        let joined = name.replace('-', "");
        if joined != name && is_top(&joined) {
            return Some(joined);
        }
    }
    let _ = normalise_pypi;
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_load_with_sources() {
        let n = list(Ecosystem::Npm).unwrap();
        assert!(n.all.contains("react") && n.all.contains("lodash"));
        assert!(n.source.contains("npm-high-impact"));
        let p = list(Ecosystem::PyPI).unwrap();
        assert!(p.all.contains("requests") && p.all.contains("django"));
        assert!(p.source.contains("top-pypi-packages"));
        assert!(list(Ecosystem::Cargo).is_none());
    }

    #[test]
    fn typosquats_are_caught() {
        assert!(
            matches!(check(Ecosystem::Npm, "expresss"), Some(Suspicion::NearPopular { ref target, .. }) if target == "express")
        );
        assert!(
            matches!(check(Ecosystem::Npm, "loadsh"), Some(Suspicion::NearPopular { ref target, .. }) if target == "lodash")
        );
        assert!(
            matches!(check(Ecosystem::PyPI, "reqeusts"), Some(Suspicion::NearPopular { ref target, .. }) if target == "requests")
        );
        assert!(matches!(
            check(Ecosystem::PyPI, "python-requests"),
            Some(Suspicion::Decorated { .. })
        ));
        assert!(
            matches!(check(Ecosystem::Npm, "axios-js"), Some(Suspicion::Decorated { ref target }) if target == "axios")
        );
    }

    #[test]
    fn scoped_names_and_known_hallucinations() {
        assert!(
            matches!(check(Ecosystem::Npm, "@supabse/supabase-js"), Some(Suspicion::NearPopular { ref target, .. }) if target == "@supabase/supabase-js")
        );
        assert!(
            matches!(check(Ecosystem::Npm, "supabase-js"), Some(Suspicion::ScopeDropped { ref target }) if target == "@supabase/supabase-js")
        );
        assert!(matches!(
            check(Ecosystem::PyPI, "huggingface-cli"),
            Some(Suspicion::KnownHallucination { .. })
        ));
        assert_eq!(check(Ecosystem::PyPI, "huggingface-hub"), None);
        assert_eq!(check(Ecosystem::Npm, "@supabase/ssr"), None);
        assert_eq!(check(Ecosystem::Npm, "@types/react-dom"), None);
        assert_eq!(check(Ecosystem::Npm, "@my-company/internal-ui"), None);
    }

    #[test]
    fn real_packages_are_not_flagged() {
        for n in [
            "react",
            "react-dom",
            "next",
            "@supabase/supabase-js",
            "lovable-tagger",
            "zod",
            "clsx",
            "lucide-react",
            "date-fns",
            "@radix-ui/react-dialog",
            "tailwind-merge",
        ] {
            assert_eq!(check(Ecosystem::Npm, n), None, "{n}");
        }
        for n in [
            "requests",
            "Django",
            "fastapi",
            "pydantic",
            "SQLAlchemy",
            "python-dotenv",
            "uvicorn",
            "openai",
        ] {
            assert_eq!(check(Ecosystem::PyPI, n), None, "{n}");
        }
        // Short names are not judged.
        assert_eq!(check(Ecosystem::Npm, "rect"), None);
    }
}
