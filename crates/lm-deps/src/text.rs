//! Small text helpers the parsers share: line numbers from byte offsets, locating keys
//! in JSON/TOML/YAML text, and JSONC comment stripping.

/// Byte offsets of line starts, for offset → 1-based line look-ups.
#[derive(Debug, Clone)]
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    /// Indexes `text`.
    pub fn new(text: &str) -> LineIndex {
        let mut starts = vec![0];
        starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        LineIndex { starts }
    }

    /// 1-based line of a byte offset.
    pub fn line_of(&self, offset: usize) -> u64 {
        match self.starts.binary_search(&offset) {
            Ok(i) => i as u64 + 1,
            Err(i) => i as u64,
        }
    }
}

/// Finds `"key"` followed by optional blanks and `:` at or after `from`; returns the
/// offset of the opening quote.
pub fn find_json_key(text: &str, key: &str, from: usize) -> Option<usize> {
    let quoted = format!("\"{}\"", json_escape(key));
    let mut start = from.min(text.len());
    while let Some(rel) = text.get(start..)?.find(&quoted) {
        let at = start + rel;
        let rest = &text[at + quoted.len()..];
        if rest
            .trim_start_matches([' ', '\t', '\r', '\n'])
            .starts_with(':')
        {
            return Some(at);
        }
        start = at + quoted.len();
    }
    None
}

/// The line of a dependency `name` inside the JSON object under `section` (searched
/// from the first `"section":` key); falls back to the section's line, then line 1.
pub fn json_dep_line(text: &str, idx: &LineIndex, section: &str, name: &str) -> u64 {
    match find_json_key(text, section, 0) {
        Some(sec) => match find_json_key(text, name, sec) {
            Some(at) => idx.line_of(at),
            None => idx.line_of(sec),
        },
        None => 1,
    }
}

fn json_escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

/// Replaces `//` and `/* */` comments and trailing commas in JSONC with spaces, keeping
/// every newline (so line numbers stay right) and every string intact.
pub fn strip_jsonc(text: &str) -> String {
    let b = text.as_bytes();
    let mut out: Vec<u8> = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == b'"' {
            let start = i;
            i += 1;
            while i < b.len() && b[i] != b'"' {
                if b[i] == b'\\' {
                    i += 1;
                }
                i += 1;
            }
            i = (i + 1).min(b.len());
            out.extend_from_slice(&b[start..i]);
        } else if c == b'/' && b.get(i + 1) == Some(&b'/') {
            while i < b.len() && b[i] != b'\n' {
                out.push(b' ');
                i += 1;
            }
        } else if c == b'/' && b.get(i + 1) == Some(&b'*') {
            out.extend_from_slice(b"  ");
            i += 2;
            while i < b.len() && !(b[i] == b'*' && b.get(i + 1) == Some(&b'/')) {
                out.push(if b[i] == b'\n' { b'\n' } else { b' ' });
                i += 1;
            }
            if i < b.len() {
                out.extend_from_slice(b"  ");
                i += 2;
            }
        } else if c == b',' {
            let mut j = i + 1;
            // Skip blanks and comments to see whether a closer follows.
            loop {
                while j < b.len() && b[j].is_ascii_whitespace() {
                    j += 1;
                }
                if b.get(j) == Some(&b'/') && b.get(j + 1) == Some(&b'/') {
                    while j < b.len() && b[j] != b'\n' {
                        j += 1;
                    }
                } else if b.get(j) == Some(&b'/') && b.get(j + 1) == Some(&b'*') {
                    j += 2;
                    while j < b.len() && !(b[j] == b'*' && b.get(j + 1) == Some(&b'/')) {
                        j += 1;
                    }
                    j = (j + 2).min(b.len());
                } else {
                    break;
                }
            }
            out.push(if matches!(b.get(j), Some(b'}') | Some(b']')) {
                b' '
            } else {
                b','
            });
            i += 1;
        } else {
            out.push(c);
            i += 1;
        }
    }
    // Only ASCII bytes were replaced by ASCII bytes, and strings were copied whole.
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// Strips one layer of matching single or double quotes.
pub fn unquote(s: &str) -> &str {
    let s = s.trim();
    if s.len() >= 2
        && ((s.starts_with('"') && s.ends_with('"')) || (s.starts_with('\'') && s.ends_with('\'')))
    {
        &s[1..s.len() - 1]
    } else {
        s
    }
}

