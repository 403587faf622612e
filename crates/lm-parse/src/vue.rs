//! Single-file components: Vue (`.vue`) and Svelte (`.svelte`).
//!
//! A component is read as the JavaScript/TypeScript of its `<script>` blocks: a virtual
//! source of the same byte length keeps the scripts in place and blanks everything else
//! (newlines kept), so facts found in the scripts keep their lines and columns. Each raw
//! HTML binding of the markup (Vue `v-html="x"`, `:innerHTML="x"`, Svelte `{@html x}`)
//! becomes one synthetic line appended after it, an `innerHTML` assignment of the
//! expression inside the `v-for` / `{#each}` loops around it, which the JS flow engine
//! already treats as an HTML sink. Facts found on a synthetic line are moved back to the
//! binding in the markup, and the sink's `api` names the binding.

use lm_core::fact::FactData;
use lm_core::FileRecord;

use crate::ctx::shorten;
use crate::Extraction;

/// Which component syntax a file uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    /// Vue single-file component.
    Vue,
    /// Svelte component.
    Svelte,
}

/// One raw HTML binding of the markup.
#[derive(Debug, Clone, PartialEq)]
pub struct HtmlBinding {
    /// `v-html`, `:innerHTML` or `{@html}`.
    pub api: String,
    /// The bound expression (entities decoded).
    pub expr: String,
    /// 1-based line of the binding.
    pub line: u64,
    /// 1-based column (bytes) of the binding.
    pub column: u64,
    /// Loops around it, outermost first: (loop variable pattern, iterated expression).
    pub loops: Vec<(String, String)>,
}

/// The script of a component and its raw HTML bindings.
#[derive(Debug, Default)]
pub struct Split {
    /// Scripts in place, everything else blanked; same byte length as the file.
    pub script: String,
    /// A `lang` attribute says TypeScript.
    pub typescript: bool,
    /// Raw HTML bindings in the markup.
    pub bindings: Vec<HtmlBinding>,
}

/// Extracts the facts of a component.
pub fn extract(file: &FileRecord, text: &str, flavor: Flavor, out: &mut Extraction) {
    let split = split(text, flavor);
    if split.bindings.is_empty() && split.script.trim().is_empty() {
        return;
    }
    let mut virt = split.script;
    if !virt.ends_with('\n') {
        virt.push('\n');
    }
    let base_lines = virt.matches('\n').count() as u64;
    for b in &split.bindings {
        virt.push_str(&synthetic_line(b));
        virt.push('\n');
    }
    let mut js_file = file.clone();
    js_file.language = Some(
        if split.typescript {
            "typescript"
        } else {
            "javascript"
        }
        .into(),
    );
    let mut inner = Extraction::default();
    crate::extract_source(&js_file, &virt, &mut inner);
    for mut f in inner.facts {
        if f.line > base_lines {
            let Some(b) = split.bindings.get((f.line - base_lines - 1) as usize) else {
                continue;
            };
            f.line = b.line;
            f.end_line = b.line;
            f.column = Some(b.column);
            if let FactData::Sink(s) = &mut f.data {
                if s.api == "innerHTML" {
                    s.api = b.api.clone();
                    s.expr = shorten(&b.expr, 120);
                }
            }
        }
        out.facts.push(f);
    }
    for mut d in inner.diagnostics {
        if let Some(l) = d.line.filter(|l| *l > base_lines) {
            d.line = split
                .bindings
                .get((l - base_lines - 1) as usize)
                .map(|b| b.line);
        }
        out.diagnostics.push(d);
    }
}

/// `for (const c of (comments)) { __sfc.innerHTML = (c.body); }` on one line.
fn synthetic_line(b: &HtmlBinding) -> String {
    let mut s = String::new();
    for (var, iter) in &b.loops {
        s.push_str(&format!("for (const {var} of ({iter})) {{ "));
    }
    s.push_str(&format!("__sfc.innerHTML = ({});", b.expr));
    for _ in &b.loops {
        s.push_str(" }");
    }
    s.replace(['\n', '\r'], " ")
}

