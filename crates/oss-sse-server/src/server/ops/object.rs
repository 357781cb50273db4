//! Object operations: PutObject, GetObject / HeadObject (single range, `response-*` overrides,
//! conditions), GetObjectMeta, DeleteObject, CopyObject and AppendObject.

use std::collections::BTreeMap;
use std::io::Read;
use std::sync::Arc;

use http::{HeaderMap, Response, StatusCode};
use hyper::body::Incoming;
use md5::{Digest as _, Md5};
use oss_sse_core::time::Timestamp;

use super::{check_md5, content_length, content_md5, http_date, iso8601, md5_base64, quoted};
use crate::crc64;
use crate::encryption::{self, WriteKey};
use crate::error::ApiError;
use crate::ids;
use crate::server::body::{self, Body};
use crate::server::route::check_key;
use crate::server::service::{self, Ctx};
use crate::server::{auth, sse};
use crate::storage::body::WrittenSegment;
use crate::storage::meta::{EncryptionDescriptor, ObjectMeta, ObjectType};
use crate::storage::{ObjectRef, StoreError};
use crate::xml::XmlWriter;

/// Standard headers stored with an object and returned on GET/HEAD.
const STORED_HEADERS: &[&str] = &[
    "cache-control",
    "content-disposition",
    "content-encoding",
    "content-language",
    "expires",
];

/// What a request says about the object it writes: content type, stored headers, user metadata.
pub struct WriteMeta {
    /// `Content-Type`.
    pub content_type: String,
    /// Stored standard headers.
    pub headers: BTreeMap<String, String>,
    /// User metadata (lower-case names without the prefix).
    pub user_meta: BTreeMap<String, String>,
}

/// The most user metadata OSS keeps per object (names and values), in bytes.
const MAX_USER_META: usize = 8 * 1024;

/// Reads content type, stored headers and `x-oss-meta-*` from request headers.
pub fn write_meta(headers: &HeaderMap) -> Result<WriteMeta, ApiError> {
    let text = |v: &http::HeaderValue| String::from_utf8_lossy(v.as_bytes()).into_owned();
    let content_type = headers
        .get("content-type")
        .map(text)
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "application/octet-stream".to_owned());
    let mut stored = BTreeMap::new();
    for h in STORED_HEADERS {
        if let Some(v) = headers.get(*h) {
            stored.insert((*h).to_owned(), text(v));
        }
    }
    let mut user_meta = BTreeMap::new();
    let mut total = 0;
    for (name, value) in headers {
        if let Some(n) = name.as_str().strip_prefix("x-oss-meta-") {
            let v = text(value);
            total += n.len() + v.len();
            user_meta.insert(n.to_owned(), v);
        }
    }
    if total > MAX_USER_META {
        return Err(ApiError::invalid_argument(
            "Your metadata headers exceed the maximum allowed metadata size (8 KB).",
        ));
    }
    Ok(WriteMeta {
        content_type,
        headers: stored,
        user_meta,
    })
}

/// Obtains the data key for a new write of `bucket`/`key` (the KMS is called on a blocking thread),
/// fixing the descriptor's generation and the key id used. `None` for an unencrypted write.
pub async fn write_key(
    ctx: &Ctx,
    desc: &mut Option<EncryptionDescriptor>,
    bucket: &str,
    key: &str,
) -> Result<Option<WriteKey>, ApiError> {
    let Some(mut d) = desc.take() else {
        return Ok(None);
    };
    let kms = ctx.state.kms.clone();
    let (b, k) = (bucket.to_owned(), key.to_owned());
    let (d, wk) = tokio::task::spawn_blocking(move || {
        let wk = encryption::new_write_key(kms.as_ref(), &mut d, &b, &k);
        (d, wk)
    })
    .await
    .map_err(|_| ApiError::internal())?;
    *desc = Some(d);
    wk.map(Some)
}

