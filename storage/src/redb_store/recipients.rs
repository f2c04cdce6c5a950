//! Recipients, invitation batches, answers and the suppression list.
//!
//! An invitation call is one write transaction that streams through its recipients with
//! every table opened once, so 100,000 addresses cost 100,000 point writes and nothing
//! quadratic. Answer counts per event live in a small counter record updated with each
//! change, so the dashboard's "12 accepted, 3 declined" is one read. An answer is ordered by
//! (SEQUENCE, DTSTAMP) against the newest applied answer for the same occurrence; since an
//! applied answer is never older than one before it, that newest one is simply the maximum
//! key in the history, and no "applied" flag needs storing.

use super::events;
use super::outbox::JobWriter;
use super::tables::*;
use crate::error::{StoreError, StoreResult};
use crate::model::*;
use redb::{ReadTransaction, ReadableTable, Table, WriteTransaction};
use std::collections::HashSet;
use std::ops::Bound;

/// URL-safe characters for recipient tokens.
const TOKEN_ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const TOKEN_LEN: usize = 32;
const PARTSTATS: [PartStat; 5] = [
    PartStat::NeedsAction,
    PartStat::Accepted,
    PartStat::Declined,
    PartStat::Tentative,
    PartStat::Delegated,
];

type Counts = [u64; 5];

fn slot(p: PartStat) -> usize {
    PARTSTATS.iter().position(|x| *x == p).unwrap_or(0)
}

fn adjust_counts(tx: &WriteTransaction, event: EventId, f: impl FnOnce(&mut Counts)) -> StoreResult<()> {
    let mut table = tx.open_table(RECIPIENT_COUNTS)?;
    let mut counts: Counts = read_rec(table.get(event.0)?)?.unwrap_or_default();
    f(&mut counts);
    table.insert(event.0, enc(&counts)?.as_slice())?;
    Ok(())
}

fn unique_token(tokens: &Table<'_, &'static str, &'static [u8]>) -> StoreResult<String> {
    loop {
        let token = random_string(TOKEN_ALPHABET, TOKEN_LEN);
        if tokens.get(token.as_str())?.is_none() {
            return Ok(token);
        }
    }
}

pub(super) fn invite(
    tx: &WriteTransaction,
    owner: PrincipalId,
    req: InvitationRequest,
) -> StoreResult<InvitationOutcome> {
    let event = events::load(tx, req.event)?;
    if event.owner != owner {
        return Err(StoreError::not_found(format!("event {}", req.event)));
    }
    if let Some(key) = req.idempotency_key.as_deref() {
        let earlier = get_u64(&tx.open_table(IDEMPOTENCY)?, (owner.0, key))?;
        if let Some(id) = earlier {
            let batch: Batch = read_rec(tx.open_table(BATCHES)?.get(id)?)?
                .ok_or_else(|| StoreError::Engine(format!("batch {id} of an idempotency key is missing")))?;
            return Ok(InvitationOutcome { batch, replayed: true });
        }
    }
    let now = crate::now();
    let batch_id = BatchId(next_id(&mut tx.open_table(COUNTERS)?, "batch")?);
    let mut batch = Batch {
        id: batch_id,
        event: event.id,
        owner,
        idempotency_key: req.idempotency_key.clone(),
        queued: 0,
        already_invited: 0,
        suppressed: 0,
        sent: 0,
        deferred: 0,
        failed: 0,
        created_at: now,
    };
    {
        let mut recipients = tx.open_table(RECIPIENTS)?;
        let mut tokens = tx.open_table(RECIPIENT_TOKENS)?;
        let suppressions = tx.open_table(SUPPRESSIONS)?;
        let mut jobs = JobWriter::open(tx)?;
        let mut seen = HashSet::with_capacity(req.recipients.len());
        for new in req.recipients {
            let email = normalize_email(&new.email)?;
            if recipients.get((event.id.0, email.as_str()))?.is_some() || !seen.insert(email.clone()) {
                batch.already_invited += 1;
                continue;
            }
            if suppressions.get(email.as_str())?.is_some() {
                batch.suppressed += 1;
                continue;
            }
            let token = unique_token(&tokens)?;
            tokens.insert(token.as_str(), enc(&(event.id.0, email.as_str()))?.as_slice())?;
            let recipient = Recipient {
                event: event.id,
                email: email.clone(),
                name: new.name,
                lang: new.lang,
                partstat: PartStat::NeedsAction,
                occurrences: Default::default(),
                history: Vec::new(),
                delivery: DeliveryState::Queued,
                sequence_sent: req.sequence,
                token,
                invited_at: now,
                batch: Some(batch_id),
            };
            recipients.insert((event.id.0, email.as_str()), enc(&recipient)?.as_slice())?;
            jobs.insert(
                NewJob {
                    queue: req.queue.clone(),
                    event: Some(event.id),
                    recipient: Some(email),
                    method: req.method.clone(),
                    sequence: req.sequence,
                    recurrence_id: None,
                    batch: Some(batch_id),
                    payload: Vec::new(),
                    due_at: req.due_at,
                },
                now,
            )?;
            batch.queued += 1;
        }
        jobs.close(tx)?;
    }
    let queued = batch.queued;
    adjust_counts(tx, event.id, |c| c[slot(PartStat::NeedsAction)] += queued)?;
    tx.open_table(BATCHES)?.insert(batch_id.0, enc(&batch)?.as_slice())?;
    if let Some(key) = req.idempotency_key.as_deref() {
        tx.open_table(IDEMPOTENCY)?.insert((owner.0, key), batch_id.0)?;
    }
    Ok(InvitationOutcome { batch, replayed: false })
}

