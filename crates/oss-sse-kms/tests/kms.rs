//! Behaviour of `LocalKms` through its public API: keys, aliases, data keys, rotation, states, deletion,
//! persistence, locking, metering, concurrency and the secrecy of what it prints.

mod common;

use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use common::*;
use oss_sse_kms::{
    inspect_blob, CreateKeyRequest, DataKeySpec, DecryptRequest, EncryptRequest, EncryptionContext,
    GenerateDataKeyRequest, KeyState, Kms, KmsError, LocalKms, Operation, ReEncryptRequest,
    RootKey, SecretBytes, DEFAULT_KEY_ALIAS,
};

fn is_uuid(s: &str) -> bool {
    s.len() == 36
        && s.chars().enumerate().all(|(i, c)| {
            if matches!(i, 8 | 13 | 18 | 23) {
                c == '-'
            } else {
                c.is_ascii_hexdigit() && !c.is_ascii_uppercase()
            }
        })
}

#[test]
fn create_describe_and_list_keys() {
    let dir = tempfile::tempdir().unwrap();
    let clock = clock();
    let kms = open(dir.path(), &clock);
    let meta = kms
        .create_key(&CreateKeyRequest {
            description: "photos".into(),
            rotation_interval: Some(30 * DAY),
        })
        .unwrap();
    assert!(is_uuid(&meta.key_id));
    assert!(is_uuid(&meta.primary_key_version));
    assert_eq!(meta.key_state, KeyState::Enabled);
    assert_eq!(meta.description, "photos");
    assert_eq!(meta.creation_date, START);
    assert_eq!(meta.rotation_interval, Some(30 * 86_400));
    assert_eq!(meta.next_rotation_date, Some(START + 30 * 86_400));
    assert_eq!(meta.key_versions.len(), 1);
    assert_eq!(kms.describe_key(&meta.key_id).unwrap(), meta);
    let other = new_key(&kms);
    let ids: Vec<String> = kms
        .list_keys()
        .unwrap()
        .into_iter()
        .map(|k| k.key_id)
        .collect();
    assert_eq!(ids.len(), 2);
    assert!(ids.contains(&meta.key_id) && ids.contains(&other));

    let missing = "9468da86-3509-4f8d-a61e-6eab1eac0000";
    let err = kms.describe_key(missing).unwrap_err();
    assert_eq!(err.code(), "Forbidden.KeyNotFound");
    assert!(err.to_string().starts_with("Forbidden.KeyNotFound"));
    assert_eq!(
        kms.describe_key("not a key").unwrap_err().code(),
        "Forbidden.KeyNotFound"
    );
    let err = kms
        .create_key(&CreateKeyRequest {
            description: String::new(),
            rotation_interval: Some(Duration::from_millis(10)),
        })
        .unwrap_err();
    assert_eq!(err.code(), "InvalidParameter");
}

#[test]
fn data_keys_have_the_requested_length_and_decrypt() {
    let dir = tempfile::tempdir().unwrap();
    let kms = open(dir.path(), &clock());
    let key = new_key(&kms);
    let c = ctx(&[("bucket", "b"), ("object", "o")]);
    let cases = [
        (None, None, 32),
        (Some(DataKeySpec::Aes256), None, 32),
        (Some(DataKeySpec::Aes128), None, 16),
        (Some(DataKeySpec::Aes128), Some(1), 1),
        (None, Some(1024), 1024),
    ];
    for (spec, n, len) in cases {
        let dk = kms
            .generate_data_key(&GenerateDataKeyRequest {
                key_id: key.clone(),
                key_spec: spec,
                number_of_bytes: n,
                encryption_context: c.clone(),
            })
            .unwrap();
        assert_eq!(dk.plaintext.len(), len);
        assert_eq!(dk.key_id, key);
        let info = inspect_blob(&dk.ciphertext_blob).unwrap();
        assert_eq!(info.key_id, key);
        assert_eq!(info.key_version_id, dk.key_version_id);
        assert_eq!(info.plaintext_len, len);
        let back = decrypt(&kms, &dk.ciphertext_blob, &c).unwrap();
        assert_eq!(back.plaintext.expose(), dk.plaintext.expose());
        assert_eq!(back.key_id, key);
        assert_eq!(back.key_version_id, dk.key_version_id);
    }
    for bad in [0, 1025] {
        let err = kms
            .generate_data_key(&GenerateDataKeyRequest {
                key_id: key.clone(),
                key_spec: None,
                number_of_bytes: Some(bad),
                encryption_context: c.clone(),
            })
            .unwrap_err();
        assert_eq!(err.code(), "InvalidParameter", "{bad}");
    }
    assert!("AES_512".parse::<DataKeySpec>().is_err());
    assert_eq!(
        "AES_128".parse::<DataKeySpec>().unwrap(),
        DataKeySpec::Aes128
    );
    // Two data keys are never the same.
    let a = gdk(&kms, &key, &c);
    let b = gdk(&kms, &key, &c);
    assert_ne!(a.plaintext.expose(), b.plaintext.expose());
    assert_ne!(a.ciphertext_blob, b.ciphertext_blob);
}

