//! The crash test: concurrent uploads into a real `oss-sse serve` process, SIGKILL at an arbitrary
//! instant, restart on the same data dir: every acknowledged object reads back byte for byte, nothing
//! partial is visible, and no unreferenced blob or staging file survives the restart. Three rounds.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use oss_sse_core::{Body, Credentials, Method};
use oss_sse_server::client::Client;

const AK: &str = "LTAIcrashtest0000";
const SK: &str = "crash-test-secret";

/// Kills the server when dropped, so a failing assertion never leaves it running.
struct Serve(Child);

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start(dir: &Path) -> (Serve, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_oss-sse"))
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(dir)
        .env("OSS_ACCESS_KEY_ID", AK)
        .env("OSS_ACCESS_KEY_SECRET", SK)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("spawn oss-sse serve");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let first = lines.next().expect("a first line").expect("utf-8");
    let endpoint = first
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("unexpected first line {first:?}"))
        .to_owned();
    // Keep draining stdout so the server never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    (Serve(child), endpoint)
}

fn content(seed: u64, len: usize) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

fn size_for(seed: u64) -> usize {
    match seed % 8 {
        0 => 0,
        1..=4 => (seed as usize * 131) % 20_000,
        5 | 6 => 200_000 + (seed as usize * 17) % 300_000,
        _ => 2 * 1024 * 1024 + (seed as usize % 1000),
    }
}

fn client(endpoint: &str) -> Client {
    Client::new(endpoint, Credentials::new(AK, SK), "cn-hangzhou").expect("client")
}

async fn put(c: &mut Client, key: &str, data: Vec<u8>) -> Option<u16> {
    let mut r = c.endpoint().request(Method::Put, Some("crash"), Some(key));
    r.body = Body::Bytes(data);
    c.send(r).await.ok().map(|reply| reply.status)
}

#[test]
fn acknowledged_objects_survive_sigkill() {
    let dir = tempfile::tempdir().expect("tempdir");
    let acked: Arc<Mutex<Vec<u64>>> = Arc::new(Mutex::new(Vec::new()));
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let mut next_seed = 1u64;
    for round in 0..3 {
        let (mut child, endpoint) = start(dir.path());
        rt.block_on(async {
            let mut c = client(&endpoint);
            if round == 0 {
                let r = c.endpoint().request(Method::Put, Some("crash"), None);
                assert_eq!(c.send(r).await.expect("create bucket").status, 200);
            }
            let so_far = acked.lock().expect("lock").clone();
            verify(&mut c, &so_far).await;
            let mut writers = Vec::new();
            for w in 0..8u64 {
                let acked = acked.clone();
                let endpoint = endpoint.clone();
                let first = next_seed + w;
                writers.push(tokio::spawn(async move {
                    let mut c = client(&endpoint);
                    let mut seed = first;
                    loop {
                        let key = format!("k/{seed:08}");
                        match put(&mut c, &key, content(seed, size_for(seed))).await {
                            Some(200) => acked.lock().expect("lock").push(seed),
                            Some(status) => panic!("put {key} answered {status}"),
                            None => return, // the server died under us
                        }
                        seed += 8;
                    }
                }));
            }
            // Let the writers get going, then kill at a point that depends on the round.
            let target = 40 + round * 25;
            while acked.lock().expect("lock").len() < target {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            tokio::time::sleep(Duration::from_millis(37 * round as u64 + 3)).await;
            child.0.kill().expect("SIGKILL");
            let _ = child.0.wait();
            for w in writers {
                w.await.expect("writer task");
            }
        });
        next_seed += 100_000;
    }
    // Final restart: everything acknowledged is there, nothing else is half there, no debris.
    let (child, endpoint) = start(dir.path());
    rt.block_on(async {
        let mut c = client(&endpoint);
        let acked = acked.lock().expect("lock").clone();
        // The kill targets are cumulative: at least 90 acknowledged over the three rounds.
        assert!(acked.len() >= 90, "{} acknowledged", acked.len());
        verify(&mut c, &acked).await;
        // Every listed key is complete: acknowledged, or in flight at the kill and fully committed.
        let mut marker = String::new();
        let mut listed = 0usize;
        loop {
            let mut r = c.endpoint().request(Method::Get, Some("crash"), None);
            r.push_query("max-keys", Some("1000".into()));
            if !marker.is_empty() {
                r.push_query("marker", Some(marker.clone()));
            }
            let t = c.send(r).await.expect("list").text();
            let keys: Vec<String> = t
                .split("<Key>")
                .skip(1)
                .filter_map(|s| s.split("</Key>").next().map(str::to_owned))
                .collect();
            for k in &keys {
                let seed: u64 = k.trim_start_matches("k/").parse().expect("seed key");
                let mut r = c.endpoint().request(Method::Get, Some("crash"), Some(k));
                r.body = Body::Empty;
                let g = c.send(r).await.expect("get");
                assert_eq!(g.status, 200, "{k}");
                assert!(
                    g.body.as_ref() == content(seed, size_for(seed)).as_slice(),
                    "{k} is partial or corrupt"
                );
            }
            listed += keys.len();
            if !t.contains("<IsTruncated>true</IsTruncated>") {
                break;
            }
            marker = keys.last().cloned().unwrap_or_default();
        }
        assert!(listed >= acked.len());
        let blobs = std::fs::read_dir(dir.path().join("buckets/crash/blobs"))
            .expect("blobs dir")
            .count();
        assert_eq!(blobs, listed, "unreferenced blobs were left behind");
        let staging = std::fs::read_dir(dir.path().join("tmp"))
            .expect("tmp")
            .count();
        assert_eq!(staging, 0, "staging files were left behind");
    });
    drop(child);
}

async fn verify(c: &mut Client, acked: &[u64]) {
    for &seed in acked {
        let key = format!("k/{seed:08}");
        let r = c.endpoint().request(Method::Get, Some("crash"), Some(&key));
        let g = c.send(r).await.expect("get");
        assert_eq!(g.status, 200, "acknowledged {key} is missing");
        assert!(
            g.body.as_ref() == content(seed, size_for(seed)).as_slice(),
            "acknowledged {key} differs"
        );
    }
}
