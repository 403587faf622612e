//! An offline OSV advisory database and OSV's matching rules.
//!
//! [`Database::load`] reads either a directory of OSV JSON files (any depth) or
//! osv-scanner's offline layout (`<ecosystem>/all.zip`, one JSON file per advisory); a
//! folder holding an `all.zip` is read from the zip only. Loading is lazy: an entry is
//! parsed only when its raw bytes contain the quoted name of a package that is
//! actually locked (one Aho-Corasick pass, case-insensitive), and only the `affected`
//! entries for those packages are kept. Zip entries are inflated in parallel.
//!
//! [`affects`] implements OSV's evaluation: `versions[]` exact matches, then each
//! `SEMVER`/`ECOSYSTEM` range's events sorted by version and applied in order
//! (`introduced` opens, `fixed` closes at the version, `last_affected` closes after it,
//! `limit` caps the range). `GIT` ranges cannot be evaluated against a registry
//! version and are skipped (neither affected nor cleared). Withdrawn advisories are
//! dropped at load time.

use std::collections::{HashMap, HashSet};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use aho_corasick::AhoCorasick;
use lm_core::Severity;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::model::Ecosystem;
use crate::version::Version;

/// Errors loading a database.
#[derive(Debug, thiserror::Error)]
pub enum OsvError {
    /// The path could not be read.
    #[error("cannot read OSV database {path}: {source}")]
    Io {
        /// The path.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A zip archive could not be opened.
    #[error("cannot open zip {path}: {reason}")]
    Zip {
        /// The path.
        path: PathBuf,
        /// Why.
        reason: String,
    },
}

#[derive(Debug, Deserialize)]
struct RawAdvisory {
    id: String,
    #[serde(default)]
    aliases: Vec<String>,
    #[serde(default)]
    summary: Option<String>,
    #[serde(default)]
    details: Option<String>,
    #[serde(default)]
    withdrawn: Option<String>,
    #[serde(default)]
    severity: Option<Vec<RawSeverity>>,
    #[serde(default)]
    affected: Option<Vec<RawAffected>>,
    #[serde(default)]
    database_specific: Option<serde_json::Value>,
}

#[derive(Debug, Deserialize)]
struct RawSeverity {
    #[serde(rename = "type", default)]
    kind: String,
    #[serde(default)]
    score: String,
}

#[derive(Debug, Deserialize)]
struct RawAffected {
    #[serde(default)]
    package: Option<RawPackage>,
    #[serde(default)]
    ranges: Option<Vec<RawRange>>,
    #[serde(default)]
    versions: Option<Vec<String>>,
    #[serde(default)]
    database_specific: Option<serde_json::Value>,
    #[serde(default)]
    severity: Option<Vec<RawSeverity>>,
}

#[derive(Debug, Deserialize, Serialize)]
struct RawPackage {
    #[serde(default)]
    ecosystem: String,
    #[serde(default)]
    name: String,
}

#[derive(Debug, Deserialize)]
struct RawRange {
    #[serde(rename = "type", default)]
    kind: String,
    #[serde(default)]
    events: Vec<HashMap<String, String>>,
}

/// A range event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// Affected from this version on (`"0"`: from the start).
    Introduced(String),
    /// Not affected from this version on.
    Fixed(String),
    /// Affected up to and including this version.
    LastAffected(String),
    /// Upper bound of the range.
    Limit(String),
}

/// A `SEMVER` or `ECOSYSTEM` range (`GIT` ranges are kept as `git: true`).
#[derive(Debug, Clone)]
pub struct Range {
    /// True for `GIT` ranges (skipped when matching).
    pub git: bool,
    /// Events as listed.
    pub events: Vec<Event>,
}

/// One `affected` entry for a package.
#[derive(Debug, Clone)]
pub struct Affected {
    /// Explicitly listed affected versions.
    pub versions: Vec<String>,
    /// Ranges.
    pub ranges: Vec<Range>,
    /// Severity specific to this entry (RustSec puts CVSS here), if any.
    pub severity: Option<(Severity, Option<f64>)>,
}

