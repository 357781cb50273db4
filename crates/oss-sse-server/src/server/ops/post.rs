//! PostObject: a browser form upload, `POST /` to a bucket with a `multipart/form-data` body. The form
//! fields (bounded, read into memory) carry the key, the signed policy and the object's headers; the
//! `file` field, which must come last, is streamed into storage through the same write path as
//! PutObject (durability, CRC-64, ETag, encryption at rest).

use std::collections::BTreeMap;
use std::io;
use std::sync::Arc;

use bytes::{Bytes, BytesMut};
use http::{HeaderMap, HeaderName, HeaderValue, Response, StatusCode};
use hyper::body::Incoming;
use oss_sse_core::credentials::{constant_time_eq, Credentials};
use oss_sse_core::encoding::base64_decode;
use oss_sse_core::sign::{v1, v4};
use oss_sse_core::time::Timestamp;

use super::object::{self, write_meta, WriteMeta};
use super::quoted;
use crate::encryption::WriteKey;
use crate::error::ApiError;
use crate::server::body::{self, Body, WRITE_CHUNK};
use crate::server::route::{check_key, Op, Target};
use crate::server::service::{self, Ctx};
use crate::server::{auth, sse, State};
use crate::storage::body::{SegmentWriter, WrittenSegment};
use crate::users::Principal;
use crate::xml::XmlWriter;

/// The most bytes of form (boundaries, part headers, fields) accepted before the `file` field's data.
pub const MAX_FORM_FIELDS: usize = 64 * 1024;

/// True when a request is a PostObject: `POST` to a bucket (no key, no sub-resource) with a
/// `multipart/form-data` body.
pub fn is_post_object(method: &http::Method, target: &Target, headers: &HeaderMap) -> bool {
    method == http::Method::POST
        && target.bucket.is_some()
        && target.key.is_none()
        && target.query.is_empty()
        && headers
            .get(http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| {
                v.trim_start()
                    .to_ascii_lowercase()
                    .starts_with("multipart/form-data")
            })
}

fn malformed(message: &str) -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "MalformedPOSTRequest",
        format!("The body of your POST request is not well-formed multipart/form-data: {message}"),
    )
}

fn invalid_policy(message: &str) -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "InvalidPolicyDocument",
        format!("Invalid Policy: {message}"),
    )
}

fn policy_failed(message: &str) -> ApiError {
    ApiError::access_denied(format!("Invalid according to Policy: {message}"))
}

/// The boundary parameter of a `multipart/form-data` content type.
pub fn boundary(content_type: &str) -> Result<String, ApiError> {
    for param in content_type.split(';').skip(1) {
        if let Some((n, v)) = param.split_once('=') {
            if n.trim().eq_ignore_ascii_case("boundary") {
                let v = v.trim().trim_matches('"');
                if v.is_empty() || v.len() > 70 {
                    break;
                }
                return Ok(v.to_owned());
            }
        }
    }
    Err(malformed("no valid boundary in Content-Type"))
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || hay.len() < needle.len() {
        return None;
    }
    hay.windows(needle.len()).position(|w| w == needle)
}

/// One part's `Content-Disposition` name and filename, and its `Content-Type`.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct PartHead {
    /// The field name.
    pub name: String,
    /// The file name, for a file part.
    pub filename: Option<String>,
    /// The part's own content type.
    pub content_type: Option<String>,
}

fn disposition_param(value: &str, param: &str) -> Option<String> {
    // Parameters are `; name="v"` with quotes, or bare tokens; quoted values may hold `;`.
    let mut rest = value;
    while let Some(i) = rest.find(';') {
        rest = rest[i + 1..].trim_start();
        let (n, after) = rest.split_once('=')?;
        let n = n.trim();
        let (v, next) = if let Some(q) = after.strip_prefix('"') {
            let end = q.find('"')?;
            (&q[..end], &q[end + 1..])
        } else {
            let end = after.find(';').unwrap_or(after.len());
            (after[..end].trim(), &after[end..])
        };
        if n.eq_ignore_ascii_case(param) {
            return Some(v.to_owned());
        }
        rest = next;
    }
    None
}

