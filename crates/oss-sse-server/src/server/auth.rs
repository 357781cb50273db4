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
