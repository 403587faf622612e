//! Checks on a candidate secret's value: placeholders, randomness, and the shapes of
//! things that look like secrets but are not (hashes, UUIDs, identifiers, public keys).

/// Shannon entropy of the bytes, in bits per byte.
pub fn shannon_entropy(s: &[u8]) -> f64 {
    if s.is_empty() {
        return 0.0;
    }
    let mut counts = [0u32; 256];
    for &b in s {
        counts[b as usize] += 1;
    }
    let n = s.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = c as f64 / n;
            -p * p.log2()
        })
        .sum()
}

/// How many of the classes lower-case, upper-case, digit and symbol occur.
pub fn char_classes(s: &[u8]) -> u8 {
    let (mut l, mut u, mut d, mut o) = (false, false, false, false);
    for &b in s {
        match b {
            b'a'..=b'z' => l = true,
            b'A'..=b'Z' => u = true,
            b'0'..=b'9' => d = true,
            _ => o = true,
        }
    }
    l as u8 + u as u8 + d as u8 + o as u8
}

/// Words that mark a value as a placeholder or documentation example.
const PLACEHOLDER_WORDS: &[&str] = &[
    "xxxx",
    "your",
    "example",
    "placeholder",
    "changeme",
    "change_me",
    "change-me",
    "redacted",
    "dummy",
    "sample",
    "insert",
    "replace",
    "fake",
    "<",
    ">",
    "${",
    "{{",
    "}}",
    "%s",
    "%(",
    "****",
    "....",
    "\u{2022}\u{2022}",
    "todo",
    "here",
    "secret_key_here",
    "notreal",
    "not_real",
    "not-a-real",
];

/// True when the value is a placeholder (`xxxx`, `<YOUR_KEY>`, `${VAR}`, `changeme`,
/// `REDACTED`, AWS's documented `...EXAMPLE` keys, runs such as `aaaaaaaa` or `12345678`).
pub fn is_placeholder(value: &[u8]) -> bool {
    is_placeholder_word(value) || has_placeholder_run(value)
}

/// True when the value contains a placeholder word or is an environment reference
/// (`%VAR%`, `$VAR`), or is a documented public value.
pub fn is_placeholder_word(value: &[u8]) -> bool {
    let lower = String::from_utf8_lossy(value).to_ascii_lowercase();
    if PLACEHOLDER_WORDS.iter().any(|w| lower.contains(w)) {
        return true;
    }
    if is_elided(value) {
        return true;
    }
    let b = lower.as_bytes();
    if b.len() >= 3 && b[0] == b'%' && b[b.len() - 1] == b'%' {
        return true;
    }
    if b.len() >= 2
        && b[0] == b'$'
        && b[1..]
            .iter()
            .all(|c| c.is_ascii_alphanumeric() || *c == b'_')
    {
        return true;
    }
    KNOWN_PUBLIC_VALUES.iter().any(|k| value == k.as_bytes())
}

/// True for a value shortened with an ellipsis (`eyJhbGciOiJIUzI1NiIs...`, `sk_live_51H…`):
/// documentation shows the start of a key and elides the rest, and no issued credential
/// ends in `...` or holds the `…` character.
fn is_elided(value: &[u8]) -> bool {
    value.ends_with(b"...")
        || value.starts_with(b"...")
        || memchr::memmem::find(value, "\u{2026}".as_bytes()).is_some()
}

/// Values published in documentation or tools as shared, non-secret defaults.
const KNOWN_PUBLIC_VALUES: &[&str] = &[
    // Azurite / Azure Storage Emulator account key (documented by Microsoft)
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==",
];

/// True for long runs of one character or of consecutive characters (`aaaaaaaa`,
/// `1234567`), the shape of hand-typed placeholders.
pub fn has_placeholder_run(value: &[u8]) -> bool {
    // Spaces never occur in issued tokens; a spaced value such as `abcd efgh ijkl mnop`
    // is judged as its letters run together.
    let lower: Vec<u8> = value
        .iter()
        .filter(|c| **c != b' ')
        .map(u8::to_ascii_lowercase)
        .collect();
    let b = &lower[..];
    let mut same = 1;
    let mut seq = 1;
    for w in b.windows(2) {
        same = if w[0] == w[1] { same + 1 } else { 1 };
        seq = if w[1] == w[0].wrapping_add(1) && w[0].is_ascii_alphanumeric() {
            seq + 1
        } else {
            1
        };
        if same >= 8 || seq >= 5 {
            return true;
        }
    }
    false
}

