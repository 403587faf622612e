//! The scanner: an Aho-Corasick keyword pass over a bounded window of a file, each
//! rule's regex run only around its keyword hits, candidate checks, and findings.
//!
//! Files are read in windows of [`CHUNK`] bytes that overlap by [`OVERLAP`] bytes, so a
//! file of any size is scanned with bounded memory; a match is reported by the window in
//! which it starts before the overlap (or by the last window).

use std::io::Read;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use lm_core::fingerprint::{fingerprint, sha256_hex};
use lm_core::{Category, Finding, Role, Severity};

use crate::exposure::{self, EnvFile};
use crate::jwt::{self, SupabaseKey};
use crate::rules::{Check, Rule};
use crate::settings::{Allow, Settings};
use crate::value::{self, Strictness};

/// Bytes read per window.
pub const CHUNK: usize = 4 << 20;
/// Bytes shared by consecutive windows (longer than any secret a rule matches).
pub const OVERLAP: usize = 64 << 10;
/// Keywords are matched on at most this many leading characters.
pub const MAX_KEYWORD_LEN: usize = 8;
/// At most this many findings per file (a generated file full of keys is one problem).
pub const MAX_FINDINGS_PER_FILE: usize = 200;

/// What is known about the file being scanned.
#[derive(Debug, Clone)]
pub struct FileContext {
    /// Path relative to the root.
    pub path: String,
    /// The file's role.
    pub role: Role,
    /// Language id, when known.
    pub language: Option<String>,
    /// Whether it is an env file.
    pub env: EnvFile,
    /// Whether values may be unquoted (env, YAML, TOML, INI, shell, Dockerfile).
    pub unquoted_ok: bool,
    /// Whether the path looks like a test or fixture, whatever its role.
    pub test_path: bool,
}

impl FileContext {
    /// Context for a path with a role and language.
    pub fn new(path: &str, role: Role, language: Option<&str>) -> FileContext {
        let env = exposure::env_file(path);
        let lower = path.to_ascii_lowercase();
        let unquoted_ok = env != EnvFile::No
            || matches!(
                language,
                Some(
                    "env"
                        | "yaml"
                        | "toml"
                        | "ini"
                        | "shell"
                        | "bash"
                        | "dockerfile"
                        | "properties"
                        | "makefile"
                        | "hcl"
                        | "terraform"
                )
            )
            || [
                ".yml",
                ".yaml",
                ".toml",
                ".ini",
                ".cfg",
                ".conf",
                ".properties",
                ".sh",
                ".bash",
                ".zsh",
                ".npmrc",
                ".pypirc",
                "dockerfile",
                ".tfvars",
            ]
            .iter()
            .any(|e| lower.ends_with(e));
        FileContext {
            test_path: looks_like_test_path(&lower),
            path: path.to_string(),
            role,
            language: language.map(str::to_string),
            env,
            unquoted_ok,
        }
    }
}

/// A finding plus what the tests need to know (never serialised).
#[derive(Debug, Clone)]
pub struct Detection {
    /// The finding record.
    pub finding: Finding,
    /// Index of the rule in the engine.
    pub rule: usize,
}

/// The result of scanning one file.
#[derive(Debug, Clone, Default)]
pub struct ScanOutcome {
    /// What was found.
    pub detections: Vec<Detection>,
    /// True when the content was binary and not scanned.
    pub binary: bool,
    /// Bytes scanned.
    pub bytes: u64,
    /// True when more than [`MAX_FINDINGS_PER_FILE`] findings were found (the rest dropped).
    pub truncated: bool,
}

#[derive(Debug, Clone)]
struct Candidate {
    rule: usize,
    start: usize,
    end: usize,
    /// The full match (for line spans of multi-line secrets).
    match_end: usize,
    secret: String,
    severity: Severity,
    category: Category,
    reasons: Vec<String>,
    name: Option<String>,
}

