//! OSS service errors as typed values: the well-known codes with their HTTP status and message, and
//! [`ServiceError`], which is both what a server writes as its `<Error>` body (or base64 `x-oss-err`
//! header) and what a client parses back.

use std::fmt;

use crate::encoding::{base64_decode, base64_encode};
use crate::request::header_value;
use crate::xml::{flat_children, XmlError, XmlWriter, MAX_RESPONSE_XML_BYTES};

macro_rules! codes {
    ($( $variant:ident = ($status:expr, $message:expr) ),* $(,)?) => {
        /// The OSS error codes oss-sse produces or recognizes, with their status and standard message.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum OssErrorCode {
            $(
                #[doc = $message]
                $variant,
            )*
        }

        impl OssErrorCode {
            /// Every code.
            pub const ALL: &'static [OssErrorCode] = &[$(OssErrorCode::$variant),*];

            /// The code as OSS spells it.
            pub fn as_str(self) -> &'static str {
                match self { $(OssErrorCode::$variant => stringify!($variant),)* }
            }

            /// The HTTP status OSS answers with.
            pub fn http_status(self) -> u16 {
                match self { $(OssErrorCode::$variant => $status,)* }
            }

            /// The standard message.
            pub fn default_message(self) -> &'static str {
                match self { $(OssErrorCode::$variant => $message,)* }
            }
        }
    };
}

codes! {
    AccessDenied = (403, "You have no right to access this object because of bucket acl."),
    BucketAlreadyExists = (409, "The requested bucket name is not available."),
    BucketNotEmpty = (409, "The bucket you tried to delete is not empty."),
    EntityTooLarge = (400, "Your proposed upload exceeds the maximum allowed size."),
    EntityTooSmall = (400, "Your proposed upload smaller than the minimum allowed size."),
    InternalError = (500, "We encountered an internal error. Please try again."),
    InvalidAccessKeyId = (403, "The OSS Access Key Id you provided does not exist in our records."),
    InvalidArgument = (400, "Invalid Argument."),
    InvalidBucketName = (400, "The specified bucket is not valid."),
    InvalidDigest = (400, "The Content-MD5 you specified is not valid."),
    InvalidEncryptionAlgorithmError = (400, "The encryption request you specified is not valid. The valid value is AES256, KMS or SM4."),
    InvalidObjectName = (400, "The specified object is not valid."),
    InvalidPart = (400, "One or more of the specified parts could not be found or the specified entity tag might not have matched the part's entity tag."),
    InvalidPartOrder = (400, "The list of parts was not in ascending order. Parts list must specified in order by part number."),
    InvalidRange = (416, "The requested range cannot be satisfied."),
    InvalidRequest = (400, "The request is invalid."),
    InvalidSecurityToken = (403, "The security token you provided is invalid."),
    KeyNotFound = (404, "The specified parameter KMS keyId is not found"),
    KmsServiceNotEnabled = (403, "The KMS service is not enabled."),
    MalformedXML = (400, "The XML you provided was not well-formed or did not validate against our published schema."),
    MethodNotAllowed = (405, "The specified method is not allowed against this resource."),
    MissingArgument = (400, "Missing Some Required Arguments."),
    MissingContentLength = (411, "You must provide the Content-Length HTTP header."),
    NoSuchBucket = (404, "The specified bucket does not exist."),
    NoSuchKey = (404, "The specified key does not exist."),
    NoSuchServerSideEncryptionRule = (404, "The server side encryption configuration was not found"),
    NoSuchUpload = (404, "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed."),
    NotImplemented = (501, "A header you provided implies functionality that is not implemented."),
    ObjectNotAppendable = (409, "The object is not appendable."),
    PositionNotEqualToLength = (409, "Position is not equal to file length."),
    PreconditionFailed = (412, "At least one of the pre-conditions you specified did not hold."),
    RequestTimeTooSkewed = (403, "The difference between the request time and the current time is too large."),
    SignatureDoesNotMatch = (403, "The request signature we calculated does not match the signature you provided. Check your key and signing method."),
    TooManyBuckets = (400, "You have attempted to create more buckets than allowed."),
    ServiceUnavailable = (503, "Service is unavailable, please try again later."),
}

impl OssErrorCode {
    /// Looks a code up by its OSS spelling.
    pub fn parse(code: &str) -> Option<OssErrorCode> {
        OssErrorCode::ALL
            .iter()
            .copied()
            .find(|c| c.as_str() == code)
    }
}

