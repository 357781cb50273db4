//! The server-side encryption model: algorithms, the bucket's default rule and its exact OSS XML, the
//! object-level `x-oss-server-side-*` headers, and which operations may carry them (REFERENCE.md
//! sections 1-2). Validation gives the same outcomes as OSS.

use std::fmt;

use serde::Deserialize;

use crate::error::{OssErrorCode, ServiceError};
use crate::request::{header_value, Headers};
use crate::xml::{deserialize, XmlError, XmlWriter, MAX_REQUEST_XML_BYTES};

/// `x-oss-server-side-encryption`.
pub const HEADER_SSE: &str = "x-oss-server-side-encryption";
/// `x-oss-server-side-encryption-key-id`.
pub const HEADER_SSE_KEY_ID: &str = "x-oss-server-side-encryption-key-id";
/// `x-oss-server-side-data-encryption`.
pub const HEADER_SSE_DATA_ENCRYPTION: &str = "x-oss-server-side-data-encryption";
/// The alias of the default KMS service key OSS uses for KMS without a key id.
pub const DEFAULT_KMS_KEY_ALIAS: &str = "alias/acs/oss";

/// The server-side encryption algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SseAlgorithm {
    /// SSE-OSS with AES-256 (`AES256`).
    Aes256,
    /// SSE-KMS (`KMS`).
    Kms,
    /// SSE-OSS with SM4 (`SM4`).
    Sm4,
}

impl SseAlgorithm {
    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            SseAlgorithm::Aes256 => "AES256",
            SseAlgorithm::Kms => "KMS",
            SseAlgorithm::Sm4 => "SM4",
        }
    }

    /// Parses the exact wire spelling.
    pub fn parse(s: &str) -> Result<SseAlgorithm, SseError> {
        match s {
            "AES256" => Ok(SseAlgorithm::Aes256),
            "KMS" => Ok(SseAlgorithm::Kms),
            "SM4" => Ok(SseAlgorithm::Sm4),
            other => Err(SseError::InvalidAlgorithm(truncate(other))),
        }
    }
}

impl fmt::Display for SseAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The data-encryption algorithm of SSE-KMS (`KMSDataEncryption` / `x-oss-server-side-data-encryption`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DataEncryption {
    /// SM4 (the only value OSS defines; without it KMS data is AES-256).
    Sm4,
}

impl DataEncryption {
    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        "SM4"
    }

    /// Parses the exact wire spelling.
    pub fn parse(s: &str) -> Result<DataEncryption, SseError> {
        match s {
            "SM4" => Ok(DataEncryption::Sm4),
            other => Err(SseError::InvalidDataEncryption(truncate(other))),
        }
    }
}

fn truncate(s: &str) -> String {
    s.chars().take(64).collect()
}

