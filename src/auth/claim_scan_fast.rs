//! The quick read's fast path: a byte scanner for the payloads issuers actually write, which
//! reads the checked members without serde's generic machinery (about a third of the
//! instructions of the serde read on an Okta-like payload).
//!
//! It reads only a plain subset of JSON: member names and strings of printable ASCII without
//! escapes, integers of at most 18 digits without a sign, `true`, `false`, `null`, and arrays of
//! these (one level). Anything else before the read is decided (an escape, a non-ASCII byte, a
//! fraction, an exponent, a negative number, a nested object, a duplicate checked member, any
//! syntax error) makes it give up and return `None`, and the serde read then does the whole
//! work. So whenever it answers, the answer is the serde read's: the same members with the
//! same values, the same questions to `settled`, the same verdict. A test and a fuzz target
//! hold it to that.
//!
//! Read to the end, such a payload breaks none of the strict parse's rules but one: in this
//! subset every string is valid text without escapes, every number finite, and there is no
//! nested object, so only a member name that repeats at the top could make the strict parse
//! refuse it. The scanner compares each name with those before it (up to
//! [`super::NAMES_COMPARED`] of them) and, when none repeats, answers [`Read::Strict`]: the
//! pipeline then need not parse it.
//!
//! Allowed imports: std, memchr, serde_json (`Value`), and `super` (the members and the read's
//! outcome).

use serde_json::Value;

use super::{Member, Members, NAMES_COMPARED as NAMES, Read};

/// The read of `payload`, or `None` when it leaves the plain subset before it is decided.
pub(super) fn read_until<E>(
    payload: &[u8],
    settled: &mut (impl FnMut(&Members) -> Option<E> + ?Sized),
) -> Option<Read<E>> {
    match Reading::default().resume(payload, true, settled) {
        Step::Read(read) => Some(read),
        Step::GaveUp | Step::Wanting => None,
    }
}

/// What [`Reading::resume`] came to. Matched at once by the caller, never stored: the members'
/// size is not worth a box's allocation.
#[derive(Debug)]
#[allow(clippy::large_enum_variant)]
pub enum Step<E> {
    /// The read's answer.
    Read(Read<E>),
    /// The payload so far leaves the plain subset: the serde read must do it all.
    GaveUp,
    /// The bytes so far do not decide: resume with more of them.
    Wanting,
}

/// A read that may be given a payload a piece at a time (the pipeline decodes it a block at a
/// time, and stops decoding once the read is settled).
///
/// It keeps its place at the last member boundary: after the `{`, after a `,` or after a
/// member's value. A member is taken into account (kept, its name noted, `settled` asked) only
/// once its value has been read whole and something follows it, so a read resumed on more bytes
/// goes on exactly as one given them all at once would have: it reads the same bytes in the same
/// way, and nothing of a member cut short by the end of the bytes so far counts twice.
#[derive(Debug, Default)]
pub struct Reading {
    at: usize,
    place: Place,
    members: Members,
    names: Names,
}

/// Where a [`Reading`] stands, at `at`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum Place {
    /// Before the opening `{`.
    #[default]
    Open,
    /// Before a member: after the `{` and at least one member follows, or after a `,`.
    Member,
    /// After a member's value.
    Value,
    /// After the closing `}`.
    Closed,
}

impl Reading {
    /// Reads on from where the last call stopped, over `bytes`: the payload's first bytes (all of
    /// it when `complete`), which begin with those given before.
    pub fn resume<E>(
        &mut self,
        bytes: &[u8],
        complete: bool,
        settled: &mut (impl FnMut(&Members) -> Option<E> + ?Sized),
    ) -> Step<E> {
        match self.read(bytes, complete, settled) {
            Some(step) => step,
            None if complete => Step::GaveUp,
            None => Step::Wanting,
        }
    }