/// Opens an object for reading: unwraps its key and verifies its header (blocking thread). `None` for a
/// plaintext object.
pub async fn open_for_read(
    ctx: &Ctx,
    bucket: &str,
    obj: &Arc<ObjectRef>,
) -> Result<Option<oss_sse_seal::OpenedObject>, ApiError> {
    if obj.meta.encryption.is_none() {
        return Ok(None);
    }
    let kms = ctx.state.kms.clone();
    let (b, o) = (bucket.to_owned(), obj.clone());
    tokio::task::spawn_blocking(move || encryption::open_object(kms.as_ref(), &b, &o.meta))
        .await
        .map_err(|_| ApiError::internal())?
}

/// A reader of `start..end` of `obj`, decrypting when `opened` is set.
pub fn object_reader(
    ctx_bucket: &str,
    obj: &Arc<ObjectRef>,
    opened: Option<&oss_sse_seal::OpenedObject>,
    start: u64,
    end: u64,
) -> Result<crate::storage::body::BodyReader, ApiError> {
    match opened {
        None => Ok(obj.reader(start, end)),
        Some(o) => obj
            .sealed_reader(o, start, end)
            .map_err(|e| encryption::integrity_error(ctx_bucket, &obj.meta.key, e)),
    }
}

/// Puts the seal header of a single-stream object into its descriptor.
fn finish_single(
    desc: &mut Option<EncryptionDescriptor>,
    wk: Option<&WriteKey>,
    seg: &WrittenSegment,
) -> Result<(), ApiError> {
    if let (Some(d), Some(wk)) = (desc.as_mut(), wk) {
        let record = seg.record.as_ref().ok_or_else(ApiError::internal)?;
        let header = oss_sse_seal::Header::single(&wk.key, &wk.id, record, wk.envelope.clone())
            .map_err(|e| {
                tracing::error!(error = %e, "building the seal header");
                ApiError::internal()
            })?;
        d.header = Some(encryption::encode_header(&header));
    }
    Ok(())
}

/// True when the request asks not to replace an existing object.
pub fn forbid_overwrite(ctx: &Ctx) -> bool {
    ctx.header("x-oss-forbid-overwrite")
        .is_some_and(|v| v.eq_ignore_ascii_case("true"))
}

/// The store error a refused overwrite raises.
pub fn file_already_exists() -> StoreError {
    StoreError::PreconditionFailed
}

/// The error of a refused overwrite (`FileAlreadyExists`) or another store failure.
pub fn exists_error(ctx: &Ctx, e: StoreError) -> ApiError {
    match e {
        StoreError::PreconditionFailed if forbid_overwrite(ctx) => ApiError::new(
            StatusCode::CONFLICT,
            "FileAlreadyExists",
            "The object you specified already exists and can not be overwritten.",
        ),
        other => ctx.store_error(other),
    }
}

/// Headers describing a written object: ETag, CRC-64, encryption.
pub fn write_response(resp: &mut Response<Body>, meta: &ObjectMeta) {
    service::set_header(resp, "etag", &quoted(&meta.etag));
    service::set_header(resp, "x-oss-hash-crc64ecma", &meta.crc64.to_string());
    for (n, v) in sse::response_headers(meta.encryption.as_ref()) {
        service::set_header(resp, n, &v);
    }
}

/// A new segment writer in the request's bucket, sealing with `sealer` when given.
pub async fn new_writer(
    ctx: &Ctx,
    sealer: Option<oss_sse_seal::StreamSealer>,
) -> Result<crate::storage::body::SegmentWriter, ApiError> {
    let bucket = ctx
        .state
        .store
        .bucket(ctx.bucket())
        .map_err(|e| ctx.store_error(e))?;
    match tokio::task::spawn_blocking(move || bucket.new_segment(sealer)).await {
        Ok(r) => r.map_err(|e| ctx.store_error(e)),
        Err(_) => Err(ApiError::internal()),
    }
}

