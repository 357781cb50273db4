//! Authentication: the emulator's `authenticate` and oss-sse-core's `parse_auth` / `verify` over any
//! headers, query and method. Garbage always ends in an OSS error (code set, status >= 400), never a
//! panic; a request the fuzzer built and then signed (V1 or V4 header) is always accepted as the signer.
#![no_main]
#![forbid(unsafe_code)]

use std::sync::OnceLock;

use libfuzzer_sys::arbitrary::{self, Arbitrary};
use libfuzzer_sys::fuzz_target;
use oss_sse_core::credentials::Credentials;
use oss_sse_core::endpoint::Endpoint;
use oss_sse_core::request::RequestView;
use oss_sse_core::sign::{v1, v4};
use oss_sse_core::time::Timestamp;
use oss_sse_core::verify::{parse_auth, verify};
use oss_sse_core::Method;
use oss_sse_server::server::auth::authenticate;
use oss_sse_server::server::route::Target;
use oss_sse_server::users::{Directory, Principal};

/// A RAM user with a policy and an expired STS credential, as in the server's own auth tests, so the
/// lookups and the token-expiry branch are reachable.
const USERS: &str = r#"{"users": [
    {"name": "r", "access_key_id": "AKR", "access_key_secret": "skr",
     "policies": [{"Version": "1", "Statement": [
        {"Effect": "Allow", "Action": "oss:Get*", "Resource": "acs:oss:*:*:b/*"}]}],
     "sts": [{"access_key_id": "STS.old", "access_key_secret": "s", "security_token": "t",
              "expiration": "2001-01-01T00:00:00Z"}]}]}"#;

/// Header names the verifier looks at; the fuzzer picks one by index or spells its own.
const HEADER_NAMES: &[&str] = &[
    "authorization",
    "date",
    "x-oss-date",
    "x-oss-security-token",
    "x-oss-content-sha256",
    "content-type",
    "content-md5",
    "host",
    "x-oss-meta-a",
];

/// Query keys of V1 and V4 presigned URLs and sub-resources.
const QUERY_KEYS: &[&str] = &[
    "OSSAccessKeyId",
    "Expires",
    "Signature",
    "security-token",
    "x-oss-signature-version",
    "x-oss-credential",
    "x-oss-date",
    "x-oss-expires",
    "x-oss-signature",
    "x-oss-additional-headers",
    "uploadId",
    "acl",
];

#[derive(Debug, Arbitrary)]
struct Named<'a> {
    known: u8,
    custom: &'a str,
    value: &'a str,
}

