//! Pending changes (the approval switch): `GET /api/v1/pending` lists the organizer's held
//! updates and cancellations with a readable before/after diff and how many recipients
//! each would reach; `POST /api/v1/pending/{id}/approve` queues it, `.../discard` drops it.

use super::problem::{bad_request, not_found, store_error};
use super::{json, page};
use crate::app::App;
use crate::http::Body;
use calinvite_imip::change;
use calinvite_storage::{PendingChange, PendingId, Principal};
use http::{Response, StatusCode};

/// Most pending changes in one page (and the default).
const MAX_PAGE: usize = 100;

/// The principal's pending changes by id (oldest first), a page at a time.
pub async fn list(app: &App, principal: &Principal, query: Option<&str>) -> Response<Body> {
    let q = match page::parse(query, MAX_PAGE, MAX_PAGE, &[]) {
        Ok(q) => q,
        Err(detail) => return bad_request(detail),
    };
    let pending = match app.store.list_pending(principal.id).await {
        Ok(p) => p,
        Err(e) => return store_error(e),
    };
    let (pending, next) = match page::slice(pending, |p| p.id.0, q.cursor.as_deref(), q.limit) {
        Ok(page) => page,
        Err(detail) => return bad_request(detail),
    };
    let mut items = Vec::with_capacity(pending.len());
    for p in pending {
        let event = match app.store.event(p.event).await {
            Ok(e) => e,
            Err(e) => return store_error(e),
        };
        let counts = match app.store.count_recipients(p.event).await {
            Ok(c) => c,
            Err(e) => return store_error(e),
        };
        let reached: u64 = counts
            .iter()
            .filter(|(s, _)| p.fan_out.statuses.is_empty() || p.fan_out.statuses.contains(s))
            .map(|(_, n)| n)
            .sum();
        items.push(serde_json::json!({
            "id": p.id.0,
            "event": event.as_ref().map(|e| e.uid.clone()),
            "summary": event.as_ref().map(|e| e.summary.clone()),
            "method": p.fan_out.method,
            "occurrence": p.fan_out.recurrence_id,
            "sequence": p.fan_out.sequence,
            "recipients": reached,
            "diff": diff(&p),
            "created_at": p.created_at,
            "updated_at": p.updated_at,
        }));
    }
    json(StatusCode::OK, &page::body(items, next))
}

/// The before/after lines a person approves.
fn diff(p: &PendingChange) -> String {
    if p.after.is_empty() {
        return "The event was deleted: every recipient gets a cancellation.".into();
    }
    match change::compare(&p.before, &p.after) {
        Ok(c) => change::describe(&c),
        Err(e) => format!("(the versions cannot be compared: {e})"),
    }
}

async fn owned(app: &App, principal: &Principal, id: &str) -> Result<PendingId, Response<Body>> {
    let id = id
        .parse::<u64>()
        .map(PendingId)
        .map_err(|_| not_found("pending change"))?;
    match app.store.pending(id).await {
        Ok(Some(p)) if p.owner == principal.id => Ok(id),
        Ok(_) => Err(not_found("pending change")),
        Err(e) => Err(store_error(e)),
    }
}

pub async fn approve(app: &App, principal: &Principal, id: &str) -> Response<Body> {
    let id = match owned(app, principal, id).await {
        Ok(id) => id,
        Err(resp) => return resp,
    };
    match app.store.approve_pending(id, calinvite_storage::now()).await {
        Ok(jobs) => {
            tracing::info!(pending = id.0, jobs, "pending change approved");
            app.wake.notify_waiters();
            json(StatusCode::OK, &serde_json::json!({ "id": id.0, "queued": jobs }))
        }
        Err(e) if e.is_not_found() => not_found("pending change"),
        Err(e) => store_error(e),
    }
}

pub async fn discard(app: &App, principal: &Principal, id: &str) -> Response<Body> {
    let id = match owned(app, principal, id).await {
        Ok(id) => id,
        Err(resp) => return resp,
    };
    match app.store.discard_pending(id).await {
        Ok(()) => {
            tracing::info!(pending = id.0, "pending change discarded");
            json(StatusCode::OK, &serde_json::json!({ "id": id.0, "discarded": true }))
        }
        Err(e) if e.is_not_found() => not_found("pending change"),
        Err(e) => store_error(e),
    }
}

/// The JSON Schemas of the bodies above, for the OpenAPI document.
pub fn schemas() -> Vec<(&'static str, serde_json::Value)> {
    vec![
        (
            "PendingChange",
            serde_json::json!({
                "type": "object",
                "required": ["id", "method", "recipients", "diff", "created_at", "updated_at"],
                "properties": {
                    "id": { "type": "integer" },
                    "event": { "type": ["string", "null"], "description": "The event's UID." },
                    "summary": { "type": ["string", "null"] },
                    "method": { "type": "string", "description": "REQUEST or CANCEL." },
                    "occurrence": { "type": ["string", "null"] },
                    "sequence": { "type": "integer" },
                    "recipients": { "type": "integer", "description": "How many recipients it would reach." },
                    "diff": { "type": "string" },
                    "created_at": { "type": "integer" },
                    "updated_at": { "type": "integer" }
                }
            }),
        ),
        ("PendingChangePage", page::page_schema("PendingChange")),
        (
            "PendingApproved",
            serde_json::json!({
                "type": "object",
                "required": ["id", "queued"],
                "properties": { "id": { "type": "integer" }, "queued": { "type": "integer" } }
            }),
        ),
        (
            "PendingDiscarded",
            serde_json::json!({
                "type": "object",
                "required": ["id", "discarded"],
                "properties": { "id": { "type": "integer" }, "discarded": { "const": true } }
            }),
        ),
    ]
}
