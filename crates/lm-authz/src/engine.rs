//! The filter: buffers `file` and `fact` records, judges everything at the end.

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Instant;

use lm_core::config::Config;
use lm_core::filter::Handler;
use lm_core::jsonl::Line;
use lm_core::{
    Diagnostic, DiagnosticLevel, Fact, FileRecord, Finding, Record, RecordType, Role, Summary,
};
use rayon::prelude::*;

use crate::config::Settings;
use crate::index::Index;
use crate::rules::Ctx;

/// The stage name used in diagnostics and summaries.
pub const STAGE: &str = "lm-authz";

/// Judges a set of facts (the library entry point; the filter calls it at the end).
pub fn analyze(
    facts: Vec<Fact>,
    roles: HashMap<String, Role>,
    settings: &Settings,
) -> Vec<Finding> {
    let ix = Index::new(facts, roles);
    Ctx::new(&ix, settings).run()
}

enum Parsed {
    Nothing,
    File(String, Role, String),
    Fact(Box<Fact>),
    Bad(String),
}

/// The `lm-authz` filter handler.
pub struct AuthzHandler {
    /// Print how each route was judged on standard error.
    pub explain: bool,
    config: Option<PathBuf>,
    settings: Option<Settings>,
    facts: Vec<Fact>,
    roles: HashMap<String, Role>,
    started: Instant,
}

impl AuthzHandler {
    /// A handler reading configuration from `config` (else `<root>/.lm.toml`).
    pub fn new(config: Option<PathBuf>) -> AuthzHandler {
        AuthzHandler {
            explain: false,
            config,
            settings: None,
            facts: Vec::new(),
            roles: HashMap::new(),
            started: Instant::now(),
        }
    }

    fn load_settings(&mut self, root: Option<&std::path::Path>) -> lm_core::Result<()> {
        if self.settings.is_some() {
            return Ok(());
        }
        let loaded = Config::load(self.config.as_deref(), root)
            .map_err(anyhow::Error::from)
            .and_then(|c| Settings::from_config(&c));
        match loaded {
            Ok(s) => {
                self.settings = Some(s);
                Ok(())
            }
            Err(e) => Err(lm_core::Error::Config {
                path: self
                    .config
                    .clone()
                    .or_else(|| root.map(|r| r.join(lm_core::config::FILE_NAME)))
                    .unwrap_or_else(|| PathBuf::from(lm_core::config::FILE_NAME)),
                reason: format!("{e:#}"),
            }),
        }
    }
}

fn parse_line(input: &str, line: &Line) -> Parsed {
    match line.rtype {
        RecordType::File => match line.parse::<FileRecord>(input) {
            Ok(f) => Parsed::File(f.path, f.role, f.root),
            Err(e) => Parsed::Bad(e.to_string()),
        },
        RecordType::Fact => match line.parse::<Fact>(input) {
            Ok(f) => Parsed::Fact(Box::new(f)),
            Err(e) => {
                let msg = e.to_string();
                if msg.contains("unknown variant") {
                    // A fact kind newer than this stage: ignore it.
                    Parsed::Nothing
                } else {
                    Parsed::Bad(msg)
                }
            }
        },
        _ => Parsed::Nothing,
    }
}

impl Handler for AuthzHandler {
    fn batch(&mut self, input: &str, lines: &[Line]) -> lm_core::Result<Vec<Vec<Record>>> {
        let parsed: Vec<Parsed> = if lines.len() >= 64 {
            lines.par_iter().map(|l| parse_line(input, l)).collect()
        } else {
            lines.iter().map(|l| parse_line(input, l)).collect()
        };
        let mut out: Vec<Vec<Record>> = Vec::new();
        for (k, p) in parsed.into_iter().enumerate() {
            match p {
                Parsed::Nothing => {}
                Parsed::File(path, role, root) => {
                    if self.settings.is_none() {
                        let root = PathBuf::from(root);
                        self.load_settings(Some(&root))?;
                    }
                    self.roles.insert(path, role);
                }
                Parsed::Fact(f) => self.facts.push(*f),
                Parsed::Bad(reason) => {
                    if out.is_empty() {
                        out = vec![Vec::new(); lines.len()];
                    }
                    out[k].push(Record::Diagnostic(
                        Diagnostic::new(
                            DiagnosticLevel::Warning,
                            STAGE,
                            "malformed-input",
                            format!("{reason}; record passed through, not judged"),
                        )
                        .with_line(lines[k].number),
                    ));
                }
            }
        }
        Ok(out)
    }

    fn finish(&mut self) -> lm_core::Result<Vec<Record>> {
        self.load_settings(None)?;
        let settings = self.settings.take().unwrap_or_default();
        let facts = std::mem::take(&mut self.facts);
        let n_facts = facts.len() as u64;
        let roles = std::mem::take(&mut self.roles);
        let ix = Index::new(facts, roles);
        let ctx = Ctx::new(&ix, &settings);
        let routes = ctx.views.len() as u64;
        if self.explain {
            for v in &ctx.views {
                eprintln!(
                    "lm-authz: {} ({}:{}): auth {:?}; role {}; rate limit {}; public {}; {} facts reached",
                    v.label,
                    v.fact.path,
                    v.fact.line,
                    v.auth,
                    v.role.as_deref().unwrap_or("none"),
                    v.rate_limit.as_deref().unwrap_or("none"),
                    v.public.as_deref().unwrap_or("no"),
                    v.reach.facts.len()
                );
            }
        }
        let tables = ctx.schema.tables.len() as u64;
        let findings = ctx.run();
        let mut counts = std::collections::BTreeMap::new();
        counts.insert("facts".to_string(), n_facts);
        counts.insert("routes".to_string(), routes);
        counts.insert("tables".to_string(), tables);
        counts.insert("findings".to_string(), findings.len() as u64);
        let mut out: Vec<Record> = findings.into_iter().map(Record::Finding).collect();
        out.push(Record::Summary(Summary {
            stage: STAGE.to_string(),
            counts,
            elapsed_ms: Some(self.started.elapsed().as_millis() as u64),
        }));
        Ok(out)
    }
}
