//! FastAPI facts, read through the library from a realistic app and snippets.

mod py_support;

use lm_core::fact::{FactData, Provenance};
use py_support::*;

#[test]
fn routes_with_router_prefixes_and_dependencies() {
    let f = facts_of("fastapi_app.py");
    let routes = of_kind(&f, "route");
    assert_eq!(routes.len(), 6);

    let (fact, health) = route(&f, "GET", "/health");
    assert!(health.public);
    assert_eq!(health.public_reason.as_deref(), Some("health check"));
    assert_eq!(health.handler.as_deref(), Some("health"));
    assert_eq!(fact.line, 51);

    // `app.include_router(router, prefix="/api")` + `APIRouter(prefix="/projects")`.
    let (_, read) = route(&f, "GET", "/api/projects/{project_id}");
    assert_eq!(read.framework, "fastapi");
    assert_eq!(read.middleware, vec!["Depends(get_current_user)"]);
    assert!(!read.public);
    let (_, delete) = route(&f, "DELETE", "/api/projects/{project_id}");
    assert_eq!(delete.handler.as_deref(), Some("delete_project"));

    let (_, refund) = route(&f, "POST", "/admin/invoices/{invoice_id}/refund");
    assert_eq!(refund.middleware, vec!["Depends(require_admin)"]);
    let (_, chat) = route(&f, "POST", "/chat");
    assert_eq!(chat.middleware, vec!["limiter.limit(\"10/minute\")"]);
    let (_, hook) = route(&f, "POST", "/stripe/webhook");
    assert!(hook.public);
}

#[test]
fn router_level_dependency_is_an_auth_check_in_each_handler_scope() {
    let f = facts_of("fastapi_app.py");
    let (_, read) = route(&f, "GET", "/api/projects/{project_id}");
    let scope = read.handler_scope.clone().unwrap();
    let checks: Vec<_> = in_scope(&f, &scope)
        .into_iter()
        .filter_map(|f| match &f.data {
            FactData::AuthCheck(a) => Some(a),
            _ => None,
        })
        .collect();
    assert_eq!(checks.len(), 1);
    assert_eq!(checks[0].provider, "fastapi");
    assert_eq!(checks[0].method, "Depends(get_current_user)");
    assert!(checks[0].enforced);

    // The health route has none.
    let (_, health) = route(&f, "GET", "/health");
    let scope = health.handler_scope.clone().unwrap();
    assert!(in_scope(&f, &scope)
        .iter()
        .all(|f| f.kind() != "auth_check"));
}

#[test]
fn parameter_dependencies_yield_the_user() {
    let f = facts_of("fastapi_app.py");
    let (_, delete) = route(&f, "DELETE", "/api/projects/{project_id}");
    let scope = delete.handler_scope.clone().unwrap();
    let user_vars: Vec<Option<String>> = in_scope(&f, &scope)
        .into_iter()
        .filter_map(|f| match &f.data {
            FactData::AuthCheck(a) => Some(a.user_var.clone()),
            _ => None,
        })
        .collect();
    // One from the router, one from the `user=Depends(...)` parameter.
    assert_eq!(user_vars, vec![None, Some("user".to_string())]);

    // `Annotated[dict, Depends(get_current_user)]`
    let (_, chat) = route(&f, "POST", "/chat");
    let scope = chat.handler_scope.clone().unwrap();
    assert!(in_scope(&f, &scope).iter().any(|f| matches!(&f.data,
        FactData::AuthCheck(a) if a.user_var.as_deref() == Some("user"))));
}

#[test]
fn role_dependency_and_role_comparison() {
    let f = facts_of("fastapi_app.py");
    let roles: Vec<_> = f
        .iter()
        .filter_map(|f| match &f.data {
            FactData::RoleCheck(r) => Some((f.line, r)),
            _ => None,
        })
        .collect();
    assert_eq!(roles.len(), 2, "{roles:#?}");
    // In `require_admin`: `user.app_metadata.get("role") != "admin"` then raise.
    assert_eq!(roles[0].0, 42);
    assert_eq!(roles[0].1.role.as_deref(), Some("admin"));
    assert!(roles[0].1.enforced);
    // On the refund route: `dependencies=[Depends(require_admin)]`.
    assert_eq!(roles[1].1.expr, "Depends(require_admin)");
    // `m["role"] != "system"` in the chat handler is a chat message role, not a user role.
    assert!(roles.iter().all(|(line, _)| *line != 77));
}