/// Parses the header block of a part (the bytes before its blank line).
pub fn parse_part_head(block: &[u8]) -> Result<PartHead, ApiError> {
    let text = std::str::from_utf8(block).map_err(|_| malformed("part headers are not UTF-8"))?;
    let mut head = PartHead::default();
    let mut named = false;
    for line in text.split("\r\n").filter(|l| !l.is_empty()) {
        let (n, v) = line
            .split_once(':')
            .ok_or_else(|| malformed("a part header has no colon"))?;
        if n.trim().eq_ignore_ascii_case("content-disposition") {
            let v = v.trim();
            if !v.to_ascii_lowercase().starts_with("form-data") {
                return Err(malformed("a part is not form-data"));
            }
            head.name =
                disposition_param(v, "name").ok_or_else(|| malformed("a part has no name"))?;
            head.filename = disposition_param(v, "filename");
            named = true;
        } else if n.trim().eq_ignore_ascii_case("content-type") {
            head.content_type = Some(v.trim().to_owned());
        }
    }
    if !named {
        return Err(malformed("a part has no Content-Disposition"));
    }
    Ok(head)
}

/// The form fields before `file`, with the file part's own head.
pub struct Form {
    /// Fields by lower-case name (the first of duplicates).
    pub fields: BTreeMap<String, String>,
    /// The `file` part's head.
    pub file: PartHead,
}

impl Form {
    /// A field's value.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.fields
            .get(&name.to_ascii_lowercase())
            .map(String::as_str)
    }
}

/// Reads a multipart body: the bounded field section, then the file data a chunk at a time.
pub struct FormReader<'a> {
    body: &'a mut Incoming,
    idle: std::time::Duration,
    buf: BytesMut,
    /// `\r\n--boundary`: what ends every part's data.
    delimiter: Vec<u8>,
    ended: bool,
    file_done: bool,
}

impl<'a> FormReader<'a> {
    /// A reader over `body` with `boundary`.
    pub fn new(body: &'a mut Incoming, boundary: &str, idle: std::time::Duration) -> Self {
        FormReader {
            body,
            idle,
            buf: BytesMut::new(),
            delimiter: format!("\r\n--{boundary}").into_bytes(),
            ended: false,
            file_done: false,
        }
    }

    /// Reads one more frame into the buffer; false at the end of the body.
    async fn fill(&mut self) -> Result<bool, ApiError> {
        if self.ended {
            return Ok(false);
        }
        match body::next_frame(self.body, self.idle).await? {
            Some(d) => {
                self.buf.extend_from_slice(&d);
                Ok(true)
            }
            None => {
                self.ended = true;
                Ok(false)
            }
        }
    }

    /// Fills until `needle` is in the buffer (its position), within the field-section bound.
    async fn fill_until(&mut self, needle: &[u8], consumed: usize) -> Result<usize, ApiError> {
        loop {
            if let Some(p) = find(&self.buf, needle) {
                if consumed + p > MAX_FORM_FIELDS {
                    return Err(form_too_large());
                }
                return Ok(p);
            }
            if consumed + self.buf.len() > MAX_FORM_FIELDS + needle.len() {
                return Err(form_too_large());
            }
            if !self.fill().await? {
                return Err(malformed("the body ended inside the form"));
            }
        }
    }

    /// Reads every field up to the head of the `file` part.
    pub async fn read_fields(&mut self) -> Result<Form, ApiError> {
        // The first boundary has no leading CRLF; prefixing one lets one delimiter match every boundary.
        self.buf.extend_from_slice(b"\r\n");
        let mut consumed = 0usize;
        let delim = self.delimiter.clone();
        let p = self.fill_until(&delim, consumed).await?;
        let _preamble = self.buf.split_to(p + delim.len());
        consumed += p + delim.len();
        let mut fields = BTreeMap::new();
        loop {
            // After a boundary: `--` ends the body, CRLF starts a part.
            while self.buf.len() < 2 {
                if !self.fill().await? {
                    return Err(malformed("the body ended after a boundary"));
                }
            }
            if &self.buf[..2] == b"--" {
                return Err(invalid_file_missing());
            }
            // Transport padding (spaces/tabs) may precede the CRLF.
            let eol = self.fill_until(b"\r\n", consumed).await?;
            if self.buf[..eol].iter().any(|b| *b != b' ' && *b != b'\t') {
                return Err(malformed("garbage after a boundary"));
            }
            let _ = self.buf.split_to(eol + 2);
            consumed += eol + 2;
            let h = self.fill_until(b"\r\n\r\n", consumed).await?;
            let head_block = self.buf.split_to(h + 4);
            consumed += h + 4;
            let head = parse_part_head(&head_block[..h])?;
            if head.name.eq_ignore_ascii_case("file") {
                return Ok(Form { fields, file: head });
            }
            let v = self.fill_until(&delim, consumed).await?;
            let value = self.buf.split_to(v);
            let _ = self.buf.split_to(delim.len());
            consumed += v + delim.len();
            let value = String::from_utf8_lossy(&value).into_owned();
            fields
                .entry(head.name.to_ascii_lowercase())
                .or_insert(value);
        }
    }

