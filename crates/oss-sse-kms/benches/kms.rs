//! GenerateDataKey and Decrypt per second on an open `LocalKms` (keys in memory, no file I/O on these paths).
//!
//! `cargo bench -p oss-sse-kms`; criterion reports time per call and, through the throughput setting,
//! calls per second ("elem/s").

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use oss_sse_kms::{
    CreateKeyRequest, DecryptRequest, EncryptionContext, GenerateDataKeyRequest, Kms, LocalKms,
    RootKey,
};

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temporary directory");
    let kms = LocalKms::options()
        .root_key(RootKey::from_bytes([0x42; 32]))
        .open(dir.path())
        .expect("open keystore");
    let key = kms
        .create_key(&CreateKeyRequest::default())
        .expect("create key")
        .key_id;
    // A context like the emulator's: bucket and object key.
    let context = EncryptionContext::new()
        .with("acs:oss:bucket", "examplebucket")
        .with("acs:oss:object", "photos/2024/cat.jpg");
    let gdk = GenerateDataKeyRequest::new(key, context.clone());
    let blob = kms
        .generate_data_key(&gdk)
        .expect("data key")
        .ciphertext_blob;
    let decrypt = DecryptRequest::new(blob, context);

    let mut group = c.benchmark_group("local_kms");
    group.throughput(Throughput::Elements(1));
    group.bench_function("generate_data_key_aes256", |b| {
        b.iter(|| black_box(kms.generate_data_key(black_box(&gdk)).expect("data key")))
    });
    group.bench_function("decrypt_data_key", |b| {
        b.iter(|| black_box(kms.decrypt(black_box(&decrypt)).expect("decrypt")))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
