//! `Cargo.toml` and `Cargo.lock`, read with `toml` (the `cargo-lock` crate was not
//! used: it keeps no positions and the format is a flat `[[package]]` list that serde
//! reads directly).

use std::collections::BTreeMap;

use toml::Value;

use crate::model::{
    DepKind, Ecosystem, LockedPackage, Lockfile, Manifest, ManifestDep, ParseIssue, Source,
};
use crate::parse::npm::is_commit;
use crate::parse::python::parse_toml;
use crate::text::{toml_header_offset, toml_key_line, LineIndex};

fn dep(name: &str, v: &Value, kind: DepKind, line: u64) -> ManifestDep {
    let mut real = name.to_string();
    let (spec, source, kind) = match v {
        Value::String(s) => (s.clone(), Source::Registry, kind),
        Value::Table(t) => {
            let get = |k: &str| t.get(k).and_then(Value::as_str).map(str::to_string);
            if let Some(p) = get("package") {
                real = p;
            }
            let kind = if t.get("optional").and_then(Value::as_bool) == Some(true)
                && kind == DepKind::Normal
            {
                DepKind::Optional
            } else {
                kind
            };
            if t.get("workspace").and_then(Value::as_bool) == Some(true) {
                (String::new(), Source::Workspace, kind)
            } else if let Some(g) = get("git") {
                let pinned = get("rev").is_some_and(|r| is_commit(&r));
                (g.clone(), Source::Git { url: g, pinned }, kind)
            } else if let Some(p) = get("path") {
                // A path dependency may also carry a version used when published.
                (p.clone(), Source::Path(p), kind)
            } else {
                (get("version").unwrap_or_default(), Source::Registry, kind)
            }
        }
        _ => (String::new(), Source::Registry, kind),
    };
    ManifestDep {
        name: name.to_string(),
        real_name: real,
        spec,
        kind,
        source,
        line,
    }
}

/// Parses `Cargo.toml`.
pub fn parse_manifest(path: &str, text: &str) -> Result<Manifest, ParseIssue> {
    let doc = parse_toml(text)?;
    let idx = LineIndex::new(text);
    let mut m = Manifest {
        path: path.to_string(),
        ecosystem: Some(Ecosystem::Cargo),
        format: "Cargo.toml",
        name: doc
            .get("package")
            .and_then(|p| p.get("name"))
            .and_then(Value::as_str)
            .map(str::to_string),
        ..Manifest::default()
    };
    let mut tables: Vec<(String, &toml::Table, DepKind)> = Vec::new();
    for (section, kind) in [
        ("dependencies", DepKind::Normal),
        ("dev-dependencies", DepKind::Dev),
        ("build-dependencies", DepKind::Build),
    ] {
        if let Some(t) = doc.get(section).and_then(Value::as_table) {
            tables.push((section.to_string(), t, kind));
        }
    }
    if let Some(targets) = doc.get("target").and_then(Value::as_table) {
        for (cfg, node) in targets {
            for (section, kind) in [
                ("dependencies", DepKind::Normal),
                ("dev-dependencies", DepKind::Dev),
                ("build-dependencies", DepKind::Build),
            ] {
                if let Some(t) = node.get(section).and_then(Value::as_table) {
                    tables.push((format!("target.{cfg}.{section}"), t, kind));
                }
            }
        }
    }
    if let Some(ws) = doc.get("workspace") {
        m.workspace_root = true;
        if let Some(t) = ws.get("dependencies").and_then(Value::as_table) {
            tables.push(("workspace.dependencies".into(), t, DepKind::Normal));
        }
        m.workspaces = ws
            .get("members")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default();
    }
    for (header, t, kind) in tables {
        let from = toml_header_offset(text, &header).unwrap_or(0);
        for (name, v) in t {
            let line = toml_key_line(text, &idx, name, from)
                .or_else(|| crate::text::find_line(text, &idx, &format!("{header}.{name}]"), 0))
                .unwrap_or(1);
            m.deps.push(dep(name, v, kind, line));
        }
    }
    Ok(m)
}

