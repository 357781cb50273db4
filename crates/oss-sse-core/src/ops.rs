//! Request builders for every operation oss-sse speaks, plus the request documents they send
//! (CompleteMultipartUpload) and the name rules OSS enforces. Bucket names and object keys are
//! validated before anything is built. Each builder returns an unsigned [`Request`]; sign it with
//! [`crate::sign`].

use md5::{Digest, Md5};
use serde::Deserialize;

use crate::encoding::{base64_encode, uri_encode};
use crate::endpoint::Endpoint;
use crate::request::{Body, Method, Request};
use crate::sse::{ObjectEncryption, ServerSideEncryptionRule};
use crate::xml::{deserialize, XmlError, XmlWriter, MAX_REQUEST_XML_BYTES};

/// A request refused before it is built (the C++ SDK's `ValidateError`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ValidateError {
    /// Not 3-63 characters of a-z, 0-9, '-', or starting/ending with '-'.
    #[error("the bucket name {0:?} is invalid: 3-63 characters of a-z, 0-9 and '-', not starting or ending with '-'")]
    InvalidBucketName(String),
    /// Not 1-1023 bytes.
    #[error("the object key is invalid: it must be 1-1023 bytes of UTF-8")]
    InvalidObjectKey,
    /// Part numbers run 1-10000.
    #[error("part number {0} is out of range 1-10000")]
    InvalidPartNumber(u32),
    /// An upload id must be non-empty.
    #[error("the upload id is empty")]
    EmptyUploadId,
    /// A byte range whose end precedes its start.
    #[error("invalid range")]
    InvalidRange,
}

impl ValidateError {
    /// `ValidateError`, the code the C++ SDK reports for requests it refuses to send.
    pub const CODE: &'static str = "ValidateError";
}

/// Checks a bucket name as OSS does: 3-63 characters of `a-z`, `0-9`, `-`, not starting or ending
/// with `-`.
pub fn validate_bucket_name(name: &str) -> Result<(), ValidateError> {
    let b = name.as_bytes();
    let ok = (3..=63).contains(&b.len())
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
        && b[0] != b'-'
        && b[b.len() - 1] != b'-';
    if ok {
        Ok(())
    } else {
        Err(ValidateError::InvalidBucketName(
            name.chars().take(80).collect(),
        ))
    }
}

/// Checks an object key: 1-1023 bytes (a `&str` is UTF-8 already).
pub fn validate_object_key(key: &str) -> Result<(), ValidateError> {
    if (1..=1023).contains(&key.len()) {
        Ok(())
    } else {
        Err(ValidateError::InvalidObjectKey)
    }
}

/// The largest part number.
pub const MAX_PART_NUMBER: u32 = 10_000;

fn validate_part_number(n: u32) -> Result<(), ValidateError> {
    if (1..=MAX_PART_NUMBER).contains(&n) {
        Ok(())
    } else {
        Err(ValidateError::InvalidPartNumber(n))
    }
}

fn validate_upload_id(id: &str) -> Result<(), ValidateError> {
    if id.is_empty() {
        Err(ValidateError::EmptyUploadId)
    } else {
        Ok(())
    }
}

/// base64 of the MD5 of `body`: the `Content-MD5` value.
pub fn content_md5(body: &[u8]) -> String {
    base64_encode(&Md5::digest(body))
}

/// A byte range for GetObject (`Range: bytes=...`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ByteRange {
    /// `bytes=first-last` (inclusive).
    FromTo(u64, u64),
    /// `bytes=first-`.
    From(u64),
    /// `bytes=-n`: the last `n` bytes.
    Suffix(u64),
}

impl ByteRange {
    /// A validated inclusive range.
    pub fn new(first: u64, last: u64) -> Result<ByteRange, ValidateError> {
        if last < first {
            return Err(ValidateError::InvalidRange);
        }
        Ok(ByteRange::FromTo(first, last))
    }

    /// The `Range` header value.
    pub fn header_value(&self) -> String {
        match self {
            ByteRange::FromTo(a, b) => format!("bytes={a}-{b}"),
            ByteRange::From(a) => format!("bytes={a}-"),
            ByteRange::Suffix(n) => format!("bytes=-{n}"),
        }
    }

