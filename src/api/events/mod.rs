//! The events API: create and import events, list, read, edit and delete them, and read
//! their answers (stats, CSV).
//!
//! Every write to an event's iCalendar object goes through `dav_service::internal`, the
//! same CalDAV PUT or DELETE a calendar client makes, so the lifecycle registers the event,
//! decides whether a change is significant, raises SEQUENCE and tells recipients exactly
//! as it does for Apple Calendar. What is not iCalendar (groups, template data, the
//! approval mode) lives in the event registry and is written with `upsert_event` after.

pub mod create;
pub mod csv;
pub mod delete;
pub mod list;
pub mod patch;
pub mod show;
pub mod stats;
mod write;

use super::problem::{not_found, problem, store_error};
use crate::app::App;
use crate::http::Body;
use calinvite_storage::{Approval, Collection, CollectionId, CollectionKind, EventRecord, Principal};
use http::{Response, StatusCode};
use sha2::{Digest, Sha256};

/// The query's `key=value` pairs, percent-decoded (`+` is a space, as forms send it).
pub(crate) fn query_pairs(query: Option<&str>) -> Vec<(String, String)> {
    crate::http::form_pairs(query.unwrap_or(""))
}

/// The principal's event by UID; another organizer's event does not exist for them.
pub(crate) async fn find_event(app: &App, principal: &Principal, uid: &str) -> Result<EventRecord, Response<Body>> {
    match app.store.event_by_uid(principal.id, uid).await {
        Ok(Some(e)) => Ok(e),
        Ok(None) => Err(not_found(&format!("event {uid}"))),
        Err(e) => Err(store_error(e)),
    }
}

/// A live event: a deleted one has no object left to read or edit.
pub(crate) async fn find_live_event(
    app: &App,
    principal: &Principal,
    uid: &str,
) -> Result<EventRecord, Response<Body>> {
    let event = find_event(app, principal, uid).await?;
    if event.cancelled {
        return Err(problem(
            StatusCode::GONE,
            "event-deleted",
            format!("event {uid} was deleted; create it again to reuse the UID"),
        ));
    }
    Ok(event)
}

/// One of the principal's calendars by its path (`default`).
pub(crate) async fn find_calendar(app: &App, principal: &Principal, name: &str) -> Result<Collection, Response<Body>> {
    match app.store.collection_by_path(principal.id, name).await {
        Ok(Some(c)) if c.kind == CollectionKind::Calendar => Ok(c),
        Ok(_) => Err(not_found(&format!("calendar `{name}`"))),
        Err(e) => Err(store_error(e)),
    }
}

/// The path of a collection (to name the calendar and build hrefs).
pub(crate) async fn calendar_path(app: &App, id: CollectionId) -> Result<String, Response<Body>> {
    match app.store.collection(id).await {
        Ok(Some(c)) => Ok(c.path),
        Ok(None) => Ok(String::new()),
        Err(e) => Err(store_error(e)),
    }
}

/// The CalDAV href of an object, as a client would address it.
pub(crate) fn href(principal: &Principal, calendar: &str, name: &str) -> String {
    calinvite_dav::xml::href::href_encode(&calinvite_dav::path::object_href(&principal.name, calendar, name))
}

/// The object name for a new event: its UID when that is a safe file name, else a safe
/// form of it with a hash, so two UIDs never share a name.
pub(crate) fn object_name(uid: &str) -> String {
    let safe: String = uid
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '-'
            }
        })
        .take(80)
        .collect();
    if safe == uid && !uid.starts_with('.') {
        format!("{safe}.ics")
    } else {
        let hash = hex::encode(&Sha256::digest(uid.as_bytes())[..6]);
        format!("{}-{hash}.ics", safe.trim_start_matches('.'))
    }
}

pub(crate) fn approval_str(a: Approval) -> &'static str {
    match a {
        Approval::Inherit => "inherit",
        Approval::Auto => "auto",
        Approval::Hold => "hold",
    }
}

