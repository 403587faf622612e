//! `package.json`, `package-lock.json` (lockfile versions 1, 2 and 3) and
//! `npm-shrinkwrap.json`.
//!
//! Both are JSON and are read with `serde_json`; line numbers come from locating the
//! keys in the text ([`crate::text`]), since a JSON value tree keeps no positions.

use std::collections::{BTreeMap, HashMap};

use serde_json::Value;

use crate::model::{
    DepKind, Ecosystem, LockedPackage, Lockfile, Manifest, ManifestDep, ParseIssue, Source,
};
use crate::text::{json_dep_line, LineIndex};

/// The dependency sections of `package.json` and their kinds.
pub const SECTIONS: [(&str, DepKind); 4] = [
    ("dependencies", DepKind::Normal),
    ("devDependencies", DepKind::Dev),
    ("optionalDependencies", DepKind::Optional),
    ("peerDependencies", DepKind::Peer),
];

/// Parses JSON, turning a syntax error into an issue with its line.
pub fn parse_json(text: &str) -> Result<Value, ParseIssue> {
    serde_json::from_str(text)
        .map_err(|e| ParseIssue::at(Some(e.line() as u64), format!("invalid JSON: {e}")))
}

/// Classifies an npm dependency spec (the value in `package.json`).
pub fn classify_spec(name: &str, spec: &str) -> (String, Source) {
    let s = spec.trim();
    if let Some(rest) = s.strip_prefix("npm:") {
        let (real, _range) = crate::text::split_name_at(rest);
        return (real.to_string(), Source::Registry);
    }
    if s.starts_with("workspace:") {
        return (name.to_string(), Source::Workspace);
    }
    if s.starts_with("file:")
        || s.starts_with("link:")
        || s.starts_with("portal:")
        || s.starts_with("./")
        || s.starts_with("../")
        || s.starts_with('/')
        || s.starts_with("~/")
    {
        return (name.to_string(), Source::Path(s.to_string()));
    }
    let is_git = s.starts_with("git+")
        || s.starts_with("git://")
        || s.starts_with("github:")
        || s.starts_with("gitlab:")
        || s.starts_with("bitbucket:")
        || s.starts_with("gist:")
        || s.ends_with(".git")
        || s.contains(".git#")
        || (s.contains('/')
            && !s.contains(' ')
            && !s.starts_with('@')
            && !s.contains("://")
            && !s.starts_with('<')
            && !s.starts_with('>')
            && !s.starts_with('='));
    if is_git {
        let pinned = s.rsplit_once('#').is_some_and(|(_, frag)| is_commit(frag));
        return (
            name.to_string(),
            Source::Git {
                url: s.to_string(),
                pinned,
            },
        );
    }
    if s.starts_with("http://") || s.starts_with("https://") {
        return (name.to_string(), Source::Url(s.to_string()));
    }
    (name.to_string(), Source::Registry)
}

