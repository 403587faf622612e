//! The records of the JSON Lines contract.
//!
//! Every line is one JSON object whose first field is `type`. The types this crate knows
//! are listed in [`RecordType`]; a stage passes every record it does not consume through
//! unchanged, including types it has never heard of.

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::fact::Fact;

/// The `type` of a record as read from a line.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum RecordType {
    /// `file`: one file of the scanned tree ([`FileRecord`]).
    File,
    /// `fact`: something `lm-parse` learned about the code ([`Fact`]).
    Fact,
    /// `finding`: a detected gap ([`Finding`]).
    Finding,
    /// `diagnostic`: a warning or error about the input ([`Diagnostic`]).
    Diagnostic,
    /// `summary`: counts a stage reports at its end ([`Summary`]).
    Summary,
    /// Any other type: passed through untouched.
    Other(String),
}

impl RecordType {
    /// Maps the `type` string of a line to a [`RecordType`].
    pub fn from_tag(tag: &str) -> RecordType {
        match tag {
            "file" => RecordType::File,
            "fact" => RecordType::Fact,
            "finding" => RecordType::Finding,
            "diagnostic" => RecordType::Diagnostic,
            "summary" => RecordType::Summary,
            other => RecordType::Other(other.to_string()),
        }
    }
}

/// A record this crate can write. Serialises with `type` as the first field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Record {
    /// A `file` record.
    File(FileRecord),
    /// A `fact` record.
    Fact(Fact),
    /// A `finding` record.
    Finding(Finding),
    /// A `diagnostic` record.
    Diagnostic(Diagnostic),
    /// A `summary` record.
    Summary(Summary),
}

impl From<FileRecord> for Record {
    fn from(r: FileRecord) -> Self {
        Record::File(r)
    }
}
impl From<Fact> for Record {
    fn from(r: Fact) -> Self {
        Record::Fact(r)
    }
}
impl From<Finding> for Record {
    fn from(r: Finding) -> Self {
        Record::Finding(r)
    }
}
impl From<Diagnostic> for Record {
    fn from(r: Diagnostic) -> Self {
        Record::Diagnostic(r)
    }
}
impl From<Summary> for Record {
    fn from(r: Summary) -> Self {
        Record::Summary(r)
    }
}

/// What a file is for in the app, decided from framework conventions by `lm-files`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// Runs in the browser (or a mobile client).
    Client,
    /// Runs only on a server (API routes, edge functions, server actions, backends).
    Server,
    /// Imported by both sides, or undecidable.
    Shared,
    /// A database migration.
    Migration,
    /// A dependency manifest (`package.json`, `pyproject.toml`, `Cargo.toml`...).
    Manifest,
    /// A dependency lockfile.
    Lockfile,
    /// A test, spec or fixture.
    Test,
    /// Configuration (framework, tool, env files).
    Config,
    /// Built output shipped to users (`dist/`, `build/`, `.next/static/`).
    BuildOutput,
    /// Documentation.
    Docs,
    /// Anything else.
    Other,
}

impl Role {
    /// The kebab-case name used in records.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Client => "client",
            Role::Server => "server",
            Role::Shared => "shared",
            Role::Migration => "migration",
            Role::Manifest => "manifest",
            Role::Lockfile => "lockfile",
            Role::Test => "test",
            Role::Config => "config",
            Role::BuildOutput => "build-output",
            Role::Docs => "docs",
            Role::Other => "other",
        }
    }

    /// True for code the browser can see (client code and built bundles).
    pub fn browser_visible(self) -> bool {
        matches!(self, Role::Client | Role::BuildOutput)
    }
}

