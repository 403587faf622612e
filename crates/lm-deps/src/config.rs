//! The `[deps]` section of `.lm.toml`.
//!
//! ```toml
//! [deps]
//! # advisories accepted for now (matched against the advisory id and its aliases)
//! ignore = [
//!   { id = "GHSA-xxxx-xxxx-xxxx", reason = "not reachable: server-only helper", expires = "2026-12-31" },
//! ]
//! # rule ids not to report
//! disabled = ["deps.install-script"]
//! ```

use serde::Deserialize;

/// `[deps]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DepsConfig {
    /// Accepted advisories.
    pub ignore: Vec<Ignore>,
    /// Rule ids not to report.
    pub disabled: Vec<String>,
}

/// One accepted advisory.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ignore {
    /// Advisory id or alias (GHSA, CVE, PYSEC, RUSTSEC...).
    pub id: String,
    /// Why it is accepted (required).
    pub reason: String,
    /// `YYYY-MM-DD`; the ignore stops applying after this day.
    #[serde(default)]
    pub expires: Option<String>,
}

impl Ignore {
    /// True when the ignore applies on `today` (`YYYY-MM-DD`).
    pub fn active(&self, today: &str) -> bool {
        match &self.expires {
            None => true,
            Some(e) => e.as_str() >= today,
        }
    }
}

/// Today's date in UTC as `YYYY-MM-DD` (civil-from-days, no time-zone data needed).
pub fn today_utc() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    civil(secs.div_euclid(86_400))
}

/// `YYYY-MM-DD` of a day count since 1970-01-01 (H. Hinnant's algorithm).
pub fn civil(days: i64) -> String {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    format!("{:04}-{:02}-{:02}", if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(civil(0), "1970-01-01");
        assert_eq!(civil(19_723), "2024-01-01");
        assert_eq!(civil(11_016), "2000-02-29");
        assert_eq!(today_utc().len(), 10);
    }

    #[test]
    fn expiry() {
        let i = Ignore {
            id: "X".into(),
            reason: "r".into(),
            expires: Some("2025-06-30".into()),
        };
        assert!(i.active("2025-06-30"));
        assert!(!i.active("2025-07-01"));
        let forever = Ignore { expires: None, ..i };
        assert!(forever.active("2999-01-01"));
    }

    #[test]
    fn section_parses() {
        let c = lm_core::config::Config::parse(
            "[deps]\nignore = [{ id = \"GHSA-1\", reason = \"ok\" }]\n",
            None,
        )
        .unwrap();
        let d: DepsConfig = c.section("deps").unwrap();
        assert_eq!(d.ignore[0].id, "GHSA-1");
        let bad = lm_core::config::Config::parse("[deps]\nignore = [{ id = \"GHSA-1\" }]\n", None)
            .unwrap();
        assert!(bad.section::<DepsConfig>("deps").is_err());
    }
}