/// Why an encryption rule or encryption headers are refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SseError {
    /// Not AES256, KMS or SM4 (`InvalidEncryptionAlgorithmError`).
    #[error("invalid server side encryption algorithm {0:?}")]
    InvalidAlgorithm(String),
    /// A KMS key id with an algorithm other than KMS (`InvalidArgument`).
    #[error("KMSMasterKeyID is not applicable if the default sse algorithm is not KMS")]
    KeyIdNotApplicable,
    /// A data encryption other than SM4 with KMS (`InvalidArgument`).
    #[error("invalid KMS data encryption {0:?}")]
    InvalidDataEncryption(String),
    /// Object data encryption with an algorithm other than KMS (`InvalidArgument`).
    #[error("x-oss-server-side-data-encryption is only applicable with KMS")]
    DataEncryptionNotApplicable,
    /// A key id or data encryption header without `x-oss-server-side-encryption` (`InvalidArgument`).
    #[error("x-oss-server-side-encryption is missing")]
    MissingAlgorithm,
    /// A repeated encryption header (`InvalidArgument`).
    #[error("duplicate header {0}")]
    DuplicateHeader(&'static str),
    /// Encryption headers on an operation that does not take them (`InvalidArgument`).
    #[error("server side encryption headers are not allowed on {0}")]
    NotAllowed(&'static str),
    /// The rule document is malformed (`MalformedXML`).
    #[error("malformed encryption rule: {0}")]
    MalformedXml(#[from] XmlError),
}

impl SseError {
    /// The OSS error code.
    pub fn oss_code(&self) -> OssErrorCode {
        match self {
            SseError::InvalidAlgorithm(_) => OssErrorCode::InvalidEncryptionAlgorithmError,
            SseError::MalformedXml(_) => OssErrorCode::MalformedXML,
            _ => OssErrorCode::InvalidArgument,
        }
    }

    /// The error response a server sends.
    pub fn to_service_error(&self) -> ServiceError {
        match self {
            SseError::MalformedXml(_) | SseError::InvalidAlgorithm(_) => {
                ServiceError::new(self.oss_code())
            }
            other => ServiceError::with_message(self.oss_code(), other.to_string()),
        }
    }
}

/// A bucket's default encryption (`ServerSideEncryptionRule`), already validated: a key id only with
/// KMS, data encryption only with KMS.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ServerSideEncryptionRule {
    algorithm: SseAlgorithm,
    kms_master_key_id: Option<String>,
    kms_data_encryption: Option<DataEncryption>,
}

#[derive(Deserialize)]
struct RuleXml {
    #[serde(rename = "ApplyServerSideEncryptionByDefault")]
    apply: ApplyXml,
}

#[derive(Deserialize)]
struct ApplyXml {
    #[serde(rename = "SSEAlgorithm", default)]
    sse_algorithm: Option<String>,
    #[serde(rename = "KMSMasterKeyID", default)]
    kms_master_key_id: Option<String>,
    #[serde(rename = "KMSDataEncryption", default)]
    kms_data_encryption: Option<String>,
}

/// Text, trimmed; empty means absent.
fn present(v: Option<&str>) -> Option<&str> {
    v.map(str::trim).filter(|v| !v.is_empty())
}

impl ServerSideEncryptionRule {
    /// Validates as OSS does: a key id with AES256/SM4 is `InvalidArgument`; data encryption with
    /// AES256/SM4 is accepted and dropped; with KMS it must be SM4. An empty key id means absent.
    pub fn new(
        algorithm: SseAlgorithm,
        kms_master_key_id: Option<&str>,
        kms_data_encryption: Option<&str>,
    ) -> Result<ServerSideEncryptionRule, SseError> {
        let key_id = present(kms_master_key_id);
        let data = present(kms_data_encryption);
        match algorithm {
            SseAlgorithm::Kms => Ok(ServerSideEncryptionRule {
                algorithm,
                kms_master_key_id: key_id.map(str::to_owned),
                kms_data_encryption: data.map(DataEncryption::parse).transpose()?,
            }),
            _ if key_id.is_some() => Err(SseError::KeyIdNotApplicable),
            _ => Ok(ServerSideEncryptionRule {
                algorithm,
                kms_master_key_id: None,
                kms_data_encryption: None,
            }),
        }
    }

    /// SSE-OSS with AES-256.
    pub fn aes256() -> ServerSideEncryptionRule {
        ServerSideEncryptionRule {
            algorithm: SseAlgorithm::Aes256,
            kms_master_key_id: None,
            kms_data_encryption: None,
        }
    }

    /// SSE-OSS with SM4.
    pub fn sm4() -> ServerSideEncryptionRule {
        ServerSideEncryptionRule {
            algorithm: SseAlgorithm::Sm4,
            kms_master_key_id: None,
            kms_data_encryption: None,
        }
    }

    /// SSE-KMS with an optional key id (empty means the default service key) and data encryption.
    pub fn kms(key_id: Option<&str>, data: Option<DataEncryption>) -> ServerSideEncryptionRule {
        ServerSideEncryptionRule {
            algorithm: SseAlgorithm::Kms,
            kms_master_key_id: present(key_id).map(str::to_owned),
            kms_data_encryption: data,
        }
    }

    /// The algorithm.
    pub fn algorithm(&self) -> SseAlgorithm {
        self.algorithm
    }

    /// The KMS master key id (only with KMS; `None` means the default service key).
    pub fn kms_master_key_id(&self) -> Option<&str> {
        self.kms_master_key_id.as_deref()
    }

    /// The KMS data encryption (only with KMS).
    pub fn kms_data_encryption(&self) -> Option<DataEncryption> {
        self.kms_data_encryption
    }

    /// Reads the OSS XML (with or without declaration, any whitespace, empty `KMSMasterKeyID` = absent).
    /// Malformed or oversized documents are `MalformedXML`; a missing or empty `SSEAlgorithm` too.
    pub fn from_xml(doc: &[u8]) -> Result<ServerSideEncryptionRule, SseError> {
        let parsed: RuleXml = deserialize(doc, "ServerSideEncryptionRule", MAX_REQUEST_XML_BYTES)?;
        let algorithm = present(parsed.apply.sse_algorithm.as_deref()).ok_or_else(|| {
            SseError::MalformedXml(XmlError::Malformed("missing SSEAlgorithm".into()))
        })?;
        ServerSideEncryptionRule::new(
            SseAlgorithm::parse(algorithm)?,
            parsed.apply.kms_master_key_id.as_deref(),
            parsed.apply.kms_data_encryption.as_deref(),
        )
    }

    /// Writes the OSS XML, as PutBucketEncryption sends and GetBucketEncryption returns it.
    pub fn to_xml(&self) -> String {
        let mut w = XmlWriter::with_declaration();
        w.open("ServerSideEncryptionRule")
            .open("ApplyServerSideEncryptionByDefault")
            .element("SSEAlgorithm", self.algorithm.as_str())
            .optional("KMSMasterKeyID", self.kms_master_key_id.as_deref())
            .optional(
                "KMSDataEncryption",
                self.kms_data_encryption.map(DataEncryption::as_str),
            )
            .close("ApplyServerSideEncryptionByDefault")
            .close("ServerSideEncryptionRule");
        w.finish()
    }

    /// The object encryption this rule applies to an object written without encryption headers.
    pub fn to_object_encryption(&self) -> ObjectEncryption {
        ObjectEncryption {
            algorithm: self.algorithm,
            key_id: self.kms_master_key_id.clone(),
            data_encryption: self.kms_data_encryption,
        }
    }
}

/// An object's encryption as its `x-oss-server-side-*` headers carry it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ObjectEncryption {
    /// The algorithm.
    pub algorithm: SseAlgorithm,
    /// The KMS key id (KMS only; `None` means the default service key in a request).
    pub key_id: Option<String>,
    /// The data encryption (KMS only).
    pub data_encryption: Option<DataEncryption>,
}

