//! PUT: store a resource, enforcing the HTTP and CalDAV preconditions.
//!
//! In a calendar collection the body must be one valid calendar object resource
//! (RFC 4791 §4.1, §5.3.2): parseable, one UID, one component type the collection accepts,
//! within the size and attendee limits, and no other object of the calendar may hold its
//! UID. The stored bytes are the bytes sent, so the ETag returned is the one a later GET
//! gives (RFC 4791 §5.3.4), unless the hooks rewrite the object (implicit scheduling adds
//! SCHEDULE-STATUS): then no ETag is returned. In a plain collection any content is stored
//! as is.

use super::{empty, etag_header};
use crate::context::DavContext;
use crate::error::{DavError, DavResult};
use crate::path;
use crate::props::supported_components;
use crate::resource::{Parent, Resource};
use bytes::Bytes;
use calinvite_imip::ical::{CalendarObject, IcalError};
use calinvite_storage::{Collection, CollectionKind, Effects, ObjectWrite, Precondition, StoreError, TimeRange};
use http::{HeaderMap, Response, StatusCode, header};

pub async fn handle(
    ctx: &DavContext,
    resource: &Resource,
    headers: &HeaderMap,
    body: Bytes,
) -> DavResult<Response<Bytes>> {
    let (collection, name) = match resource {
        Resource::Object { collection, meta } => (collection, meta.name.clone()),
        Resource::Missing(m) => match &m.parent {
            Parent::Collection(c) => (c, m.name().to_string()),
            Parent::Home => {
                return Err(DavError::method_not_allowed(
                    "resources are created inside a collection, not directly in the home",
                ));
            }
            // RFC 4918 §9.7.1: PUT under a missing parent is 409.
            Parent::Absent => return Err(DavError::conflict("the parent collection does not exist")),
        },
        _ => return Err(DavError::method_not_allowed("PUT on a collection is not allowed")),
    };
    let precondition = precondition(headers, resource)?;
    let mut rewritten = false;
    let (write, effects) = match collection.kind {
        CollectionKind::Calendar => {
            let (mut write, mut object) = calendar_write(ctx, collection, headers, body)?;
            if let Some(text) = ctx.hooks.rewrite(&ctx.principal, collection, &object).await {
                // Validated again: what is stored must pass the same checks as a client's PUT.
                (write, object) = calendar_write(ctx, collection, headers, Bytes::from(text))?;
                rewritten = true;
            }
            let effects = ctx.hooks.on_put(&ctx.principal, collection, &name, &object).await;
            (write, effects)
        }
        CollectionKind::Plain => (
            ObjectWrite {
                content_type: content_type(headers).unwrap_or("application/octet-stream").to_string(),
                body: body.to_vec(),
                uid: None,
                component: None,
                time_range: None,
            },
            Effects::default(),
        ),
    };
    let result = ctx
        .store
        .put_object(collection.id, &name, write, precondition, effects)
        .await;
    let (outcome, _) = result.map_err(|e| match e {
        StoreError::UidConflict { uid, existing } => {
            let mut err = DavError::from(StoreError::UidConflict {
                uid,
                existing: existing.clone(),
            });
            err.status = StatusCode::FORBIDDEN;
            err.hrefs = vec![path::object_href(&ctx.principal.name, &collection.path, &existing)];
            err
        }
        other => other.into(),
    })?;
    let mut resp = empty(if outcome.created {
        StatusCode::CREATED
    } else {
        StatusCode::NO_CONTENT
    });
    // RFC 4791 §5.3.4: no ETag when the stored object is not the one sent, so the client
    // fetches what the server stored (here: with SCHEDULE-STATUS, RFC 6638 §3.2).
    if !rewritten {
        resp.headers_mut().insert(header::ETAG, etag_header(&outcome.etag));
    }
    Ok(resp)
}

fn content_type(headers: &HeaderMap) -> Option<&str> {
    headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok())
}

fn calendar_write(
    ctx: &DavContext,
    collection: &Collection,
    headers: &HeaderMap,
    body: Bytes,
) -> DavResult<(ObjectWrite, CalendarObject)> {
    // RFC 4791 §5.3.2.1 supported-calendar-data: only iCalendar goes into a calendar.
    if let Some(ct) = content_type(headers) {
        let media = ct.split(';').next().unwrap_or("").trim();
        if !media.eq_ignore_ascii_case("text/calendar") {
            return Err(DavError::caldav(
                StatusCode::FORBIDDEN,
                "supported-calendar-data",
                format!("a calendar collection stores text/calendar, not {media}"),
            ));
        }
    }
    if body.len() as u64 > ctx.limits.max_size as u64 {
        return Err(DavError::caldav(
            StatusCode::FORBIDDEN,
            "max-resource-size",
            format!(
                "the object has {} bytes, more than the {} allowed",
                body.len(),
                ctx.limits.max_size
            ),
        ));
    }
    let object = CalendarObject::parse(&body, &ctx.limits).map_err(ical_error)?;
    let component = object.component().name();
    let supported = supported_components(collection);
    if !supported.iter().any(|c| c == component) {
        return Err(DavError::caldav(
            StatusCode::FORBIDDEN,
            "supported-calendar-component",
            format!("this calendar does not accept {component}"),
        ));
    }
    let time_range = if object.always_in_range() {
        Some(TimeRange {
            start: i64::MIN / 2,
            end: None,
        })
    } else {
        object.span().map(|s| TimeRange {
            start: s.start,
            end: s.end,
        })
    };
    let write = ObjectWrite {
        content_type: "text/calendar; charset=utf-8".into(),
        uid: Some(object.uid().to_string()),
        component: Some(component.to_string()),
        time_range,
        body: body.to_vec(),
    };
    Ok((write, object))
}

/// Maps an iCalendar validation error to its CalDAV precondition (RFC 4791 §5.3.2.1).
pub fn ical_error(e: IcalError) -> DavError {
    DavError::caldav(StatusCode::FORBIDDEN, e.precondition(), e.to_string())
}

/// The store precondition for `If-Match` / `If-None-Match` (RFC 9110 §13.1).
pub fn precondition(headers: &HeaderMap, resource: &Resource) -> DavResult<Precondition> {
    if let Some(im) = headers.get(header::IF_MATCH).and_then(|v| v.to_str().ok()) {
        let im = im.trim();
        if im == "*" {
            return Ok(Precondition::IfExists);
        }
        let tags: Vec<&str> = im.split(',').map(|t| t.trim().trim_matches('"')).collect();
        return match (resource, tags.as_slice()) {
            (Resource::Object { meta, .. }, _) if tags.contains(&meta.etag.as_str()) => {
                Ok(Precondition::IfMatch(meta.etag.clone()))
            }
            (_, [one]) => Ok(Precondition::IfMatch(one.to_string())),
            _ => Err(DavError::precondition_failed(
                "If-Match does not match the current ETag",
            )),
        };
    }
    if let Some(inm) = headers.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()) {
        if inm.trim() == "*" {
            return Ok(Precondition::IfNotExists);
        }
        if let Resource::Object { meta, .. } = resource
            && super::get::etag_list_contains(inm, &meta.etag)
        {
            return Err(DavError::precondition_failed("If-None-Match matches the current ETag"));
        }
    }
    Ok(Precondition::None)
}
