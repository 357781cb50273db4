//! Signature V1: `Authorization: OSS <AccessKeyId>:<base64(HMAC-SHA1(secret, StringToSign))>` and the
//! presigned URL with `OSSAccessKeyId` / `Expires` / `Signature` (REFERENCE.md section 4).

use ring::hmac;

use super::{canonical_header_lines, starts_with_ignore_case};
use crate::credentials::{Credentials, Secret};
use crate::encoding::base64_encode;
use crate::request::{Request, RequestView};
use crate::time::Timestamp;

/// The sub-resources V1 signs: the list the official oss2 SDK signs (a server must use the same set or
/// real clients fail). Kept sorted so membership is a binary search.
pub const SIGNED_SUBRESOURCES: &[&str] = &{
    let mut list = SUBRESOURCES_UNSORTED;
    // Sorting in a const context: a simple insertion sort over byte strings.
    let mut i = 1;
    while i < list.len() {
        let mut j = i;
        while j > 0 && str_lt(list[j], list[j - 1]) {
            let t = list[j];
            list[j] = list[j - 1];
            list[j - 1] = t;
            j -= 1;
        }
        i += 1;
    }
    list
};

const SUBRESOURCES_UNSORTED: [&str; 86] = [
    "response-content-type",
    "response-content-language",
    "response-cache-control",
    "logging",
    "response-content-encoding",
    "acl",
    "uploadId",
    "uploads",
    "partNumber",
    "group",
    "link",
    "delete",
    "website",
    "location",
    "objectInfo",
    "objectMeta",
    "response-expires",
    "response-content-disposition",
    "cors",
    "lifecycle",
    "restore",
    "qos",
    "referer",
    "stat",
    "bucketInfo",
    "append",
    "position",
    "security-token",
    "live",
    "comp",
    "status",
    "vod",
    "startTime",
    "endTime",
    "x-oss-process",
    "symlink",
    "callback",
    "callback-var",
    "tagging",
    "encryption",
    "versions",
    "versioning",
    "versionId",
    "policy",
    "requestPayment",
    "x-oss-traffic-limit",
    "qosInfo",
    "asyncFetch",
    "x-oss-request-payer",
    "sequential",
    "inventory",
    "inventoryId",
    "continuation-token",
    "worm",
    "wormId",
    "wormExtend",
    "replication",
    "replicationLocation",
    "replicationProgress",
    "transferAcceleration",
    "cname",
    "metaQuery",
    "x-oss-ac-source-ip",
    "x-oss-ac-subnet-mask",
    "x-oss-ac-vpc-id",
    "x-oss-ac-forward-allow",
    "resourceGroup",
    "style",
    "styleName",
    "x-oss-async-process",
    "regionList",
    "x-oss-write-get-object-response",
    "bucketArchiveDirectRead",
    "httpsConfig",
    "redundancyTransition",
    "x-oss-target-redundancy-type",
    "x-oss-redundancy-transition-taskid",
    "accessPoint",
    "accessPointPolicy",
    "publicAccessBlock",
    "x-oss-access-point-name",
    "requesterQosInfo",
    "qosRequester",
    "resourcePoolInfo",
    "resourcePool",
    "resourcePoolBuckets",
];

const fn str_lt(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let mut i = 0;
    while i < a.len() && i < b.len() {
        if a[i] != b[i] {
            return a[i] < b[i];
        }
        i += 1;
    }
    a.len() < b.len()
}

/// Which query keys V1 signs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SubresourcePolicy {
    /// Exactly [`SIGNED_SUBRESOURCES`] (oss2 and the V2 Python SDK).
    #[default]
    Oss2,
    /// [`SIGNED_SUBRESOURCES`] plus any key starting with `x-oss-` (the newer Go SDK).
    WithXOssQuery,
}

impl SubresourcePolicy {
    /// Whether query key `k` is signed.
    pub fn is_signed(self, k: &str) -> bool {
        SIGNED_SUBRESOURCES.binary_search(&k).is_ok()
            || (self == SubresourcePolicy::WithXOssQuery && k.starts_with("x-oss-"))
    }
}

