//! Multipart objects (independently sealed parts bound at completion) and appendable objects (extents).

mod common;

use common::*;
use oss_sse_seal::*;

const SEG: u32 = 64;

fn config() -> SealConfig {
    SealConfig::with_segment_size(Cipher::Aes256Gcm, SEG).unwrap()
}

struct Upload {
    key: DataKey,
    id: ObjectId,
    upload_id: String,
}

impl Upload {
    fn new() -> Self {
        Self {
            key: DataKey::generate(&rng()).unwrap(),
            id: ObjectId::new("bucket", "multi", 77),
            upload_id: "0004B9894A22E5B1888A1E29F8236E2D".into(),
        }
    }

    /// Seals one part, round-tripping its record through storage encoding.
    fn part(&self, number: u32, plain: &[u8], config: SealConfig) -> (StreamRecord, Vec<u8>) {
        let mut sealer =
            StreamSealer::part(&rng(), &self.key, &self.id, config, &self.upload_id, number)
                .unwrap();
        let mut body = Vec::new();
        for piece in plain.chunks(50) {
            sealer.update(piece, &mut body).unwrap();
        }
        let record = sealer.finish(&mut body).unwrap();
        assert_eq!(record.ciphertext_len(), body.len() as u64);
        assert_eq!(record.plaintext_len(), plain.len() as u64);
        let stored = StreamRecord::decode(&record.encode()).unwrap();
        assert_eq!(stored, record);
        (stored, body)
    }

    fn complete(&self, records: &[StreamRecord]) -> Result<Vec<u8>, SealError> {
        Header::multipart(&self.key, &self.id, &self.upload_id, records, envelope())
            .map(|h| h.encode())
    }
}

/// Three parts of uneven sizes (the middle one ends mid-segment), plus their plaintext.
fn three_parts(u: &Upload) -> (Vec<StreamRecord>, Vec<Vec<u8>>, Vec<u8>) {
    let plains = [pattern(300, 1), pattern(129, 2), pattern(70, 3)];
    let mut records = Vec::new();
    let mut bodies = Vec::new();
    for (i, p) in plains.iter().enumerate() {
        let (r, b) = u.part(i as u32 + 1, p, config());
        records.push(r);
        bodies.push(b);
    }
    (records, bodies, plains.concat())
}

#[test]
fn parts_round_trip_and_ranges_cross_part_boundaries() {
    let u = Upload::new();
    let (records, bodies, plain) = three_parts(&u);
    let header = u.complete(&records).unwrap();
    let body = bodies.concat();
    assert_eq!(read_all(&header, &body, &u.key, &u.id).unwrap(), plain);
    let object = Header::decode(&header)
        .unwrap()
        .verify(&u.key, &u.id)
        .unwrap();
    assert_eq!(object.header().kind(), ObjectKind::Multipart);
    assert_eq!(object.header().upload_id(), Some(u.upload_id.as_str()));
    assert_eq!(object.ciphertext_len(), body.len() as u64);
    let n = plain.len() as u64;
    for r in [
        0..n,
        299..301,
        250..450,
        299..300,
        300..301,
        428..430,
        429..430,
        0..1,
        n - 1..n,
        10..n - 3,
    ] {
        let got = read_range(&header, &body, &u.key, &u.id, r.clone(), 33).unwrap();
        assert_eq!(got, plain[r.start as usize..r.end as usize], "{r:?}");
    }
    // Per-part spans for storage that keeps parts apart: 299..301 needs part 1's last segment and
    // part 2's first.
    let plan = object.plan(299..301).unwrap();
    let spans = plan.stream_spans();
    assert_eq!(spans.len(), 2);
    assert_eq!(spans[0].label, StreamLabel::Part(1));
    assert_eq!(spans[1].label, StreamLabel::Part(2));
    assert_eq!(spans[1].stream_range.start, 0);
    let mut dec = object.decrypt_range(299..301).unwrap();
    let mut out = Vec::new();
    for span in &spans {
        let part = &bodies[span.stream_index];
        dec.update(
            &part[span.stream_range.start as usize..span.stream_range.end as usize],
            &mut out,
        )
        .unwrap();
        assert_eq!(
            &body[span.body_range.start as usize..span.body_range.end as usize],
            &part[span.stream_range.start as usize..span.stream_range.end as usize]
        );
    }
    dec.finish().unwrap();
    assert_eq!(out, plain[299..301]);
}

#[test]
fn parts_can_be_sealed_in_any_order_and_sm4_works_too() {
    let u = Upload::new();
    let config = SealConfig::new(Cipher::Sm4Gcm);
    let p2 = pattern(70_000, 8);
    let p1 = pattern(65_536, 9);
    let (r2, b2) = u.part(2, &p2, config);
    let (r1, b1) = u.part(1, &p1, config);
    let header = u.complete(&[r1, r2]).unwrap();
    let body = [b1, b2].concat();
    assert_eq!(
        read_all(&header, &body, &u.key, &u.id).unwrap(),
        [p1, p2].concat()
    );
}

