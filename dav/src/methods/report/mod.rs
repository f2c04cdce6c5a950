//! REPORT dispatch (RFC 3253 §3.6): the body's root element names the report.

mod calendar_query;
mod freebusy;
mod multiget;
mod principal;
mod sync_collection;

use crate::context::DavContext;
use crate::error::{DavError, DavResult};
use crate::resource::Resource;
use crate::xml::request::report::Report;
use bytes::Bytes;
use http::{HeaderMap, Response, StatusCode};

pub async fn handle(
    ctx: &DavContext,
    resource: &Resource,
    headers: &HeaderMap,
    body: &[u8],
) -> DavResult<Response<Bytes>> {
    if let Resource::Missing(_) = resource {
        return Err(DavError::not_found());
    }
    match Report::parse(body)? {
        Report::CalendarQuery(q) => calendar_query::handle(ctx, resource, headers, &q).await,
        Report::CalendarMultiget(m) => multiget::handle(ctx, resource, &m).await,
        Report::FreeBusyQuery(f) => freebusy::handle(ctx, resource, &f).await,
        Report::SyncCollection(s) => sync_collection::handle(ctx, resource, &s).await,
        Report::PrincipalPropertySearch(s) => principal::property_search(ctx, &s),
        Report::PrincipalSearchPropertySet => Ok(principal::search_property_set()),
        Report::PrincipalMatch(m) => principal::principal_match(ctx, &m),
        Report::AclPrincipalPropSet(_) => Ok(super::multistatus(
            crate::xml::response::MultistatusWriter::new().finish(),
        )),
        Report::ExpandProperty(_) | Report::Unknown(_) => Err(DavError::dav(
            StatusCode::FORBIDDEN,
            "supported-report",
            "this report is not supported on this resource",
        )),
    }
}

/// The calendar collection a calendar report runs on.
fn calendar_of(resource: &Resource) -> DavResult<&calinvite_storage::Collection> {
    match resource {
        Resource::Collection(c) if c.kind == calinvite_storage::CollectionKind::Calendar => Ok(c),
        Resource::Object { collection, .. } if collection.kind == calinvite_storage::CollectionKind::Calendar => {
            Ok(collection)
        }
        _ => Err(DavError::dav(
            StatusCode::FORBIDDEN,
            "supported-report",
            "this report runs on a calendar collection",
        )),
    }
}
