//! Extended MKCOL (RFC 5689 §5.1) and MKCALENDAR (RFC 4791 §5.3.1) request bodies: the
//! properties to set on the new collection as it is created.
//!
//! `resourcetype` and `supported-calendar-component-set` decide what kind of collection is
//! made, so they are parsed into typed fields; every other property is kept as a
//! [`PropValue`] for the handler to validate (live) or store (dead).

use super::document;
use crate::xml::error::XmlError;
use crate::xml::name::{CALDAV, DAV, PropName};
use crate::xml::tree::{self, Element};
use crate::xml::value::PropValue;

/// Which method the body came with; it decides the expected root element.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MkcolKind {
    /// `MKCOL` with a `<D:mkcol>` body (RFC 5689).
    Mkcol,
    /// `MKCALENDAR` with a `<C:mkcalendar>` body (RFC 4791 §5.3.1).
    Mkcalendar,
}

/// A parsed MKCOL/MKCALENDAR body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MkcolRequest {
    pub kind: MkcolKind,
    /// Children of `<D:resourcetype>` if it was set (RFC 5689 §3), e.g. `{DAV:}collection`,
    /// `{urn:ietf:params:xml:ns:caldav}calendar`.
    pub resourcetype: Vec<PropName>,
    /// `<C:supported-calendar-component-set>` as upper-case component names (RFC 4791
    /// §5.2.3); `None` when not given, leaving the server default.
    pub components: Option<Vec<String>>,
    /// Every other property to set, in document order.
    pub props: Vec<(PropName, PropValue)>,
}

impl MkcolRequest {
    fn empty(kind: MkcolKind) -> Self {
        MkcolRequest {
            kind,
            resourcetype: Vec::new(),
            components: None,
            props: Vec::new(),
        }
    }

    /// Parses the body of a MKCOL or MKCALENDAR. An empty body is a request with no
    /// properties (plain MKCOL, RFC 4918 §9.3; MKCALENDAR's body is optional too).
    pub fn parse(kind: MkcolKind, body: &[u8]) -> Result<Self, XmlError> {
        if tree::is_blank(body) {
            return Ok(Self::empty(kind));
        }
        let root = match kind {
            MkcolKind::Mkcol => document(body, DAV, "mkcol")?,
            MkcolKind::Mkcalendar => document(body, CALDAV, "mkcalendar")?,
        };
        let mut request = Self::empty(kind);
        for op in root.elements() {
            if op.is(DAV, "remove") {
                // RFC 5689 §5.1 only defines DAV:set here.
                return Err(XmlError::invalid(
                    "<D:remove> is not allowed when creating a collection; use <D:set>",
                ));
            }
            if !op.is(DAV, "set") {
                continue;
            }
            for prop in op.children_named(DAV, "prop") {
                for property in prop.elements() {
                    request.add(property)?;
                }
            }
        }
        Ok(request)
    }

    fn add(&mut self, property: &Element) -> Result<(), XmlError> {
        if property.is(DAV, "resourcetype") {
            self.resourcetype = property.elements().map(|e| e.name.clone()).collect();
        } else if property.is(CALDAV, "supported-calendar-component-set") {
            let mut names = Vec::new();
            for comp in property.children_named(CALDAV, "comp") {
                match comp.attr("name").map(str::trim) {
                    Some(n) if !n.is_empty() => names.push(n.to_ascii_uppercase()),
                    _ => {
                        return Err(XmlError::invalid(
                            "<C:comp> in supported-calendar-component-set needs a name attribute",
                        ));
                    }
                }
            }
            self.components = Some(names);
        } else {
            self.props
                .push((property.name.clone(), PropValue::from_element(property)));
        }
        Ok(())
    }

    /// Whether the new collection is a calendar: MKCALENDAR always makes one (RFC 4791
    /// §5.3.1); an extended MKCOL does when its resourcetype names `C:calendar` (RFC 5689
    /// §3).
    pub fn is_calendar(&self) -> bool {
        self.kind == MkcolKind::Mkcalendar || self.resourcetype.iter().any(|r| r.is(CALDAV, "calendar"))
    }

