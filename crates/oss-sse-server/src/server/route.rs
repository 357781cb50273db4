//! Request targeting: from the `Host` header, the raw path and the raw query to the bucket, the key and
//! the operation. Pure functions of their inputs (fuzzed by the tests); every failure is an OSS error.

use http::{Method, StatusCode};
use oss_sse_core::encoding::{parse_query, percent_decode};

use crate::error::ApiError;

/// The longest object key OSS accepts, in bytes.
pub const MAX_KEY_BYTES: usize = 1023;

/// Where a request points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The bucket, if any.
    pub bucket: Option<String>,
    /// The object key, decoded, if any.
    pub key: Option<String>,
    /// Decoded query pairs in received order.
    pub query: Vec<(String, Option<String>)>,
}

impl Target {
    /// The first value of query parameter `name` (`Some(None)` for a bare key).
    pub fn query(&self, name: &str) -> Option<Option<&str>> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_deref())
    }

    /// True when query parameter `name` is present.
    pub fn has(&self, name: &str) -> bool {
        self.query.iter().any(|(k, _)| k == name)
    }

    /// The value of `name`, empty for a bare key, `None` when absent.
    pub fn value(&self, name: &str) -> Option<&str> {
        self.query(name).map(|v| v.unwrap_or(""))
    }
}

/// True for a valid bucket name: 3 to 63 characters of lower-case letters, digits and hyphens, starting
/// and ending with a letter or digit.
pub fn valid_bucket_name(name: &str) -> bool {
    let b = name.as_bytes();
    (3..=63).contains(&b.len())
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
        && b[0] != b'-'
        && b[b.len() - 1] != b'-'
}

fn invalid_bucket_name(name: &str) -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "InvalidBucketName",
        "The specified bucket is not valid.",
    )
    .with("BucketName", name)
}

/// Checks an object key: non-empty, at most 1023 bytes, no NUL.
pub fn check_key(key: &str) -> Result<(), ApiError> {
    if key.is_empty() || key.len() > MAX_KEY_BYTES || key.contains('\0') {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "InvalidObjectName",
            "The specified object is not valid.",
        ));
    }
    Ok(())
}

fn is_ip(host: &str) -> bool {
    host.parse::<std::net::IpAddr>().is_ok() || (host.starts_with('[') && host.ends_with(']'))
}

/// The bucket named by a virtual-hosted `Host` (`bucket.<anything>`), or `None` for path-style hosts: IP
/// addresses, single-label names such as `localhost`, and OSS service endpoints (`oss-<region>...`).
pub fn bucket_from_host(host: &str) -> Option<&str> {
    let host = match host.rsplit_once(':') {
        Some((h, port)) if port.bytes().all(|b| b.is_ascii_digit()) && !h.ends_with(':') => h,
        _ => host,
    };
    if is_ip(host) {
        return None;
    }
    let (first, rest) = host.split_once('.')?;
    if rest.is_empty() || first.starts_with("oss-") {
        return None;
    }
    Some(first)
}

fn bad_request(message: &str) -> ApiError {
    ApiError::invalid_argument(message)
}

/// Resolves the target of a request.
pub fn parse_target(
    host: Option<&str>,
    raw_path: &str,
    raw_query: Option<&str>,
) -> Result<Target, ApiError> {
    let query = match raw_query {
        Some(q) => parse_query(q).map_err(|_| bad_request("The query string is not valid."))?,
        None => Vec::new(),
    };
    if !raw_path.starts_with('/') {
        return Err(bad_request("The request path must start with /."));
    }
    let path =
        percent_decode(raw_path).map_err(|_| bad_request("The request path is not valid."))?;
    let (bucket, key) = match host.and_then(bucket_from_host) {
        Some(b) => (Some(b.to_owned()), path[1..].to_owned()),
        None => {
            let rest = &path[1..];
            match rest.split_once('/') {
                Some((b, k)) => (Some(b.to_owned()), k.to_owned()),
                None if rest.is_empty() => (None, String::new()),
                None => (Some(rest.to_owned()), String::new()),
            }
        }
    };
    if let Some(b) = &bucket {
        if !valid_bucket_name(b) {
            return Err(invalid_bucket_name(b));
        }
    }
    let key = if key.is_empty() {
        None
    } else {
        check_key(&key)?;
        Some(key)
    };
    Ok(Target { bucket, key, query })
}

