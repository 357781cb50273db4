//! The emulator benchmark behind `oss-sse bench`: PUT and GET throughput for large objects and
//! operations per second for small ones at a given concurrency, over loopback, with bodies generated and
//! consumed on the fly (the load generator's memory does not grow with object size) and every GET checked
//! against the CRC-64 the server reports.

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
    /// Large objects to PUT then GET.
    pub large_objects: usize,
    /// 4 KiB operations (each of PUT and GET) in the small-object run.
    pub small_ops: usize,
    /// Concurrent clients in the small-object run.
    pub concurrency: usize,
}

impl BenchPlan {
    /// The full run: 64 × 1 MiB, 2 × 256 MiB, 4,000 × 4 KiB at concurrency 16.
    pub fn full() -> BenchPlan {
        BenchPlan {
            mib_objects: 64,
            large_mib: 256,
            large_objects: 2,
            small_ops: 4000,
            concurrency: 16,
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

/// The emulator's figures.
#[derive(Debug, Clone, Serialize)]
pub struct EmulatorReport {
    /// 1 MiB objects.
    pub mib: Throughput,
    /// Large objects.
    pub large: Throughput,
    /// 4 KiB objects.
    pub small: OpsRate,
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
    c.finish()
}

async fn put_generated(
    c: &mut Client,
    bucket: &str,
    key: &str,
    pattern: &Bytes,
    len: u64,
) -> Result<(), BenchError> {
    let mut r = c.endpoint().request(Method::Put, Some(bucket), Some(key));
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
) -> Result<Throughput, BenchError> {
    let pat = pattern(len as u8);
    let crc = expected_crc(&pat, len);
    let start = Instant::now();
    for i in 0..count {
        put_generated(c, bucket, &format!("{name}/{i}"), &pat, len).await?;
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
        let body = body.clone();
        async move {
            let mut tasks = Vec::new();
            for (w, mut c) in clients.into_iter().enumerate() {
                let bucket = bucket.clone();
                let body = body.clone();
                tasks.push(tokio::spawn(async move {
                    let mut i = w;
                    while i < ops {
                        let key = format!("small/{i}");
                        if get {
                            get_checked(&mut c, &bucket, &key, 4096, crc).await?;
                        } else {
                            let mut r =
                                c.endpoint().request(Method::Put, Some(&bucket), Some(&key));
                            r.body = Body::Bytes(body.to_vec());
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
    let mib = throughput(&mut c, bucket, "mib", 1024 * 1024, plan.mib_objects).await?;
    let large = throughput(
        &mut c,
        bucket,
        "large",
        plan.large_mib * 1024 * 1024,
        plan.large_objects,
    )
    .await?;
    let small = small_ops(
        endpoint,
        &credentials,
        region,
        bucket,
        plan.small_ops,
        plan.concurrency,
    )
    .await?;
    Ok(EmulatorReport { mib, large, small })
}