/// An advisory as far as `lm-deps` needs it.
#[derive(Debug, Clone)]
pub struct Advisory {
    /// OSV id (GHSA-..., PYSEC-..., RUSTSEC-..., GO-...).
    pub id: String,
    /// Aliases (CVE ids and ids in other databases).
    pub aliases: Vec<String>,
    /// One-line summary (or the first line of the details).
    pub summary: String,
    /// Severity from a CVSS v3 vector or the database's own rating.
    pub severity: Option<Severity>,
    /// CVSS v3 base score, when a vector was given.
    pub cvss_score: Option<f64>,
    /// RustSec informational kind (`unmaintained`, `unsound`, `notice`), if any.
    pub informational: Option<String>,
    /// Marked as malicious code.
    pub malicious: bool,
}

/// What the database knows about one (ecosystem, package).
#[derive(Debug, Clone)]
pub struct Entry {
    /// The advisory.
    pub advisory: Arc<Advisory>,
    /// Its `affected` entry for this package.
    pub affected: Affected,
}

/// Counts from a load.
#[derive(Debug, Clone, Default)]
pub struct LoadStats {
    /// Files or zip entries seen.
    pub scanned: u64,
    /// Entries fully parsed (passed the name pre-check).
    pub parsed: u64,
    /// Entries that could not be parsed.
    pub invalid: u64,
    /// Withdrawn advisories dropped.
    pub withdrawn: u64,
    /// A cached zip name index was used.
    pub index_used: bool,
    /// A zip name index was built and cached.
    pub index_built: bool,
}

/// Advisories for the packages of interest.
#[derive(Debug, Default)]
pub struct Database {
    by_package: HashMap<(Ecosystem, String), Vec<Entry>>,
    /// Load counts.
    pub stats: LoadStats,
}

/// Database key of a package name.
fn key(eco: Ecosystem, name: &str) -> (Ecosystem, String) {
    (eco, eco.normalise(name))
}

/// How to load.
#[derive(Debug, Clone)]
pub struct LoadOptions {
    /// Where name indexes of large zips are cached (none: never index).
    pub index_dir: Option<PathBuf>,
    /// Zips at least this large get a cached name index.
    pub index_min_bytes: u64,
}

impl Default for LoadOptions {
    /// Index zips of 16 MiB or more under `$LM_CACHE_DIR/osv-index`, else
    /// `$XDG_CACHE_HOME/lm/osv-index`, else `~/.cache/lm/osv-index`.
    fn default() -> Self {
        let base = std::env::var_os("LM_CACHE_DIR")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("XDG_CACHE_HOME").map(|d| PathBuf::from(d).join("lm")))
            .or_else(|| {
                std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache").join("lm"))
            });
        LoadOptions {
            index_dir: base.map(|b| b.join("osv-index")),
            index_min_bytes: 16 * 1024 * 1024,
        }
    }
}

/// A cached index of one zip: package key → entry numbers.
#[derive(Debug, Default, Serialize, Deserialize)]
struct ZipIndex {
    size: u64,
    mtime: u64,
    entries: usize,
    names: HashMap<String, Vec<u32>>,
}

#[derive(Debug, Deserialize)]
struct LightAdvisory {
    #[serde(default)]
    affected: Option<Vec<LightAffected>>,
}

#[derive(Debug, Deserialize)]
struct LightAffected {
    #[serde(default)]
    package: Option<RawPackage>,
}

fn index_key(eco: Ecosystem, name: &str) -> String {
    format!("{}:{}", eco.osv_name(), eco.normalise(name))
}

impl Database {
    /// Loads advisories from `path` for the packages in `wanted`, with default options.
    pub fn load(path: &Path, wanted: &HashSet<(Ecosystem, String)>) -> Result<Database, OsvError> {
        Database::load_with(path, wanted, &LoadOptions::default())
    }

