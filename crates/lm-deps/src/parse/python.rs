//! Python: `requirements*.txt`, `pyproject.toml` (PEP 621, PEP 735 dependency groups,
//! Poetry, uv), `poetry.lock`, `uv.lock`, `Pipfile`, `Pipfile.lock`.
//!
//! Requirement strings are parsed with `pep508_rs`. The requirements-file layer around
//! them (line continuations, comments, `-r`/`-c` includes, `-e`, `--hash` options, bare
//! VCS URLs with `#egg=`) is read by hand here, since no maintained crate parses pip's
//! file format. TOML files are read with `toml`, JSON with `serde_json`; line numbers
//! come from locating keys and strings in the text.

use std::collections::BTreeMap;
use std::str::FromStr;

use pep508_rs::{Requirement, VerbatimUrl, VersionOrUrl};
use serde_json::Value as Json;
use toml::Value;

use crate::model::{
    normalise_pypi, DepKind, Ecosystem, LockedPackage, Lockfile, Manifest, ManifestDep, ParseIssue,
    Source,
};
use crate::parse::npm::{is_commit, object_key_lines, parse_json};
use crate::text::{find_line, toml_header_offset, toml_key_line, LineIndex};

/// Parses TOML, turning a syntax error into an issue with its line.
pub fn parse_toml(text: &str) -> Result<toml::Table, ParseIssue> {
    toml::from_str::<toml::Table>(text).map_err(|e| {
        let line = e.span().map(|s| LineIndex::new(text).line_of(s.start));
        ParseIssue::at(line, format!("invalid TOML: {}", e.message()))
    })
}

fn git_source(url: &str) -> Source {
    // `git+https://host/repo.git@<rev>#egg=x` or `...@<rev>`.
    let no_frag = url.split('#').next().unwrap_or(url);
    let after_host = no_frag.split_once("://").map(|(_, r)| r).unwrap_or(no_frag);
    let rev = after_host
        .rsplit_once('@')
        .map(|(_, r)| r)
        .filter(|r| !r.contains('/'));
    Source::Git {
        url: url.to_string(),
        pinned: rev.is_some_and(is_commit),
    }
}

/// Reads one PEP 508 requirement string into a dependency (`None` when it does not
/// parse; the message says why).
pub fn pep508_dep(req: &str, kind: DepKind, line: u64) -> Result<ManifestDep, String> {
    let req = req.trim();
    // pep508_rs 0.9 panics on some names that its own grammar accepted (found by
    // fuzzing: `y.`), so names are checked against PEP 508 first and any remaining
    // panic is contained.
    let name_end = req
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_')))
        .unwrap_or(req.len());
    let name = &req[..name_end];
    if name.is_empty()
        || !name.starts_with(|c: char| c.is_ascii_alphanumeric())
        || !name.ends_with(|c: char| c.is_ascii_alphanumeric())
    {
        return Err(format!(
            "`{}` is not a valid package name",
            name.chars().take(80).collect::<String>()
        ));
    }
    let parsed = std::panic::catch_unwind(|| {
        Requirement::<VerbatimUrl>::from_str(req).map_err(|e| e.message.to_string())
    })
    .map_err(|_| "requirement could not be parsed".to_string())?;
    let r = parsed?;
    let name = r.name.to_string();
    let (spec, source) = match &r.version_or_url {
        None => (String::new(), Source::Registry),
        Some(VersionOrUrl::VersionSpecifier(s)) => (s.to_string(), Source::Registry),
        Some(VersionOrUrl::Url(u)) => {
            let s = u.to_string();
            let src = if s.starts_with("git+") {
                git_source(&s)
            } else if s.starts_with("file:") {
                Source::Path(s.clone())
            } else {
                Source::Url(s.clone())
            };
            (s, src)
        }
    };
    Ok(ManifestDep {
        real_name: name.clone(),
        name,
        spec,
        kind,
        source,
        line,
    })
}

/// The exact version a PEP 440 specifier pins (`==1.2.3` or `===1.2.3`), if it does.
pub fn exact_pin(spec: &str) -> Option<String> {
    let s = spec.trim();
    if s.contains(',') {
        return None;
    }
    let v = s
        .strip_prefix("===")
        .or_else(|| s.strip_prefix("=="))?
        .trim();
    (!v.contains('*') && !v.is_empty()).then(|| v.to_string())
}

