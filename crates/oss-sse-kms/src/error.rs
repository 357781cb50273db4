//! The one error type of the KMS, with an error code per failure in the style of Alibaba Cloud KMS.
//!
//! Codes marked *(Alibaba)* below are the ones Alibaba Cloud KMS documents for the same situation; the others
//! are local codes in the same `Category.Detail` style, used where Alibaba has no code for a case we keep
//! distinct. Every `Display` starts with the code so a caller (or the CLI) printing the error shows it.

use std::io;
use std::path::PathBuf;

use crate::model::KeyState;

/// What went wrong in a KMS call.
///
/// Messages never include key material or plaintext; they name only key ids, aliases and states.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum KmsError {
    /// No key with this id exists in the store. Code `Forbidden.KeyNotFound` *(Alibaba)*.
    #[error("Forbidden.KeyNotFound: the specified key {key_id} is not found")]
    KeyNotFound {
        /// The key id (or unparseable string) that was asked for.
        key_id: String,
    },
    /// No alias with this name exists. Code `Forbidden.AliasNotFound` *(Alibaba)*.
    #[error("Forbidden.AliasNotFound: the specified alias {alias} is not found")]
    AliasNotFound {
        /// The alias name.
        alias: String,
    },
    /// The key existed but its scheduled deletion has completed; its material is gone. Code
    /// `Forbidden.KeyDeleted` (local; Alibaba answers `Forbidden.KeyNotFound` once a key is gone).
    #[error("Forbidden.KeyDeleted: the key {key_id} was deleted and nothing encrypted under it can be decrypted")]
    KeyDeleted {
        /// The deleted key's id.
        key_id: String,
    },
    /// The blob names a version this key does not have. Code `Forbidden.KeyVersionNotFound` (local).
    #[error("Forbidden.KeyVersionNotFound: the key {key_id} has no version {key_version_id}")]
    KeyVersionNotFound {
        /// The key id.
        key_id: String,
        /// The missing version id.
        key_version_id: String,
    },
    /// The key is disabled. Code `Rejected.Disabled` *(Alibaba)*.
    #[error("Rejected.Disabled: the key {key_id} is disabled")]
    Disabled {
        /// The disabled key's id.
        key_id: String,
    },
    /// The key is scheduled for deletion and cannot be used until the deletion is cancelled. Code
    /// `Rejected.PendingDeletion` (local).
    #[error("Rejected.PendingDeletion: the key {key_id} is pending deletion (deletion date {delete_date}, unix seconds)")]
    PendingDeletion {
        /// The key's id.
        key_id: String,
        /// When the deletion takes effect, unix seconds.
        delete_date: u64,
    },
    /// The operation does not apply to the key in its current state (e.g. cancelling the deletion of a
    /// key that is not pending deletion). Code `Rejected.InvalidKeyState` (local).
    #[error(
        "Rejected.InvalidKeyState: {operation} is not possible while the key {key_id} is {state:?}"
    )]
    InvalidKeyState {
        /// The key's id.
        key_id: String,
        /// Its state.
        state: KeyState,
        /// The operation that was refused.
        operation: &'static str,
    },
    /// An alias with this name already exists. Code `Rejected.AliasExists` (local).
    #[error("Rejected.AliasExists: the alias {alias} already exists")]
    AliasExists {
        /// The alias name.
        alias: String,
    },
    /// The request touches something reserved for the service: an `alias/acs/` alias, or disabling or
    /// deleting a service key. Code `Forbidden.NoPermission` *(Alibaba)*.
    #[error("Forbidden.NoPermission: {reason}")]
    NoPermission {
        /// What was refused and why.
        reason: String,
    },
    /// A parameter is out of range or malformed. Code `InvalidParameter` *(Alibaba)*.
    #[error("InvalidParameter: {reason}")]
    InvalidParameter {
        /// Which parameter and what is wrong with it.
        reason: String,
    },
    /// The bytes are not a ciphertext blob of this KMS: too short, wrong magic, unknown format version.
    /// Code `InvalidCiphertext` *(Alibaba)*.
    #[error("InvalidCiphertext: {reason}")]
    InvalidCiphertext {
        /// What is wrong with the blob.
        reason: &'static str,
    },
    /// The blob is well-formed and names a usable key version, but it fails authentication: a byte of it
    /// was changed. Code `InvalidCiphertext` *(Alibaba)*, with its own message.
    #[error("InvalidCiphertext: the ciphertext blob failed authentication (it was altered or corrupted)")]
    CiphertextTampered,
    /// The encryption context given differs from the one the blob was made with. Code
    /// `InvalidCiphertext.EncryptionContextMismatch` (local refinement of Alibaba's `InvalidCiphertext`).
    #[error("InvalidCiphertext.EncryptionContextMismatch: the encryption context does not match the one the blob was encrypted with")]
    EncryptionContextMismatch,
    /// The caller said which key the blob must be under and it is under another one. Code
    /// `Rejected.IncorrectKey` (local).
    #[error(
        "Rejected.IncorrectKey: the blob is encrypted under key {actual}, not under {expected}"
    )]
    IncorrectKey {
        /// The key the caller expected.
        expected: String,
        /// The key recorded in the blob.
        actual: String,
    },
    /// Another `LocalKms` (in this or another process) holds the keystore's lock file. Code
    /// `Rejected.KeystoreLocked` (local).
    #[error("Rejected.KeystoreLocked: the keystore {} is in use by another process (lock file {}{})", dir.display(), lock_file.display(), holder.as_deref().map(|h| format!(", held by pid {h}")).unwrap_or_default())]
    KeystoreLocked {
        /// The keystore directory.
        dir: PathBuf,
        /// Its lock file.
        lock_file: PathBuf,
        /// The pid recorded in the lock file by its holder, when readable.
        holder: Option<String>,
    },
    /// The root key is missing, malformed, or not the one this keystore was sealed with. Code
    /// `Rejected.InvalidRootKey` (local).
    #[error("Rejected.InvalidRootKey: {reason}")]
    InvalidRootKey {
        /// What is wrong.
        reason: String,
    },
    /// The keystore file is unreadable: not valid JSON, or an unknown format. Code `InternalFailure.KeystoreCorrupt` (local).
    #[error("InternalFailure.KeystoreCorrupt: {reason}")]
    KeystoreCorrupt {
        /// What is wrong.
        reason: String,
    },
    /// Reading or writing the keystore failed. Code `InternalFailure` *(Alibaba)*.
    #[error("InternalFailure: {context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// The OS error.
        #[source]
        source: io::Error,
    },
}