impl<'a> Named<'a> {
    fn name(&self, known: &[&'a str]) -> &'a str {
        known
            .get(usize::from(self.known))
            .copied()
            .unwrap_or(self.custom)
    }
}

#[derive(Debug, Arbitrary)]
struct Garbage<'a> {
    method: &'a str,
    bucket: Option<&'a str>,
    key: Option<&'a str>,
    query: Vec<(Named<'a>, bool)>,
    headers: Vec<Named<'a>>,
    now: i64,
}

#[derive(Debug, Arbitrary)]
struct ToSign<'a> {
    v4: bool,
    put: bool,
    key: Option<&'a str>,
    query: Vec<(&'a str, Option<&'a str>)>,
    headers: Vec<(&'a str, &'a str)>,
    time: u32,
}

#[derive(Debug, Arbitrary)]
enum Input<'a> {
    Garbage(Garbage<'a>),
    Signed(ToSign<'a>),
}

/// Built once: parsing the users file per input would dominate the run.
fn directory() -> Option<&'static Directory> {
    static DIRECTORY: OnceLock<Option<Directory>> = OnceLock::new();
    DIRECTORY
        .get_or_init(|| Directory::from_json(Credentials::new("ROOT", "rootsk"), USERS).ok())
        .as_ref()
}

fn garbage(d: &Directory, g: &Garbage<'_>) {
    let query: Vec<(String, Option<String>)> = g
        .query
        .iter()
        .map(|(n, bare)| {
            let value = (!bare).then(|| n.value.to_owned());
            (n.name(QUERY_KEYS).to_owned(), value)
        })
        .collect();
    let headers: Vec<(String, String)> = g
        .headers
        .iter()
        .map(|n| (n.name(HEADER_NAMES).to_owned(), n.value.to_owned()))
        .collect();
    let now = Timestamp::from_unix(g.now);
    let target = Target {
        bucket: g.bucket.map(str::to_owned),
        key: g.key.map(str::to_owned),
        query: query.clone(),
    };
    if let Err(e) = authenticate(d, g.method, &target, &headers, now) {
        assert!(!e.code.is_empty() && e.status.as_u16() >= 400, "{e:?}");
    }
    let view = RequestView {
        method: g.method,
        bucket: g.bucket,
        key: g.key,
        query: &query,
        headers: &headers,
    };
    let _ = parse_auth(&view);
    let lookup = |ak: &str| d.credentials(ak);
    if let Err(e) = verify(&view, &lookup, now) {
        assert!(!e.oss_code().is_empty() && e.http_status() >= 400, "{e:?}");
    }
}

/// Header names the signer owns or the verifier reads as authentication; a fuzzer-chosen header with
/// one of these names changes what is signed, so such cases are only checked for panics.
fn reserved_header(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    matches!(
        n.as_str(),
        "authorization" | "date" | "host" | "content-type" | "content-md5"
    ) || n.starts_with("x-oss-")
}

/// A header the signer and the verifier must agree on: a lower-case token name, a printable value
/// without surrounding blanks (HTTP itself strips those).
fn plain_header(name: &str, value: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !reserved_header(name)
        && value.bytes().all(|b| (0x20..0x7f).contains(&b))
        && value.trim() == value
}

fn reserved_query(name: &str) -> bool {
    QUERY_KEYS[..10]
        .iter()
        .any(|k| k.eq_ignore_ascii_case(name))
}

fn signed(d: &Directory, s: &ToSign<'_>) {
    let Ok(ep) = Endpoint::parse("http://127.0.0.1:9000") else {
        return;
    };
    let ep = ep.with_region("cn-hangzhou");
    let method = if s.put { Method::Put } else { Method::Get };
    let key = s.key.filter(|k| !k.is_empty());
    let mut r = ep.request(method, Some("bucket"), key);
    let mut checkable = true;
    for (k, v) in &s.query {
        checkable &= !reserved_query(k);
        r.push_query(*k, v.map(str::to_owned));
    }
    for (name, value) in &s.headers {
        checkable &= plain_header(name, value);
        r.headers.append(*name, *value);
    }
    let creds = Credentials::new("ROOT", "rootsk");
    let time = Timestamp::from_unix(1_600_000_000 + i64::from(s.time % 300_000_000));
    if s.v4 {
        if v4::sign_request(&mut r, &creds, time, &v4::V4Params::new("cn-hangzhou")).is_err() {
            return;
        }
    } else {
        v1::sign_request(&mut r, &creds, time);
    }
    let target = Target {
        bucket: r.bucket.clone(),
        key: r.key.clone(),
        query: r.query.clone(),
    };
    let out = authenticate(
        d,
        r.method.as_str(),
        &target,
        r.headers.as_slice(),
        time.add_seconds(5),
    );
    if checkable {
        assert!(matches!(out, Ok(Principal::Root)), "{r:?} -> {out:?}");
    } else if let Err(e) = out {
        assert!(!e.code.is_empty() && e.status.as_u16() >= 400, "{e:?}");
    }
}

fuzz_target!(|input: Input<'_>| {
    let Some(d) = directory() else {
        return;
    };
    match input {
        Input::Garbage(g) => garbage(d, &g),
        Input::Signed(s) => signed(d, &s),
    }
});