/// The compiled scanner.
pub struct Engine {
    rules: Vec<Rule>,
    ac: AhoCorasick,
    pattern_rules: Vec<Vec<usize>>,
    allow: Allow,
    dumps: bool,
}

impl Engine {
    /// Builds the scanner from settings.
    pub fn new(settings: Settings) -> Engine {
        let mut patterns: Vec<String> = Vec::new();
        let mut pattern_rules: Vec<Vec<usize>> = Vec::new();
        for (i, r) in settings.rules.iter().enumerate() {
            for k in &r.spec.keywords {
                // a keyword's prefix occurs wherever the keyword does: short prefixes keep
                // the automaton small enough to stay in cache
                let k: String = k
                    .to_ascii_lowercase()
                    .chars()
                    .take(MAX_KEYWORD_LEN)
                    .collect();
                match patterns.iter().position(|p| *p == k) {
                    Some(p) => {
                        if !pattern_rules[p].contains(&i) {
                            pattern_rules[p].push(i)
                        }
                    }
                    None => {
                        patterns.push(k);
                        pattern_rules.push(vec![i]);
                    }
                }
            }
        }
        let ac = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .kind(Some(AhoCorasickKind::DFA))
            .build(&patterns)
            .expect("keywords build an automaton");
        Engine {
            rules: settings.rules,
            ac,
            pattern_rules,
            allow: settings.allow,
            dumps: settings.dumps,
        }
    }

    /// True when committed database dumps are looked for.
    pub fn reports_dumps(&self) -> bool {
        self.dumps
    }

    /// The rules in force.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// Every prefilter keyword as matched (lower-cased, at most [`MAX_KEYWORD_LEN`]
    /// characters), for the benchmark's `rg` floor.
    pub fn keywords(&self) -> Vec<String> {
        let mut k: Vec<String> = self
            .rules
            .iter()
            .flat_map(|r| {
                r.spec.keywords.iter().map(|k| {
                    k.to_ascii_lowercase()
                        .chars()
                        .take(MAX_KEYWORD_LEN)
                        .collect()
                })
            })
            .collect();
        k.sort();
        k.dedup();
        k
    }

    /// True when findings in this path are allowlisted or excluded.
    pub fn path_excluded(&self, path: &str) -> bool {
        self.allow.path_excluded(path)
    }

    /// Scans an in-memory buffer.
    pub fn scan_bytes(&self, ctx: &FileContext, data: &[u8]) -> Vec<Detection> {
        self.scan_reader(ctx, data)
            .expect("reading from memory does not fail")
            .detections
    }

