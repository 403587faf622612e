//! Taint flow facts for JavaScript / TypeScript: sources, sinks, propagation and
//! sanitisers, each with a vulnerable case and a safe look-alike.

#[path = "flow_common.rs"]
mod common;

use common::{dangerous, inputs, sinks};
use lm_core::fact::Provenance;

// ---------- SQL ----------

#[test]
fn express_pg_template_literal_is_sql_from_request() {
    let src = r#"
const express = require('express');
const { Pool } = require('pg');
const pool = new Pool();
const app = express();

app.get('/users', async (req, res) => {
  const q = req.query.q;
  const sql = `SELECT * FROM users WHERE name LIKE '%${q}%'`;
  const { rows } = await pool.query(sql);
  res.json(rows);
});
"#;
    let s = dangerous("server/index.js", src, "sql");
    assert_eq!(s.len(), 1, "{s:#?}");
    let (line, sink) = &s[0];
    assert_eq!(*line, 10);
    assert_eq!(sink.api, "pool.query");
    assert_eq!(sink.source, Some(Provenance::Request));
    assert_eq!(sink.source_expr.as_deref(), Some("req.query.q"));
    assert!(
        sink.via.iter().any(|v| v == "template literal"),
        "{:?}",
        sink.via
    );
    let ins = inputs("server/index.js", src);
    assert!(
        ins.contains(&("query".into(), Some("q".into()), Some("q".into()))),
        "{ins:?}"
    );
}

#[test]
fn parameterised_pg_query_is_not_dangerous() {
    let src = r#"
app.get('/users', async (req, res) => {
  const q = req.query.q;
  const { rows } = await pool.query('SELECT * FROM users WHERE name = $1', [q]);
  const r2 = await pool.query(`SELECT * FROM users WHERE id = $1`, [req.params.id]);
  res.json(rows);
});
"#;
    assert!(dangerous("server/index.js", src, "sql").is_empty());
}

#[test]
fn mysql_concatenation_through_helper_is_sql_from_request() {
    let src = r#"
import mysql from 'mysql2/promise';
const connection = await mysql.createConnection(process.env.DATABASE_URL);

function buildQuery(name) {
  return "SELECT * FROM products WHERE name = '" + name + "'";
}

export default async function handler(req, res) {
  const { name } = req.body;
  const [rows] = await connection.execute(buildQuery(name));
  res.status(200).json(rows);
}
"#;
    let s = dangerous("pages/api/products.js", src, "sql");
    assert_eq!(s.len(), 1, "{s:#?}");
    assert_eq!(s[0].0, 11);
    assert!(
        s[0].1.via.iter().any(|v| v == "helper buildQuery"),
        "{:?}",
        s[0].1.via
    );
    assert!(
        s[0].1.via.iter().any(|v| v == "concatenation"),
        "{:?}",
        s[0].1.via
    );
}

#[test]
fn helper_that_escapes_is_safe() {
    let src = r#"
function buildQuery(name) {
  return "SELECT * FROM products WHERE name = " + connection.escape(name);
}
export default async function handler(req, res) {
  const [rows] = await connection.query(buildQuery(req.body.name));
  res.json(rows);
}
"#;
    let s = sinks("pages/api/products.js", src);
    assert!(
        dangerous("pages/api/products.js", src, "sql").is_empty(),
        "{s:#?}"
    );
    assert_eq!(s.len(), 1);
    assert_eq!(s[0].1.source, Some(Provenance::Sanitized));
}

#[test]
fn prisma_raw_unsafe_vs_tagged_template() {
    let src = r#"
import { prisma } from '@/lib/prisma';
import { NextResponse } from 'next/server';

export async function GET(request: Request) {
  const { searchParams } = new URL(request.url);
  const sort = searchParams.get('sort') ?? 'created_at';
  const email = searchParams.get('email');
  const bad = await prisma.$queryRawUnsafe(`SELECT * FROM "User" ORDER BY ${sort}`);
  const ok = await prisma.$queryRaw`SELECT * FROM "User" WHERE email = ${email}`;
  const ok2 = await prisma.$queryRawUnsafe('SELECT * FROM "User" WHERE email = $1', email);
  return NextResponse.json({ bad, ok, ok2 });
}
"#;
    let s = dangerous("app/api/users/route.ts", src, "sql");
    assert_eq!(s.len(), 1, "{s:#?}");
    assert_eq!(s[0].0, 9);
    assert_eq!(s[0].1.api, "$queryRawUnsafe");
}

