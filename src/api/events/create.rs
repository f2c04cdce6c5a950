//! `POST /api/v1/events`: a JSON event, or a whole `text/calendar` file (a season of
//! games) imported in one call.
//!
//! An import goes on past a bad event: each one is stored or reported with its reason, so
//! a 272-game schedule with one broken game stores 271 and says which one failed. An
//! event whose UID is already there is updated in place, and the lifecycle tells its
//! recipients if the change matters, as for any other edit.

use super::write::{self, WriteError};
use super::{clean_group, find_calendar, merge_groups, query_pairs, summary_json};
use crate::api::json;
use crate::api::problem::{bad_request, problem, problem_with, store_error};
use crate::app::App;
use crate::http::Body;
use calinvite_imip::author::{self, EventDraft, EventTime};
use calinvite_storage::{Collection, EventUpsert, Principal};
use http::{HeaderMap, Response, StatusCode, header};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NewEvent {
    summary: String,
    start: String,
    #[serde(default)]
    end: Option<String>,
    #[serde(default)]
    time_zone: Option<String>,
    #[serde(default)]
    location: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    rrule: Option<String>,
    #[serde(default)]
    uid: Option<String>,
    #[serde(default)]
    groups: Vec<String>,
    #[serde(default)]
    custom: Option<serde_json::Value>,
}

pub async fn handle(
    app: &App,
    principal: &Principal,
    headers: &HeaderMap,
    query: Option<&str>,
    body: &[u8],
) -> Response<Body> {
    let mut calendar = "default".to_string();
    let mut groups = Vec::new();
    for (k, v) in query_pairs(query) {
        match k.as_str() {
            "calendar" => calendar = v,
            "group" => match clean_group(&v) {
                Ok(g) => groups.push(g),
                Err(reason) => return bad_request(reason),
            },
            _ => return bad_request(format!("unknown query parameter `{k}`; use calendar or group")),
        }
    }
    let calendar = match find_calendar(app, principal, &calendar).await {
        Ok(c) => c,
        Err(resp) => return resp,
    };
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    if content_type.starts_with("text/calendar") {
        import(app, principal, &calendar, &groups, body).await
    } else if content_type.is_empty() || content_type.starts_with("application/json") {
        create(app, principal, &calendar, &groups, body).await
    } else {
        problem(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-media-type",
            format!(
                "Content-Type {content_type} is neither application/json (one event) nor text/calendar (an import)"
            ),
        )
    }
}

/// One event from JSON fields.
async fn create(
    app: &App,
    principal: &Principal,
    calendar: &Collection,
    query_groups: &[String],
    body: &[u8],
) -> Response<Body> {
    let input: NewEvent = match serde_json::from_slice(body) {
        Ok(i) => i,
        Err(e) => return bad_request(format!("the body is not an event: {e}")),
    };
    let tz = match input.time_zone.as_deref().map(author::parse_zone).transpose() {
        Ok(tz) => tz,
        Err(e) => return bad_request(e.to_string()),
    };
    let start = match EventTime::parse("start", &input.start, tz) {
        Ok(t) => t,
        Err(e) => return bad_request(e.to_string()),
    };
    let end = match input.end.as_deref().map(|e| EventTime::parse("end", e, tz)).transpose() {
        Ok(t) => t,
        Err(e) => return bad_request(e.to_string()),
    };
    let custom = match input.custom {
        None => None,
        Some(v @ serde_json::Value::Object(_)) => Some(v.to_string()),
        Some(_) => return bad_request("custom must be a JSON object"),
    };
    let mut groups = Vec::new();
    for g in input.groups.iter().chain(query_groups) {
        match clean_group(g) {
            Ok(g) if !groups.contains(&g) => groups.push(g),
            Ok(_) => {}
            Err(reason) => return bad_request(reason),
        }
    }
    let uid = input
        .uid
        .map(|u| u.trim().to_string())
        .unwrap_or_else(|| format!("{:032x}@calinvite", rand::random::<u128>()));
    let draft = EventDraft {
        uid: uid.clone(),
        summary: input.summary,
        start,
        end,
        location: input.location,
        description: input.description,
        rrule: input.rrule,
    };
    let text = match author::build_event(&draft, calinvite_storage::now()) {
        Ok(t) => t,
        Err(e) => return bad_request(e.to_string()),
    };
    match store_one(app, principal, calendar, &uid, text, &groups, custom).await {
        Ok(Ok(item)) => {
            let created = item["created"].as_bool().unwrap_or(false);
            tracing::info!(uid, created, "event written through the API");
            json(
                StatusCode::CREATED,
                &serde_json::json!({
                    "created": u32::from(created),
                    "updated": u32::from(!created),
                    "failed": [],
                    "events": [item],
                }),
            )
        }
        Ok(Err((status, reason))) => problem(
            if status == StatusCode::CONFLICT {
                StatusCode::CONFLICT
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            },
            "calendar-refused",
            format!("event {uid} was not stored: {reason}"),
        ),
        Err(resp) => resp,
    }
}

