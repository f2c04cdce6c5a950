//! The delivery workers: lease `webhook` jobs from the durable queue, POST each one signed,
//! and record the outcome: a 2xx answer is done; anything else (another status, a refused
//! connection, a timeout) is retried after `retry_base_seconds`, doubling each time, until
//! `max_attempts`, then failed with the last error, which the delivery log shows.
//!
//! The HTTP client is ureq, run on tokio's blocking pool. It is already in the build (the
//! `calinvite send` command uses it), brings rustls with web PKI roots for `https://`
//! receivers, and has whole-request timeouts built in; a hyper client would need a TLS
//! connector, root certificates and timeout plumbing written here for no gain: deliveries
//! are one short request each, a few at a time, and a blocked thread costs nothing the
//! async runtime needs. Redirects are not followed: a receiver that moved must be updated
//! by its owner, not chased with a signed body.
//!
//! One dispatcher leases due jobs into a few delivery slots, so one receiver that answers
//! slowly (up to the timeout) does not hold up deliveries to the others. On shutdown the
//! deliveries in flight finish and are recorded; leases still held are released by `serve`.

use super::Delivery;
use super::sign::signature;
use crate::app::App;
use calinvite_storage::{Job, JobResult, WEBHOOK_QUEUE};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::watch;
use tokio::task::{JoinHandle, JoinSet};
use tracing::Instrument;

/// Deliveries in flight at once.
const CONCURRENCY: usize = 4;
/// How long a lease lasts before another worker may take the job (after a crash).
const LEASE_SECONDS: i64 = 300;
/// How often an idle dispatcher looks at the queue. Looking is a read; only when jobs are
/// pending does it lease (a write), so an idle server does no disk syncs.
const IDLE: Duration = Duration::from_millis(250);
/// With jobs pending but none due (retries waiting), leasing is tried this often; due
/// times are whole seconds, so more often would find nothing new.
const RETRY_POLL: Duration = Duration::from_secs(1);
/// The longest wait between two attempts.
const MAX_DELAY_SECONDS: i64 = 6 * 3600;

/// Starts the dispatcher. It stops when `stop` turns true, after the deliveries in flight
/// have finished and been recorded.
pub fn spawn(app: Arc<App>, stop: watch::Receiver<bool>) -> JoinHandle<()> {
    let timeout = Duration::from_secs(app.config.webhooks.timeout_seconds);
    let config = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .max_redirects_will_error(false)
        .timeout_global(Some(timeout))
        .user_agent(concat!("calinvite-webhooks/", env!("CARGO_PKG_VERSION")))
        .build();
    // Only public addresses, checked as the client resolves (see `guard`).
    let agent = ureq::Agent::with_parts(
        config,
        ureq::unversioned::transport::DefaultConnector::default(),
        super::guard::PublicOnly::new(app.config.webhooks.allow_private_addresses),
    );
    let deliverer = Arc::new(Deliverer { app, agent });
    tokio::spawn(dispatch(deliverer, stop).instrument(tracing::info_span!("webhooks")))
}

/// Leases due jobs whenever a delivery slot is free and runs each in its own task, so one
/// slow receiver holds one slot, not the queue.
async fn dispatch(deliverer: Arc<Deliverer>, mut stop: watch::Receiver<bool>) {
    let app = deliverer.app.clone();
    let mut running = JoinSet::new();
    // The pending count when a lease last found nothing due: until it changes (a new job)
    // or RETRY_POLL passes, leasing again would find nothing either.
    let mut idle_at: Option<(u64, Instant)> = None;
    while !*stop.borrow() {
        let free = CONCURRENCY.saturating_sub(running.len());
        if free > 0 {
            let pending = app.store.pending_jobs(WEBHOOK_QUEUE).await.unwrap_or(1);
            let unchanged = idle_at.is_some_and(|(n, at)| n == pending && at.elapsed() < RETRY_POLL);
            if pending > 0 && !unchanged {
                let now = calinvite_storage::now();
                match app
                    .store
                    .lease_jobs(WEBHOOK_QUEUE, &app.instance, free, now, LEASE_SECONDS)
                    .await
                {
                    Ok(jobs) if jobs.is_empty() => idle_at = Some((pending, Instant::now())),
                    Ok(jobs) => {
                        idle_at = None;
                        for job in jobs {
                            running.spawn(deliverer.clone().run(job));
                        }
                    }
                    Err(e) => {
                        tracing::error!(error = %e, "cannot lease webhook deliveries");
                        idle_at = Some((pending, Instant::now()));
                    }
                }
            }
        }
        tokio::select! {
            Some(_) = running.join_next(), if !running.is_empty() => {}
            _ = app.wake.notified() => idle_at = None,
            _ = tokio::time::sleep(IDLE) => {}
            _ = stop.changed() => {}
        }
    }
    while running.join_next().await.is_some() {}
}