/// Splits a component into its script and its raw HTML bindings.
pub fn split(text: &str, flavor: Flavor) -> Split {
    let bytes = text.as_bytes();
    let mut script = vec![b' '; bytes.len()];
    for (i, &c) in bytes.iter().enumerate() {
        if c == b'\n' {
            script[i] = b'\n';
        }
    }
    let mut out = Split::default();
    let mut markup: Vec<(usize, usize)> = Vec::new();
    let mut pos = 0;
    while pos < bytes.len() {
        let Some(open) = find_block(text, pos) else {
            markup.push((pos, bytes.len()));
            break;
        };
        markup.push((pos, open.start));
        if open.name == "script" {
            script[open.body.0..open.body.1].copy_from_slice(&bytes[open.body.0..open.body.1]);
            let attrs = &text[open.start..open.body.0];
            if let Some(l) = attr_value(attrs, "lang") {
                if matches!(l.as_str(), "ts" | "tsx" | "typescript") {
                    out.typescript = true;
                }
            }
        }
        pos = open.end;
    }
    // Blanked bytes are ASCII spaces and the kept ones whole scripts: still UTF-8.
    out.script = String::from_utf8(script).unwrap_or_default();
    let lines = LineIndex::new(text);
    match flavor {
        Flavor::Vue => vue_bindings(text, &markup, &lines, &mut out.bindings),
        Flavor::Svelte => svelte_bindings(text, &markup, &lines, &mut out.bindings),
    }
    out
}

struct Block {
    name: &'static str,
    start: usize,
    body: (usize, usize),
    end: usize,
}

/// The next `<script ...>...</script>` or `<style ...>...</style>` block at or after
/// `from`.
fn find_block(text: &str, from: usize) -> Option<Block> {
    let lower = text[from..].to_ascii_lowercase();
    let mut best: Option<Block> = None;
    for name in ["script", "style"] {
        let mut search = 0;
        while let Some(i) = lower[search..].find(&format!("<{name}")) {
            let at = search + i;
            let after = lower.as_bytes().get(at + 1 + name.len()).copied();
            if !matches!(after, Some(b'>' | b' ' | b'\t' | b'\n' | b'\r' | b'/')) {
                search = at + 1;
                continue;
            }
            let Some(gt) = tag_end(&lower, at) else { break };
            let close = format!("</{name}");
            let body_end = lower[gt..].find(&close).map(|j| gt + j);
            let (body_end, end) = match body_end {
                Some(e) => (
                    e,
                    lower[e..]
                        .find('>')
                        .map(|k| e + k + 1)
                        .unwrap_or(lower.len()),
                ),
                None => (lower.len(), lower.len()),
            };
            if best.as_ref().is_none_or(|b| from + at < b.start) {
                best = Some(Block {
                    name,
                    start: from + at,
                    body: (from + gt, from + body_end),
                    end: from + end,
                });
            }
            break;
        }
    }
    best
}

/// The byte after the `>` closing the tag that opens at `at` (quotes respected).
fn tag_end(text: &str, at: usize) -> Option<usize> {
    let mut quote: Option<u8> = None;
    for (i, &c) in text.as_bytes().iter().enumerate().skip(at + 1) {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == b'"' || c == b'\'' => quote = Some(c),
            None if c == b'>' => return Some(i + 1),
            None => {}
        }
    }
    None
}

/// The value of attribute `name` in a tag's text.
fn attr_value(tag: &str, name: &str) -> Option<String> {
    parse_attrs(tag, 0)
        .into_iter()
        .find(|a| a.name == name)
        .and_then(|a| a.value)
}

struct Attr {
    name: String,
    value: Option<String>,
    /// Byte offset of the name (from the offset given to `parse_attrs`).
    at: usize,
}

/// The attributes of a tag's text (`<name a="1" b>`), offsets shifted by `base`.
fn parse_attrs(tag: &str, base: usize) -> Vec<Attr> {
    let b = tag.as_bytes();
    let mut i = 1;
    // Skip the tag name.
    while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'>' && b[i] != b'/' {
        i += 1;
    }
    let mut out = Vec::new();
    while i < b.len() {
        while i < b.len() && (b[i].is_ascii_whitespace() || b[i] == b'/') {
            i += 1;
        }
        if i >= b.len() || b[i] == b'>' {
            break;
        }
        let start = i;
        while i < b.len() && !b[i].is_ascii_whitespace() && !matches!(b[i], b'=' | b'>') {
            i += 1;
        }
        let name = tag[start..i].to_string();
        let mut j = i;
        while j < b.len() && b[j].is_ascii_whitespace() {
            j += 1;
        }
        let mut value = None;
        if j < b.len() && b[j] == b'=' {
            j += 1;
            while j < b.len() && b[j].is_ascii_whitespace() {
                j += 1;
            }
            if j < b.len() && (b[j] == b'"' || b[j] == b'\'') {
                let q = b[j];
                let vs = j + 1;
                let ve = tag[vs..].find(q as char).map(|k| vs + k).unwrap_or(b.len());
                value = Some(tag[vs..ve].to_string());
                i = (ve + 1).min(b.len());
            } else {
                let vs = j;
                while j < b.len() && !b[j].is_ascii_whitespace() && b[j] != b'>' {
                    j += 1;
                }
                value = Some(tag[vs..j].to_string());
                i = j;
            }
        }
        if name.is_empty() {
            i += 1;
            continue;
        }
        out.push(Attr {
            name,
            value,
            at: base + start,
        });
    }
    out
}

