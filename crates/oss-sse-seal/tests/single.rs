//! Single objects: round trips at the segment-size edges, ranged reads at the boundaries the issue names,
//! and every kind of tampering with the body, the header and the identity.

mod common;

use common::*;
use oss_sse_seal::*;

const S: usize = DEFAULT_SEGMENT_SIZE as usize;

fn ciphers() -> [Cipher; 2] {
    [Cipher::Aes256Gcm, Cipher::Sm4Gcm]
}

#[test]
fn round_trips_at_segment_edges() {
    for cipher in ciphers() {
        let config = SealConfig::new(cipher);
        for len in [0, 1, S - 1, S, S + 1, 3 * S + 5] {
            let key = DataKey::generate(&rng()).unwrap();
            let id = ObjectId::new("b", "k", 1);
            let plain = pattern(len, 3);
            for chunk in [1000, S, 3 * S] {
                let (header, body) = seal_single(&key, &id, config, &plain, chunk, envelope());
                assert_eq!(
                    read_all(&header, &body, &key, &id).unwrap(),
                    plain,
                    "{cipher} {len}"
                );
            }
        }
    }
}

#[test]
fn segments_and_flags_are_laid_out_as_documented() {
    let key = DataKey::generate(&rng()).unwrap();
    let id = ObjectId::new("b", "k", 1);
    let config = SealConfig::new(Cipher::Aes256Gcm);
    let (header, body) = seal_single(&key, &id, config, &pattern(2 * S + 10, 1), 7777, envelope());
    assert_eq!(body.len(), 2 * (S + 16) + 10 + 16);
    let object = Header::decode(&header).unwrap().verify(&key, &id).unwrap();
    assert_eq!(object.plaintext_len(), 2 * S as u64 + 10);
    assert_eq!(object.ciphertext_len(), body.len() as u64);
    let plan = object.plan_full();
    let segments: Vec<_> = plan.segments().collect();
    assert_eq!(segments.len(), 3);
    assert_eq!(plan.segment_count(), 3);
    assert_eq!(segments[2].body_offset, 2 * (S as u64 + 16));
    assert_eq!(segments[2].len, 26);
    // No plaintext byte survives into the body.
    let plain = pattern(2 * S + 10, 1);
    assert!(!body
        .windows(16)
        .any(|w| plain.windows(16).take(64).any(|p| p == w)));
}

#[test]
fn ranged_reads_at_the_boundaries() {
    for cipher in ciphers() {
        let key = DataKey::generate(&rng()).unwrap();
        let id = ObjectId::new("bucket", "obj", 9);
        let len = 3 * S + 100;
        let plain = pattern(len, 9);
        let (header, body) = seal_single(
            &key,
            &id,
            SealConfig::new(cipher),
            &plain,
            50_000,
            envelope(),
        );
        let object = Header::decode(&header).unwrap().verify(&key, &id).unwrap();
        let n = len as u64;
        let mut ranges: Vec<std::ops::Range<u64>> = Vec::new();
        for at in [0u64, 1, 65535, 65536, 65537, n - 1] {
            ranges.push(at..at + 1);
            ranges.push(at..(at + 2).min(n));
            ranges.push(at..n);
            ranges.push(0..at + 1);
        }
        ranges.push(65535..65537); // straddles the first boundary: exactly two segments
        for suffix in [1u64, 2, 100, 101, 65536, 65537, n, n + 10] {
            ranges.push(suffix_range(suffix, n));
        }
        for r in ranges {
            let got = read_range(&header, &body, &key, &id, r.clone(), 10_000).unwrap();
            assert_eq!(
                got,
                plain[r.start as usize..r.end as usize],
                "{cipher} {r:?}"
            );
            let plan = object.plan(r.clone()).unwrap();
            let needed = (r.end - 1) / S as u64 - r.start / S as u64 + 1;
            assert_eq!(plan.segment_count(), needed, "{r:?}");
            if r.end - r.start == 1 {
                assert_eq!(plan.segment_count(), 1);
                assert!(plan.body_range().end - plan.body_range().start <= S as u64 + 16);
            }
        }
        assert_eq!(object.plan(65535..65537).unwrap().segment_count(), 2);
    }
}

