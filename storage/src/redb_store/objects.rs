//! Objects: metadata, bodies, the UID index, the time index and the change log.
//!
//! Metadata and bodies are separate tables, so PROPFIND-style listings and sync reports
//! read no bodies. The time index answers range queries without visiting every object:
//! ranges of at most [`SHORT_SPAN`] are keyed by their start, so a query only scans starts
//! in `[query start - SHORT_SPAN, query end)`; longer and unbounded ranges (few: yearly
//! birthdays, open-ended series) sit in a small side table scanned whole per query. Every
//! write appends `(collection, seq) → (name, deleted)` to the change log, which sync tokens
//! (RFC 6578) replay; the log is never pruned.

use super::collections;
use super::effects;
use super::tables::*;
use crate::error::{StoreError, StoreResult};
use crate::model::*;
use redb::{ReadTransaction, ReadableTable, WriteTransaction};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Ranges at most this long go in the start-keyed time index.
const SHORT_SPAN: i64 = 7 * 24 * 3600;

/// One entry of a collection's change log.
#[derive(Debug, Serialize, Deserialize)]
struct ChangeEntry {
    name: String,
    deleted: bool,
}

fn check_name(name: &str) -> StoreResult<()> {
    if name.is_empty() || name.contains('/') || name == "." || name == ".." {
        return Err(StoreError::Invalid(format!(
            "object name {name:?} must be non-empty and contain no '/'"
        )));
    }
    Ok(())
}

/// The end of a range that belongs in the short index, if it does.
fn short_end(range: &TimeRange) -> Option<i64> {
    range.end.filter(|end| end.saturating_sub(range.start) <= SHORT_SPAN)
}

// RFC 9110 §13.1: If-Match and If-None-Match evaluated against the current state.
fn check_precondition(pre: &Precondition, current: Option<&ObjectMeta>) -> StoreResult<()> {
    match (pre, current) {
        (Precondition::None, _) => Ok(()),
        (Precondition::IfMatch(etag), Some(meta)) if meta.etag == etag.trim_matches('"') => Ok(()),
        (Precondition::IfMatch(etag), Some(meta)) => Err(StoreError::PreconditionFailed(format!(
            "the ETag is \"{}\", not \"{}\"",
            meta.etag,
            etag.trim_matches('"')
        ))),
        (Precondition::IfMatch(_) | Precondition::IfExists, None) => {
            Err(StoreError::PreconditionFailed("the resource does not exist".into()))
        }
        (Precondition::IfExists, Some(_)) => Ok(()),
        (Precondition::IfNotExists, Some(_)) => {
            Err(StoreError::PreconditionFailed("the resource already exists".into()))
        }
        (Precondition::IfNotExists, None) => Ok(()),
    }
}

fn meta_w(tx: &WriteTransaction, cid: CollectionId, name: &str) -> StoreResult<Option<ObjectMeta>> {
    read_rec(tx.open_table(OBJECT_META)?.get((cid.0, name))?)
}

pub(super) fn exists(tx: &WriteTransaction, cid: CollectionId, name: &str) -> StoreResult<bool> {
    Ok(tx.open_table(OBJECT_META)?.get((cid.0, name))?.is_some())
}

/// Bumps the collection's sequence and logs the change; returns the new sequence.
fn record_change(tx: &WriteTransaction, coll: &mut Collection, name: &str, deleted: bool) -> StoreResult<u64> {
    coll.sync_seq += 1;
    let entry = ChangeEntry {
        name: name.to_string(),
        deleted,
    };
    tx.open_table(CHANGES)?
        .insert((coll.id.0, coll.sync_seq), enc(&entry)?.as_slice())?;
    collections::save(tx, coll)?;
    Ok(coll.sync_seq)
}

