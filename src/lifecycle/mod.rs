//! The one path every change to an event takes (ARCHITECTURE.md): a CalDAV write, a mailed
//! REQUEST or an API call becomes "event E changed from version A to version B", and this
//! module decides what else must be written with it, in the same transaction.
//!
//! - A new VEVENT is registered by (owner, UID), so the Send API can invite people to it.
//! - A significant change (imip::change decides: times, recurrence, place, text, status,
//!   conference links; not DTSTAMP, alarms or answers) raises the server's SEQUENCE and
//!   queues a REQUEST for every recipient who answered Yes or Maybe (and, with
//!   `lifecycle.update_needs_action`, those who have not answered). A change to one
//!   occurrence sends only that occurrence; a cancelled occurrence is a CANCEL for it to
//!   everyone. The jobs are due after `lifecycle.settle_seconds`, so the several saves a
//!   native client makes while a person edits go out as one update: an update superseded
//!   by a later one for the same recipient is skipped by the sender.
//! - With the approval switch on (globally, for a calendar, or for one event), the change
//!   lands in the calendar at once but the fan-out waits as a pending change; later edits
//!   fold into it; approving queues it, discarding drops it.
//! - A deleted event is marked cancelled and a CANCEL goes to every recipient ever sent
//!   it (except suppressed addresses); the jobs carry the event's last version, since the
//!   object is gone by the time they are sent.

use crate::outbound::MAIL_QUEUE;
use crate::webhooks::events as webhooks;
use async_trait::async_trait;
use calinvite_dav::DavHooks;
use calinvite_imip::change::{self, OccurrenceKind};
use calinvite_imip::ical::{CalendarObject, ComponentKind, format_utc};
use calinvite_imip::scheduling;
use calinvite_storage::{
    Approval, Collection, EffectInvite, Effects, EventRecord, EventUpsert, FanOut, Hold, NewJob, NewRecipient,
    ObjectMeta, PartStat, Principal, Store,
};
use std::sync::Arc;

pub struct Lifecycle {
    pub store: Arc<dyn Store>,
    pub settle_seconds: i64,
    pub update_needs_action: bool,
    /// The global approval switch.
    pub approval: bool,
    /// The server's mailbox (`mail.from`): an ORGANIZER with this address is the calendar
    /// owner's to schedule, like their own addresses.
    pub server_address: String,
}

/// A calendar's own approval setting, a WebDAV property set with PROPPATCH.
pub const APPROVAL_PROP: &str = "{urn:calinvite}approval";

impl Lifecycle {
    /// The addresses an event's ORGANIZER may have for the server to schedule it (RFC 6638
    /// §3.2: the owner's calendar-user-address-set, and the server's own mailbox).
    fn organizer_addresses(&self, owner: &Principal) -> Vec<String> {
        let mut a = owner.emails.clone();
        a.push(self.server_address.to_ascii_lowercase());
        a
    }

    fn update_statuses(&self) -> Vec<PartStat> {
        let mut s = vec![PartStat::Accepted, PartStat::Tentative];
        if self.update_needs_action {
            s.push(PartStat::NeedsAction);
        }
        s
    }

    /// Whether this event's fan-out waits for approval: the event's own setting, else its
    /// calendar's, else the global one.
    fn holds(&self, event: &EventRecord, calendar: &Collection) -> bool {
        match event.approval {
            Approval::Hold => return true,
            Approval::Auto => return false,
            Approval::Inherit => {}
        }
        let own = calendar
            .props
            .get(APPROVAL_PROP)
            .and_then(|stored| calinvite_dav::props::decode_dead(stored))
            .and_then(|v| v.text())
            .map(|t| t.trim().to_ascii_lowercase());
        match own.as_deref() {
            Some("hold") => true,
            Some("auto") => false,
            _ => self.approval,
        }
    }

    /// The effects that tell recipients: a fan-out now, or a pending change to approve.
    fn tell(
        &self,
        event: &EventRecord,
        calendar: &Collection,
        before: Vec<u8>,
        after: Vec<u8>,
        fan_out: FanOut,
    ) -> (Option<FanOut>, Option<Hold>) {
        if self.holds(event, calendar) {
            tracing::info!(uid = %event.uid, "held for approval");
            (
                None,
                Some(Hold {
                    event: event.id,
                    owner: event.owner,
                    before,
                    after,
                    fan_out,
                }),
            )
        } else {
            (Some(fan_out), None)
        }
    }

