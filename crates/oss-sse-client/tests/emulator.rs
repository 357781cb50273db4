//! Every client call against the in-process emulator: buckets, bucket encryption, objects under every
//! SSE option, streaming uploads and downloads compared by hash, ranges, copy, listing, multipart (and
//! its resume after an injected failure), presigned URLs fetched by a plain HTTP client, both signature
//! versions.

use std::io::{self, Read, Write};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use oss_sse_client::{
    Client, CompletedPart, CopyObjectOptions, Credentials, CredentialsError, CredentialsProvider,
    DataEncryption, Encryption, Error, GetObjectOptions, InitiateMultipartOptions,
    ListObjectsOptions, PutObjectOptions, RetryPolicy, ServerSideEncryptionRule, SignatureVersion,
    Sse, SseAlgorithm, UploadOptions,
};
use oss_sse_server::testing::TestServer;
use ring::digest::{Context, SHA256};

fn client_for(server: &TestServer, version: SignatureVersion) -> Client {
    Client::builder(server.endpoint())
        .credentials(server.credentials())
        .region(server.region())
        .signature_version(version)
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap()
}

fn client(server: &TestServer) -> Client {
    client_for(server, SignatureVersion::V4)
}

/// A deterministic pseudo-random byte source of a given length (xorshift), so big bodies need no memory.
struct Pattern {
    state: u64,
    left: u64,
}

impl Pattern {
    fn new(seed: u64, len: u64) -> Pattern {
        Pattern {
            state: seed | 1,
            left: len,
        }
    }
}

impl Read for Pattern {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = buf.len().min(self.left as usize);
        for b in &mut buf[..n] {
            self.state ^= self.state << 13;
            self.state ^= self.state >> 7;
            self.state ^= self.state << 17;
            *b = self.state as u8;
        }
        self.left -= n as u64;
        Ok(n)
    }
}

fn sha256_of(mut r: impl Read) -> Vec<u8> {
    let mut ctx = Context::new(&SHA256);
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = r.read(&mut buf).unwrap();
        if n == 0 {
            return ctx.finish().as_ref().to_vec();
        }
        ctx.update(&buf[..n]);
    }
}

/// A writer that only hashes.
struct HashWriter(Context, u64);

impl Write for HashWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.update(buf);
        self.1 += buf.len() as u64;
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

fn all_sse() -> Vec<(Sse, SseAlgorithm, Option<DataEncryption>)> {
    vec![
        (Sse::Aes256, SseAlgorithm::Aes256, None),
        (Sse::kms(), SseAlgorithm::Kms, None),
        (
            Sse::Kms {
                key_id: None,
                data_encryption: Some(DataEncryption::Sm4),
            },
            SseAlgorithm::Kms,
            Some(DataEncryption::Sm4),
        ),
        (Sse::Sm4, SseAlgorithm::Sm4, None),
    ]
}

fn check_encryption(
    e: Option<&Encryption>,
    alg: SseAlgorithm,
    data: Option<DataEncryption>,
    what: &str,
) {
    let e = e.unwrap_or_else(|| panic!("{what}: no encryption reported"));
    assert_eq!(e.algorithm, alg, "{what}");
    assert_eq!(e.data_encryption, data, "{what}");
    if alg == SseAlgorithm::Kms {
        assert!(
            e.key_id.as_deref().is_some_and(|k| !k.is_empty()),
            "{what}: KMS key id echoed"
        );
    }
}

#[test]
fn bucket_lifecycle_and_listing() {
    let server = TestServer::start();
    let c = client(&server);
    c.create_bucket("life-bucket").unwrap();
    c.create_bucket("other-bucket").unwrap();
    let names: Vec<_> = c
        .list_buckets()
        .unwrap()
        .into_iter()
        .map(|b| b.name)
        .collect();
    assert!(
        names.contains(&"life-bucket".to_string()) && names.contains(&"other-bucket".to_string())
    );
    let info = c.get_bucket_info("life-bucket").unwrap();
    assert_eq!(info.name, "life-bucket");
    assert_eq!(info.encryption, None);
    c.put_object_bytes("life-bucket", "k", b"x", &PutObjectOptions::default())
        .unwrap();
    assert_eq!(
        c.delete_bucket("life-bucket").unwrap_err().code(),
        Some("BucketNotEmpty")
    );
    c.delete_object("life-bucket", "k").unwrap();
    c.delete_bucket("life-bucket").unwrap();
    let err = c.get_bucket_info("life-bucket").unwrap_err();
    let s = err.service().unwrap();
    assert_eq!((s.status, s.code.as_str()), (404, "NoSuchBucket"));
    assert_eq!(s.request_id.len(), 24);
}

