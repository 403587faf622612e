//! Jinja templates a Python view renders by name (`render_template("page.html", ...)`,
//! `templates.TemplateResponse("page.html", {...})`): where they are, and which context
//! variables they print without escaping.
//!
//! A template is looked up the way Flask does by default: `templates/<name>` (or a
//! blueprint's `template_folder=`) next to the Python file, then in each parent directory
//! up to the scan root. Names that leave the folder (`..`, absolute paths) and files that
//! resolve outside the scan root are ignored; at most the first 1 MiB of a template is
//! read. `{% include %}` and `{% extends %}` of literal names are followed (they see the
//! same context), a few levels deep.
//!
//! An output is raw when it is marked `|safe` while autoescaping is on, or printed at all
//! while it is off (`{% autoescape false %}` blocks, Flask templates whose extension Flask
//! does not autoescape), unless an escaping filter (`|e`, `|tojson`...) runs first.
//! Loop variables and `{% set %}` names stand for the variable they were taken from.

use std::collections::HashMap;
use std::io::Read;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, LazyLock, Mutex};

use lm_core::FileRecord;

use crate::ctx::shorten;

/// Most bytes read from one template.
const MAX_TEMPLATE: u64 = 1 << 20;
/// Depth of `{% include %}` / `{% extends %}` chains followed.
const MAX_DEPTH: usize = 3;
/// Templates kept in the per-run cache.
const MAX_CACHED: usize = 512;

/// One raw output of a context variable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawOutput {
    /// The context variable it prints (after loop / `set` aliases).
    pub var: String,
    /// The first attribute or key read from it (`comment.body` → `body`), if any.
    pub attr: Option<String>,
    /// The template it is in, as named from the template folder.
    pub template: String,
    /// 1-based line in that template.
    pub line: u64,
    /// The output tag, shortened (`{{ comment.body|safe }}`).
    pub text: String,
}

/// The raw outputs of the template `name` rendered from `file` (whose text is `src`), or
/// nothing when it cannot be found. `flask` selects Flask's autoescape rule (only
/// `.html`, `.htm`, `.xml`, `.xhtml`, `.svg` templates); otherwise autoescaping is on
/// (Starlette's `Jinja2Templates`).
pub fn raw_outputs(file: &FileRecord, src: &str, name: &str, flask: bool) -> Vec<RawOutput> {
    let Some(autoescape) = autoescape_for(name, flask) else {
        return Vec::new();
    };
    let Some((folder, root)) = find_folder(file, src, name) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut seen = Vec::new();
    collect(&folder, &root, name, autoescape, 0, &mut seen, &mut out);
    out
}

/// Whether a template is autoescaped, or None when it is not HTML at all.
fn autoescape_for(name: &str, flask: bool) -> Option<bool> {
    let lower = name.to_ascii_lowercase();
    if [".html", ".htm", ".xml", ".xhtml", ".svg"]
        .iter()
        .any(|e| lower.ends_with(e))
    {
        return Some(true);
    }
    if [".j2", ".jinja", ".jinja2"]
        .iter()
        .any(|e| lower.ends_with(e))
    {
        return Some(!flask);
    }
    None
}

/// A template name that stays inside its folder.
fn safe_name(name: &str) -> Option<&Path> {
    if name.is_empty() || name.contains('\\') || name.contains('\0') {
        return None;
    }
    let p = Path::new(name);
    p.components()
        .all(|c| matches!(c, Component::Normal(_) | Component::CurDir))
        .then_some(p)
}

/// The template folder holding `name` and the canonical scan root.
fn find_folder(file: &FileRecord, src: &str, name: &str) -> Option<(PathBuf, PathBuf)> {
    let rel = safe_name(name)?;
    let root = if file.root.is_empty() {
        PathBuf::from(".")
    } else {
        PathBuf::from(&file.root)
    };
    let root = root.canonicalize().ok()?;
    let mut folders: Vec<String> = template_folders(src);
    folders.push("templates".to_string());
    let mut dir = file.fs_path().parent()?.canonicalize().ok()?;
    for _ in 0..32 {
        if !dir.starts_with(&root) {
            return None;
        }
        for f in &folders {
            let folder = dir.join(f);
            if let Ok(path) = folder.join(rel).canonicalize() {
                if path.starts_with(&root) && path.is_file() {
                    return Some((folder, root));
                }
            }
        }
        if dir == root {
            return None;
        }
        dir = dir.parent()?.to_path_buf();
    }
    None
}

