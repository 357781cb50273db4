//! The bucket-encryption request and result, mirroring the C++ SDK's `SetBucketEncryptionRequest`
//! and `GetBucketEncryptionResult`.

use std::ffi::c_char;

use ::oss_sse_client::SseAlgorithm;

use crate::boundary::{arg_mut, arg_opt_str, arg_str, call, free_box, getter, FfiResult, Out};
use crate::error::oss_sse_error;
use crate::result::oss_sse_result;
use crate::view::{oss_sse_str, NulString};

/// A server-side encryption algorithm. The numbers are the C++ SDK's `SSEAlgorithm` values
/// (`NotSet = 0, KMS, AES256`), with SM4 added at the end.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum oss_sse_algorithm {
    /// No encryption (a bucket without a rule, an unencrypted object).
    NotSet = 0,
    /// SSE-KMS: data keys from KMS.
    Kms = 1,
    /// SSE-OSS: AES-256 with keys OSS manages.
    Aes256 = 2,
    /// SSE-OSS with the SM4 cipher.
    Sm4 = 3,
}

impl oss_sse_algorithm {
    /// The algorithm numbered `n`, as C may pass any integer.
    pub(crate) fn from_u32(n: u32) -> FfiResult<Self> {
        match n {
            0 => Ok(Self::NotSet),
            1 => Ok(Self::Kms),
            2 => Ok(Self::Aes256),
            3 => Ok(Self::Sm4),
            _ => Err(oss_sse_error::local(
                oss_sse_result::InvalidArgument,
                format!("{n} is not an oss_sse_algorithm"),
            )),
        }
    }

    /// The C value of a core algorithm.
    pub(crate) fn from_core(a: SseAlgorithm) -> Self {
        match a {
            SseAlgorithm::Kms => Self::Kms,
            SseAlgorithm::Aes256 => Self::Aes256,
            SseAlgorithm::Sm4 => Self::Sm4,
        }
    }
}

/// A PutBucketEncryption request, owned by the caller (release with
/// `oss_sse_set_bucket_encryption_request_free`). Like the C++ SDK's, it starts with algorithm AES256
/// and no KMS key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct oss_sse_set_bucket_encryption_request {
    pub(crate) bucket: String,
    pub(crate) algorithm: oss_sse_algorithm,
    pub(crate) kms_master_key_id: Option<String>,
    pub(crate) kms_data_encryption: Option<String>,
}

/// Creates a request to set the default encryption of `bucket` (algorithm AES256 until changed).
/// The bucket name is checked when the request is sent.
///
/// # Safety
/// `bucket` is NULL or NUL-terminated; `request_out` is NULL or valid for writing one pointer.
#[no_mangle]
pub unsafe extern "C" fn oss_sse_set_bucket_encryption_request_new(
    bucket: *const c_char,
    request_out: *mut *mut oss_sse_set_bucket_encryption_request,
) -> oss_sse_result {
    call(|| {
        let out = Out::new(request_out, "request_out")?;
        // SAFETY: forwarded from this function's contract.
        let bucket = unsafe { arg_str(bucket, "bucket") }?;
        // SAFETY: checked non-NULL, writable by this function's contract.
        unsafe {
            out.give(oss_sse_set_bucket_encryption_request {
                bucket: bucket.to_owned(),
                algorithm: oss_sse_algorithm::Aes256,
                kms_master_key_id: None,
                kms_data_encryption: None,
            })
        };
        Ok(())
    })
}

/// Releases a request. NULL is accepted and ignored.
///
/// # Safety
/// `request` is NULL or a request handle not yet freed.
#[no_mangle]
pub unsafe extern "C" fn oss_sse_set_bucket_encryption_request_free(
    request: *mut oss_sse_set_bucket_encryption_request,
) {
    // SAFETY: forwarded from this function's contract.
    unsafe { free_box(request) }
}

/// Sets the algorithm (an `oss_sse_algorithm` other than NotSet, which a rule cannot have).
///
/// # Safety
/// `request` is NULL or a live request handle.
#[no_mangle]
pub unsafe extern "C" fn oss_sse_set_bucket_encryption_request_set_algorithm(
    request: *mut oss_sse_set_bucket_encryption_request,
    algorithm: u32,
) -> oss_sse_result {
    call(|| {
        // SAFETY: forwarded from this function's contract.
        let request = unsafe { arg_mut(request, "request") }?;
        let algorithm = oss_sse_algorithm::from_u32(algorithm)?;
        if algorithm == oss_sse_algorithm::NotSet {
            return Err(oss_sse_error::local(
                oss_sse_result::InvalidArgument,
                "a bucket encryption rule needs an algorithm: KMS, AES256 or SM4",
            ));
        }
        request.algorithm = algorithm;
        Ok(())
    })
}

/// Sets the KMS master key id (only meaningful with KMS; OSS rejects it with other algorithms).
/// NULL or "" means the default service key.
///
/// # Safety
/// `request` is NULL or a live request handle; `key_id` is NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn oss_sse_set_bucket_encryption_request_set_kms_master_key_id(
    request: *mut oss_sse_set_bucket_encryption_request,
    key_id: *const c_char,
) -> oss_sse_result {
    call(|| {
        // SAFETY: forwarded from this function's contract.
        let (request, key_id) =
            unsafe { (arg_mut(request, "request")?, arg_opt_str(key_id, "key_id")?) };
        request.kms_master_key_id = key_id.filter(|k| !k.is_empty()).map(str::to_owned);
        Ok(())
    })
}

