//! Command line of `lm-files`.

use std::io::{IsTerminal, Read, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{sync_channel, Receiver};

use anyhow::Context as _;
use clap::{ArgAction, CommandFactory, Parser};
use lm_core::jsonl::RecordWriter;
use lm_core::{Record, Summary};

use crate::classify::{Classifier, Item, Settings, SniffMode, STAGE};
use crate::size::parse_size;
use crate::walk::{self, WalkOptions};

/// Default `--max-filesize`.
pub const DEFAULT_MAX_FILESIZE: &str = "8M";

/// Lists the files of a source tree as `file` records (JSON Lines): path, language, size,
/// binary flag and role (client, server, migration, config...).
#[derive(Debug, Parser)]
#[command(
    name = "lm-files",
    version,
    about = "List the files of a source tree as `file` records: language, size, binary flag and role",
    long_about = "List the files of a source tree as `file` records (JSON Lines): path, language, \
size, binary flag, and the file's role in the app (client, server, shared, migration, manifest, \
lockfile, test, config, build-output, docs, other) with the reason for it.\n\n\
Honours .gitignore (also outside git repositories), .ignore and .lmignore; never walks .git/. \
Files git tracks are listed even when a .gitignore rule matches them (read from .git/index). \
Hidden files are skipped unless --hidden, except .env*, .dev.vars, .npmrc, .yarnrc(.yml), \
.github/ and .gitlab-ci.yml, which an audit must see. Files over --max-filesize, unreadable \
paths and symbolic link loops become `diagnostic` records. A `summary` record ends the output.",
    after_help = "Examples:\n  lm-files . | lm-parse | lm-report\n  git ls-files -z | lm-files --stdin -0\n  lm-files --no-ignore --hidden --max-filesize 50M apps/web"
)]
pub struct Args {
    /// Directories (or files) to list; paths in records are relative to each.
    #[arg(value_name = "ROOT", default_value = ".")]
    pub roots: Vec<PathBuf>,

    /// Also walk hidden files and directories (names starting with `.`).
    #[arg(long, short = 'H')]
    pub hidden: bool,

    /// Do not honour .gitignore, .ignore, .lmignore or git excludes.
    #[arg(long)]
    pub no_ignore: bool,

    /// Follow symbolic links (loops are reported as `symlink-loop` diagnostics).
    #[arg(long, short = 'L')]
    pub follow: bool,

    /// Skip files larger than SIZE (bytes, or with a unit: 512K, 10M, 1G), reporting each as
    /// a `too-large` diagnostic.
    #[arg(long, value_name = "SIZE", default_value = DEFAULT_MAX_FILESIZE, value_parser = parse_size)]
    pub max_filesize: u64,

    /// Sort records by root (in the order given) then path bytes. Default: on when
    /// standard output is not a terminal.
    #[arg(long, overrides_with = "no_sort")]
    pub sort: bool,

    /// Stream records in the order the parallel walk finds them.
    #[arg(long, overrides_with = "sort")]
    pub no_sort: bool,

    /// Read the paths to list from standard input (one per line) instead of walking;
    /// paths are relative to the current directory (root `.`).
    #[arg(long, conflicts_with = "roots")]
    pub stdin: bool,

    /// With --stdin: paths are separated by NUL bytes (`git ls-files -z`, `find -print0`).
    #[arg(short = '0', long = "null", requires = "stdin")]
    pub null: bool,

    /// When to read a file's first 8 KiB: `auto` reads only files whose record depends on
    /// their content (unknown names, directive-sensitive modules, client `.js` files,
    /// files not readable by everyone); `all` reads every file (exact binary flags).
    #[arg(long, value_enum, default_value_t = SniffMode::Auto, value_name = "WHEN")]
    pub sniff: SniffMode,

    /// Worker threads (default: one per core).
    #[arg(long, short = 'j', value_name = "N", default_value_t = 0)]
    pub threads: usize,

    /// Do not write the final `summary` record.
    #[arg(long, action = ArgAction::SetTrue)]
    pub no_summary: bool,
}

/// The clap command (for completions and man pages).
pub fn command() -> clap::Command {
    Args::command()
}

/// Entry point of the binary.
pub fn main() -> std::process::ExitCode {
    lm_core::cli::main_wrapper(STAGE, || {
        let args = Args::parse();
        run(&args, std::io::stdout().lock())?;
        Ok(lm_core::cli::EXIT_OK)
    })
}

