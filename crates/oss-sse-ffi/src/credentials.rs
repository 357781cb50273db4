//! Credentials providers: fixed keys, the `OSS_*` environment variables, or a C callback asked for
//! fresh credentials before every request (how the C++ layer runs a user's `CredentialsProvider`
//! subclass, and how a C program plugs in STS).

use std::ffi::{c_char, c_void};
use std::sync::Arc;

use ::oss_sse_client::credentials::{
    Credentials, CredentialsError, CredentialsProvider, EnvProvider, StaticProvider,
};

use crate::boundary::{arg_mut, arg_opt_str, arg_str, call, free_box, FfiResult, Out};
use crate::error::oss_sse_error;
use crate::result::oss_sse_result;

/// Checks and copies credentials passed from C; an empty token means none.
fn credentials(id: &str, secret: &str, token: Option<&str>) -> FfiResult<Credentials> {
    if id.is_empty() || secret.is_empty() {
        return Err(oss_sse_error::local(
            oss_sse_result::InvalidArgument,
            "the access key id and secret must not be empty",
        ));
    }
    // They end up in HTTP headers, where control characters would split or corrupt them.
    let printable = |s: &str| !s.bytes().any(|b| b.is_ascii_control());
    if !printable(id) || !printable(secret) || !token.is_none_or(printable) {
        return Err(oss_sse_error::local(
            oss_sse_result::InvalidArgument,
            "credentials must not contain control characters",
        ));
    }
    Ok(Credentials::new(id, secret).with_security_token(token.unwrap_or_default()))
}

/// The function a callback provider calls for every request. It must report credentials with
/// `oss_sse_credentials_sink_set` on `sink` (valid only during the call) and return 0; any other
/// return value fails the request with `OSS_SSE_RESULT_CREDENTIALS_ERROR`. It may be called from
/// several threads at once when a client is shared, and must not unwind (a C++ callback catches
/// its exceptions).
pub type oss_sse_credentials_callback =
    Option<unsafe extern "C" fn(userdata: *mut c_void, sink: *mut oss_sse_credentials_sink) -> u32>;

/// Releases the `userdata` of a callback provider once the provider and every client using it are
/// gone. Called exactly once, on whichever thread drops the last reference.
pub type oss_sse_userdata_free = Option<unsafe extern "C" fn(userdata: *mut c_void)>;

/// Where a provider callback puts the credentials it produced. Owned by the library; valid only
/// during the callback.
#[derive(Default)]
pub struct oss_sse_credentials_sink {
    credentials: Option<Credentials>,
    /// Why the callback failed, when it said so with `oss_sse_credentials_sink_fail`.
    failure: Option<String>,
}

/// A C callback with its userdata, called for each request.
struct CallbackProvider {
    callback: unsafe extern "C" fn(*mut c_void, *mut oss_sse_credentials_sink) -> u32,
    userdata: *mut c_void,
    free_userdata: oss_sse_userdata_free,
}

// SAFETY: the callback contract (see `oss_sse_credentials_provider_new_callback`) requires the
// callback and its userdata to be usable from any thread, concurrently; the library only ever hands
// `userdata` back to the caller's own functions and never dereferences it.
unsafe impl Send for CallbackProvider {}
// SAFETY: as for Send: concurrent calls are part of the documented callback contract.
unsafe impl Sync for CallbackProvider {}

impl CredentialsProvider for CallbackProvider {
    fn credentials(&self) -> Result<Credentials, CredentialsError> {
        let mut sink = oss_sse_credentials_sink::default();
        // SAFETY: the caller promised (in `_new_callback`) that `callback` may be called with its
        // `userdata` from any thread until `free_userdata` runs; `sink` is a live, exclusive local.
        let status = unsafe { (self.callback)(self.userdata, &mut sink) };
        if status != 0 {
            return Err(CredentialsError::Provider(match sink.failure {
                Some(why) => format!("the credentials callback failed: {why}"),
                None => format!("the credentials callback failed (it returned {status})"),
            }));
        }
        sink.credentials.ok_or_else(|| {
            CredentialsError::Provider(
                "the credentials callback returned 0 without calling oss_sse_credentials_sink_set"
                    .into(),
            )
        })
    }
}

impl Drop for CallbackProvider {
    fn drop(&mut self) {
        if let Some(free) = self.free_userdata {
            // SAFETY: by the `_new_callback` contract `free_userdata` releases `userdata`; this
            // runs once, when the last reference to the provider goes away.
            unsafe { free(self.userdata) };
        }
    }
}

