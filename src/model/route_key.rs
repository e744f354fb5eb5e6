//! The AWS API Gateway HTTP API route-key vocabulary.
//!
//! A route key is either the literal `$default` or `<METHOD> <path>`, for
//! example `GET /pets/{id}` or `ANY /{proxy+}`. This module parses route keys
//! into [`RouteKey`] values and prints them back in canonical form.
//!
//! Invariants upheld by every value this module hands out:
//! - a [`PathPattern`] has no empty segments, and only its last segment may be
//!   [`PatternSegment::Greedy`];
//! - static segments match `[a-zA-Z0-9._-]+` and are neither `.` nor `..`;
//!   variable names match `[a-zA-Z0-9_.-]+` and are unique within a path;
//! - `RouteKey::parse(&key.to_string()) == Ok(key)` for every parsed key.
//!
//! Imports: `std` and the `http` crate only.

use std::fmt;
use std::str::FromStr;

/// The AWS regular expression a route path segment must match.
const SEGMENT_REGEX: &str = r"^(\{[\w.-]+\+?\}|[a-zA-Z0-9._-]+)$";

/// A parsed route key: `$default` or a method selector with a path pattern.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum RouteKey {
    /// The catch-all `$default` route, used when no other route matches.
    Default,
    /// A `<METHOD> <path>` route.
    Route {
        /// The method (or `ANY`) the route accepts.
        method: MethodSel,
        /// The path pattern the route matches.
        path: PathPattern,
    },
}

/// The method part of a route key; `Any` stands for the `ANY` keyword.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MethodSel {
    /// `ANY`: every request method.
    Any,
    /// `GET`.
    Get,
    /// `POST`.
    Post,
    /// `PUT`.
    Put,
    /// `PATCH`.
    Patch,
    /// `DELETE`.
    Delete,
    /// `HEAD`.
    Head,
    /// `OPTIONS`.
    Options,
}

/// One `/`-separated part of a route path.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PatternSegment {
    /// A literal segment such as `pets`.
    Static(String),
    /// A `{name}` variable matching exactly one request segment.
    Var(String),
    /// A `{name+}` variable matching one or more trailing request segments.
    Greedy(String),
}

/// A route path: `/` (no segments) or `/seg/seg/...`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct PathPattern {
    /// The segments, left to right; only the last may be greedy.
    pub segments: Vec<PatternSegment>,
}

/// Why a route key was rejected. The `String` is the text named in the
/// variant's doc, as given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RouteKeyError {
    /// The key is the empty string.
    Empty,
    /// The key (given) is not `$default` and has no space followed by a path.
    MissingPath(String),
    /// The key (given) separates method and path by more than one space.
    BadSeparator(String),
    /// The method (given) is not an upper-case method or `ANY`.
    InvalidMethod(String),
    /// The path (given) does not start with `/`.
    PathNotAbsolute(String),
    /// The path (given) ends with `/` and is not `/` itself.
    TrailingSlash(String),
    /// The path (given) contains `//`.
    EmptySegment(String),
    /// The segment (given) does not match the AWS segment regular expression.
    InvalidSegment(String),
    /// The path (given) has a `.` or `..` segment, which no normalized
    /// request path contains.
    DotSegment(String),
    /// The path (given) has a `{name+}` variable followed by more segments.
    GreedyNotLast(String),
    /// The variable name (given) appears twice in one path.
    DuplicateVariable(String),
}

impl RouteKey {
    /// Parses a route key such as `$default`, `GET /pets/{id}` or `ANY /{proxy+}`.
    pub fn parse(text: &str) -> Result<Self, RouteKeyError> {
        if text.is_empty() {
            return Err(RouteKeyError::Empty);
        }
        if text == "$default" {
            return Ok(RouteKey::Default);
        }
        let split = text.split_once(' ').filter(|(_, path)| !path.is_empty());
        let Some((method, path)) = split else {
            return Err(RouteKeyError::MissingPath(text.into()));
        };
        if path.starts_with(' ') {
            return Err(RouteKeyError::BadSeparator(text.into()));
        }
        let method = MethodSel::parse(method).ok_or_else(|| RouteKeyError::InvalidMethod(method.into()))?;
        let path = PathPattern::parse(path)?;
        Ok(RouteKey::Route { method, path })
    }

    /// The method selector, or `None` for `$default`.
    pub fn method(&self) -> Option<MethodSel> {
        match self {
            RouteKey::Default => None,
            RouteKey::Route { method, .. } => Some(*method),
        }
    }

