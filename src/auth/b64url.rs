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

/// Decodes `text`.
///
/// # Errors
/// [`Invalid`], naming the first problem found.
pub fn decode(text: &str) -> Result<Vec<u8>, Invalid> {
    let bytes = text.as_bytes();
    let tail_len = bytes.len() % 4;
    if tail_len == 1 {
        return Err(Invalid::Length);
    }
    let (body, tail) = bytes.split_at(bytes.len() - tail_len);
    // Room for the tail's bytes too: pushing them must not reallocate (and copy) the rest.
    let mut out = Vec::with_capacity(body.len() / 4 * 3 + 2);
    out.resize(body.len() / 4 * 3, 0);
    // An invalid byte sets INVALID: it shows in the OR of all groups, checked once at the end,
    // so the loop has no branch but its own.
    let mut seen = 0;
    let [first, second, third, fourth] = &SHIFTED;
    for (src, dst) in body.chunks_exact(4).zip(out.chunks_exact_mut(3)) {
        if let ([a, b, c, d], [x, y, z]) = (src, dst) {
            let n = first[usize::from(*a)] | second[usize::from(*b)] | third[usize::from(*c)] | fourth[usize::from(*d)];
            seen |= n;
            *x = (n >> 16) as u8;
            *y = (n >> 8) as u8;
            *z = n as u8;
        }
    }
    if seen & INVALID != 0 {
        return Err(Invalid::Byte(first_invalid(body)));
    }
    let at = body.len();
    match *tail {
        [] => {}
        [a, b] => {
            let (a, b) = (value(a), value(b));
            if (a | b) > 63 {
                return Err(Invalid::Byte(at + first_invalid(tail)));
            }
            if b & 0x0F != 0 {
                return Err(Invalid::TrailingBits);
            }
            out.push((a << 2 | b >> 4) as u8);
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
            out.extend_from_slice(&[(n >> 16) as u8, (n >> 8) as u8]);
        }
        _ => return Err(Invalid::Length),
    }
    Ok(out)
}

fn first_invalid(chunk: &[u8]) -> usize {
    chunk.iter().position(|b| value(*b) > 63).unwrap_or(0)
}

#[cfg(test)]
#[path = "b64url_tests.rs"]
mod tests;