const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
    "wbr",
];

/// `v-html` / `:innerHTML` bindings of Vue markup, with the `v-for` loops around them.
fn vue_bindings(
    text: &str,
    markup: &[(usize, usize)],
    lines: &LineIndex,
    out: &mut Vec<HtmlBinding>,
) {
    // Open elements: (tag name, its v-for loop).
    let mut stack: Vec<(String, Option<(String, String)>)> = Vec::new();
    for &(start, end) in markup {
        let seg = &text[start..end];
        let b = seg.as_bytes();
        let mut i = 0;
        while i < b.len() {
            if b[i] != b'<' {
                i += 1;
                continue;
            }
            if seg[i..].starts_with("<!--") {
                i = seg[i..].find("-->").map(|k| i + k + 3).unwrap_or(b.len());
                continue;
            }
            let closing = b.get(i + 1) == Some(&b'/');
            let name_start = if closing { i + 2 } else { i + 1 };
            if !b.get(name_start).is_some_and(|c| c.is_ascii_alphabetic()) {
                i += 1;
                continue;
            }
            let mut ne = name_start;
            while ne < b.len()
                && (b[ne].is_ascii_alphanumeric() || matches!(b[ne], b'-' | b'.' | b'_' | b':'))
            {
                ne += 1;
            }
            let name = &seg[name_start..ne];
            let Some(gt) = tag_end(seg, i) else { break };
            if closing {
                if let Some(k) = stack.iter().rposition(|(n, _)| n == name) {
                    stack.truncate(k);
                }
                i = gt;
                continue;
            }
            let tag = &seg[i..gt];
            let attrs = parse_attrs(tag, start + i);
            let own_loop = attrs
                .iter()
                .find(|a| a.name == "v-for")
                .and_then(|a| a.value.as_deref())
                .and_then(parse_v_for);
            for a in &attrs {
                let api = match a.name.as_str() {
                    "v-html" => "v-html",
                    ":innerHTML" | "v-bind:innerHTML" | ":innerHtml" => ":innerHTML",
                    _ => continue,
                };
                let Some(expr) = a.value.as_deref().map(decode_entities) else {
                    continue;
                };
                if expr.trim().is_empty() {
                    continue;
                }
                let mut loops: Vec<(String, String)> =
                    stack.iter().filter_map(|(_, l)| l.clone()).collect();
                if let Some(l) = &own_loop {
                    loops.push(l.clone());
                }
                let (line, column) = lines.position(a.at);
                out.push(HtmlBinding {
                    api: api.to_string(),
                    expr: expr.trim().to_string(),
                    line,
                    column,
                    loops,
                });
            }
            let self_closing =
                tag.ends_with("/>") || VOID.contains(&name.to_ascii_lowercase().as_str());
            if !self_closing {
                stack.push((name.to_string(), own_loop));
            }
            i = gt;
        }
    }
}

/// `item in items`, `(item, index) in items`, `{ body } of rows` → (pattern, iterable).
fn parse_v_for(v: &str) -> Option<(String, String)> {
    let v = decode_entities(v);
    let (lhs, rhs) = split_loop(&v, &[" in ", " of "])?;
    let var = first_loop_var(lhs.trim())?;
    Some((var, rhs.trim().to_string()))
}

/// Splits at the first separator outside brackets.
fn split_loop<'s>(v: &'s str, seps: &[&str]) -> Option<(&'s str, &'s str)> {
    let mut depth = 0i32;
    for (i, c) in v.char_indices() {
        match c {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth -= 1,
            _ if depth == 0 => {
                for s in seps {
                    if v[i..].starts_with(s) {
                        return Some((&v[..i], &v[i + s.len()..]));
                    }
                }
            }
            _ => {}
        }
    }
    None
}

/// The element pattern of a loop's left side: `(item, index)` → `item`.
fn first_loop_var(lhs: &str) -> Option<String> {
    let inner = lhs
        .strip_prefix('(')
        .and_then(|s| s.strip_suffix(')'))
        .unwrap_or(lhs)
        .trim();
    let mut depth = 0i32;
    let mut end = inner.len();
    for (i, c) in inner.char_indices() {
        match c {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth -= 1,
            ',' if depth == 0 => {
                end = i;
                break;
            }
            _ => {}
        }
    }
    let var = inner[..end].trim();
    (!var.is_empty()).then(|| var.to_string())
}

