//! Precision and behaviour tests on realistic code: look-alikes that must stay quiet,
//! exposure, severities, fingerprints, windowed reads, and configuration.

use lm_core::{Category, Role, Severity};
use lm_secrets::examples::expand;
use lm_secrets::settings::SecretsSection;
use lm_secrets::{Detection, Engine, FileContext, Settings};

fn engine() -> Engine {
    Engine::new(Settings::builtin().unwrap())
}

fn scan(e: &Engine, path: &str, role: Role, text: &str) -> Vec<Detection> {
    let lang = match path.rsplit('.').next() {
        Some("ts" | "tsx") => Some("typescript"),
        Some("js" | "mjs" | "cjs") => Some("javascript"),
        Some("json") => Some("json"),
        Some("yml" | "yaml") => Some("yaml"),
        Some("py") => Some("python"),
        Some("css") => Some("css"),
        Some("md") => Some("markdown"),
        _ => None,
    };
    e.scan_bytes(&FileContext::new(path, role, lang), text.as_bytes())
}

fn assert_quiet(e: &Engine, path: &str, role: Role, text: &str) {
    let found = scan(e, path, role, text);
    let rules: Vec<String> = found
        .iter()
        .map(|d| format!("{} line {}", d.finding.rule, d.finding.line))
        .collect();
    assert!(
        found.is_empty(),
        "{path}: expected no finding, got {rules:?}"
    );
}

#[test]
fn test_mode_and_publishable_keys_are_quiet() {
    let e = engine();
    let text = expand(
        r#"import { loadStripe } from "@stripe/stripe-js";
const stripePromise = loadStripe("pk_live_{{a:99}}");
export const testKey = "sk_test_{{a:99}}";
const restricted = "rk_test_{{a:99}}";
STRIPE_PUBLISHABLE_KEY=pk_test_{{a:99}}
const supabase = createClient(SUPABASE_URL, "sb_publishable_{{u:31}}");
posthog.init("phc_{{a:43}}", { api_host: "https://us.i.posthog.com" });
mapboxgl.accessToken = "pk.eyJ1Ijoi{{u:40}}.{{u:22}}";
"#,
        "stripe-client",
    );
    assert_quiet(&e, "src/lib/stripe.ts", Role::Client, &text);
}

#[test]
fn placeholders_and_env_lookups_are_quiet() {
    let e = engine();
    let text = r#"
OPENAI_API_KEY=sk-proj-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx
ANTHROPIC_API_KEY=<YOUR_ANTHROPIC_API_KEY>
STRIPE_SECRET_KEY=${STRIPE_SECRET_KEY}
DATABASE_URL=postgresql://postgres:changeme@db.example.com:5432/postgres
JWT_SECRET=REDACTED
AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE
AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
GITHUB_TOKEN=ghp_XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX
RESEND_API_KEY=re_123456789
SUPABASE_SERVICE_ROLE_KEY=your-service-role-key
"#;
    assert_quiet(&e, ".env.example", Role::Config, text);
    let code = r#"
const openai = new OpenAI({ apiKey: process.env.OPENAI_API_KEY });
const key = Deno.env.get("SUPABASE_SERVICE_ROLE_KEY")!;
api_key = os.environ.get("ANTHROPIC_API_KEY")
const token = await getAccessToken(req.headers.authorization);
const secret = config.get<string>("auth.jwtSecret");
headers: { Authorization: `Bearer ${session.access_token}` },
password: process.env.DB_PASSWORD ?? "",
"#;
    assert_quiet(&e, "src/server/ai.ts", Role::Server, code);
}

