//! Encryption at rest end to end against the in-process emulator: every method by object header and by
//! bucket default, the response headers, ranged reads at segment boundaries, multipart / append / copy,
//! restart, master-key rotation, CMK states, tampering with the stored files, and the search of the data
//! dir for plaintext.

mod common;

use common::*;
use oss_sse_core::Method;
use oss_sse_kms::CreateKeyRequest;
use oss_sse_server::client::Client;
use oss_sse_server::testing::TestServer;

const SEG: usize = 64 * 1024;

/// A recognisable, incompressible-looking pattern that is easy to search for.
fn pattern(tag: &str, len: usize) -> Vec<u8> {
    let unit = format!("<<PLAINTEXT-MARKER-{tag}>>");
    let mut out = Vec::with_capacity(len);
    let mut i = 0u64;
    while out.len() < len {
        out.extend_from_slice(unit.as_bytes());
        out.extend_from_slice(&i.to_be_bytes());
        i += 1;
    }
    out.truncate(len);
    out
}

fn sse_headers(alg: &str) -> Vec<(&'static str, String)> {
    match alg {
        "" => vec![],
        "KMS-SM4" => vec![
            ("x-oss-server-side-encryption", "KMS".to_owned()),
            ("x-oss-server-side-data-encryption", "SM4".to_owned()),
        ],
        other => vec![("x-oss-server-side-encryption", other.to_owned())],
    }
}

async fn put_with(
    c: &mut Client,
    bucket: &str,
    key: &str,
    headers: &[(&str, String)],
    data: Vec<u8>,
) -> oss_sse_server::client::Reply {
    let h: Vec<(&str, &str)> = headers.iter().map(|(a, b)| (*a, b.as_str())).collect();
    let r = req(c, Method::Put, Some(bucket), Some(key), &[], &h, Some(data));
    call(c, r).await
}

async fn get_range(
    c: &mut Client,
    bucket: &str,
    key: &str,
    range: &str,
) -> oss_sse_server::client::Reply {
    let r = req(
        c,
        Method::Get,
        Some(bucket),
        Some(key),
        &[],
        &[("range", range)],
        None,
    );
    call(c, r).await
}

async fn set_bucket_encryption(c: &mut Client, bucket: &str, alg: &str, key: Option<&str>) {
    let mut doc = format!(
        "<ServerSideEncryptionRule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>{alg}</SSEAlgorithm>"
    );
    if let Some(k) = key {
        doc += &format!("<KMSMasterKeyID>{k}</KMSMasterKeyID>");
    }
    doc += "</ApplyServerSideEncryptionByDefault></ServerSideEncryptionRule>";
    let r = req(
        c,
        Method::Put,
        Some(bucket),
        None,
        &["encryption"],
        &[],
        Some(doc.into_bytes()),
    );
    let reply = call(c, r).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
}

/// Every file under `dir`, recursively.
fn files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    needle.len() <= hay.len() && hay.windows(needle.len()).any(|w| w == needle)
}

/// The blob files of a bucket (sorted by name).
fn blobs(s: &TestServer, bucket: &str) -> Vec<std::path::PathBuf> {
    let mut v: Vec<_> = files(s.data_dir())
        .into_iter()
        .filter(|p| {
            p.parent().is_some_and(|d| d.ends_with("blobs"))
                && p.to_string_lossy().contains(&format!("/{bucket}/"))
        })
        .collect();
    v.sort();
    v
}

fn blob_of(s: &TestServer, bucket: &str, key: &str) -> std::path::PathBuf {
    let obj = files(s.data_dir())
        .into_iter()
        .find(|p| {
            p.to_string_lossy().contains(&format!("/{bucket}/objects/"))
                && std::fs::read(p)
                    .map(|b| contains(&b, format!("\"key\": \"{key}\"").as_bytes()))
                    .unwrap_or(false)
        })
        .expect("object record");
    let rec: serde_json::Value = serde_json::from_slice(&std::fs::read(obj).unwrap()).unwrap();
    let blob = rec["segments"][0]["blob"].as_str().unwrap().to_owned();
    blobs(s, bucket)
        .into_iter()
        .find(|p| p.ends_with(&blob))
        .unwrap()
}

