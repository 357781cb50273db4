//! Encryption at rest through the binary: `oss-sse kms --endpoint` and `oss-sse admin --endpoint`
//! against a running `oss-sse serve` (which holds the keystore lock), CMK disable/enable seen by object
//! reads, master-key rotation, rewrap online and offline (resumable: a rerun finds nothing to do), and
//! reading everything back after a restart.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};

use oss_sse_core::{Body, Credentials, Method};
use oss_sse_server::client::Client;

const AK: &str = "LTAIsseadmintest";
const SK: &str = "sse-admin-test-secret";

struct Serve(Child);

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn serve(dir: &Path) -> (Serve, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_oss-sse"))
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--master-key-rotation",
            "30d",
            "--data-dir",
        ])
        .arg(dir)
        .env("OSS_ACCESS_KEY_ID", AK)
        .env("OSS_ACCESS_KEY_SECRET", SK)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let mut reader = BufReader::new(child.stdout.take().expect("stdout"));
    let mut first = String::new();
    reader.read_line(&mut first).expect("first line");
    std::thread::spawn(move || for _ in reader.lines() {});
    let endpoint = first
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("first line {first:?}"))
        .to_owned();
    (Serve(child), endpoint)
}

fn cli(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_oss-sse"))
        .args(args)
        .env("OSS_ACCESS_KEY_ID", AK)
        .env("OSS_ACCESS_KEY_SECRET", SK)
        .env_remove("OSS_SSE_KMS_KEYSTORE")
        .output()
        .expect("run oss-sse")
}

fn ok(args: &[&str]) -> serde_json::Value {
    let out = cli(args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|_| {
        serde_json::Value::String(String::from_utf8_lossy(&out.stdout).into_owned())
    })
}

struct Http {
    rt: tokio::runtime::Runtime,
    c: Client,
}

impl Http {
    fn new(endpoint: &str) -> Http {
        Http {
            rt: tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap(),
            c: Client::new(endpoint, Credentials::new(AK, SK), "cn-hangzhou").unwrap(),
        }
    }

    fn send(
        &mut self,
        method: Method,
        bucket: &str,
        key: Option<&str>,
        headers: &[(&str, &str)],
        body: Option<Vec<u8>>,
    ) -> oss_sse_server::client::Reply {
        let mut r = self.c.endpoint().request(method, Some(bucket), key);
        for (n, v) in headers {
            r.headers.set(*n, *v);
        }
        if let Some(b) = body {
            r.body = Body::Bytes(b);
        }
        self.rt.block_on(self.c.send(r)).expect("send")
    }
}

fn data(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 31 % 251) as u8).collect()
}

