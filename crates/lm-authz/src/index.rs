//! The buffered facts, indexed the ways the rules look them up.
//!
//! Facts are grouped by `(path, scope)`: a route's `handler_scope` names the group of
//! facts its handler produced. `function` facts let the rules follow helpers: a handler
//! calling `getUserOrThrow()` reaches the facts inside that function, in the same file or
//! (for a uniquely named exported function) in another file.

use std::collections::{HashMap, HashSet};

use lm_core::fact::{scope_id, Fact, FactData, Function};
use lm_core::Role;

use crate::names;

/// Calls never followed across files: they name framework entry points, not helpers.
const NOT_HELPERS: &[&str] = &[
    "GET",
    "POST",
    "PUT",
    "PATCH",
    "DELETE",
    "HEAD",
    "OPTIONS",
    "handler",
    "default",
    "main",
    "constructor",
    "then",
    "catch",
    "json",
    "next",
    "send",
    "status",
    "from",
    "select",
    "eq",
    "insert",
    "update",
    "delete",
    "upsert",
    "log",
    "error",
    "push",
    "map",
    "filter",
    "fetch",
    "serve",
    "parse",
    "stringify",
    "get",
    "set",
    "create",
    "find",
    "query",
];

/// How many exported look-alikes a cross-file call may resolve to before it is ignored.
const MAX_CROSS_FILE: usize = 2;

/// Prefix of a route middleware entry naming a dependency type alias of a handler
/// parameter (`Annotated:CurrentUser`); the alias is a `function` fact calling its
/// dependency, in the file that defines it.
pub const ALIAS_PREFIX: &str = "Annotated:";

/// Depth of helper following.
const MAX_DEPTH: usize = 4;

/// All facts and file roles of one stream, indexed.
#[derive(Debug, Default)]
pub struct Index {
    /// Every fact, in input order.
    pub facts: Vec<Fact>,
    /// File roles by path.
    pub roles: HashMap<String, Role>,
    by_scope: HashMap<(String, String), Vec<usize>>,
    fn_by_span: HashMap<(String, String), usize>,
    fn_by_name: HashMap<(String, String), Vec<usize>>,
    exported_by_name: HashMap<String, Vec<usize>>,
    /// Indices of facts by kind tag.
    by_kind: HashMap<&'static str, Vec<usize>>,
    routes_per_path: HashMap<String, usize>,
    fn_names_per_path: HashMap<String, Vec<String>>,
}

/// What a handler reaches: its own facts plus those of the helpers and wrappers it uses.
#[derive(Debug, Default, Clone)]
pub struct Reach {
    /// Fact indices, handler first, deduplicated.
    pub facts: Vec<usize>,
    /// For facts reached through a helper: the helper's name.
    pub via: HashMap<usize, String>,
    /// Every call name seen in the handler and its helpers.
    pub calls: Vec<String>,
    /// Names that resolved to a function fact.
    pub resolved: HashSet<String>,
}

impl Index {
    /// Builds the index from facts and file roles.
    pub fn new(mut facts: Vec<Fact>, roles: HashMap<String, Role>) -> Index {
        resolve_client_kinds(&mut facts);
        let mut ix = Index {
            facts,
            roles,
            ..Default::default()
        };
        for (i, f) in ix.facts.iter().enumerate() {
            ix.by_kind.entry(f.kind()).or_default().push(i);
            if let Some(s) = &f.scope {
                ix.by_scope
                    .entry((f.path.clone(), s.clone()))
                    .or_default()
                    .push(i);
            }
            if matches!(f.data, FactData::Route(_)) {
                *ix.routes_per_path.entry(f.path.clone()).or_default() += 1;
            }
            if let FactData::Function(func) = &f.data {
                let names = ix.fn_names_per_path.entry(f.path.clone()).or_default();
                if !names.contains(&func.name) {
                    names.push(func.name.clone());
                }
                ix.fn_by_span
                    .insert((f.path.clone(), scope_id(f.line, f.end_line)), i);
                ix.fn_by_name
                    .entry((f.path.clone(), func.name.clone()))
                    .or_default()
                    .push(i);
                if func.exported {
                    ix.exported_by_name
                        .entry(func.name.clone())
                        .or_default()
                        .push(i);
                }
            }
        }
        ix
    }

    /// Facts of one kind, in input order.
    pub fn of_kind(&self, kind: &str) -> impl Iterator<Item = (usize, &Fact)> {
        self.by_kind
            .get(kind)
            .map(|v| v.as_slice())
            .unwrap_or(&[])
            .iter()
            .map(move |&i| (i, &self.facts[i]))
    }

    /// The role of a file, when its `file` record was seen.
    pub fn role(&self, path: &str) -> Option<Role> {
        self.roles.get(path).copied()
    }

