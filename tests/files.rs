//! End-to-end tests of `lm-files` through the real binary and real pipes.

use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};

use lm_core::{FileRecord, Record};
use serde_json::Value;

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_lm-files")
}

struct Run {
    records: Vec<Value>,
    stdout: String,
    stderr: String,
    code: Option<i32>,
}

impl Run {
    fn files(&self) -> Vec<&Value> {
        self.records
            .iter()
            .filter(|r| r["type"] == "file")
            .collect()
    }
    fn paths(&self) -> Vec<String> {
        self.files()
            .iter()
            .map(|r| r["path"].as_str().unwrap().to_string())
            .collect()
    }
    fn file(&self, path: &str) -> &Value {
        self.files()
            .into_iter()
            .find(|r| r["path"] == path)
            .unwrap_or_else(|| panic!("no file record for {path}:\n{}", self.stdout))
    }
    fn diagnostics(&self, code: &str) -> Vec<&Value> {
        self.records
            .iter()
            .filter(|r| r["type"] == "diagnostic" && r["code"] == code)
            .collect()
    }
}

fn run_in(cwd: &Path, args: &[&str], stdin: Option<&[u8]>) -> Run {
    let mut child = Command::new(bin())
        .args(args)
        .current_dir(cwd)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    {
        let mut input = child.stdin.take().unwrap();
        if let Some(bytes) = stdin {
            input.write_all(bytes).unwrap();
        }
    }
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8(out.stdout).expect("output is UTF-8");
    let records = stdout
        .lines()
        .map(|l| {
            // Every line is a record of the contract.
            serde_json::from_str::<Record>(l).unwrap_or_else(|e| panic!("{e}: {l}"));
            serde_json::from_str(l).unwrap()
        })
        .collect();
    Run {
        records,
        stdout,
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        code: out.status.code(),
    }
}

fn run(root: &Path, extra: &[&str]) -> Run {
    let mut args = vec!["--sort"];
    args.extend_from_slice(extra);
    args.push(".");
    let r = run_in(root, &args, None);
    assert_eq!(r.code, Some(0), "stderr: {}", r.stderr);
    r
}

fn write(root: &Path, rel: &str, body: &str) {
    let p = root.join(rel);
    fs::create_dir_all(p.parent().unwrap()).unwrap();
    fs::write(p, body).unwrap();
}

/// A git repository made for a test, run with an empty configuration of its own (never
/// the machine's, and never /dev/null, which is a plain file on some hosts).
struct Git<'a> {
    root: &'a Path,
    config: tempfile::NamedTempFile,
}

impl<'a> Git<'a> {
    /// `git init` in `root`; `None` when git is not installed.
    fn init(root: &'a Path) -> Option<Self> {
        let git = Git {
            root,
            config: tempfile::NamedTempFile::new().unwrap(),
        };
        git.try_run(&["init", "-q"]).ok()?;
        Some(git)
    }

    fn try_run(&self, args: &[&str]) -> std::io::Result<std::process::Output> {
        Command::new("git")
            .args(args)
            .current_dir(self.root)
            .env("GIT_CONFIG_GLOBAL", self.config.path())
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .output()
    }

    fn run(&self, args: &[&str]) -> std::process::Output {
        self.try_run(args).unwrap()
    }
}

#[test]
fn honours_gitignore_ignore_and_lmignore_outside_git() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, ".gitignore", "node_modules/\n*.log\n");
    write(root, ".ignore", "tmp/\n");
    write(root, ".lmignore", "src/generated/\n");
    write(
        root,
        "src/App.tsx",
        "export default function App() { return null }\n",
    );
    write(root, "src/generated/types.ts", "export type A = 1;\n");
    write(
        root,
        "node_modules/react/index.js",
        "module.exports = {};\n",
    );
    write(root, "debug.log", "x\n");
    write(root, "tmp/scratch.js", "1\n");
    let r = run(root, &[]);
    let paths = r.paths();
    assert!(paths.contains(&"src/App.tsx".to_string()), "{paths:?}");
    for ignored in [
        "src/generated/types.ts",
        "node_modules/react/index.js",
        "debug.log",
        "tmp/scratch.js",
    ] {
        assert!(!paths.contains(&ignored.to_string()), "{ignored} listed");
    }

    let all = run(root, &["--no-ignore"]);
    let paths = all.paths();
    for listed in [
        "src/generated/types.ts",
        "node_modules/react/index.js",
        "debug.log",
        "tmp/scratch.js",
    ] {
        assert!(paths.contains(&listed.to_string()), "{listed} missing");
    }
    assert_eq!(
        all.file("node_modules/react/index.js")["role"],
        "other",
        "installed dependencies are not app code"
    );
}

