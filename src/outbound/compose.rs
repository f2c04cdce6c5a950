//! Turning an outbox job into the message for its recipient.
//!
//! The event's stored object is read and summarized once per version (cached by ETag), so a
//! batch of 100,000 invitations parses the event once; per recipient only the templates and
//! the envelope differ. Whatever makes a job impossible to send (the event or recipient is
//! gone, the address was suppressed since it was queued) is a permanent failure with a
//! reason, never a retry loop.

use crate::app::App;
use calinvite_imip::imip::{
    EventFacts, InviteContext, InviteInput, ListUnsubscribe, Mailbox, Method, Templates, build_invite, event_summary,
};
use calinvite_storage::{EventId, Job, Store};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

pub struct Outgoing {
    pub from: String,
    pub to: String,
    pub raw: Vec<u8>,
}

#[derive(Debug, thiserror::Error)]
pub enum ComposeError {
    /// The job can never be sent; it fails with this reason.
    #[error("{0}")]
    Permanent(String),
    /// The store could not answer; try again later.
    #[error("{0}")]
    Temporary(String),
}

struct Prepared {
    etag: String,
    body: Vec<u8>,
    facts: EventFacts,
    organizer_name: String,
    custom: serde_json::Value,
}

pub struct Composer {
    store: Arc<dyn Store>,
    templates: Templates,
    from: String,
    default_organizer: String,
    public_url: String,
    message_id_domain: String,
    cache: Mutex<HashMap<EventId, Arc<Prepared>>>,
}

impl Composer {
    pub fn new(app: &App) -> Self {
        let from = app.config.mail.from.clone();
        let domain = from
            .rsplit_once('@')
            .map(|(_, d)| d.to_string())
            .unwrap_or_else(|| "localhost".into());
        Composer {
            store: app.store.clone(),
            templates: Templates::new(),
            default_organizer: app.config.mail.organizer_name.clone(),
            public_url: app.config.public_url(),
            message_id_domain: domain,
            from,
            cache: Mutex::new(HashMap::new()),
        }
    }

    pub async fn compose(&self, job: &Job) -> Result<Outgoing, ComposeError> {
        let temporary = |e: calinvite_storage::StoreError| ComposeError::Temporary(e.to_string());
        let permanent = |s: &str| ComposeError::Permanent(s.to_string());
        let (Some(event_id), Some(email)) = (job.event, job.recipient.as_deref()) else {
            return Err(permanent("the job names no event or recipient"));
        };
        if self.store.suppression(email).await.map_err(temporary)?.is_some() {
            return Err(permanent("the address is on the suppression list"));
        }
        let event = self
            .store
            .event(event_id)
            .await
            .map_err(temporary)?
            .ok_or_else(|| permanent("the event no longer exists"))?;
        let recipient = self
            .store
            .recipient(event_id, email)
            .await
            .map_err(temporary)?
            .ok_or_else(|| permanent("the recipient is no longer invited"))?;
        let prepared = self.prepared(&event).await?;
        let method = match job.method.as_str() {
            "REQUEST" => Method::Request,
            "CANCEL" => Method::Cancel,
            other => return Err(ComposeError::Permanent(format!("method {other} is not sent by mail"))),
        };
        let lang = recipient.lang.as_deref().unwrap_or("en");
        let mut ctx = InviteContext::from_facts(&prepared.facts, &prepared.organizer_name, lang, method);
        ctx.custom = prepared.custom.clone();
        let (subject, text, html) = self
            .templates
            .render(&ctx)
            .map_err(|e| ComposeError::Permanent(format!("template: {e}")))?;
        let message_id = format!("invite-{}-{}@{}", job.id.0, job.attempts, self.message_id_domain);
        let unsubscribe = format!("{}/u/{}", self.public_url, recipient.token);
        // RFC 8058 one-click needs HTTPS; on a plain-HTTP install the header is left out.
        let list_unsubscribe = unsubscribe.starts_with("https://").then_some(ListUnsubscribe {
            https_url: &unsubscribe,
            mailto: None,
        });
        let now = calinvite_storage::now();
        let invite = build_invite(&InviteInput {
            event: &prepared.body,
            method,
            sequence: job.sequence,
            recurrence_id: job.recurrence_id.as_deref(),
            organizer: Mailbox {
                email: &self.from,
                name: Some(&prepared.organizer_name),
            },
            recipient: Mailbox {
                email: &recipient.email,
                name: recipient.name.as_deref(),
            },
            dtstamp: now,
            message_id: &message_id,
            date: now,
            subject: &subject,
            text_body: &text,
            html_body: &html,
            list_unsubscribe,
        })
        .map_err(|e| ComposeError::Permanent(format!("cannot build the invitation: {e}")))?;
        Ok(Outgoing {
            from: self.from.clone(),
            to: recipient.email,
            raw: invite.raw,
        })
    }

    async fn prepared(&self, event: &calinvite_storage::EventRecord) -> Result<Arc<Prepared>, ComposeError> {
        let meta = self
            .store
            .object_meta(event.collection, &event.object_name)
            .await
            .map_err(|e| ComposeError::Temporary(e.to_string()))?
            .ok_or_else(|| ComposeError::Permanent("the event's calendar object no longer exists".into()))?;
        if let Some(p) = self.cache.lock().unwrap_or_else(|p| p.into_inner()).get(&event.id)
            && p.etag == meta.etag
        {
            return Ok(p.clone());
        }
        let object = self
            .store
            .object(event.collection, &event.object_name)
            .await
            .map_err(|e| ComposeError::Temporary(e.to_string()))?
            .ok_or_else(|| ComposeError::Permanent("the event's calendar object no longer exists".into()))?;
        let facts =
            event_summary(&object.body).map_err(|e| ComposeError::Permanent(format!("the stored event: {e}")))?;
        let organizer_name = match self.store.principal(event.owner).await {
            Ok(Some(p)) if !p.display_name.is_empty() => p.display_name,
            _ => self.default_organizer.clone(),
        };
        let custom = serde_json::from_str(&event.custom).unwrap_or(serde_json::Value::Null);
        let prepared = Arc::new(Prepared {
            etag: object.meta.etag.clone(),
            body: object.body,
            facts,
            organizer_name,
            custom,
        });
        let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        if cache.len() > 1024 {
            cache.clear();
        }
        cache.insert(event.id, prepared.clone());
        Ok(prepared)
    }
}
