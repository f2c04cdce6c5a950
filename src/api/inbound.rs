//! `POST /api/v1/inbound`: a raw RFC 5322 message, for mail providers that forward inbound
//! mail by webhook. It takes the same path as LMTP and IMAP. Domain owners (admin) only:
//! a message can answer for any organizer's event.

use super::json;
use super::problem::{problem, store_error};
use crate::app::App;
use crate::http::Body;
use calinvite_storage::{InboundOutcome, Principal, Role};
use http::{Response, StatusCode};

pub async fn receive(app: &App, principal: &Principal, body: bytes::Bytes) -> Response<Body> {
    if principal.role != Role::Admin {
        return problem(
            StatusCode::FORBIDDEN,
            "admin-only",
            "only a domain owner (admin) may post inbound mail",
        );
    }
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

pub fn outcome_json(o: &InboundOutcome) -> serde_json::Value {
    match o {
        InboundOutcome::Received => serde_json::json!({ "kind": "received" }),
        InboundOutcome::Applied { summary } => serde_json::json!({ "kind": "applied", "detail": summary }),
        InboundOutcome::Ignored { reason } => serde_json::json!({ "kind": "ignored", "detail": reason }),
        InboundOutcome::Quarantined { error } => serde_json::json!({ "kind": "quarantined", "detail": error }),
    }
}