#[test]
fn out_of_bounds_and_empty_ranges() {
    let key = DataKey::generate(&rng()).unwrap();
    let id = ObjectId::new("b", "k", 1);
    let (header, body) = seal_single(
        &key,
        &id,
        SealConfig::new(Cipher::Aes256Gcm),
        &pattern(10, 0),
        3,
        envelope(),
    );
    let object = Header::decode(&header).unwrap().verify(&key, &id).unwrap();
    assert_eq!(
        object.plan(5..11).unwrap_err(),
        SealError::RangeOutOfBounds {
            start: 5,
            end: 11,
            len: 10
        }
    );
    #[allow(clippy::reversed_empty_ranges)]
    let reversed = 6..5;
    assert!(object.plan(reversed).is_err());
    assert_eq!(object.plan(4..4).unwrap().segment_count(), 0);
    assert_eq!(read_range(&header, &body, &key, &id, 4..4, 1).unwrap(), b"");
}

#[test]
fn empty_object_still_authenticates_its_emptiness() {
    for cipher in ciphers() {
        let key = DataKey::generate(&rng()).unwrap();
        let id = ObjectId::new("b", "empty", 1);
        let (header, body) = seal_single(&key, &id, SealConfig::new(cipher), b"", 1, envelope());
        assert_eq!(body.len(), 16);
        let object = Header::decode(&header).unwrap().verify(&key, &id).unwrap();
        assert_eq!(object.plan(0..0).unwrap().segment_count(), 1);
        assert_eq!(read_all(&header, &body, &key, &id).unwrap(), b"");
        let mut bad = body.clone();
        bad[0] ^= 1;
        assert!(read_all(&header, &bad, &key, &id).is_err());
        assert!(read_all(&header, &[], &key, &id).is_err());
    }
}

/// A small segment size so that every structural attack has many segments to work with.
fn small() -> (DataKey, ObjectId, Vec<u8>, Vec<u8>, Vec<u8>, usize) {
    let key = DataKey::generate(&rng()).unwrap();
    let id = ObjectId::new("bkt", "small", 42);
    let seg = 32;
    let plain = pattern(7 * seg, 5); // seven full segments, equal length
    let config = SealConfig::with_segment_size(Cipher::Aes256Gcm, seg as u32).unwrap();
    let (header, body) = seal_single(&key, &id, config, &plain, 13, envelope());
    (key, id, plain, header, body, seg + 16)
}

#[test]
fn every_body_byte_flip_fails() {
    let (key, id, _, header, body, _) = small();
    for i in 0..body.len() {
        let mut bad = body.clone();
        bad[i] ^= 0x80;
        let err = read_all(&header, &bad, &key, &id).unwrap_err();
        assert!(
            matches!(err, SealError::SegmentAuthentication { .. }),
            "byte {i}: {err}"
        );
    }
}

#[test]
fn failure_names_the_segment() {
    let (key, id, _, header, mut body, full) = small();
    body[3 * full + 5] ^= 1;
    let err = read_all(&header, &body, &key, &id).unwrap_err();
    assert_eq!(
        err,
        SealError::SegmentAuthentication {
            stream: StreamLabel::Object,
            segment: 3
        }
    );
    assert_eq!(
        err.to_string(),
        "segment 3 of the object body failed authentication"
    );
    // Ranges that avoid the damaged segment still read.
    let plain = pattern(7 * 32, 5);
    assert_eq!(
        read_range(&header, &body, &key, &id, 0..96, 7).unwrap(),
        plain[..96]
    );
    assert_eq!(
        read_range(&header, &body, &key, &id, 128..224, 7).unwrap(),
        plain[128..]
    );
    assert!(read_range(&header, &body, &key, &id, 95..96, 7).is_ok());
    assert!(read_range(&header, &body, &key, &id, 95..97, 7).is_err());
    assert!(read_range(&header, &body, &key, &id, 127..128, 7).is_err());
}

#[test]
fn every_truncation_fails_and_extra_bytes_are_refused() {
    let (key, id, plain, header, body, _) = small();
    for cut in 0..body.len() {
        assert!(
            read_all(&header, &body[..cut], &key, &id).is_err(),
            "cut at {cut}"
        );
    }
    // Bytes past the recorded length are not the reader's business when it reads its plan...
    let mut longer = body.clone();
    longer.extend_from_slice(&[0u8; 48]);
    assert_eq!(read_all(&header, &longer, &key, &id).unwrap(), plain);
    // ...but feeding more than the plan is an error, and the decryptor stays failed.
    let object = Header::decode(&header).unwrap().verify(&key, &id).unwrap();
    let mut dec = object.decrypt_full();
    let mut out = Vec::new();
    assert!(matches!(
        dec.update(&longer, &mut out),
        Err(SealError::UnexpectedLength { .. })
    ));
    assert!(dec.update(b"", &mut out).is_err());
    assert!(dec.finish().is_err());
}