#[test]
fn encrypt_and_decrypt_plaintexts_within_limits() {
    let dir = tempfile::tempdir().unwrap();
    let kms = open(dir.path(), &clock());
    let key = new_key(&kms);
    let c = ctx(&[("purpose", "test")]);
    for len in [1usize, 100, 6144] {
        let pt: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
        let ct = kms
            .encrypt(&EncryptRequest {
                key_id: key.clone(),
                plaintext: SecretBytes::new(pt.clone()),
                encryption_context: c.clone(),
            })
            .unwrap();
        assert_eq!(
            decrypt(&kms, &ct.ciphertext_blob, &c)
                .unwrap()
                .plaintext
                .expose(),
            &pt[..]
        );
    }
    for len in [0usize, 6145] {
        let err = kms
            .encrypt(&EncryptRequest {
                key_id: key.clone(),
                plaintext: SecretBytes::new(vec![1; len]),
                encryption_context: c.clone(),
            })
            .unwrap_err();
        assert_eq!(err.code(), "InvalidParameter");
    }
}

#[test]
fn default_service_key_is_created_on_first_use_and_protected() {
    let dir = tempfile::tempdir().unwrap();
    let clock = clock();
    let id = {
        let kms = open(dir.path(), &clock);
        assert!(kms.list_keys().unwrap().is_empty());
        let c = ctx(&[("bucket", "b")]);
        let dk = gdk(&kms, DEFAULT_KEY_ALIAS, &c);
        assert!(is_uuid(&dk.key_id));
        assert_eq!(kms.resolve_key_id(DEFAULT_KEY_ALIAS).unwrap(), dk.key_id);
        assert_eq!(kms.list_keys().unwrap().len(), 1);
        let meta = kms.describe_key(&dk.key_id).unwrap();
        assert_eq!(meta.aliases, vec![DEFAULT_KEY_ALIAS.to_string()]);
        assert_eq!(
            kms.disable_key(DEFAULT_KEY_ALIAS).unwrap_err().code(),
            "Forbidden.NoPermission"
        );
        assert_eq!(
            kms.schedule_key_deletion(&dk.key_id, 7).unwrap_err().code(),
            "Forbidden.NoPermission"
        );
        // Rotation of the service key is allowed, and its policy is not reset by later uses.
        kms.rotate_key(DEFAULT_KEY_ALIAS).unwrap();
        kms.update_rotation_policy(DEFAULT_KEY_ALIAS, Some(DAY))
            .unwrap();
        gdk(&kms, DEFAULT_KEY_ALIAS, &c);
        assert_eq!(
            kms.describe_key(DEFAULT_KEY_ALIAS)
                .unwrap()
                .rotation_interval,
            Some(86_400)
        );
        let other = new_key(&kms);
        assert_eq!(
            kms.create_alias("alias/acs/mine", &other)
                .unwrap_err()
                .code(),
            "Forbidden.NoPermission"
        );
        dk.key_id
    };
    let kms = open(dir.path(), &clock);
    assert_eq!(kms.resolve_key_id(DEFAULT_KEY_ALIAS).unwrap(), id);
    assert_eq!(kms.list_keys().unwrap().len(), 2);
}

#[test]
fn service_keys_for_the_emulator_are_get_or_create() {
    let dir = tempfile::tempdir().unwrap();
    let clock = clock();
    let kms = open(dir.path(), &clock);
    let a = kms
        .ensure_service_key(
            "alias/acs/oss-sse-master",
            "SSE-OSS master key",
            Some(7 * DAY),
        )
        .unwrap();
    let b = kms
        .ensure_service_key(
            "alias/acs/oss-sse-master",
            "SSE-OSS master key",
            Some(7 * DAY),
        )
        .unwrap();
    assert_eq!(a.key_id, b.key_id);
    assert_eq!(b.rotation_interval, Some(7 * 86_400));
    let c = kms
        .ensure_service_key("alias/acs/oss-sse-master", "SSE-OSS master key", Some(DAY))
        .unwrap();
    assert_eq!(c.key_id, a.key_id);
    assert_eq!(c.rotation_interval, Some(86_400));
    assert_eq!(
        kms.ensure_service_key("alias/not-service", "x", None)
            .unwrap_err()
            .code(),
        "InvalidParameter"
    );
    clock.advance(DAY);
    assert_eq!(kms.describe_key(&a.key_id).unwrap().key_versions.len(), 2);
}