#[test]
fn bucket_encryption_put_get_delete_every_algorithm() {
    let server = TestServer::start();
    let c = client(&server);
    c.create_bucket("enc-bucket").unwrap();
    let err = c.get_bucket_encryption("enc-bucket").unwrap_err();
    assert_eq!(err.code(), Some("NoSuchServerSideEncryptionRule"));
    let rules = [
        ServerSideEncryptionRule::aes256(),
        ServerSideEncryptionRule::sm4(),
        ServerSideEncryptionRule::kms(None, None),
        ServerSideEncryptionRule::kms(
            Some("9468da86-3509-4f8d-a61e-6eab1eac0001"),
            Some(DataEncryption::Sm4),
        ),
    ];
    for rule in rules {
        c.put_bucket_encryption("enc-bucket", &rule).unwrap();
        assert_eq!(c.get_bucket_encryption("enc-bucket").unwrap(), rule);
        let info = c.get_bucket_info("enc-bucket").unwrap();
        assert_eq!(info.encryption.as_ref(), Some(&rule));
    }
    c.delete_bucket_encryption("enc-bucket").unwrap();
    assert_eq!(
        c.get_bucket_encryption("enc-bucket").unwrap_err().code(),
        Some("NoSuchServerSideEncryptionRule")
    );
}

#[test]
fn objects_under_every_sse_option_report_their_encryption() {
    let server = TestServer::start();
    let c = client(&server);
    c.create_bucket("sse-objects").unwrap();
    for (i, (sse, alg, data)) in all_sse().into_iter().enumerate() {
        let key = format!("obj-{i}");
        let body = format!("secret body {i}").into_bytes();
        let opts = PutObjectOptions {
            sse: Some(sse.clone()),
            content_type: Some("text/plain".into()),
            ..Default::default()
        };
        let put = c
            .put_object_bytes("sse-objects", &key, &body, &opts)
            .unwrap();
        check_encryption(put.encryption.as_ref(), alg, data, "put");
        assert_eq!(put.crc64, Some(oss_sse_client::crc64::checksum(&body)));
        let head = c.head_object("sse-objects", &key).unwrap();
        check_encryption(head.encryption.as_ref(), alg, data, "head");
        assert_eq!(head.content_length, body.len() as u64);
        assert_eq!(head.content_type.as_deref(), Some("text/plain"));
        let (got, meta) = c
            .get_object_bytes("sse-objects", &key, &GetObjectOptions::default())
            .unwrap();
        assert_eq!(got, body);
        check_encryption(meta.encryption.as_ref(), alg, data, "get");
    }
    // Without options and without a bucket default, nothing is encrypted and nothing is reported.
    let put = c
        .put_object_bytes(
            "sse-objects",
            "plain",
            b"plain",
            &PutObjectOptions::default(),
        )
        .unwrap();
    assert_eq!(put.encryption, None);
    assert_eq!(
        c.head_object("sse-objects", "plain").unwrap().encryption,
        None
    );
}

#[test]
fn bucket_default_applies_and_object_headers_win() {
    let server = TestServer::start();
    let c = client(&server);
    c.create_bucket("default-enc").unwrap();
    c.put_bucket_encryption("default-enc", &ServerSideEncryptionRule::sm4())
        .unwrap();
    let put = c
        .put_object_bytes(
            "default-enc",
            "by-default",
            b"d",
            &PutObjectOptions::default(),
        )
        .unwrap();
    check_encryption(put.encryption.as_ref(), SseAlgorithm::Sm4, None, "default");
    let opts = PutObjectOptions {
        sse: Some(Sse::Aes256),
        ..Default::default()
    };
    let put = c
        .put_object_bytes("default-enc", "explicit", b"e", &opts)
        .unwrap();
    check_encryption(
        put.encryption.as_ref(),
        SseAlgorithm::Aes256,
        None,
        "explicit",
    );
}

