//! What the first block of a file tells: binary or not, and the React Server Components
//! directive (`"use client"` / `"use server"`) of a JavaScript or TypeScript module.

use std::io::Read;

/// How many bytes of a file are ever read (the binary check and every sniff look only at
/// this first block).
pub const HEAD_SIZE: usize = 8 * 1024;

/// A React Server Components module directive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Directive {
    /// `"use client"`: the module and its imports run in the browser.
    UseClient,
    /// `"use server"`: the module's exports are server actions.
    UseServer,
}

/// True when the block holds a NUL byte (the check git and ripgrep use).
pub fn is_binary(head: &[u8]) -> bool {
    memchr::memchr(0, head).is_some()
}

/// Reads the first block of `file` into `buf` (sized [`HEAD_SIZE`]) and returns how many
/// bytes were read. Short reads are retried until the block is full or the file ends.
pub fn read_head(file: &mut std::fs::File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match file.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// The directive in the module's directive prologue, if any. Comments, a BOM, a shebang
/// line and other directives (`"use strict"`) before it are skipped; a directive after the
/// first statement does not count (React ignores it too).
pub fn directive(head: &[u8]) -> Option<Directive> {
    let mut s = head.strip_prefix(b"\xef\xbb\xbf").unwrap_or(head);
    if s.starts_with(b"#!") {
        s = &s[memchr::memchr(b'\n', s)?..];
    }
    loop {
        s = skip_trivia(s)?;
        let quote = *s.first()?;
        if quote != b'"' && quote != b'\'' {
            return None;
        }
        let end = memchr::memchr(quote, &s[1..])? + 1;
        let literal = &s[1..end];
        let found = match literal {
            b"use client" => Some(Directive::UseClient),
            b"use server" => Some(Directive::UseServer),
            _ => None,
        };
        let rest = skip_trivia(&s[end + 1..]).unwrap_or(&[]);
        // A string followed by anything other than `;`, a new statement or the end of the
        // input is an expression (`"use client".length`), not a directive.
        let is_statement = match rest.first() {
            None | Some(b';') | Some(b'"') | Some(b'\'') => true,
            Some(_) => s[end + 1..]
                .iter()
                .take_while(|b| **b != b'\n')
                .all(|b| b.is_ascii_whitespace() || *b == b';'),
        };
        if !is_statement {
            return None;
        }
        if found.is_some() {
            return found;
        }
        s = rest.strip_prefix(b";").unwrap_or(rest);
    }
}

/// Skips whitespace and comments; `None` when an unterminated block comment runs past the
/// block.
fn skip_trivia(mut s: &[u8]) -> Option<&[u8]> {
    loop {
        let start = s
            .iter()
            .position(|b| !b.is_ascii_whitespace())
            .unwrap_or(s.len());
        s = &s[start..];
        if let Some(rest) = s.strip_prefix(b"//") {
            s = match memchr::memchr(b'\n', rest) {
                Some(i) => &rest[i..],
                None => &[],
            };
        } else if let Some(rest) = s.strip_prefix(b"/*") {
            s = &rest[memchr::memmem::find(rest, b"*/")? + 2..];
        } else {
            return Some(s);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_is_a_nul_byte() {
        assert!(is_binary(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"));
        assert!(!is_binary("const é = 'ünïcode';\n".as_bytes()));
        assert!(!is_binary(b""));
    }

    #[test]
    fn directives_at_the_top() {
        assert_eq!(
            directive(b"'use client'\nimport x from 'y'"),
            Some(Directive::UseClient)
        );
        assert_eq!(directive(b"\"use client\";\n"), Some(Directive::UseClient));
        assert_eq!(
            directive(b"\"use server\"\n\nexport async function save() {}"),
            Some(Directive::UseServer)
        );
        assert_eq!(
            directive(b"\xef\xbb\xbf// Copyright\n/* multi\n line */\n'use strict';\n\"use client\";\nexport default 1"),
            Some(Directive::UseClient)
        );
        assert_eq!(
            directive(b"#!/usr/bin/env node\n'use server'\n"),
            Some(Directive::UseServer)
        );
    }

    #[test]
    fn look_alikes_are_not_directives() {
        // after the first statement
        assert_eq!(
            directive(b"import React from 'react';\n'use client';\n"),
            None
        );
        // inside a comment
        assert_eq!(directive(b"// 'use client'\nexport const a = 1;\n"), None);
        // an expression, not a directive
        assert_eq!(directive(b"'use client'.length\n"), None);
        // a different string
        assert_eq!(directive(b"'use clientele';\n"), None);
        // server-only import is not the directive
        assert_eq!(directive(b"import 'server-only';\n"), None);
        assert_eq!(directive(b""), None);
        assert_eq!(directive(b"/* unterminated"), None);
    }
}