#[test]
fn every_method_by_header_and_by_default_encrypts_and_reports() {
    let s = TestServer::start();
    rt().block_on(async {
        let mut c = client(&s);
        mk_bucket(&mut c, "plain").await;
        let md5_of = |data: &[u8]| {
            use md5::{Digest, Md5};
            let d: [u8; 16] = Md5::digest(data).into();
            d.iter().map(|b| format!("{b:02X}")).collect::<String>()
        };
        for alg in ["", "AES256", "KMS", "SM4", "KMS-SM4"] {
            let key = format!("obj-{alg}");
            // The unencrypted object gets a pattern of its own: it is stored as it is.
            let data = pattern(if alg.is_empty() { "clear" } else { "hdr" }, 3 * SEG + 17);
            let md5 = md5_of(&data);
            let reply = put_with(&mut c, "plain", &key, &sse_headers(alg), data.clone()).await;
            assert_eq!(reply.status, 200, "{alg}: {}", reply.text());
            assert_eq!(reply.header("etag"), Some(format!("\"{md5}\"").as_str()));
            let want_alg = match alg {
                "KMS-SM4" => Some("KMS"),
                "" => None,
                a => Some(a),
            };
            assert_eq!(reply.header("x-oss-server-side-encryption"), want_alg);
            if alg.starts_with("KMS") {
                let id = reply.header("x-oss-server-side-encryption-key-id").unwrap();
                assert!(
                    !id.starts_with("alias/"),
                    "the default CMK is reported by id"
                );
                assert_eq!(
                    reply.header("x-oss-server-side-data-encryption"),
                    (alg == "KMS-SM4").then_some("SM4")
                );
            } else {
                assert!(reply
                    .header("x-oss-server-side-encryption-key-id")
                    .is_none());
            }
            let got = get(&mut c, "plain", &key).await;
            assert_eq!(got.status, 200);
            assert_eq!(got.body.as_ref(), data.as_slice(), "{alg}");
            assert_eq!(got.header("x-oss-server-side-encryption"), want_alg);
            let r = req(&c, Method::Head, Some("plain"), Some(&key), &[], &[], None);
            let head = call(&mut c, r).await;
            assert_eq!(
                head.header("content-length"),
                Some(data.len().to_string().as_str())
            );
            assert_eq!(head.header("x-oss-server-side-encryption"), want_alg);
        }
        // Bucket defaults, and the object header taking precedence.
        let data = pattern("hdr", 3 * SEG + 17);
        let md5 = md5_of(&data);
        for (i, alg) in ["AES256", "KMS", "SM4"].iter().enumerate() {
            let b = format!("dflt{i}");
            mk_bucket(&mut c, &b).await;
            set_bucket_encryption(&mut c, &b, alg, None).await;
            let reply = put(&mut c, &b, "k", data.clone()).await;
            assert_eq!(reply.header("x-oss-server-side-encryption"), Some(*alg));
            let reply = put_with(&mut c, &b, "o", &sse_headers("AES256"), data.clone()).await;
            assert_eq!(reply.header("x-oss-server-side-encryption"), Some("AES256"));
            assert_eq!(get(&mut c, &b, "k").await.body.as_ref(), data.as_slice());
            // ListObjects reports plaintext sizes and the MD5 ETag.
            let r = req(&c, Method::Get, Some(&b), None, &[], &[], None);
            let list = call(&mut c, r).await.text();
            assert!(
                list.contains(&format!("<Size>{}</Size>", data.len())),
                "{list}"
            );
            assert!(list.contains(&md5), "{list}");
        }
        // Invalid combinations.
        let bad = put_with(
            &mut c,
            "plain",
            "x",
            &[
                ("x-oss-server-side-encryption", "AES256".to_owned()),
                ("x-oss-server-side-encryption-key-id", "abc".to_owned()),
            ],
            b"x".to_vec(),
        )
        .await;
        assert_eq!(bad.status, 400, "{}", bad.text());
        let missing = put_with(
            &mut c,
            "plain",
            "x",
            &[
                ("x-oss-server-side-encryption", "KMS".to_owned()),
                (
                    "x-oss-server-side-encryption-key-id",
                    "no-such-key".to_owned(),
                ),
            ],
            b"x".to_vec(),
        )
        .await;
        assert_eq!(missing.status, 404);
        assert_eq!(code(&missing), "KeyNotFound");
        // SSE headers on GET are refused.
        let r = req(
            &c,
            Method::Get,
            Some("plain"),
            Some("obj-KMS"),
            &[],
            &[("x-oss-server-side-encryption", "KMS")],
            None,
        );
        assert_eq!(call(&mut c, r).await.status, 400);
    });
    // No plaintext and no data key at rest: the marker appears in no file of the data dir, and neither
    // does any object's data key (raw, base64 or hex), which the test recovers through the KMS.
    let mut keys: Vec<Vec<u8>> = Vec::new();
    let kms = s.kms();
    for f in files(s.data_dir()) {
        if !f.to_string_lossy().contains("/objects/") {
            continue;
        }
        let rec: serde_json::Value = serde_json::from_slice(&std::fs::read(&f).unwrap()).unwrap();
        let Some(h) = rec["encryption"]["header"].as_str() else {
            continue;
        };
        use base64::Engine as _;
        let raw = base64::engine::general_purpose::STANDARD.decode(h).unwrap();
        let header = oss_sse_seal::Header::decode(&raw).unwrap();
        let bucket = f
            .to_string_lossy()
            .split("/buckets/")
            .nth(1)
            .unwrap()
            .split('/')
            .next()
            .unwrap()
            .to_owned();
        let ctx = oss_sse_server::encryption::context(&bucket, rec["key"].as_str().unwrap());
        let dk = kms
            .decrypt(&oss_sse_kms::DecryptRequest::new(
                header.envelope().wrapped_key.clone(),
                ctx,
            ))
            .unwrap();
        let k = dk.plaintext.expose().to_vec();
        keys.push(
            base64::engine::general_purpose::STANDARD
                .encode(&k)
                .into_bytes(),
        );
        keys.push(
            k.iter()
                .map(|b| format!("{b:02x}"))
                .collect::<String>()
                .into_bytes(),
        );
        keys.push(k);
    }
    assert!(keys.len() >= 3 * 10, "keys recovered: {}", keys.len() / 3);
    for f in files(s.data_dir()) {
        let bytes = std::fs::read(&f).unwrap();
        assert!(
            !contains(&bytes, b"PLAINTEXT-MARKER-hdr"),
            "plaintext found in {}",
            f.display()
        );
        for k in &keys {
            assert!(!contains(&bytes, k), "a data key found in {}", f.display());
        }
    }
}