fn single_header<'a>(
    headers: &'a [(String, String)],
    name: &'static str,
) -> Result<Option<&'a str>, SseError> {
    let mut it = headers
        .iter()
        .filter(|(n, _)| n.trim().eq_ignore_ascii_case(name));
    let first = it.next();
    if it.next().is_some() {
        return Err(SseError::DuplicateHeader(name));
    }
    Ok(first.map(|(_, v)| v.trim()))
}

impl ObjectEncryption {
    /// Validates: key id and data encryption only with KMS, data encryption only SM4.
    pub fn new(
        algorithm: SseAlgorithm,
        key_id: Option<&str>,
        data_encryption: Option<DataEncryption>,
    ) -> Result<ObjectEncryption, SseError> {
        let key_id = present(key_id);
        if algorithm != SseAlgorithm::Kms {
            if key_id.is_some() {
                return Err(SseError::KeyIdNotApplicable);
            }
            if data_encryption.is_some() {
                return Err(SseError::DataEncryptionNotApplicable);
            }
        }
        Ok(ObjectEncryption {
            algorithm,
            key_id: key_id.map(str::to_owned),
            data_encryption,
        })
    }

    /// Reads the encryption headers of a request or response; `Ok(None)` when there are none. Empty
    /// values count as absent.
    pub fn from_headers(
        headers: &[(String, String)],
    ) -> Result<Option<ObjectEncryption>, SseError> {
        let alg = present(single_header(headers, HEADER_SSE)?);
        let key_id = present(single_header(headers, HEADER_SSE_KEY_ID)?);
        let data = present(single_header(headers, HEADER_SSE_DATA_ENCRYPTION)?);
        let Some(alg) = alg else {
            if key_id.is_some() || data.is_some() {
                return Err(SseError::MissingAlgorithm);
            }
            return Ok(None);
        };
        let data = data.map(DataEncryption::parse).transpose()?;
        ObjectEncryption::new(SseAlgorithm::parse(alg)?, key_id, data).map(Some)
    }

