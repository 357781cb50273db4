//! Multipart uploads: Initiate, UploadPart, Complete, Abort, ListParts, ListMultipartUploads.

use http::{Response, StatusCode};
use hyper::body::Incoming;

use base64::Engine as _;

use super::object::{new_writer, write_key, write_meta};
use super::{
    check_md5, content_length, content_md5, enc, int_param, iso8601, quoted, url_encoded, xml_body,
};
use crate::encryption;
use crate::error::ApiError;
use crate::ids;
use crate::server::body::{self, Body};
use crate::server::service::{self, Ctx};
use crate::server::sse;
use crate::storage::meta::{PartMeta, UploadMeta};
use crate::storage::StoreError;
use crate::xml::{self, XmlWriter};

/// Part numbers OSS accepts.
const PART_NUMBERS: std::ops::RangeInclusive<u64> = 1..=10_000;

fn upload_id(ctx: &Ctx) -> Result<String, ApiError> {
    let id = ctx.target.value("uploadId").unwrap_or("");
    // Ids are ours (32 upper-case hex); anything else cannot name an upload and never reaches a path.
    if ids::is_upper_hex(id, 32) {
        Ok(id.to_owned())
    } else {
        Err(ctx.store_error(StoreError::NoSuchUpload))
    }
}

pub async fn initiate(ctx: &Ctx) -> Result<Response<Body>, ApiError> {
    let sse_req = sse::request_sse(ctx.op, &ctx.header_pairs)?;
    let meta_in = write_meta(&ctx.headers)?;
    let bucket = ctx
        .state
        .store
        .bucket(ctx.bucket())
        .map_err(|e| ctx.store_error(e))?;
    let desc = sse::resolve(sse_req.as_ref(), bucket.meta().encryption.as_ref());
    let mut desc = desc;
    // The data key and generation are fixed now: every part is sealed under them.
    let wk = write_key(ctx, &mut desc, ctx.bucket(), ctx.key()).await?;
    if let (Some(d), Some(wk)) = (desc.as_mut(), &wk) {
        d.wrapped_key =
            Some(base64::engine::general_purpose::STANDARD.encode(&wk.envelope.wrapped_key));
        d.wrapping_key_id = Some(wk.envelope.kms_key_id.clone());
        d.wrapping_key_version = Some(wk.envelope.kms_key_version.clone());
    }
    drop(wk);
    let id = ids::upload_id();
    let record = UploadMeta {
        upload_id: id.clone(),
        key: ctx.key().to_owned(),
        initiated: ctx.now.unix(),
        content_type: meta_in.content_type,
        headers: meta_in.headers,
        user_meta: meta_in.user_meta,
        encryption: desc.clone(),
    };
    let name = ctx.bucket().to_owned();
    ctx.store(move |s| s.create_upload(&name, record)).await?;
    let url = url_encoded(ctx);
    let mut w = XmlWriter::new();
    w.open("InitiateMultipartUploadResult");
    if url {
        w.elem("EncodingType", "url");
    }
    w.elem("Bucket", ctx.bucket())
        .elem("Key", &enc(ctx.key(), url))
        .elem("UploadId", &id);
    let mut resp = service::xml(w.finish());
    for (n, v) in sse::response_headers(desc.as_ref()) {
        service::set_header(&mut resp, n, &v);
    }
    Ok(resp)
}

