//! The client handle and the calls that talk to OSS: buckets, bucket encryption, objects. Each call
//! validates its arguments (bucket names as the C++ SDK does, before anything is sent), runs the
//! blocking oss-sse-client call, and converts the answer into handles or an `oss_sse_error`.

use std::ffi::c_char;
use std::sync::Arc;
use std::time::Duration;

use ::oss_sse_client::{
    Client, DataEncryption, Error, GetObjectOptions, PutObjectOptions, PutObjectOutput,
    RetryPolicy, ServerSideEncryptionRule, SignatureVersion, SseAlgorithm,
};

use oss_sse_core::ops::{validate_bucket_name, validate_object_key};

use crate::boundary::{
    arg_bytes, arg_ref, arg_str, call, call_with_error, free_box, FfiResult, Out,
};
use crate::bucket::oss_sse_bucket_info;
use crate::config::{oss_sse_config, oss_sse_signature_version, Proxy};
use crate::credentials::oss_sse_credentials_provider;
use crate::encryption::{
    oss_sse_algorithm, oss_sse_bucket_encryption, oss_sse_set_bucket_encryption_request,
};
use crate::error::oss_sse_error;
use crate::headers::oss_sse_headers;
use crate::object::oss_sse_object;
use crate::result::oss_sse_result;

/// A connection to one OSS endpoint. Owned by the caller; release it with `oss_sse_client_free` once
/// no thread uses it any more.
///
/// Thread-safe: any number of threads may make calls on one client at the same time (connections
/// are pooled); each call blocks its thread until it has an answer or a timeout runs out.
pub struct oss_sse_client {
    pub(crate) inner: Client,
}

// The C contract above promises thread safety; make the compiler hold us to it.
const _: () = {
    const fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<oss_sse_client>();
};

/// The C++ SDK's message for a bucket name it refuses (`ValidateError`).
const BAD_BUCKET: &str =
    "The bucket name is invalid. A bucket name must be comprised of lower-case characters, \
                          numbers or dash(-) with 3-63 characters long.";

/// Refuses a bucket name as the C++ SDK does, before anything is sent.
fn check_bucket(name: &str) -> FfiResult<&str> {
    // oss-sse-core holds the rule; the message is the one C++ SDK users know.
    validate_bucket_name(name)
        .map(|()| name)
        .map_err(|_| oss_sse_error::local(oss_sse_result::InvalidBucketName, BAD_BUCKET))
}

/// A bucket name argument: a valid C string and a valid name.
///
/// # Safety
/// `bucket` is NULL or NUL-terminated.
pub(crate) unsafe fn bucket_arg<'a>(bucket: *const c_char) -> FfiResult<&'a str> {
    // SAFETY: forwarded from this function's contract.
    check_bucket(unsafe { arg_str(bucket, "bucket") }?)
}

/// Checks an object key argument.
///
/// # Safety
/// `key` is NULL or NUL-terminated.
pub(crate) unsafe fn key_arg<'a>(key: *const c_char) -> FfiResult<&'a str> {
    // SAFETY: forwarded from this function's contract.
    let key = unsafe { arg_str(key, "key") }?;
    validate_object_key(key)
        .map_err(|e| oss_sse_error::local(oss_sse_result::InvalidObjectKey, e.to_string()))?;
    Ok(key)
}

/// Turns a client error into the error handle C sees.
pub(crate) fn from_client_error(e: Error) -> Box<oss_sse_error> {
    match e {
        Error::Service(s) => Box::new(oss_sse_error {
            result: oss_sse_result::ServiceError,
            code: s.code.into(),
            message: s.message.into(),
            request_id: s.request_id.into(),
            host_id: s.host_id.into(),
            ec: s.ec.into(),
            http_status: s.status,
        }),
        // ureq words its timeouts "timeout: <which>"; the client passes the text on.
        Error::Transport(m) if m.starts_with("timeout") => oss_sse_error::local(
            oss_sse_result::Timeout,
            format!("the request timed out ({m})"),
        ),
        Error::Transport(m) => oss_sse_error::local(oss_sse_result::TransportError, m),
        Error::InvalidArgument(m) => oss_sse_error::local(oss_sse_result::InvalidArgument, m),
        Error::Credentials(c) => {
            oss_sse_error::local(oss_sse_result::CredentialsError, c.to_string())
        }
        Error::Response(m) => oss_sse_error::local(oss_sse_result::ParseError, m),
        Error::Config(m) => oss_sse_error::local(oss_sse_result::ConfigError, m),
        // The only local streams behind this ABI are the caller's callbacks.
        Error::Io(e) => oss_sse_error::local(oss_sse_result::IoError, e.to_string()),
        // Data that arrived but cannot be trusted, or a transfer stopped midway.
        other @ (Error::CrcMismatch { .. } | Error::Cancelled) => {
            oss_sse_error::local(oss_sse_result::TransportError, other.to_string())
        }
    }
}

