//! Uploading a large file as a multipart upload: parts cut at a fixed size, uploaded by several threads
//! sharing one client, each part's CRC64 checked against the server's, the checkpoint rewritten after
//! every part so a failed or cancelled upload resumes where it stopped, and the whole object's CRC64
//! (combined from the parts') checked against what CompleteMultipartUpload reports.

use std::collections::VecDeque;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Mutex;

use crate::checkpoint::{default_checkpoint_path, Checkpoint, FileIdentity, PartRecord};
use crate::client::Client;
use crate::crc64;
use crate::error::{Error, Result};
use crate::types::{InitiateMultipartOptions, ProgressFn, Sse};
use crate::CompletedPart;
use crate::Encryption;

/// OSS's part size floor (except for the last part).
pub const MIN_PART_SIZE: u64 = 100 * 1024;
/// OSS's part count ceiling.
pub const MAX_PARTS: u64 = 10_000;

/// Options of [`Client::upload_file`].
#[derive(Clone)]
pub struct UploadOptions {
    /// Part size in bytes (default 8 MiB; raised when the file would need more than 10,000 parts).
    pub part_size: u64,
    /// Parts uploaded at once (default 4).
    pub parallelism: usize,
    /// Encryption of the object.
    pub sse: Option<Sse>,
    /// Content-Type.
    pub content_type: Option<String>,
    /// User metadata.
    pub metadata: Vec<(String, String)>,
    /// Where the resume state lives (default: `.<file name>.oss-sse-upload` beside the file).
    pub checkpoint: Option<PathBuf>,
    /// Called after every part with (bytes uploaded, file size); return `false` to stop. A stopped
    /// upload keeps its checkpoint and resumes on the next call.
    pub progress: Option<ProgressFn>,
}

impl Default for UploadOptions {
    fn default() -> Self {
        UploadOptions {
            part_size: 8 * 1024 * 1024,
            parallelism: 4,
            sse: None,
            content_type: None,
            metadata: Vec::new(),
            checkpoint: None,
            progress: None,
        }
    }
}

impl std::fmt::Debug for UploadOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UploadOptions")
            .field("part_size", &self.part_size)
            .field("parallelism", &self.parallelism)
            .field("sse", &self.sse)
            .field("checkpoint", &self.checkpoint)
            .finish_non_exhaustive()
    }
}

/// Result of [`Client::upload_file`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadOutput {
    /// The object's ETag.
    pub etag: String,
    /// The object's CRC64 (the server's, equal to ours when checks are on).
    pub crc64: Option<u64>,
    /// How the object is encrypted.
    pub encryption: Option<Encryption>,
    /// Parts uploaded by this call (fewer than the total when resuming).
    pub parts_uploaded: u32,
    /// Parts in the object.
    pub parts_total: u32,
    /// The upload id.
    pub upload_id: String,
    /// The request id of CompleteMultipartUpload.
    pub request_id: String,
}

fn effective_part_size(size: u64, wanted: u64) -> u64 {
    let mut part = wanted.max(MIN_PART_SIZE);
    // Keep within 10,000 parts.
    let floor = size.div_ceil(MAX_PARTS);
    if part < floor {
        part = floor;
    }
    part
}

fn read_part(file: &mut File, offset: u64, len: u64) -> std::io::Result<Vec<u8>> {
    file.seek(SeekFrom::Start(offset))?;
    let mut buf = Vec::with_capacity(len as usize);
    file.by_ref().take(len).read_to_end(&mut buf)?;
    if buf.len() as u64 != len {
        return Err(std::io::Error::new(
            std::io::ErrorKind::UnexpectedEof,
            "file shrank during upload",
        ));
    }
    Ok(buf)
}

