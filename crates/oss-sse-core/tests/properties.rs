//! Property tests of oss-sse-core's public API: XML write → read round trips, sign → verify round trips
//! for both versions and both modes, tampering with any signed element fails verification, and every
//! parser survives arbitrary input without panicking.

use oss_sse_core::crc64;
use oss_sse_core::endpoint::Endpoint;
use oss_sse_core::error::{OssErrorCode, ServiceError};
use oss_sse_core::ops::{ByteRange, CompleteMultipartUpload, CompletedPart};
use oss_sse_core::response::{
    BucketInfo, CompleteMultipartUploadResult, InitiateMultipartUploadResult, ListBucketsResult,
    ListObjectsResult, ListPartsResult, ObjectSummary, Owner, PartSummary,
};
use oss_sse_core::sign::v4::V4Params;
use oss_sse_core::sign::{v1, v4};
use oss_sse_core::sse::{DataEncryption, ObjectEncryption, ServerSideEncryptionRule, SseAlgorithm};
use oss_sse_core::verify::{parse_auth, verify, Authenticated, VerifyError};
use oss_sse_core::{encoding, Credentials, Method, Request, Scheme, Timestamp};
use proptest::prelude::*;

// ------------------------------------------------------------------------------------------------
// Generators

/// Text for trimmed XML fields: printable, XML-special and non-ASCII characters, no outer whitespace.
fn field() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9 <>&'\"/+%._~=?中文é😀-]{0,24}".prop_map(|s| s.trim().to_owned())
}

fn nonempty_field() -> impl Strategy<Value = String> {
    field().prop_filter("non-empty", |s| !s.is_empty())
}

/// Object keys: unicode, spaces, `+`, `/`, `%`, and other characters that need encoding.
fn object_key() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9 +/%?&=#~._中文ü😀-]{1,40}"
}

fn method() -> impl Strategy<Value = Method> {
    prop_oneof![
        Just(Method::Get),
        Just(Method::Put),
        Just(Method::Post),
        Just(Method::Delete),
        Just(Method::Head),
    ]
}

fn header_value() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9 ;,=/+:_.-]{1,20}".prop_map(|s| {
        let t = s.trim().to_owned();
        if t.is_empty() {
            "v".to_owned()
        } else {
            t
        }
    })
}

/// Signed headers (x-oss-*, content-type, content-md5) plus unsigned ones, unique names.
fn headers() -> impl Strategy<Value = Vec<(String, String)>> {
    let names = prop::sample::subsequence(
        vec![
            "Content-Type",
            "Content-MD5",
            "x-oss-meta-author",
            "X-Oss-Meta-Magic",
            "x-oss-server-side-encryption",
            "x-oss-storage-class",
            "Cache-Control",
            "abc",
            "ZAbc",
        ],
        0..=9,
    );
    names
        .prop_flat_map(|names| {
            let n = names.len();
            (Just(names), prop::collection::vec(header_value(), n))
        })
        .prop_map(|(names, values)| names.into_iter().map(str::to_owned).zip(values).collect())
}

/// Query pairs: V1 sub-resources and plain keys, unicode and reserved characters in keys and values.
fn query() -> impl Strategy<Value = Vec<(String, Option<String>)>> {
    let key = prop_oneof![
        Just("uploadId".to_owned()),
        Just("partNumber".to_owned()),
        Just("versionId".to_owned()),
        Just("acl".to_owned()),
        Just("response-content-type".to_owned()),
        "[a-z+|中 ]{1,8}",
    ];
    let value = prop::option::of("[a-zA-Z0-9 +/%&=中😀]{1,12}");
    prop::collection::vec((key, value), 0..5)
}

#[derive(Debug, Clone)]
struct Case {
    method: Method,
    bucket: String,
    key: Option<String>,
    headers: Vec<(String, String)>,
    query: Vec<(String, Option<String>)>,
    time: i64,
    token: Option<String>,
    additional: Vec<String>,
}

