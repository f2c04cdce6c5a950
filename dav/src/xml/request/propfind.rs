//! PROPFIND request bodies (RFC 4918 §9.1, §14.20).

use calinvite_imip::query::CalendarDataRequest;

use super::{document, selection};
use crate::xml::error::XmlError;
use crate::xml::name::{DAV, PropName};
use crate::xml::tree;

/// Which properties a PROPFIND (or a REPORT's `<D:prop>` selection) asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Propfind {
    /// `<D:allprop/>`, plus the names in `<D:include>` (RFC 4918 §9.1).
    AllProp { include: Vec<PropName> },
    /// `<D:propname/>`: names only, no values.
    PropName,
    /// `<D:prop>` with these names, in document order.
    Prop(Vec<PropName>),
}

/// A parsed PROPFIND body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PropfindRequest {
    pub selection: Propfind,
    /// Details of a requested `{urn:ietf:params:xml:ns:caldav}calendar-data`, when the
    /// selection names it with content (RFC 4791 §9.6).
    pub calendar_data: Option<CalendarDataRequest>,
}

impl Propfind {
    /// Whether the selection names this property (`propname` names none).
    pub fn asks_for(&self, ns: &str, local: &str) -> bool {
        match self {
            Propfind::Prop(names) | Propfind::AllProp { include: names } => names.iter().any(|n| n.is(ns, local)),
            Propfind::PropName => false,
        }
    }
}