    /// Loads advisories from `path` for the packages in `wanted`.
    pub fn load_with(
        path: &Path,
        wanted: &HashSet<(Ecosystem, String)>,
        opts: &LoadOptions,
    ) -> Result<Database, OsvError> {
        let mut db = Database::default();
        if wanted.is_empty() {
            return Ok(db);
        }
        let mut patterns: Vec<String> = Vec::new();
        for (eco, name) in wanted {
            patterns.push(format!("\"{name}\""));
            if *eco == Ecosystem::PyPI {
                patterns.push(format!("\"{}\"", name.replace('-', "_")));
                patterns.push(format!("\"{}\"", name.replace('-', ".")));
            }
        }
        patterns.sort();
        patterns.dedup();
        let ac = AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build(&patterns)
            .map_err(|e| OsvError::Zip {
                path: path.into(),
                reason: e.to_string(),
            })?;
        let mut blobs_seen: HashSet<String> = HashSet::new();
        let meta = std::fs::metadata(path).map_err(|e| OsvError::Io {
            path: path.into(),
            source: e,
        })?;
        if meta.is_file() {
            db.load_zip(path, &ac, wanted, &mut blobs_seen, opts)?;
        } else {
            db.load_dir(path, &ac, wanted, &mut blobs_seen, 0, opts)?;
        }
        Ok(db)
    }

    fn load_dir(
        &mut self,
        dir: &Path,
        ac: &AhoCorasick,
        wanted: &HashSet<(Ecosystem, String)>,
        seen: &mut HashSet<String>,
        depth: usize,
        opts: &LoadOptions,
    ) -> Result<(), OsvError> {
        if depth > 8 {
            return Ok(());
        }
        let rd = std::fs::read_dir(dir).map_err(|e| OsvError::Io {
            path: dir.into(),
            source: e,
        })?;
        let mut files = Vec::new();
        let mut dirs = Vec::new();
        let mut zip = None;
        for e in rd.flatten() {
            let p = e.path();
            let ft = match e.file_type() {
                Ok(t) => t,
                Err(_) => continue,
            };
            if ft.is_dir() {
                dirs.push(p);
            } else if p.file_name().is_some_and(|n| n == "all.zip") {
                zip = Some(p);
            } else if p.extension().is_some_and(|x| x == "json") {
                files.push(p);
            }
        }
        if let Some(z) = zip {
            self.load_zip(&z, ac, wanted, seen, opts)?;
        } else {
            files.sort();
            let results: Vec<Option<(bool, Option<RawAdvisory>)>> = files
                .par_iter()
                .map(|f| {
                    let bytes = std::fs::read(f).ok()?;
                    Some(prefilter_parse(&bytes, ac))
                })
                .collect();
            for r in results.into_iter().flatten() {
                self.add(r, wanted, seen);
            }
        }
        dirs.sort();
        for d in dirs {
            self.load_dir(&d, ac, wanted, seen, depth + 1, opts)?;
        }
        Ok(())
    }

