//! The resume state of a multipart upload: which file, which upload id, which parts are done with their
//! ETags and CRC64s. It is rewritten atomically (temporary file, fsync, rename) after every finished part,
//! so an upload interrupted at any point resumes from the last part the server acknowledged.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// The format version written into every checkpoint; others are ignored (the upload restarts).
const FORMAT_VERSION: u32 = 1;

/// One uploaded part.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartRecord {
    /// The part number (1-based).
    pub number: u32,
    /// The ETag the server returned for the part.
    pub etag: String,
    /// The CRC64-ECMA of the part's bytes.
    pub crc64: u64,
    /// The part's size in bytes.
    pub size: u64,
}

/// What identifies the source file, so a changed file is never resumed into an old upload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileIdentity {
    /// The file's length.
    pub size: u64,
    /// Its modification time, nanoseconds since the epoch (0 when the platform has none).
    pub mtime_ns: u128,
}

impl FileIdentity {
    /// Reads the identity of the file at `path`.
    pub fn of(path: &Path) -> Result<Self> {
        let meta = fs::metadata(path)?;
        let mtime_ns = meta
            .modified()
            .ok()
            .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos());
        Ok(FileIdentity {
            size: meta.len(),
            mtime_ns,
        })
    }
}

/// The whole resume state of one upload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    version: u32,
    /// Target bucket.
    pub bucket: String,
    /// Target key.
    pub key: String,
    /// The source file's identity when the upload began.
    pub file: FileIdentity,
    /// Part size used to cut the file.
    pub part_size: u64,
    /// The multipart upload id.
    pub upload_id: String,
    /// Finished parts, in no particular order.
    pub parts: Vec<PartRecord>,
}

impl Checkpoint {
    /// A fresh checkpoint for a new upload id.
    pub fn new(
        bucket: &str,
        key: &str,
        file: FileIdentity,
        part_size: u64,
        upload_id: String,
    ) -> Self {
        Checkpoint {
            version: FORMAT_VERSION,
            bucket: bucket.to_string(),
            key: key.to_string(),
            file,
            part_size,
            upload_id,
            parts: Vec::new(),
        }
    }

    /// Whether this checkpoint describes an upload of this same file to this same target.
    pub fn matches(&self, bucket: &str, key: &str, file: &FileIdentity, part_size: u64) -> bool {
        self.version == FORMAT_VERSION
            && self.bucket == bucket
            && self.key == key
            && &self.file == file
            && self.part_size == part_size
    }

    /// Loads a checkpoint; `None` when there is none or it is unreadable (a torn or foreign file is
    /// not an error: the upload just starts over).
    pub fn load(path: &Path) -> Option<Self> {
        let text = fs::read(path).ok()?;
        serde_json::from_slice(&text).ok()
    }

    /// Writes the checkpoint atomically.
    pub fn save(&self, path: &Path) -> Result<()> {
        let json =
            serde_json::to_vec_pretty(self).map_err(|e| Error::Io(std::io::Error::other(e)))?;
        let tmp = tmp_path(path);
        {
            let mut f = fs::File::create(&tmp)?;
            f.write_all(&json)?;
            f.sync_all()?;
        }
        fs::rename(&tmp, path)?;
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            // Make the rename itself durable; a directory that cannot be opened (some platforms) is fine.
            if let Ok(d) = fs::File::open(dir) {
                let _ = d.sync_all();
            }
        }
        Ok(())
    }

    /// Records a finished part, replacing an older record of the same number.
    pub fn record(&mut self, part: PartRecord) {
        self.parts.retain(|p| p.number != part.number);
        self.parts.push(part);
    }
}

fn tmp_path(path: &Path) -> PathBuf {
    let mut name = path
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    name.push(".tmp");
    path.with_file_name(name)
}

/// The default checkpoint location for uploading `file`: beside it, `.<name>.oss-sse-upload`.
pub fn default_checkpoint_path(file: &Path) -> PathBuf {
    let mut name = std::ffi::OsString::from(".");
    name.push(file.file_name().unwrap_or_default());
    name.push(".oss-sse-upload");
    file.with_file_name(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn save_load_round_trip_and_matching() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cp.json");
        let id = FileIdentity {
            size: 100,
            mtime_ns: 42,
        };
        let mut cp = Checkpoint::new("b", "k", id.clone(), 10, "UP1".into());
        cp.record(PartRecord {
            number: 2,
            etag: "\"e2\"".into(),
            crc64: 7,
            size: 10,
        });
        cp.record(PartRecord {
            number: 2,
            etag: "\"e2b\"".into(),
            crc64: 8,
            size: 10,
        });
        cp.save(&path).unwrap();
        let back = Checkpoint::load(&path).unwrap();
        assert_eq!(back, cp);
        assert_eq!(back.parts.len(), 1);
        assert!(back.matches("b", "k", &id, 10));
        assert!(!back.matches("b", "k", &id, 11));
        assert!(!back.matches("b", "k2", &id, 10));
        assert!(!back.matches(
            "b",
            "k",
            &FileIdentity {
                size: 100,
                mtime_ns: 43
            },
            10
        ));
    }

    #[test]
    fn torn_checkpoint_is_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cp.json");
        fs::write(&path, b"{\"version\":1,\"buck").unwrap();
        assert!(Checkpoint::load(&path).is_none());
        assert!(Checkpoint::load(&dir.path().join("absent")).is_none());
    }

    #[test]
    fn default_path_sits_beside_the_file() {
        assert_eq!(
            default_checkpoint_path(Path::new("/d/big.bin")),
            PathBuf::from("/d/.big.bin.oss-sse-upload")
        );
    }
}