    /// The headers, in wire order.
    pub fn header_pairs(&self) -> Vec<(&'static str, String)> {
        let mut out = vec![(HEADER_SSE, self.algorithm.as_str().to_owned())];
        if let Some(k) = &self.key_id {
            out.push((HEADER_SSE_KEY_ID, k.clone()));
        }
        if let Some(d) = self.data_encryption {
            out.push((HEADER_SSE_DATA_ENCRYPTION, d.as_str().to_owned()));
        }
        out
    }

    /// Sets the headers on `headers`, replacing any present.
    pub fn apply_to(&self, headers: &mut Headers) {
        headers.remove(HEADER_SSE);
        headers.remove(HEADER_SSE_KEY_ID);
        headers.remove(HEADER_SSE_DATA_ENCRYPTION);
        for (n, v) in self.header_pairs() {
            headers.set(n, v);
        }
    }
}

/// The OSS operations, as far as encryption headers and request building care.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Operation {
    /// PutObject.
    PutObject,
    /// PostObject (form upload; the headers travel as form fields).
    PostObject,
    /// CopyObject.
    CopyObject,
    /// InitiateMultipartUpload.
    InitiateMultipartUpload,
    /// AppendObject.
    AppendObject,
    /// UploadPart.
    UploadPart,
    /// UploadPartCopy.
    UploadPartCopy,
    /// CompleteMultipartUpload.
    CompleteMultipartUpload,
    /// AbortMultipartUpload.
    AbortMultipartUpload,
    /// ListParts.
    ListParts,
    /// GetObject.
    GetObject,
    /// HeadObject.
    HeadObject,
    /// DeleteObject.
    DeleteObject,
    /// Any bucket-level or other operation.
    Other,
}

impl Operation {
    /// The operation name.
    pub fn as_str(self) -> &'static str {
        match self {
            Operation::PutObject => "PutObject",
            Operation::PostObject => "PostObject",
            Operation::CopyObject => "CopyObject",
            Operation::InitiateMultipartUpload => "InitiateMultipartUpload",
            Operation::AppendObject => "AppendObject",
            Operation::UploadPart => "UploadPart",
            Operation::UploadPartCopy => "UploadPartCopy",
            Operation::CompleteMultipartUpload => "CompleteMultipartUpload",
            Operation::AbortMultipartUpload => "AbortMultipartUpload",
            Operation::ListParts => "ListParts",
            Operation::GetObject => "GetObject",
            Operation::HeadObject => "HeadObject",
            Operation::DeleteObject => "DeleteObject",
            Operation::Other => "this operation",
        }
    }

    /// Whether the operation accepts `x-oss-server-side-*` request headers.
    pub fn accepts_sse_headers(self) -> bool {
        matches!(
            self,
            Operation::PutObject
                | Operation::PostObject
                | Operation::CopyObject
                | Operation::InitiateMultipartUpload
                | Operation::AppendObject
        )
    }
}

