//! The client's request loop against a scripted server: which failures are retried and which are not,
//! clock-skew correction, error typing, CRC64 checks, credentials asked per request, headers sent.

mod support;

use std::io::Read;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use oss_sse_client::{
    Client, Credentials, CredentialsError, CredentialsProvider, Error, GetObjectOptions,
    InitiateMultipartOptions, PutObjectOptions, RetryPolicy, SignatureVersion,
};
use support::{now, Reply, ScriptServer};

fn fast_retries(n: u32) -> RetryPolicy {
    RetryPolicy {
        max_attempts: n,
        base_delay: Duration::from_millis(1),
        max_delay: Duration::from_millis(5),
    }
}

fn client(server: &ScriptServer, retries: u32) -> Client {
    Client::builder(server.endpoint())
        .credentials(Credentials::new("AKIDEXAMPLE", "secret"))
        .region("cn-hangzhou")
        .retry_policy(fast_retries(retries))
        .request_timeout(Duration::from_secs(10))
        .build()
        .unwrap()
}

#[test]
fn server_errors_are_retried_then_succeed() {
    let server = ScriptServer::start(|n, _| {
        if n < 2 {
            Reply::error(503, "ServiceUnavailable", vec![])
        } else {
            Reply::ok(b"hello")
        }
    });
    let c = client(&server, 3);
    let (body, _) = c
        .get_object_bytes("bucket", "key", &GetObjectOptions::default())
        .unwrap();
    assert_eq!(body, b"hello");
    assert_eq!(server.count(), 3);
}

#[test]
fn throttling_is_retried() {
    let server = ScriptServer::start(|n, _| {
        if n == 0 {
            Reply::error(429, "TooManyRequests", vec![])
        } else {
            Reply::ok(b"")
        }
    });
    let c = client(&server, 3);
    c.delete_object("bucket", "key").unwrap();
    assert_eq!(server.count(), 2);
}

#[test]
fn retries_give_up_after_max_attempts_with_the_last_error() {
    let server = ScriptServer::start(|_, _| Reply::error(500, "InternalError", vec![]));
    let c = client(&server, 4);
    let err = c.head_object("bucket", "key").unwrap_err();
    assert_eq!(err.code(), Some("InternalError"));
    assert_eq!(server.count(), 4);
}

#[test]
fn dropped_connections_are_retried_for_safe_requests() {
    let server = ScriptServer::start(|n, _| {
        if n == 0 {
            Reply::Drop
        } else {
            Reply::ok(b"data")
        }
    });
    let c = client(&server, 3);
    let (body, _) = c
        .get_object_bytes("bucket", "key", &GetObjectOptions::default())
        .unwrap();
    assert_eq!(body, b"data");
    assert_eq!(server.count(), 2);
}

#[test]
fn post_is_never_retried() {
    let server = ScriptServer::start(|_, _| Reply::error(503, "ServiceUnavailable", vec![]));
    let c = client(&server, 5);
    let err = c
        .initiate_multipart_upload("bucket", "key", &InitiateMultipartOptions::default())
        .unwrap_err();
    assert_eq!(err.code(), Some("ServiceUnavailable"));
    assert_eq!(server.count(), 1);
}

#[test]
fn streamed_bodies_are_not_replayed_but_in_memory_bodies_are() {
    let server = ScriptServer::start(|_, _| Reply::error(503, "ServiceUnavailable", vec![]));
    let c = client(&server, 3);
    let data = vec![7u8; 1000];
    let err = c
        .put_object(
            "bucket",
            "key",
            &mut &data[..],
            1000,
            &PutObjectOptions::default(),
        )
        .unwrap_err();
    assert!(err.service().is_some());
    assert_eq!(server.count(), 1);
    let _ = c
        .put_object_bytes("bucket", "key", &data, &PutObjectOptions::default())
        .unwrap_err();
    assert_eq!(server.count(), 4);
    // Every attempt carried the full body.
    for i in 0..4 {
        assert_eq!(server.request(i).body, data);
    }
}

