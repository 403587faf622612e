//! XSS through Jinja templates rendered by name: `render_template("page.html", x=...)`
//! (Flask) and `TemplateResponse("page.html", {...})` (Starlette), where the template
//! prints the value raw. Each case has a safe look-alike.

use std::path::Path;

use lm_core::fact::{Provenance, Sink};
use lm_core::{FactData, FileRecord, Role};

/// Writes `files` under a fresh directory and returns the HTML sinks lm-parse finds in
/// the Python file `py` (relative to that directory, which is the scan root).
fn html_sinks(files: &[(&str, &str)], py: &str) -> Vec<(u64, Sink)> {
    let dir = tempfile::tempdir().expect("temp dir");
    sinks_in(dir.path(), files, py)
}

fn sinks_in(root: &Path, files: &[(&str, &str)], py: &str) -> Vec<(u64, Sink)> {
    for (p, text) in files {
        let path = root.join(p);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    let src = files.iter().find(|(p, _)| *p == py).unwrap().1;
    let file = FileRecord {
        path: py.to_string(),
        path_bytes: None,
        root: root.to_string_lossy().into_owned(),
        language: None,
        size: src.len() as u64,
        binary: false,
        role: Role::Server,
        role_reason: String::new(),
    };
    let mut out = lm_parse::Extraction::default();
    lm_parse::extract_source(&file, src, &mut out);
    out.facts
        .into_iter()
        .filter_map(|f| match f.data {
            FactData::Sink(s) if s.sink == "html" => Some((f.line, s)),
            _ => None,
        })
        .collect()
}

/// The sinks lm-inject reports on (request or database data).
fn dangerous(s: &[(u64, Sink)]) -> Vec<(u64, String, Provenance)> {
    s.iter()
        .filter(|(_, s)| matches!(s.source, Some(Provenance::Request | Provenance::Database)))
        .map(|(l, s)| (*l, s.api.clone(), s.source.unwrap()))
        .collect()
}

const APP: &str = r#"import sqlite3

import bleach
from flask import Flask, render_template, request

app = Flask(__name__)


def db():
    return sqlite3.connect("app.db")


@app.route("/posts/<int:post_id>")
def show_post(post_id):
    cur = db().cursor()
    cur.execute("SELECT title, body FROM posts WHERE id = ?", (post_id,))
    post = cur.fetchone()
    cur.execute("SELECT author, body FROM comments WHERE post_id = ?", (post_id,))
    comments = cur.fetchall()
    return render_template(
        "post.html",
        post=post,
        comments=comments,
        q=request.args.get("q", ""),
        banner="<b>Welcome</b>",
    )


@app.route("/preview")
def preview():
    text = request.args.get("text", "")
    return render_template("post.html", post={"title": "Preview", "body": bleach.clean(text)}, comments=[], q=text)
"#;

const POST_HTML: &str = r#"{% extends "base.html" %}
{% block content %}
<h1>{{ post.title }}</h1>
<article>{{ post.body|safe }}</article>
<p>You searched for {{ q }}</p>
{% for c in comments %}
  <li><b>{{ c.author }}</b> {{ c.body | safe }}</li>
{% endfor %}
{% endblock %}
"#;

const BASE_HTML: &str = r#"<html><body>
<div class="banner">{{ banner|safe }}</div>
{% block content %}{% endblock %}
</body></html>
"#;

#[test]
fn stored_values_printed_safe_are_html_sinks() {
    let s = html_sinks(
        &[
            ("app.py", APP),
            ("templates/post.html", POST_HTML),
            ("templates/base.html", BASE_HTML),
        ],
        "app.py",
    );
    let d = dangerous(&s);
    assert_eq!(
        d,
        vec![
            (
                22,
                "render_template post.html:4 {{ post.body|safe }}".to_string(),
                Provenance::Database
            ),
            (
                23,
                "render_template post.html:7 {{ c.body | safe }}".to_string(),
                Provenance::Database
            ),
        ],
        "{s:#?}"
    );
    // `q` is autoescaped, `banner` is a constant, and the preview's body went through
    // bleach.clean: its sink at line 32 is sanitised.
    let preview: Vec<_> = s.iter().filter(|(l, _)| *l == 32).collect();
    assert_eq!(preview.len(), 1, "{s:#?}");
    assert_eq!(preview[0].1.source, Some(Provenance::Sanitized));
    assert_eq!(preview[0].1.sanitizer.as_deref(), Some("bleach.clean"));
}

#[test]
fn reflected_input_through_kwargs_splat_and_autoescape_block() {
    let app = r#"from flask import Flask, render_template, request

app = Flask(__name__)


@app.route("/search")
def search():
    q = request.args.get("q", "")
    ctx = {"query": q, "title": "Search"}
    return render_template("search.html", **ctx)


@app.route("/hello")
def hello():
    name = request.args.get("name", "friend")
    return render_template("hello.html", **locals())


@app.route("/safe-search")
def safe_search():
    q = request.args.get("q", "")
    return render_template("plain.html", query=q)
"#;
    let s = html_sinks(
        &[
            ("app.py", app),
            (
                "templates/search.html",
                "<h2>{{ title|safe }}</h2>\n<p>Results for {{ query|safe }}</p>\n",
            ),
            (
                "templates/hello.html",
                "{% autoescape false %}\n<h1>Hello {{ name }}</h1>\n{% endautoescape %}\n",
            ),
            (
                "templates/plain.html",
                "<p>Results for {{ query }}</p>\n<p>{{ query|e|safe }}</p>\n",
            ),
        ],
        "app.py",
    );
    let d = dangerous(&s);
    assert_eq!(
        d,
        vec![
            (
                10,
                "render_template search.html:2 {{ query|safe }}".to_string(),
                Provenance::Request
            ),
            (
                16,
                "render_template hello.html:2 {{ name }}".to_string(),
                Provenance::Request
            ),
        ],
        "{s:#?}"
    );
}

#[test]
fn templates_are_found_up_the_tree_and_in_blueprint_folders() {
    let views = r#"from flask import Blueprint, render_template, request

bp = Blueprint("profile", __name__, template_folder="views")


@bp.route("/profile")
def profile():
    return render_template("profile/show.html", bio=request.form["bio"])


@bp.route("/about")
def about():
    return render_template("about.html", blurb=request.args["blurb"])
"#;
    let s = html_sinks(
        &[
            ("app/routes/profile.py", views),
            (
                "app/routes/views/profile/show.html",
                "<div>{{ bio|safe }}</div>\n",
            ),
            ("app/templates/about.html", "<p>{{ blurb|safe }}</p>\n"),
        ],
        "app/routes/profile.py",
    );
    let lines: Vec<u64> = dangerous(&s).iter().map(|d| d.0).collect();
    assert_eq!(lines, vec![8, 13], "{s:#?}");
}

#[test]
fn names_leaving_the_scan_root_are_not_read() {
    let outer = tempfile::tempdir().unwrap();
    let root = outer.path().join("app");
    std::fs::create_dir_all(&root).unwrap();
    // A template beside (outside) the scan root, and one reached with `..`.
    std::fs::create_dir_all(outer.path().join("templates")).unwrap();
    std::fs::write(outer.path().join("templates/out.html"), "{{ x|safe }}").unwrap();
    std::fs::write(outer.path().join("evil.html"), "{{ x|safe }}").unwrap();
    let app = r#"from flask import Flask, render_template, request
app = Flask(__name__)

@app.route("/")
def index():
    x = request.args.get("x")
    render_template("out.html", x=x)
    return render_template("../../evil.html", x=x)
"#;
    let s = sinks_in(&root, &[("app.py", app)], "app.py");
    assert!(dangerous(&s).is_empty(), "{s:#?}");
}

#[test]
fn starlette_template_response_context() {
    let app = r#"from fastapi import FastAPI, Request
from fastapi.templating import Jinja2Templates

app = FastAPI()
templates = Jinja2Templates(directory="templates")


@app.get("/greet")
async def greet(request: Request, name: str):
    return templates.TemplateResponse("greet.html", {"request": request, "name": name, "motd": "hi"})


@app.get("/greet-plain")
async def greet_plain(request: Request, name: str):
    return templates.TemplateResponse(request, "plain.html", context={"name": name})
"#;
    let s = html_sinks(
        &[
            ("main.py", app),
            (
                "templates/greet.html",
                "<h1>{{ name|safe }}</h1><p>{{ motd|safe }}</p>",
            ),
            ("templates/plain.html", "<h1>{{ name }}</h1>"),
        ],
        "main.py",
    );
    let d = dangerous(&s);
    assert_eq!(
        d,
        vec![(
            10,
            "TemplateResponse greet.html:1 {{ name|safe }}".to_string(),
            Provenance::Request
        )],
        "{s:#?}"
    );
}

#[test]
fn flask_does_not_autoescape_j2_templates_but_does_html() {
    let app = r#"from flask import Flask, render_template, request
app = Flask(__name__)

@app.route("/card")
def card():
    title = request.args.get("title", "")
    render_template("card.html.j2", title=title)
    return render_template("card.html", title=title)
"#;
    let s = html_sinks(
        &[
            ("app.py", app),
            ("templates/card.html.j2", "<h3>{{ title }}</h3>"),
            ("templates/card.html", "<h3>{{ title }}</h3>"),
        ],
        "app.py",
    );
    let lines: Vec<u64> = dangerous(&s).iter().map(|d| d.0).collect();
    assert_eq!(lines, vec![7], "{s:#?}");
}

#[test]
fn inline_constant_templates_of_render_template_string() {
    let app = r#"from flask import Flask, render_template_string, request

app = Flask(__name__)

PAGE = """
<h1>{{ title }}</h1>
<div class="note">{{ note|safe }}</div>
"""


@app.route("/note")
def note():
    text = request.args.get("text", "")
    return render_template_string(PAGE, title=text, note=text)


@app.route("/note-escaped")
def note_escaped():
    text = request.args.get("text", "")
    return render_template_string("<div>{{ note }}</div>", note=text)
"#;
    let s = html_sinks(&[("app.py", app)], "app.py");
    assert_eq!(
        dangerous(&s),
        vec![(
            14,
            "render_template_string app.py:7 {{ note|safe }}".to_string(),
            Provenance::Request
        )],
        "{s:#?}"
    );
}

#[test]
fn templates_reading_the_request_themselves() {
    let app = r#"from flask import Flask, render_template

app = Flask(__name__)


@app.route("/results")
def results():
    return render_template("results.html")


@app.route("/results-escaped")
def results_escaped():
    return render_template("escaped.html")
"#;
    let s = html_sinks(
        &[
            ("app.py", app),
            (
                "templates/results.html",
                "<h1>Results</h1>\n<p>{{ request.args.get('q', '')|safe }}</p>\n",
            ),
            (
                "templates/escaped.html",
                "<p>{{ request.args.get('q', '') }}</p>\n<p>{{ request.path|safe }}</p>\n",
            ),
        ],
        "app.py",
    );
    assert_eq!(
        dangerous(&s),
        vec![(
            8,
            "render_template results.html:2 {{ request.args.get('q', '')|safe }}".to_string(),
            Provenance::Request
        )],
        "{s:#?}"
    );
}
