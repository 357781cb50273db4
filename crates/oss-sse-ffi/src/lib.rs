//! C ABI of oss-sse (being built).
