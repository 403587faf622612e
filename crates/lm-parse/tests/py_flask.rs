//! Flask facts, read through the library from a realistic app and snippets.

mod py_support;

use lm_core::fact::{FactData, Provenance};
use py_support::*;

#[test]
fn routes_blueprints_and_methods() {
    let f = facts_of("flask_app.py");
    assert_eq!(of_kind(&f, "route").len(), 8);
    let (_, note) = route(&f, "DELETE", "/api/notes/<int:note_id>");
    assert_eq!(note.methods, vec!["GET", "DELETE"]);
    assert_eq!(note.framework, "flask");
    assert_eq!(note.middleware, vec!["login_required"]);
    let (_, user) = route(&f, "GET", "/api/users/<user_id>");
    assert_eq!(user.middleware, vec!["jwt_required()"]);
    let (_, login) = route(&f, "POST", "/login");
    assert!(login.public);
    let (_, settings) = route(&f, "POST", "/settings");
    assert!(!settings.public && settings.middleware.is_empty());
}

#[test]
fn login_required_above_the_route_decorator_protects_nothing() {
    let f = facts_of("flask_app.py");
    let (_, create) = route(&f, "POST", "/api/notes");
    assert!(create.middleware.is_empty());
    let scope = create.handler_scope.clone().unwrap();
    assert!(in_scope(&f, &scope)
        .iter()
        .all(|f| f.kind() != "auth_check"));
}

