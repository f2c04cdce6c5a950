//! The durable outbox: jobs, the due-time queue index, leases and dedupe.
//!
//! Every Pending job has exactly one entry in `(queue, due, id)`: its due time while it
//! waits, its lease expiry while leased. Leasing is therefore a range scan from the start of
//! the queue up to `now`, and an expired lease needs no sweeper: the job simply shows up as
//! due again. A second index `(lease owner, id)` lets a worker give back its leases at
//! shutdown without scanning the queue. Jobs are unique by their dedupe key, so a retried
//! request or a repeated fan-out queues nothing twice. Webhook deliveries are also indexed
//! by webhook as they are created, whichever path creates them, for the delivery log.

use super::tables::*;
use crate::error::{StoreError, StoreResult};
use crate::model::*;
use redb::{ReadTransaction, ReadableTable, Table, WriteTransaction};
use std::collections::HashMap;

/// The tables a job insert touches, opened once for a whole batch of inserts.
pub(super) struct JobWriter<'t> {
    jobs: Table<'t, u64, &'static [u8]>,
    queue: Table<'t, (&'static str, i64, u64), ()>,
    dedupe: Table<'t, &'static str, u64>,
    counters: Table<'t, &'static str, u64>,
    webhook_jobs: Table<'t, (u64, u64), ()>,
    pending: HashMap<String, i64>,
}

impl<'t> JobWriter<'t> {
    pub(super) fn open(tx: &'t WriteTransaction) -> StoreResult<Self> {
        Ok(JobWriter {
            jobs: tx.open_table(JOBS)?,
            queue: tx.open_table(JOB_QUEUE)?,
            dedupe: tx.open_table(JOB_DEDUPE)?,
            counters: tx.open_table(COUNTERS)?,
            webhook_jobs: tx.open_table(WEBHOOK_JOBS)?,
            pending: HashMap::new(),
        })
    }

    /// Creates the job unless one with its dedupe key exists; returns the new id.
    pub(super) fn insert(&mut self, new: NewJob, now: Timestamp) -> StoreResult<Option<JobId>> {
        let key = new.dedupe_key();
        if self.dedupe.get(key.as_str())?.is_some() {
            return Ok(None);
        }
        if new.queue.is_empty() {
            return Err(StoreError::Invalid("a job needs a queue name".into()));
        }
        let id = next_id(&mut self.counters, "job")?;
        if let Some(webhook) = new.webhook() {
            self.webhook_jobs.insert((webhook.0, id), ())?;
        }
        let job = Job {
            id: JobId(id),
            queue: new.queue,
            event: new.event,
            recipient: new.recipient,
            method: new.method,
            sequence: new.sequence,
            recurrence_id: new.recurrence_id,
            batch: new.batch,
            payload: new.payload,
            state: JobState::Pending,
            attempts: 0,
            due_at: new.due_at,
            lease: None,
            last_error: None,
            created_at: now,
            finished_at: None,
        };
        self.jobs.insert(id, enc(&job)?.as_slice())?;
        self.queue.insert((job.queue.as_str(), job.due_at, id), ())?;
        self.dedupe.insert(key.as_str(), id)?;
        *self.pending.entry(job.queue).or_insert(0) += 1;
        Ok(Some(JobId(id)))
    }

    /// Writes the per-queue pending counters. Must be called before the transaction commits.
    pub(super) fn close(self, tx: &WriteTransaction) -> StoreResult<()> {
        let JobWriter {
            jobs,
            queue,
            dedupe,
            counters,
            webhook_jobs,
            pending,
        } = self;
        drop((jobs, queue, dedupe, counters, webhook_jobs));
        let mut counts = tx.open_table(QUEUE_PENDING)?;
        for (q, delta) in pending {
            add_count(&mut counts, &q, delta)?;
        }
        Ok(())
    }
}

pub(super) fn enqueue(tx: &WriteTransaction, jobs: Vec<NewJob>) -> StoreResult<u64> {
    let now = crate::now();
    let mut writer = JobWriter::open(tx)?;
    let mut created = 0;
    for job in jobs {
        if writer.insert(job, now)?.is_some() {
            created += 1;
        }
    }
    writer.close(tx)?;
    Ok(created)
}

fn save(jobs: &mut Table<'_, u64, &'static [u8]>, job: &Job) -> StoreResult<()> {
    jobs.insert(job.id.0, enc(job)?.as_slice())?;
    Ok(())
}

/// The time under which a Pending job sits in the queue index.
fn queue_time(job: &Job) -> Timestamp {
    job.lease.as_ref().map_or(job.due_at, |l| l.expires_at)
}

