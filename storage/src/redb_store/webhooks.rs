//! Webhooks and their delivery log.
//!
//! A webhook is found by id and checked against its owner, so one organizer can never read
//! or remove another's: to them it does not exist. The per-owner index makes listing (and
//! finding the subscribers of an event type) a range over that owner. The delivery log is
//! the `(webhook, job)` index the outbox writes as each delivery job is created; listing it
//! newest first is a reverse range, and the jobs themselves carry attempts, state, last
//! error and times.

use super::tables::*;
use crate::error::{StoreError, StoreResult};
use crate::model::*;
use redb::{ReadTransaction, ReadableTable, WriteTransaction};
use std::ops::Bound;

fn validate(new: &NewWebhook) -> StoreResult<()> {
    let url = new.url.trim();
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or_else(|| StoreError::Invalid(format!("webhook URL {url:?} must start with http:// or https://")))?;
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    if host.is_empty() || host.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(StoreError::Invalid(format!("webhook URL {url:?} has no valid host")));
    }
    if new.events.is_empty() {
        return Err(StoreError::Invalid(
            "a webhook needs at least one event type (or \"*\" for all)".into(),
        ));
    }
    if let Some(bad) = new
        .events
        .iter()
        .find(|e| e.as_str() != "*" && !WEBHOOK_EVENT_TYPES.contains(&e.as_str()))
    {
        return Err(StoreError::Invalid(format!(
            "unknown webhook event type {bad:?}; known: {}",
            WEBHOOK_EVENT_TYPES.join(", ")
        )));
    }
    if new.secret.is_empty() {
        return Err(StoreError::Invalid("a webhook needs a signing secret".into()));
    }
    Ok(())
}

pub(super) fn create(tx: &WriteTransaction, new: NewWebhook) -> StoreResult<Webhook> {
    validate(&new)?;
    if tx.open_table(PRINCIPALS)?.get(new.owner.0)?.is_none() {
        return Err(StoreError::not_found(format!("principal {}", new.owner)));
    }
    let mut events: Vec<String> = Vec::with_capacity(new.events.len());
    for e in new.events {
        if !events.contains(&e) {
            events.push(e);
        }
    }
    let id = next_id(&mut tx.open_table(COUNTERS)?, "webhook")?;
    let webhook = Webhook {
        id: WebhookId(id),
        owner: new.owner,
        url: new.url.trim().to_string(),
        events,
        secret: new.secret,
        created_at: crate::now(),
    };
    tx.open_table(WEBHOOKS)?.insert(id, enc(&webhook)?.as_slice())?;
    tx.open_table(WEBHOOKS_BY_OWNER)?.insert((webhook.owner.0, id), ())?;
    Ok(webhook)
}

pub(super) fn get(tx: &ReadTransaction, owner: PrincipalId, id: WebhookId) -> StoreResult<Option<Webhook>> {
    let found: Option<Webhook> = read_rec(tx.open_table(WEBHOOKS)?.get(id.0)?)?;
    Ok(found.filter(|w| w.owner == owner))
}

pub(super) fn list(tx: &ReadTransaction, owner: PrincipalId) -> StoreResult<Vec<Webhook>> {
    let index = tx.open_table(WEBHOOKS_BY_OWNER)?;
    let table = tx.open_table(WEBHOOKS)?;
    let mut out = Vec::new();
    for row in index.range((owner.0, 0)..=(owner.0, u64::MAX))? {
        let id = row?.0.value().1;
        if let Some(w) = read_rec::<Webhook>(table.get(id)?)? {
            out.push(w);
        }
    }
    Ok(out)
}

pub(super) fn subscribed(tx: &ReadTransaction, owner: PrincipalId, event_type: &str) -> StoreResult<Vec<Webhook>> {
    let mut all = list(tx, owner)?;
    all.retain(|w| w.subscribes_to(event_type));
    Ok(all)
}

pub(super) fn delete(tx: &WriteTransaction, owner: PrincipalId, id: WebhookId) -> StoreResult<()> {
    let mut table = tx.open_table(WEBHOOKS)?;
    let found: Option<Webhook> = read_rec(table.get(id.0)?)?;
    if found.is_none_or(|w| w.owner != owner) {
        return Err(StoreError::not_found(format!("webhook {id}")));
    }
    table.remove(id.0)?;
    tx.open_table(WEBHOOKS_BY_OWNER)?.remove((owner.0, id.0))?;
    let mut log = tx.open_table(WEBHOOK_JOBS)?;
    let jobs: Vec<u64> = log
        .range((id.0, 0)..=(id.0, u64::MAX))?
        .map(|row| row.map(|(k, _)| k.value().1))
        .collect::<Result<_, _>>()?;
    for job in jobs {
        log.remove((id.0, job))?;
    }
    Ok(())
}

pub(super) fn deliveries(
    tx: &ReadTransaction,
    owner: PrincipalId,
    id: WebhookId,
    cursor: Option<&str>,
    limit: usize,
) -> StoreResult<Page<Job>> {
    check_limit(limit)?;
    if get(tx, owner, id)?.is_none() {
        return Err(StoreError::not_found(format!("webhook {id}")));
    }
    let upper = match parse_cursor(cursor)? {
        Some(job) => Bound::Excluded((id.0, job)),
        None => Bound::Included((id.0, u64::MAX)),
    };
    let log = tx.open_table(WEBHOOK_JOBS)?;
    let jobs = tx.open_table(JOBS)?;
    let mut items: Vec<Job> = Vec::new();
    let mut more = false;
    for row in log.range::<(u64, u64)>((Bound::Included((id.0, 0)), upper))?.rev() {
        let job_id = row?.0.value().1;
        let Some(job) = read_rec::<Job>(jobs.get(job_id)?)? else {
            continue;
        };
        if items.len() == limit {
            more = true;
            break;
        }
        items.push(job);
    }
    let next = if more {
        items.last().map(|j| j.id.to_string())
    } else {
        None
    };
    Ok(Page { items, next })
}