fn case() -> impl Strategy<Value = Case> {
    (
        method(),
        "[a-z0-9]{3,10}",
        prop::option::of(object_key()),
        headers(),
        query(),
        1_577_836_800i64..1_893_456_000,
        prop::option::of("[A-Za-z0-9+/=]{4,30}"),
        prop::sample::subsequence(vec!["abc", "zabc", "cache-control", "missing"], 0..=4),
    )
        .prop_map(
            |(method, bucket, key, headers, query, time, token, additional)| Case {
                method,
                bucket,
                key,
                headers,
                query,
                time,
                token,
                additional: additional.into_iter().map(str::to_owned).collect(),
            },
        )
}

impl Case {
    fn creds(&self) -> Credentials {
        let c = Credentials::new("AKID", "secret+/=");
        match &self.token {
            Some(t) => c.with_security_token(t.clone()),
            None => c,
        }
    }

    fn request(&self) -> Request {
        let ep = Endpoint::parse("https://oss-cn-hangzhou.aliyuncs.com").unwrap();
        let mut r = ep.request(self.method, Some(&self.bucket), self.key.as_deref());
        for (n, v) in &self.headers {
            r.headers.append(n.clone(), v.clone());
        }
        r.query = self.query.clone();
        r
    }

    fn params(&self) -> V4Params {
        let mut p = V4Params::new("cn-hangzhou");
        p.additional_headers = self.additional.clone();
        p
    }
}

fn lookup(case: &Case) -> impl Fn(&str) -> Option<Credentials> + '_ {
    move |id: &str| (id == "AKID").then(|| case.creds())
}

#[derive(Debug, Clone, Copy)]
enum Mode {
    V1Header,
    V1Presign,
    V4Header,
    V4Presign,
}

fn mode() -> impl Strategy<Value = Mode> {
    prop_oneof![
        Just(Mode::V1Header),
        Just(Mode::V1Presign),
        Just(Mode::V4Header),
        Just(Mode::V4Presign),
    ]
}

const PRESIGN_EXPIRES: i64 = 3600;

fn signed(case: &Case, mode: Mode) -> Request {
    let mut r = case.request();
    let t = Timestamp::from_unix(case.time);
    match mode {
        Mode::V1Header => {
            v1::sign_request(&mut r, &case.creds(), t);
        }
        Mode::V1Presign => {
            v1::presign(&mut r, &case.creds(), t.add_seconds(PRESIGN_EXPIRES));
        }
        Mode::V4Header => {
            v4::sign_request(&mut r, &case.creds(), t, &case.params()).unwrap();
        }
        Mode::V4Presign => {
            v4::presign(
                &mut r,
                &case.creds(),
                t,
                PRESIGN_EXPIRES as u64,
                &case.params(),
            )
            .unwrap();
        }
    }
    r
}

fn verify_at(r: &Request, case: &Case, now: i64) -> Result<Authenticated, VerifyError> {
    verify(&r.view(), &lookup(case), Timestamp::from_unix(now))
}

/// The elements a tamper may change.
#[derive(Debug, Clone, Copy)]
enum Tamper {
    Method,
    Key,
    Bucket,
    SignedHeader,
    SignedQuery,
    Time,
}

fn tamper() -> impl Strategy<Value = Tamper> {
    prop_oneof![
        Just(Tamper::Method),
        Just(Tamper::Key),
        Just(Tamper::Bucket),
        Just(Tamper::SignedHeader),
        Just(Tamper::SignedQuery),
        Just(Tamper::Time),
    ]
}

