//! The `std::io` adapters: sealing through `Write`, reading ranges back through `Read`.

mod common;

use std::io::{Cursor, Read, Seek, SeekFrom, Write};

use common::*;
use oss_sse_seal::*;

fn sealed(plain: &[u8], config: SealConfig) -> (DataKey, ObjectId, Vec<u8>, Vec<u8>) {
    let key = DataKey::generate(&rng()).unwrap();
    let id = ObjectId::new("b", "io", 11);
    let sealer = StreamSealer::object(&rng(), &key, &id, config).unwrap();
    let mut writer = SealingWriter::new(sealer, Vec::new());
    // Odd-sized writes, as a network body arrives.
    for piece in plain.chunks(977) {
        writer.write_all(piece).unwrap();
    }
    writer.flush().unwrap();
    let (body, record) = writer.finish().unwrap();
    assert_eq!(body.len() as u64, record.ciphertext_len());
    let header = Header::single(&key, &id, &record, envelope())
        .unwrap()
        .encode();
    (key, id, header, body)
}

fn read_via_io(
    header: &[u8],
    body: &[u8],
    key: &DataKey,
    id: &ObjectId,
    range: std::ops::Range<u64>,
) -> std::io::Result<Vec<u8>> {
    let object = Header::decode(header).unwrap().verify(key, id).unwrap();
    let dec = object.decrypt_range(range).unwrap();
    let mut file = Cursor::new(body.to_vec());
    file.seek(SeekFrom::Start(dec.plan().body_range().start))
        .unwrap();
    let mut reader = DecryptingReader::new(dec, file);
    let mut out = Vec::new();
    reader.read_to_end(&mut out)?;
    Ok(out)
}

#[test]
fn write_then_read_ranges() {
    for cipher in [Cipher::Aes256Gcm, Cipher::Sm4Gcm] {
        let config = SealConfig::with_segment_size(cipher, 1000).unwrap();
        let plain = pattern(10_500, 4);
        let (key, id, header, body) = sealed(&plain, config);
        for r in [
            0..10_500u64,
            0..1,
            999..1001,
            5000..10_500,
            10_499..10_500,
            7..7,
        ] {
            let got = read_via_io(&header, &body, &key, &id, r.clone()).unwrap();
            assert_eq!(
                got,
                plain[r.start as usize..r.end as usize],
                "{cipher} {r:?}"
            );
        }
    }
}

#[test]
fn empty_stream_through_io() {
    let (key, id, header, body) = sealed(b"", SealConfig::default());
    assert_eq!(body.len(), 16);
    assert_eq!(read_via_io(&header, &body, &key, &id, 0..0).unwrap(), b"");
}

#[test]
fn damage_surfaces_as_invalid_data() {
    let config = SealConfig::with_segment_size(Cipher::Aes256Gcm, 100).unwrap();
    let plain = pattern(1000, 1);
    let (key, id, header, mut body) = sealed(&plain, config);
    let short = &body[..body.len() - 1];
    let err = read_via_io(&header, short, &key, &id, 0..1000).unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidData);
    assert!(matches!(
        SealError::from_io(&err),
        Some(SealError::Truncated { .. })
    ));

    body[450] ^= 4;
    let err = read_via_io(&header, &body, &key, &id, 0..1000).unwrap_err();
    assert_eq!(
        SealError::from_io(&err),
        Some(&SealError::SegmentAuthentication {
            stream: StreamLabel::Object,
            segment: 3
        })
    );
    // Plaintext before the damage may have been delivered, but nothing after it, and the reader stays
    // failed.
    let object = Header::decode(&header).unwrap().verify(&key, &id).unwrap();
    let mut reader = DecryptingReader::new(object.decrypt_full(), Cursor::new(body.clone()));
    let mut buf = vec![0u8; 1000];
    let mut got = 0;
    let err = loop {
        match reader.read(&mut buf[got..]) {
            Ok(0) => panic!("a damaged object read to the end"),
            Ok(n) => got += n,
            Err(e) => break e,
        }
    };
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidData);
    assert!(got <= 300);
    assert_eq!(buf[..got], plain[..got]);
    assert!(reader.read(&mut buf).is_err());
    // A range before the damage still reads.
    assert_eq!(
        read_via_io(&header, &body, &key, &id, 0..300).unwrap(),
        plain[..300]
    );
}