    /// Scans a reader window by window. A NUL byte in the first 8 KiB marks the content
    /// as binary: it is not scanned.
    pub fn scan_reader<R: Read>(
        &self,
        ctx: &FileContext,
        mut reader: R,
    ) -> std::io::Result<ScanOutcome> {
        let mut out = Vec::new();
        let mut buf: Vec<u8> = Vec::with_capacity(8192);
        let mut base_line: u64 = 1;
        // characters between the last newline before the window and the window's start
        let mut base_col: u64 = 0;
        let mut eof = false;
        let mut first = true;
        let mut truncated = false;
        let mut total: u64 = 0;
        while !eof {
            // fill the window (read_to_end grows the buffer without zeroing it each time)
            let want = (CHUNK - buf.len()) as u64;
            let n = (&mut reader).take(want).read_to_end(&mut buf)?;
            if (n as u64) < want {
                eof = true;
            }
            if first {
                first = false;
                if memchr::memchr(0, &buf[..buf.len().min(8192)]).is_some() {
                    return Ok(ScanOutcome {
                        detections: Vec::new(),
                        binary: true,
                        bytes: buf.len() as u64,
                        truncated: false,
                    });
                }
            }
            total += (if eof { buf.len() } else { buf.len() - OVERLAP }) as u64;
            let owned_end = if eof { buf.len() } else { buf.len() - OVERLAP };
            let cands = self.scan_window(ctx, &buf, owned_end);
            let mut line = base_line;
            let mut counted = 0;
            for c in cands {
                if out.len() >= MAX_FINDINGS_PER_FILE {
                    truncated = true;
                    break;
                }
                line += memchr::memchr_iter(b'\n', &buf[counted..c.start]).count() as u64;
                counted = c.start;
                let line_start = memchr::memrchr(b'\n', &buf[..c.start]);
                let col = match line_start {
                    Some(i) => char_count(&buf[i + 1..c.start]) + 1,
                    None => base_col + char_count(&buf[..c.start]) + 1,
                };
                let span_lines = memchr::memchr_iter(b'\n', &buf[c.start..c.match_end.max(c.end)])
                    .count() as u64;
                out.push(self.finding(ctx, c, line, col, line + span_lines));
            }
            if eof {
                break;
            }
            base_line = line
                + memchr::memchr_iter(b'\n', &buf[counted.min(owned_end)..owned_end]).count()
                    as u64;
            base_col = match memchr::memrchr(b'\n', &buf[..owned_end]) {
                Some(i) => char_count(&buf[i + 1..owned_end]),
                None => base_col + char_count(&buf[..owned_end]),
            };
            buf.drain(..owned_end);
        }
        drop_duplicate_name_findings(&mut out);
        Ok(ScanOutcome {
            detections: out,
            binary: false,
            bytes: total,
            truncated,
        })
    }

    fn scan_window(&self, ctx: &FileContext, buf: &[u8], owned_end: usize) -> Vec<Candidate> {
        // keyword hits, grouped by rule
        let mut hits: Vec<(u32, u32)> = Vec::new();
        for m in self.ac.find_overlapping_iter(buf) {
            for &r in &self.pattern_rules[m.pattern().as_usize()] {
                hits.push((r as u32, m.start() as u32));
            }
        }
        if hits.is_empty() {
            return Vec::new();
        }
        hits.sort_unstable();
        hits.dedup();
        let mut cands = Vec::new();
        let mut i = 0;
        while i < hits.len() {
            let r = hits[i].0 as usize;
            let mut j = i;
            while j < hits.len() && hits[j].0 as usize == r {
                j += 1;
            }
            let rule = &self.rules[r];
            if rule.paths.as_ref().is_some_and(|g| !g.is_match(&ctx.path)) {
                i = j;
                continue;
            }
            let lookback = rule.spec.lookback.unwrap_or(160);
            let window = rule.spec.window.unwrap_or(512);
            let mut regions: Vec<(usize, usize)> = Vec::new();
            for &(_, pos) in &hits[i..j] {
                let pos = pos as usize;
                let mut s = pos.saturating_sub(lookback);
                let mut e = (pos + window).min(buf.len());
                if !rule.spec.multiline {
                    if let Some(nl) = memchr::memrchr(b'\n', &buf[s..pos]) {
                        s += nl + 1;
                    }
                    if let Some(nl) = memchr::memchr(b'\n', &buf[pos..e]) {
                        e = pos + nl;
                    }
                }
                match regions.last_mut() {
                    Some(last) if s <= last.1 => last.1 = last.1.max(e),
                    _ => regions.push((s, e)),
                }
            }
            for (s, e) in regions {
                let hay = &buf[s..e];
                for caps in rule.regex.captures_iter(hay) {
                    let Some((ss, se)) = rule.secret_range(&caps) else {
                        continue;
                    };
                    let (start, end) = (s + ss, s + se);
                    if start >= owned_end || start == end {
                        continue;
                    }
                    let whole = caps.get(0).expect("group 0 always matches");
                    let name = rule
                        .name_group
                        .and_then(|g| caps.get(g))
                        .map(|m| String::from_utf8_lossy(m.as_bytes()).into_owned());
                    let host = caps
                        .name("host")
                        .map(|m| String::from_utf8_lossy(m.as_bytes()).into_owned());
                    if let Some(c) =
                        self.check(ctx, r, buf, start, end, s + whole.end(), name, host)
                    {
                        cands.push(c);
                    }
                }
            }
            i = j;
        }
        resolve_overlaps(&self.rules, cands)
    }