#[test]
fn hidden_files_and_git_dir() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, ".git/config", "[core]\n");
    write(root, ".cache/blob.js", "1\n");
    write(root, ".env", "STRIPE_SECRET_KEY=placeholder\n");
    write(root, ".env.local", "A=1\n");
    write(root, ".github/workflows/ci.yml", "on: push\n");
    write(root, "index.ts", "export {};\n");
    let r = run(root, &[]);
    let paths = r.paths();
    assert!(paths.contains(&".env".to_string()), "{paths:?}");
    assert!(paths.contains(&".env.local".to_string()));
    assert!(paths.contains(&".github/workflows/ci.yml".to_string()));
    assert!(!paths.contains(&".cache/blob.js".to_string()));
    assert!(!paths.iter().any(|p| p.starts_with(".git/")));
    assert_eq!(r.file(".env")["role"], "config");
    assert_eq!(r.file(".env")["language"], "env");

    let r = run(root, &["--hidden", "--no-ignore"]);
    let paths = r.paths();
    assert!(paths.contains(&".cache/blob.js".to_string()));
    assert!(
        !paths.iter().any(|p| p.starts_with(".git/")),
        ".git/ is never walked: {paths:?}"
    );
}

#[test]
fn records_carry_language_role_size_and_binary() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "package.json",
        "{\"dependencies\":{\"next\":\"14.2.0\"}}\n",
    );
    write(root, "next.config.mjs", "export default {};\n");
    let route_body = "export async function POST() {}\n";
    write(root, "app/api/checkout/route.ts", route_body);
    write(
        root,
        "app/dashboard/page.tsx",
        "'use client';\nexport default function Page() { return <div/> }\n",
    );
    write(
        root,
        "app/actions.ts",
        "\"use server\";\nexport async function save() {}\n",
    );
    write(root, "lib/db.ts", "export const db = 1;\n");
    write(
        root,
        "supabase/migrations/20240101000000_init.sql",
        "create table t (id int);\n",
    );
    write(
        root,
        "supabase/functions/pay/index.ts",
        "Deno.serve(() => 1)\n",
    );
    write(root, "bin/deploy", "#!/usr/bin/env bash\necho hi\n");
    fs::write(root.join("bin/blob"), b"\x7fELF\x02\x01\x01\0\0\0\0\0").unwrap();
    let r = run(root, &[]);
    let route = r.file("app/api/checkout/route.ts");
    assert_eq!(route["role"], "server");
    assert_eq!(route["language"], "typescript");
    assert_eq!(route["size"], route_body.len());
    assert_eq!(route["binary"], false);
    assert_eq!(route["root"], ".");
    assert!(route["role_reason"]
        .as_str()
        .unwrap()
        .contains("route handler"));
    assert_eq!(r.file("app/dashboard/page.tsx")["role"], "client");
    assert_eq!(r.file("app/actions.ts")["role"], "server");
    assert_eq!(r.file("lib/db.ts")["role"], "shared");
    assert_eq!(
        r.file("supabase/migrations/20240101000000_init.sql")["role"],
        "migration"
    );
    assert_eq!(r.file("supabase/functions/pay/index.ts")["role"], "server");
    assert_eq!(r.file("package.json")["role"], "manifest");
    assert_eq!(r.file("bin/deploy")["language"], "shell");
    assert_eq!(r.file("bin/blob")["binary"], true);
    let summary = r.records.last().unwrap();
    assert_eq!(summary["type"], "summary");
    assert_eq!(summary["counts"]["files"], r.files().len());
}