/// Applies a tamper to a signed request; `false` when the case has nothing of that kind to change.
fn apply(r: &mut Request, t: Tamper, mode: Mode) -> bool {
    match t {
        Tamper::Method => {
            r.method = if r.method == Method::Get {
                Method::Put
            } else {
                Method::Get
            };
            true
        }
        Tamper::Key => {
            r.key = Some(format!("{}x", r.key.clone().unwrap_or_default()));
            true
        }
        Tamper::Bucket => {
            r.bucket = r.bucket.as_ref().map(|b| format!("{b}x"));
            true
        }
        Tamper::SignedHeader => {
            let signed = |n: &str| {
                let n = n.to_ascii_lowercase();
                n.starts_with("x-oss-meta") || n == "content-type" || n == "content-md5"
            };
            let headers: Vec<(String, String)> = r
                .headers
                .iter()
                .map(|(n, v)| (n.to_owned(), v.to_owned()))
                .collect();
            match headers.iter().find(|(n, _)| signed(n)) {
                Some((n, v)) => {
                    r.headers.set(n.clone(), format!("{v}x"));
                    true
                }
                None => false,
            }
        }
        Tamper::SignedQuery => {
            let is_v1 = matches!(mode, Mode::V1Header | Mode::V1Presign);
            let auth_keys = [
                "OSSAccessKeyId",
                "Expires",
                "Signature",
                "x-oss-signature",
                "x-oss-signature-version",
                "x-oss-date",
                "x-oss-expires",
                "x-oss-credential",
                "x-oss-additional-headers",
                "x-oss-security-token",
                "security-token",
            ];
            let pos = r.query.iter().position(|(k, _)| {
                !auth_keys.contains(&k.as_str())
                    && (!is_v1 || v1::SubresourcePolicy::Oss2.is_signed(k))
            });
            match pos {
                Some(i) => {
                    let v = r.query[i].1.clone().unwrap_or_default();
                    r.query[i].1 = Some(format!("{v}x"));
                    true
                }
                None => false,
            }
        }
        Tamper::Time => {
            match mode {
                Mode::V1Header => {
                    let d = Timestamp::parse_rfc1123(r.headers.get("date").unwrap()).unwrap();
                    r.headers.set("Date", d.add_seconds(1).to_rfc1123());
                }
                Mode::V1Presign => {
                    for (k, v) in r.query.iter_mut() {
                        if k == "Expires" {
                            let e: i64 = v.as_deref().unwrap().parse().unwrap();
                            *v = Some((e + 1).to_string());
                        }
                    }
                }
                Mode::V4Header => {
                    let d = Timestamp::parse_iso8601_basic(r.headers.get("x-oss-date").unwrap())
                        .unwrap();
                    r.headers
                        .set("x-oss-date", d.add_seconds(1).to_iso8601_basic());
                }
                Mode::V4Presign => {
                    for (k, v) in r.query.iter_mut() {
                        if k == "x-oss-date" {
                            let d = Timestamp::parse_iso8601_basic(v.as_deref().unwrap()).unwrap();
                            *v = Some(d.add_seconds(1).to_iso8601_basic());
                        }
                    }
                }
            }
            true
        }
    }
}

