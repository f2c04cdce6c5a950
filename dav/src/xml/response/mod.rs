//! Response bodies: multistatus (RFC 4918 §13, §14.16), precondition errors (RFC 4918 §16)
//! and propname listings.
//!
//! Every document declares the same four prefixes on its root (`D:`, `C:`, `CS:`, `ICAL:`)
//! and never a default namespace; an element in any other namespace declares its own prefix
//! on itself. That one rule is what lets stored dead-property fragments (see
//! [`PropValue`](crate::xml::PropValue)) be pasted in verbatim and stay correct.

pub mod error;
pub mod multistatus;
pub mod propname;

pub use crate::xml::href::{href_decode, href_encode};
pub use error::{error_body, error_body_with_hrefs};
pub use multistatus::{MultistatusWriter, Out, PropValueOut, Propstat, Response, ResponseBody};
pub use propname::propname_body;

use crate::xml::escape;
use crate::xml::name::{APPLE_ICAL, CALDAV, CALENDARSERVER, DAV, PropName};
use crate::xml::value::PropValue;

/// The namespace declarations written on every response root.
pub(crate) const ROOT_NAMESPACES: &str = concat!(
    " xmlns:D=\"DAV:\"",
    " xmlns:C=\"urn:ietf:params:xml:ns:caldav\"",
    " xmlns:CS=\"http://calendarserver.org/ns/\"",
    " xmlns:ICAL=\"http://apple.com/ns/ical/\"",
);

/// The XML declaration every response starts with.
pub(crate) const XML_DECL: &str = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n";

fn root_prefix(ns: &str) -> Option<&'static str> {
    match ns {
        DAV => Some("D"),
        CALDAV => Some("C"),
        CALENDARSERVER => Some("CS"),
        APPLE_ICAL => Some("ICAL"),
        _ => None,
    }
}

/// Writes `<qname` (plus a namespace declaration when the root has none for it) and returns
/// the qualified name for the end tag. `in_document` says the root declarations are in
/// scope; standalone elements declare even the well-known namespaces.
pub(crate) fn start_tag(out: &mut String, name: &PropName, in_document: bool) -> String {
    if name.ns.is_empty() {
        // No default namespace is ever in scope, so an unprefixed name has no namespace.
        out.push('<');
        out.push_str(&name.local);
        return name.local.clone();
    }
    let known = root_prefix(&name.ns);
    let prefix = known.unwrap_or("X");
    let qname = format!("{prefix}:{}", name.local);
    out.push('<');
    out.push_str(&qname);
    if !(in_document && known.is_some()) {
        out.push_str(" xmlns:");
        out.push_str(prefix);
        out.push_str("=\"");
        escape::attr_into(out, &name.ns);
        out.push('"');
    }
    qname
}

/// Writes `<name/>`.
pub(crate) fn empty_element(out: &mut String, name: &PropName, in_document: bool) {
    start_tag(out, name, in_document);
    out.push_str("/>");
}

/// Writes a dead property element with its stored value and `xml:lang`.
pub(crate) fn write_dead_property(out: &mut String, name: &PropName, value: &PropValue, in_document: bool) {
    let qname = start_tag(out, name, in_document);
    if let Some(lang) = value.lang() {
        out.push_str(" xml:lang=\"");
        escape::attr_into(out, lang);
        out.push('"');
    }
    if value.is_empty() {
        out.push_str("/>");
    } else {
        out.push('>');
        out.push_str(value.xml());
        out.push_str("</");
        out.push_str(&qname);
        out.push('>');
    }
}