#[test]
fn oversize_files_become_diagnostics() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "small.js", "1\n");
    write(root, "dist/bundle.js", &"x".repeat(3000));
    let r = run(root, &["--max-filesize", "2K"]);
    assert!(r.paths().contains(&"small.js".to_string()));
    assert!(!r.paths().contains(&"dist/bundle.js".to_string()));
    let d = r.diagnostics("too-large");
    assert_eq!(d.len(), 1, "{}", r.stdout);
    assert_eq!(d[0]["path"], "dist/bundle.js");
    assert_eq!(d[0]["stage"], "lm-files");
    let msg = d[0]["message"].as_str().unwrap();
    assert!(msg.contains("2.9 KiB") && msg.contains("2.0 KiB"), "{msg}");

    let bad = run_in(root, &["--max-filesize", "lots", "."], None);
    assert_eq!(bad.code, Some(2));
    assert!(bad.stderr.contains("invalid size"), "{}", bad.stderr);
}

#[cfg(unix)]
#[test]
fn unreadable_file_becomes_a_diagnostic() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "ok.ts", "export {};\n");
    write(root, "locked.ts", "export const secret = 1;\n");
    let locked = root.join("locked.ts");
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o000)).unwrap();
    let r = run(root, &[]);
    if fs::File::open(&locked).is_ok() {
        // Privileged users (root, CAP_DAC_OVERRIDE) read mode-000 files: lm-files must
        // then list it like any file.
        eprintln!("skipping the mode-000 assertion: this user can read mode-000 files");
        assert!(r.paths().contains(&"locked.ts".to_string()));
        assert!(r.diagnostics("unreadable").is_empty());
    } else {
        let d = r.diagnostics("unreadable");
        assert_eq!(d.len(), 1, "{}", r.stdout);
        assert_eq!(d[0]["path"], "locked.ts");
        assert!(!r.paths().contains(&"locked.ts".to_string()));
    }
    assert!(r.paths().contains(&"ok.ts".to_string()));
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o644)).unwrap();
}

/// A directory whose full path exceeds PATH_MAX cannot be read through its path by anyone,
/// root included: an honest unreadable path on any machine.
#[cfg(target_os = "linux")]
#[test]
fn over_long_path_becomes_an_unreadable_diagnostic() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "ok.ts", "export {};\n");
    let seg = "d".repeat(200);
    let script = format!(
        "set -e; mkdir deep; cd deep; for i in $(seq 1 25); do mkdir {seg}; cd {seg}; done; echo x > leaf.txt"
    );
    // bash, not sh: dash refuses `cd` once the logical path passes PATH_MAX.
    let Ok(status) = Command::new("bash")
        .arg("-c")
        .arg(&script)
        .current_dir(root)
        .status()
    else {
        eprintln!("skipping: bash is not installed");
        return;
    };
    assert!(status.success());
    let r = run(root, &[]);
    assert!(r.paths().contains(&"ok.ts".to_string()));
    let d = r.diagnostics("unreadable");
    assert!(!d.is_empty(), "{}", r.stdout);
    assert!(d[0]["path"].as_str().unwrap().starts_with("deep/ddd"));
    assert!(
        d[0]["message"].as_str().unwrap().contains("too long"),
        "{}",
        d[0]
    );
    // Clean up what tempfile may not remove through over-long paths.
    let _ = Command::new("bash")
        .arg("-c")
        .arg("rm -rf deep")
        .current_dir(root)
        .status();
}

#[cfg(unix)]
#[test]
fn symlink_loop_is_reported_with_follow() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "a/file.ts", "export {};\n");
    std::os::unix::fs::symlink("..", root.join("a/loop")).unwrap();
    std::os::unix::fs::symlink("missing.ts", root.join("dangling.ts")).unwrap();

    let plain = run(root, &[]);
    assert_eq!(plain.paths(), vec!["a/file.ts"]);
    assert!(plain.diagnostics("symlink-loop").is_empty());

    let follow = run(root, &["--follow"]);
    let loops = follow.diagnostics("symlink-loop");
    assert_eq!(loops.len(), 1, "{}", follow.stdout);
    assert_eq!(loops[0]["path"], "a/loop");
    assert_eq!(follow.diagnostics("broken-symlink").len(), 1);
    assert!(follow.paths().contains(&"a/file.ts".to_string()));
}