#[test]
fn aliases_resolve_and_are_validated() {
    let dir = tempfile::tempdir().unwrap();
    let kms = open(dir.path(), &clock());
    let key = new_key(&kms);
    let other = new_key(&kms);
    kms.create_alias("alias/photos", &key).unwrap();
    kms.create_alias("alias/team/photos-2", "alias/photos")
        .unwrap();
    assert_eq!(kms.resolve_key_id("alias/photos").unwrap(), key);
    assert_eq!(kms.resolve_key_id("alias/team/photos-2").unwrap(), key);
    assert_eq!(kms.resolve_key_id(&key.to_uppercase()).unwrap(), key);
    let err = kms.create_alias("alias/photos", &other).unwrap_err();
    assert_eq!(err.code(), "Rejected.AliasExists");
    assert_eq!(
        kms.resolve_key_id("alias/nope").unwrap_err().code(),
        "Forbidden.AliasNotFound"
    );
    for bad in [
        "photos",
        "alias/",
        "alias/a b",
        "alias//x",
        "alias/x/",
        "alias/é",
    ] {
        assert_eq!(
            kms.create_alias(bad, &key).unwrap_err().code(),
            "InvalidParameter",
            "{bad}"
        );
    }
    let long = format!("alias/{}", "a".repeat(250));
    assert_eq!(
        kms.create_alias(&long, &key).unwrap_err().code(),
        "InvalidParameter"
    );
    let mut aliases = kms.describe_key(&key).unwrap().aliases;
    aliases.sort();
    assert_eq!(aliases, vec!["alias/photos", "alias/team/photos-2"]);
    assert_eq!(kms.list_aliases().unwrap().len(), 2);
    let c = ctx(&[]);
    let dk = gdk(&kms, "alias/photos", &c);
    assert_eq!(dk.key_id, key);
}

#[test]
fn every_version_keeps_decrypting_after_manual_rotations() {
    let dir = tempfile::tempdir().unwrap();
    let clock = clock();
    let kms = open(dir.path(), &clock);
    let key = new_key(&kms);
    let c = ctx(&[("k", "v")]);
    let mut blobs = Vec::new();
    for _ in 0..5 {
        let dk = gdk(&kms, &key, &c);
        let meta = kms.describe_key(&key).unwrap();
        assert_eq!(dk.key_version_id, meta.primary_key_version);
        blobs.push((
            dk.ciphertext_blob.clone(),
            dk.key_version_id.clone(),
            dk.plaintext.clone(),
        ));
        clock.advance(Duration::from_secs(60));
        let after = kms.rotate_key(&key).unwrap();
        assert_ne!(after.primary_key_version, dk.key_version_id);
        assert_eq!(after.last_rotation_date, clock_now(&clock));
    }
    assert_eq!(kms.describe_key(&key).unwrap().key_versions.len(), 6);
    let versions: std::collections::HashSet<_> = blobs.iter().map(|b| b.1.clone()).collect();
    assert_eq!(versions.len(), 5);
    for (blob, version, pt) in &blobs {
        let d = decrypt(&kms, blob, &c).unwrap();
        assert_eq!(&d.key_version_id, version);
        assert_eq!(d.plaintext.expose(), pt.expose());
    }
    drop(kms);
    let kms = open(dir.path(), &clock);
    for (blob, version, pt) in &blobs {
        let d = decrypt(&kms, blob, &c).unwrap();
        assert_eq!(&d.key_version_id, version);
        assert_eq!(d.plaintext.expose(), pt.expose());
    }
}

fn clock_now(clock: &Arc<oss_sse_kms::ManualClock>) -> u64 {
    use oss_sse_kms::Clock;
    clock.now()
}

#[test]
fn automatic_rotation_follows_the_injected_clock() {
    let dir = tempfile::tempdir().unwrap();
    let clock = clock();
    let kms = open(dir.path(), &clock);
    let key = kms
        .create_key(&CreateKeyRequest {
            description: String::new(),
            rotation_interval: Some(7 * DAY),
        })
        .unwrap()
        .key_id;
    let c = ctx(&[]);
    let first = gdk(&kms, &key, &c);
    clock.advance(6 * DAY);
    assert_eq!(gdk(&kms, &key, &c).key_version_id, first.key_version_id);
    clock.advance(DAY);
    let second = gdk(&kms, &key, &c);
    assert_ne!(second.key_version_id, first.key_version_id);
    let meta = kms.describe_key(&key).unwrap();
    assert_eq!(meta.key_versions.len(), 2);
    assert_eq!(meta.last_rotation_date, START + 7 * 86_400);
    assert_eq!(meta.next_rotation_date, Some(START + 14 * 86_400));
    // Many intervals passing give one new version, not one per interval.
    clock.advance(30 * DAY);
    kms.apply_schedules().unwrap();
    assert_eq!(kms.describe_key(&key).unwrap().key_versions.len(), 3);
    // A disabled key does not rotate.
    kms.disable_key(&key).unwrap();
    clock.advance(30 * DAY);
    kms.apply_schedules().unwrap();
    assert_eq!(kms.describe_key(&key).unwrap().key_versions.len(), 3);
    // Rotation turned off.
    kms.enable_key(&key).unwrap();
    assert_eq!(kms.describe_key(&key).unwrap().key_versions.len(), 4);
    kms.update_rotation_policy(&key, None).unwrap();
    clock.advance(365 * DAY);
    assert_eq!(kms.describe_key(&key).unwrap().key_versions.len(), 4);
    // Old blobs still decrypt; the rotations survived a reopen.
    drop(kms);
    let kms = open(dir.path(), &clock);
    assert_eq!(kms.describe_key(&key).unwrap().key_versions.len(), 4);
    assert_eq!(
        decrypt(&kms, &first.ciphertext_blob, &c)
            .unwrap()
            .key_version_id,
        first.key_version_id
    );
}