/// Runs `lm-files` with `args`, writing records to `out`.
pub fn run<W: Write>(args: &Args, out: W) -> anyhow::Result<()> {
    let sort = if args.sort {
        true
    } else if args.no_sort {
        false
    } else {
        !std::io::stdout().is_terminal()
    };
    let settings = Settings {
        max_filesize: args.max_filesize,
        sniff: args.sniff,
    };
    let opts = WalkOptions {
        hidden: args.hidden,
        no_ignore: args.no_ignore,
        follow: args.follow,
        threads: args.threads,
    };

    // Roots: directories are walked; files (and --stdin paths) are listed as given,
    // relative to the current directory.
    let mut dirs: Vec<Classifier> = Vec::new();
    let mut files: Vec<PathBuf> = Vec::new();
    if args.stdin {
        files = read_path_list(args.null)?;
    } else {
        for root in &args.roots {
            let meta = std::fs::metadata(root)
                .with_context(|| format!("cannot read root `{}`", root.display()))?;
            if meta.is_dir() {
                dirs.push(Classifier::new(
                    dirs.len(),
                    root.clone(),
                    root.to_string_lossy().into_owned(),
                    settings.clone(),
                ));
            } else {
                files.push(root.clone());
            }
        }
    }
    let n = dirs.len();
    let here = Classifier::new(n, PathBuf::from("."), ".".into(), settings.clone());
    let absolute = Classifier::new(n + 1, PathBuf::from("/"), "/".into(), settings);

    let stop = AtomicBool::new(false);
    let (tx, rx) = sync_channel::<Vec<Item>>(64);
    let mut writer = RecordWriter::new(out);
    let counts = std::thread::scope(|scope| {
        let stop = &stop;
        let (dirs, files, here, absolute, opts) = (&dirs, &files, &here, &absolute, &opts);
        scope.spawn(move || {
            if !files.is_empty() {
                walk::list(files, here, absolute, &tx);
            }
            for c in dirs {
                if stop.load(Ordering::Relaxed) {
                    break;
                }
                walk::walk(c, opts, tx.clone(), stop);
            }
        });
        let result = consume(rx, sort, &mut writer);
        if result.is_err() {
            stop.store(true, Ordering::Relaxed);
        }
        result
    })?;
    if !args.no_summary {
        let summary = Summary {
            stage: STAGE.to_string(),
            counts: [
                ("files".to_string(), counts.files),
                ("bytes".to_string(), counts.bytes),
                ("diagnostics".to_string(), counts.diagnostics),
            ]
            .into_iter()
            .collect(),
            elapsed_ms: None,
        };
        writer.write(&Record::Summary(summary))?;
    }
    writer.flush()?;
    Ok(())
}

#[derive(Debug, Default)]
struct Counts {
    files: u64,
    bytes: u64,
    diagnostics: u64,
}

impl Counts {
    fn add(&mut self, item: &Item) {
        match item.size {
            Some(size) => {
                self.files += 1;
                self.bytes += size;
            }
            None => self.diagnostics += 1,
        }
    }
}

/// Writes items as they come, or all of them sorted at the end. Consuming `rx` means it is
/// dropped on an early return (a closed pipe), which stops the walk.
fn consume<W: Write>(
    rx: Receiver<Vec<Item>>,
    sort: bool,
    writer: &mut RecordWriter<W>,
) -> anyhow::Result<Counts> {
    let mut counts = Counts::default();
    if sort {
        let mut all: Vec<Item> = Vec::new();
        for batch in rx {
            all.extend(batch);
        }
        all.sort_unstable_by(|a, b| (a.root, &a.key).cmp(&(b.root, &b.key)));
        for item in &all {
            counts.add(item);
            writer.write_raw(&item.line)?;
        }
    } else {
        for batch in rx {
            for item in &batch {
                counts.add(item);
                writer.write_raw(&item.line)?;
            }
        }
    }
    Ok(counts)
}

/// Reads the `--stdin` path list.
fn read_path_list(null: bool) -> anyhow::Result<Vec<PathBuf>> {
    let mut input = Vec::new();
    std::io::stdin()
        .lock()
        .read_to_end(&mut input)
        .context("reading paths from standard input")?;
    Ok(parse_path_list(&input, null))
}

/// Splits a path list on NUL (`null`) or newlines; empty entries are skipped and a CR
/// before a newline is dropped.
pub fn parse_path_list(input: &[u8], null: bool) -> Vec<PathBuf> {
    let sep = if null { 0 } else { b'\n' };
    input
        .split(|b| *b == sep)
        .map(|p| {
            if !null {
                p.strip_suffix(b"\r").unwrap_or(p)
            } else {
                p
            }
        })
        .filter(|p| !p.is_empty())
        .map(crate::classify::path_from_bytes)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_lists() {
        let l = parse_path_list(b"src/a.ts\r\nb c.js\n\n", false);
        assert_eq!(l, vec![PathBuf::from("src/a.ts"), PathBuf::from("b c.js")]);
        let l = parse_path_list(b"a\nb\0c\0", true);
        assert_eq!(l, vec![PathBuf::from("a\nb"), PathBuf::from("c")]);
    }

    #[test]
    fn defaults_and_conflicts() {
        let a = Args::try_parse_from(["lm-files"]).unwrap();
        assert_eq!(a.roots, vec![PathBuf::from(".")]);
        assert_eq!(a.max_filesize, 8 << 20);
        assert!(Args::try_parse_from(["lm-files", "--max-filesize", "12Q"]).is_err());
        assert!(Args::try_parse_from(["lm-files", "-0"]).is_err());
        assert!(Args::try_parse_from(["lm-files", "--stdin", "src"]).is_err());
        let a = Args::try_parse_from(["lm-files", "--sort", "--no-sort"]).unwrap();
        assert!(a.no_sort && !a.sort);
    }

    #[test]
    fn command_is_valid() {
        command().debug_assert();
    }
}
