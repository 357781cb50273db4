//! Verifying signed requests, for the server: parse the `Authorization` header or presigned query of
//! either version into a typed [`ParsedAuth`], look up the access key, check time, recompute the
//! signature with the same canonicalization code the signer uses, and compare in constant time.
//!
//! The server passes what it actually has: a [`RequestView`] (method, decoded bucket and key, decoded
//! query pairs in received order, headers in any case), a [`KeyLookup`], and `now`.

use ring::hmac;

use crate::credentials::{constant_time_eq, Credentials};
use crate::encoding::{base64_decode, hex_decode};
use crate::error::{OssErrorCode, ServiceError};
use crate::request::RequestView;
use crate::sign::v1::{self, SubresourcePolicy};
use crate::sign::v4::{self, Scope, SigningKey};
use crate::sign::SignatureVersion;
use crate::time::Timestamp;

/// The allowed difference between the request time and `now` (15 minutes).
pub const MAX_CLOCK_SKEW_SECONDS: i64 = 900;

/// Finds the credentials of an access key id: the secret and, for STS keys, the token the request must
/// carry. Implemented for any `Fn(&str) -> Option<Credentials>`.
pub trait KeyLookup {
    /// The credentials of `access_key_id`, or `None` when the key is unknown.
    fn lookup(&self, access_key_id: &str) -> Option<Credentials>;
}

impl<F: Fn(&str) -> Option<Credentials>> KeyLookup for F {
    fn lookup(&self, access_key_id: &str) -> Option<Credentials> {
        self(access_key_id)
    }
}

/// How the signature travelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthMode {
    /// In the `Authorization` header.
    Header,
    /// In the query string (a presigned URL).
    Presigned,
}

/// An authentication that parsed: what the request claims, before any key lookup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParsedAuth {
    /// `Authorization: OSS ak:sig`.
    V1Header {
        /// Access key id.
        access_key_id: String,
        /// The decoded 20-byte HMAC-SHA1.
        signature: Vec<u8>,
    },
    /// `?OSSAccessKeyId=..&Expires=..&Signature=..`.
    V1Presigned {
        /// Access key id.
        access_key_id: String,
        /// Absolute expiry.
        expires: Timestamp,
        /// The `Expires` text exactly as received (it is what was signed).
        expires_text: String,
        /// The decoded 20-byte HMAC-SHA1.
        signature: Vec<u8>,
    },
    /// `Authorization: OSS4-HMAC-SHA256 Credential=..,AdditionalHeaders=..,Signature=..`.
    V4Header {
        /// Access key id.
        access_key_id: String,
        /// The credential scope.
        scope: Scope,
        /// Additional signed header names (lower-case, sorted, as listed).
        additional_headers: Vec<String>,
        /// The decoded 32-byte HMAC-SHA256.
        signature: Vec<u8>,
    },
    /// `?x-oss-signature-version=OSS4-HMAC-SHA256&x-oss-date=..&x-oss-expires=..&...`.
    V4Presigned {
        /// Access key id.
        access_key_id: String,
        /// The credential scope.
        scope: Scope,
        /// Additional signed header names.
        additional_headers: Vec<String>,
        /// The signing time (`x-oss-date`).
        date: Timestamp,
        /// Seconds after `date` the URL stays valid.
        expires: u64,
        /// The decoded 32-byte HMAC-SHA256.
        signature: Vec<u8>,
    },
}

impl ParsedAuth {
    /// The claimed access key id.
    pub fn access_key_id(&self) -> &str {
        match self {
            ParsedAuth::V1Header { access_key_id, .. }
            | ParsedAuth::V1Presigned { access_key_id, .. }
            | ParsedAuth::V4Header { access_key_id, .. }
            | ParsedAuth::V4Presigned { access_key_id, .. } => access_key_id,
        }
    }

    /// V1 or V4.
    pub fn version(&self) -> SignatureVersion {
        match self {
            ParsedAuth::V1Header { .. } | ParsedAuth::V1Presigned { .. } => SignatureVersion::V1,
            _ => SignatureVersion::V4,
        }
    }

    /// Header or presigned.
    pub fn mode(&self) -> AuthMode {
        match self {
            ParsedAuth::V1Header { .. } | ParsedAuth::V4Header { .. } => AuthMode::Header,
            _ => AuthMode::Presigned,
        }
    }
}