/// Parses a requirements file. `read` returns the text of another file, by path
/// relative to the scan root, for `-r` / `-c` includes (followed once each); every file
/// read becomes its own manifest.
pub fn parse_requirements(
    path: &str,
    text: &str,
    read: &mut dyn FnMut(&str) -> Option<String>,
) -> (Vec<Manifest>, Vec<(String, ParseIssue)>) {
    let mut out = Vec::new();
    let mut issues = Vec::new();
    let mut seen = std::collections::HashSet::new();
    parse_requirements_rec(path, text, read, &mut seen, &mut out, &mut issues, 0);
    (out, issues)
}

/// At most this many requirements files are read through `-r`/`-c` from one file.
const MAX_INCLUDED_FILES: usize = 64;

fn join_rel(base_file: &str, rel: &str) -> String {
    let mut parts: Vec<&str> = base_file.split('/').collect();
    parts.pop();
    for seg in rel.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    parts.join("/")
}

fn parse_requirements_rec(
    path: &str,
    text: &str,
    read: &mut dyn FnMut(&str) -> Option<String>,
    seen: &mut std::collections::HashSet<String>,
    out: &mut Vec<Manifest>,
    issues: &mut Vec<(String, ParseIssue)>,
    depth: usize,
) {
    // A file is read once; the include chain is bounded in depth and, because two
    // relative `-r` lines per file make distinct paths grow exponentially with depth
    // (found by fuzzing), in the number of files (see the include loop below).
    if !seen.insert(path.to_string()) || depth > 16 {
        return;
    }
    let mut m = Manifest {
        path: path.to_string(),
        ecosystem: Some(Ecosystem::PyPI),
        format: "requirements.txt",
        self_locking: true,
        ..Manifest::default()
    };
    let kind = if path.rsplit('/').next().is_some_and(|f| {
        f.contains("dev") || f.contains("test") || f.contains("lint") || f.contains("docs")
    }) {
        DepKind::Dev
    } else {
        DepKind::Normal
    };
    let mut logical = String::new();
    let mut start = 0u64;
    let mut includes: Vec<String> = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        if logical.is_empty() {
            start = i as u64 + 1;
        }
        let line = strip_comment(raw);
        if let Some(cont) = line.strip_suffix('\\') {
            logical.push_str(cont);
            logical.push(' ');
            continue;
        }
        logical.push_str(line);
        let entry = std::mem::take(&mut logical);
        let entry = entry.trim();
        if entry.is_empty() {
            continue;
        }
        if let Some(opt) = entry.strip_prefix('-') {
            let (flag, arg) = split_option(opt);
            match flag {
                "r" | "-requirement" | "c" | "-constraint" => includes.push(join_rel(path, arg)),
                "e" | "-editable" => {
                    let source = if arg.contains("git+") || arg.starts_with("git:") {
                        git_source(arg)
                    } else {
                        Source::Path(arg.to_string())
                    };
                    let name = egg_name(arg).unwrap_or_else(|| arg.to_string());
                    m.deps.push(ManifestDep {
                        real_name: name.clone(),
                        name,
                        spec: arg.to_string(),
                        kind,
                        source,
                        line: start,
                    });
                }
                _ => {}
            }
            continue;
        }
        // Drop per-requirement options (`--hash=...`, `--config-settings ...`).
        let req: String = match entry.find(" --") {
            Some(i) => entry[..i].to_string(),
            None => entry.to_string(),
        };
        let req = req.trim();
        if (req.contains("://") || req.starts_with("git+"))
            && !req.contains(" @ ")
            && !req.contains('@')
            || req.starts_with("git+")
        {
            if let Some(name) = egg_name(req) {
                let source = if req.starts_with("git+") {
                    git_source(req)
                } else {
                    Source::Url(req.to_string())
                };
                m.deps.push(ManifestDep {
                    real_name: name.clone(),
                    name,
                    spec: req.to_string(),
                    kind,
                    source,
                    line: start,
                });
                continue;
            }
        }
        if req.ends_with(".whl")
            || req.ends_with(".tar.gz")
            || req.starts_with('.')
            || req.starts_with('/')
        {
            m.deps.push(ManifestDep {
                real_name: req.to_string(),
                name: req.to_string(),
                spec: req.to_string(),
                kind,
                source: Source::Path(req.to_string()),
                line: start,
            });
            continue;
        }
        match pep508_dep(req, kind, start) {
            Ok(d) => m.deps.push(d),
            Err(e) => issues.push((
                path.to_string(),
                ParseIssue::at(Some(start), format!("unreadable requirement: {e}")),
            )),
        }
    }
    out.push(m);
    for inc in includes {
        if seen.contains(&inc) {
            continue;
        }
        if seen.len() >= MAX_INCLUDED_FILES {
            let msg = format!(
                "more than {MAX_INCLUDED_FILES} requirements files included; the rest are not read"
            );
            if !issues.iter().any(|(_, i)| i.message == msg) {
                issues.push((path.to_string(), ParseIssue::at(None, msg)));
            }
            break;
        }
        match read(&inc) {
            Some(t) => parse_requirements_rec(&inc, &t, read, seen, out, issues, depth + 1),
            None => issues.push((
                path.to_string(),
                ParseIssue::at(
                    None,
                    format!("included requirements file `{inc}` could not be read"),
                ),
            )),
        }
    }
}

