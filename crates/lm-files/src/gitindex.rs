//! The files git tracks, read from the repository's index (`.git/index`).
//!
//! Git keeps tracking a committed file after a `.gitignore` rule starts to match it (the
//! classic "I added `.env` to `.gitignore`" after committing it): the file is still in
//! every clone. The walk honours `.gitignore`, so [`crate::walk`] lists such files from
//! here. The index is parsed, never handed to git: a scanned repository is untrusted and
//! git runs commands named in a repository's configuration.
//!
//! Index versions 2, 3 and 4 (path prefix compression) with SHA-1 or SHA-256 object names
//! are read; anything else, or a damaged index, reads as "nothing tracked".

use std::path::{Path, PathBuf};

/// The largest index read (a repository of about a million files stays below it).
const MAX_INDEX_BYTES: u64 = 512 * 1024 * 1024;

/// Why an index could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IndexError {
    /// The file does not start with the `DIRC` signature.
    #[error("not a git index (no DIRC signature)")]
    Signature,
    /// A version this reader does not know.
    #[error("unsupported git index version {0}")]
    Version(u32),
    /// The file ends inside an entry.
    #[error("git index truncated in entry {0}")]
    Truncated(usize),
}

/// The regular files (with their exact path bytes, relative to `root`) that the git
/// repository holding `root` tracks under it, or `None` when `root` is not inside a git
/// work tree or its index cannot be read.
pub fn tracked_under(root: &Path) -> Option<Vec<Vec<u8>>> {
    let root = std::fs::canonicalize(root).ok()?;
    let (top, git_dir) = find_git_dir(&root)?;
    let prefix = path_bytes(root.strip_prefix(&top).ok()?);
    let index = git_dir.join("index");
    let len = std::fs::metadata(&index).ok()?.len();
    if len > MAX_INDEX_BYTES {
        return None;
    }
    let data = std::fs::read(&index).ok()?;
    let paths = parse_index(&data, hash_len(&git_dir)).ok()?;
    let mut under: Vec<Vec<u8>> = if prefix.is_empty() {
        paths
    } else {
        paths
            .into_iter()
            .filter_map(|p| {
                p.strip_prefix(prefix.as_slice())
                    .and_then(|rest| rest.strip_prefix(b"/"))
                    .map(<[u8]>::to_vec)
            })
            .collect()
    };
    under.dedup();
    Some(under)
}

/// The work tree top and git directory of the repository holding `dir` (an absolute,
/// canonical path): the nearest ancestor with a `.git` directory, or a `.git` file
/// (`gitdir: PATH`, as worktrees and submodules have).
fn find_git_dir(dir: &Path) -> Option<(PathBuf, PathBuf)> {
    for top in dir.ancestors() {
        let dot_git = top.join(".git");
        let Ok(meta) = std::fs::symlink_metadata(&dot_git) else {
            continue;
        };
        if meta.is_dir() {
            return Some((top.to_path_buf(), dot_git));
        }
        if meta.is_file() {
            let text = std::fs::read_to_string(&dot_git).ok()?;
            let target = text.lines().next()?.strip_prefix("gitdir:")?.trim();
            return Some((top.to_path_buf(), top.join(target)));
        }
        return None;
    }
    None
}

/// Bytes per object name: 32 when the repository's configuration (or, for a worktree,
/// its common directory's) says `objectformat = sha256`, else 20.
fn hash_len(git_dir: &Path) -> usize {
    let mut dirs = vec![git_dir.to_path_buf()];
    if let Ok(common) = std::fs::read_to_string(git_dir.join("commondir")) {
        dirs.push(git_dir.join(common.trim()));
    }
    let sha256 = dirs.iter().any(|d| {
        std::fs::read_to_string(d.join("config")).is_ok_and(|c| {
            c.lines().any(|l| {
                let l = l.trim().to_ascii_lowercase().replace(' ', "");
                l == "objectformat=sha256"
            })
        })
    });
    if sha256 {
        32
    } else {
        20
    }
}