pub async fn put_object(ctx: &Ctx, body: &mut Incoming) -> Result<Response<Body>, ApiError> {
    let sse_req = sse::request_sse(ctx.op, &ctx.header_pairs)?;
    let meta_in = write_meta(&ctx.headers)?;
    let declared = content_length(ctx)?;
    let md5 = content_md5(ctx)?;
    let bucket = ctx
        .state
        .store
        .bucket(ctx.bucket())
        .map_err(|e| ctx.store_error(e))?;
    let desc = sse::resolve(sse_req.as_ref(), bucket.meta().encryption.as_ref());
    // The KMS key is resolved (alias to id, 404 KeyNotFound) by GenerateDataKey in `write_key`.
    let mut desc = desc;
    if forbid_overwrite(ctx) && ctx.state.store.get(ctx.bucket(), ctx.key()).is_ok() {
        return Err(exists_error(ctx, file_already_exists()));
    }
    let wk = write_key(ctx, &mut desc, ctx.bucket(), ctx.key()).await?;
    let sealer = wk.as_ref().map(WriteKey::object_sealer).transpose()?;
    let writer = new_writer(ctx, sealer).await?;
    let limits = &ctx.state.limits;
    let seg = body::receive_into(
        body,
        writer,
        declared,
        limits.max_object_size,
        limits.body_idle_timeout,
    )
    .await?;
    check_md5(md5, &seg.md5).inspect_err(|_| discard(ctx, &seg.segment.blob))?;
    let committed = commit_single(ctx, desc, wk, &seg, meta_in).await?;
    let mut resp = service::empty(StatusCode::OK);
    write_response(&mut resp, &committed.meta);
    service::set_header(&mut resp, "content-md5", &md5_base64(&seg.md5));
    Ok(resp)
}

/// Commits a freshly written single-stream body as the object `ctx.key()` (PutObject and PostObject):
/// seals the header, writes the record atomically, honours `x-oss-forbid-overwrite`. The blob is
/// discarded on any failure.
pub async fn commit_single(
    ctx: &Ctx,
    mut desc: Option<EncryptionDescriptor>,
    wk: Option<WriteKey>,
    seg: &WrittenSegment,
    meta_in: WriteMeta,
) -> Result<Arc<ObjectRef>, ApiError> {
    finish_single(&mut desc, wk.as_ref(), seg).inspect_err(|_| discard(ctx, &seg.segment.blob))?;
    drop(wk);
    let record = ObjectMeta {
        key: ctx.key().to_owned(),
        size: seg.segment.len,
        etag: ids::hex_upper(&seg.md5),
        crc64: seg.crc64,
        last_modified: ctx.now.unix(),
        content_type: meta_in.content_type,
        headers: meta_in.headers,
        user_meta: meta_in.user_meta,
        object_type: ObjectType::Normal,
        segments: vec![seg.segment.clone()],
        encryption: desc,
    };
    let forbid = forbid_overwrite(ctx);
    let (bucket_name, key) = (ctx.bucket().to_owned(), ctx.key().to_owned());
    let store = ctx.state.store.clone();
    let committed = tokio::task::spawn_blocking(move || {
        store.commit(&bucket_name, &key, |current| {
            if forbid && current.is_some() {
                return Err(file_already_exists());
            }
            Ok(record)
        })
    })
    .await
    .map_err(|_| ApiError::internal())?;
    committed.map_err(|e| {
        discard(ctx, &seg.segment.blob);
        exists_error(ctx, e)
    })
}

/// Removes a blob that was written but will not be committed.
pub fn discard(ctx: &Ctx, blob: &str) {
    if let Ok(b) = ctx.state.store.bucket(ctx.bucket()) {
        b.discard_blob(blob);
    }
}

fn etag_matches(header: &str, etag: &str) -> bool {
    header.split(',').any(|t| {
        let t = t.trim();
        t == "*" || t.trim_matches('"').eq_ignore_ascii_case(etag)
    })
}

