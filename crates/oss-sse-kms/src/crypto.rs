//! The few cryptographic steps of the KMS, all from ring: HKDF-SHA256 to derive purpose-bound subkeys,
//! AES-256-GCM to seal, HMAC-SHA256 for the context fingerprint and the keystore's integrity tag.

use ring::{aead, hkdf, hmac, rand::SecureRandom, rand::SystemRandom};

use crate::secret::Key32;
use crate::KmsError;

/// AES-GCM nonce length.
pub(crate) const NONCE_LEN: usize = 12;
/// AES-GCM tag length.
pub(crate) const TAG_LEN: usize = 16;

/// Fills `buf` from the system RNG.
pub(crate) fn random_fill(rng: &SystemRandom, buf: &mut [u8]) -> Result<(), KmsError> {
    rng.fill(buf).map_err(|_| {
        KmsError::io(
            "drawing random bytes",
            std::io::Error::other("SystemRandom failed"),
        )
    })
}

/// A fresh random 256-bit key.
pub(crate) fn random_key(rng: &SystemRandom) -> Result<Key32, KmsError> {
    let mut k = Key32::zeroed();
    random_fill(rng, k.bytes_mut())?;
    Ok(k)
}

/// HKDF-SHA256(ikm, salt) expanded with `info` to 32 bytes. Separate subkeys per purpose mean a key used
/// for AES-GCM is never also used as an HMAC key.
pub(crate) fn derive(ikm: &Key32, salt: &[u8], info: &[u8]) -> Key32 {
    let prk = hkdf::Salt::new(hkdf::HKDF_SHA256, salt).extract(ikm.bytes());
    let mut out = Key32::zeroed();
    // expand/fill only fail when asking for more than 255 * 32 bytes; 32 bytes always succeed, and a
    // failure would leave the zero key, which later shows up as an authentication failure, not a panic.
    if let Ok(okm) = prk.expand(&[info], hkdf::HKDF_SHA256) {
        let _ = okm.fill(out.bytes_mut());
    }
    out
}

/// The working keys of one CMK version, derived from its 32-byte material.
#[derive(Debug, Clone)]
pub(crate) struct VersionKeys {
    /// AES-256-GCM key that wraps data keys and plaintexts.
    pub(crate) enc: Key32,
    /// HMAC-SHA256 key for the encryption-context fingerprint.
    pub(crate) fingerprint: Key32,
}

impl VersionKeys {
    pub(crate) fn derive(material: &Key32) -> Self {
        Self {
            enc: derive(material, b"oss-sse-kms cmk v1", b"aes-256-gcm"),
            fingerprint: derive(material, b"oss-sse-kms cmk v1", b"context fingerprint"),
        }
    }

    /// HMAC-SHA256 of the canonical context under this version's fingerprint key.
    pub(crate) fn context_fingerprint(&self, canonical_context: &[u8]) -> [u8; 32] {
        let key = hmac::Key::new(hmac::HMAC_SHA256, self.fingerprint.bytes());
        let tag = hmac::sign(&key, canonical_context);
        let mut out = [0u8; 32];
        out.copy_from_slice(tag.as_ref());
        out
    }

    /// Constant-time check of a fingerprint read from a blob.
    pub(crate) fn verify_fingerprint(&self, canonical_context: &[u8], fingerprint: &[u8]) -> bool {
        let key = hmac::Key::new(hmac::HMAC_SHA256, self.fingerprint.bytes());
        hmac::verify(&key, canonical_context, fingerprint).is_ok()
    }
}

/// AES-256-GCM seal in place: `in_out` becomes ciphertext ‖ tag.
pub(crate) fn seal(
    key: &Key32,
    nonce: [u8; NONCE_LEN],
    aad: &[u8],
    in_out: &mut Vec<u8>,
) -> Result<(), KmsError> {
    let tag = seal_separate(key, nonce, aad, in_out)?;
    in_out.extend_from_slice(&tag);
    Ok(())
}

/// AES-256-GCM seal of `in_out` in place, returning the tag.
pub(crate) fn seal_separate(
    key: &Key32,
    nonce: [u8; NONCE_LEN],
    aad: &[u8],
    in_out: &mut [u8],
) -> Result<[u8; TAG_LEN], KmsError> {
    let failed = || KmsError::io("sealing", std::io::Error::other("AES-256-GCM seal failed"));
    let unbound = aead::UnboundKey::new(&aead::AES_256_GCM, key.bytes()).map_err(|_| failed())?;
    let tag = aead::LessSafeKey::new(unbound)
        .seal_in_place_separate_tag(
            aead::Nonce::assume_unique_for_key(nonce),
            aead::Aad::from(aad),
            in_out,
        )
        .map_err(|_| failed())?;
    let mut out = [0u8; TAG_LEN];
    out.copy_from_slice(tag.as_ref());
    Ok(out)
}

/// AES-256-GCM open in place; on success `in_out` is truncated to the plaintext. `None` means the tag did
/// not verify (wrong key, wrong AAD, or altered bytes), which is all an attacker may learn.
pub(crate) fn open(
    key: &Key32,
    nonce: [u8; NONCE_LEN],
    aad: &[u8],
    in_out: &mut Vec<u8>,
) -> Option<()> {
    let unbound = aead::UnboundKey::new(&aead::AES_256_GCM, key.bytes()).ok()?;
    let len = aead::LessSafeKey::new(unbound)
        .open_in_place(
            aead::Nonce::assume_unique_for_key(nonce),
            aead::Aad::from(aad),
            in_out,
        )
        .ok()?
        .len();
    in_out.truncate(len);
    Some(())
}

/// HMAC-SHA256 tag of `data`.
pub(crate) fn mac(key: &Key32, data: &[u8]) -> [u8; 32] {
    let key = hmac::Key::new(hmac::HMAC_SHA256, key.bytes());
    let mut out = [0u8; 32];
    out.copy_from_slice(hmac::sign(&key, data).as_ref());
    out
}

/// Constant-time HMAC-SHA256 verification of `tag` over `data`.
pub(crate) fn verify_mac(key: &Key32, data: &[u8], tag: &[u8]) -> bool {
    let key = hmac::Key::new(hmac::HMAC_SHA256, key.bytes());
    hmac::verify(&key, data, tag).is_ok()
}