#[test]
fn swapped_duplicated_and_dropped_segments_fail() {
    let (key, id, _, header, body, full) = small();
    let seg = |i: usize| body[i * full..(i + 1) * full].to_vec();
    let count = body.len() / full;
    for i in 0..count {
        for j in 0..count {
            if i == j {
                continue;
            }
            // Swap i and j.
            let mut swapped = body.clone();
            swapped[i * full..(i + 1) * full].copy_from_slice(&seg(j));
            swapped[j * full..(j + 1) * full].copy_from_slice(&seg(i));
            assert!(
                read_all(&header, &swapped, &key, &id).is_err(),
                "swap {i} {j}"
            );
            // Overwrite i with a copy of j.
            let mut dup = body.clone();
            dup[i * full..(i + 1) * full].copy_from_slice(&seg(j));
            assert!(
                read_all(&header, &dup, &key, &id).is_err(),
                "dup {j} over {i}"
            );
        }
        // Drop i: the body is one segment short and every later one shifts.
        let mut dropped = body[..i * full].to_vec();
        dropped.extend_from_slice(&body[(i + 1) * full..]);
        assert!(read_all(&header, &dropped, &key, &id).is_err(), "drop {i}");
        // Drop i but append a copy of the last so the length matches (dropping the last and appending
        // it again would be the original body).
        if i == count - 1 {
            continue;
        }
        let mut padded = dropped.clone();
        padded.extend_from_slice(&seg(count - 1));
        assert!(
            read_all(&header, &padded, &key, &id).is_err(),
            "drop {i} and pad"
        );
    }
}

#[test]
fn truncation_to_a_segment_boundary_fails_even_with_a_forged_length() {
    // Cutting the last segments off and claiming the shorter length needs a new header tag; without
    // the data key the best an attacker can do is reuse the header of another object of that length
    // sealed under another key, which does not verify.
    let (key, id, _, header, body, full) = small();
    let other_key = DataKey::generate(&rng()).unwrap();
    let config = SealConfig::with_segment_size(Cipher::Aes256Gcm, 32).unwrap();
    let (short_header, _) =
        seal_single(&other_key, &id, config, &pattern(3 * 32, 5), 32, envelope());
    assert_eq!(
        read_all(&short_header, &body[..3 * full], &key, &id).unwrap_err(),
        SealError::HeaderAuthentication
    );
    assert!(read_all(&header, &body[..3 * full], &key, &id).is_err());
}

#[test]
fn wrong_bucket_key_generation_or_data_key_fails() {
    let (key, id, _, header, body, _) = small();
    let wrong_ids = [
        ObjectId::new("bkt2", "small", 42),
        ObjectId::new("bkt", "small2", 42),
        ObjectId::new("bkt", "small", 43),
        ObjectId::new("bk", "tsmall", 42),
    ];
    for wrong in &wrong_ids {
        let err = Header::decode(&header)
            .unwrap()
            .verify(&key, wrong)
            .unwrap_err();
        assert_eq!(err, SealError::HeaderAuthentication);
    }
    let other = DataKey::generate(&rng()).unwrap();
    assert_eq!(
        Header::decode(&header)
            .unwrap()
            .verify(&other, &id)
            .unwrap_err(),
        SealError::HeaderAuthentication
    );
    assert!(read_all(&header, &body, &key, &id).is_ok());
}

#[test]
fn a_body_moved_between_objects_sharing_a_data_key_fails() {
    // Even when one data key is reused (bucket-key style), bodies and segments are bound to their object.
    let key = DataKey::generate(&rng()).unwrap();
    let config = SealConfig::with_segment_size(Cipher::Sm4Gcm, 32).unwrap();
    let plain = pattern(100, 1);
    let a = ObjectId::new("b", "a", 1);
    let b = ObjectId::new("b", "b", 1);
    let a2 = ObjectId::new("b", "a", 2);
    let (ha, ba) = seal_single(&key, &a, config, &plain, 100, envelope());
    let (hb, bb) = seal_single(&key, &b, config, &plain, 100, envelope());
    let (ha2, ba2) = seal_single(&key, &a2, config, &plain, 100, envelope());
    assert!(read_all(&ha, &bb, &key, &a).is_err());
    assert!(read_all(&hb, &ba, &key, &b).is_err());
    assert!(
        read_all(&ha2, &ba, &key, &a2).is_err(),
        "an older write's body"
    );
    assert!(
        read_all(&ha, &ba2, &key, &a).is_err(),
        "a newer write's body"
    );
    // A single segment spliced in from the other object fails too.
    let mut spliced = ba.clone();
    spliced[..48].copy_from_slice(&bb[..48]);
    assert!(read_all(&ha, &spliced, &key, &a).is_err());
    assert_eq!(read_all(&ha, &ba, &key, &a).unwrap(), plain);
}