#[test]
fn ranged_reads_at_segment_boundaries() {
    let s = TestServer::start();
    rt().block_on(async {
        let mut c = client(&s);
        mk_bucket(&mut c, "rbk").await;
        let len = 4 * SEG + 100;
        let data = data(7, len);
        for alg in ["AES256", "KMS", "SM4"] {
            let reply = put_with(&mut c, "rbk", alg, &sse_headers(alg), data.clone()).await;
            assert_eq!(reply.status, 200);
            let mut cases: Vec<(String, usize, usize)> = Vec::new();
            for start in [0, 1, SEG - 1, SEG, SEG + 1, len - 1] {
                for n in [1usize, 2, SEG, SEG + 2] {
                    let end = (start + n).min(len);
                    cases.push((format!("bytes={}-{}", start, end - 1), start, end));
                }
            }
            cases.push((format!("bytes={}-", SEG + 1), SEG + 1, len));
            cases.push(("bytes=-1".into(), len - 1, len));
            cases.push(("bytes=-65537".into(), len - 65537, len));
            cases.push((format!("bytes=-{}", len + 5), 0, len));
            for (range, a, b) in cases {
                let got = get_range(&mut c, "rbk", alg, &range).await;
                assert_eq!(got.status, 206, "{alg} {range}");
                assert_eq!(got.body.as_ref(), &data[a..b], "{alg} {range}");
            }
        }
    });
}