    #[allow(clippy::too_many_arguments)]
    fn check(
        &self,
        ctx: &FileContext,
        r: usize,
        buf: &[u8],
        start: usize,
        end: usize,
        match_end: usize,
        name: Option<String>,
        host: Option<String>,
    ) -> Option<Candidate> {
        let rule = &self.rules[r];
        let spec = &rule.spec;
        let raw = &buf[start..end];
        let mut reasons = Vec::new();
        let mut severity = spec.severity;
        let mut category = Category::SecretHardcoded;

        if spec.check != Check::PublicName {
            let key_body = spec.check == Check::PrivateKeyBody;
            if value::is_placeholder_word(raw)
                || (!key_body && value::has_placeholder_run(raw))
                || value::is_test_or_public_key(raw)
                || self.allow.value_allowed(raw)
            {
                return None;
            }
            if let Some(min) = spec.entropy {
                if value::shannon_entropy(raw) < min {
                    return None;
                }
            }
            if let Some(min) = spec.min_classes {
                if value::char_classes(raw) < min {
                    return None;
                }
            }
            if !matches!(spec.check, Check::PrivateKeyBody | Check::DatabaseUrl)
                && value::in_base64_blob(buf, start, end)
            {
                return None;
            }
        }
        if !rule.skip_near.is_empty() {
            let lo = start.saturating_sub(600);
            let hi = (end + 600).min(buf.len());
            let near: Vec<u8> = buf[lo..hi].iter().map(u8::to_ascii_lowercase).collect();
            if rule
                .skip_near
                .iter()
                .any(|w| memchr::memmem::find(&near, w).is_some())
            {
                return None;
            }
        }
        let quoted = start > 0 && matches!(buf[start - 1], b'"' | b'\'' | b'`');
        if ctx.role == Role::Docs
            && matches!(
                spec.check,
                Check::GenericValue
                    | Check::SigningSecret
                    | Check::PasswordValue
                    | Check::DatabaseUrl
            )
            && follows_an_example_label(buf, start)
        {
            // a made-up password or connection string under "Example:" in a guide; keys
            // with a provider's own shape are still reported in documentation
            return None;
        }
        match spec.check {
            Check::None => {}
            Check::GenericValue | Check::SigningSecret | Check::PasswordValue => {
                if let Some(n) = &name {
                    if name_is_not_secret(n) {
                        return None;
                    }
                    if name_says_test_credential(n) {
                        severity = Severity::Low;
                        reasons.push(
                            "the variable name says it is a test, sandbox or demo credential"
                                .to_string(),
                        );
                    }
                }
                if !quoted && !ctx.unquoted_ok {
                    return None;
                }
                let strict = match spec.check {
                    Check::GenericValue => Strictness::Token,
                    Check::PasswordValue => Strictness::Password,
                    _ => Strictness::Signing,
                };
                if value::reject_generic_value(raw, strict).is_some() {
                    return None;
                }
                if raw.starts_with(b"eyJ") {
                    let text = String::from_utf8_lossy(raw);
                    if jwt::classify_supabase(&text) == SupabaseKey::Public {
                        return None;
                    }
                }
            }
            Check::SupabaseJwt => {
                let text = String::from_utf8_lossy(raw);
                match jwt::classify_supabase(&text) {
                    SupabaseKey::ServiceRole { demo: true } => {
                        severity = Severity::Info;
                        reasons.push(
                            "the Supabase CLI's shared local-development key (iss supabase-demo)"
                                .to_string(),
                        );
                    }
                    SupabaseKey::ServiceRole { demo: false } => {}
                    _ => return None,
                }
            }
            Check::PrivateKeyBody => {
                let body: Vec<u8> = raw
                    .iter()
                    .copied()
                    .filter(|c| c.is_ascii_alphanumeric() || *c == b'+' || *c == b'/')
                    .collect();
                // drop escaped newlines ("\n" written as two characters leaves an `n`)
                if body.len() < 64 || value::shannon_entropy(&body) < 4.5 {
                    return None;
                }
            }
            Check::DatabaseUrl => {
                if !database_password_is_real(raw, name.as_deref(), host.as_deref()) {
                    return None;
                }
                if host.as_deref().is_some_and(is_managed_database_host) {
                    severity = Severity::Critical;
                    reasons.push("the host is a managed cloud database".to_string());
                }
            }
            Check::PublicName => {
                let n = String::from_utf8_lossy(raw);
                if ctx.role == Role::Docs || n.contains("PUBLISHABLE") || n.contains("_ANON") {
                    return None;
                }
                category = Category::SecretClientExposed;
                reasons.push(format!(
                    "the {} prefix makes the bundler inline this variable into browser code",
                    exposure::public_prefix(&n).unwrap_or("public")
                ));
                let vite_read = buf[..start].ends_with(b"import.meta.env.");
                if !(vite_read || ctx.role.browser_visible()) {
                    // read by server code or declared in config: a foot-gun rather than a
                    // leak, until some client code reads it
                    severity = if ctx.role == Role::Server {
                        Severity::Medium
                    } else {
                        Severity::High
                    };
                    reasons.push(
                        "read or declared outside client code here; any client code that reads it ships it"
                            .to_string(),
                    );
                }
            }
        }

        // exposure to the browser (a test fixture shipped in a package is still a fixture)
        let name = name.or_else(|| exposure::assigned_name(buf, start));
        let test_like = ctx.role == Role::Test || ctx.test_path || severity == Severity::Low;
        if !spec.public
            && spec.check != Check::PublicName
            && severity > Severity::Info
            && !test_like
        {
            if ctx.role.browser_visible() {
                category = Category::SecretClientExposed;
                severity = Severity::Critical;
                reasons.push(if ctx.role == Role::BuildOutput {
                    "it is inside a built bundle shipped to browsers".to_string()
                } else {
                    "it is in client code that runs in the browser".to_string()
                });
            } else if let Some(p) = name.as_deref().and_then(exposure::public_prefix) {
                category = Category::SecretClientExposed;
                severity = Severity::Critical;
                reasons.push(format!(
                    "it is assigned to a {p} variable, which the bundler inlines into browser code"
                ));
            }
        }
        if test_like && severity > Severity::Low {
            severity = Severity::Low;
            reasons.push("in a test file or fixture; make sure it is not a live key".to_string());
        }
        Some(Candidate {
            rule: r,
            start,
            end,
            match_end,
            secret: String::from_utf8_lossy(raw).into_owned(),
            severity,
            category,
            reasons,
            name,
        })
    }

