//! Small helpers over JavaScript/TypeScript syntax nodes.

use tree_sitter::Node;

use crate::ctx::FUNCTION_KINDS;

/// True for nodes that start a function.
pub fn is_function(n: Node<'_>) -> bool {
    FUNCTION_KINDS.contains(&n.kind())
}

/// Strips wrappers that do not change a value: parentheses, `await`, `x!`, `x as T`,
/// `x satisfies T`, `<T>x`.
pub fn unwrap(mut n: Node<'_>) -> Node<'_> {
    loop {
        let inner = match n.kind() {
            "parenthesized_expression"
            | "await_expression"
            | "non_null_expression"
            | "as_expression"
            | "satisfies_expression"
            | "type_assertion" => n.named_child(0),
            _ => None,
        };
        match inner {
            Some(i) if i.kind() != "comment" => n = i,
            _ => return n,
        }
    }
}

/// The callee of a call (`function` field) or constructor (`constructor` field).
pub fn callee(call: Node<'_>) -> Option<Node<'_>> {
    call.child_by_field_name("function")
        .or_else(|| call.child_by_field_name("constructor"))
}

/// The arguments of a call, without comments.
pub fn args(call: Node<'_>) -> Vec<Node<'_>> {
    let Some(a) = call.child_by_field_name("arguments") else {
        return Vec::new();
    };
    let mut cur = a.walk();
    a.named_children(&mut cur)
        .filter(|c| c.kind() != "comment")
        .collect()
}

/// The `n`th argument of a call.
pub fn arg(call: Node<'_>, n: usize) -> Option<Node<'_>> {
    let a = call.child_by_field_name("arguments")?;
    let mut cur = a.walk();
    let found = a
        .named_children(&mut cur)
        .filter(|c| c.kind() != "comment")
        .nth(n);
    found
}

/// Compact text of a callee: whitespace removed, `?.` read as `.`, and for chains the
/// call arguments elided (`supabase.from(...).select`). Long chains keep their tail.
pub fn callee_text(src: &str, callee: Node<'_>) -> String {
    let mut out = String::new();
    write_path(src, callee, &mut out, 0);
    out
}

fn write_path(src: &str, n: Node<'_>, out: &mut String, depth: u32) {
    if depth > 12 {
        out.push('…');
        return;
    }
    match n.kind() {
        "member_expression" => {
            if let Some(o) = n.child_by_field_name("object") {
                write_path(src, o, out, depth + 1);
            }
            out.push('.');
            if let Some(p) = n.child_by_field_name("property") {
                out.push_str(src.get(p.byte_range()).unwrap_or(""));
            }
        }
        "call_expression" => {
            if let Some(f) = n.child_by_field_name("function") {
                write_path(src, f, out, depth + 1);
            }
            out.push_str("()");
        }
        "parenthesized_expression" | "await_expression" | "non_null_expression" => {
            if let Some(i) = n.named_child(0) {
                write_path(src, i, out, depth + 1);
            }
        }
        "identifier" | "this" | "property_identifier" | "super" => {
            out.push_str(src.get(n.byte_range()).unwrap_or(""))
        }
        _ => out.push('…'),
    }
}

/// The last name of a callee: `b` for `a.b`, `f` for `f`.
pub fn last_name<'a>(src: &'a str, callee: Node<'_>) -> &'a str {
    let n = match callee.kind() {
        "member_expression" => callee.child_by_field_name("property"),
        "identifier" => Some(callee),
        _ => None,
    };
    n.and_then(|n| src.get(n.byte_range())).unwrap_or("")
}

/// The object of a member callee (`a` in `a.b(...)`).
pub fn callee_object(call: Node<'_>) -> Option<Node<'_>> {
    let c = callee(call)?;
    if c.kind() == "member_expression" {
        c.child_by_field_name("object")
    } else {
        None
    }
}

/// The value of a string literal (or a template string without substitutions).
pub fn string_value<'a>(src: &'a str, n: Node<'_>) -> Option<&'a str> {
    match n.kind() {
        "string" => {
            let t = src.get(n.byte_range())?;
            Some(t.get(1..t.len().saturating_sub(1)).unwrap_or(""))
        }
        "template_string" => {
            let mut cur = n.walk();
            if n.named_children(&mut cur)
                .any(|c| c.kind() == "template_substitution")
            {
                return None;
            }
            let t = src.get(n.byte_range())?;
            Some(t.get(1..t.len().saturating_sub(1)).unwrap_or(""))
        }
        _ => None,
    }
}

/// The text of a property key (`a`, `'a'`, `"a"`, `[a]` excluded).
pub fn key_text<'a>(src: &'a str, key: Node<'_>) -> Option<&'a str> {
    match key.kind() {
        "property_identifier" | "identifier" | "shorthand_property_identifier" => {
            src.get(key.byte_range())
        }
        "string" => string_value(src, key),
        "number" => src.get(key.byte_range()),
        _ => None,
    }
}

/// The properties of an object literal as `(key, value)`; shorthand `{ id }` gives the
/// identifier as both.
pub fn object_props<'a, 't>(src: &'a str, obj: Node<'t>) -> Vec<(&'a str, Node<'t>)> {
    let mut out = Vec::new();
    if obj.kind() != "object" {
        return out;
    }
    let mut cur = obj.walk();
    for c in obj.named_children(&mut cur) {
        match c.kind() {
            "pair" => {
                if let (Some(k), Some(v)) =
                    (c.child_by_field_name("key"), c.child_by_field_name("value"))
                {
                    if let Some(k) = key_text(src, k) {
                        out.push((k, v));
                    }
                }
            }
            "shorthand_property_identifier" => {
                if let Some(k) = src.get(c.byte_range()) {
                    out.push((k, c));
                }
            }
            "method_definition" => {
                if let Some(k) = c.child_by_field_name("name").and_then(|k| key_text(src, k)) {
                    out.push((k, c));
                }
            }
            _ => {}
        }
    }
    out
}

/// The value of property `key` in an object literal.
pub fn object_prop<'t>(src: &str, obj: Node<'t>, key: &str) -> Option<Node<'t>> {
    object_props(src, obj)
        .into_iter()
        .find(|(k, _)| *k == key)
        .map(|(_, v)| v)
}

/// The innermost function containing `n` (not `n` itself).
pub fn enclosing_function(n: Node<'_>) -> Option<Node<'_>> {
    let mut cur = n.parent();
    while let Some(p) = cur {
        if is_function(p) {
            return Some(p);
        }
        cur = p.parent();
    }
    None
}

/// The outermost function containing `n` (or `n` itself when it is one).
pub fn outermost_function(n: Node<'_>) -> Option<Node<'_>> {
    let mut out = None;
    let mut cur = Some(n);
    while let Some(p) = cur {
        if is_function(p) {
            out = Some(p);
        }
        cur = p.parent();
    }
    out
}

/// True when `inner` lies within `outer` (inclusive).
pub fn contains(outer: Node<'_>, inner: Node<'_>) -> bool {
    outer.start_byte() <= inner.start_byte() && inner.end_byte() <= outer.end_byte()
}

/// The body of a function node.
pub fn body(function: Node<'_>) -> Option<Node<'_>> {
    function.child_by_field_name("body")
}

/// Parameter patterns of a function (TypeScript `required_parameter` unwrapped to its
/// pattern).
pub fn params(function: Node<'_>) -> Vec<Node<'_>> {
    let mut out = Vec::new();
    if let Some(p) = function.child_by_field_name("parameter") {
        out.push(p);
        return out;
    }
    let Some(ps) = function.child_by_field_name("parameters") else {
        return out;
    };
    let mut cur = ps.walk();
    for c in ps.named_children(&mut cur) {
        match c.kind() {
            "required_parameter" | "optional_parameter" => {
                if let Some(p) = c.child_by_field_name("pattern") {
                    out.push(p);
                }
            }
            "comment" => {}
            _ => out.push(c),
        }
    }
    out
}

/// The identifiers a binding pattern binds (`x`, `{ a, b: c }`, `[d, ...e]`, `f = 1`).
pub fn pattern_names<'a>(src: &'a str, pat: Node<'_>, out: &mut Vec<&'a str>) {
    match pat.kind() {
        "identifier" | "shorthand_property_identifier_pattern" => {
            if let Some(t) = src.get(pat.byte_range()) {
                out.push(t);
            }
        }
        "pair_pattern" => {
            if let Some(v) = pat.child_by_field_name("value") {
                pattern_names(src, v, out);
            }
        }
        "assignment_pattern" | "object_assignment_pattern" => {
            if let Some(l) = pat
                .child_by_field_name("left")
                .or_else(|| pat.named_child(0))
            {
                pattern_names(src, l, out);
            }
        }
        "object_pattern" | "array_pattern" | "rest_pattern" => {
            let mut cur = pat.walk();
            for c in pat.named_children(&mut cur) {
                pattern_names(src, c, out);
            }
        }
        _ => {}
    }
}

/// True when a binding pattern binds `name`.
pub fn pattern_binds(src: &str, pat: Node<'_>, name: &str) -> bool {
    let mut v = Vec::new();
    pattern_names(src, pat, &mut v);
    v.contains(&name)
}

/// The root identifier of a member chain (`req` in `req.body.id`, `c` in `c.req.param()`).
pub fn root_of(mut n: Node<'_>) -> Node<'_> {
    loop {
        let next = match n.kind() {
            "member_expression" | "subscript_expression" => n.child_by_field_name("object"),
            "call_expression" => n.child_by_field_name("function"),
            "parenthesized_expression"
            | "await_expression"
            | "non_null_expression"
            | "as_expression"
            | "satisfies_expression" => n.named_child(0),
            _ => None,
        };
        match next {
            Some(x) => n = x,
            None => return n,
        }
    }
}

/// True when the statement or block exits: `return`, `throw`, or a call to `redirect`,
/// `notFound`, `unauthorized`, `forbidden`, `res.status(4xx)` / `process.exit`.
pub fn exits(src: &str, n: Node<'_>) -> bool {
    let mut stack = vec![n];
    while let Some(x) = stack.pop() {
        match x.kind() {
            "return_statement" | "throw_statement" => return true,
            "call_expression" => {
                if let Some(c) = callee(x) {
                    let name = last_name(src, c);
                    if matches!(
                        name,
                        "redirect"
                            | "notFound"
                            | "unauthorized"
                            | "forbidden"
                            | "permanentRedirect"
                    ) {
                        return true;
                    }
                }
            }
            _ => {}
        }
        if is_function(x) && x.id() != n.id() {
            continue;
        }
        let mut cur = x.walk();
        stack.extend(x.named_children(&mut cur));
    }
    false
}

/// The statement that contains `n` directly inside a block or the program.
pub fn statement_of(n: Node<'_>) -> Node<'_> {
    let mut cur = n;
    while let Some(p) = cur.parent() {
        if matches!(
            p.kind(),
            "statement_block" | "program" | "switch_case" | "switch_default"
        ) {
            return cur;
        }
        if is_function(p) {
            return cur;
        }
        cur = p;
    }
    cur
}

/// Iterates over every node under `n` (pre-order), not descending into nested functions
/// when `skip_functions` is set.
pub fn descendants<'t>(n: Node<'t>, skip_functions: bool, mut f: impl FnMut(Node<'t>)) {
    let mut cursor = n.walk();
    let mut depth = 0usize;
    loop {
        let node = cursor.node();
        f(node);
        let descend = !(skip_functions && depth > 0 && is_function(node));
        if descend && cursor.goto_first_child() {
            depth += 1;
            continue;
        }
        loop {
            if depth == 0 {
                return;
            }
            if cursor.goto_next_sibling() {
                break;
            }
            cursor.goto_parent();
            depth -= 1;
        }
    }
}
