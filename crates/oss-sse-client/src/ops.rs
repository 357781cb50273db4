//! One method per OSS operation: build the request (oss-sse-core), run it through the client's request
//! loop, turn the answer into a typed result.

use std::io::{Read, Write};
use std::time::Duration;

use oss_sse_core::ops::{self as build, ByteRange, ListParams, ValidateError};
use oss_sse_core::request::{Body, Request};
use oss_sse_core::response as doc;
use oss_sse_core::xml::XmlError;

use crate::client::{Client, Response};
use crate::crc64::{CrcReader, CrcWriter};
use crate::error::{Error, Result};
use crate::object::ObjectReader;
use crate::transport::Payload;
use crate::types::*;
use crate::{CompletedPart, ServerSideEncryptionRule};

/// Success bodies larger than this are not read into memory (listings are far smaller).
pub(crate) const MAX_RESULT_BODY: u64 = 32 * 1024 * 1024;

/// Reads a result document whole and parses it with oss-sse-core.
fn parse_doc<T>(
    resp: Response,
    what: &str,
    parse: impl FnOnce(&[u8]) -> Result<T, XmlError>,
) -> Result<(T, String)> {
    let request_id = resp.request_id();
    let body = resp.read_body(MAX_RESULT_BODY)?;
    let parsed = parse(&body).map_err(|e| Error::Response(format!("{what}: {e}")))?;
    Ok((parsed, request_id))
}

fn list_params(opts: &ListObjectsOptions) -> ListParams {
    ListParams {
        prefix: opts.prefix.clone(),
        marker: opts.start_after.clone(),
        delimiter: opts.delimiter.clone(),
        max_keys: opts.max_keys,
        continuation_token: opts.continuation_token.clone(),
        ..ListParams::default()
    }
}

