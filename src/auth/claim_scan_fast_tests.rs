//! The fast path answers exactly as the serde read, or not at all; it proves a payload strict
//! exactly when the strict parse accepts it (up to `NAMES` members).
//! Allowed imports: std, serde_json, the claim scan and the strict parse.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::super::super::strict_json::parse_object;
use super::super::{Member, Members, NAMES_COMPARED as NAMES, READ, Read, read_plain_in_pieces, read_with_serde};
use super::read_until;

/// What a read told its caller: each question to `settled` (the members read by then) and
/// the outcome, `Settled` carrying how many questions were asked.
fn observed(
    read: impl FnOnce(&mut dyn FnMut(&Members) -> Option<usize>) -> Option<Read<usize>>,
    stop_at: usize,
) -> Option<(Vec<Members>, Read<usize>)> {
    let mut asked = Vec::new();
    let mut settled = |m: &Members| {
        asked.push(m.clone());
        (asked.len() == stop_at).then_some(asked.len())
    };
    let outcome = read(&mut settled)?;
    Some((asked, outcome))
}

/// Checks one payload: when the fast path answers, it is the serde read's answer (a payload
/// proven strict aside, which the serde read never proves), and it proves the payload strict
/// exactly when the strict parse accepts it.
fn agree(payload: &[u8], stop_at: usize) -> bool {
    let shown = String::from_utf8_lossy(payload);
    let (serde_asked, serde) = observed(|settled| Some(read_with_serde(payload, settled)), stop_at).unwrap();
    let Some((asked, fast)) = observed(|settled| read_until(payload, settled), stop_at) else {
        return false;
    };
    if let Read::Members(_) | Read::Strict(_) = fast {
        let parsed = parse_object(payload);
        let accepted = parsed.as_ref().is_ok_and(|map| map.len() <= NAMES);
        let proven = matches!(fast, Read::Strict(_));
        assert_eq!(
            proven, accepted,
            "proven strict exactly when the strict parse accepts {shown}: {parsed:?}"
        );
    }
    let fast = match fast {
        Read::Strict(members) => Read::Members(members),
        other => other,
    };
    assert_eq!(
        (asked, format!("{fast:?}")),
        (serde_asked, format!("{serde:?}")),
        "payload {shown}, stop at {stop_at}"
    );
    true
}

const OKTA_LIKE: &str = r#"{"ver":1,"jti":"AT.sLq3fUjYc2yqBJhQ0Wf9mXv7aZk1RtN4pEoG8hDsKcI","iss":"https://id.example.com/oauth2/default","aud":"api://planets","iat":1764390000,"exp":1766982000,"cid":"0oa8f5j3ecb5w3dF35d7","uid":"00u1a2b3c4d5e6f7g8h9","scp":["openid","profile","email","planets:read"],"scope":"openid profile email planets:read","auth_time":1764389940,"sub":"jane.doe@example.com","groups":["Everyone","planets-readers"]}"#;

#[test]
fn an_issuers_plain_payload_is_read_by_the_fast_path_with_the_serde_answer() {
    for stop_at in 0..=7 {
        assert!(
            agree(OKTA_LIKE.as_bytes(), stop_at),
            "the fast path read it (stop at {stop_at})"
        );
    }
    let pretty = serde_json::to_string_pretty(&serde_json::from_str::<serde_json::Value>(OKTA_LIKE).unwrap()).unwrap();
    assert!(agree(pretty.as_bytes(), 0), "whitespace is plain too");
    let Some(Read::Strict(members)) = read_until(OKTA_LIKE.as_bytes(), &mut |_| None::<()>) else {
        panic!("read to the end, and proven strict");
    };
    assert_eq!(members.get(Member::Exp), Some(&serde_json::json!(1766982000)));
    assert_eq!(members.get(Member::ClientId), None);
}

#[test]
fn it_gives_up_on_what_it_does_not_know_and_serde_decides() {
    for payload in [
        r#"{"iss":"a\"b"}"#,
        r#"{"\u0069ss":"i"}"#,
        r#"{"iss":"é"}"#,
        "{\"iss\":\"a\tb\"}",
        r#"{"exp":1.5}"#,
        r#"{"exp":1e9}"#,
        r#"{"exp":-1}"#,
        r#"{"exp":01}"#,
        r#"{"exp":1234567890123456789}"#,
        r#"{"aud":[["a"]]}"#,
        r#"{"x":{"iss":"nested"}}"#,
        r#"{"exp":1,"exp":2}"#,
        r#"{"iss":"a",}"#,
        r#"{"iss":"a"} x"#,
        r#"{"iss":tru}"#,
        r#"{"iss":"a""#,
        "[1]",
        "",
    ] {
        assert!(!agree(payload.as_bytes(), 0), "gave up on {payload}");
    }
}

/// A small deterministic generator (xorshift), so the test is the same on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        from[(self.next() % from.len() as u64) as usize]
    }
}

