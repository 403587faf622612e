//! A Postgres tokenizer and statement splitter.
//!
//! It knows exactly what can hide a semicolon in Postgres: `'...'` strings (with `''`
//! and, after `E`, backslash escapes), `"quoted identifiers"`, `$$...$$` / `$tag$...$tag$`
//! dollar quotes, `--` comments and nested `/* */` comments. It also skips the data of
//! `COPY ... FROM stdin` (up to the `\.` line, as `pg_dump` writes it), psql
//! meta-commands (`\connect`...), and keeps `BEGIN ATOMIC ... END` function bodies in
//! one statement.

use std::ops::Range;

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokKind {
    /// A keyword or unquoted identifier.
    Word,
    /// A `"quoted identifier"`.
    QuotedIdent,
    /// A `'string'` (any prefix: `E`, `U&`, `B`, `X`).
    Str,
    /// A `$tag$ ... $tag$` string; [`Tok::inner`] is its content.
    DollarStr,
    /// A number.
    Number,
    /// `$1` positional parameter.
    Param,
    /// Any other character (`(`, `,`, `=`...); `::` is one token.
    Punct,
}

/// One token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tok {
    /// Its kind.
    pub kind: TokKind,
    /// Byte range in the text it was read from.
    pub span: Range<usize>,
    /// Content bytes of a dollar-quoted string (between the tags).
    pub inner: Range<usize>,
}

/// A statement: its tokens (without the closing `;`) and the closing `;`, if any.
#[derive(Debug, Clone)]
pub struct Stmt {
    /// Tokens of the statement.
    pub toks: Vec<Tok>,
    /// Byte offset just past the statement (after its `;` when it has one).
    pub end: usize,
}

/// A problem met while splitting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LexProblem {
    /// Byte offset where it starts.
    pub at: usize,
    /// What it is.
    pub message: &'static str,
}

/// Splits `text` into statements. Offsets are relative to `text`; `base` is added to
/// every offset (to read a `DO` body in place).
pub fn split(text: &str, base: usize) -> (Vec<Stmt>, Vec<LexProblem>) {
    let mut lx = Lexer {
        b: text.as_bytes(),
        text,
        i: 0,
        base,
        problems: Vec::new(),
    };
    let mut stmts = Vec::new();
    let mut cur: Vec<Tok> = Vec::new();
    let mut case_depth = 0usize;
    let mut atomic = false;
    let mut body_closed = false;
    while let Some(tok) = lx.next() {
        if tok.kind == TokKind::Punct && lx.slice(&tok) == ";" {
            if atomic && !body_closed {
                cur.push(tok);
                continue;
            }
            let copy_stdin = cur.first().is_some_and(|t| lx.is_word(t, "copy"))
                && cur.iter().any(|t| lx.is_word(t, "stdin"))
                && cur.iter().any(|t| lx.is_word(t, "from"));
            stmts.push(Stmt {
                toks: std::mem::take(&mut cur),
                end: tok.span.end,
            });
            atomic = false;
            body_closed = false;
            case_depth = 0;
            if copy_stdin {
                lx.skip_copy_data();
            }
            continue;
        }
        if tok.kind == TokKind::Punct && cur.is_empty() && lx.slice(&tok) == "\\" {
            lx.skip_line();
            continue;
        }
        body_closed = false;
        if tok.kind == TokKind::Word {
            if lx.is_word(&tok, "atomic")
                && cur.last().is_some_and(|t| lx.is_word(t, "begin"))
                && cur.first().is_some_and(|t| lx.is_word(t, "create"))
            {
                atomic = true;
            } else if atomic && lx.is_word(&tok, "case") {
                case_depth += 1;
            } else if atomic && lx.is_word(&tok, "end") {
                // The `end` of a CASE, or at depth 0 the end of the body.
                if case_depth > 0 {
                    case_depth -= 1;
                } else {
                    body_closed = true;
                }
            }
        }
        cur.push(tok);
    }
    if !cur.is_empty() {
        let end = cur.last().map(|t| t.span.end).unwrap_or(0);
        stmts.push(Stmt { toks: cur, end });
    }
    (stmts, lx.problems)
}

struct Lexer<'a> {
    b: &'a [u8],
    text: &'a str,
    i: usize,
    base: usize,
    problems: Vec<LexProblem>,
}

