//! PostObject (browser form upload) against the in-process emulator: V1 and V4 signed forms, each SSE
//! method by form field and by bucket default and their precedence, policy conditions (key prefix,
//! content-length-range, exact matches, expiry), bad signatures, malformed bodies, RAM authorization,
//! and the search of the data dir for plaintext. The multipart bodies are built by hand and sent over a
//! plain TCP connection, so malformed ones can be sent too.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;

use common::*;
use oss_sse_core::credentials::Secret;
use oss_sse_core::encoding::base64_encode;
use oss_sse_core::sign::{v1, v4};
use oss_sse_core::time::Timestamp;
use oss_sse_core::Method;
use oss_sse_server::testing::TestServer;

const BOUNDARY: &str = "----ossSseFormBoundary7MA4YWxkTrZu0gW";

struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn code(&self) -> String {
        match (self.body.find("<Code>"), self.body.find("</Code>")) {
            (Some(a), Some(b)) if a < b => self.body[a + 6..b].to_owned(),
            _ => String::new(),
        }
    }
}

/// Sends `POST /bucket` with `content_type` and `body` on a fresh connection.
fn raw_post(s: &TestServer, bucket: &str, content_type: &str, body: &[u8]) -> Answer {
    let mut conn = TcpStream::connect(s.addr()).expect("connect");
    let head = format!(
        "POST /{bucket} HTTP/1.1\r\nHost: {}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        s.addr(),
        body.len()
    );
    conn.write_all(head.as_bytes()).expect("write head");
    // The server may answer (and close) before reading everything on an early refusal.
    let _ = conn.write_all(body);
    let mut raw = Vec::new();
    let _ = conn.read_to_end(&mut raw);
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").expect("a response");
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|c| c.parse().ok())
        .expect("status");
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    Answer {
        status,
        headers,
        body: body.to_owned(),
    }
}