pub async fn upload_part(ctx: &Ctx, body: &mut Incoming) -> Result<Response<Body>, ApiError> {
    sse::request_sse(ctx.op, &ctx.header_pairs)?;
    let number = match ctx.target.value("partNumber").map(str::parse::<u64>) {
        Some(Ok(n)) if PART_NUMBERS.contains(&n) => n as u32,
        _ => {
            return Err(ApiError::invalid_argument(
                "Part number must be an integer between 1 and 10000, inclusive.",
            )
            .with("ArgumentName", "partNumber")
            .with(
                "ArgumentValue",
                ctx.target.value("partNumber").unwrap_or(""),
            ))
        }
    };
    let id = upload_id(ctx)?;
    let declared = content_length(ctx)?;
    let md5 = content_md5(ctx)?;
    let (b, k, i) = (ctx.bucket().to_owned(), ctx.key().to_owned(), id.clone());
    let upload = ctx.store(move |s| s.upload_meta(&b, &k, &i)).await?;
    let sealer = match upload.encryption.as_ref() {
        Some(d) if d.wrapped_key.is_some() => {
            let key = upload_key(ctx, d).await?;
            let oid = oss_sse_seal::ObjectId::new(ctx.bucket(), ctx.key(), d.generation);
            Some(
                oss_sse_seal::StreamSealer::part(
                    &ring::rand::SystemRandom::new(),
                    &key,
                    &oid,
                    encryption::config_for(d),
                    &id,
                    number,
                )
                .map_err(|_| ApiError::internal())?,
            )
        }
        _ => None,
    };
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
    if let Err(e) = check_md5(md5, &seg.md5) {
        if let Ok(b) = ctx.state.store.bucket(ctx.bucket()) {
            b.discard_blob(&seg.segment.blob);
        }
        return Err(e);
    }
    let part = PartMeta {
        number,
        etag: ids::hex_upper(&seg.md5),
        crc64: seg.crc64,
        last_modified: ctx.now.unix(),
        segment: seg.segment,
    };
    let etag = part.etag.clone();
    let crc = part.crc64;
    let (b, k) = (ctx.bucket().to_owned(), ctx.key().to_owned());
    ctx.store(move |s| s.put_part(&b, &k, &id, part)).await?;
    let mut resp = service::empty(StatusCode::OK);
    service::set_header(&mut resp, "etag", &quoted(&etag));
    service::set_header(&mut resp, "x-oss-hash-crc64ecma", &crc.to_string());
    for (n, v) in sse::response_headers(upload.encryption.as_ref()) {
        service::set_header(&mut resp, n, &v);
    }
    Ok(resp)
}

/// Unwraps an upload's data key (blocking thread).
async fn upload_key(
    ctx: &Ctx,
    d: &crate::storage::meta::EncryptionDescriptor,
) -> Result<oss_sse_seal::DataKey, ApiError> {
    let wrapped = d
        .wrapped_key
        .as_deref()
        .and_then(|w| base64::engine::general_purpose::STANDARD.decode(w).ok())
        .ok_or_else(|| {
            encryption::integrity_error(
                ctx.bucket(),
                ctx.key(),
                "the upload's wrapped key is damaged",
            )
        })?;
    let kms = ctx.state.kms.clone();
    let (b, k) = (ctx.bucket().to_owned(), ctx.key().to_owned());
    tokio::task::spawn_blocking(move || encryption::unwrap_key(kms.as_ref(), &wrapped, &b, &k))
        .await
        .map_err(|_| ApiError::internal())?
}

