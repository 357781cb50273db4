//! A small element tree over quick-xml for reading the result documents oss-sse-core does not parse
//! (ListBuckets, ListParts, CopyObjectResult): bounded depth and size, text with entities resolved.

use quick_xml::events::Event;
use quick_xml::Reader;

/// Deeper documents are refused; OSS results are four levels deep at most.
const MAX_DEPTH: usize = 16;

/// One element: its local name, its text (concatenated), its child elements.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Element {
    pub(crate) name: String,
    pub(crate) text: String,
    pub(crate) children: Vec<Element>,
}

impl Element {
    /// The first child named `name`.
    pub(crate) fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    /// Every child named `name`.
    pub(crate) fn children<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// The trimmed text of the first child named `name`, or "".
    pub(crate) fn text_of(&self, name: &str) -> String {
        self.child(name)
            .map(|c| c.text.trim().to_string())
            .unwrap_or_default()
    }
}

/// Parses a document into its root element.
pub(crate) fn parse(bytes: &[u8]) -> Result<Element, String> {
    let mut reader = Reader::from_reader(bytes);
    let mut stack: Vec<Element> = Vec::new();
    let mut buf = Vec::new();
    loop {
        let event = reader
            .read_event_into(&mut buf)
            .map_err(|e| format!("malformed XML: {e}"))?;
        match event {
            Event::Start(e) => {
                if stack.len() >= MAX_DEPTH {
                    return Err("XML nested too deeply".into());
                }
                let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                stack.push(Element {
                    name,
                    ..Element::default()
                });
            }
            Event::Empty(e) => {
                let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                let el = Element {
                    name,
                    ..Element::default()
                };
                match stack.last_mut() {
                    Some(parent) => parent.children.push(el),
                    None => return Ok(el),
                }
            }
            Event::End(_) => {
                let el = stack.pop().ok_or("unbalanced XML")?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(el),
                    None => return Ok(el),
                }
            }
            Event::Text(t) => {
                if let Some(top) = stack.last_mut() {
                    let s = t.decode().map_err(|e| format!("bad XML text: {e}"))?;
                    top.text.push_str(&s);
                }
            }
            Event::CData(t) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&String::from_utf8_lossy(&t));
                }
            }
            Event::GeneralRef(r) => {
                if let Some(top) = stack.last_mut() {
                    if let Some(c) = r
                        .resolve_char_ref()
                        .map_err(|e| format!("bad XML reference: {e}"))?
                    {
                        top.text.push(c);
                    } else {
                        let name = r.decode().map_err(|e| format!("bad XML reference: {e}"))?;
                        let value = quick_xml::escape::resolve_predefined_entity(&name)
                            .ok_or_else(|| format!("unknown XML entity &{name};"))?;
                        top.text.push_str(value);
                    }
                }
            }
            Event::Eof => return Err("XML document ended early".into()),
            Event::Decl(_) | Event::Comment(_) | Event::PI(_) | Event::DocType(_) => {}
        }
        buf.clear();
    }
}

/// Escapes text for an element body.
pub(crate) fn escape(s: &str) -> String {
    quick_xml::escape::escape(s).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_nested_elements_and_entities() {
        let doc = br#"<?xml version="1.0" encoding="UTF-8"?>
<ListPartsResult><Bucket>b</Bucket><Key>a&amp;b &#x41;</Key>
  <Part><PartNumber>1</PartNumber><ETag>"x"</ETag></Part>
  <Part><PartNumber>2</PartNumber><ETag>&quot;y&quot;</ETag></Part><Empty/>
</ListPartsResult>"#;
        let root = parse(doc).unwrap();
        assert_eq!(root.name, "ListPartsResult");
        assert_eq!(root.text_of("Key"), "a&b A");
        let parts: Vec<_> = root.children("Part").map(|p| p.text_of("ETag")).collect();
        assert_eq!(parts, vec!["\"x\"", "\"y\""]);
        assert!(root.child("Empty").is_some());
    }

    #[test]
    fn rejects_truncated_and_deep_documents() {
        assert!(parse(b"<a><b>").is_err());
        assert!(parse(b"").is_err());
        let deep = "<a>".repeat(40) + &"</a>".repeat(40);
        assert!(parse(deep.as_bytes()).is_err());
    }
}