#[test]
fn tampering_is_detected_and_intact_ranges_still_read() {
    let s = TestServer::start();
    rt().block_on(async {
        let mut c = client(&s);
        mk_bucket(&mut c, "tbk").await;
        let len = 4 * SEG;
        let newer = data(10, len);
        let data = data(9, len);
        let sealed = SEG + 16;
        // Flip one bit in segment 2: reads of segment 2 fail, others work.
        put_with(&mut c, "tbk", "flip", &sse_headers("AES256"), data.clone()).await;
        let blob = blob_of(&s, "tbk", "flip");
        let mut raw = std::fs::read(&blob).unwrap();
        assert_eq!(raw.len(), len + 4 * 16);
        raw[2 * sealed + 10] ^= 1;
        std::fs::write(&blob, &raw).unwrap();
        let full = get(&mut c, "tbk", "flip").await;
        assert!(
            full.status == 500 || full.body_len < len as u64,
            "never the whole body"
        );
        if full.status != 500 {
            assert_eq!(&full.body[..], &data[..full.body.len()]);
        }
        let bad = get_range(
            &mut c,
            "tbk",
            "flip",
            &format!("bytes={}-{}", 2 * SEG, 2 * SEG),
        )
        .await;
        assert_eq!(bad.status, 500);
        assert_eq!(code(&bad), "InternalError");
        assert!(bad.text().contains("tbk/flip"), "{}", bad.text());
        let ok = get_range(&mut c, "tbk", "flip", &format!("bytes=0-{}", 2 * SEG - 1)).await;
        assert_eq!(ok.status, 206);
        assert_eq!(ok.body.as_ref(), &data[..2 * SEG]);
        let ok = get_range(&mut c, "tbk", "flip", &format!("bytes={}-", 3 * SEG)).await;
        assert_eq!(ok.body.as_ref(), &data[3 * SEG..]);

        // Truncation: the last segment is gone.
        put_with(&mut c, "tbk", "trunc", &sse_headers("KMS"), data.clone()).await;
        let blob = blob_of(&s, "tbk", "trunc");
        let raw = std::fs::read(&blob).unwrap();
        std::fs::write(&blob, &raw[..3 * sealed]).unwrap();
        let bad = get_range(&mut c, "tbk", "trunc", "bytes=-1").await;
        assert_eq!(bad.status, 500);
        let ok = get_range(&mut c, "tbk", "trunc", "bytes=0-9").await;
        assert_eq!(ok.body.as_ref(), &data[..10]);

        // Swapping two segments fails both.
        put_with(&mut c, "tbk", "swap", &sse_headers("SM4"), data.clone()).await;
        let blob = blob_of(&s, "tbk", "swap");
        let mut raw = std::fs::read(&blob).unwrap();
        let (a, b) = raw.split_at_mut(sealed);
        a.swap_with_slice(&mut b[..sealed]);
        std::fs::write(&blob, &raw).unwrap();
        assert_eq!(
            get_range(&mut c, "tbk", "swap", "bytes=0-0").await.status,
            500
        );
        assert_eq!(
            get_range(&mut c, "tbk", "swap", &format!("bytes={SEG}-{SEG}"))
                .await
                .status,
            500
        );
        assert_eq!(
            get_range(&mut c, "tbk", "swap", &format!("bytes={}-", 2 * SEG))
                .await
                .body
                .as_ref(),
            &data[2 * SEG..]
        );

        // Replay: an old body of the same key (earlier generation) put back in place of the new one.
        put_with(
            &mut c,
            "tbk",
            "replay",
            &sse_headers("AES256"),
            data.clone(),
        )
        .await;
        let old = std::fs::read(blob_of(&s, "tbk", "replay")).unwrap();
        put_with(&mut c, "tbk", "replay", &sse_headers("AES256"), newer).await;
        let blob = blob_of(&s, "tbk", "replay");
        std::fs::write(&blob, &old).unwrap();
        assert_eq!(
            get_range(&mut c, "tbk", "replay", "bytes=0-0").await.status,
            500
        );
        // A body moved to another object fails too.
        put_with(&mut c, "tbk", "other", &sse_headers("AES256"), data.clone()).await;
        std::fs::write(blob_of(&s, "tbk", "other"), &old).unwrap();
        assert_eq!(
            get_range(&mut c, "tbk", "other", "bytes=0-0").await.status,
            500
        );
    });
}