    fn finding(
        &self,
        ctx: &FileContext,
        c: Candidate,
        line: u64,
        col: u64,
        end_line: u64,
    ) -> Detection {
        let rule = &self.rules[c.rule];
        let spec = &rule.spec;
        let is_name = spec.check == Check::PublicName;
        let mut message = if is_name {
            format!(
                "{} `{}` is read through a public-prefixed variable, so its value is bundled into browser code: rename it without the prefix, use it only server-side, and rotate any value already shipped.",
                spec.description, c.secret
            )
        } else if c.category == Category::SecretClientExposed {
            format!(
                "{} ({}) is reachable by browser code ({}): rotate it now and move its use server-side.",
                spec.description,
                spec.provider,
                c.reasons.first().map(String::as_str).unwrap_or("client-visible")
            )
        } else {
            let action = spec.action.clone().unwrap_or_else(|| {
                format!(
                    "rotate it at {} and load it from a secret store or a server-side environment variable",
                    spec.provider
                )
            });
            format!(
                "{} ({}) is hard-coded: {}.",
                spec.description, spec.provider, action
            )
        };
        if ctx.env == EnvFile::Committed && !is_name {
            message.push_str(
                " Env files with real values should not be committed: add it to .gitignore and remove it from history.",
            );
        }
        if c.severity == Severity::Low && (ctx.role == Role::Test || ctx.test_path) {
            message.push_str(" (Reported low: it is in a test fixture.)");
        }
        let mut f = Finding::new(
            rule.full_id.clone(),
            c.category,
            c.severity,
            ctx.path.clone(),
            line,
            message,
        );
        f.column = Some(col);
        f.end_line = end_line;
        if end_line == line {
            f.end_column = Some(col + c.secret.chars().count() as u64);
        }
        f.fingerprint = fingerprint(&[&rule.full_id, &sha256_hex(c.secret.as_bytes())]);
        f.evidence = Some(if is_name {
            c.secret.clone()
        } else {
            value::redact(&c.secret)
        });
        let d = &mut f.details;
        d.insert("provider".into(), spec.provider.clone().into());
        d.insert("description".into(), spec.description.clone().into());
        if !is_name {
            d.insert(
                "secret_length".into(),
                (c.secret.chars().count() as u64).into(),
            );
        }
        if let Some(n) = &c.name {
            d.insert("variable".into(), n.clone().into());
        }
        if !c.reasons.is_empty() {
            d.insert("reasons".into(), c.reasons.clone().into());
        }
        if ctx.env != EnvFile::No {
            d.insert(
                "env_file".into(),
                (if ctx.env == EnvFile::Committed {
                    "committed"
                } else {
                    "template"
                })
                .into(),
            );
        }
        Detection {
            finding: f,
            rule: c.rule,
        }
    }
}