/// `template_folder="..."` values in the file (blueprints, `Flask(__name__, ...)`).
fn template_folders(src: &str) -> Vec<String> {
    static RE: LazyLock<regex::Regex> = LazyLock::new(|| {
        regex::Regex::new(r#"template_folder\s*=\s*["']([^"'\\]{1,200})["']"#)
            .expect("static regex")
    });
    RE.captures_iter(src)
        .filter_map(|c| c.get(1))
        .map(|m| m.as_str().trim_end_matches('/').to_string())
        .filter(|f| safe_name(f).is_some())
        .collect()
}

fn collect(
    folder: &Path,
    root: &Path,
    name: &str,
    autoescape: bool,
    depth: usize,
    seen: &mut Vec<String>,
    out: &mut Vec<RawOutput>,
) {
    if depth > MAX_DEPTH || seen.iter().any(|s| s == name) {
        return;
    }
    seen.push(name.to_string());
    let Some(parsed) = load(folder, root, name, autoescape) else {
        return;
    };
    for o in &parsed.outputs {
        out.push(RawOutput {
            var: o.var.clone(),
            attr: o.attr.clone(),
            template: name.to_string(),
            line: o.line,
            text: o.text.clone(),
        });
    }
    for inc in &parsed.includes {
        collect(folder, root, inc, autoescape, depth + 1, seen, out);
    }
}

type Cache = Mutex<HashMap<(PathBuf, bool), Arc<Parsed>>>;

fn load(folder: &Path, root: &Path, name: &str, autoescape: bool) -> Option<Arc<Parsed>> {
    static CACHE: LazyLock<Cache> = LazyLock::new(|| Mutex::new(HashMap::new()));
    let path = folder.join(safe_name(name)?).canonicalize().ok()?;
    if !path.starts_with(root) || !path.is_file() {
        return None;
    }
    let key = (path, autoescape);
    if let Some(p) = CACHE.lock().ok().and_then(|c| c.get(&key).cloned()) {
        return Some(p);
    }
    let mut bytes = Vec::new();
    std::fs::File::open(&key.0)
        .ok()?
        .take(MAX_TEMPLATE)
        .read_to_end(&mut bytes)
        .ok()?;
    let text = String::from_utf8_lossy(&bytes);
    let parsed = Arc::new(parse(&text, autoescape));
    if let Ok(mut c) = CACHE.lock() {
        if c.len() < MAX_CACHED {
            c.insert(key, parsed.clone());
        }
    }
    Some(parsed)
}

/// A raw output inside one template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Output {
    /// Context variable.
    pub var: String,
    /// First attribute or key read from it.
    pub attr: Option<String>,
    /// 1-based line.
    pub line: u64,
    /// The tag, shortened.
    pub text: String,
}

/// What one template prints raw and which templates it pulls in.
#[derive(Debug, Default, Clone)]
pub struct Parsed {
    /// Raw outputs.
    pub outputs: Vec<Output>,
    /// Literal names of `{% include %}` / `{% extends %}`.
    pub includes: Vec<String>,
}

/// Filters whose result is escaped (or cannot hold markup).
const ESCAPING: &[&str] = &[
    "e",
    "escape",
    "forceescape",
    "tojson",
    "int",
    "float",
    "length",
    "count",
    "urlencode",
    "wordcount",
    "filesizeformat",
];

const KEYWORDS: &[&str] = &[
    "and", "or", "not", "in", "is", "if", "else", "none", "None", "true", "false", "True", "False",
    "loop", "self", "super", "caller", "varargs", "kwargs", "range",
];