/// Every event of a calendar file.
async fn import(
    app: &App,
    principal: &Principal,
    calendar: &Collection,
    groups: &[String],
    body: &[u8],
) -> Response<Body> {
    let split = match author::split_calendar(body) {
        Ok(s) => s,
        Err(e) => return bad_request(format!("the body is not a calendar file: {e}")),
    };
    let mut failed: Vec<serde_json::Value> = split
        .failures
        .iter()
        .map(|f| serde_json::json!({ "uid": f.uid, "summary": f.summary, "reason": f.reason }))
        .collect();
    let (mut created, mut updated, mut events) = (0u32, 0u32, Vec::new());
    for ev in split.events {
        match store_one(app, principal, calendar, &ev.uid, ev.ical, groups, None).await {
            Ok(Ok(item)) => {
                if item["created"].as_bool().unwrap_or(false) {
                    created += 1;
                } else {
                    updated += 1;
                }
                events.push(item);
            }
            Ok(Err((_, reason))) => {
                tracing::info!(uid = %ev.uid, %reason, "imported event refused");
                failed.push(serde_json::json!({ "uid": ev.uid, "summary": ev.summary, "reason": reason }));
            }
            Err(resp) => return resp,
        }
    }
    tracing::info!(created, updated, failed = failed.len(), "calendar imported");
    if events.is_empty() {
        let detail = if failed.is_empty() {
            "the calendar file holds no VEVENT".to_string()
        } else {
            format!("none of the {} events could be stored; see failed", failed.len())
        };
        let mut ext = serde_json::Map::new();
        ext.insert("failed".into(), serde_json::Value::Array(failed));
        return problem_with(StatusCode::UNPROCESSABLE_ENTITY, "import-failed", detail, ext);
    }
    json(
        StatusCode::CREATED,
        &serde_json::json!({ "created": created, "updated": updated, "failed": failed, "events": events }),
    )
}

/// Stores one event's object and then its registry fields. The outer error is a response
/// to send (the store failed); the inner one a refusal with its reason.
async fn store_one(
    app: &App,
    principal: &Principal,
    calendar: &Collection,
    uid: &str,
    text: String,
    groups: &[String],
    custom: Option<String>,
) -> Result<Result<serde_json::Value, (StatusCode, String)>, Response<Body>> {
    let (home, name) = match write::target(app, principal, calendar, uid).await {
        Ok(t) => t,
        Err(WriteError::Response(r)) => return Err(r),
        Err(WriteError::Refused { status, reason }) => return Ok(Err((status, reason))),
    };
    let mut written = match write::put(app, principal, &home, &name, uid, text, None).await {
        Ok(w) => w,
        Err(WriteError::Response(r)) => return Err(r),
        Err(WriteError::Refused { status, reason }) => return Ok(Err((status, reason))),
    };
    if !groups.is_empty() || custom.is_some() {
        let e = &written.event;
        let mut upsert = EventUpsert::at(principal.id, uid, e.collection, &e.object_name);
        if !groups.is_empty() {
            upsert.groups = Some(merge_groups(&e.groups, groups));
        }
        upsert.custom = custom;
        written.event = match app.store.upsert_event(upsert).await {
            Ok(e) => e,
            Err(e) => return Err(store_error(e)),
        };
    }
    let mut item = summary_json(principal, &written.event, &written.calendar);
    item["created"] = serde_json::Value::Bool(written.created);
    Ok(Ok(item))
}