#[test]
fn parse_int_and_strict_zod_validate() {
    let src = r#"
import { z } from 'zod';
const Params = z.object({ id: z.string().uuid(), name: z.string() });

export async function POST(req: Request) {
  const body = await req.json();
  const { id, name } = Params.parse(body);
  const limit = parseInt(body.limit, 10);
  await sql.unsafe(`DELETE FROM items WHERE id = '${id}'`);
  await sql.unsafe(`SELECT * FROM items LIMIT ${limit}`);
  await sql.unsafe(`SELECT * FROM items WHERE name = '${name}'`);
}
"#;
    let all = sinks("app/api/items/route.ts", src);
    let s = dangerous("app/api/items/route.ts", src, "sql");
    assert_eq!(s.len(), 1, "{all:#?}");
    assert_eq!(s[0].0, 11);
    assert_eq!(all.len(), 3);
    assert!(all
        .iter()
        .filter(|(l, _)| *l != 11)
        .all(|(_, s)| s.source == Some(Provenance::Validated)));
}

#[test]
fn knex_raw_and_sequelize_query() {
    let src = r#"
router.get('/search', async (req, res) => {
  const term = req.query.term;
  const a = await knex.raw(`select * from posts where title ilike '%${term}%'`);
  const b = await sequelize.query("SELECT * FROM posts WHERE author = '" + req.query.author + "'");
  const c = await knex('posts').where('title', term);
  const d = await knex.raw('select * from posts where title = ?', [term]);
  res.json({ a, b, c, d });
});
"#;
    let s = dangerous("src/routes/search.js", src, "sql");
    let lines: Vec<u64> = s.iter().map(|(l, _)| *l).collect();
    assert_eq!(lines, vec![4, 5], "{s:#?}");
}

#[test]
fn supabase_rpc_sql_and_or_filter() {
    let src = r#"
Deno.serve(async (req) => {
  const { query, search } = await req.json();
  const { data } = await supabase.rpc('exec_sql', { sql: `select * from notes where body like '%${query}%'` });
  const r = await supabase.from('notes').select('*').or(`title.ilike.%${search}%,body.ilike.%${search}%`);
  const ok = await supabase.from('notes').select('*').ilike('title', `%${search}%`);
  return new Response(JSON.stringify({ data, r, ok }));
});
"#;
    let s = dangerous("supabase/functions/search/index.ts", src, "sql");
    let apis: Vec<&str> = s.iter().map(|(_, s)| s.api.as_str()).collect();
    assert_eq!(apis, vec![".rpc", "supabase .or() filter"], "{s:#?}");
}

// ---------- XSS ----------

#[test]
fn dangerously_set_inner_html_from_search_params() {
    let src = r#"
export default function Page({ searchParams }: { searchParams: { q?: string } }) {
  const q = searchParams.q ?? '';
  return <div dangerouslySetInnerHTML={{ __html: `Results for ${q}` }} />;
}
"#;
    let s = dangerous("app/search/page.tsx", src, "html");
    assert_eq!(s.len(), 1, "{s:#?}");
    assert_eq!(s[0].1.api, "dangerouslySetInnerHTML");
    assert_eq!(s[0].1.source_expr.as_deref(), Some("searchParams"));
}

#[test]
fn dompurify_sanitised_html_is_safe() {
    let src = r#"
import DOMPurify from 'dompurify';
export default function Page({ searchParams }) {
  const clean = DOMPurify.sanitize(searchParams.bio);
  return <div dangerouslySetInnerHTML={{ __html: clean }} />;
}
"#;
    let s = sinks("app/profile/page.jsx", src);
    assert_eq!(s.len(), 1);
    assert_eq!(s[0].1.source, Some(Provenance::Sanitized));
    assert_eq!(s[0].1.sanitizer.as_deref(), Some("DOMPurify.sanitize"));
}