#[test]
fn large_streaming_upload_and_download_match_by_hash() {
    let server = TestServer::start();
    let c = client(&server);
    c.create_bucket("big-stream").unwrap();
    let len: u64 = 48 * 1024 * 1024 + 12345;
    let expected = sha256_of(Pattern::new(7, len));
    for (i, sse) in [None, Some(Sse::kms())].into_iter().enumerate() {
        let key = format!("big-{i}");
        let opts = PutObjectOptions {
            sse,
            ..Default::default()
        };
        let put = c
            .put_object("big-stream", &key, &mut Pattern::new(7, len), len, &opts)
            .unwrap();
        assert!(put.crc64.is_some());
        // As a Read...
        let reader = c
            .get_object("big-stream", &key, &GetObjectOptions::default())
            .unwrap();
        assert_eq!(reader.meta().content_length, len);
        assert_eq!(sha256_of(reader), expected);
        // ...and into a Write.
        let mut w = HashWriter(Context::new(&SHA256), 0);
        let meta = c
            .get_object_to_writer("big-stream", &key, &GetObjectOptions::default(), &mut w)
            .unwrap();
        assert_eq!(w.1, len);
        assert_eq!(w.0.finish().as_ref(), &expected[..]);
        assert_eq!(meta.crc64, put.crc64);
    }
}

#[test]
fn ranged_and_conditional_reads() {
    let server = TestServer::start();
    let c = client(&server);
    c.create_bucket("ranges").unwrap();
    let body: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
    let opts = PutObjectOptions {
        sse: Some(Sse::Aes256),
        ..Default::default()
    };
    let put = c.put_object_bytes("ranges", "r", &body, &opts).unwrap();
    for (start, end) in [
        (0u64, 0u64),
        (1, 65_535),
        (65_535, 65_537),
        (199_999, 199_999),
    ] {
        let o = GetObjectOptions {
            range: Some((start, Some(end))),
            ..Default::default()
        };
        let (got, meta) = c.get_object_bytes("ranges", "r", &o).unwrap();
        assert_eq!(meta.status, 206);
        assert_eq!(got, &body[start as usize..=end as usize]);
    }
    let o = GetObjectOptions {
        suffix: Some(10),
        ..Default::default()
    };
    assert_eq!(
        c.get_object_bytes("ranges", "r", &o).unwrap().0,
        &body[body.len() - 10..]
    );
    let o = GetObjectOptions {
        if_none_match: Some(put.etag.clone()),
        ..Default::default()
    };
    let err = c.get_object_bytes("ranges", "r", &o).unwrap_err();
    assert_eq!(err.service().map(|s| s.status), Some(304));
    let o = GetObjectOptions {
        if_match: Some("\"nope\"".into()),
        ..Default::default()
    };
    assert_eq!(
        c.get_object_bytes("ranges", "r", &o).unwrap_err().code(),
        Some("PreconditionFailed")
    );
}

#[test]
fn copy_object_takes_its_own_encryption() {
    let server = TestServer::start();
    let c = client(&server);
    c.create_bucket("copy-src").unwrap();
    c.create_bucket("copy-dst").unwrap();
    let src = PutObjectOptions {
        sse: Some(Sse::kms()),
        metadata: vec![("author".into(), "alice".into())],
        ..Default::default()
    };
    c.put_object_bytes("copy-src", "dir/a b+c.txt", b"copy me", &src)
        .unwrap();
    let plain = c
        .copy_object(
            "copy-src",
            "dir/a b+c.txt",
            "copy-dst",
            "plain",
            &CopyObjectOptions::default(),
        )
        .unwrap();
    assert_eq!(plain.encryption, None);
    assert!(!plain.etag.is_empty());
    let opts = CopyObjectOptions {
        sse: Some(Sse::Sm4),
        ..Default::default()
    };
    let enc = c
        .copy_object("copy-src", "dir/a b+c.txt", "copy-dst", "sm4", &opts)
        .unwrap();
    check_encryption(enc.encryption.as_ref(), SseAlgorithm::Sm4, None, "copy");
    let (body, meta) = c
        .get_object_bytes("copy-dst", "sm4", &GetObjectOptions::default())
        .unwrap();
    assert_eq!(body, b"copy me");
    assert_eq!(
        meta.user_metadata,
        vec![("author".to_string(), "alice".to_string())]
    );
    check_encryption(
        meta.encryption.as_ref(),
        SseAlgorithm::Sm4,
        None,
        "copied get",
    );
}