/// Why an `Authorization` header or presigned query could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MalformedAuth {
    /// The `Authorization` scheme is neither `OSS` nor `OSS4-HMAC-SHA256`, or the presign version is
    /// unknown.
    #[error("unknown signature algorithm")]
    UnknownAlgorithm,
    /// A required part is missing.
    #[error("missing {0}")]
    Missing(&'static str),
    /// A part appears twice (a repeated header or query key, or a repeated field).
    #[error("duplicate {0}")]
    Duplicate(&'static str),
    /// A part is present but malformed.
    #[error("invalid {0}")]
    Invalid(&'static str),
    /// Both an `Authorization` header and a presigned query were sent.
    #[error("both an Authorization header and a presigned query")]
    Ambiguous,
}

/// Who made the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Authenticated {
    /// No signature at all: an anonymous request, for the server's policy to judge.
    Anonymous,
    /// A valid signature.
    Signed(SignedBy),
}

/// The details of a verified signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedBy {
    /// The access key id.
    pub access_key_id: String,
    /// V1 or V4.
    pub version: SignatureVersion,
    /// Header or presigned.
    pub mode: AuthMode,
    /// The V4 scope (region, product); `None` for V1.
    pub scope: Option<Scope>,
    /// The STS security token the request carried.
    pub security_token: Option<String>,
}

/// Why verification failed. Each maps to the OSS error a server returns ([`VerifyError::oss_code`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    /// The authentication could not be parsed.
    #[error("malformed authentication: {0}")]
    Malformed(#[from] MalformedAuth),
    /// The access key id is unknown.
    #[error("unknown access key id {access_key_id}")]
    UnknownAccessKey {
        /// The claimed id.
        access_key_id: String,
    },
    /// The STS security token is missing or does not belong to the key.
    #[error("invalid security token")]
    InvalidSecurityToken,
    /// The signature does not match.
    #[error("signature does not match")]
    SignatureMismatch {
        /// The string to sign the server computed (OSS returns it in the error body).
        string_to_sign: String,
        /// The V4 canonical request the server computed.
        canonical_request: Option<String>,
    },
    /// A presigned URL past its expiry.
    #[error("request has expired")]
    Expired {
        /// When it expired.
        expired_at: Timestamp,
        /// The verifier's time.
        now: Timestamp,
    },
    /// The request time is more than 15 minutes from `now`.
    #[error("the difference between the request time and the current time is too large")]
    ClockSkew {
        /// The request time.
        request_time: Timestamp,
        /// The verifier's time.
        now: Timestamp,
    },
}

impl VerifyError {
    /// The OSS error code a server answers with.
    pub fn oss_code(&self) -> &'static str {
        match self {
            VerifyError::Malformed(_) => "InvalidArgument",
            VerifyError::UnknownAccessKey { .. } => "InvalidAccessKeyId",
            VerifyError::InvalidSecurityToken => "InvalidSecurityToken",
            VerifyError::SignatureMismatch { .. } => "SignatureDoesNotMatch",
            VerifyError::Expired { .. } => "AccessDenied",
            VerifyError::ClockSkew { .. } => "RequestTimeTooSkewed",
        }
    }

    /// The complete error response (`SignatureDoesNotMatch` carries `StringToSign` and, for V4,
    /// `CanonicalRequest`, as OSS does). The caller adds the request id and host id.
    pub fn to_service_error(&self) -> ServiceError {
        let code = OssErrorCode::parse(self.oss_code()).unwrap_or(OssErrorCode::AccessDenied);
        let mut e = ServiceError::with_message(code, self.oss_message());
        e.status = self.http_status();
        match self {
            VerifyError::SignatureMismatch {
                string_to_sign,
                canonical_request,
            } => {
                e = e.extra("StringToSign", string_to_sign.clone());
                if let Some(cr) = canonical_request {
                    e = e.extra("CanonicalRequest", cr.clone());
                }
            }
            VerifyError::UnknownAccessKey { access_key_id } => {
                e = e.extra("OSSAccessKeyId", access_key_id.clone());
            }
            _ => {}
        }
        e
    }

    /// The HTTP status a server answers with.
    pub fn http_status(&self) -> u16 {
        match self {
            VerifyError::Malformed(_) => 400,
            _ => 403,
        }
    }

    /// The OSS-style message.
    pub fn oss_message(&self) -> String {
        match self {
            VerifyError::Malformed(m) => format!("Authorization is invalid: {m}."),
            VerifyError::UnknownAccessKey { .. } => {
                "The OSS Access Key Id you provided does not exist in our records.".into()
            }
            VerifyError::InvalidSecurityToken => "The security token you provided is invalid.".into(),
            VerifyError::SignatureMismatch { .. } => {
                "The request signature we calculated does not match the signature you provided. Check your key and signing method.".into()
            }
            VerifyError::Expired { .. } => "Request has expired.".into(),
            VerifyError::ClockSkew { .. } => {
                "The difference between the request time and the current time is too large.".into()
            }
        }
    }
}