/// True for a full or abbreviated (7+ hex digits) commit id.
pub fn is_commit(s: &str) -> bool {
    (7..=64).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Parses `package.json`.
pub fn parse_manifest(path: &str, text: &str) -> Result<Manifest, ParseIssue> {
    let v = parse_json(text)?;
    let obj = v
        .as_object()
        .ok_or_else(|| ParseIssue::at(Some(1), "package.json is not a JSON object"))?;
    let idx = LineIndex::new(text);
    let mut m = Manifest {
        path: path.to_string(),
        ecosystem: Some(Ecosystem::Npm),
        format: "package.json",
        name: obj.get("name").and_then(Value::as_str).map(str::to_string),
        ..Manifest::default()
    };
    for (section, kind) in SECTIONS {
        let Some(deps) = obj.get(section).and_then(Value::as_object) else {
            continue;
        };
        for (name, spec) in deps {
            let spec = match spec {
                Value::String(s) => s.clone(),
                Value::Null => String::new(),
                other => other.to_string(),
            };
            let (real_name, source) = classify_spec(name, &spec);
            m.deps.push(ManifestDep {
                name: name.clone(),
                real_name,
                spec,
                kind,
                source,
                line: json_dep_line(text, &idx, section, name),
            });
        }
    }
    match obj.get("workspaces") {
        Some(Value::Array(a)) => {
            m.workspaces = a
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        }
        Some(Value::Object(o)) => {
            if let Some(Value::Array(a)) = o.get("packages") {
                m.workspaces = a
                    .iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect();
            }
        }
        _ => {}
    }
    m.workspace_root = !m.workspaces.is_empty();
    Ok(m)
}

/// Lines of every JSON key that opens an object or array, by key text; a key seen
/// several times keeps all its lines in order.
pub fn object_key_lines(text: &str) -> HashMap<String, Vec<u64>> {
    let mut map: HashMap<String, Vec<u64>> = HashMap::new();
    for (i, line) in text.lines().enumerate() {
        let t = line.trim();
        if !t.starts_with('"') {
            continue;
        }
        if let Some(end) = t[1..].find("\":") {
            let after = t[1 + end + 2..].trim_start();
            if after.starts_with('{') || after.starts_with('[') {
                map.entry(t[1..1 + end].to_string())
                    .or_default()
                    .push(i as u64 + 1);
            }
        }
    }
    map
}

fn string_map(v: Option<&Value>) -> BTreeMap<String, String> {
    v.and_then(Value::as_object)
        .map(|o| {
            o.iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or("").to_string()))
                .collect()
        })
        .unwrap_or_default()
}

fn importer_deps(entry: &Value) -> BTreeMap<String, (String, DepKind)> {
    let mut out = BTreeMap::new();
    for (section, kind) in SECTIONS {
        for (k, v) in string_map(entry.get(section)) {
            out.entry(k).or_insert((v, kind));
        }
    }
    out
}

/// Parses `package-lock.json` / `npm-shrinkwrap.json`.
pub fn parse_lockfile(path: &str, text: &str) -> Result<Lockfile, ParseIssue> {
    let v = parse_json(text)?;
    let obj = v
        .as_object()
        .ok_or_else(|| ParseIssue::at(Some(1), "lockfile is not a JSON object"))?;
    let version = obj
        .get("lockfileVersion")
        .and_then(Value::as_u64)
        .unwrap_or(1);
    let lines = object_key_lines(text);
    let mut lock = Lockfile {
        path: path.to_string(),
        ecosystem: Some(Ecosystem::Npm),
        manager: "npm",
        format_version: Some(version.to_string()),
        knows_dev: true,
        ..Lockfile::default()
    };
    if let Some(packages) = obj.get("packages").and_then(Value::as_object) {
        for (key, entry) in packages {
            if !key.contains("node_modules/") {
                // The root ("") or a workspace member folder.
                lock.importers.insert(key.clone(), importer_deps(entry));
                continue;
            }
            if entry.get("link").and_then(Value::as_bool) == Some(true) {
                continue;
            }
            let last = key
                .rsplit_once("node_modules/")
                .map(|(_, n)| n)
                .unwrap_or(key);
            let name = entry
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or(last)
                .to_string();
            let Some(version) = entry.get("version").and_then(Value::as_str) else {
                continue;
            };
            let resolved = entry.get("resolved").and_then(Value::as_str).unwrap_or("");
            let registry = !(resolved.starts_with("git")
                || resolved.starts_with("file:")
                || version.contains(':')
                || version.contains('/'));
            let mut peers = string_map(entry.get("peerDependencies"));
            if let Some(meta) = entry.get("peerDependenciesMeta").and_then(Value::as_object) {
                for (k, m) in meta {
                    if m.get("optional").and_then(Value::as_bool) == Some(true) {
                        peers.remove(k);
                    }
                }
            }
            let mut deps = string_map(entry.get("dependencies"));
            deps.extend(string_map(entry.get("optionalDependencies")));
            lock.packages.push(LockedPackage {
                name,
                version: version.to_string(),
                line: lines
                    .get(key.as_str())
                    .and_then(|l| l.first().copied())
                    .unwrap_or(1),
                install_path: Some(key.clone()),
                direct: false,
                dev: entry.get("dev").and_then(Value::as_bool) == Some(true),
                install_script: entry.get("hasInstallScript").and_then(Value::as_bool)
                    == Some(true),
                peers,
                deps,
                registry,
            });
        }
        mark_direct(&mut lock);
    } else if let Some(deps) = obj.get("dependencies").and_then(Value::as_object) {
        let mut seen: HashMap<String, usize> = HashMap::new();
        walk_v1(deps, "", &lines, &mut seen, &mut lock.packages, 0);
    }
    Ok(lock)
}

