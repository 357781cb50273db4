//! One method per OSS operation: build the request (oss-sse-core), run it through the client's request
//! loop, turn the answer into a typed result.

use std::io::{Read, Write};
use std::time::Duration;

use oss_sse_core::request::{Body, Method, Request};

use crate::client::{Client, Response};
use crate::crc64::{CrcReader, CrcWriter};
use crate::error::{Error, Result};
use crate::object::ObjectReader;
use crate::transport::Payload;
use crate::types::*;
use crate::xml;
use crate::ServerSideEncryptionRule;

/// Success bodies larger than this are not read into memory (listings are far smaller).
pub(crate) const MAX_RESULT_BODY: u64 = 32 * 1024 * 1024;

fn parse_doc(resp: Response, root: &str) -> Result<(xml::Element, String)> {
    let request_id = resp.request_id();
    let body = resp.read_body(MAX_RESULT_BODY)?;
    let doc = xml::parse(&body).map_err(Error::Response)?;
    if doc.name != root {
        return Err(Error::Response(format!(
            "expected <{root}>, got <{}>",
            doc.name
        )));
    }
    Ok((doc, request_id))
}

/// Reads the rest of a small success body so the connection goes back to the pool.
fn drain(resp: Response) -> Result<Response> {
    let Response {
        status,
        headers,
        mut body,
    } = resp;
    let mut reader = body.as_reader();
    std::io::copy(
        &mut reader.by_ref().take(MAX_RESULT_BODY),
        &mut std::io::sink(),
    )
    .map_err(|e| Error::Transport(format!("reading response body: {e}")))?;
    drop(reader);
    Ok(Response {
        status,
        headers,
        body,
    })
}

fn parse_crc(resp: &Response) -> Option<u64> {
    resp.header("x-oss-hash-crc64ecma")
        .and_then(|v| v.trim().parse().ok())
}

fn add_metadata(req: &mut Request, metadata: &[(String, String)]) {
    for (k, v) in metadata {
        let name = if k.to_ascii_lowercase().starts_with("x-oss-meta-") {
            k.clone()
        } else {
            format!("x-oss-meta-{k}")
        };
        req.headers.set(name, v.clone());
    }
}

fn add_headers(req: &mut Request, headers: &[(String, String)]) {
    for (k, v) in headers {
        req.headers.set(k.clone(), v.clone());
    }
}

fn add_sse(req: &mut Request, sse: Option<&Sse>) {
    if let Some(sse) = sse {
        sse.to_encryption().apply_to(&mut req.headers);
    }
}

fn content_md5(body: &[u8]) -> String {
    use base64::Engine;
    use md5::Digest;
    base64::engine::general_purpose::STANDARD.encode(md5::Md5::digest(body))
}

impl Client {
    fn request(&self, method: Method, bucket: Option<&str>, key: Option<&str>) -> Result<Request> {
        self.inner.build(method, bucket, key)
    }

    fn run(&self, req: &Request, payload: Payload<'_>) -> Result<Response> {
        self.inner.execute(req, payload)
    }

    fn run_bytes(&self, mut req: Request, body: &[u8]) -> Result<Response> {
        req.body = Body::Streamed {
            length: body.len() as u64,
        };
        self.run(&req, Payload::Bytes(body))
    }

    fn ack(resp: Response) -> Result<Ack> {
        let resp = drain(resp)?;
        Ok(Ack {
            request_id: resp.request_id(),
        })
    }

    // ----- service and buckets -----

    /// ListBuckets: every bucket of the account (all pages).
    pub fn list_buckets(&self) -> Result<Vec<BucketSummary>> {
        let mut out = Vec::new();
        let mut marker: Option<String> = None;
        loop {
            let mut req = self.request(Method::Get, None, None)?;
            if let Some(m) = marker.take() {
                req.push_query("marker", Some(m));
            }
            let (doc, _) = parse_doc(self.run(&req, Payload::Empty)?, "ListAllMyBucketsResult")?;
            if let Some(buckets) = doc.child("Buckets") {
                for b in buckets.children("Bucket") {
                    out.push(BucketSummary {
                        name: b.text_of("Name"),
                        location: b.text_of("Location"),
                        creation_date: b.text_of("CreationDate"),
                    });
                }
            }
            let next = doc.text_of("NextMarker");
            if doc.text_of("IsTruncated") == "true" && !next.is_empty() {
                marker = Some(next);
            } else {
                return Ok(out);
            }
        }
    }

