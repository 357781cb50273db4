//! End to end through the facade crate, as a Rust user of `oss-sse` would write it: the in-process
//! emulator, the blocking client and the local KMS together. A bucket default (SSE-KMS under a CMK of our
//! own), object headers that override it (SSE-OSS, SM4), an unencrypted bucket, ranged reads across a
//! segment boundary, a restart on the same data dir, and a search of every stored byte for the plaintext.

use std::path::Path;

use oss_sse::client::Error;
use oss_sse::client::{
    Client, Credentials, GetObjectOptions, PutObjectOptions, ServerSideEncryptionRule, Sse,
    SseAlgorithm,
};
use oss_sse::kms::CreateKeyRequest;
use oss_sse::server::testing::TestServer;

/// A plaintext no ciphertext will contain by chance: a phrase repeated over three 64 KiB segments and a
/// bit (so ranges cross segment boundaries).
fn pattern() -> Vec<u8> {
    b"oss-sse facade test: this sentence must never be found at rest. "
        .iter()
        .copied()
        .cycle()
        .take(3 * 65536 + 123)
        .collect()
}

fn client_for(server: &TestServer) -> Client {
    let creds = server.credentials();
    Client::builder(server.endpoint())
        .credentials(Credentials::new(
            creds.access_key_id.clone(),
            creds.secret.expose().to_owned(),
        ))
        .region(server.region())
        .build()
        .expect("client")
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Every regular file under `dir` whose bytes contain `needle`.
fn files_containing(dir: &Path, needle: &[u8]) -> Vec<String> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("read_dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if contains(&std::fs::read(&path).expect("read"), needle) {
                found.push(path.display().to_string());
            }
        }
    }
    found
}

fn put(client: &Client, bucket: &str, key: &str, body: &[u8], sse: Option<Sse>) -> Option<String> {
    let opts = PutObjectOptions {
        sse,
        ..Default::default()
    };
    let out = client
        .put_object_bytes(bucket, key, body, &opts)
        .expect("put");
    out.encryption.map(|e| format!("{:?}", e.algorithm))
}

fn get_range(client: &Client, bucket: &str, key: &str, first: u64, last: u64) -> Vec<u8> {
    let opts = GetObjectOptions {
        range: Some((first, Some(last))),
        ..Default::default()
    };
    client
        .get_object_bytes(bucket, key, &opts)
        .expect("range")
        .0
}

#[test]
fn encrypted_objects_round_trip_survive_a_restart_and_never_rest_in_plaintext() {
    let data = tempfile::tempdir().expect("tempdir");
    let body = pattern();
    let cmk;
    {
        let server = TestServer::builder()
            .data_dir(data.path())
            .start()
            .expect("start emulator");
        let client = client_for(&server);
        cmk = server
            .kms()
            .create_key(&CreateKeyRequest {
                description: "facade test CMK".into(),
                rotation_interval: None,
            })
            .expect("create CMK")
            .key_id;

        client.create_bucket("secure").expect("bucket");
        client.create_bucket("plain").expect("bucket");
        client
            .put_bucket_encryption("secure", &ServerSideEncryptionRule::kms(Some(&cmk), None))
            .expect("bucket default");
        let rule = client.get_bucket_encryption("secure").expect("get rule");
        assert_eq!(rule.algorithm(), SseAlgorithm::Kms);
        assert_eq!(rule.kms_master_key_id(), Some(cmk.as_str()));

        // The bucket default applies when the object says nothing; object headers take precedence.
        assert_eq!(
            put(&client, "secure", "by-default", &body, None).as_deref(),
            Some("Kms")
        );
        assert_eq!(
            put(&client, "secure", "sse-oss", &body, Some(Sse::Aes256)).as_deref(),
            Some("Aes256")
        );
        assert_eq!(
            put(&client, "secure", "sm4", &body, Some(Sse::Sm4)).as_deref(),
            Some("Sm4")
        );
        assert_eq!(put(&client, "plain", "clear", &body, None), None);

        let head = client.head_object("secure", "by-default").expect("head");
        let enc = head.encryption.expect("encryption headers on HEAD");
        assert_eq!(enc.algorithm, SseAlgorithm::Kms);
        assert_eq!(enc.key_id.as_deref(), Some(cmk.as_str()));
        assert_eq!(head.content_length, body.len() as u64);
        assert!(client
            .head_object("plain", "clear")
            .expect("head")
            .encryption
            .is_none());
    }

    // Everything encrypted is ciphertext on disk; the unencrypted bucket is stored as sent.
    let phrase = b"this sentence must never be found at rest";
    let hits = files_containing(data.path(), phrase);
    assert_eq!(hits.len(), 1, "plaintext found at rest in {hits:?}");
    assert!(
        hits[0].contains("/buckets/plain/"),
        "plaintext outside the unencrypted bucket: {hits:?}"
    );

    // A restart on the same data dir reads every object back, whole and by ranges across segment ends.
    let server = TestServer::builder()
        .data_dir(data.path())
        .start()
        .expect("restart emulator");
    let client = client_for(&server);
    for (bucket, key) in [
        ("secure", "by-default"),
        ("secure", "sse-oss"),
        ("secure", "sm4"),
        ("plain", "clear"),
    ] {
        let (whole, meta) = client
            .get_object_bytes(bucket, key, &GetObjectOptions::default())
            .expect("get after restart");
        assert_eq!(whole, body, "{bucket}/{key}");
        assert_eq!(meta.encryption.is_some(), bucket == "secure");
        for (first, last) in [(0, 0), (65535, 65536), (65530, 131080), (196_600, 196_730)] {
            assert_eq!(
                get_range(&client, bucket, key, first, last),
                body[first as usize..=last as usize],
                "{bucket}/{key} bytes {first}-{last}"
            );
        }
    }
    let kms_calls = server.kms().usage().expect("usage").total_calls();
    assert!(kms_calls > 0, "the KMS was never asked");
    client
        .delete_object("secure", "by-default")
        .expect("delete");
    match client.head_object("secure", "by-default") {
        Err(Error::Service(e)) => assert_eq!((e.status, e.code.as_str()), (404, "NoSuchKey")),
        other => panic!("a deleted object still answers: {other:?}"),
    }
}
