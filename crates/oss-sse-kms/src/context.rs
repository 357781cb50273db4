//! The encryption context: a string map bound to a ciphertext as authenticated data, so a blob only
//! decrypts when the same context is presented again (for OSS: the bucket and object the key belongs to).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Largest canonical encoding accepted, in bytes (Alibaba KMS limits the context's JSON to 8 KiB).
pub const MAX_CONTEXT_BYTES: usize = 8192;

/// An encryption context: key/value strings, kept sorted.
///
/// It is not secret (it is stored and logged freely) but it is authenticated: the exact same map must be
/// given to Decrypt as was given to GenerateDataKey or Encrypt.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct EncryptionContext(BTreeMap<String, String>);

impl EncryptionContext {
    /// The empty context.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `key` to `value`, returning the previous value.
    pub fn insert(&mut self, key: impl Into<String>, value: impl Into<String>) -> Option<String> {
        self.0.insert(key.into(), value.into())
    }

    /// Builder form of [`EncryptionContext::insert`].
    pub fn with(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.insert(key, value);
        self
    }

    /// The value of `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).map(String::as_str)
    }

    /// Removes `key`, returning its value.
    pub fn remove(&mut self, key: &str) -> Option<String> {
        self.0.remove(key)
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are no entries.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The entries in byte order of their keys.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// The canonical encoding used as authenticated data.
    ///
    /// Layout: the number of entries as a big-endian `u32`, then for each entry in byte order of the keys,
    /// the key's length (big-endian `u32`) and bytes, then the value's length and bytes.
    ///
    /// Why lengths and not just the sorted pairs concatenated: concatenation loses the boundaries, so
    /// different contexts encode alike and a blob made for one would decrypt under the other.
    /// `{"ab": "c"}` and `{"a": "bc"}` both concatenate to `abc`; adding separators only moves the problem
    /// into the strings, since keys and values may contain the separators themselves (with `=` and `&`,
    /// `{"a": "b&c=d"}` and `{"a": "b", "c": "d"}` both give `a=b&c=d`). With every string preceded by
    /// its length, the encoding can be parsed back unambiguously, so two contexts have the same encoding
    /// only if they are equal.
    pub fn canonical_bytes(&self) -> Vec<u8> {
        let size = 4 + self
            .0
            .iter()
            .map(|(k, v)| 8 + k.len() + v.len())
            .sum::<usize>();
        let mut out = Vec::with_capacity(size);
        push_len(&mut out, self.0.len());
        for (k, v) in &self.0 {
            push_len(&mut out, k.len());
            out.extend_from_slice(k.as_bytes());
            push_len(&mut out, v.len());
            out.extend_from_slice(v.as_bytes());
        }
        out
    }

    /// Checks the size limit; returns the canonical bytes.
    pub(crate) fn checked_canonical_bytes(&self) -> Result<Vec<u8>, crate::KmsError> {
        let bytes = self.canonical_bytes();
        if bytes.len() > MAX_CONTEXT_BYTES {
            return Err(crate::KmsError::invalid(format!(
                "EncryptionContext is {} bytes when encoded, more than the {MAX_CONTEXT_BYTES} allowed",
                bytes.len()
            )));
        }
        Ok(bytes)
    }
}

fn push_len(out: &mut Vec<u8>, len: usize) {
    // Lengths are bounded by MAX_CONTEXT_BYTES before use; saturating keeps this total for any input.
    let len = u32::try_from(len).unwrap_or(u32::MAX);
    out.extend_from_slice(&len.to_be_bytes());
}

impl<K: Into<String>, V: Into<String>> FromIterator<(K, V)> for EncryptionContext {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        Self(
            iter.into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        )
    }
}

impl From<BTreeMap<String, String>> for EncryptionContext {
    fn from(map: BTreeMap<String, String>) -> Self {
        Self(map)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn concatenation_collisions_encode_differently() {
        let a: EncryptionContext = [("ab", "c")].into_iter().collect();
        let b: EncryptionContext = [("a", "bc")].into_iter().collect();
        assert_ne!(a.canonical_bytes(), b.canonical_bytes());
        let c: EncryptionContext = [("a", "b&c=d")].into_iter().collect();
        let d: EncryptionContext = [("a", "b"), ("c", "d")].into_iter().collect();
        assert_ne!(c.canonical_bytes(), d.canonical_bytes());
    }

    #[test]
    fn layout_is_as_documented() {
        let ctx: EncryptionContext = [("b", "2"), ("a", "xy")].into_iter().collect();
        let want: Vec<u8> = [
            &[0, 0, 0, 2][..],
            &[0, 0, 0, 1],
            b"a",
            &[0, 0, 0, 2],
            b"xy",
            &[0, 0, 0, 1],
            b"b",
            &[0, 0, 0, 1],
            b"2",
        ]
        .concat();
        assert_eq!(ctx.canonical_bytes(), want);
        assert_eq!(EncryptionContext::new().canonical_bytes(), vec![0, 0, 0, 0]);
    }

    #[test]
    fn oversized_context_is_rejected() {
        let ctx = EncryptionContext::new().with("k", "v".repeat(MAX_CONTEXT_BYTES));
        let err = ctx.checked_canonical_bytes().unwrap_err();
        assert_eq!(err.code(), "InvalidParameter");
    }
}
