//! Header signing of a typical PutObject, V1 and V4 (with a cached and with a freshly derived signing
//! key), and the server's verification of the V4 result. The request is the one
//! `tests/python/bench_sdk_signer.py` times with the official Python SDKs, so the figures compare.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use oss_sse_core::endpoint::Endpoint;
use oss_sse_core::sign::v4::{Scope, SigningKey, V4Params};
use oss_sse_core::sign::{v1, v4};
use oss_sse_core::verify::verify;
use oss_sse_core::{Credentials, Method, Request, Timestamp};

const AK: &str = "LTAI5tExampleAccessKey01";
const SK: &str = "ExampleSecretKeyExampleSecretKey01";
const TIME: i64 = 1_702_743_657;

fn put_object() -> Request {
    let ep = Endpoint::parse("https://oss-cn-hangzhou.aliyuncs.com").expect("endpoint");
    let mut r = ep.request(
        Method::Put,
        Some("examplebucket"),
        Some("path/to/object.bin"),
    );
    r.headers.set("Content-Type", "application/octet-stream");
    r.headers.set("Content-MD5", "eB5eJF1ptWaXm4bijSPyxw==");
    r.headers.set("x-oss-meta-author", "alice");
    r.headers.set("x-oss-meta-project", "oss-sse");
    r.headers.set("x-oss-server-side-encryption", "KMS");
    r
}

fn signing(c: &mut Criterion) {
    let creds = Credentials::new(AK, SK);
    let time = Timestamp::from_unix(TIME);
    let params = V4Params::new("cn-hangzhou");
    let key = SigningKey::derive(&creds.secret, &Scope::new(time, "cn-hangzhou", "oss"));
    let template = put_object();

    c.bench_function("v1_header_put_object", |b| {
        b.iter_batched(
            || template.clone(),
            |mut r| {
                let out = v1::sign_request(&mut r, &creds, time);
                // Returned, so the request is dropped outside the timing, as a client sends it on.
                black_box((r, out))
            },
            BatchSize::SmallInput,
        )
    });
    c.bench_function("v4_header_put_object_cached_key", |b| {
        b.iter_batched(
            || template.clone(),
            |mut r| {
                black_box(v4::sign_request_with_key(
                    &mut r, AK, None, &key, time, &params,
                ))
            },
            BatchSize::SmallInput,
        )
    });
    c.bench_function("v4_header_put_object_derived_key", |b| {
        b.iter_batched(
            || template.clone(),
            |mut r| {
                let out = v4::sign_request(&mut r, &creds, time, &params);
                black_box((r, out))
            },
            BatchSize::SmallInput,
        )
    });
    c.bench_function("v4_signing_key_derive", |b| {
        let scope = Scope::new(time, "cn-hangzhou", "oss");
        b.iter(|| black_box(SigningKey::derive(&creds.secret, black_box(&scope))))
    });

    // The V4 stages on their own, to see where a signature's time goes.
    let mut staged = template.clone();
    let out = v4::sign_request_with_key(&mut staged, AK, None, &key, time, &params).expect("signs");
    c.bench_function("v4_stage_canonical_request", |b| {
        b.iter(|| black_box(v4::canonical_request(&staged.view(), &[], &[])))
    });
    c.bench_function("v4_stage_string_to_sign", |b| {
        b.iter(|| {
            black_box(v4::string_to_sign(
                "20231216T162057Z",
                key.scope(),
                black_box(&out.canonical_request),
            ))
        })
    });
    c.bench_function("v4_stage_signature", |b| {
        b.iter(|| black_box(key.sign(black_box(&out.string_to_sign))))
    });

    let mut signed = template.clone();
    v4::sign_request(&mut signed, &creds, time, &params).expect("signs");
    let lookup = |id: &str| (id == AK).then(|| Credentials::new(AK, SK));
    c.bench_function("v4_verify_put_object", |b| {
        b.iter(|| black_box(verify(&signed.view(), &lookup, time)))
    });
}

criterion_group!(benches, signing);
criterion_main!(benches);
