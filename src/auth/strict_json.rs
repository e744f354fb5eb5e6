//! A strict JSON reader for JOSE headers, JWT claims and JWKS documents.
//!
//! Invariants (decision D5): the input must be exactly one JSON object, valid
//! UTF-8 with no BOM and nothing but whitespace after it; a member name may
//! appear only once per object, at every depth (names are compared after
//! escape decoding, so `"alg"` and `"\u0061lg"` collide); lone surrogates
//! and non-finite numbers are rejected. Nesting is bounded by serde_json's
//! recursion limit (128), so hostile depth fails cleanly instead of
//! overflowing the stack.
//!
//! Allowed imports: std, serde, serde_json.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::map::Entry;
use serde_json::{Map, Number, Value};

/// Parses `bytes` as one JSON object under the rules above.
///
/// # Errors
/// Returns the parser's message when the input is not a strict JSON object.
pub fn parse_object(bytes: &[u8]) -> Result<Map<String, Value>, String> {
    match serde_json::from_slice::<Strict>(bytes) {
        Ok(Strict(Value::Object(map))) => Ok(map),
        Ok(_) => Err("not a JSON object".to_owned()),
        Err(err) => Err(err.to_string()),
    }
}

/// A `Value` deserialised with duplicate-name detection.
struct Strict(Value);

impl<'de> Deserialize<'de> for Strict {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(StrictVisitor).map(Strict)
    }
}

struct StrictVisitor;

impl<'de> Visitor<'de> for StrictVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        Number::from_f64(v)
            .map(Value::Number)
            .ok_or_else(|| E::custom("non-finite number"))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(Strict(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Value, A::Error> {
        let mut map = Map::new();
        while let Some(name) = access.next_key::<String>()? {
            // One search of the map per member: the vacant slot found by the duplicate check
            // takes the value.
            let Entry::Vacant(slot) = map.entry(name) else {
                return Err(de::Error::custom("duplicate member name"));
            };
            let Strict(value) = access.next_value()?;
            slot.insert(value);
        }
        Ok(Value::Object(map))
    }
}

#[cfg(test)]
#[path = "strict_json_tests.rs"]
mod tests;