#[test]
fn re_encrypt_moves_to_the_newest_version_with_the_same_plaintext() {
    let dir = tempfile::tempdir().unwrap();
    let kms = open(dir.path(), &clock());
    let key = new_key(&kms);
    let other = new_key(&kms);
    let c = ctx(&[("bucket", "b")]);
    let dk = gdk(&kms, &key, &c);
    let newest = kms.rotate_key(&key).unwrap().primary_key_version;
    let re = kms
        .re_encrypt(&ReEncryptRequest {
            ciphertext_blob: dk.ciphertext_blob.clone(),
            source_encryption_context: c.clone(),
            destination_key_id: None,
            destination_encryption_context: None,
        })
        .unwrap();
    assert_eq!(re.ciphertext.key_id, key);
    assert_eq!(re.ciphertext.key_version_id, newest);
    assert_eq!(re.source_key_version_id, dk.key_version_id);
    assert_eq!(
        inspect_blob(&re.ciphertext.ciphertext_blob)
            .unwrap()
            .key_version_id,
        newest
    );
    let d = decrypt(&kms, &re.ciphertext.ciphertext_blob, &c).unwrap();
    assert_eq!(d.plaintext.expose(), dk.plaintext.expose());

    // To another key and another context.
    let c2 = ctx(&[("bucket", "b2")]);
    kms.create_alias("alias/other", &other).unwrap();
    let re = kms
        .re_encrypt(&ReEncryptRequest {
            ciphertext_blob: dk.ciphertext_blob.clone(),
            source_encryption_context: c.clone(),
            destination_key_id: Some("alias/other".into()),
            destination_encryption_context: Some(c2.clone()),
        })
        .unwrap();
    assert_eq!(re.ciphertext.key_id, other);
    assert_eq!(re.source_key_id, key);
    let d = decrypt(&kms, &re.ciphertext.ciphertext_blob, &c2).unwrap();
    assert_eq!(d.plaintext.expose(), dk.plaintext.expose());
    assert_eq!(
        decrypt(&kms, &re.ciphertext.ciphertext_blob, &c)
            .unwrap_err()
            .code(),
        "InvalidCiphertext.EncryptionContextMismatch"
    );
    // The wrong source context is refused.
    let err = kms
        .re_encrypt(&ReEncryptRequest {
            ciphertext_blob: dk.ciphertext_blob.clone(),
            source_encryption_context: c2,
            destination_key_id: None,
            destination_encryption_context: None,
        })
        .unwrap_err();
    assert!(matches!(err, KmsError::EncryptionContextMismatch));
    // A disabled destination is refused.
    kms.disable_key(&other).unwrap();
    let err = kms
        .re_encrypt(&ReEncryptRequest {
            ciphertext_blob: dk.ciphertext_blob,
            source_encryption_context: c,
            destination_key_id: Some(other),
            destination_encryption_context: None,
        })
        .unwrap_err();
    assert_eq!(err.code(), "Rejected.Disabled");
}

#[test]
fn every_single_byte_change_and_every_truncation_fails() {
    let dir = tempfile::tempdir().unwrap();
    let kms = open(dir.path(), &clock());
    let key = new_key(&kms);
    let c = ctx(&[("bucket", "b"), ("object", "o")]);
    let dk = gdk(&kms, &key, &c);
    let blob = dk.ciphertext_blob;
    for i in 0..blob.len() {
        for mask in [0x01u8, 0x80, 0xff] {
            let mut bad = blob.clone();
            bad[i] ^= mask;
            let err = decrypt(&kms, &bad, &c).unwrap_err();
            assert!(
                matches!(
                    err,
                    KmsError::InvalidCiphertext { .. }
                        | KmsError::CiphertextTampered
                        | KmsError::EncryptionContextMismatch
                        | KmsError::KeyNotFound { .. }
                        | KmsError::KeyVersionNotFound { .. }
                ),
                "byte {i}: {err}"
            );
        }
    }
    // Changes in the sealed part are reported as tampering specifically.
    let mut bad = blob.clone();
    let last = bad.len() - 1;
    bad[last] ^= 1;
    assert!(matches!(
        decrypt(&kms, &bad, &c).unwrap_err(),
        KmsError::CiphertextTampered
    ));
    let mut bad = blob.clone();
    bad[oss_sse_kms::BLOB_HEADER_LEN] ^= 1;
    assert!(matches!(
        decrypt(&kms, &bad, &c).unwrap_err(),
        KmsError::CiphertextTampered
    ));
    // The nonce is authenticated too.
    let mut bad = blob.clone();
    bad[75] ^= 1;
    assert!(matches!(
        decrypt(&kms, &bad, &c).unwrap_err(),
        KmsError::CiphertextTampered
    ));
    for len in 0..blob.len() {
        let err = decrypt(&kms, &blob[..len], &c).unwrap_err();
        assert!(
            matches!(
                err,
                KmsError::InvalidCiphertext { .. } | KmsError::CiphertextTampered
            ),
            "len {len}: {err}"
        );
    }
    let mut longer = blob.clone();
    longer.push(0);
    assert!(matches!(
        decrypt(&kms, &longer, &c).unwrap_err(),
        KmsError::CiphertextTampered
    ));
    assert_eq!(
        decrypt(&kms, b"hello", &c).unwrap_err().code(),
        "InvalidCiphertext"
    );
    assert!(decrypt(&kms, &blob, &c).is_ok());
}