pub(crate) fn parse_approval(s: &str) -> Option<Approval> {
    match s.trim().to_ascii_lowercase().as_str() {
        "inherit" => Some(Approval::Inherit),
        "auto" => Some(Approval::Auto),
        "hold" => Some(Approval::Hold),
        _ => None,
    }
}

/// A group name: trimmed, 1 to 100 characters, no control characters.
pub(crate) fn clean_group(name: &str) -> Result<String, String> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
        return Err(format!(
            "group `{name}` must have 1 to 100 characters and no control characters"
        ));
    }
    Ok(name.to_string())
}

/// `groups` added to `existing`, in order, without duplicates.
pub(crate) fn merge_groups(existing: &[String], added: &[String]) -> Vec<String> {
    let mut out = existing.to_vec();
    for g in added {
        if !out.contains(g) {
            out.push(g.clone());
        }
    }
    out
}

/// An instant as RFC 3339 UTC.
pub(crate) fn rfc3339(ts: i64) -> String {
    chrono::DateTime::from_timestamp(ts, 0)
        .map(|d| d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_default()
}

/// `custom` as stored (JSON text) back to JSON.
pub(crate) fn custom_json(text: &str) -> serde_json::Value {
    if text.is_empty() {
        return serde_json::json!({});
    }
    serde_json::from_str(text).unwrap_or_else(|_| serde_json::json!({}))
}

/// A list entry for an event (the registry only, no object read).
pub(crate) fn summary_json(principal: &Principal, event: &EventRecord, calendar: &str) -> serde_json::Value {
    serde_json::json!({
        "uid": event.uid,
        "code": event.public_code,
        "summary": event.summary,
        "start": event.start.map(rfc3339),
        "groups": event.groups,
        "calendar": calendar,
        "href": href(principal, calendar, &event.object_name),
        "sequence": event.sequence,
        "cancelled": event.cancelled,
    })
}

/// Why the CalDAV layer refused a write, from its response: the `<D:error>` message or
/// the plain-text reason.
pub(crate) fn dav_reason(resp: &Response<bytes::Bytes>) -> String {
    let text = String::from_utf8_lossy(resp.body());
    let message = text
        .split_once(":message")
        .and_then(|(_, rest)| rest.split_once('>'))
        .and_then(|(_, rest)| rest.split_once("</"))
        .map(|(m, _)| {
            m.replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&quot;", "\"")
                .replace("&apos;", "'")
                .replace("&amp;", "&")
        });
    let reason = message.unwrap_or_else(|| text.trim().to_string());
    if reason.is_empty() {
        format!("the calendar refused it ({})", resp.status())
    } else {
        reason
    }
}

