//! The sender workers: `smtp.max_connections` tasks, each with its own SMTP connection.
//!
//! A task leases a few jobs, and for each: waits for the shared rate limit, builds the
//! message, sends it, and waits until its outcome is committed before the next one. A 4xx
//! reply or a broken connection is retried later with exponential backoff; a 5xx reply
//! fails the job with the server's words. On shutdown a task finishes the message it is
//! sending and stops; the jobs it still holds are released by `serve`.

use super::MAIL_QUEUE;
use super::compose::{ComposeError, Composer};
use super::finisher::Finisher;
use super::rate::RateLimit;
use super::smtp::Connector;
use crate::app::App;
use calinvite_storage::{Job, JobResult};
use lettre::address::{Address, Envelope};
use lettre::transport::smtp::client::AsyncSmtpConnection;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Notify, watch};
use tokio::task::JoinHandle;
use tracing::Instrument;

/// Jobs one task leases at a time.
const LEASE_BATCH: usize = 32;
/// How long a lease lasts before another worker may take the job (after a crash).
const LEASE_SECONDS: i64 = 300;
/// A connection unused for longer is checked with NOOP before it is used again.
const IDLE_CHECK: Duration = Duration::from_secs(20);
/// After this many attempts a job fails for good.
const MAX_ATTEMPTS: u32 = 12;

pub struct Senders {
    pub tasks: Vec<JoinHandle<()>>,
    pub finisher: JoinHandle<()>,
}

pub fn spawn(app: Arc<App>, stop: watch::Receiver<bool>) -> Option<Senders> {
    let smtp = &app.config.smtp;
    if smtp.host.is_empty() {
        tracing::warn!("smtp.host is empty: invitations are queued but not sent");
        return None;
    }
    let hello = app.config.mail.domain();
    let connector = Arc::new(Connector::new(smtp, &hello));
    let rate = Arc::new(RateLimit::new(smtp.rate_per_second));
    let composer = Arc::new(Composer::new(&app));
    let (finisher, finisher_task) = Finisher::spawn(app.store.clone(), app.instance.clone());
    let wake = app.wake.clone();
    let tasks = (0..smtp.max_connections)
        .map(|n| {
            let worker = Worker {
                app: app.clone(),
                connector: connector.clone(),
                rate: rate.clone(),
                composer: composer.clone(),
                finisher: finisher.clone(),
                wake: wake.clone(),
                stop: stop.clone(),
                conn: None,
                last_used: std::time::Instant::now(),
            };
            tokio::spawn(worker.run().instrument(tracing::info_span!("sender", n)))
        })
        .collect();
    if !app.config.public_url().starts_with("https://") {
        tracing::warn!(
            "server.public_url is not https: invitations go out without a one-click List-Unsubscribe header (RFC 8058 requires HTTPS)"
        );
    }
    tracing::info!(host = %smtp.host, port = smtp.port, connections = smtp.max_connections, "senders started");
    Some(Senders {
        tasks,
        finisher: finisher_task,
    })
}

struct Worker {
    app: Arc<App>,
    connector: Arc<Connector>,
    rate: Arc<RateLimit>,
    composer: Arc<Composer>,
    finisher: Finisher,
    wake: Arc<Notify>,
    stop: watch::Receiver<bool>,
    conn: Option<AsyncSmtpConnection>,
    last_used: std::time::Instant,
}

