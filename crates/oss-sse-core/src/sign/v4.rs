//! Signature V4, `OSS4-HMAC-SHA256` (REFERENCE.md section 5): canonical request, string to sign, the
//! per-(day, region, product) signing key, and the header and presigned-URL forms.

use std::fmt;

use ring::{digest, hmac};
use zeroize::Zeroizing;

use super::{canonical_header_lines, starts_with_ignore_case, SignError};
use crate::credentials::{Credentials, Secret};
use crate::encoding::{hex_lower, uri_encode, uri_encode_into};
use crate::request::{Request, RequestView};
use crate::time::Timestamp;

/// The algorithm name.
pub const ALGORITHM: &str = "OSS4-HMAC-SHA256";
/// The payload hash OSS clients send: the body is not hashed.
pub const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";
/// The scope terminator.
pub const TERMINATOR: &str = "aliyun_v4_request";
/// The default product in the scope.
pub const DEFAULT_PRODUCT: &str = "oss";
/// The longest a V4 presigned URL may last (7 days).
pub const MAX_PRESIGN_EXPIRES: u64 = 604_800;

/// Whether a header name (any case) is always signed (so never listed in AdditionalHeaders).
pub fn is_default_signed_header(name: &str) -> bool {
    starts_with_ignore_case(name, "x-oss-")
        || name.eq_ignore_ascii_case("content-type")
        || name.eq_ignore_ascii_case("content-md5")
}

/// The credential scope: `yyyymmdd/<region>/<product>/aliyun_v4_request`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Scope {
    /// `yyyymmdd`.
    pub date: String,
    /// The region, e.g. `cn-hangzhou`.
    pub region: String,
    /// The product, `oss` normally.
    pub product: String,
}

impl Scope {
    /// The scope of signing at `time`.
    pub fn new(time: Timestamp, region: &str, product: &str) -> Scope {
        Scope {
            date: time.to_yyyymmdd(),
            region: region.to_owned(),
            product: product.to_owned(),
        }
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}/{}/{}/{TERMINATOR}",
            self.date, self.region, self.product
        )
    }
}

/// What to sign with besides credentials and time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct V4Params {
    /// The signing region.
    pub region: String,
    /// The product (default `oss`).
    pub product: String,
    /// Extra headers to sign (any case); those absent from the request or always signed are dropped.
    pub additional_headers: Vec<String>,
}

impl V4Params {
    /// Region, product `oss`, no additional headers.
    pub fn new(region: impl Into<String>) -> V4Params {
        V4Params {
            region: region.into(),
            product: DEFAULT_PRODUCT.to_owned(),
            additional_headers: Vec::new(),
        }
    }
}

/// The derived key `HMAC(HMAC(HMAC(HMAC("aliyun_v4"+secret, date), region), product),
/// "aliyun_v4_request")`. Derive once per (secret, day, region, product) and reuse; zeroized on drop.
#[derive(Clone)]
pub struct SigningKey {
    key: Zeroizing<[u8; 32]>,
    scope: Scope,
}

impl SigningKey {
    /// Derives the key for `scope`.
    pub fn derive(secret: &Secret, scope: &Scope) -> SigningKey {
        let mut seed = Zeroizing::new(String::with_capacity(9 + secret.expose().len()));
        seed.push_str("aliyun_v4");
        seed.push_str(secret.expose());
        let k = hmac_sha256(seed.as_bytes(), &scope.date);
        let k = hmac_sha256(&k[..], &scope.region);
        let k = hmac_sha256(&k[..], &scope.product);
        let key = hmac_sha256(&k[..], TERMINATOR);
        SigningKey {
            key,
            scope: scope.clone(),
        }
    }

    /// The scope this key signs for.
    pub fn scope(&self) -> &Scope {
        &self.scope
    }

