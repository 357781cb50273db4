//! Authentication (oss-sse-core's verifier over the request as received) and authorization (the caller's
//! RAM policies for the operation's action and resource). Pure functions of their inputs, fuzzed by tests.

use http::StatusCode;
use oss_sse_core::request::RequestView;
use oss_sse_core::time::Timestamp;
use oss_sse_core::verify::{verify, Authenticated, VerifyError};

use super::route::{Op, Target};
use crate::error::ApiError;
use crate::policy::{evaluate, Decision};
use crate::users::{Directory, Principal};

/// Verifies the signature of a request and returns who sent it. Anonymous requests are refused.
pub fn authenticate(
    directory: &Directory,
    method: &str,
    target: &Target,
    headers: &[(String, String)],
    now: Timestamp,
) -> Result<Principal, ApiError> {
    let view = RequestView {
        method,
        bucket: target.bucket.as_deref(),
        key: target.key.as_deref(),
        query: &target.query,
        headers,
    };
    let lookup = |ak: &str| directory.credentials(ak);
    let signed = match verify(&view, &lookup, now) {
        Ok(Authenticated::Signed(s)) => s,
        Ok(Authenticated::Anonymous) => {
            return Err(ApiError::access_denied(
                "AccessDenied: anonymous access is not allowed; sign the request.",
            ))
        }
        Err(e) => return Err(verify_error(e)),
    };
    let (principal, expires) = directory
        .principal(&signed.access_key_id)
        .ok_or_else(ApiError::internal)?;
    if let Some(exp) = expires {
        if now > exp {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "InvalidSecurityToken",
                "The security token you provided has expired.",
            )
            .with_ec("0002-00000007"));
        }
    }
    Ok(principal)
}

fn verify_error(e: VerifyError) -> ApiError {
    let status = StatusCode::from_u16(e.http_status()).unwrap_or(StatusCode::FORBIDDEN);
    let mut err = ApiError::new(status, e.oss_code(), e.oss_message());
    match e {
        VerifyError::SignatureMismatch {
            string_to_sign,
            canonical_request,
        } => {
            err = err.with("StringToSign", string_to_sign);
            if let Some(cr) = canonical_request {
                err = err.with("CanonicalRequest", cr);
            }
        }
        VerifyError::UnknownAccessKey { access_key_id } => {
            err = err.with("OSSAccessKeyId", access_key_id);
        }
        VerifyError::InvalidSecurityToken => {
            err = err.with_ec("0002-00000006");
        }
        VerifyError::ClockSkew { request_time, now } => {
            err = err
                .with("RequestTime", request_time.to_rfc1123())
                .with("ServerTime", now.to_rfc1123())
                .with("MaxAllowedSkewMilliseconds", "900000");
        }
        VerifyError::Expired { expired_at, now } => {
            err = err
                .with("Expires", expired_at.to_rfc1123())
                .with("ServerTime", now.to_rfc1123());
        }
        VerifyError::Malformed(_) => {}
    }
    err
}

/// The RAM resource name of a bucket, an object, or (neither) the account's bucket list.
pub fn resource(region: &str, account: &str, bucket: Option<&str>, key: Option<&str>) -> String {
    match (bucket, key) {
        (Some(b), Some(k)) => format!("acs:oss:{region}:{account}:{b}/{k}"),
        (Some(b), None) => format!("acs:oss:{region}:{account}:{b}"),
        _ => format!("acs:oss:{region}:{account}:*"),
    }
}

/// Checks that `principal` may perform `action` on `resource`.
pub fn authorize_action(
    principal: &Principal,
    action: &str,
    resource: &str,
) -> Result<(), ApiError> {
    match principal {
        Principal::Root => Ok(()),
        Principal::User { name, policies } => match evaluate(policies, action, resource) {
            Decision::Allow => Ok(()),
            Decision::ExplicitDeny => Err(ApiError::access_denied(format!(
                "You are denied by the RAM policy of user {name}: {action} on {resource} is explicitly denied."
            ))),
            Decision::ImplicitDeny => Err(ApiError::access_denied(format!(
                "You have no right to access this resource: no RAM policy of user {name} allows {action} on {resource}."
            ))),
        },
    }
}

/// Checks the operation's own action on its target.
pub fn authorize(
    directory: &Directory,
    region: &str,
    principal: &Principal,
    op: Op,
    target: &Target,
) -> Result<(), ApiError> {
    // DeleteMultipleObjects is checked per key by its handler.
    if op == Op::DeleteMultipleObjects {
        return Ok(());
    }
    let res = resource(
        region,
        directory.account_id(),
        target.bucket.as_deref(),
        target.key.as_deref(),
    );
    authorize_action(principal, op.action(), &res)
}

#[cfg(test)]
mod tests {
    use super::*;
    use oss_sse_core::credentials::Credentials;
    use oss_sse_core::endpoint::Endpoint;
    use oss_sse_core::sign::v4;
    use oss_sse_core::Method;
    use proptest::prelude::*;

