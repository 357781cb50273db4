//! The typed options and results of client calls: object encryption ([`Sse`] in, [`Encryption`] out),
//! metadata, listings, multipart pieces.

use std::sync::Arc;

use crate::client::header;
use crate::{DataEncryption, Encryption, ServerSideEncryptionRule, SseAlgorithm};

/// Server-side encryption requested for an upload (PutObject, CopyObject, InitiateMultipartUpload).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sse {
    /// SSE-OSS: OSS-managed keys, AES-256.
    Aes256,
    /// SSE-KMS: a data key from KMS under `key_id` (the default service key `alias/acs/oss` when `None`);
    /// `data_encryption: Some(Sm4)` encrypts the data with SM4 instead of AES-256.
    Kms {
        /// The CMK id; `None` for the default service key.
        key_id: Option<String>,
        /// SM4 data encryption under KMS.
        data_encryption: Option<DataEncryption>,
    },
    /// SM4 with OSS-managed keys.
    Sm4,
}

impl Sse {
    /// SSE-KMS with the default service key.
    pub fn kms() -> Sse {
        Sse::Kms {
            key_id: None,
            data_encryption: None,
        }
    }

    /// SSE-KMS with a named CMK.
    pub fn kms_key(key_id: impl Into<String>) -> Sse {
        Sse::Kms {
            key_id: Some(key_id.into()),
            data_encryption: None,
        }
    }

    /// The object encryption this asks for, as oss-sse-core writes it into request headers.
    pub fn to_encryption(&self) -> Encryption {
        match self {
            Sse::Aes256 => Encryption {
                algorithm: SseAlgorithm::Aes256,
                key_id: None,
                data_encryption: None,
            },
            Sse::Sm4 => Encryption {
                algorithm: SseAlgorithm::Sm4,
                key_id: None,
                data_encryption: None,
            },
            Sse::Kms {
                key_id,
                data_encryption,
            } => Encryption {
                algorithm: SseAlgorithm::Kms,
                key_id: key_id.clone().filter(|k| !k.is_empty()),
                data_encryption: *data_encryption,
            },
        }
    }
}

/// The encryption a response reports (`None` when the object is not encrypted or the headers are not
/// understood).
pub(crate) fn response_encryption(headers: &[(String, String)]) -> Option<Encryption> {
    Encryption::from_headers(headers).ok().flatten()
}

/// An acknowledgement with nothing in it but the request id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ack {
    /// The `x-oss-request-id`.
    pub request_id: String,
}

/// Options of PutObject.
#[derive(Debug, Clone, Default)]
pub struct PutObjectOptions {
    /// Content-Type (default `application/octet-stream` on the server).
    pub content_type: Option<String>,
    /// User metadata, sent as `x-oss-meta-<name>`.
    pub metadata: Vec<(String, String)>,
    /// Server-side encryption.
    pub sse: Option<Sse>,
    /// Any further request headers (Cache-Control, Content-Disposition, x-oss-object-acl, ...).
    pub headers: Vec<(String, String)>,
}

/// Result of PutObject.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PutObjectOutput {
    /// The ETag (quoted, as OSS returns it).
    pub etag: String,
    /// The server's CRC64-ECMA of the object, checked against ours when CRC checks are on.
    pub crc64: Option<u64>,
    /// The version id, on versioned buckets.
    pub version_id: Option<String>,
    /// How the object is encrypted.
    pub encryption: Option<Encryption>,
    /// The request id.
    pub request_id: String,
}

/// Options of GetObject.
#[derive(Debug, Clone, Default)]
pub struct GetObjectOptions {
    /// A byte range: first byte, and last byte inclusive (`None`: to the end).
    pub range: Option<(u64, Option<u64>)>,
    /// The last `n` bytes (a suffix range); ignored when `range` is set.
    pub suffix: Option<u64>,
    /// If-Match.
    pub if_match: Option<String>,
    /// If-None-Match.
    pub if_none_match: Option<String>,
    /// If-Modified-Since (an HTTP date).
    pub if_modified_since: Option<String>,
    /// If-Unmodified-Since (an HTTP date).
    pub if_unmodified_since: Option<String>,
    /// `response-*` query overrides (`response-content-type`, ...), as (name, value).
    pub response_overrides: Vec<(String, String)>,
    /// Any further request headers.
    pub headers: Vec<(String, String)>,
}

/// An object's metadata, from HeadObject or GetObject.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectMeta {
    /// The HTTP status (200, or 206 for a range).
    pub status: u16,
    /// Content-Length of this response (the range length for a ranged GET).
    pub content_length: u64,
    /// Content-Type.
    pub content_type: Option<String>,
    /// ETag.
    pub etag: Option<String>,
    /// Last-Modified (HTTP date).
    pub last_modified: Option<String>,
    /// The whole object's CRC64-ECMA.
    pub crc64: Option<u64>,
    /// Content-Range, for ranged reads.
    pub content_range: Option<String>,
    /// Object type (`Normal`, `Multipart`, `Appendable`).
    pub object_type: Option<String>,
    /// How the object is encrypted.
    pub encryption: Option<Encryption>,
    /// User metadata (`x-oss-meta-*`, prefix stripped, names lower-cased).
    pub user_metadata: Vec<(String, String)>,
    /// Every response header, names lower-cased.
    pub headers: Vec<(String, String)>,
    /// The request id.
    pub request_id: String,
}

