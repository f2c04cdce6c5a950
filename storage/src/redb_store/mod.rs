//! The embedded engine: one redb file, ACID and crash-safe, no server to run.
//!
//! Each `Store` method is exactly one redb transaction. Writes run on the blocking thread
//! pool, because a commit waits for fsync; an error anywhere in a write drops the
//! transaction uncommitted, so a failed precondition writes nothing at all. Point reads run
//! inline (they are a few B-tree lookups in memory-mapped pages); reads that may return a
//! whole collection run on the blocking pool too. The per-area modules hold plain
//! synchronous functions over a transaction; this file only routes the trait to them.

mod collections;
mod effects;
mod events;
mod inbound;
mod objects;
mod outbox;
mod pending;
mod principals;
mod recipients;
mod schema;
mod tables;
mod webhooks;

use crate::error::{StoreError, StoreResult};
use crate::model::*;
use crate::store::Store;
use async_trait::async_trait;
use redb::{Database, ReadTransaction, ReadableDatabase, WriteTransaction};
use std::path::{Path, PathBuf};
use std::sync::Arc;

macro_rules! engine_errors {
    ($($t:ty),*) => {
        $(impl From<$t> for StoreError {
            fn from(e: $t) -> Self {
                StoreError::Engine(e.to_string())
            }
        })*
    };
}
engine_errors!(
    redb::Error,
    redb::StorageError,
    redb::TableError,
    redb::TransactionError,
    redb::CommitError,
    redb::DatabaseError
);

/// The redb engine. Cheap to clone: clones share one open database.
#[derive(Clone)]
pub struct RedbStore {
    db: Arc<Database>,
    path: Arc<PathBuf>,
}

impl std::fmt::Debug for RedbStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedbStore").field("path", &self.path).finish()
    }
}

impl RedbStore {
    /// Opens the store at `path`, creating the file (and its directory) if missing.
    ///
    /// Fails with `NewerSchema` for a store written by a newer calinvite and with `Corrupt`
    /// for a file that is not a calinvite store or is damaged.
    pub fn open(path: &Path) -> StoreResult<Self> {
        let db = schema::open_database(path)?;
        Ok(RedbStore {
            db: Arc::new(db),
            path: Arc::new(path.to_path_buf()),
        })
    }

    /// Writes a schema version into a closed store file, as a newer calinvite would. For
    /// tests of the refusal only; never called by calinvite itself.
    #[doc(hidden)]
    pub fn write_schema_version_for_tests(path: &Path, version: u32) -> StoreResult<()> {
        schema::write_schema_version(path, version)
    }

    /// The file this store lives in.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `f` in one write transaction on the blocking pool; commits if it returns `Ok`.
    async fn write<T, F>(&self, f: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&WriteTransaction) -> StoreResult<T> + Send + 'static,
    {
        let db = self.db.clone();
        tokio::task::spawn_blocking(move || {
            let tx = db.begin_write()?;
            let out = f(&tx)?;
            tx.commit()?;
            Ok(out)
        })
        .await
        .map_err(|e| StoreError::Engine(format!("a storage write was interrupted: {e}")))?
    }

    /// Runs a short read inline.
    fn read<T>(&self, f: impl FnOnce(&ReadTransaction) -> StoreResult<T>) -> StoreResult<T> {
        let tx = self.db.begin_read()?;
        f(&tx)
    }

    /// Runs a read that may visit a whole collection on the blocking pool.
    async fn read_large<T, F>(&self, f: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&ReadTransaction) -> StoreResult<T> + Send + 'static,
    {
        let db = self.db.clone();
        tokio::task::spawn_blocking(move || {
            let tx = db.begin_read()?;
            f(&tx)
        })
        .await
        .map_err(|e| StoreError::Engine(format!("a storage read was interrupted: {e}")))?
    }
}