#[test]
fn listing_with_prefix_delimiter_and_pages() {
    let server = TestServer::start();
    let c = client(&server);
    c.create_bucket("listing").unwrap();
    for k in ["a/1", "a/2", "a/b/3", "c", "d/4"] {
        c.put_object_bytes("listing", k, k.as_bytes(), &PutObjectOptions::default())
            .unwrap();
    }
    let top = c
        .list_objects(
            "listing",
            &ListObjectsOptions {
                delimiter: Some("/".into()),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(
        top.objects
            .iter()
            .map(|o| o.key.as_str())
            .collect::<Vec<_>>(),
        ["c"]
    );
    assert_eq!(top.common_prefixes, ["a/", "d/"]);
    let mut keys = Vec::new();
    let mut token = None;
    loop {
        let page = c
            .list_objects(
                "listing",
                &ListObjectsOptions {
                    prefix: Some("a/".into()),
                    max_keys: Some(2),
                    continuation_token: token.take(),
                    ..Default::default()
                },
            )
            .unwrap();
        assert!(page.objects.len() <= 2);
        keys.extend(page.objects.into_iter().map(|o| o.key));
        if !page.is_truncated {
            break;
        }
        token = page.next_continuation_token;
        assert!(token.is_some());
    }
    assert_eq!(keys, ["a/1", "a/2", "a/b/3"]);
    // The same with V1 markers.
    let mut keys = Vec::new();
    let mut marker = None;
    loop {
        let opts = ListObjectsOptions {
            prefix: Some("a/".into()),
            max_keys: Some(2),
            start_after: marker.take(),
            ..Default::default()
        };
        let page = c.list_objects_v1("listing", &opts).unwrap();
        keys.extend(page.objects.into_iter().map(|o| o.key));
        if !page.is_truncated {
            break;
        }
        marker = page.next_marker.or_else(|| keys.last().cloned());
    }
    assert_eq!(keys, ["a/1", "a/2", "a/b/3"]);
}

#[test]
fn low_level_multipart_with_sse_reports_encryption_on_every_step() {
    let server = TestServer::start();
    let c = client(&server);
    c.create_bucket("mpu-low").unwrap();
    let init = c
        .initiate_multipart_upload(
            "mpu-low",
            "m",
            &InitiateMultipartOptions {
                sse: Some(Sse::kms()),
                ..Default::default()
            },
        )
        .unwrap();
    check_encryption(
        init.encryption.as_ref(),
        SseAlgorithm::Kms,
        None,
        "initiate",
    );
    let p1 = vec![1u8; 120 * 1024];
    let p2 = vec![2u8; 1000];
    let u1 = c
        .upload_part("mpu-low", "m", &init.upload_id, 1, &p1)
        .unwrap();
    check_encryption(u1.encryption.as_ref(), SseAlgorithm::Kms, None, "part");
    let u2 = c
        .upload_part_from_reader(
            "mpu-low",
            "m",
            &init.upload_id,
            2,
            &mut &p2[..],
            p2.len() as u64,
        )
        .unwrap();
    let listed = c.list_parts("mpu-low", "m", &init.upload_id).unwrap();
    assert_eq!(
        listed
            .iter()
            .map(|p| (p.part_number, p.size))
            .collect::<Vec<_>>(),
        [(1, p1.len() as u64), (2, 1000)]
    );
    let parts = [
        CompletedPart {
            part_number: 2,
            etag: u2.etag,
        },
        CompletedPart {
            part_number: 1,
            etag: u1.etag,
        },
    ];
    let done = c
        .complete_multipart_upload("mpu-low", "m", &init.upload_id, &parts)
        .unwrap();
    check_encryption(
        done.encryption.as_ref(),
        SseAlgorithm::Kms,
        None,
        "complete",
    );
    let whole: Vec<u8> = p1.iter().chain(p2.iter()).copied().collect();
    assert_eq!(done.crc64, Some(oss_sse_client::crc64::checksum(&whole)));
    assert_eq!(
        c.get_object_bytes("mpu-low", "m", &GetObjectOptions::default())
            .unwrap()
            .0,
        whole
    );

    // Abort leaves nothing behind.
    let init = c
        .initiate_multipart_upload("mpu-low", "aborted", &InitiateMultipartOptions::default())
        .unwrap();
    c.abort_multipart_upload("mpu-low", "aborted", &init.upload_id)
        .unwrap();
    assert_eq!(
        c.list_parts("mpu-low", "aborted", &init.upload_id)
            .unwrap_err()
            .code(),
        Some("NoSuchUpload")
    );
}

fn write_pattern_file(
    dir: &std::path::Path,
    name: &str,
    len: u64,
) -> (std::path::PathBuf, Vec<u8>) {
    let path = dir.join(name);
    let mut f = std::fs::File::create(&path).unwrap();
    io::copy(&mut Pattern::new(99, len), &mut f).unwrap();
    (path, sha256_of(Pattern::new(99, len)))
}

#[test]
fn upload_file_in_parallel_parts_with_sse() {
    let server = TestServer::start();
    let c = client(&server);
    c.create_bucket("mpu-file").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let len = 3 * 1024 * 1024 + 777;
    let (path, hash) = write_pattern_file(dir.path(), "f.bin", len);
    let opts = UploadOptions {
        part_size: 256 * 1024,
        parallelism: 4,
        sse: Some(Sse::Sm4),
        ..Default::default()
    };
    let out = c.upload_file("mpu-file", "f.bin", &path, &opts).unwrap();
    assert_eq!(out.parts_total, 13);
    assert_eq!(out.parts_uploaded, 13);
    check_encryption(
        out.encryption.as_ref(),
        SseAlgorithm::Sm4,
        None,
        "upload_file",
    );
    assert!(!oss_sse_client::checkpoint::default_checkpoint_path(&path).exists());
    let reader = c
        .get_object("mpu-file", "f.bin", &GetObjectOptions::default())
        .unwrap();
    assert_eq!(reader.meta().crc64, out.crc64);
    assert_eq!(sha256_of(reader), hash);
}

/// Hands out the server's credentials for the first `limit` requests, then fails: a failure injected in
/// the middle of an upload.
struct FailAfter {
    creds: Credentials,
    calls: AtomicUsize,
    limit: usize,
}

impl CredentialsProvider for FailAfter {
    fn credentials(&self) -> Result<Credentials, CredentialsError> {
        if self.calls.fetch_add(1, Ordering::SeqCst) >= self.limit {
            return Err(CredentialsError::Provider("injected failure".into()));
        }
        Ok(self.creds.clone())
    }
}

#[test]
fn upload_file_resumes_after_an_injected_failure() {
    let server = TestServer::start();
    let good = client(&server);
    good.create_bucket("mpu-resume").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let len = 2 * 1024 * 1024 + 5;
    let (path, hash) = write_pattern_file(dir.path(), "r.bin", len);
    let checkpoint = dir.path().join("r.checkpoint");
    let opts = UploadOptions {
        part_size: 128 * 1024,
        parallelism: 1,
        sse: Some(Sse::kms()),
        checkpoint: Some(checkpoint.clone()),
        ..Default::default()
    };
    // Initiate + 5 parts succeed, then every request fails.
    let flaky = Client::builder(server.endpoint())
        .credentials_provider(FailAfter {
            creds: server.credentials(),
            calls: AtomicUsize::new(0),
            limit: 6,
        })
        .region(server.region())
        .build()
        .unwrap();
    let err = flaky
        .upload_file("mpu-resume", "r.bin", &path, &opts)
        .unwrap_err();
    assert!(matches!(err, Error::Credentials(_)), "{err:?}");
    assert!(checkpoint.exists(), "the checkpoint survives the failure");

    let out = good
        .upload_file("mpu-resume", "r.bin", &path, &opts)
        .unwrap();
    assert_eq!(out.parts_total, 17);
    assert_eq!(
        out.parts_uploaded, 12,
        "only the missing parts are sent again"
    );
    check_encryption(out.encryption.as_ref(), SseAlgorithm::Kms, None, "resumed");
    assert!(!checkpoint.exists());
    assert_eq!(
        sha256_of(
            good.get_object("mpu-resume", "r.bin", &GetObjectOptions::default())
                .unwrap()
        ),
        hash
    );
}

#[test]
fn upload_file_resumes_after_cancellation_from_progress() {
    let server = TestServer::start();
    let c = client(&server);
    c.create_bucket("mpu-cancel").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let len = 1024 * 1024;
    let (path, hash) = write_pattern_file(dir.path(), "c.bin", len);
    let seen = Arc::new(AtomicUsize::new(0));
    let seen2 = seen.clone();
    let opts = UploadOptions {
        part_size: 128 * 1024,
        parallelism: 2,
        progress: Some(Arc::new(move |_done, _total| {
            seen2.fetch_add(1, Ordering::SeqCst) < 2
        })),
        ..Default::default()
    };
    assert!(matches!(
        c.upload_file("mpu-cancel", "c.bin", &path, &opts),
        Err(Error::Cancelled)
    ));
    let resumed = UploadOptions {
        progress: None,
        ..opts
    };
    let out = c
        .upload_file("mpu-cancel", "c.bin", &path, &resumed)
        .unwrap();
    assert!(out.parts_uploaded < out.parts_total, "{out:?}");
    assert_eq!(
        sha256_of(
            c.get_object("mpu-cancel", "c.bin", &GetObjectOptions::default())
                .unwrap()
        ),
        hash
    );
}

fn plain_agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .new_agent()
}

#[test]
fn presigned_urls_work_with_a_plain_http_client_in_both_versions() {
    let server = TestServer::start();
    for version in [SignatureVersion::V1, SignatureVersion::V4] {
        let c = client_for(&server, version);
        let bucket = format!("presign-{version}");
        c.create_bucket(&bucket).unwrap();
        let key = "dir/pre signed+key.txt";
        let put_url = c
            .presign_put(&bucket, key, Duration::from_secs(300))
            .unwrap();
        let resp = plain_agent()
            .put(&put_url)
            .send(&b"via presigned put"[..])
            .unwrap();
        assert_eq!(resp.status(), 200, "{version} PUT {put_url}");
        let get_url = c
            .presign_get(&bucket, key, Duration::from_secs(300))
            .unwrap();
        let mut resp = plain_agent().get(&get_url).call().unwrap();
        assert_eq!(resp.status(), 200, "{version} GET {get_url}");
        assert_eq!(resp.body_mut().read_to_vec().unwrap(), b"via presigned put");
        // A tampered URL is refused.
        let bad = get_url.replace("pre%20signed", "pre%20signee");
        assert_eq!(plain_agent().get(&bad).call().unwrap().status(), 403);
    }
}

#[test]
fn v1_signatures_work_for_every_kind_of_call() {
    let server = TestServer::start();
    let c = client_for(&server, SignatureVersion::V1);
    c.create_bucket("v1-bucket").unwrap();
    c.put_bucket_encryption("v1-bucket", &ServerSideEncryptionRule::aes256())
        .unwrap();
    c.get_bucket_encryption("v1-bucket").unwrap();
    let put = c
        .put_object_bytes(
            "v1-bucket",
            "k/ü nicode",
            b"v1",
            &PutObjectOptions::default(),
        )
        .unwrap();
    check_encryption(
        put.encryption.as_ref(),
        SseAlgorithm::Aes256,
        None,
        "v1 put",
    );
    assert_eq!(
        c.get_object_bytes("v1-bucket", "k/ü nicode", &GetObjectOptions::default())
            .unwrap()
            .0,
        b"v1"
    );
    c.list_objects(
        "v1-bucket",
        &ListObjectsOptions {
            prefix: Some("k/".into()),
            ..Default::default()
        },
    )
    .unwrap();
    c.delete_object("v1-bucket", "k/ü nicode").unwrap();
    c.delete_bucket_encryption("v1-bucket").unwrap();
    c.delete_bucket("v1-bucket").unwrap();
}

#[test]
fn wrong_secret_and_missing_objects_are_service_errors() {
    let server = TestServer::start();
    let c = client(&server);
    c.create_bucket("errors").unwrap();
    let err = c
        .get_object("errors", "absent", &GetObjectOptions::default())
        .unwrap_err();
    assert_eq!(err.code(), Some("NoSuchKey"));
    let err = c.head_object("errors", "absent").unwrap_err();
    assert_eq!(err.service().map(|s| s.status), Some(404));
    let bad = Client::builder(server.endpoint())
        .credentials(Credentials::new(
            server.credentials().access_key_id,
            "wrong-secret",
        ))
        .region(server.region())
        .build()
        .unwrap();
    let err = bad.list_buckets().unwrap_err();
    let s = err.service().unwrap();
    assert_eq!(s.code, "SignatureDoesNotMatch");
    assert!(s.detail("StringToSign").is_some());
}

#[test]
fn one_client_shared_by_threads() {
    let server = TestServer::start();
    let c = client(&server);
    c.create_bucket("threads").unwrap();
    std::thread::scope(|s| {
        for t in 0..8 {
            let c = c.clone();
            s.spawn(move || {
                for i in 0..10 {
                    let key = format!("t{t}/o{i}");
                    let body = format!("{t}-{i}").into_bytes();
                    c.put_object_bytes("threads", &key, &body, &PutObjectOptions::default())
                        .unwrap();
                    assert_eq!(
                        c.get_object_bytes("threads", &key, &GetObjectOptions::default())
                            .unwrap()
                            .0,
                        body
                    );
                }
            });
        }
    });
}
