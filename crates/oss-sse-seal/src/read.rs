//! Reading: an object whose header verified, the mapping from plaintext ranges to the ciphertext segments
//! that cover them, and the decryptor that opens those segments and yields exactly the requested bytes.
//!
//! The body of an object is its streams' ciphertexts back to back. A plaintext offset maps to a stream
//! (by the stream lengths in the header) and then to a segment (offset / segment size), whose ciphertext
//! starts at `stream start + index × (segment size + 16)`. A range therefore needs only the segments that
//! overlap it: a 1-byte range reads one segment (at most two only if it straddled a boundary, which one
//! byte cannot), whatever the object's size.

use std::ops::Range;
use std::sync::Arc;

use ring::rand::SecureRandom;

use crate::cipher::TAG_LEN;
use crate::header::Header;
use crate::key::DataKey;
use crate::stream::{StreamContext, StreamDigest, StreamKeys, StreamRecord, StreamSealer};
use crate::{ObjectId, ObjectKind, SealError, StreamLabel};

/// An object whose header authenticated under its data key and identity; everything needed to read it
/// (and, for appendable objects, to extend it).
///
/// Cloning is cheap (shared, reference-counted), and plans and decryptors hold their own clone, so they can
/// be moved into a response stream or another task. The data key is wiped when the last clone goes.
#[derive(Clone)]
pub struct OpenedObject {
    inner: Arc<Inner>,
}

struct Inner {
    header: Header,
    key: DataKey,
    id: ObjectId,
    /// Plaintext offset where each stream starts.
    pt_starts: Vec<u64>,
    /// Body (ciphertext) offset where each stream starts.
    ct_starts: Vec<u64>,
    /// Segment count of each stream.
    seg_counts: Vec<u32>,
}

impl std::fmt::Debug for OpenedObject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenedObject")
            .field("id", &self.inner.id)
            .field("header", &self.inner.header)
            .finish_non_exhaustive()
    }
}

/// Where one stream's ciphertext lies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamSpan {
    /// Index of the stream in [`Header::streams`].
    pub stream_index: usize,
    /// Which stream it is.
    pub label: StreamLabel,
    /// Ciphertext byte range inside the stream's own ciphertext (for storage that keeps parts apart).
    pub stream_range: Range<u64>,
    /// The same bytes as a range of the whole body (for storage that keeps the body in one file).
    pub body_range: Range<u64>,
}

/// One segment a read needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SegmentRead {
    /// Index of its stream in [`Header::streams`].
    pub stream_index: usize,
    /// Which stream it is.
    pub label: StreamLabel,
    /// Its index within the stream.
    pub segment: u32,
    /// Offset of its ciphertext inside the stream's ciphertext.
    pub stream_offset: u64,
    /// Offset of its ciphertext inside the body.
    pub body_offset: u64,
    /// Its ciphertext length (plaintext bytes + 16).
    pub len: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct SegPos {
    stream: usize,
    segment: u32,
}

/// Which segments a read covers, in body order, and where their ciphertext is.
#[derive(Debug, Clone)]
pub struct ReadPlan {
    obj: OpenedObject,
    range: Range<u64>,
    /// First and last segment read, or `None` when no segment is needed.
    segments: Option<(SegPos, SegPos)>,
}

impl ReadPlan {
    /// The plaintext bytes this plan yields.
    pub fn plaintext_range(&self) -> Range<u64> {
        self.range.clone()
    }

    /// The contiguous body byte range holding every segment the plan needs (empty if none).
    pub fn body_range(&self) -> Range<u64> {
        match self.segments {
            None => 0..0,
            Some((first, last)) => {
                let first = self.obj.segment_read(first);
                let last = self.obj.segment_read(last);
                first.body_offset..last.body_offset + last.len
            }
        }
    }

