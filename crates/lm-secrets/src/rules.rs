//! Detection rules: their data format, the built-in rule files, and compilation.
//!
//! Rules are data (`rules/*.toml`, embedded at build time). Each rule names a provider,
//! the keywords that must occur for it to be tried (the Aho-Corasick prefilter), a regex
//! whose `secret` group (or first group) captures the credential, optional randomness
//! minimums, a severity, and examples that the test suite runs.
//!
//! Regexes may use these macros, expanded before compilation:
//!
//! * `{ctx}`: the link between a name and its value in an assignment
//!   (`NAME = "`, `name: '`, `"name": "`, `NAME=`, `:=`, `=>`, a call `name("`, an argument `, "`);
//! * `{actx}`: like `{ctx}` but only assignments (no call or argument forms), for the
//!   generic rules;
//! * `{end}`: what may follow a value (quote, space, `;`, `,`, bracket, end of line);
//! * `{tend}`: what may follow a prefixed token (anything but a token character);
//! * `{uuid}`: a lower- or upper-case UUID.

use std::collections::HashSet;

use lm_core::Severity;
use regex::bytes::Regex;
use serde::Deserialize;

use crate::error::RuleError;

/// The built-in rule files, embedded at build time.
pub const BUILTIN_FILES: &[(&str, &str)] = &[
    ("cloud.toml", include_str!("../rules/cloud.toml")),
    ("vcs-ci.toml", include_str!("../rules/vcs-ci.toml")),
    ("ai.toml", include_str!("../rules/ai.toml")),
    ("payments.toml", include_str!("../rules/payments.toml")),
    ("messaging.toml", include_str!("../rules/messaging.toml")),
    ("saas.toml", include_str!("../rules/saas.toml")),
    ("data.toml", include_str!("../rules/data.toml")),
    ("keys.toml", include_str!("../rules/keys.toml")),
    ("more.toml", include_str!("../rules/more.toml")),
    ("generic.toml", include_str!("../rules/generic.toml")),
];

/// What extra checks a rule's candidates go through (beyond placeholders and entropy).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Check {
    /// Only the shared checks.
    #[default]
    None,
    /// A value assigned to a secret-sounding name: must look random.
    GenericValue,
    /// A literal assigned to a password-named variable: random-looking, 10+ characters.
    PasswordValue,
    /// Like `generic-value`, but for signing secrets (letters-only random strings pass).
    SigningSecret,
    /// A Supabase legacy JWT key: only `service_role` is secret; `anon` never is.
    SupabaseJwt,
    /// A private key block: the body must be long, random base64.
    PrivateKeyBody,
    /// A database or broker URL: password must be real and host not local.
    DatabaseUrl,
    /// A public-prefixed variable name that holds a server-only secret (no value needed).
    PublicName,
}

/// How a rule is written in a rule file (and in `.lm.toml` `[[secrets.rules]]`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSpec {
    /// Stable id without the `secrets.` prefix, e.g. `github-pat`.
    pub id: String,
    /// Who issues the credential, e.g. `GitHub`.
    pub provider: String,
    /// What the credential is, e.g. `GitHub personal access token`.
    pub description: String,
    /// Literals (case-insensitive) of which at least one must occur near a match.
    pub keywords: Vec<String>,
    /// The regex (see the module docs for macros).
    pub regex: String,
    /// Severity of a finding.
    pub severity: Severity,
    /// Minimum Shannon entropy (bits per character) of the secret.
    #[serde(default)]
    pub entropy: Option<f64>,
    /// Minimum number of character classes (lower, upper, digit, symbol) in the secret.
    #[serde(default)]
    pub min_classes: Option<u8>,
    /// Extra check applied to candidates.
    #[serde(default)]
    pub check: Check,
    /// True when the credential is designed to be shipped to browsers (no client-exposure
    /// escalation).
    #[serde(default)]
    pub public: bool,
    /// When two rules match the same text, the higher priority wins.
    #[serde(default)]
    pub priority: i32,
    /// Bytes after a keyword hit in which a match may end (default 512).
    #[serde(default)]
    pub window: Option<usize>,
    /// Bytes before a keyword hit in which a match may start (default 160).
    #[serde(default)]
    pub lookback: Option<usize>,
    /// True when a match may span lines (private keys).
    #[serde(default)]
    pub multiline: bool,
    /// Path globs (e.g. `**/.pypirc`) the rule is limited to; empty means every file.
    #[serde(default)]
    pub paths: Vec<String>,
    /// Words that, when found within the window around a match, mean it is not a secret
    /// (e.g. a Firebase web config for Google API keys).
    #[serde(default)]
    pub skip_near: Vec<String>,
    /// What to do, appended to the message (defaults to rotating and moving server-side).
    #[serde(default)]
    pub action: Option<String>,
    /// Lines that must produce a finding of this rule (templates, see `examples`).
    #[serde(default)]
    pub positive: Vec<String>,
    /// Lines that must not produce a finding of this rule.
    #[serde(default)]
    pub negative: Vec<String>,
}