/// The stages and result of a V1 signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct V1Signature {
    /// The exact string that was HMAC'd.
    pub string_to_sign: String,
    /// base64 of the HMAC-SHA1.
    pub signature: String,
}

/// `/bucket/key` (or `/bucket/`, `/`), not URL-encoded, then the signed sub-resources sorted by key as
/// `k=v` or `k` (an empty value is written as a bare `k`, as oss2 does), joined by `&` after `?`.
pub fn canonicalized_resource(
    bucket: Option<&str>,
    key: Option<&str>,
    query: &[(String, Option<String>)],
    policy: SubresourcePolicy,
) -> String {
    let mut out = crate::request::canonical_path(bucket, key, false);
    let mut signed: Vec<(&str, Option<&str>)> = query
        .iter()
        .filter(|(k, _)| policy.is_signed(k))
        .map(|(k, v)| (k.as_str(), v.as_deref().filter(|v| !v.is_empty())))
        .collect();
    signed.sort();
    for (i, (k, v)) in signed.iter().enumerate() {
        out.push(if i == 0 { '?' } else { '&' });
        out.push_str(k);
        if let Some(v) = v {
            out.push('=');
            out.push_str(v);
        }
    }
    out
}

/// Every `x-oss-*` header, lower-cased and sorted, as `name:value\n`.
pub fn canonicalized_oss_headers(headers: &[(String, String)]) -> String {
    let mut out = String::new();
    canonical_header_lines(&mut out, headers, |n| starts_with_ignore_case(n, "x-oss-"));
    out
}

/// The value for the Date slot in header mode: `x-oss-date` when present (as oss2 and the V2 Python SDK
/// do), else `Date`, else empty.
pub fn header_date_slot<'a>(view: &RequestView<'a>) -> &'a str {
    view.header("x-oss-date")
        .or_else(|| view.header("date"))
        .unwrap_or("")
}

/// `VERB\nContent-MD5\nContent-Type\nDate\n` + CanonicalizedOSSHeaders + CanonicalizedResource, with
/// `date_slot` supplied by the caller ([`header_date_slot`], or the `Expires` seconds when presigning).
pub fn string_to_sign(
    view: &RequestView<'_>,
    date_slot: &str,
    policy: SubresourcePolicy,
) -> String {
    let mut s = String::with_capacity(256);
    s.push_str(view.method);
    s.push('\n');
    s.push_str(view.header("content-md5").unwrap_or(""));
    s.push('\n');
    s.push_str(view.header("content-type").unwrap_or(""));
    s.push('\n');
    s.push_str(date_slot);
    s.push('\n');
    canonical_header_lines(&mut s, view.headers, |n| {
        starts_with_ignore_case(n, "x-oss-")
    });
    s.push_str(&canonicalized_resource(
        view.bucket,
        view.key,
        view.query,
        policy,
    ));
    s
}

/// The raw HMAC-SHA1 of `string_to_sign`.
pub fn signature_bytes(secret: &Secret, string_to_sign: &str) -> hmac::Tag {
    let key = hmac::Key::new(
        hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY,
        secret.expose().as_bytes(),
    );
    hmac::sign(&key, string_to_sign.as_bytes())
}

/// base64(HMAC-SHA1(secret, string_to_sign)).
pub fn signature(secret: &Secret, string_to_sign: &str) -> String {
    base64_encode(signature_bytes(secret, string_to_sign).as_ref())
}

/// `OSS <AccessKeyId>:<signature>`.
pub fn authorization(access_key_id: &str, signature: &str) -> String {
    let mut s = String::with_capacity(5 + access_key_id.len() + signature.len());
    s.push_str("OSS ");
    s.push_str(access_key_id);
    s.push(':');
    s.push_str(signature);
    s
}

