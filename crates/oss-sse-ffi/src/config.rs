//! Client configuration: the fields of the C++ SDK's `ClientConfiguration` that mean something to
//! this client, set one at a time on a handle that `oss_sse_client_new` later reads.

use std::ffi::c_char;

use crate::boundary::{arg_mut, arg_opt_str, call, free_box, FfiResult, Out};
use crate::error::oss_sse_error;
use crate::result::oss_sse_result;

/// URL scheme used when an endpoint has none (`oss-cn-hangzhou.aliyuncs.com`), and for proxies.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum oss_sse_scheme {
    /// `http://`
    Http = 0,
    /// `https://`
    Https = 1,
}

/// How requests are signed.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum oss_sse_signature_version {
    /// OSS signature V1 (HMAC-SHA1), the C++ SDK's default.
    V1 = 1,
    /// OSS signature V4 (OSS4-HMAC-SHA256); needs a region (set one, or use a regional endpoint).
    V4 = 4,
}

impl oss_sse_scheme {
    /// `http` or `https`, as written before `://`.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Http => "http",
            Self::Https => "https",
        }
    }

    fn from_u32(n: u32) -> FfiResult<Self> {
        match n {
            0 => Ok(Self::Http),
            1 => Ok(Self::Https),
            _ => Err(invalid(format!("{n} is not an oss_sse_scheme"))),
        }
    }
}

impl oss_sse_signature_version {
    fn from_u32(n: u32) -> FfiResult<Self> {
        match n {
            1 => Ok(Self::V1),
            4 => Ok(Self::V4),
            _ => Err(invalid(format!("{n} is not an oss_sse_signature_version"))),
        }
    }
}

fn invalid(message: String) -> Box<oss_sse_error> {
    oss_sse_error::local(oss_sse_result::InvalidArgument, message)
}

/// A proxy every request goes through.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Proxy {
    pub(crate) scheme: oss_sse_scheme,
    pub(crate) host: String,
    pub(crate) port: u16,
    pub(crate) user: Option<String>,
    /// Secret: never printed (no Debug on this type).
    pub(crate) password: Option<String>,
}

/// A client configuration being assembled; owned by the caller, released with `oss_sse_config_free`.
/// Its defaults are the C++ SDK's. Not thread-safe: set it up on one thread, then pass it to
/// `oss_sse_client_new`, which copies it.
#[derive(Clone)]
pub struct oss_sse_config {
    pub(crate) user_agent: Option<String>,
    pub(crate) scheme: oss_sse_scheme,
    pub(crate) max_connections: u32,
    pub(crate) request_timeout_ms: u64,
    pub(crate) connect_timeout_ms: u64,
    pub(crate) max_retries: u32,
    pub(crate) proxy: Option<Proxy>,
    pub(crate) verify_ssl: bool,
    pub(crate) ca_file: Option<String>,
    pub(crate) is_cname: bool,
    pub(crate) enable_crc64: bool,
    pub(crate) date_skew_adjustment: bool,
    pub(crate) path_style: bool,
    pub(crate) signature_version: oss_sse_signature_version,
    pub(crate) region: Option<String>,
}

impl Default for oss_sse_config {
    fn default() -> Self {
        oss_sse_config {
            user_agent: None,
            scheme: oss_sse_scheme::Http,
            max_connections: 16,
            request_timeout_ms: 10_000,
            connect_timeout_ms: 5_000,
            max_retries: 3,
            proxy: None,
            verify_ssl: true,
            ca_file: None,
            is_cname: false,
            enable_crc64: true,
            date_skew_adjustment: true,
            path_style: false,
            signature_version: oss_sse_signature_version::V1,
            region: None,
        }
    }
}

