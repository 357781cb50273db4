//! `oss-sse serve` as a process: the `listening on` first line, generated root credentials kept in the
//! data dir, `--users`, refusal of a bad users file, and graceful exit 0 on SIGTERM and SIGINT.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use oss_sse_core::{Credentials, Method};
use oss_sse_server::client::Client;

struct Serve(Child);

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn serve(dir: &Path, env: &[(&str, &str)], extra: &[&str]) -> (Serve, Vec<String>) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_oss-sse"));
    cmd.args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(dir)
        .args(extra)
        .env_remove("OSS_ACCESS_KEY_ID")
        .env_remove("OSS_ACCESS_KEY_SECRET")
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("spawn");
    let stdout = child.stdout.take().expect("stdout");
    let mut reader = BufReader::new(stdout);
    let mut lines = Vec::new();
    // The first line, then the informational lines (data dir, root key).
    for _ in 0..4 {
        let mut l = String::new();
        if reader.read_line(&mut l).unwrap_or(0) == 0 {
            break;
        }
        let done =
            l.starts_with("root access key secret") || l.contains("(from OSS_ACCESS_KEY_ID)");
        lines.push(l.trim_end().to_owned());
        if done {
            break;
        }
    }
    std::thread::spawn(move || for _ in reader.lines() {});
    (Serve(child), lines)
}

fn signal(child: &Child, sig: &str) {
    let status = Command::new("kill")
        .args([sig, &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
}

fn list_buckets(endpoint: &str, creds: Credentials) -> u16 {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let mut c = Client::new(endpoint, creds, "cn-hangzhou").expect("client");
        let r = c.endpoint().request(Method::Get, None, None);
        c.send(r).await.expect("send").status
    })
}

#[test]
fn first_line_generated_credentials_and_sigterm() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (mut s, lines) = serve(dir.path(), &[], &[]);
    let endpoint = lines[0]
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("first line {:?}", lines[0]))
        .to_owned();
    assert!(endpoint.starts_with("http://127.0.0.1:"));
    let id = lines
        .iter()
        .find_map(|l| l.strip_prefix("root access key id: "))
        .expect("id line")
        .to_owned();
    let secret = lines
        .iter()
        .find_map(|l| l.strip_prefix("root access key secret: "))
        .expect("secret line")
        .to_owned();
    assert_eq!(
        list_buckets(&endpoint, Credentials::new(id.clone(), secret.clone())),
        200
    );
    assert_eq!(
        list_buckets(&endpoint, Credentials::new(id.clone(), "nope")),
        403
    );
    signal(&s.0, "-TERM");
    let status = s.0.wait().expect("wait");
    assert!(status.success(), "SIGTERM exit status {status:?}");
    // The generated pair is kept: a restart accepts it, and SIGINT also exits 0.
    let (mut s2, lines2) = serve(dir.path(), &[], &[]);
    let endpoint2 = lines2[0]
        .strip_prefix("listening on ")
        .expect("listening")
        .to_owned();
    assert_eq!(list_buckets(&endpoint2, Credentials::new(id, secret)), 200);
    signal(&s2.0, "-INT");
    assert!(s2.0.wait().expect("wait").success());
}

#[test]
fn environment_credentials_and_users_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let users = dir.path().join("users.json");
    std::fs::write(
        &users,
        r#"{"users": [{"name": "lister", "access_key_id": "LTAIlister", "access_key_secret": "ls",
            "policies": [{"Version": "1", "Statement": [
              {"Effect": "Allow", "Action": "oss:ListBuckets", "Resource": "acs:oss:*:*:*"}]}]},
           {"name": "nobody", "access_key_id": "LTAInobody", "access_key_secret": "nb"}]}"#,
    )
    .expect("write users");
    let data = dir.path().join("data");
    let users_arg = users.to_string_lossy().into_owned();
    let (_s, lines) = serve(
        &data,
        &[
            ("OSS_ACCESS_KEY_ID", "LTAIenvroot"),
            ("OSS_ACCESS_KEY_SECRET", "envsecret"),
        ],
        &["--users", &users_arg],
    );
    let endpoint = lines[0]
        .strip_prefix("listening on ")
        .expect("listening")
        .to_owned();
    assert!(
        !lines.iter().any(|l| l.contains("envsecret")),
        "an env secret is never printed"
    );
    assert_eq!(
        list_buckets(&endpoint, Credentials::new("LTAIenvroot", "envsecret")),
        200
    );
    assert_eq!(
        list_buckets(&endpoint, Credentials::new("LTAIlister", "ls")),
        200
    );
    assert_eq!(
        list_buckets(&endpoint, Credentials::new("LTAInobody", "nb")),
        403
    );
}

#[test]
fn a_bad_users_file_is_refused_at_start() {
    let dir = tempfile::tempdir().expect("tempdir");
    let users = dir.path().join("users.json");
    std::fs::write(&users, r#"{"users": [{"name": "x", "policies": [{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "oss:*", "Resource": "*", "Condition": {}}]}]}]}"#)
        .expect("write");
    let out = Command::new(env!("CARGO_BIN_EXE_oss-sse"))
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(dir.path().join("data"))
        .arg("--users")
        .arg(&users)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("users"));
    assert!(out.stdout.is_empty());
}
