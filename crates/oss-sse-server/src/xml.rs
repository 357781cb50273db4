//! XML in and out: a small writer for response documents and a bounded parser that turns a request body
//! (at most 64 KiB, checked by the caller) into an element tree the handlers pattern-match.

use quick_xml::events::Event;
use quick_xml::Reader;

/// Escapes text for element content.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

/// Builds an XML document with an `<?xml ...?>` declaration.
pub struct XmlWriter {
    out: String,
    stack: Vec<&'static str>,
}

impl Default for XmlWriter {
    fn default() -> Self {
        Self::new()
    }
}

impl XmlWriter {
    /// A document with the declaration.
    pub fn new() -> XmlWriter {
        XmlWriter {
            out: String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"),
            stack: Vec::new(),
        }
    }

    /// Opens `<name>`.
    pub fn open(&mut self, name: &'static str) -> &mut Self {
        self.out.push('<');
        self.out.push_str(name);
        self.out.push('>');
        self.stack.push(name);
        self
    }

    /// Closes the innermost open element.
    pub fn close(&mut self) -> &mut Self {
        if let Some(name) = self.stack.pop() {
            self.out.push_str("</");
            self.out.push_str(name);
            self.out.push('>');
        }
        self
    }

    /// Writes `<name>text</name>`.
    pub fn elem(&mut self, name: &'static str, text: &str) -> &mut Self {
        self.out.push('<');
        self.out.push_str(name);
        self.out.push('>');
        self.out.push_str(&escape(text));
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push('>');
        self
    }

    /// Closes every open element and returns the document.
    pub fn finish(mut self) -> String {
        while !self.stack.is_empty() {
            self.close();
        }
        self.out
    }
}

/// A parsed element: its local name, text content (concatenated, unescaped) and child elements.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Element {
    /// Local name (namespace prefix dropped).
    pub name: String,
    /// Text directly inside this element.
    pub text: String,
    /// Child elements in order.
    pub children: Vec<Element>,
}

impl Element {
    /// The first child named `name`.
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    /// Every child named `name`.
    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// The trimmed text of the first child named `name`.
    pub fn child_text(&self, name: &str) -> Option<&str> {
        self.child(name).map(|c| c.text.trim())
    }
}

/// Why a body is not acceptable XML.
#[derive(Debug, thiserror::Error)]
#[error("malformed XML: {0}")]
pub struct MalformedXml(pub String);

const MAX_DEPTH: usize = 16;

/// Parses a document into its root element. Rejects DTDs, nesting deeper than 16, unbalanced tags,
/// text outside the root and more than one root.
pub fn parse(body: &[u8]) -> Result<Element, MalformedXml> {
    let text = std::str::from_utf8(body).map_err(|_| MalformedXml("not UTF-8".into()))?;
    let mut reader = Reader::from_str(text);
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    loop {
        let event = reader
            .read_event()
            .map_err(|e| MalformedXml(e.to_string()))?;
        match event {
            Event::Start(start) => {
                if root.is_some() {
                    return Err(MalformedXml("content after the root element".into()));
                }
                if stack.len() >= MAX_DEPTH {
                    return Err(MalformedXml("nesting too deep".into()));
                }
                let name = String::from_utf8_lossy(start.local_name().as_ref()).into_owned();
                stack.push(Element {
                    name,
                    ..Element::default()
                });
            }
            Event::Empty(start) => {
                if root.is_some() {
                    return Err(MalformedXml("content after the root element".into()));
                }
                let el = Element {
                    name: String::from_utf8_lossy(start.local_name().as_ref()).into_owned(),
                    ..Element::default()
                };
                match stack.last_mut() {
                    Some(parent) => parent.children.push(el),
                    None => root = Some(el),
                }
            }
            Event::End(end) => {
                let el = stack
                    .pop()
                    .ok_or_else(|| MalformedXml("unbalanced end tag".into()))?;
                if end.local_name().as_ref() != el.name.as_bytes() {
                    return Err(MalformedXml("mismatched end tag".into()));
                }
                match stack.last_mut() {
                    Some(parent) => parent.children.push(el),
                    None => root = Some(el),
                }
            }
            Event::Text(t) => {
                let s = t.decode().map_err(|e| MalformedXml(e.to_string()))?;
                let s = quick_xml::escape::unescape(&s).map_err(|e| MalformedXml(e.to_string()))?;
                match stack.last_mut() {
                    Some(el) => el.text.push_str(&s),
                    None if s.trim().is_empty() => {}
                    None => return Err(MalformedXml("text outside the root element".into())),
                }
            }
            Event::CData(c) => {
                let s = String::from_utf8_lossy(&c.into_inner()).into_owned();
                match stack.last_mut() {
                    Some(el) => el.text.push_str(&s),
                    None => return Err(MalformedXml("text outside the root element".into())),
                }
            }
            Event::GeneralRef(r) => {
                let name = String::from_utf8_lossy(r.as_ref()).into_owned();
                let s = quick_xml::escape::unescape(&format!("&{name};"))
                    .map_err(|e| MalformedXml(e.to_string()))?
                    .into_owned();
                match stack.last_mut() {
                    Some(el) => el.text.push_str(&s),
                    None => return Err(MalformedXml("reference outside the root element".into())),
                }
            }
            Event::DocType(_) => return Err(MalformedXml("DTDs are not accepted".into())),
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
            Event::Eof => break,
        }
    }
    if !stack.is_empty() {
        return Err(MalformedXml("unclosed element".into()));
    }
    root.ok_or_else(|| MalformedXml("no root element".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_with_and_without_declaration() {
        let doc = b"<?xml version=\"1.0\"?>\n<Delete>\n <Quiet>true</Quiet>\n <Object><Key>a&amp;b</Key></Object><Object><Key></Key></Object></Delete>";
        let root = parse(doc).unwrap();
        assert_eq!(root.name, "Delete");
        assert_eq!(root.child_text("Quiet"), Some("true"));
        let keys: Vec<_> = root
            .children_named("Object")
            .map(|o| o.child_text("Key").unwrap_or("").to_owned())
            .collect();
        assert_eq!(keys, ["a&b", ""]);
    }

    #[test]
    fn rejects_garbage() {
        for bad in [
            &b"<a><b></a>"[..],
            b"<a>",
            b"",
            b"text",
            b"<a/><b/>",
            b"<!DOCTYPE x [<!ENTITY e \"x\">]><a>&e;</a>",
            b"\xff\xfe",
        ] {
            assert!(parse(bad).is_err(), "{:?}", String::from_utf8_lossy(bad));
        }
        let deep = "<a>".repeat(40) + &"</a>".repeat(40);
        assert!(parse(deep.as_bytes()).is_err());
    }

    #[test]
    fn writer_escapes() {
        let mut w = XmlWriter::new();
        w.open("R").elem("K", "<&>").close();
        assert!(w.finish().ends_with("<R><K>&lt;&amp;&gt;</K></R>"));
    }
}