fn parse_http_date(s: &str) -> Option<i64> {
    Timestamp::parse_rfc1123(s.trim()).ok().map(Timestamp::unix)
}

enum Condition {
    Proceed,
    NotModified,
}

/// Evaluates If-Match / If-Unmodified-Since (412) and If-None-Match / If-Modified-Since (304).
fn check_conditions(
    get: impl Fn(&str) -> Option<String>,
    meta: &ObjectMeta,
    names: [&str; 4],
    not_modified_is_412: bool,
) -> Result<Condition, ApiError> {
    let failed = || ApiError::from_store(StoreError::PreconditionFailed, "", None);
    let [if_match, if_unmodified, if_none_match, if_modified] = names;
    if let Some(v) = get(if_match) {
        if !etag_matches(&v, &meta.etag) {
            return Err(failed());
        }
    } else if let Some(t) = get(if_unmodified).and_then(|v| parse_http_date(&v)) {
        if meta.last_modified > t {
            return Err(failed());
        }
    }
    let not_modified = if let Some(v) = get(if_none_match) {
        etag_matches(&v, &meta.etag)
    } else if let Some(t) = get(if_modified).and_then(|v| parse_http_date(&v)) {
        meta.last_modified <= t
    } else {
        false
    };
    if not_modified {
        if not_modified_is_412 {
            return Err(failed());
        }
        return Ok(Condition::NotModified);
    }
    Ok(Condition::Proceed)
}

/// A parsed single `Range: bytes=...`; `None` when absent or not a single byte range (OSS then returns
/// the whole object).
fn parse_range(v: &str, size: u64) -> Result<Option<(u64, u64)>, ApiError> {
    let Some(spec) = v.trim().strip_prefix("bytes=") else {
        return Ok(None);
    };
    if spec.contains(',') {
        return Ok(None);
    }
    let Some((a, b)) = spec.split_once('-') else {
        return Ok(None);
    };
    let (a, b) = (a.trim(), b.trim());
    let unsatisfiable = || {
        ApiError::new(
            StatusCode::RANGE_NOT_SATISFIABLE,
            "InvalidRange",
            "The requested range cannot be satisfied",
        )
    };
    match (a.parse::<u64>().ok(), b.parse::<u64>().ok()) {
        (Some(first), Some(last)) if first <= last => {
            if first >= size {
                return Err(unsatisfiable());
            }
            Ok(Some((first, last.min(size - 1) + 1)))
        }
        (Some(first), None) if b.is_empty() => {
            if first >= size {
                return Err(unsatisfiable());
            }
            Ok(Some((first, size)))
        }
        (None, Some(n)) if a.is_empty() => {
            if n == 0 || size == 0 {
                return Err(unsatisfiable());
            }
            Ok(Some((size - n.min(size), size)))
        }
        _ => Ok(None),
    }
}

/// The headers of an object on GET and HEAD.
fn object_headers(resp: &mut Response<Body>, meta: &ObjectMeta) {
    service::set_header(resp, "content-type", &meta.content_type);
    service::set_header(resp, "etag", &quoted(&meta.etag));
    service::set_header(resp, "last-modified", &http_date(meta.last_modified));
    service::set_header(resp, "accept-ranges", "bytes");
    service::set_header(resp, "x-oss-object-type", meta.object_type.as_str());
    service::set_header(resp, "x-oss-storage-class", "Standard");
    service::set_header(resp, "x-oss-hash-crc64ecma", &meta.crc64.to_string());
    if meta.object_type == ObjectType::Appendable {
        service::set_header(resp, "x-oss-next-append-position", &meta.size.to_string());
    }
    for (n, v) in &meta.headers {
        service::set_header(resp, n, v);
    }
    for (n, v) in &meta.user_meta {
        service::set_header(resp, &format!("x-oss-meta-{n}"), v);
    }
    for (n, v) in sse::response_headers(meta.encryption.as_ref()) {
        service::set_header(resp, n, &v);
    }
}