/// The target of an admin API call `/-/admin/<op>`: bucket `-` and key `admin/<op>` as far as signing
/// is concerned (bucket names cannot start with `-`, so no bucket request ever looks like one).
pub fn admin_target(op: &str, raw_query: Option<&str>) -> Result<Target, ApiError> {
    let query = match raw_query {
        Some(q) => parse_query(q).map_err(|_| bad_request("The query string is not valid."))?,
        None => Vec::new(),
    };
    let op = percent_decode(op).map_err(|_| bad_request("The request path is not valid."))?;
    Ok(Target {
        bucket: Some("-".to_owned()),
        key: Some(format!("admin/{op}")),
        query,
    })
}

/// Every operation the emulator serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `GET /`.
    ListBuckets,
    /// `PUT /bucket`.
    PutBucket,
    /// `DELETE /bucket`.
    DeleteBucket,
    /// `GET /bucket?bucketInfo`.
    GetBucketInfo,
    /// `GET /bucket?location`.
    GetBucketLocation,
    /// `PUT /bucket?encryption`.
    PutBucketEncryption,
    /// `GET /bucket?encryption`.
    GetBucketEncryption,
    /// `DELETE /bucket?encryption`.
    DeleteBucketEncryption,
    /// `GET /bucket`.
    ListObjects,
    /// `GET /bucket?list-type=2`.
    ListObjectsV2,
    /// `GET /bucket?uploads`.
    ListMultipartUploads,
    /// `POST /bucket?delete`.
    DeleteMultipleObjects,
    /// `PUT /bucket/key`.
    PutObject,
    /// `PUT /bucket/key` with `x-oss-copy-source`.
    CopyObject,
    /// `GET /bucket/key`.
    GetObject,
    /// `HEAD /bucket/key`.
    HeadObject,
    /// `HEAD|GET /bucket/key?objectMeta`.
    GetObjectMeta,
    /// `DELETE /bucket/key`.
    DeleteObject,
    /// `POST /bucket/key?append&position=N`.
    AppendObject,
    /// `POST /bucket/key?uploads`.
    InitiateMultipartUpload,
    /// `PUT /bucket/key?partNumber=N&uploadId=ID`.
    UploadPart,
    /// `POST /bucket/key?uploadId=ID`.
    CompleteMultipartUpload,
    /// `DELETE /bucket/key?uploadId=ID`.
    AbortMultipartUpload,
    /// `GET /bucket/key?uploadId=ID`.
    ListParts,
}

impl Op {
    /// The RAM action that authorizes the operation.
    pub fn action(self) -> &'static str {
        match self {
            Op::ListBuckets => "oss:ListBuckets",
            Op::PutBucket => "oss:PutBucket",
            Op::DeleteBucket => "oss:DeleteBucket",
            Op::GetBucketInfo => "oss:GetBucketInfo",
            Op::GetBucketLocation => "oss:GetBucketLocation",
            Op::PutBucketEncryption => "oss:PutBucketEncryption",
            Op::GetBucketEncryption => "oss:GetBucketEncryption",
            Op::DeleteBucketEncryption => "oss:DeleteBucketEncryption",
            Op::ListObjects | Op::ListObjectsV2 => "oss:ListObjects",
            Op::ListMultipartUploads => "oss:ListMultipartUploads",
            Op::DeleteMultipleObjects | Op::DeleteObject => "oss:DeleteObject",
            Op::PutObject
            | Op::CopyObject
            | Op::AppendObject
            | Op::InitiateMultipartUpload
            | Op::UploadPart
            | Op::CompleteMultipartUpload => "oss:PutObject",
            Op::GetObject | Op::HeadObject | Op::GetObjectMeta => "oss:GetObject",
            Op::AbortMultipartUpload => "oss:AbortMultipartUpload",
            Op::ListParts => "oss:ListParts",
        }
    }

    /// The signed sub-resources this operation understands; any other is refused.
    fn subresources(self) -> &'static [&'static str] {
        const RESPONSE: &[&str] = &[
            "response-content-type",
            "response-content-language",
            "response-cache-control",
            "response-content-encoding",
            "response-expires",
            "response-content-disposition",
        ];
        match self {
            Op::GetBucketInfo => &["bucketInfo"],
            Op::GetBucketLocation => &["location"],
            Op::PutBucketEncryption | Op::GetBucketEncryption | Op::DeleteBucketEncryption => {
                &["encryption"]
            }
            Op::ListObjectsV2 => &["continuation-token"],
            Op::ListMultipartUploads | Op::InitiateMultipartUpload => &["uploads"],
            Op::DeleteMultipleObjects => &["delete"],
            Op::GetObject => RESPONSE,
            Op::GetObjectMeta => &["objectMeta"],
            Op::AppendObject => &["append", "position"],
            Op::UploadPart => &["partNumber", "uploadId"],
            Op::CompleteMultipartUpload | Op::AbortMultipartUpload | Op::ListParts => &["uploadId"],
            _ => &[],
        }
    }
}