impl fmt::Display for OssErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An OSS error response: status, code, message, request id, host id, EC, and any other element of the
/// `<Error>` body (`StringToSign`, `BucketName`, ...), in order.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code} ({status}): {message}{}", request_id.as_deref().map(|r| format!(" [request id {r}]")).unwrap_or_default())]
pub struct ServiceError {
    /// HTTP status.
    pub status: u16,
    /// The OSS error code (`NoSuchBucket`, ...); kept as text since services add codes.
    pub code: String,
    /// The message.
    pub message: String,
    /// `RequestId`, or the `x-oss-request-id` header when the body has none.
    pub request_id: Option<String>,
    /// `HostId`.
    pub host_id: Option<String>,
    /// `EC`, or the `x-oss-ec` header.
    pub ec: Option<String>,
    /// Every other element of the body, in order.
    pub extra: Vec<(String, String)>,
}

/// A response body that is not an OSS error document.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ErrorParseError {
    /// The body (or decoded `x-oss-err` header) is not a well-formed `<Error>` document.
    #[error(transparent)]
    Xml(#[from] XmlError),
    /// The `x-oss-err` header is not base64.
    #[error("x-oss-err header is not base64")]
    BadErrHeader,
}

impl ServiceError {
    /// An error with a well-known code and its standard status and message.
    pub fn new(code: OssErrorCode) -> ServiceError {
        ServiceError::with_message(code, code.default_message())
    }

    /// A well-known code with a specific message.
    pub fn with_message(code: OssErrorCode, message: impl Into<String>) -> ServiceError {
        ServiceError {
            status: code.http_status(),
            code: code.as_str().to_owned(),
            message: message.into(),
            request_id: None,
            host_id: None,
            ec: None,
            extra: Vec::new(),
        }
    }

    /// Sets the request id.
    pub fn request_id(mut self, id: impl Into<String>) -> ServiceError {
        self.request_id = Some(id.into());
        self
    }

    /// Sets the host id.
    pub fn host_id(mut self, host: impl Into<String>) -> ServiceError {
        self.host_id = Some(host.into());
        self
    }

    /// Sets the EC.
    pub fn ec(mut self, ec: impl Into<String>) -> ServiceError {
        self.ec = Some(ec.into());
        self
    }

    /// Adds another element to the body (e.g. `StringToSign`, `BucketName`).
    pub fn extra(mut self, name: impl Into<String>, value: impl Into<String>) -> ServiceError {
        self.extra.push((name.into(), value.into()));
        self
    }

    /// The value of an extra element.
    pub fn extra_value(&self, name: &str) -> Option<&str> {
        self.extra
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The typed code, when it is a known one.
    pub fn known_code(&self) -> Option<OssErrorCode> {
        OssErrorCode::parse(&self.code)
    }

    /// The `<Error>` document: Code, Message, RequestId, HostId, the extras, then EC.
    pub fn to_xml(&self) -> String {
        let mut w = XmlWriter::with_declaration();
        w.open("Error")
            .element("Code", &self.code)
            .element("Message", &self.message)
            .optional("RequestId", self.request_id.as_deref())
            .optional("HostId", self.host_id.as_deref());
        for (n, v) in &self.extra {
            if is_xml_name(n) {
                w.element(n, v);
            }
        }
        w.optional("EC", self.ec.as_deref()).close("Error");
        w.finish()
    }

    /// The `x-oss-err` header value for body-less (HEAD) responses: base64 of [`ServiceError::to_xml`].
    pub fn to_err_header(&self) -> String {
        base64_encode(self.to_xml().as_bytes())
    }

    /// Parses an `<Error>` body; `status` is the response status. Unknown elements land in `extra`.
    pub fn from_xml(status: u16, body: &[u8]) -> Result<ServiceError, ErrorParseError> {
        let (_, children) = flat_children(body, Some("Error"), MAX_RESPONSE_XML_BYTES)?;
        let mut e = ServiceError {
            status,
            code: String::new(),
            message: String::new(),
            request_id: None,
            host_id: None,
            ec: None,
            extra: Vec::new(),
        };
        for (name, value) in children {
            match name.as_str() {
                "Code" => e.code = value,
                "Message" => e.message = value,
                "RequestId" => e.request_id = Some(value),
                "HostId" => e.host_id = Some(value),
                "EC" => e.ec = Some(value),
                _ => e.extra.push((name, value)),
            }
        }
        Ok(e)
    }

    /// Builds the error of a failed response from its status, headers and body: the `<Error>` body, else
    /// the base64 `x-oss-err` header, else a code derived from the status; `x-oss-request-id` and
    /// `x-oss-ec` fill in what the body lacks. Never fails: an unparseable body becomes the message.
    pub fn from_response(status: u16, headers: &[(String, String)], body: &[u8]) -> ServiceError {
        let parsed = if !body.iter().all(u8::is_ascii_whitespace) {
            ServiceError::from_xml(status, body).map_err(|_| ())
        } else if let Some(h) = header_value(headers, "x-oss-err") {
            base64_decode(h.trim())
                .map_err(|_| ())
                .and_then(|xml| ServiceError::from_xml(status, &xml).map_err(|_| ()))
        } else {
            Err(())
        };
        let mut e = match parsed {
            Ok(e) if !e.code.is_empty() => e,
            _ => {
                let code = status_code_name(status);
                let message = if body.is_empty() {
                    format!("HTTP status {status}")
                } else {
                    let text = String::from_utf8_lossy(&body[..body.len().min(256)]).into_owned();
                    format!("HTTP status {status}: {}", text.trim())
                };
                ServiceError {
                    status,
                    code: code.to_owned(),
                    message,
                    request_id: None,
                    host_id: None,
                    ec: None,
                    extra: Vec::new(),
                }
            }
        };
        e.status = status;
        if e.request_id.as_deref().is_none_or(str::is_empty) {
            e.request_id = header_value(headers, "x-oss-request-id").map(str::to_owned);
        }
        if e.ec.as_deref().is_none_or(str::is_empty) {
            e.ec = header_value(headers, "x-oss-ec").map(str::to_owned);
        }
        e
    }
}

/// The code used when a failed response carries no error document.
fn status_code_name(status: u16) -> &'static str {
    match status {
        400 => "InvalidRequest",
        403 => "AccessDenied",
        404 => "NotFound",
        405 => "MethodNotAllowed",
        409 => "Conflict",
        412 => "PreconditionFailed",
        416 => "InvalidRange",
        500 => "InternalError",
        503 => "ServiceUnavailable",
        _ => "UnknownError",
    }
}

