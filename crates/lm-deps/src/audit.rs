//! The checks: pairs manifests with the lockfiles that govern them, then reports
//! `dep.vulnerable`, `dep.lockfile`, `dep.unpinned`, `dep.install-script`,
//! `dep.conflict` and `dep.unknown-package` findings.
//!
//! Fingerprints are built from the rule, the finding's path, the package and what
//! identifies the problem (advisory id, peer name...), never from line numbers.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use lm_core::fingerprint::fingerprint;
use lm_core::{Category, Finding, Severity};
use serde_json::json;

use crate::config::{DepsConfig, IsoDate};
use crate::model::{DepKind, Ecosystem, LockedPackage, Lockfile, Manifest, ManifestDep, Source};
use crate::osv::{affects, Database, Entry, Match};
use crate::popular::{self, Suspicion};
use crate::version::{satisfies, Version};

/// Every rule this stage reports, in the order of the crate documentation.
pub const RULES: [&str; 12] = [
    "deps.known-advisory",
    "deps.no-lockfile",
    "deps.lockfile-drift",
    "deps.multiple-lockfiles",
    "deps.unpinned",
    "deps.install-script",
    "deps.duplicate-singleton",
    "deps.unmet-peer",
    "deps.prisma-mismatch",
    "deps.typosquat",
    "deps.hallucinated-name",
    "deps.not-in-registry",
];

/// Packages that must exist once per app bundle.
pub const SINGLETONS: [&str; 12] = [
    "react",
    "react-dom",
    "@supabase/supabase-js",
    "next",
    "vue",
    "@angular/core",
    "svelte",
    "styled-components",
    "@emotion/react",
    "graphql",
    "@tanstack/react-query",
    "react-router-dom",
];

/// npm packages known to run an install/postinstall script, for lockfiles that do not
/// record `hasInstallScript` (yarn, bun, pnpm 9).
pub const KNOWN_INSTALL_SCRIPTS: [&str; 28] = [
    "esbuild",
    "sharp",
    "bcrypt",
    "canvas",
    "sqlite3",
    "better-sqlite3",
    "node-sass",
    "puppeteer",
    "core-js",
    "core-js-pure",
    "electron",
    "protobufjs",
    "@prisma/client",
    "prisma",
    "@prisma/engines",
    "@sentry/cli",
    "cypress",
    "nodemon",
    "es5-ext",
    "unrs-resolver",
    "@parcel/watcher",
    "msgpackr-extract",
    "bufferutil",
    "utf-8-validate",
    "cpu-features",
    "ssh2",
    "@swc/core",
    "@tailwindcss/oxide",
];

/// What was parsed from the scanned tree.
#[derive(Debug, Default)]
pub struct Project {
    /// Every manifest.
    pub manifests: Vec<Manifest>,
    /// Every lockfile.
    pub lockfiles: Vec<Lockfile>,
}

/// Options of the audit.
#[derive(Default)]
pub struct Options<'a> {
    /// The advisory database, if one was given.
    pub db: Option<&'a Database>,
    /// `[deps]` configuration.
    pub config: DepsConfig,
    /// Today, for ignore expiry.
    pub today: IsoDate,
    /// Registry existence answers from `--online` (name → exists), per ecosystem.
    pub exists: HashMap<(Ecosystem, String), bool>,
}

/// What the audit produced.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Findings, in a stable order.
    pub findings: Vec<Finding>,
    /// Advisory findings suppressed by `[deps] ignore`.
    pub ignored: u64,
    /// Manifest/lockfile pairs made.
    pub pairs: u64,
}

/// The family of lockfiles a manifest can be governed by.
fn family(m: &Manifest) -> &'static [&'static str] {
    match m.format {
        "package.json" => &["npm", "pnpm", "yarn", "bun"],
        "pyproject.toml" => &["poetry", "uv"],
        "Pipfile" => &["pipenv"],
        "Cargo.toml" => &["cargo"],
        "go.mod" => &["go-sum"],
        _ => &[],
    }
}

fn manager_key(l: &Lockfile) -> &'static str {
    if l.manager == "go" {
        if l.path.ends_with("go.sum") {
            "go-sum"
        } else {
            "go-mod"
        }
    } else {
        l.manager
    }
}

/// Directory part of a root-relative path (`""` for the root).
pub fn dir_of(path: &str) -> &str {
    path.rsplit_once('/').map(|(d, _)| d).unwrap_or("")
}

fn rel_dir(from: &str, to: &str) -> Option<String> {
    if from.is_empty() {
        return Some(to.to_string());
    }
    if to == from {
        return Some(String::new());
    }
    to.strip_prefix(from)
        .and_then(|r| r.strip_prefix('/'))
        .map(str::to_string)
}

/// For each manifest, the index of the lockfile that governs it.
pub fn pair(project: &Project) -> Vec<Option<usize>> {
    let mut by_dir: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, l) in project.lockfiles.iter().enumerate() {
        by_dir.entry(dir_of(&l.path)).or_default().push(i);
    }
    let roots_by_dir: HashMap<(&str, &str), &Manifest> = project
        .manifests
        .iter()
        .filter(|m| m.workspace_root)
        .map(|m| ((dir_of(&m.path), m.format), m))
        .collect();
    project
        .manifests
        .iter()
        .map(|m| {
            let fam = family(m);
            if fam.is_empty() {
                return None;
            }
            let mdir = dir_of(&m.path);
            let mut d = mdir;
            loop {
                let cands: Vec<usize> = by_dir
                    .get(d)
                    .into_iter()
                    .flatten()
                    .copied()
                    .filter(|&i| fam.contains(&manager_key(&project.lockfiles[i])))
                    .collect();
                if let Some(&first) = cands.first() {
                    if d == mdir {
                        return Some(first);
                    }
                    let rel = rel_dir(d, mdir).unwrap_or_default();
                    if m.workspace_root {
                        // A workspace root of its own is never governed from above.
                        return None;
                    }
                    let declared_root = roots_by_dir.contains_key(&(d, m.format));
                    let accepted = cands.iter().copied().find(|&i| {
                        let l = &project.lockfiles[i];
                        match l.manager {
                            "cargo" => declared_root,
                            "uv" => m.name.as_ref().is_some_and(|n| {
                                l.importers.contains_key(&crate::model::normalise_pypi(n))
                            }),
                            _ => l.importers.contains_key(&rel) || declared_root,
                        }
                    });
                    return accepted;
                }
                if d.is_empty() {
                    return None;
                }
                d = dir_of(d);
            }
        })
        .collect()
}

struct Ctx<'a> {
    opts: &'a Options<'a>,
    out: Vec<Finding>,
    ignored: u64,
}

