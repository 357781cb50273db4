//! Containers for secret bytes: zeroized when dropped, redacted in `Debug`, never `Display`ed.

use std::fmt;

use zeroize::Zeroizing;

/// Secret bytes handed to the caller: a plaintext data key or a decrypted plaintext.
///
/// The buffer is wiped when the value is dropped. `Debug` shows only the length. There is deliberately no
/// `PartialEq` (a derived one would compare in variable time); compare with [`SecretBytes::expose`] and a
/// constant-time comparison if you must.
#[derive(Clone)]
pub struct SecretBytes(Zeroizing<Vec<u8>>);

impl SecretBytes {
    /// Wraps bytes; they are wiped when the returned value is dropped.
    pub fn new(bytes: Vec<u8>) -> Self {
        Self(Zeroizing::new(bytes))
    }

    /// The secret bytes. Keep the borrow short and do not copy them into unzeroized buffers.
    pub fn expose(&self) -> &[u8] {
        &self.0
    }

    /// Number of bytes.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are no bytes.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Standard base64 of the bytes (the form KMS APIs exchange), in a buffer wiped on drop.
    pub fn to_base64(&self) -> Zeroizing<String> {
        use base64::Engine as _;
        Zeroizing::new(base64::engine::general_purpose::STANDARD.encode(self.expose()))
    }
}

impl From<Vec<u8>> for SecretBytes {
    fn from(bytes: Vec<u8>) -> Self {
        Self::new(bytes)
    }
}

impl fmt::Debug for SecretBytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SecretBytes(<{} bytes redacted>)", self.0.len())
    }
}

/// A 256-bit key held in memory: wiped on drop, redacted in `Debug`.
#[derive(Clone)]
pub(crate) struct Key32(Zeroizing<[u8; 32]>);

impl Key32 {
    pub(crate) fn from_array(bytes: [u8; 32]) -> Self {
        Self(Zeroizing::new(bytes))
    }

    /// A zero key to be filled in place, so the secret never sits in an unwiped temporary.
    pub(crate) fn zeroed() -> Self {
        Self(Zeroizing::new([0u8; 32]))
    }

    pub(crate) fn bytes(&self) -> &[u8; 32] {
        &self.0
    }

    pub(crate) fn bytes_mut(&mut self) -> &mut [u8; 32] {
        &mut self.0
    }
}

impl fmt::Debug for Key32 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Key32(<redacted>)")
    }
}