/// `http://user:password@host:port`, with the credentials percent-encoded.
fn proxy_url(p: &Proxy) -> String {
    let scheme = p.scheme.as_str();
    let enc = |s: &str| oss_sse_core::encoding::uri_encode(s, false);
    let auth = match (&p.user, &p.password) {
        (Some(u), Some(pw)) => format!("{}:{}@", enc(u), enc(pw)),
        (Some(u), None) => format!("{}@", enc(u)),
        _ => String::new(),
    };
    format!("{scheme}://{auth}{}:{}", p.host, p.port)
}

/// Builds the Rust client a configuration describes.
fn build(
    endpoint: &str,
    config: &oss_sse_config,
    provider: &oss_sse_credentials_provider,
) -> FfiResult<Client> {
    if endpoint.trim().is_empty() {
        return Err(oss_sse_error::local(
            oss_sse_result::InvalidArgument,
            "the endpoint is empty",
        ));
    }
    let endpoint = if endpoint.contains("://") {
        endpoint.to_owned()
    } else {
        format!("{}://{endpoint}", config.scheme.as_str())
    };
    let mut b = Client::builder(endpoint)
        .credentials_provider_arc(Arc::clone(&provider.provider))
        .signature_version(match config.signature_version {
            oss_sse_signature_version::V1 => SignatureVersion::V1,
            oss_sse_signature_version::V4 => SignatureVersion::V4,
        })
        .path_style(config.path_style)
        .cname(config.is_cname)
        .connect_timeout(Duration::from_millis(config.connect_timeout_ms))
        .request_timeout(Duration::from_millis(config.request_timeout_ms))
        .retry_policy(RetryPolicy {
            max_attempts: config.max_retries.saturating_add(1),
            ..RetryPolicy::default()
        })
        .danger_disable_tls_verification(!config.verify_ssl)
        .date_skew_adjustment(config.date_skew_adjustment)
        .crc64_check(config.enable_crc64)
        .max_idle_connections(config.max_connections as usize);
    if let Some(region) = &config.region {
        b = b.region(region.clone());
    }
    if let Some(ua) = &config.user_agent {
        b = b.user_agent(ua.clone());
    }
    if let Some(proxy) = &config.proxy {
        b = b.proxy(proxy_url(proxy));
    }
    if let Some(ca) = &config.ca_file {
        b = b.ca_file(ca.clone());
    }
    // Anything the builder refuses is a configuration problem, whatever its kind.
    b.build()
        .map_err(|e| oss_sse_error::local(oss_sse_result::ConfigError, e.to_string()))
}

/// Creates a client for `endpoint` (`http://127.0.0.1:9000`, `https://oss-cn-hangzhou.aliyuncs.com`,
/// or a bare host, completed with the configuration's scheme). `config` and `provider` are copied or
/// shared, so both may be freed right after this call.
///
/// # Safety
/// `endpoint` is NULL or NUL-terminated; `config` and `provider` are NULL or live handles;
/// `client_out` is NULL or valid for writing one pointer; `err_out` is NULL or valid for writing one
/// pointer.
#[no_mangle]
pub unsafe extern "C" fn oss_sse_client_new(
    endpoint: *const c_char,
    config: *const oss_sse_config,
    provider: *const oss_sse_credentials_provider,
    client_out: *mut *mut oss_sse_client,
    err_out: *mut *mut oss_sse_error,
) -> oss_sse_result {
    let body = || {
        let out = Out::new(client_out, "client_out")?;
        // SAFETY: forwarded from this function's contract.
        let (endpoint, config, provider) = unsafe {
            (
                arg_str(endpoint, "endpoint")?,
                arg_ref(config, "config")?,
                arg_ref(provider, "provider")?,
            )
        };
        let inner = build(endpoint, config, provider)?;
        // SAFETY: checked non-NULL, writable by this function's contract.
        unsafe { out.give(oss_sse_client { inner }) };
        Ok(())
    };
    // SAFETY: `err_out` is NULL or writable, by this function's contract.
    unsafe { call_with_error(err_out, body) }
}

