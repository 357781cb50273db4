//! Response documents and headers: each result type parses the OSS XML a client receives and writes the
//! same XML a server sends, so both ends share one format. Malformed input is an [`XmlError`], never a
//! panic. Failed responses are [`crate::error::ServiceError::from_response`].

use serde::Deserialize;

use crate::encoding::{percent_decode, uri_encode};
use crate::request::header_value;
use crate::sse::{ObjectEncryption, ServerSideEncryptionRule, SseAlgorithm, SseError};
use crate::xml::{deserialize, XmlError, XmlWriter, MAX_RESPONSE_XML_BYTES};

fn bad(what: &str) -> XmlError {
    XmlError::Malformed(format!("invalid {what}"))
}

fn text(v: Option<String>) -> String {
    v.map(|s| s.trim().to_owned()).unwrap_or_default()
}

fn opt(v: Option<String>) -> Option<String> {
    v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty())
}

fn num<T: std::str::FromStr>(v: Option<String>, what: &str) -> Result<Option<T>, XmlError> {
    match opt(v) {
        None => Ok(None),
        Some(s) => s.parse().map(Some).map_err(|_| bad(what)),
    }
}

fn boolean(v: Option<String>, what: &str) -> Result<bool, XmlError> {
    match opt(v).as_deref() {
        None | Some("false") => Ok(false),
        Some("true") => Ok(true),
        Some(_) => Err(bad(what)),
    }
}

/// Decodes a field of a listing sent with `encoding-type=url`.
fn url_field(v: String, url: bool, what: &str) -> Result<String, XmlError> {
    if url {
        percent_decode(&v).map_err(|_| bad(what))
    } else {
        Ok(v)
    }
}

fn url_encode_field(v: &str, url: bool) -> String {
    if url {
        uri_encode(v, false)
    } else {
        v.to_owned()
    }
}

/// A bucket or object owner.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Owner {
    /// `ID`.
    pub id: String,
    /// `DisplayName`.
    pub display_name: String,
}

#[derive(Deserialize, Default)]
struct OwnerXml {
    #[serde(rename = "ID")]
    id: Option<String>,
    #[serde(rename = "DisplayName")]
    display_name: Option<String>,
}

impl From<OwnerXml> for Owner {
    fn from(o: OwnerXml) -> Owner {
        Owner {
            id: text(o.id),
            display_name: text(o.display_name),
        }
    }
}

fn write_owner(w: &mut XmlWriter, o: &Owner) {
    w.open("Owner")
        .element("ID", &o.id)
        .element("DisplayName", &o.display_name)
        .close("Owner");
}

// ---------------------------------------------------------------------------------------------------
// GetBucketInfo

/// The GetBucketInfo result (`BucketInfo/Bucket`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BucketInfo {
    /// `Name`.
    pub name: String,
    /// `Location`, e.g. `oss-cn-hangzhou`.
    pub location: String,
    /// `CreationDate` (ISO 8601).
    pub creation_date: String,
    /// `ExtranetEndpoint`.
    pub extranet_endpoint: String,
    /// `IntranetEndpoint`.
    pub intranet_endpoint: String,
    /// `StorageClass`.
    pub storage_class: String,
    /// `Owner`.
    pub owner: Option<Owner>,
    /// `AccessControlList/Grant`.
    pub acl: Option<String>,
    /// `ServerSideEncryptionRule`: `None` when OSS reports `SSEAlgorithm` `None` (no rule).
    pub encryption: Option<ServerSideEncryptionRule>,
}

#[derive(Deserialize)]
struct BucketInfoXml {
    #[serde(rename = "Bucket")]
    bucket: BucketInfoBucketXml,
}

#[derive(Deserialize)]
struct BucketInfoBucketXml {
    #[serde(rename = "Name")]
    name: Option<String>,
    #[serde(rename = "Location")]
    location: Option<String>,
    #[serde(rename = "CreationDate")]
    creation_date: Option<String>,
    #[serde(rename = "ExtranetEndpoint")]
    extranet_endpoint: Option<String>,
    #[serde(rename = "IntranetEndpoint")]
    intranet_endpoint: Option<String>,
    #[serde(rename = "StorageClass")]
    storage_class: Option<String>,
    #[serde(rename = "Owner")]
    owner: Option<OwnerXml>,
    #[serde(rename = "AccessControlList")]
    acl: Option<AclXml>,
    #[serde(rename = "ServerSideEncryptionRule")]
    sse: Option<BucketInfoSseXml>,
}

#[derive(Deserialize)]
struct AclXml {
    #[serde(rename = "Grant")]
    grant: Option<String>,
}

#[derive(Deserialize)]
struct BucketInfoSseXml {
    #[serde(rename = "SSEAlgorithm")]
    algorithm: Option<String>,
    #[serde(rename = "KMSMasterKeyID")]
    key_id: Option<String>,
    #[serde(rename = "KMSDataEncryption")]
    data_encryption: Option<String>,
}

fn sse_to_xml(e: SseError) -> XmlError {
    XmlError::Malformed(e.to_string())
}

