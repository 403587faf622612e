//! SQL migration facts, read through the library on realistic Supabase migrations.

use lm_core::fact::{FactData, SqlFunction, SqlGrant, SqlPolicy, SqlRls, SqlTable, SqlView};
use lm_core::{Fact, FileRecord, Role};
use lm_parse::Extraction;

fn file(path: &str, text: &str) -> FileRecord {
    FileRecord {
        path: path.into(),
        path_bytes: None,
        root: ".".into(),
        language: Some("sql".into()),
        size: text.len() as u64,
        binary: false,
        role: Role::Migration,
        role_reason: String::new(),
    }
}

fn extract(text: &str) -> Extraction {
    let mut out = Extraction::default();
    lm_parse::extract_source(&file("supabase/migrations/1_x.sql", text), text, &mut out);
    out
}

fn facts(text: &str) -> Vec<Fact> {
    extract(text).facts
}

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/tests/fixtures/sql/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn tables(f: &[Fact]) -> Vec<&SqlTable> {
    f.iter()
        .filter_map(|f| match &f.data {
            FactData::SqlTable(t) => Some(t),
            _ => None,
        })
        .collect()
}
fn rls(f: &[Fact]) -> Vec<&SqlRls> {
    f.iter()
        .filter_map(|f| match &f.data {
            FactData::SqlRls(t) => Some(t),
            _ => None,
        })
        .collect()
}
fn policies(f: &[Fact]) -> Vec<&SqlPolicy> {
    f.iter()
        .filter_map(|f| match &f.data {
            FactData::SqlPolicy(t) => Some(t),
            _ => None,
        })
        .collect()
}
fn views(f: &[Fact]) -> Vec<&SqlView> {
    f.iter()
        .filter_map(|f| match &f.data {
            FactData::SqlView(t) => Some(t),
            _ => None,
        })
        .collect()
}
fn functions(f: &[Fact]) -> Vec<&SqlFunction> {
    f.iter()
        .filter_map(|f| match &f.data {
            FactData::SqlFunction(t) => Some(t),
            _ => None,
        })
        .collect()
}
fn grants(f: &[Fact]) -> Vec<&SqlGrant> {
    f.iter()
        .filter_map(|f| match &f.data {
            FactData::SqlGrant(t) => Some(t),
            _ => None,
        })
        .collect()
}

fn fact_of(all: &[Fact], pred: impl Fn(&FactData) -> bool) -> &Fact {
    all.iter().find(|f| pred(&f.data)).expect("fact present")
}

#[test]
fn tables_with_quoting_schemas_and_columns() {
    let f = facts(&fixture("20240101000000_init.sql"));
    let t = tables(&f);
    assert_eq!(t.len(), 3, "{t:#?}");
    assert_eq!(t[0].schema, "public");
    assert_eq!(t[0].name, "profiles");
    assert!(t[0].if_not_exists);
    assert_eq!(
        t[0].columns,
        vec!["id", "Display Name", "avatar_url", "created_at"]
    );
    assert_eq!(t[0].action, "create");
    assert_eq!(t[1].name, "Projects");
    assert_eq!(t[1].columns, vec!["id", "owner_id", "name"]);
    assert!(!t[1].if_not_exists);
    assert_eq!(
        (t[2].schema.as_str(), t[2].name.as_str()),
        ("public", "todos")
    );
    let profiles = fact_of(
        &f,
        |d| matches!(d, FactData::SqlTable(t) if t.name == "profiles"),
    );
    assert_eq!((profiles.line, profiles.end_line), (6, 13));
    assert_eq!(profiles.column, Some(1));
    assert_eq!(profiles.scope, None);
}

#[test]
fn rls_switches_and_look_alikes() {
    let f = facts(&fixture("20240101000000_init.sql"));
    let r = rls(&f);
    // Two top-level statements and one inside the DO block; not the commented-out one,
    // not the one inside the function body's `execute` string, not the table comment.
    let got: Vec<(&str, &str)> = r
        .iter()
        .map(|r| (r.table.as_str(), r.action.as_str()))
        .collect();
    assert_eq!(
        got,
        vec![
            ("profiles", "enable"),
            ("Projects", "enable"),
            ("todos", "enable")
        ]
    );
    let do_rls = fact_of(
        &f,
        |d| matches!(d, FactData::SqlRls(r) if r.table == "todos"),
    );
    assert_eq!(do_rls.line, 99);

    let f = facts(&fixture("20240201000000_changes.sql"));
    let got: Vec<(&str, &str)> = rls(&f)
        .iter()
        .map(|r| (r.table.as_str(), r.action.as_str()))
        .collect();
    assert_eq!(
        got,
        vec![
            ("profiles", "disable"),
            ("todos", "force"),
            ("todos", "no_force")
        ]
    );
}

