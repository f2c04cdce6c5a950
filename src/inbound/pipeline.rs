//! The one inbound path: every message, whether it came by LMTP, the webhook or IMAP, is
//! kept before anything else happens, deduplicated by Message-ID, read, acted on, and its
//! outcome recorded (applied, ignored with a reason, quarantined with an error). Nothing
//! is dropped silently; a quarantined message stays in the log with its raw bytes and can
//! be processed again after a fix (`calinvite inbound retry`).
//!
//! What acting means:
//! - a REPLY from a recipient sets that recipient's answer, with history; an older answer
//!   never overwrites a newer one (the store compares SEQUENCE and DTSTAMP);
//! - a bounce (RFC 3464) of one of our invitations suppresses the address (hard) or is
//!   recorded (soft);
//! - a REQUEST or CANCEL from an organizer's registered address updates that organizer's
//!   calendar through the CalDAV path, so it is validated and registered like a PUT.

use super::{notify, reply_token};
use crate::app::App;
use calinvite_imip::ical::format_utc;
use calinvite_imip::imip::NoticeKind;
use calinvite_imip::inbound::{
    CounterFacts, Inbound, Itip, ItipPart, Payload, RefreshFacts, ReplyFacts, authenticated_from, cancel_occurrences,
    interpret, merge_occurrences, older_than_stored, parse_message,
};
use calinvite_storage::{
    DeliveryState, EventRecord, InboundId, InboundOutcome, InboundStored, JobId, NewJob, PartStat, Recipient,
    RsvpEntry, RsvpOutcome, StoreError, SuppressionReason,
};
use tracing::Instrument;

/// What became of a received message.
pub struct Received {
    pub id: InboundId,
    pub outcome: InboundOutcome,
    pub duplicate: bool,
}

/// Keeps the message, then processes it. An error means it could not even be kept (the
/// sender should retry: LMTP answers 451).
pub async fn receive(app: &App, raw: Vec<u8>, source: &str) -> Result<Received, StoreError> {
    let message_id = header_message_id(&raw);
    let span = tracing::info_span!("inbound", source, message_id = message_id.as_deref().unwrap_or(""));
    receive_in_span(app, raw, source, message_id).instrument(span).await
}

async fn receive_in_span(
    app: &App,
    raw: Vec<u8>,
    source: &str,
    message_id: Option<String>,
) -> Result<Received, StoreError> {
    let now = calinvite_storage::now();
    let keep = calinvite_storage::NewInbound {
        raw: raw.clone(),
        message_id: message_id.clone(),
        source: source.to_string(),
        received_at: now,
    };
    let id = match app.inbound_writes().keep(keep).await? {
        InboundStored::New(id) => id,
        InboundStored::Duplicate(id) => {
            let outcome = app
                .store
                .inbound(id)
                .await?
                .map(|m| m.outcome)
                .unwrap_or(InboundOutcome::Received);
            tracing::info!(id = id.0, "duplicate Message-ID; already kept");
            return Ok(Received {
                id,
                outcome,
                duplicate: true,
            });
        }
    };
    let outcome = process(app, &raw, source).await;
    log_outcome(id, &outcome);
    app.inbound_writes().outcome(id, outcome.clone()).await?;
    Ok(Received {
        id,
        outcome,
        duplicate: false,
    })
}

/// Processes a kept message again (after a fix), recording the new outcome.
pub async fn retry(app: &App, id: InboundId) -> Result<InboundOutcome, StoreError> {
    let raw = app
        .store
        .inbound_raw(id)
        .await?
        .ok_or_else(|| StoreError::not_found(format!("inbound message {id}")))?;
    let source = app
        .store
        .inbound(id)
        .await?
        .map(|m| m.source)
        .unwrap_or_else(|| "retry".into());
    let outcome = process(app, &raw, &source).await;
    log_outcome(id, &outcome);
    app.store
        .set_inbound_outcome(id, outcome.clone(), calinvite_storage::now())
        .await?;
    Ok(outcome)
}

