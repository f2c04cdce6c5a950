//! Writing an event's object the way a calendar client does: a CalDAV PUT or DELETE
//! through `dav_service::internal`, so validation, indexing and the lifecycle (register,
//! compare, raise SEQUENCE, tell recipients) are the same for the API as for CalDAV.

use super::{calendar_path, dav_reason, href};
use crate::app::App;
use crate::http::Body;
use bytes::Bytes;
use calinvite_storage::{Collection, EventRecord, Principal};
use http::{Method, Response, StatusCode, header};

/// An object written.
pub(crate) struct Written {
    pub created: bool,
    pub event: EventRecord,
    pub calendar: String,
}

/// Why an object was not written.
pub(crate) enum WriteError {
    /// The CalDAV layer refused it: its status and reason.
    Refused { status: StatusCode, reason: String },
    /// A response to send as it is (the store failed).
    Response(Response<Body>),
}

/// Where an event with this UID lives or will live: an existing live event stays where
/// it is (a UID is one event per organizer), a new one goes in `calendar`.
pub(crate) async fn target(
    app: &App,
    principal: &Principal,
    calendar: &Collection,
    uid: &str,
) -> Result<(Collection, String), WriteError> {
    let store_err = |e| WriteError::Response(super::store_error(e));
    if let Some(event) = app.store.event_by_uid(principal.id, uid).await.map_err(store_err)?
        && !event.cancelled
        && let Some(home) = app.store.collection(event.collection).await.map_err(store_err)?
    {
        return Ok((home, event.object_name));
    }
    let name = match app
        .store
        .object_name_by_uid(calendar.id, uid)
        .await
        .map_err(store_err)?
    {
        Some(name) => name,
        None => super::object_name(uid),
    };
    Ok((calendar.clone(), name))
}

/// PUTs `body` as object `name` of `calendar`; `if_match` is the ETag read before an edit.
pub(crate) async fn put(
    app: &App,
    principal: &Principal,
    calendar: &Collection,
    name: &str,
    uid: &str,
    body: String,
    if_match: Option<&str>,
) -> Result<Written, WriteError> {
    let path = href(principal, &calendar.path, name);
    let quoted = if_match.map(|etag| format!("\"{etag}\""));
    let mut headers = vec![(header::CONTENT_TYPE, "text/calendar; charset=utf-8")];
    if let Some(q) = &quoted {
        headers.push((header::IF_MATCH, q.as_str()));
    }
    let resp = crate::dav_service::internal(app, principal, Method::PUT, &path, &headers, Bytes::from(body)).await;
    if !resp.status().is_success() {
        return Err(WriteError::Refused {
            status: resp.status(),
            reason: dav_reason(&resp),
        });
    }
    // The lifecycle may have queued updates; senders need not wait for their next poll.
    app.wake.notify_waiters();
    let event = match app.store.event_by_uid(principal.id, uid).await {
        Ok(Some(e)) => e,
        Ok(None) => {
            return Err(WriteError::Refused {
                status: StatusCode::UNPROCESSABLE_ENTITY,
                reason: "the object was stored but is not an event (no VEVENT)".into(),
            });
        }
        Err(e) => return Err(WriteError::Response(super::store_error(e))),
    };
    let calendar = calendar_path(app, event.collection)
        .await
        .map_err(WriteError::Response)?;
    Ok(Written {
        created: resp.status() == StatusCode::CREATED,
        event,
        calendar,
    })
}

/// DELETEs an event's object; the lifecycle sends the CANCELs.
pub(crate) async fn delete(app: &App, principal: &Principal, event: &EventRecord) -> Result<(), WriteError> {
    let calendar = calendar_path(app, event.collection)
        .await
        .map_err(WriteError::Response)?;
    let path = href(principal, &calendar, &event.object_name);
    let resp = crate::dav_service::internal(app, principal, Method::DELETE, &path, &[], Bytes::new()).await;
    if !resp.status().is_success() {
        return Err(WriteError::Refused {
            status: resp.status(),
            reason: dav_reason(&resp),
        });
    }
    app.wake.notify_waiters();
    Ok(())
}