impl BucketInfo {
    /// Parses `<BucketInfo><Bucket>...</Bucket></BucketInfo>`.
    pub fn from_xml(doc: &[u8]) -> Result<BucketInfo, XmlError> {
        let x: BucketInfoXml = deserialize(doc, "BucketInfo", MAX_RESPONSE_XML_BYTES)?;
        let b = x.bucket;
        let encryption = match b.sse {
            None => None,
            Some(s) => match opt(s.algorithm).as_deref() {
                None | Some("None") => None,
                Some(alg) => Some(
                    ServerSideEncryptionRule::new(
                        SseAlgorithm::parse(alg).map_err(sse_to_xml)?,
                        s.key_id.as_deref(),
                        s.data_encryption.as_deref(),
                    )
                    .map_err(sse_to_xml)?,
                ),
            },
        };
        Ok(BucketInfo {
            name: text(b.name),
            location: text(b.location),
            creation_date: text(b.creation_date),
            extranet_endpoint: text(b.extranet_endpoint),
            intranet_endpoint: text(b.intranet_endpoint),
            storage_class: text(b.storage_class),
            owner: b.owner.map(Owner::from),
            acl: b.acl.and_then(|a| opt(a.grant)),
            encryption,
        })
    }

    /// Writes the document as OSS does (`SSEAlgorithm` `None` when there is no rule).
    pub fn to_xml(&self) -> String {
        let mut w = XmlWriter::with_declaration();
        w.open("BucketInfo")
            .open("Bucket")
            .element("CreationDate", &self.creation_date)
            .element("ExtranetEndpoint", &self.extranet_endpoint)
            .element("IntranetEndpoint", &self.intranet_endpoint)
            .element("Location", &self.location)
            .element("Name", &self.name)
            .element("StorageClass", &self.storage_class);
        if let Some(o) = &self.owner {
            write_owner(&mut w, o);
        }
        if let Some(a) = &self.acl {
            w.open("AccessControlList")
                .element("Grant", a)
                .close("AccessControlList");
        }
        w.open("ServerSideEncryptionRule");
        match &self.encryption {
            None => {
                w.element("SSEAlgorithm", "None");
            }
            Some(r) => {
                w.element("SSEAlgorithm", r.algorithm().as_str())
                    .optional("KMSMasterKeyID", r.kms_master_key_id())
                    .optional(
                        "KMSDataEncryption",
                        r.kms_data_encryption().map(|d| d.as_str()),
                    );
            }
        }
        w.close("ServerSideEncryptionRule")
            .close("Bucket")
            .close("BucketInfo");
        w.finish()
    }
}

// ---------------------------------------------------------------------------------------------------
// ListObjects (V1 and V2)

/// One object of a listing.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ObjectSummary {
    /// `Key` (decoded).
    pub key: String,
    /// `LastModified` (ISO 8601).
    pub last_modified: String,
    /// `ETag` (with quotes, as OSS sends it).
    pub etag: String,
    /// `Type` (`Normal`, `Multipart`, `Appendable`).
    pub object_type: String,
    /// `Size`.
    pub size: u64,
    /// `StorageClass`.
    pub storage_class: String,
    /// `Owner`, when listed.
    pub owner: Option<Owner>,
}

/// A ListObjects (V1) or ListObjectsV2 result (`ListBucketResult`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ListObjectsResult {
    /// `Name` (the bucket).
    pub name: String,
    /// `Prefix`.
    pub prefix: String,
    /// V1 `Marker`.
    pub marker: Option<String>,
    /// V1 `NextMarker`.
    pub next_marker: Option<String>,
    /// V2 `StartAfter`.
    pub start_after: Option<String>,
    /// V2 `ContinuationToken`.
    pub continuation_token: Option<String>,
    /// V2 `NextContinuationToken`.
    pub next_continuation_token: Option<String>,
    /// V2 `KeyCount`.
    pub key_count: Option<u32>,
    /// `MaxKeys`.
    pub max_keys: u32,
    /// `Delimiter`.
    pub delimiter: Option<String>,
    /// `IsTruncated`.
    pub is_truncated: bool,
    /// `EncodingType` (`url` when keys were URL-encoded on the wire; fields here are decoded).
    pub encoding_type: Option<String>,
    /// `Contents`.
    pub contents: Vec<ObjectSummary>,
    /// `CommonPrefixes/Prefix`.
    pub common_prefixes: Vec<String>,
}

#[derive(Deserialize)]
struct ListBucketResultXml {
    #[serde(rename = "Name")]
    name: Option<String>,
    #[serde(rename = "Prefix")]
    prefix: Option<String>,
    #[serde(rename = "Marker")]
    marker: Option<String>,
    #[serde(rename = "NextMarker")]
    next_marker: Option<String>,
    #[serde(rename = "StartAfter")]
    start_after: Option<String>,
    #[serde(rename = "ContinuationToken")]
    continuation_token: Option<String>,
    #[serde(rename = "NextContinuationToken")]
    next_continuation_token: Option<String>,
    #[serde(rename = "KeyCount")]
    key_count: Option<String>,
    #[serde(rename = "MaxKeys")]
    max_keys: Option<String>,
    #[serde(rename = "Delimiter")]
    delimiter: Option<String>,
    #[serde(rename = "IsTruncated")]
    is_truncated: Option<String>,
    #[serde(rename = "EncodingType")]
    encoding_type: Option<String>,
    #[serde(rename = "Contents", default)]
    contents: Vec<ContentsXml>,
    #[serde(rename = "CommonPrefixes", default)]
    common_prefixes: Vec<CommonPrefixXml>,
}

