//! Table definitions, key layouts and the postcard value codec.
//!
//! Keys are redb tuples so that every listing is one ordered range scan: `(collection,
//! name)` lists a collection's objects, `(queue, due_at, job)` yields due jobs oldest first,
//! `(collection, seq)` replays a change log. Values are postcard bytes of the model records,
//! so adding a field to a record is a schema-version bump, never a table rename. Every
//! table is created when the store is opened, so read transactions never meet a missing
//! table.

use crate::error::{StoreError, StoreResult};
use redb::{AccessGuard, ReadableTable, Table, TableDefinition, WriteTransaction};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// `schema_version` → u32.
pub(super) const META: TableDefinition<&str, u32> = TableDefinition::new("meta");
/// Id counters by kind (`principal`, `job`, ...): the last id handed out.
pub(super) const COUNTERS: TableDefinition<&str, u64> = TableDefinition::new("counters");

pub(super) const PRINCIPALS: TableDefinition<u64, &[u8]> = TableDefinition::new("principals");
pub(super) const PRINCIPAL_NAMES: TableDefinition<&str, u64> = TableDefinition::new("principal_names");
pub(super) const PRINCIPAL_EMAILS: TableDefinition<&str, u64> = TableDefinition::new("principal_emails");
pub(super) const API_KEYS: TableDefinition<u64, &[u8]> = TableDefinition::new("api_keys");
pub(super) const API_KEY_HASHES: TableDefinition<&[u8], u64> = TableDefinition::new("api_key_hashes");
/// (principal, key id) → ().
pub(super) const API_KEYS_BY_PRINCIPAL: TableDefinition<(u64, u64), ()> = TableDefinition::new("api_keys_by_principal");

pub(super) const COLLECTIONS: TableDefinition<u64, &[u8]> = TableDefinition::new("collections");
/// (owner, path) → collection id.
pub(super) const COLLECTION_PATHS: TableDefinition<(u64, &str), u64> = TableDefinition::new("collection_paths");

/// (collection, name) → ObjectMeta. Bodies live apart so listings never read them.
pub(super) const OBJECT_META: TableDefinition<(u64, &str), &[u8]> = TableDefinition::new("object_meta");
/// (collection, name) → body bytes.
pub(super) const OBJECT_BODIES: TableDefinition<(u64, &str), &[u8]> = TableDefinition::new("object_bodies");
/// (collection, uid) → name, calendar collections only.
pub(super) const OBJECT_UIDS: TableDefinition<(u64, &str), &str> = TableDefinition::new("object_uids");
/// (collection, start, name) → end, for ranges no longer than [`SHORT_SPAN`].
pub(super) const TIME_SHORT: TableDefinition<(u64, i64, &str), i64> = TableDefinition::new("time_short");
/// (collection, name) → TimeRange, for long and unbounded ranges.
pub(super) const TIME_LONG: TableDefinition<(u64, &str), &[u8]> = TableDefinition::new("time_long");
/// (collection, seq) → ChangeEntry.
pub(super) const CHANGES: TableDefinition<(u64, u64), &[u8]> = TableDefinition::new("changes");

pub(super) const EVENTS: TableDefinition<u64, &[u8]> = TableDefinition::new("events");
pub(super) const EVENTS_BY_OWNER_UID: TableDefinition<(u64, &str), u64> = TableDefinition::new("events_by_owner_uid");
/// (uid, event id) → ().
pub(super) const EVENTS_BY_UID: TableDefinition<(&str, u64), ()> = TableDefinition::new("events_by_uid");
pub(super) const EVENTS_BY_CODE: TableDefinition<&str, u64> = TableDefinition::new("events_by_code");
/// (owner, event id) → ().
pub(super) const EVENTS_BY_OWNER: TableDefinition<(u64, u64), ()> = TableDefinition::new("events_by_owner");
/// (collection, event id) → ().
pub(super) const EVENTS_BY_COLLECTION: TableDefinition<(u64, u64), ()> = TableDefinition::new("events_by_collection");

