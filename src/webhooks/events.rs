//! The events, one function each: what `data` each type carries and whose webhooks get it.
//! Kept here rather than at the call sites so that the pipeline, the lifecycle and the
//! finisher each wire a type in one line, and the payloads are documented in one place.

use super::{deliveries, emit};
use crate::app::App;
use calinvite_imip::ical::format_utc;
use calinvite_imip::inbound::{CounterFacts, DsnRecipient};
use calinvite_storage::{EventId, EventRecord, NewJob, PartStat, RsvpEntry, Store};

/// `rsvp.changed`: an answer (a REPLY, or a web RSVP link) changed a recipient's status.
pub async fn rsvp_changed(app: &App, event: &EventRecord, email: &str, entry: &RsvpEntry, previous: PartStat) {
    let data = serde_json::json!({
        "uid": event.uid,
        "summary": event.summary,
        "email": email,
        "status": entry.partstat.as_str(),
        "previous": previous.as_str(),
        "occurrence": entry.recurrence_id,
        "comment": entry.comment,
        "sequence": entry.sequence,
        "source": entry.source,
    });
    emit(app, event.owner, "rsvp.changed", data).await;
}

/// `invite.bounced`: a delivery report says an invitation to `email` bounced for good.
pub async fn invite_bounced(app: &App, event: EventId, job_method: &str, report: &DsnRecipient) {
    let event = match app.store.event(event).await {
        Ok(Some(e)) => e,
        Ok(None) => return,
        Err(e) => {
            tracing::error!(error = %e, "cannot read the event of a bounce");
            return;
        }
    };
    let data = serde_json::json!({
        "uid": event.uid,
        "email": report.final_recipient,
        "method": job_method,
        "status": report.status,
        "diagnostic": report.diagnostic,
    });
    emit(app, event.owner, "invite.bounced", data).await;
}

/// `counter.proposed`: a recipient proposes another time (RFC 5546 §3.2.7). The caller has
/// checked that the message comes from that recipient, by the rule a REPLY follows, so
/// nobody can make an organizer's webhooks fire by mailing a forged COUNTER.
pub async fn counter_proposed(app: &App, event: &EventRecord, email: &str, counter: &CounterFacts) {
    let data = serde_json::json!({
        "uid": event.uid,
        "summary": event.summary,
        "email": email,
        "proposed_start": counter.dtstart.map(format_utc),
        "proposed_end": counter.dtend.map(format_utc),
        "comment": counter.comment,
    });
    emit(app, event.owner, "counter.proposed", data).await;
}

/// `event.updated`: a significant change (the deliveries commit with the change).
/// `summary` is the new one; the registry still holds the old.
pub async fn event_updated(
    store: &dyn Store,
    event: &EventRecord,
    summary: &str,
    sequence: u32,
    occurrence: Option<&str>,
    changes: &str,
) -> Vec<NewJob> {
    let data = serde_json::json!({
        "uid": event.uid,
        "summary": summary,
        "sequence": sequence,
        "occurrence": occurrence,
        "changes": changes,
    });
    deliveries(store, event.owner, "event.updated", data).await
}

/// `event.cancelled`: the event was deleted (the deliveries commit with the deletion).
pub async fn event_cancelled(store: &dyn Store, event: &EventRecord, sequence: u32) -> Vec<NewJob> {
    let data = serde_json::json!({
        "uid": event.uid,
        "summary": event.summary,
        "sequence": sequence,
    });
    deliveries(store, event.owner, "event.cancelled", data).await
}