#[derive(Deserialize)]
struct ContentsXml {
    #[serde(rename = "Key")]
    key: Option<String>,
    #[serde(rename = "LastModified")]
    last_modified: Option<String>,
    #[serde(rename = "ETag")]
    etag: Option<String>,
    #[serde(rename = "Type")]
    object_type: Option<String>,
    #[serde(rename = "Size")]
    size: Option<String>,
    #[serde(rename = "StorageClass")]
    storage_class: Option<String>,
    #[serde(rename = "Owner")]
    owner: Option<OwnerXml>,
}

#[derive(Deserialize)]
struct CommonPrefixXml {
    #[serde(rename = "Prefix")]
    prefix: Option<String>,
}

/// Keys keep their exact text (a key may end in spaces); only absent means empty.
fn raw(v: Option<String>) -> String {
    v.unwrap_or_default()
}

impl ListObjectsResult {
    /// Parses a `ListBucketResult` of either version; URL-encoded fields are decoded when
    /// `EncodingType` is `url`.
    pub fn from_xml(doc: &[u8]) -> Result<ListObjectsResult, XmlError> {
        let x: ListBucketResultXml = deserialize(doc, "ListBucketResult", MAX_RESPONSE_XML_BYTES)?;
        let encoding_type = opt(x.encoding_type);
        let url = encoding_type.as_deref() == Some("url");
        let dec = |v: Option<String>, what: &str| -> Result<Option<String>, XmlError> {
            v.map(|v| url_field(v, url, what)).transpose()
        };
        let contents = x
            .contents
            .into_iter()
            .map(|c| {
                Ok(ObjectSummary {
                    key: url_field(raw(c.key), url, "Key")?,
                    last_modified: text(c.last_modified),
                    etag: text(c.etag),
                    object_type: text(c.object_type),
                    size: num(c.size, "Size")?.unwrap_or(0),
                    storage_class: text(c.storage_class),
                    owner: c.owner.map(Owner::from),
                })
            })
            .collect::<Result<Vec<_>, XmlError>>()?;
        let common_prefixes = x
            .common_prefixes
            .into_iter()
            .map(|p| url_field(raw(p.prefix), url, "Prefix"))
            .collect::<Result<Vec<_>, XmlError>>()?;
        Ok(ListObjectsResult {
            name: text(x.name),
            prefix: dec(x.prefix, "Prefix")?.unwrap_or_default(),
            marker: dec(x.marker, "Marker")?,
            next_marker: dec(x.next_marker, "NextMarker")?,
            start_after: dec(x.start_after, "StartAfter")?,
            continuation_token: x.continuation_token,
            next_continuation_token: x.next_continuation_token,
            key_count: num(x.key_count, "KeyCount")?,
            max_keys: num(x.max_keys, "MaxKeys")?.unwrap_or(0),
            delimiter: dec(x.delimiter, "Delimiter")?,
            is_truncated: boolean(x.is_truncated, "IsTruncated")?,
            encoding_type,
            contents,
            common_prefixes,
        })
    }

    fn write(&self, v2: bool) -> String {
        let url = self.encoding_type.as_deref() == Some("url");
        let enc = |v: &str| url_encode_field(v, url);
        let mut w = XmlWriter::with_declaration();
        w.open("ListBucketResult")
            .element("Name", &self.name)
            .element("Prefix", &enc(&self.prefix));
        if v2 {
            w.optional(
                "StartAfter",
                self.start_after.as_deref().map(enc).as_deref(),
            )
            .optional("ContinuationToken", self.continuation_token.as_deref());
        } else {
            w.element("Marker", &enc(self.marker.as_deref().unwrap_or("")));
        }
        w.element("MaxKeys", &self.max_keys.to_string())
            .optional("Delimiter", self.delimiter.as_deref().map(enc).as_deref())
            .element(
                "IsTruncated",
                if self.is_truncated { "true" } else { "false" },
            );
        if v2 {
            w.optional(
                "NextContinuationToken",
                self.next_continuation_token.as_deref(),
            );
            let count = self
                .key_count
                .unwrap_or((self.contents.len() + self.common_prefixes.len()) as u32);
            w.element("KeyCount", &count.to_string());
        } else {
            w.optional(
                "NextMarker",
                self.next_marker.as_deref().map(enc).as_deref(),
            );
        }
        w.optional("EncodingType", self.encoding_type.as_deref());
        for c in &self.contents {
            w.open("Contents")
                .element("Key", &enc(&c.key))
                .element("LastModified", &c.last_modified)
                .element("ETag", &c.etag)
                .element("Type", &c.object_type)
                .element("Size", &c.size.to_string())
                .element("StorageClass", &c.storage_class);
            if let Some(o) = &c.owner {
                write_owner(&mut w, o);
            }
            w.close("Contents");
        }
        for p in &self.common_prefixes {
            w.open("CommonPrefixes")
                .element("Prefix", &enc(p))
                .close("CommonPrefixes");
        }
        w.close("ListBucketResult");
        w.finish()
    }

    /// Writes the ListObjects (V1) document.
    pub fn to_xml_v1(&self) -> String {
        self.write(false)
    }

    /// Writes the ListObjectsV2 document.
    pub fn to_xml_v2(&self) -> String {
        self.write(true)
    }
}