impl Ctx<'_> {
    #[allow(clippy::too_many_arguments)]
    fn emit(
        &mut self,
        rule: &str,
        cat: Category,
        sev: Severity,
        path: &str,
        line: u64,
        package: &str,
        key: &str,
        message: String,
        details: serde_json::Value,
    ) {
        debug_assert!(RULES.contains(&rule), "{rule} missing from RULES");
        if self.opts.config.disabled(rule) {
            return;
        }
        let mut f = Finding::new(rule, cat, sev, path, line.max(1), message);
        f.package = Some(package.to_string());
        f.fingerprint = fingerprint(&[rule, path, package, key]);
        if let serde_json::Value::Object(map) = details {
            f.details = map.into_iter().collect();
        }
        self.out.push(f);
    }
}

/// Runs every check.
pub fn audit(project: &mut Project, opts: &Options<'_>) -> Outcome {
    let pairs = pair(project);
    // Direct and dev-only flags for lockfiles that do not record them.
    let mut governed: HashMap<usize, Vec<usize>> = HashMap::new();
    for (mi, li) in pairs.iter().enumerate() {
        if let Some(li) = li {
            governed.entry(*li).or_default().push(mi);
        }
    }
    for (li, mis) in &governed {
        let roots: Vec<&ManifestDep> = mis
            .iter()
            .flat_map(|&mi| project.manifests[mi].deps.iter())
            .collect();
        classify(&mut project.lockfiles[*li], &roots);
    }
    let mut ctx = Ctx {
        opts,
        out: Vec::new(),
        ignored: 0,
    };
    let lock_manifest: HashMap<usize, &Manifest> = governed
        .iter()
        .map(|(li, mis)| (*li, &project.manifests[mis[0]]))
        .collect();

    for (mi, m) in project.manifests.iter().enumerate() {
        let lock = pairs[mi].map(|li| &project.lockfiles[li]);
        check_no_lockfile(&mut ctx, m, lock);
        if let Some(l) = lock {
            check_drift(&mut ctx, m, l);
        }
        check_unpinned(&mut ctx, m, lock.is_some());
        check_unknown(&mut ctx, m);
        check_prisma_manifest(&mut ctx, m, lock);
    }
    check_side_by_side(&mut ctx, project);
    for (li, l) in project.lockfiles.iter().enumerate() {
        if l.manager == "go" && l.path.ends_with("go.sum") {
            continue; // go.mod carries the selected versions.
        }
        check_install_scripts(&mut ctx, l);
        check_conflicts(&mut ctx, l);
        if let Some(db) = opts.db {
            check_vulnerable(
                &mut ctx,
                db,
                l,
                lock_manifest.get(&li).map(|m| m.path.as_str()),
            );
        }
    }
    // Requirements files pin versions themselves.
    if let Some(db) = opts.db {
        for m in project
            .manifests
            .iter()
            .filter(|m| m.format == "requirements.txt")
        {
            let lock = requirements_as_lock(m);
            check_vulnerable(&mut ctx, db, &lock, Some(&m.path));
        }
    }
    let mut seen = HashSet::new();
    ctx.out.retain(|f| seen.insert(f.fingerprint.clone()));
    ctx.out.sort_by(|a, b| {
        (&a.path, a.line, &a.rule, &a.package).cmp(&(&b.path, b.line, &b.rule, &b.package))
    });
    Outcome {
        findings: ctx.out,
        ignored: ctx.ignored,
        pairs: pairs.iter().flatten().count() as u64,
    }
}

/// The exact pins of a requirements file as a lockfile.
pub fn requirements_as_lock(m: &Manifest) -> Lockfile {
    let packages = m
        .deps
        .iter()
        .filter(|d| d.source == Source::Registry)
        .filter_map(|d| {
            Some(LockedPackage {
                name: crate::model::normalise_pypi(&d.name),
                version: crate::parse::python::exact_pin(&d.spec)?,
                line: d.line,
                direct: true,
                dev: d.kind == DepKind::Dev,
                registry: true,
                ..LockedPackage::default()
            })
        })
        .collect();
    Lockfile {
        path: m.path.clone(),
        ecosystem: Some(Ecosystem::PyPI),
        manager: "pip",
        packages,
        knows_dev: true,
        ..Lockfile::default()
    }
}

/// Sets `direct` and `dev` from the governing manifests when the lockfile lacks them.
fn classify(lock: &mut Lockfile, roots: &[&ManifestDep]) {
    let eco = lock.ecosystem.unwrap_or(Ecosystem::Npm);
    let norm = |n: &str| eco.normalise(n);
    let mut prod_roots: BTreeSet<String> = BTreeSet::new();
    let mut dev_roots: BTreeSet<String> = BTreeSet::new();
    for d in roots {
        match d.kind {
            DepKind::Dev => {
                dev_roots.insert(norm(&d.real_name));
            }
            DepKind::Peer => {}
            _ => {
                prod_roots.insert(norm(&d.real_name));
            }
        }
    }
    for imp in lock.importers.values() {
        for (n, (_, k)) in imp {
            if *k == DepKind::Dev {
                dev_roots.insert(norm(n));
            } else {
                prod_roots.insert(norm(n));
            }
        }
    }
    dev_roots.retain(|n| !prod_roots.contains(n));
    if lock.importers.is_empty() || lock.manager == "yarn" {
        for p in &mut lock.packages {
            let top = p
                .install_path
                .as_deref()
                .is_none_or(|ip| ip.matches("node_modules/").count() <= 1);
            if top && (prod_roots.contains(&norm(&p.name)) || dev_roots.contains(&norm(&p.name))) {
                p.direct = true;
            }
        }
    }
    if lock.knows_dev {
        return;
    }
    let mut graph: HashMap<String, BTreeSet<String>> = HashMap::new();
    for p in &lock.packages {
        graph
            .entry(norm(&p.name))
            .or_default()
            .extend(p.deps.keys().map(|k| norm(k)));
    }
    let reach = |start: &BTreeSet<String>| -> HashSet<String> {
        let mut seen: HashSet<String> = HashSet::new();
        let mut stack: Vec<String> = start.iter().cloned().collect();
        while let Some(n) = stack.pop() {
            if seen.insert(n.clone()) {
                if let Some(next) = graph.get(&n) {
                    stack.extend(next.iter().filter(|x| !seen.contains(*x)).cloned());
                }
            }
        }
        seen
    };
    let prod = reach(&prod_roots);
    let dev = reach(&dev_roots);
    for p in &mut lock.packages {
        let n = norm(&p.name);
        p.dev = !prod.contains(&n) && dev.contains(&n);
    }
}

fn registry_deps(m: &Manifest) -> impl Iterator<Item = &ManifestDep> {
    m.deps
        .iter()
        .filter(|d| d.source == Source::Registry && d.kind != DepKind::Peer)
}