#[test]
fn kms_and_admin_through_a_running_emulator_then_offline() {
    let dir = tempfile::tempdir().unwrap();
    let payload = data(150_000);
    let (server, endpoint) = serve(dir.path());
    let ep = endpoint.as_str();

    // The keystore is locked by the server: offline access says so; --endpoint works.
    let keystore = dir.path().join("kms");
    let locked = cli(&["kms", "--keystore", keystore.to_str().unwrap(), "list-keys"]);
    assert_eq!(locked.status.code(), Some(1));
    let key = ok(&[
        "kms",
        "--endpoint",
        ep,
        "--json",
        "create-key",
        "--description",
        "objects",
    ]);
    let key_id = key["KeyId"]
        .as_str()
        .or_else(|| key["KeyMetadata"]["KeyId"].as_str())
        .unwrap_or_else(|| panic!("{key}"))
        .to_owned();
    let keys = ok(&["kms", "--endpoint", ep, "--json", "list-keys"]);
    assert!(keys.to_string().contains(&key_id), "{keys}");

    let mut h = Http::new(ep);
    assert_eq!(
        h.send(Method::Put, "sse-bucket", None, &[], None).status,
        200
    );
    let kms_headers = [
        ("x-oss-server-side-encryption", "KMS"),
        ("x-oss-server-side-encryption-key-id", key_id.as_str()),
    ];
    let oss_headers = [("x-oss-server-side-encryption", "AES256")];
    for v in 0..2 {
        let r = h.send(
            Method::Put,
            "sse-bucket",
            Some(&format!("kms-{v}")),
            &kms_headers,
            Some(payload.clone()),
        );
        assert_eq!(r.status, 200, "{}", r.text());
        assert_eq!(
            r.header("x-oss-server-side-encryption-key-id"),
            Some(key_id.as_str())
        );
        let r = h.send(
            Method::Put,
            "sse-bucket",
            Some(&format!("oss-{v}")),
            &oss_headers,
            Some(payload.clone()),
        );
        assert_eq!(r.status, 200);
        ok(&["admin", "--endpoint", ep, "rotate-master-key"]);
        ok(&["kms", "--endpoint", ep, "rotate-key", "--key-id", &key_id]);
    }

    // Disabling the CMK stops reads of its objects with a 403 naming the state; enabling restores them.
    ok(&["kms", "--endpoint", ep, "disable-key", "--key-id", &key_id]);
    let r = h.send(Method::Get, "sse-bucket", Some("kms-0"), &[], None);
    assert_eq!(r.status, 403, "{}", r.text());
    assert!(r.text().contains("Disabled"));
    // A rewrap meanwhile cannot rewrap those objects: it reports them and exits 1.
    let partial = cli(&[
        "admin",
        "--endpoint",
        ep,
        "rewrap",
        "--bucket",
        "sse-bucket",
    ]);
    assert_eq!(partial.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&partial.stdout).unwrap();
    assert_eq!(report["Failed"].as_array().unwrap().len(), 2, "{report}");
    assert_eq!(report["Rewrapped"], 2, "the SSE-OSS objects: {report}");
    ok(&["kms", "--endpoint", ep, "enable-key", "--key-id", &key_id]);
    let report = ok(&[
        "admin",
        "--endpoint",
        ep,
        "rewrap",
        "--bucket",
        "sse-bucket",
    ]);
    assert_eq!(report["Rewrapped"], 2, "{report}");
    assert_eq!(report["Current"], 2, "{report}");
    let again = ok(&[
        "admin",
        "--endpoint",
        ep,
        "rewrap",
        "--bucket",
        "sse-bucket",
    ]);
    assert_eq!(again["Rewrapped"], 0, "a rerun resumes: {again}");
    assert_eq!(again["Current"], 4, "{again}");
    for k in ["kms-0", "kms-1", "oss-0", "oss-1"] {
        let r = h.send(Method::Get, "sse-bucket", Some(k), &[], None);
        assert_eq!(r.status, 200, "{k}: {}", r.text());
        assert_eq!(r.body.as_ref(), payload.as_slice());
    }
    let usage = ok(&["kms", "--endpoint", ep, "--json", "usage"]);
    assert!(usage.to_string().contains("GenerateDataKey"), "{usage}");

    // The admin API is for root only, and unsigned or wrongly signed calls are refused.
    let bad = Command::new(env!("CARGO_BIN_EXE_oss-sse"))
        .args(["admin", "--endpoint", ep, "rotate-master-key"])
        .env("OSS_ACCESS_KEY_ID", AK)
        .env("OSS_ACCESS_KEY_SECRET", "wrong")
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(1));
    drop(h);
    drop(server);

    // Offline: rotate, then rewrap on the data dir; then restart and read everything back.
    ok(&[
        "admin",
        "--data-dir",
        dir.path().to_str().unwrap(),
        "rotate-master-key",
    ]);
    let report = ok(&[
        "admin",
        "--data-dir",
        dir.path().to_str().unwrap(),
        "rewrap",
        "--bucket",
        "sse-bucket",
    ]);
    assert_eq!(report["Rewrapped"], 2, "{report}");
    let (_server, endpoint) = serve(dir.path());
    let mut h = Http::new(&endpoint);
    for k in ["kms-0", "kms-1", "oss-0", "oss-1"] {
        let r = h.send(
            Method::Get,
            "sse-bucket",
            Some(k),
            &[("range", "bytes=65535-65537")],
            None,
        );
        assert_eq!(r.status, 206, "{k}: {}", r.text());
        assert_eq!(r.body.as_ref(), &payload[65535..65538]);
    }
}
