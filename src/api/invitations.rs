//! The Send API: invite recipients to an event by UID, and follow a batch's progress.
//!
//! `POST /api/v1/events/{uid}/invitations` validates and normalizes every address, then
//! hands the rest to the store in one transaction: recipients not yet invited get a
//! recipient record and an outbox job each; addresses already invited or suppressed are
//! counted and skipped; a repeated idempotency key returns the first call's batch. The
//! sender workers deliver from the outbox.

use super::problem::{bad_request, not_found, problem, store_error};
use super::{address, json};
use crate::app::App;
use crate::http::Body;
use calinvite_storage::{Batch, BatchId, InvitationRequest, NewRecipient, Principal};
use http::{Response, StatusCode};
use serde::Deserialize;

/// Most recipients accepted in one call (about 10 MB of JSON); larger lists are sent in
/// several calls.
pub const MAX_RECIPIENTS: usize = 100_000;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct InviteBody {
    recipients: Vec<RecipientIn>,
    #[serde(default)]
    idempotency_key: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RecipientIn {
    email: String,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    lang: Option<String>,
}

pub async fn create(app: &App, principal: &Principal, uid: &str, body: &[u8]) -> Response<Body> {
    let request: InviteBody = match serde_json::from_slice(body) {
        Ok(r) => r,
        Err(e) => return bad_request(format!("the body is not an invitation request: {e}")),
    };
    if request.recipients.len() > MAX_RECIPIENTS {
        return problem(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too-many-recipients",
            format!("at most {MAX_RECIPIENTS} recipients per call; send the rest in another call"),
        );
    }
    if request
        .idempotency_key
        .as_deref()
        .is_some_and(|k| k.is_empty() || k.len() > 200)
    {
        return bad_request("idempotency_key must have 1 to 200 characters");
    }
    let event = match app.store.event_by_uid(principal.id, uid).await {
        Ok(Some(e)) => e,
        Ok(None) => return not_found(&format!("event {uid}")),
        Err(e) => return store_error(e),
    };
    if event.cancelled {
        return problem(
            StatusCode::CONFLICT,
            "event-cancelled",
            format!("event {uid} is cancelled"),
        );
    }
    let mut invalid = Vec::new();
    let mut recipients = Vec::with_capacity(request.recipients.len());
    for r in request.recipients {
        match address::normalize(&r.email) {
            Ok(email) => recipients.push(NewRecipient {
                email,
                name: r
                    .name
                    .map(|n| n.trim().to_string())
                    .filter(|n| !n.is_empty() && !n.contains(['\r', '\n'])),
                lang: r
                    .lang
                    .filter(|l| l.len() <= 35 && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')),
            }),
            Err(reason) => invalid.push(serde_json::json!({ "email": r.email, "reason": reason })),
        }
    }
    let outcome = app
        .store
        .invite(
            principal.id,
            InvitationRequest {
                event: event.id,
                idempotency_key: request.idempotency_key,
                recipients,
                method: "REQUEST".into(),
                sequence: event.sequence,
                queue: crate::outbound::MAIL_QUEUE.into(),
                due_at: calinvite_storage::now(),
            },
        )
        .await;
    let outcome = match outcome {
        Ok(o) => o,
        Err(e) => return store_error(e),
    };
    if outcome.batch.queued > 0 {
        app.wake.notify_waiters();
    }
    let b = &outcome.batch;
    tracing::info!(
        uid,
        batch = b.id.0,
        queued = b.queued,
        already = b.already_invited,
        suppressed = b.suppressed,
        invalid = invalid.len(),
        replayed = outcome.replayed,
        "invitations accepted"
    );
    json(
        StatusCode::ACCEPTED,
        &serde_json::json!({
            "batch": b.id.0,
            "queued": b.queued,
            "already_invited": b.already_invited,
            "suppressed": b.suppressed,
            "invalid": invalid,
            "replayed": outcome.replayed,
        }),
    )
}

pub async fn progress(app: &App, principal: &Principal, id: &str) -> Response<Body> {
    let Ok(id) = id.parse::<u64>() else {
        return not_found("batch");
    };
    let batch: Batch = match app.store.batch(BatchId(id)).await {
        Ok(Some(b)) if b.owner == principal.id => b,
        Ok(_) => return not_found("batch"),
        Err(e) => return store_error(e),
    };
    let uid = match app.store.event(batch.event).await {
        Ok(e) => e.map(|e| e.uid),
        Err(e) => return store_error(e),
    };
    let finished = batch.sent + batch.failed;
    json(
        StatusCode::OK,
        &serde_json::json!({
            "batch": batch.id.0,
            "event": uid,
            "queued": batch.queued,
            "sent": batch.sent,
            "deferred": batch.deferred,
            "failed": batch.failed,
            "pending": batch.queued.saturating_sub(finished),
            "already_invited": batch.already_invited,
            "suppressed": batch.suppressed,
            "done": finished >= batch.queued,
        }),
    )
}

/// The JSON Schemas of the bodies above, for the OpenAPI document.
pub fn schemas() -> Vec<(&'static str, serde_json::Value)> {
    vec![
        (
            "InvitationRequest",
            serde_json::json!({
                "type": "object",
                "required": ["recipients"],
                "additionalProperties": false,
                "properties": {
                    "recipients": {
                        "type": "array",
                        "maxItems": MAX_RECIPIENTS,
                        "items": {
                            "type": "object",
                            "required": ["email"],
                            "additionalProperties": false,
                            "properties": {
                                "email": { "type": "string" },
                                "name": { "type": ["string", "null"] },
                                "lang": { "type": ["string", "null"] }
                            }
                        }
                    },
                    "idempotency_key": { "type": ["string", "null"], "minLength": 1, "maxLength": 200 }
                }
            }),
        ),
        (
            "InvitationAccepted",
            serde_json::json!({
                "type": "object",
                "required": ["batch", "queued", "already_invited", "suppressed", "invalid", "replayed"],
                "properties": {
                    "batch": { "type": "integer" },
                    "queued": { "type": "integer" },
                    "already_invited": { "type": "integer" },
                    "suppressed": { "type": "integer" },
                    "invalid": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": { "email": { "type": "string" }, "reason": { "type": "string" } }
                        }
                    },
                    "replayed": { "type": "boolean" }
                }
            }),
        ),
        (
            "BatchProgress",
            serde_json::json!({
                "type": "object",
                "required": ["batch", "queued", "sent", "deferred", "failed", "pending", "done"],
                "properties": {
                    "batch": { "type": "integer" },
                    "event": { "type": ["string", "null"] },
                    "queued": { "type": "integer" },
                    "sent": { "type": "integer" },
                    "deferred": { "type": "integer" },
                    "failed": { "type": "integer" },
                    "pending": { "type": "integer" },
                    "already_invited": { "type": "integer" },
                    "suppressed": { "type": "integer" },
                    "done": { "type": "boolean" }
                }
            }),
        ),
    ]
}