#[async_trait]
impl Store for RedbStore {
    async fn create_principal(&self, new: NewPrincipal) -> StoreResult<Principal> {
        self.write(move |tx| principals::create(tx, new)).await
    }
    async fn principal(&self, id: PrincipalId) -> StoreResult<Option<Principal>> {
        self.read(|tx| principals::get(tx, id))
    }
    async fn principal_by_name(&self, name: &str) -> StoreResult<Option<Principal>> {
        self.read(|tx| principals::by_name(tx, name))
    }
    async fn principal_by_email(&self, email: &str) -> StoreResult<Option<Principal>> {
        self.read(|tx| principals::by_email(tx, email))
    }
    async fn list_principals(&self) -> StoreResult<Vec<Principal>> {
        self.read(principals::list)
    }
    async fn set_password(&self, id: PrincipalId, password_hash: String) -> StoreResult<Principal> {
        self.write(move |tx| principals::set_password(tx, id, password_hash))
            .await
    }
    async fn set_emails(&self, id: PrincipalId, emails: Vec<String>) -> StoreResult<Principal> {
        self.write(move |tx| principals::set_emails(tx, id, emails)).await
    }
    async fn create_api_key(&self, new: NewApiKey) -> StoreResult<ApiKey> {
        self.write(move |tx| principals::create_api_key(tx, new)).await
    }
    async fn api_key_by_hash(&self, hash: &[u8; 32]) -> StoreResult<Option<ApiKey>> {
        self.read(|tx| principals::api_key_by_hash(tx, hash))
    }
    async fn list_api_keys(&self, principal: PrincipalId) -> StoreResult<Vec<ApiKey>> {
        self.read(|tx| principals::list_api_keys(tx, principal))
    }
    async fn delete_api_key(&self, principal: PrincipalId, id: ApiKeyId) -> StoreResult<()> {
        self.write(move |tx| principals::delete_api_key(tx, principal, id))
            .await
    }

    async fn create_collection(&self, new: NewCollection) -> StoreResult<Collection> {
        self.write(move |tx| collections::create(tx, new)).await
    }
    async fn collection(&self, id: CollectionId) -> StoreResult<Option<Collection>> {
        self.read(|tx| collections::get(tx, id))
    }
    async fn collection_by_path(&self, owner: PrincipalId, path: &str) -> StoreResult<Option<Collection>> {
        self.read(|tx| collections::by_path(tx, owner, path))
    }
    async fn child_collections(&self, owner: PrincipalId, parent: &str) -> StoreResult<Vec<Collection>> {
        self.read(|tx| collections::children(tx, owner, parent))
    }
    async fn patch_collection(&self, id: CollectionId, patch: PropPatch) -> StoreResult<Collection> {
        self.write(move |tx| collections::patch(tx, id, patch)).await
    }
    async fn delete_collection(&self, id: CollectionId) -> StoreResult<()> {
        self.write(move |tx| collections::delete(tx, id)).await
    }
    async fn copy_collection(
        &self,
        id: CollectionId,
        new_path: &str,
        overwrite: bool,
        remove_source: bool,
    ) -> StoreResult<Collection> {
        let new_path = new_path.to_string();
        self.write(move |tx| collections::copy(tx, id, &new_path, overwrite, remove_source))
            .await
    }