/// A compiled rule.
#[derive(Debug, Clone)]
pub struct Rule {
    /// The rule as written.
    pub spec: RuleSpec,
    /// The full id, `secrets.<id>`.
    pub full_id: String,
    /// The compiled regex.
    pub regex: Regex,
    /// Index of the `secret` capture group, if named.
    pub secret_group: Option<usize>,
    /// Index of the `name` capture group, if any.
    pub name_group: Option<usize>,
    /// Lower-cased `skip_near` words.
    pub skip_near: Vec<Vec<u8>>,
    /// Compiled `paths`, when given.
    pub paths: Option<globset::GlobSet>,
}

impl Rule {
    /// Compiles a spec.
    pub fn compile(spec: RuleSpec) -> Result<Rule, RuleError> {
        if spec.id.is_empty()
            || !spec
                .id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        {
            return Err(RuleError::Invalid {
                id: spec.id.clone(),
                reason: "ids are lower-case letters, digits and dashes".into(),
            });
        }
        if spec.keywords.is_empty() || spec.keywords.iter().any(|k| k.len() < 3) {
            return Err(RuleError::Invalid {
                id: spec.id.clone(),
                reason: "needs at least one keyword, each of 3 or more characters".into(),
            });
        }
        let expanded = expand_macros(&spec.regex);
        let text = if spec.multiline {
            expanded
        } else {
            format!("(?m){expanded}")
        };
        // ASCII classes: secrets are ASCII, and `\w{50,1000}` stays small and fast
        let regex = regex::bytes::RegexBuilder::new(&text)
            .unicode(false)
            .size_limit(32 << 20)
            .build()
            .map_err(|e| RuleError::Regex {
                id: spec.id.clone(),
                reason: e.to_string(),
            })?;
        if regex.captures_len() < 2 {
            return Err(RuleError::Invalid {
                id: spec.id.clone(),
                reason: "the regex needs a capture group for the secret".into(),
            });
        }
        let names: Vec<Option<&str>> = regex.capture_names().collect();
        let secret_group = names.iter().position(|n| *n == Some("secret"));
        let name_group = names.iter().position(|n| *n == Some("name"));
        let skip_near = spec
            .skip_near
            .iter()
            .map(|w| w.to_ascii_lowercase().into_bytes())
            .collect();
        let paths = if spec.paths.is_empty() {
            None
        } else {
            let mut b = globset::GlobSetBuilder::new();
            for p in &spec.paths {
                let g = globset::GlobBuilder::new(p)
                    .case_insensitive(true)
                    .build()
                    .map_err(|e| RuleError::Invalid {
                        id: spec.id.clone(),
                        reason: format!("path glob `{p}`: {e}"),
                    })?;
                b.add(g);
            }
            Some(b.build().map_err(|e| RuleError::Invalid {
                id: spec.id.clone(),
                reason: e.to_string(),
            })?)
        };
        Ok(Rule {
            paths,
            full_id: format!("secrets.{}", spec.id),
            spec,
            regex,
            secret_group,
            name_group,
            skip_near,
        })
    }

    /// The secret's byte range in a set of captures: the `secret` group when named, else
    /// the first participating group that is not `name`.
    pub fn secret_range(&self, caps: &regex::bytes::Captures<'_>) -> Option<(usize, usize)> {
        if let Some(i) = self.secret_group {
            return caps.get(i).map(|m| (m.start(), m.end()));
        }
        (1..caps.len())
            .filter(|i| Some(*i) != self.name_group)
            .find_map(|i| caps.get(i))
            .map(|m| (m.start(), m.end()))
    }

