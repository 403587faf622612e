//! Synthetic examples for rule tests.
//!
//! Rule examples are templates, so no credential-shaped string is ever stored in the
//! repository: each `{{kind:N}}` is replaced by N deterministic pseudo-random characters
//! when the tests run.
//!
//! | template | characters |
//! |---|---|
//! | `{{a:N}}` | letters and digits (at least one of each kind) |
//! | `{{l:N}}` / `{{A:N}}` | lower-case / upper-case letters and digits |
//! | `{{L:N}}` | letters only |
//! | `{{lo:N}}` | lower-case letters only |
//! | `{{h:N}}` / `{{H:N}}` | lower / upper hex |
//! | `{{d:N}}` | digits |
//! | `{{b:N}}` | base64 (`+` and `/`) |
//! | `{{u:N}}` | base64url (`-` and `_`) |
//! | `{{s:N}}` | letters, digits and `!#%*+-_` (passwords) |
//! | `{{b32:N}}` | `A-Z2-7` |
//! | `{{uuid}}` | a UUID |
//! | `{{jwt:ROLE}}`, `{{jwt:ROLE:ISS}}` | a JWT whose payload has that role (and issuer) |
//! | `{{jwt}}` | a JWT with an ordinary payload |
//! | `{{pem:LABEL}}` | a PEM block `-----BEGIN LABEL-----` with a random body |
//! | `{{nl}}` | a newline |

use crate::jwt;

struct Rng(u64);

impl Rng {
    fn new(seed: &str) -> Rng {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in seed.bytes() {
            h ^= b as u64;
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        Rng(h)
    }
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn pick(&mut self, set: &[u8], n: usize) -> String {
        (0..n)
            .map(|_| set[(self.next() % set.len() as u64) as usize] as char)
            .collect()
    }
}

const LOWER: &[u8] = b"abcdefghijklmnopqrstuvwxyz";
const UPPER: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const DIGITS: &[u8] = b"0123456789";

fn set(kind: &str) -> Option<Vec<u8>> {
    let cat = |parts: &[&[u8]]| parts.concat();
    Some(match kind {
        "a" => cat(&[LOWER, UPPER, DIGITS]),
        "l" => cat(&[LOWER, DIGITS]),
        "A" => cat(&[UPPER, DIGITS]),
        "L" => cat(&[LOWER, UPPER]),
        "lo" => LOWER.to_vec(),
        "h" => b"0123456789abcdef".to_vec(),
        "H" => b"0123456789ABCDEF".to_vec(),
        "d" => DIGITS.to_vec(),
        "b" => cat(&[LOWER, UPPER, DIGITS, b"+/"]),
        "u" => cat(&[LOWER, UPPER, DIGITS, b"-_"]),
        "s" => cat(&[LOWER, UPPER, DIGITS, b"!#%*+-_"]),
        "b32" => cat(&[UPPER, b"234567"]),
        _ => return None,
    })
}

/// Draws until the string mixes the set's classes (so short samples still look random
/// and never spell a placeholder such as `xxxx`).
fn random(rng: &mut Rng, kind: &str, n: usize) -> String {
    let chars = set(kind).expect("known kind");
    for _ in 0..1000 {
        let s = rng.pick(&chars, n);
        let b = s.as_bytes();
        let has = |f: fn(&u8) -> bool| b.iter().any(f);
        let ok = match kind {
            "a" | "b" | "u" | "s" => {
                n < 3
                    || (has(u8::is_ascii_digit)
                        && has(u8::is_ascii_lowercase)
                        && has(u8::is_ascii_uppercase))
            }
            "l" => n < 2 || (has(u8::is_ascii_digit) && has(u8::is_ascii_lowercase)),
            "A" | "b32" => n < 2 || (has(u8::is_ascii_digit) && has(u8::is_ascii_uppercase)),
            "h" | "H" => n < 2 || (has(u8::is_ascii_digit) && has(u8::is_ascii_alphabetic)),
            _ => true,
        };
        if ok && !crate::value::is_placeholder(b) {
            return s;
        }
    }
    rng.pick(&chars, n)
}

/// Expands a template with a generator seeded by `seed` (a rule id and an index).
pub fn expand(template: &str, seed: &str) -> String {
    let mut rng = Rng::new(seed);
    let mut out = String::with_capacity(template.len() * 2);
    let mut rest = template;
    while let Some(open) = rest.find("{{") {
        let Some(close) = rest[open..].find("}}") else {
            break;
        };
        let inner = &rest[open + 2..open + close];
        out.push_str(&rest[..open]);
        match expand_one(inner, &mut rng) {
            Some(s) => out.push_str(&s),
            None => out.push_str(&rest[open..open + close + 2]),
        }
        rest = &rest[open + close + 2..];
    }
    out.push_str(rest);
    out
}

fn expand_one(inner: &str, rng: &mut Rng) -> Option<String> {
    let mut parts = inner.split(':');
    let kind = parts.next()?;
    match kind {
        "uuid" => {
            let h = random(rng, "h", 32);
            Some(format!(
                "{}-{}-4{}-a{}-{}",
                &h[..8],
                &h[8..12],
                &h[13..16],
                &h[17..20],
                &h[20..32]
            ))
        }
        "nl" => Some("\n".to_string()),
        "jwt" => {
            let role = parts.next();
            let iss = parts.next().unwrap_or("supabase");
            let payload = match role {
                Some(role) => format!(
                    r#"{{"iss":"{iss}","ref":"{}","role":"{role}","iat":1718000000,"exp":2033576000}}"#,
                    random(rng, "l", 20).to_ascii_lowercase()
                ),
                None => format!(
                    r#"{{"sub":"{}","name":"Sample User","iat":1718000000}}"#,
                    random(rng, "d", 10)
                ),
            };
            Some(jwt::build(&payload, &random(rng, "u", 43)))
        }
        "pem" => {
            let label = parts.next().unwrap_or("PRIVATE KEY");
            let mut body = String::from("MIIEow");
            body.push_str(&random(rng, "b", 64 * 12));
            let lines: Vec<&str> = body
                .as_bytes()
                .chunks(64)
                .map(|c| std::str::from_utf8(c).expect("ascii"))
                .collect();
            Some(format!(
                "-----BEGIN {label}-----\n{}\n-----END {label}-----",
                lines.join("\n")
            ))
        }
        _ => {
            let n: usize = parts.next()?.parse().ok()?;
            set(kind)?;
            Some(random(rng, kind, n))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expansion_is_deterministic_and_shaped() {
        let a = expand("k = \"ghp_{{a:36}}\"", "r0");
        assert_eq!(a, expand("k = \"ghp_{{a:36}}\"", "r0"));
        assert_ne!(a, expand("k = \"ghp_{{a:36}}\"", "r1"));
        assert_eq!(a.len(), "k = \"ghp_\"".len() + 36);
        let h = expand("{{h:32}}", "x");
        assert!(h
            .bytes()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
        assert!(expand("{{uuid}}", "u").len() == 36);
        assert!(expand("{{pem:RSA PRIVATE KEY}}", "p")
            .starts_with("-----BEGIN RSA PRIVATE KEY-----\nMIIE"));
        assert_eq!(expand("{{unknown}} {{a:x}}", "s"), "{{unknown}} {{a:x}}");
        let t = expand("{{jwt:service_role}}", "j");
        assert_eq!(
            jwt::classify_supabase(&t),
            jwt::SupabaseKey::ServiceRole { demo: false }
        );
    }
}