/// The per-operation rule: the request's encryption headers, validated, or `InvalidArgument` when the
/// operation does not take them.
pub fn request_encryption(
    op: Operation,
    headers: &[(String, String)],
) -> Result<Option<ObjectEncryption>, SseError> {
    let any = [HEADER_SSE, HEADER_SSE_KEY_ID, HEADER_SSE_DATA_ENCRYPTION]
        .iter()
        .any(|h| header_value(headers, h).is_some());
    if any && !op.accepts_sse_headers() {
        return Err(SseError::NotAllowed(op.as_str()));
    }
    ObjectEncryption::from_headers(headers)
}

#[cfg(test)]
mod tests {
    use super::*;

    const REFERENCE_RULE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<ServerSideEncryptionRule>
  <ApplyServerSideEncryptionByDefault>
    <SSEAlgorithm>KMS</SSEAlgorithm>
    <KMSMasterKeyID>9468da86-3509-4f8d-a61e-6eab1eac****</KMSMasterKeyID>
    <KMSDataEncryption>SM4</KMSDataEncryption>
  </ApplyServerSideEncryptionByDefault>
</ServerSideEncryptionRule>"#;

    fn h(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn reads_reference_rule() {
        let r = ServerSideEncryptionRule::from_xml(REFERENCE_RULE.as_bytes()).unwrap();
        assert_eq!(r.algorithm(), SseAlgorithm::Kms);
        assert_eq!(
            r.kms_master_key_id(),
            Some("9468da86-3509-4f8d-a61e-6eab1eac****")
        );
        assert_eq!(r.kms_data_encryption(), Some(DataEncryption::Sm4));
        assert_eq!(
            ServerSideEncryptionRule::from_xml(r.to_xml().as_bytes()).unwrap(),
            r
        );
    }

    #[test]
    fn accepts_client_variants() {
        for doc in [
            "<ServerSideEncryptionRule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>KMS</SSEAlgorithm><KMSMasterKeyID></KMSMasterKeyID></ApplyServerSideEncryptionByDefault></ServerSideEncryptionRule>",
            "<?xml version=\"1.0\"?>\r\n<ServerSideEncryptionRule>\n\t<ApplyServerSideEncryptionByDefault>\n<SSEAlgorithm>KMS</SSEAlgorithm>\n<KMSMasterKeyID/>\n</ApplyServerSideEncryptionByDefault>\n</ServerSideEncryptionRule>\n",
        ] {
            let r = ServerSideEncryptionRule::from_xml(doc.as_bytes()).unwrap();
            assert_eq!(r, ServerSideEncryptionRule::kms(None, None), "{doc}");
        }
        let doc = "<ServerSideEncryptionRule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm><KMSDataEncryption>SM4</KMSDataEncryption></ApplyServerSideEncryptionByDefault></ServerSideEncryptionRule>";
        let r = ServerSideEncryptionRule::from_xml(doc.as_bytes()).unwrap();
        assert_eq!(r, ServerSideEncryptionRule::aes256());
        assert!(!r.to_xml().contains("KMSDataEncryption"));
    }

    #[test]
    fn validation_outcomes_match_oss() {
        let rule = |alg: &str, extra: &str| {
            format!("<ServerSideEncryptionRule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>{alg}</SSEAlgorithm>{extra}</ApplyServerSideEncryptionByDefault></ServerSideEncryptionRule>")
        };
        let code = |doc: String| {
            ServerSideEncryptionRule::from_xml(doc.as_bytes())
                .unwrap_err()
                .oss_code()
        };
        assert_eq!(
            code(rule("AES128", "")),
            OssErrorCode::InvalidEncryptionAlgorithmError
        );
        assert_eq!(
            code(rule("aes256", "")),
            OssErrorCode::InvalidEncryptionAlgorithmError
        );
        assert_eq!(
            code(rule("SM4", "<KMSMasterKeyID>k</KMSMasterKeyID>")),
            OssErrorCode::InvalidArgument
        );
        assert_eq!(
            code(rule("AES256", "<KMSMasterKeyID>k</KMSMasterKeyID>")),
            OssErrorCode::InvalidArgument
        );
        assert_eq!(
            code(rule("KMS", "<KMSDataEncryption>AES</KMSDataEncryption>")),
            OssErrorCode::InvalidArgument
        );
        assert_eq!(code(rule("", "")), OssErrorCode::MalformedXML);
        assert_eq!(code("<Other/>".into()), OssErrorCode::MalformedXML);
        assert_eq!(
            code("<ServerSideEncryptionRule>".into()),
            OssErrorCode::MalformedXML
        );
        assert_eq!(
            code(format!(
                "{}{}",
                rule("KMS", ""),
                " ".repeat(MAX_REQUEST_XML_BYTES)
            )),
            OssErrorCode::MalformedXML
        );
        assert_eq!(
            SseError::KeyIdNotApplicable.to_service_error().message,
            "KMSMasterKeyID is not applicable if the default sse algorithm is not KMS"
        );
    }

    #[test]
    fn object_headers() {
        assert_eq!(
            ObjectEncryption::from_headers(&h(&[("Content-Type", "x")])),
            Ok(None)
        );
        let e = ObjectEncryption::from_headers(&h(&[
            ("X-Oss-Server-Side-Encryption", "KMS"),
            ("x-oss-server-side-encryption-key-id", "k1"),
            ("x-oss-server-side-data-encryption", "SM4"),
        ]))
        .unwrap()
        .unwrap();
        assert_eq!(e.header_pairs().len(), 3);
        let mut hs = Headers::new();
        e.apply_to(&mut hs);
        assert_eq!(
            ObjectEncryption::from_headers(hs.as_slice()).unwrap(),
            Some(e)
        );
        for (bad, code) in [
            (
                h(&[(HEADER_SSE, "AES")]),
                OssErrorCode::InvalidEncryptionAlgorithmError,
            ),
            (
                h(&[(HEADER_SSE, "AES256"), (HEADER_SSE_KEY_ID, "k")]),
                OssErrorCode::InvalidArgument,
            ),
            (
                h(&[(HEADER_SSE, "SM4"), (HEADER_SSE_DATA_ENCRYPTION, "SM4")]),
                OssErrorCode::InvalidArgument,
            ),
            (
                h(&[(HEADER_SSE, "KMS"), (HEADER_SSE_DATA_ENCRYPTION, "AES")]),
                OssErrorCode::InvalidArgument,
            ),
            (
                h(&[(HEADER_SSE_KEY_ID, "k")]),
                OssErrorCode::InvalidArgument,
            ),
            (
                h(&[(HEADER_SSE, "KMS"), (HEADER_SSE, "KMS")]),
                OssErrorCode::InvalidArgument,
            ),
        ] {
            assert_eq!(
                ObjectEncryption::from_headers(&bad).unwrap_err().oss_code(),
                code,
                "{bad:?}"
            );
        }
    }

    #[test]
    fn per_operation_rule() {
        let hs = h(&[(HEADER_SSE, "AES256")]);
        for op in [
            Operation::PutObject,
            Operation::PostObject,
            Operation::CopyObject,
            Operation::InitiateMultipartUpload,
            Operation::AppendObject,
        ] {
            assert!(request_encryption(op, &hs).unwrap().is_some());
        }
        for op in [
            Operation::UploadPart,
            Operation::CompleteMultipartUpload,
            Operation::GetObject,
            Operation::Other,
        ] {
            let e = request_encryption(op, &hs).unwrap_err();
            assert_eq!(e.oss_code(), OssErrorCode::InvalidArgument);
            assert_eq!(request_encryption(op, &[]), Ok(None));
        }
    }
}