/// Signs in header mode: sets `Date` to `time` unless a `Date` header is present, adds
/// `x-oss-security-token` for STS credentials, then sets `Authorization`.
pub fn sign_request(req: &mut Request, creds: &Credentials, time: Timestamp) -> V1Signature {
    if !req.headers.contains("Date") {
        req.headers.append("Date", time.to_rfc1123());
    }
    if let Some(token) = &creds.security_token {
        req.headers.set("x-oss-security-token", token.clone());
    }
    req.headers.remove("Authorization");
    let view = req.view();
    let sts = string_to_sign(&view, header_date_slot(&view), SubresourcePolicy::Oss2);
    let sig = signature(&creds.secret, &sts);
    req.headers
        .set("Authorization", authorization(&creds.access_key_id, &sig));
    V1Signature {
        string_to_sign: sts,
        signature: sig,
    }
}

/// Presigns: adds `security-token` (STS, a signed sub-resource), then `OSSAccessKeyId`, `Expires`
/// (absolute unix seconds, `expires_at`) and `Signature` to the query. Headers present on `req`
/// (Content-Type, Content-MD5, `x-oss-*`) are signed and must be sent with the URL.
pub fn presign(req: &mut Request, creds: &Credentials, expires_at: Timestamp) -> V1Signature {
    if let Some(token) = &creds.security_token {
        req.push_query("security-token", Some(token.clone()));
    }
    let expires = expires_at.unix().to_string();
    let sts = string_to_sign(&req.view(), &expires, SubresourcePolicy::Oss2);
    let sig = signature(&creds.secret, &sts);
    req.push_query("OSSAccessKeyId", Some(creds.access_key_id.clone()));
    req.push_query("Expires", Some(expires));
    req.push_query("Signature", Some(sig.clone()));
    V1Signature {
        string_to_sign: sts,
        signature: sig,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::request::{Method, Scheme};

    fn reference_header_request() -> Request {
        let mut r = Request::new(
            Method::Put,
            Scheme::Http,
            "examplebucket.oss-cn-hangzhou.aliyuncs.com",
            Some("examplebucket"),
            Some("nelson"),
        );
        let date = "Wed, 28 Dec 2022 10:27:41 GMT";
        r.headers.set("Content-MD5", "eB5eJF1ptWaXm4bijSPyxw==");
        r.headers.set("Content-Type", "text/html");
        r.headers.set("x-oss-meta-author", "alice");
        r.headers.set("x-oss-meta-magic", "abracadabra");
        r.headers.set("x-oss-date", date);
        r.headers.set("Date", date);
        r
    }

    const REF_STS: &str = "PUT\neB5eJF1ptWaXm4bijSPyxw==\ntext/html\nWed, 28 Dec 2022 10:27:41 GMT\nx-oss-date:Wed, 28 Dec 2022 10:27:41 GMT\nx-oss-meta-author:alice\nx-oss-meta-magic:abracadabra\n/examplebucket/nelson";

    #[test]
    fn subresource_list_is_sorted_and_complete() {
        assert!(SIGNED_SUBRESOURCES.windows(2).all(|w| w[0] <= w[1]));
        for k in [
            "encryption",
            "uploadId",
            "partNumber",
            "security-token",
            "bucketInfo",
            "resourcePoolBuckets",
        ] {
            assert!(SubresourcePolicy::Oss2.is_signed(k), "{k}");
        }
        assert!(!SubresourcePolicy::Oss2.is_signed("max-keys"));
        assert!(!SubresourcePolicy::Oss2.is_signed("x-oss-foo"));
        assert!(SubresourcePolicy::WithXOssQuery.is_signed("x-oss-foo"));
    }

    #[test]
    fn reference_v1_header_canonicalized_headers() {
        let r = reference_header_request();
        assert_eq!(
            canonicalized_oss_headers(r.headers.as_slice()),
            "x-oss-date:Wed, 28 Dec 2022 10:27:41 GMT\nx-oss-meta-author:alice\nx-oss-meta-magic:abracadabra\n"
        );
    }

    #[test]
    fn reference_v1_header_canonicalized_resource() {
        assert_eq!(
            canonicalized_resource(
                Some("examplebucket"),
                Some("nelson"),
                &[],
                SubresourcePolicy::Oss2
            ),
            "/examplebucket/nelson"
        );
    }

    #[test]
    fn reference_v1_header_string_to_sign() {
        let r = reference_header_request();
        let v = r.view();
        assert_eq!(
            string_to_sign(&v, header_date_slot(&v), SubresourcePolicy::Oss2),
            REF_STS
        );
    }

    #[test]
    fn reference_v1_header_signature() {
        assert_eq!(
            signature(&Secret::new("sk"), REF_STS),
            "kSHKmLxlyEAKtZPkJhG9bZb5k7M="
        );
    }

    #[test]
    fn reference_v1_header_authorization() {
        let mut r = reference_header_request();
        let out = sign_request(
            &mut r,
            &Credentials::new("ak", "sk"),
            Timestamp::from_unix(0),
        );
        assert_eq!(out.string_to_sign, REF_STS);
        assert_eq!(
            r.headers.get("authorization"),
            Some("OSS ak:kSHKmLxlyEAKtZPkJhG9bZb5k7M=")
        );
        // The given Date header wins over the signing time.
        assert_eq!(r.headers.get("date"), Some("Wed, 28 Dec 2022 10:27:41 GMT"));
    }

    fn reference_presign_request() -> Request {
        let mut r = Request::new(
            Method::Get,
            Scheme::Http,
            "bucket.oss-cn-hangzhou.aliyuncs.com",
            Some("bucket"),
            Some("key"),
        );
        r.path = "/key".into();
        r.push_query("versionId", Some("versionId".into()));
        r
    }

    #[test]
    fn reference_v1_presign_string_to_sign() {
        let r = reference_presign_request();
        assert_eq!(
            string_to_sign(&r.view(), "1699807420", SubresourcePolicy::Oss2),
            "GET\n\n\n1699807420\n/bucket/key?versionId=versionId"
        );
    }

    #[test]
    fn reference_v1_presign_signature() {
        assert_eq!(
            signature(
                &Secret::new("sk"),
                "GET\n\n\n1699807420\n/bucket/key?versionId=versionId"
            ),
            "dcLTea+Yh9ApirQ8o8dOPqtvJXQ="
        );
    }

    #[test]
    fn reference_v1_presign_url() {
        let mut r = reference_presign_request();
        presign(
            &mut r,
            &Credentials::new("ak", "sk"),
            Timestamp::from_unix(1_699_807_420),
        );
        assert_eq!(
            r.url(),
            "http://bucket.oss-cn-hangzhou.aliyuncs.com/key?versionId=versionId&OSSAccessKeyId=ak&Expires=1699807420&Signature=dcLTea%2BYh9ApirQ8o8dOPqtvJXQ%3D"
        );
    }

    #[test]
    fn resource_rules() {
        let q = vec![
            ("uploadId".to_string(), Some("u1".to_string())),
            ("max-keys".to_string(), Some("10".to_string())),
            ("acl".to_string(), None),
            ("partNumber".to_string(), Some(String::new())),
        ];
        assert_eq!(
            canonicalized_resource(Some("b"), Some("a b+%/c"), &q, SubresourcePolicy::Oss2),
            "/b/a b+%/c?acl&partNumber&uploadId=u1"
        );
        assert_eq!(
            canonicalized_resource(
                Some("b"),
                None,
                &[("encryption".into(), None)],
                SubresourcePolicy::Oss2
            ),
            "/b/?encryption"
        );
        assert_eq!(
            canonicalized_resource(None, None, &[], SubresourcePolicy::Oss2),
            "/"
        );
    }

    #[test]
    fn sts_token_in_header_and_presign() {
        let creds = Credentials::new("ak", "sk").with_security_token("tok");
        let mut r = Request::new(Method::Get, Scheme::Https, "h", Some("b"), Some("k"));
        let out = sign_request(&mut r, &creds, Timestamp::from_unix(1_700_000_000));
        assert!(out.string_to_sign.contains("x-oss-security-token:tok\n"));
        assert_eq!(r.headers.get("date"), Some("Tue, 14 Nov 2023 22:13:20 GMT"));
        let mut r = Request::new(Method::Get, Scheme::Https, "h", Some("b"), Some("k"));
        let out = presign(&mut r, &creds, Timestamp::from_unix(1_700_000_000));
        assert!(out.string_to_sign.ends_with("/b/k?security-token=tok"));
    }
}
