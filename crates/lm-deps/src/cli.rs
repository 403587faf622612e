//! Command line of `lm-deps`.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::{CommandFactory, Parser};
use globset::{Glob, GlobSet, GlobSetBuilder};
use lm_core::cli::InputArgs;
use lm_core::filter::Handler;
use lm_core::jsonl::Line;
use lm_core::record::RecordType;
use lm_core::{Diagnostic, DiagnosticLevel, FileRecord, Record, Role, Summary};
use rayon::prelude::*;

use crate::audit::{audit, Options, Project};
use crate::config::{DepsConfig, IsoDate};
use crate::model::{Ecosystem, Source};
use crate::osv::Database;
use crate::parse::{parse, Format};

const STAGE: &str = "lm-deps";
/// Files larger than this are not read.
const MAX_FILE: u64 = 256 * 1024 * 1024;

/// Audits dependency manifests and lockfiles: known advisories (offline OSV database),
/// lockfile drift, unpinned, unknown and typosquatted packages, install scripts and
/// version conflicts. Reads `file` records, passes every record through, and appends
/// `finding`, `diagnostic` and `summary` records.
#[derive(Debug, Parser)]
#[command(name = "lm-deps", version, about, long_about = None)]
pub struct Args {
    #[command(flatten)]
    input: InputArgs,

    /// OSV database: a folder of OSV JSON files, or osv-scanner's offline layout
    /// (`<ecosystem>/all.zip`), or one such zip. Defaults to the LM_OSV_DB environment
    /// variable; without either (or with an empty one) known advisories are not checked.
    #[arg(long, value_name = "PATH")]
    db: Option<PathBuf>,

    /// Ask the npm and PyPI registries whether dependency names exist (network; 5 s
    /// timeouts; answers cached; registry URLs from LM_NPM_REGISTRY and LM_PYPI_URL,
    /// default the public registries).
    #[arg(long)]
    online: bool,

    /// Cache file for `--online` answers.
    #[arg(long, value_name = "FILE")]
    cache: Option<PathBuf>,

    /// Configuration file (default: `.lm.toml` at the scanned root).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
}

/// The clap command (for completions and man pages).
pub fn command() -> clap::Command {
    Args::command()
}

struct DepFile {
    rec: FileRecord,
    format: Format,
}

/// What `.lm.toml` asks of this stage.
#[derive(Default)]
struct Settings {
    /// `[deps]`.
    deps: DepsConfig,
    /// `[paths] exclude`: no finding is reported in these files.
    exclude: Option<GlobSet>,
}

impl Settings {
    /// Loads `explicit` (which must exist), else `<root>/.lm.toml` when present. A file
    /// that is not TOML, a bad `[deps]` or a bad `[paths]` is an error naming the file.
    fn load(explicit: Option<&Path>, root: &Path) -> lm_core::Result<Settings> {
        let config = lm_core::config::Config::load(explicit, Some(root))?;
        let deps = DepsConfig::load(&config)?;
        let globs = config.paths()?.exclude;
        let exclude = if globs.is_empty() {
            None
        } else {
            let bad = |reason: String| lm_core::Error::Config {
                path: config
                    .path()
                    .map(Path::to_path_buf)
                    .unwrap_or_else(|| PathBuf::from(lm_core::config::FILE_NAME)),
                reason,
            };
            let mut b = GlobSetBuilder::new();
            for g in &globs {
                b.add(Glob::new(g).map_err(|e| bad(format!("[paths] exclude `{g}`: {e}")))?);
            }
            Some(
                b.build()
                    .map_err(|e| bad(format!("[paths] exclude: {e}")))?,
            )
        };
        Ok(Settings { deps, exclude })
    }

    /// True when findings in `path` (relative to the scan root) are not reported.
    fn excluded(&self, path: &str) -> bool {
        self.exclude.as_ref().is_some_and(|g| g.is_match(path))
    }
}

struct DepsHandler {
    args: Args,
    files: Vec<DepFile>,
    /// Loaded from `--config` at start, else at the first `file` record's root, else
    /// (no `file` record) from the working directory at the end.
    settings: Option<Settings>,
    started: Instant,
}

impl DepsHandler {
    /// A handler; a `--config` file is read (and checked) at once.
    fn new(args: Args) -> lm_core::Result<DepsHandler> {
        let mut h = DepsHandler {
            args,
            files: Vec::new(),
            settings: None,
            started: Instant::now(),
        };
        if h.args.config.is_some() {
            h.load_settings(Path::new("."))?;
        }
        Ok(h)
    }

    fn load_settings(&mut self, root: &Path) -> lm_core::Result<()> {
        if self.settings.is_none() {
            self.settings = Some(Settings::load(self.args.config.as_deref(), root)?);
        }
        Ok(())
    }
}