#[test]
fn stored_xss_from_supabase_through_props_and_map() {
    let src = r#"
'use client';
import { useEffect, useState } from 'react';
import { supabase } from '@/integrations/supabase/client';

function CommentBody({ body }: { body: string }) {
  return <div className="prose" dangerouslySetInnerHTML={{ __html: body }} />;
}

export default function Comments() {
  const [comments, setComments] = useState<any[]>([]);
  useEffect(() => {
    supabase.from('comments').select('*').then(({ data }) => setComments(data ?? []));
  }, []);
  return (
    <ul>
      {comments.map((c) => (
        <li key={c.id}><CommentBody body={c.body} /><p>{c.author}</p></li>
      ))}
    </ul>
  );
}
"#;
    let s = dangerous("src/components/Comments.tsx", src, "html");
    assert_eq!(
        s.len(),
        1,
        "{:#?}",
        sinks("src/components/Comments.tsx", src)
    );
    assert_eq!(s[0].0, 7);
    assert_eq!(s[0].1.source, Some(Provenance::Database));
    assert!(s[0].1.via.iter().any(|v| v == "prop"), "{:?}", s[0].1.via);
}

#[test]
fn constant_html_and_markdown_of_constants_are_safe() {
    let src = r#"
const ICON = '<svg><path d="M0 0"/></svg>';
export function Icon() {
  return <span dangerouslySetInnerHTML={{ __html: ICON }} />;
}
export function Help({ text }) {
  return <p>{text}</p>;
}
"#;
    assert!(sinks("src/Icon.jsx", src).is_empty());
}

#[test]
fn dom_sinks_from_location_hash() {
    let src = r#"
const params = new URLSearchParams(window.location.search);
const name = params.get('name');
document.getElementById('greeting').innerHTML = 'Hello ' + name;
document.getElementById('safe').textContent = 'Hello ' + name;
const tab = decodeURIComponent(location.hash.slice(1));
document.querySelector('#tab').insertAdjacentHTML('beforeend', `<b>${tab}</b>`);
document.write(encodeURIComponent(tab));
"#;
    let s = dangerous("public/app.js", src, "html");
    let lines: Vec<u64> = s.iter().map(|(l, _)| *l).collect();
    assert_eq!(lines, vec![4, 7], "{s:#?}");
    let all = sinks("public/app.js", src);
    assert!(all
        .iter()
        .any(|(l, s)| *l == 8 && s.source == Some(Provenance::Sanitized)));
}

#[test]
fn href_javascript_possible_only_without_literal_prefix() {
    let src = r#"
'use client';
import { useSearchParams } from 'next/navigation';
export default function Back() {
  const sp = useSearchParams();
  const next = sp.get('next');
  return (<>
    <a href={next}>Continue</a>
    <a href={`/profile/${next}`}>Profile</a>
  </>);
}
"#;
    let s = dangerous("app/back/page.tsx", src, "html");
    assert_eq!(s.len(), 1, "{s:#?}");
    assert_eq!(s[0].0, 8);
    assert_eq!(s[0].1.api, "href");
}

#[test]
fn express_res_send_reflects_query() {
    let src = r#"
app.get('/hello', (req, res) => {
  res.send(`<h1>Hello ${req.query.name}</h1>`);
});
app.get('/json', (req, res) => {
  res.send({ name: req.query.name });
  res.json(req.query);
  res.send(escapeHtml(req.query.name));
});
"#;
    let s = dangerous("server.js", src, "html");
    assert_eq!(s.len(), 1, "{s:#?}");
    assert_eq!(s[0].1.api, "res.send");
}

#[test]
fn html_email_built_from_form_data_in_server_action() {
    let src = r#"
'use server';
import { Resend } from 'resend';
const resend = new Resend(process.env.RESEND_API_KEY);

export async function sendInvite(formData: FormData) {
  const name = formData.get('name') as string;
  await resend.emails.send({
    from: 'team@example.com',
    to: 'ops@example.com',
    subject: 'Invite',
    html: `<p>${name} invited you</p>`,
  });
  await resend.emails.send({ from: 'a@b.c', to: 'x@y.z', subject: 'Hi', html: '<p>Welcome</p>' });
}
"#;
    let s = dangerous("app/actions.ts", src, "html");
    assert_eq!(s.len(), 1, "{s:#?}");
    assert_eq!(s[0].1.source_expr.as_deref(), Some("formData"));
    let ins = inputs("app/actions.ts", src);
    assert!(ins.iter().any(|(k, _, _)| k == "action_arg"), "{ins:?}");
}

