//! The object header: a versioned, size-limited, authenticated description of an object's body.
//!
//! Layout (all integers big-endian; `short` = u16 length + bytes):
//!
//! ```text
//! "OSSSEAL" (7 bytes) | format version u8 = 1
//! cipher u8 | segment size u32 | kind u8 (1 single, 2 multipart, 3 appendable) | upload id short
//! stream count u32 (1..=10000)
//! per stream: number u32 | plaintext length u64 | salt [16] | nonce prefix [7] | digest [32]
//! ---- everything above is covered by the tag ----
//! wrapped data key short (≤ 8 KiB) | KMS key id short (≤ 1 KiB) | KMS key version short (≤ 1 KiB)
//! tag [32] = HMAC-SHA256(HKDF(data key, "header"), domain ‖ covered bytes ‖ bucket ‖ key ‖ generation)
//! ```
//!
//! The envelope fields sit outside the tag on purpose; see [`Envelope`].

use ring::hmac;

use crate::codec::{put_lp, put_short, Reader};
use crate::key::DataKey;
use crate::read::OpenedObject;
use crate::stream::{decode_entry, StreamEntry, StreamRecord, MAC_LEN};
use crate::{Cipher, Envelope, ObjectId, ObjectKind, SealConfig, SealError, FORMAT_VERSION};

/// Most parts a multipart object may have (OSS's limit), and most extents an appendable object may have.
pub const MAX_PARTS: u32 = 10_000;
/// Longest multipart upload id accepted.
pub const MAX_UPLOAD_ID_LEN: usize = 1024;
/// Longest wrapped data key accepted.
pub const MAX_WRAPPED_KEY_LEN: usize = 8 * 1024;
/// Longest KMS key id, and longest KMS key version id, accepted.
pub const MAX_KMS_FIELD_LEN: usize = 1024;
/// Largest encoded header accepted (a 10000-part header is about 670 KB).
pub const MAX_HEADER_LEN: usize = 1024 * 1024;

const HEADER_MAGIC: &[u8; 7] = b"OSSSEAL";
const HEADER_MAC_LABEL: &str = "header";

/// A header whose tag has been computed or verified under the object's data key and identity.
///
/// Obtained by building one ([`Header::single`], [`Header::multipart`], [`Header::appendable`],
/// [`OpenedObject::append`]) or from [`UnverifiedHeader::verify`] via [`OpenedObject::header`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    kind: ObjectKind,
    config: SealConfig,
    upload_id: String,
    streams: Vec<StreamEntry>,
    envelope: Envelope,
    tag: [u8; MAC_LEN],
}

impl Header {
    /// The header of a [`Single`](ObjectKind::Single) object, from the record of its one stream
    /// (made by [`StreamSealer::object`](crate::StreamSealer::object)).
    pub fn single(
        key: &DataKey,
        id: &ObjectId,
        record: &StreamRecord,
        envelope: Envelope,
    ) -> Result<Self, SealError> {
        Self::from_records(
            key,
            id,
            ObjectKind::Single,
            "",
            std::slice::from_ref(record),
            envelope,
        )
    }

    /// The header of a completed multipart upload: `parts` are the records of the parts the
    /// CompleteMultipartUpload request lists, in ascending part-number order. The list, with each part's
    /// size, salt and digest, is bound by the header's tag: dropping, reordering or replacing a part
    /// afterwards makes the object fail to open.
    pub fn multipart(
        key: &DataKey,
        id: &ObjectId,
        upload_id: &str,
        parts: &[StreamRecord],
        envelope: Envelope,
    ) -> Result<Self, SealError> {
        if upload_id.is_empty() || upload_id.len() > MAX_UPLOAD_ID_LEN {
            return Err(SealError::InvalidInput("upload id"));
        }
        Self::from_records(key, id, ObjectKind::Multipart, upload_id, parts, envelope)
    }

    /// The header of a new appendable object whose first extent (index 0) is `first`. Later appends
    /// go through [`OpenedObject::append`].
    pub fn appendable(
        key: &DataKey,
        id: &ObjectId,
        first: &StreamRecord,
        envelope: Envelope,
    ) -> Result<Self, SealError> {
        Self::from_records(
            key,
            id,
            ObjectKind::Appendable,
            "",
            std::slice::from_ref(first),
            envelope,
        )
    }

