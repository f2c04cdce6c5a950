//! Turning an outbox job into the message for its recipient.
//!
//! The event's stored object is read and summarized once per version (cached by ETag), so a
//! batch of 100,000 invitations parses the event once; per recipient only the templates and
//! the envelope differ. Whatever makes a job impossible to send (the event or recipient is
//! gone, the address was suppressed since it was queued) is a permanent failure with a
//! reason, never a retry loop.

use crate::app::App;
use calinvite_imip::imip::{
    EventFacts, InviteContext, InviteInput, ListUnsubscribe, Mailbox, Method, RsvpLinks, Templates, build_invite,
    event_summary,
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
    /// A later version was queued for this recipient: this one is not sent.
    #[error("{0}")]
    Superseded(String),
}

struct Prepared {
    etag: String,
    body: Vec<u8>,
    facts: EventFacts,
    organizer_name: String,
    custom: serde_json::Value,
    /// Subject and bodies depend on the event version, the language, the method and the
    /// templates, never on the recipient: rendered once per combination.
    rendered: Mutex<HashMap<RenderKey, RenderedEntry>>,
}

/// The templates that rendered an entry are kept with it (see [`RenderKey`]).
type RenderedEntry = (Arc<Templates>, Arc<Rendered>);

/// Language, method, and the templates' address: the entry holds the templates' `Arc`, so
/// the address cannot be reused by other templates while the entry exists.
type RenderKey = (String, Method, usize);
type Rendered = (String, String, String);

/// A calendar's own invitation templates are WebDAV properties of the calendar, so they
/// are set with PROPPATCH like any other calendar property.
pub const TEXT_TEMPLATE_PROP: &str = "{urn:calinvite}invite-text-template";
pub const HTML_TEMPLATE_PROP: &str = "{urn:calinvite}invite-html-template";

type TemplateKey = (Option<String>, Option<String>);

/// Stands for the recipient's token in the shared rendered texts; letters only, so HTML
/// escaping leaves it as it is.
const RSVP_TOKEN_PLACEHOLDER: &str = "CALINVITERSVPTOKENPLACEHOLDER";

pub struct Composer {
    store: Arc<dyn Store>,
    templates: Arc<Templates>,
    from: String,
    /// `mail.reply_tokens`: each invitation's ORGANIZER carries the recipient's tag.
    reply_tokens: bool,
    default_organizer: String,
    public_url: String,
    message_id_domain: String,
    cache: Mutex<HashMap<EventId, Arc<Prepared>>>,
    calendar_templates: Mutex<HashMap<TemplateKey, Arc<Templates>>>,
}

impl Composer {
    pub fn new(app: &App) -> Self {
        let from = app.config.mail.from.clone();
        let domain = app.config.mail.domain();
        Composer {
            store: app.store.clone(),
            templates: Arc::new(Templates::new()),
            default_organizer: app.config.mail.organizer_name.clone(),
            reply_tokens: app.config.mail.reply_tokens,
            public_url: app.config.public_url(),
            message_id_domain: domain,
            from,
            cache: Mutex::new(HashMap::new()),
            calendar_templates: Mutex::new(HashMap::new()),
        }
    }

