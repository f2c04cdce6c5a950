//! The `<D:error>` body sent with a failed precondition or postcondition (RFC 4918 §16,
//! RFC 4791 §1.3), e.g. `<C:valid-calendar-data/>` on a 403 PUT.

use super::{ROOT_NAMESPACES, XML_DECL, start_tag};
use crate::xml::escape;
use crate::xml::href::href_encode;
use crate::xml::name::PropName;

/// Namespace of calinvite's human-readable message element inside `<D:error>` (whose
/// content model is open, RFC 4918 §14.5).
pub const MESSAGE_NS: &str = "http://calinvite.invalid/ns/";

/// `<D:error><precondition/></D:error>`, with an optional human-readable message.
pub fn error_body(precondition: &PropName, description: Option<&str>) -> Vec<u8> {
    error_body_with_hrefs(precondition, &[], description)
}

/// Like [`error_body`], with `<D:href>` children inside the condition element, for the
/// conditions that name a resource (RFC 4791 §5.3.2.1: `no-uid-conflict` carries the href
/// of the resource already using the UID).
pub fn error_body_with_hrefs(precondition: &PropName, hrefs: &[String], description: Option<&str>) -> Vec<u8> {
    let mut out = String::from(XML_DECL);
    out.push_str("<D:error");
    out.push_str(ROOT_NAMESPACES);
    out.push('>');
    let qname = start_tag(&mut out, precondition, true);
    if hrefs.is_empty() {
        out.push_str("/>");
    } else {
        out.push('>');
        for href in hrefs {
            out.push_str("<D:href>");
            escape::text_into(&mut out, &href_encode(href));
            out.push_str("</D:href>");
        }
        out.push_str("</");
        out.push_str(&qname);
        out.push('>');
    }
    if let Some(text) = description {
        out.push_str("<M:message xmlns:M=\"");
        out.push_str(MESSAGE_NS);
        out.push_str("\">");
        escape::text_into(&mut out, text);
        out.push_str("</M:message>");
    }
    out.push_str("</D:error>\n");
    out.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xml::name::{CALDAV, DAV};
    use crate::xml::tree;

    #[test]
    fn caldav_precondition_body_is_exact() {
        let body = error_body(&PropName::caldav("valid-calendar-data"), None);
        assert_eq!(
            String::from_utf8(body).unwrap(),
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<D:error xmlns:D=\"DAV:\" xmlns:C=\"urn:ietf:params:xml:ns:caldav\" xmlns:CS=\"http://calendarserver.org/ns/\" xmlns:ICAL=\"http://apple.com/ns/ical/\"><C:valid-calendar-data/></D:error>\n"
        );
    }

    #[test]
    fn no_uid_conflict_carries_the_conflicting_href() {
        let body = error_body_with_hrefs(
            &PropName::caldav("no-uid-conflict"),
            &["/dav/alice/work/other event.ics".to_owned()],
            Some("UID already used by <another> resource & more"),
        );
        let root = tree::parse(&body).unwrap();
        assert_eq!(root.name, PropName::dav("error"));
        let cond = root.child(CALDAV, "no-uid-conflict").unwrap();
        assert_eq!(
            cond.child(DAV, "href").unwrap().text(),
            "/dav/alice/work/other%20event.ics"
        );
        assert_eq!(
            root.child(MESSAGE_NS, "message").unwrap().text(),
            "UID already used by <another> resource & more"
        );
    }

    #[test]
    fn conditions_in_other_namespaces_declare_them() {
        let body = error_body(&PropName::new("urn:x-example", "quota"), None);
        let root = tree::parse(&body).unwrap();
        assert!(root.child("urn:x-example", "quota").is_some());
    }
}