fn log_outcome(id: InboundId, outcome: &InboundOutcome) {
    match outcome {
        InboundOutcome::Applied { summary } => tracing::info!(id = id.0, %summary, "inbound applied"),
        InboundOutcome::Ignored { reason } => tracing::info!(id = id.0, %reason, "inbound ignored"),
        InboundOutcome::Quarantined { error } => tracing::warn!(id = id.0, %error, "inbound quarantined"),
        InboundOutcome::Received => {}
    }
}

fn quarantine(error: impl Into<String>) -> InboundOutcome {
    InboundOutcome::Quarantined { error: error.into() }
}

fn ignore(reason: impl Into<String>) -> InboundOutcome {
    InboundOutcome::Ignored { reason: reason.into() }
}

async fn process(app: &App, raw: &[u8], source: &str) -> InboundOutcome {
    let max = app.config.inbound.max_message_bytes;
    if raw.len() as u64 > max {
        return quarantine(format!(
            "the message has {} bytes, more than inbound.max_message_bytes ({max}); it is kept but not read",
            raw.len()
        ));
    }
    let message = match parse_message(raw) {
        Ok(m) => m,
        Err(e) => return quarantine(format!("unreadable message: {e}")),
    };
    match &message.payload {
        Payload::DeliveryStatus(dsn) => bounce(app, dsn).await,
        Payload::Tnef { reason } => {
            organizer_failure(app, &message, reason).await;
            ignore(reason.clone())
        }
        Payload::None { reason } => ignore(reason.clone()),
        Payload::Itip(part) => match interpret(part) {
            Err(e) => {
                let error = format!("invalid calendar data: {e}");
                organizer_failure(app, &message, &error).await;
                quarantine(error)
            }
            Ok(Itip::Reply(reply)) => apply_reply(app, &message, &reply, source).await,
            Ok(itip @ (Itip::Request(_) | Itip::Cancel(_))) => organizer_message(app, &message, part, itip).await,
            Ok(Itip::Refresh(refresh)) => resend(app, &message, &refresh).await,
            Ok(Itip::Counter(counter)) => counter_proposal(app, &message, &counter).await,
            Ok(Itip::Other(method)) => ignore(format!("METHOD:{method} is not acted on")),
        },
    }
}

/// The invitation an attendee's message (REPLY, REFRESH, COUNTER) answers, once it is
/// shown to come from that attendee: the ATTENDEE must be a recipient of the UID and the
/// From address theirs, unless a reply token (`mail.reply_tokens`) in the ORGANIZER or the
/// To address names the invitation; with `inbound.require_authentication`, the message
/// must also carry a DKIM or SPF pass aligned with From. Otherwise the outcome to record.
async fn responder(
    app: &App,
    message: &Inbound,
    uid: &str,
    attendee: Option<&str>,
    organizer: Option<&str>,
) -> Result<(EventRecord, Recipient, Option<&'static str>), InboundOutcome> {
    let store = &app.store;
    let from = message.from.as_ref().map(|m| m.email.clone()).unwrap_or_default();
    let attendee = attendee.unwrap_or(from.as_str());
    let tagged = organizer
        .into_iter()
        .chain(message.to.iter().map(String::as_str))
        .find_map(|a| reply_token::token_of(a, &app.config.mail.from));
    let mut target = None;
    let mut via = None;
    if let Some(token) = tagged {
        match store.recipient_by_token(&token).await {
            Ok(Some(r)) => match store.event(r.event).await {
                Ok(Some(ev)) if ev.uid == uid => {
                    target = Some((ev, r));
                    via = Some("reply token");
                }
                Ok(_) => {}
                Err(e) => return Err(quarantine(format!("store error: {e}"))),
            },
            Ok(None) => {}
            Err(e) => return Err(quarantine(format!("store error: {e}"))),
        }
    }
    if target.is_none() {
        let events = store
            .events_with_uid(uid)
            .await
            .map_err(|e| quarantine(format!("store error: {e}")))?;
        for ev in events {
            match store.recipient(ev.id, attendee).await {
                Ok(Some(r)) => {
                    target = Some((ev, r));
                    break;
                }
                Ok(None) => {}
                Err(e) => return Err(quarantine(format!("store error: {e}"))),
            }
        }
    }
    let Some((event, recipient)) = target else {
        return Err(quarantine(format!(
            "message for UID {uid} from {attendee}: no event with that UID has this recipient"
        )));
    };
    // ARCHITECTURE: an attendee's message changes only its own sender's status. A reply
    // token stands for the invited address (it was only ever sent there).
    if via.is_none() && from != recipient.email {
        return Err(quarantine(format!(
            "the message answers for {} but comes from {}; only the recipient may answer",
            recipient.email,
            if from.is_empty() {
                "no From address"
            } else {
                from.as_str()
            }
        )));
    }
    let inbound = &app.config.inbound;
    if inbound.require_authentication
        && !authenticated_from(&message.authentication_results, &inbound.trusted_authserv_id, &from)
    {
        return Err(quarantine(format!(
            "unauthenticated: no DKIM or SPF pass aligned with {from} from {}",
            inbound.trusted_authserv_id
        )));
    }
    Ok((event, recipient, via))
}