fn index_time(
    tx: &WriteTransaction,
    cid: CollectionId,
    name: &str,
    range: Option<&TimeRange>,
    add: bool,
) -> StoreResult<()> {
    let Some(range) = range else { return Ok(()) };
    if let Some(end) = short_end(range) {
        let mut t = tx.open_table(TIME_SHORT)?;
        if add {
            t.insert((cid.0, range.start, name), end)?;
        } else {
            t.remove((cid.0, range.start, name))?;
        }
    } else {
        let mut t = tx.open_table(TIME_LONG)?;
        if add {
            t.insert((cid.0, name), enc(range)?.as_slice())?;
        } else {
            t.remove((cid.0, name))?;
        }
    }
    Ok(())
}

/// Writes an object and its index entries, replacing those of `old`.
fn write_object(
    tx: &WriteTransaction,
    coll: &Collection,
    meta: &ObjectMeta,
    body: &[u8],
    old: Option<&ObjectMeta>,
) -> StoreResult<()> {
    let cid = coll.id;
    let name = meta.name.as_str();
    tx.open_table(OBJECT_META)?
        .insert((cid.0, name), enc(meta)?.as_slice())?;
    tx.open_table(OBJECT_BODIES)?.insert((cid.0, name), body)?;
    if coll.kind == CollectionKind::Calendar {
        let mut uids = tx.open_table(OBJECT_UIDS)?;
        if let Some(old_uid) = old.and_then(|o| o.uid.as_deref())
            && Some(old_uid) != meta.uid.as_deref()
        {
            uids.remove((cid.0, old_uid))?;
        }
        if let Some(uid) = meta.uid.as_deref() {
            uids.insert((cid.0, uid), name)?;
        }
    }
    if let Some(old) = old {
        index_time(tx, cid, name, old.time_range.as_ref(), false)?;
    }
    index_time(tx, cid, name, meta.time_range.as_ref(), true)
}

/// Removes an object and its index entries (not the change log).
fn remove_object(tx: &WriteTransaction, coll: &Collection, meta: &ObjectMeta) -> StoreResult<()> {
    let cid = coll.id;
    let name = meta.name.as_str();
    tx.open_table(OBJECT_META)?.remove((cid.0, name))?;
    tx.open_table(OBJECT_BODIES)?.remove((cid.0, name))?;
    if let Some(uid) = meta.uid.as_deref() {
        let mut uids = tx.open_table(OBJECT_UIDS)?;
        let holds = uids.get((cid.0, uid))?.is_some_and(|g| g.value() == name);
        if holds {
            uids.remove((cid.0, uid))?;
        }
    }
    index_time(tx, cid, name, meta.time_range.as_ref(), false)
}

/// Fails with `UidConflict` when another object of a calendar collection holds `uid`.
// RFC 4791 §5.3.2.1: no-uid-conflict.
fn check_uid(
    tx: &WriteTransaction,
    coll: &Collection,
    uid: Option<&str>,
    name: &str,
    ignore: Option<&str>,
) -> StoreResult<()> {
    let Some(uid) = uid else { return Ok(()) };
    if coll.kind != CollectionKind::Calendar {
        return Ok(());
    }
    let uids = tx.open_table(OBJECT_UIDS)?;
    if let Some(holder) = uids.get((coll.id.0, uid))?.map(|g| g.value().to_string())
        && holder != name
        && Some(holder.as_str()) != ignore
    {
        return Err(StoreError::UidConflict {
            uid: uid.to_string(),
            existing: holder,
        });
    }
    Ok(())
}

/// In a plain collection an object cannot take the name of a child collection.
fn check_not_collection(tx: &WriteTransaction, coll: &Collection, name: &str) -> StoreResult<()> {
    if coll.kind == CollectionKind::Plain
        && collections::id_at(tx, coll.owner, &format!("{}/{name}", coll.path))?.is_some()
    {
        return Err(StoreError::exists(format!("{}/{name} (a collection)", coll.path)));
    }
    Ok(())
}