/// `file`: one file of a scanned tree.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct FileRecord {
    /// Path relative to `root`, `/`-separated (see `path_bytes`).
    pub path: String,
    /// Base64 of the path's exact bytes; present only when the name is not valid UTF-8.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path_bytes: Option<String>,
    /// The scan root this path is relative to, as given to `lm-files`.
    pub root: String,
    /// Language id (`javascript`, `jsx`, `typescript`, `tsx`, `python`, `sql`, `json`,
    /// `toml`, `yaml`, `env`, `html`, `vue`, `svelte`, `markdown`, `css`, `shell`,
    /// `dockerfile`, `rust`, `go`...), absent when unknown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// Size in bytes.
    pub size: u64,
    /// True when the file looks binary (a NUL byte in its first block).
    #[serde(default)]
    pub binary: bool,
    /// What the file is for.
    pub role: Role,
    /// Why that role was chosen, in a few words.
    #[serde(default)]
    pub role_reason: String,
}

impl FileRecord {
    /// Path relative to the root, as a filesystem path (exact bytes when recorded).
    pub fn rel_path(&self) -> PathBuf {
        crate::relpath::to_path_buf(&self.path, self.path_bytes.as_deref())
    }

    /// Path to open: `root` joined with the relative path.
    pub fn fs_path(&self) -> PathBuf {
        let rel = self.rel_path();
        if self.root.is_empty() || self.root == "." {
            rel
        } else {
            PathBuf::from(&self.root).join(rel)
        }
    }
}

/// How bad a finding is.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Informational.
    Info,
    /// Low.
    Low,
    /// Medium.
    Medium,
    /// High.
    High,
    /// Critical.
    Critical,
}

impl Severity {
    /// All severities, lowest first.
    pub const ALL: [Severity; 5] = [
        Severity::Info,
        Severity::Low,
        Severity::Medium,
        Severity::High,
        Severity::Critical,
    ];

    /// Lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    /// The `security-severity` score used in SARIF (GitHub code scanning).
    pub fn security_severity(self) -> f64 {
        match self {
            Severity::Critical => 9.5,
            Severity::High => 8.0,
            Severity::Medium => 5.5,
            Severity::Low => 2.0,
            Severity::Info => 0.0,
        }
    }

