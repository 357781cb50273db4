//! Stored data read back: sealed-object headers, stream records and KMS ciphertext blobs are parsed
//! strictly from whatever bytes are on disk (a corrupted or hostile data dir), giving a value or an error,
//! never a panic. The first byte picks the decoder, the rest is the stored bytes.
#![no_main]
#![forbid(unsafe_code)]

use libfuzzer_sys::fuzz_target;
use oss_sse_seal::{Header, StreamRecord};

fuzz_target!(|data: &[u8]| {
    let Some((&which, bytes)) = data.split_first() else {
        return;
    };
    match which % 4 {
        0 => {
            let _ = Header::decode(bytes);
        }
        1 => {
            if let Ok(record) = StreamRecord::decode(bytes) {
                // Strict parsing: what was accepted re-encodes to the same bytes.
                assert_eq!(record.encode(), bytes);
            }
        }
        2 => {
            if let Ok(info) = oss_sse_kms::inspect_blob(bytes) {
                assert!(info.plaintext_len < bytes.len(), "{info:?}");
            }
        }
        _ => {
            // The server keeps headers base64'd in its metadata records.
            let _ = oss_sse_server::encryption::decode_header(&String::from_utf8_lossy(bytes));
        }
    }
});
