//! The records the store keeps.
//!
//! These are plain values with no behaviour tied to an engine. They know nothing of
//! iCalendar, HTTP or SMTP: an object's body is bytes, a time range is two instants, a job's
//! payload is opaque. The layers above give them meaning; the store keeps them safe and
//! answers the questions that need an index.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Seconds since the Unix epoch, UTC. Every instant in the store uses it.
pub type Timestamp = i64;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        pub struct $name(pub u64);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "{}", self.0)
            }
        }
    };
}

id_type!(
    /// A user account: an organizer or a domain owner.
    PrincipalId
);
id_type!(
    /// A collection (calendar or plain WebDAV folder) under a principal's home.
    CollectionId
);
id_type!(
    /// An event in the registry: one (owner, UID) pair.
    EventId
);
id_type!(
    /// A job in the durable queue.
    JobId
);
id_type!(
    /// A batch of invitations created by one Send API call.
    BatchId
);
id_type!(
    /// A message kept in the inbound log.
    InboundId
);
id_type!(
    /// An API key.
    ApiKeyId
);
id_type!(
    /// A change held for approval.
    PendingId
);
id_type!(
    /// A webhook subscription of an organizer.
    WebhookId
);

/// What a principal may do. Domain owners administer every account; organizers own their
/// calendars and events only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Role {
    Admin,
    Organizer,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Principal {
    pub id: PrincipalId,
    /// Login name and URL segment (`/dav/principals/{name}/`). Lower-case, unique.
    pub name: String,
    pub display_name: String,
    /// Mail addresses this principal sends from; the first is the primary one. Each is
    /// unique across principals, lower-case.
    pub emails: Vec<String>,
    pub role: Role,
    /// An argon2id PHC string. Never a plain password.
    pub password_hash: String,
    /// Raised on every password change, so that caches of verified credentials can tell a
    /// stale entry from a fresh one.
    pub credential_version: u64,
    pub created_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPrincipal {
    pub name: String,
    pub display_name: String,
    pub emails: Vec<String>,
    pub role: Role,
    pub password_hash: String,
}

/// An API key as stored: only a hash of the secret, never the secret itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKey {
    pub id: ApiKeyId,
    pub principal: PrincipalId,
    pub label: String,
    /// The first characters of the key, shown in listings so a user can tell keys apart.
    pub prefix: String,
    /// A SHA-256 of the full key. Keys are long random strings, so a fast hash is enough.
    pub hash: [u8; 32],
    pub created_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewApiKey {
    pub principal: PrincipalId,
    pub label: String,
    pub prefix: String,
    pub hash: [u8; 32],
}

/// A calendar collection or a plain WebDAV collection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CollectionKind {
    /// A CalDAV calendar: holds iCalendar objects, one UID per object.
    Calendar,
    /// A plain WebDAV collection: holds any resource, may hold further collections.
    Plain,
}

/// Properties are kept by their Clark name (`{DAV:}displayname`,
/// `{urn:ietf:params:xml:ns:caldav}calendar-description`) with their value as the XML
/// content of the property element. The DAV layer gives them meaning.
pub type Properties = BTreeMap<String, String>;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Collection {
    pub id: CollectionId,
    pub owner: PrincipalId,
    /// Path below the owner's home, without leading or trailing slash: `default`,
    /// `litmus/coll`. Unique per owner.
    pub path: String,
    pub kind: CollectionKind,
    pub props: Properties,
    /// The sequence number of the newest change. Sync tokens are built from it.
    pub sync_seq: u64,
    pub created_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCollection {
    pub owner: PrincipalId,
    pub path: String,
    pub kind: CollectionKind,
    pub props: Properties,
}

/// A change to a collection's properties: set these, remove those, in one step.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PropPatch {
    pub set: Vec<(String, String)>,
    pub remove: Vec<String>,
}

/// The instants an object covers, for time-range queries: from the start of its first
/// instance to the end of its last. `end: None` means it never ends (an unbounded RRULE).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimeRange {
    pub start: Timestamp,
    pub end: Option<Timestamp>,
}

impl TimeRange {
    /// Whether this range overlaps `[start, end)`.
    pub fn overlaps(&self, start: Timestamp, end: Timestamp) -> bool {
        self.start < end && self.end.is_none_or(|e| e > start)
    }
}

