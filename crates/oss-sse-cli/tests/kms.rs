//! `oss-sse kms` run as a real process through a realistic session: keys, aliases, data keys, rotation,
//! rewrap, disable/enable, deletion scheduling, metering, JSON output, errors and exit codes.

use std::path::Path;
use std::process::{Command, Output};

use base64::Engine as _;
use serde_json::Value;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

fn kms_cmd(store: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_oss-sse"));
    cmd.arg("kms")
        .arg("--keystore")
        .arg(store)
        .args(args)
        .env_remove("OSS_SSE_KMS_ROOT_KEY")
        .env_remove("OSS_SSE_KMS_KEYSTORE");
    cmd
}

fn run(store: &Path, args: &[&str]) -> Output {
    kms_cmd(store, args).output().expect("run oss-sse")
}

/// Runs with `--json`, expects success, parses stdout.
fn json(store: &Path, args: &[&str]) -> Value {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    let out = run(store, &all);
    assert!(
        out.status.success(),
        "{args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("stdout is JSON")
}

/// Expects failure with exit code 1 and `code` in the message; returns stderr.
fn fails_with(store: &Path, args: &[&str], code: &str) -> String {
    let out = run(store, args);
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
    assert!(
        stderr.contains(code),
        "{args:?}: expected {code} in {stderr}"
    );
    stderr
}

fn s(v: &Value, field: &str) -> String {
    v[field]
        .as_str()
        .unwrap_or_else(|| panic!("{field} missing in {v}"))
        .to_string()
}

#[test]
fn a_realistic_session() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("keystore");
    let store = store.as_path();

    // create-key, create-alias, describe-key
    let key = json(
        store,
        &[
            "create-key",
            "--description",
            "photos",
            "--rotation-interval",
            "30d",
        ],
    );
    let key_id = s(&key, "KeyId");
    assert_eq!(key["KeyState"], "Enabled");
    assert_eq!(key["RotationInterval"], 30 * 86_400);
    let alias = json(
        store,
        &[
            "create-alias",
            "--alias-name",
            "alias/photos",
            "--key-id",
            &key_id,
        ],
    );
    assert_eq!(s(&alias, "KeyId"), key_id);
    let described = json(store, &["describe-key", "--key-id", "alias/photos"]);
    assert_eq!(s(&described, "KeyId"), key_id);
    assert_eq!(described["Aliases"][0], "alias/photos");
    let v1 = s(&described, "PrimaryKeyVersion");
    // The root key file was created beside the store, private.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(store.join("root.key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    // generate-data-key, decrypt
    let ctx = [
        "--context",
        "bucket=examplebucket",
        "--context",
        "object=photos/cat.jpg",
    ];
    let mut args = vec!["generate-data-key", "--key-id", "alias/photos"];
    args.extend_from_slice(&ctx);
    let dk = json(store, &args);
    assert_eq!(s(&dk, "KeyId"), key_id);
    assert_eq!(s(&dk, "KeyVersionId"), v1);
    let plaintext = s(&dk, "Plaintext");
    assert_eq!(B64.decode(&plaintext).unwrap().len(), 32);
    let blob = s(&dk, "CiphertextBlob");
    // Context order on the command line does not matter.
    let back = json(
        store,
        &[
            "decrypt",
            "--ciphertext-blob",
            &blob,
            "--context",
            "object=photos/cat.jpg",
            "--context",
            "bucket=examplebucket",
        ],
    );
    assert_eq!(s(&back, "Plaintext"), plaintext);
    assert_eq!(s(&back, "KeyVersionId"), v1);
    fails_with(
        store,
        &[
            "decrypt",
            "--ciphertext-blob",
            &blob,
            "--context",
            "bucket=examplebucket",
        ],
        "InvalidCiphertext.EncryptionContextMismatch",
    );
    let mut tampered = B64.decode(&blob).unwrap();
    let last = tampered.len() - 1;
    tampered[last] ^= 1;
    let mut args = vec!["decrypt", "--ciphertext-blob"];
    let tampered = B64.encode(tampered);
    args.push(&tampered);
    args.extend_from_slice(&ctx);
    fails_with(store, &args, "InvalidCiphertext");

    // rotate-key, then re-encrypt moves the old blob to the new version with the same plaintext.
    let rotated = json(store, &["rotate-key", "--key-id", &key_id]);
    let v2 = s(&rotated, "PrimaryKeyVersion");
    assert_ne!(v2, v1);
    assert_eq!(rotated["KeyVersions"].as_array().unwrap().len(), 2);
    let mut args = vec!["re-encrypt", "--ciphertext-blob", &blob];
    args.extend_from_slice(&ctx);
    let re = json(store, &args);
    assert_eq!(s(&re, "KeyVersionId"), v2);
    assert_eq!(s(&re, "SourceKeyVersionId"), v1);
    assert!(re.get("Plaintext").is_none());
    let new_blob = s(&re, "CiphertextBlob");
    let mut args = vec!["decrypt", "--ciphertext-blob", &new_blob];
    args.extend_from_slice(&ctx);
    let back = json(store, &args);
    assert_eq!(s(&back, "Plaintext"), plaintext);
    assert_eq!(s(&back, "KeyVersionId"), v2);
    // The old blob still decrypts, under v1.
    let mut args = vec!["decrypt", "--ciphertext-blob", &blob];
    args.extend_from_slice(&ctx);
    assert_eq!(s(&json(store, &args), "KeyVersionId"), v1);

    // encrypt / decrypt of a small secret, text output.
    let hello = B64.encode(b"hello kms");
    let enc = json(
        store,
        &[
            "encrypt",
            "--key-id",
            &key_id,
            "--plaintext",
            &hello,
            "--context",
            "x=y",
        ],
    );
    let out = run(
        store,
        &[
            "decrypt",
            "--ciphertext-blob",
            &s(&enc, "CiphertextBlob"),
            "--context",
            "x=y",
        ],
    );
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains(&format!("KeyId:        {key_id}")), "{text}");
    assert!(text.contains(&hello), "{text}");

    // disable → the KMS error code in the message and a non-zero exit, in text and JSON; enable → works.
    json(store, &["disable-key", "--key-id", &key_id]);
    let mut args = vec!["decrypt", "--ciphertext-blob", &blob];
    args.extend_from_slice(&ctx);
    let stderr = fails_with(store, &args, "Rejected.Disabled");
    assert!(
        stderr.starts_with("oss-sse kms: Rejected.Disabled"),
        "{stderr}"
    );
    let mut json_args = vec!["--json"];
    json_args.extend_from_slice(&args);
    let out = run(store, &json_args);
    assert_eq!(out.status.code(), Some(1));
    let err: Value = serde_json::from_slice(&out.stderr).expect("JSON error on stderr");
    assert_eq!(err["Code"], "Rejected.Disabled");
    assert_eq!(err["HttpStatus"], 403);
    fails_with(
        store,
        &["generate-data-key", "--key-id", &key_id],
        "Rejected.Disabled",
    );
    json(store, &["enable-key", "--key-id", &key_id]);
    assert_eq!(s(&json(store, &args), "Plaintext"), plaintext);

    // schedule-deletion / cancel-deletion
    let pending = json(
        store,
        &[
            "schedule-deletion",
            "--key-id",
            &key_id,
            "--pending-window-in-days",
            "7",
        ],
    );
    assert_eq!(pending["KeyState"], "PendingDeletion");
    assert!(pending["DeleteDate"].as_u64().is_some());
    fails_with(store, &args, "Rejected.PendingDeletion");
    fails_with(
        store,
        &[
            "schedule-deletion",
            "--key-id",
            &key_id,
            "--pending-window-in-days",
            "3",
        ],
        "InvalidParameter",
    );
    assert_eq!(
        json(store, &["cancel-deletion", "--key-id", &key_id])["KeyState"],
        "Enabled"
    );

    // The default service key appears on first use.
    let dflt = json(
        store,
        &[
            "generate-data-key",
            "--key-id",
            "alias/acs/oss",
            "--number-of-bytes",
            "16",
        ],
    );
    assert_eq!(B64.decode(s(&dflt, "Plaintext")).unwrap().len(), 16);
    fails_with(
        store,
        &["disable-key", "--key-id", "alias/acs/oss"],
        "Forbidden.NoPermission",
    );
    let keys = json(store, &["list-keys"]);
    assert_eq!(keys["Keys"].as_array().unwrap().len(), 2);
    let aliases = json(store, &["list-aliases"]);
    assert_eq!(aliases["Aliases"].as_array().unwrap().len(), 2);

    fails_with(
        store,
        &[
            "describe-key",
            "--key-id",
            "9468da86-3509-4f8d-a61e-6eab1eac0000",
        ],
        "Forbidden.KeyNotFound",
    );
    fails_with(
        store,
        &["describe-key", "--key-id", "alias/none"],
        "Forbidden.AliasNotFound",
    );

    // usage: every call above was counted, per operation and per key, across the processes.
    let usage = json(store, &["usage"]);
    assert_eq!(usage["Operations"]["GenerateDataKey"]["Calls"], 3);
    assert_eq!(usage["Operations"]["GenerateDataKey"]["Errors"], 1);
    assert_eq!(usage["Operations"]["ReEncrypt"]["Calls"], 1);
    assert_eq!(usage["Operations"]["RotateKey"]["Calls"], 1);
    assert_eq!(usage["Keys"][&key_id]["GenerateDataKey"], 2);
    assert_eq!(usage["Keys"][&key_id]["CreateKey"], 1);
    let decrypts = usage["Operations"]["Decrypt"]["Calls"].as_u64().unwrap();
    assert_eq!(decrypts, 10);
    let text = String::from_utf8(run(store, &["usage"]).stdout).unwrap();
    assert!(text.contains("GenerateDataKey"), "{text}");
    assert!(text.contains(&key_id), "{text}");
}

