//! The backend URL of an HTTP proxy integration (AWS §4.2): `{var}`/`{proxy}` replaced by the
//! route's path variables, `${stageVariables.x}` by stage variables, the request path appended
//! for the `$default` route, and the client's query string appended to the URI's own.

use std::collections::HashMap;

/// A parsed `integrationUri`.
#[derive(Debug, Clone, PartialEq)]
pub struct UriTemplate {
    parts: Vec<Part>,
    /// The URI itself when it has no placeholder and no query: parsed once, cloned per request
    /// (a reference count) unless a path is appended or the client sent a query.
    fixed: Option<http::Uri>,
    /// The backend's `Host` value when no placeholder can change the authority: made once.
    authority: Option<http::HeaderValue>,
}

#[derive(Debug, Clone, PartialEq)]
enum Part {
    Literal(String),
    PathVar(String),
    StageVar(String),
}

impl UriTemplate {
    /// Splits the URI into literal text and placeholders.
    pub fn parse(uri: &str) -> Result<Self, String> {
        let mut parts = Vec::new();
        let mut rest = uri;
        while let Some(open) = rest.find('{') {
            let stage = open > 0 && rest.as_bytes().get(open - 1) == Some(&b'$');
            let literal_end = if stage { open - 1 } else { open };
            if literal_end > 0 {
                parts.push(Part::Literal(rest[..literal_end].to_owned()));
            }
            let close = rest[open..]
                .find('}')
                .ok_or_else(|| format!("unclosed '{{' in {uri}"))?
                + open;
            let name = &rest[open + 1..close];
            parts.push(match (stage, name.strip_prefix("stageVariables.")) {
                (true, Some(var)) => Part::StageVar(var.to_owned()),
                (true, None) => return Err(format!("unknown placeholder ${{{name}}} in {uri}")),
                (false, _) => Part::PathVar(name.trim_end_matches('+').to_owned()),
            });
            rest = &rest[close + 1..];
        }
        if !rest.is_empty() {
            parts.push(Part::Literal(rest.to_owned()));
        }
        let fixed = match parts.as_slice() {
            [Part::Literal(text)] if !text.contains('?') => text.parse().ok(),
            _ => None,
        };
        let authority = fixed_authority(&parts);
        Ok(Self {
            parts,
            fixed,
            authority,
        })
    }

    /// The `Host` value for `authority`, the authority of a URI this template rendered: the one
    /// made at parse time when it is the same, else made now (`None` if it is not a valid
    /// header value).
    pub fn host_value(&self, authority: &str) -> Option<http::HeaderValue> {
        match &self.authority {
            Some(fixed) if fixed.as_bytes() == authority.as_bytes() => Some(fixed.clone()),
            _ => http::HeaderValue::from_str(authority).ok(),
        }
    }

    /// The backend URI for one request.
    pub fn render(
        &self,
        params: &[(String, String)],
        stage_vars: &HashMap<String, String>,
        append_path: Option<&str>,
        client_query: Option<&str>,
    ) -> Result<http::Uri, String> {
        if let (Some(fixed), None, None | Some("")) = (&self.fixed, append_path, client_query) {
            return Ok(fixed.clone());
        }
        let mut text = String::with_capacity(128);
        for part in &self.parts {
            match part {
                Part::Literal(s) => text.push_str(s),
                Part::PathVar(name) => text.push_str(lookup(params, name)),
                Part::StageVar(name) => text.push_str(stage_vars.get(name).map_or("", String::as_str)),
            }
        }
        let (base, own_query) = match text.split_once('?') {
            Some((b, q)) => (b.to_owned(), Some(q.to_owned())),
            None => (text, None),
        };
        let mut uri = base;
        if let Some(path) = append_path {
            let trimmed = uri.trim_end_matches('/').len();
            uri.truncate(trimmed);
            uri.push_str(path);
        }
        let query: Vec<&str> = [own_query.as_deref(), client_query]
            .into_iter()
            .flatten()
            .filter(|q| !q.is_empty())
            .collect();
        if !query.is_empty() {
            uri.push('?');
            uri.push_str(&query.join("&"));
        }
        uri.parse().map_err(|e| format!("backend URI {uri:?} is invalid: {e}"))
    }
}

/// The authority when the template's first literal holds all of it (up to the path, query or
/// fragment, or the end of a template without placeholders). A wrong guess would only cost
/// speed: [`UriTemplate::host_value`] compares it with the rendered authority.
fn fixed_authority(parts: &[Part]) -> Option<http::HeaderValue> {
    let Some(Part::Literal(first)) = parts.first() else {
        return None;
    };
    let rest = &first[first.find("://")? + 3..];
    let authority = match rest.find(['/', '?', '#']) {
        Some(end) => &rest[..end],
        None if parts.len() == 1 => rest,
        None => return None,
    };
    http::HeaderValue::from_str(authority).ok()
}

