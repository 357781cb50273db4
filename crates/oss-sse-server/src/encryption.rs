//! The encryption engine: envelope keys from the KMS and the oss-sse-seal format around object bodies.
//!
//! Every encrypted write gets a fresh 256-bit data key from `GenerateDataKey`: under the requested CMK for
//! SSE-KMS (`KMS`, optionally with SM4 data encryption), under the emulator's service master key
//! ([`MASTER_KEY_ALIAS`], rotated on a schedule) for SSE-OSS (`AES256`) and `SM4`. The encryption context
//! binds the bucket and the object key. The wrapped key travels in the object's seal header (its
//! envelope); the plaintext key lives only in memory for the request. Each write also gets a random
//! generation, which the header and every sealed segment bind together with bucket and key, so no stored
//! byte opens as another object or another write of the same one.
//!
//! Reading asks the KMS to unwrap the key (so a disabled or pending-deletion CMK stops reads), verifies
//! the header against the identity from the object's record, and then decrypts only the segments a range
//! needs. Any authentication failure is a 500 `InternalError` naming the object, and a log line.

use std::fmt::Display;

use base64::Engine as _;
use http::StatusCode;
use oss_sse_kms::{DecryptRequest, EncryptionContext, GenerateDataKeyRequest, Kms, KmsError};
use oss_sse_seal::{
    Cipher, DataKey, Envelope, Header, ObjectId, OpenedObject, SealConfig, StreamRecord,
};
use ring::rand::SecureRandom as _;

use crate::error::ApiError;
use crate::storage::meta::{EncryptionDescriptor, ObjectMeta, Segment, SegmentCodec};

/// The alias of the emulator's SSE-OSS service master key in its KMS.
pub const MASTER_KEY_ALIAS: &str = "alias/acs/oss-sse-master";

/// The default CMK of SSE-KMS when neither the request nor the bucket names one.
pub const DEFAULT_KMS_KEY: &str = crate::server::sse::DEFAULT_KMS_KEY;

fn b64() -> base64::engine::GeneralPurpose {
    base64::engine::general_purpose::STANDARD
}

/// The encryption context of an object's data key: bucket and object key.
pub fn context(bucket: &str, key: &str) -> EncryptionContext {
    EncryptionContext::new()
        .with("bucket", bucket)
        .with("object", key)
}

/// The data cipher a descriptor asks for: SM4-GCM for `SM4` or `KMS` + SM4 data encryption.
pub fn cipher_for(desc: &EncryptionDescriptor) -> Cipher {
    if desc.algorithm == "SM4" || desc.data_encryption.as_deref() == Some("SM4") {
        Cipher::Sm4Gcm
    } else {
        Cipher::Aes256Gcm
    }
}

/// The seal parameters for a descriptor (64 KiB segments).
pub fn config_for(desc: &EncryptionDescriptor) -> SealConfig {
    SealConfig::new(cipher_for(desc))
}

/// The KMS key that wraps a descriptor's data keys: the CMK for SSE-KMS, the service master key else.
pub fn wrapping_key(desc: &EncryptionDescriptor) -> String {
    if desc.algorithm == "KMS" {
        desc.kms_key_id
            .clone()
            .unwrap_or_else(|| DEFAULT_KMS_KEY.to_owned())
    } else {
        MASTER_KEY_ALIAS.to_owned()
    }
}

/// Maps a KMS failure to the OSS error a client sees. A disabled or pending-deletion key is a 403 naming
/// the state; a missing key 404 `KeyNotFound`; anything else a 500.
pub fn kms_error(e: &KmsError) -> ApiError {
    match e {
        KmsError::Disabled { .. } => ApiError::new(
            StatusCode::FORBIDDEN,
            "KmsKeyDisabled",
            format!(
                "The KMS key is in state Disabled and cannot be used to encrypt or decrypt objects; \
                 enable it to use its objects again ({e})."
            ),
        )
        .with_ec("0005-00000214"),
        KmsError::PendingDeletion { .. } => ApiError::new(
            StatusCode::FORBIDDEN,
            "KmsKeyPendingDeletion",
            format!(
                "The KMS key is in state PendingDeletion and cannot be used to encrypt or decrypt \
                 objects; cancel the deletion to use its objects again ({e})."
            ),
        )
        .with_ec("0005-00000215"),
        KmsError::KeyNotFound { .. } | KmsError::AliasNotFound { .. } | KmsError::KeyDeleted { .. } => {
            ApiError::new(
                StatusCode::NOT_FOUND,
                "KeyNotFound",
                "The specified parameter KMS keyId is not found",
            )
        }
        other => {
            tracing::error!(code = other.code(), error = %other, "KMS call failed");
            ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "InternalError",
                format!("The key service failed: {}", other.code()),
            )
        }
    }
}

