//! `LocalKms`: the [`Kms`] implemented over a keystore directory.
//!
//! Keys live in memory after open (behind one `RwLock`), so GenerateDataKey, Encrypt, Decrypt and
//! ReEncrypt take only a read lock and touch no file. Key-state changes (create, alias, rotate,
//! enable/disable, deletion scheduling, and the automatic rotations and completed deletions the clock
//! brings) are made on a copy of the state, written atomically to disk, and only then published, so memory
//! and disk never disagree even when a write fails.
//!
//! Schedules are applied lazily: every call first checks, with one atomic load, whether the clock has
//! reached the earliest pending rotation or deletion, and applies whatever is due before doing its work.
//!
//! Metering counters are kept in memory and written to `usage.json`: at most every
//! [`USAGE_FLUSH_INTERVAL`] by the call that notices they are due, after every key-state change, on
//! [`LocalKms::flush`], and when the `LocalKms` is dropped. A crash (not a clean drop) can therefore lose the
//! counts of the last interval at most; the keys themselves are never at risk.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError, RwLock, RwLockReadGuard};
use std::time::{Duration, Instant};

use ring::rand::SystemRandom;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::blob::{self, ParsedBlob, BLOB_HEADER_LEN};
use crate::clock::{Clock, SystemClock};
use crate::crypto::{self, VersionKeys, NONCE_LEN};
use crate::id::{format_id, new_id, parse_id, RawId};
use crate::model::*;
use crate::secret::SecretBytes;
use crate::store::{RootKey, RootKeySource, Store};
use crate::{EncryptionContext, Kms, KmsError};

/// The alias of the default service key, created on first use (what OSS uses for SSE-KMS without a key id).
pub const DEFAULT_KEY_ALIAS: &str = "alias/acs/oss";
/// Aliases under this prefix belong to the service: users cannot create them, and the keys they name
/// cannot be disabled or scheduled for deletion.
pub const SERVICE_ALIAS_PREFIX: &str = "alias/acs/";
/// How often, at most, metering counters are written during normal operation.
pub const USAGE_FLUSH_INTERVAL: Duration = Duration::from_secs(5);

const STATE_FORMAT: u32 = 1;
const OPS: usize = Operation::ALL.len();

/// How to open a [`LocalKms`]: root key source and clock.
#[derive(Clone, Debug)]
pub struct KmsOptions {
    root_key: RootKeySource,
    clock: Arc<dyn Clock>,
}

impl Default for KmsOptions {
    fn default() -> Self {
        Self {
            root_key: RootKeySource::EnvOrFile,
            clock: Arc::new(SystemClock),
        }
    }
}

impl KmsOptions {
    /// Root key from `OSS_SSE_KMS_ROOT_KEY` or the store's `root.key`; the system clock.
    pub fn new() -> Self {
        Self::default()
    }

    /// Use this root key instead of the environment or a file.
    pub fn root_key(mut self, key: RootKey) -> Self {
        self.root_key = RootKeySource::Key(key);
        self
    }

    /// Use this clock (tests move it to trigger rotations and deletions).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Opens (or creates) the keystore in `dir`.
    pub fn open(self, dir: impl AsRef<Path>) -> Result<LocalKms, KmsError> {
        LocalKms::open_impl(dir.as_ref(), self)
    }
}

#[derive(Clone, Debug)]
struct VersionEntry {
    id: RawId,
    creation_date: u64,
    sealed: String,
    keys: Arc<VersionKeys>,
}

#[derive(Clone, Debug)]
struct KeyEntry {
    id: RawId,
    description: String,
    creation_date: u64,
    state: KeyState,
    state_before_deletion: Option<KeyState>,
    delete_date: Option<u64>,
    rotation_interval: Option<u64>,
    last_rotation_date: u64,
    /// Oldest first; never empty; the last is the primary version.
    versions: Vec<VersionEntry>,
}

impl KeyEntry {
    fn primary(&self) -> Result<&VersionEntry, KmsError> {
        self.versions
            .last()
            .ok_or_else(|| KmsError::KeystoreCorrupt {
                reason: format!("key {} has no version", format_id(&self.id)),
            })
    }

    fn version(&self, id: &RawId) -> Option<&VersionEntry> {
        self.versions.iter().find(|v| &v.id == id)
    }

    fn next_rotation(&self) -> Option<u64> {
        self.rotation_interval
            .map(|i| self.last_rotation_date.saturating_add(i))
    }

    /// Refuses cryptographic use unless enabled.
    fn usable(&self) -> Result<(), KmsError> {
        match self.state {
            KeyState::Enabled => Ok(()),
            KeyState::Disabled => Err(KmsError::Disabled {
                key_id: format_id(&self.id),
            }),
            KeyState::PendingDeletion => Err(self.pending_deletion()),
        }
    }

    fn pending_deletion(&self) -> KmsError {
        KmsError::PendingDeletion {
            key_id: format_id(&self.id),
            delete_date: self.delete_date.unwrap_or(0),
        }
    }

    fn refuse_if_pending_deletion(&self) -> Result<(), KmsError> {
        if self.state == KeyState::PendingDeletion {
            return Err(self.pending_deletion());
        }
        Ok(())
    }
}

#[derive(Clone, Debug, Default)]
struct State {
    created: u64,
    keys: BTreeMap<RawId, KeyEntry>,
    aliases: BTreeMap<String, RawId>,
    /// Deleted keys and when they were deleted, so their blobs get `Forbidden.KeyDeleted`.
    deleted: BTreeMap<RawId, u64>,
}

impl State {
    fn key(&self, id: &RawId) -> Result<&KeyEntry, KmsError> {
        self.keys.get(id).ok_or_else(|| self.missing(id))
    }

