//! `pnpm-lock.yaml`, lockfile formats 5.x, 6.x, 7.x and 9.x.
//!
//! Read with `serde_yaml`. Package keys differ by format (`/name/1.0.0_peer` in 5,
//! `/name@1.0.0(peer@1)` in 6, `name@1.0.0` in 9 with the dependency graph moved to
//! `snapshots`); [`split_key`] handles all three. Line numbers come from a scan of the
//! `packages:` section's keys.

use std::collections::{BTreeMap, HashMap};

use serde_yaml::Value;

use crate::model::{DepKind, Ecosystem, LockedPackage, Lockfile, ParseIssue};

/// Parses a YAML document, turning errors into an issue with its line.
pub fn parse_yaml(text: &str) -> Result<Value, ParseIssue> {
    serde_yaml::from_str(text).map_err(|e| {
        ParseIssue::at(
            e.location().map(|l| l.line() as u64),
            format!("invalid YAML: {e}"),
        )
    })
}

/// Splits a pnpm package key into name and version (peer suffixes removed).
pub fn split_key(key: &str) -> Option<(String, String)> {
    let k = key.strip_prefix('/').unwrap_or(key);
    // Drop v6+/v9 peer suffixes `(react@18.2.0)`.
    let k = match k.find('(') {
        Some(i) => &k[..i],
        None => k,
    };
    let (scope_len, rest) = if let Some(r) = k.strip_prefix('@') {
        let slash = r.find('/')?;
        (slash + 2, &k[slash + 2..])
    } else {
        (0, k)
    };
    let v5 = matches!((rest.find('/'), rest.find('@')), (Some(s), Some(a)) if s < a)
        || (rest.contains('/') && !rest.contains('@'));
    if let (false, Some(at)) = (v5, rest.find('@')) {
        let name = &k[..scope_len + at];
        let version = &rest[at + 1..];
        return Some((name.to_string(), version.to_string()));
    }
    // v5: `/name/1.0.0_peer@1`.
    let slash = rest.rfind('/')?;
    let name = &k[..scope_len + slash];
    let version = &rest[slash + 1..];
    let version = version.split('_').next().unwrap_or(version);
    Some((name.to_string(), version.to_string()))
}

fn as_str_map(v: Option<&Value>) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    if let Some(m) = v.and_then(Value::as_mapping) {
        for (k, v) in m {
            let Some(k) = k.as_str() else { continue };
            let val = match v {
                Value::String(s) => s.clone(),
                Value::Number(n) => n.to_string(),
                Value::Mapping(m) => m
                    .get("version")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string(),
                _ => String::new(),
            };
            out.insert(k.to_string(), val);
        }
    }
    out
}

/// Strips pnpm's peer suffix from a resolved version (`18.2.0(react@18.2.0)`, `1.0.0_x`).
pub fn clean_version(v: &str) -> &str {
    let v = v.split('(').next().unwrap_or(v);
    if v.contains(':') || v.starts_with('/') {
        return v;
    }
    v.split('_').next().unwrap_or(v)
}

fn importer(node: &Value) -> BTreeMap<String, (String, DepKind)> {
    let mut out = BTreeMap::new();
    let specifiers = as_str_map(node.get("specifiers"));
    for (section, kind) in [
        ("dependencies", DepKind::Normal),
        ("devDependencies", DepKind::Dev),
        ("optionalDependencies", DepKind::Optional),
    ] {
        if let Some(m) = node.get(section).and_then(Value::as_mapping) {
            for (k, v) in m {
                let Some(name) = k.as_str() else { continue };
                let spec = match v {
                    Value::Mapping(mm) => mm
                        .get("specifier")
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .to_string(),
                    _ => specifiers.get(name).cloned().unwrap_or_default(),
                };
                out.entry(name.to_string()).or_insert((spec, kind));
            }
        }
    }
    out
}

/// Resolved versions of an importer's direct dependencies (name → version).
fn importer_versions(node: &Value) -> Vec<(String, String, DepKind)> {
    let mut out = Vec::new();
    for (section, kind) in [
        ("dependencies", DepKind::Normal),
        ("devDependencies", DepKind::Dev),
        ("optionalDependencies", DepKind::Optional),
    ] {
        for (k, v) in as_str_map(node.get(section)) {
            out.push((k, clean_version(&v).to_string(), kind));
        }
    }
    out
}