#[test]
fn every_header_byte_flip_fails_somewhere_on_the_read_path() {
    // The full read path: decode, unwrap with the KMS, verify, read. Edits of the envelope fail at the
    // (authenticating) KMS; edits of anything else fail at decode or at the tag.
    let kms = ToyKms::new();
    let key = DataKey::generate(&rng()).unwrap();
    let id = ObjectId::new("bkt", "obj", 3);
    let config = SealConfig::with_segment_size(Cipher::Aes256Gcm, 64).unwrap();
    let plain = pattern(300, 2);
    let (header, body) = seal_single(&key, &id, config, &plain, 64, kms.wrap(&key, "v1"));
    let read = |h: &[u8]| -> Result<Vec<u8>, String> {
        let unverified = Header::decode(h).map_err(|e| e.to_string())?;
        let key = kms.unwrap(unverified.envelope()).ok_or("kms refused")?;
        read_all(h, &body, &key, &id).map_err(|e| e.to_string())
    };
    assert_eq!(read(&header).unwrap(), plain);
    for i in 0..header.len() {
        for flip in [0x01u8, 0x80] {
            let mut bad = header.clone();
            bad[i] ^= flip;
            assert!(
                read(&bad).is_err(),
                "header byte {i} ^ {flip:#x} went unnoticed"
            );
        }
    }
    for cut in 0..header.len() {
        assert!(read(&header[..cut]).is_err(), "header cut at {cut}");
    }
    let mut longer = header.clone();
    longer.push(0);
    assert!(read(&longer).is_err());
}

#[test]
fn decryptor_per_segment_api_and_poisoning() {
    let (key, id, plain, header, body, _) = small();
    let object = Header::decode(&header).unwrap().verify(&key, &id).unwrap();
    let mut dec = object.decrypt_range(20..150).unwrap();
    let mut got = Vec::new();
    while let Some(seg) = dec.next_segment() {
        let mut buf = body[seg.body_offset as usize..(seg.body_offset + seg.len) as usize].to_vec();
        dec.open_segment_in_place(&mut buf).unwrap();
        got.extend_from_slice(&buf);
    }
    dec.finish().unwrap();
    assert_eq!(got, plain[20..150]);

    // A wrong-length buffer is refused, a failed segment leaves nothing behind, and the decryptor
    // refuses everything after the first failure.
    let mut dec = object.decrypt_full();
    let mut short = vec![0u8; 10];
    assert!(matches!(
        dec.open_segment_in_place(&mut short),
        Err(SealError::UnexpectedLength { .. })
    ));
    let mut dec = object.decrypt_full();
    let mut bad = body[..48].to_vec();
    bad[0] ^= 1;
    assert!(dec.open_segment_in_place(&mut bad).is_err());
    assert!(bad.is_empty());
    let mut good = body[..48].to_vec();
    assert!(dec.open_segment_in_place(&mut good).is_err());
    // A finish with segments left over reports where the input stopped.
    let dec = object.decrypt_full();
    assert_eq!(
        dec.finish().unwrap_err(),
        SealError::Truncated {
            stream: StreamLabel::Object,
            segment: 0
        }
    );
}

#[test]
fn rewrap_replaces_the_envelope_without_the_data_key() {
    let kms = ToyKms::new();
    let key = DataKey::generate(&rng()).unwrap();
    let id = ObjectId::new("b", "k", 1);
    let plain = pattern(1000, 4);
    let config = SealConfig::with_segment_size(Cipher::Sm4Gcm, 100).unwrap();
    let (header, body) = seal_single(&key, &id, config, &plain, 333, kms.wrap(&key, "v1"));
    let rewrapped = Header::decode(&header)
        .unwrap()
        .with_envelope(kms.wrap(&key, "v2"))
        .unwrap()
        .encode();
    let unverified = Header::decode(&rewrapped).unwrap();
    assert_eq!(unverified.envelope().kms_key_version, "v2");
    let unwrapped = kms.unwrap(unverified.envelope()).unwrap();
    assert_eq!(read_all(&rewrapped, &body, &unwrapped, &id).unwrap(), plain);
    // An envelope wrapping some other key does not open the object.
    let other = DataKey::generate(&rng()).unwrap();
    let swapped = Header::decode(&header)
        .unwrap()
        .with_envelope(kms.wrap(&other, "v1"))
        .unwrap()
        .encode();
    let k = kms
        .unwrap(Header::decode(&swapped).unwrap().envelope())
        .unwrap();
    assert_eq!(
        read_all(&swapped, &body, &k, &id).unwrap_err(),
        SealError::HeaderAuthentication
    );
    // Oversized envelopes are refused.
    let huge = Envelope {
        wrapped_key: vec![0; MAX_WRAPPED_KEY_LEN + 1],
        ..envelope()
    };
    assert!(Header::decode(&header)
        .unwrap()
        .with_envelope(huge)
        .is_err());
}

