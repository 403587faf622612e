//! The parallel directory walk (the `ignore` crate) and the `--stdin` path list, both
//! producing batches of [`Item`]s for the writer.

use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::SyncSender;
use std::sync::Mutex;

use ignore::gitignore::{Gitignore, GitignoreBuilder};
use ignore::{DirEntry, Match, ParallelVisitor, ParallelVisitorBuilder, WalkBuilder, WalkState};
use lm_core::DiagnosticLevel;
use rayon::prelude::*;

use crate::classify::{Classifier, Item};
use crate::dirfd::DirCache;
use crate::sniff::HEAD_SIZE;

/// The project ignore file, read like `.gitignore` in every directory.
pub const LMIGNORE: &str = ".lmignore";

/// Hidden names that are walked even without `--hidden`: they commonly hold secrets or
/// deployment settings an audit must see.
pub const ALWAYS_WALKED_HIDDEN: &[&str] = &[
    ".env",
    ".dev.vars",
    ".npmrc",
    ".yarnrc",
    ".yarnrc.yml",
    ".github",
    ".gitlab-ci.yml",
];

/// Items per batch sent to the writer.
const BATCH: usize = 256;

/// Walk settings.
#[derive(Debug, Clone)]
pub struct WalkOptions {
    /// Walk every hidden file and directory (not only [`ALWAYS_WALKED_HIDDEN`]).
    pub hidden: bool,
    /// Ignore `.gitignore`, `.ignore`, `.lmignore` and git excludes.
    pub no_ignore: bool,
    /// Follow symbolic links.
    pub follow: bool,
    /// Worker threads (0: one per core).
    pub threads: usize,
}

/// True when a hidden name is still walked without `--hidden`.
pub fn always_walked(name: &[u8]) -> bool {
    name.starts_with(b".env.") || ALWAYS_WALKED_HIDDEN.iter().any(|n| n.as_bytes() == name)
}

fn name_bytes(p: &Path) -> &[u8] {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        p.file_name().map(|n| n.as_bytes()).unwrap_or(b"")
    }
    #[cfg(not(unix))]
    {
        p.file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("")
            .as_bytes()
    }
}

/// Walks the root of `classifier` in parallel, sending batches to `tx` until the walk ends
/// or `stop` is set (the writer went away). Unless ignore files are off, the files git
/// tracks under the root that a `.gitignore` rule kept out of the walk are listed after it
/// (see [`list_tracked`]).
pub fn walk(
    classifier: &Classifier,
    opts: &WalkOptions,
    tx: SyncSender<Vec<Item>>,
    stop: &AtomicBool,
) {
    let root = classifier.root().to_path_buf();
    let mut builder = WalkBuilder::new(&root);
    let respect = !opts.no_ignore;
    builder
        .hidden(false)
        .parents(respect)
        .ignore(respect)
        .git_ignore(respect)
        .git_global(respect)
        .git_exclude(respect)
        .require_git(false)
        .follow_links(opts.follow)
        .threads(opts.threads);
    if respect {
        builder.add_custom_ignore_filename(LMIGNORE);
    }
    let hidden = opts.hidden;
    builder.filter_entry(move |e| {
        let name = name_bytes(e.path());
        if e.depth() == 0 {
            return true;
        }
        if name == b".git" {
            return false;
        }
        hidden || !name.starts_with(b".") || always_walked(name)
    });
    let tracked = if respect {
        crate::gitindex::tracked_under(&root).filter(|t| !t.is_empty())
    } else {
        None
    };
    let seen = tracked.as_ref().map(|_| Seen {
        state: RandomState::new(),
        hashes: Mutex::new(Vec::new()),
    });
    let mut visitors = Visitors {
        classifier,
        tx: tx.clone(),
        stop,
        seen: seen.as_ref(),
    };
    builder.build_parallel().visit(&mut visitors);
    if let (Some(tracked), Some(seen)) = (tracked, seen) {
        list_tracked(classifier, opts, tracked, seen, &tx, stop);
    }
}

/// The paths the walk listed, kept as hashes (no copy of each path): SipHash with a
/// random key, so no crafted tree can make an unlisted path look listed.
struct Seen {
    state: RandomState,
    hashes: Mutex<Vec<u64>>,
}

