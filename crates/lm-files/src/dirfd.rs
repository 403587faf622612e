//! Stat and open files through a handle on their directory.
//!
//! The walk hands over full paths; stat-ing `a/b/c/d/e.js` makes the kernel look up every
//! component again, which is most of the cost of listing a large tree. Files of one
//! directory arrive together, so each worker keeps its last directory open and stats and
//! opens files by name relative to it (`fstatat`/`openat`): one path lookup per directory
//! instead of one per file.

use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};

/// What the record needs from a file's metadata.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileInfo {
    /// Size in bytes.
    pub size: u64,
    /// Unix permission bits (`0o644`); `0o444` elsewhere.
    pub mode: u32,
    /// True for a regular file (after following a symbolic link).
    pub is_file: bool,
}

impl FileInfo {
    /// From standard metadata.
    pub fn from_metadata(meta: &std::fs::Metadata) -> FileInfo {
        #[cfg(unix)]
        let mode = {
            use std::os::unix::fs::PermissionsExt;
            meta.permissions().mode() & 0o7777
        };
        #[cfg(not(unix))]
        let mode = 0o444;
        FileInfo {
            size: meta.len(),
            mode,
            is_file: meta.is_file(),
        }
    }
}

/// A worker's open directory.
#[derive(Default)]
pub struct DirCache {
    #[cfg(unix)]
    dir: Option<(PathBuf, std::os::fd::OwnedFd)>,
    #[cfg(not(unix))]
    dir: Option<PathBuf>,
}

impl DirCache {
    /// An empty cache.
    pub fn new() -> DirCache {
        DirCache::default()
    }

    /// Metadata of `path` (symbolic links followed).
    pub fn stat(&mut self, path: &Path) -> io::Result<FileInfo> {
        #[cfg(unix)]
        {
            if let Some((dir, name)) = self.split(path) {
                let st = rustix::fs::statat(dir, name, rustix::fs::AtFlags::empty())?;
                let ft = rustix::fs::FileType::from_raw_mode(st.st_mode);
                return Ok(FileInfo {
                    size: st.st_size as u64,
                    mode: st.st_mode & 0o7777,
                    is_file: ft == rustix::fs::FileType::RegularFile,
                });
            }
        }
        std::fs::metadata(path).map(|m| FileInfo::from_metadata(&m))
    }

    /// Opens `path` for reading.
    pub fn open(&mut self, path: &Path) -> io::Result<File> {
        #[cfg(unix)]
        {
            if let Some((dir, name)) = self.split(path) {
                use rustix::fs::{Mode, OFlags};
                let fd =
                    rustix::fs::openat(dir, name, OFlags::RDONLY | OFlags::CLOEXEC, Mode::empty())?;
                return Ok(File::from(fd));
            }
        }
        File::open(path)
    }

    /// The open directory holding `path` and the file's name, opening (and caching) the
    /// directory when it is not the cached one. `None` when the directory cannot be
    /// opened (the caller then falls back to the full path).
    #[cfg(unix)]
    fn split<'p>(
        &mut self,
        path: &'p Path,
    ) -> Option<(&std::os::fd::OwnedFd, &'p std::ffi::OsStr)> {
        use rustix::fs::{Mode, OFlags};
        let name = path.file_name()?;
        let parent = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        let hit = matches!(&self.dir, Some((p, _)) if p.as_os_str() == parent.as_os_str());
        if !hit {
            self.dir = None;
            let fd = rustix::fs::open(
                parent,
                OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
                Mode::empty(),
            )
            .ok()?;
            self.dir = Some((parent.to_path_buf(), fd));
        }
        self.dir.as_ref().map(|(_, fd)| (fd, name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn stats_and_opens_by_name() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        std::fs::write(dir.path().join("sub/a.txt"), "hello").unwrap();
        std::fs::write(dir.path().join("b.txt"), "hi").unwrap();
        let mut c = DirCache::new();
        let a = dir.path().join("sub/a.txt");
        let info = c.stat(&a).unwrap();
        assert_eq!(info.size, 5);
        assert!(info.is_file);
        let mut s = String::new();
        c.open(&a).unwrap().read_to_string(&mut s).unwrap();
        assert_eq!(s, "hello");
        assert_eq!(c.stat(&dir.path().join("b.txt")).unwrap().size, 2);
        assert!(!c.stat(&dir.path().join("sub")).unwrap().is_file);
        assert!(c.stat(&dir.path().join("missing")).is_err());
    }
}