fn strip_comment(line: &str) -> &str {
    if line.trim_start().starts_with('#') {
        return "";
    }
    match line.find(" #").or_else(|| line.find("\t#")) {
        Some(i) => &line[..i],
        None => line,
    }
    .trim_end()
}

fn split_option(opt: &str) -> (&str, &str) {
    let opt = opt.trim();
    if let Some((f, a)) = opt.split_once('=') {
        if !f.contains(' ') {
            return (f, a.trim());
        }
    }
    match opt.split_once(char::is_whitespace) {
        Some((f, a)) => (f, a.trim()),
        // `-rfile.txt`: a one-letter flag glued to its argument (the flag may be any
        // character in a broken file; found by fuzzing with a multi-byte one).
        None if opt.len() > 1 && !opt.starts_with('-') => {
            let n = opt.chars().next().map_or(1, char::len_utf8);
            (&opt[..n], opt[n..].trim())
        }
        None => (opt, ""),
    }
}

fn egg_name(url: &str) -> Option<String> {
    let frag = url.split_once('#')?.1;
    frag.split('&')
        .find_map(|kv| kv.strip_prefix("egg="))
        .map(|n| n.to_string())
}

const DEV_GROUPS: [&str; 9] = [
    "dev",
    "test",
    "tests",
    "testing",
    "lint",
    "docs",
    "typing",
    "develop",
    "development",
];

fn group_kind(group: &str) -> DepKind {
    if DEV_GROUPS.contains(&group.to_ascii_lowercase().as_str()) {
        DepKind::Dev
    } else {
        DepKind::Optional
    }
}

fn string_line(text: &str, idx: &LineIndex, s: &str) -> u64 {
    find_line(text, idx, &format!("\"{s}\""), 0)
        .or_else(|| find_line(text, idx, &format!("'{s}'"), 0))
        .or_else(|| find_line(text, idx, s, 0))
        .unwrap_or(1)
}

fn poetry_dep(name: &str, v: &Value, kind: DepKind, line: u64) -> ManifestDep {
    let (spec, source, kind) = match v {
        Value::String(s) => (s.clone(), Source::Registry, kind),
        Value::Table(t) => {
            let optional = t.get("optional").and_then(Value::as_bool) == Some(true);
            let kind = if optional && kind == DepKind::Normal {
                DepKind::Optional
            } else {
                kind
            };
            let get = |k: &str| t.get(k).and_then(Value::as_str).map(str::to_string);
            if let Some(git) = get("git") {
                let pinned = get("rev").is_some_and(|r| is_commit(&r));
                (git.clone(), Source::Git { url: git, pinned }, kind)
            } else if let Some(p) = get("path") {
                (p.clone(), Source::Path(p), kind)
            } else if let Some(u) = get("url") {
                (u.clone(), Source::Url(u), kind)
            } else {
                (get("version").unwrap_or_default(), Source::Registry, kind)
            }
        }
        Value::Array(_) => ("(multiple constraints)".into(), Source::Registry, kind),
        _ => (String::new(), Source::Registry, kind),
    };
    ManifestDep {
        name: name.to_string(),
        real_name: name.to_string(),
        spec,
        kind,
        source,
        line,
    }
}