fn walk_v1(
    deps: &serde_json::Map<String, Value>,
    prefix: &str,
    lines: &HashMap<String, Vec<u64>>,
    seen: &mut HashMap<String, usize>,
    out: &mut Vec<LockedPackage>,
    depth: usize,
) {
    if depth > 64 {
        return;
    }
    for (name, entry) in deps {
        let install_path = format!("{prefix}node_modules/{name}");
        let version = entry.get("version").and_then(Value::as_str).unwrap_or("");
        // v1 aliases: "version": "npm:real@1.2.3".
        let (real, version) = match version.strip_prefix("npm:") {
            Some(rest) => {
                let (r, v) = crate::text::split_name_at(rest);
                (r.to_string(), v.to_string())
            }
            None => (name.clone(), version.to_string()),
        };
        let n = seen.entry(name.clone()).or_insert(0);
        let line = lines
            .get(name.as_str())
            .and_then(|l| l.get(*n).or(l.first()).copied())
            .unwrap_or(1);
        *n += 1;
        let registry = !(version.is_empty() || version.contains(':') || version.contains('/'));
        let mut dep_map = string_map(entry.get("requires"));
        if let Some(nested) = entry.get("dependencies").and_then(Value::as_object) {
            for k in nested.keys() {
                dep_map.entry(k.clone()).or_default();
            }
        }
        out.push(LockedPackage {
            name: real,
            version,
            line,
            install_path: Some(install_path.clone()),
            direct: false,
            dev: entry.get("dev").and_then(Value::as_bool) == Some(true),
            install_script: false,
            peers: BTreeMap::new(),
            deps: dep_map,
            registry,
        });
        if let Some(nested) = entry.get("dependencies").and_then(Value::as_object) {
            walk_v1(
                nested,
                &format!("{install_path}/"),
                lines,
                seen,
                out,
                depth + 1,
            );
        }
    }
}