    /// Parses a single-range `Range` header (`bytes=a-b`, `bytes=a-`, `bytes=-n`); `None` for anything
    /// else (multiple ranges, other units), which OSS answers with the whole object.
    pub fn parse(value: &str) -> Option<ByteRange> {
        let spec = value.trim().strip_prefix("bytes=")?.trim();
        if spec.contains(',') {
            return None;
        }
        let (a, b) = spec.split_once('-')?;
        let num = |s: &str| -> Option<u64> {
            if s.is_empty() || !s.bytes().all(|c| c.is_ascii_digit()) {
                None
            } else {
                s.parse().ok()
            }
        };
        match (a.trim(), b.trim()) {
            ("", n) => num(n).map(ByteRange::Suffix),
            (a, "") => num(a).map(ByteRange::From),
            (a, b) => {
                let (a, b) = (num(a)?, num(b)?);
                (a <= b).then_some(ByteRange::FromTo(a, b))
            }
        }
    }

    /// The inclusive `(first, last)` byte offsets within an object of `len` bytes, or `None` when the
    /// range cannot be satisfied (OSS: 416 InvalidRange).
    pub fn resolve(&self, len: u64) -> Option<(u64, u64)> {
        if len == 0 {
            return None;
        }
        match *self {
            ByteRange::FromTo(a, b) if a < len => Some((a, b.min(len - 1))),
            ByteRange::From(a) if a < len => Some((a, len - 1)),
            ByteRange::Suffix(n) if n > 0 => Some((len - n.min(len), len - 1)),
            _ => None,
        }
    }
}

fn bucket_request(
    ep: &Endpoint,
    method: Method,
    bucket: &str,
    sub: Option<&str>,
) -> Result<Request, ValidateError> {
    validate_bucket_name(bucket)?;
    let mut r = ep.request(method, Some(bucket), None);
    if let Some(s) = sub {
        r.push_query(s, None);
    }
    Ok(r)
}

fn object_request(
    ep: &Endpoint,
    method: Method,
    bucket: &str,
    key: &str,
) -> Result<Request, ValidateError> {
    validate_bucket_name(bucket)?;
    validate_object_key(key)?;
    Ok(ep.request(method, Some(bucket), Some(key)))
}

fn xml_body(r: &mut Request, xml: String) {
    let bytes = xml.into_bytes();
    r.headers.set("Content-MD5", content_md5(&bytes));
    r.headers.set("Content-Type", "application/xml");
    r.body = Body::Bytes(bytes);
}

fn push_opt(r: &mut Request, k: &str, v: Option<&str>) {
    if let Some(v) = v {
        r.push_query(k, Some(v.to_owned()));
    }
}

/// CreateBucket: `PUT /` on the bucket.
pub fn create_bucket(ep: &Endpoint, bucket: &str) -> Result<Request, ValidateError> {
    bucket_request(ep, Method::Put, bucket, None)
}

/// DeleteBucket: `DELETE /`.
pub fn delete_bucket(ep: &Endpoint, bucket: &str) -> Result<Request, ValidateError> {
    bucket_request(ep, Method::Delete, bucket, None)
}

/// Listing parameters shared by ListBuckets and ListObjects.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListParams {
    /// Only names starting with this.
    pub prefix: Option<String>,
    /// Start after this name (V1 `marker`; V2 `start-after`).
    pub marker: Option<String>,
    /// Group keys by this delimiter (ListObjects).
    pub delimiter: Option<String>,
    /// At most this many entries (OSS: 1-1000).
    pub max_keys: Option<u32>,
    /// V2 continuation token.
    pub continuation_token: Option<String>,
    /// `encoding-type=url` (keys in the response are URL-encoded; parsing decodes them).
    pub url_encoding: bool,
    /// V2 `fetch-owner=true`.
    pub fetch_owner: bool,
}

/// ListBuckets: `GET /` on the endpoint itself.
pub fn list_buckets(ep: &Endpoint, p: &ListParams) -> Request {
    let mut r = ep.request(Method::Get, None, None);
    push_opt(&mut r, "prefix", p.prefix.as_deref());
    push_opt(&mut r, "marker", p.marker.as_deref());
    if let Some(m) = p.max_keys {
        r.push_query("max-keys", Some(m.to_string()));
    }
    r
}