#[test]
fn client_errors_are_not_retried_and_are_fully_typed() {
    let server = ScriptServer::start(|_, _| {
        Reply::error(
            403,
            "AccessDenied",
            vec![("x-oss-ec".into(), "0003-00000001".into())],
        )
    });
    let c = client(&server, 5);
    let err = c
        .get_object("bucket", "key", &GetObjectOptions::default())
        .unwrap_err();
    assert_eq!(server.count(), 1);
    let s = err.service().expect("a service error");
    assert_eq!(s.status, 403);
    assert_eq!(s.code, "AccessDenied");
    assert_eq!(s.message, "scripted AccessDenied");
    assert_eq!(s.request_id, "5C3D9175B6FC201293AD0001");
    assert_eq!(s.host_id, "test.local");
    assert_eq!(s.ec, "0002-00000001");
    assert!(!err.is_transport());
}

#[test]
fn head_errors_come_from_the_x_oss_err_header() {
    let server = ScriptServer::start(|_, _| {
        let doc = "<Error><Code>NoSuchKey</Code><Message>gone</Message><RequestId>ABC</RequestId></Error>";
        use base64::Engine;
        let b64 = base64::engine::general_purpose::STANDARD.encode(doc);
        Reply::Respond(404, vec![("x-oss-err".into(), b64)], vec![])
    });
    let c = client(&server, 1);
    let err = c.head_object("bucket", "key").unwrap_err();
    let s = err.service().unwrap();
    assert_eq!(
        (s.code.as_str(), s.message.as_str(), s.request_id.as_str()),
        ("NoSuchKey", "gone", "ABC")
    );
}

#[test]
fn connection_refused_is_a_transport_error() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let c = Client::builder(format!("http://127.0.0.1:{port}"))
        .credentials(Credentials::new("a", "b"))
        .region("cn-hangzhou")
        .retry_policy(fast_retries(2))
        .connect_timeout(Duration::from_secs(2))
        .build()
        .unwrap();
    let err = c.list_buckets().unwrap_err();
    assert!(err.is_transport(), "{err:?}");
    assert!(err.service().is_none());
}

#[test]
fn clock_skew_is_corrected_from_the_server_date() {
    let ahead = now() + 3600;
    let server = ScriptServer::start(move |n, _| {
        let date = oss_sse_core::Timestamp::from_unix(ahead).to_rfc1123();
        if n == 0 {
            Reply::error(403, "RequestTimeTooSkewed", vec![("Date".into(), date)])
        } else {
            Reply::Respond(200, vec![("Date".into(), date)], vec![])
        }
    });
    // Retries off: the skew retry is its own, single, extra attempt.
    let c = client(&server, 1);
    // A POST is refused before it is executed, so it is safe to send again after the correction.
    c.complete_multipart_upload("bucket", "key", "UP", &[])
        .unwrap_err();
    assert_eq!(server.count(), 2);
    let second = server.request(1);
    let signed =
        oss_sse_core::Timestamp::parse_iso8601_basic(second.header("x-oss-date").unwrap()).unwrap();
    assert!(
        (signed.unix() - ahead).abs() < 60,
        "signed at {} want about {ahead}",
        signed.unix()
    );
    assert!((c.clock_skew() - 3600).abs() < 60);
    // The correction sticks for later requests.
    c.delete_object("bucket", "k").unwrap();
    let third = server.request(2);
    let t =
        oss_sse_core::Timestamp::parse_iso8601_basic(third.header("x-oss-date").unwrap()).unwrap();
    assert!((t.unix() - ahead).abs() < 60);
}

#[test]
fn skew_correction_can_be_turned_off() {
    let server = ScriptServer::start(|_, _| {
        let date = oss_sse_core::Timestamp::from_unix(now() + 3600).to_rfc1123();
        Reply::error(403, "RequestTimeTooSkewed", vec![("Date".into(), date)])
    });
    let c = Client::builder(server.endpoint())
        .credentials(Credentials::new("a", "b"))
        .region("cn-hangzhou")
        .date_skew_adjustment(false)
        .build()
        .unwrap();
    assert_eq!(
        c.delete_object("bucket", "k").unwrap_err().code(),
        Some("RequestTimeTooSkewed")
    );
    assert_eq!(server.count(), 1);
    assert_eq!(c.clock_skew(), 0);
}