/// True for an RFC 4122-shaped UUID.
pub fn is_uuid(v: &[u8]) -> bool {
    v.len() == 36
        && v.iter().enumerate().all(|(i, &c)| match i {
            8 | 13 | 18 | 23 => c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// True for hex of a hash length (MD5, SHA-1/git, SHA-256, SHA-512).
pub fn is_hash_like(v: &[u8]) -> bool {
    matches!(v.len(), 32 | 40 | 64 | 128) && v.iter().all(|c| c.is_ascii_hexdigit())
}

/// Values that start like a credential meant to be public or to be used in tests.
pub const PUBLIC_OR_TEST_PREFIXES: &[&str] = &[
    "sk_test_",
    "rk_test_",
    "pk_test_",
    "pk_live_",
    "whsec_test",
    "sb_publishable_",
    "phc_",
    "pk.eyj",
    "nrjs-",
    "sha1-",
    "sha256-",
    "sha384-",
    "sha512-",
    "sha256:",
    "sha1:",
    "md5-",
    "data:",
    "http://",
    "https://",
    "file:",
    "test_",
    "aiza",
    "eztk",
    "flwpubk",
];

/// Prefixes of keys that are test-mode or public by design, whatever rule matched them.
pub const TEST_OR_PUBLIC_KEY_PREFIXES: &[&str] = &[
    "sk_test_",
    "rk_test_",
    "pk_test_",
    "pk_live_",
    "sb_publishable_",
];

/// True when the value is a test-mode or publishable key (`sk_test_`, `pk_live_`...).
pub fn is_test_or_public_key(v: &[u8]) -> bool {
    TEST_OR_PUBLIC_KEY_PREFIXES
        .iter()
        .any(|p| v.starts_with(p.as_bytes()))
}

/// True when `v` is an identifier path or an environment/config lookup rather than a
/// literal (`process.env.X`, `config.api.token`, `OPENAI_API_KEY`, `$TOKEN`, `getToken`).
pub fn is_reference(v: &[u8]) -> bool {
    let s = match std::str::from_utf8(v) {
        Ok(s) => s,
        Err(_) => return false,
    };
    if s.starts_with('$') || s.starts_with('%') || s.starts_with('@') {
        return true;
    }
    let ident = |p: &str| {
        !p.is_empty()
            && p.bytes()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic() || c == b'_')
            && p.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_')
    };
    // dotted identifier paths (process.env.TOKEN, settings.SECRET_KEY)
    if s.contains('.') && s.split('.').all(ident) {
        return true;
    }
    // CONSTANT_CASE names (OPENAI_API_KEY) and snake_case words
    let parts: Vec<&str> = s.split('_').collect();
    if parts.len() >= 2
        && parts.iter().all(|p| {
            !p.is_empty()
                && (p
                    .bytes()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
                    || p.bytes()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()))
        })
        && parts
            .iter()
            .all(|p| p.bytes().filter(|c| c.is_ascii_digit()).count() <= 2)
    {
        return true;
    }
    false
}

/// How a name/value assignment's value must look to be reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strictness {
    /// Tokens and API keys: 16+ random-looking characters with letters and digits.
    Token,
    /// Passwords: 10+ characters, mixed, not words.
    Password,
    /// Signing secrets: long and random, letters-only allowed.
    Signing,
}