#[test]
fn db_access_with_filter_provenance() {
    let f = facts_of("fastapi_app.py");
    let access: Vec<_> = f
        .iter()
        .filter_map(|f| match &f.data {
            FactData::DbAccess(a) => Some(a),
            _ => None,
        })
        .collect();
    assert_eq!(access.len(), 5, "{access:#?}");

    // SQLAlchemy session from `Depends(get_db)`.
    assert_eq!(access[0].library, "sqlalchemy");
    assert_eq!(access[0].client_kind, "server");
    assert_eq!(access[0].table.as_deref(), Some("Project"));
    assert_eq!(access[0].filters[0].column, "id");
    assert_eq!(access[0].filters[0].source, Provenance::Request);

    // supabase-py with the service role: id from the path, owner from the user.
    let del = access[1];
    assert_eq!(
        (
            del.library.as_str(),
            del.client_kind.as_str(),
            del.operation.as_str()
        ),
        ("supabase", "service_role", "delete")
    );
    assert_eq!(del.table.as_deref(), Some("projects"));
    let sources: Vec<(&str, Provenance)> = del
        .filters
        .iter()
        .map(|f| (f.column.as_str(), f.source))
        .collect();
    assert_eq!(
        sources,
        vec![("id", Provenance::Request), ("owner_id", Provenance::User)]
    );

    // `db.get(Invoice, invoice_id)`
    assert_eq!(access[2].table.as_deref(), Some("Invoice"));
    assert_eq!(access[2].filters[0].op, "get");
    assert_eq!(access[2].filters[0].source, Provenance::Request);

    // Insert values: user id from the dependency, content from the body model.
    let ins = access[3];
    assert_eq!(ins.operation, "insert");
    let values: Vec<(&str, Provenance)> = ins
        .values
        .iter()
        .map(|v| (v.column.as_str(), v.source))
        .collect();
    assert_eq!(
        values,
        vec![
            ("user_id", Provenance::User),
            ("content", Provenance::Request)
        ]
    );
    assert_eq!(access[4].operation, "upsert");
}

#[test]
fn clients_services_cors_webhook_and_env() {
    let f = facts_of("fastapi_app.py");
    let client = of_kind(&f, "db_client");
    assert_eq!(client.len(), 1);
    let FactData::DbClient(c) = &client[0].data else {
        unreachable!()
    };
    assert_eq!(c.client_kind, "service_role");
    assert_eq!(c.var.as_deref(), Some("supabase_admin"));
    assert_eq!(c.key_env.as_deref(), Some("SUPABASE_SERVICE_ROLE_KEY"));

    let calls: Vec<_> = f
        .iter()
        .filter_map(|f| match &f.data {
            FactData::ExternalCall(e) => Some(e),
            _ => None,
        })
        .collect();
    assert_eq!(calls.len(), 2);
    assert_eq!(
        (calls[0].service.as_str(), calls[0].privileged),
        ("stripe", true)
    );
    assert_eq!(
        (calls[1].service.as_str(), calls[1].paid_ai),
        ("openai", true)
    );

    let cors = of_kind(&f, "cors");
    assert_eq!(cors.len(), 1);
    let FactData::Cors(c) = &cors[0].data else {
        unreachable!()
    };
    assert_eq!((c.allow_origin.as_str(), c.credentials), ("*", true));
    assert_eq!(c.mechanism, "fastapi-middleware");

    let hooks = of_kind(&f, "webhook");
    assert_eq!(hooks.len(), 1);
    let FactData::Webhook(w) = &hooks[0].data else {
        unreachable!()
    };
    assert_eq!(w.provider, "stripe");
    assert!(w.verified && !w.payload_used_before_verify && !w.fails_open);
    assert_eq!(w.verify_line, Some(87));
    assert!(w.side_effects && w.idempotent);

    let rl = of_kind(&f, "rate_limit");
    assert_eq!(rl.len(), 1);
    let (_, chat) = route(&f, "POST", "/chat");
    assert_eq!(rl[0].scope, chat.handler_scope);

    let env: Vec<String> = f
        .iter()
        .filter_map(|f| match &f.data {
            FactData::EnvRead(e) => Some(format!("{}:{}", e.accessor, e.name)),
            _ => None,
        })
        .collect();
    assert_eq!(
        env,
        vec![
            "os.environ:SUPABASE_URL",
            "os.environ:SUPABASE_SERVICE_ROLE_KEY",
            "os.getenv:OPENAI_API_KEY",
            "os.environ.get:STRIPE_SECRET_KEY",
            "os.environ:STRIPE_WEBHOOK_SECRET",
        ]
    );
}

