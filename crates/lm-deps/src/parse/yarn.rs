//! `yarn.lock`, both the classic (v1) format and Berry's (v2+, YAML).
//!
//! Written by hand: the v1 format is not YAML (`key "value"` pairs, comma-separated
//! descriptor lists as keys), and one indentation-driven reader covers both formats
//! with exact line numbers. Top-level lines are entry headers (`"a@^1", a@~1.2:`),
//! two-space lines are fields (`version "1.2.3"` or `version: 1.2.3`), four-space lines
//! belong to the field above (`dependencies:`). Berry's `__metadata` entry, workspace
//! entries (`@workspace:`) and non-registry resolutions are recognised.

use std::collections::BTreeMap;

use crate::model::{DepKind, Ecosystem, LockedPackage, Lockfile, ParseIssue};
use crate::text::{split_name_at, unquote};

#[derive(Default)]
struct Entry {
    descriptors: Vec<String>,
    line: u64,
    fields: BTreeMap<String, String>,
    blocks: BTreeMap<String, BTreeMap<String, String>>,
}

fn split_field(t: &str) -> (String, String) {
    // Berry: `key: value`; v1: `key value`. Keys may be quoted.
    let t = t.trim();
    let (k, v) = if let Some(rest) = t.strip_prefix('"') {
        match rest.find('"') {
            Some(end) => (&rest[..end], rest[end + 1..].trim_start()),
            None => (rest, ""),
        }
    } else {
        match t.find([' ', ':']) {
            Some(i) => (&t[..i], &t[i..]),
            None => (t, ""),
        }
    };
    let v = v.strip_prefix(':').unwrap_or(v).trim();
    (k.to_string(), unquote(v).to_string())
}

fn parse_entries(text: &str) -> (Vec<Entry>, Vec<ParseIssue>) {
    let mut entries: Vec<Entry> = Vec::new();
    let mut issues = Vec::new();
    let mut block: Option<String> = None;
    for (i, raw) in text.lines().enumerate() {
        let line_no = i as u64 + 1;
        let line = raw.trim_end();
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        let indent = line.len() - line.trim_start().len();
        if indent == 0 {
            block = None;
            let Some(header) = line.strip_suffix(':') else {
                issues.push(ParseIssue::at(
                    Some(line_no),
                    format!(
                        "expected an entry header ending in `:`, found `{}`",
                        crate::text::unquote(line)
                            .chars()
                            .take(60)
                            .collect::<String>()
                    ),
                ));
                continue;
            };
            let descriptors = header
                .split(", ")
                .map(|d| unquote(d.trim()).to_string())
                .filter(|d| !d.is_empty())
                .collect();
            entries.push(Entry {
                descriptors,
                line: line_no,
                ..Entry::default()
            });
        } else if let Some(entry) = entries.last_mut() {
            if indent <= 2 {
                let t = line.trim();
                if let Some(name) = t
                    .strip_suffix(':')
                    .filter(|n| !n.contains(' ') || n.starts_with('"'))
                {
                    let name = unquote(name).to_string();
                    block = Some(name.clone());
                    entry.blocks.entry(name).or_default();
                    continue;
                }
                block = None;
                let (k, v) = split_field(t);
                entry.fields.insert(k, v);
            } else if let Some(b) = &block {
                let (k, v) = split_field(line);
                entry.blocks.entry(b.clone()).or_default().insert(k, v);
            }
        } else {
            issues.push(ParseIssue::at(
                Some(line_no),
                "indented line before any entry",
            ));
        }
    }
    (entries, issues)
}

