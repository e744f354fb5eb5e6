//! AWS-shaped identifiers (spec §9.4): API ids of 10 lower-case alphanumerics, route,
//! integration and authorizer ids of 7, deployment ids of 6, from the system CSPRNG; and
//! AWS's timestamps (`2026-11-28T05:31:44Z`).
//!
//! May import: std, `aws_lc_rs`.

use std::time::{SystemTime, UNIX_EPOCH};

const ALPHABET: &[u8; 36] = b"abcdefghijklmnopqrstuvwxyz0123456789";

/// A random id of `len` lower-case alphanumerics.
pub fn random_id(len: usize) -> String {
    let mut bytes = vec![0u8; len];
    // A failing system RNG leaves zeros; uniqueness is still checked by the caller.
    let _ = aws_lc_rs::rand::fill(&mut bytes);
    bytes
        .iter()
        .map(|b| char::from(ALPHABET[usize::from(*b) % ALPHABET.len()]))
        .collect()
}

/// A fresh id of `len` characters that `taken` does not already use.
pub fn unique_id(len: usize, taken: impl Fn(&str) -> bool) -> String {
    loop {
        let id = random_id(len);
        if !taken(&id) {
            return id;
        }
    }
}

/// `time` as AWS writes timestamps: ISO-8601, UTC, whole seconds.
pub fn iso8601(time: SystemTime) -> String {
    let secs = time.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let days = i64::try_from(secs / 86_400).unwrap_or(0);
    let rem = secs % 86_400;
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

/// Howard Hinnant's days-to-civil algorithm.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = u32::try_from(doy - (153 * mp + 2) / 5 + 1).unwrap_or(1);
    let m = u32::try_from(if mp < 10 { mp + 3 } else { mp - 9 }).unwrap_or(1);
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn ids_have_aws_shapes() {
        for len in [6, 7, 10] {
            let id = random_id(len);
            assert_eq!(id.len(), len);
            assert!(id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()), "{id}");
        }
        assert_ne!(random_id(10), random_id(10));
        let taken = random_id(7);
        assert_ne!(unique_id(7, |id| id == taken), taken);
    }

    #[test]
    fn timestamps_are_iso8601_utc() {
        assert_eq!(iso8601(UNIX_EPOCH), "1970-01-01T00:00:00Z");
        let t = UNIX_EPOCH + Duration::from_secs(1_795_844_304);
        assert_eq!(iso8601(t), "2026-11-28T05:38:24Z");
        let leap = UNIX_EPOCH + Duration::from_secs(951_782_400);
        assert_eq!(iso8601(leap), "2000-02-29T00:00:00Z");
    }
}
