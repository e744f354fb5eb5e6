//! Display-level decoding of JWTs (RFC 7519): the header and the claims, pretty-printed on the
//! page. Nothing here checks a signature: the app shows tokens, the gateway verifies them.
//!
//! Invariants: a token decodes only if it has exactly three dot-separated parts whose first two
//! are base64url JSON objects; nothing panics on any input.
//!
//! May import: std, base64, serde_json.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value};

/// A JWT's decoded header and claims.
#[derive(Debug, Clone, PartialEq)]
pub struct Decoded {
    /// The JOSE header (`alg`, `kid`, `typ`).
    pub header: Map<String, Value>,
    /// The claims.
    pub claims: Map<String, Value>,
}

impl Decoded {
    /// A string claim.
    pub fn str_claim(&self, name: &str) -> Option<&str> {
        self.claims.get(name).and_then(Value::as_str)
    }

    /// Whether the `aud` claim (a string or an array of strings) names `audience`.
    pub fn has_audience(&self, audience: &str) -> bool {
        match self.claims.get("aud") {
            Some(Value::String(aud)) => aud == audience,
            Some(Value::Array(auds)) => auds.iter().any(|a| a.as_str() == Some(audience)),
            _ => false,
        }
    }
}

/// Decodes a compact JWS without verifying it.
pub fn decode(token: &str) -> Result<Decoded, String> {
    let parts: Vec<&str> = token.trim().split('.').collect();
    let [header, claims, _signature] = parts.as_slice() else {
        return Err(format!("not a JWT: {} dot-separated parts instead of 3", parts.len()));
    };
    Ok(Decoded {
        header: object(header, "header")?,
        claims: object(claims, "claims")?,
    })
}

fn object(part: &str, what: &str) -> Result<Map<String, Value>, String> {
    let bytes = URL_SAFE_NO_PAD
        .decode(part.trim_end_matches('='))
        .map_err(|err| format!("the {what} is not base64url: {err}"))?;
    match serde_json::from_slice(&bytes) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(format!("the {what} is not a JSON object")),
        Err(err) => Err(format!("the {what} is not JSON: {err}")),
    }
}

/// Builds an unsigned token from JSON header and claims (tests and fakes only need the shape).
#[cfg(test)]
pub fn unsigned(header: &Value, claims: &Value) -> String {
    let part = |v: &Value| URL_SAFE_NO_PAD.encode(v.to_string());
    format!(
        "{}.{}.{}",
        part(header),
        part(claims),
        URL_SAFE_NO_PAD.encode("not-a-signature")
    )
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn decodes_the_header_and_the_claims() -> Result<(), String> {
        let token = unsigned(
            &json!({"alg": "RS256", "kid": "k1"}),
            &json!({"sub": "carl", "aud": "api://default"}),
        );
        let decoded = decode(&token)?;
        assert_eq!(decoded.header.get("kid"), Some(&json!("k1")));
        assert_eq!(decoded.str_claim("sub"), Some("carl"));
        assert!(decoded.has_audience("api://default"));
        assert!(!decoded.has_audience("api://other"));
        Ok(())
    }

    #[test]
    fn reads_an_audience_given_as_an_array() -> Result<(), String> {
        let token = unsigned(&json!({"alg": "none"}), &json!({"aud": ["a", "solar-system-app"]}));
        assert!(decode(&token)?.has_audience("solar-system-app"));
        Ok(())
    }

    #[test]
    fn refuses_what_is_not_a_jwt_without_panicking() {
        for bad in ["", "abc", "a.b", "a.b.c.d", "!!.??.x", "e30.W10.x", "bm90IGpzb24.e30.x"] {
            assert!(decode(bad).is_err(), "{bad:?} decoded");
        }
        assert!(
            decode("e30.e30.").is_ok(),
            "empty objects and an empty signature still decode"
        );
    }
}
