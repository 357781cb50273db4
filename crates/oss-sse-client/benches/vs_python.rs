//! Our client against the official Python SDKs, same emulator, same machine, same run: 256 MiB upload and
//! download throughput (one stream, CRC64 checked) and 4 KiB PUT/GET operations per second (one at a
//! time). Prints one JSON document with every figure and the ratios ours / SDK. `download_no_crc_mib_s` is
//! ours without the CRC64 check, the like-for-like figure for alibabacloud-oss-v2, whose `get_object`
//! streams unchecked.
//!
//! `cargo bench -p oss-sse-client --bench vs_python` (needs the project venv, `bash scripts/python-env.sh`;
//! without it only our figures are printed). `OSS_SSE_BENCH_MIB` and `OSS_SSE_BENCH_OPS` change the sizes.

use std::io::{self, Read, Write};
use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

use oss_sse_client::{Client, GetObjectOptions, PutObjectOptions, RetryPolicy};
use oss_sse_server::testing::TestServer;
use serde_json::{json, Value};

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Deterministic non-repeating bytes (xorshift), so nothing compresses or dedups.
struct Pattern(u64, u64);

impl Read for Pattern {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = buf.len().min(self.1 as usize);
        for chunk in buf[..n].chunks_mut(8) {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            let bytes = self.0.to_le_bytes();
            chunk.copy_from_slice(&bytes[..chunk.len()]);
        }
        self.1 -= n as u64;
        Ok(n)
    }
}

fn main() {
    // `cargo bench` passes `--bench`; a filter argument other than ours means "not this bench".
    if std::env::args()
        .skip(1)
        .any(|a| !a.starts_with('-') && a != "vs_python")
    {
        return;
    }
    let mib = env_u64("OSS_SSE_BENCH_MIB", 256);
    let ops = env_u64("OSS_SSE_BENCH_OPS", 500);
    let size = mib << 20;
    let server = TestServer::start();
    let creds = server.credentials();
    let client = Client::builder(server.endpoint())
        .credentials(creds.clone())
        .region(server.region())
        .retry_policy(RetryPolicy::none())
        .build()
        .expect("client");
    client.create_bucket("bench").expect("bucket");

    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("big.bin");
    {
        let mut f = io::BufWriter::new(std::fs::File::create(&file).expect("create"));
        io::copy(&mut Pattern(0x9e37_79b9_7f4a_7c15, size), &mut f).expect("write");
        f.flush().expect("flush");
    }

    let mut ours = serde_json::Map::new();
    let t = Instant::now();
    let mut f = std::fs::File::open(&file).expect("open");
    client
        .put_object(
            "bench",
            "big-ours",
            &mut f,
            size,
            &PutObjectOptions::default(),
        )
        .expect("upload");
    ours.insert(
        "upload_mib_s".into(),
        json!(mib as f64 / t.elapsed().as_secs_f64()),
    );
    let t = Instant::now();
    let meta = client
        .get_object_to_writer(
            "bench",
            "big-ours",
            &GetObjectOptions::default(),
            &mut io::sink(),
        )
        .expect("download");
    assert_eq!(meta.content_length, size);
    ours.insert(
        "download_mib_s".into(),
        json!(mib as f64 / t.elapsed().as_secs_f64()),
    );
    // alibabacloud-oss-v2's get_object streams without a CRC check (only get_object_to_file checks), so
    // this is the figure to set beside its download.
    let unchecked = Client::builder(server.endpoint())
        .credentials(creds.clone())
        .region(server.region())
        .crc64_check(false)
        .build()
        .expect("client");
    let t = Instant::now();
    unchecked
        .get_object_to_writer(
            "bench",
            "big-ours",
            &GetObjectOptions::default(),
            &mut io::sink(),
        )
        .expect("download");
    ours.insert(
        "download_no_crc_mib_s".into(),
        json!(mib as f64 / t.elapsed().as_secs_f64()),
    );
    let small = vec![0x5au8; 4096];
    let t = Instant::now();
    for i in 0..ops {
        client
            .put_object_bytes(
                "bench",
                &format!("small/{i}"),
                &small,
                &PutObjectOptions::default(),
            )
            .expect("put");
    }
    ours.insert(
        "put_4k_ops_s".into(),
        json!(ops as f64 / t.elapsed().as_secs_f64()),
    );
    let t = Instant::now();
    for i in 0..ops {
        let (body, _) = client
            .get_object_bytes("bench", &format!("small/{i}"), &GetObjectOptions::default())
            .expect("get");
        assert_eq!(body.len(), 4096);
    }
    ours.insert(
        "get_4k_ops_s".into(),
        json!(ops as f64 / t.elapsed().as_secs_f64()),
    );
    let ours = Value::Object(ours);

    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let python = root.join(".venv/bin/python");
    let sdks: Value = if python.exists() {
        let out = Command::new(&python)
            .arg(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("benches/sdk_bench.py"))
            .args(["--endpoint", server.endpoint()])
            .args(["--access-key-id", &creds.access_key_id])
            .args(["--access-key-secret", creds.secret.expose()])
            .args(["--region", server.region(), "--bucket", "bench"])
            .arg("--file")
            .arg(&file)
            .args(["--small-ops", &ops.to_string()])
            .output()
            .expect("run sdk_bench.py");
        if !out.status.success() {
            eprintln!(
                "sdk_bench.py failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            Value::Null
        } else {
            serde_json::from_slice(&out.stdout).unwrap_or(Value::Null)
        }
    } else {
        eprintln!(
            "*** no venv at {}: the Python SDK side is skipped ***",
            python.display()
        );
        Value::Null
    };

    let mut ratios = serde_json::Map::new();
    if let Value::Object(map) = &sdks {
        for (sdk, figures) in map {
            let mut r = serde_json::Map::new();
            for metric in [
                "upload_mib_s",
                "download_mib_s",
                "put_4k_ops_s",
                "get_4k_ops_s",
            ] {
                if let (Some(a), Some(b)) = (ours[metric].as_f64(), figures[metric].as_f64()) {
                    r.insert(metric.into(), json!((a / b * 100.0).round() / 100.0));
                }
            }
            ratios.insert(sdk.clone(), Value::Object(r));
        }
    }
    let doc = json!({
        "object_mib": mib,
        "small_ops": ops,
        "oss-sse-client": ours,
        "python_sdks": sdks,
        "ratio_ours_over_sdk": ratios,
    });
    println!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
}
