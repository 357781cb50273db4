//! The C ABI of oss-sse (library name `oss_sse`, header `include/oss_sse.h`).
//!
//! It follows the conventions of rustls-ffi, written down in this crate's README:
//! - every object C sees is an opaque handle whose ownership is fixed by its type: a `*mut T` returned
//!   through an out-parameter is owned by the caller and released with the matching `_free`, which
//!   accepts NULL; a `*const T` returned by a getter is borrowed from its parent handle;
//! - every exported function returns an [`oss_sse_result`] with stable numeric codes (or, for getters,
//!   a value with a documented fallback), runs inside a panic boundary, and checks every pointer;
//! - strings come in as NUL-terminated UTF-8 (anything else is [`oss_sse_result::InvalidUtf8`]) and go
//!   out as [`oss_sse_str`] views, (pointer, length) pairs that are also NUL-terminated for convenience;
//! - output parameters are written only on success; failures of calls that talk to OSS come with an
//!   [`oss_sse_error`] handle carrying the OSS code, message, request id, host and HTTP status.
//!
//! [`oss_sse_client`] is thread-safe: one handle may be used from any number of threads at once.
#![allow(non_camel_case_types)]
#![deny(unsafe_op_in_unsafe_fn)]
#![warn(missing_docs)]

mod boundary;
mod bucket;
mod client;
mod config;
mod credentials;
mod encryption;
mod error;
mod headers;
mod object;
mod result;
mod stream;
mod view;

#[cfg(test)]
mod e2e_tests;

pub use bucket::*;
pub use client::*;
pub use config::*;
pub use credentials::*;
pub use encryption::*;
pub use error::*;
pub use headers::*;
pub use object::*;
pub use result::*;
pub use stream::*;
pub use view::*;

/// The version of this library, as a NUL-terminated view valid for the life of the program
/// (for example `"0.1.0"`).
#[no_mangle]
pub extern "C" fn oss_sse_version() -> oss_sse_str {
    // Reading a constant cannot panic, so no boundary is needed here.
    oss_sse_str::from_static(concat!(env!("CARGO_PKG_VERSION"), "\0"))
}