fn invalid(e: ValidateError) -> Error {
    Error::InvalidArgument(e.to_string())
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

fn content_md5(body: &[u8]) -> String {
    build::content_md5(body)
}

impl Client {
    fn endpoint_ref(&self) -> &oss_sse_core::endpoint::Endpoint {
        &self.inner.endpoint
    }

    /// Runs a request built by oss-sse-core. An in-memory body is moved out of the request (signing
    /// needs only its length) so retries resend it without copying.
    fn run(&self, mut req: Request) -> Result<Response> {
        match std::mem::take(&mut req.body) {
            Body::Bytes(bytes) => {
                req.body = Body::Streamed {
                    length: bytes.len() as u64,
                };
                self.inner.execute(&req, Payload::Bytes(&bytes))
            }
            other => {
                req.body = other;
                self.inner.execute(&req, Payload::Empty)
            }
        }
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
        let mut params = ListParams::default();
        loop {
            let req = build::list_buckets(self.endpoint_ref(), &params);
            let (page, _) = parse_doc(
                self.run(req)?,
                "ListAllMyBucketsResult",
                doc::ListBucketsResult::from_xml,
            )?;
            out.extend(page.buckets.into_iter().map(|b| BucketSummary {
                name: b.name,
                location: b.location,
                creation_date: b.creation_date,
            }));
            match page.next_marker {
                Some(next) if page.is_truncated && !next.is_empty() => params.marker = Some(next),
                _ => return Ok(out),
            }
        }
    }

    /// PutBucket (CreateBucket).
    pub fn create_bucket(&self, bucket: &str) -> Result<Ack> {
        let req = build::create_bucket(self.endpoint_ref(), bucket).map_err(invalid)?;
        Self::ack(self.run(req)?)
    }

    /// DeleteBucket (the bucket must be empty).
    pub fn delete_bucket(&self, bucket: &str) -> Result<Ack> {
        let req = build::delete_bucket(self.endpoint_ref(), bucket).map_err(invalid)?;
        Self::ack(self.run(req)?)
    }

    /// GetBucketInfo, including the default encryption rule.
    pub fn get_bucket_info(&self, bucket: &str) -> Result<BucketInfo> {
        let req = build::get_bucket_info(self.endpoint_ref(), bucket).map_err(invalid)?;
        let (info, request_id) =
            parse_doc(self.run(req)?, "BucketInfo", doc::BucketInfo::from_xml)?;
        Ok(BucketInfo {
            name: info.name,
            location: info.location,
            creation_date: info.creation_date,
            extranet_endpoint: info.extranet_endpoint,
            storage_class: info.storage_class,
            encryption: info.encryption,
            request_id,
        })
    }

    /// PutBucketEncryption: set the bucket's default encryption rule.
    pub fn put_bucket_encryption(
        &self,
        bucket: &str,
        rule: &ServerSideEncryptionRule,
    ) -> Result<Ack> {
        let req =
            build::put_bucket_encryption(self.endpoint_ref(), bucket, rule).map_err(invalid)?;
        Self::ack(self.run(req)?)
    }

    /// GetBucketEncryption: the default rule (404 `NoSuchServerSideEncryptionRule` when none).
    pub fn get_bucket_encryption(&self, bucket: &str) -> Result<ServerSideEncryptionRule> {
        let req = build::get_bucket_encryption(self.endpoint_ref(), bucket).map_err(invalid)?;
        let body = self.run(req)?.read_body(MAX_RESULT_BODY)?;
        ServerSideEncryptionRule::from_xml(&body)
            .map_err(|e| Error::Response(format!("ServerSideEncryptionRule: {e}")))
    }

    /// DeleteBucketEncryption.
    pub fn delete_bucket_encryption(&self, bucket: &str) -> Result<Ack> {
        let req = build::delete_bucket_encryption(self.endpoint_ref(), bucket).map_err(invalid)?;
        Self::ack(self.run(req)?)
    }

    /// ListObjectsV2: one page.
    pub fn list_objects(&self, bucket: &str, opts: &ListObjectsOptions) -> Result<ObjectListing> {
        let req = build::list_objects_v2(self.endpoint_ref(), bucket, &list_params(opts))
            .map_err(invalid)?;
        self.listing(req)
    }

    /// ListObjects (V1, marker-based): one page; `opts.start_after` is the marker, and the next page's
    /// marker comes back in [`ObjectListing::next_marker`].
    pub fn list_objects_v1(
        &self,
        bucket: &str,
        opts: &ListObjectsOptions,
    ) -> Result<ObjectListing> {
        let req = build::list_objects(self.endpoint_ref(), bucket, &list_params(opts))
            .map_err(invalid)?;
        self.listing(req)
    }

    fn listing(&self, req: Request) -> Result<ObjectListing> {
        let (page, request_id) = parse_doc(
            self.run(req)?,
            "ListBucketResult",
            doc::ListObjectsResult::from_xml,
        )?;
        Ok(ObjectListing {
            objects: page
                .contents
                .into_iter()
                .map(|c| ObjectSummary {
                    key: c.key,
                    size: c.size,
                    etag: c.etag,
                    last_modified: c.last_modified,
                    storage_class: c.storage_class,
                })
                .collect(),
            common_prefixes: page.common_prefixes,
            is_truncated: page.is_truncated,
            next_continuation_token: page.next_continuation_token.filter(|t| !t.is_empty()),
            next_marker: page.next_marker.filter(|t| !t.is_empty()),
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
        let encryption = opts.sse.as_ref().map(Sse::to_encryption);
        let mut req = build::put_object(
            self.endpoint_ref(),
            bucket,
            key,
            Body::Streamed { length: len },
            encryption.as_ref(),
        )
        .map_err(invalid)?;
        if let Some(ct) = &opts.content_type {
            req.headers.set("Content-Type", ct.clone());
        }
        add_metadata(&mut req, &opts.metadata);
        add_headers(&mut req, &opts.headers);
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

    /// Sends a request whose body streams from `body` (exactly `len` bytes); returns the response and the
    /// CRC64 of what was sent.
    fn run_streamed(
        &self,
        req: &Request,
        body: &mut dyn Read,
        len: u64,
    ) -> Result<(Response, u64)> {
        let mut reader = CrcReader::new(body, len);
        let result = self.inner.execute(req, Payload::Reader(&mut reader, len));
        if reader.short {
            return Err(Error::Io(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                format!(
                    "the body source ended after {} of {len} bytes",
                    reader.count
                ),
            )));
        }
        Ok((result?, reader.crc.value()))
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
        let (resp, crc) = self.run_streamed(&req, body, len)?;
        self.put_output(resp, crc)
    }

    /// PutObject from memory, with Content-MD5 (retried on transient failures).
    pub fn put_object_bytes(
        &self,
        bucket: &str,
        key: &str,
        body: &[u8],
        opts: &PutObjectOptions,
    ) -> Result<PutObjectOutput> {
        let mut req = self.put_request(bucket, key, body.len() as u64, opts)?;
        req.headers.set_if_absent("Content-MD5", content_md5(body));
        let resp = self.inner.execute(&req, Payload::Bytes(body))?;
        self.put_output(resp, crate::crc64::checksum(body))
    }

    fn get_request(&self, bucket: &str, key: &str, opts: &GetObjectOptions) -> Result<Request> {
        let range = match (opts.range, opts.suffix) {
            (Some((start, Some(end))), _) => Some(ByteRange::new(start, end).map_err(invalid)?),
            (Some((start, None)), _) => Some(ByteRange::From(start)),
            (None, Some(n)) => Some(ByteRange::Suffix(n)),
            (None, None) => None,
        };
        let mut req =
            build::get_object(self.endpoint_ref(), bucket, key, range).map_err(invalid)?;
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
        let req = self.get_request(bucket, key, opts)?;
        let resp = self.run(req)?;
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
        let req = self.get_request(bucket, key, opts)?;
        let resp = self.run(req)?;
        let meta = ObjectMeta::from_headers(resp.status, resp.headers.clone());
        let whole = resp.status == 200;
        let Response { mut body, .. } = resp;
        let mut writer = CrcWriter {
            inner: out,
            crc: crate::crc64::Crc64::new(),
        };
        let mut reader = body.as_reader();
        let mut buf = vec![0u8; 256 * 1024];
        let mut copied: u64 = 0;
        loop {
            let n = reader
                .read(&mut buf)
                .map_err(|e| Error::Transport(format!("reading object body: {e}")))?;
            if n == 0 {
                break;
            }
            // A failure to write the sink is the caller's I/O, not the connection's.
            writer.write_all(&buf[..n])?;
            copied += n as u64;
        }
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
        let req = build::head_object(self.endpoint_ref(), bucket, key).map_err(invalid)?;
        let resp = self.run(req)?;
        Ok(ObjectMeta::from_headers(resp.status, resp.headers))
    }

    /// DeleteObject (deleting an absent key succeeds, as in OSS).
    pub fn delete_object(&self, bucket: &str, key: &str) -> Result<Ack> {
        let req = build::delete_object(self.endpoint_ref(), bucket, key).map_err(invalid)?;
        Self::ack(self.run(req)?)
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
        let encryption = opts.sse.as_ref().map(Sse::to_encryption);
        let mut req = build::copy_object(
            self.endpoint_ref(),
            src_bucket,
            src_key,
            dst_bucket,
            dst_key,
            encryption.as_ref(),
        )
        .map_err(invalid)?;
        if let Some(v) = &opts.source_version_id {
            let source = format!(
                "{}?versionId={}",
                build::copy_source(src_bucket, src_key),
                oss_sse_core::encoding::uri_encode(v, false)
            );
            req.headers.set("x-oss-copy-source", source);
        }
        if let Some(meta) = &opts.replace_metadata {
            req.headers.set("x-oss-metadata-directive", "REPLACE");
            add_metadata(&mut req, meta);
            if let Some(ct) = &opts.content_type {
                req.headers.set("Content-Type", ct.clone());
            }
        }
        add_headers(&mut req, &opts.headers);
        let resp = self.run(req)?;
        let encryption = response_encryption(&resp.headers);
        let (result, request_id) =
            parse_doc(resp, "CopyObjectResult", doc::CopyObjectResult::from_xml)?;
        Ok(CopyObjectOutput {
            etag: result.etag,
            last_modified: result.last_modified,
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
        let encryption = opts.sse.as_ref().map(Sse::to_encryption);
        let mut req =
            build::initiate_multipart_upload(self.endpoint_ref(), bucket, key, encryption.as_ref())
                .map_err(invalid)?;
        if let Some(ct) = &opts.content_type {
            req.headers.set("Content-Type", ct.clone());
        }
        add_metadata(&mut req, &opts.metadata);
        add_headers(&mut req, &opts.headers);
        let resp = self.run(req)?;
        let encryption = response_encryption(&resp.headers);
        let (result, request_id) = parse_doc(
            resp,
            "InitiateMultipartUploadResult",
            doc::InitiateMultipartUploadResult::from_xml,
        )?;
        if result.upload_id.is_empty() {
            return Err(Error::Response(
                "InitiateMultipartUploadResult without UploadId".into(),
            ));
        }
        Ok(InitiateMultipartOutput {
            upload_id: result.upload_id,
            encryption,
            request_id,
        })
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

    fn part_request(
        &self,
        bucket: &str,
        key: &str,
        upload_id: &str,
        part_number: u32,
        len: u64,
    ) -> Result<Request> {
        build::upload_part(
            self.endpoint_ref(),
            bucket,
            key,
            upload_id,
            part_number,
            Body::Streamed { length: len },
        )
        .map_err(invalid)
    }

    /// UploadPart from memory, with Content-MD5 (retried on transient failures).
    pub fn upload_part(
        &self,
        bucket: &str,
        key: &str,
        upload_id: &str,
        part_number: u32,
        body: &[u8],
    ) -> Result<UploadPartOutput> {
        let mut req = self.part_request(bucket, key, upload_id, part_number, body.len() as u64)?;
        req.headers.set("Content-MD5", content_md5(body));
        let resp = self.inner.execute(&req, Payload::Bytes(body))?;
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
        let (resp, crc) = self.run_streamed(&req, body, len)?;
        self.part_output(resp, part_number, crc)
    }

    /// CompleteMultipartUpload; the parts are sent in part-number order whatever order they are given in.
    pub fn complete_multipart_upload(
        &self,
        bucket: &str,
        key: &str,
        upload_id: &str,
        parts: &[CompletedPart],
    ) -> Result<CompleteMultipartOutput> {
        let mut sorted = parts.to_vec();
        sorted.sort_by_key(|p| p.part_number);
        let req =
            build::complete_multipart_upload(self.endpoint_ref(), bucket, key, upload_id, &sorted)
                .map_err(invalid)?;
        let resp = self.run(req)?;
        let crc64 = parse_crc(&resp);
        let encryption = response_encryption(&resp.headers);
        let (result, request_id) = parse_doc(
            resp,
            "CompleteMultipartUploadResult",
            doc::CompleteMultipartUploadResult::from_xml,
        )?;
        Ok(CompleteMultipartOutput {
            etag: result.etag,
            crc64,
            encryption,
            request_id,
        })
    }

    /// AbortMultipartUpload.
    pub fn abort_multipart_upload(&self, bucket: &str, key: &str, upload_id: &str) -> Result<Ack> {
        let req = build::abort_multipart_upload(self.endpoint_ref(), bucket, key, upload_id)
            .map_err(invalid)?;
        Self::ack(self.run(req)?)
    }

    /// ListParts: every part uploaded so far (all pages).
    pub fn list_parts(&self, bucket: &str, key: &str, upload_id: &str) -> Result<Vec<PartInfo>> {
        let mut out = Vec::new();
        let mut marker: Option<u32> = None;
        loop {
            let req = build::list_parts(self.endpoint_ref(), bucket, key, upload_id, None, marker)
                .map_err(invalid)?;
            let (page, _) = parse_doc(
                self.run(req)?,
                "ListPartsResult",
                doc::ListPartsResult::from_xml,
            )?;
            out.extend(page.parts.into_iter().map(|p| PartInfo {
                part_number: p.part_number,
                etag: p.etag,
                size: p.size,
                last_modified: p.last_modified,
            }));
            if page.is_truncated && page.next_part_number_marker > marker.unwrap_or(0) {
                marker = Some(page.next_part_number_marker);
            } else {
                return Ok(out);
            }
        }
    }

    // ----- presigned URLs -----

    /// A presigned URL for `method` (`GET`, `PUT`, `HEAD` or `DELETE`) on an object, valid for `expires`.
    pub fn presign(
        &self,
        method: &str,
        bucket: &str,
        key: &str,
        expires: Duration,
    ) -> Result<String> {
        let ep = self.endpoint_ref();
        let mut req = match method.to_ascii_uppercase().as_str() {
            "GET" => build::get_object(ep, bucket, key, None),
            "PUT" => build::put_object(ep, bucket, key, Body::Empty, None),
            "HEAD" => build::head_object(ep, bucket, key),
            "DELETE" => build::delete_object(ep, bucket, key),
            other => {
                return Err(Error::InvalidArgument(format!(
                    "cannot presign method {other}"
                )))
            }
        }
        .map_err(invalid)?;
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