/// The paths of the regular files in the index `data` (object names of `hash_len`
/// bytes), in index order (sorted; a conflicted path appears once per stage).
pub fn parse_index(data: &[u8], hash_len: usize) -> Result<Vec<Vec<u8>>, IndexError> {
    if data.len() < 12 || &data[..4] != b"DIRC" {
        return Err(IndexError::Signature);
    }
    let be32 = |at: usize| -> u32 {
        u32::from_be_bytes([data[at], data[at + 1], data[at + 2], data[at + 3]])
    };
    let version = be32(4);
    if !(2..=4).contains(&version) {
        return Err(IndexError::Version(version));
    }
    let count = be32(8) as usize;
    // Every entry takes at least 40 + hash + 2 bytes plus a NUL: a count the file cannot
    // hold is a damaged index, not a reason to reserve memory.
    let min_entry = 40 + hash_len + 3;
    if count > (data.len() - 12) / min_entry {
        return Err(IndexError::Truncated(0));
    }
    let mut paths = Vec::with_capacity(count);
    let mut previous: Vec<u8> = Vec::new();
    let mut at = 12;
    for i in 0..count {
        let fixed = 40 + hash_len + 2;
        let entry = data.get(at..at + fixed).ok_or(IndexError::Truncated(i))?;
        let mode = u32::from_be_bytes([entry[24], entry[25], entry[26], entry[27]]);
        let flags = u16::from_be_bytes([entry[fixed - 2], entry[fixed - 1]]);
        let mut header = fixed;
        if flags & 0x4000 != 0 {
            if version < 3 {
                return Err(IndexError::Truncated(i));
            }
            header += 2;
        }
        let mut pos = at + header;
        let path = if version == 4 {
            let (strip, used) = varint(data.get(pos..).ok_or(IndexError::Truncated(i))?)
                .ok_or(IndexError::Truncated(i))?;
            pos += used;
            let rest = data.get(pos..).ok_or(IndexError::Truncated(i))?;
            let nul = memchr::memchr(0, rest).ok_or(IndexError::Truncated(i))?;
            let keep = previous
                .len()
                .checked_sub(strip)
                .ok_or(IndexError::Truncated(i))?;
            let mut path = previous[..keep].to_vec();
            path.extend_from_slice(&rest[..nul]);
            at = pos + nul + 1;
            path
        } else {
            let rest = data.get(pos..).ok_or(IndexError::Truncated(i))?;
            let nul = memchr::memchr(0, rest).ok_or(IndexError::Truncated(i))?;
            // Entries are NUL-padded to a multiple of 8 bytes (at least one NUL).
            at += (header + nul + 8) & !7;
            rest[..nul].to_vec()
        };
        if mode & 0o170000 == 0o100000 && paths.last() != Some(&path) {
            paths.push(path.clone());
        }
        previous = path;
    }
    Ok(paths)
}

/// Git's offset varint (index v4): 7 bits per byte, most significant first, each
/// continuation adding one. Returns the value and the bytes used.
fn varint(b: &[u8]) -> Option<(usize, usize)> {
    let mut i = 0;
    let mut c = *b.first()?;
    let mut val = usize::from(c & 0x7f);
    while c & 0x80 != 0 {
        i += 1;
        c = *b.get(i)?;
        val = val.checked_add(1)?.checked_mul(128)? + usize::from(c & 0x7f);
    }
    Some((val, i + 1))
}

