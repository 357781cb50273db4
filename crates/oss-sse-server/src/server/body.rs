//! Streaming bodies both ways with bounded memory. Uploads are gathered into buffers of at most
//! [`WRITE_CHUNK`] and written by a blocking task while the next buffer fills; downloads are read a chunk
//! at a time on a blocking task only when hyper asks for more, so a stalled client holds no thread.

use std::io::{self, Read};
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use futures_util::stream;
use futures_util::StreamExt as _;
use http_body_util::{combinators::BoxBody, BodyExt, Empty, Full, StreamBody};
use hyper::body::{Body as _, Frame, Incoming};

use crate::error::ApiError;
use crate::storage::body::{BodyReader, SegmentWriter, WrittenSegment};
use http::StatusCode;

/// Response body type.
pub type Body = BoxBody<Bytes, io::Error>;

/// Bytes gathered before a blocking write.
pub const WRITE_CHUNK: usize = 512 * 1024;
/// Bytes read per blocking read when streaming a download.
pub const READ_CHUNK: usize = 256 * 1024;

/// An empty body.
pub fn empty() -> Body {
    Empty::new().map_err(|never| match never {}).boxed()
}

/// A body from bytes in memory.
pub fn full(data: impl Into<Bytes>) -> Body {
    Full::new(data.into())
        .map_err(|never| match never {})
        .boxed()
}

/// A body streaming `reader` to the client.
pub fn stream_reader(reader: BodyReader) -> Body {
    BodyExt::boxed(StreamBody::new(reader_stream(reader)))
}

/// A body that sends `first` (already read from `reader`, so that a failure there could still become an
/// error response) and then streams the rest of `reader`.
pub fn stream_prefetched(first: Bytes, reader: BodyReader) -> Body {
    let head = stream::once(async move { Ok::<_, io::Error>(Frame::data(first)) });
    BodyExt::boxed(StreamBody::new(head.chain(reader_stream(reader))))
}

/// Reads up to one chunk ([`READ_CHUNK`]) from `reader`, here (blocking): fewer bytes only at the end.
pub fn fill_chunk(reader: &mut BodyReader) -> io::Result<Vec<u8>> {
    let mut buf = vec![0u8; READ_CHUNK];
    let mut filled = 0;
    while filled < buf.len() {
        match reader.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
    }
    buf.truncate(filled);
    Ok(buf)
}

/// Reads up to one chunk from `reader` on a blocking thread: the bytes and the reader back.
pub async fn read_chunk(mut reader: BodyReader) -> io::Result<(Vec<u8>, BodyReader)> {
    let joined = tokio::task::spawn_blocking(move || {
        let buf = fill_chunk(&mut reader)?;
        Ok((buf, reader))
    })
    .await;
    joined.map_err(io::Error::other)?
}

fn reader_stream(
    reader: BodyReader,
) -> impl futures_util::Stream<Item = Result<Frame<Bytes>, io::Error>> + Send {
    let name = reader.object_name();
    stream::unfold(Some(reader), move |state| {
        let name = name.clone();
        async move {
            let reader = state?;
            match read_chunk(reader).await {
                Ok((buf, _)) if buf.is_empty() => None,
                Ok((buf, reader)) => Some((Ok(Frame::data(Bytes::from(buf))), Some(reader))),
                Err(e) => {
                    // Headers are out: ending the stream with an error aborts the connection, so the
                    // client sees a cut-off body, never a wrong byte.
                    tracing::error!(object = %name, error = %e, "reading object body; connection aborted");
                    Some((Err(e), None))
                }
            }
        }
    })
}

/// What went wrong receiving a request body.
fn receive_error(e: hyper::Error) -> ApiError {
    tracing::debug!(error = %e, "request body ended early");
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "IncompleteBody",
        "You did not provide the number of bytes specified by the Content-Length HTTP header.",
    )
}

/// 400 RequestTimeout.
pub fn timeout_error() -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "RequestTimeout",
        "Your socket connection to the server was not read from or written to within the timeout period.",
    )
}

fn too_large(limit: u64) -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "EntityTooLarge",
        "Your proposed upload exceeds the maximum allowed object size.",
    )
    .with("MaxSizeAllowed", limit.to_string())
}

