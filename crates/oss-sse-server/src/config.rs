//! Server configuration: where to listen, where the data lives, the region, who may call, and the limits
//! that keep hostile or broken clients from hurting anyone else.

use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use oss_sse_core::credentials::Credentials;
use oss_sse_kms::Kms;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::ids;
use crate::users::Directory;

/// Limits and timeouts.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Largest object PutObject / UploadPart / AppendObject accept (OSS: 5 GiB).
    pub max_object_size: u64,
    /// Largest XML request body (64 KiB).
    pub max_xml_body: usize,
    /// Time a client has to send a request's headers.
    pub header_read_timeout: Duration,
    /// Longest pause allowed between two pieces of a request body.
    pub body_idle_timeout: Duration,
    /// Longest a response write may stay blocked on a client that does not read.
    pub write_stall_timeout: Duration,
    /// Connections served at once; more wait in the listen backlog.
    pub max_connections: usize,
    /// How long shutdown waits for in-flight requests before aborting them.
    pub shutdown_grace: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_object_size: 5 * 1024 * 1024 * 1024,
            max_xml_body: 64 * 1024,
            header_read_timeout: Duration::from_secs(30),
            body_idle_timeout: Duration::from_secs(60),
            write_stall_timeout: Duration::from_secs(60),
            max_connections: 1024,
            shutdown_grace: Duration::from_secs(10),
        }
    }
}

/// Everything a server needs.
#[derive(Clone)]
pub struct ServerConfig {
    /// Address to bind (`127.0.0.1:0` picks a free port).
    pub listen: SocketAddr,
    /// The data directory.
    pub data_dir: PathBuf,
    /// The region buckets report and V4 signatures are scoped to.
    pub region: String,
    /// The root account and RAM users.
    pub directory: Directory,
    /// Limits and timeouts.
    pub limits: Limits,
    /// The key service SSE-KMS key ids are resolved against (and, with encryption at rest, data keys come
    /// from). `None`: KMS key ids are recorded unchecked.
    pub kms: Option<Arc<dyn Kms>>,
}

impl std::fmt::Debug for ServerConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerConfig")
            .field("listen", &self.listen)
            .field("data_dir", &self.data_dir)
            .field("region", &self.region)
            .field("directory", &self.directory)
            .field("limits", &self.limits)
            .field("kms", &self.kms.as_ref().map(|_| "configured"))
            .finish()
    }
}

/// The directory of the emulator's local KMS keystore inside its data dir.
pub fn kms_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("kms")
}

/// How often the SSE-OSS service master key rotates unless `oss-sse serve --master-key-rotation` says
/// otherwise: 30 days.
pub const DEFAULT_MASTER_KEY_ROTATION: std::time::Duration =
    std::time::Duration::from_secs(30 * 24 * 3600);

/// Opens the local KMS keystore of a data dir (its root key from `OSS_SSE_KMS_ROOT_KEY` or the keystore's
/// `root.key`), with the SSE-OSS service master key rotating every [`DEFAULT_MASTER_KEY_ROTATION`].
pub fn open_local_kms(data_dir: &Path) -> Result<Arc<dyn Kms>, oss_sse_kms::KmsError> {
    open_local_kms_with(data_dir, DEFAULT_MASTER_KEY_ROTATION)
}

/// Opens the local KMS keystore of a data dir and makes sure the service master key
/// ([`crate::encryption::MASTER_KEY_ALIAS`]) exists, rotating automatically every `rotation`.
pub fn open_local_kms_with(
    data_dir: &Path,
    rotation: std::time::Duration,
) -> Result<Arc<dyn Kms>, oss_sse_kms::KmsError> {
    let kms = oss_sse_kms::LocalKms::open(kms_dir(data_dir))?;
    kms.ensure_service_key(
        crate::encryption::MASTER_KEY_ALIAS,
        "oss-sse emulator SSE-OSS master key",
        Some(rotation),
    )?;
    Ok(Arc::new(kms))
}

#[derive(Serialize, Deserialize)]
struct StoredRoot {
    access_key_id: String,
    access_key_secret: String,
}

impl Drop for StoredRoot {
    fn drop(&mut self) {
        use zeroize::Zeroize as _;
        self.access_key_secret.zeroize();
    }
}

/// Where the root credentials came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RootSource {
    /// `OSS_ACCESS_KEY_ID` / `OSS_ACCESS_KEY_SECRET`.
    Environment,
    /// A pair generated earlier and kept in the data dir.
    DataDir,
    /// Generated now (and saved to the data dir).
    Generated,
}

/// The file in the data dir that keeps a generated root pair.
pub fn root_credentials_path(data_dir: &Path) -> PathBuf {
    data_dir.join("root-credentials.json")
}

/// The root account: `env` (the values of `OSS_ACCESS_KEY_ID` / `OSS_ACCESS_KEY_SECRET`) when both are
/// set and non-empty, else the pair kept in the data dir, else a fresh pair saved there (mode 0600).
pub fn root_credentials(
    data_dir: &Path,
    env: (Option<String>, Option<String>),
) -> std::io::Result<(Credentials, RootSource)> {
    if let (Some(id), Some(secret)) = env {
        if !id.is_empty() && !secret.is_empty() {
            return Ok((Credentials::new(id, secret), RootSource::Environment));
        }
    }
    let path = root_credentials_path(data_dir);
    if let Ok(text) = std::fs::read(&path) {
        let text = Zeroizing::new(text);
        if let Ok(stored) = serde_json::from_slice::<StoredRoot>(&text) {
            return Ok((
                Credentials::new(
                    stored.access_key_id.clone(),
                    stored.access_key_secret.as_str(),
                ),
                RootSource::DataDir,
            ));
        }
    }
    std::fs::create_dir_all(data_dir)?;
    let id = format!("LTAI{}", &ids::random_hex(10));
    let secret = Zeroizing::new(ids::random_hex(15));
    let stored = StoredRoot {
        access_key_id: id.clone(),
        access_key_secret: secret.to_string(),
    };
    let bytes = Zeroizing::new(serde_json::to_vec_pretty(&stored).map_err(std::io::Error::other)?);
    let tmp = data_dir.join(format!(".root-credentials.{}", ids::random_hex(4)));
    {
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        let mut f = opts.open(&tmp)?;
        f.write_all(&bytes)?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, &path)?;
    crate::storage::fsutil::sync_dir(data_dir)?;
    Ok((Credentials::new(id, secret.as_str()), RootSource::Generated))
}