    fn key_mut(&mut self, id: &RawId) -> Result<&mut KeyEntry, KmsError> {
        let missing = self.missing(id);
        self.keys.get_mut(id).ok_or(missing)
    }

    fn missing(&self, id: &RawId) -> KmsError {
        if self.deleted.contains_key(id) {
            KmsError::KeyDeleted {
                key_id: format_id(id),
            }
        } else {
            KmsError::KeyNotFound {
                key_id: format_id(id),
            }
        }
    }

    /// Key id or alias to key id, without creating anything.
    fn resolve(&self, name: &str) -> Result<RawId, KmsError> {
        if name.starts_with("alias/") {
            return self
                .aliases
                .get(name)
                .copied()
                .ok_or_else(|| KmsError::AliasNotFound {
                    alias: name.to_string(),
                });
        }
        let id = parse_id(name).ok_or_else(|| KmsError::KeyNotFound {
            key_id: name.to_string(),
        })?;
        self.key(&id).map(|k| k.id)
    }

    fn is_service_key(&self, id: &RawId) -> bool {
        self.aliases
            .iter()
            .any(|(a, k)| k == id && a.starts_with(SERVICE_ALIAS_PREFIX))
    }

    fn metadata(&self, key: &KeyEntry) -> KeyMetadata {
        KeyMetadata {
            key_id: format_id(&key.id),
            description: key.description.clone(),
            creation_date: key.creation_date,
            key_state: key.state,
            primary_key_version: key
                .versions
                .last()
                .map(|v| format_id(&v.id))
                .unwrap_or_default(),
            key_versions: key
                .versions
                .iter()
                .map(|v| KeyVersion {
                    key_version_id: format_id(&v.id),
                    creation_date: v.creation_date,
                })
                .collect(),
            rotation_interval: key.rotation_interval,
            last_rotation_date: key.last_rotation_date,
            next_rotation_date: key.next_rotation(),
            delete_date: key.delete_date,
            aliases: self
                .aliases
                .iter()
                .filter(|(_, k)| **k == key.id)
                .map(|(a, _)| a.clone())
                .collect(),
        }
    }

    /// The earliest instant at which a schedule (rotation or deletion) falls due.
    fn next_due(&self) -> u64 {
        self.keys
            .values()
            .filter_map(|k| match k.state {
                KeyState::Enabled => k.next_rotation(),
                KeyState::PendingDeletion => k.delete_date,
                KeyState::Disabled => None,
            })
            .min()
            .unwrap_or(u64::MAX)
    }
}

// ---- on-disk form of the state ----

#[derive(Serialize, Deserialize)]
struct StateDoc {
    format: u32,
    created: u64,
    keys: Vec<KeyDoc>,
    aliases: BTreeMap<String, String>,
    deleted: BTreeMap<String, u64>,
}

#[derive(Serialize, Deserialize)]
struct KeyDoc {
    key_id: String,
    description: String,
    creation_date: u64,
    key_state: KeyState,
    state_before_deletion: Option<KeyState>,
    delete_date: Option<u64>,
    rotation_interval: Option<u64>,
    last_rotation_date: u64,
    versions: Vec<VersionDoc>,
}

#[derive(Serialize, Deserialize)]
struct VersionDoc {
    key_version_id: String,
    creation_date: u64,
    /// base64(nonce ‖ AES-256-GCM(material)) under the root key's sealing subkey.
    sealed_material: String,
}

fn corrupt(reason: impl Into<String>) -> KmsError {
    KmsError::KeystoreCorrupt {
        reason: reason.into(),
    }
}

fn doc_id(s: &str) -> Result<RawId, KmsError> {
    parse_id(s).ok_or_else(|| corrupt(format!("bad id {s:?} in keystore")))
}

// ---- metering ----

#[derive(Clone, Debug)]
struct Counters {
    since: u64,
    ops: [OperationUsage; OPS],
    keys: BTreeMap<RawId, [u64; OPS]>,
}

impl Counters {
    fn report(&self) -> UsageReport {
        UsageReport {
            since: self.since,
            operations: Operation::ALL
                .iter()
                .zip(self.ops.iter())
                .filter(|(_, u)| u.calls > 0)
                .map(|(op, u)| (*op, *u))
                .collect(),
            keys: self
                .keys
                .iter()
                .map(|(id, counts)| {
                    let per_op = Operation::ALL
                        .iter()
                        .zip(counts.iter())
                        .filter(|(_, n)| **n > 0)
                        .map(|(op, n)| (*op, *n))
                        .collect();
                    (format_id(id), per_op)
                })
                .collect(),
        }
    }

    fn from_report(r: &UsageReport) -> Self {
        let mut c = Self {
            since: r.since,
            ops: [OperationUsage::default(); OPS],
            keys: BTreeMap::new(),
        };
        for (op, u) in &r.operations {
            c.ops[op_index(*op)] = *u;
        }
        for (id, per_op) in &r.keys {
            // Ids that do not parse cannot have come from us; dropping them keeps the store usable.
            if let Some(raw) = parse_id(id) {
                let slot = c.keys.entry(raw).or_insert([0; OPS]);
                for (op, n) in per_op {
                    slot[op_index(*op)] = *n;
                }
            }
        }
        c
    }
}

fn op_index(op: Operation) -> usize {
    Operation::ALL.iter().position(|o| *o == op).unwrap_or(0)
}

#[derive(Debug)]
struct Meter {
    counters: Mutex<Counters>,
    dirty: AtomicBool,
    /// Milliseconds since `epoch` of the last write of the counters.
    last_flush_ms: AtomicU64,
    epoch: Instant,
    flushing: Mutex<()>,
}

