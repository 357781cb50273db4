//! Strict big-endian encoding helpers for headers, stream records and the byte strings fed to HKDF, HMAC
//! and AEAD as context. Every variable-length field is length-prefixed so that no two different field
//! lists can encode to the same bytes.

use crate::SealError;

/// Appends `bytes` preceded by its length as a u32 (used for context strings, never limited).
pub(crate) fn put_lp(out: &mut Vec<u8>, bytes: &[u8]) {
    // Context strings come from object keys (≤ 1 KiB in OSS) and our own labels; a 4 GiB string cannot
    // reach here, and saturating keeps the encoding injective for everything that can.
    let len = u32::try_from(bytes.len()).unwrap_or(u32::MAX);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(bytes);
}

/// Appends a field preceded by its length as a u16, refusing what does not fit `max`.
pub(crate) fn put_short(
    out: &mut Vec<u8>,
    bytes: &[u8],
    max: usize,
    what: &'static str,
) -> Result<(), SealError> {
    if bytes.len() > max {
        return Err(SealError::InvalidInput(what));
    }
    let len = u16::try_from(bytes.len()).map_err(|_| SealError::InvalidInput(what))?;
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(bytes);
    Ok(())
}

/// A cursor over untrusted bytes: every read checks the remaining length and reports a reason.
pub(crate) struct Reader<'a> {
    bytes: &'a [u8],
    what: &'static str,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(bytes: &'a [u8], what: &'static str) -> Self {
        Self { bytes, what }
    }

    pub(crate) fn malformed(&self, reason: &'static str) -> SealError {
        SealError::Malformed {
            what: self.what,
            reason,
        }
    }

    pub(crate) fn take(&mut self, n: usize, reason: &'static str) -> Result<&'a [u8], SealError> {
        if self.bytes.len() < n {
            return Err(self.malformed(reason));
        }
        let (head, rest) = self.bytes.split_at(n);
        self.bytes = rest;
        Ok(head)
    }

    pub(crate) fn array<const N: usize>(
        &mut self,
        reason: &'static str,
    ) -> Result<[u8; N], SealError> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N, reason)?);
        Ok(out)
    }

    pub(crate) fn u8(&mut self, reason: &'static str) -> Result<u8, SealError> {
        Ok(self.array::<1>(reason)?[0])
    }

    pub(crate) fn u16(&mut self, reason: &'static str) -> Result<u16, SealError> {
        Ok(u16::from_be_bytes(self.array(reason)?))
    }

    pub(crate) fn u32(&mut self, reason: &'static str) -> Result<u32, SealError> {
        Ok(u32::from_be_bytes(self.array(reason)?))
    }

    pub(crate) fn u64(&mut self, reason: &'static str) -> Result<u64, SealError> {
        Ok(u64::from_be_bytes(self.array(reason)?))
    }

    /// A u16-length-prefixed field of at most `max` bytes.
    pub(crate) fn short(
        &mut self,
        max: usize,
        reason: &'static str,
    ) -> Result<&'a [u8], SealError> {
        let len = usize::from(self.u16(reason)?);
        if len > max {
            return Err(self.malformed(reason));
        }
        self.take(len, reason)
    }

    /// A u16-length-prefixed UTF-8 string of at most `max` bytes.
    pub(crate) fn short_str(
        &mut self,
        max: usize,
        reason: &'static str,
    ) -> Result<String, SealError> {
        let bytes = self.short(max, reason)?;
        std::str::from_utf8(bytes)
            .map(str::to_owned)
            .map_err(|_| self.malformed(reason))
    }

    pub(crate) fn remaining(&self) -> usize {
        self.bytes.len()
    }

    /// Fails unless every byte was consumed: trailing bytes are an edit, not padding.
    pub(crate) fn finish(&self) -> Result<(), SealError> {
        if self.bytes.is_empty() {
            Ok(())
        } else {
            Err(self.malformed("trailing bytes"))
        }
    }
}