async fn apply_reply(app: &App, message: &Inbound, reply: &ReplyFacts, source: &str) -> InboundOutcome {
    let (event, recipient, via) = match responder(
        app,
        message,
        &reply.uid,
        Some(&reply.attendee),
        reply.organizer.as_deref(),
    )
    .await
    {
        Ok(found) => found,
        Err(outcome) => return outcome,
    };
    let Some(partstat) = PartStat::parse(&reply.partstat) else {
        return quarantine(format!(
            "PARTSTAT {} is not an answer calinvite records",
            reply.partstat
        ));
    };
    let now = calinvite_storage::now();
    let entry = RsvpEntry {
        partstat,
        recorded_at: now,
        sequence: reply.sequence,
        // Ordering falls back to the mail's Date when the object has no DTSTAMP.
        dtstamp: reply.dtstamp.or(message.date).unwrap_or(now),
        recurrence_id: reply.recurrence_id.map(calinvite_imip::ical::format_utc),
        message_id: message.message_id.clone(),
        comment: reply.comment.clone(),
        source: source.to_string(),
    };
    match record_answer(app, &event, &recipient.email, entry, reply.recurrence_id).await {
        Ok(RsvpOutcome::Applied { previous, .. }) => InboundOutcome::Applied {
            summary: format!(
                "{} answered {} (was {}) for {}{}{}",
                recipient.email,
                partstat.as_str(),
                previous.as_str(),
                event.uid,
                reply.recurrence_id.map(|_| " (one occurrence)").unwrap_or(""),
                via.map(|v| format!(", matched by {v}")).unwrap_or_default()
            ),
        },
        Ok(RsvpOutcome::Stale { current }) => ignore(format!(
            "an answer newer than this {} is already recorded ({}); kept in the history only",
            partstat.as_str(),
            current.as_str()
        )),
        Err(e) => quarantine(format!("store error: {e}")),
    }
}

/// Records a recipient's answer, however it came (a mailed REPLY, a web RSVP link): into
/// the history, and when it is the newest, the `rsvp.changed` webhook and the organizer's
/// copy of the event follow. One function so every source has the same effects.
pub(crate) async fn record_answer(
    app: &App,
    event: &EventRecord,
    email: &str,
    entry: RsvpEntry,
    recurrence_id: Option<i64>,
) -> Result<RsvpOutcome, StoreError> {
    let outcome = app.inbound_writes().answer(event.id, email, entry.clone()).await?;
    if let RsvpOutcome::Applied { previous, .. } = &outcome {
        crate::webhooks::events::rsvp_changed(app, event, email, &entry, *previous).await;
        reflect_answer(app, event, email, entry.partstat, recurrence_id).await;
    }
    Ok(outcome)
}