impl ObjectMeta {
    pub(crate) fn from_headers(status: u16, headers: Vec<(String, String)>) -> ObjectMeta {
        let get = |n: &str| header(&headers, n).map(str::to_owned);
        ObjectMeta {
            status,
            content_length: get("content-length")
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(0),
            content_type: get("content-type"),
            etag: get("etag"),
            last_modified: get("last-modified"),
            crc64: get("x-oss-hash-crc64ecma").and_then(|v| v.trim().parse().ok()),
            content_range: get("content-range"),
            object_type: get("x-oss-object-type"),
            encryption: response_encryption(&headers),
            user_metadata: headers
                .iter()
                .filter_map(|(k, v)| {
                    k.strip_prefix("x-oss-meta-")
                        .map(|n| (n.to_string(), v.clone()))
                })
                .collect(),
            request_id: get("x-oss-request-id").unwrap_or_default(),
            headers,
        }
    }

    /// A response header by name (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        header(&self.headers, name)
    }
}

/// Options of CopyObject.
#[derive(Debug, Clone, Default)]
pub struct CopyObjectOptions {
    /// Encryption of the destination (the source's is not carried over).
    pub sse: Option<Sse>,
    /// Replace the metadata with this instead of copying the source's (`x-oss-metadata-directive: REPLACE`).
    pub replace_metadata: Option<Vec<(String, String)>>,
    /// Content-Type with `replace_metadata`.
    pub content_type: Option<String>,
    /// Copy a specific version of the source.
    pub source_version_id: Option<String>,
    /// Any further request headers (`x-oss-copy-source-if-match`, ...).
    pub headers: Vec<(String, String)>,
}

/// Result of CopyObject.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyObjectOutput {
    /// The new object's ETag.
    pub etag: String,
    /// Its LastModified.
    pub last_modified: String,
    /// How the new object is encrypted.
    pub encryption: Option<Encryption>,
    /// The request id.
    pub request_id: String,
}

/// Options of InitiateMultipartUpload.
#[derive(Debug, Clone, Default)]
pub struct InitiateMultipartOptions {
    /// Content-Type of the final object.
    pub content_type: Option<String>,
    /// User metadata.
    pub metadata: Vec<(String, String)>,
    /// Encryption of the final object (set here, never on the parts).
    pub sse: Option<Sse>,
    /// Any further request headers.
    pub headers: Vec<(String, String)>,
}

/// Result of InitiateMultipartUpload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InitiateMultipartOutput {
    /// The upload id.
    pub upload_id: String,
    /// The encryption the object will have.
    pub encryption: Option<Encryption>,
    /// The request id.
    pub request_id: String,
}

/// Result of UploadPart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadPartOutput {
    /// The part number.
    pub part_number: u32,
    /// The part's ETag, needed to complete.
    pub etag: String,
    /// The server's CRC64 of the part.
    pub crc64: Option<u64>,
    /// The upload's encryption.
    pub encryption: Option<Encryption>,
    /// The request id.
    pub request_id: String,
}

/// Result of CompleteMultipartUpload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompleteMultipartOutput {
    /// The object's ETag.
    pub etag: String,
    /// The server's CRC64 of the whole object.
    pub crc64: Option<u64>,
    /// How the object is encrypted.
    pub encryption: Option<Encryption>,
    /// The request id.
    pub request_id: String,
}

/// A part listed by ListParts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartInfo {
    /// Part number.
    pub part_number: u32,
    /// ETag.
    pub etag: String,
    /// Size in bytes.
    pub size: u64,
    /// LastModified.
    pub last_modified: String,
}

/// Options of ListObjects (V2).
#[derive(Debug, Clone, Default)]
pub struct ListObjectsOptions {
    /// Only keys starting with this.
    pub prefix: Option<String>,
    /// Group keys by this separator into common prefixes.
    pub delimiter: Option<String>,
    /// Continue from a previous page (V2).
    pub continuation_token: Option<String>,
    /// Start after this key (V2 `start-after`, V1 `marker`).
    pub start_after: Option<String>,
    /// Page size (1..1000).
    pub max_keys: Option<u32>,
}

/// One object in a listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectSummary {
    /// Key.
    pub key: String,
    /// Size in bytes (the plaintext size for encrypted objects).
    pub size: u64,
    /// ETag.
    pub etag: String,
    /// LastModified.
    pub last_modified: String,
    /// Storage class.
    pub storage_class: String,
}

/// One page of a listing.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ObjectListing {
    /// Objects.
    pub objects: Vec<ObjectSummary>,
    /// Common prefixes (with a delimiter).
    pub common_prefixes: Vec<String>,
    /// Whether more pages follow.
    pub is_truncated: bool,
    /// The token for the next page (ListObjectsV2).
    pub next_continuation_token: Option<String>,
    /// The marker for the next page (ListObjects V1).
    pub next_marker: Option<String>,
    /// The request id.
    pub request_id: String,
}

/// A bucket in ListBuckets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BucketSummary {
    /// Name.
    pub name: String,
    /// Location (`oss-cn-hangzhou`).
    pub location: String,
    /// CreationDate.
    pub creation_date: String,
}

/// GetBucketInfo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BucketInfo {
    /// Name.
    pub name: String,
    /// Location.
    pub location: String,
    /// CreationDate.
    pub creation_date: String,
    /// ExtranetEndpoint.
    pub extranet_endpoint: String,
    /// StorageClass.
    pub storage_class: String,
    /// The default encryption rule (`None` when the bucket has none).
    pub encryption: Option<ServerSideEncryptionRule>,
    /// The request id.
    pub request_id: String,
}

/// Progress callback: (bytes done, bytes total) → keep going? Returning `false` cancels the transfer
/// with [`crate::Error::Cancelled`].
pub type ProgressFn = Arc<dyn Fn(u64, u64) -> bool + Send + Sync>;
