//! The abstract values the flow engines compute: where a value comes from and what
//! happened to it on its way.

use lm_core::fact::Provenance;

/// Sink families a sanitiser can neutralise (bit flags).
pub mod kinds {
    /// HTML sinks.
    pub const HTML: u8 = 1;
    /// SQL sinks.
    pub const SQL: u8 = 2;
    /// Log sinks.
    pub const LOG: u8 = 4;
    /// Template (SSTI) sinks.
    pub const TEMPLATE: u8 = 8;
    /// Redirects and outgoing fetches.
    pub const URL: u8 = 16;
    /// PostgREST filter strings (`.or()`), whose separators are `,` and `()`.
    pub const FILTER: u8 = 32;
    /// Every family.
    pub const ALL: u8 = 63;
}

/// A sink family.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SinkKind {
    /// HTML rendering.
    Html,
    /// SQL execution.
    Sql,
    /// A log line.
    Log,
    /// Template compilation (server-side template injection).
    Template,
    /// A redirect.
    Redirect,
    /// An outgoing request.
    Fetch,
}

impl SinkKind {
    /// The `sink` field value.
    pub fn as_str(self) -> &'static str {
        match self {
            SinkKind::Html => "html",
            SinkKind::Sql => "sql",
            SinkKind::Log => "log",
            SinkKind::Template => "template",
            SinkKind::Redirect => "redirect",
            SinkKind::Fetch => "fetch",
        }
    }

    /// The sanitiser bit that neutralises this family.
    pub fn mask(self) -> u8 {
        match self {
            SinkKind::Html => kinds::HTML,
            SinkKind::Sql => kinds::SQL,
            SinkKind::Log => kinds::LOG,
            SinkKind::Template => kinds::TEMPLATE,
            SinkKind::Redirect | SinkKind::Fetch => kinds::URL,
        }
    }
}

/// A value that carries data from a source.
#[derive(Debug, Clone, PartialEq)]
pub struct Taint {
    /// Where the data originally comes from (`Request`, `Database`...).
    pub origin: Provenance,
    /// The source expression as written (`req.query.q`).
    pub source_expr: String,
    /// How it travelled (`assignment`, `template literal`...), in order, deduplicated.
    pub via: Vec<String>,
    /// Sanitisers applied, with the sink families each neutralises.
    pub sanitizers: Vec<(String, u8)>,
    /// A strict validation or conversion applied (`parseInt`, a zod uuid schema).
    pub validated: Option<String>,
    /// For a parsed schema object: the fields a strict schema validated.
    pub strict_fields: Vec<String>,
    /// The value is a whole request object (`req.body`, `await request.json()`), not
    /// one of its string fields.
    pub whole: bool,
}

impl Taint {
    /// Fresh taint from a source.
    pub fn source(origin: Provenance, expr: impl Into<String>) -> Taint {
        Taint {
            origin,
            source_expr: expr.into(),
            via: Vec::new(),
            sanitizers: Vec::new(),
            validated: None,
            strict_fields: Vec::new(),
            whole: false,
        }
    }

    /// Adds a step to the path (no consecutive duplicates, bounded length).
    pub fn with_via(mut self, step: &str) -> Taint {
        if self.via.last().map(String::as_str) != Some(step)
            && !self.via.iter().any(|v| v == step)
            && self.via.len() < 8
        {
            self.via.push(step.to_string());
        }
        self
    }

    /// Marks the value as passed through a sanitiser for the families in `mask`.
    pub fn sanitized(mut self, name: &str, mask: u8) -> Taint {
        self.sanitizers.push((name.to_string(), mask));
        self
    }

    /// Marks the value as strictly validated.
    pub fn validated_by(mut self, name: &str) -> Taint {
        self.validated = Some(name.to_string());
        self
    }

    /// How dangerous the value is in general (for choosing among alternatives): unsafe
    /// beats sanitised beats validated; request beats database beats the rest.
    fn danger(&self) -> u8 {
        let state = if self.validated.is_some() {
            0
        } else if !self.sanitizers.is_empty() {
            1
        } else {
            2
        };
        let origin = match self.origin {
            Provenance::Request => 3,
            Provenance::Database => 2,
            Provenance::User => 1,
            _ => 0,
        };
        state * 4 + origin
    }

    /// The provenance a sink of family `kind` sees, and the sanitiser name when that
    /// decided it.
    pub fn effective(&self, kind: SinkKind) -> (Provenance, Option<String>) {
        if let Some(v) = &self.validated {
            return (Provenance::Validated, Some(v.clone()));
        }
        if let Some((name, _)) = self.sanitizers.iter().find(|(_, m)| m & kind.mask() != 0) {
            return (Provenance::Sanitized, Some(name.clone()));
        }
        (self.origin, None)
    }
}

/// The abstract value of an expression.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Val {
    /// A literal or something built only from literals (also numbers, booleans).
    Const,
    /// Not traced to any source.
    #[default]
    Unknown,
    /// Carries data from a source.
    Tainted(Box<Taint>),
}

impl Val {
    /// A tainted value.
    pub fn taint(t: Taint) -> Val {
        Val::Tainted(Box::new(t))
    }

