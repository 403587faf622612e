//! Which middleware covers which route.
//!
//! Routes are written in their framework's syntax (`/api/projects/[id]`, `/users/:id`,
//! `/items/{item_id}`, `/u/<int:id>`); [`sample_path`] turns a pattern into a concrete
//! request path that a middleware pattern can be tested against. Next.js `matcher`
//! entries are path-to-regexp sources (`/api/:path*`, `/((?!_next/static|favicon.ico).*)`)
//! and are compiled by [`NextMatcher`]; Express/Hono/Fastify mount paths are prefixes or
//! simple wildcards ([`mount_covers`]).

use fancy_regex::Regex;

/// A concrete request path that the route `pattern` serves.
pub fn sample_path(pattern: &str) -> String {
    let pattern = pattern.split(['?', '#']).next().unwrap_or("");
    let mut out: Vec<String> = Vec::new();
    for seg in pattern.split('/') {
        if seg.is_empty() {
            continue;
        }
        // Next.js route groups `(marketing)` and parallel slots `@modal` are not in URLs.
        if (seg.starts_with('(') && seg.ends_with(')') && !seg.contains(['*', '.', '|']))
            || seg.starts_with('@')
        {
            continue;
        }
        if seg.starts_with("[[...") {
            continue;
        }
        if seg.starts_with("[...") {
            out.push("x1".into());
            out.push("x2".into());
            continue;
        }
        if seg.starts_with('[') || seg.starts_with('{') || seg.starts_with('<') {
            out.push("1".into());
            continue;
        }
        if let Some(rest) = seg.strip_prefix(':') {
            if rest.ends_with('?') || rest.ends_with('*') {
                continue;
            }
            out.push("1".into());
            continue;
        }
        if seg == "*" || seg.starts_with('*') {
            out.push("x1".into());
            continue;
        }
        out.push(seg.to_string());
    }
    format!("/{}", out.join("/"))
}

/// A compiled Next.js middleware `matcher` entry.
#[derive(Debug)]
pub struct NextMatcher {
    source: String,
    re: Option<Regex>,
}

impl NextMatcher {
    /// Compiles one matcher source. A source that does not compile matches nothing
    /// (Next.js would refuse to build).
    pub fn new(source: &str) -> NextMatcher {
        let re = compile_path_to_regexp(source).and_then(|r| Regex::new(&r).ok());
        NextMatcher {
            source: source.to_string(),
            re,
        }
    }

    /// The source as written.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// True when the compiled matcher matches `path`.
    pub fn matches(&self, path: &str) -> bool {
        self.re
            .as_ref()
            .is_some_and(|r| r.is_match(path).unwrap_or(false))
    }
}

/// True when any of a Next.js middleware's matchers covers `path` (no matcher: all).
pub fn next_covers(matchers: &[NextMatcher], path: &str) -> bool {
    matchers.is_empty() || matchers.iter().any(|m| m.matches(path))
}

enum Piece {
    Lit(String),
    Param { pat: String, modifier: Option<char> },
    Group(String, Option<char>),
}

/// Reads a balanced `( ... )` starting at `chars[i] == '('`; returns the inner text and
/// the index after the closing paren.
fn balanced(chars: &[char], mut i: usize) -> Option<(String, usize)> {
    let mut depth = 0usize;
    let mut inner = String::new();
    while i < chars.len() {
        let c = chars[i];
        if c == '\\' && i + 1 < chars.len() {
            if depth > 0 {
                inner.push(c);
                inner.push(chars[i + 1]);
            }
            i += 2;
            continue;
        }
        if c == '(' {
            depth += 1;
            if depth > 1 {
                inner.push(c);
            }
        } else if c == ')' {
            depth -= 1;
            if depth == 0 {
                return Some((inner, i + 1));
            }
            inner.push(c);
        } else {
            inner.push(c);
        }
        i += 1;
    }
    None
}

fn modifier(chars: &[char], i: usize) -> (Option<char>, usize) {
    match chars.get(i) {
        Some(&c @ ('*' | '+' | '?')) => (Some(c), i + 1),
        _ => (None, i),
    }
}

