//! Inline suppressions: `lm-ignore: <ids> <reason>` in a comment.
//!
//! The directive must open a comment in any common syntax: `//`, `/* */`, `#`, `--`,
//! `<!-- -->`, JSX `{/* */}`, `;`, `%`, or a `*` continuation line of a block comment.
//! `<ids>` is one id or a comma-separated list; each is a rule id
//! (`secrets.stripe-live-secret-key`), a category id (`secret.hardcoded`) or a family
//! prefix ending in `.` (`secrets.`, `dep.`). There is no wildcard. Everything after the
//! ids is the reason.
//!
//! A directive suppresses a matching finding on its own line (a trailing comment) or on the
//! line below, when the directive's line holds nothing but the comment. A directive without
//! a reason still suppresses, and the report adds a `suppression-without-reason`
//! diagnostic so that reviews can catch it.

/// The marker that starts a directive.
pub const MARKER: &str = "lm-ignore:";

/// Comment openers, longest first so that `{/*` wins over `/*` and `*`.
const OPENERS: &[&str] = &["<!--", "{/*", "/**", "/*", "//", "--", "#", ";", "%", "*"];

/// A parsed `lm-ignore:` directive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directive {
    /// The rule ids, category ids or family prefixes it names.
    pub ids: Vec<String>,
    /// Why the finding is suppressed, when given.
    pub reason: Option<String>,
    /// True when the line holds nothing but the comment (it then also covers the next line).
    pub standalone: bool,
}

impl Directive {
    /// Parses the directive of a source line, if it has one.
    pub fn parse(line: &str) -> Option<Directive> {
        let at = line.find(MARKER)?;
        let before = line[..at].trim_end();
        let opener = OPENERS.iter().find(|o| before.ends_with(*o))?;
        let code = &before[..before.len() - opener.len()];
        let standalone = code.trim().is_empty();
        let mut rest = line[at + MARKER.len()..].trim();
        for closer in ["*/}", "*/", "-->"] {
            if let Some(r) = rest.strip_suffix(closer) {
                rest = r.trim_end();
                break;
            }
        }
        let (ids, reason) = match rest.split_once(char::is_whitespace) {
            Some((ids, reason)) => (ids, reason),
            None => (rest, ""),
        };
        let ids: Vec<String> = ids
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect();
        if ids.is_empty() {
            return None;
        }
        let reason = reason
            .trim_start_matches(|c: char| c.is_whitespace() || matches!(c, '-' | ':' | '—' | '–'))
            .trim_end();
        Some(Directive {
            ids,
            reason: (!reason.is_empty()).then(|| reason.to_string()),
            standalone,
        })
    }

    /// True when the directive names the rule, its category, or a family prefix of either.
    pub fn matches(&self, rule: &str, category: &str) -> bool {
        self.ids.iter().any(|id| {
            id == rule
                || id == category
                || (id.ends_with('.')
                    && (rule.starts_with(id.as_str()) || category.starts_with(id.as_str())))
        })
    }
}

/// Looks for a directive suppressing a finding of `rule`/`category` at 1-based `line` of
/// `lines`: on the line itself, or standalone on the line above. Returns the directive and
/// the 1-based line it is on.
pub fn find(lines: &[String], line: u64, rule: &str, category: &str) -> Option<(Directive, u64)> {
    if line == 0 {
        return None;
    }
    let idx = usize::try_from(line - 1).ok()?;
    if let Some(d) = lines.get(idx).and_then(|l| Directive::parse(l)) {
        if d.matches(rule, category) {
            return Some((d, line));
        }
    }
    let above = idx.checked_sub(1)?;
    let d = Directive::parse(lines.get(above)?)?;
    (d.standalone && d.matches(rule, category)).then_some((d, line - 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(line: &str) -> Option<(Vec<String>, Option<String>, bool)> {
        Directive::parse(line).map(|d| (d.ids, d.reason, d.standalone))
    }

    #[test]
    fn parses_every_comment_syntax() {
        for (line, standalone) in [
            ("  // lm-ignore: inject.sql ids are integers", true),
            (
                "query(sql) // lm-ignore: inject.sql ids are integers",
                false,
            ),
            ("# lm-ignore: inject.sql ids are integers", true),
            ("-- lm-ignore: inject.sql ids are integers", true),
            ("/* lm-ignore: inject.sql ids are integers */", true),
            ("<!-- lm-ignore: inject.sql ids are integers -->", true),
            ("      {/* lm-ignore: inject.sql ids are integers */}", true),
            ("   * lm-ignore: inject.sql ids are integers", true),
            ("; lm-ignore: inject.sql ids are integers", true),
        ] {
            assert_eq!(
                ids(line),
                Some((
                    vec!["inject.sql".to_string()],
                    Some("ids are integers".to_string()),
                    standalone
                )),
                "{line}"
            );
        }
    }

    #[test]
    fn reason_is_optional_and_lists_are_split() {
        assert_eq!(
            ids("// lm-ignore: authz.bola,authn.missing - public demo data"),
            Some((
                vec!["authz.bola".into(), "authn.missing".into()],
                Some("public demo data".into()),
                true
            ))
        );
        assert_eq!(
            ids("x = 1 # lm-ignore: secrets."),
            Some((vec!["secrets.".into()], None, false))
        );
        assert_eq!(ids("/* lm-ignore: */"), None);
    }

    #[test]
    fn text_that_is_not_a_comment_is_not_a_directive() {
        assert_eq!(ids(r#"const help = "use lm-ignore: to suppress";"#), None);
        assert_eq!(ids("lm-ignore: inject.sql at the start of a line"), None);
        assert_eq!(ids("// see the lm-ignore: docs"), None);
    }

    #[test]
    fn matches_rules_categories_and_family_prefixes_only() {
        let d = |s: &str| Directive::parse(&format!("// lm-ignore: {s} why")).unwrap();
        let (rule, cat) = ("secrets.stripe-live-secret-key", "secret.hardcoded");
        assert!(d(rule).matches(rule, cat));
        assert!(d(cat).matches(rule, cat));
        assert!(d("secrets.").matches(rule, cat));
        assert!(d("secret.").matches(rule, cat));
        assert!(!d("secrets").matches(rule, cat));
        assert!(!d("secrets.stripe").matches(rule, cat));
        assert!(!d("inject.sql").matches(rule, cat));
        assert!(!d("*").matches(rule, cat));
    }

    #[test]
    fn covers_its_line_and_the_line_below_when_standalone() {
        let lines: Vec<String> = [
            "// lm-ignore: inject.sql ids are validated upstream",
            "db.query(`select ${id}`)",
            "db.query(`select ${a}`) // lm-ignore: inject.sql trailing",
            "db.query(`select ${b}`)",
            "db.query(`select ${c}`)",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let hit = |line| find(&lines, line, "inject.sql-template", "inject.sql").map(|(_, at)| at);
        assert_eq!(hit(2), Some(1));
        assert_eq!(hit(1), Some(1));
        assert_eq!(hit(3), Some(3));
        assert_eq!(
            hit(4),
            None,
            "a trailing comment does not cover the next line"
        );
        assert_eq!(hit(5), None);
        assert_eq!(hit(0), None);
        assert_eq!(hit(99), None);
        assert_eq!(find(&lines, 2, "authz.bola", "authz.bola"), None);
    }
}
