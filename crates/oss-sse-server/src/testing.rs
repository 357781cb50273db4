//! An in-process emulator for tests: a free port on 127.0.0.1, a temporary data dir, root credentials,
//! optional RAM users, and a local KMS keystore in `<data dir>/kms`; stops (and removes its temporary dir)
//! when dropped.
//!
//! ```no_run
//! let server = oss_sse_server::testing::TestServer::start();
//! let endpoint = server.endpoint(); // "http://127.0.0.1:PORT"
//! let creds = server.credentials(); // the root account
//! # let _ = (endpoint, creds);
//! ```

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::thread::JoinHandle;

use oss_sse_core::credentials::Credentials;
use tokio::sync::oneshot;

use crate::config::{Limits, ServerConfig};
use crate::server::{Server, ServerError};
use crate::users::{Directory, UsersError};

/// Root access key id of every test server.
pub const ROOT_ACCESS_KEY_ID: &str = "LTAItestroot0000";
/// Root access key secret of every test server.
pub const ROOT_ACCESS_KEY_SECRET: &str = "test-root-secret-0000000000";

/// Why a test server could not start.
#[derive(Debug, thiserror::Error)]
pub enum TestServerError {
    /// The temporary directory could not be created.
    #[error("cannot create a temporary data dir: {0}")]
    TempDir(std::io::Error),
    /// The users document was refused.
    #[error(transparent)]
    Users(#[from] UsersError),
    /// The server did not start.
    #[error(transparent)]
    Server(#[from] ServerError),
    /// The local KMS keystore could not be opened.
    #[error("cannot open the KMS keystore: {0}")]
    Kms(oss_sse_kms::KmsError),
    /// The runtime thread could not be started or died.
    #[error("test server thread: {0}")]
    Thread(String),
}

/// Options for [`TestServer`].
#[derive(Debug, Clone, Default)]
pub struct TestServerBuilder {
    data_dir: Option<PathBuf>,
    users_json: Option<String>,
    region: Option<String>,
    limits: Option<Limits>,
}

impl TestServerBuilder {
    /// Uses (and keeps) `dir` instead of a fresh temporary directory, e.g. to restart on the same data.
    pub fn data_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.data_dir = Some(dir.into());
        self
    }

    /// RAM users, in the `--users` file format (see [`crate::users`]).
    pub fn users_json(mut self, json: impl Into<String>) -> Self {
        self.users_json = Some(json.into());
        self
    }

    /// The region (default `cn-hangzhou`).
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// Limits and timeouts (default [`Limits::default`]).
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = Some(limits);
        self
    }

    /// Starts the server.
    pub fn start(self) -> Result<TestServer, TestServerError> {
        let (temp, data_dir) = match self.data_dir {
            Some(d) => (None, d),
            None => {
                let t = tempfile::Builder::new()
                    .prefix("oss-sse-test-")
                    .tempdir()
                    .map_err(TestServerError::TempDir)?;
                let p = t.path().to_owned();
                (Some(t), p)
            }
        };
        let root = Credentials::new(ROOT_ACCESS_KEY_ID, ROOT_ACCESS_KEY_SECRET);
        let directory = match &self.users_json {
            Some(j) => Directory::from_json(root.clone(), j)?,
            None => Directory::root_only(root.clone()),
        };
        let region = self.region.unwrap_or_else(|| "cn-hangzhou".to_owned());
        let kms = crate::config::open_local_kms(&data_dir).map_err(TestServerError::Kms)?;
        let config = ServerConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            data_dir: data_dir.clone(),
            region: region.clone(),
            directory,
            limits: self.limits.unwrap_or_default(),
            kms: Some(kms.clone()),
        };
        let (ready_tx, ready_rx) = mpsc::channel::<Result<SocketAddr, ServerError>>();
        let (stop_tx, stop_rx) = oneshot::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("oss-sse-test-server".into())
            .spawn(move || {
                let rt = match tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(2)
                    .enable_all()
                    .build()
                {
                    Ok(rt) => rt,
                    Err(e) => {
                        let _ = ready_tx.send(Err(ServerError::Bind {
                            addr: config.listen,
                            source: e,
                        }));
                        return;
                    }
                };
                rt.block_on(async move {
                    match Server::bind(config).await {
                        Ok(server) => {
                            let _ = ready_tx.send(Ok(server.local_addr()));
                            server
                                .run(async {
                                    let _ = stop_rx.await;
                                })
                                .await;
                        }
                        Err(e) => {
                            let _ = ready_tx.send(Err(e));
                        }
                    }
                });
            })
            .map_err(|e| TestServerError::Thread(e.to_string()))?;
        let addr = match ready_rx.recv() {
            Ok(Ok(a)) => a,
            Ok(Err(e)) => {
                let _ = thread.join();
                return Err(e.into());
            }
            Err(_) => {
                let _ = thread.join();
                return Err(TestServerError::Thread("exited before listening".into()));
            }
        };
        Ok(TestServer {
            addr,
            endpoint: format!("http://{addr}"),
            credentials: root,
            region,
            data_dir,
            stop: Some(stop_tx),
            thread: Some(thread),
            kms,
            _temp: temp,
        })
    }
}

/// A running in-process emulator.
pub struct TestServer {
    addr: SocketAddr,
    endpoint: String,
    credentials: Credentials,
    region: String,
    data_dir: PathBuf,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
    kms: std::sync::Arc<dyn oss_sse_kms::Kms>,
    // Declared last: removed after the server thread has stopped.
    _temp: Option<tempfile::TempDir>,
}

impl std::fmt::Debug for TestServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestServer")
            .field("endpoint", &self.endpoint)
            .field("data_dir", &self.data_dir)
            .finish()
    }
}

impl TestServer {
    /// Options.
    pub fn builder() -> TestServerBuilder {
        TestServerBuilder::default()
    }

    /// Starts a server with a temporary data dir and only the root account. Panics when the server
    /// cannot start: this is test scaffolding, and a test cannot go on without it.
    pub fn start() -> TestServer {
        match TestServerBuilder::default().start() {
            Ok(s) => s,
            Err(e) => panic!("cannot start the test server: {e}"),
        }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// The socket address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The root account's credentials.
    pub fn credentials(&self) -> Credentials {
        self.credentials.clone()
    }

    /// The region (V4 signing scope).
    pub fn region(&self) -> &str {
        &self.region
    }

    /// The data directory.
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// The server's key service (the same instance the server uses: the keystore lock allows one).
    pub fn kms(&self) -> std::sync::Arc<dyn oss_sse_kms::Kms> {
        self.kms.clone()
    }

    /// Stops the server (also done on drop).
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.shutdown();
    }
}
