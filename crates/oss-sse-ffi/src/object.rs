//! A downloaded object: its bytes and the response headers (the encryption headers among them).

use crate::boundary::{free_box, getter};
use crate::headers::oss_sse_headers;
use crate::view::oss_sse_bytes;

/// The result of GetObject: content and headers. Owned by the caller; release with
/// `oss_sse_object_free`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct oss_sse_object {
    pub(crate) data: Vec<u8>,
    pub(crate) headers: oss_sse_headers,
}

/// The object's content; an empty view when `object` is NULL. Valid until the handle is freed.
///
/// # Safety
/// `object` is NULL or a live handle.
#[no_mangle]
pub unsafe extern "C" fn oss_sse_object_data(object: *const oss_sse_object) -> oss_sse_bytes {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        getter(object, oss_sse_bytes::of(&[]), |o| {
            oss_sse_bytes::of(&o.data)
        })
    }
}

/// The response headers, borrowed from `object` (do not free them); NULL when `object` is NULL.
///
/// # Safety
/// `object` is NULL or a live handle.
#[no_mangle]
pub unsafe extern "C" fn oss_sse_object_headers(
    object: *const oss_sse_object,
) -> *const oss_sse_headers {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        getter(object, std::ptr::null(), |o| {
            &o.headers as *const oss_sse_headers
        })
    }
}

/// Releases an object. NULL is accepted and ignored.
///
/// # Safety
/// `object` is NULL or a handle not yet freed.
#[no_mangle]
pub unsafe extern "C" fn oss_sse_object_free(object: *mut oss_sse_object) {
    // SAFETY: forwarded from this function's contract.
    unsafe { free_box(object) }
}
