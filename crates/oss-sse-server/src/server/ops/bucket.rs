//! Bucket operations: ListBuckets, Put/DeleteBucket, GetBucketInfo, GetBucketLocation, the bucket
//! encryption API, ListObjects (V1 and V2) and DeleteMultipleObjects.

use base64::Engine as _;
use http::{Response, StatusCode};
use hyper::body::Incoming;

use super::{enc, endpoint_host, int_param, iso8601, quoted, url_encoded, xml_body};
use crate::error::ApiError;
use crate::server::auth;
use crate::server::body::Body;
use crate::server::route::check_key;
use crate::server::service::{self, Ctx};
use crate::server::sse;
use crate::storage::list::Entry;
use crate::storage::meta::BucketMeta;
use crate::xml::{self, XmlWriter};

fn owner(w: &mut XmlWriter, ctx: &Ctx) {
    let id = ctx.state.directory.account_id().to_owned();
    w.open("Owner")
        .elem("ID", &id)
        .elem("DisplayName", &id)
        .close();
}

fn location(ctx: &Ctx) -> String {
    format!("oss-{}", ctx.state.region)
}

pub async fn list_buckets(ctx: &Ctx) -> Result<Response<Body>, ApiError> {
    let prefix = ctx.target.value("prefix").unwrap_or("").to_owned();
    let marker = ctx.target.value("marker").unwrap_or("").to_owned();
    let max = int_param(ctx, "max-keys", 1000, 1..=1000)? as usize;
    let all = ctx.state.store.list_buckets();
    let matching: Vec<&BucketMeta> = all
        .iter()
        .filter(|b| b.name.starts_with(&prefix) && b.name.as_str() > marker.as_str())
        .collect();
    let truncated = matching.len() > max;
    let shown = &matching[..matching.len().min(max)];
    let mut w = XmlWriter::new();
    w.open("ListAllMyBucketsResult");
    if !prefix.is_empty() {
        w.elem("Prefix", &prefix);
    }
    if !marker.is_empty() {
        w.elem("Marker", &marker);
    }
    if truncated {
        w.elem("MaxKeys", &max.to_string())
            .elem("IsTruncated", "true")
            .elem(
                "NextMarker",
                shown.last().map(|b| b.name.as_str()).unwrap_or(""),
            );
    }
    owner(&mut w, ctx);
    w.open("Buckets");
    let host = endpoint_host(ctx);
    for b in shown {
        w.open("Bucket")
            .elem("CreationDate", &iso8601(b.created))
            .elem("ExtranetEndpoint", &host)
            .elem("IntranetEndpoint", &host)
            .elem("Location", &format!("oss-{}", b.region))
            .elem("Name", &b.name)
            .elem("Region", &b.region)
            .elem("StorageClass", &b.storage_class)
            .close();
    }
    Ok(service::xml(w.finish()))
}

pub async fn put_bucket(ctx: &Ctx, body: &mut Incoming) -> Result<Response<Body>, ApiError> {
    let data = xml_body(ctx, body).await?;
    let mut storage_class = "Standard".to_owned();
    if !data.iter().all(u8::is_ascii_whitespace) {
        let root = xml::parse(&data).map_err(|_| ApiError::malformed_xml())?;
        if root.name != "CreateBucketConfiguration" {
            return Err(ApiError::malformed_xml());
        }
        if let Some(sc) = root.child_text("StorageClass") {
            match sc {
                "Standard" | "IA" | "Archive" | "ColdArchive" | "DeepColdArchive" => {
                    storage_class = sc.to_owned()
                }
                _ => {
                    return Err(ApiError::invalid_argument(format!(
                        "Unsupported storage class {sc}."
                    )))
                }
            }
        }
    }
    let acl = match ctx.header("x-oss-acl") {
        None => "private".to_owned(),
        Some(a @ ("private" | "public-read" | "public-read-write")) => a.to_owned(),
        Some(other) => {
            return Err(ApiError::invalid_argument(format!(
                "no such bucket access control exists: {other}"
            )))
        }
    };
    let meta = BucketMeta {
        name: ctx.bucket().to_owned(),
        created: ctx.now.unix(),
        region: ctx.state.region.clone(),
        storage_class,
        acl,
        encryption: None,
    };
    ctx.store(move |s| s.create_bucket(meta)).await?;
    let mut r = service::empty(StatusCode::OK);
    service::set_header(&mut r, "location", &format!("/{}", ctx.bucket()));
    Ok(r)
}

pub async fn delete_bucket(ctx: &Ctx) -> Result<Response<Body>, ApiError> {
    let name = ctx.bucket().to_owned();
    ctx.store(move |s| s.delete_bucket(&name)).await?;
    Ok(service::empty(StatusCode::NO_CONTENT))
}

