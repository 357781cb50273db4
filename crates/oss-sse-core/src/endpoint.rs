//! Endpoints: where requests go and how buckets are addressed. A URL or bare host, http or https, the
//! region derived from `oss-<region>[-internal].aliyuncs.com` (an explicit region wins), virtual-hosted
//! addressing by default, path style for IP addresses, `localhost` or on request, and CNAME.

use std::fmt;

use crate::encoding::uri_encode;
use crate::request::{Method, Request, Scheme};

/// How a bucket appears in the URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Addressing {
    /// `bucket.host/key`.
    VirtualHosted,
    /// `host/bucket/key`.
    PathStyle,
    /// The host is the bucket's own domain: `host/key`.
    Cname,
}

/// An endpoint that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EndpointError {
    /// Empty, or not `[scheme://]host[:port][/]`.
    #[error("invalid endpoint {0:?}")]
    Invalid(String),
    /// A scheme other than http or https.
    #[error("unsupported scheme {0:?} (use http or https)")]
    UnsupportedScheme(String),
}

/// A parsed endpoint with its addressing rules.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Endpoint {
    scheme: Scheme,
    host: String,
    port: Option<u16>,
    region: Option<String>,
    addressing: Addressing,
}

impl Endpoint {
    /// Parses `https://oss-cn-hangzhou.aliyuncs.com`, `oss-cn-hangzhou.aliyuncs.com` (https),
    /// `http://127.0.0.1:9000`, `http://[::1]:9000/`. The region is derived from the host when it can be.
    pub fn parse(s: &str) -> Result<Endpoint, EndpointError> {
        let invalid = || EndpointError::Invalid(s.chars().take(200).collect());
        let s = s.trim();
        let (scheme, rest) = match s.split_once("://") {
            Some((sch, rest)) => match sch.to_ascii_lowercase().as_str() {
                "http" => (Scheme::Http, rest),
                "https" => (Scheme::Https, rest),
                _ => return Err(EndpointError::UnsupportedScheme(sch.to_owned())),
            },
            None => (Scheme::Https, s),
        };
        let authority = rest.strip_suffix('/').unwrap_or(rest);
        if authority.is_empty() || authority.contains(['/', '?', '#', '@', ' ']) {
            return Err(invalid());
        }
        let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
            let (addr, after) = v6.split_once(']').ok_or_else(invalid)?;
            if addr.parse::<std::net::Ipv6Addr>().is_err() {
                return Err(invalid());
            }
            let port = match after {
                "" => None,
                p => {
                    Some(parse_port(p.strip_prefix(':').ok_or_else(invalid)?).ok_or_else(invalid)?)
                }
            };
            (format!("[{addr}]"), port)
        } else {
            let (h, port) = match authority.rsplit_once(':') {
                Some((h, p)) => (h, Some(parse_port(p).ok_or_else(invalid)?)),
                None => (authority, None),
            };
            // A colon outside brackets would be an unbracketed IPv6 address or a second port.
            if h.contains([':', '[', ']']) {
                return Err(invalid());
            }
            (h.to_owned(), port)
        };
        let host = host.to_ascii_lowercase();
        if host.is_empty()
            || !host.bytes().all(|b| {
                b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'[' | b']' | b':')
            })
        {
            return Err(invalid());
        }
        let addressing = if is_ip_or_localhost(&host) {
            Addressing::PathStyle
        } else {
            Addressing::VirtualHosted
        };
        Ok(Endpoint {
            region: region_from_host(&host),
            scheme,
            host,
            port,
            addressing,
        })
    }

    /// Sets the signing region (overrides the derived one).
    pub fn with_region(mut self, region: impl Into<String>) -> Endpoint {
        let r = region.into();
        self.region = if r.is_empty() { None } else { Some(r) };
        self
    }

    /// Forces path-style addressing (`true`), or restores the default for the host (`false`).
    pub fn with_path_style(mut self, path_style: bool) -> Endpoint {
        self.addressing = if path_style || is_ip_or_localhost(&self.host) {
            Addressing::PathStyle
        } else {
            Addressing::VirtualHosted
        };
        self
    }

    /// Treats the host as the bucket's CNAME (custom domain).
    pub fn with_cname(mut self) -> Endpoint {
        self.addressing = Addressing::Cname;
        self
    }

    /// http or https.
    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// The host (lower-cased; IPv6 in brackets).
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The port, when given.
    pub fn port(&self) -> Option<u16> {
        self.port
    }

    /// The signing region: explicit, else derived from the host.
    pub fn region(&self) -> Option<&str> {
        self.region.as_deref()
    }

    /// The addressing style.
    pub fn addressing(&self) -> Addressing {
        self.addressing
    }

    /// The host a request for `bucket` goes to.
    pub fn host_for(&self, bucket: Option<&str>) -> String {
        match (self.addressing, bucket) {
            (Addressing::VirtualHosted, Some(b)) => format!("{b}.{}", self.host),
            _ => self.host.clone(),
        }
    }

    /// The encoded path of a request for `bucket` / `key`.
    pub fn path_for(&self, bucket: Option<&str>, key: Option<&str>) -> String {
        let key_path = key.map(|k| uri_encode(k, true)).unwrap_or_default();
        match (self.addressing, bucket) {
            (Addressing::PathStyle, Some(b)) => format!("/{b}/{key_path}"),
            _ => format!("/{key_path}"),
        }
    }

    /// A request with no query, headers or body, addressed for this endpoint.
    pub fn request(&self, method: Method, bucket: Option<&str>, key: Option<&str>) -> Request {
        Request {
            method,
            scheme: self.scheme,
            host: self.host_for(bucket),
            port: self.port,
            path: self.path_for(bucket, key),
            bucket: bucket.map(str::to_owned),
            key: key.map(str::to_owned),
            query: Vec::new(),
            headers: Default::default(),
            body: Default::default(),
        }
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}://{}", self.scheme.as_str(), self.host)?;
        if let Some(p) = self.port {
            write!(f, ":{p}")?;
        }
        Ok(())
    }
}