/// The local KMS. Open one per keystore directory and share it (`Arc<LocalKms>`): all methods take `&self`
/// and it is `Send + Sync`.
pub struct LocalKms {
    store: Store,
    state: RwLock<State>,
    clock: Arc<dyn Clock>,
    rng: SystemRandom,
    next_due: AtomicU64,
    meter: Meter,
}

impl std::fmt::Debug for LocalKms {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let keys = self.read().keys.len();
        f.debug_struct("LocalKms")
            .field("dir", &self.store.dir())
            .field("keys", &keys)
            .finish_non_exhaustive()
    }
}

impl LocalKms {
    /// Opens (or creates) the keystore in `dir`, with the root key from `OSS_SSE_KMS_ROOT_KEY` or
    /// `dir/root.key`, and the system clock.
    pub fn open(dir: impl AsRef<Path>) -> Result<Self, KmsError> {
        KmsOptions::new().open(dir)
    }

    /// As [`LocalKms::open`], with an injected clock.
    pub fn open_with_clock(dir: impl AsRef<Path>, clock: Arc<dyn Clock>) -> Result<Self, KmsError> {
        KmsOptions::new().clock(clock).open(dir)
    }

    /// Options for opening: `LocalKms::options().root_key(k).clock(c).open(dir)`.
    pub fn options() -> KmsOptions {
        KmsOptions::new()
    }

    fn open_impl(dir: &Path, options: KmsOptions) -> Result<Self, KmsError> {
        let (store, doc) = Store::open(dir, options.root_key)?;
        let now = options.clock.now();
        let fresh = doc.is_none();
        let state = match doc {
            Some(bytes) => load_state(&store, &bytes)?,
            None => State {
                created: now,
                ..State::default()
            },
        };
        let counters = match store.read_usage()? {
            Some(bytes) => {
                let report: UsageReport = serde_json::from_slice(&bytes)
                    .map_err(|e| corrupt(format!("usage.json: {e}")))?;
                Counters::from_report(&report)
            }
            None => Counters {
                since: state.created,
                ops: [OperationUsage::default(); OPS],
                keys: BTreeMap::new(),
            },
        };
        let kms = Self {
            next_due: AtomicU64::new(state.next_due()),
            state: RwLock::new(state),
            store,
            clock: options.clock,
            rng: SystemRandom::new(),
            meter: Meter {
                counters: Mutex::new(counters),
                dirty: AtomicBool::new(false),
                last_flush_ms: AtomicU64::new(0),
                epoch: Instant::now(),
                flushing: Mutex::new(()),
            },
        };
        if fresh {
            // Write the empty store now, so a second open finds a keystore (and its root key is then
            // required) rather than silently starting another one.
            let st = kms.read().clone();
            kms.persist(&st)?;
        }
        Ok(kms)
    }

    /// The keystore directory.
    pub fn dir(&self) -> &Path {
        self.store.dir()
    }

    /// Writes the metering counters now (they are otherwise written periodically and on drop).
    pub fn flush(&self) -> Result<(), KmsError> {
        let _guard = self
            .meter
            .flushing
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        self.flush_locked()
    }

    /// Applies every rotation and deletion that the clock has made due (every call does this first anyway;
    /// this is for a caller that wants it to happen without making a call, e.g. from a timer).
    pub fn apply_schedules(&self) -> Result<(), KmsError> {
        if self.clock.now() < self.next_due.load(Ordering::Acquire) {
            return Ok(());
        }
        let mut guard = self.write();
        self.run_schedules_locked(&mut guard)
    }

    /// Gets or creates the service key bound to `alias` (which must start with `alias/acs/`), with
    /// automatic rotation every `rotation_interval` if given; an existing key's rotation policy is updated
    /// to match. This is how an emulator owns its SSE-OSS master key. Not metered (it is not a user call).
    pub fn ensure_service_key(
        &self,
        alias: &str,
        description: &str,
        rotation_interval: Option<Duration>,
    ) -> Result<KeyMetadata, KmsError> {
        if !alias.starts_with(SERVICE_ALIAS_PREFIX) {
            return Err(KmsError::invalid(format!(
                "a service key alias must start with {SERVICE_ALIAS_PREFIX}"
            )));
        }
        validate_alias_syntax(alias)?;
        let interval = rotation_interval.map(interval_secs).transpose()?;
        self.apply_schedules()?;
        let id = self.service_key(alias, description, Some(interval))?;
        let st = self.read();
        Ok(st.metadata(st.key(&id)?))
    }

    // ---- internals ----

    /// Get-or-create of the key behind a service alias. `policy` is the rotation interval to enforce, or
    /// `None` to leave an existing key's policy alone (creating without rotation).
    fn service_key(
        &self,
        alias: &str,
        description: &str,
        policy: Option<Option<u64>>,
    ) -> Result<RawId, KmsError> {
        {
            let st = self.read();
            if let Some(id) = st.aliases.get(alias) {
                let key = st.key(id)?;
                if policy.is_none_or(|p| p == key.rotation_interval) {
                    return Ok(key.id);
                }
            }
        }
        // Re-checked under the write lock: another thread may have created it meanwhile.
        self.mutate(|st, now| {
            if let Some(id) = st.aliases.get(alias).copied() {
                if let Some(p) = policy {
                    st.key_mut(&id)?.rotation_interval = p;
                }
                return Ok(id);
            }
            let key = self.new_key(description.to_string(), policy.flatten(), now)?;
            let id = key.id;
            st.keys.insert(id, key);
            st.aliases.insert(alias.to_string(), id);
            Ok(id)
        })
    }

    fn read(&self) -> RwLockReadGuard<'_, State> {
        // State is only ever replaced whole after a successful write, so a panic elsewhere while the lock
        // was held cannot have left it half-changed: recovering from poison is safe.
        self.state.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, State> {
        self.state.write().unwrap_or_else(PoisonError::into_inner)
    }

