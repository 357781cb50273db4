//! The [`Client`] handle, its [`ClientBuilder`], and the one request loop every operation goes through:
//! credentials → sign (with the clock corrected for skew) → send → classify the answer → maybe retry.

use std::path::PathBuf;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use oss_sse_core::endpoint::Endpoint;
use oss_sse_core::request::Request;
use oss_sse_core::sign::v4::{Scope, SigningKey, V4Params};
use oss_sse_core::sign::{v1, v4, SignatureVersion};
use oss_sse_core::time::Timestamp;
use ureq::http;

use crate::credentials::{Credentials, CredentialsProvider, EnvProvider, StaticProvider};
use crate::error::{Error, Result, ServiceError};
use crate::retry::{is_idempotent_method, is_retryable_status, RetryPolicy};
use crate::transport::{Payload, Transport, TransportConfig};

/// The largest error document read into memory; OSS error bodies are a few hundred bytes.
const MAX_ERROR_BODY: u64 = 64 * 1024;

/// A blocking OSS client.
///
/// Cheap to clone (one `Arc`), `Send + Sync`: share one client between threads; connections are pooled.
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<Inner>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("endpoint", &self.inner.endpoint)
            .field("signature_version", &self.inner.signature_version)
            .field("region", &self.inner.region)
            .finish_non_exhaustive()
    }
}

pub(crate) struct Inner {
    pub(crate) endpoint: Endpoint,
    pub(crate) transport: Transport,
    pub(crate) credentials: Arc<dyn CredentialsProvider>,
    pub(crate) signature_version: SignatureVersion,
    pub(crate) region: Option<String>,
    pub(crate) retry: RetryPolicy,
    pub(crate) skew_adjustment: bool,
    pub(crate) crc64_check: bool,
    /// Seconds to add to the local clock, learnt from a RequestTimeTooSkewed answer.
    pub(crate) skew_seconds: AtomicI64,
    /// The last V4 signing key, reused while the day, region and secret stay the same.
    key_cache: Mutex<Option<(Credentials, SigningKey)>>,
}

/// Builds a [`Client`]. Every setting has a default; only the endpoint is required.
pub struct ClientBuilder {
    endpoint: String,
    credentials: Option<Arc<dyn CredentialsProvider>>,
    region: Option<String>,
    signature_version: SignatureVersion,
    path_style: bool,
    cname: bool,
    transport: TransportConfig,
    retry: RetryPolicy,
    skew_adjustment: bool,
    crc64_check: bool,
}

impl Client {
    /// Starts building a client for `endpoint`: a URL (`https://oss-cn-hangzhou.aliyuncs.com`,
    /// `http://127.0.0.1:9000`) or a bare host (https is assumed).
    pub fn builder(endpoint: impl Into<String>) -> ClientBuilder {
        ClientBuilder {
            endpoint: endpoint.into(),
            credentials: None,
            region: None,
            signature_version: SignatureVersion::V4,
            path_style: false,
            cname: false,
            transport: TransportConfig::default(),
            retry: RetryPolicy::default(),
            skew_adjustment: true,
            crc64_check: true,
        }
    }

    /// The V4 signing region in use (explicit, or derived from the endpoint).
    pub fn region(&self) -> Option<&str> {
        self.inner.region.as_deref()
    }

    /// The signature version in use.
    pub fn signature_version(&self) -> SignatureVersion {
        self.inner.signature_version
    }

    /// The clock correction currently applied to signatures, in seconds (server time − local time).
    pub fn clock_skew(&self) -> i64 {
        self.inner.skew_seconds.load(Ordering::Relaxed)
    }

    /// The endpoint requests are built against.
    pub fn endpoint(&self) -> &Endpoint {
        &self.inner.endpoint
    }
}

