//! End-to-end tests of the emulator over HTTP: every operation, the error shapes, authentication,
//! hostile keys, and persistence across a restart.

mod common;

use common::*;
use oss_sse_core::sign::SignatureVersion;
use oss_sse_core::Method;
use oss_sse_server::client::Client;
use oss_sse_server::crc64;
use oss_sse_server::testing::TestServer;

#[test]
fn every_response_carries_the_common_headers_and_errors_are_oss_shaped() {
    let s = TestServer::start();
    rt().block_on(async {
        let mut c = client(&s);
        let r = req(&c, Method::Get, Some("nosuchbucket"), None, &[], &[], None);
        let reply = call(&mut c, r).await;
        assert_eq!(reply.status, 404);
        assert_eq!(code(&reply), "NoSuchBucket");
        let id = reply.header("x-oss-request-id").unwrap_or("").to_owned();
        assert_eq!(id.len(), 24);
        assert!(id
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'A'..=b'F').contains(&b)));
        assert!(reply.header("date").is_some_and(|d| d.ends_with("GMT")));
        assert!(reply.header("server").is_some());
        assert!(reply
            .text()
            .contains(&format!("<RequestId>{id}</RequestId>")));
        assert_eq!(reply.header("x-oss-ec"), Some("0015-00000101"));
        // HEAD errors have no body: the document travels base64-encoded in x-oss-err.
        let r = req(
            &c,
            Method::Head,
            Some("nosuchbucket"),
            Some("k"),
            &[],
            &[],
            None,
        );
        let reply = call(&mut c, r).await;
        assert_eq!(reply.status, 404);
        assert!(reply.body.is_empty());
        use base64::Engine as _;
        let doc = base64::engine::general_purpose::STANDARD
            .decode(reply.header("x-oss-err").unwrap_or(""))
            .unwrap();
        assert!(String::from_utf8_lossy(&doc).contains("<Code>NoSuchBucket</Code>"));
        // Unknown sub-resources are refused, not silently served.
        mk_bucket(&mut c, "hdrs").await;
        let r = req(
            &c,
            Method::Get,
            Some("hdrs"),
            None,
            &["lifecycle"],
            &[],
            None,
        );
        let reply = call(&mut c, r).await;
        assert_eq!(
            (reply.status, code(&reply).as_str()),
            (501, "NotImplemented")
        );
    });
}

#[test]
fn authentication_failures() {
    let s = TestServer::start();
    rt().block_on(async {
        // Anonymous.
        let plain = reqwest_like_get(s.addr(), "/").await;
        assert!(plain.starts_with("HTTP/1.1 403"), "{plain}");
        assert!(plain.contains("<Code>AccessDenied</Code>"));
        // Unknown key.
        let mut bad = Client::new(
            s.endpoint(),
            oss_sse_core::Credentials::new("nobody", "x"),
            s.region(),
        )
        .unwrap();
        let r = req(&bad, Method::Get, None, None, &[], &[], None);
        let reply = call(&mut bad, r).await;
        assert_eq!(
            (reply.status, code(&reply).as_str()),
            (403, "InvalidAccessKeyId")
        );
        // Wrong secret, both versions: the server shows the string it signed.
        for v in [SignatureVersion::V1, SignatureVersion::V4] {
            let mut wrong = Client::new(
                s.endpoint(),
                oss_sse_core::Credentials::new(s.credentials().access_key_id, "wrong"),
                s.region(),
            )
            .unwrap()
            .with_signature_version(v);
            let r = req(&wrong, Method::Get, None, None, &[], &[], None);
            let reply = call(&mut wrong, r).await;
            assert_eq!(
                (reply.status, code(&reply).as_str()),
                (403, "SignatureDoesNotMatch")
            );
            assert!(reply.text().contains("<StringToSign>"), "{}", reply.text());
        }
        // V1 with the right secret works.
        let mut v1 = client(&s).with_signature_version(SignatureVersion::V1);
        let r = req(&v1, Method::Get, None, None, &[], &[], None);
        assert_eq!(call(&mut v1, r).await.status, 200);
    });
}

async fn reqwest_like_get(addr: std::net::SocketAddr, path: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    s.write_all(
        format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").as_bytes(),
    )
    .await
    .unwrap();
    let mut out = Vec::new();
    s.read_to_end(&mut out).await.unwrap();
    String::from_utf8_lossy(&out).into_owned()
}

