//! The inbound message log.
//!
//! A message is kept before anything is done with it, so a crash while processing loses
//! nothing: on restart the `Received` ones are processed again. Raw bytes live apart from
//! the small metadata record, so listing the log never reads message bodies. A Message-ID
//! seen before is not stored twice, because IMAP polling and LMTP delivery may both hand
//! the same reply over.

use super::tables::*;
use crate::error::{StoreError, StoreResult};
use crate::model::*;
use redb::{ReadTransaction, ReadableTable, WriteTransaction};
use std::ops::Bound;

/// `<abc@host>` and ` abc@host ` are the same Message-ID (RFC 5322 §3.6.4 msg-id).
fn normalize_message_id(id: &str) -> Option<String> {
    let trimmed = id.trim().trim_start_matches('<').trim_end_matches('>').trim();
    (!trimmed.is_empty()).then(|| trimmed.to_string())
}

pub(super) fn store(
    tx: &WriteTransaction,
    raw: Vec<u8>,
    message_id: Option<String>,
    source: &str,
    now: Timestamp,
) -> StoreResult<InboundStored> {
    let message_id = message_id.as_deref().and_then(normalize_message_id);
    let mut ids = tx.open_table(INBOUND_MSGIDS)?;
    if let Some(mid) = message_id.as_deref()
        && let Some(existing) = get_u64(&ids, mid)?
    {
        return Ok(InboundStored::Duplicate(InboundId(existing)));
    }
    let id = next_id(&mut tx.open_table(COUNTERS)?, "inbound")?;
    if let Some(mid) = message_id.as_deref() {
        ids.insert(mid, id)?;
    }
    let msg = InboundMessage {
        id: InboundId(id),
        message_id,
        source: source.to_string(),
        received_at: now,
        size: raw.len() as u64,
        outcome: InboundOutcome::Received,
        attempts: 0,
        updated_at: now,
    };
    tx.open_table(INBOUND)?.insert(id, enc(&msg)?.as_slice())?;
    tx.open_table(INBOUND_RAW)?.insert(id, raw.as_slice())?;
    Ok(InboundStored::New(InboundId(id)))
}

pub(super) fn get(tx: &ReadTransaction, id: InboundId) -> StoreResult<Option<InboundMessage>> {
    read_rec(tx.open_table(INBOUND)?.get(id.0)?)
}

pub(super) fn raw(tx: &ReadTransaction, id: InboundId) -> StoreResult<Option<Vec<u8>>> {
    Ok(tx.open_table(INBOUND_RAW)?.get(id.0)?.map(|g| g.value().to_vec()))
}

/// Records what processing made of a message; each call counts one processing attempt.
pub(super) fn set_outcome(
    tx: &WriteTransaction,
    id: InboundId,
    outcome: InboundOutcome,
    now: Timestamp,
) -> StoreResult<()> {
    let mut table = tx.open_table(INBOUND)?;
    let mut msg: InboundMessage =
        read_rec(table.get(id.0)?)?.ok_or_else(|| StoreError::not_found(format!("inbound message {id}")))?;
    msg.outcome = outcome;
    msg.attempts += 1;
    msg.updated_at = now;
    table.insert(id.0, enc(&msg)?.as_slice())?;
    Ok(())
}

fn matches(filter: InboundFilter, outcome: &InboundOutcome) -> bool {
    matches!(
        (filter, outcome),
        (InboundFilter::All, _)
            | (InboundFilter::Received, InboundOutcome::Received)
            | (InboundFilter::Applied, InboundOutcome::Applied { .. })
            | (InboundFilter::Ignored, InboundOutcome::Ignored { .. })
            | (InboundFilter::Quarantined, InboundOutcome::Quarantined { .. })
    )
}

pub(super) fn list(
    tx: &ReadTransaction,
    filter: InboundFilter,
    cursor: Option<&str>,
    limit: usize,
) -> StoreResult<Page<InboundMessage>> {
    check_limit(limit)?;
    let upper = match parse_cursor(cursor)? {
        Some(id) => Bound::Excluded(id),
        None => Bound::Unbounded,
    };
    let table = tx.open_table(INBOUND)?;
    let mut items: Vec<InboundMessage> = Vec::new();
    let mut more = false;
    for row in table.range::<u64>((Bound::Unbounded, upper))?.rev() {
        let msg: InboundMessage = dec(row?.1.value())?;
        if !matches(filter, &msg.outcome) {
            continue;
        }
        if items.len() == limit {
            more = true;
            break;
        }
        items.push(msg);
    }
    let next = if more {
        items.last().map(|m| m.id.to_string())
    } else {
        None
    };
    Ok(Page { items, next })
}
