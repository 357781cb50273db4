//! The durable object store behind the emulator.
//!
//! Layout of a data directory:
//! ```text
//! <data>/tmp/                          staging for atomic writes; emptied at start
//! <data>/buckets/<bucket>/bucket.json  BucketMeta
//! <data>/buckets/<bucket>/objects/ab/<sha256(key)>.json   ObjectMeta (see keymap)
//! <data>/buckets/<bucket>/blobs/<id>   immutable segment data
//! <data>/buckets/<bucket>/uploads/<upload-id>/upload.json, part-<n>.json
//! ```
//! Commit protocol: a body is streamed into a fresh blob that no record references, fsynced with its
//! directory; then the record is written to `tmp/`, fsynced, renamed into place and its directory fsynced;
//! only then is the request acknowledged. A crash before the rename leaves an unreferenced blob, which
//! [`Store::open`] deletes; after it, the new object is complete. Blobs replaced by an overwrite or delete
//! are unlinked when the last reader of the old version finishes (see [`ObjectRef`]).
//!
//! All methods are synchronous and may block on disk I/O: the HTTP layer calls them on blocking threads.

pub mod body;
pub mod fsutil;
pub mod keymap;
pub mod list;
pub mod meta;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, RwLock, RwLockReadGuard, RwLockWriteGuard};

use md5::{Digest as _, Md5};

use self::body::{BodyReader, SegmentWriter};
use self::fsutil::{atomic_write, create_dir_durably, remove_durably, sync_dir};
use self::meta::{BucketMeta, ObjectMeta, ObjectType, PartMeta, UploadMeta};
use crate::crc64;
use crate::ids;

/// Failures of store operations; the HTTP layer maps each to its OSS error.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The bucket does not exist.
    #[error("the specified bucket does not exist")]
    NoSuchBucket,
    /// The bucket already exists.
    #[error("the requested bucket name is not available")]
    BucketAlreadyExists,
    /// The bucket still holds objects or multipart uploads.
    #[error("the bucket you tried to delete is not empty")]
    BucketNotEmpty,
    /// The object does not exist.
    #[error("the specified key does not exist")]
    NoSuchKey,
    /// The multipart upload does not exist (or was completed or aborted).
    #[error("the specified upload does not exist")]
    NoSuchUpload,
    /// A part named in CompleteMultipartUpload is missing or its ETag differs.
    #[error("one or more of the specified parts could not be found or the specified entity tag might not have matched the part's entity tag")]
    InvalidPart,
    /// The part list of CompleteMultipartUpload is not in ascending order.
    #[error("the list of parts was not in ascending order")]
    InvalidPartOrder,
    /// A part other than the last is smaller than the minimum part size.
    #[error("your proposed upload is smaller than the minimum allowed size")]
    EntityTooSmall,
    /// AppendObject on an object that was not created by AppendObject.
    #[error("the operation is not valid for the current state of the object")]
    ObjectNotAppendable,
    /// AppendObject at a position other than the object's length.
    #[error("position is not equal to file length")]
    PositionNotEqualToLength {
        /// The object's current length (`x-oss-next-append-position`).
        next: u64,
    },
    /// A request precondition did not hold.
    #[error("at least one of the preconditions you specified did not hold")]
    PreconditionFailed,
    /// Two keys would share one on-disk record (a SHA-256 collision); refused rather than merged.
    #[error("the key's storage slot is held by a different key")]
    KeyCollision,
    /// Too many buckets.
    #[error("you have attempted to create more buckets than allowed")]
    TooManyBuckets,
    /// The disk said no.
    #[error("storage I/O error: {0}")]
    Io(#[from] io::Error),
    /// A record on disk could not be decoded.
    #[error("corrupt record {path}: {reason}")]
    Corrupt {
        /// The record's path.
        path: PathBuf,
        /// Why it was rejected.
        reason: String,
    },
}

/// The minimum size of every part but the last (OSS: 100 KiB).
pub const MIN_PART_SIZE: u64 = 100 * 1024;
/// The most buckets the store keeps.
pub const MAX_BUCKETS: usize = 1000;
const STRIPES: usize = 64;

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while a lock was held (impossible by construction, but never trusted) must not take the
    // whole server down with poisoned locks: the protected data is kept consistent by the commit order.
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn read<T>(m: &RwLock<T>) -> RwLockReadGuard<'_, T> {
    m.read().unwrap_or_else(|p| p.into_inner())
}