/// Splits an npm `name@range` descriptor (scoped names keep their leading `@`).
pub fn split_name_at(desc: &str) -> (&str, &str) {
    let search_from = usize::from(desc.starts_with('@'));
    match desc[search_from..].find('@') {
        Some(i) => (&desc[..search_from + i], &desc[search_from + i + 1..]),
        None => (desc, ""),
    }
}

/// Line of the first line whose trimmed text starts with `key` followed by blanks and
/// `=` (a TOML key, bare or quoted), searched from byte `from`.
pub fn toml_key_line(text: &str, idx: &LineIndex, key: &str, from: usize) -> Option<u64> {
    let mut off = from.min(text.len());
    for line in text.get(off..)?.split_inclusive('\n') {
        let t = line.trim_start();
        for cand in [key.to_string(), format!("\"{key}\""), format!("'{key}'")] {
            if let Some(rest) = t.strip_prefix(&cand) {
                if rest.trim_start().starts_with('=') {
                    return Some(idx.line_of(off));
                }
            }
        }
        off += line.len();
    }
    None
}

/// Offset of a TOML table header line (`[name]`), if present.
pub fn toml_header_offset(text: &str, header: &str) -> Option<usize> {
    let want = format!("[{header}]");
    let mut off = 0;
    for line in text.split_inclusive('\n') {
        if line.trim() == want {
            return Some(off);
        }
        off += line.len();
    }
    None
}

/// Line of the first occurrence of `needle` at or after `from` (1 when absent).
pub fn find_line(text: &str, idx: &LineIndex, needle: &str, from: usize) -> Option<u64> {
    text.get(from.min(text.len())..)?
        .find(needle)
        .map(|i| idx.line_of(from + i))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_from_offsets() {
        let t = "a\nbb\n\nccc";
        let idx = LineIndex::new(t);
        assert_eq!(idx.line_of(0), 1);
        assert_eq!(idx.line_of(2), 2);
        assert_eq!(idx.line_of(5), 3);
        assert_eq!(idx.line_of(7), 4);
    }

    #[test]
    fn json_keys_need_a_colon() {
        let t = "{\"x\": \"react\",\n \"dependencies\": {\n  \"react\": \"^18\"\n}}";
        let idx = LineIndex::new(t);
        assert_eq!(json_dep_line(t, &idx, "dependencies", "react"), 3);
        assert_eq!(json_dep_line(t, &idx, "devDependencies", "react"), 1);
    }

    #[test]
    fn jsonc_comments_and_trailing_commas_go_strings_stay() {
        let t = "{\n // c\n \"a\": \"//not\", /* x\n y */ \"b\": [1,2,],\n}";
        let s = strip_jsonc(t);
        assert_eq!(s.lines().count(), t.lines().count());
        let v: serde_json::Value = serde_json::from_str(&s).unwrap();
        assert_eq!(v["a"], "//not");
        assert_eq!(v["b"][1], 2);
    }

    #[test]
    fn descriptors_split() {
        assert_eq!(split_name_at("@types/node@^20"), ("@types/node", "^20"));
        assert_eq!(split_name_at("react@npm:18.2.0"), ("react", "npm:18.2.0"));
        assert_eq!(split_name_at("lodash"), ("lodash", ""));
        assert_eq!(unquote("'a'"), "a");
    }

    #[test]
    fn toml_keys() {
        let t = "[dependencies]\nserde = \"1\"\n\"tokio\" = { version = \"1\" }\n";
        let idx = LineIndex::new(t);
        assert_eq!(toml_key_line(t, &idx, "tokio", 0), Some(3));
        assert_eq!(toml_key_line(t, &idx, "serde", 0), Some(2));
        assert_eq!(toml_key_line(t, &idx, "rand", 0), None);
    }
}
