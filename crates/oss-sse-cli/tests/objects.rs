//! The ossutil-like verbs of `oss-sse`, run as a real process against the in-process emulator: bucket and
//! object round trips with SSE, JSON output, recursion, multipart, presign, the config file, exit codes.

use std::path::Path;
use std::process::{Command, Output};

use oss_sse_server::testing::TestServer;
use serde_json::Value;

struct Cli<'a> {
    server: &'a TestServer,
    home: tempfile::TempDir,
}

impl<'a> Cli<'a> {
    fn new(server: &'a TestServer) -> Cli<'a> {
        Cli {
            server,
            home: tempfile::tempdir().unwrap(),
        }
    }

    /// A command with a clean environment: no OSS variables but the ones a test sets.
    fn bare(&self) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_oss-sse"));
        for (k, _) in std::env::vars() {
            if k.starts_with("OSS_") {
                c.env_remove(k);
            }
        }
        c.env("HOME", self.home.path());
        c
    }

    /// A command with the endpoint and credentials in the environment.
    fn cmd(&self, args: &[&str]) -> Command {
        let mut c = self.bare();
        let creds = self.server.credentials();
        c.env("OSS_ENDPOINT", self.server.endpoint())
            .env("OSS_ACCESS_KEY_ID", &creds.access_key_id)
            .env("OSS_ACCESS_KEY_SECRET", creds.secret.expose())
            .args(args)
            .args(["--region", self.server.region()]);
        c
    }

    fn run(&self, args: &[&str]) -> Output {
        self.cmd(args).output().unwrap()
    }

    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "{args:?} failed: {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    fn json(&self, args: &[&str]) -> Value {
        let mut a = args.to_vec();
        a.push("--json");
        let text = self.ok(&a);
        serde_json::from_str(text.trim())
            .unwrap_or_else(|e| panic!("{args:?}: not JSON ({e}): {text}"))
    }
}

fn write(path: &Path, data: &[u8]) {
    if let Some(p) = path.parent() {
        std::fs::create_dir_all(p).unwrap();
    }
    std::fs::write(path, data).unwrap();
}