/// Parses `pyproject.toml`.
pub fn parse_pyproject(path: &str, text: &str) -> (Option<Manifest>, Vec<ParseIssue>) {
    let doc = match parse_toml(text) {
        Ok(d) => d,
        Err(e) => return (None, vec![e]),
    };
    let idx = LineIndex::new(text);
    let mut issues = Vec::new();
    let mut m = Manifest {
        path: path.to_string(),
        ecosystem: Some(Ecosystem::PyPI),
        format: "pyproject.toml",
        ..Manifest::default()
    };
    let project = doc.get("project");
    m.name = project
        .and_then(|p| p.get("name"))
        .and_then(Value::as_str)
        .map(str::to_string);
    let add_list =
        |m: &mut Manifest, list: Option<&Value>, kind: DepKind, issues: &mut Vec<ParseIssue>| {
            for s in list
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
            {
                let line = string_line(text, &idx, s);
                match pep508_dep(s, kind, line) {
                    Ok(d) => m.deps.push(d),
                    Err(e) => issues.push(ParseIssue::at(
                        Some(line),
                        format!("unreadable requirement `{s}`: {e}"),
                    )),
                }
            }
        };
    add_list(
        &mut m,
        project.and_then(|p| p.get("dependencies")),
        DepKind::Normal,
        &mut issues,
    );
    if let Some(groups) = project
        .and_then(|p| p.get("optional-dependencies"))
        .and_then(Value::as_table)
    {
        for (g, list) in groups {
            add_list(&mut m, Some(list), group_kind(g), &mut issues);
        }
    }
    if let Some(groups) = doc.get("dependency-groups").and_then(Value::as_table) {
        for list in groups.values() {
            add_list(&mut m, Some(list), DepKind::Dev, &mut issues);
        }
    }
    let uv = doc.get("tool").and_then(|t| t.get("uv"));
    add_list(
        &mut m,
        uv.and_then(|u| u.get("dev-dependencies")),
        DepKind::Dev,
        &mut issues,
    );
    let poetry = doc.get("tool").and_then(|t| t.get("poetry"));
    if m.name.is_none() {
        m.name = poetry
            .and_then(|p| p.get("name"))
            .and_then(Value::as_str)
            .map(str::to_string);
    }
    let mut poetry_tables: Vec<(String, &toml::Table, DepKind)> = Vec::new();
    if let Some(p) = poetry {
        if let Some(t) = p.get("dependencies").and_then(Value::as_table) {
            poetry_tables.push(("tool.poetry.dependencies".into(), t, DepKind::Normal));
        }
        if let Some(t) = p.get("dev-dependencies").and_then(Value::as_table) {
            poetry_tables.push(("tool.poetry.dev-dependencies".into(), t, DepKind::Dev));
        }
        if let Some(groups) = p.get("group").and_then(Value::as_table) {
            for (g, node) in groups {
                if let Some(t) = node.get("dependencies").and_then(Value::as_table) {
                    let kind = if g == "main" {
                        DepKind::Normal
                    } else {
                        DepKind::Dev
                    };
                    poetry_tables.push((format!("tool.poetry.group.{g}.dependencies"), t, kind));
                }
            }
        }
    }
    for (header, table, kind) in poetry_tables {
        let from = toml_header_offset(text, &header).unwrap_or(0);
        for (name, v) in table {
            if name.eq_ignore_ascii_case("python") {
                continue;
            }
            let line = toml_key_line(text, &idx, name, from).unwrap_or(1);
            m.deps.push(poetry_dep(name, v, kind, line));
        }
    }
    // uv sources turn registry entries into git/path ones.
    if let Some(sources) = uv.and_then(|u| u.get("sources")).and_then(Value::as_table) {
        for (name, src) in sources {
            let norm = normalise_pypi(name);
            let get = |k: &str| src.get(k).and_then(Value::as_str).map(str::to_string);
            let source = if let Some(git) = get("git") {
                Source::Git {
                    pinned: get("rev").is_some_and(|r| is_commit(&r)),
                    url: git,
                }
            } else if let Some(p) = get("path") {
                Source::Path(p)
            } else if src.get("workspace").and_then(Value::as_bool) == Some(true) {
                Source::Workspace
            } else if let Some(u) = get("url") {
                Source::Url(u)
            } else {
                continue;
            };
            for d in m
                .deps
                .iter_mut()
                .filter(|d| normalise_pypi(&d.name) == norm)
            {
                d.source = source.clone();
            }
        }
    }
    if let Some(members) = uv
        .and_then(|u| u.get("workspace"))
        .and_then(|w| w.get("members"))
        .and_then(Value::as_array)
    {
        m.workspaces = members
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect();
    }
    (Some(m), issues)
}