/// Releases a client. NULL is accepted and ignored. No other thread may be using it.
///
/// # Safety
/// `client` is NULL or a client handle not yet freed and not in use.
#[no_mangle]
pub unsafe extern "C" fn oss_sse_client_free(client: *mut oss_sse_client) {
    // SAFETY: forwarded from this function's contract.
    unsafe { free_box(client) }
}

/// Checks a bucket name against OSS's rules (3-63 characters of a-z, 0-9 and '-', not starting or
/// ending with '-') without sending anything: OK, or `OSS_SSE_RESULT_INVALID_BUCKET_NAME`.
///
/// # Safety
/// `bucket` is NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn oss_sse_validate_bucket_name(bucket: *const c_char) -> oss_sse_result {
    call(|| {
        // SAFETY: forwarded from this function's contract.
        unsafe { bucket_arg(bucket) }.map(|_| ())
    })
}

/// Creates a bucket (PutBucket).
///
/// # Safety
/// `client` is NULL or a live client; `bucket` is NULL or NUL-terminated; `err_out` is NULL or
/// valid for writing one pointer.
#[no_mangle]
pub unsafe extern "C" fn oss_sse_client_create_bucket(
    client: *const oss_sse_client,
    bucket: *const c_char,
    err_out: *mut *mut oss_sse_error,
) -> oss_sse_result {
    let body = || {
        // SAFETY: forwarded from this function's contract.
        let (client, bucket) = unsafe { (arg_ref(client, "client")?, bucket_arg(bucket)?) };
        client
            .inner
            .create_bucket(bucket)
            .map_err(from_client_error)?;
        Ok(())
    };
    // SAFETY: `err_out` is NULL or writable, by this function's contract.
    unsafe { call_with_error(err_out, body) }
}

/// Deletes an empty bucket.
///
/// # Safety
/// As for `oss_sse_client_create_bucket`.
#[no_mangle]
pub unsafe extern "C" fn oss_sse_client_delete_bucket(
    client: *const oss_sse_client,
    bucket: *const c_char,
    err_out: *mut *mut oss_sse_error,
) -> oss_sse_result {
    let body = || {
        // SAFETY: forwarded from this function's contract.
        let (client, bucket) = unsafe { (arg_ref(client, "client")?, bucket_arg(bucket)?) };
        client
            .inner
            .delete_bucket(bucket)
            .map_err(from_client_error)?;
        Ok(())
    };
    // SAFETY: `err_out` is NULL or writable, by this function's contract.
    unsafe { call_with_error(err_out, body) }
}

/// Reads a bucket's description (GetBucketInfo), its default encryption included.
///
/// # Safety
/// As for `oss_sse_client_create_bucket`; `info_out` is NULL or valid for writing one pointer.
#[no_mangle]
pub unsafe extern "C" fn oss_sse_client_get_bucket_info(
    client: *const oss_sse_client,
    bucket: *const c_char,
    info_out: *mut *mut oss_sse_bucket_info,
    err_out: *mut *mut oss_sse_error,
) -> oss_sse_result {
    let body = || {
        let out = Out::new(info_out, "info_out")?;
        // SAFETY: forwarded from this function's contract.
        let (client, bucket) = unsafe { (arg_ref(client, "client")?, bucket_arg(bucket)?) };
        let info = client
            .inner
            .get_bucket_info(bucket)
            .map_err(from_client_error)?;
        let rule = info.encryption.as_ref();
        let handle = oss_sse_bucket_info {
            name: info.name.into(),
            location: info.location.into(),
            creation_date: info.creation_date.into(),
            storage_class: info.storage_class.into(),
            sse_algorithm: rule.map_or(oss_sse_algorithm::NotSet, |r| {
                oss_sse_algorithm::from_core(r.algorithm())
            }),
            kms_master_key_id: rule
                .and_then(|r| r.kms_master_key_id())
                .unwrap_or("")
                .into(),
            request_id: info.request_id.into(),
        };
        // SAFETY: checked non-NULL, writable by this function's contract.
        unsafe { out.give(handle) };
        Ok(())
    };
    // SAFETY: `err_out` is NULL or writable, by this function's contract.
    unsafe { call_with_error(err_out, body) }
}

