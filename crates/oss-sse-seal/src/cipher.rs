//! The two segment ciphers, AES-256-GCM (ring) and SM4-GCM (RustCrypto's sm4 under aes-gcm's generic GCM),
//! behind one in-place seal/open interface with 96-bit nonces and 128-bit tags.

use aes_gcm::aead::consts::U12;
use aes_gcm::aead::generic_array::GenericArray;
use aes_gcm::aead::{AeadInPlace, KeyInit};
use aes_gcm::AesGcm;
use ring::aead;
use sm4::Sm4;

use crate::SealError;

/// Length of every segment's authentication tag.
pub const TAG_LEN: usize = 16;
/// Length of every AEAD nonce.
pub(crate) const NONCE_LEN: usize = 12;

/// The cipher that seals an object's segments. Both give the same layout: ciphertext as long as the
/// plaintext, followed by a 16-byte tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Cipher {
    /// AES-256 in GCM mode (SSE-OSS `AES256` and SSE-KMS).
    Aes256Gcm,
    /// SM4 in GCM mode, as RFC 8998 defines it (SSE `SM4`, or KMS with SM4 data encryption).
    Sm4Gcm,
}

impl Cipher {
    /// The byte that names this cipher in headers and records.
    pub(crate) fn id(self) -> u8 {
        match self {
            Cipher::Aes256Gcm => 1,
            Cipher::Sm4Gcm => 2,
        }
    }

    pub(crate) fn from_id(id: u8) -> Option<Self> {
        match id {
            1 => Some(Cipher::Aes256Gcm),
            2 => Some(Cipher::Sm4Gcm),
            _ => None,
        }
    }

    /// The length of the subkey HKDF derives for this cipher.
    pub(crate) fn key_len(self) -> usize {
        match self {
            Cipher::Aes256Gcm => 32,
            Cipher::Sm4Gcm => 16,
        }
    }

    /// The name OSS uses for this data cipher (`x-oss-server-side-data-encryption` style).
    pub fn name(self) -> &'static str {
        match self {
            Cipher::Aes256Gcm => "AES256",
            Cipher::Sm4Gcm => "SM4",
        }
    }
}

impl std::fmt::Display for Cipher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Cipher::Aes256Gcm => "AES-256-GCM",
            Cipher::Sm4Gcm => "SM4-GCM",
        })
    }
}

type Sm4Gcm = AesGcm<Sm4, U12>;

/// A keyed segment cipher. The key schedules are wiped on drop (ring does so itself; for SM4 the crate's
/// `zeroize` features are enabled).
pub(crate) enum SegmentCipher {
    // Boxed: ring's expanded AES key is several times the size of the SM4 state.
    Aes(Box<aead::LessSafeKey>),
    Sm4(Sm4Gcm),
}

/// The AEAD primitive refused (a wrong tag, or a length beyond GCM's limit).
#[derive(Debug)]
pub(crate) struct AeadFailure;

impl SegmentCipher {
    pub(crate) fn new(cipher: Cipher, key: &[u8]) -> Result<Self, SealError> {
        match cipher {
            Cipher::Aes256Gcm => {
                let unbound = aead::UnboundKey::new(&aead::AES_256_GCM, key)
                    .map_err(|_| SealError::InvalidDataKey)?;
                Ok(SegmentCipher::Aes(Box::new(aead::LessSafeKey::new(
                    unbound,
                ))))
            }
            Cipher::Sm4Gcm => {
                let gcm = Sm4Gcm::new_from_slice(key).map_err(|_| SealError::InvalidDataKey)?;
                Ok(SegmentCipher::Sm4(gcm))
            }
        }
    }

    /// Encrypts `buf` in place and returns the tag.
    pub(crate) fn seal(
        &self,
        nonce: [u8; NONCE_LEN],
        aad: &[u8],
        buf: &mut [u8],
    ) -> Result<[u8; TAG_LEN], AeadFailure> {
        match self {
            SegmentCipher::Aes(key) => {
                let tag = key
                    .seal_in_place_separate_tag(
                        aead::Nonce::assume_unique_for_key(nonce),
                        aead::Aad::from(aad),
                        buf,
                    )
                    .map_err(|_| AeadFailure)?;
                let mut out = [0u8; TAG_LEN];
                out.copy_from_slice(tag.as_ref());
                Ok(out)
            }
            SegmentCipher::Sm4(gcm) => {
                let tag = gcm
                    .encrypt_in_place_detached(GenericArray::from_slice(&nonce), aad, buf)
                    .map_err(|_| AeadFailure)?;
                let mut out = [0u8; TAG_LEN];
                out.copy_from_slice(tag.as_slice());
                Ok(out)
            }
        }
    }

