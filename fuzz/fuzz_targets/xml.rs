//! XML documents from the network: request bodies the emulator parses (bucket encryption rule,
//! CompleteMultipartUpload, DeleteMultipleObjects through the server's XML reader) and response bodies the
//! client parses (errors, listings, results). The first byte picks the parser, the rest is the document.
//! Any bytes give a value or an error, never a panic; a rule that parses writes XML that parses back to it.
#![no_main]
#![forbid(unsafe_code)]

use libfuzzer_sys::fuzz_target;
use oss_sse_core::error::ServiceError;
use oss_sse_core::ops::CompleteMultipartUpload;
use oss_sse_core::response::{
    BucketInfo, CompleteMultipartUploadResult, CopyObjectResult, InitiateMultipartUploadResult,
    ListBucketsResult, ListObjectsResult, ListPartsResult,
};
use oss_sse_core::sse::ServerSideEncryptionRule;
use oss_sse_server::server::sse::parse_bucket_encryption;

fuzz_target!(|data: &[u8]| {
    let Some((&which, doc)) = data.split_first() else {
        return;
    };
    match which % 12 {
        0 => {
            if let Ok(rule) = ServerSideEncryptionRule::from_xml(doc) {
                let again = ServerSideEncryptionRule::from_xml(rule.to_xml().as_bytes());
                assert_eq!(again.as_ref(), Ok(&rule), "{}", rule.to_xml());
            }
        }
        1 => {
            let _ = parse_bucket_encryption(doc);
        }
        2 => {
            if let Ok(c) = CompleteMultipartUpload::from_xml(doc) {
                // What the client would send back must stay readable.
                let _ = CompleteMultipartUpload::from_xml(c.to_xml().as_bytes());
            }
        }
        3 => {
            // The server's own reader, used for the DeleteMultipleObjects body.
            if let Ok(root) = oss_sse_server::xml::parse(doc) {
                for o in root.children_named("Object") {
                    let _ = o.child_text("Key");
                }
                let _ = root.child_text("Quiet");
            }
        }
        4 => {
            let _ = ServiceError::from_xml(403, doc);
        }
        5 => {
            // A body-less error carries its XML base64'd in `x-oss-err`: feed the bytes as that header.
            let header = String::from_utf8_lossy(doc).into_owned();
            let headers = vec![
                ("x-oss-err".to_owned(), header.clone()),
                ("x-oss-request-id".to_owned(), header),
            ];
            let e = ServiceError::from_response(404, &headers, b"");
            assert!(!e.code.is_empty(), "{e:?}");
            let e = ServiceError::from_response(500, &[], doc);
            assert!(!e.code.is_empty(), "{e:?}");
        }
        6 => {
            let _ = BucketInfo::from_xml(doc);
        }
        7 => {
            let _ = ListObjectsResult::from_xml(doc);
        }
        8 => {
            let _ = ListBucketsResult::from_xml(doc);
        }
        9 => {
            let _ = InitiateMultipartUploadResult::from_xml(doc);
        }
        10 => {
            let _ = CompleteMultipartUploadResult::from_xml(doc);
        }
        _ => {
            let _ = ListPartsResult::from_xml(doc);
            let _ = CopyObjectResult::from_xml(doc);
        }
    }
});