fn lookup<'a>(params: &'a [(String, String)], name: &str) -> &'a str {
    params.iter().find(|(n, _)| n == name).map_or("", |(_, v)| v.as_str())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn render(uri: &str, params: &[(&str, &str)], append: Option<&str>, query: Option<&str>) -> String {
        let params: Vec<(String, String)> = params.iter().map(|(a, b)| ((*a).into(), (*b).into())).collect();
        let vars = HashMap::from([("env".to_owned(), "prod".to_owned())]);
        UriTemplate::parse(uri)
            .unwrap()
            .render(&params, &vars, append, query)
            .unwrap()
            .to_string()
    }

    #[test]
    fn a_fixed_uri_is_parsed_once_and_rendered_like_any_other() {
        let vars = HashMap::new();
        for uri in [
            "http://localhost:8200/planets",
            "http://localhost:8200",
            "http://h/a?x=1",
            "http://h/a?",
        ] {
            let t = UriTemplate::parse(uri).unwrap();
            assert_eq!(t.fixed.is_some(), !uri.contains('?'), "{uri}");
            let slow = UriTemplate {
                fixed: None,
                authority: None,
                ..t.clone()
            };
            for (append, query) in [(None, None), (None, Some("")), (None, Some("q=1")), (Some("/p"), None)] {
                assert_eq!(
                    t.render(&[], &vars, append, query),
                    slow.render(&[], &vars, append, query),
                    "{uri}"
                );
            }
        }
    }

    #[test]
    fn the_host_value_is_made_once_when_no_placeholder_reaches_the_authority() {
        let vars = HashMap::from([("host".to_owned(), "b.example".to_owned())]);
        let params = vec![("id".to_owned(), "7".to_owned())];
        for (uri, fixed) in [
            ("http://localhost:8200/planets", Some("localhost:8200")),
            ("http://localhost:8200", Some("localhost:8200")),
            ("http://h:1?x={id}", Some("h:1")),
            ("http://h/pets/{id}", Some("h")),
            ("http://[::1]:9/a", Some("[::1]:9")),
            ("http://h{id}/x", None),
            ("http://${stageVariables.host}/x", None),
            ("http://a.${stageVariables.host}/x", None),
        ] {
            let t = UriTemplate::parse(uri).unwrap();
            assert_eq!(t.authority.as_ref().map(|v| v.to_str().unwrap()), fixed, "{uri}");
            let rendered = t.render(&params, &vars, Some("/p"), Some("q=1")).unwrap();
            let authority = rendered.authority().unwrap().as_str();
            assert_eq!(t.host_value(authority).unwrap(), authority, "{uri}");
        }
        let t = UriTemplate::parse("http://h/x").unwrap();
        assert_eq!(
            t.host_value("other:80").unwrap(),
            "other:80",
            "a different authority is its own"
        );
    }

    #[test]
    fn non_default_route_uses_the_integration_uri_as_is() {
        assert_eq!(
            render("http://localhost:8200/planets", &[], None, None),
            "http://localhost:8200/planets"
        );
    }

    #[test]
    fn default_route_appends_the_full_request_path() {
        assert_eq!(
            render("http://localhost:8200", &[], Some("/nothing/here"), None),
            "http://localhost:8200/nothing/here"
        );
        assert_eq!(
            render("http://localhost:8200/", &[], Some("/"), None),
            "http://localhost:8200/"
        );
    }

    #[test]
    fn path_variables_and_greedy_proxy_are_substituted() {
        assert_eq!(
            render("http://b/pets/{id}", &[("id", "7")], None, None),
            "http://b/pets/7"
        );
        assert_eq!(
            render("http://b/petstore/{proxy}", &[("proxy", "a/b/c")], None, None),
            "http://b/petstore/a/b/c"
        );
    }

    #[test]
    fn stage_variables_are_substituted() {
        assert_eq!(
            render("http://b/${stageVariables.env}/x", &[], None, None),
            "http://b/prod/x"
        );
    }

    #[test]
    fn client_query_is_appended_after_the_uris_own() {
        assert_eq!(render("http://b/x?a=1", &[], None, Some("b=2")), "http://b/x?a=1&b=2");
        assert_eq!(render("http://b/x", &[], None, Some("b=2")), "http://b/x?b=2");
    }
}