/// At most one item from `it`; a second one is a duplicate.
fn only_one<'a, I: Iterator<Item = &'a str>>(
    mut it: I,
    what: &'static str,
) -> Result<Option<&'a str>, MalformedAuth> {
    let first = it.next();
    if it.next().is_some() {
        return Err(MalformedAuth::Duplicate(what));
    }
    Ok(first)
}

fn header_once<'a>(
    view: &RequestView<'a>,
    name: &'static str,
) -> Result<Option<&'a str>, MalformedAuth> {
    only_one(
        view.headers
            .iter()
            .filter(|(n, _)| n.trim().eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str()),
        name,
    )
}

/// A query value that must appear at most once and have a value.
fn query_once<'a>(
    view: &RequestView<'a>,
    key: &'static str,
) -> Result<Option<&'a str>, MalformedAuth> {
    let mut it = view.query.iter().filter(|(k, _)| k == key);
    let first = it.next();
    if it.next().is_some() {
        return Err(MalformedAuth::Duplicate(key));
    }
    match first {
        None => Ok(None),
        Some((_, Some(v))) => Ok(Some(v.as_str())),
        Some((_, None)) => Err(MalformedAuth::Invalid(key)),
    }
}

fn require<'a>(v: Option<&'a str>, what: &'static str) -> Result<&'a str, MalformedAuth> {
    v.ok_or(MalformedAuth::Missing(what))
}

fn decode_v1_signature(s: &str) -> Result<Vec<u8>, MalformedAuth> {
    match base64_decode(s) {
        Ok(b) if b.len() == 20 => Ok(b),
        _ => Err(MalformedAuth::Invalid("signature")),
    }
}

fn decode_v4_signature(s: &str) -> Result<Vec<u8>, MalformedAuth> {
    match hex_decode(s) {
        Ok(b) if b.len() == 32 => Ok(b),
        _ => Err(MalformedAuth::Invalid("signature")),
    }
}

/// `ak/yyyymmdd/region/product/aliyun_v4_request`.
fn parse_credential(s: &str) -> Result<(String, Scope), MalformedAuth> {
    let parts: Vec<&str> = s.split('/').collect();
    let bad = MalformedAuth::Invalid("credential");
    if parts.len() != 5 || parts[4] != v4::TERMINATOR || parts.iter().take(4).any(|p| p.is_empty())
    {
        return Err(bad);
    }
    let date = parts[1];
    if date.len() != 8 || !date.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad);
    }
    Ok((
        parts[0].to_owned(),
        Scope {
            date: date.to_owned(),
            region: parts[2].to_owned(),
            product: parts[3].to_owned(),
        },
    ))
}

/// `a;b` → `["a","b"]`: lower-cased; empty names or duplicates are malformed.
fn parse_additional_headers(s: &str) -> Result<Vec<String>, MalformedAuth> {
    let mut out: Vec<String> = Vec::new();
    for name in s.split(';') {
        let name = name.trim().to_ascii_lowercase();
        if name.is_empty() {
            return Err(MalformedAuth::Invalid("AdditionalHeaders"));
        }
        if out.contains(&name) {
            return Err(MalformedAuth::Duplicate("AdditionalHeaders"));
        }
        out.push(name);
    }
    out.sort();
    Ok(out)
}

fn parse_v4_header(rest: &str) -> Result<ParsedAuth, MalformedAuth> {
    let mut credential = None;
    let mut additional = None;
    let mut signature = None;
    for field in rest.split(',') {
        let field = field.trim();
        if field.is_empty() {
            return Err(MalformedAuth::Invalid("Authorization"));
        }
        let (name, value) = field
            .split_once('=')
            .ok_or(MalformedAuth::Invalid("Authorization"))?;
        let (slot, what) = match name.trim() {
            "Credential" => (&mut credential, "Credential"),
            "AdditionalHeaders" => (&mut additional, "AdditionalHeaders"),
            "Signature" => (&mut signature, "Signature"),
            _ => return Err(MalformedAuth::Invalid("Authorization")),
        };
        if slot.replace(value.trim()).is_some() {
            return Err(MalformedAuth::Duplicate(what));
        }
    }
    let (access_key_id, scope) = parse_credential(require(credential, "Credential")?)?;
    let additional_headers = match additional {
        Some(a) => parse_additional_headers(a)?,
        None => Vec::new(),
    };
    Ok(ParsedAuth::V4Header {
        access_key_id,
        scope,
        additional_headers,
        signature: decode_v4_signature(require(signature, "Signature")?)?,
    })
}

