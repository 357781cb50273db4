//! The body codec layer: every object byte is written through a [`SegmentWriter`] and read back through a
//! [`BodyReader`]. Both are synchronous (they run on blocking threads fed by bounded channels), hash the
//! plaintext as it passes (MD5 for the ETag and Content-MD5, CRC-64 for `x-oss-hash-crc64ecma`) and map
//! plaintext offsets to stored bytes per segment. The `Plain` codec stores bytes as they are; the `Sealed`
//! codec stores one oss-sse-seal stream per blob (the writer seals as it goes, holding at most one 64 KiB
//! segment of plaintext), and the reader of an encrypted object reads only the ciphertext segments that
//! cover the requested range, decrypting and authenticating each before a byte of it is returned.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use base64::Engine as _;
use md5::{Digest as _, Md5};
use oss_sse_seal::{DecryptingReader, OpenedObject, SealError, StreamSealer, StreamSpan};

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
    /// The stream record of a sealed segment.
    pub record: Option<oss_sse_seal::StreamRecord>,
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
    sealer: Option<StreamSealer>,
    /// Ciphertext produced by the sealer, waiting to be written.
    sealed: Vec<u8>,
}

impl SegmentWriter {
    /// Creates a fresh blob in `blobs_dir`: stored as it is without a sealer, else sealed by `sealer`
    /// (whose stream record the finished segment carries).
    pub fn create(blobs_dir: &Path, sealer: Option<StreamSealer>) -> io::Result<SegmentWriter> {
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
            sealer,
            sealed: Vec::new(),
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
        match self.sealer.as_mut() {
            None => file.write_all(data)?,
            Some(sealer) => {
                self.sealed.clear();
                sealer
                    .update(data, &mut self.sealed)
                    .map_err(io::Error::other)?;
                file.write_all(&self.sealed)?;
            }
        }
        self.md5.update(data);
        self.crc.update(data);
        self.written += data.len() as u64;
        Ok(())
    }

    /// Flushes, fsyncs the blob and its directory, and returns the segment with the plaintext's hashes.
    pub fn finish(mut self) -> io::Result<WrittenSegment> {
        let mut file = self
            .file
            .take()
            .ok_or_else(|| io::Error::other("segment writer already finished"))?;
        let mut stream_record = None;
        let codec = match self.sealer.take() {
            None => SegmentCodec::Plain,
            Some(sealer) => {
                self.sealed.clear();
                let record = sealer.finish(&mut self.sealed).map_err(io::Error::other)?;
                file.write_all(&self.sealed)?;
                let encoded = base64::engine::general_purpose::STANDARD.encode(record.encode());
                stream_record = Some(record);
                SegmentCodec::Sealed { record: encoded }
            }
        };
        let file = file.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()?;
        let stored_len = file.metadata()?.len();
        drop(file);
        if let Some(dir) = self.path.parent() {
            sync_dir(dir)?;
        }
        let md5: [u8; 16] = std::mem::take(&mut self.md5).finalize().into();
        let crc64 = self.crc.value();
        let segment = Segment {
            blob: std::mem::take(&mut self.blob),
            len: self.written,
            stored_len,
            codec,
        };
        // Finished: the blob now belongs to whoever records the segment.
        self.path = PathBuf::new();
        Ok(WrittenSegment {
            segment,
            md5,
            crc64,
            record: stream_record,
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
    /// Set for an encrypted object: everything is read through it (the fields below are unused).
    sealed: Option<DecryptingReader<SpanReader>>,
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
            sealed: None,
            object,
            index,
            offset,
            remaining: end.saturating_sub(start),
            current: None,
        }
    }

    /// A reader of plaintext bytes `start..end` of an encrypted object whose header `opened` verified:
    /// only the segments covering the range are read from disk, each authenticated before use.
    pub fn sealed(
        object: Arc<ObjectRef>,
        opened: &OpenedObject,
        start: u64,
        end: u64,
    ) -> Result<BodyReader, SealError> {
        let decryptor = opened.decrypt_range(start..end)?;
        let spans = decryptor.plan().stream_spans();
        let mut blobs = Vec::with_capacity(spans.len());
        for span in &spans {
            let seg = object
                .meta
                .segments
                .get(span.stream_index)
                .ok_or(SealError::InvalidInput("stream without a stored segment"))?;
            blobs.push(object.blobs_dir.join(&seg.blob));
        }
        let spans = SpanReader {
            spans: spans.into_iter().zip(blobs).collect(),
            next: 0,
            current: None,
        };
        Ok(BodyReader {
            sealed: Some(DecryptingReader::new(decryptor, spans)),
            object,
            index: 0,
            offset: 0,
            remaining: end.saturating_sub(start),
            current: None,
        })
    }

    /// The key of the object this reader reads (for log lines).
    pub fn object_name(&self) -> String {
        self.object.meta.key.clone()
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
            SegmentCodec::Sealed { .. } => {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    "an encrypted segment read without its key",
                ))
            }
        }
        self.current = Some(file);
        Ok(())
    }
}

impl Read for BodyReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if let Some(sealed) = self.sealed.as_mut() {
            return sealed.read(buf);
        }
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

/// The planned ciphertext of an encrypted read, one span per stream (blob), read back to back: exactly
/// the bytes of the covering segments, nothing else.
struct SpanReader {
    spans: Vec<(StreamSpan, PathBuf)>,
    next: usize,
    /// The open blob and the bytes still to read from it.
    current: Option<(io::Take<File>, u64)>,
}

impl Read for SpanReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            if let Some((file, left)) = self.current.as_mut() {
                if *left > 0 {
                    let n = file.read(buf)?;
                    if n == 0 {
                        // The blob is shorter than its record says: the decryptor reports truncation.
                        return Ok(0);
                    }
                    *left -= n as u64;
                    return Ok(n);
                }
                self.current = None;
            }
            let Some((span, path)) = self.spans.get(self.next) else {
                return Ok(0);
            };
            self.next += 1;
            let len = span.stream_range.end - span.stream_range.start;
            let mut file = File::open(path)?;
            file.seek(SeekFrom::Start(span.stream_range.start))?;
            self.current = Some((file.take(len), len));
        }
    }
}
