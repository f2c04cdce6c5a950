//! A small, bounded, namespace-resolved element tree built from a request body.
//!
//! WebDAV bodies are tiny and their meaning depends on structure (a `<D:prop>` inside
//! `<D:set>` versus inside `<D:remove>`), so reading the whole body into a tree first keeps
//! each request parser a plain recursive walk. Safety checks live here, once, before any
//! request-specific code runs: DTDs are refused outright (no entity expansion, so no
//! billion-laughs), nesting is capped, and only well-formed, namespace-well-formed UTF-8
//! documents get through. The tree keeps original prefixes, namespace declarations and
//! whitespace so dead property values can be written back faithfully (see `value.rs`).

use quick_xml::NsReader;
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::{PrefixDeclaration, ResolveResult};

use super::error::XmlError;
use super::name::{PropName, XML};

/// Deepest element nesting accepted; real WebDAV bodies stay under 15.
pub(crate) const MAX_DEPTH: usize = 64;

/// One element with its resolved name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Element {
    pub name: PropName,
    /// The prefix the document used (`None` for an unprefixed name).
    pub prefix: Option<String>,
    /// `xmlns`/`xmlns:p` declarations written on this element: (prefix, namespace URI).
    pub ns_decls: Vec<(Option<String>, String)>,
    /// Attributes other than namespace declarations, values unescaped.
    pub attrs: Vec<Attr>,
    /// The `xml:lang` in scope for this element (its own or inherited), RFC 4918 §4.3.
    pub lang: Option<String>,
    pub children: Vec<Node>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Attr {
    pub name: PropName,
    pub prefix: Option<String>,
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Node {
    Element(Element),
    /// Character data with references resolved; adjacent pieces are merged.
    Text(String),
}

impl Element {
    pub fn is(&self, ns: &str, local: &str) -> bool {
        self.name.is(ns, local)
    }

    /// Child elements, skipping text.
    pub fn elements(&self) -> impl Iterator<Item = &Element> {
        self.children.iter().filter_map(|n| match n {
            Node::Element(e) => Some(e),
            Node::Text(_) => None,
        })
    }

    /// The first child element named `{ns}local`.
    pub fn child(&self, ns: &str, local: &str) -> Option<&Element> {
        self.elements().find(|e| e.is(ns, local))
    }

    /// All child elements named `{ns}local`.
    pub fn children_named<'a>(&'a self, ns: &'a str, local: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.elements().filter(move |e| e.is(ns, local))
    }

    /// The value of the unqualified attribute `local` (CalDAV attributes are unqualified).
    pub fn attr(&self, local: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|a| a.name.ns.is_empty() && a.name.local == local)
            .map(|a| a.value.as_str())
    }

    /// All character data directly inside this element, concatenated.
    pub fn text(&self) -> String {
        let mut out = String::new();
        for node in &self.children {
            if let Node::Text(t) = node {
                out.push_str(t);
            }
        }
        out
    }
}

/// Parses a whole document into its root element.
pub(crate) fn parse(body: &[u8]) -> Result<Element, XmlError> {
    let mut reader = NsReader::from_reader(body);
    // Every check quick-xml offers: mismatched end tags, `--` in comments, and so on.
    reader.config_mut().enable_all_checks(true);
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;

    loop {
        let event = reader
            .read_event()
            .map_err(|e| XmlError::malformed(format!("{e} (at byte {})", reader.error_position())))?;
        match event {
            Event::Start(start) => {
                if root.is_some() {
                    return Err(XmlError::malformed("content after the document element"));
                }
                if stack.len() >= MAX_DEPTH {
                    return Err(XmlError::malformed(format!(
                        "elements nested deeper than {MAX_DEPTH} levels"
                    )));
                }
                let parent_lang = stack.last().and_then(|p| p.lang.clone());
                stack.push(element(&reader, &start, parent_lang)?);
            }
            Event::Empty(start) => {
                if root.is_some() {
                    return Err(XmlError::malformed("content after the document element"));
                }
                if stack.len() >= MAX_DEPTH {
                    return Err(XmlError::malformed(format!(
                        "elements nested deeper than {MAX_DEPTH} levels"
                    )));
                }
                let parent_lang = stack.last().and_then(|p| p.lang.clone());
                let el = element(&reader, &start, parent_lang)?;
                close(&mut stack, &mut root, el);
            }
            Event::End(_) => {
                // quick-xml has already checked the end name matches the open element.
                let el = stack
                    .pop()
                    .ok_or_else(|| XmlError::malformed("end tag without a start tag"))?;
                close(&mut stack, &mut root, el);
            }
            Event::Text(text) => {
                let s = text
                    .xml10_content()
                    .map_err(|e| XmlError::malformed(format!("text is not UTF-8: {e}")))?;
                push_text(&mut stack, &s)?;
            }
            Event::CData(cdata) => {
                let s = cdata
                    .xml10_content()
                    .map_err(|e| XmlError::malformed(format!("CDATA is not UTF-8: {e}")))?;
                if stack.is_empty() {
                    return Err(XmlError::malformed("CDATA outside the document element"));
                }
                push_text(&mut stack, &s)?;
            }
            Event::GeneralRef(reference) => {
                let resolved = resolve_reference(&reference)?;
                if stack.is_empty() {
                    return Err(XmlError::malformed("entity reference outside the document element"));
                }
                push_text(&mut stack, &resolved)?;
            }
            Event::DocType(_) => {
                // Entity declarations are how billion-laughs and XXE attacks start; WebDAV
                // bodies never need a DTD.
                return Err(XmlError::malformed(
                    "DOCTYPE declarations are not accepted in WebDAV request bodies",
                ));
            }
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
            Event::Eof => break,
        }
    }
    if let Some(open) = stack.last() {
        return Err(XmlError::malformed(format!("document ends inside <{}>", open.name)));
    }
    root.ok_or_else(|| XmlError::malformed("the body has no document element"))
}