    /// The same bytes per stream, in order, for storage that keeps each part or extent separately.
    pub fn stream_spans(&self) -> Vec<StreamSpan> {
        let Some((first, last)) = self.segments else {
            return Vec::new();
        };
        (first.stream..=last.stream)
            .map(|s| {
                let start = if s == first.stream {
                    first
                } else {
                    SegPos {
                        stream: s,
                        segment: 0,
                    }
                };
                let end = if s == last.stream {
                    last
                } else {
                    SegPos {
                        stream: s,
                        segment: self.obj.inner.seg_counts[s] - 1,
                    }
                };
                let a = self.obj.segment_read(start);
                let b = self.obj.segment_read(end);
                StreamSpan {
                    stream_index: s,
                    label: a.label,
                    stream_range: a.stream_offset..b.stream_offset + b.len,
                    body_range: a.body_offset..b.body_offset + b.len,
                }
            })
            .collect()
    }

    /// Every segment the plan needs, lazily, in body order.
    pub fn segments(&self) -> impl Iterator<Item = SegmentRead> + '_ {
        let mut next = self.segments.map(|(first, _)| first);
        std::iter::from_fn(move || {
            let pos = next?;
            let (_, last) = self.segments?;
            next = if pos == last {
                None
            } else {
                self.obj.next_pos(pos)
            };
            Some(self.obj.segment_read(pos))
        })
    }

    /// How many segments the plan needs.
    pub fn segment_count(&self) -> u64 {
        let Some((first, last)) = self.segments else {
            return 0;
        };
        let mut count = 0u64;
        for s in first.stream..=last.stream {
            let a = if s == first.stream { first.segment } else { 0 };
            let b = if s == last.stream {
                last.segment
            } else {
                self.obj.inner.seg_counts[s] - 1
            };
            count += u64::from(b - a) + 1;
        }
        count
    }
}

impl OpenedObject {
    pub(crate) fn new(header: Header, key: DataKey, id: ObjectId) -> Result<Self, SealError> {
        let config = header.config();
        let n = header.streams().len();
        let (mut pt_starts, mut ct_starts, mut seg_counts) = (
            Vec::with_capacity(n),
            Vec::with_capacity(n),
            Vec::with_capacity(n),
        );
        let (mut pt, mut ct) = (0u64, 0u64);
        for stream in header.streams() {
            pt_starts.push(pt);
            ct_starts.push(ct);
            seg_counts.push(config.segment_count(stream.plaintext_len)?);
            pt = pt
                .checked_add(stream.plaintext_len)
                .ok_or(SealError::TooLarge)?;
            ct = ct
                .checked_add(config.ciphertext_len(stream.plaintext_len)?)
                .ok_or(SealError::TooLarge)?;
        }
        Ok(Self {
            inner: Arc::new(Inner {
                header,
                key,
                id,
                pt_starts,
                ct_starts,
                seg_counts,
            }),
        })
    }

    /// The verified header.
    pub fn header(&self) -> &Header {
        &self.inner.header
    }

    /// The identity the object was verified under.
    pub fn id(&self) -> &ObjectId {
        &self.inner.id
    }

    /// The object's plaintext length.
    pub fn plaintext_len(&self) -> u64 {
        self.inner.header.plaintext_len()
    }

    /// The exact length of the object's body.
    pub fn ciphertext_len(&self) -> u64 {
        self.inner.header.ciphertext_len()
    }

    /// The plan for `range` of the plaintext (`start..end`, end exclusive, inside the object; HTTP's
    /// inclusive `bytes=a-b` is `a..b + 1`, and [`suffix_range`] turns `bytes=-n` into a range).
    ///
    /// The whole object (`0..len`, including an empty object's `0..0`) plans every segment of every
    /// stream, so a full read also checks each stream's digest. Any other empty range plans nothing.
    pub fn plan(&self, range: Range<u64>) -> Result<ReadPlan, SealError> {
        let len = self.plaintext_len();
        if range.start > range.end || range.end > len {
            return Err(SealError::RangeOutOfBounds {
                start: range.start,
                end: range.end,
                len,
            });
        }
        let segments = if range.start == 0 && range.end == len {
            Some(self.all_segments())
        } else if range.start == range.end {
            None
        } else {
            Some((self.locate(range.start), self.locate(range.end - 1)))
        };
        Ok(ReadPlan {
            obj: self.clone(),
            range,
            segments,
        })
    }

