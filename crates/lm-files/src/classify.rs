//! Turns one filesystem entry into its record: a `file` record, or a `diagnostic` when the
//! file is too large or cannot be read.

use std::collections::HashMap;

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use lm_core::{Diagnostic, DiagnosticLevel, FileRecord, Record, RelPath, Role};

use crate::dirfd::{DirCache, FileInfo};
use crate::language;
use crate::role::{self, Framework, ProjectProbe};
use crate::size::format_size;
use crate::sniff;

/// The stage name written into diagnostics.
pub const STAGE: &str = "lm-files";

/// When the first block of a file is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum SniffMode {
    /// Read only the files whose record depends on their content: names with no known
    /// language (binary check, shebang), modules whose role a `"use client"` /
    /// `"use server"` directive decides, client-side `.js` files (JSX), and files whose
    /// permission bits do not grant read access to everyone (the real readability check).
    /// Other files with a known text extension are reported as text, known binary formats
    /// as binary, without being opened.
    #[default]
    Auto,
    /// Read the first block of every file: exact binary flags, JSX detection in every
    /// `.js` file, and every unreadable file reported here rather than by a later stage.
    All,
}

/// One output line with what sorting and the summary need.
#[derive(Debug)]
pub struct Item {
    /// Index of the root this item belongs to (roots sort in the order given).
    pub root: usize,
    /// The relative path's exact bytes (the sort key within a root).
    pub key: Vec<u8>,
    /// The serialised record, without a line terminator.
    pub line: String,
    /// File size for `file` records; `None` for diagnostics.
    pub size: Option<u64>,
}

/// Settings that shape every record.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Files larger than this become a `too-large` diagnostic.
    pub max_filesize: u64,
    /// When to read a file's first block.
    pub sniff: SniffMode,
}

/// Classifies the entries of one root.
pub struct Classifier {
    root_index: usize,
    root_fs: PathBuf,
    root_text: String,
    settings: Settings,
    probe: FsProbe,
}

impl Classifier {
    /// A classifier for the root at `root_fs`, written as `root_text` in records.
    pub fn new(root_index: usize, root_fs: PathBuf, root_text: String, settings: Settings) -> Self {
        Classifier {
            root_index,
            probe: FsProbe::new(root_fs.clone()),
            root_fs,
            root_text,
            settings,
        }
    }

    /// The filesystem path of the root.
    pub fn root(&self) -> &Path {
        &self.root_fs
    }