    async fn put_object(
        &self,
        collection: CollectionId,
        name: &str,
        write: ObjectWrite,
        precondition: Precondition,
        effects: Effects,
    ) -> StoreResult<(PutOutcome, EffectsOutcome)> {
        let name = name.to_string();
        self.write(move |tx| objects::put(tx, collection, &name, write, precondition, effects))
            .await
    }
    async fn object(&self, collection: CollectionId, name: &str) -> StoreResult<Option<Object>> {
        self.read(|tx| objects::get(tx, collection, name))
    }
    async fn object_meta(&self, collection: CollectionId, name: &str) -> StoreResult<Option<ObjectMeta>> {
        self.read(|tx| objects::meta(tx, collection, name))
    }
    async fn objects(&self, collection: CollectionId, names: &[String]) -> StoreResult<Vec<Object>> {
        let names = names.to_vec();
        self.read_large(move |tx| objects::many(tx, collection, &names)).await
    }
    async fn object_metas(&self, collection: CollectionId, names: &[String]) -> StoreResult<Vec<ObjectMeta>> {
        let names = names.to_vec();
        self.read_large(move |tx| objects::many_meta(tx, collection, &names))
            .await
    }
    async fn list_objects(&self, collection: CollectionId) -> StoreResult<Vec<ObjectMeta>> {
        self.read_large(move |tx| objects::list(tx, collection)).await
    }
    async fn list_objects_full(&self, collection: CollectionId) -> StoreResult<Vec<Object>> {
        self.read_large(move |tx| objects::list_full(tx, collection)).await
    }
    async fn objects_in_range(
        &self,
        collection: CollectionId,
        start: Timestamp,
        end: Timestamp,
    ) -> StoreResult<Vec<Object>> {
        self.read_large(move |tx| objects::in_range(tx, collection, start, end))
            .await
    }
    async fn object_name_by_uid(&self, collection: CollectionId, uid: &str) -> StoreResult<Option<String>> {
        self.read(|tx| objects::name_by_uid(tx, collection, uid))
    }
    async fn delete_object(
        &self,
        collection: CollectionId,
        name: &str,
        precondition: Precondition,
        effects: Effects,
    ) -> StoreResult<(u64, EffectsOutcome)> {
        let name = name.to_string();
        self.write(move |tx| objects::delete(tx, collection, &name, precondition, effects))
            .await
    }
    async fn patch_object(&self, collection: CollectionId, name: &str, patch: PropPatch) -> StoreResult<ObjectMeta> {
        let name = name.to_string();
        self.write(move |tx| objects::patch(tx, collection, &name, patch)).await
    }
    async fn copy_object(
        &self,
        from: CollectionId,
        name: &str,
        to: CollectionId,
        new_name: &str,
        overwrite: bool,
        remove_source: bool,
    ) -> StoreResult<bool> {
        let (name, new_name) = (name.to_string(), new_name.to_string());
        self.write(move |tx| objects::copy(tx, from, &name, to, &new_name, overwrite, remove_source))
            .await
    }
    async fn changes_since(&self, collection: CollectionId, since: u64, limit: Option<usize>) -> StoreResult<Changes> {
        self.read_large(move |tx| objects::changes_since(tx, collection, since, limit))
            .await
    }

    async fn upsert_event(&self, upsert: EventUpsert) -> StoreResult<EventRecord> {
        self.write(move |tx| events::upsert(tx, upsert)).await
    }
    async fn event(&self, id: EventId) -> StoreResult<Option<EventRecord>> {
        self.read(|tx| events::get(tx, id))
    }
    async fn event_by_uid(&self, owner: PrincipalId, uid: &str) -> StoreResult<Option<EventRecord>> {
        self.read(|tx| events::by_uid(tx, owner, uid))
    }
    async fn events_with_uid(&self, uid: &str) -> StoreResult<Vec<EventRecord>> {
        self.read(|tx| events::with_uid(tx, uid))
    }
    async fn event_by_code(&self, code: &str) -> StoreResult<Option<EventRecord>> {
        self.read(|tx| events::by_code(tx, code))
    }
    async fn list_events(
        &self,
        owner: PrincipalId,
        cursor: Option<&str>,
        limit: usize,
    ) -> StoreResult<Page<EventRecord>> {
        self.read(|tx| events::list(tx, owner, cursor, limit))
    }

