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

use crate::app::App;
use calinvite_imip::inbound::{Inbound, Itip, Payload, ReplyFacts, authenticated_from, interpret, parse_message};
use calinvite_storage::{
    DeliveryState, InboundId, InboundOutcome, InboundStored, JobId, PartStat, RsvpEntry, RsvpOutcome, StoreError,
    SuppressionReason,
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
    let id = match app
        .store
        .store_inbound(raw.clone(), message_id.clone(), source, now)
        .await?
    {
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
    app.store
        .set_inbound_outcome(id, outcome.clone(), calinvite_storage::now())
        .await?;
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
        Payload::Tnef { reason } => ignore(reason.clone()),
        Payload::None { reason } => ignore(reason.clone()),
        Payload::Itip(part) => match interpret(part) {
            Err(e) => quarantine(format!("invalid calendar data: {e}")),
            Ok(Itip::Reply(reply)) => apply_reply(app, &message, &reply, source).await,
            Ok(itip @ (Itip::Request(_) | Itip::Cancel(_))) => {
                organizer_message(app, &message, &part.method, itip).await
            }
            Ok(Itip::Refresh(_)) => ignore("REFRESH is recorded but not answered yet"),
            Ok(Itip::Counter(counter)) => {
                crate::webhooks::events::counter_proposed(app, &message, &counter).await;
                ignore("COUNTER (a proposed new time) is recorded and reported to webhooks, not answered yet")
            }
            Ok(Itip::Other(method)) => ignore(format!("METHOD:{method} is not acted on")),
        },
    }
}

async fn apply_reply(app: &App, message: &Inbound, reply: &ReplyFacts, source: &str) -> InboundOutcome {
    let store = &app.store;
    let events = match store.events_with_uid(&reply.uid).await {
        Ok(e) => e,
        Err(e) => return quarantine(format!("store error: {e}")),
    };
    let mut target = None;
    for ev in events {
        match store.recipient(ev.id, &reply.attendee).await {
            Ok(Some(r)) => {
                target = Some((ev, r));
                break;
            }
            Ok(None) => {}
            Err(e) => return quarantine(format!("store error: {e}")),
        }
    }
    let Some((event, recipient)) = target else {
        return quarantine(format!(
            "REPLY for UID {} from {}: no event with that UID has this recipient",
            reply.uid, reply.attendee
        ));
    };
    // ARCHITECTURE: a REPLY changes only its own sender's status.
    let from = message.from.as_ref().map(|m| m.email.clone()).unwrap_or_default();
    if from != recipient.email {
        return quarantine(format!(
            "REPLY answers for {} but comes from {}; only the recipient may answer",
            recipient.email,
            if from.is_empty() {
                "no From address"
            } else {
                from.as_str()
            }
        ));
    }
    let inbound = &app.config.inbound;
    if inbound.require_authentication
        && !authenticated_from(&message.authentication_results, &inbound.trusted_authserv_id, &from)
    {
        return quarantine(format!(
            "unauthenticated: no DKIM or SPF pass aligned with {from} from {}",
            inbound.trusted_authserv_id
        ));
    }
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
    let recorded = store.record_rsvp(event.id, &recipient.email, entry).await;
    if let Ok(RsvpOutcome::Applied { previous, .. }) = &recorded {
        crate::webhooks::events::rsvp_changed(app, &event, &recipient.email, reply, partstat, *previous).await;
    }
    match recorded {
        Ok(RsvpOutcome::Applied { previous, .. }) => InboundOutcome::Applied {
            summary: format!(
                "{} answered {} (was {}) for {}{}",
                recipient.email,
                partstat.as_str(),
                previous.as_str(),
                event.uid,
                reply.recurrence_id.map(|_| " (one occurrence)").unwrap_or("")
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
/// address: stored in, or removed from, that organizer's default calendar through the
/// CalDAV path, so it is validated, indexed and registered exactly like a PUT.
async fn organizer_message(app: &App, message: &Inbound, method: &str, itip: Itip) -> InboundOutcome {
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
    match itip {
        Itip::Request(req) => {
            let name = format!("{}.ics", object_name(&req.uid));
            let path = format!("/dav/calendars/{}/default/{name}", principal.name);
            let resp = dav(app, &principal, http::Method::PUT, &path, Some(req.calendar)).await;
            if resp.status().is_success() {
                InboundOutcome::Applied {
                    summary: format!("event {} stored in {}'s calendar", req.uid, principal.name),
                }
            } else {
                quarantine(format!(
                    "the event could not be stored: {} {}",
                    resp.status(),
                    String::from_utf8_lossy(resp.body())
                ))
            }
        }
        Itip::Cancel(cancel) if cancel.recurrence_ids.is_empty() => {
            let name = format!("{}.ics", object_name(&cancel.uid));
            let path = format!("/dav/calendars/{}/default/{name}", principal.name);
            let resp = dav(app, &principal, http::Method::DELETE, &path, None).await;
            match resp.status().as_u16() {
                204 => InboundOutcome::Applied {
                    summary: format!("event {} cancelled", cancel.uid),
                },
                404 => ignore(format!("CANCEL for {}, which is not in the calendar", cancel.uid)),
                s => quarantine(format!("the cancellation could not be applied: {s}")),
            }
        }
        Itip::Cancel(cancel) => ignore(format!(
            "CANCEL of {} single occurrence(s) of {} is not applied yet",
            cancel.recurrence_ids.len(),
            cancel.uid
        )),
        _ => ignore("not an organizer's REQUEST or CANCEL"),
    }
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
    body: Option<String>,
) -> http::Response<bytes::Bytes> {
    let headers: &[_] = if body.is_some() {
        &[(http::header::CONTENT_TYPE, "text/calendar")]
    } else {
        &[]
    };
    crate::dav_service::internal(
        app,
        principal,
        method,
        path,
        headers,
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