/// `{@html x}` bindings of Svelte markup, with the `{#each}` blocks around them.
fn svelte_bindings(
    text: &str,
    markup: &[(usize, usize)],
    lines: &LineIndex,
    out: &mut Vec<HtmlBinding>,
) {
    let mut loops: Vec<(String, String)> = Vec::new();
    for &(start, end) in markup {
        let seg = &text[start..end];
        let mut i = 0;
        while let Some(k) = seg[i..].find('{') {
            let at = i + k;
            let Some(close) = matching_brace(seg, at) else {
                break;
            };
            let inner = seg[at + 1..close].trim();
            if let Some(e) = inner.strip_prefix("@html") {
                let expr = e.trim();
                if !expr.is_empty() {
                    let (line, column) = lines.position(start + at);
                    out.push(HtmlBinding {
                        api: "{@html}".into(),
                        expr: expr.to_string(),
                        line,
                        column,
                        loops: loops.clone(),
                    });
                }
            } else if let Some(e) = inner.strip_prefix("#each") {
                // `{#each items as item, i (item.id)}`
                if let Some((iter, var)) = split_loop(e, &[" as "]) {
                    let var = var.trim();
                    let var = var.split_once(" (").map(|(v, _)| v).unwrap_or(var);
                    if let Some(v) = first_loop_var(var) {
                        loops.push((v, iter.trim().to_string()));
                    }
                }
            } else if inner.starts_with("/each") {
                loops.pop();
            }
            i = close + 1;
        }
    }
}

/// The `}` matching the `{` at `at` (strings and nested braces respected).
fn matching_brace(s: &str, at: usize) -> Option<usize> {
    let mut depth = 0i32;
    let mut quote: Option<u8> = None;
    for (i, &c) in s.as_bytes().iter().enumerate().skip(at) {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None => match c {
                b'"' | b'\'' | b'`' => quote = Some(c),
                b'{' => depth += 1,
                b'}' => {
                    depth -= 1;
                    if depth == 0 {
                        return Some(i);
                    }
                }
                _ => {}
            },
        }
    }
    None
}

/// Decodes the entities that appear in attribute values written as JS.
fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    s.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&apos;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// Byte offset → 1-based line and column.
struct LineIndex(Vec<usize>);

impl LineIndex {
    fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex(starts)
    }

    fn position(&self, at: usize) -> (u64, u64) {
        let row = self.0.partition_point(|&s| s <= at) - 1;
        (row as u64 + 1, (at - self.0[row]) as u64 + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_script_offsets_and_finds_bindings() {
        let src = "<template>\n  <ul>\n    <li v-for=\"(c, i) in comments\" :key=\"c.id\">\n      <div v-html=\"c.body\" />\n    </li>\n  </ul>\n</template>\n\n<script setup lang=\"ts\">\nconst x = 1;\n</script>\n";
        let s = split(src, Flavor::Vue);
        assert_eq!(s.script.len(), src.len());
        assert!(s.typescript);
        let at = src.find("const x").unwrap();
        assert_eq!(&s.script[at..at + 7], "const x");
        assert!(!s.script.contains("template"));
        assert_eq!(s.bindings.len(), 1);
        let b = &s.bindings[0];
        assert_eq!((b.line, b.column), (4, 12));
        assert_eq!(b.expr, "c.body");
        assert_eq!(b.loops, vec![("c".to_string(), "comments".to_string())]);
        assert_eq!(
            synthetic_line(b),
            "for (const c of (comments)) { __sfc.innerHTML = (c.body); }"
        );
    }

    #[test]
    fn loops_close_with_their_element() {
        let src = "<template><div v-for=\"p in posts\"><p>x</p></div><span v-html=\"html\"></span></template>";
        let s = split(src, Flavor::Vue);
        assert_eq!(s.bindings.len(), 1);
        assert!(s.bindings[0].loops.is_empty());
        assert!(!s.typescript);
    }

    #[test]
    fn svelte_html_and_each() {
        let src = "<script>\n  export let data;\n</script>\n\n{#each data.posts as post (post.id)}\n  {@html post.body}\n{/each}\n{@html intro}\n";
        let s = split(src, Flavor::Svelte);
        assert_eq!(s.bindings.len(), 2);
        assert_eq!(s.bindings[0].line, 6);
        assert_eq!(
            s.bindings[0].loops,
            vec![("post".to_string(), "data.posts".to_string())]
        );
        assert!(s.bindings[1].loops.is_empty());
        assert!(s.script.contains("export let data;"));
    }
}
