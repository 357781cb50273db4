//! OSS-style errors: the status, code, message and extra fields of an error response, rendered as OSS
//! renders them (XML body, or `x-oss-err` for a response without a body).

use http::StatusCode;

use oss_sse_core::error::ServiceError;

use crate::storage::StoreError;

/// An error response to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// OSS error code (`NoSuchBucket`, ...).
    pub code: String,
    /// Human-readable message.
    pub message: String,
    /// OSS's error-centre code, sent as `<EC>` and `x-oss-ec` when known.
    pub ec: Option<&'static str>,
    /// Extra elements after the standard ones (`BucketName`, `StringToSign`, ...).
    pub extra: Vec<(&'static str, String)>,
    /// Extra response headers (`x-oss-next-append-position`, ...).
    pub headers: Vec<(&'static str, String)>,
}

impl ApiError {
    /// An error with a status, code and message.
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code: code.to_owned(),
            message: message.into(),
            ec: None,
            extra: Vec::new(),
            headers: Vec::new(),
        }
    }

    /// Adds an extra element.
    pub fn with(mut self, name: &'static str, value: impl Into<String>) -> ApiError {
        self.extra.push((name, value.into()));
        self
    }

    /// Sets the EC.
    pub fn with_ec(mut self, ec: &'static str) -> ApiError {
        self.ec = Some(ec);
        self
    }

    /// Adds a response header.
    pub fn with_header(mut self, name: &'static str, value: impl Into<String>) -> ApiError {
        self.headers.push((name, value.into()));
        self
    }

    /// 400 InvalidArgument with the offending argument's name and value, as OSS reports them.
    pub fn invalid_argument(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "InvalidArgument", message)
    }

    /// 400 MalformedXML.
    pub fn malformed_xml() -> ApiError {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "MalformedXML",
            "The XML you provided was not well-formed or did not validate against our published schema.",
        )
    }

    /// 403 AccessDenied.
    pub fn access_denied(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::FORBIDDEN, "AccessDenied", message)
    }

    /// 404 NoSuchBucket for `bucket`.
    pub fn no_such_bucket(bucket: &str) -> ApiError {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "NoSuchBucket",
            "The specified bucket does not exist.",
        )
        .with("BucketName", bucket)
        .with_ec("0015-00000101")
    }

    /// 404 NoSuchKey.
    pub fn no_such_key(key: &str) -> ApiError {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "NoSuchKey",
            "The specified key does not exist.",
        )
        .with("Key", key)
        .with_ec("0026-00000001")
    }

    /// 500 InternalError (details go to the log, not to the client).
    pub fn internal() -> ApiError {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "InternalError",
            "We encountered an internal error. Please try again.",
        )
    }

    /// 501 NotImplemented for an operation or sub-resource the emulator does not provide.
    pub fn not_implemented(what: &str) -> ApiError {
        ApiError::new(
            StatusCode::NOT_IMPLEMENTED,
            "NotImplemented",
            format!("{what} is not implemented by the oss-sse emulator."),
        )
    }

    /// The same error as oss-sse-core's [`ServiceError`], which writes the `<Error>` document.
    pub fn to_service_error(&self, request_id: &str, host_id: &str) -> ServiceError {
        ServiceError {
            status: self.status.as_u16(),
            code: self.code.clone(),
            message: self.message.clone(),
            request_id: Some(request_id.to_owned()),
            host_id: Some(host_id.to_owned()),
            ec: self.ec.map(str::to_owned),
            extra: self
                .extra
                .iter()
                .map(|(n, v)| ((*n).to_owned(), v.clone()))
                .collect(),
        }
    }

    /// An error from oss-sse-core's typed errors (SSE validation and the like).
    pub fn from_service_error(e: ServiceError) -> ApiError {
        ApiError {
            status: StatusCode::from_u16(e.status).unwrap_or(StatusCode::BAD_REQUEST),
            code: e.code,
            message: e.message,
            ec: None,
            extra: Vec::new(),
            headers: Vec::new(),
        }
    }

    /// Maps a store failure for a request on `bucket`/`key`.
    pub fn from_store(err: StoreError, bucket: &str, key: Option<&str>) -> ApiError {
        use StoreError as E;
        match err {
            E::NoSuchBucket => ApiError::no_such_bucket(bucket),
            E::BucketAlreadyExists => ApiError::new(
                StatusCode::CONFLICT,
                "BucketAlreadyExists",
                "The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.",
            )
            .with("BucketName", bucket),
            E::BucketNotEmpty => ApiError::new(
                StatusCode::CONFLICT,
                "BucketNotEmpty",
                "The bucket you tried to delete is not empty.",
            )
            .with("BucketName", bucket),
            E::NoSuchKey => ApiError::no_such_key(key.unwrap_or("")),
            E::NoSuchUpload => ApiError::new(
                StatusCode::NOT_FOUND,
                "NoSuchUpload",
                "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.",
            ),
            E::InvalidPart => ApiError::new(
                StatusCode::BAD_REQUEST,
                "InvalidPart",
                "One or more of the specified parts could not be found or the specified entity tag might not have matched the part's entity tag.",
            ),
            E::InvalidPartOrder => ApiError::new(
                StatusCode::BAD_REQUEST,
                "InvalidPartOrder",
                "The list of parts was not in ascending order. Parts list must specified in order by part number.",
            ),
            E::EntityTooSmall => ApiError::new(
                StatusCode::BAD_REQUEST,
                "EntityTooSmall",
                "Your proposed upload smaller than the minimum allowed size.",
            ),
            E::ObjectNotAppendable => ApiError::new(
                StatusCode::CONFLICT,
                "ObjectNotAppendable",
                "The object is not appendable",
            ),
            E::PositionNotEqualToLength { next } => ApiError::new(
                StatusCode::CONFLICT,
                "PositionNotEqualToLength",
                "Position is not equal to file length",
            )
            .with_header("x-oss-next-append-position", next.to_string()),
            E::PreconditionFailed => ApiError::new(
                StatusCode::PRECONDITION_FAILED,
                "PreconditionFailed",
                "At least one of the pre-conditions you specified did not hold.",
            ),
            E::KeyCollision => ApiError::new(
                StatusCode::CONFLICT,
                "KeyCollision",
                "The key's storage slot is held by a different key.",
            ),
            E::TooManyBuckets => ApiError::new(
                StatusCode::BAD_REQUEST,
                "TooManyBuckets",
                "You have attempted to create more buckets than allowed.",
            ),
            E::Io(e) => {
                tracing::error!(error = %e, "storage I/O error");
                ApiError::internal()
            }
            E::Corrupt { path, reason } => {
                tracing::error!(path = %path.display(), %reason, "corrupt record");
                ApiError::internal()
            }
        }
    }
}
