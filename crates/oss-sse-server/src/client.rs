//! A small async OSS client over one keep-alive HTTP/1.1 connection, signing with oss-sse-core: the load
//! generator of `oss-sse bench` and the client of this crate's end-to-end tests. Requests are built with
//! oss-sse-core's `ops` builders; bodies may be in memory or streamed, and response bodies may be kept or
//! only counted and checksummed (so benchmarks of huge objects use no memory).

use std::io;
use std::net::SocketAddr;
use std::time::{SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http::HeaderMap;
use http_body_util::{combinators::BoxBody, BodyExt, Full};
use hyper::client::conn::http1::SendRequest;
use oss_sse_core::endpoint::Endpoint;
use oss_sse_core::sign::{v1, v4, SignatureVersion};
use oss_sse_core::{Credentials, Request, Timestamp};
use tokio::net::TcpStream;

use crate::crc64::Crc64;

/// A request body.
pub type ReqBody = BoxBody<Bytes, io::Error>;

/// Why a call failed at the transport level (OSS errors are ordinary [`Reply`]s).
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// Connecting or sending failed.
    #[error("I/O: {0}")]
    Io(#[from] io::Error),
    /// HTTP framing failed.
    #[error("HTTP: {0}")]
    Http(#[from] hyper::Error),
    /// The request could not be built.
    #[error("request: {0}")]
    Request(String),
}

/// A response.
#[derive(Debug, Clone)]
pub struct Reply {
    /// HTTP status.
    pub status: u16,
    /// Headers.
    pub headers: HeaderMap,
    /// The body (empty when it was only counted).
    pub body: Bytes,
    /// Body bytes received.
    pub body_len: u64,
    /// CRC-64 of the body as received.
    pub body_crc64: u64,
}

impl Reply {
    /// A header as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The body as (lossy) text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// What to do with a response body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sink {
    /// Keep it in [`Reply::body`].
    Collect,
    /// Only count it and compute its CRC-64.
    Discard,
}

/// One connection's worth of client.
pub struct Client {
    addr: SocketAddr,
    endpoint: Endpoint,
    credentials: Credentials,
    region: String,
    version: SignatureVersion,
    sender: Option<SendRequest<ReqBody>>,
}

/// A body from bytes in memory.
pub fn bytes_body(data: impl Into<Bytes>) -> ReqBody {
    Full::new(data.into())
        .map_err(|never| match never {})
        .boxed()
}

fn now() -> Timestamp {
    Timestamp::from_unix(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0),
    )
}

impl Client {
    /// A client of the emulator at `endpoint` (`http://127.0.0.1:PORT`), path-style, signing V4 for
    /// `region` with `credentials`.
    pub fn new(
        endpoint: &str,
        credentials: Credentials,
        region: &str,
    ) -> Result<Client, ClientError> {
        let ep = Endpoint::parse(endpoint)
            .map_err(|e| ClientError::Request(e.to_string()))?
            .with_region(region)
            .with_path_style(true);
        let port = ep.port().unwrap_or(80);
        let addr: SocketAddr = format!("{}:{port}", ep.host())
            .parse()
            .map_err(|_| ClientError::Request(format!("{endpoint} is not an IP endpoint")))?;
        Ok(Client {
            addr,
            endpoint: ep,
            credentials,
            region: region.to_owned(),
            version: SignatureVersion::V4,
            sender: None,
        })
    }

    /// Signs with V1 instead of V4.
    pub fn with_signature_version(mut self, version: SignatureVersion) -> Client {
        self.version = version;
        self
    }

    /// The endpoint requests are built for.
    pub fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    async fn sender(&mut self) -> Result<&mut SendRequest<ReqBody>, ClientError> {
        let stale = match &self.sender {
            Some(s) => s.is_closed(),
            None => true,
        };
        if stale {
            let stream = TcpStream::connect(self.addr).await?;
            let _ = stream.set_nodelay(true);
            let (sender, conn) =
                hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream)).await?;
            tokio::spawn(async move {
                let _ = conn.await;
            });
            self.sender = Some(sender);
        }
        match self.sender.as_mut() {
            Some(s) => Ok(s),
            None => Err(ClientError::Request("no connection".into())),
        }
    }

    /// Signs `req` (now) and sends it with its in-memory body, keeping the response body.
    ///
    /// When a kept-alive connection turns out to have been closed by the server before it read the
    /// request (the server drops idle connections), the request is sent once more on a new connection:
    /// it never reached the server, so this cannot apply it twice.
    pub async fn send(&mut self, req: Request) -> Result<Reply, ClientError> {
        let body_of = |req: &Request| match req.body.bytes() {
            Some(b) => bytes_body(b.to_vec()),
            None => bytes_body(Bytes::new()),
        };
        let reused = self.sender.as_ref().is_some_and(|s| !s.is_closed());
        let body = body_of(&req);
        match self.send_with(req.clone(), body, Sink::Collect).await {
            Err(ClientError::Http(e))
                if reused && (e.is_incomplete_message() || e.is_canceled()) =>
            {
                self.sender = None;
                let body = body_of(&req);
                self.send_with(req, body, Sink::Collect).await
            }
            other => other,
        }
    }

    /// Signs `req` and sends `body` (whose length `req.body` declares), handling the response per `sink`.
    pub async fn send_with(
        &mut self,
        mut req: Request,
        body: ReqBody,
        sink: Sink,
    ) -> Result<Reply, ClientError> {
        let len = req.body.len();
        match self.version {
            SignatureVersion::V4 => {
                v4::sign_request(
                    &mut req,
                    &self.credentials,
                    now(),
                    &v4::V4Params::new(self.region.clone()),
                )
                .map_err(|e| ClientError::Request(e.to_string()))?;
            }
            SignatureVersion::V1 => {
                v1::sign_request(&mut req, &self.credentials, now());
            }
        }
        let mut builder = http::Request::builder()
            .method(req.method.as_str())
            .uri(req.path_and_query())
            .header("host", req.authority());
        for (n, v) in req.headers.iter() {
            builder = builder.header(n, v);
        }
        let method_has_body = len > 0 || matches!(req.method.as_str(), "PUT" | "POST");
        if method_has_body {
            builder = builder.header("content-length", len.to_string());
        }
        let hreq = builder
            .body(body)
            .map_err(|e| ClientError::Request(e.to_string()))?;
        let sender = self.sender().await?;
        sender.ready().await?;
        let resp = match sender.send_request(hreq).await {
            Ok(r) => r,
            Err(e) => {
                self.sender = None;
                return Err(e.into());
            }
        };
        let (parts, mut incoming) = resp.into_parts();
        let mut collected = Vec::new();
        let mut crc = Crc64::new();
        let mut n = 0u64;
        while let Some(frame) = incoming.frame().await {
            let frame = match frame {
                Ok(f) => f,
                Err(e) => {
                    self.sender = None;
                    return Err(e.into());
                }
            };
            if let Ok(data) = frame.into_data() {
                n += data.len() as u64;
                crc.update(&data);
                if sink == Sink::Collect {
                    collected.extend_from_slice(&data);
                }
            }
        }
        Ok(Reply {
            status: parts.status.as_u16(),
            headers: parts.headers,
            body: Bytes::from(collected),
            body_len: n,
            body_crc64: crc.value(),
        })
    }
}
