//! Property tests: random sizes, segment sizes, chunkings and ranges against the plaintext; random
//! corruption; arbitrary bytes into the decoders.

mod common;

use common::*;
use oss_sse_seal::*;
use proptest::prelude::*;

fn cipher() -> impl Strategy<Value = Cipher> {
    prop_oneof![Just(Cipher::Aes256Gcm), Just(Cipher::Sm4Gcm)]
}

/// Object sizes biased towards the interesting ones for segment size `seg`.
fn size_for(seg: usize) -> impl Strategy<Value = usize> {
    prop_oneof![
        Just(0),
        Just(1),
        Just(seg - 1),
        Just(seg),
        Just(seg + 1),
        Just(5 * seg),
        0..12 * seg,
    ]
}

fn setup() -> impl Strategy<Value = (Cipher, usize, usize, usize)> {
    (cipher(), 16usize..200)
        .prop_flat_map(|(c, seg)| (Just(c), Just(seg), size_for(seg), 1usize..3 * seg))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn round_trip_and_random_ranges((cipher, seg, len, chunk) in setup(), a in any::<u64>(), b in any::<u64>(), feed in 1usize..500) {
        let key = DataKey::generate(&rng()).unwrap();
        let id = ObjectId::new("b", "k", 1);
        let config = SealConfig::with_segment_size(cipher, seg as u32).unwrap();
        let plain = pattern(len, 7);
        let (header, body) = seal_single(&key, &id, config, &plain, chunk, envelope());
        prop_assert_eq!(config.plaintext_len(body.len() as u64).unwrap(), len as u64);
        prop_assert_eq!(read_range(&header, &body, &key, &id, 0..len as u64, feed).unwrap(), plain.clone());
        let n = len as u64 + 1;
        let (x, y) = (a % n, b % n);
        let r = x.min(y)..x.max(y);
        let got = read_range(&header, &body, &key, &id, r.clone(), feed).unwrap();
        prop_assert_eq!(&got[..], &plain[r.start as usize..r.end as usize]);
        // The plan reads only the segments the range touches.
        let object = Header::decode(&header).unwrap().verify(&key, &id).unwrap();
        let plan = object.plan(r.clone()).unwrap();
        if !r.is_empty() && r != (0..len as u64) {
            let s = seg as u64;
            prop_assert_eq!(plan.segment_count(), (r.end - 1) / s - r.start / s + 1);
            let span = plan.body_range();
            prop_assert_eq!(span.start, r.start / s * (s + 16));
        }
    }

    #[test]
    fn random_corruption_never_yields_wrong_bytes((cipher, seg, len, chunk) in setup(), at in any::<usize>(), flip in 1u8..=255, r in any::<(u64, u64)>()) {
        let key = DataKey::generate(&rng()).unwrap();
        let id = ObjectId::new("b", "k", 1);
        let config = SealConfig::with_segment_size(cipher, seg as u32).unwrap();
        let plain = pattern(len, 1);
        let (header, mut body) = seal_single(&key, &id, config, &plain, chunk, envelope());
        let at = at % body.len();
        body[at] ^= flip;
        prop_assert!(read_all(&header, &body, &key, &id).is_err());
        // Any range either fails or returns exactly the right bytes.
        let n = len as u64 + 1;
        let range = (r.0 % n).min(r.1 % n)..(r.0 % n).max(r.1 % n);
        if let Ok(got) = read_range(&header, &body, &key, &id, range.clone(), 64) {
            prop_assert_eq!(&got[..], &plain[range.start as usize..range.end as usize]);
        }
    }

    #[test]
    fn random_multipart_layouts(sizes in proptest::collection::vec(0usize..400, 1..6), seg in 16u32..128, a in any::<u64>(), b in any::<u64>()) {
        let key = DataKey::generate(&rng()).unwrap();
        let id = ObjectId::new("b", "mp", 3);
        let config = SealConfig::with_segment_size(Cipher::Aes256Gcm, seg).unwrap();
        let mut records = Vec::new();
        let mut body = Vec::new();
        let mut plain = Vec::new();
        for (i, size) in sizes.iter().enumerate() {
            let p = pattern(*size, i as u8);
            let mut s = StreamSealer::part(&rng(), &key, &id, config, "up", i as u32 + 1).unwrap();
            s.update(&p, &mut body).unwrap();
            records.push(s.finish(&mut body).unwrap());
            plain.extend_from_slice(&p);
        }
        let header = Header::multipart(&key, &id, "up", &records, envelope()).unwrap().encode();
        prop_assert_eq!(read_all(&header, &body, &key, &id).unwrap(), plain.clone());
        let n = plain.len() as u64 + 1;
        let r = (a % n).min(b % n)..(a % n).max(b % n);
        let got = read_range(&header, &body, &key, &id, r.clone(), 37).unwrap();
        prop_assert_eq!(&got[..], &plain[r.start as usize..r.end as usize]);
    }

    #[test]
    fn decoders_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let _ = Header::decode(&bytes);
        let _ = StreamRecord::decode(&bytes);
    }

    #[test]
    fn header_mutations_are_rejected_or_harmless(edits in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..4)) {
        let key = DataKey::generate(&rng()).unwrap();
        let id = ObjectId::new("b", "k", 1);
        let config = SealConfig::with_segment_size(Cipher::Sm4Gcm, 32).unwrap();
        let (header, _) = seal_single(&key, &id, config, &pattern(100, 0), 9, envelope());
        let mut bad = header.clone();
        for (at, value) in edits {
            let at = at % bad.len();
            bad[at] = value;
        }
        if let Ok(unverified) = Header::decode(&bad) {
            // Only envelope edits (which the KMS authenticates) may survive the tag.
            if let Ok(object) = unverified.verify(&key, &id) {
                let original = Header::decode(&header).unwrap().verify(&key, &id).unwrap();
                prop_assert_eq!(object.header().streams(), original.header().streams());
                prop_assert_eq!(object.header().config(), original.header().config());
            }
        }
    }
}
