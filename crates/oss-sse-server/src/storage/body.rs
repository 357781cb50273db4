//! The body codec layer: every object byte is written through a [`SegmentWriter`] and read back through a
//! [`BodyReader`]. Both are synchronous (they run on blocking threads fed by bounded channels), hash the
//! plaintext as it passes (MD5 for the ETag and Content-MD5, CRC-64 for `x-oss-hash-crc64ecma`) and map
//! plaintext offsets to stored bytes per segment. The `Plain` codec stores bytes as they are; an encrypting
//! codec is one more [`SegmentCodec`] variant handled in `create` and in the reader.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use md5::{Digest as _, Md5};

use super::fsutil::sync_dir;
use super::meta::{Segment, SegmentCodec};
use super::ObjectRef;
use crate::crc64::Crc64;
use crate::ids;

/// What a finished segment write produced.
#[derive(Debug, Clone)]
pub struct WrittenSegment {
    /// The segment to record.
    pub segment: Segment,
    /// MD5 of the plaintext.
    pub md5: [u8; 16],
    /// CRC-64 of the plaintext.
    pub crc64: u64,
}

/// Writes one new segment into a bucket's blob directory. Dropping it unfinished removes the blob, so an
/// aborted request leaves nothing behind (and a crash leaves an unreferenced blob that startup removes).
pub struct SegmentWriter {
    file: Option<io::BufWriter<File>>,
    path: PathBuf,
    blob: String,
    written: u64,
    md5: Md5,
    crc: Crc64,
    codec: SegmentCodec,
}

impl SegmentWriter {
    /// Creates a fresh blob in `blobs_dir` encoded with `codec`.
    pub fn create(blobs_dir: &Path, codec: SegmentCodec) -> io::Result<SegmentWriter> {
        let blob = ids::blob_id();
        let path = blobs_dir.join(&blob);
        let file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)?;
        Ok(SegmentWriter {
            file: Some(io::BufWriter::with_capacity(256 * 1024, file)),
            path,
            blob,
            written: 0,
            md5: Md5::new(),
            crc: Crc64::new(),
            codec,
        })
    }

    /// Plaintext bytes written so far.
    pub fn written(&self) -> u64 {
        self.written
    }

    /// Appends plaintext.
    pub fn write(&mut self, data: &[u8]) -> io::Result<()> {
        let file = self
            .file
            .as_mut()
            .ok_or_else(|| io::Error::other("segment writer already finished"))?;
        match self.codec {
            SegmentCodec::Plain => file.write_all(data)?,
        }
        self.md5.update(data);
        self.crc.update(data);
        self.written += data.len() as u64;
        Ok(())
    }

    /// Flushes, fsyncs the blob and its directory, and returns the segment with the plaintext's hashes.
    pub fn finish(mut self) -> io::Result<WrittenSegment> {
        let file = self
            .file
            .take()
            .ok_or_else(|| io::Error::other("segment writer already finished"))?;
        let file = file.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()?;
        let stored_len = file.metadata()?.len();
        drop(file);
        if let Some(dir) = self.path.parent() {
            sync_dir(dir)?;
        }
        let md5: [u8; 16] = std::mem::take(&mut self.md5).finalize().into();
        let crc64 = std::mem::take(&mut self.crc).finish();
        let segment = Segment {
            blob: std::mem::take(&mut self.blob),
            len: self.written,
            stored_len,
            codec: self.codec.clone(),
        };
        // Finished: the blob now belongs to whoever records the segment.
        self.path = PathBuf::new();
        Ok(WrittenSegment {
            segment,
            md5,
            crc64,
        })
    }
}

impl Drop for SegmentWriter {
    fn drop(&mut self) {
        if !self.path.as_os_str().is_empty() {
            self.file = None;
            let _ = fs::remove_file(&self.path);
        }
    }
}

/// Reads a plaintext byte range of an object, segment by segment. It holds the object version it reads,
/// which keeps the version's blobs on disk until the read is over even if the object is overwritten or
/// deleted meanwhile.
pub struct BodyReader {
    object: Arc<ObjectRef>,
    /// Index of the segment being read.
    index: usize,
    /// Offset inside that segment's plaintext.
    offset: u64,
    /// Plaintext bytes still to return.
    remaining: u64,
    current: Option<File>,
}

impl BodyReader {
    /// A reader of bytes `start..end` (end exclusive, already clamped to the object's size).
    pub fn new(object: Arc<ObjectRef>, start: u64, end: u64) -> BodyReader {
        let mut index = 0;
        let mut offset = start;
        for seg in &object.meta.segments {
            if offset < seg.len {
                break;
            }
            offset -= seg.len;
            index += 1;
        }
        BodyReader {
            object,
            index,
            offset,
            remaining: end.saturating_sub(start),
            current: None,
        }
    }

    fn open_current(&mut self) -> io::Result<()> {
        let seg =
            self.object.meta.segments.get(self.index).ok_or_else(|| {
                io::Error::new(io::ErrorKind::UnexpectedEof, "object body is short")
            })?;
        let mut file = File::open(self.object.blobs_dir.join(&seg.blob))?;
        match seg.codec {
            SegmentCodec::Plain => {
                file.seek(SeekFrom::Start(self.offset))?;
            }
        }
        self.current = Some(file);
        Ok(())
    }
}

impl Read for BodyReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            if self.remaining == 0 || buf.is_empty() {
                return Ok(0);
            }
            let seg_len = match self.object.meta.segments.get(self.index) {
                Some(seg) => seg.len,
                None => {
                    return Err(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        "object body is short",
                    ))
                }
            };
            if self.offset >= seg_len {
                self.index += 1;
                self.offset = 0;
                self.current = None;
                continue;
            }
            if self.current.is_none() {
                self.open_current()?;
            }
            let want = (seg_len - self.offset)
                .min(self.remaining)
                .min(buf.len() as u64) as usize;
            let file = self
                .current
                .as_mut()
                .ok_or_else(|| io::Error::other("segment not open"))?;
            let n = file.read(&mut buf[..want])?;
            if n == 0 {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "blob shorter than its record",
                ));
            }
            self.offset += n as u64;
            self.remaining -= n as u64;
            return Ok(n);
        }
    }
}
