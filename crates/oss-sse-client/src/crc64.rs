//! CRC-64/ECMA as OSS reports it in `x-oss-hash-crc64ecma` (oss-sse-core's, with its combine step for
//! multipart objects), and the `Read`/`Write` adapters that compute it on the way through a transfer.

use std::io::{self, Read, Write};

pub use oss_sse_core::crc64::{checksum, combine, Crc64};

pub(crate) struct CrcReader<R> {
    pub(crate) inner: R,
    pub(crate) crc: Crc64,
    pub(crate) count: u64,
    expected: u64,
    /// Set when the source ended before `expected` bytes.
    pub(crate) short: bool,
}

impl<R: Read> CrcReader<R> {
    pub(crate) fn new(inner: R, expected: u64) -> Self {
        CrcReader {
            inner,
            crc: Crc64::new(),
            count: 0,
            expected,
            short: false,
        }
    }
}

impl<R: Read> Read for CrcReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let remaining = self.expected - self.count;
        if remaining == 0 || buf.is_empty() {
            return Ok(0);
        }
        let want = buf
            .len()
            .min(usize::try_from(remaining).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut buf[..want])?;
        if n == 0 {
            self.short = true;
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                format!("body ended after {} of {} bytes", self.count, self.expected),
            ));
        }
        self.crc.update(&buf[..n]);
        self.count += n as u64;
        Ok(n)
    }
}

/// A writer computing the CRC64 of what passes through it.
pub(crate) struct CrcWriter<W> {
    pub(crate) inner: W,
    pub(crate) crc: Crc64,
}

impl<W: Write> Write for CrcWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.crc.update(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_answer_in_pieces() {
        let mut c = Crc64::new();
        c.update(b"1234");
        c.update(b"56789");
        assert_eq!(c.value(), 0x995D_C9BB_DF19_39FA);
        assert_eq!(checksum(b"123456789"), 0x995D_C9BB_DF19_39FA);
    }

    #[test]
    fn reader_counts_and_refuses_a_short_source() {
        let mut r = CrcReader::new(&b"123456789"[..], 9);
        let mut out = Vec::new();
        r.read_to_end(&mut out).unwrap();
        assert_eq!((r.count, r.crc.value()), (9, checksum(b"123456789")));
        let mut short = CrcReader::new(&b"1234"[..], 9);
        let e = short.read_to_end(&mut Vec::new()).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::UnexpectedEof);
        assert!(short.short);
        // A longer source is cut at the promised length.
        let mut long = CrcReader::new(&b"123456789"[..], 4);
        let mut out = Vec::new();
        long.read_to_end(&mut out).unwrap();
        assert_eq!(out, b"1234");
    }

    #[test]
    fn writer_computes_the_crc_of_what_it_wrote() {
        let mut w = CrcWriter {
            inner: Vec::new(),
            crc: Crc64::new(),
        };
        w.write_all(b"12345").unwrap();
        w.write_all(b"6789").unwrap();
        assert_eq!(w.crc.value(), checksum(b"123456789"));
    }
}