fn lookup(ctx: &Ctx) -> Result<Arc<ObjectRef>, ApiError> {
    ctx.state
        .store
        .get(ctx.bucket(), ctx.key())
        .map_err(|e| ctx.store_error(e))
}

pub async fn get_object(ctx: &Ctx, head: bool) -> Result<Response<Body>, ApiError> {
    sse::request_sse(ctx.op, &ctx.header_pairs)?;
    let obj = lookup(ctx)?;
    let meta = &obj.meta;
    let cond = check_conditions(
        |n| ctx.header(n).map(str::to_owned),
        meta,
        [
            "if-match",
            "if-unmodified-since",
            "if-none-match",
            "if-modified-since",
        ],
        false,
    )?;
    if let Condition::NotModified = cond {
        let mut resp = service::empty(StatusCode::NOT_MODIFIED);
        resp.headers_mut().remove(http::header::CONTENT_LENGTH);
        service::set_header(&mut resp, "etag", &quoted(&meta.etag));
        service::set_header(&mut resp, "last-modified", &http_date(meta.last_modified));
        return Ok(resp);
    }
    let range = match ctx.header("range") {
        Some(r) => parse_range(r, meta.size)?,
        None => None,
    };
    let (start, end) = range.unwrap_or((0, meta.size));
    let mut resp = if head {
        Response::new(body::empty())
    } else {
        match meta.encryption.is_some() {
            false => Response::new(body::stream_reader(obj.reader(start, end))),
            true => {
                // One blocking step opens the object (KMS Decrypt, header verification) and reads and
                // authenticates the first chunk before any header goes out, so damage there is a
                // proper 500; later damage aborts the connection. A body that fits in that chunk is
                // sent as it is.
                let kms = ctx.state.kms.clone();
                let (b, o) = (ctx.bucket().to_owned(), obj.clone());
                let (first, rest) = tokio::task::spawn_blocking(move || {
                    let opened = encryption::open_object(kms.as_ref(), &b, &o.meta)?;
                    let mut reader = object_reader(&b, &o, opened.as_ref(), start, end)?;
                    let first = body::fill_chunk(&mut reader)
                        .map_err(|e| encryption::integrity_error(&b, &o.meta.key, e))?;
                    let done = first.len() as u64 >= end - start;
                    Ok::<_, ApiError>((first, (!done).then_some(reader)))
                })
                .await
                .map_err(|_| ApiError::internal())??;
                match rest {
                    None => Response::new(body::full(first)),
                    Some(reader) => Response::new(body::stream_prefetched(first.into(), reader)),
                }
            }
        }
    };
    object_headers(&mut resp, meta);
    service::set_header(&mut resp, "content-length", &(end - start).to_string());
    if range.is_some() {
        *resp.status_mut() = StatusCode::PARTIAL_CONTENT;
        service::set_header(
            &mut resp,
            "content-range",
            &format!("bytes {}-{}/{}", start, end.saturating_sub(1), meta.size),
        );
    }
    if !head {
        for (param, header) in [
            ("response-content-type", "content-type"),
            ("response-content-language", "content-language"),
            ("response-expires", "expires"),
            ("response-cache-control", "cache-control"),
            ("response-content-disposition", "content-disposition"),
            ("response-content-encoding", "content-encoding"),
        ] {
            if let Some(v) = ctx.target.value(param) {
                service::set_header(&mut resp, header, v);
            }
        }
    }
    Ok(resp)
}

pub async fn get_object_meta(ctx: &Ctx) -> Result<Response<Body>, ApiError> {
    let obj = lookup(ctx)?;
    let meta = &obj.meta;
    let mut resp = Response::new(body::empty());
    service::set_header(&mut resp, "content-length", &meta.size.to_string());
    service::set_header(&mut resp, "etag", &quoted(&meta.etag));
    service::set_header(&mut resp, "last-modified", &http_date(meta.last_modified));
    service::set_header(&mut resp, "x-oss-hash-crc64ecma", &meta.crc64.to_string());
    Ok(resp)
}