    fn load_zip(
        &mut self,
        path: &Path,
        ac: &AhoCorasick,
        wanted: &HashSet<(Ecosystem, String)>,
        seen: &mut HashSet<String>,
        opts: &LoadOptions,
    ) -> Result<(), OsvError> {
        let io = |e| OsvError::Io {
            path: path.into(),
            source: e,
        };
        let meta = std::fs::metadata(path).map_err(io)?;
        let mtime = meta
            .modified()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map(|d| d.as_secs())
            .unwrap_or(0);
        let index_path = opts
            .index_dir
            .as_ref()
            .filter(|_| meta.len() >= opts.index_min_bytes)
            .map(|d| {
                let canon = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
                d.join(format!(
                    "{}.json",
                    &lm_core::fingerprint::sha256_hex(canon.to_string_lossy().as_bytes())[..24]
                ))
            });
        let bytes = std::fs::read(path).map_err(io)?;
        let archive =
            zip::ZipArchive::new(std::io::Cursor::new(bytes.as_slice())).map_err(|e| {
                OsvError::Zip {
                    path: path.into(),
                    reason: e.to_string(),
                }
            })?;
        let n = archive.len();
        let cached: Option<ZipIndex> = index_path
            .as_ref()
            .and_then(|p| std::fs::read(p).ok())
            .and_then(|b| serde_json::from_slice::<ZipIndex>(&b).ok())
            .filter(|i| i.size == meta.len() && i.mtime == mtime && i.entries == n);
        let read_entry =
            |ar: &mut zip::ZipArchive<std::io::Cursor<&[u8]>>, i: usize| -> Option<Vec<u8>> {
                let mut f = ar.by_index(i).ok()?;
                if !f.name().ends_with(".json") {
                    return None;
                }
                let mut buf = Vec::with_capacity(f.size() as usize);
                f.read_to_end(&mut buf).ok()?;
                Some(buf)
            };
        if let Some(index) = cached {
            let mut picks: Vec<u32> = wanted
                .iter()
                .filter_map(|(e, name)| index.names.get(&index_key(*e, name)))
                .flatten()
                .copied()
                .collect();
            picks.sort_unstable();
            picks.dedup();
            self.stats.index_used = true;
            let results: Vec<Option<(bool, Option<RawAdvisory>)>> = picks
                .into_par_iter()
                .map_init(
                    || archive.clone(),
                    |ar, i| read_entry(ar, i as usize).map(|b| prefilter_parse(&b, ac)),
                )
                .collect();
            for r in results.into_iter().flatten() {
                self.add(r, wanted, seen);
            }
            return Ok(());
        }
        let build = index_path.is_some();
        type One = (Option<(bool, Option<RawAdvisory>)>, Vec<String>);
        let results: Vec<One> = (0..n)
            .into_par_iter()
            .map_init(
                || archive.clone(),
                |ar, i| {
                    let Some(buf) = read_entry(ar, i) else {
                        return (None, Vec::new());
                    };
                    let names = if build {
                        serde_json::from_slice::<LightAdvisory>(&buf)
                            .ok()
                            .and_then(|l| l.affected)
                            .into_iter()
                            .flatten()
                            .filter_map(|a| a.package)
                            .filter_map(|p| {
                                Some(index_key(Ecosystem::from_osv(&p.ecosystem)?, &p.name))
                            })
                            .collect()
                    } else {
                        Vec::new()
                    };
                    (Some(prefilter_parse(&buf, ac)), names)
                },
            )
            .collect();
        let mut index = ZipIndex {
            size: meta.len(),
            mtime,
            entries: n,
            names: HashMap::new(),
        };
        for (i, (r, names)) in results.into_iter().enumerate() {
            for k in names {
                let v = index.names.entry(k).or_default();
                if v.last() != Some(&(i as u32)) {
                    v.push(i as u32);
                }
            }
            if let Some(r) = r {
                self.add(r, wanted, seen);
            }
        }
        if let Some(p) = index_path {
            if let Some(dir) = p.parent() {
                let _ = std::fs::create_dir_all(dir);
            }
            if let Ok(text) = serde_json::to_vec(&index) {
                let tmp = p.with_extension(format!("tmp{}", std::process::id()));
                if std::fs::write(&tmp, text).is_ok() && std::fs::rename(&tmp, &p).is_ok() {
                    self.stats.index_built = true;
                }
            }
        }
        Ok(())
    }

