//! The keystore directory on disk: the lock file, the root key, atomic writes, and the sealed state file.
//!
//! Files in the directory:
//! - `keystore.json`: every key, version, alias and state. Key material appears only sealed (AES-256-GCM
//!   under a subkey of the root key, bound to its key id and version id). The first line carries an
//!   HMAC-SHA256 of the rest under another subkey of the root key, so a wrong root key or an edited file is
//!   refused at open instead of misbehaving later.
//! - `usage.json`: the metering counters (not secret).
//! - `root.key`: the base64 root key, mode 0600, only when `OSS_SSE_KMS_ROOT_KEY` was not set at creation.
//!   **This file is the secret**: whoever has it and the keystore has every key.
//! - `LOCK`: held (advisory `flock`) by the one `LocalKms` that has the store open.
//!
//! Every write goes to a temporary file in the same directory, is fsynced, renamed over the target, and
//! the directory is fsynced: after a crash at any instant the target holds either the old or the new
//! content. Leftover temporary files are removed at the next open.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use base64::Engine as _;
use ring::rand::SystemRandom;

use crate::crypto::{self, NONCE_LEN};
use crate::secret::Key32;
use crate::KmsError;

/// Environment variable holding the root key: standard base64 of 32 bytes.
pub const ROOT_KEY_ENV: &str = "OSS_SSE_KMS_ROOT_KEY";

pub(crate) const STATE_FILE: &str = "keystore.json";
pub(crate) const USAGE_FILE: &str = "usage.json";
pub(crate) const ROOT_KEY_FILE: &str = "root.key";
pub(crate) const LOCK_FILE: &str = "LOCK";
const TMP_MARKER: &str = ".tmp-";
const STATE_MAGIC: &str = "oss-sse-kms-keystore v1";

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// The key that seals a keystore's key material.
#[derive(Clone)]
pub struct RootKey(Key32);

impl RootKey {
    /// A root key from 32 raw bytes.
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(Key32::from_array(bytes))
    }

    /// A root key from standard base64 of exactly 32 bytes (the form of `OSS_SSE_KMS_ROOT_KEY`).
    pub fn from_base64(text: &str) -> Result<Self, KmsError> {
        let decoded = zeroize::Zeroizing::new(B64.decode(text.trim()).map_err(|_| {
            KmsError::InvalidRootKey {
                reason: "the root key is not valid base64".into(),
            }
        })?);
        let mut key = Key32::zeroed();
        if decoded.len() != 32 {
            return Err(KmsError::InvalidRootKey {
                reason: format!("the root key must be 32 bytes, got {}", decoded.len()),
            });
        }
        key.bytes_mut().copy_from_slice(&decoded);
        Ok(Self(key))
    }

    /// A fresh random root key.
    pub fn generate() -> Result<Self, KmsError> {
        Ok(Self(crypto::random_key(&SystemRandom::new())?))
    }

    /// The key in base64, in a buffer wiped on drop (to hand to a secret manager).
    pub fn to_base64(&self) -> zeroize::Zeroizing<String> {
        zeroize::Zeroizing::new(B64.encode(self.0.bytes()))
    }
}

impl std::fmt::Debug for RootKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RootKey(<redacted>)")
    }
}

/// Where the root key comes from when a store is opened.
#[derive(Clone, Debug, Default)]
pub enum RootKeySource {
    /// `OSS_SSE_KMS_ROOT_KEY` if set, else `root.key` in the store (created with mode 0600 for a new store).
    #[default]
    EnvOrFile,
    /// This key (nothing is read from the environment and no root key file is written).
    Key(RootKey),
}

/// Which step of a write a test makes "crash" at.
#[cfg(test)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CrashPoint {
    /// Half the bytes are in the temporary file, nothing else happened.
    MidWrite,
    /// The temporary file is complete and fsynced, the rename has not happened.
    BeforeRename,
}

/// An open keystore directory: holds the lock for as long as it lives.
pub(crate) struct Store {
    dir: PathBuf,
    _lock: File,
    seal_key: Key32,
    mac_key: Key32,
    #[cfg(test)]
    pub(crate) crash: std::sync::Mutex<Option<CrashPoint>>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("dir", &self.dir)
            .finish_non_exhaustive()
    }
}