/// Parses `yarn.lock`. Malformed lines become issues; the rest is still read.
pub fn parse_lockfile(path: &str, text: &str) -> (Lockfile, Vec<ParseIssue>) {
    let (entries, issues) = parse_entries(text);
    let berry = entries
        .iter()
        .any(|e| e.descriptors.iter().any(|d| d == "__metadata"));
    let mut lock = Lockfile {
        path: path.to_string(),
        ecosystem: Some(Ecosystem::Npm),
        manager: "yarn",
        format_version: Some(if berry {
            entries
                .iter()
                .find(|e| e.descriptors.iter().any(|d| d == "__metadata"))
                .and_then(|e| e.fields.get("version").cloned())
                .map(|v| format!("berry-{v}"))
                .unwrap_or_else(|| "berry".into())
        } else {
            "1".into()
        }),
        ..Lockfile::default()
    };
    for e in entries {
        if e.descriptors.iter().any(|d| d == "__metadata") {
            continue;
        }
        let Some(first) = e.descriptors.first() else {
            continue;
        };
        let (name, _) = split_name_at(first);
        let name = name.to_string();
        let resolution = e.fields.get("resolution").cloned().unwrap_or_default();
        let deps: BTreeMap<String, String> = ["dependencies", "optionalDependencies"]
            .iter()
            .filter_map(|b| e.blocks.get(*b))
            .flatten()
            .map(|(k, v)| (k.clone(), v.strip_prefix("npm:").unwrap_or(v).to_string()))
            .collect();
        if resolution.contains("@workspace:") {
            let dir = resolution
                .rsplit_once("@workspace:")
                .map(|(_, d)| d)
                .unwrap_or(".");
            let imp = deps
                .iter()
                .map(|(k, v)| (k.clone(), (v.clone(), DepKind::Normal)))
                .collect();
            lock.importers.insert(dir.to_string(), imp);
            continue;
        }
        let Some(version) = e.fields.get("version").cloned() else {
            continue;
        };
        if e.fields.get("linkType").map(String::as_str) == Some("soft") {
            continue;
        }
        let registry = if berry {
            resolution.is_empty() || resolution.contains("@npm:")
        } else {
            let r = e.fields.get("resolved").map(String::as_str).unwrap_or("");
            !(r.starts_with("git")
                || r.starts_with("file:")
                || r.contains("codeload.github.com")
                || first.contains("@file:")
                || first.contains("@link:"))
        };
        let mut peers = e
            .blocks
            .get("peerDependencies")
            .cloned()
            .unwrap_or_default();
        if let Some(meta) = e.blocks.get("peerDependenciesMeta") {
            // Berry writes `name:` then `optional: true` one level deeper; the flat block
            // reader keeps only the names, so treat every name there as optional.
            for k in meta.keys() {
                peers.remove(k);
            }
        }
        lock.packages.push(LockedPackage {
            name,
            version,
            line: e.line,
            install_path: None,
            direct: false,
            dev: false,
            install_script: false,
            peers,
            deps,
            registry,
        });
    }
    // Patched copies (Berry `patch:` protocol) duplicate their base entry.
    lock.packages
        .dedup_by(|a, b| a.name == b.name && a.version == b.version);
    (lock, issues)
}

#[cfg(test)]
mod tests {
    use super::*;

    const V1: &str = r#"# THIS IS AN AUTOGENERATED FILE. DO NOT EDIT THIS FILE DIRECTLY.
# yarn lockfile v1


"@babel/code-frame@^7.0.0", "@babel/code-frame@^7.10.4":
  version "7.12.13"
  resolved "https://registry.yarnpkg.com/@babel/code-frame/-/code-frame-7.12.13.tgz#dcfc"
  integrity sha512-abc
  dependencies:
    "@babel/highlight" "^7.12.13"

lodash@^4.17.20:
  version "4.17.20"
  resolved "https://registry.yarnpkg.com/lodash/-/lodash-4.17.20.tgz#b44a"

my-fork@github:me/fork:
  version "1.0.0"
  resolved "https://codeload.github.com/me/fork/tar.gz/abc"
"#;

    #[test]
    fn classic_entries() {
        let (l, issues) = parse_lockfile("yarn.lock", V1);
        assert!(issues.is_empty(), "{issues:?}");
        assert_eq!(l.format_version.as_deref(), Some("1"));
        assert_eq!(l.packages.len(), 3);
        let cf = &l.packages[0];
        assert_eq!(
            (cf.name.as_str(), cf.version.as_str(), cf.line),
            ("@babel/code-frame", "7.12.13", 5)
        );
        assert_eq!(
            cf.deps.get("@babel/highlight").map(String::as_str),
            Some("^7.12.13")
        );
        assert_eq!(l.packages[1].line, 12);
        assert!(l.packages[1].registry);
        assert!(!l.packages[2].registry);
    }

    const BERRY: &str = r#"# This file is generated by running "yarn install" inside your project.

__metadata:
  version: 8
  cacheKey: 10c0

"app@workspace:.":
  version: 0.0.0-use.local
  resolution: "app@workspace:."
  dependencies:
    react: "npm:^18.2.0"
  languageName: unknown
  linkType: soft

"react@npm:^18.2.0":
  version: 18.2.0
  resolution: "react@npm:18.2.0"
  dependencies:
    loose-envify: "npm:^1.1.0"
  peerDependencies:
    scheduler: ^0.23.0
  peerDependenciesMeta:
    scheduler:
      optional: true
  checksum: 10c0/b9214a
  languageName: node
  linkType: hard
"#;

    #[test]
    fn berry_entries_and_workspaces() {
        let (l, issues) = parse_lockfile("yarn.lock", BERRY);
        assert!(issues.is_empty(), "{issues:?}");
        assert_eq!(l.format_version.as_deref(), Some("berry-8"));
        assert_eq!(l.packages.len(), 1);
        let r = &l.packages[0];
        assert_eq!(
            (r.name.as_str(), r.version.as_str(), r.line),
            ("react", "18.2.0", 15)
        );
        assert_eq!(
            r.deps.get("loose-envify").map(String::as_str),
            Some("^1.1.0")
        );
        assert!(r.peers.is_empty());
        assert_eq!(l.importers["."]["react"].0, "^18.2.0");
    }

    #[test]
    fn garbage_lines_are_issues() {
        let (l, issues) = parse_lockfile(
            "yarn.lock",
            "  stray\nnot a header\nok@1:\n  version \"1.0.0\"\n",
        );
        assert_eq!(issues.len(), 2);
        assert_eq!(issues[0].line, Some(1));
        assert_eq!(l.packages.len(), 1);
    }
}