#[test]
fn multipart_append_and_copy_under_each_method() {
    let s = TestServer::start();
    rt().block_on(async {
        let mut c = client(&s);
        mk_bucket(&mut c, "mbk").await;
        mk_bucket(&mut c, "dst").await;
        set_bucket_encryption(&mut c, "dst", "SM4", None).await;
        let part = 100 * 1024 + 7;
        let p1 = pattern("mp1", part);
        let p2 = pattern("mp2", part + 3);
        for alg in ["AES256", "KMS", "SM4", "KMS-SM4"] {
            let key = format!("mp-{alg}");
            let h = sse_headers(alg);
            let hh: Vec<(&str, &str)> = h.iter().map(|(a, b)| (*a, b.as_str())).collect();
            let r = req(&c, Method::Post, Some("mbk"), Some(&key), &["uploads"], &hh, None);
            let init = call(&mut c, r).await;
            assert_eq!(init.status, 200, "{}", init.text());
            let id = between(&init.text(), "<UploadId>", "</UploadId>")[0].to_owned();
            let mut etags = Vec::new();
            for (n, body) in [(1, &p1), (2, &p2)] {
                let qn = format!("partNumber={n}");
                let qi = format!("uploadId={id}");
                let r = req(&c, Method::Put, Some("mbk"), Some(&key), &[&qn, &qi], &[], Some(body.clone()));
                let up = call(&mut c, r).await;
                assert_eq!(up.status, 200, "{}", up.text());
                assert_eq!(
                    up.header("x-oss-server-side-encryption"),
                    init.header("x-oss-server-side-encryption")
                );
                etags.push(up.header("etag").unwrap().to_owned());
            }
            let doc = format!(
                "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>{}</ETag></Part><Part><PartNumber>2</PartNumber><ETag>{}</ETag></Part></CompleteMultipartUpload>",
                etags[0], etags[1]
            );
            let qi = format!("uploadId={id}");
            let r = req(&c, Method::Post, Some("mbk"), Some(&key), &[&qi], &[], Some(doc.into_bytes()));
            let done = call(&mut c, r).await;
            assert_eq!(done.status, 200, "{}", done.text());
            assert_eq!(
                done.header("x-oss-server-side-encryption"),
                init.header("x-oss-server-side-encryption")
            );
            let whole: Vec<u8> = [p1.clone(), p2.clone()].concat();
            assert_eq!(get(&mut c, "mbk", &key).await.body.as_ref(), whole.as_slice());
            let cross = get_range(&mut c, "mbk", &key, &format!("bytes={}-{}", part - 5, part + 5)).await;
            assert_eq!(cross.body.as_ref(), &whole[part - 5..part + 6]);

            // Append: the first append's method holds for the later ones.
            let akey = format!("ap-{alg}");
            let mut expect = Vec::new();
            let mut pos = 0usize;
            for i in 0..3 {
                let chunk = pattern(&format!("ap{i}"), 70_000 + i);
                let qp = format!("position={pos}");
                let hdrs: Vec<(&str, &str)> = if i == 0 { hh.clone() } else { vec![] };
                let r = req(&c, Method::Post, Some("mbk"), Some(&akey), &["append", &qp], &hdrs, Some(chunk.clone()));
                let ap = call(&mut c, r).await;
                assert_eq!(ap.status, 200, "{}", ap.text());
                assert_eq!(
                    ap.header("x-oss-server-side-encryption"),
                    init.header("x-oss-server-side-encryption")
                );
                pos += chunk.len();
                expect.extend_from_slice(&chunk);
            }
            assert_eq!(get(&mut c, "mbk", &akey).await.body.as_ref(), expect.as_slice());
            let mid = get_range(&mut c, "mbk", &akey, "bytes=69990-70010").await;
            assert_eq!(mid.body.as_ref(), &expect[69990..70011]);

            // Copy: the destination's rule applies (SM4 bucket default), not the source's.
            let src = format!("/mbk/{key}");
            let r = req(&c, Method::Put, Some("dst"), Some(&key), &[], &[("x-oss-copy-source", &src)], None);
            let cp = call(&mut c, r).await;
            assert_eq!(cp.status, 200, "{}", cp.text());
            assert_eq!(cp.header("x-oss-server-side-encryption"), Some("SM4"));
            assert_eq!(get(&mut c, "dst", &key).await.body.as_ref(), whole.as_slice());
            // A copy's own headers win.
            let r = req(
                &c,
                Method::Put,
                Some("mbk"),
                Some(&format!("{key}-copy")),
                &[],
                &[("x-oss-copy-source", &src), ("x-oss-server-side-encryption", "KMS")],
                None,
            );
            let cp = call(&mut c, r).await;
            assert_eq!(cp.header("x-oss-server-side-encryption"), Some("KMS"));
            assert_eq!(
                get(&mut c, "mbk", &format!("{key}-copy")).await.body.as_ref(),
                whole.as_slice()
            );
        }
    });
    // Parts, appends and copies leave no plaintext either.
    for f in files(s.data_dir()) {
        let bytes = std::fs::read(&f).unwrap();
        assert!(!contains(&bytes, b"PLAINTEXT-MARKER"), "{}", f.display());
    }
}