impl KmsError {
    /// The error code, e.g. `Forbidden.KeyNotFound`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::KeyNotFound { .. } => "Forbidden.KeyNotFound",
            Self::AliasNotFound { .. } => "Forbidden.AliasNotFound",
            Self::KeyDeleted { .. } => "Forbidden.KeyDeleted",
            Self::KeyVersionNotFound { .. } => "Forbidden.KeyVersionNotFound",
            Self::Disabled { .. } => "Rejected.Disabled",
            Self::PendingDeletion { .. } => "Rejected.PendingDeletion",
            Self::InvalidKeyState { .. } => "Rejected.InvalidKeyState",
            Self::AliasExists { .. } => "Rejected.AliasExists",
            Self::NoPermission { .. } => "Forbidden.NoPermission",
            Self::InvalidParameter { .. } => "InvalidParameter",
            Self::InvalidCiphertext { .. } | Self::CiphertextTampered => "InvalidCiphertext",
            Self::EncryptionContextMismatch => "InvalidCiphertext.EncryptionContextMismatch",
            Self::IncorrectKey { .. } => "Rejected.IncorrectKey",
            Self::KeystoreLocked { .. } => "Rejected.KeystoreLocked",
            Self::InvalidRootKey { .. } => "Rejected.InvalidRootKey",
            Self::KeystoreCorrupt { .. } => "InternalFailure.KeystoreCorrupt",
            Self::Io { .. } => "InternalFailure",
        }
    }

    /// The HTTP status Alibaba KMS answers with for this kind of error (400 for bad input, 403 for
    /// `Forbidden.*`/`Rejected.*`, 404 for unknown keys, 500 for local failures); useful to an emulator.
    pub fn http_status(&self) -> u16 {
        match self {
            Self::KeyNotFound { .. }
            | Self::AliasNotFound { .. }
            | Self::KeyDeleted { .. }
            | Self::KeyVersionNotFound { .. } => 404,
            Self::InvalidParameter { .. }
            | Self::InvalidCiphertext { .. }
            | Self::CiphertextTampered
            | Self::EncryptionContextMismatch => 400,
            Self::Disabled { .. }
            | Self::PendingDeletion { .. }
            | Self::InvalidKeyState { .. }
            | Self::AliasExists { .. }
            | Self::NoPermission { .. }
            | Self::IncorrectKey { .. } => 403,
            Self::KeystoreLocked { .. }
            | Self::InvalidRootKey { .. }
            | Self::KeystoreCorrupt { .. }
            | Self::Io { .. } => 500,
        }
    }

    pub(crate) fn io(context: impl Into<String>, source: io::Error) -> Self {
        Self::Io {
            context: context.into(),
            source,
        }
    }

    pub(crate) fn invalid(reason: impl Into<String>) -> Self {
        Self::InvalidParameter {
            reason: reason.into(),
        }
    }
}
