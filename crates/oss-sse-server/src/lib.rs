//! oss-sse-server (being built).
#![forbid(unsafe_code)]