    /// `None` where the bytes end or leave the plain subset; the reading keeps its last place.
    fn read<E>(
        &mut self,
        bytes: &[u8],
        complete: bool,
        settled: &mut (impl FnMut(&Members) -> Option<E> + ?Sized),
    ) -> Option<Step<E>> {
        let mut scan = Scanner { bytes, at: self.at };
        loop {
            scan.skip_whitespace();
            self.place = match self.place {
                Place::Open => {
                    scan.eat(b'{')?;
                    scan.skip_whitespace();
                    // A member or the `}`: which, the bytes so far must show.
                    bytes.get(scan.at)?;
                    match scan.eat(b'}') {
                        Some(()) => Place::Closed,
                        None => Place::Member,
                    }
                }
                Place::Member => {
                    let name_at = scan.at + 1;
                    let name = scan.string()?;
                    scan.skip_whitespace();
                    scan.eat(b':')?;
                    scan.skip_whitespace();
                    let member = Member::named(name);
                    let value = match member {
                        Some(_) => Some(scan.value()?),
                        None => scan.skip_value().map(|()| None)?,
                    };
                    // Something must follow: a number cut short by the end of the bytes so far
                    // would be read as a smaller one.
                    bytes.get(scan.at)?;
                    self.names.note(bytes, name_at, name);
                    if let (Some(member), Some(value)) = (member, value) {
                        if self.members.has(member) {
                            return Some(Step::GaveUp);
                        }
                        self.members.0[member as usize] = Some(value);
                        if member.checked()
                            && let Some(verdict) = settled(&self.members)
                        {
                            return Some(Step::Read(Read::Settled(verdict)));
                        }
                    }
                    Place::Value
                }
                Place::Value => match scan.next()? {
                    b',' => Place::Member,
                    b'}' => Place::Closed,
                    _ => return Some(Step::GaveUp),
                },
                Place::Closed => {
                    if !complete {
                        return None;
                    }
                    if scan.at != bytes.len() {
                        return Some(Step::GaveUp);
                    }
                    let members = std::mem::take(&mut self.members);
                    return Some(Step::Read(match self.names.distinct {
                        true => Read::Strict(members),
                        false => Read::Members(members),
                    }));
                }
            };
            self.at = scan.at;
        }
    }
}

/// The member names read so far, by their place (offset and length) in the payload, each beside a key of its length
/// and first bytes (a name is compared only with those whose key is its own), and whether all of
/// them differ.
#[derive(Debug)]
struct Names {
    keys: [u64; NAMES],
    places: [(usize, usize); NAMES],
    count: usize,
    distinct: bool,
}

impl Default for Names {
    fn default() -> Self {
        Self {
            keys: [0; NAMES],
            places: [(0, 0); NAMES],
            count: 0,
            distinct: true,
        }
    }
}

impl Names {
    /// Notes `name`, found at `from` in `payload`.
    #[inline]
    fn note(&mut self, payload: &[u8], from: usize, name: &[u8]) {
        if !self.distinct {
            return;
        }
        let key = name
            .iter()
            .take(7)
            .enumerate()
            .fold(name.len() as u64 & 0xff, |key, (i, b)| {
                key | u64::from(*b) << (8 * (i + 1))
            });
        let count = self.count;
        let seen = self.keys.get(..count).unwrap_or_default();
        // The names themselves are compared only when their keys are equal.
        let repeated = seen
            .iter()
            .zip(&self.places)
            .any(|(k, (at, len))| *k == key && payload.get(*at..at + len) == Some(name));
        match (repeated, self.keys.get_mut(count), self.places.get_mut(count)) {
            (false, Some(k), Some(p)) => {
                (*k, *p) = (key, (from, name.len()));
                self.count = count + 1;
            }
            // A repeat, or more names than are compared: not proven strict.
            _ => self.distinct = false,
        }
    }
}