/// What the store knows about an object without reading its body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectMeta {
    pub name: String,
    /// A strong ETag, without quotes.
    pub etag: String,
    pub content_type: String,
    pub size: u64,
    /// The iCalendar UID, for calendar objects.
    pub uid: Option<String>,
    /// The main component type (`VEVENT`, `VTODO`, ...), for calendar objects.
    pub component: Option<String>,
    /// The range the object covers, when it has one (events and timed todos do).
    pub time_range: Option<TimeRange>,
    pub props: Properties,
    pub modified_at: Timestamp,
}

/// An object with its body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Object {
    pub meta: ObjectMeta,
    pub body: Vec<u8>,
}

/// What to write for an object. The store computes the ETag from the body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectWrite {
    pub body: Vec<u8>,
    pub content_type: String,
    pub uid: Option<String>,
    pub component: Option<String>,
    pub time_range: Option<TimeRange>,
}

/// Conditions on the current state of a resource (RFC 9110 §13).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Precondition {
    #[default]
    None,
    /// `If-Match: "etag"`: the resource exists and has this ETag.
    IfMatch(String),
    /// `If-Match: *`: the resource exists.
    IfExists,
    /// `If-None-Match: *`: the resource does not exist.
    IfNotExists,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PutOutcome {
    pub etag: String,
    /// True when the object did not exist before.
    pub created: bool,
    /// The collection's sync sequence after this write.
    pub sync_seq: u64,
}

/// Changes to a collection after some sync sequence, newest state per name.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Changes {
    /// The collection's sync sequence now; a client continues from it.
    pub sync_seq: u64,
    /// Names created or modified (and still present).
    pub changed: Vec<String>,
    /// Names removed.
    pub deleted: Vec<String>,
    /// True when `limit` cut the list: `sync_seq` is then the sequence of the last change
    /// listed, so that a client can continue from it without skipping any (RFC 6578 §3.6).
    pub truncated: bool,
}

/// The approval mode of an event's fan-out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum Approval {
    /// Follow the calendar's (or the global) setting.
    #[default]
    Inherit,
    /// Updates go out at once.
    Auto,
    /// Updates wait for approval.
    Hold,
}

/// An event in the registry: one per (owner, UID).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventRecord {
    pub id: EventId,
    pub owner: PrincipalId,
    pub uid: String,
    /// Where the event's object lives.
    pub collection: CollectionId,
    pub object_name: String,
    /// The SEQUENCE the server last sent, or will send, to recipients.
    pub sequence: u32,
    /// Short code used in public links (`/e/{code}`). Unique.
    pub public_code: String,
    pub groups: Vec<String>,
    pub approval: Approval,
    pub cancelled: bool,
    pub summary: String,
    pub start: Option<Timestamp>,
    /// Free-form data for templates (a team's logo, links): JSON text.
    pub custom: String,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// Create or update an event's registry entry. Fields set to `None` keep their value on an
/// update and take a default on a create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventUpsert {
    pub owner: PrincipalId,
    pub uid: String,
    pub collection: CollectionId,
    pub object_name: String,
    pub sequence: Option<u32>,
    /// Used on create only; a code is generated when `None`.
    pub public_code: Option<String>,
    pub groups: Option<Vec<String>>,
    pub approval: Option<Approval>,
    pub cancelled: Option<bool>,
    pub summary: Option<String>,
    pub start: Option<Option<Timestamp>>,
    pub custom: Option<String>,
}

impl EventUpsert {
    /// An upsert that touches nothing but the location of the event.
    pub fn at(owner: PrincipalId, uid: &str, collection: CollectionId, object_name: &str) -> Self {
        EventUpsert {
            owner,
            uid: uid.to_string(),
            collection,
            object_name: object_name.to_string(),
            sequence: None,
            public_code: None,
            groups: None,
            approval: None,
            cancelled: None,
            summary: None,
            start: None,
            custom: None,
        }
    }
}

/// A recipient's answer (iCalendar PARTSTAT), as far as the store needs to know it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum PartStat {
    NeedsAction,
    Accepted,
    Declined,
    Tentative,
    Delegated,
}

impl PartStat {
    pub fn as_str(self) -> &'static str {
        match self {
            PartStat::NeedsAction => "NEEDS-ACTION",
            PartStat::Accepted => "ACCEPTED",
            PartStat::Declined => "DECLINED",
            PartStat::Tentative => "TENTATIVE",
            PartStat::Delegated => "DELEGATED",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s.to_ascii_uppercase().as_str() {
            "NEEDS-ACTION" => PartStat::NeedsAction,
            "ACCEPTED" => PartStat::Accepted,
            "DECLINED" => PartStat::Declined,
            "TENTATIVE" => PartStat::Tentative,
            "DELEGATED" => PartStat::Delegated,
            _ => return None,
        })
    }
}

