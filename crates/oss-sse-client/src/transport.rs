//! The HTTP layer: one ureq agent (rustls, connection pool, timeouts, proxy, trust roots) shared by every
//! clone of a client, and the single function that puts a signed request on the wire.
//!
//! Nothing here knows OSS: status codes are returned as they come (ureq's "status as error" is off),
//! redirects are not followed (a signed request must not wander), and no `Accept-Encoding` is sent so
//! bodies arrive byte for byte as stored.

use std::io::Read;
use std::path::PathBuf;
use std::time::Duration;

use ureq::config::AutoHeaderValue;
use ureq::http;
use ureq::tls::{Certificate, PemItem, RootCerts, TlsConfig, TlsProvider};

use crate::error::{Error, Result};

/// Connection settings of a client.
#[derive(Debug, Clone)]
pub struct TransportConfig {
    /// Longest wait to establish a TCP (and TLS) connection.
    pub connect_timeout: Option<Duration>,
    /// Longest wait for any single read or write on an established connection, and for the response head:
    /// a transfer that keeps making progress is never cut, a stalled one is.
    pub request_timeout: Option<Duration>,
    /// An HTTP(S) or SOCKS proxy URL, e.g. `http://user:pass@proxy:3128`.
    pub proxy: Option<String>,
    /// A PEM file of CA certificates to trust instead of the built-in Mozilla roots.
    pub ca_file: Option<PathBuf>,
    /// Turn certificate verification off. Only for tests against self-signed endpoints; never the default.
    pub insecure_skip_verify: bool,
    /// The `User-Agent` header.
    pub user_agent: String,
    /// Idle connections kept per host.
    pub max_idle_connections_per_host: usize,
}

impl Default for TransportConfig {
    fn default() -> Self {
        TransportConfig {
            connect_timeout: Some(Duration::from_secs(5)),
            request_timeout: Some(Duration::from_secs(30)),
            proxy: None,
            ca_file: None,
            insecure_skip_verify: false,
            user_agent: crate::USER_AGENT.to_string(),
            max_idle_connections_per_host: 16,
        }
    }
}

/// The body of an outgoing request.
pub(crate) enum Payload<'a> {
    /// No body (GET, HEAD, DELETE).
    Empty,
    /// A body in memory; can be sent again on retry.
    Bytes(&'a [u8]),
    /// A streamed body of a known length; sent once.
    Reader(&'a mut dyn Read, u64),
}

impl Payload<'_> {
    /// Whether the same bytes can be sent again.
    pub(crate) fn replayable(&self) -> bool {
        !matches!(self, Payload::Reader(..))
    }
}

/// The shared HTTP agent.
#[derive(Debug, Clone)]
pub(crate) struct Transport {
    agent: ureq::Agent,
}

fn load_ca_file(path: &PathBuf) -> Result<RootCerts> {
    let pem = std::fs::read(path)
        .map_err(|e| Error::Config(format!("CA file {}: {e}", path.display())))?;
    let mut certs: Vec<Certificate<'static>> = Vec::new();
    for item in ureq::tls::parse_pem(&pem) {
        match item {
            Ok(PemItem::Certificate(c)) => certs.push(c),
            Ok(_) => {}
            Err(e) => return Err(Error::Config(format!("CA file {}: {e}", path.display()))),
        }
    }
    if certs.is_empty() {
        return Err(Error::Config(format!(
            "CA file {} holds no certificate",
            path.display()
        )));
    }
    Ok(RootCerts::from(certs))
}

impl Transport {
    /// Builds the agent from the settings.
    pub(crate) fn new(config: &TransportConfig) -> Result<Self> {
        let mut tls = TlsConfig::builder().provider(TlsProvider::Rustls);
        if let Some(path) = &config.ca_file {
            tls = tls.root_certs(load_ca_file(path)?);
        }
        if config.insecure_skip_verify {
            tls = tls.disable_verification(true);
        }
        let proxy = match &config.proxy {
            Some(url) => Some(
                ureq::Proxy::new(url).map_err(|e| Error::Config(format!("proxy {url:?}: {e}")))?,
            ),
            None => None,
        };
        let agent_config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .user_agent(AutoHeaderValue::Provided(std::sync::Arc::new(
                config.user_agent.clone(),
            )))
            .accept_encoding(AutoHeaderValue::None)
            .accept(AutoHeaderValue::None)
            .proxy(proxy)
            .tls_config(tls.build())
            .timeout_connect(config.connect_timeout)
            .timeout_recv_response(config.request_timeout)
            .timeout_per_read(config.request_timeout)
            .timeout_per_write(config.request_timeout)
            // Larger socket buffers than ureq's defaults: object bodies are the common case, and fewer,
            // bigger reads and writes are what lets a single stream reach memory speed.
            .input_buffer_size(256 * 1024)
            .output_buffer_size(256 * 1024)
            .max_idle_connections_per_host(config.max_idle_connections_per_host.max(1))
            .max_idle_connections(
                config
                    .max_idle_connections_per_host
                    .max(1)
                    .saturating_mul(4),
            )
            .build();
        Ok(Transport {
            agent: agent_config.new_agent(),
        })
    }

    /// Sends one request and returns the response head with its unread body.
    pub(crate) fn send(
        &self,
        method: &str,
        url: &str,
        headers: &[(String, String)],
        payload: Payload<'_>,
    ) -> Result<http::Response<ureq::Body>> {
        let mut builder = http::Request::builder().method(method).uri(url);
        for (name, value) in headers {
            builder = builder.header(name.as_str(), value.as_str());
        }
        let result = match payload {
            Payload::Empty if matches!(method, "GET" | "HEAD" | "DELETE") => {
                let request = builder
                    .body(())
                    .map_err(|e| Error::InvalidArgument(format!("request: {e}")))?;
                self.agent.run(request)
            }
            Payload::Empty => {
                let request = builder
                    .body(&[][..])
                    .map_err(|e| Error::InvalidArgument(format!("request: {e}")))?;
                self.agent.run(request)
            }
            Payload::Bytes(bytes) => {
                let request = builder
                    .body(bytes)
                    .map_err(|e| Error::InvalidArgument(format!("request: {e}")))?;
                self.agent.run(request)
            }
            Payload::Reader(reader, len) => {
                // An explicit Content-Length makes ureq send the streamed body length-delimited, which
                // OSS requires for PutObject and UploadPart.
                let request = builder
                    .header("content-length", len.to_string())
                    .body(ureq::SendBody::from_reader(reader))
                    .map_err(|e| Error::InvalidArgument(format!("request: {e}")))?;
                self.agent.run(request)
            }
        };
        result.map_err(|e| Error::Transport(e.to_string()))
    }
}
