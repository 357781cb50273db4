//! The emulator benchmark behind `oss-sse bench`: PUT and GET throughput for large objects and
//! operations per second for small ones at a given concurrency, over loopback, with bodies generated and
//! consumed on the fly (the load generator's memory does not grow with object size) and every GET checked
//! against the CRC-64 the server reports. Large objects are measured unencrypted and under each
//! server-side encryption method (SSE-OSS, SSE-KMS, SM4), 4 KiB operations unencrypted and under SSE-KMS,
//! one very large SSE-KMS object streams in and out (for the server's peak memory), and the raw
//! AES-256-GCM seal rate of one core is measured in-process as the ceiling.

use std::time::Instant;

use bytes::Bytes;
use futures_util::stream;
use http_body_util::{BodyExt, StreamBody};
use hyper::body::Frame;
use oss_sse_core::{Body, Credentials, Method};
use serde::Serialize;

use crate::client::{bytes_body, Client, ClientError, ReqBody, Sink};
use crate::crc64::{self, Crc64};

/// What to measure.
#[derive(Debug, Clone)]
pub struct BenchPlan {
    /// Objects of 1 MiB to PUT then GET.
    pub mib_objects: usize,
    /// Size of the large objects in MiB (256 by default).
    pub large_mib: u64,
    /// Large objects to PUT then GET per encryption method (rounds, interleaved).
    pub large_objects: usize,
    /// 4 KiB operations (each of PUT and GET) in the small-object run.
    pub small_ops: usize,
    /// Concurrent clients in the small-object run.
    pub concurrency: usize,
    /// Size in MiB of the one SSE-KMS object streamed in and out for the peak-memory figure (1024).
    pub huge_mib: u64,
    /// MiB sealed in-process for the raw cipher rates.
    pub seal_mib: u64,
}

impl BenchPlan {
    /// The full run: 64 × 1 MiB, 3 rounds of 256 MiB per encryption method, 4,000 × 4 KiB at
    /// concurrency 16 (unencrypted and SSE-KMS), one 1 GiB SSE-KMS object, 1 GiB sealed in-process.
    pub fn full() -> BenchPlan {
        BenchPlan {
            mib_objects: 64,
            large_mib: 256,
            large_objects: 3,
            small_ops: 4000,
            concurrency: 16,
            huge_mib: 1024,
            seal_mib: 1024,
        }
    }

    /// A seconds-long smoke run with the same shape.
    pub fn quick() -> BenchPlan {
        BenchPlan {
            mib_objects: 8,
            large_mib: 16,
            large_objects: 1,
            small_ops: 400,
            concurrency: 16,
            huge_mib: 32,
            seal_mib: 16,
        }
    }
}

/// Throughput of one size.
#[derive(Debug, Clone, Serialize)]
pub struct Throughput {
    /// Object size in bytes.
    pub object_bytes: u64,
    /// Objects transferred each way.
    pub objects: usize,
    /// PUT MiB/s.
    pub put_mib_per_s: f64,
    /// GET MiB/s.
    pub get_mib_per_s: f64,
}

/// Small-object operation rates.
#[derive(Debug, Clone, Serialize)]
pub struct OpsRate {
    /// Object size in bytes.
    pub object_bytes: u64,
    /// Concurrent clients.
    pub concurrency: usize,
    /// Operations of each kind.
    pub operations: usize,
    /// PUTs per second.
    pub put_ops_per_s: f64,
    /// GETs per second.
    pub get_ops_per_s: f64,
}

/// Large-object throughput under one encryption method.
#[derive(Debug, Clone, Serialize)]
pub struct MethodThroughput {
    /// `none`, `AES256` (SSE-OSS), `KMS` (SSE-KMS, default CMK) or `SM4`.
    pub method: &'static str,
    /// The figures.
    #[serde(flatten)]
    pub throughput: Throughput,
}

/// In-process seal rates on one core (no I/O): the ceiling for encrypted PUTs.
#[derive(Debug, Clone, Serialize)]
pub struct SealRates {
    /// Bytes sealed per measurement.
    pub bytes: u64,
    /// ring's AES-256-GCM over 64 KiB buffers, MiB/s.
    pub raw_aes256gcm_mib_per_s: f64,
    /// oss-sse-seal's stream sealer (HKDF'd keys, 64 KiB segments), AES-256-GCM, MiB/s.
    pub sealer_aes256gcm_mib_per_s: f64,
    /// The same with SM4-GCM, MiB/s.
    pub sealer_sm4gcm_mib_per_s: f64,
}