// ---------- logs ----------

#[test]
fn log_lines_with_request_strings() {
    let src = r#"
import pino from 'pino';
const logger = pino();
export async function POST(request) {
  const { email } = await request.json();
  console.log(`Login attempt for ${email}`);
  logger.info('reset requested for ' + email);
  logger.info({ email }, 'reset requested');
  console.log('attempt', JSON.stringify(email));
  console.log('attempt', email.replace(/[\r\n]/g, ''));
  console.log('count', email.length);
}
"#;
    let s = dangerous("app/api/login/route.js", src, "log");
    let lines: Vec<u64> = s.iter().map(|(l, _)| *l).collect();
    assert_eq!(
        lines,
        vec![6, 7],
        "{:#?}",
        sinks("app/api/login/route.js", src)
    );
}

#[test]
fn hono_params_and_headers() {
    let src = r#"
import { Hono } from 'hono';
const app = new Hono();
app.get('/u/:id', async (c) => {
  const id = c.req.param('id');
  const ua = c.req.header('user-agent');
  console.warn(`bad id ${id} from ${ua}`);
  const row = await db.execute(`select * from users where id = ${id}`);
  return c.json(row);
});
"#;
    assert_eq!(dangerous("src/index.ts", src, "log").len(), 1);
    assert_eq!(dangerous("src/index.ts", src, "sql").len(), 1);
    let ins = inputs("src/index.ts", src);
    assert!(
        ins.contains(&("params".into(), Some("id".into()), Some("id".into()))),
        "{ins:?}"
    );
}

#[test]
fn whole_request_objects_logged_are_serialised() {
    let src = r#"
app.post('/webhook', (req, res) => {
  console.log('payload', req.body);
  console.log(req.headers);
  res.sendStatus(200);
});
"#;
    assert!(dangerous("server.js", src, "log").is_empty());
}

#[test]
fn files_without_sinks_or_sources_emit_nothing() {
    assert!(sinks("a.js", "export const add = (a, b) => a + b;").is_empty());
    assert!(sinks("b.js", "el.innerHTML = '<b>x</b>';").is_empty());
}

#[test]
fn deeply_nested_expressions_do_not_overflow() {
    let mut src = String::from("app.get('/', (req, res) => { const x = ");
    for _ in 0..5000 {
        src.push_str("req.query.a + ");
    }
    src.push_str("1; pool.query(`select ${x}`); });");
    let _ = sinks("deep.js", &src);
}

#[test]
fn plain_text_responses_are_not_html() {
    let src = r#"
app.get('/a', (req, res) => {
  res.type('text/plain');
  res.send(`You searched for ${req.query.q}`);
});
app.get('/b', (req, res) => {
  res.set('Content-Type', 'text/html; charset=utf-8');
  res.send(`You searched for ${req.query.q}`);
});
"#;
    let s = dangerous("server.js", src, "html");
    let lines: Vec<u64> = s.iter().map(|(l, _)| *l).collect();
    assert_eq!(lines, vec![8], "{s:#?}");
}

#[test]
fn replacement_text_flows_into_templates() {
    let src = r#"
app.get('/page', (req, res) => {
  const page = TEMPLATE.replace('{{name}}', req.query.name);
  const safe = TEMPLATE.replace('{{name}}', escapeHtml(req.query.name));
  document.body.innerHTML = page;
  document.body.innerHTML = safe;
});
"#;
    let s = dangerous("a.js", src, "html");
    let lines: Vec<u64> = s.iter().map(|(l, _)| *l).collect();
    assert_eq!(lines, vec![5], "{s:#?}");
}