fn bucket_meta(ctx: &Ctx) -> Result<BucketMeta, ApiError> {
    ctx.state
        .store
        .bucket(ctx.bucket())
        .map(|b| b.meta())
        .map_err(|e| ctx.store_error(e))
}

pub async fn get_bucket_info(ctx: &Ctx) -> Result<Response<Body>, ApiError> {
    let b = bucket_meta(ctx)?;
    let host = endpoint_host(ctx);
    let mut w = XmlWriter::new();
    w.open("BucketInfo")
        .open("Bucket")
        .elem("AccessMonitor", "Disabled")
        .elem("CreationDate", &iso8601(b.created))
        .elem("ExtranetEndpoint", &host)
        .elem("IntranetEndpoint", &host)
        .elem("Location", &format!("oss-{}", b.region))
        .elem("StorageClass", &b.storage_class)
        .elem("TransferAcceleration", "Disabled")
        .elem("CrossRegionReplication", "Disabled")
        .elem("DataRedundancyType", "LRS")
        .elem("Name", &b.name)
        .elem("Region", &b.region);
    owner(&mut w, ctx);
    w.open("AccessControlList").elem("Grant", &b.acl).close();
    w.open("ServerSideEncryptionRule");
    match &b.encryption {
        Some(rule) => {
            w.elem("SSEAlgorithm", &rule.algorithm);
            if rule.algorithm == "KMS" {
                w.elem(
                    "KMSMasterKeyID",
                    rule.kms_master_key_id.as_deref().unwrap_or(""),
                );
                if let Some(d) = &rule.kms_data_encryption {
                    w.elem("KMSDataEncryption", d);
                }
            }
        }
        None => {
            w.elem("SSEAlgorithm", "None");
        }
    }
    w.close();
    w.open("BucketPolicy")
        .elem("LogBucket", "")
        .elem("LogPrefix", "")
        .close();
    Ok(service::xml(w.finish()))
}

pub async fn get_bucket_location(ctx: &Ctx) -> Result<Response<Body>, ApiError> {
    bucket_meta(ctx)?;
    let mut w = XmlWriter::new();
    w.elem("LocationConstraint", &location(ctx));
    Ok(service::xml(w.finish()))
}

pub async fn put_bucket_encryption(
    ctx: &Ctx,
    body: &mut Incoming,
) -> Result<Response<Body>, ApiError> {
    bucket_meta(ctx)?;
    let data = xml_body(ctx, body).await?;
    let rule = sse::parse_bucket_encryption(&data)?;
    let name = ctx.bucket().to_owned();
    ctx.store(move |s| s.update_bucket(&name, |m| m.encryption = Some(rule)))
        .await?;
    Ok(service::empty(StatusCode::OK))
}

pub async fn get_bucket_encryption(ctx: &Ctx) -> Result<Response<Body>, ApiError> {
    let b = bucket_meta(ctx)?;
    match &b.encryption {
        Some(rule) => Ok(service::xml(sse::bucket_encryption_xml(rule)?)),
        None => Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "NoSuchServerSideEncryptionRule",
            "The server side encryption configuration was not found",
        )
        .with("BucketName", ctx.bucket())),
    }
}

pub async fn delete_bucket_encryption(ctx: &Ctx) -> Result<Response<Body>, ApiError> {
    bucket_meta(ctx)?;
    let name = ctx.bucket().to_owned();
    ctx.store(move |s| s.update_bucket(&name, |m| m.encryption = None))
        .await?;
    Ok(service::empty(StatusCode::NO_CONTENT))
}

fn token_encode(key: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(key.as_bytes())
}

fn token_decode(token: &str) -> Result<String, ApiError> {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(token.trim_end_matches('='))
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .ok_or_else(|| {
            ApiError::invalid_argument("The continuation token provided is incorrect")
                .with("ArgumentName", "continuation-token")
        })
}