fn check_no_lockfile(ctx: &mut Ctx<'_>, m: &Manifest, lock: Option<&Lockfile>) {
    if lock.is_some() || !matches!(m.format, "package.json" | "Pipfile" | "go.mod") {
        return;
    }
    let n = registry_deps(m).count();
    if n == 0 {
        return;
    }
    let (what, sev) = match m.format {
        "package.json" => (
            "package-lock.json, pnpm-lock.yaml, yarn.lock or bun.lock",
            Severity::Medium,
        ),
        "Pipfile" => ("Pipfile.lock", Severity::Medium),
        _ => ("go.sum", Severity::Medium),
    };
    let pkg = m.name.clone().unwrap_or_else(|| dir_or_root(&m.path));
    ctx.emit(
        "deps.no-lockfile",
        Category::DepLockfile,
        sev,
        &m.path,
        1,
        &pkg,
        "",
        format!("{} declares {n} dependencies but no lockfile ({what}) is committed next to it or at its workspace root: every install resolves fresh versions; commit the lockfile and install with the frozen-lockfile option in CI.", m.format),
        json!({ "manifest": m.path, "dependencies": n }),
    );
}

fn dir_or_root(path: &str) -> String {
    let d = dir_of(path);
    if d.is_empty() {
        ".".into()
    } else {
        d.to_string()
    }
}

fn check_drift(ctx: &mut Ctx<'_>, m: &Manifest, l: &Lockfile) {
    let eco = match m.ecosystem {
        Some(e) => e,
        None => return,
    };
    if l.packages.is_empty() && l.importers.is_empty() {
        return;
    }
    if m.format == "go.mod" {
        // go.sum must hold every required module version.
        let have: HashSet<(&str, &str)> = l
            .packages
            .iter()
            .map(|p| (p.name.as_str(), p.version.as_str()))
            .collect();
        for d in m.deps.iter().filter(|d| d.source == Source::Registry) {
            if !have.contains(&(d.name.as_str(), d.spec.as_str())) {
                ctx.emit(
                    "deps.lockfile-drift",
                    Category::DepLockfile,
                    Severity::Low,
                    &m.path,
                    d.line,
                    &d.name,
                    "missing-sum",
                    format!(
                        "go.sum has no checksum for {} {}: run `go mod tidy` and commit go.sum.",
                        d.name, d.spec
                    ),
                    json!({ "lockfile": l.path, "required": d.spec }),
                );
            }
        }
        return;
    }
    let rel = rel_dir(dir_of(&l.path), dir_of(&m.path)).unwrap_or_default();
    let importer = l.importers.get(&rel).or_else(|| {
        if rel.is_empty() {
            l.importers.get(".")
        } else {
            None
        }
    });
    let importer = importer.or_else(|| {
        // uv keys importers by project name.
        m.name
            .as_ref()
            .and_then(|n| l.importers.get(&eco.normalise(n)))
    });
    let norm = |n: &str| eco.normalise(n);
    for d in registry_deps(m) {
        let name = norm(&d.real_name);
        let candidates: Vec<&LockedPackage> = l
            .packages
            .iter()
            .filter(|p| norm(&p.name) == name)
            .collect();
        if let Some(imp) = importer {
            let entry = imp.iter().find(|(k, _)| norm(k) == norm(&d.name));
            match entry {
                None if d.kind != DepKind::Optional => {
                    ctx.emit("deps.lockfile-drift", Category::DepLockfile, Severity::Medium, &m.path, d.line, &d.real_name, "missing",
                        format!("{} is declared in {} but missing from {}: the lockfile is out of date; reinstall and commit the updated lockfile.", d.name, m.format, l.path),
                        json!({ "lockfile": l.path, "spec": d.spec, "kind": d.kind.as_str() }));
                    continue;
                }
                Some((_, (spec, _)))
                    if !spec.is_empty()
                        && !d.spec.is_empty()
                        && spec.trim() != d.spec.trim()
                        && l.manager != "uv" =>
                {
                    ctx.emit("deps.lockfile-drift", Category::DepLockfile, Severity::Medium, &m.path, d.line, &d.real_name, "spec",
                        format!("{} asks for {}@{} but {} was generated for {}: reinstall and commit the updated lockfile.", m.format, d.name, d.spec, l.path, spec),
                        json!({ "lockfile": l.path, "spec": d.spec, "locked_spec": spec }));
                    continue;
                }
                _ => {}
            }
        } else if candidates.is_empty() && d.kind != DepKind::Optional && !l.packages.is_empty() {
            ctx.emit("deps.lockfile-drift", Category::DepLockfile, Severity::Medium, &m.path, d.line, &d.real_name, "missing",
                format!("{} is declared in {} but has no entry in {}: the lockfile is out of date; reinstall and commit the updated lockfile.", d.name, m.format, l.path),
                json!({ "lockfile": l.path, "spec": d.spec }));
            continue;
        }
        // Locked version versus range.
        let spec = if d.spec.starts_with("npm:") {
            crate::text::split_name_at(&d.spec[4..]).1.to_string()
        } else {
            d.spec.clone()
        };
        let top: Vec<&&LockedPackage> = candidates.iter().filter(|p| p.direct).collect();
        let judged: Vec<&LockedPackage> = if top.is_empty() {
            candidates.clone()
        } else {
            top.into_iter().copied().collect()
        };
        if judged.is_empty() {
            continue;
        }
        let results: Vec<Option<bool>> = judged
            .iter()
            .map(|p| satisfies(eco, &p.version, &spec))
            .collect();
        if results.iter().all(|r| *r == Some(false)) {
            let versions: Vec<&str> = judged.iter().map(|p| p.version.as_str()).collect();
            ctx.emit("deps.lockfile-drift", Category::DepLockfile, Severity::Medium, &m.path, d.line, &d.real_name, "range",
                format!("{} locks {}@{} which does not satisfy `{}` from {}: reinstall and commit the updated lockfile.", l.path, d.real_name, versions.join(", "), spec, m.format),
                json!({ "lockfile": l.path, "spec": spec, "locked": versions, "lockfile_line": judged[0].line }));
        }
    }
}

fn is_dist_tag(spec: &str) -> bool {
    !spec.is_empty()
        && spec.chars().all(|c| c.is_ascii_alphabetic() || c == '-')
        && !matches!(spec, "x" | "X")
}

fn unbounded(spec: &str) -> bool {
    let s = spec.trim();
    if s.contains("||") {
        return s.split("||").any(unbounded);
    }
    (s.starts_with(">=") || s.starts_with('>'))
        && !s.contains('<')
        && !s.contains("~=")
        && !s.contains("==")
        && !s.contains('^')
        && !s.contains('~')
}