    /// The plan for the whole object.
    pub fn plan_full(&self) -> ReadPlan {
        ReadPlan {
            obj: self.clone(),
            range: 0..self.plaintext_len(),
            segments: Some(self.all_segments()),
        }
    }

    /// First and last segment of the whole body (every object has at least one of each).
    fn all_segments(&self) -> (SegPos, SegPos) {
        let last_stream = self.inner.seg_counts.len() - 1;
        let first = SegPos {
            stream: 0,
            segment: 0,
        };
        let last = SegPos {
            stream: last_stream,
            segment: self.inner.seg_counts[last_stream] - 1,
        };
        (first, last)
    }

    /// A decryptor for `range` (see [`plan`](Self::plan)); read the ciphertext its plan names and feed it.
    pub fn decrypt_range(&self, range: Range<u64>) -> Result<RangeDecryptor, SealError> {
        Ok(RangeDecryptor::new(self.plan(range)?))
    }

    /// A decryptor for the whole object.
    pub fn decrypt_full(&self) -> RangeDecryptor {
        RangeDecryptor::new(self.plan_full())
    }

    /// For an appendable object: the sealer of the next extent, with the right index and settings.
    pub fn next_extent_sealer(&self, rng: &dyn SecureRandom) -> Result<StreamSealer, SealError> {
        if self.inner.header.kind() != ObjectKind::Appendable {
            return Err(SealError::InvalidInput(
                "append to an object that is not appendable",
            ));
        }
        let index = u32::try_from(self.inner.header.streams().len())
            .map_err(|_| SealError::InvalidInput("too many extents"))?;
        StreamSealer::extent(
            rng,
            &self.inner.key,
            &self.inner.id,
            self.inner.header.config(),
            index,
        )
    }

    /// For an appendable object: the new header with `extent` (sealed by
    /// [`next_extent_sealer`](Self::next_extent_sealer)) appended, carrying the same envelope. Store the
    /// extent's ciphertext after the current body first, then replace the header: the header is the commit
    /// point, and bytes past its recorded length are ignored by readers.
    pub fn append(&self, extent: &StreamRecord) -> Result<Header, SealError> {
        if self.inner.header.kind() != ObjectKind::Appendable {
            return Err(SealError::InvalidInput(
                "append to an object that is not appendable",
            ));
        }
        let (entry, _) = extent.verify(&self.inner.key, &self.inner.id)?;
        if entry.label != StreamLabel::Extent(self.inner.header.streams().len() as u32) {
            return Err(SealError::InvalidInput("extent index is not the next one"));
        }
        if entry.config != self.inner.header.config() {
            return Err(SealError::InvalidInput(
                "streams sealed with different settings",
            ));
        }
        let mut streams = self.inner.header.streams().to_vec();
        streams.push(entry.clone());
        Header::build(
            &self.inner.key,
            &self.inner.id,
            ObjectKind::Appendable,
            self.inner.header.config(),
            String::new(),
            streams,
            self.inner.header.envelope().clone(),
        )
    }

    fn locate(&self, offset: u64) -> SegPos {
        // The last stream starting at or before `offset` contains it (empty streams before it share its
        // start); `offset < len` guarantees one exists.
        let stream = self
            .inner
            .pt_starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1);
        let within = offset - self.inner.pt_starts[stream];
        let segment = (within / u64::from(self.inner.header.segment_size())) as u32;
        SegPos { stream, segment }
    }

    fn next_pos(&self, pos: SegPos) -> Option<SegPos> {
        if pos.segment + 1 < self.inner.seg_counts[pos.stream] {
            Some(SegPos {
                stream: pos.stream,
                segment: pos.segment + 1,
            })
        } else if pos.stream + 1 < self.inner.seg_counts.len() {
            Some(SegPos {
                stream: pos.stream + 1,
                segment: 0,
            })
        } else {
            None
        }
    }

    fn segment_read(&self, pos: SegPos) -> SegmentRead {
        let config = self.inner.header.config();
        let entry = &self.inner.header.streams()[pos.stream];
        let stream_offset = u64::from(pos.segment) * config.sealed_segment_size();
        let len = config.segment_plaintext_len(entry.plaintext_len, pos.segment) + TAG_LEN as u64;
        SegmentRead {
            stream_index: pos.stream,
            label: entry.label,
            segment: pos.segment,
            stream_offset,
            body_offset: self.inner.ct_starts[pos.stream] + stream_offset,
            len,
        }
    }

    /// Plaintext range of the object carried by the segment at `pos`.
    fn segment_plaintext(&self, pos: SegPos) -> Range<u64> {
        let config = self.inner.header.config();
        let entry = &self.inner.header.streams()[pos.stream];
        let start = self.inner.pt_starts[pos.stream]
            + u64::from(pos.segment) * u64::from(config.segment_size());
        start..start + config.segment_plaintext_len(entry.plaintext_len, pos.segment)
    }

    fn stream_keys(&self, stream: usize) -> Result<StreamKeys, SealError> {
        let entry = &self.inner.header.streams()[stream];
        let ctx = StreamContext {
            id: &self.inner.id,
            config: self.inner.header.config(),
            label: entry.label,
            upload_id: self.inner.header.upload_id().unwrap_or(""),
        };
        ctx.keys(&self.inner.key, &entry.salt, entry.prefix)
    }
}

