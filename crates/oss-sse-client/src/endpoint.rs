//! Where a request goes: the endpoint URL parsed once (scheme, host, port), the V4 region derived from
//! `oss-<region>[-internal].aliyuncs.com`, and per request the addressing style: virtual-hosted
//! (`bucket.host/key`) by default, path style (`host/bucket/key`) for IP addresses, `localhost` or when
//! asked, CNAME (`host/key`, the host is the bucket). Bucket names and keys are validated here, before
//! anything is sent, as the C++ SDK does (`ValidateError`).

use std::net::IpAddr;

use oss_sse_core::encoding::uri_encode;
use oss_sse_core::request::{Method, Request, Scheme};

/// A parsed endpoint and its addressing settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    scheme: Scheme,
    host: String,
    port: Option<u16>,
    path_style: bool,
    cname: bool,
}

/// Why an endpoint, bucket name or key is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EndpointError {
    /// The endpoint is not `[scheme://]host[:port][/]`.
    #[error("bad endpoint {0:?}")]
    BadEndpoint(String),
    /// The bucket name breaks OSS's rules.
    #[error("invalid bucket name {0:?}: 3-63 characters of a-z, 0-9 and '-', not starting or ending with '-'")]
    BadBucket(String),
    /// The key is empty, longer than 1023 bytes, or holds a NUL.
    #[error("invalid object key: {0}")]
    BadKey(&'static str),
}

/// Whether `name` is a valid OSS bucket name.
pub fn is_valid_bucket_name(name: &str) -> bool {
    let b = name.as_bytes();
    (3..=63).contains(&b.len())
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
        && b[0] != b'-'
        && b[b.len() - 1] != b'-'
}

/// Checks an object key: 1 to 1023 bytes of UTF-8, no NUL.
pub fn check_key(key: &str) -> Result<(), EndpointError> {
    if key.is_empty() {
        return Err(EndpointError::BadKey("empty"));
    }
    if key.len() > 1023 {
        return Err(EndpointError::BadKey("longer than 1023 bytes"));
    }
    if key.contains('\0') {
        return Err(EndpointError::BadKey("contains NUL"));
    }
    Ok(())
}

