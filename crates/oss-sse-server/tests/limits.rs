//! Hostile and broken clients: oversized XML and objects, bad part numbers, missing lengths, stalled
//! clients, piles of idle connections, and garbage on the socket. The server answers with OSS errors,
//! drops what it must, and keeps serving everyone else.

mod common;

use std::time::Duration;

use common::*;
use oss_sse_core::sign::v4;
use oss_sse_core::{Method, Request, Timestamp};
use oss_sse_server::testing::TestServer;
use oss_sse_server::Limits;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

fn now() -> Timestamp {
    Timestamp::from_unix(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64,
    )
}

/// The head of `req`, signed V4 for the test server, with `extra` header lines (unsigned).
fn signed_head(s: &TestServer, mut req: Request, extra: &[&str]) -> String {
    v4::sign_request(
        &mut req,
        &s.credentials(),
        now(),
        &v4::V4Params::new(s.region()),
    )
    .unwrap();
    let mut head = format!(
        "{} {} HTTP/1.1\r\nHost: {}\r\n",
        req.method.as_str(),
        req.path_and_query(),
        s.addr()
    );
    for (n, v) in req.headers.iter() {
        head += &format!("{n}: {v}\r\n");
    }
    for e in extra {
        head += e;
        head += "\r\n";
    }
    head += "\r\n";
    head
}

