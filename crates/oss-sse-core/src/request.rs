//! The transport-neutral request: what a client sends and what a signer signs, with no opinion about
//! how the bytes travel. [`RequestView`] is the borrowed shape both the signer and the verifier
//! canonicalize, so a server can build one straight from what it received.

use std::fmt;

use crate::encoding::{format_query, uri_encode};

/// HTTP methods OSS uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    /// GET
    Get,
    /// PUT
    Put,
    /// POST
    Post,
    /// DELETE
    Delete,
    /// HEAD
    Head,
    /// OPTIONS
    Options,
}

impl Method {
    /// The upper-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Put => "PUT",
            Method::Post => "POST",
            Method::Delete => "DELETE",
            Method::Head => "HEAD",
            Method::Options => "OPTIONS",
        }
    }

    /// Parses a method name (case-insensitive).
    pub fn parse(s: &str) -> Option<Method> {
        [
            Method::Get,
            Method::Put,
            Method::Post,
            Method::Delete,
            Method::Head,
            Method::Options,
        ]
        .into_iter()
        .find(|m| m.as_str().eq_ignore_ascii_case(s))
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `http` or `https`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Scheme {
    /// Plain HTTP.
    Http,
    /// HTTPS (the default).
    #[default]
    Https,
}

impl Scheme {
    /// `http` or `https`.
    pub fn as_str(self) -> &'static str {
        match self {
            Scheme::Http => "http",
            Scheme::Https => "https",
        }
    }

    /// The port a URL may omit.
    pub fn default_port(self) -> u16 {
        match self {
            Scheme::Http => 80,
            Scheme::Https => 443,
        }
    }
}

/// Request or response headers: an ordered list of `(name, value)` with case-insensitive lookup.
/// Names keep the case they were given; repeated names are allowed (signing joins them with `,`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Headers(Vec<(String, String)>);

impl Headers {
    /// No headers.
    pub fn new() -> Headers {
        Headers(Vec::new())
    }

    /// The first value of `name` (case-insensitive).
    pub fn get(&self, name: &str) -> Option<&str> {
        header_value(&self.0, name)
    }

    /// Whether `name` is present.
    pub fn contains(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// Replaces every value of `name` with `value`.
    pub fn set(&mut self, name: impl Into<String>, value: impl Into<String>) {
        let name = name.into();
        self.remove(&name);
        self.0.push((name, value.into()));
    }

    /// Sets `name` only when it is absent.
    pub fn set_if_absent(&mut self, name: impl Into<String>, value: impl Into<String>) {
        let name = name.into();
        if !self.contains(&name) {
            self.0.push((name, value.into()));
        }
    }

    /// Appends a value, keeping existing ones.
    pub fn append(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.0.push((name.into(), value.into()));
    }

    /// Removes every value of `name`.
    pub fn remove(&mut self, name: &str) {
        self.0.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
    }

    /// The headers in order.
    pub fn as_slice(&self) -> &[(String, String)] {
        &self.0
    }

    /// Iterates `(name, value)` in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(n, v)| (n.as_str(), v.as_str()))
    }

    /// Number of header lines.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl From<Vec<(String, String)>> for Headers {
    fn from(v: Vec<(String, String)>) -> Headers {
        Headers(v)
    }
}

impl FromIterator<(String, String)> for Headers {
    fn from_iter<T: IntoIterator<Item = (String, String)>>(iter: T) -> Headers {
        Headers(iter.into_iter().collect())
    }
}

/// The first value of `name` in a header slice (case-insensitive).
pub fn header_value<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// A request body: bytes in memory, or a length whose bytes the transport streams from elsewhere.
#[derive(Clone, PartialEq, Eq, Default)]
pub enum Body {
    /// No body.
    #[default]
    Empty,
    /// The whole body.
    Bytes(Vec<u8>),
    /// The transport supplies this many bytes (a file, a reader).
    Streamed {
        /// Content-Length of the streamed body.
        length: u64,
    },
}

impl Body {
    /// The body length.
    pub fn len(&self) -> u64 {
        match self {
            Body::Empty => 0,
            Body::Bytes(b) => b.len() as u64,
            Body::Streamed { length } => *length,
        }
    }

    /// Whether the body is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The in-memory bytes, if any.
    pub fn bytes(&self) -> Option<&[u8]> {
        match self {
            Body::Bytes(b) => Some(b),
            _ => None,
        }
    }
}

impl fmt::Debug for Body {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Body::Empty => f.write_str("Empty"),
            Body::Bytes(b) => write!(f, "Bytes({} bytes)", b.len()),
            Body::Streamed { length } => write!(f, "Streamed({length} bytes)"),
        }
    }
}

/// A complete request ready to sign and send.
///
/// `bucket` and `key` are what the signature covers (OSS signs `/bucket/key` whatever the addressing
/// style); `host` and `path` are where the request goes. `path` is already URI-encoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// The method.
    pub method: Method,
    /// `http` or `https`.
    pub scheme: Scheme,
    /// The host to connect to and send as `Host` (for virtual-hosted style, `bucket.endpoint`).
    pub host: String,
    /// A non-default port.
    pub port: Option<u16>,
    /// The encoded request path (`/key` virtual-hosted, `/bucket/key` path style).
    pub path: String,
    /// The bucket, if the request targets one.
    pub bucket: Option<String>,
    /// The object key (decoded), if the request targets an object.
    pub key: Option<String>,
    /// Query parameters, decoded, in order; `None` for a bare key such as `?encryption`.
    pub query: Vec<(String, Option<String>)>,
    /// Headers.
    pub headers: Headers,
    /// The body.
    pub body: Body,
}