    const USERS: &str = r#"{"users": [
        {"name": "r", "access_key_id": "AKR", "access_key_secret": "skr",
         "policies": [{"Version": "1", "Statement": [
            {"Effect": "Allow", "Action": "oss:Get*", "Resource": "acs:oss:*:*:b/*"},
            {"Effect": "Deny", "Action": "oss:GetObject", "Resource": "acs:oss:*:*:b/secret/*"}]}],
         "sts": [{"access_key_id": "STS.old", "access_key_secret": "s", "security_token": "t",
                  "expiration": "2001-01-01T00:00:00Z"}]}]}"#;

    fn dir() -> Directory {
        Directory::from_json(Credentials::new("ROOT", "rootsk"), USERS).unwrap()
    }

    fn signed(
        ak: &str,
        sk: &str,
        token: Option<&str>,
        key: &str,
        now: Timestamp,
    ) -> (Target, Vec<(String, String)>) {
        let ep = Endpoint::parse("http://127.0.0.1:9000")
            .unwrap()
            .with_region("cn-hangzhou");
        let mut r = ep.request(Method::Get, Some("b"), Some(key));
        let mut creds = Credentials::new(ak, sk);
        if let Some(t) = token {
            creds = creds.with_security_token(t);
        }
        v4::sign_request(&mut r, &creds, now, &v4::V4Params::new("cn-hangzhou")).unwrap();
        let target = Target {
            bucket: Some("b".into()),
            key: Some(key.into()),
            query: r.query.clone(),
        };
        (target, r.headers.as_slice().to_vec())
    }

    #[test]
    fn principals_and_policies() {
        let d = dir();
        let now = Timestamp::from_unix(1_700_000_000);
        let (t, h) = signed("ROOT", "rootsk", None, "x", now);
        assert!(matches!(
            authenticate(&d, "GET", &t, &h, now),
            Ok(Principal::Root)
        ));
        let (t, h) = signed("AKR", "skr", None, "public/a", now);
        let p = authenticate(&d, "GET", &t, &h, now).unwrap();
        assert!(authorize(&d, "cn-hangzhou", &p, Op::GetObject, &t).is_ok());
        assert_eq!(
            authorize(&d, "cn-hangzhou", &p, Op::PutObject, &t)
                .unwrap_err()
                .code,
            "AccessDenied"
        );
        let secret = Target {
            key: Some("secret/x".into()),
            ..t.clone()
        };
        assert_eq!(
            authorize(&d, "cn-hangzhou", &p, Op::GetObject, &secret)
                .unwrap_err()
                .code,
            "AccessDenied"
        );
        let (t, h) = signed("STS.old", "s", Some("t"), "public/a", now);
        let e = authenticate(&d, "GET", &t, &h, now).unwrap_err();
        assert_eq!(e.code, "InvalidSecurityToken");
        let (t, h) = signed("STS.old", "s", None, "public/a", now);
        assert_eq!(
            authenticate(&d, "GET", &t, &h, now).unwrap_err().code,
            "InvalidSecurityToken"
        );
        let (t, h) = signed("ROOT", "rootsk", None, "x", now);
        let later = Timestamp::from_unix(1_700_000_000 + 3600);
        assert_eq!(
            authenticate(&d, "GET", &t, &h, later).unwrap_err().code,
            "RequestTimeTooSkewed"
        );
        assert_eq!(
            authenticate(&d, "PUT", &t, &h, now).unwrap_err().code,
            "SignatureDoesNotMatch"
        );
        let anon = Target {
            bucket: None,
            key: None,
            query: Vec::new(),
        };
        assert_eq!(
            authenticate(&d, "GET", &anon, &[], now).unwrap_err().code,
            "AccessDenied"
        );
    }

    proptest! {
        // Fuzz of the authentication entry point: arbitrary Authorization headers, dates, tokens and
        // presign queries never panic and always map to an OSS error code.
        #[test]
        fn authenticate_never_panics(
            auth in proptest::option::of(prop_oneof![
                "\\PC{0,120}",
                "OSS [A-Za-z0-9.]{0,12}:[A-Za-z0-9+/=]{0,40}",
                "OSS4-HMAC-SHA256 Credential=[A-Za-z0-9./_]{0,60}(,|, )(Signature|AdditionalHeaders)=[a-z0-9;]{0,70}",
            ]),
            date in proptest::option::of("\\PC{0,40}"),
            token in proptest::option::of("\\PC{0,20}"),
            query in proptest::collection::vec(
                (prop_oneof![
                    Just("OSSAccessKeyId".to_owned()), Just("Expires".to_owned()), Just("Signature".to_owned()),
                    Just("x-oss-signature-version".to_owned()), Just("x-oss-credential".to_owned()),
                    Just("x-oss-date".to_owned()), Just("x-oss-expires".to_owned()), Just("x-oss-signature".to_owned()),
                    Just("security-token".to_owned()), "\\PC{0,10}"],
                 proptest::option::of("\\PC{0,40}")),
                0..6),
            method in prop_oneof![Just("GET"), Just("PUT"), Just("\u{0}"), Just("")],
        ) {
            let d = dir();
            let mut headers = Vec::new();
            if let Some(a) = auth { headers.push(("authorization".to_owned(), a)); }
            if let Some(x) = date { headers.push(("x-oss-date".to_owned(), x.clone())); headers.push(("date".to_owned(), x)); }
            if let Some(t) = token { headers.push(("x-oss-security-token".to_owned(), t)); }
            let target = Target { bucket: Some("b".into()), key: Some("k".into()), query };
            match authenticate(&d, method, &target, &headers, Timestamp::from_unix(1_700_000_000)) {
                Ok(_) => {}
                Err(e) => prop_assert!(!e.code.is_empty() && e.status.as_u16() >= 400),
            }
        }
    }
}