#[test]
fn objects_round_trip_with_etag_crc_range_and_conditions() {
    let s = TestServer::start();
    rt().block_on(async {
        let mut c = client(&s);
        mk_bucket(&mut c, "objs").await;
        let body = data(1, 300_000);
        let reply = put(&mut c, "objs", "dir/a.bin", body.clone()).await;
        assert_eq!(reply.status, 200, "{}", reply.text());
        let crc = crc64::checksum(&body).to_string();
        assert_eq!(reply.header("x-oss-hash-crc64ecma"), Some(crc.as_str()));
        let etag = reply.header("etag").unwrap().to_owned();
        assert!(etag.starts_with('"') && etag.len() == 34);
        let got = get(&mut c, "objs", "dir/a.bin").await;
        assert_eq!(got.status, 200);
        assert_eq!(got.body.as_ref(), body.as_slice());
        assert_eq!(got.header("etag"), Some(etag.as_str()));
        assert_eq!(got.header("x-oss-hash-crc64ecma"), Some(crc.as_str()));
        // Range.
        let r = req(
            &c,
            Method::Get,
            Some("objs"),
            Some("dir/a.bin"),
            &[],
            &[("Range", "bytes=1000-1999")],
            None,
        );
        let part = call(&mut c, r).await;
        assert_eq!(part.status, 206);
        assert_eq!(part.body.as_ref(), &body[1000..2000]);
        assert_eq!(part.header("content-range"), Some("bytes 1000-1999/300000"));
        let r = req(
            &c,
            Method::Get,
            Some("objs"),
            Some("dir/a.bin"),
            &[],
            &[("Range", "bytes=-10")],
            None,
        );
        assert_eq!(
            call(&mut c, r).await.body.as_ref(),
            &body[body.len() - 10..]
        );
        let r = req(
            &c,
            Method::Get,
            Some("objs"),
            Some("dir/a.bin"),
            &[],
            &[("Range", "bytes=400000-")],
            None,
        );
        let bad = call(&mut c, r).await;
        assert_eq!((bad.status, code(&bad).as_str()), (416, "InvalidRange"));
        // Conditions.
        let r = req(
            &c,
            Method::Get,
            Some("objs"),
            Some("dir/a.bin"),
            &[],
            &[("If-None-Match", &etag)],
            None,
        );
        assert_eq!(call(&mut c, r).await.status, 304);
        let r = req(
            &c,
            Method::Get,
            Some("objs"),
            Some("dir/a.bin"),
            &[],
            &[("If-Match", "\"0000\"")],
            None,
        );
        let pf = call(&mut c, r).await;
        assert_eq!((pf.status, code(&pf).as_str()), (412, "PreconditionFailed"));
        let r = req(
            &c,
            Method::Get,
            Some("objs"),
            Some("dir/a.bin"),
            &[],
            &[("If-Modified-Since", "Sun, 01 Jan 2090 00:00:00 GMT")],
            None,
        );
        assert_eq!(call(&mut c, r).await.status, 304);
        let r = req(
            &c,
            Method::Get,
            Some("objs"),
            Some("dir/a.bin"),
            &[],
            &[("If-Unmodified-Since", "Sat, 01 Jan 2000 00:00:00 GMT")],
            None,
        );
        assert_eq!(call(&mut c, r).await.status, 412);
        // response-* overrides.
        let r = req(
            &c,
            Method::Get,
            Some("objs"),
            Some("dir/a.bin"),
            &[
                "response-content-type=text/weird",
                "response-cache-control=no-cache",
            ],
            &[],
            None,
        );
        let o = call(&mut c, r).await;
        assert_eq!(o.header("content-type"), Some("text/weird"));
        assert_eq!(o.header("cache-control"), Some("no-cache"));
        // Content-MD5 mismatch is refused and leaves the old object in place.
        let r = req(
            &c,
            Method::Put,
            Some("objs"),
            Some("dir/a.bin"),
            &[],
            &[("Content-MD5", "1B2M2Y8AsgTpgAmY7PhCfg==")],
            Some(b"other".to_vec()),
        );
        let d = call(&mut c, r).await;
        assert_eq!((d.status, code(&d).as_str()), (400, "InvalidDigest"));
        assert_eq!(
            get(&mut c, "objs", "dir/a.bin").await.body.as_ref(),
            body.as_slice()
        );
        // Metadata, HEAD, copy with both directives, delete.
        let r = req(
            &c,
            Method::Put,
            Some("objs"),
            Some("m"),
            &[],
            &[("Content-Type", "text/plain"), ("x-oss-meta-Color", "blue")],
            Some(b"hello".to_vec()),
        );
        assert_eq!(call(&mut c, r).await.status, 200);
        let r = req(&c, Method::Head, Some("objs"), Some("m"), &[], &[], None);
        let h = call(&mut c, r).await;
        assert_eq!(h.header("content-length"), Some("5"));
        assert_eq!(h.header("x-oss-meta-color"), Some("blue"));
        assert_eq!(h.header("content-type"), Some("text/plain"));
        let r = req(
            &c,
            Method::Put,
            Some("objs"),
            Some("copy1"),
            &[],
            &[("x-oss-copy-source", "/objs/m")],
            None,
        );
        let cp = call(&mut c, r).await;
        assert_eq!(cp.status, 200, "{}", cp.text());
        assert!(cp.text().contains("<CopyObjectResult>"));
        let r = req(
            &c,
            Method::Head,
            Some("objs"),
            Some("copy1"),
            &[],
            &[],
            None,
        );
        assert_eq!(
            call(&mut c, r).await.header("x-oss-meta-color"),
            Some("blue")
        );
        let r = req(
            &c,
            Method::Put,
            Some("objs"),
            Some("copy2"),
            &[],
            &[
                ("x-oss-copy-source", "/objs/m"),
                ("x-oss-metadata-directive", "REPLACE"),
                ("x-oss-meta-shape", "round"),
            ],
            None,
        );
        assert_eq!(call(&mut c, r).await.status, 200);
        let r = req(
            &c,
            Method::Head,
            Some("objs"),
            Some("copy2"),
            &[],
            &[],
            None,
        );
        let h2 = call(&mut c, r).await;
        assert_eq!(h2.header("x-oss-meta-color"), None);
        assert_eq!(h2.header("x-oss-meta-shape"), Some("round"));
        let r = req(
            &c,
            Method::Delete,
            Some("objs"),
            Some("copy2"),
            &[],
            &[],
            None,
        );
        assert_eq!(call(&mut c, r).await.status, 204);
        let gone = get(&mut c, "objs", "copy2").await;
        assert_eq!((gone.status, code(&gone).as_str()), (404, "NoSuchKey"));
        // A bucket with objects cannot be deleted.
        let r = req(&c, Method::Delete, Some("objs"), None, &[], &[], None);
        let ne = call(&mut c, r).await;
        assert_eq!((ne.status, code(&ne).as_str()), (409, "BucketNotEmpty"));
    });
}