/// Encrypted figures as fractions of the unencrypted ones, and whether they meet the targets
/// (SSE-OSS and SSE-KMS large PUT/GET >= 0.85, 4 KiB SSE-KMS >= 0.80).
#[derive(Debug, Clone, Serialize)]
pub struct Ratios {
    /// SSE-OSS large PUT / unencrypted.
    pub sse_oss_put: f64,
    /// SSE-OSS large GET / unencrypted.
    pub sse_oss_get: f64,
    /// SSE-KMS large PUT / unencrypted.
    pub sse_kms_put: f64,
    /// SSE-KMS large GET / unencrypted.
    pub sse_kms_get: f64,
    /// SM4 large PUT / unencrypted.
    pub sm4_put: f64,
    /// SM4 large GET / unencrypted.
    pub sm4_get: f64,
    /// 4 KiB SSE-KMS PUT ops/s / unencrypted.
    pub small_kms_put: f64,
    /// 4 KiB SSE-KMS GET ops/s / unencrypted.
    pub small_kms_get: f64,
    /// Every large ratio of SSE-OSS and SSE-KMS >= 0.85.
    pub large_target_met: bool,
    /// Both 4 KiB SSE-KMS ratios >= 0.80.
    pub small_target_met: bool,
}

/// The emulator's figures.
#[derive(Debug, Clone, Serialize)]
pub struct EmulatorReport {
    /// 1 MiB objects.
    pub mib: Throughput,
    /// Large objects, unencrypted.
    pub large: Throughput,
    /// Large objects per encryption method (the first entry is `none`, the same run as `large`).
    pub large_by_method: Vec<MethodThroughput>,
    /// 4 KiB objects.
    pub small: OpsRate,
    /// 4 KiB objects under SSE-KMS.
    pub small_kms: OpsRate,
    /// One SSE-KMS object of `huge_mib` MiB in and out (the server's peak RSS covers it).
    pub huge_kms: Throughput,
    /// In-process seal rates on one core.
    pub seal: SealRates,
    /// Encrypted / unencrypted.
    pub ratios: Ratios,
}

/// Why the benchmark stopped.
#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    /// Transport failure.
    #[error(transparent)]
    Client(#[from] ClientError),
    /// The server answered something unexpected.
    #[error("{0}")]
    Unexpected(String),
}

const CHUNK: usize = 1024 * 1024;

/// A body of `len` bytes made of one repeated 1 MiB pattern, generated as it is sent.
fn generated_body(pattern: Bytes, len: u64) -> ReqBody {
    let s = stream::unfold(0u64, move |sent| {
        let pattern = pattern.clone();
        async move {
            if sent >= len {
                return None;
            }
            let n = (len - sent).min(pattern.len() as u64) as usize;
            Some((
                Ok::<_, std::io::Error>(Frame::data(pattern.slice(..n))),
                sent + n as u64,
            ))
        }
    });
    BodyExt::boxed(StreamBody::new(s))
}

fn pattern(seed: u8) -> Bytes {
    Bytes::from(
        (0..CHUNK)
            .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
            .collect::<Vec<u8>>(),
    )
}

fn expected_crc(pattern: &Bytes, len: u64) -> u64 {
    let mut c = Crc64::new();
    let mut left = len;
    while left > 0 {
        let n = left.min(pattern.len() as u64) as usize;
        c.update(&pattern[..n]);
        left -= n as u64;
    }
    c.value()
}

async fn put_generated(
    c: &mut Client,
    bucket: &str,
    key: &str,
    pattern: &Bytes,
    len: u64,
    headers: &[(&str, &str)],
) -> Result<(), BenchError> {
    let mut r = c.endpoint().request(Method::Put, Some(bucket), Some(key));
    for (n, v) in headers {
        r.headers.set(*n, *v);
    }
    r.body = Body::Streamed { length: len };
    let reply = c
        .send_with(r, generated_body(pattern.clone(), len), Sink::Collect)
        .await?;
    if reply.status != 200 {
        return Err(BenchError::Unexpected(format!(
            "PUT {key}: {} {}",
            reply.status,
            reply.text()
        )));
    }
    Ok(())
}