/// Whether a body has nothing but whitespace (an absent body for methods where that is
/// meaningful, like PROPFIND's allprop).
pub(crate) fn is_blank(body: &[u8]) -> bool {
    body.iter().all(|b| b.is_ascii_whitespace())
}

fn close(stack: &mut [Element], root: &mut Option<Element>, el: Element) {
    match stack.last_mut() {
        Some(parent) => parent.children.push(Node::Element(el)),
        None => *root = Some(el),
    }
}

fn push_text(stack: &mut [Element], s: &str) -> Result<(), XmlError> {
    let Some(top) = stack.last_mut() else {
        // Whitespace around the document element is allowed; anything else is not.
        if s.chars().all(|c| matches!(c, ' ' | '\t' | '\r' | '\n')) {
            return Ok(());
        }
        return Err(XmlError::malformed("text outside the document element"));
    };
    if let Some(Node::Text(prev)) = top.children.last_mut() {
        prev.push_str(s);
    } else {
        top.children.push(Node::Text(s.to_owned()));
    }
    Ok(())
}

/// Resolves `&name;` / `&#n;`. Only the five predefined entities exist without a DTD.
fn resolve_reference(reference: &quick_xml::events::BytesRef<'_>) -> Result<String, XmlError> {
    if let Some(ch) = reference
        .resolve_char_ref()
        .map_err(|e| XmlError::malformed(format!("bad character reference: {e}")))?
    {
        if !is_xml_char(ch) {
            return Err(XmlError::malformed(format!(
                "character reference to U+{:04X}, which XML does not allow",
                u32::from(ch)
            )));
        }
        return Ok(ch.to_string());
    }
    let name = reference
        .decode()
        .map_err(|e| XmlError::malformed(format!("entity name is not UTF-8: {e}")))?;
    let resolved = match name.as_ref() {
        "amp" => "&",
        "lt" => "<",
        "gt" => ">",
        "quot" => "\"",
        "apos" => "'",
        other => {
            return Err(XmlError::malformed(format!(
                "undeclared entity &{other}; (only the five predefined entities are allowed)"
            )));
        }
    };
    Ok(resolved.to_owned())
}

/// XML 1.0 §2.2 `Char`.
pub(crate) fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

fn utf8(bytes: &[u8], what: &str) -> Result<String, XmlError> {
    std::str::from_utf8(bytes)
        .map(str::to_owned)
        .map_err(|_| XmlError::malformed(format!("{what} is not valid UTF-8")))
}

fn namespace(result: ResolveResult<'_>, qname: &[u8]) -> Result<String, XmlError> {
    match result {
        ResolveResult::Bound(ns) => utf8(ns.into_inner(), "a namespace URI"),
        ResolveResult::Unbound => Ok(String::new()),
        ResolveResult::Unknown(prefix) => Err(XmlError::malformed(format!(
            "prefix {:?} of <{}> is not declared",
            String::from_utf8_lossy(&prefix),
            String::from_utf8_lossy(qname)
        ))),
    }
}

