//! The KMS's request and response types, in the shape of Alibaba Cloud KMS's API (field names serialize in
//! its PascalCase so JSON output reads like the real service's).

use std::collections::BTreeMap;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::secret::SecretBytes;
use crate::EncryptionContext;

/// Largest plaintext Encrypt accepts, in bytes (Alibaba KMS's limit).
pub const MAX_ENCRYPT_PLAINTEXT: usize = 6144;
/// Largest data key GenerateDataKey makes, in bytes (`NumberOfBytes` 1..=1024).
pub const MAX_DATA_KEY_BYTES: usize = 1024;
/// Shortest pending window of ScheduleKeyDeletion, days.
pub const MIN_PENDING_WINDOW_DAYS: u32 = 7;
/// Longest pending window of ScheduleKeyDeletion, days.
pub const MAX_PENDING_WINDOW_DAYS: u32 = 366;

/// The lifecycle state of a customer master key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum KeyState {
    /// Usable for every operation.
    Enabled,
    /// Refuses cryptographic operations until enabled again.
    Disabled,
    /// Scheduled for deletion; refuses cryptographic operations; the deletion can still be cancelled.
    PendingDeletion,
}

/// One version of a CMK. Rotation adds a version; old versions stay for decryption.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct KeyVersion {
    /// The version's id (UUID form).
    pub key_version_id: String,
    /// When it was created, unix seconds.
    pub creation_date: u64,
}

/// Everything the KMS tells about a key (DescribeKey).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct KeyMetadata {
    /// The key id (UUID form).
    pub key_id: String,
    /// Free text given at creation.
    pub description: String,
    /// When the key was created, unix seconds.
    pub creation_date: u64,
    /// Its state.
    pub key_state: KeyState,
    /// The version new ciphertexts are made with (the newest).
    pub primary_key_version: String,
    /// All versions, oldest first.
    pub key_versions: Vec<KeyVersion>,
    /// Automatic rotation interval in seconds, when automatic rotation is on.
    pub rotation_interval: Option<u64>,
    /// When the newest version was made (by creation or rotation), unix seconds.
    pub last_rotation_date: u64,
    /// When automatic rotation will next add a version, unix seconds.
    pub next_rotation_date: Option<u64>,
    /// When a scheduled deletion takes effect, unix seconds.
    pub delete_date: Option<u64>,
    /// The aliases pointing at the key.
    pub aliases: Vec<String>,
}

/// An alias and the key it points at.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AliasEntry {
    /// `alias/...`.
    pub alias_name: String,
    /// The key id.
    pub key_id: String,
}

/// CreateKey's parameters.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CreateKeyRequest {
    /// Free text.
    pub description: String,
    /// Turn on automatic rotation with this interval (whole seconds, at least one).
    pub rotation_interval: Option<Duration>,
}

/// The length of a data key, as GenerateDataKey's `KeySpec`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum DataKeySpec {
    /// 32 bytes.
    #[default]
    Aes256,
    /// 16 bytes.
    Aes128,
}

impl DataKeySpec {
    /// Key length in bytes.
    pub fn byte_len(self) -> usize {
        match self {
            Self::Aes256 => 32,
            Self::Aes128 => 16,
        }
    }

    /// The API's name: `AES_256` / `AES_128`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Aes256 => "AES_256",
            Self::Aes128 => "AES_128",
        }
    }
}

impl std::str::FromStr for DataKeySpec {
    type Err = crate::KmsError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "AES_256" => Ok(Self::Aes256),
            "AES_128" => Ok(Self::Aes128),
            other => Err(crate::KmsError::invalid(format!(
                "KeySpec {other:?} is not AES_256 or AES_128"
            ))),
        }
    }
}

/// GenerateDataKey's parameters.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GenerateDataKeyRequest {
    /// Key id or alias.
    pub key_id: String,
    /// Length by name; ignored when `number_of_bytes` is given (as in Alibaba KMS).
    pub key_spec: Option<DataKeySpec>,
    /// Length in bytes, 1..=1024.
    pub number_of_bytes: Option<usize>,
    /// Context bound to the blob.
    pub encryption_context: EncryptionContext,
}

impl GenerateDataKeyRequest {
    /// An AES_256 data key under `key_id` with `context`.
    pub fn new(key_id: impl Into<String>, encryption_context: EncryptionContext) -> Self {
        Self {
            key_id: key_id.into(),
            encryption_context,
            ..Self::default()
        }
    }
}

/// A data key: its plaintext for immediate use, and the blob to store beside the data.
#[derive(Clone, Debug)]
pub struct DataKey {
    /// The key id (never the alias) it was made under.
    pub key_id: String,
    /// The version it was made under.
    pub key_version_id: String,
    /// The plaintext data key; wiped on drop, redacted in Debug.
    pub plaintext: SecretBytes,
    /// The data key encrypted under the CMK.
    pub ciphertext_blob: Vec<u8>,
}

/// Encrypt's parameters.
#[derive(Clone, Debug)]
pub struct EncryptRequest {
    /// Key id or alias.
    pub key_id: String,
    /// 1..=6144 bytes.
    pub plaintext: SecretBytes,
    /// Context bound to the blob.
    pub encryption_context: EncryptionContext,
}

/// Encrypt's and ReEncrypt's result.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ciphertext {
    /// The key id it was made under.
    pub key_id: String,
    /// The version it was made under.
    pub key_version_id: String,
    /// The blob.
    pub ciphertext_blob: Vec<u8>,
}

