//! Random identifiers: request ids (24 upper-case hex characters, as OSS sends them), upload ids and blob
//! names. They come from ring's `SystemRandom` so two servers sharing a data dir cannot clash.

use ring::rand::{SecureRandom, SystemRandom};

/// Returns `n` random bytes as upper-case hex (`2 * n` characters).
pub fn random_hex(n: usize) -> String {
    let mut buf = vec![0u8; n];
    // SystemRandom only fails when the OS has no entropy source at all; fall back to a clock-derived value
    // rather than panicking, because ids are names, not secrets.
    if SystemRandom::new().fill(&mut buf).is_err() {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        for (i, b) in buf.iter_mut().enumerate() {
            *b = (nanos >> ((i % 16) * 8)) as u8 ^ (i as u8);
        }
    }
    hex_upper(&buf)
}

/// A fresh `x-oss-request-id`: 24 upper-case hex characters.
pub fn request_id() -> String {
    random_hex(12)
}

/// A fresh multipart upload id: 32 upper-case hex characters.
pub fn upload_id() -> String {
    random_hex(16)
}

/// A fresh blob file name: 32 upper-case hex characters.
pub fn blob_id() -> String {
    random_hex(16)
}

/// Upper-case hex of `bytes`.
pub fn hex_upper(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[(b >> 4) as usize] as char);
        out.push(DIGITS[(b & 15) as usize] as char);
    }
    out
}

/// Lower-case hex of `bytes`.
pub fn hex_lower(bytes: &[u8]) -> String {
    hex_upper(bytes).to_ascii_lowercase()
}

/// True when `s` is exactly `len` upper-case hex characters: ids that arrive from clients are checked with
/// this before they are ever used as a file name.
pub fn is_upper_hex(s: &str, len: usize) -> bool {
    s.len() == len
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'A'..=b'F').contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_ids_have_the_oss_shape() {
        let id = request_id();
        assert!(is_upper_hex(&id, 24), "{id}");
        assert_ne!(id, request_id());
    }

    #[test]
    fn hex_round_trips_known_bytes() {
        assert_eq!(hex_upper(&[0x00, 0xAB, 0x7f]), "00AB7F");
        assert_eq!(hex_lower(&[0xAB]), "ab");
        assert!(!is_upper_hex("../../etc/passwd", 16));
        assert!(!is_upper_hex("abcdef", 6));
    }
}