// ---------------------------------------------------------------------------------------------------
// ListBuckets

/// One bucket of ListBuckets.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BucketSummary {
    /// `Name`.
    pub name: String,
    /// `CreationDate`.
    pub creation_date: String,
    /// `Location`.
    pub location: String,
    /// `ExtranetEndpoint`.
    pub extranet_endpoint: String,
    /// `IntranetEndpoint`.
    pub intranet_endpoint: String,
    /// `StorageClass`.
    pub storage_class: String,
    /// `Region`.
    pub region: Option<String>,
}

/// The ListBuckets result (`ListAllMyBucketsResult`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ListBucketsResult {
    /// `Prefix`.
    pub prefix: Option<String>,
    /// `Marker`.
    pub marker: Option<String>,
    /// `MaxKeys`.
    pub max_keys: Option<u32>,
    /// `IsTruncated`.
    pub is_truncated: bool,
    /// `NextMarker`.
    pub next_marker: Option<String>,
    /// `Owner`.
    pub owner: Option<Owner>,
    /// `Buckets/Bucket`.
    pub buckets: Vec<BucketSummary>,
}

#[derive(Deserialize)]
struct ListAllMyBucketsXml {
    #[serde(rename = "Prefix")]
    prefix: Option<String>,
    #[serde(rename = "Marker")]
    marker: Option<String>,
    #[serde(rename = "MaxKeys")]
    max_keys: Option<String>,
    #[serde(rename = "IsTruncated")]
    is_truncated: Option<String>,
    #[serde(rename = "NextMarker")]
    next_marker: Option<String>,
    #[serde(rename = "Owner")]
    owner: Option<OwnerXml>,
    #[serde(rename = "Buckets")]
    buckets: Option<BucketsXml>,
}

#[derive(Deserialize)]
struct BucketsXml {
    #[serde(rename = "Bucket", default)]
    bucket: Vec<BucketSummaryXml>,
}

#[derive(Deserialize)]
struct BucketSummaryXml {
    #[serde(rename = "Name")]
    name: Option<String>,
    #[serde(rename = "CreationDate")]
    creation_date: Option<String>,
    #[serde(rename = "Location")]
    location: Option<String>,
    #[serde(rename = "ExtranetEndpoint")]
    extranet_endpoint: Option<String>,
    #[serde(rename = "IntranetEndpoint")]
    intranet_endpoint: Option<String>,
    #[serde(rename = "StorageClass")]
    storage_class: Option<String>,
    #[serde(rename = "Region")]
    region: Option<String>,
}

impl ListBucketsResult {
    /// Parses `ListAllMyBucketsResult`.
    pub fn from_xml(doc: &[u8]) -> Result<ListBucketsResult, XmlError> {
        let x: ListAllMyBucketsXml =
            deserialize(doc, "ListAllMyBucketsResult", MAX_RESPONSE_XML_BYTES)?;
        Ok(ListBucketsResult {
            prefix: opt(x.prefix),
            marker: opt(x.marker),
            max_keys: num(x.max_keys, "MaxKeys")?,
            is_truncated: boolean(x.is_truncated, "IsTruncated")?,
            next_marker: opt(x.next_marker),
            owner: x.owner.map(Owner::from),
            buckets: x
                .buckets
                .map(|b| b.bucket)
                .unwrap_or_default()
                .into_iter()
                .map(|b| BucketSummary {
                    name: text(b.name),
                    creation_date: text(b.creation_date),
                    location: text(b.location),
                    extranet_endpoint: text(b.extranet_endpoint),
                    intranet_endpoint: text(b.intranet_endpoint),
                    storage_class: text(b.storage_class),
                    region: opt(b.region),
                })
                .collect(),
        })
    }

    /// Writes `ListAllMyBucketsResult`.
    pub fn to_xml(&self) -> String {
        let mut w = XmlWriter::with_declaration();
        w.open("ListAllMyBucketsResult")
            .optional("Prefix", self.prefix.as_deref())
            .optional("Marker", self.marker.as_deref())
            .optional("MaxKeys", self.max_keys.map(|m| m.to_string()).as_deref());
        if self.max_keys.is_some() || self.is_truncated {
            w.element(
                "IsTruncated",
                if self.is_truncated { "true" } else { "false" },
            );
        }
        w.optional("NextMarker", self.next_marker.as_deref());
        if let Some(o) = &self.owner {
            write_owner(&mut w, o);
        }
        w.open("Buckets");
        for b in &self.buckets {
            w.open("Bucket")
                .element("CreationDate", &b.creation_date)
                .element("ExtranetEndpoint", &b.extranet_endpoint)
                .element("IntranetEndpoint", &b.intranet_endpoint)
                .element("Location", &b.location)
                .element("Name", &b.name)
                .optional("Region", b.region.as_deref())
                .element("StorageClass", &b.storage_class)
                .close("Bucket");
        }
        w.close("Buckets").close("ListAllMyBucketsResult");
        w.finish()
    }
}

// ---------------------------------------------------------------------------------------------------
// Multipart and copy

/// The InitiateMultipartUpload result.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct InitiateMultipartUploadResult {
    /// `Bucket`.
    pub bucket: String,
    /// `Key`.
    pub key: String,
    /// `UploadId`.
    pub upload_id: String,
}

