//! What the language walkers share besides summaries: variable scopes, access-chain
//! steps and the depth-bounded walk over a file's tree and its expressions.

use std::collections::HashMap;

use tree_sitter::Node;

use super::taint::Val;

/// Deepest nesting the walkers follow (visits and evaluations); deeper code is skipped.
const MAX_DEPTH: u32 = 300;

/// The abstract values of variables, innermost scope last.
#[derive(Debug, Default)]
pub(crate) struct Scopes(Vec<HashMap<String, Val>>);

impl Scopes {
    /// Opens a scope.
    pub(crate) fn push(&mut self) {
        self.0.push(HashMap::new());
    }

    /// Closes the innermost scope.
    pub(crate) fn pop(&mut self) {
        self.0.pop();
    }

    /// The value of `name` in the innermost scope that has it.
    pub(crate) fn lookup(&self, name: &str) -> Option<&Val> {
        self.0.iter().rev().find_map(|s| s.get(name))
    }

    /// Binds `name` in the innermost scope.
    pub(crate) fn declare(&mut self, name: &str, val: Val) {
        if let Some(s) = self.0.last_mut() {
            s.insert(name.to_string(), val);
        }
    }

    /// Rebinds `name` where it is declared, else declares it in the innermost scope.
    pub(crate) fn assign(&mut self, name: &str, val: Val) {
        for s in self.0.iter_mut().rev() {
            if let Some(slot) = s.get_mut(name) {
                *slot = val;
                return;
            }
        }
        self.declare(name, val);
    }
}

/// One step of an access chain (`c.req.param('id')` → c, req, param, call(id)).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Seg<'a> {
    /// A name: the root identifier, or a property or attribute.
    Name(&'a str),
    /// A subscript that is not a string literal.
    Index,
    /// A call, with its first argument when that is a string literal.
    Call(Option<&'a str>),
}

/// The `left` and `right` fields of an assignment or a `for` loop, when both are there.
pub(crate) fn left_right(node: Node<'_>) -> Option<(Node<'_>, Node<'_>)> {
    Some((
        node.child_by_field_name("left")?,
        node.child_by_field_name("right")?,
    ))
}

/// A tree walker: what it does at a statement and what an expression is worth, with
/// the depth bound and the walk over children shared.
pub(crate) trait Walk<'a> {
    /// The current nesting depth.
    fn depth(&mut self) -> &mut u32;

    /// Handles one node (recursing through [`Walk::visit`] and [`Walk::visit_children`]).
    fn visit_node(&mut self, node: Node<'a>);

    /// The abstract value of one expression (recursing through [`Walk::eval`]).
    fn eval_node(&mut self, node: Node<'a>) -> Val;

    /// The abstract value of an expression; unknown when the walk is too deep.
    fn eval(&mut self, node: Node<'a>) -> Val {
        if *self.depth() > MAX_DEPTH {
            return Val::Unknown;
        }
        *self.depth() += 1;
        let v = self.eval_node(node);
        *self.depth() -= 1;
        v
    }

    /// The join of the values of `nodes` (constant when there are none).
    fn eval_join(&mut self, nodes: &[Node<'a>]) -> Val {
        let mut acc = Val::Const;
        for n in nodes {
            let v = self.eval(*n);
            acc = acc.join(v);
        }
        acc
    }

    /// The join of the values of the named children of `node` (a list, a tuple, an
    /// array, adjacent string literals).
    fn eval_children(&mut self, node: Node<'a>) -> Val {
        let mut cur = node.walk();
        let items: Vec<Node<'a>> = node.named_children(&mut cur).collect();
        self.eval_join(&items)
    }

    /// Visits `node` unless the walk is already too deep.
    fn visit(&mut self, node: Node<'a>) {
        if *self.depth() > MAX_DEPTH {
            return;
        }
        *self.depth() += 1;
        self.visit_node(node);
        *self.depth() -= 1;
    }

    /// Visits the named children of `node` in order.
    fn visit_children(&mut self, node: Node<'a>) {
        let mut cur = node.walk();
        if !cur.goto_first_child() {
            return;
        }
        loop {
            let n = cur.node();
            if n.is_named() {
                self.visit(n);
            }
            if !cur.goto_next_sibling() {
                break;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn assignment_updates_the_declaring_scope() {
        let mut s = Scopes::default();
        s.push();
        s.declare("a", Val::Const);
        s.push();
        s.assign("a", Val::Unknown);
        s.assign("b", Val::Const);
        s.pop();
        assert_eq!(s.lookup("a"), Some(&Val::Unknown));
        assert_eq!(s.lookup("b"), None);
    }
}