#[test]
fn listing_multipart_append_and_batch_delete() {
    let s = TestServer::start();
    rt().block_on(async {
        let mut c = client(&s);
        mk_bucket(&mut c, "lists").await;
        for k in ["a/1", "a/2", "b/x/1", "b/y", "c", "d%2Fe", "../up"] {
            assert_eq!(put(&mut c, "lists", k, k.as_bytes().to_vec()).await.status, 200);
        }
        let r = req(&c, Method::Get, Some("lists"), None, &["delimiter=/", "max-keys=2"], &[], None);
        let l = call(&mut c, r).await.text();
        assert!(between(&l, "<Key>", "</Key>").is_empty());
        assert_eq!(between(&l, "<Prefix>", "</Prefix>")[1..], ["../", "a/"]);
        assert!(l.contains("<IsTruncated>true</IsTruncated>"));
        let next = between(&l, "<NextMarker>", "</NextMarker>")[0].to_owned();
        let marker = format!("marker={next}");
        let r = req(&c, Method::Get, Some("lists"), None, &["delimiter=/", &marker], &[], None);
        let l2 = call(&mut c, r).await.text();
        assert_eq!(between(&l2, "<Key>", "</Key>"), ["c", "d%2Fe"]);
        assert_eq!(between(&l2, "<Prefix>", "</Prefix>")[1..], ["b/"]);
        // V2 with continuation tokens walks everything exactly once.
        let mut seen = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let mut q = vec!["list-type=2".to_owned(), "max-keys=3".to_owned()];
            if let Some(t) = &token {
                q.push(format!("continuation-token={t}"));
            }
            let qs: Vec<&str> = q.iter().map(String::as_str).collect();
            let r = req(&c, Method::Get, Some("lists"), None, &qs, &[], None);
            let t = call(&mut c, r).await.text();
            seen.extend(between(&t, "<Key>", "</Key>").into_iter().map(str::to_owned));
            match between(&t, "<NextContinuationToken>", "</NextContinuationToken>").first() {
                Some(n) => token = Some(n.to_string()),
                None => break,
            }
        }
        assert_eq!(seen, ["../up", "a/1", "a/2", "b/x/1", "b/y", "c", "d%2Fe"]);

        // Multipart: three parts, listed, completed; ETag and CRC as OSS forms them.
        let r = req(&c, Method::Post, Some("lists"), Some("big"), &["uploads"], &[], None);
        let init = call(&mut c, r).await.text();
        let id = between(&init, "<UploadId>", "</UploadId>")[0].to_owned();
        let mut whole = Vec::new();
        let mut xml = String::from("<CompleteMultipartUpload>");
        for n in 1..=3u32 {
            let part = data(n as u64, if n < 3 { 200 * 1024 } else { 1000 });
            whole.extend_from_slice(&part);
            let pn = format!("partNumber={n}");
            let uid = format!("uploadId={id}");
            let r = req(&c, Method::Put, Some("lists"), Some("big"), &[&pn, &uid], &[], Some(part.clone()));
            let pr = call(&mut c, r).await;
            assert_eq!(pr.status, 200, "{}", pr.text());
            assert_eq!(pr.header("x-oss-hash-crc64ecma"), Some(crc64::checksum(&part).to_string().as_str()));
            xml += &format!("<Part><PartNumber>{n}</PartNumber><ETag>{}</ETag></Part>", pr.header("etag").unwrap());
        }
        xml += "</CompleteMultipartUpload>";
        let uid = format!("uploadId={id}");
        let r = req(&c, Method::Get, Some("lists"), Some("big"), &[&uid], &[], None);
        assert_eq!(between(&call(&mut c, r).await.text(), "<PartNumber>", "</PartNumber>"), ["1", "2", "3"]);
        let r = req(&c, Method::Get, Some("lists"), None, &["uploads"], &[], None);
        assert!(call(&mut c, r).await.text().contains(&id));
        for bad in ["partNumber=0", "partNumber=10001"] {
            let r = req(&c, Method::Put, Some("lists"), Some("big"), &[bad, &uid], &[], Some(vec![1]));
            let e = call(&mut c, r).await;
            assert_eq!((e.status, code(&e).as_str()), (400, "InvalidArgument"));
        }
        let r = req(&c, Method::Post, Some("lists"), Some("big"), &[&uid], &[], Some(xml.into_bytes()));
        let done = call(&mut c, r).await;
        assert_eq!(done.status, 200, "{}", done.text());
        assert_eq!(done.header("x-oss-hash-crc64ecma"), Some(crc64::checksum(&whole).to_string().as_str()));
        assert!(between(&done.text(), "<ETag>", "</ETag>")[0].ends_with("-3&quot;"));
        let got = get(&mut c, "lists", "big").await;
        assert_eq!(got.body.as_ref(), whole.as_slice());
        assert_eq!(got.header("x-oss-object-type"), Some("Multipart"));
        let r = req(&c, Method::Get, Some("lists"), Some("big"), &[&uid], &[], None);
        assert_eq!(code(&call(&mut c, r).await), "NoSuchUpload");
        // Abort.
        let r = req(&c, Method::Post, Some("lists"), Some("gone"), &["uploads"], &[], None);
        let id2 = between(&call(&mut c, r).await.text(), "<UploadId>", "</UploadId>")[0].to_owned();
        let uid2 = format!("uploadId={id2}");
        let r = req(&c, Method::Delete, Some("lists"), Some("gone"), &[&uid2], &[], None);
        assert_eq!(call(&mut c, r).await.status, 204);

        // Append: positions checked, CRC combined, normal objects refused.
        let mut appended = Vec::new();
        for (i, chunk) in [data(7, 5000), data(8, 1), data(9, 70_000)].into_iter().enumerate() {
            let pos = format!("position={}", appended.len());
            let r = req(&c, Method::Post, Some("lists"), Some("log"), &["append", &pos], &[], Some(chunk.clone()));
            let a = call(&mut c, r).await;
            assert_eq!(a.status, 200, "append {i}: {}", a.text());
            appended.extend_from_slice(&chunk);
            assert_eq!(a.header("x-oss-next-append-position"), Some(appended.len().to_string().as_str()));
            assert_eq!(a.header("x-oss-hash-crc64ecma"), Some(crc64::checksum(&appended).to_string().as_str()));
        }
        let r = req(&c, Method::Post, Some("lists"), Some("log"), &["append", "position=3"], &[], Some(vec![0]));
        let e = call(&mut c, r).await;
        assert_eq!((e.status, code(&e).as_str()), (409, "PositionNotEqualToLength"));
        assert_eq!(e.header("x-oss-next-append-position"), Some(appended.len().to_string().as_str()));
        let r = req(&c, Method::Post, Some("lists"), Some("c"), &["append", "position=1"], &[], Some(vec![0]));
        assert_eq!(code(&call(&mut c, r).await), "ObjectNotAppendable");
        let r = req(&c, Method::Get, Some("lists"), Some("log"), &[], &[("Range", "bytes=4990-5010")], None);
        assert_eq!(call(&mut c, r).await.body.as_ref(), &appended[4990..5011]);

        // Batch delete.
        let doc = "<Delete><Quiet>false</Quiet><Object><Key>a/1</Key></Object><Object><Key>../up</Key></Object><Object><Key>never</Key></Object></Delete>";
        let md5 = oss_sse_core::ops::content_md5(doc.as_bytes());
        let r = req(&c, Method::Post, Some("lists"), None, &["delete"], &[("Content-MD5", &md5)], Some(doc.as_bytes().to_vec()));
        let del = call(&mut c, r).await;
        assert_eq!(del.status, 200, "{}", del.text());
        assert_eq!(between(&del.text(), "<Key>", "</Key>"), ["a/1", "../up", "never"]);
        assert_eq!(get(&mut c, "lists", "../up").await.status, 404);
    });
}

