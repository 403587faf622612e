//! Hono and Fastify.

mod js_support;

use js_support::*;
use lm_core::fact::Provenance;

#[test]
fn hono_routes_middleware_and_base_path() {
    let src = r#"
import { Hono } from "hono";
import { jwt } from "hono/jwt";
import { cors } from "hono/cors";
import { drizzle } from "drizzle-orm/d1";
import { eq, and } from "drizzle-orm";
import { todos } from "./schema";

const app = new Hono().basePath("/api");
app.use("*", cors({ origin: "*" }));
app.use("/todos/*", jwt({ secret: "x" }));

app.get("/health", (c) => c.text("ok"));

app.get("/todos/:id", async (c) => {
  const db = drizzle(c.env.DB);
  const payload = c.get("jwtPayload");
  const id = c.req.param("id");
  const rows = await db.select().from(todos).where(and(eq(todos.id, id), eq(todos.userId, payload.sub)));
  return c.json(rows);
});

app.on(["PUT", "PATCH"], "/todos/:id", async (c) => c.json({}));
export default app;
"#;
    let f = facts("src/index.ts", src);
    let (_, h) = route(&f, "/api/health", "GET");
    assert_eq!(h.framework, "hono");
    assert!(h.public);
    let (_, t) = route(&f, "/api/todos/:id", "GET");
    assert!(t.middleware.iter().any(|m| m == "jwt"), "{t:#?}");
    route(&f, "/api/todos/:id", "PATCH");
    let jwt_mw = middlewares(&f)
        .into_iter()
        .find(|(_, m)| m.names.contains(&"jwt".to_string()))
        .unwrap()
        .1;
    assert!(jwt_mw.authenticates);
    assert_eq!(jwt_mw.matcher, vec!["/api/todos/*".to_string()]);
    let (_, d) = db_accesses(&f)[0];
    assert_eq!(d.library, "drizzle");
    assert_eq!(d.table.as_deref(), Some("todos"));
    assert_eq!(filter(d, "id").source, Provenance::Request);
    assert_eq!(filter(d, "userId").source, Provenance::User);
    let (_, c) = cors(&f)[0];
    assert_eq!(
        (c.allow_origin.as_str(), c.mechanism.as_str()),
        ("*", "hono")
    );
}

#[test]
fn fastify_routes_hooks_and_route_objects() {
    let src = r#"
import Fastify from "fastify";
const fastify = Fastify();

fastify.decorate("authenticate", async (request, reply) => {
  try { await request.jwtVerify(); } catch (err) { reply.send(err); }
});

fastify.get("/me", { onRequest: [fastify.authenticate] }, async (request, reply) => {
  return prisma.user.findUnique({ where: { id: request.user.id } });
});

fastify.route({
  method: ["POST"],
  url: "/items/:id",
  preHandler: fastify.authenticate,
  handler: async (request, reply) => {
    return prisma.item.update({ where: { id: request.params.id }, data: request.body });
  },
});

fastify.delete("/items/:id", async (request) => prisma.item.delete({ where: { id: request.params.id } }));
"#;
    let f = facts("src/server.ts", src);
    let (_, me) = route(&f, "/me", "GET");
    assert_eq!(me.framework, "fastify");
    assert_eq!(me.middleware, vec!["fastify.authenticate".to_string()]);
    let (_, it) = route(&f, "/items/:id", "POST");
    assert_eq!(it.middleware, vec!["fastify.authenticate".to_string()]);
    let (_, del) = route(&f, "/items/:id", "DELETE");
    assert!(del.middleware.is_empty());
    let scope = del.handler_scope.clone().unwrap();
    let (_, d) = db_accesses(&f)
        .into_iter()
        .find(|(x, _)| x.scope.as_deref() == Some(scope.as_str()))
        .unwrap();
    assert_eq!(d.operation, "delete");
    assert_eq!(filter(d, "id").source, Provenance::Request);
    let (_, me_db) = db_accesses(&f)[0];
    assert_eq!(filter(me_db, "id").source, Provenance::User);
    assert!(auth_checks(&f).iter().any(|(_, a)| a.provider == "jwt"));
}

#[test]
fn fastify_plugins_registered_with_a_prefix() {
    let src = r#"
import Fastify from "fastify";
const app = Fastify();

async function userRoutes(fastify, opts) {
  fastify.get("/users/:id", async (request) => db.user.findUnique({ where: { id: request.params.id } }));
}

app.register(userRoutes, { prefix: "/api/v1" });
app.register(async (instance) => {
  instance.post("/login", async (request) => ({ ok: true }));
}, { prefix: "/auth" });
app.get("/health", async () => ({ ok: true }));
"#;
    let f = facts("src/app.ts", src);
    route(&f, "/api/v1/users/:id", "GET");
    let (_, l) = route(&f, "/auth/login", "POST");
    assert!(l.public);
    route(&f, "/health", "GET");
}