/// Queues one job per matching recipient of `event`; returns how many were new.
pub(super) fn fan_out(tx: &WriteTransaction, event: EventId, fan: &FanOut) -> StoreResult<u64> {
    events::load(tx, event)?;
    let now = crate::now();
    let reached: Vec<Recipient> = {
        let recipients = tx.open_table(RECIPIENTS)?;
        let suppressions = tx.open_table(SUPPRESSIONS)?;
        let mut v = Vec::new();
        for row in recipients.range((event.0, "")..(event.0 + 1, ""))? {
            let r: Recipient = dec(row?.1.value())?;
            let wanted = fan.statuses.is_empty() || fan.statuses.contains(&r.partstat);
            if wanted && suppressions.get(r.email.as_str())?.is_none() {
                v.push(r);
            }
        }
        v
    };
    let mut created = 0;
    let mut updated = Vec::with_capacity(reached.len());
    {
        let mut jobs = JobWriter::open(tx)?;
        for mut r in reached {
            let job = NewJob {
                queue: fan.queue.clone(),
                event: Some(event),
                recipient: Some(r.email.clone()),
                method: fan.method.clone(),
                sequence: fan.sequence,
                recurrence_id: fan.recurrence_id.clone(),
                batch: None,
                payload: fan.payload.clone(),
                due_at: fan.due_at,
            };
            if jobs.insert(job, now)?.is_some() {
                created += 1;
                r.delivery = DeliveryState::Queued;
            }
            r.sequence_sent = fan.sequence;
            updated.push(r);
        }
        jobs.close(tx)?;
    }
    let mut recipients = tx.open_table(RECIPIENTS)?;
    for r in updated {
        recipients.insert((event.0, r.email.as_str()), enc(&r)?.as_slice())?;
    }
    Ok(created)
}

/// Removes every recipient of an event, their tokens and counters.
pub(super) fn delete_all(tx: &WriteTransaction, event: EventId) -> StoreResult<()> {
    let mut tokens = Vec::new();
    {
        let mut recipients = tx.open_table(RECIPIENTS)?;
        for row in recipients.range((event.0, "")..(event.0 + 1, ""))? {
            let r: Recipient = dec(row?.1.value())?;
            tokens.push(r.token);
        }
        recipients.retain_in((event.0, "")..(event.0 + 1, ""), |_, _| false)?;
    }
    let mut table = tx.open_table(RECIPIENT_TOKENS)?;
    for t in tokens {
        table.remove(t.as_str())?;
    }
    tx.open_table(RECIPIENT_COUNTS)?.remove(event.0)?;
    Ok(())
}

fn load_w(tx: &WriteTransaction, event: EventId, email: &str) -> StoreResult<Recipient> {
    let email = email.trim().to_lowercase();
    read_rec(tx.open_table(RECIPIENTS)?.get((event.0, email.as_str()))?)?
        .ok_or_else(|| StoreError::not_found(format!("recipient {email} of event {event}")))
}

fn save_w(tx: &WriteTransaction, r: &Recipient) -> StoreResult<()> {
    tx.open_table(RECIPIENTS)?
        .insert((r.event.0, r.email.as_str()), enc(r)?.as_slice())?;
    Ok(())
}

// RFC 5546 §2.1.5: answers are ordered by SEQUENCE, then DTSTAMP; an older one is stale.
pub(super) fn record_rsvp(
    tx: &WriteTransaction,
    event: EventId,
    email: &str,
    entry: RsvpEntry,
) -> StoreResult<RsvpOutcome> {
    let mut r = load_w(tx, event, email)?;
    let key = (entry.sequence, entry.dtstamp);
    let newest = r
        .history
        .iter()
        .filter(|h| h.recurrence_id == entry.recurrence_id)
        .map(|h| (h.sequence, h.dtstamp))
        .max();
    let rid = entry.recurrence_id.clone();
    let answer = entry.partstat;
    r.history.push(entry);
    if newest.is_some_and(|n| key < n) {
        save_w(tx, &r)?;
        let current = rid.and_then(|id| r.occurrences.get(&id).copied()).unwrap_or(r.partstat);
        return Ok(RsvpOutcome::Stale { current });
    }
    let previous = match rid {
        None => {
            let previous = r.partstat;
            r.partstat = answer;
            if previous != answer {
                adjust_counts(tx, event, |c| {
                    c[slot(previous)] = c[slot(previous)].saturating_sub(1);
                    c[slot(answer)] += 1;
                })?;
            }
            previous
        }
        Some(id) => r.occurrences.insert(id, answer).unwrap_or(r.partstat),
    };
    save_w(tx, &r)?;
    Ok(RsvpOutcome::Applied {
        previous,
        recipient: Box::new(r),
    })
}

