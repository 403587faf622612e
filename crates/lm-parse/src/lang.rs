//! Languages lm-parse reads, their tree-sitter grammars and per-thread parsers.

use std::cell::RefCell;
use std::sync::LazyLock;

use lm_core::FileRecord;
use tree_sitter::{Language, Parser, Tree};

/// A language lm-parse understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lang {
    /// JavaScript (`.js`, `.mjs`, `.cjs`).
    JavaScript,
    /// JavaScript with JSX.
    Jsx,
    /// TypeScript.
    TypeScript,
    /// TypeScript with JSX.
    Tsx,
    /// Python.
    Python,
    /// SQL (Postgres dialect).
    Sql,
    /// Vue single-file component (its scripts are read as JS/TS, see [`crate::vue`]).
    Vue,
    /// Svelte component (read like a Vue component).
    Svelte,
}

impl Lang {
    /// The language of a file record (from its `language`, then its extension).
    pub fn of(file: &FileRecord) -> Option<Lang> {
        let by_lang = match file.language.as_deref() {
            Some("javascript") => Some(Lang::JavaScript),
            Some("jsx") => Some(Lang::Jsx),
            Some("typescript") => Some(Lang::TypeScript),
            Some("tsx") => Some(Lang::Tsx),
            Some("python") => Some(Lang::Python),
            Some("sql") => Some(Lang::Sql),
            Some("vue") => Some(Lang::Vue),
            Some("svelte") => Some(Lang::Svelte),
            _ => None,
        };
        by_lang.or_else(|| {
            let ext = file.path.rsplit_once('.').map(|(_, e)| e)?;
            match ext {
                "js" | "mjs" | "cjs" => Some(Lang::JavaScript),
                "jsx" => Some(Lang::Jsx),
                "ts" | "mts" | "cts" => Some(Lang::TypeScript),
                "tsx" => Some(Lang::Tsx),
                "py" => Some(Lang::Python),
                "sql" => Some(Lang::Sql),
                "vue" => Some(Lang::Vue),
                "svelte" => Some(Lang::Svelte),
                _ => None,
            }
        })
    }

    /// True for Python.
    pub fn is_python(self) -> bool {
        self == Lang::Python
    }

    /// True for the JavaScript family (JS, JSX, TS, TSX).
    pub fn is_js_family(self) -> bool {
        matches!(
            self,
            Lang::JavaScript | Lang::Jsx | Lang::TypeScript | Lang::Tsx
        )
    }

    /// True for single-file components (Vue, Svelte).
    pub fn is_component(self) -> bool {
        matches!(self, Lang::Vue | Lang::Svelte)
    }

    /// The tree-sitter grammar (None for SQL, which has its own reader, and for
    /// components, whose scripts are parsed as JS/TS).
    pub fn grammar(self) -> Option<&'static Language> {
        match self {
            // The JavaScript grammar parses JSX too.
            Lang::JavaScript | Lang::Jsx => Some(&JAVASCRIPT),
            Lang::TypeScript => Some(&TYPESCRIPT),
            Lang::Tsx => Some(&TSX),
            Lang::Python => Some(&PYTHON),
            Lang::Sql | Lang::Vue | Lang::Svelte => None,
        }
    }
}

/// The JavaScript grammar (with JSX).
pub static JAVASCRIPT: LazyLock<Language> =
    LazyLock::new(|| tree_sitter_javascript::LANGUAGE.into());
/// The TypeScript grammar.
pub static TYPESCRIPT: LazyLock<Language> =
    LazyLock::new(|| tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into());
/// The TSX grammar.
pub static TSX: LazyLock<Language> = LazyLock::new(|| tree_sitter_typescript::LANGUAGE_TSX.into());
/// The Python grammar.
pub static PYTHON: LazyLock<Language> = LazyLock::new(|| tree_sitter_python::LANGUAGE.into());

thread_local! {
    static PARSERS: RefCell<Vec<(Lang, Parser)>> = const { RefCell::new(Vec::new()) };
}

/// Parses `text` with this thread's parser for `lang`. None when the grammar cannot be
/// loaded or parsing was cancelled.
pub fn parse(lang: Lang, text: &str) -> Option<Tree> {
    let grammar = lang.grammar()?;
    PARSERS.with(|cell| {
        let mut parsers = cell.borrow_mut();
        let idx = match parsers.iter().position(|(l, _)| *l == lang) {
            Some(i) => i,
            None => {
                let mut p = Parser::new();
                p.set_language(grammar).ok()?;
                parsers.push((lang, p));
                parsers.len() - 1
            }
        };
        parsers[idx].1.parse(text, None)
    })
}