/// Lists the files git tracks under the root that the walk did not reach: a `.gitignore`
/// rule (or git's exclude files) matches them, yet they are committed, in every clone,
/// and must be audited (git itself keeps tracking them). `.ignore` and `.lmignore` rules,
/// hidden names and `.git/` still apply as in the walk; symbolic links and files missing
/// from the work tree are left out.
fn list_tracked(
    c: &Classifier,
    opts: &WalkOptions,
    tracked: Vec<Vec<u8>>,
    seen: Seen,
    tx: &SyncSender<Vec<Item>>,
    stop: &AtomicBool,
) {
    let mut hashes = seen.hashes.into_inner().unwrap_or_else(|e| e.into_inner());
    hashes.sort_unstable();
    let mut ignores = ToolIgnores::new(c.root());
    let mut head = vec![0u8; HEAD_SIZE];
    let mut dirs = DirCache::new();
    let mut batch = Vec::new();
    for rel in tracked {
        let listed = hashes
            .binary_search(&seen.state.hash_one(rel.as_slice()))
            .is_ok();
        if listed || !walked_path(&rel, opts.hidden) {
            continue;
        }
        let rel = crate::classify::path_from_bytes(&rel);
        if ignores.ignored(&rel) {
            continue;
        }
        let abs = c.root().join(&rel);
        let Ok(meta) = std::fs::symlink_metadata(&abs) else {
            continue;
        };
        if !meta.is_file() {
            continue;
        }
        let info = crate::dirfd::FileInfo::from_metadata(&meta);
        batch.push(c.file(&abs, info, &mut head, &mut dirs));
        if batch.len() >= BATCH
            && (stop.load(Ordering::Relaxed) || tx.send(std::mem::take(&mut batch)).is_err())
        {
            return;
        }
    }
    if !batch.is_empty() {
        let _ = tx.send(batch);
    }
}

/// True when no component of the relative path `rel` is one the walk skips: `.git`, or a
/// hidden name without `--hidden` (other than [`ALWAYS_WALKED_HIDDEN`]).
fn walked_path(rel: &[u8], hidden: bool) -> bool {
    rel.split(|&b| b == b'/')
        .all(|name| name != b".git" && (hidden || !name.starts_with(b".") || always_walked(name)))
}

/// The tool-specific ignore files (`.ignore`, `.lmignore`) of the directories under a
/// root, read once each: they say what not to scan, so they apply even to tracked files.
struct ToolIgnores {
    root: PathBuf,
    dirs: HashMap<PathBuf, Option<Gitignore>>,
}

impl ToolIgnores {
    fn new(root: &Path) -> Self {
        ToolIgnores {
            root: root.to_path_buf(),
            dirs: HashMap::new(),
        }
    }

    /// True when the nearest `.ignore` / `.lmignore` rule matching the relative file path
    /// `rel` (or one of its directories) ignores it.
    fn ignored(&mut self, rel: &Path) -> bool {
        let mut dir = rel.parent();
        while let Some(d) = dir {
            if let Some(gi) = self.matcher(d) {
                let below = rel.strip_prefix(d).unwrap_or(rel);
                match gi.matched_path_or_any_parents(below, false) {
                    Match::Ignore(_) => return true,
                    Match::Whitelist(_) => return false,
                    Match::None => {}
                }
            }
            dir = d.parent();
        }
        false
    }

    fn matcher(&mut self, dir: &Path) -> Option<&Gitignore> {
        let root = &self.root;
        self.dirs
            .entry(dir.to_path_buf())
            .or_insert_with(|| {
                let abs = root.join(dir);
                let mut builder = GitignoreBuilder::new(&abs);
                let mut any = false;
                for name in [".ignore", LMIGNORE] {
                    let file = abs.join(name);
                    if file.is_file() {
                        any = true;
                        let _ = builder.add(file);
                    }
                }
                if !any {
                    return None;
                }
                builder.build().ok().filter(|gi| !gi.is_empty())
            })
            .as_ref()
    }
}

struct Visitors<'s> {
    classifier: &'s Classifier,
    tx: SyncSender<Vec<Item>>,
    stop: &'s AtomicBool,
    /// Where the visitors leave the relative paths they listed, when tracked files are
    /// to be listed after the walk.
    seen: Option<&'s Seen>,
}

impl<'s> ParallelVisitorBuilder<'s> for Visitors<'s> {
    fn build(&mut self) -> Box<dyn ParallelVisitor + 's> {
        Box::new(Visitor {
            classifier: self.classifier,
            tx: self.tx.clone(),
            stop: self.stop,
            batch: Vec::with_capacity(BATCH),
            head: vec![0; HEAD_SIZE],
            dirs: DirCache::new(),
            seen: self.seen,
            listed: Vec::new(),
        })
    }
}

struct Visitor<'s> {
    classifier: &'s Classifier,
    tx: SyncSender<Vec<Item>>,
    stop: &'s AtomicBool,
    batch: Vec<Item>,
    head: Vec<u8>,
    dirs: DirCache,
    seen: Option<&'s Seen>,
    /// The hashes of this visitor's listed paths, handed to `seen` when it is dropped.
    listed: Vec<u64>,
}

impl Visitor<'_> {
    fn flush(&mut self) {
        if self.batch.is_empty() {
            return;
        }
        let batch = std::mem::replace(&mut self.batch, Vec::with_capacity(BATCH));
        if self.tx.send(batch).is_err() {
            self.stop.store(true, Ordering::Relaxed);
        }
    }

    fn entry(&mut self, entry: DirEntry) -> Option<Item> {
        let ft = entry.file_type()?;
        if !ft.is_file() {
            // Directories are walked, not listed; symbolic links are followed only with
            // --follow (the walker then reports their targets); sockets, FIFOs and
            // devices are not source files (and opening a FIFO would block).
            return None;
        }
        let info = match self.dirs.stat(entry.path()) {
            Ok(m) => m,
            Err(e) => {
                return Some(self.classifier.diagnostic(
                    Some(entry.path()),
                    DiagnosticLevel::Warning,
                    "unreadable",
                    format!("cannot read metadata: {e}"),
                ))
            }
        };
        Some(
            self.classifier
                .file(entry.path(), info, &mut self.head, &mut self.dirs),
        )
    }
}