/// Creates a configuration with the C++ SDK's defaults: scheme HTTP, 16 connections, request
/// timeout 10000 ms, connect timeout 5000 ms, 3 retries, TLS verification on, no CNAME, CRC64 on,
/// date-skew adjustment on, virtual-hosted addressing (IP endpoints are always path-style),
/// signature V1, region from the endpoint.
///
/// # Safety
/// `config_out` is NULL or valid for writing one pointer.
#[no_mangle]
pub unsafe extern "C" fn oss_sse_config_new(
    config_out: *mut *mut oss_sse_config,
) -> oss_sse_result {
    call(|| {
        let out = Out::new(config_out, "config_out")?;
        // SAFETY: `out` is non-NULL and writable by this function's contract.
        unsafe { out.give(oss_sse_config::default()) };
        Ok(())
    })
}

/// Releases a configuration. NULL is accepted and ignored.
///
/// # Safety
/// `config` is NULL or a handle from `oss_sse_config_new` not yet freed.
#[no_mangle]
pub unsafe extern "C" fn oss_sse_config_free(config: *mut oss_sse_config) {
    // SAFETY: forwarded from this function's contract.
    unsafe { free_box(config) }
}

/// Applies `change` to the configuration behind `config`, the common shape of every setter.
///
/// # Safety
/// `config` is NULL or a live handle not used by another thread during the call.
unsafe fn set(
    config: *mut oss_sse_config,
    change: impl FnOnce(&mut oss_sse_config) -> FfiResult<()>,
) -> oss_sse_result {
    call(|| {
        // SAFETY: forwarded from this function's contract.
        let config = unsafe { arg_mut(config, "config") }?;
        // Validate into a copy so a failed setter leaves the configuration as it was.
        let mut changed = config.clone();
        change(&mut changed)?;
        *config = changed;
        Ok(())
    })
}

/// Sets the User-Agent (default `oss-sse/<version>`). NULL restores the default.
///
/// # Safety
/// `config` is NULL or a live handle; `user_agent` is NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn oss_sse_config_set_user_agent(
    config: *mut oss_sse_config,
    user_agent: *const c_char,
) -> oss_sse_result {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        set(config, |c| {
            let ua = arg_opt_str(user_agent, "user_agent")?;
            if ua.is_some_and(|ua| ua.bytes().any(|b| b.is_ascii_control())) {
                return Err(invalid("user_agent contains control characters".into()));
            }
            c.user_agent = ua.map(str::to_owned);
            Ok(())
        })
    }
}

/// Sets the scheme used for endpoints written without one (an `oss_sse_scheme`).
///
/// # Safety
/// `config` is NULL or a live handle.
#[no_mangle]
pub unsafe extern "C" fn oss_sse_config_set_scheme(
    config: *mut oss_sse_config,
    scheme: u32,
) -> oss_sse_result {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        set(config, |c| {
            c.scheme = oss_sse_scheme::from_u32(scheme)?;
            Ok(())
        })
    }
}

/// Sets the largest number of connections kept open to the endpoint (at least 1).
///
/// # Safety
/// `config` is NULL or a live handle.
#[no_mangle]
pub unsafe extern "C" fn oss_sse_config_set_max_connections(
    config: *mut oss_sse_config,
    max_connections: u32,
) -> oss_sse_result {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        set(config, |c| {
            if max_connections == 0 {
                return Err(invalid("max_connections must be at least 1".into()));
            }
            c.max_connections = max_connections;
            Ok(())
        })
    }
}

/// Sets the request timeout in milliseconds: the most a whole request may take once connected
/// (more than 0).
///
/// # Safety
/// `config` is NULL or a live handle.
#[no_mangle]
pub unsafe extern "C" fn oss_sse_config_set_request_timeout_ms(
    config: *mut oss_sse_config,
    timeout_ms: u64,
) -> oss_sse_result {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        set(config, |c| {
            c.request_timeout_ms = positive(timeout_ms, "request timeout")?;
            Ok(())
        })
    }
}

/// Sets the connect timeout in milliseconds (more than 0).
///
/// # Safety
/// `config` is NULL or a live handle.
#[no_mangle]
pub unsafe extern "C" fn oss_sse_config_set_connect_timeout_ms(
    config: *mut oss_sse_config,
    timeout_ms: u64,
) -> oss_sse_result {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        set(config, |c| {
            c.connect_timeout_ms = positive(timeout_ms, "connect timeout")?;
            Ok(())
        })
    }
}

