//! Taint flow facts for Python (Flask, FastAPI, DB-API, SQLAlchemy, Jinja, logging),
//! each with a vulnerable case and a safe look-alike.

#[path = "flow_common.rs"]
mod common;

use common::{dangerous, inputs, sinks};
use lm_core::fact::Provenance;

#[test]
fn flask_cursor_execute_fstring_percent_format_and_concat() {
    let src = r#"
from flask import Flask, request
import sqlite3

app = Flask(__name__)

@app.route("/search")
def search():
    q = request.args.get("q", "")
    conn = sqlite3.connect("app.db")
    cur = conn.cursor()
    cur.execute(f"SELECT * FROM products WHERE name LIKE '%{q}%'")
    cur.execute("SELECT * FROM products WHERE name = '%s'" % q)
    cur.execute("SELECT * FROM products WHERE name = '{}'".format(q))
    cur.execute("SELECT * FROM products WHERE name = '" + q + "'")
    cur.execute("SELECT * FROM products WHERE name = ?", (q,))
    cur.execute("SELECT * FROM products WHERE id = %s" % int(request.args["id"]))
    return {"rows": cur.fetchall()}
"#;
    let s = dangerous("app.py", src, "sql");
    let lines: Vec<u64> = s.iter().map(|(l, _)| *l).collect();
    assert_eq!(lines, vec![12, 13, 14, 15], "{:#?}", sinks("app.py", src));
    assert_eq!(
        s[0].1.source_expr.as_deref(),
        Some("request.args.get(\"q\", \"\")")
    );
    assert!(s[0].1.via.iter().any(|v| v == "f-string"));
    assert!(s[1].1.via.iter().any(|v| v == "% formatting"));
    assert!(s[2].1.via.iter().any(|v| v == ".format()"));
    let ins = inputs("app.py", src);
    assert!(
        ins.contains(&("query".into(), Some("q".into()), Some("q".into()))),
        "{ins:?}"
    );
}

#[test]
fn fastapi_sqlalchemy_text_with_typed_parameters() {
    let src = r#"
from fastapi import FastAPI, Depends
from sqlalchemy import text
from sqlalchemy.orm import Session

app = FastAPI()

@app.get("/items")
def list_items(name: str, limit: int = 10, db: Session = Depends(get_db)):
    rows = db.execute(text(f"SELECT * FROM items WHERE name = '{name}' LIMIT {limit}"))
    safe = db.execute(text(f"SELECT * FROM items LIMIT {limit}"))
    bound = db.execute(text("SELECT * FROM items WHERE name = :name"), {"name": name})
    return rows.mappings().all()
"#;
    let all = sinks("main.py", src);
    let s = dangerous("main.py", src, "sql");
    assert_eq!(s.len(), 1, "{all:#?}");
    assert_eq!(s[0].0, 10);
    assert_eq!(s[0].1.api, "text");
    assert!(all
        .iter()
        .any(|(l, s)| *l == 11 && s.source == Some(Provenance::Validated)));
}

#[test]
fn fastapi_pydantic_body_fields_by_type() {
    let src = r#"
from fastapi import FastAPI
from pydantic import BaseModel
import logging

logger = logging.getLogger(__name__)
app = FastAPI()

class Order(BaseModel):
    order_id: int
    note: str

@app.post("/orders")
async def create_order(order: Order):
    logger.info("order %s received", order.order_id)
    logger.info("order note: %s", order.note)
    await database.execute(f"UPDATE orders SET note = '{order.note}' WHERE id = {order.order_id}")
    return {"ok": True}
"#;
    let logs = dangerous("api.py", src, "log");
    assert_eq!(logs.len(), 1, "{:#?}", sinks("api.py", src));
    assert_eq!(logs[0].0, 16);
    let sql = dangerous("api.py", src, "sql");
    assert_eq!(sql.len(), 1);
    assert_eq!(sql[0].1.source_expr.as_deref(), Some("order.note"));
}

#[test]
fn render_template_string_markup_and_returned_html() {
    let src = r#"
from flask import Flask, request, render_template_string, render_template
from markupsafe import Markup, escape
import bleach

app = Flask(__name__)

@app.route("/hello/<name>")
def hello(name):
    return render_template_string("<h1>Hello " + name + "</h1>")

@app.route("/safe/<name>")
def safe(name):
    return render_template_string("<h1>Hello {{ name }}</h1>", name=name)

@app.route("/bio")
def bio():
    bio = request.form["bio"]
    clean = bleach.clean(bio)
    a = Markup(f"<p>{bio}</p>")
    b = Markup(clean)
    return f"<div>{escape(bio)}</div>"

@app.route("/echo")
def echo():
    return f"<p>You said {request.args.get('msg')}</p>"

@app.route("/user/<int:user_id>")
def user(user_id):
    return f"<p>user {user_id}</p>"
"#;
    let t = dangerous("views.py", src, "template");
    assert_eq!(t.len(), 1, "{:#?}", sinks("views.py", src));
    assert_eq!(t[0].0, 10);
    let h = dangerous("views.py", src, "html");
    let lines: Vec<u64> = h.iter().map(|(l, _)| *l).collect();
    assert_eq!(lines, vec![20, 26], "{:#?}", sinks("views.py", src));
}