/// Parses template text: raw outputs (with loop / `set` aliases resolved) and includes.
pub fn parse(text: &str, autoescape: bool) -> Parsed {
    let mut p = Parsed::default();
    let mut escape_stack = vec![autoescape];
    let mut aliases: HashMap<String, (String, Option<String>)> = HashMap::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    let mut line = 1u64;
    let mut counted = 0;
    while let Some(off) = text[i..].find('{') {
        let at = i + off;
        let next = bytes.get(at + 1).copied();
        let close = match next {
            Some(b'{') => "}}",
            Some(b'%') => "%}",
            Some(b'#') => "#}",
            _ => {
                i = at + 1;
                continue;
            }
        };
        let Some(end_off) = text[at + 2..].find(close) else {
            break;
        };
        let inner_end = at + 2 + end_off;
        let tag_end = inner_end + 2;
        line += bytes[counted..at].iter().filter(|b| **b == b'\n').count() as u64;
        counted = at;
        let inner = text[at + 2..inner_end]
            .trim_start_matches(['-', '+'])
            .trim_end_matches(['-', '+'])
            .trim();
        i = tag_end;
        match next {
            Some(b'{') => {
                let on = *escape_stack.last().unwrap_or(&autoescape);
                if !output_is_raw(inner, on) {
                    continue;
                }
                let head = split_top(inner, '|').into_iter().next().unwrap_or("");
                let tag = shorten(&text[at..tag_end], 80);
                for (var, attr) in roots(head) {
                    let (var, attr) = match aliases.get(&var) {
                        Some((v, a)) => (v.clone(), a.clone().or(attr)),
                        None => (var, attr),
                    };
                    if p.outputs.iter().any(|o| o.var == var && o.line == line) {
                        continue;
                    }
                    p.outputs.push(Output {
                        var,
                        attr,
                        line,
                        text: tag.clone(),
                    });
                }
            }
            Some(b'%') => {
                let (word, rest) = inner
                    .split_once(|c: char| c.is_whitespace())
                    .map(|(w, r)| (w, r.trim()))
                    .unwrap_or((inner, ""));
                match word {
                    "autoescape" => {
                        let off = matches!(rest, "false" | "False");
                        escape_stack.push(!off);
                    }
                    "endautoescape" if escape_stack.len() > 1 => {
                        escape_stack.pop();
                    }
                    "include" | "extends" => {
                        if let Some(n) = first_literal(rest) {
                            if !p.includes.iter().any(|x| x == n) {
                                p.includes.push(n.to_string());
                            }
                        }
                    }
                    "for" => {
                        if let Some((targets, iter)) = rest.split_once(" in ") {
                            alias(&mut aliases, targets, iter);
                        }
                    }
                    "set" => {
                        if let Some((target, value)) = rest.split_once('=') {
                            let value = split_top(value, '|').into_iter().next().unwrap_or("");
                            alias(&mut aliases, target, value);
                        }
                    }
                    "raw" => {
                        // Skip to {% endraw %}.
                        if let Some(e) = text[i..].find("endraw") {
                            i += e;
                        }
                    }
                    _ => {}
                }
            }
            _ => {}
        }
    }
    p
}

/// Binds loop / `set` targets to the root variable of the expression they come from.
fn alias(aliases: &mut HashMap<String, (String, Option<String>)>, targets: &str, expr: &str) {
    let Some((root, attr)) = roots(expr).into_iter().next() else {
        return;
    };
    let resolved = match aliases.get(&root) {
        Some((v, a)) => (v.clone(), a.clone().or(attr)),
        None => (root, attr),
    };
    for t in targets.split(',') {
        let t = t.trim().trim_matches(['(', ')']).trim();
        if is_ident(t) {
            aliases.insert(t.to_string(), resolved.clone());
        }
    }
}

/// True when an output tag prints its value without escaping.
fn output_is_raw(inner: &str, autoescape: bool) -> bool {
    let parts = split_top(inner, '|');
    let mut markup = false;
    for f in parts.iter().skip(1) {
        let name: String = f
            .trim()
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if name == "safe" {
            markup = true;
        } else if ESCAPING.contains(&name.as_str()) && !markup {
            // Escaped (or a number): whatever follows prints escaped text.
            return false;
        }
    }
    markup || !autoescape
}

/// Splits at `sep` outside quotes and brackets.
fn split_top(s: &str, sep: char) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut depth = 0i32;
    let mut quote: Option<char> = None;
    let mut start = 0;
    for (i, c) in s.char_indices() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None => match c {
                '\'' | '"' => quote = Some(c),
                '(' | '[' | '{' => depth += 1,
                ')' | ']' | '}' => depth -= 1,
                _ if c == sep && depth == 0 => {
                    parts.push(&s[start..i]);
                    start = i + c.len_utf8();
                }
                _ => {}
            },
        }
    }
    parts.push(&s[start..]);
    parts
}

