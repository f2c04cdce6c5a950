//! Webhooks: `POST /api/v1/webhooks` subscribes a URL to event types and answers with the
//! signing secret, the only time it is shown; `GET /api/v1/webhooks[/{id}]` lists and
//! shows them (without the secret); `DELETE /api/v1/webhooks/{id}` removes one;
//! `GET /api/v1/webhooks/{id}/deliveries[?cursor=...&limit=N]` is the delivery log, newest first,
//! with each delivery's attempts, state and last error. An organizer only ever sees their
//! own webhooks: another's is 404.

use super::problem::{bad_request, not_found, store_error};
use super::{json, page};
use crate::app::App;
use crate::http::Body;
use crate::webhooks::{Delivery, EVENT_TYPES, sign};
use calinvite_storage::{Job, JobState, NewWebhook, Principal, StoreError, Webhook, WebhookId};
use http::{Response, StatusCode};
use serde::Deserialize;

/// Most webhooks or deliveries in one page (and the default).
const MAX_PAGE: usize = 100;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Create {
    url: String,
    events: Vec<String>,
}

/// Checks the URL as a client library would read it: absolute, http or https, with a host.
fn check_url(url: &str) -> Result<(), String> {
    let uri: http::Uri = url.parse().map_err(|e| format!("url `{url}` is not a URL: {e}"))?;
    match uri.scheme_str() {
        Some("http" | "https") => {}
        _ => return Err(format!("url `{url}` must start with http:// or https://")),
    }
    if uri.host().is_none_or(str::is_empty) {
        return Err(format!("url `{url}` has no host"));
    }
    Ok(())
}

fn check_events(events: &[String]) -> Result<(), String> {
    if events.is_empty() {
        return Err(format!(
            "events must name at least one of {} (or \"*\" for all)",
            EVENT_TYPES.join(", ")
        ));
    }
    match events.iter().find(|e| *e != "*" && !EVENT_TYPES.contains(&e.as_str())) {
        Some(bad) => Err(format!(
            "event type `{bad}` is unknown; use {} or \"*\"",
            EVENT_TYPES.join(", ")
        )),
        None => Ok(()),
    }
}

fn view(w: &Webhook) -> serde_json::Value {
    serde_json::json!({
        "id": w.id.0,
        "url": w.url,
        "events": w.events,
        "created_at": w.created_at,
    })
}

pub async fn create(app: &App, principal: &Principal, body: &[u8]) -> Response<Body> {
    let req: Create = match serde_json::from_slice(body) {
        Ok(r) => r,
        Err(e) => {
            return bad_request(format!(
                "the body must be JSON {{\"url\": \"https://...\", \"events\": [\"rsvp.changed\", ...]}}: {e}"
            ));
        }
    };
    let url = req.url.trim().to_string();
    if let Err(detail) = check_url(&url).and_then(|()| check_events(&req.events)) {
        return bad_request(detail);
    }
    let secret = sign::new_secret();
    let new = NewWebhook {
        owner: principal.id,
        url,
        events: req.events,
        secret: secret.clone(),
    };
    match app.store.create_webhook(new).await {
        Ok(w) => {
            tracing::info!(webhook = w.id.0, url = %w.url, "webhook created");
            let mut v = view(&w);
            v["secret"] = serde_json::Value::String(secret);
            json(StatusCode::CREATED, &v)
        }
        Err(StoreError::Invalid(detail)) => bad_request(detail),
        Err(e) => store_error(e),
    }
}

/// The principal's webhooks by id, a page at a time (the store returns them whole: an
/// organizer has a handful).
pub async fn list(app: &App, principal: &Principal, query: Option<&str>) -> Response<Body> {
    let q = match page::parse(query, MAX_PAGE, MAX_PAGE, &[]) {
        Ok(q) => q,
        Err(detail) => return bad_request(detail),
    };
    let hooks = match app.store.list_webhooks(principal.id).await {
        Ok(h) => h,
        Err(e) => return store_error(e),
    };
    match page::slice(hooks, |w| w.id.0, q.cursor.as_deref(), q.limit) {
        Ok((hooks, next)) => json(StatusCode::OK, &page::body(hooks.iter().map(view).collect(), next)),
        Err(detail) => bad_request(detail),
    }
}

fn parse_id(id: &str) -> Option<WebhookId> {
    id.parse().ok().map(WebhookId)
}

pub async fn get(app: &App, principal: &Principal, id: &str) -> Response<Body> {
    let Some(id) = parse_id(id) else {
        return not_found("webhook");
    };
    match app.store.webhook(principal.id, id).await {
        Ok(Some(w)) => json(StatusCode::OK, &view(&w)),
        Ok(None) => not_found("webhook"),
        Err(e) => store_error(e),
    }
}

