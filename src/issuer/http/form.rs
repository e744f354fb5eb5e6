//! `application/x-www-form-urlencoded` bodies and query strings, strictly: a parameter sent
//! twice is an error (RFC 6749 §3.1), bodies are capped, and decoding never fails silently.

use std::collections::BTreeMap;

/// Largest form body read (token, introspection, sign-in requests are small).
pub const MAX_FORM_BYTES: usize = 64 * 1024;

/// A decoded form: each name at most once.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Form(BTreeMap<String, String>);

/// Why a form was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormError {
    /// A parameter appears twice.
    Repeated(String),
    /// Bad percent-encoding or not UTF-8.
    Malformed,
}

impl std::fmt::Display for FormError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Repeated(name) => write!(f, "the '{name}' parameter was sent more than once"),
            Self::Malformed => f.write_str("the request body is not valid form data"),
        }
    }
}

impl Form {
    /// Parses `a=1&b=2` (a query string or a form body).
    pub fn parse(text: &str) -> Result<Self, FormError> {
        let mut map = BTreeMap::new();
        for pair in text.split('&').filter(|p| !p.is_empty()) {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            let name = decode(name)?;
            if map.insert(name.clone(), decode(value)?).is_some() {
                return Err(FormError::Repeated(name));
            }
        }
        Ok(Self(map))
    }

    /// Parses raw body bytes.
    pub fn parse_bytes(bytes: &[u8]) -> Result<Self, FormError> {
        std::str::from_utf8(bytes)
            .map_err(|_| FormError::Malformed)
            .and_then(Self::parse)
    }

    /// A parameter; empty values count as absent (RFC 6749 §3.1).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str).filter(|v| !v.is_empty())
    }

    /// Whether the form has this parameter at all.
    pub fn has(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// All parameters.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }
}

/// Form-decodes one component: `+` is a space, `%XX` a byte; the result must be UTF-8.
pub fn decode(text: &str) -> Result<String, FormError> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = bytes.get(i + 1..i + 3).ok_or(FormError::Malformed)?;
                let s = std::str::from_utf8(hex).map_err(|_| FormError::Malformed)?;
                out.push(u8::from_str_radix(s, 16).map_err(|_| FormError::Malformed)?);
                i += 2;
            }
            _ => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).map_err(|_| FormError::Malformed)
}

/// Form-encodes one component (everything but unreserved characters).
pub fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else if b == b' ' {
            out.push('+');
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Builds `a=1&b=2` from pairs.
pub fn build<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    pairs
        .into_iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn decodes_plus_and_percent_escapes() {
        let f = Form::parse("scope=openid+http%3A%2F%2Fmyapp.com%2Fscp%2Fsilver&state=a%26b").unwrap();
        assert_eq!(f.get("scope"), Some("openid http://myapp.com/scp/silver"));
        assert_eq!(f.get("state"), Some("a&b"));
    }

    #[test]
    fn a_repeated_parameter_is_an_error() {
        assert_eq!(Form::parse("a=1&a=2"), Err(FormError::Repeated("a".into())));
    }

    #[test]
    fn malformed_escapes_and_invalid_utf8_are_errors() {
        for bad in ["a=%", "a=%4", "a=%zz", "a=%C0%AF", "a=%FF"] {
            assert_eq!(Form::parse(bad), Err(FormError::Malformed), "{bad}");
        }
    }

    #[test]
    fn empty_values_count_as_absent() {
        let f = Form::parse("a=&b").unwrap();
        assert!(!f.has("a") && !f.has("b"));
    }

    #[test]
    fn encoding_round_trips() {
        let text = "a b&c=d/é~";
        assert_eq!(decode(&encode(text)).unwrap(), text);
    }
}