/// The core rule a C request describes, refused here when OSS would refuse it.
fn rule_of(request: &oss_sse_set_bucket_encryption_request) -> FfiResult<ServerSideEncryptionRule> {
    let algorithm = match request.algorithm {
        oss_sse_algorithm::Kms => SseAlgorithm::Kms,
        oss_sse_algorithm::Aes256 => SseAlgorithm::Aes256,
        oss_sse_algorithm::Sm4 => SseAlgorithm::Sm4,
        oss_sse_algorithm::NotSet => {
            return Err(oss_sse_error::local(
                oss_sse_result::InvalidArgument,
                "a bucket encryption rule needs an algorithm",
            ))
        }
    };
    ServerSideEncryptionRule::new(
        algorithm,
        request.kms_master_key_id.as_deref(),
        request.kms_data_encryption.as_deref(),
    )
    .map_err(|e| oss_sse_error::local(oss_sse_result::InvalidArgument, e.to_string()))
}

/// Sets a bucket's default encryption (PutBucketEncryption).
///
/// # Safety
/// `client` and `request` are NULL or live handles; `err_out` is NULL or valid for writing one
/// pointer.
#[no_mangle]
pub unsafe extern "C" fn oss_sse_client_set_bucket_encryption(
    client: *const oss_sse_client,
    request: *const oss_sse_set_bucket_encryption_request,
    err_out: *mut *mut oss_sse_error,
) -> oss_sse_result {
    let body = || {
        // SAFETY: forwarded from this function's contract.
        let (client, request) =
            unsafe { (arg_ref(client, "client")?, arg_ref(request, "request")?) };
        let bucket = check_bucket(&request.bucket)?;
        let rule = rule_of(request)?;
        client
            .inner
            .put_bucket_encryption(bucket, &rule)
            .map_err(from_client_error)?;
        Ok(())
    };
    // SAFETY: `err_out` is NULL or writable, by this function's contract.
    unsafe { call_with_error(err_out, body) }
}

/// Reads a bucket's default encryption (GetBucketEncryption). A bucket without a rule fails with
/// `OSS_SSE_RESULT_SERVICE_ERROR` and code `NoSuchServerSideEncryptionRule`.
///
/// # Safety
/// As for `oss_sse_client_create_bucket`; `rule_out` is NULL or valid for writing one pointer.
#[no_mangle]
pub unsafe extern "C" fn oss_sse_client_get_bucket_encryption(
    client: *const oss_sse_client,
    bucket: *const c_char,
    rule_out: *mut *mut oss_sse_bucket_encryption,
    err_out: *mut *mut oss_sse_error,
) -> oss_sse_result {
    let body = || {
        let out = Out::new(rule_out, "rule_out")?;
        // SAFETY: forwarded from this function's contract.
        let (client, bucket) = unsafe { (arg_ref(client, "client")?, bucket_arg(bucket)?) };
        let rule = client
            .inner
            .get_bucket_encryption(bucket)
            .map_err(from_client_error)?;
        let handle = oss_sse_bucket_encryption {
            algorithm: oss_sse_algorithm::from_core(rule.algorithm()),
            kms_master_key_id: rule.kms_master_key_id().unwrap_or("").into(),
            kms_data_encryption: rule
                .kms_data_encryption()
                .map_or("", DataEncryption::as_str)
                .into(),
        };
        // SAFETY: checked non-NULL, writable by this function's contract.
        unsafe { out.give(handle) };
        Ok(())
    };
    // SAFETY: `err_out` is NULL or writable, by this function's contract.
    unsafe { call_with_error(err_out, body) }
}