/// Parses the authentication of a request: `Ok(None)` when there is none (anonymous).
pub fn parse_auth(view: &RequestView<'_>) -> Result<Option<ParsedAuth>, MalformedAuth> {
    let header = header_once(view, "authorization")?;
    let v4_presign = view
        .query
        .iter()
        .any(|(k, _)| k == "x-oss-signature-version");
    let v1_presign = view
        .query
        .iter()
        .any(|(k, _)| k == "OSSAccessKeyId" || k == "Signature");
    if header.is_some() && (v4_presign || v1_presign) || v4_presign && v1_presign {
        return Err(MalformedAuth::Ambiguous);
    }
    if let Some(h) = header {
        let h = h.trim();
        if let Some(rest) = h.strip_prefix("OSS4-HMAC-SHA256 ") {
            return parse_v4_header(rest).map(Some);
        }
        if let Some(rest) = h.strip_prefix("OSS ") {
            let (ak, sig) = rest
                .trim()
                .split_once(':')
                .ok_or(MalformedAuth::Invalid("Authorization"))?;
            if ak.is_empty() {
                return Err(MalformedAuth::Missing("access key id"));
            }
            return Ok(Some(ParsedAuth::V1Header {
                access_key_id: ak.to_owned(),
                signature: decode_v1_signature(sig)?,
            }));
        }
        return Err(MalformedAuth::UnknownAlgorithm);
    }
    if v4_presign {
        if require(
            query_once(view, "x-oss-signature-version")?,
            "x-oss-signature-version",
        )? != v4::ALGORITHM
        {
            return Err(MalformedAuth::UnknownAlgorithm);
        }
        let date_text = require(query_once(view, "x-oss-date")?, "x-oss-date")?;
        let date = Timestamp::parse_iso8601_basic(date_text)
            .map_err(|_| MalformedAuth::Invalid("x-oss-date"))?;
        let expires_text = require(query_once(view, "x-oss-expires")?, "x-oss-expires")?;
        let expires: u64 = if expires_text.bytes().all(|b| b.is_ascii_digit()) {
            expires_text.parse().ok()
        } else {
            None
        }
        .filter(|e| (1..=v4::MAX_PRESIGN_EXPIRES).contains(e))
        .ok_or(MalformedAuth::Invalid("x-oss-expires"))?;
        let (access_key_id, scope) = parse_credential(require(
            query_once(view, "x-oss-credential")?,
            "x-oss-credential",
        )?)?;
        if scope.date != date.to_yyyymmdd() {
            return Err(MalformedAuth::Invalid("credential date"));
        }
        let additional_headers = match query_once(view, "x-oss-additional-headers")? {
            Some(a) => parse_additional_headers(a)?,
            None => Vec::new(),
        };
        let signature = decode_v4_signature(require(
            query_once(view, "x-oss-signature")?,
            "x-oss-signature",
        )?)?;
        return Ok(Some(ParsedAuth::V4Presigned {
            access_key_id,
            scope,
            additional_headers,
            date,
            expires,
            signature,
        }));
    }
    if v1_presign {
        let access_key_id = require(query_once(view, "OSSAccessKeyId")?, "OSSAccessKeyId")?;
        if access_key_id.is_empty() {
            return Err(MalformedAuth::Missing("OSSAccessKeyId"));
        }
        let expires_text = require(query_once(view, "Expires")?, "Expires")?;
        let expires = if expires_text.bytes().all(|b| b.is_ascii_digit()) {
            expires_text.parse::<i64>().ok()
        } else {
            None
        }
        .ok_or(MalformedAuth::Invalid("Expires"))?;
        let signature = decode_v1_signature(require(query_once(view, "Signature")?, "Signature")?)?;
        return Ok(Some(ParsedAuth::V1Presigned {
            access_key_id: access_key_id.to_owned(),
            expires: Timestamp::from_unix(expires),
            expires_text: expires_text.to_owned(),
            signature,
        }));
    }
    Ok(None)
}

fn check_skew(request_time: Timestamp, now: Timestamp) -> Result<(), VerifyError> {
    if (request_time.unix() - now.unix()).abs() > MAX_CLOCK_SKEW_SECONDS {
        return Err(VerifyError::ClockSkew { request_time, now });
    }
    Ok(())
}

/// The token the request carried must be exactly the one the key expects (none for long-term keys).
fn check_token(expected: Option<&str>, received: Option<&str>) -> Result<(), VerifyError> {
    match (expected, received) {
        (None, None) => Ok(()),
        (Some(e), Some(r)) if constant_time_eq(e.as_bytes(), r.as_bytes()) => Ok(()),
        _ => Err(VerifyError::InvalidSecurityToken),
    }
}