#[test]
fn every_context_change_fails_with_a_context_error() {
    let dir = tempfile::tempdir().unwrap();
    let kms = open(dir.path(), &clock());
    let key = new_key(&kms);
    let c = ctx(&[("ab", "c"), ("object", "o")]);
    let blob = gdk(&kms, &key, &c).ciphertext_blob;
    let variants = [
        ctx(&[("a", "bc"), ("object", "o")]),
        ctx(&[("ab", "c")]),
        ctx(&[("ab", "c"), ("object", "o"), ("extra", "")]),
        ctx(&[("ab", "C"), ("object", "o")]),
        ctx(&[("ab", "c"), ("object", "o ")]),
        ctx(&[]),
    ];
    for v in variants {
        let err = decrypt(&kms, &blob, &v).unwrap_err();
        assert!(
            matches!(err, KmsError::EncryptionContextMismatch),
            "{v:?}: {err}"
        );
    }
}

#[test]
fn wrong_key_and_foreign_blobs_have_their_own_errors() {
    let dir = tempfile::tempdir().unwrap();
    let kms = open(dir.path(), &clock());
    let key = new_key(&kms);
    let other = new_key(&kms);
    let c = ctx(&[]);
    let blob = gdk(&kms, &key, &c).ciphertext_blob;
    let err = kms
        .decrypt(&DecryptRequest {
            ciphertext_blob: blob.clone(),
            encryption_context: c.clone(),
            expected_key_id: Some(other.clone()),
        })
        .unwrap_err();
    assert_eq!(err.code(), "Rejected.IncorrectKey");
    assert!(kms
        .decrypt(&DecryptRequest {
            ciphertext_blob: blob.clone(),
            encryption_context: c.clone(),
            expected_key_id: Some(key.clone()),
        })
        .is_ok());
    // A blob of another keystore names a key this one does not have.
    let dir2 = tempfile::tempdir().unwrap();
    let kms2 = open(dir2.path(), &clock());
    let err = decrypt(&kms2, &blob, &c).unwrap_err();
    assert_eq!(err.code(), "Forbidden.KeyNotFound");
}

#[test]
fn disable_blocks_use_until_enabled_again() {
    let dir = tempfile::tempdir().unwrap();
    let clock = clock();
    let kms = open(dir.path(), &clock);
    let key = new_key(&kms);
    let c = ctx(&[("x", "y")]);
    let dk = gdk(&kms, &key, &c);
    assert_eq!(kms.disable_key(&key).unwrap().key_state, KeyState::Disabled);
    let err = decrypt(&kms, &dk.ciphertext_blob, &c).unwrap_err();
    assert_eq!(err.code(), "Rejected.Disabled");
    assert!(err.to_string().contains(&key));
    let err = kms
        .generate_data_key(&GenerateDataKeyRequest::new(key.clone(), c.clone()))
        .unwrap_err();
    assert_eq!(err.code(), "Rejected.Disabled");
    assert_eq!(
        kms.rotate_key(&key).unwrap_err().code(),
        "Rejected.Disabled"
    );
    // Disabled survives a reopen.
    drop(kms);
    let kms = open(dir.path(), &clock);
    assert_eq!(
        kms.describe_key(&key).unwrap().key_state,
        KeyState::Disabled
    );
    assert_eq!(kms.enable_key(&key).unwrap().key_state, KeyState::Enabled);
    let d = decrypt(&kms, &dk.ciphertext_blob, &c).unwrap();
    assert_eq!(d.plaintext.expose(), dk.plaintext.expose());
    gdk(&kms, &key, &c);
}