/// A source of credentials, owned by the caller and released with
/// `oss_sse_credentials_provider_free`. Clients keep their own reference, so a provider may be freed
/// as soon as the clients using it are built.
pub struct oss_sse_credentials_provider {
    pub(crate) provider: Arc<dyn CredentialsProvider>,
}

/// Creates a provider of fixed credentials. `security_token` is NULL (or empty) for long-term keys.
///
/// # Safety
/// The strings are NULL or NUL-terminated; `provider_out` is NULL or valid for writing one pointer.
#[no_mangle]
pub unsafe extern "C" fn oss_sse_credentials_provider_new_static(
    access_key_id: *const c_char,
    access_key_secret: *const c_char,
    security_token: *const c_char,
    provider_out: *mut *mut oss_sse_credentials_provider,
) -> oss_sse_result {
    call(|| {
        let out = Out::new(provider_out, "provider_out")?;
        // SAFETY: forwarded from this function's contract.
        let (id, secret, token) = unsafe {
            (
                arg_str(access_key_id, "access_key_id")?,
                arg_str(access_key_secret, "access_key_secret")?,
                arg_opt_str(security_token, "security_token")?,
            )
        };
        let provider = Arc::new(StaticProvider::new(credentials(id, secret, token)?));
        // SAFETY: checked non-NULL, writable by this function's contract.
        unsafe { out.give(oss_sse_credentials_provider { provider }) };
        Ok(())
    })
}

/// Creates a provider that reads `OSS_ACCESS_KEY_ID`, `OSS_ACCESS_KEY_SECRET` and
/// `OSS_SESSION_TOKEN` for every request; a request made while they are unset fails with
/// `OSS_SSE_RESULT_CREDENTIALS_ERROR`.
///
/// # Safety
/// `provider_out` is NULL or valid for writing one pointer.
#[no_mangle]
pub unsafe extern "C" fn oss_sse_credentials_provider_new_environment(
    provider_out: *mut *mut oss_sse_credentials_provider,
) -> oss_sse_result {
    call(|| {
        let out = Out::new(provider_out, "provider_out")?;
        // SAFETY: checked non-NULL, writable by this function's contract.
        unsafe {
            out.give(oss_sse_credentials_provider {
                provider: Arc::new(EnvProvider::new()),
            })
        };
        Ok(())
    })
}

/// Creates a provider that calls `callback(userdata, sink)` before every request.
///
/// The caller promises that `callback` can be called with `userdata` from any thread, also
/// concurrently, until `free_userdata` (which may be NULL) is called; the library calls
/// `free_userdata(userdata)` exactly once, when the provider and all clients built with it are
/// freed. If this function fails, `free_userdata` is not called and `userdata` stays the caller's.
///
/// # Safety
/// As described; `provider_out` is NULL or valid for writing one pointer.
#[no_mangle]
pub unsafe extern "C" fn oss_sse_credentials_provider_new_callback(
    callback: oss_sse_credentials_callback,
    userdata: *mut c_void,
    free_userdata: oss_sse_userdata_free,
    provider_out: *mut *mut oss_sse_credentials_provider,
) -> oss_sse_result {
    call(|| {
        let out = Out::new(provider_out, "provider_out")?;
        let callback = callback.ok_or_else(|| oss_sse_error::null("callback"))?;
        let provider = Arc::new(CallbackProvider {
            callback,
            userdata,
            free_userdata,
        });
        // SAFETY: checked non-NULL, writable by this function's contract.
        unsafe { out.give(oss_sse_credentials_provider { provider }) };
        Ok(())
    })
}

/// Releases a provider. NULL is accepted and ignored. Clients built with it keep working.
///
/// # Safety
/// `provider` is NULL or a provider handle not yet freed.
#[no_mangle]
pub unsafe extern "C" fn oss_sse_credentials_provider_free(
    provider: *mut oss_sse_credentials_provider,
) {
    // SAFETY: forwarded from this function's contract.
    unsafe { free_box(provider) }
}

/// Reports credentials from inside a provider callback. `security_token` may be NULL. Calling it
/// again replaces what an earlier call reported.
///
/// # Safety
/// `sink` is NULL or the sink passed to the running callback; the strings are NULL or
/// NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn oss_sse_credentials_sink_set(
    sink: *mut oss_sse_credentials_sink,
    access_key_id: *const c_char,
    access_key_secret: *const c_char,
    security_token: *const c_char,
) -> oss_sse_result {
    call(|| {
        // SAFETY: forwarded from this function's contract.
        let (sink, id, secret, token) = unsafe {
            (
                arg_mut(sink, "sink")?,
                arg_str(access_key_id, "access_key_id")?,
                arg_str(access_key_secret, "access_key_secret")?,
                arg_opt_str(security_token, "security_token")?,
            )
        };
        sink.credentials = Some(credentials(id, secret, token)?);
        Ok(())
    })
}

