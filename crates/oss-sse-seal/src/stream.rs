//! One sealed stream (a whole object body, one part, or one extent): its keys, the incremental sealer
//! that produces it, and the authenticated record that summarises it once finished.
//!
//! Segment `i` of a stream is sealed under the stream's own HKDF subkey with the nonce
//! `prefix[7] ‖ i as u32 (big-endian) ‖ last-flag` (1 for the final segment, else 0) and with associated
//! data naming the format version, the cipher, the segment size, the object identity and the stream.
//! So a segment only opens at its own position, as last only if it was last, and only in its own stream
//! of its own object.

use ring::digest;
use ring::hmac;
use ring::rand::SecureRandom;

use crate::cipher::{SegmentCipher, NONCE_LEN, TAG_LEN};
use crate::codec::{put_lp, put_short, Reader};
use crate::header::{MAX_PARTS, MAX_UPLOAD_ID_LEN};
use crate::key::DataKey;
use crate::{Cipher, ObjectId, SealConfig, SealError, StreamLabel, FORMAT_VERSION};

/// Length of a stream's random HKDF salt.
pub(crate) const SALT_LEN: usize = 16;
/// Length of a stream's random nonce prefix.
pub(crate) const PREFIX_LEN: usize = 7;
/// Length of a stream digest (SHA-256 over its segment tags).
pub(crate) const DIGEST_LEN: usize = 32;
/// Length of a record or header tag (HMAC-SHA256).
pub(crate) const MAC_LEN: usize = 32;

const RECORD_MAGIC: &[u8; 7] = b"OSSSTRM";
const RECORD_MAC_LABEL: &str = "stream-record";

/// Everything needed to name a stream in key derivation and associated data.
#[derive(Clone, Copy)]
pub(crate) struct StreamContext<'a> {
    pub(crate) id: &'a ObjectId,
    pub(crate) config: SealConfig,
    pub(crate) label: StreamLabel,
    /// The multipart upload id for parts, empty otherwise.
    pub(crate) upload_id: &'a str,
}

impl StreamContext<'_> {
    fn encode_stream(&self, out: &mut Vec<u8>) {
        out.push(self.label.kind().id());
        out.extend_from_slice(&self.label.number().to_be_bytes());
        put_lp(out, self.upload_id.as_bytes());
    }

    /// HKDF info for the stream key. The object identity is left to the AAD; the salt already makes the
    /// key unique per stream.
    fn key_info(&self) -> Vec<u8> {
        let mut info = Vec::with_capacity(64 + self.upload_id.len());
        put_lp(&mut info, b"oss-sse-seal/v1/stream-key");
        info.push(self.config.cipher().id());
        self.encode_stream(&mut info);
        info
    }

    fn aad(&self) -> Vec<u8> {
        let mut aad = Vec::with_capacity(
            64 + self.id.bucket.len() + self.id.key.len() + self.upload_id.len(),
        );
        put_lp(&mut aad, b"oss-sse-seal/segment");
        aad.push(FORMAT_VERSION);
        aad.push(self.config.cipher().id());
        aad.extend_from_slice(&self.config.segment_size().to_be_bytes());
        self.id.encode_into(&mut aad);
        self.encode_stream(&mut aad);
        aad
    }

    /// Derives the keys of the stream with this salt and nonce prefix.
    pub(crate) fn keys(
        &self,
        key: &DataKey,
        salt: &[u8; SALT_LEN],
        prefix: [u8; PREFIX_LEN],
    ) -> Result<StreamKeys, SealError> {
        Ok(StreamKeys {
            cipher: key.stream_cipher(self.config.cipher(), salt, &self.key_info())?,
            prefix,
            aad: self.aad(),
            label: self.label,
        })
    }
}

/// The keyed state that seals and opens the segments of one stream.
pub(crate) struct StreamKeys {
    cipher: SegmentCipher,
    prefix: [u8; PREFIX_LEN],
    aad: Vec<u8>,
    label: StreamLabel,
}