    fn add(
        &mut self,
        r: (bool, Option<RawAdvisory>),
        wanted: &HashSet<(Ecosystem, String)>,
        seen: &mut HashSet<String>,
    ) {
        self.stats.scanned += 1;
        let (candidate, raw) = r;
        if !candidate {
            return;
        }
        self.stats.parsed += 1;
        let Some(raw) = raw else {
            self.stats.invalid += 1;
            return;
        };
        if raw.withdrawn.as_deref().is_some_and(|w| !w.is_empty()) {
            self.stats.withdrawn += 1;
            return;
        }
        if !seen.insert(raw.id.clone()) {
            return;
        }
        let (severity, cvss_score) =
            advisory_severity(raw.severity.as_deref(), raw.database_specific.as_ref());
        let mut informational = None;
        let mut malicious = raw.id.starts_with("MAL-");
        for a in raw.affected.iter().flatten() {
            if let Some(ds) = &a.database_specific {
                if let Some(i) = ds.get("informational").and_then(|v| v.as_str()) {
                    informational = Some(i.to_string());
                }
                if ds
                    .get("categories")
                    .and_then(|c| c.as_array())
                    .is_some_and(|c| c.iter().any(|x| x.as_str() == Some("malicious")))
                {
                    malicious = true;
                }
            }
        }
        let summary = raw
            .summary
            .filter(|s| !s.trim().is_empty())
            .or_else(|| {
                raw.details
                    .as_deref()
                    .and_then(|d| d.lines().find(|l| !l.trim().is_empty()))
                    .map(|l| l.chars().take(200).collect())
            })
            .unwrap_or_default();
        let adv = Arc::new(Advisory {
            id: raw.id,
            aliases: raw.aliases,
            summary,
            severity,
            cvss_score,
            informational,
            malicious,
        });
        for a in raw.affected.into_iter().flatten() {
            let Some(pkg) = a.package else { continue };
            let Some(eco) = Ecosystem::from_osv(&pkg.ecosystem) else {
                continue;
            };
            let k = key(eco, &pkg.name);
            if !wanted.contains(&k) {
                continue;
            }
            let ranges = a
                .ranges
                .unwrap_or_default()
                .into_iter()
                .map(|r| Range {
                    git: r.kind.eq_ignore_ascii_case("GIT"),
                    events: r
                        .events
                        .into_iter()
                        .filter_map(|e| {
                            let (k, v) = e.into_iter().next()?;
                            Some(match k.as_str() {
                                "introduced" => Event::Introduced(v),
                                "fixed" => Event::Fixed(v),
                                "last_affected" => Event::LastAffected(v),
                                "limit" => Event::Limit(v),
                                _ => return None,
                            })
                        })
                        .collect(),
                })
                .collect();
            let sev = {
                let (s, score) = advisory_severity(a.severity.as_deref(), None);
                let rustsec_cvss = a
                    .database_specific
                    .as_ref()
                    .and_then(|d| d.get("cvss"))
                    .and_then(|c| c.as_str())
                    .and_then(crate::cvss::base_score_v3);
                match (s, rustsec_cvss) {
                    (Some(s), _) => Some((s, score)),
                    (None, Some(sc)) => Some((crate::cvss::severity_of(sc), Some(sc))),
                    _ => None,
                }
            };
            self.by_package.entry(k).or_default().push(Entry {
                advisory: adv.clone(),
                affected: Affected {
                    versions: a.versions.unwrap_or_default(),
                    ranges,
                    severity: sev,
                },
            });
        }
    }

    /// Advisory entries for a package.
    pub fn lookup(&self, eco: Ecosystem, name: &str) -> &[Entry] {
        self.by_package
            .get(&key(eco, name))
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// Number of (package, advisory) entries held.
    pub fn len(&self) -> usize {
        self.by_package.values().map(Vec::len).sum()
    }

    /// True when nothing was loaded.
    pub fn is_empty(&self) -> bool {
        self.by_package.is_empty()
    }
}

fn prefilter_parse(bytes: &[u8], ac: &AhoCorasick) -> (bool, Option<RawAdvisory>) {
    if !names_a_wanted_package(bytes, ac) {
        return (false, None);
    }
    (true, serde_json::from_slice(bytes).ok())
}

/// True when a wanted quoted name occurs as the value of a `"name"` key (whitespace
/// between tokens allowed), so advisories that only mention a common word such as
/// `"time"` in their text are not parsed.
fn names_a_wanted_package(bytes: &[u8], ac: &AhoCorasick) -> bool {
    ac.find_overlapping_iter(bytes).any(|m| {
        let mut i = m.start();
        let skip_ws = |i: &mut usize| {
            while *i > 0 && bytes[*i - 1].is_ascii_whitespace() {
                *i -= 1;
            }
        };
        skip_ws(&mut i);
        if i == 0 || bytes[i - 1] != b':' {
            return false;
        }
        i -= 1;
        skip_ws(&mut i);
        i >= 6 && &bytes[i - 6..i] == b"\"name\""
    })
}

fn advisory_severity(
    sev: Option<&[RawSeverity]>,
    dbs: Option<&serde_json::Value>,
) -> (Option<Severity>, Option<f64>) {
    for s in sev.into_iter().flatten() {
        if s.kind == "CVSS_V3" {
            if let Some(score) = crate::cvss::base_score_v3(&s.score) {
                return (Some(crate::cvss::severity_of(score)), Some(score));
            }
        }
    }
    let named = dbs
        .and_then(|d| d.get("severity"))
        .and_then(|s| s.as_str())
        .and_then(|s| s.parse::<Severity>().ok());
    (named, None)
}

/// The outcome of matching a version against an `affected` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Match {
    /// The version is affected; the smallest fixed version above it, if any.
    Affected {
        /// Smallest `fixed` event above the installed version.
        fixed: Option<String>,
    },
    /// Not affected by any evaluable range or list.
    NotAffected,
    /// Nothing could be evaluated (only GIT ranges, or versions that do not parse).
    Unknown,
}