/// Says why a provider callback is about to fail (return non-zero after calling this): the text
/// becomes the message of the request's `CredentialsError`. Invalid UTF-8 is replaced, not refused, so
/// that a failure report never fails.
///
/// # Safety
/// `sink` is NULL or the sink passed to the running callback; `message` is NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn oss_sse_credentials_sink_fail(
    sink: *mut oss_sse_credentials_sink,
    message: *const c_char,
) -> oss_sse_result {
    call(|| {
        // SAFETY: forwarded from this function's contract.
        let sink = unsafe { arg_mut(sink, "sink") }?;
        if message.is_null() {
            return Err(oss_sse_error::null("message"));
        }
        // SAFETY: non-NULL, and NUL-terminated by this function's contract.
        let text = unsafe { std::ffi::CStr::from_ptr(message) }.to_string_lossy();
        sink.failure = Some(text.into_owned());
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    static FREED: AtomicUsize = AtomicUsize::new(0);

    unsafe extern "C" fn give(userdata: *mut c_void, sink: *mut oss_sse_credentials_sink) -> u32 {
        // SAFETY: the test passes a pointer to a live AtomicUsize.
        let calls = unsafe { &*userdata.cast::<AtomicUsize>() };
        calls.fetch_add(1, Ordering::SeqCst);
        // SAFETY: `sink` is the live sink of this call; the strings are static C strings.
        let r = unsafe {
            oss_sse_credentials_sink_set(sink, c"id".as_ptr(), c"secret".as_ptr(), std::ptr::null())
        };
        r as u32
    }

    unsafe extern "C" fn refuse(
        _userdata: *mut c_void,
        _sink: *mut oss_sse_credentials_sink,
    ) -> u32 {
        7
    }

    unsafe extern "C" fn explain(
        _userdata: *mut c_void,
        sink: *mut oss_sse_credentials_sink,
    ) -> u32 {
        // SAFETY: `sink` is the live sink of this call; the message is a static C string.
        unsafe { oss_sse_credentials_sink_fail(sink, c"the STS endpoint is down".as_ptr()) };
        1
    }

    unsafe extern "C" fn silent(
        _userdata: *mut c_void,
        _sink: *mut oss_sse_credentials_sink,
    ) -> u32 {
        0
    }

    unsafe extern "C" fn count_free(_userdata: *mut c_void) {
        FREED.fetch_add(1, Ordering::SeqCst);
    }

    #[test]
    fn callback_is_called_per_fetch_and_its_userdata_freed_once() {
        let calls = AtomicUsize::new(0);
        let mut p: *mut oss_sse_credentials_provider = std::ptr::null_mut();
        // SAFETY: `calls` outlives the provider, which is freed inside this block.
        unsafe {
            let r = oss_sse_credentials_provider_new_callback(
                Some(give),
                (&calls as *const AtomicUsize).cast_mut().cast(),
                Some(count_free),
                &mut p,
            );
            assert_eq!(r, oss_sse_result::Ok);
            let shared = Arc::clone(&(*p).provider);
            for _ in 0..3 {
                let c = shared.credentials().map(|c| c.access_key_id);
                assert_eq!(c, Ok("id".to_owned()));
            }
            oss_sse_credentials_provider_free(p);
            assert_eq!(
                FREED.load(Ordering::SeqCst),
                0,
                "a clone still holds the callback"
            );
            drop(shared);
        }
        assert_eq!(calls.load(Ordering::SeqCst), 3);
        assert_eq!(FREED.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn failing_callbacks_and_bad_keys_are_errors() {
        for callback in [refuse as unsafe extern "C" fn(_, _) -> u32, silent] {
            let p = CallbackProvider {
                callback,
                userdata: std::ptr::null_mut(),
                free_userdata: None,
            };
            assert!(matches!(
                p.credentials(),
                Err(CredentialsError::Provider(_))
            ));
        }
        let p = CallbackProvider {
            callback: explain,
            userdata: std::ptr::null_mut(),
            free_userdata: None,
        };
        let e = p.credentials().map(|_| ()).unwrap_err();
        assert!(e.to_string().contains("the STS endpoint is down"), "{e}");
        assert!(credentials("", "s", None).is_err());
        assert!(credentials("a\r\n", "s", None).is_err());
        assert!(credentials("a", "s", Some("")).is_ok_and(|k| k.security_token.is_none()));
    }
}