/// ListObjects (V1): `GET /` with `prefix`, `marker`, `delimiter`, `max-keys`, `encoding-type`.
pub fn list_objects(ep: &Endpoint, bucket: &str, p: &ListParams) -> Result<Request, ValidateError> {
    let mut r = bucket_request(ep, Method::Get, bucket, None)?;
    push_opt(&mut r, "prefix", p.prefix.as_deref());
    push_opt(&mut r, "marker", p.marker.as_deref());
    push_opt(&mut r, "delimiter", p.delimiter.as_deref());
    if let Some(m) = p.max_keys {
        r.push_query("max-keys", Some(m.to_string()));
    }
    if p.url_encoding {
        r.push_query("encoding-type", Some("url".into()));
    }
    Ok(r)
}

/// ListObjectsV2: `GET /?list-type=2` with `prefix`, `start-after`, `continuation-token`, `delimiter`,
/// `max-keys`, `encoding-type`, `fetch-owner`.
pub fn list_objects_v2(
    ep: &Endpoint,
    bucket: &str,
    p: &ListParams,
) -> Result<Request, ValidateError> {
    let mut r = bucket_request(ep, Method::Get, bucket, None)?;
    r.push_query("list-type", Some("2".into()));
    push_opt(&mut r, "prefix", p.prefix.as_deref());
    push_opt(&mut r, "start-after", p.marker.as_deref());
    push_opt(
        &mut r,
        "continuation-token",
        p.continuation_token.as_deref(),
    );
    push_opt(&mut r, "delimiter", p.delimiter.as_deref());
    if let Some(m) = p.max_keys {
        r.push_query("max-keys", Some(m.to_string()));
    }
    if p.url_encoding {
        r.push_query("encoding-type", Some("url".into()));
    }
    if p.fetch_owner {
        r.push_query("fetch-owner", Some("true".into()));
    }
    Ok(r)
}

/// GetBucketInfo: `GET /?bucketInfo`.
pub fn get_bucket_info(ep: &Endpoint, bucket: &str) -> Result<Request, ValidateError> {
    bucket_request(ep, Method::Get, bucket, Some("bucketInfo"))
}

/// PutBucketEncryption: `PUT /?encryption` with the rule's XML and its Content-MD5.
pub fn put_bucket_encryption(
    ep: &Endpoint,
    bucket: &str,
    rule: &ServerSideEncryptionRule,
) -> Result<Request, ValidateError> {
    let mut r = bucket_request(ep, Method::Put, bucket, Some("encryption"))?;
    xml_body(&mut r, rule.to_xml());
    Ok(r)
}

/// GetBucketEncryption: `GET /?encryption`.
pub fn get_bucket_encryption(ep: &Endpoint, bucket: &str) -> Result<Request, ValidateError> {
    bucket_request(ep, Method::Get, bucket, Some("encryption"))
}

/// DeleteBucketEncryption: `DELETE /?encryption`.
pub fn delete_bucket_encryption(ep: &Endpoint, bucket: &str) -> Result<Request, ValidateError> {
    bucket_request(ep, Method::Delete, bucket, Some("encryption"))
}

/// PutObject: `PUT /key`. In-memory bodies get a `Content-MD5` so OSS checks integrity end to end;
/// `encryption` sets the `x-oss-server-side-*` headers.
pub fn put_object(
    ep: &Endpoint,
    bucket: &str,
    key: &str,
    body: Body,
    encryption: Option<&ObjectEncryption>,
) -> Result<Request, ValidateError> {
    let mut r = object_request(ep, Method::Put, bucket, key)?;
    if let Some(b) = body.bytes() {
        r.headers.set("Content-MD5", content_md5(b));
    }
    r.body = body;
    if let Some(e) = encryption {
        e.apply_to(&mut r.headers);
    }
    Ok(r)
}

/// GetObject: `GET /key`, with `Range` when given.
pub fn get_object(
    ep: &Endpoint,
    bucket: &str,
    key: &str,
    range: Option<ByteRange>,
) -> Result<Request, ValidateError> {
    let mut r = object_request(ep, Method::Get, bucket, key)?;
    if let Some(range) = range {
        r.headers.set("Range", range.header_value());
    }
    Ok(r)
}

/// HeadObject: `HEAD /key`.
pub fn head_object(ep: &Endpoint, bucket: &str, key: &str) -> Result<Request, ValidateError> {
    object_request(ep, Method::Head, bucket, key)
}

/// DeleteObject: `DELETE /key`.
pub fn delete_object(ep: &Endpoint, bucket: &str, key: &str) -> Result<Request, ValidateError> {
    object_request(ep, Method::Delete, bucket, key)
}