    /// The path of `abs` relative to the root (the file name when `abs` is the root).
    pub fn relative<'p>(&self, abs: &'p Path) -> &'p Path {
        match abs.strip_prefix(&self.root_fs) {
            Ok(rel) if !rel.as_os_str().is_empty() => rel,
            _ => abs.file_name().map(Path::new).unwrap_or(abs),
        }
    }

    /// A diagnostic about `abs` (or about the root when `abs` is `None`).
    pub fn diagnostic(
        &self,
        abs: Option<&Path>,
        level: DiagnosticLevel,
        code: &str,
        message: String,
    ) -> Item {
        let d = Diagnostic::new(level, STAGE, code, message);
        // A diagnostic about the root itself carries no path.
        let rel = abs.and_then(|abs| match abs.strip_prefix(&self.root_fs) {
            Ok(rel) if rel.as_os_str().is_empty() => None,
            _ => Some(self.relative(abs)),
        });
        let (key, d) = match rel {
            Some(rel) => (os_bytes(rel), d.with_path(RelPath::from_path(rel).path)),
            None => (Vec::new(), d),
        };
        self.item(key, &Record::Diagnostic(d), None)
    }

    fn item(&self, key: Vec<u8>, record: &Record, size: Option<u64>) -> Item {
        Item {
            root: self.root_index,
            key,
            line: serde_json::to_string(record).unwrap_or_else(|e| {
                format!(
                    "{{\"type\":\"diagnostic\",\"level\":\"error\",\"stage\":\"{STAGE}\",\"code\":\"internal\",\"message\":{}}}",
                    serde_json::Value::String(e.to_string())
                )
            }),
            size,
        }
    }

    /// The record for the regular file at `abs` described by `info`. `head` is a scratch
    /// buffer of at least [`sniff::HEAD_SIZE`] bytes; files are opened through `dirs`.
    pub fn file(&self, abs: &Path, info: FileInfo, head: &mut [u8], dirs: &mut DirCache) -> Item {
        let rel_path = self.relative(abs);
        let rel = record_path(rel_path);
        let size = info.size;
        if size > self.settings.max_filesize {
            return self.diagnostic(
                Some(abs),
                DiagnosticLevel::Warning,
                "too-large",
                format!(
                    "skipped: {} is larger than --max-filesize {}; raise the limit to scan it",
                    format_size(size),
                    format_size(self.settings.max_filesize)
                ),
            );
        }
        let name_os = rel_path.file_name().unwrap_or(rel_path.as_os_str());
        let name = name_os.to_string_lossy();
        let mut language = language::by_name(&name);
        let ext_binary = language::is_binary_extension(&name);
        let mut verdict = role::classify(&rel.path, &self.probe);
        let is_plain_js = matches!(
            language::extension(&name).as_deref(),
            Some("js" | "mjs" | "cjs")
        );
        let wants_directive = verdict.directives && language.is_some_and(language::is_js_family);
        let wants_jsx = is_plain_js
            && (self.settings.sniff == SniffMode::All
                || matches!(verdict.role, Role::Client)
                || wants_directive);
        let read = match self.settings.sniff {
            SniffMode::All => true,
            SniffMode::Auto => {
                (language.is_none() && !ext_binary)
                    || wants_directive
                    || wants_jsx
                    || info.mode & 0o444 != 0o444
            }
        };
        let mut binary = ext_binary;
        if read {
            let n = match dirs
                .open(abs)
                .and_then(|mut f| sniff::read_head(&mut f, head))
            {
                Ok(n) => n,
                Err(e) => {
                    return self.diagnostic(
                        Some(abs),
                        DiagnosticLevel::Warning,
                        "unreadable",
                        format!("cannot read file: {e}"),
                    )
                }
            };
            let block = &head[..n];
            binary = sniff::is_binary(block);
            if !binary {
                if language.is_none() {
                    language = language::by_shebang(block);
                }
                if wants_directive {
                    verdict = verdict.with_directive(sniff::directive(block));
                }
                if is_plain_js && language == Some("javascript") && language::looks_like_jsx(block)
                {
                    language = Some("jsx");
                }
            }
        }
        let record = FileRecord {
            path: rel.path,
            path_bytes: rel.path_bytes,
            root: self.root_text.clone(),
            language: language.map(str::to_string),
            size,
            binary,
            role: verdict.role,
            role_reason: verdict.reason.to_string(),
        };
        self.item(os_bytes(rel_path), &Record::File(record), Some(size))
    }
}

/// The record form of a relative path: [`RelPath::from_path`], with a shortcut for the
/// common case of a clean UTF-8 relative path (which it would return unchanged).
fn record_path(p: &Path) -> RelPath {
    #[cfg(unix)]
    if let Some(s) = p.to_str() {
        let clean = !s.is_empty()
            && !s.starts_with('/')
            && !s.starts_with("./")
            && !s.ends_with('/')
            && !s.ends_with("/.")
            && s != "."
            && !s.contains("//")
            && !s.contains("/./");
        if clean {
            return RelPath {
                path: s.to_string(),
                path_bytes: None,
            };
        }
    }
    RelPath::from_path(p)
}

/// The path with exactly these bytes (on Unix; elsewhere the bytes read as UTF-8).
pub fn path_from_bytes(b: &[u8]) -> PathBuf {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        PathBuf::from(std::ffi::OsStr::from_bytes(b))
    }
    #[cfg(not(unix))]
    {
        PathBuf::from(String::from_utf8_lossy(b).into_owned())
    }
}

/// The raw bytes of a path (the sort key).
pub fn os_bytes(p: &Path) -> Vec<u8> {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        p.as_os_str().as_bytes().to_vec()
    }
    #[cfg(not(unix))]
    {
        p.to_string_lossy().replace('\\', "/").into_bytes()
    }
}

/// [`ProjectProbe`] over the real filesystem, cached per directory.
///
/// The project of a directory is its nearest ancestor (itself included, the root at
/// most) holding a `package.json`. Its framework is decided from that directory's names:
/// `next.config.*` → Next.js; `vite.config.*`, `index.html` or `public/index.html` → a
/// browser bundle.
pub struct FsProbe {
    root: PathBuf,
    cache: Mutex<HashMap<String, Framework>>,
}

impl FsProbe {
    /// A probe for the tree at `root`.
    pub fn new(root: PathBuf) -> Self {
        FsProbe {
            root,
            cache: Mutex::new(HashMap::new()),
        }
    }

