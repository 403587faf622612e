//! The `[deps]` section of `.lm.toml`.
//!
//! ```toml
//! [deps]
//! # advisories accepted for now (matched against the advisory id and its aliases)
//! ignore = [
//!   { id = "GHSA-xxxx-xxxx-xxxx", reason = "not reachable: server-only helper", expires = "2026-12-31" },
//! ]
//! # rule ids not to report (`disabled` is accepted as an alias)
//! disable = ["deps.install-script"]
//! ```
//!
//! [`DepsConfig::load`] reads and checks the section: an `expires` that is not a calendar
//! date written `YYYY-MM-DD`, or a `disable` id that is no rule, is an error.

use std::fmt;
use std::path::PathBuf;

use serde::{Deserialize, Deserializer};

/// `[deps]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DepsConfig {
    /// Accepted advisories.
    pub ignore: Vec<Ignore>,
    /// Rule ids not to report (full ids once loaded: `deps.install-script`).
    #[serde(alias = "disabled")]
    pub disable: Vec<String>,
}

impl DepsConfig {
    /// Reads `[deps]` from `config` and checks it: every `disable` id must name a rule
    /// (with or without the `deps.` prefix; stored with it). Errors name the file and
    /// the section.
    pub fn load(config: &lm_core::config::Config) -> lm_core::Result<DepsConfig> {
        let mut section: DepsConfig = config.section("deps")?;
        section.check().map_err(|reason| lm_core::Error::Config {
            path: config
                .path()
                .map(PathBuf::from)
                .unwrap_or_else(|| PathBuf::from(lm_core::config::FILE_NAME)),
            reason,
        })?;
        Ok(section)
    }

    /// Checks the `ignore` entries (an id and a reason that say something) and the
    /// `disable` ids, and writes the ids in full.
    fn check(&mut self) -> Result<(), String> {
        for (i, ignore) in self.ignore.iter().enumerate() {
            if ignore.id.trim().is_empty() {
                return Err(format!("[deps] ignore entry {}: `id` is empty", i + 1));
            }
            if ignore.reason.trim().is_empty() {
                return Err(format!(
                    "[deps] ignore `{}`: `reason` is empty; say why the advisory is accepted",
                    ignore.id
                ));
            }
        }
        for id in &mut self.disable {
            let full = if id.starts_with("deps.") {
                id.clone()
            } else {
                format!("deps.{id}")
            };
            if !crate::audit::RULES.contains(&full.as_str()) {
                return Err(format!(
                    "[deps] disable: unknown rule `{id}` (rules: {})",
                    crate::audit::RULES.join(", ")
                ));
            }
            *id = full;
        }
        Ok(())
    }

    /// True when `rule` (a full id) is disabled.
    pub fn disabled(&self, rule: &str) -> bool {
        self.disable.iter().any(|d| d == rule)
    }
}

/// One accepted advisory.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ignore {
    /// Advisory id or alias (GHSA, CVE, PYSEC, RUSTSEC...).
    pub id: String,
    /// Why it is accepted (required).
    pub reason: String,
    /// The last day (UTC) the ignore applies; none means for ever.
    #[serde(default)]
    pub expires: Option<IsoDate>,
}

impl Ignore {
    /// True when the ignore applies on `today`.
    pub fn active(&self, today: IsoDate) -> bool {
        self.expires.is_none_or(|e| e >= today)
    }
}

/// A calendar day (proleptic Gregorian), written `YYYY-MM-DD`; ordered by time.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct IsoDate {
    /// Days since 1970-01-01.
    days: i64,
}

/// Why text is not an [`IsoDate`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a date written YYYY-MM-DD (e.g. 2026-12-31)")]
pub struct DateError(pub String);