#[test]
fn bucket_encryption_api_and_bucket_info() {
    let s = TestServer::start();
    rt().block_on(async {
        let mut c = client(&s);
        mk_bucket(&mut c, "enc").await;
        let r = req(&c, Method::Get, Some("enc"), None, &["encryption"], &[], None);
        let none = call(&mut c, r).await;
        assert_eq!((none.status, code(&none).as_str()), (404, "NoSuchServerSideEncryptionRule"));
        let doc = "<ServerSideEncryptionRule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>KMS</SSEAlgorithm><KMSMasterKeyID>k-1</KMSMasterKeyID><KMSDataEncryption>SM4</KMSDataEncryption></ApplyServerSideEncryptionByDefault></ServerSideEncryptionRule>";
        let r = req(&c, Method::Put, Some("enc"), None, &["encryption"], &[], Some(doc.as_bytes().to_vec()));
        assert_eq!(call(&mut c, r).await.status, 200);
        let r = req(&c, Method::Get, Some("enc"), None, &["encryption"], &[], None);
        let got = call(&mut c, r).await.text();
        assert!(got.contains("<KMSMasterKeyID>k-1</KMSMasterKeyID>") && got.contains("<KMSDataEncryption>SM4"));
        let r = req(&c, Method::Get, Some("enc"), None, &["bucketInfo"], &[], None);
        let info = call(&mut c, r).await.text();
        assert!(info.contains("<SSEAlgorithm>KMS</SSEAlgorithm>"), "{info}");
        // The default applies to new objects; a KMS key that does not exist fails the write.
        let p = put(&mut c, "enc", "o", b"x".to_vec()).await;
        assert_eq!((p.status, code(&p).as_str()), (404, "KeyNotFound"));
        let doc = "<ServerSideEncryptionRule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>KMS</SSEAlgorithm><KMSMasterKeyID></KMSMasterKeyID></ApplyServerSideEncryptionByDefault></ServerSideEncryptionRule>";
        let r = req(&c, Method::Put, Some("enc"), None, &["encryption"], &[], Some(doc.as_bytes().to_vec()));
        assert_eq!(call(&mut c, r).await.status, 200);
        // No key id: the default service key, reported by its id.
        let p = put(&mut c, "enc", "o", b"x".to_vec()).await;
        assert_eq!(p.status, 200, "{}", p.text());
        assert_eq!(p.header("x-oss-server-side-encryption"), Some("KMS"));
        let key_id = p.header("x-oss-server-side-encryption-key-id").unwrap_or("").to_owned();
        assert!(!key_id.is_empty() && !key_id.starts_with("alias/"), "{key_id}");
        let r = req(&c, Method::Head, Some("enc"), Some("o"), &[], &[], None);
        assert_eq!(call(&mut c, r).await.header("x-oss-server-side-encryption-key-id"), Some(key_id.as_str()));
        let bad = "<ServerSideEncryptionRule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm><KMSMasterKeyID>k</KMSMasterKeyID></ApplyServerSideEncryptionByDefault></ServerSideEncryptionRule>";
        let r = req(&c, Method::Put, Some("enc"), None, &["encryption"], &[], Some(bad.as_bytes().to_vec()));
        assert_eq!(code(&call(&mut c, r).await), "InvalidArgument");
        let r = req(&c, Method::Delete, Some("enc"), None, &["encryption"], &[], None);
        assert_eq!(call(&mut c, r).await.status, 204);
        let r = req(&c, Method::Get, Some("enc"), None, &["bucketInfo"], &[], None);
        assert!(call(&mut c, r).await.text().contains("<SSEAlgorithm>None</SSEAlgorithm>"));
        // SSE headers where they do not belong.
        let r = req(&c, Method::Post, Some("enc"), Some("mp"), &["uploads"], &[], None);
        let id = between(&call(&mut c, r).await.text(), "<UploadId>", "</UploadId>")[0].to_owned();
        let uid = format!("uploadId={id}");
        let r = req(&c, Method::Put, Some("enc"), Some("mp"), &["partNumber=1", &uid], &[("x-oss-server-side-encryption", "AES256")], Some(vec![1]));
        assert_eq!(code(&call(&mut c, r).await), "InvalidArgument");
        let r = req(&c, Method::Get, Some("enc"), None, &["location"], &[], None);
        assert!(call(&mut c, r).await.text().contains("oss-cn-hangzhou"));
    });
}

