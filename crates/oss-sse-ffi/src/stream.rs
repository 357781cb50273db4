//! Streamed uploads and downloads: the body comes from, or goes to, a C callback in chunks, so an object
//! of any size passes through bounded memory (the buffered calls hold it whole).

use std::ffi::{c_char, c_void};
use std::io::{self, Read, Write};

use ::oss_sse_client::GetObjectOptions;

use crate::boundary::{arg_ref, call_with_error, Out};
use crate::client::{
    bucket_arg, from_client_error, header_list, key_arg, oss_sse_client, put_options, put_response,
};
use crate::error::oss_sse_error;
use crate::headers::oss_sse_headers;
use crate::result::oss_sse_result;

/// Supplies the next bytes of an upload: write at most `len` bytes to `buf`, store how many in
/// `*written` (0 only at the end of the data) and return 0. Any other return value aborts the upload.
/// Must not unwind.
pub type oss_sse_read_callback = Option<
    unsafe extern "C" fn(
        userdata: *mut c_void,
        buf: *mut u8,
        len: usize,
        written: *mut usize,
    ) -> u32,
>;

/// Receives the next `len` bytes of a download (`buf` is valid only during the call). Return 0 to
/// go on; any other value aborts the download. Must not unwind.
pub type oss_sse_write_callback =
    Option<unsafe extern "C" fn(userdata: *mut c_void, buf: *const u8, len: usize) -> u32>;

/// A C read callback as a `Read`.
struct CallbackReader {
    callback: unsafe extern "C" fn(*mut c_void, *mut u8, usize, *mut usize) -> u32,
    userdata: *mut c_void,
    /// Why the callback side failed, if it did: the HTTP layer reports a failing body as a broken
    /// connection, so the reason is kept here to give C the right code.
    failure: Option<String>,
}

impl CallbackReader {
    fn fail(&mut self, kind: io::ErrorKind, message: String) -> io::Error {
        self.failure = Some(message.clone());
        io::Error::new(kind, message)
    }
}

impl Read for CallbackReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let mut written = 0usize;
        // SAFETY: `buf` is valid for writing `buf.len()` bytes and `written` is a live local; the
        // caller of oss_sse_client_put_object_stream promised the callback accepts `userdata`.
        let status =
            unsafe { (self.callback)(self.userdata, buf.as_mut_ptr(), buf.len(), &mut written) };
        if status != 0 {
            let message = format!("the read callback failed (it returned {status})");
            return Err(self.fail(io::ErrorKind::Other, message));
        }
        if written > buf.len() {
            let message = format!(
                "the read callback claimed {written} bytes of a {}-byte buffer",
                buf.len()
            );
            return Err(self.fail(io::ErrorKind::InvalidData, message));
        }
        Ok(written)
    }
}

/// A C write callback as a `Write`.
struct CallbackWriter {
    callback: unsafe extern "C" fn(*mut c_void, *const u8, usize) -> u32,
    userdata: *mut c_void,
}

impl Write for CallbackWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        // SAFETY: `buf` is valid for reading `buf.len()` bytes during the call; the caller of
        // oss_sse_client_get_object_stream promised the callback accepts `userdata`.
        let status = unsafe { (self.callback)(self.userdata, buf.as_ptr(), buf.len()) };
        if status != 0 {
            // WriteZero is what the client reports as the caller's I/O failing, not the network.
            return Err(io::Error::new(
                io::ErrorKind::WriteZero,
                format!("the write callback failed (it returned {status})"),
            ));
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Uploads exactly `content_length` bytes read from `read` (PutObject), streamed: memory use does
/// not depend on the size. `headers`, `response_headers_out` and `err_out` are as for
/// `oss_sse_client_put_object`. A streamed body is sent once, never retried. The upload fails if the
/// callback fails, or ends the data before `content_length` bytes.
///
/// # Safety
/// `client` is NULL or a live client; `bucket` and `key` are NULL or NUL-terminated; `read` may be
/// called with `userdata` on the calling thread until this function returns; `headers` is NULL or a
/// live list; the out-pointers are NULL or valid for writing one pointer.
#[no_mangle]
pub unsafe extern "C" fn oss_sse_client_put_object_stream(
    client: *const oss_sse_client,
    bucket: *const c_char,
    key: *const c_char,
    content_length: u64,
    read: oss_sse_read_callback,
    userdata: *mut c_void,
    headers: *const oss_sse_headers,
    response_headers_out: *mut *mut oss_sse_headers,
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
        let callback = read.ok_or_else(|| oss_sse_error::null("read"))?;
        // SAFETY: forwarded from this function's contract: NULL or a live list.
        let opts = put_options(unsafe { headers.as_ref() });
        let mut reader = CallbackReader {
            callback,
            userdata,
            failure: None,
        };
        let result = client
            .inner
            .put_object(bucket, key, &mut reader, content_length, &opts);
        let output = result.map_err(|e| match reader.failure.take() {
            Some(why) => oss_sse_error::local(oss_sse_result::IoError, why),
            None => from_client_error(e),
        })?;
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

/// Downloads `bucket`/`key` (GetObject), handing the content to `write` chunk by chunk as it arrives,
/// then checks the CRC64 (when enabled). When `headers_out` is not NULL it receives the response
/// headers, on success only. A failure after some chunks were delivered (the connection broke, the
/// CRC64 did not match) still fails the call: discard what `write` received.
///
/// # Safety
/// `client` is NULL or a live client; `bucket` and `key` are NULL or NUL-terminated; `write` may be
/// called with `userdata` on the calling thread until this function returns; `headers_out` and
/// `err_out` are NULL or valid for writing one pointer.
#[no_mangle]
pub unsafe extern "C" fn oss_sse_client_get_object_stream(
    client: *const oss_sse_client,
    bucket: *const c_char,
    key: *const c_char,
    write: oss_sse_write_callback,
    userdata: *mut c_void,
    headers_out: *mut *mut oss_sse_headers,
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
        let callback = write.ok_or_else(|| oss_sse_error::null("write"))?;
        let mut writer = CallbackWriter { callback, userdata };
        let meta = client
            .inner
            .get_object_to_writer(bucket, key, &GetObjectOptions::default(), &mut writer)
            .map_err(from_client_error)?;
        if !headers_out.is_null() {
            // SAFETY: non-NULL, and writable by this function's contract.
            unsafe { Out::new(headers_out, "headers_out")?.give(header_list(&meta.headers)) };
        }
        Ok(())
    };
    // SAFETY: `err_out` is NULL or writable, by this function's contract.
    unsafe { call_with_error(err_out, body) }
}
