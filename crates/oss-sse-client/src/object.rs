//! [`ObjectReader`]: a GetObject body as a `Read`, streamed from the connection, with the object's
//! metadata at hand and the CRC64 of a whole object checked when the last byte has been read.

use std::io::{self, Read};

use crate::client::Response;
use crate::crc64::Crc64;
use crate::types::ObjectMeta;

/// The body of a GetObject, readable as it arrives.
pub struct ObjectReader {
    meta: ObjectMeta,
    body: ureq::BodyReader<'static>,
    crc: Option<(Crc64, u64)>,
    read: u64,
    done: bool,
}

impl std::fmt::Debug for ObjectReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ObjectReader")
            .field("meta", &self.meta)
            .field("read", &self.read)
            .finish_non_exhaustive()
    }
}

impl ObjectReader {
    pub(crate) fn new(resp: Response, check_crc: bool) -> ObjectReader {
        let meta = ObjectMeta::from_headers(resp.status, resp.headers);
        // Only a whole object (200, not 206) can be checked against the object's CRC.
        let crc = match (check_crc, meta.status, meta.crc64) {
            (true, 200, Some(expected)) => Some((Crc64::new(), expected)),
            _ => None,
        };
        ObjectReader {
            meta,
            body: resp.body.into_reader(),
            crc,
            read: 0,
            done: false,
        }
    }

    /// The object's metadata (headers of the GetObject response).
    pub fn meta(&self) -> &ObjectMeta {
        &self.meta
    }

    /// Bytes read so far.
    pub fn bytes_read(&self) -> u64 {
        self.read
    }
}

impl Read for ObjectReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.done || buf.is_empty() {
            return Ok(0);
        }
        let n = self.body.read(buf)?;
        self.read += n as u64;
        if let Some((crc, _)) = self.crc.as_mut() {
            crc.update(&buf[..n]);
        }
        if n == 0 {
            self.done = true;
            if self.meta.header("content-length").is_some() && self.read != self.meta.content_length
            {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    format!(
                        "object body ended after {} of {} bytes",
                        self.read, self.meta.content_length
                    ),
                ));
            }
            if let Some((crc, expected)) = self.crc.take() {
                let actual = crc.value();
                if actual != expected {
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidData,
                        format!("CRC64 mismatch: computed {actual}, server reported {expected}"),
                    ));
                }
            }
        }
        Ok(n)
    }
}