impl PropfindRequest {
    /// Parses a PROPFIND body. RFC 4918 §9.1: an empty body means allprop.
    pub fn parse(body: &[u8]) -> Result<Self, XmlError> {
        let all = || PropfindRequest {
            selection: Propfind::AllProp { include: Vec::new() },
            calendar_data: None,
        };
        if tree::is_blank(body) {
            return Ok(all());
        }
        let root = document(body, DAV, "propfind")?;
        // An empty <D:propfind/> is treated like an empty body, as SabreDAV and Apache do.
        if root.elements().next().is_none() {
            return Ok(all());
        }
        let has_selection = root
            .elements()
            .any(|e| e.is(DAV, "allprop") || e.is(DAV, "propname") || e.is(DAV, "prop"));
        if !has_selection {
            return Err(XmlError::invalid(
                "<D:propfind> must contain <D:prop>, <D:allprop/> or <D:propname/>",
            ));
        }
        let (selection, calendar_data) = selection(&root)?;
        Ok(PropfindRequest {
            selection,
            calendar_data,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xml::name::{APPLE_ICAL, CALDAV, CALENDARSERVER};

    fn allprop() -> Propfind {
        Propfind::AllProp { include: Vec::new() }
    }

    #[test]
    fn empty_body_means_allprop() {
        for body in [&b""[..], b"  \r\n"] {
            let req = PropfindRequest::parse(body).unwrap();
            assert_eq!(req.selection, allprop());
            assert_eq!(req.calendar_data, None);
        }
    }

    #[test]
    fn empty_propfind_element_means_allprop() {
        let req = PropfindRequest::parse(br#"<propfind xmlns="DAV:"/>"#).unwrap();
        assert_eq!(req.selection, allprop());
    }

    #[test]
    fn allprop_with_include_lists_the_extra_names() {
        let body = br#"<?xml version="1.0" encoding="utf-8" ?>
<D:propfind xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
  <D:allprop/>
  <D:include><C:supported-calendar-component-set/><C:calendar-timezone/></D:include>
</D:propfind>"#;
        let req = PropfindRequest::parse(body).unwrap();
        assert_eq!(
            req.selection,
            Propfind::AllProp {
                include: vec![
                    PropName::caldav("supported-calendar-component-set"),
                    PropName::caldav("calendar-timezone"),
                ]
            }
        );
    }

    #[test]
    fn propname_is_recognised() {
        let req = PropfindRequest::parse(br#"<propfind xmlns="DAV:"><propname/></propfind>"#).unwrap();
        assert_eq!(req.selection, Propfind::PropName);
    }

    #[test]
    fn davx5_collection_propfind_keeps_every_namespace() {
        // As DAVx5 sends it when refreshing a calendar collection.
        let body = br#"<?xml version='1.0' encoding='UTF-8' ?><propfind xmlns="DAV:" xmlns:CAL="urn:ietf:params:xml:ns:caldav" xmlns:CS="http://calendarserver.org/ns/" xmlns:IC="http://apple.com/ns/ical/"><prop><resourcetype /><displayname /><current-user-privilege-set /><CAL:supported-calendar-component-set /><CS:getctag /><sync-token /><IC:calendar-color /><CAL:calendar-description /><CAL:calendar-timezone /><owner /></prop></propfind>"#;
        let req = PropfindRequest::parse(body).unwrap();
        assert_eq!(
            req.selection,
            Propfind::Prop(vec![
                PropName::dav("resourcetype"),
                PropName::dav("displayname"),
                PropName::dav("current-user-privilege-set"),
                PropName::new(CALDAV, "supported-calendar-component-set"),
                PropName::new(CALENDARSERVER, "getctag"),
                PropName::dav("sync-token"),
                PropName::new(APPLE_ICAL, "calendar-color"),
                PropName::new(CALDAV, "calendar-description"),
                PropName::new(CALDAV, "calendar-timezone"),
                PropName::dav("owner"),
            ])
        );
        assert_eq!(req.calendar_data, None);
    }

    #[test]
    fn apple_calendar_home_propfind_is_parsed() {
        let body = br#"<?xml version="1.0" encoding="UTF-8"?>
<A:propfind xmlns:A="DAV:">
  <A:prop>
    <A:add-member/>
    <C:allowed-sharing-modes xmlns:C="http://calendarserver.org/ns/"/>
    <D:autoprovisioned xmlns:D="http://apple.com/ns/ical/"/>
    <E:bulk-requests xmlns:E="http://me.com/_namespace/"/>
    <B:calendar-alarm xmlns:B="urn:ietf:params:xml:ns:caldav"/>
    <D:calendar-color xmlns:D="http://apple.com/ns/ical/"/>
    <D:calendar-order xmlns:D="http://apple.com/ns/ical/"/>
    <C:getctag xmlns:C="http://calendarserver.org/ns/"/>
    <A:quota-available-bytes/>
    <A:resource-id/>
    <A:resourcetype/>
    <B:schedule-calendar-transp xmlns:B="urn:ietf:params:xml:ns:caldav"/>
    <A:sync-token/>
  </A:prop>
</A:propfind>"#;
        let Propfind::Prop(names) = PropfindRequest::parse(body).unwrap().selection else {
            panic!("expected a prop selection");
        };
        assert_eq!(names.len(), 13);
        assert_eq!(names[3], PropName::new("http://me.com/_namespace/", "bulk-requests"));
        assert_eq!(names[5], PropName::apple_ical("calendar-color"));
        assert_eq!(names[12], PropName::dav("sync-token"));
    }

    #[test]
    fn thunderbird_propfind_with_calendar_data_is_captured() {
        let body = br#"<D:propfind xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><D:getetag/><C:calendar-data><C:expand start="20060103T000000Z" end="20060105T000000Z"/></C:calendar-data></D:prop></D:propfind>"#;
        let req = PropfindRequest::parse(body).unwrap();
        assert_eq!(
            req.selection,
            Propfind::Prop(vec![PropName::dav("getetag"), PropName::caldav("calendar-data")])
        );
        let data = req.calendar_data.unwrap();
        assert_eq!(data.expand.unwrap().start, Some(1_136_246_400));
    }

    #[test]
    fn wrong_root_is_reported_with_both_names() {
        let err = PropfindRequest::parse(br#"<D:propertyupdate xmlns:D="DAV:"/>"#).unwrap_err();
        assert_eq!(
            err,
            XmlError::UnexpectedRoot {
                expected: "{DAV:}propfind".into(),
                found: PropName::dav("propertyupdate"),
            }
        );
    }

    #[test]
    fn propfind_in_the_wrong_namespace_is_the_wrong_root() {
        let err = PropfindRequest::parse(br#"<propfind><prop/></propfind>"#).unwrap_err();
        assert!(matches!(err, XmlError::UnexpectedRoot { .. }));
    }

    #[test]
    fn propfind_with_only_unknown_children_is_invalid() {
        let err = PropfindRequest::parse(br#"<propfind xmlns="DAV:"><bogus/></propfind>"#).unwrap_err();
        assert!(matches!(err, XmlError::Invalid { precondition: None, .. }));
    }

    #[test]
    fn malformed_propfind_is_malformed() {
        let err = PropfindRequest::parse(br#"<propfind xmlns="DAV:"><prop></propfind>"#).unwrap_err();
        assert!(matches!(err, XmlError::Malformed(_)));
    }
}
