//! The `Store` trait: everything calinvite keeps, behind one interface.
//!
//! Each method is one transaction. Where several writes belong together (an object and the
//! jobs its change causes; recipients and their invitation jobs) they are one method, so
//! that no engine can commit half of them. The trait is async so that a networked engine
//! (PostgreSQL) fits beside the embedded one; the contract tests in [`crate::contract`]
//! hold every engine to the same behaviour.

use crate::error::StoreResult;
use crate::model::*;
use async_trait::async_trait;

#[async_trait]
pub trait Store: Send + Sync + 'static {
    // ----- principals and credentials -------------------------------------------------

    /// Creates a principal. Fails with `AlreadyExists` when the name or one of the
    /// addresses is taken. Names and addresses are stored lower-case.
    async fn create_principal(&self, new: NewPrincipal) -> StoreResult<Principal>;
    async fn principal(&self, id: PrincipalId) -> StoreResult<Option<Principal>>;
    async fn principal_by_name(&self, name: &str) -> StoreResult<Option<Principal>>;
    /// The principal that has this address among its `emails` (case-insensitive).
    async fn principal_by_email(&self, email: &str) -> StoreResult<Option<Principal>>;
    async fn list_principals(&self) -> StoreResult<Vec<Principal>>;
    /// Replaces the password hash and raises `credential_version`.
    async fn set_password(&self, id: PrincipalId, password_hash: String) -> StoreResult<Principal>;
    /// Replaces the principal's addresses (each must be free or already its own).
    async fn set_emails(&self, id: PrincipalId, emails: Vec<String>) -> StoreResult<Principal>;

    async fn create_api_key(&self, new: NewApiKey) -> StoreResult<ApiKey>;
    async fn api_key_by_hash(&self, hash: &[u8; 32]) -> StoreResult<Option<ApiKey>>;
    async fn list_api_keys(&self, principal: PrincipalId) -> StoreResult<Vec<ApiKey>>;
    /// Removes a key of this principal. `NotFound` if it is not theirs.
    async fn delete_api_key(&self, principal: PrincipalId, id: ApiKeyId) -> StoreResult<()>;

    // ----- collections ----------------------------------------------------------------

    /// Creates a collection at `path` under the owner's home. A nested path needs its
    /// parent to exist and be a plain collection. `AlreadyExists` when the path is taken by
    /// a collection or by an object of the parent.
    async fn create_collection(&self, new: NewCollection) -> StoreResult<Collection>;
    async fn collection(&self, id: CollectionId) -> StoreResult<Option<Collection>>;
    async fn collection_by_path(&self, owner: PrincipalId, path: &str) -> StoreResult<Option<Collection>>;
    /// The collections directly below `parent` (`""` for the home), ordered by path.
    async fn child_collections(&self, owner: PrincipalId, parent: &str) -> StoreResult<Vec<Collection>>;
    /// Applies a property change atomically and returns the collection as it now is.
    async fn patch_collection(&self, id: CollectionId, patch: PropPatch) -> StoreResult<Collection>;
    /// Deletes a collection with everything in and below it, events registered on its
    /// objects included.
    async fn delete_collection(&self, id: CollectionId) -> StoreResult<()>;
    /// Copies (or moves, when `remove_source`) a collection and everything below it to a new
    /// path of the same owner. Fails with `AlreadyExists` when the target exists and
    /// `overwrite` is false; replaces it otherwise.
    async fn copy_collection(
        &self,
        id: CollectionId,
        new_path: &str,
        overwrite: bool,
        remove_source: bool,
    ) -> StoreResult<Collection>;

    // ----- objects --------------------------------------------------------------------

    /// Writes an object, with the writes its change causes, in one transaction.
    /// Enforces the precondition, and in a calendar collection that no other object holds
    /// the same UID (`UidConflict`). Appends to the collection's change log.
    async fn put_object(
        &self,
        collection: CollectionId,
        name: &str,
        write: ObjectWrite,
        precondition: Precondition,
        effects: Effects,
    ) -> StoreResult<(PutOutcome, EffectsOutcome)>;
    async fn object(&self, collection: CollectionId, name: &str) -> StoreResult<Option<Object>>;
    async fn object_meta(&self, collection: CollectionId, name: &str) -> StoreResult<Option<ObjectMeta>>;
    /// Objects by name, in one read; missing names are left out.
    async fn objects(&self, collection: CollectionId, names: &[String]) -> StoreResult<Vec<Object>>;
    /// Metadata of objects by name, in one read, without bodies; missing names are left
    /// out.
    async fn object_metas(&self, collection: CollectionId, names: &[String]) -> StoreResult<Vec<ObjectMeta>>;
    /// Every object's metadata, ordered by name, without bodies.
    async fn list_objects(&self, collection: CollectionId) -> StoreResult<Vec<ObjectMeta>>;
    /// Every object with its body, ordered by name (for queries that must read them all).
    async fn list_objects_full(&self, collection: CollectionId) -> StoreResult<Vec<Object>>;
    /// Objects whose time range overlaps `[start, end)`, with bodies, answered from the
    /// time index. Objects without a time range are not returned.
    async fn objects_in_range(
        &self,
        collection: CollectionId,
        start: Timestamp,
        end: Timestamp,
    ) -> StoreResult<Vec<Object>>;
    /// The name of the object holding this UID in the collection.
    async fn object_name_by_uid(&self, collection: CollectionId, uid: &str) -> StoreResult<Option<String>>;
    /// Deletes an object if the precondition holds; appends to the change log, with the
    /// effects in the same transaction. `NotFound` when there is no such object.
    async fn delete_object(
        &self,
        collection: CollectionId,
        name: &str,
        precondition: Precondition,
        effects: Effects,
    ) -> StoreResult<(u64, EffectsOutcome)>;
    /// Sets and removes dead properties on an object. Does not change its ETag.
    async fn patch_object(&self, collection: CollectionId, name: &str, patch: PropPatch) -> StoreResult<ObjectMeta>;
    /// Copies (or moves) one object to another collection and name, with its properties.
    /// Returns whether the target was created (false: replaced).
    async fn copy_object(
        &self,
        from: CollectionId,
        name: &str,
        to: CollectionId,
        new_name: &str,
        overwrite: bool,
        remove_source: bool,
    ) -> StoreResult<bool>;
    /// What changed after `since` (a sync sequence this collection issued), up to `limit`
    /// names. `InvalidSyncToken` for a sequence above the collection's current one.
    async fn changes_since(&self, collection: CollectionId, since: u64, limit: Option<usize>) -> StoreResult<Changes>;

    // ----- event registry ---------------------------------------------------------------

    async fn upsert_event(&self, upsert: EventUpsert) -> StoreResult<EventRecord>;
    async fn event(&self, id: EventId) -> StoreResult<Option<EventRecord>>;
    async fn event_by_uid(&self, owner: PrincipalId, uid: &str) -> StoreResult<Option<EventRecord>>;
    /// Every registered event with this UID, whoever owns it (replies name a UID only).
    async fn events_with_uid(&self, uid: &str) -> StoreResult<Vec<EventRecord>>;
    async fn event_by_code(&self, code: &str) -> StoreResult<Option<EventRecord>>;
    /// The owner's events, ordered by id, one page at a time.
    async fn list_events(
        &self,
        owner: PrincipalId,
        cursor: Option<&str>,
        limit: usize,
    ) -> StoreResult<Page<EventRecord>>;

    // ----- recipients and answers -------------------------------------------------------

    /// Adds the recipients not yet invited, skips suppressed addresses, and queues one job
    /// each, all in one transaction. Replays an earlier call with the same idempotency key.
    async fn invite(&self, owner: PrincipalId, request: InvitationRequest) -> StoreResult<InvitationOutcome>;
    async fn batch(&self, id: BatchId) -> StoreResult<Option<Batch>>;
    async fn recipient(&self, event: EventId, email: &str) -> StoreResult<Option<Recipient>>;
    /// The recipient that holds this token (reply routing, signed links).
    async fn recipient_by_token(&self, token: &str) -> StoreResult<Option<Recipient>>;
    /// Recipients of an event, ordered by address, optionally only those with an answer.
    async fn list_recipients(
        &self,
        event: EventId,
        status: Option<PartStat>,
        cursor: Option<&str>,
        limit: usize,
    ) -> StoreResult<Page<Recipient>>;
    /// Counts of recipients by answer.
    async fn count_recipients(&self, event: EventId) -> StoreResult<Vec<(PartStat, u64)>>;
    /// Records an answer. It always goes into the history; it becomes the current status
    /// only if its (sequence, dtstamp) is not older than the newest applied answer for the
    /// same occurrence.
    async fn record_rsvp(&self, event: EventId, email: &str, entry: RsvpEntry) -> StoreResult<RsvpOutcome>;
    async fn set_delivery(&self, event: EventId, email: &str, state: DeliveryState) -> StoreResult<()>;
    /// Records many answers in one transaction (group commit for replies arriving at the
    /// same time): each as [`record_rsvp`](Self::record_rsvp), with its own result; an
    /// answer for a recipient that does not exist fails alone and writes nothing.
    async fn record_rsvps(
        &self,
        answers: Vec<(EventId, String, RsvpEntry)>,
    ) -> StoreResult<Vec<StoreResult<RsvpOutcome>>> {
        let mut out = Vec::with_capacity(answers.len());
        for (event, email, entry) in answers {
            out.push(self.record_rsvp(event, &email, entry).await);
        }
        Ok(out)
    }

    // ----- suppression list -------------------------------------------------------------

    async fn suppress(&self, email: &str, reason: SuppressionReason, note: Option<String>) -> StoreResult<()>;
    async fn unsuppress(&self, email: &str) -> StoreResult<bool>;
    async fn suppression(&self, email: &str) -> StoreResult<Option<Suppression>>;
    async fn list_suppressions(&self, cursor: Option<&str>, limit: usize) -> StoreResult<Page<Suppression>>;

    // ----- outbox -----------------------------------------------------------------------

    /// Creates jobs not yet known by their dedupe key; returns how many were new.
    async fn enqueue(&self, jobs: Vec<NewJob>) -> StoreResult<u64>;
    /// Leases up to `max` due jobs of a queue (due: `due_at <= now`, or a lease that
    /// expired), until `now + lease_seconds`. Each lease counts an attempt.
    async fn lease_jobs(
        &self,
        queue: &str,
        owner: &str,
        max: usize,
        now: Timestamp,
        lease_seconds: i64,
    ) -> StoreResult<Vec<Job>>;
    /// Ends a leased job. `LeaseLost` if `owner` does not hold its lease.
    async fn finish_job(&self, id: JobId, owner: &str, result: JobResult, now: Timestamp) -> StoreResult<Job>;
    /// Ends many leased jobs in one transaction (a sender finishes a whole leased batch at
    /// once: one commit, one disk sync). A job whose lease `owner` no longer holds is left
    /// as it is and reported as `Err(LeaseLost)` in its place; the others are applied.
    /// Jobs for a recipient also record the recipient's delivery state (sent, deferred,
    /// failed).
    async fn finish_jobs(
        &self,
        owner: &str,
        results: Vec<(JobId, JobResult)>,
        now: Timestamp,
    ) -> StoreResult<Vec<StoreResult<Job>>>;
    /// Gives back every lease `owner` holds, making those jobs due now (graceful shutdown).
    async fn release_leases(&self, owner: &str, now: Timestamp) -> StoreResult<u64>;
    async fn job(&self, id: JobId) -> StoreResult<Option<Job>>;
    /// Jobs of a queue not yet done or failed.
    async fn pending_jobs(&self, queue: &str) -> StoreResult<u64>;

    // ----- pending changes ------------------------------------------------------------

    /// Pending changes of the owner, oldest first.
    async fn list_pending(&self, owner: PrincipalId) -> StoreResult<Vec<PendingChange>>;
    async fn pending(&self, id: PendingId) -> StoreResult<Option<PendingChange>>;
    /// The pending change of an event, if one is held.
    async fn pending_for_event(&self, event: EventId) -> StoreResult<Option<PendingChange>>;
    /// Queues the held fan-out (due `now`) and removes the pending change, in one transaction.
    /// Returns how many jobs were created. `NotFound` when there is no such pending change.
    async fn approve_pending(&self, id: PendingId, now: Timestamp) -> StoreResult<u64>;
    /// Removes the pending change without telling anyone. `NotFound` when there is none.
    async fn discard_pending(&self, id: PendingId) -> StoreResult<()>;

    // ----- inbound log ------------------------------------------------------------------

    /// Keeps a raw message before anything else is done with it. A message whose
    /// Message-ID is already kept is not stored again.
    async fn store_inbound(
        &self,
        raw: Vec<u8>,
        message_id: Option<String>,
        source: &str,
        now: Timestamp,
    ) -> StoreResult<InboundStored>;
    /// Keeps many raw messages in one transaction (group commit for deliveries arriving at
    /// the same time): each as [`store_inbound`](Self::store_inbound), in order, so a
    /// Message-ID repeated within the batch is a duplicate of its first copy.
    async fn store_inbound_many(&self, messages: Vec<NewInbound>) -> StoreResult<Vec<InboundStored>> {
        let mut out = Vec::with_capacity(messages.len());
        for m in messages {
            out.push(
                self.store_inbound(m.raw, m.message_id, &m.source, m.received_at)
                    .await?,
            );
        }
        Ok(out)
    }
    /// Records many outcomes in one transaction; each as
    /// [`set_inbound_outcome`](Self::set_inbound_outcome), with its own result.
    async fn set_inbound_outcomes(
        &self,
        outcomes: Vec<(InboundId, InboundOutcome)>,
        now: Timestamp,
    ) -> StoreResult<Vec<StoreResult<()>>> {
        let mut out = Vec::with_capacity(outcomes.len());
        for (id, outcome) in outcomes {
            out.push(self.set_inbound_outcome(id, outcome, now).await);
        }
        Ok(out)
    }
    async fn inbound(&self, id: InboundId) -> StoreResult<Option<InboundMessage>>;
    async fn inbound_raw(&self, id: InboundId) -> StoreResult<Option<Vec<u8>>>;
    async fn set_inbound_outcome(&self, id: InboundId, outcome: InboundOutcome, now: Timestamp) -> StoreResult<()>;
    /// Newest first.
    async fn list_inbound(
        &self,
        filter: InboundFilter,
        cursor: Option<&str>,
        limit: usize,
    ) -> StoreResult<Page<InboundMessage>>;

    // ----- webhooks ---------------------------------------------------------------------

    /// Creates a webhook. `Invalid` when the URL is not http(s), the event list is empty or
    /// names an unknown type, or the secret is empty; `NotFound` for a missing owner.
    async fn create_webhook(&self, new: NewWebhook) -> StoreResult<Webhook>;
    /// The webhook, if it exists and belongs to `owner`: another owner's webhook is `None`,
    /// as if it did not exist.
    async fn webhook(&self, owner: PrincipalId, id: WebhookId) -> StoreResult<Option<Webhook>>;
    /// The owner's webhooks, oldest first.
    async fn list_webhooks(&self, owner: PrincipalId) -> StoreResult<Vec<Webhook>>;
    /// Removes a webhook of this owner and its delivery log index; deliveries still queued
    /// fail when a worker finds the webhook gone. `NotFound` if it is not theirs.
    async fn delete_webhook(&self, owner: PrincipalId, id: WebhookId) -> StoreResult<()>;
    /// The owner's webhooks that subscribe to this event type (by name or by `*`).
    async fn webhooks_for(&self, owner: PrincipalId, event_type: &str) -> StoreResult<Vec<Webhook>>;
    /// The delivery jobs of a webhook (every job created by [`NewJob::webhook_delivery`]),
    /// newest first, one page at a time. `NotFound` if the webhook is not the owner's.
    async fn webhook_deliveries(
        &self,
        owner: PrincipalId,
        id: WebhookId,
        cursor: Option<&str>,
        limit: usize,
    ) -> StoreResult<Page<Job>>;
}