fn check_unpinned(ctx: &mut Ctx<'_>, m: &Manifest, locked: bool) {
    if m.format == "go.mod" {
        return;
    }
    for d in m.deps.iter().filter(|d| d.kind != DepKind::Peer) {
        let spec = d.spec.trim();
        let (reason, key, base) = match &d.source {
            Source::Git { pinned: false, url } => (
                format!("comes from git ({url}) without a fixed commit"),
                "git",
                Severity::Medium,
            ),
            Source::Url(u) if !u.starts_with("git") => (
                format!("comes from a URL ({u}) with no version or checksum"),
                "url",
                Severity::Low,
            ),
            Source::Registry => {
                let python = m.ecosystem == Some(Ecosystem::PyPI);
                if spec.is_empty() || spec == "*" || spec == "x" {
                    if python && m.format == "pyproject.toml" && spec.is_empty() {
                        // Libraries leave versions open on purpose; applications lock them.
                        if locked {
                            continue;
                        }
                    }
                    (
                        if spec.is_empty() {
                            "has no version constraint".to_string()
                        } else {
                            format!("accepts any version (`{spec}`)")
                        },
                        "any",
                        Severity::Medium,
                    )
                } else if m.ecosystem == Some(Ecosystem::Npm) && is_dist_tag(spec) {
                    (
                        format!("follows the moving dist-tag `{spec}`"),
                        "tag",
                        Severity::Medium,
                    )
                } else if unbounded(spec) && !(python && m.format == "pyproject.toml") {
                    (format!("has no upper bound (`{spec}`): a future major version installs silently"), "unbounded", Severity::Low)
                } else {
                    continue;
                }
            }
            _ => continue,
        };
        let sev = if locked && m.format != "requirements.txt" {
            base.lowered()
        } else {
            base
        };
        let sev = if d.kind == DepKind::Dev {
            sev.lowered()
        } else {
            sev
        };
        let advice = if locked {
            "the lockfile pins one version today, but any re-lock can move it; declare a bounded version range (or a commit for git sources)"
        } else {
            "pin a version range (or a commit for git sources)"
        };
        ctx.emit(
            "deps.unpinned",
            Category::DepUnpinned,
            sev,
            &m.path,
            d.line,
            &d.real_name,
            key,
            format!("{} {reason}: {advice}.", d.name),
            json!({ "spec": d.spec, "kind": d.kind.as_str(), "locked": locked }),
        );
    }
}

fn check_unknown(ctx: &mut Ctx<'_>, m: &Manifest) {
    let Some(eco) = m.ecosystem else { return };
    if !matches!(eco, Ecosystem::Npm | Ecosystem::PyPI) {
        return;
    }
    for d in registry_deps(m) {
        let name = &d.real_name;
        if let Some(exists) = ctx.opts.exists.get(&(eco, eco.normalise(name))) {
            if !exists {
                ctx.emit("deps.not-in-registry", Category::DepUnknownPackage, Severity::High, &m.path, d.line, name, "absent",
                    format!("{name} does not exist in the {} registry: a hallucinated or removed package name that anyone could register; remove it or fix the name.", eco.osv_name()),
                    json!({ "ecosystem": eco.osv_name(), "checked": "online" }));
                continue;
            }
        }
        match popular::check(eco, name) {
            Some(Suspicion::NearPopular { target, distance }) => {
                ctx.emit("deps.typosquat", Category::DepUnknownPackage, Severity::Medium, &m.path, d.line, name, &target,
                    format!("{name} is {distance} edit(s) away from the popular package {target}: check it is the package you meant (typosquats copy popular names)."),
                    json!({ "similar_to": target, "distance": distance, "popularity_list": popular::list(eco).map(|l| l.source.clone()) }));
            }
            Some(Suspicion::Decorated { target }) => {
                ctx.emit("deps.typosquat", Category::DepUnknownPackage, Severity::Medium, &m.path, d.line, name, &target,
                    format!("{name} looks like a decorated copy of the popular package {target}: check it is the package you meant."),
                    json!({ "similar_to": target, "popularity_list": popular::list(eco).map(|l| l.source.clone()) }));
            }
            Some(Suspicion::ScopeDropped { target }) => {
                ctx.emit("deps.typosquat", Category::DepUnknownPackage, Severity::Medium, &m.path, d.line, name, &target,
                    format!("{name} is the popular package {target} without its scope: unscoped copies of scoped names are a common hallucination and squatting pattern; use {target} unless you meant this package."),
                    json!({ "similar_to": target, "popularity_list": popular::list(eco).map(|l| l.source.clone()) }));
            }
            Some(Suspicion::KnownHallucination { source }) => {
                ctx.emit("deps.hallucinated-name", Category::DepUnknownPackage, Severity::High, &m.path, d.line, name, "known",
                    format!("{name} is a package name code assistants are known to invent; whoever registered it is not the project you expect: remove it and use the real package."),
                    json!({ "documented_by": source }));
            }
            None => {}
        }
    }
}

fn check_side_by_side(ctx: &mut Ctx<'_>, project: &Project) {
    let mut by_dir: BTreeMap<&str, Vec<&Lockfile>> = BTreeMap::new();
    for l in &project.lockfiles {
        by_dir.entry(dir_of(&l.path)).or_default().push(l);
    }
    for (dir, locks) in by_dir {
        for group in [
            &["npm", "pnpm", "yarn", "bun"][..],
            &["poetry", "uv", "pipenv"][..],
        ] {
            let mut ls: Vec<&&Lockfile> = locks
                .iter()
                .filter(|l| group.contains(&l.manager))
                .collect();
            ls.sort_by_key(|l| l.path.clone());
            ls.dedup_by_key(|l| l.manager);
            if ls.len() < 2 {
                continue;
            }
            let names: Vec<&str> = ls.iter().map(|l| l.path.as_str()).collect();
            let project_name = project
                .manifests
                .iter()
                .find(|m| dir_of(&m.path) == dir && m.name.is_some())
                .and_then(|m| m.name.clone())
                .unwrap_or_else(|| {
                    if dir.is_empty() {
                        ".".into()
                    } else {
                        dir.to_string()
                    }
                });
            ctx.emit("deps.multiple-lockfiles", Category::DepLockfile, Severity::Low, ls[1].path.as_str(), 1, &project_name, &names.join(","),
                format!("Lockfiles of different package managers sit side by side ({}): installs differ by tool; keep the one your CI uses and delete the others.", names.join(", ")),
                json!({ "lockfiles": names }));
        }
    }
}

fn check_install_scripts(ctx: &mut Ctx<'_>, l: &Lockfile) {
    if l.ecosystem != Some(Ecosystem::Npm) {
        return;
    }
    // npm records `hasInstallScript` from lockfile version 2 on; version 1 does not.
    let records = (l.manager == "npm" && l.format_version.as_deref() != Some("1"))
        || (l.manager == "pnpm" && l.packages.iter().any(|p| p.install_script));
    let mut list: Vec<&LockedPackage> = l
        .packages
        .iter()
        .filter(|p| {
            if records {
                p.install_script
            } else {
                p.install_script || KNOWN_INSTALL_SCRIPTS.contains(&p.name.as_str())
            }
        })
        .collect();
    list.sort_by(|a, b| (&a.name, &a.version).cmp(&(&b.name, &b.version)));
    list.dedup_by(|a, b| a.name == b.name && a.version == b.version);
    let names: Vec<String> = list
        .iter()
        .map(|p| format!("{}@{}", p.name, p.version))
        .collect();
    for p in &list {
        let sev = if p.dev { Severity::Info } else { Severity::Low };
        let how = if p.install_script {
            "is marked as running an install script in the lockfile"
        } else {
            "is known to run an install script"
        };
        ctx.emit("deps.install-script", Category::DepInstallScript, sev, &l.path, p.line, &p.name, "",
            format!("{}@{} {how} ({} such package(s) in this lockfile): install with scripts disabled where possible and allow only the ones you need.", p.name, p.version, list.len()),
            json!({ "version": p.version, "dev": p.dev, "recorded_in_lockfile": p.install_script, "packages": names }));
    }
}

