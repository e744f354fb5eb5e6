//! A quick read of only the members the claim checks look at (`iss`, `aud`, `client_id`,
//! `exp`, `nbf`, `iat`), so a token with a wrong issuer or audience or an expired one is
//! refused without building the whole claims map.
//!
//! It decides nothing alone: the pipeline uses it only to refuse early, and a token it lets
//! through is parsed strictly ([`super::strict_json`]) and checked again on the full map. A
//! payload it cannot read (not JSON, a checked member twice) yields `None`, and the strict parse
//! then says why. Member names are compared after escape decoding, as the strict parser does.
//!
//! [`read_until`] also stops reading as soon as the caller's judgement of the members read so
//! far is final (say, a wrong `iss`): the rest of the payload is then never scanned. What is
//! final is the caller's to say; the claim checks come before the strict parse in the
//! pipeline's order, so a payload refused this way may be malformed further on.
//!
//! Allowed imports: std, serde, serde_json.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde_json::{Map, Value};

/// The members the claim checks read.
const CHECKED: [(&str, Member); 6] = [
    ("iss", Member::Iss),
    ("aud", Member::Aud),
    ("client_id", Member::ClientId),
    ("exp", Member::Exp),
    ("nbf", Member::Nbf),
    ("iat", Member::Iat),
];

/// One of the members the claim checks read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Member {
    /// `iss`.
    Iss,
    /// `aud`.
    Aud,
    /// `client_id`.
    ClientId,
    /// `exp`.
    Exp,
    /// `nbf`.
    Nbf,
    /// `iat`.
    Iat,
}

/// Which checked members have been read so far: what the map's keys say, without a lookup.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Seen(u8);

impl Seen {
    /// Whether `member` has been read.
    pub fn has(self, member: Member) -> bool {
        self.0 & (1 << member as u8) != 0
    }

    fn with(self, member: Member) -> Self {
        Self(self.0 | 1 << member as u8)
    }
}

/// The checked members of `payload`, or `None` when it cannot be read quickly.
pub fn checked_members(payload: &[u8]) -> Option<Map<String, Value>> {
    match read_until(payload, |_, _| None::<()>) {
        Read::Members(map) => Some(map),
        Read::Settled(()) | Read::Unreadable => None,
    }
}

/// What [`read_until`] found.
#[derive(Debug)]
pub enum Read<E> {
    /// Every checked member (the whole payload read).
    Members(Map<String, Value>),
    /// The judgement that was final before the end of the payload.
    Settled(E),
    /// Not readable quickly: the strict parse will say why.
    Unreadable,
}

/// Reads the checked members of `payload`, asking `settled` after each one whether the members
/// read so far (the map, and which of them it holds) already decide; its first `Some` stops the
/// read.
pub fn read_until<E>(payload: &[u8], settled: impl FnMut(&Map<String, Value>, Seen) -> Option<E>) -> Read<E> {
    let mut visitor = SubsetVisitor {
        settled,
        seen: Seen::default(),
        verdict: None,
    };
    let mut deserializer = serde_json::Deserializer::from_slice(payload);
    let read = deserializer.deserialize_map(&mut visitor);
    match (read, visitor.verdict) {
        (_, Some(verdict)) => Read::Settled(verdict),
        (Ok(map), None) if deserializer.end().is_ok() => Read::Members(map),
        _ => Read::Unreadable,
    }
}

struct SubsetVisitor<F, E> {
    settled: F,
    seen: Seen,
    verdict: Option<E>,
}

impl<'de, F, E> Visitor<'de> for &mut SubsetVisitor<F, E>
where
    F: FnMut(&Map<String, Value>, Seen) -> Option<E>,
{
    type Value = Map<String, Value>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Self::Value, A::Error> {
        let mut map = Map::new();
        while let Some(Name(name)) = access.next_key::<Name>()? {
            match name {
                Some((name, member)) => {
                    if self.seen.has(member) {
                        return Err(de::Error::custom("duplicate member name"));
                    }
                    self.seen = self.seen.with(member);
                    map.insert(name.to_owned(), access.next_value::<Value>()?);
                    if let Some(verdict) = (self.settled)(&map, self.seen) {
                        self.verdict = Some(verdict);
                        return Err(de::Error::custom("settled"));
                    }
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
struct Name(Option<(&'static str, Member)>);

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
        Ok(Name(CHECKED.iter().find(|(name, _)| *name == v).copied()))
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
    fn the_read_stops_at_the_first_settled_judgement_and_never_sees_the_rest() {
        let mut asked = Vec::new();
        let read = read_until(br#"{"iss":"a","x":1,"aud":"b", this is not JSON"#, |m, seen| {
            asked.push(m.len());
            assert_eq!(seen.has(Member::Aud), m.contains_key("aud"), "seen follows the map");
            assert!(seen.has(Member::Iss) && !seen.has(Member::Exp));
            seen.has(Member::Aud).then_some("settled")
        });
        assert!(matches!(read, Read::Settled("settled")), "{read:?}");
        assert_eq!(asked, [1, 2], "asked after each checked member only");
        let unsettled = read_until(br#"{"iss":"a","aud":"b"} x"#, |_, _| None::<()>);
        assert!(matches!(unsettled, Read::Unreadable), "trailing bytes still count");
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