pub(super) fn put(
    tx: &WriteTransaction,
    cid: CollectionId,
    name: &str,
    write: ObjectWrite,
    pre: Precondition,
    fx: Effects,
) -> StoreResult<(PutOutcome, EffectsOutcome)> {
    check_name(name)?;
    let mut coll = collections::load(tx, cid)?;
    check_not_collection(tx, &coll, name)?;
    let old = meta_w(tx, cid, name)?;
    check_precondition(&pre, old.as_ref())?;
    check_uid(tx, &coll, write.uid.as_deref(), name, None)?;
    let meta = ObjectMeta {
        name: name.to_string(),
        etag: crate::etag_for(&write.body),
        content_type: write.content_type,
        size: write.body.len() as u64,
        uid: write.uid,
        component: write.component,
        time_range: write.time_range,
        props: old.as_ref().map(|o| o.props.clone()).unwrap_or_default(),
        modified_at: crate::now(),
    };
    write_object(tx, &coll, &meta, &write.body, old.as_ref())?;
    let sync_seq = record_change(tx, &mut coll, name, false)?;
    let outcome = effects::apply(tx, fx)?;
    Ok((
        PutOutcome {
            etag: meta.etag,
            created: old.is_none(),
            sync_seq,
        },
        outcome,
    ))
}

pub(super) fn delete(
    tx: &WriteTransaction,
    cid: CollectionId,
    name: &str,
    pre: Precondition,
    fx: Effects,
) -> StoreResult<(u64, EffectsOutcome)> {
    let mut coll = collections::load(tx, cid)?;
    let old = meta_w(tx, cid, name)?.ok_or_else(|| StoreError::not_found(format!("object {name}")))?;
    check_precondition(&pre, Some(&old))?;
    remove_object(tx, &coll, &old)?;
    let seq = record_change(tx, &mut coll, name, true)?;
    let outcome = effects::apply(tx, fx)?;
    Ok((seq, outcome))
}

pub(super) fn patch(tx: &WriteTransaction, cid: CollectionId, name: &str, patch: PropPatch) -> StoreResult<ObjectMeta> {
    let mut coll = collections::load(tx, cid)?;
    let mut meta = meta_w(tx, cid, name)?.ok_or_else(|| StoreError::not_found(format!("object {name}")))?;
    collections::apply_patch(&mut meta.props, patch);
    tx.open_table(OBJECT_META)?
        .insert((cid.0, name), enc(&meta)?.as_slice())?;
    // RFC 6578 §3.5: a property change makes the member "changed" for sync clients.
    record_change(tx, &mut coll, name, false)?;
    Ok(meta)
}

pub(super) fn copy(
    tx: &WriteTransaction,
    from: CollectionId,
    name: &str,
    to: CollectionId,
    new_name: &str,
    overwrite: bool,
    remove_source: bool,
) -> StoreResult<bool> {
    check_name(new_name)?;
    if from == to && name == new_name {
        // RFC 4918 §9.8.5: source and destination are the same resource.
        return Err(StoreError::Invalid(format!("cannot copy {name} onto itself")));
    }
    let src_coll = collections::load(tx, from)?;
    let src = meta_w(tx, from, name)?.ok_or_else(|| StoreError::not_found(format!("object {name}")))?;
    let body = tx
        .open_table(OBJECT_BODIES)?
        .get((from.0, name))?
        .map(|g| g.value().to_vec())
        .ok_or_else(|| StoreError::Engine(format!("object {name} has no body")))?;
    let mut dst_coll = collections::load(tx, to)?;
    check_not_collection(tx, &dst_coll, new_name)?;
    let old = meta_w(tx, to, new_name)?;
    if old.is_some() && !overwrite {
        return Err(StoreError::exists(format!("object {new_name}")));
    }
    let moving_within = remove_source && from == to;
    check_uid(
        tx,
        &dst_coll,
        src.uid.as_deref(),
        new_name,
        moving_within.then_some(name),
    )?;
    if remove_source {
        let mut src_coll = src_coll;
        remove_object(tx, &src_coll, &src)?;
        record_change(tx, &mut src_coll, name, true)?;
        if from == to {
            dst_coll = src_coll;
        }
    }
    let mut meta = src.clone();
    meta.name = new_name.to_string();
    meta.modified_at = crate::now();
    write_object(tx, &dst_coll, &meta, &body, old.as_ref())?;
    record_change(tx, &mut dst_coll, new_name, false)?;
    Ok(old.is_none())
}

