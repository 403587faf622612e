//! Language detection: by file name and extension first, then by shebang, then by a cheap
//! sniff of the first block (a `.js` file holding JSX is reported as `jsx`).
//!
//! Language ids are the lower-case names listed on `lm_core::FileRecord::language`.

/// Languages whose first block is worth sniffing for `"use client"` / `"use server"`
/// directives.
pub fn is_js_family(language: &str) -> bool {
    matches!(language, "javascript" | "jsx" | "typescript" | "tsx")
}

/// Files named exactly like this have a language regardless of extension.
const BY_NAME: &[(&str, &str)] = &[
    ("Dockerfile", "dockerfile"),
    ("Containerfile", "dockerfile"),
    ("Makefile", "make"),
    ("GNUmakefile", "make"),
    ("makefile", "make"),
    ("Procfile", "procfile"),
    ("Gemfile", "ruby"),
    ("Rakefile", "ruby"),
    ("Pipfile", "toml"),
    ("Cargo.lock", "toml"),
    ("poetry.lock", "toml"),
    ("uv.lock", "toml"),
    ("Pipfile.lock", "json"),
    ("bun.lock", "json"),
    ("yarn.lock", "yarn-lock"),
    ("go.mod", "go-mod"),
    ("go.sum", "go-sum"),
    (".dev.vars", "env"),
    (".npmrc", "ini"),
    (".yarnrc", "ini"),
    (".editorconfig", "ini"),
    (".gitignore", "ignore"),
    (".dockerignore", "ignore"),
    (".lmignore", "ignore"),
    (".ignore", "ignore"),
    ("CODEOWNERS", "text"),
    ("LICENSE", "text"),
];

/// Extensions (lower-case, without the dot) and their language.
const BY_EXTENSION: &[(&str, &str)] = &[
    ("js", "javascript"),
    ("mjs", "javascript"),
    ("cjs", "javascript"),
    ("jsx", "jsx"),
    ("ts", "typescript"),
    ("mts", "typescript"),
    ("cts", "typescript"),
    ("tsx", "tsx"),
    ("py", "python"),
    ("pyi", "python"),
    ("sql", "sql"),
    ("psql", "sql"),
    ("json", "json"),
    ("jsonc", "json"),
    ("json5", "json"),
    ("map", "json"),
    ("webmanifest", "json"),
    ("toml", "toml"),
    ("yaml", "yaml"),
    ("yml", "yaml"),
    ("html", "html"),
    ("htm", "html"),
    ("vue", "vue"),
    ("svelte", "svelte"),
    ("astro", "astro"),
    ("md", "markdown"),
    ("markdown", "markdown"),
    ("mdx", "mdx"),
    ("rst", "rst"),
    ("txt", "text"),
    ("css", "css"),
    ("scss", "scss"),
    ("sass", "scss"),
    ("less", "less"),
    ("sh", "shell"),
    ("bash", "shell"),
    ("zsh", "shell"),
    ("ps1", "powershell"),
    ("rs", "rust"),
    ("go", "go"),
    ("rb", "ruby"),
    ("php", "php"),
    ("java", "java"),
    ("kt", "kotlin"),
    ("kts", "kotlin"),
    ("swift", "swift"),
    ("c", "c"),
    ("h", "c"),
    ("cc", "cpp"),
    ("cpp", "cpp"),
    ("hpp", "cpp"),
    ("cs", "csharp"),
    ("dart", "dart"),
    ("prisma", "prisma"),
    ("graphql", "graphql"),
    ("gql", "graphql"),
    ("xml", "xml"),
    ("svg", "svg"),
    ("ini", "ini"),
    ("cfg", "ini"),
    ("conf", "ini"),
    ("env", "env"),
    ("dockerfile", "dockerfile"),
    ("mk", "make"),
    ("tf", "hcl"),
    ("hcl", "hcl"),
    ("csv", "csv"),
    ("lock", "text"),
];

/// Extensions of formats that are binary by construction: such files are flagged binary
/// without being read.
const BINARY_EXTENSIONS: &[&str] = &[
    "png", "jpg", "jpeg", "gif", "webp", "avif", "ico", "bmp", "tif", "tiff", "heic", "woff",
    "woff2", "ttf", "otf", "eot", "zip", "gz", "tgz", "bz2", "xz", "zst", "br", "7z", "rar", "jar",
    "war", "wasm", "node", "so", "dylib", "dll", "exe", "o", "a", "lib", "pdf", "mp3", "mp4",
    "m4a", "webm", "mov", "avi", "wav", "ogg", "flac", "sqlite", "sqlite3", "db", "pyc", "class",
    "lockb", "bin", "dat", "psd", "sketch", "fig",
];

