//! CRC-64/ECMA-182 as OSS reports it in `x-oss-hash-crc64ecma` (CRC-64/XZ parameters), incremental,
//! with a combine step so the CRC of a multipart object follows from its parts' CRCs without a second
//! pass over the data, and the `Read`/`Write` adapters that compute it on the way through.

use std::io::{self, Read, Write};

use crc::{Crc, Digest, CRC_64_XZ};

static CRC64: Crc<u64> = Crc::<u64>::new(&CRC_64_XZ);

/// The reflected ECMA-182 polynomial.
const POLY: u64 = 0xC96C_5795_D787_0F42;

/// An incremental CRC64.
#[derive(Clone)]
pub struct Crc64 {
    digest: Digest<'static, u64>,
}

impl Default for Crc64 {
    fn default() -> Self {
        Crc64::new()
    }
}

impl Crc64 {
    /// Starts a computation.
    pub fn new() -> Self {
        Crc64 {
            digest: CRC64.digest(),
        }
    }

    /// Feeds bytes.
    pub fn update(&mut self, data: &[u8]) {
        self.digest.update(data);
    }

    /// The CRC so far.
    pub fn value(&self) -> u64 {
        self.digest.clone().finalize()
    }
}

/// The CRC64 of `data`.
pub fn checksum(data: &[u8]) -> u64 {
    CRC64.checksum(data)
}

fn gf2_times(mat: &[u64; 64], mut vec: u64) -> u64 {
    let mut sum = 0u64;
    let mut i = 0;
    while vec != 0 {
        if vec & 1 != 0 {
            sum ^= mat[i];
        }
        vec >>= 1;
        i += 1;
    }
    sum
}

fn gf2_square(square: &mut [u64; 64], mat: &[u64; 64]) {
    for n in 0..64 {
        square[n] = gf2_times(mat, mat[n]);
    }
}

/// The CRC of `A ‖ B` from `crc(A)`, `crc(B)` and `len(B)`: the CRC register after A is advanced over
/// `len_b` zero bytes by repeated squaring of the one-bit shift operator, then B's CRC is folded in.
pub fn combine(crc_a: u64, crc_b: u64, len_b: u64) -> u64 {
    if len_b == 0 {
        return crc_a;
    }
    let mut even = [0u64; 64];
    let mut odd = [0u64; 64];
    // The operator for one zero bit.
    odd[0] = POLY;
    let mut row = 1u64;
    for slot in odd.iter_mut().skip(1) {
        *slot = row;
        row <<= 1;
    }
    gf2_square(&mut even, &odd); // two zero bits
    gf2_square(&mut odd, &even); // four zero bits
    let mut crc = crc_a;
    let mut len = len_b;
    loop {
        gf2_square(&mut even, &odd);
        if len & 1 != 0 {
            crc = gf2_times(&even, crc);
        }
        len >>= 1;
        if len == 0 {
            break;
        }
        gf2_square(&mut odd, &even);
        if len & 1 != 0 {
            crc = gf2_times(&odd, crc);
        }
        len >>= 1;
        if len == 0 {
            break;
        }
    }
    crc ^ crc_b
}

/// A reader of exactly `expected` bytes computing their CRC64 on the way. Ending early is an error,
/// never a silent EOF: the transport would otherwise wait for bytes Content-Length promised.
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
    fn known_value() {
        // The CRC-64/XZ check value.
        assert_eq!(checksum(b"123456789"), 0x995D_C9BB_DF19_39FA);
        assert_eq!(checksum(b""), 0);
    }

    #[test]
    fn combine_matches_whole() {
        let data: Vec<u8> = (0..10_000u32).map(|i| (i * 7 + i / 13) as u8).collect();
        for split in [0usize, 1, 7, 4096, 9_999, 10_000] {
            let (a, b) = data.split_at(split);
            assert_eq!(
                combine(checksum(a), checksum(b), b.len() as u64),
                checksum(&data),
                "split {split}"
            );
        }
    }

    #[test]
    fn incremental_matches_oneshot() {
        let mut c = Crc64::new();
        c.update(b"1234");
        c.update(b"56789");
        assert_eq!(c.value(), checksum(b"123456789"));
    }
}
