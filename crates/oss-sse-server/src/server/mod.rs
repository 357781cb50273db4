//! The HTTP server: accepts connections on loopback, serves HTTP/1.1 with keep-alive through hyper, bounds
//! connections and stalls, and shuts down gracefully.

pub mod auth;
pub mod body;
mod ops;
pub mod route;
pub mod service;
pub mod sse;

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;

use crate::config::{Limits, ServerConfig};
use crate::storage::{Store, StoreError};
use crate::users::Directory;

/// Shared state of a running server.
pub struct State {
    /// The object store.
    pub store: Arc<Store>,
    /// Who may call.
    pub directory: Directory,
    /// The region.
    pub region: String,
    /// Limits and timeouts.
    pub limits: Limits,
    /// The address the server listens on (for `HostId` and `Location`).
    pub local_addr: SocketAddr,
    /// The key service, if any.
    pub kms: Option<Arc<dyn oss_sse_kms::Kms>>,
}

/// Why a server could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// The data directory could not be opened or recovered.
    #[error("cannot open data dir {path}: {source}")]
    Store {
        /// The data dir.
        path: PathBuf,
        /// The store error.
        source: StoreError,
    },
    /// The address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The I/O error.
        source: io::Error,
    },
}

/// A bound server, ready to run.
pub struct Server {
    listener: TcpListener,
    state: Arc<State>,
}

impl Server {
    /// Opens (and recovers) the data dir and binds the listen address.
    pub async fn bind(config: ServerConfig) -> Result<Server, ServerError> {
        let dir = config.data_dir.clone();
        let opened = tokio::task::spawn_blocking(move || Store::open(&dir))
            .await
            .map_err(|e| ServerError::Store {
                path: config.data_dir.clone(),
                source: StoreError::Io(io::Error::other(e)),
            })?;
        let store = opened.map_err(|source| ServerError::Store {
            path: config.data_dir.clone(),
            source,
        })?;
        let listener =
            TcpListener::bind(config.listen)
                .await
                .map_err(|source| ServerError::Bind {
                    addr: config.listen,
                    source,
                })?;
        let local_addr = listener.local_addr().map_err(|source| ServerError::Bind {
            addr: config.listen,
            source,
        })?;
        Ok(Server {
            listener,
            state: Arc::new(State {
                store: Arc::new(store),
                directory: config.directory,
                region: config.region,
                limits: config.limits,
                local_addr,
                kms: config.kms,
            }),
        })
    }

    /// The bound address.
    pub fn local_addr(&self) -> SocketAddr {
        self.state.local_addr
    }

    /// Serves until `shutdown` resolves, then stops accepting, lets in-flight requests finish for up to
    /// the grace period, and returns.
    pub async fn run(self, shutdown: impl Future<Output = ()>) {
        let Server { listener, state } = self;
        let graceful = hyper_util::server::graceful::GracefulShutdown::new();
        let permits = Arc::new(Semaphore::new(state.limits.max_connections.max(1)));
        tokio::pin!(shutdown);
        loop {
            let permit = tokio::select! {
                p = permits.clone().acquire_owned() => match p {
                    Ok(p) => p,
                    Err(_) => break,
                },
                _ = &mut shutdown => break,
            };
            let accepted = tokio::select! {
                a = listener.accept() => a,
                _ = &mut shutdown => break,
            };
            let stream = match accepted {
                Ok((stream, _)) => stream,
                Err(e) => {
                    // Out of file descriptors and the like: back off instead of spinning.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            };
            let _ = stream.set_nodelay(true);
            let io = TokioIo::new(StallGuard::new(stream, state.limits.write_stall_timeout));
            let st = state.clone();
            let svc = service_fn(move |req| {
                let st = st.clone();
                async move { Ok::<_, std::convert::Infallible>(service::handle(st, req).await) }
            });
            let conn = http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(state.limits.header_read_timeout)
                .keep_alive(true)
                .serve_connection(io, svc);
            let watched = graceful.watch(conn);
            tokio::spawn(async move {
                if let Err(e) = watched.await {
                    tracing::debug!(error = %e, "connection ended with an error");
                }
                drop(permit);
            });
        }
        drop(listener);
        tokio::select! {
            _ = graceful.shutdown() => {}
            _ = tokio::time::sleep(state.limits.shutdown_grace) => {
                tracing::warn!("shutdown grace period over; aborting in-flight requests");
            }
        }
    }
}

/// A TCP stream whose writes fail once they have been blocked for longer than the stall timeout, so a
/// client that stops reading a download releases its connection.
struct StallGuard {
    inner: TcpStream,
    timeout: Duration,
    deadline: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl StallGuard {
    fn new(inner: TcpStream, timeout: Duration) -> StallGuard {
        StallGuard {
            inner,
            timeout,
            deadline: None,
        }
    }

    fn check<T>(&mut self, cx: &mut Context<'_>, r: Poll<io::Result<T>>) -> Poll<io::Result<T>> {
        match r {
            Poll::Pending => {
                let timeout = self.timeout;
                let d = self
                    .deadline
                    .get_or_insert_with(|| Box::pin(tokio::time::sleep(timeout)));
                if d.as_mut().poll(cx).is_ready() {
                    self.deadline = None;
                    return Poll::Ready(Err(io::Error::new(
                        io::ErrorKind::TimedOut,
                        "client stopped reading",
                    )));
                }
                Poll::Pending
            }
            ready => {
                self.deadline = None;
                ready
            }
        }
    }
}

impl AsyncRead for StallGuard {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for StallGuard {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let r = Pin::new(&mut self.inner).poll_write(cx, buf);
        self.check(cx, r)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let r = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        self.check(cx, r)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let r = Pin::new(&mut self.inner).poll_flush(cx);
        self.check(cx, r)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}