impl StreamKeys {
    fn nonce(&self, index: u32, last: bool) -> [u8; NONCE_LEN] {
        let mut nonce = [0u8; NONCE_LEN];
        nonce[..PREFIX_LEN].copy_from_slice(&self.prefix);
        nonce[PREFIX_LEN..PREFIX_LEN + 4].copy_from_slice(&index.to_be_bytes());
        nonce[NONCE_LEN - 1] = u8::from(last);
        nonce
    }

    pub(crate) fn seal(
        &self,
        index: u32,
        last: bool,
        buf: &mut [u8],
    ) -> Result<[u8; TAG_LEN], SealError> {
        // GCM refuses only inputs beyond 64 GiB, which a segment (≤ 16 MiB) never is.
        self.cipher
            .seal(self.nonce(index, last), &self.aad, buf)
            .map_err(|_| SealError::TooLarge)
    }

    pub(crate) fn open(
        &self,
        index: u32,
        last: bool,
        buf: &mut [u8],
        tag: &[u8; TAG_LEN],
    ) -> Result<(), SealError> {
        self.cipher
            .open(self.nonce(index, last), &self.aad, buf, tag)
            .map_err(|_| SealError::SegmentAuthentication {
                stream: self.label,
                segment: index,
            })
    }
}

/// The running digest of a stream: SHA-256 over its segment tags in order, which commits to the exact
/// sequence of segments the stream was sealed as.
pub(crate) struct StreamDigest(digest::Context);

impl StreamDigest {
    pub(crate) fn new() -> Self {
        let mut ctx = digest::Context::new(&digest::SHA256);
        ctx.update(b"oss-sse-seal/v1/stream-digest");
        Self(ctx)
    }

    pub(crate) fn add_tag(&mut self, tag: &[u8; TAG_LEN]) {
        self.0.update(tag);
    }

    pub(crate) fn finish(self) -> [u8; DIGEST_LEN] {
        let mut out = [0u8; DIGEST_LEN];
        out.copy_from_slice(self.0.finish().as_ref());
        out
    }
}

/// Seals one stream incrementally: feed plaintext of any chunk sizes with [`update`](Self::update), then
/// [`finish`](Self::finish). Sealed segments are appended to the caller's output buffer as soon as they
/// are known not to be the last one, so at most one segment of plaintext is buffered.
///
/// The output is the stream's ciphertext, to be stored as is: segments back to back, each `segment size +
/// 16` bytes except the shorter last one.
pub struct StreamSealer {
    keys: StreamKeys,
    config: SealConfig,
    label: StreamLabel,
    upload_id: String,
    id: ObjectId,
    salt: [u8; SALT_LEN],
    prefix: [u8; PREFIX_LEN],
    record_key: hmac::Key,
    pending: Vec<u8>,
    next_index: u32,
    plaintext_len: u64,
    digest: StreamDigest,
}

impl StreamSealer {
    /// The sealer for the body of a [`Single`](crate::ObjectKind::Single) object (PutObject, PostObject,
    /// the destination of CopyObject). Finish it, then build the header with
    /// [`Header::single`](crate::Header::single).
    pub fn object(
        rng: &dyn SecureRandom,
        key: &DataKey,
        id: &ObjectId,
        config: SealConfig,
    ) -> Result<Self, SealError> {
        Self::new(rng, key, id, config, StreamLabel::Object, String::new())
    }

    /// The sealer for part `part_number` (1..=10000) of multipart upload `upload_id`. A re-upload of the same
    /// part number gets a fresh salt, so it never reuses a nonce; only the record passed to
    /// [`Header::multipart`](crate::Header::multipart) decides which upload of the part counts.
    pub fn part(
        rng: &dyn SecureRandom,
        key: &DataKey,
        id: &ObjectId,
        config: SealConfig,
        upload_id: &str,
        part_number: u32,
    ) -> Result<Self, SealError> {
        if !(1..=MAX_PARTS).contains(&part_number) {
            return Err(SealError::InvalidInput("part number"));
        }
        if upload_id.is_empty() || upload_id.len() > MAX_UPLOAD_ID_LEN {
            return Err(SealError::InvalidInput("upload id"));
        }
        Self::new(
            rng,
            key,
            id,
            config,
            StreamLabel::Part(part_number),
            upload_id.to_owned(),
        )
    }

