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
use calinvite_storage::{Batch, BatchId, NewRecipient, Principal};
use http::{Response, StatusCode};
use serde::Deserialize;

/// Most recipients accepted in one call (about 10 MB of JSON); larger lists are sent in
/// several calls.
pub const MAX_RECIPIENTS: usize = 100_000;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct InviteBody {
    recipients: Vec<address::RecipientIn>,
    #[serde(default)]
    idempotency_key: Option<String>,
}

/// A parsed and validated invitation request: the addresses that can be invited, and
/// those refused with their reason.
struct Parsed {
    recipients: Vec<NewRecipient>,
    invalid: Vec<serde_json::Value>,
    idempotency_key: Option<String>,
}

/// The error is the response to send, boxed: it is large and rarely built.
fn parse(body: &[u8]) -> Result<Parsed, Box<Response<Body>>> {
    let request: InviteBody = match serde_json::from_slice(body) {
        Ok(r) => r,
        Err(e) => {
            return Err(Box::new(bad_request(format!(
                "the body is not an invitation request: {e}"
            ))));
        }
    };
    if request.recipients.len() > MAX_RECIPIENTS {
        return Err(Box::new(problem(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too-many-recipients",
            format!("at most {MAX_RECIPIENTS} recipients per call; send the rest in another call"),
        )));
    }
    if request
        .idempotency_key
        .as_deref()
        .is_some_and(|k| k.is_empty() || k.len() > 200)
    {
        return Err(Box::new(bad_request("idempotency_key must have 1 to 200 characters")));
    }
    let mut invalid = Vec::new();
    let mut recipients = Vec::with_capacity(request.recipients.len());
    for r in request.recipients {
        match r.clean() {
            Ok(recipient) => recipients.push(recipient),
            Err(refused) => invalid.push(refused),
        }
    }
    Ok(Parsed {
        recipients,
        invalid,
        idempotency_key: request.idempotency_key,
    })
}

/// Queues one event's invitations; the batch as the API shows it.
async fn queue(
    app: &App,
    event: &calinvite_storage::EventRecord,
    key: Option<String>,
    recipients: Vec<NewRecipient>,
    invalid: usize,
) -> Result<serde_json::Value, Response<Body>> {
    let outcome = crate::outbound::invite::queue_invitations(app, event, key, recipients)
        .await
        .map_err(store_error)?;
    let b = &outcome.batch;
    tracing::info!(
        uid = %event.uid,
        batch = b.id.0,
        queued = b.queued,
        already = b.already_invited,
        suppressed = b.suppressed,
        invalid,
        replayed = outcome.replayed,
        "invitations accepted"
    );
    Ok(serde_json::json!({
        "batch": b.id.0,
        "event": event.uid,
        "queued": b.queued,
        "already_invited": b.already_invited,
        "suppressed": b.suppressed,
        "replayed": outcome.replayed,
    }))
}

pub async fn create(app: &App, principal: &Principal, uid: &str, body: &[u8]) -> Response<Body> {
    let parsed = match parse(body) {
        Ok(p) => p,
        Err(resp) => return *resp,
    };
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
    let invalid = parsed.invalid.len();
    let mut batch = match queue(app, &event, parsed.idempotency_key, parsed.recipients, invalid).await {
        Ok(b) => b,
        Err(resp) => return resp,
    };
    batch["invalid"] = parsed.invalid.into();
    json(StatusCode::ACCEPTED, &batch)
}

/// `POST /api/v1/groups/{name}/invitations`: the same recipients invited to every event
/// of a group that is not cancelled (a team's whole season in one call), one batch per
/// event. An idempotency key is applied per event, so a retried call changes nothing.
pub async fn create_for_group(app: &App, principal: &Principal, group: &str, body: &[u8]) -> Response<Body> {
    let parsed = match parse(body) {
        Ok(p) => p,
        Err(resp) => return *resp,
    };
    let events = match super::events::list::all_events(app, principal).await {
        Ok(all) => all
            .into_iter()
            .filter(|e| !e.cancelled && e.groups.iter().any(|g| g == group))
            .collect::<Vec<_>>(),
        Err(resp) => return resp,
    };
    if events.is_empty() {
        return not_found(&format!("group {group}"));
    }
    let invalid = parsed.invalid.len();
    let mut batches = Vec::with_capacity(events.len());
    let mut queued = 0;
    for event in &events {
        let key = parsed.idempotency_key.as_ref().map(|k| format!("{k}|{}", event.uid));
        match queue(app, event, key, parsed.recipients.clone(), invalid).await {
            Ok(b) => {
                queued += b["queued"].as_u64().unwrap_or(0);
                batches.push(b);
            }
            Err(resp) => return resp,
        }
    }
    json(
        StatusCode::ACCEPTED,
        &serde_json::json!({
            "group": group,
            "events": events.len(),
            "queued": queued,
            "batches": batches,
            "invalid": parsed.invalid,
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

/// The answer for one event's invitations ([`queue`]); `required` names the fields the
/// caller adds to the ones every batch has.
fn batch_schema(required: &[&str]) -> serde_json::Value {
    let mut all = vec!["batch", "queued", "already_invited", "suppressed", "replayed"];
    all.extend_from_slice(required);
    serde_json::json!({
        "type": "object",
        "required": all,
        "properties": {
            "batch": { "type": "integer" },
            "event": { "type": "string" },
            "queued": { "type": "integer" },
            "already_invited": { "type": "integer" },
            "suppressed": { "type": "integer" },
            "replayed": { "type": "boolean" }
        }
    })
}

/// The JSON Schemas of the bodies above, for the OpenAPI document.
pub fn schemas() -> Vec<(&'static str, serde_json::Value)> {
    vec![
        (
            "GroupInvitationAccepted",
            serde_json::json!({
                "type": "object",
                "required": ["group", "events", "queued", "batches", "invalid"],
                "properties": {
                    "group": { "type": "string" },
                    "events": { "type": "integer" },
                    "queued": { "type": "integer" },
                    "batches": { "type": "array", "items": batch_schema(&["event"]) },
                    "invalid": address::refused_schema()
                }
            }),
        ),
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
                        "items": address::RecipientIn::schema()
                    },
                    "idempotency_key": { "type": ["string", "null"], "minLength": 1, "maxLength": 200 }
                }
            }),
        ),
        ("InvitationAccepted", {
            let mut schema = batch_schema(&["invalid"]);
            schema["properties"]["invalid"] = address::refused_schema();
            schema
        }),
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
