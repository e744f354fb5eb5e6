//! Rendering tests: exact YAML and JSON text, AWS's key order, and round trips of hostile
//! strings, keys and numbers through `config::source::parse`.
//!
//! May import: std, serde_json, crate::config::source.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use serde_json::{Map, Value, json};

use super::tests::{OPTIONS, gateway_api};
use super::{export, to_json, to_yaml};
use crate::config::source;

fn yaml_round_trip(v: &Value) {
    let text = to_yaml(v);
    let short: String = text.chars().take(400).collect();
    let back = source::parse(&text).unwrap_or_else(|e| panic!("{e}\n{short}")).value;
    assert!(&back == v, "{short}");
}

const HOSTILE: &[&str] = &[
    "",
    " ",
    "$default",
    "*",
    "&a",
    "!tag",
    "%YAML",
    "@x",
    "`x",
    "|",
    ">",
    "? x",
    "- x",
    "---",
    "...",
    "#c",
    "a #c",
    "a: b",
    "a:b",
    "a:",
    ":a",
    "true",
    "False",
    "NULL",
    "null",
    "~",
    "yes",
    "No",
    "on",
    "OFF",
    "y",
    "n",
    "1",
    "-1",
    "+1",
    "1.0",
    "1e3",
    ".inf",
    "-.Inf",
    ".NaN",
    "0x1F",
    "0o17",
    "0b1",
    "1_000",
    "2026-01-01",
    "12:30",
    " lead",
    "trail ",
    "'single'",
    "\"double\"",
    "back\\slash",
    "line\nbreak",
    "cr\rlf",
    "tab\there",
    "\u{0}",
    "\u{7}",
    "\u{1b}[31m",
    "\u{7f}",
    "\u{85}",
    "\u{a0}",
    "\u{2028}",
    "\u{2029}",
    "\u{feff}bom",
    "\u{fffe}",
    "\u{ffff}",
    "émoji 🚀 ünï",
    "{a: b}",
    "[a, b]",
    "a, b",
    "<<",
    "=",
    "http://myapp.com/scp/silver",
    "$request.header.Authorization",
    "/pets/{proxy+}",
    "overwrite:header.x-caller-sub",
    "append:querystring.routeId",
    "200",
];

#[test]
fn hostile_strings_survive_as_values_and_keys() {
    for s in HOSTILE {
        yaml_round_trip(&json!(s));
        yaml_round_trip(&json!({ "k": s, "list": [s, [s], { "in": s }] }));
        yaml_round_trip(&json!({ *s: 1 }));
        yaml_round_trip(&json!({ "openapi": "3.0.1", "paths": { *s: { "get": { "x": s } } } }));
    }
    let long: String = HOSTILE.concat().repeat(50);
    yaml_round_trip(
        &json!({ long.as_str(): long, "m": { long.as_str(): { long.as_str(): [long] } }, "s": [{ long.as_str(): 1, "b": 2 }] }),
    );
}

#[test]
fn numbers_booleans_null_and_empty_collections_survive() {
    let v = json!({
        "ints": [0, 1, -1, i64::MIN, i64::MAX, 30000],
        "floats": [1.5, -2.25, 1e300, 1e-300, 1e16, 0.1, f64::MAX, f64::MIN_POSITIVE, 3.0],
        "b": [true, false], "n": null, "e": {}, "a": [], "nested": [[], [{}], [[1, [2]]], [{ "x": [] }]],
        "deep": { "a": { "b": { "c": [{ "d": { "e": ["f"] } }] } } }
    });
    yaml_round_trip(&v);
    for scalar in [json!(1), json!(null), json!(true), json!([]), json!({}), json!(-0.5)] {
        yaml_round_trip(&scalar);
    }
}

#[test]
fn json_text_is_jackson_style_and_parses_back() {
    let v = json!({ "openapi": "3.0.1", "info": { "version": "1", "title": "t" }, "paths": {},
                    "servers": [{ "variables": { "basePath": { "default": "" } }, "url": "u" }],
                    "x-amazon-apigateway-cors": { "allowOrigins": ["*"], "allowMethods": ["GET", "POST"], "maxAge": 0 } });
    let expected = r#"{
  "openapi" : "3.0.1",
  "info" : {
    "title" : "t",
    "version" : "1"
  },
  "servers" : [ {
    "url" : "u",
    "variables" : {
      "basePath" : {
        "default" : ""
      }
    }
  } ],
  "paths" : { },
  "x-amazon-apigateway-cors" : {
    "allowMethods" : [ "GET", "POST" ],
    "maxAge" : 0,
    "allowOrigins" : [ "*" ]
  }
}"#;
    assert_eq!(to_json(&v), expected);
    for s in HOSTILE {
        let v = json!({ *s: [s, { "x": [[], {}] }] });
        assert_eq!(serde_json::from_str::<Value>(&to_json(&v)).unwrap(), v);
        // The importer reads JSON through the YAML parser.
        assert_eq!(source::parse(&to_json(&v)).unwrap().value, v);
    }
}

