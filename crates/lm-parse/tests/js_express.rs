//! Express routers, middleware order and mounted prefixes.

mod js_support;

use js_support::*;
use lm_core::fact::Provenance;

const SERVER: &str = r#"
const express = require("express");
const rateLimit = require("express-rate-limit");
const cors = require("cors");
const { requireAuth } = require("./middleware/auth");
const Order = require("./models/Order");

const app = express();
const api = express.Router();
const limiter = rateLimit({ windowMs: 60000, max: 100 });

app.use(cors({ origin: true, credentials: true }));
app.use(express.json());
app.use("/api", limiter);

app.get("/health", (req, res) => res.json({ ok: true }));

api.get("/orders/:id", requireAuth, async (req, res) => {
  const order = await Order.findById(req.params.id);
  res.json(order);
});

api.route("/orders/:id/cancel").post(async (req, res) => {
  const order = await Order.findOneAndUpdate({ _id: req.params.id, user: req.user.id }, { status: "cancelled" });
  res.json(order);
});

app.use("/api", api);
app.listen(3000);
"#;

#[test]
fn routes_middleware_and_prefixes() {
    let f = facts("server/index.js", SERVER);
    let (_, h) = route(&f, "/health", "GET");
    assert_eq!(h.framework, "express");
    assert!(h.public);
    let (_, o) = route(&f, "/api/orders/:id", "GET");
    assert!(o.middleware.contains(&"requireAuth".to_string()), "{o:#?}");
    assert!(o.middleware.contains(&"limiter".to_string()), "{o:#?}");
    let scope = o.handler_scope.clone().unwrap();
    let (af, a) = db_accesses(&f)
        .into_iter()
        .find(|(_, a)| a.operation == "select")
        .unwrap();
    assert_eq!(af.scope.as_deref(), Some(scope.as_str()));
    assert_eq!(a.library, "mongoose");
    assert_eq!(filter(a, "_id").source, Provenance::Request);
    let (_, c) = route(&f, "/api/orders/:id/cancel", "POST");
    assert!(!c.middleware.contains(&"requireAuth".to_string()));
    let (_, u) = db_accesses(&f)
        .into_iter()
        .find(|(_, a)| a.operation == "update")
        .unwrap();
    assert_eq!(filter(u, "user").source, Provenance::User);

    let mws = middlewares(&f);
    assert!(mws.iter().all(|(_, m)| m.framework == "express"));
    let orders: Vec<u32> = mws.iter().map(|(_, m)| m.order).collect();
    let mut sorted = orders.clone();
    sorted.sort();
    assert_eq!(orders, sorted);
    let (_, rl) = mws
        .iter()
        .find(|(_, m)| m.matcher == vec!["/api".to_string()])
        .unwrap();
    assert!(rl.rate_limits);
    assert!(!rl.authenticates);
    let (_, c) = cors(&f)[0];
    assert_eq!(c.allow_origin, "reflect");
    assert!(c.credentials);
    assert_eq!(c.mechanism, "cors-package");
}

#[test]
fn passport_and_jwt_middleware() {
    let src = r#"
import express from "express";
import jwt from "jsonwebtoken";
import passport from "passport";
const router = express.Router();

function authenticateToken(req, res, next) {
  const token = req.headers["authorization"]?.split(" ")[1];
  if (!token) return res.sendStatus(401);
  try {
    req.user = jwt.verify(token, process.env.JWT_SECRET);
    next();
  } catch {
    return res.sendStatus(403);
  }
}

router.use(authenticateToken);
router.delete("/posts/:id", async (req, res) => {
  await pool.query("DELETE FROM posts WHERE id = $1 AND author_id = $2", [req.params.id, req.user.id]);
  res.sendStatus(204);
});
router.post("/login", passport.authenticate("local"), (req, res) => res.json(req.user));
export default router;
"#;
    let f = facts("src/routes/posts.ts", src);
    let (_, d) = route(&f, "/posts/:id", "DELETE");
    assert_eq!(d.middleware, vec!["authenticateToken".to_string()]);
    let (_, m) = middlewares(&f)[0];
    assert!(m.authenticates);
    let (_, j) = auth_checks(&f)
        .into_iter()
        .find(|(_, a)| a.provider == "jwt")
        .unwrap();
    assert!(j.enforced);
    let (_, q) = db_accesses(&f)[0];
    assert_eq!(q.library, "pg");
    assert_eq!(q.operation, "delete");
    assert_eq!(q.table.as_deref(), Some("posts"));
    assert_eq!(filter(q, "id").source, Provenance::Request);
    assert_eq!(filter(q, "author_id").source, Provenance::User);
    let (_, l) = route(&f, "/login", "POST");
    assert!(l.middleware.iter().any(|m| m == "passport.authenticate"));
    assert!(l.public);
}

#[test]
fn map_get_and_settings_are_not_routes() {
    let src = r#"
const express = require("express");
const app = express();
const cache = new Map();
app.set("trust proxy", 1);
const env = app.get("env");
cache.get("/x");
"#;
    let f = facts("server.js", src);
    assert!(routes(&f).is_empty(), "{:#?}", routes(&f));
}

