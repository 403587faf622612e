//! Human-readable sizes for `--max-filesize`: `512`, `64K`, `10M`, `1.5G`, `8MiB`, `2mb`.
//!
//! Units are binary (powers of 1024), as in ripgrep's `--max-filesize`; `K`, `KB` and
//! `KiB` all mean 1024 bytes.

/// A size that could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid size `{input}`: {reason} (examples: 512, 64K, 10M, 1.5G)")]
pub struct SizeError {
    input: String,
    reason: &'static str,
}

/// Parses a size such as `10M` into bytes.
pub fn parse_size(input: &str) -> Result<u64, SizeError> {
    let err = |reason| SizeError {
        input: input.to_string(),
        reason,
    };
    let s = input.trim();
    let split = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(s.len());
    let (number, unit) = s.split_at(split);
    if number.is_empty() {
        return Err(err("no number"));
    }
    let shift = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 0,
        "k" | "kb" | "kib" => 10,
        "m" | "mb" | "mib" => 20,
        "g" | "gb" | "gib" => 30,
        "t" | "tb" | "tib" => 40,
        _ => return Err(err("unknown unit")),
    };
    let multiplier = 1u64 << shift;
    if let Ok(n) = number.parse::<u64>() {
        return n.checked_mul(multiplier).ok_or_else(|| err("too large"));
    }
    let f: f64 = number.parse().map_err(|_| err("not a number"))?;
    let bytes = (f * multiplier as f64).round();
    if !bytes.is_finite() || bytes < 0.0 || bytes > u64::MAX as f64 {
        return Err(err("too large"));
    }
    Ok(bytes as u64)
}

/// Formats bytes for messages: `812 B`, `3.4 KiB`, `12.0 MiB`.
pub fn format_size(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_bytes_and_units() {
        assert_eq!(parse_size("0").unwrap(), 0);
        assert_eq!(parse_size("512").unwrap(), 512);
        assert_eq!(parse_size("512b").unwrap(), 512);
        assert_eq!(parse_size("64K").unwrap(), 64 * 1024);
        assert_eq!(parse_size("64kb").unwrap(), 64 * 1024);
        assert_eq!(parse_size("10M").unwrap(), 10 << 20);
        assert_eq!(parse_size("8MiB").unwrap(), 8 << 20);
        assert_eq!(parse_size("2G").unwrap(), 2 << 30);
        assert_eq!(parse_size(" 3 m ").unwrap(), 3 << 20);
    }

    #[test]
    fn fractions_round_to_bytes() {
        assert_eq!(parse_size("1.5K").unwrap(), 1536);
        assert_eq!(parse_size("0.5M").unwrap(), 512 * 1024);
    }

    #[test]
    fn rejects_garbage() {
        for bad in ["", "M", "ten", "10Q", "1.2.3K", "-5", "99999999999T"] {
            assert!(parse_size(bad).is_err(), "{bad} should not parse");
        }
        let msg = parse_size("10Q").unwrap_err().to_string();
        assert!(msg.contains("10Q") && msg.contains("unknown unit"), "{msg}");
    }

    #[test]
    fn formats_for_people() {
        assert_eq!(format_size(812), "812 B");
        assert_eq!(format_size(3 * 1024 + 400), "3.4 KiB");
        assert_eq!(format_size(12 << 20), "12.0 MiB");
    }
}