    /// The event as registered, when this object is the one it lives in.
    async fn registered(
        &self,
        owner: &Principal,
        uid: &str,
        collection: &Collection,
        name: &str,
    ) -> Option<EventRecord> {
        match self.store.event_by_uid(owner.id, uid).await {
            Ok(Some(e)) if e.collection == collection.id && e.object_name == name && !e.cancelled => Some(e),
            Ok(_) => None,
            Err(e) => {
                tracing::error!(error = %e, uid, "cannot read the event registry");
                None
            }
        }
    }
}

#[async_trait]
impl DavHooks for Lifecycle {
    async fn rewrite(&self, owner: &Principal, _: &Collection, object: &CalendarObject) -> Option<String> {
        if object.component() != ComponentKind::Event {
            return None;
        }
        let scheduled = scheduling::scheduled_attendees(object.as_str(), &self.organizer_addresses(owner))?;
        let emails: Vec<String> = scheduled.into_iter().map(|a| a.email).collect();
        // RFC 6638 §3.2.9: 1.1, "sent": iMIP tells no more until the attendee answers.
        scheduling::with_schedule_status(object.as_str(), &emails, "1.1")
    }

    async fn on_put(&self, owner: &Principal, collection: &Collection, name: &str, object: &CalendarObject) -> Effects {
        if object.component() != ComponentKind::Event {
            return Effects::default();
        }
        let uid = object.uid();
        let mut upsert = EventUpsert::at(owner.id, uid, collection.id, name);
        upsert.summary = Some(object.summary().unwrap_or_default().to_string());
        upsert.start = Some(object.span().map(|s| s.start));
        upsert.cancelled = Some(false);
        let organizers = self.organizer_addresses(owner);
        let attendees = scheduling::scheduled_attendees(object.as_str(), &organizers).unwrap_or_default();
        let due_at = calinvite_storage::now() + self.settle_seconds;
        let invite = |sequence: u32| {
            (!attendees.is_empty()).then(|| EffectInvite {
                event: None,
                recipients: attendees
                    .iter()
                    .map(|a| NewRecipient {
                        email: a.email.clone(),
                        name: a.name.clone(),
                        lang: None,
                    })
                    .collect(),
                method: "REQUEST".into(),
                sequence,
                queue: MAIL_QUEUE.into(),
                due_at,
            })
        };
        let Some(event) = self.registered(owner, uid, collection, name).await else {
            // A new event: its inline attendees are invited at the organizer's SEQUENCE.
            let sequence = change::next_sequence(0, object.sequence(), false);
            upsert.sequence = Some(sequence);
            return Effects {
                event: Some(upsert),
                invite: invite(sequence),
                ..Effects::default()
            };
        };
        let previous = match self.store.object(collection.id, name).await {
            Ok(Some(o)) => o.body,
            _ => {
                return Effects {
                    event: Some(upsert),
                    invite: invite(event.sequence),
                    ..Effects::default()
                };
            }
        };
        // RFC 6638 §3.2.1.2: attendees the organizer removed are told it is off for them.
        let removed: Vec<String> = std::str::from_utf8(&previous)
            .ok()
            .and_then(|text| scheduling::scheduled_attendees(text, &organizers))
            .unwrap_or_default()
            .into_iter()
            .map(|a| a.email)
            .filter(|e| !attendees.iter().any(|a| &a.email == e))
            .collect();
        let changes = match change::compare(&previous, object.as_str().as_bytes()) {
            Ok(c) => c,
            Err(e) => {
                tracing::warn!(uid, error = %e, "cannot compare with the previous version; nothing sent");
                return Effects {
                    event: Some(upsert),
                    invite: invite(event.sequence),
                    ..Effects::default()
                };
            }
        };
        // A significant change, or attendees taken off (they are told with a CANCEL), raise
        // SEQUENCE once, never below the organizer's own: a client (or Google, by mail)
        // that counted further must not see its attendees told an older number.
        let significant = changes.is_significant();
        let sequence = if significant || !removed.is_empty() {
            change::next_sequence(event.sequence, object.sequence(), true)
        } else {
            event.sequence
        };
        if sequence != event.sequence {
            upsert.sequence = Some(sequence);
        }
        if !removed.is_empty() {
            tracing::info!(uid, removed = removed.len(), "attendees removed: each gets a CANCEL");
        }
        let mut jobs: Vec<NewJob> = removed
            .into_iter()
            .map(|email| NewJob {
                queue: MAIL_QUEUE.into(),
                event: Some(event.id),
                recipient: Some(email),
                method: "CANCEL".into(),
                sequence,
                recurrence_id: None,
                batch: None,
                payload: Vec::new(),
                due_at,
            })
            .collect();
        if !significant {
            tracing::debug!(uid, insignificant = ?changes.insignificant, "no significant change; nothing sent");
            return Effects {
                event: Some(upsert),
                jobs,
                invite: invite(sequence),
                ..Effects::default()
            };
        }
        // One occurrence changed and nothing else: send only that occurrence.
        let single = match (changes.series.is_empty(), changes.occurrences.as_slice()) {
            (true, [one]) => Some(one),
            _ => None,
        };
        let (method, statuses, recurrence_id) = match single {
            Some(occ) if matches!(occ.kind, OccurrenceKind::Cancelled) => {
                ("CANCEL", Vec::new(), Some(format_utc(occ.recurrence_id)))
            }
            Some(occ) => ("REQUEST", self.update_statuses(), Some(format_utc(occ.recurrence_id))),
            None => ("REQUEST", self.update_statuses(), None),
        };
        tracing::info!(uid, sequence, method, occurrence = recurrence_id.as_deref().unwrap_or(""),
            changes = %change::describe(&changes).replace('\n', "; "), "significant change: recipients will be told");
        let fan_out = FanOut {
            event: Some(event.id),
            statuses,
            queue: MAIL_QUEUE.into(),
            method: method.into(),
            sequence,
            recurrence_id,
            due_at,
            payload: Vec::new(),
        };
        let described = change::describe(&changes);
        let occurrence = fan_out.recurrence_id.as_deref();
        let summary = object.summary().unwrap_or_default();
        jobs.extend(webhooks::event_updated(&*self.store, &event, summary, sequence, occurrence, &described).await);
        let after = object.as_str().as_bytes().to_vec();
        let (fan_out, hold) = self.tell(&event, collection, previous, after, fan_out);
        Effects {
            event: Some(upsert),
            jobs,
            fan_out,
            hold,
            invite: invite(sequence),
        }
    }

