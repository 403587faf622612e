//! Committed database dumps: `pg_dump` / `mysqldump` output with table data in it.
//!
//! AI-built apps get "backed up" into the repository: a `backup.sql` from `pg_dump`
//! holds every user's email, phone and password hash, and every API key the app stored.
//! That is not one credential but all of them, so it is reported once per file, at the
//! first table whose rows hold personal or secret data, with counts and column names
//! only (never a value).
//!
//! A dump is recognised by its shape, not its name: `COPY table (cols) FROM stdin;`
//! followed by data rows (pg_dump's default), or `INSERT INTO` rows in a file whose header
//! says it is a dump (`-- PostgreSQL database dump`, `-- MySQL dump`, `pg_dump --inserts`).
//! Schema-only dumps (no rows), migrations and seed files (no dump header) are not dumps.

use std::collections::BTreeMap;
use std::io::BufRead;

use lm_core::fingerprint::fingerprint;
use lm_core::{Category, Finding, Severity};

/// The rule id (without the `secrets.` prefix).
pub const RULE: &str = "database-dump";

/// Column names whose values are personal or secret data.
const SENSITIVE_COLUMNS: &[&str] = &[
    "email",
    "e_mail",
    "mail",
    "password",
    "passwd",
    "password_hash",
    "encrypted_password",
    "hashed_password",
    "pass_hash",
    "phone",
    "telefone",
    "phone_number",
    "mobile",
    "token",
    "access_token",
    "refresh_token",
    "api_key",
    "apikey",
    "secret",
    "client_secret",
    "ssn",
    "cpf",
    "date_of_birth",
    "dob",
    "address",
    "endereco",
    "iban",
    "card_number",
];

/// Table names that hold accounts (sensitive whatever their columns are called).
const ACCOUNT_TABLES: &[&str] = &[
    "users",
    "user",
    "profiles",
    "accounts",
    "customers",
    "clients",
];

/// What one table of a dump holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TableRows {
    /// 1-based line of the `COPY` / first `INSERT` of the table.
    pub line: u64,
    /// Data rows.
    pub rows: u64,
    /// The sensitive columns it names.
    pub sensitive: Vec<String>,
}

/// What a dump holds, table by table (tables with no rows are left out).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Dump {
    /// Tables with rows, by name.
    pub tables: BTreeMap<String, TableRows>,
}

impl Dump {
    /// The table to report at: the first (by line) with sensitive columns or an account
    /// table name, if any.
    fn headline(&self) -> Option<(&str, &TableRows)> {
        self.tables
            .iter()
            .filter(|(name, t)| !t.sensitive.is_empty() || is_account_table(name))
            .min_by_key(|(_, t)| t.line)
            .map(|(n, t)| (n.as_str(), t))
    }
}

fn is_account_table(name: &str) -> bool {
    let base = name
        .rsplit('.')
        .next()
        .unwrap_or(name)
        .trim_matches(['"', '`']);
    ACCOUNT_TABLES.contains(&base.to_ascii_lowercase().as_str())
}

/// True when the file's name makes it worth reading as a dump.
pub fn wanted(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    lower.ends_with(".sql") || lower.ends_with(".dump") || lower.ends_with(".psql")
}

/// Reads a dump's tables from `input`, line by line; `None` when it is not a dump with
/// rows.
pub fn read<R: BufRead>(mut input: R) -> Option<Dump> {
    let mut dump = Dump::default();
    let mut header = false;
    let mut copying: Option<String> = None;
    let mut line = Vec::new();
    let mut n: u64 = 0;
    loop {
        line.clear();
        match input.read_until(b'\n', &mut line) {
            Ok(0) | Err(_) => break,
            Ok(_) => {}
        }
        n += 1;
        let text = String::from_utf8_lossy(&line);
        let t = text.trim_end_matches(['\n', '\r']);
        if let Some(table) = &copying {
            if t == "\\." {
                copying = None;
            } else if let Some(e) = dump.tables.get_mut(table) {
                e.rows += 1;
            }
            continue;
        }
        if n <= 40 && is_dump_header(t) {
            header = true;
        }
        if let Some((table, cols)) = copy_header(t) {
            let e = dump
                .tables
                .entry(table.clone())
                .or_insert_with(|| TableRows {
                    line: n,
                    ..TableRows::default()
                });
            add_columns(e, &cols);
            copying = Some(table);
            continue;
        }
        if header {
            if let Some((table, cols)) = insert_header(t) {
                let e = dump.tables.entry(table).or_insert_with(|| TableRows {
                    line: n,
                    ..TableRows::default()
                });
                add_columns(e, &cols);
                // `INSERT ... VALUES (...), (...);` on one line: one row per tuple start.
                e.rows += t.matches("),(").count() as u64 + t.matches("), (").count() as u64 + 1;
            }
        }
    }
    dump.tables.retain(|_, t| t.rows > 0);
    (!dump.tables.is_empty()).then_some(dump)
}