impl ClientBuilder {
    /// Sign with fixed credentials.
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = Some(Arc::new(StaticProvider::new(credentials)));
        self
    }

    /// Sign with credentials from a provider, consulted before every request (STS, rotation).
    pub fn credentials_provider(mut self, provider: impl CredentialsProvider + 'static) -> Self {
        self.credentials = Some(Arc::new(provider));
        self
    }

    /// Sign with credentials from a shared provider.
    pub fn credentials_provider_arc(mut self, provider: Arc<dyn CredentialsProvider>) -> Self {
        self.credentials = Some(provider);
        self
    }

    /// The V4 signing region; by default derived from an `oss-<region>[-internal].aliyuncs.com` endpoint.
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into()).filter(|r: &String| !r.is_empty());
        self
    }

    /// V4 (the default) or V1.
    pub fn signature_version(mut self, version: SignatureVersion) -> Self {
        self.signature_version = version;
        self
    }

    /// Address buckets path-style (`host/bucket/key`). IP and localhost endpoints always are.
    pub fn path_style(mut self, on: bool) -> Self {
        self.path_style = on;
        self
    }

    /// The endpoint is a CNAME bound to one bucket: requests go to it without a bucket in host or path.
    pub fn cname(mut self, on: bool) -> Self {
        self.cname = on;
        self
    }

    /// Longest wait to connect (default 5 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.transport.connect_timeout = Some(timeout);
        self
    }

    /// Longest wait for the response head and for any single read or write (default 30 s). A long
    /// transfer that keeps moving is not cut.
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.transport.request_timeout = Some(timeout);
        self
    }

    /// How to retry failed safe requests (default: 3 attempts, exponential backoff with jitter).
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Send through a proxy (`http://[user:pass@]host:port`, `socks5://...`).
    pub fn proxy(mut self, url: impl Into<String>) -> Self {
        self.transport.proxy = Some(url.into());
        self
    }

    /// Trust the CA certificates in this PEM file instead of the built-in Mozilla roots.
    pub fn ca_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.transport.ca_file = Some(path.into());
        self
    }

    /// Turn TLS certificate verification off. Anyone on the path can then read and change traffic: use
    /// only against a test endpoint with a self-signed certificate.
    pub fn danger_disable_tls_verification(mut self, disable: bool) -> Self {
        self.transport.insecure_skip_verify = disable;
        self
    }

    /// Replace the `User-Agent` (default `oss-sse/<version>`).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.transport.user_agent = user_agent.into();
        self
    }

    /// Correct the signing clock from the server's `Date` on RequestTimeTooSkewed and retry (default on,
    /// like the C++ SDK's `enableDateSkewAdjustment`).
    pub fn date_skew_adjustment(mut self, on: bool) -> Self {
        self.skew_adjustment = on;
        self
    }

    /// Check CRC64 of uploads and full downloads against the server's `x-oss-hash-crc64ecma` (default on).
    pub fn crc64_check(mut self, on: bool) -> Self {
        self.crc64_check = on;
        self
    }

    /// Idle connections kept per host (default 16).
    pub fn max_idle_connections(mut self, n: usize) -> Self {
        self.transport.max_idle_connections_per_host = n;
        self
    }

    /// Builds the client. Without credentials set, the environment provider is used.
    pub fn build(self) -> Result<Client> {
        let mut endpoint = Endpoint::parse(&self.endpoint)
            .map_err(|e| Error::Config(format!("endpoint {:?}: {e}", self.endpoint)))?
            .with_path_style(self.path_style);
        if self.cname {
            endpoint = endpoint.with_cname();
        }
        if let Some(r) = &self.region {
            endpoint = endpoint.with_region(r.clone());
        }
        let region = endpoint.region().map(str::to_owned);
        if self.signature_version == SignatureVersion::V4 && region.is_none() {
            return Err(Error::Config(format!(
                "V4 signing needs a region: endpoint {:?} names none, set one with .region()",
                self.endpoint
            )));
        }
        let transport = Transport::new(&self.transport)?;
        Ok(Client {
            inner: Arc::new(Inner {
                endpoint,
                transport,
                credentials: self
                    .credentials
                    .unwrap_or_else(|| Arc::new(EnvProvider::new())),
                signature_version: self.signature_version,
                region,
                retry: self.retry,
                skew_adjustment: self.skew_adjustment,
                crc64_check: self.crc64_check,
                skew_seconds: AtomicI64::new(0),
                key_cache: Mutex::new(None),
            }),
        })
    }
}

/// A response whose status was below 300, with its unread body.
pub(crate) struct Response {
    pub(crate) status: u16,
    /// Headers, names lower-cased, in received order.
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: ureq::Body,
}

impl Response {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        header(&self.headers, name)
    }

    pub(crate) fn request_id(&self) -> String {
        self.header("x-oss-request-id")
            .unwrap_or_default()
            .to_string()
    }

    /// Reads a (small, XML) body whole, bounded.
    pub(crate) fn read_body(mut self, limit: u64) -> Result<Vec<u8>> {
        self.body
            .with_config()
            .limit(limit)
            .read_to_vec()
            .map_err(|e| Error::Transport(format!("reading response body: {e}")))
    }
}

pub(crate) fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