struct Scanner<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Scanner<'a> {
    fn next(&mut self) -> Option<u8> {
        let byte = *self.bytes.get(self.at)?;
        self.at += 1;
        Some(byte)
    }

    fn eat(&mut self, expected: u8) -> Option<()> {
        (self.bytes.get(self.at) == Some(&expected)).then(|| self.at += 1)
    }

    fn skip_whitespace(&mut self) {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.bytes.get(self.at) {
            self.at += 1;
        }
    }

    /// A string of printable ASCII without escapes, without its quotes: the closing quote found
    /// by `memchr`, then every byte tested in one fold that vectorizes (as `i8`, a byte below
    /// 0x20 or above 0x7f is one signed compare).
    fn string(&mut self) -> Option<&'a [u8]> {
        self.eat(b'"')?;
        let rest = self.bytes.get(self.at..)?;
        let text = rest.get(..memchr::memchr(b'"', rest)?)?;
        let odd = text.iter().fold(0u8, |odd, b| {
            odd | u8::from((*b as i8) < 0x20) | u8::from(*b == 0x7f) | u8::from(*b == b'\\')
        });
        if odd != 0 {
            return None;
        }
        self.at += text.len() + 1;
        Some(text)
    }

    /// A value of the plain subset; arrays only at the top (of a member).
    fn value(&mut self) -> Option<Value> {
        if self.eat(b'[').is_none() {
            return self.scalar();
        }
        let mut items = Vec::new();
        self.array_items(|scan| scan.scalar().map(|item| items.push(item)))?;
        Some(Value::Array(items))
    }

    /// [`Self::value`] read and dropped, without building its strings.
    fn skip_value(&mut self) -> Option<()> {
        match self.eat(b'[') {
            Some(()) => self.array_items(Self::skip_scalar),
            None => self.skip_scalar(),
        }
    }

    /// The items of an array after its `[`, through its `]`, each read by `item`.
    fn array_items(&mut self, mut item: impl FnMut(&mut Self) -> Option<()>) -> Option<()> {
        self.skip_whitespace();
        if self.eat(b']').is_some() {
            return Some(());
        }
        loop {
            item(self)?;
            self.skip_whitespace();
            match self.next()? {
                b',' => self.skip_whitespace(),
                b']' => return Some(()),
                _ => return None,
            }
        }
    }

    fn skip_scalar(&mut self) -> Option<()> {
        match self.bytes.get(self.at)? {
            b'"' => self.string().map(drop),
            _ => self.scalar().map(drop),
        }
    }

    fn scalar(&mut self) -> Option<Value> {
        match *self.bytes.get(self.at)? {
            b'"' => {
                let text = std::str::from_utf8(self.string()?).ok()?;
                Some(Value::String(text.to_owned()))
            }
            b'0'..=b'9' => self.integer(),
            b't' => self.literal(b"true", Value::Bool(true)),
            b'f' => self.literal(b"false", Value::Bool(false)),
            b'n' => self.literal(b"null", Value::Null),
            _ => None,
        }
    }

    /// Digits only (no sign, fraction or exponent), at most 18 of them, no leading zero: a
    /// `u64` exactly as serde_json reads it.
    fn integer(&mut self) -> Option<Value> {
        let rest = self.bytes.get(self.at..)?;
        let len = rest.iter().position(|b| !b.is_ascii_digit()).unwrap_or(rest.len());
        let digits = rest.get(..len)?;
        let follows_number = matches!(rest.get(len), Some(b'.' | b'e' | b'E'));
        if len > 18 || follows_number || (len > 1 && digits.first() == Some(&b'0')) {
            return None;
        }
        let n = digits.iter().fold(0u64, |n, d| n * 10 + u64::from(d - b'0'));
        self.at += len;
        Some(Value::from(n))
    }

    fn literal(&mut self, word: &[u8], value: Value) -> Option<Value> {
        let end = self.at + word.len();
        (self.bytes.get(self.at..end) == Some(word)).then(|| {
            self.at = end;
            value
        })
    }
}

#[cfg(test)]
#[path = "claim_scan_fast_tests.rs"]
mod tests;