impl Request {
    /// A request with no query, headers or body. `path` is derived path-style from bucket and key;
    /// [`crate::endpoint::Endpoint`] builds requests with the proper addressing instead.
    pub fn new(
        method: Method,
        scheme: Scheme,
        host: impl Into<String>,
        bucket: Option<&str>,
        key: Option<&str>,
    ) -> Request {
        Request {
            method,
            scheme,
            host: host.into(),
            port: None,
            path: canonical_path(bucket, key, true),
            bucket: bucket.map(str::to_owned),
            key: key.map(str::to_owned),
            query: Vec::new(),
            headers: Headers::new(),
            body: Body::Empty,
        }
    }

    /// The borrowed view the signer canonicalizes.
    pub fn view(&self) -> RequestView<'_> {
        RequestView {
            method: self.method.as_str(),
            bucket: self.bucket.as_deref(),
            key: self.key.as_deref(),
            query: &self.query,
            headers: self.headers.as_slice(),
        }
    }

    /// Adds a query parameter.
    pub fn push_query(&mut self, key: impl Into<String>, value: Option<String>) {
        self.query.push((key.into(), value));
    }

    /// The first value of query parameter `key` (`Some(None)` for a bare key).
    pub fn query_value(&self, key: &str) -> Option<Option<&str>> {
        self.query
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_deref())
    }

    /// `host[:port]` as sent in the `Host` header.
    pub fn authority(&self) -> String {
        match self.port {
            Some(p) if p != self.scheme.default_port() => format!("{}:{p}", self.host),
            _ => self.host.clone(),
        }
    }

    /// The path and query as sent on the request line.
    pub fn path_and_query(&self) -> String {
        if self.query.is_empty() {
            self.path.clone()
        } else {
            format!("{}?{}", self.path, format_query(&self.query))
        }
    }

    /// The full URL (a presigned URL once presigned).
    pub fn url(&self) -> String {
        format!(
            "{}://{}{}",
            self.scheme.as_str(),
            self.authority(),
            self.path_and_query()
        )
    }
}

/// `/bucket/key` (or `/bucket/`, or `/`), URI-encoded with `/` kept when `encode` is set.
pub fn canonical_path(bucket: Option<&str>, key: Option<&str>, encode: bool) -> String {
    let mut p = String::from("/");
    if let Some(b) = bucket {
        p.push_str(b);
        p.push('/');
        if let Some(k) = key {
            if encode {
                p.push_str(&uri_encode(k, true));
            } else {
                p.push_str(k);
            }
        }
    }
    p
}

/// What a signer signs and a verifier recomputes: method, bucket and key (decoded), the decoded query
/// pairs in received order, and the headers (any case, possibly repeated).
#[derive(Debug, Clone, Copy)]
pub struct RequestView<'a> {
    /// The method name as received (compared as-is, upper-case by convention).
    pub method: &'a str,
    /// The bucket, if any.
    pub bucket: Option<&'a str>,
    /// The object key, decoded, if any.
    pub key: Option<&'a str>,
    /// Decoded query pairs; `None` for a key without `=`.
    pub query: &'a [(String, Option<String>)],
    /// Headers.
    pub headers: &'a [(String, String)],
}

impl<'a> RequestView<'a> {
    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&'a str> {
        header_value(self.headers, name)
    }

    /// The value of query parameter `key` (first occurrence; `Some(None)` for a bare key).
    pub fn query_value(&self, key: &str) -> Option<Option<&'a str>> {
        self.query
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_deref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_are_case_insensitive() {
        let mut h = Headers::new();
        h.set("Content-Type", "a");
        h.set("content-type", "b");
        assert_eq!(h.len(), 1);
        assert_eq!(h.get("CONTENT-TYPE"), Some("b"));
        h.set_if_absent("Content-type", "c");
        assert_eq!(h.get("content-type"), Some("b"));
        h.append("x-a", "1");
        h.append("X-A", "2");
        assert_eq!(h.len(), 3);
        h.remove("x-A");
        assert_eq!(h.len(), 1);
    }

    #[test]
    fn url_and_paths() {
        let mut r = Request::new(
            Method::Get,
            Scheme::Http,
            "127.0.0.1",
            Some("b"),
            Some("a b/c+"),
        );
        r.port = Some(8080);
        r.push_query("encryption", None);
        r.push_query("x", Some("1 2".into()));
        assert_eq!(
            r.url(),
            "http://127.0.0.1:8080/b/a%20b/c%2B?encryption&x=1%202"
        );
        assert_eq!(canonical_path(None, None, true), "/");
        assert_eq!(canonical_path(Some("b"), None, true), "/b/");
        assert_eq!(Method::parse("delete"), Some(Method::Delete));
        assert_eq!(Method::parse("BREW"), None);
    }
}
