//! The issuer's cookies: the browser session (`pc_sid`) and the sign-in interaction
//! (`pc_int`). Both `HttpOnly`, `SameSite=Lax`, scoped to the authorization server's path,
//! `Secure` when the issuer is served over https.

use http::HeaderMap;

/// Session cookie name.
pub const SESSION: &str = "pc_sid";
/// Interaction cookie name.
pub const INTERACTION: &str = "pc_int";

/// The value of cookie `name`, if sent exactly once.
pub fn get(headers: &HeaderMap, name: &str) -> Option<String> {
    let mut found = headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .filter(|(n, _)| *n == name)
        .map(|(_, v)| v.to_owned());
    let first = found.next()?;
    found.next().is_none().then_some(first)
}

/// A `Set-Cookie` value.
pub fn set(name: &str, value: &str, path: &str, max_age: Option<i64>, secure: bool) -> String {
    let mut cookie = format!("{name}={value}; Path={path}; HttpOnly; SameSite=Lax");
    if let Some(age) = max_age {
        cookie.push_str(&format!("; Max-Age={age}"));
    }
    if secure {
        cookie.push_str("; Secure");
    }
    cookie
}

/// A `Set-Cookie` value that deletes the cookie.
pub fn clear(name: &str, path: &str, secure: bool) -> String {
    set(name, "", path, Some(0), secure)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn reads_one_cookie_among_many_and_refuses_duplicates() {
        let mut h = HeaderMap::new();
        h.append(http::header::COOKIE, "a=1; pc_sid=abc; b=2".parse().unwrap());
        assert_eq!(get(&h, SESSION).as_deref(), Some("abc"));
        h.append(http::header::COOKIE, "pc_sid=evil".parse().unwrap());
        assert_eq!(get(&h, SESSION), None);
    }

    #[test]
    fn cookies_are_http_only_and_lax() {
        let c = set(SESSION, "v", "/oauth2/default", None, true);
        assert_eq!(c, "pc_sid=v; Path=/oauth2/default; HttpOnly; SameSite=Lax; Secure");
    }
}
