//! Throughput of the at-rest format: sealing and opening 64 KiB segments with AES-256-GCM and SM4-GCM
//! through the public API, against raw ring AES-256-GCM on one core (the limit the format can approach).

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use oss_sse_seal::{Cipher, DataKey, Envelope, Header, ObjectId, SealConfig, StreamSealer};
use ring::aead;
use ring::rand::SystemRandom;

const SEGMENT: usize = 64 * 1024;
/// Sixteen segments per iteration, fed in 64 KiB chunks as an HTTP body would arrive.
const OBJECT: usize = 16 * SEGMENT;

fn seal_object(
    key: &DataKey,
    id: &ObjectId,
    config: SealConfig,
    plain: &[u8],
    out: &mut Vec<u8>,
) -> Vec<u8> {
    let rng = SystemRandom::new();
    let mut sealer = StreamSealer::object(&rng, key, id, config).expect("sealer");
    out.clear();
    for chunk in plain.chunks(SEGMENT) {
        sealer.update(chunk, out).expect("update");
    }
    let record = sealer.finish(out).expect("finish");
    let envelope = Envelope::default();
    Header::single(key, id, &record, envelope)
        .expect("header")
        .encode()
}

fn bench_format(c: &mut Criterion) {
    let rng = SystemRandom::new();
    let key = DataKey::generate(&rng).expect("key");
    let id = ObjectId::new("bench", "object", 1);
    let plain = vec![0x5au8; OBJECT];
    for (name, cipher) in [
        ("aes-256-gcm", Cipher::Aes256Gcm),
        ("sm4-gcm", Cipher::Sm4Gcm),
    ] {
        let config = SealConfig::new(cipher);
        let mut group = c.benchmark_group(format!("{name}/64KiB-segments"));
        group.throughput(Throughput::Bytes(OBJECT as u64));
        let mut body = Vec::with_capacity(OBJECT + 4096);
        group.bench_function("seal", |b| {
            b.iter(|| black_box(seal_object(&key, &id, config, black_box(&plain), &mut body)))
        });
        let header = seal_object(&key, &id, config, &plain, &mut body);
        let mut out = Vec::with_capacity(OBJECT);
        group.bench_function("open", |b| {
            b.iter(|| {
                let object = Header::decode(&header)
                    .expect("decode")
                    .verify(&key, &id)
                    .expect("verify");
                let mut dec = object.decrypt_full();
                out.clear();
                for chunk in body.chunks(SEGMENT) {
                    dec.update(chunk, &mut out).expect("open");
                }
                dec.finish().expect("finish");
                black_box(out.len())
            })
        });
        group.finish();
    }
}

/// A 4 KiB object end to end (sealer setup, one segment, record, header; then verify and open): the
/// fixed per-object cost that small PUTs and GETs pay.
fn bench_small_object(c: &mut Criterion) {
    let rng = SystemRandom::new();
    let key = DataKey::generate(&rng).expect("key");
    let id = ObjectId::new("bench", "small", 1);
    let plain = vec![0x5au8; 4096];
    let config = SealConfig::new(Cipher::Aes256Gcm);
    let mut group = c.benchmark_group("aes-256-gcm/small-object-4096B");
    group.throughput(Throughput::Bytes(plain.len() as u64));
    let mut body = Vec::with_capacity(8192);
    group.bench_function("seal", |b| {
        b.iter(|| black_box(seal_object(&key, &id, config, black_box(&plain), &mut body)))
    });
    let header = seal_object(&key, &id, config, &plain, &mut body);
    let mut out = Vec::with_capacity(8192);
    group.bench_function("open", |b| {
        b.iter(|| {
            let object = Header::decode(&header)
                .expect("decode")
                .verify(&key, &id)
                .expect("verify");
            let mut dec = object.decrypt_full();
            out.clear();
            dec.update(&body, &mut out).expect("open");
            dec.finish().expect("finish");
            black_box(out.len())
        })
    });
    group.finish();
}

fn bench_raw_ring(c: &mut Criterion) {
    let key =
        aead::LessSafeKey::new(aead::UnboundKey::new(&aead::AES_256_GCM, &[7u8; 32]).expect("key"));
    let mut buf = vec![0x5au8; SEGMENT];
    let mut counter = 0u64;
    let mut group = c.benchmark_group("ring-raw-aes-256-gcm");
    group.throughput(Throughput::Bytes(SEGMENT as u64));
    group.bench_function("seal-64KiB", |b| {
        b.iter(|| {
            counter += 1;
            let mut nonce = [0u8; 12];
            nonce[4..].copy_from_slice(&counter.to_be_bytes());
            let tag = key
                .seal_in_place_separate_tag(
                    aead::Nonce::assume_unique_for_key(nonce),
                    aead::Aad::empty(),
                    &mut buf,
                )
                .expect("seal");
            black_box(tag)
        })
    });
    group.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
}

criterion_group! {
    name = benches;
    config = config();
    targets = bench_raw_ring, bench_format, bench_small_object
}
criterion_main!(benches);