/// Query keys that carry authentication rather than select an operation.
fn is_auth_param(k: &str) -> bool {
    matches!(
        k,
        "OSSAccessKeyId" | "Expires" | "Signature" | "security-token"
    )
}

/// Sub-resources the emulator refuses even though they look like parameters.
fn is_unsupported_x_oss(k: &str) -> bool {
    matches!(
        k,
        "x-oss-process" | "x-oss-async-process" | "x-oss-write-get-object-response"
    )
}

/// Picks the operation of a request, refusing unknown or unsupported sub-resources.
pub fn classify(method: &Method, target: &Target, copy_source: bool) -> Result<Op, ApiError> {
    let t = target;
    let op = match (&target.bucket, &target.key) {
        (None, _) => match *method {
            Method::GET => Op::ListBuckets,
            _ => return Err(method_not_allowed()),
        },
        (Some(_), None) => match *method {
            Method::PUT if t.has("encryption") => Op::PutBucketEncryption,
            Method::PUT => Op::PutBucket,
            Method::GET if t.has("encryption") => Op::GetBucketEncryption,
            Method::GET if t.has("bucketInfo") => Op::GetBucketInfo,
            Method::GET if t.has("location") => Op::GetBucketLocation,
            Method::GET if t.has("uploads") => Op::ListMultipartUploads,
            Method::GET if t.value("list-type") == Some("2") => Op::ListObjectsV2,
            Method::GET => Op::ListObjects,
            Method::DELETE if t.has("encryption") => Op::DeleteBucketEncryption,
            Method::DELETE => Op::DeleteBucket,
            Method::POST if t.has("delete") => Op::DeleteMultipleObjects,
            _ => return Err(method_not_allowed()),
        },
        (Some(_), Some(_)) => match *method {
            Method::PUT if t.has("partNumber") || t.has("uploadId") => {
                if copy_source {
                    return Err(ApiError::not_implemented("UploadPartCopy"));
                }
                Op::UploadPart
            }
            Method::PUT if copy_source => Op::CopyObject,
            Method::PUT => Op::PutObject,
            Method::GET if t.has("uploadId") => Op::ListParts,
            Method::GET | Method::HEAD if t.has("objectMeta") => Op::GetObjectMeta,
            Method::GET => Op::GetObject,
            Method::HEAD => Op::HeadObject,
            Method::POST if t.has("append") => Op::AppendObject,
            Method::POST if t.has("uploads") => Op::InitiateMultipartUpload,
            Method::POST if t.has("uploadId") => Op::CompleteMultipartUpload,
            Method::DELETE if t.has("uploadId") => Op::AbortMultipartUpload,
            Method::DELETE => Op::DeleteObject,
            _ => return Err(method_not_allowed()),
        },
    };
    let allowed = op.subresources();
    for (k, _) in &target.query {
        let signed = oss_sse_core::sign::v1::SIGNED_SUBRESOURCES.contains(&k.as_str());
        if is_auth_param(k) || allowed.contains(&k.as_str()) {
            continue;
        }
        if is_unsupported_x_oss(k) || (signed && !k.starts_with("x-oss-")) {
            return Err(ApiError::not_implemented(&format!(
                "The sub-resource {k:?} on this operation"
            )));
        }
    }
    Ok(op)
}

fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "MethodNotAllowed",
        "The specified method is not allowed against this resource.",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn addressing_styles() {
        let t = parse_target(Some("127.0.0.1:9000"), "/bkt/a%2Fb/../c+d", Some("uploads")).unwrap();
        assert_eq!(t.bucket.as_deref(), Some("bkt"));
        assert_eq!(t.key.as_deref(), Some("a/b/../c+d"));
        assert!(t.has("uploads"));
        let t = parse_target(Some("bkt.localhost:9000"), "//lead", None).unwrap();
        assert_eq!(t.bucket.as_deref(), Some("bkt"));
        assert_eq!(t.key.as_deref(), Some("/lead"));
        let t = parse_target(Some("oss-cn-hangzhou.aliyuncs.com"), "/", None).unwrap();
        assert_eq!(t.bucket, None);
        let t = parse_target(Some("localhost"), "/bkt", None).unwrap();
        assert_eq!((t.bucket.as_deref(), t.key), (Some("bkt"), None));
        let t = parse_target(Some("[::1]:80"), "/bkt/", None).unwrap();
        assert_eq!((t.bucket.as_deref(), t.key), (Some("bkt"), None));
        assert_eq!(
            parse_target(None, "/Bad_Bucket/k", None).unwrap_err().code,
            "InvalidBucketName"
        );
        assert_eq!(
            parse_target(None, &format!("/bkt/{}", "k".repeat(1024)), None)
                .unwrap_err()
                .code,
            "InvalidObjectName"
        );
        assert_eq!(
            parse_target(None, "/bkt/%00", None).unwrap_err().code,
            "InvalidObjectName"
        );
        assert_eq!(
            parse_target(None, "/bkt/%zz", None).unwrap_err().code,
            "InvalidArgument"
        );
    }

    #[test]
    fn operations() {
        let t = |q: &str| parse_target(None, "/bkt/k", Some(q)).unwrap();
        assert_eq!(
            classify(&Method::POST, &t("append&position=0"), false).unwrap(),
            Op::AppendObject
        );
        assert_eq!(
            classify(&Method::PUT, &t("partNumber=1&uploadId=A"), false).unwrap(),
            Op::UploadPart
        );
        assert_eq!(
            classify(&Method::PUT, &t(""), true).unwrap(),
            Op::CopyObject
        );
        assert_eq!(
            classify(&Method::GET, &t("response-content-type=a"), false).unwrap(),
            Op::GetObject
        );
        assert_eq!(
            classify(&Method::GET, &t("acl"), false).unwrap_err().code,
            "NotImplemented"
        );
        assert_eq!(
            classify(&Method::GET, &t("x-oss-process=image"), false)
                .unwrap_err()
                .code,
            "NotImplemented"
        );
        assert_eq!(
            classify(&Method::PATCH, &t(""), false).unwrap_err().code,
            "MethodNotAllowed"
        );
        let b = |q: &str| parse_target(None, "/bkt", Some(q)).unwrap();
        assert_eq!(
            classify(&Method::GET, &b("list-type=2&prefix=a"), false).unwrap(),
            Op::ListObjectsV2
        );
        assert_eq!(
            classify(&Method::GET, &b("encryption"), false).unwrap(),
            Op::GetBucketEncryption
        );
        assert_eq!(
            classify(&Method::PUT, &b("lifecycle"), false)
                .unwrap_err()
                .code,
            "NotImplemented"
        );
    }

    proptest! {
        #[test]
        fn parse_target_never_panics(host in proptest::option::of("\\PC{0,40}"),
                                     path in "/\\PC{0,200}",
                                     query in proptest::option::of("\\PC{0,100}")) {
            if let Ok(t) = parse_target(host.as_deref(), &path, query.as_deref()) {
                if let Some(b) = &t.bucket { prop_assert!(valid_bucket_name(b)); }
                if let Some(k) = &t.key { prop_assert!(check_key(k).is_ok()); }
                for m in [Method::GET, Method::PUT, Method::POST, Method::DELETE, Method::HEAD] {
                    let _ = classify(&m, &t, false);
                }
            }
        }
    }
}
