//! The oss-sse facade: one crate that re-exports the project's libraries, so a Rust program can depend on
//! `oss-sse` alone. The end-to-end tests of the workspace live in this package's `tests/`.
#![forbid(unsafe_code)]

pub use oss_sse_client as client;
pub use oss_sse_core as core;
pub use oss_sse_kms as kms;
pub use oss_sse_server as server;