    /// PutBucket (CreateBucket).
    pub fn create_bucket(&self, bucket: &str) -> Result<Ack> {
        let req = self.request(Method::Put, Some(bucket), None)?;
        Self::ack(self.run(&req, Payload::Empty)?)
    }

    /// DeleteBucket (the bucket must be empty).
    pub fn delete_bucket(&self, bucket: &str) -> Result<Ack> {
        let req = self.request(Method::Delete, Some(bucket), None)?;
        Self::ack(self.run(&req, Payload::Empty)?)
    }

    /// GetBucketInfo, including the default encryption rule.
    pub fn get_bucket_info(&self, bucket: &str) -> Result<BucketInfo> {
        let mut req = self.request(Method::Get, Some(bucket), None)?;
        req.push_query("bucketInfo", None);
        let (doc, request_id) = parse_doc(self.run(&req, Payload::Empty)?, "BucketInfo")?;
        let b = doc
            .child("Bucket")
            .ok_or_else(|| Error::Response("BucketInfo without <Bucket>".into()))?;
        let rule = b.child("ServerSideEncryptionRule");
        let opt = |name: &str| {
            rule.map(|r| r.text_of(name))
                .filter(|v| !v.is_empty() && v != "None")
        };
        Ok(BucketInfo {
            name: b.text_of("Name"),
            location: b.text_of("Location"),
            creation_date: b.text_of("CreationDate"),
            extranet_endpoint: b.text_of("ExtranetEndpoint"),
            storage_class: b.text_of("StorageClass"),
            sse_algorithm: opt("SSEAlgorithm"),
            kms_master_key_id: opt("KMSMasterKeyID"),
            request_id,
        })
    }

    /// PutBucketEncryption: set the bucket's default encryption rule.
    pub fn put_bucket_encryption(
        &self,
        bucket: &str,
        rule: &ServerSideEncryptionRule,
    ) -> Result<Ack> {
        let mut req = self.request(Method::Put, Some(bucket), None)?;
        req.push_query("encryption", None);
        let body = rule.to_xml();
        req.headers.set("Content-MD5", content_md5(body.as_bytes()));
        req.headers.set("Content-Type", "application/xml");
        Self::ack(self.run_bytes(req, body.as_bytes())?)
    }

    /// GetBucketEncryption: the default rule (404 `NoSuchServerSideEncryptionRule` when none).
    pub fn get_bucket_encryption(&self, bucket: &str) -> Result<ServerSideEncryptionRule> {
        let mut req = self.request(Method::Get, Some(bucket), None)?;
        req.push_query("encryption", None);
        let body = self.run(&req, Payload::Empty)?.read_body(MAX_RESULT_BODY)?;
        ServerSideEncryptionRule::from_xml(&body)
            .map_err(|e| Error::Response(format!("ServerSideEncryptionRule: {e}")))
    }

    /// DeleteBucketEncryption.
    pub fn delete_bucket_encryption(&self, bucket: &str) -> Result<Ack> {
        let mut req = self.request(Method::Delete, Some(bucket), None)?;
        req.push_query("encryption", None);
        Self::ack(self.run(&req, Payload::Empty)?)
    }

    /// ListObjectsV2: one page.
    pub fn list_objects(&self, bucket: &str, opts: &ListObjectsOptions) -> Result<ObjectListing> {
        let mut req = self.request(Method::Get, Some(bucket), None)?;
        req.push_query("list-type", Some("2".into()));
        let pairs = [
            ("prefix", opts.prefix.clone()),
            ("delimiter", opts.delimiter.clone()),
            ("continuation-token", opts.continuation_token.clone()),
            ("start-after", opts.start_after.clone()),
            ("max-keys", opts.max_keys.map(|m| m.to_string())),
        ];
        for (k, v) in pairs {
            if let Some(v) = v {
                req.push_query(k, Some(v));
            }
        }
        let (doc, request_id) = parse_doc(self.run(&req, Payload::Empty)?, "ListBucketResult")?;
        Ok(ObjectListing {
            objects: doc
                .children("Contents")
                .map(|c| ObjectSummary {
                    key: c.text_of("Key"),
                    size: c.text_of("Size").parse().unwrap_or(0),
                    etag: c.text_of("ETag"),
                    last_modified: c.text_of("LastModified"),
                    storage_class: c.text_of("StorageClass"),
                })
                .collect(),
            common_prefixes: doc
                .children("CommonPrefixes")
                .map(|p| p.text_of("Prefix"))
                .collect(),
            is_truncated: doc.text_of("IsTruncated") == "true",
            next_continuation_token: Some(doc.text_of("NextContinuationToken"))
                .filter(|t| !t.is_empty()),
            request_id,
        })
    }