    /// Facts in a scope.
    pub fn scope_facts(&self, path: &str, scope: &str) -> &[usize] {
        self.by_scope
            .get(&(path.to_string(), scope.to_string()))
            .map(|v| v.as_slice())
            .unwrap_or(&[])
    }

    /// The function fact spanning exactly `scope` in `path`.
    pub fn function_at(&self, path: &str, scope: &str) -> Option<(usize, &Function)> {
        let i = *self
            .fn_by_span
            .get(&(path.to_string(), scope.to_string()))?;
        match &self.facts[i].data {
            FactData::Function(f) => Some((i, f)),
            _ => None,
        }
    }

    /// How many route facts a file holds.
    pub fn routes_in(&self, path: &str) -> usize {
        self.routes_per_path.get(path).copied().unwrap_or(0)
    }

    /// Names of the functions defined in a file.
    pub fn function_names(&self, path: &str) -> Vec<String> {
        self.fn_names_per_path
            .get(path)
            .cloned()
            .unwrap_or_default()
    }

    /// The facts inside a function fact (by its scope, restricted to its lines).
    pub fn function_facts(&self, fn_idx: usize) -> Vec<usize> {
        let f = &self.facts[fn_idx];
        let own = scope_id(f.line, f.end_line);
        let scope = f.scope.clone().unwrap_or_else(|| own.clone());
        let mut out: Vec<usize> = self
            .scope_facts(&f.path, &scope)
            .iter()
            .copied()
            .filter(|&i| {
                i != fn_idx && self.facts[i].line >= f.line && self.facts[i].end_line <= f.end_line
            })
            .collect();
        if scope != own {
            out.extend(self.scope_facts(&f.path, &own).iter().copied());
        }
        out
    }

    /// Function facts a call name in `path` may refer to: same-file definitions first,
    /// else a uniquely named exported function elsewhere.
    pub fn resolve(&self, path: &str, call: &str) -> Vec<usize> {
        let full = names::callee(call);
        let last = names::last_segment(call);
        if last.is_empty() {
            return Vec::new();
        }
        for name in [full, last] {
            if let Some(v) = self.fn_by_name.get(&(path.to_string(), name.to_string())) {
                return v.clone();
            }
        }
        if NOT_HELPERS.contains(&last) || last.len() < 3 {
            return Vec::new();
        }
        match self.exported_by_name.get(last) {
            Some(v) if v.len() <= MAX_CROSS_FILE => v
                .iter()
                .copied()
                .filter(|&i| self.facts[i].path != path)
                .collect(),
            _ => Vec::new(),
        }
    }

    /// The function fact a dependency alias names: defined in `path`, else the one
    /// exported function of that name in the whole stream (an ambiguous name resolves to
    /// nothing).
    pub fn resolve_alias(&self, path: &str, name: &str) -> Option<usize> {
        if let Some(v) = self.fn_by_name.get(&(path.to_string(), name.to_string())) {
            return v.first().copied();
        }
        match self.exported_by_name.get(name) {
            Some(v) if v.len() == 1 => Some(v[0]),
            _ => None,
        }
    }

    /// Everything a handler reaches: the facts of `scope` in `path`, of the helpers it
    /// calls (transitively), and of the wrappers named in `wrappers`.
    pub fn reach(&self, path: &str, scope: Option<&str>, wrappers: &[String]) -> Reach {
        let mut reach = Reach::default();
        let mut seen_facts: HashSet<usize> = HashSet::new();
        let mut seen_fns: HashSet<usize> = HashSet::new();
        let mut queue: Vec<(usize, usize, Option<String>)> = Vec::new();
        if let Some(scope) = scope {
            for &i in self.scope_facts(path, scope) {
                if seen_facts.insert(i) {
                    reach.facts.push(i);
                }
            }
            if let Some((fi, _)) = self.function_at(path, scope) {
                seen_fns.insert(fi);
                queue.push((fi, 0, None));
            }
            // Functions nested in the handler (callbacks) carry the handler's scope.
            for &i in self.scope_facts(path, scope) {
                if matches!(self.facts[i].data, FactData::Function(_)) && seen_fns.insert(i) {
                    queue.push((i, 0, None));
                }
            }
        }
        for w in wrappers {
            if let Some(alias) = w.strip_prefix(ALIAS_PREFIX) {
                // Not a call: only what the alias resolves to counts, never its name.
                if let Some(fi) = self.resolve_alias(path, alias) {
                    reach.resolved.insert(w.clone());
                    if seen_fns.insert(fi) {
                        queue.push((fi, 1, Some(alias.to_string())));
                        self.add_function(fi, Some(alias), &mut reach, &mut seen_facts);
                    }
                }
                continue;
            }
            reach.calls.push(w.clone());
            for fi in self.resolve(path, w) {
                reach.resolved.insert(w.clone());
                if seen_fns.insert(fi) {
                    queue.push((fi, 1, Some(names::callee(w).to_string())));
                    self.add_function(fi, Some(names::callee(w)), &mut reach, &mut seen_facts);
                }
            }
        }
        while let Some((fi, depth, _via)) = queue.pop() {
            let FactData::Function(func) = &self.facts[fi].data else {
                continue;
            };
            let fpath = self.facts[fi].path.clone();
            for call in &func.calls {
                reach.calls.push(call.clone());
                if depth >= MAX_DEPTH {
                    continue;
                }
                for callee in self.resolve(&fpath, call) {
                    reach.resolved.insert(call.clone());
                    if seen_fns.insert(callee) {
                        let name = names::callee(call).to_string();
                        self.add_function(callee, Some(&name), &mut reach, &mut seen_facts);
                        queue.push((callee, depth + 1, Some(name)));
                    }
                }
            }
        }
        reach
    }

