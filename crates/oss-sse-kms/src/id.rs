//! Key and key-version identifiers: random (version 4) UUIDs, written in the usual lower-case
//! 8-4-4-4-12 form, stored as 16 raw bytes inside ciphertext blobs.

use ring::rand::{SecureRandom, SystemRandom};

use crate::KmsError;

/// The 16 bytes of a UUID.
pub(crate) type RawId = [u8; 16];

/// A fresh random UUID (RFC 9562 version 4, variant 10).
pub(crate) fn new_id(rng: &SystemRandom) -> Result<RawId, KmsError> {
    let mut b = [0u8; 16];
    rng.fill(&mut b).map_err(|_| {
        KmsError::io(
            "drawing a random id",
            std::io::Error::other("SystemRandom failed"),
        )
    })?;
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    Ok(b)
}

/// `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`, lower case.
pub(crate) fn format_id(id: &RawId) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(36);
    for (i, byte) in id.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            s.push('-');
        }
        s.push(char::from(HEX[usize::from(byte >> 4)]));
        s.push(char::from(HEX[usize::from(byte & 0x0f)]));
    }
    s
}

/// Parses the 8-4-4-4-12 form (either case); anything else is `None`.
pub(crate) fn parse_id(s: &str) -> Option<RawId> {
    let bytes = s.as_bytes();
    if bytes.len() != 36 {
        return None;
    }
    let mut out = [0u8; 16];
    let mut nibbles = 0usize;
    for (i, &c) in bytes.iter().enumerate() {
        if matches!(i, 8 | 13 | 18 | 23) {
            if c != b'-' {
                return None;
            }
            continue;
        }
        let v = match c {
            b'0'..=b'9' => c - b'0',
            b'a'..=b'f' => c - b'a' + 10,
            b'A'..=b'F' => c - b'A' + 10,
            _ => return None,
        };
        let slot = out.get_mut(nibbles / 2)?;
        *slot = (*slot << 4) | v;
        nibbles += 1;
    }
    (nibbles == 32).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_sets_version_bits() {
        let rng = SystemRandom::new();
        for _ in 0..100 {
            let id = new_id(&rng).unwrap();
            let s = format_id(&id);
            assert_eq!(s.len(), 36);
            assert_eq!(&s[14..15], "4");
            assert!(matches!(&s[19..20], "8" | "9" | "a" | "b"));
            assert_eq!(parse_id(&s), Some(id));
            assert_eq!(parse_id(&s.to_uppercase()), Some(id));
        }
    }

    #[test]
    fn rejects_malformed_ids() {
        for bad in [
            "",
            "alias/acs/oss",
            "9468da86-3509-4f8d-a61e-6eab1eac****",
            "9468da86-3509-4f8d-a61e-6eab1eac12345",
            "9468da8613509-4f8d-a61e-6eab1eac1234",
            "9468da86-3509-4f8d-a61e-6eab1eac123g",
        ] {
            assert_eq!(parse_id(bad), None, "{bad}");
        }
        assert!(parse_id("9468da86-3509-4f8d-a61e-6eab1eac1234").is_some());
    }
}