/// The error for stored data that failed authentication: a 500 with a clear message, and a log line
/// naming the object. Never a wrong byte.
pub fn integrity_error(bucket: &str, key: &str, what: impl Display) -> ApiError {
    tracing::error!(bucket, key, error = %what, "encrypted object failed authentication");
    ApiError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "InternalError",
        format!(
            "The stored data of object {bucket}/{key} failed integrity verification and cannot be \
             returned: {what}"
        ),
    )
}

fn no_kms() -> ApiError {
    tracing::error!("an encrypted object needs a key service and none is configured");
    ApiError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "InternalError",
        "Server-side encryption needs a key service and this emulator has none configured.",
    )
}

/// Everything a write of an encrypted object needs: the plaintext data key (in memory only), the
/// envelope holding its wrapped form, and the identity it seals under.
pub struct WriteKey {
    /// The data key.
    pub key: DataKey,
    /// The wrapped key and the KMS key (and version) that wrapped it.
    pub envelope: Envelope,
    /// Bucket, key, generation.
    pub id: ObjectId,
    /// Cipher and segment size.
    pub config: SealConfig,
}

impl std::fmt::Debug for WriteKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WriteKey")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

impl WriteKey {
    /// A sealer for the body of a single (PutObject / CopyObject) object.
    pub fn object_sealer(&self) -> Result<oss_sse_seal::StreamSealer, ApiError> {
        oss_sse_seal::StreamSealer::object(&rng(), &self.key, &self.id, self.config)
            .map_err(seal_internal)
    }
}

fn rng() -> ring::rand::SystemRandom {
    ring::rand::SystemRandom::new()
}

fn seal_internal(e: oss_sse_seal::SealError) -> ApiError {
    tracing::error!(error = %e, "sealing failed");
    ApiError::internal()
}

/// A fresh generation number for a write (random, never 0).
pub fn new_generation() -> Result<u64, ApiError> {
    let mut b = [0u8; 8];
    rng().fill(&mut b).map_err(|_| ApiError::internal())?;
    Ok(u64::from_be_bytes(b).max(1))
}

/// Obtains a data key for a new write of `bucket`/`key` with `desc` (blocking: calls the KMS), fixing the
/// descriptor's generation and the key id actually used.
pub fn new_write_key(
    kms: Option<&std::sync::Arc<dyn Kms>>,
    desc: &mut EncryptionDescriptor,
    bucket: &str,
    key: &str,
) -> Result<WriteKey, ApiError> {
    let kms = kms.ok_or_else(no_kms)?;
    let generation = new_generation()?;
    let dk = kms
        .generate_data_key(&GenerateDataKeyRequest::new(
            wrapping_key(desc),
            context(bucket, key),
        ))
        .map_err(|e| match e {
            // A key id that cannot even be one names no key.
            KmsError::InvalidParameter { .. } => kms_error(&KmsError::KeyNotFound {
                key_id: wrapping_key(desc),
            }),
            other => kms_error(&other),
        })?;
    let data_key = DataKey::from_bytes(dk.plaintext.expose()).map_err(seal_internal)?;
    if desc.algorithm == "KMS" {
        desc.kms_key_id = Some(dk.key_id.clone());
    }
    desc.generation = generation;
    desc.header = None;
    desc.wrapped_key = None;
    desc.wrapping_key_id = None;
    desc.wrapping_key_version = None;
    Ok(WriteKey {
        key: data_key,
        envelope: Envelope {
            wrapped_key: dk.ciphertext_blob.clone(),
            kms_key_id: dk.key_id.clone(),
            kms_key_version: dk.key_version_id.clone(),
        },
        id: ObjectId::new(bucket, key, generation),
        config: config_for(desc),
    })
}