#[test]
fn client_navigation_to_query_parameter() {
    let src = r#"
'use client';
export default function Login() {
  const params = new URLSearchParams(window.location.search);
  const next = params.get('next');
  async function done() {
    window.location.href = next;
    window.location.href = `/dashboard?from=${next}`;
    router.push(next || '/');
  }
  for (const [k, v] of params) {
    document.getElementById(k).innerHTML = v;
  }
  return null;
}
"#;
    let s = sinks("src/pages/Login.tsx", src);
    let redirects: Vec<u64> = s
        .iter()
        .filter(|(_, s)| s.sink == "redirect")
        .map(|(l, _)| *l)
        .collect();
    assert_eq!(redirects, vec![7], "{s:#?}");
    assert_eq!(
        dangerous("src/pages/Login.tsx", src, "html").len(),
        1,
        "{s:#?}"
    );
}

#[test]
fn header_values_cannot_forge_log_lines() {
    let src = r#"
app.get('/x', (req, res) => {
  console.log(`ua=${req.headers['user-agent']} ip=${req.get('x-forwarded-for')}`);
  console.log(`cookie=${req.cookies.session}`);
  res.send(`<p>${req.headers['user-agent']}</p>`);
});
"#;
    let logs: Vec<u64> = dangerous("s.js", src, "log")
        .iter()
        .map(|(l, _)| *l)
        .collect();
    assert_eq!(logs, vec![4]);
    assert_eq!(dangerous("s.js", src, "html").len(), 1);
}

#[test]
fn urls_built_from_a_fixed_prefix_cannot_be_javascript() {
    let src = r#"
'use client';
export function Share({ slug }) {
  const params = new URLSearchParams(location.search);
  const phone = params.get('phone');
  const wa = `https://wa.me/55${phone}`;
  const path = '/store/' + params.get('slug');
  const next = params.get('next');
  const base = location.pathname + location.hash;
  window.open(wa, '_blank');
  window.location.href = path;
  window.location.replace(base);
  window.location.href = next + '?ref=share';
  return <a href={wa}>WhatsApp</a>;
}
"#;
    let s = sinks("src/Share.tsx", src);
    let risky: Vec<u64> = s
        .iter()
        .filter(|(_, s)| s.source == Some(Provenance::Request))
        .map(|(l, _)| *l)
        .collect();
    assert_eq!(risky, vec![13], "{s:#?}");
}

#[test]
fn checked_schemes_are_safe_to_navigate_to() {
    let src = r#"
'use client';
export default function Login() {
  const searchParams = useSearchParams();
  const redirectParam = searchParams.get('redirect');
  const candidate = new URL(redirectParam);
  if (candidate.protocol === 'https:') {
    window.location.assign(candidate.toString());
  }
  const next = searchParams.get('next');
  if (next && next.startsWith('/')) {
    window.location.href = next;
  }
  window.location.href = searchParams.get('back');
  return null;
}
"#;
    let s = dangerous("app/login/page.tsx", src, "redirect");
    assert_eq!(
        s.iter().map(|(l, _)| *l).collect::<Vec<_>>(),
        vec![14],
        "{s:#?}"
    );
}

#[test]
fn sinks_inside_same_file_helpers_are_reported_at_the_call() {
    let src = r#"
async function runQuery(sql) {
  const client = await pool.connect();
  try {
    return await client.query(sql);
  } finally {
    client.release();
  }
}
function render(el, html) {
  el.innerHTML = html;
}
app.get('/p', async (req, res) => {
  const rows = await runQuery(`SELECT * FROM posts WHERE slug = '${req.query.slug}'`);
  render(document.body, `<h1>${req.query.title}</h1>`);
  render(document.body, '<h1>static</h1>');
  res.json(rows);
});
"#;
    let s = sinks("server.js", src);
    let got: Vec<(u64, &str, Option<Provenance>)> = s
        .iter()
        .map(|(l, s)| (*l, s.api.as_str(), s.source))
        .collect();
    assert!(
        got.contains(&(14, "runQuery() → client.query", Some(Provenance::Request))),
        "{s:#?}"
    );
    assert!(
        got.contains(&(15, "render() → innerHTML", Some(Provenance::Request))),
        "{s:#?}"
    );
    assert!(s
        .iter()
        .all(|(_, s)| !s.source_expr.as_deref().unwrap_or("").contains('\u{0}')));
}