    /// The path pattern, or `None` for `$default`.
    pub fn path(&self) -> Option<&PathPattern> {
        match self {
            RouteKey::Default => None,
            RouteKey::Route { path, .. } => Some(path),
        }
    }
}

impl FromStr for RouteKey {
    type Err = RouteKeyError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        RouteKey::parse(s)
    }
}

impl fmt::Display for RouteKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RouteKey::Default => f.write_str("$default"),
            RouteKey::Route { method, path } => write!(f, "{method} {path}"),
        }
    }
}

impl MethodSel {
    /// Every selector, `ANY` first.
    pub const ALL: [MethodSel; 8] = [
        MethodSel::Any,
        MethodSel::Get,
        MethodSel::Post,
        MethodSel::Put,
        MethodSel::Patch,
        MethodSel::Delete,
        MethodSel::Head,
        MethodSel::Options,
    ];

    /// Parses the method part of a route key; upper-case only.
    pub fn parse(text: &str) -> Option<Self> {
        MethodSel::ALL.into_iter().find(|m| m.as_str() == text)
    }

    /// The selector naming exactly this request method; `None` for methods
    /// outside the route-key vocabulary (such as `PROPFIND` or lower-case `get`).
    /// Never returns [`MethodSel::Any`].
    pub fn from_method(method: &http::Method) -> Option<Self> {
        let sel = match *method {
            http::Method::GET => MethodSel::Get,
            http::Method::POST => MethodSel::Post,
            http::Method::PUT => MethodSel::Put,
            http::Method::PATCH => MethodSel::Patch,
            http::Method::DELETE => MethodSel::Delete,
            http::Method::HEAD => MethodSel::Head,
            http::Method::OPTIONS => MethodSel::Options,
            _ => return None,
        };
        Some(sel)
    }

    /// The route-key spelling, e.g. `GET` or `ANY`.
    pub fn as_str(self) -> &'static str {
        match self {
            MethodSel::Any => "ANY",
            MethodSel::Get => "GET",
            MethodSel::Post => "POST",
            MethodSel::Put => "PUT",
            MethodSel::Patch => "PATCH",
            MethodSel::Delete => "DELETE",
            MethodSel::Head => "HEAD",
            MethodSel::Options => "OPTIONS",
        }
    }
}

impl fmt::Display for MethodSel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PathPattern {
    /// Parses the path part of a route key, e.g. `/pets/{id}` or `/`.
    pub fn parse(path: &str) -> Result<Self, RouteKeyError> {
        let Some(rest) = path.strip_prefix('/') else {
            return Err(RouteKeyError::PathNotAbsolute(path.into()));
        };
        if rest.is_empty() {
            return Ok(PathPattern::default());
        }
        if rest.ends_with('/') {
            return Err(RouteKeyError::TrailingSlash(path.into()));
        }
        let segments = rest
            .split('/')
            .map(|s| parse_segment(s, path))
            .collect::<Result<Vec<_>, _>>()?;
        let pattern = PathPattern { segments };
        pattern.check_structure(path)?;
        Ok(pattern)
    }

    /// Names of the `{name}` and `{name+}` variables, left to right.
    pub fn variable_names(&self) -> impl Iterator<Item = &str> {
        self.segments.iter().filter_map(PatternSegment::variable_name)
    }

    /// Whether the last segment is a greedy `{name+}` variable.
    pub fn is_greedy(&self) -> bool {
        matches!(self.segments.last(), Some(PatternSegment::Greedy(_)))
    }

    /// Rejects a greedy variable that is not last and repeated variable names.
    fn check_structure(&self, path: &str) -> Result<(), RouteKeyError> {
        let body = self.segments.split_last().map_or(&[][..], |(_, b)| b);
        if body.iter().any(|s| matches!(s, PatternSegment::Greedy(_))) {
            return Err(RouteKeyError::GreedyNotLast(path.into()));
        }
        let names: Vec<&str> = self.variable_names().collect();
        for (i, name) in names.iter().enumerate() {
            if names[..i].contains(name) {
                return Err(RouteKeyError::DuplicateVariable((*name).into()));
            }
        }
        Ok(())
    }
}

impl fmt::Display for PathPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.segments.is_empty() {
            return f.write_str("/");
        }
        for segment in &self.segments {
            write!(f, "/{segment}")?;
        }
        Ok(())
    }
}