#[test]
fn bucket_and_object_round_trip_with_sse() {
    let server = TestServer::start();
    let cli = Cli::new(&server);
    let work = tempfile::tempdir().unwrap();
    cli.ok(&["mb", "oss://cli-bucket"]);
    let buckets = cli.json(&["ls"]);
    assert!(buckets["buckets"]
        .as_array()
        .unwrap()
        .iter()
        .any(|b| b["name"] == "cli-bucket"));

    let src = work.path().join("hello.txt");
    write(&src, b"hello from the cli");
    let up = cli.json(&[
        "cp",
        src.to_str().unwrap(),
        "oss://cli-bucket/dir/hello.txt",
        "--sse",
        "KMS",
    ]);
    assert_eq!(up["encryption"]["algorithm"], "KMS");
    assert!(up["encryption"]["kms_key_id"].is_string());

    let stat = cli.json(&["stat", "oss://cli-bucket/dir/hello.txt"]);
    assert_eq!(stat["content_length"], 18);
    assert_eq!(stat["headers"]["x-oss-server-side-encryption"], "KMS");
    let text = cli.ok(&["stat", "oss://cli-bucket/dir/hello.txt"]);
    assert!(text.contains("x-oss-server-side-encryption"), "{text}");

    let dst = work.path().join("back.txt");
    let down = cli.json(&[
        "cp",
        "oss://cli-bucket/dir/hello.txt",
        dst.to_str().unwrap(),
    ]);
    assert_eq!(down["encryption"]["algorithm"], "KMS");
    assert_eq!(std::fs::read(&dst).unwrap(), b"hello from the cli");

    // Download to stdout.
    assert_eq!(
        cli.ok(&["cp", "oss://cli-bucket/dir/hello.txt", "-"]),
        "hello from the cli"
    );

    // Server-side copy with its own encryption.
    let copy = cli.json(&[
        "cp",
        "oss://cli-bucket/dir/hello.txt",
        "oss://cli-bucket/copy.txt",
        "--sse",
        "SM4",
    ]);
    assert_eq!(copy["copied"][0]["encryption"]["algorithm"], "SM4");
    let kms_sm4 = cli.json(&[
        "cp",
        src.to_str().unwrap(),
        "oss://cli-bucket/kms-sm4.txt",
        "--sse",
        "KMS",
        "--sse-data-encryption",
        "SM4",
    ]);
    assert_eq!(kms_sm4["encryption"]["data_encryption"], "SM4");

    let listing = cli.json(&["ls", "oss://cli-bucket"]);
    assert_eq!(listing["prefixes"], serde_json::json!(["dir/"]));
    let all = cli.json(&["ls", "-r", "oss://cli-bucket"]);
    let keys: Vec<_> = all["objects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["key"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(keys, ["copy.txt", "dir/hello.txt", "kms-sm4.txt"]);

    cli.ok(&["rm", "-r", "oss://cli-bucket"]);
    assert!(cli.json(&["ls", "-r", "oss://cli-bucket"])["objects"]
        .as_array()
        .unwrap()
        .is_empty());
    cli.ok(&["rb", "oss://cli-bucket"]);
}

#[test]
fn recursive_upload_and_download_and_multipart() {
    let server = TestServer::start();
    let cli = Cli::new(&server);
    let work = tempfile::tempdir().unwrap();
    cli.ok(&["mb", "oss://cli-tree"]);
    let tree = work.path().join("tree");
    write(&tree.join("a.txt"), b"A");
    write(&tree.join("sub/b.txt"), b"BB");
    let big: Vec<u8> = (0..700_000u32).map(|i| (i * 31 % 256) as u8).collect();
    write(&tree.join("sub/big.bin"), &big);
    let up = cli.json(&[
        "cp",
        "-r",
        tree.to_str().unwrap(),
        "oss://cli-tree/up/",
        "--sse",
        "AES256",
        "--multipart-threshold",
        "200000",
        "--part-size",
        "204800",
    ]);
    assert_eq!(up["uploaded"].as_array().unwrap().len(), 3);
    for f in up["uploaded"].as_array().unwrap() {
        assert_eq!(f["encryption"]["algorithm"], "AES256", "{f}");
    }
    let stat = cli.json(&["stat", "oss://cli-tree/up/sub/big.bin"]);
    assert_eq!(stat["headers"]["x-oss-object-type"], "Multipart");

    let out = work.path().join("out");
    cli.ok(&["cp", "-r", "oss://cli-tree/up/", out.to_str().unwrap()]);
    assert_eq!(std::fs::read(out.join("a.txt")).unwrap(), b"A");
    assert_eq!(std::fs::read(out.join("sub/b.txt")).unwrap(), b"BB");
    assert_eq!(std::fs::read(out.join("sub/big.bin")).unwrap(), big);
}

#[test]
fn bucket_encryption_verbs() {
    let server = TestServer::start();
    let cli = Cli::new(&server);
    cli.ok(&["mb", "oss://cli-enc"]);
    cli.ok(&[
        "bucket-encryption",
        "put",
        "oss://cli-enc",
        "--algorithm",
        "KMS",
        "--kms-data-encryption",
        "SM4",
    ]);
    let got = cli.json(&["bucket-encryption", "get", "oss://cli-enc"]);
    assert_eq!(got["algorithm"], "KMS");
    assert_eq!(got["kms_data_encryption"], "SM4");
    let text = cli.ok(&["bucket-encryption", "get", "oss://cli-enc"]);
    assert!(text.contains("SSEAlgorithm: KMS"), "{text}");
    let info = cli.json(&["stat", "oss://cli-enc"]);
    assert_eq!(info["sse_algorithm"], "KMS");
    cli.ok(&["bucket-encryption", "delete", "oss://cli-enc"]);
    let out = cli.run(&["bucket-encryption", "get", "oss://cli-enc"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("NoSuchServerSideEncryptionRule"));
    // A key id with AES256 is refused before anything is sent: a usage error.
    let out = cli.run(&[
        "bucket-encryption",
        "put",
        "oss://cli-enc",
        "--algorithm",
        "AES256",
        "--kms-key-id",
        "k",
    ]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn presign_prints_a_url_that_works() {
    let server = TestServer::start();
    let cli = Cli::new(&server);
    let work = tempfile::tempdir().unwrap();
    cli.ok(&["mb", "oss://cli-presign"]);
    let f = work.path().join("p.txt");
    write(&f, b"presigned body");
    cli.ok(&["cp", f.to_str().unwrap(), "oss://cli-presign/p.txt"]);
    for v in ["1", "4"] {
        let url = cli.ok(&[
            "presign",
            "oss://cli-presign/p.txt",
            "--expires",
            "600",
            "--signature-version",
            v,
        ]);
        let (status, body) = http_get(url.trim());
        assert_eq!(status, 200, "V{v} {url}");
        assert_eq!(body, b"presigned body");
    }
}

/// A bare HTTP/1.1 GET over a TCP socket: the plainest client there is.
fn http_get(url: &str) -> (u16, Vec<u8>) {
    use std::io::{Read, Write};
    let rest = url.strip_prefix("http://").unwrap();
    let (authority, path) = rest.split_at(rest.find('/').unwrap());
    let mut s = std::net::TcpStream::connect(authority).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8_lossy(&raw[..split]).to_string();
    let status = head.split_whitespace().nth(1).unwrap().parse().unwrap();
    let body = raw[split + 4..].to_vec();
    assert!(
        !head
            .to_ascii_lowercase()
            .contains("transfer-encoding: chunked"),
        "{head}"
    );
    (status, body)
}

#[test]
fn config_file_supplies_endpoint_and_credentials() {
    let server = TestServer::start();
    let cli = Cli::new(&server);
    let creds = server.credentials();
    let cfg = cli.home.path().join(".oss-sse.toml");
    std::fs::write(
        &cfg,
        format!(
            "endpoint = \"{}\"\naccess_key_id = \"{}\"\naccess_key_secret = \"{}\"\nregion = \"{}\"\nsignature_version = 1\n",
            server.endpoint(),
            creds.access_key_id,
            creds.secret.expose(),
            server.region()
        ),
    )
    .unwrap();
    let out = cli
        .bare()
        .args(["mb", "oss://cli-config", "--json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // An --endpoint flag wins over the file.
    let out = cli
        .bare()
        .args(["ls", "--endpoint", "http://127.0.0.1:1"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "unreachable endpoint from the flag is used"
    );
}

#[test]
fn exit_codes_and_error_reporting() {
    let server = TestServer::start();
    let cli = Cli::new(&server);
    // Usage errors: 2.
    for args in [
        &["mb", "not-a-url"][..],
        &["stat", "s3://x/y"],
        &["rm", "oss://bucket"],
        &["mb", "oss://Bad_Bucket"],
    ] {
        let out = cli.run(args);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let out = cli.bare().args(["ls"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "no endpoint is a usage error");
    // Service errors: 1, with the code on stderr, and in JSON on stdout with --json.
    let out = cli.run(&["rb", "oss://no-such-bucket"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("NoSuchBucket") && err.contains("request id"),
        "{err}"
    );
    let out = cli.run(&["stat", "oss://no-such-bucket/k", "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["error"]["code"], "NoSuchBucket");
}