impl Store {
    /// Opens (creating if needed) the directory, takes the lock, loads or creates the root key, removes
    /// leftover temporary files, and returns the verified state JSON if there is one.
    pub(crate) fn open(
        dir: &Path,
        source: RootKeySource,
    ) -> Result<(Self, Option<Vec<u8>>), KmsError> {
        create_dir(dir)?;
        let lock = lock(dir)?;
        clean_temporaries(dir)?;
        let state_path = dir.join(STATE_FILE);
        let state_exists = state_path.exists();
        let root = match source {
            RootKeySource::Key(k) => k,
            RootKeySource::EnvOrFile => root_key_from_env_or_file(dir, state_exists)?,
        };
        let store = Self {
            dir: dir.to_path_buf(),
            _lock: lock,
            seal_key: crypto::derive(&root.0, b"oss-sse-kms root v1", b"seal key material"),
            mac_key: crypto::derive(&root.0, b"oss-sse-kms root v1", b"keystore integrity"),
            #[cfg(test)]
            crash: std::sync::Mutex::new(None),
        };
        let state = if state_exists {
            Some(store.read_state(&state_path)?)
        } else {
            None
        };
        Ok((store, state))
    }

    /// The directory.
    pub(crate) fn dir(&self) -> &Path {
        &self.dir
    }

    fn read_state(&self, path: &Path) -> Result<Vec<u8>, KmsError> {
        let mut raw = Vec::new();
        File::open(path)
            .and_then(|mut f| f.read_to_end(&mut raw))
            .map_err(|e| KmsError::io(format!("reading {}", path.display()), e))?;
        let corrupt = |reason: &str| KmsError::KeystoreCorrupt {
            reason: format!("{}: {reason}", path.display()),
        };
        let newline = raw
            .iter()
            .position(|&b| b == b'\n')
            .ok_or_else(|| corrupt("no header line"))?;
        let header =
            std::str::from_utf8(&raw[..newline]).map_err(|_| corrupt("bad header line"))?;
        let (magic, tag_b64) = header
            .rsplit_once(' ')
            .ok_or_else(|| corrupt("bad header line"))?;
        if magic != STATE_MAGIC {
            return Err(corrupt(
                "not an oss-sse-kms keystore (or an unsupported version)",
            ));
        }
        let tag = B64
            .decode(tag_b64)
            .map_err(|_| corrupt("bad integrity tag"))?;
        let body = raw.split_off(newline + 1);
        if !crypto::verify_mac(&self.mac_key, &body, &tag) {
            return Err(KmsError::InvalidRootKey {
                reason: format!(
                    "the integrity check of {} failed: the root key is not the one this keystore was made with, or the file was altered",
                    path.display()
                ),
            });
        }
        Ok(body)
    }

    /// Atomically replaces the state file with `body` (a JSON document), prefixed by its integrity tag.
    pub(crate) fn write_state(&self, body: &[u8]) -> Result<(), KmsError> {
        let tag = crypto::mac(&self.mac_key, body);
        let mut file = Vec::with_capacity(body.len() + 80);
        file.extend_from_slice(STATE_MAGIC.as_bytes());
        file.push(b' ');
        file.extend_from_slice(B64.encode(tag).as_bytes());
        file.push(b'\n');
        file.extend_from_slice(body);
        self.write_file(STATE_FILE, &file)
    }

    /// The usage file's content, if there is one.
    pub(crate) fn read_usage(&self) -> Result<Option<Vec<u8>>, KmsError> {
        let path = self.dir.join(USAGE_FILE);
        match fs::read(&path) {
            Ok(b) => Ok(Some(b)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(KmsError::io(format!("reading {}", path.display()), e)),
        }
    }

    /// Atomically replaces the usage file.
    pub(crate) fn write_usage(&self, body: &[u8]) -> Result<(), KmsError> {
        self.write_file(USAGE_FILE, body)
    }

    fn write_file(&self, name: &str, bytes: &[u8]) -> Result<(), KmsError> {
        #[cfg(test)]
        let crash = *self.crash.lock().unwrap_or_else(|e| e.into_inner());
        #[cfg(not(test))]
        let crash: Option<()> = None;
        write_atomic(&self.dir, name, bytes, None, crash)
            .map_err(|e| KmsError::io(format!("writing {}", self.dir.join(name).display()), e))
    }

    /// Seals a version's material: nonce ‖ AES-256-GCM(material) with the key id and version id as
    /// authenticated data, so sealed material cannot be moved to another key or version in the file.
    pub(crate) fn seal_material(
        &self,
        rng: &SystemRandom,
        key_id: &[u8; 16],
        version_id: &[u8; 16],
        material: &Key32,
    ) -> Result<String, KmsError> {
        let mut nonce = [0u8; NONCE_LEN];
        crypto::random_fill(rng, &mut nonce)?;
        let mut buf = zeroize::Zeroizing::new(Vec::with_capacity(32 + 16));
        buf.extend_from_slice(material.bytes());
        crypto::seal(
            &self.seal_key,
            nonce,
            &material_aad(key_id, version_id),
            &mut buf,
        )?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&buf);
        Ok(B64.encode(out))
    }