fn parse_port(p: &str) -> Option<u16> {
    if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    p.parse().ok().filter(|p| *p != 0)
}

/// Whether `host` is an IP address or `localhost` (addressed path-style).
pub fn is_ip_or_localhost(host: &str) -> bool {
    host == "localhost"
        || host.ends_with(".localhost")
        || host.parse::<std::net::Ipv4Addr>().is_ok()
        || host
            .strip_prefix('[')
            .and_then(|h| h.strip_suffix(']'))
            .is_some_and(|h| h.parse::<std::net::Ipv6Addr>().is_ok())
}

/// The region of `oss-<region>.aliyuncs.com` / `oss-<region>-internal.aliyuncs.com`.
pub fn region_from_host(host: &str) -> Option<String> {
    let label = host.strip_suffix(".aliyuncs.com")?;
    // Only the label right before aliyuncs.com names the endpoint (a bucket may precede it).
    let label = label.rsplit('.').next()?;
    let region = label.strip_prefix("oss-")?;
    let region = region.strip_suffix("-internal").unwrap_or(region);
    if region.is_empty() || region.starts_with("accelerate") {
        return None;
    }
    Some(region.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_derives_region() {
        let e = Endpoint::parse("https://oss-cn-hangzhou.aliyuncs.com").unwrap();
        assert_eq!(e.region(), Some("cn-hangzhou"));
        assert_eq!(e.addressing(), Addressing::VirtualHosted);
        assert_eq!(e.host_for(Some("b")), "b.oss-cn-hangzhou.aliyuncs.com");
        assert_eq!(e.path_for(Some("b"), Some("a b/c")), "/a%20b/c");
        let e = Endpoint::parse("oss-ap-southeast-1-internal.aliyuncs.com").unwrap();
        assert_eq!(e.scheme(), Scheme::Https);
        assert_eq!(e.region(), Some("ap-southeast-1"));
        assert_eq!(
            e.clone().with_region("cn-beijing").region(),
            Some("cn-beijing")
        );
        assert_eq!(
            Endpoint::parse("oss-accelerate.aliyuncs.com")
                .unwrap()
                .region(),
            None
        );
    }

    #[test]
    fn path_style_for_ips_and_localhost() {
        let e = Endpoint::parse("http://127.0.0.1:9000/").unwrap();
        assert_eq!(e.addressing(), Addressing::PathStyle);
        assert_eq!(e.region(), None);
        let r = e.request(Method::Get, Some("b"), None);
        assert_eq!(r.url(), "http://127.0.0.1:9000/b/");
        let e = Endpoint::parse("http://[::1]:9000").unwrap();
        assert_eq!(
            e.request(Method::Get, Some("b"), Some("k")).url(),
            "http://[::1]:9000/b/k"
        );
        let e = Endpoint::parse("http://LocalHost:80").unwrap();
        assert_eq!(
            e.request(Method::Get, Some("b"), Some("k")).url(),
            "http://localhost/b/k"
        );
        let e = Endpoint::parse("example.com")
            .unwrap()
            .with_path_style(true);
        assert_eq!(
            e.request(Method::Get, Some("b"), Some("k")).url(),
            "https://example.com/b/k"
        );
        let e = Endpoint::parse("img.example.com").unwrap().with_cname();
        let r = e.request(Method::Get, Some("b"), Some("k"));
        assert_eq!(r.url(), "https://img.example.com/k");
        assert_eq!(r.bucket.as_deref(), Some("b"));
        assert_eq!(
            e.request(Method::Get, None, None).url(),
            "https://img.example.com/"
        );
    }

    #[test]
    fn rejects_bad_endpoints() {
        for bad in [
            "",
            "http://",
            "ftp://x",
            "http://a/b",
            "http://a:0",
            "http://a:99999",
            "http://a:x",
            "a b",
            "http://[zz]:1",
            "http://u@h",
        ] {
            assert!(Endpoint::parse(bad).is_err(), "{bad}");
        }
    }
}