#[test]
fn multipart_part_dropped_or_swapped_fails() {
    let s = TestServer::start();
    rt().block_on(async {
        let mut c = client(&s);
        mk_bucket(&mut c, "mbk").await;
        let part = 100 * 1024;
        let h = [("x-oss-server-side-encryption", "AES256")];
        let r = req(
            &c,
            Method::Post,
            Some("mbk"),
            Some("k"),
            &["uploads"],
            &h,
            None,
        );
        let id = between(&call(&mut c, r).await.text(), "<UploadId>", "</UploadId>")[0].to_owned();
        let mut etags = Vec::new();
        for n in 1..=3 {
            let qn = format!("partNumber={n}");
            let qi = format!("uploadId={id}");
            let r = req(
                &c,
                Method::Put,
                Some("mbk"),
                Some("k"),
                &[&qn, &qi],
                &[],
                Some(data(n, part)),
            );
            etags.push(call(&mut c, r).await.header("etag").unwrap().to_owned());
        }
        let doc: String = etags
            .iter()
            .enumerate()
            .map(|(i, e)| {
                format!(
                    "<Part><PartNumber>{}</PartNumber><ETag>{e}</ETag></Part>",
                    i + 1
                )
            })
            .collect();
        let doc = format!("<CompleteMultipartUpload>{doc}</CompleteMultipartUpload>");
        let qi = format!("uploadId={id}");
        let r = req(
            &c,
            Method::Post,
            Some("mbk"),
            Some("k"),
            &[&qi],
            &[],
            Some(doc.into_bytes()),
        );
        assert_eq!(call(&mut c, r).await.status, 200);
        // Swap the blobs of parts 1 and 2 (same sizes): both fail, part 3 still reads.
        let obj = files(s.data_dir())
            .into_iter()
            .find(|p| p.to_string_lossy().contains("/mbk/objects/"))
            .unwrap();
        let rec: serde_json::Value = serde_json::from_slice(&std::fs::read(obj).unwrap()).unwrap();
        let b: Vec<String> = (0..3)
            .map(|i| rec["segments"][i]["blob"].as_str().unwrap().to_owned())
            .collect();
        let dir = blobs(&s, "mbk")[0].parent().unwrap().to_owned();
        let (x, y) = (
            std::fs::read(dir.join(&b[0])).unwrap(),
            std::fs::read(dir.join(&b[1])).unwrap(),
        );
        std::fs::write(dir.join(&b[0]), &y).unwrap();
        std::fs::write(dir.join(&b[1]), &x).unwrap();
        assert_eq!(get_range(&mut c, "mbk", "k", "bytes=0-0").await.status, 500);
        assert_eq!(
            get_range(&mut c, "mbk", "k", &format!("bytes={part}-{part}"))
                .await
                .status,
            500
        );
        let tail = get_range(&mut c, "mbk", "k", &format!("bytes={}-", 2 * part)).await;
        assert_eq!(tail.body.as_ref(), data(3, part).as_slice());
    });
}