    /// Opens sealed material.
    pub(crate) fn unseal_material(
        &self,
        key_id: &[u8; 16],
        version_id: &[u8; 16],
        sealed_b64: &str,
    ) -> Result<Key32, KmsError> {
        let corrupt = || KmsError::KeystoreCorrupt {
            reason: "sealed key material does not open under the root key".into(),
        };
        let sealed = B64.decode(sealed_b64).map_err(|_| corrupt())?;
        if sealed.len() != NONCE_LEN + 32 + crypto::TAG_LEN {
            return Err(corrupt());
        }
        let (nonce, ct) = sealed.split_at(NONCE_LEN);
        let nonce: [u8; NONCE_LEN] = nonce.try_into().map_err(|_| corrupt())?;
        let mut buf = zeroize::Zeroizing::new(ct.to_vec());
        crypto::open(
            &self.seal_key,
            nonce,
            &material_aad(key_id, version_id),
            &mut buf,
        )
        .ok_or_else(corrupt)?;
        let mut key = Key32::zeroed();
        if buf.len() != 32 {
            return Err(corrupt());
        }
        key.bytes_mut().copy_from_slice(&buf);
        Ok(key)
    }
}

fn material_aad(key_id: &[u8; 16], version_id: &[u8; 16]) -> Vec<u8> {
    let mut aad = b"oss-sse-kms material v1\0".to_vec();
    aad.extend_from_slice(key_id);
    aad.extend_from_slice(version_id);
    aad
}

fn create_dir(dir: &Path) -> Result<(), KmsError> {
    let mut b = fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        b.mode(0o700);
    }
    b.create(dir)
        .map_err(|e| KmsError::io(format!("creating keystore directory {}", dir.display()), e))
}

/// Takes the advisory lock on `dir/LOCK`, refusing if another open file description holds it (another
/// process, or another `LocalKms` in this one). The kernel drops the lock when the holder exits, however it
/// exits, so a crash never leaves a stale lock.
fn lock(dir: &Path) -> Result<File, KmsError> {
    let path = dir.join(LOCK_FILE);
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(|e| KmsError::io(format!("opening lock file {}", path.display()), e))?;
    match file.try_lock() {
        Ok(()) => {}
        Err(fs::TryLockError::WouldBlock) => {
            let holder = fs::read_to_string(&path)
                .ok()
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty());
            return Err(KmsError::KeystoreLocked {
                dir: dir.to_path_buf(),
                lock_file: path,
                holder,
            });
        }
        Err(fs::TryLockError::Error(e)) => {
            return Err(KmsError::io(format!("locking {}", path.display()), e));
        }
    }
    // The pid is only informational (for the "held by" message); failing to write it is harmless.
    let _ = file
        .set_len(0)
        .and_then(|()| file.write_all(format!("{}\n", std::process::id()).as_bytes()));
    Ok(file)
}

fn clean_temporaries(dir: &Path) -> Result<(), KmsError> {
    let entries =
        fs::read_dir(dir).map_err(|e| KmsError::io(format!("listing {}", dir.display()), e))?;
    for entry in entries.flatten() {
        if entry.file_name().to_string_lossy().contains(TMP_MARKER) {
            // A leftover of a write interrupted before its rename: never the live file, safe to drop.
            let _ = fs::remove_file(entry.path());
        }
    }
    Ok(())
}

