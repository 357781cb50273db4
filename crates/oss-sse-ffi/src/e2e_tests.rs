//! The C ABI driven from Rust against the in-process emulator: every client call through its exported
//! function, the error handle of a service error, a callback provider asked per request, and one client
//! shared by 8 threads. (The C programs in examples-c/ run the same ground from C, under ASan and valgrind.)
//! A unit-test module because the crate is built as staticlib + cdylib, which integration tests cannot
//! link.

use std::ffi::{c_void, CStr, CString};
use std::ptr::{null, null_mut};
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::*;
use oss_sse_server::testing::TestServer;

fn text(s: oss_sse_str) -> String {
    // SAFETY: views from the library point at `len` valid bytes while their handle lives, which the
    // callers guarantee by converting before freeing.
    let bytes = unsafe { std::slice::from_raw_parts(s.data.cast::<u8>(), s.len) };
    String::from_utf8_lossy(bytes).into_owned()
}

fn c(s: &str) -> CString {
    CString::new(s).expect("test strings have no NUL")
}

struct Callback {
    calls: AtomicUsize,
    id: CString,
    secret: CString,
}

unsafe extern "C" fn provide(userdata: *mut c_void, sink: *mut oss_sse_credentials_sink) -> u32 {
    // SAFETY: the test passes a pointer to a `Callback` that outlives every client using it.
    let cb = unsafe { &*userdata.cast::<Callback>() };
    cb.calls.fetch_add(1, Ordering::SeqCst);
    // SAFETY: `sink` is the live sink of this call; the strings are NUL-terminated and alive.
    unsafe { oss_sse_credentials_sink_set(sink, cb.id.as_ptr(), cb.secret.as_ptr(), null()) as u32 }
}

/// A client for the server, through a callback provider over `cb`.
fn client(server: &TestServer, cb: &Callback) -> *mut oss_sse_client {
    let mut config = null_mut();
    let mut provider = null_mut();
    let mut client = null_mut();
    let endpoint = c(server.endpoint());
    // SAFETY: every out-pointer is a live local; `cb` outlives the client (the tests free it first).
    unsafe {
        assert_eq!(oss_sse_config_new(&mut config), oss_sse_result::Ok);
        let cb_ptr = (cb as *const Callback).cast_mut().cast();
        assert_eq!(
            oss_sse_credentials_provider_new_callback(Some(provide), cb_ptr, None, &mut provider),
            oss_sse_result::Ok
        );
        let r = oss_sse_client_new(endpoint.as_ptr(), config, provider, &mut client, null_mut());
        assert_eq!(r, oss_sse_result::Ok);
        oss_sse_credentials_provider_free(provider);
        oss_sse_config_free(config);
    }
    client
}

fn callback_for(server: &TestServer) -> Callback {
    let creds = server.credentials();
    Callback {
        calls: AtomicUsize::new(0),
        id: c(&creds.access_key_id),
        secret: c(creds.secret.expose()),
    }
}

fn header(h: *const oss_sse_headers, name: &str) -> Option<String> {
    let mut v = oss_sse_str::from_c(c"");
    let name = c(name);
    // SAFETY: `h` is a live list; `v` is a live local.
    let r = unsafe { oss_sse_headers_get(h, name.as_ptr(), &mut v) };
    (r == oss_sse_result::Ok).then(|| text(v))
}

