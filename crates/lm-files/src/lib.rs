//! `lm-files`: the first stage of the `lm` pipeline. It walks one or more source trees (or
//! reads a path list) and writes one `file` record per file, with its language, size,
//! binary flag and role in the app.
//!
//! * [`walk`]: the parallel walk (`ignore` crate: `.gitignore` also outside git
//!   repositories, `.ignore`, `.lmignore`; `.git/` never) and the `--stdin` path list.
//! * [`classify`]: one entry to one record; reads at most the first block of a file.
//! * [`role`]: the table of framework conventions that decides `role` / `role_reason`.
//! * [`language`]: language by name, extension, shebang, and JSX sniffing of `.js` files.
//! * [`dirfd`]: stat and open files relative to an open directory handle (speed).
//! * [`gitindex`]: the files git tracks, read from `.git/index` (never by running git).
//! * [`sniff`]: binary check and `"use client"` / `"use server"` directives.
//! * [`size`]: `--max-filesize` values (`10M`).
//! * [`cli`]: the command line.
//!
//! # Behaviour worth knowing
//!
//! * **Oversize files** (over `--max-filesize`, default 8 MiB) produce a `diagnostic`
//!   record with code `too-large` and **no** `file` record: every `file` record downstream
//!   is safe to read whole, and the skip is visible, never silent. The diagnostic names the
//!   size and the limit.
//! * **Unreadable files** produce a `diagnostic` `unreadable` and no `file` record;
//!   unreadable directories and paths longer than the system allows the same. A file is
//!   known unreadable when opening it fails; in the default `--sniff auto` mode a file is
//!   opened to check whenever its permission bits do not grant read access to owner,
//!   group and others alike, so a `chmod 000` or `0600` file is checked for real (and is
//!   listed when the user can read it anyway, as root can).
//! * With `--follow`, symbolic link loops give `symlink-loop` and dangling links
//!   `broken-symlink`. Without `--follow`, symbolic links are not listed (their targets
//!   are, when inside the tree). FIFOs, sockets and devices are never opened.
//! * Other diagnostic codes: `ignore-file` (an invalid pattern in an ignore file),
//!   `not-a-file` (a `--stdin` path that is a directory or a special file).
//! * **Committed files a `.gitignore` matches** (a `.env` committed before `.env` was
//!   added to `.gitignore`) are listed: git keeps tracking them, so every clone has them.
//!   They are read from the repository's index after the walk; `.ignore` and `.lmignore`
//!   rules still exclude them, and `--no-ignore` lists everything anyway.
//! * **Hidden files** are skipped unless `--hidden`, except names an audit must see:
//!   `.env`, `.env.*`, `.dev.vars`, `.npmrc`, `.yarnrc`, `.yarnrc.yml`, `.github/`,
//!   `.gitlab-ci.yml`.
//! * **Reading** (speed: `rg --files` reads no file, and neither should a listing that can
//!   avoid it): at most the first 8 KiB of a file is ever read. By default
//!   (`--sniff auto`) only files whose record depends on their content are opened:
//!   names with no known language (a NUL byte makes them binary, a shebang names the
//!   language), JavaScript/TypeScript modules of a Next.js project whose role a
//!   `"use client"` / `"use server"` directive decides, client-side `.js` files (JSX makes
//!   them `jsx`), and files not readable by everyone. Other files are reported from their
//!   name: known text extensions as text, known binary formats (images, fonts, archives,
//!   `.node`, `.wasm`...) as binary. `--sniff all` reads the first block of every file:
//!   exact binary flags and JSX detection everywhere, at about twice the cost.
//! * **Order**: with `--sort` (the default when standard output is not a terminal) records
//!   are sorted by root, in the order the roots were given, then by the path's bytes, so
//!   output is byte-for-byte reproducible; this holds every record in memory until the walk
//!   ends. `--no-sort` streams records as the parallel walk finds them.
//! * A final `summary` record counts `files`, `bytes` and `diagnostics` (`--no-summary`
//!   drops it).
//! * A closed downstream pipe (`lm-files | head -1`) ends the walk quietly with status 0.

pub mod classify;
pub mod cli;
pub mod dirfd;
pub mod gitindex;
pub mod language;
pub mod role;
pub mod size;
pub mod sniff;
pub mod walk;