fn root_key_from_env_or_file(dir: &Path, state_exists: bool) -> Result<RootKey, KmsError> {
    if let Some(v) = std::env::var_os(ROOT_KEY_ENV) {
        let v = zeroize::Zeroizing::new(v.into_string().map_err(|_| KmsError::InvalidRootKey {
            reason: format!("{ROOT_KEY_ENV} is not valid UTF-8"),
        })?);
        return RootKey::from_base64(&v).map_err(|e| KmsError::InvalidRootKey {
            reason: format!("{ROOT_KEY_ENV}: {e}"),
        });
    }
    let path = dir.join(ROOT_KEY_FILE);
    match fs::read_to_string(&path).map(zeroize::Zeroizing::new) {
        Ok(text) => RootKey::from_base64(&text).map_err(|e| KmsError::InvalidRootKey {
            reason: format!("{}: {e}", path.display()),
        }),
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            if state_exists {
                return Err(KmsError::InvalidRootKey {
                    reason: format!(
                        "the keystore {} exists but its root key does not: set {ROOT_KEY_ENV} or restore {}",
                        dir.display(),
                        path.display()
                    ),
                });
            }
            let key = RootKey::generate()?;
            write_atomic(
                dir,
                ROOT_KEY_FILE,
                key.to_base64().as_bytes(),
                Some(0o600),
                None::<()>,
            )
            .map_err(|e| KmsError::io(format!("writing {}", path.display()), e))?;
            Ok(key)
        }
        Err(e) => Err(KmsError::io(format!("reading {}", path.display()), e)),
    }
}

/// Writes `bytes` to `dir/name` atomically and durably: temporary file, fsync, rename, fsync of the
/// directory. `mode` sets the permissions of the new file (Unix).
fn write_atomic<C: CrashHook>(
    dir: &Path,
    name: &str,
    bytes: &[u8],
    mode: Option<u32>,
    crash: Option<C>,
) -> io::Result<()> {
    let mut suffix = [0u8; 8];
    crypto::random_fill(&SystemRandom::new(), &mut suffix).map_err(io::Error::other)?;
    let tmp = dir.join(format!(
        "{name}{TMP_MARKER}{}",
        suffix
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    ));
    let mut opts = OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(mode.unwrap_or(0o600));
    }
    #[cfg(not(unix))]
    let _ = mode;
    let mut f = opts.open(&tmp)?;
    if let Some(c) = &crash {
        c.mid_write(&mut f, bytes)?;
    }
    let result = f
        .write_all(bytes)
        .and_then(|()| f.sync_all())
        .and_then(|()| match &crash {
            Some(c) => c.before_rename(),
            None => Ok(()),
        })
        .and_then(|()| fs::rename(&tmp, dir.join(name)))
        .and_then(|()| sync_dir(dir));
    if result.is_err() && !crash.as_ref().is_some_and(|c| c.simulated()) {
        // A real failure (disk full, ...): don't leave the temporary behind. A simulated crash leaves it,
        // exactly as a real crash would.
        let _ = fs::remove_file(&tmp);
    }
    result
}

fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        File::open(dir)?.sync_all()
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        Ok(())
    }
}

/// Test hook into [`write_atomic`]; the unit type means "no crash".
trait CrashHook {
    fn mid_write(&self, f: &mut File, bytes: &[u8]) -> io::Result<()>;
    fn before_rename(&self) -> io::Result<()>;
    fn simulated(&self) -> bool;
}

impl CrashHook for () {
    fn mid_write(&self, _: &mut File, _: &[u8]) -> io::Result<()> {
        Ok(())
    }
    fn before_rename(&self) -> io::Result<()> {
        Ok(())
    }
    fn simulated(&self) -> bool {
        false
    }
}

#[cfg(test)]
impl CrashHook for CrashPoint {
    fn mid_write(&self, f: &mut File, bytes: &[u8]) -> io::Result<()> {
        if *self == CrashPoint::MidWrite {
            f.write_all(&bytes[..bytes.len() / 2])?;
            f.sync_all()?;
            return Err(io::Error::other("simulated crash in the middle of a write"));
        }
        Ok(())
    }
    fn before_rename(&self) -> io::Result<()> {
        if *self == CrashPoint::BeforeRename {
            return Err(io::Error::other("simulated crash between write and rename"));
        }
        Ok(())
    }
    fn simulated(&self) -> bool {
        true
    }
}