#[test]
fn scheduled_deletion_pends_can_be_cancelled_and_completes() {
    let dir = tempfile::tempdir().unwrap();
    let clock = clock();
    let kms = open(dir.path(), &clock);
    let key = new_key(&kms);
    kms.create_alias("alias/doomed", &key).unwrap();
    let c = ctx(&[]);
    let dk = gdk(&kms, &key, &c);
    for bad in [0, 6, 367] {
        assert_eq!(
            kms.schedule_key_deletion(&key, bad).unwrap_err().code(),
            "InvalidParameter"
        );
    }
    assert_eq!(
        kms.cancel_key_deletion(&key).unwrap_err().code(),
        "Rejected.InvalidKeyState"
    );
    let meta = kms.schedule_key_deletion(&key, 7).unwrap();
    assert_eq!(meta.key_state, KeyState::PendingDeletion);
    assert_eq!(meta.delete_date, Some(START + 7 * 86_400));
    assert_eq!(
        decrypt(&kms, &dk.ciphertext_blob, &c).unwrap_err().code(),
        "Rejected.PendingDeletion"
    );
    assert_eq!(
        kms.generate_data_key(&GenerateDataKeyRequest::new(key.clone(), c.clone()))
            .unwrap_err()
            .code(),
        "Rejected.PendingDeletion"
    );
    assert_eq!(
        kms.enable_key(&key).unwrap_err().code(),
        "Rejected.PendingDeletion"
    );
    assert_eq!(
        kms.schedule_key_deletion(&key, 7).unwrap_err().code(),
        "Rejected.PendingDeletion"
    );
    // Cancel: usable again.
    assert_eq!(
        kms.cancel_key_deletion(&key).unwrap().key_state,
        KeyState::Enabled
    );
    assert!(decrypt(&kms, &dk.ciphertext_blob, &c).is_ok());
    // Cancel restores a disabled key to disabled.
    kms.disable_key(&key).unwrap();
    kms.schedule_key_deletion(&key, 7).unwrap();
    assert_eq!(
        kms.cancel_key_deletion(&key).unwrap().key_state,
        KeyState::Disabled
    );
    kms.enable_key(&key).unwrap();
    // Let it complete, across a reopen.
    kms.schedule_key_deletion(&key, 10).unwrap();
    drop(kms);
    clock.advance(10 * DAY - Duration::from_secs(1));
    let kms = open(dir.path(), &clock);
    assert_eq!(
        kms.describe_key(&key).unwrap().key_state,
        KeyState::PendingDeletion
    );
    clock.advance(Duration::from_secs(1));
    let err = decrypt(&kms, &dk.ciphertext_blob, &c).unwrap_err();
    assert_eq!(err.code(), "Forbidden.KeyDeleted");
    assert_eq!(
        kms.describe_key(&key).unwrap_err().code(),
        "Forbidden.KeyDeleted"
    );
    assert_eq!(
        kms.cancel_key_deletion(&key).unwrap_err().code(),
        "Forbidden.KeyDeleted"
    );
    assert_eq!(
        kms.resolve_key_id("alias/doomed").unwrap_err().code(),
        "Forbidden.AliasNotFound"
    );
    assert!(kms.list_keys().unwrap().is_empty());
    drop(kms);
    let kms = open(dir.path(), &clock);
    assert_eq!(
        decrypt(&kms, &dk.ciphertext_blob, &c).unwrap_err().code(),
        "Forbidden.KeyDeleted"
    );
    // The alias name is free again.
    let fresh = new_key(&kms);
    kms.create_alias("alias/doomed", &fresh).unwrap();
}

#[test]
fn reopening_gives_back_every_key_version_alias_and_state() {
    let dir = tempfile::tempdir().unwrap();
    let clock = clock();
    let (keys, aliases) = {
        let kms = open(dir.path(), &clock);
        let a = new_key(&kms);
        let b = new_key(&kms);
        let c = new_key(&kms);
        kms.rotate_key(&a).unwrap();
        kms.rotate_key(&a).unwrap();
        kms.disable_key(&b).unwrap();
        kms.schedule_key_deletion(&c, 30).unwrap();
        kms.create_alias("alias/a", &a).unwrap();
        kms.update_rotation_policy(&b, Some(DAY)).unwrap();
        (kms.list_keys().unwrap(), kms.list_aliases().unwrap())
    };
    let kms = open(dir.path(), &clock);
    assert_eq!(kms.list_keys().unwrap(), keys);
    assert_eq!(kms.list_aliases().unwrap(), aliases);
}

#[test]
fn a_second_open_of_the_same_store_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let clock = clock();
    let kms = open(dir.path(), &clock);
    let err = LocalKms::options()
        .root_key(root())
        .clock(clock.clone())
        .open(dir.path())
        .unwrap_err();
    assert_eq!(err.code(), "Rejected.KeystoreLocked");
    assert!(
        err.to_string().contains(&std::process::id().to_string()),
        "{err}"
    );
    drop(kms);
    open(dir.path(), &clock);
}