#[test]
fn dropped_swapped_or_replaced_parts_fail() {
    let u = Upload::new();
    let (records, bodies, _) = three_parts(&u);
    let header = u.complete(&records).unwrap();
    // Part 2 missing from the body.
    let dropped = [bodies[0].clone(), bodies[2].clone()].concat();
    assert!(read_all(&header, &dropped, &u.key, &u.id).is_err());
    // Parts 1 and 3 swapped on disk (and 2 and 3, which differ in length).
    let swapped = [bodies[2].clone(), bodies[1].clone(), bodies[0].clone()].concat();
    assert!(read_all(&header, &swapped, &u.key, &u.id).is_err());
    let swapped = [bodies[0].clone(), bodies[2].clone(), bodies[1].clone()].concat();
    assert!(read_all(&header, &swapped, &u.key, &u.id).is_err());
    // Part 2 replaced by another upload of part 2 with the same size.
    let (_, other2) = u.part(2, &pattern(129, 2), config());
    let replaced = [bodies[0].clone(), other2, bodies[2].clone()].concat();
    let err = read_all(&header, &replaced, &u.key, &u.id).unwrap_err();
    assert_eq!(
        err,
        SealError::SegmentAuthentication {
            stream: StreamLabel::Part(2),
            segment: 0
        }
    );
    assert_eq!(err.to_string(), "segment 0 of part 2 failed authentication");
    // A part 3 holding part 1's plaintext, put in part 1's place: keyed as part 3, so it fails.
    let (_, part3_body) = u.part(3, &pattern(300, 1), config());
    let moved = [part3_body, bodies[1].clone(), bodies[2].clone()].concat();
    assert!(read_all(&header, &moved, &u.key, &u.id).is_err());
    // Ranges in the intact parts still read.
    let ok = read_range(&header, &dropped, &u.key, &u.id, 0..300, 64);
    assert_eq!(ok.unwrap(), pattern(300, 1));
    assert!(read_range(&header, &swapped, &u.key, &u.id, 0..300, 64).is_ok());
}

#[test]
fn the_part_list_is_bound_by_the_header_tag() {
    let u = Upload::new();
    let (records, bodies, _) = three_parts(&u);
    let header = u.complete(&records).unwrap();
    // Completing with parts 1 and 3 only gives a different, valid object...
    let partial = u
        .complete(&[records[0].clone(), records[2].clone()])
        .unwrap();
    let body13 = [bodies[0].clone(), bodies[2].clone()].concat();
    assert_eq!(
        read_all(&partial, &body13, &u.key, &u.id).unwrap(),
        [pattern(300, 1), pattern(70, 3)].concat()
    );
    // ...but neither header reads the other's body, and editing the part list in place fails.
    assert!(read_all(&header, &body13, &u.key, &u.id).is_err());
    assert!(read_all(&partial, &bodies.concat(), &u.key, &u.id).is_err());
    let stream_list_at = 8 + 1 + 4 + 1 + 2 + u.upload_id.len() + 4;
    for field in 0..67 * 3 {
        let mut bad = header.clone();
        bad[stream_list_at + field] ^= 1;
        let verified = Header::decode(&bad).and_then(|h| h.verify(&u.key, &u.id));
        assert!(
            verified.is_err(),
            "part-list byte {field} edit went unnoticed"
        );
    }
}

#[test]
fn completion_checks_the_records() {
    let u = Upload::new();
    let (records, _, _) = three_parts(&u);
    // Out of order, repeated, empty.
    let reordered = [records[1].clone(), records[0].clone()];
    assert!(matches!(
        u.complete(&reordered),
        Err(SealError::InvalidInput(_))
    ));
    assert!(u
        .complete(&[records[0].clone(), records[0].clone()])
        .is_err());
    assert!(u.complete(&[]).is_err());
    // A record edited on disk.
    let encoded = records[1].encode();
    for i in 0..encoded.len() {
        let mut bad = encoded.clone();
        bad[i] ^= 1;
        let completed = StreamRecord::decode(&bad)
            .and_then(|r| u.complete(&[records[0].clone(), r, records[2].clone()]));
        assert!(completed.is_err(), "record byte {i} edit went unnoticed");
    }
    // A record from another object, another upload, or another data key.
    let other = Upload {
        id: ObjectId::new("bucket", "other", 77),
        ..Upload::new()
    };
    let other = Upload {
        key: DataKey::from_bytes(u.key.expose_secret()).unwrap(),
        ..other
    };
    let (foreign, _) = other.part(2, b"xyz", config());
    assert_eq!(
        u.complete(&[records[0].clone(), foreign]).unwrap_err(),
        SealError::RecordAuthentication {
            stream: StreamLabel::Part(2)
        }
    );
    let mut sealer =
        StreamSealer::part(&rng(), &u.key, &u.id, config(), "another-upload", 2).unwrap();
    let mut sink = Vec::new();
    sealer.update(b"abc", &mut sink).unwrap();
    let other_upload = sealer.finish(&mut sink).unwrap();
    assert!(u.complete(&[records[0].clone(), other_upload]).is_err());
    let stranger = DataKey::generate(&rng()).unwrap();
    assert!(Header::multipart(&stranger, &u.id, &u.upload_id, &records, envelope()).is_err());
    // Parts sealed with different settings cannot be combined.
    let (sm4, _) = u.part(
        4,
        b"abc",
        SealConfig::with_segment_size(Cipher::Sm4Gcm, SEG).unwrap(),
    );
    assert!(u.complete(&[records[0].clone(), sm4]).is_err());
    // Invalid part numbers and upload ids are refused up front.
    assert!(StreamSealer::part(&rng(), &u.key, &u.id, config(), "u", 0).is_err());
    assert!(StreamSealer::part(&rng(), &u.key, &u.id, config(), "u", 10_001).is_err());
    assert!(StreamSealer::part(&rng(), &u.key, &u.id, config(), "", 1).is_err());
    // A part record cannot make a single-object header.
    assert!(Header::single(&u.key, &u.id, &records[0], envelope()).is_err());
}