fn is_xml_name(n: &str) -> bool {
    let mut chars = n.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    const REFERENCE_ERROR: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<Error>
  <Code>NoSuchBucket</Code>
  <Message>The specified bucket does not exist.</Message>
  <RequestId>5C3D9175B6FC201293AD****</RequestId>
  <HostId>test.oss-cn-hangzhou.aliyuncs.com</HostId>
  <BucketName>test</BucketName>
  <EC>0015-00000101</EC>
</Error>"#;

    #[test]
    fn parses_reference_error() {
        let e = ServiceError::from_xml(404, REFERENCE_ERROR.as_bytes()).unwrap();
        assert_eq!(e.code, "NoSuchBucket");
        assert_eq!(e.known_code(), Some(OssErrorCode::NoSuchBucket));
        assert_eq!(e.message, "The specified bucket does not exist.");
        assert_eq!(e.request_id.as_deref(), Some("5C3D9175B6FC201293AD****"));
        assert_eq!(
            e.host_id.as_deref(),
            Some("test.oss-cn-hangzhou.aliyuncs.com")
        );
        assert_eq!(e.ec.as_deref(), Some("0015-00000101"));
        assert_eq!(e.extra_value("BucketName"), Some("test"));
    }

    #[test]
    fn round_trips_through_xml_and_err_header() {
        let e = ServiceError::new(OssErrorCode::SignatureDoesNotMatch)
            .request_id("5C3D9175B6FC201293AD0000")
            .host_id("h")
            .ec("0002-00000040")
            .extra("StringToSign", "PUT\n\n\n<&>\n/b/k");
        assert_eq!(e.status, 403);
        assert_eq!(
            ServiceError::from_xml(403, e.to_xml().as_bytes()).unwrap(),
            e
        );
        let headers = vec![("x-oss-err".to_string(), e.to_err_header())];
        assert_eq!(ServiceError::from_response(403, &headers, b""), e);
    }

    #[test]
    fn falls_back_to_headers_and_status() {
        let headers = vec![
            (
                "X-Oss-Request-Id".to_string(),
                "AAAABBBBCCCCDDDDEEEEFFFF".to_string(),
            ),
            ("x-oss-ec".to_string(), "0026-00000001".to_string()),
        ];
        let e = ServiceError::from_response(404, &headers, b"");
        assert_eq!(e.code, "NotFound");
        assert_eq!(e.request_id.as_deref(), Some("AAAABBBBCCCCDDDDEEEEFFFF"));
        assert_eq!(e.ec.as_deref(), Some("0026-00000001"));
        let e = ServiceError::from_response(502, &headers, b"<html>bad gateway");
        assert_eq!(e.code, "UnknownError");
        assert!(e.message.contains("bad gateway"));
        let bad = vec![("x-oss-err".to_string(), "!!".to_string())];
        assert_eq!(
            ServiceError::from_response(403, &bad, b"").code,
            "AccessDenied"
        );
    }

    #[test]
    fn code_table() {
        assert_eq!(
            OssErrorCode::NoSuchServerSideEncryptionRule.http_status(),
            404
        );
        assert_eq!(
            OssErrorCode::NoSuchServerSideEncryptionRule.default_message(),
            "The server side encryption configuration was not found"
        );
        assert_eq!(
            OssErrorCode::parse("KeyNotFound"),
            Some(OssErrorCode::KeyNotFound)
        );
        assert_eq!(
            OssErrorCode::KeyNotFound.default_message(),
            "The specified parameter KMS keyId is not found"
        );
        assert_eq!(OssErrorCode::parse("Nope"), None);
    }
}