/// `bytes=-n`: the last `n` bytes of an object of `len` bytes (all of it if `n >= len`).
pub fn suffix_range(n: u64, len: u64) -> Range<u64> {
    len.saturating_sub(n)..len
}

/// Opens the segments of a [`ReadPlan`] in order and yields exactly the planned plaintext bytes.
///
/// Feed it the ciphertext of [`ReadPlan::body_range`] (or of each [`ReadPlan::stream_spans`] entry in
/// order) in chunks of any size with [`update`](Self::update), or one whole segment at a time with
/// [`open_segment_in_place`](Self::open_segment_in_place); then call [`finish`](Self::finish), which fails
/// if the ciphertext ended early. It buffers at most one segment. After any error it refuses further
/// input, so no byte after a failure can be mistaken for data.
pub struct RangeDecryptor {
    plan: ReadPlan,
    next: Option<SegPos>,
    keys: Option<(usize, StreamKeys)>,
    /// Running digest of the current stream, when its reading began at its first segment.
    digest: Option<StreamDigest>,
    /// Partial segment gathered by `update`.
    partial: Vec<u8>,
    failed: Option<SealError>,
}

impl RangeDecryptor {
    fn new(plan: ReadPlan) -> Self {
        let next = plan.segments.map(|(first, _)| first);
        Self {
            plan,
            next,
            keys: None,
            digest: None,
            partial: Vec::new(),
            failed: None,
        }
    }

    /// The plan being executed.
    pub fn plan(&self) -> &ReadPlan {
        &self.plan
    }

    /// The segment expected next, or `None` when every planned segment has been opened.
    pub fn next_segment(&self) -> Option<SegmentRead> {
        self.next.map(|pos| self.plan.obj.segment_read(pos))
    }

    /// Feeds planned ciphertext in chunks of any size, appending the plaintext it yields to `out`.
    pub fn update(&mut self, mut ciphertext: &[u8], out: &mut Vec<u8>) -> Result<(), SealError> {
        self.check_usable()?;
        while !ciphertext.is_empty() {
            let Some(seg) = self.next_segment() else {
                return self.fail(self.overrun_error());
            };
            let need = seg.len as usize - self.partial.len();
            if self.partial.is_empty() && ciphertext.len() >= need {
                // A whole segment is at hand: decrypt it right in the output buffer.
                let (segment, rest) = ciphertext.split_at(need);
                let start = out.len();
                out.extend_from_slice(segment);
                self.open_at(out, start)?;
                ciphertext = rest;
                continue;
            }
            let take = need.min(ciphertext.len());
            let (head, rest) = ciphertext.split_at(take);
            self.partial.extend_from_slice(head);
            ciphertext = rest;
            if self.partial.len() == seg.len as usize {
                let start = out.len();
                out.extend_from_slice(&self.partial);
                self.partial.clear();
                self.open_at(out, start)?;
            }
        }
        Ok(())
    }

