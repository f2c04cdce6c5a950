//! Telling organizers by mail what became of the messages they sent the server, so one
//! who works only from Google Calendar or Outlook never has to log in to know (issue:
//! organizer notifications). The notice is queued on the mail outbox like an invitation
//! (durable, retried, rate-limited), as a ready message: a `NOTICE` job without an event,
//! whose payload is the message itself.
//!
//! Loops are impossible by construction: nothing is sent in answer to a message marked
//! `Auto-Submitted` (RFC 3834), every notice carries that mark, and the server never
//! writes to its own address.

use crate::app::App;
use crate::outbound::MAIL_QUEUE;
use calinvite_imip::imip::{NoticeInput, NoticeKind, build_notice, event_summary};
use calinvite_imip::inbound::Inbound;
use calinvite_storage::{EventRecord, NewJob, PartStat, Principal};

/// The job method of a notice: the payload is the whole message.
pub const NOTICE_METHOD: &str = "NOTICE";

/// Whether a notice of this kind is wanted, in answer to this message, to this address.
fn wanted(app: &App, message: &Inbound, to: &str, kind: &NoticeKind) -> bool {
    let inbound = &app.config.inbound;
    let on = match kind {
        NoticeKind::Stored => inbound.notify_stored,
        NoticeKind::Updated { .. } | NoticeKind::Cancelled { .. } | NoticeKind::Counter { .. } => {
            inbound.notify_changes
        }
        NoticeKind::Failed { .. } => inbound.notify_failures,
    };
    on && !message.auto_submitted && !to.is_empty() && !to.eq_ignore_ascii_case(&app.config.mail.from)
}

/// Queues a notice to the owner of `event` about a message someone else sent (an
/// attendee's COUNTER), at the owner's first registered address.
pub async fn owner(app: &App, message: &Inbound, event: &EventRecord, kind: NoticeKind) {
    let Ok(Some(principal)) = app.store.principal(event.owner).await else {
        return;
    };
    let Some(to) = principal.emails.first().cloned() else {
        tracing::info!(organizer = %principal.name, "no registered address to tell");
        return;
    };
    send(app, message, &principal, &to, &event.uid, Some(event), None, kind).await;
}

/// Queues a notice to the organizer who sent `message`. `event` is the event as it now
/// is, when there is one; `last_version` the object to describe when it is gone.
/// Failures are logged: the message itself was handled.
pub async fn organizer(
    app: &App,
    message: &Inbound,
    principal: &Principal,
    uid: &str,
    event: Option<&EventRecord>,
    last_version: Option<Vec<u8>>,
    kind: NoticeKind,
) {
    let to = message.from.as_ref().map(|m| m.email.clone()).unwrap_or_default();
    send(app, message, principal, &to, uid, event, last_version, kind).await;
}

#[allow(clippy::too_many_arguments)]
async fn send(
    app: &App,
    message: &Inbound,
    principal: &Principal,
    to: &str,
    uid: &str,
    event: Option<&EventRecord>,
    last_version: Option<Vec<u8>>,
    kind: NoticeKind,
) {
    if !wanted(app, message, to, &kind) {
        return;
    }
    let to = to.to_string();
    let body = match (last_version, event) {
        (Some(body), _) => Some(body),
        (None, Some(e)) => match app.store.object(e.collection, &e.object_name).await {
            Ok(Some(o)) => Some(o.body),
            _ => None,
        },
        (None, None) => None,
    };
    let facts = body.as_deref().and_then(|b| event_summary(b).ok());
    let now = calinvite_storage::now();
    let message_id = format!(
        "notice-{now}-{:016x}@{}",
        rand::random::<u64>(),
        app.config.mail.domain()
    );
    let public_url = app.config.public_url();
    let input = NoticeInput {
        kind,
        facts: facts.as_ref(),
        uid,
        original_subject: message.subject.as_deref(),
        public_code: event.map(|e| e.public_code.as_str()),
        public_url: public_url.trim_end_matches('/'),
        server_address: &app.config.mail.from,
        organizer: &to,
        message_id: &message_id,
        in_reply_to: message.message_id.as_deref(),
        date: now,
    };
    let raw = match build_notice(&input) {
        Ok(raw) => raw,
        Err(e) => {
            tracing::warn!(error = %e, organizer = %principal.name, "cannot build the notice");
            return;
        }
    };
    let job = NewJob {
        queue: MAIL_QUEUE.into(),
        event: None,
        recipient: Some(to.clone()),
        method: NOTICE_METHOD.into(),
        sequence: 0,
        recurrence_id: None,
        batch: None,
        payload: raw,
        due_at: now,
    };
    match app.store.enqueue(vec![job]).await {
        Ok(_) => {
            tracing::info!(organizer = %principal.name, to = %to, "notice queued");
            app.wake.notify_waiters();
        }
        Err(e) => tracing::warn!(error = %e, "cannot queue the notice"),
    }
}

/// How many recipients a change of `event` reaches: those who answered Yes or Maybe (and
/// those who have not answered, with `lifecycle.update_needs_action`), or everyone for a
/// cancellation.
pub async fn reached(app: &App, event: &EventRecord, everyone: bool) -> u64 {
    let counts = app.store.count_recipients(event.id).await.unwrap_or_default();
    counts
        .iter()
        .filter(|(status, _)| {
            everyone
                || matches!(status, PartStat::Accepted | PartStat::Tentative)
                || (*status == PartStat::NeedsAction && app.config.lifecycle.update_needs_action)
        })
        .map(|(_, n)| n)
        .sum()
}