impl Lexer<'_> {
    fn slice(&self, t: &Tok) -> &str {
        self.text
            .get(t.span.start - self.base..t.span.end - self.base)
            .unwrap_or("")
    }

    fn is_word(&self, t: &Tok, w: &str) -> bool {
        t.kind == TokKind::Word && self.slice(t).eq_ignore_ascii_case(w)
    }

    fn problem(&mut self, at: usize, message: &'static str) {
        self.problems.push(LexProblem {
            at: at + self.base,
            message,
        });
    }

    fn skip_line(&mut self) {
        while self.i < self.b.len() && self.b[self.i] != b'\n' {
            self.i += 1;
        }
    }

    /// Skips `COPY ... FROM stdin` data: every line up to and including `\.`.
    fn skip_copy_data(&mut self) {
        self.skip_line();
        while self.i < self.b.len() {
            self.i += 1; // the newline
            let line_start = self.i;
            self.skip_line();
            let line = &self.b[line_start..self.i];
            if line == b"\\." || line == b"\\.\r" {
                return;
            }
        }
    }

    fn tok(&self, kind: TokKind, start: usize) -> Tok {
        Tok {
            kind,
            span: start + self.base..self.i + self.base,
            inner: 0..0,
        }
    }

    /// Reads a quoted run closed by `q`, where a doubled `q` is an escaped one.
    fn quoted(&mut self, q: u8, backslash: bool) -> bool {
        self.i += 1;
        while self.i < self.b.len() {
            let c = self.b[self.i];
            if backslash && c == b'\\' {
                self.i += 2;
                continue;
            }
            self.i += 1;
            if c == q {
                if self.b.get(self.i) == Some(&q) {
                    self.i += 1;
                    continue;
                }
                return true;
            }
        }
        self.i = self.b.len();
        false
    }

    /// The tag of a dollar quote starting at `i` (`$$` or `$tag$`), with its length.
    fn dollar_tag(&self, i: usize) -> Option<usize> {
        let b = self.b;
        let mut j = i + 1;
        if b.get(j).is_some_and(|c| c.is_ascii_digit()) {
            return None;
        }
        while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'_' || b[j] >= 0x80) {
            j += 1;
        }
        (b.get(j) == Some(&b'$')).then_some(j + 1 - i)
    }

    fn next(&mut self) -> Option<Tok> {
        let b = self.b;
        loop {
            while self.i < b.len() && b[self.i].is_ascii_whitespace() {
                self.i += 1;
            }
            if self.i >= b.len() {
                return None;
            }
            if b[self.i] == b'-' && b.get(self.i + 1) == Some(&b'-') {
                self.skip_line();
                continue;
            }
            if b[self.i] == b'/' && b.get(self.i + 1) == Some(&b'*') {
                let start = self.i;
                let mut depth = 0usize;
                loop {
                    if self.i >= b.len() {
                        self.problem(start, "unterminated /* comment");
                        break;
                    }
                    if b[self.i] == b'/' && b.get(self.i + 1) == Some(&b'*') {
                        depth += 1;
                        self.i += 2;
                    } else if b[self.i] == b'*' && b.get(self.i + 1) == Some(&b'/') {
                        depth -= 1;
                        self.i += 2;
                        if depth == 0 {
                            break;
                        }
                    } else {
                        self.i += 1;
                    }
                }
                continue;
            }
            break;
        }
        let start = self.i;
        let c = b[self.i];
        if c == b'\'' {
            if !self.quoted(b'\'', false) {
                self.problem(start, "unterminated string literal");
            }
            return Some(self.tok(TokKind::Str, start));
        }
        if c == b'"' {
            if !self.quoted(b'"', false) {
                self.problem(start, "unterminated quoted identifier");
            }
            return Some(self.tok(TokKind::QuotedIdent, start));
        }
        if c == b'$' {
            if let Some(tag_len) = self.dollar_tag(self.i) {
                let tag = &b[self.i..self.i + tag_len];
                let inner_start = self.i + tag_len;
                let close = find(&b[inner_start..], tag).map(|p| inner_start + p);
                let (inner_end, end) = match close {
                    Some(p) => (p, p + tag_len),
                    None => {
                        self.problem(start, "unterminated dollar-quoted string");
                        (b.len(), b.len())
                    }
                };
                self.i = end;
                let mut t = self.tok(TokKind::DollarStr, start);
                t.inner = inner_start + self.base..inner_end + self.base;
                return Some(t);
            }
            self.i += 1;
            while self.i < b.len() && b[self.i].is_ascii_digit() {
                self.i += 1;
            }
            return Some(self.tok(TokKind::Param, start));
        }
        if c.is_ascii_alphabetic() || c == b'_' || c >= 0x80 {
            while self.i < b.len()
                && (b[self.i].is_ascii_alphanumeric()
                    || b[self.i] == b'_'
                    || b[self.i] == b'$'
                    || b[self.i] >= 0x80)
            {
                self.i += 1;
            }
            // String prefixes: E'..' (backslash escapes), U&'..', B'..', X'..', N'..'.
            let word = &b[start..self.i];
            if b.get(self.i) == Some(&b'\'') && word.len() == 1 {
                let esc = word.eq_ignore_ascii_case(b"e");
                if matches!(word[0].to_ascii_lowercase(), b'e' | b'b' | b'x' | b'n') {
                    if !self.quoted(b'\'', esc) {
                        self.problem(start, "unterminated string literal");
                    }
                    return Some(self.tok(TokKind::Str, start));
                }
            }
            if word.eq_ignore_ascii_case(b"u")
                && b.get(self.i) == Some(&b'&')
                && b.get(self.i + 1) == Some(&b'\'')
            {
                self.i += 1;
                if !self.quoted(b'\'', false) {
                    self.problem(start, "unterminated string literal");
                }
                return Some(self.tok(TokKind::Str, start));
            }
            return Some(self.tok(TokKind::Word, start));
        }
        if c.is_ascii_digit() {
            while self.i < b.len() && (b[self.i].is_ascii_alphanumeric() || b[self.i] == b'.') {
                // Stop before `..` and before a `.` followed by a name (`1.foo` is rare).
                if b[self.i] == b'.' && b.get(self.i + 1) == Some(&b'.') {
                    break;
                }
                self.i += 1;
            }
            return Some(self.tok(TokKind::Number, start));
        }
        if c == b':' && b.get(self.i + 1) == Some(&b':') {
            self.i += 2;
            return Some(self.tok(TokKind::Punct, start));
        }
        // One character (a whole UTF-8 sequence for non-ASCII).
        self.i += 1;
        while self.i < b.len() && (b[self.i] & 0xC0) == 0x80 {
            self.i += 1;
        }
        Some(self.tok(TokKind::Punct, start))
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || hay.len() < needle.len() {
        return None;
    }
    hay.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(src: &str) -> Vec<String> {
        let (stmts, _) = split(src, 0);
        stmts
            .iter()
            .map(|s| {
                let a = s.toks.first().unwrap().span.start;
                let b = s.toks.last().unwrap().span.end;
                src[a..b].to_string()
            })
            .collect()
    }

    #[test]
    fn semicolons_inside_quotes_and_comments_do_not_split() {
        let src = "select ';' as a; -- x; y\nselect \"a;b\" /* c; /* nested; */ d; */ from t;\n\
                   create function f() returns void as $body$ begin perform 1; end; $body$ language plpgsql;\n\
                   select $$a;b$$, E'it\\'s;', 'it''s;';";
        let got = texts(src);
        assert_eq!(got.len(), 4, "{got:?}");
        assert!(got[2].ends_with("language plpgsql"));
        assert!(got[3].starts_with("select $$a;b$$"));
    }

    #[test]
    fn copy_data_and_meta_commands_are_skipped() {
        let src =
            "\\connect postgres\nCOPY public.t (a, b) FROM stdin;\n1\t'x;\n2\ty\n\\.\n\nselect 1;";
        let got = texts(src);
        assert_eq!(
            got,
            vec![
                "COPY public.t (a, b) FROM stdin".to_string(),
                "select 1".into()
            ]
        );
    }

    #[test]
    fn begin_atomic_bodies_stay_whole() {
        let src = "create function f(a int) returns int language sql begin atomic select case when a > 0 then 1 else 2 end; select 3; end; select 4;";
        let got = texts(src);
        assert_eq!(got.len(), 2, "{got:?}");
        assert_eq!(got[1], "select 4");
    }

    #[test]
    fn unterminated_quotes_are_reported_not_fatal() {
        let (stmts, problems) = split("select 1; select 'oops;\nselect 2;", 0);
        assert_eq!(stmts.len(), 2);
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].at, 17);
    }

    #[test]
    fn positional_params_are_not_dollar_quotes() {
        let got = texts("select $1; select $$x$$;");
        assert_eq!(got, vec!["select $1".to_string(), "select $$x$$".into()]);
    }
}
