//! `lm-authz`: judges what `lm-parse` learned about an app's routes, data access,
//! webhooks and database schema, the way a last-mile engineer would.
//!
//! It reads `fact` records (it never parses source), buffers them, and at the end of the
//! stream emits `finding` records in the categories `authn.missing`,
//! `authz.missing-role`, `authz.bola`, `authz.service-role-misuse`, `db.rls-disabled`,
//! `db.rls-permissive`, `webhook.unverified`, `webhook.not-idempotent`,
//! `ratelimit.missing` and `cors.permissive`.
//!
//! | rule | category | judged from |
//! |---|---|---|
//! | `authz.unauthenticated-route` | `authn.missing` | a route reading or changing non-public data (service role, direct DB, ORM) or calling a privileged / paid API, with no auth check in the handler, its helpers, wrappers, FastAPI dependencies or covering middleware |
//! | `authz.unauthenticated-edge-function` | `authn.missing` | the same for a Supabase edge function with `verify_jwt = false` |
//! | `authz.unenforced-auth-check` | `authn.missing` | a session read that does not stop anonymous callers, with queries not scoped to the user |
//! | `authz.missing-role` | `authz.missing-role` | admin APIs (`auth.admin.*`, refunds, payouts), role/plan/credit changes from request data, deleting other users, delete-all, listing every row of a sensitive table, admin routes — with authentication but no role check |
//! | `authz.bola` | `authz.bola` | a row selected by a request id with no owner/tenant filter on a client RLS does not govern; one finding per handler and request id, at its first access, naming every table the id reaches (`details.accesses`) |
//! | `authz.owner-from-request` | `authz.bola` | a row inserted with its owner column taken from the request |
//! | `authz.service-role-in-client` | `authz.service-role-misuse` | a service-role client created or used in browser code |
//! | `authz.service-role-edge-function` | `authz.service-role-misuse` | an edge function behind `verify_jwt` using the service role without checking the user |
//! | `authz.rls-disabled` | `db.rls-disabled` | a `public` table without RLS after replaying the migrations |
//! | `authz.rls-permissive-write` / `-read` | `db.rls-permissive` | `true` (or any-signed-in-user) policies, judged by command, audience and table |
//! | `authz.rls-no-policy` | `db.rls-permissive` | RLS on, no policy, while the app writes with a user/anon client |
//! | `authz.rls-trusts-user-metadata` | `db.rls-permissive` | policies reading `user_metadata` |
//! | `authz.view-bypasses-rls` | `db.rls-permissive` | views over protected tables without `security_invoker` |
//! | `authz.security-definer-exposed` | `db.rls-permissive` | `security definer` functions anon may execute |
//! | `authz.webhook-unverified`, `-used-before-verify`, `-fails-open`, `-timing-unsafe` | `webhook.unverified` | webhook facts |
//! | `authz.webhook-not-idempotent` | `webhook.not-idempotent` | verified webhooks with side effects and no event-id de-duplication |
//! | `authz.ratelimit-auth`, `authz.ratelimit-paid-ai` | `ratelimit.missing` | sign-in, sign-up, reset and OTP routes, paid-AI proxies, with no limiter on their path |
//! | `authz.cors-reflected-credentials`, `-wildcard-credentials`, `-reflected-origin`, `-wildcard-edge-function` | `cors.permissive` | CORS facts |
//!
//! Run with `--explain` to see how each route was judged.
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