    fn detect(dir: &Path) -> Framework {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return Framework::Unknown;
        };
        let (mut next_config, mut vite_config, mut bundle) = (false, false, false);
        for entry in entries.flatten() {
            let name = entry.file_name();
            let Some(name) = name.to_str() else { continue };
            if name.starts_with("next.config.") {
                next_config = true;
            }
            if name.starts_with("vite.config.") {
                vite_config = true;
            }
            if vite_config || name == "index.html" {
                bundle = true;
            }
            if name == "public" && dir.join("public/index.html").is_file() {
                bundle = true;
            }
        }
        // A `next.config.*` names Next.js, unless a `vite.config.*` sits beside it and
        // the project does not depend on `next` (a Vite app with a stray Next.js config
        // left from a migration). `next.config.*` is optional: the dependency list says
        // the rest.
        if next_config && !vite_config {
            return Framework::Next;
        }
        let deps = manifest_dependencies(&dir.join("package.json"));
        let has = |names: &[&str]| names.iter().any(|n| deps.iter().any(|d| d == n));
        if has(&["next"]) {
            Framework::Next
        } else if bundle
            || has(&[
                "vite",
                "react-scripts",
                "@vitejs/plugin-react",
                "@vitejs/plugin-react-swc",
            ])
        {
            Framework::BrowserBundle
        } else if has(&[
            "express",
            "fastify",
            "hono",
            "koa",
            "@nestjs/core",
            "@hapi/hapi",
            "@hono/node-server",
        ]) {
            Framework::NodeServer
        } else {
            Framework::Unknown
        }
    }
}

/// The dependency names of a `package.json` (`dependencies` and `devDependencies`; peer
/// dependencies are a library's, not an app's); empty when it cannot be read or parsed,
/// or is over 1 MiB.
fn manifest_dependencies(path: &Path) -> Vec<String> {
    let Ok(text) = std::fs::read(path) else {
        return Vec::new();
    };
    if text.len() > 1 << 20 {
        return Vec::new();
    }
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(&text) else {
        return Vec::new();
    };
    ["dependencies", "devDependencies"]
        .iter()
        .filter_map(|k| value.get(k).and_then(|v| v.as_object()))
        .flat_map(|o| o.keys().cloned())
        .collect()
}

impl ProjectProbe for FsProbe {
    fn framework(&self, dir: &str) -> Framework {
        if let Some(f) = self.cache.lock().ok().and_then(|c| c.get(dir).copied()) {
            return f;
        }
        let fs_dir = if dir.is_empty() {
            self.root.clone()
        } else {
            self.root.join(dir)
        };
        let found = if fs_dir.join("package.json").is_file() {
            FsProbe::detect(&fs_dir)
        } else if dir.is_empty() {
            Framework::Unknown
        } else {
            let parent = dir.rfind('/').map_or("", |i| &dir[..i]);
            self.framework(parent)
        };
        if let Ok(mut c) = self.cache.lock() {
            c.insert(dir.to_string(), found);
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> Settings {
        Settings {
            max_filesize: 1024,
            sniff: SniffMode::All,
        }
    }

    fn record(item: &Item) -> serde_json::Value {
        serde_json::from_str(&item.line).unwrap()
    }

    #[test]
    fn record_paths_match_the_contract_form() {
        for p in [
            "a/b.ts",
            "./a/b.ts",
            "a//b.ts",
            "a/./b.ts",
            "a/b/",
            ".env",
            "a/../b.ts",
            "x",
        ] {
            assert_eq!(
                record_path(Path::new(p)),
                RelPath::from_path(Path::new(p)),
                "{p}"
            );
        }
    }

    #[test]
    fn probe_finds_the_nearest_project() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("apps/web/app")).unwrap();
        std::fs::create_dir_all(root.join("apps/admin/src")).unwrap();
        std::fs::create_dir_all(root.join("apps/api/src")).unwrap();
        for p in [
            "package.json",
            "apps/web/package.json",
            "apps/web/next.config.mjs",
        ] {
            std::fs::write(root.join(p), "{}").unwrap();
        }
        for p in [
            "apps/admin/package.json",
            "apps/admin/index.html",
            "apps/api/package.json",
        ] {
            std::fs::write(root.join(p), "").unwrap();
        }
        // Detected from the dependency list alone.
        for d in [
            "apps/site/app",
            "apps/spa/src",
            "apps/backend/src",
            "apps/tool/src",
            "apps/hybrid/src",
            "apps/next-vitest/app",
        ] {
            std::fs::create_dir_all(root.join(d)).unwrap();
        }
        let manifests = [
            (
                "apps/site/package.json",
                r#"{"dependencies":{"next":"14.2.3","react":"18"},"scripts":{"dev":"next dev"}}"#,
            ),
            (
                "apps/spa/package.json",
                r#"{"dependencies":{"react":"18"},"devDependencies":{"vite":"5"}}"#,
            ),
            (
                "apps/backend/package.json",
                r#"{"dependencies":{"express":"4.19.2"}}"#,
            ),
            // A Vite app with a Next.js config left behind, and a Next.js app whose tests
            // run on Vite: the dependency list decides.
            (
                "apps/hybrid/package.json",
                r#"{"scripts":{"dev":"vite"},"devDependencies":{"vite":"5.4.19"}}"#,
            ),
            (
                "apps/next-vitest/package.json",
                r#"{"dependencies":{"next":"15.1.0"},"devDependencies":{"vitest":"2"}}"#,
            ),
            // Look-alike: "next" as a script name and in a value, not a dependency.
            (
                "apps/tool/package.json",
                r#"{"name":"tool","scripts":{"next":"node next.js"},"dependencies":{"lodash":"4"}}"#,
            ),
        ];
        for (p, body) in manifests {
            std::fs::write(root.join(p), body).unwrap();
        }
        for dir in ["apps/hybrid", "apps/next-vitest"] {
            std::fs::write(root.join(dir).join("next.config.js"), "module.exports = {}").unwrap();
            std::fs::write(root.join(dir).join("vite.config.ts"), "export default {}").unwrap();
        }
        let probe = FsProbe::new(root.to_path_buf());
        assert_eq!(probe.framework("apps/web/app"), Framework::Next);
        assert_eq!(probe.framework("apps/admin/src"), Framework::BrowserBundle);
        assert_eq!(probe.framework("apps/api/src"), Framework::Unknown);
        assert_eq!(probe.framework("apps/site/app"), Framework::Next);
        assert_eq!(probe.framework("apps/spa/src"), Framework::BrowserBundle);
        assert_eq!(probe.framework("apps/backend/src"), Framework::NodeServer);
        assert_eq!(probe.framework("apps/tool/src"), Framework::Unknown);
        assert_eq!(probe.framework("apps/hybrid/src"), Framework::BrowserBundle);
        assert_eq!(probe.framework("apps/next-vitest/app"), Framework::Next);
        assert_eq!(probe.framework(""), Framework::Unknown);
    }

