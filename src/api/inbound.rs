//! The inbound log over HTTP, for domain owners (admin) only: a message can answer for
//! any organizer's event, so both taking mail in and reading what came in are server-wide.
//!
//! - `POST /api/v1/inbound`: a raw RFC 5322 message, for mail providers that forward
//!   inbound mail by webhook. It takes the same path as LMTP and IMAP.
//! - `GET /api/v1/inbound[?outcome=quarantined][&source=lmtp][&cursor=...][&limit=N]`: the
//!   log, newest first.
//! - `GET /api/v1/inbound/{id}[?raw=1]`: one message's metadata and outcome, or the kept
//!   message itself, byte for byte, as `message/rfc822`.
//! - `POST /api/v1/inbound/{id}/retry`: process a kept message again after a fix, as
//!   `calinvite inbound retry` does on a stopped server.

use super::problem::{bad_request, not_found, problem, store_error};
use super::{json, page};
use crate::app::App;
use crate::http::{Body, full};
use calinvite_storage::{InboundFilter, InboundId, InboundMessage, InboundOutcome, StoreError};
use http::{HeaderValue, Response, StatusCode, header};

const DEFAULT_LIMIT: usize = 100;
const MAX_LIMIT: usize = 500;

pub async fn receive(app: &App, body: bytes::Bytes) -> Response<Body> {
    if body.is_empty() {
        return problem(
            StatusCode::BAD_REQUEST,
            "empty-message",
            "the body must be a raw RFC 5322 message",
        );
    }
    match crate::inbound::pipeline::receive(app, body.to_vec(), "webhook").await {
        Ok(r) => json(
            StatusCode::OK,
            &serde_json::json!({ "id": r.id.0, "duplicate": r.duplicate, "outcome": outcome_json(&r.outcome) }),
        ),
        Err(e) => store_error(e),
    }
}

pub async fn list(app: &App, query: Option<&str>) -> Response<Body> {
    let q = match page::parse(query, DEFAULT_LIMIT, MAX_LIMIT, &["outcome", "source"]) {
        Ok(q) => q,
        Err(detail) => return bad_request(detail),
    };
    let (mut filter, mut source) = (InboundFilter::All, None);
    for (k, v) in &q.filters {
        if k == "source" {
            source = Some(v.clone());
            continue;
        }
        filter = match v.as_str() {
            "received" => InboundFilter::Received,
            "applied" => InboundFilter::Applied,
            "ignored" => InboundFilter::Ignored,
            "quarantined" => InboundFilter::Quarantined,
            _ => {
                return bad_request(format!(
                    "outcome `{v}` is unknown; use received, applied, ignored or quarantined"
                ));
            }
        };
    }
    // The store filters by outcome; the source is filtered here. Each store page asked for
    // is only as long as the items still missing, so the store's cursor after it is exactly
    // where the next response continues.
    let mut items = Vec::new();
    let mut next = q.cursor;
    loop {
        let want = q.limit - items.len();
        let page = match app.store.list_inbound(filter, next.as_deref(), want).await {
            Ok(p) => p,
            Err(StoreError::Invalid(detail)) => return bad_request(detail),
            Err(e) => return store_error(e),
        };
        items.extend(
            page.items
                .iter()
                .filter(|m| source.as_ref().is_none_or(|s| m.source == *s))
                .map(view),
        );
        next = page.next;
        if items.len() >= q.limit || next.is_none() {
            break;
        }
    }
    json(StatusCode::OK, &page::body(items, next))
}

fn parse_id(id: &str) -> Option<InboundId> {
    id.parse().ok().map(InboundId)
}

pub async fn show(app: &App, id: &str, query: Option<&str>) -> Response<Body> {
    let mut raw = false;
    for (k, v) in super::events::query_pairs(query) {
        match (k.as_str(), v.as_str()) {
            ("raw", "1" | "true") => raw = true,
            ("raw", "0" | "false" | "") => raw = false,
            ("raw", _) => return bad_request(format!("raw `{v}` must be 1 or 0")),
            _ => return bad_request(format!("unknown query parameter `{k}`; use raw")),
        }
    }
    let Some(id) = parse_id(id) else {
        return not_found("inbound message");
    };
    if raw {
        return match app.store.inbound_raw(id).await {
            Ok(Some(bytes)) => {
                let mut resp = Response::new(full(bytes));
                resp.headers_mut()
                    .insert(header::CONTENT_TYPE, HeaderValue::from_static("message/rfc822"));
                resp
            }
            Ok(None) => not_found("inbound message"),
            Err(e) => store_error(e),
        };
    }
    match app.store.inbound(id).await {
        Ok(Some(m)) => json(StatusCode::OK, &view(&m)),
        Ok(None) => not_found("inbound message"),
        Err(e) => store_error(e),
    }
}

