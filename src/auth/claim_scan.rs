//! A quick read of only the members the pipeline needs before the signature: those the claim
//! checks look at (`iss`, `aud`, `client_id`, `exp`, `nbf`, `iat`) and the scopes (`scp`,
//! `scope`), so a token with a wrong issuer or audience or an expired one is refused without
//! building any map: each member read has its own slot ([`Members`]).
//!
//! It refuses nothing alone: the pipeline uses it to refuse early, and a token it lets through
//! is parsed strictly ([`super::strict_json`]) and checked again on the full map, unless the read
//! proved the payload strict ([`Read::Strict`]: then that parse could only agree, and waits
//! until a claim is wanted). A payload it cannot read (not JSON, a read member twice) yields
//! `None`, and the strict parse then says why. Member names are compared after escape decoding,
//! as the strict parser does.
//!
//! Most payloads are read by a byte scanner for plain JSON ([`fast`]), which gives up, leaving
//! the read to serde_json, on anything it does not know; both give the same answers, and only
//! the scanner proves strictness.
//!
//! [`read_until`] also stops reading as soon as the caller's judgement of the members read so
//! far is final (say, a wrong `iss`): the rest of the payload is then never scanned. What is
//! final is the caller's to say; the claim checks come before the strict parse in the
//! pipeline's order, so a payload refused this way may be malformed further on.
//!
//! The pipeline goes further: it decodes the payload in two steps (its first 216 bytes, then the
//! rest only if those did not settle the read) and gives them to a [`Reading`] of the fast path,
//! which resumes where it stopped, so a token refused for an early `iss` costs the decoding of
//! only its first bytes.
//!
//! Allowed imports: std, serde, serde_json, and `super::claims` (the trait the checks read
//! claims through).

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde_json::Value;

use super::claims::ClaimSource;

#[path = "claim_scan_fast.rs"]
mod fast;

pub use fast::{Reading, Step};

/// How many member names the fast read compares for repeats: a payload with more is not proven
/// strict (its members are still read), and the strict parse decides.
pub const NAMES_COMPARED: usize = 32;

/// The members read, by name, in the order of their slots in [`Members`] ([`Member::named`]
/// is the lookup, held to this table by a test).
const READ: [(&str, Member); 8] = [
    ("iss", Member::Iss),
    ("aud", Member::Aud),
    ("client_id", Member::ClientId),
    ("exp", Member::Exp),
    ("nbf", Member::Nbf),
    ("iat", Member::Iat),
    ("scp", Member::Scp),
    ("scope", Member::Scope),
];

/// One of the members the pipeline reads before the signature.
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
    /// `scp` (scopes, Okta's claim).
    Scp,
    /// `scope` (scopes, RFC 9068's claim).
    Scope,
}

impl Member {
    /// The read member called `name` (after escape decoding), if it is one: [`READ`] as a
    /// `match` (~22 instructions a name in bench/callgrind's `expired`, against ~44 for a search
    /// of the table comparing the name with each entry in turn; asked for every member of the
    /// payload and every claim a check looks up). A test holds the two to the same answers.
    fn named(name: &[u8]) -> Option<Self> {
        Some(match name {
            b"iss" => Member::Iss,
            b"aud" => Member::Aud,
            b"client_id" => Member::ClientId,
            b"exp" => Member::Exp,
            b"nbf" => Member::Nbf,
            b"iat" => Member::Iat,
            b"scp" => Member::Scp,
            b"scope" => Member::Scope,
            _ => return None,
        })
    }

    /// Whether the claim checks look at this member: the caller's judgement can change only
    /// after one of these is read, so it is asked only then.
    fn checked(self) -> bool {
        !matches!(self, Member::Scp | Member::Scope)
    }
}

/// The members read so far, each in its own slot: no map, and no member name is allocated.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Members([Option<Value>; READ.len()]);

impl Members {
    /// The member's value, if it has been read.
    pub fn get(&self, member: Member) -> Option<&Value> {
        self.0[member as usize].as_ref()
    }