impl IsoDate {
    /// Parses exactly `YYYY-MM-DD` (four-digit year, two-digit month and day) naming a day
    /// that exists (`2025-02-29` does not).
    pub fn parse(text: &str) -> Result<IsoDate, DateError> {
        let err = || DateError(text.to_string());
        let b = text.as_bytes();
        let digits = |r: std::ops::Range<usize>| -> Option<i64> {
            b[r].iter().try_fold(0i64, |n, c| {
                c.is_ascii_digit().then(|| n * 10 + i64::from(c - b'0'))
            })
        };
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return Err(err());
        }
        let (y, m, d) = (
            digits(0..4).ok_or_else(err)?,
            digits(5..7).ok_or_else(err)?,
            digits(8..10).ok_or_else(err)?,
        );
        if !(1..=12).contains(&m) || d < 1 || d > days_in_month(y, m) {
            return Err(err());
        }
        Ok(IsoDate {
            days: days_from_civil(y, m, d),
        })
    }

    /// Today in UTC.
    pub fn today() -> IsoDate {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0);
        IsoDate {
            days: secs.div_euclid(86_400),
        }
    }

    /// Days since 1970-01-01.
    pub fn days(self) -> i64 {
        self.days
    }
}

impl fmt::Display for IsoDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&civil(self.days))
    }
}

impl std::str::FromStr for IsoDate {
    type Err = DateError;

    fn from_str(s: &str) -> Result<IsoDate, DateError> {
        IsoDate::parse(s)
    }
}