/// Unwraps a data key (blocking: calls the KMS).
pub fn unwrap_key(
    kms: Option<&std::sync::Arc<dyn Kms>>,
    wrapped: &[u8],
    bucket: &str,
    key: &str,
) -> Result<DataKey, ApiError> {
    let kms = kms.ok_or_else(no_kms)?;
    let out = kms
        .decrypt(&DecryptRequest::new(wrapped.to_vec(), context(bucket, key)))
        .map_err(|e| match e {
            KmsError::InvalidCiphertext { .. }
            | KmsError::CiphertextTampered
            | KmsError::EncryptionContextMismatch => integrity_error(
                bucket,
                key,
                format!("the wrapped data key was refused: {e}"),
            ),
            other => kms_error(&other),
        })?;
    DataKey::from_bytes(out.plaintext.expose()).map_err(seal_internal)
}

/// The stream record a sealed segment carries.
pub fn segment_record(seg: &Segment) -> Result<StreamRecord, oss_sse_seal::SealError> {
    match &seg.codec {
        SegmentCodec::Sealed { record } => {
            let raw = b64()
                .decode(record)
                .map_err(|_| oss_sse_seal::SealError::InvalidInput("stream record encoding"))?;
            StreamRecord::decode(&raw)
        }
        SegmentCodec::Plain => Err(oss_sse_seal::SealError::InvalidInput(
            "a plain segment in an encrypted object",
        )),
    }
}

/// Base64 of an encoded header, as records keep it.
pub fn encode_header(header: &Header) -> String {
    b64().encode(header.encode())
}

/// Decodes a record's header (still unverified).
pub fn decode_header(encoded: &str) -> Result<oss_sse_seal::UnverifiedHeader, String> {
    let raw = b64()
        .decode(encoded)
        .map_err(|_| "the header is not valid base64".to_owned())?;
    Header::decode(&raw).map_err(|e| e.to_string())
}

/// Whether an object's body is sealed (has a seal header).
pub fn is_sealed(meta: &ObjectMeta) -> bool {
    meta.encryption.as_ref().is_some_and(|d| d.header.is_some())
}

/// Opens an encrypted object for reading (blocking: unwraps its key with the KMS and verifies its
/// header against the record's identity). `None` for an object stored in plaintext.
pub fn open_object(
    kms: Option<&std::sync::Arc<dyn Kms>>,
    bucket: &str,
    meta: &ObjectMeta,
) -> Result<Option<OpenedObject>, ApiError> {
    let Some(desc) = meta.encryption.as_ref() else {
        return Ok(None);
    };
    let Some(encoded) = desc.header.as_deref() else {
        if meta
            .segments
            .iter()
            .any(|s| matches!(s.codec, SegmentCodec::Sealed { .. }))
        {
            return Err(integrity_error(
                bucket,
                &meta.key,
                "sealed segments without a header",
            ));
        }
        // Recorded with an algorithm before encryption at rest existed: stored as it is.
        return Ok(None);
    };
    let unverified = decode_header(encoded).map_err(|e| integrity_error(bucket, &meta.key, e))?;
    let key = unwrap_key(kms, &unverified.envelope().wrapped_key, bucket, &meta.key)?;
    let id = ObjectId::new(bucket, meta.key.as_str(), desc.generation);
    let opened = unverified
        .verify(&key, &id)
        .map_err(|e| integrity_error(bucket, &meta.key, e))?;
    if opened.plaintext_len() != meta.size || opened.header().streams().len() != meta.segments.len()
    {
        return Err(integrity_error(
            bucket,
            &meta.key,
            "the header does not match the object record",
        ));
    }
    for (entry, seg) in opened.header().streams().iter().zip(&meta.segments) {
        if entry.plaintext_len() != seg.len {
            return Err(integrity_error(
                bucket,
                &meta.key,
                "a stream length does not match the object record",
            ));
        }
    }
    Ok(Some(opened))
}

/// What a rewrap of a bucket did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RewrapReport {
    /// The bucket.
    pub bucket: String,
    /// Objects whose data key was re-wrapped under the newest version of its KMS key.
    pub rewrapped: u64,
    /// Encrypted objects already under the newest version (skipped: this is what makes a rerun resume).
    pub current: u64,
    /// Objects stored unencrypted.
    pub unencrypted: u64,
    /// Objects that changed while being rewrapped (left to the next run).
    pub changed: u64,
    /// Objects that could not be rewrapped, with the reason (e.g. a disabled CMK).
    pub failed: Vec<RewrapFailure>,
}