fn path_bytes(p: &Path) -> Vec<u8> {
    crate::classify::os_bytes(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One index entry as git writes it (version 2 or 3 layout).
    fn entry(path: &str, mode: u32, hash_len: usize) -> Vec<u8> {
        let mut e = vec![0u8; 24];
        e.extend_from_slice(&mode.to_be_bytes());
        e.extend_from_slice(&[0u8; 12]);
        e.extend(vec![0xab; hash_len]);
        e.extend_from_slice(&(path.len().min(0xfff) as u16).to_be_bytes());
        e.extend_from_slice(path.as_bytes());
        let size = 40 + hash_len + 2 + path.len();
        e.extend(vec![0u8; ((size + 8) & !7) - size]);
        e
    }

    fn index(version: u32, entries: &[Vec<u8>]) -> Vec<u8> {
        let mut d = b"DIRC".to_vec();
        d.extend_from_slice(&version.to_be_bytes());
        d.extend_from_slice(&(entries.len() as u32).to_be_bytes());
        for e in entries {
            d.extend_from_slice(e);
        }
        d.extend_from_slice(&[0x11; 20]); // trailing checksum
        d
    }

    #[test]
    fn reads_regular_files_and_skips_links_and_submodules() {
        let d = index(
            2,
            &[
                entry(".env", 0o100644, 20),
                entry("link", 0o120000, 20),
                entry("scripts/deploy.sh", 0o100755, 20),
                entry("vendor/lib", 0o160000, 20),
            ],
        );
        let paths = parse_index(&d, 20).unwrap();
        assert_eq!(paths, vec![b".env".to_vec(), b"scripts/deploy.sh".to_vec()]);
    }

    #[test]
    fn reads_sha256_object_names_and_padding_of_every_length() {
        let names: Vec<String> = (1..=17).map(|n| "a".repeat(n)).collect();
        let entries: Vec<Vec<u8>> = names.iter().map(|n| entry(n, 0o100644, 32)).collect();
        let paths = parse_index(&index(3, &entries), 32).unwrap();
        assert_eq!(paths.len(), 17);
        assert_eq!(paths[16], b"a".repeat(17));
    }

    #[test]
    fn reads_version_4_prefix_compression() {
        // "src/app.ts", then "src/db.ts" (drop "app.ts", add "db.ts").
        let mut d = b"DIRC".to_vec();
        d.extend_from_slice(&4u32.to_be_bytes());
        d.extend_from_slice(&2u32.to_be_bytes());
        for (strip, suffix) in [(0u8, "src/app.ts"), (6, "db.ts")] {
            d.extend_from_slice(&[0u8; 24]);
            d.extend_from_slice(&0o100644u32.to_be_bytes());
            d.extend_from_slice(&[0u8; 12]);
            d.extend_from_slice(&[0xcd; 20]);
            d.extend_from_slice(&0u16.to_be_bytes());
            d.push(strip);
            d.extend_from_slice(suffix.as_bytes());
            d.push(0);
        }
        let paths = parse_index(&d, 20).unwrap();
        assert_eq!(paths, vec![b"src/app.ts".to_vec(), b"src/db.ts".to_vec()]);
    }

    #[test]
    fn varints_match_git() {
        assert_eq!(varint(&[0x05]), Some((5, 1)));
        // 128 is written 0x80 0x00 in git's offset encoding.
        assert_eq!(varint(&[0x80, 0x00]), Some((128, 2)));
        assert_eq!(varint(&[0x80]), None);
    }

    #[test]
    fn damaged_indexes_are_errors_not_panics() {
        let good = index(
            2,
            &[entry("a.ts", 0o100644, 20), entry("b.ts", 0o100644, 20)],
        );
        for cut in 0..good.len() - 20 {
            let _ = parse_index(&good[..cut], 20);
        }
        assert_eq!(parse_index(b"JUNKJUNKJUNK", 20), Err(IndexError::Signature));
        let mut v9 = good.clone();
        v9[7] = 9;
        assert_eq!(parse_index(&v9, 20), Err(IndexError::Version(9)));
        let mut huge = good;
        huge[8..12].copy_from_slice(&u32::MAX.to_be_bytes());
        assert!(parse_index(&huge, 20).is_err());
    }

    #[test]
    fn reads_a_real_git_index_when_git_is_installed() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("app/src")).unwrap();
        std::fs::write(root.join("app/src/main.ts"), "export {};\n").unwrap();
        std::fs::write(root.join("app/.env"), "X=1\n").unwrap();
        std::fs::write(root.join("top.md"), "# t\n").unwrap();
        let no_config = tempfile::NamedTempFile::new().unwrap();
        let git = |args: &[&str]| {
            std::process::Command::new("git")
                .args(args)
                .current_dir(root)
                .env("GIT_CONFIG_GLOBAL", no_config.path())
                .env("GIT_CONFIG_NOSYSTEM", "1")
                .output()
        };
        if git(&["init", "-q"]).is_err() {
            eprintln!("skipping: git is not installed");
            return;
        }
        assert!(git(&["add", "."]).unwrap().status.success());
        let all = tracked_under(root).unwrap();
        assert_eq!(
            all,
            vec![
                b"app/.env".to_vec(),
                b"app/src/main.ts".to_vec(),
                b"top.md".to_vec()
            ]
        );
        let app = tracked_under(&root.join("app")).unwrap();
        assert_eq!(app, vec![b".env".to_vec(), b"src/main.ts".to_vec()]);
        // Version 4 (path prefix compression), as `git update-index --index-version 4`
        // writes it, reads the same.
        if git(&["update-index", "--index-version", "4"])
            .unwrap()
            .status
            .success()
        {
            assert_eq!(tracked_under(&root.join("app")).unwrap(), app);
        }
    }

    #[test]
    fn outside_a_repository_nothing_is_tracked() {
        let dir = tempfile::tempdir().unwrap();
        // A temporary directory has no `.git` above it on a normal machine; if it does,
        // the answer must still be a list, never a panic.
        let _ = tracked_under(dir.path());
        let missing = dir.path().join("nope");
        assert_eq!(tracked_under(&missing), None);
    }
}