    /// The sealer for extent `index` of an appendable object: 0 for the first AppendObject (then
    /// [`Header::appendable`](crate::Header::appendable)); later appends should use
    /// [`OpenedObject::next_extent_sealer`](crate::OpenedObject::next_extent_sealer), which picks the index.
    pub fn extent(
        rng: &dyn SecureRandom,
        key: &DataKey,
        id: &ObjectId,
        config: SealConfig,
        index: u32,
    ) -> Result<Self, SealError> {
        if index >= MAX_PARTS {
            return Err(SealError::InvalidInput("extent index"));
        }
        Self::new(
            rng,
            key,
            id,
            config,
            StreamLabel::Extent(index),
            String::new(),
        )
    }

    fn new(
        rng: &dyn SecureRandom,
        key: &DataKey,
        id: &ObjectId,
        config: SealConfig,
        label: StreamLabel,
        upload_id: String,
    ) -> Result<Self, SealError> {
        // One draw for both: each draw is a system call, and small objects feel it.
        let mut random = [0u8; SALT_LEN + PREFIX_LEN];
        rng.fill(&mut random).map_err(|_| SealError::Random)?;
        let mut salt = [0u8; SALT_LEN];
        let mut prefix = [0u8; PREFIX_LEN];
        salt.copy_from_slice(&random[..SALT_LEN]);
        prefix.copy_from_slice(&random[SALT_LEN..]);
        let ctx = StreamContext {
            id,
            config,
            label,
            upload_id: &upload_id,
        };
        let keys = ctx.keys(key, &salt, prefix)?;
        Ok(Self {
            keys,
            config,
            label,
            id: id.clone(),
            salt,
            prefix,
            record_key: key.mac_key(RECORD_MAC_LABEL)?,
            pending: Vec::with_capacity(config.segment_size() as usize),
            next_index: 0,
            plaintext_len: 0,
            digest: StreamDigest::new(),
            upload_id,
        })
    }

    /// Which stream this sealer produces.
    pub fn label(&self) -> StreamLabel {
        self.label
    }

    /// Plaintext bytes fed so far.
    pub fn plaintext_len(&self) -> u64 {
        self.plaintext_len
    }

    /// Feeds plaintext; appends every segment that is now complete (and known not to be last) to `out`.
    pub fn update(&mut self, mut input: &[u8], out: &mut Vec<u8>) -> Result<(), SealError> {
        let size = self.config.segment_size() as usize;
        self.plaintext_len = self
            .plaintext_len
            .checked_add(input.len() as u64)
            .ok_or(SealError::TooLarge)?;
        while !input.is_empty() {
            if self.pending.len() == size {
                // More data follows, so the buffered segment is not the last.
                let pending = std::mem::take(&mut self.pending);
                let sealed = self.seal_segment(&pending, false, out);
                self.pending = pending;
                self.pending.clear();
                sealed?;
            }
            if self.pending.is_empty() && input.len() > size {
                // Whole segments straight from the input, skipping the buffer; strictly more than one
                // segment remains, so this one is not the last either.
                let (segment, rest) = input.split_at(size);
                self.seal_segment(segment, false, out)?;
                input = rest;
                continue;
            }
            let take = (size - self.pending.len()).min(input.len());
            let (head, rest) = input.split_at(take);
            self.pending.extend_from_slice(head);
            input = rest;
        }
        Ok(())
    }

    /// Seals what is buffered as the last segment (an empty one if the stream is empty), appends it to
    /// `out`, and returns the stream's record.
    pub fn finish(mut self, out: &mut Vec<u8>) -> Result<StreamRecord, SealError> {
        let pending = std::mem::take(&mut self.pending);
        self.seal_segment(&pending, true, out)?;
        let record = StreamRecord::new_signed(
            &self.record_key,
            &self.id,
            StreamEntry {
                config: self.config,
                label: self.label,
                plaintext_len: self.plaintext_len,
                salt: self.salt,
                prefix: self.prefix,
                digest: std::mem::replace(&mut self.digest, StreamDigest::new()).finish(),
            },
            std::mem::take(&mut self.upload_id),
        );
        Ok(record)
    }

