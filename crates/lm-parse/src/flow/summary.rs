//! Same-file helper summaries, shared by the language engines.
//!
//! A helper is summarised by walking its body once per parameter (at most six), with
//! that parameter bound to a marker taint: the marker reaching a `return` means the
//! parameter flows to the result, the marker reaching a sink means a caller's argument
//! reaches that sink. A call to the helper then applies the summary to the values of
//! its arguments. Only the walking of the body is language-specific
//! ([`Summarizer::summarize_once`]); collecting and applying summaries is here.

use std::collections::HashMap;

use lm_core::fact::Provenance;
use tree_sitter::Node;

use super::taint::{SinkKind, Taint, Val};
use super::walk::Walk;

/// Prefix of the marker taint a summarised parameter carries (`MARK` + its index).
const MARK: &str = "\u{0}param";

/// Most runs (marked parameters) of one summary.
const MAX_RUNS: usize = 6;

/// What a same-file helper does with its parameters.
#[derive(Debug, Clone, Default)]
pub(crate) struct Summary {
    /// Parameter index reaching the return value, with what happened to it there.
    params: Vec<(usize, Taint)>,
    /// A source read inside the helper and returned.
    own: Option<Taint>,
    /// Every return value is a constant.
    all_const: bool,
    /// Sinks inside the helper reached by a parameter: (index, family, api, path).
    sinks: Vec<(usize, SinkKind, String, Taint)>,
}

/// The summary bookkeeping an engine carries.
#[derive(Debug, Default)]
pub(crate) struct Summaries {
    /// Summaries by the helper's start byte.
    cache: HashMap<usize, Summary>,
    /// In a helper summary: no facts, returns collected.
    pub(crate) active: bool,
    /// Sinks reached by a marked parameter while summarising a helper.
    sinks: Vec<(SinkKind, String, Taint)>,
}

/// The value parameter `i` is bound to in the run that marks it.
pub(crate) fn marked_param(i: usize) -> Val {
    let mut t = Taint::source(Provenance::Unknown, format!("{MARK}{i}"));
    t.whole = true;
    Val::taint(t)
}

/// Replays what happened to a parameter inside a helper (`inner`) on the caller's
/// argument taint `t`, with the helper call as one step of the path.
fn replay(mut t: Taint, inner: &Taint, step: &str) -> Taint {
    for v in &inner.via {
        t = t.with_via(v);
    }
    t = t.with_via(step);
    for (s, m) in &inner.sanitizers {
        t = t.sanitized(s, *m);
    }
    if let Some(v) = &inner.validated {
        t = t.validated_by(v);
    }
    t
}

/// A language engine that can summarise and apply same-file helpers.
pub(crate) trait Summarizer<'a>: Walk<'a> {
    /// The parameter names of helper `f` to mark, in order.
    fn helper_params(&self, f: Node<'a>) -> Vec<Node<'a>>;

    /// The values helper `f` returns with parameter `marked` bound to
    /// [`marked_param`], the others unknown, and [`Summaries::active`] set.
    fn summarize_once(&mut self, f: Node<'a>, params: &[Node<'a>], marked: usize) -> Vec<Val>;

    /// The engine's summary bookkeeping.
    fn summaries(&mut self) -> &mut Summaries;

    /// Records a `sink` fact.
    fn emit_sink(&mut self, at: Node<'a>, kind: SinkKind, api: &str, val: &Val, arg: Node<'a>);

    /// Records a sink, or while summarising a helper, remembers which parameter
    /// reached it.
    fn sink(&mut self, at: Node<'a>, kind: SinkKind, api: &str, val: &Val, arg: Node<'a>) {
        let state = self.summaries();
        if state.active {
            if let Val::Tainted(t) = val {
                if t.source_expr.starts_with(MARK) {
                    state.sinks.push((kind, api.to_string(), (**t).clone()));
                }
            }
            return;
        }
        self.emit_sink(at, kind, api, val, arg);
    }

    /// What a helper returns and which sinks its parameters reach, one run per
    /// parameter (at most six) so that each parameter reaching the return is seen
    /// even when several do.
    fn summarize(&mut self, f: Node<'a>) -> Summary {
        let params = self.helper_params(f);
        let mut s = Summary {
            all_const: true,
            ..Default::default()
        };
        for marked in 0..params.len().clamp(1, MAX_RUNS) {
            let returns = self.summarize_once(f, &params, marked);
            for (kind, api, t) in std::mem::take(&mut self.summaries().sinks) {
                if t.source_expr == format!("{MARK}{marked}")
                    && !s
                        .sinks
                        .iter()
                        .any(|(i, k, a, _)| *i == marked && *k == kind && *a == api)
                {
                    s.sinks.push((marked, kind, api, t));
                }
            }
            for r in returns {
                if r != Val::Const {
                    s.all_const = false;
                }
                if let Val::Tainted(t) = r {
                    match t.source_expr.strip_prefix(MARK).map(str::parse::<usize>) {
                        Some(Ok(i)) => {
                            if !s.params.iter().any(|(j, _)| *j == i) {
                                s.params.push((i, *t));
                            }
                        }
                        Some(Err(_)) => {}
                        None => {
                            if s.own.is_none() {
                                s.own = Some(*t);
                            }
                        }
                    }
                }
            }
        }
        s
    }

    /// The value of a call to helper `f` named `name` with arguments `args`: reports
    /// the helper's sinks its arguments reach (at the call), and returns its own
    /// taint joined with the arguments that flow to its return.
    fn apply_summary(&mut self, f: Node<'a>, name: &str, args: &[Node<'a>]) -> Val {
        let key = f.start_byte();
        let summary = match self.summaries().cache.get(&key) {
            Some(s) => s.clone(),
            None => {
                let s = self.summarize(f);
                self.summaries().cache.insert(key, s.clone());
                s
            }
        };
        let step = format!("helper {name}");
        // Sinks inside the helper that its parameters reach, reported at the call.
        for (i, kind, api, inner) in &summary.sinks {
            let Some(a) = args.get(*i) else { continue };
            let Some(call) = a.parent().and_then(|p| p.parent()) else {
                continue;
            };
            if let Val::Tainted(t) = self.eval(*a) {
                let t = replay(*t, inner, &step);
                let api = format!("{name}() → {api}");
                self.sink(call, *kind, &api, &Val::taint(t), *a);
            }
        }
        let mut acc = match summary.own {
            Some(t) => Val::taint(t).via(&step),
            None => Val::Unknown,
        };
        let mut any = acc.is_tainted();
        for (i, inner) in &summary.params {
            let Some(a) = args.get(*i) else { continue };
            if let Val::Tainted(t) = self.eval(*a) {
                let mut t = replay(*t, inner, &step);
                if !inner.whole {
                    t.whole = false;
                }
                acc = acc.join(Val::taint(t));
                any = true;
            }
        }
        if any {
            acc
        } else if summary.all_const {
            Val::Const
        } else {
            Val::Unknown
        }
    }
}
