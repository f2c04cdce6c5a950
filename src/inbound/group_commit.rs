//! Group commit for the inbound path.
//!
//! Every message costs three durable writes (keep the raw message, record the answer,
//! record the outcome), and each durable write waits for the disk to sync: done one by
//! one, a burst of replies is bounded by sync latency (about 200 messages/s here), not by
//! work. Messages arriving together (Postfix delivers over many LMTP connections, a
//! provider posts webhooks in parallel) are therefore written together: whoever comes
//! while a batch is being committed joins the next one, so a batch grows with the load
//! and an idle server still writes a lone message at once. Each message keeps its own
//! result; a batch never makes one message's failure another's.

use calinvite_storage::{
    EventId, InboundId, InboundOutcome, InboundStored, NewInbound, RsvpEntry, RsvpOutcome, Store, StoreError,
    StoreResult,
};
use std::future::Future;
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot};

/// Most items in one transaction: bounds the time one commit holds the writer.
const MAX_BATCH: usize = 256;

type Reply<R> = oneshot::Sender<StoreResult<R>>;

/// A queue whose items are written in batches by one task.
struct Batcher<Req, Resp> {
    tx: mpsc::Sender<(Req, Reply<Resp>)>,
}

impl<Req: Send + 'static, Resp: Send + 'static> Batcher<Req, Resp> {
    fn spawn<F, Fut>(write: F) -> Self
    where
        F: Fn(Vec<Req>) -> Fut + Send + 'static,
        Fut: Future<Output = StoreResult<Vec<StoreResult<Resp>>>> + Send,
    {
        let (tx, mut rx) = mpsc::channel::<(Req, Reply<Resp>)>(MAX_BATCH * 4);
        tokio::spawn(async move {
            while let Some(first) = rx.recv().await {
                let mut batch = vec![first];
                while batch.len() < MAX_BATCH {
                    match rx.try_recv() {
                        Ok(item) => batch.push(item),
                        Err(_) => break,
                    }
                }
                let (items, replies): (Vec<Req>, Vec<Reply<Resp>>) = batch.into_iter().unzip();
                let size = items.len();
                match write(items).await {
                    Ok(results) => {
                        for (result, reply) in results.into_iter().zip(replies) {
                            let _ = reply.send(result);
                        }
                    }
                    Err(e) => {
                        tracing::error!(error = %e, size, "an inbound batch could not be written");
                        let message = e.to_string();
                        for reply in replies {
                            let _ = reply.send(Err(StoreError::Engine(message.clone())));
                        }
                    }
                }
            }
        });
        Batcher { tx }
    }

    async fn call(&self, req: Req) -> StoreResult<Resp> {
        let (reply, answer) = oneshot::channel();
        self.tx
            .send((req, reply))
            .await
            .map_err(|_| StoreError::Engine("the inbound writer has stopped".into()))?;
        answer
            .await
            .map_err(|_| StoreError::Engine("the inbound writer dropped a write".into()))?
    }
}

/// The three inbound writes, each batched.
pub struct InboundWrites {
    keep: Batcher<NewInbound, InboundStored>,
    answer: Batcher<(EventId, String, RsvpEntry), RsvpOutcome>,
    outcome: Batcher<(InboundId, InboundOutcome), ()>,
}

impl InboundWrites {
    /// Starts the writers; needs a tokio runtime.
    pub fn spawn(store: Arc<dyn Store>) -> Self {
        let (s1, s2, s3) = (store.clone(), store.clone(), store);
        InboundWrites {
            keep: Batcher::spawn(move |items| {
                let store = s1.clone();
                async move { Ok(store.store_inbound_many(items).await?.into_iter().map(Ok).collect()) }
            }),
            answer: Batcher::spawn(move |items| {
                let store = s2.clone();
                async move { store.record_rsvps(items).await }
            }),
            outcome: Batcher::spawn(move |items| {
                let store = s3.clone();
                async move { store.set_inbound_outcomes(items, calinvite_storage::now()).await }
            }),
        }
    }

    /// `Store::store_inbound`, batched: durable when it returns.
    pub async fn keep(&self, message: NewInbound) -> StoreResult<InboundStored> {
        self.keep.call(message).await
    }

    /// `Store::record_rsvp`, batched.
    pub async fn answer(&self, event: EventId, email: &str, entry: RsvpEntry) -> StoreResult<RsvpOutcome> {
        self.answer.call((event, email.to_string(), entry)).await
    }

    /// `Store::set_inbound_outcome`, batched.
    pub async fn outcome(&self, id: InboundId, outcome: InboundOutcome) -> StoreResult<()> {
        self.outcome.call((id, outcome)).await
    }
}