    // ----- objects -----

    fn put_request(
        &self,
        bucket: &str,
        key: &str,
        len: u64,
        opts: &PutObjectOptions,
    ) -> Result<Request> {
        let mut req = self.request(Method::Put, Some(bucket), Some(key))?;
        if let Some(ct) = &opts.content_type {
            req.headers.set("Content-Type", ct.clone());
        }
        add_metadata(&mut req, &opts.metadata);
        add_sse(&mut req, opts.sse.as_ref());
        add_headers(&mut req, &opts.headers);
        req.body = Body::Streamed { length: len };
        Ok(req)
    }

    fn put_output(&self, resp: Response, client_crc: u64) -> Result<PutObjectOutput> {
        let resp = drain(resp)?;
        let crc64 = parse_crc(&resp);
        if let (true, Some(server)) = (self.inner.crc64_check, crc64) {
            if server != client_crc {
                return Err(Error::CrcMismatch {
                    client: client_crc,
                    server,
                });
            }
        }
        Ok(PutObjectOutput {
            etag: resp.header("etag").unwrap_or_default().to_string(),
            crc64,
            version_id: resp.header("x-oss-version-id").map(str::to_owned),
            encryption: response_encryption(&resp.headers),
            request_id: resp.request_id(),
        })
    }

    /// PutObject from a reader of exactly `len` bytes, streamed (never buffered whole). A streamed body
    /// cannot be replayed, so this is not retried on failure; use [`Client::put_object_bytes`] or the
    /// multipart helper for that.
    pub fn put_object(
        &self,
        bucket: &str,
        key: &str,
        body: &mut dyn Read,
        len: u64,
        opts: &PutObjectOptions,
    ) -> Result<PutObjectOutput> {
        let req = self.put_request(bucket, key, len, opts)?;
        // `take` keeps a reader longer than promised from sending more than Content-Length.
        let mut reader = CrcReader::new(body, len);
        let result = self.run(&req, Payload::Reader(&mut reader, len));
        if reader.short {
            return Err(Error::Io(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                format!(
                    "the body source ended after {} of {len} bytes",
                    reader.count
                ),
            )));
        }
        let resp = result?;
        let crc = reader.crc.value();
        self.put_output(resp, crc)
    }

    /// PutObject from memory (retried on transient failures).
    pub fn put_object_bytes(
        &self,
        bucket: &str,
        key: &str,
        body: &[u8],
        opts: &PutObjectOptions,
    ) -> Result<PutObjectOutput> {
        let req = self.put_request(bucket, key, body.len() as u64, opts)?;
        let resp = self.run(&req, Payload::Bytes(body))?;
        self.put_output(resp, crate::crc64::checksum(body))
    }

    fn get_request(
        &self,
        method: Method,
        bucket: &str,
        key: &str,
        opts: &GetObjectOptions,
    ) -> Result<Request> {
        let mut req = self.request(method, Some(bucket), Some(key))?;
        match (opts.range, opts.suffix) {
            (Some((start, Some(end))), _) => {
                req.headers.set("Range", format!("bytes={start}-{end}"))
            }
            (Some((start, None)), _) => req.headers.set("Range", format!("bytes={start}-")),
            (None, Some(n)) => req.headers.set("Range", format!("bytes=-{n}")),
            (None, None) => {}
        }
        let conds = [
            ("If-Match", &opts.if_match),
            ("If-None-Match", &opts.if_none_match),
            ("If-Modified-Since", &opts.if_modified_since),
            ("If-Unmodified-Since", &opts.if_unmodified_since),
        ];
        for (name, v) in conds {
            if let Some(v) = v {
                req.headers.set(name, v.clone());
            }
        }
        for (k, v) in &opts.response_overrides {
            req.push_query(k.clone(), Some(v.clone()));
        }
        add_headers(&mut req, &opts.headers);
        Ok(req)
    }

    /// GetObject as a reader. Reading to the end of a whole (unranged) object checks its CRC64 and fails
    /// with `InvalidData` on a mismatch.
    pub fn get_object(
        &self,
        bucket: &str,
        key: &str,
        opts: &GetObjectOptions,
    ) -> Result<ObjectReader> {
        let req = self.get_request(Method::Get, bucket, key, opts)?;
        let resp = self.run(&req, Payload::Empty)?;
        Ok(ObjectReader::new(resp, self.inner.crc64_check))
    }

    /// GetObject into a writer, streamed; returns the object's metadata after the CRC64 check.
    pub fn get_object_to_writer(
        &self,
        bucket: &str,
        key: &str,
        opts: &GetObjectOptions,
        out: &mut dyn Write,
    ) -> Result<ObjectMeta> {
        let req = self.get_request(Method::Get, bucket, key, opts)?;
        let resp = self.run(&req, Payload::Empty)?;
        let meta = ObjectMeta::from_headers(resp.status, resp.headers.clone());
        let whole = resp.status == 200;
        let Response { mut body, .. } = resp;
        let mut writer = CrcWriter {
            inner: out,
            crc: crate::crc64::Crc64::new(),
        };
        let mut reader = body.as_reader();
        let copied = std::io::copy(&mut reader, &mut writer).map_err(|e| {
            // A failure to write the sink is the caller's I/O; a failure to read is the connection's.
            if e.kind() == std::io::ErrorKind::Other || e.kind() == std::io::ErrorKind::WriteZero {
                Error::Io(e)
            } else {
                Error::Transport(format!("reading object body: {e}"))
            }
        })?;
        if copied != meta.content_length && meta.header("content-length").is_some() {
            return Err(Error::Transport(format!(
                "object body ended after {copied} of {} bytes",
                meta.content_length
            )));
        }
        if let (true, true, Some(server)) = (self.inner.crc64_check, whole, meta.crc64) {
            let client = writer.crc.value();
            if client != server {
                return Err(Error::CrcMismatch { client, server });
            }
        }
        Ok(meta)
    }

    /// GetObject whole into memory.
    pub fn get_object_bytes(
        &self,
        bucket: &str,
        key: &str,
        opts: &GetObjectOptions,
    ) -> Result<(Vec<u8>, ObjectMeta)> {
        let mut buf = Vec::new();
        let meta = self.get_object_to_writer(bucket, key, opts, &mut buf)?;
        Ok((buf, meta))
    }

    /// HeadObject: every header of the object, encryption included.
    pub fn head_object(&self, bucket: &str, key: &str) -> Result<ObjectMeta> {
        let req = self.request(Method::Head, Some(bucket), Some(key))?;
        let resp = self.run(&req, Payload::Empty)?;
        Ok(ObjectMeta::from_headers(resp.status, resp.headers))
    }

    /// DeleteObject (deleting an absent key succeeds, as in OSS).
    pub fn delete_object(&self, bucket: &str, key: &str) -> Result<Ack> {
        let req = self.request(Method::Delete, Some(bucket), Some(key))?;
        Self::ack(self.run(&req, Payload::Empty)?)
    }

    /// CopyObject (server side). The destination is encrypted per `opts.sse`, else the destination
    /// bucket's default: the source's encryption is not carried over.
    pub fn copy_object(
        &self,
        src_bucket: &str,
        src_key: &str,
        dst_bucket: &str,
        dst_key: &str,
        opts: &CopyObjectOptions,
    ) -> Result<CopyObjectOutput> {
        // Validates the source names the same way as a request to them would be.
        self.request(Method::Head, Some(src_bucket), Some(src_key))?;
        let mut req = self.request(Method::Put, Some(dst_bucket), Some(dst_key))?;
        let mut source = format!(
            "/{src_bucket}/{}",
            oss_sse_core::encoding::uri_encode(src_key, true)
        );
        if let Some(v) = &opts.source_version_id {
            source.push_str(&format!(
                "?versionId={}",
                oss_sse_core::encoding::uri_encode(v, false)
            ));
        }
        req.headers.set("x-oss-copy-source", source);
        if let Some(meta) = &opts.replace_metadata {
            req.headers.set("x-oss-metadata-directive", "REPLACE");
            add_metadata(&mut req, meta);
            if let Some(ct) = &opts.content_type {
                req.headers.set("Content-Type", ct.clone());
            }
        }
        add_sse(&mut req, opts.sse.as_ref());
        add_headers(&mut req, &opts.headers);
        let resp = self.run(&req, Payload::Empty)?;
        let encryption = response_encryption(&resp.headers);
        let (doc, request_id) = parse_doc(resp, "CopyObjectResult")?;
        Ok(CopyObjectOutput {
            etag: doc.text_of("ETag"),
            last_modified: doc.text_of("LastModified"),
            encryption,
            request_id,
        })
    }

    // ----- multipart -----

    /// InitiateMultipartUpload; the encryption of the final object is chosen here.
    pub fn initiate_multipart_upload(
        &self,
        bucket: &str,
        key: &str,
        opts: &InitiateMultipartOptions,
    ) -> Result<InitiateMultipartOutput> {
        let mut req = self.request(Method::Post, Some(bucket), Some(key))?;
        req.push_query("uploads", None);
        if let Some(ct) = &opts.content_type {
            req.headers.set("Content-Type", ct.clone());
        }
        add_metadata(&mut req, &opts.metadata);
        add_sse(&mut req, opts.sse.as_ref());
        add_headers(&mut req, &opts.headers);
        let resp = self.run(&req, Payload::Empty)?;
        let encryption = response_encryption(&resp.headers);
        let (doc, request_id) = parse_doc(resp, "InitiateMultipartUploadResult")?;
        let upload_id = doc.text_of("UploadId");
        if upload_id.is_empty() {
            return Err(Error::Response(
                "InitiateMultipartUploadResult without UploadId".into(),
            ));
        }
        Ok(InitiateMultipartOutput {
            upload_id,
            encryption,
            request_id,
        })
    }

    fn part_request(
        &self,
        bucket: &str,
        key: &str,
        upload_id: &str,
        part_number: u32,
        len: u64,
    ) -> Result<Request> {
        if !(1..=10_000).contains(&part_number) {
            return Err(Error::InvalidArgument(format!(
                "part number {part_number} is outside 1..=10000"
            )));
        }
        let mut req = self.request(Method::Put, Some(bucket), Some(key))?;
        req.push_query("partNumber", Some(part_number.to_string()));
        req.push_query("uploadId", Some(upload_id.to_string()));
        req.body = Body::Streamed { length: len };
        Ok(req)
    }

    fn part_output(
        &self,
        resp: Response,
        part_number: u32,
        client_crc: u64,
    ) -> Result<UploadPartOutput> {
        let resp = drain(resp)?;
        let crc64 = parse_crc(&resp);
        if let (true, Some(server)) = (self.inner.crc64_check, crc64) {
            if server != client_crc {
                return Err(Error::CrcMismatch {
                    client: client_crc,
                    server,
                });
            }
        }
        Ok(UploadPartOutput {
            part_number,
            etag: resp.header("etag").unwrap_or_default().to_string(),
            crc64,
            encryption: response_encryption(&resp.headers),
            request_id: resp.request_id(),
        })
    }

    /// UploadPart from memory (retried on transient failures).
    pub fn upload_part(
        &self,
        bucket: &str,
        key: &str,
        upload_id: &str,
        part_number: u32,
        body: &[u8],
    ) -> Result<UploadPartOutput> {
        let req = self.part_request(bucket, key, upload_id, part_number, body.len() as u64)?;
        let resp = self.run(&req, Payload::Bytes(body))?;
        self.part_output(resp, part_number, crate::crc64::checksum(body))
    }

    /// UploadPart streamed from a reader of `len` bytes (not retried).
    pub fn upload_part_from_reader(
        &self,
        bucket: &str,
        key: &str,
        upload_id: &str,
        part_number: u32,
        body: &mut dyn Read,
        len: u64,
    ) -> Result<UploadPartOutput> {
        let req = self.part_request(bucket, key, upload_id, part_number, len)?;
        let mut reader = CrcReader::new(body, len);
        let result = self.run(&req, Payload::Reader(&mut reader, len));
        if reader.short {
            return Err(Error::Io(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                format!(
                    "the body source ended after {} of {len} bytes",
                    reader.count
                ),
            )));
        }
        let resp = result?;
        let crc = reader.crc.value();
        self.part_output(resp, part_number, crc)
    }

    /// CompleteMultipartUpload with the parts in part-number order.
    pub fn complete_multipart_upload(
        &self,
        bucket: &str,
        key: &str,
        upload_id: &str,
        parts: &[CompletedPart],
    ) -> Result<CompleteMultipartOutput> {
        let mut req = self.request(Method::Post, Some(bucket), Some(key))?;
        req.push_query("uploadId", Some(upload_id.to_string()));
        let mut sorted = parts.to_vec();
        sorted.sort_by_key(|p| p.part_number);
        let mut body =
            String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<CompleteMultipartUpload>");
        for p in &sorted {
            body.push_str(&format!(
                "<Part><PartNumber>{}</PartNumber><ETag>{}</ETag></Part>",
                p.part_number,
                xml::escape(&p.etag)
            ));
        }
        body.push_str("</CompleteMultipartUpload>");
        req.headers.set("Content-Type", "application/xml");
        req.headers.set("Content-MD5", content_md5(body.as_bytes()));
        let resp = self.run_bytes(req, body.as_bytes())?;
        let crc64 = parse_crc(&resp);
        let encryption = response_encryption(&resp.headers);
        let (doc, request_id) = parse_doc(resp, "CompleteMultipartUploadResult")?;
        Ok(CompleteMultipartOutput {
            etag: doc.text_of("ETag"),
            crc64,
            encryption,
            request_id,
        })
    }

    /// AbortMultipartUpload.
    pub fn abort_multipart_upload(&self, bucket: &str, key: &str, upload_id: &str) -> Result<Ack> {
        let mut req = self.request(Method::Delete, Some(bucket), Some(key))?;
        req.push_query("uploadId", Some(upload_id.to_string()));
        Self::ack(self.run(&req, Payload::Empty)?)
    }

    /// ListParts: every part uploaded so far (all pages).
    pub fn list_parts(&self, bucket: &str, key: &str, upload_id: &str) -> Result<Vec<PartInfo>> {
        let mut out = Vec::new();
        let mut marker: Option<String> = None;
        loop {
            let mut req = self.request(Method::Get, Some(bucket), Some(key))?;
            req.push_query("uploadId", Some(upload_id.to_string()));
            if let Some(m) = marker.take() {
                req.push_query("part-number-marker", Some(m));
            }
            let (doc, _) = parse_doc(self.run(&req, Payload::Empty)?, "ListPartsResult")?;
            for p in doc.children("Part") {
                out.push(PartInfo {
                    part_number: p.text_of("PartNumber").parse().unwrap_or(0),
                    etag: p.text_of("ETag"),
                    size: p.text_of("Size").parse().unwrap_or(0),
                    last_modified: p.text_of("LastModified"),
                });
            }
            let next = doc.text_of("NextPartNumberMarker");
            if doc.text_of("IsTruncated") == "true" && !next.is_empty() {
                marker = Some(next);
            } else {
                return Ok(out);
            }
        }
    }

    // ----- presigned URLs -----

    /// A presigned URL for `method` (`GET` or `PUT`) on an object, valid for `expires`.
    pub fn presign(
        &self,
        method: &str,
        bucket: &str,
        key: &str,
        expires: Duration,
    ) -> Result<String> {
        let m = match method.to_ascii_uppercase().as_str() {
            "GET" => Method::Get,
            "PUT" => Method::Put,
            "HEAD" => Method::Head,
            "DELETE" => Method::Delete,
            other => {
                return Err(Error::InvalidArgument(format!(
                    "cannot presign method {other}"
                )))
            }
        };
        let mut req = self.request(m, Some(bucket), Some(key))?;
        self.inner.presign(&mut req, expires)?;
        Ok(req.url())
    }

    /// A presigned GET URL.
    pub fn presign_get(&self, bucket: &str, key: &str, expires: Duration) -> Result<String> {
        self.presign("GET", bucket, key, expires)
    }

    /// A presigned PUT URL (the uploader must send no Content-Type, or sign one with the low-level API).
    pub fn presign_put(&self, bucket: &str, key: &str, expires: Duration) -> Result<String> {
        self.presign("PUT", bucket, key, expires)
    }
}
