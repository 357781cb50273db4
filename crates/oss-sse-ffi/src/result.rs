//! The result codes every exported function returns. The numbers are part of the ABI: they never
//! change meaning and new codes only ever get new numbers.

use crate::view::oss_sse_str;

/// What happened to a call. `OSS_SSE_RESULT_OK` (0) is success; everything else is a failure whose
/// details, for calls that take an `oss_sse_error **err_out`, are in the error handle.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum oss_sse_result {
    /// Success.
    Ok = 0,
    /// A pointer argument that must not be NULL was NULL.
    NullParameter = 1,
    /// A string argument was not valid UTF-8.
    InvalidUtf8 = 2,
    /// An argument was out of range or malformed (an unknown enum value, a header name with spaces, an
    /// endpoint that is not a URL, ...).
    InvalidArgument = 3,
    /// The bucket name breaks OSS's naming rules; no request was sent (the C++ SDK's `ValidateError`).
    InvalidBucketName = 4,
    /// The object key breaks OSS's rules (empty, longer than 1023 bytes); no request was sent.
    InvalidObjectKey = 5,
    /// A caller-provided buffer was too small.
    BufferTooSmall = 6,
    /// A lookup (a header by name, an entry by index) found nothing.
    NotFound = 7,
    /// A bug: the library panicked. The call had no effect on its outputs.
    Panic = 8,
    /// OSS (or the emulator) answered with an error: see the error handle's code and message.
    ServiceError = 100,
    /// The request could not be sent or its response not read (DNS, connection refused, reset, TLS).
    TransportError = 101,
    /// The connect or request timeout of the configuration ran out.
    Timeout = 102,
    /// No credentials could be obtained (environment variables missing, the provider callback failed).
    CredentialsError = 103,
    /// The response could not be parsed (the C++ SDK's `ParseXMLError`).
    ParseError = 104,
    /// The client could not be built from its configuration (a CA file that does not load, ...).
    ConfigError = 105,
    /// The caller's side of a streamed transfer failed: a read or write callback returned non-zero,
    /// or the upload data ended before its announced length.
    IoError = 106,
}

/// A short, stable, upper-case name for a result code (`"OK"`, `"NULL_PARAMETER"`, ...), or
/// `"UNKNOWN"` for a number that is not a result code. The view is static.
#[no_mangle]
pub extern "C" fn oss_sse_result_name(result: u32) -> oss_sse_str {
    // A table lookup cannot panic, so no boundary is needed.
    oss_sse_str::from_static(match oss_sse_result::from_u32(result) {
        Some(r) => r.name_nul(),
        None => "UNKNOWN\0",
    })
}

impl oss_sse_result {
    /// Every code, for lookups by number.
    const ALL: [oss_sse_result; 16] = [
        oss_sse_result::Ok,
        oss_sse_result::NullParameter,
        oss_sse_result::InvalidUtf8,
        oss_sse_result::InvalidArgument,
        oss_sse_result::InvalidBucketName,
        oss_sse_result::InvalidObjectKey,
        oss_sse_result::BufferTooSmall,
        oss_sse_result::NotFound,
        oss_sse_result::Panic,
        oss_sse_result::ServiceError,
        oss_sse_result::TransportError,
        oss_sse_result::Timeout,
        oss_sse_result::CredentialsError,
        oss_sse_result::ParseError,
        oss_sse_result::ConfigError,
        oss_sse_result::IoError,
    ];

    /// The code with number `n`, if there is one; C may hand us any integer.
    pub(crate) fn from_u32(n: u32) -> Option<Self> {
        Self::ALL.into_iter().find(|r| *r as u32 == n)
    }

    /// The name with a trailing NUL, for static views.
    fn name_nul(self) -> &'static str {
        match self {
            oss_sse_result::Ok => "OK\0",
            oss_sse_result::NullParameter => "NULL_PARAMETER\0",
            oss_sse_result::InvalidUtf8 => "INVALID_UTF8\0",
            oss_sse_result::InvalidArgument => "INVALID_ARGUMENT\0",
            oss_sse_result::InvalidBucketName => "INVALID_BUCKET_NAME\0",
            oss_sse_result::InvalidObjectKey => "INVALID_OBJECT_KEY\0",
            oss_sse_result::BufferTooSmall => "BUFFER_TOO_SMALL\0",
            oss_sse_result::NotFound => "NOT_FOUND\0",
            oss_sse_result::Panic => "PANIC\0",
            oss_sse_result::ServiceError => "SERVICE_ERROR\0",
            oss_sse_result::TransportError => "TRANSPORT_ERROR\0",
            oss_sse_result::Timeout => "TIMEOUT\0",
            oss_sse_result::CredentialsError => "CREDENTIALS_ERROR\0",
            oss_sse_result::ParseError => "PARSE_ERROR\0",
            oss_sse_result::ConfigError => "CONFIG_ERROR\0",
            oss_sse_result::IoError => "IO_ERROR\0",
        }
    }

    /// The name without the NUL, for messages.
    pub(crate) fn name(self) -> &'static str {
        let n = self.name_nul();
        &n[..n.len() - 1]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_round_trip_and_unknown_numbers_are_named_unknown() {
        for r in oss_sse_result::ALL {
            assert_eq!(oss_sse_result::from_u32(r as u32), Some(r));
        }
        assert_eq!(oss_sse_result::from_u32(9), None);
        assert_eq!(oss_sse_result_name(9999).len, "UNKNOWN".len());
        assert_eq!(oss_sse_result::ServiceError.name(), "SERVICE_ERROR");
        assert_eq!(oss_sse_result_name(101).len, "TRANSPORT_ERROR".len());
    }
}