/// Lines of `name = "..."` right after each `[[package]]` header, in order.
fn package_block_lines(text: &str) -> Vec<(String, u64)> {
    let mut out = Vec::new();
    let mut want = false;
    for (i, line) in text.lines().enumerate() {
        let t = line.trim();
        if t == "[[package]]" {
            want = true;
        } else if want {
            if let Some(rest) = t.strip_prefix("name") {
                if let Some(v) = rest.trim_start().strip_prefix('=') {
                    out.push((crate::text::unquote(v.trim()).to_string(), i as u64 + 1));
                    want = false;
                }
            }
        }
    }
    out
}

fn toml_packages(doc: &toml::Table) -> Vec<&toml::Table> {
    doc.get("package")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_table).collect())
        .unwrap_or_default()
}

/// Parses `poetry.lock`.
pub fn parse_poetry_lock(path: &str, text: &str) -> Result<Lockfile, ParseIssue> {
    let doc = parse_toml(text)?;
    let lines = package_block_lines(text);
    let mut lock = Lockfile {
        path: path.to_string(),
        ecosystem: Some(Ecosystem::PyPI),
        manager: "poetry",
        format_version: doc
            .get("metadata")
            .and_then(|m| m.get("lock-version"))
            .and_then(Value::as_str)
            .map(str::to_string),
        ..Lockfile::default()
    };
    for (i, p) in toml_packages(&doc).into_iter().enumerate() {
        let Some(name) = p.get("name").and_then(Value::as_str) else {
            continue;
        };
        let Some(version) = p.get("version").and_then(Value::as_str) else {
            continue;
        };
        let line = lines
            .get(i)
            .filter(|(n, _)| n == name)
            .map(|(_, l)| *l)
            .or_else(|| lines.iter().find(|(n, _)| n == name).map(|(_, l)| *l))
            .unwrap_or(1);
        let category = p.get("category").and_then(Value::as_str);
        let groups: Option<Vec<&str>> = p
            .get("groups")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).collect());
        if category.is_some() || groups.is_some() {
            lock.knows_dev = true;
        }
        let dev = category == Some("dev") || groups.as_ref().is_some_and(|g| !g.contains(&"main"));
        let source_type = p
            .get("source")
            .and_then(|s| s.get("type"))
            .and_then(Value::as_str);
        let registry = matches!(source_type, None | Some("legacy"));
        let deps = p
            .get("dependencies")
            .and_then(Value::as_table)
            .map(|t| {
                t.iter()
                    .map(|(k, v)| (normalise_pypi(k), v.as_str().unwrap_or("").to_string()))
                    .collect()
            })
            .unwrap_or_default();
        lock.packages.push(LockedPackage {
            name: normalise_pypi(name),
            version: version.to_string(),
            line,
            dev,
            deps,
            registry,
            ..LockedPackage::default()
        });
    }
    Ok(lock)
}