    fn add_function(
        &self,
        fi: usize,
        via: Option<&str>,
        reach: &mut Reach,
        seen: &mut HashSet<usize>,
    ) {
        for i in self.function_facts(fi) {
            if seen.insert(i) {
                reach.facts.push(i);
                if let Some(v) = via {
                    reach.via.insert(i, v.to_string());
                }
            }
        }
    }
}

/// Gives `db_access` facts whose client kind is unknown the kind of the module-level
/// client of the same name defined elsewhere (`import { supabase } from
/// "../_shared/client.ts"`), when every such definition agrees.
/// The keys whose kinds all agree, with that kind.
fn unanimous<K: std::hash::Hash + Eq>(m: HashMap<K, Vec<String>>) -> HashMap<K, String> {
    m.into_iter()
        .filter_map(|(key, ks)| {
            let first = ks[0].clone();
            ks.iter().all(|k| *k == first).then_some((key, first))
        })
        .collect()
}

fn resolve_client_kinds(facts: &mut [Fact]) {
    // Edge functions import from `supabase/functions/_shared`, the app from its own
    // modules: a client defined on one side never serves the other.
    fn side(path: &str) -> bool {
        path.starts_with("supabase/functions/") || path.contains("/supabase/functions/")
    }
    let mut kinds: HashMap<(bool, String), Vec<String>> = HashMap::new();
    for f in facts.iter() {
        if let FactData::DbClient(c) = &f.data {
            if let Some(v) = c.var.as_deref() {
                if f.scope.is_none() && c.client_kind != "unknown" && !c.client_kind.is_empty() {
                    kinds
                        .entry((side(&f.path), v.to_string()))
                        .or_default()
                        .push(c.client_kind.clone());
                }
            }
        }
    }
    // A helper taking the client as a parameter (`storeRows(supabase, rows)`) is handed
    // the one its file creates: every client of that name in the file, at any scope.
    let mut in_file: HashMap<(String, String), Vec<String>> = HashMap::new();
    for f in facts.iter() {
        if let FactData::DbClient(c) = &f.data {
            if let Some(v) = c.var.as_deref() {
                if c.client_kind != "unknown" && !c.client_kind.is_empty() {
                    in_file
                        .entry((f.path.clone(), v.to_string()))
                        .or_default()
                        .push(c.client_kind.clone());
                }
            }
        }
    }
    let resolved: HashMap<(bool, String), String> = unanimous(kinds);
    let same_file: HashMap<(String, String), String> = unanimous(in_file);
    if resolved.is_empty() && same_file.is_empty() {
        return;
    }
    for f in facts.iter_mut() {
        let s = side(&f.path);
        let path = f.path.clone();
        if let FactData::DbAccess(d) = &mut f.data {
            if d.client_kind == "unknown" || d.client_kind.is_empty() {
                let Some(v) = d.client_var.clone() else {
                    continue;
                };
                if let Some(k) = same_file
                    .get(&(path, v.clone()))
                    .or_else(|| resolved.get(&(s, v)))
                {
                    d.client_kind = k.clone();
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lm_core::fact::{AuthCheck, Route};

    fn fact(path: &str, line: u64, end: u64, scope: Option<&str>, data: FactData) -> Fact {
        Fact {
            path: path.into(),
            path_bytes: None,
            line,
            end_line: end,
            column: None,
            scope: scope.map(String::from),
            data,
        }
    }

    fn func(name: &str, exported: bool, calls: &[&str]) -> FactData {
        FactData::Function(Function {
            name: name.into(),
            exported,
            calls: calls.iter().map(|s| s.to_string()).collect(),
        })
    }

    #[test]
    fn reach_follows_same_file_and_unique_exported_helpers() {
        let facts = vec![
            fact(
                "app/api/x/route.ts",
                3,
                9,
                Some("L3-L9"),
                FactData::Route(Route {
                    framework: "nextjs-app".into(),
                    methods: vec!["GET".into()],
                    pattern: "/api/x".into(),
                    handler_scope: Some("L3-L9".into()),
                    ..Default::default()
                }),
            ),
            fact(
                "app/api/x/route.ts",
                3,
                9,
                Some("L3-L9"),
                func("GET", true, &["getUserOrThrow"]),
            ),
            fact(
                "lib/auth.ts",
                1,
                6,
                Some("L1-L6"),
                func("getUserOrThrow", true, &["inner"]),
            ),
            fact(
                "lib/auth.ts",
                2,
                2,
                Some("L1-L6"),
                FactData::AuthCheck(AuthCheck {
                    method: "supabase.auth.getUser".into(),
                    provider: "supabase".into(),
                    enforced: true,
                    ..Default::default()
                }),
            ),
            fact(
                "lib/auth.ts",
                8,
                10,
                Some("L8-L10"),
                func("inner", false, &[]),
            ),
        ];
        let ix = Index::new(facts, HashMap::new());
        let r = ix.reach("app/api/x/route.ts", Some("L3-L9"), &[]);
        assert!(r.facts.contains(&3), "{r:?}");
        assert_eq!(r.via.get(&3).map(String::as_str), Some("getUserOrThrow"));
        assert!(r.calls.contains(&"inner".to_string()));
    }

    #[test]
    fn ambiguous_exported_names_are_not_followed() {
        let facts = vec![
            fact("a.ts", 1, 2, Some("L1-L2"), func("h", true, &["check"])),
            fact("b.ts", 1, 2, Some("L1-L2"), func("check", true, &[])),
            fact("c.ts", 1, 2, Some("L1-L2"), func("check", true, &[])),
            fact("d.ts", 1, 2, Some("L1-L2"), func("check", true, &[])),
        ];
        let ix = Index::new(facts, HashMap::new());
        assert!(ix.resolve("a.ts", "check").is_empty());
        assert_eq!(ix.resolve("b.ts", "check"), vec![1]);
    }

    #[test]
    fn dependency_aliases_resolve_to_their_unique_definition_never_by_name() {
        let auth = |path: &str, line: u64, scope: &str| {
            fact(
                path,
                line,
                line,
                Some(scope),
                FactData::AuthCheck(AuthCheck {
                    method: "jwt.decode".into(),
                    provider: "jwt".into(),
                    enforced: true,
                    ..Default::default()
                }),
            )
        };
        let facts = vec![
            fact(
                "app/api/deps.py",
                5,
                9,
                Some("L5-L9"),
                func("get_current_user", true, &["jwt.decode"]),
            ),
            auth("app/api/deps.py", 6, "L5-L9"),
            fact(
                "app/api/deps.py",
                12,
                12,
                None,
                func("CurrentUser", true, &["get_current_user"]),
            ),
            fact(
                "app/api/deps.py",
                13,
                13,
                None,
                func("SessionDep", true, &["get_db"]),
            ),
            // Two modules defining `AdminUser`: ambiguous, not followed.
            fact(
                "app/a/deps.py",
                1,
                3,
                Some("L1-L3"),
                func("check_admin", true, &[]),
            ),
            auth("app/a/deps.py", 2, "L1-L3"),
            fact(
                "app/a/deps.py",
                5,
                5,
                None,
                func("AdminUser", true, &["check_admin"]),
            ),
            fact(
                "app/b/deps.py",
                5,
                5,
                None,
                func("AdminUser", true, &["check_admin"]),
            ),
        ];
        let ix = Index::new(facts, HashMap::new());
        let w = |n: &str| vec![format!("{ALIAS_PREFIX}{n}")];
        let r = ix.reach("app/api/routes/items.py", None, &w("CurrentUser"));
        assert!(r.facts.contains(&1), "{r:?}");
        assert!(r.calls.contains(&"get_current_user".to_string()));
        // The alias name itself is never a call to judge.
        assert!(!r.calls.iter().any(|c| c.contains("CurrentUser")), "{r:?}");
        let r = ix.reach("app/api/routes/items.py", None, &w("SessionDep"));
        assert!(r.facts.is_empty(), "{r:?}");
        assert_eq!(r.calls, vec!["get_db".to_string()]);
        assert_eq!(
            ix.resolve_alias("app/api/routes/items.py", "AdminUser"),
            None
        );
        assert_eq!(ix.resolve_alias("app/b/deps.py", "AdminUser"), Some(7));
        let r = ix.reach("app/api/routes/items.py", None, &w("Unknown"));
        assert!(r.facts.is_empty() && r.calls.is_empty(), "{r:?}");
    }
}