#[test]
fn yaml_text_is_block_style_with_quoted_strings() {
    let v = json!({ "openapi": "3.0.1", "info": { "title": "t", "version": "1" },
                    "paths": { "/a": { "get": { "security": [{ "jwt": ["s"] }, { "k": [] }], "responses": { "200": { "description": "ok" } } } } },
                    "components": { "securitySchemes": { "jwt": { "flows": {}, "type": "oauth2" } } } });
    let expected = r#"---
openapi: "3.0.1"
info:
  title: "t"
  version: "1"
paths:
  /a:
    get:
      responses:
        "200":
          description: "ok"
      security:
      - jwt:
        - "s"
      - k: []
components:
  securitySchemes:
    jwt:
      type: "oauth2"
      flows: {}
"#;
    assert_eq!(to_yaml(&v), expected);
}

fn position(text: &str, needle: &str) -> usize {
    text.find(needle).unwrap_or_else(|| panic!("{needle} not in\n{text}"))
}

#[test]
fn exports_are_written_in_aws_key_order() {
    let doc = export(&gateway_api(), &OPTIONS).unwrap();
    for text in [to_yaml(&doc), to_json(&doc)] {
        let order = [
            "openapi",
            "info",
            "servers",
            "paths",
            "components",
            "x-amazon-apigateway-importexport-version",
        ];
        let at: Vec<usize> = order.iter().map(|k| position(&text, k)).collect();
        assert!(at.windows(2).all(|w| w[0] < w[1]), "{text}");
        let integration = ["payloadFormatVersion", "type", "httpMethod", "uri"];
        let at: Vec<usize> = integration.iter().map(|k| position(&text, k)).collect();
        assert!(at.windows(2).all(|w| w[0] < w[1]), "{text}");
        assert!(position(&text, "identitySource") < position(&text, "jwtConfiguration"));
        assert!(position(&text, "responses") < position(&text, "isDefaultRoute"));
    }
}

#[test]
fn other_values_keep_sorted_keys() {
    let v = json!({ "b": 1, "a": { "openapi": 1, "info": 2 } });
    assert_eq!(to_yaml(&v), "---\na:\n  info: 2\n  openapi: 1\nb: 1\n");
}

#[test]
fn very_deep_values_are_cut_not_overflowed() {
    let mut v = json!("leaf");
    for i in 0..2000 {
        v = if i % 2 == 0 {
            Value::Array(vec![v])
        } else {
            Value::Object(Map::from_iter([("k".to_owned(), v)]))
        };
    }
    let handle = std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || {
            let yaml = to_yaml(&v);
            let json = to_json(&v);
            assert!(yaml.contains("null") && json.contains("null"));
            // Dropping a 2000-deep value recurses in serde_json; do it in pieces.
            let mut v = v;
            while let Some(inner) = match &mut v {
                Value::Array(a) => a.pop(),
                Value::Object(m) => m.remove("k"),
                _ => None,
            } {
                v = inner;
            }
        })
        .unwrap();
    handle.join().unwrap();
}

#[test]
fn random_strings_from_yaml_punctuation_survive() {
    let pool: Vec<char> = " :#-?'\"\\\n\t{}[],&*!|>%@`01.eanultr~+_/$\u{85}\u{2028}é\u{0}\r"
        .chars()
        .collect();
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        usize::try_from(seed % n as u64).unwrap()
    };
    let mut object = Map::new();
    let mut list = Vec::new();
    for _ in 0..3000 {
        let len = next(12);
        let s: String = (0..len).map(|_| pool[next(pool.len())]).collect();
        object.insert(s.clone(), json!(s));
        list.push(json!(s));
    }
    yaml_round_trip(&Value::Object(object.clone()));
    yaml_round_trip(&json!({ "openapi": "3.0.1", "paths": object, "l": list }));
}
