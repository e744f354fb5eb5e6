//! `application/x-www-form-urlencoded` encoding and decoding (WHATWG URL §5), used for query
//! strings, the token request body and the client credentials of `client_secret_basic`
//! (RFC 6749 §2.3.1 form-encodes the id and the secret before they are joined and base64'd).
//!
//! Invariants: encoding is lossless (every byte outside `A-Z a-z 0-9 * - . _` is escaped, the
//! space as `+`); decoding never fails (a malformed escape is kept as written, invalid UTF-8 is
//! replaced).
//!
//! May import: std only.

/// Form-encodes one name or value.
pub fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'*' | b'-' | b'.' | b'_' => out.push(char::from(byte)),
            b' ' => out.push('+'),
            other => out.push_str(&format!("%{other:02X}")),
        }
    }
    out
}

/// Form-encodes name/value pairs joined with `&`.
pub fn encode_pairs(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(name, value)| format!("{}={}", encode(name), encode(value)))
        .collect::<Vec<_>>()
        .join("&")
}

/// Decodes one form-encoded name or value.
pub fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match (bytes[i], hex_pair(bytes.get(i + 1..i + 3))) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (b'+', _) => {
                out.push(b' ');
                i += 1;
            }
            (other, _) => {
                out.push(other);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex_pair(pair: Option<&[u8]>) -> Option<u8> {
    let pair = std::str::from_utf8(pair?).ok()?;
    u8::from_str_radix(pair, 16).ok()
}

/// Splits a query string (without the `?`) into decoded name/value pairs, in order.
pub fn parse(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|part| !part.is_empty())
        .map(|part| match part.split_once('=') {
            Some((name, value)) => (decode(name), decode(value)),
            None => (decode(part), String::new()),
        })
        .collect()
}

/// The first value of `name` in a query string, decoded.
pub fn get(query: &str, name: &str) -> Option<String> {
    parse(query).into_iter().find(|(n, _)| n == name).map(|(_, v)| v)
}

/// Appends form-encoded pairs to a URL that may already carry a query.
pub fn with_query(url: &str, pairs: &[(&str, &str)]) -> String {
    let separator = if url.contains('?') { '&' } else { '?' };
    format!("{url}{separator}{}", encode_pairs(pairs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_reserved_characters_and_spaces_as_the_form_encoding_says() {
        assert_eq!(
            encode("openid http://myapp.com/scp/silver"),
            "openid+http%3A%2F%2Fmyapp.com%2Fscp%2Fsilver"
        );
        assert_eq!(encode("a:b@c+d~é"), "a%3Ab%40c%2Bd%7E%C3%A9");
        assert_eq!(encode("safe-._*AZaz09"), "safe-._*AZaz09");
    }

    #[test]
    fn decodes_what_it_encodes_and_keeps_malformed_escapes() {
        let original = "Policy evaluation failed for this request, please check: é & = + %";
        assert_eq!(decode(&encode(original)), original);
        assert_eq!(decode("100%zz%4"), "100%zz%4");
    }

    #[test]
    fn parses_queries_and_finds_the_first_value() {
        let q = "error=access_denied&error_description=Policy+evaluation+failed%2C+sorry&flag&state=a&state=b";
        assert_eq!(get(q, "error").as_deref(), Some("access_denied"));
        assert_eq!(
            get(q, "error_description").as_deref(),
            Some("Policy evaluation failed, sorry")
        );
        assert_eq!(get(q, "flag").as_deref(), Some(""));
        assert_eq!(get(q, "state").as_deref(), Some("a"));
        assert_eq!(get(q, "missing"), None);
    }

    #[test]
    fn appends_a_query_with_the_right_separator() {
        assert_eq!(with_query("http://x/a", &[("k", "v w")]), "http://x/a?k=v+w");
        assert_eq!(with_query("http://x/a?z=1", &[("k", "v")]), "http://x/a?z=1&k=v");
    }
}