#[test]
fn empty_parts_are_handled() {
    let u = Upload::new();
    let (r1, b1) = u.part(1, &pattern(100, 1), config());
    let (r2, b2) = u.part(2, b"", config());
    let (r3, b3) = u.part(3, &pattern(10, 3), config());
    let header = u.complete(&[r1, r2, r3]).unwrap();
    let body = [b1, b2, b3].concat();
    let plain = [pattern(100, 1), pattern(10, 3)].concat();
    assert_eq!(read_all(&header, &body, &u.key, &u.id).unwrap(), plain);
    assert_eq!(
        read_range(&header, &body, &u.key, &u.id, 99..101, 5).unwrap(),
        plain[99..101]
    );
    assert_eq!(
        read_range(&header, &body, &u.key, &u.id, 100..101, 5).unwrap(),
        plain[100..101]
    );
}

fn append(object: &OpenedObject, body: &mut Vec<u8>, data: &[u8]) -> Vec<u8> {
    let mut sealer = object.next_extent_sealer(&rng()).unwrap();
    sealer.update(data, body).unwrap();
    let record = sealer.finish(body).unwrap();
    object.append(&record).unwrap().encode()
}

#[test]
fn appendable_objects_grow_by_extents() {
    let key = DataKey::generate(&rng()).unwrap();
    let id = ObjectId::new("b", "log", 5);
    let mut body = Vec::new();
    let mut sealer = StreamSealer::extent(&rng(), &key, &id, config(), 0).unwrap();
    sealer.update(&pattern(100, 1), &mut body).unwrap();
    let first = sealer.finish(&mut body).unwrap();
    let h0 = Header::appendable(&key, &id, &first, envelope())
        .unwrap()
        .encode();
    let mut plain = pattern(100, 1);
    assert_eq!(read_all(&h0, &body, &key, &id).unwrap(), plain);

    let object = Header::decode(&h0).unwrap().verify(&key, &id).unwrap();
    let body_before = body.clone();
    let h1 = append(&object, &mut body, &pattern(200, 2));
    plain.extend_from_slice(&pattern(200, 2));
    let object = Header::decode(&h1).unwrap().verify(&key, &id).unwrap();
    let h2 = append(&object, &mut body, b"tail");
    plain.extend_from_slice(b"tail");

    assert_eq!(read_all(&h2, &body, &key, &id).unwrap(), plain);
    for r in [95..105u64, 99..100, 100..101, 299..301, 300..304, 0..304] {
        assert_eq!(
            read_range(&h2, &body, &key, &id, r.clone(), 17).unwrap(),
            plain[r.start as usize..r.end as usize]
        );
    }
    // The header is the commit point: the old header ignores the appended bytes (crash before commit).
    assert_eq!(read_all(&h0, &body, &key, &id).unwrap(), pattern(100, 1));
    // Dropping an extent from the body fails.
    assert!(read_all(&h2, &body_before, &key, &id).is_err());
    // The same extent index cannot be appended twice, nor a stale sealer's extent.
    let object0 = Header::decode(&h0).unwrap().verify(&key, &id).unwrap();
    let object2 = Header::decode(&h2).unwrap().verify(&key, &id).unwrap();
    let mut stale = object0.next_extent_sealer(&rng()).unwrap();
    let mut sink = Vec::new();
    stale.update(b"x", &mut sink).unwrap();
    let stale = stale.finish(&mut sink).unwrap();
    assert!(matches!(
        object2.append(&stale),
        Err(SealError::InvalidInput(_))
    ));
    // Non-appendable objects refuse appends.
    let (single, _) = seal_single(&key, &id, config(), b"abc", 3, envelope());
    let single = Header::decode(&single).unwrap().verify(&key, &id).unwrap();
    assert!(single.next_extent_sealer(&rng()).is_err());
    assert!(single.append(&stale).is_err());
}
