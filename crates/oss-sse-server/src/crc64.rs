//! CRC-64/ECMA-182 as OSS computes `x-oss-hash-crc64ecma` (the reflected polynomial with all-ones initial
//! value and final xor, known elsewhere as CRC-64/XZ), streaming, plus the combination of two CRCs so that
//! a multipart object's CRC is derived from its parts' CRCs without reading the data again.

use crc::{Crc, Digest, CRC_64_XZ};

static CRC64: Crc<u64> = Crc::<u64>::new(&CRC_64_XZ);

/// The reflected polynomial of CRC-64/ECMA-182.
const POLY_REFLECTED: u64 = 0xC96C_5795_D787_0F42;

/// An incremental CRC-64 computation.
pub struct Crc64 {
    digest: Digest<'static, u64>,
}

impl Default for Crc64 {
    fn default() -> Self {
        Self::new()
    }
}

impl Crc64 {
    /// A fresh computation (the CRC of the empty string is 0).
    pub fn new() -> Self {
        Crc64 {
            digest: CRC64.digest(),
        }
    }

    /// Feeds `data`.
    pub fn update(&mut self, data: &[u8]) {
        self.digest.update(data);
    }

    /// The CRC of everything fed so far.
    pub fn finish(self) -> u64 {
        self.digest.finalize()
    }
}

/// The CRC-64 of `data` in one call.
pub fn checksum(data: &[u8]) -> u64 {
    CRC64.checksum(data)
}

fn gf2_times(mat: &[u64; 64], mut vec: u64) -> u64 {
    let mut sum = 0;
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

/// CRC of `A ‖ B` from `crc(A)`, `crc(B)` and `len(B)`: the zero-extension of `crc(A)` by `len(B)` bytes is
/// applied as a GF(2) matrix raised to that power by repeated squaring.
pub fn combine(mut crc_a: u64, crc_b: u64, mut len_b: u64) -> u64 {
    if len_b == 0 {
        return crc_a;
    }
    let mut even = [0u64; 64];
    let mut odd = [0u64; 64];
    // The operator for one zero bit.
    odd[0] = POLY_REFLECTED;
    let mut row = 1u64;
    for slot in odd.iter_mut().skip(1) {
        *slot = row;
        row <<= 1;
    }
    gf2_square(&mut even, &odd); // two zero bits
    gf2_square(&mut odd, &even); // four zero bits
    loop {
        gf2_square(&mut even, &odd);
        if len_b & 1 != 0 {
            crc_a = gf2_times(&even, crc_a);
        }
        len_b >>= 1;
        if len_b == 0 {
            break;
        }
        gf2_square(&mut odd, &even);
        if len_b & 1 != 0 {
            crc_a = gf2_times(&odd, crc_a);
        }
        len_b >>= 1;
        if len_b == 0 {
            break;
        }
    }
    crc_a ^ crc_b
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn check_value_of_the_catalogue() {
        // The catalogue's check value for CRC-64/XZ over "123456789".
        assert_eq!(checksum(b"123456789"), 0x995D_C9BB_DF19_39FA);
        assert_eq!(checksum(b""), 0);
    }

    proptest! {
        #[test]
        fn combine_matches_direct(a in proptest::collection::vec(any::<u8>(), 0..300),
                                  b in proptest::collection::vec(any::<u8>(), 0..300)) {
            let mut whole = a.clone();
            whole.extend_from_slice(&b);
            prop_assert_eq!(combine(checksum(&a), checksum(&b), b.len() as u64), checksum(&whole));
        }
    }
}