impl Worker {
    async fn run(mut self) {
        let idle = Duration::from_millis(500);
        while !*self.stop.borrow() {
            let now = calinvite_storage::now();
            let jobs = match self
                .app
                .store
                .lease_jobs(MAIL_QUEUE, &self.app.instance, LEASE_BATCH, now, LEASE_SECONDS)
                .await
            {
                Ok(jobs) => jobs,
                Err(e) => {
                    tracing::error!(error = %e, "cannot lease jobs");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    continue;
                }
            };
            if jobs.is_empty() {
                tokio::select! {
                    _ = self.wake.notified() => {}
                    _ = tokio::time::sleep(idle) => {}
                    _ = self.stop.changed() => {}
                }
                continue;
            }
            for job in jobs {
                if *self.stop.borrow() {
                    break;
                }
                let span = tracing::info_span!("job", id = job.id.0, recipient = job.recipient.as_deref().unwrap_or(""), method = %job.method, attempt = job.attempts);
                let result = self.deliver(&job).instrument(span.clone()).await;
                if let Err(e) = self.finisher.finish(job.id, result).instrument(span.clone()).await {
                    span.in_scope(|| tracing::warn!(error = %e, "job outcome not recorded"));
                }
            }
        }
        if let Some(mut c) = self.conn.take() {
            let _ = c.quit().await;
        }
    }

    async fn deliver(&mut self, job: &Job) -> JobResult {
        let out = match self.composer.compose(job).await {
            Ok(o) => o,
            Err(ComposeError::Permanent(reason)) => {
                tracing::warn!(%reason, "invitation cannot be sent");
                return JobResult::Failed { error: reason };
            }
            Err(ComposeError::Temporary(reason)) => return self.retry(job, reason),
            Err(ComposeError::Superseded(reason)) => {
                tracing::info!(%reason, "not sent: a later version is queued for this recipient");
                return JobResult::Done;
            }
        };
        let envelope = match (out.from.parse::<Address>(), out.to.parse::<Address>()) {
            (Ok(from), Ok(to)) => match Envelope::new(Some(from), vec![to]) {
                Ok(e) => e,
                Err(e) => {
                    return JobResult::Failed {
                        error: format!("envelope: {e}"),
                    };
                }
            },
            _ => {
                return JobResult::Failed {
                    error: format!("address {} cannot be used in SMTP", out.to),
                };
            }
        };
        self.rate.acquire().await;
        // A connection idle for a while may have been closed by the server: check first.
        if self.last_used.elapsed() > IDLE_CHECK
            && let Some(c) = self.conn.as_mut()
            && !c.test_connected().await
            && let Some(mut c) = self.conn.take()
        {
            c.abort().await;
        }
        self.last_used = std::time::Instant::now();
        if self.conn.as_ref().is_none_or(|c| c.has_broken()) {
            match self.connector.connect().await {
                Ok(c) => self.conn = Some(c),
                Err(e) => {
                    tracing::warn!(error = %e, "SMTP connection failed");
                    // Do not hammer a server that is down.
                    tokio::time::sleep(Duration::from_millis(500)).await;
                    return self.retry(job, e.to_string());
                }
            }
        }
        let Some(conn) = self.conn.as_mut() else {
            return self.retry(job, "no SMTP connection".into());
        };
        match conn.send(&envelope, &out.raw).await {
            Ok(response) => {
                tracing::debug!(code = %response.code(), "accepted by the SMTP server");
                JobResult::Done
            }
            Err(e) if e.is_permanent() => {
                tracing::warn!(error = %e, "rejected by the SMTP server");
                JobResult::Failed { error: e.to_string() }
            }
            Err(e) => {
                if !e.is_transient() {
                    // A broken connection rather than a reply: start a fresh one.
                    if let Some(mut c) = self.conn.take() {
                        c.abort().await;
                    }
                }
                tracing::info!(error = %e, "delivery deferred");
                self.retry(job, e.to_string())
            }
        }
    }

    fn retry(&self, job: &Job, error: String) -> JobResult {
        if job.attempts >= MAX_ATTEMPTS {
            return JobResult::Failed {
                error: format!("gave up after {} attempts: {error}", job.attempts),
            };
        }
        let base = self.app.config.smtp.retry_base_seconds.max(1) as i64;
        let delay = base
            .saturating_mul(1i64 << job.attempts.saturating_sub(1).min(12))
            .min(6 * 3600);
        JobResult::Retry {
            retry_at: calinvite_storage::now() + delay,
            error,
        }
    }
}