fn parse_pieces(chars: &[char]) -> Option<Vec<Piece>> {
    let mut pieces = Vec::new();
    let mut lit = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\\' if i + 1 < chars.len() => {
                lit.push(chars[i + 1]);
                i += 2;
            }
            ':' if chars
                .get(i + 1)
                .is_some_and(|n| n.is_ascii_alphanumeric() || *n == '_') =>
            {
                if !lit.is_empty() {
                    pieces.push(Piece::Lit(std::mem::take(&mut lit)));
                }
                i += 1;
                while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '_') {
                    i += 1;
                }
                let mut pat = "[^/#?]+?".to_string();
                if chars.get(i) == Some(&'(') {
                    let (inner, next) = balanced(chars, i)?;
                    pat = inner;
                    i = next;
                }
                let (m, next) = modifier(chars, i);
                i = next;
                pieces.push(Piece::Param { pat, modifier: m });
            }
            '(' => {
                if !lit.is_empty() {
                    pieces.push(Piece::Lit(std::mem::take(&mut lit)));
                }
                let (inner, next) = balanced(chars, i)?;
                let (m, next) = modifier(chars, next);
                i = next;
                pieces.push(Piece::Param {
                    pat: inner,
                    modifier: m,
                });
            }
            '{' => {
                if !lit.is_empty() {
                    pieces.push(Piece::Lit(std::mem::take(&mut lit)));
                }
                let close = chars[i..].iter().position(|c| *c == '}')? + i;
                let inner: Vec<char> = chars[i + 1..close].to_vec();
                let body = assemble(&parse_pieces(&inner)?);
                let (m, next) = modifier(chars, close + 1);
                i = next;
                pieces.push(Piece::Group(body, m));
            }
            '*' => {
                // Not valid path-to-regexp, but written in the wild: read as "anything".
                if !lit.is_empty() {
                    pieces.push(Piece::Lit(std::mem::take(&mut lit)));
                }
                pieces.push(Piece::Group(".*".into(), None));
                i += 1;
            }
            _ => {
                lit.push(c);
                i += 1;
            }
        }
    }
    if !lit.is_empty() {
        pieces.push(Piece::Lit(lit));
    }
    Some(pieces)
}

fn assemble(pieces: &[Piece]) -> String {
    let mut out = String::new();
    for (k, p) in pieces.iter().enumerate() {
        match p {
            Piece::Lit(s) => {
                // A `/` right before a parameter is the parameter's prefix.
                let next_is_param = matches!(pieces.get(k + 1), Some(Piece::Param { .. }));
                let s = if next_is_param {
                    s.strip_suffix('/').unwrap_or(s)
                } else {
                    s
                };
                out.push_str(&fancy_regex::escape(s));
            }
            Piece::Param { pat, modifier } => {
                let prefix = match k.checked_sub(1).map(|j| &pieces[j]) {
                    Some(Piece::Lit(s)) if s.ends_with('/') => "/",
                    _ => "",
                };
                let p = format!("(?:{pat})");
                match modifier {
                    None => out.push_str(&format!("{prefix}({p})")),
                    Some('?') => out.push_str(&format!("(?:{prefix}({p}))?")),
                    Some('+') => out.push_str(&format!("(?:{prefix}({p}(?:{prefix}{p})*))")),
                    Some(_) => out.push_str(&format!("(?:{prefix}({p}(?:{prefix}{p})*))?")),
                }
            }
            Piece::Group(body, m) => {
                out.push_str(&format!("(?:{body})"));
                if let Some(m) = m {
                    out.push(*m);
                }
            }
        }
    }
    out
}

/// Compiles a path-to-regexp source (as Next.js reads `matcher`) to an anchored,
/// case-insensitive regex source with an optional trailing slash.
pub fn compile_path_to_regexp(source: &str) -> Option<String> {
    let chars: Vec<char> = source.trim().chars().collect();
    let pieces = parse_pieces(&chars)?;
    Some(format!("(?i)^{}[/#?]?$", assemble(&pieces)))
}

/// A compiled mount path (Express `app.use('/api', ...)`, Hono `app.use('/api/*', ...)`,
/// Fastify prefixes).
#[derive(Debug)]
pub enum MountMatcher {
    /// Covers every path.
    All,
    /// A literal prefix, matched on segment boundaries (lower-cased).
    Prefix(String),
    /// A pattern with wildcards or parameters.
    Pattern(Option<regex::Regex>),
}

