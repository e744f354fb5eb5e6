//! Fuzzes the quick claim read's fast path against its serde read and the strict parse.
//!
//! Input: byte 0 says after how many questions `settled` answers (0: never; its low 3 bits) and
//! in how many bytes at a time the payload is also given to a resumed read (its high 5 bits, plus
//! one); the rest is the payload. Properties beyond "no panic": whenever the fast path answers,
//! its answer is the serde read's (the same members at every question to `settled`, the same
//! outcome), except that it may prove the payload strict; it does exactly when the strict parse
//! accepts the payload (with at most `NAMES_COMPARED` members, the most it compares), which is
//! what lets the pipeline skip that parse; and a read given the payload piece by piece (as the
//! pipeline gives it the decoded payload) asks and answers exactly as one given it whole.
#![no_main]

use libfuzzer_sys::fuzz_target;
use portcullis::auth::claim_scan::{
    Members, NAMES_COMPARED, Read, read_plain, read_plain_in_pieces, read_with_serde,
};
use portcullis::auth::strict_json::parse_object;

/// How a read is made.
enum How {
    Fast,
    FastInPieces(usize),
    Serde,
}

fn observed(payload: &[u8], stop_at: usize, how: How) -> Option<(Vec<Members>, Read<usize>)> {
    let mut asked = Vec::new();
    let mut settled = |m: &Members| {
        asked.push(m.clone());
        (asked.len() == stop_at).then_some(asked.len())
    };
    let outcome: Read<usize> = match how {
        How::Fast => read_plain(payload, &mut settled)?,
        How::FastInPieces(piece) => read_plain_in_pieces(payload, piece, &mut settled)?,
        How::Serde => read_with_serde(payload, &mut settled),
    };
    Some((asked, outcome))
}

fuzz_target!(|data: &[u8]| {
    let Some((&stop, payload)) = data.split_first() else {
        return;
    };
    let stop_at = usize::from(stop % 8);
    let whole = observed(payload, stop_at, How::Fast);
    let pieces = observed(payload, stop_at, How::FastInPieces(usize::from(stop / 8) + 1));
    assert_eq!(format!("{pieces:?}"), format!("{whole:?}"), "read piece by piece");
    let Some((asked, fast)) = whole else {
        return;
    };
    let shown = String::from_utf8_lossy(payload);
    let proven = matches!(fast, Read::Strict(_));
    if let Read::Members(_) | Read::Strict(_) = fast {
        let accepted = parse_object(payload).is_ok_and(|map| map.len() <= NAMES_COMPARED);
        assert_eq!(proven, accepted, "proven strict exactly when the strict parse accepts {shown:?}");
    }
    let fast = match fast {
        Read::Strict(members) => Read::Members(members),
        other => other,
    };
    let serde = observed(payload, stop_at, How::Serde).map(|(a, o)| (a, format!("{o:?}")));
    assert_eq!(Some((asked, format!("{fast:?}"))), serde, "payload {shown:?}");
});
