//! The one error type of this crate.
//!
//! Authentication failures say *where* (which segment of which stream, or the header) so that a log line can
//! name the damage, but never *why*: there is no distinction between a wrong key, a wrong object identity and
//! flipped bits, because telling those apart would help an attacker probe the format.

use crate::StreamLabel;

/// Everything that can go wrong while sealing or opening an object.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SealError {
    /// A sealed segment did not authenticate: it was altered, moved from another position or object, or
    /// the key or object identity given to open it is not the one it was sealed under.
    #[error("segment {segment} of {stream} failed authentication")]
    SegmentAuthentication {
        /// The stream (whole object, part or extent) the segment belongs to.
        stream: StreamLabel,
        /// The segment's index inside its stream, counting from 0.
        segment: u32,
    },
    /// Every segment of a stream authenticated, but together they are not the stream the header recorded.
    #[error("{stream} does not match the digest recorded in the header")]
    StreamDigestMismatch {
        /// The stream whose digest differed.
        stream: StreamLabel,
    },
    /// The header's tag did not verify under the data key and object identity given.
    #[error("object header failed authentication")]
    HeaderAuthentication,
    /// A stream record (the summary of a sealed part or extent) did not verify under the data key and
    /// object identity given.
    #[error("the record of {stream} failed authentication")]
    RecordAuthentication {
        /// The stream the record describes.
        stream: StreamLabel,
    },
    /// Encoded bytes (a header or a stream record) are not in this crate's format.
    #[error("malformed {what}: {reason}")]
    Malformed {
        /// What was being decoded: "header" or "stream record".
        what: &'static str,
        /// The first rule the bytes broke.
        reason: &'static str,
    },
    /// Encoded bytes carry a format version this build does not read.
    #[error("unsupported format version {0}")]
    UnsupportedVersion(u8),
    /// The ciphertext handed to the decryptor ended before the planned segments did.
    #[error("ciphertext ends inside segment {segment} of {stream}")]
    Truncated {
        /// The stream being read when the input ran out.
        stream: StreamLabel,
        /// The segment being read when the input ran out.
        segment: u32,
    },
    /// More ciphertext was handed to the decryptor than its plan covers, or a segment buffer had the
    /// wrong length.
    #[error("unexpected ciphertext length at segment {segment} of {stream}")]
    UnexpectedLength {
        /// The stream being read.
        stream: StreamLabel,
        /// The segment being read.
        segment: u32,
    },
    /// The requested plaintext range does not lie inside the object.
    #[error("range {start}..{end} is outside an object of {len} bytes")]
    RangeOutOfBounds {
        /// First requested byte.
        start: u64,
        /// One past the last requested byte.
        end: u64,
        /// The object's plaintext length.
        len: u64,
    },
    /// A segment size outside [`MIN_SEGMENT_SIZE`](crate::MIN_SEGMENT_SIZE) ..=
    /// [`MAX_SEGMENT_SIZE`](crate::MAX_SEGMENT_SIZE).
    #[error("segment size {0} is outside the supported range")]
    InvalidSegmentSize(u32),
    /// A stream would need more segments than a segment index can count, or a length overflowed 64 bits.
    #[error("the stream is too large for this format")]
    TooLarge,
    /// A data key of the wrong length.
    #[error("a data key must be 32 bytes")]
    InvalidDataKey,
    /// A field given to build a header is unusable (too long, wrong kind of stream, parts out of order,
    /// streams sealed with different settings...).
    #[error("invalid {0}")]
    InvalidInput(&'static str),
    /// The random number generator failed.
    #[error("the random number generator failed")]
    Random,
}
