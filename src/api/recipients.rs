//! `GET /api/v1/events/{uid}/recipients[?status=ACCEPTED][&cursor=...]`: an event's
//! recipients with their answers and each answer's history, a page at a time.

use super::json;
use super::problem::{bad_request, not_found, store_error};
use crate::app::App;
use crate::http::Body;
use calinvite_storage::{PartStat, Principal};
use http::{Response, StatusCode};

const PAGE: usize = 500;

pub async fn list(app: &App, principal: &Principal, uid: &str, query: Option<&str>) -> Response<Body> {
    let (mut status, mut cursor) = (None, None);
    for pair in query.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let v = percent_encoding::percent_decode_str(v).decode_utf8_lossy().into_owned();
        match k {
            "status" => match PartStat::parse(&v) {
                Some(s) => status = Some(s),
                None => return bad_request(format!("status `{v}` is not a PARTSTAT such as ACCEPTED")),
            },
            "cursor" => cursor = Some(v),
            _ => return bad_request(format!("unknown query parameter `{k}`")),
        }
    }
    let event = match app.store.event_by_uid(principal.id, uid).await {
        Ok(Some(e)) => e,
        Ok(None) => return not_found(&format!("event {uid}")),
        Err(e) => return store_error(e),
    };
    let page = match app
        .store
        .list_recipients(event.id, status, cursor.as_deref(), PAGE)
        .await
    {
        Ok(p) => p,
        Err(e) => return store_error(e),
    };
    let items: Vec<serde_json::Value> = page
        .items
        .iter()
        .map(|r| {
            serde_json::json!({
                "email": r.email,
                "name": r.name,
                "lang": r.lang,
                "status": r.partstat.as_str(),
                "occurrences": r.occurrences.iter().map(|(k, v)| (k.clone(), v.as_str())).collect::<std::collections::BTreeMap<_, _>>(),
                "delivery": format!("{:?}", r.delivery).to_lowercase(),
                "history": r.history.iter().map(|h| serde_json::json!({
                    "status": h.partstat.as_str(),
                    "recorded_at": h.recorded_at,
                    "sequence": h.sequence,
                    "dtstamp": h.dtstamp,
                    "recurrence_id": h.recurrence_id,
                    "message_id": h.message_id,
                    "comment": h.comment,
                    "source": h.source,
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    json(
        StatusCode::OK,
        &serde_json::json!({ "items": items, "next": page.next }),
    )
}
