//! Percent-encoding as OSS signs it (RFC 3986 unreserved set `A-Za-z0-9-._~`), its inverse, query-string
//! splitting, and the hex/base64 helpers signatures are written in.

use base64::Engine as _;

/// Text that is not valid percent-encoding, hex or base64.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// `%` not followed by two hex digits.
    #[error("invalid percent-encoding")]
    BadPercent,
    /// Percent-decoded bytes are not UTF-8.
    #[error("percent-decoded text is not UTF-8")]
    NotUtf8,
    /// Not valid hexadecimal.
    #[error("invalid hex")]
    BadHex,
    /// Not valid base64.
    #[error("invalid base64")]
    BadBase64,
}

const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";
const HEX_LOWER: &[u8; 16] = b"0123456789abcdef";

fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

/// Percent-encodes every byte outside `A-Za-z0-9-._~` as `%XX` (upper-case hex); `/` is kept when
/// `keep_slash` is set (the V4 canonical URI and object paths).
pub fn uri_encode(s: &str, keep_slash: bool) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 2);
    uri_encode_into(&mut out, s, keep_slash);
    out
}

/// [`uri_encode`] appending to `out`, to spare an allocation on hot paths.
pub fn uri_encode_into(out: &mut String, s: &str, keep_slash: bool) {
    for &b in s.as_bytes() {
        if is_unreserved(b) || (keep_slash && b == b'/') {
            out.push(b as char);
        } else {
            out.push('%');
            out.push(HEX_UPPER[usize::from(b >> 4)] as char);
            out.push(HEX_UPPER[usize::from(b & 15)] as char);
        }
    }
}

/// Decodes `%XX` escapes (either hex case). `+` stays `+`: this is the path decoder, where a literal
/// `+` in an object key must survive (query strings use [`percent_decode_query_component`]).
pub fn percent_decode(s: &str) -> Result<String, DecodeError> {
    if !s.contains('%') {
        return Ok(s.to_owned());
    }
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hi = b.get(i + 1).and_then(|c| hex_value(*c));
            let lo = b.get(i + 2).and_then(|c| hex_value(*c));
            match (hi, lo) {
                (Some(hi), Some(lo)) => out.push(hi << 4 | lo),
                _ => return Err(DecodeError::BadPercent),
            }
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| DecodeError::NotUtf8)
}

/// Decodes one query-string component: `+` is a space (oss2, through `requests`, form-encodes query
/// values, and OSS reads them that way; a literal `+` arrives as `%2B`), then `%XX` escapes.
pub fn percent_decode_query_component(s: &str) -> Result<String, DecodeError> {
    if s.contains('+') {
        percent_decode(&s.replace('+', " "))
    } else {
        percent_decode(s)
    }
}

/// Splits a raw query string (without the `?`) into decoded `(key, value)` pairs in order; `k` without
/// `=` gives `None`, `k=` gives `Some("")`. Empty segments (`a&&b`) are skipped. Components are decoded
/// with [`percent_decode_query_component`] (`+` is a space).
pub fn parse_query(raw: &str) -> Result<Vec<(String, Option<String>)>, DecodeError> {
    raw.split('&')
        .filter(|seg| !seg.is_empty())
        .map(|seg| match seg.split_once('=') {
            Some((k, v)) => Ok((
                percent_decode_query_component(k)?,
                Some(percent_decode_query_component(v)?),
            )),
            None => Ok((percent_decode_query_component(seg)?, None)),
        })
        .collect()
}

/// Writes decoded query pairs back as a query string (without `?`), every key and value URI-encoded.
pub fn format_query(pairs: &[(String, Option<String>)]) -> String {
    let mut out = String::new();
    for (i, (k, v)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        uri_encode_into(&mut out, k, false);
        if let Some(v) = v {
            out.push('=');
            uri_encode_into(&mut out, v, false);
        }
    }
    out
}

fn hex_value(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// Lower-case hex of `bytes`.
pub fn hex_lower(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(HEX_LOWER[usize::from(b >> 4)] as char);
        out.push(HEX_LOWER[usize::from(b & 15)] as char);
    }
    out
}

/// Decodes hex (either case, even length).
pub fn hex_decode(s: &str) -> Result<Vec<u8>, DecodeError> {
    let b = s.as_bytes();
    if !b.len().is_multiple_of(2) {
        return Err(DecodeError::BadHex);
    }
    b.chunks_exact(2)
        .map(|p| match (hex_value(p[0]), hex_value(p[1])) {
            (Some(hi), Some(lo)) => Ok(hi << 4 | lo),
            _ => Err(DecodeError::BadHex),
        })
        .collect()
}

/// Standard base64 with padding.
pub fn base64_encode(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Decodes standard base64 with padding.
pub fn base64_decode(s: &str) -> Result<Vec<u8>, DecodeError> {
    base64::engine::general_purpose::STANDARD
        .decode(s)
        .map_err(|_| DecodeError::BadBase64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_like_v4_vector() {
        assert_eq!(
            uri_encode("/bucket/1234+-/123/1.txt", true),
            "/bucket/1234%2B-/123/1.txt"
        );
        assert_eq!(uri_encode("+param1", false), "%2Bparam1");
        assert_eq!(uri_encode("|param2", false), "%7Cparam2");
        assert_eq!(uri_encode("a b/ü~", false), "a%20b%2F%C3%BC~");
    }

    #[test]
    fn decodes_and_rejects() {
        assert_eq!(percent_decode("a%20b+%2f%C3%BC").unwrap(), "a b+/ü");
        assert_eq!(percent_decode("%"), Err(DecodeError::BadPercent));
        assert_eq!(percent_decode("%4"), Err(DecodeError::BadPercent));
        assert_eq!(percent_decode("%zz"), Err(DecodeError::BadPercent));
        assert_eq!(percent_decode("%ff"), Err(DecodeError::NotUtf8));
    }

    #[test]
    fn query_round_trip() {
        assert_eq!(
            parse_query("k=a+b%2Bc&x+y").unwrap(),
            vec![("k".into(), Some("a b+c".into())), ("x y".into(), None)]
        );
        let q = parse_query("a=1&b&c=&&%2Bd=%7C").unwrap();
        assert_eq!(
            q,
            vec![
                ("a".into(), Some("1".into())),
                ("b".into(), None),
                ("c".into(), Some(String::new())),
                ("+d".into(), Some("|".into())),
            ]
        );
        assert_eq!(format_query(&q), "a=1&b&c=&%2Bd=%7C");
    }

    #[test]
    fn hex_and_base64() {
        assert_eq!(hex_lower(&[0, 0xab, 0xff]), "00abff");
        assert_eq!(hex_decode("00ABff").unwrap(), vec![0, 0xab, 0xff]);
        assert!(hex_decode("abc").is_err());
        assert!(hex_decode("zz").is_err());
        assert_eq!(base64_decode(&base64_encode(b"hello")).unwrap(), b"hello");
        assert!(base64_decode("!!!").is_err());
    }
}