    /// The next piece of the file's data; `None` once its closing boundary has been seen.
    pub async fn next_file_chunk(&mut self) -> Result<Option<Bytes>, ApiError> {
        if self.file_done {
            return Ok(None);
        }
        loop {
            if let Some(p) = find(&self.buf, &self.delimiter) {
                // What follows the closing boundary (other fields, the epilogue) is ignored: `file`
                // must be the last field.
                self.file_done = true;
                let data = self.buf.split_to(p).freeze();
                self.buf.clear();
                return Ok(Some(data));
            }
            // Everything but a possible delimiter prefix at the end is file data.
            let keep = self.delimiter.len() - 1;
            if self.buf.len() > keep {
                let n = self.buf.len() - keep;
                let data = self.buf.split_to(n).freeze();
                return Ok(Some(data));
            }
            if !self.fill().await? {
                return Err(malformed("the file field has no closing boundary"));
            }
        }
    }
}

fn form_too_large() -> ApiError {
    ApiError::invalid_argument(format!(
        "The form fields before the file field exceed {MAX_FORM_FIELDS} bytes."
    ))
}

fn invalid_file_missing() -> ApiError {
    ApiError::invalid_argument("The file field is required and must be the last field of the form.")
}

/// The policy document's content-length-range, when it has one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LengthRange {
    /// Smallest size allowed.
    pub min: u64,
    /// Largest size allowed.
    pub max: u64,
}

/// Checks a decoded policy document against the form: expiration, then every condition except the
/// content-length-range, which is returned to be enforced while the file streams.
pub fn check_policy(
    policy: &[u8],
    bucket: &str,
    key: &str,
    form: &Form,
    now: Timestamp,
) -> Result<Option<LengthRange>, ApiError> {
    let doc: serde_json::Value =
        serde_json::from_slice(policy).map_err(|_| invalid_policy("the policy is not JSON"))?;
    let obj = doc
        .as_object()
        .ok_or_else(|| invalid_policy("the policy is not a JSON object"))?;
    let exp = obj
        .get("expiration")
        .and_then(|v| v.as_str())
        .ok_or_else(|| invalid_policy("the policy has no expiration"))?;
    let exp = Timestamp::parse_iso8601_extended(exp)
        .map_err(|_| invalid_policy("the expiration is not an ISO 8601 time"))?;
    if now > exp {
        return Err(policy_failed("Policy expired."));
    }
    let conditions = obj
        .get("conditions")
        .and_then(|v| v.as_array())
        .ok_or_else(|| invalid_policy("the policy has no conditions array"))?;
    let value_of = |field: &str| -> String {
        let f = field
            .strip_prefix('$')
            .unwrap_or(field)
            .to_ascii_lowercase();
        match f.as_str() {
            "bucket" => bucket.to_owned(),
            "key" => key.to_owned(),
            _ => form.get(&f).unwrap_or("").to_owned(),
        }
    };
    let mut range = None;
    for c in conditions {
        match c {
            serde_json::Value::Object(m) => {
                for (field, want) in m {
                    let want = want
                        .as_str()
                        .ok_or_else(|| invalid_policy("a condition value is not a string"))?;
                    if value_of(field) != want {
                        return Err(policy_failed(&format!(
                            "Policy Condition failed: [\"eq\", \"${field}\", \"{want}\"]"
                        )));
                    }
                }
            }
            serde_json::Value::Array(a) if a.len() == 3 => {
                let op = a[0]
                    .as_str()
                    .ok_or_else(|| invalid_policy("a condition operator is not a string"))?
                    .to_ascii_lowercase();
                match op.as_str() {
                    "eq" | "starts-with" => {
                        let (Some(field), Some(want)) = (a[1].as_str(), a[2].as_str()) else {
                            return Err(invalid_policy("a condition's operands are not strings"));
                        };
                        if !field.starts_with('$') {
                            return Err(invalid_policy("a condition field does not start with $"));
                        }
                        let have = value_of(field);
                        let ok = if op == "eq" {
                            have == want
                        } else {
                            have.starts_with(want)
                        };
                        if !ok {
                            return Err(policy_failed(&format!(
                                "Policy Condition failed: [\"{op}\", \"{field}\", \"{want}\"]"
                            )));
                        }
                    }
                    "content-length-range" => {
                        let (Some(min), Some(max)) = (a[1].as_u64(), a[2].as_u64()) else {
                            return Err(invalid_policy(
                                "content-length-range bounds are not non-negative integers",
                            ));
                        };
                        if min > max {
                            return Err(invalid_policy("content-length-range min exceeds max"));
                        }
                        range = Some(LengthRange { min, max });
                    }
                    _ => return Err(invalid_policy("unknown condition operator")),
                }
            }
            _ => {
                return Err(invalid_policy(
                    "a condition is neither an object nor a triple",
                ))
            }
        }
    }
    Ok(range)
}

