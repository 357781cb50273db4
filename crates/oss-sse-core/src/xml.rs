//! The small XML toolkit every OSS document goes through: bounded, root-checked serde reading
//! (quick-xml), a flat child-element reader for documents of unknown shape (errors), and a writer that
//! escapes text, so the server and the client share one format.

use std::borrow::Cow;

use quick_xml::events::Event;
use quick_xml::Reader;
use serde::de::DeserializeOwned;

/// The largest request document accepted (bucket encryption rules, CompleteMultipartUpload bodies).
pub const MAX_REQUEST_XML_BYTES: usize = 1024 * 1024;
/// The largest response document parsed (listings of 1000 entries with long keys stay far below this).
pub const MAX_RESPONSE_XML_BYTES: usize = 32 * 1024 * 1024;

/// A document that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum XmlError {
    /// Larger than the limit.
    #[error("XML document exceeds {limit} bytes")]
    TooLarge {
        /// The limit that was exceeded.
        limit: usize,
    },
    /// Not well-formed, not UTF-8, or not of the expected shape.
    #[error("malformed XML: {0}")]
    Malformed(String),
    /// The root element is not the expected one.
    #[error("expected root element <{expected}>, found <{found}>")]
    WrongRoot {
        /// The expected root.
        expected: &'static str,
        /// The root found (empty when there is none).
        found: String,
    },
}

fn as_text(doc: &[u8], limit: usize) -> Result<&str, XmlError> {
    if doc.len() > limit {
        return Err(XmlError::TooLarge { limit });
    }
    let text = std::str::from_utf8(doc).map_err(|_| XmlError::Malformed("not UTF-8".into()))?;
    // A UTF-8 byte order mark is legal before the declaration.
    Ok(text.strip_prefix('\u{feff}').unwrap_or(text))
}

/// The name of the root element.
fn root_name(text: &str) -> Result<String, XmlError> {
    let mut reader = Reader::from_str(text);
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) | Ok(Event::Empty(e)) => {
                return Ok(String::from_utf8_lossy(e.name().as_ref()).into_owned())
            }
            Ok(Event::Eof) => return Ok(String::new()),
            Ok(Event::Text(t)) if t.iter().all(u8::is_ascii_whitespace) => {}
            Ok(Event::Decl(_) | Event::Comment(_) | Event::PI(_)) => {}
            Ok(_) => {
                return Err(XmlError::Malformed(
                    "content before the root element".into(),
                ))
            }
            Err(e) => return Err(XmlError::Malformed(e.to_string())),
        }
    }
}

/// Refuses any `<!DOCTYPE ...>`. No OSS document carries one, a DTD is how entity-expansion and
/// external-entity attacks get in, and quick-xml 0.38's deserializer panics on text interrupted by a
/// DOCTYPE (`<A>x<!DOCTYPE y>z</A>`, found by `fuzz/` target `xml`). The tokenizer itself does not panic,
/// so one pass of it over the document decides before serde sees a byte.
fn reject_doctype(text: &str) -> Result<(), XmlError> {
    let mut reader = Reader::from_str(text);
    loop {
        match reader.read_event() {
            Ok(Event::DocType(_)) => {
                return Err(XmlError::Malformed(
                    "a DOCTYPE is not allowed in an OSS document".into(),
                ))
            }
            Ok(Event::Eof) => return Ok(()),
            Ok(_) => {}
            Err(e) => return Err(XmlError::Malformed(e.to_string())),
        }
    }
}

/// Checks size, encoding, the absence of a DOCTYPE and the root element, then deserializes with
/// quick-xml's serde support.
pub fn deserialize<T: DeserializeOwned>(
    doc: &[u8],
    root: &'static str,
    limit: usize,
) -> Result<T, XmlError> {
    let text = as_text(doc, limit)?;
    reject_doctype(text)?;
    let found = root_name(text)?;
    if found != root {
        return Err(XmlError::WrongRoot {
            expected: root,
            found,
        });
    }
    quick_xml::de::from_str(text).map_err(|e| XmlError::Malformed(e.to_string()))
}