#[test]
fn non_auth_dependencies_and_unrelated_decorators_are_not_auth() {
    let f = facts(
        r#"
from fastapi import Depends, FastAPI
from .deps import get_db, get_settings, get_user_service, valid_post_id

app = FastAPI()

@app.get("/posts/{post_id}")
async def read_post(post_id: int, q: str | None = None, db=Depends(get_db),
                    settings=Depends(get_settings), svc=Depends(get_user_service),
                    post=Depends(valid_post_id)):
    return svc.get_user_by_id(post_id)
"#,
    );
    assert_eq!(of_kind(&f, "route").len(), 1);
    assert!(of_kind(&f, "auth_check").is_empty(), "{f:#?}");
    assert!(of_kind(&f, "role_check").is_empty());
}

#[test]
fn decorators_above_the_route_decorator_are_not_applied() {
    let f = facts(
        r#"
from fastapi import FastAPI
from .auth import requires_auth

app = FastAPI()

@requires_auth
@app.get("/me")
def me():
    return {}

@app.get("/you")
@requires_auth
def you():
    return {}
"#,
    );
    let (_, me) = route(&f, "GET", "/me");
    assert!(me.middleware.is_empty());
    let (_, you) = route(&f, "GET", "/you");
    assert_eq!(you.middleware, vec!["requires_auth"]);
    let checks = of_kind(&f, "auth_check");
    assert_eq!(checks.len(), 1);
    assert_eq!(checks[0].scope, you.handler_scope);
}

#[test]
fn api_route_methods_nested_routers_and_rate_limiter_dependency() {
    let f = facts(
        r#"
from fastapi import APIRouter, Depends, FastAPI, Security
from fastapi_limiter.depends import RateLimiter
from .auth import get_current_user

app = FastAPI(dependencies=[Depends(get_current_user)])
v1 = APIRouter(prefix="/v1")
items = APIRouter(prefix="/items", tags=["items"])

@items.api_route("/{item_id}", methods=["GET", "HEAD"], dependencies=[Depends(RateLimiter(times=2, seconds=5))])
def item(item_id: str, user=Security(get_current_user, scopes=["items:read"])):
    return {}

v1.include_router(items)
app.include_router(v1, prefix="/api")
"#,
    );
    let (_, r) = route(&f, "HEAD", "/api/v1/items/{item_id}");
    assert_eq!(r.methods, vec!["GET", "HEAD"]);
    assert_eq!(
        r.middleware,
        vec![
            "Depends(get_current_user)",
            "Depends(RateLimiter(times=2, seconds=5))"
        ]
    );
    assert_eq!(of_kind(&f, "rate_limit").len(), 1);
    let roles: Vec<_> = f
        .iter()
        .filter_map(|f| match &f.data {
            FactData::RoleCheck(r) => r.role.clone(),
            _ => None,
        })
        .collect();
    assert_eq!(roles, vec!["items:read"]);
}

