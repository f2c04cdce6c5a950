//! A property value as a client set it, kept so it can be given back unchanged.
//!
//! RFC 4918 §4.3–4.4 requires a server to preserve a dead property's value "including
//! namespace declarations, mixed content, whitespace and xml:lang". Storing the value as an
//! XML fragment (the property element's content) does that without a DOM type in storage.
//! The fragment is self-contained: every element that uses a prefix declares it (kept from
//! the request, or added where the request declared it on an ancestor), so it stays valid
//! wherever it is pasted, as long as no default namespace is in scope there. The response
//! writer never declares a default namespace, which is what makes that hold.

use super::error::XmlError;
use super::escape;
use super::name::{PropName, XML};
use super::tree::{self, Element, Node};

/// The content of one property element, as a self-contained XML fragment, plus the
/// `xml:lang` in scope for the property (RFC 4918 §4.3).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PropValue {
    xml: String,
    lang: Option<String>,
}

impl PropValue {
    /// An empty value (`<x:prop/>`).
    pub fn empty() -> Self {
        PropValue::default()
    }

    /// A text-only value; `text` is escaped.
    pub fn from_text(text: &str) -> Self {
        PropValue {
            xml: escape::text(text),
            lang: None,
        }
    }

    /// A value loaded back from storage. The fragment is checked to be well-formed and
    /// namespace-complete, so a corrupt stored value cannot break a response.
    pub fn from_stored(xml: String, lang: Option<String>) -> Result<Self, XmlError> {
        let wrapped = format!("<v>{xml}</v>");
        tree::parse(wrapped.as_bytes())?;
        Ok(PropValue { xml, lang })
    }

    /// Builds the value from a parsed property element.
    pub(crate) fn from_element(el: &Element) -> Self {
        let mut xml = String::new();
        let mut scope = Vec::new();
        write_children(el, &mut scope, &mut xml);
        PropValue {
            xml,
            lang: el.lang.clone(),
        }
    }

    /// The fragment, for storage or for the response writer.
    pub fn xml(&self) -> &str {
        &self.xml
    }

    /// The `xml:lang` in scope for the property when it was set.
    pub fn lang(&self) -> Option<&str> {
        self.lang.as_deref()
    }

    pub fn is_empty(&self) -> bool {
        self.xml.is_empty()
    }

    /// The value as plain text, when it has no child elements (displayname,
    /// calendar-description, calendar-color, ...). `None` for structured values.
    pub fn text(&self) -> Option<String> {
        if self.xml.contains('<') {
            return None;
        }
        let root = tree::parse(format!("<v>{}</v>", self.xml).as_bytes()).ok()?;
        Some(root.text())
    }

    /// The property as a standalone element, `<X:local xmlns:X="ns" xml:lang="..">value</X:local>`,
    /// for storage formats or tests that want the whole element.
    pub fn to_element_xml(&self, name: &PropName) -> String {
        let mut out = String::new();
        crate::xml::response::write_dead_property(&mut out, name, self, false);
        out
    }
}

/// Writes the children of `el`, declaring on each element the prefixes it needs that the
/// fragment has not declared on an enclosing element.
fn write_children(el: &Element, scope: &mut Vec<(Option<String>, String)>, out: &mut String) {
    for node in &el.children {
        match node {
            Node::Text(t) => escape::text_into(out, t),
            Node::Element(child) => write_element(child, scope, out),
        }
    }
}

fn bound(scope: &[(Option<String>, String)], prefix: Option<&str>) -> Option<String> {
    scope
        .iter()
        .rev()
        .find(|(p, _)| p.as_deref() == prefix)
        .map(|(_, ns)| ns.clone())
}

