//! Principal reports (RFC 3744 §9): clients use them to find the current user's principal
//! and its addresses. A user sees only its own principal, so no account list leaks.

use crate::context::DavContext;
use crate::error::DavResult;
use crate::methods::multistatus;
use crate::resource::Resource;
use crate::respond::properties;
use crate::xml::PropName;
use crate::xml::request::principal::{MatchType, PrincipalMatch, PrincipalPropertySearch, SearchTest};
use crate::xml::request::propfind::Propfind;
use crate::xml::response::MultistatusWriter;
use bytes::Bytes;
use http::Response;

pub fn property_search(ctx: &DavContext, s: &PrincipalPropertySearch) -> DavResult<Response<Bytes>> {
    let me = &ctx.principal;
    let values = |name: &PropName| -> Vec<String> {
        match (name.ns.as_str(), name.local.as_str()) {
            ("DAV:", "displayname") => vec![me.display_name.clone(), me.name.clone()],
            ("urn:ietf:params:xml:ns:caldav", "calendar-user-address-set") => {
                me.emails.iter().map(|e| format!("mailto:{e}")).collect()
            }
            _ => vec![],
        }
    };
    let test = |search: &crate::xml::request::principal::PropertySearch| {
        let needle = search.text.to_lowercase();
        search.props.iter().any(|p| {
            values(p).iter().any(|v| {
                let v = v.to_lowercase();
                match search.match_type {
                    MatchType::Equals => v == needle,
                    MatchType::StartsWith => v.starts_with(&needle),
                    _ => v.contains(&needle),
                }
            })
        })
    };
    let matched = s.searches.is_empty()
        || match s.test {
            SearchTest::AnyOf => s.searches.iter().any(test),
            SearchTest::AllOf => s.searches.iter().all(test),
        };
    let mut w = MultistatusWriter::new();
    if matched {
        let r = Resource::Principal(me.clone());
        w.response(
            &r.href(ctx),
            properties(ctx, &r, &Propfind::Prop(selection(&s.props)), None, None, None),
        );
    }
    Ok(multistatus(w.finish()))
}

/// The properties to return. An empty `<D:prop/>` gets the ones every principal search
/// is made for (python caldav sends its wanted names beside an empty prop element).
fn selection(props: &[PropName]) -> Vec<PropName> {
    if !props.is_empty() {
        return props.to_vec();
    }
    vec![
        PropName::dav("displayname"),
        PropName::dav("principal-URL"),
        PropName::caldav("calendar-home-set"),
        PropName::caldav("calendar-user-address-set"),
    ]
}

pub fn search_property_set() -> Response<Bytes> {
    let body = concat!(
        r#"<?xml version="1.0" encoding="utf-8"?>"#,
        r#"<D:principal-search-property-set xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">"#,
        r#"<D:principal-search-property><D:prop><D:displayname/></D:prop>"#,
        r#"<D:description xml:lang="en">Display name</D:description></D:principal-search-property>"#,
        r#"<D:principal-search-property><D:prop><C:calendar-user-address-set/></D:prop>"#,
        r#"<D:description xml:lang="en">Mail address</D:description></D:principal-search-property>"#,
        r#"</D:principal-search-property-set>"#
    );
    crate::methods::with_body(http::StatusCode::OK, "application/xml; charset=utf-8", body)
}

pub fn principal_match(ctx: &DavContext, m: &PrincipalMatch) -> DavResult<Response<Bytes>> {
    let r = Resource::Principal(ctx.principal.clone());
    let mut w = MultistatusWriter::new();
    w.response(
        &r.href(ctx),
        properties(ctx, &r, &Propfind::Prop(selection(&m.props)), None, None, None),
    );
    Ok(multistatus(w.finish()))
}