#[cfg(unix)]
#[test]
fn non_utf8_names_round_trip() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let name = OsStr::from_bytes(b"caf\xe9-\xff.js");
    fs::create_dir(root.join("src")).unwrap();
    fs::write(root.join("src").join(name), "export {};\n").unwrap();
    let r = run(root, &[]);
    let line = r
        .stdout
        .lines()
        .find(|l| l.contains("path_bytes"))
        .expect("a record with path_bytes");
    let rec: FileRecord = match serde_json::from_str::<Record>(line).unwrap() {
        Record::File(f) => f,
        other => panic!("{other:?}"),
    };
    assert_eq!(rec.path, "src/caf\u{fffd}-\u{fffd}.js");
    assert_eq!(
        rec.rel_path().as_os_str().as_bytes(),
        b"src/caf\xe9-\xff.js"
    );
    assert!(root.join(rec.rel_path()).is_file());
}

#[test]
fn broken_pipe_ends_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    for i in 0..3000 {
        write(root, &format!("d{}/f{i}.ts", i % 30), "export {};\n");
    }
    for mode in ["--no-sort", "--sort"] {
        let mut child = Command::new(bin())
            .args([mode, "."])
            .current_dir(root)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        // The reader is gone: like `lm-files . | head -1`.
        let out = child.wait_with_output().unwrap();
        assert!(first.starts_with("{\"type\":"), "{first}");
        assert_eq!(out.status.code(), Some(0), "{mode}");
        assert!(
            out.stderr.is_empty(),
            "{mode}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn stdin_path_lists() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "src/App.tsx", "export {};\n");
    write(root, "with space.js", "1\n");
    write(root, "ignored.log", "x\n");
    write(root, ".gitignore", "*.log\n");
    let r = run_in(
        root,
        &["--stdin", "-0", "--no-sort"],
        Some(b"src/App.tsx\0with space.js\0ignored.log\0gone.ts\0src\0"),
    );
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    // Given order, given paths (ignore files do not filter an explicit list).
    assert_eq!(
        r.paths(),
        vec!["src/App.tsx", "with space.js", "ignored.log"]
    );
    assert!(r.files().iter().all(|f| f["root"] == "."));
    assert_eq!(r.diagnostics("unreadable")[0]["path"], "gone.ts");
    assert_eq!(r.diagnostics("not-a-file")[0]["path"], "src");

    let r = run_in(root, &["--stdin"], Some(b"./src/App.tsx\nwith space.js\n"));
    assert_eq!(r.paths(), vec!["src/App.tsx", "with space.js"]);

    let bad = run_in(root, &["-0"], None);
    assert_eq!(bad.code, Some(2));
}

#[test]
fn sorted_output_is_deterministic() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    for i in 0..400 {
        write(
            root,
            &format!("m{}/n{}/f{i}.ts", i % 7, i % 5),
            "export {};\n",
        );
    }
    write(root, "a.b", "x\n");
    write(root, "a/b", "x\n");
    let first = run(root, &[]);
    let second = run(root, &[]);
    assert_eq!(first.stdout, second.stdout);
    let paths = first.paths();
    let mut sorted = paths.clone();
    sorted.sort_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
    assert_eq!(paths, sorted);
    assert_eq!(paths.len(), 402);

    // Streaming lists the same records.
    let streamed = run(root, &["--no-sort"]);
    let mut lines: Vec<&str> = streamed.stdout.lines().collect();
    let mut sorted_lines: Vec<&str> = first.stdout.lines().collect();
    lines.sort();
    sorted_lines.sort();
    assert_eq!(lines, sorted_lines);
}