pub async fn delete(app: &App, principal: &Principal, id: &str) -> Response<Body> {
    let Some(id) = parse_id(id) else {
        return not_found("webhook");
    };
    match app.store.delete_webhook(principal.id, id).await {
        Ok(()) => {
            tracing::info!(webhook = id.0, "webhook deleted");
            let mut resp = Response::new(crate::http::full(""));
            *resp.status_mut() = StatusCode::NO_CONTENT;
            resp
        }
        Err(e) if e.is_not_found() => not_found("webhook"),
        Err(e) => store_error(e),
    }
}

fn state(job: &Job) -> &'static str {
    match job.state {
        JobState::Pending if job.attempts == 0 => "queued",
        JobState::Pending => "retrying",
        JobState::Done => "delivered",
        JobState::Failed => "failed",
    }
}

pub async fn deliveries(app: &App, principal: &Principal, id: &str, query: Option<&str>) -> Response<Body> {
    let Some(id) = parse_id(id) else {
        return not_found("webhook");
    };
    let q = match page::parse(query, MAX_PAGE, MAX_PAGE, &[]) {
        Ok(q) => q,
        Err(detail) => return bad_request(detail),
    };
    let page = match app
        .store
        .webhook_deliveries(principal.id, id, q.cursor.as_deref(), q.limit)
        .await
    {
        Ok(p) => p,
        Err(e) if e.is_not_found() => return not_found("webhook"),
        Err(StoreError::Invalid(detail)) => return bad_request(detail),
        Err(e) => return store_error(e),
    };
    let items: Vec<serde_json::Value> = page
        .items
        .iter()
        .map(|j| {
            let delivery = Delivery::decode(j);
            serde_json::json!({
                "job": j.id.0,
                "id": delivery.as_ref().map(|d| d.id.clone()),
                "type": j.method,
                "state": state(j),
                "attempts": j.attempts,
                "last_error": j.last_error,
                "created_at": j.created_at,
                "next_attempt_at": (j.state == JobState::Pending).then_some(j.due_at),
                "finished_at": j.finished_at,
            })
        })
        .collect();
    json(StatusCode::OK, &page::body(items, page.next))
}

/// The JSON Schemas of the bodies above, for the OpenAPI document.
pub fn schemas() -> Vec<(&'static str, serde_json::Value)> {
    let webhook = |secret: bool| {
        let mut s = serde_json::json!({
            "type": "object",
            "required": ["id", "url", "events", "created_at"],
            "properties": {
                "id": { "type": "integer" },
                "url": { "type": "string" },
                "events": { "type": "array", "items": { "type": "string" } },
                "created_at": { "type": "integer" }
            }
        });
        if secret {
            s["required"] = serde_json::json!(["id", "url", "events", "created_at", "secret"]);
            s["properties"]["secret"] = serde_json::json!({
                "type": "string",
                "description": "The signing secret; shown only in this answer."
            });
        }
        s
    };
    let mut event_types: Vec<&str> = EVENT_TYPES.to_vec();
    event_types.push("*");
    vec![
        (
            "NewWebhook",
            serde_json::json!({
                "type": "object",
                "required": ["url", "events"],
                "additionalProperties": false,
                "properties": {
                    "url": { "type": "string", "pattern": "^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/.*)?$", "description": "An absolute http(s) URL." },
                    "events": { "type": "array", "minItems": 1, "items": { "enum": event_types } }
                }
            }),
        ),
        ("Webhook", webhook(false)),
        ("WebhookCreated", webhook(true)),
        ("WebhookPage", page::page_schema("Webhook")),
        (
            "Delivery",
            serde_json::json!({
                "type": "object",
                "required": ["job", "type", "state", "attempts", "created_at"],
                "properties": {
                    "job": { "type": "integer" },
                    "id": { "type": ["string", "null"], "description": "The delivery id sent in the payload." },
                    "type": { "type": "string" },
                    "state": { "enum": ["queued", "retrying", "delivered", "failed"] },
                    "attempts": { "type": "integer" },
                    "last_error": { "type": ["string", "null"] },
                    "created_at": { "type": "integer" },
                    "next_attempt_at": { "type": ["integer", "null"] },
                    "finished_at": { "type": ["integer", "null"] }
                }
            }),
        ),
        ("DeliveryPage", page::page_schema("Delivery")),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_absolute_http_urls_with_a_host_are_accepted() {
        assert!(check_url("https://hooks.example.org/calinvite?x=1").is_ok());
        assert!(check_url("http://127.0.0.1:9000/").is_ok());
        for bad in [
            "ftp://x/",
            "hooks.example.org/x",
            "/relative",
            "https://",
            "not a url",
            "",
        ] {
            assert!(check_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn event_lists_must_be_non_empty_and_known() {
        assert!(check_events(&["*".into()]).is_ok());
        assert!(check_events(&["rsvp.changed".into(), "invite.bounced".into()]).is_ok());
        assert!(check_events(&[]).is_err());
        assert!(check_events(&["rsvp.change".into()]).is_err());
    }
}
