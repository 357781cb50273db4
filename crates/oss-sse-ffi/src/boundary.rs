//! The one place where raw pointers from C become Rust values, and where panics stop.
//!
//! Every exported function goes through [`call`] (or [`call_with_error`], [`getter`], [`free_box`]):
//! they catch unwinding panics so none crosses into C, check pointers for NULL, turn C strings into
//! `&str` (rejecting invalid UTF-8), and write output parameters only once everything succeeded.

use std::ffi::{c_char, CStr};
use std::panic::{catch_unwind, AssertUnwindSafe};

use crate::error::oss_sse_error;
use crate::result::oss_sse_result;

/// What a function body returns: `Ok` or the full description of its failure.
/// Boxed, because the error is large and travels to C as a heap handle anyway.
pub(crate) type FfiResult<T> = Result<T, Box<oss_sse_error>>;

/// Runs `body` inside the panic boundary and reduces its outcome to a result code.
pub(crate) fn call(body: impl FnOnce() -> FfiResult<()>) -> oss_sse_result {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(())) => oss_sse_result::Ok,
        Ok(Err(e)) => e.result,
        Err(_) => oss_sse_result::Panic,
    }
}

/// Like [`call`], and on failure also hands the details to C through `err_out` when it is not NULL.
///
/// # Safety
/// `err_out` is NULL or valid for writing one pointer.
pub(crate) unsafe fn call_with_error(
    err_out: *mut *mut oss_sse_error,
    body: impl FnOnce() -> FfiResult<()>,
) -> oss_sse_result {
    let failure = match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(())) => return oss_sse_result::Ok,
        Ok(Err(e)) => e,
        Err(_) => oss_sse_error::local(
            oss_sse_result::Panic,
            "internal error: oss_sse panicked (this is a bug; please report it)",
        ),
    };
    let result = failure.result;
    if !err_out.is_null() {
        // SAFETY: non-NULL, and by this function's contract valid for writing one pointer.
        unsafe { err_out.write(Box::into_raw(failure)) };
    }
    result
}

/// Reads a field of a handle for a getter that cannot fail: NULL (or a panic) gives `fallback`.
///
/// # Safety
/// `ptr` is NULL or points to a live `T`.
pub(crate) unsafe fn getter<T, R: Copy>(
    ptr: *const T,
    fallback: R,
    read: impl FnOnce(&T) -> R,
) -> R {
    // SAFETY: by this function's contract `ptr` is NULL or points to a live `T`.
    let Some(value) = (unsafe { ptr.as_ref() }) else {
        return fallback;
    };
    catch_unwind(AssertUnwindSafe(|| read(value))).unwrap_or(fallback)
}

/// Moves a value to the heap and gives up ownership of it to C.
pub(crate) fn boxed<T>(value: T) -> *mut T {
    Box::into_raw(Box::new(value))
}

/// Takes back and drops a value [`boxed`] gave to C. NULL is ignored.
///
/// # Safety
/// `ptr` is NULL or came from [`boxed`] with the same `T` and has not been freed.
pub(crate) unsafe fn free_box<T>(ptr: *mut T) {
    if ptr.is_null() {
        return;
    }
    // SAFETY: by this function's contract `ptr` came from Box::into_raw and is freed only now.
    let owned = unsafe { Box::from_raw(ptr) };
    // A panicking destructor (a user's free callback cannot unwind into us, but our own drops
    // could in theory) must not cross into C; the memory is released either way.
    let _ = catch_unwind(AssertUnwindSafe(move || drop(owned)));
}

/// A handle argument that must not be NULL.
///
/// # Safety
/// `ptr` is NULL or points to a live `T` not mutated elsewhere during `'a`.
pub(crate) unsafe fn arg_ref<'a, T>(ptr: *const T, name: &str) -> FfiResult<&'a T> {
    // SAFETY: by this function's contract `ptr` is NULL or points to a live `T`.
    unsafe { ptr.as_ref() }.ok_or_else(|| oss_sse_error::null(name))
}

/// A handle argument that must not be NULL and that the call changes.
///
/// # Safety
/// `ptr` is NULL or points to a live `T` not accessed elsewhere during `'a`.
pub(crate) unsafe fn arg_mut<'a, T>(ptr: *mut T, name: &str) -> FfiResult<&'a mut T> {
    // SAFETY: by this function's contract `ptr` is NULL or points to a live, unaliased `T`.
    unsafe { ptr.as_mut() }.ok_or_else(|| oss_sse_error::null(name))
}