/// Where a recipient's invitation stands on its way out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum DeliveryState {
    Queued,
    Sent,
    Deferred,
    Failed,
    Bounced,
    Suppressed,
}

/// One recorded answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RsvpEntry {
    pub partstat: PartStat,
    /// When the answer was recorded by the server.
    pub recorded_at: Timestamp,
    /// The ordering key of the answer: (SEQUENCE, DTSTAMP). A later answer with a smaller
    /// key is stale and never overwrites a newer one.
    pub sequence: u32,
    pub dtstamp: Timestamp,
    /// The occurrence answered, when the answer is for one occurrence only.
    pub recurrence_id: Option<String>,
    pub message_id: Option<String>,
    pub comment: Option<String>,
    /// How the answer arrived: `imap`, `lmtp`, `webhook`, `link`, ...
    pub source: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recipient {
    pub event: EventId,
    /// Normalized (lower-case) address.
    pub email: String,
    pub name: Option<String>,
    pub lang: Option<String>,
    /// The answer for the whole event.
    pub partstat: PartStat,
    /// Answers for single occurrences, by RECURRENCE-ID as given by the caller.
    pub occurrences: BTreeMap<String, PartStat>,
    pub history: Vec<RsvpEntry>,
    pub delivery: DeliveryState,
    /// The SEQUENCE of the last message queued for this recipient.
    pub sequence_sent: u32,
    /// A per-recipient secret for reply routing and signed links.
    pub token: String,
    pub invited_at: Timestamp,
    pub batch: Option<BatchId>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRecipient {
    pub email: String,
    pub name: Option<String>,
    pub lang: Option<String>,
}

/// The result of recording an answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RsvpOutcome {
    /// The answer was newer and is now the recipient's status.
    Applied {
        previous: PartStat,
        recipient: Box<Recipient>,
    },
    /// An answer with a newer (SEQUENCE, DTSTAMP) is already recorded; this one was kept in
    /// the history but changed nothing.
    Stale { current: PartStat },
}

/// What the Send API asks for: invite these recipients to this event, once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvitationRequest {
    pub event: EventId,
    /// Retrying a call with the same key returns the first call's batch and changes nothing.
    pub idempotency_key: Option<String>,
    /// Recipients already invited to this event, and addresses on the suppression list,
    /// are counted and skipped.
    pub recipients: Vec<NewRecipient>,
    pub method: String,
    pub sequence: u32,
    pub queue: String,
    pub due_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Batch {
    pub id: BatchId,
    pub event: EventId,
    pub owner: PrincipalId,
    pub idempotency_key: Option<String>,
    pub queued: u64,
    pub already_invited: u64,
    pub suppressed: u64,
    pub sent: u64,
    pub deferred: u64,
    pub failed: u64,
    pub created_at: Timestamp,
}

/// The result of an invitation call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvitationOutcome {
    pub batch: Batch,
    /// True when the idempotency key matched an earlier call and nothing was written.
    pub replayed: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum JobState {
    /// Waiting for `due_at`, or leased until `lease.expires_at` (then it is due again).
    Pending,
    Done,
    Failed,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lease {
    pub owner: String,
    pub expires_at: Timestamp,
}

/// A unit of outbound work: one message to one recipient, or one webhook delivery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Job {
    pub id: JobId,
    /// Which workers take it: `mail`, `webhook`, ...
    pub queue: String,
    pub event: Option<EventId>,
    pub recipient: Option<String>,
    pub method: String,
    pub sequence: u32,
    pub recurrence_id: Option<String>,
    pub batch: Option<BatchId>,
    /// Opaque to the store.
    pub payload: Vec<u8>,
    pub state: JobState,
    pub attempts: u32,
    pub due_at: Timestamp,
    pub lease: Option<Lease>,
    pub last_error: Option<String>,
    pub created_at: Timestamp,
    pub finished_at: Option<Timestamp>,
}

/// A job to create. Jobs are unique by their dedupe key (event, recipient, method,
/// sequence, occurrence); creating one that exists changes nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewJob {
    pub queue: String,
    pub event: Option<EventId>,
    pub recipient: Option<String>,
    pub method: String,
    pub sequence: u32,
    pub recurrence_id: Option<String>,
    pub batch: Option<BatchId>,
    pub payload: Vec<u8>,
    pub due_at: Timestamp,
}

