//! The client's error type: what OSS said (a [`ServiceError`] with its code, message, request id, host id,
//! EC and HTTP status) kept apart from what went wrong on the way (transport, local I/O, integrity checks).

use std::fmt;

/// An error answered by the service: an HTTP status of 300 or more, with the OSS error document.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ServiceError {
    /// The HTTP status code.
    pub status: u16,
    /// The OSS error code (`NoSuchBucket`, `AccessDenied`, ...). When the response carried no error
    /// document (a bare 5xx from a proxy, say) this is the status text, e.g. `ServiceUnavailable`.
    pub code: String,
    /// The human-readable message.
    pub message: String,
    /// The request id (`RequestId` element, else the `x-oss-request-id` header).
    pub request_id: String,
    /// The host id (`HostId` element).
    pub host_id: String,
    /// The EC diagnostic code (`EC` element, else the `x-oss-ec` header).
    pub ec: String,
    /// Every other element of the error document, in order (`StringToSign`, `BucketName`, ...).
    pub details: Vec<(String, String)>,
    /// The server's `Date` header, kept for clock-skew correction.
    pub server_date: Option<String>,
}

impl ServiceError {
    /// The value of another element of the error document, such as `StringToSign`.
    pub fn detail(&self, name: &str) -> Option<&str> {
        self.details
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

impl fmt::Display for ServiceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (HTTP {})", self.code, self.status)?;
        if !self.message.is_empty() {
            write!(f, ": {}", self.message)?;
        }
        if !self.request_id.is_empty() {
            write!(f, " [request id {}]", self.request_id)?;
        }
        if !self.ec.is_empty() {
            write!(f, " [EC {}]", self.ec)?;
        }
        Ok(())
    }
}

/// Everything a client call can fail with.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// OSS (or the emulator) answered with an error.
    #[error("service error: {0}")]
    Service(Box<ServiceError>),
    /// The request never got a complete HTTP answer: DNS, connect, TLS, timeout, connection reset.
    #[error("transport error: {0}")]
    Transport(String),
    /// A request argument was rejected before anything was sent (bad bucket name, bad key, bad option).
    /// The C++ SDK calls this `ValidateError`.
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    /// The credentials provider failed.
    #[error(transparent)]
    Credentials(#[from] crate::credentials::CredentialsError),
    /// A successful response whose body or headers could not be understood (`ParseXMLError` in the C++ SDK).
    #[error("unexpected response: {0}")]
    Response(String),
    /// Data arrived, but its CRC64 did not match what the server computed: the bytes are not to be trusted.
    #[error("CRC64 mismatch: client computed {client}, server reported {server}")]
    CrcMismatch {
        /// The CRC64-ECMA the client computed over the bytes it sent or received.
        client: u64,
        /// The CRC64-ECMA in the server's `x-oss-hash-crc64ecma` header.
        server: u64,
    },
    /// A local file or stream failed (reading the upload source, writing the download sink, checkpoints).
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
    /// The client configuration is unusable (bad endpoint, unreadable CA file, bad proxy URL).
    #[error("configuration error: {0}")]
    Config(String),
    /// The caller asked to stop (a progress callback returned `false`).
    #[error("cancelled")]
    Cancelled,
}

impl Error {
    /// The service error, if OSS answered with one.
    pub fn service(&self) -> Option<&ServiceError> {
        match self {
            Error::Service(e) => Some(e),
            _ => None,
        }
    }

    /// The OSS error code, if OSS answered with one.
    pub fn code(&self) -> Option<&str> {
        self.service().map(|e| e.code.as_str())
    }

    /// True for failures of the connection rather than answers of the service.
    pub fn is_transport(&self) -> bool {
        matches!(self, Error::Transport(_))
    }
}

impl From<ServiceError> for Error {
    fn from(e: ServiceError) -> Self {
        Error::Service(Box::new(e))
    }
}

/// The result of a client call.
pub type Result<T, E = Error> = std::result::Result<T, E>;
