//! The ciphertext blob: what GenerateDataKey, Encrypt and ReEncrypt hand out and Decrypt takes back.
//!
//! A blob describes itself, so Decrypt needs nothing but the blob and the context:
//!
//! | offset | length | field |
//! |---|---|---|
//! | 0 | 4 | magic `OSKM` |
//! | 4 | 1 | format version, `1` |
//! | 5 | 16 | key id (UUID bytes) |
//! | 21 | 16 | key version id (UUID bytes) |
//! | 37 | 32 | context fingerprint: HMAC-SHA256 of the canonical context under a key derived from the version |
//! | 69 | 12 | AES-256-GCM nonce (random) |
//! | 81 | n + 16 | AES-256-GCM ciphertext of the n plaintext bytes, then the tag |
//!
//! The AES-GCM authenticated data is the 81-byte header followed by the canonical encoding of the
//! encryption context (see [`EncryptionContext::canonical_bytes`](crate::EncryptionContext::canonical_bytes)),
//! so neither the header nor the context can be changed without the tag failing.
//!
//! The fingerprint exists so that a wrong context is reported as such rather than as a damaged blob: it
//! is checked before the tag. Being keyed, it lets nobody without the KMS test guesses of the context
//! offline. (A blob whose fingerprint bytes themselves were altered is therefore reported as a context
//! mismatch; either way nothing is decrypted.)

use crate::crypto::{NONCE_LEN, TAG_LEN};
use crate::id::{format_id, RawId};
use crate::KmsError;

/// The four bytes every blob starts with.
pub const BLOB_MAGIC: [u8; 4] = *b"OSKM";
/// The blob format this crate writes.
pub const BLOB_FORMAT_VERSION: u8 = 1;
/// Length of the header that precedes the ciphertext.
pub const BLOB_HEADER_LEN: usize = 4 + 1 + 16 + 16 + 32 + NONCE_LEN;
/// Length of the shortest possible blob (one plaintext byte).
pub const BLOB_MIN_LEN: usize = BLOB_HEADER_LEN + 1 + TAG_LEN;

/// What a blob's header says, readable without any key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlobInfo {
    /// Format version.
    pub format_version: u8,
    /// The CMK the blob is encrypted under.
    pub key_id: String,
    /// The CMK version.
    pub key_version_id: String,
    /// Length of the plaintext the blob holds.
    pub plaintext_len: usize,
}

/// Reads a blob's header without decrypting it (e.g. to show which key and version an object uses).
pub fn inspect_blob(blob: &[u8]) -> Result<BlobInfo, KmsError> {
    let p = ParsedBlob::parse(blob)?;
    Ok(BlobInfo {
        format_version: BLOB_FORMAT_VERSION,
        key_id: format_id(&p.key_id),
        key_version_id: format_id(&p.key_version_id),
        plaintext_len: p.sealed.len() - TAG_LEN,
    })
}

/// A blob split into its fields; borrowed from the input.
pub(crate) struct ParsedBlob<'a> {
    pub(crate) key_id: RawId,
    pub(crate) key_version_id: RawId,
    pub(crate) fingerprint: &'a [u8],
    pub(crate) nonce: [u8; NONCE_LEN],
    pub(crate) header: &'a [u8],
    pub(crate) sealed: &'a [u8],
}

fn array<const N: usize>(bytes: &[u8]) -> Result<[u8; N], KmsError> {
    bytes.try_into().map_err(|_| KmsError::InvalidCiphertext {
        reason: "the ciphertext blob is truncated",
    })
}

impl<'a> ParsedBlob<'a> {
    pub(crate) fn parse(blob: &'a [u8]) -> Result<Self, KmsError> {
        if blob.len() < 5 || blob[..4] != BLOB_MAGIC {
            return Err(KmsError::InvalidCiphertext {
                reason: "not a ciphertext blob of this KMS (bad magic)",
            });
        }
        if blob[4] != BLOB_FORMAT_VERSION {
            return Err(KmsError::InvalidCiphertext {
                reason: "unsupported ciphertext blob format version",
            });
        }
        if blob.len() < BLOB_MIN_LEN {
            return Err(KmsError::InvalidCiphertext {
                reason: "the ciphertext blob is truncated",
            });
        }
        let (header, sealed) = blob.split_at(BLOB_HEADER_LEN);
        Ok(Self {
            key_id: array(&header[5..21])?,
            key_version_id: array(&header[21..37])?,
            fingerprint: &header[37..69],
            nonce: array(&header[69..81])?,
            header,
            sealed,
        })
    }
}

/// Builds the header of a new blob.
pub(crate) fn header(
    key_id: &RawId,
    key_version_id: &RawId,
    fingerprint: &[u8; 32],
    nonce: &[u8; NONCE_LEN],
) -> Vec<u8> {
    let mut h = Vec::with_capacity(BLOB_HEADER_LEN);
    h.extend_from_slice(&BLOB_MAGIC);
    h.push(BLOB_FORMAT_VERSION);
    h.extend_from_slice(key_id);
    h.extend_from_slice(key_version_id);
    h.extend_from_slice(fingerprint);
    h.extend_from_slice(nonce);
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<u8> {
        let mut b = header(&[1; 16], &[2; 16], &[3; 32], &[4; 12]);
        b.extend_from_slice(&[9; 32 + TAG_LEN]);
        b
    }

    #[test]
    fn parses_its_own_header() {
        let b = sample();
        let info = inspect_blob(&b).unwrap();
        assert_eq!(info.key_id, "01010101-0101-0101-0101-010101010101");
        assert_eq!(info.key_version_id, "02020202-0202-0202-0202-020202020202");
        assert_eq!(info.plaintext_len, 32);
        assert_eq!(BLOB_HEADER_LEN, 81);
    }

    #[test]
    fn every_truncation_is_invalid_ciphertext() {
        let b = sample();
        for len in 0..BLOB_MIN_LEN {
            let err = inspect_blob(&b[..len]).err().unwrap();
            assert!(
                matches!(err, KmsError::InvalidCiphertext { .. }),
                "{len}: {err}"
            );
        }
    }

    #[test]
    fn wrong_magic_and_version_are_invalid_ciphertext() {
        let mut b = sample();
        b[0] = b'X';
        assert!(matches!(
            inspect_blob(&b),
            Err(KmsError::InvalidCiphertext { .. })
        ));
        let mut b = sample();
        b[4] = 2;
        assert!(matches!(
            inspect_blob(&b),
            Err(KmsError::InvalidCiphertext { .. })
        ));
    }
}
