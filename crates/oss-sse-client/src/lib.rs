//! oss-sse-client (being built).
#![forbid(unsafe_code)]
