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

/// Every way of decoding a segment a block at a time, stopping anywhere and judging the rest,
/// names what [`decode`] names: the quick claim read may stop early without changing which
/// error a token gets.
#[test]
fn a_gradual_decoding_stopped_anywhere_judges_the_segment_as_decode_does() {
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let suspects = b"=+/ \n.\x00\x7f@[`{:/";
    let mut rng = Rng(0x5DEE_CE66_D1CE_4E5B);
    let mut refused = 0;
    for _ in 0..5_000 {
        let len = rng.below(80);
        let mut text: Vec<u8> = (0..len).map(|_| alphabet[rng.below(64)]).collect();
        if len > 0 && rng.below(3) == 0 {
            let at = rng.below(len);
            text[at] = suspects[rng.below(suspects.len())];
        }
        let text = String::from_utf8(text).unwrap();
        let whole = decode(&text);
        refused += usize::from(whole.is_err());
        for block in [4, 8, 12, 64] {
            for stop_after in 0..=len / block + 1 {
                let judged = (|| {
                    let mut gradual = Gradual::new(&text)?;
                    for _ in 0..stop_after {
                        gradual.more(block)?;
                    }
                    let prefix = gradual.decoded().to_vec();
                    gradual.check_rest()?;
                    let rest = gradual.finish()?;
                    assert!(rest.starts_with(&prefix), "{text:?}: blocks extend what was decoded");
                    Ok(rest)
                })();
                assert_eq!(judged, whole, "{text:?}, {stop_after} blocks of {block}");
            }
        }
    }
    assert!(refused > 1_000, "{refused} refused");
}

#[test]
fn a_gradual_decoding_says_when_it_is_complete() {
    let mut gradual = Gradual::new("QUJDREVG").unwrap();
    assert!(!gradual.is_complete());
    gradual.more(4).unwrap();
    assert_eq!((gradual.decoded(), gradual.is_complete()), (&b"ABC"[..], false));
    gradual.more(4).unwrap();
    assert_eq!((gradual.decoded(), gradual.is_complete()), (&b"ABCDEF"[..], true));
    let mut tail_only = Gradual::new("QQ").unwrap();
    tail_only.more(4).unwrap();
    assert_eq!((tail_only.decoded(), tail_only.is_complete()), (&b"A"[..], true));
    assert_eq!(Gradual::new("QUJDR").err(), Some(Invalid::Length));
}

#[test]
fn only_the_alphabet_is_inside_it() {
    for b in 0..=255u8 {
        assert_eq!(outside(b), VALUES[usize::from(b)] == NO, "{b:#04x}");
    }
}