/// RFC 6638 §3.2: the organizer's stored copy shows each inline attendee's answer, so
/// Apple Calendar and Thunderbird display it. Only attendees written in the object are
/// touched (an audience invited through the Send API is counted in the API instead). The
/// answer itself is already recorded; a failure here is logged and leaves the copy as it
/// was.
async fn reflect_answer(app: &App, event: &EventRecord, email: &str, partstat: PartStat, rid: Option<i64>) {
    for _ in 0..3 {
        let object = match app.store.object(event.collection, &event.object_name).await {
            Ok(Some(o)) => o,
            Ok(None) => return,
            Err(e) => {
                tracing::warn!(error = %e, uid = %event.uid, "cannot read the event to show the answer");
                return;
            }
        };
        let text = String::from_utf8_lossy(&object.body);
        // Cheap test first: most answers come from audiences that are not in the object.
        if !text.to_ascii_lowercase().contains(email) {
            return;
        }
        let updated = match calinvite_imip::scheduling::with_partstat(&text, email, partstat.as_str(), rid) {
            Ok(Some(u)) => u,
            Ok(None) => return,
            Err(e) => {
                tracing::warn!(error = %e, uid = %event.uid, "cannot write the answer into the event");
                return;
            }
        };
        let (Ok(Some(owner)), Ok(Some(collection))) = (
            app.store.principal(event.owner).await,
            app.store.collection(event.collection).await,
        ) else {
            return;
        };
        let path = object_path(&owner.name, &collection.path, &event.object_name);
        let etag = format!("\"{}\"", object.meta.etag);
        let resp = dav(app, &owner, http::Method::PUT, &path, Some(&etag), Some(updated)).await;
        match resp.status().as_u16() {
            200..=299 => return,
            // Edited meanwhile: read it again.
            412 => continue,
            s => {
                tracing::warn!(status = s, uid = %event.uid, "the event refused the answer");
                return;
            }
        }
    }
}

/// RFC 5546 §3.2.6: an attendee asks for the current version (their copy was lost or
/// deleted). The invitation is sent again, at most once per version of the event, so a
/// client that repeats the request cannot make the server send without end.
async fn resend(app: &App, message: &Inbound, refresh: &RefreshFacts) -> InboundOutcome {
    let (event, recipient, _) = match responder(app, message, &refresh.uid, refresh.attendee.as_deref(), None).await {
        Ok(found) => found,
        Err(outcome) => return outcome,
    };
    if event.cancelled {
        return ignore(format!(
            "REFRESH from {} for {}, which is cancelled; nothing to send",
            recipient.email, event.uid
        ));
    }
    let job = NewJob {
        queue: crate::outbound::MAIL_QUEUE.into(),
        event: Some(event.id),
        recipient: Some(recipient.email.clone()),
        method: "REFRESH".into(),
        sequence: event.sequence,
        recurrence_id: None,
        batch: None,
        payload: Vec::new(),
        due_at: calinvite_storage::now(),
    };
    match app.store.enqueue(vec![job]).await {
        Ok(0) => ignore(format!(
            "REFRESH from {}: the current version (SEQUENCE {}) was already sent again once",
            recipient.email, event.sequence
        )),
        Ok(_) => {
            app.wake.notify_waiters();
            InboundOutcome::Applied {
                summary: format!(
                    "REFRESH from {}: the current version of {} is sent again",
                    recipient.email, event.uid
                ),
            }
        }
        Err(e) => quarantine(format!("store error: {e}")),
    }
}

/// RFC 5546 §3.2.7: an attendee proposes another time. calinvite does not change the
/// event on its own; the proposal is recorded in the inbound log and surfaced to the
/// organizer, who decides.
async fn counter_proposal(app: &App, message: &Inbound, counter: &CounterFacts) -> InboundOutcome {
    let (event, recipient, _) = match responder(app, message, &counter.uid, counter.attendee.as_deref(), None).await {
        Ok(found) => found,
        Err(outcome) => return outcome,
    };
    crate::webhooks::events::counter_proposed(app, &event, &recipient.email, counter).await;
    notify::owner(
        app,
        message,
        &event,
        NoticeKind::Counter {
            attendee: recipient.email.clone(),
            proposed: proposed_time(app, &event, counter).await,
            comment: counter.comment.clone(),
        },
    )
    .await;
    let when = match (counter.dtstart, counter.dtend) {
        (Some(s), Some(e)) => format!("{} to {}", format_utc(s), format_utc(e)),
        (Some(s), None) => format!("from {}", format_utc(s)),
        _ => "another time".to_string(),
    };
    InboundOutcome::Applied {
        summary: format!(
            "{} proposes {when} for {} ({}){}",
            recipient.email,
            event.uid,
            event.summary,
            counter
                .comment
                .as_deref()
                .map(|c| format!(": \"{c}\""))
                .unwrap_or_default()
        ),
    }
}