pub(super) fn set_delivery(
    tx: &WriteTransaction,
    event: EventId,
    email: &str,
    state: DeliveryState,
) -> StoreResult<()> {
    let mut r = load_w(tx, event, email)?;
    r.delivery = state;
    save_w(tx, &r)
}

pub(super) fn batch(tx: &ReadTransaction, id: BatchId) -> StoreResult<Option<Batch>> {
    read_rec(tx.open_table(BATCHES)?.get(id.0)?)
}

pub(super) fn get(tx: &ReadTransaction, event: EventId, email: &str) -> StoreResult<Option<Recipient>> {
    let email = email.trim().to_lowercase();
    read_rec(tx.open_table(RECIPIENTS)?.get((event.0, email.as_str()))?)
}

pub(super) fn by_token(tx: &ReadTransaction, token: &str) -> StoreResult<Option<Recipient>> {
    let target: Option<(u64, String)> = read_rec(tx.open_table(RECIPIENT_TOKENS)?.get(token)?)?;
    match target {
        Some((event, email)) => get(tx, EventId(event), &email),
        None => Ok(None),
    }
}

pub(super) fn list(
    tx: &ReadTransaction,
    event: EventId,
    status: Option<PartStat>,
    cursor: Option<&str>,
    limit: usize,
) -> StoreResult<Page<Recipient>> {
    check_limit(limit)?;
    let table = tx.open_table(RECIPIENTS)?;
    let lower = match cursor {
        Some(c) => Bound::Excluded((event.0, c)),
        None => Bound::Included((event.0, "")),
    };
    let mut items: Vec<Recipient> = Vec::new();
    let mut more = false;
    for row in table.range::<(u64, &str)>((lower, Bound::Excluded((event.0 + 1, ""))))? {
        let r: Recipient = dec(row?.1.value())?;
        if status.is_some_and(|s| s != r.partstat) {
            continue;
        }
        if items.len() == limit {
            more = true;
            break;
        }
        items.push(r);
    }
    let next = if more {
        items.last().map(|r| r.email.clone())
    } else {
        None
    };
    Ok(Page { items, next })
}

pub(super) fn count(tx: &ReadTransaction, event: EventId) -> StoreResult<Vec<(PartStat, u64)>> {
    let counts: Counts = read_rec(tx.open_table(RECIPIENT_COUNTS)?.get(event.0)?)?.unwrap_or_default();
    Ok(PARTSTATS
        .iter()
        .zip(counts)
        .filter(|(_, n)| *n > 0)
        .map(|(p, n)| (*p, n))
        .collect())
}

// ----- suppression list ---------------------------------------------------------------

pub(super) fn suppress(
    tx: &WriteTransaction,
    email: &str,
    reason: SuppressionReason,
    note: Option<String>,
) -> StoreResult<()> {
    let email = normalize_email(email)?;
    let mut table = tx.open_table(SUPPRESSIONS)?;
    let created_at = read_rec::<Suppression>(table.get(email.as_str())?)?.map_or_else(crate::now, |s| s.created_at);
    let entry = Suppression {
        email: email.clone(),
        reason,
        note,
        created_at,
    };
    table.insert(email.as_str(), enc(&entry)?.as_slice())?;
    Ok(())
}

pub(super) fn unsuppress(tx: &WriteTransaction, email: &str) -> StoreResult<bool> {
    let email = email.trim().to_lowercase();
    Ok(tx.open_table(SUPPRESSIONS)?.remove(email.as_str())?.is_some())
}

pub(super) fn suppression(tx: &ReadTransaction, email: &str) -> StoreResult<Option<Suppression>> {
    let email = email.trim().to_lowercase();
    read_rec(tx.open_table(SUPPRESSIONS)?.get(email.as_str())?)
}

pub(super) fn list_suppressions(
    tx: &ReadTransaction,
    cursor: Option<&str>,
    limit: usize,
) -> StoreResult<Page<Suppression>> {
    check_limit(limit)?;
    let table = tx.open_table(SUPPRESSIONS)?;
    let lower = match cursor {
        Some(c) => Bound::Excluded(c),
        None => Bound::Unbounded,
    };
    let mut items: Vec<Suppression> = Vec::new();
    let mut more = false;
    for row in table.range::<&str>((lower, Bound::Unbounded))? {
        if items.len() == limit {
            more = true;
            break;
        }
        items.push(dec(row?.1.value())?);
    }
    let next = if more {
        items.last().map(|s| s.email.clone())
    } else {
        None
    };
    Ok(Page { items, next })
}
