//! Queueing invitations: the one step the Send API, campaign links and public pages share.
//!
//! The store adds the recipients not yet invited and their outbox jobs in one
//! transaction, and skips addresses already invited or suppressed; then idle senders are
//! woken so the mail leaves at once. Because the store skips invited addresses, a second
//! click on a link or a retried call never sends twice.

use crate::app::App;
use calinvite_storage::{EventRecord, InvitationOutcome, InvitationRequest, NewRecipient, StoreError};

/// Invites `recipients` to `event` (its current SEQUENCE) and wakes the senders when
/// anything was queued.
pub async fn queue_invitations(
    app: &App,
    event: &EventRecord,
    idempotency_key: Option<String>,
    recipients: Vec<NewRecipient>,
) -> Result<InvitationOutcome, StoreError> {
    let outcome = app
        .store
        .invite(
            event.owner,
            InvitationRequest {
                event: event.id,
                idempotency_key,
                recipients,
                method: "REQUEST".into(),
                sequence: event.sequence,
                queue: super::MAIL_QUEUE.into(),
                due_at: calinvite_storage::now(),
            },
        )
        .await?;
    if outcome.batch.queued > 0 {
        app.wake.notify_waiters();
    }
    Ok(outcome)
}