/// A COUNTER's proposed time, in the event's own zone like the invitations state it (UTC
/// when the event cannot be read).
async fn proposed_time(app: &App, event: &EventRecord, counter: &CounterFacts) -> String {
    let Some(start) = counter.dtstart else {
        return "another time (none given)".into();
    };
    let facts = match app.store.object(event.collection, &event.object_name).await {
        Ok(Some(o)) => calinvite_imip::imip::event_summary(&o.body).ok(),
        _ => None,
    };
    match facts {
        Some(mut f) => {
            let length = f.end - f.start;
            f.start = start;
            f.end = counter.dtend.unwrap_or(start + length);
            calinvite_imip::imip::describe_when(&f).0
        }
        None => format_utc(start),
    }
}

/// A bounce of one of our invitations. Our Message-IDs name the job
/// (`invite-{job}-{attempt}@domain`), which names the event and recipient.
async fn bounce(app: &App, dsn: &calinvite_imip::inbound::Dsn) -> InboundOutcome {
    let job = dsn.original_message_id.as_deref().and_then(job_of_message_id);
    let mut done = Vec::new();
    for r in &dsn.recipients {
        if r.is_hard_bounce() {
            let note = format!("{} {}", r.status, r.diagnostic.clone().unwrap_or_default());
            if let Err(e) = app
                .store
                .suppress(&r.final_recipient, SuppressionReason::HardBounce, Some(note))
                .await
            {
                return quarantine(format!("store error: {e}"));
            }
            if let Some(id) = job
                && let Ok(Some(j)) = app.store.job(id).await
                && let (Some(event), Some(email)) = (j.event, j.recipient.as_deref())
                && email == r.final_recipient
            {
                let _ = app.store.set_delivery(event, email, DeliveryState::Bounced).await;
                crate::webhooks::events::invite_bounced(app, event, &j.method, r).await;
            }
            done.push(format!("{} bounced ({}), suppressed", r.final_recipient, r.status));
        } else if r.is_soft_bounce() {
            done.push(format!("{} delayed ({}), recorded", r.final_recipient, r.status));
        }
    }
    if done.is_empty() {
        ignore("a delivery report without failed or delayed recipients")
    } else {
        InboundOutcome::Applied {
            summary: done.join("; "),
        }
    }
}

fn job_of_message_id(id: &str) -> Option<JobId> {
    let rest = id.strip_prefix("invite-")?;
    let (job, _) = rest.split_once('-')?;
    job.parse().ok().map(JobId)
}