struct Deliverer {
    app: Arc<App>,
    agent: ureq::Agent,
}

impl Deliverer {
    /// Delivers one job and records its outcome, in the job's own span.
    async fn run(self: Arc<Self>, job: Job) {
        let span = tracing::info_span!(
            "webhook_delivery",
            job = job.id.0,
            webhook = job.webhook().map(|w| w.0).unwrap_or(0),
            event_type = %job.method,
            attempt = job.attempts,
            delivery = tracing::field::Empty
        );
        let result = self.deliver(&job).instrument(span.clone()).await;
        let finished = self
            .app
            .store
            .finish_job(job.id, &self.app.instance, result, calinvite_storage::now())
            .await;
        if let Err(e) = finished {
            span.in_scope(|| tracing::warn!(error = %e, "delivery outcome not recorded"));
        }
    }

    async fn deliver(&self, job: &Job) -> JobResult {
        let (Some(webhook), Some(delivery)) = (job.webhook(), Delivery::decode(job)) else {
            return JobResult::Failed {
                error: "not a webhook delivery this version can read".into(),
            };
        };
        let owner = calinvite_storage::PrincipalId(delivery.owner);
        let hook = match self.app.store.webhook(owner, webhook).await {
            Ok(Some(h)) => h,
            Ok(None) => {
                tracing::info!("the webhook was deleted; not delivered");
                return JobResult::Failed {
                    error: "the webhook was deleted".into(),
                };
            }
            Err(e) => return self.retry(job, format!("store error: {e}")),
        };
        tracing::Span::current().record("delivery", delivery.id.as_str());
        let timestamp = calinvite_storage::now();
        let signed = match signature(&hook.secret, &delivery.id, timestamp, delivery.body.as_bytes()) {
            Ok(s) => s,
            Err(e) => return JobResult::Failed { error: e.to_string() },
        };
        let agent = self.agent.clone();
        let url = hook.url.clone();
        let sent = tokio::task::spawn_blocking(move || {
            agent
                .post(&url)
                .header("content-type", "application/json")
                .header("webhook-id", &delivery.id)
                .header("webhook-timestamp", timestamp.to_string())
                .header("webhook-signature", &signed)
                .send(delivery.body.as_bytes())
                .map(|resp| resp.status().as_u16())
        })
        .await;
        match sent {
            Ok(Ok(status)) if (200..300).contains(&status) => {
                tracing::info!(status, url = %hook.url, "webhook delivered");
                JobResult::Done
            }
            Ok(Ok(status)) => {
                tracing::info!(status, url = %hook.url, "webhook receiver did not accept the delivery");
                self.retry(job, format!("HTTP {status} from {}", hook.url))
            }
            Ok(Err(e)) => {
                tracing::info!(error = %e, url = %hook.url, "webhook receiver not reached");
                self.retry(job, format!("{} ({e})", hook.url))
            }
            Err(e) => self.retry(job, format!("the delivery was interrupted: {e}")),
        }
    }

    /// Backoff: `retry_base_seconds`, doubled for every attempt already made, capped.
    fn retry(&self, job: &Job, error: String) -> JobResult {
        let config = &self.app.config.webhooks;
        if job.attempts >= config.max_attempts {
            return JobResult::Failed {
                error: format!("gave up after {} attempts: {error}", job.attempts),
            };
        }
        JobResult::Retry {
            retry_at: calinvite_storage::now() + backoff(config.retry_base_seconds, job.attempts),
            error,
        }
    }
}

/// The wait before the next attempt, after `attempts` attempts (the first retry waits
/// `base`).
fn backoff(base: u64, attempts: u32) -> i64 {
    let base = i64::try_from(base.max(1)).unwrap_or(MAX_DELAY_SECONDS);
    base.saturating_mul(1i64 << attempts.saturating_sub(1).min(30))
        .min(MAX_DELAY_SECONDS)
}

#[cfg(test)]
mod tests {
    use super::backoff;

    #[test]
    fn backoff_doubles_from_the_base_and_is_capped() {
        assert_eq!(backoff(10, 1), 10);
        assert_eq!(backoff(10, 2), 20);
        assert_eq!(backoff(10, 5), 160);
        assert_eq!(backoff(10, 40), 6 * 3600);
        assert_eq!(backoff(0, 1), 1, "a zero base still waits");
    }
}