/// True for paths of tests and fixtures (`tests/`, `__fixtures__/`, `*.test.ts`,
/// `test_*.py`...), given lower-cased.
/// True when the three lines before `start` (at most 300 bytes) announce an example:
/// the word `example` (`Example:`, `for example`, `user@example.com`) or `e.g.`. A file
/// name such as `.env.example` does not count: copying it is how real values get written.
fn follows_an_example_label(buf: &[u8], start: usize) -> bool {
    let mut lo = start.saturating_sub(300);
    let mut lines = 0;
    for i in (lo..start).rev() {
        if buf[i] == b'\n' {
            lines += 1;
            if lines > 3 {
                lo = i + 1;
                break;
            }
        }
    }
    let before: Vec<u8> = buf[lo..start].iter().map(u8::to_ascii_lowercase).collect();
    if memchr::memmem::find(&before, b"e.g.").is_some() {
        return true;
    }
    memchr::memmem::find_iter(&before, b"example").any(|at| {
        at == 0 || {
            let c = before[at - 1];
            !(c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'-' | b'/'))
        }
    })
}

pub fn looks_like_test_path(lower: &str) -> bool {
    const DIRS: &[&str] = &[
        "test",
        "tests",
        "__tests__",
        "spec",
        "specs",
        "__mocks__",
        "mocks",
        "fixtures",
        "__fixtures__",
        "fixture",
        "testdata",
        "test-data",
        "test_data",
        "e2e",
        "cypress",
        "playwright",
    ];
    let mut parts = lower.split('/').peekable();
    while let Some(p) = parts.next() {
        if parts.peek().is_none() {
            return p.contains(".test.")
                || p.contains(".spec.")
                || p.contains("_test.")
                || p.starts_with("test_")
                || p.contains(".fixture.");
        }
        if DIRS.contains(&p) {
            return true;
        }
    }
    false
}

fn char_count(b: &[u8]) -> u64 {
    b.iter().filter(|&&c| (c & 0xC0) != 0x80).count() as u64
}