    /// The raw HMAC-SHA256 of `string_to_sign`.
    pub fn sign_bytes(&self, string_to_sign: &str) -> hmac::Tag {
        hmac::sign(
            &hmac::Key::new(hmac::HMAC_SHA256, &self.key[..]),
            string_to_sign.as_bytes(),
        )
    }

    /// Lower-case hex HMAC-SHA256 of `string_to_sign`: the signature.
    pub fn sign(&self, string_to_sign: &str) -> String {
        hex_lower(self.sign_bytes(string_to_sign).as_ref())
    }
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("key", &"<redacted>")
            .field("scope", &self.scope)
            .finish()
    }
}

/// One step of the key chain; intermediate keys are zeroized as they drop.
fn hmac_sha256(key: &[u8], data: &str) -> Zeroizing<[u8; 32]> {
    let tag = hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, key), data.as_bytes());
    let mut out = Zeroizing::new([0u8; 32]);
    out.copy_from_slice(tag.as_ref());
    out
}

/// The stages and result of a V4 signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct V4Signature {
    /// The canonical request.
    pub canonical_request: String,
    /// The string to sign.
    pub string_to_sign: String,
    /// Lower-case hex signature.
    pub signature: String,
    /// The additional header names signed (lower-case, sorted).
    pub additional_headers: Vec<String>,
}

/// `/bucket/key` (`/bucket/`, `/`), URI-encoded with `/` kept.
pub fn canonical_uri(bucket: Option<&str>, key: Option<&str>) -> String {
    crate::request::canonical_path(bucket, key, true)
}

/// Every query parameter except those `skip` names, keys and values URI-encoded, sorted by encoded key
/// (then value), `k=v` or bare `k` (no value, or an empty one), joined by `&`.
pub fn canonical_query(query: &[(String, Option<String>)], skip: &[&str]) -> String {
    let mut encoded: Vec<(String, Option<String>)> = query
        .iter()
        .filter(|(k, _)| !skip.contains(&k.as_str()))
        .map(|(k, v)| {
            (
                uri_encode(k, false),
                v.as_deref()
                    .filter(|v| !v.is_empty())
                    .map(|v| uri_encode(v, false)),
            )
        })
        .collect();
    encoded.sort();
    let mut out = String::new();
    for (i, (k, v)) in encoded.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(k);
        if let Some(v) = v {
            out.push('=');
            out.push_str(v);
        }
    }
    out
}