    fn from_records(
        key: &DataKey,
        id: &ObjectId,
        kind: ObjectKind,
        upload_id: &str,
        records: &[StreamRecord],
        envelope: Envelope,
    ) -> Result<Self, SealError> {
        let first = records
            .first()
            .ok_or(SealError::InvalidInput("empty stream list"))?;
        let config = first.config();
        let mut streams = Vec::with_capacity(records.len());
        for record in records {
            let (entry, record_upload_id) = record.verify(key, id)?;
            if entry.label.kind() != kind {
                return Err(SealError::InvalidInput("stream of the wrong kind"));
            }
            if entry.config != config {
                return Err(SealError::InvalidInput(
                    "streams sealed with different settings",
                ));
            }
            if record_upload_id != upload_id {
                return Err(SealError::InvalidInput("part of another upload"));
            }
            streams.push(entry.clone());
        }
        Self::build(
            key,
            id,
            kind,
            config,
            upload_id.to_owned(),
            streams,
            envelope,
        )
    }

    /// Validates the structure, then computes the tag.
    pub(crate) fn build(
        key: &DataKey,
        id: &ObjectId,
        kind: ObjectKind,
        config: SealConfig,
        upload_id: String,
        streams: Vec<StreamEntry>,
        envelope: Envelope,
    ) -> Result<Self, SealError> {
        check_envelope(&envelope)?;
        check_streams(kind, &upload_id, &streams).map_err(SealError::InvalidInput)?;
        let mut header = Header {
            kind,
            config,
            upload_id,
            streams,
            envelope,
            tag: [0; MAC_LEN],
        };
        let tag = hmac::sign(&key.mac_key(HEADER_MAC_LABEL)?, &header.mac_input(id));
        header.tag.copy_from_slice(tag.as_ref());
        Ok(header)
    }

    /// The bytes the tag covers, followed by the object identity.
    fn mac_input(&self, id: &ObjectId) -> Vec<u8> {
        let mut covered = Vec::with_capacity(64 + self.streams.len() * 67 + self.upload_id.len());
        self.encode_covered(&mut covered);
        let mut input = Vec::with_capacity(covered.len() + 64 + id.bucket.len() + id.key.len());
        put_lp(&mut input, b"oss-sse-seal/v1/header");
        put_lp(&mut input, &covered);
        id.encode_into(&mut input);
        input
    }

    fn encode_covered(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(HEADER_MAGIC);
        out.push(FORMAT_VERSION);
        out.push(self.config.cipher().id());
        out.extend_from_slice(&self.config.segment_size().to_be_bytes());
        out.push(self.kind.id());
        // Lengths were checked in `build` / `decode`, so these cannot fail.
        let _ = put_short(
            out,
            self.upload_id.as_bytes(),
            MAX_UPLOAD_ID_LEN,
            "upload id",
        );
        out.extend_from_slice(&(self.streams.len() as u32).to_be_bytes());
        for stream in &self.streams {
            stream.encode_in_header(out);
        }
    }