#[test]
fn hostile_keys_round_trip_and_stay_inside_the_data_dir() {
    // The data dir sits alone inside a dedicated directory, so anything escaping it would show up there.
    let outer = tempfile::tempdir().unwrap();
    let s = TestServer::builder()
        .data_dir(outer.path().join("data"))
        .start()
        .unwrap();
    rt().block_on(async {
        let mut c = client(&s);
        mk_bucket(&mut c, "hostile").await;
        let long = "λ".repeat(511); // 1022 bytes
        let keys = [
            "../../../../etc/passwd",
            "..",
            ".",
            "/leading",
            "a%2F..%2Fb",
            "a/../b",
            "sp ace+plus",
            "\u{1F600}/\u{202E}rtl",
            "con",
            long.as_str(),
            "\\windows\\path",
            "trailing/",
        ];
        for (i, k) in keys.iter().enumerate() {
            let p = put(&mut c, "hostile", k, format!("{i}").into_bytes()).await;
            assert_eq!(p.status, 200, "{k}: {}", p.text());
        }
        for (i, k) in keys.iter().enumerate() {
            let g = get(&mut c, "hostile", k).await;
            assert_eq!(g.body.as_ref(), format!("{i}").as_bytes(), "{k}");
        }
        let r = req(
            &c,
            Method::Get,
            Some("hostile"),
            None,
            &["encoding-type=url", "max-keys=100"],
            &[],
            None,
        );
        let l = call(&mut c, r).await.text();
        assert_eq!(between(&l, "<Key>", "</Key>").len(), keys.len());
        let too_long = "k".repeat(1024);
        let e = put(&mut c, "hostile", &too_long, vec![1]).await;
        assert_eq!(code(&e), "InvalidObjectName");
    });
    drop(s);
    let names: Vec<_> = std::fs::read_dir(outer.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name())
        .collect();
    assert_eq!(names, ["data"], "nothing was created next to the data dir");
}