/// The next data frame of a request body (`None` at its end), failing after `idle` without one.
pub async fn next_frame(body: &mut Incoming, idle: Duration) -> Result<Option<Bytes>, ApiError> {
    loop {
        let frame = tokio::time::timeout(idle, body.frame())
            .await
            .map_err(|_| timeout_error())?;
        match frame {
            None => return Ok(None),
            Some(Err(e)) => return Err(receive_error(e)),
            Some(Ok(f)) => {
                if let Ok(data) = f.into_data() {
                    return Ok(Some(data));
                }
                // Trailers carry nothing the emulator uses.
            }
        }
    }
}

async fn join_write(
    pending: tokio::task::JoinHandle<io::Result<SegmentWriter>>,
) -> Result<SegmentWriter, ApiError> {
    match pending.await {
        Ok(Ok(w)) => Ok(w),
        Ok(Err(e)) => {
            tracing::error!(error = %e, "writing object body");
            Err(ApiError::internal())
        }
        Err(_) => Err(ApiError::internal()),
    }
}

/// Streams a request body into `writer`, enforcing `limit` bytes, the declared `Content-Length`, and the
/// idle timeout between frames; finishes (fsyncs) the segment. On any failure the writer is dropped, which
/// deletes the blob.
pub async fn receive_into(
    body: &mut Incoming,
    writer: SegmentWriter,
    declared: Option<u64>,
    limit: u64,
    idle: Duration,
) -> Result<WrittenSegment, ApiError> {
    if let Some(len) = declared {
        if len > limit {
            return Err(too_large(limit));
        }
    }
    let mut writer = Some(writer);
    let mut buf = BytesMut::new();
    let mut total: u64 = 0;
    let mut pending: Option<tokio::task::JoinHandle<io::Result<SegmentWriter>>> = None;
    loop {
        let data = next_frame(body, idle).await?;
        let done = data.is_none();
        if let Some(d) = data {
            total += d.len() as u64;
            if total > limit {
                return Err(too_large(limit));
            }
            if declared.is_some_and(|len| total > len) {
                return Err(receive_error_len());
            }
            buf.extend_from_slice(&d);
        }
        if buf.len() >= WRITE_CHUNK || (done && !buf.is_empty()) {
            if let Some(p) = pending.take() {
                writer = Some(join_write(p).await?);
            }
            let mut w = writer.take().ok_or_else(ApiError::internal)?;
            let chunk = buf.split().freeze();
            // This buffer is written while the next one is received; the writer travels into the task
            // and back. On an early return the task still owns it, and dropping it removes the blob.
            pending = Some(tokio::task::spawn_blocking(move || {
                w.write(&chunk).map(|_| w)
            }));
        }
        if done {
            break;
        }
    }
    if let Some(p) = pending.take() {
        writer = Some(join_write(p).await?);
    }
    if declared.is_some_and(|len| total != len) {
        return Err(receive_error_len());
    }
    let writer = writer.ok_or_else(ApiError::internal)?;
    let joined = tokio::task::spawn_blocking(move || writer.finish()).await;
    match joined {
        Ok(Ok(seg)) => Ok(seg),
        Ok(Err(e)) => {
            tracing::error!(error = %e, "finishing object body");
            Err(ApiError::internal())
        }
        Err(_) => Err(ApiError::internal()),
    }
}

fn receive_error_len() -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "IncompleteBody",
        "You did not provide the number of bytes specified by the Content-Length HTTP header.",
    )
}

/// Reads a small body (XML documents) into memory, refusing more than `limit` bytes with MalformedXML.
pub async fn read_small(
    body: &mut Incoming,
    limit: usize,
    idle: Duration,
) -> Result<Bytes, ApiError> {
    if body.size_hint().lower() > limit as u64 {
        drain(body, idle).await;
        return Err(ApiError::malformed_xml());
    }
    let mut buf = BytesMut::new();
    while let Some(d) = next_frame(body, idle).await? {
        if buf.len() + d.len() > limit {
            drain(body, idle).await;
            return Err(ApiError::malformed_xml());
        }
        buf.extend_from_slice(&d);
    }
    Ok(buf.freeze())
}

/// The most of a refused small body that is read and discarded before answering.
const DRAIN_LIMIT: u64 = 8 * 1024 * 1024;

/// Reads and discards a refused body (up to [`DRAIN_LIMIT`]) so that a client still sending it gets the
/// error response instead of a connection reset; anything larger is cut off with the connection.
async fn drain(body: &mut Incoming, idle: Duration) {
    if body.size_hint().lower() > DRAIN_LIMIT {
        return;
    }
    let mut seen = 0u64;
    while let Ok(Some(d)) = next_frame(body, idle).await {
        seen += d.len() as u64;
        if seen > DRAIN_LIMIT {
            return;
        }
    }
}
