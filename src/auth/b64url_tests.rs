//! The decoder accepts and decodes exactly what the `base64` crate's strict URL_SAFE_NO_PAD
//! engine does, on every length and on near-valid inputs.
#![allow(clippy::unwrap_used)]

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use super::*;
use crate::test_rng::Rng;

#[test]
fn every_encoding_round_trips() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for len in 0..200 {
        let bytes: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        let text = URL_SAFE_NO_PAD.encode(&bytes);
        assert_eq!(decode(&text), Ok(bytes), "{text}");
    }
}

#[test]
fn accepts_and_refuses_exactly_what_the_base64_crate_does() {
    // Mostly valid characters, with the usual suspects mixed in.
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let suspects = b"=+/ \n.\x00\xff";
    let mut rng = Rng(0x0123_4567_89AB_CDEF);
    let (mut accepted, mut refused) = (0, 0);
    for _ in 0..20_000 {
        let len = rng.below(24);
        let mut text: Vec<u8> = (0..len).map(|_| alphabet[rng.below(64)]).collect();
        if len > 0 && rng.below(4) == 0 {
            let at = rng.below(len);
            text[at] = suspects[rng.below(suspects.len())];
        }
        let Ok(text) = String::from_utf8(text) else {
            continue;
        };
        let ours = decode(&text);
        let theirs = URL_SAFE_NO_PAD.decode(&text);
        assert_eq!(
            ours.as_ref().ok(),
            theirs.as_ref().ok(),
            "{text:?}: {ours:?} vs {theirs:?}"
        );
        match ours {
            Ok(_) => accepted += 1,
            Err(_) => refused += 1,
        }
    }
    assert!(
        accepted > 5_000 && refused > 5_000,
        "{accepted} accepted, {refused} refused"
    );
}

#[test]
fn names_what_is_wrong() {
    assert_eq!(decode("abcde"), Err(Invalid::Length));
    assert_eq!(decode("ab=c"), Err(Invalid::Byte(2)));
    assert_eq!(decode("abcdab+"), Err(Invalid::Byte(6)));
    assert_eq!(decode("QR"), Err(Invalid::TrailingBits), "Q=16: low bits of R set");
    assert_eq!(decode("QQ"), Ok(b"A".to_vec()));
    assert_eq!(decode("QUI"), Ok(b"AB".to_vec()));
    assert_eq!(decode("QUJ"), Err(Invalid::TrailingBits));
    assert_eq!(decode(""), Ok(Vec::new()));
}
