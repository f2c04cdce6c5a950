//! Group commit of job outcomes: senders hand in (job, outcome) and wait for the
//! acknowledgement; one task commits everything that arrived meanwhile in one store
//! transaction. With N connections the cost of a disk sync is shared by up to N messages.
//! Jobs that reached a final state are then reported to webhooks (`invite.delivered`,
//! `invite.failed`).

use calinvite_storage::{Job, JobId, JobResult, JobState, Store, StoreError};
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot};

type Ack = oneshot::Sender<Result<(), String>>;

#[derive(Clone)]
pub struct Finisher {
    tx: mpsc::Sender<(JobId, JobResult, Ack)>,
}

impl Finisher {
    pub fn spawn(store: Arc<dyn Store>, owner: String) -> (Finisher, tokio::task::JoinHandle<()>) {
        let (tx, mut rx) = mpsc::channel::<(JobId, JobResult, Ack)>(4096);
        let task = tokio::spawn(async move {
            while let Some(first) = rx.recv().await {
                let mut batch = vec![first];
                while batch.len() < 1024 {
                    match rx.try_recv() {
                        Ok(item) => batch.push(item),
                        Err(_) => break,
                    }
                }
                let (results, acks): (Vec<_>, Vec<_>) = batch.into_iter().map(|(id, r, ack)| ((id, r), ack)).unzip();
                let now = calinvite_storage::now();
                match store.finish_jobs(&owner, results, now).await {
                    Ok(outcomes) => {
                        let finished: Vec<Job> = outcomes
                            .iter()
                            .filter_map(|o| o.as_ref().ok())
                            .filter(|j| j.state != JobState::Pending)
                            .cloned()
                            .collect();
                        if !finished.is_empty() {
                            // Off the commit path: reporting outcomes never slows sending.
                            let store = store.clone();
                            tokio::spawn(async move { crate::webhooks::mail_outcomes(store.as_ref(), finished).await });
                        }
                        for (outcome, ack) in outcomes.into_iter().zip(acks) {
                            let _ = ack.send(outcome.map(|_| ()).map_err(|e: StoreError| e.to_string()));
                        }
                    }
                    Err(e) => {
                        tracing::error!(error = %e, "recording job outcomes failed; the jobs will be retried when their leases expire");
                        for ack in acks {
                            let _ = ack.send(Err(e.to_string()));
                        }
                    }
                }
            }
        });
        (Finisher { tx }, task)
    }

    /// Records an outcome and waits until it is committed.
    pub async fn finish(&self, id: JobId, result: JobResult) -> Result<(), String> {
        let (ack, done) = oneshot::channel();
        self.tx
            .send((id, result, ack))
            .await
            .map_err(|_| "the finisher stopped".to_string())?;
        done.await.map_err(|_| "the finisher stopped".to_string())?
    }
}