    /// Runs `f` on a copy of the state (after applying due schedules), persists the copy, then publishes it.
    fn mutate<T>(
        &self,
        f: impl FnOnce(&mut State, u64) -> Result<T, KmsError>,
    ) -> Result<T, KmsError> {
        let mut guard = self.write();
        self.run_schedules_locked(&mut guard)?;
        let now = self.clock.now();
        let mut next = guard.clone();
        let out = f(&mut next, now)?;
        self.persist(&next)?;
        *guard = next;
        self.next_due.store(guard.next_due(), Ordering::Release);
        drop(guard);
        // Piggyback the counters on the state write; a failure here only delays them to the next flush.
        let _ = self.flush();
        Ok(out)
    }

    fn run_schedules_locked(&self, guard: &mut State) -> Result<(), KmsError> {
        let now = self.clock.now();
        if now < guard.next_due() {
            self.next_due.store(guard.next_due(), Ordering::Release);
            return Ok(());
        }
        let mut next = guard.clone();
        let mut doomed = Vec::new();
        for key in next.keys.values_mut() {
            match key.state {
                KeyState::PendingDeletion if key.delete_date.is_some_and(|d| now >= d) => {
                    doomed.push((key.id, key.delete_date.unwrap_or(now)));
                }
                KeyState::Enabled if key.next_rotation().is_some_and(|r| now >= r) => {
                    // However many intervals have passed, one new version: what matters is that the
                    // primary version is no older than the interval.
                    let v = self.new_version(&key.id, now)?;
                    key.versions.push(v);
                    key.last_rotation_date = now;
                }
                _ => {}
            }
        }
        for (id, when) in doomed {
            next.keys.remove(&id);
            next.aliases.retain(|_, k| *k != id);
            next.deleted.insert(id, when);
        }
        self.persist(&next)?;
        *guard = next;
        self.next_due.store(guard.next_due(), Ordering::Release);
        Ok(())
    }

    fn persist(&self, st: &State) -> Result<(), KmsError> {
        let doc = StateDoc {
            format: STATE_FORMAT,
            created: st.created,
            keys: st
                .keys
                .values()
                .map(|k| KeyDoc {
                    key_id: format_id(&k.id),
                    description: k.description.clone(),
                    creation_date: k.creation_date,
                    key_state: k.state,
                    state_before_deletion: k.state_before_deletion,
                    delete_date: k.delete_date,
                    rotation_interval: k.rotation_interval,
                    last_rotation_date: k.last_rotation_date,
                    versions: k
                        .versions
                        .iter()
                        .map(|v| VersionDoc {
                            key_version_id: format_id(&v.id),
                            creation_date: v.creation_date,
                            sealed_material: v.sealed.clone(),
                        })
                        .collect(),
                })
                .collect(),
            aliases: st
                .aliases
                .iter()
                .map(|(a, k)| (a.clone(), format_id(k)))
                .collect(),
            deleted: st.deleted.iter().map(|(k, d)| (format_id(k), *d)).collect(),
        };
        let body = serde_json::to_vec_pretty(&doc)
            .map_err(|e| KmsError::io("encoding the keystore", std::io::Error::other(e)))?;
        self.store.write_state(&body)
    }

    fn new_version(&self, key_id: &RawId, now: u64) -> Result<VersionEntry, KmsError> {
        let material = crypto::random_key(&self.rng)?;
        let id = new_id(&self.rng)?;
        let sealed = self
            .store
            .seal_material(&self.rng, key_id, &id, &material)?;
        Ok(VersionEntry {
            id,
            creation_date: now,
            sealed,
            keys: Arc::new(VersionKeys::derive(&material)),
        })
    }

    fn new_key(
        &self,
        description: String,
        rotation_interval: Option<u64>,
        now: u64,
    ) -> Result<KeyEntry, KmsError> {
        let id = new_id(&self.rng)?;
        let version = self.new_version(&id, now)?;
        Ok(KeyEntry {
            id,
            description,
            creation_date: now,
            state: KeyState::Enabled,
            state_before_deletion: None,
            delete_date: None,
            rotation_interval,
            last_rotation_date: now,
            versions: vec![version],
        })
    }

    /// Key id or alias to key id; creates the default service key on first use of its alias.
    fn resolve(&self, name: &str) -> Result<RawId, KmsError> {
        match self.read().resolve(name) {
            Err(KmsError::AliasNotFound { .. }) if name == DEFAULT_KEY_ALIAS => {}
            other => return other,
        }
        self.service_key(
            DEFAULT_KEY_ALIAS,
            "Default service key of OSS server-side encryption (SSE-KMS without a key id)",
            None,
        )
    }

    /// Counts the call, attributing it to the key `f` resolved (if any), then flushes counters if due.
    fn metered<T>(
        &self,
        op: Operation,
        f: impl FnOnce(&mut Option<RawId>) -> Result<T, KmsError>,
    ) -> Result<T, KmsError> {
        let mut key = None;
        let out = self.apply_schedules().and_then(|()| f(&mut key));
        {
            let mut c = self
                .meter
                .counters
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            let i = op_index(op);
            c.ops[i].calls += 1;
            if out.is_err() {
                c.ops[i].errors += 1;
            }
            if let Some(id) = key {
                c.keys.entry(id).or_insert([0; OPS])[i] += 1;
            }
        }
        self.meter.dirty.store(true, Ordering::Release);
        self.maybe_flush();
        out
    }

    fn maybe_flush(&self) {
        let now_ms = u64::try_from(self.meter.epoch.elapsed().as_millis()).unwrap_or(u64::MAX);
        let last = self.meter.last_flush_ms.load(Ordering::Acquire);
        if now_ms.saturating_sub(last) < USAGE_FLUSH_INTERVAL.as_millis() as u64 {
            return;
        }
        // Only one thread writes; the others carry on without waiting.
        if let Ok(_guard) = self.meter.flushing.try_lock() {
            // Errors are retried at the next interval (dirty stays set).
            let _ = self.flush_locked();
        }
    }