/// Among overlapping candidates keep the best: higher priority, then higher severity,
/// then the earlier rule. Output is sorted by position.
fn resolve_overlaps(rules: &[Rule], mut cands: Vec<Candidate>) -> Vec<Candidate> {
    cands.sort_by(|a, b| {
        let ra = &rules[a.rule].spec;
        let rb = &rules[b.rule].spec;
        rb.priority
            .cmp(&ra.priority)
            .then(b.severity.cmp(&a.severity))
            .then(a.rule.cmp(&b.rule))
            .then(a.start.cmp(&b.start))
    });
    let mut kept: Vec<Candidate> = Vec::new();
    for c in cands {
        if kept
            .iter()
            .any(|k| k.start < c.end && c.start < k.end || (k.start == c.start && k.end == c.end))
        {
            continue;
        }
        kept.push(c);
    }
    kept.sort_by_key(|c| (c.start, c.rule));
    kept
}

/// A name-only exposure finding is redundant when a value finding on the same line
/// already reports that value (with its exposure, or with why it is low).
fn drop_duplicate_name_findings(out: &mut Vec<Detection>) {
    let exposed_lines: Vec<u64> = out
        .iter()
        .filter(|d| d.finding.details.contains_key("secret_length"))
        .map(|d| d.finding.line)
        .collect();
    out.retain(|d| {
        d.finding.details.contains_key("secret_length") || !exposed_lines.contains(&d.finding.line)
    });
}

/// Words in a variable name that mean its value is not a secret.
const NON_SECRET_NAME_WORDS: &[&str] = &[
    "hash",
    "sha",
    "sha1",
    "sha256",
    "sha512",
    "md5",
    "checksum",
    "digest",
    "integrity",
    "fingerprint",
    "commit",
    "etag",
    "public",
    "publishable",
    "pub",
    "anon",
    "csrf",
    "xsrf",
    "nonce",
    "page",
    "cursor",
    "max",
    "min",
    "type",
    "tokenizer",
    "tokenizers",
    "url",
    "uri",
    "endpoint",
    "path",
    "file",
    "filename",
    "name",
    "label",
    "placeholder",
    "header",
    "prefix",
    "length",
    "len",
    "count",
    "expiry",
    "expires",
    "expiration",
    "ttl",
    "timeout",
    "field",
    "mock",
    "dummy",
    "fake",
    "example",
    "sample",
    "address",
    "addr",
    "mint",
    "contract",
    "pubkey",
    "format",
    "pattern",
    "regex",
    "id",
    "ids",
    "site",
    "input",
    "param",
    "limit",
    "version",
    "usage",
    "cache",
    "storage",
    "method",
    "mode",
    "kind",
    "enabled",
    "required",
    "error",
    "message",
    "msg",
    "text",
    "title",
    "description",
    "hint",
    "validation",
    "policy",
    "strength",
    "confirm",
    "confirmation",
    "current",
    "old",
    "new",
    "reset",
    "forgot",
    "regexp",
    "color",
    "class",
    "icon",
    "i18n",
    "translation",
    "key_id",
    "keyid",
    "env",
    "var",
    "location",
    "region",
    "index",
    "size",
    "spacing",
    "ref",
    "selector",
];

fn name_words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for ch in name.chars() {
        if !ch.is_ascii_alphanumeric() {
            if !cur.is_empty() {
                words.push(std::mem::take(&mut cur));
            }
            prev_lower = false;
            continue;
        }
        if ch.is_ascii_uppercase() && prev_lower && !cur.is_empty() {
            words.push(std::mem::take(&mut cur));
        }
        prev_lower = ch.is_ascii_lowercase() || ch.is_ascii_digit();
        cur.push(ch.to_ascii_lowercase());
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    words
}

/// True when a variable name says the credential is for tests, a sandbox or a demo
/// (`TEST_API_KEY`, `BINANCE_TESTNET_SECRET`, `sandboxToken`).
pub fn name_says_test_credential(name: &str) -> bool {
    name_words(name).iter().any(|w| {
        matches!(
            w.as_str(),
            "test" | "testnet" | "sandbox" | "demo" | "testing"
        )
    })
}