    /// Verifies `tag` and decrypts `buf` in place. On failure `buf` is zeroed, so no unauthenticated
    /// plaintext can leak out through the caller's buffer.
    pub(crate) fn open(
        &self,
        nonce: [u8; NONCE_LEN],
        aad: &[u8],
        buf: &mut [u8],
        tag: &[u8; TAG_LEN],
    ) -> Result<(), AeadFailure> {
        let result = match self {
            SegmentCipher::Aes(key) => {
                let tag = aead::Tag::from(*tag);
                key.open_in_place_separate_tag(
                    aead::Nonce::assume_unique_for_key(nonce),
                    aead::Aad::from(aad),
                    tag,
                    buf,
                    0..,
                )
                .map(|_| ())
                .map_err(|_| AeadFailure)
            }
            SegmentCipher::Sm4(gcm) => gcm
                .decrypt_in_place_detached(
                    GenericArray::from_slice(&nonce),
                    aad,
                    buf,
                    GenericArray::from_slice(tag),
                )
                .map_err(|_| AeadFailure),
        };
        if result.is_err() {
            buf.fill(0);
        }
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    /// RFC 8998, Appendix A.1 (SM4-GCM).
    #[test]
    fn sm4_gcm_matches_rfc8998() {
        let key = hex("0123456789ABCDEFFEDCBA9876543210");
        let nonce: [u8; 12] = hex("00001234567800000000ABCD").try_into().unwrap();
        let aad = hex("FEEDFACEDEADBEEFFEEDFACEDEADBEEFABADDAD2");
        let plaintext = hex(
            "AAAAAAAAAAAAAAAABBBBBBBBBBBBBBBB CCCCCCCCCCCCCCCCDDDDDDDDDDDDDDDD
             EEEEEEEEEEEEEEEEFFFFFFFFFFFFFFFF EEEEEEEEEEEEEEEEAAAAAAAAAAAAAAAA",
        );
        let ciphertext = hex(
            "17F399F08C67D5EE19D0DC9969C4BB7D 5FD46FD3756489069157B282BB200735
             D82710CA5C22F0CCFA7CBF93D496AC15 A56834CBCF98C397B4024A2691233B8D",
        );
        let tag: [u8; 16] = hex("83DE3541E4C2B58177E065A9BF7B62EC").try_into().unwrap();

        let c = SegmentCipher::new(Cipher::Sm4Gcm, &key).unwrap();
        let mut buf = plaintext.clone();
        assert_eq!(c.seal(nonce, &aad, &mut buf).unwrap(), tag);
        assert_eq!(buf, ciphertext);
        c.open(nonce, &aad, &mut buf, &tag).unwrap();
        assert_eq!(buf, plaintext);

        let mut bad = ciphertext.clone();
        bad[5] ^= 1;
        assert!(c.open(nonce, &aad, &mut bad, &tag).is_err());
        assert!(
            bad.iter().all(|&b| b == 0),
            "failed open must wipe the buffer"
        );
    }

    /// The GCM specification's test case 14 (AES-256, zero key and IV, one zero block).
    #[test]
    fn aes_256_gcm_matches_gcm_spec_case_14() {
        let c = SegmentCipher::new(Cipher::Aes256Gcm, &[0u8; 32]).unwrap();
        let mut buf = vec![0u8; 16];
        let tag = c.seal([0u8; 12], &[], &mut buf).unwrap();
        assert_eq!(buf, hex("cea7403d4d606b6e074ec5d3baf39d18"));
        assert_eq!(tag.to_vec(), hex("d0d1c8a799996bf0265b98b5d48ab919"));
        c.open([0u8; 12], &[], &mut buf, &tag).unwrap();
        assert_eq!(buf, vec![0u8; 16]);
        let mut wrong_aad = buf.clone();
        let tag2 = c.seal([0u8; 12], &[], &mut wrong_aad).unwrap();
        assert!(c.open([0u8; 12], b"x", &mut wrong_aad, &tag2).is_err());
    }

    #[test]
    fn wrong_key_lengths_are_rejected() {
        assert!(SegmentCipher::new(Cipher::Aes256Gcm, &[0; 16]).is_err());
        assert!(SegmentCipher::new(Cipher::Sm4Gcm, &[0; 32]).is_err());
    }
}