/// The lower-case extension of a file name (`"Button.TSX"` → `"tsx"`), without the dot.
/// A leading dot does not start an extension (`.env` has none).
pub fn extension(name: &str) -> Option<String> {
    let dot = name.rfind('.')?;
    if dot == 0 || dot + 1 == name.len() {
        return None;
    }
    Some(name[dot + 1..].to_ascii_lowercase())
}

/// The language implied by a file's name alone, if any.
pub fn by_name(name: &str) -> Option<&'static str> {
    if let Some((_, lang)) = BY_NAME.iter().find(|(n, _)| *n == name) {
        return Some(lang);
    }
    // `.env`, `.env.local`, `.env.production`, `.env.example`...
    if name == ".env" || name.starts_with(".env.") {
        return Some("env");
    }
    // `Dockerfile.prod`, `dev.Dockerfile`
    if name.starts_with("Dockerfile.") || name.ends_with(".Dockerfile") {
        return Some("dockerfile");
    }
    // `requirements.txt` is text; `tsconfig.json` json: the extension decides the rest.
    let ext = extension(name)?;
    BY_EXTENSION
        .iter()
        .find(|(e, _)| *e == ext)
        .map(|(_, lang)| *lang)
}

/// True when the name's extension is a binary format (images, fonts, archives, native
/// modules...).
pub fn is_binary_extension(name: &str) -> bool {
    extension(name).is_some_and(|ext| BINARY_EXTENSIONS.contains(&ext.as_str()))
}

/// The language named by a `#!` line at the start of `head`, if any.
pub fn by_shebang(head: &[u8]) -> Option<&'static str> {
    let rest = head.strip_prefix(b"#!")?;
    let line_end = memchr::memchr(b'\n', rest).unwrap_or(rest.len());
    let line = std::str::from_utf8(&rest[..line_end]).ok()?;
    let mut words = line.split_whitespace();
    let mut program = words.next()?.rsplit('/').next()?;
    if program == "env" {
        // `#!/usr/bin/env -S deno run --allow-net`
        program = words.find(|w| !w.starts_with('-'))?;
    }
    let program = program.trim_end_matches(|c: char| c.is_ascii_digit() || c == '.');
    Some(match program {
        "node" | "nodejs" | "bun" | "zx" => "javascript",
        "deno" | "ts-node" | "tsx" => "typescript",
        "python" | "pypy" => "python",
        "sh" | "bash" | "zsh" | "dash" | "ksh" => "shell",
        "ruby" => "ruby",
        "php" => "php",
        "perl" => "perl",
        _ => return None,
    })
}

/// True when the first block of a `.js` file looks like JSX: a line that starts with a
/// tag (`<div`, `</Card>`, `<>`), backed by a sign React is in play (a `react` import, a
/// capitalised component tag, `className=`, `onClick={` or a self-closing `/>` at a line
/// end). Lines of HTML inside template strings (`innerHTML` templates such as `<div class="x">`)
/// alone do not count.
pub fn looks_like_jsx(head: &[u8]) -> bool {
    let mut tag_lines = 0usize;
    let mut react_sign = false;
    for line in head.split(|&b| b == b'\n') {
        let t = trim_ascii(line);
        if t.len() < 2 || t[0] != b'<' {
            continue;
        }
        let next = t[1];
        if next.is_ascii_alphabetic() || next == b'>' || next == b'/' {
            tag_lines += 1;
            let component = next.is_ascii_uppercase()
                || (next == b'/' && t.get(2).is_some_and(u8::is_ascii_uppercase));
            if component || t.ends_with(b"/>") {
                react_sign = true;
            }
        }
    }
    if tag_lines == 0 {
        return false;
    }
    react_sign || react_signs().iter().any(|f| f.find(head).is_some())
}

fn react_signs() -> &'static [memchr::memmem::Finder<'static>] {
    static SIGNS: std::sync::OnceLock<Vec<memchr::memmem::Finder<'static>>> =
        std::sync::OnceLock::new();
    SIGNS.get_or_init(|| {
        [
            "from 'react'",
            "from \"react\"",
            "require('react')",
            "require(\"react\")",
            "className=",
            "onClick={",
        ]
        .iter()
        .map(|s| memchr::memmem::Finder::new(s.as_bytes()))
        .collect()
    })
}

