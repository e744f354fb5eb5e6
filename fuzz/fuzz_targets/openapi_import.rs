//! Fuzzes OpenAPI import: `openapi::import` on arbitrary bytes (as UTF-8 text when they are
//! valid UTF-8), i.e. the nesting guard, the YAML/JSON parser and every extension reader, with
//! hostile YAML (deep nesting, aliases, tags, huge numbers, non-mappings where mappings belong,
//! `$ref` cycles).
//!
//! Properties beyond "no panic, no stack overflow":
//! - a refusal carries at least one message, none empty;
//! - an import is deterministic for a deterministic id source;
//! - an imported API exports, and its YAML and JSON renderings import back without warnings
//!   to the same API modulo ids.
#![no_main]

use std::collections::BTreeMap;

use libfuzzer_sys::fuzz_target;
use portcullis::openapi::{self, ExportOptions, IdKind};
use serde_json::{Value, json};

fn ids() -> impl FnMut(IdKind) -> String {
    let mut n = 0;
    move |kind| {
        n += 1;
        format!("{kind:?}{n}").to_lowercase()
    }
}

/// The API with every id replaced by what it names and lists in a fixed order.
fn canonical(api: &Value) -> Value {
    let list = |k: &str| api[k].as_array().cloned().unwrap_or_default();
    let strip = |mut v: Value, k: &str| {
        if let Some(o) = v.as_object_mut() {
            o.remove(k);
        }
        v
    };
    let names: BTreeMap<String, Value> = list("authorizers")
        .iter()
        .map(|a| {
            (
                a["authorizerId"].as_str().unwrap_or_default().to_owned(),
                a["name"].clone(),
            )
        })
        .collect();
    let targets: BTreeMap<String, Value> = list("integrations")
        .iter()
        .map(|i| {
            let id = i["integrationId"].as_str().unwrap_or_default();
            (format!("integrations/{id}"), strip(i.clone(), "integrationId"))
        })
        .collect();
    let mut authorizers: Vec<String> = list("authorizers")
        .into_iter()
        .map(|a| strip(a, "authorizerId").to_string())
        .collect();
    let mut integrations: Vec<String> = list("integrations")
        .into_iter()
        .map(|i| strip(i, "integrationId").to_string())
        .collect();
    let mut routes: Vec<String> = list("routes")
        .into_iter()
        .map(|r| {
            let mut r = strip(r, "routeId");
            let authorizer = r["authorizerId"].as_str().map(|id| names.get(id).cloned());
            let target = r["target"].as_str().map(|t| targets.get(t).cloned());
            if let Some(o) = r.as_object_mut() {
                if let Some(a) = authorizer {
                    o.insert("authorizerId".into(), a.unwrap_or(Value::Null));
                }
                if let Some(t) = target {
                    o.insert("target".into(), t.unwrap_or(Value::Null));
                }
            }
            r.to_string()
        })
        .collect();
    authorizers.sort();
    integrations.sort();
    routes.sort();
    let mut out = api.clone();
    if let Some(o) = out.as_object_mut() {
        o.insert("authorizers".into(), json!(authorizers));
        o.insert("integrations".into(), json!(integrations));
        o.insert("routes".into(), json!(routes));
    }
    out
}

const OPTIONS: ExportOptions<'static> = ExportOptions {
    include_extensions: true,
    stage_name: None,
    api_endpoint: "https://fuzz.example",
};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    match openapi::import(text, &mut ids()) {
        Err(e) => {
            assert!(!e.messages.is_empty(), "refused without a message");
            assert!(e.messages.iter().all(|m| !m.is_empty()), "empty message");
        }
        Ok((api, report)) => {
            let again = openapi::import(text, &mut ids()).expect("accepted once, refused the second time");
            assert_eq!((&api, &report), (&again.0, &again.1), "import is not deterministic");
            let exported = openapi::export(&api, &OPTIONS).expect("an imported API must export");
            for rendered in [openapi::to_yaml(&exported), openapi::to_json(&exported)] {
                let (back, report) = openapi::import(&rendered, &mut ids()).expect("an export must import");
                assert!(
                    report.warnings.is_empty(),
                    "an export imports with warnings: {report:?}"
                );
                assert_eq!(canonical(&back), canonical(&api), "round trip changed the API");
            }
        }
    }
});