pub async fn retry(app: &App, id: &str) -> Response<Body> {
    let Some(id) = parse_id(id) else {
        return not_found("inbound message");
    };
    match crate::inbound::pipeline::retry(app, id).await {
        Ok(outcome) => tracing::info!(id = id.0, outcome = outcome_kind(&outcome), "inbound message retried"),
        Err(e) if e.is_not_found() => return not_found("inbound message"),
        Err(e) => return store_error(e),
    }
    match app.store.inbound(id).await {
        Ok(Some(m)) => json(StatusCode::OK, &view(&m)),
        Ok(None) => not_found("inbound message"),
        Err(e) => store_error(e),
    }
}

fn view(m: &InboundMessage) -> serde_json::Value {
    serde_json::json!({
        "id": m.id.0,
        "message_id": m.message_id,
        "source": m.source,
        "received_at": m.received_at,
        "size": m.size,
        "outcome": outcome_json(&m.outcome),
        "attempts": m.attempts,
        "updated_at": m.updated_at,
    })
}

fn outcome_kind(o: &InboundOutcome) -> &'static str {
    match o {
        InboundOutcome::Received => "received",
        InboundOutcome::Applied { .. } => "applied",
        InboundOutcome::Ignored { .. } => "ignored",
        InboundOutcome::Quarantined { .. } => "quarantined",
    }
}

pub fn outcome_json(o: &InboundOutcome) -> serde_json::Value {
    match o {
        InboundOutcome::Received => serde_json::json!({ "kind": "received" }),
        InboundOutcome::Applied { summary } => serde_json::json!({ "kind": "applied", "detail": summary }),
        InboundOutcome::Ignored { reason } => serde_json::json!({ "kind": "ignored", "detail": reason }),
        InboundOutcome::Quarantined { error } => serde_json::json!({ "kind": "quarantined", "detail": error }),
    }
}

/// The JSON Schemas of the bodies above, for the OpenAPI document.
pub fn schemas() -> Vec<(&'static str, serde_json::Value)> {
    let outcome = serde_json::json!({
        "type": "object",
        "required": ["kind"],
        "properties": {
            "kind": { "enum": ["received", "applied", "ignored", "quarantined"] },
            "detail": { "type": "string", "description": "What was applied, why it was ignored, or the error." }
        }
    });
    vec![
        (
            "RawMessage",
            serde_json::json!({ "type": "string", "description": "A raw RFC 5322 message." }),
        ),
        ("InboundOutcome", outcome),
        (
            "InboundReceived",
            serde_json::json!({
                "type": "object",
                "required": ["id", "duplicate", "outcome"],
                "properties": {
                    "id": { "type": "integer" },
                    "duplicate": { "type": "boolean", "description": "The Message-ID was already kept; nothing was done again." },
                    "outcome": { "$ref": "#/components/schemas/InboundOutcome" }
                }
            }),
        ),
        (
            "InboundMessage",
            serde_json::json!({
                "type": "object",
                "required": ["id", "source", "received_at", "size", "outcome", "attempts", "updated_at"],
                "properties": {
                    "id": { "type": "integer" },
                    "message_id": { "type": ["string", "null"] },
                    "source": { "type": "string", "description": "lmtp, imap, webhook" },
                    "received_at": { "type": "integer", "description": "Unix seconds." },
                    "size": { "type": "integer" },
                    "outcome": { "$ref": "#/components/schemas/InboundOutcome" },
                    "attempts": { "type": "integer" },
                    "updated_at": { "type": "integer", "description": "Unix seconds." }
                }
            }),
        ),
        ("InboundMessagePage", page::page_schema("InboundMessage")),
    ]
}