#[test]
fn a_wrong_crc64_on_download_is_detected() {
    let server = ScriptServer::start(|_, _| {
        Reply::Respond(
            200,
            vec![("x-oss-hash-crc64ecma".into(), "12345".into())],
            b"payload".to_vec(),
        )
    });
    let c = client(&server, 1);
    let err = c
        .get_object_bytes("bucket", "key", &GetObjectOptions::default())
        .unwrap_err();
    assert!(
        matches!(err, Error::CrcMismatch { server: 12345, .. }),
        "{err:?}"
    );
    let mut r = c
        .get_object("bucket", "key", &GetObjectOptions::default())
        .unwrap();
    let mut buf = Vec::new();
    let e = r.read_to_end(&mut buf).unwrap_err();
    assert_eq!(e.kind(), std::io::ErrorKind::InvalidData);
}

#[test]
fn a_right_crc64_on_upload_passes_and_a_wrong_one_fails() {
    let good = oss_sse_client::crc64::checksum(b"abc").to_string();
    let server = ScriptServer::start(move |n, _| {
        let crc = if n == 0 {
            good.clone()
        } else {
            "1".to_string()
        };
        Reply::Respond(
            200,
            vec![
                ("x-oss-hash-crc64ecma".into(), crc),
                ("ETag".into(), "\"e\"".into()),
            ],
            vec![],
        )
    });
    let c = client(&server, 1);
    let out = c
        .put_object(
            "bucket",
            "key",
            &mut &b"abc"[..],
            3,
            &PutObjectOptions::default(),
        )
        .unwrap();
    assert_eq!(out.etag, "\"e\"");
    let err = c
        .put_object(
            "bucket",
            "key",
            &mut &b"abc"[..],
            3,
            &PutObjectOptions::default(),
        )
        .unwrap_err();
    assert!(matches!(err, Error::CrcMismatch { .. }));
}

#[test]
fn a_short_reader_is_an_error_not_a_truncated_object() {
    let server = ScriptServer::start(|_, _| Reply::ok(b""));
    let c = client(&server, 1);
    let err = c
        .put_object(
            "bucket",
            "key",
            &mut &b"abc"[..],
            10,
            &PutObjectOptions::default(),
        )
        .unwrap_err();
    assert!(
        matches!(&err, Error::Io(e) if e.kind() == std::io::ErrorKind::UnexpectedEof),
        "{err:?}"
    );
}

/// A provider that hands out a new key id on every call, as a refreshing STS source would.
struct Rotating(AtomicUsize);

impl CredentialsProvider for Rotating {
    fn credentials(&self) -> Result<Credentials, CredentialsError> {
        let n = self.0.fetch_add(1, Ordering::SeqCst);
        Ok(Credentials::new(format!("STSKEY{n}"), "secret")
            .with_security_token(format!("token{n}")))
    }
}

#[test]
fn the_credentials_provider_is_asked_before_every_request() {
    let server = ScriptServer::start(|_, _| Reply::ok(b""));
    let provider = Arc::new(Rotating(AtomicUsize::new(0)));
    let c = Client::builder(server.endpoint())
        .credentials_provider_arc(provider.clone())
        .region("cn-hangzhou")
        .build()
        .unwrap();
    for _ in 0..3 {
        c.delete_object("bucket", "key").unwrap();
    }
    assert_eq!(provider.0.load(Ordering::SeqCst), 3);
    for i in 0..3 {
        let r = server.request(i);
        let auth = r.header("authorization").unwrap();
        assert!(auth.contains(&format!("Credential=STSKEY{i}/")), "{auth}");
        assert_eq!(
            r.header("x-oss-security-token"),
            Some(format!("token{i}").as_str())
        );
    }
}

#[test]
fn a_failing_provider_stops_the_request() {
    struct Broken;
    impl CredentialsProvider for Broken {
        fn credentials(&self) -> Result<Credentials, CredentialsError> {
            Err(CredentialsError::Provider("sts unreachable".into()))
        }
    }
    let server = ScriptServer::start(|_, _| Reply::ok(b""));
    let c = Client::builder(server.endpoint())
        .credentials_provider(Broken)
        .region("r")
        .build()
        .unwrap();
    assert!(matches!(
        c.delete_object("bucket", "k"),
        Err(Error::Credentials(_))
    ));
    assert_eq!(server.count(), 0);
}

