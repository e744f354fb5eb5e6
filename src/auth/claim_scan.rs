//! A quick read of only the members the claim checks look at (`iss`, `aud`, `client_id`,
//! `exp`, `nbf`, `iat`), so a token with a wrong issuer or audience or an expired one is
//! refused without building the whole claims map.
//!
//! It decides nothing alone: the pipeline uses it only to refuse early, and a token it lets
//! through is parsed strictly ([`super::strict_json`]) and checked again on the full map. A
//! payload it cannot read (not JSON, a checked member twice) yields `None`, and the strict parse
//! then says why. Member names are compared after escape decoding, as the strict parser does.
//!
//! Allowed imports: std, serde, serde_json.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde_json::{Map, Value};

/// The members the claim checks read.
const CHECKED: [&str; 6] = ["iss", "aud", "client_id", "exp", "nbf", "iat"];

/// The checked members of `payload`, or `None` when it cannot be read quickly.
pub fn checked_members(payload: &[u8]) -> Option<Map<String, Value>> {
    serde_json::from_slice::<Subset>(payload).ok().map(|s| s.0)
}

struct Subset(Map<String, Value>);

impl<'de> Deserialize<'de> for Subset {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(SubsetVisitor).map(Subset)
    }
}

struct SubsetVisitor;

impl<'de> Visitor<'de> for SubsetVisitor {
    type Value = Map<String, Value>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Self::Value, A::Error> {
        let mut map = Map::new();
        while let Some(Name(name)) = access.next_key::<Name>()? {
            match name {
                Some(name) => {
                    if map.contains_key(name) {
                        return Err(de::Error::custom("duplicate member name"));
                    }
                    map.insert(name.to_owned(), access.next_value::<Value>()?);
                }
                None => {
                    access.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(map)
    }
}

/// A member name: one of [`CHECKED`], or `None` for any other (not kept).
struct Name(Option<&'static str>);

impl<'de> Deserialize<'de> for Name {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(NameVisitor)
    }
}

struct NameVisitor;

impl Visitor<'_> for NameVisitor {
    type Value = Name;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a member name")
    }

    fn visit_str<E>(self, v: &str) -> Result<Name, E> {
        Ok(Name(CHECKED.iter().find(|c| **c == v).copied()))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn only_the_checked_members_are_kept() {
        let got =
            checked_members(br#"{"iss":"i","x":{"deep":[1,{"a":"b"}]},"aud":["a","b"],"exp":1.5,"nbf":null}"#).unwrap();
        assert_eq!(
            Value::Object(got),
            serde_json::json!({"iss": "i", "aud": ["a", "b"], "exp": 1.5, "nbf": null})
        );
    }

    #[test]
    fn escaped_names_are_the_names_they_spell() {
        let got = checked_members(br#"{"\u0069ss":"i"}"#).unwrap();
        assert_eq!(got["iss"], "i");
    }

    #[test]
    fn unreadable_payloads_leave_the_decision_to_the_strict_parse() {
        for bad in [
            &br#"{"exp":1,"exp":2}"#[..],
            br#"{"iss":"a","\u0069ss":"b"}"#,
            b"[1]",
            b"{",
            b"",
            br#"{"exp":1} x"#,
        ] {
            assert!(checked_members(bad).is_none(), "{}", String::from_utf8_lossy(bad));
        }
    }
}
