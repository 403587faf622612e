//! Reading the lines of scanned files, for code frames and inline suppressions.
//!
//! A finding's file is found through the `file` record of its path (whose `root` says where
//! the scan ran) or, when the stream has none, relative to the report's `--root`. Paths
//! that would leave the root (absolute, or with `..`) are never opened; nor are files over
//! [`MAX_FILE_BYTES`] or binary files. Invalid UTF-8 is read lossily.

use std::collections::HashMap;
use std::io::Read;
use std::path::{Component, Path, PathBuf};
use std::rc::Rc;

use lm_core::{FileRecord, Finding};

/// Files larger than this are not read (no code frame, no inline suppression).
pub const MAX_FILE_BYTES: u64 = 8 * 1024 * 1024;

/// Line cache over the files of a stream.
pub struct Sources<'a> {
    files: &'a HashMap<String, FileRecord>,
    root: PathBuf,
    cache: HashMap<PathBuf, Option<Rc<[String]>>>,
}

impl<'a> Sources<'a> {
    /// Resolves paths through `files`, else against `root`.
    pub fn new(files: &'a HashMap<String, FileRecord>, root: impl Into<PathBuf>) -> Self {
        Sources {
            files,
            root: root.into(),
            cache: HashMap::new(),
        }
    }

    /// The directory paths without a `file` record are resolved against.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The path to open for a finding, or `None` when it would leave its root.
    pub fn resolve(&self, finding: &Finding) -> Option<PathBuf> {
        if let Some(rec) = self.files.get(&finding.path) {
            if rec.path_bytes == finding.path_bytes || finding.path_bytes.is_none() {
                return is_contained(&rec.rel_path()).then(|| rec.fs_path());
            }
        }
        let rel = lm_core::relpath::to_path_buf(&finding.path, finding.path_bytes.as_deref());
        is_contained(&rel).then(|| self.root.join(rel))
    }

    /// The lines of the finding's file (without line terminators), or `None` when it cannot
    /// be read.
    pub fn lines(&mut self, finding: &Finding) -> Option<Rc<[String]>> {
        let path = self.resolve(finding)?;
        self.cache
            .entry(path)
            .or_insert_with_key(|p| read_lines(p).map(Rc::from))
            .clone()
    }
}

fn is_contained(rel: &Path) -> bool {
    !rel.as_os_str().is_empty()
        && rel
            .components()
            .all(|c| matches!(c, Component::Normal(_) | Component::CurDir))
}

fn read_lines(path: &Path) -> Option<Vec<String>> {
    let file = std::fs::File::open(path).ok()?;
    if !file.metadata().ok()?.is_file() {
        return None;
    }
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes).ok()?;
    if bytes.len() as u64 > MAX_FILE_BYTES || bytes[..bytes.len().min(8192)].contains(&0) {
        return None;
    }
    let text = String::from_utf8_lossy(&bytes);
    Some(
        text.split('\n')
            .map(|l| l.strip_suffix('\r').unwrap_or(l).to_string())
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use lm_core::{Category, Role, Severity};

    fn finding(path: &str) -> Finding {
        Finding::new("r", Category::InjectSql, Severity::High, path, 1, "m")
    }

    #[test]
    fn resolves_through_file_records_then_root_and_refuses_escapes() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("app/src")).unwrap();
        std::fs::write(dir.path().join("app/src/a.js"), "one\r\ntwo\n").unwrap();
        std::fs::write(dir.path().join("b.js"), "b1").unwrap();
        let mut files = HashMap::new();
        files.insert(
            "src/a.js".to_string(),
            FileRecord {
                path: "src/a.js".into(),
                path_bytes: None,
                root: dir.path().join("app").display().to_string(),
                language: None,
                size: 9,
                binary: false,
                role: Role::Server,
                role_reason: String::new(),
            },
        );
        let mut s = Sources::new(&files, dir.path());
        assert_eq!(
            &*s.lines(&finding("src/a.js")).unwrap(),
            &["one", "two", ""]
        );
        assert_eq!(&*s.lines(&finding("b.js")).unwrap(), &["b1"]);
        assert!(s.lines(&finding("missing.js")).is_none());
        assert!(s.resolve(&finding("../b.js")).is_none());
        assert!(s.resolve(&finding("/etc/passwd")).is_none());
    }

    #[test]
    fn binary_files_are_not_read() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("x.bin"), b"a\0b").unwrap();
        std::fs::write(dir.path().join("bad.txt"), b"caf\xe9\n").unwrap();
        let files = HashMap::new();
        let mut s = Sources::new(&files, dir.path());
        assert!(s.lines(&finding("x.bin")).is_none());
        assert_eq!(s.lines(&finding("bad.txt")).unwrap()[0], "caf\u{fffd}");
    }
}