/// Reads a flat document `<root><A>text</A><B/>...</root>` into `(name, text)` pairs in order (text
/// unescaped and trimmed). Nested elements are flattened to their text; the root may be anything when
/// `root` is `None`. Returns the root name and the children.
pub fn flat_children(
    doc: &[u8],
    root: Option<&'static str>,
    limit: usize,
) -> Result<(String, Vec<(String, String)>), XmlError> {
    let text = as_text(doc, limit)?;
    let mut reader = Reader::from_str(text);
    let malformed = |e: &dyn std::fmt::Display| XmlError::Malformed(e.to_string());
    let mut root_found: Option<String> = None;
    let mut depth = 0usize;
    let mut children = Vec::new();
    let mut current: Option<(String, String)> = None;
    loop {
        let event = reader.read_event().map_err(|e| malformed(&e))?;
        match event {
            Event::Start(e) => {
                let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
                depth += 1;
                if depth == 1 {
                    if root_found.is_some() {
                        return Err(XmlError::Malformed("more than one root element".into()));
                    }
                    root_found = Some(name);
                } else if depth == 2 {
                    current = Some((name, String::new()));
                }
            }
            Event::Empty(e) => {
                let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
                if depth == 0 {
                    if root_found.is_some() {
                        return Err(XmlError::Malformed("more than one root element".into()));
                    }
                    root_found = Some(name);
                } else if depth == 1 {
                    children.push((name, String::new()));
                }
            }
            Event::End(_) => {
                if depth == 2 {
                    if let Some((n, v)) = current.take() {
                        children.push((n, v.trim().to_owned()));
                    }
                }
                depth = depth.saturating_sub(1);
            }
            Event::Text(t) => {
                let s = t.decode().map_err(|e| malformed(&e))?;
                if let Some((_, v)) = current.as_mut() {
                    v.push_str(&s);
                } else if !s.trim().is_empty() {
                    return Err(XmlError::Malformed("text outside an element".into()));
                }
            }
            Event::CData(c) => {
                let s = c.decode().map_err(|e| malformed(&e))?;
                if let Some((_, v)) = current.as_mut() {
                    v.push_str(&s);
                }
            }
            Event::GeneralRef(r) => {
                let resolved: Cow<'_, str> = match r
                    .resolve_char_ref()
                    .map_err(|e| malformed(&e))?
                {
                    Some(c) => Cow::Owned(c.to_string()),
                    None => {
                        let name = r.decode().map_err(|e| malformed(&e))?;
                        match quick_xml::escape::resolve_predefined_entity(&name) {
                            Some(v) => Cow::Borrowed(v),
                            None => {
                                return Err(XmlError::Malformed(format!("unknown entity &{name};")))
                            }
                        }
                    }
                };
                if let Some((_, v)) = current.as_mut() {
                    v.push_str(&resolved);
                }
            }
            Event::Eof => break,
            // Refused here as in `deserialize`, so every document reader treats a DTD alike.
            Event::DocType(_) => {
                return Err(XmlError::Malformed(
                    "a DOCTYPE is not allowed in an OSS document".into(),
                ))
            }
            Event::Decl(_) | Event::Comment(_) | Event::PI(_) => {}
        }
    }
    if depth != 0 {
        return Err(XmlError::Malformed("unclosed element".into()));
    }
    let found = root_found.ok_or_else(|| XmlError::Malformed("no root element".into()))?;
    if let Some(expected) = root {
        if found != expected {
            return Err(XmlError::WrongRoot { expected, found });
        }
    }
    Ok((found, children))
}

/// Writes XML with escaped text; elements are opened and closed explicitly.
#[derive(Debug, Default)]
pub struct XmlWriter {
    out: String,
}

