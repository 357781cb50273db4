//! `oss-sse sign` run as a program on the public vectors of REFERENCE.md: the output contract (last
//! stdout line, `--verbose` stages on stderr) and one-line errors.

use std::process::{Command, Output};

fn run(args: &[&str], with_credentials: bool) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_oss-sse"));
    cmd.arg("sign").args(args);
    for (k, _) in std::env::vars() {
        if k.starts_with("OSS_") {
            cmd.env_remove(k);
        }
    }
    if with_credentials {
        cmd.env("OSS_ACCESS_KEY_ID", "ak")
            .env("OSS_ACCESS_KEY_SECRET", "sk");
    }
    cmd.output().expect("the oss-sse binary runs")
}

fn last_line(out: &Output) -> String {
    assert!(
        out.status.success(),
        "exit {:?}, stderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .rfind(|l| !l.trim().is_empty())
        .unwrap_or_default()
        .to_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

const V1_DATE: &str = "Wed, 28 Dec 2022 10:27:41 GMT";

fn v1_header_args() -> Vec<String> {
    let mut a: Vec<String> = [
        "--signature-version=1",
        "--method=PUT",
        "--bucket=examplebucket",
        "--key=nelson",
        "--header=Content-MD5: eB5eJF1ptWaXm4bijSPyxw==",
        "--header=Content-Type: text/html",
        "--header=x-oss-meta-author: alice",
        "--header=x-oss-meta-magic: abracadabra",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    a.push(format!("--header=x-oss-date: {V1_DATE}"));
    a.push(format!("--header=Date: {V1_DATE}"));
    a
}

fn refs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

#[test]
fn reference_v1_header_authorization() {
    let out = run(&refs(&v1_header_args()), true);
    assert_eq!(last_line(&out), "OSS ak:kSHKmLxlyEAKtZPkJhG9bZb5k7M=");
}

#[test]
fn reference_v1_header_string_to_sign_verbose() {
    let mut args = v1_header_args();
    args.push("--verbose".into());
    let out = run(&refs(&args), true);
    assert_eq!(last_line(&out), "OSS ak:kSHKmLxlyEAKtZPkJhG9bZb5k7M=");
    assert!(stderr(&out).contains(
        "PUT\neB5eJF1ptWaXm4bijSPyxw==\ntext/html\nWed, 28 Dec 2022 10:27:41 GMT\nx-oss-date:Wed, 28 Dec 2022 10:27:41 GMT\nx-oss-meta-author:alice\nx-oss-meta-magic:abracadabra\n/examplebucket/nelson"
    ));
}

#[test]
fn reference_v1_presign_url() {
    // Expires = time + expires = 1699807420.
    let out = run(
        &[
            "--signature-version=1",
            "--method=GET",
            "--endpoint=http://oss-cn-hangzhou.aliyuncs.com",
            "--bucket=bucket",
            "--key=key",
            "--query=versionId=versionId",
            "--time=1699807000",
            "--presign",
            "--expires=420",
            "--verbose",
        ],
        true,
    );
    assert_eq!(
        last_line(&out),
        "http://bucket.oss-cn-hangzhou.aliyuncs.com/key?versionId=versionId&OSSAccessKeyId=ak&Expires=1699807420&Signature=dcLTea%2BYh9ApirQ8o8dOPqtvJXQ%3D"
    );
    assert!(stderr(&out).contains("GET\n\n\n1699807420\n/bucket/key?versionId=versionId"));
}

fn v4_args(content_type: &str) -> Vec<String> {
    let mut a: Vec<String> = [
        "--method=PUT",
        "--bucket=bucket",
        "--key=1234+-/123/1.txt",
        "--region=cn-hangzhou",
        "--header=x-oss-head1: value",
        "--header=abc: value",
        "--header=ZAbc: value",
        "--header=XYZ: value",
        "--query=param1=value1",
        "--query=+param1=value3",
        "--query=|param1=value4",
        "--query=+param2",
        "--query=|param2",
        "--query=param2",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    a.push(format!("--header=content-type: {content_type}"));
    a
}

const V4_CANONICAL_REQUEST: &str = "PUT\n/bucket/1234%2B-/123/1.txt\n%2Bparam1=value3&%2Bparam2&%7Cparam1=value4&%7Cparam2&param1=value1&param2\ncontent-type:text/plain\nx-oss-content-sha256:UNSIGNED-PAYLOAD\nx-oss-date:20231216T162057Z\nx-oss-head1:value\n\n\nUNSIGNED-PAYLOAD";

#[test]
fn reference_v4_header_authorization() {
    let mut args = v4_args("text/plain");
    args.push("--header=x-oss-content-sha256: UNSIGNED-PAYLOAD".into());
    args.push("--time=1702743657".into());
    let out = run(&refs(&args), true);
    assert_eq!(
        last_line(&out),
        "OSS4-HMAC-SHA256 Credential=ak/20231216/cn-hangzhou/oss/aliyun_v4_request,Signature=e21d18daa82167720f9b1047ae7e7f1ce7cb77a31e8203a7d5f4624fa0284afe"
    );
}

#[test]
fn reference_v4_header_stages_verbose() {
    let mut args = v4_args("text/plain");
    args.push("--header=x-oss-content-sha256: UNSIGNED-PAYLOAD".into());
    args.push("--time=1702743657".into());
    args.push("--verbose".into());
    let out = run(&refs(&args), true);
    let err = stderr(&out);
    assert!(err.contains(V4_CANONICAL_REQUEST), "{err}");
    assert!(err.contains(
        "OSS4-HMAC-SHA256\n20231216T162057Z\n20231216/cn-hangzhou/oss/aliyun_v4_request\n"
    ));
    // The same run's stdout lists the headers to send before the Authorization line.
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("x-oss-date: 20231216T162057Z"));
}

#[test]
fn reference_v4_presign_url() {
    let mut args = v4_args("application/octet-stream");
    args.extend(["--time=1702781677", "--presign", "--expires=599"].map(String::from));
    let url = last_line(&run(&refs(&args), true));
    assert!(
        url.starts_with("https://bucket.oss-cn-hangzhou.aliyuncs.com/1234%2B-/123/1.txt?"),
        "{url}"
    );
    for part in [
        "x-oss-signature-version=OSS4-HMAC-SHA256",
        "x-oss-date=20231217T025437Z",
        "x-oss-expires=599",
        "x-oss-credential=ak%2F20231217%2Fcn-hangzhou%2Foss%2Faliyun_v4_request",
        "x-oss-signature=a39966c61718be0d5b14e668088b3fa07601033f6518ac7b523100014269c0fe",
    ] {
        assert!(url.contains(part), "{part} missing from {url}");
    }
}

#[test]
fn region_is_derived_from_the_endpoint() {
    let mut args = v4_args("text/plain");
    args.retain(|a| !a.starts_with("--region"));
    args.push("--endpoint=oss-cn-hangzhou-internal.aliyuncs.com".into());
    args.push("--header=x-oss-content-sha256: UNSIGNED-PAYLOAD".into());
    args.push("--time=1702743657".into());
    assert!(last_line(&run(&refs(&args), true))
        .ends_with("Signature=e21d18daa82167720f9b1047ae7e7f1ce7cb77a31e8203a7d5f4624fa0284afe"));
}

fn assert_one_line_error(out: &Output, needle: &str) {
    assert!(!out.status.success());
    let err = stderr(out);
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(err.contains(needle), "{err}");
}

#[test]
fn errors_are_one_line() {
    assert_one_line_error(
        &run(&["--method=GET", "--bucket=bucket"], false),
        "OSS_ACCESS_KEY_ID",
    );
    assert_one_line_error(
        &run(
            &["--signature-version=3", "--method=GET", "--bucket=bucket"],
            true,
        ),
        "--signature-version",
    );
    assert_one_line_error(&run(&["--bucket=bucket"], true), "--method");
    assert_one_line_error(&run(&["--method=GET"], true), "--bucket");
    assert_one_line_error(
        &run(&["--method=GET", "--bucket=Bad_Name"], true),
        "bucket name",
    );
    assert_one_line_error(
        &run(&["--method=GET", "--bucket=bucket", "--presign"], true),
        "--expires",
    );
    assert_one_line_error(
        &run(
            &[
                "--method=GET",
                "--bucket=bucket",
                "--region=r",
                "--presign",
                "--expires=604801",
            ],
            true,
        ),
        "604800",
    );
    assert_one_line_error(
        &run(
            &[
                "--method=GET",
                "--bucket=bucket",
                "--endpoint=http://127.0.0.1:9000",
            ],
            true,
        ),
        "--region",
    );
    assert_one_line_error(
        &run(&["--method=GET", "--bucket=bucket", "--time=-5"], true),
        "--time",
    );
    assert_one_line_error(
        &run(
            &["--method=GET", "--bucket=bucket", "--header=NoColon"],
            true,
        ),
        "--header",
    );
}
