//! The writes that ride along with an object write.
//!
//! A PUT of an organizer's event must register the event, queue its messages and fan them
//! out to the recipients in the same transaction as the object itself: if any part fails
//! (a precondition, a UID conflict), nothing is written, and a crash can never leave an
//! updated calendar object whose invitations were never queued.

use super::outbox::JobWriter;
use super::{events, pending, recipients};
use crate::error::{StoreError, StoreResult};
use crate::model::*;
use redb::WriteTransaction;

pub(super) fn apply(tx: &WriteTransaction, fx: Effects) -> StoreResult<EffectsOutcome> {
    let event = fx.event.map(|up| events::upsert(tx, up)).transpose()?;
    let mut jobs_created = 0;
    if !fx.jobs.is_empty() {
        let now = crate::now();
        let mut writer = JobWriter::open(tx)?;
        for job in fx.jobs {
            if writer.insert(job, now)?.is_some() {
                jobs_created += 1;
            }
        }
        writer.close(tx)?;
    }
    if let Some(fan) = fx.fan_out {
        let target = fan
            .event
            .or(event.as_ref().map(|e| e.id))
            .ok_or_else(|| StoreError::Invalid("a fan-out names no event and the effects upsert none".into()))?;
        jobs_created += recipients::fan_out(tx, target, &fan)?;
    }
    if let Some(hold) = fx.hold {
        pending::hold(tx, hold)?;
    }
    if let Some(invite) = fx.invite.filter(|i| !i.recipients.is_empty()) {
        let target = invite
            .event
            .or(event.as_ref().map(|e| e.id))
            .ok_or_else(|| StoreError::Invalid("an invitation names no event and the effects upsert none".into()))?;
        let owner = events::load(tx, target)?.owner;
        let outcome = recipients::invite(
            tx,
            owner,
            InvitationRequest {
                event: target,
                idempotency_key: None,
                recipients: invite.recipients,
                method: invite.method,
                sequence: invite.sequence,
                queue: invite.queue,
                due_at: invite.due_at,
            },
        )?;
        jobs_created += outcome.batch.queued;
    }
    Ok(EffectsOutcome { event, jobs_created })
}