#[test]
fn policies_with_commands_roles_and_expressions() {
    let f = facts(&fixture("20240101000000_init.sql"));
    let p = policies(&f);
    let names: Vec<&str> = p.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(
        names,
        vec![
            "Public profiles are viewable by everyone.",
            "Users can insert their own profile.",
            "Owners manage projects",
            "Avatar images are publicly accessible.",
            "Anyone can upload an avatar.",
            "todos_owner",
        ]
    );
    assert_eq!(p[0].command, "select");
    assert_eq!(p[0].using.as_deref(), Some("true"));
    assert!(p[0].roles.is_empty());
    assert!(p[0].permissive);
    assert_eq!(p[1].table, "profiles");
    assert_eq!(p[1].roles, vec!["authenticated"]);
    assert_eq!(p[1].command, "insert");
    assert_eq!(p[1].using, None);
    assert_eq!(p[1].with_check.as_deref(), Some("(select auth.uid()) = id"));
    assert!(!p[2].permissive);
    assert_eq!(p[2].table, "Projects");
    assert_eq!(p[2].command, "all");
    assert_eq!(p[2].roles, vec!["authenticated", "service_role"]);
    assert_eq!(
        p[2].using.as_deref(),
        Some("auth.uid() = owner_id and (select count(*) from profiles where id = auth.uid()) > 0")
    );
    assert_eq!(p[3].schema, "storage");
    assert_eq!(p[3].table, "objects");
    assert_eq!(
        p[4].with_check.as_deref(),
        Some("bucket_id = 'avatars' and auth.uid()::text = (storage.foldername(name))[1]")
    );
    assert_eq!(p[5].command, "all");
    assert_eq!(p[5].using.as_deref(), Some("user_id = auth.uid()"));
    assert!(p.iter().all(|p| p.action == "create"));
}

#[test]
fn policy_changes_and_drops() {
    let f = facts(&fixture("20240201000000_changes.sql"));
    let p = policies(&f);
    assert_eq!(p.len(), 4, "{p:#?}");
    assert_eq!(p[0].action, "drop");
    assert_eq!(p[0].name, "Public profiles are viewable by everyone.");
    assert_eq!(p[0].table, "profiles");
    assert_eq!(p[1].action, "drop");
    assert_eq!(p[1].table, "Projects");
    assert_eq!(p[2].action, "alter");
    assert_eq!(p[2].roles, vec!["authenticated"]);
    assert_eq!(p[2].with_check.as_deref(), Some("auth.uid() = id"));
    // The comment inside the expression is dropped, whitespace collapsed.
    assert_eq!(p[3].using.as_deref(), Some("auth.uid() = id"));
    assert_eq!(p[3].command, "update");
    let weird = fact_of(
        &f,
        |d| matches!(d, FactData::SqlPolicy(p) if p.name == "weird"),
    );
    assert_eq!((weird.line, weird.end_line), (14, 20));
}

#[test]
fn functions_security_definer_and_search_path() {
    let f = facts(&fixture("20240101000000_init.sql"));
    let fs = functions(&f);
    assert_eq!(fs.len(), 2, "{fs:#?}");
    assert_eq!(fs[0].name, "handle_new_user");
    assert!(fs[0].security_definer);
    assert!(fs[0].search_path_set);
    assert_eq!(fs[0].returns.as_deref(), Some("trigger"));
    assert_eq!(fs[1].name, "is_admin");
    assert!(fs[1].security_definer);
    assert!(!fs[1].search_path_set);
    assert_eq!(fs[1].returns.as_deref(), Some("boolean"));
    // Nothing from inside the function body ran: no insert facts, no policy `x`.
    assert!(policies(&f).iter().all(|p| p.name != "x"));

    let f = facts(&fixture("20240201000000_changes.sql"));
    let fs = functions(&f);
    // `owner to` changes nothing that matters and yields no fact.
    assert_eq!(fs.len(), 2, "{fs:#?}");
    assert_eq!(fs[0].action, "alter");
    assert!(fs[0].search_path_set);
    assert!(!fs[0].security_definer);
    assert_eq!(fs[1].action, "drop");
    assert_eq!(fs[1].name, "is_admin");
}