    async fn on_delete(&self, owner: &Principal, collection: &Collection, meta: &ObjectMeta) -> Effects {
        let (Some(uid), Some("VEVENT")) = (&meta.uid, meta.component.as_deref()) else {
            return Effects::default();
        };
        let mut upsert = EventUpsert::at(owner.id, uid, collection.id, &meta.name);
        upsert.cancelled = Some(true);
        let Some(event) = self.registered(owner, uid, collection, &meta.name).await else {
            return Effects {
                event: Some(upsert),
                ..Effects::default()
            };
        };
        let last_version = match self.store.object(collection.id, &meta.name).await {
            Ok(Some(o)) => o.body,
            _ => {
                return Effects {
                    event: Some(upsert),
                    ..Effects::default()
                };
            }
        };
        let sequence = change::next_sequence(event.sequence, None, true);
        upsert.sequence = Some(sequence);
        tracing::info!(uid, sequence, "event deleted: every recipient gets a CANCEL");
        let fan_out = FanOut {
            event: Some(event.id),
            statuses: Vec::new(),
            queue: MAIL_QUEUE.into(),
            method: "CANCEL".into(),
            sequence,
            recurrence_id: None,
            due_at: calinvite_storage::now(),
            payload: last_version.clone(),
        };
        let jobs = webhooks::event_cancelled(&*self.store, &event, sequence).await;
        let (fan_out, hold) = self.tell(&event, collection, last_version, Vec::new(), fan_out);
        Effects {
            event: Some(upsert),
            jobs,
            fan_out,
            hold,
            invite: None,
        }
    }
}