    /// The secrets this rule's regex captures in `text` (no other checks). Used by tests
    /// to know what must never be printed.
    pub fn raw_secrets(&self, text: &[u8]) -> Vec<Vec<u8>> {
        self.regex
            .captures_iter(text)
            .filter_map(|c| self.secret_range(&c).map(|(s, e)| text[s..e].to_vec()))
            .collect()
    }
}

/// Expands `{ctx}`, `{actx}`, `{end}`, `{tend}` and `{uuid}` in a rule regex.
pub fn expand_macros(regex: &str) -> String {
    regex
        .replace(
            "{ctx}",
            r#"[\w.\-]{0,30}?(?:\\?["'`])?\]?[ \t]{0,3}(?::=|=>|\?\?=|\|\|=|=|:|,|\()[ \t]{0,3}(?:\\?["'`])?"#,
        )
        .replace(
            "{actx}",
            r#"[\w.\-]{0,30}?(?:\\?["'`])?\]?[ \t]{0,3}(?::=|=>|\?\?=|\|\|=|=|:)[ \t]{0,3}(?:\\?["'`])?"#,
        )
        .replace("{end}", r#"(?:\\?["'`\s;,)\]}<&|]|\\[nrt]|$)"#)
        .replace("{tend}", r"(?:[^A-Za-z0-9_\-]|$)")
        .replace(
            "{uuid}",
            "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}",
        )
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleFile {
    #[serde(default)]
    rule: Vec<RuleSpec>,
}

/// Parses one rule file.
pub fn parse_rule_file(name: &str, text: &str) -> Result<Vec<RuleSpec>, RuleError> {
    let file: RuleFile = toml::from_str(text).map_err(|e| RuleError::File {
        file: name.to_string(),
        reason: e.to_string(),
    })?;
    Ok(file.rule)
}

/// The built-in rule specs, in file order.
pub fn builtin_specs() -> Result<Vec<RuleSpec>, RuleError> {
    let mut out = Vec::new();
    for (name, text) in BUILTIN_FILES {
        out.extend(parse_rule_file(name, text)?);
    }
    Ok(out)
}

/// Compiles specs, rejecting duplicate ids.
pub fn compile_all(specs: Vec<RuleSpec>) -> Result<Vec<Rule>, RuleError> {
    let mut seen = HashSet::new();
    let mut out = Vec::with_capacity(specs.len());
    for spec in specs {
        if !seen.insert(spec.id.clone()) {
            return Err(RuleError::Invalid {
                id: spec.id,
                reason: "duplicate rule id".into(),
            });
        }
        out.push(Rule::compile(spec)?);
    }
    Ok(out)
}

/// The built-in rules, compiled.
pub fn builtin() -> Result<Vec<Rule>, RuleError> {
    compile_all(builtin_specs()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_rules_compile_and_are_many_and_well_formed() {
        let rules = builtin().unwrap();
        assert!(rules.len() >= 200, "only {} rules", rules.len());
        for r in &rules {
            assert!(!r.spec.provider.is_empty(), "{}", r.spec.id);
            assert!(!r.spec.description.is_empty(), "{}", r.spec.id);
            assert!(
                !r.spec.positive.is_empty(),
                "{} has no positive example",
                r.spec.id
            );
            assert!(
                !r.spec.negative.is_empty(),
                "{} has no negative example",
                r.spec.id
            );
        }
    }

    #[test]
    fn bad_rules_are_rejected_with_their_id() {
        let spec = |regex: &str, kw: &str| RuleSpec {
            id: "x-rule".into(),
            provider: "X".into(),
            description: "x".into(),
            keywords: vec![kw.into()],
            regex: regex.into(),
            severity: Severity::High,
            entropy: None,
            min_classes: None,
            check: Check::None,
            public: false,
            priority: 0,
            window: None,
            lookback: None,
            multiline: false,
            skip_near: vec![],
            paths: vec![],
            action: None,
            positive: vec![],
            negative: vec![],
        };
        let e = Rule::compile(spec("x_[a-z", "x_a"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("x-rule"), "{e}");
        let e = Rule::compile(spec("x_[a-z]+", "x_a"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("capture"), "{e}");
        let e = Rule::compile(spec("(x_[a-z]+)", "x"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("keyword"), "{e}");
    }
}