#[test]
fn restart_rotation_and_cmk_states() {
    let dir = tempfile::tempdir().unwrap();
    let payload = data(3, 200_000);
    let cmk;
    {
        let s = TestServer::builder().data_dir(dir.path()).start().unwrap();
        let kms = s.kms();
        cmk = kms
            .create_key(&CreateKeyRequest {
                description: "test".into(),
                rotation_interval: None,
            })
            .unwrap()
            .key_id;
        rt().block_on(async {
            let mut c = client(&s);
            mk_bucket(&mut c, "bbk").await;
            for v in 0..3 {
                put_with(
                    &mut c,
                    "bbk",
                    &format!("oss-{v}"),
                    &sse_headers("AES256"),
                    payload.clone(),
                )
                .await;
                let h = vec![
                    ("x-oss-server-side-encryption", "KMS".to_owned()),
                    ("x-oss-server-side-encryption-key-id", cmk.clone()),
                ];
                let r = put_with(&mut c, "bbk", &format!("kms-{v}"), &h, payload.clone()).await;
                assert_eq!(
                    r.header("x-oss-server-side-encryption-key-id"),
                    Some(cmk.as_str())
                );
                kms.rotate_key(oss_sse_server::encryption::MASTER_KEY_ALIAS)
                    .unwrap();
                kms.rotate_key(&cmk).unwrap();
            }
            for v in 0..3 {
                for k in [format!("oss-{v}"), format!("kms-{v}")] {
                    assert_eq!(
                        get(&mut c, "bbk", &k).await.body.as_ref(),
                        payload.as_slice()
                    );
                }
            }
            // A disabled CMK stops reads and writes of its objects; enabling brings them back.
            kms.disable_key(&cmk).unwrap();
            let g = get(&mut c, "bbk", "kms-0").await;
            assert_eq!(g.status, 403, "{}", g.text());
            assert!(g.text().contains("Disabled"), "{}", g.text());
            let h = vec![
                ("x-oss-server-side-encryption", "KMS".to_owned()),
                ("x-oss-server-side-encryption-key-id", cmk.clone()),
            ];
            let w = put_with(&mut c, "bbk", "new", &h, b"x".to_vec()).await;
            assert_eq!(w.status, 403);
            assert_eq!(get(&mut c, "bbk", "oss-0").await.status, 200);
            kms.enable_key(&cmk).unwrap();
            assert_eq!(get(&mut c, "bbk", "kms-0").await.status, 200);
            kms.schedule_key_deletion(&cmk, 7).unwrap();
            let g = get(&mut c, "bbk", "kms-1").await;
            assert_eq!(g.status, 403);
            assert!(g.text().contains("PendingDeletion"), "{}", g.text());
            kms.cancel_key_deletion(&cmk).unwrap();
        });
        drop(kms);
        s.stop();
    }
    let s = TestServer::builder().data_dir(dir.path()).start().unwrap();
    rt().block_on(async {
        let mut c = client(&s);
        for v in 0..3 {
            for k in [format!("oss-{v}"), format!("kms-{v}")] {
                let g = get(&mut c, "bbk", &k).await;
                assert_eq!(g.status, 200, "{k}: {}", g.text());
                assert_eq!(g.body.as_ref(), payload.as_slice());
            }
        }
    });
}

#[test]
fn a_small_range_of_a_big_object_reads_only_its_segments() {
    // Every segment but 30 and 31 is destroyed on disk: ranges inside those two still read, so a read
    // touches only the segments that cover its range.
    let s = TestServer::start();
    rt().block_on(async {
        let mut c = client(&s);
        mk_bucket(&mut c, "big").await;
        let len = 64 * SEG;
        let body = data(21, len);
        put_with(&mut c, "big", "obj", &sse_headers("KMS"), body.clone()).await;
        let blob = blob_of(&s, "big", "obj");
        let mut raw = std::fs::read(&blob).unwrap();
        let sealed = SEG + 16;
        for (i, chunk) in raw.chunks_mut(sealed).enumerate() {
            if i != 30 && i != 31 {
                chunk.fill(0);
            }
        }
        std::fs::write(&blob, &raw).unwrap();
        let one = get_range(
            &mut c,
            "big",
            "obj",
            &format!("bytes={0}-{0}", 30 * SEG + 7),
        )
        .await;
        assert_eq!(one.status, 206, "{}", one.text());
        assert_eq!(one.body.as_ref(), &body[30 * SEG + 7..30 * SEG + 8]);
        let two = get_range(
            &mut c,
            "big",
            "obj",
            &format!("bytes={}-{}", 31 * SEG - 1, 31 * SEG),
        )
        .await;
        assert_eq!(two.body.as_ref(), &body[31 * SEG - 1..31 * SEG + 1]);
        assert_eq!(
            get_range(&mut c, "big", "obj", "bytes=0-0").await.status,
            500
        );
    });
}

