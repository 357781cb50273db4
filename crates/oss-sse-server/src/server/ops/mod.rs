//! The operation handlers, one module per family, and the helpers they share.

mod bucket;
mod multipart;
mod object;
pub mod post;

use base64::Engine as _;
use http::{Response, StatusCode};
use hyper::body::Incoming;
use oss_sse_core::encoding::uri_encode;
use oss_sse_core::time::Timestamp;

use super::body::Body;
use super::route::Op;
use super::service::Ctx;
use crate::error::ApiError;

/// Runs the handler of `ctx.op`.
pub async fn run(ctx: &Ctx, body: &mut Incoming) -> Result<Response<Body>, ApiError> {
    match ctx.op {
        Op::ListBuckets => bucket::list_buckets(ctx).await,
        Op::PutBucket => bucket::put_bucket(ctx, body).await,
        Op::DeleteBucket => bucket::delete_bucket(ctx).await,
        Op::GetBucketInfo => bucket::get_bucket_info(ctx).await,
        Op::GetBucketLocation => bucket::get_bucket_location(ctx).await,
        Op::PutBucketEncryption => bucket::put_bucket_encryption(ctx, body).await,
        Op::GetBucketEncryption => bucket::get_bucket_encryption(ctx).await,
        Op::DeleteBucketEncryption => bucket::delete_bucket_encryption(ctx).await,
        Op::ListObjects => bucket::list_objects(ctx, false).await,
        Op::ListObjectsV2 => bucket::list_objects(ctx, true).await,
        Op::DeleteMultipleObjects => bucket::delete_multiple(ctx, body).await,
        Op::ListMultipartUploads => multipart::list_uploads(ctx).await,
        Op::PutObject => object::put_object(ctx, body).await,
        Op::CopyObject => object::copy_object(ctx).await,
        Op::GetObject => object::get_object(ctx, false).await,
        Op::HeadObject => object::get_object(ctx, true).await,
        Op::GetObjectMeta => object::get_object_meta(ctx).await,
        Op::DeleteObject => object::delete_object(ctx).await,
        Op::AppendObject => object::append_object(ctx, body).await,
        Op::InitiateMultipartUpload => multipart::initiate(ctx).await,
        Op::UploadPart => multipart::upload_part(ctx, body).await,
        Op::CompleteMultipartUpload => multipart::complete(ctx, body).await,
        Op::AbortMultipartUpload => multipart::abort(ctx).await,
        Op::ListParts => multipart::list_parts(ctx).await,
    }
}

/// `2006-01-02T15:04:05.000Z`, as listings write times.
pub fn iso8601(t: i64) -> String {
    let dt = Timestamp::from_unix(t).to_datetime();
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.000Z",
        dt.year, dt.month, dt.day, dt.hour, dt.minute, dt.second
    )
}

/// An RFC 1123 date (`Last-Modified`).
pub fn http_date(t: i64) -> String {
    Timestamp::from_unix(t).to_rfc1123()
}

/// The quoted ETag.
pub fn quoted(etag: &str) -> String {
    format!("\"{etag}\"")
}

/// True when the request asked for `encoding-type=url`.
pub fn url_encoded(ctx: &Ctx) -> bool {
    ctx.target.value("encoding-type") == Some("url")
}

/// Encodes a key for a listing when `encoding-type=url` was asked for.
pub fn enc(s: &str, url: bool) -> String {
    if url {
        uri_encode(s, false)
    } else {
        s.to_owned()
    }
}

/// Parses an integer query parameter within `range`, with a default.
pub fn int_param(
    ctx: &Ctx,
    name: &str,
    default: u64,
    range: std::ops::RangeInclusive<u64>,
) -> Result<u64, ApiError> {
    match ctx.target.value(name) {
        None | Some("") => Ok(default),
        Some(v) => match v.parse::<u64>() {
            Ok(n) if range.contains(&n) => Ok(n),
            _ => Err(ApiError::invalid_argument(format!(
                "Argument {name} must be an integer between {} and {}.",
                range.start(),
                range.end()
            ))
            .with("ArgumentName", name)
            .with("ArgumentValue", v)),
        },
    }
}

/// The declared `Content-Length`, or `MissingContentLength` when neither it nor chunked transfer
/// encoding was sent (a body of unknown length).
pub fn content_length(ctx: &Ctx) -> Result<Option<u64>, ApiError> {
    match ctx.header("content-length") {
        Some(v) => v
            .trim()
            .parse::<u64>()
            .map(Some)
            .map_err(|_| ApiError::invalid_argument("Content-Length is not a number.")),
        None if ctx.headers.contains_key("transfer-encoding") => Ok(None),
        None => Err(ApiError::new(
            StatusCode::LENGTH_REQUIRED,
            "MissingContentLength",
            "You must provide the Content-Length HTTP header.",
        )),
    }
}

/// The `Content-MD5` header decoded to 16 bytes, or `InvalidDigest`.
pub fn content_md5(ctx: &Ctx) -> Result<Option<[u8; 16]>, ApiError> {
    let Some(v) = ctx.header("content-md5") else {
        return Ok(None);
    };
    base64::engine::general_purpose::STANDARD
        .decode(v.trim())
        .ok()
        .and_then(|b| <[u8; 16]>::try_from(b.as_slice()).ok())
        .map(Some)
        .ok_or_else(invalid_digest)
}

/// 400 InvalidDigest.
pub fn invalid_digest() -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "InvalidDigest",
        "The Content-MD5 you specified is not valid.",
    )
}

/// Checks a received body against `Content-MD5`.
pub fn check_md5(expected: Option<[u8; 16]>, actual: &[u8; 16]) -> Result<(), ApiError> {
    match expected {
        Some(e) if &e != actual => Err(invalid_digest()),
        _ => Ok(()),
    }
}

/// Reads an XML request body within the limit, checking `Content-MD5` when sent.
pub async fn xml_body(ctx: &Ctx, body: &mut Incoming) -> Result<bytes::Bytes, ApiError> {
    use md5::{Digest as _, Md5};
    let md5 = content_md5(ctx)?;
    let data = super::body::read_small(
        body,
        ctx.state.limits.max_xml_body,
        ctx.state.limits.body_idle_timeout,
    )
    .await?;
    let actual: [u8; 16] = Md5::digest(&data).into();
    check_md5(md5, &actual)?;
    Ok(data)
}

/// The base64 of an MD5 (the `Content-MD5` response header).
pub fn md5_base64(md5: &[u8; 16]) -> String {
    base64::engine::general_purpose::STANDARD.encode(md5)
}

/// The endpoint host clients should use for a bucket (what listings report).
pub fn endpoint_host(ctx: &Ctx) -> String {
    ctx.state.local_addr.to_string()
}