#[test]
fn headers_user_agent_and_signature_versions() {
    let server = ScriptServer::start(|_, _| Reply::ok(b""));
    let v4 = client(&server, 1);
    v4.delete_object("bucket", "a key+/x").unwrap();
    let r = server.request(0);
    assert_eq!(r.header("user-agent"), Some(oss_sse_client::USER_AGENT));
    assert!(oss_sse_client::USER_AGENT.starts_with("oss-sse/"));
    assert!(r
        .header("authorization")
        .unwrap()
        .starts_with("OSS4-HMAC-SHA256 Credential=AKIDEXAMPLE/"));
    assert_eq!(r.header("x-oss-content-sha256"), Some("UNSIGNED-PAYLOAD"));
    assert_eq!(r.target, "/bucket/a%20key%2B/x");
    assert!(r.header("accept-encoding").is_none());

    let v1 = Client::builder(server.endpoint())
        .credentials(Credentials::new("AKIDEXAMPLE", "secret"))
        .signature_version(SignatureVersion::V1)
        .build()
        .unwrap();
    v1.delete_object("bucket", "k").unwrap();
    let r = server.request(1);
    assert!(r
        .header("authorization")
        .unwrap()
        .starts_with("OSS AKIDEXAMPLE:"));
    assert!(r.header("date").is_some());
}

#[test]
fn bad_names_are_refused_before_sending() {
    let server = ScriptServer::start(|_, _| Reply::ok(b""));
    let c = client(&server, 1);
    assert!(matches!(
        c.create_bucket("Bad_Name"),
        Err(Error::InvalidArgument(_))
    ));
    assert!(matches!(
        c.delete_object("bucket", ""),
        Err(Error::InvalidArgument(_))
    ));
    assert_eq!(server.count(), 0);
}

#[test]
fn v4_without_a_region_is_a_configuration_error() {
    let err = Client::builder("http://127.0.0.1:1")
        .credentials(Credentials::new("a", "b"))
        .build()
        .unwrap_err();
    assert!(matches!(err, Error::Config(_)));
    assert!(
        Client::builder("https://oss-cn-beijing.aliyuncs.com")
            .build()
            .unwrap()
            .region()
            == Some("cn-beijing")
    );
}

#[test]
fn tls_settings_are_checked_at_build_time() {
    let dir = tempfile::tempdir().unwrap();
    let bogus = dir.path().join("ca.pem");
    std::fs::write(&bogus, "not a certificate").unwrap();
    let err = Client::builder("https://oss-cn-hangzhou.aliyuncs.com")
        .ca_file(&bogus)
        .build()
        .unwrap_err();
    assert!(matches!(err, Error::Config(_)));
    let err = Client::builder("https://oss-cn-hangzhou.aliyuncs.com")
        .ca_file(dir.path().join("absent"))
        .build()
        .unwrap_err();
    assert!(matches!(err, Error::Config(_)));
    let err = Client::builder("https://oss-cn-hangzhou.aliyuncs.com")
        .proxy("::not a url::")
        .build()
        .unwrap_err();
    assert!(matches!(err, Error::Config(_)));
}

#[test]
fn requests_go_through_the_configured_proxy() {
    let proxy = ScriptServer::start(|_, _| Reply::Drop);
    let c = Client::builder("http://oss-target.invalid:8080")
        .credentials(Credentials::new("a", "b"))
        .region("cn-hangzhou")
        .proxy(proxy.endpoint())
        .retry_policy(fast_retries(1))
        .build()
        .unwrap();
    // The proxy hangs up, so the call fails; what matters is that it was asked for the target.
    assert!(c.delete_object("bucket", "key").unwrap_err().is_transport());
    assert_eq!(proxy.count(), 1);
    let r = proxy.request(0);
    let via_connect = r.method == "CONNECT" && r.target == "bucket.oss-target.invalid:8080";
    let via_absolute = r
        .target
        .starts_with("http://bucket.oss-target.invalid:8080/");
    assert!(via_connect || via_absolute, "{} {}", r.method, r.target);
}
