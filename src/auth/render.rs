//! Rendering of claim values as AWS does for
//! `$context.authorizer.claims.<name>`, and of lists in Go slice format.
//!
//! Rules: strings as is; numbers as decimal text (integers, and floats with
//! no fractional part, without `.0`; never exponent notation); booleans
//! `true`/`false`; arrays as Go slices `[a b]` whose elements are rendered the
//! same way (a `null` element is `<nil>`, as Go prints it); objects as
//! compact JSON; a top-level `null` renders as nothing (`None`).
//!
//! Invariants: output is NOT sanitised for headers (a claim string may hold
//! any character); callers putting it in a header must filter it.
//!
//! Allowed imports: std, serde_json.

use serde_json::{Number, Value};

/// Renders a claim value; `None` for `null`.
pub fn render_value(value: &Value) -> Option<String> {
    match value {
        Value::Null => None,
        other => Some(render(other)),
    }
}

fn render(value: &Value) -> String {
    match value {
        Value::Null => "<nil>".to_owned(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => number(n),
        Value::String(s) => s.clone(),
        Value::Array(items) => go_slice(&items.iter().map(render).collect::<Vec<_>>()),
        Value::Object(_) => serde_json::to_string(value).unwrap_or_default(),
    }
}

/// Decimal text of a JSON number (`1787996002`, `1.5`, `-3`).
pub fn number(n: &Number) -> String {
    if let Some(i) = n.as_i64() {
        return i.to_string();
    }
    if let Some(u) = n.as_u64() {
        return u.to_string();
    }
    n.as_f64().map(|f| f.to_string()).unwrap_or_else(|| n.to_string())
}

/// Go's `fmt` rendering of a string slice: `[a b c]`.
pub fn go_slice<S: AsRef<str>>(items: &[S]) -> String {
    let mut out = String::from("[");
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(item.as_ref());
    }
    out.push(']');
    out
}

#[cfg(test)]
#[path = "render_tests.rs"]
mod tests;