/// A REQUEST or CANCEL mailed by an organizer (Google Calendar, Outlook) to the server's
/// address: stored in, or removed from, that organizer's calendar through the CalDAV path,
/// so it is validated, indexed and registered exactly like a PUT, and the lifecycle tells
/// recipients. A message for single occurrences is merged into the stored series; one
/// older than what is stored (mail arrives out of order) changes nothing.
async fn organizer_message(app: &App, message: &Inbound, part: &ItipPart, itip: Itip) -> InboundOutcome {
    let method = part.method.to_ascii_uppercase();
    let from = message.from.as_ref().map(|m| m.email.clone()).unwrap_or_default();
    let principal = match app.store.principal_by_email(&from).await {
        Ok(Some(p)) => p,
        Ok(None) => {
            return ignore(format!(
                "{method} from {from}, which is no organizer's registered address"
            ));
        }
        Err(e) => return quarantine(format!("store error: {e}")),
    };
    let uid = match &itip {
        Itip::Request(r) => r.uid.clone(),
        Itip::Cancel(c) => c.uid.clone(),
        _ => return ignore("not an organizer's REQUEST or CANCEL"),
    };
    // The event as registered before this message: what it is stored as, and (for the
    // notice) whether the message raised its SEQUENCE.
    let before = match app.store.event_by_uid(principal.id, &uid).await {
        Ok(e) => e,
        Err(e) => return quarantine(format!("store error: {e}")),
    };
    let stored = match stored_event(app, &principal, before.as_ref()).await {
        Ok(s) => s,
        Err(e) => return quarantine(format!("store error: {e}")),
    };
    let last_version = stored.as_ref().map(|s| s.body.clone().into_bytes());
    let (outcome, did) = async {
        match (itip, stored) {
            (Itip::Request(req), None) => {
                let path = object_path(&principal.name, "default", &format!("{}.ics", object_name(&req.uid)));
                let body = client_scheduled(req.calendar);
                let resp = dav(app, &principal, http::Method::PUT, &path, None, Some(body)).await;
                (
                    written(
                        resp,
                        format!("event {} stored in {}'s calendar", req.uid, principal.name),
                    ),
                    Did::Stored,
                )
            }
            (Itip::Request(req), Some(stored)) => {
                match older_than_stored(&stored.body, &part.calendar) {
                    Ok(Some((theirs, ours))) => {
                        return (
                            ignore(format!(
                                "REQUEST for {} is older than the stored version (SEQUENCE {theirs}, stored {ours}, \
                         or an older DTSTAMP); the newer version is kept",
                                req.uid
                            )),
                            Did::Nothing,
                        );
                    }
                    Ok(None) => {}
                    Err(e) => return (quarantine(format!("invalid calendar data: {e}")), Did::Nothing),
                }
                let (body, what) = if req.has_master {
                    (req.calendar, format!("event {} updated", req.uid))
                } else {
                    match merge_occurrences(&stored.body, &part.calendar) {
                        Ok(m) => (m.text, format!("{} occurrence(s) of {} updated", m.changed, req.uid)),
                        Err(e) => {
                            return (
                                quarantine(format!("the occurrence could not be merged: {e}")),
                                Did::Nothing,
                            );
                        }
                    }
                };
                let resp = stored.replace(app, &principal, Some(client_scheduled(body))).await;
                (written(resp, what), Did::Updated)
            }
            (Itip::Cancel(cancel), None) => (
                ignore(format!("CANCEL for {}, which is not in the calendar", cancel.uid)),
                Did::Nothing,
            ),
            (Itip::Cancel(cancel), Some(stored)) if cancel.recurrence_ids.is_empty() => {
                let resp = stored.replace(app, &principal, None).await;
                (
                    written(resp, format!("event {} cancelled", cancel.uid)),
                    Did::Cancelled { occurrences: 0 },
                )
            }
            (Itip::Cancel(cancel), Some(stored)) => {
                let merged = match cancel_occurrences(&stored.body, &part.calendar) {
                    Ok(m) => m,
                    Err(e) => {
                        return (
                            quarantine(format!("the cancellation could not be applied: {e}")),
                            Did::Nothing,
                        );
                    }
                };
                if merged.changed == 0 {
                    return (
                        ignore(format!(
                            "the cancelled occurrence(s) of {} were already cancelled",
                            cancel.uid
                        )),
                        Did::Nothing,
                    );
                }
                let resp = stored.replace(app, &principal, Some(merged.text)).await;
                (
                    written(
                        resp,
                        format!("{} occurrence(s) of {} cancelled", merged.changed, cancel.uid),
                    ),
                    Did::Cancelled {
                        occurrences: merged.changed,
                    },
                )
            }
            _ => (ignore("not an organizer's REQUEST or CANCEL"), Did::Nothing),
        }
    }
    .await;
    tell_organizer(
        app,
        message,
        &principal,
        &uid,
        before.as_ref(),
        last_version,
        &outcome,
        did,
    )
    .await;
    outcome
}

