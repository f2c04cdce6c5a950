//! `PATCH /api/v1/events/{uid}`: a JSON merge patch (RFC 7396) of an event.
//!
//! iCalendar fields are edited in the stored object's master VEVENT and PUT back with
//! `If-Match` on the ETag read, so the lifecycle compares the versions, raises SEQUENCE
//! and tells the Yes/Maybe recipients when the change matters, and a concurrent edit is
//! detected instead of lost (409). A client that read the event's ETag (GET with `Accept:
//! text/calendar`) may send it as `If-Match` to make the edit conditional on that version.
//! Groups, custom data and the approval mode are registry
//! fields; the approval mode is set before the PUT so it already applies to this change.

use super::show::event_json;
use super::write::{self, WriteError};
use super::{clean_group, find_live_event, parse_approval};
use crate::api::json;
use crate::api::problem::{bad_request, problem, store_error};
use crate::app::App;
use crate::http::Body;
use calinvite_imip::author::{self, EventPatch, EventTime};
use calinvite_storage::{EventUpsert, Principal};
use http::{HeaderMap, Response, StatusCode, header};
use serde_json::Value;

pub async fn handle(app: &App, principal: &Principal, uid: &str, headers: &HeaderMap, body: &[u8]) -> Response<Body> {
    let client_etag = headers
        .get(header::IF_MATCH)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.trim().trim_start_matches("W/").trim_matches('"').to_string())
        .filter(|v| !v.is_empty() && v != "*");
    let fields = match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(m)) => m,
        Ok(_) => return bad_request("the body must be a JSON object of the fields to change"),
        Err(e) => return bad_request(format!("the body is not JSON: {e}")),
    };
    let event = match find_live_event(app, principal, uid).await {
        Ok(e) => e,
        Err(resp) => return resp,
    };
    let mut patch = EventPatch::default();
    let mut registry = EventUpsert::at(principal.id, uid, event.collection, &event.object_name);
    let (mut start, mut end) = (None, None);
    for (key, value) in &fields {
        let text = || -> Result<Option<String>, String> {
            match value {
                Value::Null => Ok(None),
                Value::String(s) => Ok(Some(s.clone())),
                _ => Err(format!("{key} must be a string or null")),
            }
        };
        match key.as_str() {
            "summary" => match text() {
                Ok(Some(s)) => patch.summary = Some(s),
                Ok(None) => return bad_request("summary cannot be removed"),
                Err(reason) => return bad_request(reason),
            },
            "start" => match text() {
                Ok(Some(s)) => start = Some(s),
                Ok(None) => return bad_request("start cannot be removed"),
                Err(reason) => return bad_request(reason),
            },
            "end" => match text() {
                Ok(e) => end = Some(e),
                Err(reason) => return bad_request(reason),
            },
            "time_zone" => match text() {
                Ok(Some(z)) => match author::parse_zone(&z) {
                    Ok(tz) => patch.time_zone = Some(Some(tz)),
                    Err(e) => return bad_request(e.to_string()),
                },
                Ok(None) => patch.time_zone = Some(None),
                Err(reason) => return bad_request(reason),
            },
            "location" => match text() {
                Ok(v) => patch.location = Some(v),
                Err(reason) => return bad_request(reason),
            },
            "description" => match text() {
                Ok(v) => patch.description = Some(v),
                Err(reason) => return bad_request(reason),
            },
            "status" => match text() {
                Ok(v) => patch.status = Some(v),
                Err(reason) => return bad_request(reason),
            },
            "rrule" => match text() {
                Ok(v) => patch.rrule = Some(v),
                Err(reason) => return bad_request(reason),
            },
            "groups" => {
                let names = match value {
                    Value::Null => Vec::new(),
                    Value::Array(items) => {
                        let mut names = Vec::new();
                        for item in items {
                            match item.as_str().map(clean_group) {
                                Some(Ok(g)) if !names.contains(&g) => names.push(g),
                                Some(Ok(_)) => {}
                                Some(Err(reason)) => return bad_request(reason),
                                None => return bad_request("groups must be an array of names"),
                            }
                        }
                        names
                    }
                    _ => return bad_request("groups must be an array of names"),
                };
                registry.groups = Some(names);
            }
            "custom" => match value {
                Value::Null => registry.custom = Some(String::new()),
                Value::Object(_) => registry.custom = Some(value.to_string()),
                _ => return bad_request("custom must be a JSON object or null"),
            },
            "approval" => match value.as_str().and_then(parse_approval) {
                Some(a) => registry.approval = Some(a),
                None => return bad_request("approval must be inherit, auto or hold"),
            },
            _ => {
                return bad_request(format!(
                    "unknown field `{key}`; an event has summary, start, end, time_zone, location, \
                     description, status, rrule, groups, custom and approval"
                ));
            }
        }
    }

    if let Some(approval) = registry.approval.take() {
        let mut first = EventUpsert::at(principal.id, uid, event.collection, &event.object_name);
        first.approval = Some(approval);
        if let Err(e) = app.store.upsert_event(first).await {
            return store_error(e);
        }
    }
    let touches_object = start.is_some() || end.is_some() || patch != EventPatch::default();
    if touches_object {
        let object = match app.store.object(event.collection, &event.object_name).await {
            Ok(Some(o)) => o,
            Ok(None) => return problem(StatusCode::GONE, "event-deleted", format!("event {uid} has no object")),
            Err(e) => return store_error(e),
        };
        // A local time without time_zone is read in the event's current zone.
        let zone = match patch.time_zone {
            Some(z) => z,
            None => calinvite_imip::imip::event_summary(&object.body)
                .ok()
                .and_then(|f| f.tz)
                .and_then(|t| t.parse().ok()),
        };
        if let Some(s) = &start {
            match EventTime::parse("start", s, zone) {
                Ok(t) => patch.start = Some(t),
                Err(e) => return bad_request(e.to_string()),
            }
        }
        if let Some(e) = &end {
            match e.as_deref().map(|e| EventTime::parse("end", e, zone)).transpose() {
                Ok(t) => patch.end = Some(t),
                Err(e) => return bad_request(e.to_string()),
            }
        }
        let edited = match author::edit_event(&object.body, &patch, calinvite_storage::now()) {
            Ok(t) => t,
            Err(e) => return bad_request(e.to_string()),
        };
        let calendar = match app.store.collection(event.collection).await {
            Ok(Some(c)) => c,
            Ok(None) => {
                return problem(
                    StatusCode::GONE,
                    "event-deleted",
                    format!("event {uid} has no calendar"),
                );
            }
            Err(e) => return store_error(e),
        };
        let put = write::put(
            app,
            principal,
            &calendar,
            &event.object_name,
            uid,
            edited,
            Some(client_etag.as_deref().unwrap_or(&object.meta.etag)),
        )
        .await;
        match put {
            Ok(_) => {}
            Err(WriteError::Response(r)) => return r,
            Err(WriteError::Refused { status, .. }) if status == StatusCode::PRECONDITION_FAILED => {
                return problem(
                    StatusCode::CONFLICT,
                    "edited-concurrently",
                    format!("event {uid} was changed while this edit was made; read it again and retry"),
                );
            }
            Err(WriteError::Refused { reason, .. }) => {
                return problem(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "calendar-refused",
                    format!("the edited event {uid} was not stored: {reason}"),
                );
            }
        }
    }
    if (registry.groups.is_some() || registry.custom.is_some())
        && let Err(e) = app.store.upsert_event(registry).await
    {
        return store_error(e);
    }
    tracing::info!(uid, object = touches_object, "event edited through the API");
    let event = match find_live_event(app, principal, uid).await {
        Ok(e) => e,
        Err(resp) => return resp,
    };
    let body = match app.store.object(event.collection, &event.object_name).await {
        Ok(o) => o.map(|o| o.body),
        Err(e) => return store_error(e),
    };
    match event_json(app, principal, &event, body.as_deref()).await {
        Ok(v) => json(StatusCode::OK, &v),
        Err(resp) => resp,
    }
}