impl Client {
    /// Uploads the file at `path` to `bucket/key` as a multipart upload, resuming a previous attempt
    /// recorded in the checkpoint when it was for the same file, target and part size.
    pub fn upload_file(
        &self,
        bucket: &str,
        key: &str,
        path: &Path,
        opts: &UploadOptions,
    ) -> Result<UploadOutput> {
        let identity = FileIdentity::of(path)?;
        let size = identity.size;
        let part_size = effective_part_size(size, opts.part_size);
        let parts_total = size.div_ceil(part_size).max(1);
        let cp_path = opts
            .checkpoint
            .clone()
            .unwrap_or_else(|| default_checkpoint_path(path));

        let mut checkpoint = match Checkpoint::load(&cp_path) {
            Some(cp) if cp.matches(bucket, key, &identity, part_size) => {
                // Trust only the parts the server still has with the same ETag.
                match self.list_parts(bucket, key, &cp.upload_id) {
                    Ok(listed) => {
                        let mut cp = cp;
                        cp.parts.retain(|p| {
                            listed.iter().any(|l| {
                                l.part_number == p.number && l.etag == p.etag && l.size == p.size
                            })
                        });
                        Some(cp)
                    }
                    // NoSuchUpload (aborted or expired): start over.
                    Err(Error::Service(_)) => None,
                    Err(e) => return Err(e),
                }
            }
            _ => None,
        };
        if checkpoint.is_none() {
            let init = self.initiate_multipart_upload(
                bucket,
                key,
                &InitiateMultipartOptions {
                    content_type: opts.content_type.clone(),
                    metadata: opts.metadata.clone(),
                    sse: opts.sse.clone(),
                    headers: Vec::new(),
                },
            )?;
            let cp = Checkpoint::new(bucket, key, identity.clone(), part_size, init.upload_id);
            cp.save(&cp_path)?;
            checkpoint = Some(cp);
        }
        let Some(checkpoint) = checkpoint else {
            return Err(Error::Response("no multipart upload".into()));
        };
        let upload_id = checkpoint.upload_id.clone();

        let pending: VecDeque<u32> = (1..=parts_total as u32)
            .filter(|n| !checkpoint.parts.iter().any(|p| p.number == *n))
            .collect();
        let already: u64 = checkpoint.parts.iter().map(|p| p.size).sum();
        let queue = Mutex::new(pending);
        let state = Mutex::new(checkpoint);
        let stop = AtomicBool::new(false);
        let first_error: Mutex<Option<Error>> = Mutex::new(None);
        let done_bytes = AtomicU64::new(already);
        let uploaded = AtomicU64::new(0);

        let worker = || {
            let mut file = match File::open(path) {
                Ok(f) => f,
                Err(e) => {
                    stop.store(true, Ordering::SeqCst);
                    first_error
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .get_or_insert(Error::Io(e));
                    return;
                }
            };
            while !stop.load(Ordering::SeqCst) {
                let Some(number) = queue.lock().unwrap_or_else(|p| p.into_inner()).pop_front()
                else {
                    return;
                };
                let offset = (number as u64 - 1) * part_size;
                let len = part_size.min(size - offset);
                let result = read_part(&mut file, offset, len)
                    .map_err(Error::Io)
                    .and_then(|data| {
                        let crc = crc64::checksum(&data);
                        self.upload_part(bucket, key, &upload_id, number, &data)
                            .map(|out| (out, crc))
                    })
                    .and_then(|(out, crc)| {
                        let mut cp = state.lock().unwrap_or_else(|p| p.into_inner());
                        cp.record(PartRecord {
                            number,
                            etag: out.etag,
                            crc64: crc,
                            size: len,
                        });
                        cp.save(&cp_path)
                    });
                if let Err(e) = result {
                    stop.store(true, Ordering::SeqCst);
                    first_error
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .get_or_insert(e);
                    return;
                }
                uploaded.fetch_add(1, Ordering::SeqCst);
                let now = done_bytes.fetch_add(len, Ordering::SeqCst) + len;
                if let Some(progress) = &opts.progress {
                    if !progress(now, size) {
                        stop.store(true, Ordering::SeqCst);
                        first_error
                            .lock()
                            .unwrap_or_else(|p| p.into_inner())
                            .get_or_insert(Error::Cancelled);
                        return;
                    }
                }
            }
        };
        let threads = opts.parallelism.clamp(1, 64).min(parts_total as usize);
        std::thread::scope(|s| {
            for _ in 0..threads {
                s.spawn(worker);
            }
        });
        if let Some(e) = first_error.into_inner().unwrap_or_else(|p| p.into_inner()) {
            return Err(e);
        }

        let checkpoint = state.into_inner().unwrap_or_else(|p| p.into_inner());
        let mut parts = checkpoint.parts.clone();
        parts.sort_by_key(|p| p.number);
        if parts.len() as u64 != parts_total {
            return Err(Error::Response(format!(
                "{} of {parts_total} parts recorded",
                parts.len()
            )));
        }
        let expected_crc = parts
            .iter()
            .fold(0u64, |acc, p| crc64::combine(acc, p.crc64, p.size));
        let completed: Vec<CompletedPart> = parts
            .iter()
            .map(|p| CompletedPart {
                part_number: p.number,
                etag: p.etag.clone(),
            })
            .collect();
        let out = self.complete_multipart_upload(bucket, key, &upload_id, &completed)?;
        // The upload is finished whatever the check says: the checkpoint has nothing left to resume.
        let _ = std::fs::remove_file(&cp_path);
        if let (true, Some(server)) = (self.inner.crc64_check, out.crc64) {
            if server != expected_crc {
                return Err(Error::CrcMismatch {
                    client: expected_crc,
                    server,
                });
            }
        }
        Ok(UploadOutput {
            etag: out.etag,
            crc64: out.crc64,
            encryption: out.encryption,
            parts_uploaded: uploaded.load(Ordering::SeqCst) as u32,
            parts_total: parts_total as u32,
            upload_id,
            request_id: out.request_id,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn part_size_respects_floor_and_part_limit() {
        assert_eq!(effective_part_size(10, 1), MIN_PART_SIZE);
        assert_eq!(effective_part_size(1 << 20, 8 << 20), 8 << 20);
        let huge = 200u64 << 30; // 200 GiB at 8 MiB would be 25,600 parts
        let p = effective_part_size(huge, 8 << 20);
        assert!(huge.div_ceil(p) <= MAX_PARTS);
    }
}