/// The randomness test for a literal assigned to a secret-sounding name. Returns the
/// reason it is rejected, or `None` when it looks like a real secret.
pub fn reject_generic_value(v: &[u8], strictness: Strictness) -> Option<&'static str> {
    let lower = String::from_utf8_lossy(v).to_ascii_lowercase();
    if PUBLIC_OR_TEST_PREFIXES.iter().any(|p| lower.starts_with(p)) {
        return Some("public, test-mode or non-secret prefix");
    }
    if lower.contains("://") || lower.starts_with('/') || lower.starts_with("./") {
        return Some("a URL or path");
    }
    if is_uuid(v) {
        return Some("a UUID");
    }
    if is_reference(v) {
        return Some("a reference, not a literal");
    }
    if v.len() >= 10
        && v[..4].iter().all(u8::is_ascii_digit)
        && v[4] == b'-'
        && v[5..7].iter().all(u8::is_ascii_digit)
    {
        return Some("a date");
    }
    if v.iter()
        .all(|c| c.is_ascii_digit() || *c == b'.' || *c == b'-')
    {
        return Some("a number or version");
    }
    let ver = v.strip_prefix(b"v").unwrap_or(v);
    let digits = ver.iter().take_while(|c| c.is_ascii_digit()).count();
    if digits > 0
        && ver.get(digits) == Some(&b'.')
        && ver.get(digits + 1).is_some_and(u8::is_ascii_digit)
    {
        return Some("a version");
    }
    let entropy = shannon_entropy(v);
    let classes = char_classes(v);
    let has_digit = v.iter().any(u8::is_ascii_digit);
    let has_alpha = v.iter().any(u8::is_ascii_alphabetic);
    match strictness {
        Strictness::Token | Strictness::Password => {
            let min = if strictness == Strictness::Token {
                16
            } else {
                10
            };
            if v.len() < min {
                return Some("too short");
            }
            if !(has_digit && has_alpha) {
                return Some("not random enough (needs letters and digits)");
            }
            let needed = if v.len() < 16 { 3.0 } else { 3.3 };
            if entropy < needed {
                return Some("low entropy");
            }
            if v.len() < 16 && classes < 3 {
                return Some("short and not mixed enough");
            }
            if looks_like_words(v) {
                return Some("made of words");
            }
        }
        Strictness::Signing => {
            if v.len() < 16 {
                return Some("too short");
            }
            if entropy < 3.2 || classes < 2 {
                return Some("low entropy");
            }
            if !v.iter().any(|c| !c.is_ascii_alphabetic()) {
                return Some("letters only (an identifier or a word)");
            }
            if looks_like_words(v) {
                return Some("made of words");
            }
        }
    }
    None
}

/// True when a value is mostly dictionary-shaped: long letter runs with few digits, like
/// `myAppSecretKey2024` or `super-secret-password-1`.
fn looks_like_words(v: &[u8]) -> bool {
    let digits = v.iter().filter(|c| c.is_ascii_digit()).count();
    let mut longest_letters = 0;
    let mut run = 0;
    let mut separators = 0;
    for &c in v {
        if c.is_ascii_lowercase() {
            run += 1;
            longest_letters = longest_letters.max(run);
        } else {
            run = if c.is_ascii_uppercase() { 1 } else { 0 };
            if c == b'-' || c == b'_' {
                separators += 1;
            }
        }
    }
    // several word-like segments joined by separators, or long lower-case runs
    (separators >= 2 && digits <= 4 && vowel_ratio(v) > 0.25)
        || (longest_letters >= 9 && digits <= 2 && vowel_ratio(v) > 0.3)
}

fn vowel_ratio(v: &[u8]) -> f64 {
    let letters: Vec<u8> = v
        .iter()
        .filter(|c| c.is_ascii_alphabetic())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    if letters.is_empty() {
        return 0.0;
    }
    letters.iter().filter(|c| b"aeiou".contains(c)).count() as f64 / letters.len() as f64
}

/// True when `[start, end)` sits inside a much longer base64 run (an inlined image, font
/// or source map) rather than being a delimited token.
pub fn in_base64_blob(buf: &[u8], start: usize, end: usize) -> bool {
    let is_b64 = |c: u8| c.is_ascii_alphanumeric() || c == b'+' || c == b'/' || c == b'=';
    let mut l = start;
    let mut steps = 0;
    while l > 0 && is_b64(buf[l - 1]) && steps < 256 {
        l -= 1;
        steps += 1;
    }
    let mut r = end;
    let mut steps_r = 0;
    while r < buf.len() && is_b64(buf[r]) && steps_r < 256 {
        r += 1;
        steps_r += 1;
    }
    if steps + steps_r < 64 {
        return false;
    }
    // a data: URI or a long run around the match
    let head = &buf[l.saturating_sub(40)..l];
    let lower: Vec<u8> = head.iter().map(u8::to_ascii_lowercase).collect();
    memchr::memmem::find(&lower, b";base64,").is_some() || steps + steps_r >= 200
}