    fn flush_locked(&self) -> Result<(), KmsError> {
        if !self.meter.dirty.swap(false, Ordering::AcqRel) {
            return Ok(());
        }
        let report = self
            .meter
            .counters
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .report();
        let result = serde_json::to_vec_pretty(&report)
            .map_err(|e| KmsError::io("encoding usage", std::io::Error::other(e)))
            .and_then(|body| self.store.write_usage(&body));
        let now_ms = u64::try_from(self.meter.epoch.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.meter.last_flush_ms.store(now_ms, Ordering::Release);
        if result.is_err() {
            self.meter.dirty.store(true, Ordering::Release);
        }
        result
    }

    fn encrypt_under(
        &self,
        key: &KeyEntry,
        plaintext: &[u8],
        canonical_context: &[u8],
    ) -> Result<Ciphertext, KmsError> {
        key.usable()?;
        let version = key.primary()?;
        let mut nonce = [0u8; NONCE_LEN];
        crypto::random_fill(&self.rng, &mut nonce)?;
        let fingerprint = version.keys.context_fingerprint(canonical_context);
        let mut blob = blob::header(&key.id, &version.id, &fingerprint, &nonce);
        let mut aad = Vec::with_capacity(BLOB_HEADER_LEN + canonical_context.len());
        aad.extend_from_slice(&blob);
        aad.extend_from_slice(canonical_context);
        blob.reserve(plaintext.len() + crypto::TAG_LEN);
        blob.extend_from_slice(plaintext);
        let tag =
            crypto::seal_separate(&version.keys.enc, nonce, &aad, &mut blob[BLOB_HEADER_LEN..])?;
        blob.extend_from_slice(&tag);
        Ok(Ciphertext {
            key_id: format_id(&key.id),
            key_version_id: format_id(&version.id),
            ciphertext_blob: blob,
        })
    }

    /// Decrypts under the state `st`; records the blob's key in `slot` as soon as it is known to exist.
    fn decrypt_in(
        &self,
        st: &State,
        blob: &[u8],
        context: &EncryptionContext,
        slot: &mut Option<RawId>,
    ) -> Result<(RawId, RawId, Zeroizing<Vec<u8>>), KmsError> {
        let parsed = ParsedBlob::parse(blob)?;
        let key = st.key(&parsed.key_id)?;
        *slot = Some(key.id);
        key.usable()?;
        let version =
            key.version(&parsed.key_version_id)
                .ok_or_else(|| KmsError::KeyVersionNotFound {
                    key_id: format_id(&key.id),
                    key_version_id: format_id(&parsed.key_version_id),
                })?;
        let canonical = context.checked_canonical_bytes()?;
        if !version
            .keys
            .verify_fingerprint(&canonical, parsed.fingerprint)
        {
            return Err(KmsError::EncryptionContextMismatch);
        }
        let mut aad = Vec::with_capacity(BLOB_HEADER_LEN + canonical.len());
        aad.extend_from_slice(parsed.header);
        aad.extend_from_slice(&canonical);
        let mut buf = Zeroizing::new(parsed.sealed.to_vec());
        crypto::open(&version.keys.enc, parsed.nonce, &aad, &mut buf)
            .ok_or(KmsError::CiphertextTampered)?;
        Ok((key.id, version.id, buf))
    }

    fn key_op(
        &self,
        op: Operation,
        key_id: &str,
        f: impl FnOnce(&State, &mut KeyEntry, u64) -> Result<(), KmsError>,
    ) -> Result<KeyMetadata, KmsError> {
        self.metered(op, |slot| {
            let id = self.resolve(key_id)?;
            *slot = Some(id);
            self.mutate(|st, now| {
                let snapshot = st.clone();
                let key = st.key_mut(&id)?;
                f(&snapshot, key, now)?;
                Ok(())
            })?;
            let st = self.read();
            Ok(st.metadata(st.key(&id)?))
        })
    }
}

impl Drop for LocalKms {
    fn drop(&mut self) {
        // Last chance to keep the counters; nothing can be reported from a destructor.
        let _ = self.flush();
    }
}

fn load_state(store: &Store, bytes: &[u8]) -> Result<State, KmsError> {
    let doc: StateDoc =
        serde_json::from_slice(bytes).map_err(|e| corrupt(format!("keystore.json: {e}")))?;
    if doc.format != STATE_FORMAT {
        return Err(corrupt(format!(
            "keystore format {} is not supported (expected {STATE_FORMAT})",
            doc.format
        )));
    }
    let mut st = State {
        created: doc.created,
        ..State::default()
    };
    for k in doc.keys {
        let id = doc_id(&k.key_id)?;
        let mut versions = Vec::with_capacity(k.versions.len());
        for v in k.versions {
            let vid = doc_id(&v.key_version_id)?;
            let material = store.unseal_material(&id, &vid, &v.sealed_material)?;
            versions.push(VersionEntry {
                id: vid,
                creation_date: v.creation_date,
                sealed: v.sealed_material,
                keys: Arc::new(VersionKeys::derive(&material)),
            });
        }
        if versions.is_empty() {
            return Err(corrupt(format!("key {} has no version", k.key_id)));
        }
        st.keys.insert(
            id,
            KeyEntry {
                id,
                description: k.description,
                creation_date: k.creation_date,
                state: k.key_state,
                state_before_deletion: k.state_before_deletion,
                delete_date: k.delete_date,
                rotation_interval: k.rotation_interval,
                last_rotation_date: k.last_rotation_date,
                versions,
            },
        );
    }
    for (alias, k) in doc.aliases {
        st.aliases.insert(alias, doc_id(&k)?);
    }
    for (k, when) in doc.deleted {
        st.deleted.insert(doc_id(&k)?, when);
    }
    Ok(st)
}

fn interval_secs(d: Duration) -> Result<u64, KmsError> {
    match d.as_secs() {
        0 => Err(KmsError::invalid(
            "RotationInterval must be at least one second",
        )),
        s => Ok(s),
    }
}

fn validate_alias_syntax(alias: &str) -> Result<(), KmsError> {
    let rest = alias
        .strip_prefix("alias/")
        .ok_or_else(|| KmsError::invalid(format!("AliasName {alias:?} must start with alias/")))?;
    if rest.is_empty()
        || alias.len() > 255
        || rest.starts_with('/')
        || rest.ends_with('/')
        || !rest
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '/'))
    {
        return Err(KmsError::invalid(format!(
            "AliasName {alias:?} must be alias/ followed by 1 to 249 letters, digits, '_', '-' or '/'"
        )));
    }
    Ok(())
}