/// Sets the KMS data encryption (`"SM4"` to encrypt data with SM4 under a KMS key; only meaningful
/// with KMS). NULL or "" removes it.
///
/// # Safety
/// `request` is NULL or a live request handle; `data_encryption` is NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn oss_sse_set_bucket_encryption_request_set_kms_data_encryption(
    request: *mut oss_sse_set_bucket_encryption_request,
    data_encryption: *const c_char,
) -> oss_sse_result {
    call(|| {
        // SAFETY: forwarded from this function's contract.
        let (request, value) = unsafe {
            (
                arg_mut(request, "request")?,
                arg_opt_str(data_encryption, "data_encryption")?,
            )
        };
        request.kms_data_encryption = value.filter(|v| !v.is_empty()).map(str::to_owned);
        Ok(())
    })
}

/// A bucket's default encryption rule, as GetBucketEncryption returned it. Owned by the caller;
/// release with `oss_sse_bucket_encryption_free`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct oss_sse_bucket_encryption {
    pub(crate) algorithm: oss_sse_algorithm,
    pub(crate) kms_master_key_id: NulString,
    pub(crate) kms_data_encryption: NulString,
}

/// The rule's algorithm; `OSS_SSE_ALGORITHM_NOT_SET` when `rule` is NULL.
///
/// # Safety
/// `rule` is NULL or a live handle.
#[no_mangle]
pub unsafe extern "C" fn oss_sse_bucket_encryption_algorithm(
    rule: *const oss_sse_bucket_encryption,
) -> oss_sse_algorithm {
    // SAFETY: forwarded from this function's contract.
    unsafe { getter(rule, oss_sse_algorithm::NotSet, |r| r.algorithm) }
}

/// The rule's KMS master key id; empty when none (or `rule` is NULL). Valid until the handle is freed.
///
/// # Safety
/// `rule` is NULL or a live handle.
#[no_mangle]
pub unsafe extern "C" fn oss_sse_bucket_encryption_kms_master_key_id(
    rule: *const oss_sse_bucket_encryption,
) -> oss_sse_str {
    // SAFETY: forwarded from this function's contract.
    unsafe { getter(rule, oss_sse_str::empty(), |r| r.kms_master_key_id.view()) }
}

/// The rule's KMS data encryption (`SM4`); empty when none (or `rule` is NULL). Valid until the
/// handle is freed.
///
/// # Safety
/// `rule` is NULL or a live handle.
#[no_mangle]
pub unsafe extern "C" fn oss_sse_bucket_encryption_kms_data_encryption(
    rule: *const oss_sse_bucket_encryption,
) -> oss_sse_str {
    // SAFETY: forwarded from this function's contract.
    unsafe { getter(rule, oss_sse_str::empty(), |r| r.kms_data_encryption.view()) }
}

/// Releases a rule. NULL is accepted and ignored.
///
/// # Safety
/// `rule` is NULL or a handle not yet freed.
#[no_mangle]
pub unsafe extern "C" fn oss_sse_bucket_encryption_free(rule: *mut oss_sse_bucket_encryption) {
    // SAFETY: forwarded from this function's contract.
    unsafe { free_box(rule) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn algorithms_keep_the_cpp_sdk_numbers() {
        for (n, core) in [
            (1, SseAlgorithm::Kms),
            (2, SseAlgorithm::Aes256),
            (3, SseAlgorithm::Sm4),
        ] {
            let a = oss_sse_algorithm::from_u32(n).unwrap_or(oss_sse_algorithm::NotSet);
            assert_eq!(a as u32, n);
            assert_eq!(oss_sse_algorithm::from_core(core), a);
        }
        assert_eq!(oss_sse_algorithm::NotSet as u32, 0);
        assert!(oss_sse_algorithm::from_u32(4).is_err());
    }

    #[test]
    fn requests_start_as_aes256_and_refuse_not_set() {
        let mut req: *mut oss_sse_set_bucket_encryption_request = std::ptr::null_mut();
        // SAFETY: valid out-pointer; the handle is freed once.
        unsafe {
            assert_eq!(
                oss_sse_set_bucket_encryption_request_new(c"examplebucket".as_ptr(), &mut req),
                oss_sse_result::Ok
            );
            assert_eq!((*req).algorithm, oss_sse_algorithm::Aes256);
            assert_eq!(
                oss_sse_set_bucket_encryption_request_set_algorithm(req, 0),
                oss_sse_result::InvalidArgument
            );
            assert_eq!(
                oss_sse_set_bucket_encryption_request_set_algorithm(req, 1),
                oss_sse_result::Ok
            );
            assert_eq!(
                oss_sse_set_bucket_encryption_request_set_kms_master_key_id(req, c"".as_ptr()),
                oss_sse_result::Ok
            );
            assert_eq!((*req).kms_master_key_id, None);
            oss_sse_set_bucket_encryption_request_free(req);
        }
    }
}
