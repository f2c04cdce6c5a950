//! Webhooks: organizers subscribe a URL to event types; every event becomes one durable
//! delivery job per subscribed webhook, and the workers in [`deliver`] POST it, signed
//! ([`sign`]), retrying with backoff until a 2xx answer or `webhooks.max_attempts`.
//!
//! Emission only queues: it never makes a network call on the path of the change that
//! caused it, so a slow or dead receiver cannot slow an RSVP or a CalDAV PUT, and a
//! delivery queued before a crash is delivered after the restart. Where a change is itself
//! one store transaction (the lifecycle's `Effects`), [`deliveries`] returns the jobs so
//! they commit with the change; elsewhere [`emit`] queues them right after it.
//!
//! The body is built once, at emission: every retry sends the same bytes under the same
//! `webhook-id`, which is what lets a receiver deduplicate (Standard Webhooks).

pub mod deliver;
pub mod events;
mod guard;
pub mod sign;

use crate::app::App;
use calinvite_storage::{EventId, Job, JobState, NewJob, PrincipalId, Store, Webhook};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::collections::hash_map::Entry;

pub use calinvite_storage::WEBHOOK_EVENT_TYPES as EVENT_TYPES;

/// What a delivery job carries: its id (the `webhook-id` header), the webhook's owner (to
/// read the webhook scoped to them), and the body to POST.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delivery {
    pub id: String,
    pub owner: u64,
    pub body: String,
}

impl Delivery {
    pub fn decode(job: &Job) -> Option<Delivery> {
        serde_json::from_slice(&job.payload).ok()
    }
}

/// A new delivery id: `msg_` and 24 random letters and digits (about 143 bits).
fn delivery_id() -> String {
    use rand::Rng;
    use rand::distributions::Alphanumeric;
    let tail: String = rand::thread_rng()
        .sample_iter(&Alphanumeric)
        .take(24)
        .map(char::from)
        .collect();
    format!("msg_{tail}")
}

/// The body every receiver gets: `{"type", "timestamp", "data"}` (Standard Webhooks).
fn body(event_type: &str, data: &serde_json::Value) -> String {
    let timestamp = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    serde_json::json!({ "type": event_type, "timestamp": timestamp, "data": data }).to_string()
}

/// The delivery jobs for an event of `owner`: one per webhook of theirs subscribed to the
/// type. A store error is logged and yields none, because a webhook must never fail the
/// change it reports.
pub async fn deliveries(
    store: &dyn Store,
    owner: PrincipalId,
    event_type: &str,
    data: serde_json::Value,
) -> Vec<NewJob> {
    let hooks = subscribers(store, owner, event_type).await;
    jobs_for(&hooks, owner, event_type, &data)
}

async fn subscribers(store: &dyn Store, owner: PrincipalId, event_type: &str) -> Vec<Webhook> {
    store.webhooks_for(owner, event_type).await.unwrap_or_else(|e| {
        tracing::error!(error = %e, event_type, "cannot read webhooks; this event is not delivered");
        Vec::new()
    })
}

fn jobs_for(hooks: &[Webhook], owner: PrincipalId, event_type: &str, data: &serde_json::Value) -> Vec<NewJob> {
    if hooks.is_empty() {
        return Vec::new();
    }
    let body = body(event_type, data);
    let now = calinvite_storage::now();
    hooks
        .iter()
        .filter_map(|hook| {
            let delivery = Delivery {
                id: delivery_id(),
                owner: owner.0,
                body: body.clone(),
            };
            let payload = serde_json::to_vec(&delivery).ok()?;
            Some(NewJob::webhook_delivery(hook.id, event_type, payload, now))
        })
        .collect()
}

/// Queues an event's deliveries and wakes the workers, so it goes out at once.
pub async fn emit(app: &App, owner: PrincipalId, event_type: &str, data: serde_json::Value) {
    if emit_quietly(app.store.as_ref(), owner, event_type, data).await > 0 {
        app.wake.notify_waiters();
    }
}

/// Queues an event's deliveries without waking anyone (callers without the app; the
/// workers poll often enough). Returns how many were queued.
pub async fn emit_quietly(store: &dyn Store, owner: PrincipalId, event_type: &str, data: serde_json::Value) -> u64 {
    enqueue(store, deliveries(store, owner, event_type, data).await).await
}

async fn enqueue(store: &dyn Store, jobs: Vec<NewJob>) -> u64 {
    if jobs.is_empty() {
        return 0;
    }
    store.enqueue(jobs).await.unwrap_or_else(|e| {
        tracing::error!(error = %e, "cannot queue webhook deliveries");
        0
    })
}

/// `invite.delivered` / `invite.failed` for mail jobs that reached a final state, queued
/// in one transaction for the whole batch the finisher committed. Events and subscribers
/// are read once per batch, so a large fan-out costs a few reads, not one per message.
pub async fn mail_outcomes(store: &dyn Store, jobs: Vec<Job>) {
    let mut events: HashMap<EventId, Option<(PrincipalId, String)>> = HashMap::new();
    let mut hooks: HashMap<(PrincipalId, &'static str), Vec<Webhook>> = HashMap::new();
    let mut out = Vec::new();
    for job in jobs {
        let event_type = match job.state {
            JobState::Done => "invite.delivered",
            JobState::Failed => "invite.failed",
            JobState::Pending => continue,
        };
        let Some(event) = job.event else { continue };
        if let Entry::Vacant(slot) = events.entry(event) {
            let found = match store.event(event).await {
                Ok(e) => e.map(|e| (e.owner, e.uid)),
                Err(e) => {
                    tracing::error!(error = %e, "cannot read the event of a finished job");
                    None
                }
            };
            slot.insert(found);
        }
        let Some(Some((owner, uid))) = events.get(&event).cloned() else {
            continue;
        };
        if let Entry::Vacant(slot) = hooks.entry((owner, event_type)) {
            slot.insert(subscribers(store, owner, event_type).await);
        }
        let subscribed = hooks.get(&(owner, event_type)).map(Vec::as_slice).unwrap_or_default();
        if subscribed.is_empty() {
            continue;
        }
        let data = serde_json::json!({
            "uid": uid,
            "email": job.recipient,
            "method": job.method,
            "sequence": job.sequence,
            "occurrence": job.recurrence_id,
            "attempts": job.attempts,
            "error": job.last_error.filter(|_| job.state == JobState::Failed),
        });
        out.extend(jobs_for(subscribed, owner, event_type, &data));
    }
    enqueue(store, out).await;
}