fn package_key_lines(text: &str) -> HashMap<String, u64> {
    let mut map = HashMap::new();
    let mut in_packages = false;
    for (i, line) in text.lines().enumerate() {
        if !line.starts_with(' ') && !line.is_empty() {
            in_packages = line.trim_end() == "packages:";
            continue;
        }
        if in_packages && line.starts_with("  ") && !line.starts_with("   ") {
            let t = line.trim_end();
            if let Some(k) = t.trim().strip_suffix(':') {
                map.insert(crate::text::unquote(k).to_string(), i as u64 + 1);
            }
        }
    }
    map
}

/// Parses `pnpm-lock.yaml`.
pub fn parse_lockfile(path: &str, text: &str) -> Result<Lockfile, ParseIssue> {
    let doc = parse_yaml(text)?;
    if doc.as_mapping().is_none() {
        return Err(ParseIssue::at(
            Some(1),
            "pnpm-lock.yaml is not a YAML mapping",
        ));
    }
    let version = match doc.get("lockfileVersion") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    };
    let mut lock = Lockfile {
        path: path.to_string(),
        ecosystem: Some(Ecosystem::Npm),
        manager: "pnpm",
        format_version: (!version.is_empty()).then_some(version),
        ..Lockfile::default()
    };
    let mut direct: HashMap<(String, String), DepKind> = HashMap::new();
    if let Some(importers) = doc.get("importers").and_then(Value::as_mapping) {
        for (k, node) in importers {
            let dir = k.as_str().unwrap_or(".").to_string();
            lock.importers.insert(dir, importer(node));
            for (n, v, kind) in importer_versions(node) {
                direct.entry((n, v)).or_insert(kind);
            }
        }
    } else {
        lock.importers.insert(".".into(), importer(&doc));
        for (n, v, kind) in importer_versions(&doc) {
            direct.entry((n, v)).or_insert(kind);
        }
    }
    let lines = package_key_lines(text);
    let snapshots = doc.get("snapshots").and_then(Value::as_mapping);
    let mut snap_deps: HashMap<(String, String), BTreeMap<String, String>> = HashMap::new();
    if let Some(snaps) = snapshots {
        for (k, node) in snaps {
            let Some((n, v)) = k.as_str().and_then(split_key) else {
                continue;
            };
            let mut deps = as_str_map(node.get("dependencies"));
            deps.extend(as_str_map(node.get("optionalDependencies")));
            snap_deps.entry((n, v)).or_default().extend(deps);
        }
    }
    let has_dev_flags = doc
        .get("packages")
        .and_then(Value::as_mapping)
        .is_some_and(|m| m.values().any(|v| v.get("dev").is_some()));
    lock.knows_dev = has_dev_flags;
    if let Some(packages) = doc.get("packages").and_then(Value::as_mapping) {
        for (k, node) in packages {
            let Some(key) = k.as_str() else { continue };
            let Some((name, version)) = split_key(key) else {
                continue;
            };
            let resolution = node.get("resolution");
            let registry = !(version.contains(':')
                || resolution.is_some_and(|r| {
                    r.get("tarball").is_some()
                        || r.get("repo").is_some()
                        || r.get("directory").is_some()
                }));
            let mut peers = as_str_map(node.get("peerDependencies"));
            if let Some(meta) = node.get("peerDependenciesMeta").and_then(Value::as_mapping) {
                for (pk, pm) in meta {
                    if pm.get("optional").and_then(Value::as_bool) == Some(true) {
                        if let Some(pk) = pk.as_str() {
                            peers.remove(pk);
                        }
                    }
                }
            }
            let mut deps = as_str_map(node.get("dependencies"));
            deps.extend(as_str_map(node.get("optionalDependencies")));
            if let Some(extra) = snap_deps.get(&(name.clone(), version.clone())) {
                deps.extend(extra.iter().map(|(a, b)| (a.clone(), b.clone())));
            }
            for v in deps.values_mut() {
                *v = clean_version(v).to_string();
            }
            let is_direct = direct.contains_key(&(name.clone(), version.clone()));
            lock.packages.push(LockedPackage {
                line: lines.get(key).copied().unwrap_or(1),
                install_path: None,
                direct: is_direct,
                dev: node.get("dev").and_then(Value::as_bool) == Some(true),
                // pnpm 6-8 also set `requiresBuild` on platform-specific binary packages
                // (`os`/`cpu` fields, e.g. `@esbuild/linux-x64`) that run nothing.
                install_script: node.get("requiresBuild").and_then(Value::as_bool) == Some(true)
                    && node.get("os").is_none()
                    && node.get("cpu").is_none(),
                peers,
                deps,
                registry,
                name,
                version,
            });
        }
    }
    Ok(lock)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_of_every_format() {
        let s = |k| split_key(k).unwrap();
        assert_eq!(s("/lodash/4.17.21"), ("lodash".into(), "4.17.21".into()));
        assert_eq!(
            s("/@babel/core/7.22.0_supports-color@5.5.0"),
            ("@babel/core".into(), "7.22.0".into())
        );
        assert_eq!(
            s("/next@14.1.0(react-dom@18.2.0)(react@18.2.0)"),
            ("next".into(), "14.1.0".into())
        );
        assert_eq!(
            s("@types/node@20.11.0"),
            ("@types/node".into(), "20.11.0".into())
        );
        assert!(split_key("nonsense").is_none());
    }

    const V9: &str = "lockfileVersion: '9.0'