fn check_conflicts(ctx: &mut Ctx<'_>, l: &Lockfile) {
    if l.ecosystem != Some(Ecosystem::Npm) {
        return;
    }
    // Two majors of a singleton.
    for s in SINGLETONS {
        let mut majors: BTreeMap<u64, Vec<&LockedPackage>> = BTreeMap::new();
        for p in l.packages.iter().filter(|p| p.name == s && p.registry) {
            if let Some(v) = Version::parse(Ecosystem::Npm, &p.version) {
                majors.entry(v.major()).or_default().push(p);
            }
        }
        if majors.len() > 1 {
            let versions: Vec<String> = majors
                .values()
                .flatten()
                .map(|p| p.version.clone())
                .collect();
            let all_dev = majors.values().flatten().all(|p| p.dev);
            let anchor = majors
                .values()
                .flatten()
                .find(|p| !p.direct)
                .or_else(|| majors.values().flatten().next())
                .copied();
            let line = anchor.map(|p| p.line).unwrap_or(1);
            ctx.emit("deps.duplicate-singleton", Category::DepConflict, if all_dev { Severity::Low } else { Severity::Medium }, &l.path, line, s, "majors",
                format!("{} installs {s} in {} major versions ({}): it must exist once per app (duplicate copies break shared state such as React hooks or context); align the dependents on one major.", l.path, majors.len(), versions.join(", ")),
                json!({ "versions": versions }));
        }
    }
    // Unmet peer dependencies.
    let by_path: HashMap<&str, &LockedPackage> = l
        .packages
        .iter()
        .filter_map(|p| Some((p.install_path.as_deref()?, p)))
        .collect();
    let mut by_name: HashMap<&str, Vec<&LockedPackage>> = HashMap::new();
    for p in &l.packages {
        by_name.entry(p.name.as_str()).or_default().push(p);
    }
    let mut reported: HashSet<(String, String)> = HashSet::new();
    for p in &l.packages {
        for (peer, range) in &p.peers {
            let installed: Vec<&LockedPackage> = match &p.install_path {
                Some(ip) if l.manager == "npm" => {
                    resolve_from(&by_path, ip, peer).into_iter().collect()
                }
                _ => by_name.get(peer.as_str()).cloned().unwrap_or_default(),
            };
            if installed.is_empty() {
                continue; // Not installed: npm 7+ would have; other tools warn at install.
            }
            let ok = installed
                .iter()
                .any(|i| satisfies(Ecosystem::Npm, &i.version, range) != Some(false));
            if ok || !reported.insert((p.name.clone(), peer.clone())) {
                continue;
            }
            let versions: Vec<&str> = installed.iter().map(|i| i.version.as_str()).collect();
            let singleton = SINGLETONS.contains(&peer.as_str());
            let sev = if p.dev {
                Severity::Low
            } else if singleton {
                Severity::Medium
            } else {
                Severity::Low
            };
            ctx.emit("deps.unmet-peer", Category::DepConflict, sev, &l.path, p.line, &p.name, peer,
                format!("{}@{} requires peer {peer}@{range} but {} resolves {peer}@{}: the pair is untested together and may break at run time; upgrade one side.", p.name, p.version, l.path, versions.join(", ")),
                json!({ "version": p.version, "peer": peer, "peer_range": range, "installed": versions }));
        }
    }
    // prisma CLI versus @prisma/client.
    let direct = |n: &str| {
        l.packages
            .iter()
            .find(|p| p.name == n && p.direct)
            .or_else(|| l.packages.iter().find(|p| p.name == n))
    };
    if let (Some(cli), Some(client)) = (direct("prisma"), direct("@prisma/client")) {
        prisma_pair(
            ctx,
            &l.path,
            client.line,
            &cli.version,
            &client.version,
            true,
        );
    }
}

fn resolve_from<'a>(
    by_path: &HashMap<&str, &'a LockedPackage>,
    install_path: &str,
    name: &str,
) -> Option<&'a LockedPackage> {
    // Node resolution from the package's folder upwards: its own node_modules first,
    // then every ancestor's.
    let mut base = install_path.to_string();
    loop {
        let cand = if base.is_empty() {
            format!("node_modules/{name}")
        } else {
            format!("{base}/node_modules/{name}")
        };
        if let Some(p) = by_path.get(cand.as_str()) {
            return Some(p);
        }
        if base.is_empty() {
            return None;
        }
        // Drop the last `node_modules/<pkg>` (scoped names have two segments).
        match base.rfind("node_modules/") {
            Some(i) => base = base[..i].trim_end_matches('/').to_string(),
            None => base.clear(),
        }
    }
}

fn prisma_pair(ctx: &mut Ctx<'_>, path: &str, line: u64, cli: &str, client: &str, locked: bool) {
    let (Some(a), Some(b)) = (
        Version::parse(Ecosystem::Npm, cli),
        Version::parse(Ecosystem::Npm, client),
    ) else {
        return;
    };
    if a.compare(&b) == Some(std::cmp::Ordering::Equal) {
        return;
    }
    let sev = if a.major_minor() != b.major_minor() {
        Severity::Medium
    } else {
        Severity::Low
    };
    let where_ = if locked { "resolves" } else { "pins" };
    ctx.emit("deps.prisma-mismatch", Category::DepConflict, sev, path, line, "@prisma/client", "prisma",
        format!("{path} {where_} prisma@{cli} but @prisma/client@{client}: the generated client must come from the same version as the CLI; pin both to one version."),
        json!({ "prisma": cli, "@prisma/client": client }));
}

fn check_prisma_manifest(ctx: &mut Ctx<'_>, m: &Manifest, lock: Option<&Lockfile>) {
    if m.format != "package.json" || lock.is_some() {
        return;
    }
    let get = |n: &str| m.deps.iter().find(|d| d.name == n);
    if let (Some(cli), Some(client)) = (get("prisma"), get("@prisma/client")) {
        let pin = |s: &str| s.trim_start_matches('=').trim().to_string();
        if Version::parse(Ecosystem::Npm, &pin(&cli.spec)).is_some()
            && Version::parse(Ecosystem::Npm, &pin(&client.spec)).is_some()
        {
            prisma_pair(
                ctx,
                &m.path,
                client.line,
                &pin(&cli.spec),
                &pin(&client.spec),
                false,
            );
        }
    }
}