    #[test]
    fn file_records_sniff_language_role_and_binary() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("app/dashboard")).unwrap();
        std::fs::create_dir_all(root.join("bin")).unwrap();
        std::fs::write(root.join("package.json"), "{}").unwrap();
        std::fs::write(root.join("next.config.js"), "module.exports = {}").unwrap();
        std::fs::write(
            root.join("app/dashboard/page.tsx"),
            "'use client'\nexport default function P() { return <div/> }\n",
        )
        .unwrap();
        std::fs::write(
            root.join("app/actions.ts"),
            "\"use server\";\nexport async function save() {}\n",
        )
        .unwrap();
        std::fs::write(
            root.join("bin/tool"),
            "#!/usr/bin/env node\nconsole.log(1)\n",
        )
        .unwrap();
        std::fs::write(root.join("bin/blob"), b"\x7fELF\x02\x01\x01\0\0\0").unwrap();
        std::fs::write(root.join("big.txt"), vec![b'a'; 2048]).unwrap();
        let c = Classifier::new(0, root.to_path_buf(), "r".into(), settings());
        let mut head = vec![0u8; sniff::HEAD_SIZE];
        let mut get = |p: &str| {
            let abs = root.join(p);
            let info = FileInfo::from_metadata(&std::fs::metadata(&abs).unwrap());
            record(&c.file(&abs, info, &mut head, &mut DirCache::new()))
        };
        let page = get("app/dashboard/page.tsx");
        assert_eq!(page["type"], "file");
        assert_eq!(page["path"], "app/dashboard/page.tsx");
        assert_eq!(page["root"], "r");
        assert_eq!(page["role"], "client");
        assert_eq!(page["language"], "tsx");
        let actions = get("app/actions.ts");
        assert_eq!(actions["role"], "server");
        let tool = get("bin/tool");
        assert_eq!(tool["language"], "javascript");
        assert_eq!(tool["binary"], false);
        let blob = get("bin/blob");
        assert_eq!(blob["binary"], true);
        assert!(blob.get("language").is_none());
        let big = get("big.txt");
        assert_eq!(big["type"], "diagnostic");
        assert_eq!(big["code"], "too-large");
        assert_eq!(big["path"], "big.txt");
    }
}
