//! Building the issuer's responses: JSON documents, RFC 6749 errors, HTML pages with the
//! security headers every interactive page needs, redirects and `form_post`.

use bytes::Bytes;
use http::header::{self, HeaderValue};
use http::{Response, StatusCode};
use http_body_util::Full;
use serde_json::{Value, json};

/// Every issuer response body is complete in memory.
pub type Body = Full<Bytes>;

fn response(status: StatusCode, content_type: &'static str, body: impl Into<Bytes>) -> Response<Body> {
    let mut r = Response::new(Full::new(body.into()));
    *r.status_mut() = status;
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    r
}

/// A JSON document.
pub fn json(status: StatusCode, value: &Value) -> Response<Body> {
    response(status, "application/json", value.to_string())
}

/// Marks a response as never cacheable (token responses, RFC 6749 §5.1; interactive pages).
pub fn no_store(mut r: Response<Body>) -> Response<Body> {
    let h = r.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    r
}

/// Only the characters RFC 6749 allows in `error_description` (%x20-21 / %x23-5B / %x5D-7E).
pub fn safe_description(text: &str) -> String {
    text.chars()
        .filter(|c| matches!(*c as u32, 0x20..=0x21 | 0x23..=0x5B | 0x5D..=0x7E))
        .collect()
}

/// An RFC 6749 §5.2 error: `{"error":…,"error_description":…}`, never cached.
pub fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response<Body> {
    no_store(json(
        status,
        &json!({"error": error, "error_description": safe_description(description)}),
    ))
}

/// `invalid_client` (401); with `WWW-Authenticate: Basic` when the client used Basic.
pub fn invalid_client(description: &str, used_basic: bool) -> Response<Body> {
    let mut r = oauth_error(StatusCode::UNAUTHORIZED, "invalid_client", description);
    if used_basic {
        r.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Basic realm=\"portcullis\""),
        );
    }
    r
}

/// Security headers for every HTML page: no framing, no referrer, no caching, no foreign assets.
fn secure(mut r: Response<Body>) -> Response<Body> {
    let h = r.headers_mut();
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; form-action *; frame-ancestors 'none'; base-uri 'none'"),
    );
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    no_store(r)
}

/// An HTML page.
pub fn html(status: StatusCode, page: String) -> Response<Body> {
    secure(response(status, "text/html; charset=utf-8", page))
}

/// A 302 to `location`, without leaking the URL onward (Okta sends `no-referrer` too).
pub fn redirect(location: &str) -> Response<Body> {
    let mut r = response(StatusCode::FOUND, "text/plain; charset=utf-8", Bytes::new());
    if let Ok(value) = HeaderValue::from_str(location) {
        r.headers_mut().insert(header::LOCATION, value);
    }
    r.headers_mut()
        .insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    no_store(r)
}

/// Escapes text for HTML element content and attribute values.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// `response_mode=form_post`: an auto-submitting form to the client (OAuth form post mode).
pub fn form_post(action: &str, params: &[(&str, &str)]) -> Response<Body> {
    let inputs: String = params
        .iter()
        .map(|(k, v)| {
            format!(
                "<input type=\"hidden\" name=\"{}\" value=\"{}\">",
                escape_html(k),
                escape_html(v)
            )
        })
        .collect();
    let page = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>Submitting…</title></head><body onload=\"document.forms[0].submit()\"><form method=\"post\" action=\"{}\">{inputs}<noscript><button type=\"submit\">Continue</button></noscript></form></body></html>",
        escape_html(action)
    );
    html(StatusCode::OK, page)
}

/// Okta's management-style 404 for an unknown authorization server.
pub fn unknown_server(id: &str) -> Response<Body> {
    json(
        StatusCode::NOT_FOUND,
        &json!({"errorCode": "E0000007", "errorSummary": format!("Not found: Resource not found: {id} (AuthorizationServer)"), "errorLink": "E0000007", "errorId": "oae0000000000000000000", "errorCauses": []}),
    )
}

/// A plain 404 / 405.
pub fn status_only(status: StatusCode) -> Response<Body> {
    json(
        status,
        &json!({"errorCode": "E0000022", "errorSummary": status.canonical_reason().unwrap_or("error")}),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptions_drop_characters_rfc_6749_forbids() {
        assert_eq!(safe_description("a\"b\\c\nd\te"), "abcde");
    }

    #[test]
    fn pages_carry_the_anti_framing_and_no_store_headers() {
        let r = html(StatusCode::OK, "<p>x</p>".into());
        assert_eq!(r.headers()["x-frame-options"], "DENY");
        assert!(
            r.headers()["content-security-policy"]
                .to_str()
                .unwrap_or("")
                .contains("frame-ancestors 'none'")
        );
        assert_eq!(r.headers()["referrer-policy"], "no-referrer");
        assert_eq!(r.headers()["cache-control"], "no-store");
    }

    #[test]
    fn html_escaping_covers_attributes() {
        assert_eq!(
            escape_html("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }
}