/// Verifies a request: anonymous, a valid signature, or the reason it is refused. Checks run in the
/// order parse → key lookup → security token → time → signature.
pub fn verify(
    view: &RequestView<'_>,
    keys: &impl KeyLookup,
    now: Timestamp,
) -> Result<Authenticated, VerifyError> {
    let Some(auth) = parse_auth(view)? else {
        return Ok(Authenticated::Anonymous);
    };
    let creds = keys
        .lookup(auth.access_key_id())
        .ok_or_else(|| VerifyError::UnknownAccessKey {
            access_key_id: auth.access_key_id().to_owned(),
        })?;
    let received_token = match &auth {
        ParsedAuth::V1Header { .. } | ParsedAuth::V4Header { .. } => {
            header_once(view, "x-oss-security-token")?
        }
        ParsedAuth::V1Presigned { .. } => query_once(view, "security-token")?,
        ParsedAuth::V4Presigned { .. } => query_once(view, "x-oss-security-token")?,
    };
    check_token(creds.security_token.as_deref(), received_token)?;
    let scope = match &auth {
        ParsedAuth::V1Header { signature, .. } => {
            let slot = v1::header_date_slot(view);
            if slot.is_empty() {
                return Err(MalformedAuth::Missing("Date").into());
            }
            let time = Timestamp::parse_rfc1123(slot).map_err(|_| {
                MalformedAuth::Invalid(if view.header("x-oss-date").is_some() {
                    "x-oss-date"
                } else {
                    "Date"
                })
            })?;
            check_skew(time, now)?;
            verify_v1(view, &creds, slot, signature)?;
            None
        }
        ParsedAuth::V1Presigned {
            expires,
            expires_text,
            signature,
            ..
        } => {
            if now > *expires {
                return Err(VerifyError::Expired {
                    expired_at: *expires,
                    now,
                });
            }
            verify_v1(view, &creds, expires_text, signature)?;
            None
        }
        ParsedAuth::V4Header {
            scope,
            additional_headers,
            signature,
            ..
        } => {
            let date_text = require(header_once(view, "x-oss-date")?, "x-oss-date")?;
            let time = Timestamp::parse_iso8601_basic(date_text)
                .map_err(|_| MalformedAuth::Invalid("x-oss-date"))?;
            if scope.date != time.to_yyyymmdd() {
                return Err(MalformedAuth::Invalid("credential date").into());
            }
            check_skew(time, now)?;
            verify_v4(
                view,
                &creds,
                date_text,
                scope,
                additional_headers,
                &[],
                signature,
            )?;
            Some(scope.clone())
        }
        ParsedAuth::V4Presigned {
            scope,
            additional_headers,
            date,
            expires,
            signature,
            ..
        } => {
            let expired_at = date.add_seconds(*expires as i64);
            if now > expired_at {
                return Err(VerifyError::Expired { expired_at, now });
            }
            if date.unix() - now.unix() > MAX_CLOCK_SKEW_SECONDS {
                return Err(VerifyError::ClockSkew {
                    request_time: *date,
                    now,
                });
            }
            let date_text = date.to_iso8601_basic();
            verify_v4(
                view,
                &creds,
                &date_text,
                scope,
                additional_headers,
                &["x-oss-signature"],
                signature,
            )?;
            Some(scope.clone())
        }
    };
    Ok(Authenticated::Signed(SignedBy {
        access_key_id: creds.access_key_id.clone(),
        version: auth.version(),
        mode: auth.mode(),
        scope,
        security_token: received_token.map(str::to_owned),
    }))
}

/// Tries the oss2 sub-resource set first, then (only when it differs) the Go SDK's wider set.
fn verify_v1(
    view: &RequestView<'_>,
    creds: &Credentials,
    date_slot: &str,
    signature: &[u8],
) -> Result<(), VerifyError> {
    let sts = v1::string_to_sign(view, date_slot, SubresourcePolicy::Oss2);
    if v1_matches(creds, &sts, signature) {
        return Ok(());
    }
    let has_extra = view
        .query
        .iter()
        .any(|(k, _)| k.starts_with("x-oss-") && !SubresourcePolicy::Oss2.is_signed(k));
    if has_extra {
        let wide = v1::string_to_sign(view, date_slot, SubresourcePolicy::WithXOssQuery);
        if v1_matches(creds, &wide, signature) {
            return Ok(());
        }
    }
    Err(VerifyError::SignatureMismatch {
        string_to_sign: sts,
        canonical_request: None,
    })
}

