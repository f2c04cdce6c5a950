//! `GET /api/v1/events/{uid}/recipients[?status=ACCEPTED][&cursor=...][&limit=N]`: an event's
//! recipients with their answers and each answer's history, a page at a time.

use super::problem::{bad_request, not_found, store_error};
use super::{json, page};
use crate::app::App;
use crate::http::Body;
use calinvite_storage::{PartStat, Principal, StoreError};
use http::{Response, StatusCode};

const DEFAULT_LIMIT: usize = 500;
const MAX_LIMIT: usize = 500;

pub async fn list(app: &App, principal: &Principal, uid: &str, query: Option<&str>) -> Response<Body> {
    let q = match page::parse(query, DEFAULT_LIMIT, MAX_LIMIT, &["status"]) {
        Ok(q) => q,
        Err(detail) => return bad_request(detail),
    };
    let mut status = None;
    for (_, v) in &q.filters {
        match PartStat::parse(v) {
            Some(s) => status = Some(s),
            None => return bad_request(format!("status `{v}` is not a PARTSTAT such as ACCEPTED")),
        }
    }
    let event = match app.store.event_by_uid(principal.id, uid).await {
        Ok(Some(e)) => e,
        Ok(None) => return not_found(&format!("event {uid}")),
        Err(e) => return store_error(e),
    };
    let page = match app
        .store
        .list_recipients(event.id, status, q.cursor.as_deref(), q.limit)
        .await
    {
        Ok(p) => p,
        Err(StoreError::Invalid(detail)) => return bad_request(detail),
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
    json(StatusCode::OK, &page::body(items, page.next))
}

/// The JSON Schemas of the bodies above, for the OpenAPI document.
pub fn schemas() -> Vec<(&'static str, serde_json::Value)> {
    vec![
        (
            "Recipient",
            serde_json::json!({
                "type": "object",
                "required": ["email", "status", "delivery", "history"],
                "properties": {
                    "email": { "type": "string" },
                    "name": { "type": ["string", "null"] },
                    "lang": { "type": ["string", "null"] },
                    "status": { "type": "string", "description": "PARTSTAT: NEEDS-ACTION, ACCEPTED, ..." },
                    "occurrences": { "type": "object", "additionalProperties": { "type": "string" } },
                    "delivery": { "type": "string" },
                    "history": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {
                                "status": { "type": "string" },
                                "recorded_at": { "type": "integer" },
                                "sequence": { "type": "integer" },
                                "comment": { "type": ["string", "null"] },
                                "source": { "type": "string" }
                            }
                        }
                    }
                }
            }),
        ),
        ("RecipientPage", page::page_schema("Recipient")),
    ]
}