fn write<T>(m: &RwLock<T>) -> RwLockWriteGuard<'_, T> {
    m.write().unwrap_or_else(|p| p.into_inner())
}

/// One committed version of an object. Readers hold it (in an `Arc`) for as long as they stream; when the
/// version has been replaced or deleted, dropping the last holder unlinks the blobs no newer version uses.
#[derive(Debug)]
pub struct ObjectRef {
    /// The record.
    pub meta: ObjectMeta,
    blobs_dir: Arc<PathBuf>,
    obsolete: Mutex<Vec<String>>,
}

impl ObjectRef {
    /// A reader of plaintext bytes `start..end` (clamped to the object size).
    pub fn reader(self: &Arc<Self>, start: u64, end: u64) -> BodyReader {
        let end = end.min(self.meta.size);
        BodyReader::new(self.clone(), start.min(end), end)
    }

    /// A reader of plaintext bytes `start..end` (clamped) of an encrypted object whose header `opened`
    /// verified.
    pub fn sealed_reader(
        self: &Arc<Self>,
        opened: &oss_sse_seal::OpenedObject,
        start: u64,
        end: u64,
    ) -> Result<BodyReader, oss_sse_seal::SealError> {
        let end = end.min(self.meta.size);
        BodyReader::sealed(self.clone(), opened, start.min(end), end)
    }
}

impl Drop for ObjectRef {
    fn drop(&mut self) {
        for blob in lock(&self.obsolete).drain(..) {
            let _ = fs::remove_file(self.blobs_dir.join(blob));
        }
    }
}

/// An in-progress multipart upload.
#[derive(Debug)]
pub struct UploadState {
    /// The upload's record.
    pub meta: UploadMeta,
    /// Parts uploaded so far, by number.
    pub parts: BTreeMap<u32, PartMeta>,
    /// Set once completed or aborted: later calls see NoSuchUpload.
    finished: bool,
}

/// A bucket and its in-memory index.
pub struct Bucket {
    dir: PathBuf,
    objects_dir: PathBuf,
    blobs_dir: Arc<PathBuf>,
    uploads_dir: PathBuf,
    meta: RwLock<BucketMeta>,
    objects: RwLock<BTreeMap<String, Arc<ObjectRef>>>,
    uploads: Mutex<BTreeMap<String, Arc<Mutex<UploadState>>>>,
    stripes: Vec<Mutex<()>>,
    deleted: AtomicBool,
}

impl Bucket {
    fn new(dir: PathBuf, meta: BucketMeta) -> Bucket {
        Bucket {
            objects_dir: dir.join("objects"),
            blobs_dir: Arc::new(dir.join("blobs")),
            uploads_dir: dir.join("uploads"),
            dir,
            meta: RwLock::new(meta),
            objects: RwLock::new(BTreeMap::new()),
            uploads: Mutex::new(BTreeMap::new()),
            stripes: (0..STRIPES).map(|_| Mutex::new(())).collect(),
            deleted: AtomicBool::new(false),
        }
    }

    fn stripe(&self, key: &str) -> MutexGuard<'_, ()> {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in key.as_bytes() {
            h = (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3);
        }
        lock(&self.stripes[(h % STRIPES as u64) as usize])
    }

    fn check_live(&self) -> Result<(), StoreError> {
        if self.deleted.load(Ordering::Acquire) {
            Err(StoreError::NoSuchBucket)
        } else {
            Ok(())
        }
    }

    /// The bucket's record.
    pub fn meta(&self) -> BucketMeta {
        read(&self.meta).clone()
    }

    /// Removes a blob that was written but will not be committed (a failed Content-MD5 check, a refused
    /// commit). Names that are not blob ids are ignored.
    pub fn discard_blob(&self, blob: &str) {
        if ids::is_upper_hex(blob, 32) {
            let _ = fs::remove_file(self.blobs_dir.join(blob));
        }
    }

    /// Starts a new segment in this bucket.
    pub fn new_segment(
        &self,
        sealer: Option<oss_sse_seal::StreamSealer>,
    ) -> Result<SegmentWriter, StoreError> {
        self.check_live()?;
        SegmentWriter::create(&self.blobs_dir, sealer).map_err(|e| {
            if e.kind() == io::ErrorKind::NotFound {
                StoreError::NoSuchBucket
            } else {
                StoreError::Io(e)
            }
        })
    }
}

