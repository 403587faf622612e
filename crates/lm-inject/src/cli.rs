//! Command line of `lm-inject`.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::{CommandFactory, Parser};
use globset::{Glob, GlobSet, GlobSetBuilder};
use lm_core::cli::InputArgs;
use lm_core::config::Config;
use lm_core::filter::Handler;
use lm_core::jsonl::Line;
use lm_core::{
    Diagnostic, DiagnosticLevel, Fact, FactData, FileRecord, Record, RecordType, Role, Summary,
};

use crate::rules::{judge, Context};
use crate::settings::InjectSettings;

/// Report cross-site scripting, SQL injection and log injection: request and stored
/// data reaching HTML, SQL and log sinks without a sanitiser.
///
/// Reads records (from lm-parse) on standard input, writes every record back unchanged,
/// and after each `sink` fact that deserves one, a `finding` (`inject.xss`, `inject.sql`,
/// `inject.log`). Uses the `input`/`sink` facts only; it never reads source files.
/// Settings come from the `[inject]` section of `.lm.toml` at the scan root.
#[derive(Debug, Parser)]
#[command(name = "lm-inject", version, about, long_about = None)]
pub struct Args {
    #[command(flatten)]
    input: InputArgs,

    /// Configuration file (default: `.lm.toml` at the scan root named by the file records).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,

    /// Report in test files too (as `info`).
    #[arg(long)]
    include_tests: bool,

    /// Also report SQL text and HTML built from values of untraced origin (as `info`).
    #[arg(long)]
    audit: bool,
}

/// The clap command (for completions and man pages).
pub fn command() -> clap::Command {
    Args::command()
}

/// The filter: turns sink facts into findings.
pub struct InjectHandler {
    explicit_config: Option<PathBuf>,
    loaded: bool,
    settings: InjectSettings,
    exclude: Option<GlobSet>,
    roles: HashMap<String, Role>,
    handlers: HashMap<String, HashSet<String>>,
    seen: HashMap<String, u32>,
    logged: HashSet<String>,
    sinks: u64,
    findings: u64,
    started: Instant,
}

impl InjectHandler {
    /// A handler; `config` names the configuration file, else it is looked for at the
    /// scan root of the first file record.
    pub fn new(config: Option<PathBuf>, include_tests: bool, audit: bool) -> Self {
        InjectHandler {
            explicit_config: config,
            loaded: false,
            settings: InjectSettings {
                include_tests,
                audit,
                ..Default::default()
            },
            exclude: None,
            roles: HashMap::new(),
            handlers: HashMap::new(),
            seen: HashMap::new(),
            logged: HashSet::new(),
            sinks: 0,
            findings: 0,
            started: Instant::now(),
        }
    }

    /// Loads the configuration (once): the explicit file, else `<root>/.lm.toml`.
    fn load_config(&mut self, root: Option<&Path>) -> lm_core::Result<()> {
        if self.loaded {
            return Ok(());
        }
        self.loaded = true;
        let config = Config::load(self.explicit_config.as_deref(), root)?;
        let (include_tests, audit) = (self.settings.include_tests, self.settings.audit);
        self.settings = config.section("inject")?;
        self.settings.include_tests |= include_tests;
        self.settings.audit |= audit;
        let paths = config.paths()?;
        if !paths.exclude.is_empty() {
            let mut b = GlobSetBuilder::new();
            for g in &paths.exclude {
                let glob = Glob::new(g).map_err(|e| lm_core::Error::Config {
                    path: config.path().map(Path::to_path_buf).unwrap_or_default(),
                    reason: format!("[paths] exclude `{g}`: {e}"),
                })?;
                b.add(glob);
            }
            self.exclude = b.build().ok();
        }
        Ok(())
    }

    fn on_fact(&mut self, fact: Fact) -> Option<Record> {
        match &fact.data {
            FactData::Route(r) => {
                if let Some(scope) = &r.handler_scope {
                    self.handlers
                        .entry(fact.path.clone())
                        .or_default()
                        .insert(scope.clone());
                }
                None
            }
            FactData::Sink(sink) => {
                self.sinks += 1;
                if self
                    .exclude
                    .as_ref()
                    .is_some_and(|g| g.is_match(&fact.path))
                {
                    return None;
                }
                let role = self.roles.get(&fact.path).copied().unwrap_or(Role::Other);
                let test = role == Role::Test;
                if test && !self.settings.include_tests {
                    return None;
                }
                let in_handler = fact.scope.as_ref().is_some_and(|s| {
                    self.handlers
                        .get(&fact.path)
                        .is_some_and(|set| set.contains(s))
                });
                let cx = Context {
                    in_handler,
                    client: role.browser_visible(),
                    test,
                    settings: Some(&self.settings),
                };
                let mut finding = judge(&fact, sink, &cx)?;
                // One log finding per function and source: the fix is the same for
                // every log line of that value.
                if finding.rule == "inject.log" {
                    let key = format!(
                        "{}\u{0}{}\u{0}{}",
                        fact.path,
                        fact.scope.as_deref().unwrap_or(""),
                        sink.source_expr.as_deref().unwrap_or("")
                    );
                    if !self.logged.insert(key) {
                        return None;
                    }
                }
                // Same rule, file, sink and source twice: number the later ones so
                // fingerprints stay unique and stable.
                let n = self.seen.entry(finding.fingerprint.clone()).or_insert(0);
                *n += 1;
                if *n > 1 {
                    finding.fingerprint =
                        lm_core::fingerprint::fingerprint(&[&finding.fingerprint, &n.to_string()]);
                }
                self.findings += 1;
                Some(Record::Finding(finding))
            }
            _ => None,
        }
    }
}

