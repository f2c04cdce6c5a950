//! Pending changes: fan-outs held for approval.
//!
//! A held change has landed in the calendar already; only telling the recipients waits. An
//! event has at most one pending change (`PENDING_BY_EVENT`): a later held change folds into
//! it, keeping the body from before the first one and widening the fan-out so that approval
//! tells everyone any of the folded changes would have told.

use super::recipients;
use super::tables::*;
use crate::error::{StoreError, StoreResult};
use crate::model::*;
use redb::{ReadTransaction, ReadableTable, WriteTransaction};

fn is_series_cancel(fan: &FanOut) -> bool {
    fan.method.eq_ignore_ascii_case("CANCEL") && fan.recurrence_id.is_none()
}

/// The fan-out that tells everyone both `old` and `new` would have told.
fn fold_fan_out(old: &FanOut, new: FanOut) -> FanOut {
    let statuses = if old.statuses.is_empty() || new.statuses.is_empty() {
        Vec::new()
    } else {
        let mut all: Vec<PartStat> = old.statuses.iter().chain(new.statuses.iter()).copied().collect();
        all.sort();
        all.dedup();
        all
    };
    let series_wide = old.recurrence_id.is_none() || new.recurrence_id.is_none();
    let mut out = if is_series_cancel(&new) {
        new
    } else if is_series_cancel(old) {
        old.clone()
    } else {
        new
    };
    if series_wide {
        out.recurrence_id = None;
    }
    out.statuses = statuses;
    out
}

fn load_w(tx: &WriteTransaction, id: PendingId) -> StoreResult<Option<PendingChange>> {
    read_rec(tx.open_table(PENDING)?.get(id.0)?)
}

fn save(tx: &WriteTransaction, p: &PendingChange) -> StoreResult<()> {
    tx.open_table(PENDING)?.insert(p.id.0, enc(p)?.as_slice())?;
    tx.open_table(PENDING_BY_EVENT)?.insert(p.event.0, p.id.0)?;
    tx.open_table(PENDING_BY_OWNER)?.insert((p.owner.0, p.id.0), ())?;
    Ok(())
}

fn remove(tx: &WriteTransaction, p: &PendingChange) -> StoreResult<()> {
    tx.open_table(PENDING)?.remove(p.id.0)?;
    tx.open_table(PENDING_BY_EVENT)?.remove(p.event.0)?;
    tx.open_table(PENDING_BY_OWNER)?.remove((p.owner.0, p.id.0))?;
    Ok(())
}

/// Holds a change: creates the event's pending change, or folds into the one it has.
pub(super) fn hold(tx: &WriteTransaction, hold: Hold) -> StoreResult<PendingChange> {
    super::events::load(tx, hold.event)?;
    let now = crate::now();
    let existing = get_u64(&tx.open_table(PENDING_BY_EVENT)?, hold.event.0)?;
    let existing = match existing {
        Some(id) => Some(
            load_w(tx, PendingId(id))?
                .ok_or_else(|| StoreError::Engine(format!("pending change {id} of an index entry is missing")))?,
        ),
        None => None,
    };
    let pending = match existing {
        Some(mut p) => {
            if p.owner != hold.owner {
                tx.open_table(PENDING_BY_OWNER)?.remove((p.owner.0, p.id.0))?;
                p.owner = hold.owner;
            }
            p.after = hold.after;
            p.fan_out = fold_fan_out(&p.fan_out, hold.fan_out);
            p.updated_at = now;
            p
        }
        None => PendingChange {
            id: PendingId(next_id(&mut tx.open_table(COUNTERS)?, "pending")?),
            event: hold.event,
            owner: hold.owner,
            before: hold.before,
            after: hold.after,
            fan_out: hold.fan_out,
            created_at: now,
            updated_at: now,
        },
    };
    save(tx, &pending)?;
    Ok(pending)
}

pub(super) fn get(tx: &ReadTransaction, id: PendingId) -> StoreResult<Option<PendingChange>> {
    read_rec(tx.open_table(PENDING)?.get(id.0)?)
}

pub(super) fn for_event(tx: &ReadTransaction, event: EventId) -> StoreResult<Option<PendingChange>> {
    match get_u64(&tx.open_table(PENDING_BY_EVENT)?, event.0)? {
        Some(id) => get(tx, PendingId(id)),
        None => Ok(None),
    }
}

pub(super) fn list(tx: &ReadTransaction, owner: PrincipalId) -> StoreResult<Vec<PendingChange>> {
    let index = tx.open_table(PENDING_BY_OWNER)?;
    let table = tx.open_table(PENDING)?;
    let mut out = Vec::new();
    for row in index.range((owner.0, 0)..=(owner.0, u64::MAX))? {
        let id = row?.0.value().1;
        if let Some(p) = read_rec::<PendingChange>(table.get(id)?)? {
            out.push(p);
        }
    }
    out.sort_by_key(|p| (p.created_at, p.id));
    Ok(out)
}

/// Queues the held fan-out, due `now`, and removes the pending change.
pub(super) fn approve(tx: &WriteTransaction, id: PendingId, now: Timestamp) -> StoreResult<u64> {
    let p = load_w(tx, id)?.ok_or_else(|| StoreError::not_found(format!("pending change {id}")))?;
    remove(tx, &p)?;
    let mut fan = p.fan_out;
    fan.due_at = now;
    let target = fan.event.unwrap_or(p.event);
    recipients::fan_out(tx, target, &fan)
}

pub(super) fn discard(tx: &WriteTransaction, id: PendingId) -> StoreResult<()> {
    let p = load_w(tx, id)?.ok_or_else(|| StoreError::not_found(format!("pending change {id}")))?;
    remove(tx, &p)
}

/// Removes the pending change of an event, if any (the event is being deleted).
pub(super) fn delete_for_event(tx: &WriteTransaction, event: EventId) -> StoreResult<()> {
    let Some(id) = get_u64(&tx.open_table(PENDING_BY_EVENT)?, event.0)? else {
        return Ok(());
    };
    match load_w(tx, PendingId(id))? {
        Some(p) => remove(tx, &p),
        None => {
            tx.open_table(PENDING_BY_EVENT)?.remove(event.0)?;
            Ok(())
        }
    }
}