/// Whether `version` of an `eco` package is affected according to `aff`.
pub fn affects(eco: Ecosystem, version: &str, aff: &Affected) -> Match {
    let parsed = Version::parse(eco, version);
    let fixed_above = |ranges: &[Range]| -> Option<String> {
        let v = parsed.as_ref()?;
        let mut best: Option<(Version, String)> = None;
        for r in ranges.iter().filter(|r| !r.git) {
            for e in &r.events {
                if let Event::Fixed(f) = e {
                    if let Some(fv) = Version::parse(eco, f) {
                        if fv.compare(v) == Some(std::cmp::Ordering::Greater)
                            && best.as_ref().is_none_or(|(b, _)| {
                                fv.compare(b) == Some(std::cmp::Ordering::Less)
                            })
                        {
                            best = Some((fv, f.clone()));
                        }
                    }
                }
            }
        }
        best.map(|(_, s)| s)
    };
    let listed = aff.versions.iter().any(|v| {
        v == version
            || (parsed.is_some()
                && Version::parse(eco, v)
                    .as_ref()
                    .and_then(|x| x.compare(parsed.as_ref()?))
                    == Some(std::cmp::Ordering::Equal))
    });
    if listed {
        return Match::Affected {
            fixed: fixed_above(&aff.ranges),
        };
    }
    let mut evaluated = !aff.versions.is_empty();
    if let Some(v) = &parsed {
        for r in aff.ranges.iter().filter(|r| !r.git) {
            match range_affects(eco, v, r) {
                Some(true) => {
                    return Match::Affected {
                        fixed: fixed_above(&aff.ranges),
                    }
                }
                Some(false) => evaluated = true,
                None => {}
            }
        }
    }
    if evaluated {
        Match::NotAffected
    } else {
        Match::Unknown
    }
}

