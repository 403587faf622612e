//! `lm-deps`: an offline dependency audit.
//!
//! Reads `file` records of manifests and lockfiles, parses them ([`parse`]), pairs
//! each manifest with the lockfile that governs it (same folder, or the workspace root
//! above it), and reports known advisories from a local OSV database ([`osv`]),
//! lockfile problems, unpinned and unknown packages, install scripts and version
//! conflicts ([`audit`]). Nothing is installed or executed, and the network is used only
//! with `--online`.
//!
//! | rule | category | reports |
//! |---|---|---|
//! | `deps.known-advisory` | `dep.vulnerable` | a locked version inside an OSV advisory's affected versions |
//! | `deps.no-lockfile` | `dep.lockfile` | `package.json`, `Pipfile` or `go.mod` with dependencies and no lockfile |
//! | `deps.lockfile-drift` | `dep.lockfile` | a direct dependency missing from the lockfile, locked outside its range, recorded with another range, or without a `go.sum` line |
//! | `deps.multiple-lockfiles` | `dep.lockfile` | lockfiles of different managers in one folder |
//! | `deps.unpinned` | `dep.unpinned` | `*`, empty, dist-tags, unbounded `>=`, git without a commit, bare URLs |
//! | `deps.install-script` | `dep.install-script` | packages the lockfile marks (or that are known) to run install scripts |
//! | `deps.duplicate-singleton` | `dep.conflict` | two majors of react, react-dom, next, @supabase/supabase-js... in one lockfile |
//! | `deps.unmet-peer` | `dep.conflict` | a locked peer dependency outside the range its dependent declares |
//! | `deps.prisma-mismatch` | `dep.conflict` | `prisma` and `@prisma/client` at different versions |
//! | `deps.typosquat` | `dep.unknown-package` | a name close to, or a decorated or unscoped copy of, a popular package |
//! | `deps.hallucinated-name` | `dep.unknown-package` | a name documented as invented by code assistants |
//! | `deps.not-in-registry` | `dep.unknown-package` | `--online`: the registry answers 404 for the name |
//!
//! Configuration: the `[deps]` section of `.lm.toml` ([`config`]).

pub mod audit;
pub mod cli;
pub mod config;
pub mod cvss;
pub mod model;
pub mod online;
pub mod osv;
pub mod parse;
pub mod popular;
pub mod text;
pub mod version;