impl XmlWriter {
    /// Starts a document with `<?xml version="1.0" encoding="UTF-8"?>`.
    pub fn with_declaration() -> XmlWriter {
        XmlWriter {
            out: String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"),
        }
    }

    /// `<name>`.
    pub fn open(&mut self, name: &str) -> &mut Self {
        self.out.push('<');
        self.out.push_str(name);
        self.out.push('>');
        self
    }

    /// `</name>`.
    pub fn close(&mut self, name: &str) -> &mut Self {
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push('>');
        self
    }

    /// `<name>escaped text</name>`.
    pub fn element(&mut self, name: &str, text: &str) -> &mut Self {
        self.open(name);
        self.out.push_str(&quick_xml::escape::escape(text));
        self.close(name)
    }

    /// [`XmlWriter::element`] when `text` is `Some`.
    pub fn optional(&mut self, name: &str, text: Option<&str>) -> &mut Self {
        if let Some(t) = text {
            self.element(name, t);
        }
        self
    }

    /// The document.
    pub fn finish(self) -> String {
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flat_reads_entities_and_rejects_garbage() {
        let (root, kids) = flat_children(
            b"<?xml version=\"1.0\"?>\n<Error>\n <Code>A&amp;B</Code><Empty/><X>&#65;<![CDATA[<c>]]></X></Error>",
            Some("Error"),
            1024,
        )
        .unwrap();
        assert_eq!(root, "Error");
        assert_eq!(
            kids,
            vec![
                ("Code".into(), "A&B".into()),
                ("Empty".into(), String::new()),
                ("X".into(), "A<c>".into())
            ]
        );
        for bad in [
            &b""[..],
            b"<Error>",
            b"<a></b>",
            b"text<Error/>",
            b"<Error/><Error/>",
            b"\xff\xfe",
            b"<E>&bogus;</E>",
        ] {
            assert!(flat_children(bad, Some("Error"), 1024).is_err(), "{bad:?}");
        }
        assert!(matches!(
            flat_children(b"<Other/>", Some("Error"), 1024),
            Err(XmlError::WrongRoot { .. })
        ));
        assert!(matches!(
            flat_children(b"<Error/>", None, 3),
            Err(XmlError::TooLarge { limit: 3 })
        ));
    }

    #[test]
    fn writer_escapes() {
        let mut w = XmlWriter::with_declaration();
        w.open("A")
            .element("B", "x<&>\"'y")
            .optional("C", None)
            .close("A");
        assert_eq!(
            w.finish(),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<A><B>x&lt;&amp;&gt;&quot;&apos;y</B></A>"
        );
    }

    /// The inputs `fuzz/` target `xml` found panicking quick-xml 0.38's deserializer (text interrupted by
    /// a DOCTYPE): each is now MalformedXML, through every reader.
    #[test]
    fn doctype_is_malformed_not_a_panic() {
        use crate::ops::CompleteMultipartUpload;
        use crate::sse::ServerSideEncryptionRule;
        let rule = b"<ServerSideEncryptionRule><ApplyServerSideEncryptionByDefault>\
<SSEAlgorithm>AES<!DOCTYPE x>256</SSEAlgorithm>\
</ApplyServerSideEncryptionByDefault></ServerSideEncryptionRule>";
        let err = ServerSideEncryptionRule::from_xml(rule).unwrap_err();
        assert_eq!(err.oss_code().as_str(), "MalformedXML");
        let fuzzed = b"<CompleteMultipartUpload><Part><PartNumber>\r<!DOCTYPEp>\r";
        assert!(CompleteMultipartUpload::from_xml(fuzzed).is_err());
        let leading = b"<!DOCTYPE r [<!ENTITY a \"b\">]><r><A>&a;</A></r>";
        assert!(matches!(
            deserialize::<std::collections::BTreeMap<String, String>>(leading, "r", 1024),
            Err(XmlError::Malformed(_))
        ));
        assert!(matches!(
            flat_children(leading, Some("r"), 1024),
            Err(XmlError::Malformed(_))
        ));
    }
}