#[test]
fn views_and_the_tables_they_read() {
    let f = facts(&fixture("20240101000000_init.sql"));
    let v = views(&f);
    assert_eq!(v.len(), 2);
    assert_eq!(v[0].name, "project_summaries");
    assert!(!v[0].security_invoker);
    assert_eq!(v[0].tables, vec!["public.Projects", "public.profiles"]);
    assert_eq!(v[1].name, "safe_projects");
    assert!(v[1].security_invoker);
    // The CTE `mine` is not a table; `todos` inside it is.
    assert_eq!(v[1].tables, vec!["todos", "public.Projects"]);

    let f = facts(&fixture("20240201000000_changes.sql"));
    let v = views(&f);
    assert_eq!(v.len(), 2);
    assert_eq!(
        (v[0].action.as_str(), v[0].security_invoker),
        ("alter", true)
    );
    assert_eq!(v[1].action, "drop");
}

#[test]
fn grants_and_revokes() {
    let f = facts(&fixture("20240101000000_init.sql"));
    let g = grants(&f);
    let got: Vec<(bool, String, &str, &str, String)> = g
        .iter()
        .map(|g| {
            (
                g.grant,
                g.privileges.join(","),
                g.object_kind.as_str(),
                g.object.as_str(),
                g.roles.join(","),
            )
        })
        .collect();
    let want: Vec<(bool, String, &str, &str, String)> = vec![
        (
            false,
            "execute".into(),
            "function",
            "public.is_admin",
            "public,anon".into(),
        ),
        (
            true,
            "execute".into(),
            "function",
            "public.is_admin",
            "authenticated".into(),
        ),
        (
            true,
            "select,insert".into(),
            "table",
            "public.profiles",
            "anon".into(),
        ),
        (
            true,
            "select,insert".into(),
            "table",
            "public.Projects",
            "anon".into(),
        ),
        (
            true,
            "all".into(),
            "all_tables",
            "public",
            "anon,authenticated,service_role".into(),
        ),
        (true, "usage".into(), "schema", "public", "anon".into()),
        (
            true,
            "all".into(),
            "default_tables",
            "public",
            "anon,authenticated".into(),
        ),
    ];
    assert_eq!(got, want);

    let f = facts(&fixture("20240201000000_changes.sql"));
    let g = grants(&f);
    assert_eq!(g.len(), 1);
    assert!(!g[0].grant);
    assert_eq!(g[0].object, "public.profiles");
    assert_eq!(g[0].object_kind, "table");
}

#[test]
fn drops_and_added_columns_of_tables() {
    let f = facts(&fixture("20240201000000_changes.sql"));
    let t = tables(&f);
    let got: Vec<(&str, &str, &str)> = t
        .iter()
        .map(|t| (t.schema.as_str(), t.name.as_str(), t.action.as_str()))
        .collect();
    assert_eq!(
        got,
        vec![
            ("public", "profiles", "alter"),
            ("public", "old_stuff", "drop"),
            ("public", "legacy", "drop")
        ]
    );
    // `alter table ... add column bio text`
    assert_eq!(t[0].columns, vec!["bio"]);
}

#[test]
fn order_follows_statements() {
    let f = facts(&fixture("20240201000000_changes.sql"));
    let orders: Vec<u32> = f
        .iter()
        .map(|f| match &f.data {
            FactData::SqlPolicy(p) => p.order,
            FactData::SqlRls(p) => p.order,
            FactData::SqlTable(p) => p.order,
            FactData::SqlView(p) => p.order,
            FactData::SqlFunction(p) => p.order,
            FactData::SqlGrant(p) => p.order,
            _ => unreachable!(),
        })
        .collect();
    // One statement per line in the fixture, first statement is 0.
    // Statement 3 disables RLS and adds a column: two facts.
    assert_eq!(
        orders,
        vec![0, 1, 2, 3, 3, 4, 5, 6, 7, 9, 9, 10, 11, 12, 13]
    );
}

