//! JSON Web Tokens: decoding the payload of a legacy Supabase key to tell the secret
//! `service_role` key from the public `anon` key.

use base64::Engine as _;

/// What a Supabase legacy JWT key is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SupabaseKey {
    /// `"role":"service_role"`: bypasses row-level security; a secret.
    ServiceRole {
        /// True for the Supabase CLI's shared local-development key (`"iss":"supabase-demo"`).
        demo: bool,
    },
    /// `"role":"anon"` or `"authenticated"`: public by design.
    Public,
    /// Not a Supabase key (no role claim, or not a JWT).
    Other,
}

/// Decodes the payload (second segment) of a JWT into JSON.
pub fn payload(token: &str) -> Option<serde_json::Value> {
    let mut parts = token.split('.');
    let (_header, body) = (parts.next()?, parts.next()?);
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(body.trim_end_matches('='))
        .ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// Classifies a token as a Supabase key.
pub fn classify_supabase(token: &str) -> SupabaseKey {
    let Some(p) = payload(token) else {
        return SupabaseKey::Other;
    };
    let role = p.get("role").and_then(|r| r.as_str()).unwrap_or("");
    let iss = p.get("iss").and_then(|r| r.as_str()).unwrap_or("");
    match role {
        "service_role" | "supabase_admin" => SupabaseKey::ServiceRole {
            demo: iss == "supabase-demo",
        },
        "anon" | "authenticated" => SupabaseKey::Public,
        _ => SupabaseKey::Other,
    }
}

/// Builds an unsigned-looking HS256 JWT with the given payload and a caller-chosen
/// signature segment (used to synthesise test examples).
pub fn build(payload_json: &str, signature: &str) -> String {
    let e = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    format!(
        "{}.{}.{}",
        e.encode(br#"{"alg":"HS256","typ":"JWT"}"#),
        e.encode(payload_json.as_bytes()),
        signature
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tells_service_role_from_anon_and_demo() {
        let sig = "Q1w2E3r4T5y6U7i8O9p0A1s2D3f4G5h6J7k8L9z0X1c";
        let svc = build(
            r#"{"iss":"supabase","ref":"abcdefghijklmnopqrst","role":"service_role","iat":1700000000,"exp":2000000000}"#,
            sig,
        );
        let anon = build(
            r#"{"iss":"supabase","ref":"abcdefghijklmnopqrst","role":"anon","iat":1700000000,"exp":2000000000}"#,
            sig,
        );
        let demo = build(
            r#"{"iss":"supabase-demo","role":"service_role","exp":1983812996}"#,
            sig,
        );
        assert_eq!(
            classify_supabase(&svc),
            SupabaseKey::ServiceRole { demo: false }
        );
        assert_eq!(classify_supabase(&anon), SupabaseKey::Public);
        assert_eq!(
            classify_supabase(&demo),
            SupabaseKey::ServiceRole { demo: true }
        );
        assert_eq!(
            classify_supabase("eyJhbGciOi.notbase64!.x"),
            SupabaseKey::Other
        );
    }
}