/// Parses `uv.lock`.
pub fn parse_uv_lock(path: &str, text: &str) -> Result<Lockfile, ParseIssue> {
    let doc = parse_toml(text)?;
    let lines = package_block_lines(text);
    let mut lock = Lockfile {
        path: path.to_string(),
        ecosystem: Some(Ecosystem::PyPI),
        manager: "uv",
        format_version: doc.get("version").map(|v| v.to_string()),
        ..Lockfile::default()
    };
    let dep_names = |v: Option<&Value>| -> Vec<String> {
        v.and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|d| d.get("name").and_then(Value::as_str))
            .map(normalise_pypi)
            .collect()
    };
    for (i, p) in toml_packages(&doc).into_iter().enumerate() {
        let Some(name) = p.get("name").and_then(Value::as_str) else {
            continue;
        };
        let source = p.get("source").and_then(Value::as_table);
        let is_root =
            source.is_some_and(|s| s.contains_key("editable") || s.contains_key("virtual"));
        let mut deps: BTreeMap<String, String> = dep_names(p.get("dependencies"))
            .into_iter()
            .map(|n| (n, String::new()))
            .collect();
        if let Some(opt) = p.get("optional-dependencies").and_then(Value::as_table) {
            for list in opt.values() {
                deps.extend(
                    dep_names(Some(list))
                        .into_iter()
                        .map(|n| (n, String::new())),
                );
            }
        }
        if is_root {
            let specs: BTreeMap<String, String> = p
                .get("metadata")
                .and_then(|m| m.get("requires-dist"))
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|d| {
                    Some((
                        normalise_pypi(d.get("name")?.as_str()?),
                        d.get("specifier")
                            .and_then(Value::as_str)
                            .unwrap_or("")
                            .to_string(),
                    ))
                })
                .collect();
            let mut imp: BTreeMap<String, (String, DepKind)> = BTreeMap::new();
            for n in deps.keys() {
                imp.insert(
                    n.clone(),
                    (specs.get(n).cloned().unwrap_or_default(), DepKind::Normal),
                );
            }
            if let Some(dev) = p.get("dev-dependencies").and_then(Value::as_table) {
                for list in dev.values() {
                    for n in dep_names(Some(list)) {
                        imp.entry(n).or_insert((String::new(), DepKind::Dev));
                    }
                }
            }
            lock.importers.insert(normalise_pypi(name), imp);
            continue;
        }
        let Some(version) = p.get("version").and_then(Value::as_str) else {
            continue;
        };
        let registry = source.is_none_or(|s| s.contains_key("registry"));
        let line = lines
            .get(i)
            .filter(|(n, _)| n == name)
            .map(|(_, l)| *l)
            .or_else(|| lines.iter().find(|(n, _)| n == name).map(|(_, l)| *l))
            .unwrap_or(1);
        lock.packages.push(LockedPackage {
            name: normalise_pypi(name),
            version: version.to_string(),
            line,
            deps,
            registry,
            ..LockedPackage::default()
        });
    }
    let direct: std::collections::HashSet<String> = lock
        .importers
        .values()
        .flat_map(|i| i.keys().cloned())
        .collect();
    for p in &mut lock.packages {
        p.direct = direct.contains(&p.name);
    }
    Ok(lock)
}

/// Parses `Pipfile`.
pub fn parse_pipfile(path: &str, text: &str) -> Result<Manifest, ParseIssue> {
    let doc = parse_toml(text)?;
    let idx = LineIndex::new(text);
    let mut m = Manifest {
        path: path.to_string(),
        ecosystem: Some(Ecosystem::PyPI),
        format: "Pipfile",
        ..Manifest::default()
    };
    for (section, kind) in [
        ("packages", DepKind::Normal),
        ("dev-packages", DepKind::Dev),
    ] {
        let Some(t) = doc.get(section).and_then(Value::as_table) else {
            continue;
        };
        let from = toml_header_offset(text, section).unwrap_or(0);
        for (name, v) in t {
            let line = toml_key_line(text, &idx, name, from).unwrap_or(1);
            let mut d = poetry_dep(name, v, kind, line);
            if let Value::Table(tt) = v {
                if let Some(git) = tt.get("git").and_then(Value::as_str) {
                    let pinned = tt.get("ref").and_then(Value::as_str).is_some_and(is_commit);
                    d.source = Source::Git {
                        url: git.to_string(),
                        pinned,
                    };
                }
            }
            m.deps.push(d);
        }
    }
    Ok(m)
}