impl Handler for DepsHandler {
    fn batch(&mut self, input: &str, lines: &[Line]) -> lm_core::Result<Vec<Vec<Record>>> {
        for l in lines.iter().filter(|l| l.rtype == RecordType::File) {
            let Ok(rec) = l.parse::<FileRecord>(input) else {
                continue;
            };
            // Before anything of this batch is written, so a bad file stops the stage
            // with nothing passed on.
            self.load_settings(Path::new(&rec.root))?;
            if !matches!(rec.role, Role::Manifest | Role::Lockfile) {
                continue;
            }
            let Some(format) = Format::detect(&rec.path) else {
                continue;
            };
            self.files.push(DepFile { rec, format });
        }
        Ok(Vec::new())
    }

    fn finish(&mut self) -> lm_core::Result<Vec<Record>> {
        self.load_settings(Path::new("."))?;
        Ok(self.run())
    }
}

fn diag(
    level: DiagnosticLevel,
    code: &str,
    msg: String,
    path: Option<&str>,
    line: Option<u64>,
) -> Record {
    let mut d = Diagnostic::new(level, STAGE, code, msg);
    d.path = path.map(str::to_string);
    d.line = line;
    Record::Diagnostic(d)
}

fn read_text(path: &Path) -> Result<(String, bool), String> {
    let meta = std::fs::metadata(path).map_err(|e| e.to_string())?;
    if meta.len() > MAX_FILE {
        return Err(format!(
            "larger than {} MiB, not read",
            MAX_FILE / 1024 / 1024
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
    match String::from_utf8(bytes) {
        Ok(s) => Ok((s, true)),
        Err(e) => Ok((String::from_utf8_lossy(e.as_bytes()).into_owned(), false)),
    }
}

impl DepsHandler {
    fn run(&mut self) -> Vec<Record> {
        let mut out = Vec::new();
        let mut settings = self.settings.take().unwrap_or_default();
        // Read and parse every file in parallel.
        let parsed: Vec<(crate::parse::Parsed, Vec<Record>)> = self
            .files
            .par_iter()
            .map(|f| {
                let mut diags = Vec::new();
                let fs = f.rec.fs_path();
                if f.format == Format::BunLockb {
                    diags.push(diag(DiagnosticLevel::Info, "unsupported-format", "bun.lockb is binary and is not read; run `bun install --save-text-lockfile` to get bun.lock".into(), Some(&f.rec.path), None));
                    return (parse(f.format, &f.rec.path, "", &mut |_| None), diags);
                }
                let text = match read_text(&fs) {
                    Ok((t, utf8)) => {
                        if !utf8 {
                            diags.push(diag(DiagnosticLevel::Warning, "invalid-utf8", "not valid UTF-8; invalid bytes replaced".into(), Some(&f.rec.path), None));
                        }
                        t
                    }
                    Err(e) => {
                        diags.push(diag(DiagnosticLevel::Warning, "unreadable", format!("cannot read: {e}"), Some(&f.rec.path), None));
                        return (crate::parse::Parsed::default(), diags);
                    }
                };
                let base = PathBuf::from(&f.rec.root);
                let mut read = |rel: &str| read_text(&base.join(rel)).ok().map(|(t, _)| t);
                let p = parse(f.format, &f.rec.path, &text, &mut read);
                for (path, issue) in &p.issues {
                    diags.push(diag(DiagnosticLevel::Warning, "parse-error", issue.message.clone(), Some(path), issue.line));
                }
                (p, diags)
            })
            .collect();
        let mut project = Project::default();
        let mut seen_manifests = HashSet::new();
        for (p, diags) in parsed {
            out.extend(diags);
            for m in p.manifests {
                // A requirements file included by several others is read once.
                if seen_manifests.insert(m.path.clone()) {
                    project.manifests.push(m);
                }
            }
            project.lockfiles.extend(p.lockfiles);
        }
        project.manifests.sort_by(|a, b| a.path.cmp(&b.path));
        project.lockfiles.sort_by(|a, b| a.path.cmp(&b.path));

        let today = IsoDate::today();
        let mut counts: BTreeMap<String, u64> = BTreeMap::new();
        // Advisories.
        let mut db_holder = None;
        let db_path = self.args.db.clone().or_else(|| {
            std::env::var_os("LM_OSV_DB")
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        });
        match db_path.as_ref().filter(|p| !p.as_os_str().is_empty()) {
            Some(path) if !self.files.is_empty() => {
                let mut wanted: HashSet<(Ecosystem, String)> = HashSet::new();
                for l in &project.lockfiles {
                    if let Some(e) = l.ecosystem {
                        wanted.extend(
                            l.packages
                                .iter()
                                .filter(|p| p.registry)
                                .map(|p| (e, e.normalise(&p.name))),
                        );
                    }
                }
                for m in project
                    .manifests
                    .iter()
                    .filter(|m| m.format == "requirements.txt")
                {
                    wanted.extend(
                        m.deps
                            .iter()
                            .map(|d| (Ecosystem::PyPI, crate::model::normalise_pypi(&d.name))),
                    );
                }
                match Database::load(path, &wanted) {
                    Ok(db) => {
                        counts.insert("osv_entries_scanned".into(), db.stats.scanned);
                        counts.insert("osv_entries_parsed".into(), db.stats.parsed);
                        counts.insert("osv_package_advisories".into(), db.len() as u64);
                        counts.insert("osv_index_used".into(), u64::from(db.stats.index_used));
                        counts.insert("osv_index_built".into(), u64::from(db.stats.index_built));
                        if db.stats.invalid > 0 {
                            out.push(diag(
                                DiagnosticLevel::Warning,
                                "osv-invalid",
                                format!(
                                    "{} OSV entries in {} could not be parsed and were skipped",
                                    db.stats.invalid,
                                    path.display()
                                ),
                                None,
                                None,
                            ));
                        }
                        db_holder = Some(db);
                    }
                    Err(e) => out.push(diag(
                        DiagnosticLevel::Error,
                        "osv-db",
                        format!("{e}; known-advisory check skipped"),
                        None,
                        None,
                    )),
                }
            }
            None if !self.files.is_empty() => out.push(diag(
                DiagnosticLevel::Info,
                "no-advisory-db",
                "no OSV database given (--db PATH or LM_OSV_DB): known advisories were not checked"
                    .into(),
                None,
                None,
            )),
            _ => {}
        }
        // Registry existence.
        let mut exists = std::collections::HashMap::new();
        if self.args.online {
            let mut oo = crate::online::OnlineOptions::from_env(today.to_string());
            if let Some(c) = &self.args.cache {
                oo.cache = Some(c.clone());
            }
            let mut names: Vec<(Ecosystem, String)> = project
                .manifests
                .iter()
                .filter(|m| matches!(m.ecosystem, Some(Ecosystem::Npm | Ecosystem::PyPI)))
                .flat_map(|m| {
                    m.deps
                        .iter()
                        .filter(|d| d.source == Source::Registry)
                        .map(move |d| {
                            (
                                m.ecosystem.unwrap_or(Ecosystem::Npm),
                                m.ecosystem
                                    .unwrap_or(Ecosystem::Npm)
                                    .normalise(&d.real_name),
                            )
                        })
                })
                .collect();
            names.sort();
            names.dedup();
            let r = crate::online::check(&oo, &names);
            counts.insert("registry_requests".into(), r.requests);
            counts.insert("registry_cached".into(), r.cached);
            if let Some(why) = r.offline {
                eprintln!("{STAGE}: {why}");
                out.push(diag(DiagnosticLevel::Warning, "offline", why, None, None));
            }
            exists = r.exists;
        }
        let opts = Options {
            db: db_holder.as_ref(),
            config: std::mem::take(&mut settings.deps),
            today,
            exists,
        };
        let mut outcome = audit(&mut project, &opts);
        let found = outcome.findings.len();
        outcome.findings.retain(|f| !settings.excluded(&f.path));
        counts.insert("excluded".into(), (found - outcome.findings.len()) as u64);
        counts.insert("manifests".into(), project.manifests.len() as u64);
        counts.insert("lockfiles".into(), project.lockfiles.len() as u64);
        counts.insert(
            "locked_packages".into(),
            project
                .lockfiles
                .iter()
                .map(|l| l.packages.len() as u64)
                .sum(),
        );
        counts.insert("pairs".into(), outcome.pairs);
        counts.insert("findings".into(), outcome.findings.len() as u64);
        counts.insert("ignored".into(), outcome.ignored);
        out.extend(outcome.findings.into_iter().map(Record::Finding));
        out.push(Record::Summary(Summary {
            stage: STAGE.into(),
            counts,
            elapsed_ms: Some(self.started.elapsed().as_millis() as u64),
        }));
        out
    }
}

/// Runs the stage on `input`, writing to `output`, with command-line `args` (the first
/// being the program name). Used by tests and embedders.
pub fn run_stream<R: std::io::BufRead, W: std::io::Write, I, T>(
    args: I,
    input: R,
    output: W,
) -> anyhow::Result<()>
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let args = Args::try_parse_from(args)?;
    let mut h = DepsHandler::new(args)?;
    let mut reader = lm_core::jsonl::RecordReader::new(input, "<input>", false);
    let mut writer = lm_core::jsonl::RecordWriter::new(output);
    lm_core::filter::run(
        &mut reader,
        &mut writer,
        &lm_core::filter::RunOptions::new(STAGE),
        &mut h,
    )?;
    Ok(())
}

/// Entry point of the binary.
pub fn main() -> std::process::ExitCode {
    lm_core::cli::main_wrapper(STAGE, || {
        let args = Args::parse();
        let input = args.input.clone();
        let mut h = DepsHandler::new(args)?;
        lm_core::cli::run_filter(STAGE, &input, &mut h)?;
        Ok(lm_core::cli::EXIT_OK)
    })
}
