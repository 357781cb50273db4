//! Request targeting and classification in the emulator: the `Host` header, the raw path and the raw
//! query of any request (however malformed) resolve to a target or an OSS error, never a panic, and the
//! operation classifier accepts whatever target comes out.
#![no_main]
#![forbid(unsafe_code)]

use libfuzzer_sys::arbitrary::{self, Arbitrary};
use libfuzzer_sys::fuzz_target;
use oss_sse_server::server::route::{bucket_from_host, classify, parse_target};

/// Methods the server sees most, plus the fuzzer's own spelling (extension methods parse too).
const METHODS: &[&str] = &["GET", "PUT", "POST", "DELETE", "HEAD", "OPTIONS", "PATCH"];

#[derive(Debug, Arbitrary)]
struct Input<'a> {
    host: Option<&'a str>,
    path: &'a str,
    query: Option<&'a str>,
    method: u8,
    custom_method: &'a str,
    copy_source: bool,
}

fuzz_target!(|input: Input<'_>| {
    if let Some(host) = input.host {
        // A virtual-hosted bucket is always the first label of the host as sent.
        if let Some(bucket) = bucket_from_host(host) {
            assert!(
                host.starts_with(bucket),
                "{bucket:?} not a prefix of {host:?}"
            );
        }
    }
    // Paths the server receives always start with '/'; also try the raw bytes to reach the refusal.
    let slashed = format!("/{}", input.path);
    for path in [input.path, slashed.as_str()] {
        let Ok(target) = parse_target(input.host, path, input.query) else {
            continue;
        };
        let method = match METHODS.get(usize::from(input.method)) {
            Some(m) => http::Method::from_bytes(m.as_bytes()),
            None => http::Method::from_bytes(input.custom_method.as_bytes()),
        };
        if let Ok(method) = method {
            let _ = classify(&method, &target, input.copy_source);
        }
    }
});