/// (event, email) → Recipient.
pub(super) const RECIPIENTS: TableDefinition<(u64, &str), &[u8]> = TableDefinition::new("recipients");
/// token → TokenTarget.
pub(super) const RECIPIENT_TOKENS: TableDefinition<&str, &[u8]> = TableDefinition::new("recipient_tokens");
/// event → PartStatCounts.
pub(super) const RECIPIENT_COUNTS: TableDefinition<u64, &[u8]> = TableDefinition::new("recipient_counts");
pub(super) const BATCHES: TableDefinition<u64, &[u8]> = TableDefinition::new("batches");
/// (owner, idempotency key) → batch id.
pub(super) const IDEMPOTENCY: TableDefinition<(u64, &str), u64> = TableDefinition::new("idempotency");
/// email → Suppression.
pub(super) const SUPPRESSIONS: TableDefinition<&str, &[u8]> = TableDefinition::new("suppressions");

pub(super) const JOBS: TableDefinition<u64, &[u8]> = TableDefinition::new("jobs");
/// (queue, due or lease expiry, job id) → (): every Pending job.
pub(super) const JOB_QUEUE: TableDefinition<(&str, i64, u64), ()> = TableDefinition::new("job_queue");
/// dedupe key → job id.
pub(super) const JOB_DEDUPE: TableDefinition<&str, u64> = TableDefinition::new("job_dedupe");
/// (lease owner, job id) → (): every leased Pending job.
pub(super) const JOB_LEASES: TableDefinition<(&str, u64), ()> = TableDefinition::new("job_leases");
/// queue → number of Pending jobs.
pub(super) const QUEUE_PENDING: TableDefinition<&str, u64> = TableDefinition::new("queue_pending");

/// pending id → PendingChange.
pub(super) const PENDING: TableDefinition<u64, &[u8]> = TableDefinition::new("pending");
/// event → pending id: at most one pending change per event.
pub(super) const PENDING_BY_EVENT: TableDefinition<u64, u64> = TableDefinition::new("pending_by_event");
/// (owner, pending id) → ().
pub(super) const PENDING_BY_OWNER: TableDefinition<(u64, u64), ()> = TableDefinition::new("pending_by_owner");

pub(super) const INBOUND: TableDefinition<u64, &[u8]> = TableDefinition::new("inbound");
pub(super) const INBOUND_RAW: TableDefinition<u64, &[u8]> = TableDefinition::new("inbound_raw");
/// normalized Message-ID → inbound id.
pub(super) const INBOUND_MSGIDS: TableDefinition<&str, u64> = TableDefinition::new("inbound_msgids");

/// webhook id → Webhook.
pub(super) const WEBHOOKS: TableDefinition<u64, &[u8]> = TableDefinition::new("webhooks");
/// (owner, webhook id) → ().
pub(super) const WEBHOOKS_BY_OWNER: TableDefinition<(u64, u64), ()> = TableDefinition::new("webhooks_by_owner");
/// (webhook id, job id) → (): the delivery log, written with each delivery job.
pub(super) const WEBHOOK_JOBS: TableDefinition<(u64, u64), ()> = TableDefinition::new("webhook_jobs");

/// Opens (creating if needed) every table, so that later read transactions find them all.
pub(super) fn create_all(tx: &WriteTransaction) -> StoreResult<()> {
    tx.open_table(META)?;
    tx.open_table(COUNTERS)?;
    tx.open_table(PRINCIPALS)?;
    tx.open_table(PRINCIPAL_NAMES)?;
    tx.open_table(PRINCIPAL_EMAILS)?;
    tx.open_table(API_KEYS)?;
    tx.open_table(API_KEY_HASHES)?;
    tx.open_table(API_KEYS_BY_PRINCIPAL)?;
    tx.open_table(COLLECTIONS)?;
    tx.open_table(COLLECTION_PATHS)?;
    tx.open_table(OBJECT_META)?;
    tx.open_table(OBJECT_BODIES)?;
    tx.open_table(OBJECT_UIDS)?;
    tx.open_table(TIME_SHORT)?;
    tx.open_table(TIME_LONG)?;
    tx.open_table(CHANGES)?;
    tx.open_table(EVENTS)?;
    tx.open_table(EVENTS_BY_OWNER_UID)?;
    tx.open_table(EVENTS_BY_UID)?;
    tx.open_table(EVENTS_BY_CODE)?;
    tx.open_table(EVENTS_BY_OWNER)?;
    tx.open_table(EVENTS_BY_COLLECTION)?;
    tx.open_table(RECIPIENTS)?;
    tx.open_table(RECIPIENT_TOKENS)?;
    tx.open_table(RECIPIENT_COUNTS)?;
    tx.open_table(BATCHES)?;
    tx.open_table(IDEMPOTENCY)?;
    tx.open_table(SUPPRESSIONS)?;
    tx.open_table(JOBS)?;
    tx.open_table(JOB_QUEUE)?;
    tx.open_table(JOB_DEDUPE)?;
    tx.open_table(JOB_LEASES)?;
    tx.open_table(QUEUE_PENDING)?;
    tx.open_table(PENDING)?;
    tx.open_table(PENDING_BY_EVENT)?;
    tx.open_table(PENDING_BY_OWNER)?;
    tx.open_table(INBOUND)?;
    tx.open_table(INBOUND_RAW)?;
    tx.open_table(INBOUND_MSGIDS)?;
    tx.open_table(WEBHOOKS)?;
    tx.open_table(WEBHOOKS_BY_OWNER)?;
    tx.open_table(WEBHOOK_JOBS)?;
    Ok(())
}