/// Summary of a bucket for ListBuckets.
pub type BucketSummary = BucketMeta;

/// The store: every bucket, object and upload of one data directory.
pub struct Store {
    root: PathBuf,
    tmp: PathBuf,
    buckets_dir: PathBuf,
    buckets: RwLock<BTreeMap<String, Arc<Bucket>>>,
    counter: AtomicU64,
}

fn decode<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, StoreError> {
    let bytes = fs::read(path)?;
    serde_json::from_slice(&bytes).map_err(|e| StoreError::Corrupt {
        path: path.to_owned(),
        reason: e.to_string(),
    })
}

fn encode<T: serde::Serialize>(value: &T) -> Result<Vec<u8>, StoreError> {
    serde_json::to_vec_pretty(value).map_err(|e| StoreError::Io(io::Error::other(e)))
}

fn list_dir(dir: &Path) -> io::Result<Vec<(String, PathBuf)>> {
    let mut out = Vec::new();
    match fs::read_dir(dir) {
        Ok(rd) => {
            for entry in rd {
                let entry = entry?;
                if let Some(name) = entry.file_name().to_str() {
                    out.push((name.to_owned(), entry.path()));
                } else {
                    // Nothing this store writes has a non-UTF-8 name: a stranger's file, removed.
                    let _ = fs::remove_file(entry.path());
                }
            }
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    out.sort();
    Ok(out)
}

fn part_record_name(number: u32) -> String {
    format!("part-{number:05}.json")
}

impl Store {
    /// Opens (creating if needed) the store in `root`, recovering from any crash: staging files are
    /// removed, half-created buckets and completed-but-not-cleaned uploads are tidied, and blobs no record
    /// references are deleted.
    pub fn open(root: &Path) -> Result<Store, StoreError> {
        let tmp = root.join("tmp");
        let buckets_dir = root.join("buckets");
        fs::create_dir_all(&buckets_dir)?;
        if tmp.exists() {
            fs::remove_dir_all(&tmp)?;
        }
        create_dir_durably(&tmp)?;
        sync_dir(root)?;
        let mut buckets = BTreeMap::new();
        for (name, path) in list_dir(&buckets_dir)? {
            let record = path.join("bucket.json");
            if !record.exists() {
                fs::remove_dir_all(&path)?;
                continue;
            }
            let meta: BucketMeta = decode(&record)?;
            if meta.name != name {
                return Err(StoreError::Corrupt {
                    path: record,
                    reason: format!("bucket record names {:?}", meta.name),
                });
            }
            let bucket = Bucket::new(path, meta);
            Self::load_bucket(&bucket)?;
            buckets.insert(name, Arc::new(bucket));
        }
        Ok(Store {
            root: root.to_owned(),
            tmp,
            buckets_dir,
            buckets: RwLock::new(buckets),
            counter: AtomicU64::new(0),
        })
    }

    fn load_bucket(bucket: &Bucket) -> Result<(), StoreError> {
        fs::create_dir_all(&bucket.objects_dir)?;
        fs::create_dir_all(bucket.blobs_dir.as_path())?;
        fs::create_dir_all(&bucket.uploads_dir)?;
        let mut live: BTreeSet<String> = BTreeSet::new();
        let mut objects = BTreeMap::new();
        for (_, fan) in list_dir(&bucket.objects_dir)? {
            for (name, path) in list_dir(&fan)? {
                let meta: ObjectMeta = decode(&path)?;
                if !keymap::matches(&name, &meta.key) {
                    return Err(StoreError::Corrupt {
                        path,
                        reason: "record is not at its key's slot".to_owned(),
                    });
                }
                for seg in &meta.segments {
                    live.insert(seg.blob.clone());
                }
                let key = meta.key.clone();
                objects.insert(
                    key,
                    Arc::new(ObjectRef {
                        meta,
                        blobs_dir: bucket.blobs_dir.clone(),
                        obsolete: Mutex::new(Vec::new()),
                    }),
                );
            }
        }
        let mut uploads = BTreeMap::new();
        for (id, dir) in list_dir(&bucket.uploads_dir)? {
            let record = dir.join("upload.json");
            if !ids::is_upper_hex(&id, 32) || !record.exists() {
                fs::remove_dir_all(&dir)?;
                continue;
            }
            let meta: UploadMeta = decode(&record)?;
            let mut parts = BTreeMap::new();
            let mut completed = false;
            for (name, path) in list_dir(&dir)? {
                if name == "upload.json" {
                    continue;
                }
                let part: PartMeta = decode(&path)?;
                if live.contains(&part.segment.blob) {
                    // An object adopted this part: the upload was completed before the crash.
                    completed = true;
                }
                parts.insert(part.number, part);
            }
            if completed {
                fs::remove_dir_all(&dir)?;
                continue;
            }
            for part in parts.values() {
                live.insert(part.segment.blob.clone());
            }
            uploads.insert(
                id,
                Arc::new(Mutex::new(UploadState {
                    meta,
                    parts,
                    finished: false,
                })),
            );
        }
        for (name, path) in list_dir(bucket.blobs_dir.as_path())? {
            if !live.contains(&name) {
                fs::remove_file(&path)?;
            }
        }
        sync_dir(bucket.blobs_dir.as_path())?;
        *write(&bucket.objects) = objects;
        *lock(&bucket.uploads) = uploads;
        Ok(())
    }

    /// The data directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    fn tmp_path(&self) -> PathBuf {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        self.tmp.join(format!("{n}-{}", ids::random_hex(8)))
    }

    /// The bucket named `name`.
    pub fn bucket(&self, name: &str) -> Result<Arc<Bucket>, StoreError> {
        read(&self.buckets)
            .get(name)
            .cloned()
            .ok_or(StoreError::NoSuchBucket)
    }

    /// Every bucket, by name.
    pub fn list_buckets(&self) -> Vec<BucketSummary> {
        read(&self.buckets).values().map(|b| b.meta()).collect()
    }

    /// Creates a bucket (`name` must already be a valid bucket name).
    pub fn create_bucket(&self, meta: BucketMeta) -> Result<(), StoreError> {
        let mut buckets = write(&self.buckets);
        if buckets.contains_key(&meta.name) {
            return Err(StoreError::BucketAlreadyExists);
        }
        if buckets.len() >= MAX_BUCKETS {
            return Err(StoreError::TooManyBuckets);
        }
        let staging = self.tmp_path();
        fs::create_dir(&staging)?;
        for sub in ["objects", "blobs", "uploads"] {
            fs::create_dir(staging.join(sub))?;
        }
        let bytes = encode(&meta)?;
        {
            use std::io::Write;
            let mut f = fs::File::create(staging.join("bucket.json"))?;
            f.write_all(&bytes)?;
            f.sync_all()?;
        }
        sync_dir(&staging)?;
        let dest = self.buckets_dir.join(&meta.name);
        fs::rename(&staging, &dest)?;
        sync_dir(&self.buckets_dir)?;
        let name = meta.name.clone();
        buckets.insert(name, Arc::new(Bucket::new(dest, meta)));
        Ok(())
    }

    /// Deletes an empty bucket.
    pub fn delete_bucket(&self, name: &str) -> Result<(), StoreError> {
        let mut buckets = write(&self.buckets);
        let bucket = buckets.get(name).cloned().ok_or(StoreError::NoSuchBucket)?;
        {
            let objects = read(&bucket.objects);
            let uploads = lock(&bucket.uploads);
            if !objects.is_empty() || !uploads.is_empty() {
                return Err(StoreError::BucketNotEmpty);
            }
            bucket.deleted.store(true, Ordering::Release);
        }
        let trash = self.tmp_path();
        fs::rename(&bucket.dir, &trash)?;
        sync_dir(&self.buckets_dir)?;
        buckets.remove(name);
        drop(buckets);
        let _ = fs::remove_dir_all(&trash);
        Ok(())
    }

    /// Replaces a bucket's record through `update` (used for the encryption rule).
    pub fn update_bucket(
        &self,
        name: &str,
        update: impl FnOnce(&mut BucketMeta),
    ) -> Result<BucketMeta, StoreError> {
        let bucket = self.bucket(name)?;
        let mut meta = write(&bucket.meta);
        let mut next = meta.clone();
        update(&mut next);
        atomic_write(
            &self.tmp_path(),
            &bucket.dir.join("bucket.json"),
            &encode(&next)?,
        )?;
        *meta = next.clone();
        Ok(next)
    }

    /// The current version of `key`.
    pub fn get(&self, bucket: &str, key: &str) -> Result<Arc<ObjectRef>, StoreError> {
        let b = self.bucket(bucket)?;
        let found = read(&b.objects).get(key).cloned();
        found.ok_or(StoreError::NoSuchKey)
    }

    /// Commits a new version of `key`. `build` sees the current version (if any) and returns the new
    /// record, or an error that aborts the commit; it runs under the key's commit lock, so conditional
    /// writes and appends are race-free.
    pub fn commit(
        &self,
        bucket: &str,
        key: &str,
        build: impl FnOnce(Option<&ObjectMeta>) -> Result<ObjectMeta, StoreError>,
    ) -> Result<Arc<ObjectRef>, StoreError> {
        let b = self.bucket(bucket)?;
        self.commit_in(&b, key, build)
    }

    fn commit_in(
        &self,
        b: &Bucket,
        key: &str,
        build: impl FnOnce(Option<&ObjectMeta>) -> Result<ObjectMeta, StoreError>,
    ) -> Result<Arc<ObjectRef>, StoreError> {
        let _guard = b.stripe(key);
        b.check_live()?;
        let current = read(&b.objects).get(key).cloned();
        let record = keymap::record_path(&b.objects_dir, key);
        if current.is_none() && record.exists() {
            let holder: ObjectMeta = decode(&record)?;
            if holder.key != key {
                return Err(StoreError::KeyCollision);
            }
        }
        let meta = build(current.as_ref().map(|c| &c.meta))?;
        debug_assert_eq!(meta.key, key);
        if let Some(fan) = record.parent() {
            if !fan.exists() {
                create_dir_durably(fan)?;
            }
        }
        atomic_write(&self.tmp_path(), &record, &encode(&meta)?)?;
        let new = Arc::new(ObjectRef {
            meta,
            blobs_dir: b.blobs_dir.clone(),
            obsolete: Mutex::new(Vec::new()),
        });
        let old = write(&b.objects).insert(key.to_owned(), new.clone());
        if let Some(old) = old {
            let keep: BTreeSet<&str> = new.meta.segments.iter().map(|s| s.blob.as_str()).collect();
            let gone: Vec<String> = old
                .meta
                .segments
                .iter()
                .filter(|s| !keep.contains(s.blob.as_str()))
                .map(|s| s.blob.clone())
                .collect();
            lock(&old.obsolete).extend(gone);
        }
        Ok(new)
    }

    /// Deletes `key` (a missing key is not an error, as in OSS). Returns whether it existed.
    pub fn delete(&self, bucket: &str, key: &str) -> Result<bool, StoreError> {
        let b = self.bucket(bucket)?;
        let _guard = b.stripe(key);
        let Some(current) = read(&b.objects).get(key).cloned() else {
            return Ok(false);
        };
        remove_durably(&keymap::record_path(&b.objects_dir, key))?;
        write(&b.objects).remove(key);
        lock(&current.obsolete).extend(current.meta.segments.iter().map(|s| s.blob.clone()));
        Ok(true)
    }

    /// Lists objects.
    pub fn list_objects(
        &self,
        bucket: &str,
        prefix: &str,
        delimiter: &str,
        after: Option<&str>,
        max: usize,
    ) -> Result<list::Page<Arc<ObjectRef>>, StoreError> {
        let b = self.bucket(bucket)?;
        let objects = read(&b.objects);
        let start = match after {
            Some(a) if a > prefix => a.to_owned(),
            _ => prefix.to_owned(),
        };
        Ok(list::paginate(
            objects.range(start..),
            prefix,
            delimiter,
            after,
            max,
        ))
    }

    /// Every key of a bucket, in order (a snapshot of the index).
    pub fn object_keys(&self, bucket: &str) -> Result<Vec<String>, StoreError> {
        let b = self.bucket(bucket)?;
        let keys = read(&b.objects).keys().cloned().collect();
        Ok(keys)
    }

    /// Starts a multipart upload.
    pub fn create_upload(&self, bucket: &str, meta: UploadMeta) -> Result<(), StoreError> {
        let b = self.bucket(bucket)?;
        b.check_live()?;
        let dir = b.uploads_dir.join(&meta.upload_id);
        create_dir_durably(&dir)?;
        atomic_write(&self.tmp_path(), &dir.join("upload.json"), &encode(&meta)?)?;
        let id = meta.upload_id.clone();
        lock(&b.uploads).insert(
            id,
            Arc::new(Mutex::new(UploadState {
                meta,
                parts: BTreeMap::new(),
                finished: false,
            })),
        );
        Ok(())
    }

    fn upload(&self, b: &Bucket, upload_id: &str) -> Result<Arc<Mutex<UploadState>>, StoreError> {
        lock(&b.uploads)
            .get(upload_id)
            .cloned()
            .ok_or(StoreError::NoSuchUpload)
    }

    /// The upload's record, checking that it exists and targets `key`.
    pub fn upload_meta(
        &self,
        bucket: &str,
        key: &str,
        upload_id: &str,
    ) -> Result<UploadMeta, StoreError> {
        let b = self.bucket(bucket)?;
        let up = self.upload(&b, upload_id)?;
        let state = lock(&up);
        if state.finished || state.meta.key != key {
            return Err(StoreError::NoSuchUpload);
        }
        Ok(state.meta.clone())
    }

    /// Records an uploaded part (replacing an earlier upload of the same number).
    pub fn put_part(
        &self,
        bucket: &str,
        key: &str,
        upload_id: &str,
        part: PartMeta,
    ) -> Result<(), StoreError> {
        let b = self.bucket(bucket)?;
        let up = self.upload(&b, upload_id)?;
        let mut state = lock(&up);
        if state.finished || state.meta.key != key {
            // The caller's blob is not referenced by anything: remove it.
            let _ = fs::remove_file(b.blobs_dir.join(&part.segment.blob));
            return Err(StoreError::NoSuchUpload);
        }
        let dir = b.uploads_dir.join(upload_id);
        atomic_write(
            &self.tmp_path(),
            &dir.join(part_record_name(part.number)),
            &encode(&part)?,
        )?;
        if let Some(old) = state.parts.insert(part.number, part) {
            let _ = fs::remove_file(b.blobs_dir.join(&old.segment.blob));
        }
        Ok(())
    }

    /// Parts of an upload, in number order.
    pub fn list_parts(
        &self,
        bucket: &str,
        key: &str,
        upload_id: &str,
    ) -> Result<(UploadMeta, Vec<PartMeta>), StoreError> {
        let b = self.bucket(bucket)?;
        let up = self.upload(&b, upload_id)?;
        let state = lock(&up);
        if state.finished || state.meta.key != key {
            return Err(StoreError::NoSuchUpload);
        }
        Ok((state.meta.clone(), state.parts.values().cloned().collect()))
    }

    /// Every in-progress upload of the bucket, by (key, upload id).
    pub fn list_uploads(&self, bucket: &str) -> Result<Vec<UploadMeta>, StoreError> {
        let b = self.bucket(bucket)?;
        let ups: Vec<_> = lock(&b.uploads).values().cloned().collect();
        let mut out: Vec<UploadMeta> = ups
            .iter()
            .filter_map(|u| {
                let s = lock(u);
                (!s.finished).then(|| s.meta.clone())
            })
            .collect();
        out.sort_by(|a, b| (&a.key, &a.upload_id).cmp(&(&b.key, &b.upload_id)));
        Ok(out)
    }

    fn remove_upload_dir(&self, b: &Bucket, upload_id: &str) -> Result<(), StoreError> {
        let dir = b.uploads_dir.join(upload_id);
        let trash = self.tmp_path();
        fs::rename(&dir, &trash)?;
        sync_dir(&b.uploads_dir)?;
        let _ = fs::remove_dir_all(&trash);
        Ok(())
    }

    /// Aborts an upload, deleting its parts.
    pub fn abort_upload(&self, bucket: &str, key: &str, upload_id: &str) -> Result<(), StoreError> {
        let b = self.bucket(bucket)?;
        let up = self.upload(&b, upload_id)?;
        let mut state = lock(&up);
        if state.finished || state.meta.key != key {
            return Err(StoreError::NoSuchUpload);
        }
        self.remove_upload_dir(&b, upload_id)?;
        state.finished = true;
        lock(&b.uploads).remove(upload_id);
        for part in state.parts.values() {
            let _ = fs::remove_file(b.blobs_dir.join(&part.segment.blob));
        }
        Ok(())
    }

    /// Completes an upload from the client's part list (number, ETag without quotes, any case): checks the
    /// list, commits the object (ETag `<MD5 of the parts' MD5s>-<n>`, CRC combined from the parts'), removes
    /// the upload and the parts the list left out. `finish` may adjust the record (e.g. a precondition or
    /// metadata) before it is committed.
    pub fn complete_upload(
        &self,
        bucket: &str,
        key: &str,
        upload_id: &str,
        list: &[(u32, String)],
        now: i64,
        finish: impl FnOnce(Option<&ObjectMeta>, ObjectMeta) -> Result<ObjectMeta, StoreError>,
    ) -> Result<Arc<ObjectRef>, StoreError> {
        let b = self.bucket(bucket)?;
        let up = self.upload(&b, upload_id)?;
        let mut state = lock(&up);
        if state.finished || state.meta.key != key {
            return Err(StoreError::NoSuchUpload);
        }
        if list.is_empty() {
            return Err(StoreError::InvalidPart);
        }
        let mut chosen: Vec<&PartMeta> = Vec::with_capacity(list.len());
        let mut last = 0u32;
        for (number, etag) in list {
            if *number <= last {
                return Err(StoreError::InvalidPartOrder);
            }
            last = *number;
            let part = state.parts.get(number).ok_or(StoreError::InvalidPart)?;
            let given = etag.trim().trim_matches('"');
            if !given.eq_ignore_ascii_case(&part.etag) {
                return Err(StoreError::InvalidPart);
            }
            chosen.push(part);
        }
        for part in &chosen[..chosen.len() - 1] {
            if part.segment.len < MIN_PART_SIZE {
                return Err(StoreError::EntityTooSmall);
            }
        }
        let mut md5s = Md5::new();
        let mut crc = 0u64;
        let mut size = 0u64;
        for part in &chosen {
            let raw = hex_decode(&part.etag).ok_or_else(|| StoreError::Corrupt {
                path: b.uploads_dir.join(upload_id),
                reason: "part etag is not hex".to_owned(),
            })?;
            md5s.update(&raw);
            crc = crc64::combine(crc, part.crc64, part.segment.len);
            size += part.segment.len;
        }
        let etag = format!("{}-{}", ids::hex_upper(&md5s.finalize()), chosen.len());
        let m = &state.meta;
        let record = ObjectMeta {
            key: key.to_owned(),
            size,
            etag,
            crc64: crc,
            last_modified: now,
            content_type: m.content_type.clone(),
            headers: m.headers.clone(),
            user_meta: m.user_meta.clone(),
            object_type: ObjectType::Multipart,
            segments: chosen.iter().map(|p| p.segment.clone()).collect(),
            encryption: m.encryption.clone(),
        };
        let used: BTreeSet<String> = record.segments.iter().map(|s| s.blob.clone()).collect();
        let committed = self.commit_in(&b, key, |current| finish(current, record))?;
        state.finished = true;
        lock(&b.uploads).remove(upload_id);
        self.remove_upload_dir(&b, upload_id)?;
        for part in state.parts.values() {
            if !used.contains(&part.segment.blob) {
                let _ = fs::remove_file(b.blobs_dir.join(&part.segment.blob));
            }
        }
        Ok(committed)
    }
}

fn hex_decode(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| s.get(i..i + 2).and_then(|h| u8::from_str_radix(h, 16).ok()))
        .collect()
}

#[cfg(test)]
mod tests;