pub async fn delete_object(ctx: &Ctx) -> Result<Response<Body>, ApiError> {
    let (bucket, key) = (ctx.bucket().to_owned(), ctx.key().to_owned());
    ctx.store(move |s| s.delete(&bucket, &key)).await?;
    Ok(service::empty(StatusCode::NO_CONTENT))
}

/// Parses `x-oss-copy-source` (`/bucket/key`, URL-encoded) into bucket and key.
fn copy_source(ctx: &Ctx) -> Result<(String, String), ApiError> {
    let raw = ctx.header("x-oss-copy-source").unwrap_or("");
    let raw = raw.split_once('?').map(|(p, _)| p).unwrap_or(raw);
    let decoded = oss_sse_core::encoding::percent_decode(raw).map_err(|_| {
        ApiError::invalid_argument(
            "Copy Source must mention the source bucket and key: /sourcebucket/sourcekey.",
        )
    })?;
    let trimmed = decoded.strip_prefix('/').unwrap_or(&decoded);
    let (b, k) = trimmed.split_once('/').ok_or_else(|| {
        ApiError::invalid_argument(
            "Copy Source must mention the source bucket and key: /sourcebucket/sourcekey.",
        )
    })?;
    if !crate::server::route::valid_bucket_name(b) {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "InvalidBucketName",
            "The specified bucket is not valid.",
        )
        .with("BucketName", b));
    }
    check_key(k)?;
    Ok((b.to_owned(), k.to_owned()))
}

pub async fn copy_object(ctx: &Ctx) -> Result<Response<Body>, ApiError> {
    let sse_req = sse::request_sse(ctx.op, &ctx.header_pairs)?;
    let (src_bucket, src_key) = copy_source(ctx)?;
    auth::authorize_action(
        &ctx.principal,
        "oss:GetObject",
        &ctx.resource(&src_bucket, Some(&src_key)),
    )?;
    let src = ctx
        .state
        .store
        .get(&src_bucket, &src_key)
        .map_err(|e| ApiError::from_store(e, &src_bucket, Some(&src_key)))?;
    check_conditions(
        |n| ctx.header(n).map(str::to_owned),
        &src.meta,
        [
            "x-oss-copy-source-if-match",
            "x-oss-copy-source-if-unmodified-since",
            "x-oss-copy-source-if-none-match",
            "x-oss-copy-source-if-modified-since",
        ],
        true,
    )?;
    let directive = ctx.header("x-oss-metadata-directive").unwrap_or("COPY");
    let meta_in = match directive {
        "COPY" => WriteMeta {
            content_type: src.meta.content_type.clone(),
            headers: src.meta.headers.clone(),
            user_meta: src.meta.user_meta.clone(),
        },
        "REPLACE" => write_meta(&ctx.headers)?,
        other => {
            return Err(ApiError::invalid_argument(format!(
                "Unknown metadata directive {other}; use COPY or REPLACE."
            ))
            .with("ArgumentName", "x-oss-metadata-directive"))
        }
    };
    let dest_bucket = ctx
        .state
        .store
        .bucket(ctx.bucket())
        .map_err(|e| ctx.store_error(e))?;
    let desc = sse::resolve(sse_req.as_ref(), dest_bucket.meta().encryption.as_ref());
    // The KMS key is resolved (alias to id, 404 KeyNotFound) by GenerateDataKey in `write_key`.
    let mut desc = desc;
    if forbid_overwrite(ctx) && ctx.state.store.get(ctx.bucket(), ctx.key()).is_ok() {
        return Err(exists_error(ctx, file_already_exists()));
    }
    let opened = open_for_read(ctx, &src_bucket, &src).await?;
    let mut reader = object_reader(&src_bucket, &src, opened.as_ref(), 0, u64::MAX)?;
    let wk = write_key(ctx, &mut desc, ctx.bucket(), ctx.key()).await?;
    let sealer = wk.as_ref().map(WriteKey::object_sealer).transpose()?;
    let mut writer = new_writer(ctx, sealer).await?;
    let copied = tokio::task::spawn_blocking(move || {
        let mut buf = vec![0u8; 1024 * 1024];
        loop {
            let n = reader.read(&mut buf)?;
            if n == 0 {
                break;
            }
            writer.write(&buf[..n])?;
        }
        writer.finish()
    })
    .await
    .map_err(|_| ApiError::internal())?
    .map_err(|e| {
        tracing::error!(error = %e, "copying object");
        if oss_sse_seal::SealError::from_io(&e).is_some() {
            encryption::integrity_error(&src_bucket, &src_key, e)
        } else {
            ApiError::internal()
        }
    })?;
    let committed = commit_single(ctx, desc, wk, &copied, meta_in).await?;
    let mut w = XmlWriter::new();
    w.open("CopyObjectResult")
        .elem("ETag", &quoted(&committed.meta.etag))
        .elem("LastModified", &iso8601(committed.meta.last_modified));
    let mut resp = service::xml(w.finish());
    service::set_header(
        &mut resp,
        "x-oss-hash-crc64ecma",
        &committed.meta.crc64.to_string(),
    );
    for (n, v) in sse::response_headers(committed.meta.encryption.as_ref()) {
        service::set_header(&mut resp, n, &v);
    }
    Ok(resp)
}