/// A NUL-terminated UTF-8 string argument that must not be NULL.
///
/// # Safety
/// `ptr` is NULL or points to a NUL-terminated string that stays unchanged during `'a`.
pub(crate) unsafe fn arg_str<'a>(ptr: *const c_char, name: &str) -> FfiResult<&'a str> {
    if ptr.is_null() {
        return Err(oss_sse_error::null(name));
    }
    // SAFETY: non-NULL, and by this function's contract NUL-terminated and stable during 'a.
    let raw = unsafe { CStr::from_ptr(ptr) };
    raw.to_str().map_err(|e| {
        oss_sse_error::local(
            oss_sse_result::InvalidUtf8,
            format!(
                "argument `{name}` is not valid UTF-8 (at byte {})",
                e.valid_up_to()
            ),
        )
    })
}

/// A string argument for which NULL means "absent".
///
/// # Safety
/// As for [`arg_str`].
pub(crate) unsafe fn arg_opt_str<'a>(ptr: *const c_char, name: &str) -> FfiResult<Option<&'a str>> {
    if ptr.is_null() {
        return Ok(None);
    }
    // SAFETY: forwarded from this function's contract.
    unsafe { arg_str(ptr, name) }.map(Some)
}

/// A byte-buffer argument: `len` bytes at `ptr`, where NULL is allowed only with `len == 0`.
///
/// # Safety
/// `ptr` is NULL or valid for reading `len` bytes that stay unchanged during `'a`.
pub(crate) unsafe fn arg_bytes<'a>(ptr: *const u8, len: usize, name: &str) -> FfiResult<&'a [u8]> {
    if ptr.is_null() {
        return if len == 0 {
            Ok(&[])
        } else {
            Err(oss_sse_error::null(name))
        };
    }
    if len > isize::MAX as usize {
        return Err(oss_sse_error::local(
            oss_sse_result::InvalidArgument,
            format!("argument `{name}`: length {len} is larger than any buffer"),
        ));
    }
    // SAFETY: non-NULL, len within isize, and by this function's contract readable for len bytes.
    Ok(unsafe { std::slice::from_raw_parts(ptr, len) })
}

/// An output parameter, checked for NULL before any work is done and written only at the end.
pub(crate) struct Out<T>(*mut T);

impl<T> Out<T> {
    /// Checks `ptr`; the call fails with `NullParameter` if it is NULL.
    pub(crate) fn new(ptr: *mut T, name: &str) -> FfiResult<Self> {
        if ptr.is_null() {
            Err(oss_sse_error::null(name))
        } else {
            Ok(Out(ptr))
        }
    }

    /// Writes the value: the last step of a successful call.
    ///
    /// # Safety
    /// The pointer given to [`Out::new`] is valid for writing one `T`.
    pub(crate) unsafe fn write(self, value: T) {
        // SAFETY: non-NULL (checked in `new`) and writable by this function's contract. `write`
        // does not drop whatever garbage the caller left there.
        unsafe { self.0.write(value) }
    }
}

impl<T> Out<*mut T> {
    /// Boxes `value` and hands it to C through the output parameter.
    ///
    /// # Safety
    /// As for [`Out::write`].
    pub(crate) unsafe fn give(self, value: T) {
        // SAFETY: forwarded from this function's contract.
        unsafe { self.write(boxed(value)) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panics_become_a_result_code_and_an_error_handle() {
        assert_eq!(call(|| panic!("boom")), oss_sse_result::Panic);
        let mut err: *mut oss_sse_error = std::ptr::null_mut();
        // SAFETY: `err` is a valid place for one pointer.
        let r = unsafe { call_with_error(&mut err, || panic!("boom")) };
        assert_eq!(r, oss_sse_result::Panic);
        assert!(!err.is_null());
        // SAFETY: just written by call_with_error.
        assert_eq!(unsafe { &*err }.result, oss_sse_result::Panic);
        // SAFETY: came from `boxed`, freed once.
        unsafe { free_box(err) };
    }

    #[test]
    fn strings_are_checked_for_null_and_utf8() {
        // SAFETY: NULL and a static NUL-terminated string.
        unsafe {
            assert_eq!(
                arg_str(std::ptr::null(), "x").unwrap_err().result,
                oss_sse_result::NullParameter
            );
            assert_eq!(arg_opt_str(std::ptr::null(), "x"), Ok(None));
            let bad = b"\xff\xfe\0";
            assert_eq!(
                arg_str(bad.as_ptr().cast(), "x").unwrap_err().result,
                oss_sse_result::InvalidUtf8
            );
            assert_eq!(arg_str(c"ok".as_ptr(), "x"), Ok("ok"));
            assert_eq!(arg_bytes(std::ptr::null(), 0, "b"), Ok(&[][..]));
            assert!(arg_bytes(std::ptr::null(), 1, "b").is_err());
        }
    }
}
