//! oss-sse-client: a blocking Alibaba Cloud OSS client over ureq (rustls), for real OSS endpoints and
//! the oss-sse emulator alike.
//!
//! # Overview
//! - [`Client::builder`] → [`ClientBuilder`]: credentials ([`StaticProvider`], [`EnvProvider`] reading
//!   `OSS_ACCESS_KEY_ID` / `OSS_ACCESS_KEY_SECRET` / `OSS_SESSION_TOKEN`, or any [`CredentialsProvider`],
//!   asked before every request), region, V4 (default) or V1 signatures, path style / CNAME, timeouts,
//!   [`RetryPolicy`], proxy, CA file, user agent `oss-sse/<version>`.
//! - One method per operation: buckets ([`Client::create_bucket`], [`Client::list_buckets`],
//!   [`Client::get_bucket_info`], bucket encryption put/get/delete, [`Client::list_objects`]), objects
//!   ([`Client::put_object`] streamed from any `Read`, [`Client::get_object`] as a `Read`,
//!   [`Client::get_object_to_writer`], [`Client::head_object`], [`Client::copy_object`],
//!   [`Client::delete_object`]), multipart (initiate, upload part, complete, abort, list parts) and
//!   [`Client::upload_file`], the parallel, resumable, CRC64-checked helper; presigned URLs.
//! - Encryption: [`Sse`] on uploads (PutObject, CopyObject, multipart), [`Encryption`] reported on results.
//! - Errors: [`Error::Service`] with a [`ServiceError`] (code, message, request id, host id, EC, status)
//!   distinct from [`Error::Transport`] and local failures.
//!
//! A [`Client`] is `Send + Sync` and cheap to clone; every call blocks the calling thread.
//!
//! ```no_run
//! use oss_sse_client::{Client, Credentials, PutObjectOptions, Sse};
//! let client = Client::builder("http://127.0.0.1:9000")
//!     .credentials(Credentials::new("id", "secret"))
//!     .region("cn-hangzhou")
//!     .build()?;
//! client.create_bucket("examplebucket")?;
//! let opts = PutObjectOptions { sse: Some(Sse::kms()), ..Default::default() };
//! let out = client.put_object_bytes("examplebucket", "hello.txt", b"hello", &opts)?;
//! println!("{:?}", out.encryption);
//! # Ok::<(), oss_sse_client::Error>(())
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod checkpoint;
mod client;
pub mod crc64;
pub mod credentials;
mod error;
mod multipart;
mod object;
mod ops;
mod response;
pub mod retry;
mod transport;
mod types;

pub use client::{Client, ClientBuilder};
pub use credentials::{
    Credentials, CredentialsError, CredentialsProvider, EnvProvider, Secret, StaticProvider,
};
pub use error::{Error, Result, ServiceError};
pub use multipart::{UploadOptions, UploadOutput};
pub use object::ObjectReader;
pub use oss_sse_core::endpoint::Endpoint;
pub use oss_sse_core::ops::CompletedPart;
pub use oss_sse_core::sign::SignatureVersion;
pub use oss_sse_core::sse::{
    DataEncryption, ObjectEncryption as Encryption, ServerSideEncryptionRule, SseAlgorithm,
};
pub use retry::RetryPolicy;
pub use transport::TransportConfig;
pub use types::*;

/// The default `User-Agent`: `oss-sse/<crate version>`.
///
/// ```
/// assert!(oss_sse_client::USER_AGENT.starts_with("oss-sse/"));
/// ```
pub const USER_AGENT: &str = concat!("oss-sse/", env!("CARGO_PKG_VERSION"));

#[cfg(test)]
mod tests {
    /// The C ABI shares one client between threads: it must stay `Send + Sync + Clone`.
    #[test]
    fn client_is_send_sync_and_clone() {
        fn assert_traits<T: Send + Sync + Clone + 'static>() {}
        assert_traits::<crate::Client>();
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<crate::Error>();
        fn assert_send<T: Send>() {}
        assert_send::<crate::ObjectReader>();
    }
}