#[test]
fn bad_arguments_exit_2_and_a_locked_store_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path();
    for args in [
        &["decrypt", "--ciphertext-blob", "!!not base64"][..],
        &["generate-data-key", "--key-id", "k", "--context", "novalue"],
        &[
            "generate-data-key",
            "--key-id",
            "k",
            "--key-spec",
            "AES_512",
        ],
        &["create-key", "--rotation-interval", "5w"],
        &["describe-key"],
        &["no-such-command"],
    ] {
        let out = run(store, args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(!out.stderr.is_empty());
    }
    let out = Command::new(env!("CARGO_BIN_EXE_oss-sse"))
        .args(["kms", "list-keys"])
        .env_remove("OSS_SSE_KMS_KEYSTORE")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "--keystore is required");
    fails_with(
        store,
        &[
            "generate-data-key",
            "--key-id",
            "alias/acs/oss",
            "--context",
            "a=1",
            "--context",
            "a=2",
        ],
        "InvalidParameter",
    );

    // While this process holds the store, the CLI (another process) is refused with a clear error.
    let kms = oss_sse_kms::LocalKms::open(store).unwrap();
    let stderr = fails_with(store, &["list-keys"], "Rejected.KeystoreLocked");
    assert!(stderr.contains(&std::process::id().to_string()), "{stderr}");
    drop(kms);
    assert!(run(store, &["list-keys"]).status.success());
}

#[test]
fn the_root_key_can_come_from_the_environment() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path();
    let root = B64.encode([7u8; 32]);
    let out = kms_cmd(store, &["--json", "create-key"])
        .env("OSS_SSE_KMS_ROOT_KEY", &root)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let key: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        !store.join("root.key").exists(),
        "no root key file when the env var is set"
    );
    let out = kms_cmd(
        store,
        &["--json", "describe-key", "--key-id", &s(&key, "KeyId")],
    )
    .env("OSS_SSE_KMS_ROOT_KEY", &root)
    .output()
    .unwrap();
    assert!(out.status.success());
    // Without it the store cannot be opened; with another key neither.
    fails_with(store, &["list-keys"], "Rejected.InvalidRootKey");
    let out = kms_cmd(store, &["list-keys"])
        .env("OSS_SSE_KMS_ROOT_KEY", B64.encode([8u8; 32]))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("Rejected.InvalidRootKey"));
}