/// Verifies the form's signature over its base64 policy (V1 or V4) and returns the signer.
fn authenticate_form(
    state: &State,
    form: &Form,
    policy_b64: &str,
    now: Timestamp,
) -> Result<Principal, ApiError> {
    let (creds, given, expected): (Credentials, String, String) =
        if let Some(version) = form.get("x-oss-signature-version") {
            if version != "OSS4-HMAC-SHA256" {
                return Err(ApiError::invalid_argument(
                    "x-oss-signature-version must be OSS4-HMAC-SHA256.",
                ));
            }
            let credential = form.get("x-oss-credential").ok_or_else(|| {
                ApiError::invalid_argument("The x-oss-credential field is required.")
            })?;
            let given = form.get("x-oss-signature").ok_or_else(|| {
                ApiError::invalid_argument("The x-oss-signature field is required.")
            })?;
            let date = form
                .get("x-oss-date")
                .ok_or_else(|| ApiError::invalid_argument("The x-oss-date field is required."))?;
            let parts: Vec<&str> = credential.split('/').collect();
            let [ak, day, region, product, "aliyun_v4_request"] = parts[..] else {
                return Err(ApiError::invalid_argument("x-oss-credential is malformed."));
            };
            if Timestamp::parse_iso8601_basic(date).is_err() || !date.starts_with(day) {
                return Err(ApiError::invalid_argument(
                    "x-oss-date is not the credential's day in ISO 8601 basic format.",
                ));
            }
            let creds = lookup(state, ak)?;
            let scope = v4::Scope {
                date: day.to_owned(),
                region: region.to_owned(),
                product: product.to_owned(),
            };
            let key = v4::SigningKey::derive(&creds.secret, &scope);
            let expected = key.sign(policy_b64);
            (creds, given.to_owned(), expected)
        } else {
            let ak = form
                .get("ossaccesskeyid")
                .ok_or_else(|| ApiError::access_denied("The form is not signed."))?;
            let given = form
                .get("signature")
                .ok_or_else(|| ApiError::invalid_argument("The Signature field is required."))?;
            let creds = lookup(state, ak)?;
            let expected = v1::signature(&creds.secret, policy_b64);
            (creds, given.to_owned(), expected)
        };
    if !constant_time_eq(given.as_bytes(), expected.as_bytes()) {
        return Err(ApiError::access_denied(
            "The request signature we calculated does not match the signature you provided.",
        ));
    }
    if let Some(token) = &creds.security_token {
        let sent = form.get("x-oss-security-token").unwrap_or("");
        if !constant_time_eq(sent.as_bytes(), token.as_bytes()) {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "InvalidSecurityToken",
                "The security token you provided is invalid.",
            )
            .with_ec("0002-00000006"));
        }
    }
    let (principal, expires) = state
        .directory
        .principal(&creds.access_key_id)
        .ok_or_else(ApiError::internal)?;
    if expires.is_some_and(|exp| now > exp) {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "InvalidSecurityToken",
            "The security token you provided has expired.",
        )
        .with_ec("0002-00000007"));
    }
    Ok(principal)
}

