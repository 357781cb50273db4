//! oss-sse-kms: the key service behind SSE-KMS and SSE-OSS.
//!
//! Customer master keys (CMKs) with versions and rotation, aliases, envelope data keys bound to an
//! encryption context, and a persistent keystore whose key material is sealed under a root key. The
//! [`Kms`] trait is the interface the OSS emulator uses; [`LocalKms`] implements it over a directory, and a
//! user with a real KMS can implement the same trait over that service.
//!
//! ```no_run
//! use oss_sse_kms::{DecryptRequest, EncryptionContext, GenerateDataKeyRequest, Kms, LocalKms};
//!
//! # fn main() -> Result<(), oss_sse_kms::KmsError> {
//! let kms = LocalKms::open("/var/lib/oss-sse/kms")?;
//! let ctx = EncryptionContext::new().with("bucket", "photos").with("object", "cat.jpg");
//! // The default service key is created the first time its alias is used.
//! let dk = kms.generate_data_key(&GenerateDataKeyRequest::new("alias/acs/oss", ctx.clone()))?;
//! // ... encrypt the object with dk.plaintext, store dk.ciphertext_blob beside it ...
//! let back = kms.decrypt(&DecryptRequest::new(dk.ciphertext_blob.clone(), ctx))?;
//! assert_eq!(back.plaintext.expose(), dk.plaintext.expose());
//! # Ok(()) }
//! ```
#![forbid(unsafe_code)]

use std::time::Duration;

mod blob;
mod clock;
mod context;
mod crypto;
mod error;
mod id;
mod local;
mod model;
mod secret;
mod store;

pub use blob::{
    inspect_blob, BlobInfo, BLOB_FORMAT_VERSION, BLOB_HEADER_LEN, BLOB_MAGIC, BLOB_MIN_LEN,
};
pub use clock::{format_rfc3339, Clock, ManualClock, SystemClock};
pub use context::{EncryptionContext, MAX_CONTEXT_BYTES};
pub use error::KmsError;
pub use local::{
    KmsOptions, LocalKms, DEFAULT_KEY_ALIAS, SERVICE_ALIAS_PREFIX, USAGE_FLUSH_INTERVAL,
};
pub use model::{
    AliasEntry, Ciphertext, CreateKeyRequest, DataKey, DataKeySpec, DecryptRequest, Decrypted,
    EncryptRequest, GenerateDataKeyRequest, KeyMetadata, KeyState, KeyVersion, Operation,
    OperationUsage, ReEncryptRequest, ReEncrypted, UsageReport, MAX_DATA_KEY_BYTES,
    MAX_ENCRYPT_PLAINTEXT, MAX_PENDING_WINDOW_DAYS, MIN_PENDING_WINDOW_DAYS,
};
pub use secret::SecretBytes;
pub use store::{RootKey, RootKeySource, ROOT_KEY_ENV};
/// The wiping wrapper some results come in (re-exported so callers need not depend on `zeroize`).
pub use zeroize::Zeroizing;

/// A key management service: the operations OSS server-side encryption needs from one.
///
/// Wherever a `key_id` is taken, a key id (UUID form) or an alias (`alias/...`) is accepted; results always
/// name the key id. Every call is metered (see [`Kms::usage`]).
pub trait Kms: Send + Sync {
    /// CreateKey: a new enabled CMK with one version.
    fn create_key(&self, request: &CreateKeyRequest) -> Result<KeyMetadata, KmsError>;

    /// DescribeKey.
    fn describe_key(&self, key_id: &str) -> Result<KeyMetadata, KmsError>;

    /// ListKeys: every key not yet deleted, oldest first.
    fn list_keys(&self) -> Result<Vec<KeyMetadata>, KmsError>;

    /// CreateAlias: `alias_name` (`alias/...`, not under `alias/acs/`) now names `key_id`.
    fn create_alias(&self, alias_name: &str, key_id: &str) -> Result<(), KmsError>;

    /// ListAliases.
    fn list_aliases(&self) -> Result<Vec<AliasEntry>, KmsError>;

    /// The key id a key id or alias refers to (creating the default key on first use of
    /// [`DEFAULT_KEY_ALIAS`]). Not an API call: not metered.
    fn resolve_key_id(&self, key_id_or_alias: &str) -> Result<String, KmsError>;

    /// GenerateDataKey: a fresh random data key, in plaintext and encrypted under the key's primary version.
    fn generate_data_key(&self, request: &GenerateDataKeyRequest) -> Result<DataKey, KmsError>;

    /// Encrypt: up to 6 KiB of plaintext under the key's primary version.
    fn encrypt(&self, request: &EncryptRequest) -> Result<Ciphertext, KmsError>;

    /// Decrypt: a blob from GenerateDataKey, Encrypt or ReEncrypt, under the key version it records.
    fn decrypt(&self, request: &DecryptRequest) -> Result<Decrypted, KmsError>;

    /// ReEncrypt: decrypts and re-encrypts under the newest version of the same or another key without
    /// returning the plaintext.
    fn re_encrypt(&self, request: &ReEncryptRequest) -> Result<ReEncrypted, KmsError>;

    /// EnableKey.
    fn enable_key(&self, key_id: &str) -> Result<KeyMetadata, KmsError>;

    /// DisableKey: the key refuses cryptographic operations until enabled.
    fn disable_key(&self, key_id: &str) -> Result<KeyMetadata, KmsError>;

    /// ScheduleKeyDeletion: deletion after `pending_window_days` (7..=366); cancellable until then.
    fn schedule_key_deletion(
        &self,
        key_id: &str,
        pending_window_days: u32,
    ) -> Result<KeyMetadata, KmsError>;

    /// CancelKeyDeletion: the key returns to the state it had when deletion was scheduled.
    fn cancel_key_deletion(&self, key_id: &str) -> Result<KeyMetadata, KmsError>;

    /// RotateKey: adds a version, which becomes primary; older versions keep decrypting.
    fn rotate_key(&self, key_id: &str) -> Result<KeyMetadata, KmsError>;

    /// UpdateRotationPolicy: automatic rotation every `rotation_interval`, or off with `None`.
    fn update_rotation_policy(
        &self,
        key_id: &str,
        rotation_interval: Option<Duration>,
    ) -> Result<KeyMetadata, KmsError>;

    /// The metering counters so far.
    fn usage(&self) -> Result<UsageReport, KmsError>;
}