/// A redacted preview: at most the first 4 characters (fewer for short values), then `…`.
pub fn redact(secret: &str) -> String {
    let n = secret.chars().count();
    let keep = (n / 4).min(4);
    let mut out: String = secret.chars().take(keep).collect();
    out.push('\u{2026}');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entropy_and_classes() {
        assert_eq!(shannon_entropy(b"aaaa"), 0.0);
        assert!(shannon_entropy(b"a8Fk2Lq9Zx7Pw3Rt") > 3.5);
        assert_eq!(char_classes(b"aB3-"), 4);
        assert_eq!(char_classes(b"abc"), 1);
    }

    #[test]
    fn spaced_alphabet_runs_are_placeholders_but_spaced_random_letters_are_not() {
        assert!(has_placeholder_run(b"abcd efgh ijkl mnop"));
        assert!(has_placeholder_run(b"mnop qrst"));
        assert!(!has_placeholder_run(b"qtrv lmoa bkwe pzhd"));
        assert!(!has_placeholder_run(b"mail relay for orders"));
    }

    #[test]
    fn placeholders_are_recognised() {
        for p in [
            "xxxxxxxxxxxxxxxx",
            "<YOUR_API_KEY>",
            "${STRIPE_KEY}",
            "changeme",
            "REDACTED",
            "AKIAIOSFODNN7EXAMPLE",
            "your-token-here",
            "aaaaaaaaaaaaaaaaaa",
            "1234567890abcdef",
            "{{ secrets.TOKEN }}",
        ] {
            assert!(is_placeholder(p.as_bytes()), "{p}");
        }
        assert!(!is_placeholder(b"q8Hz2Lm4Xw9Tb1Rk"));
    }

    #[test]
    fn elided_values_are_placeholders() {
        for p in [
            "eyJhbGciOiJIUzI1NiIs...",
            "sk_live_51Hq8Zk...",
            "...Zk29Qw7Lm4Xa",
            "re_Jx7\u{2026}",
        ] {
            assert!(is_placeholder(p.as_bytes()), "{p}");
        }
        // a single dot or a dotted token is not an ellipsis
        assert!(!is_placeholder(b"q8Hz2Lm4.Xw9Tb1Rk"));
        assert!(!is_placeholder(b"v7Kp2.Qx9Lm4.Tb1Rk8Zw"));
    }

    #[test]
    fn generic_values_need_randomness() {
        for bad in [
            "process.env.API_KEY",
            "OPENAI_API_KEY",
            "password",
            "Bearer",
            "myAppSecretKey",
            "super-secret-password-1",
            "3f2a4b6c-1d2e-4f5a-8b9c-0d1e2f3a4b5c",
            "2024-01-01T00:00:00Z",
            "sk_test_abc123DEF456ghi789",
            "https://api.example.com/v1",
            "1.2.3-beta",
            "$API_TOKEN",
        ] {
            assert!(
                reject_generic_value(bad.as_bytes(), Strictness::Token).is_some(),
                "{bad}"
            );
        }
        for bad in ["12345-abcde", "BackendKeyDataMessage", "Password1"] {
            assert!(
                reject_generic_value(bad.as_bytes(), Strictness::Password).is_some()
                    || reject_generic_value(bad.as_bytes(), Strictness::Signing).is_some(),
                "{bad}"
            );
        }
        for good in ["q8Hz2Lm4Xw9Tb1RkP0s", "a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6"] {
            assert_eq!(
                reject_generic_value(good.as_bytes(), Strictness::Token),
                None,
                "{good}"
            );
        }
        assert_eq!(
            reject_generic_value(b"Zt7#kP2!mQ9x", Strictness::Password),
            None
        );
        assert_eq!(
            reject_generic_value(b"kQzHwPbN+TrXyLmJd/gS", Strictness::Signing),
            None
        );
    }

    #[test]
    fn uuids_hashes_and_blobs() {
        assert!(is_uuid(b"3f2a4b6c-1d2e-4f5a-8b9c-0d1e2f3a4b5c"));
        assert!(is_hash_like(b"da39a3ee5e6b4b0d3255bfef95601890afd80709"));
        let mut blob = b"url(data:font/woff2;base64,".to_vec();
        blob.extend(std::iter::repeat_n(b'Q', 300));
        assert!(in_base64_blob(&blob, 100, 140));
        let tok = b"const k = \"ghp_abcdefghijklmnopqrstuvwxyz0123456789\";";
        assert!(!in_base64_blob(tok, 11, 51));
    }

    #[test]
    fn redaction_keeps_at_most_four_characters() {
        assert_eq!(redact("sk_live_abcdefghijklmnop"), "sk_l\u{2026}");
        assert_eq!(redact("abcdefgh"), "ab\u{2026}");
        assert_eq!(redact("abc"), "\u{2026}");
    }
}