fn element(reader: &NsReader<&[u8]>, start: &BytesStart<'_>, parent_lang: Option<String>) -> Result<Element, XmlError> {
    let qname = start.name();
    let (resolved, local) = reader.resolve_element(qname);
    let ns = namespace(resolved, qname.as_ref())?;
    let local = utf8(local.as_ref(), "an element name")?;
    let prefix = qname.prefix().map(|p| utf8(p.as_ref(), "a prefix")).transpose()?;

    let mut ns_decls = Vec::new();
    let mut attrs = Vec::new();
    let mut lang = parent_lang;
    for attr in start.attributes() {
        let attr = attr.map_err(|e| XmlError::malformed(format!("bad attribute: {e}")))?;
        let value = attr
            .unescape_value()
            .map_err(|e| XmlError::malformed(format!("bad attribute value: {e}")))?
            .into_owned();
        if value.chars().any(|c| !is_xml_char(c)) {
            return Err(XmlError::malformed(
                "attribute value contains a character XML does not allow",
            ));
        }
        if let Some(binding) = attr.key.as_namespace_binding() {
            let decl_prefix = match binding {
                PrefixDeclaration::Default => None,
                PrefixDeclaration::Named(p) => Some(utf8(p, "a prefix")?),
            };
            ns_decls.push((decl_prefix, value));
            continue;
        }
        let (resolved, attr_local) = reader.resolve_attribute(attr.key);
        let attr_ns = namespace(resolved, attr.key.as_ref())?;
        let attr_local = utf8(attr_local.as_ref(), "an attribute name")?;
        let attr_prefix = attr.key.prefix().map(|p| utf8(p.as_ref(), "a prefix")).transpose()?;
        if attr_ns == XML && attr_local == "lang" {
            lang = Some(value.clone());
        }
        attrs.push(Attr {
            name: PropName::new(attr_ns, attr_local),
            prefix: attr_prefix,
            value,
        });
    }
    Ok(Element {
        name: PropName::new(ns, local),
        prefix,
        ns_decls,
        attrs,
        lang,
        children: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xml::name::DAV;

    #[test]
    fn elements_resolve_namespaces_regardless_of_prefix() {
        let root = parse(br#"<?xml version="1.0"?><x:a xmlns:x="DAV:"><b xmlns="urn:y"/></x:a>"#).unwrap();
        assert_eq!(root.name, PropName::dav("a"));
        assert_eq!(root.prefix.as_deref(), Some("x"));
        let b = root.elements().next().unwrap();
        assert_eq!(b.name, PropName::new("urn:y", "b"));
        assert_eq!(b.ns_decls, vec![(None, "urn:y".to_owned())]);
    }

    #[test]
    fn references_and_cdata_merge_into_one_text_node() {
        let root = parse(b"<a>x &amp; &#x10000; <![CDATA[<y>]]>&lt;</a>").unwrap();
        assert_eq!(root.children, vec![Node::Text("x & \u{10000} <y><".into())]);
    }

    #[test]
    fn xml_lang_is_inherited_by_descendants() {
        let root = parse(br#"<a xml:lang="de"><b/><c xml:lang="fr"/></a>"#).unwrap();
        let langs: Vec<_> = root.elements().map(|e| e.lang.clone()).collect();
        assert_eq!(langs, vec![Some("de".into()), Some("fr".into())]);
    }

    #[test]
    fn doctype_with_entities_is_refused() {
        let body = br#"<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>
<D:propfind xmlns:D="DAV:"><D:prop>&lol2;</D:prop></D:propfind>"#;
        let err = parse(body).unwrap_err();
        assert!(
            matches!(err, XmlError::Malformed(ref m) if m.contains("DOCTYPE")),
            "{err}"
        );
    }

    #[test]
    fn undeclared_entities_are_refused() {
        assert!(matches!(parse(b"<a>&nbsp;</a>"), Err(XmlError::Malformed(_))));
    }

    #[test]
    fn thousand_deep_nesting_is_refused_without_recursion() {
        let mut body = String::new();
        for _ in 0..1000 {
            body.push_str("<a>");
        }
        for _ in 0..1000 {
            body.push_str("</a>");
        }
        let err = parse(body.as_bytes()).unwrap_err();
        assert!(matches!(err, XmlError::Malformed(ref m) if m.contains("64")), "{err}");
    }

    #[test]
    fn nesting_up_to_the_limit_is_accepted() {
        let body = format!("{}{}", "<a>".repeat(MAX_DEPTH), "</a>".repeat(MAX_DEPTH));
        assert!(parse(body.as_bytes()).is_ok());
    }

    #[test]
    fn ill_formed_documents_are_errors() {
        let cases: &[&[u8]] = &[
            b"",
            b"   ",
            b"<a>",
            b"<a></b>",
            b"<a/><b/>",
            b"<a/>text",
            b"text<a/>",
            b"<x:a/>",
            b"<a b='1' b='2'/>",
            b"<a>&#0;</a>",
            b"<a>\xff\xfe</a>",
            b"<a b=c/>",
            b"</a>",
            b"<a>&amp</a>",
        ];
        for case in cases {
            assert!(
                matches!(parse(case), Err(XmlError::Malformed(_))),
                "{:?} should be malformed, got {:?}",
                String::from_utf8_lossy(case),
                parse(case)
            );
        }
    }

    #[test]
    fn a_utf8_byte_order_mark_is_accepted() {
        let root = parse(b"\xEF\xBB\xBF<?xml version=\"1.0\"?><a/>").unwrap();
        assert_eq!(root.name, PropName::new("", "a"));
    }

    #[test]
    fn comments_and_processing_instructions_are_skipped() {
        let root = parse(b"<!-- hi --><?pi x?><a><!-- c --><b/></a>").unwrap();
        assert_eq!(root.elements().count(), 1);
        assert!(root.child(DAV, "b").is_none());
        assert!(root.child("", "b").is_some());
    }
}