/// The JSON Schemas of the events API's bodies, for the OpenAPI document.
pub fn schemas() -> Vec<(&'static str, serde_json::Value)> {
    let nullable = |t: &str| serde_json::json!({ "type": [t, "null"] });
    let counts = serde_json::json!({ "type": "object", "additionalProperties": { "type": "integer" } });
    let summary = serde_json::json!({
        "type": "object",
        "required": ["uid", "summary", "groups", "calendar", "href", "sequence", "cancelled"],
        "properties": {
            "uid": { "type": "string" },
            "code": { "type": "string" },
            "summary": { "type": "string" },
            "start": nullable("string"),
            "groups": { "type": "array", "items": { "type": "string" } },
            "calendar": { "type": "string" },
            "href": { "type": "string", "description": "The CalDAV path of the event's object." },
            "sequence": { "type": "integer" },
            "cancelled": { "type": "boolean" }
        }
    });
    let mut written = summary.clone();
    written["properties"]["created"] = serde_json::json!({ "type": "boolean" });
    let mut stats = serde_json::json!({
        "type": "object",
        "required": ["recipients", "counts", "delivery", "buckets"],
        "properties": {
            "recipients": { "type": "integer" },
            "counts": counts,
            "delivery": counts,
            "buckets": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "hour": { "type": "string" },
                        "total": { "type": "integer" },
                        "answers": counts
                    }
                }
            }
        }
    });
    let event_stats = stats.clone();
    stats["properties"]["group"] = serde_json::json!({ "type": "string" });
    stats["properties"]["events"] = serde_json::json!({ "type": "array", "items": { "type": "object" } });
    vec![
        (
            "ICalendar",
            serde_json::json!({ "type": "string", "description": "An iCalendar (RFC 5545) object." }),
        ),
        ("Csv", serde_json::json!({ "type": "string" })),
        (
            "NewEvent",
            serde_json::json!({
                "type": "object",
                "required": ["summary", "start"],
                "additionalProperties": false,
                "properties": {
                    "summary": { "type": "string" },
                    "start": {
                        "type": "string",
                        "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}",
                        "description": "A date (all day), a local time with `time_zone`, or an RFC 3339 time."
                    },
                    "end": nullable("string"),
                    "time_zone": nullable("string"),
                    "location": nullable("string"),
                    "description": nullable("string"),
                    "rrule": nullable("string"),
                    "uid": nullable("string"),
                    "groups": { "type": "array", "items": { "type": "string" } },
                    "custom": { "type": ["object", "null"], "description": "Template data: a JSON object." }
                }
            }),
        ),
        (
            "EventPatch",
            serde_json::json!({
                "type": "object",
                "description": "A JSON merge patch (RFC 7396): the fields to change; null removes one.",
                "properties": {
                    "summary": { "type": "string" },
                    "start": { "type": "string" },
                    "end": nullable("string"),
                    "time_zone": nullable("string"),
                    "location": nullable("string"),
                    "description": nullable("string"),
                    "groups": { "type": ["array", "null"], "items": { "type": "string" } },
                    "custom": { "type": ["object", "null"], "description": "null removes it." },
                    "approval": { "enum": ["inherit", "auto", "hold"] }
                }
            }),
        ),
        ("EventSummary", summary),
        ("EventSummaryPage", crate::api::page::page_schema("EventSummary")),
        ("WrittenEvent", written),
        (
            "EventsWritten",
            serde_json::json!({
                "type": "object",
                "required": ["created", "updated", "failed", "events"],
                "properties": {
                    "created": { "type": "integer" },
                    "updated": { "type": "integer" },
                    "failed": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {
                                "uid": nullable("string"),
                                "summary": nullable("string"),
                                "reason": { "type": "string" }
                            }
                        }
                    },
                    "events": { "type": "array", "items": { "$ref": "#/components/schemas/WrittenEvent" } }
                }
            }),
        ),
        (
            "Event",
            serde_json::json!({
                "type": "object",
                "required": ["uid", "summary", "groups", "sequence", "cancelled", "approval", "calendar", "href", "counts"],
                "properties": {
                    "uid": { "type": "string" },
                    "code": { "type": "string" },
                    "summary": { "type": "string" },
                    "start": nullable("string"),
                    "end": nullable("string"),
                    "all_day": nullable("boolean"),
                    "time_zone": nullable("string"),
                    "location": nullable("string"),
                    "description": nullable("string"),
                    "recurring": nullable("boolean"),
                    "groups": { "type": "array", "items": { "type": "string" } },
                    "custom": { "type": "object" },
                    "sequence": { "type": "integer" },
                    "cancelled": { "type": "boolean" },
                    "approval": { "enum": ["inherit", "auto", "hold"] },
                    "calendar": { "type": "string" },
                    "href": { "type": "string" },
                    "counts": counts,
                    "created_at": { "type": "string" },
                    "updated_at": { "type": "string" }
                }
            }),
        ),
        ("Stats", event_stats),
        ("GroupStats", stats),
        (
            "Group",
            serde_json::json!({
                "type": "object",
                "required": ["name", "events"],
                "properties": { "name": { "type": "string" }, "events": { "type": "integer" } }
            }),
        ),
        ("GroupPage", crate::api::page::page_schema("Group")),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn safe_uids_are_their_own_name_and_others_get_a_hash() {
        assert_eq!(object_name("game-1_a.b"), "game-1_a.b.ics");
        let n = object_name("game 1@example.org");
        assert!(n.starts_with("game-1-example.org-") && n.ends_with(".ics"), "{n}");
        assert_ne!(object_name("a b"), object_name("a/b"));
        assert!(!object_name("..").starts_with('.'));
    }
}