#[test]
fn header_decoding_is_strict() {
    let (_, _, _, header, _, _) = small();
    let mut v2 = header.clone();
    v2[7] = 2;
    assert_eq!(
        Header::decode(&v2).unwrap_err(),
        SealError::UnsupportedVersion(2)
    );
    let mut magic = header.clone();
    magic[0] = b'X';
    assert!(matches!(
        Header::decode(&magic),
        Err(SealError::Malformed { .. })
    ));
    assert!(Header::decode(&vec![0u8; MAX_HEADER_LEN + 1]).is_err());
    // A stream count claiming more entries than the bytes hold is refused before allocating.
    let mut count = header.clone();
    let at = 8 + 1 + 4 + 1 + 2;
    count[at..at + 4].copy_from_slice(&10_000u32.to_be_bytes());
    assert!(matches!(
        Header::decode(&count),
        Err(SealError::Malformed { .. })
    ));
}

#[test]
fn one_gib_object_reads_one_segment_per_byte() {
    // Seal 1 GiB without keeping it, capturing only the segments the ranged reads below will need.
    let key = DataKey::generate(&rng()).unwrap();
    let id = ObjectId::new("big", "one-gib", 1);
    let config = SealConfig::new(Cipher::Aes256Gcm);
    let len: u64 = 1 << 30;
    let full = S as u64 + 16;
    let targets = [0u64, 65536, 512 << 20, len - 1];
    let wanted: Vec<u64> = targets.iter().map(|t| t / S as u64).collect();
    let mut sealer = StreamSealer::object(&rng(), &key, &id, config).unwrap();
    let chunk = vec![0xa5u8; 1 << 20];
    let mut out = Vec::with_capacity(chunk.len() + 2 * full as usize);
    let mut offset = 0u64; // body offset of out[0]
    let mut captured = std::collections::BTreeMap::new();
    let mut take = |out: &mut Vec<u8>, offset: &mut u64| {
        let mut at = 0usize;
        while at < out.len() {
            let index = *offset / full;
            let seg_len = (full as usize).min(out.len() - at);
            if wanted.contains(&index) {
                captured.insert(index, out[at..at + seg_len].to_vec());
            }
            at += seg_len;
            *offset += seg_len as u64;
        }
        out.clear();
    };
    for _ in 0..(len / chunk.len() as u64) {
        sealer.update(&chunk, &mut out).unwrap();
        // The sealer emits whole segments only, so each batch starts on a segment boundary.
        take(&mut out, &mut offset);
    }
    let record = sealer.finish(&mut out).unwrap();
    take(&mut out, &mut offset);
    assert_eq!(offset, config.ciphertext_len(len).unwrap());
    let header = Header::single(&key, &id, &record, envelope()).unwrap();
    let object = Header::decode(&header.encode())
        .unwrap()
        .verify(&key, &id)
        .unwrap();
    for t in targets {
        let mut dec = object.decrypt_range(t..t + 1).unwrap();
        assert_eq!(dec.plan().segment_count(), 1);
        let span = dec.plan().body_range();
        assert!(span.end - span.start <= full);
        let seg = &captured[&(span.start / full)];
        assert_eq!(seg.len() as u64, span.end - span.start);
        let mut got = Vec::new();
        dec.update(seg, &mut got).unwrap();
        dec.finish().unwrap();
        assert_eq!(got, [0xa5]);
    }
    let straddle = object.plan(65535..65537).unwrap();
    assert_eq!(straddle.segment_count(), 2);
}

#[test]
fn handles_can_move_into_tasks() {
    fn owned_and_sendable<T: Send + 'static>() {}
    fn shareable<T: Send + Sync + 'static>() {}
    shareable::<OpenedObject>();
    shareable::<DataKey>();
    owned_and_sendable::<RangeDecryptor>();
    owned_and_sendable::<ReadPlan>();
    owned_and_sendable::<StreamSealer>();
    assert_eq!(SealConfig::default(), SealConfig::new(Cipher::Aes256Gcm));
}