impl Endpoint {
    /// Parses `https://oss-cn-hangzhou.aliyuncs.com`, `http://127.0.0.1:9000`, or a bare host (https).
    pub fn parse(s: &str) -> Result<Endpoint, EndpointError> {
        let bad = || EndpointError::BadEndpoint(s.to_string());
        let s_trim = s.trim();
        let (scheme, rest) = if let Some(r) = s_trim.strip_prefix("https://") {
            (Scheme::Https, r)
        } else if let Some(r) = s_trim.strip_prefix("http://") {
            (Scheme::Http, r)
        } else if s_trim.contains("://") {
            return Err(bad());
        } else {
            (Scheme::Https, s_trim)
        };
        let authority = rest.trim_end_matches('/');
        if authority.is_empty() || authority.contains(['/', '?', '#', '@', ' ']) {
            return Err(bad());
        }
        let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
            let (h, tail) = v6.split_once(']').ok_or_else(bad)?;
            let port = match tail.strip_prefix(':') {
                Some(p) => Some(p.parse::<u16>().map_err(|_| bad())?),
                None if tail.is_empty() => None,
                None => return Err(bad()),
            };
            (format!("[{h}]"), port)
        } else {
            match authority.rsplit_once(':') {
                Some((h, p)) => (h.to_string(), Some(p.parse::<u16>().map_err(|_| bad())?)),
                None => (authority.to_string(), None),
            }
        };
        if host.is_empty() {
            return Err(bad());
        }
        Ok(Endpoint {
            scheme,
            host: host.to_ascii_lowercase(),
            port,
            path_style: false,
            cname: false,
        })
    }

    /// Forces path-style addressing.
    pub fn with_path_style(mut self, on: bool) -> Endpoint {
        self.path_style = on;
        self
    }

    /// Marks the endpoint as a CNAME bound to the bucket.
    pub fn with_cname(mut self, on: bool) -> Endpoint {
        self.cname = on;
        self
    }

    /// The host.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The scheme.
    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// The region of an `oss-<region>[-internal].aliyuncs.com` host.
    pub fn region(&self) -> Option<&str> {
        let first = self
            .host
            .strip_suffix(".aliyuncs.com")?
            .rsplit('.')
            .next()?;
        let region = first.strip_prefix("oss-")?;
        let region = region.strip_suffix("-internal").unwrap_or(region);
        (!region.is_empty()).then_some(region)
    }

    fn is_ip_or_local(&self) -> bool {
        let bare = self.host.trim_start_matches('[').trim_end_matches(']');
        bare.parse::<IpAddr>().is_ok() || bare == "localhost"
    }

    /// Whether buckets go in the path.
    pub fn uses_path_style(&self) -> bool {
        !self.cname && (self.path_style || self.is_ip_or_local())
    }

    /// A request for `bucket`/`key` with the right host and path; names are validated first.
    pub fn request(
        &self,
        method: Method,
        bucket: Option<&str>,
        key: Option<&str>,
    ) -> Result<Request, EndpointError> {
        if let Some(b) = bucket {
            if !is_valid_bucket_name(b) {
                return Err(EndpointError::BadBucket(b.to_string()));
            }
        }
        if let Some(k) = key {
            check_key(k)?;
        }
        let mut req = Request::new(method, self.scheme, self.host.clone(), bucket, key);
        req.port = self.port;
        let encoded_key = key.map(|k| uri_encode(k, true)).unwrap_or_default();
        match bucket {
            None => req.path = "/".into(),
            Some(_) if self.cname => req.path = format!("/{encoded_key}"),
            Some(b) if self.uses_path_style() => req.path = format!("/{b}/{encoded_key}"),
            Some(b) => {
                req.host = format!("{b}.{}", self.host);
                req.path = format!("/{encoded_key}");
            }
        }
        Ok(req)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_derives_region() {
        let e = Endpoint::parse("https://oss-cn-hangzhou.aliyuncs.com").unwrap();
        assert_eq!(e.region(), Some("cn-hangzhou"));
        assert!(!e.uses_path_style());
        let e = Endpoint::parse("oss-cn-shanghai-internal.aliyuncs.com/").unwrap();
        assert_eq!(
            (e.scheme(), e.region()),
            (Scheme::Https, Some("cn-shanghai"))
        );
        let e = Endpoint::parse("http://127.0.0.1:9000").unwrap();
        assert_eq!(e.region(), None);
        assert!(e.uses_path_style());
        assert!(Endpoint::parse("ftp://x").is_err());
        assert!(Endpoint::parse("http://h:notaport").is_err());
        assert!(Endpoint::parse("http://").is_err());
    }

    #[test]
    fn addressing_styles() {
        let e = Endpoint::parse("https://oss-cn-hangzhou.aliyuncs.com").unwrap();
        let r = e
            .request(Method::Get, Some("bucket"), Some("a b/c"))
            .unwrap();
        assert_eq!(
            r.url(),
            "https://bucket.oss-cn-hangzhou.aliyuncs.com/a%20b/c"
        );
        let p = e
            .clone()
            .with_path_style(true)
            .request(Method::Get, Some("bucket"), Some("k"))
            .unwrap();
        assert_eq!(p.url(), "https://oss-cn-hangzhou.aliyuncs.com/bucket/k");
        let c = Endpoint::parse("https://img.example.com")
            .unwrap()
            .with_cname(true);
        let r = c.request(Method::Get, Some("bucket"), Some("k")).unwrap();
        assert_eq!(r.url(), "https://img.example.com/k");
        assert_eq!(r.bucket.as_deref(), Some("bucket"));
        let l = Endpoint::parse("http://127.0.0.1:9000").unwrap();
        assert_eq!(
            l.request(Method::Get, Some("bkt"), None).unwrap().url(),
            "http://127.0.0.1:9000/bkt/"
        );
        assert_eq!(
            l.request(Method::Get, None, None).unwrap().url(),
            "http://127.0.0.1:9000/"
        );
    }

    #[test]
    fn validates_names() {
        let e = Endpoint::parse("http://127.0.0.1:1").unwrap();
        for bad in ["ab", "-abc", "abc-", "ABC", "a_b", &"a".repeat(64)] {
            assert!(e.request(Method::Get, Some(bad), None).is_err(), "{bad}");
        }
        assert!(e.request(Method::Get, Some("abc"), Some("")).is_err());
        assert!(e
            .request(Method::Get, Some("abc"), Some(&"k".repeat(1024)))
            .is_err());
        assert!(e
            .request(Method::Get, Some("abc"), Some(&"k".repeat(1023)))
            .is_ok());
    }
}