#[test]
fn hashes_uuids_and_lockfile_integrity_are_quiet() {
    let e = engine();
    let text = expand(
        r#"{
  "name": "demo",
  "lockfileVersion": 3,
  "packages": {
    "node_modules/jsonwebtoken": {
      "version": "9.0.2",
      "resolved": "https://registry.npmjs.org/jsonwebtoken/-/jsonwebtoken-9.0.2.tgz",
      "integrity": "sha512-{{b:86}}=="
    },
    "node_modules/secret-handshake": {
      "resolved": "git+ssh://git@github.com/org/secret-handshake.git#{{h:40}}",
      "tokenHash": "{{h:64}}",
      "requestId": "{{uuid}}",
      "sessionToken": "{{uuid}}",
      "commit": "{{h:40}}"
    }
  }
}"#,
        "lock",
    );
    assert_quiet(&e, "package-lock.json", Role::Lockfile, &text);
    let docker = expand(
        "FROM node:20-alpine@sha256:{{h:64}}\nARG GIT_SHA={{h:40}}\n",
        "docker",
    );
    assert_quiet(&e, "Dockerfile", Role::Config, &docker);
}

#[test]
fn base64_images_fonts_and_public_keys_are_quiet() {
    let e = engine();
    // a base64 blob that happens to contain credential-shaped substrings
    let blob = expand(
        "{{b:300}}AKIA{{b32:16}}{{b:80}}ghp_{{a:36}}{{b:200}}sk_live_{{a:30}}{{b:100}}",
        "blob",
    );
    let css = format!(
        ".logo {{ background-image: url(data:image/png;base64,{blob}); }}\n@font-face {{ src: url(data:font/woff2;base64,{blob}) format(\"woff2\"); }}\n"
    );
    assert_quiet(&e, "src/styles/app.css", Role::Client, &css);
    let keys = expand(
        "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8A{{b:300}}\n-----END PUBLIC KEY-----\nssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI{{b:43}} deploy@ci\n-----BEGIN CERTIFICATE-----\nMIIDdzCCAl+gAwIBAgIE{{b:600}}\n-----END CERTIFICATE-----\n",
        "pub",
    );
    assert_quiet(&e, "config/keys.pem", Role::Config, &keys);
}

#[test]
fn i18n_strings_and_css_class_soup_are_quiet() {
    let e = engine();
    let i18n = r#"{
  "auth": {
    "password": "Password",
    "passwordPlaceholder": "Enter your password",
    "resetToken": "Your password reset token has expired",
    "apiKeyLabel": "API key",
    "secretQuestion": "What is the name of your first pet?",
    "tokenExpired": "Session expired, please sign in again"
  }
}"#;
    assert_quiet(&e, "src/locales/en.json", Role::Client, i18n);
    let tsx = r#"export function TokenInput() {
  return <input type="password" name="password" className="flex h-10 w-full rounded-md border border-input bg-background px-3 py-2 text-sm ring-offset-background placeholder:text-muted-foreground focus-visible:outline-none token-field secret-input" />;
}
const styles = { tokenBadge: "inline-flex items-center rounded-full px-2.5 py-0.5 text-xs font-semibold" };
"#;
    assert_quiet(&e, "src/components/TokenInput.tsx", Role::Client, tsx);
}

#[test]
fn minified_code_with_secret_words_is_quiet() {
    let e = engine();
    let min = r#"!function(e){var t={token:e.token,secret:e.secret,apiKey:n.apiKey,password:r};function n(e){return e.accessToken||e.refresh_token}t.csrfToken=document.querySelector('meta[name="csrf-token"]').content;var o="Bearer "+t.token,i={maxTokens:4096,tokenizer:"cl100k_base",secretKeyPath:"/api/keys"};e.exports=t}(window);"#;
    assert_quiet(&e, "dist/assets/index-4f2a1b.js", Role::BuildOutput, min);
}