impl Kms for LocalKms {
    fn create_key(&self, request: &CreateKeyRequest) -> Result<KeyMetadata, KmsError> {
        self.metered(Operation::CreateKey, |slot| {
            let interval = request.rotation_interval.map(interval_secs).transpose()?;
            let id = self.mutate(|st, now| {
                let key = self.new_key(request.description.clone(), interval, now)?;
                let id = key.id;
                st.keys.insert(id, key);
                Ok(id)
            })?;
            *slot = Some(id);
            let st = self.read();
            Ok(st.metadata(st.key(&id)?))
        })
    }

    fn describe_key(&self, key_id: &str) -> Result<KeyMetadata, KmsError> {
        self.metered(Operation::DescribeKey, |slot| {
            let id = self.resolve(key_id)?;
            *slot = Some(id);
            let st = self.read();
            Ok(st.metadata(st.key(&id)?))
        })
    }

    fn list_keys(&self) -> Result<Vec<KeyMetadata>, KmsError> {
        self.metered(Operation::ListKeys, |_| {
            let st = self.read();
            let mut keys: Vec<&KeyEntry> = st.keys.values().collect();
            keys.sort_by_key(|k| (k.creation_date, k.id));
            Ok(keys.into_iter().map(|k| st.metadata(k)).collect())
        })
    }

    fn create_alias(&self, alias_name: &str, key_id: &str) -> Result<(), KmsError> {
        self.metered(Operation::CreateAlias, |slot| {
            validate_alias_syntax(alias_name)?;
            if alias_name.starts_with(SERVICE_ALIAS_PREFIX) {
                return Err(KmsError::NoPermission {
                    reason: format!(
                        "aliases under {SERVICE_ALIAS_PREFIX} are reserved for the service"
                    ),
                });
            }
            let id = self.resolve(key_id)?;
            *slot = Some(id);
            self.mutate(|st, _| {
                st.key(&id)?.refuse_if_pending_deletion()?;
                if st.aliases.contains_key(alias_name) {
                    return Err(KmsError::AliasExists {
                        alias: alias_name.to_string(),
                    });
                }
                st.aliases.insert(alias_name.to_string(), id);
                Ok(())
            })
        })
    }

    fn list_aliases(&self) -> Result<Vec<AliasEntry>, KmsError> {
        self.metered(Operation::ListAliases, |_| {
            Ok(self
                .read()
                .aliases
                .iter()
                .map(|(a, k)| AliasEntry {
                    alias_name: a.clone(),
                    key_id: format_id(k),
                })
                .collect())
        })
    }

    fn resolve_key_id(&self, key_id_or_alias: &str) -> Result<String, KmsError> {
        self.apply_schedules()?;
        self.resolve(key_id_or_alias).map(|id| format_id(&id))
    }

    fn generate_data_key(&self, request: &GenerateDataKeyRequest) -> Result<DataKey, KmsError> {
        self.metered(Operation::GenerateDataKey, |slot| {
            let len = match (request.number_of_bytes, request.key_spec) {
                (Some(n), _) if (1..=MAX_DATA_KEY_BYTES).contains(&n) => n,
                (Some(n), _) => {
                    return Err(KmsError::invalid(format!(
                        "NumberOfBytes {n} is not in 1..={MAX_DATA_KEY_BYTES}"
                    )))
                }
                (None, spec) => spec.unwrap_or_default().byte_len(),
            };
            let canonical = request.encryption_context.checked_canonical_bytes()?;
            let id = self.resolve(&request.key_id)?;
            *slot = Some(id);
            let mut plaintext = Zeroizing::new(vec![0u8; len]);
            crypto::random_fill(&self.rng, &mut plaintext)?;
            let st = self.read();
            let ct = self.encrypt_under(st.key(&id)?, &plaintext, &canonical)?;
            Ok(DataKey {
                key_id: ct.key_id,
                key_version_id: ct.key_version_id,
                plaintext: SecretBytes::new(std::mem::take(&mut *plaintext)),
                ciphertext_blob: ct.ciphertext_blob,
            })
        })
    }

    fn encrypt(&self, request: &EncryptRequest) -> Result<Ciphertext, KmsError> {
        self.metered(Operation::Encrypt, |slot| {
            let n = request.plaintext.len();
            if !(1..=MAX_ENCRYPT_PLAINTEXT).contains(&n) {
                return Err(KmsError::invalid(format!(
                    "Plaintext is {n} bytes, not in 1..={MAX_ENCRYPT_PLAINTEXT}"
                )));
            }
            let canonical = request.encryption_context.checked_canonical_bytes()?;
            let id = self.resolve(&request.key_id)?;
            *slot = Some(id);
            let st = self.read();
            self.encrypt_under(st.key(&id)?, request.plaintext.expose(), &canonical)
        })
    }