    pub async fn compose(&self, job: &Job) -> Result<Outgoing, ComposeError> {
        let temporary = |e: calinvite_storage::StoreError| ComposeError::Temporary(e.to_string());
        let permanent = |s: &str| ComposeError::Permanent(s.to_string());
        // A notice to an organizer is queued as the finished message.
        if job.method == crate::inbound::notify::NOTICE_METHOD {
            let to = job
                .recipient
                .clone()
                .ok_or_else(|| permanent("the notice names no recipient"))?;
            return Ok(Outgoing {
                from: self.from.clone(),
                to,
                raw: job.payload.clone(),
            });
        }
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
        // REFRESH (RFC 5546 §3.2.6): the recipient asked for the current version again.
        let refresh = job.method == "REFRESH";
        let method = match job.method.as_str() {
            "REQUEST" | "REFRESH" => Method::Request,
            "CANCEL" => Method::Cancel,
            other => return Err(ComposeError::Permanent(format!("method {other} is not sent by mail"))),
        };
        // Coalescing: an update that a later one for this recipient replaced is skipped;
        // an invitation still waiting always carries the event's current version.
        let sequence = match method {
            Method::Request if refresh => event.sequence,
            Method::Request if job.sequence < event.sequence && recipient.sequence_sent > job.sequence => {
                return Err(ComposeError::Superseded(format!(
                    "SEQUENCE {} was superseded by {}",
                    job.sequence, recipient.sequence_sent
                )));
            }
            Method::Request => job.sequence.max(event.sequence),
            Method::Cancel => job.sequence,
        };
        if method == Method::Request && event.cancelled {
            return Err(permanent("the event was cancelled"));
        }
        // A CANCEL carries the event's last version: the object may be gone by now.
        let prepared = if job.payload.is_empty() {
            self.prepared(&event).await?
        } else {
            Arc::new(self.prepare(&event, String::new(), job.payload.clone()).await?)
        };
        let lang = recipient.lang.as_deref().unwrap_or("en");
        let mut ctx = InviteContext::from_facts(&prepared.facts, &prepared.organizer_name, lang, method);
        ctx.custom = prepared.custom.clone();
        // Rendered texts are shared by every recipient of a version; the answer links are
        // rendered with a placeholder and each recipient's token is put in after.
        let rsvp_base = format!("{}/r/{RSVP_TOKEN_PLACEHOLDER}", self.public_url);
        ctx.rsvp = Some(RsvpLinks {
            accepted: format!("{rsvp_base}?a=accepted"),
            declined: format!("{rsvp_base}?a=declined"),
            tentative: format!("{rsvp_base}?a=tentative"),
        });
        let templates = self.templates_for(event.collection).await?;
        let key: RenderKey = (lang.to_string(), method, Arc::as_ptr(&templates) as usize);
        let cached = prepared
            .rendered
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&key)
            .map(|(_, r)| r.clone());
        let rendered = match cached {
            Some(r) => r,
            None => {
                let r = Arc::new(
                    templates
                        .render(&ctx)
                        .map_err(|e| ComposeError::Permanent(format!("template: {e}")))?,
                );
                prepared
                    .rendered
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .insert(key, (templates.clone(), r.clone()));
                r
            }
        };
        let subject = &rendered.0;
        let text = &rendered.1.replace(RSVP_TOKEN_PLACEHOLDER, &recipient.token);
        let html = &rendered.2.replace(RSVP_TOKEN_PLACEHOLDER, &recipient.token);
        let message_id = format!("invite-{}-{}@{}", job.id.0, job.attempts, self.message_id_domain);
        let unsubscribe = format!("{}/u/{}", self.public_url, recipient.token);
        // RFC 8058 one-click needs HTTPS; on a plain-HTTP install the header is left out.
        let list_unsubscribe = unsubscribe.starts_with("https://").then_some(ListUnsubscribe {
            https_url: &unsubscribe,
            mailto: None,
        });
        let now = calinvite_storage::now();
        let tagged = if self.reply_tokens {
            crate::inbound::reply_token::reply_address(&self.from, &recipient.token)
        } else {
            None
        };
        let invite = build_invite(&InviteInput {
            event: &prepared.body,
            method,
            sequence,
            recurrence_id: job.recurrence_id.as_deref(),
            organizer: Mailbox {
                email: tagged.as_deref().unwrap_or(&self.from),
                name: Some(&prepared.organizer_name),
            },
            recipient: Mailbox {
                email: &recipient.email,
                name: recipient.name.as_deref(),
            },
            dtstamp: now,
            message_id: &message_id,
            date: now,
            subject,
            text_body: text,
            html_body: html,
            list_unsubscribe,
        })
        .map_err(|e| ComposeError::Permanent(format!("cannot build the invitation: {e}")))?;
        Ok(Outgoing {
            from: self.from.clone(),
            to: recipient.email,
            raw: invite.raw,
        })
    }

    /// The calendar's templates, or the built-in ones; compiled once per distinct text.
    async fn templates_for(&self, collection: calinvite_storage::CollectionId) -> Result<Arc<Templates>, ComposeError> {
        let calendar = self
            .store
            .collection(collection)
            .await
            .map_err(|e| ComposeError::Temporary(e.to_string()))?;
        let prop = |key: &str| {
            calendar
                .as_ref()
                .and_then(|c| c.props.get(key))
                .and_then(|stored| calinvite_dav::props::decode_dead(stored))
                .and_then(|v| v.text())
                .filter(|t| !t.trim().is_empty())
        };
        let key: TemplateKey = (prop(TEXT_TEMPLATE_PROP), prop(HTML_TEMPLATE_PROP));
        if key == (None, None) {
            return Ok(self.templates.clone());
        }
        if let Some(t) = self
            .calendar_templates
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&key)
        {
            return Ok(t.clone());
        }
        let compiled = Templates::with_overrides(key.0.clone(), key.1.clone())
            .map_err(|e| ComposeError::Permanent(format!("the calendar's invitation template: {e}")))?;
        let compiled = Arc::new(compiled);
        let mut cache = self.calendar_templates.lock().unwrap_or_else(|p| p.into_inner());
        if cache.len() > 256 {
            cache.clear();
        }
        cache.insert(key, compiled.clone());
        Ok(compiled)
    }

    async fn prepare(
        &self,
        event: &calinvite_storage::EventRecord,
        etag: String,
        body: Vec<u8>,
    ) -> Result<Prepared, ComposeError> {
        let facts = event_summary(&body).map_err(|e| ComposeError::Permanent(format!("the stored event: {e}")))?;
        let organizer_name = match self.store.principal(event.owner).await {
            Ok(Some(p)) if !p.display_name.is_empty() => p.display_name,
            _ => self.default_organizer.clone(),
        };
        let custom = serde_json::from_str(&event.custom).unwrap_or(serde_json::Value::Null);
        Ok(Prepared {
            etag,
            body,
            facts,
            organizer_name,
            custom,
            rendered: Mutex::new(HashMap::new()),
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
        let prepared = Arc::new(self.prepare(event, object.meta.etag.clone(), object.body).await?);
        let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        if cache.len() > 1024 {
            cache.clear();
        }
        cache.insert(event.id, prepared.clone());
        Ok(prepared)
    }
}