/// The variables an expression reads, each with the first attribute or literal key read
/// from it. Attribute names, string literals, keywords and filter / test names after
/// `is` are not variables.
fn roots(expr: &str) -> Vec<(String, Option<String>)> {
    let b = expr.as_bytes();
    let mut out: Vec<(String, Option<String>)> = Vec::new();
    let mut i = 0;
    let mut prev_is_kw = false;
    while i < b.len() {
        let c = b[i];
        if c == b'\'' || c == b'"' {
            i += 1;
            while i < b.len() && b[i] != c {
                i += 1;
            }
            i += 1;
            continue;
        }
        if c.is_ascii_digit() {
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'.') {
                i += 1;
            }
            continue;
        }
        if !(c.is_ascii_alphabetic() || c == b'_') {
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
            i += 1;
        }
        let word = &expr[start..i];
        let after_dot = expr[..start].trim_end().ends_with('.');
        if after_dot {
            continue;
        }
        if prev_is_kw {
            // `x is defined`: a test name.
            prev_is_kw = false;
            continue;
        }
        if word == "is" {
            prev_is_kw = true;
            continue;
        }
        if KEYWORDS.contains(&word) {
            continue;
        }
        let rest = expr[i..].trim_start();
        if rest.starts_with('(') {
            continue; // a call to a global function or macro
        }
        let attr = if let Some(r) = rest.strip_prefix('.') {
            let r = r.trim_start();
            let a: String = r
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            (!a.is_empty()).then_some(a)
        } else if let Some(r) = rest.strip_prefix('[') {
            first_literal(r)
                .filter(|_| r.trim_start().starts_with(['"', '\'']))
                .map(str::to_string)
        } else {
            None
        };
        if !out.iter().any(|(v, _)| v == word) {
            out.push((word.to_string(), attr));
        }
    }
    out
}

/// The first quoted string literal in `s`.
fn first_literal(s: &str) -> Option<&str> {
    let start = s.find(['"', '\''])?;
    let q = s[start..].chars().next()?;
    let body = &s[start + 1..];
    let end = body.find(q)?;
    Some(&body[..end])
}

fn is_ident(s: &str) -> bool {
    let mut cs = s.chars();
    cs.next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && cs.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(text: &str) -> Vec<(String, Option<String>, u64)> {
        parse(text, true)
            .outputs
            .into_iter()
            .map(|o| (o.var, o.attr, o.line))
            .collect()
    }

    #[test]
    fn safe_filter_marks_outputs_raw() {
        let t = "<h1>{{ title }}</h1>\n<div>{{ comment.body|safe }}</div>\n<p>{{ bio | safe }}</p>\n{{- note[\"text\"]|safe -}}";
        assert_eq!(
            raw(t),
            vec![
                ("comment".into(), Some("body".into()), 2),
                ("bio".into(), None, 3),
                ("note".into(), Some("text".into()), 4),
            ]
        );
    }

    #[test]
    fn escaping_first_keeps_output_safe() {
        assert!(raw("{{ x|e|safe }} {{ n|int|safe }} {{ d|tojson|safe }}").is_empty());
        assert_eq!(raw("{{ x|safe|e }}").len(), 1);
        assert_eq!(raw("{{ x|truncate(30)|safe }}").len(), 1);
    }

    #[test]
    fn autoescape_blocks_loops_and_set() {
        let t = "{% autoescape false %}\n{{ bio }}\n{% endautoescape %}\n{{ other }}\n\
                 {% for c in comments %}{{ c.body|safe }}{% endfor %}\n\
                 {% set intro = page.intro %}{{ intro|safe }}";
        assert_eq!(
            raw(t),
            vec![
                ("bio".into(), None, 2),
                ("comments".into(), Some("body".into()), 5),
                ("page".into(), Some("intro".into()), 6),
            ]
        );
    }

    #[test]
    fn comments_raw_blocks_and_literals_are_skipped() {
        let t = "{# {{ a|safe }} #}{% raw %}{{ b|safe }}{% endraw %}{{ '<br>'|safe }}{{ url_for('x')|safe }}{% include 'part.html' %}";
        let p = parse(t, true);
        assert!(p.outputs.is_empty(), "{:?}", p.outputs);
        assert_eq!(p.includes, vec!["part.html".to_string()]);
        assert!(parse("{{ bio }}", false).outputs.len() == 1);
    }

    #[test]
    fn names_leaving_the_folder_are_refused() {
        assert!(safe_name("../app.py").is_none());
        assert!(safe_name("/etc/passwd").is_none());
        assert!(safe_name("admin/page.html").is_some());
        assert_eq!(autoescape_for("page.html", true), Some(true));
        assert_eq!(autoescape_for("page.j2", true), Some(false));
        assert_eq!(autoescape_for("mail.txt", true), None);
    }
}
