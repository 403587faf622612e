//! Where the browser can see a value: client files, built bundles, and variables whose
//! name carries a framework's public prefix; and which files are committed env files.

/// Prefixes that frameworks inline into client bundles.
pub const PUBLIC_PREFIXES: &[&str] = &[
    "NEXT_PUBLIC_",
    "VITE_",
    "REACT_APP_",
    "EXPO_PUBLIC_",
    "NUXT_PUBLIC_",
    "NUXT_ENV_",
    "GATSBY_",
    "PUBLIC_",
    "VUE_APP_",
    "STORYBOOK_",
];

/// The public prefix a variable name starts with, if any.
pub fn public_prefix(name: &str) -> Option<&'static str> {
    PUBLIC_PREFIXES
        .iter()
        .copied()
        .find(|p| name.starts_with(p))
}

/// The identifier being assigned just before `pos` on the same line (`NAME=`, `"name":`,
/// `name: `, `const name = `), if there is one within 120 bytes.
pub fn assigned_name(buf: &[u8], pos: usize) -> Option<String> {
    let line_start = memchr::memrchr(b'\n', &buf[..pos]).map_or(0, |i| i + 1);
    let from = line_start.max(pos.saturating_sub(120));
    let before = &buf[from..pos];
    // walk back over the value's opening quote and the assignment operator
    let mut i = before.len();
    let skip = |c: u8| {
        matches!(
            c,
            b'"' | b'\'' | b'`' | b' ' | b'\t' | b'=' | b':' | b'\\' | b'>'
        )
    };
    while i > 0 && skip(before[i - 1]) {
        i -= 1;
    }
    let end = i;
    while i > 0 && (before[i - 1].is_ascii_alphanumeric() || before[i - 1] == b'_') {
        i -= 1;
    }
    if end == i {
        return None;
    }
    std::str::from_utf8(&before[i..end])
        .ok()
        .map(str::to_string)
}

/// What kind of env file a path is, by its last component.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnvFile {
    /// Not an env file.
    No,
    /// An env file with real values (`.env`, `.env.local`, `.env.production`, `.dev.vars`).
    Committed,
    /// A template (`.env.example`, `.env.sample`, `.env.template`, `.env.dist`).
    Template,
}

/// Classifies a path as an env file.
pub fn env_file(path: &str) -> EnvFile {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    let is_env = name == ".env"
        || name.starts_with(".env.")
        || name.ends_with(".env")
        || name == ".dev.vars"
        || name == ".envrc";
    if !is_env {
        return EnvFile::No;
    }
    if [
        "example", "sample", "template", "dist", "defaults", "schema", "tpl",
    ]
    .iter()
    .any(|t| name.contains(t))
    {
        EnvFile::Template
    } else {
        EnvFile::Committed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_before_values() {
        let b = b"NEXT_PUBLIC_STRIPE_KEY=sk_live_x";
        assert_eq!(
            assigned_name(b, 23).as_deref(),
            Some("NEXT_PUBLIC_STRIPE_KEY")
        );
        let b = b"  \"openaiKey\": \"sk-proj-x\"";
        assert_eq!(assigned_name(b, 16).as_deref(), Some("openaiKey"));
        assert_eq!(public_prefix("VITE_OPENAI_API_KEY"), Some("VITE_"));
        assert_eq!(public_prefix("MY_PUBLIC_KEY"), None);
    }

    #[test]
    fn env_files() {
        assert_eq!(env_file("app/.env"), EnvFile::Committed);
        assert_eq!(env_file(".env.production"), EnvFile::Committed);
        assert_eq!(env_file(".env.local"), EnvFile::Committed);
        assert_eq!(env_file(".env.example"), EnvFile::Template);
        assert_eq!(env_file("src/environment.ts"), EnvFile::No);
    }
}