    /// The header's bytes for storage (they hold no secret: the data key is only there wrapped).
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.encoded_len());
        self.encode_covered(&mut out);
        let e = &self.envelope;
        let _ = put_short(&mut out, &e.wrapped_key, MAX_WRAPPED_KEY_LEN, "wrapped key");
        let _ = put_short(
            &mut out,
            e.kms_key_id.as_bytes(),
            MAX_KMS_FIELD_LEN,
            "key id",
        );
        let _ = put_short(
            &mut out,
            e.kms_key_version.as_bytes(),
            MAX_KMS_FIELD_LEN,
            "key version",
        );
        out.extend_from_slice(&self.tag);
        out
    }

    /// The length [`encode`](Self::encode) will produce. It depends only on the stream count and the
    /// lengths of the upload id and envelope fields, never on the plaintext lengths.
    pub fn encoded_len(&self) -> usize {
        8 + 1
            + 4
            + 1
            + 2
            + self.upload_id.len()
            + 4
            + self.streams.len() * 67
            + 6
            + self.envelope.wrapped_key.len()
            + self.envelope.kms_key_id.len()
            + self.envelope.kms_key_version.len()
            + MAC_LEN
    }

    /// Parses stored header bytes strictly (bounded in size, no trailing bytes, every field checked).
    /// The result must still be verified with the data key before it can be used to read anything.
    pub fn decode(bytes: &[u8]) -> Result<UnverifiedHeader, SealError> {
        if bytes.len() > MAX_HEADER_LEN {
            return Err(SealError::Malformed {
                what: "header",
                reason: "too large",
            });
        }
        let mut r = Reader::new(bytes, "header");
        if r.take(HEADER_MAGIC.len(), "bad magic")? != HEADER_MAGIC {
            return Err(r.malformed("bad magic"));
        }
        let version = r.u8("missing version")?;
        if version != FORMAT_VERSION {
            return Err(SealError::UnsupportedVersion(version));
        }
        let cipher =
            Cipher::from_id(r.u8("missing cipher")?).ok_or(r.malformed("unknown cipher"))?;
        let segment_size = r.u32("missing segment size")?;
        let config = SealConfig::with_segment_size(cipher, segment_size)
            .map_err(|_| r.malformed("segment size out of range"))?;
        let kind = ObjectKind::from_id(r.u8("missing kind")?).ok_or(r.malformed("unknown kind"))?;
        let upload_id = r.short_str(MAX_UPLOAD_ID_LEN, "bad upload id")?;
        let count = r.u32("missing stream count")?;
        if count == 0 || count > MAX_PARTS {
            return Err(r.malformed("stream count out of range"));
        }
        // Each entry is 67 bytes; checking first keeps a lying count from reserving memory.
        if r.remaining() < count as usize * 67 {
            return Err(r.malformed("truncated stream list"));
        }
        let mut streams = Vec::with_capacity(count as usize);
        for _ in 0..count {
            streams.push(decode_entry(&mut r, config, kind)?);
        }
        check_streams(kind, &upload_id, &streams).map_err(|reason| r.malformed(reason))?;
        let wrapped_key = r.short(MAX_WRAPPED_KEY_LEN, "bad wrapped key")?.to_vec();
        let kms_key_id = r.short_str(MAX_KMS_FIELD_LEN, "bad KMS key id")?;
        let kms_key_version = r.short_str(MAX_KMS_FIELD_LEN, "bad KMS key version")?;
        let tag = r.array::<MAC_LEN>("missing tag")?;
        r.finish()?;
        Ok(UnverifiedHeader(Header {
            kind,
            config,
            upload_id,
            streams,
            envelope: Envelope {
                wrapped_key,
                kms_key_id,
                kms_key_version,
            },
            tag,
        }))
    }

    /// How the body was written.
    pub fn kind(&self) -> ObjectKind {
        self.kind
    }

    /// The cipher and segment size of every stream.
    pub fn config(&self) -> SealConfig {
        self.config
    }

    /// The segment cipher.
    pub fn cipher(&self) -> Cipher {
        self.config.cipher()
    }

    /// Plaintext bytes per segment.
    pub fn segment_size(&self) -> u32 {
        self.config.segment_size()
    }

    /// The multipart upload id, for multipart objects.
    pub fn upload_id(&self) -> Option<&str> {
        (self.kind == ObjectKind::Multipart).then_some(self.upload_id.as_str())
    }

    /// The streams in body order (one for a single object, the parts, or the extents).
    pub fn streams(&self) -> &[StreamEntry] {
        &self.streams
    }

    /// The KMS envelope.
    pub fn envelope(&self) -> &Envelope {
        &self.envelope
    }

    /// The object's plaintext length (the sum of its streams').
    pub fn plaintext_len(&self) -> u64 {
        // Bounded in `check_streams`.
        self.streams.iter().map(|s| s.plaintext_len).sum()
    }

    /// The exact length of the object's body: its streams' ciphertexts back to back.
    pub fn ciphertext_len(&self) -> u64 {
        self.streams.iter().map(StreamEntry::ciphertext_len).sum()
    }

    /// The same header with its envelope replaced (rewrapping). The tag does not cover the envelope, so
    /// this needs no data key; the new wrapped key must of course unwrap to the same data key.
    pub fn with_envelope(mut self, envelope: Envelope) -> Result<Self, SealError> {
        check_envelope(&envelope)?;
        self.envelope = envelope;
        Ok(self)
    }
}