fn positive(ms: u64, what: &str) -> FfiResult<u64> {
    if ms == 0 {
        Err(invalid(format!("the {what} must be more than 0 ms")))
    } else {
        Ok(ms)
    }
}

/// Sets how many times a failed request that is safe to repeat is retried (0 turns retries off).
///
/// # Safety
/// `config` is NULL or a live handle.
#[no_mangle]
pub unsafe extern "C" fn oss_sse_config_set_max_retries(
    config: *mut oss_sse_config,
    max_retries: u32,
) -> oss_sse_result {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        set(config, |c| {
            c.max_retries = max_retries;
            Ok(())
        })
    }
}

/// Routes requests through a proxy. `host` NULL or empty removes the proxy; `user` and `password`
/// may be NULL.
///
/// # Safety
/// `config` is NULL or a live handle; each string is NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn oss_sse_config_set_proxy(
    config: *mut oss_sse_config,
    scheme: u32,
    host: *const c_char,
    port: u16,
    user: *const c_char,
    password: *const c_char,
) -> oss_sse_result {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        set(config, |c| {
            let scheme = oss_sse_scheme::from_u32(scheme)?;
            let host = arg_opt_str(host, "host")?;
            let user = arg_opt_str(user, "user")?;
            let password = arg_opt_str(password, "password")?;
            c.proxy = match host {
                None | Some("") => None,
                Some(host) => {
                    if port == 0 {
                        return Err(invalid("a proxy needs a port".into()));
                    }
                    if !host.bytes().all(|b| b.is_ascii_graphic()) || host.contains(['/', '@']) {
                        return Err(invalid(format!("{host:?} is not a proxy host name")));
                    }
                    Some(Proxy {
                        scheme,
                        host: host.to_owned(),
                        port,
                        user: user.filter(|u| !u.is_empty()).map(str::to_owned),
                        password: password.filter(|p| !p.is_empty()).map(str::to_owned),
                    })
                }
            };
            Ok(())
        })
    }
}

/// Turns TLS certificate verification on (the default) or off. Off is for testing only.
///
/// # Safety
/// `config` is NULL or a live handle.
#[no_mangle]
pub unsafe extern "C" fn oss_sse_config_set_verify_ssl(
    config: *mut oss_sse_config,
    verify: bool,
) -> oss_sse_result {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        set(config, |c| {
            c.verify_ssl = verify;
            Ok(())
        })
    }
}

/// Trusts the CA certificates in this PEM file instead of the built-in roots. NULL restores the
/// built-in roots. The file is read by `oss_sse_client_new`.
///
/// # Safety
/// `config` is NULL or a live handle; `path` is NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn oss_sse_config_set_ca_file(
    config: *mut oss_sse_config,
    path: *const c_char,
) -> oss_sse_result {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        set(config, |c| {
            c.ca_file = arg_opt_str(path, "path")?
                .filter(|p| !p.is_empty())
                .map(str::to_owned);
            Ok(())
        })
    }
}

/// Says the endpoint is a custom domain bound to one bucket (CNAME): requests go to the endpoint
/// itself, without a bucket in the host name or path.
///
/// # Safety
/// `config` is NULL or a live handle.
#[no_mangle]
pub unsafe extern "C" fn oss_sse_config_set_cname(
    config: *mut oss_sse_config,
    is_cname: bool,
) -> oss_sse_result {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        set(config, |c| {
            c.is_cname = is_cname;
            Ok(())
        })
    }
}

/// Turns the end-to-end CRC64 check of uploads and downloads on (the default) or off.
///
/// # Safety
/// `config` is NULL or a live handle.
#[no_mangle]
pub unsafe extern "C" fn oss_sse_config_set_crc64(
    config: *mut oss_sse_config,
    enable: bool,
) -> oss_sse_result {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        set(config, |c| {
            c.enable_crc64 = enable;
            Ok(())
        })
    }
}