async fn read_some(stream: &mut TcpStream, within: Duration) -> String {
    let mut buf = vec![0u8; 64 * 1024];
    let mut out = Vec::new();
    let deadline = tokio::time::Instant::now() + within;
    loop {
        match tokio::time::timeout_at(deadline, stream.read(&mut buf)).await {
            Ok(Ok(0)) | Err(_) => break,
            Ok(Ok(n)) => {
                out.extend_from_slice(&buf[..n]);
                if out.windows(4).any(|w| w == b"\r\n\r\n")
                    && String::from_utf8_lossy(&out).contains("</Error>")
                {
                    break;
                }
            }
            Ok(Err(_)) => break,
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[test]
fn oversized_and_malformed_requests_get_oss_errors() {
    let s = TestServer::start();
    rt().block_on(async {
        let mut c = client(&s);
        mk_bucket(&mut c, "lim").await;
        // XML over 64 KiB.
        let big = format!("<ServerSideEncryptionRule>{}</ServerSideEncryptionRule>", " ".repeat(70 * 1024));
        let r = req(&c, Method::Put, Some("lim"), None, &["encryption"], &[], Some(big.into_bytes()));
        assert_eq!(code(&call(&mut c, r).await), "MalformedXML");
        for bad in ["<nope", "<ServerSideEncryptionRule/>", "<!DOCTYPE a [<!ENTITY x \"y\">]><a>&x;</a>"] {
            let r = req(&c, Method::Put, Some("lim"), None, &["encryption"], &[], Some(bad.as_bytes().to_vec()));
            assert_eq!(code(&call(&mut c, r).await), "MalformedXML", "{bad}");
        }
        let r = req(&c, Method::Post, Some("lim"), Some("k"), &["uploads"], &[], None);
        let id = between(&call(&mut c, r).await.text(), "<UploadId>", "</UploadId>")[0].to_owned();
        let uid = format!("uploadId={id}");
        let r = req(&c, Method::Post, Some("lim"), Some("k"), &[&uid], &[], Some(b"<CompleteMultipartUpload><Part><PartNumber>x</PartNumber></Part></CompleteMultipartUpload>".to_vec()));
        assert_eq!(code(&call(&mut c, r).await), "MalformedXML");
        let r = req(&c, Method::Post, Some("lim"), Some("k"), &["uploadId=../../etc"], &[], Some(b"<x/>".to_vec()));
        assert_eq!(code(&call(&mut c, r).await), "NoSuchUpload");

        // A declared PutObject over 5 GiB is refused before any byte is stored.
        let req6 = c.endpoint().request(Method::Put, Some("lim"), Some("huge"));
        let head = signed_head(&s, req6, &["Content-Length: 6442450944"]);
        let mut t = TcpStream::connect(s.addr()).await.unwrap();
        t.write_all(head.as_bytes()).await.unwrap();
        t.write_all(&[0u8; 1000]).await.unwrap();
        let resp = read_some(&mut t, Duration::from_secs(10)).await;
        assert!(resp.contains("<Code>EntityTooLarge</Code>"), "{resp}");

        // No Content-Length and no chunked encoding.
        let reqn = c.endpoint().request(Method::Put, Some("lim"), Some("nolen"));
        let head = signed_head(&s, reqn, &[]);
        let mut t = TcpStream::connect(s.addr()).await.unwrap();
        t.write_all(head.as_bytes()).await.unwrap();
        let resp = read_some(&mut t, Duration::from_secs(10)).await;
        assert!(resp.starts_with("HTTP/1.1 411"), "{resp}");
        assert!(resp.contains("<Code>MissingContentLength</Code>"));
        // A body shorter than declared, then EOF.
        let reqs = c.endpoint().request(Method::Put, Some("lim"), Some("short"));
        let head = signed_head(&s, reqs, &["Content-Length: 100"]);
        let mut t = TcpStream::connect(s.addr()).await.unwrap();
        t.write_all(head.as_bytes()).await.unwrap();
        t.write_all(b"only ten b").await.unwrap();
        t.shutdown().await.unwrap();
        let _ = read_some(&mut t, Duration::from_secs(10)).await;
        assert_eq!(get(&mut c, "lim", "short").await.status, 404, "a partial body never becomes an object");
    });
}

#[test]
fn stalled_clients_time_out_while_others_are_served() {
    let limits = Limits {
        header_read_timeout: Duration::from_secs(1),
        body_idle_timeout: Duration::from_secs(1),
        ..Limits::default()
    };
    let s = TestServer::builder().limits(limits).start().unwrap();
    rt().block_on(async {
        let mut c = client(&s);
        mk_bucket(&mut c, "slow").await;
        // Half a request line, then nothing.
        let mut slow_head = TcpStream::connect(s.addr()).await.unwrap();
        slow_head
            .write_all(b"GET / HTTP/1.1\r\nHost: x")
            .await
            .unwrap();
        // Headers, part of a body, then nothing.
        let r = c
            .endpoint()
            .request(Method::Put, Some("slow"), Some("stall"));
        let head = signed_head(&s, r, &["Content-Length: 1000"]);
        let mut slow_body = TcpStream::connect(s.addr()).await.unwrap();
        slow_body.write_all(head.as_bytes()).await.unwrap();
        slow_body.write_all(&[7u8; 10]).await.unwrap();
        // Everyone else is served meanwhile.
        assert_eq!(
            put(&mut c, "slow", "fast", b"quick".to_vec()).await.status,
            200
        );
        // The stalled ones are cut off.
        let a = read_some(&mut slow_head, Duration::from_secs(10)).await;
        assert!(
            a.is_empty() || a.starts_with("HTTP/1.1 408") || a.starts_with("HTTP/1.1 400"),
            "{a}"
        );
        let b = read_some(&mut slow_body, Duration::from_secs(10)).await;
        assert!(
            b.contains("<Code>RequestTimeout</Code>") || b.is_empty(),
            "{b}"
        );
        assert_eq!(get(&mut c, "slow", "stall").await.status, 404);
    });
}

#[test]
fn many_idle_connections_do_not_block_service() {
    let s = TestServer::start();
    rt().block_on(async {
        let mut idle = Vec::new();
        for _ in 0..300 {
            idle.push(TcpStream::connect(s.addr()).await.unwrap());
        }
        let mut c = client(&s);
        mk_bucket(&mut c, "crowd").await;
        assert_eq!(put(&mut c, "crowd", "k", vec![1, 2, 3]).await.status, 200);
        drop(idle);
    });
}

#[test]
fn garbage_on_the_socket_never_takes_the_server_down() {
    let s = TestServer::start();
    rt().block_on(async {
        let mut seed = 0x1234_5678_9abc_def0u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let prefixes: [&[u8]; 6] = [
            b"GET / HTTP/1.1\r\nHost: ",
            b"PUT /b/k HTTP/1.1\r\nContent-Length: 5\r\nAuthorization: OSS4-HMAC-SHA256 Credential=",
            b"POST /b/k?uploads&uploadId=%ZZ HTTP/1.1\r\n",
            b"GET /%00%ff/..%2f HTTP/1.1\r\nHost: a.b.c\r\nAuthorization: OSS ",
            b"HEAD /?encryption HTTP/1.0\r\nx-oss-date: ",
            b"",
        ];
        for i in 0..300 {
            let mut t = match TcpStream::connect(s.addr()).await {
                Ok(t) => t,
                Err(e) => panic!("server stopped accepting after {i} garbage requests: {e}"),
            };
            let mut msg = prefixes[i % prefixes.len()].to_vec();
            let n = (next() % 600) as usize;
            msg.extend((0..n).map(|_| next() as u8));
            if i % 3 == 0 {
                msg.extend_from_slice(b"\r\n\r\n");
            }
            let _ = t.write_all(&msg).await;
            let _ = t.shutdown().await;
            let _ = read_some(&mut t, Duration::from_millis(200)).await;
        }
        let mut c = client(&s);
        mk_bucket(&mut c, "survivor").await;
        assert_eq!(put(&mut c, "survivor", "k", b"alive".to_vec()).await.status, 200);
    });
}

#[test]
fn a_client_that_stops_reading_is_cut_off() {
    let limits = Limits {
        write_stall_timeout: Duration::from_secs(1),
        ..Limits::default()
    };
    let s = TestServer::builder().limits(limits).start().unwrap();
    rt().block_on(async {
        let mut c = client(&s);
        mk_bucket(&mut c, "stall").await;
        let size = 32 * 1024 * 1024;
        assert_eq!(put(&mut c, "stall", "big", data(3, size)).await.status, 200);
        let r = c
            .endpoint()
            .request(Method::Get, Some("stall"), Some("big"));
        let head = signed_head(&s, r, &[]);
        let mut t = TcpStream::connect(s.addr()).await.unwrap();
        t.write_all(head.as_bytes()).await.unwrap();
        // Read nothing while the server fills the socket buffers and stalls.
        tokio::time::sleep(Duration::from_secs(4)).await;
        let mut got = 0usize;
        let mut buf = vec![0u8; 1 << 20];
        loop {
            match tokio::time::timeout(Duration::from_secs(10), t.read(&mut buf)).await {
                Ok(Ok(0)) | Ok(Err(_)) => break,
                Ok(Ok(n)) => got += n,
                Err(_) => panic!("the stalled download was not cut off"),
            }
        }
        assert!(
            got < size,
            "received {got} of {size}: the server waited instead of giving up"
        );
        // Others were never affected.
        assert_eq!(get(&mut c, "stall", "big").await.body.len(), size);
    });
}

#[test]
fn virtual_hosted_addressing() {
    let s = TestServer::start();
    rt().block_on(async {
        let mut c = client(&s);
        mk_bucket(&mut c, "vhost").await;
        assert_eq!(
            put(&mut c, "vhost", "dir/file", b"via path style".to_vec())
                .await
                .status,
            200
        );
        // Same object addressed as `Host: vhost.localhost:PORT`, path `/dir/file`.
        let mut r = c
            .endpoint()
            .request(Method::Get, Some("vhost"), Some("dir/file"));
        v4::sign_request(
            &mut r,
            &s.credentials(),
            now(),
            &v4::V4Params::new(s.region()),
        )
        .unwrap();
        let mut head = format!(
            "GET /dir/file HTTP/1.1\r\nHost: vhost.localhost:{}\r\nConnection: close\r\n",
            s.addr().port()
        );
        for (n, v) in r.headers.iter() {
            head += &format!("{n}: {v}\r\n");
        }
        head += "\r\n";
        let mut t = TcpStream::connect(s.addr()).await.unwrap();
        t.write_all(head.as_bytes()).await.unwrap();
        let mut out = Vec::new();
        t.read_to_end(&mut out).await.unwrap();
        let text = String::from_utf8_lossy(&out);
        assert!(text.starts_with("HTTP/1.1 200"), "{text}");
        assert!(text.ends_with("via path style"));
    });
}

/// A bounded structured fuzz of the whole pipeline (routing, parsing, authentication, handlers): random
/// but well-framed requests mixing valid and invalid methods, paths, sub-resources, headers and signatures.
/// Every one must get a well-formed response with a request id, and the server must keep serving.
#[test]
fn structured_request_fuzz() {
    let s = TestServer::start();
    rt().block_on(async {
        let mut c = client(&s);
        mk_bucket(&mut c, "fuzz").await;
        put(&mut c, "fuzz", "obj", data(1, 1000)).await;
        let mut seed = 0xdead_beef_cafe_f00du64;
        let mut next = move |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        let methods = ["GET", "PUT", "POST", "DELETE", "HEAD", "OPTIONS", "PATCH"];
        let paths = ["/", "/fuzz", "/fuzz/", "/fuzz/obj", "/fuzz/%2e%2e/%2e%2e", "/FUZZ/x", "/fuzz/a%zz", "//", "/fuzz/\u{7f}", "/nobucket/k", "/fuzz/" ];
        let queries = ["", "?uploads", "?uploadId=0123456789ABCDEF0123456789ABCDEF", "?partNumber=99999&uploadId=x", "?append&position=-1", "?encryption", "?acl", "?delete", "?list-type=2&continuation-token=!!!", "?max-keys=abc", "?OSSAccessKeyId=a&Expires=1&Signature=zz", "?x-oss-signature-version=OSS4-HMAC-SHA256&x-oss-date=bad", "?bucketInfo&location", "?response-content-type=%0d%0a"];
        let auths = ["", "Authorization: OSS a:b", "Authorization: OSS4-HMAC-SHA256 Credential=x", "Authorization: OSS4-HMAC-SHA256 Credential=LTAItestroot0000/20240101/cn-hangzhou/oss/aliyun_v4_request,Signature=00", "Authorization: Bearer x", "Authorization: OSS LTAItestroot0000:AAAAAAAAAAAAAAAAAAAAAAAAAAA="];
        let extras = ["", "Range: bytes=5-1", "Range: bytes=-0", "If-Match: *", "x-oss-copy-source: /fuzz/obj", "x-oss-copy-source: ../../x", "Content-MD5: !!!", "x-oss-server-side-encryption: ROT13", "x-oss-date: 20991231T235959Z", "Date: yesterday", "x-oss-meta-a: \u{e9}"];
        for i in 0..400 {
            let body_len = [0usize, 3, 100][next(3)];
            let mut req = format!(
                "{} {}{} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {body_len}\r\n",
                methods[next(methods.len())],
                paths[next(paths.len())],
                queries[next(queries.len())]
            );
            for h in [auths[next(auths.len())], extras[next(extras.len())], extras[next(extras.len())]] {
                if !h.is_empty() {
                    req += h;
                    req += "\r\n";
                }
            }
            req += "Connection: close\r\n\r\n";
            let mut bytes = req.into_bytes();
            bytes.extend((0..body_len).map(|_| next(256) as u8));
            let mut t = TcpStream::connect(s.addr()).await.unwrap_or_else(|e| panic!("request {i}: {e}"));
            t.write_all(&bytes).await.unwrap();
            let mut out = Vec::new();
            let _ = tokio::time::timeout(Duration::from_secs(10), t.read_to_end(&mut out)).await;
            let text = String::from_utf8_lossy(&out);
            if text.is_empty() {
                // hyper refused a malformed request line outright; nothing to check but survival.
                continue;
            }
            assert!(text.starts_with("HTTP/1.1 "), "request {i}: {text}");
            let status: u16 = text[9..12].parse().unwrap_or(0);
            if status != 400 || text.to_ascii_lowercase().contains("x-oss-request-id") {
                assert!(text.to_ascii_lowercase().contains("x-oss-request-id:"), "request {i}: {text}");
            }
            assert_ne!(status, 500, "request {i} hit an internal error: {text}");
        }
        assert_eq!(get(&mut c, "fuzz", "obj").await.body.as_ref(), data(1, 1000).as_slice());
    });
}