#[test]
fn supabase_look_alikes_and_anon_client() {
    let f = facts(
        r#"
import os
import boto3
from fastapi import FastAPI
from supabase import create_client

app = FastAPI()
SUPABASE_KEY = os.getenv("SUPABASE_ANON_KEY")
sb = create_client(os.getenv("SUPABASE_URL"), SUPABASE_KEY)

@app.post("/avatar/{user_id}")
def upload(user_id: str, file: bytes):
    sb.storage.from_("avatars").upload(f"{user_id}.png", file)
    boto3.resource("dynamodb").Table("users").get_item(Key={"id": user_id})
    # sb.table("secrets").select("*").execute()
    return sb.rpc("bump_uploads", {"uid": user_id}).execute()
"#,
    );
    let FactData::DbClient(c) = &of_kind(&f, "db_client")[0].data else {
        unreachable!()
    };
    assert_eq!(c.client_kind, "anon");
    assert_eq!(c.key_env.as_deref(), Some("SUPABASE_ANON_KEY"));
    let access: Vec<_> = f
        .iter()
        .filter_map(|f| match &f.data {
            FactData::DbAccess(a) => Some(a),
            _ => None,
        })
        .collect();
    assert_eq!(access.len(), 1, "{access:#?}");
    assert_eq!(access[0].operation, "rpc");
    assert_eq!(access[0].table.as_deref(), Some("bump_uploads"));
    assert_eq!(access[0].client_kind, "anon");
    assert_eq!(access[0].filters[0].column, "uid");
    assert_eq!(access[0].filters[0].source, Provenance::Request);
}

#[test]
fn jwt_decode_without_verification_is_not_an_auth_check() {
    let f = facts(
        r#"
import jwt
from fastapi import FastAPI, Header, HTTPException

app = FastAPI()
SECRET = "x"

@app.get("/peek")
def peek(authorization: str = Header(...)):
    claims = jwt.decode(authorization, options={"verify_signature": False})
    return claims

@app.get("/me")
def me(authorization: str = Header(...)):
    claims = jwt.decode(authorization, SECRET, algorithms=["HS256"])
    return claims
"#,
    );
    let checks = of_kind(&f, "auth_check");
    assert_eq!(checks.len(), 1);
    let (_, me) = route(&f, "GET", "/me");
    assert_eq!(checks[0].scope, me.handler_scope);
    let FactData::AuthCheck(a) = &checks[0].data else {
        unreachable!()
    };
    assert_eq!(
        (a.provider.as_str(), a.user_var.as_deref()),
        ("jwt", Some("claims"))
    );
}

#[test]
fn cors_with_listed_origins_is_not_a_wildcard() {
    let f = facts(
        r#"
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

ORIGINS = ["https://app.example.com", "https://admin.example.com"]
app = FastAPI()
app.add_middleware(CORSMiddleware, allow_origins=ORIGINS, allow_credentials=True)
app.add_middleware(CORSMiddleware, allow_origin_regex=".*", allow_credentials=True)
"#,
    );
    let cors: Vec<_> = f
        .iter()
        .filter_map(|f| match &f.data {
            FactData::Cors(c) => Some((c.allow_origin.clone(), c.credentials)),
            _ => None,
        })
        .collect();
    assert_eq!(
        cors,
        vec![
            (
                "https://app.example.com,https://admin.example.com".to_string(),
                true
            ),
            ("reflect".to_string(), true)
        ]
    );
}