/// The `x-oss-copy-source` value: `/bucket/` + the URL-encoded key.
pub fn copy_source(bucket: &str, key: &str) -> String {
    format!("/{bucket}/{}", uri_encode(key, true))
}

/// CopyObject: `PUT /dst-key` with `x-oss-copy-source`. The destination's encryption comes from
/// `encryption` (else the destination bucket's default), never from the source.
pub fn copy_object(
    ep: &Endpoint,
    source_bucket: &str,
    source_key: &str,
    bucket: &str,
    key: &str,
    encryption: Option<&ObjectEncryption>,
) -> Result<Request, ValidateError> {
    validate_bucket_name(source_bucket)?;
    validate_object_key(source_key)?;
    let mut r = object_request(ep, Method::Put, bucket, key)?;
    r.headers
        .set("x-oss-copy-source", copy_source(source_bucket, source_key));
    if let Some(e) = encryption {
        e.apply_to(&mut r.headers);
    }
    Ok(r)
}

/// InitiateMultipartUpload: `POST /key?uploads`; the upload's encryption is fixed here.
pub fn initiate_multipart_upload(
    ep: &Endpoint,
    bucket: &str,
    key: &str,
    encryption: Option<&ObjectEncryption>,
) -> Result<Request, ValidateError> {
    let mut r = object_request(ep, Method::Post, bucket, key)?;
    r.push_query("uploads", None);
    if let Some(e) = encryption {
        e.apply_to(&mut r.headers);
    }
    Ok(r)
}

/// UploadPart: `PUT /key?partNumber=N&uploadId=ID`. In-memory bodies get a `Content-MD5`.
pub fn upload_part(
    ep: &Endpoint,
    bucket: &str,
    key: &str,
    upload_id: &str,
    part_number: u32,
    body: Body,
) -> Result<Request, ValidateError> {
    validate_upload_id(upload_id)?;
    validate_part_number(part_number)?;
    let mut r = object_request(ep, Method::Put, bucket, key)?;
    r.push_query("partNumber", Some(part_number.to_string()));
    r.push_query("uploadId", Some(upload_id.to_owned()));
    if let Some(b) = body.bytes() {
        r.headers.set("Content-MD5", content_md5(b));
    }
    r.body = body;
    Ok(r)
}

/// One part in a CompleteMultipartUpload body.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Deserialize)]
pub struct CompletedPart {
    /// The part number.
    #[serde(rename = "PartNumber")]
    pub part_number: u32,
    /// The ETag UploadPart returned (with its quotes).
    #[serde(rename = "ETag")]
    pub etag: String,
}

/// The CompleteMultipartUpload request document.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
pub struct CompleteMultipartUpload {
    /// The parts, in ascending part-number order.
    #[serde(rename = "Part", default)]
    pub parts: Vec<CompletedPart>,
}

impl CompleteMultipartUpload {
    /// `<CompleteMultipartUpload><Part><PartNumber>..</PartNumber><ETag>..</ETag></Part>...`.
    pub fn to_xml(&self) -> String {
        let mut w = XmlWriter::with_declaration();
        w.open("CompleteMultipartUpload");
        for p in &self.parts {
            w.open("Part")
                .element("PartNumber", &p.part_number.to_string())
                .element("ETag", &p.etag)
                .close("Part");
        }
        w.close("CompleteMultipartUpload");
        w.finish()
    }

    /// Parses the document (for the server). Order and duplicates are checked by the caller, which
    /// answers `InvalidPartOrder` / `InvalidPart` as OSS does.
    pub fn from_xml(doc: &[u8]) -> Result<CompleteMultipartUpload, XmlError> {
        let mut c: CompleteMultipartUpload =
            deserialize(doc, "CompleteMultipartUpload", MAX_REQUEST_XML_BYTES)?;
        for p in &mut c.parts {
            p.etag = p.etag.trim().to_owned();
        }
        Ok(c)
    }
}

/// CompleteMultipartUpload: `POST /key?uploadId=ID` with the part list (and its Content-MD5).
pub fn complete_multipart_upload(
    ep: &Endpoint,
    bucket: &str,
    key: &str,
    upload_id: &str,
    parts: &[CompletedPart],
) -> Result<Request, ValidateError> {
    validate_upload_id(upload_id)?;
    for p in parts {
        validate_part_number(p.part_number)?;
    }
    let mut r = object_request(ep, Method::Post, bucket, key)?;
    r.push_query("uploadId", Some(upload_id.to_owned()));
    let doc = CompleteMultipartUpload {
        parts: parts.to_vec(),
    };
    xml_body(&mut r, doc.to_xml());
    Ok(r)
}