impl<'de> Deserialize<'de> for IsoDate {
    /// A string `"2026-12-31"` or a TOML local date `2026-12-31` (no time, no offset).
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<IsoDate, D::Error> {
        let text = match toml::Value::deserialize(d)? {
            toml::Value::String(s) => s,
            toml::Value::Datetime(dt) if dt.time.is_none() && dt.offset.is_none() => dt.to_string(),
            other => other.to_string(),
        };
        IsoDate::parse(&text).map_err(serde::de::Error::custom)
    }
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a civil date (H. Hinnant's algorithm; inverse of [`civil`]).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Today's date in UTC as `YYYY-MM-DD` (civil-from-days, no time-zone data needed).
pub fn today_utc() -> String {
    IsoDate::today().to_string()
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

    fn date(s: &str) -> IsoDate {
        IsoDate::parse(s).unwrap()
    }

    fn load(text: &str) -> lm_core::Result<DepsConfig> {
        DepsConfig::load(&lm_core::config::Config::parse(
            text,
            Some(PathBuf::from("/srv/app/.lm.toml")),
        )?)
    }

    #[test]
    fn dates() {
        assert_eq!(civil(0), "1970-01-01");
        assert_eq!(civil(19_723), "2024-01-01");
        assert_eq!(civil(11_016), "2000-02-29");
        assert_eq!(today_utc().len(), 10);
        assert_eq!(date("1970-01-01").days(), 0);
        assert_eq!(date("2000-02-29").days(), 11_016);
        // round trip from 0000-01-01 to 9999-12-31, leap days included
        for days in (-719_528..2_932_897).step_by(997) {
            let text = civil(days);
            assert_eq!(date(&text).days(), days, "{text}");
            assert_eq!(date(&text).to_string(), text);
        }
        assert_eq!(IsoDate::parse(&today_utc()), Ok(IsoDate::today()));
    }

    #[test]
    fn only_real_days_written_yyyy_mm_dd_are_dates() {
        for ok in ["2024-02-29", "2000-02-29", "2026-12-31", "0001-01-01"] {
            assert!(IsoDate::parse(ok).is_ok(), "{ok}");
        }
        for bad in [
            "2025-02-29",
            "1900-02-29",
            "2026-04-31",
            "2026-13-01",
            "2026-00-10",
            "2026-01-00",
            "2026-1-5",
            "2026/01/05",
            "31/12/2026",
            "12/31/2026",
            "2026-12-31T00:00:00Z",
            " 2026-12-31",
            "2026-12-31 ",
            "+026-12-31",
            "2026-1２-31",
            "next year",
            "",
        ] {
            let e = IsoDate::parse(bad).unwrap_err();
            assert!(e.to_string().contains("YYYY-MM-DD"), "{bad}: {e}");
        }
    }

    #[test]
    fn expiry_compares_days_not_text() {
        let i = Ignore {
            id: "X".into(),
            reason: "r".into(),
            expires: Some(date("2025-06-30")),
        };
        assert!(i.active(date("2025-06-30")));
        assert!(i.active(date("2025-01-31")));
        assert!(!i.active(date("2025-07-01")));
        assert!(!i.active(date("2026-01-01")));
        // ordered by time across years, months and days
        assert!(date("2025-12-31") < date("2026-01-01"));
        assert!(date("2026-09-30") < date("2026-10-01"));
        assert!(date("0999-12-31") < date("1000-01-01"));
        let forever = Ignore { expires: None, ..i };
        assert!(forever.active(date("2999-01-01")));
    }

    #[test]
    fn section_parses() {
        let d = load("[deps]\nignore = [{ id = \"GHSA-1\", reason = \"ok\" }]\n").unwrap();
        assert_eq!(d.ignore[0].id, "GHSA-1");
        assert!(d.ignore[0].expires.is_none());
        let e = load("[deps]\nignore = [{ id = \"GHSA-1\" }]\n")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("/srv/app/.lm.toml") && e.contains("[deps]"),
            "{e}"
        );
        assert!(e.contains("reason"), "{e}");
    }

    #[test]
    fn an_ignore_needs_an_id_and_a_reason_that_say_something() {
        for entry in [
            "{ id = \"GHSA-1\", reason = \"\" }",
            "{ id = \"GHSA-1\", reason = \"   \" }",
            "{ id = \" \", reason = \"server-only\" }",
        ] {
            let e = load(&format!("[deps]\nignore = [{entry}]\n"))
                .unwrap_err()
                .to_string();
            assert!(
                e.contains("is empty") && e.contains("[deps]"),
                "{entry}: {e}"
            );
        }
        let ok = load("[deps]\nignore = [{ id = \"GHSA-1\", reason = \"server-only\" }]\n");
        assert!(ok.is_ok());
    }

    #[test]
    fn expires_is_a_string_or_a_toml_date() {
        for text in ["expires = \"2026-12-31\"", "expires = 2026-12-31"] {
            let d = load(&format!(
                "[deps]\nignore = [{{ id = \"GHSA-1\", reason = \"r\", {text} }}]\n"
            ))
            .unwrap();
            assert_eq!(d.ignore[0].expires, Some(date("2026-12-31")), "{text}");
        }
    }

    #[test]
    fn a_bad_expires_is_an_error_naming_the_file_and_section() {
        for (text, shown) in [
            ("\"31/12/2026\"", "31/12/2026"),
            ("\"2026-02-30\"", "2026-02-30"),
            ("\"2026-6-1\"", "2026-6-1"),
            ("2026-12-31T10:00:00Z", "2026-12-31T10:00:00Z"),
            ("20261231", "20261231"),
        ] {
            let e = load(&format!(
                "[deps]\nignore = [{{ id = \"GHSA-1\", reason = \"r\", expires = {text} }}]\n"
            ))
            .unwrap_err()
            .to_string();
            assert!(
                e.contains("/srv/app/.lm.toml")
                    && e.contains("[deps]")
                    && e.contains("expires")
                    && e.contains("YYYY-MM-DD")
                    && e.contains(shown),
                "{text}: {e}"
            );
        }
    }

    #[test]
    fn disable_is_checked_and_disabled_is_its_alias() {
        for key in ["disable", "disabled"] {
            for id in ["deps.install-script", "install-script"] {
                let d = load(&format!("[deps]\n{key} = [\"{id}\"]\n")).unwrap();
                assert_eq!(d.disable, vec!["deps.install-script"], "{key} {id}");
                assert!(d.disabled("deps.install-script"));
                assert!(!d.disabled("deps.unpinned"));
            }
        }
        let e = load("[deps]\ndisable = [\"deps.install-scripts\"]\n")
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("/srv/app/.lm.toml: [deps] disable: unknown rule `deps.install-scripts`"),
            "{e}"
        );
        for rule in crate::audit::RULES {
            assert!(e.contains(rule), "{rule} not listed: {e}");
        }
        // both spellings at once is ambiguous
        let e = load("[deps]\ndisable = [\"deps.unpinned\"]\ndisabled = [\"deps.typosquat\"]\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("[deps]") && e.contains("disable"), "{e}");
        // a wrong type still names the section
        let e = load("[deps]\ndisable = \"deps.unpinned\"\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("[deps]"), "{e}");
    }
}
