//! Server-side encryption on the wire, on top of oss-sse-core's SSE model: the bucket encryption document
//! (REFERENCE.md section 1), the object-level request headers validated per operation (section 2), and the
//! descriptor an object is written with (object headers over the bucket default). The encryption engine
//! fills the descriptor's key material; this module only decides *what* to use.

use oss_sse_core::sse::{
    request_encryption, ObjectEncryption, Operation, ServerSideEncryptionRule, SseAlgorithm,
    SseError,
};

use crate::error::ApiError;
use crate::storage::meta::{BucketEncryption, EncryptionDescriptor};

fn sse_error(e: SseError) -> ApiError {
    ApiError::from_service_error(e.to_service_error())
}

/// Parses and validates a PutBucketEncryption body.
pub fn parse_bucket_encryption(body: &[u8]) -> Result<BucketEncryption, ApiError> {
    let rule = ServerSideEncryptionRule::from_xml(body).map_err(sse_error)?;
    Ok(BucketEncryption {
        algorithm: rule.algorithm().as_str().to_owned(),
        kms_master_key_id: rule.kms_master_key_id().map(str::to_owned),
        kms_data_encryption: rule.kms_data_encryption().map(|d| d.as_str().to_owned()),
    })
}

fn to_rule(rule: &BucketEncryption) -> Option<ServerSideEncryptionRule> {
    let algorithm = SseAlgorithm::parse(&rule.algorithm).ok()?;
    ServerSideEncryptionRule::new(
        algorithm,
        rule.kms_master_key_id.as_deref(),
        rule.kms_data_encryption.as_deref(),
    )
    .ok()
}

/// The GetBucketEncryption document.
pub fn bucket_encryption_xml(rule: &BucketEncryption) -> Result<String, ApiError> {
    to_rule(rule)
        .map(|r| r.to_xml())
        .ok_or_else(ApiError::internal)
}

/// The core operation whose SSE header rule applies to `op`.
pub fn core_operation(op: super::route::Op) -> Operation {
    use super::route::Op;
    match op {
        Op::PutObject => Operation::PutObject,
        Op::CopyObject => Operation::CopyObject,
        Op::InitiateMultipartUpload => Operation::InitiateMultipartUpload,
        Op::AppendObject => Operation::AppendObject,
        Op::UploadPart => Operation::UploadPart,
        Op::CompleteMultipartUpload => Operation::CompleteMultipartUpload,
        Op::AbortMultipartUpload => Operation::AbortMultipartUpload,
        Op::ListParts => Operation::ListParts,
        Op::GetObject => Operation::GetObject,
        Op::HeadObject | Op::GetObjectMeta => Operation::HeadObject,
        Op::DeleteObject => Operation::DeleteObject,
        _ => Operation::Other,
    }
}

/// The request's encryption headers, validated for `op` (`InvalidArgument` where the operation does not
/// take them).
pub fn request_sse(
    op: super::route::Op,
    headers: &[(String, String)],
) -> Result<Option<ObjectEncryption>, ApiError> {
    request_encryption(core_operation(op), headers).map_err(sse_error)
}

/// The key KMS encryption uses when neither the request nor the bucket names one: the default service
/// key, referred to by its alias until the encryption engine resolves it to the key's id.
pub const DEFAULT_KMS_KEY: &str = "alias/acs/oss";

fn kms_key(algorithm: &str, key_id: Option<&String>) -> Option<String> {
    match key_id {
        Some(k) => Some(k.clone()),
        None if algorithm == "KMS" => Some(DEFAULT_KMS_KEY.to_owned()),
        None => None,
    }
}

/// The descriptor an object is written with: the request's headers, else the bucket's default, else none.
/// KMS without a key id means the default service key ([`DEFAULT_KMS_KEY`]).
pub fn resolve(
    request: Option<&ObjectEncryption>,
    bucket_default: Option<&BucketEncryption>,
) -> Option<EncryptionDescriptor> {
    if let Some(r) = request {
        return Some(EncryptionDescriptor {
            algorithm: r.algorithm.as_str().to_owned(),
            kms_key_id: kms_key(r.algorithm.as_str(), r.key_id.as_ref()),
            data_encryption: r.data_encryption.map(|d| d.as_str().to_owned()),
            ..EncryptionDescriptor::default()
        });
    }
    bucket_default.map(|b| EncryptionDescriptor {
        algorithm: b.algorithm.clone(),
        kms_key_id: kms_key(&b.algorithm, b.kms_master_key_id.as_ref()),
        data_encryption: b.kms_data_encryption.clone(),
        ..EncryptionDescriptor::default()
    })
}