#[test]
fn the_root_key_must_match_and_the_root_key_file_is_private() {
    let dir = tempfile::tempdir().unwrap();
    let clock = clock();
    let key = {
        let kms = open(dir.path(), &clock);
        new_key(&kms)
    };
    let err = LocalKms::options()
        .root_key(RootKey::from_bytes([1; 32]))
        .open(dir.path())
        .unwrap_err();
    assert_eq!(err.code(), "Rejected.InvalidRootKey");
    assert_eq!(
        open(dir.path(), &clock).describe_key(&key).unwrap().key_id,
        key
    );

    // The file-based root key (no explicit key; OSS_SSE_KMS_ROOT_KEY is not set in tests).
    if std::env::var_os(oss_sse_kms::ROOT_KEY_ENV).is_none() {
        let dir = tempfile::tempdir().unwrap();
        let store = dir.path().join("store");
        let key = {
            let kms = LocalKms::open_with_clock(&store, clock.clone()).unwrap();
            new_key(&kms)
        };
        let root_file = store.join("root.key");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&root_file).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let text = std::fs::read_to_string(&root_file).unwrap();
        assert!(RootKey::from_base64(&text).is_ok());
        assert_eq!(
            LocalKms::open(&store)
                .unwrap()
                .describe_key(&key)
                .unwrap()
                .key_id,
            key
        );
        // Without the root key file the store cannot be opened (and is not silently replaced).
        std::fs::remove_file(&root_file).unwrap();
        let err = LocalKms::open(&store).unwrap_err();
        assert_eq!(err.code(), "Rejected.InvalidRootKey");
    }
    assert!(RootKey::from_base64("not base64!").is_err());
    let short = base64::engine::general_purpose::STANDARD.encode([0u8; 16]);
    assert_eq!(
        RootKey::from_base64(&short).unwrap_err().code(),
        "Rejected.InvalidRootKey"
    );
}

#[test]
fn the_keystore_file_holds_no_plaintext_material() {
    let dir = tempfile::tempdir().unwrap();
    let kms = open(dir.path(), &clock());
    let key = new_key(&kms);
    kms.create_alias("alias/visible", &key).unwrap();
    drop(kms);
    let text = std::fs::read_to_string(dir.path().join("keystore.json")).unwrap();
    assert!(text.starts_with("oss-sse-kms-keystore v1 "));
    assert!(text.contains(&key) && text.contains("alias/visible"));
    assert!(text.contains("sealed_material"));
    assert!(!text.contains("\"material\""));
    // Editing the file is detected at open.
    let edited = text.replace("Enabled", "Disabled");
    std::fs::write(dir.path().join("keystore.json"), edited).unwrap();
    let err = LocalKms::options()
        .root_key(root())
        .open(dir.path())
        .unwrap_err();
    assert_eq!(err.code(), "Rejected.InvalidRootKey");
}

#[test]
fn metering_counts_per_operation_and_per_key_and_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let clock = clock();
    let (key, other) = {
        let kms = open(dir.path(), &clock);
        let key = new_key(&kms);
        let other = new_key(&kms);
        let c = ctx(&[]);
        let dk = gdk(&kms, &key, &c);
        gdk(&kms, &key, &c);
        gdk(&kms, &other, &c);
        decrypt(&kms, &dk.ciphertext_blob, &c).unwrap();
        decrypt(&kms, &dk.ciphertext_blob, &ctx(&[("x", "y")])).unwrap_err();
        decrypt(&kms, b"garbage", &c).unwrap_err();
        kms.describe_key("9468da86-3509-4f8d-a61e-6eab1eac0000")
            .unwrap_err();
        let u = kms.usage().unwrap();
        assert_eq!(u.calls(Operation::CreateKey), 2);
        assert_eq!(u.calls(Operation::GenerateDataKey), 3);
        assert_eq!(u.calls(Operation::Decrypt), 3);
        assert_eq!(u.operations[&Operation::Decrypt].errors, 2);
        assert_eq!(u.operations[&Operation::DescribeKey].errors, 1);
        assert_eq!(u.key_calls(&key, Operation::GenerateDataKey), 2);
        assert_eq!(u.key_calls(&other, Operation::GenerateDataKey), 1);
        // The failed decrypt with a wrong context still named the key; the garbage blob named none.
        assert_eq!(u.key_calls(&key, Operation::Decrypt), 2);
        assert_eq!(u.total_calls(), 9);
        assert_eq!(u.since, START);
        (key, other)
    };
    let kms = open(dir.path(), &clock);
    let u = kms.usage().unwrap();
    assert_eq!(u.calls(Operation::GenerateDataKey), 3);
    assert_eq!(u.key_calls(&key, Operation::GenerateDataKey), 2);
    assert_eq!(u.key_calls(&other, Operation::CreateKey), 1);
    assert_eq!(u.total_calls(), 9);
    // flush() writes them without a drop.
    gdk(&kms, &key, &ctx(&[]));
    kms.flush().unwrap();
    let on_disk: oss_sse_kms::UsageReport =
        serde_json::from_slice(&std::fs::read(dir.path().join("usage.json")).unwrap()).unwrap();
    assert_eq!(on_disk.calls(Operation::GenerateDataKey), 4);
    assert_eq!(on_disk, kms.usage().unwrap());
}

