//! Strict base64url without padding (RFC 7515 §2, RFC 4648 §5), decoded with one table lookup
//! per character: every token's payload and signature go through here, so it is written for
//! speed, and it accepts exactly what the `base64` crate's `URL_SAFE_NO_PAD` engine accepts
//! (pinned by a differential test).
//!
//! Refused: any byte outside `A–Z a–z 0–9 - _` (so `=`, `+`, `/` and whitespace), a length of
//! 1 modulo 4, and non-zero trailing bits in the last character (non-canonical encodings, so one
//! byte string has exactly one encoding).
//!
//! Allowed imports: std only.

use std::fmt;

/// Why a segment is not strict base64url.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Invalid {
    /// A byte outside the alphabet, at this offset.
    Byte(usize),
    /// The length is 1 modulo 4: no byte string encodes to it.
    Length,
    /// The last character carries bits beyond the encoded bytes.
    TrailingBits,
}

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Byte(at) => write!(f, "invalid byte at offset {at}"),
            Self::Length => f.write_str("invalid length"),
            Self::TrailingBits => f.write_str("non-zero trailing bits"),
        }
    }
}

/// Not a base64url character (any value with the top bits set).
const NO: u8 = 0xFF;

const fn values() -> [u8; 256] {
    let mut table = [NO; 256];
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut i = 0;
    while i < 64 {
        table[alphabet[i] as usize] = i as u8;
        i += 1;
    }
    table
}

/// The 6-bit value of each byte, or [`NO`].
static VALUES: [u8; 256] = values();

/// Set, in [`SHIFTED`], for a byte outside the alphabet: above the 24 bits four characters
/// decode to, so one test of a whole segment's OR finds any.
const INVALID: u32 = 1 << 31;

/// Each byte's value already shifted to its place in a group of four characters (first,
/// second, third, fourth), or [`INVALID`]: a group decodes with four loads and three ORs.
static SHIFTED: [[u32; 256]; 4] = [shifted(18), shifted(12), shifted(6), shifted(0)];

const fn shifted(by: u32) -> [u32; 256] {
    let values = values();
    let mut table = [INVALID; 256];
    let mut i = 0;
    while i < 256 {
        if values[i] != NO {
            table[i] = (values[i] as u32) << by;
        }
        i += 1;
    }
    table
}

fn value(byte: u8) -> u32 {
    u32::from(VALUES[usize::from(byte)])
}

/// Decodes `text` (bytes: a token reaches the gateway as a header's bytes, never checked as
/// UTF-8, and base64url's alphabet is ASCII).
///
/// # Errors
/// [`Invalid`], naming the first problem found.
pub fn decode<T: AsRef<[u8]> + ?Sized>(text: &T) -> Result<Vec<u8>, Invalid> {
    Gradual::new(text)?.finish()
}

/// A segment decoded a block at a time, for a reader that may have read enough before the end
/// (the quick claim read: a wrong issuer is certain after a few dozen bytes of the payload).
/// [`Gradual::check_rest`] then judges what was not decoded, without decoding it, so a segment
/// is refused for exactly what [`decode`] refuses it for, whatever was read of it.
#[derive(Debug)]
pub struct Gradual<'t> {
    /// Whole groups of four characters.
    body: &'t [u8],
    /// The last zero, two or three characters.
    tail: &'t [u8],
    /// How many characters of `body` are decoded.
    next: usize,
    /// The whole segment's bytes, zeroed at first: one allocation, no block resizes it.
    out: Vec<u8>,
    /// How many bytes of `out` are decoded.
    len: usize,
}