impl NewJob {
    /// The key that makes a job unique. A job without an event (a webhook delivery) adds a
    /// digest of its payload: two deliveries of the same type to the same webhook differ
    /// only there (each payload carries its own delivery id), and without it the second
    /// would be taken for a repeat of the first and silently dropped. Keys of jobs with an
    /// event keep their earlier form, so they still match the keys stores already hold.
    pub fn dedupe_key(&self) -> String {
        let mut key = format!(
            "{}|{}|{}|{}|{}|{}",
            self.queue,
            self.event.map(|e| e.0.to_string()).unwrap_or_default(),
            self.recipient.as_deref().unwrap_or(""),
            self.method,
            self.sequence,
            self.recurrence_id.as_deref().unwrap_or("")
        );
        if self.event.is_none() {
            key.push('|');
            key.push_str(&crate::etag_for(&self.payload));
        }
        key
    }

    /// A delivery to a webhook: queue [`WEBHOOK_QUEUE`], no event (so finishing it never
    /// touches a recipient's delivery state), the webhook named in `recipient` (so the
    /// store can index the delivery log without reading the payload), the event type as
    /// the method.
    pub fn webhook_delivery(webhook: WebhookId, event_type: &str, payload: Vec<u8>, due_at: Timestamp) -> NewJob {
        NewJob {
            queue: WEBHOOK_QUEUE.to_string(),
            event: None,
            recipient: Some(format!("{WEBHOOK_RECIPIENT_PREFIX}{}", webhook.0)),
            method: event_type.to_string(),
            sequence: 0,
            recurrence_id: None,
            batch: None,
            payload,
            due_at,
        }
    }

    /// The webhook this job delivers to, when it is a webhook delivery.
    pub fn webhook(&self) -> Option<WebhookId> {
        webhook_of(&self.queue, self.recipient.as_deref())
    }
}

impl Job {
    /// The webhook this job delivers to, when it is a webhook delivery.
    pub fn webhook(&self) -> Option<WebhookId> {
        webhook_of(&self.queue, self.recipient.as_deref())
    }
}

/// The queue webhook deliveries go to.
pub const WEBHOOK_QUEUE: &str = "webhook";
const WEBHOOK_RECIPIENT_PREFIX: &str = "webhook:";

fn webhook_of(queue: &str, recipient: Option<&str>) -> Option<WebhookId> {
    if queue != WEBHOOK_QUEUE {
        return None;
    }
    recipient?
        .strip_prefix(WEBHOOK_RECIPIENT_PREFIX)?
        .parse()
        .ok()
        .map(WebhookId)
}

/// The event types a webhook can subscribe to; `*` subscribes to all of them.
pub const WEBHOOK_EVENT_TYPES: &[&str] = &[
    "rsvp.changed",
    "invite.delivered",
    "invite.failed",
    "invite.bounced",
    "event.updated",
    "event.cancelled",
    "counter.proposed",
];

/// An organizer's subscription: events of these types are POSTed to `url`, signed with
/// `secret`. The secret is kept as given (not hashed) because every delivery is signed
/// with it; it is shown to the organizer only once, at creation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Webhook {
    pub id: WebhookId,
    pub owner: PrincipalId,
    /// An `http://` or `https://` URL.
    pub url: String,
    /// Names from [`WEBHOOK_EVENT_TYPES`], or `*`. Never empty.
    pub events: Vec<String>,
    /// The signing secret, `whsec_<base64>` (Standard Webhooks).
    pub secret: String,
    pub created_at: Timestamp,
}

impl Webhook {
    /// Whether an event of this type goes to this webhook.
    pub fn subscribes_to(&self, event_type: &str) -> bool {
        self.events.iter().any(|e| e == "*" || e == event_type)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewWebhook {
    pub owner: PrincipalId,
    pub url: String,
    pub events: Vec<String>,
    pub secret: String,
}

/// How a leased job ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobResult {
    /// Delivered: the peer accepted it.
    Done,
    /// A temporary failure: try again at `retry_at`.
    Retry { retry_at: Timestamp, error: String },
    /// A permanent failure.
    Failed { error: String },
}

/// Writes that go with an object write, committed in the same transaction.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Effects {
    pub event: Option<EventUpsert>,
    pub jobs: Vec<NewJob>,
    /// Queue one job for every recipient of an event whose answer is in `statuses`.
    pub fan_out: Option<FanOut>,
    /// Hold a change for approval instead of fanning it out (folded into the event's
    /// pending change when it already has one).
    pub hold: Option<Hold>,
    /// Invite people in the same transaction (CalDAV implicit scheduling: the ATTENDEEs an
    /// organizer's client writes into the event).
    pub invite: Option<EffectInvite>,
}

