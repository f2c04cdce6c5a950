//! The one path every change to an event takes (ARCHITECTURE.md): a CalDAV write, a mailed
//! REQUEST or an API call becomes "event E changed", and this module decides what else
//! must be written with it.
//!
//! Today that is the event registry: every VEVENT stored in a calendar is registered by
//! (owner, UID), so the Send API can invite people to it, and a deleted one is marked
//! cancelled so no new invitation goes out for it. Fan-out of updates and cancellations to
//! recipients joins here, in the same transaction as the change.

use async_trait::async_trait;
use calinvite_dav::DavHooks;
use calinvite_imip::ical::{CalendarObject, ComponentKind};
use calinvite_storage::{Collection, Effects, EventUpsert, ObjectMeta, Principal};

pub struct Lifecycle;

#[async_trait]
impl DavHooks for Lifecycle {
    async fn on_put(&self, owner: &Principal, collection: &Collection, name: &str, object: &CalendarObject) -> Effects {
        if object.component() != ComponentKind::Event {
            return Effects::default();
        }
        let mut upsert = EventUpsert::at(owner.id, object.uid(), collection.id, name);
        upsert.summary = Some(object.summary().unwrap_or_default().to_string());
        upsert.start = Some(object.span().map(|s| s.start));
        upsert.cancelled = Some(false);
        Effects {
            event: Some(upsert),
            ..Effects::default()
        }
    }

    async fn on_delete(&self, owner: &Principal, collection: &Collection, meta: &ObjectMeta) -> Effects {
        match (&meta.uid, meta.component.as_deref()) {
            (Some(uid), Some("VEVENT")) => {
                let mut upsert = EventUpsert::at(owner.id, uid, collection.id, &meta.name);
                upsert.cancelled = Some(true);
                Effects {
                    event: Some(upsert),
                    ..Effects::default()
                }
            }
            _ => Effects::default(),
        }
    }
}