impl PatternSegment {
    /// The variable name for `{name}` and `{name+}`; `None` for static text.
    pub fn variable_name(&self) -> Option<&str> {
        match self {
            PatternSegment::Static(_) => None,
            PatternSegment::Var(name) | PatternSegment::Greedy(name) => Some(name),
        }
    }
}

impl fmt::Display for PatternSegment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PatternSegment::Static(text) => f.write_str(text),
            PatternSegment::Var(name) => write!(f, "{{{name}}}"),
            PatternSegment::Greedy(name) => write!(f, "{{{name}+}}"),
        }
    }
}

/// Parses one segment against [`SEGMENT_REGEX`]; `path` is for error text.
fn parse_segment(segment: &str, path: &str) -> Result<PatternSegment, RouteKeyError> {
    if segment.is_empty() {
        return Err(RouteKeyError::EmptySegment(path.into()));
    }
    let invalid = || RouteKeyError::InvalidSegment(segment.into());
    if let Some(inner) = segment.strip_prefix('{') {
        let inner = inner.strip_suffix('}').ok_or_else(invalid)?;
        let (name, greedy) = match inner.strip_suffix('+') {
            Some(name) => (name, true),
            None => (inner, false),
        };
        if name.is_empty() || !name.bytes().all(is_name_byte) {
            return Err(invalid());
        }
        return Ok(if greedy {
            PatternSegment::Greedy(name.into())
        } else {
            PatternSegment::Var(name.into())
        });
    }
    if !segment.bytes().all(is_name_byte) {
        return Err(invalid());
    }
    if segment == "." || segment == ".." {
        return Err(RouteKeyError::DotSegment(path.into()));
    }
    Ok(PatternSegment::Static(segment.into()))
}

/// `[\w.-]` with ASCII `\w`; the same set as `[a-zA-Z0-9._-]`.
fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-')
}

impl RouteKeyError {
    /// A one-line suggestion for fixing the route key.
    pub fn hint(&self) -> String {
        use RouteKeyError as E;
        match self {
            E::Empty | E::MissingPath(_) | E::BadSeparator(_) => {
                "write '$default' or a method, one space and a path, e.g. 'GET /pets/{id}'".into()
            }
            E::InvalidMethod(_) => "use GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS or ANY, in upper case".into(),
            E::PathNotAbsolute(path) => format!("write '/{path}'"),
            E::TrailingSlash(path) => format!(
                "write '{}': requests with a trailing slash are routed without it",
                path.trim_end_matches('/')
            ),
            E::EmptySegment(_) => "replace '//' with a single '/'".into(),
            E::InvalidSegment(segment) => format!(
                "segment '{segment}' may only hold letters, digits, '.', '_' and '-', \
                 or be a variable like {{id}} or {{proxy+}}"
            ),
            E::DotSegment(_) => "remove '.' and '..' segments: request paths are normalized".into(),
            E::GreedyNotLast(_) => "move {name+} to the end of the path or make it {name}".into(),
            E::DuplicateVariable(name) => format!("rename one of the '{{{name}}}' variables"),
        }
    }
}

impl fmt::Display for RouteKeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use RouteKeyError as E;
        match self {
            E::Empty => f.write_str("Route key is required"),
            E::MissingPath(key) => write!(f, "Route key '{key}' must be '$default' or '<METHOD> <path>'"),
            E::BadSeparator(key) => write!(f, "Route key '{key}' must have exactly one space before the path"),
            E::InvalidMethod(method) => write!(f, "Route key method '{method}' is not supported"),
            E::PathNotAbsolute(path) => write!(f, "Route key path '{path}' must start with '/'"),
            E::TrailingSlash(path) => write!(f, "Route key path '{path}' must not end with '/'"),
            E::EmptySegment(path) => write!(f, "Route key path '{path}' contains an empty segment"),
            E::InvalidSegment(_) => write!(
                f,
                "One or more path parts appear to be invalid. \
                 Parts are validated against this regular expression: {SEGMENT_REGEX}"
            ),
            E::DotSegment(path) => {
                write!(f, "Route key path '{path}' contains a '.' or '..' segment")
            }
            E::GreedyNotLast(path) => write!(f, "Route key path '{path}' has a greedy variable before its end"),
            E::DuplicateVariable(name) => {
                write!(f, "Route key path repeats the variable '{{{name}}}'")
            }
        }
    }
}

impl std::error::Error for RouteKeyError {}

// `#[path]` keeps the test file beside this one whether this module is
// reached through `model/mod.rs` or through a `#[path]` attribute.
#[cfg(test)]
#[path = "route_key/tests.rs"]
mod tests;