#[test]
fn decorators_and_guards_are_auth_and_role_checks() {
    let f = facts_of("flask_app.py");
    let (_, del) = route(&f, "DELETE", "/admin/users/<int:uid>");
    let scope = del.handler_scope.clone().unwrap();
    let in_del = in_scope(&f, &scope);
    let providers: Vec<&str> = in_del
        .iter()
        .filter_map(|f| match &f.data {
            FactData::AuthCheck(a) => Some(a.provider.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(providers, vec!["flask-login", "custom"]);
    assert!(in_del.iter().any(|f| matches!(&f.data,
        FactData::RoleCheck(r) if r.role.as_deref() == Some("admin") && r.enforced)));

    let (_, settings) = route(&f, "POST", "/settings");
    let scope = settings.handler_scope.clone().unwrap();
    let in_settings = in_scope(&f, &scope);
    assert!(in_settings.iter().any(|f| matches!(&f.data,
        FactData::AuthCheck(a) if a.method == "current_user.is_authenticated" && a.enforced)));
    assert!(in_settings.iter().any(|f| matches!(&f.data,
        FactData::RoleCheck(r) if r.expr == "current_user.role != \"admin\"" && r.enforced)));

    let (_, user) = route(&f, "GET", "/api/users/<user_id>");
    let scope = user.handler_scope.clone().unwrap();
    assert!(in_scope(&f, &scope).iter().any(|f| matches!(&f.data,
        FactData::AuthCheck(a) if a.provider == "jwt" && a.method == "jwt_required")));
}

#[test]
fn sqlalchemy_accesses_and_provenance() {
    let f = facts_of("flask_app.py");
    let access: Vec<_> = f
        .iter()
        .filter_map(|f| match &f.data {
            FactData::DbAccess(a) => Some(a),
            _ => None,
        })
        .collect();
    assert_eq!(access.len(), 7, "{access:#?}");
    // `Note.query.filter_by(id=note_id, owner_id=current_user.id)`
    let filters: Vec<(&str, Provenance)> = access[0]
        .filters
        .iter()
        .map(|f| (f.column.as_str(), f.source))
        .collect();
    assert_eq!(
        filters,
        vec![("id", Provenance::Request), ("owner_id", Provenance::User)]
    );
    assert_eq!(access[1].operation, "delete");
    // `User.query.get_or_404(user_id)`: BOLA material.
    assert_eq!(access[2].table.as_deref(), Some("User"));
    assert_eq!(access[2].filters[0].source, Provenance::Request);
    // `db.session.add(Note(title=data["title"], owner_id=current_user.id))`
    assert_eq!(access[3].operation, "insert");
    assert_eq!(access[3].table.as_deref(), Some("Note"));
    assert_eq!(access[3].values[0].source, Provenance::Request);
    assert_eq!(access[3].values[1].source, Provenance::User);
    // `db.session.query(User).filter(User.id == uid).delete()`
    assert_eq!(access[4].operation, "delete");
    assert_eq!(access[4].filters[0].column, "id");
    // `db.select(User).where(User.email == email)` with `email = request.form[...]`
    assert_eq!(access[5].filters[0].column, "email");
    assert_eq!(access[5].filters[0].source, Provenance::Request);
    assert_eq!(access[6].table.as_deref(), Some("Event"));

    let FactData::DbClient(c) = &of_kind(&f, "db_client")[0].data else {
        unreachable!()
    };
    assert_eq!(
        (c.library.as_str(), c.client_kind.as_str()),
        ("sqlalchemy", "server")
    );
}

#[test]
fn webhooks_hmac_compare_styles() {
    let f = facts_of("flask_app.py");
    let hooks: Vec<_> = f
        .iter()
        .filter_map(|f| match &f.data {
            FactData::Webhook(w) => Some(w),
            _ => None,
        })
        .collect();
    assert_eq!(hooks.len(), 2);
    assert_eq!(hooks[0].provider, "github");
    assert!(hooks[0].verified);
    assert_eq!(hooks[0].timing_safe, Some(false));
    assert!(hooks[0].side_effects && !hooks[0].idempotent);
    assert_eq!(hooks[1].provider, "lemonsqueezy");
    assert_eq!(hooks[1].timing_safe, Some(true));
    assert_eq!(
        hooks[1].verify_method.as_deref(),
        Some("hmac.compare_digest")
    );
}

#[test]
fn cors_limiter_and_before_request_hook() {
    let f = facts_of("flask_app.py");
    let FactData::Cors(c) = &of_kind(&f, "cors")[0].data else {
        unreachable!()
    };
    assert_eq!(
        (c.allow_origin.as_str(), c.credentials, c.mechanism.as_str()),
        ("*", true, "flask-cors")
    );
    let mw: Vec<_> = f
        .iter()
        .filter_map(|f| match &f.data {
            FactData::Middleware(m) => Some(m),
            _ => None,
        })
        .collect();
    assert_eq!(mw.len(), 2);
    assert!(mw[0].rate_limits);
    assert_eq!(mw[1].names, vec!["require_login_for_admin"]);
    assert!(mw[1].authenticates);
    let rl = of_kind(&f, "rate_limit");
    let (_, login) = route(&f, "POST", "/login");
    assert_eq!(rl.len(), 1);
    assert_eq!(rl[0].scope, login.handler_scope);
}

#[test]
fn unverified_webhook_and_secret_header_cron() {
    let f = facts(
        r#"
import json, os
from flask import Flask, request, abort

app = Flask(__name__)

@app.route("/api/stripe-webhook", methods=["POST"])
def stripe_webhook():
    event = json.loads(request.data)
    if event["type"] == "checkout.session.completed":
        grant_credits(event["data"]["object"]["customer"])
    return "", 200

@app.post("/cron/cleanup")
def cleanup():
    if request.headers.get("Authorization") != f"Bearer {os.environ['CRON_SECRET']}":
        abort(401)
    return "ok"
"#,
    );
    let FactData::Webhook(w) = &of_kind(&f, "webhook")[0].data else {
        unreachable!()
    };
    assert_eq!(w.provider, "stripe");
    assert!(!w.verified);
    let checks: Vec<_> = f
        .iter()
        .filter_map(|f| match &f.data {
            FactData::AuthCheck(a) => Some(a),
            _ => None,
        })
        .collect();
    assert_eq!(checks.len(), 1);
    assert_eq!(checks[0].provider, "secret-header");
    assert!(checks[0].enforced);
}

#[test]
fn look_alikes_are_not_facts() {
    let f = facts(
        r#"
import os
from flask import Flask, jsonify, request

app = Flask(__name__)
settings = {"environ": "os.environ['NOT_READ']"}

@app.route("/chat", methods=["POST"])
def chat():
    messages = request.json["messages"]
    last = [m for m in messages if m["role"] == "user"]
    config.environ["X"] = 1
    user = get_user_by_id(request.json["id"])
    return jsonify(last)
"#,
    );
    assert!(of_kind(&f, "role_check").is_empty(), "{f:#?}");
    assert!(of_kind(&f, "env_read").is_empty());
    assert!(of_kind(&f, "auth_check").is_empty());
    assert_eq!(of_kind(&f, "route").len(), 1);
}

#[test]
fn add_url_rule_and_registered_blueprint_prefix() {
    let f = facts(
        r#"
from flask import Blueprint, Flask
from flask_login import login_required

bp = Blueprint("admin", __name__)

@bp.route("/stats")
@login_required
def stats():
    return "ok"

def export():
    return "csv"

app = Flask(__name__)
app.add_url_rule("/export", view_func=export, methods=["POST"])
app.register_blueprint(bp, url_prefix="/admin")
"#,
    );
    let (_, stats) = route(&f, "GET", "/admin/stats");
    assert_eq!(stats.middleware, vec!["login_required"]);
    let (fact, export) = route(&f, "POST", "/export");
    assert_eq!(export.handler.as_deref(), Some("export"));
    assert_eq!(fact.line, 16);
}

#[test]
fn class_based_views() {
    let f = facts(
        r#"
from flask import Flask
from flask.views import MethodView
from flask_jwt_extended import jwt_required
from flask_restful import Api, Resource, reqparse
from flask_restx import Namespace

from .models import Todo, db

app = Flask(__name__)
api = Api(app)
ns = Namespace("projects", path="/projects")
parser = reqparse.RequestParser()
parser.add_argument("title")

class TodoResource(Resource):
    method_decorators = [jwt_required()]

    def get(self, todo_id):
        return Todo.query.get_or_404(todo_id).to_dict()

    def put(self, todo_id):
        args = parser.parse_args()
        db.session.query(Todo).filter(Todo.id == todo_id).update({"title": args["title"]})

    def helper(self):
        return None

@ns.route("/<int:project_id>")
class Project(Resource):
    def delete(self, project_id):
        return "", 204

class UserAPI(MethodView):
    def get(self, user_id):
        return "user"

api.add_resource(TodoResource, "/todos/<int:todo_id>")
app.add_url_rule("/users/<int:user_id>", view_func=UserAPI.as_view("user"))
"#,
    );
    assert_eq!(of_kind(&f, "route").len(), 4, "{f:#?}");
    let (_, get) = route(&f, "GET", "/todos/<int:todo_id>");
    assert_eq!(get.middleware, vec!["jwt_required()"]);
    assert_eq!(get.handler.as_deref(), Some("get"));
    let (_, put) = route(&f, "PUT", "/todos/<int:todo_id>");
    let scope = put.handler_scope.clone().unwrap();
    let update = in_scope(&f, &scope)
        .into_iter()
        .find_map(|f| match &f.data {
            FactData::DbAccess(a) => Some(a),
            _ => None,
        })
        .unwrap();
    assert_eq!(update.operation, "update");
    assert_eq!(update.filters[0].source, Provenance::Request);
    assert_eq!(update.values[0].source, Provenance::Request);
    route(&f, "DELETE", "/projects/<int:project_id>");
    route(&f, "GET", "/users/<int:user_id>");
    assert_eq!(of_kind(&f, "auth_check").len(), 2);
}

#[test]
fn session_based_login_checks() {
    let f = facts(
        r#"
from flask import Flask, redirect, session, url_for
from .db import supabase

app = Flask(__name__)

@app.route("/report")
def report():
    if not session.get("isAuthenticated", False):
        return redirect(url_for("index"))
    return supabase.table("reports").select("*").eq("user", session.get("user_id", -1)).execute()

@app.route("/profile")
def profile():
    if "user_id" not in session:
        return redirect(url_for("login"))
    return "me"

@app.route("/theme")
def theme():
    if session.get("theme") == "dark":
        return "dark"
    return "light"
"#,
    );
    let checks: Vec<_> = f
        .iter()
        .filter_map(|f| match &f.data {
            FactData::AuthCheck(a) => Some(a),
            _ => None,
        })
        .collect();
    assert_eq!(checks.len(), 2, "{checks:#?}");
    assert!(checks.iter().all(|c| c.enforced));
    let access = f
        .iter()
        .find_map(|f| match &f.data {
            FactData::DbAccess(a) => Some(a),
            _ => None,
        })
        .unwrap();
    assert_eq!(access.filters[0].source, Provenance::User);
}

#[test]
fn blueprints_from_other_files_are_mounts() {
    let f = facts(
        r#"
from flask import Flask
from .views.orders import orders_bp

app = Flask(__name__)
app.register_blueprint(orders_bp, url_prefix="/api/orders")
"#,
    );
    let FactData::Middleware(m) = &of_kind(&f, "middleware")[0].data else {
        unreachable!()
    };
    assert_eq!(
        (m.names[0].as_str(), m.matcher[0].as_str()),
        ("orders_bp", "/api/orders")
    );
    assert_eq!(m.order, 6);
}