    /// Whether `member` has been read.
    pub fn has(&self, member: Member) -> bool {
        self.0[member as usize].is_some()
    }
}

impl ClaimSource for Members {
    fn claim(&self, name: &str) -> Option<&Value> {
        self.get(Member::named(name.as_bytes())?)
    }
}

/// What [`read_until`] found.
#[derive(Debug)]
pub enum Read<E> {
    /// Every read member (the whole payload read).
    Members(Members),
    /// Every read member, and proof that the payload is a strict JSON object: plain JSON
    /// ([`fast`]'s subset, which has no escapes, no nested objects and only finite numbers) in
    /// which no member name repeats. [`super::strict_json::parse_object`] accepts it, with these
    /// members' values.
    Strict(Members),
    /// The judgement that was final before the end of the payload.
    Settled(E),
    /// Not readable quickly: the strict parse will say why.
    Unreadable,
}

/// Reads the members of `payload` the pipeline needs, asking `settled` after each one the claim
/// checks look at whether the members read so far already decide; its first `Some` stops the
/// read.
pub fn read_until<E>(payload: &[u8], mut settled: impl FnMut(&Members) -> Option<E>) -> Read<E> {
    read_plain(payload, &mut settled).unwrap_or_else(|| read_with_serde(payload, settled))
}

/// [`read_until`] by the byte scanner for plain JSON, or `None` where it gives up (see
/// [`fast`]). Public, with [`read_with_serde`], for the fuzz target that compares them.
pub fn read_plain<E>(payload: &[u8], settled: &mut impl FnMut(&Members) -> Option<E>) -> Option<Read<E>> {
    fast::read_until(payload, settled)
}

/// [`read_plain`], given the payload `piece` bytes at a time through a [`Reading`], as the
/// pipeline gives it the payload it decodes in blocks. Public for the fuzz target and the tests
/// that hold it to [`read_plain`]'s answer.
pub fn read_plain_in_pieces<E>(
    payload: &[u8],
    piece: usize,
    settled: &mut (impl FnMut(&Members) -> Option<E> + ?Sized),
) -> Option<Read<E>> {
    let mut reading = Reading::default();
    let mut end: usize = 0;
    loop {
        end = payload.len().min(end.saturating_add(piece.max(1)));
        let complete = end == payload.len();
        match reading.resume(payload.get(..end)?, complete, settled) {
            Step::Read(read) => return Some(read),
            Step::GaveUp => return None,
            // Never once complete (`resume` gives up then), but not a loop if it were.
            Step::Wanting if complete => return None,
            Step::Wanting => {}
        }
    }
}

/// [`read_until`] by serde_json: any JSON, at serde's cost, and never [`Read::Strict`].
pub fn read_with_serde<E>(payload: &[u8], settled: impl FnMut(&Members) -> Option<E>) -> Read<E> {
    let mut visitor = SubsetVisitor { settled, verdict: None };
    let mut deserializer = serde_json::Deserializer::from_slice(payload);
    let read = deserializer.deserialize_map(&mut visitor);
    match (read, visitor.verdict) {
        (_, Some(verdict)) => Read::Settled(verdict),
        (Ok(members), None) if deserializer.end().is_ok() => Read::Members(members),
        _ => Read::Unreadable,
    }
}

struct SubsetVisitor<F, E> {
    settled: F,
    verdict: Option<E>,
}

