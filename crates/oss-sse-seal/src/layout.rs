//! Sizes: the sealing settings of a stream and the exact arithmetic between plaintext and ciphertext
//! lengths and offsets.
//!
//! A stream of `L` plaintext bytes with segment size `S` has `max(1, ceil(L / S))` segments: every one but
//! the last carries exactly `S` bytes, the last carries the rest (1..=S bytes, or 0 for an empty stream, whose
//! single empty segment still authenticates "this stream is empty"). Each segment grows by a 16-byte tag.

use crate::cipher::TAG_LEN;
use crate::{Cipher, SealError};

/// Plaintext bytes per segment unless configured otherwise (64 KiB).
pub const DEFAULT_SEGMENT_SIZE: u32 = 64 * 1024;
/// Smallest accepted segment size.
pub const MIN_SEGMENT_SIZE: u32 = 16;
/// Largest accepted segment size (16 MiB): a reader allocates up to one segment, so a header must not be
/// able to ask for more.
pub const MAX_SEGMENT_SIZE: u32 = 16 * 1024 * 1024;

const TAG: u64 = TAG_LEN as u64;

/// How a stream is sealed: the cipher and the plaintext size of each segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SealConfig {
    cipher: Cipher,
    segment_size: u32,
}

impl Default for SealConfig {
    /// AES-256-GCM with 64 KiB segments.
    fn default() -> Self {
        Self::new(Cipher::Aes256Gcm)
    }
}

impl SealConfig {
    /// `cipher` with the default 64 KiB segments.
    pub fn new(cipher: Cipher) -> Self {
        Self {
            cipher,
            segment_size: DEFAULT_SEGMENT_SIZE,
        }
    }

    /// `cipher` with `segment_size` plaintext bytes per segment (between [`MIN_SEGMENT_SIZE`] and
    /// [`MAX_SEGMENT_SIZE`]).
    pub fn with_segment_size(cipher: Cipher, segment_size: u32) -> Result<Self, SealError> {
        if !(MIN_SEGMENT_SIZE..=MAX_SEGMENT_SIZE).contains(&segment_size) {
            return Err(SealError::InvalidSegmentSize(segment_size));
        }
        Ok(Self {
            cipher,
            segment_size,
        })
    }

    /// The segment cipher.
    pub fn cipher(&self) -> Cipher {
        self.cipher
    }

    /// Plaintext bytes per segment.
    pub fn segment_size(&self) -> u32 {
        self.segment_size
    }

    /// Ciphertext bytes of one full segment (segment size plus tag).
    pub fn sealed_segment_size(&self) -> u64 {
        u64::from(self.segment_size) + TAG
    }

    /// How many segments a stream of `plaintext_len` bytes has (at least one).
    pub fn segment_count(&self, plaintext_len: u64) -> Result<u32, SealError> {
        let count = plaintext_len.div_ceil(u64::from(self.segment_size)).max(1);
        u32::try_from(count).map_err(|_| SealError::TooLarge)
    }

    /// The exact sealed length of a stream of `plaintext_len` bytes.
    pub fn ciphertext_len(&self, plaintext_len: u64) -> Result<u64, SealError> {
        let count = u64::from(self.segment_count(plaintext_len)?);
        plaintext_len
            .checked_add(count * TAG)
            .ok_or(SealError::TooLarge)
    }

    /// The plaintext length of a sealed stream of `ciphertext_len` bytes; an error if no plaintext length
    /// seals to exactly that many bytes.
    pub fn plaintext_len(&self, ciphertext_len: u64) -> Result<u64, SealError> {
        let full = self.sealed_segment_size();
        if ciphertext_len < TAG {
            return Err(SealError::InvalidInput("ciphertext length"));
        }
        let count = ciphertext_len.div_ceil(full).max(1);
        let last = ciphertext_len - (count - 1) * full;
        if count > 1 && last <= TAG {
            return Err(SealError::InvalidInput("ciphertext length"));
        }
        u32::try_from(count).map_err(|_| SealError::TooLarge)?;
        Ok(ciphertext_len - count * TAG)
    }

    /// Plaintext bytes carried by segment `index` of a stream of `plaintext_len` bytes.
    pub(crate) fn segment_plaintext_len(&self, plaintext_len: u64, index: u32) -> u64 {
        let start = u64::from(index) * u64::from(self.segment_size);
        plaintext_len
            .saturating_sub(start)
            .min(u64::from(self.segment_size))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_round_trip_exactly() {
        let c = SealConfig::with_segment_size(Cipher::Aes256Gcm, 16).unwrap();
        for pt in 0..200u64 {
            let ct = c.ciphertext_len(pt).unwrap();
            assert_eq!(c.plaintext_len(ct).unwrap(), pt, "pt {pt}");
        }
        // Every ciphertext length is either the image of exactly one plaintext length or rejected.
        let mut images = 0;
        for ct in 0..300u64 {
            if let Ok(pt) = c.plaintext_len(ct) {
                assert_eq!(c.ciphertext_len(pt).unwrap(), ct);
                images += 1;
            }
        }
        assert!(images > 100);
    }

    #[test]
    fn default_geometry() {
        let c = SealConfig::new(Cipher::Sm4Gcm);
        assert_eq!(c.ciphertext_len(0).unwrap(), 16);
        assert_eq!(c.ciphertext_len(1).unwrap(), 17);
        assert_eq!(c.ciphertext_len(65536).unwrap(), 65552);
        assert_eq!(c.ciphertext_len(65537).unwrap(), 65569);
        assert_eq!(c.segment_count(1 << 30).unwrap(), 16384);
        assert_eq!(
            c.plaintext_len(15),
            Err(SealError::InvalidInput("ciphertext length"))
        );
        assert_eq!(
            c.plaintext_len(65552 + 16),
            Err(SealError::InvalidInput("ciphertext length"))
        );
    }

    #[test]
    fn segment_size_limits() {
        assert!(SealConfig::with_segment_size(Cipher::Aes256Gcm, 15).is_err());
        assert!(SealConfig::with_segment_size(Cipher::Aes256Gcm, MAX_SEGMENT_SIZE + 1).is_err());
        let tiny = SealConfig::with_segment_size(Cipher::Aes256Gcm, 16).unwrap();
        assert_eq!(
            tiny.segment_count(16 * u64::from(u32::MAX) + 1),
            Err(SealError::TooLarge)
        );
        assert_eq!(tiny.ciphertext_len(u64::MAX), Err(SealError::TooLarge));
    }
}
