//! Who an object is (bucket, key, generation) and what kind of body it has. The identity is never stored
//! in the header: the caller supplies it from its own metadata on every read, so a header or body copied
//! to another name or another write of the same name cannot authenticate.

use crate::codec::put_lp;

/// The identity every segment and header is bound to.
///
/// `generation` is a number the storage assigns to each write of a bucket/key (a counter or a random
/// u64), never reused for the same bucket and key. For a multipart upload it must be fixed when the
/// upload is initiated, and for an appendable object when it is created: parts and extents are sealed
/// before completion and stay bound to it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ObjectId {
    /// Bucket name.
    pub bucket: String,
    /// Object key.
    pub key: String,
    /// The write's generation number.
    pub generation: u64,
}

impl ObjectId {
    /// Convenience constructor.
    pub fn new(bucket: impl Into<String>, key: impl Into<String>, generation: u64) -> Self {
        Self {
            bucket: bucket.into(),
            key: key.into(),
            generation,
        }
    }

    /// The identity as authenticated context: length-prefixed so `("ab", "c")` and `("a", "bc")` differ.
    pub(crate) fn encode_into(&self, out: &mut Vec<u8>) {
        put_lp(out, self.bucket.as_bytes());
        put_lp(out, self.key.as_bytes());
        out.extend_from_slice(&self.generation.to_be_bytes());
    }
}

/// How an object's body was written, which fixes what its streams are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ObjectKind {
    /// PutObject (and CopyObject, PostObject): one stream.
    Single,
    /// CompleteMultipartUpload: one stream per part, in part-number order.
    Multipart,
    /// AppendObject: one stream per append ("extent"), numbered 0, 1, 2, ...
    Appendable,
}

impl ObjectKind {
    pub(crate) fn id(self) -> u8 {
        match self {
            ObjectKind::Single => 1,
            ObjectKind::Multipart => 2,
            ObjectKind::Appendable => 3,
        }
    }

    pub(crate) fn from_id(id: u8) -> Option<Self> {
        match id {
            1 => Some(ObjectKind::Single),
            2 => Some(ObjectKind::Multipart),
            3 => Some(ObjectKind::Appendable),
            _ => None,
        }
    }
}

/// One stream of an object, as it appears in error messages and in the header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StreamLabel {
    /// The whole body of a [`ObjectKind::Single`] object.
    Object,
    /// Part `n` (1..=10000) of a multipart object.
    Part(u32),
    /// Extent `n` (0, 1, ...) of an appendable object.
    Extent(u32),
}

impl StreamLabel {
    pub(crate) fn kind(self) -> ObjectKind {
        match self {
            StreamLabel::Object => ObjectKind::Single,
            StreamLabel::Part(_) => ObjectKind::Multipart,
            StreamLabel::Extent(_) => ObjectKind::Appendable,
        }
    }

    pub(crate) fn number(self) -> u32 {
        match self {
            StreamLabel::Object => 0,
            StreamLabel::Part(n) | StreamLabel::Extent(n) => n,
        }
    }

    pub(crate) fn from_parts(kind: ObjectKind, number: u32) -> Self {
        match kind {
            ObjectKind::Single => StreamLabel::Object,
            ObjectKind::Multipart => StreamLabel::Part(number),
            ObjectKind::Appendable => StreamLabel::Extent(number),
        }
    }
}

impl std::fmt::Display for StreamLabel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StreamLabel::Object => f.write_str("the object body"),
            StreamLabel::Part(n) => write!(f, "part {n}"),
            StreamLabel::Extent(n) => write!(f, "extent {n}"),
        }
    }
}

/// The KMS side of the envelope: opaque to this crate, carried by the header so a reader knows what to
/// ask the KMS to unwrap.
///
/// These fields are deliberately outside the header's tag so that rewrapping (re-encrypting the data key
/// under a newer master-key version, possibly without ever seeing it) does not need the data key. They
/// are still protected: the KMS authenticates the wrapped key, and a key unwrapped from an edited envelope
/// that differs from the real one fails the header tag.
#[derive(Clone, PartialEq, Eq, Hash, Default)]
pub struct Envelope {
    /// The data key encrypted by the KMS (a CiphertextBlob).
    pub wrapped_key: Vec<u8>,
    /// The KMS key (CMK or service master key) that wrapped it.
    pub kms_key_id: String,
    /// The version of that key that wrapped it.
    pub kms_key_version: String,
}

impl std::fmt::Debug for Envelope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The wrapped key is not secret, but it is long and useless in a log line.
        f.debug_struct("Envelope")
            .field("wrapped_key_len", &self.wrapped_key.len())
            .field("kms_key_id", &self.kms_key_id)
            .field("kms_key_version", &self.kms_key_version)
            .finish()
    }
}
