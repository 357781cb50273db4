//! Stored data read back: sealed-object headers, stream records and KMS ciphertext blobs are parsed
//! strictly from whatever bytes are on disk (a corrupted or hostile data dir), giving a value or an error,
//! never a panic. Raw mode feeds the bytes to a decoder; sealed mode seals a small real object, corrupts
//! its header or record at fuzzer-chosen places and reads it back, so the deep decode and tag-check
//! paths are reached on every run rather than only once the fuzzer has guessed a whole valid header.
#![no_main]
#![forbid(unsafe_code)]

use libfuzzer_sys::arbitrary::{self, Arbitrary};
use libfuzzer_sys::fuzz_target;
use oss_sse_seal::{
    Cipher, DataKey, Envelope, Header, ObjectId, SealConfig, StreamRecord, StreamSealer,
    MIN_SEGMENT_SIZE,
};
use ring::rand::SystemRandom;

#[derive(Debug, Arbitrary)]
enum Decoder {
    Header,
    Record,
    Blob,
    /// The server keeps headers base64'd in its metadata records.
    Base64Header,
}

#[derive(Debug, Arbitrary)]
struct Sealed {
    sm4: bool,
    segment: u8,
    plaintext_len: u16,
    wrapped_key: Vec<u8>,
    kms_key_id: String,
    kms_key_version: String,
    corrupt_record: bool,
    edits: Vec<(u16, u8)>,
    truncate: Option<u16>,
}

#[derive(Debug, Arbitrary)]
enum Input<'a> {
    Raw(Decoder, &'a [u8]),
    Sealed(Sealed),
}

fn raw(decoder: &Decoder, bytes: &[u8]) {
    match decoder {
        Decoder::Header => {
            let _ = Header::decode(bytes);
        }
        Decoder::Record => {
            if let Ok(record) = StreamRecord::decode(bytes) {
                // Strict parsing: what was accepted re-encodes to the same bytes.
                assert_eq!(record.encode(), bytes);
            }
        }
        Decoder::Blob => {
            if let Ok(info) = oss_sse_kms::inspect_blob(bytes) {
                assert!(info.plaintext_len < bytes.len(), "{info:?}");
            }
        }
        Decoder::Base64Header => {
            let _ = oss_sse_server::encryption::decode_header(&String::from_utf8_lossy(bytes));
        }
    }
}

fn corrupt(bytes: &mut Vec<u8>, s: &Sealed) {
    if bytes.is_empty() {
        return;
    }
    for &(at, value) in &s.edits {
        let at = usize::from(at) % bytes.len();
        bytes[at] = value;
    }
    if let Some(len) = s.truncate {
        bytes.truncate(usize::from(len) % (bytes.len() + 1));
    }
}

/// The envelope of the sealed object, with fuzzer-chosen (possibly oversized) KMS fields.
fn envelope(s: &Sealed) -> Envelope {
    Envelope {
        wrapped_key: s.wrapped_key.clone(),
        kms_key_id: s.kms_key_id.clone(),
        kms_key_version: s.kms_key_version.clone(),
    }
}

fn sealed(s: &Sealed) {
    let rng = SystemRandom::new();
    let cipher = if s.sm4 {
        Cipher::Sm4Gcm
    } else {
        Cipher::Aes256Gcm
    };
    let Ok(config) = SealConfig::with_segment_size(cipher, MIN_SEGMENT_SIZE + u32::from(s.segment))
    else {
        return;
    };
    let (Ok(key), id) = (DataKey::generate(&rng), ObjectId::new("bucket", "key", 7)) else {
        return;
    };
    let Ok(mut sealer) = StreamSealer::object(&rng, &key, &id, config) else {
        return;
    };
    let plaintext = vec![0x5a; usize::from(s.plaintext_len % 2048)];
    let mut body = Vec::new();
    if sealer.update(&plaintext, &mut body).is_err() {
        return;
    }
    let Ok(record) = sealer.finish(&mut body) else {
        return;
    };
    if s.corrupt_record {
        let mut bytes = record.encode();
        corrupt(&mut bytes, s);
        if let Ok(back) = StreamRecord::decode(&bytes) {
            assert_eq!(back.encode(), bytes);
            let _ = Header::single(&key, &id, &back, envelope(s));
        }
        return;
    }
    let Ok(header) = Header::single(&key, &id, &record, envelope(s)) else {
        return;
    };
    let original = header.encode();
    let mut bytes = original.clone();
    corrupt(&mut bytes, s);
    let Ok(unverified) = Header::decode(&bytes) else {
        assert!(
            bytes != original,
            "a header this crate encoded does not decode"
        );
        return;
    };
    if let Ok(object) = unverified.verify(&key, &id) {
        // The tag covers the layout: only envelope bytes (authenticated by the KMS) may change.
        assert_eq!(object.header().streams(), header.streams());
        assert_eq!(object.header().config(), header.config());
    }
}

fuzz_target!(|input: Input<'_>| match input {
    Input::Raw(decoder, bytes) => raw(&decoder, bytes),
    Input::Sealed(s) => sealed(&s),
});