/// A payload of plain members and of members the fast path gives up on, some of them
/// truncated or with a byte corrupted.
fn generated(rng: &mut Rng) -> Vec<u8> {
    let names: Vec<&str> = READ
        .iter()
        .map(|(name, _)| *name)
        .chain([
            "sub",
            "sub",
            "groups",
            "x",
            "",
            "ISS",
            "\\u0065xp",
            "a_name_longer_than_seven",
        ])
        .collect();
    let values = [
        r#""https://id.example.com""#,
        r#""""#,
        r#""a\nb""#,
        r#""\u00e9""#,
        "\"é\"",
        "0",
        "7",
        "1764390000",
        "999999999999999999",
        "1000000000000000000",
        "00",
        "-3",
        "1.5",
        "2e3",
        "true",
        "false",
        "null",
        "tru",
        "[]",
        r#"["a","b"]"#,
        r#"[ "a" , 1 ]"#,
        "[1,]",
        "[[1]]",
        "{}",
        r#"{"a":1}"#,
        r#""unterminated"#,
    ];
    let spaces = ["", " ", "\n\t", "\r"];
    let mut payload = String::from(rng.pick(&spaces));
    payload.push('{');
    for i in 0..(rng.next() % 6) {
        if i > 0 {
            payload.push(',');
        }
        payload.push_str(rng.pick(&spaces));
        payload.push_str(&format!("\"{}\"", rng.pick(&names)));
        payload.push_str(rng.pick(&spaces));
        payload.push(':');
        payload.push_str(rng.pick(&values));
        payload.push_str(rng.pick(&spaces));
    }
    payload.push('}');
    payload.push_str(rng.pick(&spaces));
    let mut bytes = payload.into_bytes();
    match rng.next() % 4 {
        0 => bytes.truncate((rng.next() % (bytes.len() as u64 + 1)) as usize),
        1 => {
            let at = (rng.next() % bytes.len() as u64) as usize;
            bytes[at] = (rng.next() % 256) as u8;
        }
        _ => {}
    }
    bytes
}

#[test]
fn generated_and_corrupted_payloads_get_the_serde_answer_whenever_the_fast_path_answers() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let (mut answered, mut total) = (0, 0);
    for _ in 0..20_000 {
        let bytes = generated(&mut rng);
        let stop_at = (rng.next() % 4) as usize;
        total += 1;
        answered += usize::from(agree(&bytes, stop_at));
    }
    assert!(
        answered * 10 > total,
        "the fast path answered {answered} of {total}: too few to test it"
    );
}

#[test]
fn a_read_given_the_payload_piece_by_piece_reads_as_one_given_it_whole() {
    let mut rng = Rng(0x2545_F491_4F6C_DD1D);
    let (mut settled, mut read_whole) = (0, 0);
    let mut payloads: Vec<Vec<u8>> = (0..5_000).map(|_| generated(&mut rng)).collect();
    payloads.push(OKTA_LIKE.as_bytes().to_vec());
    for payload in &payloads {
        let stop_at = (rng.next() % 4) as usize;
        let whole = observed(|settled| read_until(payload, settled), stop_at);
        for block in [1, 2, 3, 7, 48] {
            let pieces = observed(|settled| read_plain_in_pieces(payload, block, settled), stop_at);
            assert_eq!(
                format!("{pieces:?}"),
                format!("{whole:?}"),
                "{}, blocks of {block}",
                String::from_utf8_lossy(payload)
            );
        }
        match whole {
            Some((_, Read::Settled(_))) => settled += 1,
            Some(_) => read_whole += 1,
            None => {}
        }
    }
    assert!(
        settled > 100 && read_whole > 300,
        "{settled} settled, {read_whole} read whole"
    );
}

#[test]
fn a_payload_is_proven_strict_only_when_no_member_name_repeats() {
    let strict = |payload: &str| {
        assert!(agree(payload.as_bytes(), 0), "the fast path read {payload}");
        matches!(
            read_until(payload.as_bytes(), &mut |_| None::<()>),
            Some(Read::Strict(_))
        )
    };
    assert!(strict("{}"));
    assert!(strict(r#"{"exp":1,"sub":"a","groups":["x"]}"#));
    // Names alike in length and first bytes are still told apart.
    assert!(strict(r#"{"abcdefgh_1":1,"abcdefgh_2":2,"abcdefg":3,"abcdefgh":4}"#));
    assert!(!strict(r#"{"sub":"a","exp":1,"sub":"a"}"#), "an unchecked name twice");
    assert!(!strict(r#"{"abcdefgh_1":1,"x":2,"abcdefgh_1":3}"#), "a long name twice");
    let members = |n: usize| {
        let listed: Vec<String> = (0..n).map(|i| format!(r#""m{i}":{i}"#)).collect();
        format!("{{{}}}", listed.join(","))
    };
    assert!(strict(&members(NAMES)));
    assert!(
        !strict(&members(NAMES + 1)),
        "more names than are compared: the strict parse decides"
    );
}