/// True when a variable name says its value is not a secret (`tokenHash`, `max_tokens`,
/// `PASSWORD_MIN_LENGTH`, `publishableKey`, `csrf_token`, `SECRET_NAME`).
pub fn name_is_not_secret(name: &str) -> bool {
    name_words(name)
        .iter()
        .any(|w| NON_SECRET_NAME_WORDS.contains(&w.as_str()))
}

fn database_password_is_real(password: &[u8], user: Option<&str>, host: Option<&str>) -> bool {
    let pw = String::from_utf8_lossy(password).to_ascii_lowercase();
    const WEAK: &[&str] = &[
        "password",
        "pass",
        "passwd",
        "pwd",
        "postgres",
        "postgresql",
        "mysql",
        "root",
        "admin",
        "secret",
        "test",
        "user",
        "guest",
        "mongo",
        "mongodb",
        "redis",
        "rabbitmq",
        "default",
        "prisma",
        "docker",
        "dev",
        "local",
        "123456",
        "12345678",
        "pw",
        "p",
        "mypassword",
        "example",
        "changeit",
    ];
    if WEAK.contains(&pw.as_str())
        || pw.contains("password")
        || pw.contains("passwd")
        || pw.starts_with('$')
        || pw.starts_with('%')
    {
        return false;
    }
    if user.is_some_and(|u| u.eq_ignore_ascii_case(&pw)) {
        return false;
    }
    if let Some(h) = host {
        let h = h.to_ascii_lowercase();
        let local = h == "localhost"
            || h.starts_with("127.")
            || h == "0.0.0.0"
            || h == "[::1]"
            || h == "host.docker.internal"
            || h.ends_with(".local")
            || h.ends_with(".internal")
            || !h.contains('.');
        if local {
            return false;
        }
        let h = h.trim_end_matches('.');
        if h.contains("your")
            || ["example.com", "example.org", "example.net", "example"]
                .iter()
                .any(|e| h == *e || h.ends_with(&format!(".{e}")))
        {
            return false;
        }
    }
    true
}

fn is_managed_database_host(h: &str) -> bool {
    let h = h.to_ascii_lowercase();
    [
        "supabase.co",
        "supabase.com",
        "neon.tech",
        "psdb.cloud",
        "planetscale",
        "rds.amazonaws.com",
        "mongodb.net",
        "upstash.io",
        "aivencloud.com",
        "render.com",
        "railway",
        "cockroachlabs.cloud",
        "azure.com",
        "cloud.redislabs.com",
        "turso.io",
        "prisma.io",
        "xata.sh",
        "tembo.io",
        "database.windows.net",
        "cloudsql",
        "elephantsql",
        "timescale",
    ]
    .iter()
    .any(|s| h.contains(s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_words_split_camel_and_snake() {
        assert_eq!(name_words("maxTokens"), vec!["max", "tokens"]);
        assert_eq!(
            name_words("PASSWORD_MIN_LENGTH"),
            vec!["password", "min", "length"]
        );
        assert!(name_is_not_secret("csrfToken"));
        assert!(name_is_not_secret("NEXT_PUBLIC_SUPABASE_ANON_KEY"));
        assert!(!name_is_not_secret("STRIPE_SECRET_KEY"));
        assert!(!name_is_not_secret("sharedSecret"));
    }

    #[test]
    fn database_passwords() {
        assert!(!database_password_is_real(
            b"postgres",
            Some("postgres"),
            Some("localhost")
        ));
        assert!(!database_password_is_real(
            b"Zq8xK2mP9",
            Some("app"),
            Some("db")
        ));
        assert!(database_password_is_real(
            b"Zq8xK2mP9w",
            Some("postgres"),
            Some("db.abcd.supabase.co")
        ));
        assert!(is_managed_database_host(
            "ep-cool-1.us-east-2.aws.neon.tech"
        ));
    }
}