    /// Opens the next planned segment: `segment` must hold exactly its ciphertext
    /// ([`next_segment`](Self::next_segment) says how long), and on success holds exactly the requested
    /// plaintext bytes from it. On failure it is emptied.
    pub fn open_segment_in_place(&mut self, segment: &mut Vec<u8>) -> Result<(), SealError> {
        self.check_usable()?;
        if !self.partial.is_empty() {
            return self.fail(SealError::InvalidInput(
                "segment opened while update() holds a partial one",
            ));
        }
        self.open_at(segment, 0)
    }

    /// Ends the read; fails if any planned segment was not opened (the stored body ended early).
    pub fn finish(self) -> Result<(), SealError> {
        if let Some(err) = self.failed {
            return Err(err);
        }
        match self.next_segment() {
            None => Ok(()),
            Some(seg) => Err(SealError::Truncated {
                stream: seg.label,
                segment: seg.segment,
            }),
        }
    }

    fn check_usable(&self) -> Result<(), SealError> {
        match &self.failed {
            Some(err) => Err(err.clone()),
            None => Ok(()),
        }
    }

    fn fail<T>(&mut self, err: SealError) -> Result<T, SealError> {
        self.partial.clear();
        self.failed = Some(err.clone());
        Err(err)
    }

    fn overrun_error(&self) -> SealError {
        let (label, segment) = match self.plan.segments {
            Some((_, last)) => {
                let r = self.plan.obj.segment_read(last);
                (r.label, r.segment)
            }
            None => (self.plan.obj.inner.header.streams()[0].label, 0),
        };
        SealError::UnexpectedLength {
            stream: label,
            segment,
        }
    }

    /// Opens the segment held in `buf[start..]`, leaving only its requested plaintext there.
    fn open_at(&mut self, buf: &mut Vec<u8>, start: usize) -> Result<(), SealError> {
        let result = self.try_open_at(buf, start);
        if let Err(err) = result {
            buf.truncate(start);
            return self.fail(err);
        }
        Ok(())
    }

    fn try_open_at(&mut self, buf: &mut Vec<u8>, start: usize) -> Result<(), SealError> {
        let obj = &self.plan.obj;
        let pos = self.next.ok_or_else(|| self.overrun_error())?;
        let seg = obj.segment_read(pos);
        if (buf.len() - start) as u64 != seg.len {
            return Err(SealError::UnexpectedLength {
                stream: seg.label,
                segment: seg.segment,
            });
        }
        if self.keys.as_ref().map(|(s, _)| *s) != Some(pos.stream) {
            self.keys = Some((pos.stream, obj.stream_keys(pos.stream)?));
            self.digest = (pos.segment == 0).then(StreamDigest::new);
        }
        let Some((_, keys)) = &self.keys else {
            return Err(SealError::InvalidInput("stream keys"));
        };
        let last = pos.segment + 1 == obj.inner.seg_counts[pos.stream];
        let tag_at = buf.len() - TAG_LEN;
        let mut tag = [0u8; TAG_LEN];
        tag.copy_from_slice(&buf[tag_at..]);
        buf.truncate(tag_at);
        keys.open(pos.segment, last, &mut buf[start..], &tag)?;
        if let Some(digest) = self.digest.as_mut() {
            digest.add_tag(&tag);
        }
        if last {
            if let Some(digest) = self.digest.take() {
                let expected = &obj.inner.header.streams()[pos.stream].digest;
                if !bytes_equal(&digest.finish(), expected) {
                    buf.truncate(start);
                    return Err(SealError::StreamDigestMismatch { stream: seg.label });
                }
            }
        }
        // Keep only the requested bytes of this segment.
        let have = obj.segment_plaintext(pos);
        let want_start = self.plan.range.start.max(have.start);
        let want_end = self.plan.range.end.min(have.end).max(want_start);
        let skip = (want_start - have.start) as usize;
        let keep = (want_end - want_start) as usize;
        if skip > 0 {
            buf.copy_within(start + skip..start + skip + keep, start);
        }
        buf.truncate(start + keep);
        self.next = match self.plan.segments {
            Some((_, end)) if pos != end => obj.next_pos(pos),
            _ => None,
        };
        Ok(())
    }
}

/// Equality without early exit (the digests are not secret, but this costs nothing).
fn bytes_equal(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