// ------------------------------------------------------------------------------------------------
// Properties

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn sign_then_verify_round_trips(case in case(), mode in mode()) {
        let r = signed(&case, mode);
        match verify_at(&r, &case, case.time + 5) {
            Ok(Authenticated::Signed(s)) => {
                prop_assert_eq!(s.access_key_id, "AKID");
                prop_assert_eq!(s.security_token, case.token.clone());
            }
            other => prop_assert!(false, "{:?} for {:?}", other, r),
        }
        // A request rebuilt from its URL, as a server receives it, verifies too.
        let url = r.url();
        let raw_query = url.split_once('?').map(|(_, q)| q).unwrap_or("");
        let mut received = r.clone();
        received.query = encoding::parse_query(raw_query).unwrap();
        prop_assert!(matches!(verify_at(&received, &case, case.time + 5), Ok(Authenticated::Signed(_))));
    }

    #[test]
    fn tampering_with_a_signed_element_fails(case in case(), mode in mode(), t in tamper()) {
        let mut r = signed(&case, mode);
        prop_assume!(apply(&mut r, t, mode));
        let out = verify_at(&r, &case, case.time + 5);
        prop_assert!(!matches!(out, Ok(Authenticated::Signed(_))), "{:?} survived {:?}: {:?}", t, mode, out);
    }

    #[test]
    fn another_secret_fails(case in case(), mode in mode()) {
        let r = signed(&case, mode);
        let other = |id: &str| (id == "AKID").then(|| {
            let c = Credentials::new("AKID", "another-secret");
            match &case.token { Some(t) => c.with_security_token(t.clone()), None => c }
        });
        let out = verify(&r.view(), &other, Timestamp::from_unix(case.time + 5));
        let mismatch = matches!(out, Err(VerifyError::SignatureMismatch { .. }));
        prop_assert!(mismatch, "{:?}", out);
    }

    #[test]
    fn encryption_rule_xml_round_trips(
        alg in prop_oneof![Just(SseAlgorithm::Aes256), Just(SseAlgorithm::Kms), Just(SseAlgorithm::Sm4)],
        key_id in prop::option::of(nonempty_field()),
        sm4 in any::<bool>(),
    ) {
        let rule = match alg {
            SseAlgorithm::Kms => ServerSideEncryptionRule::kms(key_id.as_deref(), sm4.then_some(DataEncryption::Sm4)),
            SseAlgorithm::Aes256 => ServerSideEncryptionRule::aes256(),
            SseAlgorithm::Sm4 => ServerSideEncryptionRule::sm4(),
        };
        prop_assert_eq!(ServerSideEncryptionRule::from_xml(rule.to_xml().as_bytes()).unwrap(), rule.clone());
        let obj = rule.to_object_encryption();
        let mut h = oss_sse_core::Headers::new();
        obj.apply_to(&mut h);
        prop_assert_eq!(ObjectEncryption::from_headers(h.as_slice()).unwrap(), Some(obj));
    }

    #[test]
    fn error_xml_round_trips(
        code in prop::sample::select(OssErrorCode::ALL.to_vec()),
        message in field(),
        request_id in prop::option::of("[0-9A-F]{24}"),
        extra in prop::collection::vec(("[A-Z][a-zA-Z]{0,10}", field()), 0..4),
    ) {
        let mut e = ServiceError::with_message(code, message);
        e.request_id = request_id;
        for (n, v) in extra {
            if !["Code", "Message", "RequestId", "HostId", "EC"].contains(&n.as_str()) {
                e = e.extra(n, v);
            }
        }
        prop_assert_eq!(ServiceError::from_xml(e.status, e.to_xml().as_bytes()).unwrap(), e.clone());
        let headers = vec![("x-oss-err".to_string(), e.to_err_header())];
        prop_assert_eq!(ServiceError::from_response(e.status, &headers, b""), e);
    }

    #[test]
    fn listing_xml_round_trips(
        keys in prop::collection::vec(object_key(), 0..6),
        prefixes in prop::collection::vec(object_key(), 0..3),
        url in any::<bool>(),
        v2 in any::<bool>(),
        truncated in any::<bool>(),
        size in any::<u64>(),
        name in "[a-z0-9]{3,10}",
    ) {
        let r = ListObjectsResult {
            name,
            prefix: "p/ ".into(),
            marker: if v2 { None } else { Some(String::new()) },
            next_marker: if v2 || !truncated { None } else { Some("n 1".into()) },
            start_after: None,
            continuation_token: None,
            next_continuation_token: if v2 && truncated { Some("tok".into()) } else { None },
            key_count: if v2 { Some((keys.len() + prefixes.len()) as u32) } else { None },
            max_keys: 1000,
            delimiter: Some("/".into()),
            is_truncated: truncated,
            encoding_type: url.then(|| "url".to_owned()),
            contents: keys.into_iter().map(|key| ObjectSummary {
                key,
                last_modified: "2023-12-16T16:20:57.000Z".into(),
                etag: "\"5B3C1A2E053D763E1B002CC607C5A0FE\"".into(),
                object_type: "Normal".into(),
                size,
                storage_class: "Standard".into(),
                owner: Some(Owner { id: "1".into(), display_name: "d".into() }),
            }).collect(),
            common_prefixes: prefixes,
        };
        let doc = if v2 { r.to_xml_v2() } else { r.to_xml_v1() };
        prop_assert_eq!(ListObjectsResult::from_xml(doc.as_bytes()).unwrap(), r);
    }

    #[test]
    fn other_documents_round_trip(
        a in nonempty_field(), b in nonempty_field(), key in object_key(),
        n in 1u32..10_000, crc in prop::option::of(any::<u64>()), size in any::<u64>(),
        encryption in prop::option::of(prop_oneof![
            Just(ServerSideEncryptionRule::aes256()),
            Just(ServerSideEncryptionRule::kms(Some("k-1"), Some(DataEncryption::Sm4))),
        ]),
    ) {
        let info = BucketInfo { name: a.clone(), location: b.clone(), acl: Some("private".into()), encryption, ..Default::default() };
        prop_assert_eq!(BucketInfo::from_xml(info.to_xml().as_bytes()).unwrap(), info);
        let init = InitiateMultipartUploadResult { bucket: a.clone(), key: key.clone(), upload_id: b.clone() };
        prop_assert_eq!(InitiateMultipartUploadResult::from_xml(init.to_xml().as_bytes()).unwrap(), init);
        let done = CompleteMultipartUploadResult { location: a.clone(), bucket: b.clone(), key: key.clone(), etag: "\"e\"".into() };
        prop_assert_eq!(CompleteMultipartUploadResult::from_xml(done.to_xml().as_bytes()).unwrap(), done);
        let parts = ListPartsResult {
            bucket: a.clone(), key: key.clone(), upload_id: b.clone(), max_parts: 1000, is_truncated: false,
            parts: vec![PartSummary { part_number: n, last_modified: a.clone(), etag: b.clone(), hash_crc64ecma: crc, size }],
            ..Default::default()
        };
        prop_assert_eq!(ListPartsResult::from_xml(parts.to_xml().as_bytes()).unwrap(), parts);
        let buckets = ListBucketsResult {
            buckets: vec![oss_sse_core::response::BucketSummary { name: a.clone(), region: Some(b.clone()), ..Default::default() }],
            ..Default::default()
        };
        prop_assert_eq!(ListBucketsResult::from_xml(buckets.to_xml().as_bytes()).unwrap(), buckets);
        let complete = CompleteMultipartUpload { parts: vec![CompletedPart { part_number: n, etag: b.clone() }] };
        prop_assert_eq!(CompleteMultipartUpload::from_xml(complete.to_xml().as_bytes()).unwrap(), complete);
    }

    #[test]
    fn crc64_combine_matches_concatenation(a in prop::collection::vec(any::<u8>(), 0..600), b in prop::collection::vec(any::<u8>(), 0..600)) {
        let mut whole = a.clone();
        whole.extend_from_slice(&b);
        prop_assert_eq!(crc64::combine(crc64::checksum(&a), crc64::checksum(&b), b.len() as u64), crc64::checksum(&whole));
    }

    #[test]
    fn uri_encoding_round_trips(s in "\\PC{0,40}") {
        prop_assert_eq!(encoding::percent_decode(&encoding::uri_encode(&s, false)).unwrap(), s.clone());
        prop_assert_eq!(encoding::percent_decode(&encoding::uri_encode(&s, true)).unwrap(), s);
    }
}

