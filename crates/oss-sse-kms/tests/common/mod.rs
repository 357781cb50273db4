//! Helpers shared by the integration tests: a keystore in a temporary directory, a fixed root key and a
//! clock the test moves.
#![allow(dead_code)]

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use oss_sse_kms::{
    CreateKeyRequest, DecryptRequest, EncryptionContext, GenerateDataKeyRequest, Kms, LocalKms,
    ManualClock, RootKey,
};

pub const DAY: Duration = Duration::from_secs(86_400);
pub const START: u64 = 1_700_000_000;

pub fn root() -> RootKey {
    RootKey::from_bytes([0x5a; 32])
}

pub fn clock() -> Arc<ManualClock> {
    Arc::new(ManualClock::new(START))
}

pub fn open(dir: &Path, clock: &Arc<ManualClock>) -> LocalKms {
    LocalKms::options()
        .root_key(root())
        .clock(clock.clone())
        .open(dir)
        .unwrap()
}

pub fn ctx(pairs: &[(&str, &str)]) -> EncryptionContext {
    pairs.iter().map(|(k, v)| (*k, *v)).collect()
}

pub fn new_key(kms: &LocalKms) -> String {
    kms.create_key(&CreateKeyRequest {
        description: "test".into(),
        rotation_interval: None,
    })
    .unwrap()
    .key_id
}

pub fn gdk(kms: &LocalKms, key: &str, c: &EncryptionContext) -> oss_sse_kms::DataKey {
    kms.generate_data_key(&GenerateDataKeyRequest::new(key, c.clone()))
        .unwrap()
}

pub fn decrypt(
    kms: &LocalKms,
    blob: &[u8],
    c: &EncryptionContext,
) -> Result<oss_sse_kms::Decrypted, oss_sse_kms::KmsError> {
    kms.decrypt(&DecryptRequest::new(blob.to_vec(), c.clone()))
}
