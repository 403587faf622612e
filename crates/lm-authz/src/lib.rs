//! `lm-authz`: judges what `lm-parse` learned about an app's routes, data access,
//! webhooks and database schema, the way a last-mile engineer would.
//!
//! It reads `fact` records (it never parses source), buffers them, and at the end of the
//! stream emits `finding` records in the categories `authn.missing`,
//! `authz.missing-role`, `authz.bola`, `authz.service-role-misuse`, `db.rls-disabled`,
//! `db.rls-permissive`, `webhook.unverified`, `webhook.not-idempotent`,
//! `ratelimit.missing` and `cors.permissive`.
//!
//! * [`index`]: the buffered facts, grouped per handler, with helper following.
//! * [`analysis`]: what protects each route (handler checks, wrappers, middleware).
//! * [`matcher`]: Next.js matcher and mount-path semantics.
//! * [`schema`]: the schema replayed from migrations.
//! * [`rules`]: the rules.
//! * [`names`]: judgements made from names.
//! * [`config`]: the `[authz]` section of `.lm.toml`.

pub mod analysis;
pub mod cli;
pub mod config;
pub mod engine;
pub mod index;
pub mod matcher;
pub mod names;
pub mod rules;
pub mod schema;

pub use engine::analyze;
