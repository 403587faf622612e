//! The context extractors share: file, text, tree, and how facts get their location and
//! scope.

use std::cell::{OnceCell, RefCell};
use std::ops::Range;

use lm_core::fact::{scope_id, FactData};
use lm_core::{Fact, FileRecord};
use tree_sitter::{Node, Tree};

use crate::lang::Lang;

/// Node kinds that start a function scope, in every grammar lm-parse uses.
pub const FUNCTION_KINDS: &[&str] = &[
    "function_declaration",
    "function_expression",
    "function",
    "arrow_function",
    "method_definition",
    "generator_function_declaration",
    "generator_function",
    "function_definition",
];

/// What every extractor of one file sees.
pub struct Ctx<'a> {
    /// The file record.
    pub file: &'a FileRecord,
    /// The file's text.
    pub src: &'a str,
    /// Its syntax tree.
    pub tree: &'a Tree,
    /// Its language.
    pub lang: Lang,
    handlers: RefCell<Vec<Range<usize>>>,
    line_starts: OnceCell<Vec<usize>>,
}

impl<'a> Ctx<'a> {
    /// A context for one parsed file.
    pub fn new(file: &'a FileRecord, src: &'a str, tree: &'a Tree, lang: Lang) -> Self {
        Ctx {
            file,
            src,
            tree,
            lang,
            handlers: RefCell::new(Vec::new()),
            line_starts: OnceCell::new(),
        }
    }

    /// The source text of a node.
    pub fn text(&self, node: Node<'_>) -> &'a str {
        self.src.get(node.byte_range()).unwrap_or("")
    }

    /// The source text of a node, shortened to at most `max` characters (for facts).
    pub fn short(&self, node: Node<'_>, max: usize) -> String {
        shorten(self.text(node), max)
    }

    /// Marks a function node as a route handler: facts inside it get its scope even when
    /// it is nested in another function (a router factory, say).
    pub fn add_handler(&self, function: Node<'_>) {
        self.handlers.borrow_mut().push(function.byte_range());
    }

    /// The scope of a node: the innermost registered handler that contains it, else the
    /// outermost function that contains it, else None (module level). A function node is
    /// inside its own scope.
    pub fn scope_of(&self, node: Node<'_>) -> Option<String> {
        let range = node.byte_range();
        let handlers = self.handlers.borrow();
        let mut best: Option<&Range<usize>> = None;
        for h in handlers.iter() {
            if h.start <= range.start
                && range.end <= h.end
                && best.is_none_or(|b| h.len() < b.len())
            {
                best = Some(h);
            }
        }
        if let Some(h) = best {
            let start = self.line_of_byte(h.start);
            let end = self.line_of_byte(h.end.saturating_sub(1).max(h.start));
            return Some(scope_id(start, end));
        }
        let mut outer: Option<Node<'_>> = None;
        let mut cur = Some(node);
        while let Some(n) = cur {
            if FUNCTION_KINDS.contains(&n.kind()) {
                outer = Some(n);
            }
            cur = n.parent();
        }
        outer.map(|f| self.scope_for_function(f))
    }

    /// The scope id a function node defines.
    pub fn scope_for_function(&self, function: Node<'_>) -> String {
        scope_id(
            function.start_position().row as u64 + 1,
            function.end_position().row as u64 + 1,
        )
    }

    /// 1-based line of a byte offset (a binary search over line starts computed once).
    pub fn line_of_byte(&self, byte: usize) -> u64 {
        let starts = self.line_starts.get_or_init(|| {
            std::iter::once(0)
                .chain(memchr_newlines(self.src.as_bytes()))
                .collect()
        });
        starts.partition_point(|s| *s <= byte.min(self.src.len())) as u64
    }

    /// A fact located at `node`, with its scope.
    pub fn fact(&self, node: Node<'_>, data: FactData) -> Fact {
        Fact {
            path: self.file.path.clone(),
            path_bytes: self.file.path_bytes.clone(),
            line: node.start_position().row as u64 + 1,
            end_line: node.end_position().row as u64 + 1,
            column: Some(node.start_position().column as u64 + 1),
            scope: self.scope_of(node),
            data,
        }
    }
}

/// Offsets just after each `\n`.
fn memchr_newlines(bytes: &[u8]) -> impl Iterator<Item = usize> + '_ {
    bytes
        .iter()
        .enumerate()
        .filter(|(_, b)| **b == b'\n')
        .map(|(i, _)| i + 1)
}