    async fn invite(&self, owner: PrincipalId, request: InvitationRequest) -> StoreResult<InvitationOutcome> {
        self.write(move |tx| recipients::invite(tx, owner, request)).await
    }
    async fn batch(&self, id: BatchId) -> StoreResult<Option<Batch>> {
        self.read(|tx| recipients::batch(tx, id))
    }
    async fn recipient(&self, event: EventId, email: &str) -> StoreResult<Option<Recipient>> {
        self.read(|tx| recipients::get(tx, event, email))
    }
    async fn recipient_by_token(&self, token: &str) -> StoreResult<Option<Recipient>> {
        self.read(|tx| recipients::by_token(tx, token))
    }
    async fn list_recipients(
        &self,
        event: EventId,
        status: Option<PartStat>,
        cursor: Option<&str>,
        limit: usize,
    ) -> StoreResult<Page<Recipient>> {
        let cursor = cursor.map(str::to_string);
        self.read_large(move |tx| recipients::list(tx, event, status, cursor.as_deref(), limit))
            .await
    }
    async fn count_recipients(&self, event: EventId) -> StoreResult<Vec<(PartStat, u64)>> {
        self.read(|tx| recipients::count(tx, event))
    }
    async fn record_rsvp(&self, event: EventId, email: &str, entry: RsvpEntry) -> StoreResult<RsvpOutcome> {
        let email = email.to_string();
        self.write(move |tx| recipients::record_rsvp(tx, event, &email, entry))
            .await
    }
    async fn record_rsvps(
        &self,
        answers: Vec<(EventId, String, RsvpEntry)>,
    ) -> StoreResult<Vec<StoreResult<RsvpOutcome>>> {
        self.write(move |tx| {
            let mut out = Vec::with_capacity(answers.len());
            for (event, email, entry) in answers {
                // A missing recipient fails before anything is written for it; an engine
                // error fails the whole transaction.
                match recipients::record_rsvp(tx, event, &email, entry) {
                    Err(e @ (StoreError::NotFound { .. } | StoreError::Invalid(_))) => out.push(Err(e)),
                    other => out.push(Ok(other?)),
                }
            }
            Ok(out)
        })
        .await
    }
    async fn set_delivery(&self, event: EventId, email: &str, state: DeliveryState) -> StoreResult<()> {
        let email = email.to_string();
        self.write(move |tx| recipients::set_delivery(tx, event, &email, state))
            .await
    }

    async fn suppress(&self, email: &str, reason: SuppressionReason, note: Option<String>) -> StoreResult<()> {
        let email = email.to_string();
        self.write(move |tx| recipients::suppress(tx, &email, reason, note))
            .await
    }
    async fn unsuppress(&self, email: &str) -> StoreResult<bool> {
        let email = email.to_string();
        self.write(move |tx| recipients::unsuppress(tx, &email)).await
    }
    async fn suppression(&self, email: &str) -> StoreResult<Option<Suppression>> {
        self.read(|tx| recipients::suppression(tx, email))
    }
    async fn list_suppressions(&self, cursor: Option<&str>, limit: usize) -> StoreResult<Page<Suppression>> {
        self.read(|tx| recipients::list_suppressions(tx, cursor, limit))
    }

    async fn enqueue(&self, jobs: Vec<NewJob>) -> StoreResult<u64> {
        self.write(move |tx| outbox::enqueue(tx, jobs)).await
    }
    async fn lease_jobs(
        &self,
        queue: &str,
        owner: &str,
        max: usize,
        now: Timestamp,
        lease_seconds: i64,
    ) -> StoreResult<Vec<Job>> {
        let (queue, owner) = (queue.to_string(), owner.to_string());
        self.write(move |tx| outbox::lease(tx, &queue, &owner, max, now, lease_seconds))
            .await
    }
    async fn finish_job(&self, id: JobId, owner: &str, result: JobResult, now: Timestamp) -> StoreResult<Job> {
        let owner = owner.to_string();
        self.write(move |tx| outbox::finish(tx, id, &owner, result, now)).await
    }
    async fn finish_jobs(
        &self,
        owner: &str,
        results: Vec<(JobId, JobResult)>,
        now: Timestamp,
    ) -> StoreResult<Vec<StoreResult<Job>>> {
        let owner = owner.to_string();
        self.write(move |tx| {
            let mut out = Vec::with_capacity(results.len());
            for (id, result) in results {
                match outbox::finish(tx, id, &owner, result, now) {
                    Ok(job) => out.push(Ok(job)),
                    Err(e @ (StoreError::LeaseLost { .. } | StoreError::NotFound { .. })) => out.push(Err(e)),
                    Err(other) => return Err(other),
                }
            }
            Ok(out)
        })
        .await
    }
    async fn release_leases(&self, owner: &str, now: Timestamp) -> StoreResult<u64> {
        let owner = owner.to_string();
        self.write(move |tx| outbox::release(tx, &owner, now)).await
    }
    async fn job(&self, id: JobId) -> StoreResult<Option<Job>> {
        self.read(|tx| outbox::get(tx, id))
    }
    async fn pending_jobs(&self, queue: &str) -> StoreResult<u64> {
        self.read(|tx| outbox::pending(tx, queue))
    }