/// Turns clock-skew correction on (the default) or off: after `RequestTimeTooSkewed` the request is
/// signed again with the server's time.
///
/// # Safety
/// `config` is NULL or a live handle.
#[no_mangle]
pub unsafe extern "C" fn oss_sse_config_set_date_skew_adjustment(
    config: *mut oss_sse_config,
    enable: bool,
) -> oss_sse_result {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        set(config, |c| {
            c.date_skew_adjustment = enable;
            Ok(())
        })
    }
}

/// Addresses buckets path-style (`endpoint/bucket/key`) instead of virtual-hosted
/// (`bucket.endpoint/key`). IP-address endpoints are path-style whatever this says.
///
/// # Safety
/// `config` is NULL or a live handle.
#[no_mangle]
pub unsafe extern "C" fn oss_sse_config_set_path_style(
    config: *mut oss_sse_config,
    path_style: bool,
) -> oss_sse_result {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        set(config, |c| {
            c.path_style = path_style;
            Ok(())
        })
    }
}

/// Sets the signature version (an `oss_sse_signature_version`).
///
/// # Safety
/// `config` is NULL or a live handle.
#[no_mangle]
pub unsafe extern "C" fn oss_sse_config_set_signature_version(
    config: *mut oss_sse_config,
    version: u32,
) -> oss_sse_result {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        set(config, |c| {
            c.signature_version = oss_sse_signature_version::from_u32(version)?;
            Ok(())
        })
    }
}

/// Sets the region V4 signatures are scoped to (`cn-hangzhou`). Needed with V4 when the endpoint
/// does not name one (an IP address, a custom domain). NULL goes back to deriving it.
///
/// # Safety
/// `config` is NULL or a live handle; `region` is NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn oss_sse_config_set_region(
    config: *mut oss_sse_config,
    region: *const c_char,
) -> oss_sse_result {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        set(config, |c| {
            let region = arg_opt_str(region, "region")?;
            if let Some(r) = region {
                if r.is_empty() || !r.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
                    return Err(invalid(format!("{r:?} is not a region name")));
                }
            }
            c.region = region.map(str::to_owned);
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn setters_validate_and_leave_the_config_unchanged_on_failure() {
        let mut cfg: *mut oss_sse_config = std::ptr::null_mut();
        // SAFETY: `cfg` is a valid out-pointer; the handle is used on this thread only and freed once.
        unsafe {
            assert_eq!(oss_sse_config_new(&mut cfg), oss_sse_result::Ok);
            assert_eq!(
                oss_sse_config_set_scheme(cfg, 7),
                oss_sse_result::InvalidArgument
            );
            assert_eq!(oss_sse_config_set_scheme(cfg, 1), oss_sse_result::Ok);
            assert_eq!((*cfg).scheme, oss_sse_scheme::Https);
            assert_eq!(
                oss_sse_config_set_signature_version(cfg, 2),
                oss_sse_result::InvalidArgument
            );
            assert_eq!((*cfg).signature_version, oss_sse_signature_version::V1);
            assert_eq!(
                oss_sse_config_set_request_timeout_ms(cfg, 0),
                oss_sse_result::InvalidArgument
            );
            assert_eq!((*cfg).request_timeout_ms, 10_000);
            assert_eq!(
                oss_sse_config_set_region(cfg, c"cn hangzhou".as_ptr()),
                oss_sse_result::InvalidArgument
            );
            assert_eq!(
                oss_sse_config_set_region(cfg, c"cn-hangzhou".as_ptr()),
                oss_sse_result::Ok
            );
            assert_eq!(
                oss_sse_config_set_proxy(
                    cfg,
                    0,
                    c"proxy.local".as_ptr(),
                    0,
                    std::ptr::null(),
                    std::ptr::null()
                ),
                oss_sse_result::InvalidArgument
            );
            assert!((*cfg).proxy.is_none());
            assert_eq!(
                oss_sse_config_set_verify_ssl(std::ptr::null_mut(), false),
                oss_sse_result::NullParameter
            );
            oss_sse_config_free(cfg);
            oss_sse_config_free(std::ptr::null_mut());
        }
    }
}
