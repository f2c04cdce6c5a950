//! Inbound mail: the pipeline every received message takes, and the ways in (the
//! webhook in the API, the LMTP listener, the IMAP poller).

pub mod group_commit;
pub mod imap;
pub mod lmtp;
pub mod notify;
pub mod pipeline;
pub mod reply_token;

use crate::app::App;
use async_trait::async_trait;
use lmtp::{Deliver, DeliverError};
use std::sync::Arc;

/// LMTP deliveries go into the pipeline; the MTA gets 250 only once the message is kept.
pub struct PipelineDelivery {
    pub app: Arc<App>,
}

#[async_trait]
impl Deliver for PipelineDelivery {
    async fn deliver(&self, raw: Vec<u8>, _mail_from: &str, _recipients: &[String]) -> Result<(), DeliverError> {
        crate::inbound::pipeline::receive(&self.app, raw, "lmtp")
            .await
            .map(|_| ())
            .map_err(|e| DeliverError::Temporary(e.to_string()))
    }
}
