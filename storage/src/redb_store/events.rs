//! The event registry: one record per (owner, UID), found by id, by UID, by public code.
//!
//! Ids come from a counter so that listing an owner's events in id order is a range over
//! `(owner, id)`, and a page cursor is simply the last id. Public codes are short random
//! strings from an alphabet without look-alike characters, since people type them from
//! printed links; a collision is retried, never overwritten.

use super::tables::*;
use crate::error::{StoreError, StoreResult};
use crate::model::*;
use redb::{ReadTransaction, ReadableTable, WriteTransaction};

/// Lower-case letters and digits without `l`, `1`, `o`, `0`.
const CODE_ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyz23456789";
const CODE_LEN: usize = 10;

fn save(tx: &WriteTransaction, ev: &EventRecord) -> StoreResult<()> {
    tx.open_table(EVENTS)?.insert(ev.id.0, enc(ev)?.as_slice())?;
    Ok(())
}

pub(super) fn load(tx: &WriteTransaction, id: EventId) -> StoreResult<EventRecord> {
    read_rec(tx.open_table(EVENTS)?.get(id.0)?)?.ok_or_else(|| StoreError::not_found(format!("event {id}")))
}

fn fresh_code(tx: &WriteTransaction) -> StoreResult<String> {
    let codes = tx.open_table(EVENTS_BY_CODE)?;
    loop {
        let code = random_string(CODE_ALPHABET, CODE_LEN);
        if codes.get(code.as_str())?.is_none() {
            return Ok(code);
        }
    }
}

pub(super) fn upsert(tx: &WriteTransaction, up: EventUpsert) -> StoreResult<EventRecord> {
    if up.uid.is_empty() {
        return Err(StoreError::Invalid("an event needs a non-empty UID".into()));
    }
    let existing = get_u64(&tx.open_table(EVENTS_BY_OWNER_UID)?, (up.owner.0, up.uid.as_str()))?;
    let now = crate::now();
    let ev = match existing {
        Some(id) => {
            let mut ev = load(tx, EventId(id))?;
            if ev.collection != up.collection {
                let mut by_coll = tx.open_table(EVENTS_BY_COLLECTION)?;
                by_coll.remove((ev.collection.0, id))?;
                by_coll.insert((up.collection.0, id), ())?;
                ev.collection = up.collection;
            }
            ev.object_name = up.object_name;
            if let Some(v) = up.sequence {
                ev.sequence = v;
            }
            if let Some(v) = up.groups {
                ev.groups = v;
            }
            if let Some(v) = up.approval {
                ev.approval = v;
            }
            if let Some(v) = up.cancelled {
                ev.cancelled = v;
            }
            if let Some(v) = up.summary {
                ev.summary = v;
            }
            if let Some(v) = up.start {
                ev.start = v;
            }
            if let Some(v) = up.custom {
                ev.custom = v;
            }
            ev.updated_at = now;
            ev
        }
        None => {
            if tx.open_table(PRINCIPALS)?.get(up.owner.0)?.is_none() {
                return Err(StoreError::not_found(format!("principal {}", up.owner)));
            }
            let code = match up.public_code {
                Some(code) => {
                    if code.is_empty() {
                        return Err(StoreError::Invalid("a public code must not be empty".into()));
                    }
                    if tx.open_table(EVENTS_BY_CODE)?.get(code.as_str())?.is_some() {
                        return Err(StoreError::exists(format!("public code {code}")));
                    }
                    code
                }
                None => fresh_code(tx)?,
            };
            let id = next_id(&mut tx.open_table(COUNTERS)?, "event")?;
            tx.open_table(EVENTS_BY_OWNER_UID)?
                .insert((up.owner.0, up.uid.as_str()), id)?;
            tx.open_table(EVENTS_BY_UID)?.insert((up.uid.as_str(), id), ())?;
            tx.open_table(EVENTS_BY_CODE)?.insert(code.as_str(), id)?;
            tx.open_table(EVENTS_BY_OWNER)?.insert((up.owner.0, id), ())?;
            tx.open_table(EVENTS_BY_COLLECTION)?.insert((up.collection.0, id), ())?;
            EventRecord {
                id: EventId(id),
                owner: up.owner,
                uid: up.uid,
                collection: up.collection,
                object_name: up.object_name,
                sequence: up.sequence.unwrap_or(0),
                public_code: code,
                groups: up.groups.unwrap_or_default(),
                approval: up.approval.unwrap_or_default(),
                cancelled: up.cancelled.unwrap_or(false),
                summary: up.summary.unwrap_or_default(),
                start: up.start.unwrap_or(None),
                custom: up.custom.unwrap_or_default(),
                created_at: now,
                updated_at: now,
            }
        }
    };
    save(tx, &ev)?;
    Ok(ev)
}