/// Serializes a record for storage.
pub(super) fn enc<T: Serialize>(value: &T) -> StoreResult<Vec<u8>> {
    postcard::to_allocvec(value).map_err(|e| StoreError::Engine(format!("cannot encode a record: {e}")))
}

/// Reads a stored record.
pub(super) fn dec<T: DeserializeOwned>(bytes: &[u8]) -> StoreResult<T> {
    postcard::from_bytes(bytes)
        .map_err(|e| StoreError::Engine(format!("cannot decode a stored record (damaged store?): {e}")))
}

/// Decodes the value of an optional lookup.
pub(super) fn read_rec<T: DeserializeOwned>(guard: Option<AccessGuard<'_, &'static [u8]>>) -> StoreResult<Option<T>> {
    guard.map(|g| dec(g.value())).transpose()
}

/// Hands out the next id of a kind, starting at 1.
pub(super) fn next_id(counters: &mut Table<'_, &'static str, u64>, kind: &str) -> StoreResult<u64> {
    let next = counters.get(kind)?.map(|g| g.value()).unwrap_or(0) + 1;
    counters.insert(kind, next)?;
    Ok(next)
}

/// Adds `delta` to a counter kept under a string key, never going below zero.
pub(super) fn add_count(table: &mut Table<'_, &'static str, u64>, key: &str, delta: i64) -> StoreResult<()> {
    let current = table.get(key)?.map(|g| g.value()).unwrap_or(0);
    let next = current.saturating_add_signed(delta);
    if next == 0 {
        table.remove(key)?;
    } else {
        table.insert(key, next)?;
    }
    Ok(())
}

/// Addresses are compared and stored lower-case, without surrounding blanks.
pub(super) fn normalize_email(email: &str) -> StoreResult<String> {
    let e = email.trim().to_lowercase();
    if e.is_empty() || !e.contains('@') {
        return Err(StoreError::Invalid(format!("{email:?} is not a mail address")));
    }
    Ok(e)
}

/// Reads a numeric page cursor.
pub(super) fn parse_cursor(cursor: Option<&str>) -> StoreResult<Option<u64>> {
    cursor
        .map(|c| {
            c.parse::<u64>()
                .map_err(|_| StoreError::Invalid(format!("{c:?} is not a cursor this listing issued")))
        })
        .transpose()
}

/// Pages need at least one item, or a client would loop forever on an empty page.
pub(super) fn check_limit(limit: usize) -> StoreResult<()> {
    if limit == 0 {
        return Err(StoreError::Invalid("a page limit must be at least 1".into()));
    }
    Ok(())
}

/// Random strings from an alphabet (tokens, public codes).
pub(super) fn random_string(alphabet: &[u8], len: usize) -> String {
    use rand::Rng;
    let mut rng = rand::thread_rng();
    (0..len)
        .map(|_| {
            let i = rng.gen_range(0..alphabet.len());
            alphabet.get(i).copied().map(char::from).unwrap_or('x')
        })
        .collect()
}

/// Looks a u64 id up through a readable index.
pub(super) fn get_u64<'a, K: redb::Key + 'static>(
    table: &impl ReadableTable<K, u64>,
    key: impl std::borrow::Borrow<K::SelfType<'a>>,
) -> StoreResult<Option<u64>> {
    Ok(table.get(key)?.map(|g| g.value()))
}