/// Invite these recipients to an event, as the Send API does (those already invited and
/// suppressed addresses are skipped, one job each for the others, one batch for all), but
/// as part of an object write. Nothing is written when `recipients` is empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EffectInvite {
    /// `None` means the event the same `Effects` upserts.
    pub event: Option<EventId>,
    pub recipients: Vec<NewRecipient>,
    pub method: String,
    pub sequence: u32,
    pub queue: String,
    pub due_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FanOut {
    /// The event whose recipients are reached. `None` means the event the same `Effects`
    /// upserts.
    pub event: Option<EventId>,
    /// Reach recipients with these answers; empty means every recipient.
    pub statuses: Vec<PartStat>,
    pub queue: String,
    pub method: String,
    pub sequence: u32,
    pub recurrence_id: Option<String>,
    pub due_at: Timestamp,
    /// Given to every job created (a CANCEL carries the deleted event's last version).
    pub payload: Vec<u8>,
}

/// A change whose fan-out waits for approval (ARCHITECTURE: the change lands in the calendar
/// at once; telling recipients waits).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingChange {
    pub id: PendingId,
    pub event: EventId,
    pub owner: PrincipalId,
    /// The event's body before the first held change.
    pub before: Vec<u8>,
    /// The event's body after the latest held change (empty when the event was deleted).
    pub after: Vec<u8>,
    /// What approval will queue.
    pub fan_out: FanOut,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// Hold a change instead of fanning it out; goes in `Effects.hold`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hold {
    pub event: EventId,
    pub owner: PrincipalId,
    pub before: Vec<u8>,
    pub after: Vec<u8>,
    pub fan_out: FanOut,
}

/// What an object write with effects produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EffectsOutcome {
    pub event: Option<EventRecord>,
    pub jobs_created: u64,
}

/// Why an address is on the suppression list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SuppressionReason {
    HardBounce,
    Unsubscribe,
    Manual,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suppression {
    pub email: String,
    pub reason: SuppressionReason,
    pub note: Option<String>,
    pub created_at: Timestamp,
}

/// What became of an inbound message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum InboundOutcome {
    /// Stored, not yet processed (or processing was interrupted).
    Received,
    Applied {
        summary: String,
    },
    Ignored {
        reason: String,
    },
    Quarantined {
        error: String,
    },
}

/// A raw message to keep (see `Store::store_inbound_many`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewInbound {
    pub raw: Vec<u8>,
    pub message_id: Option<String>,
    pub source: String,
    pub received_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InboundMessage {
    pub id: InboundId,
    pub message_id: Option<String>,
    /// `imap`, `lmtp`, `webhook`, ...
    pub source: String,
    pub received_at: Timestamp,
    pub size: u64,
    pub outcome: InboundOutcome,
    pub attempts: u32,
    pub updated_at: Timestamp,
}

/// The result of keeping an inbound message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InboundStored {
    New(InboundId),
    /// A message with this Message-ID is already kept; nothing was written.
    Duplicate(InboundId),
}

/// Which inbound messages to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InboundFilter {
    All,
    Received,
    Applied,
    Ignored,
    Quarantined,
}

/// A page of a listing: items and the cursor to pass for the next page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(event: Option<EventId>, payload: &[u8]) -> NewJob {
        NewJob {
            queue: "mail".into(),
            event,
            recipient: Some("a@x.org".into()),
            method: "REQUEST".into(),
            sequence: 2,
            recurrence_id: None,
            batch: None,
            payload: payload.to_vec(),
            due_at: 0,
        }
    }

    #[test]
    fn a_job_with_an_event_keeps_the_key_stores_already_hold() {
        assert_eq!(job(Some(EventId(7)), b"x").dedupe_key(), "mail|7|a@x.org|REQUEST|2|");
        assert_eq!(
            job(Some(EventId(7)), b"x").dedupe_key(),
            job(Some(EventId(7)), b"y").dedupe_key()
        );
    }

    #[test]
    fn webhook_deliveries_differ_by_payload_and_name_their_webhook() {
        let a = NewJob::webhook_delivery(WebhookId(3), "rsvp.changed", b"{\"id\":1}".to_vec(), 0);
        let b = NewJob::webhook_delivery(WebhookId(3), "rsvp.changed", b"{\"id\":2}".to_vec(), 0);
        assert_ne!(a.dedupe_key(), b.dedupe_key());
        assert_eq!(a.webhook(), Some(WebhookId(3)));
        assert_eq!(job(None, b"").webhook(), None, "a mail job is no delivery");
    }
}