    /// One step lower (`info` stays `info`).
    pub fn lowered(self) -> Severity {
        match self {
            Severity::Critical => Severity::High,
            Severity::High => Severity::Medium,
            Severity::Medium => Severity::Low,
            _ => Severity::Info,
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Severity {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "info" | "note" => Ok(Severity::Info),
            "low" => Ok(Severity::Low),
            "medium" | "moderate" => Ok(Severity::Medium),
            "high" => Ok(Severity::High),
            "critical" => Ok(Severity::Critical),
            other => Err(format!(
                "unknown severity `{other}` (expected critical, high, medium, low or info)"
            )),
        }
    }
}

macro_rules! categories {
    ($( $(#[$doc:meta])* $variant:ident = $id:literal, $cwe:expr, $title:literal; )*) => {
        /// A finding category from the contract's table (`FINDINGS.md`).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
        pub enum Category {
            $( $(#[$doc])* #[serde(rename = $id)] $variant, )*
        }

        impl Category {
            /// Every category, in the contract's order.
            pub const ALL: &'static [Category] = &[ $( Category::$variant, )* ];

            /// The category id, e.g. `secret.hardcoded`.
            pub fn as_str(self) -> &'static str {
                match self { $( Category::$variant => $id, )* }
            }

            /// The CWE the contract assigns to the category, if any.
            pub fn cwe(self) -> Option<u32> {
                match self { $( Category::$variant => $cwe, )* }
            }

            /// A short human title.
            pub fn title(self) -> &'static str {
                match self { $( Category::$variant => $title, )* }
            }
        }

        impl FromStr for Category {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $( $id => Ok(Category::$variant), )*
                    other => Err(format!("unknown category `{other}`")),
                }
            }
        }
    };
}

categories! {
    /// A real-looking credential written into source, config or a committed env file.
    SecretHardcoded = "secret.hardcoded", Some(798), "Hard-coded secret";
    /// A server-only credential reachable by browser code.
    SecretClientExposed = "secret.client-exposed", Some(522), "Server secret exposed to the browser";
    /// A server route or function touching non-public data with no authentication.
    AuthnMissing = "authn.missing", Some(306), "Missing authentication";
    /// A privileged action with authentication but no role or permission check.
    AuthzMissingRole = "authz.missing-role", Some(862), "Missing role check";
    /// An object selected by a client-supplied id with no ownership check.
    AuthzBola = "authz.bola", Some(639), "Broken object-level authorization";
    /// A service-role client used where row-level security should apply.
    AuthzServiceRoleMisuse = "authz.service-role-misuse", Some(250), "Service-role client misuse";
    /// A table in an exposed schema without row-level security.
    DbRlsDisabled = "db.rls-disabled", Some(862), "Row-level security disabled";
    /// Row-level security enabled with a policy that lets anyone through.
    DbRlsPermissive = "db.rls-permissive", Some(863), "Permissive row-level security policy";
    /// A webhook acting on its payload without verifying the signature.
    WebhookUnverified = "webhook.unverified", Some(347), "Unverified webhook";
    /// A verified webhook with side effects and no de-duplication on the event id.
    WebhookNotIdempotent = "webhook.not-idempotent", Some(837), "Webhook not idempotent";
    /// An abuse-prone endpoint with no rate limiting.
    RatelimitMissing = "ratelimit.missing", Some(307), "Missing rate limit";
    /// Untrusted data reaching an HTML sink unsanitised.
    InjectXss = "inject.xss", Some(79), "Cross-site scripting";
    /// SQL built from untrusted data.
    InjectSql = "inject.sql", Some(89), "SQL injection";
    /// Untrusted data written to a log line unsanitised.
    InjectLog = "inject.log", Some(117), "Log injection";
    /// CORS reflecting any origin or `*` with credentials.
    CorsPermissive = "cors.permissive", Some(942), "Permissive CORS";
    /// A locked dependency version with a known advisory.
    DepVulnerable = "dep.vulnerable", Some(1395), "Vulnerable dependency";
    /// Incompatible versions required together, or an unmet peer dependency.
    DepConflict = "dep.conflict", None, "Dependency conflict";
    /// A manifest with no lockfile, or a lockfile out of sync.
    DepLockfile = "dep.lockfile", None, "Lockfile problem";
    /// A dependency that does not exist or is a likely typosquat.
    DepUnknownPackage = "dep.unknown-package", Some(829), "Unknown or typosquatted package";
    /// A dependency with no version bound or an unpinned source.
    DepUnpinned = "dep.unpinned", Some(1357), "Unpinned dependency";
    /// A dependency that runs an install script.
    DepInstallScript = "dep.install-script", Some(506), "Dependency install script";
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `finding`: one detected gap. The fields up to `package` are the stable contract of
/// `FINDINGS.md`; the rest are optional additions documented in `docs/records.md`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Finding {
    /// Stable rule id, e.g. `secrets.stripe-live-secret-key`.
    pub rule: String,
    /// Category from the contract's table.
    pub category: Category,
    /// Severity.
    pub severity: Severity,
    /// One sentence a person can act on.
    pub message: String,
    /// Path relative to the scanned root, `/`-separated.
    pub path: String,
    /// 1-based first line of the evidence.
    pub line: u64,
    /// 1-based last line of the evidence.
    pub end_line: u64,
    /// 1-based column of the first character, where known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<u64>,
    /// CWE number, or null.
    pub cwe: Option<u32>,
    /// Stable across runs and line shifts; used by baselines.
    pub fingerprint: String,
    /// `lm-deps` only: the package the finding is about.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub package: Option<String>,
    /// 1-based column just past the evidence on `end_line`, where known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_column: Option<u64>,
    /// A redacted preview of the evidence (never a full secret).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence: Option<String>,
    /// Base64 of the path's exact bytes, when the name is not valid UTF-8.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path_bytes: Option<String>,
    /// Stage-specific details (provider, advisory ids, route, source and sink...).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub details: BTreeMap<String, serde_json::Value>,
}

impl Finding {
    /// A finding with the contract's fields filled and the CWE taken from the category.
    /// `fingerprint` is left empty: set it with [`crate::fingerprint`].
    pub fn new(
        rule: impl Into<String>,
        category: Category,
        severity: Severity,
        path: impl Into<String>,
        line: u64,
        message: impl Into<String>,
    ) -> Finding {
        Finding {
            rule: rule.into(),
            category,
            severity,
            message: message.into(),
            path: path.into(),
            line,
            end_line: line,
            column: None,
            cwe: category.cwe(),
            fingerprint: String::new(),
            package: None,
            end_column: None,
            evidence: None,
            path_bytes: None,
            details: BTreeMap::new(),
        }
    }
}

/// How serious a diagnostic is.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum DiagnosticLevel {
    /// Informational (e.g. a skipped file).
    Info,
    /// The stage went on, but some input was not fully analysed.
    Warning,
    /// Input was lost or could not be processed.
    Error,
}

