//! Stable finding fingerprints.
//!
//! A fingerprint is the first 16 hex digits of a SHA-256 over the parts that identify a
//! finding (rule, path, and what was found: the normalised evidence line, a hash of a
//! secret, a route, a package and advisory...). Line numbers are never part of it, so
//! inserting unrelated lines above a finding does not change its fingerprint.

use sha2::{Digest, Sha256};

/// Hashes `parts` (separated so that `["ab","c"]` and `["a","bc"]` differ).
pub fn fingerprint(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update((p.len() as u64).to_le_bytes());
        h.update(p.as_bytes());
    }
    hex(&h.finalize()[..8])
}

/// Fingerprint from a rule, a path and the evidence text, whitespace-normalised.
pub fn for_evidence(rule: &str, path: &str, evidence: &str) -> String {
    let norm: String = evidence.split_whitespace().collect::<Vec<_>>().join(" ");
    fingerprint(&[rule, path, &norm])
}

/// Full SHA-256 of bytes in hex; used to fingerprint a secret without storing it.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 15) as usize] as char);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stable_and_separated() {
        assert_eq!(fingerprint(&["a", "b"]), fingerprint(&["a", "b"]));
        assert_ne!(fingerprint(&["ab", "c"]), fingerprint(&["a", "bc"]));
        assert_eq!(fingerprint(&["x"]).len(), 16);
        assert_eq!(
            for_evidence("r", "p", "  a   b "),
            for_evidence("r", "p", "a b")
        );
    }
}