impl ParallelVisitor for Visitor<'_> {
    fn visit(&mut self, entry: Result<DirEntry, ignore::Error>) -> WalkState {
        if self.stop.load(Ordering::Relaxed) {
            return WalkState::Quit;
        }
        let item = match entry {
            Ok(e) => self.entry(e),
            Err(e) => Some(error_item(self.classifier, &e)),
        };
        if let Some(item) = item {
            if let Some(seen) = self.seen {
                self.listed.push(seen.state.hash_one(item.key.as_slice()));
            }
            self.batch.push(item);
            if self.batch.len() >= BATCH {
                self.flush();
            }
        }
        WalkState::Continue
    }
}

impl Drop for Visitor<'_> {
    fn drop(&mut self) {
        self.flush();
        if let Some(seen) = self.seen {
            let mut hashes = seen.hashes.lock().unwrap_or_else(|e| e.into_inner());
            hashes.append(&mut self.listed);
        }
    }
}

/// The diagnostic for a walk error.
fn error_item(c: &Classifier, err: &ignore::Error) -> Item {
    let mut path: Option<PathBuf> = None;
    let mut e = err;
    loop {
        match e {
            ignore::Error::WithPath { path: p, err } => {
                path.get_or_insert_with(|| p.clone());
                e = err;
            }
            ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
                e = err
            }
            ignore::Error::Partial(errs) if !errs.is_empty() => e = &errs[0],
            _ => break,
        }
    }
    let (level, code, message) = match e {
        ignore::Error::Loop { ancestor, child } => {
            path = Some(child.clone());
            let anc = match ancestor.strip_prefix(c.root()) {
                Ok(r) if r.as_os_str().is_empty() => ".".to_string(),
                Ok(r) => lm_core::RelPath::from_path(r).path,
                Err(_) => ancestor.display().to_string(),
            };
            (
                DiagnosticLevel::Warning,
                "symlink-loop",
                format!("symbolic link loop: leads back to `{anc}`; not followed"),
            )
        }
        ignore::Error::Io(io) if io.kind() == std::io::ErrorKind::NotFound => (
            DiagnosticLevel::Warning,
            "broken-symlink",
            format!("cannot follow: {io}"),
        ),
        ignore::Error::Io(io) => (
            DiagnosticLevel::Warning,
            "unreadable",
            format!("cannot read: {io}"),
        ),
        ignore::Error::Glob { .. } => (
            DiagnosticLevel::Warning,
            "ignore-file",
            format!("invalid ignore pattern: {e}"),
        ),
        other => (DiagnosticLevel::Warning, "unreadable", other.to_string()),
    };
    c.diagnostic(path.as_deref(), level, code, message)
}

/// Classifies the paths named in `list` (from `--stdin`), in order, in parallel, sending
/// batches to `tx`. Paths are relative to the current directory (root `.`); absolute
/// paths outside it are reported against root `/`.
pub fn list(
    paths: &[PathBuf],
    here: &Classifier,
    absolute: &Classifier,
    tx: &SyncSender<Vec<Item>>,
) {
    let cwd = std::env::current_dir().ok();
    for chunk in paths.chunks(1024) {
        let batch: Vec<Item> = chunk
            .par_iter()
            .map_init(
                || (vec![0u8; HEAD_SIZE], DirCache::new()),
                |(head, dirs), p| {
                    let (c, abs) = match (&cwd, p.is_absolute()) {
                        (Some(cwd), true) if p.starts_with(cwd) => {
                            (here, p.strip_prefix(cwd).unwrap_or(p).to_path_buf())
                        }
                        (_, true) => (absolute, p.clone()),
                        (_, false) => (here, p.clone()),
                    };
                    stdin_entry(c, &abs, head, dirs)
                },
            )
            .collect();
        if tx.send(batch).is_err() {
            return;
        }
    }
}

fn stdin_entry(c: &Classifier, path: &Path, head: &mut [u8], dirs: &mut DirCache) -> Item {
    let abs = c.root().join(path);
    match dirs.stat(&abs) {
        Ok(info) if info.is_file => c.file(&abs, info, head, dirs),
        Ok(_) => c.diagnostic(
            Some(&abs),
            DiagnosticLevel::Info,
            "not-a-file",
            "not a regular file; only files are listed from --stdin".into(),
        ),
        Err(e) => c.diagnostic(
            Some(&abs),
            DiagnosticLevel::Warning,
            "unreadable",
            format!("cannot read: {e}"),
        ),
    }
}
