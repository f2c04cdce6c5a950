//! PROPFIND (RFC 4918 §9.1) at Depth 0 or 1; Depth infinity is refused with
//! `propfind-finite-depth`, as the RFC allows, because it costs unbounded work.
//!
//! A Depth 1 listing reads every member's metadata in one store call and never an object
//! body, unless the client asked for `calendar-data`, in which case the bodies come in one
//! batch too: the cost is linear in the collection, with no query per member.

use super::{Depth, depth, multistatus};
use crate::context::DavContext;
use crate::error::{DavError, DavResult};
use crate::resource::Resource;
use crate::respond::properties;
use crate::xml::request::propfind::PropfindRequest;
use crate::xml::response::MultistatusWriter;
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
    let depth = depth(headers, Depth::Infinity)?;
    if depth == Depth::Infinity {
        return Err(DavError::dav(
            StatusCode::FORBIDDEN,
            "propfind-finite-depth",
            "PROPFIND with Depth: infinity is not supported",
        ));
    }
    let request = PropfindRequest::parse(body)?;
    let wants_data = request.selection.asks_for(crate::props::NS_CALDAV, "calendar-data");
    let mut w = MultistatusWriter::new();
    let own_body = match (resource, wants_data) {
        (Resource::Object { collection, meta }, true) => {
            ctx.store.object(collection.id, &meta.name).await?.map(|o| o.body)
        }
        _ => None,
    };
    w.response(
        &resource.href(ctx),
        properties(
            ctx,
            resource,
            &request.selection,
            request.calendar_data.as_ref(),
            own_body.as_deref(),
            None,
        ),
    );
    if depth == Depth::One {
        for (child, body) in children(ctx, resource, wants_data).await? {
            w.response(
                &child.href(ctx),
                properties(
                    ctx,
                    &child,
                    &request.selection,
                    request.calendar_data.as_ref(),
                    body.as_deref(),
                    None,
                ),
            );
        }
    }
    Ok(multistatus(w.finish()))
}

/// The members of a collection resource, with bodies when asked.
pub async fn children(
    ctx: &DavContext,
    resource: &Resource,
    with_bodies: bool,
) -> DavResult<Vec<(Resource, Option<Vec<u8>>)>> {
    let me = &ctx.principal;
    let mut out = Vec::new();
    match resource {
        Resource::Root => {
            out.push((Resource::PrincipalsRoot, None));
            out.push((Resource::CalendarsRoot, None));
        }
        Resource::PrincipalsRoot => out.push((Resource::Principal(me.clone()), None)),
        Resource::CalendarsRoot => out.push((Resource::Home(me.clone()), None)),
        Resource::Home(_) => {
            for c in ctx.store.child_collections(me.id, "").await? {
                out.push((Resource::Collection(c), None));
            }
            out.push((Resource::Inbox(me.clone()), None));
            out.push((Resource::Outbox(me.clone()), None));
        }
        Resource::Collection(c) => {
            for sub in ctx.store.child_collections(me.id, &c.path).await? {
                out.push((Resource::Collection(sub), None));
            }
            if with_bodies {
                for o in ctx.store.list_objects_full(c.id).await? {
                    out.push((
                        Resource::Object {
                            collection: c.clone(),
                            meta: o.meta,
                        },
                        Some(o.body),
                    ));
                }
            } else {
                for meta in ctx.store.list_objects(c.id).await? {
                    out.push((
                        Resource::Object {
                            collection: c.clone(),
                            meta,
                        },
                        None,
                    ));
                }
            }
        }
        _ => {}
    }
    Ok(out)
}