/// Decrypt's parameters.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DecryptRequest {
    /// A blob from GenerateDataKey, Encrypt or ReEncrypt.
    pub ciphertext_blob: Vec<u8>,
    /// The context it was made with.
    pub encryption_context: EncryptionContext,
    /// When set (key id or alias), the blob must be under this key, else `Rejected.IncorrectKey`.
    pub expected_key_id: Option<String>,
}

impl DecryptRequest {
    /// Decrypt `ciphertext_blob` with `encryption_context`.
    pub fn new(ciphertext_blob: Vec<u8>, encryption_context: EncryptionContext) -> Self {
        Self {
            ciphertext_blob,
            encryption_context,
            expected_key_id: None,
        }
    }
}

/// Decrypt's result.
#[derive(Clone, Debug)]
pub struct Decrypted {
    /// The key the blob was under.
    pub key_id: String,
    /// The version the blob was under.
    pub key_version_id: String,
    /// The plaintext; wiped on drop, redacted in Debug.
    pub plaintext: SecretBytes,
}

/// ReEncrypt's parameters: decrypt under the source context, encrypt under the destination key's newest
/// version, never handing the plaintext out.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReEncryptRequest {
    /// The blob to rewrap.
    pub ciphertext_blob: Vec<u8>,
    /// Its context.
    pub source_encryption_context: EncryptionContext,
    /// Key id or alias to rewrap to; `None` means the blob's own key (rewrap to its newest version).
    pub destination_key_id: Option<String>,
    /// Context of the new blob; `None` keeps the source context.
    pub destination_encryption_context: Option<EncryptionContext>,
}

/// ReEncrypt's result.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReEncrypted {
    /// The new blob and the key and version it is under.
    pub ciphertext: Ciphertext,
    /// The key the source blob was under.
    pub source_key_id: String,
    /// The version the source blob was under.
    pub source_key_version_id: String,
}

/// A metered KMS operation. The names are Alibaba KMS's API action names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Operation {
    /// CreateKey.
    CreateKey,
    /// DescribeKey.
    DescribeKey,
    /// ListKeys.
    ListKeys,
    /// CreateAlias.
    CreateAlias,
    /// ListAliases.
    ListAliases,
    /// GenerateDataKey.
    GenerateDataKey,
    /// Encrypt.
    Encrypt,
    /// Decrypt.
    Decrypt,
    /// ReEncrypt.
    ReEncrypt,
    /// EnableKey.
    EnableKey,
    /// DisableKey.
    DisableKey,
    /// ScheduleKeyDeletion.
    ScheduleKeyDeletion,
    /// CancelKeyDeletion.
    CancelKeyDeletion,
    /// RotateKey (on demand; automatic rotations are not API calls and are not counted).
    RotateKey,
    /// UpdateRotationPolicy.
    UpdateRotationPolicy,
}

impl Operation {
    /// Every operation, in declaration order.
    pub const ALL: [Operation; 15] = [
        Self::CreateKey,
        Self::DescribeKey,
        Self::ListKeys,
        Self::CreateAlias,
        Self::ListAliases,
        Self::GenerateDataKey,
        Self::Encrypt,
        Self::Decrypt,
        Self::ReEncrypt,
        Self::EnableKey,
        Self::DisableKey,
        Self::ScheduleKeyDeletion,
        Self::CancelKeyDeletion,
        Self::RotateKey,
        Self::UpdateRotationPolicy,
    ];

    /// The API action name.
    pub fn name(self) -> &'static str {
        match self {
            Self::CreateKey => "CreateKey",
            Self::DescribeKey => "DescribeKey",
            Self::ListKeys => "ListKeys",
            Self::CreateAlias => "CreateAlias",
            Self::ListAliases => "ListAliases",
            Self::GenerateDataKey => "GenerateDataKey",
            Self::Encrypt => "Encrypt",
            Self::Decrypt => "Decrypt",
            Self::ReEncrypt => "ReEncrypt",
            Self::EnableKey => "EnableKey",
            Self::DisableKey => "DisableKey",
            Self::ScheduleKeyDeletion => "ScheduleKeyDeletion",
            Self::CancelKeyDeletion => "CancelKeyDeletion",
            Self::RotateKey => "RotateKey",
            Self::UpdateRotationPolicy => "UpdateRotationPolicy",
        }
    }
}

/// Calls and failed calls of one operation.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct OperationUsage {
    /// Every call, successful or not.
    pub calls: u64,
    /// Calls that returned an error.
    pub errors: u64,
}

/// The metering snapshot: what has been called, per operation and per key.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UsageReport {
    /// When counting started (the store's creation), unix seconds.
    pub since: u64,
    /// Per operation, all keys together (including calls that never resolved to a key).
    pub operations: BTreeMap<Operation, OperationUsage>,
    /// Per key id, per operation: the calls that named (or, for Decrypt and ReEncrypt, whose blob named)
    /// an existing key, successful or not.
    pub keys: BTreeMap<String, BTreeMap<Operation, u64>>,
}

impl UsageReport {
    /// Total calls of `op`.
    pub fn calls(&self, op: Operation) -> u64 {
        self.operations.get(&op).map_or(0, |u| u.calls)
    }

    /// Calls of `op` against `key_id`.
    pub fn key_calls(&self, key_id: &str, op: Operation) -> u64 {
        self.keys
            .get(key_id)
            .and_then(|ops| ops.get(&op))
            .copied()
            .unwrap_or(0)
    }

    /// All calls of all operations.
    pub fn total_calls(&self) -> u64 {
        self.operations.values().map(|u| u.calls).sum()
    }
}