/// Shortens text to `max` characters on a char boundary, collapsing whitespace runs, with
/// credential-like tokens masked first ([`mask_tokens`]): fact texts are records, and a
/// record never carries a secret in full.
pub fn shorten(text: &str, max: usize) -> String {
    let text = mask_tokens(text);
    let mut out = String::with_capacity(text.len().min(max + 3));
    let mut last_space = false;
    for (n, c) in text.chars().enumerate() {
        if n >= max {
            out.push('…');
            break;
        }
        if c.is_whitespace() {
            if !last_space {
                out.push(' ');
            }
            last_space = true;
        } else {
            out.push(c);
            last_space = false;
        }
    }
    out
}

/// Shortest run that [`mask_tokens`] considers a credential.
const TOKEN_MIN: usize = 20;

/// Masks every run of at least 20 token characters (`A-Za-z0-9_-+/=`) that mixes letters
/// and digits, as keys, tokens, hashes and JWT segments do, down to its first four
/// characters and `…`. Names (`SUPABASE_SERVICE_ROLE_KEY`, `createClient`) and member
/// chains (split at `.`) have no such runs.
pub fn mask_tokens(text: &str) -> std::borrow::Cow<'_, str> {
    let bytes = text.as_bytes();
    let is_token =
        |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'+' | b'/' | b'=');
    let mut runs = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if !is_token(bytes[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && is_token(bytes[i]) {
            i += 1;
        }
        let run = &bytes[start..i];
        let digits = run.iter().filter(|b| b.is_ascii_digit()).count();
        let letters = run.iter().filter(|b| b.is_ascii_alphabetic()).count();
        if run.len() >= TOKEN_MIN && digits >= 2 && letters >= 2 {
            runs.push(start..i);
        }
    }
    if runs.is_empty() {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for r in runs {
        out.push_str(&text[at..r.start + 4]);
        out.push('…');
        at = r.end;
    }
    out.push_str(&text[at..]);
    std::borrow::Cow::Owned(out)
}

/// 1-based line of the first syntax error in the tree, if any.
pub fn first_error_line(tree: &Tree) -> Option<u64> {
    let mut cursor = tree.walk();
    let mut stack = vec![tree.root_node()];
    while let Some(n) = stack.pop() {
        if n.is_error() || n.is_missing() {
            return Some(n.start_position().row as u64 + 1);
        }
        if n.has_error() {
            let children: Vec<Node<'_>> = n.children(&mut cursor).collect();
            stack.extend(children.into_iter().rev());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credential_like_tokens_are_masked_in_fact_texts() {
        let jwt = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJyb2xlIjoic2VydmljZV9yb2xlIn0.c2lnbmF0dXJlMTIzNDU2Nzg5MA";
        let masked = shorten(&format!("createClient(url, \"{jwt}\")"), 200);
        assert_eq!(masked, "createClient(url, \"eyJh….eyJy….c2ln…\")");
        let key = shorten("\"tok_9f8e7d6c5b4a392817aa\"", 80);
        assert_eq!(key, "\"tok_…\"");
        // A long literal cut by the length limit is masked before it is cut.
        let long = format!("\"{}\"", "a1".repeat(100));
        assert_eq!(shorten(&long, 20), "\"a1a1…\"");
    }

    #[test]
    fn names_member_chains_and_short_values_are_kept() {
        for text in [
            "process.env.SUPABASE_SERVICE_ROLE_KEY",
            "request.headers.get(\"x-internal-secret\")",
            "req.params.organizationId",
            "user.id",
            "\"2024-06-01\"",
            "`Bearer ${process.env.CRON_SECRET}`",
            "\"pending_review_status_value\"",
        ] {
            assert_eq!(shorten(text, 200), text);
        }
    }
}
