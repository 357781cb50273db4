//! What GetBucketInfo reports about a bucket, the server-side encryption rule included.

use crate::boundary::{free_box, getter};
use crate::encryption::oss_sse_algorithm;
use crate::view::{oss_sse_str, NulString};

/// A bucket's description from GetBucketInfo. Owned by the caller; release with
/// `oss_sse_bucket_info_free`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct oss_sse_bucket_info {
    pub(crate) name: NulString,
    pub(crate) location: NulString,
    pub(crate) creation_date: NulString,
    pub(crate) storage_class: NulString,
    pub(crate) sse_algorithm: oss_sse_algorithm,
    pub(crate) kms_master_key_id: NulString,
    pub(crate) request_id: NulString,
}

/// The bucket's name; empty when `info` is NULL. Views are valid until the handle is freed.
///
/// # Safety
/// `info` is NULL or a live handle.
#[no_mangle]
pub unsafe extern "C" fn oss_sse_bucket_info_name(info: *const oss_sse_bucket_info) -> oss_sse_str {
    // SAFETY: forwarded from this function's contract.
    unsafe { getter(info, oss_sse_str::empty(), |i| i.name.view()) }
}

/// The bucket's region (`oss-cn-hangzhou`); empty when `info` is NULL.
///
/// # Safety
/// `info` is NULL or a live handle.
#[no_mangle]
pub unsafe extern "C" fn oss_sse_bucket_info_location(
    info: *const oss_sse_bucket_info,
) -> oss_sse_str {
    // SAFETY: forwarded from this function's contract.
    unsafe { getter(info, oss_sse_str::empty(), |i| i.location.view()) }
}

/// When the bucket was created (ISO 8601, as OSS writes it); empty when `info` is NULL.
///
/// # Safety
/// `info` is NULL or a live handle.
#[no_mangle]
pub unsafe extern "C" fn oss_sse_bucket_info_creation_date(
    info: *const oss_sse_bucket_info,
) -> oss_sse_str {
    // SAFETY: forwarded from this function's contract.
    unsafe { getter(info, oss_sse_str::empty(), |i| i.creation_date.view()) }
}

/// The bucket's storage class (`Standard`, ...); empty when `info` is NULL.
///
/// # Safety
/// `info` is NULL or a live handle.
#[no_mangle]
pub unsafe extern "C" fn oss_sse_bucket_info_storage_class(
    info: *const oss_sse_bucket_info,
) -> oss_sse_str {
    // SAFETY: forwarded from this function's contract.
    unsafe { getter(info, oss_sse_str::empty(), |i| i.storage_class.view()) }
}

/// The algorithm of the bucket's default encryption rule; `OSS_SSE_ALGORITHM_NOT_SET` when it has
/// none (OSS reports `None`) or `info` is NULL.
///
/// # Safety
/// `info` is NULL or a live handle.
#[no_mangle]
pub unsafe extern "C" fn oss_sse_bucket_info_sse_algorithm(
    info: *const oss_sse_bucket_info,
) -> oss_sse_algorithm {
    // SAFETY: forwarded from this function's contract.
    unsafe { getter(info, oss_sse_algorithm::NotSet, |i| i.sse_algorithm) }
}

/// The KMS master key id of the bucket's rule; empty when none or `info` is NULL.
///
/// # Safety
/// `info` is NULL or a live handle.
#[no_mangle]
pub unsafe extern "C" fn oss_sse_bucket_info_kms_master_key_id(
    info: *const oss_sse_bucket_info,
) -> oss_sse_str {
    // SAFETY: forwarded from this function's contract.
    unsafe { getter(info, oss_sse_str::empty(), |i| i.kms_master_key_id.view()) }
}

/// The request id of the GetBucketInfo response; empty when `info` is NULL.
///
/// # Safety
/// `info` is NULL or a live handle.
#[no_mangle]
pub unsafe extern "C" fn oss_sse_bucket_info_request_id(
    info: *const oss_sse_bucket_info,
) -> oss_sse_str {
    // SAFETY: forwarded from this function's contract.
    unsafe { getter(info, oss_sse_str::empty(), |i| i.request_id.view()) }
}

/// Releases bucket info. NULL is accepted and ignored.
///
/// # Safety
/// `info` is NULL or a handle not yet freed.
#[no_mangle]
pub unsafe extern "C" fn oss_sse_bucket_info_free(info: *mut oss_sse_bucket_info) {
    // SAFETY: forwarded from this function's contract.
    unsafe { free_box(info) }
}