/// Parses `Pipfile.lock`.
pub fn parse_pipfile_lock(path: &str, text: &str) -> Result<Lockfile, ParseIssue> {
    let v = parse_json(text)?;
    let lines = object_key_lines(text);
    let mut used: BTreeMap<String, usize> = BTreeMap::new();
    let mut lock = Lockfile {
        path: path.to_string(),
        ecosystem: Some(Ecosystem::PyPI),
        manager: "pipenv",
        format_version: v.pointer("/_meta/pipfile-spec").map(|s| s.to_string()),
        knows_dev: true,
        ..Lockfile::default()
    };
    for (section, dev) in [("default", false), ("develop", true)] {
        let Some(obj) = v.get(section).and_then(Json::as_object) else {
            continue;
        };
        for (name, e) in obj {
            let n = used.entry(name.clone()).or_insert(0);
            let line = lines
                .get(name.as_str())
                .and_then(|l| l.get(*n).or(l.first()).copied())
                .unwrap_or(1);
            *n += 1;
            let Some(version) = e.get("version").and_then(Json::as_str).and_then(exact_pin) else {
                continue;
            };
            let registry =
                e.get("git").is_none() && e.get("path").is_none() && e.get("file").is_none();
            lock.packages.push(LockedPackage {
                name: normalise_pypi(name),
                version,
                line,
                dev,
                registry,
                ..LockedPackage::default()
            });
        }
    }
    Ok(lock)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requirements_with_includes_markers_hashes_and_urls() {
        let main = "# deps\n-r base.txt\nrequests==2.19.0 \\\n    --hash=sha256:abc \\\n    --hash=sha256:def\nflask>=2.0 ; python_version >= \"3.8\"\nnumpy\n-e git+https://github.com/me/lib.git@main#egg=mylib\ngit+https://github.com/me/other.git@0123456789abcdef0123456789abcdef01234567#egg=other\nDjango[argon2]~=4.2.1  # pinned-ish\n--index-url https://example.invalid/simple\n";
        let base = "urllib3==1.26.4\n-r requirements.txt\n";
        let mut read = |p: &str| (p == "app/base.txt").then(|| base.to_string());
        let (ms, issues) = parse_requirements("app/requirements.txt", main, &mut read);
        assert!(issues.is_empty(), "{issues:?}");
        assert_eq!(ms.len(), 2);
        let m = &ms[0];
        let get = |n: &str| {
            m.deps
                .iter()
                .find(|d| d.name == n)
                .unwrap_or_else(|| panic!("{n}"))
        };
        assert_eq!(get("requests").spec, "==2.19.0");
        assert_eq!(get("requests").line, 3);
        assert_eq!(exact_pin(&get("requests").spec).as_deref(), Some("2.19.0"));
        assert_eq!(get("flask").spec, ">=2.0");
        assert_eq!(get("numpy").spec, "");
        assert!(matches!(
            get("mylib").source,
            Source::Git { pinned: false, .. }
        ));
        assert!(matches!(
            get("other").source,
            Source::Git { pinned: true, .. }
        ));
        assert_eq!(get("django").line, 10);
        assert_eq!(ms[1].path, "app/base.txt");
        assert_eq!(ms[1].deps[0].name, "urllib3");
    }

    #[test]
    fn names_pep508_rs_would_panic_on_are_errors() {
        assert!(pep508_dep("y.", DepKind::Normal, 1).is_err());
        assert!(pep508_dep("-x==1", DepKind::Normal, 1).is_err());
        assert!(pep508_dep("ok.name==1", DepKind::Normal, 1).is_ok());
    }

    #[test]
    fn glued_option_with_a_multibyte_flag() {
        let mut read = |_: &str| None;
        let (ms, _) = parse_requirements("r.txt", "-\u{fffd}s/x\n-rbase.txt\n", &mut read);
        assert_eq!(ms.len(), 1);
        assert_eq!(split_option("rbase.txt"), ("r", "base.txt"));
    }

    #[test]
    fn include_explosions_are_capped() {
        let text = "-r a/r.txt\n-r b/r.txt\nflask==2.0.0\n";
        let mut reads = 0;
        let mut read = |_: &str| {
            reads += 1;
            Some(text.to_string())
        };
        let (ms, issues) = parse_requirements("requirements.txt", text, &mut read);
        assert!(ms.len() <= MAX_INCLUDED_FILES);
        assert!(reads < 200, "{reads}");
        assert_eq!(
            issues
                .iter()
                .filter(|(_, i)| i.message.contains("more than"))
                .count(),
            1
        );
    }

    #[test]
    fn broken_requirement_is_an_issue_with_line() {
        let mut read = |_: &str| None;
        let (ms, issues) = parse_requirements(
            "requirements.txt",
            "ok==1.0\nbad[[[\n-r missing.txt\n",
            &mut read,
        );
        assert_eq!(ms[0].deps.len(), 1);
        assert_eq!(issues.len(), 2);
        assert_eq!(issues[0].1.line, Some(2));
    }

    #[test]
    fn pyproject_pep621_poetry_uv() {
        let t = r#"[project]
name = "svc"
dependencies = [
  "fastapi>=0.110",
  "pydantic==2.6.0",
]
[project.optional-dependencies]
test = ["pytest"]

[dependency-groups]
lint = ["ruff>=0.3"]

[tool.poetry.dependencies]
python = "^3.11"
httpx = "^0.27"
mylib = { git = "https://github.com/me/mylib.git", branch = "main" }

[tool.poetry.group.dev.dependencies]
black = "*"

[tool.uv.sources]
fastapi = { git = "https://github.com/tiangolo/fastapi", rev = "0123456789abcdef0123456789abcdef01234567" }
"#;
        let (m, issues) = parse_pyproject("pyproject.toml", t);
        assert!(issues.is_empty(), "{issues:?}");
        let m = m.unwrap();
        let get = |n: &str| {
            m.deps
                .iter()
                .find(|d| d.name == n)
                .unwrap_or_else(|| panic!("{n}"))
        };
        assert_eq!(get("fastapi").line, 4);
        assert!(matches!(
            get("fastapi").source,
            Source::Git { pinned: true, .. }
        ));
        assert_eq!(get("pytest").kind, DepKind::Dev);
        assert_eq!(get("ruff").kind, DepKind::Dev);
        assert_eq!(get("httpx").spec, "^0.27");
        assert_eq!(get("httpx").line, 15);
        assert!(matches!(
            get("mylib").source,
            Source::Git { pinned: false, .. }
        ));
        assert_eq!(get("black").kind, DepKind::Dev);
        assert!(!m.deps.iter().any(|d| d.name == "python"));
    }

    #[test]
    fn poetry_and_uv_locks() {
        let poetry = "[[package]]\nname = \"Requests\"\nversion = \"2.19.0\"\ndescription = \"\"\noptional = false\npython-versions = \"*\"\ngroups = [\"main\"]\n\n[package.dependencies]\nurllib3 = \">=1.21.1\"\n\n[[package]]\nname = \"pytest\"\nversion = \"8.0.0\"\ngroups = [\"dev\"]\n\n[metadata]\nlock-version = \"2.1\"\n";
        let l = parse_poetry_lock("poetry.lock", poetry).unwrap();
        assert_eq!(l.packages.len(), 2);
        assert_eq!(
            (l.packages[0].name.as_str(), l.packages[0].line),
            ("requests", 2)
        );
        assert!(l.packages[1].dev && !l.packages[0].dev);
        let uv = "version = 1\n\n[[package]]\nname = \"app\"\nversion = \"0.1.0\"\nsource = { editable = \".\" }\ndependencies = [{ name = \"jinja2\" }]\n\n[package.metadata]\nrequires-dist = [{ name = \"jinja2\", specifier = \">=3\" }]\n\n[[package]]\nname = \"jinja2\"\nversion = \"2.10\"\nsource = { registry = \"https://pypi.org/simple\" }\n";
        let l = parse_uv_lock("uv.lock", uv).unwrap();
        assert_eq!(l.packages.len(), 1);
        assert!(l.packages[0].direct);
        assert_eq!(l.packages[0].line, 13);
        assert_eq!(l.importers["app"]["jinja2"].0, ">=3");
        assert!(parse_uv_lock("uv.lock", "[[package]\n")
            .unwrap_err()
            .line
            .is_some());
    }

    #[test]
    fn pipfile_and_lock() {
        let pf = "[packages]\nrequests = \"*\"\nflask = {version = \"==2.0.1\"}\n\n[dev-packages]\npytest = \">=7\"\n";
        let m = parse_pipfile("Pipfile", pf).unwrap();
        assert_eq!(m.deps.len(), 3);
        assert_eq!(
            m.deps.iter().find(|d| d.name == "flask").unwrap().spec,
            "==2.0.1"
        );
        assert_eq!(m.deps.iter().find(|d| d.name == "pytest").unwrap().line, 6);
        let lock = r#"{
    "_meta": {"pipfile-spec": 6},
    "default": {
        "requests": {
            "hashes": [],
            "version": "==2.19.0"
        }
    },
    "develop": {
        "pytest": {
            "version": "==7.0.0"
        }
    }
}"#;
        let l = parse_pipfile_lock("Pipfile.lock", lock).unwrap();
        assert_eq!(l.packages.len(), 2);
        assert_eq!(l.packages[0].line, 4);
        assert!(l.packages[1].dev);
    }
}