settings:
  autoInstallPeers: true

importers:

  .:
    dependencies:
      next:
        specifier: ^14.0.0
        version: 14.1.0(react@18.2.0)
      react:
        specifier: ^18.2.0
        version: 18.2.0
    devDependencies:
      typescript:
        specifier: 5.3.3
        version: 5.3.3

packages:

  next@14.1.0:
    resolution: {integrity: sha512-x}
    peerDependencies:
      react: ^18.2.0

  react@18.2.0:
    resolution: {integrity: sha512-y}

  typescript@5.3.3:
    resolution: {integrity: sha512-z}

  loose-envify@1.4.0:
    resolution: {integrity: sha512-w}

snapshots:

  next@14.1.0(react@18.2.0):
    dependencies:
      react: 18.2.0

  react@18.2.0:
    dependencies:
      loose-envify: 1.4.0

  typescript@5.3.3: {}

  loose-envify@1.4.0: {}
";

    #[test]
    fn v9_importers_packages_snapshots() {
        let l = parse_lockfile("pnpm-lock.yaml", V9).unwrap();
        assert_eq!(l.format_version.as_deref(), Some("9.0"));
        assert_eq!(l.packages.len(), 4);
        let next = l.packages.iter().find(|p| p.name == "next").unwrap();
        assert!(next.direct);
        assert_eq!(next.line, 23);
        assert_eq!(next.peers.get("react").map(String::as_str), Some("^18.2.0"));
        let react = l.packages.iter().find(|p| p.name == "react").unwrap();
        assert_eq!(
            react.deps.get("loose-envify").map(String::as_str),
            Some("1.4.0")
        );
        let le = l
            .packages
            .iter()
            .find(|p| p.name == "loose-envify")
            .unwrap();
        assert!(!le.direct);
        assert_eq!(
            l.importers["."]["typescript"],
            ("5.3.3".to_string(), DepKind::Dev)
        );
    }

    #[test]
    fn v6_dev_flags_and_requires_build() {
        let t = "lockfileVersion: '6.0'
dependencies:
  esbuild:
    specifier: ^0.19.0
    version: 0.19.2
packages:
  /esbuild@0.19.2:
    resolution: {integrity: sha512-a}
    requiresBuild: true
    dev: false
  /vitest@1.0.0:
    resolution: {integrity: sha512-b}
    dev: true
  /@esbuild/linux-x64@0.19.2:
    resolution: {integrity: sha512-c}
    cpu: [x64]
    os: [linux]
    requiresBuild: true
    optional: true
";
        let l = parse_lockfile("pnpm-lock.yaml", t).unwrap();
        assert!(l.knows_dev);
        let e = l.packages.iter().find(|p| p.name == "esbuild").unwrap();
        assert!(e.install_script && e.direct && !e.dev);
        assert_eq!(e.line, 7);
        assert!(l.packages.iter().any(|p| p.name == "vitest" && p.dev));
        let plat = l
            .packages
            .iter()
            .find(|p| p.name == "@esbuild/linux-x64")
            .unwrap();
        assert!(!plat.install_script);
    }

    #[test]
    fn bad_yaml_has_a_line() {
        let e = parse_lockfile("p", "a: [\n  b: }\n").unwrap_err();
        assert!(e.line.is_some());
        assert!(parse_lockfile("p", "- 1\n- 2\n").is_err());
    }
}