fn lookup(state: &State, ak: &str) -> Result<Credentials, ApiError> {
    state.directory.credentials(ak).ok_or_else(|| {
        ApiError::new(
            StatusCode::FORBIDDEN,
            "InvalidAccessKeyId",
            "The OSS Access Key Id you provided does not exist in our records.",
        )
        .with("OSSAccessKeyId", ak)
    })
}

/// Form fields that become request headers of the write (content type, stored headers, metadata, SSE).
fn form_headers(form: &Form) -> HeaderMap {
    const PASSED: &[&str] = &[
        "content-type",
        "cache-control",
        "content-disposition",
        "content-encoding",
        "content-language",
        "expires",
        "x-oss-forbid-overwrite",
        "x-oss-server-side-encryption",
        "x-oss-server-side-encryption-key-id",
        "x-oss-server-side-data-encryption",
    ];
    let mut h = HeaderMap::new();
    for (n, v) in &form.fields {
        if PASSED.contains(&n.as_str()) || n.starts_with("x-oss-meta-") {
            if let (Ok(n), Ok(v)) = (
                HeaderName::from_bytes(n.as_bytes()),
                HeaderValue::from_str(v),
            ) {
                h.insert(n, v);
            }
        }
    }
    if !h.contains_key("content-type") {
        if let Some(ct) = form
            .file
            .content_type
            .as_deref()
            .and_then(|c| HeaderValue::from_str(c).ok())
        {
            h.insert(http::header::CONTENT_TYPE, ct);
        }
    }
    h
}

/// The key the form names, with `${filename}` replaced by the uploaded file's name.
pub fn form_key(form: &Form) -> Result<String, ApiError> {
    let key = form
        .get("key")
        .ok_or_else(|| ApiError::invalid_argument("The key field is required."))?;
    let key = if key.contains("${filename}") {
        let name = form.file.filename.as_deref().unwrap_or("");
        // Browsers may send a full path; only the last component is the file's name.
        let base = name.rsplit(['/', '\\']).next().unwrap_or("");
        key.replace("${filename}", base)
    } else {
        key.to_owned()
    };
    check_key(&key)?;
    Ok(key)
}

/// Serves a PostObject request.
pub async fn post_object(
    state: Arc<State>,
    headers: &HeaderMap,
    target: Target,
    incoming: &mut Incoming,
    request_id: String,
    now: Timestamp,
) -> Result<Response<Body>, ApiError> {
    let content_type = headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let boundary = boundary(content_type)?;
    let bucket = target.bucket.clone().unwrap_or_default();
    let mut reader = FormReader::new(incoming, &boundary, state.limits.body_idle_timeout);
    let form = reader.read_fields().await?;
    let key = form_key(&form)?;
    let policy_b64 = form
        .get("policy")
        .ok_or_else(|| {
            ApiError::access_denied("The form has no policy; anonymous uploads are not allowed.")
        })?
        .to_owned();
    let principal = authenticate_form(&state, &form, &policy_b64, now)?;
    let policy =
        base64_decode(&policy_b64).map_err(|_| invalid_policy("the policy is not base64"))?;
    let range = check_policy(&policy, &bucket, &key, &form, now)?;
    let resource = auth::resource(
        &state.region,
        state.directory.account_id(),
        Some(&bucket),
        Some(&key),
    );
    auth::authorize_action(&principal, Op::PutObject.action(), &resource)?;
    let h = form_headers(&form);
    let pairs = service::header_pairs(&h);
    let ctx = Ctx {
        state,
        method: http::Method::POST,
        headers: h,
        header_pairs: pairs,
        target: Target {
            bucket: Some(bucket),
            key: Some(key),
            query: Vec::new(),
        },
        op: Op::PutObject,
        principal,
        request_id,
        now,
    };
    let status = match form.get("success_action_status") {
        Some("200") => StatusCode::OK,
        Some("201") => StatusCode::CREATED,
        _ => StatusCode::NO_CONTENT,
    };
    store(&ctx, &mut reader, range, status).await
}

