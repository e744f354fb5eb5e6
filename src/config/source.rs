//! Turns configuration text (YAML 1.2, and so JSON too) into a JSON value plus a map from every
//! node's path (`gateway.apis[0].routes[2].routeKey`) to its line and column.
//!
//! Keeping locations beside a plain `serde_json::Value` lets the typed decoding and the
//! validation rules report where each problem is without a YAML-specific value type.
//! Duplicate keys, anchors that expand too far and non-string keys are errors here.
//!
//! May import: std, `saphyr`, `serde_json`, and `super::diagnostic`.

use std::collections::HashMap;

use saphyr::{LoadableYamlNode, MarkedYaml, Scalar, YamlData};
use serde_json::{Map, Number, Value};

use super::diagnostic::{Diagnostic, Location};

/// Parsed configuration text.
#[derive(Debug, Default)]
pub struct Document {
    /// The content as JSON.
    pub value: Value,
    /// Path → position of the node (for mapping entries: of the key).
    pub locations: HashMap<String, Location>,
}

impl Document {
    /// The location of `path`, or of its nearest ancestor that has one.
    pub fn locate(&self, path: &str) -> Option<Location> {
        let mut path = path;
        loop {
            if let Some(loc) = self.locations.get(path) {
                return Some(*loc);
            }
            let cut = path.rfind(['.', '['])?;
            path = &path[..cut];
        }
    }
}

// A bound on untrusted text before it is parsed: saphyr and `convert` walk YAML trees
// recursively, and block nesting (`- - - - …`) is bounded by nothing but the text's length, so
// deep enough input would exhaust the stack (found by the OpenAPI importer's hostile-input tests).

/// Deepest block nesting read: indentation columns plus block indicators on one line.
const MAX_LINE_DEPTH: usize = 80;
/// Most YAML alias references read (each can deepen a tree by a whole anchored subtree).
const MAX_ALIASES: usize = 100;

/// Refuses text whose YAML nesting could exhaust the stack of the recursive tree walks
/// (`saphyr` bounds flow nesting at 255 and alias expansion at 100 000 nodes, but not block
/// nesting such as `- - - - …`). Valid JSON (nesting ≤ 128) passes at once; YAML is scanned
/// line by line for indentation plus block indicators, and for alias references.
pub fn check_nesting(text: &str) -> Result<(), String> {
    if serde_json::from_str::<Value>(text.trim_start_matches('\u{feff}')).is_ok() {
        return Ok(());
    }
    for (n, line) in text.split(['\n', '\r']).enumerate() {
        let indent = line.bytes().take_while(|b| *b == b' ').count();
        let mut depth = indent;
        let bytes = line.as_bytes();
        for (i, b) in bytes.iter().enumerate().skip(indent) {
            match b {
                b'[' | b'{' | b'"' | b'\'' | b'#' | b'|' | b'>' => break,
                b'-' | b'?' | b':' if matches!(bytes.get(i + 1), None | Some(b' ' | b'\t')) => depth += 1,
                _ => {}
            }
        }
        if depth > MAX_LINE_DEPTH {
            return Err(format!(
                "{}:{}: the document nests deeper than {MAX_LINE_DEPTH} levels (indentation plus block indicators)",
                n + 1,
                indent + 1
            ));
        }
    }
    let aliases = text
        .as_bytes()
        .windows(3)
        .filter(|w| {
            matches!(w[0], b' ' | b'\t' | b'[' | b'{' | b',' | b'\n')
                && w[1] == b'*'
                && !matches!(w[2], b' ' | b'\t' | b'\n' | b'\r' | b',' | b']' | b'}')
        })
        .count();
    if aliases > MAX_ALIASES {
        return Err(format!("the document uses more than {MAX_ALIASES} YAML aliases"));
    }
    Ok(())
}

/// Parses YAML (or JSON) text.
pub fn parse(text: &str) -> Result<Document, Diagnostic> {
    check_nesting(text).map_err(|m| Diagnostic::new("", m, "flatten the document; nothing needs this much nesting"))?;
    let docs = MarkedYaml::load_from_str(text).map_err(|e| {
        let m = e.marker();
        Diagnostic::new("", e.info().to_owned(), "fix the YAML syntax at this position")
            .at(Location::new(m.line(), m.col() + 1))
    })?;
    let mut out = Document::default();
    let Some(root) = docs.into_iter().next() else {
        return Ok(out);
    };
    out.value = convert(&root, "", &mut out.locations)?;
    Ok(out)
}