/// Copies every object of `from` into the (new, empty) collection `to`.
pub(super) fn copy_all(tx: &WriteTransaction, from: &Collection, to: &mut Collection) -> StoreResult<()> {
    let metas: Vec<ObjectMeta> = {
        let t = tx.open_table(OBJECT_META)?;
        let mut v = Vec::new();
        for row in t.range((from.id.0, "")..(from.id.0 + 1, ""))? {
            v.push(dec(row?.1.value())?);
        }
        v
    };
    for meta in metas {
        let body = tx
            .open_table(OBJECT_BODIES)?
            .get((from.id.0, meta.name.as_str()))?
            .map(|g| g.value().to_vec())
            .unwrap_or_default();
        write_object(tx, to, &meta, &body, None)?;
        record_change(tx, to, &meta.name, false)?;
    }
    Ok(())
}

/// Removes every object, index entry and change of a collection.
pub(super) fn purge(tx: &WriteTransaction, cid: CollectionId) -> StoreResult<()> {
    let c = cid.0;
    let next = c + 1;
    tx.open_table(OBJECT_META)?
        .retain_in((c, "")..(next, ""), |_, _| false)?;
    tx.open_table(OBJECT_BODIES)?
        .retain_in((c, "")..(next, ""), |_, _| false)?;
    tx.open_table(OBJECT_UIDS)?
        .retain_in((c, "")..(next, ""), |_, _| false)?;
    tx.open_table(TIME_LONG)?.retain_in((c, "")..(next, ""), |_, _| false)?;
    tx.open_table(TIME_SHORT)?
        .retain_in((c, i64::MIN, "")..(next, i64::MIN, ""), |_, _| false)?;
    tx.open_table(CHANGES)?.retain_in((c, 0)..(next, 0), |_, _| false)?;
    Ok(())
}

// ----- reads ------------------------------------------------------------------------

fn require_collection(tx: &ReadTransaction, cid: CollectionId) -> StoreResult<Collection> {
    collections::get(tx, cid)?.ok_or_else(|| StoreError::not_found(format!("collection {cid}")))
}

pub(super) fn meta(tx: &ReadTransaction, cid: CollectionId, name: &str) -> StoreResult<Option<ObjectMeta>> {
    read_rec(tx.open_table(OBJECT_META)?.get((cid.0, name))?)
}

pub(super) fn get(tx: &ReadTransaction, cid: CollectionId, name: &str) -> StoreResult<Option<Object>> {
    let Some(meta) = meta(tx, cid, name)? else {
        return Ok(None);
    };
    let body = tx
        .open_table(OBJECT_BODIES)?
        .get((cid.0, name))?
        .map(|g| g.value().to_vec())
        .unwrap_or_default();
    Ok(Some(Object { meta, body }))
}

pub(super) fn many(tx: &ReadTransaction, cid: CollectionId, names: &[String]) -> StoreResult<Vec<Object>> {
    let metas = tx.open_table(OBJECT_META)?;
    let bodies = tx.open_table(OBJECT_BODIES)?;
    let mut out = Vec::new();
    for name in names {
        if let Some(meta) = read_rec::<ObjectMeta>(metas.get((cid.0, name.as_str()))?)? {
            let body = bodies
                .get((cid.0, name.as_str()))?
                .map(|g| g.value().to_vec())
                .unwrap_or_default();
            out.push(Object { meta, body });
        }
    }
    Ok(out)
}

pub(super) fn many_meta(tx: &ReadTransaction, cid: CollectionId, names: &[String]) -> StoreResult<Vec<ObjectMeta>> {
    let metas = tx.open_table(OBJECT_META)?;
    let mut out = Vec::with_capacity(names.len());
    for name in names {
        if let Some(meta) = read_rec::<ObjectMeta>(metas.get((cid.0, name.as_str()))?)? {
            out.push(meta);
        }
    }
    Ok(out)
}