#[test]
fn routers_mounted_from_other_modules_are_not_middleware() {
    let src = r#"
import express from "express";
import cors from "cors";
import userRoutes from "./routes/user.routes";
import { requireAuth } from "./middleware/auth";
const app = express();
app.use(cors());
app.use("/users", userRoutes);
app.use("/admin", requireAuth, adminRouter);
"#;
    let f = facts("src/app.ts", src);
    // (an imported router is a mount fact naming its module, not middleware)
    let names: Vec<Vec<String>> = middlewares(&f)
        .into_iter()
        .filter(|(_, m)| m.router_module.is_none())
        .map(|(_, m)| m.names.clone())
        .collect();
    assert_eq!(
        names,
        vec![vec!["cors".to_string()], vec!["requireAuth".to_string()]]
    );
    let mounts: Vec<_> = middlewares(&f)
        .into_iter()
        .filter_map(|(_, m)| m.router_module.clone())
        .collect();
    assert_eq!(mounts, vec!["./routes/user.routes".to_string()]);
    let (_, admin) = middlewares(&f)
        .into_iter()
        .find(|(_, m)| m.matcher == vec!["/admin".to_string()])
        .unwrap();
    assert!(admin.authenticates);
}

#[test]
fn controllers_use_the_user_set_by_auth_middleware() {
    let src = r#"
import { Request, Response } from "express";
import { getUserId } from "../utils/getUserId.js";
import supabase from "../config/supabase.js";
export const getBalances = async (req: Request, res: Response) => {
  const authId = req.user?.id;
  if (!authId) return res.status(401).json({ message: "Unauthorized" });
  const userId = await getUserId(authId);
  const { id: projectId } = req.params;
  const { data } = await supabase.from("group_members").select("*").eq("project_id", projectId).eq("user_id", userId);
  res.json(data);
};
"#;
    let f = facts("src/controllers/balance.controller.ts", src);
    let (_, a) = db_accesses(&f)[0];
    assert_eq!(filter(a, "project_id").source, Provenance::Request);
    assert_eq!(filter(a, "user_id").source, Provenance::User);
}

#[test]
fn imported_router_mounts_name_their_module() {
    let src = r#"
import express from "express";
import { requireAuth } from "./middleware/auth";
import projectsRouter from "./routes/projects";
import usersRouter from "./routes/users";
import helmet from "helmet";

const app = express();
app.use(helmet());
app.use("/api/projects", requireAuth, projectsRouter);
app.use("/api/users", usersRouter, requireAuth);
"#;
    let f = facts("src/server.ts", src);
    let m = middlewares(&f);
    let mounts: Vec<_> = m
        .iter()
        .filter(|(_, x)| x.router_module.is_some())
        .collect();
    assert_eq!(mounts.len(), 2);
    let (pf, p) = mounts[0];
    assert_eq!(p.matcher, vec!["/api/projects"]);
    assert_eq!(p.names, vec!["projectsRouter"]);
    assert_eq!(p.router_module.as_deref(), Some("./routes/projects"));
    assert!(!p.authenticates);
    // `requireAuth` precedes the router: the mount sits at the router argument, after it
    let (af, a) = m
        .iter()
        .find(|(_, x)| x.matcher == vec!["/api/projects"] && x.authenticates)
        .expect("requireAuth at the projects mount");
    assert!(a.router_module.is_none());
    assert!(pf.column > af.column);
    // listed after the router: the mount sits at the call, with the middleware
    let (uf, u) = mounts[1];
    assert_eq!(u.router_module.as_deref(), Some("./routes/users"));
    let (auf, _) = m
        .iter()
        .find(|(_, x)| x.matcher == vec!["/api/users"] && x.authenticates)
        .expect("requireAuth at the users mount");
    assert_eq!(uf.column, auf.column);
    // a package middleware is no mount
    assert!(m
        .iter()
        .all(|(_, x)| x.names != vec!["helmet"] || x.router_module.is_none()));
}

#[test]
fn raw_sql_accesses_take_their_statement_operation() {
    let src = r#"
import express from "express";
import { Pool } from "pg";
import { PrismaClient } from "@prisma/client";

const pool = new Pool({ connectionString: process.env.DATABASE_URL });
const prisma = new PrismaClient();
const router = express.Router();

router.get("/products", async (req, res) => {
  const { rows } = await pool.query(`SELECT id, name FROM products ORDER BY name`);
  res.json(rows);
});
router.get("/stats", async (req, res) => {
  const { rows } = await pool.query(`
    WITH recent AS (SELECT * FROM orders WHERE created_at > now() - interval '1 day')
    SELECT count(*) FROM recent`);
  res.json(rows[0]);
});
router.post("/cart", async (req, res) => {
  await pool.query("INSERT INTO carts (user_id, sku) VALUES ($1, $2) ON CONFLICT DO NOTHING", [req.user.id, req.body.sku]);
  res.sendStatus(201);
});
router.post("/reset", async (req, res) => {
  await prisma.$executeRawUnsafe("TRUNCATE sessions");
  res.sendStatus(204);
});
export default router;
"#;
    let f = facts("src/routes/shop.ts", src);
    let ops: Vec<(&str, &str)> = db_accesses(&f)
        .into_iter()
        .map(|(_, d)| (d.table.as_deref().unwrap_or("?"), d.operation.as_str()))
        .collect();
    assert!(ops.contains(&("products", "select")), "{ops:?}");
    assert!(ops.contains(&("orders", "select")), "{ops:?}");
    assert!(ops.contains(&("carts", "upsert")), "{ops:?}");
    assert_eq!(ops.len(), 4, "{ops:?}");
    // A statement that is not a plain read or write stays `raw` (judged as a write).
    assert!(ops.iter().any(|(_, op)| *op == "raw"), "{ops:?}");
}