#[derive(Deserialize)]
struct InitiateXml {
    #[serde(rename = "Bucket")]
    bucket: Option<String>,
    #[serde(rename = "Key")]
    key: Option<String>,
    #[serde(rename = "UploadId")]
    upload_id: Option<String>,
    #[serde(rename = "EncodingType")]
    encoding_type: Option<String>,
}

impl InitiateMultipartUploadResult {
    /// Parses `InitiateMultipartUploadResult`; an empty `UploadId` is malformed.
    pub fn from_xml(doc: &[u8]) -> Result<InitiateMultipartUploadResult, XmlError> {
        let x: InitiateXml =
            deserialize(doc, "InitiateMultipartUploadResult", MAX_RESPONSE_XML_BYTES)?;
        let url = opt(x.encoding_type).as_deref() == Some("url");
        let upload_id = opt(x.upload_id).ok_or_else(|| bad("UploadId"))?;
        Ok(InitiateMultipartUploadResult {
            bucket: text(x.bucket),
            key: url_field(raw(x.key), url, "Key")?,
            upload_id,
        })
    }

    /// Writes `InitiateMultipartUploadResult`.
    pub fn to_xml(&self) -> String {
        let mut w = XmlWriter::with_declaration();
        w.open("InitiateMultipartUploadResult")
            .element("Bucket", &self.bucket)
            .element("Key", &self.key)
            .element("UploadId", &self.upload_id)
            .close("InitiateMultipartUploadResult");
        w.finish()
    }
}

/// The CompleteMultipartUpload result.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CompleteMultipartUploadResult {
    /// `Location` (the object URL).
    pub location: String,
    /// `Bucket`.
    pub bucket: String,
    /// `Key`.
    pub key: String,
    /// `ETag`.
    pub etag: String,
}

#[derive(Deserialize)]
struct CompleteXml {
    #[serde(rename = "Location")]
    location: Option<String>,
    #[serde(rename = "Bucket")]
    bucket: Option<String>,
    #[serde(rename = "Key")]
    key: Option<String>,
    #[serde(rename = "ETag")]
    etag: Option<String>,
    #[serde(rename = "EncodingType")]
    encoding_type: Option<String>,
}

impl CompleteMultipartUploadResult {
    /// Parses `CompleteMultipartUploadResult`.
    pub fn from_xml(doc: &[u8]) -> Result<CompleteMultipartUploadResult, XmlError> {
        let x: CompleteXml =
            deserialize(doc, "CompleteMultipartUploadResult", MAX_RESPONSE_XML_BYTES)?;
        let url = opt(x.encoding_type).as_deref() == Some("url");
        Ok(CompleteMultipartUploadResult {
            location: text(x.location),
            bucket: text(x.bucket),
            key: url_field(raw(x.key), url, "Key")?,
            etag: text(x.etag),
        })
    }

    /// Writes `CompleteMultipartUploadResult`.
    pub fn to_xml(&self) -> String {
        let mut w = XmlWriter::with_declaration();
        w.open("CompleteMultipartUploadResult")
            .element("Location", &self.location)
            .element("Bucket", &self.bucket)
            .element("Key", &self.key)
            .element("ETag", &self.etag)
            .close("CompleteMultipartUploadResult");
        w.finish()
    }
}

/// One part of ListParts.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PartSummary {
    /// `PartNumber`.
    pub part_number: u32,
    /// `LastModified`.
    pub last_modified: String,
    /// `ETag`.
    pub etag: String,
    /// `HashCrc64ecma`, when reported.
    pub hash_crc64ecma: Option<u64>,
    /// `Size`.
    pub size: u64,
}

/// The ListParts result.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ListPartsResult {
    /// `Bucket`.
    pub bucket: String,
    /// `Key`.
    pub key: String,
    /// `UploadId`.
    pub upload_id: String,
    /// `PartNumberMarker`.
    pub part_number_marker: u32,
    /// `NextPartNumberMarker`.
    pub next_part_number_marker: u32,
    /// `MaxParts`.
    pub max_parts: u32,
    /// `IsTruncated`.
    pub is_truncated: bool,
    /// `Part`.
    pub parts: Vec<PartSummary>,
}

#[derive(Deserialize)]
struct ListPartsXml {
    #[serde(rename = "Bucket")]
    bucket: Option<String>,
    #[serde(rename = "Key")]
    key: Option<String>,
    #[serde(rename = "UploadId")]
    upload_id: Option<String>,
    #[serde(rename = "PartNumberMarker")]
    part_number_marker: Option<String>,
    #[serde(rename = "NextPartNumberMarker")]
    next_part_number_marker: Option<String>,
    #[serde(rename = "MaxParts")]
    max_parts: Option<String>,
    #[serde(rename = "IsTruncated")]
    is_truncated: Option<String>,
    #[serde(rename = "Part", default)]
    parts: Vec<PartXml>,
}

#[derive(Deserialize)]
struct PartXml {
    #[serde(rename = "PartNumber")]
    part_number: Option<String>,
    #[serde(rename = "LastModified")]
    last_modified: Option<String>,
    #[serde(rename = "ETag")]
    etag: Option<String>,
    #[serde(rename = "HashCrc64ecma")]
    hash_crc64ecma: Option<String>,
    #[serde(rename = "Size")]
    size: Option<String>,
}

