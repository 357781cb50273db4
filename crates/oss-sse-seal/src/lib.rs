//! oss-sse-seal (being built).
#![forbid(unsafe_code)]