fn v1_matches(creds: &Credentials, string_to_sign: &str, signature: &[u8]) -> bool {
    let key = hmac::Key::new(
        hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY,
        creds.secret.expose().as_bytes(),
    );
    // ring's verify compares the tags in constant time.
    hmac::verify(&key, string_to_sign.as_bytes(), signature).is_ok()
}

fn verify_v4(
    view: &RequestView<'_>,
    creds: &Credentials,
    date_text: &str,
    scope: &Scope,
    additional_headers: &[String],
    skip_query: &[&str],
    signature: &[u8],
) -> Result<(), VerifyError> {
    let canonical_request = v4::canonical_request(view, additional_headers, skip_query);
    let string_to_sign = v4::string_to_sign(date_text, scope, &canonical_request);
    let key = SigningKey::derive(&creds.secret, scope);
    let expected = key.sign_bytes(&string_to_sign);
    if constant_time_eq(expected.as_ref(), signature) {
        Ok(())
    } else {
        Err(VerifyError::SignatureMismatch {
            string_to_sign,
            canonical_request: Some(canonical_request),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::request::{Method, Request, Scheme};
    use crate::sign::v4::V4Params;

    fn keys(id: &str) -> Option<Credentials> {
        match id {
            "ak" => Some(Credentials::new("ak", "sk")),
            "sts" => Some(Credentials::new("sts", "sk2").with_security_token("tok")),
            _ => None,
        }
    }

    fn put() -> Request {
        let mut r = Request::new(
            Method::Put,
            Scheme::Http,
            "h",
            Some("bucket"),
            Some("a b+/c%"),
        );
        r.headers.set("Content-Type", "text/plain");
        r.headers.set("x-oss-meta-a", " x ");
        r.push_query("uploadId", Some("u".into()));
        r.push_query("partNumber", Some("1".into()));
        r
    }

    const T: i64 = 1_702_743_657;

    #[test]
    fn anonymous() {
        let r = put();
        assert_eq!(
            verify(&r.view(), &keys, Timestamp::from_unix(T)),
            Ok(Authenticated::Anonymous)
        );
    }

    #[test]
    fn v1_header_round_trip_and_failures() {
        let mut r = put();
        v1::sign_request(
            &mut r,
            &Credentials::new("ak", "sk"),
            Timestamp::from_unix(T),
        );
        let now = Timestamp::from_unix(T + 60);
        match verify(&r.view(), &keys, now) {
            Ok(Authenticated::Signed(s)) => {
                assert_eq!(s.version, SignatureVersion::V1);
                assert_eq!(s.mode, AuthMode::Header);
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            verify(&r.view(), &keys, Timestamp::from_unix(T + 901)),
            Err(VerifyError::ClockSkew { .. })
        ));
        let mut bad = r.clone();
        bad.headers.set("x-oss-meta-a", "y");
        match verify(&bad.view(), &keys, now) {
            Err(e @ VerifyError::SignatureMismatch { .. }) => {
                let se = e.to_service_error();
                assert_eq!(se.code, "SignatureDoesNotMatch");
                assert_eq!(se.status, 403);
                assert!(se
                    .extra_value("StringToSign")
                    .unwrap()
                    .contains("x-oss-meta-a:y\n"));
            }
            other => panic!("{other:?}"),
        }
        let mut bad = r.clone();
        bad.headers
            .set("Authorization", "OSS nobody:kSHKmLxlyEAKtZPkJhG9bZb5k7M=");
        assert!(matches!(
            verify(&bad.view(), &keys, now),
            Err(VerifyError::UnknownAccessKey { .. })
        ));
    }

    #[test]
    fn v1_presign_round_trip_and_expiry() {
        let mut r = put();
        v1::presign(
            &mut r,
            &Credentials::new("ak", "sk"),
            Timestamp::from_unix(T + 100),
        );
        assert!(matches!(
            verify(&r.view(), &keys, Timestamp::from_unix(T)),
            Ok(Authenticated::Signed(_))
        ));
        assert!(matches!(
            verify(&r.view(), &keys, Timestamp::from_unix(T + 101)),
            Err(VerifyError::Expired { .. })
        ));
    }

    #[test]
    fn v1_accepts_go_sdk_x_oss_query_signing() {
        let mut r = put();
        r.push_query("x-oss-custom", Some("1".into()));
        let t = Timestamp::from_unix(T);
        r.headers.set("Date", t.to_rfc1123());
        let view = r.view();
        let sts = v1::string_to_sign(
            &view,
            v1::header_date_slot(&view),
            SubresourcePolicy::WithXOssQuery,
        );
        assert!(sts.ends_with("&x-oss-custom=1"));
        let sig = v1::signature(&crate::credentials::Secret::new("sk"), &sts);
        r.headers
            .set("Authorization", v1::authorization("ak", &sig));
        assert!(matches!(
            verify(&r.view(), &keys, t),
            Ok(Authenticated::Signed(_))
        ));
    }

    #[test]
    fn v4_header_round_trip_and_failures() {
        let mut r = put();
        r.headers.set("abc", "1");
        let mut p = V4Params::new("cn-hangzhou");
        p.additional_headers = vec!["abc".into()];
        v4::sign_request(
            &mut r,
            &Credentials::new("ak", "sk"),
            Timestamp::from_unix(T),
            &p,
        )
        .unwrap();
        let now = Timestamp::from_unix(T - 899);
        match verify(&r.view(), &keys, now) {
            Ok(Authenticated::Signed(s)) => {
                assert_eq!(s.scope.unwrap().region, "cn-hangzhou");
                assert_eq!(s.version, SignatureVersion::V4);
            }
            other => panic!("{other:?}"),
        }
        let mut bad = r.clone();
        bad.headers.set("abc", "2");
        assert!(matches!(
            verify(&bad.view(), &keys, now),
            Err(VerifyError::SignatureMismatch {
                canonical_request: Some(_),
                ..
            })
        ));
        assert!(matches!(
            verify(&r.view(), &keys, Timestamp::from_unix(T - 901)),
            Err(VerifyError::ClockSkew { .. })
        ));
    }

    #[test]
    fn v4_accepts_oss2_field_order() {
        let mut r = put();
        r.headers.set("abc", "1");
        let mut p = V4Params::new("cn-hangzhou");
        p.additional_headers = vec!["abc".into()];
        let out = v4::sign_request(
            &mut r,
            &Credentials::new("ak", "sk"),
            Timestamp::from_unix(T),
            &p,
        )
        .unwrap();
        r.headers.set(
            "authorization",
            format!(
                "OSS4-HMAC-SHA256 Credential=ak/20231216/cn-hangzhou/oss/aliyun_v4_request, Signature={}, AdditionalHeaders=abc",
                out.signature
            ),
        );
        assert!(matches!(
            verify(&r.view(), &keys, Timestamp::from_unix(T)),
            Ok(Authenticated::Signed(_))
        ));
    }

    #[test]
    fn v4_presign_round_trip_expiry_and_sts() {
        let creds = Credentials::new("sts", "sk2").with_security_token("tok");
        let mut r = put();
        v4::presign(
            &mut r,
            &creds,
            Timestamp::from_unix(T),
            60,
            &V4Params::new("cn-hangzhou"),
        )
        .unwrap();
        assert!(matches!(
            verify(&r.view(), &keys, Timestamp::from_unix(T + 60)),
            Ok(Authenticated::Signed(_))
        ));
        assert!(matches!(
            verify(&r.view(), &keys, Timestamp::from_unix(T + 61)),
            Err(VerifyError::Expired { .. })
        ));
        assert!(matches!(
            verify(&r.view(), &keys, Timestamp::from_unix(T - 1000)),
            Err(VerifyError::ClockSkew { .. })
        ));
        let mut bad = r.clone();
        for (k, v) in bad.query.iter_mut() {
            if k == "x-oss-security-token" {
                *v = Some("other".into());
            }
        }
        assert_eq!(
            verify(&bad.view(), &keys, Timestamp::from_unix(T)),
            Err(VerifyError::InvalidSecurityToken)
        );
    }

    fn with_auth(value: &str) -> Request {
        let mut r = put();
        r.headers.set("x-oss-date", "20231216T162057Z");
        r.headers.set("Authorization", value);
        r
    }

    #[test]
    fn malformed_headers() {
        let sig = "e21d18daa82167720f9b1047ae7e7f1ce7cb77a31e8203a7d5f4624fa0284afe";
        let cred = "Credential=ak/20231216/cn-hangzhou/oss/aliyun_v4_request";
        let cases = [
            ("AWS4-HMAC-SHA256 x".to_string(), MalformedAuth::UnknownAlgorithm),
            ("OSS ak".to_string(), MalformedAuth::Invalid("Authorization")),
            ("OSS :abc".to_string(), MalformedAuth::Missing("access key id")),
            ("OSS ak:!!!".to_string(), MalformedAuth::Invalid("signature")),
            ("OSS ak:aGVsbG8=".to_string(), MalformedAuth::Invalid("signature")),
            (format!("OSS4-HMAC-SHA256 Signature={sig}"), MalformedAuth::Missing("Credential")),
            (format!("OSS4-HMAC-SHA256 {cred}"), MalformedAuth::Missing("Signature")),
            (format!("OSS4-HMAC-SHA256 {cred},Signature=zz"), MalformedAuth::Invalid("signature")),
            (format!("OSS4-HMAC-SHA256 {cred},Signature={sig},Signature={sig}"), MalformedAuth::Duplicate("Signature")),
            (format!("OSS4-HMAC-SHA256 {cred},AdditionalHeaders=a;a,Signature={sig}"), MalformedAuth::Duplicate("AdditionalHeaders")),
            (format!("OSS4-HMAC-SHA256 {cred},AdditionalHeaders=,Signature={sig}"), MalformedAuth::Invalid("AdditionalHeaders")),
            (format!("OSS4-HMAC-SHA256 {cred},AdditionalHeaders=a;;b,Signature={sig}"), MalformedAuth::Invalid("AdditionalHeaders")),
            (format!("OSS4-HMAC-SHA256 Credential=ak/2023121/cn-hangzhou/oss/aliyun_v4_request,Signature={sig}"), MalformedAuth::Invalid("credential")),
            (format!("OSS4-HMAC-SHA256 Credential=ak/20231216/cn-hangzhou/oss/aliyun_v3_request,Signature={sig}"), MalformedAuth::Invalid("credential")),
            (format!("OSS4-HMAC-SHA256 {cred},Bogus=1,Signature={sig}"), MalformedAuth::Invalid("Authorization")),
            (format!("OSS4-HMAC-SHA256 {cred},,Signature={sig}"), MalformedAuth::Invalid("Authorization")),
        ];
        for (value, expected) in cases {
            assert_eq!(
                parse_auth(&with_auth(&value).view()),
                Err(expected),
                "{value}"
            );
        }
        let mut r = with_auth("OSS ak:kSHKmLxlyEAKtZPkJhG9bZb5k7M=");
        r.headers
            .append("authorization", "OSS ak:kSHKmLxlyEAKtZPkJhG9bZb5k7M=");
        assert_eq!(
            parse_auth(&r.view()),
            Err(MalformedAuth::Duplicate("authorization"))
        );
        let mut r = with_auth("OSS ak:kSHKmLxlyEAKtZPkJhG9bZb5k7M=");
        r.push_query("OSSAccessKeyId", Some("ak".into()));
        assert_eq!(parse_auth(&r.view()), Err(MalformedAuth::Ambiguous));
        // V4 header whose x-oss-date is on another day than the credential.
        let mut r = with_auth(&format!("OSS4-HMAC-SHA256 {cred},Signature={sig}"));
        r.headers.set("x-oss-date", "20231217T000000Z");
        assert_eq!(
            verify(&r.view(), &keys, Timestamp::from_unix(T)),
            Err(VerifyError::Malformed(MalformedAuth::Invalid(
                "credential date"
            )))
        );
    }

    #[test]
    fn malformed_presign_queries() {
        let base = |extra: &[(&str, Option<&str>)]| {
            let mut r = put();
            for (k, v) in extra {
                r.push_query(*k, v.map(str::to_owned));
            }
            parse_auth(&r.view())
        };
        assert_eq!(
            base(&[("x-oss-signature-version", Some("OSS5"))]),
            Err(MalformedAuth::UnknownAlgorithm)
        );
        assert_eq!(
            base(&[("x-oss-signature-version", Some("OSS4-HMAC-SHA256"))]),
            Err(MalformedAuth::Missing("x-oss-date"))
        );
        assert_eq!(
            base(&[
                ("x-oss-signature-version", Some("OSS4-HMAC-SHA256")),
                ("x-oss-date", Some("20231216T162057Z")),
                ("x-oss-expires", Some("604801")),
            ]),
            Err(MalformedAuth::Invalid("x-oss-expires"))
        );
        assert_eq!(
            base(&[("OSSAccessKeyId", Some("ak")), ("Expires", Some("-1"))]),
            Err(MalformedAuth::Invalid("Expires"))
        );
        assert_eq!(
            base(&[
                ("OSSAccessKeyId", Some("ak")),
                ("OSSAccessKeyId", Some("ak"))
            ]),
            Err(MalformedAuth::Duplicate("OSSAccessKeyId"))
        );
        assert_eq!(
            base(&[("Signature", None)]),
            Err(MalformedAuth::Missing("OSSAccessKeyId"))
        );
        assert_eq!(
            base(&[("OSSAccessKeyId", None)]),
            Err(MalformedAuth::Invalid("OSSAccessKeyId"))
        );
    }
}