    fn seal_segment(
        &mut self,
        plaintext: &[u8],
        last: bool,
        out: &mut Vec<u8>,
    ) -> Result<(), SealError> {
        let index = self.next_index;
        if !last && index == u32::MAX - 1 {
            // The next segment would need index u32::MAX, past the last countable one.
            return Err(SealError::TooLarge);
        }
        out.reserve(plaintext.len() + TAG_LEN);
        let start = out.len();
        out.extend_from_slice(plaintext);
        let tag = match self.keys.seal(index, last, &mut out[start..]) {
            Ok(tag) => tag,
            Err(e) => {
                out.truncate(start);
                return Err(e);
            }
        };
        out.extend_from_slice(&tag);
        self.digest.add_tag(&tag);
        self.next_index = index.wrapping_add(1);
        Ok(())
    }
}

impl Drop for StreamSealer {
    fn drop(&mut self) {
        // Buffered plaintext of an abandoned upload should not linger in freed memory.
        zeroize::Zeroize::zeroize(&mut self.pending);
    }
}

impl std::fmt::Debug for StreamSealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StreamSealer")
            .field("label", &self.label)
            .field("config", &self.config)
            .field("plaintext_len", &self.plaintext_len)
            .finish_non_exhaustive()
    }
}

/// What the header records about one stream: enough to derive its keys, locate its segments and check
/// it is the exact stream that was sealed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamEntry {
    pub(crate) config: SealConfig,
    pub(crate) label: StreamLabel,
    pub(crate) plaintext_len: u64,
    pub(crate) salt: [u8; SALT_LEN],
    pub(crate) prefix: [u8; PREFIX_LEN],
    pub(crate) digest: [u8; DIGEST_LEN],
}

impl StreamEntry {
    /// Which stream this is.
    pub fn label(&self) -> StreamLabel {
        self.label
    }

    /// Its plaintext length.
    pub fn plaintext_len(&self) -> u64 {
        self.plaintext_len
    }

    /// Its exact sealed length.
    pub fn ciphertext_len(&self) -> u64 {
        // Checked when the entry was created or decoded.
        self.config
            .ciphertext_len(self.plaintext_len)
            .unwrap_or(u64::MAX)
    }

    /// SHA-256 over the stream's segment tags: a commitment to its exact ciphertext, usable as a part
    /// fingerprint. Not secret.
    pub fn digest(&self) -> &[u8; DIGEST_LEN] {
        &self.digest
    }

    /// Encodes the per-stream fields of a header (the kind, cipher and segment size are the header's).
    pub(crate) fn encode_in_header(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.label.number().to_be_bytes());
        out.extend_from_slice(&self.plaintext_len.to_be_bytes());
        out.extend_from_slice(&self.salt);
        out.extend_from_slice(&self.prefix);
        out.extend_from_slice(&self.digest);
    }
}

/// The authenticated summary of a finished stream, returned by [`StreamSealer::finish`].
///
/// For a part or an extent, persist it next to the stream's ciphertext ([`encode`](Self::encode) /
/// [`decode`](Self::decode)) until the header is built. Its tag (under a key derived from the data key,
/// bound to the object identity) is checked when it is put into a header, so a record edited on disk,
/// from another object, or made under another data key is refused at completion rather than producing an
/// object that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamRecord {
    entry: StreamEntry,
    upload_id: String,
    tag: [u8; MAC_LEN],
}

impl StreamRecord {
    fn new_signed(
        key: &hmac::Key,
        id: &ObjectId,
        entry: StreamEntry,
        upload_id: String,
    ) -> StreamRecord {
        let mut record = StreamRecord {
            entry,
            upload_id,
            tag: [0; MAC_LEN],
        };
        let body = record.encode_body();
        let tag = hmac::sign(key, &Self::mac_input(&body, id));
        record.tag.copy_from_slice(tag.as_ref());
        record
    }

    fn mac_input(body: &[u8], id: &ObjectId) -> Vec<u8> {
        let mut input = Vec::with_capacity(body.len() + 64 + id.bucket.len() + id.key.len());
        put_lp(&mut input, b"oss-sse-seal/v1/stream-record");
        put_lp(&mut input, body);
        id.encode_into(&mut input);
        input
    }