/// One object a rewrap could not handle.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RewrapFailure {
    /// The object key.
    pub key: String,
    /// Why.
    pub reason: String,
}

/// Re-wraps every data key in `bucket` under the newest version of the KMS key that wrapped it (the
/// service master key for SSE-OSS / SM4, the CMK for SSE-KMS), without touching any body: only the
/// envelope of each object's seal header changes (it is outside the header's tag), through the KMS's
/// ReEncrypt so the plaintext key never leaves the KMS. Each object's record is rewritten atomically
/// by the store's commit (crash-safe: a crash leaves every record either old or new, both readable), and
/// objects already under the newest version are skipped, so running it again resumes.
pub fn rewrap_bucket(
    store: &crate::storage::Store,
    kms: &dyn Kms,
    bucket: &str,
) -> Result<RewrapReport, crate::storage::StoreError> {
    let mut report = RewrapReport {
        bucket: bucket.to_owned(),
        ..RewrapReport::default()
    };
    let mut primaries: std::collections::BTreeMap<String, Result<String, String>> =
        std::collections::BTreeMap::new();
    for key in store.object_keys(bucket)? {
        let Ok(obj) = store.get(bucket, &key) else {
            continue;
        };
        let Some(encoded) = obj.meta.encryption.as_ref().and_then(|d| d.header.clone()) else {
            report.unencrypted += 1;
            continue;
        };
        let fail = |report: &mut RewrapReport, reason: String| {
            report.failed.push(RewrapFailure {
                key: key.clone(),
                reason,
            })
        };
        let unverified = match decode_header(&encoded) {
            Ok(u) => u,
            Err(e) => {
                fail(&mut report, format!("damaged header: {e}"));
                continue;
            }
        };
        let env = unverified.envelope().clone();
        let primary = primaries
            .entry(env.kms_key_id.clone())
            .or_insert_with(|| {
                kms.describe_key(&env.kms_key_id)
                    .map(|m| m.primary_key_version)
                    .map_err(|e| e.to_string())
            })
            .clone();
        match primary {
            Ok(p) if p == env.kms_key_version => {
                report.current += 1;
                continue;
            }
            Ok(_) => {}
            Err(e) => {
                fail(&mut report, e);
                continue;
            }
        }
        let out = match kms.re_encrypt(&oss_sse_kms::ReEncryptRequest {
            ciphertext_blob: env.wrapped_key.clone(),
            source_encryption_context: context(bucket, &key),
            destination_key_id: None,
            destination_encryption_context: None,
        }) {
            Ok(o) => o,
            Err(e) => {
                fail(&mut report, e.to_string());
                continue;
            }
        };
        let new_env = Envelope {
            wrapped_key: out.ciphertext.ciphertext_blob,
            kms_key_id: out.ciphertext.key_id,
            kms_key_version: out.ciphertext.key_version_id,
        };
        let new_header = match unverified.with_envelope(new_env) {
            Ok(h) => b64().encode(h.encode()),
            Err(e) => {
                fail(&mut report, e.to_string());
                continue;
            }
        };
        let old_header = encoded.clone();
        let committed = store.commit(bucket, &key, |current| {
            let Some(cur) = current else {
                return Err(crate::storage::StoreError::NoSuchKey);
            };
            if cur.encryption.as_ref().and_then(|d| d.header.as_deref()) != Some(&old_header) {
                // Overwritten or appended to meanwhile: its key is new anyway, or the next run sees it.
                return Err(crate::storage::StoreError::PreconditionFailed);
            }
            let mut next = cur.clone();
            if let Some(d) = next.encryption.as_mut() {
                d.header = Some(new_header);
            }
            Ok(next)
        });
        match committed {
            Ok(_) => report.rewrapped += 1,
            Err(
                crate::storage::StoreError::NoSuchKey
                | crate::storage::StoreError::PreconditionFailed,
            ) => report.changed += 1,
            Err(e) => return Err(e),
        }
    }
    Ok(report)
}