fn check_vulnerable(ctx: &mut Ctx<'_>, db: &Database, l: &Lockfile, manifest: Option<&str>) {
    let Some(eco) = l.ecosystem else { return };
    let mut seen: HashSet<(String, String, String)> = HashSet::new();
    // Every affected copy, grouped by (package, advisory) in lockfile order: one finding
    // per group, so a package installed at several versions is reported once, at the copy
    // that matters most, with the other affected copies named.
    let mut groups: Vec<Vec<(&LockedPackage, &Entry, Option<String>)>> = Vec::new();
    let mut group_of: HashMap<(String, String), usize> = HashMap::new();
    for p in l.packages.iter().filter(|p| p.registry) {
        for e in db.lookup(eco, &p.name) {
            let adv = &e.advisory;
            // One advisory often lists a package in several `affected` blocks (one per
            // release line): only a block that matches settles this version.
            if seen.contains(&(p.name.clone(), p.version.clone(), adv.id.clone())) {
                continue;
            }
            let Match::Affected { fixed } = affects(eco, &p.version, &e.affected) else {
                continue;
            };
            seen.insert((p.name.clone(), p.version.clone(), adv.id.clone()));
            let gi = *group_of
                .entry((p.name.clone(), adv.id.clone()))
                .or_insert_with(|| {
                    groups.push(Vec::new());
                    groups.len() - 1
                });
            groups[gi].push((p, e, fixed));
        }
    }
    for mut hits in groups {
        // Production before dev-only, direct before transitive, then lockfile order.
        hits.sort_by_key(|(p, _, _)| (p.dev, !p.direct, p.line));
        let mut hits = hits.into_iter();
        let Some((p, e, fixed)) = hits.next() else {
            continue;
        };
        let others: Vec<(&LockedPackage, Option<String>)> = hits.map(|(o, _, f)| (o, f)).collect();
        {
            let adv = &e.advisory;
            let ids: Vec<&str> = std::iter::once(adv.id.as_str())
                .chain(adv.aliases.iter().map(String::as_str))
                .collect();
            if let Some(ig) = ctx.opts.config.ignore.iter().find(|i| {
                ids.iter().any(|id| id.eq_ignore_ascii_case(&i.id)) && i.active(ctx.opts.today)
            }) {
                let _ = ig;
                ctx.ignored += 1;
                continue;
            }
            let expired: Vec<&str> = ctx
                .opts
                .config
                .ignore
                .iter()
                .filter(|i| ids.iter().any(|id| id.eq_ignore_ascii_case(&i.id)))
                .map(|i| i.reason.as_str())
                .collect();
            let mut sev = e
                .affected
                .severity
                .map(|(s, _)| s)
                .or(adv.severity)
                .unwrap_or(Severity::Medium);
            if adv.informational.is_some() {
                sev = Severity::Low;
            }
            if adv.malicious {
                sev = Severity::Critical;
            }
            if p.dev {
                sev = sev.lowered();
            }
            let fix = match &fixed {
                Some(f) => format!("upgrade to {f} or later"),
                None => "no fixed version is published; replace the package or accept the risk in .lm.toml".into(),
            };
            let also = if others.is_empty() {
                String::new()
            } else {
                let list: Vec<String> = others
                    .iter()
                    .map(|(o, f)| match f {
                        Some(f) => format!("{} at line {} (fixed in {f})", o.version, o.line),
                        None => format!("{} at line {}", o.version, o.line),
                    })
                    .collect();
                format!(
                    " The lockfile also installs affected {} {}",
                    if others.len() == 1 { "copy" } else { "copies" },
                    list.join(", ")
                ) + "."
            };
            let summary = if adv.summary.is_empty() {
                "known vulnerability".to_string()
            } else {
                adv.summary.trim().to_string()
            };
            let scope = match (p.direct, p.dev) {
                (true, true) => "direct dev dependency",
                (true, false) => "direct dependency",
                (false, true) => "transitive dev dependency",
                (false, false) => "transitive dependency",
            };
            let cves: Vec<&str> = adv
                .aliases
                .iter()
                .map(String::as_str)
                .filter(|a| a.starts_with("CVE-"))
                .collect();
            let id_text = if cves.is_empty() {
                adv.id.clone()
            } else {
                format!("{} ({})", adv.id, cves.join(", "))
            };
            ctx.emit(
                "deps.known-advisory",
                Category::DepVulnerable,
                sev,
                &l.path,
                p.line,
                &p.name,
                &adv.id,
                format!(
                    "{}@{} ({scope}) is affected by {id_text}: {summary}; {fix}.{also}",
                    p.name, p.version
                ),
                json!({
                    "ecosystem": eco.osv_name(),
                    "version": p.version,
                    "advisory": adv.id,
                    "aliases": adv.aliases,
                    "summary": adv.summary,
                    "fixed": fixed,
                    "direct": p.direct,
                    "dev": p.dev,
                    "cvss_score": e.affected.severity.and_then(|(_, s)| s).or(adv.cvss_score),
                    "informational": adv.informational,
                    "malicious": adv.malicious,
                    "install_path": p.install_path,
                    "manifest": manifest,
                    "lockfile_line": p.line,
                    "expired_ignore": if expired.is_empty() { None } else { Some(expired) },
                    "also_affected": others.iter().map(|(o, f)| json!({
                        "version": o.version,
                        "line": o.line,
                        "direct": o.direct,
                        "dev": o.dev,
                        "fixed": f,
                        "install_path": o.install_path,
                    })).collect::<Vec<_>>(),
                }),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::{parse, Format};

    fn project(files: &[(&str, &str)]) -> Project {
        let mut p = Project::default();
        for (path, text) in files {
            let parsed = parse(Format::detect(path).unwrap(), path, text, &mut |_| None);
            assert!(parsed.issues.is_empty(), "{path}: {:?}", parsed.issues);
            p.manifests.extend(parsed.manifests);
            p.lockfiles.extend(parsed.lockfiles);
        }
        p
    }

    fn run(files: &[(&str, &str)]) -> Vec<Finding> {
        let mut p = project(files);
        let opts = Options {
            today: IsoDate::parse("2026-01-01").unwrap(),
            ..Options::default()
        };
        audit(&mut p, &opts).findings
    }

    fn rules(f: &[Finding]) -> Vec<(String, String)> {
        f.iter()
            .map(|f| (f.rule.clone(), f.package.clone().unwrap_or_default()))
            .collect()
    }

    fn has(f: &[Finding], rule: &str, pkg: &str) -> bool {
        f.iter()
            .any(|x| x.rule == rule && x.package.as_deref() == Some(pkg))
    }

    #[test]
    fn workspace_members_pair_with_the_root_lockfile_only_when_declared() {
        let root = r#"{"name":"mono","workspaces":["apps/*"],"dependencies":{}}"#;
        let member = r#"{"name":"web","dependencies":{"react":"^18.2.0"}}"#;
        let lock = r#"{"lockfileVersion":3,"packages":{"":{"name":"mono"},"apps/web":{"name":"web","dependencies":{"react":"^18.2.0"}},"node_modules/react":{"version":"18.2.0"}}}"#;
        let p = project(&[
            ("package.json", root),
            ("apps/web/package.json", member),
            ("package-lock.json", lock),
        ]);
        let pairs = pair(&p);
        assert_eq!(pairs, vec![Some(0), Some(0)]);
        let f = run(&[
            ("package.json", root),
            ("apps/web/package.json", member),
            ("package-lock.json", lock),
        ]);
        assert!(
            !f.iter().any(|x| x.category == Category::DepLockfile),
            "{:?}",
            rules(&f)
        );
        // A stray package.json under a lockfile folder that declares no workspaces is
        // not governed by it.
        let f = run(&[
            (
                "package.json",
                r#"{"name":"site","dependencies":{"react":"^18.2.0"}}"#,
            ),
            ("tools/x/package.json", member),
            (
                "package-lock.json",
                r#"{"lockfileVersion":3,"packages":{"":{"dependencies":{"react":"^18.2.0"}},"node_modules/react":{"version":"18.2.0"}}}"#,
            ),
        ]);
        assert!(f
            .iter()
            .any(|x| x.rule == "deps.no-lockfile" && x.path == "tools/x/package.json"));
        assert!(!f
            .iter()
            .any(|x| x.rule == "deps.no-lockfile" && x.path == "package.json"));
    }

    #[test]
    fn cargo_members_pair_with_the_workspace_lock_but_separate_workspaces_do_not() {
        let root = "[workspace]\nmembers = [\"crates/*\"]\n";
        let member = "[package]\nname = \"a\"\n[dependencies]\nserde = \"1\"\n";
        let fuzz = "[package]\nname = \"fz\"\n[workspace]\nmembers = [\".\"]\n[dependencies]\nlibfuzzer-sys = \"0.4\"\n";
        let lock = "version = 3\n[[package]]\nname = \"a\"\nversion = \"0.1.0\"\ndependencies = [\"serde\"]\n[[package]]\nname = \"serde\"\nversion = \"1.0.200\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n";
        let files = [
            ("Cargo.toml", root),
            ("crates/a/Cargo.toml", member),
            ("fuzz/Cargo.toml", fuzz),
            ("Cargo.lock", lock),
        ];
        let p = project(&files);
        assert_eq!(pair(&p), vec![Some(0), Some(0), None]);
        let f = run(&files);
        assert!(
            !f.iter().any(|x| x.category == Category::DepLockfile),
            "{:?}",
            rules(&f)
        );
    }

    #[test]
    fn drift_by_range_and_missing_sum() {
        let m = r#"{"dependencies":{"zod":"^3.22.0"}}"#;
        let yarn = "zod@^3.20.0:\n  version \"3.21.4\"\n";
        let f = run(&[("package.json", m), ("yarn.lock", yarn)]);
        assert!(has(&f, "deps.lockfile-drift", "zod"), "{:?}", rules(&f));
        let ok = "zod@^3.22.0:\n  version \"3.22.4\"\n";
        assert!(!has(
            &run(&[("package.json", m), ("yarn.lock", ok)]),
            "deps.lockfile-drift",
            "zod"
        ));
        let gomod =
            "module a\n\nrequire golang.org/x/net v0.17.0\nrequire golang.org/x/text v0.14.0\n";
        let gosum = "golang.org/x/net v0.17.0 h1:a=\ngolang.org/x/net v0.17.0/go.mod h1:b=\n";
        let f = run(&[("go.mod", gomod), ("go.sum", gosum)]);
        assert!(has(&f, "deps.lockfile-drift", "golang.org/x/text"));
        assert!(!has(&f, "deps.lockfile-drift", "golang.org/x/net"));
        assert!(has(&run(&[("go.mod", gomod)]), "deps.no-lockfile", "a"));
    }

    #[test]
    fn poetry_drift_and_dev_classification_by_graph() {
        let py = "[tool.poetry]\nname = \"svc\"\n[tool.poetry.dependencies]\npython = \"^3.11\"\nhttpx = \"^0.27\"\n[tool.poetry.group.dev.dependencies]\npytest = \"^8\"\n";
        let lock = "[[package]]\nname = \"httpx\"\nversion = \"0.26.0\"\n[package.dependencies]\nanyio = \"*\"\n\n[[package]]\nname = \"anyio\"\nversion = \"4.0.0\"\n\n[[package]]\nname = \"pytest\"\nversion = \"8.0.0\"\n[package.dependencies]\npluggy = \"*\"\n\n[[package]]\nname = \"pluggy\"\nversion = \"1.4.0\"\n";
        let f = run(&[("pyproject.toml", py), ("poetry.lock", lock)]);
        assert!(has(&f, "deps.lockfile-drift", "httpx"), "{:?}", rules(&f));
        assert!(!has(&f, "deps.lockfile-drift", "pytest"));
        let mut p = project(&[("pyproject.toml", py), ("poetry.lock", lock)]);
        audit(&mut p, &Options::default());
        let l = &p.lockfiles[0];
        let get = |n: &str| l.packages.iter().find(|x| x.name == n).unwrap();
        assert!(get("pluggy").dev && get("pytest").dev && get("pytest").direct);
        assert!(!get("anyio").dev && !get("anyio").direct && get("httpx").direct);
    }

    #[test]
    fn unpinned_specs_and_safe_look_alikes() {
        let m = r#"{"dependencies":{"a-lib":"*","b-lib":"latest","c-lib":">=1.0.0","d-lib":"^1.2.3","e-lib":">=1 <2","f-lib":"github:me/f","g-lib":"github:me/g#0123456789abcdef0123456789abcdef01234567","h-lib":"file:../h","i-lib":"~1.2.0","j-lib":"1.x"},"peerDependencies":{"react":">=16"}}"#;
        let f = run(&[("package.json", m)]);
        for p in ["a-lib", "b-lib", "c-lib", "f-lib"] {
            assert!(has(&f, "deps.unpinned", p), "{p}: {:?}", rules(&f));
        }
        for p in [
            "d-lib", "e-lib", "g-lib", "h-lib", "i-lib", "j-lib", "react",
        ] {
            assert!(!has(&f, "deps.unpinned", p), "{p}");
        }
        // pyproject: open versions are normal for libraries with a lockfile.
        let py = "[project]\nname = \"x\"\ndependencies = [\"fastapi\", \"httpx>=0.27\"]\n";
        let lock = "version = 1\n[[package]]\nname = \"x\"\nversion = \"0\"\nsource = { editable = \".\" }\ndependencies = [{ name = \"fastapi\" }, { name = \"httpx\" }]\n[[package]]\nname = \"fastapi\"\nversion = \"0.110.0\"\nsource = { registry = \"r\" }\n[[package]]\nname = \"httpx\"\nversion = \"0.27.0\"\nsource = { registry = \"r\" }\n";
        let f = run(&[("pyproject.toml", py), ("uv.lock", lock)]);
        assert!(
            !f.iter().any(|x| x.rule == "deps.unpinned"),
            "{:?}",
            rules(&f)
        );
        assert!(
            !f.iter().any(|x| x.rule == "deps.lockfile-drift"),
            "{:?}",
            rules(&f)
        );
        let f = run(&[(
            "requirements.txt",
            "fastapi\nhttpx>=0.27\nuvicorn==0.29.0\n",
        )]);
        assert!(has(&f, "deps.unpinned", "fastapi") && has(&f, "deps.unpinned", "httpx"));
        assert!(!has(&f, "deps.unpinned", "uvicorn"));
    }

    #[test]
    fn peers_in_pnpm_and_prisma_pairs() {
        let lock = "lockfileVersion: '9.0'\nimporters:\n  .:\n    dependencies:\n      next:\n        specifier: 15.0.0\n        version: 15.0.0\n      next-plugin-x:\n        specifier: 1.0.0\n        version: 1.0.0\n      prisma:\n        specifier: 5.10.0\n        version: 5.10.0\n      '@prisma/client':\n        specifier: 5.9.1\n        version: 5.9.1\npackages:\n  next@15.0.0:\n    resolution: {integrity: a}\n  next-plugin-x@1.0.0:\n    resolution: {integrity: b}\n    peerDependencies:\n      next: ^14.0.0\n  next-plugin-y@1.0.0:\n    resolution: {integrity: c}\n    peerDependencies:\n      next: '>=13'\n  prisma@5.10.0:\n    resolution: {integrity: d}\n  '@prisma/client@5.9.1':\n    resolution: {integrity: e}\n";
        let m = r#"{"dependencies":{"next":"15.0.0","next-plugin-x":"1.0.0","prisma":"5.10.0","@prisma/client":"5.9.1"}}"#;
        let f = run(&[("package.json", m), ("pnpm-lock.yaml", lock)]);
        assert!(
            has(&f, "deps.unmet-peer", "next-plugin-x"),
            "{:?}",
            rules(&f)
        );
        assert!(!has(&f, "deps.unmet-peer", "next-plugin-y"));
        let pm = f.iter().find(|x| x.rule == "deps.prisma-mismatch").unwrap();
        assert_eq!(pm.severity, Severity::Medium);
        let same = lock.replace("5.9.1", "5.10.0");
        let f = run(&[
            ("package.json", &m.replace("5.9.1", "5.10.0")),
            ("pnpm-lock.yaml", &same),
        ]);
        assert!(!f.iter().any(|x| x.rule == "deps.prisma-mismatch"));
    }

    #[test]
    fn known_install_scripts_for_lockfiles_that_do_not_record_them() {
        let m = r#"{"dependencies":{"sharp":"^0.33.0","zod":"^3.22.0"}}"#;
        let yarn = "sharp@^0.33.0:\n  version \"0.33.2\"\n\nzod@^3.22.0:\n  version \"3.22.4\"\n";
        let f = run(&[("package.json", m), ("yarn.lock", yarn)]);
        assert!(has(&f, "deps.install-script", "sharp"));
        assert!(!has(&f, "deps.install-script", "zod"));
        // npm lockfiles from version 2 on record the flag: the bundled list is not used;
        // version 1 does not record it.
        let v1 = r#"{"lockfileVersion":1,"dependencies":{"sharp":{"version":"0.33.2"}}}"#;
        assert!(has(
            &run(&[("package.json", m), ("package-lock.json", v1)]),
            "deps.install-script",
            "sharp"
        ));
        let lock = r#"{"lockfileVersion":3,"packages":{"":{"dependencies":{"sharp":"^0.33.0"}},"node_modules/sharp":{"version":"0.33.2"}}}"#;
        assert!(!has(
            &run(&[("package.json", m), ("package-lock.json", lock)]),
            "deps.install-script",
            "sharp"
        ));
    }

    #[test]
    fn duplicate_singletons_need_two_majors() {
        let lock = |v2: &str| {
            format!(
                r#"{{"lockfileVersion":3,"packages":{{"":{{"dependencies":{{"react":"^18.2.0","old":"1"}}}},"node_modules/react":{{"version":"18.2.0"}},"node_modules/old":{{"version":"1.0.0"}},"node_modules/old/node_modules/react":{{"version":"{v2}"}}}}}}"#
            )
        };
        let m = r#"{"dependencies":{"react":"^18.2.0","old":"1"}}"#;
        assert!(has(
            &run(&[("package.json", m), ("package-lock.json", &lock("17.0.2"))]),
            "deps.duplicate-singleton",
            "react"
        ));
        assert!(!has(
            &run(&[("package.json", m), ("package-lock.json", &lock("18.3.1"))]),
            "deps.duplicate-singleton",
            "react"
        ));
    }

    #[test]
    fn disabled_rules_are_not_reported() {
        let mut p = project(&[("package.json", r#"{"dependencies":{"a-lib":"*"}}"#)]);
        let opts = Options {
            config: DepsConfig {
                disable: vec!["deps.unpinned".into()],
                ..DepsConfig::default()
            },
            ..Options::default()
        };
        let f = audit(&mut p, &opts).findings;
        assert!(!f.iter().any(|x| x.rule == "deps.unpinned"));
        assert!(f.iter().any(|x| x.rule == "deps.no-lockfile"));
    }

    #[test]
    fn online_answers_turn_into_findings() {
        let mut p = project(&[(
            "package.json",
            r#"{"dependencies":{"react-supabase-auth-helpers-pro":"^1.0.0","react":"^18.0.0"}}"#,
        )]);
        let mut exists = HashMap::new();
        exists.insert(
            (
                Ecosystem::Npm,
                "react-supabase-auth-helpers-pro".to_string(),
            ),
            false,
        );
        exists.insert((Ecosystem::Npm, "react".to_string()), true);
        let f = audit(
            &mut p,
            &Options {
                exists,
                ..Options::default()
            },
        )
        .findings;
        assert!(has(
            &f,
            "deps.not-in-registry",
            "react-supabase-auth-helpers-pro"
        ));
        assert!(!has(&f, "deps.not-in-registry", "react"));
    }

    #[test]
    fn rules_lists_every_rule_emitted_and_documented() {
        let emitted: BTreeSet<&str> = regex::Regex::new(r#"ctx\.emit\(\s*"(deps\.[a-z-]+)""#)
            .unwrap()
            .captures_iter(include_str!("audit.rs"))
            .map(|c| c.get(1).unwrap().as_str())
            .collect();
        assert_eq!(emitted, RULES.iter().copied().collect::<BTreeSet<_>>());
        let doc = include_str!("lib.rs");
        for rule in RULES {
            assert!(doc.contains(&format!("| `{rule}` |")), "{rule}");
        }
    }
}