#[test]
fn supabase_keys_are_told_apart() {
    let e = engine();
    let anon = expand("{{jwt:anon}}", "anon");
    let svc = expand("{{jwt:service_role}}", "svc");
    let demo = expand("{{jwt:service_role:supabase-demo}}", "demo");

    // the anon key is public: never a finding, even in client code
    let client = format!(
        "export const supabase = createClient(\"https://abcd.supabase.co\", \"{anon}\");\n"
    );
    assert_quiet(
        &e,
        "src/integrations/supabase/client.ts",
        Role::Client,
        &client,
    );

    // the service_role key in client code is critical client exposure
    let leaked = format!("const admin = createClient(url, \"{svc}\");\n");
    let found = scan(&e, "src/lib/admin.ts", Role::Client, &leaked);
    assert_eq!(found.len(), 1, "{found:?}");
    let f = &found[0].finding;
    assert_eq!(f.rule, "secrets.supabase-service-role-key");
    assert_eq!(f.category, Category::SecretClientExposed);
    assert_eq!(f.severity, Severity::Critical);
    assert_eq!(f.evidence.as_deref(), Some("eyJh\u{2026}"));

    // on the server it is still a hard-coded secret
    let found = scan(
        &e,
        "supabase/functions/admin/index.ts",
        Role::Server,
        &leaked,
    );
    assert_eq!(found[0].finding.category, Category::SecretHardcoded);
    assert_eq!(found[0].finding.severity, Severity::Critical);

    // the CLI's shared local-development key is at most info
    let local = format!("SUPABASE_SERVICE_ROLE_KEY={demo}\n");
    let found = scan(&e, "supabase/.env", Role::Config, &local);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].finding.severity, Severity::Info);

    // new-style keys: sb_secret_ is secret, sb_publishable_ is not
    let keys = expand(
        "VITE_SUPABASE_PUBLISHABLE_KEY=sb_publishable_{{u:31}}\nVITE_SUPABASE_SECRET=sb_secret_{{u:31}}\n",
        "sb",
    );
    let found = scan(&e, ".env", Role::Config, &keys);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].finding.rule, "secrets.supabase-secret-key");
    assert_eq!(found[0].finding.category, Category::SecretClientExposed);
    assert_eq!(found[0].finding.line, 2);
}

#[test]
fn public_prefixed_variables_expose_server_secrets() {
    let e = engine();
    let env = expand(
        "NEXT_PUBLIC_STRIPE_SECRET_KEY=sk_live_{{a:99}}\nNEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY=pk_live_{{a:99}}\nSTRIPE_SECRET_KEY=sk_live_{{a:99}}\n",
        "np",
    );
    let found = scan(&e, ".env.local", Role::Config, &env);
    assert_eq!(found.len(), 2, "{found:?}");
    assert_eq!(found[0].finding.category, Category::SecretClientExposed);
    assert_eq!(found[0].finding.line, 1);
    assert_eq!(found[1].finding.category, Category::SecretHardcoded);
    assert_eq!(found[1].finding.line, 3);
    assert!(found[1].finding.message.contains("should not be committed"));
    // one finding per exposed line: the value finding covers the name
    assert!(found
        .iter()
        .all(|d| d.finding.rule == "secrets.stripe-live-secret-key"));

    // reading a server secret through a public name, with no value in the repository
    let code = "const openai = new OpenAI({ apiKey: import.meta.env.VITE_OPENAI_API_KEY, dangerouslyAllowBrowser: true });\n";
    let found = scan(&e, "src/lib/ai.ts", Role::Client, code);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].finding.rule, "secrets.client-exposed-secret-name");
    assert_eq!(found[0].finding.severity, Severity::Critical);
    assert_eq!(found[0].finding.column, Some(53));

    // a server-side script reading the same kind of name is a foot-gun, not yet a leak
    let script = "const admin = createClient(process.env.VITE_SUPABASE_URL, process.env.VITE_SUPABASE_SERVICE_ROLE_KEY);\n";
    let found = scan(&e, "scripts/seed.ts", Role::Server, script);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].finding.severity, Severity::Medium);
    // but through import.meta.env it is bundler code whatever the role says
    let vite = "const k = import.meta.env.VITE_SUPABASE_SERVICE_ROLE_KEY;\n";
    let found = scan(&e, "src/lib/admin.ts", Role::Shared, vite);
    assert_eq!(found[0].finding.severity, Severity::Critical);
}