fn split_response(resp: http::Response<ureq::Body>) -> (u16, Vec<(String, String)>, ureq::Body) {
    let (parts, body) = resp.into_parts();
    let headers = parts
        .headers
        .iter()
        .map(|(n, v)| {
            (
                n.as_str().to_ascii_lowercase(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    (parts.status.as_u16(), headers, body)
}

fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

impl Inner {
    /// The time to sign with: the local clock plus the learnt skew.
    pub(crate) fn now(&self) -> Timestamp {
        Timestamp::from_unix(unix_now().saturating_add(self.skew_seconds.load(Ordering::Relaxed)))
    }

    fn v4_params(&self) -> Result<V4Params> {
        let region = self
            .region
            .as_deref()
            .ok_or_else(|| Error::Config("V4 signing needs a region".into()))?;
        Ok(V4Params::new(region))
    }

    /// The V4 signing key for `time`, from the cache when the scope and secret are unchanged.
    fn signing_key(&self, creds: &Credentials, time: Timestamp, params: &V4Params) -> SigningKey {
        let scope = Scope::new(time, &params.region, &params.product);
        let mut cache = self.key_cache.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((c, key)) = cache.as_ref() {
            if key.scope() == &scope
                && c.access_key_id == creds.access_key_id
                && c.secret.ct_eq(&creds.secret)
            {
                return key.clone();
            }
        }
        let key = SigningKey::derive(&creds.secret, &scope);
        *cache = Some((creds.clone(), key.clone()));
        key
    }

    /// Signs `req` in header mode.
    fn sign(&self, req: &mut Request, creds: &Credentials, time: Timestamp) -> Result<()> {
        match self.signature_version {
            SignatureVersion::V1 => {
                v1::sign_request(req, creds, time);
            }
            SignatureVersion::V4 => {
                let params = self.v4_params()?;
                let key = self.signing_key(creds, time, &params);
                v4::sign_request_with_key(
                    req,
                    &creds.access_key_id,
                    creds.security_token.as_deref(),
                    &key,
                    time,
                    &params,
                )
                .map_err(|e| Error::Config(e.to_string()))?;
            }
        }
        Ok(())
    }

    /// Presigns `req` (query mode) for `expires` from now.
    pub(crate) fn presign(&self, req: &mut Request, expires: Duration) -> Result<()> {
        let creds = self.credentials.credentials()?;
        let now = self.now();
        match self.signature_version {
            SignatureVersion::V1 => {
                v1::presign(req, &creds, now.add_seconds(expires.as_secs() as i64));
            }
            SignatureVersion::V4 => {
                let params = self.v4_params()?;
                v4::presign(req, &creds, now, expires.as_secs(), &params)
                    .map_err(|e| Error::InvalidArgument(e.to_string()))?;
            }
        }
        Ok(())
    }

    /// Sends `req` with `payload`, signing each attempt afresh, retrying what is safe to retry.
    ///
    /// Success is any status below 300; anything else comes back as [`Error::Service`].
    pub(crate) fn execute(&self, req: &Request, mut payload: Payload<'_>) -> Result<Response> {
        let method = req.method.as_str();
        let replayable = payload.replayable();
        let retry_safe = replayable && is_idempotent_method(method);
        let mut attempt: u32 = 0;
        let mut skew_retried = false;
        loop {
            attempt += 1;
            let creds = self.credentials.credentials()?;
            let mut signed = req.clone();
            self.sign(&mut signed, &creds, self.now())?;
            let url = signed.url();
            let body = match &mut payload {
                Payload::Empty => Payload::Empty,
                Payload::Bytes(b) => Payload::Bytes(b),
                Payload::Reader(r, n) => Payload::Reader(&mut **r, *n),
            };
            let can_retry = retry_safe && attempt < self.retry.max_attempts;
            let resp = match self
                .transport
                .send(method, &url, signed.headers.as_slice(), body)
            {
                Ok(resp) => resp,
                Err(Error::Transport(_)) if can_retry => {
                    std::thread::sleep(self.retry.delay(attempt - 1));
                    continue;
                }
                Err(e) => return Err(e),
            };
            let (status, headers, body) = split_response(resp);
            if status < 300 {
                return Ok(Response {
                    status,
                    headers,
                    body,
                });
            }
            let err = read_service_error(status, headers, body, method == "HEAD");
            if err.code == "RequestTimeTooSkewed" && self.skew_adjustment && !skew_retried {
                if let Some(server) = err
                    .server_date
                    .as_deref()
                    .and_then(|d| Timestamp::parse_rfc1123(d).ok())
                {
                    self.skew_seconds
                        .store(server.unix() - unix_now(), Ordering::Relaxed);
                    // The server refused before acting, so any method may be sent again, but only if
                    // the body can be replayed.
                    if replayable {
                        skew_retried = true;
                        continue;
                    }
                }
            }
            if is_retryable_status(status) && can_retry {
                std::thread::sleep(self.retry.delay(attempt - 1));
                continue;
            }
            return Err(err.into());
        }
    }
}

/// Builds the [`ServiceError`] of a failed response from its error document (or `x-oss-err` header when
/// body-less) and headers.
fn read_service_error(
    status: u16,
    headers: Vec<(String, String)>,
    body: ureq::Body,
    head: bool,
) -> ServiceError {
    let bytes = if head {
        Vec::new()
    } else {
        let mut body = body;
        body.with_config()
            .limit(MAX_ERROR_BODY)
            .read_to_vec()
            .unwrap_or_default()
    };
    crate::response::service_error(status, &headers, &bytes)
}