#[test]
fn pg_dump_style_schema() {
    let text = r#"
SET statement_timeout = 0;
SELECT pg_catalog.set_config('search_path', '', false);
CREATE TABLE IF NOT EXISTS "public"."orders" (
    "id" bigint NOT NULL,
    "user_id" "uuid" DEFAULT "auth"."uid"()
);
ALTER TABLE "public"."orders" OWNER TO "postgres";
COPY "public"."orders" ("id", "user_id") FROM stdin;
1	'; create policy "fake" on orders using (true);
\.
ALTER TABLE "public"."orders" ENABLE ROW LEVEL SECURITY;
CREATE POLICY "Enable read access for all users" ON "public"."orders" FOR SELECT USING (true);
GRANT ALL ON TABLE "public"."orders" TO "anon";
"#;
    let f = facts(text);
    assert_eq!(tables(&f)[0].columns, vec!["id", "user_id"]);
    assert_eq!(rls(&f).len(), 1);
    let p = policies(&f);
    assert_eq!(p.len(), 1);
    assert_eq!(p[0].name, "Enable read access for all users");
    assert_eq!(grants(&f)[0].roles, vec!["anon"]);
    assert_eq!(grants(&f)[0].object, "public.orders");
}

#[test]
fn one_bad_statement_does_not_lose_the_file() {
    let text = "create table a (id int);\n\
                alter table a enable row level security garbage ((( ;\n\
                create frobnicate whatever $$ ; $$;\n\
                create policy p on a for select using (true);\n\
                create policy broken on;\n\
                alter table a force row level security;";
    let f = facts(text);
    assert_eq!(tables(&f).len(), 1);
    assert_eq!(rls(&f).len(), 2);
    assert_eq!(policies(&f).len(), 1);
}

#[test]
fn unterminated_dollar_quote_is_a_diagnostic() {
    let text = "create table a (id int);\ncreate function f() returns void as $$ begin\n";
    let out = extract(text);
    assert_eq!(tables(&out.facts).len(), 1);
    assert_eq!(out.diagnostics.len(), 1);
    assert_eq!(out.diagnostics[0].line, Some(2));
}

#[test]
fn unquoted_names_fold_to_lower_case() {
    let f = facts("CREATE TABLE Public.UserSettings (Id INT);\nALTER TABLE public.usersettings ENABLE ROW LEVEL SECURITY;");
    assert_eq!(tables(&f)[0].name, "usersettings");
    assert_eq!(tables(&f)[0].schema, "public");
    assert_eq!(tables(&f)[0].columns, vec!["id"]);
    assert_eq!(rls(&f)[0].table, "usersettings");
}

#[test]
fn temp_tables_and_role_grants_are_not_facts() {
    let f = facts(
        "create temp table scratch (a int);\ngrant authenticated to someone;\nselect 'create policy x on t';",
    );
    assert!(f.is_empty(), "{f:#?}");
}

/// A small deterministic generator (xorshift) for the robustness test.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[test]
fn arbitrary_token_soup_never_panics() {
    let pieces = [
        "create", "policy", "table", "alter", "enable", "row", "level", "security", "on", "(", ")",
        ";", "$$", "$x$", "'", "\"", "--", "/*", "*/", "\n", " ", "public", ".", ",", "grant",
        "to", "from", "using", "with", "check", "do", "begin", "end", "atomic", "copy", "stdin",
        "\\.", "é", "view", "function", "as", "select", "revoke", "drop", "if", "exists", "E'\\'",
        "::", "[", "]",
    ];
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for _ in 0..400 {
        let n = (rng.next() % 80) as usize;
        let text: String = (0..n)
            .map(|_| pieces[(rng.next() % pieces.len() as u64) as usize])
            .collect::<Vec<_>>()
            .join(" ");
        let out = extract(&text);
        for f in &out.facts {
            assert!(f.line >= 1 && f.end_line >= f.line, "{text:?}");
        }
    }
}

#[test]
fn return_types_and_added_columns() {
    let f = facts(concat!(
        "create function public.my_todos(since timestamptz default now()) returns setof public.todos ",
        "language sql stable returns null on null input as $$ select * from todos $$;\n",
        "create function stats() returns table (n int, label text) language sql as 'select 1, ''x''';\n",
        "alter table public.todos add column if not exists tenant_id uuid, ",
        "add constraint t_fk foreign key (tenant_id) references tenants, add owner uuid;\n",
        "alter table public.todos drop column legacy;",
    ));
    let fs = functions(&f);
    assert_eq!(fs[0].returns.as_deref(), Some("setof public.todos"));
    assert_eq!(fs[1].returns.as_deref(), Some("table (n int, label text)"));
    let t = tables(&f);
    assert_eq!(t.len(), 1);
    assert_eq!(t[0].action, "alter");
    assert_eq!(t[0].columns, vec!["tenant_id", "owner"]);
}