fn is_dump_header(t: &str) -> bool {
    let l = t.to_ascii_lowercase();
    l.starts_with("-- postgresql database dump")
        || l.starts_with("-- mysql dump")
        || l.starts_with("-- mariadb dump")
        || l.starts_with("-- dumped by pg_dump")
        || l.contains("mysqldump")
}

/// `COPY public.users (id, email) FROM stdin;` → (`public.users`, [id, email]).
fn copy_header(t: &str) -> Option<(String, Vec<String>)> {
    let rest = t.strip_prefix("COPY ")?;
    if !t.ends_with("FROM stdin;") {
        return None;
    }
    let open = rest.find('(')?;
    let close = rest.rfind(')')?;
    let table = rest[..open].trim().to_string();
    Some((table, split_columns(&rest[open + 1..close])))
}

/// `INSERT INTO public.users (id, email) VALUES (...)` or
/// ``INSERT INTO `users` VALUES (...)`` → the table and the columns it names.
fn insert_header(t: &str) -> Option<(String, Vec<String>)> {
    let upper = t.get(..12)?.to_ascii_uppercase();
    if upper != "INSERT INTO " {
        return None;
    }
    let rest = &t[12..];
    let values = rest.to_ascii_uppercase().find("VALUES")?;
    let head = &rest[..values];
    let (table, cols) = match head.find('(') {
        Some(open) => {
            let close = head.rfind(')').unwrap_or(head.len());
            (head[..open].trim(), split_columns(&head[open + 1..close]))
        }
        None => (head.trim(), Vec::new()),
    };
    Some((table.to_string(), cols))
}

fn split_columns(list: &str) -> Vec<String> {
    list.split(',')
        .map(|c| c.trim().trim_matches(['"', '`']).to_ascii_lowercase())
        .filter(|c| !c.is_empty())
        .collect()
}

fn add_columns(e: &mut TableRows, cols: &[String]) {
    for c in cols {
        let sensitive = SENSITIVE_COLUMNS.contains(&c.as_str())
            || c.ends_with("_email")
            || c.ends_with("_password")
            || c.ends_with("_token")
            || c.ends_with("_secret")
            || c.ends_with("_api_key");
        if sensitive && !e.sensitive.contains(c) {
            e.sensitive.push(c.clone());
        }
    }
}

