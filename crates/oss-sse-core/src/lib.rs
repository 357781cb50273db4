//! oss-sse-core (being built).
#![forbid(unsafe_code)]
