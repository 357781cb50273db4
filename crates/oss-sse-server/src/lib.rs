//! oss-sse-server: the local OSS emulator.
//!
//! An OSS-compatible HTTP server for loopback use: every request is authenticated with oss-sse-core's
//! verifier and authorized against RAM policies ([`users`], [`policy`]); objects live in a crash-safe store
//! ([`storage`]) whose bodies go through a codec layer ([`storage::body`]) where encryption at rest plugs
//! in; [`testing::TestServer`] runs one in-process for tests.
//!
//! - [`config`]: [`config::ServerConfig`], [`config::Limits`], root credentials.
//! - [`server`]: [`server::Server`] (bind, run with graceful shutdown), routing, handlers.
//! - [`admin`]: the root-only admin API under `/-/admin/` (KMS, master-key rotation, rewrap) and its
//!   client ([`admin::RemoteKms`]).
//! - [`encryption`]: envelope keys from the KMS and the sealed at-rest format (issue 5).
//! - [`storage`]: the durable store (atomic commits, recovery, key-to-disk mapping, listings).
//! - [`testing`]: the in-process harness.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod admin;
pub mod bench;
pub mod client;
pub mod config;
/// CRC-64/ECMA as OSS reports it (`x-oss-hash-crc64ecma`), with the combine step for multipart objects.
pub use oss_sse_core::crc64;
pub mod encryption;
pub mod error;
pub mod ids;
pub mod policy;
pub mod server;
pub mod storage;
pub mod testing;
pub mod users;
pub mod xml;

pub use config::{Limits, ServerConfig};
pub use server::Server;