    fn decrypt(&self, request: &DecryptRequest) -> Result<Decrypted, KmsError> {
        self.metered(Operation::Decrypt, |slot| {
            let expected = request
                .expected_key_id
                .as_deref()
                .map(|k| self.resolve(k))
                .transpose()?;
            let st = self.read();
            let (key_id, version_id, mut plaintext) = self.decrypt_in(
                &st,
                &request.ciphertext_blob,
                &request.encryption_context,
                slot,
            )?;
            if let Some(expected) = expected {
                if expected != key_id {
                    return Err(KmsError::IncorrectKey {
                        expected: format_id(&expected),
                        actual: format_id(&key_id),
                    });
                }
            }
            Ok(Decrypted {
                key_id: format_id(&key_id),
                key_version_id: format_id(&version_id),
                plaintext: SecretBytes::new(std::mem::take(&mut *plaintext)),
            })
        })
    }

    fn re_encrypt(&self, request: &ReEncryptRequest) -> Result<ReEncrypted, KmsError> {
        self.metered(Operation::ReEncrypt, |slot| {
            let destination = request
                .destination_key_id
                .as_deref()
                .map(|k| self.resolve(k))
                .transpose()?;
            let dest_context = request
                .destination_encryption_context
                .as_ref()
                .unwrap_or(&request.source_encryption_context)
                .checked_canonical_bytes()?;
            let st = self.read();
            let (src_key, src_version, plaintext) = self.decrypt_in(
                &st,
                &request.ciphertext_blob,
                &request.source_encryption_context,
                slot,
            )?;
            let dest_key = st.key(&destination.unwrap_or(src_key))?;
            let ciphertext = self.encrypt_under(dest_key, &plaintext, &dest_context)?;
            Ok(ReEncrypted {
                ciphertext,
                source_key_id: format_id(&src_key),
                source_key_version_id: format_id(&src_version),
            })
        })
    }

    fn enable_key(&self, key_id: &str) -> Result<KeyMetadata, KmsError> {
        self.key_op(Operation::EnableKey, key_id, |_, key, _| {
            key.refuse_if_pending_deletion()?;
            key.state = KeyState::Enabled;
            Ok(())
        })
    }

    fn disable_key(&self, key_id: &str) -> Result<KeyMetadata, KmsError> {
        self.key_op(Operation::DisableKey, key_id, |st, key, _| {
            key.refuse_if_pending_deletion()?;
            if st.is_service_key(&key.id) {
                return Err(KmsError::NoPermission {
                    reason: format!("the service key {} cannot be disabled", format_id(&key.id)),
                });
            }
            key.state = KeyState::Disabled;
            Ok(())
        })
    }

    fn schedule_key_deletion(
        &self,
        key_id: &str,
        pending_window_days: u32,
    ) -> Result<KeyMetadata, KmsError> {
        self.key_op(Operation::ScheduleKeyDeletion, key_id, |st, key, now| {
            if !(MIN_PENDING_WINDOW_DAYS..=MAX_PENDING_WINDOW_DAYS).contains(&pending_window_days) {
                return Err(KmsError::invalid(format!(
                    "PendingWindowInDays {pending_window_days} is not in {MIN_PENDING_WINDOW_DAYS}..={MAX_PENDING_WINDOW_DAYS}"
                )));
            }
            key.refuse_if_pending_deletion()?;
            if st.is_service_key(&key.id) {
                return Err(KmsError::NoPermission {
                    reason: format!("the service key {} cannot be deleted", format_id(&key.id)),
                });
            }
            key.state_before_deletion = Some(key.state);
            key.state = KeyState::PendingDeletion;
            key.delete_date = Some(now.saturating_add(u64::from(pending_window_days) * 86_400));
            Ok(())
        })
    }

    fn cancel_key_deletion(&self, key_id: &str) -> Result<KeyMetadata, KmsError> {
        self.key_op(Operation::CancelKeyDeletion, key_id, |_, key, _| {
            if key.state != KeyState::PendingDeletion {
                return Err(KmsError::InvalidKeyState {
                    key_id: format_id(&key.id),
                    state: key.state,
                    operation: "CancelKeyDeletion",
                });
            }
            // Back to the state it had when deletion was scheduled: cancelling must not re-enable a key
            // that had been disabled first.
            key.state = key
                .state_before_deletion
                .take()
                .unwrap_or(KeyState::Enabled);
            key.delete_date = None;
            Ok(())
        })
    }

    fn rotate_key(&self, key_id: &str) -> Result<KeyMetadata, KmsError> {
        self.key_op(Operation::RotateKey, key_id, |_, key, now| {
            key.usable()?;
            let v = self.new_version(&key.id, now)?;
            key.versions.push(v);
            key.last_rotation_date = now;
            Ok(())
        })
    }

    fn update_rotation_policy(
        &self,
        key_id: &str,
        rotation_interval: Option<Duration>,
    ) -> Result<KeyMetadata, KmsError> {
        let interval = rotation_interval.map(interval_secs).transpose();
        self.key_op(Operation::UpdateRotationPolicy, key_id, |_, key, _| {
            let interval = interval?;
            key.refuse_if_pending_deletion()?;
            key.rotation_interval = interval;
            Ok(())
        })
    }