impl Handler for InjectHandler {
    fn batch(&mut self, input: &str, lines: &[Line]) -> lm_core::Result<Vec<Vec<Record>>> {
        let mut out: Vec<Vec<Record>> = Vec::with_capacity(lines.len());
        for line in lines {
            let mut recs = Vec::new();
            match line.rtype {
                RecordType::File => {
                    if let Ok(file) = line.parse::<FileRecord>(input) {
                        if !self.loaded {
                            let root = PathBuf::from(&file.root);
                            self.load_config(Some(&root))?;
                        }
                        self.roles.insert(file.path, file.role);
                    }
                }
                RecordType::Fact => {
                    // Only sink and route facts matter; skip parsing the rest.
                    let t = &line.text;
                    if t.contains("\"sink\"") || t.contains("\"route\"") {
                        if !self.loaded {
                            self.load_config(None)?;
                        }
                        match line.parse::<Fact>(input) {
                            Ok(fact) => recs.extend(self.on_fact(fact)),
                            Err(e) => recs.push(Record::Diagnostic(
                                Diagnostic::new(
                                    DiagnosticLevel::Warning,
                                    "lm-inject",
                                    "malformed-input",
                                    format!("fact not understood, skipped: {e}"),
                                )
                                .with_line(line.number),
                            )),
                        }
                    }
                }
                _ => {}
            }
            out.push(recs);
        }
        Ok(out)
    }

    fn finish(&mut self) -> lm_core::Result<Vec<Record>> {
        let counts = [
            ("sinks".to_string(), self.sinks),
            ("findings".to_string(), self.findings),
        ]
        .into_iter()
        .collect();
        Ok(vec![Record::Summary(Summary {
            stage: "lm-inject".into(),
            counts,
            elapsed_ms: Some(self.started.elapsed().as_millis() as u64),
        })])
    }
}

/// Entry point of the binary.
pub fn main() -> std::process::ExitCode {
    lm_core::cli::main_wrapper("lm-inject", || {
        let args = Args::parse();
        let mut handler = InjectHandler::new(args.config, args.include_tests, args.audit);
        if handler.explicit_config.is_some() {
            handler.load_config(None)?;
        }
        lm_core::cli::run_filter("lm-inject", &args.input, &mut handler)?;
        Ok(lm_core::cli::EXIT_OK)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use lm_core::filter::{run, RunOptions};
    use lm_core::jsonl::{RecordReader, RecordWriter};

    fn run_on(input: &str) -> Vec<serde_json::Value> {
        let mut reader = RecordReader::new(input.as_bytes(), "<t>", false);
        let mut out = Vec::new();
        {
            let mut writer = RecordWriter::new(&mut out);
            let mut h = InjectHandler::new(None, false, false);
            h.loaded = true;
            run(
                &mut reader,
                &mut writer,
                &RunOptions::new("lm-inject"),
                &mut h,
            )
            .unwrap();
        }
        String::from_utf8(out)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    const FILE: &str =
        r#"{"type":"file","path":"api/users.js","root":".","size":10,"role":"server"}"#;
    const ROUTE: &str = r#"{"type":"fact","path":"api/users.js","line":3,"end_line":9,"scope":"L3-L9","kind":"route","framework":"express","methods":["GET"],"pattern":"/users","handler_scope":"L3-L9"}"#;
    const SINK: &str = r#"{"type":"fact","path":"api/users.js","line":5,"end_line":5,"column":3,"scope":"L3-L9","kind":"sink","sink":"sql","api":"pool.query","source":"request","source_expr":"req.query.q","via":["template literal"],"expr":"`select ${q}`"}"#;

    #[test]
    fn passes_through_and_reports_after_the_sink() {
        let input = format!("{FILE}\n{ROUTE}\n{SINK}\n{{\"type\":\"other\",\"x\":1}}\n");
        let out = run_on(&input);
        assert_eq!(out.len(), 6);
        assert_eq!(out[2]["kind"], "sink");
        assert_eq!(out[3]["type"], "finding");
        assert_eq!(out[3]["rule"], "inject.sql");
        assert_eq!(out[3]["severity"], "critical");
        assert_eq!(out[3]["line"], 5);
        assert_eq!(out[4]["type"], "other");
        assert_eq!(out[5]["type"], "summary");
        assert_eq!(out[5]["counts"]["findings"], 1);
    }

    #[test]
    fn test_files_are_skipped_and_duplicates_get_distinct_fingerprints() {
        let test_file = FILE.replace("\"server\"", "\"test\"");
        let out = run_on(&format!("{test_file}\n{SINK}\n"));
        assert!(out.iter().all(|r| r["type"] != "finding"));
        let out = run_on(&format!("{FILE}\n{SINK}\n{SINK}\n"));
        let fps: Vec<&str> = out
            .iter()
            .filter(|r| r["type"] == "finding")
            .map(|r| r["fingerprint"].as_str().unwrap())
            .collect();
        assert_eq!(fps.len(), 2);
        assert_ne!(fps[0], fps[1]);
        // outside a known handler: high, not critical
        assert_eq!(out[2]["severity"], "high");
    }

    #[test]
    fn log_findings_are_grouped_per_function_and_source() {
        let log = SINK
            .replace("\"sql\"", "\"log\"")
            .replace("pool.query", "console.log");
        let other = log.replace("req.query.q", "req.body.name");
        let out = run_on(&format!("{FILE}\n{log}\n{log}\n{other}\n"));
        let n = out.iter().filter(|r| r["type"] == "finding").count();
        assert_eq!(n, 2);
    }

    #[test]
    fn malformed_sink_facts_become_diagnostics() {
        let bad = r#"{"type":"fact","kind":"sink","path":3}"#;
        let out = run_on(&format!("{bad}\n"));
        assert_eq!(out[1]["type"], "diagnostic");
        assert_eq!(out[1]["line"], 1);
    }
}