async fn store(
    ctx: &Ctx,
    reader: &mut FormReader<'_>,
    range: Option<LengthRange>,
    status: StatusCode,
) -> Result<Response<Body>, ApiError> {
    // The form's SSE fields are validated and take precedence exactly as PutObject's headers do.
    let sse_req = sse::request_sse(Op::PutObject, &ctx.header_pairs)?;
    let meta_in: WriteMeta = write_meta(&ctx.headers)?;
    let bucket = ctx
        .state
        .store
        .bucket(ctx.bucket())
        .map_err(|e| ctx.store_error(e))?;
    let mut desc = sse::resolve(sse_req.as_ref(), bucket.meta().encryption.as_ref());
    if object::forbid_overwrite(ctx) && ctx.state.store.get(ctx.bucket(), ctx.key()).is_ok() {
        return Err(object::exists_error(ctx, object::file_already_exists()));
    }
    let wk = object::write_key(ctx, &mut desc, ctx.bucket(), ctx.key()).await?;
    let sealer = wk.as_ref().map(WriteKey::object_sealer).transpose()?;
    let writer = object::new_writer(ctx, sealer).await?;
    let max = range.map_or(ctx.state.limits.max_object_size, |r| {
        r.max.min(ctx.state.limits.max_object_size)
    });
    let seg = receive_file(reader, writer, max).await?;
    if let Some(r) = range {
        if seg.segment.len < r.min {
            object::discard(ctx, &seg.segment.blob);
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "EntityTooSmall",
                "Your proposed upload is smaller than the minimum allowed size.",
            )
            .with("MinSizeAllowed", r.min.to_string()));
        }
    }
    let committed = object::commit_single(ctx, desc, wk, &seg, meta_in).await?;
    let mut resp = if status == StatusCode::CREATED {
        let mut w = XmlWriter::new();
        w.open("PostResponse")
            .elem("Bucket", ctx.bucket())
            .elem(
                "Location",
                &format!(
                    "http://{}/{}/{}",
                    ctx.state.local_addr,
                    ctx.bucket(),
                    oss_sse_core::encoding::uri_encode(ctx.key(), true)
                ),
            )
            .elem("Key", ctx.key())
            .elem("ETag", &quoted(&committed.meta.etag))
            .close();
        let mut r = service::xml(w.finish());
        *r.status_mut() = StatusCode::CREATED;
        r
    } else {
        service::empty(status)
    };
    object::write_response(&mut resp, &committed.meta);
    Ok(resp)
}

fn entity_too_large(max: u64) -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "EntityTooLarge",
        "Your proposed upload exceeds the maximum allowed size.",
    )
    .with("MaxSizeAllowed", max.to_string())
}

async fn join_write(
    pending: tokio::task::JoinHandle<io::Result<SegmentWriter>>,
) -> Result<SegmentWriter, ApiError> {
    match pending.await {
        Ok(Ok(w)) => Ok(w),
        Ok(Err(e)) => {
            tracing::error!(error = %e, "writing posted object body");
            Err(ApiError::internal())
        }
        Err(_) => Err(ApiError::internal()),
    }
}

