//! The error handle: everything C can learn about a failed call, in the shape of the C++ SDK's
//! `OssError` (code, message, request id, host) plus the HTTP status, the EC and our result code.

use crate::boundary::getter;
use crate::result::oss_sse_result;
use crate::view::{oss_sse_str, NulString};

/// Details of one failed call, owned by the caller: release it with `oss_sse_error_free`.
///
/// For an error OSS returned, `code` is OSS's (`NoSuchBucket`, `AccessDenied`, ...); for failures on
/// our side it names the kind (`ValidateError` for a bad bucket name, as the C++ SDK does,
/// `NullParameter`, `TransportError`, ...).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct oss_sse_error {
    pub(crate) result: oss_sse_result,
    pub(crate) code: NulString,
    pub(crate) message: NulString,
    pub(crate) request_id: NulString,
    pub(crate) host_id: NulString,
    pub(crate) ec: NulString,
    pub(crate) http_status: u16,
}

impl oss_sse_error {
    /// A failure on our side of the wire, named after its result code unless `code` says otherwise.
    pub(crate) fn local(result: oss_sse_result, message: impl Into<String>) -> Box<Self> {
        let code = match result {
            oss_sse_result::InvalidBucketName => "ValidateError".to_owned(),
            oss_sse_result::ParseError => "ParseXMLError".to_owned(),
            other => upper_camel(other.name()),
        };
        Box::new(oss_sse_error {
            result,
            code: code.into(),
            message: message.into().into(),
            request_id: NulString::default(),
            host_id: NulString::default(),
            ec: NulString::default(),
            http_status: 0,
        })
    }

    /// An argument that was NULL but must not be.
    pub(crate) fn null(name: &str) -> Box<Self> {
        Self::local(
            oss_sse_result::NullParameter,
            format!("argument `{name}` is NULL"),
        )
    }
}

/// `NULL_PARAMETER` → `NullParameter`.
fn upper_camel(screaming: &str) -> String {
    screaming
        .split('_')
        .flat_map(|word| {
            let mut chars = word.chars();
            let first = chars.next().map(|c| c.to_ascii_uppercase());
            first
                .into_iter()
                .chain(chars.map(|c| c.to_ascii_lowercase()))
        })
        .collect()
}

/// The result code of the failed call; `OSS_SSE_RESULT_NULL_PARAMETER` when `err` is NULL.
///
/// # Safety
/// `err` is NULL or a live handle from this library.
#[no_mangle]
pub unsafe extern "C" fn oss_sse_error_result(err: *const oss_sse_error) -> oss_sse_result {
    // SAFETY: forwarded from this function's contract.
    unsafe { getter(err, oss_sse_result::NullParameter, |e| e.result) }
}

/// The error code (`NoSuchBucket`, `ValidateError`, ...); empty when `err` is NULL. Valid until the
/// handle is freed.
///
/// # Safety
/// `err` is NULL or a live handle from this library.
#[no_mangle]
pub unsafe extern "C" fn oss_sse_error_code(err: *const oss_sse_error) -> oss_sse_str {
    // SAFETY: forwarded from this function's contract.
    unsafe { getter(err, oss_sse_str::empty(), |e| e.code.view()) }
}

/// The human-readable message; empty when `err` is NULL. Valid until the handle is freed.
///
/// # Safety
/// `err` is NULL or a live handle from this library.
#[no_mangle]
pub unsafe extern "C" fn oss_sse_error_message(err: *const oss_sse_error) -> oss_sse_str {
    // SAFETY: forwarded from this function's contract.
    unsafe { getter(err, oss_sse_str::empty(), |e| e.message.view()) }
}

/// The request id OSS gave the failed request (`x-oss-request-id`); empty when there was no response
/// or `err` is NULL. Valid until the handle is freed.
///
/// # Safety
/// `err` is NULL or a live handle from this library.
#[no_mangle]
pub unsafe extern "C" fn oss_sse_error_request_id(err: *const oss_sse_error) -> oss_sse_str {
    // SAFETY: forwarded from this function's contract.
    unsafe { getter(err, oss_sse_str::empty(), |e| e.request_id.view()) }
}

/// The host that answered (the error body's `HostId`); empty when unknown or `err` is NULL. Valid
/// until the handle is freed.
///
/// # Safety
/// `err` is NULL or a live handle from this library.
#[no_mangle]
pub unsafe extern "C" fn oss_sse_error_host(err: *const oss_sse_error) -> oss_sse_str {
    // SAFETY: forwarded from this function's contract.
    unsafe { getter(err, oss_sse_str::empty(), |e| e.host_id.view()) }
}

/// OSS's detailed error code (`EC`, for example `0015-00000101`); empty when absent. Valid until
/// the handle is freed.
///
/// # Safety
/// `err` is NULL or a live handle from this library.
#[no_mangle]
pub unsafe extern "C" fn oss_sse_error_ec(err: *const oss_sse_error) -> oss_sse_str {
    // SAFETY: forwarded from this function's contract.
    unsafe { getter(err, oss_sse_str::empty(), |e| e.ec.view()) }
}

/// The HTTP status of the failed response; 0 when no response arrived or `err` is NULL.
///
/// # Safety
/// `err` is NULL or a live handle from this library.
#[no_mangle]
pub unsafe extern "C" fn oss_sse_error_http_status(err: *const oss_sse_error) -> u16 {
    // SAFETY: forwarded from this function's contract.
    unsafe { getter(err, 0, |e| e.http_status) }
}

/// Releases an error handle. NULL is accepted and ignored.
///
/// # Safety
/// `err` is NULL or a handle from this library not yet freed; it must not be used afterwards.
#[no_mangle]
pub unsafe extern "C" fn oss_sse_error_free(err: *mut oss_sse_error) {
    // SAFETY: forwarded from this function's contract.
    unsafe { crate::boundary::free_box(err) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_errors_are_named_like_the_cpp_sdk() {
        let e = oss_sse_error::local(oss_sse_result::InvalidBucketName, "bad");
        assert_eq!(e.code.as_str(), "ValidateError");
        assert_eq!(oss_sse_error::null("bucket").code.as_str(), "NullParameter");
        assert_eq!(
            oss_sse_error::local(oss_sse_result::TransportError, "x")
                .code
                .as_str(),
            "TransportError"
        );
        assert_eq!(
            oss_sse_error::local(oss_sse_result::ParseError, "x")
                .code
                .as_str(),
            "ParseXMLError"
        );
    }
}