trait FromC {
    fn from_c(s: &'static CStr) -> Self;
}

impl FromC for oss_sse_str {
    fn from_c(s: &'static CStr) -> Self {
        oss_sse_str {
            data: s.as_ptr(),
            len: s.to_bytes().len(),
        }
    }
}

#[test]
fn every_call_against_the_emulator() {
    let server = TestServer::start();
    let cb = callback_for(&server);
    let client = client(&server, &cb);
    let bucket = c("ffi-calls");
    let key = c("dir/object.txt");
    let body = b"bytes that the emulator stores encrypted";
    let mut requests = 0;
    // SAFETY: all handles are used while alive and freed once; out-pointers are live locals.
    unsafe {
        assert_eq!(
            oss_sse_client_create_bucket(client, bucket.as_ptr(), null_mut()),
            oss_sse_result::Ok
        );
        requests += 1;

        // No rule yet: a service error with everything OSS said.
        let mut rule = null_mut();
        let mut err = null_mut();
        let r = oss_sse_client_get_bucket_encryption(client, bucket.as_ptr(), &mut rule, &mut err);
        requests += 1;
        assert_eq!(r, oss_sse_result::ServiceError);
        assert!(rule.is_null());
        assert_eq!(oss_sse_error_result(err), oss_sse_result::ServiceError);
        assert_eq!(
            text(oss_sse_error_code(err)),
            "NoSuchServerSideEncryptionRule"
        );
        assert_eq!(oss_sse_error_http_status(err), 404);
        assert_eq!(text(oss_sse_error_request_id(err)).len(), 24);
        assert!(!text(oss_sse_error_message(err)).is_empty());
        oss_sse_error_free(err);

        // Set KMS with a key id and SM4 data encryption, read it back, then see it in GetBucketInfo.
        let mut req = null_mut();
        assert_eq!(
            oss_sse_set_bucket_encryption_request_new(bucket.as_ptr(), &mut req),
            oss_sse_result::Ok
        );
        assert_eq!(
            oss_sse_set_bucket_encryption_request_set_algorithm(req, oss_sse_algorithm::Kms as u32),
            oss_sse_result::Ok
        );
        let key_id = c("9468da86-3509-4f8d-a61e-6eab1eac0001");
        assert_eq!(
            oss_sse_set_bucket_encryption_request_set_kms_master_key_id(req, key_id.as_ptr()),
            oss_sse_result::Ok
        );
        assert_eq!(
            oss_sse_set_bucket_encryption_request_set_kms_data_encryption(req, c"SM4".as_ptr()),
            oss_sse_result::Ok
        );
        assert_eq!(
            oss_sse_client_set_bucket_encryption(client, req, null_mut()),
            oss_sse_result::Ok
        );
        requests += 1;
        oss_sse_set_bucket_encryption_request_free(req);

        assert_eq!(
            oss_sse_client_get_bucket_encryption(client, bucket.as_ptr(), &mut rule, null_mut()),
            oss_sse_result::Ok
        );
        requests += 1;
        assert_eq!(
            oss_sse_bucket_encryption_algorithm(rule),
            oss_sse_algorithm::Kms
        );
        assert_eq!(
            text(oss_sse_bucket_encryption_kms_master_key_id(rule)),
            "9468da86-3509-4f8d-a61e-6eab1eac0001"
        );
        assert_eq!(
            text(oss_sse_bucket_encryption_kms_data_encryption(rule)),
            "SM4"
        );
        oss_sse_bucket_encryption_free(rule);

        let mut info = null_mut();
        assert_eq!(
            oss_sse_client_get_bucket_info(client, bucket.as_ptr(), &mut info, null_mut()),
            oss_sse_result::Ok
        );
        requests += 1;
        assert_eq!(text(oss_sse_bucket_info_name(info)), "ffi-calls");
        assert_eq!(
            oss_sse_bucket_info_sse_algorithm(info),
            oss_sse_algorithm::Kms
        );
        assert_eq!(
            text(oss_sse_bucket_info_kms_master_key_id(info)),
            "9468da86-3509-4f8d-a61e-6eab1eac0001"
        );
        oss_sse_bucket_info_free(info);

        assert_eq!(
            oss_sse_client_delete_bucket_encryption(client, bucket.as_ptr(), null_mut()),
            oss_sse_result::Ok
        );
        requests += 1;
        assert_eq!(
            oss_sse_client_get_bucket_info(client, bucket.as_ptr(), &mut info, null_mut()),
            oss_sse_result::Ok
        );
        requests += 1;
        assert_eq!(
            oss_sse_bucket_info_sse_algorithm(info),
            oss_sse_algorithm::NotSet
        );
        oss_sse_bucket_info_free(info);

        // An object with its own SSE-OSS header: put, head, get, delete.
        let mut h = null_mut();
        assert_eq!(oss_sse_headers_new(&mut h), oss_sse_result::Ok);
        assert_eq!(
            oss_sse_headers_set(
                h,
                c"x-oss-server-side-encryption".as_ptr(),
                c"AES256".as_ptr()
            ),
            oss_sse_result::Ok
        );
        assert_eq!(
            oss_sse_headers_set(h, c"x-oss-meta-origin".as_ptr(), c"ffi".as_ptr()),
            oss_sse_result::Ok
        );
        let mut put = null_mut();
        let r = oss_sse_client_put_object(
            client,
            bucket.as_ptr(),
            key.as_ptr(),
            body.as_ptr(),
            body.len(),
            h,
            &mut put,
            null_mut(),
        );
        requests += 1;
        assert_eq!(r, oss_sse_result::Ok);
        oss_sse_headers_free(h);
        assert_eq!(
            header(put, "x-oss-server-side-encryption").as_deref(),
            Some("AES256")
        );
        assert!(header(put, "etag").is_some_and(|e| e.starts_with('"')));
        oss_sse_headers_free(put);

        let mut head = null_mut();
        assert_eq!(
            oss_sse_client_head_object(
                client,
                bucket.as_ptr(),
                key.as_ptr(),
                &mut head,
                null_mut()
            ),
            oss_sse_result::Ok
        );
        requests += 1;
        assert_eq!(
            header(head, "X-OSS-Server-Side-Encryption").as_deref(),
            Some("AES256")
        );
        assert_eq!(header(head, "x-oss-meta-origin").as_deref(), Some("ffi"));
        assert_eq!(header(head, "content-length"), Some(body.len().to_string()));
        oss_sse_headers_free(head);

        let mut object = null_mut();
        assert_eq!(
            oss_sse_client_get_object(
                client,
                bucket.as_ptr(),
                key.as_ptr(),
                &mut object,
                null_mut()
            ),
            oss_sse_result::Ok
        );
        requests += 1;
        let data = oss_sse_object_data(object);
        assert_eq!(std::slice::from_raw_parts(data.data, data.len), body);
        assert_eq!(
            header(
                oss_sse_object_headers(object),
                "x-oss-server-side-encryption"
            )
            .as_deref(),
            Some("AES256")
        );
        oss_sse_object_free(object);

        assert_eq!(
            oss_sse_client_delete_object(client, bucket.as_ptr(), key.as_ptr(), null_mut()),
            oss_sse_result::Ok
        );
        requests += 1;
        let r =
            oss_sse_client_head_object(client, bucket.as_ptr(), key.as_ptr(), &mut head, &mut err);
        requests += 1;
        assert_eq!(r, oss_sse_result::ServiceError);
        assert_eq!(oss_sse_error_http_status(err), 404);
        oss_sse_error_free(err);

        assert_eq!(
            oss_sse_client_delete_bucket(client, bucket.as_ptr(), null_mut()),
            oss_sse_result::Ok
        );
        requests += 1;
        oss_sse_client_free(client);
    }
    assert_eq!(
        cb.calls.load(Ordering::SeqCst),
        requests,
        "the provider is asked once per request"
    );
}

#[test]
fn one_client_shared_by_eight_threads() {
    let server = TestServer::start();
    let cb = callback_for(&server);
    let client = client(&server, &cb);
    struct Shared(*mut oss_sse_client);
    // SAFETY: oss_sse_client is documented (and statically asserted) to be thread-safe.
    unsafe impl Sync for Shared {}
    let shared = Shared(client);
    let bucket = c("ffi-threads");
    // SAFETY: live client and strings.
    assert_eq!(
        unsafe { oss_sse_client_create_bucket(client, bucket.as_ptr(), null_mut()) },
        oss_sse_result::Ok
    );
    std::thread::scope(|s| {
        for t in 0..8 {
            let shared = &shared;
            let bucket = &bucket;
            s.spawn(move || {
                for round in 0..4 {
                    let key = c(&format!("t{t}/r{round}"));
                    let body = format!("thread {t} round {round}").into_bytes();
                    let mut object = null_mut();
                    // SAFETY: the client outlives the scope; out-pointers are live locals.
                    unsafe {
                        let r = oss_sse_client_put_object(
                            shared.0,
                            bucket.as_ptr(),
                            key.as_ptr(),
                            body.as_ptr(),
                            body.len(),
                            null(),
                            null_mut(),
                            null_mut(),
                        );
                        assert_eq!(r, oss_sse_result::Ok);
                        let r = oss_sse_client_get_object(
                            shared.0,
                            bucket.as_ptr(),
                            key.as_ptr(),
                            &mut object,
                            null_mut(),
                        );
                        assert_eq!(r, oss_sse_result::Ok);
                        let data = oss_sse_object_data(object);
                        assert_eq!(std::slice::from_raw_parts(data.data, data.len), &body[..]);
                        oss_sse_object_free(object);
                    }
                }
            });
        }
    });
    // SAFETY: no thread uses the client any more.
    unsafe { oss_sse_client_free(client) };
    assert_eq!(cb.calls.load(Ordering::SeqCst), 1 + 8 * 4 * 2);
}

#[test]
fn bad_bucket_names_are_refused_without_a_request() {
    let server = TestServer::start();
    let cb = callback_for(&server);
    let client = client(&server, &cb);
    let mut err = null_mut();
    // SAFETY: live client; `err` is a live local, freed once.
    unsafe {
        let r = oss_sse_client_create_bucket(client, c"Not_A_Bucket".as_ptr(), &mut err);
        assert_eq!(r, oss_sse_result::InvalidBucketName);
        assert_eq!(text(oss_sse_error_code(err)), "ValidateError");
        oss_sse_error_free(err);
        oss_sse_client_free(client);
    }
    assert_eq!(
        cb.calls.load(Ordering::SeqCst),
        0,
        "nothing was sent, so no credentials were needed"
    );
}

/// Upload source for the streaming tests: `remaining` bytes of a pattern, or a failure on demand.
struct Source {
    data: Vec<u8>,
    pos: usize,
    fail_at: Option<usize>,
}

unsafe extern "C" fn read_source(
    userdata: *mut c_void,
    buf: *mut u8,
    len: usize,
    written: *mut usize,
) -> u32 {
    // SAFETY: the tests pass a live `Source`, used by this call only.
    let src = unsafe { &mut *userdata.cast::<Source>() };
    if src.fail_at.is_some_and(|at| src.pos >= at) {
        return 5;
    }
    // Small, uneven chunks exercise the adapter's bookkeeping.
    let n = len.min(7919).min(src.data.len() - src.pos);
    // SAFETY: `buf` has room for `len` >= `n` bytes; `written` is valid for one write.
    unsafe {
        std::ptr::copy_nonoverlapping(src.data.as_ptr().add(src.pos), buf, n);
        *written = n;
    }
    src.pos += n;
    0
}

unsafe extern "C" fn write_sink(userdata: *mut c_void, buf: *const u8, len: usize) -> u32 {
    // SAFETY: the tests pass a live Vec<u8>; `buf` holds `len` bytes during the call.
    let out = unsafe { &mut *userdata.cast::<Vec<u8>>() };
    out.extend_from_slice(unsafe { std::slice::from_raw_parts(buf, len) });
    0
}

unsafe extern "C" fn refuse_sink(_userdata: *mut c_void, _buf: *const u8, _len: usize) -> u32 {
    9
}

#[test]
fn streamed_upload_and_download() {
    let server = TestServer::start();
    let cb = callback_for(&server);
    let client = client(&server, &cb);
    let bucket = c("ffi-stream");
    let key = c("big.bin");
    let data: Vec<u8> = (0..3 * 1024 * 1024 + 17)
        .map(|i| (i * 31 % 251) as u8)
        .collect();
    // SAFETY: live handles and locals; every handle freed once.
    unsafe {
        assert_eq!(
            oss_sse_client_create_bucket(client, bucket.as_ptr(), null_mut()),
            oss_sse_result::Ok
        );
        let mut h = null_mut();
        assert_eq!(oss_sse_headers_new(&mut h), oss_sse_result::Ok);
        assert_eq!(
            oss_sse_headers_set(h, c"x-oss-server-side-encryption".as_ptr(), c"KMS".as_ptr()),
            oss_sse_result::Ok
        );
        let mut src = Source {
            data: data.clone(),
            pos: 0,
            fail_at: None,
        };
        let mut put = null_mut();
        let r = oss_sse_client_put_object_stream(
            client,
            bucket.as_ptr(),
            key.as_ptr(),
            data.len() as u64,
            Some(read_source),
            (&mut src as *mut Source).cast(),
            h,
            &mut put,
            null_mut(),
        );
        assert_eq!(r, oss_sse_result::Ok);
        assert_eq!(
            header(put, "x-oss-server-side-encryption").as_deref(),
            Some("KMS")
        );
        oss_sse_headers_free(put);

        let mut got: Vec<u8> = Vec::new();
        let mut headers = null_mut();
        let r = oss_sse_client_get_object_stream(
            client,
            bucket.as_ptr(),
            key.as_ptr(),
            Some(write_sink),
            (&mut got as *mut Vec<u8>).cast(),
            &mut headers,
            null_mut(),
        );
        assert_eq!(r, oss_sse_result::Ok);
        assert!(got == data, "the streamed download differs from the upload");
        assert_eq!(
            header(headers, "x-oss-server-side-encryption").as_deref(),
            Some("KMS")
        );
        oss_sse_headers_free(headers);

        // The caller's side failing: a read callback error, data ending early, a write callback error.
        let mut err = null_mut();
        let mut failing = Source {
            data: data.clone(),
            pos: 0,
            fail_at: Some(100_000),
        };
        let r = oss_sse_client_put_object_stream(
            client,
            bucket.as_ptr(),
            c"fails.bin".as_ptr(),
            data.len() as u64,
            Some(read_source),
            (&mut failing as *mut Source).cast(),
            null(),
            null_mut(),
            &mut err,
        );
        assert_eq!(r, oss_sse_result::IoError);
        assert_eq!(
            text(oss_sse_error_message(err)),
            "the read callback failed (it returned 5)"
        );
        oss_sse_error_free(err);
        let mut short = Source {
            data: data[..1000].to_vec(),
            pos: 0,
            fail_at: None,
        };
        let r = oss_sse_client_put_object_stream(
            client,
            bucket.as_ptr(),
            c"short.bin".as_ptr(),
            5000,
            Some(read_source),
            (&mut short as *mut Source).cast(),
            null(),
            null_mut(),
            &mut err,
        );
        assert_eq!(r, oss_sse_result::IoError);
        assert!(text(oss_sse_error_message(err)).contains("1000 of 5000"));
        oss_sse_error_free(err);
        let mut headers = null_mut();
        let r = oss_sse_client_get_object_stream(
            client,
            bucket.as_ptr(),
            key.as_ptr(),
            Some(refuse_sink),
            null_mut(),
            &mut headers,
            &mut err,
        );
        assert_eq!(r, oss_sse_result::IoError);
        assert!(headers.is_null(), "no headers on failure");
        oss_sse_error_free(err);
        let r = oss_sse_client_get_object_stream(
            client,
            bucket.as_ptr(),
            key.as_ptr(),
            None,
            null_mut(),
            null_mut(),
            null_mut(),
        );
        assert_eq!(r, oss_sse_result::NullParameter);
        let r = oss_sse_client_put_object_stream(
            client,
            bucket.as_ptr(),
            key.as_ptr(),
            1,
            None,
            null_mut(),
            null(),
            null_mut(),
            null_mut(),
        );
        assert_eq!(r, oss_sse_result::NullParameter);

        assert_eq!(
            oss_sse_client_delete_object(client, bucket.as_ptr(), key.as_ptr(), null_mut()),
            oss_sse_result::Ok
        );
        oss_sse_client_free(client);
    }
}