/// The finding for a dump in the file at `path`, if it holds personal or secret data.
pub fn finding(path: &str, dump: &Dump) -> Option<Finding> {
    let (table, t) = dump.headline()?;
    let rows: u64 = dump.tables.values().map(|t| t.rows).sum();
    let cols = if t.sensitive.is_empty() {
        String::new()
    } else {
        format!(
            " (columns {})",
            t.sensitive
                .iter()
                .map(|c| format!("`{c}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    let others = dump.tables.len() - 1;
    let more = match others {
        0 => String::new(),
        1 => " and rows of 1 more table".to_string(),
        n => format!(" and rows of {n} more tables"),
    };
    let message = format!(
        "A database dump is committed: {} row{} of `{table}`{cols}{more} ({rows} rows in all). \
Anyone with the repository has this data; remove the file (and purge it from the history), \
and treat the accounts, passwords and keys in it as exposed.",
        t.rows,
        if t.rows == 1 { "" } else { "s" },
    );
    let mut f = Finding::new(
        format!("secrets.{RULE}"),
        Category::SecretHardcoded,
        Severity::High,
        path,
        t.line,
        message,
    );
    f.fingerprint = fingerprint(&[RULE, path, table]);
    f.details.insert("rows".into(), rows.into());
    f.details.insert("tables".into(), dump.tables.len().into());
    f.evidence = Some(format!("{table}: {} rows", t.rows));
    Some(f)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PG_DUMP: &str = "--\n-- PostgreSQL database dump\n--\n\nSET statement_timeout = 0;\n\nCREATE TABLE public.plans (id integer, name text);\nCREATE TABLE public.client (id integer, nome text, email text, telefone text);\n\nCOPY public.plans (id, name) FROM stdin;\n1\tFree\n2\tPro\n\\.\n\nCOPY public.client (id, nome, email, telefone) FROM stdin;\n1\tAna\tana@example.org\t555-0100\n2\tBruno\tbruno@example.org\t555-0101\n3\tCaio\tcaio@example.org\t555-0102\n\\.\n";

    #[test]
    fn a_pg_dump_with_personal_rows_is_reported_at_its_table() {
        let dump = read(PG_DUMP.as_bytes()).unwrap();
        assert_eq!(dump.tables["public.client"].rows, 3);
        assert_eq!(dump.tables["public.plans"].rows, 2);
        let f = finding("backup.sql", &dump).unwrap();
        assert_eq!(f.rule, "secrets.database-dump");
        assert_eq!(f.severity, Severity::High);
        assert_eq!(f.line, 15);
        assert!(
            f.message.contains("3 rows of `public.client`"),
            "{}",
            f.message
        );
        assert!(f.message.contains("`email`, `telefone`"), "{}", f.message);
        // Never a value: no email, no name, no phone in any field.
        let json = serde_json::to_string(&f).unwrap();
        assert!(
            !json.contains("example.org") && !json.contains("Ana"),
            "{json}"
        );
    }

    #[test]
    fn mysqldump_inserts_count_their_tuples() {
        let text = "-- MySQL dump 10.13  Distrib 8.0.36\n--\n-- Table structure for table `users`\n\nINSERT INTO `users` VALUES (1,'a@example.org','$2b$10$hash'),(2,'b@example.org','$2b$10$hash');\n";
        let dump = read(text.as_bytes()).unwrap();
        assert_eq!(dump.tables["`users`"].rows, 2);
        let f = finding("db/backup.sql", &dump).unwrap();
        assert!(f.message.contains("2 rows of `"), "{}", f.message);
    }

    #[test]
    fn schema_only_dumps_migrations_and_seeds_are_not_dumps() {
        // pg_dump --schema-only: no rows.
        let schema = "-- PostgreSQL database dump\nCREATE TABLE public.users (id uuid, email text);\nCOPY public.users (id, email) FROM stdin;\n\\.\n";
        assert_eq!(read(schema.as_bytes()), None);
        // A migration or seed with demo rows: no dump header, no COPY.
        let seed = "create table public.users (id uuid, email text);\ninsert into public.users (id, email) values ('00000000-0000-0000-0000-000000000001', 'demo@example.com');\n";
        assert_eq!(read(seed.as_bytes()), None);
        let seed_upper = "INSERT INTO public.users (id, email) VALUES (1, 'demo@example.com');\n";
        assert_eq!(read(seed_upper.as_bytes()), None);
    }

    #[test]
    fn a_dump_of_reference_data_only_is_not_reported() {
        let text = "-- PostgreSQL database dump\nCOPY public.countries (code, name) FROM stdin;\nPT\tPortugal\nBR\tBrasil\n\\.\n";
        let dump = read(text.as_bytes()).unwrap();
        assert_eq!(finding("data/countries.sql", &dump), None);
    }

    #[test]
    fn only_sql_like_names_are_read() {
        assert!(wanted("backup_producao (3).sql"));
        assert!(wanted("db/prod.dump"));
        assert!(!wanted("src/App.tsx"));
    }
}