#[test]
fn objects_survive_a_restart_and_uploads_persist() {
    let dir = tempfile::tempdir().unwrap();
    let upload_id;
    {
        let s = TestServer::builder().data_dir(dir.path()).start().unwrap();
        upload_id = rt().block_on(async {
            let mut c = client(&s);
            mk_bucket(&mut c, "keep").await;
            put(&mut c, "keep", "k1", data(5, 100_000)).await;
            let r = req(
                &c,
                Method::Post,
                Some("keep"),
                Some("mp"),
                &["uploads"],
                &[],
                None,
            );
            between(&call(&mut c, r).await.text(), "<UploadId>", "</UploadId>")[0].to_owned()
        });
    }
    let s = TestServer::builder().data_dir(dir.path()).start().unwrap();
    rt().block_on(async {
        let mut c = client(&s);
        assert_eq!(
            get(&mut c, "keep", "k1").await.body.as_ref(),
            data(5, 100_000).as_slice()
        );
        let r = req(&c, Method::Get, Some("keep"), None, &["uploads"], &[], None);
        assert!(call(&mut c, r).await.text().contains(&upload_id));
    });
}

#[test]
fn presigned_urls_both_versions_and_sts() {
    use oss_sse_core::sign::{v1, v4};
    use oss_sse_core::{Credentials, Timestamp};
    let users = r#"{"users": [{"name": "t", "policies": [{"Version": "1", "Statement": [
        {"Effect": "Allow", "Action": "oss:GetObject", "Resource": "acs:oss:*:*:pre/*"}]}],
        "sts": [{"access_key_id": "STS.tmp", "access_key_secret": "tmpsecret", "security_token": "tok+/=",
                 "expiration": "2099-01-01T00:00:00Z"}]}]}"#;
    let s = TestServer::builder().users_json(users).start().unwrap();
    let now = Timestamp::from_unix(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64,
    );
    rt().block_on(async {
        let mut c = client(&s);
        mk_bucket(&mut c, "pre").await;
        put(&mut c, "pre", "a b+c", b"presigned".to_vec()).await;
        let sts = Credentials::new("STS.tmp", "tmpsecret").with_security_token("tok+/=");
        for creds in [s.credentials(), sts] {
            let mut r1 = c
                .endpoint()
                .request(Method::Get, Some("pre"), Some("a b+c"));
            v1::presign(&mut r1, &creds, now.add_seconds(300));
            let mut r4 = c
                .endpoint()
                .request(Method::Get, Some("pre"), Some("a b+c"));
            v4::presign(&mut r4, &creds, now, 300, &v4::V4Params::new(s.region())).unwrap();
            for r in [r1, r4] {
                let text = raw_get(s.addr(), &r.path_and_query()).await;
                assert!(text.starts_with("HTTP/1.1 200"), "{text}");
                assert!(text.ends_with("presigned"));
            }
        }
        // Expired V1 URL.
        let mut old = c
            .endpoint()
            .request(Method::Get, Some("pre"), Some("a b+c"));
        v1::presign(&mut old, &s.credentials(), now.add_seconds(-60));
        let text = raw_get(s.addr(), &old.path_and_query()).await;
        assert!(
            text.starts_with("HTTP/1.1 403") && text.contains("<Code>AccessDenied</Code>"),
            "{text}"
        );
        // A tampered V4 URL.
        let mut r4 = c
            .endpoint()
            .request(Method::Get, Some("pre"), Some("a b+c"));
        v4::presign(
            &mut r4,
            &s.credentials(),
            now,
            300,
            &v4::V4Params::new(s.region()),
        )
        .unwrap();
        let tampered = r4.path_and_query().replace("a%20b", "a%20c");
        let text = raw_get(s.addr(), &tampered).await;
        assert!(
            text.contains("<Code>SignatureDoesNotMatch</Code>"),
            "{text}"
        );
    });
}

async fn raw_get(addr: std::net::SocketAddr, path_and_query: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut t = tokio::net::TcpStream::connect(addr).await.unwrap();
    t.write_all(
        format!("GET {path_and_query} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n")
            .as_bytes(),
    )
    .await
    .unwrap();
    let mut out = Vec::new();
    t.read_to_end(&mut out).await.unwrap();
    String::from_utf8_lossy(&out).into_owned()
}