/// Marks packages installed at an importer's top level and named by that importer.
fn mark_direct(lock: &mut Lockfile) {
    for p in &mut lock.packages {
        let Some(ip) = &p.install_path else { continue };
        let Some((base, rest)) = ip.rsplit_once("node_modules/") else {
            continue;
        };
        if rest.contains("node_modules/") {
            continue;
        }
        let importer = base.trim_end_matches('/');
        if let Some(deps) = lock.importers.get(importer) {
            let key = rest;
            if deps.contains_key(key) {
                p.direct = true;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MANIFEST: &str = r#"{
  "name": "app",
  "workspaces": ["packages/*"],
  "dependencies": {
    "react": "^18.2.0",
    "lodash-alias": "npm:lodash@^4.17.21",
    "my-lib": "github:me/my-lib",
    "pinned-lib": "git+https://github.com/me/x.git#0123456789abcdef0123456789abcdef01234567",
    "local": "file:../local",
    "ws-pkg": "workspace:*"
  },
  "devDependencies": {
    "typescript": "5.4.5"
  }
}"#;

    #[test]
    fn manifest_sections_sources_and_lines() {
        let m = parse_manifest("package.json", MANIFEST).unwrap();
        assert_eq!(m.name.as_deref(), Some("app"));
        assert_eq!(m.workspaces, vec!["packages/*"]);
        let get = |n: &str| m.deps.iter().find(|d| d.name == n).unwrap();
        assert_eq!(get("react").line, 5);
        assert_eq!(get("react").source, Source::Registry);
        assert_eq!(get("lodash-alias").real_name, "lodash");
        assert!(matches!(
            get("my-lib").source,
            Source::Git { pinned: false, .. }
        ));
        assert!(matches!(
            get("pinned-lib").source,
            Source::Git { pinned: true, .. }
        ));
        assert!(matches!(get("local").source, Source::Path(_)));
        assert_eq!(get("ws-pkg").source, Source::Workspace);
        assert_eq!(get("typescript").kind, DepKind::Dev);
        assert_eq!(get("typescript").line, 13);
    }

    #[test]
    fn broken_manifest_reports_its_line() {
        let e = parse_manifest("package.json", "{\n \"a\": 1,\n oops\n}").unwrap_err();
        assert_eq!(e.line, Some(3));
    }

    const LOCK_V3: &str = r#"{
  "name": "app",
  "lockfileVersion": 3,
  "requires": true,
  "packages": {
    "": {
      "name": "app",
      "dependencies": { "next": "^14.0.0" },
      "devDependencies": { "esbuild": "^0.19.0" }
    },
    "node_modules/esbuild": {
      "version": "0.19.2",
      "dev": true,
      "hasInstallScript": true
    },
    "node_modules/next": {
      "version": "14.1.0",
      "dependencies": { "postcss": "8.4.31" },
      "peerDependencies": { "react": "^18.2.0", "sass": "^1.3.0" },
      "peerDependenciesMeta": { "sass": { "optional": true } }
    },
    "node_modules/next/node_modules/postcss": {
      "version": "8.4.31"
    },
    "node_modules/postcss": {
      "version": "8.4.38"
    }
  }
}"#;

    #[test]
    fn lock_v3_entries_lines_flags() {
        let l = parse_lockfile("package-lock.json", LOCK_V3).unwrap();
        assert_eq!(l.format_version.as_deref(), Some("3"));
        assert_eq!(l.packages.len(), 4);
        let esb = l.packages.iter().find(|p| p.name == "esbuild").unwrap();
        assert!(esb.dev && esb.install_script && esb.direct);
        assert_eq!(esb.line, 11);
        let next = l.packages.iter().find(|p| p.name == "next").unwrap();
        assert!(next.direct && !next.dev);
        assert_eq!(next.peers.keys().collect::<Vec<_>>(), vec!["react"]);
        let nested = l
            .packages
            .iter()
            .find(|p| p.install_path.as_deref() == Some("node_modules/next/node_modules/postcss"))
            .unwrap();
        assert_eq!(nested.version, "8.4.31");
        assert!(!nested.direct);
        assert_eq!(nested.line, 22);
    }

    #[test]
    fn lock_v1_nested_dependencies() {
        let text = r#"{
  "name": "old",
  "lockfileVersion": 1,
  "dependencies": {
    "debug": {
      "version": "2.6.9",
      "requires": { "ms": "2.0.0" },
      "dependencies": {
        "ms": { "version": "2.0.0" }
      }
    },
    "ms": { "version": "2.1.3", "dev": true },
    "aliased": { "version": "npm:lodash@4.17.20" }
  }
}"#;
        let l = parse_lockfile("package-lock.json", text).unwrap();
        assert_eq!(l.packages.len(), 4);
        assert!(l.packages.iter().any(|p| p.name == "ms"
            && p.version == "2.0.0"
            && p.install_path.as_deref() == Some("node_modules/debug/node_modules/ms")));
        assert!(l
            .packages
            .iter()
            .any(|p| p.name == "lodash" && p.version == "4.17.20"));
        assert!(l.packages.iter().any(|p| p.name == "ms" && p.dev));
    }

    #[test]
    fn lock_garbage_is_an_issue_not_a_panic() {
        assert!(parse_lockfile("p", "[1,2]").is_err());
        assert!(
            parse_lockfile("p", "{\"packages\": {\"node_modules/x\": 3}}")
                .unwrap()
                .packages
                .is_empty()
        );
        assert!(parse_lockfile("p", "{\"dependencies\": {\"x\": []}}").is_ok());
    }
}