    async fn list_pending(&self, owner: PrincipalId) -> StoreResult<Vec<PendingChange>> {
        self.read(|tx| pending::list(tx, owner))
    }
    async fn pending(&self, id: PendingId) -> StoreResult<Option<PendingChange>> {
        self.read(|tx| pending::get(tx, id))
    }
    async fn pending_for_event(&self, event: EventId) -> StoreResult<Option<PendingChange>> {
        self.read(|tx| pending::for_event(tx, event))
    }
    async fn approve_pending(&self, id: PendingId, now: Timestamp) -> StoreResult<u64> {
        self.write(move |tx| pending::approve(tx, id, now)).await
    }
    async fn discard_pending(&self, id: PendingId) -> StoreResult<()> {
        self.write(move |tx| pending::discard(tx, id)).await
    }

    async fn store_inbound(
        &self,
        raw: Vec<u8>,
        message_id: Option<String>,
        source: &str,
        now: Timestamp,
    ) -> StoreResult<InboundStored> {
        let source = source.to_string();
        self.write(move |tx| inbound::store(tx, raw, message_id, &source, now))
            .await
    }
    async fn inbound(&self, id: InboundId) -> StoreResult<Option<InboundMessage>> {
        self.read(|tx| inbound::get(tx, id))
    }
    async fn inbound_raw(&self, id: InboundId) -> StoreResult<Option<Vec<u8>>> {
        self.read(|tx| inbound::raw(tx, id))
    }
    async fn store_inbound_many(&self, messages: Vec<NewInbound>) -> StoreResult<Vec<InboundStored>> {
        self.write(move |tx| {
            messages
                .into_iter()
                .map(|m| inbound::store(tx, m.raw, m.message_id, &m.source, m.received_at))
                .collect()
        })
        .await
    }
    async fn set_inbound_outcomes(
        &self,
        outcomes: Vec<(InboundId, InboundOutcome)>,
        now: Timestamp,
    ) -> StoreResult<Vec<StoreResult<()>>> {
        self.write(move |tx| {
            let mut out = Vec::with_capacity(outcomes.len());
            for (id, outcome) in outcomes {
                match inbound::set_outcome(tx, id, outcome, now) {
                    Err(e @ StoreError::NotFound { .. }) => out.push(Err(e)),
                    other => out.push(Ok(other?)),
                }
            }
            Ok(out)
        })
        .await
    }
    async fn set_inbound_outcome(&self, id: InboundId, outcome: InboundOutcome, now: Timestamp) -> StoreResult<()> {
        self.write(move |tx| inbound::set_outcome(tx, id, outcome, now)).await
    }
    async fn list_inbound(
        &self,
        filter: InboundFilter,
        cursor: Option<&str>,
        limit: usize,
    ) -> StoreResult<Page<InboundMessage>> {
        self.read(|tx| inbound::list(tx, filter, cursor, limit))
    }

    async fn create_webhook(&self, new: NewWebhook) -> StoreResult<Webhook> {
        self.write(move |tx| webhooks::create(tx, new)).await
    }
    async fn webhook(&self, owner: PrincipalId, id: WebhookId) -> StoreResult<Option<Webhook>> {
        self.read(|tx| webhooks::get(tx, owner, id))
    }
    async fn list_webhooks(&self, owner: PrincipalId) -> StoreResult<Vec<Webhook>> {
        self.read(|tx| webhooks::list(tx, owner))
    }
    async fn delete_webhook(&self, owner: PrincipalId, id: WebhookId) -> StoreResult<()> {
        self.write(move |tx| webhooks::delete(tx, owner, id)).await
    }
    async fn webhooks_for(&self, owner: PrincipalId, event_type: &str) -> StoreResult<Vec<Webhook>> {
        self.read(|tx| webhooks::subscribed(tx, owner, event_type))
    }
    async fn webhook_deliveries(
        &self,
        owner: PrincipalId,
        id: WebhookId,
        cursor: Option<&str>,
        limit: usize,
    ) -> StoreResult<Page<Job>> {
        self.read(|tx| webhooks::deliveries(tx, owner, id, cursor, limit))
    }
}
