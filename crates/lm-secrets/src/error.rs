//! Errors of the secrets stage.

/// A rule file or rule that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum RuleError {
    /// A rule file is not valid TOML or does not follow the rule format.
    #[error("rule file {file}: {reason}")]
    File {
        /// The file name.
        file: String,
        /// Why.
        reason: String,
    },
    /// A rule's regex does not compile.
    #[error("rule {id}: invalid regex: {reason}")]
    Regex {
        /// The rule id.
        id: String,
        /// The compiler's message.
        reason: String,
    },
    /// A rule breaks a format constraint.
    #[error("rule {id}: {reason}")]
    Invalid {
        /// The rule id.
        id: String,
        /// Why.
        reason: String,
    },
}

/// A `[secrets]` configuration that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    /// A rule in `[[secrets.rules]]` is invalid.
    #[error("[secrets] rules: {0}")]
    Rule(#[from] RuleError),
    /// A glob in `allow.paths` or `[paths] exclude` is invalid.
    #[error("[secrets] invalid path glob `{glob}`: {reason}")]
    Glob {
        /// The glob.
        glob: String,
        /// Why.
        reason: String,
    },
    /// A regex in `allow.values` is invalid.
    #[error("[secrets] invalid allow.values regex `{regex}`: {reason}")]
    Regex {
        /// The regex.
        regex: String,
        /// Why.
        reason: String,
    },
    /// `disable` names a rule that does not exist.
    #[error("[secrets] disable: unknown rule `{0}`")]
    UnknownRule(String),
}