fn location_of(node: &MarkedYaml<'_>) -> Location {
    Location::new(node.span.start.line(), node.span.start.col() + 1)
}

fn convert(node: &MarkedYaml<'_>, path: &str, locs: &mut HashMap<String, Location>) -> Result<Value, Diagnostic> {
    locs.entry(path.to_owned()).or_insert_with(|| location_of(node));
    match &node.data {
        YamlData::Value(scalar) => scalar_to_json(scalar, path, node),
        YamlData::Sequence(items) => {
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                out.push(convert(item, &format!("{path}[{i}]"), locs)?);
            }
            Ok(Value::Array(out))
        }
        YamlData::Mapping(map) => {
            let mut out = Map::new();
            for (key, value) in map {
                let name = key_text(key, path)?;
                let child = join(path, &name);
                locs.insert(child.clone(), location_of(key));
                out.insert(name, convert(value, &child, locs)?);
            }
            Ok(Value::Object(out))
        }
        YamlData::Tagged(_, inner) => convert(inner, path, locs),
        _ => Err(Diagnostic::new(
            path,
            "this value cannot be read (bad tag or alias)".to_owned(),
            "write a plain string, number, list or mapping",
        )
        .at(location_of(node))),
    }
}

/// The path of a mapping entry named `name` under `path`.
pub fn join(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_owned()
    } else {
        format!("{path}.{name}")
    }
}

fn key_text(key: &MarkedYaml<'_>, path: &str) -> Result<String, Diagnostic> {
    match &key.data {
        YamlData::Value(Scalar::String(s)) => Ok(s.to_string()),
        YamlData::Value(Scalar::Integer(i)) => Ok(i.to_string()),
        YamlData::Value(Scalar::Boolean(b)) => Ok(b.to_string()),
        _ => Err(
            Diagnostic::new(path, "a mapping key must be a string".to_owned(), "quote the key").at(location_of(key)),
        ),
    }
}

fn scalar_to_json(scalar: &Scalar<'_>, path: &str, node: &MarkedYaml<'_>) -> Result<Value, Diagnostic> {
    Ok(match scalar {
        Scalar::Null => Value::Null,
        Scalar::Boolean(b) => Value::Bool(*b),
        Scalar::Integer(i) => Value::Number((*i).into()),
        Scalar::FloatingPoint(f) => match Number::from_f64(f.into_inner()) {
            Some(n) => Value::Number(n),
            None => {
                return Err(
                    Diagnostic::new(path, "numbers must be finite".to_owned(), "write a finite number")
                        .at(location_of(node)),
                );
            }
        },
        Scalar::String(s) => Value::String(s.to_string()),
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn records_line_and_column_of_every_key() {
        let doc = parse("gateway:\n  apis:\n    - apiId: a\n      routes:\n        - routeKey: $default\n").unwrap();
        let loc = doc.locations["gateway.apis[0].routes[0].routeKey"];
        assert_eq!((loc.line, loc.column), (5, 11));
        assert_eq!(doc.value["gateway"]["apis"][0]["routes"][0]["routeKey"], "$default");
    }

    #[test]
    fn block_nesting_deep_enough_to_exhaust_the_stack_is_refused_not_followed() {
        // 10 000 levels overflowed the stack of the recursive conversion before the guard.
        let err = parse(&"- ".repeat(10_000)).unwrap_err();
        assert!(err.message.contains("nests deeper than 80 levels"), "{}", err.message);
        let ok = "a:\n  b:\n    - - c\n";
        assert!(parse(ok).is_ok());
    }

    #[test]
    fn quoted_numbers_stay_strings() {
        let doc = parse("v: \"1.0\"\nn: 1.0\n").unwrap();
        assert_eq!(doc.value["v"], "1.0");
        assert!(doc.value["n"].is_number());
    }

    #[test]
    fn duplicate_keys_are_an_error_with_a_position() {
        let err = parse("a: 1\na: 2\n").unwrap_err();
        assert!(err.location.is_some());
    }

    #[test]
    fn locate_falls_back_to_the_nearest_ancestor() {
        let doc = parse("gateway:\n  apis: []\n").unwrap();
        assert_eq!(doc.locate("gateway.apis[3].routes").unwrap().line, 2);
    }

    #[test]
    fn alias_bombs_do_not_expand_without_bound() {
        let bomb = "a: &a [x,x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: [*f,*f,*f,*f,*f,*f,*f,*f,*f,*f]\n";
        // Either refused or bounded; never a hang or an abort.
        let _ = parse(bomb);
    }
}
