//! Helpers shared by the integration tests: sealing whole objects, reading ranges back the way the
//! emulator will (decode, unwrap, verify, plan, read only the planned bytes, decrypt), and a toy KMS whose
//! wrapped keys are authenticated like a real KMS's ciphertext blobs.
#![allow(dead_code)]

use oss_sse_seal::*;
use ring::aead;
use ring::rand::SystemRandom;

pub fn rng() -> SystemRandom {
    SystemRandom::new()
}

/// A deterministic, recognisable plaintext.
pub fn pattern(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u32).wrapping_mul(2_654_435_761).to_be_bytes()[0] ^ seed)
        .collect()
}

/// A stand-in KMS: wraps data keys with AES-256-GCM under a master key, binding the key id and version
/// as associated data, like a real KMS's authenticated ciphertext blob.
pub struct ToyKms {
    master: aead::LessSafeKey,
}

impl ToyKms {
    pub fn new() -> Self {
        let key = aead::UnboundKey::new(&aead::AES_256_GCM, &[0x5a; 32]).unwrap();
        Self {
            master: aead::LessSafeKey::new(key),
        }
    }

    fn aad(id: &str, version: &str) -> Vec<u8> {
        let mut aad = Vec::new();
        aad.extend_from_slice(&(id.len() as u32).to_be_bytes());
        aad.extend_from_slice(id.as_bytes());
        aad.extend_from_slice(version.as_bytes());
        aad
    }

    pub fn wrap(&self, key: &DataKey, version: &str) -> Envelope {
        let mut blob = key.expose_secret().to_vec();
        let nonce = [7u8; 12];
        self.master
            .seal_in_place_append_tag(
                aead::Nonce::assume_unique_for_key(nonce),
                aead::Aad::from(Self::aad("cmk-1", version)),
                &mut blob,
            )
            .unwrap();
        Envelope {
            wrapped_key: blob,
            kms_key_id: "cmk-1".into(),
            kms_key_version: version.into(),
        }
    }

    pub fn unwrap(&self, envelope: &Envelope) -> Option<DataKey> {
        let mut blob = envelope.wrapped_key.clone();
        let plain = self
            .master
            .open_in_place(
                aead::Nonce::assume_unique_for_key([7u8; 12]),
                aead::Aad::from(Self::aad(&envelope.kms_key_id, &envelope.kms_key_version)),
                &mut blob,
            )
            .ok()?;
        DataKey::from_bytes(plain).ok()
    }
}

pub fn envelope() -> Envelope {
    Envelope {
        wrapped_key: vec![1, 2, 3],
        kms_key_id: "key".into(),
        kms_key_version: "v1".into(),
    }
}

/// Seals `plaintext` as a single object, feeding it in chunks of `chunk` bytes.
pub fn seal_single(
    key: &DataKey,
    id: &ObjectId,
    config: SealConfig,
    plaintext: &[u8],
    chunk: usize,
    envelope: Envelope,
) -> (Vec<u8>, Vec<u8>) {
    let mut sealer = StreamSealer::object(&rng(), key, id, config).unwrap();
    let mut body = Vec::new();
    for piece in plaintext.chunks(chunk.max(1)) {
        sealer.update(piece, &mut body).unwrap();
    }
    let record = sealer.finish(&mut body).unwrap();
    assert_eq!(record.ciphertext_len(), body.len() as u64);
    assert_eq!(
        config.ciphertext_len(plaintext.len() as u64).unwrap(),
        body.len() as u64
    );
    let header = Header::single(key, id, &record, envelope).unwrap();
    let bytes = header.encode();
    assert_eq!(bytes.len(), header.encoded_len());
    (bytes, body)
}

/// Reads `range` of a stored object the way the emulator does: only the planned body bytes, fed in
/// chunks of `chunk` bytes. A body shorter than the plan is fed as far as it goes.
pub fn read_range(
    header: &[u8],
    body: &[u8],
    key: &DataKey,
    id: &ObjectId,
    range: std::ops::Range<u64>,
    chunk: usize,
) -> Result<Vec<u8>, SealError> {
    let object = Header::decode(header)?.verify(key, id)?;
    let mut dec = object.decrypt_range(range)?;
    let span = dec.plan().body_range();
    let start = (span.start as usize).min(body.len());
    let end = (span.end as usize).min(body.len());
    let mut out = Vec::new();
    for piece in body[start..end].chunks(chunk.max(1)) {
        dec.update(piece, &mut out)?;
    }
    dec.finish()?;
    Ok(out)
}

pub fn read_all(
    header: &[u8],
    body: &[u8],
    key: &DataKey,
    id: &ObjectId,
) -> Result<Vec<u8>, SealError> {
    let len = Header::decode(header)?.verify(key, id)?.plaintext_len();
    read_range(header, body, key, id, 0..len, 4096)
}