async fn get_checked(
    c: &mut Client,
    bucket: &str,
    key: &str,
    len: u64,
    crc: u64,
) -> Result<(), BenchError> {
    let r = c.endpoint().request(Method::Get, Some(bucket), Some(key));
    let reply = c
        .send_with(r, bytes_body(Bytes::new()), Sink::Discard)
        .await?;
    if reply.status != 200 || reply.body_len != len || reply.body_crc64 != crc {
        return Err(BenchError::Unexpected(format!(
            "GET {key}: status {}, {} bytes, crc {} (expected {len} bytes, crc {crc})",
            reply.status, reply.body_len, reply.body_crc64
        )));
    }
    Ok(())
}

async fn throughput(
    c: &mut Client,
    bucket: &str,
    name: &str,
    len: u64,
    count: usize,
    headers: &[(&str, &str)],
) -> Result<Throughput, BenchError> {
    let pat = pattern(len as u8);
    let crc = expected_crc(&pat, len);
    let start = Instant::now();
    for i in 0..count {
        put_generated(c, bucket, &format!("{name}/{i}"), &pat, len, headers).await?;
    }
    let put_s = start.elapsed().as_secs_f64();
    let start = Instant::now();
    for i in 0..count {
        get_checked(c, bucket, &format!("{name}/{i}"), len, crc).await?;
    }
    let get_s = start.elapsed().as_secs_f64();
    let mib = (len as f64 * count as f64) / (1024.0 * 1024.0);
    Ok(Throughput {
        object_bytes: len,
        objects: count,
        put_mib_per_s: mib / put_s.max(1e-9),
        get_mib_per_s: mib / get_s.max(1e-9),
    })
}