pub(super) fn list(tx: &ReadTransaction, cid: CollectionId) -> StoreResult<Vec<ObjectMeta>> {
    require_collection(tx, cid)?;
    let t = tx.open_table(OBJECT_META)?;
    let mut out = Vec::new();
    for row in t.range((cid.0, "")..(cid.0 + 1, ""))? {
        out.push(dec(row?.1.value())?);
    }
    Ok(out)
}

pub(super) fn list_full(tx: &ReadTransaction, cid: CollectionId) -> StoreResult<Vec<Object>> {
    let metas = list(tx, cid)?;
    let bodies = tx.open_table(OBJECT_BODIES)?;
    let mut out = Vec::with_capacity(metas.len());
    for meta in metas {
        let body = bodies
            .get((cid.0, meta.name.as_str()))?
            .map(|g| g.value().to_vec())
            .unwrap_or_default();
        out.push(Object { meta, body });
    }
    Ok(out)
}

// RFC 4791 §9.9: a component overlaps [start, end) when it starts before the end and ends
// after the start; the stored range already spans every instance.
pub(super) fn in_range(
    tx: &ReadTransaction,
    cid: CollectionId,
    start: Timestamp,
    end: Timestamp,
) -> StoreResult<Vec<Object>> {
    require_collection(tx, cid)?;
    let mut names = Vec::new();
    if start < end {
        let short = tx.open_table(TIME_SHORT)?;
        let low = start.saturating_sub(SHORT_SPAN);
        for row in short.range((cid.0, low, "")..(cid.0, end, ""))? {
            let (k, v) = row?;
            let (_, s, name) = k.value();
            if (TimeRange {
                start: s,
                end: Some(v.value()),
            })
            .overlaps(start, end)
            {
                names.push(name.to_string());
            }
        }
        let long = tx.open_table(TIME_LONG)?;
        for row in long.range((cid.0, "")..(cid.0 + 1, ""))? {
            let (k, v) = row?;
            let range: TimeRange = dec(v.value())?;
            if range.overlaps(start, end) {
                names.push(k.value().1.to_string());
            }
        }
    }
    names.sort();
    names.dedup();
    many(tx, cid, &names)
}

pub(super) fn name_by_uid(tx: &ReadTransaction, cid: CollectionId, uid: &str) -> StoreResult<Option<String>> {
    Ok(tx
        .open_table(OBJECT_UIDS)?
        .get((cid.0, uid))?
        .map(|g| g.value().to_string()))
}

pub(super) fn changes_since(
    tx: &ReadTransaction,
    cid: CollectionId,
    since: u64,
    limit: Option<usize>,
) -> StoreResult<Changes> {
    let coll = require_collection(tx, cid)?;
    if since > coll.sync_seq {
        return Err(StoreError::InvalidSyncToken);
    }
    if limit == Some(0) {
        return Err(StoreError::Invalid("a change listing limit must be at least 1".into()));
    }
    let mut state: BTreeMap<String, bool> = BTreeMap::new();
    let mut last = since;
    let mut truncated = false;
    if since < coll.sync_seq {
        let log = tx.open_table(CHANGES)?;
        for row in log.range((cid.0, since + 1)..=(cid.0, coll.sync_seq))? {
            let (k, v) = row?;
            let entry: ChangeEntry = dec(v.value())?;
            if !state.contains_key(&entry.name) && limit.is_some_and(|l| state.len() >= l) {
                // RFC 6578 §3.6: a truncated answer ends at the last change it reports.
                truncated = true;
                break;
            }
            state.insert(entry.name, entry.deleted);
            last = k.value().1;
        }
    }
    let mut changes = Changes {
        sync_seq: if truncated { last } else { coll.sync_seq },
        truncated,
        ..Changes::default()
    };
    for (name, deleted) in state {
        if deleted {
            changes.deleted.push(name);
        } else {
            changes.changed.push(name);
        }
    }
    Ok(changes)
}