/// Removes a bucket's default encryption (DeleteBucketEncryption).
///
/// # Safety
/// As for `oss_sse_client_create_bucket`.
#[no_mangle]
pub unsafe extern "C" fn oss_sse_client_delete_bucket_encryption(
    client: *const oss_sse_client,
    bucket: *const c_char,
    err_out: *mut *mut oss_sse_error,
) -> oss_sse_result {
    let body = || {
        // SAFETY: forwarded from this function's contract.
        let (client, bucket) = unsafe { (arg_ref(client, "client")?, bucket_arg(bucket)?) };
        client
            .inner
            .delete_bucket_encryption(bucket)
            .map_err(from_client_error)?;
        Ok(())
    };
    // SAFETY: `err_out` is NULL or writable, by this function's contract.
    unsafe { call_with_error(err_out, body) }
}

/// Copies every response header into a header list.
pub(crate) fn header_list(headers: &[(String, String)]) -> oss_sse_headers {
    let mut list = oss_sse_headers::default();
    for (name, value) in headers {
        list.insert(name, value);
    }
    list
}

/// The options of an upload carrying `headers` (NULL: none).
pub(crate) fn put_options(headers: Option<&oss_sse_headers>) -> PutObjectOptions {
    let mut opts = PutObjectOptions::default();
    // Every list was checked entry by entry as it was filled (oss_sse_headers_set) or came from a
    // parsed response, so its entries go out as they are.
    for (name, value) in headers.into_iter().flat_map(oss_sse_headers::iter) {
        opts.headers.push((name.to_owned(), value.to_owned()));
    }
    opts
}

/// The response headers of an upload as C sees them.
pub(crate) fn put_response(output: &PutObjectOutput) -> oss_sse_headers {
    let mut list = oss_sse_headers::default();
    list.insert("ETag", &output.etag);
    list.insert("x-oss-request-id", &output.request_id);
    if let Some(crc) = output.crc64 {
        list.insert("x-oss-hash-crc64ecma", &crc.to_string());
    }
    if let Some(version) = &output.version_id {
        list.insert("x-oss-version-id", version);
    }
    // The client reports the encryption typed rather than as raw headers; write them back in OSS's
    // spelling so C reads them as it would from HeadObject.
    if let Some(enc) = &output.encryption {
        list.insert("x-oss-server-side-encryption", enc.algorithm.as_str());
        if let Some(key_id) = &enc.key_id {
            list.insert("x-oss-server-side-encryption-key-id", key_id);
        }
        if let Some(data) = enc.data_encryption {
            list.insert("x-oss-server-side-data-encryption", data.as_str());
        }
    }
    list
}

/// Uploads `len` bytes at `data` (NULL allowed when `len` is 0) as `bucket`/`key` (PutObject).
/// `headers` (may be NULL) are sent with the request: `Content-Type`, `x-oss-meta-*`,
/// `x-oss-server-side-encryption: KMS|AES256|SM4`, `x-oss-server-side-encryption-key-id`,
/// `x-oss-server-side-data-encryption`, ... When `response_headers_out` is not NULL it receives
/// every response header (ETag, the encryption headers, the request id).
///
/// # Safety
/// `client` is NULL or a live client; `bucket` and `key` are NULL or NUL-terminated; `data` is NULL
/// or readable for `len` bytes; `headers` is NULL or a live list; the out-pointers are NULL or
/// valid for writing one pointer.
#[no_mangle]
pub unsafe extern "C" fn oss_sse_client_put_object(
    client: *const oss_sse_client,
    bucket: *const c_char,
    key: *const c_char,
    data: *const u8,
    len: usize,
    headers: *const oss_sse_headers,
    response_headers_out: *mut *mut oss_sse_headers,
    err_out: *mut *mut oss_sse_error,
) -> oss_sse_result {
    let body = || {
        // SAFETY: forwarded from this function's contract.
        let (client, bucket, key, body) = unsafe {
            (
                arg_ref(client, "client")?,
                bucket_arg(bucket)?,
                key_arg(key)?,
                arg_bytes(data, len, "data")?,
            )
        };
        // SAFETY: forwarded from this function's contract: NULL or a live list.
        let opts = put_options(unsafe { headers.as_ref() });
        let output = client
            .inner
            .put_object_bytes(bucket, key, body, &opts)
            .map_err(from_client_error)?;
        if !response_headers_out.is_null() {
            let list = put_response(&output);
            // SAFETY: non-NULL, and writable by this function's contract.
            unsafe { Out::new(response_headers_out, "response_headers_out")?.give(list) };
        }
        Ok(())
    };
    // SAFETY: `err_out` is NULL or writable, by this function's contract.
    unsafe { call_with_error(err_out, body) }
}

