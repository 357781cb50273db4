//! The records the store keeps on disk (as JSON) and in memory: buckets, objects, multipart uploads and
//! parts. An object's body is a list of immutable segments (one for PutObject, one per part for a multipart
//! upload, one per append), each in its own blob file; the record says how each segment is encoded, so the
//! encryption engine adds a codec variant and an object-level descriptor without changing the layout.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// What a bucket's record holds.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct BucketMeta {
    /// Bucket name (already validated: lower-case letters, digits, hyphens).
    pub name: String,
    /// Creation time, unix seconds.
    pub created: i64,
    /// Region the bucket reports (`GetBucketLocation` answers `oss-<region>`).
    pub region: String,
    /// Storage class given at creation (`Standard` by default).
    #[serde(default = "standard")]
    pub storage_class: String,
    /// Canned ACL given at creation (`private` by default).
    #[serde(default = "private")]
    pub acl: String,
    /// The bucket's default encryption rule (Put/Get/DeleteBucketEncryption).
    #[serde(default)]
    pub encryption: Option<BucketEncryption>,
}

fn standard() -> String {
    "Standard".to_owned()
}

fn private() -> String {
    "private".to_owned()
}

/// A bucket's default server-side encryption rule, as PutBucketEncryption accepted it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct BucketEncryption {
    /// `AES256`, `KMS` or `SM4`.
    pub algorithm: String,
    /// The CMK id for `KMS` (absent: the default service key).
    #[serde(default)]
    pub kms_master_key_id: Option<String>,
    /// `SM4` when KMS should encrypt the data with SM4.
    #[serde(default)]
    pub kms_data_encryption: Option<String>,
}

/// How an object was created: OSS reports it as `x-oss-object-type`.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
pub enum ObjectType {
    /// PutObject or CopyObject.
    Normal,
    /// CompleteMultipartUpload.
    Multipart,
    /// AppendObject.
    Appendable,
}

impl ObjectType {
    /// The value of `x-oss-object-type` / `<Type>` in listings.
    pub fn as_str(self) -> &'static str {
        match self {
            ObjectType::Normal => "Normal",
            ObjectType::Multipart => "Multipart",
            ObjectType::Appendable => "Appendable",
        }
    }
}

/// How a segment's bytes are stored in its blob.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, Default)]
#[serde(tag = "codec", rename_all = "snake_case")]
pub enum SegmentCodec {
    /// The blob holds the bytes as they are.
    #[default]
    Plain,
    /// The blob holds one oss-sse-seal stream (segments of AES-256-GCM or SM4-GCM ciphertext); `record`
    /// is the stream's authenticated record (base64 of `StreamRecord::encode`), which a multipart part
    /// needs until CompleteMultipartUpload binds it into the object's header.
    Sealed {
        /// Base64 of the stream record.
        record: String,
    },
}

/// One immutable piece of an object's body.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Segment {
    /// Blob file name in the bucket's `blobs` directory (32 upper-case hex characters).
    pub blob: String,
    /// Bytes of object data (plaintext) this segment contributes.
    pub len: u64,
    /// Bytes the blob holds on disk (equal to `len` for `Plain`).
    pub stored_len: u64,
    /// How the blob encodes the data.
    #[serde(default, flatten)]
    pub codec: SegmentCodec,
}

/// The server-side encryption an object (or a multipart upload) was written with: the algorithm and key
/// the response headers echo, plus whatever the encryption engine needs to open the body again (the wrapped
/// data key and its format parameters). `None` on the object: stored unencrypted, no headers returned.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, Default)]
pub struct EncryptionDescriptor {
    /// `AES256`, `KMS` or `SM4` (`x-oss-server-side-encryption`).
    pub algorithm: String,
    /// The KMS key id used (`x-oss-server-side-encryption-key-id`), KMS only.
    #[serde(default)]
    pub kms_key_id: Option<String>,
    /// `SM4` when the data itself is SM4-encrypted under KMS (`x-oss-server-side-data-encryption`).
    #[serde(default)]
    pub data_encryption: Option<String>,
    /// The wrapped data key (base64 of the KMS ciphertext blob) of a multipart upload, kept in the
    /// upload's record between initiation and completion. Objects carry it inside `header` instead.
    #[serde(default)]
    pub wrapped_key: Option<String>,
    /// The KMS key that wrapped `wrapped_key` (the service master key for SSE-OSS / SM4).
    #[serde(default)]
    pub wrapping_key_id: Option<String>,
    /// The version of that key.
    #[serde(default)]
    pub wrapping_key_version: Option<String>,
    /// The write's generation, bound into every sealed segment and the header with bucket and key.
    #[serde(default)]
    pub generation: u64,
    /// The object's oss-sse-seal header (base64): format parameters, streams, and the envelope with the
    /// wrapped data key. Absent on upload records (the header exists once the parts are known).
    #[serde(default)]
    pub header: Option<String>,
}

/// An object's record.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ObjectMeta {
    /// The full key (never used as a path).
    pub key: String,
    /// Object size in bytes.
    pub size: u64,
    /// ETag without quotes (upper-case MD5 hex, or `<md5-of-md5s>-<n>` for multipart).
    pub etag: String,
    /// CRC-64/ECMA (as OSS computes `x-oss-hash-crc64ecma`) of the whole object.
    pub crc64: u64,
    /// Last modification, unix seconds.
    pub last_modified: i64,
    /// `Content-Type`.
    pub content_type: String,
    /// Other stored standard headers (`Cache-Control`, `Content-Disposition`, `Content-Encoding`,
    /// `Content-Language`, `Expires`), lower-case names.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// User metadata: lower-case names without the `x-oss-meta-` prefix.
    #[serde(default)]
    pub user_meta: BTreeMap<String, String>,
    /// How the object was created.
    pub object_type: ObjectType,
    /// The body, in order.
    pub segments: Vec<Segment>,
    /// Server-side encryption, if any.
    #[serde(default)]
    pub encryption: Option<EncryptionDescriptor>,
}

/// A multipart upload's record (`uploads/<id>/upload.json`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct UploadMeta {
    /// Upload id (32 upper-case hex characters).
    pub upload_id: String,
    /// Target key.
    pub key: String,
    /// Initiation time, unix seconds.
    pub initiated: i64,
    /// `Content-Type` for the final object.
    pub content_type: String,
    /// Standard headers for the final object.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// User metadata for the final object.
    #[serde(default)]
    pub user_meta: BTreeMap<String, String>,
    /// Encryption chosen at initiation; every part and the final object use it.
    #[serde(default)]
    pub encryption: Option<EncryptionDescriptor>,
}

/// An uploaded part's record (`uploads/<id>/part-<n>.json`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct PartMeta {
    /// Part number, 1..=10000.
    pub number: u32,
    /// Upper-case MD5 hex of the part's data (its ETag, unquoted).
    pub etag: String,
    /// CRC-64/ECMA of the part's data.
    pub crc64: u64,
    /// Upload time, unix seconds.
    pub last_modified: i64,
    /// The stored data.
    pub segment: Segment,
}