impl MountMatcher {
    /// Compiles a mount path.
    pub fn new(mount: &str) -> MountMatcher {
        let m = mount.trim();
        if m.is_empty() || m == "/" || m == "*" || m == "/*" || m == "(.*)" {
            return MountMatcher::All;
        }
        if m.contains(['*', ':', '{', '<', '[']) {
            let mut re = String::from("(?i)^");
            for (k, seg) in m.trim_end_matches('/').split('/').enumerate() {
                if k > 0 {
                    re.push('/');
                }
                if seg == "*" {
                    re.push_str(".*");
                } else if seg.starts_with(':')
                    || seg.starts_with('{')
                    || seg.starts_with('<')
                    || seg.starts_with('[')
                {
                    re.push_str("[^/]+");
                } else {
                    let parts: Vec<String> = seg.split('*').map(regex::escape).collect();
                    re.push_str(&parts.join(".*"));
                }
            }
            re.push_str("(?:/.*)?$");
            return MountMatcher::Pattern(regex::Regex::new(&re).ok());
        }
        MountMatcher::Prefix(m.trim_end_matches('/').to_ascii_lowercase())
    }

    /// True when the mount covers the request `path`.
    pub fn covers(&self, path: &str) -> bool {
        match self {
            MountMatcher::All => true,
            MountMatcher::Pattern(re) => re.as_ref().is_some_and(|r| r.is_match(path)),
            MountMatcher::Prefix(m) => {
                let (p, m) = (path.as_bytes(), m.as_bytes());
                p.len() >= m.len()
                    && p[..m.len()].eq_ignore_ascii_case(m)
                    && (p.len() == m.len() || p[m.len()] == b'/')
            }
        }
    }
}

/// True when a mount path covers the request `path` (compiles it each call; see
/// [`MountMatcher`] to reuse it).
pub fn mount_covers(mount: &str, path: &str) -> bool {
    MountMatcher::new(mount).covers(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sample_paths_per_framework() {
        assert_eq!(sample_path("/api/projects/[id]"), "/api/projects/1");
        assert_eq!(sample_path("/(dashboard)/api/[...slug]"), "/api/x1/x2");
        assert_eq!(sample_path("/docs/[[...slug]]"), "/docs");
        assert_eq!(sample_path("/users/:id"), "/users/1");
        assert_eq!(sample_path("/items/{item_id}"), "/items/1");
        assert_eq!(sample_path("/u/<int:uid>"), "/u/1");
        assert_eq!(sample_path("/"), "/");
    }

    #[test]
    fn next_matchers_follow_path_to_regexp() {
        let m = NextMatcher::new("/api/:path*");
        assert!(m.matches("/api"));
        assert!(m.matches("/api/projects/1"));
        assert!(!m.matches("/apis"));
        assert!(!m.matches("/dashboard"));
        let m = NextMatcher::new("/dashboard/:path+");
        assert!(!m.matches("/dashboard"));
        assert!(m.matches("/dashboard/a"));
        let m = NextMatcher::new("/((?!_next/static|_next/image|favicon.ico).*)");
        assert!(m.matches("/"));
        assert!(m.matches("/api/projects/1"));
        assert!(!m.matches("/_next/static/chunk.js"));
        let m = NextMatcher::new("/((?!api|_next/static|_next/image|favicon.ico).*)");
        assert!(!m.matches("/api/projects/1"));
        assert!(m.matches("/settings"));
        let m = NextMatcher::new("/about/:slug");
        assert!(m.matches("/about/team"));
        assert!(!m.matches("/about/team/x"));
        let m = NextMatcher::new("/blog/:id(\\d+)");
        assert!(m.matches("/blog/12"));
        assert!(!m.matches("/blog/abc"));
        assert!(next_covers(&[], "/anything"));
        let bad = NextMatcher::new("/((?!api");
        assert!(!bad.matches("/x"));
    }

    #[test]
    fn mounts_are_prefixes_or_wildcards() {
        assert!(mount_covers("/api", "/api/projects/1"));
        assert!(mount_covers("/api", "/api"));
        assert!(!mount_covers("/api", "/apix"));
        assert!(mount_covers("/api/*", "/api/projects"));
        assert!(!mount_covers("/admin/*", "/api/projects"));
        assert!(mount_covers("", "/x"));
        assert!(mount_covers("/users/:id", "/users/1/posts"));
    }
}
