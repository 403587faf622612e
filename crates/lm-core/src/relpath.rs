//! Lossless relative paths.
//!
//! Records carry paths relative to the scanned root, `/`-separated, in a `path` string
//! field. A name that is not valid UTF-8 cannot be a JSON string without loss, so such a
//! path is written twice: `path` holds a readable form (invalid bytes replaced by U+FFFD)
//! and `path_bytes` holds the exact bytes, base64-encoded (standard alphabet, padded).
//! Readers that open files use `path_bytes` when it is present.

use std::path::{Component, Path, PathBuf};

use base64::Engine as _;
use serde::{Deserialize, Serialize};

/// A path relative to a scan root: readable text plus, when needed, its exact bytes.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct RelPath {
    /// `/`-separated readable form.
    pub path: String,
    /// Base64 of the exact bytes, present only when the name is not valid UTF-8.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path_bytes: Option<String>,
}

impl RelPath {
    /// Builds the record form of `path` (already relative to its root).
    pub fn from_path(path: &Path) -> RelPath {
        let mut text = String::new();
        let mut raw: Vec<u8> = Vec::new();
        let mut lossless = true;
        for comp in path.components() {
            let part = match comp {
                Component::Normal(p) => p,
                Component::CurDir => continue,
                Component::ParentDir => std::ffi::OsStr::new(".."),
                Component::RootDir | Component::Prefix(_) => continue,
            };
            if !text.is_empty() {
                text.push('/');
                raw.push(b'/');
            }
            match part.to_str() {
                Some(s) => {
                    text.push_str(s);
                    raw.extend_from_slice(s.as_bytes());
                }
                None => {
                    lossless = false;
                    let bytes = os_bytes(part);
                    text.push_str(&String::from_utf8_lossy(&bytes));
                    raw.extend_from_slice(&bytes);
                }
            }
        }
        RelPath {
            path: text,
            path_bytes: (!lossless).then(|| base64::engine::general_purpose::STANDARD.encode(raw)),
        }
    }

    /// The path to open, relative to the root (exact bytes when they were recorded).
    pub fn to_path_buf(&self) -> PathBuf {
        to_path_buf(&self.path, self.path_bytes.as_deref())
    }
}

/// Turns a record's `path` / `path_bytes` pair back into a filesystem path.
pub fn to_path_buf(path: &str, path_bytes: Option<&str>) -> PathBuf {
    if let Some(b64) = path_bytes {
        if let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(b64) {
            return bytes_to_path(bytes);
        }
    }
    PathBuf::from(path)
}

#[cfg(unix)]
fn os_bytes(s: &std::ffi::OsStr) -> Vec<u8> {
    use std::os::unix::ffi::OsStrExt;
    s.as_bytes().to_vec()
}

#[cfg(not(unix))]
fn os_bytes(s: &std::ffi::OsStr) -> Vec<u8> {
    s.to_string_lossy().into_owned().into_bytes()
}

#[cfg(unix)]
fn bytes_to_path(bytes: Vec<u8>) -> PathBuf {
    use std::os::unix::ffi::OsStringExt;
    PathBuf::from(std::ffi::OsString::from_vec(bytes))
}

#[cfg(not(unix))]
fn bytes_to_path(bytes: Vec<u8>) -> PathBuf {
    PathBuf::from(String::from_utf8_lossy(&bytes).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_paths_have_no_bytes_field() {
        let p = RelPath::from_path(Path::new("./src/app/page.tsx"));
        assert_eq!(p.path, "src/app/page.tsx");
        assert!(p.path_bytes.is_none());
        assert_eq!(p.to_path_buf(), PathBuf::from("src/app/page.tsx"));
    }

    #[cfg(unix)]
    #[test]
    fn non_utf8_paths_round_trip() {
        use std::os::unix::ffi::OsStrExt;
        let raw = std::ffi::OsStr::from_bytes(b"dir/caf\xe9.js");
        let p = RelPath::from_path(Path::new(raw));
        assert_eq!(p.path, "dir/caf\u{fffd}.js");
        assert!(p.path_bytes.is_some());
        assert_eq!(p.to_path_buf().as_os_str(), raw);
    }
}