async fn small_ops(
    endpoint: &str,
    credentials: &Credentials,
    region: &str,
    bucket: &str,
    ops: usize,
    concurrency: usize,
    (prefix, headers): (&str, &'static [(&'static str, &'static str)]),
) -> Result<OpsRate, BenchError> {
    let body = Bytes::from(vec![0x5Au8; 4096]);
    let crc = crc64::checksum(&body);
    let concurrency = concurrency.max(1);
    let mut clients = Vec::new();
    for _ in 0..concurrency {
        clients.push(Client::new(endpoint, credentials.clone(), region)?);
    }
    let run = |clients: Vec<Client>, get: bool| {
        let bucket = bucket.to_owned();
        let prefix = prefix.to_owned();
        let body = body.clone();
        async move {
            let mut tasks = Vec::new();
            for (w, mut c) in clients.into_iter().enumerate() {
                let bucket = bucket.clone();
                let body = body.clone();
                let prefix = prefix.clone();
                tasks.push(tokio::spawn(async move {
                    let mut i = w;
                    while i < ops {
                        let key = format!("{prefix}/{i}");
                        if get {
                            get_checked(&mut c, &bucket, &key, 4096, crc).await?;
                        } else {
                            let mut r =
                                c.endpoint().request(Method::Put, Some(&bucket), Some(&key));
                            r.body = Body::Bytes(body.to_vec());
                            for (n, v) in headers {
                                r.headers.set(*n, *v);
                            }
                            let reply = c.send(r).await?;
                            if reply.status != 200 {
                                return Err(BenchError::Unexpected(format!(
                                    "PUT {key}: {}",
                                    reply.status
                                )));
                            }
                        }
                        i += concurrency;
                    }
                    Ok::<Client, BenchError>(c)
                }));
            }
            let mut back = Vec::new();
            for t in tasks {
                match t.await {
                    Ok(r) => back.push(r?),
                    Err(e) => return Err(BenchError::Unexpected(e.to_string())),
                }
            }
            Ok::<Vec<Client>, BenchError>(back)
        }
    };
    let start = Instant::now();
    let clients = run(clients, false).await?;
    let put_s = start.elapsed().as_secs_f64();
    let start = Instant::now();
    run(clients, true).await?;
    let get_s = start.elapsed().as_secs_f64();
    Ok(OpsRate {
        object_bytes: 4096,
        concurrency,
        operations: ops,
        put_ops_per_s: ops as f64 / put_s.max(1e-9),
        get_ops_per_s: ops as f64 / get_s.max(1e-9),
    })
}

/// Runs the plan against the emulator at `endpoint` (which must be empty of bucket `bench`).
pub async fn run(
    endpoint: &str,
    credentials: Credentials,
    region: &str,
    plan: &BenchPlan,
) -> Result<EmulatorReport, BenchError> {
    let bucket = "oss-sse-bench";
    let mut c = Client::new(endpoint, credentials.clone(), region)?;
    let r = c.endpoint().request(Method::Put, Some(bucket), None);
    let reply = c.send(r).await?;
    if reply.status != 200 {
        return Err(BenchError::Unexpected(format!(
            "creating the bucket: {} {}",
            reply.status,
            reply.text()
        )));
    }
    let mib = throughput(&mut c, bucket, "mib", 1024 * 1024, plan.mib_objects, &[]).await?;
    let large_len = plan.large_mib * 1024 * 1024;
    let large_by_method = interleaved(&mut c, bucket, large_len, plan.large_objects).await?;
    let small = small_ops(
        endpoint,
        &credentials,
        region,
        bucket,
        plan.small_ops,
        plan.concurrency,
        ("small", &[]),
    )
    .await?;
    let small_kms = small_ops(
        endpoint,
        &credentials,
        region,
        bucket,
        plan.small_ops,
        plan.concurrency,
        ("small-kms", KMS),
    )
    .await?;
    let huge_kms = throughput(
        &mut c,
        bucket,
        "huge-kms",
        plan.huge_mib * 1024 * 1024,
        1,
        KMS,
    )
    .await?;
    let seal = tokio::task::spawn_blocking({
        let bytes = plan.seal_mib * 1024 * 1024;
        move || seal_rates(bytes)
    })
    .await
    .map_err(|e| BenchError::Unexpected(e.to_string()))??;
    let by = |m: &str| {
        large_by_method
            .iter()
            .find(|t| t.method == m)
            .map(|t| t.throughput.clone())
    };
    let none = by("none").ok_or_else(|| BenchError::Unexpected("no baseline".into()))?;
    let ratio = |m: &str, get: bool| {
        by(m).map_or(0.0, |t| {
            if get {
                t.get_mib_per_s / none.get_mib_per_s.max(1e-9)
            } else {
                t.put_mib_per_s / none.put_mib_per_s.max(1e-9)
            }
        })
    };
    let ratios = Ratios {
        sse_oss_put: ratio("AES256", false),
        sse_oss_get: ratio("AES256", true),
        sse_kms_put: ratio("KMS", false),
        sse_kms_get: ratio("KMS", true),
        sm4_put: ratio("SM4", false),
        sm4_get: ratio("SM4", true),
        small_kms_put: small_kms.put_ops_per_s / small.put_ops_per_s.max(1e-9),
        small_kms_get: small_kms.get_ops_per_s / small.get_ops_per_s.max(1e-9),
        large_target_met: false,
        small_target_met: false,
    };
    let ratios = Ratios {
        large_target_met: [
            ratios.sse_oss_put,
            ratios.sse_oss_get,
            ratios.sse_kms_put,
            ratios.sse_kms_get,
        ]
        .iter()
        .all(|r| *r >= 0.85),
        small_target_met: ratios.small_kms_put >= 0.80 && ratios.small_kms_get >= 0.80,
        ..ratios
    };
    Ok(EmulatorReport {
        mib,
        large: none,
        large_by_method,
        small,
        small_kms,
        huge_kms,
        seal,
        ratios,
    })
}

/// Large-object throughput of every method, measured in rounds (one object of each method per round,
/// PUTs then GETs) so that disk and machine noise falls on all methods alike.
async fn interleaved(
    c: &mut Client,
    bucket: &str,
    len: u64,
    rounds: usize,
) -> Result<Vec<MethodThroughput>, BenchError> {
    let pat = pattern(len as u8);
    let crc = expected_crc(&pat, len);
    let mut put_s = [0f64; METHODS.len()];
    let mut get_s = [0f64; METHODS.len()];
    for i in 0..rounds {
        for (m, (method, headers)) in METHODS.iter().enumerate() {
            let start = Instant::now();
            put_generated(
                c,
                bucket,
                &format!("large-{method}/{i}"),
                &pat,
                len,
                headers,
            )
            .await?;
            put_s[m] += start.elapsed().as_secs_f64();
        }
    }
    for i in 0..rounds {
        for (m, (method, _)) in METHODS.iter().enumerate() {
            let start = Instant::now();
            get_checked(c, bucket, &format!("large-{method}/{i}"), len, crc).await?;
            get_s[m] += start.elapsed().as_secs_f64();
        }
    }
    let mib = (len as f64 * rounds as f64) / (1024.0 * 1024.0);
    Ok(METHODS
        .iter()
        .enumerate()
        .map(|(m, (method, _))| MethodThroughput {
            method,
            throughput: Throughput {
                object_bytes: len,
                objects: rounds,
                put_mib_per_s: mib / put_s[m].max(1e-9),
                get_mib_per_s: mib / get_s[m].max(1e-9),
            },
        })
        .collect())
}

const KMS: &[(&str, &str)] = &[("x-oss-server-side-encryption", "KMS")];

/// The methods large objects are measured under, with their request headers.
const METHODS: [(&str, &[(&str, &str)]); 4] = [
    ("none", &[]),
    ("AES256", &[("x-oss-server-side-encryption", "AES256")]),
    ("KMS", KMS),
    ("SM4", &[("x-oss-server-side-encryption", "SM4")]),
];

/// Seals `bytes` bytes on this thread: raw ring AES-256-GCM over 64 KiB buffers, then oss-sse-seal's
/// stream sealer with AES-256-GCM and with SM4-GCM.
pub fn seal_rates(bytes: u64) -> Result<SealRates, BenchError> {
    use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM};
    let err = |e: &dyn std::fmt::Display| BenchError::Unexpected(e.to_string());
    let seg = 64 * 1024;
    let mut buf = vec![0x42u8; seg];
    let key =
        LessSafeKey::new(UnboundKey::new(&AES_256_GCM, &[7u8; 32]).map_err(|_| err(&"ring key"))?);
    let rounds = bytes.div_ceil(seg as u64).max(1);
    let start = Instant::now();
    for i in 0..rounds {
        let mut n = [0u8; 12];
        n[4..].copy_from_slice(&i.to_be_bytes());
        let tag = key
            .seal_in_place_separate_tag(Nonce::assume_unique_for_key(n), Aad::empty(), &mut buf)
            .map_err(|_| err(&"seal"))?;
        let _ = std::hint::black_box(tag);
    }
    let raw = (rounds * seg as u64) as f64 / (1024.0 * 1024.0) / start.elapsed().as_secs_f64();
    let rng = ring::rand::SystemRandom::new();
    let sealer_rate = |cipher: oss_sse_seal::Cipher| -> Result<f64, BenchError> {
        let dk = oss_sse_seal::DataKey::generate(&rng).map_err(|e| err(&e))?;
        let id = oss_sse_seal::ObjectId::new("bench", "object", 1);
        let mut sealer = oss_sse_seal::StreamSealer::object(
            &rng,
            &dk,
            &id,
            oss_sse_seal::SealConfig::new(cipher),
        )
        .map_err(|e| err(&e))?;
        let chunk = vec![0x42u8; 512 * 1024];
        let mut out = Vec::with_capacity(chunk.len() + 1024);
        let mut done = 0u64;
        let start = Instant::now();
        while done < bytes {
            out.clear();
            sealer.update(&chunk, &mut out).map_err(|e| err(&e))?;
            std::hint::black_box(&out);
            done += chunk.len() as u64;
        }
        out.clear();
        sealer.finish(&mut out).map_err(|e| err(&e))?;
        Ok(done as f64 / (1024.0 * 1024.0) / start.elapsed().as_secs_f64())
    };
    Ok(SealRates {
        bytes,
        raw_aes256gcm_mib_per_s: raw,
        sealer_aes256gcm_mib_per_s: sealer_rate(oss_sse_seal::Cipher::Aes256Gcm)?,
        sealer_sm4gcm_mib_per_s: sealer_rate(oss_sse_seal::Cipher::Sm4Gcm)?,
    })
}