fn write_element(el: &Element, scope: &mut Vec<(Option<String>, String)>, out: &mut String) {
    let mark = scope.len();
    // Declarations the client wrote here are kept: a value may use a prefix inside text or an
    // attribute value (QName content), which no parser can detect.
    for (prefix, ns) in &el.ns_decls {
        scope.push((prefix.clone(), ns.clone()));
    }
    let mut decls: Vec<(Option<String>, String)> = el.ns_decls.clone();

    let mut need = |prefix: Option<&str>, ns: &str, scope: &mut Vec<(Option<String>, String)>| {
        if prefix == Some("xml") {
            return;
        }
        // With no declaration in the fragment, the default namespace is empty: the writer
        // never declares one (see the module docs).
        let current = bound(scope, prefix).unwrap_or_default();
        if prefix.is_none() && current.is_empty() && ns.is_empty() {
            return;
        }
        if current != ns {
            scope.push((prefix.map(str::to_owned), ns.to_owned()));
            decls.push((prefix.map(str::to_owned), ns.to_owned()));
        }
    };
    need(el.prefix.as_deref(), &el.name.ns, scope);
    for attr in &el.attrs {
        if let Some(p) = attr.prefix.as_deref() {
            need(Some(p), &attr.name.ns, scope);
        }
    }

    let qname = match &el.prefix {
        Some(p) => format!("{p}:{}", el.name.local),
        None => el.name.local.clone(),
    };
    out.push('<');
    out.push_str(&qname);
    for (prefix, ns) in &decls {
        match prefix {
            Some(p) => {
                out.push_str(" xmlns:");
                out.push_str(p);
            }
            None => out.push_str(" xmlns"),
        }
        out.push_str("=\"");
        escape::attr_into(out, ns);
        out.push('"');
    }
    for attr in &el.attrs {
        out.push(' ');
        match (&attr.prefix, attr.name.ns == XML) {
            (Some(p), _) => {
                out.push_str(p);
                out.push(':');
            }
            (None, true) => out.push_str("xml:"),
            (None, false) => {}
        }
        out.push_str(&attr.name.local);
        out.push_str("=\"");
        escape::attr_into(out, &attr.value);
        out.push('"');
    }
    if el.children.is_empty() {
        out.push_str("/>");
    } else {
        out.push('>');
        write_children(el, scope, out);
        out.push_str("</");
        out.push_str(&qname);
        out.push('>');
    }
    scope.truncate(mark);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The value of the first child of `<prop>` in `body`.
    fn value_of(body: &str) -> PropValue {
        let root = tree::parse(body.as_bytes()).unwrap();
        PropValue::from_element(root.elements().next().unwrap())
    }

    /// Re-parses a fragment inside a neutral wrapper, proving it is self-contained.
    fn reparse(v: &PropValue) -> Element {
        tree::parse(format!("<w>{}</w>", v.xml()).as_bytes()).unwrap()
    }

    #[test]
    fn text_values_are_kept_exactly_including_whitespace() {
        let v = value_of("<p xmlns:Z=\"urn:z\"><Z:x>  two  spaces\n\tand tab  </Z:x></p>");
        assert_eq!(v.xml(), "  two  spaces\n\tand tab  ");
        assert_eq!(v.text().as_deref(), Some("  two  spaces\n\tand tab  "));
    }

    #[test]
    fn prefixes_declared_on_ancestors_are_redeclared_where_used() {
        let v =
            value_of(r#"<D:prop xmlns:D="DAV:" xmlns:Z="http://example.com/z"><Z:p><Z:a>1</Z:a><b/></Z:p></D:prop>"#);
        assert_eq!(v.xml(), r#"<Z:a xmlns:Z="http://example.com/z">1</Z:a><b/>"#);
        let w = reparse(&v);
        let names: Vec<_> = w.elements().map(|e| e.name.clone()).collect();
        assert_eq!(
            names,
            vec![PropName::new("http://example.com/z", "a"), PropName::new("", "b")]
        );
    }

    #[test]
    fn declarations_written_inside_the_value_are_kept_and_not_duplicated() {
        let v = value_of(
            r#"<p><x:valnspace xmlns:x="urn:a"><t:foo xmlns:t="http://example.com/neon/litmus/" t:attr="1">bar</t:foo></x:valnspace></p>"#,
        );
        assert_eq!(
            v.xml(),
            r#"<t:foo xmlns:t="http://example.com/neon/litmus/" t:attr="1">bar</t:foo>"#
        );
    }

    #[test]
    fn default_namespace_children_get_their_own_declaration() {
        let v = value_of(r#"<p xmlns="urn:outer"><val><a><b/></a></val></p>"#);
        assert_eq!(v.xml(), r#"<a xmlns="urn:outer"><b/></a>"#);
        let w = reparse(&v);
        let a = w.elements().next().unwrap();
        assert_eq!(a.name, PropName::new("urn:outer", "a"));
        assert_eq!(a.elements().next().unwrap().name, PropName::new("urn:outer", "b"));
    }

    #[test]
    fn unnamespaced_elements_inside_a_default_namespace_undeclare_it() {
        let v = value_of(r#"<p><val><a xmlns="urn:x"><b xmlns=""/></a></val></p>"#);
        let w = reparse(&v);
        let b = w.elements().next().unwrap().elements().next().unwrap();
        assert_eq!(b.name, PropName::new("", "b"));
    }

    #[test]
    fn mixed_content_and_high_unicode_survive() {
        let v = value_of("<p><v>foo <b>bar</b> &lt;baz&gt; \u{10000}\u{10FFFD}</v></p>");
        assert_eq!(v.xml(), "foo <b>bar</b> &lt;baz&gt; \u{10000}\u{10FFFD}");
        assert_eq!(v.text(), None);
    }

    #[test]
    fn xml_lang_of_the_property_is_captured_and_inner_ones_kept() {
        let v = value_of(r#"<p xml:lang="en"><v>hi <q xml:lang="de-CH">grüezi</q></v></p>"#);
        assert_eq!(v.lang(), Some("en"));
        assert_eq!(v.xml(), r#"hi <q xml:lang="de-CH">grüezi</q>"#);
    }

    #[test]
    fn empty_values_are_empty() {
        assert!(value_of("<p><v/></p>").is_empty());
        assert!(value_of("<p><v></v></p>").is_empty());
        assert_eq!(value_of("<p><v/></p>").text().as_deref(), Some(""));
    }

    #[test]
    fn stored_fragments_are_validated() {
        assert!(PropValue::from_stored("<a>x</a>".into(), None).is_ok());
        assert!(PropValue::from_stored("<a>x".into(), None).is_err());
        assert!(PropValue::from_stored("<z:a/>".into(), None).is_err());
        assert!(PropValue::from_stored("</v><v>".into(), None).is_err());
    }

    #[test]
    fn text_values_round_trip_through_escaping() {
        let v = PropValue::from_text("a<b & \"c\"\r");
        assert_eq!(v.xml(), "a&lt;b &amp; \"c\"&#13;");
        assert_eq!(v.text().as_deref(), Some("a<b & \"c\"\r"));
    }
}
