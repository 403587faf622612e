//! `bun.lock`, Bun's text lockfile (JSONC: JSON with comments and trailing commas).
//!
//! Comments and trailing commas are blanked out ([`crate::text::strip_jsonc`], line
//! numbers kept) and the rest is read with `serde_json`. Each `packages` entry is an
//! array whose first element is the `name@version` it resolved to; workspaces are the
//! importers. The binary `bun.lockb` is not read.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::model::{DepKind, Ecosystem, LockedPackage, Lockfile, ParseIssue};
use crate::parse::npm::{object_key_lines, parse_json, SECTIONS};
use crate::text::split_name_at;

fn string_map(v: Option<&Value>) -> BTreeMap<String, String> {
    v.and_then(Value::as_object)
        .map(|o| {
            o.iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or("").to_string()))
                .collect()
        })
        .unwrap_or_default()
}

/// Parses `bun.lock`.
pub fn parse_lockfile(path: &str, text: &str) -> Result<Lockfile, ParseIssue> {
    let clean = crate::text::strip_jsonc(text);
    let v = parse_json(&clean)?;
    let obj = v
        .as_object()
        .ok_or_else(|| ParseIssue::at(Some(1), "bun.lock is not a JSON object"))?;
    let mut lock = Lockfile {
        path: path.to_string(),
        ecosystem: Some(Ecosystem::Npm),
        manager: "bun",
        format_version: obj.get("lockfileVersion").map(|v| v.to_string()),
        ..Lockfile::default()
    };
    if let Some(ws) = obj.get("workspaces").and_then(Value::as_object) {
        for (dir, node) in ws {
            let mut imp = BTreeMap::new();
            for (section, kind) in SECTIONS {
                for (k, v) in string_map(node.get(section)) {
                    imp.entry(k).or_insert((v, kind));
                }
            }
            lock.importers.insert(
                if dir.is_empty() {
                    ".".into()
                } else {
                    dir.clone()
                },
                imp,
            );
        }
    }
    let lines = object_key_lines(&clean);
    let trusted: Vec<String> = obj
        .get("trustedDependencies")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    if let Some(packages) = obj.get("packages").and_then(Value::as_object) {
        for (key, entry) in packages {
            let Some(arr) = entry.as_array() else {
                continue;
            };
            let Some(ident) = arr.first().and_then(Value::as_str) else {
                continue;
            };
            let (name, version) = split_name_at(ident);
            if version.starts_with("workspace:")
                || version.starts_with("link:")
                || version.is_empty()
            {
                continue;
            }
            let registry = !version.contains(':') && !version.contains('/');
            let meta = arr.iter().find(|v| v.is_object());
            let mut deps = string_map(meta.and_then(|m| m.get("dependencies")));
            deps.extend(string_map(meta.and_then(|m| m.get("optionalDependencies"))));
            let mut peers = string_map(meta.and_then(|m| m.get("peerDependencies")));
            if let Some(opt) = meta
                .and_then(|m| m.get("optionalPeers"))
                .and_then(Value::as_array)
            {
                for o in opt.iter().filter_map(Value::as_str) {
                    peers.remove(o);
                }
            }
            let direct =
                !key.contains('/') || (key.starts_with('@') && key.matches('/').count() == 1);
            let direct = direct
                && lock
                    .importers
                    .values()
                    .any(|i| i.contains_key(key.as_str()));
            lock.packages.push(LockedPackage {
                name: name.to_string(),
                version: version.to_string(),
                line: lines
                    .get(key.as_str())
                    .and_then(|l| l.first().copied())
                    .unwrap_or(1),
                install_path: Some(key.clone()),
                direct,
                dev: false,
                install_script: trusted.iter().any(|t| t == name),
                peers,
                deps,
                registry,
            });
        }
    }
    let _ = DepKind::Normal;
    Ok(lock)
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOCK: &str = r#"{
  "lockfileVersion": 1,
  // a comment
  "workspaces": {
    "": {
      "name": "app",
      "dependencies": {
        "react": "^18.2.0",
      },
      "devDependencies": {
        "esbuild": "^0.20.0",
      },
    },
  },
  "trustedDependencies": ["esbuild"],
  "packages": {
    "esbuild": ["esbuild@0.20.2", "", { "optionalDependencies": { "@esbuild/linux-x64": "0.20.2" } }, "sha512-a"],
    "react": ["react@18.2.0", "", { "dependencies": { "loose-envify": "^1.1.0" } }, "sha512-b"],
    "loose-envify": ["loose-envify@1.4.0", "", {}, "sha512-c"],
    "foo/react": ["react@17.0.2", "", {}, "sha512-d"],
  }
}
"#;

    #[test]
    fn jsonc_lock_reads() {
        let l = parse_lockfile("bun.lock", LOCK).unwrap();
        assert_eq!(l.packages.len(), 4);
        let r = l
            .packages
            .iter()
            .find(|p| p.name == "react" && p.version == "18.2.0")
            .unwrap();
        assert!(r.direct);
        assert_eq!(r.line, 18);
        let nested = l.packages.iter().find(|p| p.version == "17.0.2").unwrap();
        assert!(!nested.direct);
        assert!(
            l.packages
                .iter()
                .find(|p| p.name == "esbuild")
                .unwrap()
                .install_script
        );
        assert_eq!(l.importers["."]["esbuild"].1, DepKind::Dev);
    }

    #[test]
    fn broken_bun_lock_is_an_issue() {
        let e = parse_lockfile(
            "bun.lock",
            "{\n\"packages\": {\n  \"a\": [\"a@1\" \"x\"]\n}}",
        )
        .unwrap_err();
        assert_eq!(e.line, Some(3));
    }
}
