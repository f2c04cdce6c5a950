//! PROPPATCH request bodies (RFC 4918 §9.2, §14.19).
//!
//! The instructions are returned in document order because RFC 4918 §9.2 requires them to be
//! applied in that order (a set then a remove of the same property leaves it removed), and
//! atomically: the handler either applies all or none.

use super::document;
use crate::xml::error::XmlError;
use crate::xml::name::{DAV, PropName};
use crate::xml::value::PropValue;

/// One instruction of a `<D:propertyupdate>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PatchInstruction {
    /// `<D:set><D:prop><x:name>value</x:name>`.
    Set(PropName, PropValue),
    /// `<D:remove><D:prop><x:name/>`.
    Remove(PropName),
}

impl PatchInstruction {
    /// The property this instruction touches.
    pub fn name(&self) -> &PropName {
        match self {
            PatchInstruction::Set(name, _) | PatchInstruction::Remove(name) => name,
        }
    }
}

/// Parses a PROPPATCH body into its instructions, in document order.
pub fn parse_proppatch(body: &[u8]) -> Result<Vec<PatchInstruction>, XmlError> {
    let root = document(body, DAV, "propertyupdate")?;
    let mut out = Vec::new();
    for op in root.elements() {
        let set = op.is(DAV, "set");
        if !set && !op.is(DAV, "remove") {
            continue; // RFC 4918 §17: unknown elements are ignored.
        }
        for prop in op.children_named(DAV, "prop") {
            for property in prop.elements() {
                out.push(if set {
                    PatchInstruction::Set(property.name.clone(), PropValue::from_element(property))
                } else {
                    PatchInstruction::Remove(property.name.clone())
                });
            }
        }
    }
    if out.is_empty() {
        return Err(XmlError::invalid(
            "<D:propertyupdate> names no property to set or remove",
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xml::tree;

    fn set(i: &PatchInstruction) -> (&PropName, &PropValue) {
        match i {
            PatchInstruction::Set(n, v) => (n, v),
            PatchInstruction::Remove(n) => panic!("expected set, got remove of {n}"),
        }
    }

    #[test]
    fn rfc4918_9_2_2_example_keeps_document_order() {
        let body = br#"<?xml version="1.0" encoding="utf-8" ?>
   <D:propertyupdate xmlns:D="DAV:"
           xmlns:Z="http://ns.example.com/standards/z39.50/">
     <D:set>
       <D:prop>
         <Z:Authors>
           <Z:Author>Jim Whitehead</Z:Author>
           <Z:Author>Roy Fielding</Z:Author>
         </Z:Authors>
       </D:prop>
     </D:set>
     <D:remove>
       <D:prop><Z:Copyright-Owner/></D:prop>
     </D:remove>
   </D:propertyupdate>"#;
        let ops = parse_proppatch(body).unwrap();
        assert_eq!(ops.len(), 2);
        let (name, value) = set(&ops[0]);
        let z = "http://ns.example.com/standards/z39.50/";
        assert_eq!(name, &PropName::new(z, "Authors"));
        assert_eq!(
            value.xml(),
            format!(
                "\n           <Z:Author xmlns:Z=\"{z}\">Jim Whitehead</Z:Author>\n           <Z:Author xmlns:Z=\"{z}\">Roy Fielding</Z:Author>\n         "
            )
        );
        assert_eq!(ops[1], PatchInstruction::Remove(PropName::new(z, "Copyright-Owner")));
    }

    #[test]
    fn litmus_many_namespaces_are_each_resolved() {
        let mut body =
            String::from(r#"<?xml version="1.0" encoding="utf-8"?><propertyupdate xmlns="DAV:"><set><prop>"#);
        for i in 0..10 {
            body.push_str(&format!(
                r#"<ns{i}:prop{i} xmlns:ns{i}="http://example.com/ns{i}/">value{i}</ns{i}:prop{i}>"#
            ));
        }
        body.push_str("</prop></set></propertyupdate>");
        let ops = parse_proppatch(body.as_bytes()).unwrap();
        assert_eq!(ops.len(), 10);
        for (i, op) in ops.iter().enumerate() {
            let (name, value) = set(op);
            assert_eq!(
                name,
                &PropName::new(format!("http://example.com/ns{i}/"), format!("prop{i}"))
            );
            assert_eq!(value.text(), Some(format!("value{i}")));
        }
    }

    #[test]
    fn litmus_high_unicode_value_is_preserved() {
        let body = "<?xml version=\"1.0\" encoding=\"utf-8\"?><propertyupdate xmlns=\"DAV:\"><set><prop><high-unicode xmlns=\"http://example.com/neon/litmus/\">\u{10000}\u{10FFFD}&#x10001;</high-unicode></prop></set></propertyupdate>";
        let ops = parse_proppatch(body.as_bytes()).unwrap();
        let (_, value) = set(&ops[0]);
        assert_eq!(value.text().as_deref(), Some("\u{10000}\u{10FFFD}\u{10001}"));
    }

    #[test]
    fn litmus_propvalnspace_value_with_nested_declarations_round_trips() {
        let body = br#"<?xml version="1.0" encoding="utf-8"?><propertyupdate xmlns="DAV:"><set><prop><valnspace xmlns="http://example.com/neon/litmus/"><foo xmlns="http://bar">baz</foo></valnspace></prop></set></propertyupdate>"#;
        let ops = parse_proppatch(body).unwrap();
        let (name, value) = set(&ops[0]);
        assert_eq!(name, &PropName::new("http://example.com/neon/litmus/", "valnspace"));
        assert_eq!(value.xml(), r#"<foo xmlns="http://bar">baz</foo>"#);
        // Written back and re-read, it is the same element.
        let again = tree::parse(value.to_element_xml(name).as_bytes()).unwrap();
        assert_eq!(again.name, *name);
        let foo = again.elements().next().unwrap();
        assert_eq!(foo.name, PropName::new("http://bar", "foo"));
        assert_eq!(foo.text(), "baz");
    }

    #[test]
    fn litmus_mixed_content_and_empty_values() {
        let body = br#"<propertyupdate xmlns="DAV:" xmlns:L="http://example.com/neon/litmus/"><set><prop><L:mixed>foo<L:bar>baz</L:bar> quux<L:e/>!</L:mixed><L:empty/><L:ws>  </L:ws></prop></set></propertyupdate>"#;
        let ops = parse_proppatch(body).unwrap();
        let l = "http://example.com/neon/litmus/";
        assert_eq!(
            set(&ops[0]).1.xml(),
            format!(r#"foo<L:bar xmlns:L="{l}">baz</L:bar> quux<L:e xmlns:L="{l}"/>!"#)
        );
        assert!(set(&ops[1]).1.is_empty());
        assert_eq!(set(&ops[2]).1.xml(), "  ");
    }

    #[test]
    fn xml_lang_on_the_property_or_an_ancestor_is_returned() {
        let body = br#"<D:propertyupdate xmlns:D="DAV:" xmlns:Z="urn:z"><D:set><D:prop xml:lang="en"><Z:a>hello</Z:a><Z:b xml:lang="fr">bonjour</Z:b></D:prop></D:set></D:propertyupdate>"#;
        let ops = parse_proppatch(body).unwrap();
        assert_eq!(set(&ops[0]).1.lang(), Some("en"));
        assert_eq!(set(&ops[1]).1.lang(), Some("fr"));
        assert!(
            set(&ops[1])
                .1
                .to_element_xml(&PropName::new("urn:z", "b"))
                .contains(r#"xml:lang="fr""#)
        );
    }

    #[test]
    fn set_then_remove_of_the_same_property_stays_in_order() {
        let body = br#"<D:propertyupdate xmlns:D="DAV:"><D:set><D:prop><D:displayname>x</D:displayname></D:prop></D:set><D:remove><D:prop><D:displayname/></D:prop></D:remove><D:set><D:prop><D:displayname>y</D:displayname></D:prop></D:set></D:propertyupdate>"#;
        let ops = parse_proppatch(body).unwrap();
        let kinds: Vec<_> = ops
            .iter()
            .map(|o| match o {
                PatchInstruction::Set(_, v) => v.text().unwrap_or_default(),
                PatchInstruction::Remove(_) => "-".into(),
            })
            .collect();
        assert_eq!(kinds, ["x", "-", "y"]);
        assert!(ops.iter().all(|o| o.name() == &PropName::dav("displayname")));
    }

    #[test]
    fn empty_or_wrong_bodies_are_errors() {
        assert!(matches!(
            parse_proppatch(br#"<D:propertyupdate xmlns:D="DAV:"/>"#),
            Err(XmlError::Invalid { .. })
        ));
        assert!(matches!(
            parse_proppatch(br#"<D:propfind xmlns:D="DAV:"/>"#),
            Err(XmlError::UnexpectedRoot { .. })
        ));
        assert!(matches!(parse_proppatch(b""), Err(XmlError::Malformed(_))));
        assert!(matches!(
            parse_proppatch(
                br#"<D:propertyupdate xmlns:D="DAV:"><D:set><D:prop><Q:x/></D:prop></D:set></D:propertyupdate>"#
            ),
            Err(XmlError::Malformed(_))
        ));
    }
}