// ------------------------------------------------------------------------------------------------
// Parsers never panic

fn auth_like() -> impl Strategy<Value = String> {
    prop_oneof![
        "\\PC{0,80}",
        "(OSS|OSS4-HMAC-SHA256) [A-Za-z=,;/: _0-9a-f+]{0,120}",
        Just("OSS4-HMAC-SHA256 Credential=a/20231216/r/oss/aliyun_v4_request,AdditionalHeaders=;,Signature=00".to_owned()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn verifier_survives_garbage(
        auth in prop::option::of(auth_like()),
        date in prop::option::of("\\PC{0,30}"),
        q in prop::collection::vec((
            prop_oneof![
                Just("OSSAccessKeyId".to_owned()), Just("Expires".to_owned()), Just("Signature".to_owned()),
                Just("x-oss-signature-version".to_owned()), Just("x-oss-date".to_owned()),
                Just("x-oss-expires".to_owned()), Just("x-oss-credential".to_owned()),
                Just("x-oss-signature".to_owned()), Just("x-oss-additional-headers".to_owned()),
                "\\PC{0,8}",
            ],
            prop::option::of("\\PC{0,40}"),
        ), 0..8),
        now in any::<i64>(),
    ) {
        let mut r = Request::new(Method::Get, Scheme::Https, "h", Some("bucket"), Some("k"));
        if let Some(a) = auth { r.headers.set("Authorization", a); }
        if let Some(d) = date { r.headers.set("x-oss-date", d.clone()); r.headers.set("Date", d); }
        r.query = q;
        let keys = |id: &str| Some(Credentials::new(id, "sk"));
        let _ = parse_auth(&r.view());
        let _ = verify(&r.view(), &keys, Timestamp::from_unix(now));
    }

    #[test]
    fn xml_parsers_survive_garbage(doc in prop::collection::vec(any::<u8>(), 0..300), text in "\\PC{0,200}") {
        for d in [&doc[..], text.as_bytes()] {
            let _ = ServerSideEncryptionRule::from_xml(d);
            let _ = ServiceError::from_xml(400, d);
            let _ = ServiceError::from_response(400, &[("x-oss-err".into(), String::from_utf8_lossy(d).into_owned())], d);
            let _ = BucketInfo::from_xml(d);
            let _ = ListObjectsResult::from_xml(d);
            let _ = ListBucketsResult::from_xml(d);
            let _ = InitiateMultipartUploadResult::from_xml(d);
            let _ = CompleteMultipartUploadResult::from_xml(d);
            let _ = ListPartsResult::from_xml(d);
            let _ = CompleteMultipartUpload::from_xml(d);
        }
    }

    #[test]
    fn mutated_documents_never_panic(pos in any::<prop::sample::Index>(), byte in any::<u8>(), cut in any::<prop::sample::Index>()) {
        let docs = [
            ServerSideEncryptionRule::kms(Some("k"), Some(DataEncryption::Sm4)).to_xml(),
            ServiceError::new(OssErrorCode::NoSuchKey).request_id("R").to_xml(),
            ListObjectsResult { contents: vec![ObjectSummary::default()], common_prefixes: vec!["p".into()], ..Default::default() }.to_xml_v2(),
            ListPartsResult { parts: vec![PartSummary::default()], ..Default::default() }.to_xml(),
            BucketInfo::default().to_xml(),
        ];
        for doc in docs {
            let mut d = doc.into_bytes();
            let i = pos.index(d.len());
            d[i] = byte;
            d.truncate(cut.index(d.len() + 1).max(1));
            let _ = ServerSideEncryptionRule::from_xml(&d);
            let _ = ServiceError::from_xml(400, &d);
            let _ = ListObjectsResult::from_xml(&d);
            let _ = ListPartsResult::from_xml(&d);
            let _ = BucketInfo::from_xml(&d);
        }
    }

    #[test]
    fn text_parsers_survive_garbage(s in "\\PC{0,60}", b in any::<u64>()) {
        let _ = Timestamp::parse_rfc1123(&s);
        let _ = Timestamp::parse_iso8601_basic(&s);
        let _ = Timestamp::parse_iso8601_extended(&s);
        let _ = encoding::percent_decode(&s);
        let _ = encoding::parse_query(&s);
        let _ = encoding::hex_decode(&s);
        let _ = encoding::base64_decode(&s);
        let _ = Endpoint::parse(&s);
        if let Some(r) = ByteRange::parse(&s) { let _ = r.resolve(b); }
        let _ = Method::parse(&s);
        let _ = SseAlgorithm::parse(&s);
        let _ = Timestamp::from_unix(b as i64).to_rfc1123();
    }
}