/// Streams the file's data into `writer` (a buffer of at most [`WRITE_CHUNK`] is written while the next
/// fills), refusing more than `max` bytes; finishes (fsyncs) the segment. On failure the writer is
/// dropped, which removes the blob.
async fn receive_file(
    reader: &mut FormReader<'_>,
    writer: SegmentWriter,
    max: u64,
) -> Result<WrittenSegment, ApiError> {
    let mut writer = Some(writer);
    let mut buf = BytesMut::new();
    let mut total = 0u64;
    let mut pending: Option<tokio::task::JoinHandle<io::Result<SegmentWriter>>> = None;
    loop {
        let chunk = reader.next_file_chunk().await?;
        let done = chunk.is_none();
        if let Some(c) = chunk {
            total += c.len() as u64;
            if total > max {
                return Err(entity_too_large(max));
            }
            buf.extend_from_slice(&c);
        }
        if buf.len() >= WRITE_CHUNK || (done && !buf.is_empty()) {
            if let Some(p) = pending.take() {
                writer = Some(join_write(p).await?);
            }
            let mut w = writer.take().ok_or_else(ApiError::internal)?;
            let data = buf.split().freeze();
            pending = Some(tokio::task::spawn_blocking(move || {
                w.write(&data).map(|_| w)
            }));
        }
        if done {
            break;
        }
    }
    if let Some(p) = pending.take() {
        writer = Some(join_write(p).await?);
    }
    let writer = writer.ok_or_else(ApiError::internal)?;
    match tokio::task::spawn_blocking(move || writer.finish()).await {
        Ok(Ok(seg)) => Ok(seg),
        Ok(Err(e)) => {
            tracing::error!(error = %e, "finishing posted object body");
            Err(ApiError::internal())
        }
        Err(_) => Err(ApiError::internal()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(fields: &[(&str, &str)], filename: Option<&str>) -> Form {
        Form {
            fields: fields
                .iter()
                .map(|(k, v)| (k.to_ascii_lowercase(), (*v).to_owned()))
                .collect(),
            file: PartHead {
                name: "file".into(),
                filename: filename.map(str::to_owned),
                content_type: None,
            },
        }
    }

    #[test]
    fn boundaries_and_part_heads() {
        assert_eq!(
            boundary("multipart/form-data; boundary=\"abc\"").unwrap(),
            "abc"
        );
        assert_eq!(
            boundary("multipart/form-data").unwrap_err().code,
            "MalformedPOSTRequest"
        );
        let h = parse_part_head(
            b"Content-Disposition: form-data; name=\"file\"; filename=\"a;b.txt\"\r\nContent-Type: text/plain",
        )
        .unwrap();
        assert_eq!(h.name, "file");
        assert_eq!(h.filename.as_deref(), Some("a;b.txt"));
        assert_eq!(h.content_type.as_deref(), Some("text/plain"));
        assert!(parse_part_head(b"Content-Type: x").is_err());
    }

    #[test]
    fn key_substitution() {
        let f = form(&[("key", "up/${filename}")], Some("C:\\dir\\photo.jpg"));
        assert_eq!(form_key(&f).unwrap(), "up/photo.jpg");
        assert_eq!(
            form_key(&form(&[], None)).unwrap_err().code,
            "InvalidArgument"
        );
    }

    #[test]
    fn policy_conditions() {
        let now = Timestamp::from_unix(1_700_000_000);
        let f = form(&[("key", "user/a"), ("x-oss-meta-a", "1")], None);
        let doc = br#"{"expiration": "2030-01-01T00:00:00.000Z", "conditions": [
            {"bucket": "b"}, ["starts-with", "$key", "user/"], ["eq", "$x-oss-meta-a", "1"],
            {"x-oss-meta-a": "1"}, ["content-length-range", 1, 10]]}"#;
        assert_eq!(
            check_policy(doc, "b", "user/a", &f, now).unwrap(),
            Some(LengthRange { min: 1, max: 10 })
        );
        let code = |d: &[u8]| check_policy(d, "b", "user/a", &f, now).unwrap_err().code;
        assert_eq!(
            code(br#"{"expiration": "2030-01-01T00:00:00Z", "conditions": [["starts-with", "$key", "other/"]]}"#),
            "AccessDenied"
        );
        assert_eq!(
            code(br#"{"expiration": "2001-01-01T00:00:00Z", "conditions": []}"#),
            "AccessDenied"
        );
        assert_eq!(
            code(br#"{"expiration": "2030-01-01T00:00:00Z", "conditions": [["in", "$key", "x"]]}"#),
            "InvalidPolicyDocument"
        );
        assert_eq!(
            code(br#"{"expiration": "2030-01-01T00:00:00Z", "conditions": [{"bucket": "c"}]}"#),
            "AccessDenied"
        );
        assert_eq!(code(b"not json"), "InvalidPolicyDocument");
        assert_eq!(code(br#"{"conditions": []}"#), "InvalidPolicyDocument");
    }

    proptest::proptest! {
        // Fuzz of the pure parsers: arbitrary part headers, content types and policy documents never
        // panic and fail only with an OSS error.
        #[test]
        fn parsers_never_panic(
            head in "\\PC{0,200}",
            ct in "\\PC{0,100}",
            policy in proptest::prop_oneof![
                "\\PC{0,200}",
                "\\{\"expiration\": \"20[0-9]{2}-01-01T00:00:00Z\", \"conditions\": \\[(\\[\"(eq|starts-with|content-length-range|x)\", (\"\\$key\"|-?[0-9]{1,20}|\"a\"), (\"a\"|-?[0-9]{1,20})\\]|\\{\"(bucket|key|k)\": (\"a\"|1)\\}|null)?\\]\\}",
            ],
        ) {
            let _ = parse_part_head(head.as_bytes());
            let _ = boundary(&ct);
            let f = form(&[("key", "a"), ("k", "a")], Some("a"));
            if let Err(e) = check_policy(policy.as_bytes(), "b", "a", &f, Timestamp::from_unix(1_700_000_000)) {
                proptest::prop_assert!(!e.code.is_empty());
            }
        }
    }
}
