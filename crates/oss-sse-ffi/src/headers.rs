//! A list of HTTP headers with case-insensitive names: what a request adds (for example
//! `x-oss-server-side-encryption: KMS`) and what a response carried.

use std::ffi::c_char;

use crate::boundary::{arg_mut, arg_ref, arg_str, call, free_box, getter, FfiResult, Out};
use crate::error::oss_sse_error;
use crate::result::oss_sse_result;
use crate::view::{oss_sse_str, NulString};

/// Headers in insertion order, names compared without regard to case. Owned by whoever got it
/// through an out-parameter (release with `oss_sse_headers_free`); borrowed when a getter returned
/// it as `const`. Not thread-safe for writing.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct oss_sse_headers {
    entries: Vec<(NulString, NulString)>,
}

impl oss_sse_headers {
    /// Sets `name` to `value`, replacing an entry of the same name (in any case).
    pub(crate) fn insert(&mut self, name: &str, value: &str) {
        match self.position(name) {
            Some(i) => self.entries[i].1 = value.into(),
            None => self.entries.push((name.into(), value.into())),
        }
    }

    /// Every (name, value), in order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.entries.iter().map(|(n, v)| (n.as_str(), v.as_str()))
    }

    fn position(&self, name: &str) -> Option<usize> {
        self.entries
            .iter()
            .position(|(n, _)| n.as_str().eq_ignore_ascii_case(name))
    }
}

/// Checks a header name (an HTTP token) and value (no CR, LF or other control characters but tab),
/// so nothing a C caller passes can split a request.
pub(crate) fn check_header(name: &str, value: &str) -> FfiResult<()> {
    const TOKEN_PUNCT: &[u8] = b"!#$%&'*+-.^_`|~";
    let name_ok = !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || TOKEN_PUNCT.contains(&b));
    if !name_ok {
        return Err(oss_sse_error::local(
            oss_sse_result::InvalidArgument,
            format!("{name:?} is not a valid HTTP header name"),
        ));
    }
    if value
        .bytes()
        .any(|b| (b.is_ascii_control() && b != b'\t') || b == 0x7f)
    {
        return Err(oss_sse_error::local(
            oss_sse_result::InvalidArgument,
            format!("the value of header {name:?} contains control characters"),
        ));
    }
    Ok(())
}

/// Creates an empty header list.
///
/// # Safety
/// `headers_out` is NULL or valid for writing one pointer.
#[no_mangle]
pub unsafe extern "C" fn oss_sse_headers_new(
    headers_out: *mut *mut oss_sse_headers,
) -> oss_sse_result {
    call(|| {
        let out = Out::new(headers_out, "headers_out")?;
        // SAFETY: checked non-NULL, writable by this function's contract.
        unsafe { out.give(oss_sse_headers::default()) };
        Ok(())
    })
}

/// Releases a header list. NULL is accepted and ignored. Only for lists the caller owns (those
/// returned through `oss_sse_headers **`), never for `const` ones borrowed from another handle.
///
/// # Safety
/// `headers` is NULL or an owned header list not yet freed.
#[no_mangle]
pub unsafe extern "C" fn oss_sse_headers_free(headers: *mut oss_sse_headers) {
    // SAFETY: forwarded from this function's contract.
    unsafe { free_box(headers) }
}

/// Sets a header, replacing any entry of the same name regardless of case. Names must be HTTP
/// tokens and values free of control characters (`OSS_SSE_RESULT_INVALID_ARGUMENT` otherwise).
///
/// # Safety
/// `headers` is NULL or a live owned list not used by another thread during the call; `name` and
/// `value` are NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn oss_sse_headers_set(
    headers: *mut oss_sse_headers,
    name: *const c_char,
    value: *const c_char,
) -> oss_sse_result {
    call(|| {
        // SAFETY: forwarded from this function's contract.
        let (headers, name, value) = unsafe {
            (
                arg_mut(headers, "headers")?,
                arg_str(name, "name")?,
                arg_str(value, "value")?,
            )
        };
        check_header(name, value)?;
        headers.insert(name, value);
        Ok(())
    })
}

/// Looks a header up by name, without regard to case. On success `*value_out` is a view valid until
/// the list is freed or changed; `OSS_SSE_RESULT_NOT_FOUND` when absent.
///
/// # Safety
/// `headers` is NULL or a live list; `name` is NULL or NUL-terminated; `value_out` is NULL or valid
/// for writing one `oss_sse_str`.
#[no_mangle]
pub unsafe extern "C" fn oss_sse_headers_get(
    headers: *const oss_sse_headers,
    name: *const c_char,
    value_out: *mut oss_sse_str,
) -> oss_sse_result {
    call(|| {
        let out = Out::new(value_out, "value_out")?;
        // SAFETY: forwarded from this function's contract.
        let (headers, name) = unsafe { (arg_ref(headers, "headers")?, arg_str(name, "name")?) };
        let i = headers.position(name).ok_or_else(|| {
            oss_sse_error::local(oss_sse_result::NotFound, format!("no header {name:?}"))
        })?;
        // SAFETY: checked non-NULL, writable by this function's contract.
        unsafe { out.write(headers.entries[i].1.view()) };
        Ok(())
    })
}

/// The number of headers; 0 when `headers` is NULL.
///
/// # Safety
/// `headers` is NULL or a live list.
#[no_mangle]
pub unsafe extern "C" fn oss_sse_headers_count(headers: *const oss_sse_headers) -> usize {
    // SAFETY: forwarded from this function's contract.
    unsafe { getter(headers, 0, |h| h.entries.len()) }
}

/// The header at `index` (0-based, in order): views valid until the list is freed or changed.
/// `OSS_SSE_RESULT_NOT_FOUND` when `index` is past the end.
///
/// # Safety
/// `headers` is NULL or a live list; `name_out` and `value_out` are NULL or valid for writing one
/// `oss_sse_str` each.
#[no_mangle]
pub unsafe extern "C" fn oss_sse_headers_at(
    headers: *const oss_sse_headers,
    index: usize,
    name_out: *mut oss_sse_str,
    value_out: *mut oss_sse_str,
) -> oss_sse_result {
    call(|| {
        let name_out = Out::new(name_out, "name_out")?;
        let value_out = Out::new(value_out, "value_out")?;
        // SAFETY: forwarded from this function's contract.
        let headers = unsafe { arg_ref(headers, "headers") }?;
        let (name, value) = headers.entries.get(index).ok_or_else(|| {
            oss_sse_error::local(
                oss_sse_result::NotFound,
                format!("no header at index {index}"),
            )
        })?;
        // SAFETY: both checked non-NULL, writable by this function's contract.
        unsafe {
            name_out.write(name.view());
            value_out.write(value.view());
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_case_insensitive_and_replaced_in_place() {
        let mut h = oss_sse_headers::default();
        h.insert("x-oss-server-side-encryption", "AES256");
        h.insert("Content-Type", "text/plain");
        h.insert("X-OSS-Server-Side-Encryption", "KMS");
        let i = h.position("x-oss-SERVER-side-encryption");
        assert_eq!(i.map(|i| h.entries[i].1.as_str()), Some("KMS"));
        assert_eq!(h.iter().count(), 2);
        assert_eq!(h.position("nope"), None);
    }

    #[test]
    fn header_injection_is_refused() {
        assert!(check_header("x-oss-meta-a", "b\r\nx-evil: 1").is_err());
        assert!(check_header("bad name", "v").is_err());
        assert!(check_header("", "v").is_err());
        assert!(check_header("x-oss-meta-a", "tab\tok").is_ok());
    }
}