pub async fn append_object(ctx: &Ctx, body: &mut Incoming) -> Result<Response<Body>, ApiError> {
    let sse_req = sse::request_sse(ctx.op, &ctx.header_pairs)?;
    let position: u64 = ctx
        .target
        .value("position")
        .and_then(|p| p.parse().ok())
        .ok_or_else(|| {
            ApiError::invalid_argument("Position must be a non-negative integer.")
                .with("ArgumentName", "position")
        })?;
    let meta_in = write_meta(&ctx.headers)?;
    let declared = content_length(ctx)?;
    let md5 = content_md5(ctx)?;
    let bucket = ctx
        .state
        .store
        .bucket(ctx.bucket())
        .map_err(|e| ctx.store_error(e))?;
    // Fail fast before reading the body; the commit checks again under the key's lock.
    let existing = ctx.state.store.get(ctx.bucket(), ctx.key()).ok();
    // The sealer of this append's extent, and how the header is built once it is written: the first
    // append fixes the object's method, key and generation; later ones extend the opened object.
    let mut first_key: Option<WriteKey> = None;
    let mut opened: Option<oss_sse_seal::OpenedObject> = None;
    let mut desc = match &existing {
        Some(o) => {
            if o.meta.object_type != ObjectType::Appendable {
                return Err(ctx.store_error(StoreError::ObjectNotAppendable));
            }
            if o.meta.size != position {
                return Err(
                    ctx.store_error(StoreError::PositionNotEqualToLength { next: o.meta.size })
                );
            }
            opened = open_for_read(ctx, ctx.bucket(), o).await?;
            o.meta.encryption.clone()
        }
        None => {
            if position != 0 {
                return Err(ctx.store_error(StoreError::PositionNotEqualToLength { next: 0 }));
            }
            let d = sse::resolve(sse_req.as_ref(), bucket.meta().encryption.as_ref());
            let mut d = d;
            first_key = write_key(ctx, &mut d, ctx.bucket(), ctx.key()).await?;
            d
        }
    };
    let opened_header = existing
        .as_ref()
        .and_then(|o| o.meta.encryption.as_ref())
        .and_then(|d| d.header.clone());
    drop(existing);
    let rng = ring::rand::SystemRandom::new();
    let sealer = match (&first_key, &opened) {
        (Some(wk), _) => Some(
            oss_sse_seal::StreamSealer::extent(&rng, &wk.key, &wk.id, wk.config, 0)
                .map_err(|_| ApiError::internal())?,
        ),
        (None, Some(o)) => Some(o.next_extent_sealer(&rng).map_err(|e| {
            ApiError::invalid_argument(format!("The object cannot be appended to: {e}"))
        })?),
        (None, None) => None,
    };
    let writer = new_writer(ctx, sealer).await?;
    let limits = &ctx.state.limits;
    let room = limits.max_object_size.saturating_sub(position);
    let seg = body::receive_into(body, writer, declared, room, limits.body_idle_timeout).await?;
    check_md5(md5, &seg.md5).inspect_err(|_| discard(ctx, &seg.segment.blob))?;
    if let (Some(d), Some(wk), Some(record)) = (desc.as_mut(), &first_key, &seg.record) {
        let header = oss_sse_seal::Header::appendable(&wk.key, &wk.id, record, wk.envelope.clone())
            .map_err(|_| ApiError::internal())
            .inspect_err(|_| discard(ctx, &seg.segment.blob))?;
        d.header = Some(encryption::encode_header(&header));
    }
    drop(first_key);
    let next_header = match (&opened, &seg.record) {
        (Some(o), Some(record)) => Some(
            o.append(record)
                .map_err(|_| ApiError::internal())
                .inspect_err(|_| discard(ctx, &seg.segment.blob))?,
        ),
        _ => None,
    };
    drop(opened);
    let (bucket_name, key) = (ctx.bucket().to_owned(), ctx.key().to_owned());
    let now = ctx.now.unix();
    let store = ctx.state.store.clone();
    let seg2 = seg.clone();
    let committed = tokio::task::spawn_blocking(move || {
        store.commit(&bucket_name, &key, |current| match current {
            Some(cur) => {
                if cur.object_type != ObjectType::Appendable {
                    return Err(StoreError::ObjectNotAppendable);
                }
                if cur.size != position {
                    return Err(StoreError::PositionNotEqualToLength { next: cur.size });
                }
                if cur.encryption.as_ref().and_then(|d| d.header.clone()) != opened_header {
                    // Another append won the race: the extent was sealed for the older state.
                    return Err(StoreError::PositionNotEqualToLength { next: cur.size });
                }
                let mut next = cur.clone();
                if let (Some(d), Some(h)) = (next.encryption.as_mut(), &next_header) {
                    d.header = Some(encryption::encode_header(h));
                }
                // Appendable objects do not have an MD5 ETag (OSS neither): chain the previous ETag with
                // this append's MD5, so every distinct content history gets a distinct ETag.
                let mut h = Md5::new();
                h.update(cur.etag.as_bytes());
                h.update(seg2.md5);
                next.etag = ids::hex_upper(&h.finalize());
                next.crc64 = crc64::combine(cur.crc64, seg2.crc64, seg2.segment.len);
                next.size += seg2.segment.len;
                next.last_modified = now;
                next.segments.push(seg2.segment.clone());
                Ok(next)
            }
            None => {
                if position != 0 {
                    return Err(StoreError::PositionNotEqualToLength { next: 0 });
                }
                Ok(ObjectMeta {
                    key: key.clone(),
                    size: seg2.segment.len,
                    etag: ids::hex_upper(&seg2.md5),
                    crc64: seg2.crc64,
                    last_modified: now,
                    content_type: meta_in.content_type,
                    headers: meta_in.headers,
                    user_meta: meta_in.user_meta,
                    object_type: ObjectType::Appendable,
                    segments: vec![seg2.segment.clone()],
                    encryption: desc,
                })
            }
        })
    })
    .await
    .map_err(|_| ApiError::internal())?
    .map_err(|e| {
        discard(ctx, &seg.segment.blob);
        ctx.store_error(e)
    })?;
    let mut resp = service::empty(StatusCode::OK);
    write_response(&mut resp, &committed.meta);
    service::set_header(
        &mut resp,
        "x-oss-next-append-position",
        &committed.meta.size.to_string(),
    );
    Ok(resp)
}
