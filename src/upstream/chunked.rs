//! Decoding a `transfer-encoding: chunked` response body (RFC 9112 §7.1), as a pure state
//! machine over the connection's read buffer.
//!
//! Invariants: strict: chunk sizes are 1–16 hex digits, lines end in CRLF, each chunk's data is
//! followed by CRLF; a size line (with extensions) is at most [`MAX_LINE`] bytes and the trailer
//! section at most [`MAX_TRAILERS`] bytes. Anything else is an error, so a hostile backend cannot
//! smuggle a second response into a pooled connection. Extensions and trailers are read and
//! dropped.
//!
//! May import: std, bytes.

use bytes::{Bytes, BytesMut};

/// The longest chunk-size line accepted (extensions included).
pub const MAX_LINE: usize = 4096;
/// The largest trailer section accepted.
pub const MAX_TRAILERS: usize = 64 * 1024;

/// One step of decoding.
#[derive(Debug, PartialEq, Eq)]
pub enum Decoded {
    /// Body bytes.
    Data(Bytes),
    /// The buffer holds no complete next step: read more.
    NeedMore,
    /// The body ended (last chunk and trailers consumed).
    End,
}

/// The decoder's position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Chunked {
    /// Expecting a chunk-size line.
    Size,
    /// Inside a chunk's data, with this many bytes to go.
    Data(u64),
    /// Expecting the CRLF after a chunk's data.
    DataEnd,
    /// Reading trailer lines; bytes read so far.
    Trailers(usize),
    /// Done.
    Done,
}

impl Chunked {
    /// Decodes what `buf` allows, consuming it.
    ///
    /// # Errors
    /// Malformed framing, with a short description.
    pub fn decode(&mut self, buf: &mut BytesMut) -> Result<Decoded, &'static str> {
        loop {
            match self {
                Self::Size => {
                    let Some(line) = take_line(buf, MAX_LINE)? else {
                        return Ok(Decoded::NeedMore);
                    };
                    let size = chunk_size(&line)?;
                    *self = if size == 0 { Self::Trailers(0) } else { Self::Data(size) };
                }
                Self::Data(left) => {
                    if buf.is_empty() {
                        return Ok(Decoded::NeedMore);
                    }
                    let n = usize::try_from(*left).unwrap_or(usize::MAX).min(buf.len());
                    let data = buf.split_to(n).freeze();
                    *left -= n as u64;
                    if *left == 0 {
                        *self = Self::DataEnd;
                    }
                    return Ok(Decoded::Data(data));
                }
                Self::DataEnd => {
                    if buf.len() < 2 {
                        return Ok(Decoded::NeedMore);
                    }
                    if buf[..2] != *b"\r\n" {
                        return Err("chunk data not followed by CRLF");
                    }
                    let _ = buf.split_to(2);
                    *self = Self::Size;
                }
                Self::Trailers(seen) => {
                    let room = MAX_TRAILERS.saturating_sub(*seen);
                    let Some(line) = take_line(buf, room).map_err(|_| "trailer section too large")? else {
                        return Ok(Decoded::NeedMore);
                    };
                    if line.is_empty() {
                        *self = Self::Done;
                        return Ok(Decoded::End);
                    }
                    *seen += line.len() + 2;
                }
                Self::Done => return Ok(Decoded::End),
            }
        }
    }
}

/// The next CRLF-terminated line (without the CRLF), or None when incomplete.
fn take_line(buf: &mut BytesMut, max: usize) -> Result<Option<BytesMut>, &'static str> {
    match buf.windows(2).position(|w| w == b"\r\n") {
        Some(end) if end > max => Err("chunk line too long"),
        Some(end) => {
            let line = buf.split_to(end);
            let _ = buf.split_to(2);
            Ok(Some(line))
        }
        None if buf.len() > max + 1 => Err("chunk line too long"),
        None => Ok(None),
    }
}

/// `1*HEXDIG [ BWS ";" chunk-ext ]`: the extensions are not interpreted, but may not hold a
/// bare CR or LF.
fn chunk_size(line: &[u8]) -> Result<u64, &'static str> {
    let digits = line.iter().take_while(|b| b.is_ascii_hexdigit()).count();
    if digits == 0 || digits > 16 {
        return Err("invalid chunk size");
    }
    let rest = &line[digits..];
    let rest_ok = rest.is_empty() || rest.trim_ascii_start().first() == Some(&b';');
    if !rest_ok || rest.iter().any(|b| *b == b'\r' || *b == b'\n') {
        return Err("invalid chunk size line");
    }
    line[..digits].iter().try_fold(0u64, |n, d| {
        let v = char::from(*d).to_digit(16).ok_or("invalid chunk size")?;
        n.checked_mul(16)
            .and_then(|n| n.checked_add(u64::from(v)))
            .ok_or("chunk size overflows")
    })
}

#[cfg(test)]
#[path = "chunked_tests.rs"]
mod tests;