#[test]
fn admin_api_is_root_only_and_signed() {
    let users = r#"{"users": [{"name": "admin-wannabe", "access_key_id": "LTAIuser", "access_key_secret": "usersecret",
        "policies": [{"Version": "1", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}]}]}"#;
    let s = TestServer::builder().users_json(users).start().unwrap();
    let region = s.region().to_owned();
    let endpoint = s.endpoint().to_owned();
    let root = s.credentials();
    // The admin client is blocking (its own runtime): run it off the test's runtime.
    std::thread::spawn(move || {
        use oss_sse_server::admin::{AdminClient, AdminClientError};
        let admin = AdminClient::new(&endpoint, root, &region).unwrap();
        let keys = admin.call("kms/ListKeys", &serde_json::json!({})).unwrap();
        assert!(keys.is_array(), "{keys}");
        let meta = admin.rotate_master_key().unwrap();
        assert_eq!(meta.key_versions.len(), 2);
        let user = AdminClient::new(
            &endpoint,
            oss_sse_core::Credentials::new("LTAIuser", "usersecret"),
            &region,
        )
        .unwrap();
        match user.rotate_master_key() {
            Err(AdminClientError::Api { status, code, .. }) => {
                assert_eq!((status, code.as_str()), (403, "AccessDenied"))
            }
            other => panic!("a RAM user reached the admin API: {other:?}"),
        }
        let forged = AdminClient::new(
            &endpoint,
            oss_sse_core::Credentials::new(oss_sse_server::testing::ROOT_ACCESS_KEY_ID, "wrong"),
            &region,
        )
        .unwrap();
        match forged.call("kms/ListKeys", &serde_json::json!({})) {
            Err(AdminClientError::Api { status, code, .. }) => {
                assert_eq!((status, code.as_str()), (403, "SignatureDoesNotMatch"))
            }
            other => panic!("a wrong signature reached the admin API: {other:?}"),
        }
        match admin.call("no-such-thing", &serde_json::json!({})) {
            Err(AdminClientError::Api { status, .. }) => assert_eq!(status, 404),
            other => panic!("{other:?}"),
        }
    })
    .join()
    .unwrap();
    // Unsigned: refused before anything runs.
    rt().block_on(async {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let mut t = tokio::net::TcpStream::connect(s.addr()).await.unwrap();
        t.write_all(b"POST /-/admin/rotate-master-key HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}")
            .await
            .unwrap();
        let mut out = String::new();
        t.read_to_string(&mut out).await.unwrap();
        assert!(out.starts_with("HTTP/1.1 403"), "{out}");
    });
}

#[test]
fn edited_records_fail_after_restart() {
    // Records are read at startup: edit them on disk while the server is down, then start it again.
    let dir = tempfile::tempdir().unwrap();
    let body = data(5, 3 * SEG);
    {
        let s = TestServer::builder().data_dir(dir.path()).start().unwrap();
        rt().block_on(async {
            let mut c = client(&s);
            mk_bucket(&mut c, "rec").await;
            for k in ["a", "b", "gen", "ok"] {
                let r = put_with(&mut c, "rec", k, &sse_headers("AES256"), body.clone()).await;
                assert_eq!(r.status, 200);
            }
        });
        s.stop();
    }
    let record = |key: &str| {
        files(dir.path())
            .into_iter()
            .find(|p| {
                p.to_string_lossy().contains("/rec/objects/")
                    && serde_json::from_slice::<serde_json::Value>(&std::fs::read(p).unwrap())
                        .unwrap()["key"]
                        == key
            })
            .unwrap()
    };
    let load = |p: &std::path::Path| -> serde_json::Value {
        serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap()
    };
    let (pa, pb, pg) = (record("a"), record("b"), record("gen"));
    let (mut a, mut b, mut g) = (load(&pa), load(&pb), load(&pg));
    // Swap the headers of a and b (same sizes, same method): each fails under the other's identity.
    let ha = a["encryption"]["header"].clone();
    a["encryption"]["header"] = b["encryption"]["header"].clone();
    b["encryption"]["header"] = ha;
    // Replay another generation: the identity no longer matches.
    let gen = g["encryption"]["generation"].as_u64().unwrap();
    g["encryption"]["generation"] = serde_json::json!(gen ^ 1);
    for (p, v) in [(&pa, &a), (&pb, &b), (&pg, &g)] {
        std::fs::write(p, serde_json::to_vec_pretty(v).unwrap()).unwrap();
    }
    let s = TestServer::builder().data_dir(dir.path()).start().unwrap();
    rt().block_on(async {
        let mut c = client(&s);
        for k in ["a", "b", "gen"] {
            let g = get(&mut c, "rec", k).await;
            assert_eq!(g.status, 500, "{k}: {}", g.text());
            assert_eq!(code(&g), "InternalError");
        }
        assert_eq!(
            get(&mut c, "rec", "ok").await.body.as_ref(),
            body.as_slice()
        );
    });
}