#[test]
fn logging_with_newline_neutralisation_is_safe() {
    let src = r#"
import logging
from flask import request

log = logging.getLogger("auth")

@app.post("/login")
def login():
    user = request.form.get("username")
    logging.warning("failed login for " + user)
    log.info("failed login for %s", user.replace("\n", "").replace("\r", ""))
    log.info("failed login for %r", repr(user))
    log.info(f"failed login for {user!r}")
    log.info("headers", extra={"user": user})
    return "", 401
"#;
    let s = dangerous("auth.py", src, "log");
    let lines: Vec<u64> = s.iter().map(|(l, _)| *l).collect();
    assert_eq!(lines, vec![10], "{:#?}", sinks("auth.py", src));
}

#[test]
fn helper_one_level_and_stored_rows() {
    let src = r#"
from flask import request, Markup

def build_filter(column, value):
    return f"{column} = '{value}'"

@app.route("/filter")
def filter_view():
    where = build_filter("name", request.args["name"])
    cursor.execute("SELECT * FROM t WHERE " + where)
    cursor.execute("SELECT bio FROM users WHERE id = 1")
    row = cursor.fetchone()
    return Markup(row[0])
"#;
    let sql = dangerous("f.py", src, "sql");
    assert_eq!(sql.len(), 1, "{:#?}", sinks("f.py", src));
    assert!(sql[0].1.via.iter().any(|v| v == "helper build_filter"));
    let html = dangerous("f.py", src, "html");
    assert_eq!(html.len(), 1);
    assert_eq!(html[0].1.source, Some(Provenance::Database));
}

#[test]
fn non_route_functions_do_not_taint_parameters() {
    let src = r#"
def migrate(cursor, table):
    cursor.execute(f"ALTER TABLE {table} ADD COLUMN x int")
    logging.info("migrated %s", table)
"#;
    assert!(dangerous("migrate.py", src, "sql").is_empty());
    assert!(dangerous("migrate.py", src, "log").is_empty());
}

#[test]
fn flask_module_request_and_url_in_templates() {
    let src = r#"
import flask

app = flask.Flask(__name__)

@app.route("/error")
def error():
    template = "<h1>Not found: %s</h1>" % flask.request.url
    app.logger.info("not found: %s", flask.request.url)
    return flask.render_template_string(template), 404

@app.route("/x")
def x():
    page = open("page.html").read()
    return flask.make_response(page.replace("{{ q }}", flask.request.args.get("q")))
"#;
    let t = dangerous("errors.py", src, "template");
    assert_eq!(t.len(), 1, "{:#?}", sinks("errors.py", src));
    assert_eq!(t[0].0, 10);
    // A URL is percent-encoded: no CR/LF reaches the log.
    assert!(dangerous("errors.py", src, "log").is_empty());
    let h = dangerous("errors.py", src, "html");
    assert_eq!(h.iter().map(|(l, _)| *l).collect::<Vec<_>>(), vec![15]);
}

#[test]
fn sinks_inside_same_file_helpers_are_reported_at_the_call() {
    let src = r#"
import sqlite3
from flask import Flask, request

app = Flask(__name__)

def execute_read_query(connection, query):
    cursor = connection.cursor()
    cursor.execute(query)
    return cursor.fetchall()

def run(query):
    conn = sqlite3.connect("app.db")
    conn.execute(query)

@app.route("/users")
def users():
    conn = sqlite3.connect("app.db")
    name = request.args.get("name")
    rows = execute_read_query(conn, f"SELECT * FROM users WHERE name = '{name}'")
    run(f"DELETE FROM sessions WHERE user = '{name}'")
    execute_read_query(conn, "SELECT * FROM users")
    return {"rows": rows}
"#;
    let s = dangerous("app.py", src, "sql");
    let got: Vec<(u64, &str)> = s.iter().map(|(l, s)| (*l, s.api.as_str())).collect();
    assert_eq!(
        got,
        vec![
            (20, "execute_read_query() → cursor.execute"),
            (21, "run() → conn.execute")
        ],
        "{:#?}",
        sinks("app.py", src)
    );
    // No fact leaks the helper's internal parameter markers.
    assert!(sinks("app.py", src).iter().all(|(_, s)| !s
        .source_expr
        .as_deref()
        .unwrap_or("")
        .contains('\u{0}')));
}