/// A message from an organizer that could not even be read as an invitation (TNEF,
/// broken iCalendar): the organizer is told why. Messages from anyone else get nothing.
async fn organizer_failure(app: &App, message: &Inbound, reason: &str) {
    let Some(from) = message.from.as_ref() else { return };
    if let Ok(Some(principal)) = app.store.principal_by_email(&from.email).await {
        let kind = NoticeKind::Failed {
            reason: reason.to_string(),
        };
        notify::organizer(app, message, &principal, "", None, None, kind).await;
    }
}

/// What an organizer's message did, for the notice.
enum Did {
    Stored,
    Updated,
    Cancelled { occurrences: usize },
    Nothing,
}

/// The notice to the organizer after their message: stored, whom a change reached (or
/// that it waits for approval), or why it could not be used.
#[allow(clippy::too_many_arguments)]
async fn tell_organizer(
    app: &App,
    message: &Inbound,
    principal: &calinvite_storage::Principal,
    uid: &str,
    before: Option<&EventRecord>,
    last_version: Option<Vec<u8>>,
    outcome: &InboundOutcome,
    did: Did,
) {
    let now = app.store.event_by_uid(principal.id, uid).await.ok().flatten();
    let held = match &now {
        Some(e) => app.store.pending_for_event(e.id).await.ok().flatten().is_some(),
        None => false,
    };
    let kind = match (outcome, did, &now) {
        (InboundOutcome::Quarantined { error }, _, _) => NoticeKind::Failed { reason: error.clone() },
        (InboundOutcome::Applied { .. }, Did::Stored, Some(_)) => NoticeKind::Stored,
        (InboundOutcome::Applied { .. }, Did::Updated, Some(e)) => {
            let significant = before.is_none_or(|b| e.sequence > b.sequence);
            NoticeKind::Updated {
                significant,
                recipients: if significant {
                    notify::reached(app, e, false).await
                } else {
                    0
                },
                held,
            }
        }
        (InboundOutcome::Applied { .. }, Did::Cancelled { occurrences }, Some(e)) => NoticeKind::Cancelled {
            recipients: notify::reached(app, e, true).await,
            held,
            occurrences,
        },
        _ => return,
    };
    // A cancelled event's object is gone: the notice describes its last version.
    let body = match kind {
        NoticeKind::Cancelled { occurrences: 0, .. } => last_version,
        _ => None,
    };
    notify::organizer(app, message, principal, uid, now.as_ref(), body, kind).await;
}

/// The attendees of an event mailed in from Google Calendar or Outlook were invited by
/// that service already; marked SCHEDULE-AGENT=CLIENT (RFC 6638 §7.1), they are not
/// invited a second time by implicit scheduling. The organizer reaches further people
/// through the Send API.
fn client_scheduled(text: String) -> String {
    calinvite_imip::scheduling::mark_client_scheduled(&text).unwrap_or(text)
}

/// The outcome of a write through the CalDAV path.
fn written(resp: http::Response<bytes::Bytes>, summary: String) -> InboundOutcome {
    match resp.status().as_u16() {
        200..=299 => InboundOutcome::Applied { summary },
        412 => quarantine(
            "the event changed while this message was applied; `calinvite inbound retry` applies it to the new version",
        ),
        s => quarantine(format!(
            "the calendar refused the change: {s} {}",
            String::from_utf8_lossy(resp.body()).trim()
        )),
    }
}

/// The request path of a calendar object, each segment encoded as hrefs are.
fn object_path(user: &str, collection: &str, name: &str) -> String {
    calinvite_dav::xml::href::href_encode(&calinvite_dav::path::object_href(user, collection, name))
}

/// An organizer's event as stored: where, which version, and its text.
struct StoredEvent {
    path: String,
    etag: String,
    body: String,
}