pub(super) fn lease(
    tx: &WriteTransaction,
    queue: &str,
    owner: &str,
    max: usize,
    now: Timestamp,
    lease_seconds: i64,
) -> StoreResult<Vec<Job>> {
    if owner.is_empty() {
        return Err(StoreError::Invalid("a lease needs an owner name".into()));
    }
    let mut index = tx.open_table(JOB_QUEUE)?;
    let mut jobs = tx.open_table(JOBS)?;
    let mut leases = tx.open_table(JOB_LEASES)?;
    let due: Vec<(i64, u64)> = index
        .range((queue, i64::MIN, 0)..=(queue, now, u64::MAX))?
        .take(max)
        .map(|row| row.map(|(k, _)| (k.value().1, k.value().2)))
        .collect::<Result<_, _>>()?;
    let expires_at = now.saturating_add(lease_seconds);
    let mut out = Vec::with_capacity(due.len());
    for (at, id) in due {
        index.remove((queue, at, id))?;
        let Some(mut job) = read_rec::<Job>(jobs.get(id)?)? else {
            continue;
        };
        if job.state != JobState::Pending {
            continue;
        }
        if let Some(old) = job.lease.take() {
            leases.remove((old.owner.as_str(), id))?;
        }
        job.lease = Some(Lease {
            owner: owner.to_string(),
            expires_at,
        });
        job.attempts += 1;
        index.insert((queue, expires_at, id), ())?;
        leases.insert((owner, id), ())?;
        save(&mut jobs, &job)?;
        out.push(job);
    }
    Ok(out)
}

fn bump_batch(tx: &WriteTransaction, batch: Option<BatchId>, f: impl FnOnce(&mut Batch)) -> StoreResult<()> {
    let Some(id) = batch else { return Ok(()) };
    let mut batches = tx.open_table(BATCHES)?;
    let found: Option<Batch> = read_rec(batches.get(id.0)?)?;
    if let Some(mut b) = found {
        f(&mut b);
        batches.insert(id.0, enc(&b)?.as_slice())?;
    }
    Ok(())
}

pub(super) fn finish(
    tx: &WriteTransaction,
    id: JobId,
    owner: &str,
    result: JobResult,
    now: Timestamp,
) -> StoreResult<Job> {
    let mut jobs = tx.open_table(JOBS)?;
    let mut job: Job = read_rec(jobs.get(id.0)?)?.ok_or_else(|| StoreError::not_found(format!("job {id}")))?;
    let lease_lost = || StoreError::LeaseLost {
        job: id.0,
        owner: owner.to_string(),
    };
    if job.state != JobState::Pending {
        return Err(lease_lost());
    }
    let at = queue_time(&job);
    match job.lease.take() {
        Some(lease) if lease.owner == owner => {}
        other => {
            job.lease = other;
            return Err(lease_lost());
        }
    }
    tx.open_table(JOB_LEASES)?.remove((owner, id.0))?;
    let mut index = tx.open_table(JOB_QUEUE)?;
    index.remove((job.queue.as_str(), at, id.0))?;
    let still_pending = match result {
        JobResult::Done => {
            job.state = JobState::Done;
            job.finished_at = Some(now);
            false
        }
        JobResult::Retry { retry_at, error } => {
            job.due_at = retry_at;
            job.last_error = Some(error);
            index.insert((job.queue.as_str(), retry_at, id.0), ())?;
            true
        }
        JobResult::Failed { error } => {
            job.state = JobState::Failed;
            job.last_error = Some(error);
            job.finished_at = Some(now);
            false
        }
    };
    drop(index);
    save(&mut jobs, &job)?;
    drop(jobs);
    if !still_pending {
        add_count(&mut tx.open_table(QUEUE_PENDING)?, &job.queue, -1)?;
    }
    let state = job.state;
    if let (Some(event), Some(email)) = (job.event, job.recipient.as_deref()) {
        let delivery = match (state, still_pending) {
            (_, true) => DeliveryState::Deferred,
            (JobState::Done, _) => DeliveryState::Sent,
            _ => DeliveryState::Failed,
        };
        // The recipient may be gone (event deleted); the job's outcome still counts.
        match super::recipients::set_delivery(tx, event, email, delivery) {
            Ok(()) | Err(StoreError::NotFound { .. }) => {}
            Err(e) => return Err(e),
        }
    }
    bump_batch(tx, job.batch, |b| match (state, still_pending) {
        (_, true) => b.deferred += 1,
        (JobState::Done, _) => b.sent += 1,
        _ => b.failed += 1,
    })?;
    Ok(job)
}

pub(super) fn release(tx: &WriteTransaction, owner: &str, now: Timestamp) -> StoreResult<u64> {
    let mut leases = tx.open_table(JOB_LEASES)?;
    let ids: Vec<u64> = leases
        .range((owner, 0)..=(owner, u64::MAX))?
        .map(|row| row.map(|(k, _)| k.value().1))
        .collect::<Result<_, _>>()?;
    let mut jobs = tx.open_table(JOBS)?;
    let mut index = tx.open_table(JOB_QUEUE)?;
    let mut released = 0;
    for id in ids {
        leases.remove((owner, id))?;
        let Some(mut job) = read_rec::<Job>(jobs.get(id)?)? else {
            continue;
        };
        let held = job.state == JobState::Pending && job.lease.as_ref().is_some_and(|l| l.owner == owner);
        if !held {
            continue;
        }
        index.remove((job.queue.as_str(), queue_time(&job), id))?;
        job.lease = None;
        job.due_at = now;
        index.insert((job.queue.as_str(), now, id), ())?;
        save(&mut jobs, &job)?;
        released += 1;
    }
    Ok(released)
}

pub(super) fn get(tx: &ReadTransaction, id: JobId) -> StoreResult<Option<Job>> {
    read_rec(tx.open_table(JOBS)?.get(id.0)?)
}

pub(super) fn pending(tx: &ReadTransaction, queue: &str) -> StoreResult<u64> {
    Ok(get_u64(&tx.open_table(QUEUE_PENDING)?, queue)?.unwrap_or(0))
}
