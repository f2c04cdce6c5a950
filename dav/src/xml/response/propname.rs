//! The answer to `<D:propname/>` (RFC 4918 §9.1): every property name a resource has, as
//! empty elements in a single 200 propstat.

use http::StatusCode;

use super::multistatus::{PropValueOut, Propstat, ResponseBody};
use crate::xml::name::PropName;

/// A response body listing `names` without values.
pub fn propname_body(names: impl IntoIterator<Item = PropName>) -> ResponseBody {
    ResponseBody::Propstat(vec![Propstat::new(
        StatusCode::OK,
        names.into_iter().map(PropValueOut::name_only).collect(),
    )])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xml::response::MultistatusWriter;

    #[test]
    fn propname_lists_empty_elements_under_200() {
        let mut w = MultistatusWriter::new();
        w.response(
            "/c/",
            propname_body([PropName::dav("displayname"), PropName::new("urn:z", "x")]),
        );
        let text = String::from_utf8(w.finish()).unwrap();
        assert!(
            text.contains(
                "<D:prop><D:displayname/><X:x xmlns:X=\"urn:z\"/></D:prop><D:status>HTTP/1.1 200 OK</D:status>"
            ),
            "{text}"
        );
    }
}