/// `diagnostic`: a warning or error about the input, not about the app.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Diagnostic {
    /// Severity of the problem.
    pub level: DiagnosticLevel,
    /// The stage that wrote it (`lm-files`, `lm-parse`...).
    pub stage: String,
    /// Stable short code: `unreadable`, `too-large`, `symlink-loop`, `invalid-utf8`,
    /// `parse-error`, `malformed-input`, `skipped-lines`, `config`...
    pub code: String,
    /// What happened, for a person.
    pub message: String,
    /// The file concerned, relative to its root, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// 1-based line concerned, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
}

impl Diagnostic {
    /// A diagnostic with no path or line.
    pub fn new(
        level: DiagnosticLevel,
        stage: impl Into<String>,
        code: impl Into<String>,
        message: impl Into<String>,
    ) -> Diagnostic {
        Diagnostic {
            level,
            stage: stage.into(),
            code: code.into(),
            message: message.into(),
            path: None,
            line: None,
        }
    }

    /// Sets the path.
    pub fn with_path(mut self, path: impl Into<String>) -> Diagnostic {
        self.path = Some(path.into());
        self
    }

    /// Sets the line.
    pub fn with_line(mut self, line: u64) -> Diagnostic {
        self.line = Some(line);
        self
    }
}

/// `summary`: what a stage did, written once at its end.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Summary {
    /// The stage that wrote it.
    pub stage: String,
    /// Named counts (`files`, `facts`, `findings`, `skipped`...).
    pub counts: BTreeMap<String, u64>,
    /// Wall-clock milliseconds the stage ran.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub elapsed_ms: Option<u64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finding_serialises_type_first_with_contract_fields() {
        let mut f = Finding::new(
            "secrets.x",
            Category::SecretHardcoded,
            Severity::High,
            "a.js",
            3,
            "Rotate it.",
        );
        f.fingerprint = "abc".into();
        let line = serde_json::to_string(&Record::Finding(f)).unwrap();
        assert!(
            line.starts_with(r#"{"type":"finding","rule":"secrets.x""#),
            "{line}"
        );
        let v: serde_json::Value = serde_json::from_str(&line).unwrap();
        for key in [
            "rule",
            "category",
            "severity",
            "message",
            "path",
            "line",
            "end_line",
            "cwe",
            "fingerprint",
        ] {
            assert!(v.get(key).is_some(), "missing {key}");
        }
        assert_eq!(v["cwe"], 798);
        assert_eq!(v["category"], "secret.hardcoded");
    }

    #[test]
    fn categories_round_trip_and_match_the_contract_table() {
        assert_eq!(Category::ALL.len(), 21);
        for c in Category::ALL {
            assert_eq!(c.as_str().parse::<Category>().unwrap(), *c);
        }
        assert_eq!(Category::DepConflict.cwe(), None);
        assert_eq!(Category::CorsPermissive.cwe(), Some(942));
    }

    #[test]
    fn severity_orders_and_parses() {
        assert!(Severity::Critical > Severity::High);
        assert_eq!("HIGH".parse::<Severity>().unwrap(), Severity::High);
        assert!("urgent".parse::<Severity>().is_err());
        assert_eq!(Severity::Medium.security_severity(), 5.5);
    }
}
