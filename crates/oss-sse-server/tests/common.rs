//! Helpers shared by the end-to-end tests: a signing client on the test server and request builders.

#![allow(dead_code)]

use oss_sse_core::{Body, Method, Request};
use oss_sse_server::client::{Client, Reply};
use oss_sse_server::testing::TestServer;

pub fn client(s: &TestServer) -> Client {
    Client::new(s.endpoint(), s.credentials(), s.region()).expect("client")
}

pub fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
}

/// A request with optional key, query pairs (`k` or `k=v`), headers and body.
pub fn req(
    c: &Client,
    method: Method,
    bucket: Option<&str>,
    key: Option<&str>,
    query: &[&str],
    headers: &[(&str, &str)],
    body: Option<Vec<u8>>,
) -> Request {
    let mut r = c.endpoint().request(method, bucket, key);
    for q in query {
        match q.split_once('=') {
            Some((k, v)) => r.push_query(k, Some(v.to_owned())),
            None => r.push_query(*q, None),
        }
    }
    for (n, v) in headers {
        r.headers.set(*n, *v);
    }
    if let Some(b) = body {
        r.body = Body::Bytes(b);
    }
    r
}

pub async fn call(c: &mut Client, r: Request) -> Reply {
    c.send(r).await.expect("transport")
}

pub fn code(reply: &Reply) -> String {
    let t = reply.text();
    match (t.find("<Code>"), t.find("</Code>")) {
        (Some(a), Some(b)) if a < b => t[a + 6..b].to_owned(),
        _ => String::new(),
    }
}

pub fn between<'a>(text: &'a str, open: &str, close: &str) -> Vec<&'a str> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(a) = rest.find(open) {
        let after = &rest[a + open.len()..];
        match after.find(close) {
            Some(b) => {
                out.push(&after[..b]);
                rest = &after[b + close.len()..];
            }
            None => break,
        }
    }
    out
}

pub async fn put(c: &mut Client, bucket: &str, key: &str, data: Vec<u8>) -> Reply {
    let r = req(
        c,
        Method::Put,
        Some(bucket),
        Some(key),
        &[],
        &[],
        Some(data),
    );
    call(c, r).await
}

pub async fn get(c: &mut Client, bucket: &str, key: &str) -> Reply {
    let r = req(c, Method::Get, Some(bucket), Some(key), &[], &[], None);
    call(c, r).await
}

pub async fn mk_bucket(c: &mut Client, bucket: &str) {
    let r = req(c, Method::Put, Some(bucket), None, &[], &[], None);
    let reply = call(c, r).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
}

/// Deterministic pseudo-random bytes.
pub fn data(seed: u64, len: usize) -> Vec<u8> {
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