#[test]
fn query_built_in_steps_and_clients_per_function() {
    let f = facts(
        r#"
import os
from anthropic import Anthropic
from fastapi import FastAPI
from openai import OpenAI
from supabase import create_client

app = FastAPI()
supabase = create_client(os.environ["SUPABASE_URL"], os.environ["SUPABASE_SERVICE_ROLE_KEY"])

@app.get("/orders")
def orders(status: str | None = None, customer_id: str | None = None):
    query = supabase.table("orders").select("*")
    if status:
        query = query.eq("status", status)
    if customer_id:
        query = query.eq("customer_id", customer_id)
    return query.order("created_at", desc=True).limit(10).execute().data

def ask_claude(prompt):
    client = Anthropic(api_key=os.environ["ANTHROPIC_API_KEY"])
    return client.messages.create(model="claude-3-5-sonnet-latest", max_tokens=256, messages=[])

def ask_gpt(prompt):
    client = OpenAI()
    return client.chat.completions.create(model="gpt-4o", messages=[])
"#,
    );
    let access: Vec<_> = f
        .iter()
        .filter_map(|f| match &f.data {
            FactData::DbAccess(a) => Some(a),
            _ => None,
        })
        .collect();
    assert_eq!(access.len(), 1, "{access:#?}");
    let cols: Vec<(&str, Provenance)> = access[0]
        .filters
        .iter()
        .map(|f| (f.column.as_str(), f.source))
        .collect();
    assert_eq!(
        cols,
        vec![
            ("status", Provenance::Request),
            ("customer_id", Provenance::Request)
        ]
    );
    let services: Vec<&str> = f
        .iter()
        .filter_map(|f| match &f.data {
            FactData::ExternalCall(e) => Some(e.service.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(services, vec!["anthropic", "openai"]);
}

#[test]
fn role_flags_from_the_user_not_from_the_body() {
    let f = facts(
        r#"
from fastapi import APIRouter, Depends, HTTPException
from fastapi.security import OAuth2PasswordRequestForm
from .auth import get_current_user
from .db import supabase

router = APIRouter(prefix="/users")

@router.put("/update/{user_id}")
def update_user(user_id: str, data: UpdateUserRequest, current_user: dict = Depends(get_current_user)):
    if current_user["id"] != user_id and not current_user["is_admin"]:
        raise HTTPException(status_code=403)
    if data.is_admin:
        raise HTTPException(status_code=403)
    supabase.table("users").update({"is_admin": data.is_admin}).eq("id", user_id).execute()

@router.post("/login")
def login(form_data: OAuth2PasswordRequestForm = Depends()):
    return supabase.table("users").select("*").eq("username", form_data.username).execute()
"#,
    );
    let roles: Vec<_> = f
        .iter()
        .filter_map(|f| match &f.data {
            FactData::RoleCheck(r) => Some(r),
            _ => None,
        })
        .collect();
    assert_eq!(roles.len(), 1, "{roles:#?}");
    assert_eq!(roles[0].expr, "current_user[\"is_admin\"]");
    assert!(roles[0].enforced);
    let login = f
        .iter()
        .find_map(|f| match &f.data {
            FactData::DbAccess(a) if a.operation == "select" => Some(a),
            _ => None,
        })
        .unwrap();
    assert_eq!(login.filters[0].source, Provenance::Request);
}

#[test]
fn routers_from_other_files_are_mounts() {
    let f = facts(
        r#"
from fastapi import Depends, FastAPI
from .auth import get_current_user
from .routers import items, users

app = FastAPI()
app.include_router(users.router, prefix="/users", dependencies=[Depends(get_current_user)])
app.include_router(items.router, prefix="/items")
"#,
    );
    let mw: Vec<_> = f
        .iter()
        .filter_map(|f| match &f.data {
            FactData::Middleware(m) => Some(m),
            _ => None,
        })
        .collect();
    assert_eq!(mw.len(), 3, "{mw:#?}");
    assert_eq!(mw[0].names, vec!["users.router"]);
    assert_eq!(mw[0].matcher, vec!["/users"]);
    assert!(!mw[0].authenticates);
    assert_eq!(mw[1].names, vec!["Depends(get_current_user)"]);
    assert!(mw[1].authenticates);
    assert_eq!(mw[2].names, vec!["items.router"]);
    assert!(!mw[2].authenticates);
    assert!(of_kind(&f, "route").is_empty());
}

#[test]
fn raw_sql_filters_map_placeholders_to_values() {
    let f = facts(
        r#"
import asyncpg
import psycopg2
from fastapi import Depends, FastAPI
from sqlalchemy import text
from .auth import get_current_user

app = FastAPI()
conn = psycopg2.connect(os.environ["DATABASE_URL"])
GET_NOTE = "SELECT * FROM notes WHERE id = %s AND owner_id = %s"

@app.get("/notes/{note_id}")
def note(note_id: int, user=Depends(get_current_user)):
    cur = conn.cursor()
    cur.execute(GET_NOTE, (note_id, user.id))
    return cur.fetchone()

@app.get("/orders/{order_id}")
async def order(order_id: str, db=Depends(get_db)):
    await db.execute(text("select * from orders o where o.id = :oid and o.total::int > 0"), {"oid": order_id})
    return await pool.fetchrow('SELECT * FROM "public"."orders" WHERE id = $1', order_id)

@app.post("/search")
def search(q: str):
    cur = conn.cursor()
    cur.execute(f"SELECT * FROM products WHERE name = '{q}' AND hidden = {False}")
    cur.execute("UPDATE products SET views = views + 1 WHERE name = %s", [q])
    executor.execute(job)
"#,
    );
    let access: Vec<_> = f
        .iter()
        .filter_map(|f| match &f.data {
            FactData::DbAccess(a) => Some(a),
            _ => None,
        })
        .collect();
    assert_eq!(access.len(), 5, "{access:#?}");
    assert!(access.iter().all(|a| a.library == "raw-sql"));
    let cols = |i: usize| -> Vec<(String, Provenance)> {
        access[i]
            .filters
            .iter()
            .map(|f| (f.column.clone(), f.source))
            .collect()
    };
    assert_eq!(access[0].table.as_deref(), Some("notes"));
    assert_eq!(
        cols(0),
        vec![
            ("id".to_string(), Provenance::Request),
            ("owner_id".to_string(), Provenance::User)
        ]
    );
    assert_eq!(cols(1), vec![("id".to_string(), Provenance::Request)]);
    assert_eq!(access[2].table.as_deref(), Some("public.orders"));
    assert_eq!(cols(2), vec![("id".to_string(), Provenance::Request)]);
    // f-string holes: `name = '{q}'` is quoted text, `hidden = {False}` a literal.
    assert_eq!(cols(3), vec![("hidden".to_string(), Provenance::Literal)]);
    assert_eq!(access[4].operation, "update");
    assert_eq!(cols(4), vec![("name".to_string(), Provenance::Request)]);
}

#[test]
fn class_based_auth_dependencies() {
    let f = facts(
        r#"
from fastapi import Depends, FastAPI
from fastapi.security import HTTPBearer
from .auth import JWTBearer, Pagination

app = FastAPI()

@app.get("/a", dependencies=[Depends(JWTBearer())])
def a():
    return {}

@app.get("/b")
def b(creds=Depends(HTTPBearer()), page: Pagination = Depends()):
    return {}
"#,
    );
    let checks: Vec<_> = f
        .iter()
        .filter_map(|f| match &f.data {
            FactData::AuthCheck(a) => Some(a.method.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(
        checks,
        vec!["Depends(JWTBearer())", "Depends(HTTPBearer())"]
    );
}

#[test]
fn webhook_that_fails_open_or_parses_first() {
    let f = facts(
        r#"
import json, os
import stripe
from fastapi import FastAPI, Request

app = FastAPI()
endpoint_secret = os.getenv("STRIPE_WEBHOOK_SECRET")

@app.post("/webhooks/stripe")
async def stripe_hook(request: Request):
    payload = await request.body()
    if endpoint_secret:
        event = stripe.Webhook.construct_event(payload, request.headers["stripe-signature"], endpoint_secret)
    else:
        event = json.loads(payload)
    return {}

@app.post("/webhooks/stripe2")
async def stripe_hook2(request: Request):
    data = await request.json()
    event = stripe.Webhook.construct_event(await request.body(), request.headers["stripe-signature"], endpoint_secret)
    return {}
"#,
    );
    let hooks: Vec<_> = f
        .iter()
        .filter_map(|f| match &f.data {
            FactData::Webhook(w) => Some(w),
            _ => None,
        })
        .collect();
    assert_eq!(hooks.len(), 2);
    assert!(hooks[0].fails_open && !hooks[0].payload_used_before_verify);
    assert!(!hooks[1].fails_open && hooks[1].payload_used_before_verify);
    assert!(hooks.iter().all(|h| h.verified && h.provider == "stripe"));
}

const ALIAS_APP: &str = r#"
from typing import Annotated
import typing

from fastapi import APIRouter, Depends, Security
from sqlmodel import Session

from app.core.db import Item, engine, get_current_user
from app.models import ItemCreate
from .deps import AdminUser as Admin

router = APIRouter()


def get_db():
    with Session(engine) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_db)]
CurrentUser = typing.Annotated[dict, Security(get_current_user, scopes=["items"])]


@router.get("/items")
def read_items(session: SessionDep, current_user: CurrentUser):
    return session.exec("select 1").all()


@router.get("/export")
def export_items(session: SessionDep):
    return session.get(Item, 1)


@router.post("/admin/items")
def create_item(admin: Admin, item_in: ItemCreate, limit: int = 10):
    return item_in
"#;

fn auth_checks_in<'a>(f: &'a [lm_core::Fact], scope: &str) -> Vec<&'a lm_core::fact::AuthCheck> {
    in_scope(f, scope)
        .into_iter()
        .filter_map(|f| match &f.data {
            FactData::AuthCheck(a) => Some(a),
            _ => None,
        })
        .collect()
}

#[test]
fn same_file_dependency_alias_is_the_dependency() {
    let f = facts(ALIAS_APP);
    let (_, read) = route(&f, "GET", "/items");
    let checks = auth_checks_in(&f, read.handler_scope.as_deref().unwrap());
    assert_eq!(checks.len(), 1, "{checks:?}");
    assert!(checks[0].method.contains("get_current_user"), "{checks:?}");
    assert_eq!(checks[0].user_var.as_deref(), Some("current_user"));
    assert_eq!(
        read.middleware,
        vec!["Annotated:SessionDep", "Annotated:CurrentUser"]
    );

    // `SessionDep` carries a database session, not an auth check.
    let (_, export) = route(&f, "GET", "/export");
    assert!(auth_checks_in(&f, export.handler_scope.as_deref().unwrap()).is_empty());
    assert_eq!(export.middleware, vec!["Annotated:SessionDep"]);
    let db = in_scope(&f, export.handler_scope.as_deref().unwrap())
        .into_iter()
        .find_map(|f| match &f.data {
            FactData::DbAccess(d) => Some(d),
            _ => None,
        })
        .expect("a db_access through the session");
    assert_eq!(db.client_kind, "server");
}

#[test]
fn dependency_aliases_are_function_facts_calling_the_dependency() {
    let f = facts(ALIAS_APP);
    let funcs: Vec<(&str, &[String])> = f
        .iter()
        .filter_map(|x| match &x.data {
            FactData::Function(func) => Some((func.name.as_str(), func.calls.as_slice())),
            _ => None,
        })
        .collect();
    let alias = |n: &str| {
        funcs
            .iter()
            .find(|(name, _)| *name == n)
            .map(|(_, c)| c.to_vec())
    };
    assert_eq!(alias("SessionDep"), Some(vec!["get_db".to_string()]));
    assert_eq!(
        alias("CurrentUser"),
        Some(vec!["get_current_user".to_string()])
    );
    // Plain assignments and imports are not.
    assert_eq!(alias("router"), None);
    assert_eq!(alias("Admin"), None);
}

#[test]
fn imported_aliases_are_named_for_the_consumer_and_library_types_are_not() {
    let f = facts(ALIAS_APP);
    let (_, create) = route(&f, "POST", "/admin/items");
    // `Admin` is `AdminUser` of a local module: named for a consumer, which counts it
    // only through a definition found elsewhere; `ItemCreate` comes from a models module.
    assert_eq!(create.middleware, vec!["Annotated:AdminUser"]);
    assert!(auth_checks_in(&f, create.handler_scope.as_deref().unwrap()).is_empty());

    let f = facts(
        r#"
from fastapi import FastAPI, Request
from sqlalchemy.orm import Session
from pydantic import BaseModel

app = FastAPI()

@app.get("/x")
def x(request: Request, db: Session, body: BaseModel):
    return 1
"#,
    );
    let (_, x) = route(&f, "GET", "/x");
    assert!(x.middleware.is_empty(), "{:?}", x.middleware);
}