    /// Checks the record's tag and hands out its entry.
    pub(crate) fn verify(
        &self,
        key: &DataKey,
        id: &ObjectId,
    ) -> Result<(&StreamEntry, &str), SealError> {
        let mac_key = key.mac_key(RECORD_MAC_LABEL)?;
        hmac::verify(
            &mac_key,
            &Self::mac_input(&self.encode_body(), id),
            &self.tag,
        )
        .map_err(|_| SealError::RecordAuthentication {
            stream: self.entry.label,
        })?;
        Ok((&self.entry, &self.upload_id))
    }

    /// Which stream this is.
    pub fn label(&self) -> StreamLabel {
        self.entry.label
    }

    /// The stream's plaintext length (a part's size as OSS lists it).
    pub fn plaintext_len(&self) -> u64 {
        self.entry.plaintext_len
    }

    /// The exact length of the stream's ciphertext, as written by the sealer.
    pub fn ciphertext_len(&self) -> u64 {
        self.entry.ciphertext_len()
    }

    /// The stream's digest (see [`StreamEntry::digest`]).
    pub fn digest(&self) -> &[u8; DIGEST_LEN] {
        &self.entry.digest
    }

    /// The settings the stream was sealed with.
    pub fn config(&self) -> SealConfig {
        self.entry.config
    }

    fn encode_body(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(128 + self.upload_id.len());
        out.extend_from_slice(RECORD_MAGIC);
        out.push(FORMAT_VERSION);
        out.push(self.entry.config.cipher().id());
        out.extend_from_slice(&self.entry.config.segment_size().to_be_bytes());
        out.push(self.entry.label.kind().id());
        // The upload id was checked against MAX_UPLOAD_ID_LEN when the sealer was made.
        let _ = put_short(
            &mut out,
            self.upload_id.as_bytes(),
            MAX_UPLOAD_ID_LEN,
            "upload id",
        );
        self.entry.encode_in_header(&mut out);
        out
    }

    /// The record's bytes for storage (not secret: salts, sizes, digests, a tag).
    pub fn encode(&self) -> Vec<u8> {
        let mut out = self.encode_body();
        out.extend_from_slice(&self.tag);
        out
    }

    /// Parses a stored record strictly. Its tag is checked later, when a header is built from it.
    pub fn decode(bytes: &[u8]) -> Result<Self, SealError> {
        let mut r = Reader::new(bytes, "stream record");
        if r.take(RECORD_MAGIC.len(), "bad magic")? != RECORD_MAGIC {
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
        let kind = crate::ObjectKind::from_id(r.u8("missing kind")?)
            .ok_or(r.malformed("unknown stream kind"))?;
        let upload_id = r.short_str(MAX_UPLOAD_ID_LEN, "bad upload id")?;
        let entry = decode_entry(&mut r, config, kind)?;
        if (kind == crate::ObjectKind::Multipart) == upload_id.is_empty() {
            return Err(r.malformed("upload id does not fit the stream kind"));
        }
        let tag = r.array::<MAC_LEN>("missing tag")?;
        r.finish()?;
        Ok(StreamRecord {
            entry,
            upload_id,
            tag,
        })
    }
}

/// Reads the per-stream fields written by [`StreamEntry::encode_in_header`], validating the number for the
/// kind and the length against the segment index space.
pub(crate) fn decode_entry(
    r: &mut Reader<'_>,
    config: SealConfig,
    kind: crate::ObjectKind,
) -> Result<StreamEntry, SealError> {
    let number = r.u32("truncated stream entry")?;
    let valid_number = match kind {
        crate::ObjectKind::Single => number == 0,
        crate::ObjectKind::Multipart => (1..=MAX_PARTS).contains(&number),
        crate::ObjectKind::Appendable => number < MAX_PARTS,
    };
    if !valid_number {
        return Err(r.malformed("stream number out of range"));
    }
    let plaintext_len = r.u64("truncated stream entry")?;
    config
        .ciphertext_len(plaintext_len)
        .map_err(|_| r.malformed("stream too long"))?;
    Ok(StreamEntry {
        config,
        label: StreamLabel::from_parts(kind, number),
        plaintext_len,
        salt: r.array("truncated stream entry")?,
        prefix: r.array("truncated stream entry")?,
        digest: r.array("truncated stream entry")?,
    })
}