/// Parses `Cargo.lock`.
pub fn parse_lockfile(path: &str, text: &str) -> Result<Lockfile, ParseIssue> {
    let doc = parse_toml(text)?;
    let mut lock = Lockfile {
        path: path.to_string(),
        ecosystem: Some(Ecosystem::Cargo),
        manager: "cargo",
        format_version: doc.get("version").map(|v| v.to_string()),
        ..Lockfile::default()
    };
    let mut lines = Vec::new();
    let mut want = false;
    for (i, l) in text.lines().enumerate() {
        let t = l.trim();
        if t == "[[package]]" {
            want = true;
        } else if want && t.starts_with("name") {
            lines.push(i as u64 + 1);
            want = false;
        }
    }
    let pkgs: Vec<&toml::Table> = doc
        .get("package")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_table).collect())
        .unwrap_or_default();
    let mut roots: BTreeMap<String, (String, DepKind)> = BTreeMap::new();
    for (i, p) in pkgs.into_iter().enumerate() {
        let (Some(name), Some(version)) = (
            p.get("name").and_then(Value::as_str),
            p.get("version").and_then(Value::as_str),
        ) else {
            continue;
        };
        let source = p.get("source").and_then(Value::as_str);
        let deps: BTreeMap<String, String> = p
            .get("dependencies")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(|d| {
                let mut it = d.split(' ');
                (
                    it.next().unwrap_or("").to_string(),
                    it.next().unwrap_or("").to_string(),
                )
            })
            .collect();
        if source.is_none() {
            // A workspace member or path dependency: a root of the graph.
            for k in deps.keys() {
                roots
                    .entry(k.clone())
                    .or_insert((String::new(), DepKind::Normal));
            }
            continue;
        }
        let registry =
            source.is_some_and(|s| s.starts_with("registry+") || s.starts_with("sparse+"));
        lock.packages.push(LockedPackage {
            name: name.to_string(),
            version: version.to_string(),
            line: lines.get(i).copied().unwrap_or(1),
            deps,
            registry,
            ..LockedPackage::default()
        });
    }
    for p in &mut lock.packages {
        p.direct = roots.contains_key(&p.name);
    }
    lock.importers.insert(".".into(), roots);
    Ok(lock)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifest_tables() {
        let t = "[package]\nname = \"app\"\n\n[dependencies]\nserde = { version = \"1\", features = [\"derive\"] }\nrand = \"*\"\nmine = { git = \"https://github.com/me/mine\" }\nlocal = { path = \"../local\" }\n\n[dev-dependencies]\ntempfile = \"3\"\n\n[target.'cfg(unix)'.dependencies]\nlibc = \"0.2\"\n";
        let m = parse_manifest("Cargo.toml", t).unwrap();
        let get = |n: &str| m.deps.iter().find(|d| d.name == n).unwrap();
        assert_eq!(get("serde").spec, "1");
        assert_eq!(get("serde").line, 5);
        assert_eq!(get("rand").spec, "*");
        assert!(matches!(
            get("mine").source,
            Source::Git { pinned: false, .. }
        ));
        assert!(matches!(get("local").source, Source::Path(_)));
        assert_eq!(get("tempfile").kind, DepKind::Dev);
        assert_eq!(get("libc").line, 14);
    }

    #[test]
    fn lockfile_roots_and_lines() {
        let t = "version = 3\n\n[[package]]\nname = \"app\"\nversion = \"0.1.0\"\ndependencies = [\n \"smallvec\",\n]\n\n[[package]]\nname = \"smallvec\"\nversion = \"1.6.0\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n\n[[package]]\nname = \"other\"\nversion = \"0.1.0\"\nsource = \"git+https://github.com/x/y#abc\"\n";
        let l = parse_lockfile("Cargo.lock", t).unwrap();
        assert_eq!(l.packages.len(), 2);
        assert_eq!(
            (
                l.packages[0].line,
                l.packages[0].direct,
                l.packages[0].registry
            ),
            (11, true, true)
        );
        assert!(!l.packages[1].registry);
        assert!(parse_lockfile("Cargo.lock", "[[package]\n").is_err());
    }
}
