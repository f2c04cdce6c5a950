//! The suppression list over HTTP, for domain owners (admin) only: it is server-wide (an
//! address that bounced or unsubscribed is never invited again, by any organizer).
//!
//! - `GET /api/v1/suppressions[?cursor=...][&limit=N]`: the list, by address.
//! - `POST /api/v1/suppressions` `{"email": ..., "note": ...}`: suppress an address by hand.
//!   An address already on the list keeps its entry (a hard bounce stays a hard bounce):
//!   200 with that entry instead of 201.
//! - `DELETE /api/v1/suppressions/{email}`: take it off again (after the person asked).

use super::problem::{bad_request, not_found, store_error};
use super::{address, json, page};
use crate::app::App;
use crate::http::Body;
use calinvite_storage::{StoreError, Suppression, SuppressionReason};
use http::{Response, StatusCode};
use serde::Deserialize;

const DEFAULT_LIMIT: usize = 100;
const MAX_LIMIT: usize = 500;
/// Longest note kept with an entry.
const MAX_NOTE: usize = 1000;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewSuppression {
    email: String,
    #[serde(default)]
    note: Option<String>,
}

fn reason_str(r: SuppressionReason) -> &'static str {
    match r {
        SuppressionReason::HardBounce => "hard_bounce",
        SuppressionReason::Unsubscribe => "unsubscribe",
        SuppressionReason::Manual => "manual",
    }
}

fn view(s: &Suppression) -> serde_json::Value {
    serde_json::json!({
        "email": s.email,
        "reason": reason_str(s.reason),
        "note": s.note,
        "created_at": s.created_at,
    })
}

pub async fn list(app: &App, query: Option<&str>) -> Response<Body> {
    let q = match page::parse(query, DEFAULT_LIMIT, MAX_LIMIT, &[]) {
        Ok(q) => q,
        Err(detail) => return bad_request(detail),
    };
    match app.store.list_suppressions(q.cursor.as_deref(), q.limit).await {
        Ok(p) => json(StatusCode::OK, &page::body(p.items.iter().map(view).collect(), p.next)),
        Err(StoreError::Invalid(detail)) => bad_request(detail),
        Err(e) => store_error(e),
    }
}

pub async fn add(app: &App, body: &[u8]) -> Response<Body> {
    let req: NewSuppression = match serde_json::from_slice(body) {
        Ok(r) => r,
        Err(e) => {
            return bad_request(format!(
                "the body must be JSON {{\"email\": \"ann@example.org\", \"note\": \"...\"}}: {e}"
            ));
        }
    };
    let email = match address::normalize(&req.email) {
        Ok(e) => e,
        Err(reason) => return bad_request(format!("email `{}`: {reason}", req.email)),
    };
    let note = req.note.map(|n| n.trim().to_string()).filter(|n| !n.is_empty());
    if note.as_ref().is_some_and(|n| n.chars().count() > MAX_NOTE) {
        return bad_request(format!("note must have at most {MAX_NOTE} characters"));
    }
    match app.store.suppression(&email).await {
        Ok(Some(existing)) => return json(StatusCode::OK, &view(&existing)),
        Ok(None) => {}
        Err(e) => return store_error(e),
    }
    if let Err(e) = app.store.suppress(&email, SuppressionReason::Manual, note).await {
        return match e {
            StoreError::Invalid(detail) => bad_request(detail),
            e => store_error(e),
        };
    }
    tracing::info!(recipient = %email, "address suppressed through the API");
    match app.store.suppression(&email).await {
        Ok(Some(s)) => json(StatusCode::CREATED, &view(&s)),
        Ok(None) => not_found("suppression"),
        Err(e) => store_error(e),
    }
}

pub async fn remove(app: &App, email: &str) -> Response<Body> {
    let email = email.trim().to_lowercase();
    match app.store.unsuppress(&email).await {
        Ok(true) => {
            tracing::info!(recipient = %email, "address taken off the suppression list");
            let mut resp = Response::new(crate::http::full(""));
            *resp.status_mut() = StatusCode::NO_CONTENT;
            resp
        }
        Ok(false) => not_found(&format!("suppression of {email}")),
        Err(StoreError::Invalid(detail)) => bad_request(detail),
        Err(e) => store_error(e),
    }
}

/// The JSON Schemas of the bodies above, for the OpenAPI document.
pub fn schemas() -> Vec<(&'static str, serde_json::Value)> {
    vec![
        (
            "NewSuppression",
            serde_json::json!({
                "type": "object",
                "required": ["email"],
                "additionalProperties": false,
                "properties": {
                    "email": { "type": "string", "format": "email" },
                    "note": { "type": ["string", "null"], "maxLength": MAX_NOTE }
                }
            }),
        ),
        (
            "Suppression",
            serde_json::json!({
                "type": "object",
                "required": ["email", "reason", "created_at"],
                "properties": {
                    "email": { "type": "string" },
                    "reason": { "enum": ["hard_bounce", "unsubscribe", "manual"] },
                    "note": { "type": ["string", "null"] },
                    "created_at": { "type": "integer", "description": "Unix seconds." }
                }
            }),
        ),
        ("SuppressionPage", page::page_schema("Suppression")),
    ]
}