pub async fn complete(ctx: &Ctx, body: &mut Incoming) -> Result<Response<Body>, ApiError> {
    sse::request_sse(ctx.op, &ctx.header_pairs)?;
    let id = upload_id(ctx)?;
    let complete_all = ctx
        .header("x-oss-complete-all")
        .is_some_and(|v| v.eq_ignore_ascii_case("yes"));
    let data = xml_body(ctx, body).await?;
    let list: Vec<(u32, String)> = if complete_all {
        if !data.iter().all(u8::is_ascii_whitespace) {
            return Err(ApiError::invalid_argument(
                "x-oss-complete-all: yes does not take a part list.",
            ));
        }
        let (b, k, i) = (ctx.bucket().to_owned(), ctx.key().to_owned(), id.clone());
        let (_, parts) = ctx.store(move |s| s.list_parts(&b, &k, &i)).await?;
        parts.into_iter().map(|p| (p.number, p.etag)).collect()
    } else {
        let root = xml::parse(&data).map_err(|_| ApiError::malformed_xml())?;
        if root.name != "CompleteMultipartUpload" {
            return Err(ApiError::malformed_xml());
        }
        let mut list = Vec::new();
        for p in root.children_named("Part") {
            let n = p
                .child_text("PartNumber")
                .and_then(|n| n.parse::<u64>().ok())
                .filter(|n| PART_NUMBERS.contains(n))
                .ok_or_else(ApiError::malformed_xml)?;
            let etag = p.child_text("ETag").ok_or_else(ApiError::malformed_xml)?;
            list.push((n as u32, etag.to_owned()));
        }
        if list.is_empty() || list.len() > 10_000 {
            return Err(ApiError::malformed_xml());
        }
        list
    };
    let forbid = ctx
        .header("x-oss-forbid-overwrite")
        .is_some_and(|v| v.eq_ignore_ascii_case("true"));
    let (b, k, now) = (
        ctx.bucket().to_owned(),
        ctx.key().to_owned(),
        ctx.now.unix(),
    );
    let (b2, k2, i2) = (b.clone(), k.clone(), id.clone());
    let upload = ctx.store(move |s| s.upload_meta(&b2, &k2, &i2)).await?;
    let sealed = match upload.encryption.as_ref() {
        Some(d) if d.wrapped_key.is_some() => Some((upload_key(ctx, d).await?, d.clone())),
        _ => None,
    };
    let committed = ctx
        .store(move |s| {
            s.complete_upload(&b, &k, &id, &list, now, |current, mut record| {
                if forbid && current.is_some() {
                    return Err(StoreError::PreconditionFailed);
                }
                if let Some((key, d)) = &sealed {
                    seal_completed(&b, key, d, &id, &mut record)?;
                }
                Ok(record)
            })
        })
        .await
        .map_err(|e| {
            if forbid && e.code == "PreconditionFailed" {
                ApiError::new(
                    StatusCode::CONFLICT,
                    "FileAlreadyExists",
                    "The object you specified already exists and can not be overwritten.",
                )
            } else {
                e
            }
        })?;
    let url = url_encoded(ctx);
    let mut w = XmlWriter::new();
    w.open("CompleteMultipartUploadResult");
    if url {
        w.elem("EncodingType", "url");
    }
    w.elem(
        "Location",
        &format!(
            "http://{}/{}/{}",
            ctx.state.local_addr,
            ctx.bucket(),
            ctx.key()
        ),
    )
    .elem("Bucket", ctx.bucket())
    .elem("Key", &enc(ctx.key(), url))
    .elem("ETag", &quoted(&committed.meta.etag));
    let mut resp = service::xml(w.finish());
    service::set_header(&mut resp, "etag", &quoted(&committed.meta.etag));
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

/// Builds the header of a completed encrypted upload: the listed parts' records, in order, bound into the
/// header's tag; the upload's wrapped key moves into the header's envelope.
fn seal_completed(
    bucket: &str,
    key: &oss_sse_seal::DataKey,
    d: &crate::storage::meta::EncryptionDescriptor,
    upload_id: &str,
    record: &mut crate::storage::meta::ObjectMeta,
) -> Result<(), StoreError> {
    let bad = |reason: String| {
        tracing::error!(bucket, key = %record.key, %reason, "completing an encrypted upload");
        StoreError::Io(std::io::Error::other(reason))
    };
    let mut records = Vec::with_capacity(record.segments.len());
    for seg in &record.segments {
        records.push(encryption::segment_record(seg).map_err(|e| bad(e.to_string()))?);
    }
    let wrapped = d
        .wrapped_key
        .as_deref()
        .and_then(|w| base64::engine::general_purpose::STANDARD.decode(w).ok())
        .ok_or_else(|| bad("the upload's wrapped key is damaged".to_owned()))?;
    let envelope = oss_sse_seal::Envelope {
        wrapped_key: wrapped,
        kms_key_id: d.wrapping_key_id.clone().unwrap_or_default(),
        kms_key_version: d.wrapping_key_version.clone().unwrap_or_default(),
    };
    let oid = oss_sse_seal::ObjectId::new(bucket, record.key.as_str(), d.generation);
    let header = oss_sse_seal::Header::multipart(key, &oid, upload_id, &records, envelope)
        .map_err(|e| bad(e.to_string()))?;
    let mut desc = d.clone();
    desc.header = Some(encryption::encode_header(&header));
    desc.wrapped_key = None;
    desc.wrapping_key_id = None;
    desc.wrapping_key_version = None;
    record.encryption = Some(desc);
    Ok(())
}

pub async fn abort(ctx: &Ctx) -> Result<Response<Body>, ApiError> {
    sse::request_sse(ctx.op, &ctx.header_pairs)?;
    let id = upload_id(ctx)?;
    let (b, k) = (ctx.bucket().to_owned(), ctx.key().to_owned());
    ctx.store(move |s| s.abort_upload(&b, &k, &id)).await?;
    Ok(service::empty(StatusCode::NO_CONTENT))
}

pub async fn list_parts(ctx: &Ctx) -> Result<Response<Body>, ApiError> {
    sse::request_sse(ctx.op, &ctx.header_pairs)?;
    let id = upload_id(ctx)?;
    let max = int_param(ctx, "max-parts", 1000, 1..=1000)? as usize;
    let marker = int_param(ctx, "part-number-marker", 0, 0..=10_000)? as u32;
    let (b, k, i) = (ctx.bucket().to_owned(), ctx.key().to_owned(), id.clone());
    let (upload, parts) = ctx.store(move |s| s.list_parts(&b, &k, &i)).await?;
    let after: Vec<&PartMeta> = parts.iter().filter(|p| p.number > marker).collect();
    let truncated = after.len() > max;
    let shown = &after[..after.len().min(max)];
    let url = url_encoded(ctx);
    let mut w = XmlWriter::new();
    w.open("ListPartsResult");
    if url {
        w.elem("EncodingType", "url");
    }
    w.elem("Bucket", ctx.bucket())
        .elem("Key", &enc(ctx.key(), url))
        .elem("UploadId", &id)
        .elem("PartNumberMarker", &marker.to_string())
        .elem(
            "NextPartNumberMarker",
            &shown.last().map(|p| p.number).unwrap_or(marker).to_string(),
        )
        .elem("MaxParts", &max.to_string())
        .elem("IsTruncated", if truncated { "true" } else { "false" });
    for p in shown {
        w.open("Part")
            .elem("PartNumber", &p.number.to_string())
            .elem("LastModified", &iso8601(p.last_modified))
            .elem("ETag", &quoted(&p.etag))
            .elem("HashCrc64ecma", &p.crc64.to_string())
            .elem("Size", &p.segment.len.to_string())
            .close();
    }
    let mut resp = service::xml(w.finish());
    for (n, v) in sse::response_headers(upload.encryption.as_ref()) {
        service::set_header(&mut resp, n, &v);
    }
    Ok(resp)
}

pub async fn list_uploads(ctx: &Ctx) -> Result<Response<Body>, ApiError> {
    let prefix = ctx.target.value("prefix").unwrap_or("").to_owned();
    let delimiter = ctx.target.value("delimiter").unwrap_or("").to_owned();
    let key_marker = ctx.target.value("key-marker").unwrap_or("").to_owned();
    let id_marker = ctx
        .target
        .value("upload-id-marker")
        .unwrap_or("")
        .to_owned();
    let max = int_param(ctx, "max-uploads", 1000, 1..=1000)? as usize;
    let name = ctx.bucket().to_owned();
    let uploads = ctx.store(move |s| s.list_uploads(&name)).await?;
    let url = url_encoded(ctx);
    // Resume after (key-marker, upload-id-marker); without an id marker, after every upload of the key.
    let resumed = uploads.iter().filter(|u| {
        key_marker.is_empty()
            || u.key > key_marker
            || (u.key == key_marker && !id_marker.is_empty() && u.upload_id > id_marker)
    });
    let mut items: Vec<&UploadMeta> = Vec::new();
    let mut prefixes: Vec<String> = Vec::new();
    let mut truncated = false;
    let mut next: Option<(String, String)> = None;
    for u in resumed {
        if !u.key.starts_with(&prefix) {
            continue;
        }
        let rolled = if delimiter.is_empty() {
            None
        } else {
            u.key[prefix.len()..]
                .find(&delimiter)
                .map(|i| u.key[..prefix.len() + i + delimiter.len()].to_owned())
        };
        if let Some(cp) = &rolled {
            if prefixes.last() == Some(cp) {
                continue;
            }
        }
        if items.len() + prefixes.len() == max {
            truncated = true;
            break;
        }
        match rolled {
            Some(cp) => {
                next = Some((cp.clone(), String::new()));
                prefixes.push(cp);
            }
            None => {
                next = Some((u.key.clone(), u.upload_id.clone()));
                items.push(u);
            }
        }
    }
    let mut w = XmlWriter::new();
    w.open("ListMultipartUploadsResult");
    if url {
        w.elem("EncodingType", "url");
    }
    w.elem("Bucket", ctx.bucket())
        .elem(
            "KeyMarker",
            &enc(ctx.target.value("key-marker").unwrap_or(""), url),
        )
        .elem(
            "UploadIdMarker",
            ctx.target.value("upload-id-marker").unwrap_or(""),
        );
    let (nk, ni) = if truncated {
        next.unwrap_or_default()
    } else {
        Default::default()
    };
    w.elem("NextKeyMarker", &enc(&nk, url))
        .elem("NextUploadIdMarker", &ni)
        .elem("Delimiter", &enc(&delimiter, url))
        .elem("Prefix", &enc(&prefix, url))
        .elem("MaxUploads", &max.to_string())
        .elem("IsTruncated", if truncated { "true" } else { "false" });
    for u in items {
        w.open("Upload")
            .elem("Key", &enc(&u.key, url))
            .elem("UploadId", &u.upload_id)
            .elem("StorageClass", "Standard")
            .elem("Initiated", &iso8601(u.initiated))
            .close();
    }
    for p in prefixes {
        w.open("CommonPrefixes")
            .elem("Prefix", &enc(&p, url))
            .close();
    }
    Ok(service::xml(w.finish()))
}