impl<'de, F, E> Visitor<'de> for &mut SubsetVisitor<F, E>
where
    F: FnMut(&Members) -> Option<E>,
{
    type Value = Members;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Self::Value, A::Error> {
        let mut members = Members::default();
        while let Some(Name(name)) = access.next_key::<Name>()? {
            match name {
                Some(member) => {
                    if members.has(member) {
                        return Err(de::Error::custom("duplicate member name"));
                    }
                    members.0[member as usize] = Some(access.next_value::<Value>()?);
                    if member.checked()
                        && let Some(verdict) = (self.settled)(&members)
                    {
                        // Stop here. serde_json then finds no closing brace where it expects
                        // one and fails the read, which the verdict overrides; returning an
                        // error of our own would format and allocate a second one.
                        self.verdict = Some(verdict);
                        return Ok(members);
                    }
                }
                None => {
                    access.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(members)
    }
}

/// A member name: one of [`READ`], or `None` for any other (not kept).
struct Name(Option<Member>);

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
        Ok(Name(Member::named(v.as_bytes())))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// The read members of `payload`, or `None` when it cannot be read quickly.
    fn read_members(payload: &[u8]) -> Option<Members> {
        match read_until(payload, |_| None::<()>) {
            Read::Members(members) | Read::Strict(members) => Some(members),
            Read::Settled(()) | Read::Unreadable => None,
        }
    }

    #[test]
    fn only_the_read_members_are_kept() {
        let got = read_members(
            br#"{"iss":"i","x":{"deep":[1,{"a":"b"}]},"aud":["a","b"],"exp":1.5,"nbf":null,"scope":"a b"}"#,
        )
        .unwrap();
        let read: Vec<(&str, Option<&Value>)> = READ.iter().map(|(name, m)| (*name, got.get(*m))).collect();
        let (aud, exp) = (serde_json::json!(["a", "b"]), serde_json::json!(1.5));
        let expected = [
            ("iss", Some(&Value::from("i"))),
            ("aud", Some(&aud)),
            ("client_id", None),
            ("exp", Some(&exp)),
            ("nbf", Some(&Value::Null)),
            ("iat", None),
            ("scp", None),
            ("scope", Some(&Value::from("a b"))),
        ];
        assert_eq!(read, expected);
        assert_eq!(got.claim("x"), None, "other members are not kept");
        assert_eq!(got.claim("aud"), got.get(Member::Aud), "claims are found by name");
    }

    #[test]
    fn the_read_stops_at_the_first_settled_judgement_and_never_sees_the_rest() {
        let mut asked = Vec::new();
        let read = read_until(br#"{"iss":"a","x":1,"scp":[],"aud":"b", this is not JSON"#, |m| {
            asked.push(READ.iter().filter(|(_, member)| m.has(*member)).count());
            assert!(m.has(Member::Iss) && !m.has(Member::Exp));
            m.has(Member::Aud).then_some("settled")
        });
        assert!(matches!(read, Read::Settled("settled")), "{read:?}");
        assert_eq!(asked, [1, 3], "asked after each checked member only (not after scp)");
        let unsettled = read_until(br#"{"iss":"a","aud":"b"} x"#, |_| None::<()>);
        assert!(matches!(unsettled, Read::Unreadable), "trailing bytes still count");
    }

    #[test]
    fn the_match_names_exactly_the_table_members() {
        for (name, member) in READ {
            assert_eq!(Member::named(name.as_bytes()), Some(member), "{name}");
            // A prefix, an extension and another case of a read name are other names.
            for other in [&name[..name.len() - 1], &format!("{name}x"), &name.to_uppercase()] {
                assert_eq!(Member::named(other.as_bytes()), None, "{other}");
            }
        }
        let members: Vec<Member> = READ.iter().map(|(_, member)| *member).collect();
        for (i, member) in members.iter().enumerate() {
            assert_eq!(*member as usize, i, "a member's slot is its place in READ");
        }
        assert_eq!(Member::named(b""), None);
    }

    #[test]
    fn escaped_names_are_the_names_they_spell() {
        let got = read_members(br#"{"\u0069ss":"i"}"#).unwrap();
        assert_eq!(got.get(Member::Iss), Some(&Value::from("i")));
    }

    #[test]
    fn unreadable_payloads_leave_the_decision_to_the_strict_parse() {
        for bad in [
            &br#"{"exp":1,"exp":2}"#[..],
            br#"{"scp":[],"scp":["a"]}"#,
            br#"{"iss":"a","\u0069ss":"b"}"#,
            b"[1]",
            b"{",
            b"",
            br#"{"exp":1} x"#,
        ] {
            assert!(read_members(bad).is_none(), "{}", String::from_utf8_lossy(bad));
        }
    }
}
