//! oss-sse-kms (being built).
#![forbid(unsafe_code)]