    /// True when tainted.
    pub fn is_tainted(&self) -> bool {
        matches!(self, Val::Tainted(_))
    }

    /// The taint, if any.
    pub fn as_taint(&self) -> Option<&Taint> {
        match self {
            Val::Tainted(t) => Some(t),
            _ => None,
        }
    }

    /// Joins two values (a value built from both): taint wins, the more dangerous taint
    /// first; else unknown wins over constant.
    pub fn join(self, other: Val) -> Val {
        match (self, other) {
            (Val::Tainted(a), Val::Tainted(b)) => {
                if b.danger() > a.danger() {
                    Val::Tainted(b)
                } else {
                    Val::Tainted(a)
                }
            }
            (Val::Tainted(a), _) | (_, Val::Tainted(a)) => Val::Tainted(a),
            (Val::Unknown, _) | (_, Val::Unknown) => Val::Unknown,
            _ => Val::Const,
        }
    }

    /// Adds a path step to a tainted value.
    pub fn via(self, step: &str) -> Val {
        match self {
            Val::Tainted(t) => Val::taint(t.with_via(step)),
            v => v,
        }
    }

    /// Applies a sanitiser (no effect on untainted values).
    pub fn sanitize(self, name: &str, mask: u8) -> Val {
        match self {
            Val::Tainted(t) => Val::taint(t.sanitized(name, mask)),
            v => v,
        }
    }

    /// Applies a strict validation: the result is tainted-but-validated, or constant.
    pub fn validate(self, name: &str) -> Val {
        match self {
            Val::Tainted(t) => Val::taint(t.validated_by(name)),
            Val::Unknown => Val::Const,
            v => v,
        }
    }

    /// The value of field `name` of this value (object field flow). A field a strict
    /// schema validated is validated.
    pub fn field(self, name: &str) -> Val {
        match self {
            Val::Tainted(t) if t.strict_fields.iter().any(|f| f == name) => {
                let mut t = *t;
                t.strict_fields.clear();
                t.whole = false;
                Val::taint(t.validated_by("schema"))
            }
            // `safeParse(x).data` keeps the schema's field knowledge.
            Val::Tainted(t) if name == "data" && !t.strict_fields.is_empty() => Val::Tainted(t),
            // The status fields of a query result are not stored data.
            Val::Tainted(t)
                if t.origin == Provenance::Database
                    && matches!(name, "error" | "status" | "statusText" | "count") =>
            {
                Val::Unknown
            }
            Val::Tainted(mut t) => {
                if t.whole && !name.is_empty() && t.source_expr.len() < 100 {
                    // `const { email } = await req.json()` reads `req.json().email`.
                    t.source_expr = format!("{}.{name}", t.source_expr);
                }
                t.strict_fields.clear();
                t.whole = false;
                Val::Tainted(t)
            }
            v => v,
        }
    }
}

/// A sanitiser applied to any value: tainted values record it; untraced values become
/// "sanitised, origin unknown" so that sinks report the sanitiser rather than an
/// unknown source.
pub fn sanitized_any(v: Val, name: &str, mask: u8) -> Val {
    match v {
        Val::Unknown => Val::taint(Taint::source(Provenance::Unknown, "").sanitized(name, mask)),
        v => v.sanitize(name, mask),
    }
}

/// The value as a string: a whole request object or a parsed schema object turned
/// into text is one string, no longer its fields.
pub fn stringify(v: Val) -> Val {
    match v {
        Val::Tainted(mut t) => {
            t.whole = false;
            t.strict_fields.clear();
            Val::Tainted(t)
        }
        v => v,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn join_prefers_unsanitised_request_data() {
        let safe = Val::taint(Taint::source(Provenance::Request, "a").sanitized("x", kinds::HTML));
        let raw = Val::taint(Taint::source(Provenance::Request, "b"));
        let j = safe.clone().join(raw.clone());
        assert_eq!(j.as_taint().unwrap().source_expr, "b");
        assert_eq!(raw.join(Val::Const).as_taint().unwrap().source_expr, "b");
        assert_eq!(Val::Const.join(Val::Unknown), Val::Unknown);
        assert_eq!(Val::Const.join(Val::Const), Val::Const);
    }

    #[test]
    fn sanitisers_only_cover_their_families() {
        let t = Taint::source(Provenance::Request, "q").sanitized("JSON.stringify", kinds::LOG);
        assert_eq!(t.effective(SinkKind::Log).0, Provenance::Sanitized);
        assert_eq!(t.effective(SinkKind::Html).0, Provenance::Request);
        let v = Taint::source(Provenance::Request, "q").validated_by("parseInt");
        assert_eq!(v.effective(SinkKind::Sql).0, Provenance::Validated);
    }

    #[test]
    fn strict_schema_fields_are_validated() {
        let mut t = Taint::source(Provenance::Request, "body");
        t.strict_fields = vec!["id".into()];
        let v = Val::taint(t);
        assert_eq!(
            v.clone()
                .field("id")
                .as_taint()
                .unwrap()
                .effective(SinkKind::Sql)
                .0,
            Provenance::Validated
        );
        assert_eq!(
            v.field("name")
                .as_taint()
                .unwrap()
                .effective(SinkKind::Sql)
                .0,
            Provenance::Request
        );
    }
}