impl<'t> Gradual<'t> {
    /// A decoding of `text`, nothing decoded yet.
    ///
    /// # Errors
    /// [`Invalid::Length`], which the length alone decides.
    pub fn new<T: AsRef<[u8]> + ?Sized>(text: &'t T) -> Result<Self, Invalid> {
        let bytes = text.as_ref();
        let tail_len = bytes.len() % 4;
        if tail_len == 1 {
            return Err(Invalid::Length);
        }
        let (body, tail) = bytes.split_at(bytes.len() - tail_len);
        let len = body.len() / 4 * 3 + tail_len.saturating_sub(1);
        #[expect(
            clippy::slow_vector_initialization,
            reason = "measured: `vec![0; n]` is glibc's calloc, a slower path than a malloc and a memset (+190 instructions)"
        )]
        let mut out = Vec::with_capacity(len);
        out.resize(len, 0);
        Ok(Self {
            body,
            tail,
            next: 0,
            out,
            len: 0,
        })
    }

    /// The bytes decoded so far.
    pub fn decoded(&self) -> &[u8] {
        self.out.get(..self.len).unwrap_or_default()
    }

    /// Whether the whole segment is decoded: `out` is sized for all of it, tail included.
    pub fn is_complete(&self) -> bool {
        self.len == self.out.len()
    }

    /// Decodes about `chars` more characters (whole groups of four, at least one); with the
    /// body's last group, the tail too.
    ///
    /// # Errors
    /// [`Invalid`], naming the first problem in what this call decoded.
    pub fn more(&mut self, chars: usize) -> Result<(), Invalid> {
        let from = self.next;
        let to = self.body.len().min(from.saturating_add(chars.max(4) & !3));
        let block = self.body.get(from..to).unwrap_or_default();
        let out = self.out.get_mut(self.len..).unwrap_or_default();
        // An invalid byte sets INVALID: it shows in the OR of all groups, checked once at the
        // end, so the loop has no branch but its own.
        let mut seen = 0;
        let [first, second, third, fourth] = &SHIFTED;
        for (src, dst) in block.chunks_exact(4).zip(out.chunks_exact_mut(3)) {
            if let ([a, b, c, d], [x, y, z]) = (src, dst) {
                let n =
                    first[usize::from(*a)] | second[usize::from(*b)] | third[usize::from(*c)] | fourth[usize::from(*d)];
                seen |= n;
                *x = (n >> 16) as u8;
                *y = (n >> 8) as u8;
                *z = n as u8;
            }
        }
        if seen & INVALID != 0 {
            return Err(Invalid::Byte(from + first_invalid(block)));
        }
        self.next = to;
        self.len += block.len() / 4 * 3;
        if to == self.body.len() && !self.is_complete() {
            let (bytes, len) = decode_tail(self.tail, to)?;
            if let (Some(out), Some(bytes)) = (self.out.get_mut(self.len..), bytes.get(..len)) {
                out.copy_from_slice(bytes);
            }
            self.len += len;
        }
        Ok(())
    }

    /// Judges the characters not decoded yet, without decoding them: the error [`decode`] would
    /// name for them, if any. Cheaper than decoding (one fold that vectorizes).
    ///
    /// # Errors
    /// As [`Gradual::more`] on the rest.
    pub fn check_rest(&self) -> Result<(), Invalid> {
        let rest = self.body.get(self.next..).unwrap_or_default();
        if rest.iter().fold(false, |odd, b| odd | outside(*b)) {
            return Err(Invalid::Byte(self.next + first_invalid(rest)));
        }
        match self.is_complete() {
            true => Ok(()),
            false => decode_tail(self.tail, self.body.len()).map(drop),
        }
    }

    /// The whole segment, decoded.
    ///
    /// # Errors
    /// As [`Gradual::more`] on the rest.
    pub fn finish(mut self) -> Result<Vec<u8>, Invalid> {
        self.more(usize::MAX)?;
        Ok(self.out)
    }
}

/// Whether a byte is outside the alphabet, by arithmetic rather than [`VALUES`], so that a fold
/// over a segment vectorizes.
fn outside(b: u8) -> bool {
    let letter = (b | 0x20).wrapping_sub(b'a') < 26;
    let digit = b.wrapping_sub(b'0') < 10;
    !(letter | digit | (b == b'-') | (b == b'_'))
}

/// The bytes the last zero, two or three characters (`tail`, at offset `at`) decode to, and how
/// many.
fn decode_tail(tail: &[u8], at: usize) -> Result<([u8; 2], usize), Invalid> {
    match *tail {
        [] => Ok(([0; 2], 0)),
        [a, b] => {
            let (a, b) = (value(a), value(b));
            if (a | b) > 63 {
                return Err(Invalid::Byte(at + first_invalid(tail)));
            }
            if b & 0x0F != 0 {
                return Err(Invalid::TrailingBits);
            }
            Ok(([(a << 2 | b >> 4) as u8, 0], 1))
        }
        [a, b, c] => {
            let (a, b, c) = (value(a), value(b), value(c));
            if (a | b | c) > 63 {
                return Err(Invalid::Byte(at + first_invalid(tail)));
            }
            if c & 0x03 != 0 {
                return Err(Invalid::TrailingBits);
            }
            let n = a << 18 | b << 12 | c << 6;
            Ok(([(n >> 16) as u8, (n >> 8) as u8], 2))
        }
        _ => Err(Invalid::Length),
    }
}

fn first_invalid(chunk: &[u8]) -> usize {
    chunk.iter().position(|b| value(*b) > 63).unwrap_or(0)
}

#[cfg(test)]
#[path = "b64url_tests.rs"]
mod tests;