/// Downloads `bucket`/`key` whole into memory (GetObject, CRC64-checked when enabled). The object
/// handle gives the bytes and every response header.
///
/// # Safety
/// As for `oss_sse_client_head_object`; `object_out` is NULL or valid for writing one pointer.
#[no_mangle]
pub unsafe extern "C" fn oss_sse_client_get_object(
    client: *const oss_sse_client,
    bucket: *const c_char,
    key: *const c_char,
    object_out: *mut *mut oss_sse_object,
    err_out: *mut *mut oss_sse_error,
) -> oss_sse_result {
    let body = || {
        let out = Out::new(object_out, "object_out")?;
        // SAFETY: forwarded from this function's contract.
        let (client, bucket, key) = unsafe {
            (
                arg_ref(client, "client")?,
                bucket_arg(bucket)?,
                key_arg(key)?,
            )
        };
        let (data, meta) = client
            .inner
            .get_object_bytes(bucket, key, &GetObjectOptions::default())
            .map_err(from_client_error)?;
        let object = oss_sse_object {
            data,
            headers: header_list(&meta.headers),
        };
        // SAFETY: checked non-NULL, writable by this function's contract.
        unsafe { out.give(object) };
        Ok(())
    };
    // SAFETY: `err_out` is NULL or writable, by this function's contract.
    unsafe { call_with_error(err_out, body) }
}

/// Reads the headers of `bucket`/`key` without its content (HeadObject): Content-Length, ETag,
/// `x-oss-server-side-encryption`, `x-oss-server-side-encryption-key-id`, user metadata, ...
///
/// # Safety
/// `client` is NULL or a live client; `bucket` and `key` are NULL or NUL-terminated; `headers_out`
/// and `err_out` are NULL or valid for writing one pointer.
#[no_mangle]
pub unsafe extern "C" fn oss_sse_client_head_object(
    client: *const oss_sse_client,
    bucket: *const c_char,
    key: *const c_char,
    headers_out: *mut *mut oss_sse_headers,
    err_out: *mut *mut oss_sse_error,
) -> oss_sse_result {
    let body = || {
        let out = Out::new(headers_out, "headers_out")?;
        // SAFETY: forwarded from this function's contract.
        let (client, bucket, key) = unsafe {
            (
                arg_ref(client, "client")?,
                bucket_arg(bucket)?,
                key_arg(key)?,
            )
        };
        let meta = client
            .inner
            .head_object(bucket, key)
            .map_err(from_client_error)?;
        // SAFETY: checked non-NULL, writable by this function's contract.
        unsafe { out.give(header_list(&meta.headers)) };
        Ok(())
    };
    // SAFETY: `err_out` is NULL or writable, by this function's contract.
    unsafe { call_with_error(err_out, body) }
}

/// Deletes `bucket`/`key` (deleting an absent key succeeds, as in OSS).
///
/// # Safety
/// `client` is NULL or a live client; `bucket` and `key` are NULL or NUL-terminated; `err_out` is
/// NULL or valid for writing one pointer.
#[no_mangle]
pub unsafe extern "C" fn oss_sse_client_delete_object(
    client: *const oss_sse_client,
    bucket: *const c_char,
    key: *const c_char,
    err_out: *mut *mut oss_sse_error,
) -> oss_sse_result {
    let body = || {
        // SAFETY: forwarded from this function's contract.
        let (client, bucket, key) = unsafe {
            (
                arg_ref(client, "client")?,
                bucket_arg(bucket)?,
                key_arg(key)?,
            )
        };
        client
            .inner
            .delete_object(bucket, key)
            .map_err(from_client_error)?;
        Ok(())
    };
    // SAFETY: `err_out` is NULL or writable, by this function's contract.
    unsafe { call_with_error(err_out, body) }
}