impl StoredEvent {
    /// Replaces this version of the event with `body` (or, without one, deletes it)
    /// through the CalDAV path. If-Match makes an edit made meanwhile fail the write
    /// rather than be lost.
    async fn replace(
        &self,
        app: &App,
        principal: &calinvite_storage::Principal,
        body: Option<String>,
    ) -> http::Response<bytes::Bytes> {
        let method = if body.is_some() {
            http::Method::PUT
        } else {
            http::Method::DELETE
        };
        dav(app, principal, method, &self.path, Some(&self.etag), body).await
    }
}

async fn stored_event(
    app: &App,
    principal: &calinvite_storage::Principal,
    event: Option<&EventRecord>,
) -> Result<Option<StoredEvent>, StoreError> {
    let Some(event) = event else {
        return Ok(None);
    };
    if event.cancelled {
        return Ok(None);
    }
    let Some(collection) = app.store.collection(event.collection).await? else {
        return Ok(None);
    };
    let Some(object) = app.store.object(event.collection, &event.object_name).await? else {
        return Ok(None);
    };
    let path = object_path(&principal.name, &collection.path, &event.object_name);
    Ok(Some(StoredEvent {
        path,
        etag: format!("\"{}\"", object.meta.etag),
        body: String::from_utf8_lossy(&object.body).into_owned(),
    }))
}

/// An object name for a UID: Outlook's hex and Google's `...@google.com` UIDs are kept
/// readable; anything outside a safe set becomes `_`.
fn object_name(uid: &str) -> String {
    uid.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_.@".contains(c) {
                c
            } else {
                '_'
            }
        })
        .take(200)
        .collect()
}

async fn dav(
    app: &App,
    principal: &calinvite_storage::Principal,
    method: http::Method,
    path: &str,
    if_match: Option<&str>,
    body: Option<String>,
) -> http::Response<bytes::Bytes> {
    let mut headers = Vec::new();
    if body.is_some() {
        headers.push((http::header::CONTENT_TYPE, "text/calendar"));
    }
    if let Some(etag) = if_match {
        headers.push((http::header::IF_MATCH, etag));
    }
    crate::dav_service::internal(
        app,
        principal,
        method,
        path,
        &headers,
        bytes::Bytes::from(body.unwrap_or_default()),
    )
    .await
}

/// The Message-ID header, read before the message is parsed, so even an unreadable
/// message is kept under its id.
fn header_message_id(raw: &[u8]) -> Option<String> {
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .or_else(|| raw.windows(2).position(|w| w == b"\n\n"))?;
    let head = String::from_utf8_lossy(&raw[..end]);
    let mut lines = head.lines().peekable();
    while let Some(line) = lines.next() {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        if name.trim().eq_ignore_ascii_case("message-id") {
            let mut value = value.trim().to_string();
            while let Some(next) = lines.peek() {
                if next.starts_with([' ', '\t']) {
                    value.push_str(next.trim());
                    lines.next();
                } else {
                    break;
                }
            }
            let v = value
                .trim()
                .trim_start_matches('<')
                .trim_end_matches('>')
                .trim()
                .to_string();
            return (!v.is_empty()).then_some(v);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_message_id_is_read_from_the_header_block_only() {
        assert_eq!(
            header_message_id(b"From: a\r\nMessage-Id: <x@y>\r\n\r\nMessage-ID: <no>").as_deref(),
            Some("x@y")
        );
        assert_eq!(
            header_message_id(b"Message-ID:\r\n <folded@y>\r\n\r\n").as_deref(),
            Some("folded@y")
        );
        assert_eq!(header_message_id(b"From: a\n\nbody"), None);
        assert_eq!(header_message_id(b"no header end"), None);
    }

    #[test]
    fn our_message_ids_name_their_job() {
        assert_eq!(job_of_message_id("invite-42-1@invites.example.org"), Some(JobId(42)));
        assert_eq!(job_of_message_id("other@x"), None);
        assert_eq!(job_of_message_id("invite-x-1@y"), None);
    }

    #[test]
    fn object_names_keep_safe_characters() {
        assert_eq!(object_name("69d4c40b@example.org"), "69d4c40b@example.org");
        assert_eq!(object_name("a/b c"), "a_b_c");
    }
}
