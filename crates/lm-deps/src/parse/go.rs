//! `go.mod` and `go.sum`, read by hand: both are line formats with no maintained Rust
//! parser. `go.mod` directives `module`, `require` (single or block), `replace` and
//! `exclude` are understood; since Go builds use exactly the versions `go.mod` requires,
//! its requirements are also the resolved versions checked against advisories.
//! `go.sum` lines are `module version[/go.mod] hash`.

use std::collections::BTreeMap;

use crate::model::{
    DepKind, Ecosystem, LockedPackage, Lockfile, Manifest, ManifestDep, ParseIssue, Source,
};

/// Parses `go.mod` into a manifest and the resolved versions it fixes.
pub fn parse_go_mod(path: &str, text: &str) -> (Manifest, Lockfile, Vec<ParseIssue>) {
    let mut m = Manifest {
        path: path.to_string(),
        ecosystem: Some(Ecosystem::Go),
        format: "go.mod",
        self_locking: true,
        ..Manifest::default()
    };
    let mut lock = Lockfile {
        path: path.to_string(),
        ecosystem: Some(Ecosystem::Go),
        manager: "go",
        ..Lockfile::default()
    };
    let mut issues = Vec::new();
    let mut block: Option<String> = None;
    let mut replaced: BTreeMap<String, Source> = BTreeMap::new();
    for (i, raw) in text.lines().enumerate() {
        let line_no = i as u64 + 1;
        let (code, comment) = match raw.find("//") {
            Some(c) => (&raw[..c], raw[c + 2..].trim()),
            None => (raw, ""),
        };
        let code = code.trim();
        if code.is_empty() {
            continue;
        }
        let (directive, rest) = if let Some(b) = &block {
            if code == ")" {
                block = None;
                continue;
            }
            (b.clone(), code.to_string())
        } else {
            let (d, r) = code.split_once(char::is_whitespace).unwrap_or((code, ""));
            let r = r.trim();
            if r == "(" {
                block = Some(d.to_string());
                continue;
            }
            (d.to_string(), r.to_string())
        };
        match directive.as_str() {
            "module" => m.name = Some(rest.trim_matches('"').to_string()),
            "require" => {
                let mut parts = rest.split_whitespace();
                let (Some(module), Some(version)) = (parts.next(), parts.next()) else {
                    issues.push(ParseIssue::at(
                        Some(line_no),
                        format!("malformed require `{rest}`"),
                    ));
                    continue;
                };
                let module = module.trim_matches('"');
                let indirect = comment.split(';').any(|c| c.trim() == "indirect");
                m.deps.push(ManifestDep {
                    name: module.into(),
                    real_name: module.into(),
                    spec: version.into(),
                    kind: DepKind::Normal,
                    source: Source::Registry,
                    line: line_no,
                });
                lock.packages.push(LockedPackage {
                    name: module.into(),
                    version: version.into(),
                    line: line_no,
                    direct: !indirect,
                    registry: true,
                    ..LockedPackage::default()
                });
            }
            "replace" => {
                if let Some((from, to)) = rest.split_once("=>") {
                    let from_mod = from.split_whitespace().next().unwrap_or("").to_string();
                    let to = to.trim();
                    let src = if to.starts_with('.') || to.starts_with('/') {
                        Source::Path(to.to_string())
                    } else {
                        Source::Registry
                    };
                    replaced.insert(from_mod, src);
                }
            }
            "go" | "toolchain" | "exclude" | "retract" | "godebug" | "tool" | "ignore" => {}
            other => issues.push(ParseIssue::at(
                Some(line_no),
                format!("unknown go.mod directive `{other}`"),
            )),
        }
    }
    for d in &mut m.deps {
        if let Some(s) = replaced.get(&d.name) {
            d.source = s.clone();
        }
    }
    lock.packages
        .retain(|p| !matches!(replaced.get(&p.name), Some(Source::Path(_))));
    (m, lock, issues)
}

/// Parses `go.sum` into the module versions it records (the `/go.mod`-only lines are
/// kept too: they name versions the build graph considered).
pub fn parse_go_sum(path: &str, text: &str) -> (Lockfile, Vec<ParseIssue>) {
    let mut lock = Lockfile {
        path: path.to_string(),
        ecosystem: Some(Ecosystem::Go),
        manager: "go",
        ..Lockfile::default()
    };
    let mut issues = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let t = raw.trim();
        if t.is_empty() {
            continue;
        }
        let parts: Vec<&str> = t.split_whitespace().collect();
        if parts.len() != 3 || !parts[2].starts_with("h1:") {
            issues.push(ParseIssue::at(Some(i as u64 + 1), "malformed go.sum line"));
            continue;
        }
        let version = parts[1].strip_suffix("/go.mod").unwrap_or(parts[1]);
        if lock
            .packages
            .last()
            .is_some_and(|p| p.name == parts[0] && p.version == version)
        {
            continue;
        }
        lock.packages.push(LockedPackage {
            name: parts[0].into(),
            version: version.into(),
            line: i as u64 + 1,
            registry: true,
            ..LockedPackage::default()
        });
    }
    (lock, issues)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_mod_blocks_indirect_replace() {
        let t = "module example.com/app\n\ngo 1.22\n\nrequire github.com/gin-gonic/gin v1.9.0\n\nrequire (\n\tgolang.org/x/net v0.17.0 // indirect\n\tgithub.com/me/local v0.0.0\n)\n\nreplace github.com/me/local => ../local\n";
        let (m, l, issues) = parse_go_mod("go.mod", t);
        assert!(issues.is_empty(), "{issues:?}");
        assert_eq!(m.name.as_deref(), Some("example.com/app"));
        assert_eq!(m.deps.len(), 3);
        assert_eq!(l.packages.len(), 2);
        assert!(l.packages[0].direct && !l.packages[1].direct);
        assert_eq!(l.packages[1].line, 8);
        assert!(matches!(m.deps[2].source, Source::Path(_)));
    }

    #[test]
    fn go_sum_lines() {
        let t = "golang.org/x/net v0.17.0 h1:abc=\ngolang.org/x/net v0.17.0/go.mod h1:def=\nbroken line\n";
        let (l, issues) = parse_go_sum("go.sum", t);
        assert_eq!(l.packages.len(), 1);
        assert_eq!(issues.len(), 1);
        assert_eq!(issues[0].line, Some(3));
    }
}
