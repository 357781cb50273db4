//! `std::io` adapters over the push-style sealer and decryptor, for storage code that writes through a
//! `Write` (a blob file) and serves reads from a `Read`. Errors of this crate travel inside
//! `io::Error`s of kind `InvalidData`; [`SealError::from_io`] gets them back for a log line.

use std::io::{self, Read, Write};

use crate::read::RangeDecryptor;
use crate::stream::{StreamRecord, StreamSealer};
use crate::SealError;

impl SealError {
    /// The seal error inside an `io::Error` produced by [`SealingWriter`] or [`DecryptingReader`], if any.
    pub fn from_io(err: &io::Error) -> Option<&SealError> {
        err.get_ref()
            .and_then(|inner| inner.downcast_ref::<SealError>())
    }
}

fn to_io(err: SealError) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, err)
}

/// Seals everything written to it into `inner`. Call [`finish`](Self::finish) at the end: dropping it
/// without finishing leaves an unterminated stream that will not open (which is what an aborted upload
/// should leave). After any error, discard it.
///
/// `flush` flushes `inner` but cannot push out the buffered, not yet sealed segment: only `finish` knows it
/// is the last one.
pub struct SealingWriter<W: Write> {
    sealer: StreamSealer,
    inner: W,
    sealed: Vec<u8>,
}

impl<W: Write> SealingWriter<W> {
    /// Wraps `sealer` (see the [`StreamSealer`] constructors) around `inner`.
    pub fn new(sealer: StreamSealer, inner: W) -> Self {
        Self {
            sealer,
            inner,
            sealed: Vec::new(),
        }
    }

    /// Seals the last segment, writes it, and returns the writer and the stream's record.
    pub fn finish(mut self) -> io::Result<(W, StreamRecord)> {
        let record = self.sealer.finish(&mut self.sealed).map_err(to_io)?;
        self.inner.write_all(&self.sealed)?;
        self.inner.flush()?;
        Ok((self.inner, record))
    }
}

impl<W: Write> Write for SealingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.sealed.clear();
        self.sealer.update(buf, &mut self.sealed).map_err(to_io)?;
        self.inner.write_all(&self.sealed)?;
        self.sealed.clear();
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Reads the plaintext of a [`RangeDecryptor`]'s plan from `inner`, which must yield the plan's ciphertext:
/// positioned at [`ReadPlan::body_range`](crate::ReadPlan::body_range)`.start` of the body (or a chain of
/// the per-stream spans). It reads exactly the planned bytes and no more; a short `inner` or a segment
/// that fails authentication is an `InvalidData` error, after which no more data is returned.
pub struct DecryptingReader<R: Read> {
    decryptor: Option<RangeDecryptor>,
    inner: R,
    remaining: u64,
    chunk: Vec<u8>,
    plain: Vec<u8>,
    pos: usize,
    failed: bool,
}

/// Ciphertext bytes pulled from `inner` per refill.
const READ_CHUNK: usize = 64 * 1024;

impl<R: Read> DecryptingReader<R> {
    /// Wraps `decryptor` (from [`OpenedObject::decrypt_range`](crate::OpenedObject::decrypt_range) or
    /// [`decrypt_full`](crate::OpenedObject::decrypt_full)) around `inner`.
    pub fn new(decryptor: RangeDecryptor, inner: R) -> Self {
        let span = decryptor.plan().body_range();
        Self {
            decryptor: Some(decryptor),
            inner,
            remaining: span.end - span.start,
            chunk: vec![0u8; READ_CHUNK],
            plain: Vec::new(),
            pos: 0,
            failed: false,
        }
    }

    /// Pulls ciphertext until some plaintext is available or the plan is done.
    fn refill(&mut self) -> io::Result<()> {
        self.plain.clear();
        self.pos = 0;
        while self.plain.is_empty() {
            let Some(decryptor) = self.decryptor.as_mut() else {
                return Ok(());
            };
            if self.remaining == 0 {
                if let Some(decryptor) = self.decryptor.take() {
                    decryptor.finish().map_err(to_io)?;
                }
                return Ok(());
            }
            let want = (self.remaining.min(READ_CHUNK as u64)) as usize;
            let n = match self.inner.read(&mut self.chunk[..want]) {
                Ok(0) => {
                    let err = self.decryptor.take().map(RangeDecryptor::finish);
                    return Err(to_io(match err {
                        Some(Err(e)) => e,
                        _ => SealError::InvalidInput("ciphertext ended early"),
                    }));
                }
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            self.remaining -= n as u64;
            decryptor
                .update(&self.chunk[..n], &mut self.plain)
                .map_err(to_io)?;
        }
        Ok(())
    }
}

impl<R: Read> Read for DecryptingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.failed {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "the object failed to decrypt",
            ));
        }
        if self.pos == self.plain.len() {
            if let Err(e) = self.refill() {
                self.failed = true;
                self.plain.clear();
                self.pos = 0;
                return Err(e);
            }
        }
        let n = buf.len().min(self.plain.len() - self.pos);
        buf[..n].copy_from_slice(&self.plain[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}