/// The additional header names actually signed: lower-cased, deduplicated, sorted, without the always
/// signed ones, and only those present in `headers`.
pub fn effective_additional_headers<S: AsRef<str>>(
    headers: &[(String, String)],
    requested: &[S],
) -> Vec<String> {
    let mut out: Vec<String> = requested
        .iter()
        .map(|n| n.as_ref().trim().to_ascii_lowercase())
        .filter(|n| !n.is_empty() && !is_default_signed_header(n))
        .filter(|n| {
            headers
                .iter()
                .any(|(h, _)| h.trim().eq_ignore_ascii_case(n))
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Lower-cased, sorted `name:value\n` lines of the `x-oss-*`, `content-type`, `content-md5` and
/// `additional` (already lower-case) headers.
pub fn canonical_headers(headers: &[(String, String)], additional: &[String]) -> String {
    let mut out = String::new();
    canonical_header_lines(&mut out, headers, |n| {
        is_default_signed_header(n) || additional.iter().any(|a| a.eq_ignore_ascii_case(n))
    });
    out
}

/// The hashed payload: `x-oss-content-sha256` when present, else `UNSIGNED-PAYLOAD`.
pub fn hashed_payload<'a>(view: &RequestView<'a>) -> &'a str {
    view.header("x-oss-content-sha256")
        .unwrap_or(UNSIGNED_PAYLOAD)
}

/// `METHOD\nURI\nQUERY\nHEADERS\nADDITIONAL\nPAYLOAD`; `additional` must already be the effective list
/// (see [`effective_additional_headers`]); `skip_query` names query keys left out (`x-oss-signature` when
/// verifying a presigned URL).
pub fn canonical_request(
    view: &RequestView<'_>,
    additional: &[String],
    skip_query: &[&str],
) -> String {
    let mut s = String::with_capacity(512);
    s.push_str(view.method);
    s.push('\n');
    s.push('/');
    if let Some(b) = view.bucket {
        uri_encode_into(&mut s, b, true);
        s.push('/');
        if let Some(k) = view.key {
            uri_encode_into(&mut s, k, true);
        }
    }
    s.push('\n');
    s.push_str(&canonical_query(view.query, skip_query));
    s.push('\n');
    canonical_header_lines(&mut s, view.headers, |n| {
        is_default_signed_header(n) || additional.iter().any(|a| a.eq_ignore_ascii_case(n))
    });
    s.push('\n');
    s.push_str(&additional.join(";"));
    s.push('\n');
    s.push_str(hashed_payload(view));
    s
}

fn push_scope(s: &mut String, scope: &Scope) {
    s.push_str(&scope.date);
    s.push('/');
    s.push_str(&scope.region);
    s.push('/');
    s.push_str(&scope.product);
    s.push('/');
    s.push_str(TERMINATOR);
}

/// `OSS4-HMAC-SHA256\n<iso8601>\n<scope>\n<hex(sha256(canonical request))>`.
pub fn string_to_sign(datetime: &str, scope: &Scope, canonical_request: &str) -> String {
    let hash = digest::digest(&digest::SHA256, canonical_request.as_bytes());
    let mut s = String::with_capacity(192);
    s.push_str(ALGORITHM);
    s.push('\n');
    s.push_str(datetime);
    s.push('\n');
    push_scope(&mut s, scope);
    s.push('\n');
    s.push_str(&hex_lower(hash.as_ref()));
    s
}

/// `OSS4-HMAC-SHA256 Credential=<ak>/<scope>[,AdditionalHeaders=<a;b>],Signature=<hex>`.
pub fn authorization(
    access_key_id: &str,
    scope: &Scope,
    additional: &[String],
    signature: &str,
) -> String {
    let mut s = String::with_capacity(160);
    s.push_str(ALGORITHM);
    s.push_str(" Credential=");
    s.push_str(access_key_id);
    s.push('/');
    push_scope(&mut s, scope);
    if !additional.is_empty() {
        s.push_str(",AdditionalHeaders=");
        s.push_str(&additional.join(";"));
    }
    s.push_str(",Signature=");
    s.push_str(signature);
    s
}

fn check_scope(key: &SigningKey, time: Timestamp, params: &V4Params) -> Result<(), SignError> {
    if params.region.is_empty() {
        return Err(SignError::MissingRegion);
    }
    let s = key.scope();
    if s.region != params.region || s.product != params.product || s.date != time.to_yyyymmdd() {
        return Err(SignError::SigningKeyScopeMismatch);
    }
    Ok(())
}

/// The signing key of `creds` for the day, region and product of one signature; a region is required.
fn derive_for(
    creds: &Credentials,
    time: Timestamp,
    params: &V4Params,
) -> Result<SigningKey, SignError> {
    if params.region.is_empty() {
        return Err(SignError::MissingRegion);
    }
    Ok(SigningKey::derive(
        &creds.secret,
        &Scope::new(time, &params.region, &params.product),
    ))
}

/// Signs in header mode, deriving the signing key (see [`sign_request_with_key`] to reuse one).
pub fn sign_request(
    req: &mut Request,
    creds: &Credentials,
    time: Timestamp,
    params: &V4Params,
) -> Result<V4Signature, SignError> {
    let key = derive_for(creds, time, params)?;
    sign_request_with_key(
        req,
        &creds.access_key_id,
        creds.security_token.as_deref(),
        &key,
        time,
        params,
    )
}

/// Signs in header mode with a cached key: sets `x-oss-date`, `Date` (unless present),
/// `x-oss-content-sha256` (unless present) and `x-oss-security-token` (STS), then `Authorization`.
pub fn sign_request_with_key(
    req: &mut Request,
    access_key_id: &str,
    security_token: Option<&str>,
    key: &SigningKey,
    time: Timestamp,
    params: &V4Params,
) -> Result<V4Signature, SignError> {
    check_scope(key, time, params)?;
    let datetime = time.to_iso8601_basic();
    req.headers.set("x-oss-date", datetime.clone());
    if !req.headers.contains("Date") {
        req.headers.append("Date", time.to_rfc1123());
    }
    req.headers
        .set_if_absent("x-oss-content-sha256", UNSIGNED_PAYLOAD);
    if let Some(token) = security_token {
        req.headers.set("x-oss-security-token", token);
    }
    req.headers.remove("Authorization");
    let view = req.view();
    let additional = effective_additional_headers(view.headers, &params.additional_headers);
    let canonical_request = canonical_request(&view, &additional, &[]);
    let string_to_sign = string_to_sign(&datetime, key.scope(), &canonical_request);
    let signature = key.sign(&string_to_sign);
    req.headers.set(
        "Authorization",
        authorization(access_key_id, key.scope(), &additional, &signature),
    );
    Ok(V4Signature {
        canonical_request,
        string_to_sign,
        signature,
        additional_headers: additional,
    })
}

/// Presigns: appends `x-oss-signature-version`, `x-oss-date`, `x-oss-expires` (seconds after `time`),
/// `x-oss-credential`, `x-oss-security-token` (STS) and `x-oss-additional-headers` (when any) to the
/// query, all signed, then `x-oss-signature`. Headers on `req` that V4 signs must be sent with the URL.
pub fn presign(
    req: &mut Request,
    creds: &Credentials,
    time: Timestamp,
    expires: u64,
    params: &V4Params,
) -> Result<V4Signature, SignError> {
    let key = derive_for(creds, time, params)?;
    presign_with_key(
        req,
        &creds.access_key_id,
        creds.security_token.as_deref(),
        &key,
        time,
        expires,
        params,
    )
}

/// [`presign`] with a cached key.
pub fn presign_with_key(
    req: &mut Request,
    access_key_id: &str,
    security_token: Option<&str>,
    key: &SigningKey,
    time: Timestamp,
    expires: u64,
    params: &V4Params,
) -> Result<V4Signature, SignError> {
    check_scope(key, time, params)?;
    if expires > MAX_PRESIGN_EXPIRES {
        return Err(SignError::ExpiresTooLong(expires));
    }
    let datetime = time.to_iso8601_basic();
    let additional =
        effective_additional_headers(req.headers.as_slice(), &params.additional_headers);
    req.push_query("x-oss-signature-version", Some(ALGORITHM.to_owned()));
    req.push_query("x-oss-date", Some(datetime.clone()));
    req.push_query("x-oss-expires", Some(expires.to_string()));
    req.push_query(
        "x-oss-credential",
        Some(format!("{access_key_id}/{}", key.scope())),
    );
    if let Some(token) = security_token {
        req.push_query("x-oss-security-token", Some(token.to_owned()));
    }
    if !additional.is_empty() {
        req.push_query("x-oss-additional-headers", Some(additional.join(";")));
    }
    let canonical_request = canonical_request(&req.view(), &additional, &[]);
    let string_to_sign = string_to_sign(&datetime, key.scope(), &canonical_request);
    let signature = key.sign(&string_to_sign);
    req.push_query("x-oss-signature", Some(signature.clone()));
    Ok(V4Signature {
        canonical_request,
        string_to_sign,
        signature,
        additional_headers: additional,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::request::{Method, Scheme};

    fn reference_request(content_type: &str, sha_header: bool) -> Request {
        let mut r = Request::new(
            Method::Put,
            Scheme::Http,
            "bucket.oss-cn-hangzhou.aliyuncs.com",
            Some("bucket"),
            Some("1234+-/123/1.txt"),
        );
        r.path = "/1234%2B-/123/1.txt".into();
        r.headers.set("x-oss-head1", "value");
        r.headers.set("abc", "value");
        r.headers.set("ZAbc", "value");
        r.headers.set("XYZ", "value");
        r.headers.set("content-type", content_type);
        if sha_header {
            r.headers.set("x-oss-content-sha256", "UNSIGNED-PAYLOAD");
        }
        for (k, v) in [
            ("param1", Some("value1")),
            ("+param1", Some("value3")),
            ("|param1", Some("value4")),
            ("+param2", None),
            ("|param2", None),
            ("param2", None),
        ] {
            r.push_query(k, v.map(str::to_owned));
        }
        r
    }

    const REF_CR: &str = "PUT\n/bucket/1234%2B-/123/1.txt\n%2Bparam1=value3&%2Bparam2&%7Cparam1=value4&%7Cparam2&param1=value1&param2\ncontent-type:text/plain\nx-oss-content-sha256:UNSIGNED-PAYLOAD\nx-oss-date:20231216T162057Z\nx-oss-head1:value\n\n\nUNSIGNED-PAYLOAD";
    const REF_SIG: &str = "e21d18daa82167720f9b1047ae7e7f1ce7cb77a31e8203a7d5f4624fa0284afe";

    fn ref_scope() -> Scope {
        Scope::new(Timestamp::from_unix(1_702_743_657), "cn-hangzhou", "oss")
    }

    #[test]
    fn reference_v4_header_canonical_uri_and_query() {
        let r = reference_request("text/plain", true);
        assert_eq!(
            canonical_uri(r.bucket.as_deref(), r.key.as_deref()),
            "/bucket/1234%2B-/123/1.txt"
        );
        assert_eq!(
            canonical_query(&r.query, &[]),
            "%2Bparam1=value3&%2Bparam2&%7Cparam1=value4&%7Cparam2&param1=value1&param2"
        );
    }

    #[test]
    fn reference_v4_header_canonical_request() {
        let mut r = reference_request("text/plain", true);
        r.headers.set("x-oss-date", "20231216T162057Z");
        assert_eq!(canonical_request(&r.view(), &[], &[]), REF_CR);
    }

    #[test]
    fn reference_v4_header_scope_and_string_to_sign() {
        assert_eq!(
            ref_scope().to_string(),
            "20231216/cn-hangzhou/oss/aliyun_v4_request"
        );
        let sts = string_to_sign("20231216T162057Z", &ref_scope(), REF_CR);
        let hash = hex_lower(digest::digest(&digest::SHA256, REF_CR.as_bytes()).as_ref());
        assert_eq!(
            sts,
            format!("OSS4-HMAC-SHA256\n20231216T162057Z\n20231216/cn-hangzhou/oss/aliyun_v4_request\n{hash}")
        );
    }

    #[test]
    fn reference_v4_header_signature() {
        let key = SigningKey::derive(&Secret::new("sk"), &ref_scope());
        let sts = string_to_sign("20231216T162057Z", &ref_scope(), REF_CR);
        assert_eq!(key.sign(&sts), REF_SIG);
    }

    #[test]
    fn reference_v4_header_authorization() {
        let mut r = reference_request("text/plain", true);
        let out = sign_request(
            &mut r,
            &Credentials::new("ak", "sk"),
            Timestamp::from_unix(1_702_743_657),
            &V4Params::new("cn-hangzhou"),
        )
        .unwrap();
        assert_eq!(out.canonical_request, REF_CR);
        assert_eq!(
            r.headers.get("Authorization"),
            Some(format!("OSS4-HMAC-SHA256 Credential=ak/20231216/cn-hangzhou/oss/aliyun_v4_request,Signature={REF_SIG}").as_str())
        );
        assert_eq!(r.headers.get("date"), Some("Sat, 16 Dec 2023 16:20:57 GMT"));
    }

    #[test]
    fn reference_v4_presign_query() {
        let mut r = reference_request("application/octet-stream", false);
        let out = presign(
            &mut r,
            &Credentials::new("ak", "sk"),
            Timestamp::from_unix(1_702_781_677),
            599,
            &V4Params::new("cn-hangzhou"),
        )
        .unwrap();
        assert_eq!(r.query_value("x-oss-date"), Some(Some("20231217T025437Z")));
        assert_eq!(r.query_value("x-oss-expires"), Some(Some("599")));
        assert_eq!(
            r.query_value("x-oss-credential"),
            Some(Some("ak/20231217/cn-hangzhou/oss/aliyun_v4_request"))
        );
        assert!(out
            .canonical_request
            .starts_with("PUT\n/bucket/1234%2B-/123/1.txt\n"));
        assert!(out.canonical_request.ends_with(
            "\ncontent-type:application/octet-stream\nx-oss-head1:value\n\n\nUNSIGNED-PAYLOAD"
        ));
        assert!(out.string_to_sign.starts_with(
            "OSS4-HMAC-SHA256\n20231217T025437Z\n20231217/cn-hangzhou/oss/aliyun_v4_request\n"
        ));
        assert_eq!(
            out.signature,
            "a39966c61718be0d5b14e668088b3fa07601033f6518ac7b523100014269c0fe"
        );
        assert_eq!(
            r.query_value("x-oss-signature"),
            Some(Some(
                "a39966c61718be0d5b14e668088b3fa07601033f6518ac7b523100014269c0fe"
            ))
        );
    }

    #[test]
    fn additional_headers_are_normalized() {
        let r = reference_request("text/plain", true);
        let eff = effective_additional_headers(
            r.headers.as_slice(),
            &[
                "ZAbc",
                "abc",
                "x-oss-head1",
                "Content-Type",
                "missing",
                "ABC",
                "",
            ],
        );
        assert_eq!(eff, vec!["abc".to_string(), "zabc".to_string()]);
        let mut r = reference_request("text/plain", true);
        let mut p = V4Params::new("cn-hangzhou");
        p.additional_headers = vec!["ZAbc".into(), "abc".into()];
        let out = sign_request(
            &mut r,
            &Credentials::new("ak", "sk"),
            Timestamp::from_unix(1_702_743_657),
            &p,
        )
        .unwrap();
        assert!(out
            .canonical_request
            .contains("\nabc:value\ncontent-type:text/plain\n"));
        assert!(out
            .canonical_request
            .contains("x-oss-head1:value\nzabc:value\n\nabc;zabc\nUNSIGNED-PAYLOAD"));
        let auth = r.headers.get("authorization").unwrap();
        assert!(auth.contains(",AdditionalHeaders=abc;zabc,Signature="));
    }

    #[test]
    fn errors() {
        let mut r = reference_request("text/plain", true);
        let c = Credentials::new("ak", "sk");
        let t = Timestamp::from_unix(1_702_743_657);
        assert_eq!(
            sign_request(&mut r, &c, t, &V4Params::new("")),
            Err(SignError::MissingRegion)
        );
        assert_eq!(
            presign(&mut r, &c, t, 604_801, &V4Params::new("cn-hangzhou")),
            Err(SignError::ExpiresTooLong(604_801))
        );
        let key = SigningKey::derive(&c.secret, &ref_scope());
        assert_eq!(
            sign_request_with_key(
                &mut r,
                "ak",
                None,
                &key,
                t.add_seconds(86_400),
                &V4Params::new("cn-hangzhou")
            ),
            Err(SignError::SigningKeyScopeMismatch)
        );
        assert!(!format!("{key:?}").contains(&format!("{:?}", &key.key[..4])));
    }
}
