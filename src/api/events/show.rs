//! `GET /api/v1/events/{uid}`: the event as JSON (registry, iCalendar facts, answer
//! counts), or its stored object with `Accept: text/calendar`.

use super::{approval_str, calendar_path, custom_json, find_event, href, rfc3339};
use crate::api::json;
use crate::api::problem::{problem, store_error};
use crate::app::App;
use crate::http::{Body, full};
use calinvite_storage::{EventRecord, PartStat, Principal};
use http::{HeaderMap, HeaderValue, Response, StatusCode, header};

pub async fn handle(app: &App, principal: &Principal, uid: &str, headers: &HeaderMap) -> Response<Body> {
    let event = match find_event(app, principal, uid).await {
        Ok(e) => e,
        Err(resp) => return resp,
    };
    let wants_ical = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.to_ascii_lowercase().contains("text/calendar"));
    let object = if event.cancelled {
        None
    } else {
        match app.store.object(event.collection, &event.object_name).await {
            Ok(o) => o,
            Err(e) => return store_error(e),
        }
    };
    if wants_ical {
        let Some(object) = object else {
            return problem(
                StatusCode::GONE,
                "event-deleted",
                format!("event {uid} was deleted; its calendar data is gone"),
            );
        };
        let mut resp = Response::new(full(object.body));
        resp.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/calendar; charset=utf-8"),
        );
        if let Ok(etag) = HeaderValue::from_str(&format!("\"{}\"", object.meta.etag)) {
            resp.headers_mut().insert(header::ETAG, etag);
        }
        return resp;
    }
    match event_json(app, principal, &event, object.as_ref().map(|o| o.body.as_slice())).await {
        Ok(v) => json(StatusCode::OK, &v),
        Err(resp) => resp,
    }
}

/// The full JSON of an event; `body` is its stored object (none once deleted).
pub(crate) async fn event_json(
    app: &App,
    principal: &Principal,
    event: &EventRecord,
    body: Option<&[u8]>,
) -> Result<serde_json::Value, Response<Body>> {
    let calendar = calendar_path(app, event.collection).await?;
    let counts = app.store.count_recipients(event.id).await.map_err(store_error)?;
    let facts = body.and_then(|b| calinvite_imip::imip::event_summary(b).ok());
    let time = |ts: i64| -> String {
        match &facts {
            Some(f) if f.all_day => chrono::DateTime::from_timestamp(ts, 0)
                .map(|d| d.date_naive().to_string())
                .unwrap_or_default(),
            Some(f) => match f.tz.as_deref().and_then(|t| t.parse::<chrono_tz::Tz>().ok()) {
                Some(tz) => chrono::DateTime::from_timestamp(ts, 0)
                    .map(|d| d.with_timezone(&tz).to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
                    .unwrap_or_default(),
                None => rfc3339(ts),
            },
            None => rfc3339(ts),
        }
    };
    Ok(serde_json::json!({
        "uid": event.uid,
        "code": event.public_code,
        "summary": event.summary,
        "start": facts.as_ref().map(|f| time(f.start)).or_else(|| event.start.map(rfc3339)),
        "end": facts.as_ref().map(|f| time(f.end)),
        "all_day": facts.as_ref().map(|f| f.all_day),
        "time_zone": facts.as_ref().and_then(|f| f.tz.clone()),
        "location": facts.as_ref().and_then(|f| f.location.clone()),
        "description": facts.as_ref().and_then(|f| f.description.clone()),
        "recurring": facts.as_ref().map(|f| f.recurring),
        "groups": event.groups,
        "custom": custom_json(&event.custom),
        "sequence": event.sequence,
        "cancelled": event.cancelled,
        "approval": approval_str(event.approval),
        "calendar": calendar,
        "href": href(principal, &calendar, &event.object_name),
        "counts": answer_counts(&counts),
        "created_at": rfc3339(event.created_at),
        "updated_at": rfc3339(event.updated_at),
    }))
}

/// Every answer with its count, zeros included, so a client need not guess the keys.
pub(crate) fn answer_counts(counts: &[(PartStat, u64)]) -> serde_json::Value {
    let mut out = serde_json::Map::new();
    for s in [
        PartStat::NeedsAction,
        PartStat::Accepted,
        PartStat::Declined,
        PartStat::Tentative,
        PartStat::Delegated,
    ] {
        let n = counts.iter().filter(|(p, _)| *p == s).map(|(_, n)| n).sum::<u64>();
        out.insert(s.as_str().to_string(), n.into());
    }
    serde_json::Value::Object(out)
}
