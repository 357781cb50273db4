//! Turning failed responses into the client's [`ServiceError`], through oss-sse-core's error parser (the
//! `<Error>` body, else the base64 `x-oss-err` header of body-less responses, else the status), plus the
//! server's `Date` kept for clock-skew correction.

use crate::client::header;
use crate::error::ServiceError;

/// Builds the service error of a response with status `status`.
pub(crate) fn service_error(
    status: u16,
    headers: &[(String, String)],
    body: &[u8],
) -> ServiceError {
    let e = oss_sse_core::error::ServiceError::from_response(status, headers, body);
    ServiceError {
        status,
        code: e.code,
        message: e.message,
        request_id: e.request_id.unwrap_or_default(),
        host_id: e.host_id.unwrap_or_default(),
        ec: e.ec.unwrap_or_default(),
        details: e.extra,
        server_date: header(headers, "date").map(str::to_owned),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;

    const DOC: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<Error>
  <Code>NoSuchBucket</Code>
  <Message>The specified bucket does not exist.</Message>
  <RequestId>5C3D9175B6FC201293AD****</RequestId>
  <HostId>test.oss-cn-hangzhou.aliyuncs.com</HostId>
  <BucketName>test</BucketName>
  <EC>0015-00000101</EC>
</Error>"#;

    #[test]
    fn parses_the_reference_error_document() {
        let e = service_error(404, &[], DOC.as_bytes());
        assert_eq!(e.code, "NoSuchBucket");
        assert_eq!(e.message, "The specified bucket does not exist.");
        assert_eq!(e.request_id, "5C3D9175B6FC201293AD****");
        assert_eq!(e.host_id, "test.oss-cn-hangzhou.aliyuncs.com");
        assert_eq!(e.ec, "0015-00000101");
        assert_eq!(e.detail("BucketName"), Some("test"));
        assert_eq!(e.status, 404);
    }

    #[test]
    fn reads_the_x_oss_err_header_of_bodyless_responses() {
        let b64 = base64::engine::general_purpose::STANDARD.encode(DOC);
        let headers = vec![
            ("x-oss-err".to_string(), b64),
            ("date".into(), "Wed, 28 Dec 2022 10:27:41 GMT".into()),
        ];
        let e = service_error(404, &headers, b"");
        assert_eq!(e.code, "NoSuchBucket");
        assert_eq!(
            e.server_date.as_deref(),
            Some("Wed, 28 Dec 2022 10:27:41 GMT")
        );
    }

    #[test]
    fn falls_back_to_status_and_headers_without_a_document() {
        let headers = vec![
            (
                "x-oss-request-id".to_string(),
                "ABCDEF0123456789ABCDEF01".to_string(),
            ),
            ("x-oss-ec".to_string(), "0002-00000001".to_string()),
        ];
        let e = service_error(503, &headers, b"");
        assert!(!e.code.is_empty());
        assert_eq!(e.request_id, "ABCDEF0123456789ABCDEF01");
        assert_eq!(e.ec, "0002-00000001");
    }
}