    /// The value of a text property (displayname, calendar-description, ...), if set.
    pub fn text(&self, name: &PropName) -> Option<String> {
        self.props.iter().find(|(n, _)| n == name).and_then(|(_, v)| v.text())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xml::name::APPLE_ICAL;

    #[test]
    fn rfc4791_5_3_1_2_mkcalendar_example_is_parsed() {
        let body = br#"<?xml version="1.0" encoding="utf-8" ?>
   <C:mkcalendar xmlns:D="DAV:"
                 xmlns:C="urn:ietf:params:xml:ns:caldav">
     <D:set>
       <D:prop>
         <D:displayname>Lisa's Events</D:displayname>
         <C:calendar-description xml:lang="en"
   >Calendar restricted to events.</C:calendar-description>
         <C:supported-calendar-component-set>
           <C:comp name="VEVENT"/>
         </C:supported-calendar-component-set>
         <C:calendar-timezone><![CDATA[BEGIN:VCALENDAR
PRODID:-//Example Corp.//CalDAV Client//EN
VERSION:2.0
END:VCALENDAR
]]></C:calendar-timezone>
       </D:prop>
     </D:set>
   </C:mkcalendar>"#;
        let req = MkcolRequest::parse(MkcolKind::Mkcalendar, body).unwrap();
        assert!(req.is_calendar());
        assert_eq!(req.components, Some(vec!["VEVENT".to_owned()]));
        assert_eq!(req.resourcetype, Vec::<PropName>::new());
        assert_eq!(
            req.text(&PropName::dav("displayname")).as_deref(),
            Some("Lisa's Events")
        );
        let desc = &req.props[1];
        assert_eq!(desc.0, PropName::caldav("calendar-description"));
        assert_eq!(desc.1.lang(), Some("en"));
        assert_eq!(
            req.text(&PropName::caldav("calendar-timezone")).as_deref(),
            Some("BEGIN:VCALENDAR\nPRODID:-//Example Corp.//CalDAV Client//EN\nVERSION:2.0\nEND:VCALENDAR\n")
        );
        assert_eq!(req.props.len(), 3);
    }

    #[test]
    fn rfc5689_extended_mkcol_detects_a_calendar_from_resourcetype() {
        let body = br##"<?xml version="1.0" encoding="utf-8" ?>
<D:mkcol xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav" xmlns:I="http://apple.com/ns/ical/">
  <D:set><D:prop>
    <D:resourcetype><D:collection/><C:calendar/></D:resourcetype>
    <D:displayname>Work</D:displayname>
    <I:calendar-color>#FF2968FF</I:calendar-color>
    <C:supported-calendar-component-set><C:comp name="vevent"/><C:comp name="VTODO"/></C:supported-calendar-component-set>
  </D:prop></D:set>
</D:mkcol>"##;
        let req = MkcolRequest::parse(MkcolKind::Mkcol, body).unwrap();
        assert!(req.is_calendar());
        assert_eq!(
            req.resourcetype,
            vec![PropName::dav("collection"), PropName::caldav("calendar")]
        );
        assert_eq!(req.components, Some(vec!["VEVENT".to_owned(), "VTODO".to_owned()]));
        assert_eq!(
            req.text(&PropName::new(APPLE_ICAL, "calendar-color")).as_deref(),
            Some("#FF2968FF")
        );
    }

    #[test]
    fn plain_mkcol_body_is_not_a_calendar() {
        let body = br#"<D:mkcol xmlns:D="DAV:"><D:set><D:prop><D:resourcetype><D:collection/></D:resourcetype></D:prop></D:set></D:mkcol>"#;
        let req = MkcolRequest::parse(MkcolKind::Mkcol, body).unwrap();
        assert!(!req.is_calendar());
    }

    #[test]
    fn empty_bodies_create_with_defaults() {
        let req = MkcolRequest::parse(MkcolKind::Mkcalendar, b"").unwrap();
        assert!(req.is_calendar());
        assert!(req.props.is_empty());
        assert_eq!(req.components, None);
        assert!(!MkcolRequest::parse(MkcolKind::Mkcol, b"\n").unwrap().is_calendar());
    }

    #[test]
    fn roots_must_match_the_method() {
        let mkcol = br#"<D:mkcol xmlns:D="DAV:"/>"#;
        assert!(matches!(
            MkcolRequest::parse(MkcolKind::Mkcalendar, mkcol),
            Err(XmlError::UnexpectedRoot { .. })
        ));
    }

    #[test]
    fn remove_and_nameless_comps_are_refused() {
        let remove = br#"<D:mkcol xmlns:D="DAV:"><D:remove><D:prop><D:displayname/></D:prop></D:remove></D:mkcol>"#;
        assert!(matches!(
            MkcolRequest::parse(MkcolKind::Mkcol, remove),
            Err(XmlError::Invalid { .. })
        ));
        let nameless = br#"<C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:set><D:prop><C:supported-calendar-component-set><C:comp/></C:supported-calendar-component-set></D:prop></D:set></C:mkcalendar>"#;
        assert!(MkcolRequest::parse(MkcolKind::Mkcalendar, nameless).is_err());
    }
}
