//! The per-object data key and every subkey derived from it.
//!
//! The data key never touches a segment or a header directly: HKDF-SHA256 turns it into one AEAD key per
//! stream (salted with that stream's random salt, so a data key can be shared by many objects safely), one
//! HMAC key for headers and one for stream records. Each derivation carries its own label so no two uses
//! can ever produce the same key.

use ring::hkdf;
use ring::rand::SecureRandom;
use zeroize::Zeroizing;

use crate::cipher::{Cipher, SegmentCipher};
use crate::codec::put_lp;
use crate::SealError;

/// Length of a [`DataKey`] in bytes (256 bits, whichever cipher seals the segments).
pub const DATA_KEY_LEN: usize = 32;

/// HKDF salt for the keys that have no per-stream salt of their own (the header and record MAC keys).
const FIXED_SALT: &[u8] = b"oss-sse-seal/v1/fixed-salt";

/// A 256-bit object data key: the secret the KMS wraps and the header carries only in wrapped form.
///
/// Its bytes are wiped when it is dropped and never appear in `Debug` output. There is deliberately no
/// `Clone`: keep one, pass references.
pub struct DataKey {
    bytes: Zeroizing<[u8; DATA_KEY_LEN]>,
}

impl DataKey {
    /// Draws a fresh data key from `rng` (pass `ring::rand::SystemRandom`).
    pub fn generate(rng: &dyn SecureRandom) -> Result<Self, SealError> {
        let mut bytes = Zeroizing::new([0u8; DATA_KEY_LEN]);
        rng.fill(&mut bytes[..]).map_err(|_| SealError::Random)?;
        Ok(Self { bytes })
    }

    /// Takes a data key the KMS returned in plaintext (GenerateDataKey or Decrypt). The caller should
    /// wipe its own copy afterwards.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, SealError> {
        if bytes.len() != DATA_KEY_LEN {
            return Err(SealError::InvalidDataKey);
        }
        let mut array = Zeroizing::new([0u8; DATA_KEY_LEN]);
        array.copy_from_slice(bytes);
        Ok(Self { bytes: array })
    }

    /// The raw key bytes, for handing to the KMS to wrap (SSE-OSS encrypts a locally generated key).
    /// Nothing else needs them; never store or log them.
    pub fn expose_secret(&self) -> &[u8; DATA_KEY_LEN] {
        &self.bytes
    }

    /// A second copy for types that must own their key (an opened object outlives the caller's borrow).
    pub(crate) fn duplicate(&self) -> Self {
        Self {
            bytes: Zeroizing::new(*self.bytes),
        }
    }

    fn prk(&self, salt: &[u8]) -> hkdf::Prk {
        hkdf::Salt::new(hkdf::HKDF_SHA256, salt).extract(&self.bytes[..])
    }

    /// The AEAD key of one stream. `info` is the stream's identity (see `stream::stream_info`).
    pub(crate) fn stream_cipher(
        &self,
        cipher: Cipher,
        salt: &[u8],
        info: &[u8],
    ) -> Result<SegmentCipher, SealError> {
        let prk = self.prk(salt);
        let mut okm = Zeroizing::new([0u8; 32]);
        let len = cipher.key_len();
        let pieces = [info];
        prk.expand(&pieces, OkmLen(len))
            .and_then(|okm_ref| okm_ref.fill(&mut okm[..len]))
            .map_err(|_| SealError::TooLarge)?;
        SegmentCipher::new(cipher, &okm[..len])
    }

    /// An HMAC-SHA256 key for authenticating encoded metadata (`label` tells the uses apart).
    pub(crate) fn mac_key(&self, label: &str) -> Result<ring::hmac::Key, SealError> {
        let mut info = Vec::with_capacity(64);
        put_lp(&mut info, b"oss-sse-seal/v1/mac-key");
        put_lp(&mut info, label.as_bytes());
        let pieces = [&info[..]];
        let prk = self.prk(FIXED_SALT);
        let okm = prk
            .expand(&pieces, ring::hmac::HMAC_SHA256)
            .map_err(|_| SealError::TooLarge)?;
        Ok(ring::hmac::Key::from(okm))
    }
}

impl std::fmt::Debug for DataKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DataKey(<secret>)")
    }
}

/// An HKDF output length for key material ring has no type of its own for (the SM4 key).
struct OkmLen(usize);

impl hkdf::KeyType for OkmLen {
    fn len(&self) -> usize {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_the_key() {
        let key = DataKey::from_bytes(&[0x41; 32]).unwrap();
        let shown = format!("{key:?}");
        assert!(!shown.contains("41") && !shown.contains("65"), "{shown}");
    }

    #[test]
    fn wrong_length_is_rejected() {
        assert_eq!(
            DataKey::from_bytes(&[0; 31]).unwrap_err(),
            SealError::InvalidDataKey
        );
        assert_eq!(
            DataKey::from_bytes(&[0; 33]).unwrap_err(),
            SealError::InvalidDataKey
        );
    }

    #[test]
    fn generated_keys_differ() {
        let rng = ring::rand::SystemRandom::new();
        let a = DataKey::generate(&rng).unwrap();
        let b = DataKey::generate(&rng).unwrap();
        assert_ne!(a.expose_secret(), b.expose_secret());
    }

    #[test]
    fn mac_keys_are_separated_by_label() {
        let key = DataKey::from_bytes(&[7; 32]).unwrap();
        let a = ring::hmac::sign(&key.mac_key("a").unwrap(), b"m");
        let b = ring::hmac::sign(&key.mac_key("b").unwrap(), b"m");
        assert_ne!(a.as_ref(), b.as_ref());
    }
}