    fn usage(&self) -> Result<UsageReport, KmsError> {
        Ok(self
            .meter
            .counters
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .report())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::CrashPoint;
    use crate::ManualClock;

    fn open(dir: &Path, clock: &Arc<ManualClock>) -> LocalKms {
        LocalKms::options()
            .root_key(RootKey::from_bytes([3; 32]))
            .clock(clock.clone())
            .open(dir)
            .unwrap()
    }

    fn crash_at(kms: &LocalKms, point: Option<CrashPoint>) {
        *kms.store.crash.lock().unwrap() = point;
    }

    fn temporaries(dir: &Path) -> usize {
        std::fs::read_dir(dir)
            .unwrap()
            .filter(|e| {
                e.as_ref()
                    .unwrap()
                    .file_name()
                    .to_string_lossy()
                    .contains(".tmp-")
            })
            .count()
    }

    /// A crash while a key-state change is being written leaves the previous state, the store opens, and
    /// work continues; for both crash points (half-written temporary file, complete temporary file not yet
    /// renamed).
    #[test]
    fn a_crash_between_write_and_rename_leaves_a_usable_store() {
        for point in [CrashPoint::MidWrite, CrashPoint::BeforeRename] {
            let dir = tempfile::tempdir().unwrap();
            let clock = Arc::new(ManualClock::new(1_000_000));
            let kms = open(dir.path(), &clock);
            let key = kms.create_key(&CreateKeyRequest::default()).unwrap().key_id;
            let ctx = EncryptionContext::new().with("b", "o");
            let dk = kms
                .generate_data_key(&GenerateDataKeyRequest::new(key.clone(), ctx.clone()))
                .unwrap();
            let before = kms.list_keys().unwrap();

            crash_at(&kms, Some(point));
            let err = kms.rotate_key(&key).unwrap_err();
            assert_eq!(err.code(), "InternalFailure", "{point:?}");
            // Memory was not changed by the failed write.
            assert_eq!(kms.list_keys().unwrap(), before);
            let err = kms.create_key(&CreateKeyRequest::default()).unwrap_err();
            assert_eq!(err.code(), "InternalFailure");
            assert!(
                temporaries(dir.path()) >= 1,
                "{point:?}: the crash left its temporary file"
            );
            crash_at(&kms, None);
            // The "crashed" process goes away (its lock is released as the kernel would release it).
            drop(kms);

            let kms = open(dir.path(), &clock);
            assert_eq!(temporaries(dir.path()), 0, "leftovers are cleaned at open");
            assert_eq!(kms.list_keys().unwrap(), before);
            let back = kms
                .decrypt(&DecryptRequest::new(
                    dk.ciphertext_blob.clone(),
                    ctx.clone(),
                ))
                .unwrap();
            assert_eq!(back.plaintext.expose(), dk.plaintext.expose());
            let rotated = kms.rotate_key(&key).unwrap();
            assert_eq!(rotated.key_versions.len(), 2);
            drop(kms);
            let kms = open(dir.path(), &clock);
            assert_eq!(kms.describe_key(&key).unwrap().key_versions.len(), 2);
        }
    }

    /// A crash while the automatic rotation triggered by a data-plane call is written fails that call
    /// and changes nothing; the rotation happens at the next call.
    #[test]
    fn a_crash_during_an_automatic_rotation_fails_the_call_and_changes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let clock = Arc::new(ManualClock::new(1_000_000));
        let kms = open(dir.path(), &clock);
        let key = kms
            .create_key(&CreateKeyRequest {
                description: String::new(),
                rotation_interval: Some(Duration::from_secs(3600)),
            })
            .unwrap()
            .key_id;
        clock.advance(Duration::from_secs(3600));
        crash_at(&kms, Some(CrashPoint::BeforeRename));
        let req = GenerateDataKeyRequest::new(key.clone(), EncryptionContext::new());
        assert_eq!(
            kms.generate_data_key(&req).unwrap_err().code(),
            "InternalFailure"
        );
        crash_at(&kms, None);
        assert_eq!(
            kms.read()
                .key(&parse_id(&key).unwrap())
                .unwrap()
                .versions
                .len(),
            1
        );
        let dk = kms.generate_data_key(&req).unwrap();
        let meta = kms.describe_key(&key).unwrap();
        assert_eq!(meta.key_versions.len(), 2);
        assert_eq!(dk.key_version_id, meta.primary_key_version);
    }

    #[test]
    fn a_crash_while_writing_counters_keeps_the_previous_counters() {
        let dir = tempfile::tempdir().unwrap();
        let clock = Arc::new(ManualClock::new(1_000_000));
        let kms = open(dir.path(), &clock);
        kms.create_key(&CreateKeyRequest::default()).unwrap();
        kms.flush().unwrap();
        kms.list_keys().unwrap();
        crash_at(&kms, Some(CrashPoint::MidWrite));
        assert!(kms.flush().is_err());
        crash_at(&kms, None);
        // Simulate the process dying without its final flush: forget the in-memory counters.
        kms.meter.dirty.store(false, Ordering::SeqCst);
        drop(kms);
        let kms = open(dir.path(), &clock);
        let u = kms.usage().unwrap();
        assert_eq!(u.calls(Operation::CreateKey), 1);
        assert_eq!(u.calls(Operation::ListKeys), 0);
    }

    #[test]
    fn sealed_material_is_bound_to_its_key_and_version() {
        let dir = tempfile::tempdir().unwrap();
        let clock = Arc::new(ManualClock::new(1_000_000));
        let kms = open(dir.path(), &clock);
        let material = crypto::random_key(&kms.rng).unwrap();
        let sealed = kms
            .store
            .seal_material(&kms.rng, &[1; 16], &[2; 16], &material)
            .unwrap();
        let back = kms
            .store
            .unseal_material(&[1; 16], &[2; 16], &sealed)
            .unwrap();
        assert_eq!(back.bytes(), material.bytes());
        assert!(kms
            .store
            .unseal_material(&[1; 16], &[3; 16], &sealed)
            .is_err());
        assert!(kms
            .store
            .unseal_material(&[9; 16], &[2; 16], &sealed)
            .is_err());
    }
}