#[test]
fn several_roots_and_file_roots() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "web/src/main.ts", "1\n");
    write(root, "api/server.ts", "1\n");
    let r = run_in(root, &["--sort", "web", "api", "api/server.ts"], None);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let pairs: Vec<(String, String)> = r
        .files()
        .iter()
        .map(|f| {
            (
                f["root"].as_str().unwrap().to_string(),
                f["path"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        pairs,
        vec![
            ("web".into(), "src/main.ts".into()),
            ("api".into(), "server.ts".into()),
            (".".into(), "api/server.ts".into()),
        ]
    );
    let missing = run_in(root, &["nope"], None);
    assert_eq!(missing.code, Some(2));
    assert!(missing.stderr.contains("nope"), "{}", missing.stderr);
}

#[test]
fn git_ls_files_pipes_into_stdin_mode() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "src/App.tsx", "export {};\n");
    write(
        root,
        "supabase/migrations/1_init.sql",
        "create table t (id int);\n",
    );
    write(root, "untracked.ts", "export {};\n");
    let Some(git) = Git::init(root) else {
        eprintln!("skipping: git is not installed");
        return;
    };
    git.run(&["add", "src/App.tsx", "supabase/migrations/1_init.sql"]);
    let listed = git.run(&["ls-files", "-z"]);
    assert!(listed.status.success());
    let r = run_in(root, &["--stdin", "-0", "--sort"], Some(&listed.stdout));
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_eq!(
        r.paths(),
        vec!["src/App.tsx", "supabase/migrations/1_init.sql"]
    );
    assert_eq!(
        r.file("supabase/migrations/1_init.sql")["role"],
        "migration"
    );
}

#[test]
fn committed_files_a_gitignore_matches_are_still_listed() {
    // The classic slip: `.env` and a lockfile committed, `.gitignore` rules added later.
    // Git keeps tracking them, every clone has them, so the audit must see them; files the
    // rules keep out of git stay unlisted, and `.lmignore` still has the last word.
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, ".gitignore", ".env*\n*.json\ndist/\n.vscode/\n");
    write(root, ".lmignore", "fixtures/\n");
    write(
        root,
        ".env",
        "VITE_SUPABASE_URL=https://example.supabase.co\n",
    );
    write(root, "package.json", "{\"name\":\"app\"}\n");
    write(root, "src/App.tsx", "export {};\n");
    write(root, "dist/assets/index.js", "console.log(1)\n");
    write(root, "fixtures/keys.json", "{}\n");
    write(root, ".vscode/settings.json", "{}\n");
    // Ignored and never committed: stays out.
    write(root, ".env.local", "X=1\n");
    write(root, "tsconfig.json", "{}\n");
    let Some(git) = Git::init(root) else {
        eprintln!("skipping: git is not installed");
        return;
    };
    let add = git.run(&[
        "add",
        "-f",
        ".gitignore",
        ".lmignore",
        ".env",
        "package.json",
        "src/App.tsx",
        "dist/assets/index.js",
        "fixtures/keys.json",
        ".vscode/settings.json",
    ]);
    assert!(add.status.success(), "{add:?}");

    let r = run(root, &[]);
    assert_eq!(
        r.paths(),
        vec![
            ".env",
            "dist/assets/index.js",
            "package.json",
            "src/App.tsx"
        ],
        "{}",
        r.stdout
    );
    assert_eq!(r.file("package.json")["role"], "manifest");
    assert_eq!(r.file("dist/assets/index.js")["role"], "build-output");
    // The same from a subdirectory root: index paths are taken relative to it.
    let sub = run(&root.join("dist"), &[]);
    assert_eq!(sub.paths(), vec!["assets/index.js"]);
    // --hidden also brings the tracked hidden folder; --no-ignore lists everything.
    let hidden = run(root, &["--hidden"]);
    assert!(hidden
        .paths()
        .contains(&".vscode/settings.json".to_string()));
    let all = run(root, &["--no-ignore"]);
    for p in [".env.local", "tsconfig.json", "fixtures/keys.json"] {
        assert!(all.paths().contains(&p.to_string()), "{p}: {}", all.stdout);
    }
    // Streaming output lists the same files.
    let mut streamed = run(root, &["--no-sort"]).paths();
    streamed.sort();
    assert_eq!(streamed, r.paths());
}