/// AbortMultipartUpload: `DELETE /key?uploadId=ID`.
pub fn abort_multipart_upload(
    ep: &Endpoint,
    bucket: &str,
    key: &str,
    upload_id: &str,
) -> Result<Request, ValidateError> {
    validate_upload_id(upload_id)?;
    let mut r = object_request(ep, Method::Delete, bucket, key)?;
    r.push_query("uploadId", Some(upload_id.to_owned()));
    Ok(r)
}

/// ListParts: `GET /key?uploadId=ID` with `max-parts` and `part-number-marker`.
pub fn list_parts(
    ep: &Endpoint,
    bucket: &str,
    key: &str,
    upload_id: &str,
    max_parts: Option<u32>,
    part_number_marker: Option<u32>,
) -> Result<Request, ValidateError> {
    validate_upload_id(upload_id)?;
    let mut r = object_request(ep, Method::Get, bucket, key)?;
    r.push_query("uploadId", Some(upload_id.to_owned()));
    if let Some(m) = max_parts {
        r.push_query("max-parts", Some(m.to_string()));
    }
    if let Some(m) = part_number_marker {
        r.push_query("part-number-marker", Some(m.to_string()));
    }
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sse::SseAlgorithm;

    fn ep() -> Endpoint {
        Endpoint::parse("https://oss-cn-hangzhou.aliyuncs.com").unwrap()
    }

    #[test]
    fn bucket_names() {
        for ok in ["abc", "a-b", "0-9-0", &"x".repeat(63)] {
            assert!(validate_bucket_name(ok).is_ok(), "{ok}");
        }
        for bad in [
            "ab",
            "-ab",
            "ab-",
            "Abc",
            "a_b",
            "a.b",
            "",
            &"x".repeat(64),
            "中文中",
        ] {
            assert!(validate_bucket_name(bad).is_err(), "{bad}");
        }
        assert!(create_bucket(&ep(), "Bad").is_err());
    }

    #[test]
    fn object_keys() {
        assert!(validate_object_key("").is_err());
        assert!(validate_object_key(&"k".repeat(1023)).is_ok());
        assert!(validate_object_key(&"k".repeat(1024)).is_err());
        assert!(validate_object_key(&"中".repeat(341)).is_ok());
        assert!(validate_object_key(&"中".repeat(342)).is_err());
        assert!(put_object(&ep(), "bucket", "", Body::Empty, None).is_err());
    }

    #[test]
    fn bucket_encryption_requests() {
        let rule = ServerSideEncryptionRule::kms(Some("k"), None);
        let r = put_bucket_encryption(&ep(), "bucket", &rule).unwrap();
        assert_eq!(
            r.url(),
            "https://bucket.oss-cn-hangzhou.aliyuncs.com/?encryption"
        );
        assert_eq!(r.method, Method::Put);
        let body = r.body.bytes().unwrap();
        assert_eq!(
            r.headers.get("content-md5"),
            Some(content_md5(body).as_str())
        );
        assert_eq!(ServerSideEncryptionRule::from_xml(body).unwrap(), rule);
        let r = get_bucket_encryption(&ep(), "bucket").unwrap();
        assert_eq!(r.path_and_query(), "/?encryption");
        assert_eq!(
            delete_bucket_encryption(&ep(), "bucket").unwrap().method,
            Method::Delete
        );
        assert_eq!(
            get_bucket_info(&ep(), "bucket").unwrap().path_and_query(),
            "/?bucketInfo"
        );
    }

    #[test]
    fn object_requests() {
        let enc = ObjectEncryption::new(SseAlgorithm::Kms, Some("kid"), None).unwrap();
        let r = put_object(
            &ep(),
            "bucket",
            "a b",
            Body::Bytes(b"hello".to_vec()),
            Some(&enc),
        )
        .unwrap();
        assert_eq!(r.path, "/a%20b");
        assert_eq!(
            r.headers.get("content-md5"),
            Some("XUFAKrxLKna5cZ2REBfFkg==")
        );
        assert_eq!(r.headers.get("x-oss-server-side-encryption"), Some("KMS"));
        assert_eq!(
            r.headers.get("x-oss-server-side-encryption-key-id"),
            Some("kid")
        );
        let r = get_object(&ep(), "bucket", "k", Some(ByteRange::new(0, 99).unwrap())).unwrap();
        assert_eq!(r.headers.get("range"), Some("bytes=0-99"));
        let r = copy_object(&ep(), "src", "a b/c", "bucket", "d", None).unwrap();
        assert_eq!(r.headers.get("x-oss-copy-source"), Some("/src/a%20b/c"));
        let r = initiate_multipart_upload(&ep(), "bucket", "k", Some(&enc)).unwrap();
        assert_eq!(r.path_and_query(), "/k?uploads");
        let r = upload_part(&ep(), "bucket", "k", "U1", 3, Body::Streamed { length: 5 }).unwrap();
        assert_eq!(r.path_and_query(), "/k?partNumber=3&uploadId=U1");
        assert!(upload_part(&ep(), "bucket", "k", "U1", 0, Body::Empty).is_err());
        assert!(upload_part(&ep(), "bucket", "k", "", 1, Body::Empty).is_err());
        let parts = [CompletedPart {
            part_number: 1,
            etag: "\"E1\"".into(),
        }];
        let r = complete_multipart_upload(&ep(), "bucket", "k", "U1", &parts).unwrap();
        let doc = CompleteMultipartUpload::from_xml(r.body.bytes().unwrap()).unwrap();
        assert_eq!(doc.parts, parts);
        assert_eq!(
            abort_multipart_upload(&ep(), "bucket", "k", "U1")
                .unwrap()
                .method,
            Method::Delete
        );
        let r = list_parts(&ep(), "bucket", "k", "U1", Some(10), Some(2)).unwrap();
        assert_eq!(
            r.path_and_query(),
            "/k?uploadId=U1&max-parts=10&part-number-marker=2"
        );
        assert_eq!(
            delete_object(&ep(), "bucket", "k").unwrap().method,
            Method::Delete
        );
        assert_eq!(
            head_object(&ep(), "bucket", "k").unwrap().method,
            Method::Head
        );
    }

    #[test]
    fn listing_requests() {
        let p = ListParams {
            prefix: Some("a/".into()),
            marker: Some("a/b".into()),
            delimiter: Some("/".into()),
            max_keys: Some(10),
            url_encoding: true,
            ..Default::default()
        };
        let r = list_objects(&ep(), "bucket", &p).unwrap();
        assert_eq!(
            r.path_and_query(),
            "/?prefix=a%2F&marker=a%2Fb&delimiter=%2F&max-keys=10&encoding-type=url"
        );
        let r = list_objects_v2(&ep(), "bucket", &p).unwrap();
        assert!(r
            .path_and_query()
            .starts_with("/?list-type=2&prefix=a%2F&start-after=a%2Fb"));
        let r = list_buckets(&ep(), &ListParams::default());
        assert_eq!(r.url(), "https://oss-cn-hangzhou.aliyuncs.com/");
        let path = Endpoint::parse("http://127.0.0.1:9000").unwrap();
        assert_eq!(
            create_bucket(&path, "bucket").unwrap().url(),
            "http://127.0.0.1:9000/bucket/"
        );
        assert_eq!(
            delete_bucket(&path, "bucket").unwrap().method,
            Method::Delete
        );
    }

    #[test]
    fn ranges() {
        assert_eq!(
            ByteRange::parse("bytes=0-99"),
            Some(ByteRange::FromTo(0, 99))
        );
        assert_eq!(ByteRange::parse("bytes=5-"), Some(ByteRange::From(5)));
        assert_eq!(ByteRange::parse("bytes=-5"), Some(ByteRange::Suffix(5)));
        for bad in [
            "bytes=9-1",
            "bytes=a-b",
            "items=0-1",
            "bytes=0-1,2-3",
            "bytes=-",
            "bytes=+1-2",
        ] {
            assert_eq!(ByteRange::parse(bad), None, "{bad}");
        }
        assert_eq!(ByteRange::FromTo(0, 99).resolve(10), Some((0, 9)));
        assert_eq!(ByteRange::From(10).resolve(10), None);
        assert_eq!(ByteRange::Suffix(3).resolve(10), Some((7, 9)));
        assert_eq!(ByteRange::Suffix(30).resolve(10), Some((0, 9)));
        assert_eq!(ByteRange::Suffix(0).resolve(10), None);
        assert_eq!(ByteRange::FromTo(0, 0).resolve(0), None);
        assert!(ByteRange::new(2, 1).is_err());
    }
}