fn range_affects(eco: Ecosystem, v: &Version, r: &Range) -> Option<bool> {
    use std::cmp::Ordering::*;
    // Parse event versions; "0" introduces from the very start.
    let mut evs: Vec<(Option<Version>, &Event)> = Vec::with_capacity(r.events.len());
    for e in &r.events {
        let s = match e {
            Event::Introduced(s) | Event::Fixed(s) | Event::LastAffected(s) | Event::Limit(s) => s,
        };
        if matches!(e, Event::Introduced(_)) && s == "0" {
            evs.push((None, e));
            continue;
        }
        evs.push((Some(Version::parse(eco, s)?), e));
    }
    evs.sort_by(|a, b| match (&a.0, &b.0) {
        (None, None) => Equal,
        (None, Some(_)) => Less,
        (Some(_), None) => Greater,
        (Some(x), Some(y)) => x.compare(y).unwrap_or(Equal),
    });
    let mut affected = false;
    for (ev, e) in &evs {
        let cmp = match ev {
            None => Greater,
            Some(x) => v.compare(x)?,
        };
        match e {
            Event::Introduced(_) => {
                if cmp != Less {
                    affected = true;
                }
            }
            Event::Fixed(_) => {
                if cmp != Less {
                    affected = false;
                }
            }
            Event::LastAffected(_) => {
                if cmp == Greater {
                    affected = false;
                }
            }
            Event::Limit(_) => {
                if cmp != Less {
                    return Some(false);
                }
            }
        }
    }
    Some(affected)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn aff(ranges: Vec<Vec<Event>>, versions: &[&str]) -> Affected {
        Affected {
            versions: versions.iter().map(|s| s.to_string()).collect(),
            ranges: ranges
                .into_iter()
                .map(|events| Range { git: false, events })
                .collect(),
            severity: None,
        }
    }
    use Event::*;

    #[test]
    fn introduced_fixed_pairs() {
        let a = aff(
            vec![vec![
                Introduced("0".into()),
                Fixed("1.5.0".into()),
                Introduced("2.0.0".into()),
                Fixed("2.3.0".into()),
            ]],
            &[],
        );
        assert_eq!(
            affects(Ecosystem::Npm, "1.0.0", &a),
            Match::Affected {
                fixed: Some("1.5.0".into())
            }
        );
        assert_eq!(affects(Ecosystem::Npm, "1.5.0", &a), Match::NotAffected);
        assert_eq!(affects(Ecosystem::Npm, "1.7.0", &a), Match::NotAffected);
        assert_eq!(
            affects(Ecosystem::Npm, "2.1.0", &a),
            Match::Affected {
                fixed: Some("2.3.0".into())
            }
        );
        assert_eq!(affects(Ecosystem::Npm, "2.3.0", &a), Match::NotAffected);
        assert_eq!(
            affects(Ecosystem::Npm, "2.3.0-rc.1", &a),
            Match::Affected {
                fixed: Some("2.3.0".into())
            }
        );
    }

    #[test]
    fn last_affected_and_limit() {
        let a = aff(
            vec![vec![
                Introduced("5.2.1".into()),
                LastAffected("6.5.6".into()),
            ]],
            &[],
        );
        assert!(matches!(
            affects(Ecosystem::Npm, "6.5.6", &a),
            Match::Affected { fixed: None }
        ));
        assert_eq!(affects(Ecosystem::Npm, "6.5.7", &a), Match::NotAffected);
        assert_eq!(affects(Ecosystem::Npm, "5.2.0", &a), Match::NotAffected);
        let l = aff(
            vec![vec![Introduced("0".into()), Limit("2.0.0".into())]],
            &[],
        );
        assert!(matches!(
            affects(Ecosystem::Cargo, "1.9.0", &l),
            Match::Affected { .. }
        ));
        assert_eq!(affects(Ecosystem::Cargo, "2.0.0", &l), Match::NotAffected);
    }

    #[test]
    fn versions_list_and_pep440_equivalence() {
        let a = aff(vec![], &["1.0", "1.1"]);
        assert!(matches!(
            affects(Ecosystem::PyPI, "1.0.0", &a),
            Match::Affected { .. }
        ));
        assert_eq!(affects(Ecosystem::PyPI, "1.2", &a), Match::NotAffected);
        let p = aff(
            vec![vec![Introduced("0".into()), Fixed("2.4.3".into())]],
            &[],
        );
        assert!(matches!(
            affects(Ecosystem::PyPI, "2.4.3rc1", &p),
            Match::Affected { .. }
        ));
        assert_eq!(
            affects(Ecosystem::PyPI, "2.4.3.post1", &p),
            Match::NotAffected
        );
    }

    #[test]
    fn go_versions_with_and_without_prefix() {
        // OSV's Go events are written without the `v` that go.mod uses.
        let a = aff(
            vec![vec![Introduced("0".into()), Fixed("0.23.0".into())]],
            &[],
        );
        assert_eq!(
            affects(Ecosystem::Go, "v0.17.0", &a),
            Match::Affected {
                fixed: Some("0.23.0".into())
            }
        );
        assert_eq!(affects(Ecosystem::Go, "v0.23.0", &a), Match::NotAffected);
        assert!(matches!(
            affects(Ecosystem::Go, "v0.0.0-20220101000000-abcdefabcdef", &a),
            Match::Affected { .. }
        ));
    }

    #[test]
    fn git_only_is_unknown_not_safe() {
        let a = Affected {
            versions: vec![],
            ranges: vec![Range {
                git: true,
                events: vec![Introduced("0".into()), Fixed("abc".into())],
            }],
            severity: None,
        };
        assert_eq!(affects(Ecosystem::PyPI, "1.0", &a), Match::Unknown);
        let empty = aff(vec![], &[]);
        assert_eq!(affects(Ecosystem::PyPI, "1.0", &empty), Match::Unknown);
    }

    #[test]
    fn loads_directory_lazily_and_skips_withdrawn() {
        let dir = tempfile::tempdir().unwrap();
        let adv = |id: &str, name: &str, withdrawn: bool| {
            format!(
                r#"{{"id":"{id}","aliases":["CVE-1"],"summary":"s","{w}":"2024-01-01T00:00:00Z","affected":[{{"package":{{"ecosystem":"npm","name":"{name}"}},"ranges":[{{"type":"SEMVER","events":[{{"introduced":"0"}},{{"fixed":"1.0.0"}}]}}]}}],"severity":[{{"type":"CVSS_V3","score":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}}]}}"#,
                w = if withdrawn { "withdrawn" } else { "modified" }
            )
        };
        std::fs::create_dir_all(dir.path().join("npm")).unwrap();
        std::fs::write(dir.path().join("npm/A.json"), adv("A", "left-pad", false)).unwrap();
        std::fs::write(dir.path().join("npm/B.json"), adv("B", "left-pad", true)).unwrap();
        std::fs::write(dir.path().join("npm/C.json"), adv("C", "other", false)).unwrap();
        std::fs::write(
            dir.path().join("npm/D.json"),
            "{\"affected\":[{\"package\":{\"name\":\"left-pad\"}",
        )
        .unwrap();
        let wanted: HashSet<_> = [(Ecosystem::Npm, "left-pad".to_string())]
            .into_iter()
            .collect();
        let db = Database::load(dir.path(), &wanted).unwrap();
        let e = db.lookup(Ecosystem::Npm, "left-pad");
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].advisory.id, "A");
        assert_eq!(e[0].advisory.severity, Some(Severity::Critical));
        assert_eq!(db.stats.scanned, 4);
        assert_eq!(db.stats.parsed, 3);
        assert_eq!(db.stats.withdrawn, 1);
        assert_eq!(db.stats.invalid, 1);
    }

    #[test]
    fn precheck_needs_a_name_key() {
        let ac = AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build(["\"time\""])
            .unwrap();
        assert!(names_a_wanted_package(
            br#"{"package": {"name" :  "time"}}"#,
            &ac
        ));
        assert!(names_a_wanted_package(b"{\"name\":\n\"Time\"}", &ac));
        assert!(!names_a_wanted_package(
            br#"{"summary": "the \"time\" crate", "x": "time"}"#,
            &ac
        ));
        assert!(!names_a_wanted_package(br#""time""#, &ac));
    }

    #[test]
    fn large_zips_get_a_cached_name_index() {
        use std::io::Write;
        let dir = tempfile::tempdir().unwrap();
        let zip_path = dir.path().join("all.zip");
        let mut z = zip::ZipWriter::new(std::fs::File::create(&zip_path).unwrap());
        for (id, name, fixed) in [
            ("A", "left-pad", "1.0.0"),
            ("B", "right-pad", "2.0.0"),
            ("C", "left-pad", "3.0.0"),
        ] {
            z.start_file(
                format!("{id}.json"),
                zip::write::SimpleFileOptions::default(),
            )
            .unwrap();
            let body = format!(
                r#"{{"id":"{id}","summary":"mentions \"right-pad\"","affected":[{{"package":{{"ecosystem":"npm","name":"{name}"}},"ranges":[{{"type":"SEMVER","events":[{{"introduced":"0"}},{{"fixed":"{fixed}"}}]}}]}}]}}"#
            );
            z.write_all(body.as_bytes()).unwrap();
        }
        z.finish().unwrap();
        let opts = LoadOptions {
            index_dir: Some(dir.path().join("idx")),
            index_min_bytes: 0,
        };
        let wanted: HashSet<_> = [(Ecosystem::Npm, "left-pad".to_string())]
            .into_iter()
            .collect();
        let first = Database::load_with(&zip_path, &wanted, &opts).unwrap();
        assert!(first.stats.index_built && !first.stats.index_used);
        assert_eq!(first.stats.scanned, 3);
        let second = Database::load_with(&zip_path, &wanted, &opts).unwrap();
        assert!(second.stats.index_used);
        // Only the two left-pad entries are inflated, not B (whose text names right-pad).
        assert_eq!(second.stats.scanned, 2);
        let ids = |db: &Database| {
            let mut v: Vec<String> = db
                .lookup(Ecosystem::Npm, "left-pad")
                .iter()
                .map(|e| e.advisory.id.clone())
                .collect();
            v.sort();
            v
        };
        assert_eq!(ids(&first), vec!["A", "C"]);
        assert_eq!(ids(&second), ids(&first));
        // A changed zip invalidates the index.
        std::fs::write(&zip_path, b"not a zip").unwrap();
        assert!(Database::load_with(&zip_path, &wanted, &opts).is_err());
    }
}