/// A multipart body with `fields`, then the file part (`filename`, `data`).
fn form_body(fields: &[(&str, String)], filename: &str, data: &[u8]) -> Vec<u8> {
    let mut b = Vec::new();
    for (n, v) in fields {
        b.extend_from_slice(
            format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{n}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    b.extend_from_slice(
        format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\nContent-Type: application/x-test\r\n\r\n"
        )
        .as_bytes(),
    );
    b.extend_from_slice(data);
    b.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    b
}

fn content_type() -> String {
    format!("multipart/form-data; boundary={BOUNDARY}")
}

fn policy(expiration: &str, conditions: &str) -> String {
    base64_encode(
        format!(r#"{{"expiration": "{expiration}", "conditions": {conditions}}}"#).as_bytes(),
    )
}

/// One SSE case: key, form fields, expected algorithm and data encryption.
type SseCase = (
    &'static str,
    &'static [(&'static str, &'static str)],
    &'static str,
    Option<&'static str>,
);

const FUTURE: &str = "2099-01-01T00:00:00.000Z";

/// The V1 signature fields for `policy_b64`.
fn v1_fields(ak: &str, sk: &str, policy_b64: &str) -> Vec<(&'static str, String)> {
    vec![
        ("OSSAccessKeyId", ak.to_owned()),
        ("policy", policy_b64.to_owned()),
        ("Signature", v1::signature(&Secret::new(sk), policy_b64)),
    ]
}

/// The V4 signature fields for `policy_b64`.
fn v4_fields(ak: &str, sk: &str, region: &str, policy_b64: &str) -> Vec<(&'static str, String)> {
    let now = Timestamp::from_unix(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64,
    );
    let scope = v4::Scope::new(now, region, "oss");
    let key = v4::SigningKey::derive(&Secret::new(sk), &scope);
    vec![
        ("x-oss-signature-version", "OSS4-HMAC-SHA256".to_owned()),
        (
            "x-oss-credential",
            format!("{ak}/{}/{region}/oss/aliyun_v4_request", scope.date),
        ),
        ("x-oss-date", now.to_iso8601_basic()),
        ("policy", policy_b64.to_owned()),
        ("x-oss-signature", key.sign(policy_b64)),
    ]
}

fn root_v1(s: &TestServer, policy_b64: &str) -> Vec<(&'static str, String)> {
    let c = s.credentials();
    v1_fields(&c.access_key_id, c.secret.expose(), policy_b64)
}

fn root_v4(s: &TestServer, policy_b64: &str) -> Vec<(&'static str, String)> {
    let c = s.credentials();
    v4_fields(&c.access_key_id, c.secret.expose(), s.region(), policy_b64)
}

fn with(
    mut base: Vec<(&'static str, String)>,
    more: &[(&'static str, &str)],
) -> Vec<(&'static str, String)> {
    base.extend(more.iter().map(|(n, v)| (*n, (*v).to_owned())));
    base
}

fn make_bucket(s: &TestServer, bucket: &str) {
    rt().block_on(async {
        let mut c = client(s);
        let r = req(&c, Method::Put, Some(bucket), None, &[], &[], None);
        let reply = call(&mut c, r).await;
        assert_eq!(reply.status, 200, "{}", reply.text());
    });
}

fn set_default(s: &TestServer, bucket: &str, alg: &str) {
    let doc = format!(
        "<ServerSideEncryptionRule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>{alg}</SSEAlgorithm></ApplyServerSideEncryptionByDefault></ServerSideEncryptionRule>"
    );
    rt().block_on(async {
        let mut c = client(s);
        let r = req(
            &c,
            Method::Put,
            Some(bucket),
            None,
            &["encryption"],
            &[],
            Some(doc.into_bytes()),
        );
        let reply = call(&mut c, r).await;
        assert_eq!(reply.status, 200, "{}", reply.text());
    });
}

/// GETs an object: status, body and the named response headers.
fn get(s: &TestServer, bucket: &str, key: &str) -> oss_sse_server::client::Reply {
    rt().block_on(async {
        let mut c = client(s);
        let r = req(&c, Method::Get, Some(bucket), Some(key), &[], &[], None);
        call(&mut c, r).await
    })
}

fn pattern(tag: &str, len: usize) -> Vec<u8> {
    let unit = format!("<<POST-PLAINTEXT-{tag}>>");
    let mut out = Vec::with_capacity(len);
    let mut i = 0u64;
    while out.len() < len {
        out.extend_from_slice(unit.as_bytes());
        out.extend_from_slice(&i.to_be_bytes());
        // Bytes that look like the start of a boundary inside the file data must not end it.
        out.extend_from_slice(format!("\r\n--{}", &BOUNDARY[..10]).as_bytes());
        i += 1;
    }
    out.truncate(len);
    out
}

fn files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    needle.len() <= hay.len() && hay.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn v1_and_v4_forms_store_the_object() {
    let s = TestServer::start();
    make_bucket(&s, "forms");
    let data = pattern("v1", 3 * 1024 * 1024 + 17);
    let p = policy(
        FUTURE,
        r#"[{"bucket": "forms"}, ["starts-with", "$key", "up/"], ["content-length-range", 1, 10485760]]"#,
    );
    let fields = with(
        root_v1(&s, &p),
        &[
            ("key", "up/${filename}"),
            ("Content-Type", "text/plain"),
            ("x-oss-meta-owner", "alice"),
        ],
    );
    // Fields in any order before the file; key goes last among them here.
    let a = raw_post(
        &s,
        "forms",
        &content_type(),
        &form_body(&fields, "dir\\big.bin", &data),
    );
    assert_eq!(a.status, 204, "{}", a.body);
    let etag = a.header("etag").expect("etag").to_owned();
    let crc = a.header("x-oss-hash-crc64ecma").expect("crc").to_owned();
    assert!(a.header("x-oss-server-side-encryption").is_none());
    let g = get(&s, "forms", "up/big.bin");
    assert_eq!(g.status, 200);
    assert_eq!(g.body.as_ref(), &data[..]);
    assert_eq!(g.header("etag"), Some(etag.as_str()));
    assert_eq!(g.header("x-oss-hash-crc64ecma"), Some(crc.as_str()));
    assert_eq!(g.header("content-type"), Some("text/plain"));
    assert_eq!(g.header("x-oss-meta-owner"), Some("alice"));

    // V4, success_action_status 201: the PostResponse document.
    let p = policy(FUTURE, r#"[["eq", "$key", "v4/obj"]]"#);
    let fields = with(
        root_v4(&s, &p),
        &[("key", "v4/obj"), ("success_action_status", "201")],
    );
    let a = raw_post(
        &s,
        "forms",
        &content_type(),
        &form_body(&fields, "x", b"hello v4"),
    );
    assert_eq!(a.status, 201, "{}", a.body);
    assert!(a.body.contains("<Key>v4/obj</Key>"), "{}", a.body);
    assert!(a.body.contains("<Bucket>forms</Bucket>"), "{}", a.body);
    assert_eq!(get(&s, "forms", "v4/obj").body.as_ref(), b"hello v4");

    // success_action_status 200, an empty file.
    let p = policy(FUTURE, "[]");
    let fields = with(
        root_v4(&s, &p),
        &[("key", "empty"), ("success_action_status", "200")],
    );
    let a = raw_post(&s, "forms", &content_type(), &form_body(&fields, "x", b""));
    assert_eq!(a.status, 200, "{}", a.body);
    let g = get(&s, "forms", "empty");
    assert_eq!(g.status, 200);
    assert!(g.body.is_empty());
    s.stop();
}

#[test]
fn encryption_by_field_by_default_and_precedence() {
    let s = TestServer::start();
    make_bucket(&s, "plain");
    let p = policy(FUTURE, "[]");
    let cases: [SseCase; 4] = [
        (
            "aes",
            &[("x-oss-server-side-encryption", "AES256")],
            "AES256",
            None,
        ),
        (
            "kms",
            &[("x-oss-server-side-encryption", "KMS")],
            "KMS",
            None,
        ),
        (
            "sm4",
            &[("x-oss-server-side-encryption", "SM4")],
            "SM4",
            None,
        ),
        (
            "kmssm4",
            &[
                ("x-oss-server-side-encryption", "KMS"),
                ("x-oss-server-side-data-encryption", "SM4"),
            ],
            "KMS",
            Some("SM4"),
        ),
    ];
    let mut markers = Vec::new();
    for (key, sse, alg, data_enc) in cases {
        let data = pattern(key, 200 * 1024 + 3);
        let mut more = vec![("key", key)];
        more.extend_from_slice(sse);
        let fields = with(root_v1(&s, &p), &more);
        let a = raw_post(
            &s,
            "plain",
            &content_type(),
            &form_body(&fields, "f", &data),
        );
        assert_eq!(a.status, 204, "{key}: {}", a.body);
        assert_eq!(a.header("x-oss-server-side-encryption"), Some(alg), "{key}");
        assert_eq!(
            a.header("x-oss-server-side-data-encryption"),
            data_enc,
            "{key}"
        );
        if alg == "KMS" {
            assert!(a.header("x-oss-server-side-encryption-key-id").is_some());
        }
        let g = get(&s, "plain", key);
        assert_eq!(g.body.as_ref(), &data[..], "{key}");
        assert_eq!(g.header("x-oss-server-side-encryption"), Some(alg), "{key}");
        markers.push(format!("<<POST-PLAINTEXT-{key}>>"));
    }
    // An invalid SSE field is refused like the header would be.
    let fields = with(
        root_v1(&s, &p),
        &[("key", "bad"), ("x-oss-server-side-encryption", "AES128")],
    );
    let a = raw_post(&s, "plain", &content_type(), &form_body(&fields, "f", b"x"));
    assert_eq!(a.status, 400, "{}", a.body);
    assert_eq!(a.code(), "InvalidEncryptionAlgorithmError", "{}", a.body);

    // The bucket default applies without a field; a field takes precedence over it.
    make_bucket(&s, "dflt");
    set_default(&s, "dflt", "KMS");
    let data = pattern("dflt", 70 * 1024);
    let fields = with(root_v4(&s, &p), &[("key", "d")]);
    let a = raw_post(&s, "dflt", &content_type(), &form_body(&fields, "f", &data));
    assert_eq!(a.status, 204, "{}", a.body);
    assert_eq!(a.header("x-oss-server-side-encryption"), Some("KMS"));
    let fields = with(
        root_v4(&s, &p),
        &[("key", "o"), ("x-oss-server-side-encryption", "AES256")],
    );
    let a = raw_post(&s, "dflt", &content_type(), &form_body(&fields, "f", &data));
    assert_eq!(a.status, 204, "{}", a.body);
    assert_eq!(a.header("x-oss-server-side-encryption"), Some("AES256"));
    assert!(a.header("x-oss-server-side-encryption-key-id").is_none());
    assert_eq!(get(&s, "dflt", "o").body.as_ref(), &data[..]);
    markers.push("<<POST-PLAINTEXT-dflt>>".to_owned());

    // No plaintext at rest.
    for f in files(s.data_dir()) {
        let bytes = std::fs::read(&f).unwrap();
        for m in &markers {
            assert!(
                !contains(&bytes, m.as_bytes()),
                "plaintext in {}",
                f.display()
            );
        }
    }
    s.stop();
}

#[test]
fn policy_and_signature_failures() {
    let s = TestServer::start();
    make_bucket(&s, "pol");
    let post = |fields: &[(&'static str, String)], data: &[u8]| {
        raw_post(&s, "pol", &content_type(), &form_body(fields, "f", data))
    };
    let p = policy(
        FUTURE,
        r#"[["starts-with", "$key", "user/"], ["content-length-range", 2, 8]]"#,
    );
    let a = post(&with(root_v1(&s, &p), &[("key", "other/x")]), b"1234");
    assert_eq!(
        (a.status, a.code()),
        (403, "AccessDenied".to_owned()),
        "{}",
        a.body
    );
    let a = post(&with(root_v1(&s, &p), &[("key", "user/x")]), b"123456789");
    assert_eq!(
        (a.status, a.code()),
        (400, "EntityTooLarge".to_owned()),
        "{}",
        a.body
    );
    let a = post(&with(root_v1(&s, &p), &[("key", "user/x")]), b"1");
    assert_eq!(
        (a.status, a.code()),
        (400, "EntityTooSmall".to_owned()),
        "{}",
        a.body
    );
    assert_eq!(get(&s, "pol", "user/x").status, 404);
    let a = post(&with(root_v1(&s, &p), &[("key", "user/x")]), b"12345678");
    assert_eq!(a.status, 204, "{}", a.body);

    // Exact-match conditions, object form.
    let p = policy(FUTURE, r#"[{"x-oss-meta-tag": "yes"}, {"bucket": "pol"}]"#);
    let a = post(
        &with(root_v1(&s, &p), &[("key", "k"), ("x-oss-meta-tag", "no")]),
        b"x",
    );
    assert_eq!(a.code(), "AccessDenied", "{}", a.body);
    let a = post(
        &with(root_v1(&s, &p), &[("key", "k"), ("x-oss-meta-tag", "yes")]),
        b"x",
    );
    assert_eq!(a.status, 204, "{}", a.body);

    // Expired.
    let p = policy("2001-01-01T00:00:00.000Z", "[]");
    let a = post(&with(root_v4(&s, &p), &[("key", "k")]), b"x");
    assert_eq!(
        (a.status, a.code()),
        (403, "AccessDenied".to_owned()),
        "{}",
        a.body
    );

    // Unknown condition form, non-JSON policy.
    let p = policy(FUTURE, r#"[["in", "$key", "k"]]"#);
    let a = post(&with(root_v1(&s, &p), &[("key", "k")]), b"x");
    assert_eq!(
        (a.status, a.code()),
        (400, "InvalidPolicyDocument".to_owned()),
        "{}",
        a.body
    );
    let p = base64_encode(b"not json");
    let a = post(&with(root_v1(&s, &p), &[("key", "k")]), b"x");
    assert_eq!(a.code(), "InvalidPolicyDocument", "{}", a.body);

    // Bad signatures: wrong secret (V1, V4), a policy edited after signing, unknown key.
    let p = policy(FUTURE, "[]");
    let ak = s.credentials().access_key_id;
    let a = post(&with(v1_fields(&ak, "wrong", &p), &[("key", "k")]), b"x");
    assert_eq!(
        (a.status, a.code()),
        (403, "AccessDenied".to_owned()),
        "{}",
        a.body
    );
    let a = post(
        &with(v4_fields(&ak, "wrong", s.region(), &p), &[("key", "k")]),
        b"x",
    );
    assert_eq!(
        (a.status, a.code()),
        (403, "AccessDenied".to_owned()),
        "{}",
        a.body
    );
    let mut fields = with(root_v1(&s, &p), &[("key", "k")]);
    fields[1].1 = policy(FUTURE, r#"[{"bucket": "pol"}]"#);
    let a = post(&fields, b"x");
    assert_eq!(a.code(), "AccessDenied", "{}", a.body);
    let a = post(
        &with(v1_fields("NOSUCHKEY", "x", &p), &[("key", "k")]),
        b"x",
    );
    assert_eq!(a.code(), "InvalidAccessKeyId", "{}", a.body);
    // Unsigned forms are refused.
    let a = post(&[("key", "k".to_owned())], b"x");
    assert_eq!(a.code(), "AccessDenied", "{}", a.body);
    // Missing key.
    let a = post(&root_v1(&s, &p), b"x");
    assert_eq!(a.code(), "InvalidArgument", "{}", a.body);
    assert_eq!(get(&s, "pol", "k").status, 200);
    s.stop();
}

#[test]
fn malformed_bodies() {
    let s = TestServer::start();
    make_bucket(&s, "mal");
    let p = policy(FUTURE, "[]");
    let fields = with(root_v1(&s, &p), &[("key", "m")]);
    let good = form_body(&fields, "f", b"data");
    // No closing boundary after the file.
    let cut = &good[..good.len() - BOUNDARY.len() - 8];
    let a = raw_post(&s, "mal", &content_type(), cut);
    assert_eq!(
        (a.status, a.code()),
        (400, "MalformedPOSTRequest".to_owned()),
        "{}",
        a.body
    );
    // No boundary parameter.
    let a = raw_post(&s, "mal", "multipart/form-data", &good);
    assert_eq!(a.code(), "MalformedPOSTRequest", "{}", a.body);
    // A part without Content-Disposition.
    let bad = format!("--{BOUNDARY}\r\nContent-Type: text/plain\r\n\r\nx\r\n--{BOUNDARY}--\r\n");
    let a = raw_post(&s, "mal", &content_type(), bad.as_bytes());
    assert_eq!(a.code(), "MalformedPOSTRequest", "{}", a.body);
    // Garbage instead of a body.
    let a = raw_post(&s, "mal", &content_type(), b"garbage");
    assert_eq!(a.code(), "MalformedPOSTRequest", "{}", a.body);
    // No file field.
    let mut nofile = Vec::new();
    for (n, v) in &fields {
        nofile.extend_from_slice(
            format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{n}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    nofile.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    let a = raw_post(&s, "mal", &content_type(), &nofile);
    assert_eq!(a.code(), "InvalidArgument", "{}", a.body);
    // Form fields beyond the bound.
    let big = "v".repeat(70 * 1024);
    let fields2 = with(
        root_v1(&s, &p),
        &[("key", "m"), ("x-oss-meta-big", big.as_str())],
    );
    let a = raw_post(&s, "mal", &content_type(), &form_body(&fields2, "f", b"d"));
    assert_eq!(a.status, 400, "{}", a.body);
    assert_eq!(get(&s, "mal", "m").status, 404);
    // And the well-formed one still works, into a missing bucket too.
    let a = raw_post(&s, "nosuchbucket", &content_type(), &good);
    assert_eq!(a.code(), "NoSuchBucket", "{}", a.body);
    let a = raw_post(&s, "mal", &content_type(), &good);
    assert_eq!(a.status, 204, "{}", a.body);
    s.stop();
}

#[test]
fn ram_policy_and_sts() {
    let users = r#"{"users": [
        {"name": "up", "access_key_id": "AKUP", "access_key_secret": "skup",
         "policies": [{"Version": "1", "Statement": [
            {"Effect": "Allow", "Action": "oss:PutObject", "Resource": "acs:oss:*:*:ram/in/*"}]}],
         "sts": [{"access_key_id": "STS.up", "access_key_secret": "stssk", "security_token": "tok",
                  "expiration": "2099-01-01T00:00:00Z"}]}]}"#;
    let s = TestServer::builder()
        .users_json(users)
        .start()
        .expect("server");
    make_bucket(&s, "ram");
    let p = policy(FUTURE, "[]");
    let post = |fields: &[(&'static str, String)]| {
        raw_post(
            &s,
            "ram",
            &content_type(),
            &form_body(fields, "f", b"ram data"),
        )
    };
    let a = post(&with(v1_fields("AKUP", "skup", &p), &[("key", "in/a")]));
    assert_eq!(a.status, 204, "{}", a.body);
    let a = post(&with(v1_fields("AKUP", "skup", &p), &[("key", "out/a")]));
    assert_eq!(
        (a.status, a.code()),
        (403, "AccessDenied".to_owned()),
        "{}",
        a.body
    );
    let a = post(&with(
        v4_fields("STS.up", "stssk", s.region(), &p),
        &[("key", "in/b"), ("x-oss-security-token", "tok")],
    ));
    assert_eq!(a.status, 204, "{}", a.body);
    let a = post(&with(
        v4_fields("STS.up", "stssk", s.region(), &p),
        &[("key", "in/c")],
    ));
    assert_eq!(a.code(), "InvalidSecurityToken", "{}", a.body);
    let a = post(&with(
        v4_fields("STS.up", "stssk", s.region(), &p),
        &[("key", "in/c"), ("x-oss-security-token", "other")],
    ));
    assert_eq!(a.code(), "InvalidSecurityToken", "{}", a.body);
    assert_eq!(get(&s, "ram", "in/b").body.as_ref(), b"ram data");
    s.stop();
}
