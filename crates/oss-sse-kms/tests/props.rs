//! Property tests: rotation never strands a blob, ReEncrypt always lands on the newest version, no
//! single-byte change or context change decrypts, and reopening after any operation gives back the same
//! store.

mod common;

use std::time::Duration;

use common::*;
use oss_sse_kms::{
    CreateKeyRequest, EncryptRequest, EncryptionContext, Kms, KmsError, ReEncryptRequest,
    SecretBytes,
};
use proptest::prelude::*;

fn context_strategy() -> impl Strategy<Value = EncryptionContext> {
    proptest::collection::btree_map("[a-z=&]{0,6}", "[a-z0-9=&]{0,6}", 0..4)
        .prop_map(EncryptionContext::from)
}

#[derive(Clone, Debug)]
enum Step {
    Rotate,
    Encrypt(Vec<u8>, EncryptionContext),
}

fn step_strategy() -> impl Strategy<Value = Step> {
    prop_oneof![
        1 => Just(Step::Rotate),
        2 => (proptest::collection::vec(any::<u8>(), 1..64), context_strategy())
            .prop_map(|(p, c)| Step::Encrypt(p, c)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Every blob from every past version keeps decrypting, to the same plaintext and naming its version,
    /// after any number of rotations, before and after a reopen; ReEncrypt of any of them gives a blob of
    /// the newest version holding the same plaintext.
    #[test]
    fn blobs_survive_any_number_of_rotations(steps in proptest::collection::vec(step_strategy(), 1..24)) {
        let dir = tempfile::tempdir().unwrap();
        let clock = clock();
        let kms = open(dir.path(), &clock);
        let key = new_key(&kms);
        let mut made = Vec::new();
        for step in &steps {
            match step {
                Step::Rotate => { kms.rotate_key(&key).unwrap(); }
                Step::Encrypt(p, c) => {
                    let ct = kms.encrypt(&EncryptRequest {
                        key_id: key.clone(),
                        plaintext: SecretBytes::new(p.clone()),
                        encryption_context: c.clone(),
                    }).unwrap();
                    made.push((ct, p.clone(), c.clone()));
                }
            }
        }
        let check = |kms: &oss_sse_kms::LocalKms| {
            let newest = kms.describe_key(&key).unwrap().primary_key_version;
            for (ct, p, c) in &made {
                let d = decrypt(kms, &ct.ciphertext_blob, c).unwrap();
                prop_assert_eq!(d.plaintext.expose(), &p[..]);
                prop_assert_eq!(&d.key_version_id, &ct.key_version_id);
                let re = kms.re_encrypt(&ReEncryptRequest {
                    ciphertext_blob: ct.ciphertext_blob.clone(),
                    source_encryption_context: c.clone(),
                    destination_key_id: None,
                    destination_encryption_context: None,
                }).unwrap();
                prop_assert_eq!(&re.ciphertext.key_version_id, &newest);
                prop_assert_eq!(&re.source_key_version_id, &ct.key_version_id);
                let d = decrypt(kms, &re.ciphertext.ciphertext_blob, c).unwrap();
                prop_assert_eq!(d.plaintext.expose(), &p[..]);
                prop_assert_eq!(&d.key_version_id, &newest);
            }
            Ok(())
        };
        check(&kms)?;
        drop(kms);
        let kms = open(dir.path(), &clock);
        check(&kms)?;
    }
}

/// Runs `test` on 256 generated cases against one store (opening a store per case would only measure the
/// file system).
fn run_on_one_store<S: Strategy>(
    strategy: S,
    test: impl Fn(&oss_sse_kms::LocalKms, &str, S::Value) -> Result<(), TestCaseError>,
) {
    let dir = tempfile::tempdir().unwrap();
    let kms = open(dir.path(), &clock());
    let key = new_key(&kms);
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig::with_cases(256));
    runner
        .run(&strategy, |value| test(&kms, &key, value))
        .unwrap();
}

/// Changing any single byte of a blob, in any way, makes Decrypt fail.
#[test]
fn flipping_any_byte_fails() {
    let strategy = (
        proptest::collection::vec(any::<u8>(), 1..48),
        context_strategy(),
        any::<proptest::sample::Index>(),
        1u8..=255,
    );
    run_on_one_store(strategy, |kms, key, (plaintext, c, index, mask)| {
        let ct = kms
            .encrypt(&EncryptRequest {
                key_id: key.to_string(),
                plaintext: SecretBytes::new(plaintext.clone()),
                encryption_context: c.clone(),
            })
            .unwrap();
        let mut bad = ct.ciphertext_blob.clone();
        let i = index.index(bad.len());
        bad[i] ^= mask;
        prop_assert!(decrypt(kms, &bad, &c).is_err());
        let good = decrypt(kms, &ct.ciphertext_blob, &c).unwrap();
        prop_assert_eq!(good.plaintext.expose(), &plaintext[..]);
        Ok(())
    });
}

/// Changing, adding or removing any context entry makes Decrypt fail with the context error.
#[test]
fn changing_any_context_entry_fails() {
    let strategy = (
        context_strategy(),
        0u8..3,
        any::<proptest::sample::Index>(),
        "[a-z]{1,4}",
    );
    run_on_one_store(strategy, |kms, key, (c, change, index, extra)| {
        let dk = gdk(kms, key, &c);
        let mut changed = c.clone();
        let entries: Vec<(String, String)> = c
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        match (change, entries.is_empty()) {
            (0, false) => {
                let (k, v) = &entries[index.index(entries.len())];
                changed.insert(k.clone(), format!("{v}{extra}"));
            }
            (1, false) => {
                let (k, _) = &entries[index.index(entries.len())];
                changed.remove(k);
            }
            _ => {
                let k = format!("{extra}-new");
                if changed.get(&k).is_some() {
                    changed.remove(&k);
                } else {
                    changed.insert(k, extra.clone());
                }
            }
        }
        prop_assert_ne!(&changed, &c);
        let err = decrypt(kms, &dk.ciphertext_blob, &changed).unwrap_err();
        prop_assert!(
            matches!(err, KmsError::EncryptionContextMismatch),
            "{}",
            err
        );
        Ok(())
    });
}

#[derive(Clone, Debug)]
enum Op {
    Create(Option<u8>),
    Rotate(usize),
    Disable(usize),
    Enable(usize),
    Alias(usize, u8),
    Schedule(usize, u32),
    Cancel(usize),
    Advance(u32),
    Policy(usize, Option<u8>),
    Encrypt(usize),
}

fn op_strategy() -> impl Strategy<Value = Op> {
    prop_oneof![
        2 => proptest::option::of(1u8..10).prop_map(Op::Create),
        2 => (0usize..4).prop_map(Op::Rotate),
        1 => (0usize..4).prop_map(Op::Disable),
        1 => (0usize..4).prop_map(Op::Enable),
        1 => (0usize..4, 0u8..4).prop_map(|(k, a)| Op::Alias(k, a)),
        1 => (0usize..4, 7u32..12).prop_map(|(k, d)| Op::Schedule(k, d)),
        1 => (0usize..4).prop_map(Op::Cancel),
        2 => (0u32..6).prop_map(Op::Advance),
        1 => (0usize..4, proptest::option::of(1u8..5)).prop_map(|(k, d)| Op::Policy(k, d)),
        2 => (0usize..4).prop_map(Op::Encrypt),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]

    /// After every operation (successful or refused), reopening the store gives back the same keys,
    /// versions, states, schedules and aliases, and every blob made so far decrypts (or fails) the same way.
    #[test]
    fn reopen_after_every_operation_preserves_state(ops in proptest::collection::vec(op_strategy(), 1..20)) {
        let dir = tempfile::tempdir().unwrap();
        let clock = clock();
        let mut kms = open(dir.path(), &clock);
        let mut keys: Vec<String> = Vec::new();
        let mut blobs = Vec::new();
        let c = ctx(&[("bucket", "b")]);
        for op in ops {
            let pick = |i: usize| keys.get(i % keys.len().max(1)).cloned();
            match op {
                Op::Create(days) => {
                    let meta = kms.create_key(&CreateKeyRequest {
                        description: format!("key {}", keys.len()),
                        rotation_interval: days.map(|d| DAY * u32::from(d)),
                    }).unwrap();
                    keys.push(meta.key_id);
                }
                Op::Rotate(i) => if let Some(k) = pick(i) { let _ = kms.rotate_key(&k); },
                Op::Disable(i) => if let Some(k) = pick(i) { let _ = kms.disable_key(&k); },
                Op::Enable(i) => if let Some(k) = pick(i) { let _ = kms.enable_key(&k); },
                Op::Alias(i, a) => if let Some(k) = pick(i) { let _ = kms.create_alias(&format!("alias/a{a}"), &k); },
                Op::Schedule(i, d) => if let Some(k) = pick(i) { let _ = kms.schedule_key_deletion(&k, d); },
                Op::Cancel(i) => if let Some(k) = pick(i) { let _ = kms.cancel_key_deletion(&k); },
                Op::Advance(days) => clock.advance(DAY * days + Duration::from_secs(1)),
                Op::Policy(i, d) => if let Some(k) = pick(i) {
                    let _ = kms.update_rotation_policy(&k, d.map(|d| DAY * u32::from(d)));
                },
                Op::Encrypt(i) => if let Some(k) = pick(i) {
                    if let Ok(dk) = kms.generate_data_key(&oss_sse_kms::GenerateDataKeyRequest::new(k, c.clone())) {
                        blobs.push(dk);
                    }
                },
            }
            // Bring due schedules in before comparing, so both sides see the same instant applied.
            kms.apply_schedules().unwrap();
            let before_keys = kms.list_keys().unwrap();
            let before_aliases = kms.list_aliases().unwrap();
            let before_blobs: Vec<_> = blobs.iter()
                .map(|dk| decrypt(&kms, &dk.ciphertext_blob, &c).map(|d| d.key_version_id).map_err(|e| e.code()))
                .collect();
            drop(kms);
            kms = open(dir.path(), &clock);
            prop_assert_eq!(kms.list_keys().unwrap(), before_keys);
            prop_assert_eq!(kms.list_aliases().unwrap(), before_aliases);
            let after_blobs: Vec<_> = blobs.iter()
                .map(|dk| decrypt(&kms, &dk.ciphertext_blob, &c).map(|d| d.key_version_id).map_err(|e| e.code()))
                .collect();
            prop_assert_eq!(after_blobs, before_blobs);
        }
    }
}
