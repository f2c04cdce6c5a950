//! Request bodies, one module per body type. Each parser takes the raw body bytes and returns
//! a typed value or an [`XmlError`](super::XmlError) that says what to fix; none of them
//! panic, whatever the input.
//!
//! Unknown elements are skipped wherever the RFCs allow extension (RFC 4918 §17: "ignore any
//! unknown XML element and all its children"), so newer clients keep working.

pub mod calendar_data;
pub mod filter;
pub mod mkcol;
pub mod principal;
pub mod propfind;
pub mod proppatch;
pub mod report;
pub mod time;

pub use mkcol::{MkcolKind, MkcolRequest};
pub use propfind::{Propfind, PropfindRequest};
pub use proppatch::{PatchInstruction, parse_proppatch};
pub use report::{CalendarMultiget, CalendarQuery, FreeBusyQuery, Report, SyncCollection, SyncLevel};

use calinvite_imip::query::CalendarDataRequest;

use super::error::XmlError;
use super::name::{CALDAV, DAV, PropName};
use super::tree::{self, Element};

/// Parses `body` and checks its document element is `{ns}local`.
pub(crate) fn document(body: &[u8], ns: &str, local: &str) -> Result<Element, XmlError> {
    let root = tree::parse(body)?;
    if !root.is(ns, local) {
        return Err(XmlError::UnexpectedRoot {
            expected: PropName::new(ns, local).to_string(),
            found: root.name,
        });
    }
    Ok(root)
}

/// The names of the child elements of a `<D:prop>` (or `<D:include>`).
pub(crate) fn names(prop: &Element) -> Vec<PropName> {
    prop.elements().map(|e| e.name.clone()).collect()
}

/// The `(allprop [include] | propname | prop)` selection inside `parent` (RFC 4918 §14.20,
/// reused by REPORT bodies, RFC 4791 §9.5), and the `<C:calendar-data>` request inside the
/// `<D:prop>`, if any. A missing selection is `Prop(vec![])`: only hrefs are asked for.
pub(crate) fn selection(parent: &Element) -> Result<(Propfind, Option<CalendarDataRequest>), XmlError> {
    for el in parent.elements() {
        if el.is(DAV, "allprop") {
            // RFC 4918 §9.1: DAV:include names extra properties for allprop.
            let include = parent.child(DAV, "include").map(names).unwrap_or_default();
            return Ok((Propfind::AllProp { include }, None));
        }
        if el.is(DAV, "propname") {
            return Ok((Propfind::PropName, None));
        }
        if el.is(DAV, "prop") {
            let calendar_data = el
                .child(CALDAV, "calendar-data")
                .map(calendar_data::parse)
                .transpose()?;
            return Ok((Propfind::Prop(names(el)), calendar_data));
        }
    }
    Ok((Propfind::Prop(Vec::new()), None))
}

/// `<D:limit><D:nresults>n</D:nresults></D:limit>` (RFC 5323 §5.17, used by RFC 6578 §3.7)
/// or its CalDAV twin; `ns` is the namespace of both elements.
pub(crate) fn limit(parent: &Element, ns: &str) -> Result<Option<u32>, XmlError> {
    let Some(limit) = parent.child(ns, "limit") else {
        return Ok(None);
    };
    let nresults = limit
        .child(ns, "nresults")
        .ok_or_else(|| XmlError::invalid("<limit> must contain <nresults>"))?;
    let text = nresults.text();
    let n = text.trim().parse::<u32>().map_err(|_| {
        XmlError::invalid(format!(
            "<nresults> must be a non-negative integer, got {:?}",
            text.trim()
        ))
    })?;
    Ok(Some(n))
}