/// Removes an event with its index entries, pending change, recipients, tokens and counters.
pub(super) fn delete(tx: &WriteTransaction, id: EventId) -> StoreResult<()> {
    let ev = load(tx, id)?;
    tx.open_table(EVENTS)?.remove(id.0)?;
    tx.open_table(EVENTS_BY_OWNER_UID)?
        .remove((ev.owner.0, ev.uid.as_str()))?;
    tx.open_table(EVENTS_BY_UID)?.remove((ev.uid.as_str(), id.0))?;
    tx.open_table(EVENTS_BY_CODE)?.remove(ev.public_code.as_str())?;
    tx.open_table(EVENTS_BY_OWNER)?.remove((ev.owner.0, id.0))?;
    tx.open_table(EVENTS_BY_COLLECTION)?.remove((ev.collection.0, id.0))?;
    super::pending::delete_for_event(tx, id)?;
    super::recipients::delete_all(tx, id)
}

/// Points every event registered on `from` at `to` (a collection move).
pub(super) fn repoint(tx: &WriteTransaction, from: CollectionId, to: CollectionId) -> StoreResult<()> {
    let mut ids = Vec::new();
    {
        let mut by_coll = tx.open_table(EVENTS_BY_COLLECTION)?;
        for row in by_coll.range((from.0, 0)..=(from.0, u64::MAX))? {
            ids.push(row?.0.value().1);
        }
        for id in &ids {
            by_coll.remove((from.0, *id))?;
            by_coll.insert((to.0, *id), ())?;
        }
    }
    for id in ids {
        let mut ev = load(tx, EventId(id))?;
        ev.collection = to;
        save(tx, &ev)?;
    }
    Ok(())
}

pub(super) fn get(tx: &ReadTransaction, id: EventId) -> StoreResult<Option<EventRecord>> {
    read_rec(tx.open_table(EVENTS)?.get(id.0)?)
}

pub(super) fn by_uid(tx: &ReadTransaction, owner: PrincipalId, uid: &str) -> StoreResult<Option<EventRecord>> {
    match get_u64(&tx.open_table(EVENTS_BY_OWNER_UID)?, (owner.0, uid))? {
        Some(id) => get(tx, EventId(id)),
        None => Ok(None),
    }
}

pub(super) fn with_uid(tx: &ReadTransaction, uid: &str) -> StoreResult<Vec<EventRecord>> {
    let index = tx.open_table(EVENTS_BY_UID)?;
    let events = tx.open_table(EVENTS)?;
    let mut out = Vec::new();
    for row in index.range((uid, 0)..=(uid, u64::MAX))? {
        if let Some(ev) = read_rec(events.get(row?.0.value().1)?)? {
            out.push(ev);
        }
    }
    Ok(out)
}

pub(super) fn by_code(tx: &ReadTransaction, code: &str) -> StoreResult<Option<EventRecord>> {
    match get_u64(&tx.open_table(EVENTS_BY_CODE)?, code)? {
        Some(id) => get(tx, EventId(id)),
        None => Ok(None),
    }
}

pub(super) fn list(
    tx: &ReadTransaction,
    owner: PrincipalId,
    cursor: Option<&str>,
    limit: usize,
) -> StoreResult<Page<EventRecord>> {
    check_limit(limit)?;
    let after = parse_cursor(cursor)?;
    let from = match after {
        Some(id) => id.saturating_add(1),
        None => 0,
    };
    let index = tx.open_table(EVENTS_BY_OWNER)?;
    let events = tx.open_table(EVENTS)?;
    let mut items = Vec::new();
    let mut more = false;
    for row in index.range((owner.0, from)..=(owner.0, u64::MAX))? {
        if items.len() == limit {
            more = true;
            break;
        }
        if let Some(ev) = read_rec::<EventRecord>(events.get(row?.0.value().1)?)? {
            items.push(ev);
        }
    }
    let next = if more {
        items.last().map(|e| e.id.to_string())
    } else {
        None
    };
    Ok(Page { items, next })
}