#[test]
fn secrets_never_appear_in_debug_output() {
    let dir = tempfile::tempdir().unwrap();
    let kms = open(dir.path(), &clock());
    let key = new_key(&kms);
    let c = ctx(&[]);
    let dk = gdk(&kms, &key, &c);
    let hex: String = dk
        .plaintext
        .expose()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let b64 = dk.plaintext.to_base64();
    let decimal = format!("{:?}", dk.plaintext.expose());
    let d = decrypt(&kms, &dk.ciphertext_blob, &c).unwrap();
    for shown in [
        format!("{dk:?}"),
        format!("{dk:#?}"),
        format!("{d:?}"),
        format!("{kms:?}"),
        format!("{:?}", root()),
    ] {
        assert!(!shown.contains(&hex), "{shown}");
        assert!(!shown.contains(b64.as_str()), "{shown}");
        assert!(!shown.contains(&decimal[1..decimal.len() - 1]), "{shown}");
    }
    assert!(format!("{dk:?}").contains("redacted"));
    assert!(!format!("{:?}", root()).contains(&root().to_base64()[..]));
}

#[test]
fn eight_threads_generate_and_decrypt_concurrently() {
    let dir = tempfile::tempdir().unwrap();
    let clock = clock();
    let kms = Arc::new(open(dir.path(), &clock));
    let key = new_key(&kms);
    const THREADS: usize = 8;
    const ROUNDS: usize = 100;
    let handles: Vec<_> = (0..THREADS)
        .map(|t| {
            let kms = Arc::clone(&kms);
            let key = key.clone();
            std::thread::spawn(move || {
                let mut kept = Vec::new();
                for i in 0..ROUNDS {
                    let c: EncryptionContext = [("thread", t.to_string()), ("i", i.to_string())]
                        .into_iter()
                        .collect();
                    let dk = kms
                        .generate_data_key(&GenerateDataKeyRequest::new(key.clone(), c.clone()))
                        .unwrap();
                    let d = kms
                        .decrypt(&DecryptRequest::new(dk.ciphertext_blob.clone(), c.clone()))
                        .unwrap();
                    assert_eq!(d.plaintext.expose(), dk.plaintext.expose());
                    // One thread rotates now and then while the others work.
                    if t == 0 && i % 25 == 0 {
                        kms.rotate_key(&key).unwrap();
                    }
                    kept.push((dk, c));
                }
                kept
            })
        })
        .collect();
    let all: Vec<_> = handles
        .into_iter()
        .flat_map(|h| h.join().unwrap())
        .collect();
    assert_eq!(all.len(), THREADS * ROUNDS);
    for (dk, c) in &all {
        let d = decrypt(&kms, &dk.ciphertext_blob, c).unwrap();
        assert_eq!(d.plaintext.expose(), dk.plaintext.expose());
        assert_eq!(d.key_version_id, dk.key_version_id);
    }
    let u = kms.usage().unwrap();
    assert_eq!(
        u.key_calls(&key, Operation::GenerateDataKey),
        (THREADS * ROUNDS) as u64
    );
    assert_eq!(
        u.key_calls(&key, Operation::Decrypt),
        (2 * THREADS * ROUNDS) as u64
    );
    assert_eq!(
        u.key_calls(&key, Operation::RotateKey),
        (ROUNDS / 25) as u64
    );
    assert_eq!(
        kms.describe_key(&key).unwrap().key_versions.len(),
        1 + ROUNDS / 25
    );
}

#[test]
fn kms_is_object_safe_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<LocalKms>();
    let dir = tempfile::tempdir().unwrap();
    let kms: Arc<dyn Kms> = Arc::new(open(dir.path(), &clock()));
    let id = kms.create_key(&CreateKeyRequest::default()).unwrap().key_id;
    assert_eq!(kms.describe_key(&id).unwrap().key_id, id);
}

#[test]
fn first_use_of_the_default_alias_from_eight_threads_creates_one_key() {
    let dir = tempfile::tempdir().unwrap();
    let kms = Arc::new(open(dir.path(), &clock()));
    let ids: Vec<String> = (0..8)
        .map(|_| {
            let kms = Arc::clone(&kms);
            std::thread::spawn(move || gdk(&kms, DEFAULT_KEY_ALIAS, &ctx(&[])).key_id)
        })
        .collect::<Vec<_>>()
        .into_iter()
        .map(|h| h.join().unwrap())
        .collect();
    assert!(ids.iter().all(|id| id == &ids[0]));
    assert_eq!(kms.list_keys().unwrap().len(), 1);
}
