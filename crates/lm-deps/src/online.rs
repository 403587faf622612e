//! `--online`: asks the npm and PyPI registries whether package names exist.
//!
//! One `GET` per name (`<npm>/<name>`, `<pypi>/pypi/<name>/json`): 200 means the name
//! exists, 404 that it does not; anything else is no answer. Answers are cached in a
//! JSON file (seven days for names that exist, one day for names that do not). The
//! first connection failure stops the check for the run and is reported once.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::model::Ecosystem;

/// Where and how to ask.
#[derive(Debug, Clone)]
pub struct OnlineOptions {
    /// npm registry base URL.
    pub npm: String,
    /// PyPI base URL.
    pub pypi: String,
    /// Per-request timeout.
    pub timeout: Duration,
    /// Cache file (none: no cache).
    pub cache: Option<PathBuf>,
    /// Today as `YYYY-MM-DD`.
    pub today: String,
    /// At most this many registry requests per run.
    pub max_requests: usize,
}

impl OnlineOptions {
    /// Defaults: the public registries (overridable with `LM_NPM_REGISTRY` and
    /// `LM_PYPI_URL`), 5 s timeouts, cache under `$XDG_CACHE_HOME/lm` or `~/.cache/lm`.
    pub fn from_env(today: String) -> OnlineOptions {
        let cache = std::env::var_os("XDG_CACHE_HOME")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
            .map(|d| d.join("lm").join("registry-names.json"));
        OnlineOptions {
            npm: std::env::var("LM_NPM_REGISTRY")
                .unwrap_or_else(|_| "https://registry.npmjs.org".into()),
            pypi: std::env::var("LM_PYPI_URL").unwrap_or_else(|_| "https://pypi.org".into()),
            timeout: Duration::from_secs(5),
            cache,
            today,
            max_requests: 400,
        }
    }
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct Cache {
    #[serde(default)]
    names: BTreeMap<String, CacheEntry>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct CacheEntry {
    exists: bool,
    checked: String,
}

/// Result of an online check.
#[derive(Debug, Default)]
pub struct OnlineResult {
    /// Answers (normalised name → exists).
    pub exists: HashMap<(Ecosystem, String), bool>,
    /// Requests made.
    pub requests: u64,
    /// Answers taken from the cache.
    pub cached: u64,
    /// Why the check stopped early, if it did.
    pub offline: Option<String>,
}

fn days_between(a: &str, b: &str) -> i64 {
    use crate::config::IsoDate;
    match (IsoDate::parse(a), IsoDate::parse(b)) {
        (Ok(x), Ok(y)) => y.days() - x.days(),
        _ => i64::MAX,
    }
}

/// URL asked for a name.
pub fn url_for(opts: &OnlineOptions, eco: Ecosystem, name: &str) -> Option<String> {
    match eco {
        Ecosystem::Npm => Some(format!(
            "{}/{}",
            opts.npm.trim_end_matches('/'),
            name.replace('/', "%2F")
        )),
        Ecosystem::PyPI => Some(format!(
            "{}/pypi/{}/json",
            opts.pypi.trim_end_matches('/'),
            name
        )),
        _ => None,
    }
}

/// Checks `names`; never fails (network problems end up in `offline`).
pub fn check(opts: &OnlineOptions, names: &[(Ecosystem, String)]) -> OnlineResult {
    let mut res = OnlineResult::default();
    let mut cache: Cache = opts
        .cache
        .as_ref()
        .and_then(|p| std::fs::read_to_string(p).ok())
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default();
    let agent = ureq::AgentBuilder::new()
        .timeout(opts.timeout)
        .redirects(2)
        .build();
    let mut dirty = false;
    for (eco, name) in names {
        let key = format!("{}:{}", eco.osv_name(), name);
        if let Some(e) = cache.names.get(&key) {
            let ttl = if e.exists { 7 } else { 1 };
            if days_between(&e.checked, &opts.today) < ttl {
                res.exists.insert((*eco, name.clone()), e.exists);
                res.cached += 1;
                continue;
            }
        }
        if res.offline.is_some() {
            continue;
        }
        if res.requests as usize >= opts.max_requests {
            res.offline = Some(format!(
                "stopped after {} registry requests",
                opts.max_requests
            ));
            continue;
        }
        let Some(url) = url_for(opts, *eco, name) else {
            continue;
        };
        res.requests += 1;
        let answer = match agent.get(&url).set("Accept", "application/json").call() {
            Ok(r) if r.status() == 200 => Some(true),
            Ok(_) => None,
            Err(ureq::Error::Status(404, _)) => Some(false),
            Err(ureq::Error::Status(_, _)) => None,
            Err(e) => {
                res.offline = Some(format!(
                    "registry unreachable ({e}); online name check skipped"
                ));
                None
            }
        };
        if let Some(exists) = answer {
            res.exists.insert((*eco, name.clone()), exists);
            cache.names.insert(
                key,
                CacheEntry {
                    exists,
                    checked: opts.today.clone(),
                },
            );
            dirty = true;
        }
    }
    if dirty {
        if let Some(p) = &opts.cache {
            if let Some(dir) = p.parent() {
                let _ = std::fs::create_dir_all(dir);
            }
            if let Ok(t) = serde_json::to_string(&cache) {
                let tmp = p.with_extension("json.tmp");
                if std::fs::write(&tmp, t).is_ok() {
                    let _ = std::fs::rename(&tmp, p);
                }
            }
        }
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{BufRead, BufReader, Write};
    use std::net::TcpListener;

    /// A one-thread HTTP stub on 127.0.0.1 answering 200 for names in `known`.
    fn stub(
        known: &'static [&'static str],
        max: usize,
    ) -> (String, std::thread::JoinHandle<Vec<String>>) {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = format!("http://{}", l.local_addr().unwrap());
        let h = std::thread::spawn(move || {
            let mut seen = Vec::new();
            for s in l.incoming().take(max) {
                let Ok(mut s) = s else { break };
                let mut r = BufReader::new(s.try_clone().unwrap());
                let mut first = String::new();
                r.read_line(&mut first).unwrap();
                loop {
                    let mut h = String::new();
                    if r.read_line(&mut h).unwrap() == 0 || h == "\r\n" {
                        break;
                    }
                }
                let path = first.split_whitespace().nth(1).unwrap_or("").to_string();
                let hit = known.iter().any(|k| path.contains(k));
                let (code, body) = if hit {
                    ("200 OK", "{}")
                } else {
                    ("404 Not Found", "{}")
                };
                let _ = write!(
                    s,
                    "HTTP/1.1 {code}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                seen.push(path);
            }
            seen
        });
        (addr, h)
    }

    #[test]
    fn stub_registry_answers_and_cache_is_used() {
        let (addr, h) = stub(&["react", "requests"], 4);
        let dir = tempfile::tempdir().unwrap();
        let opts = OnlineOptions {
            npm: addr.clone(),
            pypi: addr.clone(),
            timeout: Duration::from_secs(5),
            cache: Some(dir.path().join("c.json")),
            today: "2026-01-01".into(),
            max_requests: 10,
        };
        let names = vec![
            (Ecosystem::Npm, "react".to_string()),
            (Ecosystem::Npm, "@ai/made-up-pkg".to_string()),
            (Ecosystem::PyPI, "requests".to_string()),
            (Ecosystem::PyPI, "huggingface-cli-tools".to_string()),
        ];
        let r = check(&opts, &names);
        assert_eq!(r.requests, 4);
        assert!(r.offline.is_none());
        assert!(r.exists[&(Ecosystem::Npm, "react".to_string())]);
        assert!(!r.exists[&(Ecosystem::Npm, "@ai/made-up-pkg".to_string())]);
        assert!(!r.exists[&(Ecosystem::PyPI, "huggingface-cli-tools".to_string())]);
        let paths = h.join().unwrap();
        assert!(paths.iter().any(|p| p == "/@ai%2Fmade-up-pkg"));
        assert!(paths.iter().any(|p| p == "/pypi/requests/json"));
        // Second run: all from cache, no server needed.
        let r2 = check(&opts, &names);
        assert_eq!((r2.requests, r2.cached), (0, 4));
    }

    #[test]
    fn unreachable_registry_is_reported_once() {
        // Bind then drop to get a closed local port.
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let base = format!("http://127.0.0.1:{port}");
        let opts = OnlineOptions {
            npm: base.clone(),
            pypi: base,
            timeout: Duration::from_secs(2),
            cache: None,
            today: "2026-01-01".into(),
            max_requests: 10,
        };
        let r = check(
            &opts,
            &[(Ecosystem::Npm, "a".into()), (Ecosystem::Npm, "b".into())],
        );
        assert_eq!(r.requests, 1);
        assert!(r.offline.unwrap().contains("unreachable"));
        assert!(r.exists.is_empty());
    }

    #[test]
    fn day_arithmetic() {
        assert_eq!(days_between("2026-01-01", "2026-01-08"), 7);
        assert_eq!(days_between("2024-02-28", "2024-03-01"), 2);
        assert_eq!(days_between("bad", "2024-03-01"), i64::MAX);
    }
}