pub async fn list_objects(ctx: &Ctx, v2: bool) -> Result<Response<Body>, ApiError> {
    let url = url_encoded(ctx);
    if let Some(e) = ctx.target.value("encoding-type") {
        if e != "url" && !e.is_empty() {
            return Err(
                ApiError::invalid_argument("Invalid Encoding Method specified in Request")
                    .with("ArgumentName", "encoding-type")
                    .with("ArgumentValue", e),
            );
        }
    }
    let prefix = ctx.target.value("prefix").unwrap_or("").to_owned();
    let delimiter = ctx.target.value("delimiter").unwrap_or("").to_owned();
    let max = int_param(ctx, "max-keys", 100, 0..=1000)? as usize;
    let (marker, token, start_after) = if v2 {
        let token = ctx
            .target
            .value("continuation-token")
            .filter(|t| !t.is_empty());
        let start_after = ctx.target.value("start-after").filter(|t| !t.is_empty());
        (
            None,
            token.map(str::to_owned),
            start_after.map(str::to_owned),
        )
    } else {
        (
            ctx.target
                .value("marker")
                .filter(|m| !m.is_empty())
                .map(str::to_owned),
            None,
            None,
        )
    };
    let after = match (&token, &start_after, &marker) {
        (Some(t), _, _) => Some(token_decode(t)?),
        (None, Some(s), _) => Some(s.clone()),
        (None, None, Some(m)) => Some(m.clone()),
        _ => None,
    };
    let (bucket, p, d, a) = (
        ctx.bucket().to_owned(),
        prefix.clone(),
        delimiter.clone(),
        after.clone(),
    );
    let page = if max == 0 {
        crate::storage::list::Page {
            entries: Vec::new(),
            truncated: false,
            next_marker: None,
        }
    } else {
        ctx.store(move |s| s.list_objects(&bucket, &p, &d, a.as_deref(), max))
            .await?
    };
    if max == 0 {
        // A zero page still needs the bucket to exist.
        bucket_meta(ctx)?;
    }
    let mut w = XmlWriter::new();
    w.open("ListBucketResult");
    w.elem("Name", ctx.bucket())
        .elem("Prefix", &enc(&prefix, url));
    if v2 {
        if let Some(t) = &token {
            w.elem("ContinuationToken", t);
        }
        if let Some(s) = &start_after {
            w.elem("StartAfter", &enc(s, url));
        }
    } else {
        w.elem("Marker", &enc(marker.as_deref().unwrap_or(""), url));
    }
    w.elem("MaxKeys", &max.to_string())
        .elem("Delimiter", &enc(&delimiter, url));
    if url {
        w.elem("EncodingType", "url");
    }
    w.elem("IsTruncated", if page.truncated { "true" } else { "false" });
    if let Some(next) = &page.next_marker {
        if v2 {
            w.elem("NextContinuationToken", &token_encode(next));
        } else {
            w.elem("NextMarker", &enc(next, url));
        }
    }
    if v2 {
        w.elem("KeyCount", &page.entries.len().to_string());
    }
    let fetch_owner = !v2 || ctx.target.value("fetch-owner") == Some("true");
    let mut prefixes = Vec::new();
    for entry in &page.entries {
        match entry {
            Entry::Item(key, obj) => {
                let m = &obj.meta;
                w.open("Contents")
                    .elem("Key", &enc(key, url))
                    .elem("LastModified", &iso8601(m.last_modified))
                    .elem("ETag", &quoted(&m.etag))
                    .elem("Type", m.object_type.as_str())
                    .elem("Size", &m.size.to_string())
                    .elem("StorageClass", "Standard");
                if fetch_owner {
                    owner(&mut w, ctx);
                }
                w.close();
            }
            Entry::Prefix(p) => prefixes.push(p.clone()),
        }
    }
    for p in prefixes {
        w.open("CommonPrefixes")
            .elem("Prefix", &enc(&p, url))
            .close();
    }
    Ok(service::xml(w.finish()))
}

pub async fn delete_multiple(ctx: &Ctx, body: &mut Incoming) -> Result<Response<Body>, ApiError> {
    bucket_meta(ctx)?;
    let url = url_encoded(ctx);
    let data = xml_body(ctx, body).await?;
    let root = xml::parse(&data).map_err(|_| ApiError::malformed_xml())?;
    if root.name != "Delete" {
        return Err(ApiError::malformed_xml());
    }
    let quiet = root.child_text("Quiet") == Some("true");
    let mut keys = Vec::new();
    for o in root.children_named("Object") {
        let key = o
            .child("Key")
            .map(|k| k.text.clone())
            .ok_or_else(ApiError::malformed_xml)?;
        check_key(&key)?;
        keys.push(key);
    }
    if keys.is_empty() || keys.len() > 1000 {
        return Err(ApiError::malformed_xml());
    }
    for k in &keys {
        let res = ctx.resource(ctx.bucket(), Some(k));
        auth::authorize_action(&ctx.principal, "oss:DeleteObject", &res)?;
    }
    let bucket = ctx.bucket().to_owned();
    let to_delete = keys.clone();
    ctx.store(move |s| {
        for k in &to_delete {
            s.delete(&bucket, k)?;
        }
        Ok(())
    })
    .await?;
    let mut w = XmlWriter::new();
    w.open("DeleteResult");
    if url {
        w.elem("EncodingType", "url");
    }
    if !quiet {
        for k in &keys {
            w.open("Deleted").elem("Key", &enc(k, url)).close();
        }
    }
    Ok(service::xml(w.finish()))
}