fn trim_ascii(s: &[u8]) -> &[u8] {
    let start = s
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(s.len());
    let end = s
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(start, |e| e + 1);
    &s[start..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extensions() {
        assert_eq!(by_name("page.tsx"), Some("tsx"));
        assert_eq!(by_name("Button.JSX"), Some("jsx"));
        assert_eq!(by_name("index.mjs"), Some("javascript"));
        assert_eq!(by_name("route.ts"), Some("typescript"));
        assert_eq!(by_name("types.d.ts"), Some("typescript"));
        assert_eq!(by_name("20240101_init.sql"), Some("sql"));
        assert_eq!(by_name("main.py"), Some("python"));
        assert_eq!(by_name("pnpm-lock.yaml"), Some("yaml"));
        assert_eq!(by_name("app.min.js.map"), Some("json"));
        assert_eq!(by_name("README"), None);
        assert_eq!(by_name("noext."), None);
    }

    #[test]
    fn special_names() {
        assert_eq!(by_name("Dockerfile"), Some("dockerfile"));
        assert_eq!(by_name("Dockerfile.prod"), Some("dockerfile"));
        assert_eq!(by_name("api.Dockerfile"), Some("dockerfile"));
        assert_eq!(by_name("Makefile"), Some("make"));
        assert_eq!(by_name(".env"), Some("env"));
        assert_eq!(by_name(".env.local"), Some("env"));
        assert_eq!(by_name(".env.production"), Some("env"));
        assert_eq!(by_name(".dev.vars"), Some("env"));
        assert_eq!(by_name("Cargo.lock"), Some("toml"));
        assert_eq!(by_name("yarn.lock"), Some("yarn-lock"));
        // look-alikes
        assert_eq!(by_name(".envrc"), None);
        assert_eq!(by_name("environment.ts"), Some("typescript"));
        assert_eq!(by_name("Dockerfiles.md"), Some("markdown"));
    }

    #[test]
    fn extension_rules() {
        assert_eq!(extension(".env"), None);
        assert_eq!(extension(".eslintrc.json").as_deref(), Some("json"));
        assert_eq!(extension("a.TS").as_deref(), Some("ts"));
    }

    #[test]
    fn binary_extensions() {
        assert!(is_binary_extension("logo.PNG"));
        assert!(is_binary_extension("sharp-linux-x64.node"));
        assert!(is_binary_extension("bun.lockb"));
        assert!(!is_binary_extension("logo.svg"));
        assert!(!is_binary_extension("index.js"));
        assert!(!is_binary_extension("png"));
    }

    #[test]
    fn shebangs() {
        assert_eq!(
            by_shebang(b"#!/usr/bin/env node\nconsole.log(1)"),
            Some("javascript")
        );
        assert_eq!(by_shebang(b"#!/usr/bin/python3\n"), Some("python"));
        assert_eq!(by_shebang(b"#!/usr/bin/env python3.11\n"), Some("python"));
        assert_eq!(by_shebang(b"#!/bin/bash -e\n"), Some("shell"));
        assert_eq!(by_shebang(b"#!/bin/sh"), Some("shell"));
        assert_eq!(
            by_shebang(b"#!/usr/bin/env -S deno run --allow-net\n"),
            Some("typescript")
        );
        assert_eq!(by_shebang(b"#!/usr/bin/env awk -f\n"), None);
        assert_eq!(by_shebang(b"# not a shebang\n"), None);
        assert_eq!(by_shebang(b""), None);
    }

    #[test]
    fn jsx_in_js_files() {
        let component = br#"import React from 'react';
import { Card } from './Card';

export default function Profile({ user }) {
  return (
    <Card>
      <h1 className="title">{user.name}</h1>
    </Card>
  );
}
"#;
        assert!(looks_like_jsx(component));

        // React 17+ without an import: lower-case tags with className.
        let no_import =
            b"export const Row = ({ a }) => (\n  <div className=\"row\">\n    {a}\n  </div>\n);\n";
        assert!(looks_like_jsx(no_import));
    }

    #[test]
    fn plain_js_is_not_jsx() {
        let template = br#"const list = document.querySelector('#list');
function render(items) {
  list.innerHTML = `
    <ul class="items">
      ${items.map((i) => `<li>${i}</li>`).join('')}
    </ul>
  `;
}
"#;
        assert!(!looks_like_jsx(template));

        let compare = b"if (a\n  < b) {\n  x = a << 2;\n}\n";
        assert!(!looks_like_jsx(compare));

        let minified = b"!function(e){var t={};function n(r){if(t[r])return t[r].exports}}([]);";
        assert!(!looks_like_jsx(minified));
    }
}