impl ListPartsResult {
    /// Parses `ListPartsResult`.
    pub fn from_xml(doc: &[u8]) -> Result<ListPartsResult, XmlError> {
        let x: ListPartsXml = deserialize(doc, "ListPartsResult", MAX_RESPONSE_XML_BYTES)?;
        let parts = x
            .parts
            .into_iter()
            .map(|p| {
                Ok(PartSummary {
                    part_number: num(p.part_number, "PartNumber")?
                        .ok_or_else(|| bad("PartNumber"))?,
                    last_modified: text(p.last_modified),
                    etag: text(p.etag),
                    hash_crc64ecma: num(p.hash_crc64ecma, "HashCrc64ecma")?,
                    size: num(p.size, "Size")?.unwrap_or(0),
                })
            })
            .collect::<Result<Vec<_>, XmlError>>()?;
        Ok(ListPartsResult {
            bucket: text(x.bucket),
            key: raw(x.key),
            upload_id: text(x.upload_id),
            part_number_marker: num(x.part_number_marker, "PartNumberMarker")?.unwrap_or(0),
            next_part_number_marker: num(x.next_part_number_marker, "NextPartNumberMarker")?
                .unwrap_or(0),
            max_parts: num(x.max_parts, "MaxParts")?.unwrap_or(0),
            is_truncated: boolean(x.is_truncated, "IsTruncated")?,
            parts,
        })
    }

    /// Writes `ListPartsResult`.
    pub fn to_xml(&self) -> String {
        let mut w = XmlWriter::with_declaration();
        w.open("ListPartsResult")
            .element("Bucket", &self.bucket)
            .element("Key", &self.key)
            .element("UploadId", &self.upload_id)
            .element("PartNumberMarker", &self.part_number_marker.to_string())
            .element(
                "NextPartNumberMarker",
                &self.next_part_number_marker.to_string(),
            )
            .element("MaxParts", &self.max_parts.to_string())
            .element(
                "IsTruncated",
                if self.is_truncated { "true" } else { "false" },
            );
        for p in &self.parts {
            w.open("Part")
                .element("PartNumber", &p.part_number.to_string())
                .element("LastModified", &p.last_modified)
                .element("ETag", &p.etag)
                .optional(
                    "HashCrc64ecma",
                    p.hash_crc64ecma.map(|c| c.to_string()).as_deref(),
                )
                .element("Size", &p.size.to_string())
                .close("Part");
        }
        w.close("ListPartsResult");
        w.finish()
    }
}

/// The CopyObject result.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CopyObjectResult {
    /// `LastModified`.
    pub last_modified: String,
    /// `ETag`.
    pub etag: String,
}

#[derive(Deserialize)]
struct CopyXml {
    #[serde(rename = "LastModified")]
    last_modified: Option<String>,
    #[serde(rename = "ETag")]
    etag: Option<String>,
}

impl CopyObjectResult {
    /// Parses `CopyObjectResult`.
    pub fn from_xml(doc: &[u8]) -> Result<CopyObjectResult, XmlError> {
        let x: CopyXml = deserialize(doc, "CopyObjectResult", MAX_RESPONSE_XML_BYTES)?;
        Ok(CopyObjectResult {
            last_modified: text(x.last_modified),
            etag: text(x.etag),
        })
    }

    /// Writes `CopyObjectResult`.
    pub fn to_xml(&self) -> String {
        let mut w = XmlWriter::with_declaration();
        w.open("CopyObjectResult")
            .element("LastModified", &self.last_modified)
            .element("ETag", &self.etag)
            .close("CopyObjectResult");
        w.finish()
    }
}

// ---------------------------------------------------------------------------------------------------
// Headers

/// What the headers of a PutObject / GetObject / HeadObject / UploadPart response say about an object.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ObjectMeta {
    /// `Content-Length`.
    pub content_length: Option<u64>,
    /// `Content-Type`.
    pub content_type: Option<String>,
    /// `ETag`.
    pub etag: Option<String>,
    /// `Last-Modified`.
    pub last_modified: Option<String>,
    /// `x-oss-hash-crc64ecma`.
    pub crc64: Option<u64>,
    /// `x-oss-object-type`.
    pub object_type: Option<String>,
    /// `x-oss-request-id`.
    pub request_id: Option<String>,
    /// The `x-oss-server-side-*` headers.
    pub encryption: Option<ObjectEncryption>,
    /// `x-oss-meta-*` headers, names lower-cased without the prefix.
    pub user_meta: Vec<(String, String)>,
}

impl ObjectMeta {
    /// Reads the headers; a header present but malformed (a non-numeric length or CRC, an invalid
    /// encryption header) is an error.
    pub fn from_headers(headers: &[(String, String)]) -> Result<ObjectMeta, MetaError> {
        let get = |n: &str| header_value(headers, n).map(|v| v.trim().to_owned());
        let parse_u64 = |n: &'static str| -> Result<Option<u64>, MetaError> {
            match get(n) {
                None => Ok(None),
                Some(v) => v.parse().map(Some).map_err(|_| MetaError::Invalid(n)),
            }
        };
        let user_meta = headers
            .iter()
            .filter_map(|(n, v)| {
                let lower = n.trim().to_ascii_lowercase();
                lower
                    .strip_prefix("x-oss-meta-")
                    .map(|k| (k.to_owned(), v.trim().to_owned()))
            })
            .collect();
        Ok(ObjectMeta {
            content_length: parse_u64("content-length")?,
            content_type: get("content-type"),
            etag: get("etag"),
            last_modified: get("last-modified"),
            crc64: parse_u64("x-oss-hash-crc64ecma")?,
            object_type: get("x-oss-object-type"),
            request_id: get("x-oss-request-id"),
            encryption: ObjectEncryption::from_headers(headers).map_err(MetaError::Encryption)?,
            user_meta,
        })
    }
}