/// The response headers that report an object's encryption.
pub fn response_headers(desc: Option<&EncryptionDescriptor>) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    if let Some(d) = desc {
        out.push(("x-oss-server-side-encryption", d.algorithm.clone()));
        if let Some(k) = &d.kms_key_id {
            out.push(("x-oss-server-side-encryption-key-id", k.clone()));
        }
        if let Some(x) = &d.data_encryption {
            out.push(("x-oss-server-side-data-encryption", x.clone()));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::route::Op;
    use super::*;

    fn body(alg: &str, key: Option<&str>, data: Option<&str>) -> Vec<u8> {
        let mut s = format!(
            "<ServerSideEncryptionRule>\n  <ApplyServerSideEncryptionByDefault>\n    <SSEAlgorithm>{alg}</SSEAlgorithm>"
        );
        if let Some(k) = key {
            s += &format!("<KMSMasterKeyID>{k}</KMSMasterKeyID>");
        }
        if let Some(d) = data {
            s += &format!("<KMSDataEncryption>{d}</KMSDataEncryption>");
        }
        s += "</ApplyServerSideEncryptionByDefault></ServerSideEncryptionRule>";
        s.into_bytes()
    }

    #[test]
    fn bucket_rule_combinations() {
        let kms = parse_bucket_encryption(&body("KMS", Some("k1"), Some("SM4"))).unwrap();
        assert_eq!(kms.kms_master_key_id.as_deref(), Some("k1"));
        assert!(bucket_encryption_xml(&kms)
            .unwrap()
            .contains("<KMSDataEncryption>SM4</KMSDataEncryption>"));
        let kms_default = parse_bucket_encryption(&body("KMS", Some(""), None)).unwrap();
        assert_eq!(kms_default.kms_master_key_id, None);
        let aes = parse_bucket_encryption(&body("AES256", None, Some("SM4"))).unwrap();
        assert_eq!(aes.kms_data_encryption, None);
        assert!(!bucket_encryption_xml(&aes).unwrap().contains("KMS"));
        let err = |b: Vec<u8>| parse_bucket_encryption(&b).unwrap_err().code;
        assert_eq!(err(body("AES256", Some("k"), None)), "InvalidArgument");
        assert_eq!(err(body("KMS", None, Some("AES"))), "InvalidArgument");
        assert_eq!(
            err(body("DES", None, None)),
            "InvalidEncryptionAlgorithmError"
        );
        assert_eq!(err(b"<ServerSideEncryptionRule>".to_vec()), "MalformedXML");
    }

    #[test]
    fn object_headers_per_operation() {
        let h = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
            pairs
                .iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect()
        };
        let kms = h(&[
            ("x-oss-server-side-encryption", "KMS"),
            ("x-oss-server-side-data-encryption", "SM4"),
        ]);
        let r = request_sse(Op::PutObject, &kms).unwrap().unwrap();
        assert_eq!(r.algorithm, SseAlgorithm::Kms);
        assert_eq!(
            request_sse(Op::UploadPart, &kms).unwrap_err().code,
            "InvalidArgument"
        );
        let bad = h(&[("x-oss-server-side-encryption", "rot13")]);
        assert_eq!(
            request_sse(Op::PutObject, &bad).unwrap_err().code,
            "InvalidEncryptionAlgorithmError"
        );
        let bucket = BucketEncryption {
            algorithm: "SM4".into(),
            kms_master_key_id: None,
            kms_data_encryption: None,
        };
        assert_eq!(resolve(None, Some(&bucket)).unwrap().algorithm, "SM4");
        assert_eq!(resolve(Some(&r), Some(&bucket)).unwrap().algorithm, "KMS");
        assert_eq!(resolve(None, None), None);
    }
}