#[test]
fn generic_assignments_across_formats() {
    let e = engine();
    let v = expand("{{a:32}}", "generic");
    for (path, text) in [
        (
            "src/config.ts",
            format!("export const PAYMENTS_API_KEY = \"{v}\";"),
        ),
        (
            "config/settings.yml",
            format!("payments:\n  api_token: {v}\n"),
        ),
        ("app.json", format!("{{\"partnerApiKey\": \"{v}\"}}")),
        (".env.production", format!("PARTNER_TOKEN={v}")),
        (
            "Dockerfile",
            format!("FROM node:20\nENV PARTNER_SECRET={v}\n"),
        ),
        (
            "infra/main.tf",
            format!("resource \"x\" \"y\" {{\n  client_secret = \"{v}\"\n}}"),
        ),
        ("scripts/deploy.sh", format!("export PARTNER_API_KEY={v}\n")),
        (
            "notebooks/explore.ipynb",
            format!("\"os.environ[\\\"PARTNER_API_KEY\\\"] = \\\"{v}\\\"\\n\","),
        ),
        ("app/settings.py", format!("PARTNER_API_KEY = '{v}'")),
    ] {
        let lang = match path.rsplit('.').next() {
            Some("yml") => Some("yaml"),
            Some("sh") => Some("shell"),
            Some("tf") => Some("hcl"),
            _ if path.ends_with("Dockerfile") => Some("dockerfile"),
            _ => None,
        };
        let found = e.scan_bytes(&FileContext::new(path, Role::Server, lang), text.as_bytes());
        assert_eq!(found.len(), 1, "{path}: {text}");
        assert!(
            found[0].finding.rule.starts_with("secrets.generic"),
            "{path}"
        );
    }
    // unquoted identifiers in code are references, not values
    assert_quiet(
        &e,
        "src/a.ts",
        Role::Server,
        &format!("const apiKey = {v};"),
    );
}

#[test]
fn test_fixtures_are_low_with_the_reason() {
    let e = engine();
    let text = expand("const key = \"ghp_{{a:36}}\";\n", "fixture");
    let found = scan(&e, "tests/fixtures/github.test.ts", Role::Test, &text);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].finding.severity, Severity::Low);
    assert!(found[0].finding.message.contains("test fixture"));
    let reasons = found[0].finding.details["reasons"].to_string();
    assert!(reasons.contains("test"), "{reasons}");
}

#[test]
fn fingerprints_follow_the_secret_not_the_line_or_file() {
    let e = engine();
    let key = expand("ghp_{{a:36}}", "fp");
    let a = scan(&e, "a.ts", Role::Server, &format!("const t = \"{key}\";"));
    let b = scan(
        &e,
        "moved/b.ts",
        Role::Server,
        &format!("// a\n// b\n\n  const t = \"{key}\";"),
    );
    assert_eq!(a[0].finding.fingerprint, b[0].finding.fingerprint);
    assert_eq!(b[0].finding.line, 4);
    assert_eq!(b[0].finding.column, Some(14));
    assert_eq!(b[0].finding.end_column, Some(14 + 40));
    let other = scan(
        &e,
        "a.ts",
        Role::Server,
        &expand("const t = \"ghp_{{a:36}}\";", "fp2"),
    );
    assert_ne!(a[0].finding.fingerprint, other[0].finding.fingerprint);
}