/// A response header that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MetaError {
    /// A numeric header that is not a number.
    #[error("invalid {0} header")]
    Invalid(&'static str),
    /// Invalid encryption headers.
    #[error(transparent)]
    Encryption(SseError),
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sse::DataEncryption;

    #[test]
    fn bucket_info_with_and_without_rule() {
        let doc = r#"<?xml version="1.0" encoding="UTF-8"?>
<BucketInfo>
  <Bucket>
    <AccessMonitor>Disabled</AccessMonitor>
    <CreationDate>2013-07-31T10:56:21.000Z</CreationDate>
    <ExtranetEndpoint>oss-cn-hangzhou.aliyuncs.com</ExtranetEndpoint>
    <IntranetEndpoint>oss-cn-hangzhou-internal.aliyuncs.com</IntranetEndpoint>
    <Location>oss-cn-hangzhou</Location>
    <StorageClass>Standard</StorageClass>
    <Name>oss-example</Name>
    <Owner><DisplayName>username</DisplayName><ID>27183473914****</ID></Owner>
    <AccessControlList><Grant>private</Grant></AccessControlList>
    <ServerSideEncryptionRule>
      <SSEAlgorithm>KMS</SSEAlgorithm>
      <KMSMasterKeyID></KMSMasterKeyID>
      <KMSDataEncryption>SM4</KMSDataEncryption>
    </ServerSideEncryptionRule>
    <BucketPolicy><LogBucket>examplebucket</LogBucket></BucketPolicy>
  </Bucket>
</BucketInfo>"#;
        let info = BucketInfo::from_xml(doc.as_bytes()).unwrap();
        assert_eq!(info.name, "oss-example");
        assert_eq!(info.acl.as_deref(), Some("private"));
        assert_eq!(info.owner.as_ref().unwrap().id, "27183473914****");
        assert_eq!(
            info.encryption,
            Some(ServerSideEncryptionRule::kms(
                None,
                Some(DataEncryption::Sm4)
            ))
        );
        assert_eq!(
            BucketInfo::from_xml(info.to_xml().as_bytes()).unwrap(),
            info
        );
        let none = BucketInfo {
            encryption: None,
            ..info
        };
        assert!(none.to_xml().contains("<SSEAlgorithm>None</SSEAlgorithm>"));
        assert_eq!(
            BucketInfo::from_xml(none.to_xml().as_bytes())
                .unwrap()
                .encryption,
            None
        );
    }

    #[test]
    fn list_objects_v1_url_encoded() {
        let doc = r#"<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult>
<Name>examplebucket</Name><Prefix>fun%2F</Prefix><Marker></Marker><MaxKeys>100</MaxKeys>
<Delimiter>%2F</Delimiter><IsTruncated>true</IsTruncated><NextMarker>fun%2Fz</NextMarker><EncodingType>url</EncodingType>
<Contents><Key>fun%2Fa%20b%2B</Key><LastModified>2012-02-24T08:42:32.000Z</LastModified><ETag>"5B3C1A2E053D763E1B002CC607C5A0FE"</ETag><Type>Normal</Type><Size>344606</Size><StorageClass>Standard</StorageClass><Owner><ID>0022012****</ID><DisplayName>user-example</DisplayName></Owner></Contents>
<CommonPrefixes><Prefix>fun%2Fmovie%2F</Prefix></CommonPrefixes>
</ListBucketResult>"#;
        let r = ListObjectsResult::from_xml(doc.as_bytes()).unwrap();
        assert_eq!(r.prefix, "fun/");
        assert_eq!(r.delimiter.as_deref(), Some("/"));
        assert!(r.is_truncated);
        assert_eq!(r.next_marker.as_deref(), Some("fun/z"));
        assert_eq!(r.contents[0].key, "fun/a b+");
        assert_eq!(r.contents[0].size, 344_606);
        assert_eq!(r.common_prefixes, vec!["fun/movie/".to_string()]);
        assert_eq!(
            ListObjectsResult::from_xml(r.to_xml_v1().as_bytes()).unwrap(),
            r
        );
    }

    #[test]
    fn list_objects_v2() {
        let r = ListObjectsResult {
            name: "b".into(),
            prefix: "".into(),
            continuation_token: Some("t1".into()),
            next_continuation_token: Some("t2".into()),
            key_count: Some(1),
            max_keys: 1,
            is_truncated: true,
            contents: vec![ObjectSummary {
                key: " spaced <&> ".into(),
                last_modified: "2023-12-16T16:20:57.000Z".into(),
                etag: "\"E\"".into(),
                object_type: "Multipart".into(),
                size: 5,
                storage_class: "Standard".into(),
                owner: None,
            }],
            ..Default::default()
        };
        assert_eq!(
            ListObjectsResult::from_xml(r.to_xml_v2().as_bytes()).unwrap(),
            r
        );
        assert!(ListObjectsResult::from_xml(
            b"<ListBucketResult><MaxKeys>x</MaxKeys></ListBucketResult>"
        )
        .is_err());
        assert!(ListObjectsResult::from_xml(
            b"<ListBucketResult><IsTruncated>maybe</IsTruncated></ListBucketResult>"
        )
        .is_err());
    }

    #[test]
    fn list_buckets() {
        let doc = r#"<?xml version="1.0" encoding="UTF-8"?>
<ListAllMyBucketsResult><Owner><ID>512**</ID><DisplayName>51264</DisplayName></Owner>
<Buckets><Bucket><CreationDate>2014-02-17T18:12:43.000Z</CreationDate><ExtranetEndpoint>oss-cn-shanghai.aliyuncs.com</ExtranetEndpoint><IntranetEndpoint>oss-cn-shanghai-internal.aliyuncs.com</IntranetEndpoint><Location>oss-cn-shanghai</Location><Name>app-base-oss</Name><Region>cn-shanghai</Region><StorageClass>Standard</StorageClass></Bucket>
<Bucket><Name>two</Name></Bucket></Buckets></ListAllMyBucketsResult>"#;
        let r = ListBucketsResult::from_xml(doc.as_bytes()).unwrap();
        assert_eq!(r.buckets.len(), 2);
        assert_eq!(r.buckets[0].region.as_deref(), Some("cn-shanghai"));
        assert_eq!(
            ListBucketsResult::from_xml(r.to_xml().as_bytes()).unwrap(),
            r
        );
        let empty = ListBucketsResult::from_xml(
            b"<ListAllMyBucketsResult><Buckets/></ListAllMyBucketsResult>",
        )
        .unwrap();
        assert!(empty.buckets.is_empty());
    }

    #[test]
    fn multipart_and_copy_results() {
        let i = InitiateMultipartUploadResult::from_xml(b"<InitiateMultipartUploadResult><Bucket>b</Bucket><Key>k</Key><UploadId>0004B9894A22E5B1888A1E29F823****</UploadId></InitiateMultipartUploadResult>").unwrap();
        assert_eq!(i.upload_id, "0004B9894A22E5B1888A1E29F823****");
        assert_eq!(
            InitiateMultipartUploadResult::from_xml(i.to_xml().as_bytes()).unwrap(),
            i
        );
        assert!(InitiateMultipartUploadResult::from_xml(
            b"<InitiateMultipartUploadResult><UploadId/></InitiateMultipartUploadResult>"
        )
        .is_err());
        let c = CompleteMultipartUploadResult {
            location: "http://b.oss-cn-hangzhou.aliyuncs.com/k".into(),
            bucket: "b".into(),
            key: "k".into(),
            etag: "\"B864DB6A936D376F9F8D3ED3BBE540****\"".into(),
        };
        assert_eq!(
            CompleteMultipartUploadResult::from_xml(c.to_xml().as_bytes()).unwrap(),
            c
        );
        let l = ListPartsResult {
            bucket: "b".into(),
            key: "k".into(),
            upload_id: "u".into(),
            next_part_number_marker: 2,
            max_parts: 1000,
            parts: vec![PartSummary {
                part_number: 1,
                last_modified: "t".into(),
                etag: "\"e\"".into(),
                hash_crc64ecma: Some(u64::MAX),
                size: 6_291_456,
            }],
            ..Default::default()
        };
        assert_eq!(ListPartsResult::from_xml(l.to_xml().as_bytes()).unwrap(), l);
        assert!(ListPartsResult::from_xml(
            b"<ListPartsResult><Part><Size>1</Size></Part></ListPartsResult>"
        )
        .is_err());
        let cp = CopyObjectResult {
            last_modified: "2023-12-16T16:20:57.000Z".into(),
            etag: "\"x\"".into(),
        };
        assert_eq!(
            CopyObjectResult::from_xml(cp.to_xml().as_bytes()).unwrap(),
            cp
        );
        assert!(matches!(
            CopyObjectResult::from_xml(b"<Other/>"),
            Err(XmlError::WrongRoot { .. })
        ));
    }

    #[test]
    fn object_meta_from_headers() {
        let h: Vec<(String, String)> = [
            ("Content-Length", "10"),
            ("ETag", "\"e\""),
            ("x-oss-hash-crc64ecma", "18446744073709551615"),
            ("x-oss-server-side-encryption", "KMS"),
            ("x-oss-server-side-encryption-key-id", "kid"),
            ("X-Oss-Meta-Author", "alice"),
        ]
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
        let m = ObjectMeta::from_headers(&h).unwrap();
        assert_eq!(m.content_length, Some(10));
        assert_eq!(m.crc64, Some(u64::MAX));
        assert_eq!(m.encryption.unwrap().key_id.as_deref(), Some("kid"));
        assert_eq!(
            m.user_meta,
            vec![("author".to_string(), "alice".to_string())]
        );
        let bad = vec![("Content-Length".to_string(), "ten".to_string())];
        assert_eq!(
            ObjectMeta::from_headers(&bad),
            Err(MetaError::Invalid("content-length"))
        );
    }
}