/// A parsed header whose tag has not been checked yet. All it offers before [`verify`](Self::verify) is
/// what a reader needs to obtain the data key (the envelope) and rewrapping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnverifiedHeader(Header);

impl UnverifiedHeader {
    /// What to ask the KMS to unwrap.
    pub fn envelope(&self) -> &Envelope {
        &self.0.envelope
    }

    /// The cipher the header names (unverified; e.g. for choosing a response header before reading).
    pub fn cipher(&self) -> Cipher {
        self.0.config.cipher()
    }

    /// Checks the tag under `key` and `id`; on success the object can be read.
    pub fn verify(self, key: &DataKey, id: &ObjectId) -> Result<OpenedObject, SealError> {
        let mac_key = key.mac_key(HEADER_MAC_LABEL)?;
        hmac::verify(&mac_key, &self.0.mac_input(id), &self.0.tag)
            .map_err(|_| SealError::HeaderAuthentication)?;
        OpenedObject::new(self.0, key.duplicate(), id.clone())
    }

    /// Replaces the envelope (rewrapping) without the data key; see [`Header::with_envelope`].
    pub fn with_envelope(self, envelope: Envelope) -> Result<Self, SealError> {
        Ok(UnverifiedHeader(self.0.with_envelope(envelope)?))
    }

    /// Re-encodes the header (after [`with_envelope`](Self::with_envelope)).
    pub fn encode(&self) -> Vec<u8> {
        self.0.encode()
    }
}

fn check_envelope(e: &Envelope) -> Result<(), SealError> {
    if e.wrapped_key.len() > MAX_WRAPPED_KEY_LEN {
        return Err(SealError::InvalidInput("wrapped key too long"));
    }
    if e.kms_key_id.len() > MAX_KMS_FIELD_LEN || e.kms_key_version.len() > MAX_KMS_FIELD_LEN {
        return Err(SealError::InvalidInput("KMS key id or version too long"));
    }
    Ok(())
}

/// The structural rules of a stream list, shared by building and decoding.
fn check_streams(
    kind: ObjectKind,
    upload_id: &str,
    streams: &[StreamEntry],
) -> Result<(), &'static str> {
    if streams.is_empty() || streams.len() > MAX_PARTS as usize {
        return Err("stream count out of range");
    }
    if (kind == ObjectKind::Multipart) == upload_id.is_empty() {
        return Err("upload id does not fit the object kind");
    }
    if upload_id.len() > MAX_UPLOAD_ID_LEN {
        return Err("upload id too long");
    }
    match kind {
        ObjectKind::Single if streams.len() != 1 => return Err("a single object has one stream"),
        ObjectKind::Multipart => {
            if streams
                .windows(2)
                .any(|w| w[0].label.number() >= w[1].label.number())
            {
                return Err("parts out of order or repeated");
            }
        }
        ObjectKind::Appendable => {
            if streams
                .iter()
                .enumerate()
                .any(|(i, s)| s.label.number() as usize != i)
            {
                return Err("extents out of sequence");
            }
        }
        ObjectKind::Single => {}
    }
    let mut plaintext = 0u64;
    let mut ciphertext = 0u64;
    for s in streams {
        if s.label.kind() != kind {
            return Err("stream of the wrong kind");
        }
        let ct = s
            .config
            .ciphertext_len(s.plaintext_len)
            .map_err(|_| "stream too long")?;
        plaintext = plaintext
            .checked_add(s.plaintext_len)
            .ok_or("object too long")?;
        ciphertext = ciphertext.checked_add(ct).ok_or("object too long")?;
    }
    Ok(())
}