#[test]
fn large_files_are_scanned_in_windows_with_exact_positions() {
    let e = engine();
    let key = expand("ghp_{{a:36}}", "big");
    // put secrets around the first window's overlap and near the end of a ~9 MiB file
    let line = "const filler = 'lorem ipsum dolor sit amet, consectetur adipiscing';\n";
    let mut text = String::new();
    let mut lines = 0u64;
    let mut expected = Vec::new();
    let targets = [
        lm_secrets::engine::CHUNK - lm_secrets::engine::OVERLAP - 20,
        lm_secrets::engine::CHUNK - 10,
        2 * lm_secrets::engine::CHUNK + 5,
    ];
    for t in targets {
        while text.len() < t {
            text.push_str(line);
            lines += 1;
        }
        text.push_str(&format!("x = \"{key}\";\n"));
        lines += 1;
        expected.push(lines);
    }
    for _ in 0..1000 {
        text.push_str(line);
    }
    let found = scan(&e, "dist/big.js", Role::Server, &text);
    let got: Vec<u64> = found.iter().map(|d| d.finding.line).collect();
    assert_eq!(got, expected);
    assert!(found.iter().all(|d| d.finding.column == Some(6)));
}

#[test]
fn invalid_utf8_and_binary_content() {
    let e = engine();
    let key = expand("ghp_{{a:36}}", "bytes");
    let mut bytes = b"caf\xe9 \xff\xfe token=\"".to_vec();
    bytes.extend_from_slice(key.as_bytes());
    bytes.extend_from_slice(b"\" \xc3\n");
    let ctx = FileContext::new("weird.txt", Role::Other, None);
    let found = e.scan_bytes(&ctx, &bytes);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].finding.column, Some(16));
    let mut bin = vec![0u8, 1, 2, 3];
    bin.extend_from_slice(key.as_bytes());
    let out = e.scan_reader(&ctx, &bin[..]).unwrap();
    assert!(out.binary && out.detections.is_empty());
}

#[test]
fn configuration_allowlists_disable_and_extra_rules() {
    let text = r#"
[paths]
exclude = ["vendor/**"]
[secrets]
disable = ["github-pat"]
[secrets.allow]
paths = ["docs/examples/**"]
values = ["^sk_live_DEMO"]
stopwords = ["sandbox-only"]
[[secrets.rules]]
id = "acme-api-key"
provider = "Acme"
description = "Acme API key"
keywords = ["acme_live_"]
regex = '\b(acme_live_[a-z0-9]{24})\b'
severity = "high"
"#;
    let config = lm_core::config::Config::parse(text, None).unwrap();
    let e = Engine::new(Settings::from_config(&config).unwrap());
    assert!(e.path_excluded("vendor/lib.js"));
    assert!(e.path_excluded("docs/examples/a.md"));
    let t = expand(
        "a = \"ghp_{{a:36}}\"\nb = \"sk_live_DEMO{{a:30}}\"\nc = \"sk_live_sandbox-only{{a:30}}\"\nd = \"acme_live_{{l:24}}\"\n",
        "cfg",
    );
    let found = scan(&e, "src/x.ts", Role::Server, &t);
    let rules: Vec<&str> = found.iter().map(|d| d.finding.rule.as_str()).collect();
    assert_eq!(rules, vec!["secrets.acme-api-key"]);
    let section: SecretsSection = config.section("secrets").unwrap();
    assert_eq!(section.rules.len(), 1);
}

#[test]
fn findings_per_file_are_capped_and_the_cap_is_reported() {
    let e = engine();
    let mut text = String::new();
    for i in 0..(lm_secrets::engine::MAX_FINDINGS_PER_FILE + 20) {
        text.push_str(&expand("k = \"ghp_{{a:36}}\"\n", &format!("cap{i}")));
    }
    let ctx = FileContext::new("generated/keys.txt", Role::Other, None);
    let out = e.scan_reader(&ctx, text.as_bytes()).unwrap();
    assert!(out.truncated);
    assert_eq!(
        out.detections.len(),
        lm_secrets::engine::MAX_FINDINGS_PER_FILE
    );
}

#[test]
fn test_sandbox_and_demo_names_lower_generic_findings() {
    let e = engine();
    let text = expand(
        "VITE_BINANCE_TESTNET_API_SECRET={{a:40}}\nSANDBOX_PARTNER_TOKEN={{a:40}}\nPARTNER_TOKEN={{a:40}}\n",
        "names",
    );
    let found = scan(&e, ".env.production", Role::Config, &text);
    let sev: Vec<Severity> = found.iter().map(|d| d.finding.severity).collect();
    assert_eq!(sev, vec![Severity::Low, Severity::Low, Severity::High]);
    // a testnet key in a public variable is still reported, but low and not as exposure
    assert_eq!(found[0].finding.category, Category::SecretHardcoded);
}

#[test]
fn made_up_values_under_an_example_label_in_guides_are_quiet() {
    let e = engine();
    let guide = r#"# Connecting to the database

If your password has special characters, URL-encode them.

**Example:**
- Password: `Tr0ub4dor&3x`
- Encoded: `Tr0ub4dor%263x`
- Connection string: `postgresql://postgres.abcdefghijklmnop:Tr0ub4dor%263x@aws-0-eu-west-2.pooler.supabase.com:6543/postgres`

## Login request

```json
{
  "email": "owner@example.com",
  "password": "securepass2024!"
}
```
"#;
    assert_quiet(&e, "docs/DATABASE_SETUP.md", Role::Docs, guide);
}

#[test]
fn keys_shortened_with_an_ellipsis_are_quiet() {
    let e = engine();
    let response = r#"Response:

```json
{
  "token": "eyJhbGciOiJIUzI1NiIs...",
  "refreshToken": "eyJhbGciOiJIUzI1NiIs…"
}
```
"#;
    assert_quiet(&e, "API_DOCUMENTATION.md", Role::Docs, response);
    assert_quiet(
        &e,
        "src/lib/api.ts",
        Role::Server,
        "const sessionToken = \"Jk29Qw7Lm4Xa8Hz2Rt5...\";",
    );
    // the whole token is still a finding
    let tok = expand("{{a:32}}", "elided-whole");
    let found = scan(
        &e,
        "src/lib/api.ts",
        Role::Server,
        &format!("const sessionToken = \"{tok}\";"),
    );
    assert_eq!(found.len(), 1);
}

#[test]
fn real_values_in_guides_are_still_reported() {
    let e = engine();
    let db = expand("{{a:18}}", "guide-db");
    let pw = expand("{{s:16}}", "guide-pw");
    // a file name holding "example" is not an example label, and "Before:" shows the
    // value that was in use
    let guide = format!(
        "Copy `.env.example` to `.env`, then set:\n\nADMIN_PASSWORD=\"{pw}\"\n\n\
         **Before:**\n```env\nDATABASE_URL=\"postgresql://postgres:{db}@db.qwertyuiopasdfghjk.supabase.co:5432/postgres\"\n```\n"
    );
    let found = scan(&e, "UPDATE_ENV_NOW.md", Role::Docs, &guide);
    let rules: Vec<&str> = found.iter().map(|d| d.finding.rule.as_str()).collect();
    assert!(rules.contains(&"secrets.password-assignment"), "{rules:?}");
    assert!(
        rules.contains(&"secrets.database-url-password"),
        "{rules:?}"
    );
    // a provider-shaped key stays a finding even under "Example:"
    let key = expand("sk_live_{{a:99}}", "guide-stripe");
    let found = scan(
        &e,
        "docs/payments.md",
        Role::Docs,
        &format!("Example:\n\nSTRIPE_SECRET_KEY={key}\n"),
    );
    assert_eq!(found.len(), 1, "{found:?}");
    // the same made-up values outside documentation are not excused by the label
    let found = scan(
        &e,
        "scripts/seed.ts",
        Role::Server,
        &format!("// example admin\nconst adminPassword = \"{pw}\";\n"),
    );
    assert_eq!(found.len(), 1);
}
